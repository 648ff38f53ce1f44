/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/migrate/restore.c - the front of a save image (xb_saved_read)
 * and xb_domain_restore(): libxl's stream header read before anything
 * exists, then the create flow of domain/create.c with its fill step here
 * (libxenguest's stream into the empty domain, then libxl's END record).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../domain/domain.h"
#include "migrate.h"

int xb_saved_read(int fd, const char *what, struct xb_saved *out, struct xb_err *err)
{
    uint8_t hdr[XB_XLHDR_LEN], *opt = NULL;
    uint32_t optlen = 0;
    struct xb_err why = {0};
    int rc = xb__read_full(fd, hdr, sizeof(hdr), what, err);

    *out = (struct xb_saved){0};
    if (!rc && xb__xlhdr_parse(hdr, sizeof(hdr), &out->mandatory_flags,
                               &out->optional_flags, &optlen, &why) != 0)
        rc = xb_err_set(err, -EINVAL, "%s: %s", what, why.msg);
    if (!rc && optlen && !(opt = malloc(optlen)))
        rc = xb_err_set(err, -ENOMEM, "%s: out of memory", what);
    if (!rc && optlen)
        rc = xb__read_full(fd, opt, optlen, what, err);
    if (!rc && xb__xlopt_parse(opt, optlen, &out->config, &out->config_len, &why) != 0)
        rc = xb_err_set(err, -EINVAL, "%s: %s", what, why.msg);
    out->config_json = (out->mandatory_flags & XB_XL_FLAG_JSON) != 0;
    free(opt);
    if (rc)
        xb_saved_clear(out);
    return rc;
}

void xb_saved_clear(struct xb_saved *saved)
{
    if (!saved)
        return;
    free(saved->config);
    *saved = (struct xb_saved){0};
}

/* A file read to its end (a stream that stopped early there was cut short). */
static bool at_end(int fd)
{
    struct stat st;
    off_t at = lseek(fd, 0, SEEK_CUR);

    return at >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && at == st.st_size;
}

int xb__restore_fill(struct xb_ctx *ctx, struct xb_err *err, const struct xb__restore *r,
                     uint32_t domid, uint32_t store_port, uint32_t console_port,
                     xb_mfn *store, xb_mfn *console)
{
    const struct xb_hv_restore how = {
        .store_port = store_port,
        .console_port = console_port,
        .store_domid = 0,
        .console_domid = 0,
    };
    struct xb_err why = {0};
    int rc =
        ctx->hv->ops->stream_restore(ctx->hv, &why, domid, r->fd, &how, store, console);

    if (rc && at_end(r->fd))
        return xb_err_set(err, rc, "%s: truncated: the memory image ends early (%s)",
                          r->what, why.msg);
    if (rc)
        return xb_err_set(err, rc, "%s: the memory image: %s", r->what, why.msg);
    return xb__lx_read_end(r->fd, r->what, err);
}

int xb_domain_restore(struct xb_ctx *ctx, const struct xb_spec *spec, int fd,
                      const char *what, const struct xb_restore_opts *opts,
                      uint32_t *domid)
{
    const struct xb__restore r = {.fd = fd, .what = what};
    const struct xb_create_opts co = {
        .paused = opts && opts->paused,
        .timings = opts ? opts->timings : NULL,
        .source = opts ? opts->source : NULL,
    };
    int rc;

    xb__ctx_reset(ctx);
    rc = xb__lx_read_start(fd, what, &ctx->err); /* before anything exists */
    return rc ? rc : xb__dom_create(ctx, spec, &co, &r, false, domid);
}
