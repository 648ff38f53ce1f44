/* SPDX-License-Identifier: MIT */
/*
 * lib/config/keys.c - the table of xl.cfg keys and the step that turns the
 * parsed entries into a validated struct xb_spec.
 *
 * Each key has a kind (string, path, number, bool, action, list of disks,
 * ...) that says how its value is checked and where it goes; keys that need
 * more have a named handler. Keys that depend on others (memory and maxmem,
 * type and builder, root, extra and cmdline, the pvshim family) are applied
 * once every entry is seen, in a fixed order, whatever the file's order.
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

static const struct xb__value *value_of(const struct xb__entry *e)
{
    return e && !e->value->bad ? e->value : NULL;
}

static const struct xb__value *later_value(const struct xb__ctx *c, enum xb__later l)
{
    return value_of(c->later[l]);
}

/* "a, b or c" from a name table, for messages. */
static const char *join(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                i == 0       ? ""
                                : i + 1 == n ? " or "
                                             : ", ",
                                names[i]);
    return buf;
}

/* " (did you mean "x"?)" or "". */
const char *xb__key_hint_of(const char *word, const char *const *names, size_t n,
                            char *buf, size_t size)
{
    const char *hint = xb__suggest(word, names, n);

    buf[0] = '\0';
    if (hint)
        snprintf(buf, size, " (did you mean \"%s\"?)", hint);
    return buf;
}

/* ---- generic kinds ---- */

static void set_pos(struct xb__ctx *c, const struct key_def *k)
{
    if (k->pos_field)
        *AT(c->spec, k->pos_field, struct xb_pos) = xb__spec_pos(c, &c->e->value->pos);
}

void xb__key_replace_field(struct xb__ctx *c, const struct key_def *k, char *value)
{
    char **field = AT(c->spec, k->field, char *);

    free(*field);
    *field = value;
    set_pos(c, k);
}

static void apply_string(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);

    if (s && k->field != NO_FIELD)
        xb__key_replace_field(c, k, xb__dup(c, s));
}

/* With a bootloader, kernel and ramdisk name files in the guest's disk (xl passes
 * them as --kernel, --ramdisk). */
static bool in_guest(const struct xb__ctx *c, const struct key_def *k)
{
    return c->later[XB__LATER_BOOTLOADER] &&
           (k->field == SPEC(kernel) || k->field == SPEC(ramdisk));
}

static void apply_path(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);

    if (!s)
        return;
    if (!*s) {
        xb__error(c->cfg, &c->e->value->pos, "%s: the path is empty", k->name);
        return;
    }
    if (in_guest(c, k)) { /* handed to the bootloader as written */
        xb__key_replace_field(c, k, xb__dup(c, s));
        return;
    }
    xb__key_replace_field(c, k, xb__resolve(c, &c->e->value->pos, s));
}

static void apply_uint(struct xb__ctx *c, const struct key_def *k)
{
    uint64_t v;

    if (xb__want_u64(c, c->e->value, k->min, k->max, &v)) {
        *AT(c->spec, k->field, unsigned) = (unsigned)v;
        set_pos(c, k);
    }
}

static void apply_u64(struct xb__ctx *c, const struct key_def *k)
{
    uint64_t v;

    if (xb__want_u64(c, c->e->value, k->min, k->max, &v)) {
        *AT(c->spec, k->field, uint64_t) = v;
        set_pos(c, k);
    }
}

static void apply_bool(struct xb__ctx *c, const struct key_def *k)
{
    bool v;

    if (!xb__want_bool(c, c->e->value, &v))
        return;
    *AT(c->spec, k->field, bool) = v;
    c->canon = v ? "1" : "0";
}

static void apply_action(struct xb__ctx *c, const struct key_def *k)
{
    const char *s = xb__want_string(c, c->e->value);
    const char *const *names;
    enum xb_action a;
    char all[160], hint[64];
    size_t n;

    if (!s)
        return;
    if (xb_action_from_name(s, &a) == 0) {
        *AT(c->spec, k->field, enum xb_action) = a;
        c->canon = xb_action_name(a);
        return;
    }
    names = xb__action_names(&n);
    xb__error(c->cfg, &c->e->value->pos, "%s: expected one of %s; got \"%s\"%s", k->name,
              join(names, n, all, sizeof(all)), s,
              xb__key_hint_of(s, names, n, hint, sizeof(hint)));
}

static void apply_disks(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = xb__want_list(c);

    if (!v)
        return;
    c->canon = v->n_items ? NULL : "[]";
    xb__apply_disks(c);
}

static void apply_vifs(struct xb__ctx *c, const struct key_def *k)
{
    const struct xb__value *v = xb__want_list(c);

    if (!v)
        return;
    c->canon = v->n_items ? NULL : "[]";
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

static void apply_ignored(struct xb__ctx *c, const struct key_def *k)
{
    xb__warn(c->cfg, &c->e->pos, "%s: %s", k->name, k->note);
    c->ignored = true;
}

static void apply_special(struct xb__ctx *c, const struct key_def *k)
{
    k->handler(c, k);
}

static void (*const appliers[])(struct xb__ctx *c, const struct key_def *k) = {
    [KIND_STRING] = apply_string,   [KIND_PATH] = apply_path,
    [KIND_UINT] = apply_uint,       [KIND_U64] = apply_u64,
    [KIND_BOOL] = apply_bool,       [KIND_ACTION] = apply_action,
    [KIND_DISKS] = apply_disks,     [KIND_VIFS] = apply_vifs,
    [KIND_OTHER] = apply_other,     [KIND_IGNORED] = apply_ignored,
    [KIND_SPECIAL] = apply_special,
};

/* ---- the table ---- */

/* Every key xbuild understands, alphabetical. */
static const struct key_def keys[] = {
    {.name = "acpi", .kind = KIND_BOOL, .field = SPEC(acpi)},
    {.name = "altp2m", .kind = KIND_OTHER},
    {.name = "bootloader",
     .kind = KIND_SPECIAL,
     .handler = xb__key_bootloader,
     .field = SPEC(bootloader),
     .pos_field = SPEC(bootloader_pos),
     .later = XB__LATER_BOOTLOADER},
    {.name = "bootloader_args", .kind = KIND_SPECIAL, .handler = xb__key_bootloader_args},
    {.name = "builder",
     .kind = KIND_SPECIAL,
     .handler = xb__key_builder,
     .later = XB__LATER_BUILDER},
    {.name = "cap", .kind = KIND_OTHER},
    {.name = "channel", .kind = KIND_OTHER},
    {.name = "claim_mode", .kind = KIND_OTHER},
    {.name = "cmdline",
     .kind = KIND_STRING,
     .field = SPEC(cmdline),
     .pos_field = SPEC(cmdline_pos),
     .later = XB__LATER_CMDLINE},
    {.name = "cpu_weight", .kind = KIND_OTHER},
    {.name = "cpupool", .kind = KIND_OTHER},
    {.name = "cpus", .kind = KIND_SPECIAL, .handler = xb__key_cpus},
    {.name = "cpus_soft", .kind = KIND_OTHER},
    {.name = "device_model_override", .kind = KIND_OTHER},
    {.name = "device_model_version", .kind = KIND_OTHER},
    {.name = "device_tree", .kind = KIND_OTHER},
    {.name = "dhcp",
     .kind = KIND_IGNORED,
     .note = "ignored, as xl does (an xm-era key: the guest configures its own "
             "network)"},
    {.name = "disk", .kind = KIND_DISKS},
    {.name = "driver_domain", .kind = KIND_OTHER},
    {.name = "dtdev", .kind = KIND_OTHER},
    {.name = "e820_host", .kind = KIND_BOOL, .field = SPEC(e820_host)},
    {.name = "extra", .kind = KIND_STRING, .field = NO_FIELD, .later = XB__LATER_EXTRA},
    {.name = "iomem", .kind = KIND_OTHER},
    {.name = "ioports", .kind = KIND_OTHER},
    {.name = "irqs", .kind = KIND_OTHER},
    {.name = "kernel",
     .kind = KIND_PATH,
     .field = SPEC(kernel),
     .pos_field = SPEC(kernel_pos),
     .later = XB__LATER_KERNEL},
    {.name = "keymap", .kind = KIND_OTHER},
    {.name = "localtime", .kind = KIND_OTHER},
    {.name = "max_event_channels",
     .kind = KIND_UINT,
     .field = SPEC(max_event_channels),
     .min = 1,
     .max = 1u << 17},
    {.name = "max_grant_frames",
     .kind = KIND_UINT,
     .field = SPEC(max_grant_frames),
     .min = 1,
     .max = 1u << 16},
    {.name = "max_maptrack_frames", .kind = KIND_OTHER},
    {.name = "maxmem",
     .kind = KIND_U64,
     .field = SPEC(maxmem_mib),
     .min = 1,
     .max = MAX_MEMORY_MIB,
     .later = XB__LATER_MAXMEM},
    {.name = "maxvcpus",
     .kind = KIND_UINT,
     .field = SPEC(maxvcpus),
     .min = 1,
     .max = MAX_VCPUS,
     .later = XB__LATER_MAXVCPUS},
    {.name = "memory",
     .kind = KIND_U64,
     .field = SPEC(memory_mib),
     .pos_field = SPEC(memory_pos),
     .min = 1,
     .max = MAX_MEMORY_MIB,
     .later = XB__LATER_MEMORY},
    {.name = "msr_relaxed", .kind = KIND_BOOL, .field = SPEC(msr_relaxed)},
    {.name = "name",
     .kind = KIND_SPECIAL,
     .handler = xb__key_name,
     .field = SPEC(name),
     .pos_field = SPEC(name_pos),
     .later = XB__LATER_NAME},
    {.name = "nomigrate", .kind = KIND_OTHER},
    {.name = "on_crash", .kind = KIND_ACTION, .field = SPEC(on_crash)},
    {.name = "on_poweroff", .kind = KIND_ACTION, .field = SPEC(on_poweroff)},
    {.name = "on_reboot", .kind = KIND_ACTION, .field = SPEC(on_reboot)},
    {.name = "on_soft_reset", .kind = KIND_ACTION, .field = SPEC(on_soft_reset)},
    {.name = "on_watchdog", .kind = KIND_ACTION, .field = SPEC(on_watchdog)},
    {.name = "opengl", .kind = KIND_OTHER},
    {.name = "p9", .kind = KIND_OTHER},
    {.name = "passthrough", .kind = KIND_OTHER},
    {.name = "pci", .kind = KIND_OTHER},
    {.name = "pool", .kind = KIND_OTHER},
    {.name = "pvcalls", .kind = KIND_OTHER},
    {.name = "pvshim",
     .kind = KIND_BOOL,
     .field = SPEC(pvshim),
     .applies = xb__key_shim_applies,
     .later = XB__LATER_PVSHIM},
    {.name = "pvshim_cmdline",
     .kind = KIND_STRING,
     .field = SPEC(pvshim_cmdline),
     .applies = xb__key_shim_applies,
     .later = XB__LATER_PVSHIM_CMDLINE},
    {.name = "pvshim_extra",
     .kind = KIND_STRING,
     .field = NO_FIELD,
     .applies = xb__key_shim_applies,
     .later = XB__LATER_PVSHIM_EXTRA},
    {.name = "pvshim_path",
     .kind = KIND_PATH,
     .field = SPEC(pvshim_path),
     .applies = xb__key_shim_applies,
     .later = XB__LATER_PVSHIM_PATH},
    {.name = "ramdisk",
     .kind = KIND_PATH,
     .field = SPEC(ramdisk),
     .pos_field = SPEC(ramdisk_pos),
     .later = XB__LATER_RAMDISK},
    {.name = "root", .kind = KIND_STRING, .field = NO_FIELD, .later = XB__LATER_ROOT},
    {.name = "rtc_timeoffset", .kind = KIND_OTHER},
    {.name = "sdl", .kind = KIND_OTHER},
    {.name = "seclabel", .kind = KIND_STRING, .field = SPEC(seclabel)},
    {.name = "tsc_mode", .kind = KIND_OTHER},
    {.name = "type",
     .kind = KIND_SPECIAL,
     .handler = xb__key_type,
     .later = XB__LATER_TYPE},
    {.name = "usbctrl", .kind = KIND_OTHER},
    {.name = "usbdev", .kind = KIND_OTHER},
    {.name = "uuid", .kind = KIND_SPECIAL, .handler = xb__key_uuid},
    {.name = "vcpus",
     .kind = KIND_UINT,
     .field = SPEC(vcpus),
     .min = 1,
     .max = MAX_VCPUS,
     .later = XB__LATER_VCPUS},
    {.name = "vdispl", .kind = KIND_OTHER},
    {.name = "vfb", .kind = KIND_OTHER},
    {.name = "vif", .kind = KIND_VIFS},
    {.name = "vkb", .kind = KIND_OTHER},
    {.name = "vnc", .kind = KIND_OTHER},
    {.name = "vncdisplay", .kind = KIND_OTHER},
    {.name = "vnclisten", .kind = KIND_OTHER},
    {.name = "vncpasswd", .kind = KIND_OTHER},
    {.name = "vncunused", .kind = KIND_OTHER},
    {.name = "vnuma", .kind = KIND_OTHER},
    {.name = "vpmu", .kind = KIND_OTHER},
    {.name = "vsnd", .kind = KIND_OTHER},
    {.name = "vtpm", .kind = KIND_OTHER},
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
    const char *names[N_KEYS];
    char hint[64];

    for (size_t i = 0; i < N_KEYS; i++)
        names[i] = keys[i].name;
    xb__diag(c->cfg, c->opts->strict ? XB_SEV_ERROR : XB_SEV_WARNING, &c->e->pos,
             "unknown key \"%s\"%s%s", c->e->key,
             xb__key_hint_of(c->e->key, names, N_KEYS, hint, sizeof(hint)),
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

/* Apply one entry by its key's kind; list it when the builder cannot act on it. */
static void apply(struct xb__ctx *c, const struct key_def *k, const struct xb__entry *e)
{
    size_t errors = c->cfg->n_errors;

    if (e->value->bad)
        return; /* already reported by the lexer or parser */
    c->e = e;
    c->canon = NULL;
    c->ignored = false;
    if (k->applies && !k->applies(c, k))
        goto out;
    appliers[k->kind](c, k);
    if (!c->ignored && c->cfg->n_errors == errors &&
        !xb__builder_acts_on(k->name, c->canon))
        add_unsupported(c);
out:
    c->e = NULL;
}

/* ---- what is resolved once every key is seen ---- */

/* xl's rule: cmdline wins; else "root=ROOT EXTRA", "root=ROOT" or "EXTRA". */
static void compose_cmdline(struct xb__ctx *c)
{
    const struct xb__value *root = later_value(c, XB__LATER_ROOT);
    const struct xb__value *extra = later_value(c, XB__LATER_EXTRA), *at;
    char *s = NULL;
    int n = 0;

    if ((root && root->kind != XB__V_STRING) || (extra && extra->kind != XB__V_STRING))
        return;
    if (later_value(c, XB__LATER_CMDLINE)) {
        if (root || extra)
            xb__warn(c->cfg, &c->later[XB__LATER_CMDLINE]->pos,
                     "cmdline is set, so %s ignored, as xl does",
                     root && extra ? "root and extra are"
                     : root        ? "root is"
                                   : "extra is");
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

/* libxl's: pvshim_cmdline (or its default), then " " and pvshim_extra. */
static void compose_shim_cmdline(struct xb__ctx *c)
{
    const struct xb__value *extra = later_value(c, XB__LATER_PVSHIM_EXTRA);
    struct xb_spec *s = c->spec;
    char *line = NULL;

    if (!s->pvshim || s->type != XB_DOMTYPE_PVH)
        return;
    if (extra && extra->kind != XB__V_STRING)
        return;
    if (asprintf(&line, "%s%s%s", s->pvshim_cmdline ? s->pvshim_cmdline : PVSHIM_CMDLINE,
                 extra ? " " : "", extra ? extra->text : "") < 0) {
        c->cfg->nomem = true;
        return;
    }
    free(s->pvshim_cmdline);
    s->pvshim_cmdline = line;
}

static struct xb__pos file_pos(struct xb__ctx *c)
{
    return (struct xb__pos){.file = c->cfg->n_files ? c->cfg->files[0] : "<config>"};
}

static void check_sizes(struct xb__ctx *c)
{
    const struct xb__value *memory = later_value(c, XB__LATER_MEMORY);
    const struct xb__value *maxmem = later_value(c, XB__LATER_MAXMEM);
    const struct xb__value *vcpus = later_value(c, XB__LATER_VCPUS);
    const struct xb__value *maxvcpus = later_value(c, XB__LATER_MAXVCPUS);
    struct xb_spec *s = c->spec;

    if (!maxmem)
        s->maxmem_mib = s->memory_mib;
    else if (!memory)
        s->memory_mib = s->maxmem_mib;
    if (s->maxmem_mib < s->memory_mib)
        xb__error(c->cfg, &maxmem->pos,
                  "maxmem: %" PRIu64 " MiB is less than memory (%" PRIu64
                  " MiB, line %u)",
                  s->maxmem_mib, s->memory_mib, memory->pos.line);
    if (!maxvcpus)
        s->maxvcpus = s->vcpus;
    if (s->maxvcpus < s->vcpus)
        xb__error(c->cfg, &maxvcpus->pos, "maxvcpus: %u is less than vcpus (%u, line %u)",
                  s->maxvcpus, s->vcpus, vcpus->pos.line);
}

static void check_required(struct xb__ctx *c)
{
    struct xb__pos at = file_pos(c);

    if (!c->later[XB__LATER_NAME])
        xb__error(c->cfg, &at, "name: required, e.g. name = \"guest1\"");
    if (!c->later[XB__LATER_KERNEL] && !c->later[XB__LATER_BOOTLOADER])
        xb__error(c->cfg, &at,
                  "kernel: required, e.g. kernel = \"/boot/vmlinuz\" (or a bootloader)");
}

static void resolve_later(struct xb__ctx *c)
{
    for (int l = XB__LATER_NONE + 1; l < XB__N_LATER; l++)
        if (c->later[l])
            apply(c, find_key(c->later[l]->key), c->later[l]);
    compose_cmdline(c);
    compose_shim_cmdline(c);
    if (c->cfg->n_errors == 0)
        check_sizes(c);
    check_required(c);
}

int xb__spec_new(struct xb__ctx *c)
{
    struct xb_spec *s = calloc(1, sizeof(*s));

    if (!s)
        return -ENOMEM;
    c->spec = s;
    *s = (struct xb_spec){
        .type = XB_DOMTYPE_PV,
        .memory_mib = 32,
        .vcpus = 1,
        .acpi = true,
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
    rc = xb__spec_new(&c);
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < cfg->n_entries; i++) {
        const struct key_def *k = find_key(cfg->entries[i].key);

        c.e = &cfg->entries[i];
        if (!k)
            unknown_key(&c);
        else if (k->later)
            c.later[k->later] = &cfg->entries[i];
        else
            apply(&c, k, &cfg->entries[i]);
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
