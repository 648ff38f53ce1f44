/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/sha256.h - SHA-256 (FIPS 180-4) over a buffer: the key
 * of the decompressed-kernel cache (image/cache.c). Pure.
 */
#ifndef XB_IMAGE_SHA256_H
#define XB_IMAGE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define XB_SHA256_LEN 32

/* The digest of @len bytes at @p (p may be NULL when len is 0) into @out. */
void xb__sha256(const void *p, size_t len, uint8_t out[XB_SHA256_LEN]);

#endif
