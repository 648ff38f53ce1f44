/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/domain.h - what the files of the domain layer share
 * (private). None of these resets the context: they are the insides of the
 * public calls, so that no public call runs another.
 */
#ifndef XB_DOMAIN_DOMAIN_H
#define XB_DOMAIN_DOMAIN_H

#include <stdint.h>

#include "ctx.h"

/* Domain @domid's hypervisor record; -ESRCH (not recorded) when there is none. */
int xb__dom_info(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                 struct xb_hv_dominfo *info);

/*
 * @what (a name or a decimal domid) to a domid, as xb_domain_find():
 * -ENOENT when there is none, -EEXIST for a name held by several domains,
 * with the message in @err (NULL for a probe).
 */
int xb__dom_find(struct xb_ctx *ctx, struct xb_err *err, const char *what,
                 uint32_t *domid);

/*
 * Whether another domain than @self is named @name (whoever built it):
 * -EEXIST with the usual message in @err when one is; 0 when none is.
 */
int xb__dom_name_taken(struct xb_ctx *ctx, struct xb_err *err, const char *name,
                       uint32_t self);

/* As xb_domain_destroy(), without resetting the context. */
int xb__dom_destroy(struct xb_ctx *ctx, uint32_t domid);

/*
 * memory.c: populate a PVH domain as @lo says: its RAM entries (2 MiB
 * extents where aligned and available, else 4 KiB pages) and its special
 * pages. Errors in @err; a failure leaves the domain for the caller to
 * destroy.
 */
int xb__dom_populate_pvh(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         const struct xb_layout *lo);

/* As xb_console_drained(), without resetting the context. */
int xb__console_drained(struct xb_ctx *ctx, uint32_t domid);

#endif
