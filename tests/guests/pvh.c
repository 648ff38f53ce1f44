/*
 * xbtest PVH main: learn the start-of-day state (the registers entry-pvh.S
 * saved, struct hvm_start_info at %ebx, Xen's memory map, the HVM params),
 * run every check in the table and report (checks.c). README.md is the
 * contract for each check.
 *
 * Nothing the builder handed over is dereferenced before it is known to
 * lie inside E820 RAM below 4 GiB: Xen's own memory map (XENMEM_memory_map)
 * decides, or the start info's map when Xen has none.
 */
#include "pvh.h"

#define XBT_MAP_MAX     64
#define XBT_MODS_MAX    16
#define XBT_CMDLINE_MAX 2048
#define XBT_ELEMS_MAX   (5 + 2 * XBT_MODS_MAX)
#define XBT_ENOENT      2
#define XBT_ACPI_TYPES                                                                   \
    ((1u << XEN_HVM_MEMMAP_TYPE_RESERVED) | (1u << XEN_HVM_MEMMAP_TYPE_ACPI) |           \
     (1u << XEN_HVM_MEMMAP_TYPE_NVS))

struct xbt_pvh {
    const struct hvm_start_info *si; /* NULL unless %ebx points at RAM */
    struct xbt_hcinfo hc;
    struct xbt_e820 hvmap[XBT_MAP_MAX]; /* XENMEM_memory_map */
    unsigned int hvmap_n;
    long hvmap_rc;
    const struct xbt_e820 *ram; /* the map RAM checks use */
    unsigned int ram_n;
    struct xbt_e820 simap[XBT_MAP_MAX]; /* the start info's, if Xen has none */
    long reservation;                   /* before shared_info took a page */
    uint64_t store_pfn, store_port, console_pfn, console_port;
    long params_rc;
    uint32_t params_bad; /* the HVM param that failed */
    long shared_rc;
    struct shared_info *shared;
    char cmdline[XBT_CMDLINE_MAX];
    const char *cmdline_err; /* NULL: cmdline[] holds it */
    struct xbt_expect want;
};

struct xbt_elem {
    const char *name;
    uint64_t start, len;
};

typedef int (*xbt_pvh_check_fn)(struct xbt_pvh *c, char *det, size_t cap);

static uint8_t shared_page[XBT_PAGE_SIZE] __attribute__((aligned(XBT_PAGE_SIZE)));

void xbt_pvh_main(void);

static const void *phys(uint64_t pa)
{
    return (const void *)(uintptr_t)pa;
}

static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* The map entry of one of the types in mask (bit per type) that holds all
 * of [pa, pa + len), below 4 GiB; NULL if none. */
static const struct xbt_e820 *map_find(const struct xbt_pvh *c, uint64_t pa, uint64_t len,
                                       uint32_t mask)
{
    uint64_t end;

    if (__builtin_add_overflow(pa, len ? len : 1, &end) || end > XBT_4G)
        return NULL;
    for (unsigned int i = 0; i < c->ram_n; i++) {
        const struct xbt_e820 *e = &c->ram[i];

        if (e->type < 32 && (mask & (1u << e->type)) && pa >= e->addr &&
            end - e->addr <= e->size)
            return e;
    }
    return NULL;
}

static int in_ram(const struct xbt_pvh *c, uint64_t pa, uint64_t len)
{
    return map_find(c, pa, len, 1u << XEN_HVM_MEMMAP_TYPE_RAM) != NULL;
}

static int touches_ram(const struct xbt_pvh *c, uint64_t pa, uint64_t len)
{
    for (unsigned int i = 0; i < c->ram_n; i++)
        if (c->ram[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
            overlap(pa, len, c->ram[i].addr, c->ram[i].size))
            return 1;
    return 0;
}

/* Length of the NUL-terminated string at pa inside RAM, or -1. */
static long ram_strlen(const struct xbt_pvh *c, uint64_t pa, size_t max)
{
    const struct xbt_e820 *e = map_find(c, pa, 1, 1u << XEN_HVM_MEMMAP_TYPE_RAM);
    uint64_t room;
    size_t n;

    if (!pa || !e)
        return -1;
    room = e->addr + e->size - pa;
    if (room < max)
        max = (size_t)room;
    n = xbt_strnlen(phys(pa), max);
    return n < max ? (long)n : -1;
}

/* The module list, if it lies in RAM; NULL otherwise. */
static const struct hvm_modlist_entry *modlist(const struct xbt_pvh *c)
{
    const struct hvm_start_info *si = c->si;

    if (!si || !si->nr_modules || si->nr_modules > XBT_MODS_MAX ||
        !in_ram(c, si->modlist_paddr,
                (uint64_t)si->nr_modules * sizeof(struct hvm_modlist_entry)))
        return NULL;
    return phys(si->modlist_paddr);
}

static uint64_t ram_bytes(const struct xbt_pvh *c)
{
    uint64_t sum = 0;

    for (unsigned int i = 0; i < c->ram_n; i++)
        if (c->ram[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            sum += c->ram[i].size;
    return sum;
}

/* ---------------------------------------------------------------- setup */

static void setup_maps(struct xbt_pvh *c)
{
    c->hvmap_rc = xbt_memory_map(c->hvmap, XBT_MAP_MAX, &c->hvmap_n);
    if (!c->hvmap_rc && c->hvmap_n && c->hvmap_n <= XBT_MAP_MAX) {
        c->ram = c->hvmap;
        c->ram_n = c->hvmap_n;
    }
}

/* Xen gave no map: fall back to the start info's own (version >= 1). */
static void setup_simap(struct xbt_pvh *c)
{
    const struct hvm_memmap_table_entry *t = phys(c->si->memmap_paddr);
    unsigned int n = c->si->memmap_entries;

    if (c->si->version < 1 || !c->si->memmap_paddr || !n || n > XBT_MAP_MAX ||
        c->si->memmap_paddr + (uint64_t)n * sizeof(*t) > XBT_4G)
        return;
    for (unsigned int i = 0; i < n; i++)
        c->simap[i] = (struct xbt_e820){t[i].addr, t[i].size, t[i].type};
    c->ram = c->simap;
    c->ram_n = n;
}

static void setup_start_info(struct xbt_pvh *c)
{
    uint32_t ebx = xbt_entry_ebx;

    if (!ebx || (uint64_t)ebx + sizeof(*c->si) > XBT_4G)
        return;
    if (c->ram_n && !in_ram(c, ebx, sizeof(*c->si)))
        return;
    c->si = phys(ebx);
    if (!c->ram_n)
        setup_simap(c);
}

static void get_param(struct xbt_pvh *c, uint32_t index, uint64_t *v)
{
    long rc = xbt_hvm_get_param(index, v);

    if (rc && !c->params_rc) {
        c->params_rc = rc;
        c->params_bad = index;
    }
}

static void setup_shared(struct xbt_pvh *c)
{
    c->shared_rc = xbt_map_shared_info(shared_page);
    if (c->shared_rc)
        return;
    c->shared = (struct shared_info *)shared_page;
    /* No callback is registered (HVM_PARAM_CALLBACK_IRQ): we poll. */
    c->shared->vcpu_info[0].evtchn_upcall_mask = 1;
    xbt_set_shared(c->shared);
}

static void *ring_at(uint64_t pfn)
{
    return pfn && pfn < (XBT_4G >> XBT_PAGE_SHIFT) ? (void *)(uintptr_t)(pfn << 12)
                                                   : NULL;
}

static void setup_cmdline(struct xbt_pvh *c)
{
    long n;

    c->cmdline_err = "no start info";
    if (!c->si)
        return;
    c->cmdline_err = "cmdline_paddr=0";
    if (!c->si->cmdline_paddr)
        return;
    n = ram_strlen(c, c->si->cmdline_paddr, sizeof(c->cmdline));
    c->cmdline_err = "not a NUL-terminated string in RAM (2 KiB at most)";
    if (n < 0)
        return;
    memcpy(c->cmdline, phys(c->si->cmdline_paddr), (size_t)n + 1);
    c->cmdline_err = NULL;
    xbt_expect_parse(&c->want, c->cmdline);
}

static void setup(struct xbt_pvh *c)
{
    c->reservation = xbt_current_reservation();
    setup_maps(c);
    setup_start_info(c);
    get_param(c, HVM_PARAM_STORE_PFN, &c->store_pfn);
    get_param(c, HVM_PARAM_STORE_EVTCHN, &c->store_port);
    get_param(c, HVM_PARAM_CONSOLE_PFN, &c->console_pfn);
    get_param(c, HVM_PARAM_CONSOLE_EVTCHN, &c->console_port);
    setup_shared(c);
    if (xbt_console_attach(ring_at(c->console_pfn), (evtchn_port_t)c->console_port))
        xbt_printf("XBTEST NOTE console ring not found (pfn 0x%llx)\n",
                   (unsigned long long)c->console_pfn);
    setup_cmdline(c);
}

/* What the guest saw, for people reading the log (not checks). */
static void print_notes(const struct xbt_pvh *c)
{
    const struct hvm_modlist_entry *m = modlist(c);

    for (unsigned int i = 0; i < c->hvmap_n && i < XBT_MAP_MAX; i++)
        xbt_printf("XBTEST NOTE e820 0x%llx-0x%llx type %u\n",
                   (unsigned long long)c->hvmap[i].addr,
                   (unsigned long long)(c->hvmap[i].addr + c->hvmap[i].size),
                   c->hvmap[i].type);
    if (!c->si)
        return;
    xbt_printf("XBTEST NOTE start_info 0x%x cmdline 0x%llx modlist 0x%llx "
               "memmap 0x%llx rsdp 0x%llx\n",
               xbt_entry_ebx, (unsigned long long)c->si->cmdline_paddr,
               (unsigned long long)c->si->modlist_paddr,
               (unsigned long long)c->si->memmap_paddr,
               (unsigned long long)c->si->rsdp_paddr);
    for (unsigned int i = 0; m && i < c->si->nr_modules; i++)
        xbt_printf("XBTEST NOTE module %u 0x%llx-0x%llx\n", i,
                   (unsigned long long)m[i].paddr,
                   (unsigned long long)(m[i].paddr + m[i].size));
}

/* --------------------------------------------------------------- checks */

static int check_entry_state(struct xbt_pvh *c, char *d, size_t cap)
{
    uint32_t cr0 = xbt_entry_cr0 & ~XBT_CR0_ET;
    uint32_t fl = xbt_entry_eflags & (XBT_EFLAGS_VM | XBT_EFLAGS_IF | XBT_EFLAGS_TF);

    (void)c;
    return xbt_det(cr0 == XBT_CR0_PE && !xbt_entry_cr4 && !fl, d, cap,
                   "cr0=0x%x cr4=0x%x eflags=0x%x (want cr0 PE [+ET], cr4 0, "
                   "no VM/IF/TF)",
                   xbt_entry_cr0, xbt_entry_cr4, xbt_entry_eflags);
}

static int check_start_info_addr(struct xbt_pvh *c, char *d, size_t cap)
{
    uint32_t ebx = xbt_entry_ebx;
    uint64_t ksize = (uint64_t)(uintptr_t)_end - (uintptr_t)_text;

    if (!c->si)
        return xbt_det(0, d, cap, "%%ebx=0x%x: %u bytes not inside E820 RAM", ebx,
                       (unsigned)sizeof(*c->si));
    if (overlap(ebx, sizeof(*c->si), (uintptr_t)_text, ksize))
        return xbt_det(0, d, cap, "%%ebx=0x%x overlaps the kernel 0x%x-0x%x", ebx,
                       (uint32_t)(uintptr_t)_text, (uint32_t)(uintptr_t)_end);
    return xbt_det(1, d, cap, "%%ebx=0x%x: in RAM below 4 GiB (%s map), not the kernel",
                   ebx, c->ram == c->hvmap ? "Xen's" : "start info's");
}

static int check_magic(struct xbt_pvh *c, char *d, size_t cap)
{
    const struct hvm_start_info *si = c->si;

    if (!si)
        return xbt_det(0, d, cap, "no start info");
    return xbt_det(si->magic == XEN_HVM_START_MAGIC_VALUE && si->version >= 1 &&
                       !(si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)) && !si->reserved,
                   d, cap,
                   "magic=0x%x version=%u flags=0x%x reserved=%u (want 0x%x, >= 1, "
                   "no privileged/initdomain, 0)",
                   si->magic, si->version, si->flags, si->reserved,
                   XEN_HVM_START_MAGIC_VALUE);
}

static int check_hypercall(struct xbt_pvh *c, char *d, size_t cap)
{
    long v = xbt_xen_version();

    return xbt_det(v > 0, d, cap, "cpuid 0x%x msr 0x%x pages %u: xen_version=%ld.%ld",
                   c->hc.base, c->hc.msr, c->hc.pages, v >> 16, v & 0xffff);
}

static int check_cmdline(struct xbt_pvh *c, char *d, size_t cap)
{
    size_t n = xbt_strnlen(c->cmdline, sizeof(c->cmdline));
    struct xbt_expect *w = &c->want;

    if (c->cmdline_err)
        return xbt_det(0, d, cap, "%s", c->cmdline_err);
    if (!w->have_name || !w->have_len)
        return xbt_det(0, d, cap, "missing name=/len= in \"%s\"", c->cmdline);
    return xbt_det(n == w->len, d, cap, "at 0x%llx len=%u want %u",
                   (unsigned long long)c->si->cmdline_paddr, (unsigned)n,
                   (unsigned)w->len);
}

static int check_module_cmdline(struct xbt_pvh *c, unsigned int i, char *d, size_t cap)
{
    uint64_t pa = modlist(c)[i].cmdline_paddr;

    if (pa && ram_strlen(c, pa, XBT_CMDLINE_MAX) < 0)
        return xbt_det(0, d, cap, "module %u cmdline_paddr=0x%llx not a string in RAM", i,
                       (unsigned long long)pa);
    return 1;
}

static int check_modules(struct xbt_pvh *c, char *d, size_t cap)
{
    const struct hvm_start_info *si = c->si;
    const struct hvm_modlist_entry *m = modlist(c);
    unsigned int want = c->want.have_rd ? 1 : 0;

    if (!si)
        return xbt_det(0, d, cap, "no start info");
    if (si->nr_modules != want)
        return xbt_det(0, d, cap, "nr_modules=%u want %u", si->nr_modules, want);
    if (!want)
        return xbt_det(1, d, cap, "none expected, nr_modules=0");
    if (!m)
        return xbt_det(0, d, cap, "modlist_paddr=0x%llx: %u entries not in RAM",
                       (unsigned long long)si->modlist_paddr, si->nr_modules);
    for (unsigned int i = 0; i < si->nr_modules; i++) {
        if (!m[i].size || !in_ram(c, m[i].paddr, m[i].size))
            return xbt_det(0, d, cap, "module %u 0x%llx+0x%llx not in RAM", i,
                           (unsigned long long)m[i].paddr, (unsigned long long)m[i].size);
        if (!check_module_cmdline(c, i, d, cap))
            return 0;
    }
    return xbt_det(1, d, cap, "nr_modules=%u, list at 0x%llx, module 0 at 0x%llx",
                   si->nr_modules, (unsigned long long)si->modlist_paddr,
                   (unsigned long long)m[0].paddr);
}

static int check_ramdisk(struct xbt_pvh *c, char *d, size_t cap)
{
    const struct hvm_modlist_entry *m = modlist(c);
    uint32_t crc;

    if (!c->si)
        return xbt_det(0, d, cap, "no start info");
    if (!c->want.have_rd)
        return xbt_det(!c->si->nr_modules, d, cap, "none expected: nr_modules=%u",
                       c->si->nr_modules);
    if (!m || m->size != c->want.rd_len || !in_ram(c, m->paddr, m->size))
        return xbt_det(0, d, cap, "module 0 %s, want len %llu in RAM",
                       m ? "of another length or not in RAM" : "missing",
                       (unsigned long long)c->want.rd_len);
    crc = xbt_crc32(phys(m->paddr), (size_t)m->size);
    return xbt_det(crc == c->want.rd_crc, d, cap, "len=%llu crc32=0x%x want 0x%llx",
                   (unsigned long long)m->size, crc, (unsigned long long)c->want.rd_crc);
}

/* One entry of the start info's memory map against Xen's. */
static int memmap_entry_ok(const struct xbt_pvh *c,
                           const struct hvm_memmap_table_entry *t, unsigned int i,
                           char *d, size_t cap)
{
    const struct xbt_e820 *h = &c->hvmap[i];
    uint64_t end;

    if (t->addr != h->addr || t->size != h->size || t->type != h->type)
        return xbt_det(0, d, cap,
                       "entry %u 0x%llx+0x%llx type %u, Xen has 0x%llx+0x%llx "
                       "type %u",
                       i, (unsigned long long)t->addr, (unsigned long long)t->size,
                       t->type, (unsigned long long)h->addr, (unsigned long long)h->size,
                       h->type);
    if (!t->size || __builtin_add_overflow(t->addr, t->size, &end) ||
        t->type < XEN_HVM_MEMMAP_TYPE_RAM || t->type > XEN_HVM_MEMMAP_TYPE_PMEM ||
        t->reserved)
        return xbt_det(0, d, cap,
                       "entry %u 0x%llx+0x%llx type %u reserved %u: "
                       "want size > 0, no wrap, type 1..7, reserved 0",
                       i, (unsigned long long)t->addr, (unsigned long long)t->size,
                       t->type, t->reserved);
    for (unsigned int j = 0; j < i; j++)
        if (overlap(t->addr, t->size, c->hvmap[j].addr, c->hvmap[j].size))
            return xbt_det(0, d, cap, "entries %u and %u overlap", j, i);
    return 1;
}

static int check_memmap(struct xbt_pvh *c, char *d, size_t cap)
{
    const struct hvm_start_info *si = c->si;
    const struct hvm_memmap_table_entry *t;
    unsigned int n, sorted = 1;

    if (!si || si->version < 1)
        return xbt_det(0, d, cap, "no version 1 start info");
    n = si->memmap_entries;
    if (!n || n > XBT_MAP_MAX || !in_ram(c, si->memmap_paddr, (uint64_t)n * sizeof(*t)))
        return xbt_det(0, d, cap,
                       "memmap_paddr=0x%llx memmap_entries=%u: want 1..%u "
                       "entries in RAM",
                       (unsigned long long)si->memmap_paddr, n, XBT_MAP_MAX);
    if (c->hvmap_rc || !c->hvmap_n)
        return xbt_det(0, d, cap, "XENMEM_memory_map failed: %ld", c->hvmap_rc);
    if (n != c->hvmap_n)
        return xbt_det(0, d, cap, "%u entries, XENMEM_memory_map has %u", n, c->hvmap_n);
    t = phys(si->memmap_paddr);
    for (unsigned int i = 0; i < n; i++) {
        if (!memmap_entry_ok(c, &t[i], i, d, cap))
            return 0;
        sorted &= !i || t[i].addr >= t[i - 1].addr;
    }
    return xbt_det(1, d, cap, "%u entries at 0x%llx = XENMEM_memory_map, disjoint, %s", n,
                   (unsigned long long)si->memmap_paddr,
                   sorted ? "sorted" : "not sorted");
}

static int check_ram_size(struct xbt_pvh *c, char *d, size_t cap)
{
    uint64_t got = ram_bytes(c), want = c->want.mem_mb << 20;

    if (!c->want.have_mem)
        return xbt_det(0, d, cap, "no mem= on the command line");
    return xbt_det(c->ram_n && got == want, d, cap,
                   "E820 RAM %llu KiB want %llu KiB (mem=%llu MiB)",
                   (unsigned long long)(got >> 10), (unsigned long long)(want >> 10),
                   (unsigned long long)c->want.mem_mb);
}

static int check_reservation(struct xbt_pvh *c, char *d, size_t cap)
{
    uint64_t pages = ram_bytes(c) >> XBT_PAGE_SHIFT;

    return xbt_det(c->reservation > 0 && (uint64_t)c->reservation >= pages, d, cap,
                   "current_reservation=%ld pages, E820 RAM %llu pages", c->reservation,
                   (unsigned long long)pages);
}

/* Everything the builder placed: kernel, start info, command line, module
 * list, memory map, modules and their command lines. */
static unsigned int layout_elems(const struct xbt_pvh *c, struct xbt_elem *e)
{
    const struct hvm_start_info *si = c->si;
    const struct hvm_modlist_entry *m = modlist(c);
    unsigned int n = 0;

    e[n++] = (struct xbt_elem){"kernel", (uintptr_t)_text,
                               (uint64_t)(uintptr_t)_end - (uintptr_t)_text};
    e[n++] = (struct xbt_elem){"start_info", xbt_entry_ebx, sizeof(*si)};
    if (!c->cmdline_err)
        e[n++] = (struct xbt_elem){"cmdline", si->cmdline_paddr,
                                   xbt_strnlen(c->cmdline, sizeof(c->cmdline)) + 1};
    if (si->version >= 1)
        e[n++] = (struct xbt_elem){"memmap", si->memmap_paddr,
                                   (uint64_t)si->memmap_entries *
                                       sizeof(struct hvm_memmap_table_entry)};
    if (!m)
        return n;
    e[n++] = (struct xbt_elem){"modlist", si->modlist_paddr,
                               (uint64_t)si->nr_modules * sizeof(*m)};
    for (unsigned int i = 0; i < si->nr_modules; i++) {
        long l =
            m[i].cmdline_paddr ? ram_strlen(c, m[i].cmdline_paddr, XBT_CMDLINE_MAX) : -1;

        e[n++] = (struct xbt_elem){"module", m[i].paddr, m[i].size};
        if (l >= 0)
            e[n++] =
                (struct xbt_elem){"module_cmdline", m[i].cmdline_paddr, (uint64_t)l + 1};
    }
    return n;
}

static int check_layout(struct xbt_pvh *c, char *d, size_t cap)
{
    struct xbt_elem e[XBT_ELEMS_MAX];
    unsigned int n;

    if (!c->si)
        return xbt_det(0, d, cap, "no start info");
    n = layout_elems(c, e);
    for (unsigned int i = 0; i < n; i++) {
        if (!e[i].len)
            continue;
        if (!e[i].start || !in_ram(c, e[i].start, e[i].len))
            return xbt_det(0, d, cap, "%s 0x%llx+0x%llx not inside one E820 RAM entry",
                           e[i].name, (unsigned long long)e[i].start,
                           (unsigned long long)e[i].len);
        for (unsigned int j = 0; j < i; j++)
            if (overlap(e[i].start, e[i].len, e[j].start, e[j].len))
                return xbt_det(0, d, cap, "%s 0x%llx+0x%llx overlaps %s 0x%llx+0x%llx",
                               e[i].name, (unsigned long long)e[i].start,
                               (unsigned long long)e[i].len, e[j].name,
                               (unsigned long long)e[j].start,
                               (unsigned long long)e[j].len);
    }
    return xbt_det(1, d, cap, "%u elements in RAM below 4 GiB, none overlapping", n);
}

static int special_ok(const struct xbt_pvh *c, uint64_t pfn, uint64_t port)
{
    return ring_at(pfn) && !touches_ram(c, pfn << XBT_PAGE_SHIFT, XBT_PAGE_SIZE) && port;
}

static int check_special_pages(struct xbt_pvh *c, char *d, size_t cap)
{
    if (c->params_rc)
        return xbt_det(0, d, cap, "HVMOP_get_param %u failed: %ld", c->params_bad,
                       c->params_rc);
    return xbt_det(special_ok(c, c->store_pfn, c->store_port) &&
                       special_ok(c, c->console_pfn, c->console_port) &&
                       c->store_pfn != c->console_pfn && c->store_port != c->console_port,
                   d, cap,
                   "xenstore pfn 0x%llx evtchn %llu, console pfn 0x%llx evtchn %llu "
                   "(want distinct, below 4 GiB, outside E820 RAM, evtchn != 0)",
                   (unsigned long long)c->store_pfn, (unsigned long long)c->store_port,
                   (unsigned long long)c->console_pfn,
                   (unsigned long long)c->console_port);
}

static int check_shared_info(struct xbt_pvh *c, char *d, size_t cap)
{
    uint32_t mul;

    if (c->shared_rc || !c->shared)
        return xbt_det(0, d, cap, "XENMEM_add_to_physmap at gpfn 0x%x failed: %ld",
                       (uint32_t)(uintptr_t)shared_page >> XBT_PAGE_SHIFT, c->shared_rc);
    mul = c->shared->vcpu_info[0].time.tsc_to_system_mul;
    return xbt_det(mul != 0, d, cap, "gpfn 0x%x tsc_to_system_mul=%u",
                   (uint32_t)(uintptr_t)shared_page >> XBT_PAGE_SHIFT, mul);
}

static int check_mtrr(struct xbt_pvh *c, char *d, size_t cap)
{
    uint32_t r[4];
    uint64_t v = 0;

    (void)c;
    xbt_cpuid(1, r);
    if (!(r[3] & (1u << 12)))
        return xbt_det(0, d, cap, "no MTRR in CPUID 1 edx=0x%x", r[3]);
    if (xbt_rdmsr_safe(XBT_MSR_MTRR_DEF_TYPE, &v))
        return xbt_det(0, d, cap, "rdmsr MTRRdefType: #GP");
    return xbt_det((v & XBT_MTRR_DEF_ENABLE) && (v & 0xff) == XBT_MTRR_TYPE_WB, d, cap,
                   "MTRRdefType=0x%llx (want enabled, default type WB)",
                   (unsigned long long)v);
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Xen's count of the domain's vCPUs: the first id VCPUOP_get_runstate_info
 * refuses with -ENOENT (Xen checks the id before anything else). */
static unsigned int xen_vcpus(long *err)
{
    struct vcpu_runstate_info ri;
    unsigned int v;

    *err = 0;
    for (v = 0; v < 4096; v++) {
        long rc = xbt_hcall(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, v,
                            (unsigned long)&ri, 0);
        if (rc == -XBT_ENOENT)
            return v;
        if (rc) {
            *err = rc;
            return 0;
        }
    }
    return v;
}

/* An ACPI table at pa: inside an ACPI/NVS/reserved entry, its signature
 * (when sig is not NULL), length >= 36, checksum. Its length, or 0. */
static uint32_t acpi_table(const struct xbt_pvh *c, uint64_t pa, const char *sig)
{
    uint32_t len;

    if (!pa || !map_find(c, pa, 36, XBT_ACPI_TYPES))
        return 0;
    memcpy(&len, (const uint8_t *)phys(pa) + 4, sizeof(len));
    if (len < 36 || !map_find(c, pa, len, XBT_ACPI_TYPES) ||
        (sig && memcmp(phys(pa), sig, 4)) || sum_bytes(phys(pa), len))
        return 0;
    return len;
}

/* The MADT's local APICs (and x2APICs): how many, how many enabled, and
 * whether ours (CPUID's initial APIC ID) is among the enabled ones. */
static void madt_count(const uint8_t *t, uint32_t len, unsigned int *n, unsigned int *on,
                       int *mine)
{
    uint32_t r[4];

    xbt_cpuid(1, r);
    *n = *on = 0;
    *mine = 0;
    for (uint32_t off = 44; off + 2 <= len && t[off + 1] >= 2 && off + t[off + 1] <= len;
         off += t[off + 1]) {
        uint32_t id, flags;

        if (t[off] == 0 && t[off + 1] >= 8) {
            id = t[off + 3];
            memcpy(&flags, t + off + 4, 4);
        } else if (t[off] == 9 && t[off + 1] >= 16) {
            memcpy(&id, t + off + 4, 4);
            memcpy(&flags, t + off + 8, 4);
        } else {
            continue;
        }
        (*n)++;
        if (flags & 1) {
            (*on)++;
            *mine |= id == r[1] >> 24;
        }
    }
}

/* The RSDP in an ACPI entry, the XSDT (or RSDT) it leads to, every table
 * listed there, and the MADT's local APICs against Xen's vCPUs. */
static int check_acpi(struct xbt_pvh *c, char *d, size_t cap)
{
    const struct xbt_e820 *e;
    const uint8_t *p, *madt = NULL;
    uint64_t root;
    uint32_t len = 20, rlen, mlen = 0, esize;
    unsigned int ntab, n, on, vcpus;
    int mine, fadt = 0;
    long verr;
    char oem[7];

    if (!c->si)
        return xbt_det(0, d, cap, "no start info");
    if (!c->si->rsdp_paddr)
        return xbt_det(c->want.have_acpi && !c->want.acpi, d, cap,
                       "rsdp_paddr=0: no ACPI tables%s",
                       c->want.have_acpi && !c->want.acpi ? " (acpi=0 expected)" : "");
    e = map_find(c, c->si->rsdp_paddr, 20, XBT_ACPI_TYPES);
    if (!e)
        return xbt_det(0, d, cap, "rsdp_paddr=0x%llx: not in an ACPI/reserved E820 entry",
                       (unsigned long long)c->si->rsdp_paddr);
    p = phys(c->si->rsdp_paddr);
    if (p[15] >= 2) {
        memcpy(&len, p + 20, sizeof(len));
        if (len < 36 || !map_find(c, c->si->rsdp_paddr, len, XBT_ACPI_TYPES))
            return xbt_det(0, d, cap, "RSDP rev %u length %u outside its entry", p[15],
                           len);
    }
    memcpy(oem, p + 9, 6);
    oem[6] = '\0';
    if (memcmp(p, "RSD PTR ", 8) || sum_bytes(p, 20) || (p[15] >= 2 && sum_bytes(p, len)))
        return xbt_det(0, d, cap, "RSDP at 0x%llx: bad signature or checksum",
                       (unsigned long long)c->si->rsdp_paddr);
    /* revision 2: the XSDT (64-bit entries); else the RSDT (32-bit) */
    root = 0;
    esize = 4;
    if (p[15] >= 2)
        memcpy(&root, p + 24, 8), esize = 8;
    if (!root)
        memcpy(&root, p + 16, 4), esize = 4;
    rlen = acpi_table(c, root, esize == 8 ? "XSDT" : "RSDT");
    if (!rlen)
        return xbt_det(0, d, cap, "RSDP at 0x%llx: its %s at 0x%llx is not a valid table",
                       (unsigned long long)c->si->rsdp_paddr,
                       esize == 8 ? "XSDT" : "RSDT", (unsigned long long)root);
    ntab = (rlen - 36) / esize;
    for (unsigned int i = 0; i < ntab; i++) {
        uint64_t at = 0;
        uint32_t tl;

        memcpy(&at, (const uint8_t *)phys(root) + 36 + i * esize, esize);
        tl = acpi_table(c, at, NULL);
        if (!tl)
            return xbt_det(0, d, cap, "table %u of the %s at 0x%llx is not valid", i,
                           esize == 8 ? "XSDT" : "RSDT", (unsigned long long)at);
        fadt |= !memcmp(phys(at), "FACP", 4);
        if (!memcmp(phys(at), "APIC", 4))
            madt = phys(at), mlen = tl;
    }
    if (!madt || !fadt)
        return xbt_det(0, d, cap, "%u tables, no %s", ntab, madt ? "FADT" : "MADT");
    madt_count(madt, mlen, &n, &on, &mine);
    vcpus = xen_vcpus(&verr);
    return xbt_det(n == vcpus && on >= 1 && mine, d, cap,
                   "RSDP 0x%llx rev %u OEM \"%s\" E820 type %u, %s %u tables, "
                   "MADT %u LAPICs (%u enabled%s), Xen %u vCPUs%s",
                   (unsigned long long)c->si->rsdp_paddr, p[15], oem, e->type,
                   esize == 8 ? "XSDT" : "RSDT", ntab, n, on,
                   mine ? ", ours" : ", not ours", vcpus, verr ? " (VCPUOP failed)" : "");
}

static int check_xenstore(struct xbt_pvh *c, char *d, size_t cap)
{
    char got[128];
    int rc;

    if (!c->want.have_name)
        return xbt_det(0, d, cap, "no name= on the command line");
    rc = xbt_xs_read(ring_at(c->store_pfn), (evtchn_port_t)c->store_port, "name", got,
                     sizeof(got));
    if (rc)
        return xbt_det(0, d, cap, "XS_READ name failed (%d) pfn 0x%llx evtchn %llu", rc,
                       (unsigned long long)c->store_pfn,
                       (unsigned long long)c->store_port);
    return xbt_det(!memcmp(got, c->want.name, xbt_strnlen(c->want.name, 64) + 1), d, cap,
                   "name=\"%s\" want \"%s\"", got, c->want.name);
}

static int check_console(struct xbt_pvh *c, char *d, size_t cap)
{
    return xbt_det(xbt_console_drained(10000), d, cap,
                   "ring pfn 0x%llx evtchn %llu consumed by the backend",
                   (unsigned long long)c->console_pfn,
                   (unsigned long long)c->console_port);
}

static const struct {
    const char *name;
    xbt_pvh_check_fn fn;
} xbt_checks[] = {
    {"entry_state", check_entry_state},
    {"start_info_addr", check_start_info_addr},
    {"magic", check_magic},
    {"hypercall_page", check_hypercall},
    {"cmdline", check_cmdline},
    {"modules", check_modules},
    {"ramdisk", check_ramdisk},
    {"memmap", check_memmap},
    {"ram_size", check_ram_size},
    {"reservation", check_reservation},
    {"layout", check_layout},
    {"special_pages", check_special_pages},
    {"shared_info", check_shared_info},
    {"mtrr", check_mtrr},
    {"acpi", check_acpi},
    {"xenstore", check_xenstore},
    {"console", check_console},
};

void xbt_pvh_main(void)
{
    static struct xbt_pvh c;
    char detail[200];

    xbt_idt_init();
    /* Without the hypercall page there is no way to report anything. */
    while (xbt_hypercall_init(&c.hc))
        __asm__ volatile("hlt");
    setup(&c);
    print_notes(&c);
    xbt_begin("pvh");
    for (size_t i = 0; i < sizeof(xbt_checks) / sizeof(xbt_checks[0]); i++) {
        int ok = xbt_checks[i].fn(&c, detail, sizeof(detail));

        xbt_report(xbt_checks[i].name, ok, detail);
    }
    xbt_finish();
}
