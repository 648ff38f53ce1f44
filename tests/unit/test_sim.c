/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine itself: scrambled frames, limits Xen enforces
 * (max memory, foreign frames, pinned tables mapped writable, page-table
 * validation at pin time), event channels, fault injection, and the
 * in-memory xenstore (implicit parents, perms inheritance, directories,
 * transactions with conflicts).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "builder/domain/ctx.h"
#include "builder/hv/sim/inspect.h"

#define PAGE 4096u

/* The machine under test: its two handles and where their errors go. */
static struct {
    struct xb_xs *xs;
    struct xb_err *err;
} m;

static struct xb_hv *sim(struct xb_err *err)
{
    const struct xb_sim_opts o = {.total_pages = 8192, .seed = 3, .fail_at = -1};
    struct xb_hv *hv = NULL;

    assert_int_equal(xb__sim_open(&o, &hv, &m.xs, err), 0);
    m.err = err;
    return hv;
}

static void sim_close(struct xb_hv *hv)
{
    m.xs->ops->close(m.xs);
    hv->ops->close(hv); /* the machine goes with the second handle */
}

static uint32_t new_dom(struct xb_hv *hv, unsigned bits, uint64_t kib)
{
    const struct xb_hv_domcfg cfg = {.type = XB_HV_DOM_PV, .max_vcpus = 2};
    uint32_t domid = 0;

    assert_int_equal(hv->ops->domain_create(hv, m.err, &cfg, &domid), 0);
    assert_int_equal(hv->ops->set_address_size(hv, m.err, domid, bits), 0);
    assert_int_equal(hv->ops->set_max_mem(hv, m.err, domid, kib), 0);
    return domid;
}

static void frames_scrambled_and_limited(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    uint32_t d = new_dom(hv, 64, 4096 + 2048);
    uint64_t ext[2] = {0, 512}, pages[16];
    unsigned ascending = 0;

    assert_int_equal(hv->ops->populate_physmap(hv, m.err, d, 9, 2, ext), 0);
    assert_int_equal(ext[0] % 512, 0);
    assert_true(ext[0] >= 512);                 /* chunk 0 is Xen's */
    assert_int_not_equal(ext[0] + 512, ext[1]); /* extents are not in order */
    for (int i = 0; i < 16; i++)
        pages[i] = 1024 + (uint64_t)i;
    assert_int_equal(hv->ops->populate_physmap(hv, m.err, d, 0, 16, pages), 0);
    for (int i = 1; i < 16; i++)
        ascending += pages[i] == pages[i - 1] + 1;
    assert_true(ascending < 4);
    assert_int_equal(xb__sim_frame_owner(hv, pages[3]), d);
    assert_int_equal(xb__sim_dom_pages(hv, d), 1040);
    /* beyond max memory: refused as a whole */
    uint64_t more[512];
    for (int i = 0; i < 512; i++)
        more[i] = 2000 + (uint64_t)i;
    assert_int_equal(hv->ops->populate_physmap(hv, m.err, d, 0, 512, more), -ENOMEM);
    assert_int_equal(xb__sim_dom_pages(hv, d), 1040);
    assert_int_equal(hv->ops->domain_destroy(hv, m.err, d), 0);
    assert_int_equal(xb__sim_frame_owner(hv, pages[3]), UINT32_MAX);
    assert_int_equal(xb__sim_ndomains(hv), 0);
    sim_close(hv);
}

static void foreign_maps_alias_guest_memory(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    uint32_t d = new_dom(hv, 64, 1024), other = new_dom(hv, 64, 1024);
    uint64_t f[4] = {0, 1, 2, 3}, g[1] = {0};
    uint8_t *p;

    assert_int_equal(hv->ops->populate_physmap(hv, m.err, d, 0, 4, f), 0);
    assert_int_equal(hv->ops->populate_physmap(hv, m.err, other, 0, 1, g), 0);
    p = hv->ops->map_foreign(hv, m.err, d, true, f, 4);
    assert_non_null(p);
    p[2 * PAGE + 5] = 0x42;
    assert_int_equal(xb__sim_frame(hv, f[2])[5], 0x42);
    assert_int_equal(xb__sim_nr_maps(hv), 1);
    assert_int_equal(hv->ops->unmap_foreign(hv, m.err, p, 4), 0);
    assert_int_equal(xb__sim_nr_maps(hv), 0);
    /* another domain's frame */
    assert_null(hv->ops->map_foreign(hv, m.err, d, false, g, 1));
    assert_int_equal(err.code, -EPERM);
    sim_close(hv);
}

/* A one-page L4 -> L3 -> L2 -> L1 hierarchy mapping itself at va 0. */
static void build_tables(struct xb_hv *hv, uint32_t d, const uint64_t *f, bool l1_rw)
{
    uint64_t *t = hv->ops->map_foreign(hv, m.err, d, true, f, 5);

    assert_non_null(t);
    memset(t, 0, 5 * PAGE);
    for (int l = 0; l < 3; l++)
        t[l * 512] = (f[l + 1] << 12) | 0x67;
    for (int i = 0; i < 5; i++)
        t[3 * 512 + i] = (f[i] << 12) | (l1_rw && i == 2 ? 0x23 : 0x21);
    assert_int_equal(hv->ops->unmap_foreign(hv, m.err, t, 5), 0);
}

static void pin_validates_tables(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    uint32_t d = new_dom(hv, 64, 1024);
    uint64_t f[5] = {0, 1, 2, 3, 4};
    struct sim_pin pin;
    void *w;

    assert_int_equal(hv->ops->populate_physmap(hv, m.err, d, 0, 5, f), 0);
    build_tables(hv, d, f, true);
    assert_int_equal(hv->ops->pin_table(hv, m.err, d, 4, f[0]), -EINVAL);
    assert_non_null(strstr(err.msg, "writable"));
    xb_err_clear(&err);
    build_tables(hv, d, f, false);
    w = hv->ops->map_foreign(hv, m.err, d, true, &f[1], 1); /* still mapped rw */
    assert_int_equal(hv->ops->pin_table(hv, m.err, d, 4, f[0]), -EBUSY);
    hv->ops->unmap_foreign(hv, m.err, w, 1);
    xb_err_clear(&err);
    assert_int_equal(hv->ops->pin_table(hv, m.err, d, 3, f[0]),
                     -EINVAL); /* 64-bit wants L4 */
    xb_err_clear(&err);
    assert_int_equal(hv->ops->pin_table(hv, m.err, d, 4, f[0]), 0);
    assert_int_equal(xb__sim_pins(hv, d, &pin, 1), 1);
    assert_int_equal(pin.mfn, f[0]);
    assert_null(
        hv->ops->map_foreign(hv, m.err, d, true, &f[3], 1)); /* now a page table */
    sim_close(hv);
}

static void evtchns_and_fault_injection(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    uint32_t d = new_dom(hv, 64, 1024), p1, p2, remote;

    assert_int_equal(hv->ops->evtchn_alloc_unbound(hv, m.err, d, 0, &p1), 0);
    assert_int_equal(hv->ops->evtchn_alloc_unbound(hv, m.err, d, 7, &p2), 0);
    assert_int_not_equal(p1, p2);
    assert_true(xb__sim_evtchn(hv, d, p2, &remote));
    assert_int_equal(remote, 7);
    assert_int_equal(xb__sim_nr_evtchns(hv), 2);
    xb__sim_fail_at(hv, 1);
    assert_int_equal(hv->ops->domain_pause(hv, m.err, d), 0);
    assert_int_equal(hv->ops->domain_pause(hv, m.err, d), -EIO);
    assert_non_null(strstr(err.msg, "injected failure of domain_pause (call 1)"));
    assert_int_equal(hv->ops->domain_pause(hv, m.err, d), 0);
    assert_int_equal(xb__sim_calls(hv), 3);
    assert_int_equal(hv->ops->domain_unpause(hv, m.err, d),
                     -EINVAL); /* no vCPU context */
    assert_int_equal(hv->ops->domain_destroy(hv, m.err, d), 0);
    assert_int_equal(xb__sim_nr_evtchns(hv), 0);
    sim_close(hv);
}

static void xs_read_str(struct xb_hv *hv, uint32_t tx, const char *path, const char *want)
{
    char *v = NULL;
    size_t len = 0;

    assert_int_equal(m.xs->ops->read(m.xs, m.err, tx, path, &v, &len), 0);
    assert_string_equal(v, want);
    assert_int_equal(len, strlen(want));
    free(v);
}

static void xenstore_tree_and_transactions(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    const struct xb_xs_perm perms[2] = {{.domid = 0},
                                        {.domid = 5, .perms = XB_XS_PERM_READ}};
    char **names = NULL, *v = NULL;
    size_t n = 0, before = xb__sim_xs_count(hv);
    uint32_t t1, t2;

    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/a/b/c", "x", 1), 0);
    xs_read_str(hv, XB_XS_NO_TX, "/a/b", ""); /* implicit parent */
    assert_int_equal(m.xs->ops->set_perms(m.xs, m.err, XB_XS_NO_TX, "/a", perms, 2), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/a/d", "y", 1), 0);
    assert_int_equal(m.xs->ops->directory(m.xs, m.err, XB_XS_NO_TX, "/a", &names, &n), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "bad//path", "", 0),
                     -EINVAL);
    /* a transaction sees its own writes; others see them after commit */
    assert_int_equal(m.xs->ops->transaction_start(m.xs, m.err, &t1), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, t1, "/a/t", "1", 1), 0);
    assert_int_equal(m.xs->ops->read(m.xs, m.err, XB_XS_NO_TX, "/a/t", &v, NULL),
                     -ENOENT);
    xs_read_str(hv, t1, "/a/t", "1");
    assert_int_equal(m.xs->ops->transaction_end(m.xs, m.err, t1, false), 0);
    xs_read_str(hv, XB_XS_NO_TX, "/a/t", "1");
    /* a conflicting commit is -EAGAIN and changes nothing */
    assert_int_equal(m.xs->ops->transaction_start(m.xs, m.err, &t2), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, t2, "/a/t", "2", 1), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/a/u", "3", 1), 0);
    assert_int_equal(m.xs->ops->transaction_end(m.xs, m.err, t2, false), -EAGAIN);
    xs_read_str(hv, XB_XS_NO_TX, "/a/t", "1");
    assert_int_equal(m.xs->ops->rm(m.xs, m.err, XB_XS_NO_TX, "/a"), 0);
    assert_int_equal(xb__sim_xs_count(hv), before);
    assert_int_equal(m.xs->ops->rm(m.xs, m.err, XB_XS_NO_TX, "/a"), -ENOENT);
    sim_close(hv);
}

/*
 * The batch op: every op attempted, each one's answer in its rc (-ENOENT of
 * a read or rm is an answer, not a failure); in a transaction of its own,
 * a failure leaves nothing; without one, what came before it stays.
 */
static void xenstore_batches(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    const struct xb_xs_perm ro[2] = {{.domid = 0},
                                     {.domid = 7, .perms = XB_XS_PERM_READ}};
    struct xb_xs_op ok[] = {
        {.kind = XB_XS_OP_MKDIR, .path = "/b"},
        {.kind = XB_XS_OP_PERMS, .path = "/b", .perms = ro, .n_perms = 2},
        {.kind = XB_XS_OP_WRITE, .path = "/b/v", .val = "42", .len = 2},
        {.kind = XB_XS_OP_READ, .path = "/b/v"},
        {.kind = XB_XS_OP_READ, .path = "/b/none"},
        {.kind = XB_XS_OP_RM, .path = "/b/none"},
    };
    struct xb_xs_op bad[] = {
        {.kind = XB_XS_OP_WRITE, .path = "/c/first", .val = "1", .len = 1},
        {.kind = XB_XS_OP_WRITE, .path = "bad//path", .val = "", .len = 0},
        {.kind = XB_XS_OP_WRITE, .path = "/c/after", .val = "2", .len = 1},
    };
    size_t before = xb__sim_xs_count(hv);
    char *v = NULL;

    (void)state;
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, true, ok, 6), 0);
    assert_string_equal(err.msg, "");
    assert_int_equal(ok[3].rc, 0);
    assert_string_equal(ok[3].out, "42");
    free(ok[3].out);
    assert_int_equal(ok[4].rc, -ENOENT);
    assert_null(ok[4].out);
    xs_read_str(hv, XB_XS_NO_TX, "/b/v", "42");
    /* in a transaction: the bad path fails it, and nothing of it stays */
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, true, bad, 3), -EINVAL);
    assert_int_equal(bad[0].rc, 0);
    assert_int_equal(bad[2].rc, 0); /* attempted, then aborted with the rest */
    assert_int_equal(m.xs->ops->read(m.xs, NULL, XB_XS_NO_TX, "/c/first", &v, NULL),
                     -ENOENT);
    /* without one: each op applied as it comes */
    err = (struct xb_err){0};
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, false, bad, 3), -EINVAL);
    assert_true(err.msg[0] != '\0');
    xs_read_str(hv, XB_XS_NO_TX, "/c/first", "1");
    xs_read_str(hv, XB_XS_NO_TX, "/c/after", "2");
    assert_int_equal(m.xs->ops->rm(m.xs, m.err, XB_XS_NO_TX, "/b"), 0);
    assert_int_equal(m.xs->ops->rm(m.xs, m.err, XB_XS_NO_TX, "/c"), 0);
    assert_int_equal(xb__sim_xs_count(hv), before);
    sim_close(hv);
}

/*
 * DIRECTORY in a batch (each name NUL-terminated), and expectations: a
 * transaction whose READ or DIRECTORY answers differ from what it expects
 * fails with -ESTALE (not recorded) and changes nothing.
 */
static void xenstore_batch_expectations(void **state)
{
    struct xb_err err = {0};
    struct xb_hv *hv = sim(&err);
    struct xb_xs_op list[] = {{.kind = XB_XS_OP_DIRECTORY, .path = "/e"},
                              {.kind = XB_XS_OP_DIRECTORY, .path = "/e/none"}};
    struct xb_xs_op t[3];
    size_t before = xb__sim_xs_count(hv);
    char *v = NULL;

    (void)state;
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/e/a", "1", 1), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/e/b", "2", 1), 0);
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, false, list, 2), 0);
    assert_int_equal(list[0].out_len, 4);
    assert_memory_equal(list[0].out, "a\0b\0", 4);
    assert_int_equal(list[1].rc, -ENOENT);
    /* what was listed still holds: committed */
    t[0] = (struct xb_xs_op){.kind = XB_XS_OP_DIRECTORY,
                             .path = "/e",
                             .expect = true,
                             .val = list[0].out,
                             .len = list[0].out_len};
    t[1] = (struct xb_xs_op){
        .kind = XB_XS_OP_READ, .path = "/e/a", .expect = true, .val = "1", .len = 1};
    t[2] = (struct xb_xs_op){.kind = XB_XS_OP_RM, .path = "/e/a"};
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, true, t, 3), 0);
    free(t[0].out);
    free(t[1].out);
    assert_int_equal(m.xs->ops->read(m.xs, NULL, XB_XS_NO_TX, "/e/a", &v, NULL), -ENOENT);
    /* the same again: /e changed since, so nothing is done */
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/e/a", "1", 1), 0);
    assert_int_equal(m.xs->ops->write(m.xs, m.err, XB_XS_NO_TX, "/e/c", "3", 1), 0);
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, true, t, 3), -ESTALE);
    assert_int_equal(t[0].rc, -ESTALE);
    assert_string_equal(err.msg, "");
    free(t[0].out);
    free(t[1].out);
    xs_read_str(hv, XB_XS_NO_TX, "/e/a", "1");
    /* expecting no node */
    t[1] = (struct xb_xs_op){.kind = XB_XS_OP_READ, .path = "/e/a", .expect = true};
    assert_int_equal(m.xs->ops->batch(m.xs, m.err, true, &t[1], 2), -ESTALE);
    free(t[1].out);
    xs_read_str(hv, XB_XS_NO_TX, "/e/a", "1");
    free(list[0].out);
    assert_int_equal(m.xs->ops->rm(m.xs, m.err, XB_XS_NO_TX, "/e"), 0);
    assert_int_equal(xb__sim_xs_count(hv), before);
    sim_close(hv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_scrambled_and_limited),
        cmocka_unit_test(foreign_maps_alias_guest_memory),
        cmocka_unit_test(pin_validates_tables),
        cmocka_unit_test(evtchns_and_fault_injection),
        cmocka_unit_test(xenstore_tree_and_transactions),
        cmocka_unit_test(xenstore_batches),
        cmocka_unit_test(xenstore_batch_expectations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
