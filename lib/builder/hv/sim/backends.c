/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/backends.c - a small model of dom0's blkback and
 * netback, enough for the builder's handshake to be tested on the sim.
 * They react to /local/domain/0/backend/{vbd,vif}/DOMID/DEVID as Linux's
 * drivers do to their xenstore watches (the sim has no watches: xs.c calls
 * xb__sim_backends_react() after each change of the committed store):
 *   a new directory in state 1 (Initialising)  probe: state 2 (InitWait);
 *                                              netback makes vifDOMID.DEVID
 *                                              (down, on no bridge)
 *   vbd "physical-device" MAJOR:MINOR (hex)    blkback opens it: a sim loop
 *                                              device must be bound there
 *                                              (and writable for mode w);
 *                                              else Closing and error node
 *   state 5 (Closing: a detach, or a failure)  state 6 (Closed)
 *   the directory removed                      the device is let go (its
 *                                              loop device may clear), the
 *                                              vif is gone, off its bridge
 * What the guest's frontends do is not modelled: a domain never connects.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define BACKEND_DIR "/local/domain/0/backend/"
#define ERROR_DIR   "/local/domain/0/error/backend/"

struct bkey {
    bool vif;
    uint32_t domid, devid;
};

/* /local/domain/0/backend/{vbd,vif}/D/N exactly: its key. */
static bool parse_dir(const char *path, struct bkey *k)
{
    char kind[4], end;
    unsigned d, n;

    if (strncmp(path, BACKEND_DIR, strlen(BACKEND_DIR)) != 0 ||
        sscanf(path + strlen(BACKEND_DIR), "%3[a-z]/%u/%u%c", kind, &d, &n, &end) != 3 ||
        (strcmp(kind, "vbd") != 0 && strcmp(kind, "vif") != 0))
        return false;
    *k = (struct bkey){.vif = kind[2] == 'f', .domid = d, .devid = n};
    return true;
}

static void node(char *buf, size_t size, const struct bkey *k, const char *leaf)
{
    snprintf(buf, size, BACKEND_DIR "%s/%u/%u%s%s", k->vif ? "vif" : "vbd", k->domid,
             k->devid, leaf ? "/" : "", leaf ? leaf : "");
}

static const char *get(struct sim *s, const struct bkey *k, const char *leaf)
{
    char p[128];

    node(p, sizeof(p), k, leaf);
    return xb__sim_xs_get(s, p);
}

static void put(struct sim *s, const struct bkey *k, const char *leaf, const char *val)
{
    char p[128];

    node(p, sizeof(p), k, leaf);
    xb__sim_xs_put(s, p, val);
}

/* xenbus_dev_fatal(): the error node, and Closing. */
static void fatal(struct sim *s, const struct bkey *k, const char *msg)
{
    char p[128];

    snprintf(p, sizeof(p), ERROR_DIR "%s/%u/%u/error", k->vif ? "vif" : "vbd", k->domid,
             k->devid);
    xb__sim_xs_put(s, p, msg);
    put(s, k, "state", "5");
}

static struct sim_bdev *find(struct sim *s, const struct bkey *k)
{
    for (int i = 0; i < SIM_MAX_BDEVS; i++) {
        struct sim_bdev *b = &s->bdevs[i];

        if (b->used && b->vif == k->vif && b->domid == k->domid && b->devid == k->devid)
            return b;
    }
    return NULL;
}

static void release(struct sim *s, struct sim_bdev *b)
{
    if (b->opened && b->loop >= 0)
        xb__sim_loop_drop(s, b->loop);
    if (b->link >= 0)
        s->links[b->link] = (struct sim_link){0};
    *b = (struct sim_bdev){0};
}

/* A backend directory appeared: the driver's probe. */
static void probe(struct sim *s, const struct bkey *k)
{
    char name[16];
    int i;

    for (i = 0; i < SIM_MAX_BDEVS && s->bdevs[i].used; i++)
        ;
    if (i == SIM_MAX_BDEVS)
        return;
    s->bdevs[i] = (struct sim_bdev){.used = true,
                                    .vif = k->vif,
                                    .domid = k->domid,
                                    .devid = k->devid,
                                    .loop = -1,
                                    .link = -1};
    if (s->backends == SIM_BACKENDS_FAIL) {
        fatal(s, k, "-12 creating block interface");
        return;
    }
    if (k->vif) {
        snprintf(name, sizeof(name), "vif%u.%u", k->domid, k->devid);
        s->bdevs[i].link = xb__sim_link_add(s, name, false);
    }
    put(s, k, "state", "2");
}

/* blkback's backend_changed(): open what physical-device names. */
static void open_physical(struct sim *s, struct sim_bdev *b, const struct bkey *k)
{
    const char *pd = get(s, k, "physical-device"), *mode = get(s, k, "mode");
    unsigned major, minor;
    char end;

    if (!pd || b->opened)
        return;
    if (sscanf(pd, "%x:%x%c", &major, &minor, &end) != 2) {
        fatal(s, k, "-22 reading physical-device");
        return;
    }
    if (major == SIM_LOOP_MAJOR &&
        (minor >= SIM_MAX_LOOPS || !s->loops[minor].used ||
         (s->loops[minor].readonly && mode && strchr(mode, 'w')))) {
        fatal(s, k, "-2 creating vbd structure");
        return;
    }
    b->opened = true;
    if (major == SIM_LOOP_MAJOR) {
        b->loop = (int)minor;
        s->loops[minor].holders++;
    }
}

static void step(struct sim *s, const struct bkey *k)
{
    struct sim_bdev *b = find(s, k);
    const char *state = get(s, k, "state");

    if (!b && s->backends != SIM_BACKENDS_STALL && state && strcmp(state, "1") == 0) {
        probe(s, k);
        b = find(s, k);
        state = get(s, k, "state");
    }
    if (!b || !state)
        return;
    if (!b->vif && strcmp(state, "2") == 0)
        open_physical(s, b, k);
    else if (strcmp(state, "5") == 0) /* no frontend to wait for */
        put(s, k, "state", "6");
}

void xb__sim_backends_react(struct sim *s)
{
    struct bkey keys[SIM_MAX_BDEVS];
    size_t n = 0;

    if (s->reacting)
        return;
    s->reacting = true;
    for (int i = 0; i < SIM_MAX_BDEVS; i++) { /* directories removed */
        struct sim_bdev *b = &s->bdevs[i];
        const struct bkey k = {.vif = b->vif, .domid = b->domid, .devid = b->devid};

        if (b->used && !get(s, &k, NULL))
            release(s, b);
    }
    for (size_t i = 0; i < xb__sim_xs_nodes(s) && n < SIM_MAX_BDEVS; i++)
        if (parse_dir(xb__sim_xs_path(s, i), &keys[n]))
            n++;
    for (size_t i = 0; i < n; i++)
        step(s, &keys[i]);
    s->reacting = false;
}
