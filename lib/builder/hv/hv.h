/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/hv.h - every contact with the hypervisor goes through this
 * table of operations (xenstore has its own, hv/xs.h). Two backends:
 *   hv/xen.c   the real one, over libxenctrl and libxenforeignmemory;
 *   hv/sim/    a simulated machine for unit tests and --dry-run: scrambled
 *              machine frames, guest memory in RAM, recorded vCPU context
 *              and pins, a page-table and p2m validator, fault injection.
 * The builder calls a backend only through hv->ops.
 *
 * Errors: every op returns 0 or a negative errno. When it fails it records
 * its message in @err, unless @err already holds one (first error wins) or
 * is NULL. A caller that expects a failure and handles it (a superpage that
 * may not be there, a domain that may be gone) passes NULL: nothing shared
 * has to be saved and restored around such a probe.
 *
 * Frame numbers: for PV guests the builder deals in guest pfns and machine
 * frames (mfns): map_foreign, pin_table and hypercall_init take mfns. For
 * PVH (translated) guests every "mfn" argument is a gfn.
 */
#ifndef XB_HV_HV_H
#define XB_HV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/manage.h>

typedef uint64_t xb_pfn; /* guest (pseudo-)physical frame number */
typedef uint64_t xb_mfn; /* machine frame number (PV) or gfn (PVH) */

#define XB_NO_MFN     UINT64_MAX /* "no frame" */
#define XB_PAGE_SHIFT 12
#define XB_PAGE_SIZE  (1ull << XB_PAGE_SHIFT)

struct xb_hv;

struct xb_hv_physinfo {
    char caps[256]; /* Xen's capabilities: "xen-3.0-x86_64 hvm-3.0-x86_32 ..." */
    unsigned xen_major, xen_minor;
    uint64_t total_pages, free_pages;
    uint32_t nr_cpus;
    bool hap; /* hardware-assisted paging (PVH possible) */
};

enum xb_hv_domtype { XB_HV_DOM_PV = 0, XB_HV_DOM_PVH };

struct xb_hv_domcfg {
    enum xb_hv_domtype type;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;  /* 0 = default */
    uint32_t max_grant_frames; /* 0 = default */
    uint32_t max_maptrack_frames;
    uint8_t handle[16]; /* the domain's UUID */
    bool msr_relaxed;   /* x86: XEN_X86_MSR_RELAXED, xl.cfg's msr_relaxed */
    bool hap;           /* PVH: hardware-assisted paging (else shadow paging) */
};

#define XB_HV_E820_MAX 16 /* entries of a memory map the builder sets */

/* One entry of a domain's memory map (XENMEM_set_memory_map), e820 types. */
struct xb_hv_e820 {
    uint64_t addr, size;
    uint32_t type; /* 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable */
};

enum {
    XB_DOMINFO_DYING = 1u << 0,
    XB_DOMINFO_SHUTDOWN = 1u << 1,
    XB_DOMINFO_PAUSED = 1u << 2,
    XB_DOMINFO_BLOCKED = 1u << 3,
    XB_DOMINFO_RUNNING = 1u << 4,
    XB_DOMINFO_HVM = 1u << 5, /* HVM or PVH container */
};

struct xb_hv_dominfo {
    uint32_t domid;
    uint32_t flags;           /* XB_DOMINFO_* */
    uint32_t shutdown_reason; /* SHUTDOWN_* of xen/sched.h when XB_DOMINFO_SHUTDOWN */
    uint64_t tot_pages, max_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time_ns;
    uint32_t nr_online_vcpus, max_vcpu_id;
    uint8_t handle[16];
    uint32_t cpupool, ssidref;
};

/* One vCPU, as the management ops report it. */
struct xb_hv_vcpuinfo {
    bool online, blocked, running;
    uint32_t cpu; /* where it runs (meaningful when online) */
    uint64_t cpu_time_ns;
};

struct xb_hv_ops {
    const char *name; /* "xen" or "sim" */

    /* -- the hypervisor -- */
    int (*physinfo)(struct xb_hv *hv, struct xb_err *err, struct xb_hv_physinfo *out);

    /* -- domain lifecycle -- */
    int (*domain_create)(struct xb_hv *hv, struct xb_err *err,
                         const struct xb_hv_domcfg *cfg, uint32_t *domid);
    int (*domain_destroy)(struct xb_hv *hv, struct xb_err *err, uint32_t domid);
    int (*domain_pause)(struct xb_hv *hv, struct xb_err *err, uint32_t domid);
    int (*domain_unpause)(struct xb_hv *hv, struct xb_err *err, uint32_t domid);
    int (*domain_shutdown)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           unsigned reason);
    /* Up to @max domains with domid >= @first; *n set to how many were filled. */
    int (*domain_info)(struct xb_hv *hv, struct xb_err *err, uint32_t first,
                       struct xb_hv_dominfo *info, unsigned max, unsigned *n);
    int (*set_max_vcpus)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned max);
    int (*set_max_mem)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                       uint64_t kib);
    int (*set_address_size)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            unsigned bits);

    /* -- memory -- */
    /*
     * Populate @nr extents of 2^@order pages. frames[i] holds the first gpfn
     * of extent i on entry and, for PV, its first mfn on return (the extent's
     * mfns are contiguous). Fails as a whole: partial success is rolled back
     * by destroying the domain. -ENOMEM when Xen has no such extent.
     */
    int (*populate_physmap)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            unsigned order, size_t nr, uint64_t *frames);
    /* Map @n frames read-write (writable=true) or read-only; NULL on error. */
    void *(*map_foreign)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         bool writable, const xb_mfn *frames, size_t n);
    int (*unmap_foreign)(struct xb_hv *hv, struct xb_err *err, void *addr, size_t n);
    /* Pin a page-table frame: level 4 (x86_64) or 3 (x86_32 PAE). */
    int (*pin_table)(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned level,
                     xb_mfn mfn);
    /* XEN_DOMCTL_hypercall_init: fill the guest frame @mfn with the hypercall page. */
    int (*hypercall_init)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          xb_mfn mfn);
    /* Set vCPU @vcpu's context; @ctx is a vcpu_guest_context_{x86_64,x86_32} of @len
     * bytes. */
    int (*set_vcpu_context)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            unsigned vcpu, const void *ctx, size_t len);
    /* Allocate an unbound port in @domid that @remote may bind. */
    int (*evtchn_alloc_unbound)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                                uint32_t remote, uint32_t *port);
    /*
     * Seed the guest's grant table: entry 0 (console) grants @console_gfn to
     * @console_domid, entry 1 (xenstore) grants @xenstore_gfn to @xenstore_domid.
     */
    int (*gnttab_seed)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                       xb_pfn console_gfn, xb_pfn xenstore_gfn, uint32_t console_domid,
                       uint32_t xenstore_domid);

    /*
     * -- translated (PVH) domains --
     * Frames are gfns: populate_physmap leaves frames[] as given (Xen keeps
     * the p2m), map_foreign and gnttab_seed take gfns. These ops are for
     * XB_HV_DOM_PVH domains only.
     */
    /* XENMEM_set_memory_map: the map the guest reads with XENMEM_memory_map. */
    int (*set_memory_map)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          const struct xb_hv_e820 *map, unsigned n);
    /* HVMOP_set_param: HVM_PARAM_* of xen/hvm/params.h. */
    int (*hvm_param_set)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned param, uint64_t value);
    /* XEN_DOMCTL_set_paging_mempool_size: HAP's page-table pool, in bytes. */
    int (*set_paging_pool)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           uint64_t bytes);
    /*
     * XEN_DOMCTL_gethvmcontext: the domain's whole HVM context (a stream of
     * hvm_save_descriptor + record, xen/hvm/save.h) into @buf of @size
     * bytes; *len its length. @buf NULL: *len is the size it needs.
     */
    int (*hvm_get_context)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           uint8_t *buf, size_t size, size_t *len);
    /* XEN_DOMCTL_sethvmcontext: load the records of @buf (HEADER first, END last). */
    int (*hvm_set_context)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           const uint8_t *buf, size_t len);

    /*
     * -- management: what the lifecycle verbs need (vcpu-list/-pin, list
     * -n, info, dmesg, trigger, dump-core) --
     * CPU and node maps are bitmaps of @len bytes: CPU i is bit i % 8 of
     * byte i / 8. A map shorter than the host's is cut (get) or padded
     * with zeroes (set); Xen's own map size is the backend's business.
     */
    int (*vcpu_info)(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned vcpu,
                     struct xb_hv_vcpuinfo *out);
    int (*vcpu_get_affinity)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned vcpu, uint8_t *hard, uint8_t *soft, size_t len);
    /* NULL leaves that affinity as it is. */
    int (*vcpu_set_affinity)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned vcpu, const uint8_t *hard, const uint8_t *soft,
                             size_t len);
    int (*node_affinity)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         uint8_t *map, size_t len);
    /* XEN_DOMCTL_sendtrigger; @trigger is an enum xb_trigger. */
    int (*send_trigger)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                        unsigned trigger, unsigned vcpu);
    /* Xen's console ring, malloc'd and NUL-terminated; @clear empties it after. */
    int (*read_console)(struct xb_hv *hv, struct xb_err *err, bool clear, char **text,
                        size_t *len);
    /* The host and Xen, as `xl info` shows them (uname fields not included). */
    int (*host_info)(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *out);
    /* Up to @max CPUs' topology / NUMA nodes; *n set to how many the host has. */
    int (*cpu_topology)(struct xb_hv *hv, struct xb_err *err, struct xb_cpu_topo *out,
                        size_t max, size_t *n);
    int (*numa_info)(struct xb_hv *hv, struct xb_err *err, struct xb_numa_node *out,
                     size_t max, size_t *n);
    /* An ELF core file of @domid at @path (libxenctrl's format, as xl dump-core). */
    int (*dump_core)(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                     const char *path);

    /* Close the backend and free it. */
    void (*close)(struct xb_hv *hv);
};

/* Every backend instance starts with this; backends embed it first. */
struct xb_hv {
    const struct xb_hv_ops *ops;
};

#endif
