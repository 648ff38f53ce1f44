/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/xenbus.h - what vbd.c, vif.c, devices.c and hotplug.c
 * share (private to devices/): one device's xenstore nodes, written as libxl
 * writes them, the xenbus states, and the disks and vifs being set up.
 */
#ifndef XB_DEVICES_XENBUS_H
#define XB_DEVICES_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/spec.h>

#include "../domain/ctx.h"
#include "devices.h"

enum xenbus_state {
    XB_XENBUS_UNKNOWN = 0,
    XB_XENBUS_INITIALISING = 1,
    XB_XENBUS_INITWAIT = 2,
    XB_XENBUS_INITIALISED = 3,
    XB_XENBUS_CONNECTED = 4,
    XB_XENBUS_CLOSING = 5,
    XB_XENBUS_CLOSED = 6,
};

#define XB_DEV_PATH    160
#define XB_DEV_KV_MAX  24
#define XB_DEV_VAL_MAX 512

/* Key/value pairs of one directory, in the order written. */
struct xb_kvs {
    size_t n;
    bool overflow;
    struct {
        char key[32];
        char val[XB_DEV_VAL_MAX];
    } e[XB_DEV_KV_MAX];
};

void xb__kv_add(struct xb_kvs *k, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * One device's nodes, as libxl__device_generic_add() lays them out:
 *   /local/domain/DOMID/device/KIND/DEVID        frontend: the guest owns it,
 *                                                the backend domain reads it
 *   /local/domain/0/backend/KIND/DOMID/DEVID     backend: dom0 owns it, the
 *                                                guest reads it
 *   /libxl/DOMID/device/KIND/DEVID               the toolstack's copy of the
 *                                                backend's settings (xl
 *                                                list/destroy read it)
 * plus "backend" and "frontend" nodes pointing at each other.
 */
struct xb_dev {
    const char *kind; /* "vbd", "vif" */
    uint32_t domid, devid;
    struct xb_kvs back, front;
    struct xb_kvs ro_front; /* frontend nodes the guest only reads (dom0 owns them) */
    struct xb_kvs hot;      /* what xl's hotplug script would write: backend only */
};

void xb__dev_path(const char *kind, uint32_t domid, uint32_t devid, char fe[XB_DEV_PATH],
                  char be[XB_DEV_PATH], char lx[XB_DEV_PATH]);

/* Write the nodes of @n devices in one transaction (retried on conflicts). */
int xb__dev_write(struct xb_xs *xs, struct xb_err *err, const struct xb_dev *devs,
                  size_t n);

/* The backend's state (XB_XENBUS_*), 0 when absent or unreadable. */
int xb__dev_state(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid);

/* The backend's error node (xenbus_dev_fatal), malloc'd, or NULL. */
char *xb__dev_error(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid);

/* Write one backend node outside a transaction ("hotplug-status", ...). */
int xb__dev_set(struct xb_xs *xs, struct xb_err *err, const char *kind, uint32_t domid,
                uint32_t devid, const char *leaf, const char *val);

/* Read one backend node: malloc'd, or NULL when absent. */
char *xb__dev_get(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid,
                  const char *leaf);

/* Remove all three directories of a device (missing ones are fine). */
int xb__dev_remove(struct xb_xs *xs, struct xb_err *err, const char *kind, uint32_t domid,
                   uint32_t devid);

/* "FILE:LINE:COL" of @pos, for messages that the CLI places at that line. */
const char *xb__pos_str(const struct xb_pos *pos, char buf[320]);

/* ---- the devices being set up ---- */

/* A disk: its checks' results, then what was set up for it. */
struct xb_vbd {
    const struct xb_disk *disk;
    size_t index;            /* in the spec (messages say index + 1) */
    char *path;              /* the target as blkback gets it ("params") */
    bool file;               /* a regular file: a loop device is set up */
    bool readonly;           /* mode "r" */
    uint64_t st_dev, st_ino; /* of a file */
    unsigned major, minor;   /* of a block device; of the loop device */
    struct xb_loop loop;     /* fd >= 0 while the builder holds it */
    bool done;               /* blkback holds the device; hotplug-status written */
};

/* A vif: its bridge, MAC and interface name. */
struct xb_vifdev {
    const struct xb_vif *vif;
    size_t index;
    char bridge[16];
    int bridge_ifindex;
    unsigned bridge_mtu;
    uint8_t mac[6];
    char ifname[16]; /* what netback's vifD.N is called once set up */
    int ifindex;     /* > 0 once set up (on its bridge, up) */
    bool done;
};

/* @mover: a domain that may share the disk (xb__devs_check()), or NULL. */
int xb__vbd_check(struct xb_ctx *ctx, struct xb_vbd *v, uint32_t self, const char *mover);
int xb__vbd_prepare(struct xb_ctx *ctx, struct xb_vbd *v);
/* @protocol: the PV guest's ring ABI ("x86_64-abi"), NULL for PVH. */
void xb__vbd_nodes(const struct xb_vbd *v, uint32_t domid, const char *protocol,
                   struct xb_dev *out);
/* One look at the backend: 0 (done or not yet: v->done), or the failure. */
int xb__vbd_poll(struct xb_ctx *ctx, struct xb_vbd *v, uint32_t domid);
/* What it still waits for, in a timeout message. */
void xb__vbd_waiting(struct xb_ctx *ctx, const struct xb_vbd *v, uint32_t domid,
                     unsigned ms);
void xb__vbd_undo(struct xb_ctx *ctx, struct xb_vbd *v);
void xb__vbd_free(struct xb_vbd *v);

int xb__vif_check(struct xb_ctx *ctx, struct xb_vifdev *v);
void xb__vif_mac(const uint8_t uuid[16], unsigned devid, uint8_t mac[6]);
void xb__vif_nodes(const struct xb_vifdev *v, uint32_t domid, struct xb_dev *out);
int xb__vif_poll(struct xb_ctx *ctx, struct xb_vifdev *v, uint32_t domid);
void xb__vif_waiting(struct xb_ctx *ctx, const struct xb_vifdev *v, uint32_t domid,
                     unsigned ms);
void xb__vif_undo(struct xb_ctx *ctx, struct xb_vifdev *v);

#endif
