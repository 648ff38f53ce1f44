/* SPDX-License-Identifier: MIT */
/* tools/xbuild/cli.h - the subcommands of xbuild, one cmd_<verb>.c each. */
#ifndef XBUILD_CLI_H
#define XBUILD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each subcommand gets argv with argv[0] = the verb; returns the exit status. */
typedef int cli_cmd_fn(int argc, char **argv);

/*
 * One option of a verb. cli_parse() stores it at .off in the verb's options
 * struct: a bool set to true for a flag (.arg NULL), else the const char *
 * argument. Options whose .excl masks share a bit cannot be given together.
 */
struct cli_opt {
    char short_name;       /* 'c' for -c; 0: long form only */
    const char *long_name; /* "dry-run" for --dry-run; NULL: short form only */
    const char *arg;       /* NULL: a flag; else the argument's name in the help */
    size_t off;
    unsigned excl;
    bool in_operands; /* shown in .operands of the usage ("[-f] CFG"), not alone */
    const char *help; /* one line */
};

struct cli_cmd {
    const char *name;
    cli_cmd_fn *run;
    const char *operands; /* usage after the options: "CFG [KEY=VALUE...]" */
    const char *summary;  /* one line: what it does */
    const struct cli_opt *opts;
    size_t n_opts;
};

/* The verbs (cmd_<verb>.c; help is in xbuild.c). */
extern const struct cli_cmd cli_cmd_console, cli_cmd_create, cli_cmd_destroy,
    cli_cmd_help, cli_cmd_inspect, cli_cmd_list, cli_cmd_monitor;
/* cmd_control.c: requests to a domain */
extern const struct cli_cmd cli_cmd_shutdown, cli_cmd_reboot, cli_cmd_pause,
    cli_cmd_unpause, cli_cmd_sysrq, cli_cmd_trigger, cli_cmd_dump_core, cli_cmd_rename;
/* cmd_ids.c: names, ids, uptime */
extern const struct cli_cmd cli_cmd_domid, cli_cmd_domname, cli_cmd_uptime;
/* cmd_mem.c, cmd_vcpu.c: resources */
extern const struct cli_cmd cli_cmd_mem_set, cli_cmd_mem_max, cli_cmd_vcpu_list,
    cli_cmd_vcpu_set, cli_cmd_vcpu_pin;
/* cmd_info.c: the host */
extern const struct cli_cmd cli_cmd_info, cli_cmd_dmesg;
/* cmd_block.c, cmd_network.c */
extern const struct cli_cmd cli_cmd_block_attach, cli_cmd_block_detach,
    cli_cmd_block_list, cli_cmd_network_attach, cli_cmd_network_detach,
    cli_cmd_network_list;

/* The operands cli_parse() left, in order. */
struct cli_args {
    char **v;
    int n;
};

/* cli_parse()'s "carry on": any other value is the verb's exit status. */
#define CLI_CONTINUE (-1)

/*
 * Parse @argv (argv[0] = the verb) against @cmd's options, into @opts:
 * short options may be combined (-qp), an argument may be attached (-fX,
 * --file=X) or follow; options may come anywhere before "--", which ends
 * them; every other word is an operand, kept in order in @args (which
 * points into @argv, reordered). -h and --help print cli_help() and
 * return 0; an unknown option, a missing or unwanted argument, an option
 * given twice with an argument, or two options that exclude each other
 * print one line and the usage and return 2. Otherwise CLI_CONTINUE.
 * @opts may be NULL for a verb without options.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts,
              struct cli_args *args);

/* On stdout: the usage line (from the table), the summary, one line per option. */
void cli_help(const struct cli_cmd *cmd);

/* Print "xbuild: VERB: <message>" then the usage on stderr; returns 2. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "xbuild: <message>" on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "xbuild: warning: <message>" on stderr, one line. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct xb_ctx;
struct xb_spec;

/*
 * A context on the real hypervisor, or NULL after printing
 * "xbuild: VERB: <why>" (cli_ctx_open()).
 */
struct xb_ctx *cli_ctx_open(const char *verb);

/*
 * @what (a name or an id) to a domid, or print "xbuild: VERB: <why>" (one
 * line: no such domain, ...) and return 1.
 */
int cli_find(struct xb_ctx *ctx, const char *verb, const char *what, uint32_t *domid);

/*
 * cmd_block.c, for the device verbs: open the "xen" context and find domain
 * @what (name or id): 0, or 1 after printing "xbuild: VERB: ..." (*ctx NULL).
 */
int cli_open_domain(const char *verb, const char *what, struct xb_ctx **ctx,
                    uint32_t *domid);

/* The builder's warnings (and with @rc, its error) about device spec @dev. */
void cli_report_device(const struct xb_spec *dev, struct xb_ctx *ctx, int rc);

/* "Initialising", ..., "Closed" for xenbus state @state (0-6), "?" else. */
const char *cli_xenbus_state(int state);

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
 * Make sure the monitor runs when some domain has a record (cmd_monitor.c):
 * starts `xbuild monitor` (a daemon) when none holds its lock. Returns 0
 * when one runs or none is needed, or prints a message and returns 1.
 */
int cli_monitor_ensure(struct xb_ctx *ctx);

#endif
