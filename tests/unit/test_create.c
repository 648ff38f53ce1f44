/* SPDX-License-Identifier: MIT */
/*
 * xb_domain_create() on the sim backend, checked the way the guest and the
 * CPU see it: page tables walked from vCPU 0's CR3 (present/RW bits, their
 * own frames read-only), the p2m list read through that walk, start_info
 * fields, kernel bytes, hypercall page, pins, grant seed, event channels,
 * xenstore. Then fault injection at every op: nothing may be left behind.
 * The walker below is written from the x86 paging rules, not from the
 * builder's table writer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include <xbuild/builder.h>

#include "builder/guest/abi_x86.h"
#include "builder/domain/ctx.h"
#include "builder/hv/sim/inspect.h"

#define PAGE      4096ull
#define ADDR_MASK 0x000ffffffffff000ull

/* ---- a tiny in-test kernel image (no parser involved) ---- */

struct test_kernel {
    struct xb_image img;
    struct xb_segment seg[2];
    uint8_t elf[3 * PAGE];
};

static void make_kernel(struct test_kernel *k, unsigned guest, uint64_t base,
                        uint64_t kstart)
{
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < sizeof(k->elf); i++)
        k->elf[i] = (uint8_t)(i * 7 + 3);
    k->seg[0] = (struct xb_segment){.offset = 0,
                                    .filesz = 2 * PAGE + 100,
                                    .memsz = 5 * PAGE,
                                    .vaddr = kstart,
                                    .paddr = kstart - base,
                                    .load_vaddr = kstart,
                                    .flags = 7};
    k->seg[1] = (struct xb_segment){.offset = 2 * PAGE + 100,
                                    .filesz = PAGE - 100,
                                    .memsz = PAGE - 100,
                                    .vaddr = kstart + 6 * PAGE,
                                    .load_vaddr = kstart + 6 * PAGE,
                                    .flags = 6};
    k->img = (struct xb_image){
        .elf = k->elf,
        .elf_size = sizeof(k->elf),
        .elf_class = guest == XB_GUEST_PV64 ? 64 : 32,
        .segs = k->seg,
        .nsegs = 2,
        .virt_base = base,
        .paddr_offset = base,
        .virt_kstart = kstart,
        .virt_kend = kstart + 7 * PAGE,
        .virt_entry = kstart + 0x40,
        .virt_hypercall = kstart + PAGE,
        .pae = guest == XB_GUEST_PV32PAE,
        .guest_types = guest,
    };
    k->img.notes.hv_start_low = XB_UNSET_ADDR;
    k->img.notes.mod_start_pfn = XB_UNSET_ADDR;
}

static struct xb_spec make_spec(char *cmdline)
{
    return (struct xb_spec){
        .name = "t1",
        .type = XB_DOMTYPE_PV,
        .memory_mib = 33,
        .maxmem_mib = 40,
        .vcpus = 1,
        .maxvcpus = 2,
        .cmdline = cmdline,
        .on_poweroff = XB_ACTION_DESTROY,
        .on_reboot = XB_ACTION_RESTART,
        .on_crash = XB_ACTION_DESTROY,
    };
}

static struct xb_ctx *open_sim(uint32_t seed, const char *caps)
{
    const struct xb_sim_opts o = {.total_pages = 96 * 256,
                                  .seed = seed,
                                  .caps = caps,
                                  .fail_at = -1,
                                  .dirty = true};
    struct xb_hv *hv = NULL;
    struct xb_xs *xs = NULL;
    struct xb_ctx *ctx = NULL;

    assert_int_equal(xb__sim_open(&o, &hv, &xs, NULL), 0);
    assert_int_equal(xb__ctx_open_backend(hv, xs, &ctx), 0);
    return ctx;
}

/* ---- the walker: a CPU's view from CR3 ---- */

struct walker {
    struct xb_hv *hv;
    unsigned levels;
    uint64_t cr3_mfn;
};

static const uint64_t *frame64(struct xb_hv *hv, uint64_t mfn)
{
    const uint8_t *f = xb__sim_frame(hv, mfn);

    assert_non_null(f);
    return (const uint64_t *)f;
}

/* Translate @va; false when not present. *rw: writable at every level. */
static bool walk(const struct walker *w, uint64_t va, uint64_t *mfn, bool *rw)
{
    uint64_t table = w->cr3_mfn;

    *rw = true;
    for (unsigned l = w->levels; l >= 1; l--) {
        bool pae_l3 = w->levels == 3 && l == 3;
        unsigned idx = (unsigned)((va >> (12 + 9 * (l - 1))) & (pae_l3 ? 3 : 511));
        uint64_t e = frame64(w->hv, table)[idx];
        if (!(e & 1))
            return false;
        if (!pae_l3 && !(e & 2))
            *rw = false;
        table = (e & ADDR_MASK) >> 12;
    }
    *mfn = table;
    return true;
}

static const uint8_t *va_ptr(const struct walker *w, uint64_t va)
{
    uint64_t mfn;
    bool rw;

    assert_true(walk(w, va, &mfn, &rw));
    return xb__sim_frame(w->hv, mfn) + (va & (PAGE - 1));
}

static uint64_t p2m_entry(const struct walker *w, uint64_t mfn_list, unsigned size,
                          uint64_t pfn)
{
    const uint8_t *p = va_ptr(w, mfn_list + pfn * size);
    uint64_t v = 0;

    memcpy(&v, p, size);
    return v;
}

/* What start_info says, read width-independently. */
struct si {
    char magic[32];
    uint64_t nr_pages, shared_info, store_mfn, console_mfn, pt_base, nr_pt_frames;
    uint64_t mfn_list, mod_start, mod_len;
    uint32_t flags, store_evtchn, console_evtchn;
    const char *cmd_line;
};

static struct si read_si(const uint8_t *p, unsigned levels)
{
    struct si s = {0};

    if (levels == 4) {
        const struct start_info_x86_64 *x = (const void *)p;
        s = (struct si){.nr_pages = x->nr_pages,
                        .shared_info = x->shared_info,
                        .store_mfn = x->store_mfn,
                        .console_mfn = x->console.domU.mfn,
                        .pt_base = x->pt_base,
                        .nr_pt_frames = x->nr_pt_frames,
                        .mfn_list = x->mfn_list,
                        .mod_start = x->mod_start,
                        .mod_len = x->mod_len,
                        .flags = x->flags,
                        .store_evtchn = x->store_evtchn,
                        .console_evtchn = x->console.domU.evtchn,
                        .cmd_line = (const char *)x->cmd_line};
        memcpy(s.magic, x->magic, 32);
    } else {
        const struct start_info_x86_32 *x = (const void *)p;
        s = (struct si){.nr_pages = x->nr_pages,
                        .shared_info = x->shared_info,
                        .store_mfn = x->store_mfn,
                        .console_mfn = x->console.domU.mfn,
                        .pt_base = x->pt_base,
                        .nr_pt_frames = x->nr_pt_frames,
                        .mfn_list = x->mfn_list,
                        .mod_start = x->mod_start,
                        .mod_len = x->mod_len,
                        .flags = x->flags,
                        .store_evtchn = x->store_evtchn,
                        .console_evtchn = x->console.domU.evtchn,
                        .cmd_line = (const char *)x->cmd_line};
        memcpy(s.magic, x->magic, 32);
    }
    return s;
}

struct regs {
    uint64_t ip, sp, si, cr3_mfn;
    uint32_t flags;
};

static struct regs read_regs(struct xb_hv *hv, uint32_t domid, unsigned levels)
{
    size_t len = 0;
    const void *c = xb__sim_vcpu_context(hv, domid, 0, &len);

    assert_non_null(c);
    if (levels == 4) {
        const struct vcpu_guest_context_x86_64 *x = c;
        assert_int_equal(len, sizeof(*x));
        assert_int_equal(x->user_regs.cs, FLAT_KERNEL_CS_X86_64);
        assert_true(x->user_regs.rflags & (1u << 9));
        return (struct regs){.ip = x->user_regs.rip,
                             .sp = x->user_regs.rsp,
                             .si = x->user_regs.rsi,
                             .flags = (uint32_t)x->flags,
                             .cr3_mfn = xen_cr3_to_pfn_x86_64(x->ctrlreg[3])};
    }
    const struct vcpu_guest_context_x86_32 *x = c;
    assert_int_equal(len, sizeof(*x));
    assert_int_equal(x->user_regs.cs, FLAT_KERNEL_CS_X86_32);
    return (struct regs){.ip = x->user_regs.eip,
                         .sp = x->user_regs.esp,
                         .si = x->user_regs.esi,
                         .flags = x->flags,
                         .cr3_mfn = xen_cr3_to_pfn_x86_32(x->ctrlreg[3])};
}

/* Every page of [base, end) maps to the p2m's frame; tables read-only. */
static void check_mapping(const struct walker *w, const struct si *si, uint64_t base,
                          uint64_t end, unsigned pfn_size, uint32_t domid)
{
    uint64_t pt_end = si->pt_base + si->nr_pt_frames * PAGE;

    for (uint64_t va = base; va < end; va += PAGE) {
        uint64_t mfn;
        bool rw;
        assert_true(walk(w, va, &mfn, &rw));
        assert_int_equal(mfn, p2m_entry(w, si->mfn_list, pfn_size, (va - base) / PAGE));
        assert_int_equal(xb__sim_frame_owner(w->hv, mfn), domid);
        assert_int_equal(rw, !(va >= si->pt_base && va < pt_end));
    }
}

/* The p2m is a bijection onto the domain's frames, the inverse of Xen's M2P. */
static void check_p2m(const struct walker *w, const struct si *si, unsigned pfn_size,
                      uint32_t domid)
{
    uint64_t n = si->nr_pages;
    uint8_t *seen = calloc(96 * 256, 1);

    assert_non_null(seen);
    assert_int_equal(n, xb__sim_dom_pages(w->hv, domid));
    for (uint64_t pfn = 0; pfn < n; pfn++) {
        uint64_t mfn = p2m_entry(w, si->mfn_list, pfn_size, pfn);
        assert_true(mfn < 96 * 256);
        assert_int_equal(xb__sim_frame_owner(w->hv, mfn), domid);
        assert_int_equal(xb__sim_m2p(w->hv, mfn), pfn); /* Xen's M2P agrees */
        assert_int_equal(seen[mfn], 0);
        seen[mfn] = 1;
    }
    free(seen);
}

/* Page tables reachable from CR3 (PAE: all four L3 slots), counted once each. */
static size_t count_tables(const struct walker *w, unsigned level, uint64_t mfn,
                           uint64_t *seen, size_t n)
{
    unsigned entries = w->levels == 3 && level == 3 ? 4 : 512;
    const uint64_t *t = frame64(w->hv, mfn);

    for (size_t i = 0; i < n; i++)
        if (seen[i] == mfn)
            return n;
    seen[n++] = mfn;
    for (unsigned i = 0; level > 1 && i < entries; i++)
        if (t[i] & 1)
            n = count_tables(w, level - 1, (t[i] & ADDR_MASK) >> 12, seen, n);
    return n;
}

/* Every reachable table is one of the nr_pt_frames frames at pt_base. */
static void check_tables(const struct walker *w, const struct si *si)
{
    uint64_t seen[64], mfn;
    size_t n = count_tables(w, w->levels, w->cr3_mfn, seen, 0);
    bool rw;

    assert_int_equal(n, si->nr_pt_frames);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (uint64_t k = 0; k < si->nr_pt_frames && !found; k++)
            found = walk(w, si->pt_base + k * PAGE, &mfn, &rw) && mfn == seen[i];
        assert_true(found);
    }
}

/* The pfn of @mfn, by searching the guest's p2m. */
static uint64_t pfn_of(const struct walker *w, const struct si *si, unsigned size,
                       uint64_t mfn)
{
    for (uint64_t pfn = 0; pfn < si->nr_pages; pfn++)
        if (p2m_entry(w, si->mfn_list, size, pfn) == mfn)
            return pfn;
    fail_msg("mfn 0x%llx not in the p2m", (unsigned long long)mfn);
    return 0;
}

static void check_kernel_bytes(const struct walker *w, const struct xb_image *img)
{
    for (size_t s = 0; s < img->nsegs; s++) {
        const struct xb_segment *seg = &img->segs[s];
        for (uint64_t off = 0; off < seg->memsz; off += 97) {
            if ((seg->load_vaddr + off) / PAGE == img->virt_hypercall / PAGE)
                continue; /* filled by Xen */
            uint8_t want = off < seg->filesz ? img->elf[seg->offset + off] : 0;
            assert_int_equal(*va_ptr(w, seg->load_vaddr + off), want);
        }
    }
}

static void check_domain(struct xb_ctx *ctx, uint32_t domid, const struct xb_image *img,
                         const struct xb_layout *lo, const char *cmdline, uint64_t mib)
{
    struct xb_hv *hv = xb__ctx_hv(ctx);
    unsigned levels = lo->levels, pfn_size = levels == 4 ? 8 : 4;
    struct regs r = read_regs(hv, domid, levels);
    struct walker w = {.hv = hv, .levels = levels, .cr3_mfn = r.cr3_mfn};
    struct sim_dominfo di;
    struct sim_pin pin;
    uint64_t mfn, end, hc;
    uint32_t remote;
    struct si si;
    bool rw;

    assert_int_equal(r.ip, img->virt_entry);
    si = read_si(va_ptr(&w, r.si), levels);
    assert_string_equal(si.magic, levels == 4 ? "xen-3.0-x86_64" : "xen-3.0-x86_32p");
    assert_int_equal(si.nr_pages, mib * 256);
    assert_string_equal(si.cmd_line, cmdline);
    /* the mapping: from virt_base to a 4 MiB boundary, stack and 512 KiB inside */
    end = (r.sp + 512 * 1024 + 4 * 1024 * 1024 - 1) & ~(4ull * 1024 * 1024 - 1);
    check_mapping(&w, &si, img->virt_base, end, pfn_size, domid);
    assert_false(walk(&w, end, &mfn, &rw));
    assert_int_equal(lo->bootstrap_end, end);
    check_p2m(&w, &si, pfn_size, domid);
    check_tables(&w, &si);
    check_kernel_bytes(&w, img);
    /* xen.h order: start_info, then the xenstore and console pages */
    assert_int_equal(pfn_of(&w, &si, pfn_size, si.store_mfn),
                     (r.si - img->virt_base) / PAGE + 1);
    assert_int_equal(pfn_of(&w, &si, pfn_size, si.console_mfn),
                     (r.si - img->virt_base) / PAGE + 2);
    {
        char path[64], *name = NULL;
        snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
        assert_int_equal(
            ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, path, &name, NULL), 0);
        assert_true(name[0] != '\0');
        free(name);
    }
    /* CR3 is the frame at pt_base, pinned at the top level */
    assert_true(walk(&w, si.pt_base, &mfn, &rw));
    assert_int_equal(mfn, r.cr3_mfn);
    assert_int_equal(xb__sim_pins(hv, domid, &pin, 1), 1);
    assert_int_equal(pin.level, levels);
    assert_int_equal(pin.mfn, r.cr3_mfn);
    /* special pages, ports, grant seed, xenstore introduction */
    assert_int_equal(xb__sim_dominfo(hv, domid, &di), 0);
    assert_int_equal(si.shared_info, di.shared_info_mfn * PAGE);
    assert_true(walk(&w, img->virt_hypercall, &mfn, &rw));
    assert_int_equal(mfn, di.hypercall_mfn);
    /* 64-bit stubs: push %rcx; push %r11; mov $N,%eax - 32-bit: mov $N,%eax; int $0x82 */
    hc = (img->virt_hypercall & ~(PAGE - 1)) + 32 * 2;
    assert_int_equal(va_ptr(&w, hc)[levels == 4 ? 3 : 0], 0xb8);
    assert_int_equal(va_ptr(&w, hc)[levels == 4 ? 4 : 1], 2);
    assert_int_equal(di.address_size, levels == 4 ? 64 : 32);
    assert_true(xb__sim_evtchn(hv, domid, si.store_evtchn, &remote));
    assert_int_equal(remote, 0);
    assert_true(xb__sim_evtchn(hv, domid, si.console_evtchn, &remote));
    assert_true(di.gnttab_seeded);
    assert_int_equal(di.gnt_console, si.console_mfn);
    assert_int_equal(di.gnt_xenstore, si.store_mfn);
    assert_true(di.introduced);
    assert_int_equal(di.store_mfn, si.store_mfn);
    assert_int_equal(di.store_port, si.store_evtchn);
    assert_int_equal(xb__sim_frame_owner(hv, si.console_mfn), domid);
    assert_true(r.sp > si.pt_base && r.sp <= end - 512 * 1024);
    assert_int_equal(xb__sim_nr_maps(hv), 0);
}

static void create_and_check(unsigned guest, uint64_t base, uint64_t kstart,
                             uint32_t seed)
{
    struct xb_ctx *ctx = open_sim(seed, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    char cmdline[] = "console=hvc0 xbtest=1";
    struct xb_spec spec = make_spec(cmdline);
    struct xb_layout lo, plan;
    struct xb_timings t = {0};
    struct xb_create_opts opts = {.layout = &lo, .timings = &t};
    struct sim_dominfo di;
    uint32_t domid = 0;

    assert_non_null(k);
    make_kernel(k, guest, base, kstart);
    opts.image = &k->img;
    assert_int_equal(xb_domain_plan(ctx, &spec, &opts, &plan), 0);
    assert_int_equal(xb__sim_calls(xb__ctx_hv(ctx)), 0); /* plan: no hypercall */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_string_equal(xb_errmsg(ctx), "");
    assert_memory_equal(&plan, &lo, sizeof(lo));
    check_domain(ctx, domid, &k->img, &lo, cmdline, 33);
    for (int p = 0; p < XB_PHASE_COUNT; p++) /* every phase ran and was timed */
        if (t.ns[p] == 0)
            fail_msg("phase %s has no time", xb_phase_name(p));
    assert_string_equal(xb_phase_name(XB_PHASE_POPULATE), "populate");
    { /* the domain holds its name claim for its life (destroy removes it) */
        char *v = NULL, id[16];
        assert_int_equal(xb__ctx_xs(ctx)->ops->read(xb__ctx_xs(ctx), NULL, XB_XS_NO_TX,
                                                    "/xbuild/names/t1", &v, NULL),
                         0);
        snprintf(id, sizeof(id), "%u", domid);
        assert_string_equal(v, id);
        free(v);
    }
    assert_int_equal(xb__sim_dominfo(xb__ctx_hv(ctx), domid, &di), 0);
    assert_false(di.paused);
    /* the name is taken now */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EEXIST);
    assert_non_null(strstr(xb_errmsg(ctx), "\"t1\" already exists"));
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 1);
    free(k);
    xb_ctx_close(ctx);
}

static void pv64_minios_like(void **state)
{
    create_and_check(XB_GUEST_PV64, 0, 0, 1);
    create_and_check(XB_GUEST_PV64, 0, 0, 77);
}

/* No 2 MiB extents left on the host: the builder falls back to 4 KiB pages. */
static void no_superpages_falls_back(void **state)
{
    struct xb_ctx *ctx = open_sim(4, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    char cmdline[] = "frag";
    struct xb_spec spec = make_spec(cmdline);
    struct xb_layout lo;
    struct xb_create_opts opts = {.layout = &lo};
    uint32_t domid = 0;

    assert_non_null(k);
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    opts.image = &k->img;
    xb__sim_no_superpages(xb__ctx_hv(ctx), true);
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_string_equal(xb_errmsg(ctx), "");
    check_domain(ctx, domid, &k->img, &lo, cmdline, 33);
    free(k);
    xb_ctx_close(ctx);
}

static void pv64_linux_like(void **state)
{
    create_and_check(XB_GUEST_PV64, 0xffffffff80000000ull, 0xffffffff81000000ull, 5);
}

static void pae_embox_like(void **state)
{
    create_and_check(XB_GUEST_PV32PAE, 0, 0, 3);
}

static void pae_at_3g(void **state)
{
    create_and_check(XB_GUEST_PV32PAE, 0xc0000000ull, 0xc0000000ull, 9);
}

/* More memory than the host has free: refused before creating anything. */
static void memory_beyond_host_refused(void **state)
{
    struct xb_ctx *ctx = open_sim(1, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec(NULL);
    struct xb_create_opts opts = {0};
    uint32_t domid = 0;

    assert_non_null(k);
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    opts.image = &k->img;
    spec.memory_mib = spec.maxmem_mib = 100; /* the sim machine has 96 MiB */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -ENOMEM);
    assert_non_null(strstr(xb_errmsg(ctx), "100 MiB asked"));
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
    free(k);
    xb_ctx_close(ctx);
}

/* A Xen without 32-bit PV refuses before creating anything. */
static void pae_refused_without_caps(void **state)
{
    struct xb_ctx *ctx = open_sim(1, "xen-3.0-x86_64"); /* no HVM: no PV shim either */
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec(NULL);
    struct xb_create_opts opts = {0};
    uint32_t domid = 0;

    assert_non_null(k);
    make_kernel(k, XB_GUEST_PV32PAE, 0, 0);
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EOPNOTSUPP);
    assert_non_null(strstr(xb_errmsg(ctx), "xen-3.0-x86_32p"));
    assert_non_null(strstr(xb_errmsg(ctx), "CONFIG_PV32"));
    assert_int_equal(xb__sim_calls(xb__ctx_hv(ctx)), 1); /* physinfo only */
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
    free(k);
    xb_ctx_close(ctx);
}

static void long_cmdline_warns(void **state)
{
    struct xb_ctx *ctx = open_sim(1, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    char *cmdline = malloc(2000);
    struct xb_spec spec;
    struct xb_create_opts opts = {.paused = true};
    struct sim_dominfo di;
    uint32_t domid = 0;

    assert_non_null(k);
    assert_non_null(cmdline);
    memset(cmdline, 'x', 1999);
    cmdline[1999] = '\0';
    spec = make_spec(cmdline);
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_non_null(xb_warning(ctx, 0));
    assert_non_null(strstr(xb_warning(ctx, 0), "1999"));
    assert_null(xb_warning(ctx, 1));
    assert_int_equal(xb__sim_dominfo(xb__ctx_hv(ctx), domid, &di), 0);
    assert_true(di.paused);
    free(cmdline);
    free(k);
    xb_ctx_close(ctx);
}

/* Image fields that disagree with each other are refused, nothing left behind. */
static void hostile_image_refused(void **state)
{
    struct xb_ctx *ctx = open_sim(2, NULL);
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec(NULL);
    struct xb_create_opts opts = {0};
    uint32_t domid = 0;

    assert_non_null(k);
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    k->seg[1].load_vaddr = k->img.virt_kend - 8; /* runs past the kernel */
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EINVAL);
    assert_non_null(strstr(xb_errmsg(ctx), "outside the kernel's range"));
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    k->seg[0].offset = UINT64_MAX - 10; /* offset + size wraps */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EINVAL);
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    k->img.virt_entry = k->img.virt_kend; /* entry outside */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EINVAL);
    assert_non_null(strstr(xb_errmsg(ctx), "entry point"));
    make_kernel(k, XB_GUEST_PV64, 0, 0);
    k->img.guest_types = XB_GUEST_PVH; /* not PV */
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -ENOEXEC);
    assert_non_null(strstr(xb_errmsg(ctx), "type = \"pvh\""));
    assert_int_equal(xb__sim_ndomains(hv), 0);
    assert_int_equal(xb__sim_nr_maps(hv), 0);
    free(k);
    xb_ctx_close(ctx);
}

/*
 * The xenstore nodes, but for /xbuild/names and its parent: the directory of
 * name claims stays once made, empty, as /libxl and /vm do.
 */
static char *xs_snapshot(struct xb_hv *hv)
{
    char *dump = xb__sim_xs_dump(hv), *p;

    assert_non_null(dump);
    while ((p = strstr(dump, "/xbuild=\n")) || (p = strstr(dump, "/xbuild/names=\n"))) {
        size_t len = strchr(p, '\n') + 1 - p;
        memmove(p, p + len, strlen(p + len) + 1);
    }
    return dump;
}

/*
 * Every hypervisor and xenstore call a create of make_spec()'s domain (33 MiB,
 * 2 vCPUs) makes on the sim, step by step; a change here is a change of the
 * create flow, to be made on purpose. (Unmapping is cleanup: not counted.)
 */
enum {
    CALLS_CHECKS = 1,             /* physinfo */
    CALLS_DOMAIN = 1 + 7 + 2 + 3, /* create; claim: tx, 2 reads (holder, restart), rm,
                                     2 writes, commit; the name check: the claimed
                                     domains (a directory), the domains (no other to
                                     read); 3 limits */
    CALLS_MEMORY =
        16 + 1 + 2, /* 16 superpages + 256 pages in one call; 2 event channels */
    CALLS_PV = 6,   /* dominfo, map, hypercall page, pin, shared_info, vCPU 0 */
    /* one batch (one round trip on Xen), outside the transaction: /vm/UUID,
     * /libxl/N and the console's backend directory, 3 stale ones removed, made
     * with their perms; one batch in a transaction: tx, 69 writes and perms (xl's
     * node set: start_time, image/, device/suspend/..., the console's backend
     * record), commit; introduce (the claim is kept) */
    CALLS_NODES = 3 + 6 + 1 + 69 + 1 + 1,
    CALLS_CREATE = CALLS_CHECKS + CALLS_DOMAIN + CALLS_MEMORY + CALLS_PV +
                   1 /* grants */ + CALLS_NODES + 1 /* unpause */,
};

/* Fail op call N for N = 0, 1, ... until create succeeds: each failure
 * returns an error with a message and leaves no domain, no xenstore node,
 * no event channel and no mapping behind. */
static void fault_injection_leaves_nothing(unsigned guest)
{
    struct xb_ctx *ctx = open_sim(11, NULL);
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec("fi");
    struct xb_create_opts opts = {0};
    char *before = xs_snapshot(hv);
    uint32_t domid = 0;
    long n;
    int rc = -1;

    assert_non_null(k);
    make_kernel(k, guest, 0, 0);
    opts.image = &k->img;
    for (n = 0; n < 1000 && rc != 0; n++) {
        char *after;
        xb__sim_fail_at(hv, n);
        rc = xb_domain_create(ctx, &spec, &opts, &domid);
        if (rc == 0)
            break;
        assert_true(rc < 0);
        assert_true(xb_errmsg(ctx)[0] != '\0');
        assert_int_equal(xb__sim_ndomains(hv), 0);
        assert_int_equal(xb__sim_nr_evtchns(hv), 0);
        assert_int_equal(xb__sim_nr_maps(hv), 0);
        after = xs_snapshot(hv);
        assert_string_equal(after, before);
        free(after);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, CALLS_CREATE); /* every call was failed once */
    assert_int_equal(xb__sim_ndomains(hv), 1);
    free(before);
    free(k);
    xb_ctx_close(ctx);
}

static void fault_injection_pv64(void **state)
{
    fault_injection_leaves_nothing(XB_GUEST_PV64);
}

static void fault_injection_pae(void **state)
{
    fault_injection_leaves_nothing(XB_GUEST_PV32PAE);
}

/* The tests/guests kernels, loaded by the real loader, with their ramdisk. */
static void real_guest(const char *arch, unsigned levels)
{
    const char *dir = getenv("XB_GUESTS_DIR");
    char kernel[4096], ramdisk[4096], cmdline[] = "xbtest expect=all";
    struct xb_ctx *ctx;
    struct xb_image *img = NULL;
    struct xb_layout lo;
    struct xb_create_opts opts = {.layout = &lo};
    struct xb_spec spec = make_spec(cmdline);
    struct xb_walk_rd {
        uint64_t start, len;
    } rd;
    FILE *f;
    uint32_t domid = 0;

    if (!dir)
        skip();
    snprintf(kernel, sizeof(kernel), "%s/xbtest-%s", dir, arch);
    snprintf(ramdisk, sizeof(ramdisk), "%s/xbtest-ramdisk.bin", dir);
    f = fopen(ramdisk, "rb");
    if (!f)
        skip();
    fseek(f, 0, SEEK_END);
    rd.len = (uint64_t)ftell(f);
    spec.kernel = kernel;
    spec.ramdisk = ramdisk;
    spec.memory_mib = spec.maxmem_mib = 48;
    assert_int_equal(xb_image_load_file(kernel, NULL, &img, NULL), 0);
    ctx = open_sim(21, NULL);
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_int_equal(lo.levels, levels);
    check_domain(ctx, domid, img, &lo, cmdline, 48);
    /* the ramdisk: where start_info says, byte for byte */
    rd.start = lo.seg[XB_SEG_RAMDISK].vstart;
    assert_int_equal(lo.seg[XB_SEG_RAMDISK].pages, (rd.len + PAGE - 1) / PAGE);
    {
        struct walker w = {.hv = xb__ctx_hv(ctx),
                           .levels = levels,
                           .cr3_mfn = read_regs(xb__ctx_hv(ctx), domid, levels).cr3_mfn};
        for (uint64_t off = 0; off < rd.len; off += 331) {
            int c;
            fseek(f, (long)off, SEEK_SET);
            c = fgetc(f);
            assert_int_equal(*va_ptr(&w, rd.start + off), c);
        }
    }
    fclose(f);
    xb_image_free(img);
    xb_ctx_close(ctx);
}

/*
 * What each fixture kernel that loads must do on the sim: NULL = build and
 * pass check_domain(), otherwise be refused with this in the message. A
 * fixture missing here fails the test (so does one that stops building).
 */
static const struct {
    const char *name, *refusal;
} fixture_verdicts[] = {
    {"minios64.elf", NULL},         {"minios64.gz", NULL},
    {"minios64.xz", NULL},          {"minios64.lzma", NULL},
    {"minios64.bz2", NULL},         {"minios64.lz4", NULL},
    {"minios64.lz4f", NULL},        {"minios64.zst", NULL},
    {"minios64.lzo", NULL},         {"linux64.elf", NULL},
    {"linux64-gzip.bzImage", NULL}, {"linux64-xz.bzImage", NULL},
    {"linux64-lzma.bzImage", NULL}, {"linux64-bzip2.bzImage", NULL},
    {"linux64-lz4.bzImage", NULL},  {"linux64-zstd.bzImage", NULL},
    {"linux64-lzo.bzImage", NULL},  {"embox32.elf", NULL},
    {"legacy32.elf", NULL},         {"pvh64.elf", "it boots as PVH: set type = \"pvh\""},
};

static bool fixture_verdict(const char *name, const char **refusal)
{
    for (size_t i = 0; i < sizeof(fixture_verdicts) / sizeof(fixture_verdicts[0]); i++)
        if (strcmp(fixture_verdicts[i].name, name) == 0) {
            *refusal = fixture_verdicts[i].refusal;
            return true;
        }
    return false;
}

/* Every fixture kernel that loads: built and checked, or refused with its own
 * message, as fixture_verdicts[] says; never anything left behind. (The ones
 * that do not load are the hostile corpus: tests/hostile.) */
static void fixtures_on_sim(void **state)
{
    const char *dir = getenv("XB_FIXTURES");
    struct dirent *e;
    unsigned seen = 0;
    DIR *d = NULL;

    if (!dir || !(d = opendir(dir)))
        skip();
    while ((e = readdir(d)) != NULL) {
        char path[4096], cmdline[] = "fixture";
        struct xb_image *img = NULL;
        struct xb_spec spec = make_spec(cmdline);
        struct xb_layout lo;
        struct xb_create_opts opts = {.layout = &lo};
        struct xb_ctx *ctx;
        const char *refusal = NULL;
        uint32_t domid = 0;
        int rc;

        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || xb_image_load_file(path, NULL, &img, NULL) != 0)
            continue;
        if (!fixture_verdict(e->d_name, &refusal))
            fail_msg("fixture %s loads but has no verdict in fixture_verdicts[]",
                     e->d_name);
        ctx = open_sim(7, NULL);
        opts.image = img;
        rc = xb_domain_create(ctx, &spec, &opts, &domid);
        if (rc != 0 && !refusal)
            fail_msg("fixture %s: %s", e->d_name, xb_errmsg(ctx));
        if (rc == 0 && refusal)
            fail_msg("fixture %s built; expected a refusal: %s", e->d_name, refusal);
        if (rc == 0)
            check_domain(ctx, domid, img, &lo, cmdline, 33);
        if (rc != 0) {
            assert_non_null(strstr(xb_errmsg(ctx), refusal));
            assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
            assert_int_equal(xb__sim_nr_maps(xb__ctx_hv(ctx)), 0);
        }
        seen++;
        xb_ctx_close(ctx);
        xb_image_free(img);
    }
    closedir(d);
    assert_int_equal(seen, sizeof(fixture_verdicts) / sizeof(fixture_verdicts[0]));
}

static void real_guest_x86_64(void **state)
{
    real_guest("x86_64", 4);
}

static void real_guest_x86_32(void **state)
{
    real_guest("x86_32", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pv64_minios_like),
        cmocka_unit_test(pv64_linux_like),
        cmocka_unit_test(no_superpages_falls_back),
        cmocka_unit_test(pae_embox_like),
        cmocka_unit_test(pae_at_3g),
        cmocka_unit_test(pae_refused_without_caps),
        cmocka_unit_test(memory_beyond_host_refused),
        cmocka_unit_test(long_cmdline_warns),
        cmocka_unit_test(hostile_image_refused),
        cmocka_unit_test(fault_injection_pv64),
        cmocka_unit_test(fault_injection_pae),
        cmocka_unit_test(fixtures_on_sim),
        cmocka_unit_test(real_guest_x86_64),
        cmocka_unit_test(real_guest_x86_32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
