/* SPDX-License-Identifier: MIT */
/*
 * xbuild/migrate.h - save a domain to a file or a stream, restore it, and
 * move it to another host, in xl's formats (xbuild(1), SAVE IMAGES).
 *
 * The guest's memory and vCPU state travel in Xen's own migration stream,
 * which libxenguest writes and reads. Around it libbuilder writes what xl
 * writes (its header, the domain's configuration, libxl's records), asks
 * the guest to suspend, builds the empty domain a restore fills with the
 * steps of xb_domain_create(), and then restores the xenstore nodes and the
 * console. A failed save leaves the domain running as it was; a failed
 * restore leaves nothing behind.
 *
 * Every call takes a context opened with xb_ctx_open() (see builder.h),
 * returns 0 or a negative errno and keeps its message in the context. The
 * streams are written with write(): a caller whose other end may go away
 * (a pipe, a socket) ignores SIGPIPE, so that this is an error, not its end.
 */
#ifndef XBUILD_MIGRATE_H
#define XBUILD_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/builder.h>
#include <xbuild/error.h>
#include <xbuild/spec.h>

/* What becomes of a domain once its state is saved. */
enum xb_save_then {
    XB_SAVE_DESTROY = 0, /* xl save: destroyed, its state lives on in the image */
    XB_SAVE_RESUME,      /* xl save -c: it carries on */
    XB_SAVE_PAUSE,       /* xl save -p: it carries on, paused */
    XB_SAVE_SUSPENDED,   /* left suspended: the caller destroys or resumes it */
};

/* Options of xb_domain_save(); all zero: a save that destroys the domain. */
struct xb_save_opts {
    /*
     * The configuration stored in the image, as xl.cfg text, or libxl's
     * JSON when config_json is set (@config_len bytes, borrowed). NULL: the
     * one libxl keeps for the domain (/var/lib/xen/userdata-d.DOMID.UUID.
     * libxl-json), -ENOENT with a message when there is none.
     */
    const char *config;
    size_t config_len;
    bool config_json;
    /*
     * Copy the memory while the guest runs (log-dirty rounds), stopping it
     * only for the last pages. PV guests need shadow paging for that: on a
     * Xen without it (Debian's) the save is non-live, with a warning,
     * unless live_only is set too, which refuses it (-EOPNOTSUPP) before
     * anything is done.
     */
    bool live;
    bool live_only;
    enum xb_save_then then;
    unsigned suspend_timeout_ms; /* how long the guest has to suspend; 0 = 60000 */
};

/* What a save did; times are CLOCK_MONOTONIC nanoseconds. */
struct xb_save_stats {
    bool live;              /* copied while the guest ran */
    unsigned rounds;        /* pre-copy rounds (live) */
    uint64_t pages_precopy; /* pages sent before the guest stopped (live) */
    uint64_t start_ns;      /* the stream began */
    uint64_t suspended_ns;  /* the guest had stopped (suspended) */
    uint64_t done_ns;       /* the whole image was written */
};

/*
 * Save domain @domid (running, not dom0) to @fd (a file, a pipe, a
 * socket): the image header and configuration, then the guest suspended
 * (its kernel asked through xenstore's control/shutdown) and its state
 * written by libxenguest, then @opts->then. When any step fails the domain
 * is resumed and left running (or paused, as it was); what was written to
 * @fd is the caller's to discard. @opts and @stats may be NULL.
 */
int xb_domain_save(struct xb_ctx *ctx, uint32_t domid, int fd,
                   const struct xb_save_opts *opts, struct xb_save_stats *stats);

/*
 * Whether domain @domid can be saved live (a migration with pre-copy) on
 * this host: 0; -EOPNOTSUPP with the reason (a PV guest on a Xen without
 * shadow paging, Debian's); or why it cannot be saved at all (no such
 * domain, dom0, paused, shut down, an HVM guest).
 */
int xb_domain_live_ok(struct xb_ctx *ctx, uint32_t domid);

/*
 * A domain stopped by a save (XB_SAVE_SUSPENDED, or a failed migration)
 * carries on where it was: its suspend returns "cancelled" to the kernel.
 * -EINVAL when it is not suspended.
 */
int xb_domain_resume(struct xb_ctx *ctx, uint32_t domid);

/* The front of a save image, up to Xen's stream. */
struct xb_saved {
    uint32_t mandatory_flags, optional_flags;
    char *config; /* the stored configuration (malloc'd, NUL-terminated) or NULL */
    size_t config_len;
    bool config_json; /* libxl's JSON (xl save), else xl.cfg text */
};

/*
 * Read xl's header and the stored configuration from @fd, leaving it at
 * libxl's stream (xb_domain_restore() reads on from there). @what names
 * the image in messages. A file that is not a save image, is truncated, or
 * is one xbuild cannot restore fails with one message in @err. On success
 * free @out with xb_saved_clear().
 */
int xb_saved_read(int fd, const char *what, struct xb_saved *out, struct xb_err *err);
void xb_saved_clear(struct xb_saved *saved);

/* Options of xb_domain_restore(); all zero: restored and unpaused. */
struct xb_restore_opts {
    bool paused;                /* leave the domain paused */
    struct xb_timings *timings; /* as xb_domain_create()'s; "build" is the stream */
    /*
     * As xb_create_opts.source: when not NULL, the restored domain gets a
     * monitor record (xbuild/manage.h), its on_* actions acted upon and a
     * restart re-creating it from @source. NULL: no record.
     */
    const struct xb_restart_source *source;
};

/*
 * Restore the domain of @spec (borrowed; a validated spec, e.g. from the
 * image's stored configuration) from @fd, positioned by xb_saved_read():
 * the empty domain built as xb_domain_create() builds one (checks against
 * the host, name claimed, limits, ports), filled by libxenguest, then its
 * xenstore nodes and console. *domid is the new domain. On failure nothing
 * is left behind. @what names the image in messages; @opts may be NULL.
 */
int xb_domain_restore(struct xb_ctx *ctx, const struct xb_spec *spec, int fd,
                      const char *what, const struct xb_restore_opts *opts,
                      uint32_t *domid);

/* ---- migration (xl's protocol, over any transport the caller runs) ---- */

/* What a migration did; times are CLOCK_MONOTONIC nanoseconds on the sender. */
struct xb_migrate_stats {
    struct xb_save_stats save;
    uint64_t ready_ns;  /* the target had restored it */
    uint64_t report_ns; /* the target said it runs: downtime <= report - suspended */
};

/*
 * Send domain @domid to a receiver: @to writes to it, @from reads its
 * answers (a transport's stdin and stdout). The domain is saved into the
 * stream (@opts->then is ignored), renamed NAME--migratedaway while the
 * target takes its name, and destroyed once the target reports that it
 * runs. A failure before that point leaves it running here under its name;
 * one after the target was told to go (an answer lost) leaves it suspended
 * as NAME--migratedaway, the error saying so. @stats may be NULL.
 */
int xb_migrate_send(struct xb_ctx *ctx, uint32_t domid, int to, int from,
                    const struct xb_save_opts *opts, struct xb_migrate_stats *stats);

/*
 * The receiving side, first half: announce the receiver on @to and read
 * the image header from @from, as xb_saved_read().
 */
int xb_migrate_hello(int to, int from, struct xb_saved *out, struct xb_err *err);

/*
 * Second half: restore the domain of @spec from @from as NAME--incoming,
 * tell the sender, wait for its go, take the name NAME and start it
 * (paused with @opts->paused); then report to the sender. A failure at
 * any point destroys what was built here and tells the sender to resume
 * its own. *domid is the new domain.
 */
int xb_migrate_receive(struct xb_ctx *ctx, const struct xb_spec *spec, int to, int from,
                       const struct xb_restore_opts *opts, uint32_t *domid);

#endif
