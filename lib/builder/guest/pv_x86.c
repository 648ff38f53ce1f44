/* SPDX-License-Identifier: MIT */
/*
 * The x86 PV builders (x86_64 with 4-level tables, x86_32 PAE with 3): the
 * guest's start of day as xen/include/public/xen.h describes it, written
 * through foreign mappings of the bootstrap region.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../layout/layout.h"
#include "abi_x86.h"
#include "pv_x86.h"

#define PTE_P                   0x001ull
#define PTE_RW                  0x002ull
#define PTE_USER                0x004ull
#define PTE_ACCESSED            0x020ull
#define PTE_DIRTY               0x040ull
#define PROT_L1                 (PTE_P | PTE_RW | PTE_ACCESSED)
#define PROT_UPPER              (PTE_P | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_USER)
#define PROT_PAE_L3             PTE_P /* PAE L3 entries take no other bits */
#define PAE_L3_SLOT3            0xc0000000ull
#define SIF_MOD_START_PFN       (1u << 3) /* xen.h: mod_start is a pfn */
#define EFLAGS_IF               (1u << 9)
#define VMASST_PAE_EXTENDED_CR3 5 /* xen.h: VMASST_TYPE_pae_extended_cr3 */

/* The bootstrap region mapped into our address space; all writes go through at(). */
struct gmem {
    uint8_t *base;
    uint64_t size;
    uint64_t virt_base;
};

struct pv_arch {
    unsigned levels;
    void (*start_info)(void *page, const struct xb_pv_boot *b, uint32_t flags, bool *cut);
    void (*shared_info)(void *page);
    size_t ctx_size;
    void (*vcpu)(void *ctx, const struct xb_pv_boot *b, xb_mfn cr3_mfn);
};

/* Pointer to [va, va + len) of the bootstrap region, NULL if outside it. */
static void *at(const struct gmem *g, uint64_t va, uint64_t len)
{
    uint64_t off, end;

    if (__builtin_sub_overflow(va, g->virt_base, &off) ||
        __builtin_add_overflow(off, len, &end) || end > g->size)
        return NULL;
    return g->base + off;
}

static void *seg_at(const struct gmem *g, const struct xb_layout *lo, enum xb_seg_id id)
{
    const struct xb_layout_seg *s = &lo->seg[id];

    return at(g, s->vstart, s->pages * XB_PAGE_SIZE);
}

/* p2m[@pfn], or XB_NO_MFN past the guest's memory: every p2m read goes here. */
static xb_mfn mfn_of(const struct xb_pv_boot *b, uint64_t pfn)
{
    return pfn < b->lo->total_pages ? b->p2m[pfn] : XB_NO_MFN;
}

static xb_mfn mfn_of_seg(const struct xb_pv_boot *b, enum xb_seg_id id)
{
    return mfn_of(b, b->lo->seg[id].pfn);
}

static size_t copy_cmdline(int8_t *dst, const char *cmdline, bool *cut)
{
    size_t len = cmdline ? strlen(cmdline) : 0;

    *cut = len >= XB_PV_CMDLINE_MAX;
    if (*cut)
        len = XB_PV_CMDLINE_MAX - 1;
    if (len)
        memcpy(dst, cmdline, len);
    dst[len] = 0;
    return len;
}

/* start_info's values, independent of the guest's width. */
struct si_vals {
    uint64_t nr_pages, shared_info, store_mfn, console_mfn;
    uint64_t pt_base, nr_pt_frames, mfn_list, mod_start, mod_len;
    uint32_t flags, store_evtchn, console_evtchn;
};

static struct si_vals si_vals(const struct xb_pv_boot *b, uint32_t flags)
{
    const struct xb_layout *lo = b->lo;
    const struct xb_layout_seg *rd = &lo->seg[XB_SEG_RAMDISK];

    return (struct si_vals){
        .nr_pages = lo->total_pages,
        .shared_info = b->shared_info_mfn << XB_PAGE_SHIFT,
        .flags = flags,
        .store_mfn = mfn_of_seg(b, XB_SEG_XENSTORE),
        .store_evtchn = b->store_port,
        .console_mfn = mfn_of_seg(b, XB_SEG_CONSOLE),
        .console_evtchn = b->console_port,
        .pt_base = lo->seg[XB_SEG_PGTABLES].vstart,
        .nr_pt_frames = lo->nr_pt_frames,
        .mfn_list = lo->seg[XB_SEG_P2M].vstart,
        .mod_start =
            b->ramdisk_len ? (flags & SIF_MOD_START_PFN ? rd->pfn : rd->vstart) : 0,
        .mod_len = b->ramdisk_len,
    };
}

static void start_info_64(void *page, const struct xb_pv_boot *b, uint32_t flags,
                          bool *cut)
{
    const struct si_vals v = si_vals(b, flags);
    struct start_info_x86_64 *si = page;

    *si = (struct start_info_x86_64){
        .nr_pages = v.nr_pages,
        .shared_info = v.shared_info,
        .flags = v.flags,
        .store_mfn = v.store_mfn,
        .store_evtchn = v.store_evtchn,
        .console.domU = {.mfn = v.console_mfn, .evtchn = v.console_evtchn},
        .pt_base = v.pt_base,
        .nr_pt_frames = v.nr_pt_frames,
        .mfn_list = v.mfn_list,
        .mod_start = v.mod_start,
        .mod_len = v.mod_len,
    };
    snprintf(si->magic, sizeof(si->magic), "%s", b->lo->guest_type);
    copy_cmdline(si->cmd_line, b->cmdline, cut);
}

static void start_info_32(void *page, const struct xb_pv_boot *b, uint32_t flags,
                          bool *cut)
{
    const struct si_vals v = si_vals(b, flags);
    struct start_info_x86_32 *si = page;

    *si = (struct start_info_x86_32){
        .nr_pages = (uint32_t)v.nr_pages,
        .shared_info = (uint32_t)v.shared_info,
        .flags = v.flags,
        .store_mfn = (uint32_t)v.store_mfn,
        .store_evtchn = v.store_evtchn,
        .console.domU = {.mfn = (uint32_t)v.console_mfn, .evtchn = v.console_evtchn},
        .pt_base = (uint32_t)v.pt_base,
        .nr_pt_frames = (uint32_t)v.nr_pt_frames,
        .mfn_list = (uint32_t)v.mfn_list,
        .mod_start = (uint32_t)v.mod_start,
        .mod_len = (uint32_t)v.mod_len,
    };
    snprintf(si->magic, sizeof(si->magic), "%s", b->lo->guest_type);
    copy_cmdline(si->cmd_line, b->cmdline, cut);
}

/* Events masked on every vCPU until the guest sets up its callbacks. */
static void shared_info_64(void *page)
{
    struct shared_info_x86_64 *sh = page;

    memset(sh, 0, sizeof(*sh));
    for (size_t i = 0; i < XEN_LEGACY_MAX_VCPUS_X86_64; i++)
        sh->vcpu_info[i].evtchn_upcall_mask = 1;
}

static void shared_info_32(void *page)
{
    struct shared_info_x86_32 *sh = page;

    memset(sh, 0, sizeof(*sh));
    for (size_t i = 0; i < XEN_LEGACY_MAX_VCPUS_X86_32; i++)
        sh->vcpu_info[i].evtchn_upcall_mask = 1;
}

static uint64_t stack_top(const struct xb_layout *lo)
{
    return lo->seg[XB_SEG_STACK].vend;
}

static void vcpu_64(void *out, const struct xb_pv_boot *b, xb_mfn cr3_mfn)
{
    const struct xb_layout *lo = b->lo;
    struct vcpu_guest_context_x86_64 *c = out;

    *c = (struct vcpu_guest_context_x86_64){
        .flags = VGCF_in_kernel_X86_64 | VGCF_online_X86_64,
        .user_regs =
            {
                .rip = lo->virt_entry,
                .rsp = stack_top(lo),
                .rsi = lo->seg[XB_SEG_START_INFO].vstart,
                .rflags = EFLAGS_IF,
                .cs = FLAT_KERNEL_CS_X86_64,
                .ss = FLAT_KERNEL_SS_X86_64,
                .ds = FLAT_KERNEL_DS_X86_64,
                .es = FLAT_KERNEL_DS_X86_64,
                .fs = FLAT_KERNEL_DS_X86_64,
                .gs = FLAT_KERNEL_DS_X86_64,
            },
        .kernel_ss = FLAT_KERNEL_SS_X86_64,
        .kernel_sp = stack_top(lo),
    };
    c->ctrlreg[3] = xen_pfn_to_cr3_x86_64(cr3_mfn);
}

static void vcpu_32(void *out, const struct xb_pv_boot *b, xb_mfn cr3_mfn)
{
    const struct xb_layout *lo = b->lo;
    struct vcpu_guest_context_x86_32 *c = out;
    const char *pae = b->img ? b->img->notes.pae_mode : "";

    *c = (struct vcpu_guest_context_x86_32){
        .flags = VGCF_in_kernel_X86_32 | VGCF_online_X86_32,
        .user_regs =
            {
                .eip = (uint32_t)lo->virt_entry,
                .esp = (uint32_t)stack_top(lo),
                .esi = (uint32_t)lo->seg[XB_SEG_START_INFO].vstart,
                .eflags = EFLAGS_IF,
                .cs = FLAT_KERNEL_CS_X86_32,
                .ss = FLAT_KERNEL_SS_X86_32,
                .ds = FLAT_KERNEL_DS_X86_32,
                .es = FLAT_KERNEL_DS_X86_32,
                .fs = FLAT_KERNEL_DS_X86_32,
                .gs = FLAT_KERNEL_DS_X86_32,
            },
        .kernel_ss = FLAT_KERNEL_SS_X86_32,
        .kernel_sp = (uint32_t)stack_top(lo),
    };
    if (strcmp(pae, "bimodal") == 0 || strcmp(pae, "yes[extended-cr3]") == 0)
        c->vm_assist |= 1u << VMASST_PAE_EXTENDED_CR3;
    c->ctrlreg[3] = xen_pfn_to_cr3_x86_32(cr3_mfn);
}

static const struct pv_arch arch_64 = {
    .levels = 4,
    .start_info = start_info_64,
    .shared_info = shared_info_64,
    .ctx_size = sizeof(struct vcpu_guest_context_x86_64),
    .vcpu = vcpu_64,
};

static const struct pv_arch arch_32 = {
    .levels = 3,
    .start_info = start_info_32,
    .shared_info = shared_info_32,
    .ctx_size = sizeof(struct vcpu_guest_context_x86_32),
    .vcpu = vcpu_32,
};

/* ---- loading ---- */

static int load_kernel(const struct gmem *g, const struct xb_pv_boot *b,
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
            __builtin_add_overflow(s->load_vaddr, s->memsz, &dst_end) ||
            s->load_vaddr < k->vstart || dst_end > k->vend ||
            !(dst = at(g, s->load_vaddr, s->memsz)))
            return xb_err_set(err, -EINVAL,
                              "kernel: segment %zu (0x%" PRIx64 ", %" PRIu64
                              " bytes) lies outside the kernel's range",
                              i, s->load_vaddr, s->memsz);
        memcpy(dst, img->elf + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
    return 0;
}

static int load_ramdisk(const struct gmem *g, const struct xb_pv_boot *b,
                        struct xb_err *err)
{
    const struct xb_layout_seg *s = &b->lo->seg[XB_SEG_RAMDISK];
    uint8_t *dst;

    if (!b->ramdisk_len)
        return 0;
    dst = at(g, s->vstart, b->ramdisk_len);
    if (!dst || b->ramdisk_len > s->pages * XB_PAGE_SIZE)
        return xb_err_set(err, -EINVAL, "ramdisk: %zu bytes do not fit the layout",
                          b->ramdisk_len);
    memcpy(dst, b->ramdisk, b->ramdisk_len);
    return 0;
}

static int write_p2m(const struct gmem *g, const struct xb_pv_boot *b, struct xb_err *err)
{
    const struct xb_layout *lo = b->lo;
    uint8_t *dst = seg_at(g, lo, XB_SEG_P2M);

    if (!dst)
        return xb_err_set(err, -EINVAL, "layout: p2m outside the bootstrap mapping");
    for (uint64_t pfn = 0; pfn < lo->total_pages; pfn++) {
        if (lo->pfn_size == 8) {
            uint64_t v = mfn_of(b, pfn);
            memcpy(dst + pfn * 8, &v, 8);
        } else {
            uint32_t v = (uint32_t)mfn_of(b, pfn);
            memcpy(dst + pfn * 4, &v, 4);
        }
    }
    return 0;
}

static int write_start_info(const struct gmem *g, const struct pv_arch *a,
                            const struct xb_pv_boot *b, bool *cut, struct xb_err *err)
{
    void *page = seg_at(g, b->lo, XB_SEG_START_INFO);
    uint32_t flags = 0;

    if (!page)
        return xb_err_set(err, -EINVAL,
                          "layout: start_info outside the bootstrap mapping");
    if (b->ramdisk_len && b->img->notes.mod_start_pfn != XB_UNSET_ADDR &&
        b->img->notes.mod_start_pfn)
        flags |= SIF_MOD_START_PFN;
    a->start_info(page, b, flags, cut);
    return 0;
}

/* ---- page tables ---- */

/* First pfn of the tables of level @l (top level first, L1 last). */
static uint64_t level_base(const struct xb_layout *lo, unsigned l)
{
    uint64_t pfn = lo->seg[XB_SEG_PGTABLES].pfn;

    for (unsigned k = lo->levels; k > l; k--)
        pfn += lo->nr_tables[k - 1];
    return pfn;
}

/* Page-table pfn of the level-@l table that maps @va. */
static uint64_t table_pfn(const struct xb_layout *lo, unsigned l, uint64_t va)
{
    unsigned shift = 12 + 9 * l; /* bytes one level-l table maps: 2^shift */

    if (l == lo->levels)
        return level_base(lo, l);
    return level_base(lo, l) + ((va >> shift) - (lo->virt_base >> shift));
}

static uint64_t *entry(const struct gmem *g, const struct xb_layout *lo, unsigned l,
                       uint64_t va)
{
    uint64_t *table =
        at(g, lo->virt_base + table_pfn(lo, l, va) * XB_PAGE_SIZE, XB_PAGE_SIZE);
    unsigned idx = (unsigned)((va >> (12 + 9 * (l - 1))) & 511);

    return table ? &table[idx] : NULL;
}

static uint64_t upper_prot(const struct xb_layout *lo, unsigned l)
{
    return lo->levels == 3 && l == 3 ? PROT_PAE_L3 : PROT_UPPER;
}

static bool is_pgtable(const struct xb_layout *lo, uint64_t pfn)
{
    const struct xb_layout_seg *s = &lo->seg[XB_SEG_PGTABLES];

    return pfn >= s->pfn && pfn < s->pfn + s->pages;
}

/* One entry: *@e = frame of pfn @pfn with @prot; -EINVAL outside table or memory. */
static int set_pte(uint64_t *e, const struct xb_pv_boot *b, uint64_t pfn, uint64_t prot)
{
    xb_mfn mfn = mfn_of(b, pfn);

    if (!e || mfn == XB_NO_MFN)
        return -EINVAL;
    *e = (mfn << XB_PAGE_SHIFT) | prot;
    return 0;
}

static int map_page(const struct gmem *g, const struct xb_pv_boot *b, uint64_t va)
{
    const struct xb_layout *lo = b->lo;
    uint64_t pfn = (va - lo->virt_base) / XB_PAGE_SIZE;
    int rc = 0;

    for (unsigned l = lo->levels; !rc && l > 1; l--)
        rc = set_pte(entry(g, lo, l, va), b, table_pfn(lo, l - 1, va), upper_prot(lo, l));
    if (!rc)
        rc = set_pte(entry(g, lo, 1, va), b, pfn,
                     is_pgtable(lo, pfn) ? PROT_L1 & ~PTE_RW : PROT_L1);
    return rc;
}

static int write_pgtables(const struct gmem *g, const struct xb_pv_boot *b,
                          struct xb_err *err)
{
    const struct xb_layout *lo = b->lo;
    int rc = 0;

    for (uint64_t va = lo->virt_base; !rc && va < lo->bootstrap_end; va += XB_PAGE_SIZE)
        rc = map_page(g, b, va);
    if (!rc && lo->levels == 3 && lo->bootstrap_end <= PAE_L3_SLOT3) {
        /* Xen wants L3 slot 3 present: the spare L2 counted last. */
        uint64_t *l3 = at(g, lo->seg[XB_SEG_PGTABLES].vstart, XB_PAGE_SIZE);

        rc = set_pte(l3 ? &l3[3] : NULL, b, level_base(lo, 2) + lo->nr_tables[1] - 1,
                     PROT_PAE_L3);
    }
    if (rc)
        return xb_err_set(err, -EINVAL, "layout: page tables outside the mapping");
    return 0;
}

/* ---- the steps with the hypervisor ---- */

static int map_bootstrap(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         const struct xb_pv_boot *b, struct gmem *g)
{
    uint64_t n = (b->lo->bootstrap_end - b->lo->virt_base) / XB_PAGE_SIZE;

    if (n > b->lo->total_pages)
        return xb_err_set(err, -EINVAL,
                          "layout: the bootstrap region exceeds the memory");
    g->virt_base = b->lo->virt_base;
    g->size = n * XB_PAGE_SIZE;
    g->base = hv->ops->map_foreign(hv, err, domid, true, b->p2m, n);
    if (!g->base)
        return xb_err_set(
            err, -ENOMEM,
            "map_foreign: cannot map the %" PRIu64 " pages of the bootstrap region", n);
    /* Every segment starts zeroed (bss included); the slack after the boot
     * stack is free memory the guest owns as it is. */
    memset(g->base, 0, b->lo->seg[XB_SEG_STACK].vend - b->lo->virt_base);
    return 0;
}

static int unmap_bootstrap(struct xb_hv *hv, struct xb_err *err, const struct gmem *g)
{
    if (!g->base)
        return 0;
    return hv->ops->unmap_foreign(hv, err, g->base, g->size / XB_PAGE_SIZE);
}

static int hypercall_page(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          const struct xb_pv_boot *b)
{
    const struct xb_layout *lo = b->lo;

    if (lo->virt_hypercall == XB_UNSET_ADDR)
        return 0;
    return hv->ops->hypercall_init(
        hv, err, domid, mfn_of(b, (lo->virt_hypercall - lo->virt_base) / XB_PAGE_SIZE));
}

static int pin_top(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                   const struct pv_arch *a, const struct xb_pv_boot *b)
{
    return hv->ops->pin_table(hv, err, domid, a->levels, mfn_of_seg(b, XB_SEG_PGTABLES));
}

static int init_shared_info(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            const struct pv_arch *a, xb_mfn mfn)
{
    void *page = hv->ops->map_foreign(hv, err, domid, true, &mfn, 1);

    if (!page)
        return xb_err_set(err, -ENOMEM, "map_foreign: cannot map shared_info");
    a->shared_info(page);
    return hv->ops->unmap_foreign(hv, err, page, 1);
}

static int set_vcpu0(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct pv_arch *a, const struct xb_pv_boot *b)
{
    _Alignas(16) uint8_t ctx[sizeof(struct vcpu_guest_context_x86_64)];

    a->vcpu(ctx, b, mfn_of_seg(b, XB_SEG_PGTABLES));
    return hv->ops->set_vcpu_context(hv, err, domid, 0, ctx, a->ctx_size);
}

int xb__pv_x86_build(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const struct xb_pv_boot *b, bool *cmdline_cut)
{
    const struct pv_arch *a = b->lo->levels == 4 ? &arch_64 : &arch_32;
    struct gmem g = {0};
    int rc, unmapped;

    *cmdline_cut = false;
    rc = map_bootstrap(hv, err, domid, b, &g);
    if (!rc)
        rc = load_kernel(&g, b, err);
    if (!rc)
        rc = load_ramdisk(&g, b, err);
    if (!rc)
        rc = write_p2m(&g, b, err);
    if (!rc)
        rc = write_start_info(&g, a, b, cmdline_cut, err);
    if (!rc)
        rc = write_pgtables(&g, b, err);
    unmapped = unmap_bootstrap(hv, err, &g); /* always: before the pin */
    if (!rc)
        rc = unmapped;
    if (!rc)
        rc = hypercall_page(hv, err, domid, b);
    if (!rc)
        rc = pin_top(hv, err, domid, a, b);
    if (!rc)
        rc = init_shared_info(hv, err, domid, a, b->shared_info_mfn);
    if (!rc)
        rc = set_vcpu0(hv, err, domid, a, b);
    return rc;
}
