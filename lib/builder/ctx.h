/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/ctx.h - the inside of struct xb_ctx (private). Every public
 * call on a context starts with xb__ctx_reset() and records its first
 * root-cause error in ctx->err (the backend writes there too: hv->err
 * points at it).
 */
#ifndef XB_CTX_H
#define XB_CTX_H

#include <stddef.h>

#include <xbuild/builder.h>
#include <xbuild/error.h>

#include "hv.h"

struct xb_ctx {
    struct xb_hv *hv;          /* owned */
    struct xb_err err;
    char **warnings;           /* malloc'd strings of the latest call */
    size_t nwarnings;
};

/* Forget the previous call's error and warnings. */
void xb__ctx_reset(struct xb_ctx *ctx);

/* Add a warning (formatted); silently dropped when out of memory. */
void xb__ctx_warn(struct xb_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
