/* SPDX-License-Identifier: MIT */
/*
 * lib/config/vif.c - xl's network interface strings:
 *   'mac=00:16:3e:01:02:03, bridge=xenbr0, ip=10.0.0.2, ...'
 * An empty string is a vif with every default.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "specctx.h"

struct vif_parse {
    struct xb__ctx *c;
    const struct xb__value *v;
    struct xb_vif *vif;
};

__attribute__((format(printf, 3, 4))) static void
vif_diag(struct vif_parse *p, size_t off, const char *fmt, ...)
{
    struct xb__pos at = xb__pos_in(p->v, off);
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    xb__error(p->c->cfg, &at, "vif: %s", msg);
}

static bool mac_ok(const char *s)
{
    for (int i = 0; i < 6; i++, s += 3) {
        if (!strchr("0123456789abcdefABCDEF", s[0]) || !s[0] ||
            !strchr("0123456789abcdefABCDEF", s[1]) || !s[1])
            return false;
        if (s[2] != (i == 5 ? '\0' : ':'))
            return false;
    }
    return true;
}

static bool check_value(struct vif_parse *p, const char *key, const char *val, size_t off)
{
    uint64_t mtu;

    if (!strcmp(key, "mac") && !mac_ok(val)) {
        vif_diag(p, off, "mac \"%s\" is not six hex bytes like 00:16:3e:12:34:56", val);
        return false;
    }
    if (!strcmp(key, "type") && strcmp(val, "vif") && strcmp(val, "ioemu")) {
        vif_diag(p, off, "type \"%s\" is not vif or ioemu", val);
        return false;
    }
    if (!strcmp(key, "mtu") &&
        (xb__parse_u64(val, &mtu) < 0 || mtu < 68 || mtu > 65535)) {
        vif_diag(p, off, "mtu \"%s\" is not a number from 68 to 65535", val);
        return false;
    }
    if (!strcmp(key, "mtu"))
        p->vif->mtu = (unsigned)mtu;
    return true;
}

#define VIF(f)   offsetof(struct xb_vif, f)
#define NO_FIELD SIZE_MAX
static const struct {
    const char *key;
    size_t off; /* char * field; NO_FIELD for mtu (numeric) */
} vif_keys[] = {
    {"mac", VIF(mac)},       {"bridge", VIF(bridge)},   {"ip", VIF(ip)},
    {"script", VIF(script)}, {"vifname", VIF(vifname)}, {"type", VIF(type)},
    {"model", VIF(model)},   {"rate", VIF(rate)},       {"backend", VIF(backend)},
    {"mtu", NO_FIELD},
};
#define N_VIF_KEYS (sizeof(vif_keys) / sizeof(vif_keys[0]))

static void unknown(struct vif_parse *p, const char *key, size_t off)
{
    const char *names[N_VIF_KEYS], *hint;
    struct xb__pos at = xb__pos_in(p->v, off);

    for (size_t i = 0; i < N_VIF_KEYS; i++)
        names[i] = vif_keys[i].key;
    hint = xb__suggest(key, names, N_VIF_KEYS);
    xb__diag(p->c->cfg, p->c->opts->strict ? XB_SEV_ERROR : XB_SEV_WARNING, &at,
             "vif: unknown parameter \"%s\"%s%s%s%s", key,
             hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "",
             p->c->opts->strict ? "" : "; ignored");
}

static void pair(struct vif_parse *p, char *s, size_t off)
{
    char *eq = strchr(s, '=');

    if (!eq) {
        vif_diag(p, off, "expected key=value, got \"%s\"", s);
        return;
    }
    *eq = '\0';
    for (char *e = eq; e > s && (e[-1] == ' ' || e[-1] == '\t');)
        *--e = '\0';
    while (eq[1] == ' ' || eq[1] == '\t')
        eq++;
    for (size_t i = 0; i < N_VIF_KEYS; i++) {
        char **field;

        if (strcmp(vif_keys[i].key, s) != 0)
            continue;
        if (!check_value(p, s, eq + 1, off + (size_t)(eq + 1 - s)) ||
            vif_keys[i].off == NO_FIELD)
            return;
        field = (char **)((char *)p->vif + vif_keys[i].off);
        free(*field);
        *field = xb__dup(p->c, eq + 1);
        return;
    }
    unknown(p, s, off);
}

static void parse_vif(struct xb__ctx *c, const struct xb__value *v, struct xb_vif *vif)
{
    struct vif_parse p = {.c = c, .v = v, .vif = vif};
    char *copy, *s, *comma;

    vif->pos = xb__spec_pos(c, &v->pos);
    if (!xb__want_string(c, v) || !(copy = xb__dup(c, v->text)))
        return;
    for (s = copy; s; s = comma ? comma + 1 : NULL) {
        comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        if (*s)
            pair(&p, s, (size_t)(s - copy));
    }
    free(copy);
}

void xb__apply_vifs(struct xb__ctx *c)
{
    const struct xb__value *list = c->e->value;
    struct xb_spec *s = c->spec;

    s->vifs = calloc(list->n_items ? list->n_items : 1, sizeof(*s->vifs));
    if (!s->vifs) {
        c->cfg->nomem = true;
        return;
    }
    for (size_t i = 0; i < list->n_items; i++)
        parse_vif(c, list->items[i], &s->vifs[s->n_vifs++]);
}
