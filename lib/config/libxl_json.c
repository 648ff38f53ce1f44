/* SPDX-License-Identifier: MIT */
/*
 * lib/config/libxl_json.c - xb_config_parse_libxl_json(): the domain
 * configuration libxl keeps and xl stores in its save images (a
 * libxl_domain_config as JSON, defaults left out) read as the xl.cfg keys
 * it stands for, then parsed like any config file. What is read:
 *
 *   c_info      type, name, uuid
 *   b_info      max_vcpus, avail_vcpus (the online ones), max_memkb,
 *               target_memkb, kernel, ramdisk, cmdline, bootloader and
 *               bootloader_args (also under type.pv), max_grant_frames,
 *               event_channels, type.pv.e820_host, type.pvh.pvshim*,
 *               arch_x86.msr_relaxed
 *   disks       pdev_path, vdev, format, readwrite, is_cdrom, backend,
 *               script, backend_domname
 *   nics        mac, bridge, ip, script, ifname, nictype, model, mtu,
 *               gatewaydev, rate_bytes_per_interval + rate_interval_usecs,
 *               backend_domname
 *   on_poweroff, on_reboot, on_crash, on_watchdog, on_soft_reset
 *
 * libxl leaves a default out, so an absent on_poweroff, on_reboot or
 * on_crash is "destroy" (on_watchdog and on_soft_reset keep xl's default)
 * and absent vCPUs are 1. The rest (scheduler, claim mode, video memory, ...) is
 * libxl's bookkeeping of defaults and is not a key a PV or PVH guest sets.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "internal.h"
#include "text.h"

static yajl_val member(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};

    return obj ? yajl_tree_get(obj, path, yajl_t_any) : NULL;
}

static const char *str(yajl_val obj, const char *key)
{
    yajl_val v = member(obj, key);

    return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static bool num(yajl_val obj, const char *key, long long *out)
{
    yajl_val v = member(obj, key);

    if (!YAJL_IS_INTEGER(v))
        return false;
    *out = YAJL_GET_INTEGER(v);
    return true;
}

/* libxl's defbools and bools: "True" / "False" (or a number for plain ints). */
static bool truth(yajl_val obj, const char *key)
{
    const char *s = str(obj, key);
    long long n;

    if (s)
        return strcmp(s, "True") == 0;
    return num(obj, key, &n) && n != 0;
}

static void kv_str(struct xb__text *t, const char *key, const char *val)
{
    if (!val)
        return;
    xb__text_printf(t, "%s = ", key);
    xb__text_quoted(t, val);
    xb__text_printf(t, "\n");
}

/* libxl_action_on_shutdown's names to xl.cfg's. */
static const char *action(const char *name)
{
    static const char *const map[][2] = {
        {"destroy", "destroy"},
        {"restart", "restart"},
        {"restart_rename", "rename-restart"},
        {"preserve", "preserve"},
        {"coredump_destroy", "coredump-destroy"},
        {"coredump_restart", "coredump-restart"},
        {"soft_reset", "soft-reset"},
    };

    if (!name)
        return "destroy";
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], name) == 0)
            return map[i][1];
    return name; /* the config layer says what is wrong with it */
}

static void emit_vcpus(struct xb__text *t, yajl_val b)
{
    yajl_val avail = member(b, "avail_vcpus");
    long long max = 1;

    num(b, "max_vcpus", &max);
    xb__text_printf(t, "maxvcpus = %lld\n", max);
    xb__text_printf(
        t, "vcpus = %lld\n",
        YAJL_IS_ARRAY(avail) && avail->u.array.len ? (long long)avail->u.array.len : max);
}

static void emit_memory(struct xb__text *t, yajl_val b)
{
    long long kib;

    if (num(b, "target_memkb", &kib) && kib > 0)
        xb__text_printf(t, "memory = %lld\n", (kib + 1023) / 1024);
    if (num(b, "max_memkb", &kib) && kib > 0)
        xb__text_printf(t, "maxmem = %lld\n", (kib + 1023) / 1024);
}

static void emit_bootloader(struct xb__text *t, yajl_val b)
{
    yajl_val pv = member(b, "type.pv"), args = member(b, "bootloader_args");
    const char *bl = str(b, "bootloader");

    if (!bl && (bl = str(pv, "bootloader")) != NULL)
        args = member(pv, "bootloader_args");
    kv_str(t, "bootloader", bl);
    if (!YAJL_IS_ARRAY(args) || !args->u.array.len)
        return;
    xb__text_printf(t, "bootloader_args = [");
    for (size_t i = 0; i < args->u.array.len; i++) {
        const char *a = YAJL_GET_STRING(args->u.array.values[i]);
        xb__text_printf(t, i ? ", " : " ");
        xb__text_quoted(t, a ? a : "");
    }
    xb__text_printf(t, " ]\n");
}

static void emit_build(struct xb__text *t, yajl_val b)
{
    yajl_val pvh = member(b, "type.pvh");
    long long n;

    emit_vcpus(t, b);
    emit_memory(t, b);
    kv_str(t, "kernel", str(b, "kernel"));
    kv_str(t, "ramdisk", str(b, "ramdisk"));
    kv_str(t, "cmdline", str(b, "cmdline"));
    emit_bootloader(t, b);
    if (num(b, "max_grant_frames", &n) && n > 0)
        xb__text_printf(t, "max_grant_frames = %lld\n", n);
    if (num(b, "event_channels", &n) && n > 0)
        xb__text_printf(t, "max_event_channels = %lld\n", n);
    if (truth(member(b, "type.pv"), "e820_host"))
        xb__text_printf(t, "e820_host = 1\n");
    if (truth(pvh, "pvshim")) {
        xb__text_printf(t, "pvshim = 1\n");
        kv_str(t, "pvshim_path", str(pvh, "pvshim_path"));
        kv_str(t, "pvshim_cmdline", str(pvh, "pvshim_cmdline"));
        kv_str(t, "pvshim_extra", str(pvh, "pvshim_extra"));
    }
    if (truth(member(b, "arch_x86"), "msr_relaxed"))
        xb__text_printf(t, "msr_relaxed = 1\n");
}

/* "key=value," of a list entry. */
static void piece(struct xb__text *e, const char *key, const char *val)
{
    if (val)
        xb__text_printf(e, "%s%s=%s", e->len ? "," : "", key, val);
}

static void entry(struct xb__text *t, struct xb__text *e)
{
    if (e->bad)
        t->bad = true;
    xb__text_printf(t, "    ");
    xb__text_quoted(t, e->p ? e->p : "");
    xb__text_printf(t, ",\n");
    xb__text_free(e);
}

static void emit_disk(struct xb__text *t, yajl_val d)
{
    const char *backend = str(d, "backend");
    struct xb__text e = {0};
    long long rw = 0;

    num(d, "readwrite", &rw);
    piece(&e, "vdev", str(d, "vdev"));
    piece(&e, "format", str(d, "format"));
    piece(&e, "access", rw ? "rw" : "ro");
    piece(&e, "backendtype", backend && strcmp(backend, "unknown") ? backend : NULL);
    piece(&e, "script", str(d, "script"));
    piece(&e, "backend", str(d, "backend_domname"));
    piece(&e, "devtype", truth(d, "is_cdrom") ? "cdrom" : NULL);
    piece(&e, "target", str(d, "pdev_path")); /* last: it may hold commas */
    entry(t, &e);
}

static void emit_nic(struct xb__text *t, yajl_val n)
{
    const char *type = str(n, "nictype");
    struct xb__text e = {0};
    long long mtu, bytes, usecs;
    char buf[64];

    piece(&e, "mac", str(n, "mac"));
    piece(&e, "bridge", str(n, "bridge"));
    piece(&e, "ip", str(n, "ip"));
    piece(&e, "script", str(n, "script"));
    piece(&e, "vifname", str(n, "ifname"));
    piece(&e, "type", type && strcmp(type, "vif_ioemu") == 0 ? "ioemu" : NULL);
    piece(&e, "model", str(n, "model"));
    piece(&e, "gatewaydev", str(n, "gatewaydev"));
    piece(&e, "backend", str(n, "backend_domname"));
    snprintf(buf, sizeof(buf), "%lld", num(n, "mtu", &mtu) ? mtu : 0);
    piece(&e, "mtu", num(n, "mtu", &mtu) && mtu > 0 ? buf : NULL);
    if (num(n, "rate_bytes_per_interval", &bytes) && bytes > 0 &&
        num(n, "rate_interval_usecs", &usecs) && usecs > 0) {
        snprintf(buf, sizeof(buf), "%lldB/s@%lldus", bytes * 1000000 / usecs, usecs);
        piece(&e, "rate", buf);
    }
    entry(t, &e);
}

static void emit_list(struct xb__text *t, yajl_val root, const char *member_name,
                      const char *key, void (*one)(struct xb__text *t, yajl_val v))
{
    yajl_val list = member(root, member_name);

    if (!YAJL_IS_ARRAY(list) || !list->u.array.len)
        return;
    xb__text_printf(t, "%s = [\n", key);
    for (size_t i = 0; i < list->u.array.len; i++)
        one(t, list->u.array.values[i]);
    xb__text_printf(t, "]\n");
}

static void emit(struct xb__text *t, yajl_val root)
{
    static const char *const actions[] = {"on_poweroff", "on_reboot", "on_crash"};
    yajl_val c = member(root, "c_info");

    xb__text_printf(t, "# libxl's JSON configuration, as xbuild reads it\n");
    kv_str(t, "name", str(c, "name"));
    kv_str(t, "type", str(c, "type"));
    kv_str(t, "uuid", str(c, "uuid"));
    emit_build(t, member(root, "b_info"));
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        kv_str(t, actions[i], action(str(root, actions[i])));
    kv_str(t, "on_watchdog",
           str(root, "on_watchdog") ? action(str(root, "on_watchdog")) : NULL);
    kv_str(t, "on_soft_reset",
           str(root, "on_soft_reset") ? action(str(root, "on_soft_reset")) : NULL);
    emit_list(t, root, "disks", "disk", emit_disk);
    emit_list(t, root, "nics", "vif", emit_nic);
}

int xb_config_libxl_json_text(const char *buf, size_t len, char **text, size_t *text_len,
                              char *why, size_t why_size)
{
    struct xb__text t = {0};
    char *copy = malloc(len + 1);
    yajl_val root;

    *text = NULL;
    *text_len = 0;
    if (!copy)
        return -ENOMEM;
    memcpy(copy, buf, len);
    copy[len] = '\0';
    root = yajl_tree_parse(copy, why, why_size);
    free(copy);
    if (!root || !YAJL_IS_OBJECT(root) || !YAJL_IS_OBJECT(member(root, "c_info"))) {
        if (root)
            snprintf(why, why_size, "no c_info object: not a libxl_domain_config");
        why[strcspn(why, "\n")] = '\0'; /* yajl's first line says it */
        yajl_tree_free(root);
        return -EINVAL;
    }
    emit(&t, root);
    yajl_tree_free(root);
    if (t.bad) {
        xb__text_free(&t);
        return -ENOMEM;
    }
    *text = t.p;
    *text_len = t.len;
    return 0;
}

int xb_config_parse_libxl_json(struct xb_config *cfg, const char *buf, size_t len,
                               const char *filename)
{
    char why[256] = "", *text = NULL;
    size_t text_len = 0;
    struct xb__pos pos = {.file = xb__intern_file(cfg, filename)};
    int rc = xb_config_libxl_json_text(buf, len, &text, &text_len, why, sizeof(why));

    if (rc == -EINVAL) {
        xb__error(cfg, &pos, "not libxl's JSON domain configuration: %s", why);
        return rc;
    }
    if (rc)
        return rc;
    rc = xb_config_parse(cfg, text, text_len, filename);
    free(text);
    return rc;
}
