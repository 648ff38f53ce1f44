/* SPDX-License-Identifier: MIT */
/*
 * lib/config/text.h - a growing text buffer for writing xl.cfg text (emit.c,
 * libxl_json.c): printf-style appends and quoted strings; the first failed
 * allocation marks it bad, and every later append is dropped.
 */
#ifndef XB_CONFIG_TEXT_H
#define XB_CONFIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct xb__text {
    char *p; /* NUL-terminated once anything was appended */
    size_t len, cap;
    bool bad;
};

#define XB__TEXT_MAX (16u << 20) /* larger is bad: no config is that long */

void xb__text_printf(struct xb__text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* @s in double quotes, with C escapes for quotes, backslashes and control bytes. */
void xb__text_quoted(struct xb__text *t, const char *s);

void xb__text_free(struct xb__text *t);

#endif
