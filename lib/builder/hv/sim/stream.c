/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/stream.c - save, restore and resume on the simulated
 * machine, and the guest's side of a suspend request.
 *
 * The stream here is the sim's own, not Xen's: a header, every populated
 * page (its pfn and 4 KiB), each vCPU's state as the builder set it, an end
 * marker. It stands in for libxenguest so that the flows around it (the
 * suspend request, the empty domain a restore fills, rollback, fault
 * injection, truncated and foreign input) are tested without Xen; what a
 * guest finds after a real restore is libxenguest's work, proven in the lab.
 * Like libxenguest it refuses a stream of the other guest type, memory
 * beyond the domain's maximum, a domain that did not suspend, and live
 * log-dirty for PV guests when the machine has no shadow paging.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/sched.h>

#include "sim.h"

#define STREAM_MAGIC "XBSIMSv1"
#define STREAM_END   "XBSIMEND"

struct stream_hdr {
    char magic[8];
    uint32_t translated, max_vcpus;
    uint32_t address_size, pad;
    uint64_t npages;
    uint64_t store_pfn, console_pfn;
};

/* One vCPU of a translated domain. */
struct stream_hvm_vcpu {
    uint32_t online, pad;
    struct hvm_hw_cpu cpu;
    struct hvm_hw_mtrr mtrr;
};

static struct sim *to_sim(struct xb_hv *hv)
{
    return xb__sim_of_hv(hv);
}

static int put(int fd, struct xb_err *err, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return xb_err_set(err, n < 0 ? -errno : -EIO, "sim: stream_save: write: %s",
                              strerror(n < 0 ? errno : EIO));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int get(int fd, struct xb_err *err, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return xb_err_set(err, -errno, "sim: stream_restore: read: %s",
                              strerror(errno));
        if (n == 0)
            return xb_err_set(err, -EIO, "sim: stream_restore: the stream ends early");
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- save ---- */

/* The pfn a ring was granted at: PV grants mfns (the M2P gives the pfn). */
static uint64_t ring_pfn(const struct sim *s, const struct sim_dom *d, xb_mfn frame)
{
    if (d->info.translated)
        return frame;
    return frame < s->nframes ? s->m2p[frame] : SIM_NO_GPFN;
}

static uint64_t count_pages(const struct sim *s, uint32_t domid)
{
    uint64_t n = 0;

    for (uint64_t m = 0; m < s->nframes; m++)
        n += s->owner[m] == domid && s->m2p[m] != SIM_NO_GPFN;
    return n;
}

static int put_pages(struct sim *s, struct xb_err *err, int fd, uint32_t domid)
{
    int rc = 0;

    for (uint64_t m = 0; !rc && m < s->nframes; m++) {
        if (s->owner[m] != domid || s->m2p[m] == SIM_NO_GPFN)
            continue;
        rc = put(fd, err, &s->m2p[m], sizeof(s->m2p[m]));
        if (!rc)
            rc = put(fd, err, xb__sim_mem(s, m), XB_PAGE_SIZE);
    }
    return rc;
}

static int put_vcpus(struct xb_err *err, int fd, const struct sim_dom *d)
{
    int rc = 0;

    for (uint32_t v = 0; !rc && v < d->info.max_vcpus; v++) {
        if (d->info.translated) {
            struct stream_hvm_vcpu r = {
                .online = d->hvm.online[v], .cpu = d->hvm.cpu[v], .mtrr = d->hvm.mtrr[v]};
            rc = put(fd, err, &r, sizeof(r));
            continue;
        }
        uint32_t len = d->vctx[v] ? (uint32_t)d->vctx_len[v] : 0;
        rc = put(fd, err, &len, sizeof(len));
        if (!rc && len)
            rc = put(fd, err, d->vctx[v], len);
    }
    return rc;
}

static int put_stream(struct sim *s, struct xb_err *err, int fd, const struct sim_dom *d)
{
    struct stream_hdr h = {
        .translated = d->info.translated,
        .max_vcpus = d->info.max_vcpus,
        .address_size = d->info.address_size,
        .npages = count_pages(s, d->domid),
        .store_pfn = ring_pfn(s, d, d->info.gnt_xenstore),
        .console_pfn = ring_pfn(s, d, d->info.gnt_console),
    };
    int rc;

    memcpy(h.magic, STREAM_MAGIC, sizeof(h.magic));
    rc = put(fd, err, &h, sizeof(h));
    if (!rc)
        rc = put_pages(s, err, fd, d->domid);
    if (!rc && d->info.translated)
        rc = put(fd, err, d->hvm.params, sizeof(d->hvm.params));
    if (!rc)
        rc = put_vcpus(err, fd, d);
    return rc ? rc : put(fd, err, STREAM_END, 8);
}

int xb__sim_stream_save(struct xb_hv *hv, struct xb_err *err, uint32_t domid, int fd,
                        const struct xb_hv_save *how, struct xb_hv_save_stats *stats)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "stream_save");

    if (rc)
        return rc;
    if (!(d = xb__sim_get_dom(s, err, domid, "stream_save")))
        return -ESRCH;
    if (how->live && !d->info.translated && !s->shadow)
        return xb_err_set(err, -EOPNOTSUPP,
                          "sim: stream_save: enable log-dirty: a PV guest needs "
                          "shadow paging");
    rc = how->suspend(how->data);
    if (rc)
        return xb_err_set(err, rc, "sim: stream_save: the suspend callback failed");
    if (!(d->flags & XB_DOMINFO_SHUTDOWN) || d->shutdown_reason != SHUTDOWN_suspend)
        return xb_err_set(err, -EINVAL,
                          "sim: stream_save: domain %" PRIu32 " has not been suspended",
                          domid);
    *stats = (struct xb_hv_save_stats){.rounds = how->live,
                                       .pages_written = how->live ? d->pages : 0};
    return put_stream(s, err, fd, d);
}

/* ---- restore ---- */

static int get_pages(struct sim *s, struct xb_err *err, int fd, struct sim_dom *d,
                     uint64_t npages)
{
    uint64_t pfn;
    xb_mfn mfn;
    int rc = 0;

    for (uint64_t i = 0; !rc && i < npages; i++) {
        rc = get(fd, err, &pfn, sizeof(pfn));
        if (!rc && pfn >= (1ull << 40))
            rc = xb_err_set(err, -EINVAL, "sim: stream_restore: pfn 0x%" PRIx64, pfn);
        if (!rc && xb__sim_populate_at(s, d, pfn, &mfn) != 0)
            rc = xb_err_set(err, -ENOMEM,
                            "sim: stream_restore: cannot populate pfn 0x%" PRIx64, pfn);
        if (!rc)
            rc = get(fd, err, xb__sim_mem(s, mfn), XB_PAGE_SIZE);
    }
    return rc;
}

static int get_pv_vcpu(struct xb_err *err, int fd, struct sim_dom *d, uint32_t v)
{
    uint32_t len;
    int rc = get(fd, err, &len, sizeof(len));

    if (rc || len == 0)
        return rc;
    if (len > 4 * XB_PAGE_SIZE)
        return xb_err_set(err, -EINVAL,
                          "sim: stream_restore: vCPU %" PRIu32 ": %" PRIu32 " bytes", v,
                          len);
    free(d->vctx[v]);
    d->vctx_len[v] = 0;
    if (!(d->vctx[v] = malloc(len)))
        return xb_err_set(err, -ENOMEM, "sim: stream_restore: out of memory");
    d->vctx_len[v] = len;
    return get(fd, err, d->vctx[v], len);
}

static int get_vcpus(struct xb_err *err, int fd, struct sim_dom *d, uint32_t n)
{
    struct stream_hvm_vcpu r;
    int rc = 0;

    for (uint32_t v = 0; !rc && v < n; v++) {
        if (!d->info.translated) {
            rc = get_pv_vcpu(err, fd, d, v);
            continue;
        }
        rc = get(fd, err, &r, sizeof(r));
        if (!rc) {
            d->hvm.online[v] = r.online != 0;
            d->hvm.cpu[v] = r.cpu;
            d->hvm.mtrr[v] = r.mtrr;
        }
    }
    return rc;
}

static int check_hdr(struct xb_err *err, const struct stream_hdr *h, const struct sim *s,
                     const struct sim_dom *d)
{
    if (memcmp(h->magic, STREAM_MAGIC, sizeof(h->magic)) != 0)
        return xb_err_set(err, -EINVAL, "sim: stream_restore: not a sim stream");
    if ((h->translated != 0) != d->info.translated)
        return xb_err_set(
            err, -EINVAL, "sim: stream_restore: a %s stream into a %s domain",
            h->translated ? "PVH" : "PV", d->info.translated ? "PVH" : "PV");
    if (h->max_vcpus > d->info.max_vcpus)
        return xb_err_set(err, -EINVAL,
                          "sim: stream_restore: %" PRIu32
                          " vCPUs, the domain has %" PRIu32,
                          h->max_vcpus, d->info.max_vcpus);
    if (h->npages > s->nframes || h->npages + d->pages > d->info.max_mem_kib / 4)
        return xb_err_set(err, -ENOMEM,
                          "sim: stream_restore: %" PRIu64 " pages exceed the domain's "
                          "maximum of %" PRIu64,
                          h->npages, d->info.max_mem_kib / 4);
    return 0;
}

/* The frame now behind @pfn (PV: an mfn; PVH: the gfn itself). */
static xb_mfn frame_of(const struct sim *s, const struct sim_dom *d, uint64_t pfn)
{
    if (d->info.translated)
        return xb__sim_gfn_mfn(d, pfn) == XB_NO_MFN ? XB_NO_MFN : pfn;
    for (uint64_t m = 0; m < s->nframes; m++)
        if (s->owner[m] == d->domid && s->m2p[m] == pfn)
            return m;
    return XB_NO_MFN;
}

int xb__sim_stream_restore(struct xb_hv *hv, struct xb_err *err, uint32_t domid, int fd,
                           const struct xb_hv_restore *how, xb_mfn *store_frame,
                           xb_mfn *console_frame)
{
    struct sim *s = to_sim(hv);
    struct stream_hdr h;
    struct sim_dom *d;
    char end[8];
    int rc = xb__sim_enter(s, err, "stream_restore");

    if (rc)
        return rc;
    if (!(d = xb__sim_get_dom(s, err, domid, "stream_restore")))
        return -ESRCH;
    rc = get(fd, err, &h, sizeof(h));
    if (!rc)
        rc = check_hdr(err, &h, s, d);
    if (!rc && !d->info.translated)
        d->info.address_size = h.address_size ? h.address_size : 64;
    if (!rc)
        rc = get_pages(s, err, fd, d, h.npages);
    if (!rc && d->info.translated)
        rc = get(fd, err, d->hvm.params, sizeof(d->hvm.params));
    if (!rc)
        rc = get_vcpus(err, fd, d, h.max_vcpus);
    if (!rc)
        rc = get(fd, err, end, sizeof(end));
    if (!rc && memcmp(end, STREAM_END, sizeof(end)) != 0)
        rc = xb_err_set(err, -EINVAL, "sim: stream_restore: no end marker");
    if (rc)
        return rc;
    *store_frame = frame_of(s, d, h.store_pfn);
    *console_frame = frame_of(s, d, h.console_pfn);
    if (*store_frame == XB_NO_MFN || *console_frame == XB_NO_MFN)
        return xb_err_set(err, -EINVAL, "sim: stream_restore: the rings are not in it");
    d->info.gnttab_seeded = true; /* libxenguest seeds the grant table too */
    d->info.gnt_xenstore = *store_frame;
    d->info.gnt_console = *console_frame;
    d->info.gnt_xenstore_dom = how->store_domid;
    d->info.gnt_console_dom = how->console_domid;
    d->started = true; /* it ran before: no start of day to check */
    return 0;
}

/* ---- resume, and the guest's side of a suspend ---- */

int xb__sim_domain_resume(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "domain_resume");

    if (rc)
        return rc;
    if (!(d = xb__sim_get_dom(s, err, domid, "domain_resume")))
        return -ESRCH;
    if (!(d->flags & XB_DOMINFO_SHUTDOWN) || d->shutdown_reason != SHUTDOWN_suspend)
        return xb_err_set(err, -EINVAL,
                          "sim: domain_resume: domain %" PRIu32 " is not suspended",
                          domid);
    d->flags &= ~XB_DOMINFO_SHUTDOWN;
    d->shutdown_reason = 0;
    return 0;
}

bool xb__sim_guest_sees(struct sim *s, const char *path, const char *val, size_t len)
{
    unsigned domid;
    int end = 0;
    struct sim_dom *d;

    if (sscanf(path, "/local/domain/%u/control/shutdown%n", &domid, &end) != 1 ||
        path[end] != '\0' || len != 7 || memcmp(val, "suspend", 7) != 0)
        return false;
    d = xb__sim_find_dom(s, domid);
    if (!d || s->deaf || !d->started || d->info.paused ||
        (d->flags & XB_DOMINFO_SHUTDOWN))
        return false;
    d->flags |= XB_DOMINFO_SHUTDOWN;
    d->shutdown_reason = SHUTDOWN_suspend;
    return true;
}
