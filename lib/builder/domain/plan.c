/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/plan.c - the first half of a create, which needs no
 * hypervisor (xb_domain_plan() runs it alone): the spec checked, the
 * bootloader run, the kernel loaded and its guest type chosen (PV, PVH,
 * a PV kernel in the PV shim), the ramdisk read, the layout computed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../config/unsupported.h"
#include "../guest/pvh.h"
#include "../layout/layout.h"
#include "build.h"
#include "shim.h"

#define RAMDISK_MAX (1ull << 30)

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

const char *xb__kernel_name(const struct build *b)
{
    return b->kernel ? b->kernel : "image";
}

static int pick_pvh(struct build *b)
{
    if (b->img->guest_types & XB_GUEST_PVH) {
        b->guest = XB_GUEST_PVH;
        return 0;
    }
    return xb_err_set(berr(b), -ENOEXEC, "kernel: %s is not a PVH kernel (%s)%s",
                      xb__kernel_name(b), b->img->not_pvh,
                      b->img->guest_types ? "; it is a PV kernel: set type = \"pv\", or "
                                            "pvshim = 1 to run it in the PV shim"
                                          : "");
}

/*
 * Run the PV kernel in the PV shim at @path (NULL: the installed one): the
 * shim becomes the PVH kernel, the PV kernel its first module.
 */
int xb__use_shim(struct build *b, const char *path)
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
                          b->kernel ? b->kernel : "image",
                          types & XB_GUEST_PVH ? "; it boots as PVH: set type = \"pvh\""
                                               : "");
    return b->spec->pvshim ? xb__use_shim(b, b->spec->pvshim_path) : 0;
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

/* The kernel's command line: the shim's own when the guest runs in the shim. */
const char *xb__kernel_cmdline(const struct build *b)
{
    if (!b->pv_img)
        return b->cmdline;
    return b->spec->pvshim_cmdline ? b->spec->pvshim_cmdline : XB_SHIM_CMDLINE;
}

static int plan_pvh_layout(struct build *b)
{
    const struct xb_image *img = b->img;
    const char *cmdline = xb__kernel_cmdline(b);
    struct xb_pvh_layout_in in = {
        .kstart = img->pstart,
        .kend = img->pend,
        .entry = img->notes.phys32_entry,
        .cmdline_len = cmdline ? strlen(cmdline) : 0,
        .total_pages = b->spec->memory_mib << (20 - XB_PAGE_SHIFT),
        .acpi = b->spec->acpi,
        .vcpus = b->spec->vcpus,
        .max_vcpus = b->spec->maxvcpus,
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

int xb__plan_layout(struct build *b)
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

/* The files loaded, for the record (the bootloader's are gone soon after). */
static int keep_paths(struct build *b)
{
    if (b->kernel && !(b->kernel_path = strdup(b->kernel)))
        return xb_err_set(berr(b), -ENOMEM, "kernel: out of memory");
    if (b->ramdisk && !(b->ramdisk_path = strdup(b->ramdisk)))
        return xb_err_set(berr(b), -ENOMEM, "ramdisk: out of memory");
    return 0;
}

/* Everything that needs no hypervisor: the spec, the kernel and ramdisk, the layout. */
int xb__plan(struct build *b)
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
    if (!rc)
        rc = keep_paths(b);
    if (b->boot.dir) { /* read (or failed): its files go now */
        b->kernel = b->ramdisk = NULL;
        xb__boot_clean_files(&b->boot);
    }
    if (!rc)
        rc = xb__plan_layout(b);
    return rc;
}
