/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv_sim.h - inspection hooks of the simulated machine, for
 * tests only (private). Every function takes a backend opened with
 * xb_hv_sim_open(); on any other backend they return an error/NULL/0.
 */
#ifndef XB_HV_SIM_H
#define XB_HV_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"

struct xb_ctx;

/* True if @hv is a sim backend. */
bool xb__sim_is(const struct xb_hv *hv);

/* The 4 KiB of machine frame @mfn, read-only view; NULL past the machine. */
const uint8_t *xb__sim_frame(struct xb_hv *hv, xb_mfn mfn);

/* Owner of @mfn: its domid, or UINT32_MAX when free. */
uint32_t xb__sim_frame_owner(struct xb_hv *hv, xb_mfn mfn);

/* Number of domains alive. */
unsigned xb__sim_ndomains(struct xb_hv *hv);

/* Frames owned by @domid (populated memory, shared_info excluded). */
uint64_t xb__sim_dom_pages(struct xb_hv *hv, uint32_t domid);

/* vCPU @vcpu's context as set by the builder; NULL when none. */
const void *xb__sim_vcpu_context(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                 size_t *len);

struct xb_sim_pin {
    unsigned level;
    xb_mfn mfn;
};
/* Copy up to @max pins of @domid into @out; returns how many there are. */
size_t xb__sim_pins(struct xb_hv *hv, uint32_t domid, struct xb_sim_pin *out, size_t max);

/* What the builder told the sim about @domid. */
struct xb_sim_dominfo {
    bool paused;
    unsigned address_size;        /* 0 until set */
    uint64_t max_mem_kib;
    uint32_t max_vcpus;
    uint8_t handle[16];
    xb_mfn shared_info_mfn;
    xb_mfn hypercall_mfn;         /* UINT64_MAX when never initialised */
    bool gnttab_seeded;
    xb_mfn gnt_console, gnt_xenstore; /* frames of grant entries 0 and 1 */
    uint32_t gnt_console_dom, gnt_xenstore_dom;
    bool introduced;              /* to xenstored */
    xb_mfn store_mfn;
    uint32_t store_port;
};
int xb__sim_dominfo(struct xb_hv *hv, uint32_t domid, struct xb_sim_dominfo *out);

/* True if @port of @domid is allocated; *remote receives the remote domid. */
bool xb__sim_evtchn(struct xb_hv *hv, uint32_t domid, uint32_t port, uint32_t *remote);

/* Allocated event-channel ports, all domains. */
unsigned xb__sim_nr_evtchns(struct xb_hv *hv);

/* Foreign mappings still mapped. */
unsigned xb__sim_nr_maps(struct xb_hv *hv);

/* Ops called so far (the index the next call gets for fault injection). */
long xb__sim_calls(struct xb_hv *hv);

/* Fail the @n-th op call from now on counted from 0 (-1 = never); resets the count. */
void xb__sim_fail_at(struct xb_hv *hv, long n);

/* Make every 2 MiB populate fail with -ENOMEM, as on a fragmented host. */
void xb__sim_no_superpages(struct xb_hv *hv, bool on);

/* All xenstore nodes, one "path=value\n" line each, sorted; malloc'd. */
char *xb__sim_xs_dump(struct xb_hv *hv);

/* Number of xenstore nodes. */
size_t xb__sim_xs_count(struct xb_hv *hv);

/* Test hooks of the builder (domain.c): a context over an existing backend
 * (the context takes ownership of @hv), and the backend of a context. */
int xb__ctx_open_hv(struct xb_hv *hv, struct xb_ctx **out);
struct xb_hv *xb__ctx_hv(struct xb_ctx *ctx);

#endif
