/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/pv.c - the start-of-day layout of an x86 PV guest (see
 * xen/include/public/xen.h, "Start-of-day memory layout"). Pure arithmetic over checked
 * integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../hv/hv.h"
#include "layout.h"

#define MIB                   (UINT64_C(1) << 20)
#define BOOTSTRAP_ALIGN_MASK  (4 * MIB - 1) /* mapping ends on a 4 MiB boundary */
#define BOOTSTRAP_SLACK_PAGES (512 * 1024 / XB_PAGE_SIZE)
#define PAE_HV_START_DEFAULT  0xf5800000ull /* compat guests on a 64-bit Xen */
#define PAE_L3_SLOT3          0xc0000000ull
#define X64_HOLE_START        0xffff800000000000ull /* reserved for Xen */
#define X64_HOLE_END          0xffff880000000000ull
#define X64_LOW_END           0x0000800000000000ull /* end of the lower canonical half */
#define MAX_PT_ROUNDS         16

struct guest_kind {
    unsigned guest;
    const char *type;
    unsigned levels, pfn_size;
};

static const struct guest_kind kinds[] = {
    {.guest = XB_GUEST_PV64, .type = "xen-3.0-x86_64", .levels = 4, .pfn_size = 8},
    {.guest = XB_GUEST_PV32PAE, .type = "xen-3.0-x86_32p", .levels = 3, .pfn_size = 4},
};

static const char *const seg_names[XB_SEG_COUNT] = {
    [XB_SEG_KERNEL] = "kernel",
    [XB_SEG_RAMDISK] = "ramdisk",
    [XB_SEG_P2M] = "p2m",
    [XB_SEG_START_INFO] = "start_info",
    [XB_SEG_XENSTORE] = "xenstore",
    [XB_SEG_CONSOLE] = "console",
    [XB_SEG_PGTABLES] = "page tables",
    [XB_SEG_STACK] = "boot stack",
    [XB_SEG_PV_KERNEL] = "pv kernel", /* PVH only (the PV shim's module) */
};

static const struct guest_kind *find_kind(unsigned guest)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].guest == guest)
            return &kinds[i];
    return NULL;
}

void xb__layout_count_tables(unsigned levels, uint64_t from, uint64_t to, unsigned nr[4])
{
    memset(nr, 0, 4 * sizeof(nr[0]));
    for (unsigned l = 0; l + 1 < levels; l++) {
        unsigned shift = 21 + 9 * l; /* bytes one table of level l+1 maps */
        nr[l] = (unsigned)((to >> shift) - (from >> shift) + 1);
    }
    nr[levels - 1] = 1;
    /* PAE: Xen wants an L2 under L3 slot 3 even when nothing is mapped there. */
    if (levels == 3 && to < PAE_L3_SLOT3)
        nr[1]++;
}

/* Append a segment of @bytes at the allocation cursor *@cur. */
static int seg_alloc(struct xb_layout *lo, enum xb_seg_id id, uint64_t *cur,
                     uint64_t bytes, struct xb_err *err)
{
    struct xb_layout_seg *s = &lo->seg[id];
    uint64_t pages = bytes / XB_PAGE_SIZE + (bytes % XB_PAGE_SIZE != 0);
    uint64_t len;

    if (__builtin_mul_overflow(pages, XB_PAGE_SIZE, &len) ||
        __builtin_add_overflow(*cur, len, &s->vend))
        return xb_err_set(err, -ERANGE,
                          "layout: %s (%" PRIu64 " bytes) runs past the end "
                          "of the address space",
                          seg_names[id], bytes);
    s->vstart = *cur;
    s->pfn = (*cur - lo->virt_base) / XB_PAGE_SIZE;
    s->pages = pages;
    *cur = s->vend;
    return 0;
}

static int check_kernel(const struct xb_layout_in *in, struct xb_err *err)
{
    if (in->virt_base % XB_PAGE_SIZE || in->virt_kstart % XB_PAGE_SIZE)
        return xb_err_set(err, -EINVAL,
                          "kernel: virtual base 0x%" PRIx64 " / start 0x%" PRIx64
                          " is not page aligned",
                          in->virt_base, in->virt_kstart);
    if (in->virt_kstart < in->virt_base || in->virt_kend <= in->virt_kstart)
        return xb_err_set(err, -EINVAL,
                          "kernel: range [0x%" PRIx64 ", 0x%" PRIx64
                          ") is empty or below the virtual base 0x%" PRIx64,
                          in->virt_kstart, in->virt_kend, in->virt_base);
    if (in->virt_entry < in->virt_kstart || in->virt_entry >= in->virt_kend)
        return xb_err_set(err, -EINVAL,
                          "kernel: entry point 0x%" PRIx64 " is outside the "
                          "kernel [0x%" PRIx64 ", 0x%" PRIx64 ")",
                          in->virt_entry, in->virt_kstart, in->virt_kend);
    /* Xen fills the page holding it: any page from virt_base to the kernel's end. */
    if (in->virt_hypercall != XB_UNSET_ADDR &&
        (in->virt_hypercall < in->virt_base || in->virt_hypercall >= in->virt_kend))
        return xb_err_set(err, -EINVAL,
                          "kernel: hypercall page 0x%" PRIx64 " is outside "
                          "[0x%" PRIx64 ", 0x%" PRIx64 ")",
                          in->virt_hypercall, in->virt_base, in->virt_kend);
    return 0;
}

/* Grow the page-table segment until the tables map themselves plus slack. */
static int size_pgtables(struct xb_layout *lo, uint64_t cur, uint64_t *end_incl,
                         struct xb_err *err)
{
    uint64_t pages = 1 + BOOTSTRAP_SLACK_PAGES, need;

    for (unsigned round = 0; round < MAX_PT_ROUNDS; round++) {
        if (__builtin_add_overflow(cur, pages * XB_PAGE_SIZE, &need) ||
            __builtin_sub_overflow(need, 1, &need))
            break;
        *end_incl = need | BOOTSTRAP_ALIGN_MASK;
        if (*end_incl == UINT64_MAX)
            break;
        xb__layout_count_tables(lo->levels, lo->virt_base, *end_incl, lo->nr_tables);
        lo->nr_pt_frames = 0;
        for (unsigned l = 0; l < lo->levels; l++)
            lo->nr_pt_frames += lo->nr_tables[l];
        pages = lo->nr_pt_frames + 1 + BOOTSTRAP_SLACK_PAGES;
        if (need <= *end_incl && (*end_incl - cur) / XB_PAGE_SIZE + 1 >= pages)
            return 0;
    }
    return xb_err_set(err, -ERANGE,
                      "layout: the bootstrap mapping from 0x%" PRIx64
                      " does not fit in the address space",
                      lo->virt_base);
}

static int check_range(const struct xb_layout_in *in, const struct xb_layout *lo,
                       struct xb_err *err)
{
    uint64_t last = lo->bootstrap_end - 1;
    uint64_t limit =
        in->hv_start_low == XB_UNSET_ADDR ? PAE_HV_START_DEFAULT : in->hv_start_low;

    if (lo->levels == 3 && lo->bootstrap_end > limit)
        return xb_err_set(err, -ERANGE,
                          "layout: the bootstrap mapping [0x%" PRIx64 ", 0x%" PRIx64
                          ") reaches Xen's area at 0x%" PRIx64,
                          lo->virt_base, lo->bootstrap_end, limit);
    if (lo->levels == 4 && !(last < X64_LOW_END || (lo->virt_base >= X64_HOLE_END)))
        return xb_err_set(err, -ERANGE,
                          "layout: the bootstrap mapping [0x%" PRIx64 ", 0x%" PRIx64
                          ") is not canonical or overlaps Xen's area",
                          lo->virt_base, lo->bootstrap_end);
    return 0;
}

static int check_memory(const struct xb_layout *lo, struct xb_err *err)
{
    uint64_t pages = (lo->bootstrap_end - lo->virt_base) / XB_PAGE_SIZE;

    if (pages > lo->total_pages)
        return xb_err_set(err, -ENOMEM,
                          "memory: the kernel's bootstrap mapping needs %" PRIu64
                          " MiB but the domain has %" PRIu64 " MiB; raise memory",
                          ((pages << XB_PAGE_SHIFT) + MIB - 1) / MIB,
                          (lo->total_pages << XB_PAGE_SHIFT) / MIB);
    return 0;
}

static int init_layout(const struct xb_layout_in *in, struct xb_layout *lo,
                       struct xb_err *err)
{
    const struct guest_kind *k = find_kind(in->guest);

    if (!k)
        return xb_err_set(err, -EINVAL, "layout: guest type %#x is not an x86 PV type",
                          in->guest);
    if (in->total_pages == 0 || in->total_pages > (UINT64_MAX >> XB_PAGE_SHIFT) / 8)
        return xb_err_set(err, -EINVAL, "memory: %" PRIu64 " pages is not a usable size",
                          in->total_pages);
    if (k->levels == 3 && (in->virt_kend > (1ull << 32) || in->virt_base >= (1ull << 32)))
        return xb_err_set(err, -ERANGE,
                          "kernel: a 32-bit kernel above 4 GiB (0x%" PRIx64 ")",
                          in->virt_kend);
    *lo = (struct xb_layout){
        .guest_type = k->type,
        .levels = k->levels,
        .pfn_size = k->pfn_size,
        .total_pages = in->total_pages,
        .virt_base = in->virt_base,
        .virt_entry = in->virt_entry,
        .virt_hypercall = in->virt_hypercall,
    };
    for (unsigned i = 0; i < XB_SEG_COUNT; i++)
        lo->seg[i].name = seg_names[i];
    return 0;
}

static int place_segments(const struct xb_layout_in *in, struct xb_layout *lo,
                          struct xb_err *err)
{
    uint64_t cur = in->virt_kstart, end_incl = 0;
    int rc;

    rc = seg_alloc(lo, XB_SEG_KERNEL, &cur, in->virt_kend - in->virt_kstart, err);
    if (!rc && in->ramdisk_len)
        rc = seg_alloc(lo, XB_SEG_RAMDISK, &cur, in->ramdisk_len, err);
    if (!rc)
        rc = seg_alloc(lo, XB_SEG_P2M, &cur, in->total_pages * lo->pfn_size, err);
    for (enum xb_seg_id id = XB_SEG_START_INFO; !rc && id <= XB_SEG_CONSOLE; id++)
        rc = seg_alloc(lo, id, &cur, XB_PAGE_SIZE, err);
    if (!rc)
        rc = size_pgtables(lo, cur, &end_incl, err);
    if (!rc)
        rc = seg_alloc(lo, XB_SEG_PGTABLES, &cur, lo->nr_pt_frames * XB_PAGE_SIZE, err);
    if (!rc)
        rc = seg_alloc(lo, XB_SEG_STACK, &cur, XB_PAGE_SIZE, err);
    if (!rc)
        lo->bootstrap_end = end_incl + 1;
    if (!rc && lo->seg[XB_SEG_RAMDISK].pages == 0)
        lo->seg[XB_SEG_RAMDISK].vstart = lo->seg[XB_SEG_RAMDISK].vend = 0;
    return rc;
}

int xb__layout_compute(const struct xb_layout_in *in, struct xb_layout *out,
                       struct xb_err *err)
{
    struct xb_layout lo;
    int rc;

    rc = init_layout(in, &lo, err);
    if (!rc)
        rc = check_kernel(in, err);
    if (!rc)
        rc = place_segments(in, &lo, err);
    if (!rc)
        rc = check_range(in, &lo, err);
    if (!rc)
        rc = check_memory(&lo, err);
    if (!rc)
        *out = lo;
    return rc;
}
