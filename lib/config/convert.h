/* SPDX-License-Identifier: MIT */
/* lib/config/convert.h - numbers and booleans from config values. */
#ifndef XB_CONFIG_CONVERT_H
#define XB_CONFIG_CONVERT_H

#include <stdint.h>

#include "specctx.h"

/* Decimal, 0x hex or leading-0 octal into *out: 0, -EINVAL or -ERANGE. Pure. */
int xb__parse_u64(const char *s, uint64_t *out);
/* A number (or quoted number) in [min, max]; reports and returns false if not. */
bool xb__want_u64(struct xb__ctx *c, const struct xb__value *v, uint64_t min,
                  uint64_t max, uint64_t *out);
/* 0 or 1 (quoted or not); reports and returns false if not. */
bool xb__want_bool(struct xb__ctx *c, const struct xb__value *v, bool *out);

#endif
