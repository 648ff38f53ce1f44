/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/teardown.c - what a domain's devices leave in dom0
 * once the domain goes, whoever built it: loop devices and bridge ports.
 *
 * Loop devices: only those a toolstack set up, which are the ones its
 * backend names in "node" (the block script writes it for the loop devices
 * it makes, xbuild does the same); a phy: disk on a loop device the user
 * set up has no "node" and its loop device stays. Each is detached once
 * blkback lets go of it (xbuild's clear themselves then; the block
 * script's are detached as its remove does), with a bounded wait.
 * vifs: taken off their bridge and down before the backend goes; netback
 * then deletes the interface, which is waited for (bounded).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../domain/nodes.h"
#include "xenbus.h"

#define LOOP_RELEASE_MS 5000
#define VIF_GONE_MS     5000
#define VIF_STEP_MS     5

struct td_loop {
    char dev[32];
    char vdev[32];
};

struct xb_teardown {
    uint32_t domid;
    bool domain; /* all its devices (its error nodes go too) */
    struct td_loop loops[64];
    size_t n_loops;
    char vifs[64][16];
    size_t n_vifs;
};

/* The device ids under /local/domain/0/backend/@kind/@domid; *n 0 if none. */
static int devids(struct xb_ctx *ctx, struct xb_err *err, const char *kind,
                  uint32_t domid, char ***ids, size_t *n)
{
    char p[64];
    int rc;

    *ids = NULL;
    *n = 0;
    snprintf(p, sizeof(p), "/local/domain/0/backend/%s/%u", kind, domid);
    rc = ctx->xs->ops->directory(ctx->xs, err, XB_XS_NO_TX, p, ids, n);
    return rc == -ENOENT ? 0 : rc;
}

static void note_loop(struct xb_ctx *ctx, struct xb_teardown *t, uint32_t devid)
{
    char *node = xb__dev_get(ctx->xs, "vbd", t->domid, devid, "node");
    char *vdev = node ? xb__dev_get(ctx->xs, "vbd", t->domid, devid, "dev") : NULL;
    struct td_loop *l = &t->loops[t->n_loops];

    if (node && strncmp(node, "/dev/loop", 9) == 0 && strlen(node) < sizeof(l->dev) &&
        t->n_loops < sizeof(t->loops) / sizeof(t->loops[0])) {
        snprintf(l->dev, sizeof(l->dev), "%s", node);
        snprintf(l->vdev, sizeof(l->vdev), "%s", vdev ? vdev : "?");
        t->n_loops++;
    }
    free(node);
    free(vdev);
}

/* Off its bridge and down now; gone once netback sees its backend removed. */
static void unplug_vif(struct xb_ctx *ctx, struct xb_teardown *t, uint32_t devid)
{
    char *name = xb__dev_get(ctx->xs, "vif", t->domid, devid, "vifname");
    char *n = t->vifs[t->n_vifs];
    struct xb_link l;

    if (t->n_vifs == sizeof(t->vifs) / sizeof(t->vifs[0]))
        return;
    if (name && strlen(name) < 16)
        snprintf(n, 16, "%s", name);
    else
        snprintf(n, 16, "vif%u.%u", t->domid, devid);
    free(name);
    if (ctx->host->ops->link_find(ctx->host, NULL, n, &l) != 0)
        return;
    ctx->host->ops->link_release(ctx->host, NULL, l.ifindex);
    t->n_vifs++;
}

int xb__teardown_device(struct xb_ctx *ctx, struct xb_err *err, const char *kind,
                        uint32_t domid, uint32_t devid, struct xb_teardown **out)
{
    struct xb_teardown *t = calloc(1, sizeof(*t));

    *out = t;
    if (!t)
        return xb_err_set(err, -ENOMEM, "teardown: out of memory");
    t->domid = domid;
    if (strcmp(kind, "vbd") == 0)
        note_loop(ctx, t, devid);
    else
        unplug_vif(ctx, t, devid);
    return 0;
}

int xb__teardown_begin(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       struct xb_teardown **out)
{
    struct xb_teardown *t = calloc(1, sizeof(*t));
    char **ids = NULL;
    size_t n = 0;
    int rc, rc2;

    *out = NULL;
    if (!t)
        return xb_err_set(err, -ENOMEM, "teardown: out of memory");
    t->domid = domid;
    t->domain = true;
    rc = devids(ctx, err, "vbd", domid, &ids, &n);
    for (size_t i = 0; i < n; i++) {
        note_loop(ctx, t, (uint32_t)strtoul(ids[i], NULL, 10));
        free(ids[i]);
    }
    free(ids);
    rc2 = devids(ctx, err, "vif", domid, &ids, &n);
    for (size_t i = 0; i < n; i++) {
        unplug_vif(ctx, t, (uint32_t)strtoul(ids[i], NULL, 10));
        free(ids[i]);
    }
    free(ids);
    *out = t;
    return rc ? rc : rc2;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int wait_vif_gone(struct xb_ctx *ctx, struct xb_err *err, const char *name)
{
    struct xb_link l;

    for (unsigned waited = 0;; waited += VIF_STEP_MS) {
        int rc = ctx->host->ops->link_find(ctx->host, NULL, name, &l);

        if (rc == -ENODEV)
            return 0;
        if (waited >= VIF_GONE_MS)
            return xb_err_set(err, -ETIMEDOUT,
                              "vif %s: still in dom0 %u ms after its backend was removed",
                              name, VIF_GONE_MS);
        sleep_ms(VIF_STEP_MS);
    }
}

/* xenbus_dev_fatal()'s records of this domain's backends. */
static void remove_errors(struct xb_ctx *ctx, uint32_t domid)
{
    static const char *const kinds[] = {"vbd", "vif"};
    char p[80];

    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof(p), "/local/domain/0/error/backend/%s/%u", kinds[i], domid);
        ctx->xs->ops->rm(ctx->xs, NULL, XB_XS_NO_TX, p);
        *strrchr(p, '/') = '\0';
        xb__xs_rm_empty(ctx->xs, NULL, XB_XS_NO_TX, p);
    }
    xb__xs_rm_empty(ctx->xs, NULL, XB_XS_NO_TX, "/local/domain/0/error/backend");
    xb__xs_rm_empty(ctx->xs, NULL, XB_XS_NO_TX, "/local/domain/0/error");
}

int xb__teardown_finish(struct xb_ctx *ctx, struct xb_err *err, struct xb_teardown *t)
{
    int rc = 0, r;

    if (!t)
        return 0;
    for (size_t i = 0; i < t->n_loops; i++) {
        r = ctx->host->ops->loop_release(ctx->host, NULL, t->loops[i].dev,
                                         LOOP_RELEASE_MS);
        if (r && !rc)
            rc = xb_err_set(err, r, "disk %s: loop device %s: %s", t->loops[i].vdev,
                            t->loops[i].dev,
                            r == -ETIMEDOUT ? "still in use after its backend went away"
                                            : strerror(-r));
    }
    for (size_t i = 0; i < t->n_vifs; i++) {
        r = wait_vif_gone(ctx, err, t->vifs[i]);
        rc = rc ? rc : r;
    }
    if (t->domain)
        remove_errors(ctx, t->domid);
    free(t);
    return rc;
}

/* Every vbd's and vif's nodes of @domid, a transaction each. */
static int remove_devices(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid)
{
    static const char *const kinds[] = {"vbd", "vif"};
    int rc = 0;

    for (size_t k = 0; k < 2; k++) {
        char **ids = NULL;
        size_t n = 0;
        int r = devids(ctx, err, kinds[k], domid, &ids, &n);

        for (size_t i = 0; i < n; i++) {
            if (!r)
                r = xb__dev_remove(ctx->xs, err, kinds[k], domid,
                                   (uint32_t)strtoul(ids[i], NULL, 10));
            free(ids[i]);
        }
        free(ids);
        rc = rc ? rc : r;
    }
    return rc;
}

int xb__devices_destroy(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid)
{
    struct xb_teardown *t = NULL;
    int rc = xb__teardown_begin(ctx, err, domid, &t);
    int r = remove_devices(ctx, err, domid);

    rc = rc ? rc : r;
    r = xb__teardown_finish(ctx, err, t);
    return rc ? rc : r;
}
