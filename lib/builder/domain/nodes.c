/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/nodes.c - the xenstore nodes of a domain: its name
 * claimed first (atomically), the rest written in one transaction at create,
 * all removed at destroy.
 *
 * xenstored (C, since 4.9) aborts a transaction at commit when a node it
 * read or wrote changed meanwhile, and adding or removing a node changes
 * its parent. So the transaction that writes a domain's nodes works inside
 * its own roots, made before it: /local/domain/N by the name claim,
 * /vm/UUID, /libxl/N and the console's backend directory just before
 * (nobody else writes there). Concurrent creates then meet only in the
 * short claim transaction (/local/domain and /xbuild/names are shared),
 * retried after a random pause. The nodes go as batches (xs.h): one round
 * trip to xenstored each, not one per node.
 *
 * Who reads what:
 *   xenconsoled   /local/domain/N/console/{ring-ref,port,type,limit}; writes tty
 *   the guest     control/ (shutdown requests; it writes feature-* there),
 *                 memory/target (balloon), cpu/I/availability, store/, data/
 *   xl            /local/domain/N/name (list, domid), /local/domain/N/vm,
 *                 /vm/UUID, /libxl/N/type (PVH vs HVM), console/tty (console)
 * Permissions: exactly xl's for the same config (lab-lifecycle-xl compares
 * both trees): the guest reads its /local/domain/N and /vm/UUID but owns
 * only the nodes it must write (control/shutdown, control/feature-*, data,
 * console/backend-id, device/suspend/event-channel, ...); /libxl is dom0's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "nodes.h"

#define XS_PATH_MAX      128
#define XS_VAL_MAX       2048 /* a command line recorded in /vm is cut to fit */
#define XS_NAME_MAX      128
#define XS_MAX_NODES     80 /* and one per vCPU */
#define XS_TX_RETRIES    64 /* conflicts: one per concurrent create that commits first */
#define XS_TX_BACKOFF_MS 8  /* at most, random, after a conflict: no lockstep retries */
#define XS_RECORDS_DIR   "/xbuild/domains"
#define XS_CONSOLE_LIMIT "1048576" /* bytes xenconsoled buffers, as xl sets */

enum node_perm {
    PERM_INHERIT = 0, /* whatever the parent has */
    PERM_RO,          /* dom0 owns; the guest may read */
    PERM_RW,          /* the guest owns (dom0 is privileged anyway) */
    PERM_PRIV,        /* dom0 only */
    PERM_FRONT,       /* a frontend node: the guest owns it, dom0 (its backend) reads */
};

struct node {
    char path[XS_PATH_MAX];
    char val[XS_VAL_MAX];
    bool dir; /* mkdir, no value */
    enum node_perm perm;
};

struct node_set {
    size_t count, cap;
    bool overflow;
    struct node n[]; /* [cap] */
};

static struct node_set *set_new(size_t cap)
{
    struct node_set *s = calloc(1, sizeof(*s) + cap * sizeof(s->n[0]));

    if (s)
        s->cap = cap;
    return s;
}

void xb__uuid_str(const uint8_t u[16], char buf[37])
{
    snprintf(buf, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

/* Append node @base/@rel (or @base when @rel is NULL) with a printf value. */
static void add(struct node_set *s, enum node_perm perm, bool dir, const char *base,
                const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add(struct node_set *s, enum node_perm perm, bool dir, const char *base,
                const char *rel, const char *fmt, ...)
{
    struct node *n;
    va_list ap;
    int len;

    if (s->count == s->cap) {
        s->overflow = true;
        return;
    }
    n = &s->n[s->count++];
    n->perm = perm;
    n->dir = dir;
    len = rel ? snprintf(n->path, sizeof(n->path), "%s/%s", base, rel)
              : snprintf(n->path, sizeof(n->path), "%s", base);
    if (len < 0 || (size_t)len >= sizeof(n->path))
        s->overflow = true;
    va_start(ap, fmt);
    len = vsnprintf(n->val, sizeof(n->val), fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof(n->val))
        s->overflow = true;
}

/* A value node and a directory node; the value inherits the parent's perms. */
#define VAL(s, base, rel, ...)        add((s), PERM_INHERIT, false, (base), (rel), __VA_ARGS__)
#define VALP(s, perm, base, rel, ...) add((s), (perm), false, (base), (rel), __VA_ARGS__)
#define DIR(s, perm, base, rel)       add((s), (perm), true, (base), (rel), "%s", "")

/*
 * /vm/UUID and /libxl/N exist (prepare_roots()); /local/domain/N does once
 * the name is claimed, with the name node, whose permissions are set here:
 * the claim made it with those of /local/domain.
 */
static void add_roots(struct node_set *s, const struct xb_xs_dom *d, const char *dom,
                      const char *vm, const char *lx)
{
    char uuid[37];
    xb__uuid_str(d->uuid, uuid);
    DIR(s, PERM_RO, dom, NULL);
    add(s, PERM_RO, false, dom, "name", "%s", d->name);
    VAL(s, vm, "uuid", "%s", uuid);
    VAL(s, vm, "name", "%s", d->name);
    VAL(s, vm, "start_time", "%llu.%02llu", (unsigned long long)(d->start_time_cs / 100),
        (unsigned long long)(d->start_time_cs % 100));
    VAL(s, lx, "type", "%s", xb_domtype_name(d->type));
    VAL(s, lx, "dm-version", "qemu_xen"); /* as xl records it, device model or not */
    VAL(s, dom, "vm", "%s", vm);
    VAL(s, dom, "domid", "%u", d->domid);
}

static void add_control(struct node_set *s, const char *dom)
{
    static const char *const guest_owned[] = {
        "control/shutdown",
        "control/feature-poweroff",
        "control/feature-reboot",
        "control/feature-suspend",
        "control/sysrq",
        "data",
        "drivers",
        "feature",
        "attr",
        "error",
    };

    DIR(s, PERM_RO, dom, "control");
    VAL(s, dom, "control/platform-feature-multiprocessor-suspend", "1");
    VAL(s, dom, "control/platform-feature-xs_reset_watches", "1");
    for (size_t i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++)
        DIR(s, PERM_RW, dom, guest_owned[i]);
    DIR(s, PERM_RO, dom, "device");
    DIR(s, PERM_RW, dom, "device/suspend/event-channel"); /* the guest's, to fill */
}

/* What xl records in /vm of how it was built (PVH: nothing). */
static void add_image(struct node_set *s, const struct xb_xs_dom *d, const char *vm)
{
    if (d->type == XB_DOMTYPE_PV) {
        VAL(s, vm, "image/ostype", "linux"); /* libxl's word for every PV guest */
        if (d->kernel)
            VAL(s, vm, "image/kernel", "%s", d->kernel);
        if (d->ramdisk)
            VAL(s, vm, "image/ramdisk", "%s", d->ramdisk);
        if (d->cmdline) /* a record (the guest got its own): cut to fit */
            VAL(s, vm, "image/cmdline", "%.*s", XS_VAL_MAX - 1, d->cmdline);
    }
}

static void add_resources(struct node_set *s, const struct xb_xs_dom *d, const char *dom)
{
    VAL(s, dom, "memory/static-max", "%llu", (unsigned long long)d->maxmem_kib);
    VAL(s, dom, "memory/target", "%llu", (unsigned long long)d->target_kib);
    VAL(s, dom, "memory/videoram", "0");
    VAL(s, dom, "store/port", "%u", d->store_port);
    VAL(s, dom, "store/ring-ref", "%llu", (unsigned long long)d->store_mfn);
    for (unsigned i = 0; i < d->maxvcpus; i++) {
        char rel[40];

        snprintf(rel, sizeof(rel), "cpu/%u/availability", i);
        VAL(s, dom, rel, "%s", i < d->vcpus ? "online" : "offline");
    }
}

/*
 * The primary console, served by xenconsoled: dom0's, the guest reads it (as
 * xl, which keeps the guest from fiddling with it), but for backend-id. Its
 * backend record, as xl's, goes with the domain's nodes (build_set()).
 */
static void add_console(struct node_set *s, const struct xb_xs_dom *d, const char *dom)
{
    DIR(s, PERM_RO, dom, "console");
    VAL(s, dom, "console/backend", "/local/domain/0/backend/console/%u/0", d->domid);
    add(s, PERM_FRONT, false, dom, "console/backend-id", "%s", "0");
    VAL(s, dom, "console/limit", XS_CONSOLE_LIMIT);
    VAL(s, dom, "console/type", "xenconsoled");
    VAL(s, dom, "console/output", "pty");
    VAL(s, dom, "console/port", "%u", d->console_port);
    VAL(s, dom, "console/ring-ref", "%llu", (unsigned long long)d->console_frame);
}

/* The console's settings as a device: in libxl's copy, and in its backend. */
static void add_console_device(struct node_set *s, uint32_t domid, const char *dir)
{
    VAL(s, dir, "frontend", "/local/domain/%u/console", domid);
    VAL(s, dir, "frontend-id", "%u", domid);
    VAL(s, dir, "online", "1");
    VAL(s, dir, "state", "1");
    VAL(s, dir, "protocol", "vt100");
}

/* The domain's roots: /local/domain/N, /vm/UUID, /libxl/N, its console's backend. */
struct roots {
    char dom[XS_PATH_MAX], vm[XS_PATH_MAX], lx[XS_PATH_MAX], be[XS_PATH_MAX];
};

static void roots_of(const struct xb_xs_dom *d, struct roots *r)
{
    char uuid[37];

    xb__uuid_str(d->uuid, uuid);
    snprintf(r->dom, sizeof(r->dom), "/local/domain/%u", d->domid);
    snprintf(r->vm, sizeof(r->vm), "/vm/%s", uuid);
    snprintf(r->lx, sizeof(r->lx), "/libxl/%u", d->domid);
    snprintf(r->be, sizeof(r->be), "/local/domain/0/backend/console/%u/0", d->domid);
}

static int build_set(struct xb_err *err, const struct xb_xs_dom *d, const struct roots *r,
                     struct node_set *s)
{
    const char *dom = r->dom, *vm = r->vm;
    char lx[XS_PATH_MAX];

    if (!d->name || !d->uuid || d->maxvcpus > 4096)
        return xb_err_set(err, -EINVAL, "xenstore: domain %u: no name/uuid or %u vcpus",
                          d->domid, d->maxvcpus);
    if (strlen(d->name) >= XS_NAME_MAX)
        return xb_err_set(err, -ENAMETOOLONG,
                          "xenstore: domain %u: the name is too long (\"%.40s...\", %zu "
                          "bytes; at most %d)",
                          d->domid, d->name, strlen(d->name), XS_NAME_MAX - 1);
    snprintf(lx, sizeof(lx), "%s", r->lx);
    add_roots(s, d, dom, vm, lx);
    add_control(s, dom);
    add_resources(s, d, dom);
    add_console(s, d, dom);
    add_image(s, d, vm);
    strncat(lx, "/device/console/0", sizeof(lx) - strlen(lx) - 1);
    VAL(s, lx, "backend", "/local/domain/0/backend/console/%u/0", d->domid);
    add_console_device(s, d->domid, lx);
    /* the console's backend record, as xl writes it (dom0's, the guest reads it;
       state 1 for good: xenconsoled reads the frontend); its directory is a root */
    add_console_device(s, d->domid, r->be);
    if (s->overflow)
        return xb_err_set(
            err, -ENAMETOOLONG,
            "xenstore: domain %u: a node or value is too long (name \"%.40s\")", d->domid,
            d->name);
    return 0;
}

/* The permissions node @n is given (none: it inherits its parent's); how many. */
static size_t perm_of(const struct node *n, uint32_t domid, struct xb_xs_perm p[2])
{
    size_t np = 0;

    switch (n->perm) {
    case PERM_INHERIT:
        break;
    case PERM_RO:
        p[np++] = (struct xb_xs_perm){.domid = 0, .perms = XB_XS_PERM_NONE};
        p[np++] = (struct xb_xs_perm){.domid = domid, .perms = XB_XS_PERM_READ};
        break;
    case PERM_RW: /* dom0 reads it anyway: privileged, as xl leaves it */
        p[np++] = (struct xb_xs_perm){.domid = domid, .perms = XB_XS_PERM_NONE};
        break;
    case PERM_FRONT:
        p[np++] = (struct xb_xs_perm){.domid = domid, .perms = XB_XS_PERM_NONE};
        p[np++] = (struct xb_xs_perm){.domid = 0, .perms = XB_XS_PERM_READ};
        break;
    case PERM_PRIV:
        p[np++] = (struct xb_xs_perm){.domid = 0, .perms = XB_XS_PERM_NONE};
        break;
    }
    return np;
}

/* Nodes as one batch: each one made (mkdir or write), then its permissions. */
struct batch {
    size_t n, cap;
    struct xb_xs_op *op;          /* [cap] */
    struct xb_xs_perm (*perm)[2]; /* [cap]: one pair per op at most */
};

static struct batch *batch_new(size_t nodes)
{
    struct batch *b = calloc(1, sizeof(*b));

    if (b) {
        b->cap = 2 * nodes + 8;
        b->op = calloc(b->cap, sizeof(*b->op));
        b->perm = calloc(b->cap, sizeof(*b->perm));
    }
    if (b && (!b->op || !b->perm)) {
        free(b->op);
        free(b->perm);
        free(b);
        b = NULL;
    }
    return b;
}

static void batch_free(struct batch *b)
{
    if (b) {
        free(b->op);
        free(b->perm);
        free(b);
    }
}

static void push(struct batch *b, struct xb_xs_op op)
{
    if (b->n < b->cap)
        b->op[b->n++] = op;
}

static void push_node(struct batch *b, const struct node *n, uint32_t domid)
{
    struct xb_xs_perm *p = b->n < b->cap ? b->perm[b->n] : NULL;
    size_t np = p ? perm_of(n, domid, p) : 0;

    if (n->dir)
        push(b, (struct xb_xs_op){.kind = XB_XS_OP_MKDIR, .path = n->path});
    else
        push(b, (struct xb_xs_op){.kind = XB_XS_OP_WRITE,
                                  .path = n->path,
                                  .val = n->val,
                                  .len = strlen(n->val)});
    if (np)
        push(b, (struct xb_xs_op){
                    .kind = XB_XS_OP_PERMS, .path = n->path, .perms = p, .n_perms = np});
}

int xb__xs_rm_missing_ok(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path)
{
    int rc = xs->ops->rm(xs, err, tx, path);

    return rc == -ENOENT ? 0 : rc;
}

/*
 * /vm/UUID, /libxl/N and the console's backend directory, fresh (a stale
 * one of a previous domain with this uuid or id removed), outside any
 * transaction: nobody else writes there, and making them changes their
 * parents, which the transaction must not touch. unprepare_roots() removes
 * them again. One batch.
 */
static int prepare_roots(struct xb_xs *xs, struct xb_err *err, const struct roots *r,
                         uint32_t domid)
{
    struct node n[3] = {{.dir = true, .perm = PERM_RO},
                        {.dir = true, .perm = PERM_PRIV},
                        {.dir = true, .perm = PERM_RO}};
    struct batch *b = batch_new(6);
    int rc;

    if (!b)
        return xb_err_set(err, -ENOMEM, "xenstore: out of memory");
    snprintf(n[0].path, sizeof(n[0].path), "%s", r->vm);
    snprintf(n[1].path, sizeof(n[1].path), "%s", r->lx);
    snprintf(n[2].path, sizeof(n[2].path), "%s", r->be);
    for (size_t i = 0; i < 3; i++)
        push(b, (struct xb_xs_op){.kind = XB_XS_OP_RM, .path = n[i].path});
    for (size_t i = 0; i < 3; i++)
        push_node(b, &n[i], domid);
    rc = xs->ops->batch(xs, err, false, b->op, b->n);
    batch_free(b);
    return rc;
}

static void unprepare_roots(struct xb_xs *xs, struct xb_err *err, const struct roots *r)
{
    xb__xs_rm_missing_ok(xs, err, XB_XS_NO_TX, r->vm);
    xb__xs_rm_missing_ok(xs, err, XB_XS_NO_TX, r->lx);
    xb__xs_rm_missing_ok(xs, err, XB_XS_NO_TX, r->be);
}

/* A random pause of at most XS_TX_BACKOFF_MS after a conflict. */
static void backoff(void)
{
    unsigned short r = 0;
    struct timespec ts;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
        r = (unsigned short)clock();
    ts = (struct timespec){.tv_nsec = (long)(r % (XS_TX_BACKOFF_MS * 1000)) * 1000L};
    nanosleep(&ts, NULL);
}

int xb__xs_batch_tx(struct xb_xs *xs, struct xb_err *err, struct xb_xs_op *ops, size_t n,
                    const char *what)
{
    int rc;

    for (int attempt = 0; attempt < XS_TX_RETRIES; attempt++) {
        rc = xs->ops->batch(xs, err, true, ops, n);
        if (rc != -EAGAIN)
            return rc;
        backoff();
    }
    return xb_err_set(err, -EAGAIN, "xenstore: %s: transaction kept conflicting", what);
}

/*
 * Run @body in a transaction, started over while it conflicts with another
 * writer (-EAGAIN), after a random pause; aborted when @body fails. @what
 * names it in the message when it keeps conflicting.
 */
int xb__xs_transaction(struct xb_xs *xs, struct xb_err *err,
                       int (*body)(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                                   const void *arg),
                       const void *arg, const char *what)
{
    uint32_t tx;
    int rc;

    for (int attempt = 0; attempt < XS_TX_RETRIES; attempt++) {
        rc = xs->ops->transaction_start(xs, err, &tx);
        if (rc)
            return rc;
        rc = body(xs, err, tx, arg);
        if (rc) {
            xs->ops->transaction_end(xs, NULL, tx, true);
            return rc;
        }
        rc = xs->ops->transaction_end(xs, err, tx, false);
        if (rc != -EAGAIN)
            return rc;
        backoff();
    }
    return xb_err_set(err, -EAGAIN, "xenstore: %s: transaction kept conflicting", what);
}

int xb__xs_domain_introduce(struct xb_xs *xs, struct xb_err *err,
                            const struct xb_xs_dom *d)
{
    size_t cap = XS_MAX_NODES + (d->maxvcpus <= 4096 ? d->maxvcpus : 0);
    struct node_set *s = set_new(cap);
    struct batch *b = batch_new(cap);
    struct roots r;
    int rc;

    if (!s || !b) {
        free(s);
        batch_free(b);
        return xb_err_set(err, -ENOMEM, "xenstore: out of memory");
    }
    roots_of(d, &r);
    rc = build_set(err, d, &r, s);
    for (size_t i = 0; rc == 0 && i < s->count; i++)
        push_node(b, &s->n[i], d->domid);
    if (rc == 0)
        rc = prepare_roots(xs, err, &r, d->domid);
    if (rc == 0)
        rc = xb__xs_batch_tx(xs, err, b->op, b->n, "write the domain's nodes");
    if (rc == 0)
        rc = xs->ops->introduce(xs, err, d->domid, d->store_mfn, d->store_port);
    if (rc) { /* nothing stays, whatever step failed */
        unprepare_roots(xs, err, &r);
        xb__xs_domain_remove(xs, err, d->domid);
    }
    free(s);
    batch_free(b);
    return rc;
}

/* The domain's /vm path, from /local/domain/N/vm; *vm = NULL when absent. */
int xb__xs_vm_path(struct xb_xs *xs, struct xb_err *err, uint32_t tx, uint32_t domid,
                   char **vm)
{
    char p[XS_PATH_MAX];
    size_t len;
    int rc;

    *vm = NULL;
    snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
    rc = xs->ops->read(xs, err, tx, p, vm, &len);
    if (rc == 0 && strncmp(*vm, "/vm/", 4) != 0) { /* only ever remove below /vm */
        free(*vm);
        *vm = NULL;
    }
    return rc == -ENOENT ? 0 : rc;
}

/* Backend nodes dom0 serves for @domid (xl writes a console backend). */
int xb__xs_rm_empty(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path)
{
    char **names = NULL;
    size_t n = 0;
    int rc = xs->ops->directory(xs, err, tx, path, &names, &n);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return n ? 0 : xb__xs_rm_missing_ok(xs, err, tx, path);
}

static int remove_backends(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                           uint32_t domid)
{
    char **types = NULL, p[XS_PATH_MAX];
    size_t n = 0;
    int rc = xs->ops->directory(xs, err, tx, "/local/domain/0/backend", &types, &n);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof(p), "/local/domain/0/backend/%s/%u", types[i], domid);
        if (rc == 0)
            rc = xb__xs_rm_missing_ok(xs, err, tx, p);
        *strrchr(p, '/') = '\0'; /* the kind's directory, when this was its last */
        if (rc == 0)
            rc = xb__xs_rm_empty(xs, err, tx, p);
        free(types[i]);
    }
    free(types);
    return rc ? rc : xb__xs_rm_empty(xs, err, tx, "/local/domain/0/backend");
}

/*
 * Whether a domain other than @domid points at /vm path @vm: during a
 * migration on one host both copies share their UUID, hence /vm/UUID, and
 * the one destroyed first must leave it to the other. Read outside the
 * removal's transaction, which thus stays within the domain's own nodes.
 */
static bool vm_shared(struct xb_xs *xs, uint32_t domid)
{
    char **ids = NULL, p[XS_PATH_MAX], *vm = NULL, *other = NULL;
    size_t n = 0;
    bool shared = false;

    if (xb__xs_vm_path(xs, NULL, XB_XS_NO_TX, domid, &vm) != 0 || !vm)
        return false;
    if (xs->ops->directory(xs, NULL, XB_XS_NO_TX, "/local/domain", &ids, &n) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!shared && strtoul(ids[i], NULL, 10) != domid) {
            snprintf(p, sizeof(p), "/local/domain/%.20s/vm", ids[i]);
            if (xs->ops->read(xs, NULL, XB_XS_NO_TX, p, &other, NULL) == 0)
                shared = strcmp(other, vm) == 0;
            free(other);
            other = NULL;
        }
        free(ids[i]);
    }
    free(ids);
    free(vm);
    return shared;
}

struct remove_job {
    uint32_t domid;
    bool keep_vm; /* another domain uses its /vm path */
};

static int remove_nodes(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                        const void *arg)
{
    const struct remove_job *j = arg;
    uint32_t domid = j->domid;
    char p[XS_PATH_MAX], *vm = NULL;
    int rc = xb__xs_claim_remove(xs, err, tx, domid);

    if (rc == 0)
        rc = xb__xs_vm_path(xs, err, tx, domid, &vm);
    if (rc == 0 && vm && !j->keep_vm)
        rc = xb__xs_rm_missing_ok(xs, err, tx, vm);
    free(vm);
    snprintf(p, sizeof(p), "/local/domain/%u", domid);
    if (rc == 0)
        rc = xb__xs_rm_missing_ok(xs, err, tx, p);
    snprintf(p, sizeof(p), "/libxl/%u", domid);
    if (rc == 0)
        rc = xb__xs_rm_missing_ok(xs, err, tx, p);
    snprintf(p, sizeof(p), XS_RECORDS_DIR "/%u", domid);
    if (rc == 0)
        rc = xb__xs_rm_missing_ok(xs, err, tx, p);
    return rc ? rc : remove_backends(xs, err, tx, domid);
}

int xb__xs_domain_remove(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    const struct remove_job job = {.domid = domid, .keep_vm = vm_shared(xs, domid)};
    int rc = xb__xs_transaction(xs, err, remove_nodes, &job, "remove the domain's nodes");

    /* xenstored may never have been told about a half-built domain: a probe. */
    if (rc == 0)
        xs->ops->release(xs, NULL, domid);
    return rc;
}
