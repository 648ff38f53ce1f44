/* SPDX-License-Identifier: MIT */
/*
 * xbuild/builder.h - build and boot a PV domain from a struct xb_spec.
 *
 * Lifecycle: xb_ctx_open() on a backend ("xen": the real hypervisor, needs
 * dom0 privileges; "sim": an in-process simulated machine, used by tests and
 * `xbuild create --dry-run`), any number of xb_domain_plan() /
 * xb_domain_create() calls, then xb_ctx_close(). A context is not
 * thread-safe. Every call returns 0 or a negative errno; the first
 * root-cause message of the latest failing call is kept in the context
 * (xb_errmsg()). The library never prints and never exits.
 */
#ifndef XBUILD_BUILDER_H
#define XBUILD_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>
#include <xbuild/manage.h>
#include <xbuild/spec.h>

struct xb_ctx;

/*
 * Open a context on @backend, "xen" or "sim". On success *out is a new
 * context owned by the caller (free with xb_ctx_close()). On failure *out
 * is NULL and, when @err is not NULL, @err holds the reason.
 */
int xb_ctx_open(const char *backend, struct xb_ctx **out, struct xb_err *err);

/* Close a context (domains it created keep running). Accepts NULL. */
void xb_ctx_close(struct xb_ctx *ctx);

/*
 * The first root-cause message of the latest failing call, "" when none.
 * The string belongs to @ctx and is valid until its next call.
 */
const char *xb_errmsg(const struct xb_ctx *ctx);

/* The same record as a struct (code and message); never NULL. */
const struct xb_err *xb_ctx_err(const struct xb_ctx *ctx);

/*
 * Warnings of the latest plan/create call (e.g. a command line that had to
 * be shortened): the @i-th, or NULL past the last. Owned by @ctx.
 */
const char *xb_warning(const struct xb_ctx *ctx, size_t i);

/* Segments of the guest's start-of-day layout, in allocation order. */
enum xb_seg_id {
    XB_SEG_KERNEL = 0,
    XB_SEG_RAMDISK, /* pages == 0 when there is no ramdisk */
    XB_SEG_P2M,
    XB_SEG_START_INFO,
    XB_SEG_XENSTORE,
    XB_SEG_CONSOLE,
    XB_SEG_PGTABLES,
    XB_SEG_STACK,
    XB_SEG_PV_KERNEL, /* PV shim: the PV guest's kernel, the shim's first module */
    XB_SEG_ACPI,      /* PVH: the ACPI tables (pages == 0 with acpi = 0) */
    XB_SEG_COUNT,
};

struct xb_layout_seg {
    const char *name;      /* "kernel", "ramdisk", "p2m", ... (static) */
    uint64_t vstart, vend; /* guest virtual [vstart, vend), page aligned; for
                              PVH (paging off) the guest physical range */
    uint64_t pfn, pages;   /* first guest pfn (PVH: gfn) and page count */
};

/* One entry of a PVH guest's memory map (E820 types: 1 RAM, 2 reserved, 3 ACPI). */
struct xb_e820_entry {
    uint64_t addr, size;
    uint32_t type;
};

#define XB_LAYOUT_E820_MAX 4

/*
 * Where everything goes, computed by pure arithmetic before any hypercall.
 * PV guests: a bootstrap mapping of virtual addresses (seg[] from KERNEL to
 * STACK). PVH guests (guest_type "hvm-3.0-x86_32", levels 0): physical
 * addresses, paging off: the kernel at its ELF paddr, then its modules
 * (RAMDISK; for the PV shim PV_KERNEL first), then START_INFO (the
 * hvm_start_info, command lines, module list and memory map); XENSTORE
 * and CONSOLE are among the special pages outside RAM, as xl places them;
 * ACPI (the RSDP first, then the other tables) outside RAM at 0xfc000000,
 * where xl puts its own, in an E820 entry of type ACPI.
 */
struct xb_layout {
    const char *guest_type;  /* "xen-3.0-x86_64", "xen-3.0-x86_32p" or
                                "hvm-3.0-x86_32" (PVH) (static) */
    unsigned levels;         /* page-table levels: 4 or 3 (PAE); 0 for PVH */
    unsigned pfn_size;       /* bytes per p2m entry: 8 or 4 */
    uint64_t total_pages;    /* initial memory, in pages */
    uint64_t virt_base;      /* guest virtual address of pfn 0 */
    uint64_t virt_entry;     /* first instruction */
    uint64_t virt_hypercall; /* hypercall page, XB_UNSET_ADDR if none */
    uint64_t bootstrap_end;  /* the bootstrap mapping is [virt_base, bootstrap_end) */
    unsigned nr_tables[4];   /* page tables per level: [0] = L1 ... [levels-1] = top */
    uint64_t nr_pt_frames;   /* sum of nr_tables = seg[XB_SEG_PGTABLES].pages */
    struct xb_layout_seg seg[XB_SEG_COUNT];

    /* PVH only (zero for PV): */
    uint64_t cmdline_paddr; /* the kernel's command line, 0 = none */
    uint64_t modlist_paddr; /* hvm_modlist_entry[nr_modules], 0 = none */
    uint64_t memmap_paddr;  /* hvm_memmap_table_entry[nr_e820] */
    uint64_t rsdp_paddr;    /* the ACPI RSDP (hvm_start_info.rsdp_paddr), 0 = none */
    unsigned nr_modules;    /* 0..2 */
    uint64_t special_gfn;   /* first of nr_special special pages (reserved) */
    unsigned nr_special;    /* 8, as xl: xenstore 5th, console 8th */
    unsigned nr_e820;       /* the memory map Xen and the start info carry */
    struct xb_e820_entry e820[XB_LAYOUT_E820_MAX];
    /* The PV shim, when the PV kernel runs inside it (seg[XB_SEG_KERNEL] is
     * then the shim): its path (borrowed from the spec or static), or NULL. */
    const char *pvshim;
    bool pvshim_auto; /* xbuild chose the shim: this Xen cannot run the kernel's
                         PV kind (the config named no type, or type "pv") */
};

/* Where a create spends its time (xb_create_opts.timings), phase by phase. */
enum xb_phase {
    XB_PHASE_LOAD = 0, /* the spec checked, the bootloader run, kernel read and
                          decompressed, ramdisk, layout */
    XB_PHASE_CHECKS,   /* what the host can run, its free memory, the devices' files
                          and bridges */
    XB_PHASE_DOMAIN,   /* the domain created, its name claimed, its limits set */
    XB_PHASE_POPULATE, /* its memory allocated */
    XB_PHASE_BUILD,    /* the guest type's start of day written, vCPU 0 set */
    XB_PHASE_XENSTORE, /* grant seed, xenstore nodes, introduced to xenstored */
    XB_PHASE_DEVICES,  /* disks and vifs: loop devices, nodes, backends' handshake */
    XB_PHASE_UNPAUSE,
    XB_PHASE_COUNT,
};

struct xb_timings {
    uint64_t ns[XB_PHASE_COUNT]; /* wall-clock nanoseconds of each phase */
};

/* "load", "checks", "domain", ... ("?" out of range). Never NULL. */
const char *xb_phase_name(enum xb_phase p);

/*
 * What the monitor re-creates a domain from when its on_* action restarts
 * it (xbuild/manage.h): the config text as it was parsed, not the file,
 * so that a restart reads nothing the user did not ask for (the kernel and
 * ramdisk are read again, as by xl). All borrowed; copied into xenstore.
 */
struct xb_restart_source {
    const char *config; /* the config file's bytes, as parsed */
    size_t config_len;
    const char *config_file; /* the name they were parsed under: relative
                                paths resolve against its folder */
    char *const *overrides;  /* "KEY=VALUE" applied after the file */
    size_t n_overrides;
    const char *override_dir; /* where relative paths of overrides resolve */
    bool strict;              /* unknown keys were errors */
};

/* Options of xb_domain_create() / xb_domain_plan(); all zero = defaults. */
struct xb_create_opts {
    bool paused; /* leave the domain paused instead of unpausing it */
    /* Kernel already loaded by the caller (borrowed); NULL = load spec->kernel. */
    const struct xb_image *image;
    /* When not NULL, receives the layout actually used (also on plan). */
    struct xb_layout *layout;
    /* When not NULL, receives the time of each phase reached (others 0). */
    struct xb_timings *timings;
    /*
     * The PV shim to run a PV kernel in (pvshim = 1 without pvshim_path, or
     * a PV kernel whose kind this Xen cannot run). NULL: Xen's installed
     * shim, /usr/lib/xen-X.Y/boot/xen-shim for the running Xen X.Y, else
     * /usr/lib/xen/boot/xen-shim.
     */
    const char *pvshim_path;
    /* Bounded waits, in ms; 0 = the defaults: 10 s for the disk and network
     * backends to come up (all in parallel), 60 s for the bootloader. */
    unsigned device_timeout_ms;
    unsigned bootloader_timeout_ms;
    /*
     * When not NULL, the domain gets a monitor record (xbuild/manage.h)
     * before it runs: its on_* actions and @source, so that a monitor
     * applies them. NULL: no record; nothing acts on its shutdown.
     */
    const struct xb_restart_source *source;
};

/*
 * Build and start the domain described by @spec (borrowed; must be a
 * validated spec of type PV with a kernel; keys listed in
 * spec->unsupported are refused). Steps: check that the hypervisor can run
 * the kernel's guest type (before anything is created), create the domain,
 * set its limits, populate memory, load kernel and ramdisk through foreign
 * mappings, write p2m, start_info, page tables, hypercall page, shared
 * info, grant-table seed and vCPU 0's context, pin the top-level table,
 * introduce the domain to xenstore, attach its disks and vifs (loop
 * devices for file images, the nodes, dom0's blkback and netback up, vifs
 * on their bridges), unpause (unless opts->paused). With spec->bootloader,
 * the bootloader is run first and its kernel, ramdisk and command line
 * are used. On success *domid is the new domain. On failure nothing is
 * left behind (domain destroyed, xenstore nodes removed, loop devices
 * freed, vifs gone) and xb_errmsg() says why. @opts may be NULL.
 */
int xb_domain_create(struct xb_ctx *ctx, const struct xb_spec *spec,
                     const struct xb_create_opts *opts, uint32_t *domid);

/*
 * Compute the layout xb_domain_create() would use, without touching the
 * hypervisor (reads the kernel and ramdisk files only; runs the bootloader
 * when the spec has one). @out is filled on success. @opts may be NULL
 * (opts->layout is ignored here).
 */
int xb_domain_plan(struct xb_ctx *ctx, const struct xb_spec *spec,
                   const struct xb_create_opts *opts, struct xb_layout *out);

/*
 * Unpause domain @domid (one created with opts->paused, e.g. so that the
 * caller could attach to its console and start its monitor first).
 */
int xb_domain_unpause(struct xb_ctx *ctx, uint32_t domid);

/* ---- the disks and vifs of a running domain (xl's block-* and network-*) ---- */

/* One device as `xbuild block-list` / `network-list` show it. */
struct xb_devinfo {
    uint32_t devid; /* vbd: its device number (xvda: 51712); vif: its index */
    uint32_t backend_domid;
    int frontend_state, backend_state; /* xenbus states 1..6; 0 when unknown */
    int evtchn;                        /* the frontend's event channel; -1: none yet */
    int ring_ref, rx_ring_ref;         /* vbd: ring-ref; vif: tx- and rx-ring-ref; -1 */
    char name[40];                     /* vbd: its vdev ("xvda"); vif: its interface */
    char mac[18];                      /* vif: "00:16:3e:01:02:03"; "" for a vbd */
    char target[256];                  /* vbd: its file or device; vif: its bridge */
    char mode[4];                      /* vbd: "r" or "w"; "" for a vif */
    char backend_path[160];
};

/* Options of the attach calls; all zero = defaults. */
struct xb_attach_opts {
    unsigned timeout_ms; /* for the backend to come up; 0 = 10 s */
    bool any_devid;      /* vif: the first free index instead of vif->devid (xl's way) */
};

/* Options of the detach calls; all zero = defaults. */
struct xb_detach_opts {
    unsigned timeout_ms; /* for the guest to close the device; 0 = 10 s, then removed */
    bool force;          /* remove it without asking the guest first (xl -f) */
};

/*
 * Attach disk @disk (borrowed; e.g. from xb_config_device()) to running
 * domain @domid, as xb_domain_create() attaches its disks: checked (its
 * file, access, not attached writable elsewhere), a loop device for a file,
 * the nodes, blkback up within opts->timeout_ms. -EEXIST when the domain
 * has that vdev already. On failure nothing of it is left. @opts may be NULL.
 */
int xb_vbd_attach(struct xb_ctx *ctx, uint32_t domid, const struct xb_disk *disk,
                  const struct xb_attach_opts *opts);

/*
 * Detach disk @devid (a device number: xb_config_vdev_devid()) of @domid as
 * xl does: the backend asks the guest to close it (Closing), waits for it
 * (opts->timeout_ms), then its nodes go in any case; the loop device xbuild
 * or a block script set up for it is freed (a loop device the user set up
 * stays). -ENOENT when the domain has no such disk. @opts may be NULL.
 */
int xb_vbd_detach(struct xb_ctx *ctx, uint32_t domid, uint32_t devid,
                  const struct xb_detach_opts *opts);

/* The disks of @domid in devid order: *out malloc'd (free()), *n of them. */
int xb_vbd_list(struct xb_ctx *ctx, uint32_t domid, struct xb_devinfo **out, size_t *n);

/*
 * Attach vif @vif (borrowed) to running domain @domid, as a create does:
 * netback's interface on its bridge and up within opts->timeout_ms, a MAC
 * from the domain's UUID when none is given. Its index is vif->devid, or
 * with opts->any_devid the first free one; *devid says which (may be NULL).
 */
int xb_vif_attach(struct xb_ctx *ctx, uint32_t domid, const struct xb_vif *vif,
                  const struct xb_attach_opts *opts, uint32_t *devid);

/* Detach vif @devid of @domid as xb_vbd_detach() does a disk. */
int xb_vif_detach(struct xb_ctx *ctx, uint32_t domid, uint32_t devid,
                  const struct xb_detach_opts *opts);

/* The vifs of @domid in devid order, as xb_vbd_list(). */
int xb_vif_list(struct xb_ctx *ctx, uint32_t domid, struct xb_devinfo **out, size_t *n);

/* ---- running domains: list, find, destroy, console (more in xbuild/manage.h) ---- */

/* State bits of struct xb_dominfo, as xl's "rbpscd" State column. */
enum {
    XB_DOM_RUNNING = 1u << 0,
    XB_DOM_BLOCKED = 1u << 1,
    XB_DOM_PAUSED = 1u << 2,
    XB_DOM_SHUTDOWN = 1u << 3, /* shut down for a reason other than a crash */
    XB_DOM_CRASHED = 1u << 4,
    XB_DOM_DYING = 1u << 5,
};

/* One domain as `xbuild list` shows it (any domain, whoever built it). */
struct xb_dominfo {
    uint32_t domid;
    char name[128]; /* /local/domain/N/name; "" when it has none */
    uint8_t uuid[16];
    const char *type; /* "pv", "pvh" or "hvm" (static) */
    uint64_t mem_kib; /* currently allocated */
    uint64_t maxmem_kib;
    uint64_t target_kib; /* memory/target in xenstore; 0 when absent */
    unsigned vcpus_online, max_vcpus;
    unsigned state;           /* XB_DOM_* bits */
    unsigned shutdown_reason; /* SHUTDOWN_* of xen/sched.h when SHUTDOWN or CRASHED */
    uint64_t cpu_time_ns;
    uint32_t cpupool; /* its cpupool's id (xb_cpupool_name()) */
    uint32_t ssidref; /* its XSM security id; 0 without XSM */
};

/*
 * List every domain (dom0 included) in domid order. *out is a malloc'd
 * array of *n entries owned by the caller (free()). On failure *out is NULL.
 */
int xb_domain_list(struct xb_ctx *ctx, struct xb_dominfo **out, size_t *n);

/*
 * Resolve @what, a domain name or a decimal domid, to an existing domain's
 * id. -ENOENT (with a message naming @what) when there is none; a name
 * shared by several domains is -EEXIST.
 */
int xb_domain_find(struct xb_ctx *ctx, const char *what, uint32_t *domid);

/*
 * Destroy domain @domid (any domain but dom0, whoever built it) and remove
 * all its xenstore nodes; its vifs leave their bridges and go, the loop
 * devices set up for its disks (by xbuild or xl's block script, not the
 * user's own) are freed, each with a bounded wait. Returns once Xen has
 * torn it down; its memory is back in the free pool as soon as other dom0
 * users (xenconsoled) drop their mappings, which they do on the
 * @releaseDomain event.
 */
int xb_domain_destroy(struct xb_ctx *ctx, uint32_t domid);

/*
 * As xb_domain_destroy(), and dom0 too (xl destroy -f: only meaningful with
 * a disaggregated hardware domain and toolstack).
 */
int xb_domain_destroy_forced(struct xb_ctx *ctx, uint32_t domid);

/*
 * Wait up to @timeout_ms (-1 = forever) until xenconsoled serves domain
 * @domid's console and return its pty path (malloc'd, caller frees) in *tty.
 * -ETIMEDOUT when it did not appear; -ESRCH when the domain went away.
 */
int xb_console_tty(struct xb_ctx *ctx, uint32_t domid, int timeout_ms, char **tty);

/*
 * Whether domain @domid's console output ring is drained (everything the
 * guest wrote has been consumed by xenconsoled): 1 yes, 0 not yet, <0 error.
 */
int xb_console_drained(struct xb_ctx *ctx, uint32_t domid);

#endif
