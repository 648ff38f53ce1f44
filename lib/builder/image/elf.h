/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/elf.h - a validated view of an ELF32/ELF64 file: header,
 * program and section headers, loadable segments. Pure: every offset and size
 * is checked against the buffer before use; each failure has its own message.
 */
#ifndef XB_IMAGE_ELF_H
#define XB_IMAGE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>

#define XB__MAX_KERNEL_SPAN (UINT64_C(1) << 30) /* pend - pstart */

/* A validated view of an ELF file (header and table bounds checked). */
struct xb__elf {
    const uint8_t *p;
    size_t len;
    unsigned cls; /* 32 or 64 */
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

#endif
