/* SPDX-License-Identifier: MIT */
/* lib/config/diag.c - the list of diagnostics kept in a struct xb_config. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool grow_diags(struct xb_config *cfg)
{
    size_t cap = cfg->cap_diags ? 2 * cfg->cap_diags : 16;
    struct xb_diag *d;

    if (cfg->n_diags < cfg->cap_diags)
        return true;
    d = realloc(cfg->diags, cap * sizeof(*d));
    if (!d)
        return false;
    cfg->diags = d;
    cfg->cap_diags = cap;
    return true;
}

void xb__diag(struct xb_config *cfg, enum xb_severity sev, const struct xb__pos *pos,
              const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow_diags(cfg)) {
        if (n >= 0)
            free(msg);
        cfg->nomem = true;
        return;
    }
    cfg->diags[cfg->n_diags++] = (struct xb_diag){
        .sev = sev,
        .file = pos ? pos->file : NULL,
        .line = pos ? pos->line : 0,
        .col = pos ? pos->col : 0,
        .msg = msg,
    };
    if (sev == XB_SEV_ERROR)
        cfg->n_errors++;
}

const char *xb__intern_file(struct xb_config *cfg, const char *name)
{
    char **files;
    char *copy;

    for (size_t i = 0; i < cfg->n_files; i++)
        if (strcmp(cfg->files[i], name) == 0)
            return cfg->files[i];
    files = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*files));
    if (!files)
        return NULL;
    cfg->files = files;
    copy = strdup(name);
    if (!copy)
        return NULL;
    cfg->files[cfg->n_files++] = copy;
    return copy;
}

size_t xb_config_diag_count(const struct xb_config *cfg)
{
    return cfg ? cfg->n_diags : 0;
}

size_t xb_config_error_count(const struct xb_config *cfg)
{
    return cfg ? cfg->n_errors : 0;
}

const struct xb_diag *xb_config_diag(const struct xb_config *cfg, size_t i)
{
    if (!cfg || i >= cfg->n_diags)
        return NULL;
    return &cfg->diags[i];
}
