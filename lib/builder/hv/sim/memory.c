/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/memory.c - the simulated machine's memory: frames
 * handed out in a scrambled order from one memfd (2 MiB chunks shuffled,
 * frames within a chunk permuted), populate with Xen's M2P recorded, and
 * foreign mappings that truly alias guest memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim.h"

static struct sim *to_sim(struct xb_hv *hv)
{
    return xb__sim_of_hv(hv);
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
    for (uint64_t i = s->nchunks - 1; i > 1; i--) { /* chunk 0 stays Xen's */
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
    if (s->dirty) /* like reused RAM */
        memset(s->mem + mfn * XB_PAGE_SIZE, 0xa5, XB_PAGE_SIZE);
}

void xb__sim_frame_put(struct sim *s, xb_mfn mfn)
{
    s->owner[mfn] = SIM_FREE;
    s->m2p[mfn] = SIM_NO_GPFN;
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

int xb__sim_alloc_frame(struct sim *s, uint32_t domid, xb_mfn *out)
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

/* ---- memory ---- */

/* One extent at gpfn *@frame; Xen's M2P records where each frame went. */
static int populate_one(struct sim *s, struct sim_dom *d, unsigned order, uint64_t *frame)
{
    uint64_t gpfn = *frame;
    xb_mfn mfn;
    int rc = order ? (s->no_superpages ? -ENOMEM : alloc_chunk(s, d->domid, &mfn))
                   : xb__sim_alloc_frame(s, d->domid, &mfn);

    if (rc)
        return rc;
    if (d->info.translated && (rc = xb__sim_p2m_add(d, gpfn, mfn, 1ull << order)) != 0) {
        for (uint64_t k = 0; k < (1ull << order); k++)
            xb__sim_frame_put(s, mfn + k);
        return rc;
    }
    for (uint64_t k = 0; k < (1ull << order); k++)
        s->m2p[mfn + k] = gpfn + k;
    d->pages += 1ull << order;
    if (!d->info.translated) /* Xen keeps a translated guest's p2m itself */
        *frame = mfn;
    return 0;
}

/* Extents start on their own size and stay below 2^40 pages (4 PiB). */
static int check_gpfns(struct xb_err *err, unsigned order, size_t nr,
                       const uint64_t *frames)
{
    for (size_t i = 0; i < nr; i++)
        if (frames[i] % (1ull << order) || frames[i] >= (1ull << 40))
            return xb_err_set(err, -EINVAL,
                              "sim: populate_physmap: extent %zu at gpfn 0x%" PRIx64
                              " is not an aligned order-%u extent",
                              i, frames[i], order);
    return 0;
}

static void unpopulate(struct sim *s, struct sim_dom *d, unsigned order, uint64_t *frames,
                       size_t nr)
{
    for (size_t i = 0; i < nr; i++) {
        xb_mfn mfn = d->info.translated ? xb__sim_p2m_remove(d, frames[i]) : frames[i];
        for (uint64_t k = 0; k < (1ull << order); k++)
            xb__sim_frame_put(s, mfn + k);
    }
    d->pages -= (uint64_t)nr << order;
}

int xb__sim_populate_physmap(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned order, size_t nr, uint64_t *frames)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "populate_physmap");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "populate_physmap");
    if (!d)
        return -ESRCH;
    if (order != 0 && order != 9)
        return xb_err_set(err, -EINVAL, "sim: populate_physmap: order %u", order);
    rc = check_gpfns(err, order, nr, frames);
    if (rc)
        return rc;
    if (d->pages + ((uint64_t)nr << order) > d->info.max_mem_kib / 4)
        return xb_err_set(err, -ENOMEM,
                          "sim: populate_physmap: domain %" PRIu32
                          " would exceed its maximum memory",
                          domid);
    for (size_t i = 0; i < nr; i++) {
        rc = populate_one(s, d, order, &frames[i]);
        if (rc) {
            unpopulate(s, d, order, frames, i);
            return xb_err_set(err, rc,
                              rc == -EEXIST ? "sim: populate_physmap: gfn 0x%" PRIx64
                                              " is populated already"
                                            : "sim: populate_physmap: machine full "
                                              "(at gfn 0x%" PRIx64 ")",
                              frames[i]);
        }
    }
    return 0;
}

static int check_mappable(struct sim *s, struct xb_err *err, uint32_t domid,
                          bool writable, const xb_mfn *frames, size_t n)
{
    struct sim_dom *d = xb__sim_get_dom(s, err, domid, "map_foreign");

    if (!d)
        return -ESRCH;
    for (size_t i = 0; i < n; i++) {
        if (!xb__sim_owns(s, domid, frames[i]))
            return xb_err_set(err, -EPERM,
                              "sim: map_foreign: frame 0x%" PRIx64
                              " is not domain %" PRIu32 "'s",
                              frames[i], domid);
        if (writable && s->pt[frames[i]])
            return xb_err_set(err, -EPERM,
                              "sim: map_foreign: frame 0x%" PRIx64
                              " is a pinned page table",
                              frames[i]);
    }
    return 0;
}

/* Map runs of consecutive frames with one mmap each over the reservation. */
static int map_runs(struct sim *s, uint8_t *base, bool writable, const xb_mfn *frames,
                    size_t n)
{
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);

    for (size_t i = 0, run; i < n; i += run) {
        for (run = 1; i + run < n && frames[i + run] == frames[i] + run; run++)
            ;
        if (mmap(base + i * XB_PAGE_SIZE, run * XB_PAGE_SIZE, prot,
                 MAP_SHARED | MAP_FIXED, s->memfd,
                 (off_t)(frames[i] * XB_PAGE_SIZE)) == MAP_FAILED)
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

/* A translated domain's gfns to the machine frames behind them (malloc'd). */
static int translate_gfns(struct sim *s, struct xb_err *err, uint32_t domid,
                          const xb_mfn *gfns, size_t n, xb_mfn **out)
{
    struct sim_dom *d = xb__sim_get_dom(s, err, domid, "map_foreign");
    xb_mfn *mfns;

    *out = NULL;
    if (!d)
        return -ESRCH;
    if (!d->info.translated)
        return 0;
    if (!(mfns = malloc(n * sizeof(*mfns))))
        return xb_err_set(err, -ENOMEM, "sim: map_foreign: out of memory");
    for (size_t i = 0; i < n; i++) {
        mfns[i] = xb__sim_gfn_mfn(d, gfns[i]);
        if (mfns[i] == XB_NO_MFN) {
            free(mfns);
            return xb_err_set(err, -EFAULT,
                              "sim: map_foreign: gfn 0x%" PRIx64 " of domain %" PRIu32
                              " is not populated",
                              gfns[i], domid);
        }
    }
    *out = mfns;
    return 0;
}

static void *map_frames(struct sim *s, struct xb_err *err, uint32_t domid, bool writable,
                        const xb_mfn *frames, size_t n);

void *xb__sim_map_foreign(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          bool writable, const xb_mfn *frames, size_t n)
{
    struct sim *s = to_sim(hv);
    xb_mfn *mfns = NULL;
    void *p = NULL;
    int rc = xb__sim_enter(s, err, "map_foreign");

    if (!rc && n == 0)
        rc = xb_err_set(err, -EINVAL, "sim: map_foreign: no frames");
    if (!rc)
        rc = translate_gfns(s, err, domid, frames, n, &mfns);
    if (!rc)
        p = map_frames(s, err, domid, writable, mfns ? mfns : frames, n);
    free(mfns);
    if (rc)
        errno = -rc;
    return p;
}

/* Map machine frames @frames of @domid (checked) into our address space. */
static void *map_frames(struct sim *s, struct xb_err *err, uint32_t domid, bool writable,
                        const xb_mfn *frames, size_t n)
{
    uint8_t *base;
    int rc = check_mappable(s, err, domid, writable, frames, n);

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
        xb_err_set(err, rc, "sim: map_foreign: %s", strerror(-rc));
        errno = -rc;
        return NULL;
    }
    return base;
}

/* Not injectable: a cleanup step. */
int xb__sim_unmap_foreign(struct xb_hv *hv, struct xb_err *err, void *addr, size_t n)
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
    return xb_err_set(err, -EINVAL,
                      "sim: unmap_foreign: %p (%zu frames) is not a mapping", addr, n);
}

int xb__sim_machine_init(struct sim *s, uint64_t pages)
{
    s->nframes = pages;
    s->nchunks = (pages + SIM_CHUNK - 1) / SIM_CHUNK;
    s->owner = malloc(pages * sizeof(*s->owner));
    s->m2p = malloc(pages * sizeof(*s->m2p));
    s->wmaps = calloc(pages, sizeof(*s->wmaps));
    s->pt = calloc(pages, 1);
    s->chunk_order = malloc(s->nchunks * sizeof(*s->chunk_order));
    s->chunk_used = calloc(s->nchunks, sizeof(*s->chunk_used));
    s->memfd = memfd_create("xbuild-sim", MFD_CLOEXEC);
    if (!s->owner || !s->m2p || !s->wmaps || !s->pt || !s->chunk_order ||
        !s->chunk_used || s->memfd < 0 ||
        ftruncate(s->memfd, (off_t)(pages * XB_PAGE_SIZE)) != 0)
        return -ENOMEM;
    s->mem =
        mmap(NULL, pages * XB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
    if (s->mem == MAP_FAILED)
        return -ENOMEM;
    for (uint64_t m = 0; m < pages; m++) {
        s->owner[m] = SIM_FREE;
        s->m2p[m] = SIM_NO_GPFN;
    }
    for (uint64_t m = 0; m < SIM_CHUNK && m < pages; m++) { /* Xen's own chunk */
        s->owner[m] = SIM_DOMID_XEN;
        s->chunk_used[0]++;
    }
    scramble_chunks(s);
    return 0;
}
