/* SPDX-License-Identifier: MIT */
/* lib/builder/domain/shim.h - finding Xen's PV shim (shim.c). */
#ifndef XB_DOMAIN_SHIM_H
#define XB_DOMAIN_SHIM_H

#include <stddef.h>

#include <xbuild/error.h>

/* The shim's command line when the config gives none (libxl's default). */
#define XB_SHIM_CMDLINE "pv-shim console=xen,pv"

struct xb_shim_where {
    const char *path;              /* the caller's choice (pvshim_path): taken as is */
    unsigned xen_major, xen_minor; /* the running Xen; 0 when unknown */
    const char
        *root; /* prefix of the places searched: NULL ("/"), a scratch tree in tests */
};

/*
 * The shim to run: @w->path, else Debian's for the running Xen
 * (/usr/lib/xen-X.Y/boot/xen-shim), the newest Debian one, upstream's
 * (/usr/lib/xen/boot/xen-shim). Its path goes to @out (@size bytes).
 * -ENOENT when none is installed, with the fix in @err.
 */
int xb__shim_find(const struct xb_shim_where *w, char *out, size_t size,
                  struct xb_err *err);

#endif
