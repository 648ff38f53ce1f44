/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/monitor.h - the monitor's records in xenstore (private;
 * the public side is in xbuild/manage.h).
 */
#ifndef XB_DOMAIN_MONITOR_H
#define XB_DOMAIN_MONITOR_H

#include <stdint.h>

#include <xbuild/builder.h>

#include "ctx.h"

/* Where the records live: RECORDS_DIR/DOMID (dom0 only). */
#define XB_MONITOR_RECORDS "/xbuild/domains"

/*
 * Write domain @domid's record: its name and @uuid, @spec's on_* actions
 * and @src (what a restart re-creates it from), in one transaction.
 * Removed with the domain's other nodes (xb__xs_domain_remove()).
 */
int xb__monitor_record(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       const uint8_t uuid[16], const struct xb_spec *spec,
                       const struct xb_restart_source *src);

/*
 * Whether domain @domid is recorded and, if so, whether the monitor keeps
 * it shut down (preserved, or suspended): 0 no record, 1 recorded and
 * acted upon or not yet, 2 recorded and kept. For xb_domain_wait().
 */
int xb__monitor_kept(struct xb_ctx *ctx, uint32_t domid);

#endif
