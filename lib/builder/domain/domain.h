/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/domain.h - what the files of the domain layer share
 * (private). None of these resets the context: they are the insides of the
 * public calls, so that no public call runs another.
 */
#ifndef XB_DOMAIN_DOMAIN_H
#define XB_DOMAIN_DOMAIN_H

#include <stdbool.h>
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
 * As xb__dom_find(), without waiting for a restart under way (the monitor's
 * own look at a name its restart entry holds).
 */
int xb__dom_find_now(struct xb_ctx *ctx, struct xb_err *err, const char *what,
                     uint32_t *domid);

/*
 * Whether another domain than @self is named @name (whoever built it):
 * -EEXIST with the usual message in @err when one is; 0 when none is.
 */
int xb__dom_name_taken(struct xb_ctx *ctx, struct xb_err *err, const char *name,
                       uint32_t self);

/*
 * Domain @domid's record, which must exist: -ESRCH with "no domain with id
 * N" in @err when it does not.
 */
int xb__dom_need(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                 struct xb_hv_dominfo *info);

/* As xb_domain_destroy() (@allow_dom0: xb_domain_destroy_forced()), no reset. */
int xb__dom_destroy(struct xb_ctx *ctx, uint32_t domid, bool allow_dom0);

/*
 * Read xenstore node @path (outside a transaction) into *val (malloc'd);
 * -ENOENT, not recorded, when it does not exist.
 */
int xb__xs_get(struct xb_ctx *ctx, struct xb_err *err, const char *path, char **val);

/* Write string @val at @path (outside a transaction). */
int xb__xs_put(struct xb_ctx *ctx, struct xb_err *err, const char *path, const char *val);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t xb__now_ms(void);

/* The wall clock in centiseconds (xenstore's start_time). */
uint64_t xb__wall_cs(void);

/*
 * As xb_domain_create(), without resetting the context; @restart: this is
 * the monitor re-creating a domain whose name its restart entry holds.
 */
struct xb_spec;
int xb__dom_create(struct xb_ctx *ctx, const struct xb_spec *spec,
                   const struct xb_create_opts *opts, bool restart, uint32_t *domid);

/* Every domain's hypervisor record in domid order; *out malloc'd (caller frees). */
int xb__dom_all(struct xb_ctx *ctx, struct xb_err *err, struct xb_hv_dominfo **out,
                size_t *n);

/*
 * Wait for the next event of the watches of @ctx's xenstore handle, up to
 * @timeout_ms (-1: forever): 0 on an event or a timeout, <0 on error.
 */
int xb__xs_wait(struct xb_ctx *ctx, struct xb_err *err, int timeout_ms);

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
