/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen_stream.c - the memory stream of save, restore and
 * migration on real Xen: libxenguest's xc_domain_save() and
 * xc_domain_restore(), which own Xen's migration stream format (page
 * batches, page-table canonicalisation, log-dirty rounds, vCPU, HVM and
 * CPU-policy records), and xc_domain_resume(). xbuild writes no stream of
 * its own: these wrappers give libxenguest the callbacks it asks for and
 * turn its failures into one message, its own last error when it gave one.
 * libxenguest is opened at the first of them (../image/dl.h): create,
 * destroy and the rest never load it, nor the compression libraries it
 * links (liblzma, libzstd, zlib).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../image/dl.h"
#include "xen_util.h"

#ifdef XB_HAVE_XEN

#include <xenguest.h>

static struct {
    __typeof__(xc_domain_save) *save;
    __typeof__(xc_domain_restore) *restore;
    __typeof__(xc_domain_resume) *resume;
} xg;
static const char *const xg_names[] = {"xc_domain_save", "xc_domain_restore",
                                       "xc_domain_resume"};
static struct xb_dl xg_dl =
    XB_DL_INIT(XB_XENGUEST_SONAME, XB_XENGUEST_PACKAGE, xg_names, &xg);
_Static_assert(sizeof(xg) == 3 * sizeof(void *), "one pointer each (dl.h)");

/* libxenguest's own policy (xg_sr_save.c): at most 5 rounds, or fewer than 50 pages
 * dirty */
#define PRECOPY_MAX_ROUNDS   5
#define PRECOPY_TARGET_DIRTY 50

struct save_ctx {
    const struct xb_hv_save *how;
    struct xb_hv_save_stats *stats;
};

/* libxenguest's suspend callback: nonzero once the domain is suspended. */
static int on_suspend(void *data)
{
    const struct save_ctx *c = data;

    return c->how->suspend(c->how->data) == 0;
}

/* Called around every batch of the pre-copy rounds; the numbers go in the stats. */
static int on_precopy(struct precopy_stats st, void *data)
{
    const struct save_ctx *c = data;

    c->stats->rounds = st.iteration;
    c->stats->pages_written = st.total_written;
    c->stats->last_dirty = (uint64_t)st.dirty_count;
    if ((st.dirty_count >= 0 && st.dirty_count < PRECOPY_TARGET_DIRTY) ||
        st.iteration >= PRECOPY_MAX_ROUNDS)
        return XGS_POLICY_STOP_AND_COPY;
    return XGS_POLICY_CONTINUE_PRECOPY;
}

/* No device model behind a PVH guest: nothing of ours to tell about log-dirty. */
static int on_qemu_logdirty(uint32_t domid, unsigned enable, void *data)
{
    return 0;
}

/* "@what: libxenguest's last error" (or errno's), as -errno. */
static int stream_fail(struct xb_err *err, const struct xb_xen_log *log, const char *what,
                       uint32_t domid)
{
    int e = errno ? errno : EIO;

    if (!log->last[0])
        return xb_err_set(err, -e, "%s(%u): %s", what, domid, strerror(e));
    return xb_err_set(err, -e, "%s(%u): libxenguest: %s", what, domid, log->last);
}

int xb__xen_stream_save(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                        uint32_t domid, int fd, const struct xb_hv_save *how,
                        struct xb_hv_save_stats *stats)
{
    struct save_ctx c = {.how = how, .stats = stats};
    struct save_callbacks cb = {
        .suspend = on_suspend,
        .precopy_policy = on_precopy,
        .switch_qemu_logdirty = on_qemu_logdirty,
        .data = &c,
    };

    *stats = (struct xb_hv_save_stats){.last_dirty = UINT64_MAX};
    if (xb__dl_need(&xg_dl, err, "stream_save") != 0)
        return -ENOSYS;
    xb__xen_log_clear(log);
    errno = 0;
    if (xg.save(xch, fd, domid, how->live ? XCFLAGS_LIVE : 0, &cb, XC_STREAM_PLAIN, -1) !=
        0)
        return stream_fail(err, log, "stream_save", domid);
    return 0;
}

int xb__xen_stream_restore(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                           uint32_t domid, int fd, const struct xb_hv_restore *how,
                           xb_mfn *store_frame, xb_mfn *console_frame)
{
    struct restore_callbacks cb = {0}; /* no checkpoints; CPUID comes in the stream */
    unsigned long store = 0, console = 0;

    if (xb__dl_need(&xg_dl, err, "stream_restore") != 0)
        return -ENOSYS;
    xb__xen_log_clear(log);
    errno = 0;
    if (xg.restore(xch, fd, domid, how->store_port, &store, how->store_domid,
                   how->console_port, &console, how->console_domid, XC_STREAM_PLAIN, &cb,
                   -1) != 0)
        return stream_fail(err, log, "stream_restore", domid);
    *store_frame = store;
    *console_frame = console;
    return 0;
}

int xb__xen_domain_resume(xc_interface *xch, struct xb_xen_log *log, struct xb_err *err,
                          uint32_t domid)
{
    if (xb__dl_need(&xg_dl, err, "domain_resume") != 0)
        return -ENOSYS;
    xb__xen_log_clear(log);
    errno = 0;
    if (xg.resume(xch, domid, 1) != 0) /* fast: the guest sees "cancelled" */
        return stream_fail(err, log, "domain_resume", domid);
    return 0;
}

#endif
