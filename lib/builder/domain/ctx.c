/* SPDX-License-Identifier: MIT */
/* lib/builder/domain/ctx.c - the builder context: three backends (hypervisor, xenstore,
 * dom0's kernel), the sticky first error, warnings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hv/backend.h"
#include "ctx.h"

static void close_backend(struct xb_hv *hv, struct xb_xs *xs)
{
    if (xs)
        xs->ops->close(xs);
    if (hv)
        hv->ops->close(hv);
}

static int open_xen(struct xb_hv **hv, struct xb_xs **xs, struct xb_err *err)
{
    int rc = xb__hv_xen_open(hv, err);

    if (!rc)
        rc = xb__xs_xen_open(xs, err);
    if (rc) {
        close_backend(*hv, NULL);
        *hv = NULL;
    }
    return rc;
}

static int open_sim(struct xb_hv **hv, struct xb_xs **xs, struct xb_err *err)
{
    /* 16 GiB: room for any dry run; frames cost RAM only once touched. */
    const struct xb_sim_opts opts = {.total_pages = 1ull << 22, .fail_at = -1, .seed = 1};

    return xb__sim_open(&opts, hv, xs, err);
}

/* Where libxl keeps domain configurations (xl list -l reads them there). */
#define XEN_USERDATA_DIR "/var/lib/xen"
/*
 * The sim with the running hypervisor's capabilities and version, when
 * there is one to ask (dom0): a dry run then plans what a create would
 * (the PV shim for a PV kind this Xen lacks). Elsewhere the sim's own.
 */
static int open_sim_host(struct xb_hv **hv, struct xb_xs **xs, struct xb_err *err)
{
    struct xb_sim_opts opts = {.total_pages = 1ull << 22, .fail_at = -1, .seed = 1};
    struct xb_hv_physinfo pi;
    struct xb_hv *host = NULL;

    if (xb__hv_xen_open(&host, NULL) == 0 && host->ops->physinfo(host, NULL, &pi) == 0) {
        opts.caps = pi.caps;
        opts.xen_major = pi.xen_major;
        opts.xen_minor = pi.xen_minor;
    }
    if (host)
        host->ops->close(host);
    return xb__sim_open(&opts, hv, xs, err);
}

static const struct backend {
    const char *name;
    int (*open)(struct xb_hv **hv, struct xb_xs **xs, struct xb_err *err);
    const char *userdata_dir;
} backends[] = {
    {.name = "xen", .open = open_xen, .userdata_dir = XEN_USERDATA_DIR},
    {.name = "sim", .open = open_sim}, /* a dry run leaves no file behind */
    {.name = "sim-host", .open = open_sim_host},
};

void xb__ctx_set_userdata_dir(struct xb_ctx *ctx, const char *dir)
{
    ctx->userdata_dir = dir;
}

int xb__ctx_open_backend(struct xb_hv *hv, struct xb_xs *xs, struct xb_ctx **out)
{
    struct xb_ctx *ctx = calloc(1, sizeof(*ctx));

    *out = NULL;
    if (!ctx) {
        close_backend(hv, xs);
        return -ENOMEM;
    }
    ctx->hv = hv;
    ctx->xs = xs;
    ctx->host = xb__sim_host(hv);
    if (!ctx->host && xb__host_linux_open(&ctx->host, NULL) != 0) {
        close_backend(hv, xs);
        free(ctx);
        return -ENOMEM;
    }
    *out = ctx;
    return 0;
}

struct xb_hv *xb__ctx_hv(struct xb_ctx *ctx)
{
    return ctx ? ctx->hv : NULL;
}

struct xb_xs *xb__ctx_xs(struct xb_ctx *ctx)
{
    return ctx ? ctx->xs : NULL;
}

int xb_ctx_open(const char *backend, struct xb_ctx **out, struct xb_err *err)
{
    struct xb_hv *hv = NULL;
    struct xb_xs *xs = NULL;

    *out = NULL;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strcmp(backends[i].name, backend) != 0)
            continue;
        int rc = backends[i].open(&hv, &xs, err);
        if (rc)
            return rc;
        rc = xb__ctx_open_backend(hv, xs, out);
        if (rc)
            return xb_err_set(err, rc, "out of memory");
        (*out)->userdata_dir = backends[i].userdata_dir;
        return 0;
    }
    return xb_err_set(err, -EINVAL,
                      "backend \"%s\": expected \"xen\", \"sim\" or \"sim-host\"",
                      backend);
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
    if (ctx->host)
        ctx->host->ops->close(ctx->host);
    close_backend(ctx->hv, ctx->xs);
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
