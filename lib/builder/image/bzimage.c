/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/bzimage.c - the Linux x86 boot protocol header of a bzImage
 * (Documentation/arch/x86/boot.rst): locate the compressed payload (an ELF
 * vmlinux) from protocol 2.08 on, every field checked against the file size.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "bytes.h"
#include "bzimage.h"

enum {
    BZ_SETUP_SECTS = 0x1f1,    /* u8: 512-byte setup sectors after the boot sector */
    BZ_BOOT_FLAG = 0x1fe,      /* u16: 0xAA55 */
    BZ_HEADER = 0x202,         /* "HdrS" */
    BZ_VERSION = 0x206,        /* u16: boot protocol version */
    BZ_PAYLOAD_OFFSET = 0x248, /* u32, from the protected-mode code (>= 2.08) */
    BZ_PAYLOAD_LENGTH = 0x24c, /* u32 (>= 2.08) */
    BZ_HEADER_END = 0x250,
    BZ_MIN_VERSION = 0x0208,
};

bool xb__bzimage_detect(const uint8_t *p, size_t len)
{
    return len >= BZ_VERSION && xb__le16(p + BZ_BOOT_FLAG) == 0xAA55 &&
           memcmp(p + BZ_HEADER, "HdrS", 4) == 0;
}

/* Offset of the protected-mode code: the boot sector plus the setup sectors. */
static int setup_size(const uint8_t *p, size_t len, uint64_t *out, struct xb_err *err)
{
    unsigned sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4; /* 0 means 4 */

    *out = (uint64_t)(sects + 1) * 512;
    if (*out > len)
        return xb_err_set(err, -EINVAL,
                          "bzImage: setup_sects = %u: setup code (0x%" PRIx64
                          " bytes) beyond end of file (0x%zx)",
                          p[BZ_SETUP_SECTS], *out, len);
    return 0;
}

int xb__bzimage_payload(const uint8_t *p, size_t len, uint16_t *version,
                        const uint8_t **payload, size_t *payload_len, struct xb_err *err)
{
    uint64_t start, end;
    uint32_t off, plen;
    int r;

    if (len < BZ_HEADER_END)
        return xb_err_set(err, -EINVAL,
                          "bzImage: setup header truncated (0x%zx bytes, 0x%x needed)",
                          len, BZ_HEADER_END);
    *version = xb__le16(p + BZ_VERSION);
    if (*version < BZ_MIN_VERSION)
        return xb_err_set(
            err, -ENOTSUP,
            "bzImage: boot protocol %u.%02u is too old, 2.08 or later needed "
            "for payload_offset",
            *version >> 8, *version & 0xff);
    r = setup_size(p, len, &start, err);
    if (r < 0)
        return r;
    off = xb__le32(p + BZ_PAYLOAD_OFFSET);
    plen = xb__le32(p + BZ_PAYLOAD_LENGTH);
    start += off; /* < 2^33: cannot overflow */
    if (start >= len)
        return xb_err_set(
            err, -EINVAL,
            "bzImage: payload_offset 0x%x: payload starts beyond end of file "
            "(0x%" PRIx64 " >= 0x%zx)",
            off, start, len);
    if (plen == 0)
        return xb_err_set(err, -EINVAL, "bzImage: payload_length = 0");
    end = start + plen;
    if (end > len)
        return xb_err_set(err, -EINVAL,
                          "bzImage: payload_offset + payload_length beyond end of file "
                          "(0x%" PRIx64 " > 0x%zx)",
                          end, len);
    *payload = p + start;
    *payload_len = plen;
    return 0;
}
