/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/shim.c - which PV shim runs a PV kernel that this Xen
 * cannot run natively (Xen's own, a small Xen built as a PVH guest that
 * runs one PV guest inside it: docs/misc/pvh.pandoc, xl.cfg(5) pvshim).
 * xl takes the shim only when told (type "pvh", pvshim = 1); xbuild also
 * when a PV kernel's kind is missing from Xen's capabilities.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "shim.h"

#define SHIM_UPSTREAM "/usr/lib/xen/boot/xen-shim"
#define SHIM_DEBIAN   "/usr/lib/xen-%u.%u/boot/xen-shim"
#define SHIM_ANY      "/usr/lib/xen-*/boot/xen-shim"

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int found(char *out, size_t size, const char *path)
{
    return snprintf(out, size, "%s", path) < (int)size ? 0 : -ENAMETOOLONG;
}

/* @root + @path into @buf (@size bytes); false when too long. */
static bool rooted(char *buf, size_t size, const char *root, const char *path)
{
    int n = snprintf(buf, size, "%s%s", root ? root : "", path);

    return n > 0 && (size_t)n < size;
}

/* The newest of Debian's versioned shims (glob sorts: 4.17 after 4.16). */
static bool newest_debian(const char *root, char *out, size_t size)
{
    char pattern[4096];
    glob_t g;
    bool ok = false;

    if (rooted(pattern, sizeof(pattern), root, SHIM_ANY) &&
        glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = g.gl_pathc; i > 0 && !ok; i--)
            ok = is_file(g.gl_pathv[i - 1]) && found(out, size, g.gl_pathv[i - 1]) == 0;
        globfree(&g);
    }
    return ok;
}

int xb__shim_find(const struct xb_shim_where *w, char *out, size_t size,
                  struct xb_err *err)
{
    char debian[64], path[4096];

    if (w->path)
        return found(out, size, w->path)
                   ? xb_err_set(err, -ENAMETOOLONG, "pvshim_path: too long")
                   : 0;
    snprintf(debian, sizeof(debian), SHIM_DEBIAN, w->xen_major, w->xen_minor);
    if (w->xen_major && rooted(path, sizeof(path), w->root, debian) && is_file(path))
        return found(out, size, path);
    if (newest_debian(w->root, out, size))
        return 0;
    if (rooted(path, sizeof(path), w->root, SHIM_UPSTREAM) && is_file(path))
        return found(out, size, path);
    if (w->xen_major)
        return xb_err_set(err, -ENOENT,
                          "no PV shim installed (none at %s or " SHIM_UPSTREAM
                          "): install Debian's xen-utils-%u.%u, which ships it, or name "
                          "one with type = \"pvh\", pvshim = 1, pvshim_path",
                          debian, w->xen_major, w->xen_minor);
    return xb_err_set(err, -ENOENT,
                      "no PV shim installed (none at " SHIM_ANY " or " SHIM_UPSTREAM
                      "): install Xen's tools (Debian: xen-utils-X.Y, which ships it) "
                      "or set pvshim_path");
}
