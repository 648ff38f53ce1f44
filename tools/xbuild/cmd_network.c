/* SPDX-License-Identifier: MIT */
/*
 * xbuild network-attach DOMAIN [KEY=VALUE...]   a vif, in xl's vif syntax
 * xbuild network-detach DOMAIN DEVID|MAC
 * xbuild network-list DOMAIN...
 *
 * As xl's verbs of the same names, on any domain (whoever built it): the
 * KEY=VALUE pieces are one vif specification (mac=, bridge=, vifname=,
 * rate=, ...); without devid= the vif takes the first free index, and
 * without mac= a MAC made from the domain's UUID and that index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"
#include "spec_cli.h"

/* ---- network-attach ---- */

static bool gives_devid(char *const *parts, int n)
{
    for (int i = 0; i < n; i++)
        for (const char *p = parts[i]; (p = strstr(p, "devid")); p++)
            if ((p == parts[i] || p[-1] == ',' || p[-1] == ' ') &&
                p[strspn(p + 5, " ") + 5] == '=')
                return true;
    return false;
}

static int cmd_network_attach(int argc, char **argv)
{
    struct cli_diags d = {0};
    struct xb_spec *dev = NULL;
    struct xb_ctx *ctx = NULL;
    struct cli_args a;
    char *none[] = {""};
    uint32_t domid, devid = 0;
    int rc = cli_parse(&cli_cmd_network_attach, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n < 1)
        return cli_usage_error(&cli_cmd_network_attach, "no DOMAIN given");
    if (device_load("vif", a.n > 1 ? a.v + 1 : none, a.n > 1 ? a.n - 1 : 1, &d, &dev) !=
        0) {
        diags_print(&d);
        return 1;
    }
    diags_print(&d);
    rc = cli_open_domain("network-attach", a.v[0], &ctx, &domid);
    if (!rc) {
        const struct xb_attach_opts o = {.any_devid = !gives_devid(a.v + 1, a.n - 1)};

        rc = xb_vif_attach(ctx, domid, &dev->vifs[0], &o, &devid);
        cli_report_device(dev, ctx, rc);
        rc = rc != 0;
    }
    xb_ctx_close(ctx);
    xb_spec_free(dev);
    return rc;
}

const struct cli_cmd cli_cmd_network_attach = {
    .name = "network-attach",
    .run = cmd_network_attach,
    .operands = "DOMAIN [KEY=VALUE...]",
    .summary = "attach a vif (xl's vif syntax) to a running domain",
};

/* ---- network-detach ---- */

/* A devid, or the devid of the vif with MAC @s; -1 after a message. */
static long vif_of(struct xb_ctx *ctx, uint32_t domid, const char *s)
{
    struct xb_devinfo *v = NULL;
    size_t n = 0;
    char *end;
    long id = strtol(s, &end, 10);

    if (*s && !*end && id >= 0)
        return id;
    if (xb_vif_list(ctx, domid, &v, &n) != 0) {
        cli_error("network-detach: %s", xb_errmsg(ctx));
        return -1;
    }
    id = -1;
    for (size_t i = 0; i < n && id < 0; i++)
        if (strcasecmp(v[i].mac, s) == 0)
            id = (long)v[i].devid;
    free(v);
    if (id < 0)
        cli_error("network-detach: domain %u has no vif with index or MAC %s", domid, s);
    return id;
}

static int cmd_network_detach(int argc, char **argv)
{
    struct xb_ctx *ctx = NULL;
    struct cli_args a;
    uint32_t domid;
    long devid;
    int rc = cli_parse(&cli_cmd_network_detach, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n != 2)
        return cli_usage_error(&cli_cmd_network_detach, a.n > 2 ? "one vif at a time"
                                                        : a.n > 0
                                                            ? "no DEVID or MAC given"
                                                            : "no DOMAIN given");
    rc = cli_open_domain("network-detach", a.v[0], &ctx, &domid);
    if (!rc && (devid = vif_of(ctx, domid, a.v[1])) < 0)
        rc = 1;
    if (!rc) {
        rc = xb_vif_detach(ctx, domid, (uint32_t)devid, NULL);
        for (size_t i = 0; xb_warning(ctx, i); i++)
            cli_warn("network-detach: %s", xb_warning(ctx, i));
        if (rc)
            cli_error("network-detach: %s", xb_errmsg(ctx));
        rc = rc != 0;
    }
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_network_detach = {
    .name = "network-detach",
    .run = cmd_network_detach,
    .operands = "DOMAIN DEVID|MAC",
    .summary = "detach a vif (its index or MAC) from a domain",
};

/* ---- network-list ---- */

static int list_one(struct xb_ctx *ctx, const char *what)
{
    struct xb_devinfo *v = NULL;
    uint32_t domid;
    size_t n = 0;

    if (xb_domain_find(ctx, what, &domid) != 0 || xb_vif_list(ctx, domid, &v, &n) != 0) {
        cli_error("network-list: %s", xb_errmsg(ctx));
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-4u %-15s %-3u %-17s %-12s %-6d %d/%-10d %s\n", v[i].devid, v[i].name,
               v[i].backend_domid, v[i].mac, cli_xenbus_state(v[i].frontend_state),
               v[i].evtchn, v[i].ring_ref, v[i].rx_ring_ref, v[i].target);
    free(v);
    return 0;
}

static int cmd_network_list(int argc, char **argv)
{
    struct xb_ctx *ctx = NULL;
    struct xb_err err = {0};
    struct cli_args a;
    int rc = cli_parse(&cli_cmd_network_list, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n == 0)
        return cli_usage_error(&cli_cmd_network_list, "no DOMAIN given");
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("network-list: %s", err.msg);
        return 1;
    }
    printf("%-4s %-15s %-3s %-17s %-12s %-6s %-13s %s\n", "Idx", "Name", "BE",
           "Mac Addr.", "State", "Evt-ch", "Tx-/Rx-ring", "Bridge");
    rc = 0;
    for (int i = 0; i < a.n; i++)
        rc |= list_one(ctx, a.v[i]);
    xb_ctx_close(ctx);
    return rc ? 1 : 0;
}

const struct cli_cmd cli_cmd_network_list = {
    .name = "network-list",
    .run = cmd_network_list,
    .operands = "DOMAIN...",
    .summary = "list the vifs of domains, with their state",
};
