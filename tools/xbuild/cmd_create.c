/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_create.c - xbuild create [-c] [-p] [-q] [--dry-run]
 *                             [--strict] CFG [KEY=VALUE ...]
 *
 * Both paths start with the same validated spec. --dry-run prints one JSON
 * object {"spec": {...}} on stdout; later stages add members (e.g. "image",
 * "layout") in dry_run_members(). A real create goes to create_domain().
 */
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cli.h"
#include "spec_cli.h"

int cmd_create(int argc, char **argv);

struct create_opts {
    bool console;              /* -c: attach to the console */
    bool paused;               /* -p: leave the domain paused */
    bool quiet;                /* -q: no warnings */
    bool dry_run;
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

/* Members after "spec" in the dry-run JSON (image, layout, ...). 0 or 1. */
static int dry_run_members(yajl_gen g, const struct xb_spec *spec,
                           const struct create_opts *o)
{
    return 0;
}

static int dry_run(const struct xb_spec *spec, const struct create_opts *o)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    int rc = 1;

    if (!g)
        return 1;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "  ");
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"spec", 4);
    if (spec_json(g, spec) < 0 || dry_run_members(g, spec, o) != 0)
        goto out;
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        goto out;
    fwrite(buf, 1, len, stdout);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    yajl_gen_free(g);
    return rc;
}

static int create_domain(const struct xb_spec *spec, const struct create_opts *o)
{
    if (spec_report_unsupported(spec, true, o->quiet))
        return 1;
    cli_error("create: building domains is not available in this build yet");
    return 1;
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
    if (o.dry_run) {
        spec_report_unsupported(spec, false, o.quiet);
        rc = dry_run(spec, &o);
    } else {
        rc = create_domain(spec, &o);
    }
    xb_spec_free(spec);
    return rc;
}
