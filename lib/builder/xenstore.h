/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/xenstore.h - the xenstore nodes of a domain built by xbuild.
 *
 * The node set is what xenconsoled, the guest's xenbus and stock `xl`
 * (list/console/destroy) expect: /local/domain/N (name, domid, vm, memory,
 * console, control, cpu, device, ...), /vm/UUID and /libxl/N. All are
 * written through hv->ops->xs_* only, so these work on the sim backend too.
 */
#ifndef XB_XENSTORE_H
#define XB_XENSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

struct xb_xs_dom {
    uint32_t domid;
    const char *name;    /* required */
    const uint8_t *uuid; /* 16 bytes, required */
    uint64_t target_kib, maxmem_kib;
    unsigned vcpus, maxvcpus; /* vcpus online at boot, of maxvcpus */
    xb_mfn store_mfn;         /* the xenstore ring frame (mfn for PV, gfn for PVH) */
    uint32_t store_port;      /* the guest's end of the xenstore event channel */
    /* not "console_mfn": Xen's xen.h defines that name as a macro */
    xb_mfn console_frame; /* the console ring frame (mfn for PV, gfn for PVH) */
    uint32_t console_port;
    const char *on_poweroff, *on_reboot,
        *on_crash; /* "destroy", "restart", ...; NULL = destroy */
    bool pvh;
};

/*
 * Write every node of domain @d->domid in one transaction (retried on
 * -EAGAIN), then introduce the domain to xenstored (store_mfn/store_port).
 * Preconditions: the domain exists and its xenstore/console rings are set up.
 * On failure, the nodes written so far are removed again (the transaction
 * is aborted, or removed after an introduce failure); the first cause is in
 * hv->err. Nothing in @d is retained.
 */
int xb__xs_domain_introduce(struct xb_hv *hv, const struct xb_xs_dom *d);

/*
 * Remove every node xb__xs_domain_introduce() made for @domid (found through
 * /local/domain/@domid/vm) and release the domain from xenstored. Missing
 * nodes are not an error; safe to call on a half-built domain.
 */
int xb__xs_domain_remove(struct xb_hv *hv, uint32_t domid);

/* Format @uuid as the canonical 36-character string into @buf (>= 37 bytes). */
void xb__uuid_str(const uint8_t uuid[16], char buf[37]);

#endif
