/*
 * xbtest: one xenstore request over the shared ring (io/xs_wire.h): write
 * a struct xsd_sockmsg header plus payload into req[], notify the store
 * event channel, wait for a whole reply in rsp[].
 */
#include "xbtest.h"

#define XBT_XS_TIMEOUT_MS 20000

struct xs_ctx {
    volatile struct xenstore_domain_interface *ring;
    evtchn_port_t port;
    size_t want; /* bytes of reply we wait for */
};

static int req_space(void *arg)
{
    struct xs_ctx *x = arg;

    return x->ring->req_prod - x->ring->req_cons < XENSTORE_RING_SIZE;
}

static int rsp_ready(void *arg)
{
    struct xs_ctx *x = arg;

    return x->ring->rsp_prod - x->ring->rsp_cons >= x->want;
}

static int xs_write(struct xs_ctx *x, const void *data, size_t n)
{
    const char *p = data;

    while (n) {
        XENSTORE_RING_IDX prod = x->ring->req_prod;

        if (!req_space(x) && !xbt_wait(x->port, req_space, x, XBT_XS_TIMEOUT_MS))
            return -1;
        xbt_mb();
        x->ring->req[MASK_XENSTORE_IDX(prod)] = *p++;
        xbt_mb();
        x->ring->req_prod = prod + 1;
        n--;
    }
    return xbt_evtchn_send(x->port) ? -1 : 0;
}

static int xs_read(struct xs_ctx *x, void *data, size_t n)
{
    char *p = data;

    x->want = n;
    if (!xbt_wait(x->port, rsp_ready, x, XBT_XS_TIMEOUT_MS))
        return -1;
    xbt_mb();
    for (size_t i = 0; i < n; i++) {
        XENSTORE_RING_IDX cons = x->ring->rsp_cons;

        p[i] = x->ring->rsp[MASK_XENSTORE_IDX(cons)];
        xbt_mb();
        x->ring->rsp_cons = cons + 1;
    }
    return xbt_evtchn_send(x->port) ? -1 : 0;
}

int xbt_xs_read(volatile struct xenstore_domain_interface *ring, evtchn_port_t port,
                const char *path, char *out, size_t cap)
{
    struct xs_ctx x = {.ring = ring, .port = port};
    size_t plen = xbt_strnlen(path, XENSTORE_ABS_PATH_MAX) + 1;
    struct xsd_sockmsg msg = {
        .type = XS_READ,
        .req_id = 0x7862,
        .tx_id = 0,
        .len = (uint32_t)plen,
    };

    if (!x.ring || !x.port)
        return -1;
    if (xs_write(&x, &msg, sizeof(msg)) || xs_write(&x, path, plen))
        return -2;
    if (xs_read(&x, &msg, sizeof(msg)))
        return -3;
    if (msg.req_id != 0x7862 || msg.len >= cap || msg.len > XENSTORE_PAYLOAD_MAX)
        return -4;
    if (xs_read(&x, out, msg.len))
        return -3;
    out[msg.len] = '\0';
    return msg.type == XS_READ ? 0 : -5;
}
