/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/acpi_check.c - what the simulated machine checks of a
 * PVH guest's ACPI tables at its first unpause, reading them as the guest
 * would from hvm_start_info.rsdp_paddr (physical addresses through the
 * p2m): every byte inside a populated E820 entry of type ACPI (or NVS);
 * the RSDP's signature, revision 2, length and both checksums; the XSDT's
 * signature, length and checksum, and each table it lists (header length,
 * checksum, no signature twice); a FADT whose DSDT is a valid table; a
 * MADT with the local APIC address, one local APIC per vCPU of the domain
 * (processor UID = vCPU, APIC ID = 2 * vCPU, as Xen numbers them), vCPU 0's
 * enabled, and no I/O APIC (Xen emulates none for a PVH domain).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../guest/abi_hvm.h"
#include "sim.h"

#define HDR         36u
#define MAX_TABLE   (64u * 1024) /* longer than any table a builder writes here */
#define MAX_ENTRIES 32u
#define LAPIC_ADDR  0xfee00000u

struct acpi_view {
    struct sim *s;
    struct xb_err *err;
    const struct sim_dom *d;
};

static int fail(const struct acpi_view *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(const struct acpi_view *g, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xb_err_set(g->err, -EINVAL, "sim: unpause: PVH: ACPI: %s", msg);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Whether [gpa, gpa + len) lies in one E820 entry of type ACPI or NVS. */
static bool in_acpi_entry(const struct sim_dom *d, uint64_t gpa, uint64_t len)
{
    for (unsigned i = 0; i < d->hvm.ne820; i++) {
        const struct xb_hv_e820 *e = &d->hvm.e820[i];
        if ((e->type == XB_E820_ACPI || e->type == XB_E820_NVS) && gpa >= e->addr &&
            len <= e->size && gpa - e->addr <= e->size - len)
            return true;
    }
    return false;
}

/*
 * [gpa, gpa + len) of the tables, populated: copied into @buf (when not
 * NULL, at most @len bytes) and summed into *@sum (when not NULL).
 */
static int read_acpi(const struct acpi_view *g, uint64_t gpa, uint64_t len, void *buf,
                     uint8_t *sum, const char *what)
{
    uint8_t *out = buf, s = 0;

    if (len == 0 || len > MAX_TABLE || !in_acpi_entry(g->d, gpa, len))
        return fail(g,
                    "the %s [0x%" PRIx64 ", +0x%" PRIx64
                    ") is not inside one E820 entry of type ACPI",
                    what, gpa, len);
    while (len) {
        uint64_t off = gpa % XB_PAGE_SIZE, n = XB_PAGE_SIZE - off;
        xb_mfn mfn = xb__sim_gfn_mfn(g->d, gpa >> XB_PAGE_SHIFT);
        const uint8_t *p;
        if (mfn == XB_NO_MFN)
            return fail(g, "the %s's page at gfn 0x%" PRIx64 " is not populated", what,
                        gpa >> XB_PAGE_SHIFT);
        p = xb__sim_mem(g->s, mfn) + off;
        if (n > len)
            n = len;
        for (uint64_t i = 0; i < n; i++)
            s = (uint8_t)(s + p[i]);
        if (out) {
            memcpy(out, p, n);
            out += n;
        }
        gpa += n;
        len -= n;
    }
    if (sum)
        *sum = s;
    return 0;
}

/* The table at @gpa: its header into @hdr, its length, signature @sig, checksum. */
static int read_table(const struct acpi_view *g, uint64_t gpa, const char *sig,
                      uint8_t hdr[HDR], uint32_t *len)
{
    char what[16];
    uint8_t sum;
    int rc;

    snprintf(what, sizeof(what), "%s table", sig ? sig : "listed");
    rc = read_acpi(g, gpa, HDR, hdr, NULL, what);
    if (rc)
        return rc;
    *len = le32(hdr + 4);
    if (sig && memcmp(hdr, sig, 4) != 0)
        return fail(g, "0x%" PRIx64 " holds \"%.4s\", not the %s", gpa, (const char *)hdr,
                    sig);
    if (*len < HDR || *len > MAX_TABLE)
        return fail(g, "the \"%.4s\" table at 0x%" PRIx64 " has length %" PRIu32,
                    (const char *)hdr, gpa, *len);
    rc = read_acpi(g, gpa, *len, NULL, &sum, what);
    if (!rc && sum != 0)
        rc = fail(g, "the \"%.4s\" table at 0x%" PRIx64 " has a bad checksum",
                  (const char *)hdr, gpa);
    return rc;
}

static int check_rsdp(const struct acpi_view *g, uint64_t rsdp, uint64_t *xsdt)
{
    uint8_t p[36], sum;
    int rc = read_acpi(g, rsdp, 20, p, &sum, "RSDP");

    if (!rc && (memcmp(p, "RSD PTR ", 8) != 0 || sum != 0))
        rc = fail(g, "no RSDP at rsdp_paddr 0x%" PRIx64 " (signature or checksum)", rsdp);
    if (!rc && (rsdp % 16 || p[15] < 2))
        rc = fail(g, "the RSDP at 0x%" PRIx64 " is revision %u (want 2, 16-byte aligned)",
                  rsdp, p[15]);
    if (!rc)
        rc = read_acpi(g, rsdp, 36, p, NULL, "RSDP");
    if (!rc && le32(p + 20) < 36)
        rc = fail(g, "the RSDP's length is %" PRIu32, le32(p + 20));
    if (!rc)
        rc = read_acpi(g, rsdp, le32(p + 20), NULL, &sum, "RSDP");
    if (!rc && sum != 0)
        rc = fail(g, "the RSDP's extended checksum is wrong");
    *xsdt = rc ? 0 : le64(p + 24);
    if (!rc && *xsdt == 0)
        rc = fail(g, "the RSDP has no XSDT");
    return rc;
}

/* The MADT's local APICs: one per vCPU, UID = vCPU, APIC ID = 2 * vCPU. */
static int check_madt(const struct acpi_view *g, uint64_t gpa, uint32_t len)
{
    uint8_t t[4096] = {0};
    uint32_t n = 0, max = g->d->info.max_vcpus;
    bool boot_enabled = false;
    int rc = len > sizeof(t) ? fail(g, "the MADT is %" PRIu32 " bytes", len)
                             : read_acpi(g, gpa, len, t, NULL, "MADT");

    if (rc)
        return rc;
    if (len < HDR + 8 || le32(t + HDR) != LAPIC_ADDR)
        return fail(g, "the MADT gives no local APIC address 0x%x", LAPIC_ADDR);
    for (uint32_t off = HDR + 8; off < len; off += t[off + 1]) {
        if (len - off < 2 || t[off + 1] < 2 || t[off + 1] > len - off)
            return fail(g, "the MADT's structure at +%" PRIu32 " is cut or empty", off);
        if (t[off] == 1)
            return fail(g, "the MADT lists an I/O APIC (a PVH domain has none)");
        if (t[off] != 0)
            continue;
        if (t[off + 1] != 8 || t[off + 2] != n || t[off + 3] != 2 * n)
            return fail(g,
                        "MADT local APIC %" PRIu32 ": UID %u, APIC ID %u (want %" PRIu32
                        ", %" PRIu32 ", length 8)",
                        n, t[off + 2], t[off + 3], n, 2 * n);
        if (n == 0)
            boot_enabled = le32(t + off + 4) & 1;
        n++;
    }
    if (n != max || !boot_enabled)
        return fail(
            g, "the MADT has %" PRIu32 " local APICs for %" PRIu32 " vCPUs (vCPU 0's %s)",
            n, max, boot_enabled ? "enabled" : "not enabled");
    return 0;
}

/* The FADT's DSDT (X_DSDT when the FADT is long enough and sets it). */
static int check_fadt(const struct acpi_view *g, uint64_t gpa, uint32_t len)
{
    uint8_t f[148], hdr[HDR];
    uint64_t dsdt;
    uint32_t dlen;
    int rc;

    if (len < sizeof(f))
        return fail(g, "the FADT is %" PRIu32 " bytes (no X_DSDT)", len);
    rc = read_acpi(g, gpa, sizeof(f), f, NULL, "FADT");
    if (rc)
        return rc;
    dsdt = le64(f + 140) ? le64(f + 140) : le32(f + 40);
    if (!dsdt || (le32(f + 40) && le32(f + 40) != dsdt))
        return fail(g, "the FADT's DSDT 0x%" PRIx32 " and X_DSDT 0x%" PRIx64 " disagree",
                    le32(f + 40), le64(f + 140));
    return read_table(g, dsdt, "DSDT", hdr, &dlen);
}

int xb__sim_check_acpi(struct sim *s, struct xb_err *err, const struct sim_dom *d,
                       uint64_t rsdp)
{
    struct acpi_view g = {.s = s, .err = err, .d = d};
    uint8_t hdr[HDR], x[HDR + 8 * MAX_ENTRIES];
    uint64_t xsdt, fadt = 0, madt = 0;
    uint32_t len, flen = 0, mlen = 0;
    char seen[MAX_ENTRIES][4];
    int rc = check_rsdp(&g, rsdp, &xsdt);

    if (!rc)
        rc = read_table(&g, xsdt, "XSDT", hdr, &len);
    if (!rc && ((len - HDR) % 8 || len > sizeof(x)))
        rc = fail(&g, "the XSDT's length %" PRIu32 " is not a list of at most %u entries",
                  len, MAX_ENTRIES);
    if (!rc)
        rc = read_acpi(&g, xsdt, len, x, NULL, "XSDT");
    for (uint32_t i = 0; !rc && i < (len - HDR) / 8; i++) {
        uint64_t at = le64(x + HDR + 8 * i);
        uint32_t tlen;
        rc = read_table(&g, at, NULL, hdr, &tlen);
        for (uint32_t k = 0; !rc && k < i; k++)
            if (memcmp(seen[k], hdr, 4) == 0)
                rc = fail(&g, "the XSDT lists \"%.4s\" twice", (const char *)hdr);
        memcpy(seen[i], hdr, 4);
        if (!rc && memcmp(hdr, "FACP", 4) == 0)
            fadt = at, flen = tlen;
        if (!rc && memcmp(hdr, "APIC", 4) == 0)
            madt = at, mlen = tlen;
    }
    if (!rc && (!fadt || !madt))
        rc = fail(&g, "the XSDT lists no %s", fadt ? "MADT" : "FADT");
    if (!rc)
        rc = check_fadt(&g, fadt, flen);
    if (!rc)
        rc = check_madt(&g, madt, mlen);
    return rc;
}
