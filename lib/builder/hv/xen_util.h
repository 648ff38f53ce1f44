/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen_util.h - what the two real backends (xen.c, xs_xen.c)
 * share: Xen's headers made includable, the message format of a failed
 * library call, and a logger that drops everything (the library never prints).
 */
#ifndef XB_HV_XEN_UTIL_H
#define XB_HV_XEN_UTIL_H

#include <xbuild/error.h>

#ifdef XB_HAVE_XEN
/*
 * Xen's public headers use anonymous unions and refuse strict ISO C; the
 * files that include this one are compiled as GNU C so that xenctrl.h can
 * be included.
 */
#undef __STRICT_ANSI__
#include <xenctrl.h>
#include <xentoollog.h>

/* A logger for libxenctrl & co. that prints nothing. */
xentoollog_logger xb__xen_quiet_logger(void);

struct xb_hv;
/* The libxenctrl handle of a xen backend (xen.c), for xen_manage.c. */
xc_interface *xb__xen_xch(struct xb_hv *hv);
#endif

/*
 * Record "<what>: <strerror(errno)>" in @err (errno 0 counts as EIO) and
 * return -errno. @err may be NULL.
 */
int xb__xen_fail(struct xb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
