/*
 * xbtest PV: the MMU hypercalls, machine <-> pseudo-physical translation
 * and a walk of the live page tables exactly as the MMU does it, from the
 * frame in CR3.
 *
 * A table frame is only ever read through the bootstrap mapping
 * (virt_base + pfn * 4096) and only if it lies below safe_end, so a builder
 * that put a table elsewhere is reported instead of faulting the guest.
 */
#include "pv.h"

#define M2P ((const unsigned long *)MACH2PHYS_VIRT_START)

long xbt_update_va_mapping(uint64_t va, uint64_t pte)
{
#if defined(__x86_64__)
    return xbt_hcall(__HYPERVISOR_update_va_mapping, va, pte, UVMF_INVLPG, 0);
#else
    /* PAE: the 64-bit PTE is passed as two 32-bit halves. */
    return xbt_hcall(__HYPERVISOR_update_va_mapping, (unsigned long)va,
                     (unsigned long)pte, (unsigned long)(pte >> 32), UVMF_INVLPG);
#endif
}

long xbt_max_ram_page(void)
{
    return xbt_hcall(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0, 0, 0);
}

int xbt_mfn_to_pfn(const struct xbt_boot *b, uint64_t mfn, unsigned long *pfn)
{
    unsigned long p;

    if (!b->p2m || mfn > b->max_mfn)
        return -1;
    p = M2P[mfn];
    if (p >= b->nr_pages || b->p2m[p] != mfn)
        return -1;
    *pfn = p;
    return 0;
}

void *xbt_mfn_to_va(const struct xbt_boot *b, uint64_t mfn)
{
    unsigned long pfn;
    uint64_t va;

    if (xbt_mfn_to_pfn(b, mfn, &pfn))
        return NULL;
    va = b->virt_base + ((uint64_t)pfn << XBT_PAGE_SHIFT);
    if (va < b->virt_base || va >= b->safe_end)
        return NULL;
    return (void *)(uintptr_t)va;
}

static unsigned int level_shift(int level)
{
    return XBT_PAGE_SHIFT + 9u * (unsigned int)(level - 1);
}

static unsigned int level_entries(int level)
{
    /* The PAE top level has 4 entries; everything else 512. */
    return (XBT_LEVELS == 3 && level == 3) ? 4u : 512u;
}

int xbt_walk(const struct xbt_boot *b, uint64_t va, uint64_t *pte)
{
    uint64_t mfn = b->root_mfn;

    for (int level = XBT_LEVELS; level >= 1; level--) {
        const uint64_t *table = xbt_mfn_to_va(b, mfn);
        uint64_t e;

        if (!table)
            return XBT_WALK_BAD_TABLE;
        e = table[(va >> level_shift(level)) & 511u];
        if (!(e & XBT_PTE_PRESENT))
            return XBT_WALK_NOT_PRESENT;
        if (level > 1 && (e & XBT_PTE_PSE))
            return XBT_WALK_SUPERPAGE;
        if (level == 1)
            *pte = e;
        mfn = (e & XBT_PTE_ADDR) >> XBT_PAGE_SHIFT;
    }
    return XBT_WALK_OK;
}

/*
 * Is [va, va + size) entirely inside the area Xen keeps for itself? Entries
 * there point at Xen's own frames. Partly covered ranges (the PAE top
 * gigabyte) are walked; the hole is 2MB-aligned, so no leaf table straddles.
 */
static int in_xen_hole(uint64_t va, uint64_t size)
{
    uint64_t last = va + (size - 1);

    return va >= XBT_HOLE_START && last <= XBT_HOLE_END - 1;
}

static uint64_t canonical(uint64_t va)
{
#if defined(__x86_64__)
    if (va & (1ULL << 47))
        va |= 0xffff000000000000ULL;
#endif
    return va;
}

static void add_table(struct xbt_tables *t, uint64_t mfn)
{
    for (unsigned int i = 0; i < t->n; i++)
        if (t->mfn[i] == mfn)
            return;
    if (t->n == sizeof(t->mfn) / sizeof(t->mfn[0])) {
        t->error = XBT_WALK_BAD_TABLE;
        return;
    }
    t->mfn[t->n++] = mfn;
}

static void collect(const struct xbt_boot *b, struct xbt_tables *t, int level,
                    uint64_t mfn, uint64_t va_base)
{
    const uint64_t *table;
    uint64_t span = 1ULL << level_shift(level);

    add_table(t, mfn);
    table = xbt_mfn_to_va(b, mfn);
    if (!table) {
        t->error = t->error ? t->error : XBT_WALK_BAD_TABLE;
        return;
    }
    for (unsigned int i = 0; i < level_entries(level) && !t->error; i++) {
        uint64_t va = canonical(va_base + i * span), e = table[i];

        if (in_xen_hole(va, span) || !(e & XBT_PTE_PRESENT))
            continue;
        if (e & XBT_PTE_PSE) {
            t->error = XBT_WALK_SUPERPAGE;
            return;
        }
        if (level > 2)
            collect(b, t, level - 1, (e & XBT_PTE_ADDR) >> XBT_PAGE_SHIFT, va);
        else
            add_table(t, (e & XBT_PTE_ADDR) >> XBT_PAGE_SHIFT);
    }
}

void xbt_collect_tables(const struct xbt_boot *b, struct xbt_tables *t)
{
    t->n = 0;
    t->error = 0;
    collect(b, t, XBT_LEVELS, b->root_mfn, 0);
}
