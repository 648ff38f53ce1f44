/* SPDX-License-Identifier: MIT */
/*
 * lib/config/disk.c - xl's disk specification strings, xl-disk-configuration(5):
 *
 *   '/srv/a.img,raw,xvda,rw'              positional TARGET,FORMAT,VDEV,ACCESS
 *   'format=raw, vdev=xvda, target=/p,q'  KEY=VALUE, mixed with positionals;
 *                                         target= takes the rest, so comes last
 *   'file:/x.img,hda1,w'                  xm-era: a prefix (file:, phy:, tap:,
 *                                         aio:, raw:, qcow2:, iscsi:, ...) before
 *                                         the target; then TARGET,VDEV,ACCESS
 *   ',hdc:cdrom,r'  'devtype=cdrom'  'cdrom'   CD-ROMs (may be empty)
 *   discard, no-discard, direct-io-safe        flags
 *
 * As in xl's own lexer, a positional value fills the first of TARGET,
 * FORMAT, VDEV, ACCESS not given yet (by position or by name), flags are
 * recognised anywhere, and each parameter may be given once. Prefixes are
 * stripped (raw:, qcow:, qcow2:, vhd: set the format; iscsi:, nbd:, enbd:,
 * drbd: the script block-NAME); like xl, phy:, tap: and the others do not
 * choose a backend. Every error names the disk (its place in the list) and
 * the field, at the field's column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "specctx.h"

struct disk_parse {
    struct xb__ctx *c;
    const struct xb__value *v; /* the list item, for positions */
    const char *copy;          /* the string being cut up, for offsets */
    size_t index;              /* 0-based, in the list */
    struct xb_disk *d;
    bool prefixed; /* an xm-era prefix: positionals are TARGET,VDEV,ACCESS */
    bool device;   /* "phy:": the target is a device path, kept as given */
    bool target_set, format_set, vdev_set, access_set, discard_set;
    bool access_rw; /* access was given as w or rw */
    bool failed;    /* one error per disk */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const formats[] = {"raw", "qcow", "qcow2", "vhd", "qed", "empty"};
static const char *const backendtypes[] = {"phy", "tap", "qdisk", "standalone"};
static const char *const disk_keys[] = {
    "target",      "format",     "vdev",          "access",        "devtype",
    "backendtype", "backend",    "script",        "specification", "cdrom",
    "discard",     "no-discard", "direct-io-safe"};

static bool in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

/*
 * "disk N, FIELD: ..." (or "disk N: ..." when @field is NULL) at @at, a
 * pointer into p->copy (NULL: the list item itself).
 */
__attribute__((format(printf, 5, 6))) static void
disk_diag(struct disk_parse *p, enum xb_severity sev, const char *at, const char *field,
          const char *fmt, ...)
{
    struct xb__pos pos = at ? xb__pos_in(p->v, (size_t)(at - p->copy)) : p->v->pos;
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (sev == XB_SEV_ERROR) {
        if (p->failed)
            return; /* the first error of a disk is the one that matters */
        p->failed = true;
    }
    xb__diag(p->c->cfg, sev, &pos, "disk %zu%s%s: %s", p->index + 1, field ? ", " : "",
             field ? field : "", msg);
}

#define disk_error(p, at, field, ...) disk_diag(p, XB_SEV_ERROR, at, field, __VA_ARGS__)
#define disk_warn(p, at, field, ...)  disk_diag(p, XB_SEV_WARNING, at, field, __VA_ARGS__)

static void set_str(struct disk_parse *p, char **field, const char *s)
{
    free(*field);
    *field = *s ? xb__dup(p->c, s) : NULL;
}

/* A second, different non-empty value for a parameter is an error (xl's rule). */
static bool again(struct disk_parse *p, const char *name, const char *old,
                  const char *val, const char *at)
{
    if (!old || !*val || strcmp(old, val) == 0)
        return false;
    disk_error(p, at, name, "given twice (\"%s\", then \"%s\")", old, val);
    return true;
}

static void set_format(struct disk_parse *p, const char *s)
{
    uint32_t devid;

    p->format_set = true;
    if (again(p, "format", p->d->format, s, s) || !*s)
        return;
    if (in(s, formats, N(formats)))
        set_str(p, &p->d->format, s);
    else if ((s[0] < '0' || s[0] > '9') && !xb__vdev_devid(s, &devid))
        disk_error(p, s, "format",
                   "\"%s\" is a vdev in the format's place "
                   "(TARGET,FORMAT,VDEV,ACCESS): write TARGET,,%s or TARGET,raw,%s",
                   s, s, s);
    else
        disk_error(p, s, "format",
                   "unknown format \"%s\" (raw, qcow, qcow2, vhd, qed, "
                   "empty)",
                   s);
}

static void set_vdev(struct disk_parse *p, char *s, bool suffix_ok)
{
    char *colon = strrchr(s, ':');
    const char *why;

    p->vdev_set = true;
    if (colon && suffix_ok) {
        *colon = '\0';
        if (strcmp(colon + 1, "cdrom") != 0 && strcmp(colon + 1, "disk") != 0) {
            disk_error(p, colon + 1, "vdev", "suffix \":%s\" is not :cdrom or :disk",
                       colon + 1);
            return;
        }
        p->d->cdrom = strcmp(colon + 1, "cdrom") == 0;
    }
    if (again(p, "vdev", p->d->vdev, s, s) || !*s)
        return;
    if ((why = xb__vdev_devid(s, &p->d->devid))) {
        disk_error(p, s, "vdev", "\"%s\" is not a virtual disk: %s%s", s, why,
                   colon && !suffix_ok ? " (vdev= takes no :cdrom; write devtype=cdrom)"
                                       : "");
        return;
    }
    set_str(p, &p->d->vdev, s);
}

static void set_access(struct disk_parse *p, const char *s)
{
    bool ro = !strcmp(s, "r") || !strcmp(s, "ro");
    bool rw = !strcmp(s, "w") || !strcmp(s, "rw");

    if (p->access_set && *s && (ro || rw) && ro != p->d->readonly) {
        disk_error(p, s, "access", "given twice (%s, then %s)",
                   p->d->readonly ? "ro" : "rw", s);
        return;
    }
    p->access_set = true;
    if (!ro && !rw && *s) {
        disk_error(p, s, "access", "\"%s\" is not r, ro, w or rw", s);
        return;
    }
    p->d->readonly = ro;
    p->access_rw |= rw;
}

/* xm-era prefixes before a target, and what each one implies. */
static const struct {
    const char *name;
    const char *format; /* or NULL */
    const char *script; /* or NULL */
    bool device;        /* the target is a device path */
} prefixes[] = {
    {"raw", "raw", NULL, false},
    {"qcow", "qcow", NULL, false},
    {"qcow2", "qcow2", NULL, false},
    {"vhd", "vhd", NULL, false},
    {"iscsi", NULL, "block-iscsi", false},
    {"nbd", NULL, "block-nbd", false},
    {"enbd", NULL, "block-enbd", false},
    {"drbd", NULL, "block-drbd", false},
    {"phy", NULL, NULL, true},
    {"file", NULL, NULL, false},
    {"tap", NULL, NULL, false},
    {"tap2", NULL, NULL, false},
    {"tapdisk", NULL, NULL, false},
    {"aio", NULL, NULL, false},
    {"ioemu", NULL, NULL, false},
};

static bool is_lower_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* Strip "name:" prefixes from @s; NULL after an error. */
static char *strip_prefixes(struct disk_parse *p, char *s)
{
    for (;;) {
        size_t n = 0, i;

        while (is_lower_alnum(s[n]) && (n || (s[0] >= 'a' && s[0] <= 'z')))
            n++;
        if (!n || s[n] != ':')
            return s;
        for (i = 0; i < N(prefixes); i++)
            if (strlen(prefixes[i].name) == n && strncmp(s, prefixes[i].name, n) == 0)
                break;
        if (i == N(prefixes)) {
            if (is_lower_alnum(s[n + 1]))
                return s; /* "hdc:cdrom" and the like: not a prefix */
            disk_error(p, s, "target",
                       "unknown prefix \"%.*s:\" (file:, phy:, tap:, aio:, "
                       "raw:, qcow:, qcow2:, vhd:, iscsi:, nbd:, ...); a target "
                       "containing ':' is written target=...",
                       (int)n, s);
            return NULL;
        }
        p->prefixed = true;
        p->device |= prefixes[i].device;
        if (prefixes[i].format) {
            if (again(p, "format", p->d->format, prefixes[i].format, s))
                return NULL;
            set_str(p, &p->d->format, prefixes[i].format);
        }
        if (prefixes[i].script)
            set_str(p, &p->d->script, prefixes[i].script);
        s += n + 1;
    }
}

static void set_target(struct disk_parse *p, const char *s)
{
    if (p->d->target && *s) {
        disk_error(p, s, "target", "given twice (\"%s\", then \"%s\")", p->d->target, s);
        return;
    }
    p->target_set = true;
    if (*s)
        set_str(p, &p->d->target, s);
}

static void positional(struct disk_parse *p, char *s)
{
    if (!p->target_set) {
        if ((s = strip_prefixes(p, s)))
            set_target(p, s);
    } else if (!p->prefixed && !p->format_set) {
        if (!p->d->target && strchr(s, ':')) { /* xend's empty cdrom: ',hdc:cdrom,r' */
            p->format_set = true;
            set_vdev(p, s, true);
        } else {
            set_format(p, s);
        }
    } else if (!p->vdev_set) {
        set_vdev(p, s, true);
    } else if (!p->access_set) {
        set_access(p, s);
    } else {
        disk_error(p, s, NULL,
                   "\"%s\" is one positional value too many "
                   "(TARGET,FORMAT,VDEV,ACCESS)",
                   s);
    }
}

static bool unsupported_param(struct disk_parse *p, const char *key, const char *at)
{
    static const char *const colo[] = {"colo",       "no-colo",     "colo-host",
                                       "colo-port",  "colo-export", "active-disk",
                                       "hidden-disk"};
    static const char *const other[] = {"trusted", "untrusted", "grant_usage"};

    if (in(key, colo, N(colo)))
        disk_error(p, at, key, "COLO replication is not supported by xbuild");
    else if (in(key, other, N(other)))
        disk_error(p, at, key, "not supported by xbuild");
    else
        return false;
    return true;
}

static void unknown(struct disk_parse *p, const char *key, const char *at)
{
    const char *hint = xb__suggest(key, disk_keys, N(disk_keys));

    disk_error(p, at, NULL, "unknown parameter \"%s\"%s%s%s", key,
               hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
}

static void enum_value(struct disk_parse *p, const char *key, const char *val)
{
    if (!strcmp(key, "devtype")) {
        if (strcmp(val, "cdrom") && strcmp(val, "disk"))
            disk_error(p, val, "devtype", "\"%s\" is not cdrom or disk", val);
        else
            p->d->cdrom = !strcmp(val, "cdrom");
    } else if (!strcmp(key, "backendtype")) {
        if (!in(val, backendtypes, N(backendtypes)))
            disk_error(p, val, "backendtype",
                       "\"%s\" is not phy, tap, qdisk or standalone", val);
        else if (!again(p, key, p->d->backendtype, val, val))
            set_str(p, &p->d->backendtype, val);
    } else if (!strcmp(val, "virtio")) { /* specification */
        disk_error(p, val, "specification", "virtio disks are not supported by xbuild");
    } else if (strcmp(val, "xen") && *val) {
        disk_error(p, val, "specification", "\"%s\" is not xen (or virtio)", val);
    }
}

static void string_value(struct disk_parse *p, const char *key, const char *val)
{
    char **field = !strcmp(key, "backend") ? &p->d->backend : &p->d->script;

    if (!again(p, key, *field, val, val))
        set_str(p, field, val);
}

static void keyed(struct disk_parse *p, char *s, char *eq)
{
    char *val = eq + 1;
    size_t n = 0;

    *eq = '\0';
    while ((s[n] >= 'a' && s[n] <= 'z') ||
           (n && (is_lower_alnum(s[n]) || s[n] == '-' || s[n] == '_')))
        n++;
    if (!n || s[n]) {
        disk_error(p, s, NULL,
                   "\"%s=%s\" is not KEY=VALUE; a target containing '=' or ',' is "
                   "written target=... at the end",
                   s, val);
        return;
    }
    if (!strcmp(s, "format"))
        set_format(p, val);
    else if (!strcmp(s, "vdev"))
        set_vdev(p, val, false);
    else if (!strcmp(s, "access"))
        set_access(p, val);
    else if (!strcmp(s, "devtype") || !strcmp(s, "backendtype") ||
             !strcmp(s, "specification"))
        enum_value(p, s, val);
    else if (!strcmp(s, "backend") || !strcmp(s, "script"))
        string_value(p, s, val);
    else if (!unsupported_param(p, s, s))
        unknown(p, s, s);
}

/* Flags: recognised anywhere, as in xl. False when @s is not one. */
static bool flag(struct disk_parse *p, const char *s)
{
    if (!strcmp(s, "cdrom"))
        p->d->cdrom = true;
    else if (!strcmp(s, "discard") || !strcmp(s, "no-discard")) {
        p->d->discard = s[0] == 'd';
        p->discard_set = true;
    } else if (!strcmp(s, "direct-io-safe"))
        p->d->direct_io_safe = true;
    else
        return unsupported_param(p, s, s);
    return true;
}

static void field(struct disk_parse *p, char *s)
{
    char *eq = strchr(s, '=');

    if (eq)
        keyed(p, s, eq);
    else if (!flag(p, s))
        positional(p, s);
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n';
}

static void parse_spec(struct disk_parse *p, char *s)
{
    while (!p->failed) {
        char *comma, *end;
        size_t len;

        while (is_blank(*s))
            s++;
        if (!*s)
            return;
        if (strncmp(s, "target=", 7) == 0) { /* the rest, as is */
            len = strlen(s + 7);
            if (len && s[7 + len - 1] == ',')
                s[7 + len - 1] = '\0';
            set_target(p, s + 7);
            return;
        }
        comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        for (end = s + strlen(s); end > s && is_blank(end[-1]);)
            *--end = '\0';
        field(p, s);
        if (!comma)
            return;
        s = comma + 1;
    }
}

static bool file_target(const struct disk_parse *p)
{
    const struct xb_disk *d = p->d;

    return !p->device && !d->script && !d->backend &&
           !(d->backendtype &&
             (!strcmp(d->backendtype, "phy") || !strcmp(d->backendtype, "standalone")));
}

static void finish(struct disk_parse *p)
{
    struct xb_disk *d = p->d;
    char *resolved;

    if (!d->vdev)
        disk_error(p, NULL, "vdev", "missing (the guest's device name, e.g. xvda)");
    if (d->format && !strcmp(d->format, "empty") && (!d->cdrom || d->target))
        disk_error(p, NULL, "format", "empty is for a cdrom without a target");
    if (!d->target && !d->cdrom)
        disk_error(p, NULL, "target",
                   "missing (a file or device); only a cdrom may be "
                   "empty");
    if (p->failed)
        return;
    if (d->cdrom && p->access_rw)
        disk_warn(p, NULL, "access", "a cdrom is read-only; w ignored, as xl does");
    d->readonly |= d->cdrom;
    if (!p->discard_set)
        d->discard = !d->readonly; /* libxl's default */
    if (!d->format)
        set_str(p, &d->format, d->target ? "raw" : "empty");
    if (d->target && d->target[0] != '/' && file_target(p)) {
        resolved = xb__resolve(p->c, &p->v->pos, d->target);
        free(d->target);
        d->target = resolved;
    }
}

static void parse_disk(struct xb__ctx *c, const struct xb__value *v, size_t index)
{
    struct disk_parse p = {.c = c, .v = v, .index = index, .d = &c->spec->disks[index]};
    char *copy;

    p.d->pos = xb__spec_pos(c, &v->pos);
    if (!xb__want_string(c, v) || !(copy = xb__dup(c, v->text)))
        return;
    p.copy = copy;
    parse_spec(&p, copy);
    finish(&p);
    p.copy = NULL;
    free(copy);
}

/* Two disks with the same device number are one device named twice. */
static void check_clashes(struct xb__ctx *c, const struct xb__value *list)
{
    const struct xb_disk *d = c->spec->disks;

    for (size_t i = 0; i < c->spec->n_disks; i++)
        for (size_t j = 0; j < i; j++)
            if (d[i].devid == d[j].devid) {
                xb__error(c->cfg, &list->items[i]->pos,
                          "disk %zu, vdev: %s is the same device (%u) as disk %zu's "
                          "%s (line %u)",
                          i + 1, d[i].vdev, d[i].devid, j + 1, d[j].vdev,
                          list->items[j]->pos.line);
                break;
            }
}

void xb__apply_disks(struct xb__ctx *c)
{
    const struct xb__value *list = c->e->value;
    struct xb_spec *s = c->spec;
    size_t errors = c->cfg->n_errors;

    s->disks = calloc(list->n_items ? list->n_items : 1, sizeof(*s->disks));
    if (!s->disks) {
        c->cfg->nomem = true;
        return;
    }
    for (size_t i = 0; i < list->n_items; i++) {
        s->n_disks++;
        parse_disk(c, list->items[i], i);
    }
    if (c->cfg->n_errors == errors)
        check_clashes(c, list);
}
