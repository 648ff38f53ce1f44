/*
 * xbtest: tiny freestanding Xen guests that check what a domain builder
 * promised at start of day and report one line per check, then one result
 * line, then shut down.
 *
 * Three guests share this code: PV x86_64 and PV x86_32 PAE (pv.h, pv.c,
 * mem.c, entry-<arch>.S) and PVH (pvh.h, pvh.c, pvh-hv.c, entry-pvh.S).
 * This header is what they have in common: helpers, hypercalls that do not
 * depend on the guest type, the command-line expectations, the report
 * protocol and the console and xenstore rings.
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
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

/* Symbols from the linker script and the entry file. */
extern char _text[], _end[];
extern char hypercall_page[];

#include "arch.h"

#define XBT_PAGE_SIZE  4096UL
#define XBT_PAGE_SHIFT 12

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

/* hv.c: hypercalls every guest type makes, time, bounded event waits. */
long xbt_xen_version(void);
long xbt_console_io_write(const char *s, size_t n);
long xbt_current_reservation(void);
long xbt_evtchn_send(evtchn_port_t port);
void xbt_shutdown(unsigned int reason) __attribute__((noreturn));
/* Use sh (mapped by the caller) for the clock and for pending bits. */
void xbt_set_shared(struct shared_info *sh);
uint64_t xbt_now_ns(void);
/* Wait until cond(arg) holds or timeout_ms passed; returns cond's value. */
int xbt_wait(evtchn_port_t port, int (*cond)(void *), void *arg, unsigned int timeout_ms);

/* checks.c: the command-line expectations (README.md) and the report. */
struct xbt_expect {
    char name[64];
    uint64_t mem_mb, len, rd_len, rd_crc, acpi;
    int have_name, have_mem, have_len, have_rd, have_acpi;
};
void xbt_expect_parse(struct xbt_expect *w, const char *cmdline);
/* Write a check's detail text into d; return ok (checks end with it). */
int xbt_det(int ok, char *d, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "XBTEST BEGIN arch=<arch>", then one xbt_report() per check, then
 * xbt_finish(): the result line, a console drain, poweroff if every check
 * passed and crash otherwise. */
void xbt_begin(const char *arch);
void xbt_report(const char *name, int ok, const char *detail);
void xbt_finish(void) __attribute__((noreturn));

/* console.c: output through console_io and, once attached, the ring. */
int xbt_console_attach(volatile struct xencons_interface *ring, evtchn_port_t port);
void xbt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 if the console backend consumed everything written so far. */
int xbt_console_drained(unsigned int timeout_ms);

/* xenstore.c: one XS_READ of path over the ring; value NUL-ended in out. */
int xbt_xs_read(volatile struct xenstore_domain_interface *ring, evtchn_port_t port,
                const char *path, char *out, size_t cap);

#endif
