/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/guest/pv_x86.h - the x86 PV guest types (x86_64, x86_32 PAE):
 * write a guest's start of day into its created, populated domain.
 */
#ifndef XB_PV_X86_H
#define XB_PV_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/builder.h>
#include <xbuild/image.h>

#include "../hv/hv.h"

struct xb_pv_boot {
    const struct xb_layout *lo;
    const struct xb_image *img;
    const uint8_t *ramdisk; /* lo->seg[XB_SEG_RAMDISK] bytes, or NULL */
    size_t ramdisk_len;
    const char *cmdline; /* NULL = empty */
    const uint64_t *p2m; /* [lo->total_pages]: pfn -> mfn */
    xb_mfn shared_info_mfn;
    uint32_t store_port, console_port;
};

/*
 * Write the start of day, in this order: map the bootstrap region; load the
 * kernel and the ramdisk; write the p2m list, start_info and the page tables
 * (their own frames mapped read-only); unmap; have Xen write the hypercall
 * page; pin the top-level table; initialise shared_info; set vCPU 0 (the
 * domain stays paused). Preconditions: the domain exists with its address
 * size set and lo->total_pages pages populated as @b->p2m says. On error
 * the domain is left for the caller to destroy; no mapping stays behind.
 * *@cmdline_cut is set when the command line was longer than start_info
 * holds (it is cut, never silently). Errors go to @err.
 */
int xb__pv_x86_build(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct xb_pv_boot *b, bool *cmdline_cut);

/* Bytes of command line start_info can hold, NUL included. */
#define XB_PV_CMDLINE_MAX 1024

#endif
