/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/cache.h - decompressed kernels kept on disk, keyed by
 * the SHA-256 of the compressed bytes (struct xb_image_cache, image.h), so
 * that creating the same kernel again skips its decompression.
 *
 * Trust: the directory must belong to the effective user and be closed to
 * everyone else (mode 0700, made so when missing), every entry too; an
 * entry names its key, format and length in a header, and one that does
 * not match exactly (truncated, another key, over the caller's limit) is a
 * miss. What comes out of the cache is parsed and checked like a fresh
 * decompression: only "these bytes are the decompression of those" is
 * taken from it, which a hostile kernel cannot forge for another kernel's
 * key without a SHA-256 collision.
 * Bound: the entries' total size stays under cache->max_bytes, the least
 * recently used (by mtime, touched on every hit) removed first.
 * Nothing here fails a load: a cache that cannot be used is a miss, and
 * *note says why.
 */
#ifndef XB_IMAGE_CACHE_H
#define XB_IMAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <xbuild/image.h>

#include "sha256.h"

#define XB__CACHE_DEFAULT_MAX (UINT64_C(256) << 20)
#define XB__CACHE_NOTE_MAX    sizeof(((struct xb_image *)0)->cache_note)

/*
 * The decompression of the @c-compressed stream whose SHA-256 is @key:
 * 0 with *out, *out_len <= @limit bytes, a read-only mapping of the entry
 * (give it back with xb__cache_unmap()), or -ENOENT (a miss; @note says
 * why when the cache is not usable).
 */
int xb__cache_get(const struct xb_image_cache *cache, const uint8_t key[XB_SHA256_LEN],
                  enum xb_compression c, uint64_t limit, const uint8_t **out,
                  size_t *out_len, char note[XB__CACHE_NOTE_MAX]);

/* Unmap what xb__cache_get() gave. */
void xb__cache_unmap(const uint8_t *data, size_t len);

/*
 * The key of the @len-byte @c-compressed stream at @off in the kernel file
 * @st describes, remembered by xb__cache_key_keep() while the file has the
 * same device, inode, size, mtime and ctime (its content can change only
 * with its ctime, which only the kernel sets): 0, or -ENOENT (hash it).
 * This spares hashing the kernel on every create; the entry is still
 * found by its key, so the cache stays keyed by content.
 */
int xb__cache_key_find(const struct xb_image_cache *cache, const struct stat *st,
                       enum xb_compression c, uint64_t off, uint64_t len,
                       uint8_t key[XB_SHA256_LEN]);

/*
 * Remember @key for that stream of file @st, unless the file changed in the
 * last seconds (timestamps are coarse: it could change again within the
 * same tick, unseen). Best effort: nothing to report.
 */
void xb__cache_key_keep(const struct xb_image_cache *cache, const struct stat *st,
                        enum xb_compression c, uint64_t off, uint64_t len,
                        const uint8_t key[XB_SHA256_LEN]);

/*
 * Keep @len bytes at @data as the decompression of @key, then trim the
 * cache to its bound. 0 when stored, -errno when not (@note says why).
 */
int xb__cache_put(const struct xb_image_cache *cache, const uint8_t key[XB_SHA256_LEN],
                  enum xb_compression c, const uint8_t *data, size_t len,
                  char note[XB__CACHE_NOTE_MAX]);

#endif
