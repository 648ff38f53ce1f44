/* SPDX-License-Identifier: MIT */
/*
 * xbuild/spec.h - the typed, validated domain specification.
 *
 * Produced by the config layer (xbuild/config.h) from an xl.cfg file and
 * consumed by the builder (xbuild/builder.h). Every string is owned by the
 * spec and freed by xb_spec_free(). Paths (kernel, ramdisk, disk targets
 * that are files) are already resolved against the config file's directory;
 * with a bootloader, kernel and ramdisk are paths inside the guest's disk,
 * kept as written (the bootloader gets them as --kernel and --ramdisk).
 */
#ifndef XBUILD_SPEC_H
#define XBUILD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a value came from: "FILE:LINE:COL" for messages. */
struct xb_pos {
    const char *file;   /* owned by the spec; "<command line>" for overrides */
    unsigned line, col; /* 1-based; 0 when the value is a default */
};

enum xb_domtype {
    XB_DOMTYPE_PV = 0,
    XB_DOMTYPE_PVH,
};

enum xb_action {
    XB_ACTION_DESTROY = 0,
    XB_ACTION_RESTART,
    XB_ACTION_RENAME_RESTART,
    XB_ACTION_PRESERVE,
    XB_ACTION_COREDUMP_DESTROY,
    XB_ACTION_COREDUMP_RESTART,
    XB_ACTION_SOFT_RESET,
};

/*
 * One entry of `disk = [...]`, as xl-disk-configuration(5) defines it.
 * The builder decides what it can serve (e.g. only raw images through the
 * kernel's blkback); the config layer keeps what was asked for.
 */
struct xb_disk {
    char *target;      /* NULL for an empty cdrom; a file resolved against
                          the config's folder; phy:/script= targets as given */
    char *format;      /* "raw" (default), "qcow", "qcow2", "vhd", "qed", "empty" */
    char *vdev;        /* as written, without a ":cdrom" suffix: "xvda", "hda1",
                          "d0p1", "51712" */
    uint32_t devid;    /* its xenstore device number (xvda: 51712) */
    char *backendtype; /* "phy", "tap", "qdisk", "standalone"; NULL: the builder
                          chooses */
    char *script;      /* block script ("block-iscsi", ...) or NULL */
    char *backend;     /* backend domain name or NULL (dom0) */
    bool readonly;     /* access r/ro; always true for a cdrom */
    bool cdrom;
    bool discard;        /* advertise discard to the guest (default true) */
    bool direct_io_safe; /* the backend may use O_DIRECT */
    struct xb_pos pos;   /* of the list item */
};

/* One entry of `vif = [...]`, as xl-network-configuration(5) defines it. */
struct xb_vif {
    char *mac;            /* lower case "00:16:3e:01:02:03", or NULL (generated) */
    uint8_t mac_bytes[6]; /* the same as bytes; all zero when mac is NULL */
    char *bridge;         /* NULL: the builder's default (xl: xenbr0) */
    char *ip;
    char *script;
    char *vifname;
    char *type;                       /* "vif" or NULL */
    char *model;                      /* kept as written (only meaningful for HVM) */
    char *rate;                       /* as written ("10Mb/s@20ms"), or NULL: unlimited */
    uint64_t rate_bytes_per_interval; /* credit per interval; 0 when rate is NULL */
    uint32_t rate_interval_us;        /* replenish interval; 0 when rate is NULL */
    char *backend;                    /* backend domain name or NULL (dom0) */
    char *gatewaydev;                 /* for vif-route (netdev= is its old name) */
    unsigned mtu;                     /* 0 = default */
    unsigned devid;                   /* the vif's index in the list, unless devid= */
    struct xb_pos pos;                /* of the list item */
};

/* A key that was parsed but that xbuild cannot act on yet. */
struct xb_unsupported {
    char *key;
    struct xb_pos pos;
};

struct xb_spec {
    char *name;
    enum xb_domtype type;
    char *kernel;        /* resolved path (in the guest's disk with a bootloader); NULL */
    char *ramdisk;       /* resolved path (likewise) or NULL */
    char *cmdline;       /* final command line (root/extra folded) or NULL */
    uint64_t memory_mib; /* initial allocation */
    uint64_t maxmem_mib; /* >= memory_mib */
    unsigned vcpus;      /* online at boot, >= 1 */
    unsigned maxvcpus;   /* >= vcpus */
    char *cpus;          /* affinity string or NULL */
    enum xb_action on_poweroff, on_reboot, on_crash, on_watchdog, on_soft_reset;
    bool has_uuid;
    uint8_t uuid[16];
    char *bootloader;       /* a name ("pygrub": in Xen's bindir) or an absolute path */
    char **bootloader_args; /* its arguments, one per argv element */
    size_t n_bootloader_args;
    unsigned max_grant_frames;   /* 0 = hypervisor default */
    unsigned max_event_channels; /* 0 = hypervisor default */
    bool pvshim;                 /* only with type pvh: a PV kernel inside the PV shim */
    char *pvshim_path;           /* resolved path, NULL: the builder's default shim */
    char *pvshim_cmdline;        /* the shim's whole command line when pvshim is set:
                                    pvshim_cmdline (default "pv-shim console=xen,pv"),
                                    then " " and pvshim_extra if given; else NULL */
    bool e820_host;
    bool msr_relaxed; /* relaxed MSR access policy (x86) */
    bool acpi;        /* PVH: ACPI tables for the guest (default on, as xl; PV: unused) */
    char *seclabel;

    struct xb_disk *disks;
    size_t n_disks;
    struct xb_vif *vifs;
    size_t n_vifs;

    /* Keys parsed but not acted upon yet: `create` must refuse them. */
    struct xb_unsupported *unsupported;
    size_t n_unsupported;

    /* Positions of the main keys, for error messages from later stages. */
    struct xb_pos name_pos, kernel_pos, ramdisk_pos, memory_pos, cmdline_pos,
        bootloader_pos;

    char *config_path; /* the file the spec came from (or NULL) */

    /* Owned storage behind every xb_pos.file above (do not use directly). */
    char **pos_files;
    size_t n_pos_files;
};

/* "pv", "pvh" ("?" out of range). Never NULL. */
const char *xb_domtype_name(enum xb_domtype t);

/* The type named exactly @name ("pv", "pvh"): 0 and *out set, or -EINVAL. */
int xb_domtype_from_name(const char *name, enum xb_domtype *out);

/* "destroy", "restart", "rename-restart", ... ("?" out of range). Never NULL. */
const char *xb_action_name(enum xb_action a);

/* The action named exactly @name: 0 and *out set, or -EINVAL. */
int xb_action_from_name(const char *name, enum xb_action *out);

/* Free a spec and everything it owns. Accepts NULL. */
void xb_spec_free(struct xb_spec *spec);

#endif
