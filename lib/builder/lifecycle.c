/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/lifecycle.c - running domains: list, find by name or id,
 * destroy, and the monitor that applies on_poweroff/on_reboot/on_crash.
 * Works on any domain, whoever built it (xl or xbuild), through hv->ops.
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
#include "hv.h"
#include "xenstore.h"

#define LIST_CHUNK       128u
#define MONITOR_POLL_MS  1000
#define DRAIN_DEFAULT_MS 2000u
#define DRAIN_STEP_MS    20

/* The context's backend, the context reset for a new call. */
static struct xb_hv *hv_of(struct xb_ctx *ctx)
{
    xb__ctx_reset(ctx);
    return ctx->hv;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Every domain's hypervisor record, in domid order; *out malloc'd. */
static int all_dominfo(struct xb_hv *hv, struct xb_hv_dominfo **out, size_t *n)
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
            return xb_err_set(hv->err, -ENOMEM, "list: out of memory");
        }
        v = grown;
        rc = hv->ops->domain_info(hv, first, v + have, LIST_CHUNK, &got);
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
static void xs_get(struct xb_hv *hv, const char *path, char *buf, size_t size)
{
    char *v = NULL;
    size_t len;

    buf[0] = '\0';
    if (hv->ops->xs_read(hv, XB_XS_NO_TX, path, &v, &len) == 0)
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
static const char *type_of(struct xb_hv *hv, const struct xb_hv_dominfo *i)
{
    char path[64], t[16];

    if (!(i->flags & XB_DOMINFO_HVM))
        return "pv";
    snprintf(path, sizeof(path), "/libxl/%u/type", i->domid);
    xs_get(hv, path, t, sizeof(t));
    return strcmp(t, "pvh") == 0 ? "pvh" : "hvm";
}

static void fill_info(struct xb_hv *hv, const struct xb_hv_dominfo *i,
                      struct xb_dominfo *o)
{
    char path[64], target[32];

    *o = (struct xb_dominfo){
        .domid = i->domid,
        .type = type_of(hv, i),
        .mem_kib = i->tot_pages * 4,
        .maxmem_kib = i->max_pages * 4,
        .vcpus_online = i->nr_online_vcpus,
        .max_vcpus = i->max_vcpu_id + 1,
        .state = state_of(i),
        .shutdown_reason = i->shutdown_reason,
        .cpu_time_ns = i->cpu_time_ns,
    };
    memcpy(o->uuid, i->handle, sizeof(o->uuid));
    snprintf(path, sizeof(path), "/local/domain/%u/name", i->domid);
    xs_get(hv, path, o->name, sizeof(o->name));
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", i->domid);
    xs_get(hv, path, target, sizeof(target));
    o->target_kib = strtoull(target, NULL, 10);
}

int xb_domain_list(struct xb_ctx *ctx, struct xb_dominfo **out, size_t *n)
{
    struct xb_hv *hv = hv_of(ctx);
    struct xb_hv_dominfo *raw = NULL;
    struct xb_dominfo *v;
    size_t count = 0;
    int rc;

    *out = NULL;
    *n = 0;
    rc = all_dominfo(hv, &raw, &count);
    if (rc)
        return rc;
    v = calloc(count ? count : 1, sizeof(*v));
    if (!v) {
        free(raw);
        return xb_err_set(hv->err, -ENOMEM, "list: out of memory");
    }
    for (size_t k = 0; k < count; k++)
        fill_info(hv, &raw[k], &v[k]);
    free(raw);
    *out = v;
    *n = count;
    return 0;
}

/* Whether domain @domid exists; its record in *info when it does. */
static int dom_get(struct xb_hv *hv, uint32_t domid, struct xb_hv_dominfo *info)
{
    unsigned got = 0;
    int rc = hv->ops->domain_info(hv, domid, info, 1, &got);

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

static int find_by_name(struct xb_hv *hv, const char *name, uint32_t *domid)
{
    struct xb_hv_dominfo *raw = NULL;
    size_t count = 0, hits = 0;
    char path[64], have[128];
    int rc = all_dominfo(hv, &raw, &count);

    for (size_t k = 0; rc == 0 && k < count; k++) {
        snprintf(path, sizeof(path), "/local/domain/%u/name", raw[k].domid);
        xs_get(hv, path, have, sizeof(have));
        if (strcmp(have, name) == 0 && hits++ == 0)
            *domid = raw[k].domid;
    }
    free(raw);
    if (rc)
        return rc;
    if (hits == 0)
        return xb_err_set(hv->err, -ENOENT, "no domain named \"%s\"", name);
    if (hits > 1)
        return xb_err_set(hv->err, -EEXIST, "%zu domains are named \"%s\": use the id",
                          hits, name);
    return 0;
}

int xb_domain_find(struct xb_ctx *ctx, const char *what, uint32_t *domid)
{
    struct xb_hv *hv = hv_of(ctx);
    struct xb_hv_dominfo info;
    uint32_t id;
    int rc;

    if (!parse_domid(what, &id))
        return find_by_name(hv, what, domid);
    rc = dom_get(hv, id, &info);
    if (rc == -ESRCH)
        return xb_err_set(hv->err, -ENOENT, "no domain with id %u", id);
    if (rc == 0)
        *domid = id;
    return rc;
}

static int destroy(struct xb_hv *hv, uint32_t domid)
{
    struct xb_hv_dominfo info;
    int rc;

    if (domid == 0)
        return xb_err_set(hv->err, -EPERM, "refusing to destroy dom0");
    rc = dom_get(hv, domid, &info);
    if (rc == -ESRCH)
        return xb_err_set(hv->err, -ENOENT, "no domain with id %u", domid);
    if (rc)
        return rc;
    rc = hv->ops->domain_destroy(hv, domid);
    if (rc)
        return rc;
    return xb__xs_domain_remove(hv, domid);
}

int xb_domain_destroy(struct xb_ctx *ctx, uint32_t domid)
{
    return destroy(hv_of(ctx), domid);
}

/* -- the monitor -- */

static enum xb_action action_for(const struct xb_monitor_opts *o, unsigned reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return o->on_poweroff;
    case SHUTDOWN_reboot:
        return o->on_reboot;
    case SHUTDOWN_crash:
        return o->on_crash;
    case SHUTDOWN_watchdog:
        return o->on_reboot;
    default:
        return XB_ACTION_DESTROY;
    }
}

static int apply(struct xb_ctx *ctx, struct xb_hv *hv, uint32_t domid,
                 const struct xb_monitor_opts *o, unsigned reason)
{
    enum xb_action a = action_for(o, reason);
    unsigned limit = o->drain_ms ? o->drain_ms : DRAIN_DEFAULT_MS;
    int rc;

    if (a == XB_ACTION_PRESERVE)
        return 0;
    for (unsigned waited = 0; waited < limit; waited += DRAIN_STEP_MS) {
        if (xb_console_drained(ctx, domid) != 0)
            break; /* drained, or no ring to wait for */
        sleep_ms(DRAIN_STEP_MS);
    }
    sleep_ms(DRAIN_STEP_MS * 5); /* xenconsoled's buffer -> pty -> reader */
    rc = destroy(hv, domid);
    if (rc)
        return rc;
    switch (a) {
    case XB_ACTION_RESTART:
    case XB_ACTION_RENAME_RESTART:
    case XB_ACTION_COREDUMP_RESTART:
        return 1;
    default:
        return 0;
    }
}

int xb_domain_monitor(struct xb_ctx *ctx, uint32_t domid,
                      const struct xb_monitor_opts *opts)
{
    struct xb_hv *hv = hv_of(ctx);
    struct xb_hv_dominfo info;
    bool watching = false;
    char *path = NULL, *token = NULL;
    int rc;

    if (hv->ops->xs_watch)
        watching = hv->ops->xs_watch(hv, "@releaseDomain", "xb-monitor") == 0;
    for (;;) {
        rc = dom_get(hv, domid, &info);
        if (rc == -ESRCH || (rc == 0 && (info.flags & XB_DOMINFO_DYING))) {
            rc = 0; /* destroyed by someone else */
            break;
        }
        if (rc)
            break;
        if (info.flags & XB_DOMINFO_SHUTDOWN) {
            rc = apply(ctx, hv, domid, opts, info.shutdown_reason);
            break;
        }
        if (!watching) {
            sleep_ms(MONITOR_POLL_MS);
            continue;
        }
        rc = hv->ops->xs_wait_watch(hv, MONITOR_POLL_MS, &path, &token);
        free(path);
        free(token);
        path = token = NULL;
        if (rc && rc != -ETIMEDOUT)
            break;
    }
    if (watching)
        hv->ops->xs_unwatch(hv, "@releaseDomain", "xb-monitor");
    return rc;
}
