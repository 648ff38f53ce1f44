/* SPDX-License-Identifier: MIT */
/*
 * xbuild list [-l|--json] [-v] [-Z] [-c] [-n] [DOMAIN...] - the domains on
 * this host, whoever built them, in xl's columns (Name ID Mem VCPUs State
 * Time(s); -v adds UUID, Reason-Code and Security Label, -Z the label, -c
 * the Cpupool, -n the NODE Affinity) or as JSON with their runtime state.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"
#include "json.h"

static const char *const shutdown_names[] = {
    "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

/*
 * xl's six-letter State column: running, blocked, paused, shut down, the
 * reason's letter (- poweroff, r reboot, s suspend, c crash, w watchdog,
 * S soft reset), dying: "r-----", "---sc-", ...
 */
static void state_str(const struct xb_dominfo *d, char out[7])
{
    static const char reason_letters[] = "-rscwS";
    bool down = d->state & (XB_DOM_SHUTDOWN | XB_DOM_CRASHED);

    out[0] = d->state & XB_DOM_RUNNING ? 'r' : '-';
    out[1] = d->state & XB_DOM_BLOCKED ? 'b' : '-';
    out[2] = d->state & XB_DOM_PAUSED ? 'p' : '-';
    out[3] = down ? 's' : '-';
    out[4] = !down ? '-'
             : d->shutdown_reason < sizeof(reason_letters) - 1
                 ? reason_letters[d->shutdown_reason]
                 : '?';
    out[5] = d->state & XB_DOM_DYING ? 'd' : '-';
    out[6] = '\0';
}

static void uuid_str(const uint8_t *u, char out[37])
{
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

static const char *name_or_null(const struct xb_dominfo *d)
{
    return d->name[0] ? d->name : "(null)";
}

struct list_opts {
    bool json;    /* -l, --json */
    bool verbose; /* -v: UUID, reason code, security label */
    bool context; /* -Z: security label */
    bool cpupool; /* -c */
    bool numa;    /* -n: NODE Affinity */
};

static void print_header(const struct list_opts *o)
{
    printf("%-40s %5s %5s %5s\t%s\t%s", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
    if (o->verbose)
        printf("   UUID                            Reason-Code\tSecurity Label");
    if (o->context && !o->verbose)
        printf("   Security Label");
    if (o->cpupool)
        printf("         Cpupool");
    if (o->numa)
        printf(" NODE Affinity");
    putchar('\n');
}

/* "0-1,3" of the set bits of @m below @n; "all" when all are set. */
static void print_nodes(const struct xb_cpumap *m, unsigned n)
{
    unsigned set = 0;
    bool first = true;

    for (unsigned i = 0; i < n; i++)
        set += (unsigned)(m->bits[i / 64] >> (i % 64) & 1);
    if (set == n) {
        fputs("all", stdout);
        return;
    }
    for (unsigned i = 0; i < n; i++)
        if (m->bits[i / 64] >> (i % 64) & 1) {
            printf("%s%u", first ? "" : ",", i);
            first = false;
        }
    if (first)
        fputs("none", stdout);
}

/* The optional columns of one row. */
static void print_extras(struct xb_ctx *ctx, const struct xb_dominfo *d,
                         const struct list_opts *o, unsigned nodes)
{
    char uuid[37], label[24], pool[64];
    struct xb_cpumap m;

    uuid_str(d->uuid, uuid);
    snprintf(label, sizeof(label), d->ssidref ? "ssidref %u" : "-", d->ssidref);
    if (o->verbose) {
        printf(" %s", uuid);
        if (d->state & (XB_DOM_SHUTDOWN | XB_DOM_CRASHED))
            printf(" %8x", d->shutdown_reason);
        else
            printf(" %8s", "-");
    }
    if (o->verbose || o->context)
        printf(" %16s", label);
    if (o->cpupool && xb_cpupool_name(ctx, d->cpupool, pool, sizeof(pool)) == 0)
        printf("%16s", pool);
    if (o->numa && xb_domain_node_affinity(ctx, d->domid, &m) == 0) {
        putchar(' ');
        print_nodes(&m, nodes);
    }
}

static void print_table(struct xb_ctx *ctx, const struct xb_dominfo *v, size_t n,
                        const struct list_opts *o)
{
    struct xb_hostinfo h = {.nr_nodes = 1};
    char st[7];

    if (o->numa && xb_host_info(ctx, &h) != 0)
        h.nr_nodes = 1;
    print_header(o);
    for (size_t i = 0; i < n; i++) {
        state_str(&v[i], st);
        printf("%-40s %5u %5llu %5u     %s  %8.1f", name_or_null(&v[i]), v[i].domid,
               (unsigned long long)(v[i].mem_kib / 1024), v[i].vcpus_online, st,
               (double)v[i].cpu_time_ns / 1e9);
        print_extras(ctx, &v[i], o, h.nr_nodes ? h.nr_nodes : 1);
        putchar('\n');
    }
}

static void gen_shutdown(yajl_gen g, const struct xb_dominfo *d)
{
    json_str(g, "shutdown_reason");
    if (!(d->state & (XB_DOM_SHUTDOWN | XB_DOM_CRASHED)))
        yajl_gen_null(g);
    else if (d->shutdown_reason < sizeof(shutdown_names) / sizeof(shutdown_names[0]))
        json_str(g, shutdown_names[d->shutdown_reason]);
    else
        yajl_gen_integer(g, d->shutdown_reason);
}

static void gen_domain(yajl_gen g, const struct xb_dominfo *d)
{
    char uuid[37], st[7], secs[32];

    uuid_str(d->uuid, uuid);
    state_str(d, st);
    yajl_gen_map_open(g);
    json_kv_int(g, "domid", (long long)d->domid);
    json_str(g, "name");
    if (d->name[0])
        json_str(g, d->name);
    else
        yajl_gen_null(g);
    json_kv_str(g, "uuid", uuid);
    json_kv_str(g, "type", d->type);
    json_kv_str(g, "state", st);
    gen_shutdown(g, d);
    json_kv_int(g, "memory_kib", (long long)d->mem_kib);
    json_kv_int(g, "max_memory_kib", (long long)d->maxmem_kib);
    json_kv_int(g, "target_memory_kib", (long long)d->target_kib);
    json_kv_int(g, "vcpus_online", (long long)d->vcpus_online);
    json_kv_int(g, "max_vcpus", (long long)d->max_vcpus);
    json_kv_int(g, "cpupool", (long long)d->cpupool);
    json_kv_int(g, "ssidref", (long long)d->ssidref);
    json_str(g, "cpu_time_s");
    snprintf(secs, sizeof(secs), "%.3f", (double)d->cpu_time_ns / 1e9);
    yajl_gen_number(g, secs, strlen(secs));
    yajl_gen_map_close(g);
}

static int print_json(const struct xb_dominfo *v, size_t n)
{
    yajl_gen g = json_new();
    int rc;

    if (!g) {
        cli_error("list: out of memory");
        return 1;
    }
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        gen_domain(g, &v[i]);
    yajl_gen_array_close(g);
    rc = json_print(g);
    yajl_gen_free(g);
    if (rc)
        cli_error("list: cannot write the JSON to stdout");
    return rc ? 1 : 0;
}

/* Keep only the domains named on the command line, in that order. */
static int select_domains(struct xb_ctx *ctx, char **names, int count,
                          struct xb_dominfo *v, size_t *n)
{
    struct xb_dominfo *all = malloc(*n * sizeof(*all) + 1);
    size_t kept = 0;
    uint32_t id;

    if (!all) {
        cli_error("list: out of memory");
        return 1;
    }
    memcpy(all, v, *n * sizeof(*all));
    for (int i = 0; i < count; i++) {
        if (xb_domain_find(ctx, names[i], &id) != 0) {
            cli_error("list: %s", xb_errmsg(ctx));
            free(all);
            return 1;
        }
        for (size_t k = 0; k < *n; k++)
            if (all[k].domid == id && kept < *n)
                v[kept++] = all[k];
    }
    free(all);
    *n = kept;
    return 0;
}

static const struct cli_opt list_options[] = {
    {.short_name = 'l',
     .long_name = "json",
     .off = offsetof(struct list_opts, json),
     .excl = 0x1e, /* --json excludes the columns */
     .help = "print JSON, one object per domain with its runtime state"},
    {.short_name = 'v',
     .long_name = "verbose",
     .off = offsetof(struct list_opts, verbose),
     .excl = 0x2,
     .help = "also UUID, Reason-Code and Security Label"},
    {.short_name = 'Z',
     .long_name = "context",
     .off = offsetof(struct list_opts, context),
     .excl = 0x4,
     .help = "also the Security Label (XSM; \"-\" without)"},
    {.short_name = 'c',
     .long_name = "cpupool",
     .off = offsetof(struct list_opts, cpupool),
     .excl = 0x8,
     .help = "also the Cpupool"},
    {.short_name = 'n',
     .long_name = "numa",
     .off = offsetof(struct list_opts, numa),
     .excl = 0x10,
     .help = "also the NODE Affinity"},
};

static int cmd_list(int argc, char **argv)
{
    struct list_opts o = {0};
    struct cli_args args;
    struct xb_ctx *ctx = NULL;
    struct xb_dominfo *v = NULL;
    size_t n = 0;
    int status = cli_parse(&cli_cmd_list, argc, argv, &o, &args);

    if (status != CLI_CONTINUE)
        return status;
    status = 1;
    if (!(ctx = cli_ctx_open("list")))
        return 1;
    if (xb_domain_list(ctx, &v, &n) != 0) {
        cli_error("list: %s", xb_errmsg(ctx));
        goto out;
    }
    if (args.n && select_domains(ctx, args.v, args.n, v, &n) != 0)
        goto out;
    if (o.json)
        status = print_json(v, n);
    else {
        print_table(ctx, v, n, &o);
        status = 0;
    }
out:
    free(v);
    xb_ctx_close(ctx);
    return status;
}

const struct cli_cmd cli_cmd_list = {
    .name = "list",
    .run = cmd_list,
    .operands = "[DOMAIN...]",
    .summary = "list the domains: Name ID Mem VCPUs State Time(s), as xl list",
    .opts = list_options,
    .n_opts = sizeof(list_options) / sizeof(list_options[0]),
};
