/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/cmd_info.c - info [-n] [--json] [FIELD] and dmesg [-c]: the
 * host and Xen as xl info shows them ("key : value" lines, or one JSON
 * object with the same keys; FIELD prints that value alone), and Xen's
 * console ring as xl dmesg.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <xbuild/builder.h>

#include "cli.h"
#include "json.h"

#define MAX_FIELDS 48

struct field {
    const char *key;
    char val[1100];
    bool number; /* a JSON number */
};

struct fields {
    struct field f[MAX_FIELDS];
    size_t n;
};

static void add(struct fields *fs, const char *key, bool number, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(struct fields *fs, const char *key, bool number, const char *fmt, ...)
{
    va_list ap;

    if (fs->n == MAX_FIELDS)
        return;
    fs->f[fs->n] = (struct field){.key = key, .number = number};
    va_start(ap, fmt);
    vsnprintf(fs->f[fs->n].val, sizeof(fs->f[fs->n].val), fmt, ap);
    va_end(ap);
    fs->n++;
}

static const struct {
    unsigned bit;
    const char *name;
} host_caps[] = {
    {XB_HOST_PV, "pv"},
    {XB_HOST_HVM, "hvm"},
    {XB_HOST_HAP, "hap"},
    {XB_HOST_SHADOW, "shadow"},
    {XB_HOST_IOMMU_HAP_PT_SHARE, "iommu_hap_pt_share"},
    {XB_HOST_VMTRACE, "vmtrace"},
    {XB_HOST_VPMU, "vpmu"},
    {XB_HOST_GNTTAB_V1, "gnttab-v1"},
    {XB_HOST_GNTTAB_V2, "gnttab-v2"},
};

static void node_fields(struct fields *fs)
{
    struct utsname u;

    if (uname(&u) != 0)
        return;
    add(fs, "host", false, "%s", u.nodename);
    add(fs, "release", false, "%s", u.release);
    add(fs, "version", false, "%s", u.version);
    add(fs, "machine", false, "%s", u.machine);
}

static void phys_fields(struct fields *fs, const struct xb_hostinfo *h)
{
    char caps[256] = "";
    uint64_t mib = (1u << 20) / (h->pagesize ? h->pagesize : 4096);

    add(fs, "nr_cpus", true, "%u", h->nr_cpus);
    add(fs, "max_cpu_id", true, "%u", h->max_cpu_id);
    add(fs, "nr_nodes", true, "%u", h->nr_nodes);
    add(fs, "cores_per_socket", true, "%u", h->cores_per_socket);
    add(fs, "threads_per_core", true, "%u", h->threads_per_core);
    add(fs, "cpu_mhz", true, "%u.%03u", h->cpu_khz / 1000, h->cpu_khz % 1000);
    add(fs, "hw_caps", false, "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", h->hw_cap[0],
        h->hw_cap[1], h->hw_cap[2], h->hw_cap[3], h->hw_cap[4], h->hw_cap[5],
        h->hw_cap[6], h->hw_cap[7]);
    for (size_t i = 0; i < sizeof(host_caps) / sizeof(host_caps[0]); i++)
        if (h->caps & host_caps[i].bit)
            snprintf(caps + strlen(caps), sizeof(caps) - strlen(caps), "%s%s",
                     caps[0] ? " " : "", host_caps[i].name);
    add(fs, "virt_caps", false, "%s", caps);
    add(fs, "total_memory", true, "%" PRIu64, h->total_pages / mib);
    add(fs, "free_memory", true, "%" PRIu64,
        (h->free_pages - h->outstanding_pages) / mib);
    add(fs, "sharing_freed_memory", true, "%" PRIu64, h->sharing_freed_pages / mib);
    add(fs, "sharing_used_memory", true, "%" PRIu64, h->sharing_used_frames / mib);
    add(fs, "outstanding_claims", true, "%" PRIu64, h->outstanding_pages / mib);
    add(fs, "free_cpus", true, "%u", h->free_cpus);
}

static void xen_fields(struct fields *fs, const struct xb_hostinfo *h)
{
    add(fs, "xen_major", true, "%u", h->xen_major);
    add(fs, "xen_minor", true, "%u", h->xen_minor);
    add(fs, "xen_extra", false, "%s", h->xen_extra);
    add(fs, "xen_version", false, "%u.%u%s", h->xen_major, h->xen_minor, h->xen_extra);
    add(fs, "xen_caps", false, "%s", h->xen_caps);
    add(fs, "xen_scheduler", false, "%s", h->scheduler);
    add(fs, "xen_pagesize", true, "%u", h->pagesize);
    add(fs, "platform_params", false, "virt_start=0x%" PRIx64, h->virt_start);
    add(fs, "xen_changeset", false, "%s", h->changeset);
    add(fs, "xen_commandline", false, "%s", h->commandline);
    add(fs, "cc_compiler", false, "%s", h->compiler);
    add(fs, "cc_compile_by", false, "%s", h->compile_by);
    add(fs, "cc_compile_domain", false, "%s", h->compile_domain);
    add(fs, "cc_compile_date", false, "%s", h->compile_date);
    add(fs, "build_id", false, "%s", h->build_id);
    add(fs, "xend_config_format", true, "4");
}

static void print_fields(const struct fields *fs, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        printf("%-23s: %s\n", fs->f[i].key, fs->f[i].val);
}

/* -n: the CPUs' places and the NUMA nodes, as xl info -n. */
static int print_topology(struct xb_ctx *ctx)
{
    struct xb_cpu_topo *t = NULL;
    struct xb_numa_node *nodes = NULL;
    size_t nt = 0, nn = 0;

    if (xb_host_cpu_topology(ctx, &t, &nt) != 0 || xb_host_numa(ctx, &nodes, &nn) != 0) {
        cli_error("info: %s", xb_errmsg(ctx));
        free(t);
        return 1;
    }
    printf("cpu_topology           :\ncpu:    core    socket     node\n");
    for (size_t i = 0; i < nt; i++)
        if (t[i].core != XB_TOPO_NONE)
            printf("%3zu:    %4u     %4u     %4u\n", i, t[i].core, t[i].socket,
                   t[i].node);
    printf("numa_info              :\nnode:    memsize    memfree    distances\n");
    for (size_t i = 0; i < nn; i++) {
        if (nodes[i].size == XB_TOPO_NONE)
            continue;
        printf("%4zu:    %6" PRIu64 "     %6" PRIu64 "      ", i, nodes[i].size >> 20,
               nodes[i].free >> 20);
        for (unsigned j = 0; j < nodes[i].ndist; j++)
            printf("%s%u", j ? "," : "", nodes[i].dist[j]);
        putchar('\n');
    }
    free(t);
    free(nodes);
    return 0;
}

static int print_json(const struct fields *fs)
{
    yajl_gen g = json_new();
    int rc;

    if (!g) {
        cli_error("info: out of memory");
        return 1;
    }
    yajl_gen_map_open(g);
    for (size_t i = 0; i < fs->n; i++) {
        json_str(g, fs->f[i].key);
        if (fs->f[i].number)
            yajl_gen_number(g, fs->f[i].val, strlen(fs->f[i].val));
        else
            json_str(g, fs->f[i].val);
    }
    yajl_gen_map_close(g);
    rc = json_print(g);
    yajl_gen_free(g);
    if (rc)
        cli_error("info: cannot write the JSON to stdout");
    return rc ? 1 : 0;
}

struct info_opts {
    bool numa, json;
};

static const struct cli_opt info_options[] = {
    {.short_name = 'n',
     .long_name = "numa",
     .off = offsetof(struct info_opts, numa),
     .excl = 1,
     .help = "also the CPU topology and the NUMA nodes"},
    {.long_name = "json",
     .off = offsetof(struct info_opts, json),
     .excl = 1,
     .help = "one JSON object with the same keys"},
};

static int cmd_info(int argc, char **argv)
{
    struct info_opts o = {0};
    struct cli_args a;
    struct xb_ctx *ctx;
    struct xb_hostinfo h;
    static struct fields fs;
    size_t phys_end;
    int rc = cli_parse(&cli_cmd_info, argc, argv, &o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n > 1 || (a.n && (o.numa || o.json)))
        return cli_usage_error(&cli_cmd_info, "FIELD alone, at most one");
    if (!(ctx = cli_ctx_open("info")))
        return 1;
    if (xb_host_info(ctx, &h) != 0) {
        cli_error("info: %s", xb_errmsg(ctx));
        xb_ctx_close(ctx);
        return 1;
    }
    fs.n = 0;
    node_fields(&fs);
    phys_fields(&fs, &h);
    phys_end = fs.n;
    xen_fields(&fs, &h);
    rc = 1;
    for (size_t i = 0; a.n && i < fs.n; i++)
        if (strcmp(fs.f[i].key, a.v[0]) == 0) {
            printf("%s\n", fs.f[i].val);
            rc = 0;
        }
    if (a.n && rc)
        cli_error("info: no field \"%s\" (xbuild info lists them)", a.v[0]);
    else if (!a.n && o.json)
        rc = print_json(&fs);
    else if (!a.n) {
        print_fields(&fs, 0, phys_end);
        rc = o.numa ? print_topology(ctx) : 0;
        print_fields(&fs, phys_end, fs.n);
    }
    xb_ctx_close(ctx);
    return rc;
}

const struct cli_cmd cli_cmd_info = {
    .name = "info",
    .run = cmd_info,
    .operands = "[FIELD]",
    .summary = "the host and Xen, as xl info (FIELD: that value alone)",
    .opts = info_options,
    .n_opts = sizeof(info_options) / sizeof(info_options[0]),
};

struct dmesg_opts {
    bool clear;
};

static const struct cli_opt dmesg_options[] = {
    {.short_name = 'c',
     .long_name = "clear",
     .off = offsetof(struct dmesg_opts, clear),
     .help = "empty the ring after printing it"},
};

static int cmd_dmesg(int argc, char **argv)
{
    struct dmesg_opts o = {0};
    struct cli_args a;
    struct xb_ctx *ctx;
    char *text = NULL;
    size_t len = 0;
    int rc = cli_parse(&cli_cmd_dmesg, argc, argv, &o, &a);

    if (rc != CLI_CONTINUE)
        return rc;
    if (a.n)
        return cli_usage_error(&cli_cmd_dmesg, "no operand expected, got \"%s\"", a.v[0]);
    if (!(ctx = cli_ctx_open("dmesg")))
        return 1;
    rc = xb_host_dmesg(ctx, o.clear, &text, &len);
    if (rc)
        cli_error("dmesg: %s", xb_errmsg(ctx));
    else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
        rc = 1;
    free(text);
    xb_ctx_close(ctx);
    return rc ? 1 : 0;
}

const struct cli_cmd cli_cmd_dmesg = {
    .name = "dmesg",
    .run = cmd_dmesg,
    .operands = "",
    .summary = "print Xen's console ring (its boot messages and warnings)",
    .opts = dmesg_options,
    .n_opts = sizeof(dmesg_options) / sizeof(dmesg_options[0]),
};
