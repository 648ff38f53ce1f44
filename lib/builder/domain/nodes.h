/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/nodes.h - the xenstore nodes of a domain built by xbuild.
 *
 * The node set is what xenconsoled, the guest's xenbus and stock `xl`
 * (list/console/destroy) expect: /local/domain/N (name, domid, vm, memory,
 * console, control, cpu, device, ...), /vm/UUID and /libxl/N; plus xbuild's
 * own name claims under /xbuild/names. All go through xs->ops only, so these
 * work on the sim backend too. Errors land in @err (see hv/xs.h).
 */
#ifndef XB_DOMAIN_NODES_H
#define XB_DOMAIN_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/spec.h>

#include "../hv/xs.h"

struct xb_xs_dom {
    uint32_t domid;
    const char *name;    /* required */
    const uint8_t *uuid; /* 16 bytes, required */
    uint64_t target_kib, maxmem_kib;
    unsigned vcpus, maxvcpus; /* vcpus online at boot, of maxvcpus */
    xb_mfn store_mfn;         /* the xenstore ring frame (mfn for PV, gfn for PVH) */
    uint32_t store_port;      /* the guest's end of the xenstore event channel */
    /* not "console_mfn": Xen's xen.h defines that name as a macro */
    xb_mfn console_frame; /* the console ring frame (mfn for PV, gfn for PVH) */
    uint32_t console_port;
    const char *on_poweroff, *on_reboot, *on_crash; /* "destroy", ...; NULL = destroy */
    enum xb_domtype type;                           /* /libxl/N/type, as xl writes it */
    const char *kernel, *ramdisk, *cmdline;         /* /vm/UUID/image/ (NULL: none) */
    uint64_t start_time_cs; /* wall clock at creation, centiseconds (uptime) */
};

/*
 * Claim @name for the new domain @domid, atomically against other creates:
 * in one transaction, /xbuild/names/NAME is checked (a claim whose domain
 * still carries the name wins: -EEXIST, with the usual message) and
 * written, together with /local/domain/@domid/name (any stale node of a
 * previous domain with this id is removed first). Then the caller checks
 * that no domain without a claim carries the name (xb__dom_name_taken():
 * the domains of other toolstacks). The claim is kept for the domain's
 * life: xb__xs_domain_remove() removes it, xb__xs_rename() moves it.
 */
int xb__xs_name_claim(struct xb_xs *xs, struct xb_err *err, const char *name,
                      uint32_t domid, bool restart);

/*
 * /xbuild/restarts/NAME: where the monitor keeps a domain's record while it
 * re-creates it (xb_monitor_step()). A name with such an entry is held:
 * xb__xs_name_claim() refuses it (-EEXIST) unless @restart is set (the
 * restart's own create). Into @buf (XB_XS_NAME_PATH_MAX bytes);
 * -ENAMETOOLONG for a name xenstore cannot carry.
 */
#define XB_XS_NAME_PATH_MAX 800
int xb__xs_restart_path(const char *name, char *buf, size_t size);

/* Where the claim of @name is (/xbuild/names/...), as xb__xs_restart_path(). */
int xb__xs_claim_path(const char *name, char *buf, size_t size);

/*
 * Rename domain @domid from @old to @name in one transaction: -EEXIST when
 * a live domain holds a claim on @name; /local/domain/N/name, /vm/UUID/name
 * and the monitor's record (/xbuild/domains/N/name) follow.
 */
int xb__xs_rename(struct xb_xs *xs, struct xb_err *err, uint32_t domid, const char *name);

/*
 * @ops as one batch (xs.h) in a transaction of its own, sent again after a
 * random pause while it conflicts (-EAGAIN); @what names it when it keeps
 * conflicting.
 */
int xb__xs_batch_tx(struct xb_xs *xs, struct xb_err *err, struct xb_xs_op *ops, size_t n,
                    const char *what);

/*
 * Run @body in a transaction, started over while it conflicts (-EAGAIN);
 * aborted when @body fails. @what names it when it keeps conflicting.
 */
int xb__xs_transaction(struct xb_xs *xs, struct xb_err *err,
                       int (*body)(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                                   const void *arg),
                       const void *arg, const char *what);

/*
 * Write every node of domain @d->domid in one transaction (one batch,
 * retried on -EAGAIN), then introduce the domain to xenstored
 * (store_mfn/store_port).
 * Preconditions: the domain exists and its xenstore/console rings are set up.
 * On failure, the nodes written so far are removed again (the transaction
 * is aborted, or removed after an introduce failure). Nothing in @d is retained.
 */
int xb__xs_domain_introduce(struct xb_xs *xs, struct xb_err *err,
                            const struct xb_xs_dom *d);

/*
 * Remove every node of @domid (its name claim, /vm through
 * /local/domain/@domid/vm, /local/domain/@domid, /libxl/@domid, its backend
 * directories, its monitor record /xbuild/domains/@domid) and release it
 * from xenstored. Missing nodes are not an
 * error; safe on a half-built domain.
 */
int xb__xs_domain_remove(struct xb_xs *xs, struct xb_err *err, uint32_t domid);

/*
 * Remove directory @path when it has no child left (missing: fine), so that
 * the parents a domain's nodes made go with its last one.
 */
int xb__xs_rm_empty(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path);

/* Format @uuid as the canonical 36-character string into @buf (>= 37 bytes). */
void xb__uuid_str(const uint8_t uuid[16], char buf[37]);

/* rm @path, a missing node being no error (nodes.c, for names.c too). */
int xb__xs_rm_missing_ok(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path);

/* The domain's /vm path, from /local/domain/N/vm; *vm = NULL when absent. */
int xb__xs_vm_path(struct xb_xs *xs, struct xb_err *err, uint32_t tx, uint32_t domid,
                   char **vm);

/* Give up the name claim @domid holds, if any (names.c; its name node says which). */
int xb__xs_claim_remove(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                        uint32_t domid);

#endif
