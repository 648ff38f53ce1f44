/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/hotplug.c - disks and vifs of running domains (any
 * domain, whoever built it): xl's block-attach/-detach/-list and
 * network-attach/-detach/-list. Attach is the create's own path for one
 * device; detach is libxl's: the backend goes to Closing with online 0,
 * the guest's frontend closes, the backend is Closed, then the nodes go
 * (after a bounded wait in any case, as xl forces a removal the guest does
 * not answer), and so do what its backend leaves in dom0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../domain/domain.h"
#include "../domain/nodes.h"
#include "xenbus.h"

#define DETACH_STEP_MS 10

static int dom_uuid(struct xb_ctx *ctx, uint32_t domid, uint8_t uuid[16])
{
    struct xb_hv_dominfo info;
    int rc = xb__dom_info(ctx, &ctx->err, domid, &info);

    if (rc == -ESRCH)
        return xb_err_set(&ctx->err, -ESRCH, "no domain with id %u", domid);
    if (!rc)
        memcpy(uuid, info.handle, 16);
    return rc;
}

static bool exists(struct xb_ctx *ctx, const char *kind, uint32_t domid, uint32_t devid)
{
    char fe[XB_DEV_PATH], be[XB_DEV_PATH], *v = NULL;
    bool there;

    xb__dev_path(kind, domid, devid, fe, be, NULL);
    there = ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, fe, &v, NULL) == 0 ||
            ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, be, &v, NULL) == 0;
    free(v);
    return there;
}

/* A failed attach: what the device left, and its nodes. */
static void undo(struct xb_ctx *ctx, struct xb_devs *d, const char *kind, uint32_t domid,
                 uint32_t devid)
{
    struct xb_teardown *t = NULL;

    xb__teardown_device(ctx, &ctx->err, kind, domid, devid, &t);
    xb__dev_remove(ctx->xs, &ctx->err, kind, domid, devid);
    xb__devs_undo(ctx, d);
    xb__teardown_finish(ctx, &ctx->err, t);
}

static int attach(struct xb_ctx *ctx, uint32_t domid, const struct xb_spec *s,
                  const char *kind, uint32_t devid, unsigned timeout_ms)
{
    struct xb_devs *d = NULL;
    uint8_t uuid[16];
    int rc = dom_uuid(ctx, domid, uuid);

    if (!rc)
        rc = xb__devs_check(ctx, s, domid, NULL, &d);
    /* no protocol node: frontends since Linux 2.6.26 and Mini-OS write their own */
    if (!rc && (rc = xb__devs_attach(ctx, d, domid, uuid, NULL, timeout_ms)) != 0)
        undo(ctx, d, kind, domid, devid);
    xb__devs_free(d);
    return rc;
}

int xb_vbd_attach(struct xb_ctx *ctx, uint32_t domid, const struct xb_disk *disk,
                  const struct xb_attach_opts *opts)
{
    const struct xb_spec s = {.disks = (struct xb_disk *)disk, .n_disks = 1};
    char where[320];

    xb__ctx_reset(ctx);
    if (exists(ctx, "vbd", domid, disk->devid))
        return xb_err_set(&ctx->err, -EEXIST,
                          "%s: disk 1, vdev: domain %u has %s already",
                          xb__pos_str(&disk->pos, where), domid, disk->vdev);
    return attach(ctx, domid, &s, "vbd", disk->devid, opts ? opts->timeout_ms : 0);
}

/* The first index no vif of @domid has (libxl__device_nextid). */
static uint32_t next_vif(struct xb_ctx *ctx, uint32_t domid)
{
    char p[64], **ids = NULL;
    size_t n = 0;
    uint32_t next = 0;

    snprintf(p, sizeof(p), "/local/domain/%u/device/vif", domid);
    if (ctx->xs->ops->directory(ctx->xs, NULL, XB_XS_NO_TX, p, &ids, &n) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = (uint32_t)strtoul(ids[i], NULL, 10);

        if (id >= next)
            next = id + 1;
        free(ids[i]);
    }
    free(ids);
    return next;
}

int xb_vif_attach(struct xb_ctx *ctx, uint32_t domid, const struct xb_vif *vif,
                  const struct xb_attach_opts *opts, uint32_t *devid)
{
    struct xb_vif v = *vif;
    const struct xb_spec s = {.vifs = &v, .n_vifs = 1};
    char where[320];
    int rc;

    xb__ctx_reset(ctx);
    if (opts && opts->any_devid)
        v.devid = next_vif(ctx, domid);
    if (exists(ctx, "vif", domid, v.devid))
        return xb_err_set(&ctx->err, -EEXIST,
                          "%s: vif 1, devid: domain %u has vif %u already",
                          xb__pos_str(&vif->pos, where), domid, v.devid);
    rc = attach(ctx, domid, &s, "vif", v.devid, opts ? opts->timeout_ms : 0);
    if (!rc && devid)
        *devid = v.devid;
    return rc;
}

/* ---- detach ---- */

struct close_job {
    const char *kind;
    uint32_t domid, devid;
};

/* online 0 and Closing, together: the backend closes once the guest has. */
static int close_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct close_job *j = arg;
    char be[XB_DEV_PATH], p[XB_DEV_PATH + 16];
    int rc;

    xb__dev_path(j->kind, j->domid, j->devid, NULL, be, NULL);
    snprintf(p, sizeof(p), "%s/online", be);
    rc = xs->ops->write(xs, err, tx, p, "0", 1);
    snprintf(p, sizeof(p), "%s/state", be);
    return rc ? rc : xs->ops->write(xs, err, tx, p, "5", 1);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Ask the guest to let go; warn when it does not within @ms (removed anyway). */
static int ask_close(struct xb_ctx *ctx, const struct close_job *j, unsigned ms)
{
    int rc = xb__xs_transaction(ctx->xs, &ctx->err, close_body, j, "close a device");

    for (unsigned waited = 0; !rc; waited += DETACH_STEP_MS) {
        int state = xb__dev_state(ctx->xs, j->kind, j->domid, j->devid);

        if (state == XB_XENBUS_CLOSED || state == 0)
            return 0;
        if (waited >= ms) {
            xb__ctx_warn(ctx,
                         "%s %u of domain %u: the guest did not close it within %u ms "
                         "(state %d); removed anyway",
                         j->kind, j->devid, j->domid, ms, state);
            return 0;
        }
        sleep_ms(DETACH_STEP_MS);
    }
    return rc;
}

static int detach(struct xb_ctx *ctx, const char *kind, const char *what, uint32_t domid,
                  uint32_t devid, const struct xb_detach_opts *opts)
{
    const struct close_job j = {.kind = kind, .domid = domid, .devid = devid};
    struct xb_teardown *t = NULL;
    unsigned ms = opts && opts->timeout_ms ? opts->timeout_ms : XB_DEV_TIMEOUT_MS;
    int rc;

    xb__ctx_reset(ctx);
    if (!exists(ctx, kind, domid, devid))
        return xb_err_set(&ctx->err, -ENOENT, "domain %u has no %s %u", domid, what,
                          devid);
    rc = xb__teardown_device(ctx, &ctx->err, kind, domid, devid, &t);
    if (!rc && !(opts && opts->force))
        rc = ask_close(ctx, &j, ms);
    if (!rc)
        rc = xb__dev_remove(ctx->xs, &ctx->err, kind, domid, devid);
    return xb__teardown_finish(ctx, &ctx->err, t) ?: rc;
}

int xb_vbd_detach(struct xb_ctx *ctx, uint32_t domid, uint32_t devid,
                  const struct xb_detach_opts *opts)
{
    return detach(ctx, "vbd", "disk", domid, devid, opts);
}

int xb_vif_detach(struct xb_ctx *ctx, uint32_t domid, uint32_t devid,
                  const struct xb_detach_opts *opts)
{
    return detach(ctx, "vif", "vif", domid, devid, opts);
}

/* ---- list ---- */

static int num(struct xb_ctx *ctx, const char *dir, const char *leaf)
{
    char p[XB_DEV_PATH + 32], *v = NULL;
    int n = -1;

    snprintf(p, sizeof(p), "%s/%s", dir, leaf);
    if (ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, p, &v, NULL) == 0 && v[0])
        n = (int)strtol(v, NULL, 10);
    free(v);
    return n;
}

static void str(struct xb_ctx *ctx, const char *dir, const char *leaf, char *buf,
                size_t size)
{
    char p[XB_DEV_PATH + 32], *v = NULL;

    snprintf(p, sizeof(p), "%s/%s", dir, leaf);
    buf[0] = '\0';
    if (ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, p, &v, NULL) == 0)
        snprintf(buf, size, "%s", v);
    free(v);
}

static void fill(struct xb_ctx *ctx, const char *kind, uint32_t domid, uint32_t devid,
                 struct xb_devinfo *o)
{
    char fe[XB_DEV_PATH], be[XB_DEV_PATH];
    bool vif = strcmp(kind, "vif") == 0;

    xb__dev_path(kind, domid, devid, fe, NULL, NULL);
    *o = (struct xb_devinfo){.devid = devid};
    str(ctx, fe, "backend", be, sizeof(be));
    snprintf(o->backend_path, sizeof(o->backend_path), "%s", be);
    o->backend_domid =
        (uint32_t)(num(ctx, fe, "backend-id") < 0 ? 0 : num(ctx, fe, "backend-id"));
    o->frontend_state = num(ctx, fe, "state") < 0 ? 0 : num(ctx, fe, "state");
    o->backend_state = be[0] && num(ctx, be, "state") > 0 ? num(ctx, be, "state") : 0;
    o->evtchn = num(ctx, fe, "event-channel");
    if (o->evtchn < 0 && vif) /* split event channels: the tx one */
        o->evtchn = num(ctx, fe, "event-channel-tx");
    o->ring_ref = num(ctx, fe, vif ? "tx-ring-ref" : "ring-ref");
    o->rx_ring_ref = vif ? num(ctx, fe, "rx-ring-ref") : -1;
    if (!be[0])
        return;
    str(ctx, be, vif ? "vifname" : "dev", o->name, sizeof(o->name));
    if (vif && !o->name[0])
        snprintf(o->name, sizeof(o->name), "vif%u.%u", domid, devid);
    if (vif)
        str(ctx, be, "mac", o->mac, sizeof(o->mac));
    str(ctx, be, vif ? "bridge" : "params", o->target, sizeof(o->target));
    if (!vif)
        str(ctx, be, "mode", o->mode, sizeof(o->mode));
}

static int cmp_id(const void *a, const void *b)
{
    const struct xb_devinfo *x = a, *y = b;

    return x->devid < y->devid ? -1 : x->devid > y->devid;
}

static int list(struct xb_ctx *ctx, const char *kind, uint32_t domid,
                struct xb_devinfo **out, size_t *n)
{
    char p[64], **ids = NULL;
    size_t count = 0;
    struct xb_devinfo *v;
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    *n = 0;
    rc = xb__dom_info(ctx, &ctx->err, domid, &(struct xb_hv_dominfo){0});
    if (rc)
        return rc == -ESRCH ? xb_err_set(&ctx->err, rc, "no domain with id %u", domid)
                            : rc;
    snprintf(p, sizeof(p), "/local/domain/%u/device/%s", domid, kind);
    rc = ctx->xs->ops->directory(ctx->xs, &ctx->err, XB_XS_NO_TX, p, &ids, &count);
    if (rc == -ENOENT)
        count = 0;
    else if (rc)
        return rc;
    v = calloc(count + 1, sizeof(*v));
    for (size_t i = 0; i < count; i++) {
        if (v)
            fill(ctx, kind, domid, (uint32_t)strtoul(ids[i], NULL, 10), &v[i]);
        free(ids[i]);
    }
    free(ids);
    if (!v)
        return xb_err_set(&ctx->err, -ENOMEM, "list: out of memory");
    qsort(v, count, sizeof(*v), cmp_id);
    *out = v;
    *n = count;
    return 0;
}

int xb_vbd_list(struct xb_ctx *ctx, uint32_t domid, struct xb_devinfo **out, size_t *n)
{
    return list(ctx, "vbd", domid, out, n);
}

int xb_vif_list(struct xb_ctx *ctx, uint32_t domid, struct xb_devinfo **out, size_t *n)
{
    return list(ctx, "vif", domid, out, n);
}
