/* SPDX-License-Identifier: MIT */
/*
 * bench/calltrace.c - an LD_PRELOAD library that counts and times the
 * calls a toolstack makes into libxenstore, libxenctrl and
 * libxenforeignmemory, and its fork()s: where a create's time goes, for
 * xbuild and stock xl alike (both reach Xen through these libraries).
 *
 *   LD_PRELOAD=calltrace.so xl create -p guest.cfg
 *
 * At exit, one line per function called, on stderr:
 *   XB-BENCH calltrace pid=N fn=xs_write calls=45 us=61234
 * and one "fn=total" line. A forked child that exits prints its own lines
 * (xl's and xbuild's monitors do not exit during a benchmark). Calls the
 * libraries make to each other are not seen; calls a library makes to
 * its own entry points may be counted twice (xc_domain_populate_physmap_exact
 * calls xc_domain_populate_physmap): read the table with that in mind.
 * A diagnostic, never linked into anything.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xenstore.h>

enum {
#define FN(name) T_##name,
#include "calltrace.def"
#undef FN
    T_COUNT
};

static const char *const names[T_COUNT] = {
#define FN(name) #name,
#include "calltrace.def"
#undef FN
};

static struct {
    uint64_t calls, ns;
} stats[T_COUNT];

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *next(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);

    if (!p) {
        fprintf(stderr, "calltrace: no %s after this library\n", name);
        abort();
    }
    return p;
}

__attribute__((destructor)) static void report(void)
{
    uint64_t calls = 0, ns = 0;

    for (int i = 0; i < T_COUNT; i++) {
        if (!stats[i].calls)
            continue;
        fprintf(stderr,
                "XB-BENCH calltrace pid=%d fn=%s calls=%" PRIu64 " us=%" PRIu64 "\n",
                (int)getpid(), names[i], stats[i].calls, stats[i].ns / 1000);
        calls += stats[i].calls;
        ns += stats[i].ns;
    }
    fprintf(stderr,
            "XB-BENCH calltrace pid=%d fn=total calls=%" PRIu64 " us=%" PRIu64 "\n",
            (int)getpid(), calls, ns / 1000);
}

/* Define NAME(ARGS) returning RET: time the real one, called with CALLARGS. */
#define WRAP(ret, name, args, callargs)                                                  \
    ret name args                                                                        \
    {                                                                                    \
        static ret(*real) args;                                                          \
        uint64_t t0;                                                                     \
        ret ret_;                                                                        \
                                                                                         \
        if (!real)                                                                       \
            *(void **)&real = next(#name);                                               \
        t0 = now_ns();                                                                   \
        ret_ = real callargs;                                                            \
        stats[T_##name].ns += now_ns() - t0;                                             \
        stats[T_##name].calls++;                                                         \
        return ret_;                                                                     \
    }

#define WRAP_VOID(name, args, callargs)                                                  \
    void name args                                                                       \
    {                                                                                    \
        static void(*real) args;                                                         \
        uint64_t t0;                                                                     \
                                                                                         \
        if (!real)                                                                       \
            *(void **)&real = next(#name);                                               \
        t0 = now_ns();                                                                   \
        real callargs;                                                                   \
        stats[T_##name].ns += now_ns() - t0;                                             \
        stats[T_##name].calls++;                                                         \
    }

/* ---- libxenstore ---- */
WRAP(struct xs_handle *, xs_open, (unsigned long f), (f))
WRAP_VOID(xs_close, (struct xs_handle * h), (h))
WRAP(char **, xs_directory,
     (struct xs_handle * h, xs_transaction_t t, const char *p, unsigned int *n),
     (h, t, p, n))
WRAP(void *, xs_read,
     (struct xs_handle * h, xs_transaction_t t, const char *p, unsigned int *n),
     (h, t, p, n))
WRAP(bool, xs_write,
     (struct xs_handle * h, xs_transaction_t t, const char *p, const void *d,
      unsigned int n),
     (h, t, p, d, n))
WRAP(bool, xs_mkdir, (struct xs_handle * h, xs_transaction_t t, const char *p), (h, t, p))
WRAP(bool, xs_rm, (struct xs_handle * h, xs_transaction_t t, const char *p), (h, t, p))
WRAP(struct xs_permissions *, xs_get_permissions,
     (struct xs_handle * h, xs_transaction_t t, const char *p, unsigned int *n),
     (h, t, p, n))
WRAP(bool, xs_set_permissions,
     (struct xs_handle * h, xs_transaction_t t, const char *p,
      struct xs_permissions *perms, unsigned int n),
     (h, t, p, perms, n))
WRAP(bool, xs_watch, (struct xs_handle * h, const char *p, const char *tok), (h, p, tok))
WRAP(bool, xs_unwatch, (struct xs_handle * h, const char *p, const char *tok),
     (h, p, tok))
WRAP(char **, xs_read_watch, (struct xs_handle * h, unsigned int *n), (h, n))
WRAP(char **, xs_check_watch, (struct xs_handle * h), (h))
WRAP(xs_transaction_t, xs_transaction_start, (struct xs_handle * h), (h))
WRAP(bool, xs_transaction_end, (struct xs_handle * h, xs_transaction_t t, bool abort),
     (h, t, abort))
WRAP(bool, xs_introduce_domain,
     (struct xs_handle * h, unsigned int d, unsigned long mfn, unsigned int port),
     (h, d, mfn, port))
WRAP(bool, xs_release_domain, (struct xs_handle * h, unsigned int d), (h, d))
WRAP(char *, xs_get_domain_path, (struct xs_handle * h, unsigned int d), (h, d))

/* ---- libxenctrl ---- */
WRAP(xc_interface *, xc_interface_open,
     (xentoollog_logger * a, xentoollog_logger *b, unsigned f), (a, b, f))
WRAP(int, xc_interface_close, (xc_interface * x), (x))
WRAP(int, xc_domain_create,
     (xc_interface * x, uint32_t *d, struct xen_domctl_createdomain *c), (x, d, c))
WRAP(int, xc_domain_destroy, (xc_interface * x, uint32_t d), (x, d))
WRAP(int, xc_domain_pause, (xc_interface * x, uint32_t d), (x, d))
WRAP(int, xc_domain_unpause, (xc_interface * x, uint32_t d), (x, d))
WRAP(int, xc_domain_max_vcpus, (xc_interface * x, uint32_t d, unsigned int m), (x, d, m))
WRAP(int, xc_domain_setmaxmem, (xc_interface * x, uint32_t d, uint64_t k), (x, d, k))
WRAP(int, xc_domain_getinfolist,
     (xc_interface * x, uint32_t f, unsigned int m, xc_domaininfo_t *i), (x, f, m, i))
WRAP(int, xc_domain_getinfo,
     (xc_interface * x, uint32_t f, unsigned int m, xc_dominfo_t *i), (x, f, m, i))
WRAP(int, xc_domain_populate_physmap,
     (xc_interface * x, uint32_t d, unsigned long n, unsigned int o, unsigned int f,
      xen_pfn_t *e),
     (x, d, n, o, f, e))
WRAP(int, xc_domain_populate_physmap_exact,
     (xc_interface * x, uint32_t d, unsigned long n, unsigned int o, unsigned int f,
      xen_pfn_t *e),
     (x, d, n, o, f, e))
WRAP(int, xc_vcpu_setcontext,
     (xc_interface * x, uint32_t d, uint32_t v, vcpu_guest_context_any_t *c),
     (x, d, v, c))
WRAP(int, xc_domctl, (xc_interface * x, struct xen_domctl *dc), (x, dc))
WRAP(int, xc_mmuext_op,
     (xc_interface * x, struct mmuext_op *op, unsigned int n, uint32_t d), (x, op, n, d))
WRAP(xc_evtchn_port_or_error_t, xc_evtchn_alloc_unbound,
     (xc_interface * x, uint32_t d, uint32_t r), (x, d, r))
WRAP(int, xc_physinfo, (xc_interface * x, xc_physinfo_t *p), (x, p))
WRAP(int, xc_version, (xc_interface * x, int cmd, void *arg), (x, cmd, arg))

/* ---- libxenforeignmemory ---- */
WRAP(xenforeignmemory_handle *, xenforeignmemory_open,
     (xentoollog_logger * l, unsigned f), (l, f))
WRAP(void *, xenforeignmemory_map,
     (xenforeignmemory_handle * h, uint32_t d, int prot, size_t n,
      const xen_pfn_t arr[/*n*/], int err[/*n*/]),
     (h, d, prot, n, arr, err))
WRAP(int, xenforeignmemory_unmap, (xenforeignmemory_handle * h, void *a, size_t n),
     (h, a, n))
WRAP(xenforeignmemory_resource_handle *, xenforeignmemory_map_resource,
     (xenforeignmemory_handle * h, domid_t d, unsigned int t, unsigned int id,
      unsigned long f, unsigned long n, void **a, int prot, int fl),
     (h, d, t, id, f, n, a, prot, fl))
WRAP(int, xenforeignmemory_unmap_resource,
     (xenforeignmemory_handle * h, xenforeignmemory_resource_handle *r), (h, r))

/* ---- processes ---- */
WRAP(pid_t, fork, (void), ())
