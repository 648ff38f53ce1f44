/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/acpi.c - a PVH guest's ACPI tables (ACPI 6.0), as
 * small as Linux takes them: an RSDP pointing at an XSDT that lists a FADT
 * and a MADT; the FADT says the platform is hardware-reduced (Xen emulates
 * no PM1 block, PM timer, SCI, RTC or VGA for a PVH domain, so none is
 * described) and points at a DSDT; the DSDT is a definition block with no
 * AML in it (Linux asks it for nothing: no power states, no devices; vCPUs
 * come from the MADT); the MADT gives the local APIC address and one local
 * APIC per vCPU. Without the MADT Linux finds no local APIC, so Xen has
 * nowhere to deliver event-channel upcalls. Pure: bytes into a buffer,
 * every field little-endian, every offset checked against its capacity.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "acpi.h"

#define ALIGN        16u
#define OEM_ID       "XBUILD"   /* 6 bytes */
#define OEM_TABLE_ID "XBPVH   " /* 8 bytes */
#define CREATOR_ID   "XBLD"     /* 4 bytes */
#define DSDT_REV     2u         /* 64-bit integers in its (empty) AML */
#define FADT_REV     6u
#define MADT_REV     4u /* ACPI 6.0: a disabled entry may be hot-plugged */
#define XSDT_REV     1u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t xb__acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while (len--)
        sum = (uint8_t)(sum + *p++);
    return (uint8_t)(0u - sum);
}

static uint64_t align_up(uint64_t v)
{
    return (v + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
}

int xb__acpi_map(const struct xb_acpi_in *in, struct xb_acpi_map *map, struct xb_err *err)
{
    if (in->max_vcpus == 0 || in->max_vcpus > XB_ACPI_MAX_VCPUS)
        return xb_err_set(err, -EINVAL,
                          "acpi: %u vCPUs: a PVH guest's MADT describes 1 to %u",
                          in->max_vcpus, XB_ACPI_MAX_VCPUS);
    if (in->vcpus == 0 || in->vcpus > in->max_vcpus)
        return xb_err_set(err, -EINVAL, "acpi: %u vCPUs online of %u", in->vcpus,
                          in->max_vcpus);
    map->rsdp = 0;
    map->xsdt = align_up(map->rsdp + XB_ACPI_RSDP_LEN);
    map->fadt = align_up(map->xsdt + XB_ACPI_HDR_LEN + 8 * XB_ACPI_XSDT_ENTRIES);
    map->dsdt = align_up(map->fadt + XB_ACPI_FADT_LEN);
    map->madt = align_up(map->dsdt + XB_ACPI_HDR_LEN);
    map->len = map->madt + XB_ACPI_MADT_FIXED + XB_ACPI_MADT_LAPIC * in->max_vcpus;
    return 0;
}

/* A table header of @len bytes at @p; the checksum is set last, by seal(). */
static void header(uint8_t *p, const char sig[4], uint32_t len, uint8_t rev)
{
    memcpy(p, sig, 4);
    put32(p + XB_HDR_LENGTH, len);
    p[XB_HDR_REVISION] = rev;
    memcpy(p + 10, OEM_ID, 6);
    memcpy(p + 16, OEM_TABLE_ID, 8);
    put32(p + 24, 1); /* OEM revision */
    memcpy(p + 28, CREATOR_ID, 4);
    put32(p + 32, 1); /* creator revision */
}

static void seal(uint8_t *p, uint32_t len)
{
    p[XB_HDR_CHECKSUM] = 0;
    p[XB_HDR_CHECKSUM] = xb__acpi_checksum(p, len);
}

static void write_rsdp(uint8_t *p, uint64_t xsdt_paddr)
{
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + XB_RSDP_OEMID, OEM_ID, 6);
    p[XB_RSDP_REVISION] = 2;
    put32(p + XB_RSDP_RSDT, 0); /* no RSDT: revision 2 readers take the XSDT */
    put32(p + XB_RSDP_LENGTH, XB_ACPI_RSDP_LEN);
    put64(p + XB_RSDP_XSDT, xsdt_paddr);
    p[XB_RSDP_CHECKSUM] = xb__acpi_checksum(p, XB_ACPI_RSDP_V1_LEN);
    p[XB_RSDP_XCHECKSUM] = xb__acpi_checksum(p, XB_ACPI_RSDP_LEN);
}

static void write_xsdt(uint8_t *p, uint64_t fadt_paddr, uint64_t madt_paddr)
{
    const uint32_t len = XB_ACPI_HDR_LEN + 8 * XB_ACPI_XSDT_ENTRIES;

    header(p, "XSDT", len, XSDT_REV);
    put64(p + XB_ACPI_HDR_LEN, fadt_paddr);
    put64(p + XB_ACPI_HDR_LEN + 8, madt_paddr);
    seal(p, len);
}

/*
 * Hardware-reduced: every fixed-feature block, the SCI, the reset and sleep
 * registers stay zero; the boot flags say no VGA and no CMOS RTC (no 8042
 * flag: none); no FACS (optional when hardware-reduced).
 */
static void write_fadt(uint8_t *p, uint64_t dsdt_paddr)
{
    header(p, "FACP", XB_ACPI_FADT_LEN, FADT_REV);
    put32(p + XB_FADT_DSDT, (uint32_t)dsdt_paddr); /* below 4 GiB: both fields */
    put16(p + XB_FADT_BOOT_ARCH, XB_FADT_BOOT_NO_VGA | XB_FADT_BOOT_NO_CMOS);
    put32(p + XB_FADT_FLAGS,
          XB_FADT_WBINVD | XB_FADT_PWR_BUTTON | XB_FADT_SLP_BUTTON | XB_FADT_HW_REDUCED);
    p[XB_FADT_MINOR] = 0;
    put64(p + XB_FADT_X_DSDT, dsdt_paddr);
    seal(p, XB_ACPI_FADT_LEN);
}

/* The DSDT's AML is empty: the header alone is a valid definition block. */
static void write_dsdt(uint8_t *p)
{
    header(p, "DSDT", XB_ACPI_HDR_LEN, DSDT_REV);
    seal(p, XB_ACPI_HDR_LEN);
}

/* Processor UID = vCPU, APIC ID = 2 * vCPU (Xen's vLAPIC numbering). */
static void write_madt(uint8_t *p, const struct xb_acpi_in *in)
{
    const uint32_t len = XB_ACPI_MADT_FIXED + XB_ACPI_MADT_LAPIC * in->max_vcpus;

    header(p, "APIC", len, MADT_REV);
    put32(p + XB_MADT_LAPIC_ADDR, XB_ACPI_LAPIC_ADDR);
    put32(p + XB_MADT_FLAGS, 0); /* no dual 8259 PICs */
    for (unsigned v = 0; v < in->max_vcpus; v++) {
        uint8_t *e = p + XB_ACPI_MADT_FIXED + XB_ACPI_MADT_LAPIC * v;
        e[0] = XB_MADT_TYPE_LAPIC;
        e[1] = XB_ACPI_MADT_LAPIC;
        e[2] = (uint8_t)v;
        e[3] = (uint8_t)(2 * v);
        put32(e + 4, v < in->vcpus ? XB_MADT_LAPIC_ENABLED : 0);
    }
    seal(p, len);
}

int xb__acpi_write(const struct xb_acpi_in *in, uint8_t *buf, size_t cap,
                   struct xb_err *err)
{
    struct xb_acpi_map m;
    uint64_t end;
    int rc = xb__acpi_map(in, &m, err);

    if (rc)
        return rc;
    if (m.len > cap)
        return xb_err_set(err, -ENOSPC,
                          "acpi: the tables take %" PRIu64 " bytes, the buffer has %zu",
                          m.len, cap);
    if (__builtin_add_overflow(in->paddr, m.len, &end) || end > (UINT64_C(1) << 32))
        return xb_err_set(err, -EINVAL,
                          "acpi: tables at 0x%" PRIx64 " would not lie below 4 GiB",
                          in->paddr);
    write_rsdp(buf + m.rsdp, in->paddr + m.xsdt);
    write_xsdt(buf + m.xsdt, in->paddr + m.fadt, in->paddr + m.madt);
    write_fadt(buf + m.fadt, in->paddr + m.dsdt);
    write_dsdt(buf + m.dsdt);
    write_madt(buf + m.madt, in);
    return 0;
}
