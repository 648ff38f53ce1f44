/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/backend.h - opening the backends (private). A context
 * (domain/ctx.c) opens one hypervisor backend and one xenstore backend of
 * the same kind and owns both.
 */
#ifndef XB_HV_BACKEND_H
#define XB_HV_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/error.h>

#include "host.h"
#include "hv.h"
#include "xs.h"

/*
 * The real backends: the hypervisor through libxenctrl/libxenforeignmemory
 * (needs dom0 privileges) and xenstored through libxenstore. On failure *out
 * is NULL and @err says why; -ENOSYS when built without Xen's libraries.
 */
int xb__hv_xen_open(struct xb_hv **out, struct xb_err *err);
int xb__xs_xen_open(struct xb_xs **out, struct xb_err *err);

/* Options of the simulated machine. */
struct xb_sim_opts {
    uint64_t total_pages; /* machine size; 0 = 1 GiB worth */
    uint32_t seed;        /* scrambles the mfn order */
    const char *caps;     /* NULL = "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32" */
    long fail_at;         /* fail the N-th op call (0-based), -1 = never */
    bool dirty;           /* hand out frames filled with 0xa5 (proves zeroing);
                             false keeps untouched memory sparse (dry runs) */
    unsigned xen_major, xen_minor; /* the version physinfo reports; 0 = 4.17 */
};

/*
 * The simulated machine and its xenstore: one machine behind both handles
 * (xenstore's introduce checks the machine's domains; one fault-injection
 * count covers the calls of both). Close both; the machine is freed with
 * the second. On failure both are NULL.
 */
int xb__sim_open(const struct xb_sim_opts *opts, struct xb_hv **hv, struct xb_xs **xs,
                 struct xb_err *err);

/*
 * The sim's dom0 (host.h) behind sim hypervisor handle @hv, a third handle
 * on the same machine (close it too); NULL when @hv is not a sim.
 */
struct xb_host *xb__sim_host(struct xb_hv *hv);

#endif
