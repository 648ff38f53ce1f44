/* SPDX-License-Identifier: MIT */
/*
 * lib/config/keys.h - the key table's types (private): each key has a kind
 * that says how its value is checked and where it goes (keys.c); keys that
 * need more have a named handler (handlers.c).
 */
#ifndef XB_CONFIG_KEYS_H
#define XB_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "specctx.h"

#define MAX_MEMORY_MIB (16ull << 20) /* 16 TiB */
#define MAX_VCPUS      4096
#define MAX_NAME       255
#define PVSHIM_CMDLINE "pv-shim console=xen,pv" /* libxl's default */

enum key_kind {
    KIND_STRING,  /* char * field (NO_FIELD: only checked, read by a later step) */
    KIND_PATH,    /* char * field, resolved against the config's folder */
    KIND_UINT,    /* unsigned field in [min, max] */
    KIND_U64,     /* uint64_t field in [min, max] */
    KIND_BOOL,    /* bool field: 0 or 1 */
    KIND_ACTION,  /* enum xb_action field, by name */
    KIND_DISKS,   /* list of disk specifications */
    KIND_VIFS,    /* list of vif specifications */
    KIND_OTHER,   /* known to xl, not modelled: any value, listed as unsupported */
    KIND_IGNORED, /* ignored, as xl ignores it, with a warning (note) */
    KIND_SPECIAL, /* the named handler */
};

struct key_def {
    const char *name;
    enum key_kind kind;
    enum xb__later later; /* XB__LATER_NONE: applied in file order */
    size_t field;         /* offsetof(struct xb_spec, ...) */
    size_t pos_field;     /* offsetof of a struct xb_pos to set; 0: none */
    uint64_t min, max;    /* KIND_UINT, KIND_U64 */
    void (*handler)(struct xb__ctx *c, const struct key_def *k); /* KIND_SPECIAL */
    /* Optional: false when the key does not apply (ignored with a warning, or
       its value is wrong: an error). */
    bool (*applies)(struct xb__ctx *c, const struct key_def *k);
    const char *note; /* KIND_IGNORED: why */
};

#define SPEC(f)          offsetof(struct xb_spec, f)
#define NO_FIELD         SIZE_MAX
#define AT(s, off, type) ((type *)((char *)(s) + (off)))

/* keys.c: " (did you mean "x"?)" or "", in @buf. */
const char *xb__key_hint_of(const char *word, const char *const *names, size_t n,
                            char *buf, size_t size);
/* keys.c: free the key's string field, store @value (owned) and the key's position. */
void xb__key_replace_field(struct xb__ctx *c, const struct key_def *k, char *value);

/* handlers.c: the keys of kind KIND_SPECIAL, and the pvshim family's test. */
void xb__key_name(struct xb__ctx *c, const struct key_def *k);
void xb__key_type(struct xb__ctx *c, const struct key_def *k);
void xb__key_builder(struct xb__ctx *c, const struct key_def *k);
void xb__key_uuid(struct xb__ctx *c, const struct key_def *k);
void xb__key_cpus(struct xb__ctx *c, const struct key_def *k);
void xb__key_bootloader(struct xb__ctx *c, const struct key_def *k);
void xb__key_bootloader_args(struct xb__ctx *c, const struct key_def *k);
bool xb__key_shim_applies(struct xb__ctx *c, const struct key_def *k);

#endif
