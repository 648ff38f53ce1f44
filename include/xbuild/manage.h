/* SPDX-License-Identifier: MIT */
/*
 * xbuild/manage.h - managing running domains, whoever built them (xbuild or
 * xl): pause, shutdown and reboot requests, waiting, memory and vCPUs,
 * rename, sysrq, triggers, core dumps, uptime; the host (info, dmesg); and
 * the monitor that applies on_poweroff/on_reboot/on_crash/on_soft_reset to
 * the domains xbuild created.
 *
 * Every call takes a context of xbuild/builder.h, starts by forgetting the
 * context's previous error, returns 0 or a negative errno and keeps the
 * first root-cause message in the context (xb_errmsg()). A domain that does
 * not exist is -ESRCH with a message naming its id. Nothing here prints,
 * exits or forks.
 */
#ifndef XBUILD_MANAGE_H
#define XBUILD_MANAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/spec.h>

struct xb_ctx;

/* ---- requests to the guest and to Xen ---- */

/* Pause domain @domid (any but dom0); xb_domain_unpause() resumes it. */
int xb_domain_pause(struct xb_ctx *ctx, uint32_t domid);

enum xb_request {
    XB_REQ_POWEROFF = 0, /* control/shutdown = "poweroff" */
    XB_REQ_REBOOT,       /* control/shutdown = "reboot" */
};

/* Flags of xb_domain_request(). */
enum {
    /*
     * A guest that does not answer PV control requests (it never wrote
     * control/feature-poweroff or feature-reboot) is shut down by Xen
     * instead, with the reason the request names, as if it had asked:
     * its monitor then applies on_poweroff/on_reboot.
     */
    XB_REQ_FORCE = 1u << 0,
};

/*
 * Ask the guest of domain @domid to power off or reboot, as xl does: write
 * its control/shutdown node (the guest acts on it; nothing waits for it).
 * With XB_REQ_FORCE and a guest without PV control, Xen shuts it down
 * instead and *forced (when not NULL) is set. -EPERM for dom0.
 */
int xb_domain_request(struct xb_ctx *ctx, uint32_t domid, enum xb_request req,
                      unsigned flags, bool *forced);

/* What xb_domain_wait() waited for. */
enum xb_wait_result {
    XB_WAIT_GONE = 0, /* the domain no longer exists */
    XB_WAIT_KEPT,     /* it shut down and stays so: xbuild's monitor
                         preserved it, or no xbuild monitor acts on it */
};

/*
 * Wait up to @timeout_ms (-1: forever) until domain @domid is gone, or has
 * shut down and will stay shut down (*result says which). Event-driven (a
 * xenstore @releaseDomain watch), no polling. -ETIMEDOUT when it did not
 * happen in time. A domain that is gone already is XB_WAIT_GONE at once.
 */
int xb_domain_wait(struct xb_ctx *ctx, uint32_t domid, int timeout_ms,
                   enum xb_wait_result *result);

/* Send magic SysRq @key to the guest (control/sysrq, as xl sysrq). */
int xb_domain_sysrq(struct xb_ctx *ctx, uint32_t domid, char key);

/* Triggers of XEN_DOMCTL_sendtrigger; only nmi applies to PV guests. */
enum xb_trigger {
    XB_TRIGGER_NMI = 0,
    XB_TRIGGER_RESET,
    XB_TRIGGER_INIT,
    XB_TRIGGER_POWER,
    XB_TRIGGER_SLEEP,
    XB_TRIGGER_S3RESUME, /* Xen 4.17 has no domctl for it: -EOPNOTSUPP */
    XB_TRIGGER_COUNT,
};

/* "nmi", "reset", "init", "power", "sleep", "s3resume"; "?" out of range. */
const char *xb_trigger_name(enum xb_trigger t);

/* The trigger named exactly @name: 0 and *out set, or -EINVAL. */
int xb_trigger_from_name(const char *name, enum xb_trigger *out);

/* Send trigger @t to vCPU @vcpu of domain @domid. */
int xb_domain_trigger(struct xb_ctx *ctx, uint32_t domid, enum xb_trigger t,
                      unsigned vcpu);

/*
 * Write a core file of domain @domid to @path (an ELF core in the format
 * of xl dump-core, readable by Xen's crash tools). The domain is paused
 * while its memory is read, then left as it was.
 */
int xb_domain_dump_core(struct xb_ctx *ctx, uint32_t domid, const char *path);

/*
 * Rename domain @domid to @name, atomically against creates and other
 * renames: -EEXIST when another domain carries @name. Updates every place
 * the name lives: /local/domain/N/name, /vm/UUID/name, the monitor's
 * record and libxl's stored configuration (so that xl sees it too).
 */
int xb_domain_rename(struct xb_ctx *ctx, uint32_t domid, const char *name);

/* ---- memory and vCPUs ---- */

/*
 * Set domain @domid's memory target (memory/target, what its balloon
 * driver aims for) to @kib, and its Xen maximum to the target plus Xen's
 * slack, as xl mem-set does. -EINVAL above its static maximum
 * (memory/static-max: raise it with xb_domain_set_max_memory() first).
 */
int xb_domain_set_memory(struct xb_ctx *ctx, uint32_t domid, uint64_t kib);

/*
 * Set domain @domid's static maximum (memory/static-max and Xen's maximum
 * plus slack) to @kib, as xl mem-max does. -EINVAL below its current
 * target.
 */
int xb_domain_set_max_memory(struct xb_ctx *ctx, uint32_t domid, uint64_t kib);

/* CPU maps: CPU (or NUMA node) i is bit i % 64 of bits[i / 64]. */
#define XB_CPUMAP_MAX 1024
struct xb_cpumap {
    uint64_t bits[XB_CPUMAP_MAX / 64];
};

/* One vCPU of a domain, as xl vcpu-list shows it. */
struct xb_vcpuinfo {
    unsigned vcpu;
    bool online, running, blocked;
    unsigned cpu; /* the physical CPU it is on, when online */
    uint64_t cpu_time_ns;
    struct xb_cpumap hard, soft; /* affinities */
};

/*
 * Every vCPU of domain @domid in order: *out is a malloc'd array of *n
 * entries (caller frees). *nr_cpus (when not NULL) is the host's CPU count,
 * the width of the maps.
 */
int xb_vcpu_list(struct xb_ctx *ctx, uint32_t domid, struct xb_vcpuinfo **out, size_t *n,
                 unsigned *nr_cpus);

/*
 * Bring vCPUs 0..@count-1 of domain @domid online and the others offline
 * (cpu/N/availability, which the guest acts on, as xl vcpu-set). -EINVAL
 * when @count is 0 or above the domain's maximum.
 */
int xb_vcpu_set_online(struct xb_ctx *ctx, uint32_t domid, unsigned count);

/*
 * Pin vCPU @vcpu of domain @domid (-1: every vCPU) to the CPUs of @hard
 * and prefer those of @soft; NULL leaves that affinity as it is. -EINVAL
 * for a map with no CPU of the host, or a vCPU the domain does not have.
 */
int xb_vcpu_pin(struct xb_ctx *ctx, uint32_t domid, int vcpu,
                const struct xb_cpumap *hard, const struct xb_cpumap *soft);

/* The NUMA nodes domain @domid has affinity with. */
int xb_domain_node_affinity(struct xb_ctx *ctx, uint32_t domid, struct xb_cpumap *nodes);

/*
 * How long domain @domid has existed, in seconds: dom0 since the host
 * booted (/proc/uptime), any other since its /vm/UUID/start_time (written
 * by xbuild and xl alike). -ENOENT when it has no start time.
 */
int xb_domain_uptime(struct xb_ctx *ctx, uint32_t domid, uint64_t *seconds);

/* The name of cpupool @pool (/local/pool/N/name) into @buf; "Pool-N" if unnamed. */
int xb_cpupool_name(struct xb_ctx *ctx, uint32_t pool, char *buf, size_t size);

/* ---- the host ---- */

/* Host capability bits of struct xb_hostinfo, in xl info's order. */
enum {
    XB_HOST_PV = 1u << 0,
    XB_HOST_HVM = 1u << 1,
    XB_HOST_HAP = 1u << 2,
    XB_HOST_SHADOW = 1u << 3,
    XB_HOST_IOMMU_HAP_PT_SHARE = 1u << 4,
    XB_HOST_VMTRACE = 1u << 5,
    XB_HOST_VPMU = 1u << 6,
    XB_HOST_GNTTAB_V1 = 1u << 7,
    XB_HOST_GNTTAB_V2 = 1u << 8,
    XB_HOST_DIRECTIO = 1u << 9,
};

/* The host and Xen, as xl info shows them. */
struct xb_hostinfo {
    unsigned nr_cpus, max_cpu_id, nr_nodes, max_node_id;
    unsigned cores_per_socket, threads_per_core;
    unsigned cpu_khz;
    uint32_t hw_cap[8];
    unsigned caps; /* XB_HOST_* */
    uint64_t total_pages, free_pages, outstanding_pages;
    uint64_t sharing_freed_pages, sharing_used_frames;
    unsigned free_cpus; /* CPUs in no cpupool */
    unsigned xen_major, xen_minor;
    char xen_extra[16];
    char xen_caps[256];
    char scheduler[16]; /* "credit2", ... */
    unsigned pagesize;
    uint64_t virt_start;
    char changeset[64];
    char commandline[1024];
    char compiler[64], compile_by[16], compile_domain[32], compile_date[32];
    char build_id[80]; /* hex */
};

/* Fill @out. */
int xb_host_info(struct xb_ctx *ctx, struct xb_hostinfo *out);

/* One CPU's place; XB_TOPO_NONE where the host does not say. */
#define XB_TOPO_NONE UINT32_MAX
struct xb_cpu_topo {
    uint32_t core, socket, node;
};

/* One NUMA node: memory and distances to the others (XB_TOPO_NONE: unknown). */
#define XB_NUMA_MAX 64
struct xb_numa_node {
    uint64_t size, free; /* bytes; XB_TOPO_NONE size: no such node */
    uint32_t dist[XB_NUMA_MAX];
    unsigned ndist;
};

/* Every CPU's topology / every NUMA node: malloc'd arrays (caller frees). */
int xb_host_cpu_topology(struct xb_ctx *ctx, struct xb_cpu_topo **out, size_t *n);
int xb_host_numa(struct xb_ctx *ctx, struct xb_numa_node **out, size_t *n);

/*
 * Xen's console ring (xl dmesg): *text malloc'd, NUL-terminated, *len
 * bytes (caller frees). @clear empties the ring after reading it.
 */
int xb_host_dmesg(struct xb_ctx *ctx, bool clear, char **text, size_t *len);

/* ---- the monitor of the domains xbuild created ---- */

/*
 * Each domain created with xb_create_opts.source has a record in xenstore
 * (/xbuild/domains/DOMID, dom0 only): its name and uuid, its on_* actions
 * and the config it was created from. The monitor is a process (the CLI
 * runs one for all domains) that calls xb_monitor_step() in a loop: its
 * whole state is those records, so a monitor that is killed and started
 * again loses nothing, and a shutdown that happened while none ran is
 * handled when the next one starts.
 */
struct xb_monitor;

/* What xb_monitor_step() did about one domain. */
struct xb_monitor_event {
    uint32_t domid;     /* the domain that shut down (or went away) */
    uint32_t new_domid; /* its restart, when action restarts it */
    char name[128];
    unsigned reason;       /* SHUTDOWN_* of xen/sched.h */
    enum xb_action action; /* what was applied */
    bool gone;             /* destroyed by someone else: record dropped */
    int rc;                /* 0, or why the action failed (msg says) */
    char msg[XB_ERRMSG_MAX];
};

/*
 * Become a monitor: watch @releaseDomain and the records. On success *out
 * belongs to the caller (xb_monitor_close()); @ctx is borrowed and used by
 * the monitor until then (one monitor per context). Two monitors at once
 * are harmless (each action is claimed in a transaction) but pointless:
 * the CLI runs one (a lock file).
 */
int xb_monitor_open(struct xb_ctx *ctx, struct xb_monitor **out);

/*
 * Handle what is pending: a recorded domain that shut down gets its
 * action (destroy, restart, rename-restart, preserve, coredump-*,
 * soft-reset as restart) and is reported in *ev (returns 1); a restart
 * interrupted by a monitor's death is finished. Otherwise waits up to
 * @timeout_ms (-1: forever) for an event and returns 0 when none came.
 * Call it again after each 1: one event per call. <0 on error.
 */
int xb_monitor_step(struct xb_monitor *m, int timeout_ms, struct xb_monitor_event *ev);

/*
 * How many domains have a record, restarts under way included (0: nothing
 * for a monitor to watch). Needs no monitor.
 */
int xb_monitor_count(struct xb_ctx *ctx, size_t *n);

/* Stop watching and free @m. Accepts NULL. */
void xb_monitor_close(struct xb_monitor *m);

#endif
