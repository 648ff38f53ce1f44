/* SPDX-License-Identifier: MIT */
/*
 * Unit tests on the sim backend for xbuild/manage.h: requests, waiting,
 * memory, vCPUs, rename, uptime, host info, dmesg, libxl's userdata file,
 * and the monitor (records, actions, restarts, recovery after a monitor
 * died mid-restart). Domains are created for real (xb_domain_create) from
 * a config text with the xbtest guest (XB_GUESTS_DIR), as the CLI does.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/sched.h>

#include <xbuild/builder.h>
#include <xbuild/config.h>

#include "builder/domain/ctx.h"
#include "builder/domain/record.h"
#include "builder/hv/sim/inspect.h"

struct env {
    struct xb_ctx *ctx;
    char dir[64];     /* a temporary folder: kernel copy, userdata, dumps */
    char kernel[128]; /* a copy of xbtest-x86_64 there */
    char cfg[512];
};

static struct xb_ctx *open_sim(void)
{
    const struct xb_sim_opts o = {.total_pages = 64 * 256, .seed = 3, .fail_at = -1};
    struct xb_hv *hv = NULL;
    struct xb_xs *xs = NULL;
    struct xb_ctx *ctx = NULL;

    assert_int_equal(xb__sim_open(&o, &hv, &xs, NULL), 0);
    assert_int_equal(xb__ctx_open_backend(hv, xs, &ctx), 0);
    return ctx;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static int setup(void **state)
{
    const char *guests = getenv("XB_GUESTS_DIR");
    struct env *e = calloc(1, sizeof(*e));
    char src[512];

    if (!guests || !e)
        return -1;
    snprintf(e->dir, sizeof(e->dir), "/tmp/xb-manage-XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    snprintf(e->kernel, sizeof(e->kernel), "%s/kernel", e->dir);
    snprintf(src, sizeof(src), "%s/xbtest-x86_64", guests);
    copy_file(src, e->kernel);
    snprintf(e->cfg, sizeof(e->cfg),
             "name = \"g\"\nkernel = \"kernel\"\nmemory = 8\nmaxmem = 12\nvcpus = 1\n"
             "maxvcpus = 2\non_poweroff = \"destroy\"\non_reboot = \"restart\"\n"
             "on_crash = \"preserve\"\non_watchdog = \"rename-restart\"\n");
    e->ctx = open_sim();
    xb__ctx_set_userdata_dir(e->ctx, e->dir);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    char cmd[128];

    xb_ctx_close(e->ctx);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
    if (system(cmd) != 0)
        return -1;
    free(e);
    return 0;
}

/* Create "g" from the config text, as `xbuild create` does (a record). */
static uint32_t create(struct env *e, const char *overrides)
{
    char *ov[1] = {(char *)overrides}, file[128];
    const struct xb_spec_opts so = {0};
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    uint32_t domid = 0;

    snprintf(file, sizeof(file), "%s/g.cfg", e->dir);
    const struct xb_restart_source src = {.config = e->cfg,
                                          .config_len = strlen(e->cfg),
                                          .config_file = file,
                                          .overrides = ov,
                                          .n_overrides = overrides ? 1 : 0};
    const struct xb_create_opts opts = {.source = &src, .paused = true};

    assert_int_equal(xb_config_new(&cfg), 0);
    assert_int_equal(xb_config_parse(cfg, e->cfg, strlen(e->cfg), file), 0);
    if (overrides)
        assert_int_equal(xb_config_parse_override(cfg, overrides), 0);
    assert_int_equal(xb_config_to_spec(cfg, &so, &spec), 0);
    if (xb_domain_create(e->ctx, spec, &opts, &domid) != 0)
        fail_msg("create: %s", xb_errmsg(e->ctx));
    xb_spec_free(spec);
    xb_config_free(cfg);
    return domid;
}

static char *get(struct env *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *get(struct env *e, const char *fmt, ...)
{
    char path[256], *v = NULL;
    size_t len;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (e->ctx->xs->ops->read(e->ctx->xs, NULL, XB_XS_NO_TX, path, &v, &len) != 0)
        return NULL;
    return v;
}

static void want(struct env *e, const char *value, const char *path)
{
    char *v = get(e, "%s", path);

    if (!v)
        fail_msg("no node %s", path);
    assert_string_equal(v, value);
    free(v);
}

/* The monitor's record at the printf path (record.h); fails without one. */
static void rec_at(struct env *e, struct xb_rec *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rec_at(struct env *e, struct xb_rec *r, const char *fmt, ...)
{
    char path[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (xb__rec_read(e->ctx->xs, NULL, XB_XS_NO_TX, path, r) != 0)
        fail_msg("no record at %s", path);
}

static bool userdata_exists(struct env *e, uint32_t domid)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "ls %s/userdata-d.%u.*.libxl-json >/dev/null 2>&1", e->dir,
             domid);
    return system(cmd) == 0;
}

static size_t records(struct env *e)
{
    size_t n = 99;

    assert_int_equal(xb_monitor_count(e->ctx, &n), 0);
    return n;
}

/* One monitor step that must report an event. */
static void step(struct xb_monitor *m, struct xb_monitor_event *ev)
{
    int rc = xb_monitor_step(m, 0, ev);

    if (rc != 1)
        fail_msg("monitor step: %d (%s)", rc, rc < 0 ? "error" : "no event");
}

static void create_records_and_userdata(void **state)
{
    struct env *e = *state;
    uint32_t id = create(e, NULL);
    struct xb_rec r;
    char p[64], **kids = NULL;
    size_t n = 0;

    rec_at(e, &r, "/xbuild/domains/%u", id); /* one node */
    assert_string_equal(r.name, "g");
    assert_int_equal(r.act[XB_REC_WATCHDOG], XB_ACTION_RENAME_RESTART);
    assert_string_equal(r.config, e->cfg);
    assert_int_equal(r.config_len, strlen(e->cfg));
    assert_false(r.kept || r.suspended);
    xb__rec_free(&r);
    snprintf(p, sizeof(p), "/xbuild/domains/%u", id);
    assert_int_equal(
        e->ctx->xs->ops->directory(e->ctx->xs, NULL, XB_XS_NO_TX, p, &kids, &n), 0);
    assert_int_equal(n, 0);
    free(kids);
    assert_true(userdata_exists(e, id));
    assert_int_equal(records(e), 1);
    assert_int_equal(xb_domain_destroy(e->ctx, id), 0);
    assert_false(userdata_exists(e, id));
    assert_null(get(e, "/xbuild/domains/%u/name", id));
    assert_int_equal(records(e), 0);
}

static void put_node(struct env *e, const char *path, const char *val)
{
    assert_int_equal(
        e->ctx->xs->ops->write(e->ctx->xs, NULL, XB_XS_NO_TX, path, val, strlen(val)), 0);
}

/*
 * A record too long for one node keeps its fields in parts (read back the
 * same, its name in the node itself); one an older xbuild wrote, a node
 * per field, is read, and its fields changed in their own nodes; a
 * damaged one is refused with a message.
 */
static void records_long_old_and_damaged(void **state)
{
    struct env *e = *state;
    struct xb_xs *xs = e->ctx->xs;
    static char big[9000];
    const char *ovr[] = {"memory=9", "vcpus=1"};
    struct xb_rec w = {.name = "long",
                       .uuid = {1, 2, 3},
                       .act = {XB_ACTION_DESTROY, XB_ACTION_RESTART, XB_ACTION_PRESERVE,
                               XB_ACTION_COREDUMP_DESTROY, XB_ACTION_RESTART},
                       .config = big,
                       .config_len = sizeof(big) - 1,
                       .file = "/etc/xen/long.cfg",
                       .override_dir = "",
                       .overrides = (char **)ovr,
                       .n_overrides = 2,
                       .strict = true},
                  r;
    struct xb_err err = {0};
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    char *v, *name = NULL;

    memset(big, 'x', sizeof(big) - 1);
    big[100] = '\n';
    assert_int_equal(xb__rec_write(xs, &err, "/xbuild/domains/77", &w, false), 0);
    v = get(e, "/xbuild/domains/77");
    assert_non_null(v);
    assert_int_equal(strncmp(v, "xbuild-record 2 chunks 5\n", 25), 0);
    free(v);
    assert_non_null(v = get(e, "/xbuild/domains/77/part/4"));
    free(v);
    assert_int_equal(xb__rec_name_at(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/77", &name),
                     0);
    assert_string_equal(name, "long");
    free(name);
    assert_int_equal(xb__rec_set_now(xs, &err, "/xbuild/domains/77", "state", "kept"), 0);
    rec_at(e, &r, "/xbuild/domains/77");
    assert_string_equal(r.name, "long");
    assert_memory_equal(r.uuid, w.uuid, 16);
    assert_int_equal(r.act[XB_REC_CRASH], XB_ACTION_COREDUMP_DESTROY);
    assert_int_equal(r.config_len, sizeof(big) - 1);
    assert_memory_equal(r.config, big, sizeof(big) - 1);
    assert_string_equal(r.file, "/etc/xen/long.cfg");
    assert_int_equal(r.n_overrides, 2);
    assert_string_equal(r.overrides[1], "vcpus=1");
    assert_true(r.strict && r.kept);
    xb__rec_free(&r);
    assert_int_equal(xs->ops->rm(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/77"), 0);

    /* an older xbuild's record */
    put_node(e, "/xbuild/domains/78/name", "old");
    put_node(e, "/xbuild/domains/78/uuid", "5b3b589c-f9a0-4565-9bcd-bd10bdaa0722");
    put_node(e, "/xbuild/domains/78/on_poweroff", "destroy");
    put_node(e, "/xbuild/domains/78/on_reboot", "restart");
    put_node(e, "/xbuild/domains/78/on_watchdog", "destroy");
    put_node(e, "/xbuild/domains/78/on_crash", "preserve");
    put_node(e, "/xbuild/domains/78/on_soft_reset", "restart");
    put_node(e, "/xbuild/domains/78/config-file", "/etc/xen/old.cfg");
    put_node(e, "/xbuild/domains/78/override-dir", "");
    put_node(e, "/xbuild/domains/78/strict", "0");
    put_node(e, "/xbuild/domains/78/restarts", "2 1700000000");
    put_node(e, "/xbuild/domains/78/config/0", "name = \"old\"\n");
    put_node(e, "/xbuild/domains/78/config/1", "memory = 8\n");
    put_node(e, "/xbuild/domains/78/overrides/0", "vcpus=1");
    assert_int_equal(
        xb__rec_set_now(xs, &err, "/xbuild/domains/78", "state", "suspended"), 0);
    want(e, "suspended", "/xbuild/domains/78/state");
    rec_at(e, &r, "/xbuild/domains/78");
    assert_string_equal(r.name, "old");
    assert_int_equal(r.act[XB_REC_CRASH], XB_ACTION_PRESERVE);
    assert_string_equal(r.config, "name = \"old\"\nmemory = 8\n");
    assert_int_equal(r.n_overrides, 1);
    assert_int_equal(r.restarts, 2);
    assert_true(r.suspended);
    xb__rec_free(&r);
    assert_int_equal(xb__rec_name_at(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/78", &name),
                     0);
    assert_string_equal(name, "old");
    free(name);
    /* its domain (gone) is left to the older xbuild's monitor */
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(xb_monitor_step(m, 0, &ev), 0);
    xb_monitor_close(m);
    want(e, "old", "/xbuild/domains/78/name");
    assert_int_equal(xs->ops->rm(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/78"), 0);

    /* damaged: a length past the end, an unknown action, no config */
    const char *bad[] = {"xbuild-record 2\nname 99\nx\n",
                         "xbuild-record 2\nname 1\nx\nuuid 3\nabc\n", "xbuild-record 3\n",
                         "xbuild-record 2 chunks 0\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put_node(e, "/xbuild/domains/79", bad[i]);
        err = (struct xb_err){0};
        assert_int_equal(xb__rec_read(xs, &err, XB_XS_NO_TX, "/xbuild/domains/79", &r),
                         -EINVAL);
        assert_non_null(strstr(err.msg, "a damaged record"));
    }
    assert_int_equal(xb__rec_read(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/80", &r),
                     -ENOENT);
    assert_int_equal(xs->ops->rm(xs, NULL, XB_XS_NO_TX, "/xbuild/domains/79"), 0);
}

static void monitor_destroys_and_preserves(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    enum xb_wait_result res;
    uint32_t id = create(e, NULL), found;

    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(xb_monitor_step(m, 0, &ev), 0); /* a running domain: nothing */
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, id, SHUTDOWN_poweroff), 0);
    step(m, &ev);
    assert_int_equal(ev.domid, id);
    assert_int_equal(ev.action, XB_ACTION_DESTROY);
    assert_int_equal(ev.rc, 0);
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), -ENOENT);
    assert_int_equal(records(e), 0);
    assert_false(userdata_exists(e, id));

    id = create(e, NULL);
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, id, SHUTDOWN_crash), 0);
    assert_int_equal(xb_domain_wait(e->ctx, id, 0, &res),
                     -ETIMEDOUT); /* not handled yet */
    step(m, &ev);
    assert_int_equal(ev.action, XB_ACTION_PRESERVE);
    assert_int_equal(xb_monitor_step(m, 0, &ev), 0); /* kept: not acted on again */
    assert_int_equal(xb_domain_wait(e->ctx, id, 0, &res), 0);
    assert_int_equal(res, XB_WAIT_KEPT);
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), 0);
    assert_int_equal(xb_domain_destroy(e->ctx, id), 0);
    assert_int_equal(xb_domain_wait(e->ctx, id, 0, &res), 0);
    assert_int_equal(res, XB_WAIT_GONE);
    xb_monitor_close(m);
}

/*
 * A destroyed domain Xen keeps dying (a page of it still mapped somewhere)
 * ends with no watch fired once xenstored has released it: a wait that
 * began before takes it as gone when its nodes are, and looks again until
 * they are.
 */
static void wait_takes_a_dying_domain_as_gone(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    enum xb_wait_result res;
    struct sim_dominfo info;
    uint32_t id = create(e, NULL), other = create(e, "name=\"h\"");
    char dom[64];

    xb__sim_zombies(hv, true);
    assert_int_equal(xb_domain_destroy(e->ctx, id), 0);
    assert_int_equal(xb__sim_dominfo(hv, id, &info), 0); /* still listed: dying */
    assert_int_equal(xb_domain_wait(e->ctx, id, 0, &res), 0);
    assert_int_equal(res, XB_WAIT_GONE);

    assert_int_equal(hv->ops->domain_destroy(hv, NULL, other), 0); /* nodes left */
    assert_int_equal(xb_domain_wait(e->ctx, other, 250, &res), -ETIMEDOUT);
    snprintf(dom, sizeof(dom), "/local/domain/%u", other);
    assert_int_equal(e->ctx->xs->ops->rm(e->ctx->xs, NULL, XB_XS_NO_TX, dom), 0);
    assert_int_equal(xb_domain_wait(e->ctx, other, 0, &res), 0);
    assert_int_equal(res, XB_WAIT_GONE);
    xb__sim_zombies(hv, false);
}

static void monitor_restarts_with_the_same_uuid(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    struct sim_dominfo a, b;
    uint32_t id = create(e, "memory=9"), found = 0;
    struct xb_rec r;
    char *v;

    assert_int_equal(xb__sim_dominfo(hv, id, &a), 0);
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, id, SHUTDOWN_reboot), 0);
    step(m, &ev);
    assert_int_equal(ev.rc, 0);
    assert_int_equal(ev.action, XB_ACTION_RESTART);
    assert_true(ev.new_domid != id && ev.new_domid != UINT32_MAX);
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), 0);
    assert_int_equal(found, ev.new_domid);
    assert_int_equal(xb__sim_dominfo(hv, found, &b), 0);
    assert_memory_equal(a.handle, b.handle, 16); /* the same uuid, as xl */
    v = get(e, "/local/domain/%u/memory/target", found);
    assert_non_null(v);
    assert_string_equal(v, "9216"); /* the override kept */
    free(v);
    assert_null(get(e, "/xbuild/restarts/g"));
    rec_at(e, &r, "/xbuild/domains/%u", found);
    assert_int_equal(r.restarts, 1); /* counted, for the burst limit */
    assert_true(r.last_restart > 0);
    xb__rec_free(&r);
    xb_monitor_close(m);
}

/* A restart cut short (its kernel gone, or the monitor died): finished by the next. */
static void interrupted_restart_is_finished(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    char moved[160];
    uint32_t id = create(e, NULL), found;
    struct xb_rec r;

    snprintf(moved, sizeof(moved), "%s.away", e->kernel);
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, id, SHUTDOWN_reboot), 0);
    assert_int_equal(rename(e->kernel, moved), 0);
    step(m, &ev);
    assert_true(ev.rc < 0); /* no kernel: the old domain is kept, shut down */
    assert_non_null(strstr(ev.msg, "kernel"));
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), 0);
    assert_int_equal(found, id);
    assert_int_equal(records(e), 2); /* its record, and the restart entry */
    rec_at(e, &r, "/xbuild/restarts/g");
    assert_int_equal(r.old_domid, id);
    assert_string_equal(r.config, e->cfg);
    xb__rec_free(&r);
    xb_monitor_close(m);
    /* a new monitor (the old one "died"), the kernel back: it finishes the job */
    assert_int_equal(rename(moved, e->kernel), 0);
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    step(m, &ev);
    assert_int_equal(ev.rc, 0);
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), 0);
    assert_int_equal(found, ev.new_domid);
    assert_null(get(e, "/xbuild/restarts/g"));
    assert_int_equal(records(e), 1);
    xb_monitor_close(m);
}

/*
 * A restart entry whose old domain is gone (destroyed by someone meanwhile):
 * the next monitor builds the new domain at once; it must not wait for the
 * name its own entry holds (as a find by another caller would).
 */
static void entry_without_old_domain(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    char moved[160];
    uint32_t id = create(e, NULL), found;
    int64_t t0;

    snprintf(moved, sizeof(moved), "%s.away", e->kernel);
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, id, SHUTDOWN_reboot), 0);
    assert_int_equal(rename(e->kernel, moved), 0);
    step(m, &ev);
    assert_true(ev.rc < 0);
    assert_int_equal(xb_domain_destroy(e->ctx, id), 0); /* the old one, behind its back */
    assert_int_equal(rename(moved, e->kernel), 0);
    t0 = time(NULL);
    step(m, &ev);
    assert_true(time(NULL) - t0 < 5);
    assert_int_equal(ev.rc, 0);
    assert_int_equal(xb_domain_find(e->ctx, "g", &found), 0);
    assert_int_equal(found, ev.new_domid);
    assert_int_equal(records(e), 1);
    xb_monitor_close(m);
}

/*
 * A recorded domain destroyed behind the monitor's back, its nodes removed
 * as xl destroy removes them: its record is dropped, and the name claim
 * (found through the record's name, the domain's own being gone) with it.
 */
static void gone_domain_drops_its_record(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    uint32_t id = create(e, NULL);
    char dom[64], *claim = get(e, "/xbuild/names/g");

    assert_non_null(claim); /* held for the domain's life */
    free(claim);
    assert_int_equal(xb_monitor_open(e->ctx, &m), 0);
    assert_int_equal(hv->ops->domain_destroy(hv, NULL, id), 0);
    snprintf(dom, sizeof(dom), "/local/domain/%u", id);
    assert_int_equal(e->ctx->xs->ops->rm(e->ctx->xs, NULL, XB_XS_NO_TX, dom), 0);
    step(m, &ev);
    assert_true(ev.gone);
    assert_int_equal(records(e), 0);
    assert_false(userdata_exists(e, id));
    assert_null(get(e, "/xbuild/names/g"));
    xb_monitor_close(m);
}

static void requests_and_controls(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct sim_dominfo di;
    struct xb_dominfo *v = NULL;
    char p[96], core[128];
    bool forced = true;
    size_t n = 0;
    uint32_t id = create(e, NULL);
    struct stat st;

    assert_int_equal(xb_domain_request(e->ctx, id, XB_REQ_REBOOT, 0, &forced), 0);
    assert_false(forced);
    snprintf(p, sizeof(p), "/local/domain/%u/control/shutdown", id);
    want(e, "reboot", p);
    /* no control/feature-poweroff: -F has Xen shut it down */
    assert_int_equal(
        xb_domain_request(e->ctx, id, XB_REQ_POWEROFF, XB_REQ_FORCE, &forced), 0);
    assert_true(forced);
    assert_int_equal(xb_domain_list(e->ctx, &v, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (v[i].domid == id)
            assert_true(v[i].state & XB_DOM_SHUTDOWN);
    free(v);
    assert_int_equal(xb_domain_request(e->ctx, 0, XB_REQ_POWEROFF, 0, NULL), -EPERM);
    assert_int_equal(xb_domain_request(e->ctx, 999, XB_REQ_POWEROFF, 0, NULL), -ESRCH);
    assert_string_equal(xb_errmsg(e->ctx), "no domain with id 999");

    assert_int_equal(xb_domain_sysrq(e->ctx, id, 'c'), 0);
    snprintf(p, sizeof(p), "/local/domain/%u/control/sysrq", id);
    want(e, "c", p);
    assert_int_equal(xb_domain_sysrq(e->ctx, id, '\n'), -EINVAL);
    assert_int_equal(xb_domain_trigger(e->ctx, id, XB_TRIGGER_NMI, 0), 0);
    assert_int_equal(xb_domain_trigger(e->ctx, id, XB_TRIGGER_POWER, 0), -EINVAL);
    assert_int_equal(xb_domain_trigger(e->ctx, id, XB_TRIGGER_NMI, 5), -EINVAL);
    assert_int_equal(xb_domain_pause(e->ctx, id), 0);
    assert_int_equal(xb__sim_dominfo(hv, id, &di), 0);
    assert_true(di.paused);
    snprintf(core, sizeof(core), "%s/core", e->dir);
    assert_int_equal(xb_domain_dump_core(e->ctx, id, core), 0);
    assert_int_equal(stat(core, &st), 0);
    assert_true(st.st_size >= 8 * 1024 * 1024); /* every page of its 8 MiB */
    assert_int_equal(xb_domain_pause(e->ctx, 0), -EPERM);
}

static void memory_vcpus_rename_uptime(void **state)
{
    struct env *e = *state;
    struct xb_vcpuinfo *v = NULL;
    struct xb_cpumap hard = {.bits = {1}};
    char p[96], *ud;
    size_t n = 0;
    unsigned nr_cpus = 0;
    uint64_t up = 99;
    uint32_t id = create(e, NULL), found;
    struct xb_rec r;

    assert_int_equal(xb_domain_set_memory(e->ctx, id, 6 * 1024), 0);
    snprintf(p, sizeof(p), "/local/domain/%u/memory/target", id);
    want(e, "6144", p);
    assert_int_equal(xb_domain_set_memory(e->ctx, id, 13 * 1024), -EINVAL); /* > 12 MiB */
    assert_non_null(strstr(xb_errmsg(e->ctx), "mem-max"));
    assert_int_equal(xb_domain_set_max_memory(e->ctx, id, 5 * 1024),
                     -EINVAL); /* < target */
    assert_int_equal(xb_domain_set_max_memory(e->ctx, id, 16 * 1024), 0);
    snprintf(p, sizeof(p), "/local/domain/%u/memory/static-max", id);
    want(e, "16384", p);
    assert_int_equal(xb_domain_set_memory(e->ctx, id, 13 * 1024), 0);

    assert_int_equal(xb_vcpu_set_online(e->ctx, id, 2), 0);
    snprintf(p, sizeof(p), "/local/domain/%u/cpu/1/availability", id);
    want(e, "online", p);
    assert_int_equal(xb_vcpu_set_online(e->ctx, id, 3), -EINVAL);
    assert_int_equal(xb_vcpu_pin(e->ctx, id, 1, &hard, NULL), 0);
    assert_int_equal(xb_vcpu_list(e->ctx, id, &v, &n, &nr_cpus), 0);
    assert_int_equal(n, 2);
    assert_int_equal(nr_cpus, 2);
    assert_int_equal(v[0].hard.bits[0], 3); /* all CPUs */
    assert_int_equal(v[1].hard.bits[0], 1); /* pinned */
    free(v);
    hard.bits[0] = 1ull << 40; /* no CPU of the host */
    assert_int_equal(xb_vcpu_pin(e->ctx, id, -1, &hard, NULL), -EINVAL);

    assert_int_equal(xb_domain_rename(e->ctx, id, "h"), 0);
    assert_int_equal(xb_domain_find(e->ctx, "h", &found), 0);
    rec_at(e, &r, "/xbuild/domains/%u", id);
    assert_string_equal(r.name, "h");
    xb__rec_free(&r);
    ud = NULL;
    {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "grep -q '\"name\": \"h\"' %s/userdata-d.%u.*", e->dir,
                 id);
        assert_int_equal(system(cmd), 0); /* xl sees the new name */
    }
    free(ud);
    assert_int_equal(xb_domain_rename(e->ctx, id, "a/b"), -EINVAL);
    assert_int_equal(xb_domain_uptime(e->ctx, id, &up), 0);
    assert_true(up < 5);
}

static void host_and_dmesg(void **state)
{
    struct env *e = *state;
    struct xb_hostinfo h;
    struct xb_cpu_topo *t = NULL;
    struct xb_numa_node *nodes = NULL;
    char *text = NULL, pool[32];
    size_t len = 0, n = 0;

    assert_int_equal(xb_host_info(e->ctx, &h), 0);
    assert_int_equal(h.nr_cpus, 2);
    assert_int_equal(h.xen_major, 4);
    assert_true(h.caps & XB_HOST_PV);
    assert_int_equal(xb_host_cpu_topology(e->ctx, &t, &n), 0);
    assert_int_equal(n, 2);
    free(t);
    assert_int_equal(xb_host_numa(e->ctx, &nodes, &n), 0);
    assert_int_equal(n, 1);
    free(nodes);
    assert_int_equal(xb_host_dmesg(e->ctx, true, &text, &len), 0);
    assert_non_null(strstr(text, "Xen version"));
    free(text);
    assert_int_equal(xb_host_dmesg(e->ctx, false, &text, &len), 0);
    assert_int_equal(len, 0); /* cleared */
    free(text);
    assert_int_equal(xb_cpupool_name(e->ctx, 0, pool, sizeof(pool)), 0);
    assert_string_equal(pool, "Pool-0");
    assert_string_equal(xb_trigger_name(XB_TRIGGER_S3RESUME), "s3resume");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_records_and_userdata, setup, teardown),
        cmocka_unit_test_setup_teardown(records_long_old_and_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(monitor_destroys_and_preserves, setup, teardown),
        cmocka_unit_test_setup_teardown(wait_takes_a_dying_domain_as_gone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(monitor_restarts_with_the_same_uuid, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(interrupted_restart_is_finished, setup, teardown),
        cmocka_unit_test_setup_teardown(entry_without_old_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(gone_domain_drops_its_record, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_and_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(memory_vcpus_rename_uptime, setup, teardown),
        cmocka_unit_test_setup_teardown(host_and_dmesg, setup, teardown),
    };

    if (!getenv("XB_GUESTS_DIR")) {
        printf("1..0 # SKIP XB_GUESTS_DIR is not set\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
