/* SPDX-License-Identifier: MIT */
/*
 * xbuild destroy [-f] DOMAIN - destroy a domain (name or id), whoever built
 * it: Xen's domain, its xenstore nodes, its monitor record and the config
 * libxl keeps for it (xl's own too, as xl destroy). -f allows dom0, as xl.
 */
#include <errno.h>
#include <stddef.h>

#include <xbuild/builder.h>

#include "cli.h"

struct destroy_opts {
    bool force;
};

static const struct cli_opt destroy_options[] = {
    {.short_name = 'f',
     .off = offsetof(struct destroy_opts, force),
     .help = "allow destroying dom0 (a disaggregated hardware domain)"},
};

static int cmd_destroy(int argc, char **argv)
{
    struct destroy_opts o = {0};
    struct xb_ctx *ctx = NULL;
    struct cli_args args;
    uint32_t domid;
    int status = cli_parse(&cli_cmd_destroy, argc, argv, &o, &args);

    if (status != CLI_CONTINUE)
        return status;
    if (args.n != 1)
        return cli_usage_error(&cli_cmd_destroy,
                               args.n ? "one DOMAIN at a time" : "no DOMAIN given");
    if (!(ctx = cli_ctx_open("destroy")))
        return 1;
    status = cli_find(ctx, "destroy", args.v[0], &domid);
    if (!status && (o.force ? xb_domain_destroy_forced(ctx, domid)
                            : xb_domain_destroy(ctx, domid)) != 0) {
        cli_error("destroy: %s", xb_errmsg(ctx));
        status = 1;
    }
    xb_ctx_close(ctx);
    return status;
}

const struct cli_cmd cli_cmd_destroy = {
    .name = "destroy",
    .run = cmd_destroy,
    .operands = "DOMAIN",
    .summary = "destroy a domain (name or id) and remove its xenstore nodes",
    .opts = destroy_options,
    .n_opts = sizeof(destroy_options) / sizeof(destroy_options[0]),
};
