/* SPDX-License-Identifier: MIT */
/* tools/xbuild/spec_cli.h - CLI side of configs: load, diagnostics, JSON. */
#ifndef XBUILD_SPEC_CLI_H
#define XBUILD_SPEC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_gen.h>

#include <xbuild/config.h>
#include <xbuild/spec.h>

struct spec_load_opts {
    bool strict; /* unknown keys are errors */
    bool quiet;  /* do not print warnings */
};

/*
 * Read @path, apply the @n_overrides "KEY=VALUE" strings, validate, check
 * that the kernel and ramdisk exist, and print every diagnostic on stderr
 * (gcc style: FILE:LINE:COL: error: message). Returns 0 with *out set (free
 * with xb_spec_free()), or 1 when anything failed (*out NULL).
 */
int spec_load(const char *path, char *const *overrides, int n_overrides,
              const struct spec_load_opts *opts, struct xb_spec **out);

/*
 * Print one line per key of spec->unsupported: a warning ("parsed, but not
 * supported yet") or, with @as_error, an error. Returns how many.
 */
size_t spec_report_unsupported(const struct xb_spec *spec, bool as_error, bool quiet);

/* Emit @spec as one JSON object (stable member order) into @g. 0 or -1. */
int spec_json(yajl_gen g, const struct xb_spec *spec);

#endif
