/* SPDX-License-Identifier: MIT */
/*
 * bench/floor.c - the hypervisor floor of a PV create: only the calls a
 * minimal x86_64 PV create of a Mini-OS-class kernel cannot avoid, straight
 * over libxenctrl and libxenforeignmemory (no libbuilder), and the minimal
 * destroy. Every create figure of bench/ is also a ratio to this program.
 *
 *   floor create [-p] [-t] [-w SECS [-C]] [-m MIB] [-r RAMDISK] [-c CMDLINE] ELF
 *   floor destroy DOMID
 *   floor wait DOMID SECS
 *
 * create prints the new domain's id on stdout. The calls, in order:
 * xc_interface_open + xenforeignmemory_open (per process, as any
 * toolstack), createdomain, max_vcpus, setmaxmem, getdomaininfo (where
 * shared_info is: start_info must say), one populate_physmap of every 2 MiB
 * extent at once (4 KiB pages for a remainder), one foreign mapping of the
 * whole bootstrap region (kernel, ramdisk, p2m, start_info, xenstore and
 * console pages, page tables, stack; 512 KiB of slack, rounded up to 4 MiB,
 * as xen.h's start-of-day layout asks), unmap, hypercall_init,
 * setvcpucontext (Xen validates and types the page tables itself: no
 * separate pin), unpause.
 *
 * Not done, because a kernel boots without them: xenstore nodes and
 * introduce, event channels (start_info carries port 0 for the xenstore
 * and console rings, whose pages are in the layout but served by nobody),
 * grant-table seed, set_address_size (a PV domain is 64-bit until told
 * otherwise), shared_info initialisation. The xbtest guest of tests/guests
 * then passes its start-of-day checks and fails `xenstore` and `console`
 * at once (port 0), so it shuts down (crash) within a second: -w SECS
 * waits for that shutdown after the unpause and prints its reason and the
 * vCPU time it used. A crash alone proves little (a guest that faults at
 * its first instruction crashes too), so -C, for the proof and never in a
 * timed run, also allocates the console's event channel: the guest then
 * writes its report into the console ring page (which nobody serves) and
 * the floor prints that ring once the guest is down: every XBTEST CHECK
 * but `xenstore` and `console` must say ok. A Linux guest proves itself by
 * shutting down with poweroff (its init ran). `floor wait DOMID SECS` waits
 * for any domain's shutdown the same way (exit 0) or fails (exit 1).
 *
 * -t prints the microseconds of each step on stderr (one line). The ELF is
 * used as it is: no decompression (give a vmlinux, not a bzImage), 64-bit
 * PV only, one vCPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <elf.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>

#include <xen/elfnote.h>
#include <xen/io/console.h>
#include <xen/memory.h>

#define PAGE       4096ull
#define SP_PAGES   512ull /* a 2 MiB superpage */
#define SLACK      (512ull << 10)
#define ALIGN_4M   (4ull << 20)
#define CMDLINE_SZ 1024u
#define PTE_P      0x001ull
#define PTE_RW     0x002ull
#define PTE_USER   0x004ull
#define PTE_A      0x020ull
#define PTE_D      0x040ull
#define L1_PROT    (PTE_P | PTE_RW | PTE_A)
#define UPPER_PROT (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_USER)

enum { T_OPEN, T_DOMAIN, T_POPULATE, T_MAP, T_WRITE, T_BOOT, T_UNPAUSE, T_COUNT };
static const char *const t_names[T_COUNT] = {"open",  "domain", "populate", "map",
                                             "write", "boot",   "unpause"};

/* The kernel as the ELF file says, the notes that matter. */
struct kernel {
    const uint8_t *data;
    size_t size;
    const Elf64_Phdr *ph;
    unsigned nph;
    uint64_t virt_base, paddr_offset, entry, hypercall;
    uint64_t kstart, kend; /* virtual */
};

/* Where everything goes: guest pfns, virtual addresses from virt_base. */
struct layout {
    uint64_t pages, kernel_pfn, rd_pfn, p2m_pfn, si_pfn, store_pfn, cons_pfn;
    uint64_t pt_pfn, nr_pt, l1, l2, l3, stack_pfn, boot_pages;
};

struct floor {
    xc_interface *xch;
    xenforeignmemory_handle *fmem;
    struct kernel k;
    struct layout lo;
    const uint8_t *rd;
    size_t rd_len;
    const char *cmdline;
    uint64_t mib;
    uint32_t domid;
    xen_pfn_t *p2m;
    uint8_t *mem; /* the bootstrap region, mapped */
    uint64_t shinfo_mfn;
    uint32_t console_port; /* 0 unless -C */
    uint64_t t[T_COUNT];
};

/* The domain being built, destroyed again when a step fails. */
static struct floor *building;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    int e = errno;
    va_list ap;

    fputs("floor: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, e ? ": %s\n" : "\n", strerror(e));
    if (building && building->domid != DOMID_INVALID)
        xc_domain_destroy(building->xch, building->domid);
    exit(1);
}

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const uint8_t *map_file(const char *path, size_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    void *p;

    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s", path);
    *size = (size_t)st.st_size;
    p = mmap(NULL, *size ? *size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        die("mmap %s", path);
    return p;
}

/* ---- the kernel: ELF64 program headers and Xen's PT_NOTE entries ---- */

static uint64_t note_num(const uint8_t *desc, uint32_t sz)
{
    uint64_t v = 0;

    memcpy(&v, desc, sz < 8 ? sz : 8);
    return v;
}

static void read_notes(struct kernel *k, const Elf64_Phdr *ph)
{
    uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

    if (end < off || end > k->size)
        die("kernel: PT_NOTE outside the file");
    while (off + sizeof(Elf64_Nhdr) <= end) {
        const Elf64_Nhdr *n = (const void *)(k->data + off);
        uint64_t name = off + sizeof(*n), desc = name + ((n->n_namesz + 3u) & ~3u);
        uint64_t next = desc + ((n->n_descsz + 3u) & ~3u);

        if (next > end)
            break;
        if (n->n_namesz == 4 && memcmp(k->data + name, "Xen", 4) == 0) {
            uint64_t v = note_num(k->data + desc, n->n_descsz);

            if (n->n_type == XEN_ELFNOTE_VIRT_BASE)
                k->virt_base = v;
            else if (n->n_type == XEN_ELFNOTE_PADDR_OFFSET)
                k->paddr_offset = v;
            else if (n->n_type == XEN_ELFNOTE_ENTRY)
                k->entry = v;
            else if (n->n_type == XEN_ELFNOTE_HYPERCALL_PAGE)
                k->hypercall = v;
        }
        off = next;
    }
}

/* Where program header @ph goes in the guest's virtual address space. */
static uint64_t load_va(const struct kernel *k, const Elf64_Phdr *ph)
{
    return ph->p_paddr - k->paddr_offset + k->virt_base;
}

static void load_elf(struct kernel *k, const char *path)
{
    const Elf64_Ehdr *eh;

    k->data = map_file(path, &k->size);
    eh = (const void *)k->data;
    errno = 0;
    if (k->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > k->size)
        die("%s: not an ELF64 kernel", path);
    k->ph = (const void *)(k->data + eh->e_phoff);
    k->nph = eh->e_phnum;
    k->entry = k->hypercall = UINT64_MAX;
    for (unsigned i = 0; i < k->nph; i++)
        if (k->ph[i].p_type == PT_NOTE)
            read_notes(k, &k->ph[i]);
    if (k->entry == UINT64_MAX)
        k->entry = eh->e_entry;
    k->kstart = UINT64_MAX;
    for (unsigned i = 0; i < k->nph; i++) {
        const Elf64_Phdr *ph = &k->ph[i];

        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        if (ph->p_filesz > ph->p_memsz || ph->p_offset + ph->p_filesz > k->size ||
            load_va(k, ph) < k->virt_base)
            die("%s: PT_LOAD %u does not fit", path, i);
        if (load_va(k, ph) < k->kstart)
            k->kstart = load_va(k, ph);
        if (load_va(k, ph) + ph->p_memsz > k->kend)
            k->kend = load_va(k, ph) + ph->p_memsz;
    }
    if (k->kstart == UINT64_MAX)
        die("%s: no PT_LOAD", path);
}

/* ---- the layout: xen.h's start of day, in allocation order ---- */

static uint64_t pages_of(uint64_t bytes)
{
    return (bytes + PAGE - 1) / PAGE;
}

/* Tables of one level to map [va0, va1): one per 2^shift bytes spanned. */
static uint64_t spans(uint64_t va0, uint64_t va1, unsigned shift)
{
    return ((va1 - 1) >> shift) - (va0 >> shift) + 1;
}

static void plan(struct floor *f)
{
    struct layout *lo = &f->lo;
    uint64_t vb = f->k.virt_base, end;

    lo->pages = f->mib << 8;
    lo->kernel_pfn = (f->k.kstart - vb) / PAGE;
    lo->rd_pfn = pages_of(f->k.kend - vb);
    lo->p2m_pfn = lo->rd_pfn + pages_of(f->rd_len);
    lo->si_pfn = lo->p2m_pfn + pages_of(lo->pages * 8);
    lo->store_pfn = lo->si_pfn + 1;
    lo->cons_pfn = lo->store_pfn + 1;
    lo->pt_pfn = lo->cons_pfn + 1;
    /* the tables map the region they are part of: grow until it holds */
    for (lo->nr_pt = 4;; lo->nr_pt++) {
        lo->stack_pfn = lo->pt_pfn + lo->nr_pt;
        end = ((lo->stack_pfn + 1) * PAGE + SLACK + ALIGN_4M - 1) & ~(ALIGN_4M - 1);
        lo->l3 = spans(vb, vb + end, 39);
        lo->l2 = spans(vb, vb + end, 30);
        lo->l1 = spans(vb, vb + end, 21);
        if (1 + lo->l3 + lo->l2 + lo->l1 <= lo->nr_pt)
            break;
    }
    lo->boot_pages = end / PAGE;
    errno = 0;
    if (lo->boot_pages > lo->pages)
        die("memory: %" PRIu64 " MiB cannot hold the %" PRIu64 " KiB bootstrap region",
            f->mib, lo->boot_pages * 4);
}

/* ---- the hypervisor calls ---- */

static void lap(struct floor *f, int step, uint64_t *t0)
{
    uint64_t t = now_us();

    f->t[step] = t - *t0;
    *t0 = t;
}

static void make_domain(struct floor *f)
{
    struct xen_domctl_createdomain c = {
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    xc_domaininfo_t info;

    f->domid = DOMID_INVALID;
    if (xc_domain_create(f->xch, &f->domid, &c) != 0)
        die("createdomain");
    if (xc_domain_max_vcpus(f->xch, f->domid, 1) != 0)
        die("max_vcpus");
    if (xc_domain_setmaxmem(f->xch, f->domid, (f->mib << 10) + 1024) != 0)
        die("setmaxmem");
    if (xc_domain_getinfolist(f->xch, f->domid, 1, &info) != 1 || info.domain != f->domid)
        die("getdomaininfo");
    f->shinfo_mfn = info.shared_info_frame;
}

/* Every 2 MiB extent in one call, the remainder in a second. */
static void populate(struct floor *f)
{
    uint64_t n = f->lo.pages, big = n / SP_PAGES, rest = n - big * SP_PAGES;
    xen_pfn_t *ext = calloc(big ? big : 1, sizeof(*ext));

    f->p2m = calloc(n, sizeof(*f->p2m));
    if (!ext || !f->p2m)
        die("out of memory");
    for (uint64_t i = 0; i < big; i++)
        ext[i] = i * SP_PAGES;
    if (big && xc_domain_populate_physmap_exact(f->xch, f->domid, big, 9, 0, ext) != 0)
        die("populate_physmap: %" PRIu64 " superpages", big);
    for (uint64_t i = 0; i < big * SP_PAGES; i++)
        f->p2m[i] = ext[i / SP_PAGES] + i % SP_PAGES;
    for (uint64_t i = big * SP_PAGES; i < n; i++)
        f->p2m[i] = i;
    if (rest && xc_domain_populate_physmap_exact(f->xch, f->domid, rest, 0, 0,
                                                 f->p2m + big * SP_PAGES) != 0)
        die("populate_physmap: %" PRIu64 " pages", rest);
    free(ext);
}

static void map_region(struct floor *f)
{
    f->mem = xenforeignmemory_map(f->fmem, f->domid, PROT_READ | PROT_WRITE,
                                  f->lo.boot_pages, f->p2m, NULL);
    if (!f->mem)
        die("map %" PRIu64 " pages", f->lo.boot_pages);
}

static uint8_t *va_ptr(struct floor *f, uint64_t pfn)
{
    return f->mem + pfn * PAGE;
}

static void write_kernel(struct floor *f)
{
    for (unsigned i = 0; i < f->k.nph; i++) {
        const Elf64_Phdr *ph = &f->k.ph[i];
        uint8_t *dst;

        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        dst = f->mem + (load_va(&f->k, ph) - f->k.virt_base);
        memcpy(dst, f->k.data + ph->p_offset, ph->p_filesz);
        memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz); /* bss */
    }
    if (f->rd_len)
        memcpy(va_ptr(f, f->lo.rd_pfn), f->rd, f->rd_len);
    memcpy(va_ptr(f, f->lo.p2m_pfn), f->p2m, f->lo.pages * sizeof(*f->p2m));
}

static uint64_t va_of(const struct floor *f, uint64_t pfn)
{
    return f->k.virt_base + pfn * PAGE;
}

static void write_start_info(struct floor *f)
{
    const struct layout *lo = &f->lo;
    start_info_t *si = (start_info_t *)va_ptr(f, lo->si_pfn);

    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = lo->pages;
    si->shared_info = f->shinfo_mfn * PAGE;
    si->store_mfn = f->p2m[lo->store_pfn];
    si->console.domU.mfn = f->p2m[lo->cons_pfn];
    si->console.domU.evtchn = f->console_port;
    si->pt_base = va_of(f, lo->pt_pfn);
    si->nr_pt_frames = lo->nr_pt;
    si->mfn_list = va_of(f, lo->p2m_pfn);
    si->mod_start = f->rd_len ? va_of(f, lo->rd_pfn) : 0;
    si->mod_len = f->rd_len;
    snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", f->cmdline);
}

/* L4 first, then the L3s, L2s and L1s, one after the other from pt_pfn. */
static void write_tables(struct floor *f)
{
    const struct layout *lo = &f->lo;
    uint64_t vb = f->k.virt_base, first[5];
    const unsigned shift[5] = {0, 21, 30, 39, 48};

    first[4] = lo->pt_pfn;
    first[3] = first[4] + 1;
    first[2] = first[3] + lo->l3;
    first[1] = first[2] + lo->l2;
    for (uint64_t pfn = 0; pfn < lo->boot_pages; pfn++) {
        uint64_t va = vb + pfn * PAGE;
        bool table = pfn >= lo->pt_pfn && pfn < lo->pt_pfn + lo->nr_pt;

        for (unsigned l = 4; l >= 1; l--) {
            uint64_t tab =
                l == 4 ? first[4] : first[l] + (va >> shift[l]) - (vb >> shift[l]);
            uint64_t *e = (uint64_t *)va_ptr(f, tab) + ((va >> (12 + 9 * (l - 1))) & 511);
            uint64_t to =
                l > 1 ? first[l - 1] + (va >> shift[l - 1]) - (vb >> shift[l - 1]) : pfn;

            *e = f->p2m[to] * PAGE | (l > 1   ? UPPER_PROT
                                      : table ? L1_PROT & ~PTE_RW
                                              : L1_PROT);
        }
    }
}

static void boot(struct floor *f)
{
    const struct layout *lo = &f->lo;
    struct xen_domctl hc = {
        .cmd = XEN_DOMCTL_hypercall_init,
        .domain = (domid_t)f->domid,
    };
    vcpu_guest_context_any_t ctx;
    vcpu_guest_context_t *c = &ctx.c;
    uint64_t sp = va_of(f, lo->stack_pfn + 1);

    if (f->k.hypercall != UINT64_MAX) {
        hc.u.hypercall_init.gmfn = f->p2m[(f->k.hypercall - f->k.virt_base) / PAGE];
        if (xc_domctl(f->xch, &hc) != 0)
            die("hypercall_init");
    }
    memset(&ctx, 0, sizeof(ctx));
    c->flags = VGCF_in_kernel | VGCF_online;
    c->user_regs.rip = f->k.entry;
    c->user_regs.rsp = sp;
    c->user_regs.rsi = va_of(f, lo->si_pfn);
    c->user_regs.rflags = 1u << 9;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = c->user_regs.ds = c->user_regs.es = FLAT_KERNEL_SS;
    c->user_regs.fs = c->user_regs.gs = FLAT_KERNEL_SS;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = sp;
    c->ctrlreg[3] = xen_pfn_to_cr3(f->p2m[lo->pt_pfn]);
    if (xc_vcpu_setcontext(f->xch, f->domid, 0, &ctx) != 0)
        die("setvcpucontext");
}

/* Wait up to @secs for domain @domid's shutdown; print its reason. */
static int wait_shutdown(xc_interface *xch, uint32_t domid, unsigned secs)
{
    static const char *const why[] = {"poweroff", "reboot",   "suspend",
                                      "crash",    "watchdog", "soft_reset"};
    uint64_t deadline = now_us() + secs * 1000000ull;
    xc_domaininfo_t info;

    while (now_us() < deadline) {
        if (xc_domain_getinfolist(xch, domid, 1, &info) != 1 || info.domain != domid)
            die("domain %u vanished", domid);
        if (info.flags & XEN_DOMINF_shutdown) {
            unsigned r =
                (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;

            fprintf(stderr, "floor: domain %u shut down: %s, cpu %" PRIu64 " us\n", domid,
                    r < 6 ? why[r] : "?", info.cpu_time / 1000);
            return 0;
        }
        usleep(10000);
    }
    fprintf(stderr, "floor: domain %u did not shut down within %u s\n", domid, secs);
    return 1;
}

/* -C: what the guest wrote into its console ring, on stdout. */
static void print_console(struct floor *f)
{
    xen_pfn_t mfn = f->p2m[f->lo.cons_pfn];
    struct xencons_interface *r =
        xenforeignmemory_map(f->fmem, f->domid, PROT_READ, 1, &mfn, NULL);

    if (!r)
        die("map the console ring");
    for (XENCONS_RING_IDX i = r->out_cons; i != r->out_prod; i++)
        putchar(r->out[MASK_XENCONS_IDX(i, r->out)]);
    fflush(stdout);
    xenforeignmemory_unmap(f->fmem, r, 1);
}

static void print_times(const struct floor *f)
{
    uint64_t sum = 0;

    fprintf(stderr, "floor: us");
    for (int i = 0; i < T_COUNT; i++) {
        fprintf(stderr, " %s=%" PRIu64, t_names[i], f->t[i]);
        sum += f->t[i];
    }
    fprintf(stderr, " total=%" PRIu64 "\n", sum);
}

static int usage(void)
{
    fputs("usage: floor create [-p] [-t] [-w SECS [-C]] [-m MIB] [-r RAMDISK] [-c "
          "CMDLINE] ELF\n"
          "       floor destroy DOMID\n"
          "       floor wait DOMID SECS\n",
          stderr);
    return 2;
}

static int create(int argc, char **argv)
{
    struct floor f = {.mib = 4, .cmdline = "", .domid = DOMID_INVALID};
    bool paused = false, times = false, proof = false;
    unsigned wait_secs = 0;
    uint64_t t0 = now_us();
    int opt;

    while ((opt = getopt(argc, argv, "ptw:Cm:r:c:")) != -1) {
        switch (opt) {
        case 'C':
            proof = true;
            break;
        case 'p':
            paused = true;
            break;
        case 't':
            times = true;
            break;
        case 'w':
            wait_secs = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'm':
            f.mib = strtoull(optarg, NULL, 10);
            break;
        case 'r':
            f.rd = map_file(optarg, &f.rd_len);
            break;
        case 'c':
            f.cmdline = optarg;
            break;
        default:
            return usage();
        }
    }
    if (optind != argc - 1 || !f.mib || f.mib > (1u << 20) ||
        (proof && (!wait_secs || paused)))
        return usage();
    load_elf(&f.k, argv[optind]);
    plan(&f);
    f.xch = xc_interface_open(NULL, NULL, 0);
    f.fmem = xenforeignmemory_open(NULL, 0);
    if (!f.xch || !f.fmem)
        die("open libxenctrl/libxenforeignmemory");
    lap(&f, T_OPEN, &t0);
    building = &f;
    make_domain(&f);
    if (proof) {
        int port = xc_evtchn_alloc_unbound(f.xch, f.domid, 0);

        if (port < 0)
            die("evtchn_alloc_unbound");
        f.console_port = (uint32_t)port;
    }
    lap(&f, T_DOMAIN, &t0);
    populate(&f);
    lap(&f, T_POPULATE, &t0);
    map_region(&f);
    lap(&f, T_MAP, &t0);
    /* zeroed: what follows the kernel up to the stack (the tables above all) */
    memset(va_ptr(&f, f.lo.rd_pfn), 0, (f.lo.stack_pfn + 1 - f.lo.rd_pfn) * PAGE);
    write_kernel(&f);
    write_start_info(&f);
    write_tables(&f);
    if (xenforeignmemory_unmap(f.fmem, f.mem, f.lo.boot_pages) != 0)
        die("unmap");
    lap(&f, T_WRITE, &t0);
    boot(&f);
    lap(&f, T_BOOT, &t0);
    if (!paused && xc_domain_unpause(f.xch, f.domid) != 0)
        die("unpause");
    lap(&f, T_UNPAUSE, &t0);
    building = NULL;
    printf("%u\n", f.domid);
    fflush(stdout);
    if (times)
        print_times(&f);
    if (!wait_secs || paused)
        return 0;
    opt = wait_shutdown(f.xch, f.domid, wait_secs);
    if (proof)
        print_console(&f);
    return opt;
}

/* A domid of a domU, or 0. */
static uint32_t domid_arg(const char *s)
{
    char *end;
    unsigned long id = strtoul(s, &end, 10);

    return *end || !s[0] || id >= DOMID_FIRST_RESERVED ? 0 : (uint32_t)id;
}

static int destroy(int argc, char **argv)
{
    xc_interface *xch;
    uint32_t id;

    if (argc != 2 || !(id = domid_arg(argv[1])))
        return usage();
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        die("open libxenctrl");
    if (xc_domain_destroy(xch, id) != 0)
        die("destroy %u", id);
    return 0;
}

static int wait_cmd(int argc, char **argv)
{
    xc_interface *xch;
    uint32_t id;

    if (argc != 3 || !(id = domid_arg(argv[1])))
        return usage();
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        die("open libxenctrl");
    return wait_shutdown(xch, id, (unsigned)strtoul(argv[2], NULL, 10));
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return create(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "destroy") == 0)
        return destroy(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "wait") == 0)
        return wait_cmd(argc - 1, argv + 1);
    return usage();
}
