/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_restore.c - xbuild restore [-p] [-e] [-d] [-c] [--timings]
 *                              FILE [CONFIG] [KEY=VALUE...]
 *
 * As xl restore: the domain saved in FILE comes back, under its name, with
 * the configuration stored in FILE or CONFIG's (xl's order, CONFIG FILE, is
 * taken too: the save image is the file that starts with xl's header), and
 * KEY=VALUE overrides. Before anything exists, a configuration that cannot
 * hold the saved domain (less memory or fewer vCPUs than it has, another
 * guest type) is refused at its line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xbuild/builder.h>
#include <xbuild/migrate.h>

#include "cli.h"
#include "json.h"
#include "spec_cli.h"

struct restore_args {
    bool paused;     /* -p */
    bool no_monitor; /* -e */
    bool debug;      /* -d */
    bool console;    /* -c */
    bool timings;
    const char *file, *config;
    char **overrides;
    int n_overrides;
};

static const struct cli_opt restore_options[] = {
    {.short_name = 'p',
     .off = offsetof(struct restore_args, paused),
     .help = "leave the restored domain paused"},
    {.short_name = 'e',
     .off = offsetof(struct restore_args, no_monitor),
     .help = "no monitor: nothing acts on its on_poweroff/on_reboot/on_crash"},
    {.short_name = 'd',
     .off = offsetof(struct restore_args, debug),
     .help = "print the configuration restored (its spec as JSON) on stderr"},
    {.short_name = 'c',
     .off = offsetof(struct restore_args, console),
     .help = "attach to the console once it is restored"},
    {.long_name = "timings",
     .off = offsetof(struct restore_args, timings),
     .help = "print where the time went (one XB-BENCH line on stderr)"},
};

/* Does @path start with xl's header? (xl's order puts CONFIG first.) */
static bool is_image(const char *path)
{
    static const char magic[] = "Xen saved domain, xl format\n";
    char buf[sizeof(magic) - 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool yes = fd >= 0 && read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
               memcmp(buf, magic, sizeof(buf)) == 0;

    if (fd >= 0)
        close(fd);
    return yes;
}

static int parse_args(int argc, char **argv, struct restore_args *a)
{
    struct cli_args args;
    int rc = cli_parse(&cli_cmd_restore, argc, argv, a, &args), files = 0;

    if (rc != CLI_CONTINUE)
        return rc;
    while (files < args.n && files < 2 && !strchr(args.v[files], '='))
        files++;
    if (files == 0)
        return cli_usage_error(&cli_cmd_restore, "no save image (FILE) given");
    for (int i = files; i < args.n; i++)
        if (!strchr(args.v[i], '='))
            return cli_usage_error(&cli_cmd_restore,
                                   "\"%s\" is not KEY=VALUE (FILE [CONFIG] come first)",
                                   args.v[i]);
    a->file = args.v[0];
    a->config = files == 2 ? args.v[1] : NULL;
    if (files == 2 && !is_image(a->file) && is_image(a->config)) {
        a->file = args.v[1]; /* xl's order: CONFIG FILE */
        a->config = args.v[0];
    }
    a->overrides = args.v + files;
    a->n_overrides = args.n - files;
    return CLI_CONTINUE;
}

/* The configuration must hold what was saved: no less memory, vCPUs, same type. */
static int check_fits(const struct xb_spec *s, const struct xb_spec *saved,
                      const char *file, struct cli_diags *d)
{
    if (s->type != saved->type)
        diags_add(d, XB_SEV_ERROR, NULL, "type: %s, but the domain saved in %s is %s",
                  xb_domtype_name(s->type), file, xb_domtype_name(saved->type));
    else if (s->memory_mib < saved->memory_mib)
        diags_add(d, XB_SEV_ERROR, &s->memory_pos,
                  "memory: %" PRIu64 " MiB is less than the %" PRIu64
                  " MiB of the domain saved in %s",
                  s->memory_mib, saved->memory_mib, file);
    else if (s->maxvcpus < saved->maxvcpus)
        diags_add(d, XB_SEV_ERROR, NULL,
                  "maxvcpus: %u is less than the %u vCPUs of the domain saved in %s",
                  s->maxvcpus, saved->maxvcpus, file);
    else
        return 0;
    return 1;
}

/*
 * The spec to restore, checked against the stored one when there is one;
 * @src what it was read from (the monitor's restart source).
 */
static int load_spec(const struct restore_args *a, const struct xb_saved *saved,
                     struct xb_spec **out, struct spec_source *src)
{
    const struct spec_load_opts lo = {.refuse_unsupported = true};
    struct cli_diags d = {0};
    struct xb_spec *stored = NULL;
    char name[4200];
    int rc = 0;

    snprintf(name, sizeof(name), "<saved in %s>", a->file);
    if (!a->config && !saved->config) {
        cli_error("%s: no configuration is stored in it: give its CONFIG", a->file);
        return 1;
    }
    if (saved->config &&
        spec_load_saved(saved, name, NULL, 0, &lo, &d, &stored, NULL) != 0)
        rc = a->config ? 0 : 1; /* with CONFIG, a stored one it cannot read is moot */
    if (a->config)
        diags_print(&d); /* warnings about the stored one, if any */
    if (!rc)
        rc = a->config
                 ? spec_load(a->config, a->overrides, a->n_overrides, &lo, &d, out, src)
                 : spec_load_saved(saved, name, a->overrides, a->n_overrides, &lo, &d,
                                   out, src);
    if (!rc && stored && check_fits(*out, stored, a->file, &d)) {
        xb_spec_free(*out);
        *out = NULL;
        rc = 1;
    }
    diags_print(&d);
    xb_spec_free(stored);
    return rc;
}

static void print_spec(const struct xb_spec *spec)
{
    yajl_gen g = json_new();
    const unsigned char *buf;
    size_t len;

    if (g && spec_json(g, spec) == 0 &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(stderr, "%.*s\n", (int)len, buf);
    if (g)
        yajl_gen_free(g);
}

/* One XB-BENCH line: each phase of the restore (build: the stream), and the sum. */
static void print_timings(const char *name, uint32_t domid, const struct xb_timings *t)
{
    uint64_t total = 0;

    fprintf(stderr, "XB-BENCH restore name=%s domid=%" PRIu32, name, domid);
    for (int p = 0; p < XB_PHASE_COUNT; p++) {
        fprintf(stderr, " %s_us=%" PRIu64, xb_phase_name((enum xb_phase)p),
                t->ns[p] / 1000);
        total += t->ns[p];
    }
    fprintf(stderr, " total_ms=%.1f\n", (double)total / 1e6);
}

/* Monitor, console, unpause: as create does once the domain exists. */
static int start(struct xb_ctx *ctx, uint32_t domid, const struct xb_spec *spec,
                 const struct restore_args *a)
{
    int fd = -1;

    if ((a->console && cli_console_open(ctx, domid, &fd) != 0) ||
        (!a->no_monitor && cli_monitor_ensure(ctx) != 0))
        goto undo;
    if (a->console && !a->paused && xb_domain_unpause(ctx, domid) != 0) {
        cli_error("restore: unpause: %s", xb_errmsg(ctx));
        goto undo;
    }
    return fd >= 0 ? cli_console_relay(ctx, domid, fd) : 0;
undo:
    if (fd >= 0)
        close(fd);
    xb_domain_destroy(ctx, domid);
    return 1;
}

/* CONFIG's absolute path (malloc'd), or the name of the stored configuration. */
static char *config_name(const struct restore_args *a, const struct spec_source *s)
{
    char *name = NULL;

    if (a->config && a->config[0] != '/' && s->cwd &&
        asprintf(&name, "%s/%s", s->cwd, a->config) >= 0)
        return name;
    if (a->config)
        return strdup(a->config);
    return asprintf(&name, "<saved in %s>", a->file) >= 0 ? name : NULL;
}

static int restore(const struct restore_args *a, int fd, const struct xb_spec *spec,
                   const struct spec_source *s)
{
    char *abs = config_name(a, s);
    const struct xb_restart_source src = {
        .config = s->text,
        .config_len = s->len,
        .config_file = abs ? abs : "<saved configuration>",
        .overrides = a->overrides,
        .n_overrides = (size_t)a->n_overrides,
        .override_dir = s->cwd,
    };
    struct xb_timings t = {0};
    const struct xb_restore_opts ro = {.paused = a->paused || a->console,
                                       .timings = a->timings ? &t : NULL,
                                       .source = a->no_monitor ? NULL : &src};
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_diags d = {0};
    uint32_t domid = 0;
    int rc = 1;

    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("restore: %s", err.msg);
        free(abs);
        return 1;
    }
    if (xb_domain_restore(ctx, spec, fd, a->file, &ro, &domid) != 0) {
        diags_add_build(&d, XB_SEV_ERROR, spec, xb_errmsg(ctx));
        diags_print(&d);
    } else {
        for (size_t i = 0; xb_warning(ctx, i); i++)
            cli_warn("restore: %s", xb_warning(ctx, i));
        if (a->timings)
            print_timings(spec->name, domid, &t);
        rc = start(ctx, domid, spec, a);
    }
    xb_ctx_close(ctx);
    free(abs);
    return rc;
}

static int cmd_restore(int argc, char **argv)
{
    struct restore_args a = {0};
    struct xb_saved saved = {0};
    struct xb_spec *spec = NULL;
    struct spec_source src = {0};
    struct xb_err err = {0};
    int fd, rc = parse_args(argc, argv, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    fd = open(a.file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("%s: %s", a.file, strerror(errno));
        return 1;
    }
    rc = 1;
    if (xb_saved_read(fd, a.file, &saved, &err) != 0)
        cli_error("%s", err.msg); /* "FILE: why", as the builder's messages about it */
    else if (load_spec(&a, &saved, &spec, &src) == 0) {
        if (a.debug)
            print_spec(spec);
        rc = restore(&a, fd, spec, &src);
    }
    spec_source_free(&src);
    xb_spec_free(spec);
    xb_saved_clear(&saved);
    close(fd);
    return rc;
}

const struct cli_cmd cli_cmd_restore = {
    .name = "restore",
    .run = cmd_restore,
    .operands = "FILE [CONFIG] [KEY=VALUE...]",
    .summary = "restore a domain saved by xbuild save or xl save",
    .opts = restore_options,
    .n_opts = sizeof(restore_options) / sizeof(restore_options[0]),
};
