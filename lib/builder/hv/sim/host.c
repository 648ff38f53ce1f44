/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/host.c - the simulated machine's dom0 kernel (host.h):
 * loop devices bound to real files (the images are real; their binding is
 * not; bound until detached, as without LO_FLAGS_AUTOCLEAR), network interfaces (lo, the
 * bridge xenbr0, eth0, and the vifs the netback model makes), rtnetlink's checks (a
 * master must be a bridge, a link is renamed while down, names are unique). Attaching and
 * looking up count as op calls (fault injection); dropping and releasing are cleanup and
 * never fail, as unmapping and aborting are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

#define SIM_LOOP_FD_BASE 1000 /* loop->fd of a sim loop: a token, not a file */
#define SIM_MTU          1500

struct sim *xb__sim_of_host(struct xb_host *h)
{
    return (struct sim *)((char *)h - offsetof(struct sim, host));
}

static struct sim *to_sim(struct xb_host *h)
{
    return xb__sim_of_host(h);
}

int xb__sim_link_add(struct sim *s, const char *name, bool is_bridge)
{
    for (int i = 0; i < SIM_MAX_LINKS; i++) {
        if (s->links[i].used)
            continue;
        s->links[i] = (struct sim_link){
            .used = true,
            .ifindex = s->next_ifindex++,
            .mtu = strcmp(name, "lo") == 0 ? 65536 : SIM_MTU,
            .is_bridge = is_bridge,
            .up = is_bridge || strcmp(name, "lo") == 0,
        };
        snprintf(s->links[i].name, sizeof(s->links[i].name), "%s", name);
        return i;
    }
    return -1;
}

void xb__sim_host_init(struct sim *s)
{
    s->next_ifindex = 1;
    xb__sim_link_add(s, "lo", false);
    xb__sim_link_add(s, "xenbr0", true);
    xb__sim_link_add(s, "eth0", false);
}

void xb__sim_loop_drop(struct sim *s, int minor)
{
    struct sim_loop *l = &s->loops[minor];

    if (minor < 0 || minor >= SIM_MAX_LOOPS || !l->used || !l->holders)
        return;
    if (--l->holders == 0 && l->autoclear)
        *l = (struct sim_loop){0};
}

static int sim_loop_attach(struct xb_host *h, struct xb_err *err, const char *path,
                           bool readonly, struct xb_loop *loop)
{
    struct sim *s = to_sim(h);
    int rc = xb__sim_enter(s, err, "loop_attach");
    int fd, i;
    struct stat st;

    loop->fd = -1;
    if (rc)
        return rc;
    fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return xb_err_set(err, -errno, "%s: %s", path, strerror(errno));
    rc = fstat(fd, &st) ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
    close(fd);
    if (rc)
        return xb_err_set(err, rc, "sim: loop_attach: %s is not a file", path);
    for (i = 0; i < SIM_MAX_LOOPS && s->loops[i].used; i++)
        ;
    if (i == SIM_MAX_LOOPS)
        return xb_err_set(err, -ENOSPC, "no free loop device: sim has %d", SIM_MAX_LOOPS);
    s->loops[i] = (struct sim_loop){.used = true,
                                    .readonly = readonly,
                                    .dev = st.st_dev,
                                    .ino = st.st_ino,
                                    .holders = 1};
    snprintf(loop->dev, sizeof(loop->dev), "/dev/loop%d", i);
    loop->major = SIM_LOOP_MAJOR;
    loop->minor = (unsigned)i;
    loop->fd = SIM_LOOP_FD_BASE + i;
    return 0;
}

static void sim_loop_put(struct xb_host *h, struct xb_loop *loop)
{
    if (loop->fd >= SIM_LOOP_FD_BASE)
        xb__sim_loop_drop(to_sim(h), loop->fd - SIM_LOOP_FD_BASE);
    loop->fd = -1;
}

/* LOOP_CLR_FD: free now when unused, else with its last holder. */
static void detach(struct sim *s, unsigned n)
{
    if (s->loops[n].holders == 0)
        s->loops[n] = (struct sim_loop){0};
    else
        s->loops[n].autoclear = true;
}

static void sim_loop_free(struct xb_host *h, struct xb_loop *loop)
{
    if (loop->fd >= SIM_LOOP_FD_BASE) {
        unsigned n = (unsigned)(loop->fd - SIM_LOOP_FD_BASE);

        to_sim(h)->loops[n].autoclear = true;
        xb__sim_loop_drop(to_sim(h), (int)n);
    }
    loop->fd = -1;
}

static int sim_loop_release(struct xb_host *h, struct xb_err *err, const char *dev,
                            int timeout_ms)
{
    struct sim *s = to_sim(h);
    unsigned n;
    char end;

    if (sscanf(dev, "/dev/loop%u%c", &n, &end) != 1)
        return xb_err_set(err, -EINVAL, "\"%s\" is not a loop device", dev);
    if (n >= SIM_MAX_LOOPS || !s->loops[n].used)
        return 0;
    detach(s, n);
    if (!s->loops[n].used)
        return 0;
    /* still held by a backend: nothing here changes by waiting */
    return xb_err_set(err, -ETIMEDOUT, "%s: still in use after its backend went away",
                      dev);
}

static int sim_loop_backing(struct xb_host *h, struct xb_err *err, unsigned major,
                            unsigned minor, uint64_t *dev, uint64_t *ino)
{
    struct sim *s = to_sim(h);
    int rc = xb__sim_enter(s, err, "loop_backing");

    if (rc)
        return rc;
    if (major != SIM_LOOP_MAJOR || minor >= SIM_MAX_LOOPS || !s->loops[minor].used)
        return -ENOENT;
    *dev = s->loops[minor].dev;
    *ino = s->loops[minor].ino;
    return 0;
}

static int sim_vbd_opened(struct xb_host *h, struct xb_err *err, uint32_t domid,
                          uint32_t devid)
{
    struct sim *s = to_sim(h);
    int rc = xb__sim_enter(s, err, "vbd_opened");

    if (rc)
        return rc;
    for (int i = 0; i < SIM_MAX_BDEVS; i++) {
        const struct sim_bdev *b = &s->bdevs[i];

        if (b->used && !b->vif && b->domid == domid && b->devid == devid)
            return b->opened;
    }
    return 0;
}

static struct sim_link *by_index(struct sim *s, int ifindex)
{
    for (int i = 0; i < SIM_MAX_LINKS; i++)
        if (s->links[i].used && s->links[i].ifindex == ifindex)
            return &s->links[i];
    return NULL;
}

static struct sim_link *by_name(struct sim *s, const char *name)
{
    for (int i = 0; i < SIM_MAX_LINKS; i++)
        if (s->links[i].used && strcmp(s->links[i].name, name) == 0)
            return &s->links[i];
    return NULL;
}

static int sim_link_find(struct xb_host *h, struct xb_err *err, const char *name,
                         struct xb_link *out)
{
    struct sim *s = to_sim(h);
    const struct sim_link *l;
    int rc = xb__sim_enter(s, err, "link_find");

    if (rc)
        return rc;
    l = by_name(s, name);
    if (!l)
        return -ENODEV;
    *out = (struct xb_link){.ifindex = l->ifindex,
                            .mtu = l->mtu,
                            .master = l->master,
                            .is_bridge = l->is_bridge,
                            .up = l->up};
    return 0;
}

/* What rtnetlink refuses, before it changes anything. */
static int check_setup(struct sim *s, struct xb_err *err, const struct sim_link *l,
                       const struct xb_link_cfg *cfg)
{
    const struct sim_link *m = cfg->master ? by_index(s, cfg->master) : NULL;

    if (cfg->name && (l->up || by_name(s, cfg->name) ||
                      strlen(cfg->name) >= sizeof(l->name) || !cfg->name[0]))
        return xb_err_set(err, l->up ? -EBUSY : -EEXIST, "sim: rename %s to %s: %s",
                          l->name, cfg->name, l->up ? "it is up" : "name taken");
    if (cfg->master && (!m || !m->is_bridge || m == l))
        return xb_err_set(err, -EOPNOTSUPP, "sim: %s: master %d is not a bridge", l->name,
                          cfg->master);
    if (cfg->mtu && (cfg->mtu < 68 || cfg->mtu > 65535))
        return xb_err_set(err, -EINVAL, "sim: %s: mtu %u", l->name, cfg->mtu);
    return 0;
}

static int sim_link_setup(struct xb_host *h, struct xb_err *err, int ifindex,
                          const struct xb_link_cfg *cfg)
{
    struct sim *s = to_sim(h);
    struct sim_link *l;
    int rc = xb__sim_enter(s, err, "link_setup");

    if (rc)
        return rc;
    l = by_index(s, ifindex);
    if (!l)
        return xb_err_set(err, -ENODEV, "sim: link_setup: no interface %d", ifindex);
    rc = check_setup(s, err, l, cfg);
    if (rc)
        return rc;
    if (cfg->name)
        snprintf(l->name, sizeof(l->name), "%s", cfg->name);
    if (cfg->mtu)
        l->mtu = cfg->mtu;
    if (cfg->master)
        l->master = cfg->master;
    l->up = true;
    return 0;
}

static int sim_link_release(struct xb_host *h, struct xb_err *err, int ifindex)
{
    struct sim_link *l = by_index(to_sim(h), ifindex);

    if (!l)
        return -ENODEV;
    l->master = 0;
    l->up = false;
    return 0;
}

static void sim_host_close(struct xb_host *h)
{
    if (h)
        xb__sim_put(to_sim(h));
}

static const struct xb_host_ops sim_host_ops = {
    .name = "sim",
    .loop_attach = sim_loop_attach,
    .loop_put = sim_loop_put,
    .loop_free = sim_loop_free,
    .loop_release = sim_loop_release,
    .loop_backing = sim_loop_backing,
    .vbd_opened = sim_vbd_opened,
    .link_find = sim_link_find,
    .link_setup = sim_link_setup,
    .link_release = sim_link_release,
    .close = sim_host_close,
};

struct xb_host *xb__sim_host(struct xb_hv *hv)
{
    struct sim *s;

    if (!hv || strcmp(hv->ops->name, "sim") != 0)
        return NULL;
    s = xb__sim_of_hv(hv);
    s->host.ops = &sim_host_ops;
    s->refs++;
    return &s->host;
}
