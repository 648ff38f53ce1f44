/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/loop.c - loop devices for file: disks, with the kernel's
 * own interface (no losetup, no hotplug script): a free device from
 * /dev/loop-control (LOOP_CTL_GET_FREE), bound to the image with
 * LOOP_CONFIGURE (LOOP_SET_FD + LOOP_SET_STATUS64 before Linux 5.8),
 * read-only when the disk is. It stays bound, as the block script's
 * losetup binds it, until the domain's teardown detaches it (xbuild's, or
 * xl's block script remove with losetup -d) once blkback has let go of it:
 * a detach while blkback still holds it makes the kernel clear it when
 * blkback closes it (LOOP_CLR_FD sets LO_FLAGS_AUTOCLEAR then).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"

#define LOOP_CONTROL    "/dev/loop-control"
#define LOOP_TRIES      16  /* another process may take the free device first */
#define NODE_WAIT_MS    200 /* devtmpfs makes a new /dev/loopN shortly after */
#define RELEASE_STEP_MS 5

void xb__sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Open @dev, waiting a little for devtmpfs to create the node. */
static int open_node(const char *dev, int flags)
{
    int fd = -1;

    for (unsigned waited = 0; waited <= NODE_WAIT_MS; waited++) {
        fd = open(dev, flags | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT)
            break;
        xb__sleep_ms(1);
    }
    return fd < 0 ? -errno : fd;
}

static void set_name(__u8 field[LO_NAME_SIZE], const char *path)
{
    size_t n = strlen(path);

    if (n >= LO_NAME_SIZE)
        n = LO_NAME_SIZE - 1; /* the name is for losetup -a; the binding is by fd */
    memcpy(field, path, n);
    field[n] = '\0';
}

/* Bind @file to the loop device open as @fd: -EBUSY when someone was faster. */
static int configure(int fd, int file, const char *path, bool readonly)
{
    struct loop_config c = {
        .fd = (__u32)file,
        .info = {.lo_flags = readonly ? LO_FLAGS_READ_ONLY : 0},
    };
    struct loop_info64 info = {0};
    int e;

    set_name(c.info.lo_file_name, path);
    if (ioctl(fd, LOOP_CONFIGURE, &c) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOTTY)
        return -errno;
    if (ioctl(fd, LOOP_SET_FD, file) != 0) /* before Linux 5.8 */
        return -errno;
    set_name(info.lo_file_name, path);
    if (ioctl(fd, LOOP_SET_STATUS64, &info) == 0)
        return 0;
    e = errno;
    ioctl(fd, LOOP_CLR_FD, 0);
    return -e;
}

/* One free device bound to @file: its fd, or -errno (-EBUSY: try another). */
static int bind_free(struct xb_err *err, int ctl, int file, const char *path,
                     bool readonly, struct xb_loop *loop)
{
    int n = ioctl(ctl, LOOP_CTL_GET_FREE), fd, rc;

    if (n < 0)
        return xb_err_set(err, -errno, "no free loop device: %s", strerror(errno));
    snprintf(loop->dev, sizeof(loop->dev), "/dev/loop%d", n);
    fd = open_node(loop->dev, readonly ? O_RDONLY : O_RDWR);
    if (fd < 0)
        return xb_err_set(err, fd, "%s: %s", loop->dev, strerror(-fd));
    rc = configure(fd, file, path, readonly);
    if (rc) {
        close(fd);
        return rc == -EBUSY ? rc
                            : xb_err_set(err, rc, "%s: bind %s: %s", loop->dev, path,
                                         strerror(-rc));
    }
    return fd;
}

int xb__loop_attach(struct xb_err *err, const char *path, bool readonly,
                    struct xb_loop *loop)
{
    int file = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC), ctl, fd = -EBUSY;
    struct stat st;

    loop->fd = -1;
    if (file < 0)
        return xb_err_set(err, -errno, "%s: %s", path, strerror(errno));
    ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
    if (ctl < 0) {
        fd = xb_err_set(err, -errno, LOOP_CONTROL ": %s (is the loop module loaded?)",
                        strerror(errno));
        close(file);
        return fd;
    }
    for (int i = 0; i < LOOP_TRIES && fd == -EBUSY; i++)
        fd = bind_free(err, ctl, file, path, readonly, loop);
    close(ctl);
    close(file); /* the loop device holds its own reference to the file */
    if (fd == -EBUSY)
        return xb_err_set(err, fd, "no loop device stayed free in %d tries", LOOP_TRIES);
    if (fd < 0)
        return fd;
    fstat(fd, &st);
    loop->major = major(st.st_rdev);
    loop->minor = minor(st.st_rdev);
    loop->fd = fd;
    return 0;
}

void xb__loop_put(struct xb_loop *loop)
{
    if (loop->fd >= 0)
        close(loop->fd);
    loop->fd = -1;
}

void xb__loop_free(struct xb_loop *loop)
{
    if (loop->fd >= 0)
        ioctl(loop->fd, LOOP_CLR_FD, 0); /* busy: cleared with its last user */
    xb__loop_put(loop);
}

/* "/dev/loopN": N, or -1 for anything else (the node name came from xenstore). */
static int loop_number(const char *dev)
{
    unsigned n = 0;
    const char *p = dev + strlen("/dev/loop");

    if (strncmp(dev, "/dev/loop", strlen("/dev/loop")) != 0 || !*p || strlen(p) > 6)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (unsigned)(*p - '0');
    }
    return (int)n;
}

static bool bound(int n)
{
    char p[64];

    snprintf(p, sizeof(p), "/sys/block/loop%d/loop/backing_file", n);
    return access(p, F_OK) == 0;
}

int xb__loop_release(struct xb_err *err, const char *dev, int timeout_ms)
{
    int n = loop_number(dev), fd;

    if (n < 0)
        return xb_err_set(err, -EINVAL, "\"%s\" is not a loop device", dev);
    fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENXIO
                   ? 0
                   : xb_err_set(err, -errno, "%s: %s", dev, strerror(errno));
    /* held elsewhere: the kernel sets LO_FLAGS_AUTOCLEAR and returns 0 */
    if (ioctl(fd, LOOP_CLR_FD, 0) != 0 && errno != ENXIO) {
        int e = errno;

        close(fd);
        return xb_err_set(err, -e, "%s: detach: %s", dev, strerror(e));
    }
    close(fd);
    for (int waited = 0; bound(n); waited += RELEASE_STEP_MS) {
        if (waited >= timeout_ms)
            return xb_err_set(err, -ETIMEDOUT,
                              "%s: still in use %d ms after its backend went away", dev,
                              timeout_ms);
        xb__sleep_ms(RELEASE_STEP_MS);
    }
    return 0;
}

int xb__loop_backing(unsigned major, unsigned minor, uint64_t *dev, uint64_t *ino)
{
    char p[96], file[4096];
    struct stat st;
    ssize_t len;
    int fd;

    snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/loop/backing_file", major, minor);
    fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -ENOENT;
    len = read(fd, file, sizeof(file) - 1);
    close(fd);
    if (len <= 0)
        return -ENOENT;
    file[len] = '\0';
    file[strcspn(file, "\n")] = '\0';
    if (stat(file, &st) != 0) /* deleted: " (deleted)" follows the name */
        return -ENOENT;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}
