/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/host_linux.c - the real host backend of host.h: dom0's
 * Linux kernel. Loop devices (loop.c), network links (netlink.c), and
 * blkback's sysfs attribute that tells its device is open: blkback creates
 * /sys/bus/xen-backend/devices/vbd-DOMID-DEVID/physical_device once it has
 * read "physical-device" and opened the block device, and reports nothing
 * in xenstore before the guest connects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "linux.h"

#define XEN_BACKEND_SYSFS "/sys/bus/xen-backend/devices"

static int linux_loop_attach(struct xb_host *h, struct xb_err *err, const char *path,
                             bool readonly, struct xb_loop *loop)
{
    return xb__loop_attach(err, path, readonly, loop);
}

static void linux_loop_put(struct xb_host *h, struct xb_loop *loop)
{
    xb__loop_put(loop);
}

static void linux_loop_free(struct xb_host *h, struct xb_loop *loop)
{
    xb__loop_free(loop);
}

static int linux_loop_release(struct xb_host *h, struct xb_err *err, const char *dev,
                              int timeout_ms)
{
    return xb__loop_release(err, dev, timeout_ms);
}

static int linux_loop_backing(struct xb_host *h, struct xb_err *err, unsigned major,
                              unsigned minor, uint64_t *dev, uint64_t *ino)
{
    return xb__loop_backing(major, minor, dev, ino);
}

static int linux_vbd_opened(struct xb_host *h, struct xb_err *err, uint32_t domid,
                            uint32_t devid)
{
    char p[96];

    snprintf(p, sizeof(p), XEN_BACKEND_SYSFS "/vbd-%u-%u/physical_device", domid, devid);
    return access(p, F_OK) == 0;
}

static int linux_link_find(struct xb_host *h, struct xb_err *err, const char *name,
                           struct xb_link *out)
{
    return xb__nl_link_find(err, name, out);
}

static int linux_link_setup(struct xb_host *h, struct xb_err *err, int ifindex,
                            const struct xb_link_cfg *cfg)
{
    return xb__nl_link_setup(err, ifindex, cfg);
}

static int linux_link_release(struct xb_host *h, struct xb_err *err, int ifindex)
{
    return xb__nl_link_release(err, ifindex);
}

static void linux_close(struct xb_host *h)
{
    free(h);
}

static const struct xb_host_ops linux_ops = {
    .name = "linux",
    .loop_attach = linux_loop_attach,
    .loop_put = linux_loop_put,
    .loop_free = linux_loop_free,
    .loop_release = linux_loop_release,
    .loop_backing = linux_loop_backing,
    .vbd_opened = linux_vbd_opened,
    .link_find = linux_link_find,
    .link_setup = linux_link_setup,
    .link_release = linux_link_release,
    .close = linux_close,
};

int xb__host_linux_open(struct xb_host **out, struct xb_err *err)
{
    struct xb_host *h = calloc(1, sizeof(*h));

    *out = h;
    if (!h)
        return xb_err_set(err, -ENOMEM, "host: out of memory");
    h->ops = &linux_ops;
    return 0;
}
