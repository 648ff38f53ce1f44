/* SPDX-License-Identifier: MIT */
/*
 * main() for the gcc builds of the fuzz targets (config, elf, image): feed
 * every file named on the command line (directories: every regular file in
 * them) to LLVMFuzzerTestOneInput. Fails if nothing was replayed or a file is unreadable;
 * a finding aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n = -1;
    int rc = 1;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        rc = 0;
    } else {
        perror(path);
    }
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

static int replay(const char *path, unsigned *count)
{
    struct stat st;
    struct dirent *e;
    DIR *d;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*count;
        return replay_file(path);
    }
    if (!(d = opendir(path))) {
        perror(path);
        return 1;
    }
    while ((e = readdir(d))) {
        char sub[4096];

        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.' && stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
            ++*count;
            rc |= replay_file(sub);
        }
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++)
        rc |= replay(argv[i], &count);
    printf("replayed %u inputs\n", count);
    return rc || count == 0;
}
