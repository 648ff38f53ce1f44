/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_save.c - xbuild save [-c] [-p] [--timings] DOMAIN FILE [CONFIG]
 *
 * As xl save: the domain's state into FILE (xl's format, xbuild(1) SAVE
 * IMAGES), then the domain is destroyed (-c: it carries on, -p: paused).
 * The configuration stored with it is CONFIG's when given, else the one
 * libxl keeps for the domain. A regular FILE is written beside itself and
 * renamed into place once complete: a failed save leaves no file and an
 * older FILE untouched, and the domain is destroyed only after the rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xbuild/builder.h>
#include <xbuild/migrate.h>

#include "cli.h"
#include "spec_cli.h"

struct save_args {
    bool checkpoint; /* -c */
    bool paused;     /* -p */
    bool timings;
};

static const struct cli_opt save_options[] = {
    {.short_name = 'c',
     .off = offsetof(struct save_args, checkpoint),
     .excl = 1,
     .help = "leave the domain running after saving it"},
    {.short_name = 'p',
     .off = offsetof(struct save_args, paused),
     .excl = 1,
     .help = "leave the domain paused after saving it"},
    {.long_name = "timings",
     .off = offsetof(struct save_args, timings),
     .help = "print where the time went (one XB-BENCH line on stderr)"},
};

/* Where the image is written: a temporary beside FILE, or FILE itself. */
struct out {
    const char *file;
    char tmp[PATH_MAX];
    int fd;
};

static int open_out(struct out *o)
{
    struct stat st;
    char dir[PATH_MAX], base[PATH_MAX];

    if (stat(o->file, &st) == 0 && !S_ISREG(st.st_mode)) { /* a pipe, /dev/stdout */
        o->fd = open(o->file, O_WRONLY | O_CLOEXEC);
        if (o->fd < 0)
            cli_error("save: %s: %s", o->file, strerror(errno));
        return o->fd < 0;
    }
    snprintf(dir, sizeof(dir), "%s", o->file);
    snprintf(base, sizeof(base), "%s", o->file);
    if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.xbuild-XXXXXX", dirname(dir),
                         basename(base)) >= sizeof(o->tmp)) {
        cli_error("save: %s: the path is too long", o->file);
        return 1;
    }
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0)
        cli_error("save: %s: %s", o->file, strerror(errno));
    if (o->fd >= 0)
        fchmod(o->fd, 0600);
    return o->fd < 0;
}

/* The image is complete: on disk, under its name. */
static int finish_out(struct out *o)
{
    int rc = 0;

    if (o->tmp[0] && fsync(o->fd) != 0)
        rc = errno;
    if (close(o->fd) != 0 && !rc)
        rc = errno;
    o->fd = -1;
    if (!rc && o->tmp[0] && rename(o->tmp, o->file) != 0)
        rc = errno;
    if (rc)
        cli_error("save: %s: %s", o->file, strerror(rc));
    else
        o->tmp[0] = '\0';
    return rc != 0;
}

static void drop_out(struct out *o)
{
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp[0])
        unlink(o->tmp);
}

/* CONFIG as xl.cfg text, paths resolved (xb_spec_to_config). */
static int config_text(const char *path, char **text, size_t *len)
{
    const struct spec_load_opts lo = {0};
    struct cli_diags d = {0};
    struct xb_spec *spec = NULL;
    int rc = spec_load(path, NULL, 0, &lo, &d, &spec, NULL);

    diags_print(&d);
    if (rc)
        return 1;
    rc = xb_spec_to_config(spec, text, len);
    xb_spec_free(spec);
    if (rc)
        cli_error("save: %s: out of memory", path);
    return rc != 0;
}

static void print_timings(const char *name, uint32_t domid,
                          const struct xb_save_stats *st, off_t bytes)
{
    fprintf(stderr,
            "XB-BENCH save name=%s domid=%" PRIu32 " bytes=%lld suspend_ms=%.1f "
            "total_ms=%.1f\n",
            name, domid, (long long)bytes,
            (double)(st->suspended_ns - st->start_ns) / 1e6,
            (double)(st->done_ns - st->start_ns) / 1e6);
}

static int save(struct xb_ctx *ctx, const char *what, uint32_t domid, struct out *o,
                const struct xb_save_opts *so, const struct save_args *a)
{
    struct xb_save_stats st;
    off_t bytes;
    int rc = xb_domain_save(ctx, domid, o->fd, so, &st);

    for (size_t i = 0; xb_warning(ctx, i); i++)
        cli_warn("save: %s", xb_warning(ctx, i));
    if (rc) {
        cli_error("save: %s", xb_errmsg(ctx));
        return 1;
    }
    bytes = lseek(o->fd, 0, SEEK_CUR);
    if (finish_out(o) != 0) {
        if (so->then == XB_SAVE_SUSPENDED && xb_domain_resume(ctx, domid) != 0)
            cli_error("save: %s: resuming it failed: %s", what, xb_errmsg(ctx));
        return 1;
    }
    if (so->then == XB_SAVE_SUSPENDED && xb_domain_destroy(ctx, domid) != 0) {
        cli_error("save: %s: saved to %s, but destroying it failed: %s", what, o->file,
                  xb_errmsg(ctx));
        return 1;
    }
    if (a->timings)
        print_timings(what, domid, &st, bytes);
    return 0;
}

static int cmd_save(int argc, char **argv)
{
    struct save_args a = {0};
    struct xb_save_opts so = {0};
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct out o = {.fd = -1};
    struct cli_args args;
    char *config = NULL;
    uint32_t domid;
    int rc = cli_parse(&cli_cmd_save, argc, argv, &a, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n < 2 || args.n > 3)
        return cli_usage_error(&cli_cmd_save, args.n < 2 ? "DOMAIN and FILE are needed"
                                                         : "too many operands");
    o.file = args.v[1];
    so.then = a.checkpoint ? XB_SAVE_RESUME
              : a.paused   ? XB_SAVE_PAUSE
                           : XB_SAVE_SUSPENDED;
    if (args.n == 3 && config_text(args.v[2], &config, &so.config_len) != 0)
        return 1;
    so.config = config;
    rc = 1;
    if (xb_ctx_open("xen", &ctx, &err) != 0)
        cli_error("save: %s", err.msg);
    else if (xb_domain_find(ctx, args.v[0], &domid) != 0)
        cli_error("save: %s", xb_errmsg(ctx));
    else if (open_out(&o) == 0)
        rc = save(ctx, args.v[0], domid, &o, &so, &a);
    drop_out(&o);
    xb_ctx_close(ctx);
    free(config);
    return rc;
}

const struct cli_cmd cli_cmd_save = {
    .name = "save",
    .run = cmd_save,
    .operands = "DOMAIN FILE [CONFIG]",
    .summary = "save a domain's state to FILE (and destroy it), as xl save",
    .opts = save_options,
    .n_opts = sizeof(save_options) / sizeof(save_options[0]),
};
