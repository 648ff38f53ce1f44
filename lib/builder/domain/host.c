/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/host.c - the host as xl info and xl dmesg show it:
 * Xen's version and build, the machine's CPUs, memory and NUMA nodes, and
 * Xen's console ring.
 */
#include <errno.h>
#include <stdlib.h>

#include <xbuild/builder.h>

#include "ctx.h"
#include "domain.h"

#define TOPO_MAX 4096u

int xb_host_info(struct xb_ctx *ctx, struct xb_hostinfo *out)
{
    xb__ctx_reset(ctx);
    return ctx->hv->ops->host_info(ctx->hv, &ctx->err, out);
}

int xb_host_cpu_topology(struct xb_ctx *ctx, struct xb_cpu_topo **out, size_t *n)
{
    struct xb_cpu_topo *v = calloc(TOPO_MAX, sizeof(*v));
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    *n = 0;
    if (!v)
        return xb_err_set(&ctx->err, -ENOMEM, "cpu topology: out of memory");
    rc = ctx->hv->ops->cpu_topology(ctx->hv, &ctx->err, v, TOPO_MAX, n);
    if (rc) {
        free(v);
        return rc;
    }
    if (*n > TOPO_MAX)
        *n = TOPO_MAX;
    *out = v;
    return 0;
}

int xb_host_numa(struct xb_ctx *ctx, struct xb_numa_node **out, size_t *n)
{
    struct xb_numa_node *v = calloc(XB_NUMA_MAX, sizeof(*v));
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    *n = 0;
    if (!v)
        return xb_err_set(&ctx->err, -ENOMEM, "numa info: out of memory");
    rc = ctx->hv->ops->numa_info(ctx->hv, &ctx->err, v, XB_NUMA_MAX, n);
    if (rc) {
        free(v);
        return rc;
    }
    if (*n > XB_NUMA_MAX)
        *n = XB_NUMA_MAX;
    *out = v;
    return 0;
}

int xb_host_dmesg(struct xb_ctx *ctx, bool clear, char **text, size_t *len)
{
    xb__ctx_reset(ctx);
    *text = NULL;
    *len = 0;
    return ctx->hv->ops->read_console(ctx->hv, &ctx->err, clear, text, len);
}
