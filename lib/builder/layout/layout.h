/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/layout.h - the start-of-day layout of an x86 PV guest, as pure
 * arithmetic (no hypercalls, no allocation): kernel, ramdisk, p2m list,
 * start_info, xenstore page, console page, page tables, boot stack, in that
 * order from the kernel's first page, all inside one bootstrap mapping that
 * starts at virt_base and ends on a 4 MiB boundary with >= 512 KiB to spare.
 */
#ifndef XB_LAYOUT_H
#define XB_LAYOUT_H

#include <stdint.h>

#include <xbuild/builder.h>
#include <xbuild/error.h>

/* The inputs: what the image says plus the domain's memory size. */
struct xb_layout_in {
    unsigned guest;                  /* XB_GUEST_PV64 or XB_GUEST_PV32PAE */
    uint64_t virt_base;              /* image: VIRT_BASE */
    uint64_t virt_kstart, virt_kend; /* image: first/last+1 virtual byte of the kernel */
    uint64_t virt_entry;
    uint64_t virt_hypercall; /* XB_UNSET_ADDR if none */
    uint64_t hv_start_low;   /* PAE only: image's HV_START_LOW, XB_UNSET_ADDR = default */
    uint64_t ramdisk_len;    /* bytes, 0 = none */
    uint64_t total_pages;    /* initial memory in pages */
};

/*
 * Fill @out from @in. Returns 0, or -EINVAL/-ERANGE/-ENOMEM (guest too small
 * for its own bootstrap mapping) with the reason in @err. Every sum is
 * overflow-checked: @in may come from a hostile image.
 */
int xb__layout_compute(const struct xb_layout_in *in, struct xb_layout *out,
                       struct xb_err *err);

/* Page-table count per level for the range [from, to] (inclusive). */
void xb__layout_count_tables(unsigned levels, uint64_t from, uint64_t to, unsigned nr[4]);

#endif
