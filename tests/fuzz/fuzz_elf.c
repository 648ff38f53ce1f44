/* SPDX-License-Identifier: MIT */
/*
 * fuzz_elf: the ELF + Xen notes parser on a raw buffer. The input is always
 * parsed as ELF (its first four bytes are forced to the ELF magic), so the
 * fuzzer spends its time in elf.c, notes.c and the ABI checks of image.c.
 *   -Dfuzz=true: libFuzzer target; otherwise fuzz_image_replay.c's main()
 *   replays files and directories given on the command line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/image.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xb_image_opts opts = {.max_decompressed = 32u << 20};
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    uint8_t *buf = malloc(size < 4 ? 4 : size);

    if (!buf)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);
    memcpy(buf,
           "\x7f"
           "ELF",
           size < 4 ? size : 4);
    if (xb_image_load_buffer(buf, size, &opts, &img, &err) == 0) {
        /* What the builder will read must lie inside the ELF buffer. */
        for (size_t i = 0; i < img->nsegs; i++)
            if (img->segs[i].offset + img->segs[i].filesz > img->elf_size ||
                img->segs[i].filesz > img->segs[i].memsz || img->guest_types == 0)
                abort();
        xb_image_free(img);
    } else if (img != NULL || err.code == 0 || err.msg[0] == '\0') {
        abort(); /* a failure must say why and return nothing */
    }
    free(buf);
    return 0;
}
