/* SPDX-License-Identifier: MIT */
/* lib/config/spec.c - freeing a spec, and the one I/O step: do its files exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

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
    char **strs[] = {&v->mac,  &v->bridge, &v->ip,   &v->script, &v->vifname,
                     &v->type, &v->model,  &v->rate, &v->backend};

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
}

void xb_spec_free(struct xb_spec *s)
{
    char *strs[] = {s ? s->name : NULL,
                    s ? s->kernel : NULL,
                    s ? s->ramdisk : NULL,
                    s ? s->cmdline : NULL,
                    s ? s->cpus : NULL,
                    s ? s->bootloader : NULL,
                    s ? s->bootloader_args : NULL,
                    s ? s->pvshim_path : NULL,
                    s ? s->pvshim_cmdline : NULL,
                    s ? s->seclabel : NULL,
                    s ? s->config_path : NULL};

    if (!s)
        return;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(strs[i]);
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
