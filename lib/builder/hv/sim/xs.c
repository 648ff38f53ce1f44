/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/xs.c - the simulated machine's xenstore (xs.h): nodes
 * with values and permissions, transactions that conflict when the store
 * changed under them (-EAGAIN, as xenstored), introduce/release checked
 * against the machine's domains, and watches: fired on every change under
 * their path (a commit fires those of each node it changed), once when
 * set, and "@releaseDomain"/"@introduceDomain" by the machine. wait_watch
 * never waits long (nothing else runs in the process): with no event it
 * pauses 5 ms at most and returns -ETIMEDOUT.
 * Every change to the committed store lets the model of dom0's backends
 * react (backends.c), as blkback and netback react to their watches.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "../xs_batch.h"

static void xs_node_free(struct xs_node *n)
{
    free(n->path);
    free(n->val);
    free(n->perms);
}

static void xs_tree_free(struct xs_tree *t)
{
    for (size_t i = 0; i < t->count; i++)
        xs_node_free(&t->n[i]);
    free(t->n);
    *t = (struct xs_tree){0};
}

static int xs_node_copy(struct xs_node *dst, const struct xs_node *src)
{
    *dst = (struct xs_node){.len = src->len, .nperms = src->nperms};
    dst->path = strdup(src->path);
    dst->val = malloc(src->len + 1);
    dst->perms = malloc(src->nperms * sizeof(*src->perms) + 1);
    if (!dst->path || !dst->val || !dst->perms) {
        xs_node_free(dst);
        return -ENOMEM;
    }
    memcpy(dst->val, src->val, src->len + 1);
    memcpy(dst->perms, src->perms, src->nperms * sizeof(*src->perms));
    return 0;
}

static int xs_tree_copy(struct xs_tree *dst, const struct xs_tree *src)
{
    *dst = (struct xs_tree){.n = calloc(src->count + 1, sizeof(*src->n)),
                            .cap = src->count + 1};
    if (!dst->n)
        return -ENOMEM;
    for (; dst->count < src->count; dst->count++) {
        if (xs_node_copy(&dst->n[dst->count], &src->n[dst->count])) {
            xs_tree_free(dst);
            return -ENOMEM;
        }
    }
    return 0;
}

static struct xs_node *xs_find(struct xs_tree *t, const char *path)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->n[i].path, path) == 0)
            return &t->n[i];
    return NULL;
}

static bool xs_path_ok(const char *path)
{
    size_t len = strlen(path);

    return len > 0 && path[0] == '/' && (len == 1 || path[len - 1] != '/') &&
           !strstr(path, "//") && len < 3072;
}

static int xs_set_val(struct xs_node *n, const void *val, size_t len)
{
    char *v = malloc(len + 1);

    if (!v)
        return -ENOMEM;
    if (len)
        memcpy(v, val, len);
    v[len] = '\0';
    free(n->val);
    n->val = v;
    n->len = len;
    return 0;
}

static int xs_grow(struct xs_tree *t)
{
    size_t cap = t->cap ? 2 * t->cap : 32;
    struct xs_node *p;

    if (t->count < t->cap)
        return 0;
    p = realloc(t->n, cap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    t->n = p;
    t->cap = cap;
    return 0;
}

/* A new node at the end of @t: a copy of @parent's perms, or dom0-owned. */
static struct xs_node *xs_append(struct xs_tree *t, const char *path, const char *parent)
{
    const struct xs_node *p = parent ? xs_find(t, parent) : NULL;
    struct xs_node *n = &t->n[t->count];

    if (parent && !p)
        return NULL;
    *n = (struct xs_node){.nperms = p ? p->nperms : 1};
    n->perms = calloc(n->nperms, sizeof(*n->perms));
    n->path = strdup(path);
    if (n->perms && p)
        memcpy(n->perms, p->perms, n->nperms * sizeof(*n->perms));
    if (!n->perms || !n->path || xs_set_val(n, "", 0)) {
        xs_node_free(n);
        return NULL;
    }
    t->count++;
    return n;
}

/* Create @path (and missing parents) with perms inherited from the parent. */
static struct xs_node *xs_create(struct xs_tree *t, const char *path)
{
    struct xs_node *n = xs_find(t, path);
    char *up;

    if (n || strcmp(path, "/") == 0)
        return n ? n : (xs_grow(t) ? NULL : xs_append(t, path, NULL));
    up = strdup(path);
    if (!up)
        return NULL;
    *strrchr(up, '/') = '\0';
    if (!up[0])
        strcpy(up, "/");
    if (xs_create(t, up) && !xs_grow(t))
        n = xs_append(t, path, up);
    free(up);
    return n;
}

static struct xs_tree *xs_tree_of(struct sim *s, struct xb_err *err, uint32_t tx,
                                  const char *op)
{
    if (tx == XB_XS_NO_TX)
        return &s->store;
    for (size_t i = 0; i < SIM_MAX_TX; i++)
        if (s->tx[i].used && s->tx[i].id == tx)
            return &s->tx[i].tree;
    xb_err_set(err, -ENOENT, "sim: %s: no transaction %" PRIu32, op, tx);
    return NULL;
}

static int xs_begin(struct sim *s, struct xb_err *err, uint32_t tx, const char *path,
                    const char *op, struct xs_tree **t)
{
    int rc = xb__sim_enter(s, err, op);

    if (rc)
        return rc;
    if (!xs_path_ok(path))
        return xb_err_set(err, -EINVAL, "sim: %s: bad path \"%s\"", op, path);
    *t = xs_tree_of(s, err, tx, op);
    return *t ? 0 : -ENOENT;
}

static void xs_touch(struct sim *s, const struct xs_tree *t, const char *path)
{
    if (t != &s->store)
        return;
    s->store_gen++;
    xb__sim_xs_fire(s, path);
    xb__sim_backends_react(s);
}

static bool xs_under(const char *path, const char *top);

static bool fires(const char *watch, const char *path)
{
    if (watch[0] == '@' || path[0] == '@')
        return strcmp(watch, path) == 0;
    return xs_under(path, watch) || xs_under(watch, path); /* rm: the children too */
}

static int queue_event(struct sim *s, const char *path, const char *token)
{
    struct sim_watch *v = realloc(s->events, (s->nevents + 1) * sizeof(*v));

    if (!v)
        return -ENOMEM;
    s->events = v;
    v[s->nevents] = (struct sim_watch){.path = strdup(path), .token = strdup(token)};
    if (!v[s->nevents].path || !v[s->nevents].token) {
        free(v[s->nevents].path);
        free(v[s->nevents].token);
        return -ENOMEM;
    }
    s->nevents++;
    return 0;
}

void xb__sim_xs_fire(struct sim *s, const char *path)
{
    for (size_t i = 0; i < s->nwatches; i++)
        if (fires(s->watches[i].path, path))
            queue_event(s, path, s->watches[i].token);
}

/* A commit: the watches of every node that differs between @old and @new. */
static void fire_diff(struct sim *s, struct xs_tree *old, struct xs_tree *new)
{
    for (size_t i = 0; i < new->count; i++) {
        struct xs_node *o = xs_find(old, new->n[i].path);

        if (!o || o->len != new->n[i].len || memcmp(o->val, new->n[i].val, o->len) != 0)
            xb__sim_xs_fire(s, new->n[i].path);
    }
    for (size_t i = 0; i < old->count; i++)
        if (!xs_find(new, old->n[i].path))
            xb__sim_xs_fire(s, old->n[i].path);
}

static int sim_transaction_start(struct xb_xs *xs, struct xb_err *err, uint32_t *tx)
{
    struct sim *s = xb__sim_of_xs(xs);
    int rc = xb__sim_enter(s, err, "xenstore transaction_start");

    if (rc)
        return rc;
    for (size_t i = 0; i < SIM_MAX_TX; i++) {
        struct sim_tx *t = &s->tx[i];
        if (t->used)
            continue;
        if (xs_tree_copy(&t->tree, &s->store))
            return xb_err_set(err, -ENOMEM, "sim: xs_transaction_start: out of memory");
        t->used = true;
        t->id = ++s->next_tx;
        t->gen = s->store_gen;
        *tx = t->id;
        return 0;
    }
    return xb_err_set(err, -EBUSY, "sim: xs_transaction_start: too many transactions");
}

/* An abort is cleanup and never fails by injection. */
static int sim_transaction_end(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                               bool abort)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct sim_tx *t = NULL;
    int rc = abort ? 0 : xb__sim_enter(s, err, "xenstore transaction_end");

    for (size_t i = 0; i < SIM_MAX_TX && !t; i++)
        if (s->tx[i].used && s->tx[i].id == tx)
            t = &s->tx[i];
    if (!t)
        return rc ? rc : xb_err_set(err, -ENOENT, "sim: no transaction %" PRIu32, tx);
    if (!rc && !abort && t->gen != s->store_gen)
        rc = -EAGAIN;
    if (!rc && !abort) {
        struct xs_tree old = s->store;

        s->store = t->tree;
        s->store_gen++;
        t->tree = (struct xs_tree){0};
        fire_diff(s, &old, &s->store);
        xs_tree_free(&old);
    }
    xs_tree_free(&t->tree);
    t->used = false;
    if (!rc && !abort)
        xb__sim_backends_react(s);
    return rc;
}

static int sim_write(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                     const void *val, size_t len)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    struct xs_node *n;
    int rc = xs_begin(s, err, tx, path, "xenstore write", &t);

    if (rc)
        return rc;
    n = xs_create(t, path);
    if (!n || xs_set_val(n, val, len))
        return xb_err_set(err, -ENOMEM, "sim: xs_write: out of memory");
    if (tx == XB_XS_NO_TX && xb__sim_guest_sees(s, path, val, len))
        xs_set_val(n, "", 0); /* the guest took the request */
    xs_touch(s, t, path);
    return 0;
}

static int sim_read(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path,
                    char **val, size_t *len)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    struct xs_node *n;
    int rc = xs_begin(s, err, tx, path, "xenstore read", &t);

    if (rc)
        return rc;
    n = xs_find(t, path);
    if (!n)
        return -ENOENT;
    *val = malloc(n->len + 1);
    if (!*val)
        return xb_err_set(err, -ENOMEM, "sim: xs_read: out of memory");
    memcpy(*val, n->val, n->len + 1);
    if (len)
        *len = n->len;
    return 0;
}

static int sim_mkdir(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    int rc = xs_begin(s, err, tx, path, "xenstore mkdir", &t);

    if (rc)
        return rc;
    if (!xs_create(t, path))
        return xb_err_set(err, -ENOMEM, "sim: xs_mkdir: out of memory");
    xs_touch(s, t, path);
    return 0;
}

static bool xs_under(const char *path, const char *top)
{
    size_t len = strlen(top);

    return strcmp(path, top) == 0 ||
           (strncmp(path, top, len) == 0 && (path[len] == '/' || len == 1));
}

static int sim_rm(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *path)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    int rc = xs_begin(s, err, tx, path, "xenstore rm", &t);

    if (rc)
        return rc;
    if (!xs_find(t, path))
        return -ENOENT;
    for (size_t i = 0; i < t->count;) {
        if (xs_under(t->n[i].path, path) && strcmp(t->n[i].path, "/") != 0) {
            xs_node_free(&t->n[i]);
            t->n[i] = t->n[--t->count];
        } else {
            i++;
        }
    }
    xs_touch(s, t, path);
    return 0;
}

static int sim_set_perms(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path, const struct xb_xs_perm *perms, size_t n)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    struct xs_node *node;
    struct xb_xs_perm *p;
    int rc = xs_begin(s, err, tx, path, "xenstore set_perms", &t);

    if (rc)
        return rc;
    node = xs_find(t, path);
    if (!node)
        return -ENOENT;
    if (n == 0)
        return xb_err_set(err, -EINVAL, "sim: xs_set_perms: no owner for %s", path);
    p = malloc(n * sizeof(*p));
    if (!p)
        return xb_err_set(err, -ENOMEM, "sim: xs_set_perms: out of memory");
    memcpy(p, perms, n * sizeof(*p));
    free(node->perms);
    node->perms = p;
    node->nperms = n;
    xs_touch(s, t, path);
    return 0;
}

static bool xs_is_child(const char *path, const char *dir, const char **name)
{
    size_t len = strcmp(dir, "/") == 0 ? 0 : strlen(dir);

    if (strncmp(path, dir, len) != 0 || path[len] != '/' || !path[len + 1])
        return false;
    *name = path + len + 1;
    return !strchr(*name, '/');
}

static int sim_directory(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *path, char ***names, size_t *n)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct xs_tree *t;
    const char *name;
    char **out;
    int rc = xs_begin(s, err, tx, path, "xenstore directory", &t);

    if (rc)
        return rc;
    if (!xs_find(t, path))
        return -ENOENT;
    out = calloc(t->count + 1, sizeof(*out));
    if (!out)
        return xb_err_set(err, -ENOMEM, "sim: xs_directory: out of memory");
    *n = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (!xs_is_child(t->n[i].path, path, &name))
            continue;
        out[*n] = strdup(name);
        if (!out[(*n)++]) {
            for (size_t k = 0; k < *n; k++)
                free(out[k]);
            free(out);
            return xb_err_set(err, -ENOMEM, "sim: xs_directory: out of memory");
        }
    }
    *names = out;
    return 0;
}

static int sim_introduce(struct xb_xs *xs, struct xb_err *err, uint32_t domid,
                         xb_mfn store_mfn, uint32_t port)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "xenstore introduce");

    if (rc)
        return rc;
    d = xb__sim_get_dom(s, err, domid, "xenstore introduce");
    if (!d)
        return -ESRCH;
    /* xenstored maps a translated guest's ring by gfn */
    if (!xb__sim_owns(s, domid,
                      d->info.translated ? xb__sim_gfn_mfn(d, store_mfn) : store_mfn) ||
        port > d->max_port || !d->port_used[port])
        return xb_err_set(err, -EINVAL,
                          "sim: xs_introduce: frame 0x%" PRIx64 " / port %" PRIu32
                          " is not domain %" PRIu32 "'s",
                          store_mfn, port, domid);
    d->info.introduced = true;
    d->info.store_mfn = store_mfn;
    d->info.store_port = port;
    xb__sim_xs_fire(s, "@introduceDomain");
    return 0;
}

static int sim_release(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct sim_dom *d;
    int rc = xb__sim_enter(s, err, "xenstore release");

    if (rc)
        return rc;
    d = xb__sim_find_dom(s, domid);
    if (!d || !d->info.introduced)
        return -ENOENT;
    d->info.introduced = false;
    return 0;
}

static int sim_resume(struct xb_xs *xs, struct xb_err *err, uint32_t domid)
{
    struct sim *s = xb__sim_of_xs(xs);
    int rc = xb__sim_enter(s, err, "xenstore resume");

    if (rc)
        return rc;
    if (!xb__sim_get_dom(s, err, domid, "xenstore resume"))
        return -ESRCH;
    return 0;
}

const char *xb__sim_xs_get(struct sim *s, const char *path)
{
    const struct xs_node *n = xs_find(&s->store, path);

    return n ? n->val : NULL;
}

int xb__sim_xs_put(struct sim *s, const char *path, const char *val)
{
    struct xs_node *n = xs_create(&s->store, path);

    if (!n || xs_set_val(n, val, strlen(val)))
        return -ENOMEM;
    xs_touch(s, &s->store, path);
    return 0;
}

const char *xb__sim_xs_path(struct sim *s, size_t i)
{
    return i < s->store.count ? s->store.n[i].path : NULL;
}

size_t xb__sim_xs_nodes(struct sim *s)
{
    return s->store.count;
}

static int sim_watch(struct xb_xs *xs, struct xb_err *err, const char *path,
                     const char *token)
{
    struct sim *s = xb__sim_of_xs(xs);
    struct sim_watch *v;
    int rc = xb__sim_enter(s, err, "xenstore watch");

    if (rc)
        return rc;
    v = realloc(s->watches, (s->nwatches + 1) * sizeof(*v));
    if (!v)
        return xb_err_set(err, -ENOMEM, "sim: xs_watch: out of memory");
    s->watches = v;
    v[s->nwatches] = (struct sim_watch){.path = strdup(path), .token = strdup(token)};
    if (!v[s->nwatches].path || !v[s->nwatches].token) {
        free(v[s->nwatches].path);
        free(v[s->nwatches].token);
        return xb_err_set(err, -ENOMEM, "sim: xs_watch: out of memory");
    }
    s->nwatches++;
    if (queue_event(s, path, token)) /* xenstored fires a new watch once */
        return xb_err_set(err, -ENOMEM, "sim: xs_watch: out of memory");
    return 0;
}

static void drop(struct sim_watch *v, size_t *n, size_t i)
{
    free(v[i].path);
    free(v[i].token);
    memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
    (*n)--;
}

/* Cleanup: never fails by injection. Its pending events go with it. */
static int sim_unwatch(struct xb_xs *xs, struct xb_err *err, const char *path,
                       const char *token)
{
    struct sim *s = xb__sim_of_xs(xs);
    bool found = false;

    for (size_t i = 0; i < s->nwatches;) {
        if (strcmp(s->watches[i].path, path) == 0 &&
            strcmp(s->watches[i].token, token) == 0) {
            drop(s->watches, &s->nwatches, i);
            found = true;
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < s->nevents;) {
        if (strcmp(s->events[i].token, token) == 0 && fires(path, s->events[i].path))
            drop(s->events, &s->nevents, i);
        else
            i++;
    }
    return found ? 0 : xb_err_set(err, -ENOENT, "sim: xs_unwatch: no watch %s", path);
}

static int sim_wait_watch(struct xb_xs *xs, struct xb_err *err, int timeout_ms,
                          char **path, char **token)
{
    struct sim *s = xb__sim_of_xs(xs);
    int rc = xb__sim_enter(s, err, "xenstore wait_watch");

    if (rc)
        return rc;
    if (s->nevents == 0) { /* a short pause, so that a caller's wait loop is no spin */
        struct timespec ts = {
            .tv_nsec = 1000000L * (timeout_ms >= 0 && timeout_ms < 5 ? timeout_ms : 5)};

        nanosleep(&ts, NULL);
        return -ETIMEDOUT;
    }
    *path = s->events[0].path;
    *token = s->events[0].token;
    memmove(&s->events[0], &s->events[1], (s->nevents - 1) * sizeof(*s->events));
    s->nevents--;
    return 0;
}

/* Each op counted (and failed by injection) as if called alone. */
static int sim_batch(struct xb_xs *xs, struct xb_err *err, bool own_tx,
                     struct xb_xs_op *ops, size_t n)
{
    return xb__xs_batch_each(xs, err, own_tx, ops, n);
}

static void sim_close(struct xb_xs *xs)
{
    if (xs)
        xb__sim_put(xb__sim_of_xs(xs));
}

static const struct xb_xs_ops sim_xs_ops = {
    .name = "sim",
    .transaction_start = sim_transaction_start,
    .transaction_end = sim_transaction_end,
    .write = sim_write,
    .read = sim_read,
    .mkdir = sim_mkdir,
    .rm = sim_rm,
    .set_perms = sim_set_perms,
    .directory = sim_directory,
    .introduce = sim_introduce,
    .release = sim_release,
    .resume = sim_resume,
    .batch = sim_batch,
    .watch = sim_watch,
    .unwatch = sim_unwatch,
    .wait_watch = sim_wait_watch,
    .close = sim_close,
};

struct sim *xb__sim_of_xs(struct xb_xs *xs)
{
    return (struct sim *)((char *)xs - offsetof(struct sim, xs));
}

int xb__sim_xs_init(struct sim *s)
{
    static const char *const nodes[] = {"/local/domain/0/name", "/vm", "/tool", "/libxl"};

    s->xs.ops = &sim_xs_ops;
    if (!xs_create(&s->store, "/"))
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
        if (!xs_create(&s->store, nodes[i]))
            return -ENOMEM;
    return xs_set_val(xs_find(&s->store, "/local/domain/0/name"), "Domain-0", 8);
}

void xb__sim_xs_fini(struct sim *s)
{
    while (s->nwatches)
        drop(s->watches, &s->nwatches, 0);
    while (s->nevents)
        drop(s->events, &s->nevents, 0);
    free(s->watches);
    free(s->events);
    for (size_t i = 0; i < SIM_MAX_TX; i++)
        xs_tree_free(&s->tx[i].tree);
    xs_tree_free(&s->store);
}
