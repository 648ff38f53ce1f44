/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen.c - the real hypervisor backend of hv.h, over Xen's own
 * low-level libraries: libxenctrl (domctls, memory ops, event channels) and
 * libxenforeignmemory (foreign mappings, the grant-table resource).
 * libxenguest and libxl are never used.
 *
 * Every failing call records "<what>: <detail>: <strerror>" in its @err and
 * returns -errno. The libraries' own loggers are silenced: the library never
 * prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backend.h"
#include "xen_manage.h"
#include "xen_util.h"

#ifdef XB_HAVE_XEN

#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xenforeignmemory.h>

_Static_assert(__builtin_types_compatible_p(xen_pfn_t, xb_mfn),
               "xb_mfn arrays are passed to libxenforeignmemory as xen_pfn_t");

/* Xen's defaults as xl applies them. */
#define XEN_DEFAULT_EVTCHN_PORT 1023u

struct xen_hv {
    struct xb_hv hv; /* first: the ops see a struct xb_hv * */
    xentoollog_logger quiet;
    xc_interface *xch;
    xenforeignmemory_handle *fmem;
};

static struct xen_hv *xen_of(struct xb_hv *hv)
{
    return (struct xen_hv *)hv;
}

static xc_interface *xch(struct xb_hv *hv)
{
    return xen_of(hv)->xch;
}

xc_interface *xb__xen_xch(struct xb_hv *hv)
{
    return xch(hv);
}

/* -- the hypervisor -- */

static int xen_physinfo(struct xb_hv *hv, struct xb_err *err, struct xb_hv_physinfo *out)
{
    xc_physinfo_t pi = {0};
    xen_capabilities_info_t caps = {0};
    int ver;

    if (xc_physinfo(xch(hv), &pi) != 0)
        return xb__xen_fail(err, "physinfo");
    if (xc_version(xch(hv), XENVER_capabilities, &caps) != 0)
        return xb__xen_fail(err, "xen_version(capabilities)");
    ver = xc_version(xch(hv), XENVER_version, NULL);
    if (ver < 0)
        return xb__xen_fail(err, "xen_version(version)");
    *out = (struct xb_hv_physinfo){
        .xen_major = (unsigned)ver >> 16,
        .xen_minor = (unsigned)ver & 0xffff,
        .total_pages = pi.total_pages,
        .free_pages = pi.free_pages,
        .nr_cpus = pi.nr_cpus,
        .hap = (pi.capabilities & XEN_SYSCTL_PHYSCAP_hap) != 0,
    };
    snprintf(out->caps, sizeof(out->caps), "%s", caps);
    return 0;
}

/* -- domain lifecycle -- */

/* Grant table v2 when Xen offers it (as xl does), else v1. */
static unsigned grant_version(struct xb_hv *hv)
{
    xc_physinfo_t pi = {0};

    if (xc_physinfo(xch(hv), &pi) == 0 &&
        (pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2))
        return 2;
    return 1;
}

static int xen_domain_create(struct xb_hv *hv, struct xb_err *err,
                             const struct xb_hv_domcfg *cfg, uint32_t *domid)
{
    bool pvh = cfg->type == XB_HV_DOM_PVH;
    struct xen_domctl_createdomain c = {
        .flags = pvh ? XEN_DOMCTL_CDF_hvm | (cfg->hap ? XEN_DOMCTL_CDF_hap : 0) : 0,
        .max_vcpus = cfg->max_vcpus,
        .max_evtchn_port =
            cfg->max_evtchn_port ? cfg->max_evtchn_port : XEN_DEFAULT_EVTCHN_PORT,
        .max_grant_frames = cfg->max_grant_frames ? (int32_t)cfg->max_grant_frames : -1,
        .max_maptrack_frames =
            cfg->max_maptrack_frames ? (int32_t)cfg->max_maptrack_frames : -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(grant_version(hv)),
        .arch.emulation_flags = pvh ? XEN_X86_EMU_LAPIC : 0,
        .arch.misc_flags = cfg->msr_relaxed ? XEN_X86_MSR_RELAXED : 0,
    };
    uint32_t id = DOMID_INVALID;

    memcpy(c.handle, cfg->handle, sizeof(c.handle));
    if (xc_domain_create(xch(hv), &id, &c) != 0)
        return xb__xen_fail(err, "domain_create(%s, %u vcpus)", pvh ? "pvh" : "pv",
                            cfg->max_vcpus);
    *domid = id;
    return 0;
}

static int xen_domain_destroy(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    if (xc_domain_destroy(xch(hv), domid) != 0)
        return xb__xen_fail(err, "domain_destroy(%u)", domid);
    return 0;
}

static int xen_domain_pause(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    if (xc_domain_pause(xch(hv), domid) != 0)
        return xb__xen_fail(err, "domain_pause(%u)", domid);
    return 0;
}

static int xen_domain_unpause(struct xb_hv *hv, struct xb_err *err, uint32_t domid)
{
    if (xc_domain_unpause(xch(hv), domid) != 0)
        return xb__xen_fail(err, "domain_unpause(%u)", domid);
    return 0;
}

static int xen_domain_shutdown(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                               unsigned reason)
{
    if (xc_domain_shutdown(xch(hv), domid, (int)reason) != 0)
        return xb__xen_fail(err, "domain_shutdown(%u, reason %u)", domid, reason);
    return 0;
}

static const struct {
    uint32_t xen, xb;
} dominf_flags[] = {
    {XEN_DOMINF_dying, XB_DOMINFO_DYING},     {XEN_DOMINF_shutdown, XB_DOMINFO_SHUTDOWN},
    {XEN_DOMINF_paused, XB_DOMINFO_PAUSED},   {XEN_DOMINF_blocked, XB_DOMINFO_BLOCKED},
    {XEN_DOMINF_running, XB_DOMINFO_RUNNING}, {XEN_DOMINF_hvm_guest, XB_DOMINFO_HVM},
};

static void dominfo_from_xen(struct xb_hv_dominfo *o, const xc_domaininfo_t *i)
{
    *o = (struct xb_hv_dominfo){
        .domid = i->domain,
        .shutdown_reason =
            (i->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
        .tot_pages = i->tot_pages,
        .max_pages = i->max_pages,
        .shared_info_frame = i->shared_info_frame,
        .cpu_time_ns = i->cpu_time,
        .nr_online_vcpus = i->nr_online_vcpus,
        .max_vcpu_id = i->max_vcpu_id,
        .cpupool = i->cpupool,
        .ssidref = i->ssidref,
    };
    for (size_t k = 0; k < sizeof(dominf_flags) / sizeof(dominf_flags[0]); k++)
        if (i->flags & dominf_flags[k].xen)
            o->flags |= dominf_flags[k].xb;
    memcpy(o->handle, i->handle, sizeof(o->handle));
}

static int xen_domain_info(struct xb_hv *hv, struct xb_err *err, uint32_t first,
                           struct xb_hv_dominfo *info, unsigned max, unsigned *n)
{
    xc_domaininfo_t *raw = calloc(max ? max : 1, sizeof(*raw));
    int got;

    *n = 0;
    if (!raw)
        return xb_err_set(err, -ENOMEM, "domain_info: out of memory");
    got = xc_domain_getinfolist(xch(hv), first, max, raw);
    if (got < 0) {
        got = xb__xen_fail(err, "getdomaininfo(from %u, %u)", first, max);
        goto out;
    }
    for (int k = 0; k < got; k++)
        dominfo_from_xen(&info[k], &raw[k]);
    *n = (unsigned)got;
    got = 0;
out:
    free(raw);
    return got;
}

/*
 * Xen 4.17 still needs XEN_DOMCTL_max_vcpus to allocate the vCPUs; @max must
 * equal the max_vcpus given at creation.
 */
static int xen_set_max_vcpus(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned max)
{
    if (xc_domain_max_vcpus(xch(hv), domid, max) != 0)
        return xb__xen_fail(err, "max_vcpus(%u, %u)", domid, max);
    return 0;
}

static int xen_set_max_mem(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           uint64_t kib)
{
    if (xc_domain_setmaxmem(xch(hv), domid, kib) != 0)
        return xb__xen_fail(err, "setmaxmem(%u, %llu KiB)", domid,
                            (unsigned long long)kib);
    return 0;
}

/*
 * The two domctls libxenctrl has no wrapper for (libxenguest's builder
 * issues them itself): encoded here, through xc_domctl(), and nowhere else.
 * Both structures are stable parts of the domctl ABI that libxenctrl's
 * headers define for the Xen it was built for.
 */

/* XEN_DOMCTL_set_address_size: 32 (compat) or 64-bit PV; before any memory. */
static int xen_set_address_size(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                unsigned bits)
{
    struct xen_domctl d = {
        .cmd = XEN_DOMCTL_set_address_size,
        .domain = (domid_t)domid,
        .u.address_size.size = bits,
    };

    if (xc_domctl(xch(hv), &d) != 0)
        return xb__xen_fail(err, "set_address_size(%u, %u bits)", domid, bits);
    return 0;
}

/* XEN_DOMCTL_hypercall_init: Xen writes its hypercall stubs into frame @mfn. */
static int xen_hypercall_init(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              xb_mfn mfn)
{
    struct xen_domctl d = {
        .cmd = XEN_DOMCTL_hypercall_init,
        .domain = (domid_t)domid,
        .u.hypercall_init.gmfn = mfn,
    };

    if (xc_domctl(xch(hv), &d) != 0)
        return xb__xen_fail(err, "hypercall_init(%u): frame %#llx", domid,
                            (unsigned long long)mfn);
    return 0;
}

/* -- memory -- */

static int xen_populate_physmap(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                unsigned order, size_t nr, uint64_t *frames)
{
    if (nr == 0)
        return 0;
    int done = xc_domain_populate_physmap(xch(hv), domid, nr, order, 0, frames);

    if (done < 0)
        return xb__xen_fail(err, "populate_physmap: %zu extents of order %u", nr, order);
    if ((size_t)done < nr) {
        errno = ENOMEM; /* Xen stops at the first extent it cannot allocate */
        return xb__xen_fail(err,
                            "populate_physmap: %zu extents of order %u, only %d done", nr,
                            order, done);
    }
    return 0;
}

static void *xen_map_foreign(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             bool writable, const xb_mfn *frames, size_t n)
{
    struct xen_hv *x = xen_of(hv);
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    int *errs = calloc(n ? n : 1, sizeof(*errs));
    void *p = NULL;

    if (!errs) {
        xb_err_set(err, -ENOMEM, "map_foreign: out of memory");
        return NULL;
    }
    p = xenforeignmemory_map(x->fmem, domid, prot, n, frames, errs);
    if (!p) {
        xb__xen_fail(err, "map_foreign(%u): %zu frames from %#llx", domid, n,
                     n ? (unsigned long long)frames[0] : 0ull);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (errs[i] == 0)
            continue;
        errno = errs[i] < 0 ? -errs[i] : errs[i];
        xb__xen_fail(err, "map_foreign(%u): frame %#llx (%zu of %zu)", domid,
                     (unsigned long long)frames[i], i, n);
        xenforeignmemory_unmap(x->fmem, p, n);
        p = NULL;
        break;
    }
out:
    free(errs);
    return p;
}

static int xen_unmap_foreign(struct xb_hv *hv, struct xb_err *err, void *addr, size_t n)
{
    if (!addr)
        return 0;
    if (xenforeignmemory_unmap(xen_of(hv)->fmem, addr, n) != 0)
        return xb__xen_fail(err, "unmap_foreign: %zu frames", n);
    return 0;
}

static int xen_pin_table(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned level, xb_mfn mfn)
{
    static const unsigned cmds[] = {
        [2] = MMUEXT_PIN_L2_TABLE,
        [3] = MMUEXT_PIN_L3_TABLE,
        [4] = MMUEXT_PIN_L4_TABLE,
    };
    struct mmuext_op op = {.arg1.mfn = mfn};

    if (level < 2 || level > 4)
        return xb_err_set(err, -EINVAL, "pin_table: no level %u page tables", level);
    op.cmd = cmds[level];
    if (xc_mmuext_op(xch(hv), &op, 1, domid) != 0)
        return xb__xen_fail(err, "pin_table(%u): L%u table at mfn %#llx", domid, level,
                            (unsigned long long)mfn);
    return 0;
}

static int xen_set_vcpu_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                unsigned vcpu, const void *ctx, size_t len)
{
    vcpu_guest_context_any_t any;

    if (len > sizeof(any))
        return xb_err_set(err, -EINVAL, "set_vcpu_context: %zu bytes is too large", len);
    memset(&any, 0, sizeof(any));
    memcpy(&any, ctx, len);
    if (xc_vcpu_setcontext(xch(hv), domid, vcpu, &any) != 0)
        return xb__xen_fail(err, "set_vcpu_context(%u, vcpu %u)", domid, vcpu);
    return 0;
}

static int xen_evtchn_alloc_unbound(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                    uint32_t remote, uint32_t *port)
{
    int p = xc_evtchn_alloc_unbound(xch(hv), domid, remote);

    if (p < 0)
        return xb__xen_fail(err, "evtchn_alloc_unbound(%u for %u)", domid, remote);
    *port = (uint32_t)p;
    return 0;
}

static void grant(grant_entry_v1_t *e, uint32_t domid, xb_pfn gfn)
{
    e->domid = (domid_t)domid;
    e->frame = (uint32_t)gfn;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    e->flags = GTF_permit_access;
}

/*
 * Map the guest's first shared grant frame through the grant-table resource
 * (XENMEM_acquire_resource) and fill the two reserved entries.
 */
static int xen_gnttab_seed(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           xb_pfn console_gfn, xb_pfn xenstore_gfn,
                           uint32_t console_domid, uint32_t xenstore_domid)
{
    struct xen_hv *x = xen_of(hv);
    xenforeignmemory_resource_handle *res;
    grant_entry_v1_t *gt = NULL;

    if (console_gfn > UINT32_MAX || xenstore_gfn > UINT32_MAX)
        return xb_err_set(err, -ERANGE,
                          "gnttab_seed(%u): frame beyond a v1 grant entry's 32 bits",
                          domid);
    res = xenforeignmemory_map_resource(x->fmem, domid, XENMEM_resource_grant_table,
                                        XENMEM_resource_grant_table_id_shared, 0, 1,
                                        (void **)&gt, PROT_READ | PROT_WRITE, 0);
    if (!res)
        return xb__xen_fail(err, "gnttab_seed(%u): map grant table frame 0", domid);
    grant(&gt[GNTTAB_RESERVED_CONSOLE], console_domid, console_gfn);
    grant(&gt[GNTTAB_RESERVED_XENSTORE], xenstore_domid, xenstore_gfn);
    if (xenforeignmemory_unmap_resource(x->fmem, res) != 0)
        return xb__xen_fail(err, "gnttab_seed(%u): unmap grant table frame 0", domid);
    return 0;
}

/* -- translated (PVH) domains -- */

static int xen_set_memory_map(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              const struct xb_hv_e820 *map, unsigned n)
{
    struct e820entry e[XB_HV_E820_MAX];

    if (n > XB_HV_E820_MAX)
        return xb_err_set(err, -E2BIG, "set_memory_map(%u): %u entries", domid, n);
    for (unsigned i = 0; i < n; i++)
        e[i] = (struct e820entry){
            .addr = map[i].addr, .size = map[i].size, .type = map[i].type};
    if (xc_domain_set_memory_map(xch(hv), domid, e, n) != 0)
        return xb__xen_fail(err, "set_memory_map(%u): %u entries", domid, n);
    return 0;
}

static int xen_hvm_param_set(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned param, uint64_t value)
{
    if (xc_hvm_param_set(xch(hv), domid, param, value) != 0)
        return xb__xen_fail(err, "hvm_param_set(%u): param %u = %#llx", domid, param,
                            (unsigned long long)value);
    return 0;
}

static int xen_set_paging_pool(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                               uint64_t bytes)
{
    if (xc_set_paging_mempool_size(xch(hv), domid, bytes) != 0)
        return xb__xen_fail(err, "set_paging_mempool_size(%u, %llu KiB)", domid,
                            (unsigned long long)(bytes >> 10));
    return 0;
}

static int xen_hvm_get_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                               uint8_t *buf, size_t size, size_t *len)
{
    int n;

    if (size > UINT32_MAX)
        return xb_err_set(err, -EINVAL, "hvm_get_context(%u): buffer too large", domid);
    n = xc_domain_hvm_getcontext(xch(hv), domid, buf, (uint32_t)size);
    if (n <= 0) {
        if (n == 0)
            errno = EIO;
        return xb__xen_fail(err, "hvm_get_context(%u)", domid);
    }
    *len = (size_t)n;
    return 0;
}

static int xen_hvm_set_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                               const uint8_t *buf, size_t len)
{
    if (len > UINT32_MAX)
        return xb_err_set(err, -EINVAL, "hvm_set_context(%u): too large", domid);
    /* libxenctrl's prototype takes a non-const buffer it only reads */
    if (xc_domain_hvm_setcontext(xch(hv), domid, (uint8_t *)(uintptr_t)buf,
                                 (uint32_t)len) != 0)
        return xb__xen_fail(err, "hvm_set_context(%u): %zu bytes", domid, len);
    return 0;
}

static void xen_close(struct xb_hv *hv)
{
    struct xen_hv *x = xen_of(hv);

    if (!x)
        return;
    if (x->fmem)
        xenforeignmemory_close(x->fmem);
    if (x->xch)
        xc_interface_close(x->xch);
    free(x);
}

static const struct xb_hv_ops xen_ops = {
    .name = "xen",
    .physinfo = xen_physinfo,
    .domain_create = xen_domain_create,
    .domain_destroy = xen_domain_destroy,
    .domain_pause = xen_domain_pause,
    .domain_unpause = xen_domain_unpause,
    .domain_shutdown = xen_domain_shutdown,
    .domain_info = xen_domain_info,
    .set_max_vcpus = xen_set_max_vcpus,
    .set_max_mem = xen_set_max_mem,
    .set_address_size = xen_set_address_size,
    .populate_physmap = xen_populate_physmap,
    .map_foreign = xen_map_foreign,
    .unmap_foreign = xen_unmap_foreign,
    .pin_table = xen_pin_table,
    .hypercall_init = xen_hypercall_init,
    .set_vcpu_context = xen_set_vcpu_context,
    .evtchn_alloc_unbound = xen_evtchn_alloc_unbound,
    .gnttab_seed = xen_gnttab_seed,
    .set_memory_map = xen_set_memory_map,
    .hvm_param_set = xen_hvm_param_set,
    .set_paging_pool = xen_set_paging_pool,
    .hvm_get_context = xen_hvm_get_context,
    .hvm_set_context = xen_hvm_set_context,
    /* management (xen_manage.c) */
    .vcpu_info = xb__xen_vcpu_info,
    .vcpu_get_affinity = xb__xen_vcpu_get_affinity,
    .vcpu_set_affinity = xb__xen_vcpu_set_affinity,
    .node_affinity = xb__xen_node_affinity,
    .send_trigger = xb__xen_send_trigger,
    .read_console = xb__xen_read_console,
    .host_info = xb__xen_host_info,
    .cpu_topology = xb__xen_cpu_topology,
    .numa_info = xb__xen_numa_info,
    .dump_core = xb__xen_dump_core,
    .close = xen_close,
};

int xb__hv_xen_open(struct xb_hv **out, struct xb_err *err)
{
    struct xen_hv *x = calloc(1, sizeof(*x));
    int rc = 0;

    *out = NULL;
    if (!x)
        return xb_err_set(err, -ENOMEM, "xen: out of memory");
    x->hv = (struct xb_hv){.ops = &xen_ops};
    x->quiet = xb__xen_quiet_logger();
    x->xch = xc_interface_open(&x->quiet, &x->quiet, 0);
    if (!x->xch) {
        rc = xb__xen_fail(err, "xen: open libxenctrl (is this dom0 with privcmd?)");
        goto out;
    }
    x->fmem = xenforeignmemory_open(&x->quiet, 0);
    if (!x->fmem) {
        rc = xb__xen_fail(err, "xen: open libxenforeignmemory");
        goto out;
    }
    *out = &x->hv;
out:
    if (rc)
        xen_close(&x->hv);
    return rc;
}

#else /* !XB_HAVE_XEN */

int xb__hv_xen_open(struct xb_hv **out, struct xb_err *err)
{
    *out = NULL;
    return xb_err_set(err, -ENOSYS, "xen: xbuild was built without Xen's libraries");
}

#endif
