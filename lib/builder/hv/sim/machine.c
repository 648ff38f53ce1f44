/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine: machine frames handed out in scrambled order,
 * guest memory in one memfd (so foreign mappings truly alias it), recorded
 * vCPU contexts and pins, event channels, a grant-table record, an
 * in-memory xenstore with transactions and permissions, and fault
 * injection: the N-th op call fails with -EIO.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../guest/abi_x86.h"
#include "sim.h"

#define SIM_DEFAULT_PAGES (1ull << 18) /* 1 GiB */
#define SIM_DEFAULT_CAPS  "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32"

static const struct xb_hv_ops sim_ops;

struct sim *xb__sim_of_hv(struct xb_hv *hv)
{
    return (struct sim *)((char *)hv - offsetof(struct sim, hv));
}

static struct sim *to_sim(struct xb_hv *hv)
{
    return xb__sim_of_hv(hv);
}

int xb__sim_enter(struct sim *s, struct xb_err *err, const char *op)
{
    long n = s->calls++;

    if (n == s->fail_at)
        return xb_err_set(err, -EIO, "sim: injected failure of %s (call %ld)", op, n);
    return 0;
}

struct sim_dom *xb__sim_find_dom(struct sim *s, uint32_t domid)
{
    for (size_t i = 0; i < SIM_MAX_DOMS; i++)
        if (s->doms[i].used && s->doms[i].domid == domid)
            return &s->doms[i];
    return NULL;
}

struct sim_dom *xb__sim_get_dom(struct sim *s, struct xb_err *err, uint32_t domid,
                                const char *op)
{
    struct sim_dom *d = xb__sim_find_dom(s, domid);

    if (!d)
        xb_err_set(err, -ESRCH, "sim: %s: no domain %" PRIu32, op, domid);
    return d;
}

bool xb__sim_owns(const struct sim *s, uint32_t domid, xb_mfn mfn)
{
    return mfn < s->nframes && s->owner[mfn] == domid;
}

uint8_t *xb__sim_mem(const struct sim *s, xb_mfn mfn)
{
    return s->mem + mfn * XB_PAGE_SIZE;
}

/* ---- the hypervisor ---- */

static int sim_physinfo(struct xb_hv *hv, struct xb_err *err, struct xb_hv_physinfo *out)
{
    struct sim *s = to_sim(hv);
    uint64_t used = 0;
    int rc = xb__sim_enter(s, err, "physinfo");

    if (rc)
        return rc;
    for (uint64_t c = 0; c < s->nchunks; c++)
        used += s->chunk_used[c];
    *out = (struct xb_hv_physinfo){
        .xen_major = s->xen_major,
        .xen_minor = s->xen_minor,
        .total_pages = s->nframes,
        .free_pages = s->nframes - used,
        .nr_cpus = SIM_NR_CPUS,
        .hap = true,
        .shadow = s->shadow,
    };
    snprintf(out->caps, sizeof(out->caps), "%s", s->caps);
    return 0;
}

static int sim_domain_create(struct xb_hv *hv, struct xb_err *err,
                             const struct xb_hv_domcfg *cfg, uint32_t *domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d = NULL;
    int rc = xb__sim_enter(s, err, "domain_create");

    if (rc)
        return rc;
    if (cfg->max_vcpus == 0 || cfg->max_vcpus > 128)
        return xb_err_set(err, -EINVAL, "sim: domain_create: max_vcpus %" PRIu32,
                          cfg->max_vcpus);
    for (size_t i = 0; i < SIM_MAX_DOMS && !d; i++)
        if (!s->doms[i].used)
            d = &s->doms[i];
    if (!d)
        return xb_err_set(err, -ENOSPC, "sim: domain_create: too many domains");
    *d = (struct sim_dom){
        .used = true, .domid = s->next_domid++, .flags = XB_DOMINFO_PAUSED};
    d->max_port = cfg->max_evtchn_port ? cfg->max_evtchn_port : SIM_MAX_PORTS - 1;
    if (d->max_port >= SIM_MAX_PORTS)
        d->max_port = SIM_MAX_PORTS - 1;
    d->info = (struct sim_dominfo){.paused = true,
                                   .max_vcpus = cfg->max_vcpus,
                                   .hypercall_mfn = UINT64_MAX,
                                   .translated = cfg->type == XB_HV_DOM_PVH,
                                   .msr_relaxed = cfg->msr_relaxed};
    if (d->info.translated)
        d->flags |= XB_DOMINFO_HVM;
    memcpy(d->info.handle, cfg->handle, 16);
    d->vctx = calloc(cfg->max_vcpus, sizeof(*d->vctx));
    d->vctx_len = calloc(cfg->max_vcpus, sizeof(*d->vctx_len));
    if (!d->vctx || !d->vctx_len || xb__sim_affinity_init(d) ||
        (d->info.translated && xb__sim_hvm_init(d, cfg->max_vcpus)) ||
        xb__sim_alloc_frame(s, d->domid, &d->info.shared_info_mfn)) {
        free(d->vctx);
        free(d->vctx_len);
        free(d->affinity);
        xb__sim_hvm_free(d);
        d->used = false;
        return xb_err_set(err, -ENOMEM, "sim: domain_create: out of memory");
    }
    memset(s->mem + d->info.shared_info_mfn * XB_PAGE_SIZE, 0, XB_PAGE_SIZE);
    *domid = d->domid;
    return 0;
}

static void free_dom(struct sim *s, struct sim_dom *d)
{
    for (uint64_t m = 0; m < s->nframes; m++)
        if (s->owner[m] == d->domid)
            xb__sim_frame_put(s, m);
    for (uint32_t v = 0; v < d->info.max_vcpus; v++)
        free(d->vctx[v]);
    free(d->vctx);
    free(d->vctx_len);
    xb__sim_hvm_free(d);
    free(d->affinity);
    *d = (struct sim_dom){0};
}

static int sim_domain_destroy(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "domain_destroy");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "domain_destroy");
    if (!d)
        return -ESRCH;
    if (s->zombies)
        d->flags = (d->flags & ~XB_DOMINFO_RUNNING) | XB_DOMINFO_DYING;
    else
        free_dom(s, d);
    xb__sim_xs_fire(s, "@releaseDomain");
    return 0;
}

static int set_paused(struct xb_hv *hv, struct xb_err *err, uint32_t domid, bool paused,
                      const char *op)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, op);

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, op);
    if (!d)
        return -ESRCH;
    if (!paused && !(d->info.translated ? d->hvm.online[0] : d->vctx[0] != NULL))
        return xb_err_set(err, -EINVAL,
                          "sim: unpause: vCPU 0 of domain %" PRIu32 " has no context",
                          domid);
    if (!paused && !d->started &&
        (rc = d->info.translated ? xb__sim_check_pvh_start(s, err, d)
                                 : xb__sim_check_start_of_day(s, err, d)) != 0)
        return rc;
    d->started |= !paused;
    d->info.paused = paused;
    d->flags = (d->flags & ~(XB_DOMINFO_PAUSED | XB_DOMINFO_RUNNING)) |
               (paused ? XB_DOMINFO_PAUSED : XB_DOMINFO_RUNNING);
    return 0;
}

static int sim_domain_pause(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    return set_paused(hv, err, domid, true, "domain_pause");
}

static int sim_domain_unpause(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    return set_paused(hv, err, domid, false, "domain_unpause");
}

static int sim_domain_shutdown(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                               unsigned reason)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "domain_shutdown");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "domain_shutdown");
    if (!d)
        return -ESRCH;
    d->flags |= XB_DOMINFO_SHUTDOWN;
    d->shutdown_reason = reason;
    xb__sim_xs_fire(s, "@releaseDomain");
    return 0;
}

static struct sim_dom *next_dom_from(struct sim *s, uint32_t first)
{
    struct sim_dom *best = NULL;

    for (size_t i = 0; i < SIM_MAX_DOMS; i++) {
        struct sim_dom *d = &s->doms[i];
        if (d->used && d->domid >= first && (!best || d->domid < best->domid))
            best = d;
    }
    return best;
}

static uint32_t online_vcpus(const struct sim_dom *d)
{
    uint32_t n = 0;

    for (uint32_t v = 0; v < d->info.max_vcpus; v++)
        n += d->info.translated ? d->hvm.online[v] : d->vctx[v] != NULL;
    return n;
}

static int sim_domain_info(struct xb_hv *hv, struct xb_err *err, uint32_t first,
                           struct xb_hv_dominfo *info, unsigned max, unsigned *n)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "domain_info");

    if (rc)
        return rc;
    for (*n = 0; *n < max && (d = next_dom_from(s, first)) != NULL; (*n)++) {
        info[*n] = (struct xb_hv_dominfo){
            .domid = d->domid,
            .flags = d->flags,
            .shutdown_reason = d->shutdown_reason,
            .tot_pages = d->pages,
            .max_pages = d->info.max_mem_kib / 4,
            .shared_info_frame = d->info.shared_info_mfn,
            .nr_online_vcpus = online_vcpus(d),
            .max_vcpu_id = d->info.max_vcpus - 1,
        };
        memcpy(info[*n].handle, d->info.handle, 16);
        first = d->domid + 1;
    }
    return 0;
}

static int sim_set_max_vcpus(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned max)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "set_max_vcpus");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "set_max_vcpus");
    if (!d)
        return -ESRCH;
    if (max > d->info.max_vcpus)
        return xb_err_set(err, -EINVAL,
                          "sim: set_max_vcpus: %u above the %" PRIu32
                          " given at creation",
                          max, d->info.max_vcpus);
    return 0;
}

static int sim_set_max_mem(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           uint64_t kib)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "set_max_mem");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "set_max_mem");
    if (!d)
        return -ESRCH;
    d->info.max_mem_kib = kib;
    return 0;
}

static int sim_set_address_size(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                unsigned bits)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "set_address_size");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "set_address_size");
    if (!d)
        return -ESRCH;
    if (d->info.translated)
        return xb_err_set(err, -EINVAL,
                          "sim: set_address_size: domain %" PRIu32 " is PVH", domid);
    if (bits != 32 && bits != 64)
        return xb_err_set(err, -EINVAL, "sim: set_address_size: %u bits", bits);
    if (d->pages)
        return xb_err_set(err, -EBUSY,
                          "sim: set_address_size after memory was populated");
    d->info.address_size = bits;
    return 0;
}

static int sim_pin_table(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned level, xb_mfn mfn)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "pin_table");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "pin_table");
    if (!d)
        return -ESRCH;
    if (d->info.translated)
        return xb_err_set(err, -EINVAL, "sim: pin_table: domain %" PRIu32 " is PVH",
                          domid);
    if (level != (d->info.address_size == 32 ? 3u : 4u) || d->npins == SIM_MAX_PINS)
        return xb_err_set(err, -EINVAL, "sim: pin_table: level %u for a %u-bit guest",
                          level, d->info.address_size);
    rc = xb__sim_pt_pin(s, err, d, level, mfn);
    if (!rc)
        d->pins[d->npins++] = (struct sim_pin){.level = level, .mfn = mfn};
    return rc;
}

/* Hypercall stubs: 64-bit "push rcx; push r11; mov $n,%eax; syscall; pop r11;
 * pop rcx; ret", 32-bit "mov $n,%eax; int $0x82; ret", 32 bytes apart. */
static void fill_hypercall_page(uint8_t *page, unsigned bits)
{
    static const uint8_t stub64[] = {0x51, 0x41, 0x53, 0xb8, 0,    0,    0,
                                     0,    0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3};
    static const uint8_t stub32[] = {0xb8, 0, 0, 0, 0, 0xcd, 0x82, 0xc3};
    const uint8_t *stub = bits == 32 ? stub32 : stub64;
    size_t len = bits == 32 ? sizeof(stub32) : sizeof(stub64);
    size_t imm = bits == 32 ? 1 : 4;

    memset(page, 0xcc, XB_PAGE_SIZE);
    for (uint32_t n = 0; n < XB_PAGE_SIZE / 32; n++) {
        memcpy(page + n * 32, stub, len);
        memcpy(page + n * 32 + imm, &n, sizeof(n));
    }
}

static int sim_hypercall_init(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              xb_mfn mfn)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "hypercall_init");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "hypercall_init");
    if (!d)
        return -ESRCH;
    if (d->info.translated)
        return xb_err_set(err, -EINVAL, "sim: hypercall_init: domain %" PRIu32 " is PVH",
                          domid);
    if (!xb__sim_owns(s, domid, mfn) || s->pt[mfn])
        return xb_err_set(err, -EINVAL,
                          "sim: hypercall_init: frame 0x%" PRIx64
                          " is not a data frame of domain %" PRIu32,
                          mfn, domid);
    fill_hypercall_page(s->mem + mfn * XB_PAGE_SIZE, d->info.address_size);
    d->info.hypercall_mfn = mfn;
    return 0;
}

static int sim_set_vcpu_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                unsigned vcpu, const void *ctx, size_t len)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    size_t want;
    void *copy;
    int rc = xb__sim_enter(s, err, "set_vcpu_context");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "set_vcpu_context");
    if (!d)
        return -ESRCH;
    if (d->info.translated)
        return xb_err_set(err, -EINVAL,
                          "sim: set_vcpu_context: domain %" PRIu32 " is PVH", domid);
    want = d->info.address_size == 32 ? sizeof(struct vcpu_guest_context_x86_32)
                                      : sizeof(struct vcpu_guest_context_x86_64);
    if (vcpu >= d->info.max_vcpus || len != want)
        return xb_err_set(err, -EINVAL,
                          "sim: set_vcpu_context: vCPU %u, %zu bytes "
                          "(want < %" PRIu32 ", %zu)",
                          vcpu, len, d->info.max_vcpus, want);
    copy = malloc(len);
    if (!copy)
        return xb_err_set(err, -ENOMEM, "sim: set_vcpu_context: out of memory");
    memcpy(copy, ctx, len);
    free(d->vctx[vcpu]);
    d->vctx[vcpu] = copy;
    d->vctx_len[vcpu] = len;
    return 0;
}

static int sim_evtchn_alloc_unbound(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                    uint32_t remote, uint32_t *port)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "evtchn_alloc_unbound");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "evtchn_alloc_unbound");
    if (!d)
        return -ESRCH;
    for (uint32_t p = 1; p <= d->max_port; p++) {
        if (!d->port_used[p]) {
            d->port_used[p] = true;
            d->port_remote[p] = remote;
            *port = p;
            return 0;
        }
    }
    return xb_err_set(err, -ENOSPC, "sim: evtchn_alloc_unbound: no free port");
}

static int sim_gnttab_seed(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           xb_pfn console_gfn, xb_pfn xenstore_gfn,
                           uint32_t console_domid, uint32_t xenstore_domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "gnttab_seed");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "gnttab_seed");
    if (!d)
        return -ESRCH;
    d->info.gnttab_seeded = true;
    d->info.gnt_console = console_gfn;
    d->info.gnt_xenstore = xenstore_gfn;
    d->info.gnt_console_dom = console_domid;
    d->info.gnt_xenstore_dom = xenstore_domid;
    return 0;
}

/* ---- open / close ---- */

/* Free the machine (after both handles are closed). */
static void sim_free(struct sim *s)
{
    for (size_t i = 0; i < SIM_MAX_DOMS; i++)
        if (s->doms[i].used)
            free_dom(s, &s->doms[i]);
    while (s->nmaps)
        xb__sim_unmap_foreign(&s->hv, NULL, s->maps[0].addr, s->maps[0].n);
    xb__sim_xs_fini(s);
    free(s->conring);
    free(s->maps);
    if (s->mem && s->mem != MAP_FAILED)
        munmap(s->mem, s->nframes * XB_PAGE_SIZE);
    if (s->memfd >= 0)
        close(s->memfd);
    free(s->owner);
    free(s->m2p);
    free(s->wmaps);
    free(s->pt);
    free(s->chunk_order);
    free(s->chunk_used);
    free(s);
}

void xb__sim_put(struct sim *s)
{
    if (s && --s->refs == 0)
        sim_free(s);
}

static void sim_close(struct xb_hv *hv)
{
    if (hv)
        xb__sim_put(to_sim(hv));
}

static const struct xb_hv_ops sim_ops = {
    .name = "sim",
    .physinfo = sim_physinfo,
    .domain_create = sim_domain_create,
    .domain_destroy = sim_domain_destroy,
    .domain_pause = sim_domain_pause,
    .domain_unpause = sim_domain_unpause,
    .domain_shutdown = sim_domain_shutdown,
    .domain_info = sim_domain_info,
    .set_max_vcpus = sim_set_max_vcpus,
    .set_max_mem = sim_set_max_mem,
    .set_address_size = sim_set_address_size,
    .populate_physmap = xb__sim_populate_physmap,
    .map_foreign = xb__sim_map_foreign,
    .unmap_foreign = xb__sim_unmap_foreign,
    .pin_table = sim_pin_table,
    .hypercall_init = sim_hypercall_init,
    .set_vcpu_context = sim_set_vcpu_context,
    .evtchn_alloc_unbound = sim_evtchn_alloc_unbound,
    .gnttab_seed = sim_gnttab_seed,
    .set_memory_map = xb__sim_set_memory_map,
    .hvm_param_set = xb__sim_hvm_param_set,
    .set_paging_pool = xb__sim_set_paging_pool,
    .hvm_get_context = xb__sim_hvm_get_context,
    .hvm_set_context = xb__sim_hvm_set_context,
    .stream_save = xb__sim_stream_save,
    .stream_restore = xb__sim_stream_restore,
    .domain_resume = xb__sim_domain_resume,
    /* management (manage.c) */
    .vcpu_info = xb__sim_vcpu_info,
    .vcpu_get_affinity = xb__sim_vcpu_get_affinity,
    .vcpu_set_affinity = xb__sim_vcpu_set_affinity,
    .node_affinity = xb__sim_node_affinity,
    .send_trigger = xb__sim_send_trigger,
    .read_console = xb__sim_read_console,
    .host_info = xb__sim_host_info,
    .cpu_topology = xb__sim_cpu_topology,
    .numa_info = xb__sim_numa_info,
    .dump_core = xb__sim_dump_core,
    .close = sim_close,
};

int xb__sim_open(const struct xb_sim_opts *opts, struct xb_hv **hv, struct xb_xs **xs,
                 struct xb_err *err)
{
    struct xb_sim_opts o = opts ? *opts : (struct xb_sim_opts){.fail_at = -1};
    struct sim *s = calloc(1, sizeof(*s));
    uint64_t pages = o.total_pages ? o.total_pages : SIM_DEFAULT_PAGES;

    *hv = NULL;
    *xs = NULL;
    if (!s)
        return xb_err_set(err, -ENOMEM, "sim: out of memory");
    *s = (struct sim){.hv = {.ops = &sim_ops},
                      .refs = 1,
                      .memfd = -1,
                      .mem = MAP_FAILED,
                      .seed = o.seed,
                      .next_domid = 1,
                      .fail_at = o.fail_at,
                      .dirty = o.dirty};
    snprintf(s->caps, sizeof(s->caps), "%s", o.caps ? o.caps : SIM_DEFAULT_CAPS);
    s->xen_major = o.xen_major ? o.xen_major : 4;
    s->xen_minor = o.xen_major ? o.xen_minor : 17;
    xb__sim_host_init(s);
    if (pages < 2 * SIM_CHUNK || pages > (1ull << 26) || xb__sim_machine_init(s, pages) ||
        xb__sim_xs_init(s)) {
        sim_free(s);
        return xb_err_set(err, -ENOMEM,
                          "sim: cannot set up a machine of %" PRIu64 " pages", pages);
    }
    s->refs = 2;
    *hv = &s->hv;
    *xs = &s->xs;
    return 0;
}
