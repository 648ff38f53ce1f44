/* SPDX-License-Identifier: MIT */
/* tools/xbuild/spec_cli.h - CLI side of configs: load, diagnostics, JSON. */
#ifndef XBUILD_SPEC_CLI_H
#define XBUILD_SPEC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_gen.h>

#include <xbuild/config.h>
#include <xbuild/spec.h>

/*
 * The diagnostics of one command, printed together in the order of the
 * config (the file by line and column, then the command line's overrides,
 * then messages without a position), each on one line:
 *     FILE:LINE:COL: error: MESSAGE       (or warning:) with a position
 *     xbuild: [warning: ]MESSAGE          without (FILE: first if known)
 * A zeroed struct is an empty list.
 */
struct cli_diags {
    struct cli_diag *v;
    size_t n, cap;
    bool quiet; /* drop warnings */
};

/* Add one message at @pos (NULL or line 0: no position). */
void diags_add(struct cli_diags *d, enum xb_severity sev, const struct xb_pos *pos,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Add a message of the builder or image loader about @spec. It is placed
 * at the position of the key it is about: a leading "FILE:LINE:COL: " of
 * one of @spec's positions, or a leading "KEY: " (name, kernel, ramdisk,
 * memory, cmdline) that was set in the config.
 */
void diags_add_build(struct cli_diags *d, enum xb_severity sev,
                     const struct xb_spec *spec, const char *msg);

/* Print everything on stderr in order and empty the list. */
void diags_print(struct cli_diags *d);

struct spec_load_opts {
    bool strict;             /* unknown keys are errors */
    bool check_files;        /* the kernel and ramdisk must be readable files */
    bool refuse_unsupported; /* keys parsed but not acted on yet are errors */
};

/* The config as it was read, for the monitor's restarts. */
struct spec_source {
    char *text; /* the file's bytes (NUL-terminated) */
    size_t len;
    char *cwd; /* where the overrides' relative paths resolved; NULL if unknown */
};

void spec_source_free(struct spec_source *src);

/*
 * Read @path, apply the @n_overrides "KEY=VALUE" strings, validate, check
 * the kernel and ramdisk (with check_files) and report the keys not
 * supported yet, adding every diagnostic to @d (nothing is printed).
 * Returns 0 with *out set (free with xb_spec_free()) and, when @source is
 * not NULL, what was read in it (free with spec_source_free()); or 1 when
 * anything failed (*out NULL, @source empty).
 */
int spec_load(const char *path, char *const *overrides, int n_overrides,
              const struct spec_load_opts *opts, struct cli_diags *d,
              struct xb_spec **out, struct spec_source *source);

/*
 * One disk (@key "disk") or vif ("vif") given on the command line as @n
 * pieces, joined with ',' as xl joins them, checked as a list item of the
 * config (relative paths against the current directory). Returns 0 with
 * *out a spec holding that device, or 1 with the diagnostics in @d.
 */
int device_load(const char *key, char *const *parts, int n, struct cli_diags *d,
                struct xb_spec **out);

/* Emit @spec as one JSON object (stable member order) into @g. 0 or -1. */
int spec_json(yajl_gen g, const struct xb_spec *spec);

#endif
