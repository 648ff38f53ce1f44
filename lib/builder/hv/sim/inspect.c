/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/inspect.c - the test-only view into the simulated
 * machine (inspect.h). Linked into the test programs, never into
 * libbuilder.so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

bool xb__sim_is(const struct xb_hv *hv)
{
    return hv && strcmp(hv->ops->name, "sim") == 0;
}

static struct sim *to_sim(struct xb_hv *hv)
{
    return xb__sim_of_hv(hv);
}

const uint8_t *xb__sim_frame(struct xb_hv *hv, xb_mfn mfn)
{
    if (!xb__sim_is(hv) || mfn >= to_sim(hv)->nframes)
        return NULL;
    return to_sim(hv)->mem + mfn * XB_PAGE_SIZE;
}

uint64_t xb__sim_m2p(struct xb_hv *hv, xb_mfn mfn)
{
    if (!xb__sim_is(hv) || mfn >= to_sim(hv)->nframes)
        return SIM_NO_GPFN;
    return to_sim(hv)->m2p[mfn];
}

uint32_t xb__sim_frame_owner(struct xb_hv *hv, xb_mfn mfn)
{
    if (!xb__sim_is(hv) || mfn >= to_sim(hv)->nframes)
        return SIM_FREE;
    return to_sim(hv)->owner[mfn];
}

unsigned xb__sim_ndomains(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_DOMS; i++)
        n += to_sim(hv)->doms[i].used;
    return n;
}

uint64_t xb__sim_dom_pages(struct xb_hv *hv, uint32_t domid)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    return d ? d->pages : 0;
}

const void *xb__sim_vcpu_context(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                 size_t *len)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    if (!d || vcpu >= d->info.max_vcpus || !d->vctx[vcpu])
        return NULL;
    if (len)
        *len = d->vctx_len[vcpu];
    return d->vctx[vcpu];
}

size_t xb__sim_pins(struct xb_hv *hv, uint32_t domid, struct sim_pin *out, size_t max)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    for (size_t i = 0; d && i < d->npins && i < max; i++)
        out[i] = d->pins[i];
    return d ? d->npins : 0;
}

int xb__sim_dominfo(struct xb_hv *hv, uint32_t domid, struct sim_dominfo *out)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    if (!d)
        return -ESRCH;
    *out = d->info;
    return 0;
}

bool xb__sim_evtchn(struct xb_hv *hv, uint32_t domid, uint32_t port, uint32_t *remote)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    if (!d || port >= SIM_MAX_PORTS || !d->port_used[port])
        return false;
    if (remote)
        *remote = d->port_remote[port];
    return true;
}

unsigned xb__sim_nr_evtchns(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_DOMS; i++)
        for (size_t p = 0; to_sim(hv)->doms[i].used && p < SIM_MAX_PORTS; p++)
            n += to_sim(hv)->doms[i].port_used[p];
    return n;
}

unsigned xb__sim_nr_maps(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? (unsigned)to_sim(hv)->nmaps : 0;
}

long xb__sim_calls(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? to_sim(hv)->calls : 0;
}

void xb__sim_fail_at(struct xb_hv *hv, long n)
{
    if (!xb__sim_is(hv))
        return;
    to_sim(hv)->fail_at = n;
    to_sim(hv)->calls = 0;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const struct xs_node *)a)->path, ((const struct xs_node *)b)->path);
}

char *xb__sim_xs_dump(struct xb_hv *hv)
{
    struct xs_tree *t;
    char *buf = NULL;
    size_t size = 0;
    FILE *f;

    if (!xb__sim_is(hv))
        return NULL;
    t = &to_sim(hv)->store;
    qsort(t->n, t->count, sizeof(*t->n), cmp_node);
    f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        fprintf(f, "%s=%s\n", t->n[i].path, t->n[i].val);
    fclose(f);
    return buf;
}

size_t xb__sim_xs_count(struct xb_hv *hv)
{
    return xb__sim_is(hv) ? to_sim(hv)->store.count : 0;
}

void xb__sim_no_superpages(struct xb_hv *hv, bool on)
{
    if (xb__sim_is(hv))
        to_sim(hv)->no_superpages = on;
}

void xb__sim_shadow(struct xb_hv *hv, bool on)
{
    if (xb__sim_is(hv))
        to_sim(hv)->shadow = on;
}

void xb__sim_guests_deaf(struct xb_hv *hv, bool on)
{
    if (xb__sim_is(hv))
        to_sim(hv)->deaf = on;
}

void xb__sim_zombies(struct xb_hv *hv, bool on)
{
    if (xb__sim_is(hv))
        to_sim(hv)->zombies = on;
}

/* ---- translated (PVH) domains ---- */

static struct sim_dom *hvm_dom(struct xb_hv *hv, uint32_t domid)
{
    struct sim_dom *d = xb__sim_is(hv) ? xb__sim_find_dom(to_sim(hv), domid) : NULL;

    return d && d->info.translated ? d : NULL;
}

xb_mfn xb__sim_gfn_to_mfn(struct xb_hv *hv, uint32_t domid, uint64_t gfn)
{
    struct sim_dom *d = hvm_dom(hv, domid);

    return d ? xb__sim_gfn_mfn(d, gfn) : XB_NO_MFN;
}

bool xb__sim_hvm_param(struct xb_hv *hv, uint32_t domid, unsigned param, uint64_t *val)
{
    struct sim_dom *d = hvm_dom(hv, domid);

    if (!d || param >= HVM_NR_PARAMS || !(d->hvm.params_set & (1ull << param)))
        return false;
    *val = d->hvm.params[param];
    return true;
}

const struct hvm_hw_cpu *xb__sim_hvm_cpu(struct xb_hv *hv, uint32_t domid, unsigned vcpu,
                                         bool *online)
{
    struct sim_dom *d = hvm_dom(hv, domid);

    if (!d || vcpu >= d->info.max_vcpus)
        return NULL;
    *online = d->hvm.online[vcpu];
    return &d->hvm.cpu[vcpu];
}

const struct hvm_hw_mtrr *xb__sim_hvm_mtrr(struct xb_hv *hv, uint32_t domid,
                                           unsigned vcpu)
{
    struct sim_dom *d = hvm_dom(hv, domid);

    return d && vcpu < d->info.max_vcpus ? &d->hvm.mtrr[vcpu] : NULL;
}

unsigned xb__sim_memory_map(struct xb_hv *hv, uint32_t domid, struct xb_hv_e820 *out,
                            unsigned max)
{
    struct sim_dom *d = hvm_dom(hv, domid);
    unsigned n = d ? d->hvm.ne820 : 0;

    for (unsigned i = 0; i < n && i < max; i++)
        out[i] = d->hvm.e820[i];
    return n;
}

int xb__sim_xs_perms(struct xb_hv *hv, const char *path, struct xb_xs_perm *out,
                     size_t max)
{
    const struct xs_tree *t = xb__sim_is(hv) ? &to_sim(hv)->store : NULL;

    for (size_t i = 0; t && i < t->count; i++) {
        if (strcmp(t->n[i].path, path) != 0)
            continue;
        for (size_t k = 0; k < t->n[i].nperms && k < max; k++)
            out[k] = t->n[i].perms[k];
        return (int)t->n[i].nperms;
    }
    return -1;
}

unsigned xb__sim_nr_loops(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_LOOPS; i++)
        n += to_sim(hv)->loops[i].used;
    return n;
}

bool xb__sim_loop(struct xb_hv *hv, unsigned minor, unsigned *holders, bool *readonly)
{
    const struct sim_loop *l;

    if (!xb__sim_is(hv) || minor >= SIM_MAX_LOOPS || !to_sim(hv)->loops[minor].used)
        return false;
    l = &to_sim(hv)->loops[minor];
    *holders = l->holders;
    *readonly = l->readonly;
    return true;
}

unsigned xb__sim_nr_links(struct xb_hv *hv)
{
    unsigned n = 0;

    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_LINKS; i++)
        n += to_sim(hv)->links[i].used;
    return n;
}

bool xb__sim_link(struct xb_hv *hv, const char *name, struct sim_link *out)
{
    for (size_t i = 0; xb__sim_is(hv) && i < SIM_MAX_LINKS; i++) {
        const struct sim_link *l = &to_sim(hv)->links[i];

        if (l->used && strcmp(l->name, name) == 0) {
            *out = *l;
            return true;
        }
    }
    return false;
}

unsigned xb__sim_bridge_ports(struct xb_hv *hv, const char *name)
{
    struct sim_link br;
    unsigned n = 0;

    if (!xb__sim_link(hv, name, &br))
        return 0;
    for (size_t i = 0; i < SIM_MAX_LINKS; i++)
        n += to_sim(hv)->links[i].used && to_sim(hv)->links[i].master == br.ifindex;
    return n;
}

void xb__sim_backends(struct xb_hv *hv, enum sim_backends mode)
{
    if (xb__sim_is(hv))
        to_sim(hv)->backends = mode;
}
