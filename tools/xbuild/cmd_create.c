/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_create.c - xbuild create [-c] [-p] [-q] [--dry-run]
 *                             [--config-only] [--strict] CFG [KEY=VALUE ...]
 *
 * Both paths start with the same validated spec. --dry-run prints one JSON
 * object {"spec", "image", "layout", "error"}: the kernel is loaded and the
 * domain built for real on the simulated machine; it exits 1 when the config
 * has errors or the kernel cannot be loaded or built. --config-only prints
 * {"spec"} alone, without reading the kernel (as `xl create -n`). A real
 * create goes to create_domain().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xbuild/builder.h>
#include <xbuild/image.h>

#include "cli.h"
#include "json.h"
#include "spec_cli.h"

int cmd_create(int argc, char **argv);

struct create_opts {
    bool console;              /* -c: attach to the console */
    bool paused;               /* -p: leave the domain paused */
    bool quiet;                /* -q: no warnings */
    bool dry_run;
    bool config_only;          /* --config-only: the spec alone, no kernel */
    bool strict;
    const char *config;
    char **overrides;
    int n_overrides;
};

static const struct {
    const char *flag;
    size_t off;
} flags[] = {
    {"-c", offsetof(struct create_opts, console)},
    {"-p", offsetof(struct create_opts, paused)},
    {"-q", offsetof(struct create_opts, quiet)},
    {"--dry-run", offsetof(struct create_opts, dry_run)},
    {"-n", offsetof(struct create_opts, dry_run)},
    {"--config-only", offsetof(struct create_opts, config_only)},
    {"--strict", offsetof(struct create_opts, strict)},
};

static bool set_flag(struct create_opts *o, const char *arg)
{
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strcmp(arg, flags[i].flag) == 0) {
            *(bool *)((char *)o + flags[i].off) = true;
            return true;
        }
    return false;
}

/* 0, or 2 after printing the usage. */
static int parse_args(int argc, char **argv, struct create_opts *o)
{
    int i = 1;

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (!set_flag(o, argv[i])) {
            cli_error("create: unknown option \"%s\"", argv[i]);
            return cli_usage("create");
        }
    }
    if (i >= argc) {
        cli_error("create: no config file given");
        return cli_usage("create");
    }
    o->config = argv[i++];
    for (int j = i; j < argc; j++)
        if (!strchr(argv[j], '=')) {
            cli_error("create: \"%s\" is not KEY=VALUE", argv[j]);
            return cli_usage("create");
        }
    o->overrides = argv + i;
    o->n_overrides = argc - i;
    return 0;
}

static void layout_json(yajl_gen g, const struct xb_layout *lo)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "guest_type", lo->guest_type);
    json_kv_int(g, "total_pages", (long long)lo->total_pages);
    json_kv_addr(g, "virt_base", lo->virt_base);
    json_kv_addr(g, "entry", lo->virt_entry);
    if (lo->virt_hypercall != XB_UNSET_ADDR)
        json_kv_addr(g, "hypercall_page", lo->virt_hypercall);
    json_kv_addr(g, "bootstrap_end", lo->bootstrap_end);
    json_kv_int(g, "page_table_levels", lo->levels);
    json_kv_int(g, "page_table_frames", lo->nr_pt_frames);
    json_str(g, "segments");
    yajl_gen_array_open(g);
    for (int i = 0; i < XB_SEG_COUNT; i++) {
        const struct xb_layout_seg *s = &lo->seg[i];
        if (!s->pages)
            continue;
        yajl_gen_map_open(g);
        json_kv_str(g, "name", s->name);
        json_kv_addr(g, "vstart", s->vstart);
        json_kv_addr(g, "vend", s->vend);
        json_kv_int(g, "pfn", (long long)s->pfn);
        json_kv_int(g, "pages", (long long)s->pages);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

/*
 * Create the domain for real on the simulated machine, exactly as a real
 * create would (same spec, same refusals, unpaused: the sim checks the
 * start of day): the kernel loaded, every page written, tables pinned.
 * *img is the kernel as loaded (NULL when it could not be).
 */
static int simulate(const struct xb_spec *spec, struct xb_image **img, struct xb_layout *lo,
                    struct xb_err *err)
{
    struct xb_create_opts copts = {.layout = lo};
    struct xb_ctx *ctx = NULL;
    struct xb_err img_err = {0};
    uint32_t domid;
    int rc;

    if (spec->kernel && xb_image_load_file(spec->kernel, NULL, img, &img_err) == 0)
        copts.image = *img; /* shown in the JSON; a load error comes from create */
    rc = xb_ctx_open("sim", &ctx, err);
    if (!rc && xb_domain_create(ctx, spec, &copts, &domid) != 0)
        rc = xb_err_set(err, xb_ctx_err(ctx)->code, "%s", xb_errmsg(ctx));
    xb_ctx_close(ctx);
    return rc;
}

/*
 * Members after "spec" in the dry-run JSON (image, layout, error). Returns
 * 0, or -errno when the kernel cannot be loaded or built (@err says why).
 */
static int dry_run_members(yajl_gen g, const struct xb_spec *spec, struct xb_err *err)
{
    struct xb_image *img = NULL;
    struct xb_layout lo = {0};
    int rc = simulate(spec, &img, &lo, err);

    json_str(g, "image");
    if (img)
        json_image(g, spec->kernel, img);
    else
        yajl_gen_null(g);
    json_str(g, "layout");
    if (!rc && lo.total_pages)
        layout_json(g, &lo);
    else
        yajl_gen_null(g);
    json_kv_str(g, "error", rc ? err->msg : NULL);
    xb_image_free(img);
    return rc;
}

static int dry_run(const struct xb_spec *spec, const struct create_opts *o)
{
    yajl_gen g = json_new();
    struct xb_err err = {0};
    int rc = 1;

    if (!g)
        return 1;
    yajl_gen_map_open(g);
    json_str(g, "spec");
    if (spec_json(g, spec) < 0)
        goto out;
    if (!o->config_only)
        dry_run_members(g, spec, &err); /* a failure lands in err and "error" */
    yajl_gen_map_close(g);
    rc = json_print(g) == 0 && !err.code ? 0 : 1;
    if (err.code)
        cli_error("%s", err.msg);
out:
    yajl_gen_free(g);
    return rc;
}

static int create_domain(const struct xb_spec *spec, const struct create_opts *o)
{
    /* The library unpauses, unless the console must be attached first. */
    struct xb_create_opts copts = {.paused = o->paused || o->console};
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    uint32_t domid = 0;
    int fd = -1, rc = 1;

    if (spec_report_unsupported(spec, true, o->quiet))
        return 1;
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("create: %s", err.msg);
        return 1;
    }
    if (xb_domain_create(ctx, spec, &copts, &domid) != 0) {
        cli_error("%s", xb_errmsg(ctx));
        goto out;
    }
    for (size_t i = 0; !o->quiet && xb_warning(ctx, i); i++)
        cli_warn("%s", xb_warning(ctx, i));
    if ((o->console && cli_console_open(ctx, domid, &fd) != 0) ||
        cli_monitor_spawn(domid, spec) != 0)
        goto undo;
    if (copts.paused && !o->paused && xb_domain_unpause(ctx, domid) != 0) {
        cli_error("create: unpause: %s", xb_errmsg(ctx));
        goto undo;
    }
    rc = 0;
    if (fd >= 0) {
        rc = cli_console_relay(ctx, domid, fd);
        fd = -1;
    }
    goto out;
undo:
    xb_domain_destroy(ctx, domid);
out:
    if (fd >= 0)
        close(fd);
    xb_ctx_close(ctx);
    return rc;
}

int cmd_create(int argc, char **argv)
{
    struct create_opts o = {0};
    struct spec_load_opts lo;
    struct xb_spec *spec = NULL;
    int rc = parse_args(argc, argv, &o);

    if (rc)
        return rc;
    lo = (struct spec_load_opts){.strict = o.strict, .quiet = o.quiet};
    if (spec_load(o.config, o.overrides, o.n_overrides, &lo, &spec) != 0)
        return 1;
    if (o.config_only) {
        spec_report_unsupported(spec, false, o.quiet);
        rc = dry_run(spec, &o);
    } else if (o.dry_run) { /* a faithful preview: what create refuses, it refuses */
        rc = spec_report_unsupported(spec, true, o.quiet) ? 1 : dry_run(spec, &o);
    } else {
        rc = create_domain(spec, &o);
    }
    xb_spec_free(spec);
    return rc;
}
