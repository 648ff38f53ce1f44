/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_batch.c - the batch op of xs.h done one op after the
 * other through a backend's own ops: the sim's batch (so that every op of
 * a batch is counted and can be failed by injection) and the xen backend's
 * when it has no connection of its own to pipeline on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_batch.h"

bool xb__xs_op_answered(const struct xb_xs_op *o)
{
    return o->rc == 0 ||
           (o->rc == -ENOENT && (o->kind == XB_XS_OP_READ || o->kind == XB_XS_OP_RM ||
                                 o->kind == XB_XS_OP_DIRECTORY));
}

int xb__xs_op_expect(struct xb_xs_op *o)
{
    bool same;

    if (!o->expect || (o->kind != XB_XS_OP_READ && o->kind != XB_XS_OP_DIRECTORY) ||
        !xb__xs_op_answered(o))
        return 0;
    if (!o->val)
        same = o->rc == -ENOENT;
    else
        same = o->rc == 0 && o->out_len == o->len && memcmp(o->out, o->val, o->len) == 0;
    if (!same)
        o->rc = -ESTALE;
    return same ? 0 : -ESTALE;
}

/* DIRECTORY as the wire has it: each name NUL-terminated, in one buffer. */
static int directory(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                     struct xb_xs_op *o)
{
    char **names = NULL;
    size_t n = 0, len = 0;
    int rc = xs->ops->directory(xs, err, tx, o->path, &names, &n);

    for (size_t i = 0; rc == 0 && i < n; i++)
        len += strlen(names[i]) + 1;
    if (rc == 0 && !(o->out = malloc(len + 1)))
        rc = xb_err_set(err, -ENOMEM, "xenstore: out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]) + 1;

        if (rc == 0)
            memcpy(o->out + o->out_len, names[i], l);
        o->out_len += rc == 0 ? l : 0;
        free(names[i]);
    }
    free(names);
    return rc;
}

static int run_one(struct xb_xs *xs, struct xb_err *err, uint32_t tx, struct xb_xs_op *o)
{
    const struct xb_xs_ops *ops = xs->ops;

    switch (o->kind) {
    case XB_XS_OP_WRITE:
        return ops->write(xs, err, tx, o->path, o->val, o->len);
    case XB_XS_OP_MKDIR:
        return ops->mkdir(xs, err, tx, o->path);
    case XB_XS_OP_RM:
        return ops->rm(xs, err, tx, o->path);
    case XB_XS_OP_PERMS:
        return ops->set_perms(xs, err, tx, o->path, o->perms, o->n_perms);
    case XB_XS_OP_READ:
        return ops->read(xs, err, tx, o->path, &o->out, &o->out_len);
    case XB_XS_OP_DIRECTORY:
        return directory(xs, err, tx, o);
    }
    return xb_err_set(err, -EINVAL, "xenstore: batch: op %d", (int)o->kind);
}

int xb__xs_batch_each(struct xb_xs *xs, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n)
{
    uint32_t tx = XB_XS_NO_TX;
    int rc = own_tx ? xs->ops->transaction_start(xs, err, &tx) : 0, first = 0;

    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        ops[i].out = NULL;
        ops[i].out_len = 0;
        ops[i].rc = run_one(xs, err, tx, &ops[i]);
        if (xb__xs_op_expect(&ops[i]) && !first)
            first = -ESTALE;
        if (!xb__xs_op_answered(&ops[i]) && !first)
            first = ops[i].rc == -ENOENT
                        ? xb_err_set(err, -ENOENT, "xenstore: no node %s", ops[i].path)
                        : ops[i].rc;
    }
    if (own_tx)
        rc = xs->ops->transaction_end(xs, first ? NULL : err, tx, first != 0);
    return first ? first : rc;
}
