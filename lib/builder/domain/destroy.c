/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/destroy.c - destroy a domain, whoever built it (xl or
 * xbuild): the monitor's record first, its devices, Xen's domain, then its
 * xenstore nodes (the name claim, /vm, the backends' nodes) and the
 * configuration libxl keeps for xl.
 *
 * A domain without disks or vifs (a small guest: the console alone) goes
 * in a few round trips to xenstored instead of one per node: one batch
 * reads what its removal depends on (and removes the monitor's record),
 * a second the backends' directories and the name claim, then one
 * transaction removes it all, committed only if every directory and the
 * claim it was decided on still read the same (xs.h's expect). Anything
 * else (devices, their error nodes, a /vm path another domain shares, a
 * conflict, a directory changed meanwhile) takes the general path:
 * devices/teardown.c, then xb__xs_domain_remove()'s transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "../devices/devices.h"
#include "ctx.h"
#include "domain.h"
#include "monitor.h"
#include "nodes.h"
#include "record.h"
#include "userdata.h"

#define BACKENDS  "/local/domain/0/backend"
#define MAX_KINDS 32u
#define PATH_LEN  96

/* The first batch: what the removal depends on; the record's removal last. */
enum {
    R_NAME,
    R_REC,
    R_REC_NAME,
    R_VM,
    R_KINDS,
    R_ERR_VBD,
    R_ERR_VIF,
    R_REC_RM,
    R_COUNT
};

struct plan {
    uint32_t domid;
    char path[R_COUNT][PATH_LEN];
    struct xb_xs_op r[R_COUNT];
    const char *kind[MAX_KINDS]; /* in r[R_KINDS].out */
    size_t n_kinds;
    /* the second: each kind's directory, then the claim */
    char kpath[MAX_KINDS][PATH_LEN], claim[XB_XS_NAME_PATH_MAX];
    struct xb_xs_op k[MAX_KINDS + 1];
    char *rec_name; /* the one its record keeps */
    bool has_claim; /* k[n_kinds] reads it */
    bool general;   /* devices, a shared /vm: the general path */
};

static void plan_free(struct plan *p)
{
    free(p->rec_name);
    for (size_t i = 0; i < R_COUNT; i++)
        free(p->r[i].out);
    for (size_t i = 0; i <= p->n_kinds && i <= MAX_KINDS; i++)
        free(p->k[i].out);
}

/* Whether @name is one of the NUL-terminated names in @o's answer. */
static bool listed(const struct xb_xs_op *o, const char *name)
{
    for (size_t at = 0; o->rc == 0 && at < o->out_len; at += strlen(o->out + at) + 1)
        if (strcmp(o->out + at, name) == 0)
            return true;
    return false;
}

/* How many names @o's answer has. */
static size_t count(const struct xb_xs_op *o)
{
    size_t n = 0;

    for (size_t at = 0; o->rc == 0 && at < o->out_len; at += strlen(o->out + at) + 1)
        n++;
    return n;
}

/* r[@i]: @kind on PRE DOMID POST. */
static void op(struct plan *p, size_t i, enum xb_xs_op_kind kind, const char *pre,
               const char *post)
{
    snprintf(p->path[i], PATH_LEN, "%s%u%s", pre, p->domid, post);
    p->r[i] = (struct xb_xs_op){.kind = kind, .path = p->path[i]};
}

/* Another live domain with @domid's UUID (a migration on one host) shares its /vm. */
static int vm_shared(struct xb_ctx *ctx, struct xb_err *err,
                     const struct xb_hv_dominfo *self, bool *shared)
{
    struct xb_hv_dominfo *v = NULL;
    size_t n = 0;
    int rc = xb__dom_all(ctx, err, &v, &n);

    *shared = false;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (v[i].domid != self->domid && memcmp(v[i].handle, self->handle, 16) == 0)
            *shared = true;
    free(v);
    return rc;
}

/* The first two batches; the monitor's record is gone after them. */
static int learn(struct xb_ctx *ctx, struct xb_err *err, const struct xb_hv_dominfo *info,
                 struct plan *p)
{
    const char *name;
    char id[16];
    size_t n = 0;
    int rc;

    op(p, R_NAME, XB_XS_OP_READ, "/local/domain/", "/name");
    op(p, R_REC, XB_XS_OP_READ, XB_MONITOR_RECORDS "/", ""); /* its name (record.h) */
    op(p, R_REC_NAME, XB_XS_OP_READ, XB_MONITOR_RECORDS "/",
       "/name"); /* an older one's */
    op(p, R_VM, XB_XS_OP_READ, "/local/domain/", "/vm");
    snprintf(p->path[R_KINDS], PATH_LEN, BACKENDS);
    p->r[R_KINDS] =
        (struct xb_xs_op){.kind = XB_XS_OP_DIRECTORY, .path = p->path[R_KINDS]};
    op(p, R_ERR_VBD, XB_XS_OP_READ, "/local/domain/0/error/backend/vbd/", "");
    op(p, R_ERR_VIF, XB_XS_OP_READ, "/local/domain/0/error/backend/vif/", "");
    /* last, as ever: woken by the domain's death, the monitor leaves the rest to us */
    op(p, R_REC_RM, XB_XS_OP_RM, XB_MONITOR_RECORDS "/", "");
    rc = ctx->xs->ops->batch(ctx->xs, err, false, p->r, R_COUNT);
    if (rc)
        return rc;
    p->general = p->r[R_ERR_VBD].rc == 0 || p->r[R_ERR_VIF].rc == 0 ||
                 count(&p->r[R_KINDS]) > MAX_KINDS;
    if (p->r[R_VM].rc == 0 && strncmp(p->r[R_VM].out, "/vm/", 4) == 0 && !p->general) {
        bool shared;

        rc = vm_shared(ctx, err, info, &shared);
        p->general = rc == 0 && shared;
    }
    for (size_t at = 0; rc == 0 && !p->general && at < p->r[R_KINDS].out_len;
         at += strlen(p->r[R_KINDS].out + at) + 1) {
        p->kind[n] = p->r[R_KINDS].out + at;
        snprintf(p->kpath[n], PATH_LEN, BACKENDS "/%.40s", p->kind[n]);
        p->k[n] = (struct xb_xs_op){.kind = XB_XS_OP_DIRECTORY, .path = p->kpath[n]};
        n++;
    }
    p->n_kinds = n;
    p->rec_name =
        p->r[R_REC].rc == 0 ? xb__rec_name(p->r[R_REC].out, p->r[R_REC].out_len) : NULL;
    name = p->r[R_NAME].rc == 0 ? p->r[R_NAME].out
           : p->rec_name        ? p->rec_name
                                : p->r[R_REC_NAME].out;
    p->has_claim = name && xb__xs_claim_path(name, p->claim, sizeof(p->claim)) == 0;
    p->k[n] = (struct xb_xs_op){.kind = XB_XS_OP_READ, .path = p->claim};
    if (rc || p->general)
        return rc;
    rc = ctx->xs->ops->batch(ctx->xs, err, false, p->k, n + p->has_claim);
    snprintf(id, sizeof(id), "%u", p->domid);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if ((strcmp(p->kind[i], "vbd") == 0 || strcmp(p->kind[i], "vif") == 0) &&
            listed(&p->k[i], id))
            p->general = true; /* disks, vifs: loop devices, bridge ports */
    return rc;
}

static void expect(struct xb_xs_op *t, size_t *n, enum xb_xs_op_kind kind,
                   const char *path, const struct xb_xs_op *seen)
{
    t[(*n)++] = (struct xb_xs_op){.kind = kind,
                                  .path = path,
                                  .expect = true,
                                  .val = seen->rc == 0 ? seen->out : NULL,
                                  .len = seen->out_len};
}

static void rm(struct xb_xs_op *t, size_t *n, const char *path)
{
    t[(*n)++] = (struct xb_xs_op){.kind = XB_XS_OP_RM, .path = path};
}

/*
 * The removal, in one transaction: first what learn() saw, expected (the
 * claim, each backend kind's directory, the backends' directory), then
 * every removal (which changes what the expectations read).
 */
static int remove_all(struct xb_ctx *ctx, struct xb_err *err, struct plan *p)
{
    struct xb_xs_op t[9 + 3 * MAX_KINDS];
    char dom[PATH_LEN], libxl[PATH_LEN], rec[PATH_LEN], id[16];
    char child[MAX_KINDS][PATH_LEN];
    const struct xb_xs_op *claim = &p->k[p->n_kinds];
    bool claimed, mine[MAX_KINDS], last[MAX_KINDS];
    size_t n = 0, left = 0;
    int rc;

    snprintf(id, sizeof(id), "%u", p->domid);
    claimed = p->has_claim && claim->rc == 0 && strcmp(claim->out, id) == 0;
    if (claimed)
        expect(t, &n, XB_XS_OP_READ, p->claim, claim);
    for (size_t i = 0; i < p->n_kinds; i++) {
        const struct xb_xs_op *d = &p->k[i];

        mine[i] = listed(d, id);
        last[i] = d->rc == 0 && count(d) == (mine[i] ? 1u : 0u); /* the kind goes too */
        left += d->rc == 0 && !last[i];
        expect(t, &n, XB_XS_OP_DIRECTORY, d->path, d);
    }
    if (p->r[R_KINDS].rc == 0)
        expect(t, &n, XB_XS_OP_DIRECTORY, BACKENDS, &p->r[R_KINDS]);
    if (claimed)
        rm(t, &n, p->claim);
    if (p->r[R_VM].rc == 0 && strncmp(p->r[R_VM].out, "/vm/", 4) == 0)
        rm(t, &n, p->r[R_VM].out);
    snprintf(dom, sizeof(dom), "/local/domain/%u", p->domid);
    snprintf(libxl, sizeof(libxl), "/libxl/%u", p->domid);
    snprintf(rec, sizeof(rec), XB_MONITOR_RECORDS "/%u", p->domid);
    rm(t, &n, dom);
    rm(t, &n, libxl);
    rm(t, &n, rec);
    for (size_t i = 0; i < p->n_kinds; i++) {
        snprintf(child[i], PATH_LEN, "%s/%s", p->k[i].path, id);
        if (mine[i])
            rm(t, &n, child[i]);
        if (last[i])
            rm(t, &n, p->k[i].path);
    }
    if (p->r[R_KINDS].rc == 0 && !left)
        rm(t, &n, BACKENDS);
    rc = ctx->xs->ops->batch(ctx->xs, err, true, t, n);
    for (size_t i = 0; i < n; i++)
        free(t[i].out);
    return rc;
}

/* The nodes of a domain without devices; the general path when that does not hold. */
static int remove_nodes(struct xb_ctx *ctx, struct xb_err *err, struct plan *p)
{
    int rc = remove_all(ctx, err, p);

    if (rc == -ESTALE || rc == -EAGAIN) /* changed since: node by node */
        return xb__xs_domain_remove(ctx->xs, err, p->domid);
    if (rc == 0) /* xenstored may never have been told about a half-built domain */
        ctx->xs->ops->release(ctx->xs, NULL, p->domid);
    return rc;
}

int xb__dom_destroy(struct xb_ctx *ctx, uint32_t domid, bool allow_dom0)
{
    struct xb_hv_dominfo info;
    struct plan p = {.domid = domid};
    int rc, devices = 0;

    if (domid == 0 && !allow_dom0)
        return xb_err_set(&ctx->err, -EPERM,
                          "refusing to destroy dom0 (-f forces it, for a "
                          "disaggregated hardware domain and toolstack)");
    rc = xb__dom_info(ctx, &ctx->err, domid, &info);
    if (rc == -ESRCH)
        return xb_err_set(&ctx->err, -ENOENT, "no domain with id %u", domid);
    if (!rc)
        rc = learn(ctx, &ctx->err, &info, &p);
    if (!rc &&
        p.general) /* as xl: its devices first, none left once the domain is gone */
        devices = xb__devices_destroy(ctx, &ctx->err, domid);
    if (!rc)
        rc = ctx->hv->ops->domain_destroy(ctx->hv, &ctx->err, domid);
    if (!rc)
        rc = p.general ? xb__xs_domain_remove(ctx->xs, &ctx->err, domid)
                       : remove_nodes(ctx, &ctx->err, &p);
    if (!rc)
        rc = xb__userdata_remove(ctx, &ctx->err, domid, info.handle);
    plan_free(&p);
    return rc ? rc : devices;
}

int xb_domain_destroy(struct xb_ctx *ctx, uint32_t domid)
{
    xb__ctx_reset(ctx);
    return xb__dom_destroy(ctx, domid, false);
}

int xb_domain_destroy_forced(struct xb_ctx *ctx, uint32_t domid)
{
    xb__ctx_reset(ctx);
    return xb__dom_destroy(ctx, domid, true);
}
