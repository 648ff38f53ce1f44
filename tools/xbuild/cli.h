/* SPDX-License-Identifier: MIT */
/* tools/xbuild/cli.h - the subcommands of xbuild, one cmd_<verb>.c each. */
#ifndef XBUILD_CLI_H
#define XBUILD_CLI_H

#include <stdint.h>

/* Each subcommand gets argv with argv[0] = the verb; returns the exit status. */
typedef int cli_cmd_fn(int argc, char **argv);

struct cli_cmd {
    const char *name;
    cli_cmd_fn *run;
    const char *usage;         /* one line: arguments after the verb */
    const char *summary;       /* one line: what it does */
};

/* Print "xbuild: <message>" on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "xbuild: warning: <message>" on stderr, one line. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "usage: xbuild <verb> <usage>" on stderr; returns 2. */
int cli_usage(const char *verb);

/* Verbs (cmd_<verb>.c). */
cli_cmd_fn cmd_console, cmd_destroy, cmd_list;

struct xb_ctx;
struct xb_monitor_opts;
struct xb_spec;

/*
 * Console of domain @domid (cmd_console.c), in two steps so that `create -c`
 * misses nothing: cli_console_open() waits for xenconsoled's pty and opens
 * it (call it while the domain is still paused), cli_console_relay() then
 * relays until the domain is gone or the user types Ctrl-] (raw terminal
 * when stdin is a tty; otherwise output is streamed to stdout). Both return
 * an exit status (0 ok) and print their own message; relay closes @fd.
 */
int cli_console_open(struct xb_ctx *ctx, uint32_t domid, int *fd);
int cli_console_relay(struct xb_ctx *ctx, uint32_t domid, int fd);

/*
 * Start the monitor of domain @domid (monitor.c): a daemon that applies
 * on_poweroff/on_reboot/on_crash; for a restart it re-creates the domain
 * from @spec (borrowed: the daemon keeps its own copy of the process).
 * Returns 0 once the daemon runs, or prints a message and returns 1.
 */
int cli_monitor_spawn(uint32_t domid, const struct xb_spec *spec);

#endif
