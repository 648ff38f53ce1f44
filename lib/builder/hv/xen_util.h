/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen_util.h - what the two real backends (xen.c, xs_xen.c)
 * share: Xen's headers made includable, the message format of a failed
 * library call, and a logger that drops everything (the library never prints).
 */
#ifndef XB_HV_XEN_UTIL_H
#define XB_HV_XEN_UTIL_H

#include <xbuild/error.h>

#include "hv.h"

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

/*
 * A logger that prints nothing either but keeps the first error reported
 * through it since it was cleared: libxenguest explains a failed save or
 * restore only there (its later errors follow from the first).
 */
struct xb_xen_log {
    xentoollog_logger vt; /* first: handed to the libraries */
    char last[256];       /* "" when none since xb__xen_log_clear() */
};

void xb__xen_log_init(struct xb_xen_log *log);
void xb__xen_log_clear(struct xb_xen_log *log);

/*
 * The memory stream (xen_stream.c), over libxenguest, for hv/xen.c's ops
 * of the same names: @xch is the backend's interface, @log its logger.
 */
int xb__xen_stream_save(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                        uint32_t domid, int fd, const struct xb_hv_save *how,
                        struct xb_hv_save_stats *stats);
int xb__xen_stream_restore(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                           uint32_t domid, int fd, const struct xb_hv_restore *how,
                           xb_mfn *store_frame, xb_mfn *console_frame);
int xb__xen_domain_resume(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                          uint32_t domid);

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
