/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_xen.c - the real xenstore backend of xs.h, over
 * libxenstore. Errors are recorded as in hv/xen.c; a missing node, a
 * transaction conflict and a watch timeout are answers, never recorded.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "xen_util.h"
#include "xs_batch.h"
#include "xs_pipe.h"

#ifdef XB_HAVE_XEN

#include <xenstore.h>

_Static_assert(XB_XS_PERM_READ == XS_PERM_READ && XB_XS_PERM_WRITE == XS_PERM_WRITE,
               "xenstore permission bits");

struct xen_xs {
    struct xb_xs xs; /* first: the ops see a struct xb_xs * */
    struct xs_handle *h;
    struct xb_xs_pipe *pipe; /* the batches' connection, opened at the first one */
    bool no_pipe;            /* none to be had: batches go one op after the other */
};

static struct xs_handle *xsh(struct xb_xs *xs)
{
    return ((struct xen_xs *)xs)->h;
}

static int xen_transaction_start(struct xb_xs *xs, struct xb_err *err, uint32_t *tx)
{
    xs_transaction_t t = xs_transaction_start(xsh(xs));

    if (t == XBT_NULL)
        return xb__xen_fail(err, "xenstore: transaction_start");
    *tx = t;
    return 0;
}

static int xen_transaction_end(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                               bool abort)
{
    if (xs_transaction_end(xsh(xs), tx, abort))
        return 0;
    if (errno == EAGAIN)
        return -EAGAIN; /* a conflict, not an error: the caller retries */
    return xb__xen_fail(err, "xenstore: transaction_end");
}

static int xen_write(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                     const void *val, size_t len)
{
    if (!xs_write(xsh(xs), tx, path, val, (unsigned)len))
        return xb__xen_fail(err, "xenstore: write %s", path);
    return 0;
}

static int xen_read(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                    char **val, size_t *len)
{
    unsigned l = 0;
    char *v = xs_read(xsh(xs), tx, path, &l);

    if (!v) {
        if (errno == ENOENT)
            return -ENOENT;
        return xb__xen_fail(err, "xenstore: read %s", path);
    }
    *val = v;
    if (len)
        *len = l;
    return 0;
}

static int xen_mkdir(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path)
{
    if (!xs_mkdir(xsh(xs), tx, path))
        return xb__xen_fail(err, "xenstore: mkdir %s", path);
    return 0;
}

static int xen_rm(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path)
{
    if (!xs_rm(xsh(xs), tx, path)) {
        if (errno == ENOENT)
            return -ENOENT;
        return xb__xen_fail(err, "xenstore: rm %s", path);
    }
    return 0;
}

static int xen_set_perms(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path, const struct xb_xs_perm *perms, size_t n)
{
    struct xs_permissions p[8];

    if (n > sizeof(p) / sizeof(p[0]))
        return xb_err_set(err, -EINVAL, "xenstore: %zu permissions on %s", n, path);
    for (size_t i = 0; i < n; i++)
        p[i] = (struct xs_permissions){.id = perms[i].domid, .perms = perms[i].perms};
    if (!xs_set_permissions(xsh(xs), tx, path, p, (unsigned)n))
        return xb__xen_fail(err, "xenstore: set permissions of %s", path);
    return 0;
}

/* libxenstore returns one block; hand out separately allocated strings. */
static int split_names(struct xb_err *err, char **raw, unsigned num, char ***names)
{
    char **v = calloc(num ? num : 1, sizeof(*v));

    if (!v)
        return xb_err_set(err, -ENOMEM, "xenstore: directory: out of memory");
    for (unsigned i = 0; i < num; i++) {
        v[i] = strdup(raw[i]);
        if (!v[i]) {
            while (i--)
                free(v[i]);
            free(v);
            return xb_err_set(err, -ENOMEM, "xenstore: directory: out of memory");
        }
    }
    *names = v;
    return 0;
}

static int xen_directory(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path, char ***names, size_t *n)
{
    unsigned num = 0;
    char **raw = xs_directory(xsh(xs), tx, path, &num);
    int rc;

    if (!raw) {
        if (errno == ENOENT)
            return -ENOENT;
        return xb__xen_fail(err, "xenstore: directory %s", path);
    }
    rc = split_names(err, raw, num, names);
    free(raw);
    if (rc == 0)
        *n = num;
    return rc;
}

static int xen_introduce(struct xb_xs *xs, struct xb_err *err, uint32_t domid,
                         xb_mfn store_mfn, uint32_t port)
{
    if (!xs_introduce_domain(xsh(xs), domid, store_mfn, port))
        return xb__xen_fail(err, "xenstore: introduce domain %u (ring %#llx, port %u)",
                            domid, (unsigned long long)store_mfn, port);
    return 0;
}

static int xen_release(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    if (!xs_release_domain(xsh(xs), domid))
        return xb__xen_fail(err, "xenstore: release domain %u", domid);
    return 0;
}

static int xen_resume(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    if (!xs_resume_domain(xsh(xs), domid))
        return xb__xen_fail(err, "xenstore: resume domain %u", domid);
    return 0;
}

static int xen_watch(struct xb_xs *xs, struct xb_err *err, const char *path,
                     const char *token)
{
    if (!xs_watch(xsh(xs), path, token))
        return xb__xen_fail(err, "xenstore: watch %s", path);
    return 0;
}

static int xen_unwatch(struct xb_xs *xs, struct xb_err *err, const char *path,
                       const char *token)
{
    if (!xs_unwatch(xsh(xs), path, token))
        return xb__xen_fail(err, "xenstore: unwatch %s", path);
    return 0;
}

static int take_watch(char **ev, char **path, char **token)
{
    *path = strdup(ev[XS_WATCH_PATH]);
    *token = strdup(ev[XS_WATCH_TOKEN]);
    free(ev);
    if (*path && *token)
        return 0;
    free(*path);
    free(*token);
    *path = *token = NULL;
    return -ENOMEM;
}

static int xen_wait_watch(struct xb_xs *xs, struct xb_err *err, int timeout_ms,
                          char **path, char **token)
{
    struct pollfd pfd = {.fd = xs_fileno(xsh(xs)), .events = POLLIN};
    char **ev;
    int r;

    for (;;) {
        ev = xs_check_watch(xsh(xs));
        if (ev)
            return take_watch(ev, path, token);
        if (errno != EAGAIN)
            return xb__xen_fail(err, "xenstore: read watch");
        r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            return -ETIMEDOUT;
        if (r < 0 && errno != EINTR)
            return xb__xen_fail(err, "xenstore: poll");
    }
}

static int xen_batch(struct xb_xs *xs, struct xb_err *err, bool own_tx,
                     struct xb_xs_op *ops, size_t n)
{
    struct xen_xs *x = (struct xen_xs *)xs;

    if (!x->pipe && !x->no_pipe)
        x->no_pipe = xb__xs_pipe_open(&x->pipe) != 0;
    if (x->no_pipe)
        return xb__xs_batch_each(xs, err, own_tx, ops, n);
    return xb__xs_pipe_batch(x->pipe, err, own_tx, ops, n);
}

static void xen_close(struct xb_xs *xs)
{
    if (!xs)
        return;
    xb__xs_pipe_close(((struct xen_xs *)xs)->pipe);
    if (xsh(xs))
        xs_close(xsh(xs));
    free(xs);
}

static const struct xb_xs_ops xen_ops = {
    .name = "xen",
    .transaction_start = xen_transaction_start,
    .transaction_end = xen_transaction_end,
    .write = xen_write,
    .read = xen_read,
    .mkdir = xen_mkdir,
    .rm = xen_rm,
    .set_perms = xen_set_perms,
    .directory = xen_directory,
    .introduce = xen_introduce,
    .release = xen_release,
    .resume = xen_resume,
    .batch = xen_batch,
    .watch = xen_watch,
    .unwatch = xen_unwatch,
    .wait_watch = xen_wait_watch,
    .close = xen_close,
};

int xb__xs_xen_open(struct xb_xs **out, struct xb_err *err)
{
    struct xen_xs *x = calloc(1, sizeof(*x));

    *out = NULL;
    if (!x)
        return xb_err_set(err, -ENOMEM, "xenstore: out of memory");
    x->xs = (struct xb_xs){.ops = &xen_ops};
    x->h = xs_open(0);
    if (!x->h) {
        int rc = xb__xen_fail(err, "xen: connect to xenstored");

        free(x);
        return rc;
    }
    *out = &x->xs;
    return 0;
}

#else /* !XB_HAVE_XEN */

int xb__xs_xen_open(struct xb_xs **out, struct xb_err *err)
{
    *out = NULL;
    return xb_err_set(err, -ENOSYS, "xenstore: xbuild was built without Xen's libraries");
}

#endif
