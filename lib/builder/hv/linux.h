/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/linux.h - the pieces of the real host backend
 * (host_linux.c): loop devices (loop.c) and rtnetlink (netlink.c). Each
 * function works as the host.h op of the same name.
 */
#ifndef XB_HV_LINUX_H
#define XB_HV_LINUX_H

#include "host.h"

int xb__loop_attach(struct xb_err *err, const char *path, bool readonly,
                    struct xb_loop *loop);
void xb__loop_put(struct xb_loop *loop);
void xb__loop_free(struct xb_loop *loop);
int xb__loop_release(struct xb_err *err, const char *dev, int timeout_ms);
int xb__loop_backing(unsigned major, unsigned minor, uint64_t *dev, uint64_t *ino);

int xb__nl_link_find(struct xb_err *err, const char *name, struct xb_link *out);
int xb__nl_link_setup(struct xb_err *err, int ifindex, const struct xb_link_cfg *cfg);
int xb__nl_link_release(struct xb_err *err, int ifindex);

/* Sleep @ms milliseconds (host waits poll sysfs). */
void xb__sleep_ms(unsigned ms);

#endif
