/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/resources.c - a running domain's memory and vCPUs, as
 * xl mem-set/mem-max/vcpu-list/vcpu-set/vcpu-pin handle them: the guest
 * acts on xenstore (memory/target through its balloon driver,
 * cpu/N/availability), Xen enforces the maximum and the affinities.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "ctx.h"
#include "domain.h"
#include "nodes.h"

#define MAXMEM_SLACK_KIB 1024 /* as at create, and as xl: Xen's own per-domain pages */
#define PATH_MAX_XS      128

/* memory/@key of @domid as a number; -ENOENT when absent. */
static int mem_node(struct xb_ctx *ctx, uint32_t domid, const char *key, uint64_t *kib)
{
    char p[PATH_MAX_XS], *v = NULL, *end;
    int rc;

    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/memory/%s", domid, key);
    rc = xb__xs_get(ctx, &ctx->err, p, &v);
    if (!rc) {
        *kib = strtoull(v, &end, 10);
        rc = end == v ? -ENOENT : 0;
    }
    free(v);
    return rc;
}

static int put_mem(struct xb_ctx *ctx, uint32_t domid, const char *key, uint64_t kib)
{
    char p[PATH_MAX_XS], v[32];

    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/memory/%s", domid, key);
    snprintf(v, sizeof(v), "%" PRIu64, kib);
    return xb__xs_put(ctx, &ctx->err, p, v);
}

int xb_domain_set_memory(struct xb_ctx *ctx, uint32_t domid, uint64_t kib)
{
    struct xb_hv_dominfo info;
    uint64_t max = 0;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    if (mem_node(ctx, domid, "static-max", &max) != 0) /* dom0 has none: Xen's */
        max = info.max_pages * 4 > MAXMEM_SLACK_KIB
                  ? info.max_pages * 4 - MAXMEM_SLACK_KIB
                  : 0;
    if (kib == 0 || kib > max)
        return xb_err_set(&ctx->err, -EINVAL,
                          "mem-set: %" PRIu64
                          " KiB is %s the domain's maximum of %" PRIu64 " KiB%s",
                          kib, kib ? "above" : "not within", max,
                          kib ? " (raise it first with mem-max)" : "");
    rc = ctx->hv->ops->set_max_mem(ctx->hv, &ctx->err, domid, kib + MAXMEM_SLACK_KIB);
    return rc ? rc : put_mem(ctx, domid, "target", kib);
}

int xb_domain_set_max_memory(struct xb_ctx *ctx, uint32_t domid, uint64_t kib)
{
    struct xb_hv_dominfo info;
    uint64_t target = 0;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    if (mem_node(ctx, domid, "target", &target) != 0)
        target = info.tot_pages * 4;
    if (kib < target)
        return xb_err_set(&ctx->err, -EINVAL,
                          "mem-max: %" PRIu64
                          " KiB is below the domain's target of %" PRIu64
                          " KiB (lower it first with mem-set)",
                          kib, target);
    rc = ctx->hv->ops->set_max_mem(ctx->hv, &ctx->err, domid, kib + MAXMEM_SLACK_KIB);
    return rc ? rc : put_mem(ctx, domid, "static-max", kib);
}

static unsigned host_cpus(struct xb_ctx *ctx)
{
    struct xb_hv_physinfo pi;

    if (ctx->hv->ops->physinfo(ctx->hv, &ctx->err, &pi) != 0)
        return 0;
    return pi.nr_cpus < XB_CPUMAP_MAX ? pi.nr_cpus : XB_CPUMAP_MAX;
}

/* struct xb_cpumap <-> the byte maps of the hv ops (CPU i: bit i%8 of byte i/8). */
static void map_to_bytes(const struct xb_cpumap *m, uint8_t *b)
{
    for (unsigned i = 0; i < XB_CPUMAP_MAX / 8; i++)
        b[i] = (uint8_t)(m->bits[i / 8] >> (8 * (i % 8)));
}

static void map_from_bytes(const uint8_t *b, struct xb_cpumap *m)
{
    *m = (struct xb_cpumap){0};
    for (unsigned i = 0; i < XB_CPUMAP_MAX / 8; i++)
        m->bits[i / 8] |= (uint64_t)b[i] << (8 * (i % 8));
}

static int one_vcpu(struct xb_ctx *ctx, uint32_t domid, unsigned v, struct xb_vcpuinfo *o)
{
    struct xb_hv_vcpuinfo i;
    uint8_t hard[XB_CPUMAP_MAX / 8], soft[XB_CPUMAP_MAX / 8];
    int rc = ctx->hv->ops->vcpu_info(ctx->hv, &ctx->err, domid, v, &i);

    if (!rc)
        rc = ctx->hv->ops->vcpu_get_affinity(ctx->hv, &ctx->err, domid, v, hard, soft,
                                             sizeof(hard));
    if (rc)
        return rc;
    *o = (struct xb_vcpuinfo){.vcpu = v,
                              .online = i.online,
                              .running = i.running,
                              .blocked = i.blocked,
                              .cpu = i.cpu,
                              .cpu_time_ns = i.cpu_time_ns};
    map_from_bytes(hard, &o->hard);
    map_from_bytes(soft, &o->soft);
    return 0;
}

int xb_vcpu_list(struct xb_ctx *ctx, uint32_t domid, struct xb_vcpuinfo **out, size_t *n,
                 unsigned *nr_cpus)
{
    struct xb_hv_dominfo info;
    struct xb_vcpuinfo *v;
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    *n = 0;
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    if (nr_cpus && !(*nr_cpus = host_cpus(ctx)))
        return ctx->err.code;
    v = calloc((size_t)info.max_vcpu_id + 1, sizeof(*v));
    if (!v)
        return xb_err_set(&ctx->err, -ENOMEM, "vcpu-list: out of memory");
    for (unsigned i = 0; rc == 0 && i <= info.max_vcpu_id; i++)
        rc = one_vcpu(ctx, domid, i, &v[i]);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = (size_t)info.max_vcpu_id + 1;
    return 0;
}

struct online_job {
    uint32_t domid;
    unsigned count, max;
};

static int online_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct online_job *j = arg;
    char p[PATH_MAX_XS];
    int rc = 0;

    for (unsigned i = 0; rc == 0 && i < j->max; i++) {
        const char *v = i < j->count ? "online" : "offline";

        snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/cpu/%u/availability", j->domid,
                 i);
        rc = xs->ops->write(xs, err, tx, p, v, strlen(v));
    }
    return rc;
}

int xb_vcpu_set_online(struct xb_ctx *ctx, uint32_t domid, unsigned count)
{
    struct xb_hv_dominfo info;
    struct online_job j = {.domid = domid, .count = count};
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    j.max = info.max_vcpu_id + 1;
    if (count == 0 || count > j.max)
        return xb_err_set(&ctx->err, -EINVAL,
                          "vcpu-set: %u vCPUs, but domain %" PRIu32
                          " has 1 to %u (maxvcpus)",
                          count, domid, j.max);
    return xb__xs_transaction(ctx->xs, &ctx->err, online_body, &j, "set the vCPUs");
}

static bool map_has_cpu(const struct xb_cpumap *m, unsigned nr_cpus)
{
    for (unsigned i = 0; i < nr_cpus; i++)
        if (m->bits[i / 64] >> (i % 64) & 1)
            return true;
    return false;
}

int xb_vcpu_pin(struct xb_ctx *ctx, uint32_t domid, int vcpu,
                const struct xb_cpumap *hard, const struct xb_cpumap *soft)
{
    struct xb_hv_dominfo info;
    uint8_t h[XB_CPUMAP_MAX / 8], s[XB_CPUMAP_MAX / 8];
    unsigned nr_cpus;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    if (vcpu < -1 || (vcpu >= 0 && (unsigned)vcpu > info.max_vcpu_id))
        return xb_err_set(&ctx->err, -EINVAL,
                          "vcpu-pin: domain %" PRIu32 " has no vCPU %d", domid, vcpu);
    nr_cpus = host_cpus(ctx);
    if (!nr_cpus)
        return ctx->err.code;
    if ((hard && !map_has_cpu(hard, nr_cpus)) || (soft && !map_has_cpu(soft, nr_cpus)))
        return xb_err_set(&ctx->err, -EINVAL,
                          "vcpu-pin: no CPU of this host in the map (it has CPUs 0-%u)",
                          nr_cpus - 1);
    if (hard)
        map_to_bytes(hard, h);
    if (soft)
        map_to_bytes(soft, s);
    for (unsigned v = vcpu < 0 ? 0 : (unsigned)vcpu;
         rc == 0 && v <= (vcpu < 0 ? info.max_vcpu_id : (unsigned)vcpu); v++)
        rc = ctx->hv->ops->vcpu_set_affinity(ctx->hv, &ctx->err, domid, v,
                                             hard ? h : NULL, soft ? s : NULL, sizeof(h));
    return rc;
}

int xb_domain_node_affinity(struct xb_ctx *ctx, uint32_t domid, struct xb_cpumap *nodes)
{
    struct xb_hv_dominfo info;
    uint8_t m[XB_CPUMAP_MAX / 8];
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (!rc)
        rc = ctx->hv->ops->node_affinity(ctx->hv, &ctx->err, domid, m, sizeof(m));
    if (!rc)
        map_from_bytes(m, nodes);
    return rc;
}
