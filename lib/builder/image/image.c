/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/image.c - load a kernel image: unwrap (whole-file compression
 * or bzImage payload), parse the ELF and its Xen notes, then apply the
 * defaults of Xen's ABI (as libelf's elf_xen_parse() does) and decide which
 * guest types the image can boot as.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "bytes.h"
#include "bzimage.h"
#include "cache.h"
#include "decompress.h"
#include "elf.h"
#include "notes.h"

#define NOTE_BIT(t) (UINT64_C(1) << (t))

void xb_image_free(struct xb_image *img)
{
    if (!img)
        return;
    if (img->cache_use == XB_CACHE_HIT) /* a mapping of the cache's entry */
        xb__cache_unmap(img->elf, img->elf_size);
    else
        free((void *)img->elf);
    free(img->segs);
    free(img);
}

/* --- unwrapping ------------------------------------------------------------- */

static int copy_elf(struct xb_image *img, const uint8_t *p, size_t len,
                    struct xb_err *err)
{
    uint8_t *copy = malloc(len ? len : 1);

    if (!copy)
        return xb_err_set(err, -ENOMEM, "out of memory for a %zu-byte image", len);
    memcpy(copy, p, len);
    img->elf = copy;
    img->elf_size = len;
    return 0;
}

/* Where a load gets and keeps decompressed kernels (NULL: nowhere). */
struct unpack {
    const struct xb_image_cache *cache;
    uint64_t limit;
    const uint8_t *file;   /* the whole file, and what stat said of it */
    const struct stat *st; /* (NULL for a buffer) */
};

/* The cache's key of the stream @p: remembered for an unchanged file, or hashed. */
static void stream_key(const uint8_t *p, size_t len, enum xb_compression c,
                       const struct unpack *u, uint8_t key[XB_SHA256_LEN])
{
    uint64_t off = u->st ? (uint64_t)(p - u->file) : 0;

    if (u->st && xb__cache_key_find(u->cache, u->st, c, off, len, key) == 0)
        return;
    xb__sha256(p, len, key);
    if (u->st)
        xb__cache_key_keep(u->cache, u->st, c, off, len, key);
}

static int decompress(struct xb_image *img, enum xb_compression c, const uint8_t *p,
                      size_t len, const struct unpack *u, struct xb_err *err)
{
    uint64_t hint = len >= 4 ? xb__le32(p + len - 4) : 0; /* gzip ISIZE, Linux's size */
    uint8_t key[XB_SHA256_LEN], *out = NULL;
    const uint8_t *hit = NULL;
    size_t out_len = 0;
    int r;

    if (u->cache) {
        stream_key(p, len, c, u, key);
        if (xb__cache_get(u->cache, key, c, u->limit, &hit, &out_len, img->cache_note) ==
            0) {
            img->cache_use = XB_CACHE_HIT;
            img->elf = hit;
            img->elf_size = out_len;
            return 0;
        }
    }
    if (hint / 64 > len) /* a first allocation, not a promise: keep it proportionate */
        hint = 0;
    r = xb__decompress(c, p, len, u->limit, hint, &out, &out_len, err);
    if (r == 0 && u->cache)
        img->cache_use =
            xb__cache_put(u->cache, key, c, out, out_len, img->cache_note) == 0
                ? XB_CACHE_STORED
                : XB_CACHE_MISS;
    img->elf = out;
    img->elf_size = out_len;
    return r;
}

static int unwrap_bzimage(struct xb_image *img, const uint8_t *p, size_t len,
                          const struct unpack *u, struct xb_err *err)
{
    const uint8_t *pl;
    size_t plen;
    int r;

    img->format = XB_IMG_BZIMAGE;
    r = xb__bzimage_payload(p, len, &img->bzimage_version, &pl, &plen, err);
    if (r < 0)
        return r;
    img->payload_compression = xb__compression_detect(pl, plen);
    if (img->payload_compression != XB_COMP_NONE)
        return decompress(img, img->payload_compression, pl, plen, u, err);
    if (plen >= SELFMAG && memcmp(pl, ELFMAG, SELFMAG) == 0)
        return copy_elf(img, pl, plen, err);
    return xb_err_set(
        err, -EINVAL,
        "bzImage: payload is neither compressed (gzip, xz, lzma, bzip2, lz4, "
        "zstd, lzo) nor ELF (starts %02x %02x %02x %02x)",
        pl[0], plen > 1 ? pl[1] : 0, plen > 2 ? pl[2] : 0, plen > 3 ? pl[3] : 0);
}

/* Take @owned (a malloc'd copy of @p, may be NULL) or copy @p. */
static int unwrap(struct xb_image *img, const uint8_t *p, size_t len, uint8_t **owned,
                  const struct unpack *u, struct xb_err *err)
{
    if (xb__bzimage_detect(p, len))
        return unwrap_bzimage(img, p, len, u, err);
    img->compression = xb__compression_detect(p, len);
    if (img->compression != XB_COMP_NONE)
        return decompress(img, img->compression, p, len, u, err);
    if (len >= SELFMAG && memcmp(p, ELFMAG, SELFMAG) == 0) {
        if (!*owned)
            return copy_elf(img, p, len, err);
        img->elf = *owned;
        img->elf_size = len;
        *owned = NULL;
        return 0;
    }
    return xb_err_set(
        err, -ENOEXEC,
        "unrecognised image: not ELF, bzImage, gzip, xz, lzma, bzip2, lz4, zstd "
        "or lzo (starts %02x %02x %02x %02x)",
        len > 0 ? p[0] : 0, len > 1 ? p[1] : 0, len > 2 ? p[2] : 0, len > 3 ? p[3] : 0);
}

/* --- PV: notes, defaults and address checks (libelf's rules) ---------------- */

static bool prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool wants_pae(const struct xb_notes *n)
{
    return prefix(n->pae_mode, "yes") || strstr(n->pae_mode, "bimodal") != NULL;
}

static int pv_notes_check(const struct xb_image *img, struct xb_err *why)
{
    const struct xb_notes *n = &img->notes;

    if (n->source == XB_NOTES_NONE)
        return xb_err_set(why, -ENOEXEC, "no Xen ELF notes and no __xen_guest section");
    if (!prefix(n->loader, "generic") && !prefix(n->guest_os, "linux"))
        return xb_err_set(why, -ENOEXEC,
                          "Xen notes: LOADER \"%s\" and GUEST_OS \"%s\": expected "
                          "LOADER=generic or GUEST_OS=linux",
                          n->loader, n->guest_os);
    if (!prefix(n->xen_version, "xen-3.0"))
        return xb_err_set(why, -ENOEXEC,
                          "Xen notes: XEN_VERSION \"%s\", expected \"xen-3.0\"",
                          n->xen_version);
    if (n->features_required & (1u << XENFEAT_dom0))
        return xb_err_set(
            why, -ENOTSUP,
            "Xen notes: FEATURES requires dom0 (!dom0): cannot run as a guest");
    if (img->machine == EM_386 && !wants_pae(n))
        return xb_err_set(
            why, -ENOTSUP,
            "Xen notes: 32-bit kernel without PAE_MODE=yes (PAE \"%s\"): Xen "
            "runs 32-bit PV guests only with PAE",
            n->pae_mode);
    return 0;
}

struct pv_addrs {
    uint64_t virt_base, paddr_offset, kstart, kend, entry;
};

/* kstart/kend = pstart/pend + virt_base - paddr_offset, without wrapping. */
static int pv_range(const struct xb_image *img, struct pv_addrs *a, struct xb_err *why)
{
    bool ok;

    if (a->virt_base >= a->paddr_offset) {
        uint64_t off = a->virt_base - a->paddr_offset;
        ok = !__builtin_add_overflow(img->pstart, off, &a->kstart) &&
             !__builtin_add_overflow(img->pend, off, &a->kend);
    } else {
        uint64_t off = a->paddr_offset - a->virt_base;
        ok = img->pstart >= off;
        a->kstart = img->pstart - off;
        a->kend = img->pend - off;
    }
    if (!ok)
        return xb_err_set(why, -EINVAL,
                          "Xen notes: VIRT_BASE 0x%" PRIx64 " - PADDR_OFFSET 0x%" PRIx64
                          " moves the kernel [0x%" PRIx64 ", 0x%" PRIx64
                          ") out of the address space",
                          a->virt_base, a->paddr_offset, img->pstart, img->pend);
    return 0;
}

static int pv_defaults(const struct xb_image *img, struct pv_addrs *a, struct xb_err *why)
{
    const struct xb_notes *n = &img->notes;

    if (n->paddr_offset != XB_UNSET_ADDR && n->virt_base == XB_UNSET_ADDR)
        return xb_err_set(why, -EINVAL,
                          "Xen notes: PADDR_OFFSET is set but VIRT_BASE is not");
    a->virt_base = n->virt_base == XB_UNSET_ADDR ? 0 : n->virt_base;
    /* Notes default PADDR_OFFSET to 0; the legacy string to VIRT_BASE. */
    if (n->paddr_offset != XB_UNSET_ADDR)
        a->paddr_offset = n->paddr_offset;
    else
        a->paddr_offset = n->source == XB_NOTES_LEGACY ? a->virt_base : 0;
    a->entry = n->entry == XB_UNSET_ADDR ? img->e_entry : n->entry;
    return pv_range(img, a, why);
}

static int pv_bounds(const struct xb_image *img, const struct pv_addrs *a,
                     struct xb_err *why)
{
    const struct xb_notes *n = &img->notes;

    if (a->entry < a->kstart || a->entry > a->kend)
        return xb_err_set(why, -EINVAL,
                          "entry point 0x%" PRIx64 " outside the kernel [0x%" PRIx64
                          ", 0x%" PRIx64 ")",
                          a->entry, a->kstart, a->kend);
    if (a->virt_base > a->kstart)
        return xb_err_set(why, -EINVAL,
                          "Xen notes: VIRT_BASE 0x%" PRIx64
                          " above the kernel start 0x%" PRIx64,
                          a->virt_base, a->kstart);
    if (n->init_p2m != XB_UNSET_ADDR && n->init_p2m >= a->kstart && n->init_p2m < a->kend)
        return xb_err_set(why, -EINVAL,
                          "Xen notes: INIT_P2M 0x%" PRIx64
                          " inside the kernel [0x%" PRIx64 ", 0x%" PRIx64 ")",
                          n->init_p2m, a->kstart, a->kend);
    if (n->hypercall_page != XB_UNSET_ADDR &&
        (n->hypercall_page < a->kstart || n->hypercall_page >= a->kend))
        return xb_err_set(why, -EINVAL,
                          "Xen notes: HYPERCALL_PAGE 0x%" PRIx64
                          " outside the kernel [0x%" PRIx64 ", 0x%" PRIx64 ")",
                          n->hypercall_page, a->kstart, a->kend);
    return 0;
}

static int pv_check(const struct xb_image *img, struct pv_addrs *a, struct xb_err *why)
{
    int r = pv_notes_check(img, why);

    if (r == 0)
        r = pv_defaults(img, a, why);
    if (r == 0)
        r = pv_bounds(img, a, why);
    return r;
}

/* --- PVH: a PHYS32_ENTRY inside the image, below 4 GiB ---------------------- */

static int pvh_check(const struct xb_image *img, struct xb_err *why)
{
    uint64_t e = img->notes.phys32_entry;

    if (!(img->notes.present & NOTE_BIT(XEN_ELFNOTE_PHYS32_ENTRY)))
        return xb_err_set(why, -ENOEXEC, "no PHYS32_ENTRY note");
    if (e < img->pstart || e >= img->pend)
        return xb_err_set(why, -EINVAL,
                          "Xen notes: PHYS32_ENTRY 0x%" PRIx64
                          " outside the kernel's physical range [0x%" PRIx64
                          ", 0x%" PRIx64 ")",
                          e, img->pstart, img->pend);
    if (img->pend > (UINT64_C(1) << 32))
        return xb_err_set(
            why, -EINVAL,
            "PT_LOAD segments end at paddr 0x%" PRIx64 ", above 4 GiB (PVH)", img->pend);
    return 0;
}

/* --- deriving the final description ----------------------------------------- */

static void apply_pv(struct xb_image *img, const struct pv_addrs *a)
{
    img->virt_base = a->virt_base;
    img->paddr_offset = a->paddr_offset;
    img->virt_kstart = a->kstart;
    img->virt_kend = a->kend;
    img->virt_entry = a->entry;
    img->virt_hypercall = img->notes.hypercall_page;
    img->guest_types |= img->machine == EM_X86_64 ? XB_GUEST_PV64 : XB_GUEST_PV32PAE;
}

static void apply_pvh_only(struct xb_image *img)
{
    img->virt_base = 0;
    img->paddr_offset = 0;
    img->virt_kstart = img->pstart;
    img->virt_kend = img->pend;
    img->virt_entry = img->notes.phys32_entry;
    img->virt_hypercall = XB_UNSET_ADDR;
}

static void copy_reason(char *dst, size_t size, const char *msg)
{
    size_t n = strnlen(msg, size - 1);

    memcpy(dst, msg, n);
    dst[n] = '\0';
}

static int derive(struct xb_image *img, struct xb_err *err)
{
    struct xb_err pv = {0}, pvh = {0};
    struct pv_addrs a = {0};
    bool pv_ok = pv_check(img, &a, &pv) == 0;
    bool pvh_ok = pvh_check(img, &pvh) == 0;

    if (!pv_ok && !pvh_ok) { /* the PVH reason if the image meant to be PVH */
        const struct xb_err *why =
            img->notes.present & NOTE_BIT(XEN_ELFNOTE_PHYS32_ENTRY) ? &pvh : &pv;
        return xb_err_set(err, why->code, "%s", why->msg);
    }
    copy_reason(img->not_pv, sizeof(img->not_pv), pv.msg);
    copy_reason(img->not_pvh, sizeof(img->not_pvh), pvh.msg);
    img->pae = img->machine == EM_386 && wants_pae(&img->notes);
    if (pv_ok)
        apply_pv(img, &a);
    else
        apply_pvh_only(img);
    if (pvh_ok)
        img->guest_types |= XB_GUEST_PVH;
    for (size_t i = 0; i < img->nsegs; i++) /* kstart - pstart == virt offset */
        img->segs[i].load_vaddr = img->segs[i].paddr + (img->virt_kstart - img->pstart);
    return 0;
}

static int parse(struct xb_image *img, struct xb_err *err)
{
    struct xb__elf e;
    int r = xb__elf_open(&e, img->elf, img->elf_size, err);

    if (r < 0)
        return r;
    img->elf_class = e.cls;
    img->machine = e.machine;
    img->e_entry = e.entry;
    r = xb__elf_segments(&e, img, err);
    if (r == 0)
        r = xb__notes_parse(&e, &img->notes, err);
    if (r == 0)
        r = derive(img, err);
    return r;
}

static int load(const uint8_t *p, size_t len, uint8_t *owned,
                const struct xb_image_opts *opts, const struct xb_image_cache *cache,
                const struct stat *st, struct xb_image **out, struct xb_err *err)
{
    const struct unpack u = {
        .cache = cache,
        .limit = opts && opts->max_decompressed ? opts->max_decompressed
                                                : XB__DEFAULT_MAX_DECOMPRESSED,
        .file = p,
        .st = st,
    };
    struct xb_image *img = calloc(1, sizeof(*img));
    int r;

    *out = NULL;
    if (!img) {
        free(owned);
        return xb_err_set(err, -ENOMEM, "out of memory for an image");
    }
    img->file_size = len;
    r = unwrap(img, p, len, &owned, &u, err);
    free(owned);
    if (r == 0)
        r = parse(img, err);
    if (r < 0) {
        xb_image_free(img);
        return r;
    }
    *out = img;
    return 0;
}

int xb_image_load_buffer(const void *buf, size_t len, const struct xb_image_opts *opts,
                         struct xb_image **out, struct xb_err *err)
{
    if (!out)
        return xb_err_set(err, -EINVAL, "xb_image_load_buffer: out is NULL");
    if (!buf && len > 0) {
        *out = NULL;
        return xb_err_set(err, -EINVAL, "xb_image_load_buffer: buf is NULL");
    }
    return load(buf ? buf : "", len, NULL, opts, NULL, NULL, out, err);
}

/* --- files -------------------------------------------------------------------- */

static int read_all(int fd, uint8_t *buf, size_t len, struct xb_err *err)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return xb_err_set(err, -errno, "read: %s", strerror(errno));
        if (n == 0)
            return xb_err_set(err, -EIO, "file shrank while reading");
        got += (size_t)n;
    }
    return 0;
}

static int read_file(const char *path, uint64_t limit, uint8_t **out, size_t *len,
                     struct stat *sto, struct xb_err *err)
{
    struct stat st;
    uint8_t *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

    if (fd < 0)
        return xb_err_set(err, -errno, "open: %s", strerror(errno));
    if (fstat(fd, &st) < 0)
        r = xb_err_set(err, -errno, "stat: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        r = xb_err_set(err, -EINVAL, "not a regular file");
    else if ((uint64_t)st.st_size > limit)
        r = xb_err_set(err, -EFBIG, "file of %jd bytes, more than the limit of %" PRIu64,
                       (intmax_t)st.st_size, limit);
    else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
        r = xb_err_set(err, -ENOMEM, "out of memory for %jd bytes", (intmax_t)st.st_size);
    else
        r = read_all(fd, buf, (size_t)st.st_size, err);
    close(fd);
    if (r < 0) {
        free(buf);
        return r;
    }
    *out = buf;
    *len = (size_t)st.st_size;
    *sto = st;
    return 0;
}

int xb_image_load_cached(const char *path, const struct xb_image_opts *opts,
                         const struct xb_image_cache *cache, struct xb_image **out,
                         struct xb_err *err)
{
    uint64_t limit = opts ? opts->max_decompressed : 0;
    struct xb_err why = {0};
    struct stat st;
    uint8_t *buf = NULL;
    size_t len = 0;
    int r;

    if (!out || !path)
        return xb_err_set(err, -EINVAL, "xb_image_load_cached: path or out is NULL");
    *out = NULL;
    /* The file itself may be up to the larger of the limit and 1 GiB. */
    r = read_file(
        path, limit > XB__DEFAULT_MAX_DECOMPRESSED ? limit : XB__DEFAULT_MAX_DECOMPRESSED,
        &buf, &len, &st, &why);
    if (r == 0)
        r = load(buf, len, buf, opts, cache, &st, out, &why);
    return r < 0 ? xb_err_set(err, r, "%s: %s", path, why.msg) : 0;
}

int xb_image_load_file(const char *path, const struct xb_image_opts *opts,
                       struct xb_image **out, struct xb_err *err)
{
    return xb_image_load_cached(path, opts, NULL, out, err);
}
