/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/console.c - a domain's primary console as xenconsoled serves
 * it: the pty it publishes in /local/domain/N/console/tty, and whether the
 * guest's output ring has been drained (so a destroy loses nothing).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/io/console.h>

#include <xbuild/builder.h>

#include "ctx.h"
#include "domain.h"

#define CONSOLE_POLL_MS 100

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool dom_alive(struct xb_ctx *ctx, uint32_t domid)
{
    struct xb_hv_dominfo info;

    return xb__dom_info(ctx, NULL, domid, &info) == 0 && !(info.flags & XB_DOMINFO_DYING);
}

/* The tty node's value when xenconsoled has written it (non-empty). */
static int read_tty(struct xb_ctx *ctx, const char *path, char **tty)
{
    size_t len = 0;
    int rc = ctx->xs->ops->read(ctx->xs, &ctx->err, XB_XS_NO_TX, path, tty, &len);

    if (rc == 0 && len > 0)
        return 0;
    if (rc == 0)
        free(*tty);
    *tty = NULL;
    return rc == 0 || rc == -ENOENT ? -EAGAIN : rc;
}

/* Wait for the next change under the watch, or poll when there is no watch. */
static int wait_change(struct xb_ctx *ctx, bool watching, int ms)
{
    char *p = NULL, *t = NULL;
    int rc;

    if (!watching) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};

        nanosleep(&ts, NULL);
        return 0;
    }
    rc = ctx->xs->ops->wait_watch(ctx->xs, &ctx->err, ms, &p, &t);
    free(p);
    free(t);
    return rc == -ETIMEDOUT ? 0 : rc;
}

static int wait_tty(struct xb_ctx *ctx, uint32_t domid, const char *path, int timeout_ms,
                    bool watching, char **tty)
{
    int64_t deadline = now_ms() + timeout_ms;
    int rc;

    for (;;) {
        if (!dom_alive(ctx, domid))
            return xb_err_set(&ctx->err, -ESRCH, "domain %u is gone", domid);
        rc = read_tty(ctx, path, tty);
        if (rc != -EAGAIN)
            return rc;
        if (timeout_ms >= 0 && now_ms() >= deadline)
            return xb_err_set(&ctx->err, -ETIMEDOUT,
                              "domain %u: xenconsoled did not publish %s within %d ms "
                              "(is xenconsoled running?)",
                              domid, path, timeout_ms);
        rc = wait_change(ctx, watching, CONSOLE_POLL_MS);
        if (rc)
            return rc;
    }
}

int xb_console_tty(struct xb_ctx *ctx, uint32_t domid, int timeout_ms, char **tty)
{
    char path[64];
    bool watching = false;
    int rc;

    xb__ctx_reset(ctx);
    *tty = NULL;
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    if (ctx->xs->ops->watch)
        watching = ctx->xs->ops->watch(ctx->xs, NULL, path, "xb-console") == 0;
    rc = wait_tty(ctx, domid, path, timeout_ms, watching, tty);
    if (watching)
        ctx->xs->ops->unwatch(ctx->xs, NULL, path, "xb-console");
    return rc;
}

/* The console ring's frame, from console/ring-ref; -ENOENT when there is none. */
static int ring_frame(struct xb_ctx *ctx, uint32_t domid, xb_mfn *mfn)
{
    char path[64], *v = NULL, *end;
    size_t len;
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref", domid);
    rc = ctx->xs->ops->read(ctx->xs, &ctx->err, XB_XS_NO_TX, path, &v, &len);
    if (rc)
        return rc;
    errno = 0;
    *mfn = strtoull(v, &end, 10);
    rc = errno || end == v || *end ? -EINVAL : 0;
    free(v);
    return rc;
}

int xb__console_drained(struct xb_ctx *ctx, uint32_t domid)
{
    const struct xencons_interface *ring;
    XENCONS_RING_IDX cons, prod;
    xb_mfn mfn;
    int rc = ring_frame(ctx, domid, &mfn);

    if (rc == -ENOENT || rc == -EINVAL)
        return 1; /* no ring we can watch: nothing to wait for */
    if (rc)
        return rc;
    /* A probe: when the domain's memory is gone already, nothing is left to drain. */
    ring = ctx->hv->ops->map_foreign(ctx->hv, NULL, domid, false, &mfn, 1);
    if (!ring)
        return 1;
    cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    ctx->hv->ops->unmap_foreign(ctx->hv, NULL, (void *)ring, 1);
    return cons == prod ? 1 : 0;
}

int xb_console_drained(struct xb_ctx *ctx, uint32_t domid)
{
    xb__ctx_reset(ctx);
    return xb__console_drained(ctx, domid);
}
