/* SPDX-License-Identifier: MIT */
/*
 * The image loader on the generated fixtures (tests/fixtures/mkfixtures.py,
 * directory in $XB_FIXTURES): the four shapes real kernels come in, every
 * compression, bzImages, the decompression limit and the buffer API.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slurp.h"
#include <elf.h>
#include <lzo/lzo1x.h>

#include <xbuild/image.h>

#include "builder/image/dl.h"

#define NOTE(t) (UINT64_C(1) << (t))

static char *fixture(const char *name)
{
    static char path[4096];
    const char *dir = getenv("XB_FIXTURES");

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

static struct xb_image *load(const char *name)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    int r = xb_image_load_file(fixture(name), NULL, &img, &err);

    if (r != 0)
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(err.code, 0);
    return img;
}

static uint8_t *slurp(const char *name, size_t *len)
{
    return slurp_path(fixture(name), len);
}

/* ELF32 PAE, notes only in an SHT_NOTE section, 0x100000 layout, large bss. */
static void embox_shape(void **state)
{
    struct xb_image *img = load("embox32.elf");

    assert_int_equal(img->format, XB_IMG_ELF);
    assert_int_equal(img->elf_class, 32);
    assert_int_equal(img->machine, 3);
    assert_int_equal(img->notes.source, XB_NOTES_SHT_NOTE);
    assert_int_equal(img->notes.virt_base, 0x100000);
    assert_int_equal(img->notes.paddr_offset, 0x100000);
    assert_int_equal(img->notes.hypercall_page, 0x100000);
    assert_false(img->notes.present & NOTE(1)); /* no ENTRY note: e_entry */
    assert_string_equal(img->notes.pae_mode, "yes");
    assert_string_equal(img->notes.loader, "generic");
    assert_true(img->pae);
    assert_int_equal(img->guest_types, XB_GUEST_PV32PAE);
    assert_int_equal(img->virt_base, 0x100000);
    assert_int_equal(img->paddr_offset, 0x100000);
    assert_int_equal(img->virt_entry, 0x100000);
    assert_int_equal(img->virt_hypercall, 0x100000);
    assert_int_equal(img->nsegs, 2);
    assert_int_equal(img->segs[1].filesz, 0x800);
    assert_int_equal(img->segs[1].memsz, 0x200000);
    assert_int_equal(img->segs[1].load_vaddr, 0x103000);
    assert_int_equal(img->virt_kstart, 0x100000);
    assert_int_equal(img->virt_kend, 0x303000);
    assert_string_equal(img->not_pvh, "no PHYS32_ENTRY note");
    xb_image_free(img);
}

static void check_minios(const struct xb_image *img)
{
    assert_int_equal(img->elf_class, 64);
    assert_int_equal(img->machine, 62);
    assert_int_equal(img->notes.source, XB_NOTES_PT_NOTE);
    assert_string_equal(img->notes.guest_os, "Mini-OS");
    assert_string_equal(img->notes.xen_version, "xen-3.0");
    assert_int_equal(img->notes.virt_base, XB_UNSET_ADDR);
    assert_int_equal(img->virt_base, 0);
    assert_int_equal(img->paddr_offset, 0);
    assert_int_equal(img->virt_entry, 0);
    assert_int_equal(img->virt_hypercall, 0x1000);
    assert_int_equal(img->virt_kstart, 0);
    assert_int_equal(img->virt_kend, 0x7000);
    assert_int_equal(img->guest_types, XB_GUEST_PV64);
    assert_false(img->pae);
}

/* Mini-OS shape, and the same ELF through every decompressor. */
static void minios_all_compressions(void **state)
{
    static const struct {
        const char *file;
        enum xb_compression c;
    } cases[] = {
        {"minios64.elf", XB_COMP_NONE},  {"minios64.gz", XB_COMP_GZIP},
        {"minios64.xz", XB_COMP_XZ},     {"minios64.lzma", XB_COMP_LZMA},
        {"minios64.bz2", XB_COMP_BZIP2}, {"minios64.lz4", XB_COMP_LZ4},
        {"minios64.lz4f", XB_COMP_LZ4},  {"minios64.zst", XB_COMP_ZSTD},
        {"minios64.lzo", XB_COMP_LZO},
    };
    size_t len;
    uint8_t *ref = slurp("minios64.elf", &len);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xb_image *img = load(cases[i].file);

        assert_int_equal(img->compression, cases[i].c);
        assert_int_equal(img->elf_size, len);
        assert_memory_equal(img->elf, ref, len);
        check_minios(img);
        xb_image_free(img);
    }
    free(ref);
}

/* A legacy __xen_guest string: PADDR_OFFSET defaults to VIRT_BASE, the
 * HYPERCALL_PAGE is a page number above VIRT_BASE. */
static void legacy_shape(void **state)
{
    struct xb_image *img = load("legacy32.elf");

    assert_int_equal(img->notes.source, XB_NOTES_LEGACY);
    assert_string_equal(img->notes.guest_os, "linux");
    assert_string_equal(img->notes.pae_mode, "yes[extended-cr3]");
    assert_int_equal(img->virt_base, 0xC0000000);
    assert_int_equal(img->paddr_offset, 0xC0000000);
    assert_int_equal(img->virt_hypercall, 0xC0101000);
    assert_int_equal(img->virt_kstart, 0xC0100000);
    assert_int_equal(img->virt_kend, 0xC0104000);
    assert_int_equal(img->virt_entry, 0xC0100000);
    assert_true(img->pae);
    assert_int_equal(img->guest_types, XB_GUEST_PV32PAE);
    xb_image_free(img);
}

/* A single PHYS32_ENTRY note: PVH only, and the reason PV is not possible. */
static void pvh_only_shape(void **state)
{
    struct xb_image *img = load("pvh64.elf");

    assert_int_equal(img->guest_types, XB_GUEST_PVH);
    assert_int_equal(img->notes.present, NOTE(18));
    assert_int_equal(img->notes.phys32_entry, 0x100040);
    assert_int_equal(img->virt_entry, 0x100040);
    assert_int_equal(img->virt_base, 0);
    assert_int_equal(img->virt_kstart, 0x100000);
    assert_int_equal(img->virt_kend, 0x103000);
    assert_int_equal(img->virt_hypercall, XB_UNSET_ADDR);
    assert_non_null(strstr(img->not_pv, "expected LOADER=generic or GUEST_OS=linux"));
    assert_string_equal(img->not_pvh, "");
    xb_image_free(img);
}

static void check_linux(const struct xb_image *img)
{
    const struct xb_notes *n = &img->notes;

    assert_int_equal(n->source, XB_NOTES_PT_NOTE);
    assert_string_equal(n->guest_os, "linux");
    assert_string_equal(n->guest_version, "2.6");
    assert_string_equal(n->features, "!writable_page_tables|pae_pgdir_above_4gb");
    assert_int_equal(n->features_required, 1u << 0);
    assert_int_equal(n->features_supported, 0x8811); /* FEATURES | SUPPORTED_FEATURES */
    assert_int_equal(n->entry, 0xffffffff81000100);
    assert_int_equal(n->init_p2m, 0x8000000000);
    assert_int_equal(n->hv_start_low, 0xffff800000000000);
    assert_int_equal(n->l1_mfn_valid_mask, 1);
    assert_int_equal(n->l1_mfn_valid_value, 1);
    assert_int_equal(n->suspend_cancel, 1);
    assert_int_equal(n->mod_start_pfn, 1);
    assert_int_equal(n->phys32_entry, 0x1000200);
    assert_int_equal(n->n_unknown, 1); /* the GNU note is not Xen's */
    assert_int_equal(n->unknown[0].type, 0x20);
    assert_int_equal(n->unknown[0].descsz, 4);
    assert_int_equal(img->guest_types, XB_GUEST_PV64 | XB_GUEST_PVH);
    assert_int_equal(img->virt_base, 0xffffffff80000000);
    assert_int_equal(img->virt_kstart, 0xffffffff81000000);
    assert_int_equal(img->virt_kend, 0xffffffff8100b000);
    assert_int_equal(img->virt_entry, 0xffffffff81000100);
    assert_int_equal(img->segs[0].load_vaddr, 0xffffffff81000000);
    assert_int_equal(img->segs[1].load_vaddr, 0xffffffff81003000);
}

/* Linux shape as a bzImage with every payload compression. */
static void linux_bzimages(void **state)
{
    static const struct {
        const char *file;
        enum xb_compression c;
    } cases[] = {
        {"linux64-gzip.bzImage", XB_COMP_GZIP}, {"linux64-xz.bzImage", XB_COMP_XZ},
        {"linux64-lzma.bzImage", XB_COMP_LZMA}, {"linux64-bzip2.bzImage", XB_COMP_BZIP2},
        {"linux64-lz4.bzImage", XB_COMP_LZ4},   {"linux64-zstd.bzImage", XB_COMP_ZSTD},
        {"linux64-lzo.bzImage", XB_COMP_LZO},
    };
    struct xb_image *plain = load("linux64.elf");

    check_linux(plain);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xb_image *img = load(cases[i].file);

        assert_int_equal(img->format, XB_IMG_BZIMAGE);
        assert_int_equal(img->compression, XB_COMP_NONE);
        assert_int_equal(img->payload_compression, cases[i].c);
        assert_int_equal(img->bzimage_version, 0x020f);
        assert_int_equal(img->elf_size, plain->elf_size);
        assert_memory_equal(img->elf, plain->elf, plain->elf_size);
        check_linux(img);
        xb_image_free(img);
    }
    xb_image_free(plain);
}

/* Some binutils leave a PT_NOTE's p_offset at 0: Xen skips such a segment and
 * reads the SHT_NOTE sections instead; so do we. */
static void pt_note_offset_zero_uses_sections(void **state)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    size_t len;
    uint8_t *buf = slurp("linux64.elf", &len);
    Elf64_Ehdr eh;
    int patched = 0;

    memcpy(&eh, buf, sizeof(eh));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_NOTE)
            continue;
        ph.p_offset = 0;
        memcpy(buf + eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph));
        patched++;
    }
    assert_int_equal(patched, 1);
    if (xb_image_load_buffer(buf, len, NULL, &img, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(img->notes.source, XB_NOTES_SHT_NOTE);
    assert_int_equal(img->notes.phys32_entry, 0x1000200);
    assert_int_equal(img->guest_types, XB_GUEST_PV64 | XB_GUEST_PVH);
    xb_image_free(img);
    free(buf);
}

/* The limit is exact: elf_size passes, one byte less is a bomb. */
static void decompression_limit(void **state)
{
    struct xb_image *img = load("minios64.elf");
    size_t size = img->elf_size;
    const char *files[] = {"minios64.gz",   "minios64.xz",  "minios64.bz2",
                           "minios64.zst",  "minios64.lz4", "minios64.lz4f",
                           "minios64.lzma", "minios64.lzo"};

    xb_image_free(img);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct xb_image_opts exact = {.max_decompressed = size};
        struct xb_image_opts less = {.max_decompressed = size - 1};
        struct xb_err err = {0};
        char want[64];

        img = NULL;
        assert_int_equal(xb_image_load_file(fixture(files[i]), &exact, &img, &err), 0);
        xb_image_free(img);
        assert_int_equal(xb_image_load_file(fixture(files[i]), &less, &img, &err),
                         -EFBIG);
        assert_null(img);
        snprintf(want, sizeof(want), "exceeds the limit of %zu bytes", size - 1);
        if (!strstr(err.msg, want))
            fail_msg("%s: %s", files[i], err.msg);
    }
}

/* load_buffer copies: the caller may reuse its buffer at once. */
static void buffer_is_copied(void **state)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    size_t len;
    uint8_t *buf = slurp("minios64.elf", &len);

    assert_int_equal(xb_image_load_buffer(buf, len, NULL, &img, &err), 0);
    memset(buf, 0xee, len);
    free(buf);
    check_minios(img);
    assert_memory_equal(img->elf,
                        "\x7f"
                        "ELF",
                        4);
    xb_image_free(img);
}

static void bad_arguments(void **state)
{
    struct xb_image *img = (struct xb_image *)&img;
    struct xb_err err = {0};

    assert_int_equal(xb_image_load_buffer(NULL, 10, NULL, &img, &err), -EINVAL);
    assert_null(img);
    xb_err_clear(&err);
    assert_int_equal(xb_image_load_buffer("", 0, NULL, NULL, &err), -EINVAL);
    xb_err_clear(&err);
    assert_int_equal(xb_image_load_buffer(NULL, 0, NULL, &img, &err), -ENOEXEC);
    assert_null(img);
    xb_err_clear(&err);
    assert_int_equal(xb_image_load_file("/nonexistent/vmlinuz", NULL, &img, &err),
                     -ENOENT);
    assert_string_equal(err.msg, "/nonexistent/vmlinuz: open: No such file or directory");
    xb_err_clear(&err);
    assert_int_equal(xb_image_load_file("/", NULL, &img, &err), -EINVAL);
    assert_string_equal(err.msg, "/: not a regular file");
    xb_image_free(NULL);
}

static void names(void **state)
{
    assert_string_equal(xb_compression_name(XB_COMP_XZ), "xz");
    assert_string_equal(xb_compression_name(XB_COMP_NONE), "none");
    assert_string_equal(xb_compression_name((enum xb_compression)99), "none");
    assert_string_equal(xb_note_name(18), "PHYS32_ENTRY");
    assert_string_equal(xb_note_name(1), "ENTRY");
    assert_null(xb_note_name(0));
    assert_null(xb_note_name(19));
    assert_string_equal(xb_feature_name(11), "dom0");
    assert_null(xb_feature_name(200));
}

/* An lzop file with real LZO1X blocks (the fixtures only hold stored ones). */
static uint8_t *lzop(const uint8_t *in, size_t len, size_t *out_len)
{
    static const uint8_t head[] = {
        0x89, 'L',  'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a, 0x10, 0x30, 0x20, 0xa0,
        0x09, 0x40, 1,   5,   0, 0,    0,    0,    0,    0,    0x81, 0xa4, 0,
        0,    0,    0,   0,   0, 0,    0,    0,    0,    0,    0,    0};
    uint8_t *out = malloc(sizeof(head) + len + len / 16 + 64 + 12);
    uint8_t *wrk = malloc(LZO1X_1_MEM_COMPRESS);
    lzo_uint clen = 0;
    size_t o = sizeof(head);

    assert_non_null(out);
    assert_non_null(wrk);
    memcpy(out, head, sizeof(head));
    assert_int_equal(lzo_init(), LZO_E_OK);
    assert_int_equal(lzo1x_1_compress(in, len, out + o + 8, &clen, wrk), LZO_E_OK);
    assert_true(clen < len);
    for (int i = 0; i < 4; i++) {
        out[o + i] = (uint8_t)(len >> (24 - 8 * i));
        out[o + 4 + i] = (uint8_t)(clen >> (24 - 8 * i));
    }
    o += 8 + clen;
    memset(out + o, 0, 4);
    *out_len = o + 4;
    free(wrk);
    return out;
}

static void lzo_compressed_blocks(void **state)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    size_t len, zlen;
    uint8_t *ref = slurp("minios64.elf", &len);
    uint8_t *z = lzop(ref, len, &zlen);

    if (xb_image_load_buffer(z, zlen, NULL, &img, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(img->compression, XB_COMP_LZO);
    assert_memory_equal(img->elf, ref, len);
    xb_image_free(img);
    img = NULL;
    assert_int_equal(xb_image_load_buffer(z, zlen - 14, NULL, &img, &err), -EINVAL);
    assert_null(img);
    assert_non_null(strstr(err.msg, "lzo: block sizes"));
    free(z);
    free(ref);
}

/*
 * The libraries opened when first needed (image/dl.h): one that is not
 * there, or lacks a function, gives one line naming it and its package,
 * each time it is asked for; one that is there fills in its functions.
 */
static void optional_libraries(void **state)
{
    static const char *const none_names[] = {"nothing"}, *const bad_names[] = {
                                                             "inflate", "xb_no_such"};
    static const char *const z_names[] = {"zlibVersion"};
    static struct {
        void (*f)(void);
    } none, bad;
    static struct {
        const char *(*version)(void);
    } z;
    static struct xb_dl none_dl = XB_DL_INIT("libxb-missing.so.9", "xb-missing",
                                             none_names, &none),
                        bad_dl = XB_DL_INIT("libz.so.1", "zlib1g", bad_names, &bad),
                        z_dl = XB_DL_INIT("libz.so.1", "zlib1g", z_names, &z);
    struct xb_err err = {0};

    (void)state;
    for (int i = 0; i < 2; i++) {
        err = (struct xb_err){0};
        assert_int_equal(xb__dl_need(&none_dl, &err, "gzip"), -ENOSYS);
        assert_non_null(strstr(
            err.msg, "gzip: cannot load libxb-missing.so.9 (install xb-missing): "));
        assert_null(strchr(err.msg, '\n'));
    }
    err = (struct xb_err){0};
    assert_int_equal(xb__dl_need(&bad_dl, &err, "gzip"), -ENOSYS);
    assert_non_null(strstr(err.msg, "libz.so.1 (install zlib1g): no xb_no_such in it"));
    assert_int_equal(xb__dl_need(&z_dl, NULL, "gzip"), 0);
    assert_non_null(z.version);
    assert_true(z.version()[0] >= '1');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(embox_shape),
        cmocka_unit_test(minios_all_compressions),
        cmocka_unit_test(legacy_shape),
        cmocka_unit_test(pvh_only_shape),
        cmocka_unit_test(linux_bzimages),
        cmocka_unit_test(pt_note_offset_zero_uses_sections),
        cmocka_unit_test(decompression_limit),
        cmocka_unit_test(buffer_is_copied),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(names),
        cmocka_unit_test(lzo_compressed_blocks),
        cmocka_unit_test(optional_libraries),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
