/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/decompress.c - bounded decompression of kernel images through
 * the system libraries: zlib, liblzma (xz and lzma), libbz2, liblz4 (frame
 * and the legacy format Linux uses), libzstd and liblzo2 (lzop container).
 * The output never exceeds the caller's limit: a bomb is an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "bytes.h"
#include "decompress.h"
#include "dl.h"

#define XZ_MEMLIMIT      (UINT64_C(256) << 20) /* decoder state, not output */
#define LZ4_LEGACY_BLOCK (8u << 20)            /* lz4 -l block size */
#define LZO_MAX_BLOCK    (64u << 20)           /* lzop's own maximum */
#define FIRST_ALLOC      (1u << 20)

/*
 * The libraries, opened at the first stream of their format (dl.h): each
 * a struct of its functions, in the order of its names.
 */
#define LIB(var, so, pkg, ...)                                                           \
    static const char *const var##_names[] = {__VA_ARGS__};                              \
    static struct xb_dl var##_dl = XB_DL_INIT(so, pkg, var##_names, &var)

static struct {
    __typeof__(inflateInit2_) *init2_;
    __typeof__(inflate) *inflate;
    __typeof__(inflateEnd) *end;
    __typeof__(zError) *error;
} zl;
LIB(zl, "libz.so.1", "zlib1g", "inflateInit2_", "inflate", "inflateEnd", "zError");

static struct {
    __typeof__(lzma_code) *code;
    __typeof__(lzma_end) *end;
    __typeof__(lzma_stream_decoder) *stream_decoder;
    __typeof__(lzma_alone_decoder) *alone_decoder;
} xz;
LIB(xz, "liblzma.so.5", "liblzma5", "lzma_code", "lzma_end", "lzma_stream_decoder",
    "lzma_alone_decoder");

static struct {
    __typeof__(BZ2_bzDecompressInit) *init;
    __typeof__(BZ2_bzDecompress) *decompress;
    __typeof__(BZ2_bzDecompressEnd) *end;
} bz;
LIB(bz, "libbz2.so.1.0", "libbz2-1.0", "BZ2_bzDecompressInit", "BZ2_bzDecompress",
    "BZ2_bzDecompressEnd");

static struct {
    __typeof__(ZSTD_createDCtx) *create;
    __typeof__(ZSTD_decompressStream) *stream;
    __typeof__(ZSTD_isError) *is_error;
    __typeof__(ZSTD_getErrorName) *error_name;
    __typeof__(ZSTD_freeDCtx) *free;
} zs;
LIB(zs, "libzstd.so.1", "libzstd1", "ZSTD_createDCtx", "ZSTD_decompressStream",
    "ZSTD_isError", "ZSTD_getErrorName", "ZSTD_freeDCtx");

static struct {
    __typeof__(LZ4F_createDecompressionContext) *create;
    __typeof__(LZ4F_decompress) *decompress;
    __typeof__(LZ4F_isError) *is_error;
    __typeof__(LZ4F_getErrorName) *error_name;
    __typeof__(LZ4F_freeDecompressionContext) *free;
    __typeof__(LZ4_compressBound) *bound;
    __typeof__(LZ4_decompress_safe) *block;
} l4;
LIB(l4, "liblz4.so.1", "liblz4-1", "LZ4F_createDecompressionContext", "LZ4F_decompress",
    "LZ4F_isError", "LZ4F_getErrorName", "LZ4F_freeDecompressionContext",
    "LZ4_compressBound", "LZ4_decompress_safe");

static struct {
    __typeof__(__lzo_init_v2) *init_v2;
    __typeof__(lzo1x_decompress_safe) *decompress_safe;
} lz;
LIB(lz, "liblzo2.so.2", "liblzo2-2", "__lzo_init_v2", "lzo1x_decompress_safe");

_Static_assert(sizeof(zl) == 4 * sizeof(void *) && sizeof(xz) == 4 * sizeof(void *) &&
                   sizeof(bz) == 3 * sizeof(void *) && sizeof(zs) == 5 * sizeof(void *) &&
                   sizeof(l4) == 7 * sizeof(void *) && sizeof(lz) == 2 * sizeof(void *),
               "a library's functions: one pointer each (dl.h)");

/* The growing output buffer, never larger than limit + 1 bytes. */
struct sink {
    uint8_t *buf;
    size_t len, cap;
    uint64_t limit;
    const char *fmt; /* format name for messages */
    struct xb_err *err;
};

static int sink_over(struct sink *s)
{
    return xb_err_set(s->err, -EFBIG,
                      "%s: decompressed size exceeds the limit of %" PRIu64
                      " bytes (decompression bomb?)",
                      s->fmt, s->limit);
}

/*
 * Make room for at least @need more bytes. The capacity stays within
 * limit + 1 except for block decoders, which may overshoot by one block
 * before sink_done() rejects the result.
 */
static int sink_reserve(struct sink *s, size_t need)
{
    uint64_t max = s->limit + 1, want;
    uint8_t *p;

    if (s->cap - s->len >= need)
        return 0;
    if (s->len >= max)
        return sink_over(s);
    want = s->cap ? (uint64_t)s->cap * 2 : FIRST_ALLOC;
    if (want < (uint64_t)s->len + need)
        want = (uint64_t)s->len + need;
    if (want > max)
        want = max;
    if (want < (uint64_t)s->len + need)
        want = (uint64_t)s->len + need;
    if (want > SIZE_MAX)
        return xb_err_set(s->err, -ENOMEM, "%s: output does not fit in memory", s->fmt);
    p = realloc(s->buf, (size_t)want);
    if (!p)
        return xb_err_set(s->err, -ENOMEM, "%s: out of memory for %" PRIu64 " bytes",
                          s->fmt, want);
    s->buf = p;
    s->cap = (size_t)want;
    return 0;
}

/* Room for the streaming decoders: whatever is left, at least one byte. */
static int sink_more(struct sink *s)
{
    return sink_reserve(s, s->cap > s->len ? s->cap - s->len : 1);
}

static int sink_done(struct sink *s)
{
    return s->len > s->limit ? sink_over(s) : 0;
}

static int truncated(struct sink *s)
{
    return xb_err_set(s->err, -EINVAL, "%s: compressed data truncated (no end of stream)",
                      s->fmt);
}

/* --- gzip --------------------------------------------------------------------- */

static int dec_gzip(const uint8_t *in, size_t len, struct sink *s)
{
    z_stream z = {0};
    int zr = Z_OK, r = 0;

    if (zl.init2_(&z, 15 + 16, ZLIB_VERSION, (int)sizeof(z)) != Z_OK)
        return xb_err_set(s->err, -ENOMEM, "gzip: cannot initialise zlib");
    z.next_in = (Bytef *)(uintptr_t)in;
    while (r == 0 && zr != Z_STREAM_END) {
        if (z.avail_in == 0 && len > 0) {
            z.avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
            len -= z.avail_in;
        }
        r = sink_more(s);
        if (r < 0)
            break;
        z.next_out = s->buf + s->len;
        z.avail_out = s->cap - s->len > UINT_MAX ? UINT_MAX : (uInt)(s->cap - s->len);
        zr = zl.inflate(&z, Z_NO_FLUSH);
        s->len = (size_t)(z.next_out - s->buf);
        if (zr == Z_BUF_ERROR && z.avail_in == 0 && len == 0)
            r = truncated(s);
        else if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            r = xb_err_set(s->err, -EINVAL, "gzip: corrupt data (%s)",
                           z.msg ? z.msg : zl.error(zr));
    }
    zl.end(&z);
    return r;
}

/* --- xz and lzma (liblzma) ------------------------------------------------------ */

static const char *lzma_reason(lzma_ret lr)
{
    switch (lr) {
    case LZMA_FORMAT_ERROR:
        return "not in the expected format";
    case LZMA_OPTIONS_ERROR:
        return "unsupported options";
    case LZMA_DATA_ERROR:
        return "corrupt data";
    case LZMA_BUF_ERROR:
        return "compressed data truncated (no end of stream)";
    case LZMA_MEMLIMIT_ERROR:
    case LZMA_MEM_ERROR:
        return "decoder needs too much memory";
    default:
        return "decoder error";
    }
}

static int run_lzma(lzma_stream *z, const uint8_t *in, size_t len, struct sink *s)
{
    lzma_ret lr = LZMA_OK;
    int r = 0;

    z->next_in = in;
    z->avail_in = len;
    while (r == 0 && lr == LZMA_OK) {
        r = sink_more(s);
        if (r < 0)
            break;
        z->next_out = s->buf + s->len;
        z->avail_out = s->cap - s->len;
        lr = xz.code(z, LZMA_FINISH);
        s->len = (size_t)(z->next_out - s->buf);
        if (lr != LZMA_OK && lr != LZMA_STREAM_END)
            r = xb_err_set(s->err, -EINVAL, "%s: %s", s->fmt, lzma_reason(lr));
    }
    xz.end(z);
    return r;
}

static int dec_xz(const uint8_t *in, size_t len, struct sink *s)
{
    lzma_stream z = LZMA_STREAM_INIT;

    if (xz.stream_decoder(&z, XZ_MEMLIMIT, 0) != LZMA_OK)
        return xb_err_set(s->err, -ENOMEM, "xz: cannot initialise liblzma");
    return run_lzma(&z, in, len, s);
}

static int dec_lzma(const uint8_t *in, size_t len, struct sink *s)
{
    lzma_stream z = LZMA_STREAM_INIT;

    if (xz.alone_decoder(&z, XZ_MEMLIMIT) != LZMA_OK)
        return xb_err_set(s->err, -ENOMEM, "lzma: cannot initialise liblzma");
    return run_lzma(&z, in, len, s);
}

/* --- bzip2 ------------------------------------------------------------------------ */

static int dec_bzip2(const uint8_t *in, size_t len, struct sink *s)
{
    bz_stream z = {0};
    int br = BZ_OK, r = 0;

    if (bz.init(&z, 0, 0) != BZ_OK)
        return xb_err_set(s->err, -ENOMEM, "bzip2: cannot initialise libbz2");
    z.next_in = (char *)(uintptr_t)in;
    while (r == 0 && br != BZ_STREAM_END) {
        if (z.avail_in == 0 && len > 0) {
            z.avail_in = len > UINT_MAX ? UINT_MAX : (unsigned)len;
            len -= z.avail_in;
        }
        r = sink_more(s);
        if (r < 0)
            break;
        z.next_out = (char *)(s->buf + s->len);
        z.avail_out = s->cap - s->len > UINT_MAX ? UINT_MAX : (unsigned)(s->cap - s->len);
        br = bz.decompress(&z);
        s->len = (size_t)((uint8_t *)z.next_out - s->buf);
        if (br == BZ_OK && z.avail_in == 0 && len == 0 && z.avail_out > 0)
            r = truncated(s);
        else if (br != BZ_OK && br != BZ_STREAM_END)
            r = xb_err_set(s->err, -EINVAL, "bzip2: corrupt data (error %d)", br);
    }
    bz.end(&z);
    return r;
}

/* --- zstd ----------------------------------------------------------------------- */

static int dec_zstd(const uint8_t *in, size_t len, struct sink *s)
{
    ZSTD_DCtx *z = zs.create();
    ZSTD_inBuffer ib = {.src = in, .size = len};
    size_t zr = 1;
    int r = 0;

    if (!z)
        return xb_err_set(s->err, -ENOMEM, "zstd: cannot initialise libzstd");
    while (r == 0 && zr != 0) {
        r = sink_more(s);
        if (r < 0)
            break;
        ZSTD_outBuffer ob = {.dst = s->buf, .size = s->cap, .pos = s->len};
        zr = zs.stream(z, &ob, &ib);
        s->len = ob.pos;
        if (zs.is_error(zr))
            r = xb_err_set(s->err, -EINVAL, "zstd: %s", zs.error_name(zr));
        else if (zr != 0 && ib.pos == ib.size && ob.pos < ob.size)
            r = truncated(s);
    }
    zs.free(z);
    return r;
}

/* --- lz4: the frame format and Linux's legacy format ------------------------------ */

static int dec_lz4_frame(const uint8_t *in, size_t len, struct sink *s)
{
    LZ4F_dctx *z = NULL;
    size_t zr = 1, used;
    int r = 0;

    if (l4.is_error(l4.create(&z, LZ4F_VERSION)))
        return xb_err_set(s->err, -ENOMEM, "lz4: cannot initialise liblz4");
    while (r == 0 && zr != 0) {
        size_t out = 0;

        r = sink_more(s);
        if (r < 0)
            break;
        out = s->cap - s->len;
        used = len;
        zr = l4.decompress(z, s->buf + s->len, &out, in, &used, NULL);
        s->len += out;
        in += used;
        len -= used;
        if (l4.is_error(zr))
            r = xb_err_set(s->err, -EINVAL, "lz4: %s", l4.error_name(zr));
        else if (zr != 0 && len == 0 && out == 0)
            r = truncated(s);
    }
    l4.free(z);
    return r;
}

/* Legacy lz4 (lz4 -l): magic, then blocks of [le32 size][data], each up to 8 MiB. */
static int dec_lz4_legacy(const uint8_t *in, size_t len, struct sink *s)
{
    size_t off = 4;
    int r = 0;

    while (r == 0 && len - off >= 4) {
        uint32_t csize = xb__le32(in + off);

        if (csize == 0x184C2102) { /* a new legacy frame */
            off += 4;
            continue;
        }
        if (len - off == 4 && s->len > 0)
            break; /* Linux's appended uncompressed size */
        off += 4;
        if (csize > len - off || csize > (unsigned)l4.bound(LZ4_LEGACY_BLOCK))
            return xb_err_set(s->err, -EINVAL, "lz4: block size 0x%x beyond end of data",
                              csize);
        r = sink_reserve(s, LZ4_LEGACY_BLOCK);
        if (r < 0)
            return r;
        int n = l4.block((const char *)in + off, (char *)s->buf + s->len, (int)csize,
                         LZ4_LEGACY_BLOCK);
        if (n < 0)
            return xb_err_set(s->err, -EINVAL, "lz4: corrupt block at offset 0x%zx", off);
        s->len += (size_t)n;
        off += csize;
        r = sink_done(s);
    }
    return r;
}

static int dec_lz4(const uint8_t *in, size_t len, struct sink *s)
{
    return xb__le32(in) == 0x184C2102 ? dec_lz4_legacy(in, len, s)
                                      : dec_lz4_frame(in, len, s);
}

/* --- lzo (lzop container) --------------------------------------------------------- */

#define LZOP_F_ADLER32_D 0x1u
#define LZOP_F_ADLER32_C 0x2u
#define LZOP_F_H_EXTRA   0x40u
#define LZOP_F_CRC32_D   0x100u
#define LZOP_F_CRC32_C   0x200u
#define LZOP_F_H_FILTER  0x800u

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Skip the lzop file header; return the flags or a negative error. */
static int64_t lzop_header(const uint8_t *in, size_t len, size_t *off, struct sink *s)
{
    size_t o = 9, need;
    uint16_t version;
    uint32_t flags;

    if (len < o + 16)
        return xb_err_set(s->err, -EINVAL, "lzo: header truncated");
    version = (uint16_t)(in[o] << 8 | in[o + 1]);
    o += 4 + (version >= 0x0940 ? 2 : 0); /* version, lib version, needed */
    if (in[o] < 1 || in[o] > 3)
        return xb_err_set(s->err, -ENOTSUP, "lzo: method %u is not LZO1X", in[o]);
    o += 1 + (version >= 0x0940 ? 1 : 0); /* method, level */
    flags = be32(in + o);
    need = o + 4 + ((flags & LZOP_F_H_FILTER) ? 4 : 0) + 8 + (version >= 0x0940 ? 4 : 0);
    if (need + 1 > len)
        return xb_err_set(s->err, -EINVAL, "lzo: header truncated");
    o = need + 1 + in[need] + 4; /* name, header checksum */
    if (flags & LZOP_F_H_EXTRA)
        return xb_err_set(s->err, -ENOTSUP, "lzo: extra header field not supported");
    if (o > len)
        return xb_err_set(s->err, -EINVAL, "lzo: header truncated");
    *off = o;
    return flags;
}

static int lzop_block(const uint8_t *in, size_t len, size_t *off, uint32_t flags,
                      struct sink *s)
{
    size_t o = *off, n;
    uint32_t dlen, clen;

    if (len - o < 4)
        return truncated(s);
    dlen = be32(in + o);
    if (dlen == 0) {
        *off = len;
        return 1; /* end marker */
    }
    if (len - o < 8)
        return truncated(s);
    clen = be32(in + o + 4);
    o += 8 + ((flags & LZOP_F_ADLER32_D) ? 4 : 0) + ((flags & LZOP_F_CRC32_D) ? 4 : 0);
    if (clen < dlen)
        o += ((flags & LZOP_F_ADLER32_C) ? 4 : 0) + ((flags & LZOP_F_CRC32_C) ? 4 : 0);
    if (dlen > LZO_MAX_BLOCK || clen > dlen || o > len || clen > len - o)
        return xb_err_set(s->err, -EINVAL,
                          "lzo: block sizes 0x%x/0x%x beyond end of data", clen, dlen);
    if (sink_reserve(s, dlen) < 0)
        return -EFBIG;
    n = dlen;
    if (clen == dlen)
        memcpy(s->buf + s->len, in + o, dlen);
    else if (lz.decompress_safe(in + o, clen, s->buf + s->len, &n, NULL) != LZO_E_OK ||
             n != dlen)
        return xb_err_set(s->err, -EINVAL, "lzo: corrupt block at offset 0x%zx", o);
    s->len += dlen;
    *off = o + clen;
    return sink_done(s);
}

#define __lzo_init_v2 lz.init_v2 /* lzo_init() (lzoconf.h) calls it */

static int dec_lzo(const uint8_t *in, size_t len, struct sink *s)
{
    size_t off = 0;
    int64_t flags;
    int r = 0;

    if (lzo_init() != LZO_E_OK)
        return xb_err_set(s->err, -ENOMEM, "lzo: cannot initialise liblzo2");
    flags = lzop_header(in, len, &off, s);
    if (flags < 0)
        return (int)flags;
    while (r == 0)
        r = lzop_block(in, len, &off, (uint32_t)flags, s);
    return r < 0 ? r : 0;
}

/* --- the table ----------------------------------------------------------------- */

struct codec {
    enum xb_compression comp;
    const char *name;
    const uint8_t *magic;
    size_t magic_len;
    int (*decode)(const uint8_t *in, size_t len, struct sink *s);
    struct xb_dl *lib;
};

#define MAGIC(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static const struct codec codecs[] = {
    {XB_COMP_GZIP, "gzip", MAGIC(0x1f, 0x8b), dec_gzip, &zl_dl},
    {XB_COMP_XZ, "xz", MAGIC(0xfd, '7', 'z', 'X', 'Z', 0x00), dec_xz, &xz_dl},
    {XB_COMP_LZMA, "lzma", MAGIC(0x5d, 0x00, 0x00), dec_lzma, &xz_dl},
    {XB_COMP_BZIP2, "bzip2", MAGIC('B', 'Z', 'h'), dec_bzip2, &bz_dl},
    {XB_COMP_LZ4, "lz4", MAGIC(0x02, 0x21, 0x4c, 0x18), dec_lz4, &l4_dl},
    {XB_COMP_LZ4, "lz4", MAGIC(0x04, 0x22, 0x4d, 0x18), dec_lz4, &l4_dl},
    {XB_COMP_ZSTD, "zstd", MAGIC(0x28, 0xb5, 0x2f, 0xfd), dec_zstd, &zs_dl},
    {XB_COMP_LZO, "lzo", MAGIC(0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a),
     dec_lzo, &lz_dl},
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

const char *xb_compression_name(enum xb_compression c)
{
    for (size_t i = 0; i < NCODECS; i++)
        if (codecs[i].comp == c)
            return codecs[i].name;
    return "none";
}

enum xb_compression xb__compression_detect(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < NCODECS; i++)
        if (len >= codecs[i].magic_len &&
            memcmp(p, codecs[i].magic, codecs[i].magic_len) == 0)
            return codecs[i].comp;
    return XB_COMP_NONE;
}

int xb__decompress(enum xb_compression c, const uint8_t *in, size_t len, uint64_t limit,
                   uint64_t hint, uint8_t **out, size_t *out_len, struct xb_err *err)
{
    struct sink s = {.limit = limit, .fmt = xb_compression_name(c), .err = err};
    size_t i;
    int r;

    for (i = 0; i < NCODECS && codecs[i].comp != c; i++)
        ;
    if (i == NCODECS)
        return xb_err_set(err, -EINVAL, "no decompressor for compression %d", (int)c);
    if (hint > 0 && hint <= limit && hint < SIZE_MAX) { /* only a first guess */
        s.buf = malloc((size_t)hint + 1);               /* + 1: room to see the end */
        s.cap = s.buf ? (size_t)hint + 1 : 0;
    }
    r = xb__dl_need(codecs[i].lib, err, s.fmt);
    if (r == 0)
        r = codecs[i].decode(in, len, &s);
    if (r == 0)
        r = sink_done(&s);
    if (r == 0 && s.len == 0)
        r = xb_err_set(err, -EINVAL, "%s: stream decompresses to nothing", s.fmt);
    if (r < 0) {
        free(s.buf);
        return r;
    }
    *out = s.buf;
    *out_len = s.len;
    return 0;
}
