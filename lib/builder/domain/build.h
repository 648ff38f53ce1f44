/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/build.h - the state of one create or restore as its
 * steps pass it along (private to domain/): plan.c plans it (the spec, the
 * kernel, the layout) and checks it against the host, create.c runs the
 * steps that make the domain.
 */
#ifndef XB_DOMAIN_BUILD_H
#define XB_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/builder.h>

#include "ctx.h"

#define DOMID_NONE     UINT32_MAX
#define XENSTORE_DOMID 0
#define CONSOLE_DOMID  0

struct xb__restore; /* migrate/migrate.h */

struct build {
    struct xb_ctx *ctx;
    const struct xb_spec *spec;
    struct xb_create_opts opts;
    const struct xb_image *img; /* the kernel that runs (the PV shim's, for a shim) */
    struct xb_image *own_img;
    const struct xb_image *pv_img; /* in the PV shim: the PV kernel, else NULL */
    struct xb_image *shim_img;
    bool shim_auto; /* the shim chosen by xbuild, not the config */
    uint8_t *ramdisk;
    size_t ramdisk_len;
    unsigned guest; /* XB_GUEST_PV64 / XB_GUEST_PV32PAE, or XB_GUEST_PVH (the shim too) */
    struct xb_layout lo;
    struct xb_hv_physinfo host; /* physinfo before create (check_host) */
    uint8_t uuid[16];
    uint32_t domid; /* DOMID_NONE until created */
    bool restart;   /* the monitor's re-create: the name is held for it */
    bool introduced;
    uint64_t *p2m; /* [lo.total_pages]: pfn -> mfn */
    uint32_t store_port, console_port;
    xb_mfn store_frame, console_frame; /* the rings: from the layout, or the stream */
    /* A restore: the domain is filled from this stream, not built from a kernel. */
    const struct xb__restore *restore;
    uint64_t lap_ns; /* when the last phase ended (opts.timings) */
};

static inline struct xb_err *berr(struct build *b)
{
    return &b->ctx->err;
}

static inline struct xb_hv *bhv(struct build *b)
{
    return b->ctx->hv;
}

/*
 * plan.c. Everything that needs no hypervisor: the spec checked, the
 * kernel and ramdisk read, the guest type picked, the layout computed;
 * for a restore only the spec and the guest type (the memory comes from
 * the stream).
 */
int xb__build_plan(struct build *b);

/*
 * Before anything exists: can this Xen run the guest type (or the PV shim
 * run it: the plan changes to the shim, with a notice), is there enough
 * free memory.
 */
int xb__build_check_host(struct build *b);
int xb__build_check_free(struct build *b);

/* The kernel's command line: the shim's own when the guest runs in the shim. */
const char *xb__build_cmdline(const struct build *b);

#endif
