/* SPDX-License-Identifier: MIT */
/*
 * xbuild block-attach DOMAIN DISK-SPEC...     a disk, in xl's disk syntax
 * xbuild block-detach [-f] DOMAIN VDEV        (xvdb, or its device number)
 * xbuild block-list DOMAIN...
 *
 * As xl's verbs of the same names, on any domain (whoever built it): the
 * pieces of DISK-SPEC are joined with ',' (xl block-attach web 'file:/a.img'
 * xvdb r); a detach asks the guest to let go first (-f: it does not ask).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <xbuild/builder.h>
#include <xbuild/config.h>

#include "cli.h"
#include "spec_cli.h"

static const char *const states[] = {"Unknown",     "Initialising", "InitWait",
                                     "Initialised", "Connected",    "Closing",
                                     "Closed"};

const char *cli_xenbus_state(int state)
{
    return state >= 0 && state <= 6 ? states[state] : "?";
}

int cli_open_domain(const char *verb, const char *what, struct xb_ctx **ctx,
                    uint32_t *domid)
{
    *ctx = cli_ctx_open(verb);
    if (!*ctx)
        return 1;
    if (cli_find(*ctx, verb, what, domid) == 0)
        return 0;
    xb_ctx_close(*ctx);
    *ctx = NULL;
    return 1;
}

void cli_report_device(const struct xb_spec *dev, struct xb_ctx *ctx, int rc)
{
    struct cli_diags d = {0};

    for (size_t i = 0; xb_warning(ctx, i); i++)
        diags_add_build(&d, XB_SEV_WARNING, dev, xb_warning(ctx, i));
    if (rc)
        diags_add_build(&d, XB_SEV_ERROR, dev, xb_errmsg(ctx));
    diags_print(&d);
}

/* ---- block-attach ---- */

static int cmd_block_attach(int argc, char **argv)
{
    struct cli_diags d = {0};
    struct xb_spec *dev = NULL;
    struct xb_ctx *ctx = NULL;
    struct cli_args a;
    uint32_t domid;
    int rc = cli_parse(&cli_cmd_block_attach, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n < 2)
        return cli_usage_error(&cli_cmd_block_attach,
                               a.n ? "no DISK-SPEC given" : "no DOMAIN given");
    if (device_load("disk", a.v + 1, a.n - 1, &d, &dev) != 0) {
        diags_print(&d);
        return 1;
    }
    diags_print(&d);
    rc = cli_open_domain("block-attach", a.v[0], &ctx, &domid);
    if (!rc) {
        rc = xb_vbd_attach(ctx, domid, &dev->disks[0], NULL);
        cli_report_device(dev, ctx, rc);
        rc = rc != 0;
    }
    xb_ctx_close(ctx);
    xb_spec_free(dev);
    return rc;
}

const struct cli_cmd cli_cmd_block_attach = {
    .name = "block-attach",
    .run = cmd_block_attach,
    .operands = "DOMAIN DISK-SPEC...",
    .summary = "attach a disk (xl's disk syntax) to a running domain",
};

/* ---- block-detach ---- */

struct detach_opts {
    bool force;
};

static const struct cli_opt detach_options[] = {
    {.short_name = 'f',
     .off = offsetof(struct detach_opts, force),
     .help = "remove it without asking the guest to let go first"},
};

/* "xvdb", "hda1", "51728": the disk's device number, or -1 after a message. */
static long vdev_of(const char *s)
{
    uint32_t devid;

    if (xb_config_vdev_devid(s, &devid) == 0)
        return (long)devid;
    cli_usage_error(&cli_cmd_block_detach,
                    "\"%s\" is not a virtual disk (xvdb, hda1, 51728)", s);
    return -1;
}

static int cmd_block_detach(int argc, char **argv)
{
    struct detach_opts o = {0};
    struct xb_ctx *ctx = NULL;
    struct cli_args a;
    uint32_t domid;
    long devid;
    int rc = cli_parse(&cli_cmd_block_detach, argc, argv, &o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n != 2)
        return cli_usage_error(&cli_cmd_block_detach, a.n > 2   ? "one disk at a time"
                                                      : a.n > 0 ? "no VDEV given"
                                                                : "no DOMAIN given");
    if ((devid = vdev_of(a.v[1])) < 0)
        return 2;
    rc = cli_open_domain("block-detach", a.v[0], &ctx, &domid);
    if (!rc) {
        const struct xb_detach_opts d = {.force = o.force};

        rc = xb_vbd_detach(ctx, domid, (uint32_t)devid, &d);
        for (size_t i = 0; xb_warning(ctx, i); i++)
            cli_warn("block-detach: %s", xb_warning(ctx, i));
        if (rc)
            cli_error("block-detach: %s", xb_errmsg(ctx));
        rc = rc != 0;
    }
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_block_detach = {
    .name = "block-detach",
    .run = cmd_block_detach,
    .operands = "DOMAIN VDEV",
    .summary = "detach a disk (xvdb, or its device number) from a domain",
    .opts = detach_options,
    .n_opts = sizeof(detach_options) / sizeof(detach_options[0]),
};

/* ---- block-list ---- */

static void print_disks(const struct xb_devinfo *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%-9u %-8s %-3u %-12s %-6d %-8d %-4s %s\n", v[i].devid, v[i].name,
               v[i].backend_domid, cli_xenbus_state(v[i].frontend_state), v[i].evtchn,
               v[i].ring_ref, v[i].mode, v[i].target);
}

static int list_one(struct xb_ctx *ctx, const char *what)
{
    struct xb_devinfo *v = NULL;
    uint32_t domid;
    size_t n = 0;

    if (xb_domain_find(ctx, what, &domid) != 0 || xb_vbd_list(ctx, domid, &v, &n) != 0) {
        cli_error("block-list: %s", xb_errmsg(ctx));
        return 1;
    }
    print_disks(v, n);
    free(v);
    return 0;
}

static int cmd_block_list(int argc, char **argv)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_args a;
    int rc = cli_parse(&cli_cmd_block_list, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n == 0)
        return cli_usage_error(&cli_cmd_block_list, "no DOMAIN given");
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("block-list: %s", err.msg);
        return 1;
    }
    printf("%-9s %-8s %-3s %-12s %-6s %-8s %-4s %s\n", "Vdev", "Name", "BE", "State",
           "Evt-ch", "Ring-ref", "Mode", "Target");
    rc = 0;
    for (int i = 0; i < a.n; i++)
        rc |= list_one(ctx, a.v[i]);
    xb_ctx_close(ctx);
    return rc ? 1 : 0;
}

const struct cli_cmd cli_cmd_block_list = {
    .name = "block-list",
    .run = cmd_block_list,
    .operands = "DOMAIN...",
    .summary = "list the disks of domains, with their state",
};
