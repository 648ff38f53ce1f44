/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/migrate/protocol.c - xl's migration protocol, over whatever
 * transport the caller runs (`ssh HOST xbuild migrate-receive`, or -s):
 *
 *   receiver  the banner ("xl migration receiver ready, ...\n")
 *   sender    the save image: header, configuration, libxl's stream
 *   receiver  "domain received, ready to unpause"        (restored, paused,
 *                                                          as NAME--incoming)
 *   sender    "domain is yours, you are cleared to unpause" (renamed away)
 *   receiver  "my copy unpause results are as follows", one status byte
 *   receiver  on a non-zero status: the go back (it destroyed its copy)
 *
 * The messages are xl's byte for byte (the banner without its NUL, the
 * others with theirs). The sender's domain is destroyed only after a zero
 * status; before the go, any failure resumes it under its name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/domain.h"
#include "../domain/nodes.h"
#include "../domain/userdata.h"
#include "migrate.h"

#define NAME_MAX_LEN 128

static const char banner[] = "xl migration receiver ready, send binary domain data.\n";
static const char ready[] = "domain received, ready to unpause";
static const char go[] = "domain is yours, you are cleared to unpause";
static const char report[] = "my copy unpause results are as follows";

/* Read exactly the message @msg (@len bytes) from @fd; @what names it. */
static int expect(int fd, const char *msg, size_t len, const char *what,
                  struct xb_err *err)
{
    char buf[sizeof(banner) + sizeof(go)];
    struct xb_err why = {0};
    int rc = xb__read_full(fd, buf, len, what, &why);

    if (rc == -EPIPE)
        return xb_err_set(err, rc, "the other side went away instead of sending %s",
                          what);
    if (rc)
        return xb_err_set(err, rc, "%s", why.msg);
    if (memcmp(buf, msg, len) != 0)
        return xb_err_set(err, -EPROTO, "the other side sent something else than %s",
                          what);
    return 0;
}

static int say(int fd, const char *msg, size_t len, const char *what, struct xb_err *err)
{
    return xb__write_full(fd, msg, len, what, err);
}

/* The domain's name now, or "" (then the domain keeps whatever it has). */
static void dom_name(struct xb_ctx *ctx, uint32_t domid, char *buf, size_t size)
{
    char path[64], *v = NULL;

    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    buf[0] = '\0';
    if (ctx->xs->ops->read(ctx->xs, NULL, XB_XS_NO_TX, path, &v, NULL) == 0)
        snprintf(buf, size, "%s", v);
    free(v);
}

/*
 * Rename @domid to @name when no other domain carries it: its xenstore
 * nodes, its monitor record and libxl's stored configuration.
 */
static int rename_dom(struct xb_ctx *ctx, uint32_t domid, const char *name)
{
    struct xb_hv_dominfo info;
    int rc = xb__dom_need(ctx, &ctx->err, domid, &info);

    if (!rc)
        rc = xb__dom_name_taken(ctx, &ctx->err, name, domid);
    if (!rc)
        rc = xb__xs_rename(ctx->xs, &ctx->err, domid, name);
    return rc ? rc : xb__userdata_rename(ctx, &ctx->err, domid, info.handle, name);
}

/* ---- the sender ---- */

struct send {
    struct xb_ctx *ctx;
    uint32_t domid;
    char name[NAME_MAX_LEN], away[NAME_MAX_LEN + 16];
    bool renamed;
};

/* Before the go, or when the target gave up: this copy carries on, named as it was. */
static void take_back(struct send *s)
{
    if (s->renamed && rename_dom(s->ctx, s->domid, s->name) == 0)
        s->renamed = false;
    xb__dom_resume(s->ctx, s->domid, false);
}

/* The go was sent: the target's report decides who runs the domain. */
static int after_go(struct send *s, int from, struct xb_migrate_stats *st)
{
    struct xb_err *err = &s->ctx->err, why = {0};
    char status = 0;
    int rc = expect(from, report, sizeof(report), "the target's report", &why);

    if (!rc)
        rc = xb__read_full(from, &status, 1, "the target's report", &why);
    st->report_ns = xb__now_ns();
    if (rc)
        return xb_err_set(err, -EIO,
                          "%s: no report from the target after the go (%s): it may be "
                          "running the domain; this copy stays suspended as \"%s\" "
                          "(destroy it, or rename and resume it, once you know)",
                          s->name, why.msg, s->away);
    if (status != 0) {
        rc = expect(from, go, sizeof(go), "the target's permission to resume", &why);
        if (!rc)
            take_back(s);
        return xb_err_set(
            err, -EREMOTEIO,
            rc ? "%s: the target could not start the domain (status %d) and "
                 "did not say it cleaned up: this copy stays suspended"
               : "%s: the target could not start the domain (status %d): "
                 "it carries on here",
            s->name, status);
    }
    return xb__dom_destroy(s->ctx, s->domid, false);
}

int xb_migrate_send(struct xb_ctx *ctx, uint32_t domid, int to, int from,
                    const struct xb_save_opts *opts, struct xb_migrate_stats *stats)
{
    struct xb_save_opts o = opts ? *opts : (struct xb_save_opts){0};
    struct xb_migrate_stats own;
    struct xb_migrate_stats *st = stats ? stats : &own;
    struct send s = {.ctx = ctx, .domid = domid};
    int rc;

    xb__ctx_reset(ctx);
    *st = (struct xb_migrate_stats){0};
    o.then = XB_SAVE_SUSPENDED;
    dom_name(ctx, domid, s.name, sizeof(s.name));
    snprintf(s.away, sizeof(s.away), "%s--migratedaway", s.name);
    rc = expect(from, banner, sizeof(banner) - 1, "a migration receiver's banner",
                &ctx->err);
    if (!rc)
        rc = xb__dom_save(ctx, domid, to, &o, &st->save); /* resumed if it fails */
    if (rc)
        return rc;
    rc = expect(from, ready, sizeof(ready), "the target's word that it has the domain",
                &ctx->err);
    st->ready_ns = xb__now_ns();
    if (!rc && s.name[0] && (rc = rename_dom(ctx, domid, s.away)) == 0)
        s.renamed = true;
    if (!rc)
        rc = say(to, go, sizeof(go), "the go", &ctx->err);
    if (rc) {
        take_back(&s);
        return rc;
    }
    return after_go(&s, from, st);
}

/* ---- the receiver ---- */

int xb_migrate_hello(int to, int from, struct xb_saved *out, struct xb_err *err)
{
    int rc = say(to, banner, sizeof(banner) - 1, "the banner", err);

    return rc ? rc : xb_saved_read(from, "the migration stream", out, err);
}

/* Restored as NAME--incoming, paused, then the sender's go. */
static int receive(struct xb_ctx *ctx, const struct xb_spec *spec, int to, int from,
                   const struct xb_restore_opts *opts, uint32_t *domid)
{
    const struct xb__restore r = {
        .fd = from, .what = "the migration stream", .mover = spec->name};
    const struct xb_create_opts co = {.paused = true,
                                      .source = opts ? opts->source : NULL};
    struct xb_spec incoming = *spec; /* borrowed fields, another name */
    char name[NAME_MAX_LEN + 16];
    int rc;

    snprintf(name, sizeof(name), "%s--incoming", spec->name);
    incoming.name = name;
    rc = xb__lx_read_start(from, r.what, &ctx->err);
    if (!rc)
        rc = xb__dom_create(ctx, &incoming, &co, &r, false, domid);
    if (rc)
        return rc;
    rc = say(to, ready, sizeof(ready), "the ready message", &ctx->err);
    if (!rc)
        rc = expect(from, go, sizeof(go), "the sender's go", &ctx->err);
    if (rc)
        xb__dom_destroy(ctx, *domid, false); /* the domain stays with the sender */
    return rc;
}

/* Take the name and start; the status byte says how it went. */
static int start(struct xb_ctx *ctx, const struct xb_spec *spec, int to, uint32_t domid,
                 bool paused)
{
    int rc = rename_dom(ctx, domid, spec->name);
    char status;

    if (!rc && !paused)
        rc = ctx->hv->ops->domain_unpause(ctx->hv, &ctx->err, domid);
    status = rc ? 1 : 0;
    if (say(to, report, sizeof(report), "the report", rc ? NULL : &ctx->err) ||
        say(to, &status, 1, "the report", rc ? NULL : &ctx->err))
        rc = rc ? rc : -EPIPE; /* the sender cannot know: it keeps its copy suspended */
    if (status) {
        xb__dom_destroy(ctx, domid, false);
        say(to, go, sizeof(go), "the permission to resume", NULL);
    }
    return rc;
}

int xb_migrate_receive(struct xb_ctx *ctx, const struct xb_spec *spec, int to, int from,
                       const struct xb_restore_opts *opts, uint32_t *domid)
{
    int rc;

    xb__ctx_reset(ctx);
    rc = receive(ctx, spec, to, from, opts, domid);
    return rc ? rc : start(ctx, spec, to, *domid, opts && opts->paused);
}
