/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/ctx.h - the inside of struct xb_ctx (private). Every
 * public call on a context starts with xb__ctx_reset() and records its first
 * root-cause error in ctx->err; private functions never reset it, so a
 * public call never runs another public call.
 */
#ifndef XB_DOMAIN_CTX_H
#define XB_DOMAIN_CTX_H

#include <stddef.h>

#include <xbuild/builder.h>
#include <xbuild/error.h>

#include "../hv/host.h"
#include "../hv/hv.h"
#include "../hv/xs.h"

struct xb_ctx {
    struct xb_hv *hv;     /* owned */
    struct xb_xs *xs;     /* owned */
    struct xb_host *host; /* owned: dom0's kernel of the same kind (sim or linux) */
    struct xb_err err;
    char **warnings; /* malloc'd strings of the latest call */
    size_t nwarnings;
    char shim_path[4096];     /* the PV shim of the latest plan/create (layout.pvshim) */
    const char *userdata_dir; /* libxl's /var/lib/xen (static); NULL: none kept */
};

/* Forget the previous call's error and warnings. */
void xb__ctx_reset(struct xb_ctx *ctx);

/* Add a warning (formatted); silently dropped when out of memory. */
void xb__ctx_warn(struct xb_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A context over backends the caller opened (tests: a sim with chosen
 * options). The context takes ownership of both, also on failure. Its host
 * backend (hv/host.h) goes with @hv: the sim's dom0 for a sim, else Linux.
 */
int xb__ctx_open_backend(struct xb_hv *hv, struct xb_xs *xs, struct xb_ctx **out);

/* Keep libxl's userdata files in @dir (borrowed; NULL: none). Tests. */
void xb__ctx_set_userdata_dir(struct xb_ctx *ctx, const char *dir);

/* The backends of a context (borrowed). */
struct xb_hv *xb__ctx_hv(struct xb_ctx *ctx);
struct xb_xs *xb__ctx_xs(struct xb_ctx *ctx);

#endif
