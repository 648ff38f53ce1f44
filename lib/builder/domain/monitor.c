/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/monitor.c - the monitor of the domains xbuild created:
 * their records in xenstore, and xb_monitor_step(), which applies
 * on_poweroff/on_reboot/on_watchdog/on_crash/on_soft_reset when one shuts
 * down. Event-driven: a @releaseDomain watch wakes it (xenstored fires it
 * when an introduced domain shuts down or goes away); its whole state is in
 * xenstore, so a monitor started after another died carries on where that
 * one stopped, including a shutdown that happened in between.
 *
 * A record, /xbuild/domains/DOMID (dom0 only), is one node (record.h): the
 * domain's name, uuid and on_* actions, what a restart re-creates it from,
 * its restarts in a row, whether it is kept (preserved) or suspended (left
 * to a save or migration). A restart first copies the record to /xbuild/restarts/NAME
 * (with old-domid), which holds the name meanwhile (creates refuse it, finds wait for
 * it), then destroys the old domain, creates the new one and removes the copy: a monitor
 * that dies in between finishes the job from the copy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <xen/sched.h>

#include <xbuild/builder.h>
#include <xbuild/config.h>

#include "domain.h"
#include "monitor.h"
#include "nodes.h"
#include "record.h"
#include "userdata.h"

#define RESTARTS_DIR     "/xbuild/restarts"
#define REC_PATH_MAX     (XB_XS_NAME_PATH_MAX + 64)
#define MAX_CONFIG       (1u << 20) /* bytes of config a record keeps */
#define MAX_OVERRIDES    256u
#define RESTART_BURST    5  /* restarts in a row, each within RESTART_WINDOW_S */
#define RESTART_WINDOW_S 10 /* of the previous: then the domain is destroyed */
#define WATCH_TOKEN      "xb-monitor"

struct xb_monitor {
    struct xb_ctx *ctx;
    bool watching;
};

static void record_path(char *buf, uint32_t domid)
{
    snprintf(buf, REC_PATH_MAX, XB_MONITOR_RECORDS "/%" PRIu32, domid);
}

int xb__monitor_record(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       const uint8_t uuid[16], const struct xb_spec *spec,
                       const struct xb_restart_source *src)
{
    struct xb_rec r = {
        .name = spec->name,
        .act = {spec->on_poweroff, spec->on_reboot, spec->on_watchdog, spec->on_crash,
                spec->on_soft_reset},
        .config = (char *)src->config,
        .config_len = src->config_len,
        .file = (char *)src->config_file,
        .override_dir = (char *)src->override_dir,
        .overrides = (char **)src->overrides,
        .n_overrides = src->n_overrides,
        .strict = src->strict,
    };
    char base[REC_PATH_MAX];

    if (src->config_len > MAX_CONFIG || src->n_overrides > MAX_OVERRIDES)
        return xb_err_set(err, -E2BIG,
                          "monitor: a config of %zu bytes and %zu overrides "
                          "is more than xenstore should keep",
                          src->config_len, src->n_overrides);
    memcpy(r.uuid, uuid, sizeof(r.uuid));
    record_path(base, domid);
    return xb__rec_write(ctx->xs, err, base, &r, false);
}

/* ---- the spec a restart re-creates ---- */

/* The first error diagnostic of @cfg as the message of @err. */
static int config_error(struct xb_err *err, const struct xb_config *cfg, int rc,
                        const char *file)
{
    for (size_t i = 0; i < xb_config_diag_count(cfg); i++) {
        const struct xb_diag *d = xb_config_diag(cfg, i);

        if (d->sev == XB_SEV_ERROR)
            return xb_err_set(err, rc ? rc : -EINVAL, "%s:%u:%u: %s", d->file, d->line,
                              d->col, d->msg);
    }
    return xb_err_set(err, rc ? rc : -EINVAL, "%s: the stored config does not parse",
                      file);
}

/* The stored text, parsed as it was at create (the file is not read again). */
static int rec_spec(const struct xb_rec *r, struct xb_err *err, struct xb_spec **out)
{
    const struct xb_spec_opts o = {
        .strict = r->strict, .override_dir = r->override_dir[0] ? r->override_dir : NULL};
    struct xb_config *cfg = NULL;
    int rc = xb_config_new(&cfg);

    *out = NULL;
    if (!rc)
        rc = xb_config_parse(cfg, r->config, r->config_len, r->file);
    for (size_t i = 0; !rc && i < r->n_overrides; i++)
        rc = xb_config_parse_override(cfg, r->overrides[i]);
    if (!rc)
        rc = xb_config_to_spec(cfg, &o, out);
    if (!rc)
        rc = xb_spec_check_files(cfg, *out);
    if (rc) {
        rc = cfg ? config_error(err, cfg, rc, r->file)
                 : xb_err_set(err, rc, "monitor: out of memory");
        xb_spec_free(*out);
        *out = NULL;
    } else if (strcmp((*out)->name, r->name) != 0) { /* renamed since */
        free((*out)->name);
        if (!((*out)->name = strdup(r->name)))
            rc = xb_err_set(err, -ENOMEM, "monitor: out of memory");
    }
    xb_config_free(cfg);
    return rc;
}

/* ---- actions ---- */

static struct xb_err *merr(struct xb_monitor *m)
{
    return &m->ctx->err;
}

static void event_init(struct xb_monitor_event *ev, uint32_t domid,
                       const struct xb_rec *r, unsigned reason, enum xb_action a)
{
    *ev = (struct xb_monitor_event){
        .domid = domid, .new_domid = UINT32_MAX, .reason = reason, .action = a};
    snprintf(ev->name, sizeof(ev->name), "%s", r->name);
}

static int rec_state(struct xb_monitor *m, uint32_t domid, const char *state)
{
    char p[REC_PATH_MAX];

    record_path(p, domid);
    return xb__rec_set_now(m->ctx->xs, merr(m), p, "state", state);
}

/* Xen's dump directory, as xl: /var/lib/xen/dump/NAME. */
static int dump_core(struct xb_monitor *m, uint32_t domid, const char *name)
{
    char path[1024];

    if (!m->ctx->userdata_dir)
        return 0;
    snprintf(path, sizeof(path), "%s/dump", m->ctx->userdata_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/dump/%s", m->ctx->userdata_dir, name);
    remove(path);
    return m->ctx->hv->ops->dump_core(m->ctx->hv, merr(m), domid, path);
}

/* What becomes of the old domain of a restart, once the new kernel is loaded. */
enum old_fate {
    OLD_GONE,    /* destroyed already (an entry a dead monitor left) */
    OLD_DESTROY, /* restart */
    OLD_KEEP,    /* rename-restart: kept under NAME-YYYYmmddTHHMMZ */
};

static int make_room(struct xb_monitor *m, const struct xb_rec *r, uint32_t old,
                     enum old_fate fate)
{
    char keep[192], suffix[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (fate == OLD_GONE)
        return 0;
    if (fate == OLD_DESTROY) {
        rc = xb__dom_destroy(m->ctx, old, false);
        return rc == -ENOENT ? 0 : rc;
    }
    strftime(suffix, sizeof(suffix), "-%Y%m%dT%H%MZ", gmtime_r(&now, &tm));
    snprintf(keep, sizeof(keep), "%.120s%s", r->name, suffix); /* as xl names it */
    rc = xb__xs_rename(m->ctx->xs, merr(m), old, keep);
    if (!rc)
        rc = xb__userdata_rename(m->ctx, merr(m), old, r->uuid, keep);
    return rc ? rc : rec_state(m, old, "kept");
}

/*
 * Create the domain of restart entry @r. Its spec and kernel are ready
 * before the old domain makes room, so that the name is carried again
 * within milliseconds. Its record gets the restart count.
 */
static int recreate(struct xb_monitor *m, const struct xb_rec *r, uint32_t old,
                    enum old_fate fate, uint32_t *domid)
{
    const struct xb_restart_source src = {
        .config = r->config,
        .config_len = r->config_len,
        .config_file = r->file,
        .overrides = r->overrides,
        .n_overrides = r->n_overrides,
        .override_dir = r->override_dir,
        .strict = r->strict,
    };
    struct xb_create_opts opts = {.source = &src};
    struct xb_image *img = NULL;
    struct xb_spec *spec = NULL;
    struct xb_err ierr = {0};
    char p[REC_PATH_MAX + 16], v[64];
    int rc = rec_spec(r, merr(m), &spec);

    if (!rc && fate != OLD_KEEP) { /* a restart keeps its uuid, as with xl */
        spec->has_uuid = true;
        memcpy(spec->uuid, r->uuid, sizeof(spec->uuid));
    }
    if (!rc && (rc = xb_image_load_file(spec->kernel, NULL, &img, &ierr)) != 0)
        xb_err_set(merr(m), rc, "kernel: %s", ierr.msg);
    opts.image = img;
    if (!rc)
        rc = make_room(m, r, old, fate);
    if (!rc)
        rc = xb__dom_create(m->ctx, spec, &opts, NULL, true, domid);
    record_path(p, *domid);
    snprintf(v, sizeof(v), "%u %" PRIu64, r->restarts, r->last_restart);
    if (!rc)
        rc = xb__rec_set_now(m->ctx->xs, merr(m), p, "restarts", v);
    xb_image_free(img);
    xb_spec_free(spec);
    return rc;
}

static int entry_path(const char *name, char *buf)
{
    return xb__xs_restart_path(name, buf, REC_PATH_MAX);
}

/* The restart entry of @r is done with: the name is the new domain's now. */
static int entry_drop(struct xb_monitor *m, const struct xb_rec *r)
{
    char p[REC_PATH_MAX];
    int rc = entry_path(r->name, p);

    if (!rc)
        rc = m->ctx->xs->ops->rm(m->ctx->xs, merr(m), XB_XS_NO_TX, p);
    return rc == -ENOENT ? 0 : rc;
}

static bool restarting_too_often(struct xb_rec *r)
{
    uint64_t now = xb__wall_cs() / 100;

    r->restarts = now - r->last_restart <= RESTART_WINDOW_S ? r->restarts + 1 : 1;
    r->last_restart = now;
    return r->restarts > RESTART_BURST;
}

/*
 * Restart: the record copied to its restart entry (which holds the name),
 * the old domain destroyed (@keep_old: renamed and kept instead), the new
 * one created, the entry dropped.
 */
static int restart(struct xb_monitor *m, uint32_t domid, struct xb_rec *r, bool keep_old,
                   struct xb_monitor_event *ev)
{
    char p[REC_PATH_MAX];
    int rc = entry_path(r->name, p);

    if (!rc && restarting_too_often(r)) {
        xb__dom_destroy(m->ctx, domid, false);
        return xb_err_set(merr(m), -ELOOP,
                          "restarted %d times, each within %d s of the last: destroyed",
                          RESTART_BURST, RESTART_WINDOW_S);
    }
    r->old_domid = domid;
    if (!rc)
        rc = xb__rec_write(m->ctx->xs, merr(m), p, r, true);
    if (!rc)
        rc = recreate(m, r, domid, keep_old ? OLD_KEEP : OLD_DESTROY, &ev->new_domid);
    if (!rc)
        rc = entry_drop(m, r);
    return rc;
}

static enum xb_action action_for(const struct xb_rec *r, unsigned reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return r->act[XB_REC_POWEROFF];
    case SHUTDOWN_reboot:
        return r->act[XB_REC_REBOOT];
    case SHUTDOWN_watchdog:
        return r->act[XB_REC_WATCHDOG];
    case SHUTDOWN_crash:
        return r->act[XB_REC_CRASH];
    case SHUTDOWN_soft_reset:
        return r->act[XB_REC_SOFT_RESET];
    case SHUTDOWN_suspend:
        return XB_ACTION_PRESERVE; /* suspended (save, migrate): left as it is */
    default:
        return XB_ACTION_DESTROY;
    }
}

/* Wait (bounded) until the guest's last console bytes are out, then act. */
static void drain(struct xb_monitor *m, uint32_t domid)
{
    for (int64_t end = xb__now_ms() + 2000; xb__now_ms() < end;) {
        if (xb__console_drained(m->ctx, domid) != 0)
            break; /* drained, or no ring to wait for */
        nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    }
}

static int apply(struct xb_monitor *m, uint32_t domid, struct xb_rec *r, unsigned reason,
                 struct xb_monitor_event *ev)
{
    enum xb_action a = action_for(r, reason);

    event_init(ev, domid, r, reason, a);
    if (a == XB_ACTION_PRESERVE) /* "suspended" holds only while it is: check_one() */
        return rec_state(m, domid, reason == SHUTDOWN_suspend ? "suspended" : "kept");
    if (a == XB_ACTION_COREDUMP_DESTROY || a == XB_ACTION_COREDUMP_RESTART)
        dump_core(m, domid, r->name); /* as xl: a failed dump does not stop the action */
    drain(m, domid);
    switch (a) {
    case XB_ACTION_RESTART:
    case XB_ACTION_COREDUMP_RESTART:
    case XB_ACTION_SOFT_RESET: /* no in-place reset of a PV domain: a restart */
        return restart(m, domid, r, false, ev);
    case XB_ACTION_RENAME_RESTART:
        return restart(m, domid, r, true, ev);
    default:
        return xb__dom_destroy(m->ctx, domid, false);
    }
}

/* ---- the scan ---- */

static void finish(struct xb_monitor *m, struct xb_monitor_event *ev, int rc)
{
    ev->rc = rc;
    if (rc)
        snprintf(ev->msg, sizeof(ev->msg), "%s", xb_errmsg(m->ctx));
}

/* A restart entry left by a monitor that died: finish it. 1 when one was. */
static int finish_restarts(struct xb_monitor *m, struct xb_monitor_event *ev)
{
    char **names = NULL, p[REC_PATH_MAX];
    size_t n = 0;
    int rc = m->ctx->xs->ops->directory(m->ctx->xs, merr(m), XB_XS_NO_TX, RESTARTS_DIR,
                                        &names, &n);
    int done = 0;

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; i < n; i++) {
        struct xb_rec r = {0};
        uint32_t id;

        snprintf(p, sizeof(p), RESTARTS_DIR "/%s", names[i]);
        if (done || xb__rec_read(m->ctx->xs, merr(m), XB_XS_NO_TX, p, &r) != 0)
            continue;
        if (r.legacy) { /* an older xbuild's monitor's to finish */
            xb__rec_free(&r);
            continue;
        }
        event_init(ev, r.old_domid, &r, SHUTDOWN_reboot, XB_ACTION_RESTART);
        if (xb__dom_find_now(m->ctx, NULL, r.name, &id) == 0 && id != r.old_domid)
            rc = entry_drop(m, &r); /* the new domain exists: only the entry was left */
        else if (xb__dom_info(m->ctx, NULL, r.old_domid, &(struct xb_hv_dominfo){0}) == 0)
            rc = restart(m, r.old_domid, &r, false, ev);
        else if ((rc = recreate(m, &r, r.old_domid, OLD_GONE, &ev->new_domid)) == 0)
            rc = entry_drop(m, &r);
        finish(m, ev, rc);
        xb__rec_free(&r);
        done = 1;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return done;
}

static const struct xb_hv_dominfo *find_info(const struct xb_hv_dominfo *v, size_t n,
                                             uint32_t domid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].domid == domid)
            return &v[i];
    return NULL;
}

/* Record @id against the domains' state: 1 with *ev when it needed something. */
static int check_one(struct xb_monitor *m, const char *id, const struct xb_hv_dominfo *v,
                     size_t n, struct xb_monitor_event *ev)
{
    char base[REC_PATH_MAX];
    uint32_t domid = (uint32_t)strtoul(id, NULL, 10);
    const struct xb_hv_dominfo *i = find_info(v, n, domid);
    struct xb_rec r = {0};
    int rc;

    bool gone = !i || i->flags & XB_DOMINFO_DYING; /* dying: destroyed, never back */

    if (!gone && !(i->flags & XB_DOMINFO_SHUTDOWN))
        return 0; /* running */
    record_path(base, domid);
    if (xb__rec_read(m->ctx->xs, merr(m), XB_XS_NO_TX, base, &r) != 0)
        return 0;   /* removed meanwhile, or half written: not ours to judge */
    if (r.legacy) { /* an older xbuild's: its own monitor acts on it (record.h) */
        xb__rec_free(&r);
        return 0;
    }
    if (!gone && (r.kept || (r.suspended && i->shutdown_reason == SHUTDOWN_suspend))) {
        xb__rec_free(&r);
        return 0;
    }
    if (gone) { /* destroyed by someone else (xl destroy, a hypercall) */
        event_init(ev, domid, &r, 0, XB_ACTION_DESTROY);
        ev->gone = true;
        rc = xb__xs_domain_remove(m->ctx->xs, merr(m), domid);
        if (!rc)
            rc = xb__userdata_remove(m->ctx, merr(m), domid, r.uuid);
    } else {
        rc = apply(m, domid, &r, i->shutdown_reason, ev);
    }
    finish(m, ev, rc);
    xb__rec_free(&r);
    return 1;
}

static int check_records(struct xb_monitor *m, struct xb_monitor_event *ev)
{
    struct xb_hv_dominfo *v = NULL;
    char **ids = NULL;
    size_t n = 0, nids = 0;
    int rc = m->ctx->xs->ops->directory(m->ctx->xs, merr(m), XB_XS_NO_TX,
                                        XB_MONITOR_RECORDS, &ids, &nids);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    rc = xb__dom_all(m->ctx, merr(m), &v, &n);
    for (size_t k = 0; rc == 0 && k < nids; k++)
        rc = check_one(m, ids[k], v, n, ev);
    for (size_t k = 0; k < nids; k++)
        free(ids[k]);
    free(ids);
    free(v);
    return rc;
}

/* ---- the public side ---- */

int xb_monitor_open(struct xb_ctx *ctx, struct xb_monitor **out)
{
    struct xb_monitor *m;
    int rc;

    xb__ctx_reset(ctx);
    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (!m)
        return xb_err_set(&ctx->err, -ENOMEM, "monitor: out of memory");
    m->ctx = ctx;
    rc = ctx->xs->ops->watch(ctx->xs, &ctx->err, "@releaseDomain", WATCH_TOKEN);
    if (rc) {
        free(m);
        return rc;
    }
    m->watching = true;
    *out = m;
    return 0;
}

int xb_monitor_step(struct xb_monitor *m, int timeout_ms, struct xb_monitor_event *ev)
{
    int rc;

    xb__ctx_reset(m->ctx);
    rc = finish_restarts(m, ev);
    if (rc == 0)
        rc = check_records(m, ev);
    if (rc != 0)
        return rc;
    return xb__xs_wait(m->ctx, merr(m), timeout_ms);
}

int xb_monitor_count(struct xb_ctx *ctx, size_t *n)
{
    char **v = NULL;
    size_t k = 0, r = 0;
    int rc;

    xb__ctx_reset(ctx);
    *n = 0;
    for (int d = 0; d < 2; d++) {
        rc = ctx->xs->ops->directory(ctx->xs, &ctx->err, XB_XS_NO_TX,
                                     d ? RESTARTS_DIR : XB_MONITOR_RECORDS, &v, &k);
        if (rc == -ENOENT)
            continue;
        if (rc)
            return rc;
        for (size_t i = 0; i < k; i++)
            free(v[i]);
        free(v);
        r += k;
    }
    *n = r;
    return 0;
}

void xb_monitor_close(struct xb_monitor *m)
{
    if (!m)
        return;
    if (m->watching)
        m->ctx->xs->ops->unwatch(m->ctx->xs, NULL, "@releaseDomain", WATCH_TOKEN);
    free(m);
}

int xb__monitor_kept(struct xb_ctx *ctx, uint32_t domid)
{
    char p[REC_PATH_MAX];
    struct xb_rec r;
    int rc;

    record_path(p, domid);
    if (xb__rec_read(ctx->xs, NULL, XB_XS_NO_TX, p, &r) != 0)
        return 0;
    rc = r.kept ? 2 : 1;
    xb__rec_free(&r);
    return rc;
}
