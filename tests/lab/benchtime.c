/* SPDX-License-Identifier: MIT */
/*
 * tests/lab/benchtime.c - run a command, or K copies of it released at the same
 * moment, and write how long it took: the timer of the lab benchmarks and
 * of the concurrency tests (a shell timing itself forks `date` twice and
 * adds their cost to every figure).
 *
 *   benchtime [-o FILE] [-P K] [-d DIR] CMD [ARG...]
 *
 * Without -P: CMD runs with this process's stdio; FILE (default: stderr)
 * gets one line "us=N rc=R", the wall-clock microseconds from fork to exit
 * and CMD's exit status, which is also benchtime's.
 * -P K: K children are forked first, each blocked on one pipe; closing it
 * releases them together, and each execs CMD with every "%i" in its
 * arguments replaced by its index (0..K-1). FILE gets "us=N ok=M fail=F",
 * the time from the release to the last exit. With -d DIR, child i's
 * stdout and stderr go to DIR/i.out and its exit status to DIR/i.rc.
 * Exit status: 0 when every child exited 0, else 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_K 1024

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int usage(void)
{
    fputs("usage: benchtime [-o FILE] [-P K] [-d DIR] CMD [ARG...]\n", stderr);
    return 2;
}

/* @arg with every "%i" replaced by @i (malloc'd; never freed: the child execs). */
static char *subst(const char *arg, unsigned i)
{
    size_t n = strlen(arg), cap = n * 6 + 1, o = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        if (arg[k] == '%' && arg[k + 1] == 'i') {
            o += (size_t)snprintf(out + o, cap - o, "%u", i);
            k++;
        } else {
            out[o++] = arg[k];
        }
    }
    out[o] = '\0';
    return out;
}

static void redirect(const char *dir, unsigned i)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/%u.out", dir, i);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

/* Child @i: wait for the release, then exec. */
static void child(int gate, unsigned i, char **argv, const char *dir)
{
    char buf, **v;
    int argc = 0;

    while (argv[argc])
        argc++;
    v = calloc((size_t)argc + 1, sizeof(*v));
    if (!v)
        _exit(126);
    for (int k = 0; k < argc; k++)
        if (!(v[k] = subst(argv[k], i)))
            _exit(126);
    if (dir)
        redirect(dir, i);
    while (read(gate, &buf, 1) < 0 && errno == EINTR)
        ;
    close(gate);
    execvp(v[0], v);
    fprintf(stderr, "benchtime: %s: %s\n", v[0], strerror(errno));
    _exit(127);
}

static void write_rc(const char *dir, unsigned i, int rc)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%u.rc", dir, i);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d\n", rc);
        fclose(f);
    }
}

static int status_rc(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(unsigned k, char **argv, const char *dir, FILE *out)
{
    pid_t pids[MAX_K];
    int gate[2], st, ok = 0;
    uint64_t t0;

    if (pipe(gate) != 0)
        return perror("benchtime: pipe"), 1;
    for (unsigned i = 0; i < k; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            return perror("benchtime: fork"), 1;
        if (pids[i] == 0) {
            close(gate[1]);
            child(gate[0], i, argv, dir);
        }
    }
    close(gate[0]);
    t0 = now_us();
    close(gate[1]); /* everyone goes */
    for (unsigned i = 0; i < k; i++) {
        int rc;

        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        rc = status_rc(st);
        ok += rc == 0;
        if (dir)
            write_rc(dir, i, rc);
    }
    if (k == 1 && !dir) {
        fprintf(out, "us=%" PRIu64 " rc=%d\n", now_us() - t0, status_rc(st));
        return status_rc(st);
    }
    fprintf(out, "us=%" PRIu64 " ok=%d fail=%u\n", now_us() - t0, ok, k - (unsigned)ok);
    return (unsigned)ok == k ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *dir = NULL;
    unsigned long k = 1;
    FILE *out = stderr;
    int opt, rc;

    while ((opt = getopt(argc, argv, "+o:P:d:")) != -1) {
        switch (opt) {
        case 'o':
            file = optarg;
            break;
        case 'P':
            k = strtoul(optarg, NULL, 10);
            break;
        case 'd':
            dir = optarg;
            break;
        default:
            return usage();
        }
    }
    if (optind >= argc || k == 0 || k > MAX_K)
        return usage();
    if (file && !(out = fopen(file, "w")))
        return perror(file), 2;
    rc = run((unsigned)k, argv + optind, dir, out);
    if (out != stderr && fclose(out) != 0)
        return perror(file), 2;
    return rc;
}
