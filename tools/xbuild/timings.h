/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/timings.h - `xbuild create --timings`: where one create
 * spends its time, the CLI's own steps around the library's phases
 * (struct xb_timings), printed as a table and one XB-BENCH line on stderr.
 */
#ifndef XBUILD_TIMINGS_H
#define XBUILD_TIMINGS_H

#include <stdbool.h>
#include <stdint.h>

#include <xbuild/builder.h>

/* The CLI's steps, in order; the library's phases come between OPEN and MONITOR. */
enum cli_step {
    CLI_STEP_PARSE = 0, /* options, config file, overrides, validation, file checks */
    CLI_STEP_KERNEL, /* the kernel read, decompressed (or taken from the cache), parsed */
    CLI_STEP_OPEN,   /* xb_ctx_open("xen"): the hypervisor and xenstore handles */
    CLI_STEP_CREATE, /* xb_domain_create(): its phases are in .lib */
    CLI_STEP_MONITOR, /* the on_* monitor started */
    CLI_STEP_CONSOLE, /* -c: the console opened and the domain unpaused */
    CLI_STEP_CLOSE,   /* xb_ctx_close() */
    CLI_STEP_COUNT,
};

struct cli_timings {
    bool on;       /* --timings given: nothing is measured otherwise */
    uint64_t last; /* CLOCK_MONOTONIC ns when the latest step ended */
    uint64_t ns[CLI_STEP_COUNT];
    struct xb_timings lib; /* filled by xb_domain_create() (opts.timings) */
};

/* Start the clock (when @on): the first step begins now. */
void timings_start(struct cli_timings *t, bool on);

/* Step @s ended now (no-op unless t->on). */
void timings_lap(struct cli_timings *t, enum cli_step s);

/*
 * Print the table and the line
 *   XB-BENCH create-phases name=NAME domid=N parse_us=.. kernel_us=.. open_us=..
 * load_us=.. checks_us=.. domain_us=.. populate_us=.. build_us=.. xenstore_us=..
 *   unpause_us=.. lib_other_us=.. monitor_us=.. console_us=.. close_us=.. total_us=..
 * on stderr (no-op unless t->on).
 */
void timings_print(const struct cli_timings *t, const char *name, uint32_t domid);

#endif
