/* SPDX-License-Identifier: MIT */
/*
 * xbuild/image.h - kernel images: decompress, unwrap bzImage, parse ELF and
 * Xen notes.
 *
 * Everything here is a pure function over a buffer except
 * xb_image_load_file(), which only reads the file it is given. No field of
 * the image is trusted: every offset and size is checked before use and
 * each rejection records its own message in the struct xb_err.
 */
#ifndef XBUILD_IMAGE_H
#define XBUILD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>

#define XB_UNSET_ADDR UINT64_MAX

enum xb_img_format {
    XB_IMG_ELF = 0,
    XB_IMG_BZIMAGE, /* Linux bzImage wrapping a compressed ELF */
};

enum xb_compression {
    XB_COMP_NONE = 0,
    XB_COMP_GZIP,
    XB_COMP_XZ,
    XB_COMP_LZMA,
    XB_COMP_BZIP2,
    XB_COMP_LZ4,
    XB_COMP_ZSTD,
    XB_COMP_LZO,
};

/* Guest types an image can boot as (bit mask). */
enum {
    XB_GUEST_PV64 = 1u << 0,    /* xen-3.0-x86_64 */
    XB_GUEST_PV32PAE = 1u << 1, /* xen-3.0-x86_32p */
    XB_GUEST_PVH = 1u << 2,     /* hvm-3.0-x86_32 with PHYS32_ENTRY */
};

/* A PT_LOAD segment. */
struct xb_segment {
    uint64_t offset;        /* in the (decompressed) ELF buffer */
    uint64_t filesz, memsz; /* filesz <= memsz, checked */
    uint64_t vaddr, paddr;  /* as in the program header */
    uint64_t load_vaddr;    /* guest virtual address the builder loads it at:
                               paddr + (virt_base - paddr_offset) */
    uint32_t flags;         /* PF_X | PF_W | PF_R */
};

enum xb_note_source {
    XB_NOTES_NONE = 0,
    XB_NOTES_PT_NOTE,  /* PT_NOTE program headers */
    XB_NOTES_SHT_NOTE, /* SHT_NOTE sections */
    XB_NOTES_LEGACY,   /* __xen_guest string section */
};

/* A note of a type xbuild does not know. */
struct xb_unknown_note {
    uint32_t type;
    uint32_t descsz;
};

/*
 * Xen notes, decoded. Numeric fields are XB_UNSET_ADDR when the note is
 * absent (see `present`); the derived fields of struct xb_image carry the
 * values after Xen's ABI defaults are applied.
 */
struct xb_notes {
    enum xb_note_source source;
    uint64_t present;        /* bit N set: note type N (< 64) was seen */
    uint64_t entry;          /* XEN_ELFNOTE_ENTRY */
    uint64_t hypercall_page; /* XEN_ELFNOTE_HYPERCALL_PAGE */
    uint64_t virt_base;      /* XEN_ELFNOTE_VIRT_BASE */
    uint64_t paddr_offset;   /* XEN_ELFNOTE_PADDR_OFFSET */
    uint64_t hv_start_low;   /* XEN_ELFNOTE_HV_START_LOW */
    uint64_t l1_mfn_valid_mask, l1_mfn_valid_value; /* XEN_ELFNOTE_L1_MFN_VALID */
    uint64_t init_p2m;                              /* XEN_ELFNOTE_INIT_P2M */
    uint64_t mod_start_pfn;                         /* XEN_ELFNOTE_MOD_START_PFN (0/1) */
    uint64_t phys32_entry;                          /* XEN_ELFNOTE_PHYS32_ENTRY */
    uint64_t bsd_symtab;                            /* XEN_ELFNOTE_BSD_SYMTAB (0/1) */
    uint64_t suspend_cancel;                        /* XEN_ELFNOTE_SUSPEND_CANCEL */
    char xen_version[64];
    char guest_os[64];
    char guest_version[64];
    char loader[64];
    char pae_mode[32];           /* "yes", "no", "bimodal", "yes[extended-cr3]" */
    char features[256];          /* raw FEATURES string */
    uint32_t features_supported; /* XENFEAT_* bits, FEATURES + SUPPORTED_FEATURES */
    uint32_t features_required;  /* XENFEAT_* bits marked '!' */
    struct xb_unknown_note unknown[16];
    size_t n_unknown; /* may exceed 16: only the first 16 kept */
};

struct xb_image {
    enum xb_img_format format;
    enum xb_compression compression;         /* of the whole file */
    enum xb_compression payload_compression; /* bzImage payload */
    uint16_t bzimage_version;                /* boot protocol, e.g. 0x020f */
    size_t file_size;                        /* bytes read from disk */

    const uint8_t *elf; /* decompressed ELF, owned by the image */
    size_t elf_size;
    unsigned elf_class; /* 32 or 64 */
    uint16_t machine;   /* EM_386 / EM_X86_64 */
    uint64_t e_entry;

    struct xb_segment *segs; /* PT_LOAD segments, owned by the image */
    size_t nsegs;

    struct xb_notes notes;

    /* Derived, Xen ABI defaults applied (as libelf/xc_dom would). */
    uint64_t virt_base;      /* VIRT_BASE or 0 */
    uint64_t paddr_offset;   /* PADDR_OFFSET or virt_base */
    uint64_t pstart, pend;   /* lowest paddr / highest paddr+memsz of PT_LOADs */
    uint64_t virt_kstart;    /* pstart + virt_base - paddr_offset */
    uint64_t virt_kend;      /* pend + virt_base - paddr_offset */
    uint64_t virt_entry;     /* ENTRY note or e_entry */
    uint64_t virt_hypercall; /* HYPERCALL_PAGE note or XB_UNSET_ADDR */
    bool pae;                /* 32-bit image that wants PAE paging */
    unsigned guest_types;    /* XB_GUEST_* mask, never 0 for a loaded image */
    /*
     * Why a guest type is not possible ("" when it is), for tools to show.
     * The derived fields above are the PV ones when PV is possible; for a
     * PVH-only image they are virt_base = paddr_offset = 0 and virt_entry =
     * PHYS32_ENTRY (PVH loads segments at paddr, paging off).
     */
    char not_pv[256];
    char not_pvh[256];
    /* xb_image_load_cached(): where the decompressed ELF came from. */
    enum xb_cache_use {
        XB_CACHE_NONE = 0, /* no cache given, or nothing to decompress */
        XB_CACHE_HIT,      /* read from the cache (elf maps its entry, read-only) */
        XB_CACHE_STORED,   /* decompressed, and kept in the cache */
        XB_CACHE_MISS,     /* decompressed, not kept: cache_note says why */
    } cache_use;
    char cache_note[192]; /* why the cache could not be used ("" when it could) */
};

struct xb_image_opts {
    uint64_t max_decompressed; /* 0 = default 1 GiB */
};

/*
 * Read @path, decompress (whole file or bzImage payload), parse.
 * On success *out owns its buffers; free with xb_image_free().
 * Returns 0 or a negative errno; on error *out is NULL and @err says why,
 * starting with @path: "vmlinuz: open: No such file or directory",
 * "vmlinuz: phdr[3]: p_offset + p_filesz beyond end of file (0x1200 > 0x1000)".
 */
int xb_image_load_file(const char *path, const struct xb_image_opts *opts,
                       struct xb_image **out, struct xb_err *err);

/*
 * Where xb_image_load_cached() keeps decompressed kernels: files in @dir,
 * keyed by the SHA-256 of the compressed bytes (a changed kernel is a new
 * key, whatever its name), the least recently used removed so that their
 * total stays under @max_bytes. @dir must belong to the effective user and
 * be closed to others (it is made 0700 if missing, parents 0755); a cache
 * that is not is not used. A cached kernel is parsed and checked as a
 * fresh one.
 */
struct xb_image_cache {
    const char *dir;
    uint64_t max_bytes; /* 0 = 256 MiB */
};

/*
 * As xb_image_load_file(), but a compressed kernel (the whole file or a
 * bzImage payload) is decompressed only once for @cache (NULL: no cache):
 * later loads of the same bytes read the cache. The cache never makes a
 * load fail: (*out)->cache_use and cache_note tell what it did.
 */
int xb_image_load_cached(const char *path, const struct xb_image_opts *opts,
                         const struct xb_image_cache *cache, struct xb_image **out,
                         struct xb_err *err);

/* As xb_image_load_file() on a buffer the caller owns (copied as needed);
 * messages do not name a file. */
int xb_image_load_buffer(const void *buf, size_t len, const struct xb_image_opts *opts,
                         struct xb_image **out, struct xb_err *err);

/* Free an image. Accepts NULL. */
void xb_image_free(struct xb_image *img);

/* "gzip", "xz", ... "none". Never NULL. */
const char *xb_compression_name(enum xb_compression c);

/* "ENTRY", "PHYS32_ENTRY", ... for a Xen ELF note type; NULL if unknown. */
const char *xb_note_name(unsigned type);

/* "writable_page_tables", ... for a XENFEAT_* bit; NULL if unknown. */
const char *xb_feature_name(unsigned bit);

#endif
