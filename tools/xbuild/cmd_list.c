/* SPDX-License-Identifier: MIT */
/*
 * xbuild list [-l|--json] [DOMAIN...] - the domains on this host, whoever
 * built them, in xl's columns (Name ID Mem VCPUs State Time(s)) or as JSON
 * with their runtime state.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbuild/builder.h>

#include "cli.h"
#include "json.h"

static const struct {
    unsigned bit;
    char c;
} state_chars[] = {
    {XB_DOM_RUNNING, 'r'},  {XB_DOM_BLOCKED, 'b'}, {XB_DOM_PAUSED, 'p'},
    {XB_DOM_SHUTDOWN, 's'}, {XB_DOM_CRASHED, 'c'}, {XB_DOM_DYING, 'd'},
};

static const char *const shutdown_names[] = {
    "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

/* xl's six-letter State column: "r-----", "-b----", ... A crash is a
 * shutdown too: xl shows "---sc-". */
static void state_str(unsigned state, char out[7])
{
    if (state & XB_DOM_CRASHED)
        state |= XB_DOM_SHUTDOWN;
    for (size_t i = 0; i < 6; i++)
        out[i] = state & state_chars[i].bit ? state_chars[i].c : '-';
    out[6] = '\0';
}

static const char *name_or_null(const struct xb_dominfo *d)
{
    return d->name[0] ? d->name : "(null)";
}

static void print_table(const struct xb_dominfo *v, size_t n)
{
    char st[7];

    printf("%-40s %5s %5s %5s\t%s\t%s\n", "Name", "ID", "Mem", "VCPUs", "State",
           "Time(s)");
    for (size_t i = 0; i < n; i++) {
        state_str(v[i].state, st);
        printf("%-40s %5u %5llu %5u     %s  %8.1f\n", name_or_null(&v[i]), v[i].domid,
               (unsigned long long)(v[i].mem_kib / 1024), v[i].vcpus_online, st,
               (double)v[i].cpu_time_ns / 1e9);
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
    const uint8_t *u = d->uuid;

    snprintf(uuid, sizeof(uuid),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
    state_str(d->state, st);
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

struct list_opts {
    bool json; /* -l, --json */
};

static const struct cli_opt list_options[] = {
    {.short_name = 'l',
     .long_name = "json",
     .off = offsetof(struct list_opts, json),
     .help = "print JSON, one object per domain with its runtime state"},
};

static int cmd_list(int argc, char **argv)
{
    struct list_opts o = {0};
    struct cli_args args;
    struct xb_ctx *ctx = NULL;
    struct xb_dominfo *v = NULL;
    struct xb_err err = {0};
    size_t n = 0;
    int status = cli_parse(&cli_cmd_list, argc, argv, &o, &args);

    if (status != CLI_CONTINUE)
        return status;
    status = 1;
    if (xb_ctx_open("xen", &ctx, &err) != 0) {
        cli_error("list: %s", err.msg);
        return 1;
    }
    if (xb_domain_list(ctx, &v, &n) != 0) {
        cli_error("list: %s", xb_errmsg(ctx));
        goto out;
    }
    if (args.n && select_domains(ctx, args.v, args.n, v, &n) != 0)
        goto out;
    if (o.json)
        status = print_json(v, n);
    else {
        print_table(v, n);
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
