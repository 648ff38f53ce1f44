/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/userdata.h - the domain configuration libxl keeps for
 * each domain ("userdata" files in ctx->userdata_dir, /var/lib/xen), so that
 * xl list -l, xl reboot & co. work on xbuild's domains (private).
 */
#ifndef XB_DOMAIN_USERDATA_H
#define XB_DOMAIN_USERDATA_H

#include <stdint.h>

#include <xbuild/spec.h>

#include "ctx.h"

/*
 * Write userdata-d.DOMID.UUID.libxl-json for @spec, in libxl's JSON
 * (libxl_domain_config: c_info, b_info, on_*), under libxl's lock of that
 * domain's userdata. Nothing when the context keeps none (sim).
 */
int xb__userdata_write(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       const uint8_t uuid[16], const struct xb_spec *spec);

/*
 * Remove every userdata file of domain @domid / @uuid, whoever wrote it
 * (xbuild's, or xl's for xl's domains: what xl destroy removes). Missing
 * files are fine.
 */
int xb__userdata_remove(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                        const uint8_t uuid[16]);

/* Set c_info.name of the stored configuration to @name (a rename), if there is one. */
int xb__userdata_rename(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                        const uint8_t uuid[16], const char *name);

#endif
