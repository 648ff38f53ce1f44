/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/spec_load.c - load a config; collect its diagnostics and the
 * builder's, and print them in one format, in the order of the config.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "spec_cli.h"

struct cli_diag {
    unsigned long long key; /* the order: see diag_key() */
    size_t seq;             /* then the order added */
    char *line;             /* what is printed, without the newline */
};

static const char *const severity[] = {
    [XB_SEV_WARNING] = "warning",
    [XB_SEV_ERROR] = "error",
};

/* The file before the command line, by line and column; no position last. */
static unsigned long long diag_key(const struct xb_pos *pos)
{
    bool has_line = pos && pos->line;
    bool cmdline = has_line && pos->file && strcmp(pos->file, XB_CONFIG_CMDLINE) == 0;

    return (unsigned long long)cmdline << 63 |
           (unsigned long long)(has_line ? pos->line : 0xffffffffu) << 20 |
           (has_line ? pos->col & 0xfffff : 0);
}

/* "FILE:LINE:COL: error: MSG", or "xbuild: [warning: ][FILE: ]MSG". */
static char *diag_line(enum xb_severity sev, const struct xb_pos *pos, const char *msg)
{
    char *line = NULL;
    int n;

    if (pos && pos->line)
        n = asprintf(&line, "%s:%u:%u: %s: %s", pos->file ? pos->file : "config",
                     pos->line, pos->col, severity[sev], msg);
    else
        n = asprintf(&line, "xbuild: %s%s%s%s", sev == XB_SEV_WARNING ? "warning: " : "",
                     pos && pos->file ? pos->file : "", pos && pos->file ? ": " : "",
                     msg);
    return n < 0 ? NULL : line;
}

static bool grow(struct cli_diags *d)
{
    size_t cap = d->cap ? 2 * d->cap : 16;
    struct cli_diag *v;

    if (d->n < d->cap)
        return true;
    v = realloc(d->v, cap * sizeof(*v));
    if (!v)
        return false;
    d->v = v;
    d->cap = cap;
    return true;
}

static void add_msg(struct cli_diags *d, enum xb_severity sev, const struct xb_pos *pos,
                    const char *msg)
{
    char *line;

    if (sev == XB_SEV_WARNING && d->quiet)
        return;
    line = diag_line(sev, pos, msg);
    if (!line || !grow(d)) { /* out of memory: print it now rather than lose it */
        fprintf(stderr, "%s\n", line ? line : msg);
        free(line);
        return;
    }
    d->v[d->n] = (struct cli_diag){.key = diag_key(pos), .seq = d->n, .line = line};
    d->n++;
}

void diags_add(struct cli_diags *d, enum xb_severity sev, const struct xb_pos *pos,
               const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    add_msg(d, sev, pos, n < 0 ? "out of memory" : msg);
    free(n < 0 ? NULL : msg);
}

/* Skip a leading "FILE:LINE:COL: " of @pos in *msg. */
static bool strip_pos(const struct xb_pos *pos, const char **msg)
{
    char prefix[PATH_MAX + 32];
    int n;

    if (!pos->file || !pos->line)
        return false;
    n = snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", pos->file, pos->line, pos->col);
    if (n < 0 || (size_t)n >= sizeof(prefix) || strncmp(*msg, prefix, (size_t)n) != 0)
        return false;
    *msg += n;
    return true;
}

static const struct {
    const char *key;
    size_t off;
} key_pos[] = {
    {"name", offsetof(struct xb_spec, name_pos)},
    {"kernel", offsetof(struct xb_spec, kernel_pos)},
    {"ramdisk", offsetof(struct xb_spec, ramdisk_pos)},
    {"memory", offsetof(struct xb_spec, memory_pos)},
    {"cmdline", offsetof(struct xb_spec, cmdline_pos)},
    {"bootloader", offsetof(struct xb_spec, bootloader_pos)},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct xb_pos *spec_pos(const struct xb_spec *spec, size_t i)
{
    return (const struct xb_pos *)(const void *)((const char *)spec + key_pos[i].off);
}

/* The position a builder message carries at its start (stripped), if any. */
static const struct xb_pos *strip_spec_pos(const struct xb_spec *spec, const char **msg)
{
    for (size_t i = 0; i < COUNT(key_pos); i++)
        if (strip_pos(spec_pos(spec, i), msg))
            return spec_pos(spec, i);
    for (size_t i = 0; i < spec->n_unsupported; i++)
        if (strip_pos(&spec->unsupported[i].pos, msg))
            return &spec->unsupported[i].pos;
    for (size_t i = 0; i < spec->n_disks; i++)
        if (strip_pos(&spec->disks[i].pos, msg))
            return &spec->disks[i].pos;
    for (size_t i = 0; i < spec->n_vifs; i++)
        if (strip_pos(&spec->vifs[i].pos, msg))
            return &spec->vifs[i].pos;
    return NULL;
}

/* The position of the key a message starts with ("memory: ..."), if set. */
static const struct xb_pos *key_of_msg(const struct xb_spec *spec, const char *msg)
{
    for (size_t i = 0; i < COUNT(key_pos); i++) {
        size_t len = strlen(key_pos[i].key);

        if (strncmp(msg, key_pos[i].key, len) == 0 && msg[len] == ':' &&
            spec_pos(spec, i)->line)
            return spec_pos(spec, i);
    }
    return NULL;
}

void diags_add_build(struct cli_diags *d, enum xb_severity sev,
                     const struct xb_spec *spec, const char *msg)
{
    const struct xb_pos *pos = strip_spec_pos(spec, &msg);

    add_msg(d, sev, pos ? pos : key_of_msg(spec, msg), msg);
}

static int diag_cmp(const void *a, const void *b)
{
    const struct cli_diag *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diags_print(struct cli_diags *d)
{
    if (d->n)
        qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
    for (size_t i = 0; i < d->n; i++) {
        fprintf(stderr, "%s\n", d->v[i].line);
        free(d->v[i].line);
    }
    free(d->v);
    *d = (struct cli_diags){.quiet = d->quiet};
}

/* ---- loading ---- */

static void take_config_diags(const struct xb_config *cfg, struct cli_diags *d)
{
    for (size_t i = 0; i < xb_config_diag_count(cfg); i++) {
        const struct xb_diag *g = xb_config_diag(cfg, i);
        const struct xb_pos pos = {.file = g->file, .line = g->line, .col = g->col};

        add_msg(d, g->sev, &pos, g->msg);
    }
}

#define MAX_CONFIG_SIZE (64u << 20) /* as the library's xb_config_load_file() */

/* The whole file @path into *buf (malloc'd, NUL-terminated): 0, or -1 with a message. */
static int read_config(const char *path, char **buf, size_t *len, struct cli_diags *d)
{
    FILE *f = fopen(path, "rbe");
    struct stat st;
    int rc = -1;

    *buf = NULL;
    if (!f || fstat(fileno(f), &st) != 0)
        diags_add(d, XB_SEV_ERROR, NULL, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        diags_add(d, XB_SEV_ERROR, NULL, "%s: not a regular file", path);
    else if ((unsigned long long)st.st_size > MAX_CONFIG_SIZE)
        diags_add(d, XB_SEV_ERROR, NULL,
                  "%s: %lld bytes is more than a config may have (%u MiB)", path,
                  (long long)st.st_size, MAX_CONFIG_SIZE >> 20);
    else if (!(*buf = malloc((size_t)st.st_size + 1)))
        diags_add(d, XB_SEV_ERROR, NULL, "%s: out of memory", path);
    else if ((*len = fread(*buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size ||
             ferror(f))
        diags_add(d, XB_SEV_ERROR, NULL, "%s: read: %s", path,
                  strerror(errno ? errno : EIO));
    else
        rc = 0;
    if (f)
        fclose(f);
    if (rc) {
        free(*buf);
        *buf = NULL;
    } else {
        (*buf)[*len] = '\0';
    }
    return rc;
}

static int parse_all(struct xb_config *cfg, const char *path, char *const *ov, int n,
                     struct cli_diags *d, struct spec_source *src)
{
    int rc = read_config(path, &src->text, &src->len, d);

    if (rc)
        return -1;
    rc = xb_config_parse(cfg, src->text, src->len, path);
    if (rc == -ENOMEM) {
        diags_add(d, XB_SEV_ERROR, NULL, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (xb_config_parse_override(cfg, ov[i]) == -ENOMEM) {
            diags_add(d, XB_SEV_ERROR, NULL, "out of memory");
            return -1;
        }
    return 0;
}

/* One line per key of spec->unsupported; returns how many. */
static size_t report_unsupported(struct cli_diags *d, const struct xb_spec *spec,
                                 bool as_error)
{
    for (size_t i = 0; i < spec->n_unsupported; i++)
        diags_add(d, as_error ? XB_SEV_ERROR : XB_SEV_WARNING, &spec->unsupported[i].pos,
                  "%s: %s", spec->unsupported[i].key,
                  as_error
                      ? "not supported yet by xbuild; remove it to create this domain"
                      : "parsed, but not supported yet: create will refuse it");
    return spec->n_unsupported;
}

void spec_source_free(struct spec_source *src)
{
    free(src->text);
    free(src->cwd);
    *src = (struct spec_source){0};
}

int spec_load(const char *path, char *const *overrides, int n_overrides,
              const struct spec_load_opts *opts, struct cli_diags *d,
              struct xb_spec **out, struct spec_source *source)
{
    struct xb_config *cfg = NULL;
    struct spec_source own = {0}, *src = source ? source : &own;
    char cwd[PATH_MAX];
    struct xb_spec_opts sopts = {
        .strict = opts->strict,
        .override_dir = getcwd(cwd, sizeof(cwd)),
    };

    *out = NULL;
    *src = (struct spec_source){.cwd = sopts.override_dir ? strdup(cwd) : NULL};
    if (xb_config_new(&cfg) < 0) {
        diags_add(d, XB_SEV_ERROR, NULL, "out of memory");
        return 1;
    }
    if (parse_all(cfg, path, overrides, n_overrides, d, src) == 0 &&
        xb_config_to_spec(cfg, &sopts, out) == 0 && opts->check_files &&
        xb_spec_check_files(cfg, *out) != 0) {
        xb_spec_free(*out);
        *out = NULL;
    }
    take_config_diags(cfg, d);
    xb_config_free(cfg);
    if (*out && report_unsupported(d, *out, opts->refuse_unsupported) &&
        opts->refuse_unsupported) {
        xb_spec_free(*out);
        *out = NULL;
    }
    if (!*out || !source)
        spec_source_free(src);
    return *out ? 0 : 1;
}

int device_load(const char *key, char *const *parts, int n, struct cli_diags *d,
                struct xb_spec **out)
{
    struct xb_config *cfg = NULL;
    char cwd[PATH_MAX], *text = NULL;
    struct xb_spec_opts sopts = {.override_dir = getcwd(cwd, sizeof(cwd))};
    size_t len = 1;
    int rc;

    *out = NULL;
    for (int i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    text = calloc(1, len);
    if (!text || xb_config_new(&cfg) < 0) {
        free(text);
        diags_add(d, XB_SEV_ERROR, NULL, "out of memory");
        return 1;
    }
    for (int i = 0; i < n; i++) { /* as xl: the pieces of one specification */
        if (i)
            strcat(text, ",");
        strcat(text, parts[i]);
    }
    rc = xb_config_device(cfg, key, text, &sopts, out);
    take_config_diags(cfg, d);
    if (rc == -ENOMEM)
        diags_add(d, XB_SEV_ERROR, NULL, "out of memory");
    xb_config_free(cfg);
    free(text);
    return *out ? 0 : 1;
}
