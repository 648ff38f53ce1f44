/*
 * xbtest: a tiny freestanding PV guest that checks what a domain builder
 * promised at start of day (xen/xen.h "Start-of-day memory layout") and
 * reports one line per check, then one result line, then shuts down.
 *
 * Built twice from the same sources: x86_64 and x86_32 PAE. Everything
 * architecture-specific lives in arch.h and entry-<arch>.S.
 *
 * The checks and the command line they read are described in README.md,
 * which is the contract for anyone (e.g. the sim backend's unit test) who
 * wants to verify the same expectations without running the guest.
 */
#ifndef XBTEST_H
#define XBTEST_H

#define __XEN_INTERFACE_VERSION__ 0x00040d00

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

/* Symbols from the linker script and entry-<arch>.S. */
extern char _text[], _end[];
extern char hypercall_page[];
extern unsigned long xbt_entry_sp;

#include "arch.h"

#define XBT_PAGE_SIZE  4096UL
#define XBT_PAGE_SHIFT 12

/* What the guest learned at start of day; filled in order by main.c. */
struct xbt_boot {
    start_info_t *si;
    uint64_t virt_base;       /* the VIRT_BASE note: va of pfn 0 */
    const unsigned long *p2m; /* si->mfn_list as a pointer */
    unsigned long nr_pages;
    unsigned long max_mfn; /* XENMEM_maximum_ram_page: bounds M2P reads */
    uint64_t safe_end;     /* end of the elements we may touch (stack top) */
    uint64_t root_mfn;     /* from CR3 */
    uint64_t skip_va;      /* remapped to shared_info: not a bootstrap page */
    struct shared_info *shared;
};

/* util.c: freestanding helpers. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t xbt_strnlen(const char *s, size_t max);
int xbt_fmt(char *dst, size_t cap, const char *fmt, va_list ap);
uint32_t xbt_crc32(const uint8_t *p, size_t n);
/* Value of " key=value" token in cmdline (copied to out, NUL-ended), or -1. */
int xbt_cmdline_get(const char *cmdline, const char *key, char *out, size_t cap);
/* Parse decimal or 0x-prefixed hex; -1 on junk or overflow. */
int xbt_parse_u64(const char *s, uint64_t *out);

/* hv.c: hypercalls, time, events, rings. */
long xbt_xen_version(void);
long xbt_console_io_write(const char *s, size_t n);
long xbt_update_va_mapping(uint64_t va, uint64_t pte);
long xbt_max_ram_page(void);
long xbt_evtchn_send(evtchn_port_t port);
void xbt_shutdown(unsigned int reason);
void xbt_set_shared(struct shared_info *sh);
uint64_t xbt_now_ns(void);
/* Wait until cond(arg) holds or timeout_ms passed; returns cond's value. */
int xbt_wait(evtchn_port_t port, int (*cond)(void *), void *arg, unsigned int timeout_ms);

/* mem.c: M2P/p2m translation and the page-table walk. */
int xbt_mfn_to_pfn(const struct xbt_boot *b, uint64_t mfn, unsigned long *pfn);
/* va of a machine frame in the bootstrap mapping, or NULL if not there. */
void *xbt_mfn_to_va(const struct xbt_boot *b, uint64_t mfn);
#define XBT_WALK_OK          0
#define XBT_WALK_NOT_PRESENT 1
#define XBT_WALK_BAD_TABLE   2
#define XBT_WALK_SUPERPAGE   3
/* Walk the live tables from root_mfn as the MMU does; leaf PTE in *pte. */
int xbt_walk(const struct xbt_boot *b, uint64_t va, uint64_t *pte);
/* All table frames reachable from the root outside Xen's area. */
struct xbt_tables {
    uint64_t mfn[512];
    unsigned int n;
    int error; /* XBT_WALK_* of the first problem */
};
void xbt_collect_tables(const struct xbt_boot *b, struct xbt_tables *t);

/* console.c: output through the console ring and console_io. */
int xbt_console_attach(const struct xbt_boot *b);
void xbt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 if the console backend consumed everything written so far. */
int xbt_console_drained(unsigned int timeout_ms);

/* xenstore.c: one XS_READ over the ring; value NUL-ended in out. */
int xbt_xs_read(const struct xbt_boot *b, const char *path, char *out, size_t cap);

#endif
