/* SPDX-License-Identifier: MIT */
/*
 * lib/config/handlers.c - the xl.cfg keys that need more than their kind:
 * name, type and builder, uuid, cpus, bootloader and its arguments, and
 * whether a key of the pvshim family applies (keys.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "keys.h"

void xb__key_name(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    const struct xb__pos *pos = &c->e->value->pos;

    if (!s)
        return;
    if (!*s || strlen(s) > MAX_NAME || strspn(s, "0123456789") == strlen(s)) {
        xb__error(c->cfg, pos,
                  "name: expected 1 to %d characters, not all digits, got \"%s\"",
                  MAX_NAME, s);
        return;
    }
    for (const char *p = s; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f) {
            xb__error(
                c->cfg,
                &(struct xb__pos){pos->file, pos->line, pos->col + 1 + (unsigned)(p - s)},
                "name: '/' and control characters are not allowed in a name");
            return;
        }
    xb__key_replace_field(c, k, xb__dup(c, s));
}

void xb__key_type(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value), *const * names, *fix = NULL;
    const struct xb__pos *pos = &c->e->value->pos;
    enum xb_domtype t;
    char hint[64];
    size_t n;

    if (!s)
        return;
    if (xb_domtype_from_name(s, &t) == 0) {
        c->spec->type = t;
        c->canon = xb_domtype_name(t);
        return;
    }
    if (strcmp(s, "hvm") == 0) {
        xb__error(c->cfg, pos,
                  "type: \"hvm\" guests are not supported by xbuild (only \"pv\" and "
                  "\"pvh\")");
        return;
    }
    names = xb__domtype_names(&n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(s, names[i]) == 0)
            fix = names[i];
    if (fix)
        snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", fix);
    else
        xb__key_hint_of(s, names, n, hint, sizeof(hint));
    xb__error(c->cfg, pos, "type: expected \"pv\" or \"pvh\", got \"%s\"%s", s, hint);
}

void xb__key_builder(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);

    if (!s)
        return;
    if (c->later[XB__LATER_TYPE]) {
        xb__warn(c->cfg, &c->e->pos, "builder is ignored: type is set at line %u",
                 c->later[XB__LATER_TYPE]->pos.line);
        c->canon = "pv";
        return;
    }
    if (strcmp(s, "linux") != 0 && strcmp(s, "generic") != 0) {
        xb__error(c->cfg, &c->e->value->pos,
                  "builder: \"%s\" is not supported (\"linux\" means a PV guest; write "
                  "type = \"pv\")",
                  s);
        return;
    }
    xb__warn(c->cfg, &c->e->pos,
             "builder = \"%s\" is the xm-era spelling of type = \"pv\"; taken as "
             "type = \"pv\"",
             s);
    c->spec->type = XB_DOMTYPE_PV;
    c->canon = "pv";
}

void xb__key_uuid(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    uint8_t u[16];
    size_t n = 0;

    if (!s)
        return;
    for (size_t i = 0; s[i] && n < 32; i++) {
        int hi;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                goto bad;
            continue;
        }
        hi = (s[i] >= '0' && s[i] <= '9')                     ? s[i] - '0'
             : ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f') ? (s[i] | 0x20) - 'a' + 10
                                                              : -1;
        if (hi < 0)
            goto bad;
        u[n / 2] = (uint8_t)(n % 2 ? (u[n / 2] | hi) : hi << 4);
        n++;
    }
    if (n != 32 || strlen(s) != 36)
        goto bad;
    memcpy(c->spec->uuid, u, sizeof(u));
    c->spec->has_uuid = true;
    return;
bad:
    xb__error(c->cfg, &c->e->value->pos,
              "uuid: expected 32 hex digits as 8-4-4-4-12, "
              "e.g. 2b6e4a4e-1c7e-4a53-9a3c-5c0b6b1f7d21, got \"%s\"",
              s);
}

/* A CPU list ("0-3,^1", "all", "nodes:0") or a per-vCPU list of them. */
static bool cpulist_ok(const char *s)
{
    return *s && strspn(s, "0123456789,^-:abcdefghijklmnopqrstuvwxyz ") == strlen(s);
}

void xb__key_cpus(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;
    struct xb__value *joined = NULL;
    const struct xb__value *item = v;

    for (size_t i = 0; v->kind == XB__V_LIST && i < v->n_items; i++) {
        item = v->items[i];
        if (item->kind == XB__V_LIST) {
            xb__error(c->cfg, &item->pos, "cpus: expected a CPU list, got a list");
            goto out;
        }
        if (!cpulist_ok(item->text))
            goto bad;
        if (!joined && !(joined = xb__value_new(XB__V_STRING, &v->pos)))
            goto nomem;
        if ((i && xb__string_append(joined, ";", 1) < 0) ||
            xb__string_append(joined, item->text, item->len) < 0)
            goto nomem;
    }
    if (joined)
        item = joined;
    else if (v->kind == XB__V_LIST || !cpulist_ok(item->text))
        goto bad;
    free(c->spec->cpus);
    c->spec->cpus = xb__dup(c, item->text);
    goto out;
bad:
    xb__error(
        c->cfg, &v->pos,
        "cpus: expected a CPU list such as \"0-3,^1\", \"all\" or \"nodes:0\" (or a "
        "list of them, one per vCPU)");
    goto out;
nomem:
    c->cfg->nomem = true;
out:
    xb__value_free(joined);
}

/* A name ("pygrub": in Xen's bindir, as libxl looks it up) or an absolute path. */
void xb__key_bootloader(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);

    if (!s)
        return;
    if (!*s || (s[0] != '/' && strchr(s, '/'))) {
        xb__error(c->cfg, &c->e->value->pos,
                  "bootloader: expected a program name such as \"pygrub\" (looked up "
                  "in Xen's bindir) or an absolute path, got \"%s\"",
                  s);
        return;
    }
    xb__key_replace_field(c, k, xb__dup(c, s));
}

static bool push_arg(struct xb__ctx *c, const char *s, size_t n)
{
    struct xb_spec *sp = c->spec;
    char **v = realloc(sp->bootloader_args, (sp->n_bootloader_args + 1) * sizeof(*v));

    if (!v || !(v[sp->n_bootloader_args] = strndup(s, n))) {
        if (v)
            sp->bootloader_args = v;
        c->cfg->nomem = true;
        return false;
    }
    sp->bootloader_args = v;
    sp->n_bootloader_args++;
    return true;
}

/* A list: one argument per item. A string: split at blanks, as xl does. */
void xb__key_bootloader_args(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;
    const char *s;
    size_t n;

    for (size_t i = 0; i < c->spec->n_bootloader_args; i++)
        free(c->spec->bootloader_args[i]);
    c->spec->n_bootloader_args = 0;
    if (v->kind == XB__V_LIST) {
        c->canon = v->n_items ? NULL : "[]";
        for (size_t i = 0; i < v->n_items; i++)
            if (!xb__want_string(c, v->items[i]) ||
                !push_arg(c, v->items[i]->text, v->items[i]->len))
                return;
        return;
    }
    if (!(s = xb__want_string(c, v)))
        return;
    xb__warn(c->cfg, &c->e->pos,
             "bootloader_args as a string is deprecated (xl says so too): split at "
             "blanks; write a list, e.g. [ '--kernel=/vmlinuz' ]");
    for (s += strspn(s, " \t\n"); *s; s += n, s += strspn(s, " \t\n"))
        if (!push_arg(c, s, (n = strcspn(s, " \t\n"))))
            return;
}

/* ---- the pvshim family: only with type = "pvh" and pvshim = 1, as in xl ---- */

bool xb__key_shim_applies(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;
    bool is_switch = k->field == SPEC(pvshim), on = false;

    /* Checked even when ignored: a bad value is an error either way. */
    if (is_switch ? !xb__want_bool(c, v, &on) : !xb__want_string(c, v))
        return false;
    if (c->spec->type != XB_DOMTYPE_PVH) {
        if (is_switch && !on)
            return true; /* the default: nothing to ignore */
        xb__warn(c->cfg, &c->e->pos,
                 "%s: ignored, as xl does: the PV shim runs only with type = \"pvh\" "
                 "(a PVH container for a PV kernel)",
                 k->name);
        c->ignored = true;
        return false;
    }
    if (!is_switch && !c->spec->pvshim) {
        xb__warn(c->cfg, &c->e->pos, "%s: ignored, as xl does: pvshim is not set",
                 k->name);
        c->ignored = true;
        return false;
    }
    return true;
}
