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
#include <unistd.h>

#include <cmocka.h>

#include <xen/sched.h>

#include <xbuild/builder.h>
#include <xbuild/config.h>

#include "builder/domain/ctx.h"
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
    char p[64], *v;

    snprintf(p, sizeof(p), "/xbuild/domains/%u/name", id);
    want(e, "g", p);
    snprintf(p, sizeof(p), "/xbuild/domains/%u/on_watchdog", id);
    want(e, "rename-restart", p);
    v = get(e, "/xbuild/domains/%u/config/0", id);
    assert_non_null(v);
    assert_string_equal(v, e->cfg);
    free(v);
    assert_true(userdata_exists(e, id));
    assert_int_equal(records(e), 1);
    assert_int_equal(xb_domain_destroy(e->ctx, id), 0);
    assert_false(userdata_exists(e, id));
    assert_null(get(e, "/xbuild/domains/%u/name", id));
    assert_int_equal(records(e), 0);
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

static void monitor_restarts_with_the_same_uuid(void **state)
{
    struct env *e = *state;
    struct xb_hv *hv = e->ctx->hv;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    struct sim_dominfo a, b;
    uint32_t id = create(e, "memory=9"), found = 0;
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
    v = get(e, "/xbuild/domains/%u/restarts", found);
    assert_non_null(v);
    assert_int_equal(strncmp(v, "1 ", 2), 0); /* counted, for the burst limit */
    free(v);
    xb_monitor_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_records_and_userdata, setup, teardown),
        cmocka_unit_test_setup_teardown(monitor_destroys_and_preserves, setup, teardown),
        cmocka_unit_test_setup_teardown(monitor_restarts_with_the_same_uuid, setup,
                                        teardown),
    };

    if (!getenv("XB_GUESTS_DIR")) {
        printf("1..0 # SKIP XB_GUESTS_DIR is not set\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
