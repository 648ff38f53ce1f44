/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/acpi.c - a PVH guest's ACPI tables (ACPI 6.0), as
 * small as Linux takes them: an RSDP pointing at an XSDT that lists a FADT
 * and a MADT; the FADT says the platform is hardware-reduced (Xen emulates
 * no PM1 block, PM timer, SCI, RTC or VGA for a PVH domain, so none is
 * described) and points at a DSDT; the DSDT holds one processor device per
 * vCPU and nothing else (no power states, no other devices); the MADT gives
 * the local APIC address and one local APIC per vCPU, enabled for the vCPUs
 * online at boot. Without the MADT Linux finds no local APIC, so Xen has
 * nowhere to deliver event-channel upcalls; without the processor devices
 * a vCPU beyond the boot ones cannot be brought up later (Linux maps its
 * local APIC from the device's _MAT when it finds the device at boot, and
 * only then takes it when xenstore says the vCPU is online). Pure: bytes
 * into a buffer, every field little-endian, every offset checked against
 * its capacity.
 *
 * The DSDT's AML, for vCPU v (ACPI 6.0, 20.2: ScopeOp 0x10, DeviceOp 0x5b
 * 0x82, NameOp 0x08, StringPrefix 0x0d, BytePrefix 0x0a, BufferOp 0x11,
 * each PkgLength counting itself and what follows it in its scope):
 *   Scope (\_SB) {
 *     Device (Cnnn) {                  nnn: v in 3 upper-case hex digits
 *       Name (_HID, "ACPI0007")        a processor device
 *       Name (_UID, v)                 = the MADT's processor UID
 *       Name (_STA, 0x0f)              present (Linux hot-adds a processor
 *                                      the MADT has disabled only if so)
 *       Name (_MAT, Buffer (8) { 0, 8, v, 2 * v, 1, 0, 0, 0 })
 *     } ...                            its local APIC, enabled
 *   }
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "acpi.h"

#define ALIGN        16u
#define OEM_ID       "XBUILD"   /* 6 bytes */
#define OEM_TABLE_ID "XBPVH   " /* 8 bytes */
#define CREATOR_ID   "XBLD"     /* 4 bytes */
#define DSDT_REV     2u         /* 64-bit integers in its AML */
#define AML_DEVICE   53u        /* one processor device's bytes, see above */
#define AML_STA_ON   0x0fu      /* present, enabled, shown, functioning */
#define AML_SB_NAME  5u         /* \_SB_ */
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

/* Bytes of the PkgLength of @body bytes: 1 below 64 in all, else 2 or 3. */
static unsigned pkglen_size(uint32_t body)
{
    return body + 1 < 64 ? 1 : body + 2 < (1u << 12) ? 2 : 3;
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
    map->dsdt_len = XB_ACPI_HDR_LEN + 1 +
                    pkglen_size(AML_SB_NAME + AML_DEVICE * in->max_vcpus) + AML_SB_NAME +
                    AML_DEVICE * in->max_vcpus;
    map->madt = align_up(map->dsdt + map->dsdt_len);
    map->len = map->madt + XB_ACPI_MADT_FIXED + XB_ACPI_MADT_LAPIC * in->max_vcpus;
    return 0;
}

/* A PkgLength for @body bytes that follow it (it counts itself too). */
static uint8_t *put_pkglen(uint8_t *p, uint32_t body)
{
    unsigned n = pkglen_size(body);
    uint32_t len = body + n;

    if (n == 1) {
        *p = (uint8_t)len;
        return p + 1;
    }
    p[0] = (uint8_t)(((n - 1) << 6) | (len & 0x0f)); /* bits 5-4 stay 0 */
    for (unsigned i = 1; i < n; i++)
        p[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
    return p + n;
}

static uint8_t *put_name(uint8_t *p, const char name[4])
{
    *p++ = 0x08; /* NameOp */
    memcpy(p, name, 4);
    return p + 4;
}

/* Device (Cnnn) for vCPU @v: AML_DEVICE bytes. */
static uint8_t *put_cpu_device(uint8_t *p, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    const uint8_t mat[8] = {XB_MADT_TYPE_LAPIC,
                            XB_ACPI_MADT_LAPIC,
                            (uint8_t)v,
                            (uint8_t)(2 * v),
                            XB_MADT_LAPIC_ENABLED,
                            0,
                            0,
                            0};

    *p++ = 0x5b; /* ExtOpPrefix */
    *p++ = 0x82; /* DeviceOp */
    p = put_pkglen(p, AML_DEVICE - 3);
    *p++ = 'C';
    *p++ = (uint8_t)hex[(v >> 8) & 0xf];
    *p++ = (uint8_t)hex[(v >> 4) & 0xf];
    *p++ = (uint8_t)hex[v & 0xf];
    p = put_name(p, "_HID");
    *p++ = 0x0d; /* StringPrefix */
    memcpy(p, "ACPI0007", 9);
    p += 9;
    p = put_name(p, "_UID");
    *p++ = 0x0a; /* BytePrefix */
    *p++ = (uint8_t)v;
    p = put_name(p, "_STA");
    *p++ = 0x0a;
    *p++ = AML_STA_ON;
    p = put_name(p, "_MAT");
    *p++ = 0x11;                /* BufferOp */
    *p++ = 1 + 2 + sizeof(mat); /* PkgLength: itself, the size, the bytes */
    *p++ = 0x0a;
    *p++ = sizeof(mat);
    memcpy(p, mat, sizeof(mat));
    return p + sizeof(mat);
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

/* The DSDT: \_SB with one processor device per vCPU (the AML above). */
static void write_dsdt(uint8_t *p, uint32_t len, unsigned max_vcpus)
{
    uint8_t *a = p + XB_ACPI_HDR_LEN;

    header(p, "DSDT", len, DSDT_REV);
    *a++ = 0x10; /* ScopeOp */
    a = put_pkglen(a, AML_SB_NAME + AML_DEVICE * max_vcpus);
    memcpy(a, "\\_SB_", AML_SB_NAME);
    a += AML_SB_NAME;
    for (unsigned v = 0; v < max_vcpus; v++)
        a = put_cpu_device(a, v);
    seal(p, len);
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
    write_dsdt(buf + m.dsdt, (uint32_t)m.dsdt_len, in->max_vcpus);
    write_madt(buf + m.madt, in);
    return 0;
}
