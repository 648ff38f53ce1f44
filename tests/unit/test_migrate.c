/* SPDX-License-Identifier: MIT */
/*
 * Save, restore and migration on the sim backend (lib/builder/migrate/):
 * the image as xl frames it (its header and configuration, libxl's
 * records), round trips of PV and PVH domains (memory, name, UUID, rings,
 * xenstore nodes), the domain's fate after a save (destroyed, resumed,
 * paused, left suspended), a guest that does not suspend, live saves on a
 * host without shadow paging, bad and truncated images, fault injection at
 * every call of a save and of a restore (a failed save leaves the domain
 * running, a failed restore leaves nothing), xl's protocol against a
 * scripted other side, and the configuration formats a save image stores
 * (libxl's JSON read as xl.cfg keys, a spec written back as xl.cfg text);
 * with the monitor and libxl's userdata: a save stores libxl's JSON of an
 * xbuild domain, a restore gets a record, a resumed domain is acted upon.
 * The sim's stream is its own (hv/sim/stream.c); Xen's is libxenguest's
 * and is proven in the lab.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbuild/builder.h>
#include <xbuild/config.h>
#include <xbuild/manage.h>
#include <xbuild/migrate.h>
#include <xen/sched.h>

#include "builder/domain/ctx.h"
#include "builder/domain/record.h"
#include "builder/hv/sim/inspect.h"
#include "builder/migrate/migrate.h"

#define PAGE 4096ull

static const uint8_t uuid1[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88,
                                  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

/* ---- in-test kernels (no parser involved) ---- */

struct test_kernel {
    struct xb_image img;
    struct xb_segment seg[1];
    uint8_t elf[2 * PAGE];
};

static void make_pv(struct test_kernel *k)
{
    const uint64_t base = 0xffffffff80000000ull, kstart = base + 0x200000;

    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < sizeof(k->elf); i++)
        k->elf[i] = (uint8_t)(i * 7 + 3);
    k->seg[0] = (struct xb_segment){.filesz = 2 * PAGE,
                                    .memsz = 3 * PAGE,
                                    .vaddr = kstart,
                                    .paddr = kstart - base,
                                    .load_vaddr = kstart,
                                    .flags = 7};
    k->img = (struct xb_image){.elf = k->elf,
                               .elf_size = sizeof(k->elf),
                               .elf_class = 64,
                               .segs = k->seg,
                               .nsegs = 1,
                               .virt_base = base,
                               .paddr_offset = base,
                               .virt_kstart = kstart,
                               .virt_kend = kstart + 3 * PAGE,
                               .virt_entry = kstart + 0x40,
                               .virt_hypercall = kstart + PAGE,
                               .guest_types = XB_GUEST_PV64};
    k->img.notes.hv_start_low = XB_UNSET_ADDR;
    k->img.notes.mod_start_pfn = XB_UNSET_ADDR;
}

static void make_pvh(struct test_kernel *k)
{
    const uint64_t paddr = 0x100000;

    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < sizeof(k->elf); i++)
        k->elf[i] = (uint8_t)(i * 13 + 5);
    k->seg[0] = (struct xb_segment){
        .filesz = 2 * PAGE, .memsz = 3 * PAGE, .paddr = paddr, .flags = 7};
    k->img = (struct xb_image){.elf = k->elf,
                               .elf_size = sizeof(k->elf),
                               .elf_class = 32,
                               .segs = k->seg,
                               .nsegs = 1,
                               .pstart = paddr,
                               .pend = paddr + 3 * PAGE,
                               .virt_kstart = paddr,
                               .virt_kend = paddr + 3 * PAGE,
                               .virt_entry = paddr + 0x20,
                               .virt_hypercall = XB_UNSET_ADDR,
                               .guest_types = XB_GUEST_PVH};
    k->img.notes.phys32_entry = paddr + 0x20;
}

static struct xb_spec make_spec(enum xb_domtype type)
{
    return (struct xb_spec){
        .name = "t1",
        .type = type,
        .kernel = "/boot/test-kernel", /* named only: opts.image is loaded */
        .memory_mib = 8,
        .maxmem_mib = 8,
        .vcpus = 1,
        .maxvcpus = 2,
        .cmdline = "console=hvc0",
        .on_reboot = XB_ACTION_RESTART,
        .on_soft_reset = XB_ACTION_SOFT_RESET, /* the config layer's default */
        .has_uuid = true,
    };
}

/* ---- a machine and its domains ---- */

struct world {
    struct xb_ctx *ctx;
    struct test_kernel k;
    struct xb_spec spec;
    uint32_t domid;
    char *config; /* the spec as xl.cfg text, for save */
    size_t config_len;
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

static struct world *world_new(enum xb_domtype type)
{
    struct world *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    w->ctx = open_sim();
    w->spec = make_spec(type);
    memcpy(w->spec.uuid, uuid1, 16);
    if (type == XB_DOMTYPE_PVH)
        make_pvh(&w->k);
    else
        make_pv(&w->k);
    assert_int_equal(xb_spec_to_config(&w->spec, &w->config, &w->config_len), 0);
    return w;
}

static void world_free(struct world *w)
{
    xb_ctx_close(w->ctx);
    free(w->config);
    free(w);
}

static struct xb_hv *hv_of(struct world *w)
{
    return xb__ctx_hv(w->ctx);
}

static uint32_t create(struct world *w)
{
    const struct xb_create_opts opts = {.image = &w->k.img};

    if (xb_domain_create(w->ctx, &w->spec, &opts, &w->domid) != 0)
        fail_msg("create: %s", xb_errmsg(w->ctx));
    return w->domid;
}

static char *node(struct world *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *node(struct world *w, const char *fmt, ...)
{
    struct xb_xs *xs = xb__ctx_xs(w->ctx);
    char path[160], *v = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs->ops->read(xs, NULL, XB_XS_NO_TX, path, &v, NULL) == 0 ? v : NULL;
}

static void assert_node(struct world *w, const char *want, const char *path)
{
    char *v = node(w, "%s", path);

    if (!v)
        fail_msg("no node %s", path);
    assert_string_equal(v, want);
    free(v);
}

static uint32_t flags_of(struct world *w, uint32_t domid)
{
    struct xb_hv_dominfo i;
    unsigned n = 0;

    assert_int_equal(hv_of(w)->ops->domain_info(hv_of(w), NULL, domid, &i, 1, &n), 0);
    return n == 1 && i.domid == domid ? i.flags : UINT32_MAX;
}

/* A byte pattern in the domain's memory, through the M2P (pfn 3, offset 100). */
static xb_mfn mfn_at(struct world *w, uint32_t domid, uint64_t pfn)
{
    for (xb_mfn m = 0; m < 64 * 256; m++)
        if (xb__sim_frame_owner(hv_of(w), m) == domid && xb__sim_m2p(hv_of(w), m) == pfn)
            return m;
    return XB_NO_MFN;
}

static void poke(struct world *w, uint32_t domid, const char *text)
{
    struct xb_hv *hv = hv_of(w);
    xb_mfn frame = w->spec.type == XB_DOMTYPE_PVH ? 3 : mfn_at(w, domid, 3);
    uint8_t *p = hv->ops->map_foreign(hv, NULL, domid, true, &frame, 1);

    assert_non_null(p);
    memcpy(p + 100, text, strlen(text) + 1);
    hv->ops->unmap_foreign(hv, NULL, p, 1);
}

static void assert_poked(struct world *w, uint32_t domid, const char *text)
{
    struct xb_hv *hv = hv_of(w);
    xb_mfn frame = w->spec.type == XB_DOMTYPE_PVH ? 3 : mfn_at(w, domid, 3);
    uint8_t *p = hv->ops->map_foreign(hv, NULL, domid, false, &frame, 1);

    assert_non_null(p);
    assert_string_equal((const char *)p + 100, text);
    hv->ops->unmap_foreign(hv, NULL, p, 1);
}

static int image_fd(void)
{
    int fd = memfd_create("xbuild-test-image", MFD_CLOEXEC);

    assert_true(fd >= 0);
    return fd;
}

/* Save domain @w->domid into a new memfd with @then; returns the fd at 0. */
static int save(struct world *w, enum xb_save_then then)
{
    const struct xb_save_opts o = {
        .config = w->config, .config_len = w->config_len, .then = then};
    struct xb_save_stats st;
    int fd = image_fd();

    if (xb_domain_save(w->ctx, w->domid, fd, &o, &st) != 0)
        fail_msg("save: %s", xb_errmsg(w->ctx));
    assert_false(st.live);
    assert_true(st.suspended_ns >= st.start_ns && st.done_ns >= st.suspended_ns);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* The spec stored in an image, as the CLI builds it. */
static struct xb_spec *stored_spec(const struct xb_saved *s)
{
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    const struct xb_spec_opts so = {0};

    assert_int_equal(xb_config_new(&cfg), 0);
    assert_int_equal(
        s->config_json ? xb_config_parse_libxl_json(cfg, s->config, s->config_len, "<s>")
                       : xb_config_parse(cfg, s->config, s->config_len, "<s>"),
        0);
    if (xb_config_to_spec(cfg, &so, &spec) != 0)
        fail_msg("stored spec: %s", xb_config_diag(cfg, 0)->msg);
    xb_config_free(cfg);
    return spec;
}

/* Read the image at @fd (at 0) and restore it; the new domid. */
static uint32_t restore(struct world *w, int fd, bool paused)
{
    const struct xb_restore_opts ro = {.paused = paused};
    struct xb_saved saved;
    struct xb_err err = {0};
    struct xb_spec *spec;
    uint32_t domid = 0;

    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    if (xb_saved_read(fd, "test.save", &saved, &err) != 0)
        fail_msg("saved_read: %s", err.msg);
    assert_false(saved.config_json);
    assert_non_null(saved.config);
    spec = stored_spec(&saved);
    if (xb_domain_restore(w->ctx, spec, fd, "test.save", &ro, &domid) != 0)
        fail_msg("restore: %s", xb_errmsg(w->ctx));
    xb_spec_free(spec);
    xb_saved_clear(&saved);
    return domid;
}

/* ---- round trips ---- */

static void check_restored(struct world *w, uint32_t domid, bool paused)
{
    struct sim_dominfo di;
    char *uuid = node(w, "/local/domain/%u/vm", domid), ring[32], path[64];

    assert_non_null(uuid);
    assert_string_equal(uuid, "/vm/11223344-5566-4788-99aa-bbccddeeff01");
    free(uuid);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    assert_node(w, "t1", path);
    assert_int_equal(xb__sim_dominfo(hv_of(w), domid, &di), 0);
    assert_memory_equal(di.handle, uuid1, 16);
    assert_true(di.introduced && di.gnttab_seeded);
    snprintf(ring, sizeof(ring), "%llu", (unsigned long long)di.store_mfn);
    snprintf(path, sizeof(path), "/local/domain/%u/store/ring-ref", domid);
    assert_node(w, ring, path);
    snprintf(ring, sizeof(ring), "%llu", (unsigned long long)di.gnt_console);
    snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref", domid);
    assert_node(w, ring, path);
    assert_int_equal(!!(flags_of(w, domid) & XB_DOMINFO_PAUSED), paused);
    assert_false(flags_of(w, domid) & XB_DOMINFO_SHUTDOWN);
    assert_poked(w, domid, "xbuild was here");
}

static void round_trip(enum xb_domtype type)
{
    struct world *w = world_new(type);
    uint32_t old = create(w), domid;
    int fd;

    poke(w, old, "xbuild was here");
    fd = save(w, XB_SAVE_DESTROY);
    assert_int_equal(xb__sim_ndomains(hv_of(w)), 0); /* destroyed once saved */
    assert_null(node(w, "/local/domain/%u", old));
    domid = restore(w, fd, false);
    assert_int_not_equal(domid, old);
    check_restored(w, domid, false);
    assert_int_equal(xb_domain_destroy(w->ctx, domid), 0);
    domid = restore(w, fd, true); /* the image is still there: twice, paused */
    check_restored(w, domid, true);
    close(fd);
    world_free(w);
}

static void pv_round_trip(void **state)
{
    round_trip(XB_DOMTYPE_PV);
}

static void pvh_round_trip(void **state)
{
    round_trip(XB_DOMTYPE_PVH);
}

/* -c carries on, -p carries on paused, migration's leaves it suspended. */
static void after_the_save(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    uint32_t domid = create(w);
    int fd = save(w, XB_SAVE_RESUME);

    assert_int_equal(flags_of(w, domid) & (XB_DOMINFO_SHUTDOWN | XB_DOMINFO_PAUSED), 0);
    assert_node(w, "", "/local/domain/1/control/shutdown"); /* the guest took it */
    close(fd);
    fd = save(w, XB_SAVE_PAUSE);
    assert_int_equal(flags_of(w, domid) & (XB_DOMINFO_SHUTDOWN | XB_DOMINFO_PAUSED),
                     XB_DOMINFO_PAUSED);
    close(fd);
    assert_int_equal(xb_domain_unpause(w->ctx, domid), 0);
    fd = save(w, XB_SAVE_SUSPENDED);
    assert_true(flags_of(w, domid) & XB_DOMINFO_SHUTDOWN);
    assert_int_equal(xb_domain_resume(w->ctx, domid), 0);
    assert_false(flags_of(w, domid) & XB_DOMINFO_SHUTDOWN);
    assert_int_equal(xb_domain_resume(w->ctx, domid), -EINVAL); /* not suspended */
    assert_string_equal(xb_errmsg(w->ctx), "domain 1 is not suspended");
    close(fd);
    world_free(w);
}

/* ---- what cannot be saved ---- */

static void save_fails(struct world *w, const struct xb_save_opts *o, int want,
                       const char *msg)
{
    int fd = image_fd();

    assert_int_equal(xb_domain_save(w->ctx, w->domid, fd, o, NULL), want);
    if (!strstr(xb_errmsg(w->ctx), msg))
        fail_msg("got \"%s\", want \"%s\"", xb_errmsg(w->ctx), msg);
    close(fd);
}

static void refusals(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    const struct xb_save_opts o = {.config = w->config, .config_len = w->config_len};
    const struct xb_save_opts stored = {0};

    w->domid = 0;
    save_fails(w, &o, -EPERM, "refusing to save dom0");
    w->domid = 9;
    save_fails(w, &o, -ENOENT, "no domain with id 9");
    create(w);
    save_fails(w, &stored, -ENOENT,
               "t1 has no stored configuration: give its config file");
    assert_int_equal(
        xb_domain_create(w->ctx, &w->spec,
                         &(struct xb_create_opts){.image = &w->k.img, .paused = true},
                         &(uint32_t){0}),
        -EEXIST);
    assert_int_equal(hv_of(w)->ops->domain_pause(hv_of(w), NULL, w->domid), 0);
    save_fails(w, &o, -EBUSY, "t1 is paused: a paused guest cannot answer the suspend");
    assert_int_equal(hv_of(w)->ops->domain_unpause(hv_of(w), NULL, w->domid), 0);
    assert_int_equal(hv_of(w)->ops->domain_shutdown(hv_of(w), NULL, w->domid, 0), 0);
    save_fails(w, &o, -EINVAL, "t1 has powered off: there is nothing left to save");
    world_free(w);
}

/* A kernel without Xen suspend: the save times out, the guest runs on. */
static void deaf_guest(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    const struct xb_save_opts o = {
        .config = w->config, .config_len = w->config_len, .suspend_timeout_ms = 50};

    create(w);
    xb__sim_guests_deaf(hv_of(w), true);
    save_fails(w, &o, -ETIMEDOUT,
               "t1 did not suspend within 1 s of the request (does its kernel support "
               "Xen suspend?)");
    assert_int_equal(flags_of(w, w->domid) & (XB_DOMINFO_SHUTDOWN | XB_DOMINFO_PAUSED),
                     0);
    assert_node(w, "", "/local/domain/1/control/shutdown"); /* the request taken back */
    assert_null(xb_warning(w->ctx, 0));
    world_free(w);
}

/* Debian's Xen has no shadow paging: PV moves non-live (said), or is refused. */
static void live_without_shadow(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    struct xb_save_opts o = {.config = w->config,
                             .config_len = w->config_len,
                             .live = true,
                             .live_only = true,
                             .then = XB_SAVE_RESUME};
    struct xb_save_stats st;
    int fd = image_fd();

    create(w);
    assert_int_equal(xb_domain_live_ok(w->ctx, w->domid), -EOPNOTSUPP);
    assert_string_equal(xb_errmsg(w->ctx),
                        "t1 is a PV guest, which moves live only with shadow paging "
                        "(log-dirty), and this Xen 4.17 has none (no \"shadow\" in xl "
                        "info's virt_caps)");
    save_fails(w, &o, -EOPNOTSUPP, "moves live only with shadow paging");
    assert_int_equal(lseek(fd, 0, SEEK_END), 0); /* nothing written: refused first */
    o.live_only = false;
    assert_int_equal(xb_domain_save(w->ctx, w->domid, fd, &o, &st), 0);
    assert_false(st.live);
    assert_non_null(strstr(xb_warning(w->ctx, 0),
                           "t1: moving it non-live (paused for the "
                           "whole copy)"));
    xb__sim_shadow(hv_of(w), true);
    assert_int_equal(xb_domain_live_ok(w->ctx, w->domid), 0);
    assert_int_equal(xb_domain_save(w->ctx, w->domid, fd, &o, &st), 0);
    assert_true(st.live);
    assert_null(xb_warning(w->ctx, 0));
    close(fd);
    world_free(w);
    w = world_new(XB_DOMTYPE_PVH); /* HAP: live without shadow paging */
    create(w);
    assert_int_equal(xb_domain_live_ok(w->ctx, w->domid), 0);
    world_free(w);
}

/* ---- bad images ---- */

/* The first @len bytes of a good image, or @bytes: restore fails cleanly. */
static void restore_fails(struct world *w, const uint8_t *bytes, size_t len,
                          const char *msg)
{
    const size_t nodes = xb__sim_xs_count(hv_of(w));
    const struct xb_restore_opts ro = {0};
    struct xb_saved saved = {0};
    struct xb_err err = {0};
    struct xb_spec spec = w->spec;
    uint32_t domid = 0;
    int fd = image_fd();
    int rc;

    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    rc = xb_saved_read(fd, "bad.save", &saved, &err);
    if (rc == 0) {
        rc = xb_domain_restore(w->ctx, &spec, fd, "bad.save", &ro, &domid);
        snprintf(err.msg, sizeof(err.msg), "%s", xb_errmsg(w->ctx));
    }
    assert_int_not_equal(rc, 0);
    if (!strstr(err.msg, msg))
        fail_msg("got \"%s\", want \"%s\"", err.msg, msg);
    assert_int_equal(xb__sim_ndomains(hv_of(w)), 0);
    assert_int_equal(xb__sim_nr_evtchns(hv_of(w)), 0);
    assert_int_equal(xb__sim_xs_count(hv_of(w)), nodes);
    xb_saved_clear(&saved);
    close(fd);
}

static uint8_t *read_all(int fd, size_t *len)
{
    off_t end = lseek(fd, 0, SEEK_END);
    uint8_t *buf = malloc((size_t)end);

    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
    *len = (size_t)end;
    return buf;
}

static void bad_images(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    size_t len, stream;
    uint8_t *good, junk[600];
    int fd;

    create(w);
    fd = save(w, XB_SAVE_DESTROY);
    good = read_all(fd, &len);
    close(fd);
    stream = XB_XLHDR_LEN + 4 + w->config_len; /* where libxl's stream begins */
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 31);
    restore_fails(w, junk, sizeof(junk), "bad.save: not a save image (no xl header)");
    restore_fails(w, good, 10, "bad.save: truncated (it ends 38 bytes early)");
    restore_fails(w, good, XB_XLHDR_LEN + 20, "bad.save: truncated");
    restore_fails(w, good, stream + 4, "bad.save: truncated (it ends 12 bytes early)");
    restore_fails(w, good, stream + 16 + 8 + 4096,
                  "bad.save: truncated: the memory image ends early (sim: ");
    restore_fails(w, good, len - 8, "bad.save: truncated (it ends 8 bytes early)");
    restore_fails(w, good, len - 1, "bad.save: truncated (it ends 1 bytes early)");
    good[stream + 3] ^= 0x20; /* libxl's ident */
    restore_fails(w, good, len, "bad.save: no libxl stream after xl's header");
    good[stream + 3] ^= 0x20;
    good[36] |= 0x80; /* a mandatory flag of a newer xl */
    restore_fails(w, good, len, "bad.save: mandatory flags 0x80 unknown");
    good[36] &= 0x7f;
    good[36] &= (uint8_t)~XB_XL_FLAG_STREAMV2;
    restore_fails(w, good, len, "bad.save: a legacy stream (Xen 4.5 or older)");
    good[36] |= XB_XL_FLAG_STREAMV2;
    good[stream + 16] = XB_LX_REC_EMU_CTX; /* an HVM guest's record first */
    restore_fails(w, good, len, "bad.save: an HVM guest's image");
    good[stream + 16] = XB_LX_REC_LIBXC;
    { /* memory the configuration does not give it */
        struct xb_spec small = w->spec;
        w->spec.memory_mib = w->spec.maxmem_mib = 4;
        restore_fails(w, good, len, "pages exceed the domain's maximum");
        w->spec = small;
    }
    w->spec.type = XB_DOMTYPE_PVH; /* a PV image into a PVH domain */
    restore_fails(w, good, len, "sim: stream_restore: a PV stream into a PVH domain");
    free(good);
    world_free(w);
}

/* ---- fault injection ---- */

/* Fail every call of a save in turn: the domain carries on, running. */
static void save_faults(void **state)
{
    long n = 0;

    for (long at = 0;; at++) {
        struct world *w = world_new(XB_DOMTYPE_PV);
        const struct xb_save_opts o = {.config = w->config, .config_len = w->config_len};
        int fd = image_fd(), rc;

        create(w);
        xb__sim_fail_at(hv_of(w), at);
        rc = xb_domain_save(w->ctx, w->domid, fd, &o, NULL);
        n = xb__sim_calls(hv_of(w));
        xb__sim_fail_at(hv_of(w), -1);
        if (rc == 0) {
            assert_int_equal(xb__sim_ndomains(hv_of(w)), 0);
            close(fd);
            world_free(w);
            break;
        }
        if (flags_of(w, w->domid) == UINT32_MAX) /* the destroy failed midway */
            assert_true(at >= n - 8);
        else if (flags_of(w, w->domid) & XB_DOMINFO_SHUTDOWN)
            fail_msg("fault at call %ld: the domain stays suspended (%s)", at,
                     xb_errmsg(w->ctx));
        close(fd);
        world_free(w);
    }
    assert_true(n > 5);
}

/* Fail every call of a restore in turn: nothing is left behind. */
static void restore_faults(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PVH);
    const struct xb_restore_opts ro = {0};
    size_t baseline;
    int fd;

    create(w);
    fd = save(w, XB_SAVE_DESTROY);
    baseline = xb__sim_xs_count(hv_of(w));
    for (long at = 0;; at++) {
        struct xb_saved saved;
        struct xb_err err = {0};
        struct xb_spec *spec;
        uint32_t domid;
        int rc;

        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(xb_saved_read(fd, "f", &saved, &err), 0);
        spec = stored_spec(&saved);
        xb__sim_fail_at(hv_of(w), at);
        rc = xb_domain_restore(w->ctx, spec, fd, "f", &ro, &domid);
        xb__sim_fail_at(hv_of(w), -1);
        xb_spec_free(spec);
        xb_saved_clear(&saved);
        if (rc == 0) {
            assert_int_equal(xb_domain_destroy(w->ctx, domid), 0);
            assert_true(at > 10);
            break;
        }
        if (xb__sim_ndomains(hv_of(w)) || xb__sim_nr_evtchns(hv_of(w)) ||
            xb__sim_xs_count(hv_of(w)) != baseline)
            fail_msg("fault at call %ld (%s) left something behind:\n%s", at,
                     xb_errmsg(w->ctx), xb__sim_xs_dump(hv_of(w)));
    }
    close(fd);
    world_free(w);
}

/* ---- xl's protocol, against a scripted other side ---- */

static const char banner[] = "xl migration receiver ready, send binary domain data.\n";
static const char ready[] = "domain received, ready to unpause";
static const char go[] = "domain is yours, you are cleared to unpause";
static const char report[] = "my copy unpause results are as follows";

/* The receiver's side, scripted: what it says and when it stops. */
struct peer {
    int fd;
    size_t image_len; /* bytes of the image it reads before answering */
    int stop;         /* 0: the image only, 1: + ready, 2: + it reads the go, 3: + report,
                         4: + the go back */
    char status;
    char got_go[sizeof(go)];
};

static void *scripted_receiver(void *arg)
{
    struct peer *p = arg;
    uint8_t buf[4096];
    size_t left = p->image_len;

    assert_int_equal(write(p->fd, banner, sizeof(banner) - 1), sizeof(banner) - 1);
    while (left) {
        ssize_t n = read(p->fd, buf, left < sizeof(buf) ? left : sizeof(buf));
        if (n <= 0)
            return NULL;
        left -= (size_t)n;
    }
    if (p->stop >= 1 && write(p->fd, ready, sizeof(ready)) != sizeof(ready))
        return NULL;
    if (p->stop >= 2 && read(p->fd, p->got_go, sizeof(go)) == sizeof(go) &&
        p->stop >= 3) {
        if (write(p->fd, report, sizeof(report)) != sizeof(report) ||
            write(p->fd, &p->status, 1) != 1)
            return NULL;
        if (p->stop >= 4 && write(p->fd, go, sizeof(go)) != sizeof(go))
            return NULL;
    }
    shutdown(p->fd, SHUT_RDWR);
    return NULL;
}

static int migrate_against(struct world *w, struct peer *p)
{
    const struct xb_save_opts o = {.config = w->config, .config_len = w->config_len};
    pthread_t t;
    int sv[2], rc;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    p->fd = sv[1];
    assert_int_equal(pthread_create(&t, NULL, scripted_receiver, p), 0);
    rc = xb_migrate_send(w->ctx, w->domid, sv[0], sv[0], &o, NULL);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    return rc;
}

static void sender(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    size_t len;
    uint8_t *image;
    int fd;
    struct peer p;

    create(w);
    fd = save(w, XB_SAVE_RESUME); /* the image's size, to script the receiver */
    image = read_all(fd, &len);
    free(image);
    close(fd);

    p = (struct peer){.image_len = len, .stop = 0}; /* it goes away before ready */
    assert_int_equal(migrate_against(w, &p), -EPIPE);
    assert_int_equal(flags_of(w, w->domid) & XB_DOMINFO_SHUTDOWN, 0); /* resumed */
    assert_node(w, "t1", "/local/domain/1/name");

    p = (struct peer){.image_len = len, .stop = 1}; /* the go cannot reach it */
    assert_int_equal(migrate_against(w, &p), -EPIPE);
    assert_int_equal(flags_of(w, w->domid) & XB_DOMINFO_SHUTDOWN, 0);
    assert_node(w, "t1", "/local/domain/1/name"); /* named back */

    p = (struct peer){.image_len = len, .stop = 4, .status = 1}; /* it failed to start */
    assert_int_equal(migrate_against(w, &p), -EREMOTEIO);
    assert_string_equal(p.got_go, go);
    assert_string_equal(xb_errmsg(w->ctx),
                        "t1: the target could not start the domain (status 1): it "
                        "carries on here");
    assert_int_equal(flags_of(w, w->domid) & XB_DOMINFO_SHUTDOWN, 0);
    assert_node(w, "t1", "/local/domain/1/name");

    p = (struct peer){.image_len = len, .stop = 2}; /* no report after the go */
    assert_int_equal(migrate_against(w, &p), -EIO);
    if (!strstr(xb_errmsg(w->ctx), "stays suspended as \"t1--migratedaway\""))
        fail_msg("%s", xb_errmsg(w->ctx));
    assert_true(flags_of(w, w->domid) & XB_DOMINFO_SHUTDOWN);
    assert_node(w, "t1--migratedaway", "/local/domain/1/name");
    assert_int_equal(xb_domain_resume(w->ctx, w->domid), 0);

    p = (struct peer){.image_len = len, .stop = 3, .status = 0}; /* all is well */
    assert_int_equal(migrate_against(w, &p), 0);
    assert_int_equal(xb__sim_ndomains(hv_of(w)), 0); /* destroyed here */
    world_free(w);
}

/* The sender's side, scripted: an image made by a save, then go. */
struct feeder {
    int fd;
    const uint8_t *image;
    size_t len;
    bool send_go;
    char heard[sizeof(banner) + sizeof(ready) + sizeof(report) + 1];
    size_t heard_len;
};

static void *scripted_sender(void *arg)
{
    struct feeder *f = arg;
    ssize_t n;

    n = read(f->fd, f->heard, sizeof(banner) - 1);
    if (n != sizeof(banner) - 1 || write(f->fd, f->image, f->len) != (ssize_t)f->len)
        goto out;
    f->heard_len = (size_t)n;
    n = read(f->fd, f->heard + f->heard_len, sizeof(ready));
    if (n > 0)
        f->heard_len += (size_t)n;
    if (!f->send_go || write(f->fd, go, sizeof(go)) != sizeof(go))
        goto out;
    while ((n = read(f->fd, f->heard + f->heard_len, sizeof(f->heard) - f->heard_len)) >
           0)
        f->heard_len += (size_t)n;
out:
    shutdown(f->fd, SHUT_RDWR);
    return NULL;
}

static int receive_from(struct world *w, struct feeder *f, uint32_t *domid)
{
    const struct xb_restore_opts ro = {0};
    struct xb_saved saved = {0};
    struct xb_err err = {0};
    struct xb_spec *spec = NULL;
    pthread_t t;
    int sv[2], rc;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    f->fd = sv[1];
    assert_int_equal(pthread_create(&t, NULL, scripted_sender, f), 0);
    rc = xb_migrate_hello(sv[0], sv[0], &saved, &err);
    if (rc == 0) {
        spec = stored_spec(&saved);
        rc = xb_migrate_receive(w->ctx, spec, sv[0], sv[0], &ro, domid);
    }
    shutdown(sv[0], SHUT_RDWR);
    pthread_join(t, NULL);
    xb_spec_free(spec);
    xb_saved_clear(&saved);
    close(sv[0]);
    close(sv[1]);
    return rc;
}

static void receiver(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PVH);
    struct feeder f = {0};
    uint32_t domid = 0;
    size_t len;
    int fd;

    size_t nodes;

    create(w);
    poke(w, w->domid, "xbuild was here");
    fd = save(w, XB_SAVE_DESTROY);
    f.image = read_all(fd, &len);
    f.len = len;
    close(fd);
    nodes = xb__sim_xs_count(hv_of(w));

    assert_int_equal(receive_from(w, &f, &domid), -EPIPE); /* no go: it stays there */
    assert_memory_equal(f.heard, banner, sizeof(banner) - 1);
    assert_memory_equal(f.heard + sizeof(banner) - 1, ready, sizeof(ready));
    assert_int_equal(xb__sim_ndomains(hv_of(w)), 0);
    assert_int_equal(xb__sim_xs_count(hv_of(w)), nodes);

    f.send_go = true;
    f.heard_len = 0;
    assert_int_equal(receive_from(w, &f, &domid), 0);
    assert_int_equal(f.heard_len,
                     sizeof(banner) - 1 + sizeof(ready) + sizeof(report) + 1);
    assert_memory_equal(f.heard + sizeof(banner) - 1 + sizeof(ready), report,
                        sizeof(report));
    assert_int_equal(f.heard[f.heard_len - 1], 0); /* status: it runs */
    check_restored(w, domid, false);
    free((void *)f.image);
    world_free(w);
}

/* ---- the configurations a save image stores ---- */

/* What xl 4.17 stores for `name="cnt" memory=128 ...` (seen in the lab). */
static const char xl_json[] =
    "{\n    \"c_info\": {\n        \"type\": \"pv\",\n        \"name\": \"cnt\",\n"
    "        \"uuid\": \"aab53c4b-4010-44c2-8e41-2a6ff9fd0016\",\n"
    "        \"run_hotplug_scripts\": \"True\"\n    },\n    \"b_info\": {\n"
    "        \"max_memkb\": 131072,\n        \"target_memkb\": 131072,\n"
    "        \"video_memkb\": 0,\n        \"sched_params\": {\n"
    "            \"sched\": \"credit2\",\n            \"weight\": 256,\n"
    "            \"cap\": 0\n        },\n        \"claim_mode\": \"True\",\n"
    "        \"kernel\": \"/lab/domu/vmlinuz\",\n"
    "        \"cmdline\": \"console=hvc0 rdinit=/init xb.test=count\",\n"
    "        \"ramdisk\": \"/lab/domu/initrd.cpio.gz\",\n        \"type.pv\": {\n\n"
    "        },\n        \"arch_arm\": {\n\n        },\n        \"arch_x86\": {\n"
    "            \"msr_relaxed\": \"False\"\n        }\n    },\n"
    "    \"disks\": [{\"pdev_path\": \"/lab/files/root.img\", \"vdev\": \"xvda\", "
    "\"format\": \"raw\", \"readwrite\": 1}],\n"
    "    \"nics\": [{\"devid\": 0, \"mac\": \"00:16:3e:58:42:01\", \"bridge\": "
    "\"xenbr0\"}],\n"
    "    \"on_reboot\": \"restart\",\n    \"on_crash\": \"restart_rename\",\n"
    "    \"on_soft_reset\": \"soft_reset\"\n}\n";

static struct xb_spec *spec_of(const char *text, bool json, struct xb_config **cfg)
{
    const struct xb_spec_opts so = {.base_dir = "/"};
    struct xb_spec *spec = NULL;

    assert_int_equal(xb_config_new(cfg), 0);
    if (json)
        xb_config_parse_libxl_json(*cfg, text, strlen(text), "<saved in cnt.save>");
    else
        xb_config_parse(*cfg, text, strlen(text), "<saved in cnt.save>");
    xb_config_to_spec(*cfg, &so, &spec);
    return spec;
}

static void libxl_json(void **state)
{
    struct xb_config *cfg = NULL;
    struct xb_spec *s = spec_of(xl_json, true, &cfg);
    char why[256];
    char *text;
    size_t len;

    if (!s)
        fail_msg("%s", xb_config_diag(cfg, 0)->msg);
    assert_string_equal(s->name, "cnt");
    assert_int_equal(s->type, XB_DOMTYPE_PV);
    assert_true(s->has_uuid);
    assert_int_equal(s->uuid[0], 0xaa);
    assert_int_equal(s->memory_mib, 128);
    assert_int_equal(s->maxmem_mib, 128);
    assert_int_equal(s->vcpus, 1);
    assert_int_equal(s->maxvcpus, 1);
    assert_string_equal(s->kernel, "/lab/domu/vmlinuz");
    assert_string_equal(s->ramdisk, "/lab/domu/initrd.cpio.gz");
    assert_string_equal(s->cmdline, "console=hvc0 rdinit=/init xb.test=count");
    assert_int_equal(s->on_poweroff, XB_ACTION_DESTROY); /* libxl's default, left out */
    assert_int_equal(s->on_reboot, XB_ACTION_RESTART);
    assert_int_equal(s->on_crash, XB_ACTION_RENAME_RESTART);
    assert_int_equal(s->on_soft_reset, XB_ACTION_SOFT_RESET);
    assert_false(s->msr_relaxed);
    assert_int_equal(s->n_disks, 1);
    assert_string_equal(s->disks[0].target, "/lab/files/root.img");
    assert_string_equal(s->disks[0].vdev, "xvda");
    assert_false(s->disks[0].readonly);
    assert_int_equal(s->n_vifs, 1);
    assert_string_equal(s->vifs[0].mac, "00:16:3e:58:42:01");
    assert_string_equal(s->vifs[0].bridge, "xenbr0");
    xb_spec_free(s);
    xb_config_free(cfg);

    assert_null(spec_of("{\"c_info\": [", true, &cfg)); /* not JSON */
    assert_non_null(
        strstr(xb_config_diag(cfg, 0)->msg, "not libxl's JSON domain configuration: "));
    xb_config_free(cfg);
    assert_int_equal(
        xb_config_libxl_json_text("[1, 2]", 6, &text, &len, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "no c_info object: not a libxl_domain_config");
    assert_null(
        spec_of("{\"c_info\": {\"type\": \"hvm\", \"name\": \"h\"}}", true, &cfg));
    assert_non_null(strstr(xb_config_diag(cfg, 0)->msg, "hvm"));
    xb_config_free(cfg);
}

/* A spec written as xl.cfg text reads back into the same spec. */
static void emit_round_trip(void **state)
{
    static const char cfg_text[] =
        "name = \"rt \\\"q\\\"\"\ntype = \"pvh\"\nmemory = 96\nmaxmem = 160\nvcpus = 2\n"
        "maxvcpus = 4\nkernel = \"/k/vmlinux\"\nramdisk = \"/k/initrd\"\n"
        "extra = \"console=hvc0 a=\\\"b c\\\"\"\nuuid = \"aab53c4b-4010-44c2-8e41-"
        "2a6ff9fd0016\"\non_poweroff = \"preserve\"\non_crash = \"coredump-restart\"\n"
        "msr_relaxed = 1\nmax_grant_frames = 64\nmax_event_channels = 2047\n"
        "disk = [ 'format=raw,vdev=xvda,access=rw,target=/img/a,b.img', "
        "'/img/ro.img,raw,xvdb,r' ]\n"
        "vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr1,mtu=1400', 'bridge=xenbr0' ]\n";
    struct xb_config *c1 = NULL, *c2 = NULL;
    struct xb_spec *a = spec_of(cfg_text, false, &c1), *b;
    char *text = NULL;
    size_t len;

    if (!a)
        fail_msg("%s", xb_config_diag(c1, 0)->msg);
    assert_int_equal(xb_spec_to_config(a, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    b = spec_of(text, false, &c2);
    if (!b)
        fail_msg("%s\n%s", xb_config_diag(c2, 0)->msg, text);
    assert_int_equal(xb_config_diag_count(c2), 0);
    assert_string_equal(b->name, "rt \"q\"");
    assert_int_equal(b->type, a->type);
    assert_int_equal(b->memory_mib, 96);
    assert_int_equal(b->maxmem_mib, 160);
    assert_int_equal(b->vcpus, 2);
    assert_int_equal(b->maxvcpus, 4);
    assert_string_equal(b->kernel, a->kernel);
    assert_string_equal(b->ramdisk, a->ramdisk);
    assert_string_equal(b->cmdline, "console=hvc0 a=\"b c\"");
    assert_memory_equal(b->uuid, a->uuid, 16);
    assert_int_equal(b->on_poweroff, XB_ACTION_PRESERVE);
    assert_int_equal(b->on_reboot, XB_ACTION_RESTART);
    assert_int_equal(b->on_crash, XB_ACTION_COREDUMP_RESTART);
    assert_true(b->msr_relaxed);
    assert_int_equal(b->max_grant_frames, 64);
    assert_int_equal(b->max_event_channels, 2047);
    assert_int_equal(b->n_disks, 2);
    assert_string_equal(b->disks[0].target, "/img/a,b.img");
    assert_true(b->disks[1].readonly);
    assert_string_equal(b->disks[1].vdev, "xvdb");
    assert_int_equal(b->n_vifs, 2);
    assert_string_equal(b->vifs[0].mac, "00:16:3e:00:00:01");
    assert_int_equal(b->vifs[0].mtu, 1400);
    assert_null(b->vifs[1].mac);
    assert_string_equal(b->vifs[1].bridge, "xenbr0");
    free(text);
    xb_spec_free(a);
    xb_spec_free(b);
    xb_config_free(c1);
    xb_config_free(c2);
}

/* xl's header and optional data as xl writes them, byte for byte. */
static void xl_header(void **state)
{
    struct xb_err err = {0};
    uint32_t mand, opt, optlen;
    uint8_t buf[XB_XLHDR_LEN + 4 + 5];
    char *config;
    size_t len;
    int fd = image_fd();

    assert_int_equal(xb__xlhdr_write(fd, "{}", 2, true, &err), 0); /* JSON: its NUL */
    assert_int_equal(pread(fd, buf, sizeof(buf), 0), XB_XLHDR_LEN + 4 + 3);
    assert_memory_equal(buf, "Xen saved domain, xl format\n \0 \r", 32);
    assert_int_equal(xb__xlhdr_parse(buf, XB_XLHDR_LEN, &mand, &opt, &optlen, &err), 0);
    assert_int_equal(mand, XB_XL_FLAG_JSON | XB_XL_FLAG_STREAMV2);
    assert_int_equal(optlen, 4 + 3);
    assert_memory_equal(buf + XB_XLHDR_LEN, "\3\0\0\0{}\0", 7);
    assert_int_equal(xb__xlopt_parse(buf + XB_XLHDR_LEN, optlen, &config, &len, &err), 0);
    assert_string_equal(config, "{}");
    assert_int_equal(len, 2);
    free(config);
    buf[XB_XLHDR_LEN] = 9; /* a length beyond the optional data */
    assert_int_equal(xb__xlopt_parse(buf + XB_XLHDR_LEN, optlen, &config, &len, &err),
                     -EINVAL);
    assert_string_equal(err.msg,
                        "a configuration of 9 bytes in 3 bytes of optional data");
    close(fd);
}

/* ---- the monitor and libxl's userdata ---- */

static bool has_file(const char *dir, uint32_t domid)
{
    char cmd[160];

    snprintf(cmd, sizeof(cmd), "ls %s/userdata-d.%u.*.libxl-json >/dev/null 2>&1", dir,
             domid);
    return system(cmd) == 0;
}

/* One monitor step that reports an event about @domid. */
static void step_on(struct xb_monitor *m, uint32_t domid, struct xb_monitor_event *ev)
{
    int rc = xb_monitor_step(m, 0, ev);

    if (rc != 1)
        fail_msg("monitor step: %d (%s)", rc, rc < 0 ? "error" : "no event");
    assert_int_equal(ev->domid, domid);
}

/*
 * A domain with a record and libxl's userdata: saved without a config, the
 * image stores libxl's JSON of it; the monitor leaves it while it is
 * suspended and acts on it once it was resumed and powers off; restored,
 * the domain gets its own record and userdata.
 */
static void monitored_and_stored(void **state)
{
    struct world *w = world_new(XB_DOMTYPE_PV);
    const struct xb_restart_source src = {
        .config = w->config, .config_len = w->config_len, .config_file = "/t1.cfg"};
    const struct xb_create_opts co = {.image = &w->k.img, .source = &src};
    const struct xb_save_opts so = {.then = XB_SAVE_SUSPENDED};
    const struct xb_restore_opts ro = {.source = &src};
    char dir[] = "/tmp/xb-migrate-XXXXXX", cmd[64];
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    struct xb_saved saved;
    struct xb_err err = {0};
    struct xb_spec *spec;
    struct xb_hv *hv = hv_of(w);
    uint32_t domid;
    int fd = image_fd();

    assert_non_null(mkdtemp(dir));
    xb__ctx_set_userdata_dir(w->ctx, dir);
    assert_int_equal(xb_domain_create(w->ctx, &w->spec, &co, &w->domid), 0);
    assert_true(has_file(dir, w->domid));
    poke(w, w->domid, "xbuild was here");
    assert_int_equal(xb_monitor_open(w->ctx, &m), 0);
    assert_int_equal(xb_monitor_step(m, 0, &ev), 0);
    if (xb_domain_save(w->ctx, w->domid, fd, &so, NULL) != 0) /* no config: libxl's */
        fail_msg("save: %s", xb_errmsg(w->ctx));
    step_on(m, w->domid, &ev); /* suspended: left to the save */
    assert_int_equal(ev.action, XB_ACTION_PRESERVE);
    assert_int_equal(xb_monitor_step(m, 0, &ev), 0);
    {
        struct xb_rec r;

        assert_int_equal(
            xb__rec_read(w->ctx->xs, NULL, XB_XS_NO_TX, "/xbuild/domains/1", &r), 0);
        assert_true(r.suspended && !r.kept);
        xb__rec_free(&r);
    }
    assert_int_equal(xb_domain_resume(w->ctx, w->domid), 0);
    assert_int_equal(hv->ops->domain_shutdown(hv, NULL, w->domid, SHUTDOWN_poweroff), 0);
    step_on(m, w->domid, &ev); /* the mark of the suspend is moot */
    assert_int_equal(ev.action, XB_ACTION_DESTROY);
    assert_int_equal(xb__sim_ndomains(hv), 0);
    assert_false(has_file(dir, w->domid));

    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    if (xb_saved_read(fd, "test.save", &saved, &err) != 0)
        fail_msg("saved_read: %s", err.msg);
    assert_true(saved.config_json);
    spec = stored_spec(&saved);
    assert_string_equal(spec->name, "t1");
    assert_int_equal(spec->memory_mib, 8);
    assert_memory_equal(spec->uuid, uuid1, 16);
    if (xb_domain_restore(w->ctx, spec, fd, "test.save", &ro, &domid) != 0)
        fail_msg("restore: %s", xb_errmsg(w->ctx));
    check_restored(w, domid, false);
    assert_true(has_file(dir, domid));
    {
        struct xb_rec r;

        assert_int_equal(
            xb__rec_read(w->ctx->xs, NULL, XB_XS_NO_TX, "/xbuild/domains/2", &r), 0);
        assert_string_equal(r.name, "t1");
        xb__rec_free(&r);
    }
    assert_int_equal(xb_domain_destroy(w->ctx, domid), 0);
    assert_null(node(w, "/xbuild/domains/2"));
    assert_false(has_file(dir, domid));
    xb_monitor_close(m);
    xb_spec_free(spec);
    xb_saved_clear(&saved);
    close(fd);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pv_round_trip),
        cmocka_unit_test(pvh_round_trip),
        cmocka_unit_test(after_the_save),
        cmocka_unit_test(refusals),
        cmocka_unit_test(deaf_guest),
        cmocka_unit_test(live_without_shadow),
        cmocka_unit_test(bad_images),
        cmocka_unit_test(save_faults),
        cmocka_unit_test(restore_faults),
        cmocka_unit_test(sender),
        cmocka_unit_test(receiver),
        cmocka_unit_test(libxl_json),
        cmocka_unit_test(emit_round_trip),
        cmocka_unit_test(xl_header),
        cmocka_unit_test(monitored_and_stored),
    };

    signal(SIGPIPE, SIG_IGN); /* a peer that went away is an error to see, as in xbuild */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
