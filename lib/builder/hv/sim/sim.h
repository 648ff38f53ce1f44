/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/sim/sim.h - the inside of the simulated machine (private
 * to hv/sim/): one struct sim behind both the hypervisor handle (machine.c:
 * domains, vCPUs, ports, grants; memory.c: frames, populate, mappings) and
 * the xenstore handle (xs.c); page-table and start-of-day validation in
 * pagetable.c; test-only inspection in inspect.c (inspect.h).
 *
 * The machine hands out frames in a scrambled order (a pfn/mfn mix-up cannot
 * pass), keeps an M2P as Xen does (mfn -> the gpfn it was populated at), so
 * a p2m that disagrees with it is caught when the domain is unpaused, and
 * fails the N-th op call of either handle when asked (fault injection).
 */
#ifndef XB_HV_SIM_SIM_H
#define XB_HV_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../guest/abi_hvm.h"
#include "../backend.h"
#include "../host.h"
#include "../hv.h"
#include "../xs.h"

#define SIM_MAX_DOMS   64
#define SIM_MAX_PORTS  64
#define SIM_MAX_PINS   16
#define SIM_MAX_TX     8
#define SIM_CHUNK      512u /* frames per 2 MiB chunk */
#define SIM_FREE       UINT32_MAX
#define SIM_NO_GPFN    UINT64_MAX
#define SIM_DOMID_XEN  0x7ff2u
#define SIM_NR_CPUS    2
#define SIM_MAP_BYTES  16
#define SIM_MAX_LOOPS  16
#define SIM_MAX_LINKS  32
#define SIM_MAX_BDEVS  32
#define SIM_LOOP_MAJOR 7u

struct sim_pin {
    unsigned level;
    xb_mfn mfn;
};

/* What the builder told the machine about a domain (inspect.h shows it). */
struct sim_dominfo {
    bool paused;
    unsigned address_size; /* 0 until set */
    uint64_t max_mem_kib;
    uint32_t max_vcpus;
    uint8_t handle[16];
    xb_mfn shared_info_mfn;
    xb_mfn hypercall_mfn; /* UINT64_MAX when never initialised */
    bool gnttab_seeded;
    xb_mfn gnt_console, gnt_xenstore; /* frames of grant entries 0 and 1 */
    uint32_t gnt_console_dom, gnt_xenstore_dom;
    bool introduced; /* to xenstored */
    xb_mfn store_mfn;
    uint32_t store_port;
    bool translated;      /* a PVH (HVM container) domain */
    bool msr_relaxed;     /* created with XEN_X86_MSR_RELAXED */
    uint64_t paging_pool; /* bytes (PVH), 0 until set */
    unsigned nr_e820;     /* entries of the memory map set (PVH) */
};

/* One populated extent of a translated domain: gfns [gfn, gfn + pages) -> mfns. */
struct sim_extent {
    uint64_t gfn, pages;
    xb_mfn mfn;
};

/* What a translated (PVH) domain has beyond a PV one: Xen keeps its p2m. */
struct sim_hvm {
    struct sim_extent *p2m; /* sorted by gfn, disjoint */
    size_t np2m, cap;
    uint64_t params[HVM_NR_PARAMS];
    uint64_t params_set; /* bit N: param N was set */
    struct xb_hv_e820 e820[XB_HV_E820_MAX];
    unsigned ne820;
    bool memmap_set;
    struct hvm_hw_cpu *cpu;   /* [max_vcpus] as loaded by hvm_set_context */
    struct hvm_hw_mtrr *mtrr; /* [max_vcpus] */
    bool *online;             /* [max_vcpus]: brought up by the latest hvm_set_context */
};

struct sim_dom {
    bool used;
    uint32_t domid;
    struct sim_dominfo info;
    void **vctx; /* [max_vcpus] */
    size_t *vctx_len;
    struct sim_pin pins[SIM_MAX_PINS];
    size_t npins;
    bool port_used[SIM_MAX_PORTS];
    uint32_t port_remote[SIM_MAX_PORTS];
    uint32_t max_port;
    uint64_t pages;
    uint32_t flags;
    unsigned shutdown_reason;
    bool started;       /* unpaused once: the start of day was checked */
    struct sim_hvm hvm; /* translated domains only */
    uint8_t *affinity;  /* [max_vcpus][2][SIM_MAP_BYTES]: hard, soft (manage.c) */
    unsigned last_trigger, triggers; /* the latest trigger sent, how many */
};

struct xs_node {
    char *path, *val;
    size_t len;
    struct xb_xs_perm *perms;
    size_t nperms;
};

struct xs_tree {
    struct xs_node *n;
    size_t count, cap;
};

struct sim_tx {
    bool used;
    uint32_t id;
    uint64_t gen;
    struct xs_tree tree;
};

/* dom0 (host.c): a loop device, bound to a real file (its st_dev/st_ino). */
struct sim_loop {
    bool used;
    bool readonly;
    bool autoclear; /* detached while held: freed with its last holder */
    uint64_t dev, ino;
    unsigned holders; /* the builder's hold, blkback's open */
};

/* dom0's network interfaces: lo, bridges, the vifs netback makes. */
struct sim_link {
    bool used;
    char name[16];
    int ifindex;
    unsigned mtu;
    int master; /* ifindex of its bridge, 0 */
    bool is_bridge, up;
};

/* A backend device the model of blkback/netback (backends.c) serves. */
struct sim_bdev {
    bool used;
    bool vif;
    uint32_t domid, devid;
    int loop; /* vbd: the loop minor it holds open, -1 */
    bool opened;
    int link; /* vif: index in links[], -1 */
};

/* How the modelled backends behave (inspect.h: xb__sim_backends). */
enum sim_backends {
    SIM_BACKENDS_OK = 0, /* as Linux's: InitWait, open the device, make the vif */
    SIM_BACKENDS_STALL,  /* never react (no backend driver loaded) */
    SIM_BACKENDS_FAIL,   /* fail the probe: Closing, and an error node */
};

/* A watch, and a fired event waiting to be read (xs.c). */
struct sim_watch {
    char *path, *token;
};

struct sim_map {
    uint8_t *addr;
    size_t n;
    bool writable;
    xb_mfn *mfns;
};

struct sim {
    struct xb_hv hv;     /* the hypervisor handle (machine.c) */
    struct xb_xs xs;     /* the xenstore handle (xs.c) */
    struct xb_host host; /* dom0's kernel (host.c) */
    unsigned refs;       /* handles still open */
    char caps[256];
    unsigned xen_major, xen_minor;
    int memfd;
    uint8_t *mem;
    uint64_t nframes, nchunks;
    uint32_t *owner;       /* [nframes] domid or SIM_FREE */
    uint64_t *m2p;         /* [nframes] gpfn populated at, or SIM_NO_GPFN */
    uint16_t *wmaps;       /* [nframes] writable mappings alive */
    uint8_t *pt;           /* [nframes] 1 = validated page table */
    uint32_t *chunk_order; /* scrambled chunk sequence */
    uint32_t *chunk_used;  /* [nchunks] frames in use */
    uint32_t seed;
    uint64_t cursor; /* order-0 allocation cursor */
    struct sim_dom doms[SIM_MAX_DOMS];
    uint32_t next_domid;
    struct xs_tree store;
    uint64_t store_gen;
    struct sim_tx tx[SIM_MAX_TX];
    uint32_t next_tx;
    struct sim_watch *watches, *events; /* registered; fired, not yet read */
    size_t nwatches, nevents;
    struct sim_map *maps;
    size_t nmaps, mapcap;
    long calls, fail_at;
    char *conring;      /* Xen's console ring (manage.c) */
    bool dirty;         /* fill frames with 0xa5 when handed out */
    bool no_superpages; /* order-9 populate fails with -ENOMEM */
    struct sim_loop loops[SIM_MAX_LOOPS];
    struct sim_link links[SIM_MAX_LINKS];
    int next_ifindex;
    struct sim_bdev bdevs[SIM_MAX_BDEVS];
    enum sim_backends backends;
    bool reacting; /* backends.c is changing the store */
    bool shadow;   /* physinfo says shadow paging: PV guests migrate live */
    bool deaf;     /* guests ignore suspend requests (control/shutdown) */
    bool zombies;  /* a destroyed domain stays dying (a page still mapped) */
};

struct sim *xb__sim_of_hv(struct xb_hv *hv);
struct sim *xb__sim_of_xs(struct xb_xs *xs);

/* Every injectable op starts here: count the call, maybe fail it (-EIO). */
int xb__sim_enter(struct sim *s, struct xb_err *err, const char *op);

/* The live domain @domid, or NULL (get_dom also records -ESRCH for @op). */
struct sim_dom *xb__sim_find_dom(struct sim *s, uint32_t domid);
struct sim_dom *xb__sim_get_dom(struct sim *s, struct xb_err *err, uint32_t domid,
                                const char *op);

/* Whether machine frame @mfn exists and belongs to @domid. */
bool xb__sim_owns(const struct sim *s, uint32_t domid, xb_mfn mfn);

/* The 4 KiB of frame @mfn (must exist). */
uint8_t *xb__sim_mem(const struct sim *s, xb_mfn mfn);

/* memory.c: the machine's frames, populate, foreign mappings. */
int xb__sim_machine_init(struct sim *s, uint64_t pages);
int xb__sim_alloc_frame(struct sim *s, uint32_t domid, xb_mfn *out);
void xb__sim_frame_put(struct sim *s, xb_mfn mfn);
/* One frame at gpfn @gpfn of @d (not an op: no call counted); *mfn is the frame. */
int xb__sim_populate_at(struct sim *s, struct sim_dom *d, uint64_t gpfn, xb_mfn *mfn);
int xb__sim_populate_physmap(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                             unsigned order, size_t nr, uint64_t *frames);
void *xb__sim_map_foreign(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          bool writable, const xb_mfn *frames, size_t n);
int xb__sim_unmap_foreign(struct xb_hv *hv, struct xb_err *err, void *addr, size_t n);

/* Drop one handle; the machine is freed with the last. */
void xb__sim_put(struct sim *s);

/* pagetable.c: validate the tables reachable from @mfn and mark them (pin). */
int xb__sim_pt_pin(struct sim *s, struct xb_err *err, struct sim_dom *d, unsigned level,
                   xb_mfn mfn);

/*
 * pagetable.c: what a PV guest finds at start of day, read the way its CPU
 * would (vCPU 0's cr3 and start_info pointer, through its page tables): the
 * start_info, the p2m list and the rings must agree with the machine's M2P.
 */
int xb__sim_check_start_of_day(struct sim *s, struct xb_err *err,
                               const struct sim_dom *d);

/*
 * stream.c: the sim's stand-in for libxenguest's stream (its own format,
 * a test instrument: pages and vCPU state copied verbatim), resume, and the
 * guest side of a suspend request: a running guest that is not deaf shuts
 * down with SHUTDOWN_suspend when "suspend" is written to its
 * control/shutdown, and clears the node, as Linux does.
 */
int xb__sim_stream_save(struct xb_hv *hv, struct xb_err *err, uint32_t domid, int fd,
                        const struct xb_hv_save *how, struct xb_hv_save_stats *stats);
int xb__sim_stream_restore(struct xb_hv *hv, struct xb_err *err, uint32_t domid, int fd,
                           const struct xb_hv_restore *how, xb_mfn *store_frame,
                           xb_mfn *console_frame);
int xb__sim_domain_resume(struct xb_hv *hv, struct xb_err *err, uint32_t domid);
/* After a write outside a transaction: does a guest act on it? (may rewrite *val) */
bool xb__sim_guest_sees(struct sim *s, const char *path, const char *val, size_t len);

/* hvm.c: translated domains. Their p2m (gfn -> mfn, XB_NO_MFN when not
 * populated), set up and freed with the domain; the PVH ops of hv.h. */
xb_mfn xb__sim_gfn_mfn(const struct sim_dom *d, uint64_t gfn);
int xb__sim_p2m_add(struct sim_dom *d, uint64_t gfn, xb_mfn mfn, uint64_t pages);
xb_mfn xb__sim_p2m_remove(struct sim_dom *d, uint64_t gfn);
int xb__sim_hvm_init(struct sim_dom *d, uint32_t max_vcpus);
void xb__sim_hvm_free(struct sim_dom *d);
int xb__sim_set_memory_map(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                           const struct xb_hv_e820 *map, unsigned n);
int xb__sim_hvm_param_set(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          unsigned param, uint64_t value);
int xb__sim_set_paging_pool(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            uint64_t bytes);
int xb__sim_hvm_get_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            uint8_t *buf, size_t size, size_t *len);
int xb__sim_hvm_set_context(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                            const uint8_t *buf, size_t len);

/*
 * pvh_check.c: what a PVH guest finds at start of day, read as its CPU
 * would with paging off (physical addresses through the domain's p2m):
 * vCPU 0's entry state, %ebx -> the start info, its command line, modules
 * and memory map against XENMEM_memory_map, the HVM params' rings and
 * ports, the MTRRs.
 */
int xb__sim_check_pvh_start(struct sim *s, struct xb_err *err, const struct sim_dom *d);
/* acpi_check.c: the ACPI tables from the RSDP at @rsdp (signatures, lengths,
 * checksums, in E820 ACPI entries; a FADT with its DSDT; a MADT with one
 * local APIC per vCPU). */
int xb__sim_check_acpi(struct sim *s, struct xb_err *err, const struct sim_dom *d,
                       uint64_t rsdp);
/* manage.c: the management ops of hv.h; a new domain's affinities (all CPUs). */
int xb__sim_affinity_init(struct sim_dom *d);
int xb__sim_vcpu_info(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned vcpu,
                      struct xb_hv_vcpuinfo *out);
int xb__sim_vcpu_get_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, uint8_t *hard, uint8_t *soft, size_t len);
int xb__sim_vcpu_set_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, const uint8_t *hard, const uint8_t *soft,
                              size_t len);
int xb__sim_node_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          uint8_t *map, size_t len);
int xb__sim_send_trigger(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned trigger, unsigned vcpu);
int xb__sim_read_console(struct xb_hv *hv, struct xb_err *err, bool clear, char **text,
                         size_t *len);
int xb__sim_host_info(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *out);
int xb__sim_cpu_topology(struct xb_hv *hv, struct xb_err *err, struct xb_cpu_topo *out,
                         size_t max, size_t *n);
int xb__sim_numa_info(struct xb_hv *hv, struct xb_err *err, struct xb_numa_node *out,
                      size_t max, size_t *n);
int xb__sim_dump_core(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const char *path);

/*
 * xs.c: fire the watches on @path (and its parents; "@releaseDomain" and
 * "@introduceDomain" only fire their own). Out of memory drops the event.
 */
void xb__sim_xs_fire(struct sim *s, const char *path);

/* xs.c: set up and tear down the store. */
int xb__sim_xs_init(struct sim *s);
void xb__sim_xs_fini(struct sim *s);

/*
 * xs.c, for the backend model: the committed store's value at @path (NULL
 * when absent; valid until the store changes), and a write that creates
 * the node (parents inherit permissions) with no fault injection. The
 * paths of every node, for a scan: *n entries, borrowed likewise.
 */
const char *xb__sim_xs_get(struct sim *s, const char *path);
int xb__sim_xs_put(struct sim *s, const char *path, const char *val);
const char *xb__sim_xs_path(struct sim *s, size_t i);
size_t xb__sim_xs_nodes(struct sim *s);

/* host.c: set up dom0 (lo, the bridge xenbr0, eth0); the host handle. */
void xb__sim_host_init(struct sim *s);
struct sim *xb__sim_of_host(struct xb_host *h);
/* host.c: a new interface named @name; its index in s->links or -1. */
int xb__sim_link_add(struct sim *s, const char *name, bool is_bridge);
/* host.c: one holder of loop @minor less; freed with the last once detached. */
void xb__sim_loop_drop(struct sim *s, int minor);

/*
 * backends.c: blkback and netback, as they react to the committed store:
 * a new backend directory in state 1 goes to InitWait (netback makes its
 * vifD.N), blkback opens the loop device "physical-device" names (or fails
 * like Linux: Closing and an error node), a Closing backend closes, a
 * removed one lets go of its device. Called by xs.c after each change.
 */
void xb__sim_backends_react(struct sim *s);

#endif
