/* SPDX-License-Identifier: MIT */
/*
 * Unit tests on the sim backend: the xenstore node set of a domain
 * (nodes.c), list/find/destroy (lifecycle.c), the console tty wait
 * (console.c). The monitor and the management calls: test_manage.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xbuild/builder.h>

#include "builder/domain/ctx.h"
#include "builder/hv/sim/inspect.h"
#include "builder/domain/nodes.h"

static const uint8_t uuid1[16] = {0x5b, 0x3b, 0x58, 0x9c, 0xf9, 0xa0, 0x45, 0x65,
                                  0x9b, 0xcd, 0xbd, 0x10, 0xbd, 0xaa, 0x07, 0x22};

static struct xb_ctx *open_sim(long fail_at)
{
    const struct xb_sim_opts o = {.total_pages = 64 * 256, .seed = 7, .fail_at = fail_at};
    struct xb_hv *hv = NULL;
    struct xb_xs *xs = NULL;
    struct xb_ctx *ctx = NULL;

    assert_int_equal(xb__sim_open(&o, &hv, &xs, NULL), 0);
    assert_int_equal(xb__ctx_open_backend(hv, xs, &ctx), 0);
    return ctx;
}

/* A small domain with rings at pfns 0 (store) and 1 (console), UUID @uuid. */
static uint32_t make_dom_uuid(struct xb_ctx *ctx, const char *name, const uint8_t *uuid,
                              struct xb_xs_dom *d, uint64_t frames[2])
{
    struct xb_hv *hv = ctx->hv;
    struct xb_hv_domcfg cfg = {.type = XB_HV_DOM_PV, .max_vcpus = 2};
    uint32_t domid = 0, sp, cp;

    memcpy(cfg.handle, uuid, 16);
    assert_int_equal(hv->ops->domain_create(hv, &ctx->err, &cfg, &domid), 0);
    assert_int_equal(hv->ops->set_max_vcpus(hv, &ctx->err, domid, 2), 0);
    assert_int_equal(hv->ops->set_max_mem(hv, &ctx->err, domid, 1024), 0);
    frames[0] = 0;
    frames[1] = 1;
    if (hv->ops->populate_physmap(hv, &ctx->err, domid, 0, 2, frames) != 0)
        fail_msg("populate: %s", ctx->err.msg);
    assert_int_equal(hv->ops->evtchn_alloc_unbound(hv, &ctx->err, domid, 0, &sp), 0);
    assert_int_equal(hv->ops->evtchn_alloc_unbound(hv, &ctx->err, domid, 0, &cp), 0);
    *d = (struct xb_xs_dom){
        .domid = domid,
        .name = name,
        .uuid = uuid,
        .target_kib = 8,
        .maxmem_kib = 1024,
        .vcpus = 1,
        .maxvcpus = 2,
        .store_mfn = frames[0],
        .store_port = sp,
        .console_frame = frames[1],
        .console_port = cp,
    };
    return domid;
}

static uint32_t make_dom(struct xb_ctx *ctx, const char *name, struct xb_xs_dom *d,
                         uint64_t frames[2])
{
    return make_dom_uuid(ctx, name, uuid1, d, frames);
}

static char *xs_vget(struct xb_xs *xs, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static char *xs_get(struct xb_xs *xs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void assert_node(struct xb_xs *xs, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *xs_vget(struct xb_xs *xs, const char *fmt, va_list ap)
{
    char path[128], *v = NULL;
    size_t len;

    vsnprintf(path, sizeof(path), fmt, ap);
    if (xs->ops->read(xs, NULL, XB_XS_NO_TX, path, &v, &len) != 0)
        return NULL;
    return v;
}

static char *xs_get(struct xb_xs *xs, const char *fmt, ...)
{
    va_list ap;
    char *v;

    va_start(ap, fmt);
    v = xs_vget(xs, fmt, ap);
    va_end(ap);
    return v;
}

/* The node at the printf path has value @want. */
static void assert_node(struct xb_xs *xs, const char *want, const char *fmt, ...)
{
    va_list ap;
    char *v;

    va_start(ap, fmt);
    v = xs_vget(xs, fmt, ap);
    va_end(ap);
    if (!v)
        fail_msg("no node %s", fmt);
    assert_string_equal(v, want);
    free(v);
}

static void introduce_writes_the_node_set(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_hv *hv = ctx->hv;
    struct xb_xs_dom d;
    uint64_t f[2];
    uint32_t id = make_dom(ctx, "web", &d, f);
    char ring[32];
    struct sim_dominfo si;

    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d), 0);
    assert_node(ctx->xs, "web", "/local/domain/%u/name", id);
    assert_node(ctx->xs, "/vm/5b3b589c-f9a0-4565-9bcd-bd10bdaa0722",
                "/local/domain/%u/vm", id);
    assert_node(ctx->xs, "web", "/vm/5b3b589c-f9a0-4565-9bcd-bd10bdaa0722/name");
    assert_node(ctx->xs, "pv", "/libxl/%u/type", id);
    assert_node(ctx->xs, "8", "/local/domain/%u/memory/target", id);
    assert_node(ctx->xs, "1024", "/local/domain/%u/memory/static-max", id);
    assert_node(ctx->xs, "online", "/local/domain/%u/cpu/0/availability", id);
    assert_node(ctx->xs, "offline", "/local/domain/%u/cpu/1/availability", id);
    assert_node(ctx->xs, "xenconsoled", "/local/domain/%u/console/type", id);
    snprintf(ring, sizeof(ring), "%u", d.console_port);
    assert_node(ctx->xs, ring, "/local/domain/%u/console/port", id);
    snprintf(ring, sizeof(ring), "%llu", (unsigned long long)f[1]);
    assert_node(ctx->xs, ring, "/local/domain/%u/console/ring-ref", id);
    snprintf(ring, sizeof(ring), "%llu", (unsigned long long)f[0]);
    assert_node(ctx->xs, ring, "/local/domain/%u/store/ring-ref", id);
    assert_node(ctx->xs, "", "/local/domain/%u/control/shutdown", id);
    assert_int_equal(xb__sim_dominfo(hv, id, &si), 0);
    assert_true(si.introduced);
    assert_int_equal(si.store_mfn, f[0]);
    xb_ctx_close(ctx);
}

static void remove_leaves_nothing(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_hv *hv = ctx->hv;
    struct xb_xs_dom d;
    uint64_t f[2];
    char *before, *after;
    uint32_t id = make_dom(ctx, "web", &d, f);

    before = xb__sim_xs_dump(hv);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d), 0);
    assert_true(xb__sim_xs_count(hv) > 30);
    assert_int_equal(xb__xs_domain_remove(ctx->xs, &ctx->err, id), 0);
    after = xb__sim_xs_dump(hv);
    assert_string_equal(before, after);
    /* twice is fine: nothing left is not an error */
    assert_int_equal(xb__xs_domain_remove(ctx->xs, &ctx->err, id), 0);
    free(before);
    free(after);
    xb_ctx_close(ctx);
}

/* Whichever xenstore call fails, nothing of the domain stays in xenstore. */
static void introduce_failures_leave_nothing(void **state)
{
    int failures = 0;

    for (long k = 0; k < 400; k++) {
        struct xb_ctx *ctx = open_sim(-1);
        struct xb_hv *hv = ctx->hv;
        struct xb_xs_dom d;
        uint64_t f[2];
        char *before, *after;
        int rc;

        make_dom(ctx, "web", &d, f);
        before = xb__sim_xs_dump(hv);
        xb__sim_fail_at(hv, k);
        rc = xb__xs_domain_introduce(ctx->xs, &ctx->err, &d);
        xb__sim_fail_at(hv, -1);
        after = xb__sim_xs_dump(hv);
        if (rc == 0) {
            assert_true(k > 20); /* the last injection point is past the end */
            free(before);
            free(after);
            xb_ctx_close(ctx);
            break;
        }
        failures++;
        assert_true(rc < 0);
        assert_true(ctx->err.msg[0] != '\0');
        if (strcmp(before, after) != 0)
            fail_msg("fail_at %ld (%s): nodes left:\n%s", k, ctx->err.msg, after);
        free(before);
        free(after);
        xb_ctx_close(ctx);
    }
    assert_true(failures > 20);
}

static void too_long_name_is_refused(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_hv *hv = ctx->hv;
    struct xb_xs_dom d;
    uint64_t f[2];
    char name[1100], *before, *after;

    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    make_dom(ctx, name, &d, f);
    before = xb__sim_xs_dump(hv);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d), -ENAMETOOLONG);
    assert_non_null(strstr(ctx->err.msg, "too long"));
    after = xb__sim_xs_dump(hv);
    assert_string_equal(before, after);
    free(before);
    free(after);
    xb_ctx_close(ctx);
}

static void list_find_destroy(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_xs_dom d1, d2;
    uint64_t f[2];
    uint32_t a = make_dom(ctx, "alpha", &d1, f), b, found = 0;
    struct xb_dominfo *v = NULL;
    size_t n = 0, hits = 0;
    char idstr[16];

    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d1), 0);
    b = make_dom(ctx, "beta", &d2, f);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d2), 0);

    assert_int_equal(xb_domain_list(ctx, &v, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (v[i].domid != a && v[i].domid != b)
            continue;
        hits++;
        assert_string_equal(v[i].name, v[i].domid == a ? "alpha" : "beta");
        assert_string_equal(v[i].type, "pv");
        assert_int_equal(v[i].mem_kib, 8);
        assert_int_equal(v[i].target_kib, 8);
        assert_true(v[i].state & XB_DOM_PAUSED);
        assert_memory_equal(v[i].uuid, uuid1, 16);
    }
    assert_int_equal(hits, 2);
    free(v);

    assert_int_equal(xb_domain_find(ctx, "beta", &found), 0);
    assert_int_equal(found, b);
    snprintf(idstr, sizeof(idstr), "%u", a);
    assert_int_equal(xb_domain_find(ctx, idstr, &found), 0);
    assert_int_equal(found, a);
    assert_int_equal(xb_domain_find(ctx, "gamma", &found), -ENOENT);
    assert_string_equal(xb_errmsg(ctx), "no domain named \"gamma\"");
    assert_int_equal(xb_domain_find(ctx, "4000", &found), -ENOENT);
    assert_string_equal(xb_errmsg(ctx), "no domain with id 4000");

    assert_int_equal(xb_domain_destroy(ctx, a), 0);
    assert_int_equal(xb_domain_find(ctx, "alpha", &found), -ENOENT);
    assert_null(xs_get(ctx->xs, "/local/domain/%u/name", a));
    assert_null(xs_get(ctx->xs, "/libxl/%u", a));
    assert_int_equal(xb_domain_find(ctx, "beta", &found), 0);
    assert_int_equal(xb_domain_destroy(ctx, a), -ENOENT);
    assert_int_equal(xb_domain_destroy(ctx, 0), -EPERM);
    assert_non_null(strstr(xb_errmsg(ctx), "refusing to destroy dom0"));
    xb_ctx_close(ctx);
}

/* A domain as xbuild leaves it: its node set and its name claim (a UUID of its own). */
static uint32_t make_named(struct xb_ctx *ctx, const char *name)
{
    static uint8_t uuid[64][16];
    static unsigned made;
    uint8_t *u = uuid[made++ % 64];
    struct xb_xs_dom d;
    uint64_t f[2];
    uint32_t id;

    memcpy(u, uuid1, 16);
    u[15] = (uint8_t)made;
    id = make_dom_uuid(ctx, name, u, &d, f);

    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, name, id, false), 0);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d), 0);
    return id;
}

/*
 * Sim calls of the destroy of a domain without devices (destroy.c): its
 * info; the first batch (8: reads, the record's removal); the other
 * domains' UUIDs (its /vm); the second batch (the console backend's
 * directory, the claim); the domain; the removal's transaction (start,
 * 9 ops: the claim, the console backend's directory and the backends'
 * expected; the claim, /vm/UUID, /local/domain/N, /libxl/N, the record and
 * N's console backend removed; end) and xenstored's release.
 */
#define CALLS_DESTROY (1 + 8 + 1 + 2 + 1 + (1 + 9 + 1) + 1)
/* ... and of the last domain: its kind's directory and the backends' removed too */
#define CALLS_DESTROY_LAST (CALLS_DESTROY + 2)

/*
 * Destroying one domain of two removes its nodes and claim, not the
 * other's (they share the console backend's directory); the second takes
 * the rest: xenstore is as it was before either.
 */
static void destroy_leaves_nothing(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_hv *hv = ctx->hv;
    char *before, *after, *v, id[16];
    uint32_t a, b, found = 0;

    /* the claims' directory stays, as create's other roots */
    assert_int_equal(
        ctx->xs->ops->mkdir(ctx->xs, &ctx->err, XB_XS_NO_TX, "/xbuild/names"), 0);
    before = xb__sim_xs_dump(hv);
    a = make_named(ctx, "alpha");
    b = make_named(ctx, "beta");

    xb__sim_fail_at(hv, -1); /* counts from here */
    assert_int_equal(xb_domain_destroy(ctx, a), 0);
    assert_int_equal(xb__sim_calls(hv), CALLS_DESTROY);
    assert_null(xs_get(ctx->xs, "/local/domain/%u", a));
    assert_null(xs_get(ctx->xs, "/local/domain/0/backend/console/%u", a));
    assert_null(xs_get(ctx->xs, "/xbuild/names/alpha"));
    snprintf(id, sizeof(id), "%u", b);
    assert_node(ctx->xs, id, "/xbuild/names/beta");
    assert_node(ctx->xs, "beta", "/local/domain/%u/name", b);
    v = xs_get(ctx->xs, "/local/domain/0/backend/console/%u", b);
    assert_non_null(v); /* the other's stays */
    free(v);
    assert_int_equal(xb_domain_find(ctx, "beta", &found), 0);
    xb__sim_fail_at(hv, -1);
    assert_int_equal(xb_domain_destroy(ctx, b), 0);
    /* the last: the console backend's directory and the backends' go too */
    assert_int_equal(xb__sim_calls(hv), CALLS_DESTROY_LAST);
    after = xb__sim_xs_dump(hv);
    assert_string_equal(before, after);
    free(before);
    free(after);
    xb_ctx_close(ctx);
}

/*
 * Whichever call of a destroy fails, it says so, the other domain keeps all
 * of its own, and what is left goes with a second destroy (or, once the
 * domain itself is gone, the removal of its nodes).
 */
static void destroy_failures_leave_nothing(void **state)
{
    long k;
    int rc = -1;

    for (k = 0; k < 100 && rc != 0; k++) {
        struct xb_ctx *ctx = open_sim(-1);
        struct xb_hv *hv = ctx->hv;
        struct sim_dominfo si;
        uint32_t a;
        char *before, *after;

        make_named(ctx, "keep");
        before = xb__sim_xs_dump(hv);
        a = make_named(ctx, "gone");
        xb__sim_fail_at(hv, k);
        rc = xb_domain_destroy(ctx, a);
        xb__sim_fail_at(hv, -1);
        if (rc) {
            assert_true(rc < 0);
            assert_non_null(strstr(xb_errmsg(ctx), "injected failure"));
            if (xb__sim_dominfo(hv, a, &si) == 0)
                assert_int_equal(xb_domain_destroy(ctx, a), 0);
            else
                assert_int_equal(xb__xs_domain_remove(ctx->xs, &ctx->err, a), 0);
        }
        after = xb__sim_xs_dump(hv);
        assert_string_equal(before, after);
        free(before);
        free(after);
        xb_ctx_close(ctx);
    }
    assert_int_equal(rc, 0);
    /* every call was failed once, but xenstored's release: a probe */
    assert_int_equal(k - 1, CALLS_DESTROY - 1);
}

static void same_name_twice_is_ambiguous(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_xs_dom d1, d2;
    uint64_t f[2];
    uint32_t found;

    make_dom(ctx, "twin", &d1, f);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d1), 0);
    make_dom(ctx, "twin", &d2, f);
    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d2), 0);
    assert_int_equal(xb_domain_find(ctx, "twin", &found), -EEXIST);
    assert_non_null(strstr(xb_errmsg(ctx), "2 domains are named \"twin\""));
    xb_ctx_close(ctx);
}

/* A name is claimed once: a second domain cannot take it while the first holds it. */
static void name_claim_is_exclusive(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_xs_dom d1, d2;
    uint64_t f[2];
    uint32_t a = make_dom(ctx, "my web_1.0", &d1, f), b = make_dom(ctx, "other", &d2, f);
    char id[16];

    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, "my web_1.0", a, false), 0);
    snprintf(id, sizeof(id), "%u", a);
    assert_node(ctx->xs, id, "/xbuild/names/my_20web_5f1_2e0");
    assert_node(ctx->xs, "my web_1.0", "/local/domain/%u/name", a);
    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, "my web_1.0", b, false),
                     -EEXIST);
    assert_non_null(strstr(ctx->err.msg, "\"my web_1.0\" already exists"));
    assert_null(
        xs_get(ctx->xs, "/local/domain/%u/name", b)); /* the loser wrote nothing */
    xb_err_clear(&ctx->err);
    /* the holder removed: the name is free again, and the claim gone with it */
    assert_int_equal(xb__xs_domain_remove(ctx->xs, &ctx->err, a), 0);
    assert_null(xs_get(ctx->xs, "/xbuild/names/my_20web_5f1_2e0"));
    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, "my web_1.0", b, false), 0);
    xb_ctx_close(ctx);
}

/* A claim whose domain another toolstack destroyed (its nodes gone) is stale. */
static void stale_name_claim_is_taken_over(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_xs_dom d1, d2;
    uint64_t f[2];
    uint32_t a = make_dom(ctx, "web", &d1, f), b = make_dom(ctx, "web2", &d2, f);
    char path[64], id[16];

    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, "web", a, false), 0);
    snprintf(path, sizeof(path), "/local/domain/%u", a);
    assert_int_equal(ctx->xs->ops->rm(ctx->xs, NULL, XB_XS_NO_TX, path), 0);
    assert_int_equal(xb__xs_name_claim(ctx->xs, &ctx->err, "web", b, false), 0);
    snprintf(id, sizeof(id), "%u", b);
    assert_node(ctx->xs, id, "/xbuild/names/web");
    /* removing the old domain again does not touch the new holder's claim */
    assert_int_equal(xb__xs_domain_remove(ctx->xs, &ctx->err, a), 0);
    assert_node(ctx->xs, id, "/xbuild/names/web");
    xb_ctx_close(ctx);
}

static void console_tty_waits_for_xenconsoled(void **state)
{
    struct xb_ctx *ctx = open_sim(-1);
    struct xb_hv *hv = ctx->hv;
    struct xb_xs_dom d;
    uint64_t f[2];
    uint32_t id = make_dom(ctx, "con", &d, f);
    char path[64], *tty = NULL;

    assert_int_equal(xb__xs_domain_introduce(ctx->xs, &ctx->err, &d), 0);
    assert_int_equal(xb_console_tty(ctx, id, 0, &tty), -ETIMEDOUT);
    assert_null(tty);
    assert_non_null(strstr(xb_errmsg(ctx), "xenconsoled"));
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", id);
    assert_int_equal(
        ctx->xs->ops->write(ctx->xs, &ctx->err, XB_XS_NO_TX, path, "/dev/pts/7", 10), 0);
    assert_int_equal(xb_console_tty(ctx, id, 0, &tty), 0);
    assert_string_equal(tty, "/dev/pts/7");
    free(tty);
    assert_int_equal(xb_console_drained(ctx, id), 1); /* an empty ring */
    assert_int_equal(hv->ops->domain_destroy(hv, &ctx->err, id), 0);
    assert_int_equal(xb_console_tty(ctx, id, 1000, &tty), -ESRCH);
    xb_ctx_close(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(introduce_writes_the_node_set),
        cmocka_unit_test(remove_leaves_nothing),
        cmocka_unit_test(introduce_failures_leave_nothing),
        cmocka_unit_test(too_long_name_is_refused),
        cmocka_unit_test(list_find_destroy),
        cmocka_unit_test(destroy_leaves_nothing),
        cmocka_unit_test(destroy_failures_leave_nothing),
        cmocka_unit_test(same_name_twice_is_ambiguous),
        cmocka_unit_test(name_claim_is_exclusive),
        cmocka_unit_test(stale_name_claim_is_taken_over),
        cmocka_unit_test(console_tty_waits_for_xenconsoled),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
