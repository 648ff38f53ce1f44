/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_batch.c - the batch op of xs.h done one op after the
 * other through a backend's own ops: the sim's batch (so that every op of
 * a batch is counted and can be failed by injection) and the xen backend's
 * when it has no connection of its own to pipeline on.
 */
#include <errno.h>
#include <stdlib.h>

#include "xs_batch.h"

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
        return ops->read(xs, err, tx, o->path, &o->out, NULL);
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
        ops[i].rc = run_one(xs, err, tx, &ops[i]);
        if (ops[i].rc && ops[i].rc != -ENOENT && !first)
            first = ops[i].rc;
        if (ops[i].rc == -ENOENT && ops[i].kind != XB_XS_OP_READ &&
            ops[i].kind != XB_XS_OP_RM && !first)
            first = xb_err_set(err, -ENOENT, "xenstore: no node %s", ops[i].path);
    }
    if (own_tx)
        rc = xs->ops->transaction_end(xs, first ? NULL : err, tx, first != 0);
    return first ? first : rc;
}
