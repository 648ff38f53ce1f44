/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/devices.c - a domain's disks and vifs, all at once:
 * checked before the domain exists, then loop devices, every device's
 * nodes in one transaction, and one bounded wait in which all the
 * backends come up in parallel (a watch on the backend directories wakes
 * it; what is not in xenstore, blkback's open and netback's interface, is
 * polled with a short backoff).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xenbus.h"

#define POLL_MIN_MS 1
#define POLL_MAX_MS 16
#define WATCH_TOKEN "xb-devices"

struct xb_devs {
    struct xb_vbd *vbds;
    size_t n_vbds;
    struct xb_vifdev *vifs;
    size_t n_vifs;
    struct xb_dev *nodes; /* [n_vbds + n_vifs] */
    uint32_t domid;
    uint64_t wait_ns;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct xb_devs *devs_new(const struct xb_spec *spec)
{
    struct xb_devs *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->vbds = calloc(spec->n_disks + 1, sizeof(*d->vbds));
    d->vifs = calloc(spec->n_vifs + 1, sizeof(*d->vifs));
    d->nodes = calloc(spec->n_disks + spec->n_vifs + 1, sizeof(*d->nodes));
    if (!d->vbds || !d->vifs || !d->nodes) {
        xb__devs_free(d);
        return NULL;
    }
    for (size_t i = 0; i < spec->n_disks; i++)
        d->vbds[i] = (struct xb_vbd){.disk = &spec->disks[i], .index = i, .loop.fd = -1};
    for (size_t i = 0; i < spec->n_vifs; i++)
        d->vifs[i] = (struct xb_vifdev){.vif = &spec->vifs[i], .index = i};
    d->n_vbds = spec->n_disks;
    d->n_vifs = spec->n_vifs;
    return d;
}

int xb__devs_check(struct xb_ctx *ctx, const struct xb_spec *spec, uint32_t self,
                   const char *mover, struct xb_devs **out)
{
    struct xb_devs *d;
    int rc = 0;

    *out = NULL;
    if (!spec->n_disks && !spec->n_vifs)
        return 0;
    d = devs_new(spec);
    if (!d)
        return xb_err_set(&ctx->err, -ENOMEM, "devices: out of memory");
    for (size_t i = 0; !rc && i < d->n_vbds; i++)
        rc = xb__vbd_check(ctx, &d->vbds[i], self, mover);
    for (size_t i = 0; !rc && i < d->n_vifs; i++)
        rc = xb__vif_check(ctx, &d->vifs[i]);
    if (rc)
        xb__devs_free(d);
    else
        *out = d;
    return rc;
}

static int write_nodes(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid,
                       const uint8_t uuid[16], const char *protocol)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n_vbds; i++)
        xb__vbd_nodes(&d->vbds[i], domid, protocol, &d->nodes[n++]);
    for (size_t i = 0; i < d->n_vifs; i++) {
        struct xb_vifdev *v = &d->vifs[i];

        if (v->vif->mac)
            memcpy(v->mac, v->vif->mac_bytes, sizeof(v->mac));
        else
            xb__vif_mac(uuid, v->vif->devid, v->mac);
        xb__vif_nodes(v, domid, &d->nodes[n++]);
    }
    return xb__dev_write(ctx->xs, &ctx->err, d->nodes, n);
}

/* Every backend looked at once: 1 when all are done, 0 not yet, <0 failed. */
static int poll_all(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid)
{
    bool all = true;
    int rc = 0;

    for (size_t i = 0; !rc && i < d->n_vbds; i++) {
        rc = xb__vbd_poll(ctx, &d->vbds[i], domid);
        all &= d->vbds[i].done;
    }
    for (size_t i = 0; !rc && i < d->n_vifs; i++) {
        rc = xb__vif_poll(ctx, &d->vifs[i], domid);
        all &= d->vifs[i].done;
    }
    return rc ? rc : all;
}

/* The first device not done: the timeout message. */
static int timed_out(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid, unsigned ms)
{
    for (size_t i = 0; i < d->n_vbds; i++)
        if (!d->vbds[i].done) {
            xb__vbd_waiting(ctx, &d->vbds[i], domid, ms);
            return -ETIMEDOUT;
        }
    for (size_t i = 0; i < d->n_vifs; i++)
        if (!d->vifs[i].done) {
            xb__vif_waiting(ctx, &d->vifs[i], domid, ms);
            return -ETIMEDOUT;
        }
    return xb_err_set(&ctx->err, -ETIMEDOUT, "devices: timed out after %u ms", ms);
}

static void watch_backends(struct xb_ctx *ctx, uint32_t domid, bool on)
{
    static const char *const kinds[] = {"vbd", "vif"};
    char p[64];

    if (!ctx->xs->ops->watch)
        return;
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof(p), "/local/domain/0/backend/%s/%u", kinds[i], domid);
        if (on)
            ctx->xs->ops->watch(ctx->xs, NULL, p, WATCH_TOKEN);
        else
            ctx->xs->ops->unwatch(ctx->xs, NULL, p, WATCH_TOKEN);
    }
}

/* Wait @ms at most for a change under the watch (or just sleep without one). */
static void pause_ms(struct xb_ctx *ctx, unsigned ms)
{
    char *path = NULL, *token = NULL;

    if (!ctx->xs->ops->wait_watch) {
        sleep_ms(ms);
        return;
    }
    if (ctx->xs->ops->wait_watch(ctx->xs, NULL, (int)ms, &path, &token) == 0) {
        free(path);
        free(token);
    }
}

static int handshake(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid,
                     unsigned timeout_ms)
{
    uint64_t start = now_ns(), limit = (uint64_t)timeout_ms * 1000000u;
    unsigned step = POLL_MIN_MS;
    int rc;

    while ((rc = poll_all(ctx, d, domid)) == 0) {
        uint64_t spent = now_ns() - start;

        if (spent >= limit) {
            rc = timed_out(ctx, d, domid, timeout_ms);
            break;
        }
        pause_ms(ctx, step);
        step = step * 2 > POLL_MAX_MS ? POLL_MAX_MS : step * 2;
    }
    d->wait_ns = now_ns() - start;
    return rc < 0 ? rc : 0;
}

int xb__devs_attach(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid,
                    const uint8_t uuid[16], const char *protocol, unsigned timeout_ms)
{
    int rc = 0;

    if (!d)
        return 0;
    d->domid = domid;
    for (size_t i = 0; !rc && i < d->n_vbds; i++)
        rc = xb__vbd_prepare(ctx, &d->vbds[i]);
    if (rc)
        return rc;
    watch_backends(ctx, domid, true);
    rc = write_nodes(ctx, d, domid, uuid, protocol);
    if (!rc)
        rc = handshake(ctx, d, domid, timeout_ms ? timeout_ms : XB_DEV_TIMEOUT_MS);
    watch_backends(ctx, domid, false);
    return rc;
}

void xb__devs_undo(struct xb_ctx *ctx, struct xb_devs *d)
{
    for (size_t i = 0; d && i < d->n_vbds; i++)
        xb__vbd_undo(ctx, &d->vbds[i]);
    for (size_t i = 0; d && i < d->n_vifs; i++)
        xb__vif_undo(ctx, &d->vifs[i]);
}

void xb__devs_free(struct xb_devs *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->vbds && i < d->n_vbds; i++)
        xb__vbd_free(&d->vbds[i]);
    free(d->vbds);
    free(d->vifs);
    free(d->nodes);
    free(d);
}

uint64_t xb__devs_wait_ns(const struct xb_devs *d)
{
    return d ? d->wait_ns : 0;
}
