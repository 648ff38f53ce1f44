/* SPDX-License-Identifier: MIT */
/*
 * Disks and vifs on the sim backend: a create with two file: disks (one
 * read-only) and a vif, checked node by node and permission by permission,
 * in dom0 (loop devices bound and held by blkback, the vif on its bridge and
 * up) and after destroy (nothing left). Then fault injection at every call
 * of that create, the bad inputs a create refuses before anything exists,
 * images shared between domains (and with the domain a migration to this
 * host moves), and backends that never come up or fail.
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

#include <xbuild/builder.h>

#include "builder/devices/devices.h"
#include "builder/devices/xenbus.h"
#include "builder/domain/ctx.h"
#include "builder/hv/sim/inspect.h"

#define XVDA      51712u
#define XVDB      51728u
#define BASE_LINK 3u /* lo, xenbr0, eth0 */

struct env {
    char dir[64], root[128], ro[128], cfg[128];
    struct xb_ctx *ctx;
    struct xb_hv *hv;
    struct xb_image *img;
    struct xb_disk disks[2];
    struct xb_vif vifs[1];
    struct xb_spec spec;
    struct xb_create_opts opts;
};

static void make_file(const char *path, mode_t mode)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 1 << 20), 0);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static struct xb_ctx *open_sim(void)
{
    const struct xb_sim_opts o = {.total_pages = 256 * 256, .seed = 3, .fail_at = -1};
    struct xb_hv *hv = NULL;
    struct xb_xs *xs = NULL;
    struct xb_ctx *ctx = NULL;

    assert_int_equal(xb__sim_open(&o, &hv, &xs, NULL), 0);
    assert_int_equal(xb__ctx_open_backend(hv, xs, &ctx), 0);
    return ctx;
}

/* The spec of "t1": root.img as xvda (w), ro.img as xvdb (r), a vif on xenbr0. */
static void env_init(struct env *e)
{
    const char *fx = getenv("XB_FIXTURES");
    char kernel[4096];

    if (!fx)
        skip();
    snprintf(kernel, sizeof(kernel), "%s/minios64.elf", fx);
    memset(e, 0, sizeof(*e));
    if (xb_image_load_file(kernel, NULL, &e->img, NULL) != 0)
        skip();
    snprintf(e->dir, sizeof(e->dir), "/tmp/xb-devices.XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->root, sizeof(e->root), "%s/root.img", e->dir);
    snprintf(e->ro, sizeof(e->ro), "%s/ro.img", e->dir);
    snprintf(e->cfg, sizeof(e->cfg), "%s/t.cfg", e->dir);
    make_file(e->root, 0644);
    make_file(e->ro, 0444);
    e->disks[0] = (struct xb_disk){.target = e->root,
                                   .format = "raw",
                                   .vdev = "xvda",
                                   .devid = XVDA,
                                   .discard = true,
                                   .pos = {.file = e->cfg, .line = 5, .col = 3}};
    e->disks[1] = (struct xb_disk){.target = e->ro,
                                   .format = "raw",
                                   .vdev = "xvdb",
                                   .devid = XVDB,
                                   .readonly = true,
                                   .pos = {.file = e->cfg, .line = 6, .col = 3}};
    e->vifs[0] = (struct xb_vif){.pos = {.file = e->cfg, .line = 8, .col = 9}};
    e->spec = (struct xb_spec){
        .name = "t1",
        .memory_mib = 33,
        .maxmem_mib = 33,
        .vcpus = 1,
        .maxvcpus = 1,
        .has_uuid = true,
        .uuid = {0x6f, 0x1b, 0x1c, 0x9e, 0x3a, 0x44, 0x4f, 0x0e, 0x9a, 0x57, 0x2d, 0x0c,
                 0x1b, 0x7e, 0x5a, 0x10},
        .disks = e->disks,
        .n_disks = 2,
        .vifs = e->vifs,
        .n_vifs = 1,
    };
    e->opts = (struct xb_create_opts){.image = e->img, .device_timeout_ms = 50};
    e->ctx = open_sim();
    e->hv = xb__ctx_hv(e->ctx);
}

static void env_fini(struct env *e)
{
    xb_ctx_close(e->ctx);
    xb_image_free(e->img);
    chmod(e->ro, 0644);
    unlink(e->root);
    unlink(e->ro);
    rmdir(e->dir);
}

/*
 * The store without /xbuild/names: the directory of name claims stays once
 * made (dom0's backend and error directories go with their last device).
 */
static char *snapshot(struct xb_hv *hv)
{
    static const char *const stay[] = {"/xbuild=\n", "/xbuild/names=\n"};
    char *dump = xb__sim_xs_dump(hv), *p;

    assert_non_null(dump);
    for (size_t i = 0; i < sizeof(stay) / sizeof(stay[0]); i++)
        while ((p = strstr(dump, stay[i])) && (p == dump || p[-1] == '\n'))
            memmove(p, p + strlen(stay[i]), strlen(p + strlen(stay[i])) + 1);
    return dump;
}

static char *rd(struct env *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *rd(struct env *e, const char *fmt, ...)
{
    char path[256], *v = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (e->ctx->xs->ops->read(e->ctx->xs, NULL, XB_XS_NO_TX, path, &v, NULL) != 0)
        return NULL;
    return v;
}

static void expect(struct env *e, const char *want, const char *path)
{
    char *v = rd(e, "%s", path);

    if (!v && want)
        fail_msg("%s: missing, want \"%s\"", path, want);
    if (v && !want)
        fail_msg("%s: \"%s\", want no such node", path, v);
    if (v && strcmp(v, want) != 0)
        fail_msg("%s: \"%s\", want \"%s\"", path, v, want);
    free(v);
}

/* Node @path's permissions are exactly owner @owner, @reader read. */
static void expect_perms(struct env *e, const char *path, uint32_t owner, uint32_t reader)
{
    struct xb_xs_perm p[4];
    int n = xb__sim_xs_perms(e->hv, path, p, 4);

    if (n != 2 || p[0].domid != owner || p[0].perms != XB_XS_PERM_NONE ||
        p[1].domid != reader || p[1].perms != XB_XS_PERM_READ)
        fail_msg("%s: %d permissions, want owner %u and %u reading", path, n, owner,
                 reader);
}

/* What exists in the machine and in dom0: the same after a refused create. */
struct census {
    char *store;
    unsigned domains, evtchns, maps, loops, links, ports;
};

static struct census census(struct env *e)
{
    return (struct census){
        .store = snapshot(e->hv),
        .domains = xb__sim_ndomains(e->hv),
        .evtchns = xb__sim_nr_evtchns(e->hv),
        .maps = xb__sim_nr_maps(e->hv),
        .loops = xb__sim_nr_loops(e->hv),
        .links = xb__sim_nr_links(e->hv),
        .ports = xb__sim_bridge_ports(e->hv, "xenbr0"),
    };
}

static void same_census(struct env *e, const struct census *was)
{
    struct census now = census(e);

    assert_int_equal(now.domains, was->domains);
    assert_int_equal(now.evtchns, was->evtchns);
    assert_int_equal(now.maps, was->maps);
    assert_int_equal(now.loops, was->loops);
    assert_int_equal(now.links, was->links);
    assert_int_equal(now.ports, was->ports);
    if (strcmp(now.store, was->store) != 0)
        fail_msg("xenstore differs:\n--- before\n%s--- after\n%s", was->store, now.store);
    free(now.store);
}

/* Nothing at all: no domain, no loop device, no vif, the store as @before. */
static void nothing_left(struct env *e, const char *before)
{
    const struct census empty = {.store = (char *)before, .links = BASE_LINK};

    same_census(e, &empty);
}

static void check_vbd_nodes(struct env *e, uint32_t d)
{
    char fe[128], be[128], p[192];

    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", d, XVDA);
    snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%u", d, XVDA);
#define AT(dir, leaf) (snprintf(p, sizeof(p), "%s/%s", dir, leaf), p)
    expect(e, be, AT(fe, "backend"));
    expect(e, "0", AT(fe, "backend-id"));
    expect(e, "1", AT(fe, "state"));
    expect(e, "51712", AT(fe, "virtual-device"));
    expect(e, "disk", AT(fe, "device-type"));
    expect(e, "x86_64-abi", AT(fe, "protocol"));
    expect(e, fe, AT(be, "frontend"));
    expect(e, e->root, AT(be, "params"));
    expect(e, "/etc/xen/scripts/block", AT(be, "script"));
    expect(e, "w", AT(be, "mode"));
    expect(e, "phy", AT(be, "type"));
    expect(e, "xvda", AT(be, "dev"));
    expect(e, "2", AT(be, "state")); /* the model's blkback: InitWait */
    expect(e, "7:0", AT(be, "physical-device"));
    expect(e, "/dev/loop0", AT(be, "physical-device-path"));
    expect(e, "/dev/loop0", AT(be, "node"));
    expect(e, "connected", AT(be, "hotplug-status"));
    expect(e, "1", AT(be, "discard-enable"));
    expect(e, "xen", AT(be, "specification"));
    expect(e, "1", AT(fe, "trusted"));
    expect_perms(e, fe, d, 0);
    expect_perms(e, AT(fe, "state"), d, 0);
    expect_perms(e, be, 0, d);
    snprintf(p, sizeof(p), "/libxl/%u/device/vbd/%u/params", d, XVDA);
    expect(e, e->root, p);
    snprintf(p, sizeof(p), "/libxl/%u/device/vbd/%u/physical-device", d, XVDA);
    expect(e, NULL, p); /* the script's nodes are not in libxl's copy */
    snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u/%u/mode", d, XVDB);
    expect(e, "r", p);
#undef AT
}

/* The vif: on xenbr0 and up, its MAC generated in 00:16:3e; returns the MAC. */
static char *check_vif(struct env *e, uint32_t d)
{
    char name[96];
    struct sim_link l, br;
    char *mac = rd(e, "/local/domain/0/backend/vif/%u/0/mac", d), *fmac;

    assert_non_null(mac);
    assert_int_equal(strncmp(mac, "00:16:3e:", 9), 0);
    assert_true(strtoul(mac + 9, NULL, 16) < 0x80);
    fmac = rd(e, "/local/domain/%u/device/vif/0/mac", d);
    assert_string_equal(fmac, mac);
    free(fmac);
    snprintf(name, sizeof(name), "/local/domain/0/backend/vif/%u/0/hotplug-status", d);
    expect(e, "connected", name);
    snprintf(name, sizeof(name), "/libxl/%u/device/vif/0/hotplug-status", d);
    expect(e, "", name); /* as libxl's copy: never updated */
    snprintf(name, sizeof(name), "/local/domain/%u/device/vif/0/mtu", d);
    expect(e, "1500", name);
    expect_perms(e, name, 0, d); /* the guest reads it, dom0 owns it */
    snprintf(name, sizeof(name), "/local/domain/%u/device/vif/0/trusted", d);
    expect_perms(e, name, d, 0);
    snprintf(name, sizeof(name), "vif%u.0", d);
    assert_true(xb__sim_link(e->hv, name, &l));
    assert_true(xb__sim_link(e->hv, "xenbr0", &br));
    assert_int_equal(l.master, br.ifindex);
    assert_true(l.up);
    assert_int_equal(xb__sim_bridge_ports(e->hv, "xenbr0"), 1);
    return mac;
}

static void create_destroy(void **state)
{
    struct env e;
    struct xb_timings t = {0};
    char *before, *mac1, *mac2;
    unsigned holders = 0;
    bool ro = false;
    uint32_t d = 0;

    env_init(&e);
    before = snapshot(e.hv);
    e.opts.timings = &t;
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    assert_string_equal(xb_errmsg(e.ctx), "");
    assert_true(t.ns[XB_PHASE_DEVICES] > 0);
    assert_string_equal(xb_phase_name(XB_PHASE_DEVICES), "devices");
    check_vbd_nodes(&e, d);
    /* loop devices: bound, held by blkback alone (the builder let go) */
    assert_int_equal(xb__sim_nr_loops(e.hv), 2);
    assert_true(xb__sim_loop(e.hv, 0, &holders, &ro));
    assert_int_equal(holders, 1);
    assert_false(ro);
    assert_true(xb__sim_loop(e.hv, 1, &holders, &ro));
    assert_true(ro);
    mac1 = check_vif(&e, d);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    nothing_left(&e, before);
    /* the same UUID: the same MAC; another UUID: another MAC */
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    mac2 = check_vif(&e, d);
    assert_string_equal(mac1, mac2);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    free(mac2);
    e.spec.uuid[15] ^= 1;
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    mac2 = check_vif(&e, d);
    assert_string_not_equal(mac1, mac2);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    nothing_left(&e, before);
    free(mac1);
    free(mac2);
    free(before);
    env_fini(&e);
}

/* Given MAC, vifname, mtu and rate: in the nodes and on the interface. */
static void vif_settings(void **state)
{
    struct env e;
    struct sim_link l;
    uint32_t d = 0;

    env_init(&e);
    e.vifs[0].mac = "00:16:3e:58:42:01";
    memcpy(e.vifs[0].mac_bytes, (uint8_t[]){0x00, 0x16, 0x3e, 0x58, 0x42, 0x01}, 6);
    e.vifs[0].vifname = "web.0";
    e.vifs[0].mtu = 9000;
    e.vifs[0].rate = "10Mb/s@20ms";
    e.vifs[0].rate_bytes_per_interval = 25000;
    e.vifs[0].rate_interval_us = 20000;
    e.vifs[0].model = "e1000";
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    assert_int_equal(d, 1); /* the sim's first domain */
    expect(&e, "00:16:3e:58:42:01", "/local/domain/0/backend/vif/1/0/mac");
    expect(&e, "web.0", "/local/domain/0/backend/vif/1/0/vifname");
    expect(&e, "25000,20000", "/local/domain/0/backend/vif/1/0/rate");
    expect(&e, "9000", "/local/domain/0/backend/vif/1/0/mtu");
    assert_true(xb__sim_link(e.hv, "web.0", &l));
    assert_int_equal(l.mtu, 9000);
    assert_false(xb__sim_link(e.hv, "vif1.0", &l));
    assert_non_null(xb_warning(e.ctx, 0)); /* model: ignored, said so */
    assert_non_null(strstr(xb_warning(e.ctx, 0), "t.cfg:8:9: vif 1, model: ignored"));
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    assert_int_equal(xb__sim_nr_links(e.hv), BASE_LINK);
    env_fini(&e);
}

/*
 * The calls a create of env_init()'s spec makes for its devices, on purpose
 * (a change here is a change of the flow); the rest is the create of the
 * same spec without devices, measured.
 */
enum {
    CALLS_DEV_CHECKS = 2 + 1, /* each disk: the backend directory (sharing); the bridge */
    CALLS_DEV_LOOPS = 2,
    /* one transaction: start, commit; per disk 52 = libxl's copy (rm, frontend and
     * backend pointers, 13 settings) 16 + frontend (rm, mkdir, perms, backend pointer,
     * 6 nodes written and given perms) 16 + backend (rm, mkdir, perms, frontend
     * pointer, 13 settings, 3 of the block script's) 20; the vif 41 = 12 + frontend
     * 16 (5 nodes the guest owns, its mtu it reads) + 13 */
    CALLS_DEV_NODES = 1 + 52 + 52 + 41 + 1,
    /* a watch on the vbd and on the vif backends (probes: without them it polls); the
     * handshake's first look: per disk its state, blkback's open, hotplug-status; the
     * vif's state, netback's interface, on the bridge, hotplug-status */
    CALLS_DEV_HANDSHAKE = 2 + 3 + 3 + 4,
    CALLS_DEVICES =
        CALLS_DEV_CHECKS + CALLS_DEV_LOOPS + CALLS_DEV_NODES + CALLS_DEV_HANDSHAKE,
    /* reading a backend's state is a probe: a failed read is looked at again */
    CALLS_TOLERATED = 3 + 2, /* and the two watches: it polls without them */
};

static long calls_of_create(struct env *e, size_t n_disks, size_t n_vifs)
{
    uint32_t d = 0;
    long n;

    e->spec.n_disks = n_disks;
    e->spec.n_vifs = n_vifs;
    xb__sim_fail_at(e->hv, -1);
    assert_int_equal(xb_domain_create(e->ctx, &e->spec, &e->opts, &d), 0);
    n = xb__sim_calls(e->hv);
    assert_int_equal(xb_domain_destroy(e->ctx, d), 0);
    e->spec.n_disks = 2;
    e->spec.n_vifs = 1;
    return n;
}

/*
 * Every call of a create with two disks and a vif (sim: hypervisor,
 * xenstore, dom0's kernel) failed once in turn: each failure has a message
 * and leaves nothing behind (no domain, port, mapping, node, loop device,
 * vif or bridge port); the few failures the create tolerates (a probe
 * looked at again) give a domain that destroy leaves nothing of either.
 */
static void fault_injection(void **state)
{
    struct env e;
    char *before;
    long total, tolerated = 0;
    uint32_t d = 0;

    env_init(&e);
    before = snapshot(e.hv);
    total = calls_of_create(&e, 2, 1);
    assert_int_equal(total, calls_of_create(&e, 0, 0) + CALLS_DEVICES);
    for (long n = 0; n < total; n++) {
        int rc;

        xb__sim_fail_at(e.hv, n);
        rc = xb_domain_create(e.ctx, &e.spec, &e.opts, &d);
        xb__sim_fail_at(e.hv, -1);
        if (rc == 0) {
            tolerated++;
            assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
        } else if (xb_errmsg(e.ctx)[0] == '\0') {
            fail_msg("call %ld: failed without a message", n);
        }
        nothing_left(&e, before);
    }
    assert_int_equal(tolerated, CALLS_TOLERATED);
    free(before);
    env_fini(&e);
}

/* A create @e refuses: -@rc, @msg in the message, nothing left behind. */
static void refused(struct env *e, int rc, const char *msg)
{
    struct census was = census(e);
    uint32_t d = 0;
    int got = xb_domain_create(e->ctx, &e->spec, &e->opts, &d);

    if (got != rc)
        fail_msg("create: %d (%s), want %d", got, xb_errmsg(e->ctx), rc);
    if (!strstr(xb_errmsg(e->ctx), msg))
        fail_msg("message \"%s\", want \"%s\" in it", xb_errmsg(e->ctx), msg);
    same_census(e, &was);
    free(was.store);
}

static void bad_inputs(void **state)
{
    struct env e;
    char missing[160], line[400];

    env_init(&e);
    snprintf(missing, sizeof(missing), "%s/missing.img", e.dir);
    e.disks[1].target = missing;
    snprintf(line, sizeof(line), "%s:6:3: disk 2, target: %s: No such file or directory",
             e.cfg, missing);
    refused(&e, -ENOENT, line);
    e.disks[1].target = e.ro;
    e.disks[1].readonly = false;
    snprintf(line, sizeof(line),
             "%s:6:3: disk 2, access: %s is read-only (mode 0444) and cannot be attached "
             "writable",
             e.cfg, e.ro);
    refused(&e, -EROFS, line);
    e.disks[1].readonly = true;
    e.disks[1].target = e.dir;
    refused(&e, -EINVAL, "disk 2, target: ");
    e.disks[1].target = e.ro;
    e.disks[0].format = "qcow2";
    refused(&e, -ENOTSUP, "disk 1, format: qcow2 images need qemu's qdisk backend");
    e.disks[0].format = "raw";
    e.disks[0].backendtype = "qdisk";
    refused(&e, -ENOTSUP, "disk 1, backendtype: qdisk needs qemu");
    e.disks[0].backendtype = NULL;
    e.disks[0].script = "block-iscsi";
    refused(&e, -ENOTSUP, "disk 1, script: xbuild runs no hotplug scripts");
    e.disks[0].script = NULL;
    e.vifs[0].bridge = "nobr0";
    snprintf(line, sizeof(line), "%s:8:9: vif 1, bridge: dom0 has no interface nobr0",
             e.cfg);
    refused(&e, -ENODEV, line);
    e.vifs[0].bridge = "eth0";
    refused(&e, -ENOTSUP, "vif 1, bridge: eth0 is not a bridge");
    e.vifs[0].bridge = NULL;
    e.vifs[0].script = "vif-route";
    refused(&e, -ENOTSUP, "vif 1, script: xbuild runs no hotplug scripts");
    e.vifs[0].script = "/etc/xen/scripts/vif-bridge"; /* the default: fine */
    e.vifs[0].vifname = "eth0";
    refused(&e, -EEXIST, "vif 1, vifname: dom0 has an interface eth0 already");
    e.vifs[0].vifname = NULL;
    e.vifs[0].backend = "netdom";
    refused(&e, -ENOTSUP, "vif 1, backend: \"netdom\": driver domains are not supported");
    env_fini(&e);
}

/* One domain writes an image at a time; read-only, any number may share it. */
static void shared_images(void **state)
{
    struct env e;
    char msg[256];
    uint32_t a = 0, b = 0, c = 0;

    env_init(&e);
    e.spec.n_vifs = 0;
    e.spec.n_disks = 1; /* root.img, w */
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &a), 0);
    e.spec.name = "t2";
    e.spec.uuid[0] ^= 1;
    snprintf(msg, sizeof(msg),
             "disk 1, target: %s is already attached writable to domain %u (\"t1\", as "
             "xvda)",
             e.root, a);
    refused(&e, -EBUSY, msg);
    e.disks[0].readonly = true; /* read-only here does not help: t1 writes it */
    refused(&e, -EBUSY, msg);
    assert_int_equal(xb_domain_destroy(e.ctx, a), 0);
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &b), 0);
    e.spec.name = "t3";
    e.spec.uuid[0] ^= 2;
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &c), 0); /* r and r */
    e.spec.name = "t4";
    e.spec.uuid[0] ^= 4;
    e.disks[0].readonly = false;
    refused(&e, -EBUSY, "and cannot be attached writable here too");
    assert_int_equal(xb_domain_destroy(e.ctx, b), 0);
    assert_int_equal(xb_domain_destroy(e.ctx, c), 0);
    assert_int_equal(xb__sim_nr_loops(e.hv), 0);
    env_fini(&e);
}

/*
 * A migration to this host: the domain it moves (named as the migration
 * names it) may hold the disk writable while the new one is built; any
 * other domain holding it still refuses it.
 */
static void migration_shares(void **state)
{
    struct env e;
    struct xb_devs *d = NULL;
    uint32_t a = 0, b = 0;

    env_init(&e);
    e.spec.n_vifs = 0;
    e.spec.n_disks = 1; /* root.img, w */
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &a), 0);
    assert_int_equal(xb__devs_check(e.ctx, &e.spec, UINT32_MAX, "t1", &d), 0);
    assert_non_null(d);
    xb__devs_free(d);
    assert_int_equal(xb__devs_check(e.ctx, &e.spec, UINT32_MAX, NULL, &d), -EBUSY);
    assert_null(d);
    assert_non_null(strstr(xb_errmsg(e.ctx), "is already attached writable to domain"));
    xb_err_clear(&e.ctx->err);
    assert_int_equal(xb__devs_check(e.ctx, &e.spec, UINT32_MAX, "t9", &d), -EBUSY);
    xb_err_clear(&e.ctx->err);
    e.spec.name = "t2"; /* a second writer of another name: still refused */
    e.spec.uuid[0] ^= 1;
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &b), -EBUSY);
    assert_int_equal(xb_domain_destroy(e.ctx, a), 0);
    assert_int_equal(xb__sim_nr_loops(e.hv), 0);
    env_fini(&e);
}

/*
 * Relative file targets (a configuration named by a relative path): the
 * files from the current folder, in the nodes by their whole paths.
 */
static void relative_file_targets(void **state)
{
    struct env e;
    char cwd[4096];
    uint32_t d = 0;

    env_init(&e);
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(e.dir), 0);
    e.disks[0].target = "root.img";
    e.disks[1].target = "ro.img";
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    assert_int_equal(chdir(cwd), 0);
    check_vbd_nodes(&e, d);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    assert_int_equal(xb__sim_nr_loops(e.hv), 0);
    env_fini(&e);
}

/* Backends that never come up, or give up: one line naming the device. */
static void backends_down(void **state)
{
    struct env e;

    env_init(&e);
    xb__sim_backends(e.hv, SIM_BACKENDS_STALL);
    refused(&e, -ETIMEDOUT,
            "disk 1 (xvda): no backend came up within 50 ms (state 1): is dom0's "
            "xen-blkback loaded?");
    e.spec.n_disks = 0;
    refused(&e, -ETIMEDOUT, "vif 1: no backend came up within 50 ms");
    e.spec.n_disks = 2;
    xb__sim_backends(e.hv, SIM_BACKENDS_FAIL);
    refused(&e, -EIO, "disk 1 (xvda): blkback refused /dev/loop0 (backend state ");
    refused(&e, -EIO, ": -12 creating block interface)");
    env_fini(&e);
}

/* ---- the bootloader (tests/unit/fake-bootloader, as pygrub) ---- */

struct boot {
    struct env e;
    char record[160], from[4096], *args[3];
    char mode[32], rec_arg[180], from_arg[4120];
};

static void boot_init(struct boot *b, const char *mode)
{
    const char *prog = getenv("XB_FAKE_BOOTLOADER");

    if (!prog)
        skip();
    env_init(&b->e);
    snprintf(b->record, sizeof(b->record), "%s/record", b->e.dir);
    snprintf(b->from, sizeof(b->from), "%s/minios64.elf", getenv("XB_FIXTURES"));
    snprintf(b->mode, sizeof(b->mode), "--mode=%s", mode);
    snprintf(b->rec_arg, sizeof(b->rec_arg), "--record=%s", b->record);
    snprintf(b->from_arg, sizeof(b->from_arg), "--from=%s", b->from);
    b->args[0] = b->mode;
    b->args[1] = b->rec_arg;
    b->args[2] = b->from_arg;
    b->e.spec.bootloader = (char *)prog;
    b->e.spec.bootloader_args = b->args;
    b->e.spec.n_bootloader_args = 3;
    b->e.spec.cmdline = "console=hvc0";
    b->e.spec.n_vifs = 0;
    b->e.opts.image = NULL; /* the bootloader's kernel */
    b->e.opts.bootloader_timeout_ms = 400;
}

/* Line @n (0-based) of what the bootloader recorded, malloc'd; NULL past the end. */
static char *record_line(const struct boot *b, int n)
{
    char line[4200];
    FILE *f = fopen(b->record, "r");

    assert_non_null(f);
    for (int i = 0; fgets(line, sizeof(line), f); i++)
        if (i == n) {
            fclose(f);
            line[strcspn(line, "\n")] = '\0';
            return strdup(line);
        }
    fclose(f);
    return NULL;
}

/* The argument starting with @prefix it got, malloc'd, or NULL. */
static char *record_arg(const struct boot *b, const char *prefix)
{
    for (int i = 0;; i++) {
        char *l = record_line(b, i);

        if (!l || strncmp(l, prefix, strlen(prefix)) == 0)
            return l;
        free(l);
    }
}

/* Its output directory went with the create, whatever became of it. */
static void boot_dir_gone(const struct boot *b)
{
    char *out = record_arg(b, "--output-directory=");
    struct stat st;

    assert_non_null(out);
    if (stat(out + strlen("--output-directory="), &st) == 0)
        fail_msg("%s is still there", out);
    free(out);
}

static void boot_fini(struct boot *b)
{
    unlink(b->record);
    env_fini(&b->e);
}

static void expect_line(const struct boot *b, int n, const char *want)
{
    char *l = record_line(b, n);

    if (!l || strcmp(l, want) != 0)
        fail_msg("argument %d: \"%s\", want \"%s\"", n, l ? l : "(none)", want);
    free(l);
}

/* libxl's arguments and terminal; the kernel, ramdisk and args it answers. */
static void bootloader_runs_as_xl_runs_it(void **state)
{
    struct boot b;
    struct xb_layout lo;
    char *out, *dir;
    uint32_t d = 0;

    boot_init(&b, "ok");
    b.e.opts.layout = &lo;
    assert_int_equal(xb_domain_create(b.e.ctx, &b.e.spec, &b.e.opts, &d), 0);
    expect_line(&b, 0, b.e.spec.bootloader);
    expect_line(&b, 1, "--args=console=hvc0");
    out = record_line(&b, 2);
    dir = record_line(&b, 4);
    assert_int_equal(strncmp(out, "--output=", 9), 0);
    expect_line(&b, 3, "--output-format=simple0");
    assert_int_equal(strncmp(dir, "--output-directory=", 19), 0);
    assert_int_equal(strncmp(out + 9, dir + 19, strlen(dir + 19)), 0); /* DIR/out */
    for (int i = 0; i < 3; i++) /* bootloader_args, in order */
        expect_line(&b, 5 + i, b.args[i]);
    expect_line(&b, 8, b.e.root); /* the first disk, last */
    expect_line(&b, 9, "tty: yes");
    expect_line(&b, 10, "TERM=vt100");
    assert_int_equal(lo.seg[XB_SEG_RAMDISK].pages, 1); /* its ramdisk was loaded */
    boot_dir_gone(&b);
    assert_int_equal(xb_domain_destroy(b.e.ctx, d), 0);
    free(out);
    free(dir);
    boot_fini(&b);
}

static void bootloader_refused(const char *mode, int rc, const char *msg)
{
    struct boot b;

    boot_init(&b, mode);
    refused(&b.e, rc, msg);
    boot_dir_gone(&b);
    boot_fini(&b);
}

static void bootloader_failures(void **state)
{
    bootloader_refused(
        "fail", -EIO,
        "failed (exit status 3): fake-bootloader: no grub.cfg in the image");
    bootloader_refused("hang", -ETIMEDOUT, "did not finish within 0.4 s and was stopped");
    bootloader_refused("none", -ENOEXEC, "chose no kernel");
    bootloader_refused("outside", -EPERM,
                       "named kernel /etc/passwd, which is not a file it wrote in ");
}

static void bootloader_needs_a_disk_and_a_program(void **state)
{
    struct boot b;

    boot_init(&b, "ok");
    b.e.spec.n_disks = 0;
    refused(&b.e, -EINVAL, "reads the kernel from the first disk, and there is none");
    b.e.spec.n_disks = 2;
    b.e.spec.bootloader = "xb-no-such-bootloader";
    refused(&b.e, -ENOENT, "bootloader: cannot run xb-no-such-bootloader: not found in ");
    boot_fini(&b);
}

/* ---- hot-plug: block-attach/-detach/-list, network-* ---- */

static void hotplug(void **state)
{
    struct env e;
    struct xb_devinfo *v = NULL;
    const struct xb_attach_opts any = {.any_devid = true};
    char *before;
    uint32_t d = 0, id = 99;
    size_t n = 0;

    env_init(&e);
    before = snapshot(e.hv);
    e.spec.n_disks = 0;
    e.spec.n_vifs = 0;
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    assert_int_equal(xb_vbd_attach(e.ctx, d, &e.disks[0], NULL), 0);
    assert_int_equal(xb_vbd_attach(e.ctx, d, &e.disks[1], NULL), 0);
    assert_int_equal(xb_vbd_attach(e.ctx, d, &e.disks[0], NULL), -EEXIST);
    assert_non_null(strstr(xb_errmsg(e.ctx), "disk 1, vdev: domain 1 has xvda already"));
    assert_int_equal(xb_vbd_list(e.ctx, d, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].devid, XVDA);
    assert_string_equal(v[0].name, "xvda");
    assert_string_equal(v[0].target, e.root);
    assert_string_equal(v[0].mode, "w");
    assert_string_equal(v[1].mode, "r");
    assert_int_equal(v[0].backend_state, 2);
    assert_int_equal(v[0].frontend_state, 1);
    assert_int_equal(v[0].evtchn, -1); /* the guest has not connected */
    free(v);
    assert_int_equal(xb__sim_nr_loops(e.hv), 2);
    assert_int_equal(xb_vif_attach(e.ctx, d, &e.vifs[0], &any, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(xb_vif_attach(e.ctx, d, &e.vifs[0], &any, &id), 0);
    assert_int_equal(id, 1);
    assert_int_equal(xb_vif_attach(e.ctx, d, &e.vifs[0], NULL, &id), -EEXIST);
    assert_int_equal(xb_vif_list(e.ctx, d, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[1].name, "vif1.1");
    assert_string_equal(v[1].target, "xenbr0");
    assert_string_not_equal(v[0].mac, v[1].mac);
    free(v);
    assert_int_equal(xb__sim_bridge_ports(e.hv, "xenbr0"), 2);
    /* detach: the backend closes (the sim's guest does not object), all goes */
    assert_int_equal(xb_vif_detach(e.ctx, d, 1, NULL), 0);
    assert_int_equal(xb__sim_bridge_ports(e.hv, "xenbr0"), 1);
    assert_int_equal(xb__sim_nr_links(e.hv), BASE_LINK + 1);
    assert_int_equal(xb_vbd_detach(e.ctx, d, XVDA, NULL), 0);
    assert_int_equal(xb__sim_nr_loops(e.hv), 1);
    expect(&e, NULL, "/local/domain/1/device/vbd/51712");
    expect(&e, NULL, "/local/domain/0/backend/vbd/1/51712");
    expect(&e, NULL, "/libxl/1/device/vbd/51712");
    assert_int_equal(xb_vbd_detach(e.ctx, d, XVDA, NULL), -ENOENT);
    assert_non_null(strstr(xb_errmsg(e.ctx), "domain 1 has no disk 51712"));
    /* a failed attach leaves nothing of itself */
    e.vifs[0].bridge = "nobr0";
    assert_int_equal(xb_vif_attach(e.ctx, d, &e.vifs[0], &any, &id), -ENODEV);
    assert_int_equal(xb__sim_nr_links(e.hv), BASE_LINK + 1);
    xb__sim_backends(e.hv, SIM_BACKENDS_STALL);
    e.disks[0].target = e.ro;
    e.disks[0].readonly = true;
    assert_int_equal(
        xb_vbd_attach(e.ctx, d, &e.disks[0], &(struct xb_attach_opts){.timeout_ms = 20}),
        -ETIMEDOUT);
    assert_int_equal(xb__sim_nr_loops(e.hv), 1);
    expect(&e, NULL, "/local/domain/0/backend/vbd/1/51712");
    xb__sim_backends(e.hv, SIM_BACKENDS_OK);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    nothing_left(&e, before);
    assert_int_equal(xb_vbd_list(e.ctx, d, &v, &n), -ESRCH);
    free(before);
    env_fini(&e);
}

/* The file contents of the one libxl userdata file in @dir (malloc'd). */
static char *read_userdata(const char *dir)
{
    char cmd[200], *buf = calloc(1, 1 << 16);
    FILE *f;

    assert_non_null(buf);
    snprintf(cmd, sizeof(cmd), "cat %s/userdata-d.*.libxl-json", dir);
    f = popen(cmd, "r");
    assert_non_null(f);
    assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
    pclose(f);
    return buf;
}

/*
 * libxl's stored config (xl list -l, xl's verbs) holds the disks and the vif
 * as libxl_device_disk/nic: the disk's path and access, the vif's MAC as the
 * backend has it (generated from the UUID), its bridge.
 */
static void userdata_devices(void **state)
{
    struct env e;
    char ud[80], want[256], *json, *mac;
    uint32_t d = 0;

    env_init(&e);
    snprintf(ud, sizeof(ud), "%s/ud", e.dir);
    xb__ctx_set_userdata_dir(e.ctx, ud);
    assert_int_equal(xb_domain_create(e.ctx, &e.spec, &e.opts, &d), 0);
    json = read_userdata(ud);
    snprintf(want, sizeof(want), "\"pdev_path\": \"%s\",\n            \"vdev\": \"xvda\"",
             e.root);
    assert_non_null(strstr(json, want));
    assert_non_null(strstr(json, "\"readwrite\": 0"));
    assert_non_null(strstr(json, "\"readwrite\": 1"));
    mac = rd(&e, "/local/domain/0/backend/vif/%u/0/mac", d);
    snprintf(want, sizeof(want), "\"mac\": \"%s\",\n            \"bridge\": \"xenbr0\"",
             mac);
    assert_non_null(strstr(json, want));
    free(mac);
    free(json);
    assert_int_equal(xb_domain_destroy(e.ctx, d), 0);
    snprintf(want, sizeof(want), "rmdir %s", ud); /* destroy removed the file */
    assert_int_equal(system(want), 0);
    env_fini(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_destroy),
        cmocka_unit_test(userdata_devices),
        cmocka_unit_test(vif_settings),
        cmocka_unit_test(fault_injection),
        cmocka_unit_test(bad_inputs),
        cmocka_unit_test(shared_images),
        cmocka_unit_test(migration_shares),
        cmocka_unit_test(relative_file_targets),
        cmocka_unit_test(backends_down),
        cmocka_unit_test(hotplug),
        cmocka_unit_test(bootloader_runs_as_xl_runs_it),
        cmocka_unit_test(bootloader_failures),
        cmocka_unit_test(bootloader_needs_a_disk_and_a_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
