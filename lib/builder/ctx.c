/* SPDX-License-Identifier: MIT */
/* The builder context: a backend, the sticky first error, warnings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "hv_sim.h"

struct backend {
    const char *name;
    int (*open)(struct xb_hv **out, struct xb_err *err);
};

static int open_sim(struct xb_hv **out, struct xb_err *err)
{
    /* 16 GiB: room for any dry run; frames cost RAM only once touched. */
    const struct xb_sim_opts opts = {.total_pages = 1ull << 22, .fail_at = -1, .seed = 1};

    return xb_hv_sim_open(&opts, out, err);
}

static const struct backend backends[] = {
    {.name = "xen", .open = xb_hv_xen_open},
    {.name = "sim", .open = open_sim},
};

int xb__ctx_open_hv(struct xb_hv *hv, struct xb_ctx **out)
{
    struct xb_ctx *ctx = calloc(1, sizeof(*ctx));

    *out = NULL;
    if (!ctx) {
        hv->ops->close(hv);
        return -ENOMEM;
    }
    ctx->hv = hv;
    hv->err = &ctx->err;
    *out = ctx;
    return 0;
}

struct xb_hv *xb__ctx_hv(struct xb_ctx *ctx)
{
    return ctx ? ctx->hv : NULL;
}

int xb_ctx_open(const char *backend, struct xb_ctx **out, struct xb_err *err)
{
    struct xb_hv *hv = NULL;

    *out = NULL;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strcmp(backends[i].name, backend) != 0)
            continue;
        int rc = backends[i].open(&hv, err);
        if (rc)
            return rc;
        rc = xb__ctx_open_hv(hv, out);
        return rc ? xb_err_set(err, rc, "out of memory") : 0;
    }
    return xb_err_set(err, -EINVAL, "backend \"%s\": expected \"xen\" or \"sim\"", backend);
}

static void free_warnings(struct xb_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nwarnings; i++)
        free(ctx->warnings[i]);
    free(ctx->warnings);
    ctx->warnings = NULL;
    ctx->nwarnings = 0;
}

void xb_ctx_close(struct xb_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->hv)
        ctx->hv->ops->close(ctx->hv);
    free_warnings(ctx);
    free(ctx);
}

void xb__ctx_reset(struct xb_ctx *ctx)
{
    xb_err_clear(&ctx->err);
    free_warnings(ctx);
}

void xb__ctx_warn(struct xb_ctx *ctx, const char *fmt, ...)
{
    char **w = realloc(ctx->warnings, (ctx->nwarnings + 1) * sizeof(*w));
    va_list ap;
    char *msg = NULL;
    int n;

    if (!w)
        return;
    ctx->warnings = w;
    va_start(ap, fmt);
    n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n >= 0)
        ctx->warnings[ctx->nwarnings++] = msg;
}

const char *xb_errmsg(const struct xb_ctx *ctx)
{
    return ctx ? ctx->err.msg : "no context";
}

const struct xb_err *xb_ctx_err(const struct xb_ctx *ctx)
{
    return &ctx->err;
}

const char *xb_warning(const struct xb_ctx *ctx, size_t i)
{
    return ctx && i < ctx->nwarnings ? ctx->warnings[i] : NULL;
}
