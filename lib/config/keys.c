/* SPDX-License-Identifier: MIT */
/*
 * lib/config/keys.c - the table of xl.cfg keys and the step that turns the
 * parsed entries into a validated struct xb_spec.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "specctx.h"

#define MAX_MEMORY_MIB (16ull << 20) /* 16 TiB */
#define MAX_VCPUS      4096
#define MAX_NAME       255

struct key_def {
    const char *name;
    void (*apply)(struct xb__ctx *c, const struct key_def *k);
    size_t off;        /* field of struct xb_spec for generic handlers */
    size_t pos_off;    /* struct xb_pos field to fill, 0 = none */
    uint64_t min, max; /* numeric keys */
};

#define FIELD(f)         offsetof(struct xb_spec, f)
#define AT(s, off, type) ((type *)((char *)(s) + (off)))

static void set_pos(struct xb__ctx *c, const struct key_def *k)
{
    if (k->pos_off)
        *AT(c->spec, k->pos_off, struct xb_pos) = xb__spec_pos(c, &c->e->value->pos);
}

static void apply_string(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    char **field = AT(c->spec, k->off, char *);

    if (!s)
        return;
    free(*field);
    *field = xb__dup(c, s);
    set_pos(c, k);
}

static void apply_path(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    char **field = AT(c->spec, k->off, char *);

    if (!s)
        return;
    if (!*s) {
        xb__error(c->cfg, &c->e->value->pos, "%s: the path is empty", c->e->key);
        return;
    }
    free(*field);
    *field = xb__resolve(c, &c->e->value->pos, s);
    set_pos(c, k);
}

static void apply_uint(struct xb__ctx *c, const struct key_def *k)
{
    uint64_t v;

    if (xb__want_u64(c, c->e->value, k->min, k->max, &v))
        *AT(c->spec, k->off, unsigned) = (unsigned)v;
}

static void apply_bool(struct xb__ctx *c, const struct key_def *k)
{
    bool v;

    if (!xb__want_bool(c, c->e->value, &v))
        return;
    *AT(c->spec, k->off, bool) = v;
    c->canon = v ? "1" : "0";
}

/* Keys resolved after all entries are seen: remember where they are. */
static void remember(struct xb__ctx *c, const struct key_def *k)
{
    *AT(c, k->off, const struct xb__entry *) = c->e;
}

static void apply_name(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    const struct xb__pos *pos = &c->e->value->pos;

    if (!s)
        return;
    if (!*s || strlen(s) > MAX_NAME || strspn(s, "0123456789") == strlen(s)) {
        xb__error(c->cfg, pos,
                  "name: expected 1 to %d characters, not all digits, "
                  "got \"%s\"",
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
    apply_string(c, k);
}

static const char *const action_names[] = {
    [XB_ACTION_DESTROY] = "destroy",
    [XB_ACTION_RESTART] = "restart",
    [XB_ACTION_RENAME_RESTART] = "rename-restart",
    [XB_ACTION_PRESERVE] = "preserve",
    [XB_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XB_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [XB_ACTION_SOFT_RESET] = "soft-reset",
};
#define N_ACTIONS (sizeof(action_names) / sizeof(action_names[0]))

const char *xb_action_name(enum xb_action a)
{
    return (size_t)a < N_ACTIONS ? action_names[a] : "?";
}

const char *xb_domtype_name(enum xb_domtype t)
{
    return t == XB_DOMTYPE_PVH ? "pvh" : t == XB_DOMTYPE_PV ? "pv" : "?";
}

static void apply_action(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value), *hint;

    if (!s)
        return;
    for (size_t i = 0; i < N_ACTIONS; i++)
        if (strcmp(s, action_names[i]) == 0) {
            *AT(c->spec, k->off, enum xb_action) = (enum xb_action)i;
            c->canon = action_names[i];
            return;
        }
    hint = xb__suggest(s, action_names, N_ACTIONS);
    xb__error(c->cfg, &c->e->value->pos,
              "%s: expected one of destroy, restart, "
              "rename-restart, preserve, coredump-destroy, coredump-restart, soft-reset; "
              "got \"%s\"%s%s%s",
              c->e->key, s, hint ? " (did you mean \"" : "", hint ? hint : "",
              hint ? "\"?)" : "");
}

static void apply_uuid(struct xb__ctx *c, const struct key_def *k)
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

static void apply_cpus(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;
    struct xb__value *joined = NULL;
    const struct xb__value *item;

    if (v->kind != XB__V_LIST)
        item = v;
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
    xb__error(c->cfg, &v->pos,
              "cpus: expected a CPU list such as \"0-3,^1\", \"all\" "
              "or \"nodes:0\" (or a list of them, one per vCPU)");
    goto out;
nomem:
    c->cfg->nomem = true;
out:
    xb__value_free(joined);
}

/* bootloader_args: a string, or a list of strings joined with spaces. */
static void apply_args(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;
    struct xb__value *joined;

    if (v->kind != XB__V_LIST) {
        apply_string(c, k);
        return;
    }
    joined = xb__value_new(XB__V_STRING, &v->pos);
    if (!joined || xb__string_append(joined, "", 0) < 0)
        goto nomem;
    for (size_t i = 0; i < v->n_items; i++) {
        if (!xb__want_string(c, v->items[i]))
            goto out;
        if ((i && xb__string_append(joined, " ", 1) < 0) ||
            xb__string_append(joined, v->items[i]->text, v->items[i]->len) < 0)
            goto nomem;
    }
    free(*AT(c->spec, k->off, char *));
    *AT(c->spec, k->off, char *) = xb__dup(c, joined->text);
    goto out;
nomem:
    c->cfg->nomem = true;
out:
    xb__value_free(joined);
}

static void apply_list(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = xb__want_list(c);

    if (v && v->n_items == 0)
        c->canon = "[]";
    if (v && k->off == 1)
        xb__apply_disks(c);
    if (v && k->off == 2)
        xb__apply_vifs(c);
}

/* Keys xbuild knows but does not model: any value, recorded as unsupported. */
static void apply_other(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = c->e->value;

    if (v->kind == XB__V_LIST && v->n_items == 0)
        c->canon = "[]";
    else if (v->kind != XB__V_LIST && strcmp(v->text, "0") == 0)
        c->canon = "0";
}

#define STR(k, f)                                                                        \
    {                                                                                    \
        k, apply_string, FIELD(f), 0, 0, 0                                               \
    }
#define PATH(k, f, p)                                                                    \
    {                                                                                    \
        k, apply_path, FIELD(f), p, 0, 0                                                 \
    }
#define UINT(k, f, lo, hi)                                                               \
    {                                                                                    \
        k, apply_uint, FIELD(f), 0, lo, hi                                               \
    }
#define BOOL(k, f)                                                                       \
    {                                                                                    \
        k, apply_bool, FIELD(f), 0, 0, 0                                                 \
    }
#define ACTION(k, f)                                                                     \
    {                                                                                    \
        k, apply_action, FIELD(f), 0, 0, 0                                               \
    }
#define LATER(k, f)                                                                      \
    {                                                                                    \
        k, remember, offsetof(struct xb__ctx, f), 0, 0, 0                                \
    }
#define OTHER(k)                                                                         \
    {                                                                                    \
        k, apply_other, 0, 0, 0, 0                                                       \
    }

/* Every key xbuild understands, alphabetical. */
static const struct key_def keys[] = {
    OTHER("acpi"),
    OTHER("altp2m"),
    STR("bootloader", bootloader),
    {"bootloader_args", apply_args, FIELD(bootloader_args), 0, 0, 0},
    LATER("builder", builder),
    OTHER("cap"),
    OTHER("channel"),
    OTHER("claim_mode"),
    LATER("cmdline", cmdline),
    OTHER("cpu_weight"),
    OTHER("cpupool"),
    {"cpus", apply_cpus, 0, 0, 0, 0},
    OTHER("cpus_soft"),
    OTHER("device_model_override"),
    OTHER("device_model_version"),
    OTHER("device_tree"),
    {"disk", apply_list, 1, 0, 0, 0},
    OTHER("driver_domain"),
    OTHER("dtdev"),
    BOOL("e820_host", e820_host),
    LATER("extra", extra),
    OTHER("iomem"),
    OTHER("ioports"),
    OTHER("irqs"),
    LATER("kernel", kernel),
    OTHER("keymap"),
    OTHER("localtime"),
    UINT("max_event_channels", max_event_channels, 1, 1u << 17),
    UINT("max_grant_frames", max_grant_frames, 1, 1u << 16),
    OTHER("max_maptrack_frames"),
    LATER("maxmem", maxmem),
    LATER("maxvcpus", maxvcpus),
    LATER("memory", memory),
    LATER("name", name),
    OTHER("nomigrate"),
    ACTION("on_crash", on_crash),
    ACTION("on_poweroff", on_poweroff),
    ACTION("on_reboot", on_reboot),
    ACTION("on_soft_reset", on_soft_reset),
    ACTION("on_watchdog", on_watchdog),
    OTHER("opengl"),
    OTHER("p9"),
    OTHER("passthrough"),
    OTHER("pci"),
    OTHER("pool"),
    OTHER("pvcalls"),
    BOOL("pvshim", pvshim),
    STR("pvshim_cmdline", pvshim_cmdline),
    PATH("pvshim_path", pvshim_path, 0),
    PATH("ramdisk", ramdisk, FIELD(ramdisk_pos)),
    LATER("root", root),
    OTHER("rtc_timeoffset"),
    OTHER("sdl"),
    STR("seclabel", seclabel),
    OTHER("tsc_mode"),
    LATER("type", type),
    OTHER("usbctrl"),
    OTHER("usbdev"),
    {"uuid", apply_uuid, 0, 0, 0, 0},
    LATER("vcpus", vcpus),
    OTHER("vdispl"),
    OTHER("vfb"),
    {"vif", apply_list, 2, 0, 0, 0},
    OTHER("vkb"),
    OTHER("vnc"),
    OTHER("vncdisplay"),
    OTHER("vnclisten"),
    OTHER("vncpasswd"),
    OTHER("vncunused"),
    OTHER("vnuma"),
    OTHER("vpmu"),
    OTHER("vsnd"),
    OTHER("vtpm"),
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key_def *find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static void unknown_key(struct xb__ctx *c)
{
    const char *names[N_KEYS], *hint;

    for (size_t i = 0; i < N_KEYS; i++)
        names[i] = keys[i].name;
    hint = xb__suggest(c->e->key, names, N_KEYS);
    xb__diag(c->cfg, c->opts->strict ? XB_SEV_ERROR : XB_SEV_WARNING, &c->e->pos,
             "unknown key \"%s\"%s%s%s%s", c->e->key, hint ? " (did you mean \"" : "",
             hint ? hint : "", hint ? "\"?)" : "",
             c->opts->strict ? "" : "; ignored, as xl does");
}

static void add_unsupported(struct xb__ctx *c)
{
    struct xb_spec *s = c->spec;
    struct xb_unsupported *u;

    u = realloc(s->unsupported, (s->n_unsupported + 1) * sizeof(*u));
    if (!u) {
        c->cfg->nomem = true;
        return;
    }
    s->unsupported = u;
    u[s->n_unsupported++] = (struct xb_unsupported){
        .key = xb__dup(c, c->e->key),
        .pos = xb__spec_pos(c, &c->e->pos),
    };
}

static void apply_entry(struct xb__ctx *c)
{
    const struct key_def *k = find_key(c->e->key);
    size_t errors = c->cfg->n_errors;

    if (!k) {
        unknown_key(c);
        return;
    }
    if (c->e->value->bad && k->apply != remember)
        return; /* already reported by the lexer or parser */
    c->canon = NULL;
    k->apply(c, k);
    if (k->apply != remember && c->cfg->n_errors == errors &&
        !xb__builder_acts_on(c->e->key, c->canon))
        add_unsupported(c);
}

/* ---- keys resolved together ---- */

static const struct xb__value *later(const struct xb__entry *e)
{
    return e && !e->value->bad ? e->value : NULL;
}

static void with_entry(struct xb__ctx *c, const struct xb__entry *e,
                       void (*fn)(struct xb__ctx *, const struct xb__value *))
{
    const struct xb__entry *saved = c->e;
    size_t errors = c->cfg->n_errors;

    if (!later(e))
        return;
    c->e = e;
    c->canon = NULL;
    fn(c, e->value);
    if (!xb__builder_acts_on(e->key, c->canon) && c->cfg->n_errors == errors)
        add_unsupported(c);
    c->e = saved;
}

static void type_value(struct xb__ctx *c, const struct xb__value *v)
{
    static const char *const types[] = {"pv", "pvh"};
    const char *s = xb__want_string(c, v), *hint;

    if (!s)
        return;
    for (size_t i = 0; i < 2; i++)
        if (strcmp(s, types[i]) == 0) {
            c->spec->type = i ? XB_DOMTYPE_PVH : XB_DOMTYPE_PV;
            c->canon = types[i];
            return;
        }
    if (strcmp(s, "hvm") == 0) {
        xb__error(c->cfg, &v->pos,
                  "type: \"hvm\" guests are not supported by xbuild "
                  "(only \"pv\" and \"pvh\")");
        return;
    }
    hint = !strcasecmp(s, "pv")    ? "pv"
           : !strcasecmp(s, "pvh") ? "pvh"
                                   : xb__suggest(s, types, 2);
    xb__error(c->cfg, &v->pos, "type: expected \"pv\" or \"pvh\", got \"%s\"%s%s%s", s,
              hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
}

static void builder_value(struct xb__ctx *c, const struct xb__value *v)
{
    const char *s = xb__want_string(c, v);

    if (!s)
        return;
    if (c->type) {
        xb__warn(c->cfg, &c->e->pos, "builder is ignored: type is set at line %u",
                 c->type->pos.line);
        c->canon = "pv";
        return;
    }
    if (strcmp(s, "linux") != 0 && strcmp(s, "generic") != 0) {
        xb__error(c->cfg, &v->pos,
                  "builder: \"%s\" is not supported (\"linux\" means "
                  "a PV guest; write type = \"pv\")",
                  s);
        return;
    }
    xb__warn(c->cfg, &c->e->pos,
             "builder = \"%s\" is the xm-era spelling of "
             "type = \"pv\"; taken as type = \"pv\"",
             s);
    c->spec->type = XB_DOMTYPE_PV;
    c->canon = "pv";
}

static void memory_value(struct xb__ctx *c, const struct xb__value *v)
{
    uint64_t mib;

    if (!xb__want_u64(c, v, 1, MAX_MEMORY_MIB, &mib))
        return;
    if (c->e == c->memory) {
        c->spec->memory_mib = mib;
        c->spec->memory_pos = xb__spec_pos(c, &v->pos);
    } else {
        c->spec->maxmem_mib = mib;
    }
}

static void vcpus_value(struct xb__ctx *c, const struct xb__value *v)
{
    uint64_t n;

    if (!xb__want_u64(c, v, 1, MAX_VCPUS, &n))
        return;
    if (c->e == c->vcpus)
        c->spec->vcpus = (unsigned)n;
    else
        c->spec->maxvcpus = (unsigned)n;
}

static void name_value(struct xb__ctx *c, const struct xb__value *v)
{
    const struct key_def k = {"name", apply_name, FIELD(name), FIELD(name_pos), 0, 0};

    apply_name(c, &k);
}

static void kernel_value(struct xb__ctx *c, const struct xb__value *v)
{
    const struct key_def k = PATH("kernel", kernel, FIELD(kernel_pos));

    apply_path(c, &k);
}

static void cmdline_value(struct xb__ctx *c, const struct xb__value *v)
{
    if (xb__want_string(c, v)) {
        free(c->spec->cmdline);
        c->spec->cmdline = xb__dup(c, v->text);
        c->spec->cmdline_pos = xb__spec_pos(c, &v->pos);
    }
}

static void string_value(struct xb__ctx *c, const struct xb__value *v)
{
    xb__want_string(c, v);
}

/* xl's rule: cmdline wins; else "root=ROOT EXTRA", "root=ROOT" or "EXTRA". */
static void resolve_cmdline(struct xb__ctx *c)
{
    const struct xb__value *root = later(c->root), *extra = later(c->extra), *at;
    char *s = NULL;
    int n = 0;

    with_entry(c, c->root, string_value);
    with_entry(c, c->extra, string_value);
    with_entry(c, c->cmdline, cmdline_value);
    if ((root && root->kind != XB__V_STRING) || (extra && extra->kind != XB__V_STRING))
        return;
    if (later(c->cmdline)) {
        if (root || extra)
            xb__warn(c->cfg, &c->cmdline->pos,
                     "cmdline is set, so %s%s%s ignored, as "
                     "xl does",
                     root ? "root" : "", root && extra ? " and extra are" : "",
                     root && extra ? ""
                     : extra       ? "extra is"
                                   : " is");
        return;
    }
    if (root && extra)
        n = asprintf(&s, "root=%s %s", root->text, extra->text);
    else if (root)
        n = asprintf(&s, "root=%s", root->text);
    else if (extra)
        n = asprintf(&s, "%s", extra->text);
    if (n < 0) {
        c->cfg->nomem = true;
        return;
    }
    at = root ? root : extra;
    c->spec->cmdline = s;
    if (at)
        c->spec->cmdline_pos = xb__spec_pos(c, &at->pos);
}

static struct xb__pos file_pos(struct xb__ctx *c)
{
    return (struct xb__pos){.file = c->cfg->n_files ? c->cfg->files[0] : "<config>"};
}

static void check_sizes(struct xb__ctx *c)
{
    struct xb_spec *s = c->spec;

    if (!later(c->maxmem))
        s->maxmem_mib = s->memory_mib;
    else if (!later(c->memory))
        s->memory_mib = s->maxmem_mib;
    if (s->maxmem_mib < s->memory_mib)
        xb__error(c->cfg, &c->maxmem->value->pos,
                  "maxmem: %" PRIu64 " MiB is less than "
                  "memory (%" PRIu64 " MiB, line %u)",
                  s->maxmem_mib, s->memory_mib, c->memory->value->pos.line);
    if (!later(c->maxvcpus))
        s->maxvcpus = s->vcpus;
    if (s->maxvcpus < s->vcpus)
        xb__error(c->cfg, &c->maxvcpus->value->pos,
                  "maxvcpus: %u is less than vcpus "
                  "(%u, line %u)",
                  s->maxvcpus, s->vcpus, c->vcpus->value->pos.line);
}

static void check_required(struct xb__ctx *c)
{
    struct xb__pos at = file_pos(c);

    if (!c->name)
        xb__error(c->cfg, &at, "name: required, e.g. name = \"guest1\"");
    if (!c->kernel && !c->spec->bootloader)
        xb__error(c->cfg, &at,
                  "kernel: required, e.g. kernel = \"/boot/vmlinuz\" "
                  "(or a bootloader)");
}

static void resolve_later(struct xb__ctx *c)
{
    with_entry(c, c->name, name_value);
    with_entry(c, c->type, type_value);
    with_entry(c, c->builder, builder_value);
    with_entry(c, c->kernel, kernel_value);
    with_entry(c, c->memory, memory_value);
    with_entry(c, c->maxmem, memory_value);
    with_entry(c, c->vcpus, vcpus_value);
    with_entry(c, c->maxvcpus, vcpus_value);
    resolve_cmdline(c);
    if (c->cfg->n_errors == 0)
        check_sizes(c);
    check_required(c);
}

static int new_spec(struct xb__ctx *c)
{
    struct xb_spec *s = calloc(1, sizeof(*s));

    if (!s)
        return -ENOMEM;
    c->spec = s;
    *s = (struct xb_spec){
        .type = XB_DOMTYPE_PV,
        .memory_mib = 32,
        .vcpus = 1,
        .on_poweroff = XB_ACTION_DESTROY,
        .on_reboot = XB_ACTION_RESTART,
        .on_crash = XB_ACTION_DESTROY,
        .on_watchdog = XB_ACTION_DESTROY,
        .on_soft_reset = XB_ACTION_SOFT_RESET,
    };
    s->pos_files = calloc(c->cfg->n_files + 1, sizeof(char *));
    if (!s->pos_files)
        return -ENOMEM;
    for (; s->n_pos_files < c->cfg->n_files; s->n_pos_files++)
        if (!(s->pos_files[s->n_pos_files] = strdup(c->cfg->files[s->n_pos_files])))
            return -ENOMEM;
    if (c->cfg->n_files && strcmp(c->cfg->files[0], XB_CONFIG_CMDLINE) != 0 &&
        !(s->config_path = strdup(c->cfg->files[0])))
        return -ENOMEM;
    return 0;
}

int xb_config_to_spec(struct xb_config *cfg, const struct xb_spec_opts *opts,
                      struct xb_spec **out)
{
    static const struct xb_spec_opts none;
    struct xb__ctx c = {.cfg = cfg, .opts = opts ? opts : &none};
    int rc;

    *out = NULL;
    rc = new_spec(&c);
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < cfg->n_entries; i++) {
        c.e = &cfg->entries[i];
        apply_entry(&c);
    }
    resolve_later(&c);
    rc = cfg->nomem ? -ENOMEM : cfg->n_errors ? -EINVAL : 0;
out:
    if (rc == 0)
        *out = c.spec;
    else
        xb_spec_free(c.spec);
    return rc;
}
