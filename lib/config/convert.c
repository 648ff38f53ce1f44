/* SPDX-License-Identifier: MIT */
/* lib/config/convert.c - typed access to values, with one message per misuse. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "specctx.h"
#include "convert.h"

static void type_error(struct xb__ctx *c, const struct xb__value *v, const char *want)
{
    if (v->kind == XB__V_NUMBER && strcmp(want, "a string") == 0)
        xb__error(c->cfg, &v->pos,
                  "%s: expected a string, got the number %s "
                  "(quote it: '%s')",
                  c->e->key, v->text, v->text);
    else
        xb__error(c->cfg, &v->pos, "%s: expected %s, got %s", c->e->key, want,
                  xb__kind_name(v->kind));
}

const char *xb__want_string(struct xb__ctx *c, const struct xb__value *v)
{
    if (v->kind == XB__V_STRING)
        return v->text;
    type_error(c, v, "a string");
    return NULL;
}

const struct xb__value *xb__want_list(struct xb__ctx *c)
{
    const struct xb__value *v = c->e->value;

    if (v->kind == XB__V_LIST)
        return v;
    xb__error(c->cfg, &v->pos, "%s: expected a list, e.g. %s = [ '...' ], got %s",
              c->e->key, c->e->key, xb__kind_name(v->kind));
    return NULL;
}

static int digit_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        return (ch | 0x20) - 'a' + 10;
    return 99;
}

/* Decimal, 0x hex or leading-0 octal. -EINVAL (bad digit), -ERANGE. */
int xb__parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    int d;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        s++;
    }
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        d = digit_value(*s);
        if (d >= (int)base)
            return -EINVAL;
        if (__builtin_mul_overflow(v, base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v))
            return -ERANGE;
    }
    *out = v;
    return 0;
}

/* A number within [min, max]; a quoted number is accepted as xl does. */
bool xb__want_u64(struct xb__ctx *c, const struct xb__value *v, uint64_t min,
                  uint64_t max, uint64_t *out)
{
    const char *key = c->e->key;
    int rc;

    if (v->kind == XB__V_LIST) {
        type_error(c, v, "a number");
        return false;
    }
    rc = v->text[0] == '-' ? -ERANGE : xb__parse_u64(v->text, out);
    if (rc == -EINVAL) {
        xb__error(c->cfg, &v->pos, "%s: expected a number, got \"%s\"", key, v->text);
        return false;
    }
    if (rc == -ERANGE || *out < min || *out > max) {
        xb__error(c->cfg, &v->pos, "%s: %s is out of range (%" PRIu64 " to %" PRIu64 ")",
                  key, v->text, min, max);
        return false;
    }
    return true;
}

bool xb__want_bool(struct xb__ctx *c, const struct xb__value *v, bool *out)
{
    uint64_t n = 0;

    if (v->kind == XB__V_LIST || xb__parse_u64(v->text, &n) < 0 || n > 1) {
        xb__error(c->cfg, &v->pos, "%s: expected 0 or 1, got %s%s%s", c->e->key,
                  v->kind == XB__V_LIST ? "a list" : "\"",
                  v->kind == XB__V_LIST ? "" : v->text,
                  v->kind == XB__V_LIST ? "" : "\"");
        return false;
    }
    *out = n == 1;
    return true;
}

char *xb__dup(struct xb__ctx *c, const char *s)
{
    char *d = strdup(s);

    if (!d)
        c->cfg->nomem = true;
    return d;
}

struct xb__pos xb__pos_in(const struct xb__value *v, size_t off)
{
    struct xb__pos p = v->pos;

    if (off < 4096)
        p.col += 1 + (unsigned)off;
    return p;
}

static const char *dir_of(struct xb__ctx *c, const struct xb__pos *pos, char **tmp)
{
    const char *slash;

    if (strcmp(pos->file, XB_CONFIG_CMDLINE) == 0)
        return c->opts->override_dir;
    if (c->opts->base_dir)
        return c->opts->base_dir;
    slash = strrchr(pos->file, '/');
    if (!slash)
        return NULL;
    if (slash == pos->file)
        return "/";
    *tmp = strndup(pos->file, (size_t)(slash - pos->file));
    if (!*tmp)
        c->cfg->nomem = true;
    return *tmp;
}

char *xb__resolve(struct xb__ctx *c, const struct xb__pos *pos, const char *path)
{
    char *tmp = NULL, *out = NULL;
    const char *dir = path[0] == '/' ? NULL : dir_of(c, pos, &tmp);
    const char *sep;

    if (!dir || strcmp(dir, ".") == 0) {
        out = xb__dup(c, path);
        goto out;
    }
    sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    if (asprintf(&out, "%s%s%s", dir, sep, path) < 0) {
        out = NULL;
        c->cfg->nomem = true;
    }
out:
    free(tmp);
    return out;
}

struct xb_pos xb__spec_pos(struct xb__ctx *c, const struct xb__pos *pos)
{
    for (size_t i = 0; i < c->cfg->n_files && i < c->spec->n_pos_files; i++)
        if (c->cfg->files[i] == pos->file)
            return (struct xb_pos){c->spec->pos_files[i], pos->line, pos->col};
    return (struct xb_pos){0};
}
