/* SPDX-License-Identifier: MIT */
/* tools/xbuild/spec_load.c - load a config, print its diagnostics gcc-style. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "spec_cli.h"

static const char *const severity[] = {
    [XB_SEV_WARNING] = "warning",
    [XB_SEV_ERROR] = "error",
};

/* Order: the file before the command line, by line and column; no-line last. */
static int diag_cmp(const void *a, const void *b)
{
    const struct xb_diag *x = *(const struct xb_diag *const *)a;
    const struct xb_diag *y = *(const struct xb_diag *const *)b;
    unsigned long long kx, ky;

    kx = ((unsigned long long)(x->file && !strcmp(x->file, XB_CONFIG_CMDLINE)) << 63) |
         ((unsigned long long)(x->line ? x->line : 0xffffffffu) << 20) |
         (x->col & 0xfffff);
    ky = ((unsigned long long)(y->file && !strcmp(y->file, XB_CONFIG_CMDLINE)) << 63) |
         ((unsigned long long)(y->line ? y->line : 0xffffffffu) << 20) |
         (y->col & 0xfffff);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void print_diag(const struct xb_diag *d)
{
    const char *file = d->file ? d->file : "xbuild";

    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s: %s\n", file, d->line, d->col, severity[d->sev],
                d->msg);
    else
        fprintf(stderr, "%s: %s: %s\n", file, severity[d->sev], d->msg);
}

static void print_diags(const struct xb_config *cfg, bool quiet)
{
    size_t n = xb_config_diag_count(cfg);
    const struct xb_diag **v = calloc(n ? n : 1, sizeof(*v));

    if (!v) {
        cli_error("out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = xb_config_diag(cfg, i);
    qsort(v, n, sizeof(*v), diag_cmp);
    for (size_t i = 0; i < n; i++)
        if (!quiet || v[i]->sev == XB_SEV_ERROR)
            print_diag(v[i]);
    free(v);
}

static int parse_all(struct xb_config *cfg, const char *path, char *const *ov, int n)
{
    struct xb_err err = {0};
    int rc = xb_config_load_file(cfg, path, &err);

    if (rc < 0 && err.code) {
        cli_error("%s", err.msg);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (xb_config_parse_override(cfg, ov[i]) == -ENOMEM)
            return -ENOMEM;
    return 0;
}

int spec_load(const char *path, char *const *overrides, int n_overrides,
              const struct spec_load_opts *opts, struct xb_spec **out)
{
    struct xb_config *cfg = NULL;
    char cwd[PATH_MAX];
    struct xb_spec_opts sopts = {
        .strict = opts->strict,
        .override_dir = getcwd(cwd, sizeof(cwd)),
    };
    int rc = 1;

    *out = NULL;
    if (xb_config_new(&cfg) < 0) {
        cli_error("out of memory");
        return 1;
    }
    if (parse_all(cfg, path, overrides, n_overrides) < 0)
        goto out;
    if (xb_config_to_spec(cfg, &sopts, out) == 0 && xb_spec_check_files(cfg, *out) != 0) {
        xb_spec_free(*out);
        *out = NULL;
    }
    print_diags(cfg, opts->quiet);
    rc = *out ? 0 : 1;
out:
    xb_config_free(cfg);
    return rc;
}

size_t spec_report_unsupported(const struct xb_spec *spec, bool as_error, bool quiet)
{
    for (size_t i = 0; i < spec->n_unsupported && (as_error || !quiet); i++) {
        const struct xb_unsupported *u = &spec->unsupported[i];

        fprintf(stderr, "%s:%u:%u: %s: %s: %s\n", u->pos.file ? u->pos.file : "xbuild",
                u->pos.line, u->pos.col, as_error ? "error" : "warning", u->key,
                as_error ? "not supported yet by xbuild; remove it to create this domain"
                         : "parsed, but not supported yet: create will refuse it");
    }
    return spec->n_unsupported;
}
