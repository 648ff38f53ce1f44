/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/vif.c - network interfaces served by dom0's netback.
 *
 * The nodes xl writes (libxl's nic type); netback then makes vifDOMID.DEVID
 * and waits for "hotplug-status" to say its hotplug script is done. xbuild
 * does what vif-bridge does itself, over rtnetlink (hv/host.h): the
 * interface renamed to vifname= if asked, its MTU set (mtu=, else the
 * bridge's), enslaved to the bridge, brought up; then hotplug-status is
 * "connected". A MAC that is not given is made from the domain's UUID and
 * the vif's devid in Xen's 00:16:3e range: the same guest gets the same
 * MAC on every boot.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenbus.h"

#define XEN_SCRIPT_DIR "/etc/xen/scripts"
#define VIF_SCRIPT     XEN_SCRIPT_DIR "/vif-bridge"
#define DEFAULT_BRIDGE "xenbr0"
#define DEFAULT_MTU    1500u
#define VIF            "vif"
#define FNV_OFFSET     0xcbf29ce484222325ull
#define FNV_PRIME      0x100000001b3ull

__attribute__((format(printf, 5, 6))) static int say(struct xb_ctx *ctx,
                                                     struct xb_err *err,
                                                     const struct xb_vifdev *v, int rc,
                                                     const char *fmt, ...)
{
    char where[320], msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    xb__pos_str(&v->vif->pos, where);
    if (!err) {
        xb__ctx_warn(ctx, "%s: vif %zu%s", where, v->index + 1, msg);
        return 0;
    }
    return xb_err_set(err, rc, "%s: vif %zu%s", where, v->index + 1, msg);
}

#define refuse(ctx, v, rc, ...) say((ctx), &(ctx)->err, (v), (rc), __VA_ARGS__)
#define warn(ctx, v, ...)       say((ctx), NULL, (v), 0, __VA_ARGS__)

static bool default_script(const char *s)
{
    return !s || strcmp(s, "vif-bridge") == 0 || strcmp(s, VIF_SCRIPT) == 0;
}

/* What a vif on a bridge cannot honour: refused, or warned about. */
static int check_keys(struct xb_ctx *ctx, const struct xb_vifdev *v)
{
    const struct xb_vif *f = v->vif;

    if (f->backend)
        return refuse(
            ctx, v, -ENOTSUP,
            ", backend: \"%s\": driver domains are not supported; dom0's netback "
            "serves every vif",
            f->backend);
    if (!default_script(f->script))
        return refuse(ctx, v, -ENOTSUP,
                      ", script: xbuild runs no hotplug scripts: it puts the vif on its "
                      "bridge itself, as vif-bridge does; %s is not supported",
                      f->script);
    if (f->model)
        warn(ctx, v,
             ", model: ignored for PV and PVH guests (an emulated NIC is for HVM), "
             "as xl does");
    if (f->gatewaydev)
        warn(ctx, v,
             ", gatewaydev: ignored: only vif-route uses it (this vif is on a "
             "bridge)");
    if (f->ip)
        warn(ctx, v,
             ", ip: %s is told to the guest's tools in xenstore; xbuild adds no "
             "iptables anti-spoofing rules (vif-bridge does when iptables works)",
             f->ip);
    return 0;
}

static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
            return false;
    return true;
}

static int check_bridge(struct xb_ctx *ctx, struct xb_vifdev *v)
{
    struct xb_link l;
    int rc;

    snprintf(v->bridge, sizeof(v->bridge), "%s",
             v->vif->bridge ? v->vif->bridge : DEFAULT_BRIDGE);
    if (!valid_ifname(v->vif->bridge ? v->vif->bridge : DEFAULT_BRIDGE))
        return refuse(ctx, v, -EINVAL, ", bridge: \"%s\" is not an interface name",
                      v->vif->bridge);
    rc = ctx->host->ops->link_find(ctx->host, &ctx->err, v->bridge, &l);
    if (rc == -ENODEV)
        return refuse(
            ctx, v, rc,
            ", bridge: dom0 has no interface %s: create the bridge (ip link add "
            "%s type bridge; ip link set %s up) or name another (bridge=)",
            v->bridge, v->bridge, v->bridge);
    if (rc)
        return rc;
    if (!l.is_bridge)
        return refuse(ctx, v, -ENOTSUP, ", bridge: %s is not a bridge", v->bridge);
    v->bridge_ifindex = l.ifindex;
    v->bridge_mtu = l.mtu;
    return 0;
}

static int check_vifname(struct xb_ctx *ctx, const struct xb_vifdev *v)
{
    const char *name = v->vif->vifname;
    struct xb_link l;
    int rc;

    if (!name)
        return 0;
    if (!valid_ifname(name))
        return refuse(
            ctx, v, -EINVAL,
            ", vifname: \"%s\" is not an interface name (1 to 15 characters, no "
            "'/', ':' or blanks)",
            name);
    rc = ctx->host->ops->link_find(ctx->host, &ctx->err, name, &l);
    if (rc == 0)
        return refuse(ctx, v, -EEXIST, ", vifname: dom0 has an interface %s already",
                      name);
    return rc == -ENODEV ? 0 : rc;
}

int xb__vif_check(struct xb_ctx *ctx, struct xb_vifdev *v)
{
    int rc = check_keys(ctx, v);

    if (!rc)
        rc = check_bridge(ctx, v);
    return rc ? rc : check_vifname(ctx, v);
}

void xb__vif_mac(const uint8_t uuid[16], unsigned devid, uint8_t mac[6])
{
    uint64_t h = FNV_OFFSET;

    for (int i = 0; i < 16; i++)
        h = (h ^ uuid[i]) * FNV_PRIME;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((devid >> (8 * i)) & 0xff)) * FNV_PRIME;
    mac[0] = 0x00; /* Xen's OUI, as libxl's random MACs */
    mac[1] = 0x16;
    mac[2] = 0x3e;
    mac[3] = (uint8_t)(h & 0x7f);
    mac[4] = (uint8_t)(h >> 8);
    mac[5] = (uint8_t)(h >> 16);
}

void xb__vif_nodes(const struct xb_vifdev *v, uint32_t domid, struct xb_dev *out)
{
    const struct xb_vif *f = v->vif;
    const uint8_t *m = v->mac;
    char mac[18];

    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
             m[4], m[5]);
    *out = (struct xb_dev){.kind = VIF, .domid = domid, .devid = f->devid};
    xb__kv_add(&out->back, "frontend-id", "%u", domid);
    xb__kv_add(&out->back, "online", "1");
    xb__kv_add(&out->back, "state", "%d", XB_XENBUS_INITIALISING);
    xb__kv_add(&out->back, "script", "%s", VIF_SCRIPT);
    if (f->vifname)
        xb__kv_add(&out->back, "vifname", "%s", f->vifname);
    xb__kv_add(&out->back, "mac", "%s", mac);
    if (f->ip)
        xb__kv_add(&out->back, "ip", "%s", f->ip);
    if (f->gatewaydev)
        xb__kv_add(&out->back, "gatewaydev", "%s", f->gatewaydev);
    if (f->rate)
        xb__kv_add(&out->back, "rate", "%llu,%u",
                   (unsigned long long)f->rate_bytes_per_interval, f->rate_interval_us);
    if (f->mtu && f->mtu != DEFAULT_MTU)
        xb__kv_add(&out->back, "mtu", "%u", f->mtu);
    xb__kv_add(&out->back, "bridge", "%s", v->bridge);
    xb__kv_add(&out->back, "handle", "%u", f->devid);
    xb__kv_add(&out->back, "type", "vif");
    /* netback waits for "connected" here before it connects (set once plugged) */
    xb__kv_add(&out->back, "hotplug-status", "%s", "");
    xb__kv_add(&out->front, "backend-id", "0");
    xb__kv_add(&out->front, "state", "%d", XB_XENBUS_INITIALISING);
    xb__kv_add(&out->front, "handle", "%u", f->devid);
    xb__kv_add(&out->front, "mac", "%s", mac);
    xb__kv_add(&out->front, "trusted", "1");
    xb__kv_add(&out->ro_front, "mtu", "%u", f->mtu ? f->mtu : DEFAULT_MTU);
}

static int failed(struct xb_ctx *ctx, const struct xb_vifdev *v, uint32_t domid,
                  int state)
{
    char *why = xb__dev_error(ctx->xs, VIF, domid, v->vif->devid);
    int rc = refuse(ctx, v, -EIO, ": netback gave up (backend state %d%s%s)", state,
                    why ? ": " : "", why ? why : "");

    free(why);
    return rc;
}

/* netback's vifD.N is there: name, MTU, bridge, up. */
static int plug(struct xb_ctx *ctx, struct xb_vifdev *v, const struct xb_link *l)
{
    const struct xb_link_cfg cfg = {
        .name = v->vif->vifname,
        .mtu = v->vif->mtu ? v->vif->mtu : v->bridge_mtu,
        .master = v->bridge_ifindex,
    };
    int rc;

    v->ifindex = l->ifindex;
    rc = ctx->host->ops->link_setup(ctx->host, NULL, l->ifindex, &cfg);
    if (rc)
        return refuse(ctx, v, rc, ": cannot put %s on bridge %s%s%s: %s", v->ifname,
                      v->bridge, cfg.name ? " as " : "", cfg.name ? cfg.name : "",
                      strerror(-rc));
    if (cfg.name)
        snprintf(v->ifname, sizeof(v->ifname), "%s", cfg.name);
    return 0;
}

int xb__vif_poll(struct xb_ctx *ctx, struct xb_vifdev *v, uint32_t domid)
{
    int state = xb__dev_state(ctx->xs, VIF, domid, v->vif->devid), rc;
    struct xb_link l;

    if (v->done || state < XB_XENBUS_INITWAIT)
        return 0;
    if (state >= XB_XENBUS_CLOSING)
        return failed(ctx, v, domid, state);
    snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", domid, v->vif->devid);
    rc = ctx->host->ops->link_find(ctx->host, &ctx->err, v->ifname, &l);
    if (rc)
        return rc == -ENODEV ? 0 : rc; /* made right after InitWait */
    rc = plug(ctx, v, &l);
    if (!rc)
        rc = xb__dev_set(ctx->xs, &ctx->err, VIF, domid, v->vif->devid, "hotplug-status",
                         "connected");
    v->done = rc == 0;
    return rc;
}

void xb__vif_waiting(struct xb_ctx *ctx, const struct xb_vifdev *v, uint32_t domid,
                     unsigned ms)
{
    int state = xb__dev_state(ctx->xs, VIF, domid, v->vif->devid);

    if (state < XB_XENBUS_INITWAIT)
        refuse(ctx, v, -ETIMEDOUT,
               ": no backend came up within %u ms (state %d): is dom0's xen-netback "
               "loaded?",
               ms, state);
    else
        refuse(ctx, v, -ETIMEDOUT, ": netback made no interface vif%u.%u within %u ms",
               domid, v->vif->devid, ms);
}

void xb__vif_undo(struct xb_ctx *ctx, struct xb_vifdev *v)
{
    if (v->ifindex > 0)
        ctx->host->ops->link_release(ctx->host, NULL, v->ifindex);
    v->ifindex = 0;
}
