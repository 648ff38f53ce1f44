/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/vbd.c - virtual disks served by dom0's blkback.
 *
 * What xl's "block" hotplug script does, in process: a file target gets a
 * loop device (read-only for access r), a block device is used as given;
 * the device is refused when it is attached writable to another domain (or
 * writable here while attached elsewhere), or asked writable while the
 * file is read-only. Then the nodes xl writes (libxl's device_disk_add),
 * plus the script's own (physical-device, physical-device-path, node) in
 * the same transaction, so blkback opens the device as soon as it probes.
 * Done when blkback holds it: its sysfs says so (hv/host.h: vbd_opened);
 * then "hotplug-status" is "connected" and the builder drops its hold on
 * the loop device; the domain's teardown detaches it (xbuild's, or xl's
 * block script remove, from "node").
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "xenbus.h"

#define XEN_SCRIPT_DIR "/etc/xen/scripts"
#define BLOCK_SCRIPT   XEN_SCRIPT_DIR "/block"
#define VBD            "vbd"

/* "FILE:LINE:COL: disk N, FIELD: " + the message, in @err. */
__attribute__((format(printf, 4, 5))) static int
refuse(struct xb_err *err, const struct xb_vbd *v, int rc, const char *fmt, ...)
{
    char where[320], msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xb_err_set(err, rc, "%s: disk %zu%s", xb__pos_str(&v->disk->pos, where),
                      v->index + 1, msg);
}

/* What blkback in dom0 can serve; the rest needs qemu or a driver domain. */
static int check_served(struct xb_err *err, const struct xb_vbd *v)
{
    const struct xb_disk *d = v->disk;

    if (d->backend)
        return refuse(err, v, -ENOTSUP,
                      ", backend: \"%s\": driver domains are not supported; dom0's "
                      "blkback serves every disk",
                      d->backend);
    if (d->backendtype && strcmp(d->backendtype, "phy") != 0)
        return refuse(err, v, -ENOTSUP,
                      ", backendtype: %s needs %s; xbuild serves disks with dom0's "
                      "kernel blkback (backendtype=phy)",
                      d->backendtype,
                      strcmp(d->backendtype, "tap") == 0 ? "blktap" : "qemu");
    if (!d->target || (d->format && strcmp(d->format, "empty") == 0))
        return refuse(err, v, -ENOTSUP,
                      ", target: an empty cdrom drive needs qemu's qdisk backend; give "
                      "the cdrom an image (blkback serves files and block devices)");
    if (d->format && strcmp(d->format, "raw") != 0)
        return refuse(err, v, -ENOTSUP,
                      ", format: %s images need qemu's qdisk backend; blkback serves raw "
                      "images (qemu-img convert -O raw)",
                      d->format);
    if (d->script && strcmp(d->script, "block") != 0 &&
        strcmp(d->script, BLOCK_SCRIPT) != 0)
        return refuse(err, v, -ENOTSUP,
                      ", script: xbuild runs no hotplug scripts (it does what \"block\" "
                      "does itself); %s is not supported",
                      d->script);
    return 0;
}

/*
 * A relative target that names a regular file from the current folder is
 * that file, made absolute (lib/config resolves file targets against the
 * configuration's folder, itself relative when the file was named so; the
 * backend's nodes and the monitor, which runs in /, need the whole path).
 * Any other relative target is a device in /dev, as the block script
 * expands relative phy: targets.
 */
static char *device_path(const char *target)
{
    struct stat st;
    char *p = NULL;

    if (target[0] == '/')
        return strdup(target);
    if (stat(target, &st) == 0 && S_ISREG(st.st_mode) && (p = realpath(target, NULL)))
        return p;
    return asprintf(&p, "/dev/%s", target) < 0 ? NULL : p;
}

static int check_file(struct xb_err *err, struct xb_vbd *v, const struct stat *st)
{
    struct statvfs fs;

    v->file = true;
    v->st_dev = st->st_dev;
    v->st_ino = st->st_ino;
    if (v->readonly)
        return 0;
    if ((st->st_mode & 0222) == 0)
        return refuse(err, v, -EROFS,
                      ", access: %s is read-only (mode %04o) and cannot be attached "
                      "writable: give access r, or make it writable",
                      v->path, (unsigned)(st->st_mode & 07777));
    if (statvfs(v->path, &fs) == 0 && (fs.f_flag & ST_RDONLY))
        return refuse(err, v, -EROFS,
                      ", access: %s is on a read-only file system: give access r",
                      v->path);
    return 0;
}

static int check_target(struct xb_err *err, struct xb_vbd *v)
{
    struct stat st;
    char *real;

    v->path = device_path(v->disk->target);
    if (!v->path)
        return xb_err_set(err, -ENOMEM, "disk: out of memory");
    if (stat(v->path, &st) != 0)
        return refuse(err, v, -errno, ", target: %s: %s", v->path, strerror(errno));
    if (S_ISREG(st.st_mode))
        return check_file(err, v, &st);
    if (!S_ISBLK(st.st_mode))
        return refuse(err, v, -EINVAL,
                      ", target: %s is neither a file nor a block device", v->path);
    v->major = major(st.st_rdev);
    v->minor = minor(st.st_rdev);
    real = realpath(v->path, NULL); /* physical-device-path: the device itself */
    if (real) {
        free(v->path);
        v->path = real;
    }
    return 0;
}

/* ---- already attached elsewhere? (the block script's check_sharing) ---- */

struct attached {
    uint32_t domid, devid;
    bool writable;
};

static char *read_be(struct xb_ctx *ctx, uint32_t domid, uint32_t devid, const char *leaf)
{
    return xb__dev_get(ctx->xs, VBD, domid, devid, leaf);
}

/* Whether backend @a serves the same file or device as @v. */
static bool same_device(struct xb_ctx *ctx, const struct xb_vbd *v,
                        const struct attached *a)
{
    char *pd = read_be(ctx, a->domid, a->devid, "physical-device");
    char *params = pd ? NULL : read_be(ctx, a->domid, a->devid, "params");
    unsigned major, minor;
    uint64_t dev, ino;
    struct stat st;
    bool same = false;

    if (pd && sscanf(pd, "%x:%x", &major, &minor) == 2) {
        if (!v->file)
            same = major == v->major && minor == v->minor;
        else if (ctx->host->ops->loop_backing(ctx->host, NULL, major, minor, &dev,
                                              &ino) == 0)
            same = dev == v->st_dev && ino == v->st_ino;
    } else if (params && stat(params, &st) == 0) { /* its hotplug has not run yet */
        same = v->file ? st.st_dev == v->st_dev && st.st_ino == v->st_ino
                       : S_ISBLK(st.st_mode) && st.st_rdev == makedev(v->major, v->minor);
    }
    free(pd);
    free(params);
    return same;
}

static int refuse_shared(struct xb_ctx *ctx, const struct xb_vbd *v,
                         const struct attached *a)
{
    char p[64], *name = NULL, *dev = read_be(ctx, a->domid, a->devid, "dev");
    int rc;

    snprintf(p, sizeof(p), "/local/domain/%u/name", a->domid);
    ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, p, &name, NULL);
    rc = refuse(&ctx->err, v, -EBUSY,
                ", target: %s is already attached %sto domain %u (\"%s\", as %s)%s",
                v->path, a->writable ? "writable " : "", a->domid, name ? name : "?",
                dev ? dev : "?",
                a->writable ? ": one domain at a time may write a disk"
                            : " and cannot be attached writable here too (access r can)");
    free(name);
    free(dev);
    return rc;
}

/* Every vbd backend of domain @domid but @self's against @v. */
static int check_domain(struct xb_ctx *ctx, const struct xb_vbd *v, uint32_t domid)
{
    char p[64], **devs = NULL;
    size_t n = 0;
    int rc;

    snprintf(p, sizeof(p), "/local/domain/0/backend/" VBD "/%u", domid);
    rc = ctx->xs->ops->directory(ctx->xs, &ctx->err, XB_XS_NO_TX, p, &devs, &n);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; i < n; i++) {
        struct attached a = {.domid = domid,
                             .devid = (uint32_t)strtoul(devs[i], NULL, 10)};
        char *mode = rc ? NULL : read_be(ctx, domid, a.devid, "mode");

        a.writable = mode && strchr(mode, 'w');
        if (!rc && (a.writable || !v->readonly) && same_device(ctx, v, &a))
            rc = refuse_shared(ctx, v, &a);
        free(mode);
        free(devs[i]);
    }
    free(devs);
    return rc;
}

/* Whether domain @domid is the one named @mover (a migration's source). */
static bool is_mover(struct xb_ctx *ctx, uint32_t domid, const char *mover)
{
    char p[64], *name = NULL;
    bool is;

    if (!mover)
        return false;
    snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
    ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, p, &name, NULL);
    is = name && strcmp(name, mover) == 0;
    free(name);
    return is;
}

static int check_sharing(struct xb_ctx *ctx, const struct xb_vbd *v, uint32_t self,
                         const char *mover)
{
    char **doms = NULL;
    size_t n = 0;
    int rc = ctx->xs->ops->directory(ctx->xs, &ctx->err, XB_XS_NO_TX,
                                     "/local/domain/0/backend/" VBD, &doms, &n);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; i < n; i++) {
        uint32_t domid = (uint32_t)strtoul(doms[i], NULL, 10);

        if (!rc && domid != self && !is_mover(ctx, domid, mover))
            rc = check_domain(ctx, v, domid);
        free(doms[i]);
    }
    free(doms);
    return rc;
}

int xb__vbd_check(struct xb_ctx *ctx, struct xb_vbd *v, uint32_t self, const char *mover)
{
    int rc = check_served(&ctx->err, v);

    v->loop.fd = -1;
    v->readonly = v->disk->readonly;
    if (!rc)
        rc = check_target(&ctx->err, v);
    return rc ? rc : check_sharing(ctx, v, self, mover);
}

/* ---- setting it up ---- */

int xb__vbd_prepare(struct xb_ctx *ctx, struct xb_vbd *v)
{
    int rc;

    if (!v->file)
        return 0;
    rc = ctx->host->ops->loop_attach(ctx->host, NULL, v->path, v->readonly, &v->loop);
    if (rc)
        return refuse(&ctx->err, v, rc, " (%s): no loop device for %s: %s", v->disk->vdev,
                      v->path, strerror(-rc));
    v->major = v->loop.major;
    v->minor = v->loop.minor;
    return 0;
}

void xb__vbd_nodes(const struct xb_vbd *v, uint32_t domid, const char *protocol,
                   struct xb_dev *out)
{
    const struct xb_disk *d = v->disk;
    const char *type = d->cdrom ? "cdrom" : "disk";

    *out = (struct xb_dev){.kind = VBD, .domid = domid, .devid = d->devid};
    xb__kv_add(&out->back, "params", "%s", v->path);
    xb__kv_add(&out->back, "script", "%s", BLOCK_SCRIPT);
    xb__kv_add(&out->back, "frontend-id", "%u", domid);
    xb__kv_add(&out->back, "online", "1");
    xb__kv_add(&out->back, "removable", "%d", d->cdrom ? 1 : 0);
    xb__kv_add(&out->back, "bootable", "1");
    xb__kv_add(&out->back, "state", "%d", XB_XENBUS_INITIALISING);
    xb__kv_add(&out->back, "dev", "%s", d->vdev);
    xb__kv_add(&out->back, "type", "phy");
    xb__kv_add(&out->back, "mode", "%s", v->readonly ? "r" : "w");
    xb__kv_add(&out->back, "device-type", "%s", type);
    if (d->direct_io_safe)
        xb__kv_add(&out->back, "direct-io-safe", "1");
    xb__kv_add(&out->back, "discard-enable", "%d", d->discard ? 1 : 0);
    xb__kv_add(&out->back, "specification", "xen");
    if (v->file)
        xb__kv_add(&out->hot, "node", "%s", v->loop.dev);
    xb__kv_add(&out->hot, "physical-device", "%x:%x", v->major, v->minor);
    xb__kv_add(&out->hot, "physical-device-path", "%s", v->file ? v->loop.dev : v->path);
    xb__kv_add(&out->front, "backend-id", "0");
    xb__kv_add(&out->front, "state", "%d", XB_XENBUS_INITIALISING);
    xb__kv_add(&out->front, "virtual-device", "%u", d->devid);
    xb__kv_add(&out->front, "device-type", "%s", type);
    xb__kv_add(&out->front, "trusted", "1"); /* the backend: dom0, which is trusted */
    if (protocol)
        xb__kv_add(&out->front, "protocol", "%s", protocol);
}

/* blkback gave up (xenbus_dev_fatal): its own words. */
static int failed(struct xb_ctx *ctx, const struct xb_vbd *v, uint32_t domid, int state)
{
    char *why = xb__dev_error(ctx->xs, VBD, domid, v->disk->devid);
    int rc =
        refuse(&ctx->err, v, -EIO, " (%s): blkback refused %s (backend state %d%s%s)%s",
               v->disk->vdev, v->file ? v->loop.dev : v->path, state, why ? ": " : "",
               why ? why : "", v->readonly ? "" : "; is it in use or read-only in dom0?");

    free(why);
    return rc;
}

int xb__vbd_poll(struct xb_ctx *ctx, struct xb_vbd *v, uint32_t domid)
{
    int state = xb__dev_state(ctx->xs, VBD, domid, v->disk->devid), rc;

    if (v->done || state < XB_XENBUS_INITWAIT)
        return 0;
    if (state >= XB_XENBUS_CLOSING)
        return failed(ctx, v, domid, state);
    rc = ctx->host->ops->vbd_opened(ctx->host, &ctx->err, domid, v->disk->devid);
    if (rc <= 0)
        return rc;
    rc = xb__dev_set(ctx->xs, &ctx->err, VBD, domid, v->disk->devid, "hotplug-status",
                     "connected");
    if (rc)
        return rc;
    ctx->host->ops->loop_put(ctx->host, &v->loop); /* blkback holds it now */
    v->done = true;
    return 0;
}

void xb__vbd_waiting(struct xb_ctx *ctx, const struct xb_vbd *v, uint32_t domid,
                     unsigned ms)
{
    int state = xb__dev_state(ctx->xs, VBD, domid, v->disk->devid);

    if (state < XB_XENBUS_INITWAIT)
        refuse(&ctx->err, v, -ETIMEDOUT,
               " (%s): no backend came up within %u ms (state %d): is dom0's xen-blkback "
               "loaded?",
               v->disk->vdev, ms, state);
    else
        refuse(&ctx->err, v, -ETIMEDOUT,
               " (%s): blkback did not open %s within %u ms (backend state %d)",
               v->disk->vdev, v->file ? v->loop.dev : v->path, ms, state);
}

void xb__vbd_undo(struct xb_ctx *ctx, struct xb_vbd *v)
{
    ctx->host->ops->loop_free(ctx->host, &v->loop); /* still ours: the create failed */
}

void xb__vbd_free(struct xb_vbd *v)
{
    free(v->path);
    v->path = NULL;
}
