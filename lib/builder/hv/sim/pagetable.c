/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/pagetable.c - what the simulated machine checks of a PV
 * guest's memory, as Xen and the guest's CPU would:
 *   at pin     every table reachable from the top is the domain's, none is
 *              mapped writable (now or by any L1 entry), and they are marked
 *              page tables from then on (no writable foreign mapping);
 *   at start   (the first unpause) vCPU 0's cr3 and start_info pointer lead,
 *              through those tables, to a start_info whose p2m list and
 *              rings agree with the machine's M2P, entry for entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../../guest/abi_x86.h"
#include "sim.h"

#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_P    0x1ull
#define PTE_RW   0x2ull
#define PTE_PSE  0x80ull

struct pt_table {
    xb_mfn mfn;
    unsigned level;
};

struct pt_check {
    struct sim *s;
    struct xb_err *err;
    uint32_t domid;
    unsigned top;            /* 4 or 3 */
    struct pt_table *tables; /* every table frame met */
    size_t ntables, cap;
};

static const uint64_t *table_of(const struct sim *s, xb_mfn mfn)
{
    return (const uint64_t *)xb__sim_mem(s, mfn);
}

static unsigned pt_entries(unsigned top, unsigned level)
{
    return top == 3 && level == 3 ? 4 : 512;
}

static int pt_note(struct pt_check *c, xb_mfn mfn, unsigned level)
{
    if (c->ntables == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct pt_table *p = realloc(c->tables, cap * sizeof(*p));
        if (!p)
            return xb_err_set(c->err, -ENOMEM, "sim: pin: out of memory");
        c->tables = p;
        c->cap = cap;
    }
    c->tables[c->ntables++] = (struct pt_table){.mfn = mfn, .level = level};
    return 0;
}

static int pt_walk(struct pt_check *c, unsigned level, xb_mfn mfn)
{
    const uint64_t *e;
    int rc;

    if (!xb__sim_owns(c->s, c->domid, mfn))
        return xb_err_set(c->err, -EINVAL,
                          "sim: pin: L%u table 0x%" PRIx64 " is not the domain's", level,
                          mfn);
    if (c->s->wmaps[mfn])
        return xb_err_set(c->err, -EBUSY,
                          "sim: pin: L%u table 0x%" PRIx64 " is still mapped writable",
                          level, mfn);
    e = table_of(c->s, mfn);
    rc = pt_note(c, mfn, level);
    for (unsigned i = 0; !rc && level > 1 && i < pt_entries(c->top, level); i++)
        if (e[i] & PTE_P)
            rc = pt_walk(c, level - 1, (e[i] & PTE_ADDR) >> XB_PAGE_SHIFT);
    return rc;
}

static bool is_table(const struct pt_check *c, xb_mfn mfn)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (c->tables[i].mfn == mfn)
            return true;
    return false;
}

/* Every L1 entry maps a frame of the domain, page-table frames read-only. */
static int pt_check_l1(struct pt_check *c, xb_mfn l1)
{
    const uint64_t *e = table_of(c->s, l1);

    for (unsigned i = 0; i < 512; i++) {
        xb_mfn m = (e[i] & PTE_ADDR) >> XB_PAGE_SHIFT;
        if (!(e[i] & PTE_P))
            continue;
        if (!xb__sim_owns(c->s, c->domid, m))
            return xb_err_set(c->err, -EINVAL,
                              "sim: pin: L1 0x%" PRIx64 "[%u] maps "
                              "frame 0x%" PRIx64 " the domain does not own",
                              l1, i, m);
        if ((e[i] & PTE_RW) && is_table(c, m))
            return xb_err_set(c->err, -EINVAL,
                              "sim: pin: L1 0x%" PRIx64 "[%u] maps "
                              "page table 0x%" PRIx64 " writable",
                              l1, i, m);
    }
    return 0;
}

int xb__sim_pt_pin(struct sim *s, struct xb_err *err, struct sim_dom *d, unsigned level,
                   xb_mfn mfn)
{
    struct pt_check c = {.s = s, .err = err, .domid = d->domid, .top = level};
    int rc = pt_walk(&c, level, mfn);

    for (size_t t = 0; !rc && t < c.ntables; t++)
        if (c.tables[t].level == 1)
            rc = pt_check_l1(&c, c.tables[t].mfn);
    for (size_t i = 0; !rc && i < c.ntables; i++)
        s->pt[c.tables[i].mfn] = 1;
    free(c.tables);
    return rc;
}

/* ---- the start of day, as the guest's CPU sees it ---- */

struct guest_view {
    const struct sim *s;
    struct xb_err *err;
    uint32_t domid;
    unsigned levels; /* 4 or 3 (PAE) */
    xb_mfn cr3;
};

/* The frame virtual address @va maps to through the guest's tables. */
static int translate(const struct guest_view *g, uint64_t va, xb_mfn *out)
{
    xb_mfn table = g->cr3;

    for (unsigned l = g->levels; l >= 1; l--) {
        unsigned shift = 12 + 9 * (l - 1);
        unsigned idx = (unsigned)((va >> shift) & (pt_entries(g->levels, l) - 1));
        uint64_t e;

        if (!xb__sim_owns(g->s, g->domid, table))
            return xb_err_set(g->err, -EINVAL,
                              "sim: unpause: the L%u table mapping 0x%" PRIx64
                              " is frame 0x%" PRIx64 ", not the domain's",
                              l, va, table);
        e = table_of(g->s, table)[idx];
        if (!(e & PTE_P) || (l > 1 && (e & PTE_PSE) && !(g->levels == 3 && l == 3)))
            return xb_err_set(g->err, -EFAULT,
                              "sim: unpause: 0x%" PRIx64 " is not mapped by 4 KiB pages "
                              "(L%u entry %u = 0x%" PRIx64 ")",
                              va, l, idx, e);
        table = (e & PTE_ADDR) >> XB_PAGE_SHIFT;
    }
    *out = table;
    return 0;
}

/* Copy [va, va + len) of the guest's address space into @buf. */
static int read_virt(const struct guest_view *g, uint64_t va, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        size_t off = va % XB_PAGE_SIZE,
               n = XB_PAGE_SIZE - off < len ? XB_PAGE_SIZE - off : len;
        xb_mfn mfn = XB_NO_MFN;
        int rc = translate(g, va, &mfn);

        if (rc)
            return rc;
        if (!xb__sim_owns(g->s, g->domid, mfn))
            return xb_err_set(g->err, -EINVAL,
                              "sim: unpause: 0x%" PRIx64 " maps frame 0x%" PRIx64
                              ", not the domain's",
                              va, mfn);
        memcpy(p, xb__sim_mem(g->s, mfn) + off, n);
        p += n;
        va += n;
        len -= n;
    }
    return 0;
}

/* start_info's fields the check needs, for both guest widths. */
struct si {
    uint64_t nr_pages, mfn_list, store_mfn, console_mfn;
};

static int read_start_info(const struct guest_view *g, uint64_t va, struct si *si)
{
    int rc;

    if (g->levels == 4) {
        struct start_info_x86_64 v;
        rc = read_virt(g, va, &v, sizeof(v));
        *si = (struct si){v.nr_pages, v.mfn_list, v.store_mfn, v.console.domU.mfn};
        if (!rc && strncmp(v.magic, "xen-3.0-x86_64", 14) != 0)
            rc = -EINVAL;
    } else {
        struct start_info_x86_32 v;
        rc = read_virt(g, va, &v, sizeof(v));
        *si = (struct si){v.nr_pages, v.mfn_list, v.store_mfn, v.console.domU.mfn};
        if (!rc && strncmp(v.magic, "xen-3.0-x86_32p", 15) != 0)
            rc = -EINVAL;
    }
    if (rc == -EINVAL)
        return xb_err_set(g->err, rc,
                          "sim: unpause: no start_info magic at 0x%" PRIx64
                          " (vCPU 0's %s)",
                          va, g->levels == 4 ? "rsi" : "esi");
    return rc;
}

/* p2m[pfn] for every pfn, checked against the machine's M2P. */
static int check_p2m(const struct guest_view *g, const struct si *si)
{
    unsigned width = g->levels == 4 ? 8 : 4;
    uint8_t page[XB_PAGE_SIZE];

    for (uint64_t pfn = 0; pfn < si->nr_pages; pfn++) {
        uint64_t mfn = 0, at = pfn * width % XB_PAGE_SIZE;
        int rc = 0;

        if (pfn == 0 || at == 0)
            rc = read_virt(g, si->mfn_list + pfn * width - at, page, XB_PAGE_SIZE);
        if (rc)
            return rc;
        memcpy(&mfn, page + at, width);
        if (!xb__sim_owns(g->s, g->domid, mfn) || g->s->m2p[mfn] != pfn)
            return xb_err_set(g->err, -EINVAL,
                              "sim: unpause: the guest's p2m says pfn 0x%" PRIx64
                              " is mfn 0x%" PRIx64 ", but Xen's M2P has that frame at "
                              "pfn 0x%" PRIx64,
                              pfn, mfn,
                              mfn < g->s->nframes ? g->s->m2p[mfn] : SIM_NO_GPFN);
    }
    return 0;
}

static int check_ring(const struct guest_view *g, const struct si *si, xb_mfn mfn,
                      const char *what)
{
    if (xb__sim_owns(g->s, g->domid, mfn) && g->s->m2p[mfn] < si->nr_pages)
        return 0;
    return xb_err_set(g->err, -EINVAL,
                      "sim: unpause: start_info's %s frame 0x%" PRIx64
                      " is not a populated frame of the domain",
                      what, mfn);
}

int xb__sim_check_start_of_day(struct sim *s, struct xb_err *err, const struct sim_dom *d)
{
    struct guest_view g = {.s = s, .err = err, .domid = d->domid};
    uint64_t si_va;
    struct si si;
    int rc;

    if (d->info.address_size == 64) {
        const struct vcpu_guest_context_x86_64 *c = d->vctx[0];
        g.levels = 4;
        g.cr3 = xen_cr3_to_pfn_x86_64(c->ctrlreg[3]);
        si_va = c->user_regs.rsi;
    } else if (d->info.address_size == 32) {
        const struct vcpu_guest_context_x86_32 *c = d->vctx[0];
        g.levels = 3;
        g.cr3 = xen_cr3_to_pfn_x86_32(c->ctrlreg[3]);
        si_va = c->user_regs.esi;
    } else {
        return 0; /* not a PV guest */
    }
    rc = read_start_info(&g, si_va, &si);
    if (!rc)
        rc = check_p2m(&g, &si);
    if (!rc)
        rc = check_ring(&g, &si, si.store_mfn, "xenstore");
    if (!rc)
        rc = check_ring(&g, &si, si.console_mfn, "console");
    return rc;
}
