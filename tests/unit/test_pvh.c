/* SPDX-License-Identifier: MIT */
/*
 * PVH guests and the PV shim on the sim backend, checked as the guest finds
 * them with paging off: vCPU 0's HVM CPU record (entry, %ebx, flat
 * segments), the hvm_start_info read through the domain's p2m (command
 * line, modules byte for byte, memory map = XENMEM_memory_map = the
 * layout's), the HVM params, the special pages, the MTRRs, the grant seed,
 * the xenstore nodes; the layout of xbtest-pvh against the one xl builds
 * (tests/guests/README.md); the PV shim, asked for and automatic; hostile
 * images and layouts; the sim's own PVH checks failing when they must;
 * fault injection at every call of a PVH and of a shim create.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbuild/builder.h>

#include "builder/domain/ctx.h"
#include "builder/domain/shim.h"
#include "builder/guest/abi_hvm.h"
#include "builder/hv/sim/inspect.h"
#include "builder/layout/acpi.h"
#include "builder/layout/layout.h"

#define PAGE 4096ull
#define MIB  (1ull << 20)

/* ---- a tiny in-test PVH kernel, and a PAE PV one for the shim ---- */

struct test_kernel {
    struct xb_image img;
    struct xb_segment seg[2];
    uint8_t elf[3 * PAGE];
};

static void make_pvh(struct test_kernel *k, uint64_t paddr)
{
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < sizeof(k->elf); i++)
        k->elf[i] = (uint8_t)(i * 13 + 5);
    k->seg[0] = (struct xb_segment){.offset = 0,
                                    .filesz = 2 * PAGE + 7,
                                    .memsz = 4 * PAGE,
                                    .paddr = paddr,
                                    .flags = 7};
    k->seg[1] = (struct xb_segment){.offset = 2 * PAGE + 7,
                                    .filesz = PAGE - 7,
                                    .memsz = PAGE + 300,
                                    .paddr = paddr + 5 * PAGE,
                                    .flags = 6};
    k->img = (struct xb_image){
        .elf = k->elf,
        .elf_size = sizeof(k->elf),
        .elf_class = 32,
        .segs = k->seg,
        .nsegs = 2,
        .pstart = paddr,
        .pend = paddr + 6 * PAGE + 300,
        .virt_kstart = paddr,
        .virt_kend = paddr + 6 * PAGE + 300,
        .virt_entry = paddr + 0x20,
        .virt_hypercall = XB_UNSET_ADDR,
        .guest_types = XB_GUEST_PVH,
    };
    k->img.notes.phys32_entry = paddr + 0x20;
}

/* A PAE PV kernel: what the shim runs (its bytes are the shim's module 0). */
static void make_pae(struct test_kernel *k)
{
    make_pvh(k, 0xc0000000ull);
    k->img.guest_types = XB_GUEST_PV32PAE;
    k->img.virt_base = k->img.paddr_offset = 0xc0000000ull;
    k->img.notes.phys32_entry = XB_UNSET_ADDR;
    k->img.notes.hv_start_low = k->img.notes.mod_start_pfn = XB_UNSET_ADDR;
    for (int i = 0; i < 2; i++)
        k->seg[i].load_vaddr = k->seg[i].paddr;
}

static struct xb_spec make_spec(char *cmdline, enum xb_domtype type)
{
    return (struct xb_spec){
        .name = "p1",
        .type = type,
        .memory_mib = 33,
        .maxmem_mib = 40,
        .vcpus = 1,
        .maxvcpus = 2,
        .cmdline = cmdline,
        .on_poweroff = XB_ACTION_DESTROY,
        .on_reboot = XB_ACTION_RESTART,
        .on_crash = XB_ACTION_DESTROY,
        .msr_relaxed = true,
        .acpi = true, /* the config's default */
    };
}

#define CAPS_NO_PV32 "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"

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

static const char *guests_dir(void)
{
    return getenv("XB_GUESTS_DIR");
}

/* A file of tests/guests, or NULL (the test skips) when not built. */
static const char *guest_file(char *buf, size_t size, const char *name)
{
    const char *dir = guests_dir();
    struct stat st;

    if (!dir)
        return NULL;
    snprintf(buf, size, "%s/%s", dir, name);
    return stat(buf, &st) == 0 ? buf : NULL;
}

/* ---- the guest's view: physical memory through the domain's p2m ---- */

static void read_phys(struct xb_hv *hv, uint32_t domid, uint64_t pa, void *buf,
                      size_t len)
{
    uint8_t *p = buf;

    while (len) {
        size_t off = pa % PAGE, n = PAGE - off < len ? PAGE - off : len;
        xb_mfn mfn = xb__sim_gfn_to_mfn(hv, domid, pa / PAGE);
        assert_true(mfn != XB_NO_MFN);
        memcpy(p, xb__sim_frame(hv, mfn) + off, n);
        p += n;
        pa += n;
        len -= n;
    }
}

static uint64_t param(struct xb_hv *hv, uint32_t domid, unsigned p)
{
    uint64_t v = 0;

    assert_true(xb__sim_hvm_param(hv, domid, p, &v));
    return v;
}

/* vCPU 0 as pvh.pandoc has it; the others down. Returns %ebx. */
static uint64_t check_cpu(struct xb_hv *hv, uint32_t domid, const struct xb_image *img)
{
    bool online = false;
    const struct hvm_hw_cpu *c = xb__sim_hvm_cpu(hv, domid, 0, &online);

    assert_non_null(c);
    assert_true(online);
    assert_int_equal(c->rip, img->notes.phys32_entry);
    assert_int_equal(c->cr0 & (XB_CR0_PE | XB_CR0_PG), XB_CR0_PE);
    assert_int_equal(c->cr4, 0);
    assert_int_equal(c->rflags & (XB_EFLAGS_IF | XB_EFLAGS_VM | XB_EFLAGS_TF), 0);
    assert_int_equal(c->cs_base, 0);
    assert_int_equal(c->cs_limit, 0xffffffffu);
    assert_int_equal(c->cs_arbytes, 0xc9b);
    assert_int_equal(c->ds_arbytes, 0xc93);
    assert_int_equal(c->ss_arbytes, 0xc93);
    assert_int_equal(c->tr_limit, 0x67);
    assert_non_null(xb__sim_hvm_cpu(hv, domid, 1, &online));
    assert_false(online); /* secondary vCPUs stay down, as for PV */
    for (unsigned v = 0; v < 2; v++)
        assert_int_equal(xb__sim_hvm_mtrr(hv, domid, v)->msr_mtrr_def_type, 0x806);
    return c->rbx;
}

/* The memory map: the layout's = Xen's (set_memory_map) = the start info's. */
static void check_memmap(struct xb_hv *hv, uint32_t domid, const struct xb_layout *lo,
                         const struct hvm_start_info *si, uint64_t mib)
{
    struct xb_hv_e820 xen[8];
    unsigned n = xb__sim_memory_map(hv, domid, xen, 8);

    assert_int_equal(n, lo->nr_e820);
    assert_int_equal(si->memmap_entries, n);
    for (unsigned i = 0; i < n; i++) {
        struct hvm_memmap_table_entry e;
        read_phys(hv, domid, si->memmap_paddr + i * sizeof(e), &e, sizeof(e));
        assert_int_equal(e.addr, xen[i].addr);
        assert_int_equal(e.size, xen[i].size);
        assert_int_equal(e.type, xen[i].type);
        assert_int_equal(e.addr, lo->e820[i].addr);
    }
    /* RAM [0, mem), the ACPI tables' page at xl's 0xfc000000 (when there
     * are tables), then the 8 special pages, reserved, as xl */
    assert_int_equal(xen[0].addr, 0);
    assert_int_equal(xen[0].size, mib * MIB);
    assert_int_equal(xen[0].type, 1);
    if (lo->rsdp_paddr) {
        assert_int_equal(xen[1].addr, 0xfc000000ull);
        assert_int_equal(xen[1].size, PAGE);
        assert_int_equal(xen[1].type, 3);
    }
    assert_int_equal(xen[n - 1].addr, 0xfeff8000ull);
    assert_int_equal(xen[n - 1].size, 8 * PAGE);
    assert_int_equal(xen[n - 1].type, 2);
}

/* The rings: special pages outside RAM, their ports, the seed, xenstore. */
static void check_rings(struct xb_ctx *ctx, uint32_t domid, uint64_t maxmem_mib)
{
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct sim_dominfo di;
    uint32_t remote = 1;
    char path[64], *type = NULL;

    assert_int_equal(param(hv, domid, HVM_PARAM_STORE_PFN), 0xfeffc);
    assert_int_equal(param(hv, domid, HVM_PARAM_CONSOLE_PFN), 0xfefff);
    assert_true(
        xb__sim_evtchn(hv, domid, param(hv, domid, HVM_PARAM_STORE_EVTCHN), &remote));
    assert_int_equal(remote, 0);
    assert_true(
        xb__sim_evtchn(hv, domid, param(hv, domid, HVM_PARAM_CONSOLE_EVTCHN), &remote));
    assert_int_equal(param(hv, domid, HVM_PARAM_TIMER_MODE), 1);
    assert_int_equal(param(hv, domid, HVM_PARAM_IDENT_PT), 0xfeffe000ull);
    for (uint64_t g = 0xfeff8; g < 0xff000; g++) /* populated, cleared */
        assert_true(xb__sim_gfn_to_mfn(hv, domid, g) != XB_NO_MFN);
    assert_int_equal(xb__sim_frame(hv, xb__sim_gfn_to_mfn(hv, domid, 0xfeffc))[100], 0);
    assert_int_equal(xb__sim_dominfo(hv, domid, &di), 0);
    assert_true(di.translated && di.msr_relaxed && di.gnttab_seeded && di.introduced);
    assert_int_equal(di.gnt_console, 0xfefff);
    assert_int_equal(di.gnt_xenstore, 0xfeffc);
    assert_int_equal(di.store_mfn, 0xfeffc);
    assert_int_equal(di.paging_pool, 4 * (256 * 2 + 2 * maxmem_mib) * 1024); /* as xl */
    snprintf(path, sizeof(path), "/libxl/%u/type", domid);
    assert_int_equal(ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, path, &type, NULL),
                     0);
    assert_string_equal(type, "pvh");
    free(type);
}

static void check_kernel_bytes(struct xb_hv *hv, uint32_t domid,
                               const struct xb_image *img)
{
    for (size_t s = 0; s < img->nsegs; s++) {
        const struct xb_segment *seg = &img->segs[s];
        for (uint64_t off = 0; off < seg->memsz; off += 89) {
            uint8_t got, want = off < seg->filesz ? img->elf[seg->offset + off] : 0;
            read_phys(hv, domid, seg->paddr + off, &got, 1);
            assert_int_equal(got, want);
        }
    }
}

/* Module @i: where the layout says, @len bytes equal to @data, its command line. */
static void check_module(struct xb_hv *hv, uint32_t domid,
                         const struct hvm_start_info *si, unsigned i, const uint8_t *data,
                         size_t len, const char *cmdline)
{
    struct hvm_modlist_entry m;
    uint8_t *buf = malloc(len ? len : 1);

    assert_non_null(buf);
    read_phys(hv, domid, si->modlist_paddr + i * sizeof(m), &m, sizeof(m));
    assert_int_equal(m.size, len);
    assert_int_equal(m.paddr % PAGE, 0);
    read_phys(hv, domid, m.paddr, buf, len);
    assert_memory_equal(buf, data, len);
    if (cmdline) {
        char got[1024];
        read_phys(hv, domid, m.cmdline_paddr, got, strlen(cmdline) + 1);
        assert_string_equal(got, cmdline);
    } else {
        assert_int_equal(m.cmdline_paddr, 0);
    }
    free(buf);
}

/* Everything a PVH guest is promised; returns the start info read. */
static struct hvm_start_info check_pvh(struct xb_ctx *ctx, uint32_t domid,
                                       const struct xb_image *img,
                                       const struct xb_layout *lo, const char *cmdline,
                                       uint64_t mib)
{
    struct xb_hv *hv = xb__ctx_hv(ctx);
    uint64_t ebx = check_cpu(hv, domid, img);
    struct hvm_start_info si;
    char got[256];

    assert_int_equal(ebx, lo->seg[XB_SEG_START_INFO].vstart);
    read_phys(hv, domid, ebx, &si, sizeof(si));
    assert_int_equal(si.magic, XEN_HVM_START_MAGIC_VALUE);
    assert_int_equal(si.version, 1);
    assert_int_equal(si.rsdp_paddr, lo->rsdp_paddr);
    assert_int_equal(si.cmdline_paddr, ebx + sizeof(si)); /* xl: right after the struct */
    read_phys(hv, domid, si.cmdline_paddr, got, strlen(cmdline) + 1);
    assert_string_equal(got, cmdline);
    assert_int_equal(si.modlist_paddr, si.nr_modules ? lo->modlist_paddr : 0);
    check_memmap(hv, domid, lo, &si, mib);
    check_rings(ctx, domid, mib == 32 ? 32 : 40);
    check_kernel_bytes(hv, domid, img);
    return si;
}

/* ---- PVH ---- */

static void in_test_pvh_kernel(void **state)
{
    struct xb_ctx *ctx = open_sim(3, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    char cmdline[] = "console=hvc0 pvh=yes";
    struct xb_spec spec = make_spec(cmdline, XB_DOMTYPE_PVH);
    struct xb_layout lo;
    struct xb_create_opts opts = {.layout = &lo};
    struct xb_dominfo *list = NULL;
    size_t n = 0;
    uint32_t domid = 0;

    assert_non_null(k);
    make_pvh(k, 0x100000);
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_string_equal(xb_errmsg(ctx), "");
    assert_null(xb_warning(ctx, 0));
    assert_string_equal(lo.guest_type, "hvm-3.0-x86_32");
    assert_null(lo.pvshim);
    assert_int_equal(check_pvh(ctx, domid, &k->img, &lo, cmdline, 33).nr_modules, 0);
    /* 33 MiB: 16 superpages and 256 pages of RAM, the ACPI page, the 8 special pages */
    assert_int_equal(xb__sim_dom_pages(xb__ctx_hv(ctx), domid), 33 * 256 + 1 + 8);
    assert_int_equal(lo.rsdp_paddr, 0xfc000000);
    assert_int_equal(xb_domain_list(ctx, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].type, "pvh");
    free(list);
    assert_int_equal(xb_domain_destroy(ctx, domid), 0);
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
    free(k);
    xb_ctx_close(ctx);
}

/* The tables as the guest finds them (3 of 4 vCPUs online), and acpi = 0. */
static void acpi_tables_on_the_sim(void **state)
{
    struct xb_ctx *ctx = open_sim(7, NULL);
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec(NULL, XB_DOMTYPE_PVH);
    struct xb_layout lo;
    struct xb_create_opts opts = {.layout = &lo};
    struct hvm_start_info si;
    const struct hvm_hw_cpu *c;
    uint8_t rsdp[36], madt[44 + 4 * 8];
    uint64_t xsdt[2];
    uint32_t domid = 0;
    bool online;

    assert_non_null(k);
    make_pvh(k, 0x100000);
    opts.image = &k->img;
    spec.vcpus = 3;
    spec.maxvcpus = 4;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid),
                     0); /* the sim checked */
    c = xb__sim_hvm_cpu(hv, domid, 0, &online);
    assert_non_null(c);
    read_phys(hv, domid, c->rbx, &si, sizeof(si));
    assert_int_equal(si.rsdp_paddr, 0xfc000000);
    read_phys(hv, domid, si.rsdp_paddr, rsdp, sizeof(rsdp));
    assert_memory_equal(rsdp, "RSD PTR ", 8);
    memcpy(xsdt, rsdp + 24, 8);
    read_phys(hv, domid, xsdt[0] + 36, xsdt, sizeof(xsdt));
    read_phys(hv, domid, xsdt[1], madt, sizeof(madt));
    assert_memory_equal(madt, "APIC", 4);
    for (unsigned v = 0; v < 4; v++) /* the online vCPUs' local APICs enabled */
        assert_int_equal(madt[44 + 8 * v + 4], v < 3);
    assert_int_equal(xb_domain_destroy(ctx, domid), 0);
    /* acpi = 0: no tables, no page for them, rsdp_paddr 0 */
    spec.acpi = false;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_int_equal(lo.rsdp_paddr, 0);
    assert_int_equal(lo.nr_e820, 2);
    assert_int_equal(xb__sim_dom_pages(hv, domid), 33 * 256 + 8);
    c = xb__sim_hvm_cpu(hv, domid, 0, &online);
    read_phys(hv, domid, c->rbx, &si, sizeof(si));
    assert_int_equal(si.rsdp_paddr, 0);
    assert_int_equal(xb__sim_gfn_to_mfn(hv, domid, 0xfc000), XB_NO_MFN);
    free(k);
    xb_ctx_close(ctx);
}

/* xbtest-pvh as the real loader reads it: where xl puts everything (README.md). */
static void xbtest_pvh_as_xl_lays_it_out(void **state)
{
    char kernel[4096], ramdisk[4096];
    char cmdline[] =
        "xbtest name=xbtest-pvh mem=32 rd_len=100003 rd_crc=0xfa49cba5 len=68";
    struct xb_spec spec = make_spec(cmdline, XB_DOMTYPE_PVH);
    struct xb_layout lo;
    struct xb_create_opts opts = {.layout = &lo};
    struct xb_image *img = NULL;
    struct hvm_start_info si;
    struct xb_ctx *ctx;
    uint8_t *rd;
    FILE *f;
    uint32_t domid = 0;

    if (!guest_file(kernel, sizeof(kernel), "xbtest-pvh") ||
        !guest_file(ramdisk, sizeof(ramdisk), "xbtest-ramdisk.bin"))
        skip();
    spec.name = "xbtest-pvh";
    spec.kernel = kernel;
    spec.ramdisk = ramdisk;
    spec.memory_mib = spec.maxmem_mib = 32;
    ctx = open_sim(5, NULL);
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    assert_int_equal(xb_image_load_file(kernel, NULL, &img, NULL), 0);
    si = check_pvh(ctx, domid, img, &lo, cmdline, 32);
    /* xl 4.17: kernel at 0x100000, the ramdisk on the next page, start info
     * after it with the command line at +0x38, modules at +0x80, map at +0x8c0 */
    assert_int_equal(lo.seg[XB_SEG_KERNEL].vstart, 0x100000);
    assert_int_equal(lo.seg[XB_SEG_RAMDISK].vstart, 0x110000);
    assert_int_equal(lo.seg[XB_SEG_START_INFO].vstart, 0x129000);
    assert_int_equal(si.cmdline_paddr, 0x129038);
    assert_int_equal(si.modlist_paddr, 0x129080);
    assert_int_equal(si.memmap_paddr, 0x1298c0);
    assert_int_equal(si.nr_modules, 1);
    f = fopen(ramdisk, "rb");
    assert_non_null(f);
    rd = malloc(100003);
    assert_non_null(rd);
    assert_int_equal(fread(rd, 1, 100003, f), 100003);
    fclose(f);
    check_module(xb__ctx_hv(ctx), domid, &si, 0, rd, 100003, NULL);
    free(rd);
    xb_image_free(img);
    xb_ctx_close(ctx);
}

/* A PV kernel with type "pvh" is refused, naming the two ways out. */
static void pv_kernel_as_pvh_refused(void **state)
{
    struct xb_ctx *ctx = open_sim(3, NULL);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec(NULL, XB_DOMTYPE_PVH);
    struct xb_create_opts opts = {0};
    uint32_t domid = 0;

    assert_non_null(k);
    make_pae(k);
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -ENOEXEC);
    assert_non_null(strstr(xb_errmsg(ctx), "is not a PVH kernel"));
    assert_non_null(strstr(xb_errmsg(ctx), "pvshim = 1"));
    assert_int_equal(xb__sim_calls(xb__ctx_hv(ctx)), 0);
    free(k);
    xb_ctx_close(ctx);
}

/* ---- the PV shim ---- */

/* The shim stand-in: xbtest-pvh (any PVH kernel will do on the sim). */
static bool shim_create(struct xb_ctx *ctx, struct xb_spec *spec, struct test_kernel *pv,
                        struct xb_layout *lo, uint32_t *domid, int *rc)
{
    static char shim[4096];
    struct xb_create_opts opts = {.layout = lo, .image = &pv->img};

    if (!guest_file(shim, sizeof(shim), "xbtest-pvh"))
        return false;
    if (spec->pvshim)
        spec->pvshim_path = shim;
    else
        opts.pvshim_path = shim;
    *rc = xb_domain_create(ctx, spec, &opts, domid);
    return true;
}

/* type "pvh" + pvshim = 1, as xl: the shim is the kernel, the PV kernel module 0. */
static void shim_asked_for(void **state)
{
    struct xb_ctx *ctx = open_sim(8, NULL);
    struct test_kernel *pv = malloc(sizeof(*pv));
    char cmdline[] = "the pv guest's line",
         shim_line[] = "pv-shim console=xen,pv loglvl=all";
    struct xb_spec spec = make_spec(cmdline, XB_DOMTYPE_PVH);
    struct xb_layout lo;
    struct xb_image *shim = NULL;
    struct hvm_start_info si;
    uint32_t domid = 0;
    int rc = -1;

    assert_non_null(pv);
    make_pae(pv);
    spec.pvshim = true;
    spec.pvshim_cmdline = shim_line;
    if (!shim_create(ctx, &spec, pv, &lo, &domid, &rc)) {
        free(pv);
        xb_ctx_close(ctx);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_null(xb_warning(ctx, 0)); /* asked for: no notice */
    assert_string_equal(lo.pvshim, spec.pvshim_path);
    assert_false(lo.pvshim_auto);
    assert_int_equal(xb_image_load_file(spec.pvshim_path, NULL, &shim, NULL), 0);
    si = check_pvh(ctx, domid, shim, &lo, shim_line, 33);
    assert_int_equal(si.nr_modules, 1);
    check_module(xb__ctx_hv(ctx), domid, &si, 0, pv->elf, sizeof(pv->elf), cmdline);
    xb_image_free(shim);
    free(pv);
    xb_ctx_close(ctx);
}

/* No type, a 32-bit PAE kernel, a Xen without 32-bit PV: the shim, said once. */
static void shim_automatic(void **state)
{
    struct xb_ctx *ctx = open_sim(9, CAPS_NO_PV32);
    struct test_kernel *pv = malloc(sizeof(*pv));
    char cmdline[] = "embox";
    struct xb_spec spec = make_spec(cmdline, XB_DOMTYPE_PV);
    struct xb_layout lo;
    struct xb_image *shim = NULL;
    struct hvm_start_info si;
    char want[4200];
    uint32_t domid = 0;
    int rc = -1;

    assert_non_null(pv);
    make_pae(pv);
    spec.name = "embox";
    if (!shim_create(ctx, &spec, pv, &lo, &domid, &rc)) {
        free(pv);
        xb_ctx_close(ctx);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_true(lo.pvshim_auto);
    snprintf(want, sizeof(want),
             "embox: Xen has no 32-bit PV; running it in the PV shim (%s)", lo.pvshim);
    assert_string_equal(xb_warning(ctx, 0), want);
    assert_null(xb_warning(ctx, 1));
    assert_int_equal(xb_image_load_file(lo.pvshim, NULL, &shim, NULL), 0);
    si = check_pvh(ctx, domid, shim, &lo, XB_SHIM_CMDLINE, 33);
    check_module(xb__ctx_hv(ctx), domid, &si, 0, pv->elf, sizeof(pv->elf), cmdline);
    xb_image_free(shim);
    free(pv);
    xb_ctx_close(ctx);
}

/* No shim where it would be: the error names Xen's lack, the places, the fix. */
static void shim_finder(void **state)
{
    char root[] = "/tmp/xb-shim-XXXXXX", path[4200], out[4200];
    struct xb_shim_where w = {.xen_major = 4, .xen_minor = 17};
    struct xb_err err = {0};
    FILE *f;

    assert_non_null(mkdtemp(root));
    w.root = root;
    assert_int_equal(xb__shim_find(&w, out, sizeof(out), &err), -ENOENT);
    assert_non_null(strstr(err.msg, "/usr/lib/xen-4.17/boot/xen-shim"));
    assert_non_null(strstr(err.msg, "xen-utils-4.17"));
    assert_non_null(strstr(err.msg, "pvshim_path"));
    snprintf(path, sizeof(path), "%s/usr/lib/xen-4.16/boot", root);
    assert_int_equal(system(strcat(strcpy(out, "mkdir -p "), path)), 0);
    strcat(path, "/xen-shim");
    assert_non_null(f = fopen(path, "w"));
    fclose(f);
    xb_err_clear(&err);
    assert_int_equal(xb__shim_find(&w, out, sizeof(out), &err), 0); /* the newest found */
    assert_string_equal(out, path);
    w.path = "/my/shim";
    assert_int_equal(xb__shim_find(&w, out, sizeof(out), &err), 0);
    assert_string_equal(out, "/my/shim");
    snprintf(out, sizeof(out), "rm -r %s", root);
    assert_int_equal(system(out), 0);
}

/* A PAE kernel on a Xen without PV32 whose "shim" is no PVH kernel: refused. */
static void shim_not_pvh_refused(void **state)
{
    struct xb_ctx *ctx = open_sim(9, CAPS_NO_PV32);
    struct test_kernel *pv = malloc(sizeof(*pv));
    struct xb_spec spec = make_spec(NULL, XB_DOMTYPE_PV);
    char not_shim[4096];
    struct xb_create_opts opts = {0};
    uint32_t domid = 0;

    assert_non_null(pv);
    make_pae(pv);
    opts.image = &pv->img;
    if (!guest_file(not_shim, sizeof(not_shim), "xbtest-x86_64")) {
        free(pv);
        xb_ctx_close(ctx);
        skip();
    }
    opts.pvshim_path = not_shim;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), -EOPNOTSUPP);
    assert_non_null(strstr(xb_errmsg(ctx), "xen-3.0-x86_32p"));
    assert_non_null(strstr(xb_errmsg(ctx), "is not a PVH kernel"));
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
    free(pv);
    xb_ctx_close(ctx);
}

/* ---- hostile images and layouts ---- */

static void expect_refusal(struct test_kernel *k, int code, const char *msg, uint64_t mib)
{
    struct xb_ctx *ctx = open_sim(4, NULL);
    struct xb_spec spec = make_spec(NULL, XB_DOMTYPE_PVH);
    struct xb_create_opts opts = {.image = &k->img};
    uint32_t domid = 0;

    spec.memory_mib = spec.maxmem_mib = mib;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), code);
    if (!strstr(xb_errmsg(ctx), msg))
        fail_msg("want \"%s\" in \"%s\"", msg, xb_errmsg(ctx));
    assert_int_equal(xb__sim_ndomains(xb__ctx_hv(ctx)), 0);
    assert_int_equal(xb__sim_nr_maps(xb__ctx_hv(ctx)), 0);
    assert_int_equal(xb__sim_nr_evtchns(xb__ctx_hv(ctx)), 0);
    xb_ctx_close(ctx);
}

static void hostile_pvh_refused(void **state)
{
    struct test_kernel *k = malloc(sizeof(*k));

    assert_non_null(k);
    make_pvh(k, 0x100000);
    k->img.notes.phys32_entry = k->img.pend; /* entry outside the image */
    expect_refusal(k, -EINVAL, "PHYS32_ENTRY 0x10612c is outside the kernel", 5000);
    make_pvh(k, 0xffff9000ull); /* ends on the last page below 4 GiB */
    k->img.pend = 1ull << 32;
    expect_refusal(k, -ERANGE, "start info would lie at 0x100000000, above 4 GiB", 5000);
    make_pvh(k, 0xeffff000ull); /* runs into the MMIO hole */
    expect_refusal(k, -ERANGE, "in the MMIO hole at 0xf0000000", 5000);
    make_pvh(k, 0x100000);
    k->seg[1].paddr = k->img.pend; /* a segment past the kernel's range */
    expect_refusal(k, -EINVAL, "segment 1 (paddr 0x10612c", 33);
    make_pvh(k, 0x100000);
    k->seg[0].offset = UINT64_MAX - 2; /* offset + size wraps */
    expect_refusal(k, -EINVAL, "segment 0", 33);
    make_pvh(k, 0x200000000ull); /* above 4 GiB altogether */
    k->img.notes.phys32_entry = 0x200000020ull;
    expect_refusal(k, -ERANGE, "above 4 GiB where a PVH kernel cannot start", 5000);
    free(k);
}

static void layout_invariants(void **state)
{
    struct xb_pvh_layout_in in = {.kstart = 0x100000,
                                  .kend = 0x10f120,
                                  .entry = 0x100000,
                                  .nr_modules = 2,
                                  .mod_seg = {XB_SEG_PV_KERNEL, XB_SEG_RAMDISK},
                                  .mod_len = {5000, 100003},
                                  .cmdline_len = 30,
                                  .total_pages = 8192};
    struct xb_layout lo, bad;
    struct xb_err err = {0};

    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(xb__layout_pvh_check(&lo, &err), 0);
    assert_int_equal(lo.seg[XB_SEG_PV_KERNEL].vstart, 0x110000);
    assert_int_equal(lo.seg[XB_SEG_RAMDISK].vstart, 0x112000);
    bad = lo; /* overlapping modules */
    bad.seg[XB_SEG_RAMDISK].vstart -= PAGE;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "ramdisk [0x111000, 0x12b000) overlaps pv kernel"));
    xb_err_clear(&err);
    bad = lo; /* a module on the special pages */
    bad.seg[XB_SEG_RAMDISK].vstart = 0xfeff9000;
    bad.seg[XB_SEG_RAMDISK].vend = 0xfeffa000;
    bad.e820[0].size = 0xff000000;
    assert_int_equal(xb__layout_pvh_check(&bad, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "overlaps the special pages"));
    xb_err_clear(&err);
    in.total_pages = 256; /* 1 MiB: the kernel does not fit */
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), -ENOMEM);
    assert_non_null(strstr(err.msg, "raise memory"));
    xb_err_clear(&err);
    in.total_pages = (5ull << 30) / PAGE; /* RAM beyond the hole goes above 4 GiB */
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), 0);
    assert_int_equal(lo.nr_e820, 3);
    assert_int_equal(lo.e820[0].size, 0xf0000000ull);
    assert_int_equal(lo.e820[2].addr, 1ull << 32);
    assert_int_equal(lo.e820[2].size, (5ull << 30) - 0xf0000000ull);
    in.mod_len[1] = UINT64_MAX - 0x1000; /* wraps */
    assert_true(xb__layout_pvh(&in, &lo, &err) < 0);
    xb_err_clear(&err);
    in.mod_len[1] = 0; /* an empty module */
    assert_int_equal(xb__layout_pvh(&in, &lo, &err), -EINVAL);
}

/* ---- the sim's PVH checks do fail: a builder bug is caught at unpause ---- */

/* Create paused, break one promise with @poke, unpause: refused with @msg. */
static void caught_at_unpause(void (*poke)(struct xb_hv *hv, uint32_t domid),
                              const char *msg)
{
    struct xb_ctx *ctx = open_sim(6, NULL);
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct test_kernel *k = malloc(sizeof(*k));
    char cmdline[] = "x";
    struct xb_spec spec = make_spec(cmdline, XB_DOMTYPE_PVH);
    struct xb_create_opts opts = {.paused = true};
    struct xb_err err = {0};
    uint32_t domid = 0;

    assert_non_null(k);
    make_pvh(k, 0x100000);
    opts.image = &k->img;
    assert_int_equal(xb_domain_create(ctx, &spec, &opts, &domid), 0);
    poke(hv, domid);
    assert_int_equal(hv->ops->domain_unpause(hv, &err, domid), -EINVAL);
    if (!strstr(err.msg, msg))
        fail_msg("want \"%s\" in \"%s\"", msg, err.msg);
    free(k);
    xb_ctx_close(ctx);
}

static void poke_magic(struct xb_hv *hv, uint32_t domid)
{
    xb_mfn gfn = 0x100000 / PAGE + 7; /* the start info page (after the kernel) */
    uint32_t *p = hv->ops->map_foreign(hv, NULL, domid, true, &gfn, 1);

    assert_non_null(p);
    assert_int_equal(p[0], XEN_HVM_START_MAGIC_VALUE);
    p[0] = 0;
    hv->ops->unmap_foreign(hv, NULL, p, 1);
}

static void poke_memmap(struct xb_hv *hv, uint32_t domid)
{
    const struct xb_hv_e820 map[] = {
        {0, 16 * MIB, 1}, {0xfc000000, PAGE, 3}, {0xfeff8000, 8 * PAGE, 2}};

    assert_int_equal(hv->ops->set_memory_map(hv, NULL, domid, map, 3), 0);
}

/* The ACPI page as the guest has it, the table @sig in it changed by @edit. */
static void poke_acpi(struct xb_hv *hv, uint32_t domid, const char *sig,
                      void (*edit)(uint8_t *table), bool reseal)
{
    const struct xb_acpi_in in = {.paddr = 0xfc000000, .vcpus = 1, .max_vcpus = 2};
    struct xb_acpi_map m;
    xb_mfn gfn = 0xfc000;
    uint8_t *p = hv->ops->map_foreign(hv, NULL, domid, true, &gfn, 1), *t;

    assert_non_null(p);
    assert_int_equal(xb__acpi_map(&in, &m, NULL), 0);
    t = p + (strcmp(sig, "APIC") == 0   ? m.madt
             : strcmp(sig, "FACP") == 0 ? m.fadt
                                        : m.dsdt);
    assert_memory_equal(t, sig, 4);
    edit(t);
    if (reseal) {
        uint32_t len;
        memcpy(&len, t + 4, 4);
        t[9] = 0;
        t[9] = xb__acpi_checksum(t, len);
    }
    hv->ops->unmap_foreign(hv, NULL, p, 1);
}

static void flip_byte(uint8_t *t)
{
    t[20] ^= 0x40;
}

static void one_lapic(uint8_t *t) /* the MADT cut after its first local APIC */
{
    const uint32_t len = 44 + 8;

    memcpy(t + 4, &len, 4);
}

static void ioapic(uint8_t *t) /* the second local APIC turned into an I/O APIC's start */
{
    t[44 + 8] = 1;
}

static void poke_fadt_sum(struct xb_hv *hv, uint32_t domid)
{
    poke_acpi(hv, domid, "FACP", flip_byte, false);
}

static void poke_dsdt_sum(struct xb_hv *hv, uint32_t domid)
{
    poke_acpi(hv, domid, "DSDT", flip_byte, false);
}

static void poke_madt_count(struct xb_hv *hv, uint32_t domid)
{
    poke_acpi(hv, domid, "APIC", one_lapic, true);
}

static void poke_madt_ioapic(struct xb_hv *hv, uint32_t domid)
{
    poke_acpi(hv, domid, "APIC", ioapic, true);
}

static void poke_rsdp(struct xb_hv *hv, uint32_t domid)
{
    xb_mfn gfn = 0xfc000;
    uint8_t *p = hv->ops->map_foreign(hv, NULL, domid, true, &gfn, 1);

    assert_non_null(p);
    assert_memory_equal(p, "RSD PTR ", 8);
    p[24] ^= 0x10; /* the XSDT's address: the extended checksum is now wrong */
    hv->ops->unmap_foreign(hv, NULL, p, 1);
}

static void poke_console(struct xb_hv *hv, uint32_t domid)
{
    assert_int_equal(hv->ops->hvm_param_set(hv, NULL, domid, HVM_PARAM_CONSOLE_PFN, 0x20),
                     0);
}

/* MTRRs loaded after vCPU 0: the load takes vCPU 0 down again (Xen does). */
static void poke_order(struct xb_hv *hv, uint32_t domid)
{
    size_t len = 0;
    uint8_t *ctx;

    assert_int_equal(hv->ops->hvm_get_context(hv, NULL, domid, NULL, 0, &len), 0);
    ctx = malloc(len);
    assert_non_null(ctx);
    assert_int_equal(hv->ops->hvm_get_context(hv, NULL, domid, ctx, len, &len), 0);
    assert_int_equal(hv->ops->hvm_set_context(hv, NULL, domid, ctx, len - 8), -EINVAL);
    /* HEADER, then only vCPU 0's LAPIC: not a record a builder sets */
    assert_int_equal(hv->ops->hvm_set_context(hv, NULL, domid, ctx, len), -EINVAL);
    free(ctx);
    {
        struct hvm_save_descriptor d[2] = {
            {.typecode = HVM_SAVE_CODE(HEADER), .length = HVM_SAVE_LENGTH(HEADER)}, {0}};
        struct hvm_save_header h = {
            .magic = HVM_FILE_MAGIC, .version = HVM_FILE_VERSION, .cpuid = 0x000806f8};
        uint8_t buf[8 + sizeof(h) + 8];
        memcpy(buf, &d[0], 8);
        memcpy(buf + 8, &h, sizeof(h));
        memcpy(buf + 8 + sizeof(h), &d[1], 8); /* END */
        assert_int_equal(hv->ops->hvm_set_context(hv, NULL, domid, buf, sizeof(buf)), 0);
    }
}

static void sim_catches_broken_promises(void **state)
{
    caught_at_unpause(poke_magic, "no version 1 hvm_start_info");
    caught_at_unpause(poke_memmap, "differs from XENMEM_memory_map");
    caught_at_unpause(poke_rsdp, "the RSDP's extended checksum is wrong");
    caught_at_unpause(poke_fadt_sum,
                      "the \"FACP\" table at 0xfc000070 has a bad checksum");
    caught_at_unpause(poke_dsdt_sum,
                      "the \"DSDT\" table at 0xfc000190 has a bad checksum");
    caught_at_unpause(poke_madt_count, "the MADT has 1 local APICs for 2 vCPUs");
    caught_at_unpause(poke_madt_ioapic, "the MADT lists an I/O APIC");
    caught_at_unpause(poke_console, "console pfn (HVM param 17) 0x20");
    caught_at_unpause(poke_order, "vCPU 0 of domain 1 has no context");
}

/* ---- fault injection: every call of a PVH and of a shim create ---- */

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
 * Every hypervisor and xenstore call of a PVH create of make_spec()'s
 * domain (33 MiB, 2 vCPUs), step by step, as test_create.c counts PV's.
 */
enum {
    CALLS_CHECKS = 1,                  /* physinfo */
    CALLS_DOMAIN = 1 + 7 + 2 + 3,      /* create; name claim; the name check; max vCPUs,
                                          paging pool, max memory */
    CALLS_MEMORY = 16 + 1 + 1 + 1 + 2, /* 16 superpages, 256 pages, the ACPI page,
                                          the special pages; 2 event channels */
    CALLS_PVH = 1 + 1 + 1 + 1 + 11 + 2 + 2, /* memory map; map the kernel to the start
                                               info; map the ACPI tables; map the special
                                               pages; 11 params; get the context (size,
                                               data), set MTRRs, set vCPU 0 */
    CALLS_NODES = 3 + 6 + 1 + 67 + 1 + 1,   /* as PV's, /vm's image but its time */
    CALLS_CREATE = CALLS_CHECKS + CALLS_DOMAIN + CALLS_MEMORY + CALLS_PVH +
                   1 /* grants */ + CALLS_NODES + 1 /* unpause */,
};

static void fault_injection(bool shim)
{
    struct xb_ctx *ctx = open_sim(12, shim ? CAPS_NO_PV32 : NULL);
    struct xb_hv *hv = xb__ctx_hv(ctx);
    struct test_kernel *k = malloc(sizeof(*k));
    struct xb_spec spec = make_spec("fi", shim ? XB_DOMTYPE_PV : XB_DOMTYPE_PVH);
    struct xb_create_opts opts = {0};
    char *before = xs_snapshot(hv), shim_path[4096];
    uint32_t domid = 0;
    long n;
    int rc = -1;

    assert_non_null(k);
    if (shim)
        make_pae(k);
    else
        make_pvh(k, 0x100000);
    opts.image = &k->img;
    if (shim &&
        !(opts.pvshim_path = guest_file(shim_path, sizeof(shim_path), "xbtest-pvh"))) {
        free(before);
        free(k);
        xb_ctx_close(ctx);
        skip();
    }
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

static void fault_injection_pvh(void **state)
{
    fault_injection(false);
}

static void fault_injection_shim(void **state)
{
    fault_injection(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_test_pvh_kernel),
        cmocka_unit_test(acpi_tables_on_the_sim),
        cmocka_unit_test(xbtest_pvh_as_xl_lays_it_out),
        cmocka_unit_test(pv_kernel_as_pvh_refused),
        cmocka_unit_test(shim_asked_for),
        cmocka_unit_test(shim_automatic),
        cmocka_unit_test(shim_finder),
        cmocka_unit_test(shim_not_pvh_refused),
        cmocka_unit_test(hostile_pvh_refused),
        cmocka_unit_test(layout_invariants),
        cmocka_unit_test(sim_catches_broken_promises),
        cmocka_unit_test(fault_injection_pvh),
        cmocka_unit_test(fault_injection_shim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
