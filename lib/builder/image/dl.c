/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/dl.c - xb__dl_need() (dl.h): dlopen once, dlsym each
 * function, remember the outcome.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dl.h"

static int load(struct xb_dl *l)
{
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    const char *e;

    if (!h) {
        e = dlerror();
        snprintf(l->why, sizeof(l->why), "%s", e ? e : "not found");
        return -ENOSYS;
    }
    for (size_t i = 0; i < l->n; i++) {
        void *f;

        dlerror();
        f = dlsym(h, l->names[i]);
        if (!f) {
            snprintf(l->why, sizeof(l->why), "no %s in it", l->names[i]);
            dlclose(h);
            return -ENOSYS;
        }
        memcpy((char *)l->fns + i * sizeof(f), &f, sizeof(f)); /* a struct of pointers */
    }
    return 0;
}

int xb__dl_need(struct xb_dl *l, struct xb_err *err, const char *what)
{
    int rc;

    pthread_mutex_lock(&l->lock);
    if (!l->tried) {
        l->rc = load(l);
        l->tried = true;
    }
    rc = l->rc;
    pthread_mutex_unlock(&l->lock);
    if (rc)
        return xb_err_set(err, rc, "%s: cannot load %s (install %s): %s", what, l->soname,
                          l->package, l->why);
    return 0;
}
