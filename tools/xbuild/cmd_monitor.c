/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_monitor.c - xbuild monitor [-F]: the one process that
 * applies on_poweroff/on_reboot/on_crash/on_soft_reset to every domain
 * xbuild created (the library's xb_monitor_step(), driven by xenstore
 * watches). `xbuild create` starts it when none runs (cli_monitor_ensure());
 * it exits when no domain is left to watch.
 *
 * Two processes: a supervisor holding MONITOR_LOCK (so that one monitor
 * runs), and its worker, which does the work and is started again when it
 * dies (a crash, kill -9): its state is all in xenstore, so nothing is lost.
 * Each action is logged to /var/log/xen/xbuild-NAME.log (as xl does for its
 * per-domain monitors), the monitor's own messages to xbuild-monitor.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xbuild/builder.h>

#include "cli.h"

extern char **environ;

#define RECOUNT_MS 2000

#define MONITOR_DIR "/run/xen"
/*
 * The records' format is in the name: a monitor of an older xbuild, which
 * cannot read one-node records (lib/builder/domain/record.h), holds
 * xbuild-monitor.lock and acts on its own domains meanwhile; this one
 * leaves those to it.
 */
#define MONITOR_LOCK    MONITOR_DIR "/xbuild-monitor-2.lock"
#define MONITOR_LOG_DIR "/var/log/xen"
#define RESPAWN_MIN_MS  100
#define RESPAWN_MAX_MS  5000

static const char *const reasons[] = {
    "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

static const char *reason_name(unsigned r)
{
    return r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r] : "unknown";
}

static void stamp(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;

    strftime(buf, size, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
}

/* One line in /var/log/xen/xbuild-NAME.log and on stderr (the monitor's log). */
static void log_event(const struct xb_monitor_event *ev)
{
    char path[256], when[32], line[1024];
    FILE *f;

    char next[48] = "";

    stamp(when, sizeof(when));
    if (ev->new_domid != UINT32_MAX)
        snprintf(next, sizeof(next), ", now domain %u", ev->new_domid);
    if (ev->gone)
        snprintf(line, sizeof(line), "%s: %s (domain %u) is gone: record dropped", when,
                 ev->name, ev->domid);
    else
        snprintf(line, sizeof(line), "%s: %s (domain %u): %s: %s%s%s%s", when, ev->name,
                 ev->domid, reason_name(ev->reason), xb_action_name(ev->action), next,
                 ev->rc ? ": failed: " : "", ev->rc ? ev->msg : "");
    fprintf(stderr, "%s\n", line);
    snprintf(path, sizeof(path), MONITOR_LOG_DIR "/xbuild-%s.log",
             strchr(ev->name, '/') || ev->name[0] == '.' ? "monitor" : ev->name);
    f = fopen(path, "ae");
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

/* The worker: handle events until no domain is left (0) or on error (1). */
static int worker(void)
{
    struct xb_ctx *ctx = NULL;
    struct xb_monitor *m = NULL;
    struct xb_monitor_event ev;
    struct xb_err err = {0};
    size_t left = 1;
    int rc = 0;

    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("monitor: %s", err.msg);
        return 1;
    }
    if (xb_monitor_open(ctx, &m) != 0) {
        cli_error("monitor: %s", xb_errmsg(ctx));
        xb_ctx_close(ctx);
        return 1;
    }
    /*
     * Woken by @releaseDomain; and every RECOUNT_MS at most, so that a last
     * record removed after the wake-up of its domain's end (destroy removes
     * it after the domain) cannot keep the monitor waiting with nothing to do.
     */
    while (left > 0) {
        rc = xb_monitor_step(m, RECOUNT_MS, &ev);
        if (rc < 0)
            break;
        if (rc == 1)
            log_event(&ev);
        if ((rc = xb_monitor_count(ctx, &left)) < 0)
            break;
    }
    if (rc < 0)
        cli_error("monitor: %s", xb_errmsg(ctx));
    xb_monitor_close(m);
    xb_ctx_close(ctx);
    return rc < 0 ? 1 : 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "SUPERVISOR WORKER" in the lock file, for whoever looks (tests, operators). */
static void write_pids(int lock, pid_t worker_pid)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%d %d\n", (int)getpid(), (int)worker_pid);

    if (ftruncate(lock, 0) == 0 && pwrite(lock, buf, (size_t)n, 0) != n)
        return;
}

/* Domains left to watch, from a context of its own; -1 when unknown. */
static long records_left(void)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    size_t n = 0;
    long rc = -1;

    if (xb_ctx_open("xen", &ctx, &err) == 0 && xb_monitor_count(ctx, &n) == 0)
        rc = (long)n;
    xb_ctx_close(ctx);
    return rc;
}

/* The worker has finished: keep going only if a create raced with its exit. */
static bool carry_on(int lock)
{
    flock(lock, LOCK_UN);
    if (records_left() == 0)
        return false;
    return flock(lock, LOCK_EX | LOCK_NB) == 0; /* else another monitor took over */
}

static int supervise(int lock)
{
    unsigned delay = RESPAWN_MIN_MS;

    for (;;) {
        int64_t started = now_ms();
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) /* the worker keeps the lock too: while either lives, it is held */
            _exit(worker());
        if (pid < 0) {
            cli_error("monitor: fork: %s", strerror(errno));
            sleep_ms(RESPAWN_MAX_MS);
            continue;
        }
        write_pids(lock, pid);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            if (!carry_on(lock))
                return 0;
            continue;
        }
        cli_error("monitor: the worker (pid %d) %s %d; starting it again", (int)pid,
                  WIFSIGNALED(status) ? "was killed by signal" : "exited with",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        delay = now_ms() - started < 1000
                    ? (delay * 2 > RESPAWN_MAX_MS ? RESPAWN_MAX_MS : delay * 2)
                    : RESPAWN_MIN_MS;
        sleep_ms(delay); /* a worker that dies at once must not spin */
    }
}

/* The lock, taken: its fd; -1 when another monitor holds it; -2 on error. */
static int take_lock(void)
{
    int fd;

    mkdir(MONITOR_DIR, 0755);
    fd = open(MONITOR_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    close(fd);
    return errno == EWOULDBLOCK ? -1 : -2;
}

/* stdin/stdout to /dev/null, stderr to the monitor's log; a new session. */
static int daemonize(void)
{
    int null = open("/dev/null", O_RDWR), log;
    pid_t pid;

    mkdir(MONITOR_LOG_DIR, 0755);
    log =
        open(MONITOR_LOG_DIR "/xbuild-monitor.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
    if (null < 0)
        return -1;
    pid = fork();
    if (pid != 0)
        _exit(pid < 0);
    if (setsid() < 0)
        return -1;
    pid = fork();
    if (pid != 0)
        _exit(pid < 0);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(log >= 0 ? log : null, STDERR_FILENO);
    close_range(STDERR_FILENO + 1, ~0u, 0);
    return chdir("/");
}

/*
 * `xbuild monitor` started without waiting for it to load: posix_spawn (a
 * vfork, so no copy of this process's page tables, which a PV dom0 pays
 * dearly for) returns once the exec succeeded or failed. The monitor then
 * detaches itself; its first process, which exits at once, is reaped by
 * init when create exits.
 */
static int spawn_monitor(void)
{
    char *argv[] = {"xbuild", "monitor", NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    fflush(NULL);
    rc = posix_spawn_file_actions_init(&fa);
    if (!rc)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    if (!rc)
        rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    errno = rc;
    return rc ? -1 : 0;
}

int cli_monitor_ensure(struct xb_ctx *ctx)
{
    size_t n = 0;
    int fd;

    fd = take_lock(); /* first: while one runs, the records need not be counted */
    if (fd == -2)
        cli_error("monitor: %s: %s", MONITOR_LOCK, strerror(errno));
    if (fd < 0)
        return fd == -2; /* -1: one runs */
    if (xb_monitor_count(ctx, &n) != 0) {
        cli_error("monitor: %s", xb_errmsg(ctx));
        close(fd);
        return 1;
    }
    close(fd);
    if (n == 0)
        return 0; /* none needed */
    if (spawn_monitor() != 0) {
        cli_error("cannot start the monitor (xbuild monitor): %s", strerror(errno));
        return 1;
    }
    return 0;
}

struct monitor_opts {
    bool foreground;
};

static const struct cli_opt monitor_options[] = {
    {.short_name = 'F',
     .long_name = "foreground",
     .off = offsetof(struct monitor_opts, foreground),
     .help = "stay in the foreground, messages on stderr"},
};

static int cmd_monitor(int argc, char **argv)
{
    struct monitor_opts o = {0};
    struct cli_args args;
    int lock, rc = cli_parse(&cli_cmd_monitor, argc, argv, &o, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n)
        return cli_usage_error(&cli_cmd_monitor, "no operand expected, got \"%s\"",
                               args.v[0]);
    if (!o.foreground && daemonize() != 0) {
        cli_error("monitor: cannot detach: %s", strerror(errno));
        return 1;
    }
    lock = take_lock();
    if (lock == -1) {
        cli_error("monitor: one runs already (%s)", MONITOR_LOCK);
        return 0;
    }
    if (lock < 0) {
        cli_error("monitor: %s: %s", MONITOR_LOCK, strerror(errno));
        return 1;
    }
    return supervise(lock);
}

const struct cli_cmd cli_cmd_monitor = {
    .name = "monitor",
    .run = cmd_monitor,
    .operands = "",
    .summary = "run the monitor of xbuild's domains (create starts it)",
    .opts = monitor_options,
    .n_opts = sizeof(monitor_options) / sizeof(monitor_options[0]),
};
