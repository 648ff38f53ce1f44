/* SPDX-License-Identifier: MIT */
/*
 * lib/config/unsupported.h - the one table of what the builder acts on
 * (unsupported.c). The config layer files every key it does not act on in
 * spec->unsupported (the warnings and create's refusal); the builder asks
 * the same table about the fields of a spec that came from no config file.
 */
#ifndef XB_CONFIG_UNSUPPORTED_H
#define XB_CONFIG_UNSUPPORTED_H

#include <stdbool.h>

/* True when the builder acts on @key set to @canon (NULL: any non-default value). */
bool xb__builder_acts_on(const char *key, const char *canon);

#endif
