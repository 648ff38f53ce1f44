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
#include "../guest/pv_x86.h"
#include "../guest/pvh.h"
#include "../layout/layout.h"
#include "ctx.h"
#include "domain.h"
#include "monitor.h"
#include "nodes.h"
#include "shim.h"
#include "userdata.h"

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
    const struct xb_image *img; /* the kernel that runs (the PV shim's, for a shim) */
    struct xb_image *own_img;
    const struct xb_image *pv_img; /* in the PV shim: the PV kernel, else NULL */
    struct xb_image *shim_img;
    bool shim_auto; /* the shim chosen by xbuild, not the config */
    uint8_t *ramdisk;
    size_t ramdisk_len;
    unsigned guest; /* XB_GUEST_PV64 / XB_GUEST_PV32PAE, or XB_GUEST_PVH (the shim too) */
    struct xb_layout lo;
    struct xb_hv_physinfo host; /* physinfo before create (check_host) */
    uint8_t uuid[16];
    uint32_t domid; /* DOMID_NONE until created */
    bool restart;   /* the monitor's re-create: the name is held for it */
    bool introduced;
    uint64_t *p2m; /* [lo.total_pages]: pfn -> mfn */
    uint32_t store_port, console_port;
    uint64_t lap_ns; /* when the last phase ended (opts.timings) */
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
    if (!s->kernel && !b->opts.image)
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
    rc = xb_image_load_file(b->spec->kernel, NULL, &b->own_img, &err);
    b->img = b->own_img;
    if (rc)
        return xb_err_set(berr(b), rc, "%s:%u:%u: kernel: %s", pos_file(pos), pos->line,
                          pos->col, err.msg);
    return 0;
}

static const char *kernel_name(const struct build *b)
{
    return b->spec->kernel ? b->spec->kernel : "image";
}

static int pick_pvh(struct build *b)
{
    if (b->img->guest_types & XB_GUEST_PVH) {
        b->guest = XB_GUEST_PVH;
        return 0;
    }
    return xb_err_set(berr(b), -ENOEXEC, "kernel: %s is not a PVH kernel (%s)%s",
                      kernel_name(b), b->img->not_pvh,
                      b->img->guest_types ? "; it is a PV kernel: set type = \"pv\", or "
                                            "pvshim = 1 to run it in the PV shim"
                                          : "");
}

/*
 * Run the PV kernel in the PV shim at @path (NULL: the installed one): the
 * shim becomes the PVH kernel, the PV kernel its first module.
 */
static int use_shim(struct build *b, const char *path)
{
    const struct xb_shim_where w = {
        .path = path, .xen_major = b->host.xen_major, .xen_minor = b->host.xen_minor};
    char *shim = b->ctx->shim_path;
    struct xb_err err = {0};
    int rc = xb__shim_find(&w, shim, sizeof(b->ctx->shim_path), &err);

    if (!rc)
        rc = xb_image_load_file(shim, NULL, &b->shim_img, &err);
    if (!rc && !(b->shim_img->guest_types & XB_GUEST_PVH))
        rc = xb_err_set(&err, -ENOEXEC, "%s is not a PVH kernel (%s)", shim,
                        b->shim_img->not_pvh);
    if (rc)
        return xb_err_set(berr(b), rc, "pvshim: %s", err.msg);
    b->pv_img = b->img;
    b->img = b->shim_img;
    b->guest = XB_GUEST_PVH;
    return 0;
}

static int pick_guest(struct build *b)
{
    unsigned types = b->img->guest_types;

    if (b->spec->type == XB_DOMTYPE_PVH && !b->spec->pvshim)
        return pick_pvh(b);
    b->guest = types & XB_GUEST_PV64 ? XB_GUEST_PV64 : types & XB_GUEST_PV32PAE;
    if (!b->guest)
        return xb_err_set(berr(b), -ENOEXEC,
                          "kernel: %s is not a PV kernel (no Xen notes "
                          "for xen-3.0-x86_64 or xen-3.0-x86_32p)%s",
                          b->spec->kernel ? b->spec->kernel : "image",
                          types & XB_GUEST_PVH ? "; it boots as PVH: set type = \"pvh\""
                                               : "");
    return b->spec->pvshim ? use_shim(b, b->spec->pvshim_path) : 0;
}

static int read_ramdisk(struct build *b)
{
    const char *path = b->spec->ramdisk;
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
    if (!rc && st.st_size > 0 && !(b->ramdisk = malloc((size_t)st.st_size)))
        rc = xb_err_set(berr(b), -ENOMEM, "ramdisk: %s: out of memory", path);
    if (!rc && st.st_size > 0 &&
        fread(b->ramdisk, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = xb_err_set(berr(b), -EIO, "ramdisk: %s: short read", path);
    if (!rc)
        b->ramdisk_len = (size_t)st.st_size;
    if (f)
        fclose(f);
    return rc;
}

/* The kernel's command line: the shim's own when the guest runs in the shim. */
static const char *kernel_cmdline(const struct build *b)
{
    if (!b->pv_img)
        return b->spec->cmdline;
    return b->spec->pvshim_cmdline ? b->spec->pvshim_cmdline : XB_SHIM_CMDLINE;
}

static int plan_pvh_layout(struct build *b)
{
    const struct xb_image *img = b->img;
    const char *cmdline = kernel_cmdline(b);
    struct xb_pvh_layout_in in = {
        .kstart = img->pstart,
        .kend = img->pend,
        .entry = img->notes.phys32_entry,
        .cmdline_len = cmdline ? strlen(cmdline) : 0,
        .total_pages = b->spec->memory_mib << (20 - XB_PAGE_SHIFT),
    };
    int rc;

    if (b->pv_img) {
        in.mod_seg[in.nr_modules] = XB_SEG_PV_KERNEL;
        in.mod_len[in.nr_modules++] = b->pv_img->elf_size;
    }
    if (b->ramdisk_len) {
        in.mod_seg[in.nr_modules] = XB_SEG_RAMDISK;
        in.mod_len[in.nr_modules++] = b->ramdisk_len;
    }
    rc = xb__layout_pvh(&in, &b->lo, berr(b));
    b->lo.pvshim = b->pv_img ? b->ctx->shim_path : NULL;
    b->lo.pvshim_auto = b->shim_auto;
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
    int rc = b->guest == XB_GUEST_PVH ? plan_pvh_layout(b)
                                      : xb__layout_compute(&in, &b->lo, berr(b));

    if (!rc && b->opts.layout)
        *b->opts.layout = b->lo;
    return rc;
}

/* Everything that needs no hypervisor: the spec, the kernel and ramdisk, the layout. */
static int plan(struct build *b)
{
    int rc = check_spec(b);

    if (!rc)
        rc = load_kernel(b);
    if (!rc)
        rc = pick_guest(b);
    if (!rc)
        rc = read_ramdisk(b);
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
    if (use_shim(b, b->opts.pvshim_path) != 0) {
        char shim[sizeof(b->ctx->err.msg)];
        snprintf(shim, sizeof(shim), "%s", b->ctx->err.msg);
        xb_err_clear(&b->ctx->err); /* the root cause is Xen's: say both */
        return xb_err_set(berr(b), -EOPNOTSUPP, "%s and the PV shim cannot run it: %s",
                          why, shim);
    }
    b->shim_auto = true;
    rc = plan_layout(b);
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
    snprintf(
        why, sizeof(why), "kernel: %s is a %s guest but this Xen %u.%u only runs \"%s\"",
        kernel_name(b), b->lo.guest_type, b->host.xen_major, b->host.xen_minor, caps);
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
        .ramdisk = b->ramdisk,
        .ramdisk_len = b->ramdisk_len,
        .cmdline = b->spec->cmdline,
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
                     strlen(b->spec->cmdline), XB_PV_CMDLINE_MAX - 1);
    return rc;
}

/* PVH (the PV shim too): start info, memory map, HVM params, vCPU 0. */
static int build_pvh(struct build *b)
{
    struct xb_pvh_boot boot = {
        .lo = &b->lo,
        .img = b->img,
        .cmdline = kernel_cmdline(b),
        .store_port = b->store_port,
        .console_port = b->console_port,
        .max_vcpus = b->spec->maxvcpus,
    };
    bool cut = false;
    int rc;

    if (b->pv_img)
        boot.mod[boot.nr_modules++] = (struct xb_pvh_module){
            b->pv_img->elf, b->pv_img->elf_size, XB_SEG_PV_KERNEL, b->spec->cmdline};
    if (b->ramdisk_len)
        boot.mod[boot.nr_modules++] =
            (struct xb_pvh_module){b->ramdisk, b->ramdisk_len, XB_SEG_RAMDISK, NULL};
    rc = xb__pvh_build(bhv(b), berr(b), b->domid, &boot, &cut);
    if (cut)
        xb__ctx_warn(
            b->ctx,
            "cmdline: %zu bytes, cut to the %d the PV guest in the shim can receive",
            strlen(b->spec->cmdline), XB_PVH_MOD_CMDLINE_MAX - 1);
    return rc;
}

/* The guest type's start of day: one builder per type. */
static int build_guest(struct build *b)
{
    return b->guest == XB_GUEST_PVH ? build_pvh(b) : build_pv(b);
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
        .type = b->guest == XB_GUEST_PVH ? XB_DOMTYPE_PVH : XB_DOMTYPE_PV,
        .kernel = s->kernel,
        .ramdisk = s->ramdisk,
        .cmdline = s->cmdline,
        .start_time_cs = xb__wall_cs(),
    };
    int rc = xb__xs_domain_introduce(b->ctx->xs, berr(b), &d);

    b->introduced = rc == 0;
    return rc;
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

/* Undo a failed create: nodes and name claim, then the domain (its ports and memory go
 * with it). */
static void rollback(struct build *b)
{
    if (b->domid == DOMID_NONE)
        return;
    /* the nodes, the monitor's record with them, libxl's stored config */
    xb__xs_domain_remove(b->ctx->xs, berr(b), b->domid);
    xb__userdata_remove(b->ctx, berr(b), b->domid, b->uuid);
    bhv(b)->ops->domain_destroy(bhv(b), berr(b), b->domid);
    b->domid = DOMID_NONE;
}

static void build_free(struct build *b)
{
    xb_image_free(b->own_img);
    xb_image_free(b->shim_img);
    free(b->ramdisk);
    free(b->p2m);
}

static struct build build_init(struct xb_ctx *ctx, const struct xb_spec *spec,
                               const struct xb_create_opts *opts)
{
    return (struct build){
        .ctx = ctx,
        .spec = spec,
        .opts = opts ? *opts : (struct xb_create_opts){0},
        .domid = DOMID_NONE,
    };
}

/* ---- the flows ---- */

static const char *const phase_names[XB_PHASE_COUNT] = {
    [XB_PHASE_LOAD] = "load",       [XB_PHASE_CHECKS] = "checks",
    [XB_PHASE_DOMAIN] = "domain",   [XB_PHASE_POPULATE] = "populate",
    [XB_PHASE_BUILD] = "build",     [XB_PHASE_XENSTORE] = "xenstore",
    [XB_PHASE_UNPAUSE] = "unpause",
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
                   const struct xb_create_opts *opts, bool restart, uint32_t *domid)
{
    struct build b = build_init(ctx, spec, opts);
    int rc;

    b.restart = restart;
    b.lap_ns = b.opts.timings ? now_ns() : 0;
    rc = plan(&b); /* spec, kernel, ramdisk, layout */
    lap(&b, XB_PHASE_LOAD, rc);
    if (!rc)
        rc = check_host(&b); /* nothing exists yet: guest type, free memory */
    if (!rc)
        rc = check_free(&b);
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
        rc = build_guest(&b); /* PV or PVH: start of day, vCPU 0 */
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
    return xb__dom_create(ctx, spec, opts, false, domid);
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
