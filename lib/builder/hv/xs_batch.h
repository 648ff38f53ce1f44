/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_batch.h - xs.h's batch op, one op after the other
 * (xs_batch.c): for the backends; and what every backend's batch shares.
 */
#ifndef XB_HV_XS_BATCH_H
#define XB_HV_XS_BATCH_H

#include "xs.h"

int xb__xs_batch_each(struct xb_xs *xs, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n);

/* -ENOENT of a READ, RM or DIRECTORY is an answer, not a failure. */
bool xb__xs_op_answered(const struct xb_xs_op *o);

/* @o's expectation (xs.h) against its answer: 0, or -ESTALE in o->rc. */
int xb__xs_op_expect(struct xb_xs_op *o);

#endif
