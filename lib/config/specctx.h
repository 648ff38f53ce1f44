/* SPDX-License-Identifier: MIT */
/* lib/config/specctx.h - state shared by the steps that build a struct xb_spec. */
#ifndef XB_CONFIG_SPECCTX_H
#define XB_CONFIG_SPECCTX_H

#include "internal.h"
#include "unsupported.h"

/* Keys applied once every entry has been seen, in this order. */
enum xb__later {
    XB__LATER_NONE = 0, /* applied in file order */
    XB__LATER_NAME,
    XB__LATER_TYPE,
    XB__LATER_BUILDER, /* after type: ignored when type is set */
    XB__LATER_KERNEL,
    XB__LATER_RAMDISK,
    XB__LATER_BOOTLOADER,
    XB__LATER_MEMORY,
    XB__LATER_MAXMEM,
    XB__LATER_VCPUS,
    XB__LATER_MAXVCPUS,
    XB__LATER_ROOT,
    XB__LATER_EXTRA,
    XB__LATER_CMDLINE,
    XB__LATER_PVSHIM, /* after type; before the keys that need pvshim = 1 */
    XB__LATER_PVSHIM_PATH,
    XB__LATER_PVSHIM_CMDLINE,
    XB__LATER_PVSHIM_EXTRA,
    XB__N_LATER,
};

struct xb__ctx {
    struct xb_config *cfg;
    const struct xb_spec_opts *opts;
    struct xb_spec *spec;
    const struct xb__entry *e; /* the entry being applied */
    const char *canon;         /* its value as the unsupported table sees it */
    bool ignored;              /* the entry is ignored (warned): never unsupported */
    const struct xb__entry *later[XB__N_LATER]; /* entries of the keys applied last */
};

/* The entry's value as a string; reports a type error and returns NULL. */
const char *xb__want_string(struct xb__ctx *c, const struct xb__value *v);
/* The entry's value as a list; reports a type error and returns NULL. */
const struct xb__value *xb__want_list(struct xb__ctx *c);
/* strdup that records -ENOMEM in the handle. */
char *xb__dup(struct xb__ctx *c, const char *s);
/* @path resolved against the directory of where @pos came from. */
char *xb__resolve(struct xb__ctx *c, const struct xb__pos *pos, const char *path);
/* Translate a config position to one owned by the spec. */
struct xb_pos xb__spec_pos(struct xb__ctx *c, const struct xb__pos *pos);
/* Position of byte @off inside string value @v (exact when it has no escapes). */
struct xb__pos xb__pos_in(const struct xb__value *v, size_t off);

/* keys.c: c->spec, a new spec with the defaults (and the file names of c->cfg). */
int xb__spec_new(struct xb__ctx *c);

/* disk.c, vif.c */
void xb__apply_disks(struct xb__ctx *c);
void xb__apply_vifs(struct xb__ctx *c);

/* vdev.c: NULL with *devid set, or why @vdev is not a virtual disk name. */
const char *xb__vdev_devid(const char *vdev, uint32_t *devid);

/* vif.c: NULL with the credit and interval set, or why not (and *rc). */
const char *xb__vif_rate(const char *rate, uint64_t *bytes, uint32_t *us, int *rc);

#endif
