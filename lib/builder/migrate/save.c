/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/migrate/save.c - xb_domain_save(): checks that the domain can
 * be saved (and live, when asked), the image header with the domain's
 * configuration, the guest asked to suspend when libxenguest wants it
 * stopped, libxenguest's stream, libxl's END record; then the domain is
 * destroyed, resumed or left suspended. Any failure resumes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xen/sched.h>

#include "../domain/domain.h"
#include "../domain/nodes.h"
#include "migrate.h"

#define SUSPEND_TIMEOUT_MS 60000u
#define SUSPEND_POLL_US    500
#define USERDATA_MAX       (16u << 20)

struct save {
    struct xb_ctx *ctx;
    uint32_t domid;
    struct xb_save_opts o;
    struct xb_save_stats *st;
    struct xb_hv_dominfo info;
    char name[128];
    bool pvh;
    char *stored;   /* the configuration read from libxl's userdata (malloc'd) */
    bool requested; /* the suspend request was written */
};

static struct xb_err *serr(struct save *s)
{
    return &s->ctx->err;
}

uint64_t xb__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void xs_get(struct save *s, const char *rel, char *buf, size_t size)
{
    char path[96], *v = NULL;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", s->domid, rel);
    buf[0] = '\0';
    if (s->ctx->xs->ops->read(s->ctx->xs, NULL, XB_XS_NO_TX, path, &v, NULL) == 0)
        snprintf(buf, size, "%s", v);
    free(v);
}

/* ---- what can be saved ---- */

static const char *shutdown_name(unsigned reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "powered off", [SHUTDOWN_reboot] = "rebooting",
        [SHUTDOWN_suspend] = "suspended",    [SHUTDOWN_crash] = "crashed",
        [SHUTDOWN_watchdog] = "watchdog",    [SHUTDOWN_soft_reset] = "soft reset",
    };

    return reason < sizeof(names) / sizeof(names[0]) && names[reason] ? names[reason]
                                                                      : "shut down";
}

static bool suspended(const struct xb_hv_dominfo *i)
{
    return (i->flags & XB_DOMINFO_SHUTDOWN) && i->shutdown_reason == SHUTDOWN_suspend;
}

/* A live PV or PVH guest that can answer a suspend request. */
static int check_domain(struct save *s)
{
    char type[16] = "";
    int rc;

    if (s->domid == 0)
        return xb_err_set(serr(s), -EPERM, "refusing to save dom0");
    rc = xb__dom_info(s->ctx, serr(s), s->domid, &s->info);
    if (rc == -ESRCH)
        return xb_err_set(serr(s), -ENOENT, "no domain with id %u", s->domid);
    if (rc)
        return rc;
    xs_get(s, "name", s->name, sizeof(s->name));
    if (!s->name[0])
        snprintf(s->name, sizeof(s->name), "domain %u", s->domid);
    if (s->info.flags & XB_DOMINFO_HVM) {
        char path[64], *v = NULL;
        snprintf(path, sizeof(path), "/libxl/%u/type", s->domid);
        if (s->ctx->xs->ops->read(s->ctx->xs, NULL, XB_XS_NO_TX, path, &v, NULL) == 0)
            snprintf(type, sizeof(type), "%s", v);
        free(v);
        if (strcmp(type, "pvh") != 0)
            return xb_err_set(serr(s), -EOPNOTSUPP,
                              "%s is an HVM guest (a device model holds part of its "
                              "state): xbuild saves PV and PVH guests",
                              s->name);
        s->pvh = true;
    }
    if (s->info.flags & XB_DOMINFO_DYING)
        return xb_err_set(serr(s), -ESRCH, "%s is being destroyed", s->name);
    if ((s->info.flags & XB_DOMINFO_SHUTDOWN) && !suspended(&s->info))
        return xb_err_set(serr(s), -EINVAL, "%s has %s: there is nothing left to save",
                          s->name, shutdown_name(s->info.shutdown_reason));
    if ((s->info.flags & XB_DOMINFO_PAUSED) && !suspended(&s->info))
        return xb_err_set(serr(s), -EBUSY,
                          "%s is paused: a paused guest cannot answer the suspend "
                          "request (unpause it first)",
                          s->name);
    return 0;
}

/* Live for PV needs shadow paging (log-dirty); without it, non-live and said so. */
static int pick_mode(struct save *s)
{
    struct xb_hv_physinfo pi;
    int rc;

    s->st->live = s->o.live;
    if (!s->o.live || s->pvh)
        return 0;
    rc = s->ctx->hv->ops->physinfo(s->ctx->hv, serr(s), &pi);
    if (rc || pi.shadow)
        return rc;
    if (s->o.live_only)
        return xb_err_set(serr(s), -EOPNOTSUPP,
                          "%s is a PV guest, which moves live only with shadow paging "
                          "(log-dirty), and this Xen %u.%u has none (no \"shadow\" in "
                          "xl info's virt_caps)",
                          s->name, pi.xen_major, pi.xen_minor);
    s->st->live = false;
    xb__ctx_warn(s->ctx,
                 "%s: moving it non-live (paused for the whole copy): this Xen has no "
                 "shadow paging, which live migration of a PV guest needs",
                 s->name);
    return 0;
}

/* libxl's copy of the domain's configuration: userdata-d.DOMID.UUID.libxl-json. */
static int read_stored(struct save *s)
{
    char path[512], uuid[37];
    struct stat st;
    FILE *f;
    int rc = 0;

    xb__uuid_str(s->info.handle, uuid);
    snprintf(path, sizeof(path), "%s/userdata-d.%u.%s.libxl-json",
             s->ctx->userdata_dir ? s->ctx->userdata_dir : "", s->domid, uuid);
    f = s->ctx->userdata_dir ? fopen(path, "rb") : NULL;
    if (!f)
        return xb_err_set(serr(s), -ENOENT,
                          "%s has no stored configuration%s%s%s: give its config file",
                          s->name, s->ctx->userdata_dir ? " (no " : "",
                          s->ctx->userdata_dir ? path : "",
                          s->ctx->userdata_dir ? ")" : "");
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > USERDATA_MAX)
        rc = xb_err_set(serr(s), -EINVAL, "%s: not a configuration of 1 byte to 16 MiB",
                        path);
    if (!rc && !(s->stored = calloc(1, (size_t)st.st_size + 1)))
        rc = xb_err_set(serr(s), -ENOMEM, "%s: out of memory", path);
    if (!rc && fread(s->stored, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = xb_err_set(serr(s), -EIO, "%s: short read", path);
    fclose(f);
    if (rc)
        return rc;
    s->o.config = s->stored;
    s->o.config_len = strlen(s->stored);
    s->o.config_json = true;
    return 0;
}

/* ---- the suspend ---- */

static int request(struct save *s, const char *what)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", s->domid);
    return s->ctx->xs->ops->write(s->ctx->xs, what[0] ? serr(s) : NULL, XB_XS_NO_TX, path,
                                  what, strlen(what));
}

/* Wait until the guest is suspended; any other end is an error. */
static int wait_suspended(struct save *s)
{
    unsigned limit =
        s->o.suspend_timeout_ms ? s->o.suspend_timeout_ms : SUSPEND_TIMEOUT_MS;
    uint64_t deadline = xb__now_ns() + (uint64_t)limit * 1000000u;
    struct xb_hv_dominfo i;
    int rc;

    for (;;) {
        rc = xb__dom_info(s->ctx, serr(s), s->domid, &i);
        if (rc == -ESRCH)
            return xb_err_set(serr(s), rc, "%s vanished while suspending", s->name);
        if (rc)
            return rc;
        if (suspended(&i))
            return 0;
        if (i.flags & XB_DOMINFO_SHUTDOWN)
            return xb_err_set(serr(s), -ECANCELED, "%s %s instead of suspending", s->name,
                              shutdown_name(i.shutdown_reason));
        if (xb__now_ns() > deadline)
            return xb_err_set(serr(s), -ETIMEDOUT,
                              "%s did not suspend within %u s of the request (does its "
                              "kernel support Xen suspend?)",
                              s->name, (limit + 999) / 1000);
        usleep(SUSPEND_POLL_US);
    }
}

/* libxenguest's callback: stop the guest now (xenstore's control/shutdown). */
static int suspend_guest(void *data)
{
    struct save *s = data;
    int rc = 0;

    if (!suspended(&s->info)) {
        rc = request(s, "suspend");
        s->requested = rc == 0;
    }
    if (!rc)
        rc = wait_suspended(s);
    if (!rc)
        s->st->suspended_ns = xb__now_ns();
    return rc;
}

/* ---- the stream ---- */

static int write_stream(struct save *s, int fd)
{
    const struct xb_hv_save how = {
        .live = s->st->live, .suspend = suspend_guest, .data = s};
    struct xb_hv_save_stats hs;
    int rc = xb__xlhdr_write(fd, s->o.config, s->o.config_len, s->o.config_json, serr(s));

    if (!rc)
        rc = xb__lx_write_start(fd, serr(s));
    s->st->start_ns = xb__now_ns();
    if (!rc)
        rc = s->ctx->hv->ops->stream_save(s->ctx->hv, serr(s), s->domid, fd, &how, &hs);
    if (!rc)
        rc = xb__lx_write_end(fd, serr(s));
    if (!rc) {
        s->st->rounds = hs.rounds;
        s->st->pages_precopy = hs.pages_written;
        s->st->done_ns = xb__now_ns();
    }
    return rc;
}

int xb__dom_resume(struct xb_ctx *ctx, uint32_t domid, bool paused)
{
    int rc = paused ? ctx->hv->ops->domain_pause(ctx->hv, &ctx->err, domid) : 0;

    if (!rc)
        rc = ctx->hv->ops->domain_resume(ctx->hv, &ctx->err, domid);
    if (!rc)
        rc = ctx->xs->ops->resume(ctx->xs, &ctx->err, domid);
    return rc;
}

/* The save failed: the guest carries on as it was, said in a warning if it cannot. */
static void undo(struct save *s)
{
    struct xb_hv_dominfo i;
    struct xb_err why = {0};
    int rc = 0;

    if (xb__dom_info(s->ctx, NULL, s->domid, &i) != 0)
        return;
    if (suspended(&i) && s->ctx->hv->ops->domain_resume(s->ctx->hv, &why, s->domid) == 0)
        rc = s->ctx->xs->ops->resume(s->ctx->xs, &why, s->domid);
    else if (suspended(&i))
        rc = -1;
    else if (s->requested)
        request(s, ""); /* a request it has not seen yet must not fire later */
    if (rc)
        xb__ctx_warn(s->ctx, "%s could not be resumed after the failed save: %s", s->name,
                     why.msg);
}

static int then(struct save *s)
{
    switch (s->o.then) {
    case XB_SAVE_DESTROY:
        return xb__dom_destroy(s->ctx, s->domid, false);
    case XB_SAVE_RESUME:
    case XB_SAVE_PAUSE:
        return xb__dom_resume(s->ctx, s->domid, s->o.then == XB_SAVE_PAUSE);
    case XB_SAVE_SUSPENDED:
        return 0;
    }
    return xb_err_set(serr(s), -EINVAL, "save: unknown action %d", (int)s->o.then);
}

int xb__dom_save(struct xb_ctx *ctx, uint32_t domid, int fd,
                 const struct xb_save_opts *opts, struct xb_save_stats *stats)
{
    struct xb_save_stats own;
    struct save s = {
        .ctx = ctx,
        .domid = domid,
        .o = opts ? *opts : (struct xb_save_opts){0},
        .st = stats ? stats : &own,
    };
    int rc;

    *s.st = (struct xb_save_stats){0};
    rc = check_domain(&s);
    if (!rc)
        rc = pick_mode(&s); /* live, or why not */
    if (!rc && !s.o.config)
        rc = read_stored(&s);
    if (!rc)
        rc = write_stream(&s, fd); /* header, configuration, the guest's state */
    if (rc)
        undo(&s);
    else
        rc = then(&s);
    free(s.stored);
    return rc;
}

int xb_domain_save(struct xb_ctx *ctx, uint32_t domid, int fd,
                   const struct xb_save_opts *opts, struct xb_save_stats *stats)
{
    xb__ctx_reset(ctx);
    return xb__dom_save(ctx, domid, fd, opts, stats);
}

int xb_domain_resume(struct xb_ctx *ctx, uint32_t domid)
{
    struct xb_hv_dominfo i;
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__dom_info(ctx, &ctx->err, domid, &i);
    if (rc == -ESRCH)
        return xb_err_set(&ctx->err, -ENOENT, "no domain with id %u", domid);
    if (!rc && !suspended(&i))
        return xb_err_set(&ctx->err, -EINVAL, "domain %u is not suspended", domid);
    return rc ? rc : xb__dom_resume(ctx, domid, false);
}

int xb_domain_live_ok(struct xb_ctx *ctx, uint32_t domid)
{
    struct xb_save_stats st;
    struct save s = {
        .ctx = ctx,
        .domid = domid,
        .o = {.live = true, .live_only = true},
        .st = &st,
    };
    int rc;

    xb__ctx_reset(ctx);
    rc = check_domain(&s);
    return rc ? rc : pick_mode(&s);
}
