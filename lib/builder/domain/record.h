/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/record.h - the monitor's record of a domain (private):
 * what xb_monitor_step() needs to act on its shutdown, and what a restart
 * re-creates it from. One xenstore node, /xbuild/domains/DOMID (a restart
 * entry: /xbuild/restarts/NAME), whose value is
 *   "xbuild-record 2\n" then fields "KEY LEN\nBYTES\n":
 *   name, uuid, on_poweroff ... on_soft_reset   (action names of xl.cfg)
 *   config-file, override-dir, strict, override (each), config
 *                                                what a restart re-creates
 *   restarts = "COUNT SECONDS"                    restarts in a row, the last
 *   state = "kept" | "suspended"                  preserved | left to a save/migration
 *   old-domid                                     restart entries only
 * A record too long for one node (xenstore's 4096 bytes) keeps its fields
 * in children part/0.. (2048 bytes each), the node's value then being
 * "xbuild-record 2 chunks N\n" and the name field.
 * Read as well: a record an older xbuild wrote, one child node per field
 * (name, uuid, ..., config/0.., overrides/0..), with no value of its own;
 * its fields are changed as they were, in their own nodes. Its domain is
 * left to that xbuild's monitor (monitor.c), which cannot read these.
 */
#ifndef XB_DOMAIN_RECORD_H
#define XB_DOMAIN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/builder.h>

#include "../hv/xs.h"

enum {
    XB_REC_POWEROFF,
    XB_REC_REBOOT,
    XB_REC_WATCHDOG,
    XB_REC_CRASH,
    XB_REC_SOFT_RESET,
    XB_REC_ACTIONS
};

/* A record in memory. */
struct xb_rec {
    char *name;
    uint8_t uuid[16];
    enum xb_action act[XB_REC_ACTIONS];
    char *config, *file, *override_dir;
    size_t config_len;
    char **overrides;
    size_t n_overrides;
    bool strict, kept, suspended;
    unsigned restarts;
    uint64_t last_restart;
    uint32_t old_domid; /* restart entries only */
    bool legacy;        /* an older xbuild's (a node per field) */
};

void xb__rec_free(struct xb_rec *r);

/*
 * Write @r at @base afresh (what was there is removed first), outside any
 * transaction: one node, written at once (nobody else writes there, and
 * its creation changes its parent, which concurrent creates share).
 * @restart_entry: with old-domid.
 */
int xb__rec_write(struct xb_xs *xs, struct xb_err *err, const char *base,
                  const struct xb_rec *r, bool restart_entry);

/* Read the record at @base: -ENOENT (not recorded) when there is none. */
int xb__rec_read(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                 struct xb_rec *r);

/*
 * The name in a record's node value @v (@len bytes) as read by a batch,
 * malloc'd; NULL when it has none (an older xbuild's: its name node).
 */
char *xb__rec_name(const char *v, size_t len);

/* The name of the record at @base into *@name (malloc'd); -ENOENT without one. */
int xb__rec_name_at(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                    char **name);

/*
 * Set field @key ("name", "state" or "restarts") of the record at @base
 * to @val in transaction @tx (a record of an older xbuild: its node @key);
 * -ENOENT when there is no record.
 */
int xb__rec_set(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const char *base,
                const char *key, const char *val);

/* The same in a transaction of its own. */
int xb__rec_set_now(struct xb_xs *xs, struct xb_err *err, const char *base,
                    const char *key, const char *val);

#endif
