/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/console.c - a domain's primary console as xenconsoled serves
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
#include "hv.h"

#define CONSOLE_POLL_MS 100

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool dom_alive(struct xb_hv *hv, uint32_t domid)
{
    struct xb_hv_dominfo info;
    unsigned got = 0;

    if (hv->ops->domain_info(hv, domid, &info, 1, &got) != 0)
        return false;
    return got == 1 && info.domid == domid && !(info.flags & XB_DOMINFO_DYING);
}

/* The tty node's value when xenconsoled has written it (non-empty). */
static int read_tty(struct xb_hv *hv, const char *path, char **tty)
{
    size_t len = 0;
    int rc = hv->ops->xs_read(hv, XB_XS_NO_TX, path, tty, &len);

    if (rc == 0 && len > 0)
        return 0;
    if (rc == 0)
        free(*tty);
    *tty = NULL;
    return rc == 0 || rc == -ENOENT ? -EAGAIN : rc;
}

/* Wait for the next change under the watch, or poll when there is no watch. */
static int wait_change(struct xb_hv *hv, bool watching, int ms)
{
    char *p = NULL, *t = NULL;
    int rc;

    if (!watching) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};

        nanosleep(&ts, NULL);
        return 0;
    }
    rc = hv->ops->xs_wait_watch(hv, ms, &p, &t);
    free(p);
    free(t);
    return rc == -ETIMEDOUT ? 0 : rc;
}

static int wait_tty(struct xb_hv *hv, uint32_t domid, const char *path, int timeout_ms,
                    bool watching, char **tty)
{
    int64_t deadline = now_ms() + timeout_ms;
    int rc;

    for (;;) {
        if (!dom_alive(hv, domid))
            return xb_err_set(hv->err, -ESRCH, "domain %u is gone", domid);
        rc = read_tty(hv, path, tty);
        if (rc != -EAGAIN)
            return rc;
        if (timeout_ms >= 0 && now_ms() >= deadline)
            return xb_err_set(hv->err, -ETIMEDOUT,
                              "domain %u: xenconsoled did not publish %s within %d ms "
                              "(is xenconsoled running?)",
                              domid, path, timeout_ms);
        rc = wait_change(hv, watching, CONSOLE_POLL_MS);
        if (rc)
            return rc;
    }
}

int xb_console_tty(struct xb_ctx *ctx, uint32_t domid, int timeout_ms, char **tty)
{
    struct xb_hv *hv = ctx->hv;
    char path[64];
    bool watching = false;
    int rc;

    xb__ctx_reset(ctx);
    *tty = NULL;
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    if (hv->ops->xs_watch)
        watching = hv->ops->xs_watch(hv, path, "xb-console") == 0;
    rc = wait_tty(hv, domid, path, timeout_ms, watching, tty);
    if (watching)
        hv->ops->xs_unwatch(hv, path, "xb-console");
    return rc;
}

/* The console ring's frame, from console/ring-ref; -ENOENT when there is none. */
static int ring_frame(struct xb_hv *hv, uint32_t domid, xb_mfn *mfn)
{
    char path[64], *v = NULL, *end;
    size_t len;
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref", domid);
    rc = hv->ops->xs_read(hv, XB_XS_NO_TX, path, &v, &len);
    if (rc)
        return rc;
    errno = 0;
    *mfn = strtoull(v, &end, 10);
    rc = errno || end == v || *end ? -EINVAL : 0;
    free(v);
    return rc;
}

int xb_console_drained(struct xb_ctx *ctx, uint32_t domid)
{
    struct xb_hv *hv = ctx->hv;
    const struct xencons_interface *ring;
    XENCONS_RING_IDX cons, prod;
    struct xb_err keep = {0};
    xb_mfn mfn;
    int rc = ring_frame(hv, domid, &mfn);

    if (rc == -ENOENT || rc == -EINVAL)
        return 1; /* no ring we can watch: nothing to wait for */
    if (rc)
        return rc;
    if (hv->err)
        keep = *hv->err;
    ring = hv->ops->map_foreign(hv, domid, false, &mfn, 1);
    if (!ring) {
        if (hv->err)
            *hv->err = keep; /* not an error here: the memory is gone already */
        return 1;
    }
    cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    hv->ops->unmap_foreign(hv, (void *)ring, 1);
    return cons == prod ? 1 : 0;
}
