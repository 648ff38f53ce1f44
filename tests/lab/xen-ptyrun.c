/* SPDX-License-Identifier: MIT */
/*
 * xen-ptyrun PATTERN CMD [ARGS...] - run CMD on a fresh pseudo-terminal (as
 * a user at a terminal would), wait until its output contains PATTERN, check
 * that CMD put the terminal in raw mode, type Ctrl-] and check that CMD
 * exits 0 within 5 s with the terminal's settings restored. For the lab test
 * of `xbuild console`'s interactive mode. Exit 0 when all holds, 1 if not.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WAIT_OUTPUT_S 120
#define WAIT_EXIT_MS  5000

static int fail(const char *what)
{
    printf("xen-ptyrun: FAIL: %s\n", what);
    return 1;
}

static int open_master(char **slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);

    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || !(*slave = ptsname(m)))
        return -1;
    return m;
}

static void run_child(const char *slave, char **argv)
{
    int s;

    setsid();
    s = open(slave, O_RDWR);
    if (s < 0)
        _exit(126);
    ioctl(s, TIOCSCTTY, 0);
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    if (s > 2)
        close(s);
    execvp(argv[0], argv);
    _exit(127);
}

/* Read the child's output until @pattern shows up; echo it to stdout. */
static bool wait_pattern(int m, const char *pattern)
{
    static char seen[1 << 16];
    size_t have = 0;
    time_t end = time(NULL) + WAIT_OUTPUT_S;

    while (time(NULL) < end) {
        struct pollfd p = {.fd = m, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, 1000) <= 0)
            continue;
        n = read(m, seen + have, sizeof(seen) - 1 - have);
        if (n <= 0)
            return false;
        fwrite(seen + have, 1, (size_t)n, stdout);
        have += (size_t)n;
        seen[have] = '\0';
        if (strstr(seen, pattern))
            return true;
        if (have > sizeof(seen) / 2) { /* keep the tail */
            memmove(seen, seen + have - 4096, 4096);
            have = 4096;
        }
    }
    return false;
}

/* Wait for @pid, draining the pty; its exit status or -1 on timeout. */
static int wait_exit(pid_t pid, int m)
{
    char buf[4096];
    int status;

    for (int ms = 0; ms < WAIT_EXIT_MS; ms += 50) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        while (read(m, buf, sizeof(buf)) > 0)
            ;
        usleep(50 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

int main(int argc, char **argv)
{
    struct termios t;
    char *slave = NULL;
    int m, rc;
    pid_t pid;

    if (argc < 3) {
        fprintf(stderr, "usage: xen-ptyrun PATTERN CMD [ARGS...]\n");
        return 2;
    }
    m = open_master(&slave);
    if (m < 0)
        return fail("no pseudo-terminal");
    pid = fork();
    if (pid == 0)
        run_child(slave, argv + 2);
    if (pid < 0)
        return fail("fork");
    fcntl(m, F_SETFL, O_NONBLOCK);
    if (!wait_pattern(m, argv[1]))
        return fail("pattern not seen");
    printf("\nxen-ptyrun: saw \"%s\"\n", argv[1]);
    if (tcgetattr(m, &t) != 0 || (t.c_lflag & (ICANON | ECHO)))
        return fail("the terminal is not in raw mode while attached");
    printf("xen-ptyrun: terminal in raw mode\n");
    if (write(m, "\x1d", 1) != 1)
        return fail("cannot type Ctrl-]");
    rc = wait_exit(pid, m);
    if (rc != 0) {
        printf("xen-ptyrun: exit status %d\n", rc);
        return fail("Ctrl-] did not detach (exit 0 within 5 s)");
    }
    if (tcgetattr(m, &t) != 0 || !(t.c_lflag & ICANON) || !(t.c_lflag & ECHO))
        return fail("terminal settings not restored after detach");
    printf("xen-ptyrun: detached with Ctrl-], exit 0, terminal restored\n");
    return 0;
}
