/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/timings.c - `xbuild create --timings`: the clock, and the
 * table and XB-BENCH line it prints (timings.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "timings.h"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void timings_start(struct cli_timings *t, bool on)
{
    *t = (struct cli_timings){.on = on, .last = on ? now_ns() : 0};
}

void timings_lap(struct cli_timings *t, enum cli_step s)
{
    uint64_t n;

    if (!t->on)
        return;
    n = now_ns();
    t->ns[s] = n - t->last;
    t->last = n;
}

/* One row: "parse" etc.; the library's phases are indented under "create". */
struct row {
    const char *name;
    uint64_t ns;
    bool lib;
};

static size_t rows_of(const struct cli_timings *t, struct row *r)
{
    static const char *const cli_names[CLI_STEP_COUNT] = {
        [CLI_STEP_PARSE] = "parse",     [CLI_STEP_KERNEL] = "kernel",
        [CLI_STEP_OPEN] = "open",       [CLI_STEP_CREATE] = "create",
        [CLI_STEP_MONITOR] = "monitor", [CLI_STEP_CONSOLE] = "console",
        [CLI_STEP_CLOSE] = "close",
    };
    uint64_t lib_sum = 0;
    size_t n = 0;

    for (int s = 0; s < CLI_STEP_COUNT; s++) {
        if (s != CLI_STEP_CREATE) {
            r[n++] = (struct row){cli_names[s], t->ns[s], false};
            continue;
        }
        for (int p = 0; p < XB_PHASE_COUNT; p++) {
            r[n++] = (struct row){xb_phase_name((enum xb_phase)p), t->lib.ns[p], true};
            lib_sum += t->lib.ns[p];
        }
        /* the create call outside its phases (freeing the kernel and p2m) */
        r[n++] =
            (struct row){"lib_other", t->ns[s] > lib_sum ? t->ns[s] - lib_sum : 0, true};
    }
    return n;
}

void timings_print(const struct cli_timings *t, const char *name, uint32_t domid)
{
    struct row r[CLI_STEP_COUNT + XB_PHASE_COUNT + 1];
    size_t n = rows_of(t, r);
    uint64_t total = 0;

    if (!t->on)
        return;
    for (size_t i = 0; i < n; i++)
        total += r[i].ns;
    fprintf(stderr,
            "xbuild: create of \"%s\" (domain %" PRIu32 "), where the time went:\n", name,
            domid);
    fprintf(stderr, "  %-12s %10s %6s\n", "step", "ms", "%");
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %s%-*s %10.3f %6.1f\n", r[i].lib ? "  " : "",
                r[i].lib ? 10 : 12, r[i].name, (double)r[i].ns / 1e6,
                total ? 100.0 * (double)r[i].ns / (double)total : 0.0);
    fprintf(stderr, "  %-12s %10.3f %6.1f\n", "total", (double)total / 1e6, 100.0);
    fprintf(stderr, "XB-BENCH create-phases name=%s domid=%" PRIu32, name, domid);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %s_us=%" PRIu64, r[i].name, r[i].ns / 1000);
    fprintf(stderr, " total_us=%" PRIu64 "\n", total / 1000);
}
