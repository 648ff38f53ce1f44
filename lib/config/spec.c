/* SPDX-License-Identifier: MIT */
/*
 * lib/config/spec.c - the spec's name tables (one of each, for parsing and
 * printing alike), freeing a spec, and the one I/O step: do its files exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *const action_names[] = {
    [XB_ACTION_DESTROY] = "destroy",
    [XB_ACTION_RESTART] = "restart",
    [XB_ACTION_RENAME_RESTART] = "rename-restart",
    [XB_ACTION_PRESERVE] = "preserve",
    [XB_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XB_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [XB_ACTION_SOFT_RESET] = "soft-reset",
};

static const char *const domtype_names[] = {
    [XB_DOMTYPE_PV] = "pv",
    [XB_DOMTYPE_PVH] = "pvh",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const *xb__action_names(size_t *n)
{
    *n = N(action_names);
    return action_names;
}

const char *const *xb__domtype_names(size_t *n)
{
    *n = N(domtype_names);
    return domtype_names;
}

static int lookup(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -EINVAL;
}

const char *xb_action_name(enum xb_action a)
{
    return (size_t)a < N(action_names) ? action_names[a] : "?";
}

int xb_action_from_name(const char *name, enum xb_action *out)
{
    int i = lookup(action_names, N(action_names), name);

    if (i >= 0)
        *out = (enum xb_action)i;
    return i < 0 ? i : 0;
}

const char *xb_domtype_name(enum xb_domtype t)
{
    return (size_t)t < N(domtype_names) ? domtype_names[t] : "?";
}

int xb_domtype_from_name(const char *name, enum xb_domtype *out)
{
    int i = lookup(domtype_names, N(domtype_names), name);

    if (i >= 0)
        *out = (enum xb_domtype)i;
    return i < 0 ? i : 0;
}

static void free_disk(struct xb_disk *d)
{
    free(d->target);
    free(d->format);
    free(d->vdev);
    free(d->backendtype);
    free(d->script);
    free(d->backend);
}

static void free_vif(struct xb_vif *v)
{
    char **strs[] = {&v->mac,  &v->bridge, &v->ip,   &v->script,  &v->vifname,
                     &v->type, &v->model,  &v->rate, &v->backend, &v->gatewaydev};

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
}

void xb_spec_free(struct xb_spec *s)
{
    char *strs[] = {s ? s->name : NULL,        s ? s->kernel : NULL,
                    s ? s->ramdisk : NULL,     s ? s->cmdline : NULL,
                    s ? s->cpus : NULL,        s ? s->bootloader : NULL,
                    s ? s->pvshim_path : NULL, s ? s->pvshim_cmdline : NULL,
                    s ? s->seclabel : NULL,    s ? s->config_path : NULL};

    if (!s)
        return;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(strs[i]);
    for (size_t i = 0; i < s->n_bootloader_args; i++)
        free(s->bootloader_args[i]);
    free(s->bootloader_args);
    for (size_t i = 0; i < s->n_disks; i++)
        free_disk(&s->disks[i]);
    for (size_t i = 0; i < s->n_vifs; i++)
        free_vif(&s->vifs[i]);
    for (size_t i = 0; i < s->n_unsupported; i++)
        free(s->unsupported[i].key);
    for (size_t i = 0; i < s->n_pos_files; i++)
        free(s->pos_files[i]);
    free(s->disks);
    free(s->vifs);
    free(s->unsupported);
    free(s->pos_files);
    free(s);
}

/* Translate a spec position back to the config's own file names. */
static struct xb__pos cfg_pos(struct xb_config *cfg, const struct xb_pos *p)
{
    const char *file = p->file ? xb__intern_file(cfg, p->file) : NULL;

    return (struct xb__pos){.file = file, .line = p->line, .col = p->col};
}

static int check_one(struct xb_config *cfg, const char *key, const char *path,
                     const struct xb_pos *pos)
{
    struct xb__pos at = cfg_pos(cfg, pos);
    struct stat st;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        xb__error(cfg, &at, "%s: cannot open %s: %s", key, path, strerror(e));
        return -e;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        xb__error(cfg, &at, "%s: %s is not a regular file", key, path);
        return -EINVAL;
    }
    close(fd);
    return 0;
}

int xb_spec_check_files(struct xb_config *cfg, const struct xb_spec *spec)
{
    int rc = 0, r;

    if (spec->bootloader) /* kernel and ramdisk are in the guest's disk */
        return 0;

    if (spec->kernel) {
        r = check_one(cfg, "kernel", spec->kernel, &spec->kernel_pos);
        rc = rc ? rc : r;
    }
    if (spec->ramdisk) {
        r = check_one(cfg, "ramdisk", spec->ramdisk, &spec->ramdisk_pos);
        rc = rc ? rc : r;
    }
    return cfg->nomem ? -ENOMEM : rc;
}
