/* SPDX-License-Identifier: MIT */
/* lib/config/text.c - see text.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static bool grow(struct xb__text *t, size_t more)
{
    size_t cap;
    char *p;

    if (t->bad || more >= XB__TEXT_MAX - t->len) {
        t->bad = true;
        return false;
    }
    if (t->len + more < t->cap)
        return true;
    cap = (t->len + more + 1) * 2;
    p = realloc(t->p, cap);
    if (!p) {
        t->bad = true;
        return false;
    }
    t->p = p;
    t->cap = cap;
    return true;
}

void xb__text_printf(struct xb__text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(t, (size_t)n)) {
        t->bad = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void xb__text_quoted(struct xb__text *t, const char *s)
{
    xb__text_printf(t, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            xb__text_printf(t, "\\%c", *c);
        else if (*c == '\n')
            xb__text_printf(t, "\\n");
        else if (*c == '\t')
            xb__text_printf(t, "\\t");
        else if (*c < 0x20 || *c == 0x7f)
            xb__text_printf(t, "\\x%02x", *c);
        else
            xb__text_printf(t, "%c", *c);
    }
    xb__text_printf(t, "\"");
}

void xb__text_free(struct xb__text *t)
{
    free(t->p);
    *t = (struct xb__text){0};
}
