/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/migrate/image.c - the frame around libxenguest's stream, as
 * xl writes it (tools/xl/xl_saverestore.c, libxl's stream, version 2):
 *
 *   xl's header    32-byte magic, then byte order, mandatory flags,
 *                  optional flags, optional data length (u32, host order)
 *   optional data  u32 length, then the configuration (libxl JSON with
 *                  its NUL when flag JSON is set, else xl.cfg text)
 *   libxl header   "LibxlFmt", version 2, options (big-endian fields)
 *   records        u32 type, u32 length, body padded to 8 bytes:
 *                  LIBXC_CONTEXT (empty; libxenguest's stream follows it),
 *                  END (empty)
 *
 * The parsers are pure functions of their buffers; every length read from
 * a file is bounded before it is used.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"

_Static_assert(sizeof(XB_XLHDR_MAGIC) - 1 == 32, "xl's magic is 32 bytes");

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* ---- bytes ---- */

int xb__read_full(int fd, void *buf, size_t len, const char *what, struct xb_err *err)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return xb_err_set(err, -errno, "%s: read: %s", what, strerror(errno));
        if (n == 0)
            return xb_err_set(err, -EPIPE, "%s: truncated (it ends %zu bytes early)",
                              what, len);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int xb__write_full(int fd, const void *buf, size_t len, const char *what,
                   struct xb_err *err)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return xb_err_set(err, n < 0 ? -errno : -EIO, "%s: write: %s", what,
                              strerror(n < 0 ? errno : EIO));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- xl's header ---- */

int xb__xlhdr_parse(const uint8_t *buf, size_t len, uint32_t *mandatory,
                    uint32_t *optional, uint32_t *optlen, struct xb_err *err)
{
    uint32_t order, unknown;

    if (len < XB_XLHDR_LEN || memcmp(buf, XB_XLHDR_MAGIC, 32) != 0)
        return xb_err_set(err, -EINVAL,
                          len >= 8 && memcmp(buf, "LibxlFmt", 8) == 0
                              ? "a bare libxl stream, without xl's header"
                              : "not a save image (no xl header)");
    order = get32(buf + 32);
    if (order != XB_XLHDR_BYTEORDER)
        return xb_err_set(err, -EINVAL,
                          "saved with byte order 0x%08" PRIx32 " (another architecture)",
                          order);
    *mandatory = get32(buf + 36);
    *optional = get32(buf + 40);
    *optlen = get32(buf + 44);
    unknown = *mandatory & ~(XB_XL_FLAG_JSON | XB_XL_FLAG_STREAMV2);
    if (unknown)
        return xb_err_set(err, -EINVAL,
                          "mandatory flags 0x%" PRIx32 " unknown (a newer xl wrote it)",
                          unknown);
    if (!(*mandatory & XB_XL_FLAG_STREAMV2))
        return xb_err_set(err, -EINVAL,
                          "a legacy stream (Xen 4.5 or older): convert it with Xen's "
                          "convert-legacy-stream first");
    if (*optlen > XB_XL_OPTDATA_MAX)
        return xb_err_set(err, -EINVAL, "%" PRIu32 " bytes of optional data (at most %u)",
                          *optlen, XB_XL_OPTDATA_MAX);
    return 0;
}

int xb__xlopt_parse(const uint8_t *opt, uint32_t optlen, char **config, size_t *len,
                    struct xb_err *err)
{
    uint32_t n;

    *config = NULL;
    *len = 0;
    if (optlen == 0)
        return 0;
    if (optlen < 4)
        return xb_err_set(err, -EINVAL, "optional data of %" PRIu32 " bytes", optlen);
    n = get32(opt);
    if (n > optlen - 4)
        return xb_err_set(err, -EINVAL,
                          "a configuration of %" PRIu32 " bytes in %" PRIu32
                          " bytes of optional data",
                          n, optlen - 4);
    while (n && opt[4 + n - 1] == '\0')
        n--;
    if (n == 0)
        return 0;
    if (memchr(opt + 4, '\0', n))
        return xb_err_set(err, -EINVAL, "the stored configuration has a NUL byte inside");
    if (!(*config = malloc(n + 1)))
        return xb_err_set(err, -ENOMEM, "out of memory");
    memcpy(*config, opt + 4, n);
    (*config)[n] = '\0';
    *len = n;
    return 0;
}

int xb__xlhdr_write(int fd, const char *config, size_t len, bool json, struct xb_err *err)
{
    size_t stored = config ? len + json : 0; /* xl counts the NUL of its JSON */
    uint8_t hdr[XB_XLHDR_LEN + 4] = {0};
    int rc;

    if (stored > XB_XL_OPTDATA_MAX - 4)
        return xb_err_set(err, -E2BIG, "the configuration is too large (%zu bytes)", len);
    memcpy(hdr, XB_XLHDR_MAGIC, 32);
    put32(hdr + 32, XB_XLHDR_BYTEORDER);
    put32(hdr + 36, XB_XL_FLAG_STREAMV2 | (config && json ? XB_XL_FLAG_JSON : 0));
    put32(hdr + 44, config ? (uint32_t)stored + 4 : 0);
    put32(hdr + XB_XLHDR_LEN, (uint32_t)stored);
    rc = xb__write_full(fd, hdr, config ? sizeof(hdr) : XB_XLHDR_LEN, "save image", err);
    if (!rc && config)
        rc = xb__write_full(fd, config, len, "save image", err);
    if (!rc && config && json)
        rc = xb__write_full(fd, "", 1, "save image", err);
    return rc;
}

/* ---- libxl's stream ---- */

int xb__lxhdr_parse(const uint8_t *buf, size_t len, struct xb_err *err)
{
    uint64_t ident;
    uint32_t version, options;

    if (len < XB_LX_HDR_LEN)
        return xb_err_set(err, -EINVAL, "no libxl stream header");
    memcpy(&ident, buf, 8);
    memcpy(&version, buf + 8, 4);
    memcpy(&options, buf + 12, 4);
    if (be64toh(ident) != XB_LX_IDENT)
        return xb_err_set(err, -EINVAL, "no libxl stream after xl's header");
    if (be32toh(version) != XB_LX_VERSION)
        return xb_err_set(err, -EINVAL, "libxl stream version %" PRIu32 " (want 2)",
                          be32toh(version));
    options = be32toh(options);
    if (options & 1u)
        return xb_err_set(err, -EINVAL, "a big-endian libxl stream");
    if (options & 2u)
        return xb_err_set(err, -EINVAL, "a legacy stream converted by libxl's script");
    return 0;
}

static const char *rec_name(uint32_t type)
{
    static const char *const names[] = {
        [XB_LX_REC_END] = "END",
        [XB_LX_REC_LIBXC] = "LIBXC_CONTEXT",
        [XB_LX_REC_EMU_XS] = "EMULATOR_XENSTORE_DATA",
        [XB_LX_REC_EMU_CTX] = "EMULATOR_CONTEXT",
        [XB_LX_REC_CKPT_END] = "CHECKPOINT_END",
        [5] = "CHECKPOINT_STATE",
    };

    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

int xb__lxrec_check(uint32_t type, uint32_t length, bool before_libxc, struct xb_err *err)
{
    uint32_t want = before_libxc ? XB_LX_REC_LIBXC : XB_LX_REC_END;

    if (type == want && length == 0)
        return 0;
    if (type == want)
        return xb_err_set(err, -EINVAL, "a %s record of %" PRIu32 " bytes",
                          rec_name(type), length);
    if ((type & XB_LX_REC_OPTIONAL) && length <= XB_LX_REC_MAX)
        return 1;
    if (type == XB_LX_REC_EMU_XS || type == XB_LX_REC_EMU_CTX)
        return xb_err_set(err, -EINVAL,
                          "an HVM guest's image (it carries a device model's state): "
                          "xbuild restores PV and PVH guests");
    if (type == XB_LX_REC_CKPT_END || type == 5)
        return xb_err_set(
            err, -EINVAL,
            "a checkpointed (Remus/COLO) stream: xbuild restores plain ones");
    return xb_err_set(err, -EINVAL, "a %s record (type 0x%" PRIx32 ") where %s belongs",
                      rec_name(type), type, rec_name(want));
}

static int write_rec(int fd, uint32_t type, struct xb_err *err)
{
    uint8_t rec[8];

    put32(rec, type);
    put32(rec + 4, 0);
    return xb__write_full(fd, rec, sizeof(rec), "save image", err);
}

int xb__lx_write_start(int fd, struct xb_err *err)
{
    const uint64_t ident = htobe64(XB_LX_IDENT);
    const uint32_t version = htobe32(XB_LX_VERSION), options = 0;
    uint8_t hdr[XB_LX_HDR_LEN];
    int rc;

    memcpy(hdr, &ident, 8);
    memcpy(hdr + 8, &version, 4);
    memcpy(hdr + 12, &options, 4);
    rc = xb__write_full(fd, hdr, sizeof(hdr), "save image", err);
    return rc ? rc : write_rec(fd, XB_LX_REC_LIBXC, err);
}

int xb__lx_write_end(int fd, struct xb_err *err)
{
    return write_rec(fd, XB_LX_REC_END, err);
}

/* Skip an optional record's body and padding. */
static int skip(int fd, uint32_t length, const char *what, struct xb_err *err)
{
    uint8_t buf[4096];
    uint64_t left = ((uint64_t)length + 7) & ~7ull;
    int rc = 0;

    while (!rc && left) {
        size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
        rc = xb__read_full(fd, buf, n, what, err);
        left -= n;
    }
    return rc;
}

/* Records until the one expected (skipping optional ones). */
static int read_until(int fd, bool before_libxc, const char *what, struct xb_err *err)
{
    uint8_t rec[8];
    int rc;

    for (;;) {
        struct xb_err why = {0};
        rc = xb__read_full(fd, rec, sizeof(rec), what, err);
        if (rc)
            return rc;
        rc = xb__lxrec_check(get32(rec), get32(rec + 4), before_libxc, &why);
        if (rc < 0)
            return xb_err_set(err, rc, "%s: %s", what, why.msg);
        if (rc == 0)
            return 0;
        rc = skip(fd, get32(rec + 4), what, err);
        if (rc)
            return rc;
    }
}

int xb__lx_read_start(int fd, const char *what, struct xb_err *err)
{
    uint8_t hdr[XB_LX_HDR_LEN];
    struct xb_err why = {0};
    int rc = xb__read_full(fd, hdr, sizeof(hdr), what, err);

    if (!rc && (rc = xb__lxhdr_parse(hdr, sizeof(hdr), &why)) != 0)
        return xb_err_set(err, rc, "%s: %s", what, why.msg);
    return rc ? rc : read_until(fd, true, what, err);
}

int xb__lx_read_end(int fd, const char *what, struct xb_err *err)
{
    return read_until(fd, false, what, err);
}
