/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image_priv.h - private interfaces between the image modules:
 * decompress.c, bzimage.c, elf.c, notes.c and image.c (which glues them).
 *
 * Every function here is a pure function over a buffer the caller owns; none
 * trusts a field of the image; each failure records its own message in @err.
 */
#ifndef XB_IMAGE_PRIV_H
#define XB_IMAGE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>

#define XB__DEFAULT_MAX_DECOMPRESSED (UINT64_C(1) << 30)
#define XB__MAX_NOTES 1024             /* total ELF notes scanned, like libelf */
#define XB__MAX_KERNEL_SPAN (UINT64_C(1) << 30) /* pend - pstart */

/* --- decompress.c ------------------------------------------------------- */

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

/* --- bzimage.c ---------------------------------------------------------- */

/* True if @p looks like a Linux boot-protocol image (0xAA55 + "HdrS"). */
bool xb__bzimage_detect(const uint8_t *p, size_t len);

/*
 * Validate the setup header of a bzImage and locate its payload.
 * On success *payload points into @p (not owned) and *version holds the
 * boot protocol version.
 */
int xb__bzimage_payload(const uint8_t *p, size_t len, uint16_t *version,
                        const uint8_t **payload, size_t *payload_len,
                        struct xb_err *err);

/* --- elf.c -------------------------------------------------------------- */

/* A validated view of an ELF file (header and table bounds checked). */
struct xb__elf {
    const uint8_t *p;
    size_t len;
    unsigned cls;              /* 32 or 64 */
    uint16_t machine;
    uint64_t entry;
    uint64_t phoff, shoff;
    unsigned phnum, shnum, shstrndx;
};

/* A program header, widened to 64 bits. */
struct xb__phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* A section header, widened to 64 bits. */
struct xb__shdr {
    uint32_t name, type;
    uint64_t offset, size;
};

/* Check the ELF header and the bounds of the program/section header tables. */
int xb__elf_open(struct xb__elf *e, const uint8_t *p, size_t len, struct xb_err *err);

/* Read program header @i (< e->phnum). */
void xb__elf_phdr(const struct xb__elf *e, unsigned i, struct xb__phdr *ph);

/* Read section header @i (< e->shnum). */
void xb__elf_shdr(const struct xb__elf *e, unsigned i, struct xb__shdr *sh);

/*
 * The bytes of a region [off, off+size) of the file, checked against the
 * file size; @what names the region in the error ("phdr[2]", "section[5]").
 */
int xb__elf_region(const struct xb__elf *e, uint64_t off, uint64_t size, const char *what,
                   const uint8_t **out, struct xb_err *err);

/* The name of section @sh, or NULL if it is out of bounds or unterminated. */
const char *xb__elf_section_name(const struct xb__elf *e, const struct xb__shdr *sh);

/*
 * Collect the loadable PT_LOAD segments into img->segs/nsegs and set
 * img->pstart/pend; rejects overflowing, out-of-file and overlapping ones.
 */
int xb__elf_segments(const struct xb__elf *e, struct xb_image *img, struct xb_err *err);

/* --- notes.c ------------------------------------------------------------ */

/*
 * Fill @n from PT_NOTE segments, else SHT_NOTE sections, else the legacy
 * __xen_guest section. Finding none is not an error (n->source stays NONE).
 */
int xb__notes_parse(const struct xb__elf *e, struct xb_notes *n, struct xb_err *err);

/* Little-endian loads (images are x86, the host may not be). */
static inline uint16_t xb__le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t xb__le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t xb__le64(const uint8_t *p)
{
    return (uint64_t)xb__le32(p) | (uint64_t)xb__le32(p + 4) << 32;
}

#endif
