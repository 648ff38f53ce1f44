/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_pipe.h - a pipelining connection to xenstored's socket
 * (xs_pipe.c), behind the xen backend's batch op.
 */
#ifndef XB_HV_XS_PIPE_H
#define XB_HV_XS_PIPE_H

#include "xs.h"

struct xb_xs_pipe;

/* Connect to xenstored's socket; -ENOENT when there is none to connect to. */
int xb__xs_pipe_open(struct xb_xs_pipe **out);
void xb__xs_pipe_close(struct xb_xs_pipe *p);

/* xs.h's batch op, pipelined on @p. */
int xb__xs_pipe_batch(struct xb_xs_pipe *p, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n);

#endif
