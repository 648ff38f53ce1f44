/*
 * xbtest PV main: learn the start-of-day state from start_info, run every
 * check in the table (one "XBTEST CHECK <name> ok|FAIL <detail>" line
 * each) and report (checks.c). README.md is the contract for each check.
 */
#include "pv.h"

#define XBT_PAD_BYTES    (512u * 1024u)
#define XBT_REGION_ALIGN (4u * 1024u * 1024u)

struct xbt_ctx {
    struct xbt_boot b;
    struct xbt_expect want;
    struct xbt_tables tables;
    long shared_rc;   /* update_va_mapping for shared_info */
    long reservation; /* XENMEM_current_reservation */
};

typedef int (*xbt_check_fn)(struct xbt_ctx *c, char *det, size_t cap);

static uint8_t shared_page[XBT_PAGE_SIZE] __attribute__((aligned(XBT_PAGE_SIZE)));

void xbt_main(start_info_t *si);

static uint64_t page_up(uint64_t v)
{
    return (v + XBT_PAGE_SIZE - 1) & ~(uint64_t)(XBT_PAGE_SIZE - 1);
}

static uint64_t va_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* Is [va, va + len) inside the bootstrap elements [virt_base, safe_end)? */
static int in_boot(const struct xbt_boot *b, uint64_t va, uint64_t len)
{
    uint64_t end;

    if (__builtin_add_overflow(va, len, &end))
        return 0;
    return va >= b->virt_base && end <= b->safe_end;
}

/* ---------------------------------------------------------------- setup */

static void setup_p2m(struct xbt_boot *b)
{
    uint64_t bytes;

    if (__builtin_mul_overflow((uint64_t)b->nr_pages, sizeof(unsigned long), &bytes) ||
        !b->nr_pages || (b->si->mfn_list & (sizeof(unsigned long) - 1)) ||
        !in_boot(b, b->si->mfn_list, bytes))
        return;
    b->p2m = (const unsigned long *)b->si->mfn_list;
}

static void setup_shared(struct xbt_ctx *c)
{
    uint64_t pte = ((uint64_t)c->b.si->shared_info & XBT_PTE_ADDR) | XBT_PTE_PRESENT |
                   XBT_PTE_RW | XBT_PTE_ACCESSED | XBT_PTE_DIRTY;

    c->b.skip_va = va_of(shared_page);
    c->shared_rc = xbt_update_va_mapping(c->b.skip_va, pte);
    if (c->shared_rc)
        return;
    c->b.shared = (struct shared_info *)shared_page;
    /* No event callback is registered: keep upcalls masked, we poll. */
    c->b.shared->vcpu_info[0].evtchn_upcall_mask = 1;
    xbt_set_shared(c->b.shared);
}

static void setup(struct xbt_ctx *c, start_info_t *si)
{
    struct xbt_boot *b = &c->b;
    long max = xbt_max_ram_page();

    b->si = si;
    b->virt_base = va_of(_text);
    b->nr_pages = si->nr_pages;
    b->max_mfn = max > 0 ? (unsigned long)max : 0;
    b->safe_end = page_up(xbt_entry_sp);
    b->root_mfn = xbt_read_cr3_mfn();
    c->reservation = xbt_current_reservation();
    setup_p2m(b);
    setup_shared(c);
    si->cmd_line[MAX_GUEST_CMDLINE - 1] = 0;
    xbt_expect_parse(&c->want, (const char *)si->cmd_line);
}

/* --------------------------------------------------------------- checks */

static int check_magic(struct xbt_ctx *c, char *d, size_t cap)
{
    const char *m = c->b.si->magic;
    char shown[sizeof(c->b.si->magic) + 1];
    size_t n = xbt_strnlen(m, sizeof(c->b.si->magic));

    memcpy(shown, m, n);
    shown[n] = '\0';
    return xbt_det(!memcmp(m, XBT_MAGIC, sizeof(XBT_MAGIC) - 1), d, cap,
                   "magic=\"%s\" want prefix \"%s\"", shown, XBT_MAGIC);
}

static int check_flags(struct xbt_ctx *c, char *d, size_t cap)
{
    uint32_t f = c->b.si->flags;

    return xbt_det(!(f & (SIF_PRIVILEGED | SIF_INITDOMAIN | SIF_MOD_START_PFN)), d, cap,
                   "flags=0x%x (no privileged/initdomain/mod_start_pfn)", f);
}

static int check_hypercall(struct xbt_ctx *c, char *d, size_t cap)
{
    long v = xbt_xen_version();

    (void)c;
    return xbt_det(v > 0, d, cap, "xen_version=%ld.%ld", v >> 16, v & 0xffff);
}

static int check_cmdline(struct xbt_ctx *c, char *d, size_t cap)
{
    const char *s = (const char *)c->b.si->cmd_line;
    size_t n = xbt_strnlen(s, MAX_GUEST_CMDLINE);
    struct xbt_expect *w = &c->want;

    if (!w->have_name || !w->have_len)
        return xbt_det(0, d, cap, "missing name=/len= in \"%s\"", s);
    return xbt_det(n == w->len, d, cap, "len=%u want %u", (unsigned)n, (unsigned)w->len);
}

/* xen.h: "Total pages allocated to this domain", and mem= if stated. */
static int check_nr_pages(struct xbt_ctx *c, char *d, size_t cap)
{
    uint64_t want = c->want.mem_mb * 256u;

    if (c->reservation < 0 || (unsigned long)c->reservation != c->b.nr_pages)
        return xbt_det(0, d, cap, "nr_pages=%lu but current_reservation=%ld",
                       c->b.nr_pages, c->reservation);
    if (!c->want.have_mem)
        return xbt_det(1, d, cap, "nr_pages=%lu = current_reservation (no mem=)",
                       c->b.nr_pages);
    return xbt_det(c->b.nr_pages == want, d, cap,
                   "nr_pages=%lu want %llu (mem=%llu MiB) = current_reservation",
                   c->b.nr_pages, (unsigned long long)want,
                   (unsigned long long)c->want.mem_mb);
}

static int check_shared_info(struct xbt_ctx *c, char *d, size_t cap)
{
    unsigned long ma = c->b.si->shared_info;
    uint32_t mul;

    if (c->shared_rc || !c->b.shared)
        return xbt_det(0, d, cap, "mapping maddr 0x%lx failed: %ld", ma, c->shared_rc);
    mul = c->b.shared->vcpu_info[0].time.tsc_to_system_mul;
    return xbt_det(!(ma & (XBT_PAGE_SIZE - 1)) && mul != 0, d, cap,
                   "maddr=0x%lx tsc_to_system_mul=%u", ma, mul);
}

static int check_p2m(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    unsigned long bad = 0, first = 0, pfn;

    if (!b->p2m)
        return xbt_det(0, d, cap, "mfn_list=0x%lx not inside the bootstrap region",
                       b->si->mfn_list);
    for (unsigned long i = 0; i < b->nr_pages; i++)
        if (xbt_mfn_to_pfn(b, b->p2m[i], &pfn) || pfn != i)
            first = bad++ ? first : i;
    if (bad)
        return xbt_det(0, d, cap, "%lu of %lu pfns inconsistent, first pfn %lu mfn 0x%lx",
                       bad, b->nr_pages, first, b->p2m[first]);
    return xbt_det(1, d, cap, "m2p[p2m[pfn]]==pfn for %lu pfns (max_mfn 0x%lx)",
                   b->nr_pages, b->max_mfn);
}

struct xbt_elem {
    const char *name;
    uint64_t start, len;
};

static uint64_t mfn_va(const struct xbt_boot *b, uint64_t mfn)
{
    return va_of(xbt_mfn_to_va(b, mfn));
}

static int check_layout(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    const start_info_t *si = b->si;
    const struct xbt_elem e[] = {
        {"kernel", b->virt_base, va_of(_end) - b->virt_base},
        {"ramdisk", si->mod_len ? si->mod_start : 0, si->mod_len},
        {"p2m", si->mfn_list, (uint64_t)b->nr_pages * sizeof(unsigned long)},
        {"start_info", va_of(si), XBT_PAGE_SIZE},
        {"xenstore", mfn_va(b, si->store_mfn), XBT_PAGE_SIZE},
        {"console", mfn_va(b, si->console.domU.mfn), XBT_PAGE_SIZE},
        {"page_tables", si->pt_base, (uint64_t)si->nr_pt_frames * XBT_PAGE_SIZE},
        {"stack", xbt_entry_sp - XBT_PAGE_SIZE, XBT_PAGE_SIZE},
    };
    uint64_t prev_end = b->virt_base;
    const char *prev = "virt_base";

    for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
        if (!e[i].len)
            continue;
        if (!e[i].start || (e[i].start & (XBT_PAGE_SIZE - 1)) || e[i].start < prev_end ||
            !in_boot(b, e[i].start, e[i].len))
            return xbt_det(0, d, cap,
                           "%s at 0x%llx: want page-aligned, after %s "
                           "(ends 0x%llx), below 0x%llx",
                           e[i].name, (unsigned long long)e[i].start, prev,
                           (unsigned long long)prev_end, (unsigned long long)b->safe_end);
        prev_end = page_up(e[i].start + e[i].len);
        prev = e[i].name;
    }
    return xbt_det(1, d, cap, "xen.h order, 4k-aligned, 0x%llx..0x%llx",
                   (unsigned long long)b->virt_base, (unsigned long long)b->safe_end);
}

static int check_pt_base(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    uint64_t pt = b->si->pt_base;
    unsigned long pfn = (unsigned long)((pt - b->virt_base) >> XBT_PAGE_SHIFT);

    if ((pt & (XBT_PAGE_SIZE - 1)) || !in_boot(b, pt, XBT_PAGE_SIZE) || !b->p2m)
        return xbt_det(0, d, cap, "pt_base=0x%llx not a page of the bootstrap region",
                       (unsigned long long)pt);
    return xbt_det(b->p2m[pfn] == b->root_mfn, d, cap,
                   "pt_base=0x%llx pfn %lu mfn 0x%lx, cr3 mfn 0x%llx",
                   (unsigned long long)pt, pfn, b->p2m[pfn],
                   (unsigned long long)b->root_mfn);
}

static int is_table(const struct xbt_ctx *c, uint64_t mfn)
{
    for (unsigned int i = 0; i < c->tables.n; i++)
        if (c->tables.mfn[i] == mfn)
            return 1;
    return 0;
}

/* One page of the bootstrap region: mapped, to p2m[pfn], RW unless a table. */
static int boot_page_ok(struct xbt_ctx *c, uint64_t va, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    unsigned long pfn = (unsigned long)((va - b->virt_base) >> XBT_PAGE_SHIFT);
    uint64_t pte = 0, mfn;
    int rc;

    if (pfn >= b->nr_pages)
        return xbt_det(0, d, cap, "va 0x%llx: pfn %lu beyond nr_pages",
                       (unsigned long long)va, pfn);
    rc = xbt_walk(b, va, &pte);
    if (rc)
        return xbt_det(0, d, cap, "va 0x%llx: walk error %d", (unsigned long long)va, rc);
    mfn = (pte & XBT_PTE_ADDR) >> XBT_PAGE_SHIFT;
    if (mfn != b->p2m[pfn])
        return xbt_det(0, d, cap, "va 0x%llx maps mfn 0x%llx, p2m[%lu]=0x%lx",
                       (unsigned long long)va, (unsigned long long)mfn, pfn, b->p2m[pfn]);
    if (!is_table(c, mfn) && !(pte & XBT_PTE_RW))
        return xbt_det(0, d, cap, "va 0x%llx read-only, not a page table",
                       (unsigned long long)va);
    return 1;
}

static int check_bootstrap_map(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    uint64_t end = b->safe_end + XBT_PAD_BYTES, va;

    if (!b->p2m)
        return xbt_det(0, d, cap, "no usable p2m");
    end = (end + XBT_REGION_ALIGN - 1) & ~(uint64_t)(XBT_REGION_ALIGN - 1);
    for (va = b->virt_base; va < end; va += XBT_PAGE_SIZE)
        if (va != b->skip_va && !boot_page_ok(c, va, d, cap))
            return 0;
    return xbt_det(1, d, cap, "0x%llx..0x%llx (%llu pages) map p2m 1:1",
                   (unsigned long long)b->virt_base, (unsigned long long)end,
                   (unsigned long long)((end - b->virt_base) >> XBT_PAGE_SHIFT));
}

static int check_pt_frames(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;
    unsigned long first, n = b->si->nr_pt_frames, pfn;

    if (c->tables.error || !b->p2m)
        return xbt_det(0, d, cap, "walk from cr3 failed: error %d after %u tables",
                       c->tables.error, c->tables.n);
    first = (unsigned long)((b->si->pt_base - b->virt_base) >> XBT_PAGE_SHIFT);
    for (unsigned int i = 0; i < c->tables.n; i++)
        if (xbt_mfn_to_pfn(b, c->tables.mfn[i], &pfn) || pfn < first || pfn - first >= n)
            return xbt_det(0, d, cap, "table mfn 0x%llx outside pt_base..+%lu",
                           (unsigned long long)c->tables.mfn[i], n);
    return xbt_det(n >= XBT_LEVELS && c->tables.n == n, d, cap,
                   "nr_pt_frames=%lu, %u tables reachable from cr3", n, c->tables.n);
}

static int check_pt_readonly(struct xbt_ctx *c, char *d, size_t cap)
{
    const struct xbt_boot *b = &c->b;

    if (c->tables.error || !c->tables.n)
        return xbt_det(0, d, cap, "no table list (walk error %d)", c->tables.error);
    for (unsigned int i = 0; i < c->tables.n; i++) {
        uint64_t va = mfn_va(b, c->tables.mfn[i]), pte = 0;
        int rc = va ? xbt_walk(b, va, &pte) : -1;

        if (rc || (pte & XBT_PTE_RW))
            return xbt_det(0, d, cap, "table mfn 0x%llx at va 0x%llx: rc %d pte 0x%llx",
                           (unsigned long long)c->tables.mfn[i], (unsigned long long)va,
                           rc, (unsigned long long)pte);
    }
    return xbt_det(1, d, cap, "%u table frames mapped read-only", c->tables.n);
}

static int check_ramdisk(struct xbt_ctx *c, char *d, size_t cap)
{
    const start_info_t *si = c->b.si;
    uint32_t crc;

    if (!c->want.have_rd)
        return xbt_det(!si->mod_start && !si->mod_len, d, cap,
                       "none expected: mod_start=0x%lx mod_len=%lu", si->mod_start,
                       si->mod_len);
    if (si->mod_len != c->want.rd_len || !in_boot(&c->b, si->mod_start, si->mod_len))
        return xbt_det(0, d, cap, "mod_start=0x%lx mod_len=%lu want len %llu",
                       si->mod_start, si->mod_len, (unsigned long long)c->want.rd_len);
    crc = xbt_crc32((const uint8_t *)si->mod_start, si->mod_len);
    return xbt_det(crc == c->want.rd_crc, d, cap, "len=%lu crc32=0x%x want 0x%llx",
                   si->mod_len, crc, (unsigned long long)c->want.rd_crc);
}

static int check_xenstore(struct xbt_ctx *c, char *d, size_t cap)
{
    char got[128];
    int rc;

    if (!c->want.have_name)
        return xbt_det(0, d, cap, "no name= on the command line");
    rc = xbt_xs_read(xbt_mfn_to_va(&c->b, c->b.si->store_mfn), c->b.si->store_evtchn,
                     "name", got, sizeof(got));
    if (rc)
        return xbt_det(0, d, cap, "XS_READ name failed (%d) mfn 0x%lx evtchn %u", rc,
                       (unsigned long)c->b.si->store_mfn, c->b.si->store_evtchn);
    return xbt_det(!memcmp(got, c->want.name, xbt_strnlen(c->want.name, 64) + 1), d, cap,
                   "name=\"%s\" want \"%s\"", got, c->want.name);
}

static int check_console(struct xbt_ctx *c, char *d, size_t cap)
{
    const start_info_t *si = c->b.si;

    return xbt_det(xbt_console_drained(10000), d, cap,
                   "ring mfn 0x%lx evtchn %u consumed by the backend",
                   (unsigned long)si->console.domU.mfn, si->console.domU.evtchn);
}

static const struct {
    const char *name;
    xbt_check_fn fn;
} xbt_checks[] = {
    {"magic", check_magic},
    {"flags", check_flags},
    {"hypercall_page", check_hypercall},
    {"cmdline", check_cmdline},
    {"nr_pages", check_nr_pages},
    {"shared_info", check_shared_info},
    {"p2m", check_p2m},
    {"layout", check_layout},
    {"pt_base", check_pt_base},
    {"pt_frames", check_pt_frames},
    {"pt_readonly", check_pt_readonly},
    {"bootstrap_map", check_bootstrap_map},
    {"ramdisk", check_ramdisk},
    {"xenstore", check_xenstore},
    {"console", check_console},
};

void xbt_main(start_info_t *si)
{
    static struct xbt_ctx c;
    char detail[200];

    setup(&c, si);
    if (c.b.p2m)
        xbt_collect_tables(&c.b, &c.tables);
    if (xbt_console_attach(xbt_mfn_to_va(&c.b, si->console.domU.mfn),
                           si->console.domU.evtchn))
        xbt_printf("XBTEST NOTE console ring not found (mfn 0x%lx)\n",
                   (unsigned long)si->console.domU.mfn);
    xbt_begin(XBT_ARCH);
    for (size_t i = 0; i < sizeof(xbt_checks) / sizeof(xbt_checks[0]); i++) {
        int ok = xbt_checks[i].fn(&c, detail, sizeof(detail));

        xbt_report(xbt_checks[i].name, ok, detail);
    }
    xbt_finish();
}
