/* SPDX-License-Identifier: MIT */
/*
 * lib/config/unsupported.c - which keys (and values) the builder acts on.
 *
 * A key that parses but is not acted upon lands in spec->unsupported, and a
 * real create refuses it. This table is the one place to change when the
 * builder learns a feature: the first row matching the key (a glob) and the
 * value decides. A row with value NULL matches any value.
 */
#include <fnmatch.h>
#include <string.h>

#include "unsupported.h"

static const struct {
    const char *key;   /* fnmatch(3) pattern */
    const char *value; /* canonical value, NULL = any */
    bool acted_on;
} rows[] = {
    {"name", NULL, true},
    {"type", "pv", true},
    {"type", "pvh", true},
    {"type", NULL, false}, /* hvm */
    {"builder", "pv", true},
    {"kernel", NULL, true},
    {"ramdisk", NULL, true},
    {"cmdline", NULL, true},
    {"root", NULL, true},
    {"extra", NULL, true},
    {"memory", NULL, true},
    {"maxmem", NULL, true},
    {"vcpus", NULL, true},
    {"maxvcpus", NULL, true},
    {"uuid", NULL, true},
    {"max_grant_frames", NULL, true},
    {"max_event_channels", NULL, true},
    {"bootloader", NULL, true}, /* pygrub, run as xl does: devices/bootloader.c */
    {"bootloader_args", NULL, true},
    {"pvshim", NULL, true}, /* the PV shim: a PVH guest whose module is the kernel */
    {"pvshim_*", NULL, true},
    {"msr_relaxed", NULL, true},
    {"disk", NULL, true}, /* blkback, loop devices: devices/vbd.c */
    {"vif", NULL, true},  /* netback on a bridge: devices/vif.c */
    {"on_*", NULL, true}, /* the monitor applies every action (xbuild/manage.h) */
    {"acpi", NULL, true}, /* PVH: the ACPI tables, on or off (layout/acpi.c) */
    {"*", "0", true},     /* 0 (off, none) is every other key's default */
    {"*", "[]", true},    /* empty lists: nothing to do */
    {"*", NULL, false},   /* everything else */
};

bool xb__builder_acts_on(const char *key, const char *canon)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (fnmatch(rows[i].key, key, 0) != 0)
            continue;
        if (rows[i].value && (!canon || strcmp(rows[i].value, canon) != 0))
            continue;
        return rows[i].acted_on;
    }
    return false;
}
