/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/bytes.h - little-endian loads: images are x86, the host
 * may not be.
 */
#ifndef XB_IMAGE_BYTES_H
#define XB_IMAGE_BYTES_H

#include <stdint.h>

static inline uint16_t xb__le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t xb__le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t xb__le64(const uint8_t *p)
{
    return (uint64_t)xb__le32(p) | (uint64_t)xb__le32(p + 4) << 32;
}

#endif
