/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/devices.h - a domain's virtual disks (vbd) and
 * network interfaces (vif), served by dom0's kernel backends (blkback,
 * netback) with no hotplug script: the builder sets up loop devices and
 * bridge ports itself (hv/host.h), writes the frontend and backend nodes as
 * xl does, and waits for the backends with a bounded wait. Also the
 * bootloader (pygrub) a spec may name. Private to the domain layer; none of
 * these resets the context, and every failure leaves its message in @err.
 *
 *   vbd.c        disks: checks, nodes, blkback's handshake
 *   vif.c        interfaces: checks, MAC, nodes, netback, the bridge port
 *   xenbus.c     the device nodes and their permissions; waiting for backends
 *   teardown.c   what a domain's backends leave to undo once they are gone
 *   hotplug.c    the public xb_vbd_* and xb_vif_* calls
 *   bootloader.c running the bootloader as xl does
 */
#ifndef XB_DEVICES_DEVICES_H
#define XB_DEVICES_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/spec.h>

#include "../domain/ctx.h"

#define XB_DEV_TIMEOUT_MS 10000 /* a backend's handshake, as libxl's */

/* What a create (or a hot-plug) will set up; made by xb__devs_check(). */
struct xb_devs;

/*
 * Check every disk and vif of @spec against this host before anything
 * exists: what the builder can serve (raw images and block devices through
 * blkback, vifs on a bridge), the files (present, writable when asked,
 * not attached writable elsewhere), the bridges. Warnings (ignored keys)
 * go to @ctx. On success *out is the plan (free with xb__devs_free()),
 * NULL when the spec has no device. Messages start with the disk's or
 * vif's "FILE:LINE:COL: " and name it ("disk 2, access: ...").
 * @mover (NULL: none) names the domain a migration to this host moves: it
 * may hold the disks too (it runs no more once the new one starts), as
 * the block script lets the same VM share them.
 */
int xb__devs_check(struct xb_ctx *ctx, const struct xb_spec *spec, uint32_t self,
                   const char *mover, struct xb_devs **out);

/*
 * Attach the devices of @d to domain @domid (its xenstore nodes written):
 * loop devices, every device's nodes in one transaction, then wait (at most
 * @timeout_ms in all) for each backend: blkback open, netback's vif on its
 * bridge and up. @uuid makes the MACs not given (00:16:3e, stable per UUID
 * and devid); @protocol is a PV guest's ring ABI ("x86_64-abi", "x86_32-abi"),
 * NULL for PVH. @d NULL: nothing to do. On failure what was set up stays
 * recorded in @d for xb__devs_undo().
 */
int xb__devs_attach(struct xb_ctx *ctx, struct xb_devs *d, uint32_t domid,
                    const uint8_t uuid[16], const char *protocol, unsigned timeout_ms);

/* Drop what a failed attach still holds (loop devices, vif links). */
void xb__devs_undo(struct xb_ctx *ctx, struct xb_devs *d);

/* Free a plan (after xb__devs_undo() when an attach failed). Accepts NULL. */
void xb__devs_free(struct xb_devs *d);

/* Time spent waiting for the backends in the last attach (for timings). */
uint64_t xb__devs_wait_ns(const struct xb_devs *d);

/* ---- teardown: what a domain's backends leave behind ---- */

struct xb_teardown;

/*
 * Before the nodes of @domid go: note its vbds' loop devices that a
 * toolstack set up (the "node" a block script or xbuild wrote: a loop
 * device the user set up has none and stays), take its vifs off their
 * bridges. *out NULL when there is nothing to do. Best effort: failures
 * are recorded in @err and the rest goes on.
 */
int xb__teardown_begin(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       struct xb_teardown **out);

/* As xb__teardown_begin(), for device @devid of @kind ("vbd", "vif") alone. */
int xb__teardown_device(struct xb_ctx *ctx, struct xb_err *err, const char *kind,
                        uint32_t domid, uint32_t devid, struct xb_teardown **out);

/*
 * Once the backend nodes are removed: wait for each loop device to be
 * released by blkback and free it, and for each vif to be gone. Frees @t.
 */
int xb__teardown_finish(struct xb_ctx *ctx, struct xb_err *err, struct xb_teardown *t);

/*
 * All of it for domain @domid, as xl destroys a domain's devices before the
 * domain: its vifs off their bridges, every vbd's and vif's nodes removed,
 * then its loop devices freed and its vifs gone, each with a bounded wait.
 * Best effort: the first failure is returned and recorded in @err.
 */
int xb__devices_destroy(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid);

/* ---- the bootloader ---- */

struct xb_boot {
    char *dir;     /* its output directory, removed by xb__boot_clean() */
    char *out;     /* the file it writes its answer to */
    char *kernel;  /* in dir, as it named them; NULL when none */
    char *ramdisk; /* NULL when none */
    char *cmdline; /* its "args", NULL when none */
};

#define XB_BOOTLOADER_TIMEOUT_MS 60000

/*
 * Run @spec->bootloader as libxl does: with --kernel/--ramdisk/--args from
 * the spec, --output=FILE --output-format=simple0 --output-directory=DIR,
 * then spec->bootloader_args, then the first disk's target; its terminal a
 * pty (as xl's, minus the console), its stderr kept for the message. Waits
 * at most @timeout_ms, then kills it. On success @b names the kernel and
 * ramdisk it extracted (files in b->dir) and the command line.
 * Call xb__boot_clean() in any case.
 */
int xb__bootloader_run(struct xb_err *err, const struct xb_spec *spec,
                       unsigned timeout_ms, struct xb_boot *b);

/* Remove the bootloader's files and directory; b->cmdline stays. */
void xb__boot_clean_files(struct xb_boot *b);

/* xb__boot_clean_files(), and free b->cmdline. */
void xb__boot_clean(struct xb_boot *b);

#endif
