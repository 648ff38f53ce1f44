/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_mem.c - mem-set DOMAIN SIZE and mem-max DOMAIN SIZE, as
 * xl: SIZE in MiB, or with a suffix t, g, m, k (KiB) or b (bytes).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <xbuild/builder.h>

#include "cli.h"

/* xl's memory size: a number with an optional t/g/m/k/b, MiB without one. */
static int parse_size_kib(const char *s, uint64_t *kib)
{
    static const struct {
        char suffix;
        int shift; /* to KiB */
    } units[] = {{'t', 30}, {'g', 20}, {'m', 10}, {'\0', 10}, {'k', 0}, {'b', -10}};
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || errno || (*end && end[1]) || s[0] == '-')
        return -EINVAL;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (tolower((unsigned char)*end) != units[i].suffix)
            continue;
        if (units[i].shift < 0) {
            *kib = v >> 10;
            return 0;
        }
        if (v > (UINT64_MAX >> units[i].shift))
            return -ERANGE;
        *kib = (uint64_t)v << units[i].shift;
        return 0;
    }
    return -EINVAL;
}

static int mem(const struct cli_cmd *cmd, int argc, char **argv,
               int (*set)(struct xb_ctx *, uint32_t, uint64_t))
{
    struct cli_args a;
    struct xb_ctx *ctx;
    uint64_t kib;
    uint32_t domid;
    int rc = cli_parse(cmd, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n != 2)
        return cli_usage_error(cmd, "expected DOMAIN SIZE");
    if (parse_size_kib(a.v[1], &kib) != 0)
        return cli_usage_error(cmd,
                               "SIZE: expected a number of MiB or one with a suffix "
                               "(t, g, m, k, b), got \"%s\"",
                               a.v[1]);
    if (!(ctx = cli_ctx_open(cmd->name)))
        return 1;
    rc = cli_find(ctx, cmd->name, a.v[0], &domid);
    if (!rc && set(ctx, domid, kib) != 0) {
        cli_error("%s: %s", cmd->name, xb_errmsg(ctx));
        rc = 1;
    }
    xb_ctx_close(ctx);
    return rc;
}

static int cmd_mem_set(int argc, char **argv)
{
    return mem(&cli_cmd_mem_set, argc, argv, xb_domain_set_memory);
}

static int cmd_mem_max(int argc, char **argv)
{
    return mem(&cli_cmd_mem_max, argc, argv, xb_domain_set_max_memory);
}

const struct cli_cmd cli_cmd_mem_set = {
    .name = "mem-set",
    .run = cmd_mem_set,
    .operands = "DOMAIN SIZE",
    .summary = "set a domain's memory target (its balloon driver follows)",
};

const struct cli_cmd cli_cmd_mem_max = {
    .name = "mem-max",
    .run = cmd_mem_max,
    .operands = "DOMAIN SIZE",
    .summary = "set the most memory a domain may have",
};
