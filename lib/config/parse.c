/* SPDX-License-Identifier: MIT */
/*
 * lib/config/parse.c - the xl.cfg parser: statements into entries.
 *
 *   file      := { statement } EOF
 *   statement := KEY ('=' | '+=') value (NEWLINE | ';' | EOF) | NEWLINE | ';'
 *   value     := NUMBER | STRING | '[' [ value { ',' value } [ ',' ] ] ']'
 *
 * Newlines inside a list are ignored. After a syntax error the parser skips
 * to the next line that starts a statement (KEY = ...), so that every error
 * of a file is reported once, without cascades.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_DEPTH 64 /* nested lists; deeper is an error, not a crash */

struct parser {
    struct xb_config *cfg;
    struct xb__lexer lx;
    struct xb__token tok; /* current token */
    bool first;           /* tok is the first of its statement line */
    bool override;
};

static void next(struct parser *p)
{
    p->first = p->tok.kind == XB__T_NEWLINE || p->tok.kind == XB__T_SEMI;
    xb__lex_next(&p->lx, &p->tok);
}

static void skip_newlines(struct parser *p)
{
    while (p->tok.kind == XB__T_NEWLINE)
        next(p);
}

/* "a string 'abc'", "the word \"destroy\"", "'='" ... for messages. */
static void describe(const struct xb__token *t, char *buf, size_t size)
{
    int n = (int)(t->len > 40 ? 40 : t->len);
    const char *more = t->len > 40 ? "..." : "";

    switch (t->kind) {
    case XB__T_IDENT:
        snprintf(buf, size, "the word \"%.*s%s\"", n, t->text, more);
        break;
    case XB__T_NUMBER:
        snprintf(buf, size, "the number %.*s%s", n, t->text, more);
        break;
    case XB__T_STRING:
        snprintf(buf, size, "the string \"%.*s%s\"", n, t->text, more);
        break;
    default:
        snprintf(buf, size, "%s", xb__tok_name(t->kind));
        break;
    }
}

/* The current token starts a line and is a KEY followed by '=' or '+='. */
static bool at_statement_start(struct parser *p)
{
    return p->first && p->tok.kind == XB__T_IDENT && xb__lex_assign_follows(&p->lx);
}

/* Skip to the next line that starts with a key, or EOF. */
static void recover(struct parser *p)
{
    while (p->tok.kind != XB__T_EOF && !(p->first && p->tok.kind == XB__T_IDENT))
        next(p);
}

static struct xb__value *parse_value(struct parser *p, unsigned depth);

static struct xb__value *scalar(struct parser *p, enum xb__vkind kind)
{
    struct xb__value *v = xb__value_new(kind, &p->tok.pos);

    if (!v || xb__string_append(v, p->tok.text, p->tok.len) < 0) {
        xb__value_free(v);
        p->cfg->nomem = true;
        return NULL;
    }
    v->bad = p->tok.bad;
    next(p);
    return v;
}

static bool list_item(struct parser *p, struct xb__value *list, unsigned depth)
{
    struct xb__value *item = parse_value(p, depth + 1);

    if (!item)
        return false;
    if (xb__list_push(list, item) < 0) {
        xb__value_free(item);
        p->cfg->nomem = true;
        return false;
    }
    list->bad |= item->bad;
    return true;
}

static bool unclosed(struct parser *p, const struct xb__value *list)
{
    xb__error(p->cfg, &list->pos,
              "list is not closed: missing ']' (before %s at "
              "line %u)",
              at_statement_start(p) ? "the next key" : xb__tok_name(p->tok.kind),
              p->tok.pos.line);
    return false;
}

/* After an item: ',' or ']' (or a missing comma, reported). */
static bool list_sep(struct parser *p, struct xb__value *list, bool *done)
{
    char what[80];

    skip_newlines(p);
    if (p->tok.kind == XB__T_COMMA) {
        next(p);
        return true;
    }
    if (p->tok.kind == XB__T_RBRACK) {
        *done = true;
        return true;
    }
    if (p->tok.kind == XB__T_EOF || at_statement_start(p))
        return unclosed(p, list);
    describe(&p->tok, what, sizeof(what));
    xb__error(p->cfg, &p->tok.pos,
              "expected ',' or ']' in the list opened at line %u, "
              "got %s",
              list->pos.line, what);
    return false;
}

static struct xb__value *parse_list(struct parser *p, unsigned depth)
{
    struct xb__value *list = xb__value_new(XB__V_LIST, &p->tok.pos);
    bool done = false;

    if (!list) {
        p->cfg->nomem = true;
        return NULL;
    }
    next(p);
    while (!done) {
        skip_newlines(p);
        if (p->tok.kind == XB__T_RBRACK)
            break;
        if (p->tok.kind == XB__T_EOF || at_statement_start(p))
            goto bad;
        if (!list_item(p, list, depth) || !list_sep(p, list, &done))
            goto fail;
    }
    next(p); /* ']' */
    return list;
bad:
    unclosed(p, list);
fail:
    xb__value_free(list);
    return NULL;
}

static struct xb__value *bad_value(struct parser *p)
{
    char what[80];

    describe(&p->tok, what, sizeof(what));
    if (p->tok.kind == XB__T_IDENT)
        xb__error(p->cfg, &p->tok.pos,
                  "expected a value, got %s: strings need quotes, "
                  "e.g. '%.*s'",
                  what, (int)(p->tok.len > 40 ? 40 : p->tok.len), p->tok.text);
    else
        xb__error(p->cfg, &p->tok.pos,
                  "expected a value (a number, a 'string' or a "
                  "[ list ]), got %s",
                  what);
    return NULL;
}

static struct xb__value *parse_value(struct parser *p, unsigned depth)
{
    if (depth > MAX_DEPTH) {
        xb__error(p->cfg, &p->tok.pos, "lists are nested more than %d deep", MAX_DEPTH);
        return NULL;
    }
    switch (p->tok.kind) {
    case XB__T_NUMBER:
        return scalar(p, XB__V_NUMBER);
    case XB__T_STRING:
        return scalar(p, XB__V_STRING);
    case XB__T_LBRACK:
        return parse_list(p, depth);
    default:
        return bad_value(p);
    }
}

/* ---- the entry table: one entry per key, found through a hash ---- */

static size_t hash_key(const char *s)
{
    size_t h = 14695981039346656037u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t *slot(struct xb_config *cfg, const char *key)
{
    size_t mask = cfg->hash_cap - 1, i = hash_key(key) & mask;

    while (cfg->hash[i] && strcmp(cfg->entries[cfg->hash[i] - 1].key, key) != 0)
        i = (i + 1) & mask;
    return &cfg->hash[i];
}

static int rehash(struct xb_config *cfg)
{
    size_t cap = cfg->hash_cap ? 2 * cfg->hash_cap : 64;
    size_t *h = calloc(cap, sizeof(*h));

    if (!h)
        return -ENOMEM;
    free(cfg->hash);
    cfg->hash = h;
    cfg->hash_cap = cap;
    for (size_t i = 0; i < cfg->n_entries; i++)
        *slot(cfg, cfg->entries[i].key) = i + 1;
    return 0;
}

static struct xb__entry *find_entry(struct xb_config *cfg, const char *key)
{
    size_t *s;

    if (!cfg->hash_cap)
        return NULL;
    s = slot(cfg, key);
    return *s ? &cfg->entries[*s - 1] : NULL;
}

static struct xb__entry *add_entry(struct xb_config *cfg, char *key)
{
    if (2 * (cfg->n_entries + 1) > cfg->hash_cap && rehash(cfg) < 0)
        return NULL;
    if (cfg->n_entries == cfg->cap_entries) {
        size_t cap = cfg->cap_entries ? 2 * cfg->cap_entries : 32;
        struct xb__entry *e = realloc(cfg->entries, cap * sizeof(*e));

        if (!e)
            return NULL;
        cfg->entries = e;
        cfg->cap_entries = cap;
    }
    cfg->entries[cfg->n_entries] = (struct xb__entry){.key = key};
    *slot(cfg, key) = ++cfg->n_entries;
    return &cfg->entries[cfg->n_entries - 1];
}

/* `KEY += V`: strings concatenate, lists append; @v is consumed. */
static void append(struct xb_config *cfg, struct xb__entry *e, struct xb__value *v)
{
    struct xb__value *old = e->value;
    int rc = 0;

    if (old->kind != v->kind || v->kind == XB__V_NUMBER) {
        xb__error(
            cfg, &v->pos, "cannot append %s to \"%s\", which is %s (set at line %u)",
            xb__kind_name(v->kind), e->key, xb__kind_name(old->kind), old->pos.line);
        old->bad = true;
        xb__value_free(v);
        return;
    }
    old->bad |= v->bad;
    if (v->kind == XB__V_STRING)
        rc = xb__string_append(old, v->text, v->len);
    for (size_t i = 0; rc == 0 && i < v->n_items; i++)
        rc = xb__list_push(old, v->items[i]);
    if (rc < 0)
        cfg->nomem = true;
    if (v->kind == XB__V_LIST && rc == 0)
        v->n_items = 0; /* items now owned by old */
    xb__value_free(v);
}

static void replace(struct xb_config *cfg, struct xb__entry *e, const struct xb__pos *pos,
                    struct xb__value *v, bool override)
{
    if (!override && !e->from_override)
        xb__warn(cfg, pos, "\"%s\" is set twice: this value replaces the one at line %u",
                 e->key, e->pos.line);
    xb__value_free(e->value);
    e->value = v;
    e->pos = *pos;
    e->from_override = override;
}

/* Record KEY op V. @key (malloc'd) and @v are consumed. */
static void store(struct xb_config *cfg, char *key, const struct xb__pos *pos,
                  enum xb__tok op, struct xb__value *v, bool override)
{
    struct xb__entry *e = find_entry(cfg, key);

    if (e) {
        free(key);
        if (op == XB__T_APPEND)
            append(cfg, e, v);
        else
            replace(cfg, e, pos, v, override);
        return;
    }
    e = add_entry(cfg, key);
    if (!e) {
        free(key);
        xb__value_free(v);
        cfg->nomem = true;
        return;
    }
    e->pos = *pos;
    e->value = v;
    e->from_override = override;
}

/* ---- statements ---- */

static bool statement_end(struct parser *p, const char *key)
{
    char what[80];

    if (p->tok.kind == XB__T_NEWLINE || p->tok.kind == XB__T_SEMI ||
        p->tok.kind == XB__T_EOF)
        return true;
    describe(&p->tok, what, sizeof(what));
    xb__error(p->cfg, &p->tok.pos,
              "expected the end of the line or ';' after the value "
              "of \"%s\", got %s",
              key, what);
    return false;
}

static bool statement_op(struct parser *p, const char *key, enum xb__tok *op)
{
    char what[80];

    *op = p->tok.kind;
    if (*op == XB__T_ASSIGN || *op == XB__T_APPEND) {
        next(p);
        return true;
    }
    describe(&p->tok, what, sizeof(what));
    xb__error(p->cfg, &p->tok.pos, "expected '=' after \"%s\", got %s", key, what);
    return false;
}

static void statement(struct parser *p)
{
    struct xb__pos pos = p->tok.pos;
    char *key = strndup(p->tok.text, p->tok.len);
    struct xb__value *v = NULL;
    enum xb__tok op;

    if (!key) {
        p->cfg->nomem = true;
        recover(p);
        return;
    }
    next(p);
    if (!statement_op(p, key, &op) || !(v = parse_value(p, 0)) ||
        !statement_end(p, key)) {
        free(key);
        xb__value_free(v);
        recover(p);
        return;
    }
    store(p->cfg, key, &pos, op, v, p->override);
}

static void parse_file(struct parser *p)
{
    char what[80];

    next(p);
    while (p->tok.kind != XB__T_EOF) {
        if (p->tok.kind == XB__T_NEWLINE || p->tok.kind == XB__T_SEMI) {
            next(p);
        } else if (p->tok.kind == XB__T_IDENT) {
            statement(p);
        } else {
            describe(&p->tok, what, sizeof(what));
            xb__error(p->cfg, &p->tok.pos, "expected a key (KEY = VALUE), got %s", what);
            recover(p);
        }
    }
}

int xb__parse(struct xb_config *cfg, const char *buf, size_t len, const char *file,
              unsigned line, bool override)
{
    struct parser p = {.cfg = cfg, .override = override, .tok.kind = XB__T_NEWLINE};
    size_t errors = cfg->n_errors;
    const char *name = xb__intern_file(cfg, file ? file : "<config>");

    if (!name)
        return -ENOMEM;
    xb__lex_init(&p.lx, cfg, buf, len, name);
    p.lx.line = line;
    parse_file(&p);
    xb__lex_fini(&p.lx);
    if (cfg->nomem)
        return -ENOMEM;
    return cfg->n_errors > errors ? -EINVAL : 0;
}

/* ---- public entry points ---- */

int xb_config_new(struct xb_config **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : -ENOMEM;
}

void xb_config_free(struct xb_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_entries; i++) {
        free(cfg->entries[i].key);
        xb__value_free(cfg->entries[i].value);
    }
    for (size_t i = 0; i < cfg->n_diags; i++)
        free((char *)cfg->diags[i].msg);
    for (size_t i = 0; i < cfg->n_files; i++)
        free(cfg->files[i]);
    free(cfg->entries);
    free(cfg->hash);
    free(cfg->diags);
    free(cfg->files);
    free(cfg);
}

int xb_config_parse(struct xb_config *cfg, const char *buf, size_t len,
                    const char *filename)
{
    return xb__parse(cfg, buf, len, filename, 1, false);
}

/* ---- command-line overrides ---- */

static bool is_number_token(const char *s, size_t n)
{
    size_t i = (n > 1 && s[0] == '-') ? 1 : 0;

    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    for (; i < n; i++)
        if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz"
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_.",
                    s[i]))
            return false;
    return true;
}

static bool is_key(const char *s, size_t n)
{
    if (n == 0 || !(s[0] == '_' || ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz"
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_.",
                    s[i]))
            return false;
    return true;
}

/* KEY=word with an unquoted, non-numeric word: the word is a string. */
static int bare_override(struct xb_config *cfg, const char *text, size_t klen,
                         enum xb__tok op, const char *val, const struct xb__pos *at)
{
    struct xb__pos pos = *at;
    struct xb__pos vpos = {at->file, at->line, (unsigned)(val - text) + 1};
    struct xb__value *v = xb__value_new(XB__V_STRING, &vpos);
    char *key = strndup(text, klen);

    if (!v || !key || xb__string_append(v, val, strlen(val)) < 0) {
        xb__value_free(v);
        free(key);
        return -ENOMEM;
    }
    store(cfg, key, &pos, op, v, true);
    return cfg->nomem ? -ENOMEM : 0;
}

int xb_config_parse_override(struct xb_config *cfg, const char *text)
{
    const char *eq = strchr(text, '='), *val;
    const char *file = xb__intern_file(cfg, XB_CONFIG_CMDLINE);
    size_t klen;
    enum xb__tok op = XB__T_ASSIGN;
    unsigned line = ++cfg->n_overrides;

    if (!file)
        return -ENOMEM;
    if (!eq) {
        xb__error(cfg, &(struct xb__pos){file, line, 1},
                  "override \"%s\": expected KEY=VALUE", text);
        return -EINVAL;
    }
    klen = (size_t)(eq - text);
    if (klen && text[klen - 1] == '+') {
        op = XB__T_APPEND;
        klen--;
    }
    val = eq + 1;
    if (!is_key(text, klen) || strchr("'\"[", *val) || is_number_token(val, strlen(val)))
        return xb__parse(cfg, text, strlen(text), XB_CONFIG_CMDLINE, line, true);
    return bare_override(cfg, text, klen, op, val, &(struct xb__pos){file, line, 1});
}
