/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/pvh_check.c - what the simulated machine checks of a
 * PVH guest at its first unpause, as the guest's CPU finds it (paging off:
 * every address is physical, read through the domain's p2m) and as
 * docs/misc/pvh.pandoc promises it:
 *   vCPU 0    the only one up; CR0.PE without paging, CR4 clear, no VM/IF/TF;
 *             flat 32-bit CS, DS, ES, SS; a 32-bit TSS; RIP in populated RAM
 *   memory    the E820 map of XENMEM_set_memory_map: entries well formed and
 *             disjoint, every RAM page populated
 *   %ebx      the hvm_start_info: magic, version, its memory map equal to
 *             Xen's entry for entry, command line and modules (and their
 *             command lines) NUL-terminated or sized, in RAM, disjoint
 *   params    xenstore and console pfns populated, outside RAM, inside a
 *             reserved entry; their event channels allocated, to dom0
 *   ACPI      when rsdp_paddr is set, the tables it leads to (acpi_check.c)
 *   MTRRs     vCPU 0's enabled, default type write-back
 * plus, once the builder got that far, the grant seed and xenstore's
 * introduction naming the same frames and ports.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define FOUR_GIB    (1ull << 32)
#define MAX_STR     (64u * 1024) /* a command line the check reads */
#define MAX_MODULES 16u
#define MAX_RANGES  (4 + 2 * MAX_MODULES)

struct pvh_view {
    struct sim *s;
    struct xb_err *err;
    const struct sim_dom *d;
    struct used_range {
        uint64_t start, end;
        const char *what;
    } used[MAX_RANGES]; /* what the start info points at, for the overlap check */
    unsigned nused;
};

static int fail(const struct pvh_view *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(const struct pvh_view *g, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xb_err_set(g->err, -EINVAL, "sim: unpause: PVH: %s", msg);
}

/* Whether every gfn of [start, end) is populated. */
static bool populated(const struct sim_dom *d, uint64_t start, uint64_t end)
{
    for (uint64_t gfn = start; gfn < end; gfn++)
        if (xb__sim_gfn_mfn(d, gfn) == XB_NO_MFN)
            return false;
    return true;
}

/* The E820 entry of type @type holding all of [addr, addr + len), or NULL. */
static const struct xb_hv_e820 *in_e820(const struct sim_dom *d, uint64_t addr,
                                        uint64_t len, uint32_t type)
{
    for (unsigned i = 0; i < d->hvm.ne820; i++) {
        const struct xb_hv_e820 *e = &d->hvm.e820[i];
        if (e->type == type && addr >= e->addr && len <= e->size &&
            addr - e->addr <= e->size - len)
            return e;
    }
    return NULL;
}

/* [gpa, gpa + len) lies in RAM below 4 GiB, populated; copied to @buf if given. */
static int read_ram(const struct pvh_view *g, uint64_t gpa, void *buf, uint64_t len,
                    const char *what)
{
    uint8_t *p = buf;

    if (len == 0 || gpa >= FOUR_GIB || len > FOUR_GIB - gpa ||
        !in_e820(g->d, gpa, len, XB_E820_RAM) ||
        !populated(g->d, gpa >> XB_PAGE_SHIFT, (gpa + len - 1) / XB_PAGE_SIZE + 1))
        return xb_err_set(g->err, -EINVAL,
                          "sim: unpause: PVH: %s [0x%" PRIx64 ", +0x%" PRIx64
                          ") is not in populated RAM below 4 GiB",
                          what, gpa, len);
    while (buf && len) {
        uint64_t off = gpa % XB_PAGE_SIZE, n = XB_PAGE_SIZE - off;
        if (n > len)
            n = len;
        memcpy(p, xb__sim_mem(g->s, xb__sim_gfn_mfn(g->d, gpa >> XB_PAGE_SHIFT)) + off,
               n);
        p += n;
        gpa += n;
        len -= n;
    }
    return 0;
}

/* Note [start, start + len) as used by @what: none may overlap another. */
static int use(struct pvh_view *g, uint64_t start, uint64_t len, const char *what)
{
    for (unsigned i = 0; i < g->nused; i++)
        if (start < g->used[i].end && g->used[i].start < start + len)
            return xb_err_set(g->err, -EINVAL,
                              "sim: unpause: PVH: the %s at 0x%" PRIx64
                              " overlaps the %s at 0x%" PRIx64,
                              what, start, g->used[i].what, g->used[i].start);
    if (g->nused == MAX_RANGES)
        return xb_err_set(g->err, -EINVAL, "sim: unpause: PVH: too many ranges");
    g->used[g->nused++] = (struct used_range){start, start + len, what};
    return 0;
}

/* A NUL-terminated string at @gpa in RAM (0 = none); noted as used. */
static int check_string(struct pvh_view *g, uint64_t gpa, const char *what)
{
    char c = 1;
    uint64_t n = 0;
    int rc = 0;

    if (gpa == 0)
        return 0;
    for (; !rc && c != '\0' && n < MAX_STR; n++)
        rc = read_ram(g, gpa + n, &c, 1, what);
    if (!rc && c != '\0')
        rc = fail(g, "a command line at 0x%" PRIx64 " has no NUL in %u bytes", gpa,
                  MAX_STR);
    return rc ? rc : use(g, gpa, n, what);
}

static bool flat(uint64_t base, uint32_t limit)
{
    return base == 0 && limit == 0xffffffffu;
}

static bool code32(uint32_t ar)
{
    return (ar & 0x8) && (ar & 0x2) && (ar & 0x10) && (ar & 0x80) && (ar & 0x400) &&
           !(ar & 0x200);
}

static bool data32(uint32_t ar)
{
    return !(ar & 0x8) && (ar & 0x2) && (ar & 0x10) && (ar & 0x80) && (ar & 0x400);
}

static int check_cpu(const struct pvh_view *g)
{
    const struct hvm_hw_cpu *c = &g->d->hvm.cpu[0];

    for (uint32_t v = 1; v < g->d->info.max_vcpus; v++)
        if (g->d->hvm.online[v])
            return fail(g, "vCPU %" PRIu32 " is up at start of day (only vCPU 0 may be)",
                        v);
    if (!(c->cr0 & XB_CR0_PE) || (c->cr0 & XB_CR0_PG) || c->cr4 != 0)
        return fail(g,
                    "vCPU 0 CR0 0x%" PRIx64 ", CR4 0x%" PRIx64
                    ": want protected mode, paging off, CR4 clear",
                    c->cr0, c->cr4);
    if (c->rflags & (XB_EFLAGS_VM | XB_EFLAGS_IF | XB_EFLAGS_TF))
        return fail(g, "vCPU 0 EFLAGS 0x%" PRIx64 " has VM, IF or TF", c->rflags);
    if (!flat(c->cs_base, c->cs_limit) || !code32(c->cs_arbytes))
        return fail(g,
                    "vCPU 0 CS (attributes 0x%" PRIx32 ", limit 0x%" PRIx32
                    ") is not a flat 32-bit code segment",
                    c->cs_arbytes, c->cs_limit);
    if (!flat(c->ds_base, c->ds_limit) || !data32(c->ds_arbytes) ||
        !flat(c->es_base, c->es_limit) || !data32(c->es_arbytes) ||
        !flat(c->ss_base, c->ss_limit) || !data32(c->ss_arbytes))
        return fail(g,
                    "vCPU 0 DS/ES/SS (attributes 0x%" PRIx32 "/0x%" PRIx32
                    "...) are not flat 32-bit data segments",
                    c->ds_arbytes, c->ss_arbytes);
    if (c->tr_base != 0 || c->tr_limit != XB_TSS_LIMIT || (c->tr_arbytes & 0x8f) != 0x8b)
        return fail(g,
                    "vCPU 0 TR (attributes 0x%" PRIx32 ", limit 0x%" PRIx32
                    ") is not a busy 32-bit TSS at 0",
                    c->tr_arbytes, c->tr_limit);
    return read_ram(g, c->rip, NULL, 1, "entry point (vCPU 0's RIP)");
}

static int check_e820(const struct pvh_view *g)
{
    const struct sim_hvm *h = &g->d->hvm;

    if (!h->memmap_set)
        return fail(g, "no memory map was set (XENMEM_set_memory_map)");
    for (unsigned i = 0; i < h->ne820; i++) {
        const struct xb_hv_e820 *e = &h->e820[i];
        if (e->size == 0 || e->addr + e->size < e->addr || e->type < 1 || e->type > 7)
            return fail(g,
                        "E820 entry at 0x%" PRIx64 " (size 0x%" PRIx64
                        ") is empty, wraps or has no valid type",
                        e->addr, e->size);
        for (unsigned k = 0; k < i; k++)
            if (e->addr < h->e820[k].addr + h->e820[k].size &&
                h->e820[k].addr < e->addr + e->size)
                return fail(g, "E820 entries at 0x%" PRIx64 " and 0x%" PRIx64 " overlap",
                            h->e820[k].addr, e->addr);
        if (e->type == XB_E820_RAM && (e->addr % XB_PAGE_SIZE || e->size % XB_PAGE_SIZE ||
                                       !populated(g->d, e->addr >> XB_PAGE_SHIFT,
                                                  (e->addr + e->size) >> XB_PAGE_SHIFT)))
            return fail(g,
                        "E820 RAM [0x%" PRIx64 ", +0x%" PRIx64
                        ") is not page-aligned and fully populated",
                        e->addr, e->size);
    }
    return 0;
}

static int check_memmap(struct pvh_view *g, const struct hvm_start_info *si)
{
    const struct sim_hvm *h = &g->d->hvm;
    struct hvm_memmap_table_entry e;
    int rc = 0;

    if (si->memmap_entries != h->ne820)
        return fail(g,
                    "the start info's memory map has %" PRIu32
                    " entries, XENMEM_memory_map %u",
                    si->memmap_entries, h->ne820);
    for (unsigned i = 0; !rc && i < h->ne820; i++) {
        rc = read_ram(g, si->memmap_paddr + i * sizeof(e), &e, sizeof(e), "memory map");
        if (!rc && (e.addr != h->e820[i].addr || e.size != h->e820[i].size ||
                    e.type != h->e820[i].type || e.reserved != 0))
            rc = fail(g,
                      "start info memory map entry %u differs from XENMEM_memory_map's "
                      "(addr 0x%" PRIx64 ")",
                      i, e.addr);
    }
    return rc ? rc : use(g, si->memmap_paddr, h->ne820 * sizeof(e), "memory map");
}

static int check_modules(struct pvh_view *g, const struct hvm_start_info *si)
{
    struct hvm_modlist_entry m;
    int rc = 0;

    if (si->nr_modules == 0)
        return 0;
    if (si->nr_modules > MAX_MODULES)
        return fail(g, "%" PRIu32 " modules (at most %u)", si->nr_modules, MAX_MODULES);
    rc = use(g, si->modlist_paddr, si->nr_modules * sizeof(m), "module list");
    for (unsigned i = 0; !rc && i < si->nr_modules; i++) {
        rc = read_ram(g, si->modlist_paddr + i * sizeof(m), &m, sizeof(m), "module list");
        if (!rc)
            rc = read_ram(g, m.paddr, NULL, m.size, "module");
        if (!rc)
            rc = use(g, m.paddr, m.size, "module");
        if (!rc)
            rc = check_string(g, m.cmdline_paddr, "module command line");
    }
    return rc;
}

static int check_start_info(struct pvh_view *g)
{
    const struct hvm_hw_cpu *c = &g->d->hvm.cpu[0];
    struct hvm_start_info si;
    int rc = read_ram(g, c->rbx, &si, sizeof(si), "start info (vCPU 0's EBX)");

    if (!rc && (si.magic != XEN_HVM_START_MAGIC_VALUE || si.version < 1 ||
                si.reserved != 0 || (si.flags & (SIF_PRIVILEGED | SIF_INITDOMAIN))))
        rc = fail(g, "no version 1 hvm_start_info at 0x%" PRIx64 " (magic 0x%" PRIx32 ")",
                  c->rbx, si.magic);
    if (!rc && si.rsdp_paddr && in_e820(g->d, si.rsdp_paddr, 1, XB_E820_RAM))
        rc = fail(g, "rsdp_paddr 0x%" PRIx64 " is in RAM", si.rsdp_paddr);
    if (!rc)
        rc = use(g, c->rbx, sizeof(si), "start info");
    if (!rc)
        rc = check_string(g, si.cmdline_paddr, "command line");
    if (!rc)
        rc = check_memmap(g, &si);
    if (!rc)
        rc = check_modules(g, &si);
    if (!rc && si.rsdp_paddr)
        rc = xb__sim_check_acpi(g->s, g->err, g->d, si.rsdp_paddr);
    return rc;
}

static bool param(const struct sim_dom *d, unsigned p, uint64_t *v)
{
    *v = d->hvm.params[p];
    return d->hvm.params_set & (1ull << p);
}

/* A special page: set, populated, not RAM, inside a reserved entry. */
static int check_ring(const struct pvh_view *g, unsigned p, const char *what)
{
    uint64_t pfn;

    if (!param(g->d, p, &pfn) || pfn >= FOUR_GIB / XB_PAGE_SIZE ||
        xb__sim_gfn_mfn(g->d, pfn) == XB_NO_MFN ||
        !in_e820(g->d, pfn << XB_PAGE_SHIFT, XB_PAGE_SIZE, XB_E820_RESERVED))
        return xb_err_set(g->err, -EINVAL,
                          "sim: unpause: PVH: the %s pfn (HVM param %u) 0x%" PRIx64
                          " is not a populated page of a reserved E820 entry",
                          what, p, pfn);
    return 0;
}

/* An event channel: set, allocated in the domain, its remote end dom0. */
static int check_port(const struct pvh_view *g, unsigned p, const char *what)
{
    uint64_t port;

    if (!param(g->d, p, &port) || port == 0 || port >= SIM_MAX_PORTS ||
        !g->d->port_used[port] || g->d->port_remote[port] != 0)
        return xb_err_set(
            g->err, -EINVAL,
            "sim: unpause: PVH: the %s event channel (HVM param %u) %" PRIu64
            " is not an unbound port for dom0",
            what, p, port);
    return 0;
}

static int check_params(const struct pvh_view *g)
{
    const struct sim_dominfo *i = &g->d->info;
    uint64_t store, cons, sport, cport;
    int rc = check_ring(g, HVM_PARAM_STORE_PFN, "xenstore");

    if (!rc)
        rc = check_ring(g, HVM_PARAM_CONSOLE_PFN, "console");
    if (!rc)
        rc = check_port(g, HVM_PARAM_STORE_EVTCHN, "xenstore");
    if (!rc)
        rc = check_port(g, HVM_PARAM_CONSOLE_EVTCHN, "console");
    if (rc)
        return rc;
    param(g->d, HVM_PARAM_STORE_PFN, &store);
    param(g->d, HVM_PARAM_CONSOLE_PFN, &cons);
    param(g->d, HVM_PARAM_STORE_EVTCHN, &sport);
    param(g->d, HVM_PARAM_CONSOLE_EVTCHN, &cport);
    if (store == cons || sport == cport)
        return fail(g,
                    "xenstore and console share a page or port (0x%" PRIx64
                    ", port %" PRIu64 ")",
                    store, sport);
    if (i->gnttab_seeded && (i->gnt_console != cons || i->gnt_xenstore != store))
        return fail(g,
                    "the grant seed (console 0x%" PRIx64 ", xenstore 0x%" PRIx64
                    ") is not the HVM params' pages",
                    i->gnt_console, i->gnt_xenstore);
    if (i->introduced && (i->store_mfn != store || i->store_port != sport))
        return fail(g,
                    "xenstored was given page 0x%" PRIx64 " port %" PRIu32
                    ", not the HVM params'",
                    i->store_mfn, i->store_port);
    return 0;
}

static int check_mtrr(const struct pvh_view *g)
{
    uint64_t t = g->d->hvm.mtrr[0].msr_mtrr_def_type;

    if (!(t & XB_MTRR_DEF_ENABLE) || (t & XB_MTRR_DEF_TYPE_MASK) != XB_MTRR_TYPE_WB)
        return fail(
            g, "vCPU 0 MTRRdefType 0x%" PRIx64 ": want MTRRs enabled, default write-back",
            t);
    return 0;
}

int xb__sim_check_pvh_start(struct sim *s, struct xb_err *err, const struct sim_dom *d)
{
    struct pvh_view g = {.s = s, .err = err, .d = d};
    int rc = check_e820(&g);

    if (!rc)
        rc = check_cpu(&g);
    if (!rc)
        rc = check_start_info(&g);
    if (!rc)
        rc = check_params(&g);
    if (!rc)
        rc = check_mtrr(&g);
    return rc;
}
