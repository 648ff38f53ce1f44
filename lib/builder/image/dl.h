/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/dl.h - shared libraries opened when first needed
 * (dlopen) rather than at every exec: the decompression libraries (a
 * kernel already decompressed, in xbuild's cache or not compressed at
 * all, needs none) and libxenguest (save, restore and migration only).
 * Every exec of xbuild would otherwise map and relocate them: 7 of its 18
 * objects. The package depends on them as if linked (debian/control).
 */
#ifndef XB_IMAGE_DL_H
#define XB_IMAGE_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <xbuild/error.h>

/*
 * One library: its soname, the Debian package that has it (for the
 * message), the names of the functions wanted, and where their addresses
 * go: @fns points at a struct of exactly @n function pointers, in the
 * order of @names.
 */
struct xb_dl {
    const char *soname, *package, *const *names;
    size_t n;
    void *fns;
    /* state, zero to start: */
    pthread_mutex_t lock;
    bool tried;
    int rc;
    char why[200];
};

#define XB_DL_INIT(so, pkg, names_, fns_)                                                \
    {                                                                                    \
        .soname = (so), .package = (pkg), .names = (names_),                             \
        .n = sizeof(names_) / sizeof((names_)[0]), .fns = (fns_),                        \
        .lock = PTHREAD_MUTEX_INITIALIZER                                                \
    }

/*
 * Open @l once (the library stays loaded): 0, or -ENOSYS with "@what:
 * cannot load SONAME (install PACKAGE): WHY" in @err, every time it is asked.
 */
int xb__dl_need(struct xb_dl *l, struct xb_err *err, const char *what);

#endif
