/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/userdata.c - libxl's stored domain configuration
 * ("libxl-json" userdata), written for xbuild's domains so that xl reads
 * them as its own, and removed at destroy for every domain, as xl does.
 *
 * libxl keeps /var/lib/xen/userdata-d.DOMID.UUID.libxl-json, a
 * libxl_domain_config as JSON (its enums as lower-case names, its
 * defbools as "True"/"False"), and serialises access with a POSIX lock on
 * ...DOMID.UUID.domain-userdata-lock. What is written here is what xl list
 * -l shows and what xl needs to act on the domain: c_info (type, name,
 * uuid), b_info (vCPUs, memory, kernel, ramdisk, cmdline), the disks and
 * nics (libxl_device_disk, libxl_device_nic: a vif without a MAC has the one
 * xbuild generates for it) and the actions.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../devices/xenbus.h"
#include "nodes.h"
#include "userdata.h"

#define UD_PATH_MAX 512
#define UD_MAX      (1u << 20)

/* A growing text buffer; .bad once anything failed. */
struct out {
    char *p;
    size_t len, cap;
    bool bad;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->bad)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? o->cap - o->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->bad = true;
        return;
    }
    if (!o->p || o->len + (size_t)n >= o->cap) {
        size_t cap = (o->len + (size_t)n + 1) * 2;
        char *g = cap > UD_MAX ? NULL : realloc(o->p, cap);

        if (!g) {
            o->bad = true;
            return;
        }
        o->p = g;
        o->cap = cap;
        va_start(ap, fmt);
        vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
    }
    o->len += (size_t)n;
}

/* @s as a JSON string, quotes included. */
static void put_str(struct out *o, const char *s)
{
    put(o, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            put(o, "\\%c", *c);
        else if (*c < 0x20)
            put(o, "\\u%04x", *c);
        else
            put(o, "%c", *c);
    }
    put(o, "\"");
}

/* libxl_action_on_shutdown as libxl's JSON names it. */
static const char *libxl_action(enum xb_action a)
{
    static const char *const names[] = {
        [XB_ACTION_DESTROY] = "destroy",
        [XB_ACTION_RESTART] = "restart",
        [XB_ACTION_RENAME_RESTART] = "restart_rename",
        [XB_ACTION_PRESERVE] = "preserve",
        [XB_ACTION_COREDUMP_DESTROY] = "coredump_destroy",
        [XB_ACTION_COREDUMP_RESTART] = "coredump_restart",
        [XB_ACTION_SOFT_RESET] = "soft_reset",
    };

    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "destroy";
}

static void put_c_info(struct out *o, const struct xb_spec *s, const char *uuid)
{
    put(o, "    \"c_info\": {\n        \"type\": \"%s\",\n        \"name\": ",
        xb_domtype_name(s->type));
    put_str(o, s->name);
    put(o,
        ",\n        \"uuid\": \"%s\",\n        \"run_hotplug_scripts\": \"True\"\n    "
        "},\n",
        uuid);
}

static void put_path(struct out *o, const char *key, const char *val)
{
    if (!val)
        return;
    put(o, "        \"%s\": ", key);
    put_str(o, val);
    put(o, ",\n");
}

static void put_b_info(struct out *o, const struct xb_spec *s)
{
    put(o, "    \"b_info\": {\n        \"max_vcpus\": %u,\n        \"avail_vcpus\": [",
        s->maxvcpus);
    for (unsigned i = 0; i < s->vcpus; i++)
        put(o, "%s\n            %u", i ? "," : "", i);
    put(o,
        "\n        ],\n        \"max_memkb\": %llu,\n        \"target_memkb\": %llu,\n"
        "        \"video_memkb\": 0,\n        \"sched_params\": {\n\n        },\n",
        (unsigned long long)s->maxmem_mib * 1024,
        (unsigned long long)s->memory_mib * 1024);
    put_path(o, "kernel", s->kernel);
    put_path(o, "cmdline", s->cmdline);
    put_path(o, "ramdisk", s->ramdisk);
    if (s->type == XB_DOMTYPE_PVH) /* libxl's defbool, set by its defaults */
        put(o, "        \"acpi\": \"%s\",\n", s->acpi ? "True" : "False");
    put(o,
        "        \"type.%s\": {\n\n        },\n        \"arch_arm\": {\n\n        },\n"
        "        \"arch_x86\": {\n            \"msr_relaxed\": \"%s\"\n        }\n    "
        "},\n",
        xb_domtype_name(s->type), s->msr_relaxed ? "True" : "False");
}

/* A JSON member "key": "val", or nothing when @val is NULL. */
static void put_member(struct out *o, bool *first, const char *key, const char *val)
{
    if (!val)
        return;
    put(o, "%s\n            \"%s\": ", *first ? "" : ",", key);
    put_str(o, val);
    *first = false;
}

/* libxl_device_disk for each disk, as libxl stores it. */
static void put_disks(struct out *o, const struct xb_spec *s)
{
    put(o, "    \"disks\": [");
    for (size_t i = 0; i < s->n_disks; i++) {
        const struct xb_disk *d = &s->disks[i];
        bool first = true;

        put(o, "%s\n        {", i ? "," : "");
        put_member(o, &first, "pdev_path", d->target);
        put_member(o, &first, "vdev", d->vdev);
        put_member(o, &first, "backend", d->backendtype ? d->backendtype : "phy");
        put_member(o, &first, "format", d->format ? d->format : "raw");
        put_member(o, &first, "script", d->script);
        put(o,
            ",\n            \"removable\": %d,\n            \"readwrite\": %d,"
            "\n            \"is_cdrom\": %d\n        }",
            d->cdrom, !d->readonly, d->cdrom);
    }
    put(o, "%s],\n", s->n_disks ? "\n    " : "\n\n    ");
}

/* libxl_device_nic for each vif; the MAC as the vif has it (xb__vif_mac()). */
static void put_nics(struct out *o, const struct xb_spec *s, const uint8_t uuid[16])
{
    put(o, "    \"nics\": [");
    for (size_t i = 0; i < s->n_vifs; i++) {
        const struct xb_vif *v = &s->vifs[i];
        uint8_t m[6];
        char mac[18];
        bool first = true;

        if (v->mac)
            memcpy(m, v->mac_bytes, sizeof(m));
        else
            xb__vif_mac(uuid, v->devid, m);
        snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                 m[3], m[4], m[5]);
        put(o, "%s\n        {\n            \"devid\": %u", i ? "," : "", v->devid);
        first = false;
        put_member(o, &first, "mac", mac);
        put_member(o, &first, "ip", v->ip);
        put_member(o, &first, "bridge", v->bridge ? v->bridge : "xenbr0");
        put_member(o, &first, "ifname", v->vifname);
        put_member(o, &first, "script", v->script);
        put_member(o, &first, "nictype", "vif");
        if (v->mtu)
            put(o, ",\n            \"mtu\": %u", v->mtu);
        if (v->rate)
            put(o,
                ",\n            \"rate_bytes_per_interval\": %llu,\n"
                "            \"rate_interval_usecs\": %u",
                (unsigned long long)v->rate_bytes_per_interval, v->rate_interval_us);
        put(o, "\n        }");
    }
    put(o, "%s],\n", s->n_vifs ? "\n    " : "\n\n    ");
}

static void put_actions(struct out *o, const struct xb_spec *s)
{
    put(o,
        "    \"on_poweroff\": \"%s\",\n    \"on_reboot\": \"%s\",\n"
        "    \"on_watchdog\": \"%s\",\n    \"on_crash\": \"%s\",\n"
        "    \"on_soft_reset\": \"%s\"\n",
        libxl_action(s->on_poweroff), libxl_action(s->on_reboot),
        libxl_action(s->on_watchdog), libxl_action(s->on_crash),
        libxl_action(s->on_soft_reset));
}

static void ud_path(char *buf, const char *dir, uint32_t domid, const char *uuid,
                    const char *what)
{
    snprintf(buf, UD_PATH_MAX, "%s/userdata-d.%u.%s.%s", dir, domid, uuid, what);
}

/* libxl's lock of the domain's userdata (a POSIX write lock); -1 on failure. */
static int lock_userdata(const char *dir, uint32_t domid, const char *uuid)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    char path[UD_PATH_MAX];
    int fd;

    ud_path(path, dir, domid, uuid, "domain-userdata-lock");
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    while (fd >= 0 && fcntl(fd, F_SETLKW, &fl) != 0)
        if (errno != EINTR) {
            close(fd);
            fd = -1;
        }
    return fd;
}

/* Write @o to @path through a temporary file renamed over it. */
static int store(struct xb_err *err, const char *path, const struct out *o)
{
    char tmp[UD_PATH_MAX + 8];
    int fd, rc = 0;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return xb_err_set(err, -errno, "userdata: %s: %s", tmp, strerror(errno));
    if (write(fd, o->p, o->len) != (ssize_t)o->len)
        rc = xb_err_set(err, -EIO, "userdata: %s: short write", tmp);
    if (close(fd) != 0 && !rc)
        rc = xb_err_set(err, -errno, "userdata: %s: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = xb_err_set(err, -errno, "userdata: %s: %s", path, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

int xb__userdata_write(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                       const uint8_t uuid[16], const struct xb_spec *spec)
{
    struct out o = {0};
    char u[37], path[UD_PATH_MAX];
    int lock, rc;

    if (!ctx->userdata_dir)
        return 0;
    xb__uuid_str(uuid, u);
    put(&o, "{\n");
    put_c_info(&o, spec, u);
    put_b_info(&o, spec);
    put_disks(&o, spec);
    put_nics(&o, spec, uuid);
    put_actions(&o, spec);
    put(&o, "}\n");
    if (o.bad) {
        free(o.p);
        return xb_err_set(err, -ENOMEM, "userdata: out of memory");
    }
    mkdir(ctx->userdata_dir, 0755); /* exists on any Xen host */
    lock = lock_userdata(ctx->userdata_dir, domid, u);
    if (lock < 0)
        rc = xb_err_set(err, -errno, "userdata: lock of domain %u in %s: %s", domid,
                        ctx->userdata_dir, strerror(errno));
    else {
        ud_path(path, ctx->userdata_dir, domid, u, "libxl-json");
        rc = store(err, path, &o);
        close(lock);
    }
    free(o.p);
    return rc;
}

int xb__userdata_remove(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                        const uint8_t uuid[16])
{
    char u[37], pattern[UD_PATH_MAX];
    glob_t gl = {0};
    int rc = 0, g;

    if (!ctx->userdata_dir)
        return 0;
    xb__uuid_str(uuid, u);
    snprintf(pattern, sizeof(pattern), "%s/userdata-?.%u.%s.*", ctx->userdata_dir, domid,
             u);
    g = glob(pattern, GLOB_NOSORT, NULL, &gl);
    if (g != 0 && g != GLOB_NOMATCH)
        rc = xb_err_set(err, -EIO, "userdata: cannot list %s", pattern);
    for (size_t i = 0; g == 0 && i < gl.gl_pathc; i++)
        if (unlink(gl.gl_pathv[i]) != 0 && errno != ENOENT && !rc)
            rc = xb_err_set(err, -errno, "userdata: %s: %s", gl.gl_pathv[i],
                            strerror(errno));
    globfree(&gl);
    return rc;
}

/* The whole file into a NUL-terminated buffer; -ENOENT when there is none. */
static int slurp(const char *path, struct out *o)
{
    FILE *f = fopen(path, "re");
    char buf[4096];
    size_t n;

    if (!f)
        return -errno;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        put(o, "%.*s", (int)n, buf);
    fclose(f);
    return o->bad ? -ENOMEM : 0;
}

/* c_info's "name": "...", the first name member of the file. */
static int replace_name(const struct out *in, const char *name, struct out *o)
{
    const char *key = in->p ? strstr(in->p, "\"name\"") : NULL;
    const char *q = key ? strchr(key + 6, '"') : NULL, *end = q;

    while (end && (end = strchr(end + 1, '"')) && end[-1] == '\\')
        ;
    if (!q || !end)
        return -EINVAL;
    put(o, "%.*s", (int)(q - in->p), in->p);
    put_str(o, name);
    put(o, "%s", end + 1);
    return o->bad ? -ENOMEM : 0;
}

int xb__userdata_rename(struct xb_ctx *ctx, struct xb_err *err, uint32_t domid,
                        const uint8_t uuid[16], const char *name)
{
    struct out in = {0}, o = {0};
    char u[37], path[UD_PATH_MAX];
    int lock, rc;

    if (!ctx->userdata_dir)
        return 0;
    xb__uuid_str(uuid, u);
    lock = lock_userdata(ctx->userdata_dir, domid, u);
    if (lock < 0)
        return xb_err_set(err, -errno, "userdata: lock of domain %u: %s", domid,
                          strerror(errno));
    ud_path(path, ctx->userdata_dir, domid, u, "libxl-json");
    rc = slurp(path, &in);
    if (rc == 0)
        rc = replace_name(&in, name, &o);
    if (rc == 0)
        rc = store(err, path, &o);
    else if (rc != -ENOENT)
        rc = xb_err_set(err, rc, "userdata: %s: no name to rename", path);
    close(lock);
    free(in.p);
    free(o.p);
    return rc == -ENOENT ? 0 : rc;
}
