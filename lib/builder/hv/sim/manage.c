/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/manage.c - the management ops of hv.h on the simulated
 * machine: a host of SIM_NR_CPUS CPUs in one NUMA node, per-vCPU hard and
 * soft affinities, triggers recorded (inspect.h shows them), a console ring
 * that a read can clear, and a core file that holds the domain's frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_CONRING "(XEN) Xen version 4.17 (simulated machine)\n(XEN) sim: ready\n"

static uint8_t *aff(struct sim_dom *d, unsigned vcpu, unsigned which)
{
    return d->affinity + ((size_t)vcpu * 2 + which) * SIM_MAP_BYTES;
}

int xb__sim_affinity_init(struct sim_dom *d)
{
    d->affinity = calloc((size_t)d->info.max_vcpus * 2, SIM_MAP_BYTES);
    if (!d->affinity)
        return -ENOMEM;
    for (unsigned v = 0; v < d->info.max_vcpus * 2; v++)
        d->affinity[v * SIM_MAP_BYTES] = (1u << SIM_NR_CPUS) - 1;
    return 0;
}

/* The vCPU @vcpu of live domain @domid, or NULL with the message in @err. */
static struct sim_dom *vcpu_dom(struct sim *s, struct xb_err *err, uint32_t domid,
                                unsigned vcpu, const char *op)
{
    struct sim_dom *d =
        xb__sim_enter(s, err, op) ? NULL : xb__sim_get_dom(s, err, domid, op);

    if (d && vcpu >= d->info.max_vcpus) {
        xb_err_set(err, -EINVAL, "sim: %s: domain %" PRIu32 " has no vCPU %u", op, domid,
                   vcpu);
        return NULL;
    }
    return d;
}

int xb__sim_vcpu_info(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned vcpu,
                      struct xb_hv_vcpuinfo *out)
{
    struct sim_dom *d = vcpu_dom(xb__sim_of_hv(hv), err, domid, vcpu, "vcpu_info");

    if (!d)
        return err && err->code ? err->code : -EINVAL;
    *out = (struct xb_hv_vcpuinfo){
        .online = d->vctx[vcpu] != NULL,
        .running = d->vctx[vcpu] && d->started && !d->info.paused,
        .cpu = vcpu % SIM_NR_CPUS,
    };
    return 0;
}

static void copy_map(uint8_t *dst, size_t dlen, const uint8_t *src, size_t slen)
{
    memset(dst, 0, dlen);
    memcpy(dst, src, dlen < slen ? dlen : slen);
}

int xb__sim_vcpu_get_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, uint8_t *hard, uint8_t *soft, size_t len)
{
    struct sim_dom *d =
        vcpu_dom(xb__sim_of_hv(hv), err, domid, vcpu, "vcpu_get_affinity");

    if (!d)
        return err && err->code ? err->code : -EINVAL;
    copy_map(hard, len, aff(d, vcpu, 0), SIM_MAP_BYTES);
    copy_map(soft, len, aff(d, vcpu, 1), SIM_MAP_BYTES);
    return 0;
}

/* Xen refuses a hard affinity without any online CPU of the host. */
static bool has_cpu(const uint8_t *map, size_t len)
{
    return len && (map[0] & ((1u << SIM_NR_CPUS) - 1));
}

int xb__sim_vcpu_set_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, const uint8_t *hard, const uint8_t *soft,
                              size_t len)
{
    struct sim_dom *d =
        vcpu_dom(xb__sim_of_hv(hv), err, domid, vcpu, "vcpu_set_affinity");

    if (!d)
        return err && err->code ? err->code : -EINVAL;
    if (hard && !has_cpu(hard, len))
        return xb_err_set(err, -EINVAL, "sim: vcpu_set_affinity: no CPU of the host");
    if (hard)
        copy_map(aff(d, vcpu, 0), SIM_MAP_BYTES, hard, len);
    if (soft)
        copy_map(aff(d, vcpu, 1), SIM_MAP_BYTES, soft, len);
    return 0;
}

int xb__sim_node_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          uint8_t *map, size_t len)
{
    struct sim *s = xb__sim_of_hv(hv);
    int rc = xb__sim_enter(s, err, "node_affinity");

    if (rc)
        return rc;
    if (!xb__sim_get_dom(s, err, domid, "node_affinity"))
        return -ESRCH;
    memset(map, 0, len);
    if (len)
        map[0] = 1; /* node 0, the only one */
    return 0;
}

int xb__sim_send_trigger(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned trigger, unsigned vcpu)
{
    struct sim_dom *d = vcpu_dom(xb__sim_of_hv(hv), err, domid, vcpu, "send_trigger");

    if (!d)
        return err && err->code ? err->code : -EINVAL;
    if (trigger == XB_TRIGGER_S3RESUME || trigger >= XB_TRIGGER_COUNT)
        return xb_err_set(err, -EOPNOTSUPP, "sim: send_trigger: trigger %u: Xen has none",
                          trigger);
    if (trigger != XB_TRIGGER_NMI && !(d->flags & XB_DOMINFO_HVM))
        return xb_err_set(err, -EINVAL, "sim: send_trigger: %s needs an HVM domain",
                          xb_trigger_name(trigger));
    d->last_trigger = trigger;
    d->triggers++;
    return 0;
}

int xb__sim_read_console(struct xb_hv *hv, struct xb_err *err, bool clear, char **text,
                         size_t *len)
{
    struct sim *s = xb__sim_of_hv(hv);
    const char *ring = s->conring ? s->conring : SIM_CONRING;
    int rc = xb__sim_enter(s, err, "read_console");

    if (rc)
        return rc;
    *text = strdup(ring);
    if (!*text)
        return xb_err_set(err, -ENOMEM, "sim: read_console: out of memory");
    *len = strlen(*text);
    if (clear) {
        free(s->conring);
        s->conring = strdup("");
    }
    return 0;
}

int xb__sim_host_info(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *out)
{
    struct sim *s = xb__sim_of_hv(hv);
    struct xb_hv_physinfo pi;
    int rc = hv->ops->physinfo(hv, err, &pi);

    if (rc)
        return rc;
    *out = (struct xb_hostinfo){
        .nr_cpus = SIM_NR_CPUS,
        .max_cpu_id = SIM_NR_CPUS - 1,
        .nr_nodes = 1,
        .cores_per_socket = SIM_NR_CPUS,
        .threads_per_core = 1,
        .cpu_khz = 1000000,
        .caps = XB_HOST_PV | XB_HOST_HVM | XB_HOST_HAP | XB_HOST_GNTTAB_V1,
        .total_pages = pi.total_pages,
        .free_pages = pi.free_pages,
        .xen_major = pi.xen_major,
        .xen_minor = pi.xen_minor,
        .xen_extra = ".0-sim",
        .scheduler = "credit2",
        .pagesize = XB_PAGE_SIZE,
        .virt_start = 0xffff800000000000ull,
        .commandline = "sim",
        .compiler = "sim",
    };
    snprintf(out->xen_caps, sizeof(out->xen_caps), "%s", s->caps);
    return 0;
}

int xb__sim_cpu_topology(struct xb_hv *hv, struct xb_err *err, struct xb_cpu_topo *out,
                         size_t max, size_t *n)
{
    int rc = xb__sim_enter(xb__sim_of_hv(hv), err, "cpu_topology");

    if (rc)
        return rc;
    for (uint32_t i = 0; i < SIM_NR_CPUS && i < max; i++)
        out[i] = (struct xb_cpu_topo){.core = i, .socket = 0, .node = 0};
    *n = SIM_NR_CPUS;
    return 0;
}

int xb__sim_numa_info(struct xb_hv *hv, struct xb_err *err, struct xb_numa_node *out,
                      size_t max, size_t *n)
{
    struct xb_hv_physinfo pi;
    int rc = hv->ops->physinfo(hv, err, &pi);

    if (rc)
        return rc;
    if (max)
        out[0] = (struct xb_numa_node){.size = pi.total_pages * XB_PAGE_SIZE,
                                       .free = pi.free_pages * XB_PAGE_SIZE,
                                       .dist = {10},
                                       .ndist = 1};
    *n = 1;
    return 0;
}

/* A header line, then every frame the domain owns, in mfn order. */
int xb__sim_dump_core(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const char *path)
{
    struct sim *s = xb__sim_of_hv(hv);
    FILE *f;
    int rc = xb__sim_enter(s, err, "dump_core");

    if (rc)
        return rc;
    if (!xb__sim_get_dom(s, err, domid, "dump_core"))
        return -ESRCH;
    f = fopen(path, "wbx");
    if (!f)
        return xb_err_set(err, -errno, "sim: dump_core: %s: %s", path, strerror(errno));
    fprintf(f, "XBSIMCORE domain %" PRIu32 "\n", domid);
    for (uint64_t m = 0; m < s->nframes; m++)
        if (xb__sim_owns(s, domid, m))
            fwrite(xb__sim_mem(s, m), 1, XB_PAGE_SIZE, f);
    if (fclose(f) != 0)
        return xb_err_set(err, -EIO, "sim: dump_core: %s: write failed", path);
    return 0;
}
