/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/layout.h - the start-of-day layout of an x86 PV guest (and,
 * at the end, of a PVH guest: layout/pvh.c), as pure
 * arithmetic (no hypercalls, no allocation): kernel, ramdisk, p2m list,
 * start_info, xenstore page, console page, page tables, boot stack, in that
 * order from the kernel's first page, all inside one bootstrap mapping that
 * starts at virt_base and ends on a 4 MiB boundary with >= 512 KiB to spare.
 */
#ifndef XB_LAYOUT_H
#define XB_LAYOUT_H

#include <stdbool.h>
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

/* ---- PVH (layout/pvh.c) ---- */

#define XB_PVH_MODULES_MAX     2           /* as xl: room for two in the start info */
#define XB_PVH_MOD_CMDLINE_MAX 1024        /* bytes of a module's command line, NUL in */
#define XB_PVH_CMDLINE_MAX     (64 * 1024) /* the kernel's command line, NUL in */

/* The inputs: the kernel's physical range and entry, its modules, the memory. */
struct xb_pvh_layout_in {
    uint64_t kstart, kend; /* paddr range of the PT_LOAD segments */
    uint64_t entry;        /* PHYS32_ENTRY */
    uint64_t cmdline_len;  /* strlen of the kernel's command line; 0 = none */
    unsigned nr_modules;   /* up to XB_PVH_MODULES_MAX, in this order: */
    enum xb_seg_id mod_seg[XB_PVH_MODULES_MAX]; /* XB_SEG_PV_KERNEL or XB_SEG_RAMDISK */
    uint64_t mod_len[XB_PVH_MODULES_MAX];       /* bytes, > 0 */
    uint64_t total_pages;                       /* RAM, in pages */
    bool acpi;                                  /* build ACPI tables (acpi = 1) */
    unsigned vcpus, max_vcpus;                  /* what the MADT describes */
};

/*
 * Lay a PVH guest out in guest physical memory (see struct xb_layout).
 * With @in->acpi, the ACPI tables get seg[XB_SEG_ACPI] at XB_ACPI_PADDR
 * (layout/acpi.h), outside RAM, with an E820 entry of type ACPI, and
 * rsdp_paddr. Returns 0, or -EINVAL/-ERANGE/-ENOMEM with the reason in
 * @err: an entry outside the kernel, a kernel or start info that cannot
 * lie below 4 GiB, RAM too small for what must be in it, more vCPUs than
 * a MADT describes. Every sum is overflow-checked.
 */
int xb__layout_pvh(const struct xb_pvh_layout_in *in, struct xb_layout *out,
                   struct xb_err *err);

/*
 * The invariants of a PVH layout, checked on their own (xb__layout_pvh ends
 * with it; tests feed it doctored layouts): every placed segment lies in RAM
 * below 4 GiB and overlaps no other and no special page; the ACPI tables,
 * when there are any, lie in an E820 entry of type ACPI, the RSDP first.
 * -EINVAL with the two culprits named.
 */
int xb__layout_pvh_check(const struct xb_layout *lo, struct xb_err *err);

#endif
