/* SPDX-License-Identifier: MIT */
/* lib/config/specctx.h - state shared by the steps that build a struct xb_spec. */
#ifndef XB_CONFIG_SPECCTX_H
#define XB_CONFIG_SPECCTX_H

#include "internal.h"
#include "unsupported.h"

struct xb__ctx {
    struct xb_config *cfg;
    const struct xb_spec_opts *opts;
    struct xb_spec *spec;
    const struct xb__entry *e; /* the entry being applied */
    const char *canon;         /* its value as the unsupported table sees it */
    /* Keys resolved together once every entry has been seen. */
    const struct xb__entry *cmdline, *root, *extra, *builder, *type;
    const struct xb__entry *name, *memory, *maxmem, *vcpus, *maxvcpus, *kernel;
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

/* disk.c, vif.c */
void xb__apply_disks(struct xb__ctx *c);
void xb__apply_vifs(struct xb__ctx *c);

#endif
