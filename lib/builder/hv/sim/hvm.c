/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/hvm.c - translated (PVH) domains on the simulated
 * machine: the p2m Xen keeps for them (gfn -> machine frame, extent by
 * extent), HVM params, the memory map of XENMEM_set_memory_map, the paging
 * pool, and the HVM context records a vCPU's state travels in, as
 * XEN_DOMCTL_{get,set}hvmcontext have them: a HEADER, then per vCPU a CPU,
 * a LAPIC and an MTRR record, then END. Loading a context takes every vCPU
 * down first; the CPU records in it bring theirs up again (so vCPU 0 must
 * be loaded last, as Xen wants).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_MTRR_CAP   0x508ull /* 8 variable ranges, fixed ranges, WC */
#define SIM_PAT_RESET  0x0007040600070406ull
#define SIM_CPUID_1EAX 0x000806f8u

static struct sim *to_sim(struct xb_hv *hv)
{
    return xb__sim_of_hv(hv);
}

/* ---- the p2m of a translated domain ---- */

/* Index of the first extent that ends above @gfn (np2m when none). */
static size_t p2m_find(const struct sim_hvm *h, uint64_t gfn)
{
    size_t lo = 0, hi = h->np2m;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->p2m[mid].gfn + h->p2m[mid].pages <= gfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

xb_mfn xb__sim_gfn_mfn(const struct sim_dom *d, uint64_t gfn)
{
    const struct sim_hvm *h = &d->hvm;
    size_t i = p2m_find(h, gfn);

    if (i == h->np2m || h->p2m[i].gfn > gfn)
        return XB_NO_MFN;
    return h->p2m[i].mfn + (gfn - h->p2m[i].gfn);
}

/* -EEXIST when any gfn of [gfn, gfn + pages) is populated already. */
int xb__sim_p2m_add(struct sim_dom *d, uint64_t gfn, xb_mfn mfn, uint64_t pages)
{
    struct sim_hvm *h = &d->hvm;
    size_t i = p2m_find(h, gfn);

    if (i < h->np2m && h->p2m[i].gfn < gfn + pages)
        return -EEXIST;
    if (h->np2m == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        struct sim_extent *p = realloc(h->p2m, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        h->p2m = p;
        h->cap = cap;
    }
    memmove(&h->p2m[i + 1], &h->p2m[i], (h->np2m - i) * sizeof(*h->p2m));
    h->p2m[i] = (struct sim_extent){.gfn = gfn, .pages = pages, .mfn = mfn};
    h->np2m++;
    return 0;
}

/* Drop the extent that starts at @gfn; its first frame, XB_NO_MFN if none. */
xb_mfn xb__sim_p2m_remove(struct sim_dom *d, uint64_t gfn)
{
    struct sim_hvm *h = &d->hvm;
    size_t i = p2m_find(h, gfn);
    xb_mfn mfn;

    if (i == h->np2m || h->p2m[i].gfn != gfn)
        return XB_NO_MFN;
    mfn = h->p2m[i].mfn;
    memmove(&h->p2m[i], &h->p2m[i + 1], (h->np2m - i - 1) * sizeof(*h->p2m));
    h->np2m--;
    return mfn;
}

int xb__sim_hvm_init(struct sim_dom *d, uint32_t max_vcpus)
{
    struct sim_hvm *h = &d->hvm;

    *h = (struct sim_hvm){0};
    h->cpu = calloc(max_vcpus, sizeof(*h->cpu));
    h->mtrr = calloc(max_vcpus, sizeof(*h->mtrr));
    h->online = calloc(max_vcpus, sizeof(*h->online));
    if (!h->cpu || !h->mtrr || !h->online) {
        xb__sim_hvm_free(d);
        return -ENOMEM;
    }
    for (uint32_t v = 0; v < max_vcpus; v++) /* as Xen resets them */
        h->mtrr[v] = (struct hvm_hw_mtrr){.msr_pat_cr = SIM_PAT_RESET,
                                          .msr_mtrr_cap = SIM_MTRR_CAP};
    return 0;
}

void xb__sim_hvm_free(struct sim_dom *d)
{
    free(d->hvm.p2m);
    free(d->hvm.cpu);
    free(d->hvm.mtrr);
    free(d->hvm.online);
    d->hvm = (struct sim_hvm){0};
}

/* ---- the ops ---- */

/* The live translated domain @domid, or NULL with the error recorded. */
static struct sim_dom *get_hvm(struct sim *s, struct xb_err *err, uint32_t domid,
                               const char *op)
{
    struct sim_dom *d = xb__sim_get_dom(s, err, domid, op);

    if (d && !d->info.translated) {
        xb_err_set(err, -EINVAL, "sim: %s: domain %" PRIu32 " is not a PVH domain", op,
                   domid);
        return NULL;
    }
    return d;
}

int xb__sim_set_memory_map(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           const struct xb_hv_e820 *map, unsigned n)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "set_memory_map");

    if (rc)
        return rc;
    if (!(d = get_hvm(s, err, domid, "set_memory_map")))
        return -EINVAL;
    if (n == 0 || n > XB_HV_E820_MAX)
        return xb_err_set(err, -EINVAL, "sim: set_memory_map: %u entries", n);
    memcpy(d->hvm.e820, map, n * sizeof(*map));
    d->hvm.ne820 = n;
    d->hvm.memmap_set = true;
    d->info.nr_e820 = n;
    return 0;
}

/* The params a PVH builder sets; anything else is a builder bug here. */
static bool param_known(unsigned p, uint64_t v)
{
    switch (p) {
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_PAGING_RING_PFN:
    case HVM_PARAM_MONITOR_RING_PFN:
    case HVM_PARAM_SHARING_RING_PFN:
    case HVM_PARAM_IOREQ_PFN:
    case HVM_PARAM_BUFIOREQ_PFN:
    case HVM_PARAM_IDENT_PT:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_EVTCHN:
        return true;
    case HVM_PARAM_TIMER_MODE:
        return v <= HVMPTM_one_missed_tick_pending;
    default:
        return false;
    }
}

int xb__sim_hvm_param_set(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          unsigned param, uint64_t value)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "hvm_param_set");

    if (rc)
        return rc;
    if (!(d = get_hvm(s, err, domid, "hvm_param_set")))
        return -EINVAL;
    if (param >= HVM_NR_PARAMS || !param_known(param, value))
        return xb_err_set(err, -EINVAL, "sim: hvm_param_set: param %u = 0x%" PRIx64,
                          param, value);
    d->hvm.params[param] = value;
    d->hvm.params_set |= 1ull << param;
    return 0;
}

int xb__sim_set_paging_pool(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            uint64_t bytes)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "set_paging_pool");

    if (rc)
        return rc;
    if (!(d = get_hvm(s, err, domid, "set_paging_pool")))
        return -EINVAL;
    if (bytes % XB_PAGE_SIZE || bytes == 0)
        return xb_err_set(err, -EINVAL, "sim: set_paging_pool: %" PRIu64 " bytes", bytes);
    d->info.paging_pool = bytes;
    return 0;
}

/* ---- HVM context records ---- */

static size_t context_size(uint32_t nvcpus)
{
    const size_t desc = sizeof(struct hvm_save_descriptor);

    return desc + HVM_SAVE_LENGTH(HEADER) +
           nvcpus * (3 * desc + HVM_SAVE_LENGTH(CPU) + HVM_SAVE_LENGTH(LAPIC) +
                     HVM_SAVE_LENGTH(MTRR)) +
           desc;
}

static uint8_t *put_record(uint8_t *p, unsigned code, unsigned instance, const void *rec,
                           uint32_t len)
{
    const struct hvm_save_descriptor desc = {
        .typecode = (uint16_t)code, .instance = (uint16_t)instance, .length = len};

    memcpy(p, &desc, sizeof(desc));
    if (len)
        memcpy(p + sizeof(desc), rec, len);
    return p + sizeof(desc) + len;
}

int xb__sim_hvm_get_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            uint8_t *buf, size_t size, size_t *len)
{
    const struct hvm_save_header hdr = {.magic = HVM_FILE_MAGIC,
                                        .version = HVM_FILE_VERSION,
                                        .cpuid = SIM_CPUID_1EAX,
                                        .gtsc_khz = 1000000};
    const uint8_t lapic[HVM_SAVE_LENGTH(LAPIC)] = {0};
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    uint8_t *p = buf;
    int rc = xb__sim_enter(s, err, "hvm_get_context");

    if (rc)
        return rc;
    if (!(d = get_hvm(s, err, domid, "hvm_get_context")))
        return -EINVAL;
    *len = context_size(d->info.max_vcpus);
    if (!buf)
        return 0;
    if (size < *len)
        return xb_err_set(err, -ENOBUFS, "sim: hvm_get_context: %zu bytes, %zu needed",
                          size, *len);
    p = put_record(p, HVM_SAVE_CODE(HEADER), 0, &hdr, sizeof(hdr));
    for (uint32_t v = 0; v < d->info.max_vcpus; v++) {
        p = put_record(p, HVM_SAVE_CODE(CPU), v, &d->hvm.cpu[v], sizeof(d->hvm.cpu[v]));
        p = put_record(p, HVM_SAVE_CODE(LAPIC), v, lapic, sizeof(lapic));
    }
    for (uint32_t v = 0; v < d->info.max_vcpus; v++)
        p = put_record(p, HVM_SAVE_CODE(MTRR), v, &d->hvm.mtrr[v],
                       sizeof(d->hvm.mtrr[v]));
    put_record(p, HVM_SAVE_CODE(END), 0, NULL, 0);
    return 0;
}

/* Walk the records of @buf; with @d, load them. Returns 0 or -EINVAL. */
static int load_records(struct xb_err *err, const uint8_t *buf, size_t len,
                        struct sim_dom *d, uint32_t nvcpus)
{
    struct hvm_save_descriptor desc;
    size_t off = 0;

    for (bool first = true;; first = false) {
        const uint8_t *rec;
        if (len - off < sizeof(desc))
            return xb_err_set(err, -EINVAL, "sim: hvm_set_context: no END record");
        memcpy(&desc, buf + off, sizeof(desc));
        off += sizeof(desc);
        rec = buf + off;
        if (desc.length > len - off)
            return xb_err_set(err, -EINVAL, "sim: hvm_set_context: record %u overruns",
                              desc.typecode);
        off += desc.length;
        if (first != (desc.typecode == HVM_SAVE_CODE(HEADER)))
            return xb_err_set(err, -EINVAL,
                              "sim: hvm_set_context: the HEADER must come first, once");
        if (desc.typecode == HVM_SAVE_CODE(END))
            return off == len && desc.length == 0
                       ? 0
                       : xb_err_set(err, -EINVAL,
                                    "sim: hvm_set_context: bytes after END");
        if (desc.typecode == HVM_SAVE_CODE(HEADER)) {
            struct hvm_save_header h;
            if (desc.length != sizeof(h))
                return xb_err_set(err, -EINVAL, "sim: hvm_set_context: bad HEADER");
            memcpy(&h, rec, sizeof(h));
            if (h.magic != HVM_FILE_MAGIC || h.version != HVM_FILE_VERSION ||
                h.cpuid != SIM_CPUID_1EAX)
                return xb_err_set(err, -EINVAL,
                                  "sim: hvm_set_context: HEADER not the one Xen gave "
                                  "(magic 0x%x, cpuid 0x%x)",
                                  h.magic, h.cpuid);
            continue;
        }
        if (desc.instance >= nvcpus || !((desc.typecode == HVM_SAVE_CODE(CPU) &&
                                          desc.length == HVM_SAVE_LENGTH(CPU)) ||
                                         (desc.typecode == HVM_SAVE_CODE(MTRR) &&
                                          desc.length == HVM_SAVE_LENGTH(MTRR))))
            return xb_err_set(err, -EINVAL,
                              "sim: hvm_set_context: record type %u instance %u "
                              "(%" PRIu32 " bytes) is not a vCPU's CPU or MTRR record",
                              desc.typecode, desc.instance, desc.length);
        if (d && desc.typecode == HVM_SAVE_CODE(CPU)) {
            memcpy(&d->hvm.cpu[desc.instance], rec, desc.length);
            d->hvm.online[desc.instance] = true;
        } else if (d) {
            memcpy(&d->hvm.mtrr[desc.instance], rec, desc.length);
        }
    }
}

int xb__sim_hvm_set_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            const uint8_t *buf, size_t len)
{
    struct sim *s = to_sim(hv);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "hvm_set_context");

    if (rc)
        return rc;
    if (!(d = get_hvm(s, err, domid, "hvm_set_context")))
        return -EINVAL;
    rc = load_records(err, buf, len, NULL, d->info.max_vcpus); /* check it all first */
    if (rc)
        return rc;
    memset(d->hvm.online, 0, d->info.max_vcpus * sizeof(*d->hvm.online));
    return load_records(err, buf, len, d, d->info.max_vcpus);
}
