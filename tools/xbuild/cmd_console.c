/* SPDX-License-Identifier: MIT */
/*
 * xbuild console [-n N] DOMAIN - attach to a domain's console, served by
 * xenconsoled on a pty. On a terminal: raw mode, Ctrl-] detaches. Without
 * one: the output is streamed to stdout until the domain is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <xbuild/builder.h>

#include "cli.h"

#define CONSOLE_WAIT_MS   10000 /* for xenconsoled to publish the pty */
#define RELAY_POLL_MS     250
#define SHUTDOWN_GRACE_MS 3000 /* stream this long after a shutdown nobody cleans up */
#define DETACH_CHAR       0x1d /* Ctrl-] */

int cli_console_open(struct xb_ctx *ctx, uint32_t domid, int *fd)
{
    char *tty = NULL;

    *fd = -1;
    if (xb_console_tty(ctx, domid, CONSOLE_WAIT_MS, &tty) != 0) {
        cli_error("console: %s", xb_errmsg(ctx));
        return 1;
    }
    *fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (*fd < 0) {
        cli_error("console: domain %u: cannot open %s: %s", domid, tty, strerror(errno));
        free(tty);
        return 1;
    }
    free(tty);
    return 0;
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);

        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return false;
        buf += w;
        len -= (size_t)w;
    }
    return true;
}

/* Domain @domid's state bits; false when it is gone. */
static bool dom_state(struct xb_ctx *ctx, uint32_t domid, unsigned *state)
{
    struct xb_dominfo *v = NULL;
    size_t n = 0;
    bool found = false;

    if (xb_domain_list(ctx, &v, &n) != 0)
        return true; /* cannot tell: keep relaying */
    for (size_t i = 0; i < n && !found; i++) {
        if (v[i].domid == domid) {
            *state = v[i].state;
            found = true;
        }
    }
    free(v);
    return found;
}

struct relay {
    struct xb_ctx *ctx;
    uint32_t domid;
    int fd;
    bool interactive;
    unsigned idle_down_ms; /* time spent shut down with no output */
};

/* Guest -> stdout. Returns false at the end of the console. */
static bool pump_out(struct relay *r)
{
    char buf[4096];
    ssize_t n = read(r->fd, buf, sizeof(buf));

    if (n > 0) {
        r->idle_down_ms = 0;
        return write_all(STDOUT_FILENO, buf, (size_t)n);
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

/* Keyboard -> guest. Returns false when the user detaches. */
static bool pump_in(struct relay *r)
{
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    char *detach;

    if (n <= 0)
        return n < 0 && errno == EINTR;
    detach = memchr(buf, DETACH_CHAR, (size_t)n);
    if (detach) {
        write_all(r->fd, buf, (size_t)(detach - buf));
        return false;
    }
    return write_all(r->fd, buf, (size_t)n);
}

/* Nothing happened for a while: is there still a console to relay? */
static bool still_there(struct relay *r)
{
    unsigned state = 0;

    if (!dom_state(r->ctx, r->domid, &state))
        return false;
    if (!(state & (XB_DOM_SHUTDOWN | XB_DOM_CRASHED))) {
        r->idle_down_ms = 0;
        return true;
    }
    r->idle_down_ms += RELAY_POLL_MS;
    return r->idle_down_ms < SHUTDOWN_GRACE_MS;
}

static void relay_loop(struct relay *r)
{
    struct pollfd p[2] = {
        {.fd = r->fd, .events = POLLIN},
        {.fd = STDIN_FILENO, .events = POLLIN},
    };
    int n;

    for (;;) {
        n = poll(p, r->interactive ? 2 : 1, RELAY_POLL_MS);
        if (n < 0 && errno != EINTR)
            return;
        if (n <= 0) {
            if (!still_there(r))
                return;
            continue;
        }
        if ((p[0].revents & POLLIN) && !pump_out(r))
            return;
        if (!(p[0].revents & POLLIN) && (p[0].revents & (POLLHUP | POLLERR)))
            return; /* xenconsoled closed the pty: the domain is gone */
        if (r->interactive && (p[1].revents & (POLLIN | POLLHUP)) && !pump_in(r))
            return;
    }
}

int cli_console_relay(struct xb_ctx *ctx, uint32_t domid, int fd)
{
    struct relay r = {
        .ctx = ctx, .domid = domid, .fd = fd, .interactive = isatty(STDIN_FILENO)};
    struct termios saved, raw;

    if (r.interactive && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    } else {
        r.interactive = false;
    }
    relay_loop(&r);
    if (r.interactive) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fputc('\n', stdout);
    }
    fflush(stdout);
    close(fd);
    return 0;
}

struct console_opts {
    const char *num; /* -n N */
};

static const struct cli_opt console_options[] = {
    {.short_name = 'n',
     .arg = "N",
     .off = offsetof(struct console_opts, num),
     .help = "the console: 0, the primary one (all a PV domain has)"},
};

/* -n N: a console number, or -1. */
static int console_num(const char *s)
{
    char *end;
    long n;

    if (!s)
        return 0;
    n = strtol(s, &end, 10);
    return *s >= '0' && *s <= '9' && !*end && n <= 1024 ? (int)n : -1;
}

static int cmd_console(int argc, char **argv)
{
    struct console_opts o = {0};
    struct cli_args args;
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    uint32_t domid;
    int num, fd, status = cli_parse(&cli_cmd_console, argc, argv, &o, &args);

    if (status != CLI_CONTINUE)
        return status;
    num = console_num(o.num);
    if (num < 0)
        return cli_usage_error(&cli_cmd_console,
                               "-n: expected a console number, got \"%s\"", o.num);
    if (args.n != 1)
        return cli_usage_error(&cli_cmd_console,
                               args.n ? "one DOMAIN at a time" : "no DOMAIN given");
    if (num != 0) {
        cli_error("console: -n %d: only the primary console (0) exists for PV domains",
                  num);
        return 1;
    }
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("console: %s", err.msg);
        return 1;
    }
    status = 1;
    if (xb_domain_find(ctx, args.v[0], &domid) != 0)
        cli_error("console: %s", xb_errmsg(ctx));
    else if (cli_console_open(ctx, domid, &fd) == 0)
        status = cli_console_relay(ctx, domid, fd);
    xb_ctx_close(ctx);
    return status;
}

const struct cli_cmd cli_cmd_console = {
    .name = "console",
    .run = cmd_console,
    .operands = "DOMAIN",
    .summary = "attach to a domain's console (Ctrl-] detaches)",
    .opts = console_options,
    .n_opts = sizeof(console_options) / sizeof(console_options[0]),
};
