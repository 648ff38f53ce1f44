/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include <xbuild/error.h>

int xb_err_set(struct xb_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code != 0)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void xb_err_clear(struct xb_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}
