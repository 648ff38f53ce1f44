/* SPDX-License-Identifier: MIT */
/*
 * The image loader on a real third-party kernel: Debian's linux-image-amd64
 * bzImage (xz payload, PV and PVH notes), path in argv[1] (see
 * tests/fixtures/with-debian-kernel, which fetches it).
 */
#include <errno.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slurp.h"

#include <xbuild/image.h>

#define LINUX_VIRT_BASE 0xffffffff80000000ull

static const char *kernel;

static uint8_t *slurp(size_t *len)
{
    return slurp_path(kernel, len);
}

static struct xb_image *load(void)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    if (xb_image_load_file(kernel, NULL, &img, &err) != 0)
        fail_msg("%s", err.msg);
    return img;
}

static void pv_and_pvh(void **state)
{
    struct xb_image *img = load();
    const struct xb_notes *n = &img->notes;

    assert_int_equal(img->format, XB_IMG_BZIMAGE);
    assert_true(img->bzimage_version >= 0x0208);
    assert_int_equal(img->payload_compression, XB_COMP_XZ);
    assert_int_equal(img->elf_class, 64);
    assert_int_equal(img->machine, 62);
    assert_int_equal(n->source, XB_NOTES_PT_NOTE);
    assert_string_equal(n->guest_os, "linux");
    assert_string_equal(n->xen_version, "xen-3.0");
    assert_string_equal(n->loader, "generic");
    assert_int_equal(n->virt_base, LINUX_VIRT_BASE);
    assert_true(n->features_required & 1u); /* !writable_page_tables */
    assert_int_equal(img->guest_types, XB_GUEST_PV64 | XB_GUEST_PVH);
    assert_string_equal(img->not_pv, "");
    assert_string_equal(img->not_pvh, "");
    assert_true(n->phys32_entry >= img->pstart && n->phys32_entry < img->pend);
    assert_true(img->virt_entry >= img->virt_kstart && img->virt_entry < img->virt_kend);
    assert_int_equal(img->virt_kstart, img->pstart + LINUX_VIRT_BASE);
    assert_true(img->nsegs >= 2);
    for (size_t i = 0; i < img->nsegs; i++)
        assert_int_equal(img->segs[i].load_vaddr, img->segs[i].paddr + LINUX_VIRT_BASE);
    xb_image_free(img);
}

/* The ELF we hand the builder is exactly what liblzma makes of the payload. */
static void payload_matches_liblzma(void **state)
{
    struct xb_image *img = load();
    size_t len, pos = 0, in_pos = 0;
    uint8_t *file = slurp(&len);
    size_t start =
        (size_t)(file[0x1f1] + 1) * 512 +
        (file[0x248] | file[0x249] << 8 | file[0x24a] << 16 | (size_t)file[0x24b] << 24);
    size_t plen =
        file[0x24c] | file[0x24d] << 8 | file[0x24e] << 16 | (size_t)file[0x24f] << 24;
    uint8_t *out = malloc(img->elf_size);
    uint64_t memlimit = UINT64_MAX;

    assert_non_null(out);
    assert_true(start + plen <= len);
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, file + start, &in_pos,
                                           plen, out, &pos, img->elf_size);
    assert_int_equal(r, LZMA_OK);
    assert_int_equal(pos, img->elf_size);
    assert_memory_equal(out, img->elf, pos);
    free(out);
    free(file);
    xb_image_free(img);
}

static void bounded(void **state)
{
    struct xb_image_opts opts = {.max_decompressed = 16u << 20};
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    assert_int_equal(xb_image_load_file(kernel, &opts, &img, &err), -EFBIG);
    assert_null(img);
    assert_non_null(
        strstr(err.msg, "xz: decompressed size exceeds the limit of 16777216"));
}

static void truncated(void **state)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    size_t len;
    uint8_t *file = slurp(&len);

    assert_int_equal(xb_image_load_buffer(file, len / 2, NULL, &img, &err), -EINVAL);
    assert_null(img);
    assert_non_null(
        strstr(err.msg, "bzImage: payload_offset + payload_length beyond end"));
    free(file);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pv_and_pvh),
        cmocka_unit_test(payload_matches_liblzma),
        cmocka_unit_test(bounded),
        cmocka_unit_test(truncated),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: test_image_debian VMLINUZ\n");
        return 2;
    }
    kernel = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
