/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/pvh.c - where a PVH guest's start of day goes in guest
 * physical memory (docs/misc/pvh.pandoc), as xl lays it out: the kernel at
 * its ELF paddr, each module on the next page, then one start info segment
 * (struct hvm_start_info, the command line rounded up to 8 bytes, a module
 * list with room for two entries and two 1 KiB module command lines, the
 * memory map), RAM from 0 up to the MMIO hole below 4 GiB (the rest above
 * 4 GiB) and the 8 special pages just below 0xff000000, reserved in the map;
 * with ACPI, its tables at 0xfc000000 (layout/acpi.c), an ACPI entry of the
 * map. Pure arithmetic over checked integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../guest/abi_hvm.h"
#include "../hv/hv.h"
#include "acpi.h"
#include "layout.h"

#define FOUR_GIB      (UINT64_C(1) << 32)
#define MIB           (UINT64_C(1) << 20)
#define PAGE_MASK     (XB_PAGE_SIZE - 1)
#define GUEST_TYPE    "hvm-3.0-x86_32"
#define LOW_RAM_LIMIT ((uint64_t)HVM_BELOW_4G_RAM_END) /* the MMIO hole starts here */

static const char *const seg_names[XB_SEG_COUNT] = {
    [XB_SEG_KERNEL] = "kernel",
    [XB_SEG_RAMDISK] = "ramdisk",
    [XB_SEG_START_INFO] = "start_info",
    [XB_SEG_XENSTORE] = "xenstore",
    [XB_SEG_CONSOLE] = "console",
    [XB_SEG_PV_KERNEL] = "pv kernel",
    [XB_SEG_ACPI] = "acpi",
};

/* seg[@id] = the bytes [@start, @start + @len): whole pages from @start's. */
static int seg_set(struct xb_layout *lo, enum xb_seg_id id, uint64_t start, uint64_t len,
                   struct xb_err *err)
{
    struct xb_layout_seg *s = &lo->seg[id];
    uint64_t end;

    if (__builtin_add_overflow(start, len, &end) || end > UINT64_MAX - PAGE_MASK)
        return xb_err_set(err, -ERANGE,
                          "layout: %s (%" PRIu64 " bytes at 0x%" PRIx64
                          ") runs past the end of the address space",
                          seg_names[id], len, start);
    s->vstart = start & ~PAGE_MASK;
    s->vend = (end + PAGE_MASK) & ~PAGE_MASK;
    s->pfn = s->vstart >> XB_PAGE_SHIFT;
    s->pages = (s->vend - s->vstart) >> XB_PAGE_SHIFT;
    return 0;
}

static int check_in(const struct xb_pvh_layout_in *in, struct xb_err *err)
{
    if (in->kend <= in->kstart)
        return xb_err_set(err, -EINVAL,
                          "kernel: physical range [0x%" PRIx64 ", 0x%" PRIx64
                          ") is empty",
                          in->kstart, in->kend);
    if (in->entry < in->kstart || in->entry >= in->kend)
        return xb_err_set(err, -EINVAL,
                          "kernel: PHYS32_ENTRY 0x%" PRIx64
                          " is outside the kernel's physical range [0x%" PRIx64
                          ", 0x%" PRIx64 ")",
                          in->entry, in->kstart, in->kend);
    if (in->kend > FOUR_GIB)
        return xb_err_set(err, -ERANGE,
                          "kernel: loads up to paddr 0x%" PRIx64
                          ", above 4 GiB where a PVH kernel cannot start",
                          in->kend);
    if (in->nr_modules > XB_PVH_MODULES_MAX)
        return xb_err_set(err, -EINVAL, "layout: %u modules (a PVH guest here takes %d)",
                          in->nr_modules, XB_PVH_MODULES_MAX);
    if (in->cmdline_len >= XB_PVH_CMDLINE_MAX)
        return xb_err_set(err, -E2BIG, "cmdline: %" PRIu64 " bytes (at most %d for PVH)",
                          in->cmdline_len, XB_PVH_CMDLINE_MAX - 1);
    if (in->total_pages == 0 || in->total_pages > (UINT64_MAX >> XB_PAGE_SHIFT) / 2)
        return xb_err_set(err, -EINVAL, "memory: %" PRIu64 " pages is not a usable size",
                          in->total_pages);
    return 0;
}

/* The ACPI tables: whole pages at XB_ACPI_PADDR, the RSDP first. */
static int place_acpi(const struct xb_pvh_layout_in *in, struct xb_layout *lo,
                      struct xb_err *err)
{
    const struct xb_acpi_in a = {
        .paddr = XB_ACPI_PADDR, .vcpus = in->vcpus, .max_vcpus = in->max_vcpus};
    struct xb_acpi_map map;
    int rc = xb__acpi_map(&a, &map, err);

    if (!rc)
        rc = seg_set(lo, XB_SEG_ACPI, XB_ACPI_PADDR, map.len, err);
    if (rc)
        return rc;
    lo->rsdp_paddr = XB_ACPI_PADDR + map.rsdp;
    lo->e820[lo->nr_e820++] =
        (struct xb_e820_entry){lo->seg[XB_SEG_ACPI].vstart,
                               lo->seg[XB_SEG_ACPI].pages * XB_PAGE_SIZE, XB_E820_ACPI};
    return 0;
}

/* RAM below the hole, the ACPI tables, the special pages, RAM above 4 GiB
 * when memory spills over: in address order. */
static int memory_map(const struct xb_pvh_layout_in *in, struct xb_layout *lo,
                      struct xb_err *err)
{
    uint64_t bytes = in->total_pages << XB_PAGE_SHIFT;
    uint64_t low = bytes < LOW_RAM_LIMIT ? bytes : LOW_RAM_LIMIT;
    int rc;

    lo->special_gfn = XB_HVM_SPECIAL_FIRST;
    lo->nr_special = XB_HVM_NR_SPECIAL;
    lo->e820[lo->nr_e820++] = (struct xb_e820_entry){0, low, XB_E820_RAM};
    if (in->acpi && (rc = place_acpi(in, lo, err)))
        return rc;
    lo->e820[lo->nr_e820++] =
        (struct xb_e820_entry){XB_HVM_SPECIAL_FIRST << XB_PAGE_SHIFT,
                               XB_HVM_NR_SPECIAL * XB_PAGE_SIZE, XB_E820_RESERVED};
    if (bytes > low)
        lo->e820[lo->nr_e820++] =
            (struct xb_e820_entry){FOUR_GIB, bytes - low, XB_E820_RAM};
    lo->seg[XB_SEG_XENSTORE].pfn = XB_HVM_SPECIAL_FIRST + XB_HVM_SPECIAL_STORE;
    lo->seg[XB_SEG_CONSOLE].pfn = XB_HVM_SPECIAL_FIRST + XB_HVM_SPECIAL_CONS;
    for (enum xb_seg_id id = XB_SEG_XENSTORE; id <= XB_SEG_CONSOLE; id++) {
        lo->seg[id].pages = 1;
        lo->seg[id].vstart = lo->seg[id].pfn << XB_PAGE_SHIFT;
        lo->seg[id].vend = lo->seg[id].vstart + XB_PAGE_SIZE;
    }
    return 0;
}

/* The start info segment: struct, command line, module list and command lines, map. */
static int place_start_info(const struct xb_pvh_layout_in *in, struct xb_layout *lo,
                            uint64_t at, struct xb_err *err)
{
    uint64_t cmdline = in->cmdline_len ? (in->cmdline_len + 1 + 7) & ~UINT64_C(7) : 0;
    uint64_t modlist = at + sizeof(struct hvm_start_info) + cmdline;
    uint64_t memmap = modlist + XB_PVH_MODULES_MAX * (sizeof(struct hvm_modlist_entry) +
                                                      XB_PVH_MOD_CMDLINE_MAX);
    uint64_t end = memmap + lo->nr_e820 * sizeof(struct hvm_memmap_table_entry);

    if (at >= FOUR_GIB || end > FOUR_GIB)
        return xb_err_set(
            err, -ERANGE,
            "layout: the start info would lie at 0x%" PRIx64
            ", above 4 GiB where the guest cannot reach it (the kernel ends "
            "at 0x%" PRIx64 ", its modules take %" PRIu64 " MiB more)",
            at, in->kend, (uint64_t)((at - ((in->kend + PAGE_MASK) & ~PAGE_MASK)) / MIB));
    lo->cmdline_paddr = in->cmdline_len ? at + sizeof(struct hvm_start_info) : 0;
    lo->modlist_paddr = in->nr_modules ? modlist : 0;
    lo->memmap_paddr = memmap;
    return seg_set(lo, XB_SEG_START_INFO, at, end - at, err);
}

/* Kernel, modules on the following pages, the start info after them. */
static int place(const struct xb_pvh_layout_in *in, struct xb_layout *lo,
                 struct xb_err *err)
{
    int rc = seg_set(lo, XB_SEG_KERNEL, in->kstart, in->kend - in->kstart, err);
    uint64_t at = lo->seg[XB_SEG_KERNEL].vend;

    for (unsigned i = 0; !rc && i < in->nr_modules; i++) {
        enum xb_seg_id id = in->mod_seg[i];
        if ((id != XB_SEG_RAMDISK && id != XB_SEG_PV_KERNEL) || lo->seg[id].pages ||
            in->mod_len[i] == 0)
            return xb_err_set(err, -EINVAL, "layout: module %u is empty or not a module",
                              i);
        rc = seg_set(lo, id, at, in->mod_len[i], err);
        at = lo->seg[id].vend;
    }
    lo->nr_modules = in->nr_modules;
    return rc ? rc : place_start_info(in, lo, at, err);
}

static uint64_t ram_below_4g(const struct xb_layout *lo)
{
    return lo->e820[0].size;
}

/* Everything the guest starts with must be in RAM below the hole. */
static int check_ram(const struct xb_layout *lo, struct xb_err *err)
{
    uint64_t need = lo->seg[XB_SEG_START_INFO].vend;

    if (need <= ram_below_4g(lo))
        return 0;
    if (need > LOW_RAM_LIMIT)
        return xb_err_set(err, -ERANGE,
                          "layout: the kernel, its modules and the start info end at "
                          "0x%" PRIx64 ", in the MMIO hole at 0x%" PRIx64
                          " below 4 GiB where there is no RAM",
                          need, LOW_RAM_LIMIT);
    return xb_err_set(err, -ENOMEM,
                      "memory: the kernel, its modules and the start info need %" PRIu64
                      " MiB of RAM but the domain has %" PRIu64 " MiB; raise memory",
                      (need + MIB - 1) / MIB, lo->total_pages >> (20 - XB_PAGE_SHIFT));
}

_Static_assert(XB_LAYOUT_E820_MAX >= 4, "RAM, ACPI, special pages, RAM above 4 GiB");

/* The tables: in one E820 ACPI entry, outside RAM and the special pages. */
static int check_acpi(const struct xb_layout *lo, struct xb_err *err)
{
    const struct xb_layout_seg *a = &lo->seg[XB_SEG_ACPI];
    const uint64_t special = lo->special_gfn << XB_PAGE_SHIFT;

    if (!a->pages)
        return lo->rsdp_paddr
                   ? xb_err_set(err, -EINVAL,
                                "layout: an RSDP at 0x%" PRIx64 " but no ACPI tables",
                                lo->rsdp_paddr)
                   : 0;
    if (lo->rsdp_paddr != a->vstart || a->vend <= a->vstart ||
        a->vstart < ram_below_4g(lo) || a->vend > special)
        return xb_err_set(err, -EINVAL,
                          "layout: acpi [0x%" PRIx64 ", 0x%" PRIx64
                          ") with the RSDP at 0x%" PRIx64
                          " is not between RAM and the special pages, RSDP first",
                          a->vstart, a->vend, lo->rsdp_paddr);
    for (unsigned i = 0; i < lo->nr_e820; i++) {
        const struct xb_e820_entry *e = &lo->e820[i];
        if (e->type == XB_E820_ACPI && a->vstart >= e->addr &&
            a->vend - e->addr <= e->size)
            return 0;
    }
    return xb_err_set(err, -EINVAL,
                      "layout: acpi [0x%" PRIx64 ", 0x%" PRIx64
                      ") is in no ACPI entry of the memory map",
                      a->vstart, a->vend);
}

int xb__layout_pvh_check(const struct xb_layout *lo, struct xb_err *err)
{
    static const enum xb_seg_id placed[] = {XB_SEG_KERNEL, XB_SEG_PV_KERNEL,
                                            XB_SEG_RAMDISK, XB_SEG_START_INFO};
    const uint64_t special = lo->special_gfn << XB_PAGE_SHIFT,
                   special_end = special + lo->nr_special * XB_PAGE_SIZE;

    for (size_t i = 0; i < sizeof(placed) / sizeof(placed[0]); i++) {
        const struct xb_layout_seg *a = &lo->seg[placed[i]];
        if (!a->pages)
            continue;
        if (a->vend <= a->vstart || a->vend > ram_below_4g(lo))
            return xb_err_set(err, -EINVAL,
                              "layout: %s [0x%" PRIx64 ", 0x%" PRIx64
                              ") is not in RAM below 4 GiB",
                              a->name, a->vstart, a->vend);
        if (a->vstart < special_end && special < a->vend)
            return xb_err_set(err, -EINVAL,
                              "layout: %s [0x%" PRIx64 ", 0x%" PRIx64
                              ") overlaps the special pages at 0x%" PRIx64,
                              a->name, a->vstart, a->vend, special);
        for (size_t k = 0; k < i; k++) {
            const struct xb_layout_seg *b = &lo->seg[placed[k]];
            if (b->pages && a->vstart < b->vend && b->vstart < a->vend)
                return xb_err_set(err, -EINVAL,
                                  "layout: %s [0x%" PRIx64 ", 0x%" PRIx64
                                  ") overlaps %s [0x%" PRIx64 ", 0x%" PRIx64 ")",
                                  a->name, a->vstart, a->vend, b->name, b->vstart,
                                  b->vend);
        }
    }
    return check_acpi(lo, err);
}

int xb__layout_pvh(const struct xb_pvh_layout_in *in, struct xb_layout *out,
                   struct xb_err *err)
{
    struct xb_layout lo = {
        .guest_type = GUEST_TYPE,
        .total_pages = in->total_pages,
        .virt_entry = in->entry,
        .virt_hypercall = XB_UNSET_ADDR,
    };
    int rc = check_in(in, err);

    for (unsigned i = 0; i < XB_SEG_COUNT; i++)
        lo.seg[i].name = seg_names[i] ? seg_names[i] : "";
    if (!rc)
        rc = memory_map(in, &lo, err);
    if (!rc)
        rc = place(in, &lo, err);
    if (!rc)
        rc = check_ram(&lo, err);
    if (!rc)
        rc = xb__layout_pvh_check(&lo, err);
    if (!rc)
        *out = lo;
    return rc;
}
