/* SPDX-License-Identifier: MIT */
/*
 * A PVH guest's ACPI tables (layout/acpi.c) read back as a guest's ACPI
 * code reads them, from the RSDP through the XSDT to the FADT, DSDT and
 * MADT: signatures, lengths, revisions, checksums, the hardware-reduced
 * FADT, the DSDT's AML (a processor device per vCPU, decoded), one local
 * APIC per vCPU (UID = vCPU, APIC ID = 2 * vCPU, the online ones enabled);
 * refused inputs; the PVH layout placing them (an
 * E820 ACPI entry between RAM and the special pages, rsdp_paddr) or not
 * (acpi = 0), and its invariant checks on doctored layouts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "builder/layout/acpi.h"
#include "builder/layout/layout.h"

#define BASE 0xfc000000ull

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* The table at guest address @pa of @buf (which starts at BASE): checked header. */
static const uint8_t *table(const uint8_t *buf, size_t cap, uint64_t pa, const char *sig,
                            uint8_t rev)
{
    const uint8_t *t;
    uint32_t len;

    assert_true(pa >= BASE && pa - BASE + 36 <= cap);
    t = buf + (pa - BASE);
    assert_memory_equal(t, sig, 4);
    len = rd32(t + 4);
    assert_true(len >= 36 && pa - BASE + len <= cap);
    assert_int_equal(t[8], rev);
    assert_int_equal(sum(t, len), 0);
    assert_memory_equal(t + 10, "XBUILD", 6);
    return t;
}

/* A PkgLength at @p: its value (it counts itself) and its size in *@n. */
static uint32_t pkglen(const uint8_t *p, unsigned *n)
{
    uint32_t v;

    *n = 1 + (p[0] >> 6);
    if (*n == 1)
        return p[0] & 0x3f;
    assert_int_equal(p[0] & 0x30, 0);
    v = p[0] & 0x0f;
    for (unsigned i = 1; i < *n; i++)
        v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
    return v;
}

/* The DSDT's AML: Scope (\_SB) with Device (Cnnn) { _HID "ACPI0007", _UID v,
 * _STA present, _MAT: v's local APIC, enabled } for each of @vcpus, and
 * nothing more. */
static void check_dsdt(const uint8_t *t, unsigned vcpus)
{
    const uint32_t len = rd32(t + 4);
    const uint8_t *p = t + 36;
    unsigned n;
    uint32_t scope;

    assert_int_equal(p[0], 0x10);
    scope = pkglen(p + 1, &n);
    assert_int_equal(1 + scope, len - 36); /* the scope is the whole AML */
    p += 1 + n;
    assert_memory_equal(p, "\\_SB_", 5);
    p += 5;
    for (unsigned v = 0; v < vcpus; v++) {
        char name[5];
        const uint8_t mat[8] = {0, 8, (uint8_t)v, (uint8_t)(2 * v), 1, 0, 0, 0};
        uint32_t dev;
        assert_int_equal(p[0], 0x5b);
        assert_int_equal(p[1], 0x82);
        dev = pkglen(p + 2, &n);
        assert_int_equal(dev, 51);
        snprintf(name, sizeof(name), "C%03X", v);
        assert_memory_equal(p + 2 + n, name, 4);
        p += 2 + n + 4;
        assert_memory_equal(p,
                            "\x08_HID\x0d"
                            "ACPI0007",
                            14);
        assert_int_equal(p[14], 0);
        p += 15;
        assert_memory_equal(p, "\x08_UID\x0a", 6);
        assert_int_equal(p[6], v);
        p += 7;
        assert_memory_equal(p, "\x08_STA\x0a\x0f", 7);
        p += 7;
        assert_memory_equal(p, "\x08_MAT\x11\x0b\x0a\x08", 9);
        assert_memory_equal(p + 9, mat, 8);
        p += 17;
    }
    assert_ptr_equal(p, t + len);
}

static void tables_as_a_guest_reads_them(void **state)
{
    const struct xb_acpi_in in = {.paddr = BASE, .vcpus = 3, .max_vcpus = 5};
    uint8_t buf[4096] = {0};
    struct xb_acpi_map m;
    const uint8_t *x, *f, *madt;

    assert_int_equal(xb__acpi_map(&in, &m, NULL), 0);
    assert_true(m.len <= sizeof(buf));
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), NULL), 0);
    /* RSDP: revision 2, both checksums, the XSDT's address, no RSDT */
    assert_memory_equal(buf, "RSD PTR ", 8);
    assert_int_equal(sum(buf, 20), 0);
    assert_int_equal(buf[15], 2);
    assert_int_equal(rd32(buf + 16), 0);
    assert_int_equal(rd32(buf + 20), 36);
    assert_int_equal(sum(buf, 36), 0);
    /* XSDT: the FADT and the MADT */
    x = table(buf, sizeof(buf), rd64(buf + 24), "XSDT", 1);
    assert_int_equal(rd32(x + 4), 36 + 16);
    f = table(buf, sizeof(buf), rd64(x + 36), "FACP", 6);
    madt = table(buf, sizeof(buf), rd64(x + 44), "APIC", 4);
    /* FADT: ACPI 6.0's length, hardware-reduced, no VGA or CMOS RTC, its DSDT */
    assert_int_equal(rd32(f + 4), 276);
    assert_true(rd32(f + 112) & (1u << 20));
    assert_int_equal(f[109] | f[110] << 8, (1u << 2) | (1u << 5));
    assert_int_equal(rd32(f + 56), 0);       /* no PM1a event block */
    assert_int_equal(rd32(f + 64), 0);       /* no PM1a control block */
    assert_int_equal(rd32(f + 76), 0);       /* no PM timer */
    assert_int_equal(f[46] | f[47] << 8, 0); /* no SCI */
    assert_int_equal(rd32(f + 40), rd64(f + 140));
    check_dsdt(table(buf, sizeof(buf), rd64(f + 140), "DSDT", 2), 5);
    /* MADT: the local APIC address, no PC-AT PICs, 5 local APICs, 3 enabled */
    assert_int_equal(rd32(madt + 4), 44 + 5 * 8);
    assert_int_equal(rd32(madt + 36), 0xfee00000u);
    assert_int_equal(rd32(madt + 40), 0);
    for (unsigned v = 0; v < 5; v++) {
        const uint8_t *e = madt + 44 + 8 * v;
        assert_int_equal(e[0], 0);
        assert_int_equal(e[1], 8);
        assert_int_equal(e[2], v);
        assert_int_equal(e[3], 2 * v);
        assert_int_equal(rd32(e + 4), v < 3 ? 1 : 0);
    }
    /* every table inside the map's length, none overlapping the next */
    assert_true(m.rsdp + 36 <= m.xsdt && m.xsdt + 52 <= m.fadt &&
                m.fadt + 276 <= m.dsdt && m.dsdt + m.dsdt_len <= m.madt &&
                m.madt + 44 + 40 == m.len);
    assert_int_equal(m.dsdt_len, 36 + 1 + 2 + 5 + 5 * 53); /* a 2-byte PkgLength */
}

/* Xen's 128 vCPUs: APIC IDs up to 254, in three pages (a 3-byte PkgLength);
 * one vCPU: a 1-byte PkgLength. */
static void most_and_fewest_vcpus(void **state)
{
    struct xb_acpi_in in = {.paddr = BASE, .vcpus = 128, .max_vcpus = 128};
    static uint8_t buf[3 * 4096];
    struct xb_acpi_map m;
    const uint8_t *madt;

    assert_int_equal(xb__acpi_map(&in, &m, NULL), 0);
    assert_true(m.len > 8192 && m.len <= 3 * 4096);
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), NULL), 0);
    madt = table(buf, sizeof(buf), BASE + m.madt, "APIC", 4);
    assert_int_equal(madt[44 + 8 * 127 + 3], 254);
    assert_int_equal(m.dsdt_len, 36 + 1 + 3 + 5 + 128 * 53);
    check_dsdt(table(buf, sizeof(buf), BASE + m.dsdt, "DSDT", 2), 128);
    in.vcpus = in.max_vcpus = 1;
    memset(buf, 0, sizeof(buf));
    assert_int_equal(xb__acpi_map(&in, &m, NULL), 0);
    assert_int_equal(m.dsdt_len, 36 + 1 + 1 + 5 + 53);
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), NULL), 0);
    check_dsdt(table(buf, sizeof(buf), BASE + m.dsdt, "DSDT", 2), 1);
}

static void bad_inputs_refused(void **state)
{
    struct xb_acpi_in in = {.paddr = BASE, .vcpus = 1, .max_vcpus = 0};
    struct xb_acpi_map m;
    struct xb_err err = {0};
    static uint8_t buf[4096];

    assert_int_equal(xb__acpi_map(&in, &m, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "0 vCPUs: a PVH guest's MADT describes 1 to 128"));
    xb_err_clear(&err);
    in.max_vcpus = 129;
    assert_int_equal(xb__acpi_map(&in, &m, &err), -EINVAL);
    xb_err_clear(&err);
    in.max_vcpus = 2;
    in.vcpus = 3;
    assert_int_equal(xb__acpi_map(&in, &m, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "3 vCPUs online of 2"));
    xb_err_clear(&err);
    in.vcpus = 0;
    assert_int_equal(xb__acpi_map(&in, &m, &err), -EINVAL);
    xb_err_clear(&err);
    in.vcpus = 1;
    in.max_vcpus = 128; /* 7.5 KiB of tables */
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), &err), -ENOSPC);
    assert_non_null(strstr(err.msg, "the buffer has 4096"));
    xb_err_clear(&err);
    in.max_vcpus = 1;
    in.paddr = 0xffffff00ull; /* would cross 4 GiB */
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), &err), -EINVAL);
    assert_non_null(strstr(err.msg, "below 4 GiB"));
    xb_err_clear(&err);
    in.paddr = UINT64_MAX - 8; /* wraps */
    assert_int_equal(xb__acpi_write(&in, buf, sizeof(buf), &err), -EINVAL);
}

static const struct xb_pvh_layout_in pvh_in = {
    .kstart = 0x100000,
    .kend = 0x10f120,
    .entry = 0x100000,
    .total_pages = 8192,
    .acpi = true,
    .vcpus = 2,
    .max_vcpus = 4,
};

static void layout_places_them(void **state)
{
    struct xb_pvh_layout_in in = pvh_in;
    struct xb_layout lo;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(lo.rsdp_paddr, BASE);
    assert_string_equal(lo.seg[XB_SEG_ACPI].name, "acpi");
    assert_int_equal(lo.seg[XB_SEG_ACPI].vstart, BASE);
    assert_int_equal(lo.seg[XB_SEG_ACPI].pfn, BASE >> 12);
    assert_int_equal(lo.seg[XB_SEG_ACPI].pages, 1);
    /* RAM, the tables (type ACPI), the special pages: in address order */
    assert_int_equal(lo.nr_e820, 3);
    assert_int_equal(lo.e820[0].type, 1);
    assert_int_equal(lo.e820[1].addr, BASE);
    assert_int_equal(lo.e820[1].size, 4096);
    assert_int_equal(lo.e820[1].type, 3);
    assert_int_equal(lo.e820[2].addr, 0xfeff8000ull);
    /* RAM above 4 GiB comes after them */
    in.total_pages = (5ull << 30) / 4096;
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(lo.nr_e820, 4);
    assert_int_equal(lo.e820[1].type, 3);
    assert_int_equal(lo.e820[3].addr, 1ull << 32);
    /* acpi = 0: none, as xl */
    in = pvh_in;
    in.acpi = false;
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(lo.rsdp_paddr, 0);
    assert_int_equal(lo.seg[XB_SEG_ACPI].pages, 0);
    assert_int_equal(lo.nr_e820, 2);
    assert_int_equal(lo.e820[1].type, 2);
    /* 128 vCPUs: three pages of tables, one E820 entry */
    in.acpi = true;
    in.vcpus = in.max_vcpus = 128;
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(lo.seg[XB_SEG_ACPI].pages, 3);
    assert_int_equal(lo.e820[1].size, 3 * 4096);
    in.acpi = false;
    in.vcpus = 2;
    /* more vCPUs than a MADT takes: refused only with tables */
    in.max_vcpus = 129;
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    in.acpi = true;
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "129 vCPUs"));
}

static void layout_invariants(void **state)
{
    struct xb_layout lo, bad;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_pvh(&pvh_in, &lo, &err), 0);
    assert_int_equal(xb__layout_pvh_check(&lo, &err), 0);
    bad = lo; /* an RSDP but no tables */
    bad.seg[XB_SEG_ACPI].pages = 0;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "an RSDP at 0xfc000000 but no ACPI tables"));
    xb_err_clear(&err);
    bad = lo; /* the RSDP elsewhere */
    bad.rsdp_paddr += 16;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "RSDP first"));
    xb_err_clear(&err);
    bad = lo; /* the tables in RAM */
    bad.seg[XB_SEG_ACPI].vstart = bad.rsdp_paddr = 0x200000;
    bad.seg[XB_SEG_ACPI].vend = 0x201000;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "not between RAM and the special pages"));
    xb_err_clear(&err);
    bad = lo; /* their map entry reserved, not ACPI */
    bad.e820[1].type = 2;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "is in no ACPI entry of the memory map"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_as_a_guest_reads_them),
        cmocka_unit_test(most_and_fewest_vcpus),
        cmocka_unit_test(bad_inputs_refused),
        cmocka_unit_test(layout_places_them),
        cmocka_unit_test(layout_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
