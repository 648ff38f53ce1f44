/*
 * xbtest PV guests (x86_64 and x86_32 PAE): what the guest learned from
 * start_info at start of day, the start_info magic, page-table geometry,
 * Xen's reserved virtual area, and the PV memory helpers of mem.c.
 */
#ifndef XBTEST_PV_H
#define XBTEST_PV_H

#include "xbtest.h"

/* Symbols from the linker script and entry-<arch>.S. */
extern unsigned long xbt_entry_sp;

#define XBT_PTE_PRESENT  0x001ULL
#define XBT_PTE_RW       0x002ULL
#define XBT_PTE_ACCESSED 0x020ULL
#define XBT_PTE_DIRTY    0x040ULL
#define XBT_PTE_PSE      0x080ULL
#define XBT_PTE_ADDR     0x000ffffffffff000ULL

#if defined(__x86_64__)

#define XBT_ARCH   "x86_64"
#define XBT_MAGIC  "xen-3.0-x86_64"
#define XBT_LEVELS 4
/* Xen owns L4 slots 256..271: [HOLE_START, HOLE_END). */
#define XBT_HOLE_START 0xffff800000000000ULL
#define XBT_HOLE_END   0xffff880000000000ULL

static inline uint64_t xbt_read_cr3_mfn(void)
{
    unsigned long cr3;

    /* Privileged: Xen emulates the read for PV guests. */
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    return (cr3 & XBT_PTE_ADDR) >> 12;
}

#else

#define XBT_ARCH       "x86_32p"
#define XBT_MAGIC      "xen-3.0-x86_32p"
#define XBT_LEVELS     3
/* 32-on-64 (compat) guests: Xen owns everything from 0xF5800000 up. */
#define XBT_HOLE_START 0xf5800000ULL
#define XBT_HOLE_END   0x100000000ULL

static inline uint64_t xbt_read_cr3_mfn(void)
{
    unsigned long cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    /* compat CR3 packs the frame number with its top bits in the low 12 */
    return xen_cr3_to_pfn(cr3);
}

#endif

/* What the guest learned at start of day; filled in order by pv.c. */
struct xbt_boot {
    start_info_t *si;
    uint64_t virt_base;       /* the VIRT_BASE note: va of pfn 0 */
    const unsigned long *p2m; /* si->mfn_list as a pointer */
    unsigned long nr_pages;
    unsigned long max_mfn; /* XENMEM_maximum_ram_page: bounds M2P reads */
    uint64_t safe_end;     /* end of the elements we may touch (stack top) */
    uint64_t root_mfn;     /* from CR3 */
    uint64_t skip_va;      /* remapped to shared_info: not a bootstrap page */
    struct shared_info *shared;
};

/* mem.c: PV MMU hypercalls, M2P/p2m translation and the page-table walk. */
long xbt_update_va_mapping(uint64_t va, uint64_t pte);
long xbt_max_ram_page(void);
int xbt_mfn_to_pfn(const struct xbt_boot *b, uint64_t mfn, unsigned long *pfn);
/* va of a machine frame in the bootstrap mapping, or NULL if not there. */
void *xbt_mfn_to_va(const struct xbt_boot *b, uint64_t mfn);
#define XBT_WALK_OK          0
#define XBT_WALK_NOT_PRESENT 1
#define XBT_WALK_BAD_TABLE   2
#define XBT_WALK_SUPERPAGE   3
/* Walk the live tables from root_mfn as the MMU does; leaf PTE in *pte. */
int xbt_walk(const struct xbt_boot *b, uint64_t va, uint64_t *pte);
/* All table frames reachable from the root outside Xen's area. */
struct xbt_tables {
    uint64_t mfn[512];
    unsigned int n;
    int error; /* XBT_WALK_* of the first problem */
};
void xbt_collect_tables(const struct xbt_boot *b, struct xbt_tables *t);

#endif
