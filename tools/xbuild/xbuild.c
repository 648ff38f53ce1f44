/* SPDX-License-Identifier: MIT */
/* xbuild - an xl-style toolstack on libbuilder: the table of subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"

#ifndef XBUILD_VERSION
#error "XBUILD_VERSION (meson's project version) must be defined"
#endif

/* Keep alphabetical; each verb (or family) lives in cmd_<verb>.c. */
static const struct cli_cmd *const commands[] = {
    &cli_cmd_block_attach,   &cli_cmd_block_detach, &cli_cmd_block_list,
    &cli_cmd_console,        &cli_cmd_create,       &cli_cmd_destroy,
    &cli_cmd_dmesg,          &cli_cmd_domid,        &cli_cmd_domname,
    &cli_cmd_dump_core,      &cli_cmd_help,         &cli_cmd_info,
    &cli_cmd_inspect,        &cli_cmd_list,         &cli_cmd_mem_max,
    &cli_cmd_mem_set,        &cli_cmd_monitor,      &cli_cmd_network_attach,
    &cli_cmd_network_detach, &cli_cmd_network_list, &cli_cmd_pause,
    &cli_cmd_reboot,         &cli_cmd_rename,       &cli_cmd_shutdown,
    &cli_cmd_sysrq,          &cli_cmd_trigger,      &cli_cmd_unpause,
    &cli_cmd_uptime,         &cli_cmd_vcpu_list,    &cli_cmd_vcpu_pin,
    &cli_cmd_vcpu_set,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

__attribute__((format(printf, 2, 0))) static void vmsg(const char *prefix,
                                                       const char *fmt, va_list ap)
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

struct xb_ctx *cli_ctx_open(const char *verb)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};

    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("%s: %s", verb, err.msg);
        return NULL;
    }
    return ctx;
}

int cli_find(struct xb_ctx *ctx, const char *verb, const char *what, uint32_t *domid)
{
    if (xb_domain_find(ctx, what, domid) == 0)
        return 0;
    cli_error("%s: %s", verb, xb_errmsg(ctx));
    return 1;
}

static const char main_usage[] = "usage: xbuild [-h|--help] [--version] VERB [ARGS...]\n";

static int show_help(void)
{
    printf("%s\nverbs (xbuild VERB --help for each):\n", main_usage);
    for (size_t i = 0; i < N_COMMANDS; i++)
        printf("  %-14s %s\n", commands[i]->name, commands[i]->summary);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int show_version(void)
{
    printf("xbuild %s\n", XBUILD_VERSION);
    return 0;
}

/* What xbuild itself takes before the verb. */
static const struct {
    const char *name;
    int (*run)(void);
} main_opts[] = {
    {"-h", show_help},
    {"--help", show_help},
    {"--version", show_version},
};

static int cmd_help(int argc, char **argv)
{
    struct cli_args args;
    const struct cli_cmd *c;
    int rc = cli_parse(&cli_cmd_help, argc, argv, NULL, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n == 0)
        return show_help();
    if (args.n > 1)
        return cli_usage_error(&cli_cmd_help, "one verb at most, got \"%s\" too",
                               args.v[1]);
    c = find_cmd(args.v[0]);
    if (!c)
        return cli_usage_error(&cli_cmd_help, "unknown verb \"%s\"", args.v[0]);
    cli_help(c);
    return 0;
}

const struct cli_cmd cli_cmd_help = {
    .name = "help",
    .run = cmd_help,
    .operands = "[VERB]",
    .summary = "list the verbs, or show one verb's usage and options",
};

int main(int argc, char **argv)
{
    const struct cli_cmd *c;

    if (argc < 2) {
        cli_error("no verb given (xbuild --help lists them)");
        fputs(main_usage, stderr);
        return 2;
    }
    for (size_t i = 0; i < sizeof(main_opts) / sizeof(main_opts[0]); i++)
        if (strcmp(argv[1], main_opts[i].name) == 0)
            return main_opts[i].run();
    if (argv[1][0] == '-') {
        cli_error("unknown option \"%s\"", argv[1]);
        fputs(main_usage, stderr);
        return 2;
    }
    c = find_cmd(argv[1]);
    if (!c) {
        cli_error("unknown verb \"%s\"", argv[1]);
        fputs(main_usage, stderr);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
