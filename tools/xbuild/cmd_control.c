/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_control.c - requests to a running domain, whoever built
 * it, with xl's arguments:
 *   shutdown [-a] [-w] [-F] [DOMAIN]   reboot [-a] [-w] [-F] [DOMAIN]
 *   pause DOMAIN   unpause DOMAIN   sysrq DOMAIN KEY
 *   trigger DOMAIN nmi|reset|init|power|sleep|s3resume [VCPU]
 *   dump-core DOMAIN FILE   rename DOMAIN NEW-NAME
 * Each prints nothing on success (shutdown and reboot say what they do on
 * stderr, as xl), one line "xbuild: VERB: ..." on failure, and exits 1.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"

/* Exactly @n operands, or print the usage error and return 2. */
static int want(const struct cli_cmd *cmd, const struct cli_args *a, int min, int max)
{
    if (a->n < min)
        return cli_usage_error(cmd, "%s",
                               min == 1 ? "no DOMAIN given" : "missing operands");
    if (a->n > max)
        return cli_usage_error(cmd, "unexpected operand \"%s\"", a->v[max]);
    return CLI_CONTINUE;
}

/* ---- shutdown, reboot ---- */

struct down_opts {
    bool all, wait, force;
};

static const struct cli_opt down_options[] = {
    {.short_name = 'a',
     .long_name = "all",
     .off = offsetof(struct down_opts, all),
     .help = "every domain but dom0"},
    {.short_name = 'w',
     .long_name = "wait",
     .off = offsetof(struct down_opts, wait),
     .help = "return once the domain is gone (or shut down and kept)"},
    {.short_name = 'F',
     .off = offsetof(struct down_opts, force),
     .help = "a guest without PV control is shut down by Xen instead"},
};

/* Ask one domain; 0 or 1. */
static int request(struct xb_ctx *ctx, const char *verb, uint32_t domid,
                   enum xb_request r, bool force)
{
    bool forced = false;

    fprintf(stderr, "%s domain %u\n", r == XB_REQ_REBOOT ? "Rebooting" : "Shutting down",
            domid);
    if (xb_domain_request(ctx, domid, r, force ? XB_REQ_FORCE : 0, &forced) != 0) {
        cli_error("%s: %s", verb, xb_errmsg(ctx));
        return 1;
    }
    if (forced)
        fprintf(stderr, "No PV control in domain %u: Xen %s it\n", domid,
                r == XB_REQ_REBOOT ? "rebooted" : "shut down");
    return 0;
}

static int wait_one(struct xb_ctx *ctx, const char *verb, uint32_t domid)
{
    enum xb_wait_result res;

    if (xb_domain_wait(ctx, domid, -1, &res) != 0) {
        cli_error("%s: %s", verb, xb_errmsg(ctx));
        return 1;
    }
    fprintf(stderr,
            res == XB_WAIT_GONE ? "Domain %u has been destroyed\n"
                                : "Domain %u has been shut down and is kept\n",
            domid);
    return 0;
}

/* The domains of -a: every one but dom0; *out malloc'd. */
static int all_domains(struct xb_ctx *ctx, const char *verb, uint32_t **out, size_t *n)
{
    struct xb_dominfo *v = NULL;
    size_t count = 0;

    *n = 0;
    if (xb_domain_list(ctx, &v, &count) != 0) {
        cli_error("%s: %s", verb, xb_errmsg(ctx));
        return 1;
    }
    *out = calloc(count + 1, sizeof(**out));
    for (size_t i = 0; *out && i < count; i++)
        if (v[i].domid != 0 &&
            !(v[i].state & (XB_DOM_SHUTDOWN | XB_DOM_CRASHED | XB_DOM_DYING)))
            (*out)[(*n)++] = v[i].domid;
    free(v);
    if (!*out)
        cli_error("%s: out of memory", verb);
    return *out ? 0 : 1;
}

static int down(const struct cli_cmd *cmd, enum xb_request r, int argc, char **argv)
{
    struct down_opts o = {0};
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t one, *ids = &one;
    size_t n = 1;
    int rc = cli_parse(cmd, argc, argv, &o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = want(cmd, &a, o.all ? 0 : 1, o.all ? 0 : 1)) != CLI_CONTINUE)
        return rc;
    if (!(ctx = cli_ctx_open(cmd->name)))
        return 1;
    rc = o.all ? all_domains(ctx, cmd->name, &ids, &n)
               : cli_find(ctx, cmd->name, a.v[0], &one);
    cli_monitor_ensure(ctx); /* whoever acts on the shutdown must be there */
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = request(ctx, cmd->name, ids[i], r, o.force);
    for (size_t i = 0; rc == 0 && o.wait && i < n; i++)
        rc = wait_one(ctx, cmd->name, ids[i]);
    if (ids != &one)
        free(ids);
    xb_ctx_close(ctx);
    return rc;
}

static int cmd_shutdown(int argc, char **argv)
{
    return down(&cli_cmd_shutdown, XB_REQ_POWEROFF, argc, argv);
}

static int cmd_reboot(int argc, char **argv)
{
    return down(&cli_cmd_reboot, XB_REQ_REBOOT, argc, argv);
}

const struct cli_cmd cli_cmd_shutdown = {
    .name = "shutdown",
    .run = cmd_shutdown,
    .operands = "[DOMAIN]",
    .summary = "ask a domain to power off (control/shutdown), as xl shutdown",
    .opts = down_options,
    .n_opts = sizeof(down_options) / sizeof(down_options[0]),
};

const struct cli_cmd cli_cmd_reboot = {
    .name = "reboot",
    .run = cmd_reboot,
    .operands = "[DOMAIN]",
    .summary = "ask a domain to reboot (control/shutdown), as xl reboot",
    .opts = down_options,
    .n_opts = sizeof(down_options) / sizeof(down_options[0]),
};

/* ---- one domain, one action ---- */

/* Parse, open, find the domain of a.v[0]: CLI_CONTINUE or the exit status. */
static int one_domain(const struct cli_cmd *cmd, int argc, char **argv, int min, int max,
                      struct cli_args *a, struct xb_ctx **ctx, uint32_t *domid)
{
    int rc = cli_parse(cmd, argc, argv, NULL, a);

    if (rc == CLI_CONTINUE)
        rc = want(cmd, a, min, max);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!(*ctx = cli_ctx_open(cmd->name)))
        return 1;
    if (cli_find(*ctx, cmd->name, a->v[0], domid) != 0) {
        xb_ctx_close(*ctx);
        return 1;
    }
    return CLI_CONTINUE;
}

/* The library call's result as the exit status (its message printed). */
static int done(const struct cli_cmd *cmd, struct xb_ctx *ctx, int rc)
{
    if (rc)
        cli_error("%s: %s", cmd->name, xb_errmsg(ctx));
    xb_ctx_close(ctx);
    return rc ? 1 : 0;
}

static int cmd_pause(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_pause, argc, argv, 1, 1, &a, &ctx, &domid);

    return rc != CLI_CONTINUE ? rc
                              : done(&cli_cmd_pause, ctx, xb_domain_pause(ctx, domid));
}

static int cmd_unpause(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_unpause, argc, argv, 1, 1, &a, &ctx, &domid);

    return rc != CLI_CONTINUE
               ? rc
               : done(&cli_cmd_unpause, ctx, xb_domain_unpause(ctx, domid));
}

const struct cli_cmd cli_cmd_pause = {
    .name = "pause",
    .run = cmd_pause,
    .operands = "DOMAIN",
    .summary = "pause a domain (state p in list)",
};

const struct cli_cmd cli_cmd_unpause = {
    .name = "unpause",
    .run = cmd_unpause,
    .operands = "DOMAIN",
    .summary = "unpause a paused domain",
};

static int cmd_sysrq(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_sysrq, argc, argv, 2, 2, &a, &ctx, &domid);

    if (rc != CLI_CONTINUE)
        return rc;
    if (strlen(a.v[1]) != 1) {
        xb_ctx_close(ctx);
        return cli_usage_error(&cli_cmd_sysrq, "KEY is one character, got \"%s\"",
                               a.v[1]);
    }
    return done(&cli_cmd_sysrq, ctx, xb_domain_sysrq(ctx, domid, a.v[1][0]));
}

const struct cli_cmd cli_cmd_sysrq = {
    .name = "sysrq",
    .run = cmd_sysrq,
    .operands = "DOMAIN KEY",
    .summary = "send a magic SysRq key to the guest (control/sysrq)",
};

static int cmd_trigger(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    enum xb_trigger t;
    unsigned long vcpu = 0;
    char *end = NULL;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_trigger, argc, argv, 2, 3, &a, &ctx, &domid);

    if (rc != CLI_CONTINUE)
        return rc;
    if (xb_trigger_from_name(a.v[1], &t) != 0) {
        xb_ctx_close(ctx);
        return cli_usage_error(&cli_cmd_trigger,
                               "unknown trigger \"%s\" (nmi, reset, init, power, sleep, "
                               "s3resume)",
                               a.v[1]);
    }
    if (a.n == 3 && ((vcpu = strtoul(a.v[2], &end, 10)), *end || end == a.v[2])) {
        xb_ctx_close(ctx);
        return cli_usage_error(&cli_cmd_trigger, "VCPU: expected a number, got \"%s\"",
                               a.v[2]);
    }
    return done(&cli_cmd_trigger, ctx, xb_domain_trigger(ctx, domid, t, (unsigned)vcpu));
}

const struct cli_cmd cli_cmd_trigger = {
    .name = "trigger",
    .run = cmd_trigger,
    .operands = "DOMAIN nmi|reset|init|power|sleep|s3resume [VCPU]",
    .summary = "send a trigger to a domain (PV guests take nmi)",
};

static int cmd_dump_core(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_dump_core, argc, argv, 2, 2, &a, &ctx, &domid);

    return rc != CLI_CONTINUE
               ? rc
               : done(&cli_cmd_dump_core, ctx, xb_domain_dump_core(ctx, domid, a.v[1]));
}

const struct cli_cmd cli_cmd_dump_core = {
    .name = "dump-core",
    .run = cmd_dump_core,
    .operands = "DOMAIN FILE",
    .summary = "write a core file of a domain's memory (as xl dump-core)",
};

static int cmd_rename(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_domain(&cli_cmd_rename, argc, argv, 2, 2, &a, &ctx, &domid);

    return rc != CLI_CONTINUE
               ? rc
               : done(&cli_cmd_rename, ctx, xb_domain_rename(ctx, domid, a.v[1]));
}

const struct cli_cmd cli_cmd_rename = {
    .name = "rename",
    .run = cmd_rename,
    .operands = "DOMAIN NEW-NAME",
    .summary = "rename a domain (xenstore, the monitor, xl's stored config)",
};
