/* SPDX-License-Identifier: MIT */
/*
 * fuzz_image: the whole loader on a raw buffer - format detection, bzImage
 * header, every decompressor (bounded at 32 MiB), then the ELF parser.
 *   -Dfuzz=true: libFuzzer target; otherwise fuzz_image_replay.c's main()
 *   replays files and directories given on the command line.
 */
#include <stdint.h>
#include <stdlib.h>

#include <xbuild/image.h>

#define LIMIT (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xb_image_opts opts = {.max_decompressed = LIMIT};
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    if (xb_image_load_buffer(data, size, &opts, &img, &err) == 0) {
        if (img->elf_size > LIMIT || img->guest_types == 0)
            abort();
        for (size_t i = 0; i < img->nsegs; i++)
            if (img->segs[i].offset + img->segs[i].filesz > img->elf_size)
                abort();
        xb_image_free(img);
    } else if (img != NULL || err.code == 0 || err.msg[0] == '\0') {
        abort();
    }
    return 0;
}
