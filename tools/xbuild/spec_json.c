/* SPDX-License-Identifier: MIT */
/* tools/xbuild/spec_json.c - a struct xb_spec as JSON, in a stable order. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "spec_cli.h"

static void pos(yajl_gen g, const char *k, const struct xb_pos *p)
{
    char buf[64];

    json_str(g, k);
    if (!p->file || !p->line) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    json_kv_str(g, "file", p->file);
    snprintf(buf, sizeof(buf), "%u:%u", p->line, p->col);
    json_kv_str(g, "at", buf);
    yajl_gen_map_close(g);
}

static void uuid(yajl_gen g, const struct xb_spec *s)
{
    char buf[37];
    const uint8_t *u = s->uuid;

    if (!s->has_uuid) {
        json_kv_str(g, "uuid", NULL);
        return;
    }
    snprintf(buf, sizeof(buf),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
             u[12], u[13], u[14], u[15]);
    json_kv_str(g, "uuid", buf);
}

static void disk(yajl_gen g, const struct xb_disk *d)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "target", d->target);
    json_kv_str(g, "format", d->format);
    json_kv_str(g, "vdev", d->vdev);
    json_kv_int(g, "devid", (long long)d->devid);
    json_kv_str(g, "access", d->readonly ? "ro" : "rw");
    json_kv_bool(g, "cdrom", d->cdrom);
    json_kv_str(g, "backendtype", d->backendtype);
    json_kv_str(g, "backend", d->backend);
    json_kv_str(g, "script", d->script);
    json_kv_bool(g, "discard", d->discard);
    json_kv_bool(g, "direct_io_safe", d->direct_io_safe);
    yajl_gen_map_close(g);
}

static void vif(yajl_gen g, const struct xb_vif *v)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "mac", v->mac);
    json_kv_str(g, "bridge", v->bridge);
    json_kv_str(g, "ip", v->ip);
    json_kv_str(g, "script", v->script);
    json_kv_str(g, "vifname", v->vifname);
    json_kv_str(g, "type", v->type);
    json_kv_str(g, "model", v->model);
    json_kv_str(g, "rate", v->rate);
    json_kv_int(g, "rate_bytes_per_interval", (long long)v->rate_bytes_per_interval);
    json_kv_int(g, "rate_interval_us", (long long)v->rate_interval_us);
    json_kv_int(g, "mtu", (long long)v->mtu);
    json_kv_str(g, "backend", v->backend);
    json_kv_str(g, "gatewaydev", v->gatewaydev);
    json_kv_int(g, "devid", (long long)v->devid);
    yajl_gen_map_close(g);
}

static void devices(yajl_gen g, const struct xb_spec *s)
{
    json_str(g, "disks");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_disks; i++)
        disk(g, &s->disks[i]);
    yajl_gen_array_close(g);
    json_str(g, "vifs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_vifs; i++)
        vif(g, &s->vifs[i]);
    yajl_gen_array_close(g);
}

static void unsupported(yajl_gen g, const struct xb_spec *s)
{
    json_str(g, "unsupported");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_unsupported; i++) {
        yajl_gen_map_open(g);
        json_kv_str(g, "key", s->unsupported[i].key);
        pos(g, "pos", &s->unsupported[i].pos);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void actions(yajl_gen g, const struct xb_spec *s)
{
    json_kv_str(g, "on_poweroff", xb_action_name(s->on_poweroff));
    json_kv_str(g, "on_reboot", xb_action_name(s->on_reboot));
    json_kv_str(g, "on_crash", xb_action_name(s->on_crash));
    json_kv_str(g, "on_watchdog", xb_action_name(s->on_watchdog));
    json_kv_str(g, "on_soft_reset", xb_action_name(s->on_soft_reset));
}

int spec_json(yajl_gen g, const struct xb_spec *s)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "name", s->name);
    json_kv_str(g, "type", xb_domtype_name(s->type));
    json_kv_str(g, "kernel", s->kernel);
    json_kv_str(g, "ramdisk", s->ramdisk);
    json_kv_str(g, "cmdline", s->cmdline);
    json_kv_int(g, "memory_mib", (long long)s->memory_mib);
    json_kv_int(g, "maxmem_mib", (long long)s->maxmem_mib);
    json_kv_int(g, "vcpus", (long long)s->vcpus);
    json_kv_int(g, "maxvcpus", (long long)s->maxvcpus);
    json_kv_str(g, "cpus", s->cpus);
    actions(g, s);
    uuid(g, s);
    json_kv_str(g, "bootloader", s->bootloader);
    json_str(g, "bootloader_args");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_bootloader_args; i++)
        json_str(g, s->bootloader_args[i]);
    yajl_gen_array_close(g);
    json_kv_int(g, "max_grant_frames", (long long)s->max_grant_frames);
    json_kv_int(g, "max_event_channels", (long long)s->max_event_channels);
    json_kv_bool(g, "pvshim", s->pvshim);
    json_kv_str(g, "pvshim_path", s->pvshim_path);
    json_kv_str(g, "pvshim_cmdline", s->pvshim_cmdline);
    json_kv_bool(g, "e820_host", s->e820_host);
    json_kv_bool(g, "msr_relaxed", s->msr_relaxed);
    json_kv_bool(g, "acpi", s->acpi);
    json_kv_str(g, "seclabel", s->seclabel);
    devices(g, s);
    unsupported(g, s);
    json_kv_str(g, "config", s->config_path);
    return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1;
}
