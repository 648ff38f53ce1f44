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

/* libxentoollog's vmessage hook: @format is libxenctrl's own printf format. */
__attribute__((format(printf, 5, 0))) static void
keep_vmessage(struct xentoollog_logger *l, xentoollog_level level, int errnoval,
              const char *context, const char *format, va_list al)
{
    struct xb_xen_log *log = (struct xb_xen_log *)l;
    size_t n;

    if (level < XTL_ERROR ||
        log->last[0]) /* the first says why; the rest follow from it */
        return;
    vsnprintf(log->last, sizeof(log->last), format, al);
    n = strlen(log->last);
    while (n && (log->last[n - 1] == '\n' || log->last[n - 1] == ' '))
        log->last[--n] = '\0';
    if (errnoval > 0 && n < sizeof(log->last))
        snprintf(log->last + n, sizeof(log->last) - n, ": %s", strerror(errnoval));
}

void xb__xen_log_init(struct xb_xen_log *log)
{
    *log = (struct xb_xen_log){.vt = {.vmessage = keep_vmessage,
                                      .progress = quiet_progress,
                                      .destroy = quiet_destroy}};
}

void xb__xen_log_clear(struct xb_xen_log *log)
{
    log->last[0] = '\0';
}

xentoollog_logger xb__xen_quiet_logger(void)
{
    return (xentoollog_logger){
        .vmessage = quiet_vmessage, .progress = quiet_progress, .destroy = quiet_destroy};
}
#endif
