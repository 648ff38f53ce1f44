/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_migrate.c - xbuild migrate [-s SSHCOMMAND] [--live] [-C CONFIG]
 *                              [-p] [-e] [--timings] DOMAIN HOST
 *                            and xbuild migrate-receive [-p] [-e] [-d]
 *
 * As xl migrate: `SSHCOMMAND HOST xbuild migrate-receive` (ssh by default;
 * with -s "" HOST itself is the command) is run with its stdin and stdout
 * as the link, and xl's protocol runs over it (libbuilder's
 * xb_migrate_send / xb_migrate_receive). Live when the host can; a PV
 * guest on a Xen without shadow paging moves non-live, said in one line
 * before anything starts (--live refuses that instead). The receiver's
 * messages go to a file whose last line explains a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xbuild/builder.h>
#include <xbuild/migrate.h>

#include "cli.h"
#include "spec_cli.h"

#define TRANSPORT_GRACE_MS 2000 /* for the transport to exit once the link is closed */

struct migrate_args {
    const char *ssh;    /* -s */
    const char *config; /* -C */
    bool live;          /* --live: live or not at all */
    bool paused;        /* -p: leave it paused on HOST */
    bool no_monitor;    /* -e */
    bool timings;
};

static const struct cli_opt migrate_options[] = {
    {.short_name = 's',
     .arg = "SSHCOMMAND",
     .off = offsetof(struct migrate_args, ssh),
     .help = "run SSHCOMMAND HOST xbuild migrate-receive (\"\": HOST is the command)"},
    {.long_name = "live",
     .off = offsetof(struct migrate_args, live),
     .help = "refuse to move the domain unless it can move live"},
    {.short_name = 'C',
     .arg = "CONFIG",
     .off = offsetof(struct migrate_args, config),
     .help = "send CONFIG as the domain's configuration"},
    {.short_name = 'p',
     .off = offsetof(struct migrate_args, paused),
     .help = "leave the domain paused on HOST"},
    {.short_name = 'e',
     .off = offsetof(struct migrate_args, no_monitor),
     .help = "no monitor on HOST for its on_poweroff/on_reboot/on_crash"},
    {.long_name = "timings",
     .off = offsetof(struct migrate_args, timings),
     .help = "print where the time went (one XB-BENCH line on stderr)"},
};

/* ---- the transport ---- */

struct transport {
    pid_t pid;
    int to, from; /* its stdin and stdout */
    int log;      /* its stderr: an unlinked temporary file */
};

static int spawn(const char *rune, struct transport *t)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    char tmpl[] = "/tmp/xbuild-migrate-XXXXXX";

    t->log = mkostemp(tmpl, O_CLOEXEC);
    if (t->log >= 0)
        unlink(tmpl);
    if (t->log < 0 || pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        cli_error("migrate: cannot set up the transport: %s", strerror(errno));
        return 1;
    }
    fflush(NULL);
    t->pid = fork();
    if (t->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(t->log, STDERR_FILENO);
        execl("/bin/sh", "sh", "-c", rune, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    t->to = in[1];
    t->from = out[0];
    if (t->pid < 0)
        cli_error("migrate: cannot start the transport: %s", strerror(errno));
    return t->pid < 0;
}

/* The last line the transport (the receiver, ssh) wrote on stderr, or "". */
static void last_line(const struct transport *t, char *buf, size_t size)
{
    off_t end = t->log >= 0 ? lseek(t->log, 0, SEEK_END) : -1;
    off_t from = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
    ssize_t n = end > 0 ? pread(t->log, buf, (size_t)(end - from), from) : 0;
    char *line;

    buf[n > 0 ? n : 0] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    line = strrchr(buf, '\n');
    if (line)
        memmove(buf, line + 1, strlen(line + 1) + 1);
}

/* Close the link and reap the transport, killing it if it lingers. */
static void end_transport(struct transport *t)
{
    struct timespec step = {0, 10 * 1000000L};
    int status;

    if (t->to >= 0)
        close(t->to);
    if (t->from >= 0)
        close(t->from);
    t->to = t->from = -1;
    for (int waited = 0; t->pid > 0; waited += 10) {
        if (waitpid(t->pid, &status, WNOHANG) != 0)
            break;
        if (waited == TRANSPORT_GRACE_MS)
            kill(t->pid, SIGTERM);
        if (waited > TRANSPORT_GRACE_MS + 1000) {
            kill(t->pid, SIGKILL);
            waitpid(t->pid, &status, 0);
            break;
        }
        nanosleep(&step, NULL);
    }
    t->pid = -1;
}

/* ---- the sender ---- */

/* CONFIG as xl.cfg text (xb_spec_to_config): -C. */
static int config_text(const char *path, char **text, size_t *len)
{
    const struct spec_load_opts lo = {0};
    struct cli_diags d = {0};
    struct xb_spec *spec = NULL;
    int rc = spec_load(path, NULL, 0, &lo, &d, &spec, NULL);

    diags_print(&d);
    if (!rc && (rc = xb_spec_to_config(spec, text, len)) != 0)
        cli_error("migrate: %s: out of memory", path);
    xb_spec_free(spec);
    return rc != 0;
}

/* Live when it can; non-live said in one line, or refused with --live. */
static int pick_live(struct xb_ctx *ctx, uint32_t domid, const struct migrate_args *a,
                     struct xb_save_opts *so)
{
    int rc = xb_domain_live_ok(ctx, domid);

    so->live = rc == 0;
    if (rc == 0)
        return 0;
    if (rc == -EOPNOTSUPP && !a->live) {
        cli_warn("migrate: moving it non-live, paused for the whole copy: %s",
                 xb_errmsg(ctx));
        return 0;
    }
    cli_error("migrate: %s", xb_errmsg(ctx));
    return 1;
}

static char *rune_for(const struct migrate_args *a, const char *host)
{
    char *rune = NULL;

    if (a->ssh && !a->ssh[0])
        return strdup(host);
    if (asprintf(&rune, "exec %s %s xbuild migrate-receive%s%s", a->ssh ? a->ssh : "ssh",
                 host, a->no_monitor ? " -e" : "", a->paused ? " -p" : "") < 0)
        return NULL;
    return rune;
}

static double ms(uint64_t from, uint64_t to)
{
    return to > from ? (double)(to - from) / 1e6 : 0;
}

static void print_timings(const char *name, const struct xb_migrate_stats *st)
{
    const struct xb_save_stats *s = &st->save;

    fprintf(stderr,
            "XB-BENCH migrate name=%s live=%d rounds=%u precopy_pages=%" PRIu64
            " precopy_ms=%.1f downtime_ms=%.1f total_ms=%.1f\n",
            name, s->live, s->rounds, s->pages_precopy, ms(s->start_ns, s->suspended_ns),
            ms(s->suspended_ns, st->report_ns), ms(s->start_ns, st->report_ns));
}

static int send_over(struct xb_ctx *ctx, uint32_t domid, const char *name,
                     const char *host, const struct migrate_args *a,
                     const struct xb_save_opts *so)
{
    struct transport t = {.pid = -1, .to = -1, .from = -1, .log = -1};
    struct xb_migrate_stats st;
    char *rune = rune_for(a, host), said[512];
    int rc = 1;

    if (!rune)
        cli_error("migrate: out of memory");
    else if (spawn(rune, &t) == 0) {
        rc = xb_migrate_send(ctx, domid, t.to, t.from, so, &st) != 0;
        end_transport(&t);
        last_line(&t, said, sizeof(said));
        if (rc)
            cli_error("migrate: %s%s%s", xb_errmsg(ctx),
                      said[0] ? "; the receiver said: " : "", said);
        else if (a->timings)
            print_timings(name, &st);
    }
    end_transport(&t);
    if (t.log >= 0)
        close(t.log);
    free(rune);
    return rc;
}

static int cmd_migrate(int argc, char **argv)
{
    struct migrate_args a = {0};
    struct xb_save_opts so = {0};
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_args args;
    char *config = NULL;
    uint32_t domid;
    int rc = cli_parse(&cli_cmd_migrate, argc, argv, &a, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n != 2)
        return cli_usage_error(&cli_cmd_migrate, args.n < 2 ? "DOMAIN and HOST are needed"
                                                            : "too many operands");
    if (a.config && config_text(a.config, &config, &so.config_len) != 0)
        return 1;
    so.config = config;
    signal(SIGPIPE, SIG_IGN); /* a receiver that went away is an error, not our end */
    rc = 1;
    if (xb_ctx_open("xen", &ctx, &err) != 0)
        cli_error("migrate: %s", err.msg);
    else if (xb_domain_find(ctx, args.v[0], &domid) != 0)
        cli_error("migrate: %s", xb_errmsg(ctx));
    else if (pick_live(ctx, domid, &a, &so) == 0)
        rc = send_over(ctx, domid, args.v[0], args.v[1], &a, &so);
    xb_ctx_close(ctx);
    free(config);
    return rc;
}

const struct cli_cmd cli_cmd_migrate = {
    .name = "migrate",
    .run = cmd_migrate,
    .operands = "DOMAIN HOST",
    .summary = "move a domain to HOST (live when it can), as xl migrate",
    .opts = migrate_options,
    .n_opts = sizeof(migrate_options) / sizeof(migrate_options[0]),
};

/* ---- the receiver: stdin and stdout are the link ---- */

struct receive_args {
    bool paused, no_monitor, debug;
};

static const struct cli_opt receive_options[] = {
    {.short_name = 'p',
     .off = offsetof(struct receive_args, paused),
     .help = "leave the domain paused once it is here"},
    {.short_name = 'e',
     .off = offsetof(struct receive_args, no_monitor),
     .help = "no monitor for its on_poweroff/on_reboot/on_crash"},
    {.short_name = 'd',
     .off = offsetof(struct receive_args, debug),
     .help = "say on stderr what is received"},
};

static int receive(struct xb_ctx *ctx, const struct receive_args *a)
{
    const struct spec_load_opts lo = {.refuse_unsupported = true};
    struct xb_saved saved = {0};
    struct spec_source s = {0};
    struct xb_spec *spec = NULL;
    struct cli_diags d = {0};
    struct xb_err err = {0};
    uint32_t domid;
    int rc = 1;

    if (xb_migrate_hello(STDOUT_FILENO, STDIN_FILENO, &saved, &err) != 0) {
        cli_error("migrate-receive: %s", err.msg);
        goto out;
    }
    if (!saved.config) {
        cli_error("migrate-receive: the sender sent no configuration");
        goto out;
    }
    rc = spec_load_saved(&saved, "<the migration stream>", NULL, 0, &lo, &d, &spec, &s);
    diags_print(&d);
    if (rc)
        goto out;
    const struct xb_restart_source src = {
        .config = s.text,
        .config_len = s.len,
        .config_file = "<the migration stream>",
        .override_dir = s.cwd,
    };
    const struct xb_restore_opts ro = {.paused = a->paused,
                                       .source = a->no_monitor ? NULL : &src};
    rc = xb_migrate_receive(ctx, spec, STDOUT_FILENO, STDIN_FILENO, &ro, &domid);
    if (rc)
        cli_error("migrate-receive: %s", xb_errmsg(ctx));
    else if (!a->no_monitor)
        rc = cli_monitor_ensure(ctx);
    if (a->debug)
        fprintf(stderr, "xbuild: migrate-receive: %s: %s\n", spec->name,
                rc ? "not received" : "running here");
out:
    spec_source_free(&s);
    xb_spec_free(spec);
    xb_saved_clear(&saved);
    return rc ? 1 : 0;
}

static int cmd_migrate_receive(int argc, char **argv)
{
    struct receive_args a = {0};
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_args args;
    int rc = cli_parse(&cli_cmd_migrate_receive, argc, argv, &a, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n != 0)
        return cli_usage_error(&cli_cmd_migrate_receive, "no operands are taken");
    signal(SIGPIPE, SIG_IGN);
    if (xb_ctx_open("xen", &ctx, &err) != 0) { /* before the banner: no receiver here */
        cli_error("migrate-receive: %s", err.msg);
        return 1;
    }
    rc = receive(ctx, &a);
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_migrate_receive = {
    .name = "migrate-receive",
    .run = cmd_migrate_receive,
    .operands = "",
    .summary = "receive a domain from xbuild migrate on stdin and stdout (its transport)",
    .opts = receive_options,
    .n_opts = sizeof(receive_options) / sizeof(receive_options[0]),
};
