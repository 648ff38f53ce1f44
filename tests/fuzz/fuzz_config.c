/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_config.c - the xl.cfg parser and spec validation under a
 * fuzzer. Built two ways:
 *   -Dfuzz=true (clang): a libFuzzer target (XB_LIBFUZZER defined);
 *   otherwise: linked with fuzz_replay.c, which runs every file (or every
 *   file in every folder) given on the command line through the same function.
 * An input starting with '!' carries a command-line override on its first
 * line ("!memory=5\n..."), so overrides are fuzzed too. The first line is
 * also given to the pure helpers xb_config_vdev_devid() and
 * xb_config_vif_rate(), whose results are checked against their contracts.
 * An input starting with '{' is libxl's JSON (a save image's or a userdata
 * file's domain configuration): parsed with xb_config_parse_libxl_json(),
 * and its xl.cfg text, when there is one, must parse without an error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The helpers' promises: a rate has a non-zero credit and interval. */
static void helpers(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    char *line = strndup((const char *)data, nl ? (size_t)(nl - data) : size);
    uint64_t bytes = 0;
    uint32_t devid, us = 0;

    if (!line)
        return;
    if (xb_config_vdev_devid(line, &devid) == 0 && line[0] == 'x' &&
        (devid >> 8) != 202 && !(devid & (1u << 28)))
        abort(); /* an xvd name encodes as 202<<8 or the extended form */
    if (xb_config_vif_rate(line, &bytes, &us) == 0 && (bytes == 0 || us == 0))
        abort();
    free(line);
}

/* libxl's JSON: the text it converts to is xl.cfg that parses cleanly. */
static void libxl_json(struct xb_config *cfg, const char *buf, size_t len)
{
    char why[256], *text = NULL;
    size_t text_len = 0;
    int rc = xb_config_libxl_json_text(buf, len, &text, &text_len, why, sizeof(why));

    if (rc == 0) {
        struct xb_config *again = NULL;

        if (!text || strlen(text) != text_len)
            abort(); /* NUL-terminated, of the length it says */
        if (xb_config_new(&again) == 0) {
            if (xb_config_parse(again, text, text_len, "dir/fuzz.json") != 0)
                abort(); /* what it writes, it can read back */
            xb_config_free(again);
        }
    } else if (rc == -EINVAL && !memchr(why, '\0', sizeof(why))) {
        abort(); /* the reason is a string */
    }
    free(text);
    xb_config_parse_libxl_json(cfg, buf, len, "dir/fuzz.json");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    struct xb_spec_opts opts = {.strict = size & 1, .override_dir = "/cwd"};
    const uint8_t *body = data;
    size_t len = size;

    helpers(data, size);
    if (xb_config_new(&cfg) < 0)
        return 0;
    override_line(cfg, &body, &len);
    if (len && body[0] == '{')
        libxl_json(cfg, (const char *)body, len);
    else
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
