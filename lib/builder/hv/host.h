/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/host.h - dom0's own kernel, for the devices of a domain:
 * loop devices, network links, and what the kernel's backends (blkback,
 * netback) show outside xenstore. The third table of operations, next to
 * the hypervisor's (hv.h) and xenstore's (xs.h), with two backends:
 *   hv/host_linux.c  the real one: loop ioctls (hv/loop.c), rtnetlink
 *                    (hv/netlink.c), sysfs;
 *   hv/sim/host.c    the simulated machine's dom0: loop devices, links and
 *                    bridges in memory, and a model of blkback and netback
 *                    reacting to their xenstore nodes (hv/sim/backends.c).
 *
 * Errors as in hv.h: 0 or a negative errno, the message in @err unless it
 * is NULL or already holds one. "Not there" answers (no such link, a loop
 * device that is free) are returned without a message.
 */
#ifndef XB_HV_HOST_H
#define XB_HV_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/error.h>

struct xb_host;

/* A loop device the builder set up: the hold that keeps it alive. */
struct xb_loop {
    char dev[32];          /* "/dev/loop3" */
    unsigned major, minor; /* of the block device */
    int fd;                /* our open file of it; -1 once dropped */
};

/* A network interface of dom0. */
struct xb_link {
    int ifindex;
    unsigned mtu;
    int master;     /* ifindex of its bridge, 0 when none */
    bool is_bridge; /* IFLA_INFO_KIND "bridge" */
    bool up;
};

/* What xb_host_ops.link_setup changes; NULL / 0 leaves a field alone. */
struct xb_link_cfg {
    const char *name; /* rename it (it must be down) */
    unsigned mtu;
    int master; /* enslave to this bridge's ifindex */
};

struct xb_host_ops {
    const char *name; /* "linux" or "sim" */

    /*
     * Bind @path (a regular file) to a free loop device, read-only or
     * read-write; loop->fd is the builder's hold on it. It stays bound until
     * loop_free() or loop_release() (as the block script's: xl's remove
     * detaches it with losetup -d, which must find it bound).
     */
    int (*loop_attach)(struct xb_host *h, struct xb_err *err, const char *path,
                       bool readonly, struct xb_loop *loop);
    /* Drop the builder's hold; the device stays bound (blkback has it). */
    void (*loop_put)(struct xb_host *h, struct xb_loop *loop);
    /* Detach it and drop the hold (a create that failed): free once unused. */
    void (*loop_free)(struct xb_host *h, struct xb_loop *loop);
    /*
     * Detach loop device @dev, which a toolstack set up for a backend:
     * cleared now when nobody holds it, else when its last user closes it;
     * then wait up to @timeout_ms for it to be free (-ETIMEDOUT).
     */
    int (*loop_release)(struct xb_host *h, struct xb_err *err, const char *dev,
                        int timeout_ms);
    /*
     * The file behind block device @major:@minor when it is a bound loop
     * device: its st_dev and st_ino. -ENOENT otherwise (not recorded).
     */
    int (*loop_backing)(struct xb_host *h, struct xb_err *err, unsigned major,
                        unsigned minor, uint64_t *dev, uint64_t *ino);
    /*
     * Whether blkback holds the physical device of vbd @devid of domain
     * @domid open (it read "physical-device" and opened it): 1 yes, 0 not
     * (yet), <0 error.
     */
    int (*vbd_opened)(struct xb_host *h, struct xb_err *err, uint32_t domid,
                      uint32_t devid);

    /* Look up interface @name: 0 and *out, or -ENODEV (not recorded). */
    int (*link_find)(struct xb_host *h, struct xb_err *err, const char *name,
                     struct xb_link *out);
    /* Rename, set the MTU, enslave (in that order), then bring it up. */
    int (*link_setup)(struct xb_host *h, struct xb_err *err, int ifindex,
                      const struct xb_link_cfg *cfg);
    /* Take it off its bridge and down; -ENODEV when it is gone already. */
    int (*link_release)(struct xb_host *h, struct xb_err *err, int ifindex);

    void (*close)(struct xb_host *h);
};

struct xb_host {
    const struct xb_host_ops *ops;
};

/* The real dom0 (Linux). Never fails but for memory; NULL @err allowed. */
int xb__host_linux_open(struct xb_host **out, struct xb_err *err);

#endif
