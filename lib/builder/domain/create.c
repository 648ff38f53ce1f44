/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/create.c - xb_domain_create(): the create flow, one
 * small step after the other, and the rollback that leaves nothing behind
 * when a step fails. Its first part, the plan, is plan.c's; xb_domain_plan()
 * runs that alone. A restore runs the same flow (xb__dom_create() with a
 * stream): its memory and start of day come from the stream, not a kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <xbuild/builder.h>

#include "../../config/unsupported.h"
#include "../devices/devices.h"
#include "../guest/pv_x86.h"
#include "../guest/pvh.h"
#include "../layout/layout.h"
#include "../migrate/migrate.h"
#include "build.h"
#include "ctx.h"
#include "domain.h"
#include "monitor.h"
#include "nodes.h"
#include "shim.h"
#include "userdata.h"

#define MAXMEM_SLACK_KIB 1024 /* as xl: room for Xen's own per-domain pages */
#define SUPERPAGE_ORDER  9
#define SUPERPAGE_PAGES  (1ull << SUPERPAGE_ORDER)
#define XENSTORE_DOMID   0
#define CONSOLE_DOMID    0

/* ---- checks against the host, before anything exists ---- */

static bool caps_have(const char *caps, const char *type)
{
    size_t len = strlen(type);

    for (const char *p = strstr(caps, type); p; p = strstr(p + 1, type))
        if ((p == caps || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

static uint64_t pages_to_mib(uint64_t pages)
{
    return pages >> (20 - XB_PAGE_SHIFT);
}

static const char *pv_width(const struct build *b)
{
    return b->guest == XB_GUEST_PV64 ? "64-bit" : "32-bit";
}

/*
 * A PV kernel of a kind this Xen lacks runs in the PV shim when Xen can run
 * PVH and a shim is installed (xl would refuse it): said in one notice.
 */
static int auto_shim(struct build *b, const char *why)
{
    const char *width = pv_width(b);
    int rc = 0;

    if (!caps_have(b->host.caps, "hvm-3.0-x86_32"))
        return xb_err_set(berr(b), -EOPNOTSUPP,
                          "%s; use a 64-bit PV kernel, or a Xen built with %s PV "
                          "support (CONFIG_PV32)",
                          why, width);
    if (xb__use_shim(b, b->opts.pvshim_path) != 0) {
        char shim[sizeof(b->ctx->err.msg)];
        snprintf(shim, sizeof(shim), "%s", b->ctx->err.msg);
        xb_err_clear(&b->ctx->err); /* the root cause is Xen's: say both */
        return xb_err_set(berr(b), -EOPNOTSUPP, "%s and the PV shim cannot run it: %s",
                          why, shim);
    }
    b->shim_auto = true;
    rc = xb__plan_layout(b);
    if (!rc)
        xb__ctx_warn(b->ctx, "%s: Xen has no %s PV; running it in the PV shim (%s)",
                     b->spec->name, width, b->ctx->shim_path);
    return rc;
}

static int check_caps(struct build *b)
{
    char *caps = b->host.caps, why[512];

    for (size_t n = strlen(caps); n > 0 && caps[n - 1] == ' '; n--)
        caps[n - 1] = '\0';
    if (caps_have(caps, b->lo.guest_type))
        return 0;
    if (b->guest == XB_GUEST_PVH)
        return xb_err_set(berr(b), -EOPNOTSUPP,
                          "type: this Xen %u.%u runs no PVH guests (its capabilities are "
                          "\"%s\", without hvm-3.0-x86_32: the CPU lacks VT-x or AMD-V, "
                          "or Xen was built without HVM)",
                          b->host.xen_major, b->host.xen_minor, caps);
    if (b->restore)
        return xb_err_set(berr(b), -EOPNOTSUPP,
                          "type: the saved domain is a %s guest but this Xen %u.%u "
                          "only runs \"%s\"",
                          b->lo.guest_type, b->host.xen_major, b->host.xen_minor, caps);
    snprintf(
        why, sizeof(why), "kernel: %s is a %s guest but this Xen %u.%u only runs \"%s\"",
        xb__kernel_name(b), b->lo.guest_type, b->host.xen_major, b->host.xen_minor, caps);
    return auto_shim(b, why);
}

/*
 * Can this Xen run the guest type (or the PV shim run it)? Notes the
 * host's free memory for check_free().
 */
static int check_host(struct build *b)
{
    int rc = bhv(b)->ops->physinfo(bhv(b), berr(b), &b->host);

    if (rc)
        b->host = (struct xb_hv_physinfo){0};

    return rc ? rc : check_caps(b);
}

/* Enough free memory on the host for the domain (Xen checks again). */
static int check_free(struct build *b)
{
    if (b->lo.total_pages <= b->host.free_pages)
        return 0;
    return xb_err_set(berr(b), -ENOMEM,
                      "memory: %" PRIu64 " MiB asked but the host has "
                      "only %" PRIu64 " MiB free",
                      b->spec->memory_mib, pages_to_mib(b->host.free_pages));
}

/*
 * Every disk and vif can be served here (files, access, sharing, bridges);
 * a migration to this host shares its disks with the domain it moves.
 */
static int check_devices(struct build *b)
{
    return xb__devs_check(b->ctx, b->spec, DOMID_NONE,
                          b->restore ? b->restore->mover : NULL, &b->devs);
}

/* ---- the domain ---- */

static int make_uuid(struct build *b)
{
    if (b->spec->has_uuid) {
        memcpy(b->uuid, b->spec->uuid, sizeof(b->uuid));
        return 0;
    }
    if (getrandom(b->uuid, sizeof(b->uuid), 0) != (ssize_t)sizeof(b->uuid))
        return xb_err_set(berr(b), -EIO, "uuid: no random bytes: %s", strerror(errno));
    b->uuid[6] = (uint8_t)((b->uuid[6] & 0x0f) | 0x40); /* version 4 */
    b->uuid[8] = (uint8_t)((b->uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return 0;
}

static int create_domain(struct build *b)
{
    struct xb_hv_domcfg cfg = {
        .type = b->guest == XB_GUEST_PVH ? XB_HV_DOM_PVH : XB_HV_DOM_PV,
        .max_vcpus = b->spec->maxvcpus,
        .max_evtchn_port = b->spec->max_event_channels,
        .max_grant_frames = b->spec->max_grant_frames,
        .msr_relaxed = b->spec->msr_relaxed,
        .hap = b->host.hap,
    };
    uint32_t domid;
    int rc;

    memcpy(cfg.handle, b->uuid, sizeof(cfg.handle));
    rc = bhv(b)->ops->domain_create(bhv(b), berr(b), &cfg, &domid);
    if (!rc)
        b->domid = domid;
    return rc;
}

/*
 * Names are unique among running domains, as xl has them: claimed first
 * (against other creates, atomically), then no other domain may carry it.
 * The loser of a race fails here, before any memory is spent.
 */
static int claim_name(struct build *b)
{
    int rc = xb__xs_name_claim(b->ctx->xs, berr(b), b->spec->name, b->domid, b->restart);

    return rc ? rc : xb__dom_name_taken(b->ctx, berr(b), b->spec->name, b->domid);
}

/* PVH: the paging pool xl gives HAP or shadow tables, 4 * (256 * vCPUs + 2 * MiB) KiB. */
static int set_paging_pool(struct build *b)
{
    uint64_t kib = 4 * (256 * (uint64_t)b->spec->maxvcpus + 2 * b->spec->maxmem_mib);

    return bhv(b)->ops->set_paging_pool(bhv(b), berr(b), b->domid, kib << 10);
}

static int set_limits(struct build *b)
{
    struct xb_hv *hv = bhv(b);
    int rc = hv->ops->set_max_vcpus(hv, berr(b), b->domid, b->spec->maxvcpus);

    if (!rc && b->guest == XB_GUEST_PVH)
        rc = set_paging_pool(b);
    else if (!rc)
        rc = hv->ops->set_address_size(hv, berr(b), b->domid,
                                       b->guest == XB_GUEST_PV64 ? 64 : 32);
    if (!rc)
        rc = hv->ops->set_max_mem(hv, berr(b), b->domid,
                                  b->spec->maxmem_mib * 1024 + MAXMEM_SLACK_KIB);
    return rc;
}

/* One 2 MiB extent at @first; when Xen has none left (a probe), 512 single pages. */
static int populate_extent(struct build *b, uint64_t first)
{
    struct xb_hv *hv = bhv(b);
    uint64_t frame = first;
    int rc = hv->ops->populate_physmap(hv, NULL, b->domid, SUPERPAGE_ORDER, 1, &frame);

    if (rc == -ENOMEM) {
        for (uint64_t i = 0; i < SUPERPAGE_PAGES; i++)
            b->p2m[first + i] = first + i;
        return hv->ops->populate_physmap(hv, berr(b), b->domid, 0, SUPERPAGE_PAGES,
                                         b->p2m + first);
    }
    if (rc)
        return xb_err_set(berr(b), rc, "populate_physmap: 2 MiB at pfn 0x%" PRIx64 ": %s",
                          first, strerror(-rc));
    for (uint64_t i = 0; i < SUPERPAGE_PAGES; i++)
        b->p2m[first + i] = frame + i;
    return 0;
}

/* Populate in 2 MiB extents where possible, the remainder page by page. */
static int populate(struct build *b)
{
    struct xb_hv *hv = bhv(b);
    uint64_t total = b->lo.total_pages;
    uint64_t done = total / SUPERPAGE_PAGES * SUPERPAGE_PAGES;
    int rc = 0;

    if (b->restore)
        return 0; /* the stream populates what the saved domain had */
    if (b->guest == XB_GUEST_PVH)
        return xb__dom_populate_pvh(bhv(b), berr(b), b->domid, &b->lo);
    b->p2m = calloc(total, sizeof(*b->p2m));
    if (!b->p2m)
        return xb_err_set(berr(b), -ENOMEM, "memory: out of memory for the p2m");
    for (uint64_t first = 0; !rc && first < done; first += SUPERPAGE_PAGES)
        rc = populate_extent(b, first);
    for (uint64_t i = done; !rc && i < total; i++)
        b->p2m[i] = i;
    if (!rc && total > done)
        rc = hv->ops->populate_physmap(hv, berr(b), b->domid, 0, total - done,
                                       b->p2m + done);
    return rc;
}

static int alloc_evtchns(struct build *b)
{
    struct xb_hv *hv = bhv(b);
    int rc = hv->ops->evtchn_alloc_unbound(hv, berr(b), b->domid, XENSTORE_DOMID,
                                           &b->store_port);

    if (!rc)
        rc = hv->ops->evtchn_alloc_unbound(hv, berr(b), b->domid, CONSOLE_DOMID,
                                           &b->console_port);
    return rc;
}

/* The frame of a segment's first page: its mfn (PV), its gfn (PVH). */
static xb_mfn seg_mfn(const struct build *b, enum xb_seg_id id)
{
    uint64_t pfn = b->lo.seg[id].pfn;

    if (b->guest == XB_GUEST_PVH)
        return pfn;
    return pfn < b->lo.total_pages ? b->p2m[pfn] : XB_NO_MFN;
}

/* The guest-type part: image, p2m, start_info, page tables, hypercall page, pin, vCPU 0.
 */
static int build_pv(struct build *b)
{
    struct xb_hv_dominfo info;
    struct xb_pv_boot boot = {
        .lo = &b->lo,
        .img = b->img,
        .ramdisk = b->ramdisk_data,
        .ramdisk_len = b->ramdisk_len,
        .cmdline = b->cmdline,
        .p2m = b->p2m,
        .store_port = b->store_port,
        .console_port = b->console_port,
    };
    bool cut = false;
    int rc = xb__dom_info(b->ctx, berr(b), b->domid, &info); /* where shared_info is */

    if (rc == -ESRCH)
        rc = xb_err_set(berr(b), rc, "domain %" PRIu32 " vanished while being built",
                        b->domid);
    boot.shared_info_mfn = info.shared_info_frame;
    if (!rc)
        rc = xb__pv_x86_build(bhv(b), berr(b), b->domid, &boot, &cut);
    if (cut)
        xb__ctx_warn(b->ctx, "cmdline: %zu bytes, cut to the %d the guest can receive",
                     strlen(b->cmdline), XB_PV_CMDLINE_MAX - 1);
    return rc;
}

/* PVH (the PV shim too): start info, memory map, HVM params, vCPU 0. */
static int build_pvh(struct build *b)
{
    struct xb_pvh_boot boot = {
        .lo = &b->lo,
        .img = b->img,
        .cmdline = xb__kernel_cmdline(b),
        .store_port = b->store_port,
        .console_port = b->console_port,
        .vcpus = b->spec->vcpus,
        .max_vcpus = b->spec->maxvcpus,
    };
    bool cut = false;
    int rc;

    if (b->pv_img)
        boot.mod[boot.nr_modules++] = (struct xb_pvh_module){
            b->pv_img->elf, b->pv_img->elf_size, XB_SEG_PV_KERNEL, b->cmdline};
    if (b->ramdisk_len)
        boot.mod[boot.nr_modules++] =
            (struct xb_pvh_module){b->ramdisk_data, b->ramdisk_len, XB_SEG_RAMDISK, NULL};
    rc = xb__pvh_build(bhv(b), berr(b), b->domid, &boot, &cut);
    if (cut)
        xb__ctx_warn(
            b->ctx,
            "cmdline: %zu bytes, cut to the %d the PV guest in the shim can receive",
            strlen(b->cmdline), XB_PVH_MOD_CMDLINE_MAX - 1);
    return rc;
}

/* The start of day: one builder per guest type; a restore's comes in its stream. */
static int build_guest(struct build *b)
{
    int rc;

    if (b->restore)
        return xb__restore_fill(b->ctx, berr(b), b->restore, b->domid, b->store_port,
                                b->console_port, &b->store_frame, &b->console_frame);
    rc = b->guest == XB_GUEST_PVH ? build_pvh(b) : build_pv(b);
    b->store_frame = seg_mfn(b, XB_SEG_XENSTORE);
    b->console_frame = seg_mfn(b, XB_SEG_CONSOLE);
    return rc;
}

static int seed_gnttab(struct build *b)
{
    if (b->restore)
        return 0; /* libxenguest seeded it */
    return bhv(b)->ops->gnttab_seed(bhv(b), berr(b), b->domid, b->console_frame,
                                    b->store_frame, CONSOLE_DOMID, XENSTORE_DOMID);
}

static int introduce(struct build *b)
{
    const struct xb_spec *s = b->spec;
    const struct xb_xs_dom d = {
        .domid = b->domid,
        .name = s->name,
        .uuid = b->uuid,
        .target_kib = s->memory_mib * 1024,
        .maxmem_kib = s->maxmem_mib * 1024,
        .vcpus = s->vcpus,
        .maxvcpus = s->maxvcpus,
        .store_mfn = b->store_frame,
        .store_port = b->store_port,
        .console_frame = b->console_frame,
        .console_port = b->console_port,
        .on_poweroff = xb_action_name(s->on_poweroff),
        .on_reboot = xb_action_name(s->on_reboot),
        .on_crash = xb_action_name(s->on_crash),
        .type = b->guest == XB_GUEST_PVH ? XB_DOMTYPE_PVH : XB_DOMTYPE_PV,
        .kernel = b->kernel_path,
        .ramdisk = b->ramdisk_path,
        .cmdline = b->cmdline,
        .start_time_cs = xb__wall_cs(),
    };
    int rc = xb__xs_domain_introduce(b->ctx->xs, berr(b), &d);

    b->introduced = rc == 0;
    return rc;
}

/*
 * Disks and vifs: loop devices, their nodes, and every backend up (blkback
 * holding its device, netback's vif on its bridge), in a bounded wait.
 */
static int attach_devices(struct build *b)
{
    const char *protocol = b->guest == XB_GUEST_PV64      ? "x86_64-abi"
                           : b->guest == XB_GUEST_PV32PAE ? "x86_32-abi"
                                                          : NULL;

    return xb__devs_attach(b->ctx, b->devs, b->domid, b->uuid, protocol,
                           b->opts.device_timeout_ms);
}

/* The configuration libxl keeps, so that xl list -l / reboot work on the domain. */
static int write_userdata(struct build *b)
{
    return xb__userdata_write(b->ctx, berr(b), b->domid, b->uuid, b->spec);
}

/* The monitor's record (actions, restart source), when the caller gave a source. */
static int record(struct build *b)
{
    if (!b->opts.source)
        return 0;
    return xb__monitor_record(b->ctx, berr(b), b->domid, b->uuid, b->spec,
                              b->opts.source);
}

/* The library unpauses, unless the caller asked to own that step (opts->paused). */
static int unpause(struct build *b)
{
    if (b->opts.paused)
        return 0;
    return bhv(b)->ops->domain_unpause(bhv(b), berr(b), b->domid);
}

/* ---- rollback ---- */

/*
 * Undo a failed create: the devices' bridge ports, the nodes and name claim,
 * what the builder still holds (loop devices), the loop devices once their
 * backends let go, then the domain (its ports and memory go with it).
 */
static void rollback(struct build *b)
{
    struct xb_teardown *t = NULL;

    if (b->domid == DOMID_NONE)
        return;
    /* the devices, the nodes (the monitor's record with them), libxl's stored config */
    xb__teardown_begin(b->ctx, berr(b), b->domid, &t);
    xb__xs_domain_remove(b->ctx->xs, berr(b), b->domid);
    xb__userdata_remove(b->ctx, berr(b), b->domid, b->uuid);
    xb__devs_undo(b->ctx, b->devs);
    xb__teardown_finish(b->ctx, berr(b), t);
    bhv(b)->ops->domain_destroy(bhv(b), berr(b), b->domid);
    b->domid = DOMID_NONE;
}

static void build_free(struct build *b)
{
    xb_image_free(b->own_img);
    xb_image_free(b->shim_img);
    free(b->ramdisk_data);
    free(b->p2m);
    xb__devs_free(b->devs);
    xb__boot_clean(&b->boot);
    free(b->kernel_path);
    free(b->ramdisk_path);
}

static struct build build_init(struct xb_ctx *ctx, const struct xb_spec *spec,
                               const struct xb_create_opts *opts)
{
    return (struct build){
        .ctx = ctx,
        .spec = spec,
        .opts = opts ? *opts : (struct xb_create_opts){0},
        .domid = DOMID_NONE,
        .kernel = spec->kernel,
        .ramdisk = spec->ramdisk,
        .cmdline = spec->cmdline,
        .store_frame = XB_NO_MFN,
        .console_frame = XB_NO_MFN,
    };
}

/* ---- the flows ---- */

static const char *const phase_names[XB_PHASE_COUNT] = {
    [XB_PHASE_LOAD] = "load",       [XB_PHASE_CHECKS] = "checks",
    [XB_PHASE_DOMAIN] = "domain",   [XB_PHASE_POPULATE] = "populate",
    [XB_PHASE_BUILD] = "build",     [XB_PHASE_XENSTORE] = "xenstore",
    [XB_PHASE_DEVICES] = "devices", [XB_PHASE_UNPAUSE] = "unpause",
};

const char *xb_phase_name(enum xb_phase p)
{
    return (unsigned)p < XB_PHASE_COUNT ? phase_names[p] : "?";
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Phase @p ended (when the caller asked for timings and the phase ran). */
static void lap(struct build *b, enum xb_phase p, int rc)
{
    uint64_t t;

    if (!b->opts.timings || rc)
        return;
    t = now_ns();
    b->opts.timings->ns[p] = t - b->lap_ns;
    b->lap_ns = t;
}

int xb__dom_create(struct xb_ctx *ctx, const struct xb_spec *spec,
                   const struct xb_create_opts *opts, const struct xb__restore *restore,
                   bool restart, uint32_t *domid)
{
    struct build b = build_init(ctx, spec, opts);
    int rc;

    b.restore = restore;
    b.restart = restart;
    b.lap_ns = b.opts.timings ? now_ns() : 0;
    rc = xb__plan(&b); /* spec, kernel, ramdisk, layout */
    lap(&b, XB_PHASE_LOAD, rc);
    if (!rc)
        rc = check_host(&b); /* nothing exists yet: guest type, free memory */
    if (!rc)
        rc = check_free(&b);
    if (!rc)
        rc = check_devices(&b); /* disks and vifs: files, access, sharing, bridges */
    lap(&b, XB_PHASE_CHECKS, rc);
    if (!rc)
        rc = make_uuid(&b);
    if (!rc)
        rc = create_domain(&b);
    if (!rc)
        rc = claim_name(&b); /* unique, also against concurrent creates */
    if (!rc)
        rc = set_limits(&b); /* vCPUs, address size, max memory */
    lap(&b, XB_PHASE_DOMAIN, rc);
    if (!rc)
        rc = populate(&b);
    lap(&b, XB_PHASE_POPULATE, rc);
    if (!rc)
        rc = alloc_evtchns(&b); /* xenstore, console */
    if (!rc)
        rc = build_guest(&b); /* PV or PVH: start of day, vCPU 0; or the saved state */
    lap(&b, XB_PHASE_BUILD, rc);
    if (!rc)
        rc = seed_gnttab(&b);
    if (!rc)
        rc = introduce(&b); /* the xenstore nodes, xenstored */
    if (!rc)
        rc = write_userdata(&b); /* libxl's copy of the config, for xl */
    if (!rc)
        rc = record(&b); /* the monitor's: on_* actions, restart source */
    lap(&b, XB_PHASE_XENSTORE, rc);
    if (!rc)
        rc = attach_devices(&b); /* loop devices, nodes, backends up, bridge ports */
    lap(&b, XB_PHASE_DEVICES, rc);
    if (!rc)
        rc = unpause(&b);
    lap(&b, XB_PHASE_UNPAUSE, rc);
    if (rc)
        rollback(&b);
    else
        *domid = b.domid;
    build_free(&b);
    return rc;
}

int xb_domain_create(struct xb_ctx *ctx, const struct xb_spec *spec,
                     const struct xb_create_opts *opts, uint32_t *domid)
{
    xb__ctx_reset(ctx);
    return xb__dom_create(ctx, spec, opts, NULL, false, domid);
}

int xb_domain_plan(struct xb_ctx *ctx, const struct xb_spec *spec,
                   const struct xb_create_opts *opts, struct xb_layout *out)
{
    struct build b = build_init(ctx, spec, opts);
    int rc;

    xb__ctx_reset(ctx);
    b.opts.layout = NULL;
    rc = xb__plan(&b);
    if (!rc)
        *out = b.lo;
    build_free(&b);
    return rc;
}

int xb_domain_unpause(struct xb_ctx *ctx, uint32_t domid)
{
    xb__ctx_reset(ctx);
    return ctx->hv->ops->domain_unpause(ctx->hv, &ctx->err, domid);
}
