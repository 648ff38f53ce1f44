/* SPDX-License-Identifier: MIT */
/* xbuild destroy DOMAIN - destroy a domain (name or id), whoever built it. */
#include <errno.h>

#include <xbuild/builder.h>

#include "cli.h"

int cmd_destroy(int argc, char **argv)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    uint32_t domid;
    int status = 1;

    if (argc != 2 || argv[1][0] == '-')
        return cli_usage("destroy");
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("destroy: %s", err.msg);
        return 1;
    }
    if (xb_domain_find(ctx, argv[1], &domid) != 0 || xb_domain_destroy(ctx, domid) != 0)
        cli_error("destroy: %s", xb_errmsg(ctx));
    else
        status = 0;
    xb_ctx_close(ctx);
    return status;
}
