/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/bzimage.h - Linux's boot-protocol wrapper (bzImage): check
 * the setup header, find the compressed payload. Pure: trusts no field.
 */
#ifndef XB_IMAGE_BZIMAGE_H
#define XB_IMAGE_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbuild/error.h>
#include <xbuild/image.h>

/* True if @p looks like a Linux boot-protocol image (0xAA55 + "HdrS"). */
bool xb__bzimage_detect(const uint8_t *p, size_t len);

/*
 * Validate the setup header of a bzImage and locate its payload.
 * On success *payload points into @p (not owned) and *version holds the
 * boot protocol version.
 */
int xb__bzimage_payload(const uint8_t *p, size_t len, uint16_t *version,
                        const uint8_t **payload, size_t *payload_len, struct xb_err *err);

#endif
