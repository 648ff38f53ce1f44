/* SPDX-License-Identifier: MIT */
/*
 * hostile_check - load malformed images and check that each is rejected for
 * its OWN reason (the expected substring in hostile.tsv, written by
 * tests/fixtures/mkfixtures.py next to the hostile-NAME.img files).
 *
 *   hostile_check TSV NAME    one case
 *   hostile_check --all TSV   every case in one process (for valgrind)
 *
 * The decompression limit is 16 MiB so that bombs stay cheap.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/image.h>

#define LIMIT (16u << 20)

static int check(const char *dir, const char *name, const char *expected)
{
    struct xb_image_opts opts = {.max_decompressed = LIMIT};
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    char path[4096];
    int r;

    snprintf(path, sizeof(path), "%s/hostile-%s.img", dir, name);
    r = xb_image_load_file(path, &opts, &img, &err);
    if (r == 0) {
        xb_image_free(img);
        printf("FAIL %s: accepted, expected \"%s\"\n", name, expected);
        return 1;
    }
    if (img != NULL || err.code != r || !strstr(err.msg, expected)) {
        printf("FAIL %s: got %d \"%s\", expected \"%s\"\n", name, r, err.msg, expected);
        return 1;
    }
    printf("ok   %s: %s\n", name, err.msg);
    return 0;
}

/* Run the case @want (or every case if NULL); returns the number of failures. */
static int run(const char *tsv, const char *want)
{
    char line[1024], *dir = strdup(tsv), *tab;
    FILE *f = fopen(tsv, "r");
    int failed = 0, found = 0;

    if (!f || !dir) {
        perror(tsv);
        free(dir);
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (want && strcmp(line, want) != 0)
            continue;
        found++;
        failed += check(dirname(dir), line, tab + 1);
        strcpy(dir, tsv); /* dirname() may modify it */
    }
    fclose(f);
    free(dir);
    if (found == 0) {
        printf("FAIL: no case %s in %s\n", want ? want : "at all", tsv);
        return 1;
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--all") == 0)
        return run(argv[2], NULL) ? 1 : 0;
    if (argc == 3)
        return run(argv[1], argv[2]) ? 1 : 0;
    fprintf(stderr, "usage: hostile_check TSV NAME | --all TSV\n");
    return 2;
}
