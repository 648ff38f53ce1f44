/* SPDX-License-Identifier: MIT */
/* xbuild destroy DOMAIN - destroy a domain (name or id), whoever built it. */
#include <errno.h>

#include <xbuild/builder.h>

#include "cli.h"

static int cmd_destroy(int argc, char **argv)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_args args;
    uint32_t domid;
    int status = cli_parse(&cli_cmd_destroy, argc, argv, NULL, &args);

    if (status != CLI_CONTINUE)
        return status;
    if (args.n != 1)
        return cli_usage_error(&cli_cmd_destroy,
                               args.n ? "one DOMAIN at a time" : "no DOMAIN given");
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("destroy: %s", err.msg);
        return 1;
    }
    status = 1;
    if (xb_domain_find(ctx, args.v[0], &domid) != 0 || xb_domain_destroy(ctx, domid) != 0)
        cli_error("destroy: %s", xb_errmsg(ctx));
    else
        status = 0;
    xb_ctx_close(ctx);
    return status;
}

const struct cli_cmd cli_cmd_destroy = {
    .name = "destroy",
    .run = cmd_destroy,
    .operands = "DOMAIN",
    .summary = "destroy a domain (name or id) and remove its xenstore nodes",
};
