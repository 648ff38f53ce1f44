/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/names.c - a domain's name in xenstore: claimed by a
 * create (atomically, against concurrent creates), released with the
 * domain, moved by a rename.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodes.h"
#include "record.h"

#define XS_PATH_MAX     128
#define XS_NAMES_DIR    "/xbuild/names"
#define XS_RESTARTS_DIR "/xbuild/restarts"
#define XS_RECORDS_DIR  "/xbuild/domains"
#define XS_CLAIM_MAX    (sizeof(XS_NAMES_DIR) + 3 * 256 + 4)

/*
 * ---- names: two creates of one name cannot both win ----
 * A create claims its name in /xbuild/names (one node per name, checked
 * and written in one transaction), then checks that no other domain
 * carries the name. The claim is kept for the domain's life (destroy
 * removes it; xbuild rename moves it; one whose domain is gone or carries
 * another name is stale and taken over): so a create learns whether one of
 * xbuild's domains has the name from the claim alone, however many run,
 * and reads only the names of the others (xb__dom_name_taken()).
 */

/*
 * DIR/NAME, NAME with every byte outside [A-Za-z0-9-] written as "_xx"
 * (xenstore paths take few characters; '_' itself is "_5f").
 */
static int name_path(const char *dir, const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)name;
    size_t n = (size_t)snprintf(buf, size, "%s/", dir);

    for (; *p && n + 4 <= size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-') {
            buf[n++] = (char)*p;
            continue;
        }
        buf[n++] = '_';
        buf[n++] = hex[*p >> 4];
        buf[n++] = hex[*p & 15];
    }
    buf[n] = '\0';
    return *p || !name[0] ? -ENAMETOOLONG : 0;
}

static int claim_path(const char *name, char *buf, size_t size)
{
    return name_path(XS_NAMES_DIR, name, buf, size);
}

int xb__xs_claim_path(const char *name, char *buf, size_t size)
{
    return claim_path(name, buf, size);
}

int xb__xs_restart_path(const char *name, char *buf, size_t size)
{
    return name_path(XS_RESTARTS_DIR, name, buf, size);
}

struct claim {
    const char *name;
    uint32_t domid;
    bool restart; /* the monitor's re-create of a restart: its entry holds the name */
    char path[XS_CLAIM_MAX];
};

/* A restart of @c->name is under way (and this is not it): -EEXIST. */
static int check_restart(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const struct claim *c)
{
    char p[XB_XS_NAME_PATH_MAX], *v = NULL;
    int rc;

    if (c->restart || xb__xs_restart_path(c->name, p, sizeof(p)) != 0)
        return 0;
    rc = xs->ops->read(xs, err, tx, p, &v, NULL);
    free(v);
    return rc == 0 ? -EEXIST : rc == -ENOENT ? 0 : rc;
}

/* The domain @c->path names holds the name still: -EEXIST. */
static int check_holder(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                        const struct claim *c)
{
    char p[XS_PATH_MAX], *v = NULL, *have = NULL;
    unsigned long holder;
    int rc = xs->ops->read(xs, err, tx, c->path, &v, NULL);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    holder = strtoul(v, NULL, 10);
    free(v);
    if (holder == c->domid)
        return 0;
    snprintf(p, sizeof(p), "/local/domain/%lu/name", holder);
    rc = xs->ops->read(xs, err, tx, p, &have, NULL);
    if (rc)
        return rc == -ENOENT ? 0 : rc; /* destroyed by another toolstack: stale */
    rc = strcmp(have, c->name) == 0 ? -EEXIST : 0;
    free(have);
    return rc;
}

static int claim_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct claim *c = arg;
    char dom[XS_PATH_MAX], id[16];
    int rc = check_holder(xs, err, tx, c);

    if (!rc)
        rc = check_restart(xs, err, tx, c);
    snprintf(dom, sizeof(dom), "/local/domain/%u", c->domid);
    snprintf(id, sizeof(id), "%u", c->domid);
    if (!rc)
        rc = xb__xs_rm_missing_ok(xs, err, tx,
                                  dom); /* a previous domain's, with this id */
    if (!rc)
        rc = xs->ops->write(xs, err, tx, c->path, id, strlen(id));
    strncat(dom, "/name", sizeof(dom) - strlen(dom) - 1);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, dom, c->name, strlen(c->name));
    return rc;
}

int xb__xs_name_claim(struct xb_xs *xs, struct xb_err *err, const char *name,
                      uint32_t domid, bool restart)
{
    struct claim c = {.name = name, .domid = domid, .restart = restart};
    int rc = claim_path(name, c.path, sizeof(c.path));

    if (rc)
        return xb_err_set(err, rc, "name: \"%.40s...\" is too long for xenstore", name);
    rc = xb__xs_transaction(xs, err, claim_body, &c, "claim the name");
    if (rc == -EEXIST)
        return xb_err_set(err, rc,
                          "name: a domain named \"%s\" already exists; destroy it or "
                          "choose another name",
                          name);
    return rc;
}

/* Drop the claim on @name if @domid holds it. */
static int release_claim(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                         const char *name, uint32_t domid)
{
    char path[XS_CLAIM_MAX], *holder = NULL;
    int rc = claim_path(name, path, sizeof(path));

    if (rc == 0)
        rc = xs->ops->read(xs, err, tx, path, &holder, NULL);
    if (rc == 0 && strtoul(holder, NULL, 10) == domid)
        rc = xb__xs_rm_missing_ok(xs, err, tx, path);
    free(holder);
    return rc == -ENOENT || rc == -ENAMETOOLONG ? 0 : rc;
}

/* The claim of a half-built @domid (its name node tells which name). */
int xb__xs_claim_remove(struct xb_xs *xs, struct xb_err *err, uint32_t tx, uint32_t domid)
{
    char p[XS_PATH_MAX], *name = NULL;
    int rc;

    /* its name node; or, when another toolstack (xl destroy) removed the
     * domain's nodes first, the name the monitor's record keeps */
    snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
    rc = xs->ops->read(xs, err, tx, p, &name, NULL);
    if (rc == -ENOENT) {
        snprintf(p, sizeof(p), XS_RECORDS_DIR "/%u", domid);
        rc = xb__rec_name_at(xs, err, tx, p, &name);
    }
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    rc = release_claim(xs, err, tx, name, domid);
    free(name);
    return rc;
}

/* ---- rename ---- */

struct rename {
    uint32_t domid;
    const char *name;
};

/* @path = @r->name when the node exists (a record without one is left alone). */
static int rename_node(struct xb_xs *xs, struct xb_err *err, uint32_t tx,
                       const char *path, const char *name)
{
    char *v = NULL;
    int rc = xs->ops->read(xs, err, tx, path, &v, NULL);

    free(v);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    return xs->ops->write(xs, err, tx, path, name, strlen(name));
}

static int rename_body(struct xb_xs *xs, struct xb_err *err, uint32_t tx, const void *arg)
{
    const struct rename *r = arg;
    struct claim c = {.name = r->name, .domid = r->domid};
    char p[XS_PATH_MAX + 8], *vm = NULL;
    int rc = claim_path(r->name, c.path, sizeof(c.path));

    if (!rc)
        rc = check_holder(xs, err, tx, &c);
    if (!rc)
        rc = check_restart(xs, err, tx, &c);
    if (!rc) /* the claim moves with the name */
        rc = xb__xs_claim_remove(xs, err, tx, r->domid);
    snprintf(p, sizeof(p), "%u", r->domid);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, c.path, p, strlen(p));
    snprintf(p, sizeof(p), "/local/domain/%u/name", r->domid);
    if (!rc)
        rc = xs->ops->write(xs, err, tx, p, r->name, strlen(r->name));
    if (!rc)
        rc = xb__xs_vm_path(xs, err, tx, r->domid, &vm);
    if (!rc && vm) {
        snprintf(p, sizeof(p), "%.120s/name", vm);
        rc = rename_node(xs, err, tx, p, r->name);
    }
    free(vm);
    snprintf(p, sizeof(p), XS_RECORDS_DIR "/%u", r->domid);
    if (!rc && (rc = xb__rec_set(xs, err, tx, p, "name", r->name)) == -ENOENT)
        rc = 0; /* no record: not xbuild's */
    return rc;
}

int xb__xs_rename(struct xb_xs *xs, struct xb_err *err, uint32_t domid, const char *name)
{
    const struct rename r = {.domid = domid, .name = name};
    int rc = xb__xs_transaction(xs, err, rename_body, &r, "rename the domain");

    if (rc == -EEXIST)
        return xb_err_set(err, rc, "rename: a domain named \"%s\" already exists", name);
    if (rc == -ENAMETOOLONG)
        return xb_err_set(err, rc, "rename: \"%.40s...\" is too long for xenstore", name);
    return rc;
}
