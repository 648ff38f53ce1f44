/* SPDX-License-Identifier: MIT */
/* xbuild - an xl-style toolstack on libbuilder: the table of subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

/* Keep alphabetical; each verb lives in cmd_<verb>.c. */
static const struct cli_cmd commands[] = {
    {"console", cmd_console, "[-n N] DOMAIN",
     "attach to a domain's console (Ctrl-] detaches; without a terminal: stream it)"},
    {"create", cmd_create, "[-c] [-p] [-q] [--dry-run|--config-only] [--strict] CFG [KEY=VALUE ...]",
     "create a domain from an xl.cfg file (--dry-run: build it on a simulated machine, print spec, image and layout as JSON)"},
    {"destroy", cmd_destroy, "DOMAIN", "destroy a domain (name or id) and its xenstore nodes"},
    {"help", cmd_help, "[VERB]", "show the subcommands or one verb's usage"},
    {"inspect", cmd_inspect, "[--json] KERNEL",
     "show what the loader sees in a kernel: format, segments, Xen notes, guest types"},
    {"list", cmd_list, "[-l|--json] [DOMAIN...]",
     "list domains: Name ID Mem VCPUs State Time(s), or JSON with their runtime state"},
};

static const struct cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

__attribute__((format(printf, 2, 0)))
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "xbuild: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

int cli_usage(const char *verb)
{
    const struct cli_cmd *c = find_cmd(verb);

    fprintf(stderr, "usage: xbuild %s %s\n", verb, c ? c->usage : "");
    return 2;
}

static void list_commands(FILE *f)
{
    fprintf(f, "usage: xbuild VERB [ARGS...]\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static int cmd_help(int argc, char **argv)
{
    const struct cli_cmd *c;

    if (argc < 2) {
        list_commands(stdout);
        return 0;
    }
    c = find_cmd(argv[1]);
    if (!c) {
        cli_error("help: unknown verb \"%s\"", argv[1]);
        return 2;
    }
    printf("usage: xbuild %s %s\n  %s\n", c->name, c->usage, c->summary);
    return 0;
}

int main(int argc, char **argv)
{
    const struct cli_cmd *c;

    if (argc < 2) {
        list_commands(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0) {
        printf("xbuild %s\n", XBUILD_VERSION);
        return 0;
    }
    c = find_cmd(argv[1]);
    if (!c) {
        cli_error("unknown verb \"%s\" (try \"xbuild help\")", argv[1]);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
