/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/devices/bootloader.c - run the bootloader (pygrub) as libxl
 * does (libxl_bootloader.c), before anything of the domain exists:
 *
 *   BOOTLOADER [--kernel=K] [--ramdisk=R] [--args=CMDLINE]
 *              --output=DIR/out --output-format=simple0 --output-directory=DIR
 *              [bootloader_args...] DISK
 *
 * DISK is the first disk's file or device. A name ("pygrub") is looked up
 * in Xen's private bindir first, then in $PATH. Its terminal is a pty (a
 * menu, as pygrub's curses one, needs it; nobody types: the menu's default
 * entry is taken after its timeout), TERM=vt100, its stderr kept for the
 * message if it fails. The answer in DIR/out is NUL-separated items
 * "kernel PATH", "ramdisk PATH", "args CMDLINE"; the files must be in DIR.
 * A bootloader that takes longer than the bound is killed (its process
 * group). DIR and everything in it is removed by xb__boot_clean().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"

#ifndef XB_XEN_BINDIR
#define XB_XEN_BINDIR "/usr/lib/xen-4.17/bin"
#endif
#define LIB_DIR     "/var/lib/xen" /* where Debian's libxl makes its bootloader's */
#define RUN_DIR     "/var/run/xen"
#define OUT_MAX     (64 * 1024) /* its answer: three short items */
#define STDERR_KEEP 2048
#define MAX_ARGS    64

extern char **environ;

struct child {
    pid_t pid;
    int pty; /* master */
    int err; /* read end of its stderr */
    char tail[STDERR_KEEP];
    size_t tail_len;
};

/* Where libxl makes it (/var/lib/xen, /var/run/xen), else $TMPDIR or /tmp. */
static const char *run_base(void)
{
    const char *t = getenv("TMPDIR");

    if (access(LIB_DIR, W_OK | X_OK) == 0)
        return LIB_DIR;
    if (access(RUN_DIR, W_OK | X_OK) == 0)
        return RUN_DIR;
    return t && t[0] == '/' ? t : "/tmp";
}

static int make_dir(struct xb_err *err, struct xb_boot *b)
{
    int fd;

    if (asprintf(&b->dir, "%s/bootloader.XXXXXX", run_base()) < 0) {
        b->dir = NULL;
        return xb_err_set(err, -ENOMEM, "bootloader: out of memory");
    }
    if (!mkdtemp(b->dir)) {
        int rc = xb_err_set(err, -errno, "bootloader: cannot make %s: %s", b->dir,
                            strerror(errno));

        free(b->dir);
        b->dir = NULL;
        return rc;
    }
    if (asprintf(&b->out, "%s/out", b->dir) < 0) {
        b->out = NULL;
        return xb_err_set(err, -ENOMEM, "bootloader: out of memory");
    }
    fd = open(b->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return xb_err_set(err, -errno, "bootloader: %s: %s", b->out, strerror(errno));
    close(fd);
    return 0;
}

static bool runnable(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* @name in the directories of @dirs (a $PATH), malloc'd; NULL when in none. */
static char *search(const char *name, const char *dirs)
{
    for (const char *d = dirs; d && *d;) {
        size_t n = strcspn(d, ":");
        char *p = NULL;

        if (n && asprintf(&p, "%.*s/%s", (int)n, d, name) >= 0 && runnable(p))
            return p;
        free(p);
        d += n + (d[n] == ':');
    }
    return NULL;
}

/* An absolute path; a name in Xen's bindir first (as libxl), then $PATH. */
static char *program(const char *name)
{
    const char *path = getenv("PATH");

    if (name[0] == '/')
        return strdup(name);
    return search(name, XB_XEN_BINDIR ":") ?: search(name, path ? path : "/usr/bin:/bin");
}

struct argv {
    char *v[MAX_ARGS + 1];
    int n;
    bool nomem;
};

__attribute__((format(printf, 2, 3))) static void arg(struct argv *a, const char *fmt,
                                                      ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0 || a->n == MAX_ARGS) {
        a->nomem = true;
        free(n < 0 ? NULL : s);
        return;
    }
    a->v[a->n++] = s;
}

static void args_free(struct argv *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
}

static const char *boot_disk(const struct xb_spec *spec, char *buf, size_t size)
{
    const char *t = spec->disks[0].target;

    if (t[0] == '/')
        return t;
    snprintf(buf, size, "/dev/%s", t); /* a relative phy: target, as the block script */
    return buf;
}

static void make_args(struct argv *a, const struct xb_spec *spec, const struct xb_boot *b,
                      const char *prog)
{
    char dev[4096];

    arg(a, "%s", prog);
    if (spec->kernel)
        arg(a, "--kernel=%s", spec->kernel);
    if (spec->ramdisk)
        arg(a, "--ramdisk=%s", spec->ramdisk);
    if (spec->cmdline && *spec->cmdline)
        arg(a, "--args=%s", spec->cmdline);
    arg(a, "--output=%s", b->out);
    arg(a, "--output-format=simple0");
    arg(a, "--output-directory=%s", b->dir);
    for (size_t i = 0; i < spec->n_bootloader_args; i++)
        arg(a, "%s", spec->bootloader_args[i]);
    arg(a, "%s", boot_disk(spec, dev, sizeof(dev)));
    a->v[a->n] = NULL;
}

/* Its environment: ours with TERM=vt100, as libxl sets. */
static char **child_env(void)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof(*env));
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TERM=", 5) != 0)
            env[k++] = environ[i];
    env[k++] = "TERM=vt100";
    return env;
}

/* A pty: the master in *master, the slave opened in *slave. */
static int open_pty(int *master, int *slave)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    char name[64];
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s;

    if (m < 0)
        return -errno;
    if (grantpt(m) || unlockpt(m) || ptsname_r(m, name, sizeof(name))) {
        int e = errno;

        close(m);
        return -e;
    }
    s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int e = errno;

        close(m);
        return -e;
    }
    ioctl(s, TIOCSWINSZ, &ws);
    *master = m;
    *slave = s;
    return 0;
}

static int spawn(struct child *c, char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dfl;
    int slave = -1, pipefd[2] = {-1, -1}, rc = open_pty(&c->pty, &slave);
    char **env = rc ? NULL : child_env();

    if (!rc && (!env || pipe2(pipefd, O_CLOEXEC) != 0))
        rc = env ? -errno : -ENOMEM;
    if (!rc) {
        sigemptyset(&none);
        sigfillset(&dfl);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, slave, STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, slave, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
        posix_spawnattr_init(&at);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                          POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setpgroup(&at, 0);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &dfl);
        rc = -posix_spawn(&c->pid, argv[0], &fa, &at, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
    }
    free(env);
    if (slave >= 0)
        close(slave);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    c->err = pipefd[0];
    return rc;
}

static void keep_tail(struct child *c, const char *buf, size_t n)
{
    if (n >= sizeof(c->tail)) {
        buf += n - (sizeof(c->tail) - 1);
        n = sizeof(c->tail) - 1;
    }
    if (c->tail_len + n >= sizeof(c->tail)) {
        size_t drop = c->tail_len + n - (sizeof(c->tail) - 1);

        memmove(c->tail, c->tail + drop, c->tail_len - drop);
        c->tail_len -= drop;
    }
    memcpy(c->tail + c->tail_len, buf, n);
    c->tail_len += n;
    c->tail[c->tail_len] = '\0';
}

/* Drain its terminal (discarded) and its stderr (kept) for up to @ms. */
static void drain(struct child *c, int ms)
{
    struct pollfd p[2] = {{.fd = c->pty, .events = POLLIN},
                          {.fd = c->err, .events = POLLIN}};
    char buf[4096];

    if (poll(p, 2, ms) <= 0)
        return;
    for (int i = 0; i < 2; i++) {
        ssize_t n;

        if (!(p[i].revents & (POLLIN | POLLHUP)))
            continue;
        n = read(p[i].fd, buf, sizeof(buf));
        if (n > 0 && i == 1)
            keep_tail(c, buf, (size_t)n);
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Its exit status, or -ETIMEDOUT after killing it at the deadline. */
static int wait_child(struct child *c, unsigned timeout_ms, int *status)
{
    uint64_t end = now_ms() + timeout_ms;

    for (;;) {
        pid_t r = waitpid(c->pid, status, WNOHANG);

        if (r == c->pid) {
            drain(c, 0);
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_ms() >= end) {
            kill(-c->pid, SIGKILL);
            waitpid(c->pid, status, 0);
            return -ETIMEDOUT;
        }
        drain(c, 20);
    }
}

/* The last non-empty line of its stderr, for the message. */
static const char *last_line(struct child *c)
{
    char *end = c->tail + c->tail_len, *start;

    while (end > c->tail && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        *--end = '\0';
    start = strrchr(c->tail, '\n');
    return start ? start + 1 : c->tail;
}

static int failed(struct xb_err *err, const char *name, struct child *c, int rc,
                  int status, unsigned timeout_ms)
{
    const char *why = last_line(c);

    if (rc == -ETIMEDOUT)
        return xb_err_set(
            err, rc, "bootloader: %s did not finish within %u.%u s and was stopped%s%s",
            name, timeout_ms / 1000, timeout_ms % 1000 / 100, why[0] ? "; it said: " : "",
            why);
    if (rc)
        return xb_err_set(err, rc, "bootloader: %s: %s", name, strerror(-rc));
    if (WIFSIGNALED(status))
        return xb_err_set(err, -EINTR, "bootloader: %s was killed by signal %d%s%s", name,
                          WTERMSIG(status), why[0] ? ": " : "", why);
    return xb_err_set(err, -EIO, "bootloader: %s failed (exit status %d)%s%s", name,
                      WEXITSTATUS(status), why[0] ? ": " : "", why);
}

/* A file it named: it must be a regular file directly in b->dir. */
static int take_file(struct xb_err *err, const struct xb_boot *b, const char *name,
                     const char *what, const char *path, char **out)
{
    size_t n = strlen(b->dir);
    struct stat st;

    if (strncmp(path, b->dir, n) != 0 || path[n] != '/' || strchr(path + n + 1, '/') ||
        !path[n + 1] || strcmp(path + n + 1, "..") == 0 || lstat(path, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return xb_err_set(
            err, -EPERM, "bootloader: %s named %s %s, which is not a file it wrote in %s",
            name, what, path, b->dir);
    free(*out);
    *out = strdup(path);
    return *out ? 0 : xb_err_set(err, -ENOMEM, "bootloader: out of memory");
}

/* "KEY VALUE" items, each ended by a NUL. */
static int parse_item(struct xb_err *err, struct xb_boot *b, const char *name,
                      const char *item)
{
    static const char *const keys[] = {"kernel", "ramdisk", "args"};
    size_t k;

    for (k = 0; k < 3; k++) {
        size_t n = strlen(keys[k]);

        if (strncmp(item, keys[k], n) == 0 && (item[n] == ' ' || item[n] == '\t')) {
            item += n + strspn(item + n, " \t");
            break;
        }
    }
    if (k == 0)
        return take_file(err, b, name, "kernel", item, &b->kernel);
    if (k == 1)
        return take_file(err, b, name, "ramdisk", item, &b->ramdisk);
    if (k == 2) {
        free(b->cmdline);
        b->cmdline = strdup(item);
        return b->cmdline ? 0 : xb_err_set(err, -ENOMEM, "bootloader: out of memory");
    }
    return 0; /* unknown items are ignored, as libxl does */
}

static int parse_output(struct xb_err *err, struct xb_boot *b, const char *name)
{
    FILE *f = fopen(b->out, "rb");
    char *buf = malloc(OUT_MAX + 1);
    size_t n = 0;
    int rc = 0;

    if (!f || !buf) {
        rc = xb_err_set(err, f ? -ENOMEM : -errno, "bootloader: %s: %s", b->out,
                        f ? "out of memory" : strerror(errno));
        goto out;
    }
    n = fread(buf, 1, OUT_MAX, f);
    buf[n] = '\0';
    for (size_t at = 0; !rc && at < n; at += strlen(buf + at) + 1)
        if (buf[at])
            rc = parse_item(err, b, name, buf + at);
    if (!rc && !b->kernel)
        rc = xb_err_set(err, -ENOEXEC,
                        "bootloader: %s chose no kernel (its answer in %s "
                        "has no \"kernel\" item)",
                        name, b->out);
out:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

int xb__bootloader_run(struct xb_err *err, const struct xb_spec *spec,
                       unsigned timeout_ms, struct xb_boot *b)
{
    struct child c = {.pid = -1, .pty = -1, .err = -1};
    struct argv a = {0};
    char *prog = NULL;
    int rc, status = 0;

    *b = (struct xb_boot){0};
    if (!spec->n_disks || !spec->disks[0].target)
        return xb_err_set(
            err, -EINVAL,
            "bootloader: %s reads the kernel from the first disk, and there "
            "is none: add one (disk = [...])",
            spec->bootloader);
    prog = program(spec->bootloader);
    if (!prog)
        return xb_err_set(err, -ENOENT,
                          "bootloader: cannot run %s: not found in %s nor on $PATH",
                          spec->bootloader, XB_XEN_BINDIR);
    rc = make_dir(err, b);
    if (!rc) {
        make_args(&a, spec, b, prog);
        if (a.nomem)
            rc = xb_err_set(err, -ENOMEM, "bootloader: out of memory");
    }
    if (!rc && (rc = spawn(&c, a.v)) != 0)
        rc = xb_err_set(err, rc, "bootloader: cannot run %s: %s", a.v[0], strerror(-rc));
    if (!rc) {
        rc = wait_child(&c, timeout_ms ? timeout_ms : XB_BOOTLOADER_TIMEOUT_MS, &status);
        if (rc || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = failed(err, a.v[0], &c, rc, status,
                        timeout_ms ? timeout_ms : XB_BOOTLOADER_TIMEOUT_MS);
    }
    if (!rc)
        rc = parse_output(err, b, a.v[0]);
    if (c.pty >= 0)
        close(c.pty);
    if (c.err >= 0)
        close(c.err);
    args_free(&a);
    free(prog);
    return rc;
}

/* Every file it left in b->dir (it may leave more than it named), then b->dir. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int fd = d ? dirfd(d) : -1;

    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(fd, e->d_name, 0);
    if (d)
        closedir(d);
    rmdir(dir);
}

void xb__boot_clean_files(struct xb_boot *b)
{
    if (b->dir)
        remove_dir(b->dir);
    free(b->dir);
    free(b->out);
    free(b->kernel);
    free(b->ramdisk);
    b->dir = b->out = b->kernel = b->ramdisk = NULL;
}

void xb__boot_clean(struct xb_boot *b)
{
    xb__boot_clean_files(b);
    free(b->cmdline);
    b->cmdline = NULL;
}
