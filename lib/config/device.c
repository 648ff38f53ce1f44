/* SPDX-License-Identifier: MIT */
/*
 * lib/config/device.c - one disk or vif given alone, as `xbuild block-attach`
 * and `network-attach` take them: the same syntax and checks as an item of
 * `disk = [...]` or `vif = [...]`, with its position on the command line.
 */
#include <errno.h>
#include <string.h>

#include <xbuild/config.h>

#include "specctx.h"

static int apply(struct xb__ctx *c, struct xb__entry *e, const char *text)
{
    struct xb__value *item = xb__value_new(XB__V_STRING, &e->pos);
    size_t errors = c->cfg->n_errors;

    if (!e->value || !item || xb__string_append(item, text, strlen(text)) ||
        xb__list_push(e->value, item)) {
        xb__value_free(item);
        return -ENOMEM;
    }
    if (xb__spec_new(c) < 0)
        return -ENOMEM;
    if (strcmp(e->key, "disk") == 0)
        xb__apply_disks(c);
    else
        xb__apply_vifs(c);
    return c->cfg->nomem ? -ENOMEM : c->cfg->n_errors > errors ? -EINVAL : 0;
}

int xb_config_device(struct xb_config *cfg, const char *key, const char *text,
                     const struct xb_spec_opts *opts, struct xb_spec **out)
{
    static const struct xb_spec_opts none;
    const char *file = xb__intern_file(cfg, XB_CONFIG_CMDLINE);
    struct xb__entry e = {.key = (char *)key};
    struct xb__ctx c = {.cfg = cfg, .opts = opts ? opts : &none, .e = &e};
    int rc;

    *out = NULL;
    if (strcmp(key, "disk") != 0 && strcmp(key, "vif") != 0)
        return -EINVAL;
    if (!file)
        return -ENOMEM;
    e.pos = (struct xb__pos){.file = file, .line = ++cfg->n_overrides, .col = 1};
    e.value = xb__value_new(XB__V_LIST, &e.pos);
    rc = apply(&c, &e, text);
    xb__value_free(e.value);
    if (rc)
        xb_spec_free(c.spec);
    else
        *out = c.spec;
    return rc;
}
