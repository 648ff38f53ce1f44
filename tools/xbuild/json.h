/* SPDX-License-Identifier: MIT */
/* tools/xbuild/json.h - the few libyajl helpers every JSON-printing verb uses. */
#ifndef XBUILD_CLI_JSON_H
#define XBUILD_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include <xbuild/image.h>

/* A generator that pretty-prints with two-space indents; NULL on ENOMEM. */
yajl_gen json_new(void);
/* Write what @g generated to stdout; 0, or -1 if it could not be written. */
int json_print(yajl_gen g);

/* A string, or null when @s is NULL. */
void json_str(yajl_gen g, const char *s);
/* "k": v pairs inside a map. */
void json_kv_str(yajl_gen g, const char *k, const char *v); /* v NULL -> null */
void json_kv_int(yajl_gen g, const char *k, long long v);
void json_kv_bool(yajl_gen g, const char *k, bool v);
/* Addresses as "0x..." strings: JSON numbers lose precision above 2^53. */
void json_addr(yajl_gen g, uint64_t v);
void json_kv_addr(yajl_gen g, const char *k, uint64_t v);

/* The image as `xbuild inspect --json` shows it (defined in cmd_inspect.c). */
void json_image(yajl_gen g, const char *path, const struct xb_image *img);

#endif
