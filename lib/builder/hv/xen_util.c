/* SPDX-License-Identifier: MIT */
/* lib/builder/hv/xen_util.c - see xen_util.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xen_util.h"

int xb__xen_fail(struct xb_err *err, const char *fmt, ...)
{
    int e = errno ? errno : EIO;
    char what[XB_ERRMSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return xb_err_set(err, -e, "%s: %s", what, strerror(e));
}

#ifdef XB_HAVE_XEN
static void quiet_vmessage(struct xentoollog_logger *l, xentoollog_level level,
                           int errnoval, const char *context, const char *format,
                           va_list al)
{
}

static void quiet_progress(struct xentoollog_logger *l, const char *context,
                           const char *doing_what, int percent, unsigned long done,
                           unsigned long total)
{
}

static void quiet_destroy(struct xentoollog_logger *l)
{
}

xentoollog_logger xb__xen_quiet_logger(void)
{
    return (xentoollog_logger){
        .vmessage = quiet_vmessage, .progress = quiet_progress, .destroy = quiet_destroy};
}
#endif
