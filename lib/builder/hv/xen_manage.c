/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen_manage.c - the management ops of hv.h on real Xen
 * (vCPU state and affinity, node affinity, triggers, Xen's console ring,
 * host information, core dumps), each over its libxenctrl call. Errors are
 * recorded as in xen.c.
 *
 * Core dumps are Xen's own ELF format (what xl dump-core writes and Xen's
 * crash tools read), which only libxenguest writes: it is loaded for that
 * call alone (dlopen), never linked; the builder does not use it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_manage.h"
#include "xen_util.h"

#ifdef XB_HAVE_XEN

#include <xen/version.h>

#define CONSOLE_RING_MAX (16u << 20) /* Xen's conring is at most a few MiB */

int xb__xen_vcpu_info(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned vcpu,
                      struct xb_hv_vcpuinfo *out)
{
    xc_vcpuinfo_t i = {0};

    if (xc_vcpu_getinfo(xb__xen_xch(hv), domid, vcpu, &i) != 0)
        return xb__xen_fail(err, "vcpu_info(%u, vcpu %u)", domid, vcpu);
    *out = (struct xb_hv_vcpuinfo){
        .online = i.online,
        .blocked = i.blocked,
        .running = i.running,
        .cpu = i.cpu,
        .cpu_time_ns = i.cpu_time,
    };
    return 0;
}

/* A libxenctrl map of the host's size; NULL (message in @err) on failure. */
static uint8_t *map_alloc(struct xb_hv *hv, struct xb_err *err, size_t *size)
{
    int n = xc_get_cpumap_size(xb__xen_xch(hv));
    uint8_t *m = n > 0 ? calloc(1, (size_t)n) : NULL;

    if (!m)
        xb_err_set(err, -ENOMEM, "cpumap: out of memory");
    *size = m ? (size_t)n : 0;
    return m;
}

static void map_out(uint8_t *dst, size_t len, const uint8_t *src, size_t size)
{
    memset(dst, 0, len);
    memcpy(dst, src, len < size ? len : size);
}

int xb__xen_vcpu_get_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, uint8_t *hard, uint8_t *soft, size_t len)
{
    size_t size;
    uint8_t *h = map_alloc(hv, err, &size), *s = h ? calloc(1, size) : NULL;
    int rc = 0;

    if (!s)
        rc = xb_err_set(err, -ENOMEM, "cpumap: out of memory");
    else if (xc_vcpu_getaffinity(xb__xen_xch(hv), domid, (int)vcpu, h, s,
                                 XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) != 0)
        rc = xb__xen_fail(err, "vcpu_getaffinity(%u, vcpu %u)", domid, vcpu);
    if (!rc) {
        map_out(hard, len, h, size);
        map_out(soft, len, s, size);
    }
    free(h);
    free(s);
    return rc;
}

int xb__xen_vcpu_set_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, const uint8_t *hard, const uint8_t *soft,
                              size_t len)
{
    size_t size;
    uint8_t *h = map_alloc(hv, err, &size), *s = h ? calloc(1, size) : NULL;
    uint32_t flags =
        (hard ? XEN_VCPUAFFINITY_HARD : 0) | (soft ? XEN_VCPUAFFINITY_SOFT : 0);
    int rc = 0;

    if (!s)
        rc = xb_err_set(err, -ENOMEM, "cpumap: out of memory");
    if (!rc && hard)
        memcpy(h, hard, len < size ? len : size);
    if (!rc && soft)
        memcpy(s, soft, len < size ? len : size);
    if (!rc && xc_vcpu_setaffinity(xb__xen_xch(hv), domid, (int)vcpu, h, s, flags) != 0)
        rc = xb__xen_fail(err, "vcpu_setaffinity(%u, vcpu %u)", domid, vcpu);
    free(h);
    free(s);
    return rc;
}

int xb__xen_node_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          uint8_t *map, size_t len)
{
    int n = xc_get_nodemap_size(xb__xen_xch(hv));
    uint8_t *m = n > 0 ? calloc(1, (size_t)n) : NULL;
    int rc = 0;

    if (!m)
        return xb_err_set(err, -ENOMEM, "nodemap: out of memory");
    if (xc_domain_node_getaffinity(xb__xen_xch(hv), domid, m) != 0)
        rc = xb__xen_fail(err, "node_getaffinity(%u)", domid);
    else
        map_out(map, len, m, (size_t)n);
    free(m);
    return rc;
}

int xb__xen_send_trigger(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned trigger, unsigned vcpu)
{
    static const uint32_t domctl[] = {
        [XB_TRIGGER_NMI] = XEN_DOMCTL_SENDTRIGGER_NMI,
        [XB_TRIGGER_RESET] = XEN_DOMCTL_SENDTRIGGER_RESET,
        [XB_TRIGGER_INIT] = XEN_DOMCTL_SENDTRIGGER_INIT,
        [XB_TRIGGER_POWER] = XEN_DOMCTL_SENDTRIGGER_POWER,
        [XB_TRIGGER_SLEEP] = XEN_DOMCTL_SENDTRIGGER_SLEEP,
    };

    if (trigger >= sizeof(domctl) / sizeof(domctl[0]))
        return xb_err_set(err, -EOPNOTSUPP, "send_trigger(%u): trigger %u: Xen has none",
                          domid, trigger);
    if (xc_domain_send_trigger(xb__xen_xch(hv), domid, domctl[trigger], vcpu) != 0)
        return xb__xen_fail(err, "send_trigger(%u, %s, vcpu %u)", domid,
                            xb_trigger_name(trigger), vcpu);
    return 0;
}

/*
 * The whole ring: read with growing buffers until it fits. Clearing is a
 * flag of the read itself (Xen clears up to where that read ended), so a
 * clearing read is the last one, into a buffer known to be large enough.
 */
int xb__xen_read_console(struct xb_hv *hv, struct xb_err *err, bool clear, char **text,
                         size_t *len)
{
    unsigned size = 64u << 10, got;
    char *buf = NULL, *grown;
    bool last = false;

    for (;;) {
        grown = realloc(buf, (size_t)size + 1);
        if (!grown) {
            free(buf);
            return xb_err_set(err, -ENOMEM, "read_console: out of memory");
        }
        buf = grown;
        got = size;
        if (xc_readconsolering(xb__xen_xch(hv), buf, &got, last && clear, 0, NULL) != 0) {
            free(buf);
            return xb__xen_fail(err, "readconsolering%s", last && clear ? "(clear)" : "");
        }
        if (last || (!clear && (got < size || size >= CONSOLE_RING_MAX)))
            break;
        if (got < size || size >= CONSOLE_RING_MAX)
            last = true; /* it fits: read it again, clearing */
        size *= 2;
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return 0;
}

static const struct {
    uint32_t xen;
    unsigned xb;
} physcaps[] = {
    {XEN_SYSCTL_PHYSCAP_pv, XB_HOST_PV},
    {XEN_SYSCTL_PHYSCAP_hvm, XB_HOST_HVM},
    {XEN_SYSCTL_PHYSCAP_hap, XB_HOST_HAP},
    {XEN_SYSCTL_PHYSCAP_shadow, XB_HOST_SHADOW},
    {XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share, XB_HOST_IOMMU_HAP_PT_SHARE},
    {XEN_SYSCTL_PHYSCAP_vmtrace, XB_HOST_VMTRACE},
    {XEN_SYSCTL_PHYSCAP_vpmu, XB_HOST_VPMU},
    {XEN_SYSCTL_PHYSCAP_gnttab_v1, XB_HOST_GNTTAB_V1},
    {XEN_SYSCTL_PHYSCAP_gnttab_v2, XB_HOST_GNTTAB_V2},
    {XEN_SYSCTL_PHYSCAP_directio, XB_HOST_DIRECTIO},
};

static const char *scheduler_name(int id)
{
    static const char *const names[] = {
        [XEN_SCHEDULER_CREDIT] = "credit",     [XEN_SCHEDULER_CREDIT2] = "credit2",
        [XEN_SCHEDULER_ARINC653] = "arinc653", [XEN_SCHEDULER_RTDS] = "rtds",
        [XEN_SCHEDULER_NULL] = "null",
    };

    if (id < 0 || (size_t)id >= sizeof(names) / sizeof(names[0]) || !names[id])
        return "unknown";
    return names[id];
}

static int physinfo(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *o)
{
    xc_interface *xch = xb__xen_xch(hv);
    xc_physinfo_t pi = {0};
    xc_cpumap_t free_map;

    if (xc_physinfo(xch, &pi) != 0)
        return xb__xen_fail(err, "physinfo");
    o->nr_cpus = pi.nr_cpus;
    o->max_cpu_id = pi.max_cpu_id;
    o->nr_nodes = pi.nr_nodes;
    o->max_node_id = pi.max_node_id;
    o->cores_per_socket = pi.cores_per_socket;
    o->threads_per_core = pi.threads_per_core;
    o->cpu_khz = pi.cpu_khz;
    memcpy(o->hw_cap, pi.hw_cap, sizeof(o->hw_cap));
    for (size_t k = 0; k < sizeof(physcaps) / sizeof(physcaps[0]); k++)
        if (pi.capabilities & physcaps[k].xen)
            o->caps |= physcaps[k].xb;
    o->total_pages = pi.total_pages;
    o->free_pages = pi.free_pages;
    o->outstanding_pages = pi.outstanding_pages;
    o->sharing_freed_pages =
        (uint64_t)(xc_sharing_freed_pages(xch) > 0 ? xc_sharing_freed_pages(xch) : 0);
    o->sharing_used_frames =
        (uint64_t)(xc_sharing_used_frames(xch) > 0 ? xc_sharing_used_frames(xch) : 0);
    free_map = xc_cpupool_freeinfo(xch);
    for (int i = 0; free_map && i < xc_get_cpumap_size(xch) * 8; i++)
        o->free_cpus += (free_map[i / 8] >> (i % 8)) & 1;
    free(free_map);
    return 0;
}

static void build_id_hex(xc_interface *xch, char *out, size_t size)
{
    /* a xen_build_id_t (a length, then the bytes) in a buffer of our own */
    union {
        xen_build_id_t id;
        unsigned char raw[sizeof(xen_build_id_t) + 64];
    } b = {.id.len = 64};
    int n = xc_version(xch, XENVER_build_id, &b.id);

    out[0] = '\0';
    for (int i = 0; i < n && i < 64 && (size_t)(2 * i + 2) < size; i++)
        snprintf(out + 2 * i, 3, "%02x", b.raw[sizeof(xen_build_id_t) + (size_t)i]);
}

/* Xen's fixed-size, maybe unterminated string @src into @dst. */
static void copy_str(char *dst, size_t dsize, const char *src, size_t slen)
{
    size_t n = strnlen(src, slen);

    n = n < dsize - 1 ? n : dsize - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

#define COPY(dst, src) copy_str((dst), sizeof(dst), (src), sizeof(src))

static int version(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *o)
{
    xc_interface *xch = xb__xen_xch(hv);
    xen_extraversion_t extra = {0};
    xen_compile_info_t ci = {0};
    xen_changeset_info_t cs = {0};
    xen_commandline_t cmd = {0};
    xen_platform_parameters_t pp = {0};
    int ver = xc_version(xch, XENVER_version, NULL), sched = 0, page;

    if (ver < 0 || xc_version(xch, XENVER_extraversion, &extra) < 0 ||
        xc_version(xch, XENVER_compile_info, &ci) < 0 ||
        xc_version(xch, XENVER_changeset, &cs) < 0 ||
        xc_version(xch, XENVER_commandline, &cmd) < 0 ||
        xc_version(xch, XENVER_platform_parameters, &pp) < 0 ||
        xc_version(xch, XENVER_capabilities, o->xen_caps) < 0 ||
        (page = xc_version(xch, XENVER_pagesize, NULL)) < 0)
        return xb__xen_fail(err, "xen_version");
    if (xc_sched_id(xch, &sched) != 0)
        return xb__xen_fail(err, "sched_id");
    o->xen_major = (unsigned)ver >> 16;
    o->xen_minor = (unsigned)ver & 0xffff;
    o->pagesize = (unsigned)page;
    o->virt_start = pp.virt_start;
    COPY(o->xen_extra, extra);
    snprintf(o->scheduler, sizeof(o->scheduler), "%s", scheduler_name(sched));
    COPY(o->changeset, cs);
    COPY(o->commandline, cmd);
    COPY(o->compiler, ci.compiler);
    COPY(o->compile_by, ci.compile_by);
    COPY(o->compile_domain, ci.compile_domain);
    COPY(o->compile_date, ci.compile_date);
    build_id_hex(xch, o->build_id, sizeof(o->build_id));
    return 0;
}

int xb__xen_host_info(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *out)
{
    int rc;

    *out = (struct xb_hostinfo){0};
    rc = physinfo(hv, err, out);
    return rc ? rc : version(hv, err, out);
}

int xb__xen_cpu_topology(struct xb_hv *hv, struct xb_err *err, struct xb_cpu_topo *out,
                         size_t max, size_t *n)
{
    unsigned num = 0;
    xc_cputopo_t *t;

    if (xc_cputopoinfo(xb__xen_xch(hv), &num, NULL) != 0)
        return xb__xen_fail(err, "cputopoinfo");
    t = calloc(num ? num : 1, sizeof(*t));
    if (!t)
        return xb_err_set(err, -ENOMEM, "cputopoinfo: out of memory");
    if (xc_cputopoinfo(xb__xen_xch(hv), &num, t) != 0) {
        free(t);
        return xb__xen_fail(err, "cputopoinfo");
    }
    for (size_t i = 0; i < num && i < max; i++)
        out[i] = (struct xb_cpu_topo){
            .core = t[i].core, .socket = t[i].socket, .node = t[i].node};
    *n = num;
    free(t);
    return 0;
}

int xb__xen_numa_info(struct xb_hv *hv, struct xb_err *err, struct xb_numa_node *out,
                      size_t max, size_t *n)
{
    unsigned num = 0;
    xc_meminfo_t *mem = NULL;
    uint32_t *dist = NULL;
    int rc = 0;

    if (xc_numainfo(xb__xen_xch(hv), &num, NULL, NULL) != 0)
        return xb__xen_fail(err, "numainfo");
    mem = calloc(num ? num : 1, sizeof(*mem));
    dist = calloc((size_t)num * num + 1, sizeof(*dist));
    if (!mem || !dist)
        rc = xb_err_set(err, -ENOMEM, "numainfo: out of memory");
    else if (xc_numainfo(xb__xen_xch(hv), &num, mem, dist) != 0)
        rc = xb__xen_fail(err, "numainfo");
    for (size_t i = 0; !rc && i < num && i < max; i++) {
        out[i] = (struct xb_numa_node){.size = mem[i].memsize,
                                       .free = mem[i].memfree,
                                       .ndist = num < XB_NUMA_MAX ? num : XB_NUMA_MAX};
        for (size_t j = 0; j < out[i].ndist; j++)
            out[i].dist[j] = dist[i * num + j];
    }
    if (!rc)
        *n = num;
    free(mem);
    free(dist);
    return rc;
}

#define XENGUEST_SONAME "libxenguest.so.4.17"

typedef int dumpcore_fn(xc_interface *xch, uint32_t domid, const char *corename);

int xb__xen_dump_core(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const char *path)
{
    void *lib = dlopen(XENGUEST_SONAME, RTLD_NOW | RTLD_LOCAL);
    dumpcore_fn *dump = lib ? (dumpcore_fn *)dlsym(lib, "xc_domain_dumpcore") : NULL;
    int rc = 0;

    if (!dump)
        rc = xb_err_set(err, -ENOSYS, "dump_core: %s: %s", XENGUEST_SONAME,
                        lib ? "no xc_domain_dumpcore" : dlerror());
    else if (dump(xb__xen_xch(hv), domid, path) != 0)
        rc = xb__xen_fail(err, "dump_core(%u) to %s", domid, path);
    if (lib)
        dlclose(lib);
    return rc;
}

#endif
