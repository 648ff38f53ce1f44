/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/build.h - one create's state, shared by its two halves
 * (private): plan.c, what needs no hypervisor (the spec, the bootloader,
 * the kernel and ramdisk, the guest type, the layout), and create.c (the
 * host's checks, the domain, its devices, the rollback).
 */
#ifndef XB_DOMAIN_BUILD_H
#define XB_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/builder.h>

#include "../devices/devices.h"
#include "ctx.h"

#define DOMID_NONE UINT32_MAX

struct build {
    struct xb_ctx *ctx;
    const struct xb_spec *spec;
    struct xb_create_opts opts;
    const struct xb_image *img; /* the kernel that runs (the PV shim's, for a shim) */
    struct xb_image *own_img;
    const struct xb_image *pv_img; /* in the PV shim: the PV kernel, else NULL */
    struct xb_image *shim_img;
    bool shim_auto; /* the shim chosen by xbuild, not the config */
    uint8_t *ramdisk_data;
    size_t ramdisk_len;
    unsigned guest; /* XB_GUEST_PV64 / XB_GUEST_PV32PAE, or XB_GUEST_PVH (the shim too) */
    struct xb_layout lo;
    struct xb_hv_physinfo host; /* physinfo before create (check_host) */
    uint8_t uuid[16];
    uint32_t domid; /* DOMID_NONE until created */
    bool restart;   /* the monitor's re-create: the name is held for it */
    bool introduced;
    uint64_t *p2m; /* [lo.total_pages]: pfn -> mfn */
    uint32_t store_port, console_port;
    uint64_t lap_ns; /* when the last phase ended (opts.timings) */
    /* the spec's kernel, ramdisk and command line, or the bootloader's */
    const char *kernel, *ramdisk, *cmdline;
    struct xb_boot boot;              /* the bootloader's files: removed once read */
    char *kernel_path, *ramdisk_path; /* what was loaded, as /vm/UUID/image says */
    struct xb_devs *devs;             /* disks and vifs: checked, then attached */
};

static inline struct xb_err *berr(struct build *b)
{
    return &b->ctx->err;
}

static inline struct xb_hv *bhv(struct build *b)
{
    return b->ctx->hv;
}

static inline const char *pos_file(const struct xb_pos *pos)
{
    return pos->file ? pos->file : "config";
}

/* plan.c: the kernel's name for messages ("image" when given loaded). */
const char *xb__kernel_name(const struct build *b);

/* plan.c: the kernel's command line: the shim's own when the guest runs in it. */
const char *xb__kernel_cmdline(const struct build *b);

/* plan.c: the spec, the bootloader, the kernel, the ramdisk, the layout. */
int xb__plan(struct build *b);

/* plan.c: the layout of the guest type chosen (again, after a switch to the shim). */
int xb__plan_layout(struct build *b);

/*
 * plan.c: run the PV kernel in the PV shim at @path (NULL: the installed
 * one): the shim becomes the PVH kernel, the PV kernel its first module.
 */
int xb__use_shim(struct build *b, const char *path);

#endif
