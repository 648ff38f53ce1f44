/* SPDX-License-Identifier: MIT */
/*
 * The start-of-day layout: segment order, the bootstrap mapping's 4 MiB end
 * with >= 512 KiB slack, page-table counts checked against an independent
 * per-page count, and rejection of hostile or impossible inputs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "builder/layout/layout.h"

#define MIB  (1ull << 20)
#define PAGE 4096ull

/* Tables per level counted page by page: distinct (va >> shift) values. */
static void count_per_page(unsigned levels, uint64_t start, uint64_t end, unsigned nr[4])
{
    memset(nr, 0, 4 * sizeof(nr[0]));
    for (unsigned l = 0; l + 1 < levels; l++) {
        unsigned shift = 21 + 9 * l;
        uint64_t prev = UINT64_MAX;
        for (uint64_t va = start; va < end; va += PAGE) {
            if ((va >> shift) != prev)
                nr[l]++;
            prev = va >> shift;
        }
    }
    nr[levels - 1] = 1;
}

static void check_invariants(const struct xb_layout *lo, unsigned levels)
{
    unsigned nr[4];
    uint64_t sum = 0;

    assert_int_equal(lo->levels, levels);
    assert_int_equal(lo->bootstrap_end % (4 * MIB), 0);
    assert_true(lo->bootstrap_end - lo->seg[XB_SEG_STACK].vend >= 512 * 1024);
    for (int i = XB_SEG_KERNEL + 1; i < XB_SEG_COUNT; i++) {
        const struct xb_layout_seg *prev = &lo->seg[i - 1];
        if (i == XB_SEG_P2M && lo->seg[XB_SEG_RAMDISK].pages == 0)
            prev = &lo->seg[XB_SEG_KERNEL];
        if (lo->seg[i].pages == 0)
            continue;
        assert_int_equal(lo->seg[i].vstart, prev->vend);
        assert_int_equal(lo->seg[i].pfn, (lo->seg[i].vstart - lo->virt_base) / PAGE);
        assert_int_equal(lo->seg[i].vend - lo->seg[i].vstart, lo->seg[i].pages * PAGE);
    }
    count_per_page(levels, lo->virt_base, lo->bootstrap_end, nr);
    if (levels == 3 && lo->bootstrap_end <= 0xc0000000ull)
        nr[1]++;
    for (unsigned l = 0; l < levels; l++) {
        assert_int_equal(lo->nr_tables[l], nr[l]);
        sum += nr[l];
    }
    assert_int_equal(lo->nr_pt_frames, sum);
    assert_int_equal(lo->seg[XB_SEG_PGTABLES].pages, sum);
    assert_true((lo->bootstrap_end - lo->virt_base) / PAGE <= lo->total_pages);
}

static struct xb_layout_in minios(void)
{
    return (struct xb_layout_in){
        .guest = XB_GUEST_PV64,
        .virt_base = 0,
        .virt_kstart = 0,
        .virt_kend = 0x7a123,
        .virt_entry = 0,
        .virt_hypercall = 0x2000,
        .hv_start_low = XB_UNSET_ADDR,
        .total_pages = 32 * MIB / PAGE,
    };
}

static void minios_64(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    check_invariants(&lo, 4);
    assert_string_equal(lo.guest_type, "xen-3.0-x86_64");
    assert_int_equal(lo.seg[XB_SEG_KERNEL].pages, 0x7b);
    assert_int_equal(lo.seg[XB_SEG_P2M].pfn, 0x7b);
    assert_int_equal(lo.seg[XB_SEG_P2M].pages, 16); /* 8192 pfns * 8 bytes */
    assert_int_equal(lo.seg[XB_SEG_START_INFO].pfn, 0x8b);
    assert_int_equal(lo.seg[XB_SEG_XENSTORE].pfn, 0x8c);
    assert_int_equal(lo.seg[XB_SEG_CONSOLE].pfn, 0x8d);
    assert_int_equal(lo.seg[XB_SEG_PGTABLES].pfn, 0x8e);
    assert_int_equal(lo.bootstrap_end, 4 * MIB);
    assert_int_equal(lo.nr_pt_frames, 5); /* L4, L3, L2, two L1 */
    assert_int_equal(lo.seg[XB_SEG_STACK].pfn, 0x93);
}

static void linux_like_with_ramdisk(void **state)
{
    struct xb_layout_in in = {
        .guest = XB_GUEST_PV64,
        .virt_base = 0xffffffff80000000ull,
        .virt_kstart = 0xffffffff81000000ull,
        .virt_kend = 0xffffffff82c3a000ull,
        .virt_entry = 0xffffffff81000040ull,
        .virt_hypercall = 0xffffffff81001000ull,
        .hv_start_low = XB_UNSET_ADDR,
        .ramdisk_len = 10 * MIB + 1,
        .total_pages = 512 * MIB / PAGE,
    };
    struct xb_layout lo;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    check_invariants(&lo, 4);
    assert_int_equal(lo.seg[XB_SEG_KERNEL].pfn, 0x1000);
    assert_int_equal(lo.seg[XB_SEG_RAMDISK].pages, 10 * MIB / PAGE + 1);
    assert_int_equal(lo.seg[XB_SEG_P2M].pages, 256); /* 1 MiB of 8-byte entries */
}

/* Tables that tip the mapping over a 4 MiB boundary force another round. */
static void pagetables_cross_boundary(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;
    struct xb_err err = {0};

    /* After console, 4 MiB - 129 pages - 3 pages remain: too few for 5 tables. */
    in.virt_kend = 4 * MIB - (129 + 3 + 16 + 3) * PAGE;
    in.virt_hypercall = XB_UNSET_ADDR;
    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    check_invariants(&lo, 4);
    assert_int_equal(lo.bootstrap_end, 8 * MIB);
    assert_int_equal(lo.nr_tables[0], 4);
}

static void every_kernel_size_holds(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;

    in.virt_hypercall = XB_UNSET_ADDR;
    for (uint64_t end = PAGE; end < 9 * MIB; end += 7 * PAGE + 123) {
        struct xb_err err = {0};
        in.virt_kend = end;
        assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
        check_invariants(&lo, 4);
    }
}

static void pae_extra_l2_below_3g(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;
    struct xb_err err = {0};

    in.guest = XB_GUEST_PV32PAE;
    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    check_invariants(&lo, 3);
    assert_string_equal(lo.guest_type, "xen-3.0-x86_32p");
    assert_int_equal(lo.seg[XB_SEG_P2M].pages, 8); /* 4-byte entries */
    assert_int_equal(lo.nr_tables[1], 2);          /* mapped L2 + L3 slot 3's */
    assert_int_equal(lo.nr_tables[2], 1);
}

static void pae_at_3g_no_extra_l2(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;
    struct xb_err err = {0};

    in.guest = XB_GUEST_PV32PAE;
    in.virt_base = in.virt_kstart = 0xc0000000ull;
    in.virt_kend += in.virt_base;
    in.virt_entry += in.virt_base;
    in.virt_hypercall += in.virt_base;
    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    check_invariants(&lo, 3);
    assert_int_equal(lo.nr_tables[1], 1);
}

static void rejects(struct xb_layout_in in, int code, const char *needle)
{
    struct xb_layout lo;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_compute(&in, &lo, &err), code);
    assert_int_equal(err.code, code);
    assert_non_null(strstr(err.msg, needle));
}

static void hostile_inputs(void **state)
{
    struct xb_layout_in in = minios();

    in.virt_entry = 0x7b000;
    rejects(in, -EINVAL, "entry point");
    in = minios();
    in.virt_kstart = 0x800;
    rejects(in, -EINVAL, "not page aligned");
    in = minios();
    in.virt_hypercall = 0x80000;
    rejects(in, -EINVAL, "hypercall page");
    in = minios();
    in.virt_base = in.virt_kstart = 0xfffffffffff00000ull;
    in.virt_kend = 0xfffffffffff80000ull;
    in.virt_entry = in.virt_kstart;
    in.virt_hypercall = XB_UNSET_ADDR;
    rejects(in, -ERANGE, "address space");
    in = minios();
    in.virt_base = in.virt_kstart = 0xffff800000000000ull;
    in.virt_kend = in.virt_base + 0x1000;
    in.virt_entry = in.virt_base;
    in.virt_hypercall = XB_UNSET_ADDR;
    rejects(in, -ERANGE, "Xen's area");
    in = minios();
    in.total_pages = 0;
    rejects(in, -EINVAL, "memory");
    in = minios();
    in.guest = 0;
    rejects(in, -EINVAL, "not an x86 PV type");
}

/* As libxc: the hypercall page may be any page from virt_base to the kernel's end. */
static void hypercall_page_anywhere_below_kend(void **state)
{
    struct xb_layout_in in = minios();
    struct xb_layout lo;
    struct xb_err err = {0};

    in.virt_kstart = 0x100000;
    in.virt_kend += 0x100000;
    in.virt_entry = 0x100000;
    in.virt_hypercall = 0x3000; /* below the kernel */
    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    assert_int_equal(lo.seg[XB_SEG_KERNEL].pfn, 0x100);
    in.virt_hypercall = 0x101234; /* not aligned: its page */
    assert_int_equal(xb__layout_compute(&in, &lo, &err), 0);
    in.virt_hypercall = in.virt_kend;
    rejects(in, -EINVAL, "hypercall page");
}

static void memory_too_small(void **state)
{
    struct xb_layout_in in = minios();

    in.total_pages = 900; /* 3.5 MiB: less than the 4 MiB mapping */
    rejects(in, -ENOMEM, "raise memory");
}

static void pae_into_xen_area(void **state)
{
    struct xb_layout_in in = minios();

    in.guest = XB_GUEST_PV32PAE;
    in.virt_base = in.virt_kstart = 0xf5400000ull;
    in.virt_kend = in.virt_base + 0x380000;
    in.virt_entry = in.virt_base;
    in.virt_hypercall = XB_UNSET_ADDR;
    rejects(in, -ERANGE, "Xen's area");
    in.virt_base = in.virt_kstart = 0x1f0000000ull;
    rejects(in, -ERANGE, "above 4 GiB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minios_64),
        cmocka_unit_test(linux_like_with_ramdisk),
        cmocka_unit_test(pagetables_cross_boundary),
        cmocka_unit_test(every_kernel_size_holds),
        cmocka_unit_test(pae_extra_l2_below_3g),
        cmocka_unit_test(pae_at_3g_no_extra_l2),
        cmocka_unit_test(hostile_inputs),
        cmocka_unit_test(hypercall_page_anywhere_below_kend),
        cmocka_unit_test(memory_too_small),
        cmocka_unit_test(pae_into_xen_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
