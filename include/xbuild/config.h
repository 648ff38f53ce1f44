/* SPDX-License-Identifier: MIT */
/*
 * xbuild/config.h - xl.cfg files: lex, parse, validate into a struct xb_spec.
 *
 * Flow:   xb_config_new()
 *         xb_config_load_file()  or  xb_config_parse()   (the file)
 *         xb_config_parse_override() ...                  (KEY=VALUE, optional)
 *         xb_config_to_spec()                             (typed, validated)
 *         xb_spec_check_files()                           (kernel/ramdisk exist)
 *         read the diagnostics, xb_spec_free(), xb_config_free()
 *
 * Every problem found is recorded as a diagnostic (severity, file, line,
 * column, message) in the handle; the functions never stop at the first one
 * and never print. Only xb_config_load_file() and xb_spec_check_files() touch
 * the file system; everything else is a pure function of its input buffers.
 */
#ifndef XBUILD_CONFIG_H
#define XBUILD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/spec.h>

struct xb_config; /* opaque: parsed entries + diagnostics */

enum xb_severity {
    XB_SEV_WARNING = 0,
    XB_SEV_ERROR,
};

/* One diagnostic. All pointers are owned by the struct xb_config. */
struct xb_diag {
    enum xb_severity sev;
    const char *file;   /* file name as given to the parser */
    unsigned line, col; /* 1-based; 0 when the problem has no position */
    const char *msg;    /* one line, no trailing newline, no "error:" */
};

/* Options of xb_config_to_spec(). A zeroed struct is valid. */
struct xb_spec_opts {
    bool strict;              /* unknown keys are errors, not warnings */
    const char *base_dir;     /* relative paths of the file resolve here;
                                 NULL: the directory of the parsed file */
    const char *override_dir; /* relative paths from overrides resolve here
                                 (normally the caller's cwd); NULL: kept as is */
};

/* The file name recorded for values given with xb_config_parse_override(). */
#define XB_CONFIG_CMDLINE "<command line>"

/* Create an empty handle. Returns 0 or -ENOMEM; *out is set on success. */
int xb_config_new(struct xb_config **out);

/* Free a handle and everything it owns (diagnostics included). Accepts NULL. */
void xb_config_free(struct xb_config *cfg);

/*
 * Parse @len bytes of xl.cfg text (need not be NUL-terminated, may contain
 * any bytes). @filename is only used in positions and diagnostics and to
 * resolve relative paths later; it is copied. May be called once per handle
 * for the file (a second call adds to the same entries, as if concatenated).
 * Returns 0, -EINVAL if any syntax error was recorded, or -ENOMEM.
 * Pure: no I/O.
 */
int xb_config_parse(struct xb_config *cfg, const char *buf, size_t len,
                    const char *filename);

/*
 * Read @path (at most 64 MiB) and xb_config_parse() it. Returns 0, -EINVAL
 * on syntax errors (see the diagnostics), or a negative errno for I/O; in
 * that case @err says which file and why and no diagnostic is added.
 */
int xb_config_load_file(struct xb_config *cfg, const char *path, struct xb_err *err);

/*
 * Parse one command-line override "KEY=VALUE" or "KEY+=VALUE" (same syntax
 * as a file line; VALUE may be a quoted string, number or list; an unquoted
 * VALUE that is not a number or list is taken as a string). Applied after
 * the file: replaces the file's value without a duplicate warning.
 * Returns 0, -EINVAL on syntax errors, or -ENOMEM.
 */
int xb_config_parse_override(struct xb_config *cfg, const char *text);

/*
 * Validate the parsed entries into a new spec. Every problem is added as a
 * diagnostic. Returns 0 with *out set (caller frees with xb_spec_free()),
 * -EINVAL when any error diagnostic exists (from parsing or validation;
 * *out is NULL), or -ENOMEM. Pure: no I/O (paths are resolved textually).
 */
int xb_config_to_spec(struct xb_config *cfg, const struct xb_spec_opts *opts,
                      struct xb_spec **out);

/*
 * Check that spec->kernel and spec->ramdisk (when set) are readable regular
 * files (not with a bootloader: they are in the guest's disk then). Each
 * failure is an error diagnostic naming the key and the resolved path, at
 * the key's position. Returns 0, -ENOENT (or another errno) for the first
 * failure, or -ENOMEM. Disk images are checked when the domain is created.
 */
int xb_spec_check_files(struct xb_config *cfg, const struct xb_spec *spec);

/*
 * One device given alone, as `xbuild block-attach` and `network-attach`
 * take it: @key "disk" (@text in xl-disk-configuration(5)'s syntax) or
 * "vif" (xl-network-configuration(5)'s), checked as an item of that list
 * (diagnostics "disk 1, FIELD: ..." in @cfg, at XB_CONFIG_CMDLINE, the line
 * of the next override). Relative file targets resolve against
 * opts->override_dir (NULL: kept as written); @opts may be NULL. On success
 * *out is a spec holding that one device (spec->disks[0] or spec->vifs[0];
 * its other fields are the defaults), owned by the caller (xb_spec_free()).
 * Returns 0, -EINVAL (see the diagnostics; *out NULL) or -ENOMEM. Pure.
 */
int xb_config_device(struct xb_config *cfg, const char *key, const char *text,
                     const struct xb_spec_opts *opts, struct xb_spec **out);

/* Number of diagnostics / of those that are errors. */
size_t xb_config_diag_count(const struct xb_config *cfg);
size_t xb_config_error_count(const struct xb_config *cfg);

/* Diagnostic @i (< xb_config_diag_count()), in the order found. */
const struct xb_diag *xb_config_diag(const struct xb_config *cfg, size_t i);

/*
 * The xenstore device number of the virtual disk name @vdev, as xl computes
 * it (xen-vbd-interface(7)): xvdX[N] (X: a..z, aa.., up to disk 2^20-1,
 * partition up to 255), hdX[N] (hda..hdd, partition up to 63), sdX[N]
 * (sda..sdp, partition up to 15), dN or dNpM, or the number itself
 * (decimal, 0x hex or 0 octal). Returns 0 with *devid set, or -EINVAL.
 * Pure: no I/O.
 */
int xb_config_vdev_devid(const char *vdev, uint32_t *devid);

/*
 * A vif rate in xl's syntax "RATE/s[@INTERVAL]": RATE is a decimal number
 * with an optional G, M or K (x1000^n) and B (bytes) or b (bits, /8);
 * INTERVAL a decimal number with us, ms or s (or none: seconds), default
 * 50ms. Sets the credit per interval and the interval as libxl computes
 * them (bytes/s * us / 10^6, rounded down). Returns 0, or -EINVAL for bad
 * syntax or a credit of 0 bytes, -ERANGE when a number is out of range
 * (more than 2^32-1 before its suffix). Pure: no I/O.
 */
int xb_config_vif_rate(const char *rate, uint64_t *bytes_per_interval,
                       uint32_t *interval_us);

#endif
