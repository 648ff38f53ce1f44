/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/decompress.h - one compressed stream into a bounded buffer
 * (gzip, xz, lzma, bzip2, lz4, zstd, lzo). Pure: over buffers the caller owns.
 */
#ifndef XB_IMAGE_DECOMPRESS_H
#define XB_IMAGE_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>

/* Output bound when the caller gives none: 1 GiB. */
#define XB__DEFAULT_MAX_DECOMPRESSED (UINT64_C(1) << 30)

/* The compression whose magic starts @p, or XB_COMP_NONE. */
enum xb_compression xb__compression_detect(const uint8_t *p, size_t len);

/*
 * Decompress one stream of format @c from @in. Output is bounded by @limit
 * bytes (more is an error naming the limit). @hint, if non-zero, is the
 * expected output size (only used to size the first allocation).
 * On success *out is a malloc'd buffer the caller frees, *out_len its size.
 * Data after the end of the first stream is ignored (Linux appends a size).
 */
int xb__decompress(enum xb_compression c, const uint8_t *in, size_t len, uint64_t limit,
                   uint64_t hint, uint8_t **out, size_t *out_len, struct xb_err *err);

#endif
