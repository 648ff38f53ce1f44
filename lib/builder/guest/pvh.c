/* SPDX-License-Identifier: MIT */
/*
 * The PVH builder: a guest's start of day as docs/misc/pvh.pandoc describes
 * it, written through a foreign mapping of its gfns, plus what Xen must
 * know (the memory map, the HVM params) and vCPU 0's state, carried in HVM
 * context records (xen/hvm/save.h) as Xen's domctls want them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../layout/acpi.h"
#include "abi_hvm.h"
#include "pvh.h"

#define DR6_DEFAULT 0xffff0ff0u
#define DR7_DEFAULT 0x00000400u
#define PDE_IDENT   0xe7u /* present, RW, user, accessed, dirty, 4 MiB page */
#define DESC        sizeof(struct hvm_save_descriptor)

/* The gfns [first, first + pages) mapped into our address space. */
struct gmem {
    uint8_t *base;
    uint64_t first, pages;
};

/* Pointer to guest physical [pa, pa + len), NULL if outside the mapping. */
static void *at(const struct gmem *g, uint64_t pa, uint64_t len)
{
    uint64_t off, end;

    if (__builtin_sub_overflow(pa, g->first << XB_PAGE_SHIFT, &off) ||
        __builtin_add_overflow(off, len, &end) || end > g->pages * XB_PAGE_SIZE)
        return NULL;
    return g->base + off;
}

/* ---- what Xen keeps: the memory map, the params ---- */

static int set_memory_map(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          const struct xb_layout *lo)
{
    struct xb_hv_e820 map[XB_LAYOUT_E820_MAX];

    for (unsigned i = 0; i < lo->nr_e820; i++)
        map[i] = (struct xb_hv_e820){
            .addr = lo->e820[i].addr, .size = lo->e820[i].size, .type = lo->e820[i].type};
    return hv->ops->set_memory_map(hv, err, domid, map, lo->nr_e820);
}

static int set_params(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const struct xb_pvh_boot *b)
{
    const uint64_t sp = b->lo->special_gfn;
    /* The special pages as xl numbers them, and what the guest needs of its own. */
    const struct {
        unsigned param;
        uint64_t value;
    } params[] = {
        {HVM_PARAM_STORE_PFN, b->lo->seg[XB_SEG_XENSTORE].pfn},
        {HVM_PARAM_CONSOLE_PFN, b->lo->seg[XB_SEG_CONSOLE].pfn},
        {HVM_PARAM_PAGING_RING_PFN, sp + 0},
        {HVM_PARAM_MONITOR_RING_PFN, sp + 1},
        {HVM_PARAM_SHARING_RING_PFN, sp + 2},
        {HVM_PARAM_BUFIOREQ_PFN, sp + 3},
        {HVM_PARAM_IOREQ_PFN, sp + 5},
        {HVM_PARAM_IDENT_PT, (sp + 6) << XB_PAGE_SHIFT},
        {HVM_PARAM_STORE_EVTCHN, b->store_port},
        {HVM_PARAM_CONSOLE_EVTCHN, b->console_port},
        {HVM_PARAM_TIMER_MODE, HVMPTM_no_delay_for_missed_ticks}, /* xl's default */
    };
    int rc = 0;

    for (size_t i = 0; !rc && i < sizeof(params) / sizeof(params[0]); i++)
        rc = hv->ops->hvm_param_set(hv, err, domid, params[i].param, params[i].value);
    return rc;
}

/* Clear the special pages; the 7th holds a 32-bit identity map of 4 MiB pages. */
static int init_special(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                        const struct xb_layout *lo)
{
    xb_mfn gfns[XB_HVM_NR_SPECIAL];
    uint32_t *pd;
    uint8_t *p;

    for (unsigned i = 0; i < lo->nr_special && i < XB_HVM_NR_SPECIAL; i++)
        gfns[i] = lo->special_gfn + i;
    p = hv->ops->map_foreign(hv, err, domid, true, gfns, lo->nr_special);
    if (!p)
        return xb_err_set(err, -ENOMEM, "map_foreign: cannot map the special pages");
    memset(p, 0, lo->nr_special * XB_PAGE_SIZE);
    pd = (uint32_t *)(void *)(p + 6 * XB_PAGE_SIZE);
    for (uint32_t i = 0; i < XB_PAGE_SIZE / sizeof(*pd); i++)
        pd[i] = (i << 22) | PDE_IDENT;
    return hv->ops->unmap_foreign(hv, err, p, lo->nr_special);
}

/* ---- the guest's memory: kernel, modules, start info ---- */

static int map_boot(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                    const struct xb_layout *lo, struct gmem *g)
{
    const struct xb_layout_seg *k = &lo->seg[XB_SEG_KERNEL],
                               *si = &lo->seg[XB_SEG_START_INFO];
    xb_mfn *gfns;

    g->first = k->pfn;
    g->pages = si->pfn + si->pages - k->pfn;
    gfns = malloc(g->pages * sizeof(*gfns));
    if (!gfns)
        return xb_err_set(err, -ENOMEM, "pvh: out of memory for %" PRIu64 " gfns",
                          g->pages);
    for (uint64_t i = 0; i < g->pages; i++)
        gfns[i] = g->first + i;
    g->base = hv->ops->map_foreign(hv, err, domid, true, gfns, g->pages);
    free(gfns);
    if (!g->base)
        return xb_err_set(err, -ENOMEM,
                          "map_foreign: cannot map the %" PRIu64
                          " pages from gfn 0x%" PRIx64,
                          g->pages, g->first);
    memset(g->base, 0, g->pages * XB_PAGE_SIZE); /* bss, gaps, the start info's padding */
    return 0;
}

static int load_kernel(const struct gmem *g, const struct xb_pvh_boot *b,
                       struct xb_err *err)
{
    const struct xb_image *img = b->img;
    const struct xb_layout_seg *k = &b->lo->seg[XB_SEG_KERNEL];

    for (size_t i = 0; i < img->nsegs; i++) {
        const struct xb_segment *s = &img->segs[i];
        uint64_t src_end, dst_end;
        uint8_t *dst;

        if (__builtin_add_overflow(s->offset, s->filesz, &src_end) ||
            src_end > img->elf_size || s->filesz > s->memsz ||
            __builtin_add_overflow(s->paddr, s->memsz, &dst_end) ||
            s->paddr < k->vstart || dst_end > k->vend ||
            !(dst = at(g, s->paddr, s->memsz)))
            return xb_err_set(err, -EINVAL,
                              "kernel: segment %zu (paddr 0x%" PRIx64 ", %" PRIu64
                              " bytes) lies outside the kernel's physical range",
                              i, s->paddr, s->memsz);
        memcpy(dst, img->elf + s->offset, s->filesz);
    }
    return 0;
}

static int load_modules(const struct gmem *g, const struct xb_pvh_boot *b,
                        struct xb_err *err)
{
    for (unsigned i = 0; i < b->nr_modules; i++) {
        const struct xb_pvh_module *m = &b->mod[i];
        const struct xb_layout_seg *s = &b->lo->seg[m->seg];
        uint8_t *dst = at(g, s->vstart, m->len);

        if (!dst || m->len > s->pages * XB_PAGE_SIZE)
            return xb_err_set(err, -EINVAL, "%s: %zu bytes do not fit the layout",
                              s->name, m->len);
        memcpy(dst, m->data, m->len);
    }
    return 0;
}

/* A module's command line into its 1 KiB slot; true when it had to be cut. */
static bool put_mod_cmdline(char *slot, const char *cmdline)
{
    size_t len = strlen(cmdline);
    bool cut = len >= XB_PVH_MOD_CMDLINE_MAX;

    if (cut)
        len = XB_PVH_MOD_CMDLINE_MAX - 1;
    memcpy(slot, cmdline, len);
    slot[len] = '\0';
    return cut;
}

static void write_modlist(const struct gmem *g, const struct xb_pvh_boot *b, bool *cut)
{
    const struct xb_layout *lo = b->lo;
    struct hvm_modlist_entry *ml =
        at(g, lo->modlist_paddr, XB_PVH_MODULES_MAX * sizeof(*ml));
    uint64_t slots = lo->modlist_paddr + XB_PVH_MODULES_MAX * sizeof(*ml);

    for (unsigned i = 0; ml && i < b->nr_modules; i++) {
        const struct xb_pvh_module *m = &b->mod[i];
        uint64_t slot = slots + i * XB_PVH_MOD_CMDLINE_MAX;
        ml[i] =
            (struct hvm_modlist_entry){.paddr = lo->seg[m->seg].vstart, .size = m->len};
        if (m->cmdline) {
            *cut |= put_mod_cmdline(at(g, slot, XB_PVH_MOD_CMDLINE_MAX), m->cmdline);
            ml[i].cmdline_paddr = slot;
        }
    }
}

static int write_start_info(const struct gmem *g, const struct xb_pvh_boot *b, bool *cut,
                            struct xb_err *err)
{
    const struct xb_layout *lo = b->lo;
    const struct xb_layout_seg *s = &lo->seg[XB_SEG_START_INFO];
    struct hvm_start_info *si = at(g, s->vstart, sizeof(*si));
    struct hvm_memmap_table_entry *mm =
        at(g, lo->memmap_paddr, lo->nr_e820 * sizeof(*mm));
    size_t clen = b->cmdline ? strlen(b->cmdline) : 0;
    char *cl = clen ? at(g, lo->cmdline_paddr, clen + 1) : NULL;

    if (!si || !mm || (clen && !cl) || (b->nr_modules && !lo->modlist_paddr))
        return xb_err_set(err, -EINVAL,
                          "layout: the start info does not fit its segment");
    *si = (struct hvm_start_info){
        .magic = XEN_HVM_START_MAGIC_VALUE,
        .version = 1,
        .nr_modules = b->nr_modules,
        .modlist_paddr = lo->modlist_paddr,
        .cmdline_paddr = clen ? lo->cmdline_paddr : 0,
        .rsdp_paddr = lo->rsdp_paddr, /* 0 with acpi = 0: the guest finds none */
        .memmap_paddr = lo->memmap_paddr,
        .memmap_entries = lo->nr_e820,
    };
    if (clen)
        memcpy(cl, b->cmdline, clen + 1);
    for (unsigned i = 0; i < lo->nr_e820; i++)
        mm[i] = (struct hvm_memmap_table_entry){
            .addr = lo->e820[i].addr, .size = lo->e820[i].size, .type = lo->e820[i].type};
    write_modlist(g, b, cut);
    return 0;
}

/* The ACPI tables into their own pages (outside RAM, as xl puts them). */
static int write_acpi(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const struct xb_pvh_boot *b)
{
    const struct xb_layout_seg *s = &b->lo->seg[XB_SEG_ACPI];
    const struct xb_acpi_in in = {
        .paddr = s->vstart, .vcpus = b->vcpus, .max_vcpus = b->max_vcpus};
    xb_mfn gfns[8];
    uint8_t *p;
    int rc, unmapped;

    if (!s->pages)
        return 0;
    if (s->pages > sizeof(gfns) / sizeof(gfns[0]))
        return xb_err_set(err, -EINVAL, "acpi: %" PRIu64 " pages of tables", s->pages);
    for (uint64_t i = 0; i < s->pages; i++)
        gfns[i] = s->pfn + i;
    p = hv->ops->map_foreign(hv, err, domid, true, gfns, s->pages);
    if (!p)
        return xb_err_set(err, -ENOMEM, "map_foreign: cannot map the ACPI tables' pages");
    memset(p, 0, s->pages * XB_PAGE_SIZE);
    rc = xb__acpi_write(&in, p, s->pages * XB_PAGE_SIZE, err);
    unmapped = hv->ops->unmap_foreign(hv, err, p, s->pages);
    return rc ? rc : unmapped;
}

/* ---- vCPU state, in HVM context records ---- */

/* The record of @code/@instance in a context stream of @len bytes, NULL if none. */
static const uint8_t *find_record(const uint8_t *buf, size_t len, unsigned code,
                                  unsigned instance, uint32_t want_len)
{
    struct hvm_save_descriptor d;

    for (size_t off = 0; len - off >= DESC; off += DESC + d.length) {
        memcpy(&d, buf + off, DESC);
        if (d.length > len - off - DESC || d.typecode == HVM_SAVE_CODE(END))
            return NULL;
        if (d.typecode == code && d.instance == instance && d.length == want_len)
            return buf + off + DESC;
    }
    return NULL;
}

static uint8_t *put(uint8_t *p, unsigned code, unsigned instance, const void *rec,
                    uint32_t len)
{
    const struct hvm_save_descriptor d = {
        .typecode = (uint16_t)code, .instance = (uint16_t)instance, .length = len};

    memcpy(p, &d, DESC);
    if (len)
        memcpy(p + DESC, rec, len);
    return p + DESC + len;
}

/* Xen's whole HVM context of the domain (malloc'd into *buf). */
static int get_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                       uint8_t **buf, size_t *len)
{
    size_t need = 0;
    int rc = hv->ops->hvm_get_context(hv, err, domid, NULL, 0, &need);

    *buf = NULL;
    if (!rc && (need < DESC + HVM_SAVE_LENGTH(HEADER) || !(*buf = malloc(need))))
        rc = xb_err_set(err, -ENOMEM, "hvm_get_context(%" PRIu32 "): %zu bytes", domid,
                        need);
    if (!rc)
        rc = hv->ops->hvm_get_context(hv, err, domid, *buf, need, len);
    return rc;
}

/* Every vCPU's MTRRs as Xen has them, enabled with write-back as the default type. */
static int set_mtrrs(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct xb_pvh_boot *b, const uint8_t *ctx, size_t len)
{
    const size_t rec = DESC + HVM_SAVE_LENGTH(MTRR);
    uint8_t *out = malloc(DESC + HVM_SAVE_LENGTH(HEADER) + b->max_vcpus * rec + DESC);
    uint8_t *p = out;
    int rc = 0;

    if (!out)
        return xb_err_set(err, -ENOMEM, "pvh: out of memory for the MTRR records");
    p = put(p, HVM_SAVE_CODE(HEADER), 0, ctx + DESC, HVM_SAVE_LENGTH(HEADER));
    for (unsigned v = 0; !rc && v < b->max_vcpus; v++) {
        const uint8_t *m =
            find_record(ctx, len, HVM_SAVE_CODE(MTRR), v, HVM_SAVE_LENGTH(MTRR));
        struct hvm_hw_mtrr mtrr;
        if (!m) {
            rc = xb_err_set(err, -EPROTO,
                            "hvm_get_context(%" PRIu32 "): no MTRR record "
                            "for vCPU %u",
                            domid, v);
            break;
        }
        memcpy(&mtrr, m, sizeof(mtrr));
        mtrr.msr_mtrr_def_type = XB_MTRR_TYPE_WB | XB_MTRR_DEF_ENABLE;
        p = put(p, HVM_SAVE_CODE(MTRR), v, &mtrr, sizeof(mtrr));
    }
    p = put(p, HVM_SAVE_CODE(END), 0, NULL, 0);
    if (!rc)
        rc = hv->ops->hvm_set_context(hv, err, domid, out, (size_t)(p - out));
    free(out);
    return rc;
}

/* vCPU 0 at PHYS32_ENTRY: flat 32-bit segments, paging off, %ebx = start info. */
static struct hvm_hw_cpu boot_cpu(const struct xb_pvh_boot *b)
{
    return (struct hvm_hw_cpu){
        .rip = b->lo->virt_entry,
        .rbx = b->lo->seg[XB_SEG_START_INFO].vstart,
        .rflags = XB_EFLAGS_MBS,
        .cr0 = XB_CR0_PE | XB_CR0_ET,
        .dr6 = DR6_DEFAULT,
        .dr7 = DR7_DEFAULT,
        .cs_limit = ~0u,
        .ds_limit = ~0u,
        .es_limit = ~0u,
        .ss_limit = ~0u,
        .tr_limit = XB_TSS_LIMIT,
        .cs_arbytes = XB_AR_CODE32,
        .ds_arbytes = XB_AR_DATA32,
        .es_arbytes = XB_AR_DATA32,
        .ss_arbytes = XB_AR_DATA32,
        .tr_arbytes = XB_AR_TSS32,
    };
}

/* Loading a context takes every vCPU down: vCPU 0's record goes last, alone. */
static int set_vcpu0(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct xb_pvh_boot *b, const uint8_t *ctx)
{
    const struct hvm_hw_cpu cpu = boot_cpu(b);
    uint8_t out[3 * DESC + HVM_SAVE_LENGTH(HEADER) + HVM_SAVE_LENGTH(CPU)];
    uint8_t *p = out;

    p = put(p, HVM_SAVE_CODE(HEADER), 0, ctx + DESC, HVM_SAVE_LENGTH(HEADER));
    p = put(p, HVM_SAVE_CODE(CPU), 0, &cpu, sizeof(cpu));
    p = put(p, HVM_SAVE_CODE(END), 0, NULL, 0);
    return hv->ops->hvm_set_context(hv, err, domid, out, (size_t)(p - out));
}

static int set_vcpus(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct xb_pvh_boot *b)
{
    struct hvm_save_descriptor first;
    uint8_t *ctx = NULL;
    size_t len = 0;
    int rc = get_context(hv, err, domid, &ctx, &len);

    if (!rc) {
        memcpy(&first, ctx, DESC);
        if (len < DESC + HVM_SAVE_LENGTH(HEADER) ||
            first.typecode != HVM_SAVE_CODE(HEADER) ||
            first.length != HVM_SAVE_LENGTH(HEADER))
            rc =
                xb_err_set(err, -EPROTO,
                           "hvm_get_context(%" PRIu32 "): no HEADER record first", domid);
    }
    if (!rc)
        rc = set_mtrrs(hv, err, domid, b, ctx, len);
    if (!rc)
        rc = set_vcpu0(hv, err, domid, b, ctx);
    free(ctx);
    return rc;
}

int xb__pvh_build(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                  const struct xb_pvh_boot *b, bool *mod_cmdline_cut)
{
    struct gmem g = {0};
    int rc, unmapped = 0;

    *mod_cmdline_cut = false;
    rc = set_memory_map(hv, err, domid, b->lo);
    if (!rc)
        rc = map_boot(hv, err, domid, b->lo, &g);
    if (!rc)
        rc = load_kernel(&g, b, err);
    if (!rc)
        rc = load_modules(&g, b, err);
    if (!rc)
        rc = write_start_info(&g, b, mod_cmdline_cut, err);
    if (g.base)
        unmapped = hv->ops->unmap_foreign(hv, err, g.base, g.pages);
    if (!rc)
        rc = unmapped;
    if (!rc)
        rc = write_acpi(hv, err, domid, b);
    if (!rc)
        rc = init_special(hv, err, domid, b->lo);
    if (!rc)
        rc = set_params(hv, err, domid, b);
    if (!rc)
        rc = set_vcpus(hv, err, domid, b);
    return rc;
}
