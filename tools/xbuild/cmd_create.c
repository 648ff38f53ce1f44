/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_create.c - xbuild create [-c] [-p] [-q] [-n|--config-only]
 *                             [--dry-run] [--strict] [--timings] [-f] CFG
 *                             [KEY=VALUE...]
 *
 * Every path starts with the same validated spec. -n (--config-only, as
 * `xl create -n`) prints {"spec"} as JSON without reading the kernel.
 * --dry-run goes further: the kernel is loaded and the domain built for real
 * on the simulated machine, and {"spec", "image", "layout"} is printed; it
 * exits 1, with nothing on stdout, when the config has errors or the kernel
 * cannot be loaded or built. A real create goes to create_domain(), which
 * loads the kernel through the cache of decompressed kernels
 * ($XBUILD_CACHE_DIR, default /var/cache/xbuild; empty: no cache);
 * --timings has it print where its time went (timings.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xbuild/builder.h>
#include <xbuild/image.h>

#include "cli.h"
#include "json.h"
#include "spec_cli.h"
#include "timings.h"

struct create_opts {
    bool console;     /* -c: attach to the console */
    bool paused;      /* -p: leave the domain paused */
    bool quiet;       /* -q: no warnings */
    bool dry_run;     /* --dry-run: build on the simulated machine */
    bool config_only; /* -n, --config-only: the spec alone, no kernel */
    bool strict;
    bool timings;       /* --timings: the time of each step, on stderr */
    const char *config; /* -f CFG, or the first operand */
    char **overrides;
    int n_overrides;
};

#define KERNEL_CACHE_DIR                                                                 \
    "/var/cache/xbuild" /* unless $XBUILD_CACHE_DIR says otherwise                       \
                         */

/* .excl: -c, -p and --timings act on a real domain, which --dry-run and -n do not make.
 */
enum {
    EX_CONSOLE = 1u << 0,
    EX_PAUSED = 1u << 1,
    EX_TIMINGS = 1u << 2,
    EX_CHECK = EX_CONSOLE | EX_PAUSED | EX_TIMINGS,
};

static const struct cli_opt create_options[] = {
    {.short_name = 'c',
     .off = offsetof(struct create_opts, console),
     .excl = EX_CONSOLE,
     .help = "attach to the console before the guest runs"},
    {.short_name = 'p',
     .off = offsetof(struct create_opts, paused),
     .excl = EX_PAUSED,
     .help = "leave the domain paused"},
    {.short_name = 'q',
     .off = offsetof(struct create_opts, quiet),
     .help = "quiet: no warnings"},
    {.short_name = 'n',
     .long_name = "config-only",
     .off = offsetof(struct create_opts, config_only),
     .excl = EX_CHECK,
     .help = "print the config's spec as JSON; the kernel is not read"},
    {.long_name = "dry-run",
     .off = offsetof(struct create_opts, dry_run),
     .excl = EX_CHECK,
     .help = "build on a simulated machine; print spec, image, layout"},
    {.long_name = "strict",
     .off = offsetof(struct create_opts, strict),
     .help = "unknown keys and parameters are errors"},
    {.long_name = "timings",
     .off = offsetof(struct create_opts, timings),
     .excl = EX_TIMINGS,
     .help = "print the time of each step of the create on stderr"},
    {.short_name = 'f',
     .arg = "CFG",
     .off = offsetof(struct create_opts, config),
     .in_operands = true,
     .help = "the config file, as xl create -f (same as giving CFG)"},
};

/* CLI_CONTINUE, or the exit status after printing why. */
static int parse_args(int argc, char **argv, struct create_opts *o)
{
    struct cli_args a;
    int rc = cli_parse(&cli_cmd_create, argc, argv, o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (!o->config && a.n > 0) {
        o->config = a.v[0];
        a.v++;
        a.n--;
    }
    if (!o->config)
        return cli_usage_error(&cli_cmd_create, "no config file given");
    for (int i = 0; i < a.n; i++)
        if (!strchr(a.v[i], '='))
            return cli_usage_error(&cli_cmd_create,
                                   "\"%s\" is not KEY=VALUE (one config file at a time)",
                                   a.v[i]);
    o->overrides = a.v;
    o->n_overrides = a.n;
    return CLI_CONTINUE;
}

/* Segments in address order (PV: allocation order too); PVH's are physical. */
static void segments_json(yajl_gen g, const struct xb_layout *lo, bool pvh)
{
    int order[XB_SEG_COUNT], n = 0;

    for (int i = 0; i < XB_SEG_COUNT; i++)
        if (lo->seg[i].pages)
            order[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort by start */
        for (int k = i; k > 0 && lo->seg[order[k]].vstart < lo->seg[order[k - 1]].vstart;
             k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    json_str(g, "segments");
    yajl_gen_array_open(g);
    for (int i = 0; i < n; i++) {
        const struct xb_layout_seg *s = &lo->seg[order[i]];
        yajl_gen_map_open(g);
        json_kv_str(g, "name", s->name);
        json_kv_addr(g, pvh ? "start" : "vstart", s->vstart);
        json_kv_addr(g, pvh ? "end" : "vend", s->vend);
        json_kv_int(g, pvh ? "gfn" : "pfn", (long long)s->pfn);
        json_kv_int(g, "pages", (long long)s->pages);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static const char *e820_type(uint32_t type)
{
    return type == 1 ? "ram" : type == 2 ? "reserved" : type == 3 ? "acpi" : "other";
}

/* PVH: physical addresses (paging is off at entry), the memory map, the shim. */
static void pvh_json(yajl_gen g, const struct xb_layout *lo, const struct xb_spec *spec)
{
    json_kv_addr(g, "start_info", lo->seg[XB_SEG_START_INFO].vstart);
    json_kv_addr(g, "cmdline", lo->cmdline_paddr);
    json_kv_addr(g, "modlist", lo->modlist_paddr);
    json_kv_addr(g, "memmap", lo->memmap_paddr);
    json_kv_addr(g, "rsdp", lo->rsdp_paddr);
    json_kv_int(g, "modules", lo->nr_modules);
    json_kv_addr(g, "special_pages", lo->special_gfn << 12);
    json_kv_int(g, "special_page_count", lo->nr_special);
    json_str(g, "e820");
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < lo->nr_e820; i++) {
        yajl_gen_map_open(g);
        json_kv_addr(g, "addr", lo->e820[i].addr);
        json_kv_addr(g, "size", lo->e820[i].size);
        json_kv_str(g, "type", e820_type(lo->e820[i].type));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    json_str(g, "pvshim");
    if (!lo->pvshim) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    json_kv_str(g, "path", lo->pvshim);
    json_kv_bool(g, "automatic", lo->pvshim_auto);
    json_kv_str(g, "cmdline",
                spec->pvshim_cmdline ? spec->pvshim_cmdline : "pv-shim console=xen,pv");
    json_kv_str(g, "pv_kernel", spec->kernel);
    yajl_gen_map_close(g);
}

static void layout_json(yajl_gen g, const struct xb_layout *lo,
                        const struct xb_spec *spec)
{
    bool pvh = lo->levels == 0;

    yajl_gen_map_open(g);
    json_kv_str(g, "guest_type", lo->guest_type);
    json_kv_int(g, "total_pages", (long long)lo->total_pages);
    if (!pvh)
        json_kv_addr(g, "virt_base", lo->virt_base);
    json_kv_addr(g, "entry", lo->virt_entry);
    if (lo->virt_hypercall != XB_UNSET_ADDR)
        json_kv_addr(g, "hypercall_page", lo->virt_hypercall);
    if (pvh) {
        pvh_json(g, lo, spec);
    } else {
        json_kv_addr(g, "bootstrap_end", lo->bootstrap_end);
        json_kv_int(g, "page_table_levels", lo->levels);
        json_kv_int(g, "page_table_frames", lo->nr_pt_frames);
    }
    segments_json(g, lo, pvh);
    yajl_gen_map_close(g);
}

/*
 * Create the domain for real on the simulated machine, exactly as a real
 * create would (same spec, same refusals, unpaused: the sim checks the
 * start of day): the kernel loaded, every page written, tables pinned.
 * *img is the kernel as loaded (NULL when it could not be).
 */
static int simulate(const struct xb_spec *spec, struct xb_image **img,
                    struct xb_layout *lo, char *shim, size_t shim_size,
                    struct cli_diags *d, struct xb_err *err)
{
    struct xb_create_opts copts = {.layout = lo};
    struct xb_ctx *ctx = NULL;
    struct xb_err img_err = {0};
    uint32_t domid;
    int rc;

    /* with a bootloader, spec->kernel is a path in the guest's disk, not here */
    if (spec->kernel && !spec->bootloader &&
        xb_image_load_file(spec->kernel, NULL, img, &img_err) == 0)
        copts.image = *img; /* shown in the JSON; a load error comes from create */
    /* the host's Xen capabilities, when there is one: the plan a create would make */
    rc = xb_ctx_open("sim-host", &ctx, err);
    if (!rc && xb_domain_create(ctx, spec, &copts, &domid) != 0)
        rc = xb_err_set(err, xb_ctx_err(ctx)->code, "%s", xb_errmsg(ctx));
    for (size_t i = 0; !rc && xb_warning(ctx, i); i++)
        diags_add_build(d, XB_SEV_WARNING, spec, xb_warning(ctx, i));
    if (!rc && lo->pvshim) { /* the context's string: kept past its close */
        snprintf(shim, shim_size, "%s", lo->pvshim);
        lo->pvshim = shim;
    }
    xb_ctx_close(ctx);
    return rc;
}

/*
 * Members after "spec" in the dry-run JSON (image, layout). Returns 0, or
 * -errno when the kernel cannot be loaded or built (@err says why).
 */
static int dry_run_members(yajl_gen g, const struct xb_spec *spec, struct cli_diags *d,
                           struct xb_err *err)
{
    struct xb_image *img = NULL;
    struct xb_layout lo = {0};
    char shim[4096];
    int rc = simulate(spec, &img, &lo, shim, sizeof(shim), d, err);

    json_str(g, "image");
    if (img)
        json_image(g, spec->kernel, img);
    else
        yajl_gen_null(g);
    json_str(g, "layout");
    if (!rc && lo.total_pages)
        layout_json(g, &lo, spec);
    else
        yajl_gen_null(g);
    xb_image_free(img);
    return rc;
}

/* The JSON of -n or --dry-run, printed only when everything succeeded. */
static int dry_run(const struct xb_spec *spec, const struct create_opts *o,
                   struct cli_diags *d)
{
    yajl_gen g = json_new();
    struct xb_err err = {0};
    int rc = 1;

    if (g) {
        yajl_gen_map_open(g);
        json_str(g, "spec");
        if (spec_json(g, spec) == 0 &&
            (o->config_only || dry_run_members(g, spec, d, &err) == 0))
            rc = 0;
        yajl_gen_map_close(g);
    }
    if (err.code)
        diags_add_build(d, XB_SEV_ERROR, spec, err.msg);
    else if (rc)
        diags_add(d, XB_SEV_ERROR, NULL, "create: out of memory for the JSON");
    diags_print(d);
    if (!rc && json_print(g) != 0) {
        cli_error("create: cannot write the JSON to stdout");
        rc = 1;
    }
    yajl_gen_free(g);
    return rc;
}

/* One message of the builder about @spec, at the position of its key. */
static void report(const struct xb_spec *spec, enum xb_severity sev, const char *msg,
                   bool quiet)
{
    struct cli_diags d = {.quiet = quiet};

    diags_add_build(&d, sev, spec, msg);
    diags_print(&d);
}

/*
 * The kernel, its decompression kept for the next create of the same bytes;
 * 0, or 1 after printing why (at the kernel key, as the builder would).
 */
static int load_kernel(const struct xb_spec *spec, bool quiet, struct xb_image **img)
{
    const char *dir = getenv("XBUILD_CACHE_DIR");
    const struct xb_image_cache cache = {.dir = dir ? dir : KERNEL_CACHE_DIR};
    struct xb_err err = {0};
    char msg[sizeof(err.msg) + 16];

    *img = NULL;
    if (!spec->kernel) /* the builder says so */
        return 0;
    if (xb_image_load_cached(spec->kernel, NULL, cache.dir[0] ? &cache : NULL, img,
                             &err)) {
        snprintf(msg, sizeof(msg), "kernel: %s", err.msg);
        report(spec, XB_SEV_ERROR, msg, false);
        return 1;
    }
    if ((*img)->cache_use == XB_CACHE_MISS) {
        snprintf(msg, sizeof(msg), "kernel: the cache of decompressed kernels: %s",
                 (*img)->cache_note);
        report(spec, XB_SEV_WARNING, msg, quiet);
    }
    return 0;
}

static int create_domain(const struct xb_spec *spec, const struct create_opts *o,
                         const struct spec_source *s, const char *config_abs,
                         struct cli_timings *t)
{
    const struct xb_restart_source src = {
        .config = s->text,
        .config_len = s->len,
        .config_file = config_abs,
        .overrides = o->overrides,
        .n_overrides = (size_t)o->n_overrides,
        .override_dir = s->cwd,
        .strict = o->strict,
    };
    /* The library unpauses, unless the console must be attached first. */
    struct xb_create_opts copts = {
        .paused = o->paused || o->console,
        .source = &src,
        .timings = t->on ? &t->lib : NULL,
    };
    struct xb_image *img = NULL;
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    uint32_t domid = 0;
    int fd = -1, rc = 1;

    if (load_kernel(spec, o->quiet, &img) != 0)
        return 1;
    copts.image = img;
    timings_lap(t, CLI_STEP_KERNEL);
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("create: %s", err.msg);
        xb_image_free(img);
        return 1;
    }
    timings_lap(t, CLI_STEP_OPEN);
    if (xb_domain_create(ctx, spec, &copts, &domid) != 0) {
        report(spec, XB_SEV_ERROR, xb_errmsg(ctx), false);
        goto out;
    }
    timings_lap(t, CLI_STEP_CREATE);
    xb_image_free(img); /* built: not needed, nor copied into a monitor started below */
    img = NULL;
    for (size_t i = 0; xb_warning(ctx, i); i++)
        report(spec, XB_SEV_WARNING, xb_warning(ctx, i), o->quiet);
    if ((o->console && cli_console_open(ctx, domid, &fd) != 0) ||
        cli_monitor_ensure(ctx) != 0)
        goto undo;
    timings_lap(t, CLI_STEP_MONITOR);
    if (copts.paused && !o->paused && xb_domain_unpause(ctx, domid) != 0) {
        cli_error("create: unpause: %s", xb_errmsg(ctx));
        goto undo;
    }
    timings_lap(t, CLI_STEP_CONSOLE);
    rc = 0;
    if (fd >= 0) { /* the relay's time is the guest's, not the create's */
        timings_print(t, spec->name, domid);
        t->on = false;
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
    xb_image_free(img);
    timings_lap(t, CLI_STEP_CLOSE);
    if (rc == 0)
        timings_print(t, spec->name, domid);
    return rc;
}

static int cmd_create(int argc, char **argv)
{
    struct create_opts o = {0};
    struct cli_diags diags = {0};
    struct spec_load_opts lo;
    struct spec_source src = {0};
    struct xb_spec *spec = NULL;
    struct cli_timings t;
    bool check = false;
    int rc;

    timings_start(&t, false);
    rc = parse_args(argc, argv, &o);
    if (rc != CLI_CONTINUE)
        return rc;
    timings_start(&t, o.timings); /* from here: the options themselves are not timed */
    check = o.dry_run || o.config_only;
    diags.quiet = o.quiet;
    lo = (struct spec_load_opts){
        .strict = o.strict,
        .check_files = !o.config_only,
        /* --dry-run is a faithful preview: what create refuses, it refuses */
        .refuse_unsupported = !o.config_only,
    };
    if (spec_load(o.config, o.overrides, o.n_overrides, &lo, &diags, &spec, &src) != 0) {
        diags_print(&diags);
        return 1;
    }
    if (check) {
        rc = dry_run(spec, &o, &diags);
    } else {
        diags_print(&diags);
        char *abs = NULL;

        if (o.config[0] != '/' && src.cwd &&
            asprintf(&abs, "%s/%s", src.cwd, o.config) < 0)
            abs = NULL;
        timings_lap(&t, CLI_STEP_PARSE);
        rc = create_domain(spec, &o, &src, abs ? abs : o.config, &t);
        free(abs);
    }
    spec_source_free(&src);
    xb_spec_free(spec);
    return rc;
}

const struct cli_cmd cli_cmd_create = {
    .name = "create",
    .run = cmd_create,
    .operands = "[-f] CFG [KEY=VALUE...]",
    .summary = "create a domain from an xl.cfg file (KEY=VALUE overrides a key)",
    .opts = create_options,
    .n_opts = sizeof(create_options) / sizeof(create_options[0]),
};
