/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xs_pipe.c - xs.h's batch op on real xenstored, pipelined:
 * the requests of a batch are written at once on a connection of our own
 * to xenstored's socket (xenstore's wire protocol, xen/io/xs_wire.h), then
 * the answers are read, in order. libxenstore waits for each answer before
 * it sends the next request: in a dom0 every wait is two context switches
 * and a few system calls, most of a create's xenstore time. The connection
 * is opened at the first batch; the xen backend falls back to one op after
 * the other when xenstored has no socket (xenstored in a stub domain).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xs_batch.h"
#include "xs_pipe.h"

#ifdef XB_HAVE_XEN

#include <xen/io/xs_wire.h>

#define PIPE_WINDOW 64 /* requests in flight at most */
#define PIPE_BUF    (PIPE_WINDOW * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))

struct xb_xs_pipe {
    int fd;
    uint32_t req_id;
    char *out;      /* PIPE_BUF: the requests of one window */
    char in[16384]; /* what was read, not parsed yet: in[in_off, in_len) */
    size_t in_off, in_len;
    bool broken; /* a read or write failed: what it holds is not to be trusted */
};

static const char *const default_sockets[] = {"/var/run/xenstored/socket",
                                              "/run/xenstored/socket"};

static int try_connect(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(a.sun_path))
        return -1;
    strcpy(a.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int xb__xs_pipe_open(struct xb_xs_pipe **out)
{
    const char *env = getenv("XENSTORED_PATH"); /* as libxenstore */
    struct xb_xs_pipe *p;
    int fd = env ? try_connect(env) : -1;

    for (size_t i = 0; !env && fd < 0 && i < 2; i++)
        fd = try_connect(default_sockets[i]);
    *out = NULL;
    if (fd < 0)
        return -ENOENT;
    p = calloc(1, sizeof(*p));
    if (p)
        p->out = malloc(PIPE_BUF);
    if (!p || !p->out) {
        if (p)
            free(p);
        close(fd);
        return -ENOMEM;
    }
    p->fd = fd;
    *out = p;
    return 0;
}

void xb__xs_pipe_close(struct xb_xs_pipe *p)
{
    if (!p)
        return;
    close(p->fd);
    free(p->out);
    free(p);
}

/* ---- one message ---- */

struct msg {
    uint32_t type;
    char *body; /* malloc'd, NUL-terminated */
    uint32_t len;
};

static int write_all(struct xb_xs_pipe *p, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(p->fd, buf, len);

        if (w < 0 && errno == EINTR)
            continue;
        p->broken = w <= 0;
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

static int read_exact(struct xb_xs_pipe *p, void *dst, size_t len)
{
    char *d = dst;

    while (len) {
        size_t have = p->in_len - p->in_off, n = have < len ? have : len;
        ssize_t r;

        if (n) {
            memcpy(d, p->in + p->in_off, n);
            p->in_off += n;
            d += n;
            len -= n;
            continue;
        }
        r = read(p->fd, p->in, sizeof(p->in));
        if (r < 0 && errno == EINTR)
            continue;
        p->broken = r <= 0;
        if (r <= 0)
            return r < 0 ? -errno : -EPIPE;
        p->in_off = 0;
        p->in_len = (size_t)r;
    }
    return 0;
}

static int read_msg(struct xb_xs_pipe *p, uint32_t req_id, struct msg *m)
{
    struct xsd_sockmsg h;
    int rc = read_exact(p, &h, sizeof(h));

    if (!rc && (h.len > XENSTORE_PAYLOAD_MAX || h.req_id != req_id)) {
        rc = -EPROTO; /* not the answer to our request: the connection is lost */
        p->broken = true;
    }
    if (!rc && !(m->body = malloc(h.len + 1u)))
        rc = -ENOMEM;
    if (!rc)
        rc = read_exact(p, m->body, h.len);
    if (rc)
        return rc;
    m->body[h.len] = '\0';
    m->type = h.type;
    m->len = h.len;
    return 0;
}

/* xenstored's error name as a negative errno. */
static int wire_errno(const char *name)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(xsd_errors[i].errstring, name) == 0)
            return -xsd_errors[i].errnum;
    return -EIO;
}

/* Append one request to @buf at *@at; -E2BIG when its payload is too long. */
static int put(struct xb_xs_pipe *p, char *buf, size_t *at, uint32_t type, uint32_t tx,
               const char *a, size_t alen, const char *b, size_t blen)
{
    struct xsd_sockmsg h = {.type = type, .req_id = ++p->req_id, .tx_id = tx};

    if (alen + blen > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    h.len = (uint32_t)(alen + blen);
    memcpy(buf + *at, &h, sizeof(h));
    memcpy(buf + *at + sizeof(h), a, alen);
    if (blen)
        memcpy(buf + *at + sizeof(h) + alen, b, blen);
    *at += sizeof(h) + alen + blen;
    return 0;
}

static int put_op(struct xb_xs_pipe *p, char *buf, size_t *at, uint32_t tx,
                  const struct xb_xs_op *o)
{
    static const uint32_t types[] = {
        [XB_XS_OP_WRITE] = XS_WRITE, [XB_XS_OP_MKDIR] = XS_MKDIR,
        [XB_XS_OP_RM] = XS_RM,       [XB_XS_OP_PERMS] = XS_SET_PERMS,
        [XB_XS_OP_READ] = XS_READ,   [XB_XS_OP_DIRECTORY] = XS_DIRECTORY};
    size_t plen = strlen(o->path) + 1;
    char perms[8 * 12];
    size_t n = 0;

    if (o->kind == XB_XS_OP_WRITE)
        return put(p, buf, at, XS_WRITE, tx, o->path, plen, o->val, o->len);
    if (o->kind != XB_XS_OP_PERMS)
        return put(p, buf, at, types[o->kind], tx, o->path, plen, NULL, 0);
    if (o->n_perms > 8)
        return -EINVAL;
    for (size_t i = 0; i < o->n_perms; i++) { /* "r3", "w0", "b7", "n0", NUL after each */
        unsigned bits = o->perms[i].perms & (XB_XS_PERM_READ | XB_XS_PERM_WRITE);

        n += (size_t)snprintf(perms + n, sizeof(perms) - n, "%c%u", "nrwb"[bits],
                              (unsigned)o -> perms[i].domid) +
             1;
    }
    return put(p, buf, at, XS_SET_PERMS, tx, o->path, plen, perms, n);
}

/* The answer to @o: its rc, its value (READ, DIRECTORY); the message of a failure in
 * @err. */
static void take(struct xb_err *err, struct xb_xs_op *o, struct msg *m)
{
    static const char *const verbs[] = {"write", "mkdir", "rm", "set permissions of",
                                        "read",  "list"};

    o->rc = m->type == XS_ERROR ? wire_errno(m->body) : 0;
    if (o->rc == 0 && (o->kind == XB_XS_OP_READ || o->kind == XB_XS_OP_DIRECTORY)) {
        o->out = m->body;
        o->out_len = m->len;
        m->body = NULL;
    }
    if (!xb__xs_op_answered(o))
        xb_err_set(err, o->rc, "xenstore: %s %s: %s", verbs[o->kind], o->path,
                   strerror(-o->rc));
    free(m->body);
}

/* One request that must be answered before the next is sent (transactions). */
static int call(struct xb_xs_pipe *p, uint32_t type, uint32_t tx, const char *arg,
                struct msg *m)
{
    size_t at = 0;
    int rc = put(p, p->out, &at, type, tx, arg, strlen(arg) + 1, NULL, 0);

    if (!rc)
        rc = write_all(p, p->out, at);
    if (!rc)
        rc = read_msg(p, p->req_id, m);
    if (!rc && m->type == XS_ERROR) {
        rc = wire_errno(m->body);
        free(m->body);
    }
    return rc;
}

/* The ops, a window of them at a time; -errno of the connection, else 0. */
static int run_ops(struct xb_xs_pipe *p, struct xb_err *err, uint32_t tx,
                   struct xb_xs_op *ops, size_t n)
{
    for (size_t done = 0; done < n;) {
        size_t at = 0, k = 0;
        uint32_t first_id = p->req_id + 1;
        int rc = 0;

        for (; done + k < n && k < PIPE_WINDOW; k++) {
            ops[done + k].out = NULL;
            ops[done + k].out_len = 0;
            rc = put_op(p, p->out, &at, tx, &ops[done + k]);
            if (rc)
                return xb_err_set(err, rc, "xenstore: %s: a request too long",
                                  ops[done + k].path);
        }
        rc = write_all(p, p->out, at);
        for (size_t i = 0; !rc && i < k; i++) {
            struct msg m = {0};

            rc = read_msg(p, first_id + (uint32_t)i, &m);
            if (!rc)
                take(err, &ops[done + i], &m);
        }
        if (rc)
            return xb_err_set(err, rc, "xenstore: the connection to xenstored: %s",
                              strerror(-rc));
        done += k;
    }
    return 0;
}

int xb__xs_pipe_batch(struct xb_xs_pipe *p, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n)
{
    struct msg m = {0};
    uint32_t tx = 0;
    int rc = p->broken ? -EPIPE : 0, first = 0;

    if (!rc && own_tx)
        rc = call(p, XS_TRANSACTION_START, 0, "", &m);
    if (rc)
        return xb_err_set(err, rc, "xenstore: transaction_start: %s", strerror(-rc));
    if (own_tx) {
        tx = (uint32_t)strtoul(m.body, NULL, 10);
        free(m.body);
    }
    rc = run_ops(p, err, tx, ops, n);
    for (size_t i = 0; !rc && i < n; i++) /* every expectation, before the commit */
        if ((xb__xs_op_expect(&ops[i]) || !xb__xs_op_answered(&ops[i])) && !first)
            first = ops[i].rc;
    if (rc || !own_tx)
        return rc ? rc : first;
    rc = call(p, XS_TRANSACTION_END, tx, first ? "F" : "T", &m);
    if (rc == 0)
        free(m.body);
    if (first)
        return first;
    if (rc && rc != -EAGAIN) /* -EAGAIN: a conflict, not an error */
        return xb_err_set(err, rc, "xenstore: transaction_end: %s", strerror(-rc));
    return rc;
}

#else /* !XB_HAVE_XEN */

int xb__xs_pipe_open(struct xb_xs_pipe **out)
{
    *out = NULL;
    return -ENOSYS;
}

void xb__xs_pipe_close(struct xb_xs_pipe *p)
{
    (void)p;
}

int xb__xs_pipe_batch(struct xb_xs_pipe *p, struct xb_err *err, bool own_tx,
                      struct xb_xs_op *ops, size_t n)
{
    (void)p, (void)own_tx, (void)ops, (void)n;
    return xb_err_set(err, -ENOSYS, "xenstore: built without Xen's headers");
}

#endif
