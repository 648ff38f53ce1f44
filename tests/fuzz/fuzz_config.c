/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_config.c - the xl.cfg parser and spec validation under a
 * fuzzer. Built two ways:
 *   -Dfuzz=true (clang): a libFuzzer target (XB_LIBFUZZER defined);
 *   otherwise: a replay program that runs every file (or every file in every
 *   folder) given on the command line through the same function.
 * An input starting with '!' carries a command-line override on its first
 * line ("!memory=5\n..."), so overrides are fuzzed too.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xbuild/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void override_line(struct xb_config *cfg, const uint8_t **data, size_t *size)
{
    const uint8_t *nl;
    char *line;

    if (*size == 0 || (*data)[0] != '!')
        return;
    nl = memchr(*data, '\n', *size);
    if (!nl)
        return;
    line = strndup((const char *)*data + 1, (size_t)(nl - *data) - 1);
    if (line)
        xb_config_parse_override(cfg, line);
    free(line);
    *size -= (size_t)(nl - *data) + 1;
    *data = nl + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    struct xb_spec_opts opts = {.strict = size & 1, .override_dir = "/cwd"};
    const uint8_t *body = data;
    size_t len = size;

    if (xb_config_new(&cfg) < 0)
        return 0;
    override_line(cfg, &body, &len);
    xb_config_parse(cfg, (const char *)body, len, "dir/fuzz.cfg");
    if (xb_config_to_spec(cfg, &opts, &spec) == 0 && !spec)
        abort(); /* success must produce a spec */
    for (size_t i = 0; i < xb_config_diag_count(cfg); i++)
        if (!xb_config_diag(cfg, i)->msg || !xb_config_diag(cfg, i)->file)
            abort(); /* every diagnostic has a message and a file */
    xb_spec_free(spec);
    xb_config_free(cfg);
    return 0;
}

#ifndef XB_LIBFUZZER
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        perror(path);
        if (f)
            fclose(f);
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int run_path(const char *path, unsigned *count)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*count;
        return run_file(path);
    }
    d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    while ((e = readdir(d))) {
        char sub[4096];

        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
            ++*count;
            rc |= run_file(sub);
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
        rc |= run_path(argv[i], &count);
    printf("fuzz_config: replayed %u inputs\n", count);
    return rc || count == 0;
}
#endif
