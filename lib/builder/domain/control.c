/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/control.c - acting on a running domain, whoever built
 * it: pause, shutdown/reboot requests (control/shutdown), waiting until it
 * is gone, sysrq, triggers, core dumps, rename, uptime.
 */
#include <errno.h>
#include <inttypes.h>
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
#include "userdata.h"

#define PATH_MAX_XS 160

static int refuse_dom0(struct xb_ctx *ctx, uint32_t domid, const char *what)
{
    if (domid != 0)
        return 0;
    return xb_err_set(&ctx->err, -EPERM, "refusing to %s dom0 (the host itself)", what);
}

int xb_domain_pause(struct xb_ctx *ctx, uint32_t domid)
{
    struct xb_hv_dominfo info;
    int rc;

    xb__ctx_reset(ctx);
    rc = refuse_dom0(ctx, domid, "pause");
    if (!rc)
        rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    return rc ? rc : ctx->hv->ops->domain_pause(ctx->hv, &ctx->err, domid);
}

/* Whether the guest advertises PV control for @req (control/feature-*). */
static bool has_pv_control(struct xb_ctx *ctx, uint32_t domid, enum xb_request req)
{
    char p[PATH_MAX_XS], *v = NULL;
    bool yes;

    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/control/feature-%s", domid,
             req == XB_REQ_REBOOT ? "reboot" : "poweroff");
    yes = xb__xs_get(ctx, NULL, p, &v) == 0 && strcmp(v, "1") == 0;
    free(v);
    return yes;
}

int xb_domain_request(struct xb_ctx *ctx, uint32_t domid, enum xb_request req,
                      unsigned flags, bool *forced)
{
    const char *cmd = req == XB_REQ_REBOOT ? "reboot" : "poweroff";
    struct xb_hv_dominfo info;
    char p[PATH_MAX_XS];
    int rc;

    xb__ctx_reset(ctx);
    if (forced)
        *forced = false;
    rc = refuse_dom0(ctx, domid, req == XB_REQ_REBOOT ? "reboot" : "shut down");
    if (!rc)
        rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    if ((flags & XB_REQ_FORCE) && !has_pv_control(ctx, domid, req)) {
        if (forced)
            *forced = true;
        return ctx->hv->ops->domain_shutdown(ctx->hv, &ctx->err, domid,
                                             req == XB_REQ_REBOOT ? SHUTDOWN_reboot
                                                                  : SHUTDOWN_poweroff);
    }
    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/control/shutdown", domid);
    return xb__xs_put(ctx, &ctx->err, p, cmd);
}

/*
 * While a wait goes on: whether the domain had a monitor's record when it
 * began, and when that record was seen gone with the domain still there
 * (a destroy removes the record first, then the domain: not kept).
 */
struct waiting {
    bool recorded;
    bool dying;            /* seen dying: looked at again every WAIT_POLL_MS */
    int64_t unrecorded_at; /* 0: not seen */
};

#define WAIT_POLL_MS 100

#define UNRECORDED_MS 10000 /* a destroy under way, at most */

/* Whether @domid holds its name's claim: one of xbuild's (names.c). */
static bool claims_its_name(struct xb_ctx *ctx, uint32_t domid)
{
    char p[PATH_MAX_XS], claim[XB_XS_NAME_PATH_MAX], *name = NULL, *holder = NULL;
    bool mine = false;

    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/name", domid);
    if (xb__xs_get(ctx, NULL, p, &name) == 0 &&
        xb__xs_claim_path(name, claim, sizeof(claim)) == 0 &&
        xb__xs_get(ctx, NULL, claim, &holder) == 0)
        mine = strtoul(holder, NULL, 10) == domid;
    free(name);
    free(holder);
    return mine;
}

/* One look: 1 done (*result set), 0 not yet, <0 error. */
static int check_wait(struct xb_ctx *ctx, uint32_t domid, struct waiting *w,
                      enum xb_wait_result *result)
{
    struct xb_hv_dominfo info;
    int rc = xb__dom_info(ctx, &ctx->err, domid, &info), kept;

    if (rc == -ESRCH) {
        *result = XB_WAIT_GONE;
        return 1;
    }
    if (rc == 0 && (info.flags & XB_DOMINFO_DYING)) {
        /*
         * Destroyed. Xen frees it once its last page is unmapped and tells
         * no one: xenstored, whose @releaseDomain woke us, may have released
         * it already. Gone once its destroyer has removed its nodes too.
         */
        char p[PATH_MAX_XS], *v = NULL;

        w->dying = true;
        snprintf(p, sizeof(p), "/local/domain/%" PRIu32, domid);
        rc = xb__xs_get(ctx, NULL, p, &v);
        free(v);
        if (rc == -ENOENT) {
            *result = XB_WAIT_GONE;
            return 1;
        }
        return 0;
    }
    if (rc || !(info.flags & XB_DOMINFO_SHUTDOWN))
        return rc;
    /* shut down: kept, unless xbuild's monitor has yet to act on it */
    kept = xb__monitor_kept(ctx, domid);
    if (kept == 1)
        return 0;
    if (kept == 0 && (w->recorded || claims_its_name(ctx, domid))) {
        /* xbuild's, its record gone: being destroyed (the record goes first) */
        if (!w->unrecorded_at)
            w->unrecorded_at = xb__now_ms();
        if (xb__now_ms() - w->unrecorded_at < UNRECORDED_MS)
            return 0;
    }
    *result = XB_WAIT_KEPT;
    return 1;
}

int xb_domain_wait(struct xb_ctx *ctx, uint32_t domid, int timeout_ms,
                   enum xb_wait_result *result)
{
    char rec[PATH_MAX_XS], token[32];
    int64_t end = xb__now_ms() + timeout_ms;
    struct waiting w = {0};
    int rc;

    xb__ctx_reset(ctx);
    snprintf(rec, sizeof(rec), XB_MONITOR_RECORDS "/%" PRIu32, domid);
    snprintf(token, sizeof(token), "xb-wait-%" PRIu32, domid);
    rc = ctx->xs->ops->watch(ctx->xs, &ctx->err, "@releaseDomain", token);
    if (!rc && (rc = ctx->xs->ops->watch(ctx->xs, &ctx->err, rec, token)) != 0)
        ctx->xs->ops->unwatch(ctx->xs, NULL, "@releaseDomain", token);
    if (rc)
        return rc;
    w.recorded = xb__monitor_kept(ctx, domid) != 0;
    while ((rc = check_wait(ctx, domid, &w, result)) == 0) {
        int left = timeout_ms < 0 ? -1 : (int)(end - xb__now_ms());

        if (timeout_ms >= 0 && left <= 0) {
            rc = xb_err_set(&ctx->err, -ETIMEDOUT,
                            "domain %" PRIu32 " still exists after %d ms", domid,
                            timeout_ms);
            break;
        }
        if ((w.unrecorded_at || w.dying) && (left < 0 || left > WAIT_POLL_MS))
            left = WAIT_POLL_MS; /* an end that may fire no watch: look again */
        rc = xb__xs_wait(ctx, &ctx->err, left);
        if (rc)
            break;
    }
    ctx->xs->ops->unwatch(ctx->xs, NULL, rec, token);
    ctx->xs->ops->unwatch(ctx->xs, NULL, "@releaseDomain", token);
    return rc < 0 ? rc : 0;
}

int xb_domain_sysrq(struct xb_ctx *ctx, uint32_t domid, char key)
{
    struct xb_hv_dominfo info;
    char p[PATH_MAX_XS], v[2] = {key, '\0'};
    int rc;

    xb__ctx_reset(ctx);
    if (key <= ' ' || key > '~')
        return xb_err_set(&ctx->err, -EINVAL,
                          "sysrq: key %#x is not a printable character",
                          (unsigned char)key);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/control/sysrq", domid);
    return rc ? rc : xb__xs_put(ctx, &ctx->err, p, v);
}

static const char *const trigger_names[XB_TRIGGER_COUNT] = {
    [XB_TRIGGER_NMI] = "nmi",     [XB_TRIGGER_RESET] = "reset",
    [XB_TRIGGER_INIT] = "init",   [XB_TRIGGER_POWER] = "power",
    [XB_TRIGGER_SLEEP] = "sleep", [XB_TRIGGER_S3RESUME] = "s3resume",
};

const char *xb_trigger_name(enum xb_trigger t)
{
    return (unsigned)t < XB_TRIGGER_COUNT ? trigger_names[t] : "?";
}

int xb_trigger_from_name(const char *name, enum xb_trigger *out)
{
    for (unsigned t = 0; t < XB_TRIGGER_COUNT; t++)
        if (strcmp(trigger_names[t], name) == 0) {
            *out = (enum xb_trigger)t;
            return 0;
        }
    return -EINVAL;
}

int xb_domain_trigger(struct xb_ctx *ctx, uint32_t domid, enum xb_trigger t,
                      unsigned vcpu)
{
    struct xb_hv_dominfo info;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (!rc && vcpu > info.max_vcpu_id)
        rc = xb_err_set(&ctx->err, -EINVAL, "trigger: domain %" PRIu32 " has no vCPU %u",
                        domid, vcpu);
    if (!rc && t != XB_TRIGGER_NMI && !(info.flags & XB_DOMINFO_HVM))
        rc =
            xb_err_set(&ctx->err, -EINVAL,
                       "trigger: %s is for HVM and PVH guests; a PV guest only takes nmi",
                       xb_trigger_name(t));
    return rc ? rc : ctx->hv->ops->send_trigger(ctx->hv, &ctx->err, domid, t, vcpu);
}

int xb_domain_dump_core(struct xb_ctx *ctx, uint32_t domid, const char *path)
{
    struct xb_hv_dominfo info;
    bool paused;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (rc)
        return rc;
    paused = info.flags & (XB_DOMINFO_PAUSED | XB_DOMINFO_SHUTDOWN);
    if (!paused && domid != 0)
        rc = ctx->hv->ops->domain_pause(ctx->hv, &ctx->err, domid);
    if (!rc)
        rc = ctx->hv->ops->dump_core(ctx->hv, &ctx->err, domid, path);
    if (!paused && domid != 0)
        ctx->hv->ops->domain_unpause(ctx->hv, rc ? NULL : &ctx->err, domid);
    return rc ? rc : ctx->err.code;
}

int xb_domain_rename(struct xb_ctx *ctx, uint32_t domid, const char *name)
{
    struct xb_hv_dominfo info;
    int rc;

    xb__ctx_reset(ctx);
    if (!name[0] || strchr(name, '/') ||
        strlen(name) >= sizeof(((struct xb_dominfo *)0)->name))
        return xb_err_set(
            &ctx->err, -EINVAL,
            "rename: \"%.40s\" is not a domain name (1 to 127 bytes, no '/')", name);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (!rc)
        rc = xb__dom_name_taken(ctx, &ctx->err, name, domid);
    if (!rc)
        rc = xb__xs_rename(ctx->xs, &ctx->err, domid, name);
    if (!rc)
        rc = xb__userdata_rename(ctx, &ctx->err, domid, info.handle, name);
    return rc;
}

/* Seconds since the host booted, from /proc/uptime. */
static int host_uptime(struct xb_ctx *ctx, uint64_t *seconds)
{
    FILE *f = fopen("/proc/uptime", "re");
    double up = 0;
    int n = f ? fscanf(f, "%lf", &up) : 0;

    if (f)
        fclose(f);
    if (n != 1)
        return xb_err_set(&ctx->err, -EIO, "uptime: cannot read /proc/uptime");
    *seconds = (uint64_t)up;
    return 0;
}

int xb_domain_uptime(struct xb_ctx *ctx, uint32_t domid, uint64_t *seconds)
{
    struct xb_hv_dominfo info;
    char p[PATH_MAX_XS], *vm = NULL, *start = NULL;
    unsigned long long s = 0;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_need(ctx, &ctx->err, domid, &info);
    if (!rc && domid == 0)
        return host_uptime(ctx, seconds);
    snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/vm", domid);
    if (!rc)
        rc = xb__xs_get(ctx, &ctx->err, p, &vm);
    if (!rc) {
        snprintf(p, sizeof(p), "%.120s/start_time", vm);
        rc = xb__xs_get(ctx, &ctx->err, p, &start);
    }
    if (!rc && sscanf(start, "%llu", &s) != 1)
        rc = -ENOENT;
    if (rc == -ENOENT)
        rc =
            xb_err_set(&ctx->err, -ENOENT, "domain %" PRIu32 " has no start time", domid);
    if (!rc)
        *seconds = (uint64_t)time(NULL) > s ? (uint64_t)time(NULL) - s : 0;
    free(vm);
    free(start);
    return rc;
}

int xb_cpupool_name(struct xb_ctx *ctx, uint32_t pool, char *buf, size_t size)
{
    char p[PATH_MAX_XS], *v = NULL;
    int rc;

    xb__ctx_reset(ctx);
    snprintf(p, sizeof(p), "/local/pool/%" PRIu32 "/name", pool);
    rc = xb__xs_get(ctx, &ctx->err, p, &v);
    if (rc == 0)
        snprintf(buf, size, "%s", v);
    else if (rc == -ENOENT)
        snprintf(buf, size, "Pool-%" PRIu32, pool);
    free(v);
    return rc == -ENOENT ? 0 : rc;
}
