/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_xs_pipe.c - the xen backend's pipelined xenstore batches
 * (lib/builder/hv/xs_pipe.c) against a small xenstored of the test's own on
 * a unix socket (XENSTORED_PATH): the wire format of each request, answers
 * matched to requests in order across windows, errors by name, transactions
 * (their id on every request, a conflict at commit, an abort after a failed
 * op). Built with Xen's headers only (have_xen), as xs_pipe.c's real part.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/io/xs_wire.h>

#include "builder/hv/xs_pipe.h"

#define TX_ID 7u

static int read_full(int fd, void *buf, size_t len)
{
    for (char *p = buf; len;) {
        ssize_t r = read(fd, p, len);

        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static void reply(int fd, const struct xsd_sockmsg *req, uint32_t type, const char *body,
                  size_t len)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = req->req_id, .tx_id = req->tx_id, .len = (uint32_t)len};

    if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
        write(fd, body, len) != (ssize_t)len)
        _exit(3);
}

static void error(int fd, const struct xsd_sockmsg *req, const char *name)
{
    reply(fd, req, XS_ERROR, name, strlen(name) + 1);
}

/*
 * The fake xenstored: one client; reads answer "v:PATH", /missing is
 * ENOENT, writes to /deny are EACCES, directories list "a" and "b"; a
 * request of a transaction must
 * carry TX_ID; the first commit is a conflict (EAGAIN), later ones pass;
 * a permission request must be "PATH\0r7\0n0\0".
 */
static void serve(int lfd)
{
    int fd = accept(lfd, NULL, NULL), commits = 0;
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1], out[XENSTORE_PAYLOAD_MAX + 8];

    while (fd >= 0 && read_full(fd, &h, sizeof(h)) == 0 &&
           h.len <= XENSTORE_PAYLOAD_MAX && read_full(fd, body, h.len) == 0) {
        body[h.len] = '\0';
        if (h.type != XS_TRANSACTION_START && h.tx_id != 0 && h.tx_id != TX_ID) {
            error(fd, &h, "EINVAL");
            continue;
        }
        switch (h.type) {
        case XS_TRANSACTION_START:
            reply(fd, &h, h.type, "7", 2);
            break;
        case XS_TRANSACTION_END:
            if (strcmp(body, "T") == 0 && commits++ == 0)
                error(fd, &h, "EAGAIN");
            else
                reply(fd, &h, h.type, "OK", 3);
            break;
        case XS_READ:
            if (strcmp(body, "/missing") == 0) {
                error(fd, &h, "ENOENT");
                break;
            }
            snprintf(out, sizeof(out), "v:%s", body);
            reply(fd, &h, h.type, out, strlen(out));
            break;
        case XS_DIRECTORY:
            reply(fd, &h, h.type, "a\0b\0", 4);
            break;
        case XS_WRITE:
            if (strcmp(body, "/deny") == 0)
                error(fd, &h, "EACCES");
            else
                reply(fd, &h, h.type, "OK", 3);
            break;
        case XS_SET_PERMS:
            if (h.len != 9 || memcmp(body, "/p\0r7\0n0\0", 9) != 0)
                error(fd, &h, "EINVAL");
            else
                reply(fd, &h, h.type, "OK", 3);
            break;
        default:
            reply(fd, &h, h.type, "OK", 3);
        }
    }
    _exit(0);
}

static char sock_path[64];

static pid_t start_server(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    pid_t pid;

    snprintf(sock_path, sizeof(sock_path), "/tmp/xb-xs-pipe.%d", (int)getpid());
    unlink(sock_path);
    strcpy(a.sun_path, sock_path);
    assert_true(lfd >= 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        serve(lfd);
    close(lfd);
    setenv("XENSTORED_PATH", sock_path, 1);
    return pid;
}

static void stop_server(pid_t pid, struct xb_xs_pipe *p)
{
    int st = 0;

    xb__xs_pipe_close(p); /* EOF: the server exits */
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    unlink(sock_path);
}

/* 150 reads and writes (three windows): each answer is its own request's. */
static void answers_in_order(void **state)
{
    enum { N = 150 };
    static struct xb_xs_op op[N];
    static char path[N][32];
    const struct xb_xs_perm perm[2] = {{.domid = 7, .perms = XB_XS_PERM_READ},
                                       {.domid = 0}};
    struct xb_err err = {0};
    pid_t pid = start_server();
    struct xb_xs_pipe *p = NULL;

    (void)state;
    assert_int_equal(xb__xs_pipe_open(&p), 0);
    for (int i = 0; i < N; i++) {
        snprintf(path[i], sizeof(path[i]), i == 77 ? "/missing" : "/n/%d", i);
        op[i] = (struct xb_xs_op){.kind = i % 3 ? XB_XS_OP_READ : XB_XS_OP_WRITE,
                                  .path = path[i],
                                  .val = "x",
                                  .len = 1};
    }
    op[90] = (struct xb_xs_op){
        .kind = XB_XS_OP_PERMS, .path = "/p", .perms = perm, .n_perms = 2};
    assert_int_equal(xb__xs_pipe_batch(p, &err, false, op, N), 0);
    assert_string_equal(err.msg, "");
    for (int i = 0; i < N; i++) {
        char want[40];

        if (i == 77) {
            assert_int_equal(op[i].rc, -ENOENT);
            continue;
        }
        assert_int_equal(op[i].rc, 0);
        if (op[i].kind != XB_XS_OP_READ)
            continue;
        snprintf(want, sizeof(want), "v:%s", path[i]);
        assert_string_equal(op[i].out, want);
        free(op[i].out);
    }
    stop_server(pid, p);
}

/* Own transactions: the id on every request, a conflict, a failed op. */
static void transactions(void **state)
{
    struct xb_xs_op op[2] = {{.kind = XB_XS_OP_WRITE, .path = "/a", .val = "1", .len = 1},
                             {.kind = XB_XS_OP_MKDIR, .path = "/b"}};
    struct xb_xs_op deny[2] = {
        {.kind = XB_XS_OP_WRITE, .path = "/deny", .val = "", .len = 0},
        {.kind = XB_XS_OP_WRITE, .path = "/c", .val = "", .len = 0}};
    struct xb_err err = {0};
    pid_t pid = start_server();
    struct xb_xs_pipe *p = NULL;

    (void)state;
    assert_int_equal(xb__xs_pipe_open(&p), 0);
    /* the first commit conflicts: -EAGAIN, not recorded; the second passes */
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, op, 2), -EAGAIN);
    assert_string_equal(err.msg, "");
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, op, 2), 0);
    assert_int_equal(op[0].rc, 0);
    assert_int_equal(op[1].rc, 0);
    /* a refused op: the transaction is aborted, its error named */
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, deny, 2), -EACCES);
    assert_non_null(strstr(err.msg, "write /deny"));
    assert_int_equal(deny[1].rc, 0);
    stop_server(pid, p);
}

/* DIRECTORY's names, NUL after each; a transaction's expectations checked before its
 * commit. */
static void directories_and_expectations(void **state)
{
    struct xb_xs_op list = {.kind = XB_XS_OP_DIRECTORY, .path = "/d"};
    struct xb_xs_op t[2] = {{.kind = XB_XS_OP_DIRECTORY,
                             .path = "/d",
                             .expect = true,
                             .val = "a\0b\0",
                             .len = 4},
                            {.kind = XB_XS_OP_RM, .path = "/d/a"}};
    struct xb_err err = {0};
    pid_t pid = start_server();
    struct xb_xs_pipe *p = NULL;

    (void)state;
    assert_int_equal(xb__xs_pipe_open(&p), 0);
    assert_int_equal(xb__xs_pipe_batch(p, &err, false, &list, 1), 0);
    assert_int_equal(list.out_len, 4);
    assert_memory_equal(list.out, "a\0b\0", 4);
    free(list.out);
    /* as expected: committed (after the fake's one conflict) */
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, t, 2), -EAGAIN);
    free(t[0].out);
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, t, 2), 0);
    free(t[0].out);
    /* not as expected: -ESTALE, not recorded, the transaction aborted */
    t[0].len = 2;
    assert_int_equal(xb__xs_pipe_batch(p, &err, true, t, 2), -ESTALE);
    assert_int_equal(t[0].rc, -ESTALE);
    assert_string_equal(err.msg, "");
    free(t[0].out);
    stop_server(pid, p);
}

/* No xenstored to connect to: -ENOENT (the backend goes one op at a time). */
static void no_socket(void **state)
{
    struct xb_xs_pipe *p = (struct xb_xs_pipe *)&p;

    (void)state;
    setenv("XENSTORED_PATH", "/nonexistent/xenstored/socket", 1);
    assert_int_equal(xb__xs_pipe_open(&p), -ENOENT);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_in_order),
        cmocka_unit_test(transactions),
        cmocka_unit_test(directories_and_expectations),
        cmocka_unit_test(no_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
