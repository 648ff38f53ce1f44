/* SPDX-License-Identifier: MIT */
/*
 * lib/config/disk.c - xl's disk specification strings.
 *
 *   'TARGET,FORMAT,VDEV,ACCESS'        positional (any may be key=value)
 *   'format=raw, vdev=xvda, access=w, target=/path,with,commas'
 *   'file:/x.img,hda1,w'               xm-era: a prefix (file:, phy:, tap:aio:,
 *                                      ...) means the positionals are
 *                                      TARGET,VDEV,ACCESS
 *   'hdc:cdrom' vdev suffix, 'cdrom' flag, devtype=cdrom
 *
 * target= takes the rest of the string, commas included, so it comes last.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "specctx.h"

struct disk_parse {
    struct xb__ctx *c;
    const struct xb__value *v; /* the list item, for positions */
    struct xb_disk *d;
    bool prefixed; /* an xm-era prefix was seen */
    bool format_done, access_done, target_done;
    bool failed;
};

static const char *const formats[] = {"raw", "qcow", "qcow2", "vhd", "qed", "empty"};
static const char *const backendtypes[] = {"phy", "tap", "qdisk", "standalone"};
static const char *const disk_keys[] = {"target",  "format",      "vdev",    "access",
                                        "devtype", "backendtype", "backend", "script"};
static const char *const flags[] = {"cdrom", "discard", "no-discard", "direct-io-safe"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

__attribute__((format(printf, 3, 4))) static void
disk_error(struct disk_parse *p, size_t off, const char *fmt, ...);

static void set_str(struct disk_parse *p, char **field, const char *s)
{
    free(*field);
    *field = xb__dup(p->c, s);
}

static bool vdev_ok(const char *s)
{
    static const char *const prefixes[] = {"xvd", "hd", "sd"};

    for (size_t i = 0; i < N(prefixes); i++) {
        size_t n = strlen(prefixes[i]), letters;

        if (strncmp(s, prefixes[i], n) != 0)
            continue;
        letters = strspn(s + n, "abcdefghijklmnopqrstuvwxyz");
        return letters > 0 && letters <= 3 &&
               strspn(s + n + letters, "0123456789") == strlen(s + n + letters);
    }
    return false;
}

/* "hdc:cdrom" / "xvda:disk" / "xvda". */
static void set_vdev(struct disk_parse *p, char *s, size_t off)
{
    char *colon = strchr(s, ':');

    if (colon) {
        *colon = '\0';
        if (strcmp(colon + 1, "cdrom") != 0 && strcmp(colon + 1, "disk") != 0) {
            disk_error(p, off, "vdev suffix \":%s\" is not :cdrom or :disk", colon + 1);
            return;
        }
        p->d->cdrom = strcmp(colon + 1, "cdrom") == 0;
    }
    if (!vdev_ok(s)) {
        disk_error(p, off, "\"%s\" is not a virtual device name like xvda, hda1 or sdb",
                   s);
        return;
    }
    set_str(p, &p->d->vdev, s);
}

static void set_format(struct disk_parse *p, const char *s, size_t off)
{
    p->format_done = true;
    if (!*s)
        return;
    if (in(s, formats, N(formats)))
        set_str(p, &p->d->format, s);
    else if (vdev_ok(s))
        disk_error(p, off,
                   "\"%s\" is where the format goes (target,format,vdev,access): "
                   "write ',,%s' or 'raw,%s'",
                   s, s, s);
    else
        disk_error(p, off, "unknown format \"%s\" (raw, qcow, qcow2, vhd, qed, empty)",
                   s);
}

static void set_access(struct disk_parse *p, const char *s, size_t off)
{
    p->access_done = true;
    if (strcmp(s, "r") == 0 || strcmp(s, "ro") == 0)
        p->d->readonly = true;
    else if (strcmp(s, "w") == 0 || strcmp(s, "rw") == 0 || !*s)
        p->d->readonly = false;
    else
        disk_error(p, off, "access \"%s\" is not r, ro, w or rw", s);
}

/* xm-era prefixes before the target: what each implies. */
static const struct {
    const char *name;
    const char *format;
    const char *backendtype;
} prefixes[] = {
    {"file", "raw", NULL},    {"aio", "raw", NULL},   {"raw", "raw", NULL},
    {"phy", "raw", "phy"},    {"tap", NULL, "tap"},   {"tap2", NULL, "tap"},
    {"tapdisk", NULL, "tap"}, {"qcow", "qcow", NULL}, {"qcow2", "qcow2", NULL},
    {"vhd", "vhd", NULL},     {"qed", "qed", NULL},
};

static const char *strip_prefixes(struct disk_parse *p, const char *s)
{
    for (size_t i = 0; i < N(prefixes); i++) {
        size_t n = strlen(prefixes[i].name);

        if (strncmp(s, prefixes[i].name, n) != 0 || s[n] != ':')
            continue;
        p->prefixed = true;
        if (prefixes[i].format)
            set_str(p, &p->d->format, prefixes[i].format);
        if (prefixes[i].backendtype)
            set_str(p, &p->d->backendtype, prefixes[i].backendtype);
        s += n + 1;
        i = (size_t)-1; /* "tap:aio:" and friends: strip again */
    }
    return s;
}

static void set_target(struct disk_parse *p, const char *s)
{
    p->target_done = true;
    s = strip_prefixes(p, s);
    free(p->d->target);
    p->d->target = NULL;
    if (*s && (s[0] == '/' || (p->d->backendtype && !strcmp(p->d->backendtype, "phy"))))
        p->d->target = xb__dup(p->c, s);
    else if (*s)
        p->d->target = xb__resolve(p->c, &p->v->pos, s);
}

static void positional(struct disk_parse *p, char *s, size_t off)
{
    if (!p->target_done)
        set_target(p, s);
    else if (!p->prefixed && !p->format_done)
        set_format(p, s, off);
    else if (!p->d->vdev)
        set_vdev(p, s, off);
    else if (!p->access_done)
        set_access(p, s, off);
    else
        disk_error(p, off,
                   "too many positional parameters at \"%s\" (target,format,"
                   "vdev,access)",
                   s);
}

static void keyed(struct disk_parse *p, char *s, char *eq, size_t off)
{
    const char *hint, *val = eq + 1;

    *eq = '\0';
    if (!strcmp(s, "format"))
        set_format(p, val, off);
    else if (!strcmp(s, "vdev"))
        set_vdev(p, eq + 1, off);
    else if (!strcmp(s, "access"))
        set_access(p, val, off);
    else if (!strcmp(s, "devtype") && (!strcmp(val, "cdrom") || !strcmp(val, "disk")))
        p->d->cdrom = !strcmp(val, "cdrom");
    else if (!strcmp(s, "backendtype") && in(val, backendtypes, N(backendtypes)))
        set_str(p, &p->d->backendtype, val);
    else if (!strcmp(s, "backend"))
        set_str(p, &p->d->backend, val);
    else if (!strcmp(s, "script"))
        set_str(p, &p->d->script, val);
    else if (in(s, disk_keys, N(disk_keys)))
        disk_error(p, off, "bad value \"%s\" for %s", val, s);
    else if ((hint = xb__suggest(s, disk_keys, N(disk_keys))))
        disk_error(p, off, "unknown parameter \"%s\" (did you mean \"%s\"?)", s, hint);
    else
        disk_error(p, off, "unknown parameter \"%s\"", s);
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static void field(struct disk_parse *p, char *s, size_t off)
{
    char *eq = strchr(s, '=');

    if (p->failed)
        return; /* one error per disk is enough */
    if (eq)
        keyed(p, s, eq, off);
    else if (in(s, flags, N(flags)) && p->target_done)
        p->d->cdrom |= strcmp(s, "cdrom") == 0;
    else
        positional(p, s, off);
}

static void parse_spec(struct disk_parse *p, char *spec)
{
    char *s = spec, *comma;

    for (;;) {
        char *f;

        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp(s, "target=", 7) == 0) {
            set_target(p, s + 7);
            return;
        }
        comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        f = trim(s);
        field(p, f, (size_t)(f - spec));
        if (!comma)
            return;
        s = comma + 1;
    }
}

static void finish(struct disk_parse *p)
{
    struct xb_disk *d = p->d;

    if (!d->vdev && !p->failed)
        disk_error(p, 0, "no vdev (the guest's device name, e.g. xvda) in \"%s\"",
                   p->v->text);
    if (!d->target && !d->cdrom && !p->failed)
        disk_error(p, 0,
                   "no target (a file or device) in \"%s\"; only a cdrom may be "
                   "empty",
                   p->v->text);
    if (d->cdrom)
        d->readonly = true;
    if (!d->format && !p->failed)
        set_str(p, &d->format, d->target ? "raw" : "empty");
    d->pos = xb__spec_pos(p->c, &p->v->pos);
}

static void parse_disk(struct xb__ctx *c, const struct xb__value *v, struct xb_disk *d)
{
    struct disk_parse p = {.c = c, .v = v, .d = d};
    char *copy;

    if (!xb__want_string(c, v))
        return;
    copy = xb__dup(c, v->text);
    if (!copy)
        return;
    parse_spec(&p, copy);
    free(copy);
    finish(&p);
}

void xb__apply_disks(struct xb__ctx *c)
{
    const struct xb__value *list = c->e->value;
    struct xb_spec *s = c->spec;

    s->disks = calloc(list->n_items ? list->n_items : 1, sizeof(*s->disks));
    if (!s->disks) {
        c->cfg->nomem = true;
        return;
    }
    for (size_t i = 0; i < list->n_items; i++)
        parse_disk(c, list->items[i], &s->disks[s->n_disks++]);
}

static void disk_error(struct disk_parse *p, size_t off, const char *fmt, ...)
{
    struct xb__pos at = xb__pos_in(p->v, off);
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->failed = true;
    xb__error(p->c->cfg, &at, "disk: %s", msg);
}
