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
 * A record, /xbuild/domains/DOMID (dom0 only):
 *   name, uuid, on_poweroff ... on_soft_reset   (action names of xl.cfg)
 *   config/0.., config-file, override-dir,       what a restart re-creates
 *   overrides/0.., strict                         the domain from
 *   restarts = "COUNT SECONDS"                   restarts in a row, the last
 *   state = "kept" | "suspended"                 preserved | left to a save/migration
 * A restart first copies the record to /xbuild/restarts/NAME (with
 * old-domid), which holds the name meanwhile (creates refuse it, finds wait
 * for it), then destroys the old domain, creates the new one and removes
 * the copy: a monitor that dies in between finishes the job from the copy.
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
#include "userdata.h"

#define RESTARTS_DIR     "/xbuild/restarts"
#define REC_PATH_MAX     (XB_XS_NAME_PATH_MAX + 64)
#define CHUNK            2048u /* bytes of config per node (xenstore's limit is 4096) */
#define MAX_CHUNKS       512u
#define MAX_OVERRIDES    256u
#define RESTART_BURST    5  /* restarts in a row, each within RESTART_WINDOW_S */
#define RESTART_WINDOW_S 10 /* of the previous: then the domain is destroyed */
#define WATCH_TOKEN      "xb-monitor"

enum { A_POWEROFF, A_REBOOT, A_WATCHDOG, A_CRASH, A_SOFT_RESET, A_COUNT };

static const char *const action_keys[A_COUNT] = {
    "on_poweroff", "on_reboot", "on_watchdog", "on_crash", "on_soft_reset",
};

/* A record in memory. */
struct rec {
    char *name;
    uint8_t uuid[16];
    enum xb_action act[A_COUNT];
    char *config, *file, *override_dir;
    size_t config_len;
    char **overrides;
    size_t n_overrides;
    bool strict, kept, suspended;
    unsigned restarts;
    uint64_t last_restart;
    uint32_t old_domid; /* restart entries only */
};

struct xb_monitor {
    struct xb_ctx *ctx;
    bool watching;
};

static void rec_free(struct rec *r)
{
    free(r->name);
    free(r->config);
    free(r->file);
    free(r->override_dir);
    for (size_t i = 0; i < r->n_overrides; i++)
        free(r->overrides[i]);
    free(r->overrides);
    *r = (struct rec){0};
}

/* ---- writing a record ---- */

/* A record's nodes, as one batch of writes. */
struct rec_batch {
    struct xb_xs_op *op;
    char (*path)[REC_PATH_MAX + 32];
    size_t n;
};

static void put(struct rec_batch *b, const char *base, const char *key, const char *val,
                size_t len)
{
    snprintf(b->path[b->n], sizeof(b->path[0]), "%s/%s", base, key);
    b->op[b->n] = (struct xb_xs_op){
        .kind = XB_XS_OP_WRITE, .path = b->path[b->n], .val = val, .len = len};
    b->n++;
}

static void put_str(struct rec_batch *b, const char *base, const char *key,
                    const char *val)
{
    put(b, base, key, val, strlen(val));
}

/*
 * @base made afresh outside any transaction (nobody else writes there, and
 * making it changes its parent, which concurrent creates share), then every
 * node of @r in one transaction that touches nothing but @base.
 */
static int rec_write(struct xb_ctx *ctx, struct xb_err *err, const char *base,
                     const struct rec *r, bool restart_entry)
{
    size_t max = 16 + r->config_len / CHUNK + 1 + r->n_overrides;
    struct rec_batch b = {calloc(max, sizeof(*b.op)), calloc(max, sizeof(*b.path)), 0};
    struct xb_xs_op pre[2] = {{.kind = XB_XS_OP_RM, .path = base},
                              {.kind = XB_XS_OP_MKDIR, .path = base}};
    char uuid[37], restarts[64], old[16], key[32];
    int rc = b.op && b.path ? 0 : xb_err_set(err, -ENOMEM, "monitor: out of memory");

    xb__uuid_str(r->uuid, uuid);
    snprintf(restarts, sizeof(restarts), "%u %" PRIu64, r->restarts, r->last_restart);
    snprintf(old, sizeof(old), "%" PRIu32, r->old_domid);
    for (size_t off = 0, i = 0; !rc && (off < r->config_len || i == 0);
         off += CHUNK, i++) {
        if (i == 0) {
            put_str(&b, base, "name", r->name);
            put_str(&b, base, "uuid", uuid);
            for (int a = 0; a < A_COUNT; a++)
                put_str(&b, base, action_keys[a], xb_action_name(r->act[a]));
            put_str(&b, base, "config-file", r->file ? r->file : "");
            put_str(&b, base, "override-dir", r->override_dir ? r->override_dir : "");
            put_str(&b, base, "strict", r->strict ? "1" : "0");
            put_str(&b, base, "restarts", restarts);
            if (restart_entry)
                put_str(&b, base, "old-domid", old);
        }
        snprintf(key, sizeof(key), "config/%zu", i);
        put(&b, base, key, r->config ? r->config + off : "",
            r->config_len ? (r->config_len - off < CHUNK ? r->config_len - off : CHUNK)
                          : 0);
    }
    for (size_t i = 0; !rc && i < r->n_overrides; i++) {
        snprintf(key, sizeof(key), "overrides/%zu", i);
        put_str(&b, base, key, r->overrides[i]);
    }
    if (!rc)
        rc = ctx->xs->ops->batch(ctx->xs, err, false, pre, 2);
    if (!rc)
        rc = xb__xs_batch_tx(ctx->xs, err, b.op, b.n, "write the monitor's record");
    free(b.op);
    free(b.path);
    return rc;
}

static void record_path(char *buf, uint32_t domid)
{
    snprintf(buf, REC_PATH_MAX, XB_MONITOR_RECORDS "/%" PRIu32, domid);
}

int xb__monitor_record(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       const uint8_t uuid[16], const struct xb_spec *spec,
                       const struct xb_restart_source *src)
{
    struct rec r = {
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

    if (src->config_len / CHUNK >= MAX_CHUNKS || src->n_overrides > MAX_OVERRIDES)
        return xb_err_set(err, -E2BIG,
                          "monitor: a config of %zu bytes and %zu overrides "
                          "is more than xenstore should keep",
                          src->config_len, src->n_overrides);
    memcpy(r.uuid, uuid, sizeof(r.uuid));
    record_path(base, domid);
    return rec_write(ctx, err, base, &r, false);
}

/* ---- reading one ---- */

static int rd(struct xb_ctx *ctx, struct xb_err *err, const char *base, const char *key,
              char **val, size_t *len)
{
    char p[REC_PATH_MAX + 32];

    snprintf(p, sizeof(p), "%s/%s", base, key);
    *val = NULL;
    return ctx->xs->ops->read(ctx->xs, err, XB_XS_NO_TX, p, val, len);
}

static bool parse_uuid(const char *s, uint8_t out[16])
{
    unsigned v[16];

    if (!s || strlen(s) != 36 ||
        sscanf(s, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13], &v[14], &v[15]) != 16)
        return false;
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)v[i];
    return true;
}

/* Append the chunks config/0, config/1, ... */
static int read_config(struct xb_ctx *ctx, struct xb_err *err, const char *base,
                       struct rec *r)
{
    char key[32], *v;
    size_t len;
    int rc = 0;

    for (unsigned i = 0; i < MAX_CHUNKS; i++) {
        char *grown;

        snprintf(key, sizeof(key), "config/%u", i);
        rc = rd(ctx, err, base, key, &v, &len);
        if (rc)
            return rc == -ENOENT && i > 0 ? 0 : rc;
        grown = realloc(r->config, r->config_len + len + 1);
        if (!grown) {
            free(v);
            return xb_err_set(err, -ENOMEM, "monitor: out of memory");
        }
        r->config = grown;
        memcpy(r->config + r->config_len, v, len);
        r->config_len += len;
        r->config[r->config_len] = '\0';
        free(v);
    }
    return 0;
}

static int read_overrides(struct xb_ctx *ctx, struct xb_err *err, const char *base,
                          struct rec *r)
{
    char key[32], *v;
    size_t len;

    for (unsigned i = 0; i < MAX_OVERRIDES; i++) {
        char **grown;
        int rc;

        snprintf(key, sizeof(key), "overrides/%u", i);
        rc = rd(ctx, err, base, key, &v, &len);
        if (rc)
            return rc == -ENOENT ? 0 : rc;
        grown = realloc(r->overrides, (r->n_overrides + 1) * sizeof(*grown));
        if (!grown) {
            free(v);
            return xb_err_set(err, -ENOMEM, "monitor: out of memory");
        }
        r->overrides = grown;
        r->overrides[r->n_overrides++] = v;
    }
    return 0;
}

static int read_fields(struct xb_ctx *ctx, struct xb_err *err, const char *base,
                       struct rec *r)
{
    char *v = NULL;
    size_t len;
    int rc = rd(ctx, err, base, "name", &r->name, &len);

    if (!rc && (rc = rd(ctx, err, base, "uuid", &v, &len)) == 0 &&
        !parse_uuid(v, r->uuid))
        rc = -EINVAL;
    free(v);
    for (int a = 0; !rc && a < A_COUNT; a++) {
        rc = rd(ctx, err, base, action_keys[a], &v, &len);
        if (!rc && xb_action_from_name(v, &r->act[a]) != 0)
            rc = -EINVAL;
        free(v);
    }
    if (!rc)
        rc = rd(ctx, err, base, "config-file", &r->file, &len);
    if (!rc)
        rc = rd(ctx, err, base, "override-dir", &r->override_dir, &len);
    if (!rc && (rc = rd(ctx, err, base, "strict", &v, &len)) == 0)
        r->strict = strcmp(v, "1") == 0;
    free(v);
    return rc;
}

/* Optional nodes: restarts, state, old-domid. */
static void read_extras(struct xb_ctx *ctx, const char *base, struct rec *r)
{
    char *v = NULL;
    size_t len;

    if (rd(ctx, NULL, base, "restarts", &v, &len) == 0)
        sscanf(v, "%u %" SCNu64, &r->restarts, &r->last_restart);
    free(v);
    if (rd(ctx, NULL, base, "state", &v, &len) == 0)
        r->kept = strcmp(v, "kept") == 0;
    r->suspended = v && strcmp(v, "suspended") == 0; /* rd() leaves NULL without one */
    free(v);
    if (rd(ctx, NULL, base, "old-domid", &v, &len) == 0)
        r->old_domid = (uint32_t)strtoul(v, NULL, 10);
    free(v);
}

/* -ENOENT (not recorded) when there is no record at @base. */
static int rec_read(struct xb_ctx *ctx, struct xb_err *err, const char *base,
                    struct rec *r)
{
    int rc = read_fields(ctx, err, base, r);

    if (rc == -EINVAL)
        rc = xb_err_set(err, rc, "monitor: %s: a damaged record", base);
    if (!rc)
        rc = read_config(ctx, err, base, r);
    if (!rc)
        rc = read_overrides(ctx, err, base, r);
    if (!rc)
        read_extras(ctx, base, r);
    if (rc)
        rec_free(r);
    return rc;
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
static int rec_spec(const struct rec *r, struct xb_err *err, struct xb_spec **out)
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

static void event_init(struct xb_monitor_event *ev, uint32_t domid, const struct rec *r,
                       unsigned reason, enum xb_action a)
{
    *ev = (struct xb_monitor_event){
        .domid = domid, .new_domid = UINT32_MAX, .reason = reason, .action = a};
    snprintf(ev->name, sizeof(ev->name), "%s", r->name);
}

static int rec_state(struct xb_monitor *m, uint32_t domid, const char *state)
{
    char p[REC_PATH_MAX + 8];

    snprintf(p, sizeof(p), XB_MONITOR_RECORDS "/%" PRIu32 "/state", domid);
    return xb__xs_put(m->ctx, merr(m), p, state);
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

static int make_room(struct xb_monitor *m, const struct rec *r, uint32_t old,
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
static int recreate(struct xb_monitor *m, const struct rec *r, uint32_t old,
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
    snprintf(p, sizeof(p), XB_MONITOR_RECORDS "/%" PRIu32 "/restarts", *domid);
    snprintf(v, sizeof(v), "%u %" PRIu64, r->restarts, r->last_restart);
    if (!rc)
        rc = xb__xs_put(m->ctx, merr(m), p, v);
    xb_image_free(img);
    xb_spec_free(spec);
    return rc;
}

static int entry_path(const char *name, char *buf)
{
    return xb__xs_restart_path(name, buf, REC_PATH_MAX);
}

/* The restart entry of @r is done with: the name is the new domain's now. */
static int entry_drop(struct xb_monitor *m, const struct rec *r)
{
    char p[REC_PATH_MAX];
    int rc = entry_path(r->name, p);

    if (!rc)
        rc = m->ctx->xs->ops->rm(m->ctx->xs, merr(m), XB_XS_NO_TX, p);
    return rc == -ENOENT ? 0 : rc;
}

static bool restarting_too_often(struct rec *r)
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
static int restart(struct xb_monitor *m, uint32_t domid, struct rec *r, bool keep_old,
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
        rc = rec_write(m->ctx, merr(m), p, r, true);
    if (!rc)
        rc = recreate(m, r, domid, keep_old ? OLD_KEEP : OLD_DESTROY, &ev->new_domid);
    if (!rc)
        rc = entry_drop(m, r);
    return rc;
}

static enum xb_action action_for(const struct rec *r, unsigned reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return r->act[A_POWEROFF];
    case SHUTDOWN_reboot:
        return r->act[A_REBOOT];
    case SHUTDOWN_watchdog:
        return r->act[A_WATCHDOG];
    case SHUTDOWN_crash:
        return r->act[A_CRASH];
    case SHUTDOWN_soft_reset:
        return r->act[A_SOFT_RESET];
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

static int apply(struct xb_monitor *m, uint32_t domid, struct rec *r, unsigned reason,
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
        struct rec r = {0};
        uint32_t id;

        snprintf(p, sizeof(p), RESTARTS_DIR "/%s", names[i]);
        if (done || rec_read(m->ctx, merr(m), p, &r) != 0)
            continue;
        event_init(ev, r.old_domid, &r, SHUTDOWN_reboot, XB_ACTION_RESTART);
        if (xb__dom_find_now(m->ctx, NULL, r.name, &id) == 0 && id != r.old_domid)
            rc = entry_drop(m, &r); /* the new domain exists: only the entry was left */
        else if (xb__dom_info(m->ctx, NULL, r.old_domid, &(struct xb_hv_dominfo){0}) == 0)
            rc = restart(m, r.old_domid, &r, false, ev);
        else if ((rc = recreate(m, &r, r.old_domid, OLD_GONE, &ev->new_domid)) == 0)
            rc = entry_drop(m, &r);
        finish(m, ev, rc);
        rec_free(&r);
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
    struct rec r = {0};
    int rc;

    bool gone = !i || i->flags & XB_DOMINFO_DYING; /* dying: destroyed, never back */

    if (!gone && !(i->flags & XB_DOMINFO_SHUTDOWN))
        return 0; /* running */
    record_path(base, domid);
    if (rec_read(m->ctx, merr(m), base, &r) != 0)
        return 0; /* removed meanwhile, or half written: not ours to judge */
    if (!gone && (r.kept || (r.suspended && i->shutdown_reason == SHUTDOWN_suspend))) {
        rec_free(&r);
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
    rec_free(&r);
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
    char p[REC_PATH_MAX + 8], *v = NULL;
    int rc;

    record_path(p, domid);
    strncat(p, "/name", sizeof(p) - strlen(p) - 1);
    if (xb__xs_get(ctx, NULL, p, &v) != 0)
        return 0;
    free(v);
    snprintf(p, sizeof(p), XB_MONITOR_RECORDS "/%" PRIu32 "/state", domid);
    rc = xb__xs_get(ctx, NULL, p, &v) == 0 && strcmp(v, "kept") == 0 ? 2 : 1;
    free(v);
    return rc;
}
