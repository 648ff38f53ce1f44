/* SPDX-License-Identifier: MIT */
/* lib/config/value.c - values of the parsed tree: numbers, strings, lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct xb__value *xb__value_new(enum xb__vkind kind, const struct xb__pos *pos)
{
    struct xb__value *v = calloc(1, sizeof(*v));

    if (!v)
        return NULL;
    v->kind = kind;
    v->pos = *pos;
    return v;
}

void xb__value_free(struct xb__value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_items; i++)
        xb__value_free(v->items[i]);
    free(v->items);
    free(v->text);
    free(v);
}

/* Append @n bytes to v->text, keeping it NUL-terminated; amortised O(n). */
int xb__string_append(struct xb__value *v, const char *s, size_t n)
{
    size_t need;

    if (__builtin_add_overflow(v->len, n + 1, &need))
        return -ENOMEM;
    if (need > v->cap) {
        size_t cap = v->cap ? v->cap : 16;
        char *t;

        while (cap < need)
            if (__builtin_mul_overflow(cap, 2, &cap))
                return -ENOMEM;
        t = realloc(v->text, cap);
        if (!t)
            return -ENOMEM;
        v->text = t;
        v->cap = cap;
    }
    if (n)
        memcpy(v->text + v->len, s, n);
    v->len += n;
    v->text[v->len] = '\0';
    return 0;
}

int xb__list_push(struct xb__value *list, struct xb__value *item)
{
    if (list->n_items == list->cap_items) {
        size_t cap = list->cap_items ? 2 * list->cap_items : 4;
        struct xb__value **items = realloc(list->items, cap * sizeof(*items));

        if (!items)
            return -ENOMEM;
        list->items = items;
        list->cap_items = cap;
    }
    list->items[list->n_items++] = item;
    return 0;
}

const char *xb__kind_name(enum xb__vkind k)
{
    static const char *const names[] = {
        [XB__V_NUMBER] = "a number",
        [XB__V_STRING] = "a string",
        [XB__V_LIST] = "a list",
    };

    return names[k];
}
