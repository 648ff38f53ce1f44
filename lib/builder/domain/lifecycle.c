/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/lifecycle.c - running domains: list, find by name or
 * id (destroy.c destroys them); and the small helpers the domain layer
 * shares (domain.h). Works on any domain, whoever built it (xl or xbuild),
 * through the backends.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/sched.h>

#include <xbuild/builder.h>

#include "ctx.h"
#include "domain.h"
#include "monitor.h"
#include "nodes.h"

#define LIST_CHUNK      128u
#define DOMID_NONE      UINT32_MAX
#define RESTART_WAIT_MS 60000 /* the domain built again (TCG, a loaded host) */

int64_t xb__now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xb__xs_get(struct xb_ctx *ctx, struct xb_err *err, const char *path, char **val)
{
    size_t len;

    *val = NULL;
    return ctx->xs->ops->read(ctx->xs, err, XB_XS_NO_TX, path, val, &len);
}

int xb__xs_put(struct xb_ctx *ctx, struct xb_err *err, const char *path, const char *val)
{
    return ctx->xs->ops->write(ctx->xs, err, XB_XS_NO_TX, path, val, strlen(val));
}

int xb__xs_wait(struct xb_ctx *ctx, struct xb_err *err, int timeout_ms)
{
    char *path = NULL, *token = NULL;
    int rc = ctx->xs->ops->wait_watch(ctx->xs, err, timeout_ms, &path, &token);

    free(path);
    free(token);
    return rc == -ETIMEDOUT ? 0 : rc;
}

uint64_t xb__wall_cs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 100 + (uint64_t)ts.tv_nsec / 10000000;
}

int xb__dom_all(struct xb_ctx *ctx, struct xb_err *err, struct xb_hv_dominfo **out,
                size_t *n)
{
    struct xb_hv_dominfo *v = NULL, *grown;
    size_t have = 0;
    uint32_t first = 0;
    unsigned got;
    int rc;

    do {
        grown = realloc(v, (have + LIST_CHUNK) * sizeof(*v));
        if (!grown) {
            free(v);
            return xb_err_set(err, -ENOMEM, "list: out of memory");
        }
        v = grown;
        rc = ctx->hv->ops->domain_info(ctx->hv, err, first, v + have, LIST_CHUNK, &got);
        if (rc) {
            free(v);
            return rc;
        }
        have += got;
        if (got)
            first = v[have - 1].domid + 1;
    } while (got == LIST_CHUNK);
    *out = v;
    *n = have;
    return 0;
}

/* Read a xenstore node into @buf ("" when absent). */
static void xs_get(struct xb_ctx *ctx, const char *path, char *buf, size_t size)
{
    char *v = NULL;
    size_t len;

    buf[0] = '\0';
    if (ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, path, &v, &len) ==
        0) /* best effort */
        snprintf(buf, size, "%s", v);
    free(v);
}

static unsigned state_of(const struct xb_hv_dominfo *i)
{
    static const struct {
        uint32_t hv;
        unsigned dom;
    } map[] = {
        {XB_DOMINFO_RUNNING, XB_DOM_RUNNING},
        {XB_DOMINFO_BLOCKED, XB_DOM_BLOCKED},
        {XB_DOMINFO_PAUSED, XB_DOM_PAUSED},
        {XB_DOMINFO_DYING, XB_DOM_DYING},
    };
    unsigned s = 0;

    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
        if (i->flags & map[k].hv)
            s |= map[k].dom;
    if (i->flags & XB_DOMINFO_SHUTDOWN)
        s |= i->shutdown_reason == SHUTDOWN_crash ? XB_DOM_CRASHED : XB_DOM_SHUTDOWN;
    return s;
}

/* "pv", or for an HVM container what xl recorded: "pvh" or "hvm". */
static const char *type_of(struct xb_ctx *ctx, const struct xb_hv_dominfo *i)
{
    char path[64], t[16];

    if (!(i->flags & XB_DOMINFO_HVM))
        return "pv";
    snprintf(path, sizeof(path), "/libxl/%u/type", i->domid);
    xs_get(ctx, path, t, sizeof(t));
    return strcmp(t, "pvh") == 0 ? "pvh" : "hvm";
}

static void fill_info(struct xb_ctx *ctx, const struct xb_hv_dominfo *i,
                      struct xb_dominfo *o)
{
    char path[64], target[32];

    *o = (struct xb_dominfo){
        .domid = i->domid,
        .type = type_of(ctx, i),
        .mem_kib = i->tot_pages * 4,
        .maxmem_kib = i->max_pages * 4,
        .vcpus_online = i->nr_online_vcpus,
        .max_vcpus = i->max_vcpu_id + 1,
        .state = state_of(i),
        .shutdown_reason = i->shutdown_reason,
        .cpu_time_ns = i->cpu_time_ns,
        .cpupool = i->cpupool,
        .ssidref = i->ssidref,
    };
    memcpy(o->uuid, i->handle, sizeof(o->uuid));
    snprintf(path, sizeof(path), "/local/domain/%u/name", i->domid);
    xs_get(ctx, path, o->name, sizeof(o->name));
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", i->domid);
    xs_get(ctx, path, target, sizeof(target));
    o->target_kib = strtoull(target, NULL, 10);
}

int xb_domain_list(struct xb_ctx *ctx, struct xb_dominfo **out, size_t *n)
{
    struct xb_hv_dominfo *raw = NULL;
    struct xb_dominfo *v;
    size_t count = 0;
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    *n = 0;
    rc = xb__dom_all(ctx, &ctx->err, &raw, &count);
    if (rc)
        return rc;
    v = calloc(count ? count : 1, sizeof(*v));
    if (!v) {
        free(raw);
        return xb_err_set(&ctx->err, -ENOMEM, "list: out of memory");
    }
    for (size_t k = 0; k < count; k++)
        fill_info(ctx, &raw[k], &v[k]);
    free(raw);
    *out = v;
    *n = count;
    return 0;
}

int xb__dom_info(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                 struct xb_hv_dominfo *info)
{
    unsigned got = 0;
    int rc = ctx->hv->ops->domain_info(ctx->hv, err, domid, info, 1, &got);

    if (rc)
        return rc;
    return got == 1 && info->domid == domid ? 0 : -ESRCH;
}

static bool parse_domid(const char *s, uint32_t *domid)
{
    char *end;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v >= 0x7ff0) /* DOMID_FIRST_RESERVED */
        return false;
    *domid = (uint32_t)v;
    return true;
}

static bool in_list(const uint32_t *v, size_t n, uint32_t id)
{
    for (size_t lo = 0, hi = n; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] == id)
            return true;
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/*
 * How many domains but @skip and those in @known (sorted) are named @name;
 * the first one in *domid. Every name read in one batch: one round trip to
 * xenstored, however many domains run (best effort: a domain without a
 * name has none).
 */
static int count_named(struct xb_ctx *ctx, struct xb_err *err, const char *name,
                       uint32_t skip, const uint32_t *known, size_t n_known,
                       uint32_t *domid, size_t *hits)
{
    struct xb_hv_dominfo *raw = NULL;
    size_t count = 0, n = 0;
    int rc = xb__dom_all(ctx, err, &raw, &count);
    struct xb_xs_op *op = rc ? NULL : calloc(count + 1, sizeof(*op));
    char(*path)[32] = rc ? NULL : calloc(count + 1, sizeof(*path));

    *hits = 0;
    if (!rc && (!op || !path))
        rc = xb_err_set(err, -ENOMEM, "name: out of memory");
    for (size_t k = 0; rc == 0 && k < count; k++) {
        if (raw[k].domid == skip || in_list(known, n_known, raw[k].domid))
            continue;
        snprintf(path[n], sizeof(path[n]), "/local/domain/%u/name", raw[k].domid);
        op[n] = (struct xb_xs_op){.kind = XB_XS_OP_READ, .path = path[n]};
        n++;
    }
    if (rc == 0 && n)
        ctx->xs->ops->batch(ctx->xs, NULL, false, op, n);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        if (op[k].rc == 0 && strcmp(op[k].out, name) == 0 && (*hits)++ == 0)
            *domid = (uint32_t)strtoul(op[k].path + strlen("/local/domain/"), NULL, 10);
        free(op[k].out);
    }
    free(op);
    free(path);
    free(raw);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * The domains with a monitor's record (xbuild's, which hold their name
 * claim for life), sorted into *@ids (malloc'd).
 */
static int claimed_domains(struct xb_ctx *ctx, struct xb_err *err, uint32_t **ids,
                           size_t *n)
{
    char **v = NULL;
    size_t k = 0;
    int rc =
        ctx->xs->ops->directory(ctx->xs, err, XB_XS_NO_TX, XB_MONITOR_RECORDS, &v, &k);

    *ids = NULL;
    *n = 0;
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    *ids = calloc(k + 1, sizeof(**ids));
    for (size_t i = 0; i < k; i++) {
        if (*ids)
            (*ids)[i] = (uint32_t)strtoul(v[i], NULL, 10);
        free(v[i]);
    }
    free(v);
    if (!*ids)
        return xb_err_set(err, -ENOMEM, "name: out of memory");
    qsort(*ids, k, sizeof(**ids), cmp_u32);
    *n = k;
    return 0;
}

/*
 * While the monitor re-creates a domain for a restart, its name is held by
 * a restart entry: wait (at most RESTART_WAIT_MS) until a domain carries
 * it again. True when there was an entry.
 */
static bool wait_restart(struct xb_ctx *ctx, const char *name)
{
    char p[XB_XS_NAME_PATH_MAX], *v = NULL;
    int64_t end = xb__now_ms() + RESTART_WAIT_MS;
    bool watching, held = false;

    if (xb__xs_restart_path(name, p, sizeof(p)) != 0)
        return false;
    watching = ctx->xs->ops->watch(ctx->xs, NULL, p, "xb-find") == 0;
    while (xb__xs_get(ctx, NULL, p, &v) == 0 && xb__now_ms() < end) {
        free(v);
        v = NULL;
        held = true;
        if (!watching || xb__xs_wait(ctx, NULL, (int)(end - xb__now_ms())) != 0)
            break;
    }
    free(v);
    if (watching)
        ctx->xs->ops->unwatch(ctx->xs, NULL, p, "xb-find");
    return held;
}

static int find_by_name(struct xb_ctx *ctx, struct xb_err *err, const char *name,
                        uint32_t *domid, bool wait)
{
    size_t hits = 0;
    int rc = count_named(ctx, err, name, DOMID_NONE, NULL, 0, domid, &hits);

    if (rc == 0 && hits == 0 && wait && wait_restart(ctx, name))
        rc = count_named(ctx, err, name, DOMID_NONE, NULL, 0, domid, &hits);

    if (rc)
        return rc;
    if (hits == 0)
        return xb_err_set(err, -ENOENT, "no domain named \"%s\"", name);
    if (hits > 1)
        return xb_err_set(err, -EEXIST, "%zu domains are named \"%s\": use the id", hits,
                          name);
    return 0;
}

/*
 * After the claim (xb__xs_name_claim()): xbuild's domains hold theirs, so
 * it answered for them however many run; the others' names are read. (One
 * that `xl rename` gave the name keeps its claim under the old one: not
 * seen here.)
 */
int xb__dom_name_taken(struct xb_ctx *ctx, struct xb_err *err, const char *name,
                       uint32_t self)
{
    uint32_t other = 0, *known = NULL;
    size_t hits = 0, n_known = 0;
    int rc = claimed_domains(ctx, err, &known, &n_known);

    if (!rc)
        rc = count_named(ctx, err, name, self, known, n_known, &other, &hits);
    free(known);
    if (rc || hits == 0)
        return rc;
    return xb_err_set(err, -EEXIST,
                      "name: a domain named \"%s\" already exists (domain %u); "
                      "destroy it or choose another name",
                      name, other);
}

int xb__dom_need(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                 struct xb_hv_dominfo *info)
{
    int rc = xb__dom_info(ctx, err, domid, info);

    if (rc == -ESRCH)
        return xb_err_set(err, -ESRCH, "no domain with id %u", domid);
    return rc;
}

static int find(struct xb_ctx *ctx, struct xb_err *err, const char *what, uint32_t *domid,
                bool wait)
{
    struct xb_hv_dominfo info;
    uint32_t id;
    int rc;

    if (!parse_domid(what, &id))
        return find_by_name(ctx, err, what, domid, wait);
    rc = xb__dom_info(ctx, err, id, &info);
    if (rc == -ESRCH)
        return xb_err_set(err, -ENOENT, "no domain with id %u", id);
    if (rc == 0)
        *domid = id;
    return rc;
}

int xb__dom_find(struct xb_ctx *ctx, struct xb_err *err, const char *what,
                 uint32_t *domid)
{
    return find(ctx, err, what, domid, true);
}

int xb__dom_find_now(struct xb_ctx *ctx, struct xb_err *err, const char *what,
                     uint32_t *domid)
{
    return find(ctx, err, what, domid, false);
}

int xb_domain_find(struct xb_ctx *ctx, const char *what, uint32_t *domid)
{
    xb__ctx_reset(ctx);
    return xb__dom_find(ctx, &ctx->err, what, domid);
}
