/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_batch.h - xs.h's batch op, one op after the other
 * (xs_batch.c): for the backends.
 */
#ifndef XB_HV_XS_BATCH_H
#define XB_HV_XS_BATCH_H

#include "xs.h"

int xb__xs_batch_each(struct xb_xs *xs, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n);

#endif
