/* SPDX-License-Identifier: MIT */
/* tools/xbuild/cli.h - the subcommands of xbuild, one cmd_<verb>.c each. */
#ifndef XBUILD_CLI_H
#define XBUILD_CLI_H

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

#endif
