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
#define XS_NAMES_DIR     "/xbuild/names"
#define XS_RESTARTS_DIR  "/xbuild/restarts"
#define XS_RECORDS_DIR   "/xbuild/domains"
#define XS_CLAIM_MAX     (sizeof(XS_NAMES_DIR) + 3 * 256 + 4)
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

static int rm_missing_ok(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
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
    rm_missing_ok(xs, err, XB_XS_NO_TX, r->vm);
    rm_missing_ok(xs, err, XB_XS_NO_TX, r->lx);
    rm_missing_ok(xs, err, XB_XS_NO_TX, r->be);
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

/*
 * ---- names: two creates of one name cannot both win ----
 * A create claims its name in /xbuild/names (one node per name, checked
 * and written in one transaction), then checks that no other domain
 * carries the name. The claim is kept for the domain's life (destroy
 * removes it; xbuild rename moves it; one whose domain is gone or carries
 * another name is stale and taken over): so a create learns whether one of
 * xbuild's domains has the name from the claim alone, however many run,
 * and reads only the names of the others (xb__dom_name_taken()).
 */

/*
 * DIR/NAME, NAME with every byte outside [A-Za-z0-9-] written as "_xx"
 * (xenstore paths take few characters; '_' itself is "_5f").
 */
static int name_path(const char *dir, const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)name;
    size_t n = (size_t)snprintf(buf, size, "%s/", dir);

    for (; *p && n + 4 <= size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-') {
            buf[n++] = (char)*p;
            continue;
        }
        buf[n++] = '_';
        buf[n++] = hex[*p >> 4];
        buf[n++] = hex[*p & 15];
    }
    buf[n] = '\0';
    return *p || !name[0] ? -ENAMETOOLONG : 0;
}

static int claim_path(const char *name, char *buf, size_t size)
{
    return name_path(XS_NAMES_DIR, name, buf, size);
}

int xb__xs_restart_path(const char *name, char *buf, size_t size)
{
    return name_path(XS_RESTARTS_DIR, name, buf, size);
}

struct claim {
    const char *name;
    uint32_t domid;
    bool restart; /* the monitor's re-create of a restart: its entry holds the name */
    char path[XS_CLAIM_MAX];
};

/* A restart of @c->name is under way (and this is not it): -EEXIST. */
static int check_restart(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const struct claim *c)
{
    char p[XB_XS_NAME_PATH_MAX], *v = NULL;
    int rc;

    if (c->restart || xb__xs_restart_path(c->name, p, sizeof(p)) != 0)
        return 0;
    rc = xs->ops->read(xs, err, tx, p, &v, NULL);
    free(v);
    return rc == 0 ? -EEXIST : rc == -ENOENT ? 0 : rc;
}

/* The domain @c->path names holds the name still: -EEXIST. */
static int check_holder(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                        const struct claim *c)
{
    char p[XS_PATH_MAX], *v = NULL, *have = NULL;
    unsigned long holder;
    int rc = xs->ops->read(xs, err, tx, c->path, &v, NULL);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    holder = strtoul(v, NULL, 10);
    free(v);
    if (holder == c->domid)
        return 0;
    snprintf(p, sizeof(p), "/local/domain/%lu/name", holder);
    rc = xs->ops->read(xs, err, tx, p, &have, NULL);
    if (rc)
        return rc == -ENOENT ? 0 : rc; /* destroyed by another toolstack: stale */
    rc = strcmp(have, c->name) == 0 ? -EEXIST : 0;
    free(have);
    return rc;
}

static int claim_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct claim *c = arg;
    char dom[XS_PATH_MAX], id[16];
    int rc = check_holder(xs, err, tx, c);

    if (!rc)
        rc = check_restart(xs, err, tx, c);
    snprintf(dom, sizeof(dom), "/local/domain/%u", c->domid);
    snprintf(id, sizeof(id), "%u", c->domid);
    if (!rc)
        rc = rm_missing_ok(xs, err, tx, dom); /* a previous domain's, with this id */
    if (!rc)
        rc = xs->ops->write(xs, err, tx, c->path, id, strlen(id));
    strncat(dom, "/name", sizeof(dom) - strlen(dom) - 1);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, dom, c->name, strlen(c->name));
    return rc;
}

int xb__xs_name_claim(struct xb_xs *xs, struct xb_err *err, const char *name,
                      uint32_t domid, bool restart)
{
    struct claim c = {.name = name, .domid = domid, .restart = restart};
    int rc = claim_path(name, c.path, sizeof(c.path));

    if (rc)
        return xb_err_set(err, rc, "name: \"%.40s...\" is too long for xenstore", name);
    rc = xb__xs_transaction(xs, err, claim_body, &c, "claim the name");
    if (rc == -EEXIST)
        return xb_err_set(err, rc,
                          "name: a domain named \"%s\" already exists; destroy it or "
                          "choose another name",
                          name);
    return rc;
}

/* The domain's /vm path, from /local/domain/N/vm; *vm = NULL when absent. */
static int vm_path(struct xb_xs *xs, struct xb_err *err, uint32_t tx, uint32_t domid,
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
    return n ? 0 : rm_missing_ok(xs, err, tx, path);
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
            rc = rm_missing_ok(xs, err, tx, p);
        *strrchr(p, '/') = '\0'; /* the kind's directory, when this was its last */
        if (rc == 0)
            rc = xb__xs_rm_empty(xs, err, tx, p);
        free(types[i]);
    }
    free(types);
    return rc ? rc : xb__xs_rm_empty(xs, err, tx, "/local/domain/0/backend");
}

/* Drop the claim on @name if @domid holds it. */
static int release_claim(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *name, uint32_t domid)
{
    char path[XS_CLAIM_MAX], *holder = NULL;
    int rc = claim_path(name, path, sizeof(path));

    if (rc == 0)
        rc = xs->ops->read(xs, err, tx, path, &holder, NULL);
    if (rc == 0 && strtoul(holder, NULL, 10) == domid)
        rc = rm_missing_ok(xs, err, tx, path);
    free(holder);
    return rc == -ENOENT || rc == -ENAMETOOLONG ? 0 : rc;
}

/* The claim of a half-built @domid (its name node tells which name). */
static int remove_claim(struct xb_xs *xs, struct xb_err *err, uint32_t tx, uint32_t domid)
{
    char p[XS_PATH_MAX], *name = NULL;
    int rc;

    snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
    rc = xs->ops->read(xs, err, tx, p, &name, NULL);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    rc = release_claim(xs, err, tx, name, domid);
    free(name);
    return rc;
}

static int remove_nodes(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                        const void *arg)
{
    uint32_t domid = *(const uint32_t *)arg;
    char p[XS_PATH_MAX], *vm = NULL;
    int rc = remove_claim(xs, err, tx, domid);

    if (rc == 0)
        rc = vm_path(xs, err, tx, domid, &vm);

    if (rc == 0 && vm)
        rc = rm_missing_ok(xs, err, tx, vm);
    free(vm);
    snprintf(p, sizeof(p), "/local/domain/%u", domid);
    if (rc == 0)
        rc = rm_missing_ok(xs, err, tx, p);
    snprintf(p, sizeof(p), "/libxl/%u", domid);
    if (rc == 0)
        rc = rm_missing_ok(xs, err, tx, p);
    snprintf(p, sizeof(p), XS_RECORDS_DIR "/%u", domid);
    if (rc == 0)
        rc = rm_missing_ok(xs, err, tx, p);
    return rc ? rc : remove_backends(xs, err, tx, domid);
}

int xb__xs_domain_remove(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    int rc =
        xb__xs_transaction(xs, err, remove_nodes, &domid, "remove the domain's nodes");

    /* xenstored may never have been told about a half-built domain: a probe. */
    if (rc == 0)
        xs->ops->release(xs, NULL, domid);
    return rc;
}

/* ---- rename ---- */

struct rename {
    uint32_t domid;
    const char *name;
};

/* @path = @r->name when the node exists (a record without one is left alone). */
static int rename_node(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                       const char *path, const char *name)
{
    char *v = NULL;
    int rc = xs->ops->read(xs, err, tx, path, &v, NULL);

    free(v);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    return xs->ops->write(xs, err, tx, path, name, strlen(name));
}

static int rename_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct rename *r = arg;
    struct claim c = {.name = r->name, .domid = r->domid};
    char p[XS_PATH_MAX + 8], *vm = NULL;
    int rc = claim_path(r->name, c.path, sizeof(c.path));

    if (!rc)
        rc = check_holder(xs, err, tx, &c);
    if (!rc)
        rc = check_restart(xs, err, tx, &c);
    if (!rc) /* the claim moves with the name */
        rc = remove_claim(xs, err, tx, r->domid);
    snprintf(p, sizeof(p), "%u", r->domid);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, c.path, p, strlen(p));
    snprintf(p, sizeof(p), "/local/domain/%u/name", r->domid);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, p, r->name, strlen(r->name));
    if (!rc)
        rc = vm_path(xs, err, tx, r->domid, &vm);
    if (!rc && vm) {
        snprintf(p, sizeof(p), "%.120s/name", vm);
        rc = rename_node(xs, err, tx, p, r->name);
    }
    free(vm);
    snprintf(p, sizeof(p), XS_RECORDS_DIR "/%u/name", r->domid);
    return rc ? rc : rename_node(xs, err, tx, p, r->name);
}

int xb__xs_rename(struct xb_xs *xs, struct xb_err *err, uint32_t domid, const char *name)
{
    const struct rename r = {.domid = domid, .name = name};
    int rc = xb__xs_transaction(xs, err, rename_body, &r, "rename the domain");

    if (rc == -EEXIST)
        return xb_err_set(err, rc, "rename: a domain named \"%s\" already exists", name);
    if (rc == -ENAMETOOLONG)
        return xb_err_set(err, rc, "rename: \"%.40s...\" is too long for xenstore", name);
    return rc;
}
