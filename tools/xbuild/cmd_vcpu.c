/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_vcpu.c - vcpu-list [DOMAIN...], vcpu-set [-i] DOMAIN N,
 * vcpu-pin DOMAIN VCPU|all HARD [SOFT], in xl's format. CPU lists are xl's:
 * "all", "3", "0-3", "0-5,^2", "node:0" / "nodes:0-1" (the CPUs of those
 * NUMA nodes); "-" leaves an affinity as it is.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"

static bool bit(const struct xb_cpumap *m, unsigned i)
{
    return m->bits[i / 64] >> (i % 64) & 1;
}

static void set_bit(struct xb_cpumap *m, unsigned i, bool on)
{
    if (on)
        m->bits[i / 64] |= 1ull << (i % 64);
    else
        m->bits[i / 64] &= ~(1ull << (i % 64));
}

/* xl's way of printing a map of @n CPUs: "all", "none" or "0-3,6". */
static void print_map(const struct xb_cpumap *m, unsigned n)
{
    unsigned count = 0, i = 0;
    bool first = true;

    for (unsigned k = 0; k < n; k++)
        count += bit(m, k);
    if (count == n || count == 0) {
        fputs(count ? "all" : "none", stdout);
        return;
    }
    while (i < n) {
        unsigned start;

        for (; i < n && !bit(m, i); i++)
            ;
        if (i == n)
            break;
        for (start = i; i < n && bit(m, i); i++)
            ;
        printf(start + 1 == i ? "%s%u" : "%s%u-%u", first ? "" : ",", start, i - 1);
        first = false;
    }
}

static void print_vcpu(const char *name, uint32_t domid, const struct xb_vcpuinfo *v,
                       unsigned nr_cpus)
{
    printf("%-32s %5u %5u", name, domid, v->vcpu);
    if (v->online)
        printf("%5u   %c%c- ", v->cpu, v->running ? 'r' : '-', v->blocked ? 'b' : '-');
    else
        printf("%5c   --p ", '-');
    printf("%9.1f  ", (double)v->cpu_time_ns / 1e9);
    print_map(&v->hard, nr_cpus);
    fputs(" / ", stdout);
    print_map(&v->soft, nr_cpus);
    putchar('\n');
}

static int list_one(struct xb_ctx *ctx, const struct xb_dominfo *d)
{
    struct xb_vcpuinfo *v = NULL;
    size_t n = 0;
    unsigned nr_cpus = 0;

    if (xb_vcpu_list(ctx, d->domid, &v, &n, &nr_cpus) != 0) {
        cli_error("vcpu-list: %s", xb_errmsg(ctx));
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        print_vcpu(d->name[0] ? d->name : "(null)", d->domid, &v[i], nr_cpus);
    free(v);
    return 0;
}

static int cmd_vcpu_list(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_dominfo *v = NULL;
    size_t n = 0;
    int rc = cli_parse(&cli_cmd_vcpu_list, argc, argv, NULL, &a), bad = 0;

    if (rc != CLI_CONTINUE)
        return rc;
    if (!(ctx = cli_ctx_open("vcpu-list")))
        return 1;
    if (xb_domain_list(ctx, &v, &n) != 0) {
        cli_error("vcpu-list: %s", xb_errmsg(ctx));
        xb_ctx_close(ctx);
        return 1;
    }
    printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State",
           "Time(s)", "Affinity (Hard / Soft)");
    for (size_t i = 0; a.n == 0 && i < n; i++)
        bad |= list_one(ctx, &v[i]);
    for (int k = 0; k < a.n; k++) {
        uint32_t id;

        if (cli_find(ctx, "vcpu-list", a.v[k], &id) != 0) {
            bad = 1;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (v[i].domid == id)
                bad |= list_one(ctx, &v[i]);
    }
    free(v);
    xb_ctx_close(ctx);
    return bad;
}

const struct cli_cmd cli_cmd_vcpu_list = {
    .name = "vcpu-list",
    .run = cmd_vcpu_list,
    .operands = "[DOMAIN...]",
    .summary = "the vCPUs of each domain: CPU, state, time, affinities",
};

struct vcpu_set_opts {
    bool ignore_host;
};

static const struct cli_opt vcpu_set_options[] = {
    {.short_name = 'i',
     .long_name = "ignore-host",
     .off = offsetof(struct vcpu_set_opts, ignore_host),
     .help = "allow more vCPUs online than the host has CPUs"},
};

static int cmd_vcpu_set(int argc, char **argv)
{
    struct vcpu_set_opts o = {0};
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_hostinfo h;
    char *end = NULL;
    unsigned long count = 0;
    uint32_t domid;
    int rc = cli_parse(&cli_cmd_vcpu_set, argc, argv, &o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n != 2 || ((count = strtoul(a.v[1], &end, 10)), *end || end == a.v[1]))
        return cli_usage_error(&cli_cmd_vcpu_set,
                               "expected DOMAIN and a number of vCPUs");
    if (!(ctx = cli_ctx_open("vcpu-set")))
        return 1;
    rc = cli_find(ctx, "vcpu-set", a.v[0], &domid);
    if (!rc && !o.ignore_host && xb_host_info(ctx, &h) == 0 && count > h.nr_cpus) {
        cli_error("vcpu-set: %lu vCPUs on a host of %u CPUs would overcommit it "
                  "(-i, --ignore-host, to do it anyway)",
                  count, h.nr_cpus);
        rc = 1;
    }
    if (!rc && xb_vcpu_set_online(ctx, domid, (unsigned)count) != 0) {
        cli_error("vcpu-set: %s", xb_errmsg(ctx));
        rc = 1;
    }
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_vcpu_set = {
    .name = "vcpu-set",
    .run = cmd_vcpu_set,
    .operands = "DOMAIN N",
    .summary = "bring vCPUs 0..N-1 of a domain online, the others offline",
    .opts = vcpu_set_options,
    .n_opts = sizeof(vcpu_set_options) / sizeof(vcpu_set_options[0]),
};

/* The CPUs of NUMA nodes @lo..@hi into @m. */
static int add_nodes(struct xb_ctx *ctx, unsigned lo, unsigned hi, struct xb_cpumap *m,
                     bool on)
{
    struct xb_cpu_topo *t = NULL;
    size_t n = 0;

    if (xb_host_cpu_topology(ctx, &t, &n) != 0)
        return -EIO;
    for (size_t i = 0; i < n && i < XB_CPUMAP_MAX; i++)
        if (t[i].node != XB_TOPO_NONE && t[i].node >= lo && t[i].node <= hi)
            set_bit(m, (unsigned)i, on);
    free(t);
    return 0;
}

/* "A" or "A-B" into lo/hi; the rest of the token must be empty. */
static int range(const char *s, unsigned *lo, unsigned *hi)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10), b = a;

    if (end == s)
        return -EINVAL;
    if (*end == '-') {
        const char *p = end + 1;

        b = strtoul(p, &end, 10);
        if (end == p)
            return -EINVAL;
    }
    if (*end || a > b || b >= XB_CPUMAP_MAX)
        return -EINVAL;
    *lo = (unsigned)a;
    *hi = (unsigned)b;
    return 0;
}

static int parse_token(struct xb_ctx *ctx, char *tok, unsigned nr_cpus,
                       struct xb_cpumap *m)
{
    bool on = tok[0] != '^';
    char *s = on ? tok : tok + 1;
    unsigned lo, hi;

    if (strcmp(s, "all") == 0) {
        for (unsigned i = 0; i < nr_cpus; i++)
            set_bit(m, i, on);
        return 0;
    }
    if (strncmp(s, "nodes:", 6) == 0 || strncmp(s, "node:", 5) == 0) {
        s = strchr(s, ':') + 1;
        return range(s, &lo, &hi) ? -EINVAL : add_nodes(ctx, lo, hi, m, on);
    }
    if (range(s, &lo, &hi) != 0)
        return -EINVAL;
    for (unsigned i = lo; i <= hi; i++)
        set_bit(m, i, on);
    return 0;
}

static int parse_cpus(struct xb_ctx *ctx, const char *s, unsigned nr_cpus,
                      struct xb_cpumap *m)
{
    char *copy = strdup(s), *save = NULL;
    int rc = copy ? 0 : -ENOMEM;

    *m = (struct xb_cpumap){0};
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc;
         t = strtok_r(NULL, ",", &save))
        rc = parse_token(ctx, t, nr_cpus, m);
    free(copy);
    return rc;
}

static int cmd_vcpu_pin(int argc, char **argv)
{
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_cpumap hard, soft;
    struct xb_hostinfo h;
    char *end = NULL;
    long vcpu = -1;
    uint32_t domid;
    bool keep_hard, keep_soft;
    int rc = cli_parse(&cli_cmd_vcpu_pin, argc, argv, NULL, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n < 3 || a.n > 4)
        return cli_usage_error(&cli_cmd_vcpu_pin, "expected DOMAIN VCPU HARD [SOFT]");
    if (strcmp(a.v[1], "all") != 0 &&
        ((vcpu = strtol(a.v[1], &end, 10)), *end || end == a.v[1] || vcpu < 0))
        return cli_usage_error(&cli_cmd_vcpu_pin, "VCPU: a number or \"all\", got \"%s\"",
                               a.v[1]);
    keep_hard = strcmp(a.v[2], "-") == 0;
    keep_soft = a.n < 4 || strcmp(a.v[3], "-") == 0;
    if (!(ctx = cli_ctx_open("vcpu-pin")))
        return 1;
    rc = cli_find(ctx, "vcpu-pin", a.v[0], &domid);
    if (!rc && xb_host_info(ctx, &h) != 0) {
        cli_error("vcpu-pin: %s", xb_errmsg(ctx));
        rc = 1;
    }
    if (!rc && ((!keep_hard && parse_cpus(ctx, a.v[2], h.nr_cpus, &hard) != 0) ||
                (!keep_soft && parse_cpus(ctx, a.v[3], h.nr_cpus, &soft) != 0))) {
        xb_ctx_close(ctx);
        return cli_usage_error(&cli_cmd_vcpu_pin,
                               "CPUs: expected a list such as \"all\", \"0-3,^2\" or "
                               "\"nodes:0\"");
    }
    if (!rc && xb_vcpu_pin(ctx, domid, (int)vcpu, keep_hard ? NULL : &hard,
                           keep_soft ? NULL : &soft) != 0) {
        cli_error("vcpu-pin: %s", xb_errmsg(ctx));
        rc = 1;
    }
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_vcpu_pin = {
    .name = "vcpu-pin",
    .run = cmd_vcpu_pin,
    .operands = "DOMAIN VCPU|all HARD [SOFT]",
    .summary = "set the CPUs a vCPU may run on (hard) and prefers (soft)",
};
