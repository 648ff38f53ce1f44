/* SPDX-License-Identifier: MIT */
/*
 * lib/config/emit.c - xb_spec_to_config(): a spec written back as xl.cfg
 * text, what a save image stores when it is given a config file: every key
 * the spec carries, paths as resolved (absolute when the file had them
 * relative), the command line whole as cmdline, disks and vifs in xl's
 * key=value form (a disk's target last, as xl wants it). Parsed again, by
 * xbuild or by xl, it gives the same domain.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/config.h>

#include "text.h"

static void kv_str(struct xb__text *t, const char *key, const char *val)
{
    if (!val)
        return;
    xb__text_printf(t, "%s = ", key);
    xb__text_quoted(t, val);
    xb__text_printf(t, "\n");
}

static void kv_uint(struct xb__text *t, const char *key, uint64_t val)
{
    xb__text_printf(t, "%s = %" PRIu64 "\n", key, val);
}

static void emit_uuid(struct xb__text *t, const uint8_t *u)
{
    xb__text_printf(
        t,
        "uuid = \"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x"
        "%02x%02x\"\n",
        u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
        u[13], u[14], u[15]);
}

static void emit_actions(struct xb__text *t, const struct xb_spec *s)
{
    kv_str(t, "on_poweroff", xb_action_name(s->on_poweroff));
    kv_str(t, "on_reboot", xb_action_name(s->on_reboot));
    kv_str(t, "on_crash", xb_action_name(s->on_crash));
    if (s->on_watchdog != XB_ACTION_DESTROY) /* the defaults are left out, as xl does */
        kv_str(t, "on_watchdog", xb_action_name(s->on_watchdog));
    if (s->on_soft_reset != XB_ACTION_SOFT_RESET)
        kv_str(t, "on_soft_reset", xb_action_name(s->on_soft_reset));
}

static void emit_bootloader(struct xb__text *t, const struct xb_spec *s)
{
    kv_str(t, "bootloader", s->bootloader);
    if (!s->n_bootloader_args)
        return;
    xb__text_printf(t, "bootloader_args = [");
    for (size_t i = 0; i < s->n_bootloader_args; i++) {
        xb__text_printf(t, i ? ", " : " ");
        xb__text_quoted(t, s->bootloader_args[i]);
    }
    xb__text_printf(t, " ]\n");
}

static void emit_shim(struct xb__text *t, const struct xb_spec *s)
{
    if (!s->pvshim)
        return;
    kv_uint(t, "pvshim", 1);
    kv_str(t, "pvshim_path", s->pvshim_path);
    kv_str(t, "pvshim_cmdline", s->pvshim_cmdline); /* composed: extra included */
}

/* One "key=value," piece of a list entry; @key or @val NULL: none. */
static void piece(struct xb__text *t, bool *first, const char *key, const char *val)
{
    if (!key || !val)
        return;
    xb__text_printf(t, "%s%s%s%s", *first ? "" : ",", key, val[0] ? "=" : "", val);
    *first = false;
}

static void emit_disk(struct xb__text *t, const struct xb_disk *d)
{
    struct xb__text e = {0};
    bool first = true;

    piece(&e, &first, "vdev", d->vdev);
    piece(&e, &first, "format", d->format);
    piece(&e, &first, "access", d->readonly ? "ro" : "rw");
    piece(&e, &first, "backendtype", d->backendtype);
    piece(&e, &first, "script", d->script);
    piece(&e, &first, "backend", d->backend);
    piece(&e, &first, "devtype", d->cdrom ? "cdrom" : NULL);
    piece(&e, &first, d->discard ? "discard" : "no-discard", "");
    piece(&e, &first, d->direct_io_safe ? "direct-io-safe" : NULL, "");
    piece(&e, &first, "target", d->target); /* last: it may hold commas */
    if (e.bad)
        t->bad = true;
    xb__text_printf(t, "    ");
    xb__text_quoted(t, e.p ? e.p : "");
    xb__text_printf(t, ",\n");
    xb__text_free(&e);
}

static void emit_vif(struct xb__text *t, const struct xb_vif *v, size_t index)
{
    struct xb__text e = {0};
    char num[24];
    bool first = true;

    piece(&e, &first, "mac", v->mac);
    piece(&e, &first, "bridge", v->bridge);
    piece(&e, &first, "ip", v->ip);
    piece(&e, &first, "script", v->script);
    piece(&e, &first, "vifname", v->vifname);
    piece(&e, &first, "type", v->type);
    piece(&e, &first, "model", v->model);
    piece(&e, &first, "rate", v->rate);
    piece(&e, &first, "backend", v->backend);
    piece(&e, &first, "gatewaydev", v->gatewaydev);
    snprintf(num, sizeof(num), "%u", v->mtu);
    piece(&e, &first, "mtu", v->mtu ? num : NULL);
    snprintf(num, sizeof(num), "%u", v->devid);
    piece(&e, &first, "devid", v->devid != index ? num : NULL);
    if (e.bad)
        t->bad = true;
    xb__text_printf(t, "    ");
    xb__text_quoted(t, e.p ? e.p : "");
    xb__text_printf(t, ",\n");
    xb__text_free(&e);
}

static void emit_devices(struct xb__text *t, const struct xb_spec *s)
{
    if (s->n_disks) {
        xb__text_printf(t, "disk = [\n");
        for (size_t i = 0; i < s->n_disks; i++)
            emit_disk(t, &s->disks[i]);
        xb__text_printf(t, "]\n");
    }
    if (s->n_vifs) {
        xb__text_printf(t, "vif = [\n");
        for (size_t i = 0; i < s->n_vifs; i++)
            emit_vif(t, &s->vifs[i], i);
        xb__text_printf(t, "]\n");
    }
}

int xb_spec_to_config(const struct xb_spec *s, char **text, size_t *len)
{
    struct xb__text t = {0};

    *text = NULL;
    *len = 0;
    xb__text_printf(&t, "# the configuration of \"%s\", as xbuild read it\n",
                    s->name ? s->name : "");
    kv_str(&t, "name", s->name);
    kv_str(&t, "type", xb_domtype_name(s->type));
    if (s->has_uuid)
        emit_uuid(&t, s->uuid);
    kv_uint(&t, "memory", s->memory_mib);
    kv_uint(&t, "maxmem", s->maxmem_mib);
    kv_uint(&t, "vcpus", s->vcpus);
    kv_uint(&t, "maxvcpus", s->maxvcpus);
    kv_str(&t, "cpus", s->cpus);
    kv_str(&t, "kernel", s->kernel);
    kv_str(&t, "ramdisk", s->ramdisk);
    kv_str(&t, "cmdline", s->cmdline);
    emit_bootloader(&t, s);
    emit_actions(&t, s);
    if (s->max_grant_frames)
        kv_uint(&t, "max_grant_frames", s->max_grant_frames);
    if (s->max_event_channels)
        kv_uint(&t, "max_event_channels", s->max_event_channels);
    emit_shim(&t, s);
    if (s->e820_host)
        kv_uint(&t, "e820_host", 1);
    if (s->msr_relaxed)
        kv_uint(&t, "msr_relaxed", 1);
    kv_str(&t, "seclabel", s->seclabel);
    emit_devices(&t, s);
    if (t.bad) {
        xb__text_free(&t);
        return -ENOMEM;
    }
    *text = t.p;
    *len = t.len;
    return 0;
}
