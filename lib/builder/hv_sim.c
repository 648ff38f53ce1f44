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

#include "abi_x86.h"
#include "hv.h"
#include "hv_sim.h"

#define SIM_MAX_DOMS 64
#define SIM_MAX_PORTS 64
#define SIM_MAX_PINS 16
#define SIM_MAX_TX 8
#define SIM_CHUNK 512u                  /* frames per 2 MiB chunk */
#define SIM_FREE UINT32_MAX
#define SIM_DOMID_XEN 0x7ff2u
#define SIM_DEFAULT_PAGES (1ull << 18)  /* 1 GiB */
#define SIM_DEFAULT_CAPS "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32"
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_P 0x1ull
#define PTE_RW 0x2ull

struct sim_dom {
    bool used;
    uint32_t domid;
    struct xb_sim_dominfo info;
    void **vctx;                        /* [max_vcpus] */
    size_t *vctx_len;
    struct xb_sim_pin pins[SIM_MAX_PINS];
    size_t npins;
    bool port_used[SIM_MAX_PORTS];
    uint32_t port_remote[SIM_MAX_PORTS];
    uint32_t max_port;
    uint64_t pages;
    uint32_t flags;
    unsigned shutdown_reason;
};

struct xs_node {
    char *path, *val;
    size_t len;
    struct xb_xs_perm *perms;
    size_t nperms;
};

struct xs_tree {
    struct xs_node *n;
    size_t count, cap;
};

struct sim_tx {
    bool used;
    uint32_t id;
    uint64_t gen;
    struct xs_tree tree;
};

struct sim_map {
    uint8_t *addr;
    size_t n;
    bool writable;
    xb_mfn *mfns;
};

struct sim {
    struct xb_hv hv;                    /* first: the ops see a struct xb_hv */
    char caps[256];
    int memfd;
    uint8_t *mem;
    uint64_t nframes, nchunks;
    uint32_t *owner;                    /* [nframes] domid or SIM_FREE */
    uint16_t *wmaps;                    /* [nframes] writable mappings alive */
    uint8_t *pt;                        /* [nframes] 1 = validated page table */
    uint32_t *chunk_order;              /* scrambled chunk sequence */
    uint32_t *chunk_used;               /* [nchunks] frames in use */
    uint32_t seed;
    uint64_t cursor;                    /* order-0 allocation cursor */
    struct sim_dom doms[SIM_MAX_DOMS];
    uint32_t next_domid;
    struct xs_tree xs;
    uint64_t xs_gen;
    struct sim_tx tx[SIM_MAX_TX];
    uint32_t next_tx;
    struct sim_map *maps;
    size_t nmaps, mapcap;
    long calls, fail_at;
    bool dirty;                         /* fill frames with 0xa5 when handed out */
    bool no_superpages;                 /* order-9 populate fails with -ENOMEM */
};

static const struct xb_hv_ops sim_ops;

static struct sim *to_sim(struct xb_hv *hv)
{
    return (struct sim *)hv;
}

/* Every injectable op starts here: count the call, maybe fail it. */
static int sim_enter(struct sim *s, const char *op)
{
    long n = s->calls++;

    if (n == s->fail_at)
        return xb_err_set(s->hv.err, -EIO, "sim: injected failure of %s (call %ld)", op, n);
    return 0;
}

static struct sim_dom *find_dom(struct sim *s, uint32_t domid)
{
    for (size_t i = 0; i < SIM_MAX_DOMS; i++)
        if (s->doms[i].used && s->doms[i].domid == domid)
            return &s->doms[i];
    return NULL;
}

static struct sim_dom *get_dom(struct sim *s, uint32_t domid, const char *op)
{
    struct sim_dom *d = find_dom(s, domid);

    if (!d)
        xb_err_set(s->hv.err, -ESRCH, "sim: %s: no domain %" PRIu32, op, domid);
    return d;
}

/* ---- machine frames ---- */

static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void scramble_chunks(struct sim *s)
{
    uint32_t x = s->seed * 2654435761u + 1;

    for (uint64_t i = 0; i < s->nchunks; i++)
        s->chunk_order[i] = (uint32_t)i;
    for (uint64_t i = s->nchunks - 1; i > 1; i--) {   /* chunk 0 stays Xen's */
        uint64_t j = 1 + next_rand(&x) % i;
        uint32_t t = s->chunk_order[i];
        s->chunk_order[i] = s->chunk_order[j];
        s->chunk_order[j] = t;
    }
}

static void frame_take(struct sim *s, xb_mfn mfn, uint32_t domid)
{
    s->owner[mfn] = domid;
    s->chunk_used[mfn / SIM_CHUNK]++;
    if (s->dirty)                       /* like reused RAM */
        memset(s->mem + mfn * XB_PAGE_SIZE, 0xa5, XB_PAGE_SIZE);
}

static void frame_put(struct sim *s, xb_mfn mfn)
{
    s->owner[mfn] = SIM_FREE;
    s->pt[mfn] = 0;
    s->chunk_used[mfn / SIM_CHUNK]--;
}

/* The i-th frame of the scrambled order-0 sequence. */
static xb_mfn seq_frame(const struct sim *s, uint64_t i)
{
    uint64_t chunk = s->chunk_order[(i / SIM_CHUNK) % s->nchunks];
    uint64_t slot = ((i % SIM_CHUNK) * 263 + s->seed) % SIM_CHUNK;

    return chunk * SIM_CHUNK + slot;
}

static int alloc_frame(struct sim *s, uint32_t domid, xb_mfn *out)
{
    uint64_t total = s->nchunks * SIM_CHUNK;

    for (uint64_t k = 0; k < total; k++) {
        xb_mfn mfn = seq_frame(s, (s->cursor + k) % total);
        if (mfn < s->nframes && s->owner[mfn] == SIM_FREE) {
            s->cursor = (s->cursor + k + 1) % total;
            frame_take(s, mfn, domid);
            *out = mfn;
            return 0;
        }
    }
    return -ENOMEM;
}

static int alloc_chunk(struct sim *s, uint32_t domid, xb_mfn *out)
{
    for (uint64_t k = 1; k < s->nchunks; k++) {
        uint64_t c = s->chunk_order[k];
        if (s->chunk_used[c] == 0 && (c + 1) * SIM_CHUNK <= s->nframes) {
            for (uint64_t i = 0; i < SIM_CHUNK; i++)
                frame_take(s, c * SIM_CHUNK + i, domid);
            *out = c * SIM_CHUNK;
            return 0;
        }
    }
    return -ENOMEM;
}

static bool owns(const struct sim *s, uint32_t domid, xb_mfn mfn)
{
    return mfn < s->nframes && s->owner[mfn] == domid;
}

/* ---- the hypervisor ---- */

static int sim_physinfo(struct xb_hv *hv, struct xb_hv_physinfo *out)
{
    struct sim *s = to_sim(hv);
    uint64_t used = 0;
    int rc = sim_enter(s, "physinfo");

    if (rc)
        return rc;
    for (uint64_t c = 0; c < s->nchunks; c++)
        used += s->chunk_used[c];
    *out = (struct xb_hv_physinfo){
        .xen_major = 4, .xen_minor = 17, .total_pages = s->nframes,
        .free_pages = s->nframes - used, .nr_cpus = 2, .hap = true,
    };
    snprintf(out->caps, sizeof(out->caps), "%s", s->caps);
    return 0;
}

static int sim_domain_create(struct xb_hv *hv, const struct xb_hv_domcfg *cfg, uint32_t *domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d = NULL;
    int rc = sim_enter(s, "domain_create");

    if (rc)
        return rc;
    if (cfg->max_vcpus == 0 || cfg->max_vcpus > 128)
        return xb_err_set(hv->err, -EINVAL, "sim: domain_create: max_vcpus %" PRIu32,
                          cfg->max_vcpus);
    for (size_t i = 0; i < SIM_MAX_DOMS && !d; i++)
        if (!s->doms[i].used)
            d = &s->doms[i];
    if (!d)
        return xb_err_set(hv->err, -ENOSPC, "sim: domain_create: too many domains");
    *d = (struct sim_dom){.used = true, .domid = s->next_domid++, .flags = XB_DOMINFO_PAUSED};
    d->max_port = cfg->max_evtchn_port ? cfg->max_evtchn_port : SIM_MAX_PORTS - 1;
    if (d->max_port >= SIM_MAX_PORTS)
        d->max_port = SIM_MAX_PORTS - 1;
    d->info = (struct xb_sim_dominfo){.paused = true, .max_vcpus = cfg->max_vcpus,
                                      .hypercall_mfn = UINT64_MAX};
    memcpy(d->info.handle, cfg->handle, 16);
    d->vctx = calloc(cfg->max_vcpus, sizeof(*d->vctx));
    d->vctx_len = calloc(cfg->max_vcpus, sizeof(*d->vctx_len));
    if (!d->vctx || !d->vctx_len || alloc_frame(s, d->domid, &d->info.shared_info_mfn)) {
        free(d->vctx);
        free(d->vctx_len);
        d->used = false;
        return xb_err_set(hv->err, -ENOMEM, "sim: domain_create: out of memory");
    }
    memset(s->mem + d->info.shared_info_mfn * XB_PAGE_SIZE, 0, XB_PAGE_SIZE);
    *domid = d->domid;
    return 0;
}

static void free_dom(struct sim *s, struct sim_dom *d)
{
    for (uint64_t m = 0; m < s->nframes; m++)
        if (s->owner[m] == d->domid)
            frame_put(s, m);
    for (uint32_t v = 0; v < d->info.max_vcpus; v++)
        free(d->vctx[v]);
    free(d->vctx);
    free(d->vctx_len);
    *d = (struct sim_dom){0};
}

static int sim_domain_destroy(struct xb_hv *hv, uint32_t domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "domain_destroy");

    if (rc)
        return rc;
    d = get_dom(s, domid, "domain_destroy");
    if (!d)
        return -ESRCH;
    free_dom(s, d);
    return 0;
}

static int set_paused(struct xb_hv *hv, uint32_t domid, bool paused, const char *op)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, op);

    if (rc)
        return rc;
    d = get_dom(s, domid, op);
    if (!d)
        return -ESRCH;
    if (!paused && !d->vctx[0])
        return xb_err_set(hv->err, -EINVAL, "sim: unpause: vCPU 0 of domain %" PRIu32
                          " has no context", domid);
    d->info.paused = paused;
    d->flags = (d->flags & ~(XB_DOMINFO_PAUSED | XB_DOMINFO_RUNNING)) |
               (paused ? XB_DOMINFO_PAUSED : XB_DOMINFO_RUNNING);
    return 0;
}

static int sim_domain_pause(struct xb_hv *hv, uint32_t domid)
{
    return set_paused(hv, domid, true, "domain_pause");
}

static int sim_domain_unpause(struct xb_hv *hv, uint32_t domid)
{
    return set_paused(hv, domid, false, "domain_unpause");
}

static int sim_domain_shutdown(struct xb_hv *hv, uint32_t domid, unsigned reason)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "domain_shutdown");

    if (rc)
        return rc;
    d = get_dom(s, domid, "domain_shutdown");
    if (!d)
        return -ESRCH;
    d->flags |= XB_DOMINFO_SHUTDOWN;
    d->shutdown_reason = reason;
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

static int sim_domain_info(struct xb_hv *hv, uint32_t first, struct xb_hv_dominfo *info,
                           unsigned max, unsigned *n)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "domain_info");

    if (rc)
        return rc;
    for (*n = 0; *n < max && (d = next_dom_from(s, first)) != NULL; (*n)++) {
        info[*n] = (struct xb_hv_dominfo){
            .domid = d->domid, .flags = d->flags, .shutdown_reason = d->shutdown_reason,
            .tot_pages = d->pages, .max_pages = d->info.max_mem_kib / 4,
            .shared_info_frame = d->info.shared_info_mfn,
            .nr_online_vcpus = d->vctx[0] ? 1 : 0, .max_vcpu_id = d->info.max_vcpus - 1,
        };
        memcpy(info[*n].handle, d->info.handle, 16);
        first = d->domid + 1;
    }
    return 0;
}

static int sim_set_max_vcpus(struct xb_hv *hv, uint32_t domid, unsigned max)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "set_max_vcpus");

    if (rc)
        return rc;
    d = get_dom(s, domid, "set_max_vcpus");
    if (!d)
        return -ESRCH;
    if (max > d->info.max_vcpus)
        return xb_err_set(hv->err, -EINVAL, "sim: set_max_vcpus: %u above the %" PRIu32
                          " given at creation", max, d->info.max_vcpus);
    return 0;
}

static int sim_set_max_mem(struct xb_hv *hv, uint32_t domid, uint64_t kib)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "set_max_mem");

    if (rc)
        return rc;
    d = get_dom(s, domid, "set_max_mem");
    if (!d)
        return -ESRCH;
    d->info.max_mem_kib = kib;
    return 0;
}

static int sim_set_address_size(struct xb_hv *hv, uint32_t domid, unsigned bits)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "set_address_size");

    if (rc)
        return rc;
    d = get_dom(s, domid, "set_address_size");
    if (!d)
        return -ESRCH;
    if (bits != 32 && bits != 64)
        return xb_err_set(hv->err, -EINVAL, "sim: set_address_size: %u bits", bits);
    if (d->pages)
        return xb_err_set(hv->err, -EBUSY, "sim: set_address_size after memory was populated");
    d->info.address_size = bits;
    return 0;
}

/* ---- memory ---- */

static int populate_one(struct sim *s, struct sim_dom *d, unsigned order, uint64_t *frame)
{
    xb_mfn mfn;
    int rc = order ? (s->no_superpages ? -ENOMEM : alloc_chunk(s, d->domid, &mfn))
                   : alloc_frame(s, d->domid, &mfn);

    if (rc)
        return rc;
    d->pages += 1ull << order;
    *frame = mfn;
    return 0;
}

static void unpopulate(struct sim *s, struct sim_dom *d, unsigned order, uint64_t *frames,
                       size_t nr)
{
    for (size_t i = 0; i < nr; i++)
        for (uint64_t k = 0; k < (1ull << order); k++)
            frame_put(s, frames[i] + k);
    d->pages -= (uint64_t)nr << order;
}

static int sim_populate_physmap(struct xb_hv *hv, uint32_t domid, unsigned order, size_t nr,
                                uint64_t *frames)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "populate_physmap");

    if (rc)
        return rc;
    d = get_dom(s, domid, "populate_physmap");
    if (!d)
        return -ESRCH;
    if (order != 0 && order != 9)
        return xb_err_set(hv->err, -EINVAL, "sim: populate_physmap: order %u", order);
    if (d->pages + ((uint64_t)nr << order) > d->info.max_mem_kib / 4)
        return xb_err_set(hv->err, -ENOMEM, "sim: populate_physmap: domain %" PRIu32
                          " would exceed its maximum memory", domid);
    for (size_t i = 0; i < nr; i++) {
        if (populate_one(s, d, order, &frames[i])) {
            unpopulate(s, d, order, frames, i);
            return xb_err_set(hv->err, -ENOMEM, "sim: populate_physmap: machine full");
        }
    }
    return 0;
}

static int check_mappable(struct sim *s, uint32_t domid, bool writable, const xb_mfn *frames,
                          size_t n)
{
    struct sim_dom *d = get_dom(s, domid, "map_foreign");

    if (!d)
        return -ESRCH;
    for (size_t i = 0; i < n; i++) {
        if (!owns(s, domid, frames[i]))
            return xb_err_set(s->hv.err, -EPERM, "sim: map_foreign: frame 0x%" PRIx64
                              " is not domain %" PRIu32 "'s", frames[i], domid);
        if (writable && s->pt[frames[i]])
            return xb_err_set(s->hv.err, -EPERM, "sim: map_foreign: frame 0x%" PRIx64
                              " is a pinned page table", frames[i]);
    }
    return 0;
}

/* Map runs of consecutive frames with one mmap each over the reservation. */
static int map_runs(struct sim *s, uint8_t *base, bool writable, const xb_mfn *frames, size_t n)
{
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);

    for (size_t i = 0, run; i < n; i += run) {
        for (run = 1; i + run < n && frames[i + run] == frames[i] + run; run++)
            ;
        if (mmap(base + i * XB_PAGE_SIZE, run * XB_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED,
                 s->memfd, (off_t)(frames[i] * XB_PAGE_SIZE)) == MAP_FAILED)
            return -errno;
    }
    return 0;
}

static int record_map(struct sim *s, uint8_t *addr, bool writable, const xb_mfn *frames,
                      size_t n)
{
    struct sim_map m = {.addr = addr, .n = n, .writable = writable};

    if (s->nmaps == s->mapcap) {
        size_t cap = s->mapcap ? 2 * s->mapcap : 8;
        struct sim_map *p = realloc(s->maps, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        s->maps = p;
        s->mapcap = cap;
    }
    m.mfns = malloc(n * sizeof(*m.mfns));
    if (!m.mfns)
        return -ENOMEM;
    memcpy(m.mfns, frames, n * sizeof(*m.mfns));
    for (size_t i = 0; writable && i < n; i++)
        s->wmaps[frames[i]]++;
    s->maps[s->nmaps++] = m;
    return 0;
}

static void *sim_map_foreign(struct xb_hv *hv, uint32_t domid, bool writable,
                             const xb_mfn *frames, size_t n)
{
    struct sim *s = to_sim(hv);
    uint8_t *base;
    int rc = sim_enter(s, "map_foreign");

    if (!rc && n == 0)
        rc = xb_err_set(hv->err, -EINVAL, "sim: map_foreign: no frames");
    if (!rc)
        rc = check_mappable(s, domid, writable, frames, n);
    if (rc) {
        errno = -rc;
        return NULL;
    }
    base = mmap(NULL, n * XB_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        rc = -errno;
    if (!rc)
        rc = map_runs(s, base, writable, frames, n);
    if (!rc)
        rc = record_map(s, base, writable, frames, n);
    if (rc) {
        if (base != MAP_FAILED)
            munmap(base, n * XB_PAGE_SIZE);
        xb_err_set(hv->err, rc, "sim: map_foreign: %s", strerror(-rc));
        errno = -rc;
        return NULL;
    }
    return base;
}

/* Not injectable: a cleanup step. */
static int sim_unmap_foreign(struct xb_hv *hv, void *addr, size_t n)
{
    struct sim *s = to_sim(hv);

    for (size_t i = 0; i < s->nmaps; i++) {
        struct sim_map *m = &s->maps[i];
        if (m->addr != addr || m->n != n)
            continue;
        for (size_t k = 0; m->writable && k < n; k++)
            s->wmaps[m->mfns[k]]--;
        munmap(addr, n * XB_PAGE_SIZE);
        free(m->mfns);
        s->maps[i] = s->maps[--s->nmaps];
        return 0;
    }
    return xb_err_set(hv->err, -EINVAL, "sim: unmap_foreign: %p (%zu frames) is not a mapping",
                      addr, n);
}

/* ---- page-table validation, as Xen does when a table is pinned ---- */

struct pt_table {
    xb_mfn mfn;
    unsigned level;
};

struct pt_check {
    struct sim *s;
    uint32_t domid;
    unsigned top;                      /* 4 or 3 */
    struct pt_table *tables;           /* every table frame met */
    size_t ntables, cap;
};

static unsigned pt_entries(const struct pt_check *c, unsigned level)
{
    return c->top == 3 && level == 3 ? 4 : 512;
}

static int pt_note(struct pt_check *c, xb_mfn mfn, unsigned level)
{
    if (c->ntables == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct pt_table *p = realloc(c->tables, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        c->tables = p;
        c->cap = cap;
    }
    c->tables[c->ntables++] = (struct pt_table){.mfn = mfn, .level = level};
    return 0;
}

static int pt_walk(struct pt_check *c, unsigned level, xb_mfn mfn)
{
    const uint64_t *e;
    int rc;

    if (!owns(c->s, c->domid, mfn))
        return xb_err_set(c->s->hv.err, -EINVAL, "sim: pin: L%u table 0x%" PRIx64
                          " is not the domain's", level, mfn);
    if (c->s->wmaps[mfn])
        return xb_err_set(c->s->hv.err, -EBUSY, "sim: pin: L%u table 0x%" PRIx64
                          " is still mapped writable", level, mfn);
    e = (const uint64_t *)(c->s->mem + mfn * XB_PAGE_SIZE);
    rc = pt_note(c, mfn, level);
    for (unsigned i = 0; !rc && level > 1 && i < pt_entries(c, level); i++)
        if (e[i] & PTE_P)
            rc = pt_walk(c, level - 1, (e[i] & PTE_ADDR) >> XB_PAGE_SHIFT);
    return rc;
}

static bool is_table(const struct pt_check *c, xb_mfn mfn)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (c->tables[i].mfn == mfn)
            return true;
    return false;
}

/* Every L1 entry maps a frame of the domain, page-table frames read-only. */
static int pt_check_l1(struct pt_check *c, xb_mfn l1)
{
    const uint64_t *e = (const uint64_t *)(c->s->mem + l1 * XB_PAGE_SIZE);

    for (unsigned i = 0; i < 512; i++) {
        xb_mfn m = (e[i] & PTE_ADDR) >> XB_PAGE_SHIFT;
        if (!(e[i] & PTE_P))
            continue;
        if (!owns(c->s, c->domid, m))
            return xb_err_set(c->s->hv.err, -EINVAL, "sim: pin: L1 0x%" PRIx64 "[%u] maps "
                              "frame 0x%" PRIx64 " the domain does not own", l1, i, m);
        if ((e[i] & PTE_RW) && is_table(c, m))
            return xb_err_set(c->s->hv.err, -EINVAL, "sim: pin: L1 0x%" PRIx64 "[%u] maps "
                              "page table 0x%" PRIx64 " writable", l1, i, m);
    }
    return 0;
}

static int pt_check_l1s(struct pt_check *c)
{
    int rc = 0;

    for (size_t t = 0; !rc && t < c->ntables; t++)
        if (c->tables[t].level == 1)
            rc = pt_check_l1(c, c->tables[t].mfn);
    return rc;
}

static int sim_pin_table(struct xb_hv *hv, uint32_t domid, unsigned level, xb_mfn mfn)
{
    struct sim *s = to_sim(hv);
    struct pt_check c = {.s = s, .domid = domid, .top = level};
    struct sim_dom *d;
    int rc = sim_enter(s, "pin_table");

    if (rc)
        return rc;
    d = get_dom(s, domid, "pin_table");
    if (!d)
        return -ESRCH;
    if (level != (d->info.address_size == 32 ? 3u : 4u) || d->npins == SIM_MAX_PINS)
        return xb_err_set(hv->err, -EINVAL, "sim: pin_table: level %u for a %u-bit guest",
                          level, d->info.address_size);
    rc = pt_walk(&c, level, mfn);
    if (!rc)
        rc = pt_check_l1s(&c);
    for (size_t i = 0; !rc && i < c.ntables; i++)
        s->pt[c.tables[i].mfn] = 1;
    if (!rc)
        d->pins[d->npins++] = (struct xb_sim_pin){.level = level, .mfn = mfn};
    free(c.tables);
    return rc;
}

/* Hypercall stubs: 64-bit "push rcx; push r11; mov $n,%eax; syscall; pop r11;
 * pop rcx; ret", 32-bit "mov $n,%eax; int $0x82; ret", 32 bytes apart. */
static void fill_hypercall_page(uint8_t *page, unsigned bits)
{
    static const uint8_t stub64[] = {0x51, 0x41, 0x53, 0xb8, 0, 0, 0, 0,
                                     0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3};
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

static int sim_hypercall_init(struct xb_hv *hv, uint32_t domid, xb_mfn mfn)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "hypercall_init");

    if (rc)
        return rc;
    d = get_dom(s, domid, "hypercall_init");
    if (!d)
        return -ESRCH;
    if (!owns(s, domid, mfn) || s->pt[mfn])
        return xb_err_set(hv->err, -EINVAL, "sim: hypercall_init: frame 0x%" PRIx64
                          " is not a data frame of domain %" PRIu32, mfn, domid);
    fill_hypercall_page(s->mem + mfn * XB_PAGE_SIZE, d->info.address_size);
    d->info.hypercall_mfn = mfn;
    return 0;
}

static int sim_set_vcpu_context(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                const void *ctx, size_t len)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    size_t want;
    void *copy;
    int rc = sim_enter(s, "set_vcpu_context");

    if (rc)
        return rc;
    d = get_dom(s, domid, "set_vcpu_context");
    if (!d)
        return -ESRCH;
    want = d->info.address_size == 32 ? sizeof(struct vcpu_guest_context_x86_32)
                                      : sizeof(struct vcpu_guest_context_x86_64);
    if (vcpu >= d->info.max_vcpus || len != want)
        return xb_err_set(hv->err, -EINVAL, "sim: set_vcpu_context: vCPU %u, %zu bytes "
                          "(want < %" PRIu32 ", %zu)", vcpu, len, d->info.max_vcpus, want);
    copy = malloc(len);
    if (!copy)
        return xb_err_set(hv->err, -ENOMEM, "sim: set_vcpu_context: out of memory");
    memcpy(copy, ctx, len);
    free(d->vctx[vcpu]);
    d->vctx[vcpu] = copy;
    d->vctx_len[vcpu] = len;
    return 0;
}

static int sim_evtchn_alloc_unbound(struct xb_hv *hv, uint32_t domid, uint32_t remote,
                                    uint32_t *port)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "evtchn_alloc_unbound");

    if (rc)
        return rc;
    d = get_dom(s, domid, "evtchn_alloc_unbound");
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
    return xb_err_set(hv->err, -ENOSPC, "sim: evtchn_alloc_unbound: no free port");
}

static int sim_gnttab_seed(struct xb_hv *hv, uint32_t domid, xb_pfn console_gfn,
                           xb_pfn xenstore_gfn, uint32_t console_domid,
                           uint32_t xenstore_domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "gnttab_seed");

    if (rc)
        return rc;
    d = get_dom(s, domid, "gnttab_seed");
    if (!d)
        return -ESRCH;
    d->info.gnttab_seeded = true;
    d->info.gnt_console = console_gfn;
    d->info.gnt_xenstore = xenstore_gfn;
    d->info.gnt_console_dom = console_domid;
    d->info.gnt_xenstore_dom = xenstore_domid;
    return 0;
}

/* ---- xenstore ---- */

static void xs_node_free(struct xs_node *n)
{
    free(n->path);
    free(n->val);
    free(n->perms);
}

static void xs_tree_free(struct xs_tree *t)
{
    for (size_t i = 0; i < t->count; i++)
        xs_node_free(&t->n[i]);
    free(t->n);
    *t = (struct xs_tree){0};
}

static int xs_node_copy(struct xs_node *dst, const struct xs_node *src)
{
    *dst = (struct xs_node){.len = src->len, .nperms = src->nperms};
    dst->path = strdup(src->path);
    dst->val = malloc(src->len + 1);
    dst->perms = malloc(src->nperms * sizeof(*src->perms) + 1);
    if (!dst->path || !dst->val || !dst->perms) {
        xs_node_free(dst);
        return -ENOMEM;
    }
    memcpy(dst->val, src->val, src->len + 1);
    memcpy(dst->perms, src->perms, src->nperms * sizeof(*src->perms));
    return 0;
}

static int xs_tree_copy(struct xs_tree *dst, const struct xs_tree *src)
{
    *dst = (struct xs_tree){.n = calloc(src->count + 1, sizeof(*src->n)),
                            .cap = src->count + 1};
    if (!dst->n)
        return -ENOMEM;
    for (; dst->count < src->count; dst->count++) {
        if (xs_node_copy(&dst->n[dst->count], &src->n[dst->count])) {
            xs_tree_free(dst);
            return -ENOMEM;
        }
    }
    return 0;
}

static struct xs_node *xs_find(struct xs_tree *t, const char *path)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->n[i].path, path) == 0)
            return &t->n[i];
    return NULL;
}

static bool xs_path_ok(const char *path)
{
    size_t len = strlen(path);

    return len > 0 && path[0] == '/' && (len == 1 || path[len - 1] != '/') &&
           !strstr(path, "//") && len < 3072;
}

static int xs_set_val(struct xs_node *n, const void *val, size_t len)
{
    char *v = malloc(len + 1);

    if (!v)
        return -ENOMEM;
    if (len)
        memcpy(v, val, len);
    v[len] = '\0';
    free(n->val);
    n->val = v;
    n->len = len;
    return 0;
}

static int xs_grow(struct xs_tree *t)
{
    size_t cap = t->cap ? 2 * t->cap : 32;
    struct xs_node *p;

    if (t->count < t->cap)
        return 0;
    p = realloc(t->n, cap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    t->n = p;
    t->cap = cap;
    return 0;
}

/* A new node at the end of @t: a copy of @parent's perms, or dom0-owned. */
static struct xs_node *xs_append(struct xs_tree *t, const char *path, const char *parent)
{
    const struct xs_node *p = parent ? xs_find(t, parent) : NULL;
    struct xs_node *n = &t->n[t->count];

    if (parent && !p)
        return NULL;
    *n = (struct xs_node){.nperms = p ? p->nperms : 1};
    n->perms = calloc(n->nperms, sizeof(*n->perms));
    n->path = strdup(path);
    if (n->perms && p)
        memcpy(n->perms, p->perms, n->nperms * sizeof(*n->perms));
    if (!n->perms || !n->path || xs_set_val(n, "", 0)) {
        xs_node_free(n);
        return NULL;
    }
    t->count++;
    return n;
}

/* Create @path (and missing parents) with perms inherited from the parent. */
static struct xs_node *xs_create(struct xs_tree *t, const char *path)
{
    struct xs_node *n = xs_find(t, path);
    char *up;

    if (n || strcmp(path, "/") == 0)
        return n ? n : (xs_grow(t) ? NULL : xs_append(t, path, NULL));
    up = strdup(path);
    if (!up)
        return NULL;
    *strrchr(up, '/') = '\0';
    if (!up[0])
        strcpy(up, "/");
    if (xs_create(t, up) && !xs_grow(t))
        n = xs_append(t, path, up);
    free(up);
    return n;
}

static struct xs_tree *xs_tree_of(struct sim *s, uint32_t tx, const char *op)
{
    if (tx == XB_XS_NO_TX)
        return &s->xs;
    for (size_t i = 0; i < SIM_MAX_TX; i++)
        if (s->tx[i].used && s->tx[i].id == tx)
            return &s->tx[i].tree;
    xb_err_set(s->hv.err, -ENOENT, "sim: %s: no transaction %" PRIu32, op, tx);
    return NULL;
}

static int xs_begin(struct sim *s, uint32_t tx, const char *path, const char *op,
                    struct xs_tree **t)
{
    int rc = sim_enter(s, op);

    if (rc)
        return rc;
    if (!xs_path_ok(path))
        return xb_err_set(s->hv.err, -EINVAL, "sim: %s: bad path \"%s\"", op, path);
    *t = xs_tree_of(s, tx, op);
    return *t ? 0 : -ENOENT;
}

static void xs_touch(struct sim *s, const struct xs_tree *t)
{
    if (t == &s->xs)
        s->xs_gen++;
}

static int sim_xs_transaction_start(struct xb_hv *hv, uint32_t *tx)
{
    struct sim *s = to_sim(hv);
    int rc = sim_enter(s, "xs_transaction_start");

    if (rc)
        return rc;
    for (size_t i = 0; i < SIM_MAX_TX; i++) {
        struct sim_tx *t = &s->tx[i];
        if (t->used)
            continue;
        if (xs_tree_copy(&t->tree, &s->xs))
            return xb_err_set(hv->err, -ENOMEM, "sim: xs_transaction_start: out of memory");
        t->used = true;
        t->id = ++s->next_tx;
        t->gen = s->xs_gen;
        *tx = t->id;
        return 0;
    }
    return xb_err_set(hv->err, -EBUSY, "sim: xs_transaction_start: too many transactions");
}

/* An abort is cleanup and never fails by injection. */
static int sim_xs_transaction_end(struct xb_hv *hv, uint32_t tx, bool abort)
{
    struct sim *s = to_sim(hv);
    struct sim_tx *t = NULL;
    int rc = abort ? 0 : sim_enter(s, "xs_transaction_end");

    for (size_t i = 0; i < SIM_MAX_TX && !t; i++)
        if (s->tx[i].used && s->tx[i].id == tx)
            t = &s->tx[i];
    if (!t)
        return rc ? rc : xb_err_set(hv->err, -ENOENT, "sim: no transaction %" PRIu32, tx);
    if (!rc && !abort && t->gen != s->xs_gen)
        rc = -EAGAIN;
    if (!rc && !abort) {
        xs_tree_free(&s->xs);
        s->xs = t->tree;
        s->xs_gen++;
        t->tree = (struct xs_tree){0};
    }
    xs_tree_free(&t->tree);
    t->used = false;
    return rc;
}

static int sim_xs_write(struct xb_hv *hv, uint32_t tx, const char *path, const void *val,
                        size_t len)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    struct xs_node *n;
    int rc = xs_begin(s, tx, path, "xs_write", &t);

    if (rc)
        return rc;
    n = xs_create(t, path);
    if (!n || xs_set_val(n, val, len))
        return xb_err_set(hv->err, -ENOMEM, "sim: xs_write: out of memory");
    xs_touch(s, t);
    return 0;
}

static int sim_xs_read(struct xb_hv *hv, uint32_t tx, const char *path, char **val,
                       size_t *len)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    struct xs_node *n;
    int rc = xs_begin(s, tx, path, "xs_read", &t);

    if (rc)
        return rc;
    n = xs_find(t, path);
    if (!n)
        return -ENOENT;
    *val = malloc(n->len + 1);
    if (!*val)
        return xb_err_set(hv->err, -ENOMEM, "sim: xs_read: out of memory");
    memcpy(*val, n->val, n->len + 1);
    if (len)
        *len = n->len;
    return 0;
}

static int sim_xs_mkdir(struct xb_hv *hv, uint32_t tx, const char *path)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    int rc = xs_begin(s, tx, path, "xs_mkdir", &t);

    if (rc)
        return rc;
    if (!xs_create(t, path))
        return xb_err_set(hv->err, -ENOMEM, "sim: xs_mkdir: out of memory");
    xs_touch(s, t);
    return 0;
}

static bool xs_under(const char *path, const char *top)
{
    size_t len = strlen(top);

    return strcmp(path, top) == 0 ||
           (strncmp(path, top, len) == 0 && (path[len] == '/' || len == 1));
}

static int sim_xs_rm(struct xb_hv *hv, uint32_t tx, const char *path)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    int rc = xs_begin(s, tx, path, "xs_rm", &t);

    if (rc)
        return rc;
    if (!xs_find(t, path))
        return -ENOENT;
    for (size_t i = 0; i < t->count;) {
        if (xs_under(t->n[i].path, path) && strcmp(t->n[i].path, "/") != 0) {
            xs_node_free(&t->n[i]);
            t->n[i] = t->n[--t->count];
        } else {
            i++;
        }
    }
    xs_touch(s, t);
    return 0;
}

static int sim_xs_set_perms(struct xb_hv *hv, uint32_t tx, const char *path,
                            const struct xb_xs_perm *perms, size_t n)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    struct xs_node *node;
    struct xb_xs_perm *p;
    int rc = xs_begin(s, tx, path, "xs_set_perms", &t);

    if (rc)
        return rc;
    node = xs_find(t, path);
    if (!node)
        return -ENOENT;
    if (n == 0)
        return xb_err_set(hv->err, -EINVAL, "sim: xs_set_perms: no owner for %s", path);
    p = malloc(n * sizeof(*p));
    if (!p)
        return xb_err_set(hv->err, -ENOMEM, "sim: xs_set_perms: out of memory");
    memcpy(p, perms, n * sizeof(*p));
    free(node->perms);
    node->perms = p;
    node->nperms = n;
    xs_touch(s, t);
    return 0;
}

static bool xs_is_child(const char *path, const char *dir, const char **name)
{
    size_t len = strcmp(dir, "/") == 0 ? 0 : strlen(dir);

    if (strncmp(path, dir, len) != 0 || path[len] != '/' || !path[len + 1])
        return false;
    *name = path + len + 1;
    return !strchr(*name, '/');
}

static int sim_xs_directory(struct xb_hv *hv, uint32_t tx, const char *path, char ***names,
                            size_t *n)
{
    struct sim *s = to_sim(hv);
    struct xs_tree *t;
    const char *name;
    char **out;
    int rc = xs_begin(s, tx, path, "xs_directory", &t);

    if (rc)
        return rc;
    if (!xs_find(t, path))
        return -ENOENT;
    out = calloc(t->count + 1, sizeof(*out));
    if (!out)
        return xb_err_set(hv->err, -ENOMEM, "sim: xs_directory: out of memory");
    *n = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (!xs_is_child(t->n[i].path, path, &name))
            continue;
        out[*n] = strdup(name);
        if (!out[(*n)++]) {
            for (size_t k = 0; k < *n; k++)
                free(out[k]);
            free(out);
            return xb_err_set(hv->err, -ENOMEM, "sim: xs_directory: out of memory");
        }
    }
    *names = out;
    return 0;
}

static int sim_xs_introduce(struct xb_hv *hv, uint32_t domid, xb_mfn store_mfn, uint32_t port)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "xs_introduce");

    if (rc)
        return rc;
    d = get_dom(s, domid, "xs_introduce");
    if (!d)
        return -ESRCH;
    if (!owns(s, domid, store_mfn) || port > d->max_port || !d->port_used[port])
        return xb_err_set(hv->err, -EINVAL, "sim: xs_introduce: frame 0x%" PRIx64 " / port %"
                          PRIu32 " is not domain %" PRIu32 "'s", store_mfn, port, domid);
    d->info.introduced = true;
    d->info.store_mfn = store_mfn;
    d->info.store_port = port;
    return 0;
}

static int sim_xs_release(struct xb_hv *hv, uint32_t domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = sim_enter(s, "xs_release");

    if (rc)
        return rc;
    d = find_dom(s, domid);
    if (!d || !d->info.introduced)
        return -ENOENT;
    d->info.introduced = false;
    return 0;
}

/* ---- open / close ---- */

static void sim_close(struct xb_hv *hv)
{
    struct sim *s = to_sim(hv);

    if (!s)
        return;
    for (size_t i = 0; i < SIM_MAX_DOMS; i++)
        if (s->doms[i].used)
            free_dom(s, &s->doms[i]);
    while (s->nmaps)
        sim_unmap_foreign(hv, s->maps[0].addr, s->maps[0].n);
    for (size_t i = 0; i < SIM_MAX_TX; i++)
        xs_tree_free(&s->tx[i].tree);
    xs_tree_free(&s->xs);
    free(s->maps);
    if (s->mem && s->mem != MAP_FAILED)
        munmap(s->mem, s->nframes * XB_PAGE_SIZE);
    if (s->memfd >= 0)
        close(s->memfd);
    free(s->owner);
    free(s->wmaps);
    free(s->pt);
    free(s->chunk_order);
    free(s->chunk_used);
    free(s);
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
    .populate_physmap = sim_populate_physmap,
    .map_foreign = sim_map_foreign,
    .unmap_foreign = sim_unmap_foreign,
    .pin_table = sim_pin_table,
    .hypercall_init = sim_hypercall_init,
    .set_vcpu_context = sim_set_vcpu_context,
    .evtchn_alloc_unbound = sim_evtchn_alloc_unbound,
    .gnttab_seed = sim_gnttab_seed,
    .xs_transaction_start = sim_xs_transaction_start,
    .xs_transaction_end = sim_xs_transaction_end,
    .xs_write = sim_xs_write,
    .xs_read = sim_xs_read,
    .xs_mkdir = sim_xs_mkdir,
    .xs_rm = sim_xs_rm,
    .xs_set_perms = sim_xs_set_perms,
    .xs_directory = sim_xs_directory,
    .xs_introduce = sim_xs_introduce,
    .xs_release = sim_xs_release,
    .close = sim_close,
};

static int sim_machine(struct sim *s, uint64_t pages)
{
    s->nframes = pages;
    s->nchunks = (pages + SIM_CHUNK - 1) / SIM_CHUNK;
    s->owner = malloc(pages * sizeof(*s->owner));
    s->wmaps = calloc(pages, sizeof(*s->wmaps));
    s->pt = calloc(pages, 1);
    s->chunk_order = malloc(s->nchunks * sizeof(*s->chunk_order));
    s->chunk_used = calloc(s->nchunks, sizeof(*s->chunk_used));
    s->memfd = memfd_create("xbuild-sim", MFD_CLOEXEC);
    if (!s->owner || !s->wmaps || !s->pt || !s->chunk_order || !s->chunk_used ||
        s->memfd < 0 || ftruncate(s->memfd, (off_t)(pages * XB_PAGE_SIZE)) != 0)
        return -ENOMEM;
    s->mem = mmap(NULL, pages * XB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
    if (s->mem == MAP_FAILED)
        return -ENOMEM;
    for (uint64_t m = 0; m < pages; m++)
        s->owner[m] = SIM_FREE;
    for (uint64_t m = 0; m < SIM_CHUNK && m < pages; m++) {   /* Xen's own chunk */
        s->owner[m] = SIM_DOMID_XEN;
        s->chunk_used[0]++;
    }
    scramble_chunks(s);
    return 0;
}

static int sim_seed_xenstore(struct sim *s)
{
    static const char *const nodes[] = {"/local/domain/0/name", "/vm", "/tool", "/libxl"};

    if (!xs_create(&s->xs, "/"))
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
        if (!xs_create(&s->xs, nodes[i]))
            return -ENOMEM;
    return xs_set_val(xs_find(&s->xs, "/local/domain/0/name"), "Domain-0", 8);
}

int xb_hv_sim_open(const struct xb_sim_opts *opts, struct xb_hv **out, struct xb_err *err)
{
    struct xb_sim_opts o = opts ? *opts : (struct xb_sim_opts){.fail_at = -1};
    struct sim *s = calloc(1, sizeof(*s));
    uint64_t pages = o.total_pages ? o.total_pages : SIM_DEFAULT_PAGES;

    *out = NULL;
    if (!s)
        return xb_err_set(err, -ENOMEM, "sim: out of memory");
    *s = (struct sim){.hv = {.ops = &sim_ops, .err = err}, .memfd = -1, .mem = MAP_FAILED,
                      .seed = o.seed, .next_domid = 1, .fail_at = o.fail_at,
                      .dirty = o.dirty};
    snprintf(s->caps, sizeof(s->caps), "%s", o.caps ? o.caps : SIM_DEFAULT_CAPS);
    if (pages < 2 * SIM_CHUNK || pages > (1ull << 26) || sim_machine(s, pages) ||
        sim_seed_xenstore(s)) {
        sim_close(&s->hv);
        return xb_err_set(err, -ENOMEM, "sim: cannot set up a machine of %" PRIu64 " pages",
                          pages);
    }
    *out = &s->hv;
    return 0;
}

/* ---- inspection (tests) ---- */

bool xb__sim_is(const struct xb_hv *hv)
{
    return hv && hv->ops == &sim_ops;
}

const uint8_t *xb__sim_frame(struct xb_hv *hv, xb_mfn mfn)
{
    if (!xb__sim_is(hv) || mfn >= to_sim(hv)->nframes)
        return NULL;
    return to_sim(hv)->mem + mfn * XB_PAGE_SIZE;
}

uint32_t xb__sim_frame_owner(struct xb_hv *hv, xb_mfn mfn)
{
    if (!xb__sim_is(hv) || mfn >= to_sim(hv)->nframes)
        return SIM_FREE;
    return to_sim(hv)->owner[mfn];
}

unsigned xb__sim_ndomains(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_DOMS; i++)
        n += to_sim(hv)->doms[i].used;
    return n;
}

uint64_t xb__sim_dom_pages(struct xb_hv *hv, uint32_t domid)
{
    struct sim_dom *d = xb__sim_is(hv) ? find_dom(to_sim(hv), domid) : NULL;

    return d ? d->pages : 0;
}

const void *xb__sim_vcpu_context(struct xb_hv *hv, uint32_t domid, unsigned vcpu, size_t *len)
{
    struct sim_dom *d = xb__sim_is(hv) ? find_dom(to_sim(hv), domid) : NULL;

    if (!d || vcpu >= d->info.max_vcpus || !d->vctx[vcpu])
        return NULL;
    if (len)
        *len = d->vctx_len[vcpu];
    return d->vctx[vcpu];
}

size_t xb__sim_pins(struct xb_hv *hv, uint32_t domid, struct xb_sim_pin *out, size_t max)
{
    struct sim_dom *d = xb__sim_is(hv) ? find_dom(to_sim(hv), domid) : NULL;

    for (size_t i = 0; d && i < d->npins && i < max; i++)
        out[i] = d->pins[i];
    return d ? d->npins : 0;
}

int xb__sim_dominfo(struct xb_hv *hv, uint32_t domid, struct xb_sim_dominfo *out)
{
    struct sim_dom *d = xb__sim_is(hv) ? find_dom(to_sim(hv), domid) : NULL;

    if (!d)
        return -ESRCH;
    *out = d->info;
    return 0;
}

bool xb__sim_evtchn(struct xb_hv *hv, uint32_t domid, uint32_t port, uint32_t *remote)
{
    struct sim_dom *d = xb__sim_is(hv) ? find_dom(to_sim(hv), domid) : NULL;

    if (!d || port >= SIM_MAX_PORTS || !d->port_used[port])
        return false;
    if (remote)
        *remote = d->port_remote[port];
    return true;
}

unsigned xb__sim_nr_evtchns(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_DOMS; i++)
        for (size_t p = 0; to_sim(hv)->doms[i].used && p < SIM_MAX_PORTS; p++)
            n += to_sim(hv)->doms[i].port_used[p];
    return n;
}

unsigned xb__sim_nr_maps(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? (unsigned)to_sim(hv)->nmaps : 0;
}

long xb__sim_calls(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? to_sim(hv)->calls : 0;
}

void xb__sim_fail_at(struct xb_hv *hv, long n)
{
    if (!xb__sim_is(hv))
        return;
    to_sim(hv)->fail_at = n;
    to_sim(hv)->calls = 0;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const struct xs_node *)a)->path, ((const struct xs_node *)b)->path);
}

char *xb__sim_xs_dump(struct xb_hv *hv)
{
    struct xs_tree *t;
    char *buf = NULL;
    size_t size = 0;
    FILE *f;

    if (!xb__sim_is(hv))
        return NULL;
    t = &to_sim(hv)->xs;
    qsort(t->n, t->count, sizeof(*t->n), cmp_node);
    f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        fprintf(f, "%s=%s\n", t->n[i].path, t->n[i].val);
    fclose(f);
    return buf;
}

size_t xb__sim_xs_count(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? to_sim(hv)->xs.count : 0;
}

void xb__sim_no_superpages(struct xb_hv *hv, bool on)
{
    if (xb__sim_is(hv))
        to_sim(hv)->no_superpages = on;
}
