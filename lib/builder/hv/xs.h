/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs.h - every contact with xenstored goes through this table
 * of operations. Two backends, as for the hypervisor (hv/hv.h):
 *   hv/xs_xen.c    the real one, over libxenstore;
 *   hv/sim/xs.c    an in-memory xenstore with transactions and permissions.
 *
 * Errors are reported as in hv/hv.h: 0 or a negative errno, the message in
 * @err unless it is NULL or already holds one. A missing node (-ENOENT from
 * read, rm, directory) is an answer, not a failure: it is never recorded.
 */
#ifndef XB_HV_XS_H
#define XB_HV_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>

#include "hv.h"

struct xb_xs;

/* xenstore permission, as in xenstore's own API. */
struct xb_xs_perm {
    uint32_t domid;
    unsigned perms; /* XB_XS_PERM_* */
};
enum { XB_XS_PERM_NONE = 0, XB_XS_PERM_READ = 1, XB_XS_PERM_WRITE = 2 };

#define XB_XS_NO_TX 0u

/* One operation of a batch (the batch op below). */
enum xb_xs_op_kind {
    XB_XS_OP_WRITE,
    XB_XS_OP_MKDIR,
    XB_XS_OP_RM,
    XB_XS_OP_PERMS,
    XB_XS_OP_READ,
    XB_XS_OP_DIRECTORY
};
struct xb_xs_op {
    enum xb_xs_op_kind kind;
    const char *path;
    const void *val; /* WRITE: @len bytes */
    size_t len;
    const struct xb_xs_perm *perms; /* PERMS: @n_perms of them */
    size_t n_perms;
    /*
     * READ, DIRECTORY: the batch fails (this op's rc -ESTALE, not recorded)
     * unless the answer is @val, @len bytes (NULL: no such node); with
     * @own_tx, a transaction that commits only if what it was decided on
     * still holds.
     */
    bool expect;
    int rc; /* out: 0 or a negative errno (-ENOENT from READ, RM, DIRECTORY: an answer) */
    char *out;      /* out, READ: the value, malloc'd, NUL-terminated; DIRECTORY: the
                       children's names, each NUL-terminated; the caller frees */
    size_t out_len; /* out: the bytes of @out (without READ's NUL) */
};

struct xb_xs_ops {
    const char *name; /* "xen" or "sim" */

    int (*transaction_start)(struct xb_xs *xs, struct xb_err *err, uint32_t *tx);
    /* Commit (abort=false) or abort; -EAGAIN means "conflict, start over" (not recorded).
     */
    int (*transaction_end)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, bool abort);
    int (*write)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                 const void *val, size_t len);
    /* *val is malloc'd, NUL-terminated (len excludes the NUL); caller frees. */
    int (*read)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                char **val, size_t *len);
    int (*mkdir)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path);
    int (*rm)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path);
    int (*set_perms)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                     const struct xb_xs_perm *perms, size_t n);
    /* *names: malloc'd array of malloc'd strings; caller frees each and the array. */
    int (*directory)(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                     char ***names, size_t *n);
    int (*introduce)(struct xb_xs *xs, struct xb_err *err, uint32_t domid,
                     xb_mfn store_mfn, uint32_t port);
    int (*release)(struct xb_xs *xs, struct xb_err *err, uint32_t domid);
    /* XS_RESUME: domain @domid carries on after a cancelled suspend (xenstored
     * forgets that it had shut down). */
    int (*resume)(struct xb_xs *xs, struct xb_err *err, uint32_t domid);

    /*
     * Every op of @ops, in order, sent at once: one round trip to xenstored
     * instead of @n (the xen backend pipelines them on a connection of its
     * own). All are attempted; each one's answer is in its rc; returns the
     * first failure (-ENOENT of READ/RM/DIRECTORY is none; a failed expect
     * is -ESTALE, not recorded). With @own_tx they run in a transaction of
     * their own, committed only when none failed: -EAGAIN is a conflict,
     * start over (not recorded). Without, each op is applied as it comes
     * (as with XB_XS_NO_TX).
     */
    int (*batch)(struct xb_xs *xs, struct xb_err *err, bool own_tx, struct xb_xs_op *ops,
                 size_t n);

    /*
     * Watches (console attach, the on_* monitor). Watch @path (and its
     * children) with @token; wait_watch waits up to @timeout_ms (-1 =
     * forever) for one event and returns its path and token malloc'd
     * (caller frees both), or -ETIMEDOUT (not recorded).
     */
    int (*watch)(struct xb_xs *xs, struct xb_err *err, const char *path,
                 const char *token);
    int (*unwatch)(struct xb_xs *xs, struct xb_err *err, const char *path,
                   const char *token);
    int (*wait_watch)(struct xb_xs *xs, struct xb_err *err, int timeout_ms, char **path,
                      char **token);

    /* Close the backend and free it. */
    void (*close)(struct xb_xs *xs);
};

/* Every backend instance starts with this; backends embed it first. */
struct xb_xs {
    const struct xb_xs_ops *ops;
};

#endif
