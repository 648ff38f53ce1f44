/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/migrate/migrate.h - save images and migration streams
 * (private to the library).
 *
 * A save image, and what `migrate` sends, is what xl writes (xbuild(1),
 * SAVE IMAGES): xl's 48-byte header, its optional data (the domain's
 * configuration, as libxl JSON or xl.cfg text), then libxl's stream: a
 * header, a LIBXC_CONTEXT record, libxenguest's own stream, an END record.
 * image.c reads and writes everything but libxenguest's part (the parsers
 * are pure functions over buffers, for the fuzzers); save.c, restore.c and
 * protocol.c are the flows.
 */
#ifndef XB_MIGRATE_MIGRATE_H
#define XB_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/migrate.h>

#include "../domain/ctx.h"

/* ---- image.c: xl's header ---- */

#define XB_XLHDR_LEN        48u
#define XB_XLHDR_MAGIC      "Xen saved domain, xl format\n \0 \r" /* 32 bytes */
#define XB_XLHDR_BYTEORDER  0x01020304u
#define XB_XL_FLAG_JSON     (1u << 0) /* the configuration is libxl JSON */
#define XB_XL_FLAG_STREAMV2 (1u << 1) /* libxl's stream, version 2 */
#define XB_XL_OPTDATA_MAX   (16u << 20)

/*
 * The fixed part of xl's header in @buf (XB_XLHDR_LEN bytes): *optlen
 * receives the length of the optional data that follows. Pure. Errors:
 * -EINVAL with a message (not a save image, byte order, a legacy stream,
 * flags of a newer xl, optional data beyond XB_XL_OPTDATA_MAX).
 */
int xb__xlhdr_parse(const uint8_t *buf, size_t len, uint32_t *mandatory,
                    uint32_t *optional, uint32_t *optlen, struct xb_err *err);

/*
 * The configuration in xl's optional data @opt (@optlen bytes): *config
 * malloc'd, NUL-terminated, trailing NULs dropped (xl counts one in its
 * JSON); NULL when there is none. Pure.
 */
int xb__xlopt_parse(const uint8_t *opt, uint32_t optlen, char **config, size_t *len,
                    struct xb_err *err);

/* Write xl's header and optional data with @config (@len bytes, may be NULL). */
int xb__xlhdr_write(int fd, const char *config, size_t len, bool json,
                    struct xb_err *err);

/* ---- image.c: libxl's records around libxenguest's stream ---- */

#define XB_LX_HDR_LEN      16u
#define XB_LX_IDENT        0x4c6962786c466d74ull /* "LibxlFmt" */
#define XB_LX_VERSION      2u
#define XB_LX_REC_END      0u
#define XB_LX_REC_LIBXC    1u
#define XB_LX_REC_EMU_XS   2u
#define XB_LX_REC_EMU_CTX  3u
#define XB_LX_REC_CKPT_END 4u
#define XB_LX_REC_OPTIONAL 0x80000000u
#define XB_LX_REC_MAX      (16u << 20) /* a record body we would skip */

/* libxl's stream header in @buf (XB_XLHDR_LEN bytes). Pure. */
int xb__lxhdr_parse(const uint8_t *buf, size_t len, struct xb_err *err);

/*
 * What to do with a record of @type (@length bytes) in the part of the
 * stream @before_libxc or after it: 0 = the one expected there
 * (LIBXC_CONTEXT, END), 1 = an optional record to skip, or -EINVAL with a
 * message naming it. Pure.
 */
int xb__lxrec_check(uint32_t type, uint32_t length, bool before_libxc,
                    struct xb_err *err);

/* The stream header and the LIBXC_CONTEXT record; then the END record. */
int xb__lx_write_start(int fd, struct xb_err *err);
int xb__lx_write_end(int fd, struct xb_err *err);

/*
 * Read from @fd, @what naming it in messages ("cnt.save", "the migration
 * stream"): the stream header and the records up to LIBXC_CONTEXT; after
 * libxenguest's stream, the records up to END.
 */
int xb__lx_read_start(int fd, const char *what, struct xb_err *err);
int xb__lx_read_end(int fd, const char *what, struct xb_err *err);

/* ---- image.c: bytes ---- */

/* All @len bytes, or an error naming @what ("truncated" at end of file). */
int xb__read_full(int fd, void *buf, size_t len, const char *what, struct xb_err *err);
int xb__write_full(int fd, const void *buf, size_t len, const char *what,
                   struct xb_err *err);

/* ---- restore.c: the fill step of a restore (domain/create.c calls it) ---- */

/* Where a restore's memory comes from: @fd, at libxenguest's stream. */
struct xb__restore {
    int fd;
    const char *what;  /* the file, or "the migration stream" */
    const char *mover; /* a migration's: the domain it moves, which may be here */
};

/*
 * Fill the empty domain @domid (created, limits set, ports @store_port and
 * @console_port allocated) from @r: libxenguest's stream, then libxl's END
 * record. *store and *console receive the rings' frames.
 */
int xb__restore_fill(struct xb_ctx *ctx, struct xb_err *err, const struct xb__restore *r,
                     uint32_t domid, uint32_t store_port, uint32_t console_port,
                     xb_mfn *store, xb_mfn *console);

/* ---- save.c ---- */

/* As xb_domain_save(), without resetting the context. */
int xb__dom_save(struct xb_ctx *ctx, uint32_t domid, int fd,
                 const struct xb_save_opts *opts, struct xb_save_stats *stats);

/* As xb_domain_resume(), without resetting the context. */
int xb__dom_resume(struct xb_ctx *ctx, uint32_t domid, bool paused);

/* CLOCK_MONOTONIC, in nanoseconds. */
uint64_t xb__now_ns(void);

#endif
