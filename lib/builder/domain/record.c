/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/record.c - the monitor's record in xenstore (record.h):
 * encoded as one node's value, decoded from it (or from the child nodes an
 * older xbuild wrote), one field changed in a transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodes.h"
#include "record.h"

#define MAGIC       "xbuild-record 2"
#define NODE_MAX    3584u /* of the 4096 bytes of a xenstore message, with the path */
#define PART        2048u
#define MAX_PARTS   600u /* 1 MiB of config, 256 overrides and the rest */
#define PATH_MAX_XS (XB_XS_NAME_PATH_MAX + 64)

static const char *const action_keys[XB_REC_ACTIONS] = {
    "on_poweroff", "on_reboot", "on_watchdog", "on_crash", "on_soft_reset",
};

void xb__rec_free(struct xb_rec *r)
{
    free(r->name);
    free(r->config);
    free(r->file);
    free(r->override_dir);
    for (size_t i = 0; i < r->n_overrides; i++)
        free(r->overrides[i]);
    free(r->overrides);
    *r = (struct xb_rec){0};
}

/* ---- encoding ---- */

struct buf {
    char *p;
    size_t len, cap;
    bool bad;
};

static void put_bytes(struct buf *b, const char *s, size_t n)
{
    char *grown;

    if (b->bad || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;

        if (!(grown = realloc(b->p, cap))) {
            b->bad = true;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void field(struct buf *b, const char *key, const char *val, size_t len)
{
    char head[64];

    put_bytes(b, head, (size_t)snprintf(head, sizeof(head), "%s %zu\n", key, len));
    put_bytes(b, val, len);
    put_bytes(b, "\n", 1);
}

static void field_str(struct buf *b, const char *key, const char *val)
{
    field(b, key, val ? val : "", val ? strlen(val) : 0);
}

static void encode(const struct xb_rec *r, bool restart_entry, struct buf *b)
{
    char uuid[37], num[64];

    field_str(b, "name", r->name);
    xb__uuid_str(r->uuid, uuid);
    field_str(b, "uuid", uuid);
    for (int a = 0; a < XB_REC_ACTIONS; a++)
        field_str(b, action_keys[a], xb_action_name(r->act[a]));
    field_str(b, "config-file", r->file);
    field_str(b, "override-dir", r->override_dir);
    field_str(b, "strict", r->strict ? "1" : "0");
    snprintf(num, sizeof(num), "%u %" PRIu64, r->restarts, r->last_restart);
    field_str(b, "restarts", num);
    if (r->kept || r->suspended)
        field_str(b, "state", r->kept ? "kept" : "suspended");
    snprintf(num, sizeof(num), "%" PRIu32, r->old_domid);
    if (restart_entry)
        field_str(b, "old-domid", num);
    for (size_t i = 0; i < r->n_overrides; i++)
        field_str(b, "override", r->overrides[i]);
    field(b, "config", r->config ? r->config : "", r->config_len);
}

/* ---- decoding ---- */

/* The next field of @v[*at, len): 1 with its key and value, 0 at the end, -EINVAL. */
static int next_field(const char *v, size_t len, size_t *at, char key[32],
                      const char **val, size_t *vlen)
{
    const char *sp, *nl;
    size_t n = 0;

    if (*at >= len)
        return 0;
    sp = memchr(v + *at, ' ', len - *at);
    if (!sp || (size_t)(sp - (v + *at)) >= 32)
        return -EINVAL;
    memcpy(key, v + *at, (size_t)(sp - (v + *at)));
    key[sp - (v + *at)] = '\0';
    nl = memchr(sp, '\n', len - (size_t)(sp - v));
    if (!nl || nl == sp + 1)
        return -EINVAL;
    for (const char *d = sp + 1; d < nl; d++)
        if (*d < '0' || *d > '9' || __builtin_mul_overflow(n, 10, &n) ||
            __builtin_add_overflow(n, (size_t)(*d - '0'), &n))
            return -EINVAL;
    *at = (size_t)(nl + 1 - v);
    if (n > len - *at || len - *at - n < 1 || v[*at + n] != '\n')
        return -EINVAL;
    *val = v + *at;
    *vlen = n;
    *at += n + 1;
    return 1;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool parse_uuid(const char *s, uint8_t out[16])
{
    unsigned v[16];

    if (!s || strlen(s) != 36 ||
        sscanf(s, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13], &v[14], &v[15]) != 16)
        return false;
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)v[i];
    return true;
}

/* One field into @r: 0, -EINVAL (a bad value), -ENOMEM. */
static int take(struct xb_rec *r, const char *key, const char *val, size_t n,
                unsigned *seen)
{
    char *s = dup_n(val, n), **grown;
    int rc = 0;

    if (!s)
        return -ENOMEM;
    for (int a = 0; a < XB_REC_ACTIONS; a++)
        if (strcmp(key, action_keys[a]) == 0) {
            rc = xb_action_from_name(s, &r->act[a]) == 0 ? 0 : -EINVAL;
            *seen |= 1u << a;
        }
    if (strcmp(key, "name") == 0 && !r->name) {
        r->name = s;
        s = NULL;
    } else if (strcmp(key, "uuid") == 0) {
        rc = parse_uuid(s, r->uuid) ? 0 : -EINVAL;
        *seen |= 1u << 8;
    } else if (strcmp(key, "config-file") == 0 && !r->file) {
        r->file = s;
        s = NULL;
    } else if (strcmp(key, "override-dir") == 0 && !r->override_dir) {
        r->override_dir = s;
        s = NULL;
    } else if (strcmp(key, "strict") == 0) {
        r->strict = strcmp(s, "1") == 0;
    } else if (strcmp(key, "restarts") == 0) {
        sscanf(s, "%u %" SCNu64, &r->restarts, &r->last_restart);
    } else if (strcmp(key, "state") == 0) {
        r->kept = strcmp(s, "kept") == 0;
        r->suspended = strcmp(s, "suspended") == 0;
    } else if (strcmp(key, "old-domid") == 0) {
        r->old_domid = (uint32_t)strtoul(s, NULL, 10);
    } else if (strcmp(key, "override") == 0) {
        if (!(grown = realloc(r->overrides, (r->n_overrides + 1) * sizeof(*grown))))
            rc = -ENOMEM;
        else {
            r->overrides = grown;
            r->overrides[r->n_overrides++] = s;
            s = NULL;
        }
    } else if (strcmp(key, "config") == 0 && !r->config) {
        r->config = s;
        r->config_len = n;
        s = NULL;
    } /* another key: a later xbuild's, ignored */
    free(s);
    return rc;
}

/* The fields of @v (@len bytes) into @r; -EINVAL unless all are there. */
static int parse(const char *v, size_t len, struct xb_rec *r)
{
    const char *val;
    char key[32];
    size_t at = 0, n;
    unsigned seen = 0;
    int rc;

    while ((rc = next_field(v, len, &at, key, &val, &n)) == 1)
        if ((rc = take(r, key, val, n, &seen)) != 0)
            break;
    if (rc == 0 && (!r->name || !r->file || !r->override_dir || !r->config ||
                    seen != (((1u << XB_REC_ACTIONS) - 1) | (1u << 8))))
        rc = -EINVAL;
    return rc;
}

/* After MAGIC: 0 inline, N > 0 its parts; -EINVAL not a record of this format. */
static long parts_of(const char *v, size_t len, size_t *body)
{
    const char *nl = memchr(v, '\n', len);
    size_t m = strlen(MAGIC);
    long n;
    char *end;

    if (!nl || (size_t)(nl - v) < m || memcmp(v, MAGIC, m) != 0)
        return -EINVAL;
    *body = (size_t)(nl + 1 - v);
    if (nl == v + m)
        return 0;
    if (strncmp(v + m, " chunks ", 8) != 0)
        return -EINVAL;
    n = strtol(v + m + 8, &end, 10);
    return end == nl && n > 0 && n <= (long)MAX_PARTS ? n : -EINVAL;
}

char *xb__rec_name(const char *v, size_t len)
{
    struct xb_rec r = {0};
    const char *val;
    char key[32], *name = NULL;
    size_t at = 0, n;
    unsigned seen = 0;

    if (!v || parts_of(v, len, &at) < 0)
        return NULL;
    while (!name && next_field(v, len, &at, key, &val, &n) == 1)
        if (strcmp(key, "name") == 0 && take(&r, key, val, n, &seen) == 0) {
            name = r.name;
            r.name = NULL;
        }
    xb__rec_free(&r);
    return name;
}

int xb__rec_name_at(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                    char **name)
{
    char p[PATH_MAX_XS + 8], *v = NULL;
    size_t len = 0;
    int rc = xs->ops->read(xs, err, tx, base, &v, &len);

    *name = rc == 0 ? xb__rec_name(v, len) : NULL;
    free(v);
    if (rc || *name)
        return rc;
    snprintf(p, sizeof(p), "%s/name", base); /* an older xbuild's */
    return xs->ops->read(xs, err, tx, p, name, NULL);
}

/* ---- an older xbuild's record: a node per field ---- */

static int rd(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
              const char *key, char **val, size_t *len)
{
    char p[PATH_MAX_XS + 32];

    snprintf(p, sizeof(p), "%s/%s", base, key);
    *val = NULL;
    return xs->ops->read(xs, err, tx, p, val, len);
}

static int legacy_read(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                       const char *base, struct xb_rec *r)
{
    static const char *const keys[] = {
        "name",     "uuid",          "on_poweroff", "on_reboot",    "on_watchdog",
        "on_crash", "on_soft_reset", "config-file", "override-dir", "strict",
        "restarts", "state",         "old-domid"};
    unsigned seen = 0;
    char *v, key[32];
    size_t len;
    int rc = 0;

    for (size_t k = 0; rc == 0 && k < sizeof(keys) / sizeof(keys[0]); k++) {
        rc = rd(xs, err, tx, base, keys[k], &v, &len);
        if (rc == -ENOENT && k >= 10) /* restarts, state, old-domid: optional */
            rc = 0;
        else if (rc == 0)
            rc = take(r, keys[k], v, len, &seen);
        free(v);
    }
    for (unsigned i = 0; rc == 0 && i < 512; i++) { /* config/0, config/1, ... */
        snprintf(key, sizeof(key), "config/%u", i);
        if ((rc = rd(xs, err, tx, base, key, &v, &len)) != 0) {
            rc = rc == -ENOENT && i > 0 ? 0 : rc;
            break;
        }
        char *grown = realloc(r->config, r->config_len + len + 1);
        if (grown) {
            memcpy(grown + r->config_len, v, len);
            r->config_len += len;
            grown[r->config_len] = '\0';
            r->config = grown;
        }
        rc = grown ? 0 : -ENOMEM;
        free(v);
    }
    for (unsigned i = 0; rc == 0 && i < 256; i++) {
        snprintf(key, sizeof(key), "overrides/%u", i);
        if ((rc = rd(xs, err, tx, base, key, &v, &len)) != 0) {
            rc = rc == -ENOENT ? 0 : rc;
            break;
        }
        rc = take(r, "override", v, len, &seen);
        free(v);
    }
    return rc;
}

/* ---- reading, writing ---- */

static int read_parts(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                      long n, struct buf *b)
{
    char key[32], *v;
    size_t len;
    int rc = 0;

    for (long i = 0; rc == 0 && i < n; i++) {
        snprintf(key, sizeof(key), "part/%ld", i);
        rc = rd(xs, err, tx, base, key, &v, &len);
        if (rc == 0)
            put_bytes(b, v, len);
        free(v);
    }
    return rc ? rc : b->bad ? -ENOMEM : 0;
}

int xb__rec_read(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                 struct xb_rec *r)
{
    struct buf b = {0};
    char *v = NULL;
    size_t len = 0, body = 0;
    long n;
    int rc = xs->ops->read(xs, err, tx, base, &v, &len);

    *r = (struct xb_rec){0};
    if (rc == 0 && len == 0 && (rc = legacy_read(xs, err, tx, base, r)) == 0)
        r->legacy = true;
    else if (rc == 0 && (n = parts_of(v, len, &body)) < 0)
        rc = -EINVAL;
    else if (rc == 0 && n == 0)
        rc = parse(v + body, len - body, r);
    else if (rc == 0 && (rc = read_parts(xs, err, tx, base, n, &b)) == 0)
        rc = parse(b.p, b.len, r);
    free(v);
    free(b.p);
    if (rc == -EINVAL)
        rc = xb_err_set(err, rc, "monitor: %s: a damaged record", base);
    if (rc == -ENOMEM)
        rc = xb_err_set(err, rc, "monitor: out of memory");
    if (rc)
        xb__rec_free(r);
    return rc;
}

/* @r's node at @base (and its parts), with @tx; what was there removed first if @fresh.
 */
static int put_rec(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                   const struct xb_rec *r, bool restart_entry, bool fresh)
{
    struct buf b = {0}, head = {0};
    size_t n_parts, n = 0;
    struct xb_xs_op *op;
    char(*path)[PATH_MAX_XS + 16];
    int rc;

    put_bytes(&b, MAGIC "\n", strlen(MAGIC) + 1);
    encode(r, restart_entry, &b);
    n_parts = b.len <= NODE_MAX ? 0 : (b.len - strlen(MAGIC) - 1 + PART - 1) / PART;
    if (n_parts) {
        char line[64];

        put_bytes(&head, line,
                  (size_t)snprintf(line, sizeof(line), MAGIC " chunks %zu\n", n_parts));
        field_str(&head, "name", r->name);
    }
    op = calloc(n_parts + 3, sizeof(*op));
    path = calloc(n_parts + 1, sizeof(*path));
    rc = b.bad || head.bad || !op || !path ? -ENOMEM : 0;
    if (!rc && n_parts > MAX_PARTS)
        rc = xb_err_set(err, -E2BIG,
                        "monitor: a record of %zu bytes is more than xenstore "
                        "should keep",
                        b.len);
    if (!rc && (fresh || n_parts)) /* the old record, or the parts of one */
        op[n++] = (struct xb_xs_op){.kind = XB_XS_OP_RM, .path = base};
    for (size_t i = 0; !rc && i < n_parts; i++) {
        size_t off = strlen(MAGIC) + 1 + i * PART, len = b.len - off;

        snprintf(path[i], sizeof(path[i]), "%s/part/%zu", base, i);
        op[n++] = (struct xb_xs_op){.kind = XB_XS_OP_WRITE,
                                    .path = path[i],
                                    .val = b.p + off,
                                    .len = len < PART ? len : PART};
    }
    if (!rc)
        op[n++] = (struct xb_xs_op){.kind = XB_XS_OP_WRITE,
                                    .path = base,
                                    .val = n_parts ? head.p : b.p,
                                    .len = n_parts ? head.len : b.len};
    for (size_t i = 0; !rc && tx != XB_XS_NO_TX && i < n;
         i++) /* the caller's transaction */
        rc = op[i].kind == XB_XS_OP_RM
                 ? xb__xs_rm_missing_ok(xs, err, tx, op[i].path)
                 : xs->ops->write(xs, err, tx, op[i].path, op[i].val, op[i].len);
    if (!rc && tx == XB_XS_NO_TX)
        rc = xs->ops->batch(xs, err, false, op, n);
    if (rc == -ENOMEM)
        rc = xb_err_set(err, rc, "monitor: out of memory");
    free(op);
    free(path);
    free(b.p);
    free(head.p);
    return rc;
}

int xb__rec_write(struct xb_xs *xs, struct xb_err *err, const char *base,
                  const struct xb_rec *r, bool restart_entry)
{
    return put_rec(xs, err, XB_XS_NO_TX, base, r, restart_entry, true);
}

int xb__rec_set(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                const char *key, const char *val)
{
    struct xb_rec r;
    char p[PATH_MAX_XS + 32], *v = NULL, *s;
    size_t len = 0, body = 0;
    bool chunked;
    int rc = xs->ops->read(xs, err, tx, base, &v, &len);

    chunked = rc == 0 && len > 0 && parts_of(v, len, &body) > 0;
    free(v);
    if (rc)
        return rc;
    if (len == 0) { /* an older xbuild's: the field's own node */
        snprintf(p, sizeof(p), "%s/%s", base, key);
        return xs->ops->write(xs, err, tx, p, val, strlen(val));
    }
    if ((rc = xb__rec_read(xs, err, tx, base, &r)) != 0)
        return rc;
    if (strcmp(key, "name") == 0 && (s = strdup(val))) {
        free(r.name);
        r.name = s;
    } else if (strcmp(key, "state") == 0) {
        r.kept = strcmp(val, "kept") == 0;
        r.suspended = strcmp(val, "suspended") == 0;
    } else if (strcmp(key, "restarts") == 0) {
        sscanf(val, "%u %" SCNu64, &r.restarts, &r.last_restart);
    } else {
        rc = xb_err_set(err, -EINVAL, "monitor: %s: no field %s to set", base, key);
    }
    if (!rc)
        rc = put_rec(xs, err, tx, base, &r, false, chunked);
    xb__rec_free(&r);
    return rc;
}

struct set_job {
    const char *base, *key, *val;
};

static int set_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct set_job *j = arg;

    return xb__rec_set(xs, err, tx, j->base, j->key, j->val);
}

int xb__rec_set_now(struct xb_xs *xs, struct xb_err *err, const char *base,
                    const char *key, const char *val)
{
    const struct set_job j = {.base = base, .key = key, .val = val};

    return xb__xs_transaction(xs, err, set_body, &j, "change the monitor's record");
}
