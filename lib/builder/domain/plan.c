/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/plan.c - the part of a create that needs no domain:
 * the spec checked, the kernel and ramdisk read, the guest type and the
 * layout worked out, then checked against the host (its capabilities, the
 * PV shim when it lacks the kernel's PV kind, its free memory).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xbuild/builder.h>

#include "../../config/unsupported.h"
#include "../layout/layout.h"
#include "build.h"
#include "shim.h"

#define RAMDISK_MAX (1ull << 30)

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
    if (!s->kernel && !b->opts.image && !b->restore)
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
const char *xb__build_cmdline(const struct build *b)
{
    if (!b->pv_img)
        return b->spec->cmdline;
    return b->spec->pvshim_cmdline ? b->spec->pvshim_cmdline : XB_SHIM_CMDLINE;
}

static int plan_pvh_layout(struct build *b)
{
    const struct xb_image *img = b->img;
    const char *cmdline = xb__build_cmdline(b);
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
/*
 * A restore: the guest type is the spec's, PV (its width comes in the
 * stream) or PVH (the PV shim's domain too); the memory comes from the
 * stream, and the kernel is only named, for a later reboot.
 */
static int plan_restore(struct build *b)
{
    bool pvh = b->spec->type == XB_DOMTYPE_PVH || b->spec->pvshim;

    b->guest = pvh ? XB_GUEST_PVH : XB_GUEST_PV64;
    b->lo.guest_type = pvh ? "hvm-3.0-x86_32" : "xen-3.0-x86_64";
    b->lo.total_pages = b->spec->memory_mib << (20 - XB_PAGE_SHIFT);
    return 0;
}

int xb__build_plan(struct build *b)
{
    int rc = check_spec(b);

    if (b->restore)
        return rc ? rc : plan_restore(b);

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
    if (b->restore)
        return xb_err_set(berr(b), -EOPNOTSUPP,
                          "type: the saved domain is a %s guest but this Xen %u.%u "
                          "only runs \"%s\"",
                          b->lo.guest_type, b->host.xen_major, b->host.xen_minor, caps);
    snprintf(
        why, sizeof(why), "kernel: %s is a %s guest but this Xen %u.%u only runs \"%s\"",
        kernel_name(b), b->lo.guest_type, b->host.xen_major, b->host.xen_minor, caps);
    return auto_shim(b, why);
}

/*
 * Can this Xen run the guest type (or the PV shim run it)? Notes the
 * host's free memory for check_free().
 */
int xb__build_check_host(struct build *b)
{
    int rc = bhv(b)->ops->physinfo(bhv(b), berr(b), &b->host);

    if (rc)
        b->host = (struct xb_hv_physinfo){0};

    return rc ? rc : check_caps(b);
}

/* Enough free memory on the host for the domain (Xen checks again). */
int xb__build_check_free(struct build *b)
{
    if (b->lo.total_pages <= b->host.free_pages)
        return 0;
    return xb_err_set(berr(b), -ENOMEM,
                      "memory: %" PRIu64 " MiB asked but the host has "
                      "only %" PRIu64 " MiB free",
                      b->spec->memory_mib, pages_to_mib(b->host.free_pages));
}
