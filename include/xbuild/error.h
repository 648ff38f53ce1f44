/* SPDX-License-Identifier: MIT */
/*
 * xbuild/error.h - the sticky first-error record shared by every layer.
 *
 * The library never prints and never exits. A failing call returns a
 * negative errno-style code and records the first root-cause message in a
 * struct xb_err; later failures (rollback, cleanup) never overwrite it.
 */
#ifndef XBUILD_ERROR_H
#define XBUILD_ERROR_H

#define XB_ERRMSG_MAX 512

struct xb_err {
    int code;                /* 0, or the first negative errno recorded */
    char msg[XB_ERRMSG_MAX]; /* NUL-terminated; "" when code == 0 */
};

/*
 * Record an error unless one is already recorded. @code must be negative.
 * Returns @code so a caller can write `return xb_err_set(err, -EINVAL, ...)`.
 * @err may be NULL (the message is then dropped).
 */
int xb_err_set(struct xb_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Forget any recorded error. @err may be NULL. */
void xb_err_clear(struct xb_err *err);

#endif
