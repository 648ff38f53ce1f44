/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

yajl_gen json_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
    }
    return g;
}

int json_print(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        return -1;
    if (fwrite(buf, 1, len, stdout) != len)
        return -1;
    return fflush(stdout) == 0 ? 0 : -1;
}

void json_str(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
}

void json_kv_str(yajl_gen g, const char *k, const char *v)
{
    json_str(g, k);
    json_str(g, v);
}

void json_kv_int(yajl_gen g, const char *k, long long v)
{
    json_str(g, k);
    yajl_gen_integer(g, v);
}

void json_kv_bool(yajl_gen g, const char *k, bool v)
{
    json_str(g, k);
    yajl_gen_bool(g, v);
}

void json_addr(yajl_gen g, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
    json_str(g, buf);
}

void json_kv_addr(yajl_gen g, const char *k, uint64_t v)
{
    json_str(g, k);
    json_addr(g, v);
}
