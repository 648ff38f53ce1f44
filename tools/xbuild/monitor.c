/* SPDX-License-Identifier: MIT */
/*
 * The monitor daemon `xbuild create` leaves behind (as xl does): it watches
 * its domain and applies on_poweroff/on_reboot/on_crash (xb_domain_monitor),
 * re-creating the domain from the spec for a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xbuild/builder.h>

#include "cli.h"

#define MAX_RESTARTS 32 /* a guest that crashes at boot must not loop forever */

#define MONITOR_LOG_DIR "/var/log/xen"

/* stdin/stdout to /dev/null, stderr to MONITOR_LOG_DIR/xbuild-NAME.log (as xl). */
static void detach_stdio(const char *name)
{
    char path[256];
    int null = open("/dev/null", O_RDWR), log;

    snprintf(path, sizeof(path), MONITOR_LOG_DIR "/xbuild-%s.log",
             strchr(name, '/') ? "monitor" : name);
    log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(log >= 0 ? log : null, STDERR_FILENO);
    }
    close_range(STDERR_FILENO + 1, ~0u, 0); /* the parent's xenstore/privcmd handles */
    if (chdir("/") != 0)
        return;
}

/* Runs in the daemon; its own context (none is shared across fork). */
static int monitor_run(uint32_t domid, const struct xb_spec *spec)
{
    const struct xb_monitor_opts opts = {
        .on_poweroff = spec->on_poweroff,
        .on_reboot = spec->on_reboot,
        .on_crash = spec->on_crash,
    };
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    int rc, restarts = 0;

    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("monitor: %s: %s", spec->name, err.msg);
        return 1;
    }
    for (;;) {
        rc = xb_domain_monitor(ctx, domid, &opts);
        if (rc < 0)
            cli_error("monitor: %s (domain %u): %s", spec->name, domid, xb_errmsg(ctx));
        if (rc != 1)
            break;
        if (++restarts > MAX_RESTARTS) {
            cli_error("monitor: %s: restarted %d times, giving up", spec->name,
                      MAX_RESTARTS);
            break;
        }
        rc = xb_domain_create(ctx, spec, NULL, &domid);
        if (rc) {
            cli_error("monitor: %s: restart: %s", spec->name, xb_errmsg(ctx));
            break;
        }
        cli_warn("monitor: %s restarted as domain %u", spec->name, domid);
    }
    xb_ctx_close(ctx);
    return rc < 0 ? 1 : 0;
}

int cli_monitor_spawn(uint32_t domid, const struct xb_spec *spec)
{
    int status = 0;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        cli_error("create: cannot start the monitor of domain %u: fork: %s", domid,
                  strerror(errno));
        return 1;
    }
    if (pid == 0) { /* the intermediate child: a new session, then daemonize */
        if (setsid() < 0)
            _exit(1);
        pid = fork();
        if (pid != 0)
            _exit(pid < 0);
        detach_stdio(spec->name);
        _exit(monitor_run(domid, spec));
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        cli_error("create: cannot start the monitor of domain %u", domid);
        return 1;
    }
    return 0;
}
