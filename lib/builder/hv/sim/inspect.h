/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/inspect.h - looking inside the simulated machine, for
 * tests only: these live in inspect.c, which is linked into the test
 * programs and never into libbuilder.so. Every function takes a hypervisor
 * handle opened by xb__sim_open(); on any other backend they return an
 * error, NULL or 0.
 */
#ifndef XB_HV_SIM_INSPECT_H
#define XB_HV_SIM_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* True if @hv is a sim backend. */
bool xb__sim_is(const struct xb_hv *hv);

/* The 4 KiB of machine frame @mfn, read-only view; NULL past the machine. */
const uint8_t *xb__sim_frame(struct xb_hv *hv, xb_mfn mfn);

/* Owner of @mfn: its domid, or UINT32_MAX when free. */
uint32_t xb__sim_frame_owner(struct xb_hv *hv, xb_mfn mfn);

/* The gpfn @mfn was populated at (Xen's M2P), SIM_NO_GPFN when none. */
uint64_t xb__sim_m2p(struct xb_hv *hv, xb_mfn mfn);

/* Number of domains alive. */
unsigned xb__sim_ndomains(struct xb_hv *hv);

/* Frames owned by @domid (populated memory, shared_info excluded). */
uint64_t xb__sim_dom_pages(struct xb_hv *hv, uint32_t domid);

/* vCPU @vcpu's context as set by the builder; NULL when none. */
const void *xb__sim_vcpu_context(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                 size_t *len);

/* Copy up to @max pins of @domid into @out; returns how many there are. */
size_t xb__sim_pins(struct xb_hv *hv, uint32_t domid, struct sim_pin *out, size_t max);

/* What the builder told the sim about @domid. */
int xb__sim_dominfo(struct xb_hv *hv, uint32_t domid, struct sim_dominfo *out);

/* True if @port of @domid is allocated; *remote receives the remote domid. */
bool xb__sim_evtchn(struct xb_hv *hv, uint32_t domid, uint32_t port, uint32_t *remote);

/* Allocated event-channel ports, all domains. */
unsigned xb__sim_nr_evtchns(struct xb_hv *hv);

/* Foreign mappings still mapped. */
unsigned xb__sim_nr_maps(struct xb_hv *hv);

/* Op calls so far, of both handles (the index the next call gets for fault injection). */
long xb__sim_calls(struct xb_hv *hv);

/* Fail the @n-th op call from now on counted from 0 (-1 = never); resets the count. */
void xb__sim_fail_at(struct xb_hv *hv, long n);

/* Make every 2 MiB populate fail with -ENOMEM, as on a fragmented host. */
void xb__sim_no_superpages(struct xb_hv *hv, bool on);

/* physinfo reports shadow paging: PV guests can migrate live. */
void xb__sim_shadow(struct xb_hv *hv, bool on);

/* Guests ignore suspend requests (a kernel without Xen suspend support). */
void xb__sim_guests_deaf(struct xb_hv *hv, bool on);

/*
 * A destroyed domain stays listed as dying, as on Xen while another domain
 * still maps one of its pages; it goes when the sim closes, firing no watch
 * (xenstored has released it).
 */
void xb__sim_zombies(struct xb_hv *hv, bool on);

/* -- translated (PVH) domains -- */

/* The machine frame behind gfn @gfn of @domid; XB_NO_MFN when not populated. */
xb_mfn xb__sim_gfn_to_mfn(struct xb_hv *hv, uint32_t domid, uint64_t gfn);

/* HVM param @param of @domid into *val; false when it was never set. */
bool xb__sim_hvm_param(struct xb_hv *hv, uint32_t domid, unsigned param, uint64_t *val);

/* vCPU @vcpu's HVM CPU record and MTRRs as loaded; *online: brought up. NULL if none. */
const struct hvm_hw_cpu *xb__sim_hvm_cpu(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                         bool *online);
const struct hvm_hw_mtrr *xb__sim_hvm_mtrr(struct xb_hv *hv, uint32_t domid,
                                           unsigned vcpu);

/* The memory map set for @domid: up to @max entries into @out; returns how many. */
unsigned xb__sim_memory_map(struct xb_hv *hv, uint32_t domid, struct xb_hv_e820 *out,
                            unsigned max);

/* All xenstore nodes, one "path=value\n" line each, sorted; malloc'd. */
char *xb__sim_xs_dump(struct xb_hv *hv);

/* Number of xenstore nodes. */
size_t xb__sim_xs_count(struct xb_hv *hv);

/* The permissions of node @path: how many (up to @max copied), -1 when absent. */
int xb__sim_xs_perms(struct xb_hv *hv, const char *path, struct xb_xs_perm *out,
                     size_t max);

/* ---- dom0 (host.c, backends.c) ---- */

/* Loop devices bound, all users. */
unsigned xb__sim_nr_loops(struct xb_hv *hv);

/* Loop device @minor: false when free; else its holders and read-only flag. */
bool xb__sim_loop(struct xb_hv *hv, unsigned minor, unsigned *holders, bool *readonly);

/* Interfaces in dom0 (lo, xenbr0 and eth0 at start, then netback's vifs). */
unsigned xb__sim_nr_links(struct xb_hv *hv);

/* Interface @name: false when there is none. */
bool xb__sim_link(struct xb_hv *hv, const char *name, struct sim_link *out);

/* Interfaces enslaved to bridge @name. */
unsigned xb__sim_bridge_ports(struct xb_hv *hv, const char *name);

/* How the modelled blkback and netback behave from now on. */
void xb__sim_backends(struct xb_hv *hv, enum sim_backends mode);

#endif
