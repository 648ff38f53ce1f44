/* SPDX-License-Identifier: MIT */
/* tools/xbuild/spec_json.c - a struct xb_spec as JSON, in a stable order. */
#include <stdio.h>
#include <string.h>

#include "spec_cli.h"

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void key_str(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    if (v)
        str(g, v);
    else
        yajl_gen_null(g);
}

static void key_int(yajl_gen g, const char *k, unsigned long long v)
{
    str(g, k);
    yajl_gen_integer(g, (long long)v);
}

static void key_bool(yajl_gen g, const char *k, bool v)
{
    str(g, k);
    yajl_gen_bool(g, v);
}

static void pos(yajl_gen g, const char *k, const struct xb_pos *p)
{
    char buf[64];

    str(g, k);
    if (!p->file || !p->line) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    key_str(g, "file", p->file);
    snprintf(buf, sizeof(buf), "%u:%u", p->line, p->col);
    key_str(g, "at", buf);
    yajl_gen_map_close(g);
}

static void uuid(yajl_gen g, const struct xb_spec *s)
{
    char buf[37];
    const uint8_t *u = s->uuid;

    if (!s->has_uuid) {
        key_str(g, "uuid", NULL);
        return;
    }
    snprintf(buf, sizeof(buf),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
             u[12], u[13], u[14], u[15]);
    key_str(g, "uuid", buf);
}

static void disk(yajl_gen g, const struct xb_disk *d)
{
    yajl_gen_map_open(g);
    key_str(g, "target", d->target);
    key_str(g, "format", d->format);
    key_str(g, "vdev", d->vdev);
    key_str(g, "access", d->readonly ? "ro" : "rw");
    key_bool(g, "cdrom", d->cdrom);
    key_str(g, "backendtype", d->backendtype);
    key_str(g, "backend", d->backend);
    key_str(g, "script", d->script);
    yajl_gen_map_close(g);
}

static void vif(yajl_gen g, const struct xb_vif *v)
{
    yajl_gen_map_open(g);
    key_str(g, "mac", v->mac);
    key_str(g, "bridge", v->bridge);
    key_str(g, "ip", v->ip);
    key_str(g, "script", v->script);
    key_str(g, "vifname", v->vifname);
    key_str(g, "type", v->type);
    key_str(g, "model", v->model);
    key_str(g, "rate", v->rate);
    key_int(g, "mtu", v->mtu);
    key_str(g, "backend", v->backend);
    yajl_gen_map_close(g);
}

static void devices(yajl_gen g, const struct xb_spec *s)
{
    str(g, "disks");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_disks; i++)
        disk(g, &s->disks[i]);
    yajl_gen_array_close(g);
    str(g, "vifs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_vifs; i++)
        vif(g, &s->vifs[i]);
    yajl_gen_array_close(g);
}

static void unsupported(yajl_gen g, const struct xb_spec *s)
{
    str(g, "unsupported");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_unsupported; i++) {
        yajl_gen_map_open(g);
        key_str(g, "key", s->unsupported[i].key);
        pos(g, "pos", &s->unsupported[i].pos);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void actions(yajl_gen g, const struct xb_spec *s)
{
    key_str(g, "on_poweroff", xb_action_name(s->on_poweroff));
    key_str(g, "on_reboot", xb_action_name(s->on_reboot));
    key_str(g, "on_crash", xb_action_name(s->on_crash));
    key_str(g, "on_watchdog", xb_action_name(s->on_watchdog));
    key_str(g, "on_soft_reset", xb_action_name(s->on_soft_reset));
}

int spec_json(yajl_gen g, const struct xb_spec *s)
{
    yajl_gen_map_open(g);
    key_str(g, "name", s->name);
    key_str(g, "type", xb_domtype_name(s->type));
    key_str(g, "kernel", s->kernel);
    key_str(g, "ramdisk", s->ramdisk);
    key_str(g, "cmdline", s->cmdline);
    key_int(g, "memory_mib", s->memory_mib);
    key_int(g, "maxmem_mib", s->maxmem_mib);
    key_int(g, "vcpus", s->vcpus);
    key_int(g, "maxvcpus", s->maxvcpus);
    key_str(g, "cpus", s->cpus);
    actions(g, s);
    uuid(g, s);
    key_str(g, "bootloader", s->bootloader);
    key_str(g, "bootloader_args", s->bootloader_args);
    key_int(g, "max_grant_frames", s->max_grant_frames);
    key_int(g, "max_event_channels", s->max_event_channels);
    key_bool(g, "pvshim", s->pvshim);
    key_str(g, "pvshim_path", s->pvshim_path);
    key_str(g, "pvshim_cmdline", s->pvshim_cmdline);
    key_bool(g, "e820_host", s->e820_host);
    key_str(g, "seclabel", s->seclabel);
    devices(g, s);
    unsupported(g, s);
    key_str(g, "config", s->config_path);
    return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1;
}
