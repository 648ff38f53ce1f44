/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/elf.c - the ELF header, program and section header tables and
 * the loadable segments of a kernel, every field checked before use.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "elf.h"

/* Read an unsigned little-endian field of 1, 2, 4 or 8 bytes. */
static uint64_t rd(const uint8_t *p, size_t size)
{
    switch (size) {
    case 1:
        return p[0];
    case 2:
        return xb__le16(p);
    case 4:
        return xb__le32(p);
    default:
        return xb__le64(p);
    }
}

/* A field of structure T at @base, read whatever its width. */
#define FIELD(base, T, f) rd((base) + offsetof(T, f), sizeof(((T *)0)->f))
/* The same field in the ELF32 or ELF64 flavour of a structure. */
#define CFIELD(e, base, T32, T64, f)                                                     \
    ((e)->cls == 64 ? FIELD(base, T64, f) : FIELD(base, T32, f))

struct machine_rule {
    unsigned cls;
    uint16_t machine;
};

static const struct machine_rule machines[] = {
    {.cls = 32, .machine = EM_386},
    {.cls = 64, .machine = EM_X86_64},
};

static int check_ident(const uint8_t *p, size_t len, struct xb_err *err)
{
    if (len < EI_NIDENT)
        return xb_err_set(err, -EINVAL,
                          "ELF header: truncated (%zu bytes, at least %d needed)", len,
                          EI_NIDENT);
    if (memcmp(p, ELFMAG, SELFMAG) != 0)
        return xb_err_set(err, -EINVAL, "ELF header: bad magic (not an ELF file)");
    if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
        return xb_err_set(
            err, -EINVAL,
            "ELF header: e_ident[EI_CLASS] = %u, expected 1 (ELF32) or 2 (ELF64)",
            p[EI_CLASS]);
    if (p[EI_DATA] != ELFDATA2LSB)
        return xb_err_set(err, -EINVAL,
                          "ELF header: e_ident[EI_DATA] = %u, expected 1 (little-endian)",
                          p[EI_DATA]);
    if (p[EI_VERSION] != EV_CURRENT)
        return xb_err_set(err, -EINVAL,
                          "ELF header: e_ident[EI_VERSION] = %u, expected 1",
                          p[EI_VERSION]);
    return 0;
}

static int check_machine(const struct xb__elf *e, uint16_t type, struct xb_err *err)
{
    if (type != ET_EXEC && type != ET_DYN)
        return xb_err_set(err, -EINVAL,
                          "ELF header: e_type = %u, expected 2 (ET_EXEC) or 3 (ET_DYN)",
                          type);
    for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
        if (machines[i].cls == e->cls && machines[i].machine == e->machine)
            return 0;
    return xb_err_set(
        err, -ENOTSUP,
        "ELF header: e_machine = %u in an ELF%u file, expected %u (x86-64) in "
        "ELF64 or %u (i386) in ELF32",
        e->machine, e->cls, EM_X86_64, EM_386);
}

/* Check that a table of @num entries of @entsize at @off fits in the file. */
static int check_table(const struct xb__elf *e, const char *what, uint64_t off,
                       unsigned num, unsigned entsize, unsigned want, struct xb_err *err)
{
    uint64_t size, end;

    if (entsize != want)
        return xb_err_set(err, -EINVAL, "ELF header: e_%sentsize = %u, expected %u", what,
                          entsize, want);
    if (__builtin_mul_overflow((uint64_t)num, (uint64_t)entsize, &size) ||
        __builtin_add_overflow(off, size, &end))
        return xb_err_set(err, -EINVAL,
                          "ELF header: e_%soff + e_%snum * e_%sentsize overflows", what,
                          what, what);
    if (end > e->len)
        return xb_err_set(err, -EINVAL,
                          "ELF header: %s header table (e_%soff + e_%snum * e_%sentsize) "
                          "beyond end of file (0x%" PRIx64 " > 0x%zx)",
                          strcmp(what, "ph") == 0 ? "program" : "section", what, what,
                          what, end, e->len);
    return 0;
}

static int check_phdrs(const struct xb__elf *e, unsigned entsize, struct xb_err *err)
{
    unsigned want = e->cls == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

    if (e->phnum == 0)
        return xb_err_set(err, -EINVAL, "ELF header: e_phnum = 0, no program headers");
    if (e->phnum == PN_XNUM)
        return xb_err_set(
            err, -EINVAL,
            "ELF header: e_phnum = 0xffff (extended numbering) not supported");
    return check_table(e, "ph", e->phoff, e->phnum, entsize, want, err);
}

static int check_shdrs(struct xb__elf *e, unsigned entsize, struct xb_err *err)
{
    unsigned want = e->cls == 64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

    if (e->shoff == 0 || e->shnum == 0) {
        e->shnum = 0; /* no sections: allowed */
        return 0;
    }
    if (e->shstrndx >= e->shnum && e->shstrndx != SHN_UNDEF)
        return xb_err_set(err, -EINVAL, "ELF header: e_shstrndx = %u, but e_shnum = %u",
                          e->shstrndx, e->shnum);
    return check_table(e, "sh", e->shoff, e->shnum, entsize, want, err);
}

int xb__elf_open(struct xb__elf *e, const uint8_t *p, size_t len, struct xb_err *err)
{
    size_t ehsize;
    int r;

    *e = (struct xb__elf){.p = p, .len = len};
    r = check_ident(p, len, err);
    if (r < 0)
        return r;
    e->cls = p[EI_CLASS] == ELFCLASS64 ? 64 : 32;
    ehsize = e->cls == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (len < ehsize)
        return xb_err_set(err, -EINVAL,
                          "ELF header: truncated (%zu bytes, ELF%u needs %zu)", len,
                          e->cls, ehsize);
    e->machine = (uint16_t)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_machine);
    e->entry = CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_entry);
    e->phoff = CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_phoff);
    e->shoff = CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_shoff);
    e->phnum = (unsigned)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_phnum);
    e->shnum = (unsigned)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_shnum);
    e->shstrndx = (unsigned)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_shstrndx);
    r = check_machine(e, (uint16_t)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_type), err);
    if (r < 0)
        return r;
    r = check_phdrs(e, (unsigned)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_phentsize), err);
    if (r < 0)
        return r;
    return check_shdrs(e, (unsigned)CFIELD(e, p, Elf32_Ehdr, Elf64_Ehdr, e_shentsize),
                       err);
}

void xb__elf_phdr(const struct xb__elf *e, unsigned i, struct xb__phdr *ph)
{
    size_t size = e->cls == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    const uint8_t *b = e->p + e->phoff + (uint64_t)i * size;

    *ph = (struct xb__phdr){
        .type = (uint32_t)CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_type),
        .flags = (uint32_t)CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_flags),
        .offset = CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_offset),
        .vaddr = CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_vaddr),
        .paddr = CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_paddr),
        .filesz = CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_filesz),
        .memsz = CFIELD(e, b, Elf32_Phdr, Elf64_Phdr, p_memsz),
    };
}

void xb__elf_shdr(const struct xb__elf *e, unsigned i, struct xb__shdr *sh)
{
    size_t size = e->cls == 64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    const uint8_t *b = e->p + e->shoff + (uint64_t)i * size;

    *sh = (struct xb__shdr){
        .name = (uint32_t)CFIELD(e, b, Elf32_Shdr, Elf64_Shdr, sh_name),
        .type = (uint32_t)CFIELD(e, b, Elf32_Shdr, Elf64_Shdr, sh_type),
        .offset = CFIELD(e, b, Elf32_Shdr, Elf64_Shdr, sh_offset),
        .size = CFIELD(e, b, Elf32_Shdr, Elf64_Shdr, sh_size),
    };
}

int xb__elf_region(const struct xb__elf *e, uint64_t off, uint64_t size, const char *what,
                   const uint8_t **out, struct xb_err *err)
{
    uint64_t end;

    if (__builtin_add_overflow(off, size, &end))
        return xb_err_set(err, -EINVAL,
                          "%s: offset + size overflows (0x%" PRIx64 " + 0x%" PRIx64 ")",
                          what, off, size);
    if (end > e->len)
        return xb_err_set(err, -EINVAL,
                          "%s: offset + size beyond end of file (0x%" PRIx64 " > 0x%zx)",
                          what, end, e->len);
    *out = e->p + off;
    return 0;
}

const char *xb__elf_section_name(const struct xb__elf *e, const struct xb__shdr *sh)
{
    struct xb__shdr strtab;
    uint64_t end;

    if (e->shstrndx == SHN_UNDEF || e->shstrndx >= e->shnum)
        return NULL;
    xb__elf_shdr(e, e->shstrndx, &strtab);
    if (strtab.type == SHT_NOBITS || sh->name >= strtab.size ||
        __builtin_add_overflow(strtab.offset, strtab.size, &end) || end > e->len)
        return NULL;
    if (!memchr(e->p + strtab.offset + sh->name, '\0', strtab.size - sh->name))
        return NULL;
    return (const char *)e->p + strtab.offset + sh->name;
}

/* --- loadable segments ---------------------------------------------------- */

static bool is_loadable(const struct xb__phdr *ph)
{
    return ph->type == PT_LOAD && (ph->flags & (PF_R | PF_W | PF_X)) != 0;
}

/* An exclusive end address past the 4 GiB space of an ELF32 image. */
static bool beyond_space(const struct xb__elf *e, uint64_t end)
{
    return e->cls == 32 && end > (UINT64_C(1) << 32);
}

static int check_segment(const struct xb__elf *e, unsigned i, const struct xb__phdr *ph,
                         struct xb_err *err)
{
    uint64_t end;

    if (__builtin_add_overflow(ph->offset, ph->filesz, &end))
        return xb_err_set(err, -EINVAL, "phdr[%u]: p_offset + p_filesz overflows", i);
    if (end > e->len)
        return xb_err_set(err, -EINVAL,
                          "phdr[%u]: p_offset + p_filesz beyond end of file (0x%" PRIx64
                          " > 0x%zx)",
                          i, end, e->len);
    if (ph->filesz > ph->memsz)
        return xb_err_set(err, -EINVAL,
                          "phdr[%u]: p_filesz 0x%" PRIx64
                          " larger than p_memsz 0x%" PRIx64,
                          i, ph->filesz, ph->memsz);
    if (__builtin_add_overflow(ph->paddr, ph->memsz, &end) || beyond_space(e, end))
        return xb_err_set(
            err, -EINVAL,
            "phdr[%u]: p_paddr + p_memsz overflows the %u-bit address space "
            "(0x%" PRIx64 " + 0x%" PRIx64 ")",
            i, e->cls, ph->paddr, ph->memsz);
    if (__builtin_add_overflow(ph->vaddr, ph->memsz, &end) || beyond_space(e, end))
        return xb_err_set(
            err, -EINVAL,
            "phdr[%u]: p_vaddr + p_memsz overflows the %u-bit address space "
            "(0x%" PRIx64 " + 0x%" PRIx64 ")",
            i, e->cls, ph->vaddr, ph->memsz);
    return 0;
}

static void add_segment(struct xb_image *img, const struct xb__phdr *ph)
{
    img->segs[img->nsegs++] = (struct xb_segment){
        .offset = ph->offset,
        .filesz = ph->filesz,
        .memsz = ph->memsz,
        .vaddr = ph->vaddr,
        .paddr = ph->paddr,
        .load_vaddr = ph->paddr,
        .flags = ph->flags,
    };
}

static int cmp_paddr(const void *a, const void *b)
{
    const struct xb_segment *x = *(const struct xb_segment *const *)a;
    const struct xb_segment *y = *(const struct xb_segment *const *)b;

    return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Reject segments whose physical ranges overlap; set pstart/pend. */
static int check_overlap(struct xb_image *img, struct xb_err *err)
{
    const struct xb_segment **order = calloc(img->nsegs, sizeof(*order));
    int r = 0;

    if (!order)
        return xb_err_set(err, -ENOMEM, "out of memory sorting %zu segments", img->nsegs);
    for (size_t i = 0; i < img->nsegs; i++)
        order[i] = &img->segs[i];
    qsort(order, img->nsegs, sizeof(*order), cmp_paddr);
    img->pstart = order[0]->paddr;
    img->pend = 0;
    for (size_t i = 0; i < img->nsegs && r == 0; i++) {
        const struct xb_segment *s = order[i];

        if (i > 0 && s->paddr < img->pend)
            r = xb_err_set(err, -EINVAL,
                           "PT_LOAD segments overlap: paddr 0x%" PRIx64
                           " starts below the end 0x%" PRIx64 " of the previous one",
                           s->paddr, img->pend);
        if (s->paddr + s->memsz > img->pend)
            img->pend = s->paddr + s->memsz;
    }
    free(order);
    return r;
}

int xb__elf_segments(const struct xb__elf *e, struct xb_image *img, struct xb_err *err)
{
    struct xb__phdr ph;
    int r;

    img->segs = calloc(e->phnum, sizeof(*img->segs));
    if (!img->segs)
        return xb_err_set(err, -ENOMEM, "out of memory for %u program headers", e->phnum);
    for (unsigned i = 0; i < e->phnum; i++) {
        xb__elf_phdr(e, i, &ph);
        if (!is_loadable(&ph))
            continue;
        r = check_segment(e, i, &ph, err);
        if (r < 0)
            return r;
        add_segment(img, &ph);
    }
    if (img->nsegs == 0)
        return xb_err_set(err, -EINVAL,
                          "no loadable PT_LOAD segment in %u program headers", e->phnum);
    r = check_overlap(img, err);
    if (r < 0)
        return r;
    if (img->pend - img->pstart > XB__MAX_KERNEL_SPAN)
        return xb_err_set(err, -EFBIG,
                          "PT_LOAD segments span 0x%" PRIx64
                          " bytes of guest memory, more "
                          "than the limit of 0x%" PRIx64,
                          img->pend - img->pstart, XB__MAX_KERNEL_SPAN);
    return 0;
}
