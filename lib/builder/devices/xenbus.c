/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/xenbus.c - a device's xenstore nodes with the
 * permissions xl gives them (libxl__device_generic_add): the frontend
 * directory and each of its nodes owned by the guest and readable by the
 * backend domain; the backend directory owned by the backend domain and
 * readable by the guest, its nodes inheriting that; the toolstack's copy
 * under /libxl/DOMID (dom0 only, inherited). Every device of a create goes
 * in one transaction, so the backends all probe at once. The frontend
 * nodes the guest must not change (a vif's mtu) are dom0's, the guest
 * reading them, as libxl's ro_front.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/nodes.h"
#include "xenbus.h"

#define BACKEND_DOMID 0

void xb__kv_add(struct xb_kvs *k, const char *key, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (k->n == XB_DEV_KV_MAX || strlen(key) >= sizeof(k->e[0].key)) {
        k->overflow = true;
        return;
    }
    snprintf(k->e[k->n].key, sizeof(k->e[k->n].key), "%s", key);
    va_start(ap, fmt);
    n = vsnprintf(k->e[k->n].val, sizeof(k->e[k->n].val), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(k->e[k->n].val))
        k->overflow = true;
    k->n++;
}

void xb__dev_path(const char *kind, uint32_t domid, uint32_t devid, char fe[XB_DEV_PATH],
                  char be[XB_DEV_PATH], char lx[XB_DEV_PATH])
{
    if (fe)
        snprintf(fe, XB_DEV_PATH, "/local/domain/%u/device/%s/%u", domid, kind, devid);
    if (be)
        snprintf(be, XB_DEV_PATH, "/local/domain/%u/backend/%s/%u/%u", BACKEND_DOMID,
                 kind, domid, devid);
    if (lx)
        snprintf(lx, XB_DEV_PATH, "/libxl/%u/device/%s/%u", domid, kind, devid);
}

const char *xb__pos_str(const struct xb_pos *pos, char buf[320])
{
    snprintf(buf, 320, "%s:%u:%u", pos->file ? pos->file : "config", pos->line, pos->col);
    return buf;
}

struct tx {
    struct xb_xs *xs;
    struct xb_err *err;
    uint32_t t;
};

static int put(const struct tx *x, const char *dir, const char *key, const char *val)
{
    char p[XB_DEV_PATH + 40];

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return x->xs->ops->write(x->xs, x->err, x->t, p, val, strlen(val));
}

static int perms(const struct tx *x, const char *path, uint32_t owner, uint32_t reader)
{
    const struct xb_xs_perm p[2] = {{.domid = owner, .perms = XB_XS_PERM_NONE},
                                    {.domid = reader, .perms = XB_XS_PERM_READ}};

    return x->xs->ops->set_perms(x->xs, x->err, x->t, path, p, 2);
}

/* rm, mkdir, permissions: a fresh directory. */
static int fresh_dir(const struct tx *x, const char *path, uint32_t owner,
                     uint32_t reader)
{
    int rc = x->xs->ops->rm(x->xs, x->err, x->t, path);

    if (rc && rc != -ENOENT)
        return rc;
    rc = x->xs->ops->mkdir(x->xs, x->err, x->t, path);
    return rc ? rc : perms(x, path, owner, reader);
}

/* The nodes of @k under @dir; with @own, each gets @owner/@reader (else inherits). */
static int put_all(const struct tx *x, const char *dir, const struct xb_kvs *k, bool own,
                   uint32_t owner, uint32_t reader)
{
    char p[XB_DEV_PATH + 40];
    int rc = 0;

    for (size_t i = 0; !rc && i < k->n; i++) {
        rc = put(x, dir, k->e[i].key, k->e[i].val);
        snprintf(p, sizeof(p), "%s/%s", dir, k->e[i].key);
        if (!rc && own)
            rc = perms(x, p, owner, reader);
    }
    return rc;
}

static int write_one(const struct tx *x, const struct xb_dev *d)
{
    char fe[XB_DEV_PATH], be[XB_DEV_PATH], lx[XB_DEV_PATH];
    int rc;

    xb__dev_path(d->kind, d->domid, d->devid, fe, be, lx);
    rc = x->xs->ops->rm(x->xs, x->err, x->t, lx);
    if (rc == -ENOENT)
        rc = 0;
    if (!rc)
        rc = put(x, lx, "frontend", fe);
    if (!rc)
        rc = put(x, lx, "backend", be);
    if (!rc)
        rc = fresh_dir(x, fe, d->domid, BACKEND_DOMID);
    if (!rc)
        rc = put(x, fe, "backend", be);
    if (!rc)
        rc = put_all(x, fe, &d->front, true, d->domid, BACKEND_DOMID);
    if (!rc)
        rc = put_all(x, fe, &d->ro_front, true, BACKEND_DOMID, d->domid);
    if (!rc)
        rc = fresh_dir(x, be, BACKEND_DOMID, d->domid);
    if (!rc)
        rc = put(x, be, "frontend", fe);
    if (!rc)
        rc = put_all(x, be, &d->back, false, 0, 0);
    if (!rc)
        rc = put_all(x, be, &d->hot, false, 0, 0);
    return rc ? rc : put_all(x, lx, &d->back, false, 0, 0);
}

struct write_job {
    const struct xb_dev *devs;
    size_t n;
};

static int write_body(struct xb_xs *xs, struct xb_err *err, uint32_t t, const void *arg)
{
    const struct write_job *j = arg;
    const struct tx x = {.xs = xs, .err = err, .t = t};
    int rc = 0;

    for (size_t i = 0; !rc && i < j->n; i++)
        rc = write_one(&x, &j->devs[i]);
    return rc;
}

int xb__dev_write(struct xb_xs *xs, struct xb_err *err, const struct xb_dev *devs,
                  size_t n)
{
    const struct write_job job = {.devs = devs, .n = n};

    for (size_t i = 0; i < n; i++)
        if (devs[i].back.overflow || devs[i].front.overflow ||
            devs[i].ro_front.overflow || devs[i].hot.overflow)
            return xb_err_set(err, -ENAMETOOLONG, "xenstore: %s %u: a value is too long",
                              devs[i].kind, devs[i].devid);
    return xb__xs_transaction(xs, err, write_body, &job, "write the device nodes");
}

char *xb__dev_get(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid,
                  const char *leaf)
{
    char be[XB_DEV_PATH], p[XB_DEV_PATH + 40], *v = NULL;

    xb__dev_path(kind, domid, devid, NULL, be, NULL);
    snprintf(p, sizeof(p), "%s/%s", be, leaf);
    if (xs->ops->read(xs, NULL, XB_XS_NO_TX, p, &v, NULL) != 0)
        return NULL;
    return v;
}

int xb__dev_state(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid)
{
    char *v = xb__dev_get(xs, kind, domid, devid, "state");
    int state = v && v[0] >= '0' && v[0] <= '9' && !v[1] ? v[0] - '0' : 0;

    free(v);
    return state;
}

char *xb__dev_error(struct xb_xs *xs, const char *kind, uint32_t domid, uint32_t devid)
{
    char p[XB_DEV_PATH], *v = NULL;

    snprintf(p, sizeof(p), "/local/domain/%u/error/backend/%s/%u/%u/error", BACKEND_DOMID,
             kind, domid, devid);
    if (xs->ops->read(xs, NULL, XB_XS_NO_TX, p, &v, NULL) != 0)
        return NULL;
    return v;
}

int xb__dev_set(struct xb_xs *xs, struct xb_err *err, const char *kind, uint32_t domid,
                uint32_t devid, const char *leaf, const char *val)
{
    char be[XB_DEV_PATH], p[XB_DEV_PATH + 40];

    xb__dev_path(kind, domid, devid, NULL, be, NULL);
    snprintf(p, sizeof(p), "%s/%s", be, leaf);
    return xs->ops->write(xs, err, XB_XS_NO_TX, p, val, strlen(val));
}

struct remove_job {
    const char *kind;
    uint32_t domid, devid;
};

static int remove_body(struct xb_xs *xs, struct xb_err *err, uint32_t t, const void *arg)
{
    const struct remove_job *j = arg;
    char fe[XB_DEV_PATH], be[XB_DEV_PATH], lx[XB_DEV_PATH], er[XB_DEV_PATH];
    const char *const paths[] = {fe, be, lx, er};
    int rc = 0;

    xb__dev_path(j->kind, j->domid, j->devid, fe, be, lx);
    snprintf(er, sizeof(er), "/local/domain/%u/error/backend/%s/%u/%u", BACKEND_DOMID,
             j->kind, j->domid, j->devid);
    for (size_t i = 0; !rc && i < sizeof(paths) / sizeof(paths[0]); i++) {
        rc = xs->ops->rm(xs, err, t, paths[i]);
        if (rc == -ENOENT)
            rc = 0;
    }
    /* the kind's and the domain's directories the device made, if it was the last */
    for (size_t i = 0; !rc && i < 3; i++) {
        *strrchr(be, '/') = '\0';
        rc = xb__xs_rm_empty(xs, err, t, be);
    }
    for (size_t i = 0; !rc && i < 4; i++) {
        *strrchr(er, '/') = '\0';
        rc = xb__xs_rm_empty(xs, err, t, er);
    }
    return rc;
}

int xb__dev_remove(struct xb_xs *xs, struct xb_err *err, const char *kind, uint32_t domid,
                   uint32_t devid)
{
    const struct remove_job job = {.kind = kind, .domid = domid, .devid = devid};

    return xb__xs_transaction(xs, err, remove_body, &job, "remove a device's nodes");
}
