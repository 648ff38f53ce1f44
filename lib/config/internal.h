/* SPDX-License-Identifier: MIT */
/* lib/config/internal.h - private structures of the config layer. */
#ifndef XB_CONFIG_INTERNAL_H
#define XB_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/config.h>

struct xb__pos {
    const char *file; /* owned by the struct xb_config */
    unsigned line, col;
};

enum xb__vkind {
    XB__V_NUMBER = 0, /* text kept raw; converted by the key's handler */
    XB__V_STRING,
    XB__V_LIST,
};

struct xb__value {
    enum xb__vkind kind;
    struct xb__pos pos;
    bool bad;                 /* a lexical error inside: already reported */
    char *text;               /* NUMBER: raw token; STRING: decoded, NUL-terminated */
    size_t len, cap;          /* of text (STRING may grow with +=) */
    struct xb__value **items; /* LIST */
    size_t n_items, cap_items;
};

struct xb__entry {
    char *key;
    struct xb__pos pos; /* of the key (the latest assignment) */
    struct xb__value *value;
    bool from_override;
};

struct xb_config {
    struct xb__entry *entries; /* one per distinct key, first-seen order */
    size_t n_entries, cap_entries;
    size_t *hash;    /* open addressing: entry index + 1, 0 = empty */
    size_t hash_cap; /* power of two */

    struct xb_diag *diags;
    size_t n_diags, cap_diags, n_errors;

    char **files; /* file names seen, owned */
    size_t n_files;
    unsigned n_overrides; /* overrides parsed so far */
    bool nomem;           /* an allocation failed somewhere: -ENOMEM */
};

/* diag.c */
void xb__diag(struct xb_config *cfg, enum xb_severity sev, const struct xb__pos *pos,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define xb__error(cfg, pos, ...) xb__diag(cfg, XB_SEV_ERROR, pos, __VA_ARGS__)
#define xb__warn(cfg, pos, ...)  xb__diag(cfg, XB_SEV_WARNING, pos, __VA_ARGS__)
const char *xb__intern_file(struct xb_config *cfg, const char *name);

/* value.c */
struct xb__value *xb__value_new(enum xb__vkind kind, const struct xb__pos *pos);
void xb__value_free(struct xb__value *v);
int xb__string_append(struct xb__value *v, const char *s, size_t n);
int xb__list_push(struct xb__value *list, struct xb__value *item);
const char *xb__kind_name(enum xb__vkind k);

/* lex.c */
enum xb__tok {
    XB__T_EOF = 0,
    XB__T_NEWLINE,
    XB__T_SEMI,
    XB__T_IDENT,
    XB__T_NUMBER,
    XB__T_STRING,
    XB__T_ASSIGN, /* = */
    XB__T_APPEND, /* += */
    XB__T_LBRACK,
    XB__T_RBRACK,
    XB__T_COMMA,
};

struct xb__lexer {
    struct xb_config *cfg;
    const char *buf;
    size_t len, off;
    unsigned line, col;
    const char *file;
    bool bare_strings; /* overrides: an unquoted word is a string */
    char *scratch;     /* decoded string of the last token */
    size_t scratch_len, scratch_cap;
};

struct xb__token {
    enum xb__tok kind;
    struct xb__pos pos;
    const char *text; /* IDENT/NUMBER: into the buffer; STRING: scratch */
    size_t len;
    bool bad; /* lexical error already reported */
};

void xb__lex_init(struct xb__lexer *lx, struct xb_config *cfg, const char *buf,
                  size_t len, const char *file);
void xb__lex_fini(struct xb__lexer *lx);
void xb__lex_next(struct xb__lexer *lx, struct xb__token *t);
bool xb__lex_assign_follows(const struct xb__lexer *lx);
const char *xb__tok_name(enum xb__tok k);

/* parse.c */
/* @line: the line number of the first line (overrides: the argument's index). */
int xb__parse(struct xb_config *cfg, const char *buf, size_t len, const char *file,
              unsigned line, bool override);

/* spec.c: the one table of names of each enum of spec.h. */
const char *const *xb__action_names(size_t *n);
const char *const *xb__domtype_names(size_t *n);

/* suggest.c */
/* The candidate closest to @word within a small edit distance, or NULL. */
const char *xb__suggest(const char *word, const char *const *cands, size_t n);

#endif
