/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/guest/pvh.h - the PVH guest type (and the PV shim, a PVH guest
 * whose kernel is the shim and whose first module is the PV kernel): write
 * a guest's start of day into its created, populated domain.
 */
#ifndef XB_GUEST_PVH_H
#define XB_GUEST_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/builder.h>
#include <xbuild/image.h>

#include "../hv/hv.h"
#include "../layout/layout.h"

struct xb_pvh_module {
    const uint8_t *data; /* lo->seg[seg] holds its bytes */
    size_t len;
    enum xb_seg_id seg;  /* XB_SEG_PV_KERNEL or XB_SEG_RAMDISK */
    const char *cmdline; /* NULL = none */
};

struct xb_pvh_boot {
    const struct xb_layout *lo; /* from xb__layout_pvh() */
    const struct xb_image *img; /* the kernel that runs (the shim's, for a shim) */
    const char *cmdline;        /* the kernel's; NULL = none */
    struct xb_pvh_module mod[XB_PVH_MODULES_MAX];
    unsigned nr_modules; /* = lo->nr_modules */
    uint32_t store_port, console_port;
    unsigned vcpus, max_vcpus; /* online at boot, in all (the MADT's) */
};

/*
 * Write the start of day, in this order: the memory map (XENMEM_set_memory_map);
 * through one foreign mapping of the gfns from the kernel to the start
 * info, the kernel at its paddrs, the modules, the hvm_start_info with its
 * command line, module list, memory map and RSDP; the ACPI tables through a
 * mapping of their own pages (when the layout has them); the special pages cleared (and
 * the identity page table xl writes for CR0.PG=0 under EPT); the HVM
 * params (rings, their ports, timer mode); every vCPU's MTRRs enabled with
 * write-back as the default type, then vCPU 0 in 32-bit flat protected mode
 * at PHYS32_ENTRY with %ebx at the start info (the others stay down).
 * Preconditions: a PVH domain populated as @b->lo says. On error the domain
 * is left for the caller to destroy; no mapping stays behind.
 * *@mod_cmdline_cut is set when a module's command line was longer than
 * its slot (cut, never silently). Errors go to @err.
 */
int xb__pvh_build(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                  const struct xb_pvh_boot *b, bool *mod_cmdline_cut);

#endif
