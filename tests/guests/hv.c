/*
 * xbtest: the hypercalls every guest type makes the same way, Xen system
 * time from shared_info and bounded event waits (SCHEDOP_poll). The event
 * bitmap is read bit by bit, which is the same in the 32- and 64-bit
 * shared_info layouts (little-endian), so a PVH guest in 32-bit mode need
 * not know which layout Xen latched for it.
 */
#include "xbtest.h"

/* Where the 32- and 64-bit shared_info layouts agree (hv.c relies on it). */
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048,
               "shared_info.evtchn_pending");

static struct shared_info *xbt_shared;

long xbt_xen_version(void)
{
    return xbt_hcall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
}

long xbt_console_io_write(const char *s, size_t n)
{
    return xbt_hcall(__HYPERVISOR_console_io, CONSOLEIO_write, n, (unsigned long)s, 0);
}

long xbt_current_reservation(void)
{
    domid_t self = DOMID_SELF;

    return xbt_hcall(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                     (unsigned long)&self, 0, 0);
}

long xbt_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send send = {.port = port};

    return xbt_hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send,
                     0, 0);
}

void xbt_shutdown(unsigned int reason)
{
    struct sched_shutdown sd = {.reason = reason};

    for (;;) {
        xbt_hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&sd, 0, 0);
        xbt_hcall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0);
    }
}

void xbt_set_shared(struct shared_info *sh)
{
    xbt_shared = sh;
}

/* (delta << / >> shift) * mul >> 32, without 128-bit arithmetic. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    uint64_t lo, hi;

    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    lo = (delta & 0xffffffffu) * mul;
    hi = (delta >> 32) * mul;
    return hi + (lo >> 32);
}

uint64_t xbt_now_ns(void)
{
    volatile struct vcpu_time_info *t;
    uint32_t version;
    uint64_t ns;

    if (!xbt_shared)
        return 0;
    t = &xbt_shared->vcpu_info[0].time;
    do {
        version = t->version;
        xbt_mb();
        ns = t->system_time + scale_delta(xbt_rdtsc() - t->tsc_timestamp,
                                          t->tsc_to_system_mul, t->tsc_shift);
        xbt_mb();
    } while ((version & 1) || version != t->version);
    return ns;
}

static void clear_pending(evtchn_port_t port)
{
    unsigned int bits = sizeof(xen_ulong_t) * 8;

    __atomic_fetch_and(&xbt_shared->evtchn_pending[port / bits],
                       ~((xen_ulong_t)1 << (port % bits)), __ATOMIC_SEQ_CST);
}

static void poll_until(evtchn_port_t port, uint64_t deadline)
{
    struct sched_poll poll = {.nr_ports = 1, .timeout = deadline};

    set_xen_guest_handle(poll.ports, &port);
    xbt_hcall(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll, 0, 0);
}

int xbt_wait(evtchn_port_t port, int (*cond)(void *), void *arg, unsigned int timeout_ms)
{
    uint64_t deadline;
    unsigned long spins = 0;

    if (!xbt_shared) {
        /* No clock yet: a bounded number of yields. */
        while (!cond(arg) && spins++ < 100000ul)
            xbt_hcall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0);
        return cond(arg);
    }
    deadline = xbt_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        clear_pending(port);
        if (cond(arg))
            return 1;
        if (xbt_now_ns() >= deadline)
            return cond(arg);
        poll_until(port, deadline);
    }
}
