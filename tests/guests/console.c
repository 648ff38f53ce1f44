/*
 * xbtest: output. Every line goes to Xen's debug console (console_io,
 * visible in Xen's log with guest_loglvl=all) and, once attached, to the
 * console ring (io/console.h) the guest found (PV: start_info; PVH: HVM
 * params), so that the toolstack's console daemon sees it.
 */
#include "xbtest.h"

static struct {
    volatile struct xencons_interface *ring;
    evtchn_port_t port;
    int broken; /* backend stopped consuming: stop waiting */
} con;

int xbt_console_attach(volatile struct xencons_interface *ring, evtchn_port_t port)
{
    if (!ring || !port)
        return -1;
    con.ring = ring;
    con.port = port;
    return 0;
}

static int ring_has_space(void *arg)
{
    (void)arg;
    return con.ring->out_prod - con.ring->out_cons < sizeof(con.ring->out);
}

static int ring_empty(void *arg)
{
    (void)arg;
    return con.ring->out_prod == con.ring->out_cons;
}

static void ring_write(const char *s, size_t n)
{
    volatile struct xencons_interface *r = con.ring;

    while (n && !con.broken) {
        XENCONS_RING_IDX prod = r->out_prod;

        if (!ring_has_space(NULL)) {
            xbt_evtchn_send(con.port);
            if (!xbt_wait(con.port, ring_has_space, NULL, 10000))
                con.broken = 1;
            continue;
        }
        xbt_mb();
        r->out[MASK_XENCONS_IDX(prod, r->out)] = *s++;
        xbt_mb();
        r->out_prod = prod + 1;
        n--;
    }
    xbt_evtchn_send(con.port);
}

void xbt_printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = xbt_fmt(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(line))
        n = (int)sizeof(line) - 1;
    xbt_console_io_write(line, (size_t)n);
    if (con.ring)
        ring_write(line, (size_t)n);
}

int xbt_console_drained(unsigned int timeout_ms)
{
    if (!con.ring || con.broken)
        return 0;
    xbt_evtchn_send(con.port);
    return xbt_wait(con.port, ring_empty, NULL, timeout_ms);
}
