/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/create.c - xb_domain_create(): the create flow, one
 * small step after the other, and the rollback that leaves nothing behind
 * when a step fails. xb_domain_plan() runs the first part alone.
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
#include "../layout/layout.h"
#include "ctx.h"
#include "domain.h"
#include "nodes.h"

#define MAXMEM_SLACK_KIB 1024 /* as xl: room for Xen's own per-domain pages */
#define SUPERPAGE_ORDER  9
#define SUPERPAGE_PAGES  (1ull << SUPERPAGE_ORDER)
#define RAMDISK_MAX      (1ull << 30)
#define DOMID_NONE       UINT32_MAX
#define XENSTORE_DOMID   0
#define CONSOLE_DOMID    0

struct build {
    struct xb_ctx *ctx;
    const struct xb_spec *spec;
    struct xb_create_opts opts;
    const struct xb_image *img;
    struct xb_image *own_img;
    uint8_t *ramdisk_data;
    size_t ramdisk_len;
    unsigned guest; /* XB_GUEST_PV64 / XB_GUEST_PV32PAE */
    struct xb_layout lo;
    uint64_t free_pages; /* the host's, before create */
    uint8_t uuid[16];
    uint32_t domid; /* DOMID_NONE until created */
    bool introduced;
    uint64_t *p2m; /* [lo.total_pages]: pfn -> mfn */
    uint32_t store_port, console_port;
    uint64_t lap_ns; /* when the last phase ended (opts.timings) */
    /* the spec's kernel, ramdisk and command line, or the bootloader's */
    const char *kernel, *ramdisk, *cmdline;
    struct xb_boot boot;  /* the bootloader's files: removed once read */
    struct xb_devs *devs; /* disks and vifs: checked, then attached */
};

static struct xb_err *berr(struct build *b)
{
    return &b->ctx->err;
}

static struct xb_hv *bhv(struct build *b)
{
    return b->ctx->hv;
}

static const char *pos_file(const struct xb_pos *pos)
{
    return pos->file ? pos->file : "config";
}

/* ---- plan: the spec, the kernel, the layout (no hypervisor) ---- */

/* What the builder cannot act on is refused by name: the same table as the config's
 * warnings. */
static int check_support(struct build *b)
{
    const struct xb_spec *s = b->spec;
    const struct xb_unsupported *u = s->n_unsupported ? &s->unsupported[0] : NULL;

    if (u)
        return xb_err_set(berr(b), -ENOTSUP, "%s:%u:%u: %s: not supported by xbuild yet",
                          pos_file(&u->pos), u->pos.line, u->pos.col, u->key);
    if (!xb__builder_acts_on("type", xb_domtype_name(s->type)))
        return xb_err_set(berr(b), -ENOTSUP, "type: \"%s\" guests cannot be built yet",
                          xb_domtype_name(s->type));
    if ((s->n_disks && !xb__builder_acts_on("disk", NULL)) ||
        (s->n_vifs && !xb__builder_acts_on("vif", NULL)))
        return xb_err_set(berr(b), -ENOTSUP, "%s: devices cannot be built yet",
                          s->n_disks ? "disk" : "vif");
    if (s->bootloader && !xb__builder_acts_on("bootloader", NULL))
        return xb_err_set(berr(b), -ENOTSUP, "bootloader: not supported by xbuild yet");
    return 0;
}

static int check_spec(struct build *b)
{
    const struct xb_spec *s = b->spec;

    if (!s->name || !s->memory_mib || !s->vcpus || s->maxvcpus < s->vcpus ||
        s->maxmem_mib < s->memory_mib)
        return xb_err_set(berr(b), -EINVAL,
                          "spec: name, memory and vcpus must be set "
                          "(maxvcpus >= vcpus, maxmem >= memory)");
    if (!s->kernel && !b->opts.image && !s->bootloader)
        return xb_err_set(berr(b), -EINVAL, "kernel: no kernel given");
    return check_support(b);
}

static int load_kernel(struct build *b)
{
    const struct xb_pos *pos = &b->spec->kernel_pos;
    struct xb_err err = {0};
    int rc;

    if (b->opts.image) {
        b->img = b->opts.image;
        return 0;
    }
    rc = xb_image_load_file(b->kernel, NULL, &b->own_img, &err);
    b->img = b->own_img;
    if (rc && b->boot.kernel)
        return xb_err_set(berr(b), rc, "bootloader: the kernel %s chose: %s",
                          b->spec->bootloader, err.msg);
    if (rc)
        return xb_err_set(berr(b), rc, "%s:%u:%u: kernel: %s", pos_file(pos), pos->line,
                          pos->col, err.msg);
    return 0;
}

static int pick_guest(struct build *b)
{
    unsigned types = b->img->guest_types;

    b->guest = types & XB_GUEST_PV64 ? XB_GUEST_PV64 : types & XB_GUEST_PV32PAE;
    if (!b->guest)
        return xb_err_set(berr(b), -ENOEXEC,
                          "kernel: %s is not a PV kernel (no Xen notes "
                          "for xen-3.0-x86_64 or xen-3.0-x86_32p)%s",
                          b->kernel ? b->kernel : "image",
                          types & XB_GUEST_PVH ? "; it boots as PVH: set type = \"pvh\""
                                               : "");
    return 0;
}

static int read_ramdisk(struct build *b)
{
    const char *path = b->ramdisk;
    struct stat st;
    FILE *f;
    int rc = 0;

    if (!path)
        return 0;
    f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > RAMDISK_MAX)
        rc = xb_err_set(berr(b), f ? -EFBIG : -errno, "ramdisk: %s: %s", path,
                        f ? "not a regular file of at most 1 GiB" : strerror(errno));
    if (!rc && st.st_size > 0 && !(b->ramdisk_data = malloc((size_t)st.st_size)))
        rc = xb_err_set(berr(b), -ENOMEM, "ramdisk: %s: out of memory", path);
    if (!rc && st.st_size > 0 &&
        fread(b->ramdisk_data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = xb_err_set(berr(b), -EIO, "ramdisk: %s: short read", path);
    if (!rc)
        b->ramdisk_len = (size_t)st.st_size;
    if (f)
        fclose(f);
    return rc;
}

static int plan_layout(struct build *b)
{
    const struct xb_image *img = b->img;
    const struct xb_layout_in in = {
        .guest = b->guest,
        .virt_base = img->virt_base,
        .virt_kstart = img->virt_kstart,
        .virt_kend = img->virt_kend,
        .virt_entry = img->virt_entry,
        .virt_hypercall = img->virt_hypercall,
        .hv_start_low = img->notes.hv_start_low,
        .ramdisk_len = b->ramdisk_len,
        .total_pages = b->spec->memory_mib << (20 - XB_PAGE_SHIFT),
    };
    int rc = xb__layout_compute(&in, &b->lo, berr(b));

    if (!rc && b->opts.layout)
        *b->opts.layout = b->lo;
    return rc;
}

/*
 * bootloader = "pygrub": it takes the kernel, ramdisk and command line from
 * the first disk (into files of its own directory, removed once read).
 */
static int run_bootloader(struct build *b)
{
    int rc;

    if (!b->spec->bootloader || b->opts.image)
        return 0;
    rc = xb__bootloader_run(berr(b), b->spec, b->opts.bootloader_timeout_ms, &b->boot);
    if (rc)
        return rc;
    b->kernel = b->boot.kernel;
    b->ramdisk = b->boot.ramdisk;
    b->cmdline = b->boot.cmdline;
    return 0;
}

/* Everything that needs no hypervisor: the spec, the kernel and ramdisk, the layout. */
static int plan(struct build *b)
{
    int rc = check_spec(b);

    if (!rc)
        rc = run_bootloader(b);
    if (!rc)
        rc = load_kernel(b);
    if (!rc)
        rc = pick_guest(b);
    if (!rc)
        rc = read_ramdisk(b);
    if (b->boot.dir) { /* read (or failed): its files go now */
        b->kernel = b->ramdisk = NULL;
        xb__boot_clean_files(&b->boot);
    }
    if (!rc)
        rc = plan_layout(b);
    return rc;
}

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

static int check_caps(struct build *b, struct xb_hv_physinfo *pi)
{
    if (caps_have(pi->caps, b->lo.guest_type))
        return 0;
    for (size_t n = strlen(pi->caps); n > 0 && pi->caps[n - 1] == ' '; n--)
        pi->caps[n - 1] = '\0';
    return xb_err_set(berr(b), -EOPNOTSUPP,
                      "kernel: %s is a %s guest but this Xen %u.%u "
                      "only runs \"%s\"; use a 64-bit PV or a PVH kernel, or a Xen built "
                      "with 32-bit PV support (CONFIG_PV32)",
                      b->spec->kernel ? b->spec->kernel : "image", b->lo.guest_type,
                      pi->xen_major, pi->xen_minor, pi->caps);
}

/* Can this Xen run the guest type? Notes its free memory for check_free(). */
static int check_host(struct build *b)
{
    struct xb_hv_physinfo pi;
    int rc = bhv(b)->ops->physinfo(bhv(b), berr(b), &pi);

    b->free_pages = rc ? 0 : pi.free_pages;
    return rc ? rc : check_caps(b, &pi);
}

/* Enough free memory on the host for the domain (Xen checks again). */
static int check_free(struct build *b)
{
    if (b->lo.total_pages <= b->free_pages)
        return 0;
    return xb_err_set(berr(b), -ENOMEM,
                      "memory: %" PRIu64 " MiB asked but the host has "
                      "only %" PRIu64 " MiB free",
                      b->spec->memory_mib, pages_to_mib(b->free_pages));
}

/* Every disk and vif can be served here (files, access, sharing, bridges). */
static int check_devices(struct build *b)
{
    return xb__devs_check(b->ctx, b->spec, DOMID_NONE, &b->devs);
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
        .type = XB_HV_DOM_PV,
        .max_vcpus = b->spec->maxvcpus,
        .max_evtchn_port = b->spec->max_event_channels,
        .max_grant_frames = b->spec->max_grant_frames,
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
    int rc = xb__xs_name_claim(b->ctx->xs, berr(b), b->spec->name, b->domid);

    return rc ? rc : xb__dom_name_taken(b->ctx, berr(b), b->spec->name, b->domid);
}

static int set_limits(struct build *b)
{
    struct xb_hv *hv = bhv(b);
    int rc = hv->ops->set_max_vcpus(hv, berr(b), b->domid, b->spec->maxvcpus);

    if (!rc)
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

static xb_mfn seg_mfn(const struct build *b, enum xb_seg_id id)
{
    uint64_t pfn = b->lo.seg[id].pfn;

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

static int seed_gnttab(struct build *b)
{
    return bhv(b)->ops->gnttab_seed(bhv(b), berr(b), b->domid, seg_mfn(b, XB_SEG_CONSOLE),
                                    seg_mfn(b, XB_SEG_XENSTORE), CONSOLE_DOMID,
                                    XENSTORE_DOMID);
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
        .store_mfn = seg_mfn(b, XB_SEG_XENSTORE),
        .store_port = b->store_port,
        .console_frame = seg_mfn(b, XB_SEG_CONSOLE),
        .console_port = b->console_port,
        .on_poweroff = xb_action_name(s->on_poweroff),
        .on_reboot = xb_action_name(s->on_reboot),
        .on_crash = xb_action_name(s->on_crash),
        .pvh = false,
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
    xb__teardown_begin(b->ctx, berr(b), b->domid, &t);
    xb__xs_domain_remove(b->ctx->xs, berr(b), b->domid);
    xb__devs_undo(b->ctx, b->devs);
    xb__teardown_finish(b->ctx, berr(b), t);
    bhv(b)->ops->domain_destroy(bhv(b), berr(b), b->domid);
    b->domid = DOMID_NONE;
}

static void build_free(struct build *b)
{
    xb_image_free(b->own_img);
    free(b->ramdisk_data);
    free(b->p2m);
    xb__devs_free(b->devs);
    xb__boot_clean(&b->boot);
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

int xb_domain_create(struct xb_ctx *ctx, const struct xb_spec *spec,
                     const struct xb_create_opts *opts, uint32_t *domid)
{
    struct build b = build_init(ctx, spec, opts);
    int rc;

    xb__ctx_reset(ctx);
    b.lap_ns = b.opts.timings ? now_ns() : 0;
    rc = plan(&b); /* spec, kernel, ramdisk, layout */
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
        rc = build_pv(&b);
    lap(&b, XB_PHASE_BUILD, rc);
    if (!rc)
        rc = seed_gnttab(&b);
    if (!rc)
        rc = introduce(&b); /* the xenstore nodes, xenstored */
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

int xb_domain_plan(struct xb_ctx *ctx, const struct xb_spec *spec,
                   const struct xb_create_opts *opts, struct xb_layout *out)
{
    struct build b = build_init(ctx, spec, opts);
    int rc;

    xb__ctx_reset(ctx);
    b.opts.layout = NULL;
    rc = plan(&b);
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
