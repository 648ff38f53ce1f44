/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/layout/acpi.h - the ACPI tables of a PVH guest, built by pure
 * functions into a buffer (layout/acpi.c): what Linux needs to find its
 * local APICs (and so take event-channel upcalls) and to know it has no
 * legacy hardware, and the processor devices that let it take more vCPUs
 * later. The ACPI 6.0 layouts of the tables are here, with the
 * offsets of every field we set, so that the builder, the sim and the
 * tests agree on one description.
 */
#ifndef XB_LAYOUT_ACPI_H
#define XB_LAYOUT_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>

/* Where the tables go: xl's place, in the MMIO hole below the special pages. */
#define XB_ACPI_PADDR 0xfc000000ull
/* Xen's HVM_MAX_VCPUS: every vCPU's local APIC ID (2 * vCPU) fits a MADT entry. */
#define XB_ACPI_MAX_VCPUS 128u
/* Xen's emulated local APIC, at the architectural address. */
#define XB_ACPI_LAPIC_ADDR 0xfee00000u

/* Sizes (bytes) of the tables and their parts. */
#define XB_ACPI_RSDP_LEN     36u  /* revision 2 (ACPI 2.0+) */
#define XB_ACPI_RSDP_V1_LEN  20u  /* what the first checksum covers */
#define XB_ACPI_HDR_LEN      36u  /* every other table starts with this header */
#define XB_ACPI_FADT_LEN     276u /* revision 6 (ACPI 6.0) */
#define XB_ACPI_MADT_FIXED   44u  /* header, local APIC address, flags */
#define XB_ACPI_MADT_LAPIC   8u   /* one Processor Local APIC structure */
#define XB_ACPI_XSDT_ENTRIES 2u   /* FADT, MADT */

/* Offsets in the RSDP. */
#define XB_RSDP_CHECKSUM  8u
#define XB_RSDP_OEMID     9u
#define XB_RSDP_REVISION  15u
#define XB_RSDP_RSDT      16u
#define XB_RSDP_LENGTH    20u
#define XB_RSDP_XSDT      24u
#define XB_RSDP_XCHECKSUM 32u

/* Offsets in a table header. */
#define XB_HDR_LENGTH   4u
#define XB_HDR_REVISION 8u
#define XB_HDR_CHECKSUM 9u

/* Offsets in the FADT. */
#define XB_FADT_DSDT      40u
#define XB_FADT_BOOT_ARCH 109u /* IA-PC boot architecture flags */
#define XB_FADT_FLAGS     112u
#define XB_FADT_MINOR     131u
#define XB_FADT_X_DSDT    140u

#define XB_FADT_BOOT_NO_VGA  (1u << 2)
#define XB_FADT_BOOT_NO_CMOS (1u << 5)
#define XB_FADT_WBINVD       (1u << 0)
#define XB_FADT_PWR_BUTTON   (1u << 4) /* set: no fixed-feature power button */
#define XB_FADT_SLP_BUTTON   (1u << 5) /* set: no fixed-feature sleep button */
#define XB_FADT_HW_REDUCED   (1u << 20)

/* MADT: fixed part after the header, then its structures. */
#define XB_MADT_LAPIC_ADDR    36u
#define XB_MADT_FLAGS         40u
#define XB_MADT_TYPE_LAPIC    0u
#define XB_MADT_LAPIC_ENABLED 1u

/* What the tables describe. */
struct xb_acpi_in {
    uint64_t paddr;     /* guest physical address of the buffer's first byte */
    unsigned vcpus;     /* online at boot: their local APICs enabled */
    unsigned max_vcpus; /* one local APIC each, 1..XB_ACPI_MAX_VCPUS */
};

/* Where each table lies, as offsets from the buffer's start. */
struct xb_acpi_map {
    uint64_t rsdp, xsdt, fadt, dsdt, madt;
    uint64_t dsdt_len; /* the DSDT's length (its AML grows with the vCPUs) */
    uint64_t len;      /* bytes in all, from the RSDP at offset 0 */
};

/*
 * Where the tables of @in go (only @in->max_vcpus matters). Returns 0, or
 * -EINVAL (no vCPU, more than XB_ACPI_MAX_VCPUS, more online than there
 * are) with the reason in @err.
 */
int xb__acpi_map(const struct xb_acpi_in *in, struct xb_acpi_map *map,
                 struct xb_err *err);

/*
 * Write the tables of @in into @buf (@cap bytes, zeroed by the caller for
 * at least map.len of them): RSDP (revision 2, at offset 0), XSDT (FADT,
 * MADT), FADT (hardware-reduced: no PM registers, SCI, PM timer, CMOS RTC,
 * VGA; the DSDT), DSDT (a processor device per vCPU: _HID ACPI0007, _UID
 * the vCPU, _STA present, _MAT its local APIC enabled), MADT (one
 * enabled local APIC per online vCPU, one disabled per other vCPU, APIC ID
 * 2 * vCPU as Xen numbers them; no I/O APIC). Every checksum is set.
 * Returns 0, or -EINVAL/-ENOSPC with the reason in @err.
 */
int xb__acpi_write(const struct xb_acpi_in *in, uint8_t *buf, size_t cap,
                   struct xb_err *err);

/* The byte that makes the sum of @p[0..@len) zero with it. */
uint8_t xb__acpi_checksum(const uint8_t *p, size_t len);

#endif
