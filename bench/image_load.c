/* SPDX-License-Identifier: MIT */
/*
 * image-load KERNEL [RUNS]: time xb_image_load_file() on a bzImage (read +
 * header + decompress + ELF/notes parse) next to the decompression library
 * alone on the same payload (liblzma's one-call buffer decoder into a buffer
 * of the exact size), and the parse alone on the decompressed ELF.
 * Prints min and median of RUNS (default 7) and the ratio of the minima.
 */
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xbuild/image.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n = -1;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static double time_load(const char *path)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    double t = now_ms();

    if (xb_image_load_file(path, NULL, &img, &err) != 0) {
        fprintf(stderr, "image-load: %s\n", err.msg);
        exit(1);
    }
    t = now_ms() - t;
    xb_image_free(img);
    return t;
}

static double time_lzma(const uint8_t *in, size_t len, size_t out_size)
{
    uint64_t memlimit = UINT64_MAX;
    size_t in_pos = 0, out_pos = 0;
    double t = now_ms();
    uint8_t *out = malloc(out_size);

    if (!out ||
        lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, len, out, &out_pos,
                                  out_size) != LZMA_OK ||
        out_pos != out_size) {
        fprintf(stderr, "image-load: liblzma could not decode the payload\n");
        exit(1);
    }
    t = now_ms() - t;
    free(out);
    return t;
}

static double time_parse(const uint8_t *elf, size_t len)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    double t = now_ms();

    if (xb_image_load_buffer(elf, len, NULL, &img, &err) != 0) {
        fprintf(stderr, "image-load: %s\n", err.msg);
        exit(1);
    }
    t = now_ms() - t;
    xb_image_free(img);
    return t;
}

static void report(const char *what, double *t, int runs)
{
    qsort(t, (size_t)runs, sizeof(*t), cmp);
    printf("%-58s min %8.1f ms  median %8.1f ms\n", what, t[0], t[runs / 2]);
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    double load[64], raw[64], parse[64];
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    size_t len, start, plen;
    uint8_t *file;

    if (argc < 2 || runs < 1 || runs > 64) {
        fprintf(stderr, "usage: image-load KERNEL [RUNS (1-64)]\n");
        return 2;
    }
    file = slurp(argv[1], &len);
    if (xb_image_load_file(argv[1], NULL, &img, &err) != 0 ||
        img->format != XB_IMG_BZIMAGE || img->payload_compression != XB_COMP_XZ) {
        fprintf(stderr, "image-load: %s: need a bzImage with an xz payload %s\n", argv[1],
                err.msg);
        return 1;
    }
    start = (size_t)(file[0x1f1] + 1) * 512 + le32(file + 0x248);
    plen = le32(file + 0x24c);
    printf("kernel: %s: %zu bytes, xz payload %zu bytes -> ELF %zu bytes\n", argv[1], len,
           plen, img->elf_size);
    for (int i = 0; i < runs; i++) {
        load[i] = time_load(argv[1]);
        raw[i] = time_lzma(file + start, plen, img->elf_size);
        parse[i] = time_parse(img->elf, img->elf_size);
    }
    report("xb_image_load_file (read, bzImage, xz, ELF + notes)", load, runs);
    report("liblzma lzma_stream_buffer_decode (same payload)", raw, runs);
    report("xb_image_load_buffer on the decompressed ELF (parse)", parse, runs);
    printf("ratio load/liblzma (min): %.3f  (goal <= 1.10)\n", load[0] / raw[0]);
    xb_image_free(img);
    free(file);
    return 0;
}
