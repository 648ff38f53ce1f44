/* SPDX-License-Identifier: MIT */
/*
 * xb-rsh - the lab's stand-in for ssh (the lab has none), for `xbuild
 * migrate -s xb-rsh` and for scenarios that drive the other host:
 *
 *   xb-rsh -l [ADDR:]PORT      serve: for each connection, read one command
 *                              line, run it with /bin/sh -c, its stdin from
 *                              the connection, its stdout and stderr back
 *   xb-rsh HOST COMMAND...     run COMMAND on HOST (an IPv4 address; port
 *                              XB_RSH_PORT, default 5022) as ssh does: stdin
 *                              goes there, its stdout and stderr come back on
 *                              ours, its exit status is ours (255 when the
 *                              link fails)
 *
 * Towards the client everything is framed (a channel byte: 1 stdout,
 * 2 stderr, 3 exit status; a 16-bit length; the bytes), so that a
 * command's stderr never mixes into a binary stdout. The client's end of
 * stdin is a shutdown of its half of the connection; a client killed in the
 * middle closes the connection, and the command sees the end of its stdin
 * and a broken stdout: what a migration's transport dying looks like.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PORT "5022"
#define HOST_MAX     64
#define LINE_MAX_LEN 8192
#define CHUNK        16384
#define DRAIN_MS     5000

static int die(const char *what)
{
    fprintf(stderr, "xb-rsh: %s: %s\n", what, strerror(errno));
    return 255;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int frame(int sock, uint8_t chan, const void *buf, size_t len)
{
    uint8_t hdr[3] = {chan, (uint8_t)(len >> 8), (uint8_t)len};

    return write_all(sock, hdr, 3) || write_all(sock, buf, len) ? -1 : 0;
}

/* ---- the server ---- */

/* Relay: socket -> the command's stdin; its stdout and stderr -> frames. */
static int relay_child(int sock, int in, int out, int err)
{
    struct pollfd p[3] = {{sock, POLLIN, 0}, {out, POLLIN, 0}, {err, POLLIN, 0}};
    uint8_t buf[CHUNK < 65535 ? CHUNK : 65535];

    while (p[1].fd >= 0 || p[2].fd >= 0) {
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            return -1;
        for (int i = 0; i < 3; i++) {
            ssize_t n;
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(p[i].fd, buf, sizeof(buf));
            if (n <= 0 && i == 0) { /* the client is done sending, or gone */
                close(in);
                in = -1;
                p[0].fd = -1;
                if (n < 0 || (p[0].revents & POLLERR))
                    return -1;
            } else if (n <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
            } else if (i == 0 ? write_all(in, buf, (size_t)n) && errno != EPIPE
                              : frame(sock, (uint8_t)i, buf, (size_t)n)) {
                return -1; /* the client went away: the command loses its ends */
            }
        }
    }
    if (in >= 0)
        close(in);
    return 0;
}

/*
 * Done: read what the client still sends until it closes (bounded), so that
 * closing does not reset the connection, which can drop the frames it has
 * not read yet (a command's last words on stderr, its exit status).
 */
static void drain(int sock)
{
    struct pollfd p = {sock, POLLIN, 0};
    uint8_t buf[CHUNK];

    shutdown(sock, SHUT_WR);
    while (poll(&p, 1, DRAIN_MS) > 0 && read(sock, buf, sizeof(buf)) > 0)
        ;
}

static void serve(int sock)
{
    char cmd[LINE_MAX_LEN];
    int in[2], out[2], err[2], status = 0;
    size_t n = 0;
    pid_t pid;

    while (n + 1 < sizeof(cmd) && read_all(sock, &cmd[n], 1) == 0 && cmd[n] != '\n')
        n++;
    if (n + 1 >= sizeof(cmd) || cmd[n] != '\n')
        _exit(1);
    cmd[n] = '\0';
    if (pipe(in) || pipe(out) || pipe(err))
        _exit(1);
    pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (relay_child(sock, in[1], out[0], err[0]) != 0) {
        close(out[0]);
        close(err[0]);
    }
    waitpid(pid, &status, 0);
    uint8_t code = WIFEXITED(status) ? (uint8_t)WEXITSTATUS(status) : 255;
    frame(sock, 3, &code, 1);
    drain(sock);
    _exit(0);
}

static int listen_on(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    a.sin_port = htons((uint16_t)atoi(colon ? colon + 1 : spec));
    if (colon) {
        char host[HOST_MAX];
        snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
        if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
            return fprintf(stderr, "xb-rsh: %s: not an IPv4 address\n", host), 2;
    }
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8))
        return die("listen");
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0 && errno == EINTR)
            continue;
        if (c < 0)
            return die("accept");
        if (fork() == 0) {
            close(s);
            signal(SIGCHLD, SIG_DFL);
            serve(c);
        }
        close(c);
    }
}

/* ---- the client ---- */

/* The lab has addresses, no names: HOST is an IPv4 address. */
static int connect_to(const char *host)
{
    const char *port = getenv("XB_RSH_PORT");
    struct sockaddr_in a = {.sin_family = AF_INET};
    int s;

    a.sin_port = htons((uint16_t)atoi(port && *port ? port : DEFAULT_PORT));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "xb-rsh: %s: not an IPv4 address\n", host);
        return -1;
    }
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
        fprintf(stderr, "xb-rsh: %s: connect: %s\n", host, strerror(errno));
        close(s);
        s = -1;
    }
    return s;
}

/* One frame from the server: stdout, stderr, or the exit status. */
static int take_frame(int sock, int *status)
{
    uint8_t hdr[3], buf[65535];
    size_t len;

    if (read_all(sock, hdr, 3) != 0)
        return -1;
    len = (size_t)hdr[1] << 8 | hdr[2];
    if (read_all(sock, buf, len) != 0)
        return -1;
    if (hdr[0] == 3 && len == 1) {
        *status = buf[0];
        return 1;
    }
    return write_all(hdr[0] == 2 ? 2 : 1, buf, len) == 0 || errno == EPIPE ? 0 : -1;
}

static int run(const char *host, int argc, char **argv)
{
    char cmd[LINE_MAX_LEN];
    size_t n = 0;
    int sock = connect_to(host), status = 255;
    struct pollfd p[2] = {{0, POLLIN, 0}, {sock, POLLIN, 0}};
    uint8_t buf[CHUNK];

    if (sock < 0)
        return 255;
    for (int i = 0; i < argc; i++)
        n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
    if (n + 1 >= sizeof(cmd) || (cmd[n++] = '\n', write_all(sock, cmd, n)))
        return fprintf(stderr, "xb-rsh: the command is too long\n"), 255;
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return die("poll");
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            int rc = take_frame(sock, &status);
            if (rc)
                return rc > 0 ? status : 255;
        }
        if (p[0].fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = read(0, buf, sizeof(buf));
            if (got <= 0) { /* our stdin is done: so is theirs */
                shutdown(sock, SHUT_WR);
                p[0].fd = -1;
            } else if (write_all(sock, buf, (size_t)got)) {
                close(0); /* they stopped reading: so do we, and take what they said */
                p[0].fd = -1;
            }
        }
    }
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "-l") == 0)
        return listen_on(argv[2]);
    if (argc < 3) {
        fprintf(stderr, "usage: xb-rsh -l [ADDR:]PORT | xb-rsh HOST COMMAND...\n");
        return 2;
    }
    return run(argv[1], argc - 2, argv + 2);
}
