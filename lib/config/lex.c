/* SPDX-License-Identifier: MIT */
/*
 * lib/config/lex.c - the xl.cfg lexer: a pure function over a buffer.
 *
 * Tokens: KEY (letters, digits, '_', '.'), NUMBER (raw text, converted by
 * the key that uses it), 'single' and "double" quoted strings with C escapes
 * (\n \t \r \a \b \f \v \\ \' \" \xHH \NNN), = += [ ] , ; and newlines.
 * '#' starts a comment that runs to the end of the line. Every lexical error
 * is reported as a diagnostic and lexing goes on.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void xb__lex_init(struct xb__lexer *lx, struct xb_config *cfg, const char *buf,
                  size_t len, const char *file)
{
    *lx = (struct xb__lexer){
        .cfg = cfg,
        .buf = buf,
        .len = len,
        .line = 1,
        .col = 1,
        .file = file,
    };
}

void xb__lex_fini(struct xb__lexer *lx)
{
    free(lx->scratch);
    lx->scratch = NULL;
}

static int peekc(const struct xb__lexer *lx, size_t ahead)
{
    size_t at;

    if (__builtin_add_overflow(lx->off, ahead, &at) || at >= lx->len)
        return -1;
    return (unsigned char)lx->buf[at];
}

static void advance(struct xb__lexer *lx)
{
    if (lx->buf[lx->off] == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->off++;
}

static struct xb__pos here(const struct xb__lexer *lx)
{
    return (struct xb__pos){.file = lx->file, .line = lx->line, .col = lx->col};
}

static bool is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_word(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_blanks_and_comment(struct xb__lexer *lx)
{
    while (is_blank(peekc(lx, 0)))
        advance(lx);
    if (peekc(lx, 0) == '#')
        while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
            advance(lx);
}

static void scratch_put(struct xb__lexer *lx, char c)
{
    if (lx->scratch_len + 1 >= lx->scratch_cap) {
        size_t cap = lx->scratch_cap ? 2 * lx->scratch_cap : 64;
        char *s = realloc(lx->scratch, cap);

        if (!s) {
            lx->cfg->nomem = true;
            return;
        }
        lx->scratch = s;
        lx->scratch_cap = cap;
    }
    lx->scratch[lx->scratch_len++] = c;
    lx->scratch[lx->scratch_len] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \xH or \xHH; the backslash and 'x' are consumed. Returns the byte or -1. */
static int escape_hex(struct xb__lexer *lx, const struct xb__pos *at)
{
    int v = 0, n = 0;

    while (n < 2 && hexval(peekc(lx, 0)) >= 0) {
        v = v * 16 + hexval(peekc(lx, 0));
        advance(lx);
        n++;
    }
    if (n == 0) {
        xb__error(lx->cfg, at, "\\x in a string must be followed by 1 or 2 hex digits");
        return -1;
    }
    return v;
}

/* \N, \NN or \NNN (octal, at most \377); the backslash is consumed. */
static int escape_octal(struct xb__lexer *lx, const struct xb__pos *at)
{
    int v = 0, n = 0;

    while (n < 3 && peekc(lx, 0) >= '0' && peekc(lx, 0) <= '7') {
        v = v * 8 + (peekc(lx, 0) - '0');
        advance(lx);
        n++;
    }
    if (v > 0377) {
        xb__error(lx->cfg, at,
                  "octal escape \\%o in a string is out of range "
                  "(at most \\377)",
                  (unsigned)v);
        return -1;
    }
    return v;
}

static const char simple_escapes[][2] = {
    {'n', '\n'}, {'t', '\t'}, {'r', '\r'},  {'a', '\a'},  {'b', '\b'},
    {'f', '\f'}, {'v', '\v'}, {'\\', '\\'}, {'\'', '\''}, {'"', '"'},
};

/* After a backslash: decode one escape. Returns the byte, or -1 (reported). */
static int escape(struct xb__lexer *lx)
{
    struct xb__pos at = here(lx);
    int c;

    at.col--;
    c = peekc(lx, 0);
    if (c == -1 || c == '\n')
        return -1; /* the caller reports the unterminated string */
    for (size_t i = 0; i < sizeof(simple_escapes) / sizeof(simple_escapes[0]); i++)
        if (simple_escapes[i][0] == c) {
            advance(lx);
            return (unsigned char)simple_escapes[i][1];
        }
    if (c == 'x') {
        advance(lx);
        return escape_hex(lx, &at);
    }
    if (c >= '0' && c <= '7')
        return escape_octal(lx, &at);
    xb__error(lx->cfg, &at,
              c >= 0x20 && c < 0x7f
                  ? "unknown escape \\%c in a string (write \\\\ for a backslash)"
                  : "unknown escape (a backslash before byte 0x%02x) in a string",
              c);
    advance(lx);
    return -1;
}

static void escaped_byte(struct xb__lexer *lx, struct xb__token *t)
{
    struct xb__pos at = here(lx);
    int v;

    advance(lx); /* the backslash */
    v = escape(lx);
    if (v == 0) {
        xb__error(lx->cfg, &at, "a NUL byte (\\0) is not allowed in a string");
        v = -1;
    }
    if (v < 0)
        t->bad = true;
    else
        scratch_put(lx, (char)v);
}

static void lex_string(struct xb__lexer *lx, struct xb__token *t)
{
    int quote = peekc(lx, 0), c;

    t->kind = XB__T_STRING;
    lx->scratch_len = 0;
    scratch_put(lx, '\0');
    lx->scratch_len = 0;
    advance(lx);
    while ((c = peekc(lx, 0)) != quote) {
        if (c == -1 || c == '\n') {
            xb__error(lx->cfg, &t->pos,
                      "string is not closed: missing %c before "
                      "the end of the %s",
                      quote, c == -1 ? "file" : "line");
            t->bad = true;
            goto out;
        }
        if (c == '\\') {
            escaped_byte(lx, t);
            continue;
        }
        if (c == 0) {
            xb__error(lx->cfg, &(struct xb__pos){lx->file, lx->line, lx->col},
                      "a NUL byte is not allowed in a string");
            t->bad = true;
        } else {
            scratch_put(lx, (char)c);
        }
        advance(lx);
    }
    advance(lx); /* closing quote */
out:
    t->text = lx->scratch ? lx->scratch : "";
    t->len = lx->scratch_len;
}

static void lex_word(struct xb__lexer *lx, struct xb__token *t, enum xb__tok kind)
{
    size_t start = lx->off;

    t->kind = kind;
    advance(lx);
    while (is_word(peekc(lx, 0)))
        advance(lx);
    t->text = lx->buf + start;
    t->len = lx->off - start;
}

static const struct {
    char c;
    enum xb__tok kind;
} punct[] = {
    {'=', XB__T_ASSIGN}, {'[', XB__T_LBRACK}, {']', XB__T_RBRACK},
    {',', XB__T_COMMA},  {';', XB__T_SEMI},   {'\n', XB__T_NEWLINE},
};

static bool lex_punct(struct xb__lexer *lx, struct xb__token *t, int c)
{
    if (c == '+' && peekc(lx, 1) == '=') {
        t->kind = XB__T_APPEND;
        advance(lx);
        advance(lx);
        return true;
    }
    for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++)
        if (punct[i].c == c) {
            t->kind = punct[i].kind;
            advance(lx);
            return true;
        }
    return false;
}

static bool starts_token(const struct xb__lexer *lx, int c)
{
    return c == -1 || is_blank(c) || is_word(c) || c == '#' || c == '\'' || c == '"' ||
           c == '-' || c == '+' || c == '=' || c == '[' || c == ']' || c == ',' ||
           c == ';' || c == '\n';
}

/* Report a run of stray bytes once and skip it. */
static void stray(struct xb__lexer *lx)
{
    struct xb__pos at = here(lx);
    int c = peekc(lx, 0);

    if (c >= 0x21 && c < 0x7f)
        xb__error(lx->cfg, &at, "unexpected character '%c'", c);
    else
        xb__error(lx->cfg, &at, "unexpected byte 0x%02x", (unsigned)c);
    advance(lx);
    while (!starts_token(lx, peekc(lx, 0)))
        advance(lx);
}

void xb__lex_next(struct xb__lexer *lx, struct xb__token *t)
{
    int c;

    for (;;) {
        skip_blanks_and_comment(lx);
        c = peekc(lx, 0);
        *t = (struct xb__token){.kind = XB__T_EOF, .pos = here(lx)};
        if (c == -1)
            return;
        if (lex_punct(lx, t, c))
            return;
        if (c == '\'' || c == '"') {
            lex_string(lx, t);
            return;
        }
        if (is_ident_start(c) || is_digit(c) || (c == '-' && is_digit(peekc(lx, 1)))) {
            lex_word(lx, t, is_ident_start(c) ? XB__T_IDENT : XB__T_NUMBER);
            return;
        }
        stray(lx);
    }
}

/* True when the next non-blank bytes are '=' or '+=' (a new statement). */
bool xb__lex_assign_follows(const struct xb__lexer *lx)
{
    size_t i = lx->off;

    while (i < lx->len && is_blank((unsigned char)lx->buf[i]))
        i++;
    if (i < lx->len && lx->buf[i] == '=')
        return true;
    return i + 1 < lx->len && lx->buf[i] == '+' && lx->buf[i + 1] == '=';
}

const char *xb__tok_name(enum xb__tok k)
{
    static const char *const names[] = {
        [XB__T_EOF] = "the end of the file",
        [XB__T_NEWLINE] = "the end of the line",
        [XB__T_SEMI] = "';'",
        [XB__T_IDENT] = "a word",
        [XB__T_NUMBER] = "a number",
        [XB__T_STRING] = "a string",
        [XB__T_ASSIGN] = "'='",
        [XB__T_APPEND] = "'+='",
        [XB__T_LBRACK] = "'['",
        [XB__T_RBRACK] = "']'",
        [XB__T_COMMA] = "','",
    };

    return names[k];
}
