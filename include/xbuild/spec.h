/* SPDX-License-Identifier: MIT */
/*
 * xbuild/spec.h - the typed, validated domain specification.
 *
 * Produced by the config layer (xbuild/config.h) from an xl.cfg file and
 * consumed by the builder (xbuild/builder.h). Every string is owned by the
 * spec and freed by xb_spec_free(). Paths (kernel, ramdisk, disk targets
 * that are files) are already resolved against the config file's directory.
 */
#ifndef XBUILD_SPEC_H
#define XBUILD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a value came from: "FILE:LINE:COL" for messages. */
struct xb_pos {
    const char *file;          /* owned by the spec; "<command line>" for overrides */
    unsigned line, col;        /* 1-based; 0 when the value is a default */
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

struct xb_disk {
    char *target;              /* NULL for an empty cdrom */
    char *format;              /* "raw", "qcow2", ... */
    char *vdev;                /* "xvda", "hda1", ... */
    char *backendtype;         /* "phy", "tap", "qdisk" or NULL */
    char *script;
    char *backend;             /* backend domain name or NULL */
    bool readonly;
    bool cdrom;
    struct xb_pos pos;
};

struct xb_vif {
    char *mac;                 /* "00:16:3e:.." or NULL (generated) */
    char *bridge;
    char *ip;
    char *script;
    char *vifname;
    char *type;                /* "vif" or "ioemu" */
    char *model;
    char *rate;
    char *backend;
    unsigned mtu;              /* 0 = default */
    struct xb_pos pos;
};

/* A key that was parsed but that xbuild cannot act on yet. */
struct xb_unsupported {
    char *key;
    struct xb_pos pos;
};

struct xb_spec {
    char *name;
    enum xb_domtype type;
    char *kernel;              /* resolved path; NULL if none */
    char *ramdisk;             /* resolved path or NULL */
    char *cmdline;             /* final command line (root/extra folded) or NULL */
    uint64_t memory_mib;       /* initial allocation */
    uint64_t maxmem_mib;       /* >= memory_mib */
    unsigned vcpus;            /* online at boot, >= 1 */
    unsigned maxvcpus;         /* >= vcpus */
    char *cpus;                /* affinity string or NULL */
    enum xb_action on_poweroff, on_reboot, on_crash, on_watchdog, on_soft_reset;
    bool has_uuid;
    uint8_t uuid[16];
    char *bootloader;
    char *bootloader_args;
    unsigned max_grant_frames;     /* 0 = hypervisor default */
    unsigned max_event_channels;   /* 0 = hypervisor default */
    bool pvshim;
    char *pvshim_path;
    char *pvshim_cmdline;
    bool e820_host;
    char *seclabel;

    struct xb_disk *disks;
    size_t n_disks;
    struct xb_vif *vifs;
    size_t n_vifs;

    /* Keys parsed but not acted upon yet: `create` must refuse them. */
    struct xb_unsupported *unsupported;
    size_t n_unsupported;

    /* Positions of the main keys, for error messages from later stages. */
    struct xb_pos name_pos, kernel_pos, ramdisk_pos, memory_pos, cmdline_pos;

    char *config_path;         /* the file the spec came from (or NULL) */

    /* Owned storage behind every xb_pos.file above (do not use directly). */
    char **pos_files;
    size_t n_pos_files;
};

/* "pv", "pvh". Never NULL. */
const char *xb_domtype_name(enum xb_domtype t);

/* "destroy", "restart", "rename-restart", ... ("?" out of range). Never NULL. */
const char *xb_action_name(enum xb_action a);

/* Free a spec and everything it owns. Accepts NULL. */
void xb_spec_free(struct xb_spec *spec);

#endif
