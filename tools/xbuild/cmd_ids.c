/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_ids.c - domid NAME, domname ID, uptime [-s] [DOMAIN...]:
 * names and ids of domains, and how long they have run, in xl's format.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xbuild/builder.h>

#include "cli.h"

static int one_operand(const struct cli_cmd *cmd, int argc, char **argv,
                       struct cli_args *a)
{
    int rc = cli_parse(cmd, argc, argv, NULL, a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a->n != 1)
        return cli_usage_error(cmd, a->n ? "one operand at a time" : "no operand given");
    return CLI_CONTINUE;
}

static int cmd_domid(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint32_t domid;
    int rc = one_operand(&cli_cmd_domid, argc, argv, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (!(ctx = cli_ctx_open("domid")))
        return 1;
    rc = cli_find(ctx, "domid", a.v[0], &domid);
    if (!rc)
        printf("%u\n", domid);
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_domid = {
    .name = "domid",
    .run = cmd_domid,
    .operands = "NAME",
    .summary = "print the id of the domain named NAME",
};

/* Domain @domid's entry of the list, or print why not and return 1. */
static int info_of(struct xb_ctx *ctx, const char *verb, uint32_t domid,
                   struct xb_dominfo *out)
{
    struct xb_dominfo *v = NULL;
    size_t n = 0;
    int rc = 1;

    if (xb_domain_list(ctx, &v, &n) != 0) {
        cli_error("%s: %s", verb, xb_errmsg(ctx));
        return 1;
    }
    for (size_t i = 0; i < n && rc; i++)
        if (v[i].domid == domid) {
            *out = v[i];
            rc = 0;
        }
    if (rc)
        cli_error("%s: no domain with id %u", verb, domid);
    free(v);
    return rc;
}

static int cmd_domname(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_dominfo d;
    char *end;
    unsigned long id;
    int rc = one_operand(&cli_cmd_domname, argc, argv, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    id = strtoul(a.v[0], &end, 10);
    if (end == a.v[0] || *end || id > UINT32_MAX)
        return cli_usage_error(&cli_cmd_domname, "ID: expected a domain id, got \"%s\"",
                               a.v[0]);
    if (!(ctx = cli_ctx_open("domname")))
        return 1;
    rc = info_of(ctx, "domname", (uint32_t)id, &d);
    if (!rc)
        printf("%s\n", d.name[0] ? d.name : "(null)");
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_domname = {
    .name = "domname",
    .run = cmd_domname,
    .operands = "ID",
    .summary = "print the name of domain ID",
};

/* xl's "1 day,  2:03:04" (short: "2:03"). */
static void uptime_str(uint64_t t, bool short_form, char *buf, size_t size)
{
    unsigned d = (unsigned)(t / 86400), h = (unsigned)(t % 86400 / 3600),
             m = (unsigned)(t % 3600 / 60), s = (unsigned)(t % 60);
    int n = d ? snprintf(buf, size, "%u day%s, ", d, d > 1 ? "s" : "") : 0;

    if (short_form)
        snprintf(buf + n, size - (size_t)n, "%2u:%02u", h, m);
    else
        snprintf(buf + n, size - (size_t)n, "%2u:%02u:%02u", h, m, s);
}

struct uptime_opts {
    bool short_form;
};

static const struct cli_opt uptime_options[] = {
    {.short_name = 's',
     .off = offsetof(struct uptime_opts, short_form),
     .help = "short form: \" HH:MM:SS up TIME, NAME (ID)\" per domain"},
};

static int print_uptime(struct xb_ctx *ctx, const struct xb_dominfo *d, bool short_form)
{
    char up[64], now[16];
    uint64_t secs;
    time_t t = time(NULL);
    struct tm tm;

    if (xb_domain_uptime(ctx, d->domid, &secs) != 0) {
        cli_error("uptime: %s", xb_errmsg(ctx));
        return 1;
    }
    uptime_str(secs, short_form, up, sizeof(up));
    strftime(now, sizeof(now), "%H:%M:%S", localtime_r(&t, &tm));
    if (short_form)
        printf(" %s up %s, %s (%u)\n", now, up, d->name, d->domid);
    else
        printf("%-33s %4u %s\n", d->name, d->domid, up);
    return 0;
}

static int cmd_uptime(int argc, char **argv)
{
    struct uptime_opts o = {0};
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_dominfo *v = NULL;
    size_t n = 0;
    int rc = cli_parse(&cli_cmd_uptime, argc, argv, &o, &a), bad = 0;

    if (rc != CLI_CONTINUE)
        return rc;
    if (!(ctx = cli_ctx_open("uptime")))
        return 1;
    if (xb_domain_list(ctx, &v, &n) != 0) {
        cli_error("uptime: %s", xb_errmsg(ctx));
        xb_ctx_close(ctx);
        return 1;
    }
    if (!o.short_form)
        printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
    for (size_t i = 0; a.n == 0 && i < n; i++)
        if (!(v[i].state & XB_DOM_DYING))
            bad |= print_uptime(ctx, &v[i], o.short_form);
    for (int k = 0; k < a.n; k++) {
        uint32_t id;

        if (cli_find(ctx, "uptime", a.v[k], &id) != 0) {
            bad = 1;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (v[i].domid == id)
                bad |= print_uptime(ctx, &v[i], o.short_form);
    }
    free(v);
    xb_ctx_close(ctx);
    return bad;
}

const struct cli_cmd cli_cmd_uptime = {
    .name = "uptime",
    .run = cmd_uptime,
    .operands = "[DOMAIN...]",
    .summary = "how long each domain (or those given) has existed",
    .opts = uptime_options,
    .n_opts = sizeof(uptime_options) / sizeof(uptime_options[0]),
};
