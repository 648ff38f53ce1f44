/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/notes.h - Xen's ELF notes (xen/include/public/elfnote.h),
 * table-driven, from PT_NOTE, SHT_NOTE or the legacy __xen_guest section.
 */
#ifndef XB_IMAGE_NOTES_H
#define XB_IMAGE_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>

#include "elf.h"

#define XB__MAX_NOTES 1024 /* total ELF notes scanned, like libelf */

/*
 * Fill @n from PT_NOTE segments, else SHT_NOTE sections, else the legacy
 * __xen_guest section. Finding none is not an error (n->source stays NONE).
 */
int xb__notes_parse(const struct xb__elf *e, struct xb_notes *n, struct xb_err *err);

#endif
