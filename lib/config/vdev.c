/* SPDX-License-Identifier: MIT */
/*
 * lib/config/vdev.c - virtual disk names to xenstore device numbers, the
 * encoding of xen-vbd-interface(7) as xl computes it:
 *
 *   xvd, disk < 16 and partition < 16   202 << 8 | disk << 4 | partition
 *   xvd, larger (disk < 2^20, part < 256) 1 << 28 | disk << 8 | partition
 *   hda..hdd, partition < 64            (3 or 22) << 8 | (disk & 1) << 6 | part
 *   sda..sdp, partition < 16            8 << 8 | disk << 4 | partition
 *   dN or dNpM                          as xvd
 *   a bare number                       itself (decimal, 0x hex, 0 octal)
 *
 * Disk letters count like spreadsheet columns: a = 0, z = 25, aa = 26.
 * Stricter than libxl where libxl is accidentally lax: no disk letter
 * ("xvd"), signs, spaces and leading zeros in numbers are rejected.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "convert.h"

#define XVD_MAX_DISK ((1u << 20) - 1)
#define XVD_MAX_PART 255u

struct vdev_kind {
    const char *prefix;
    uint32_t max_disk, max_part;
    const char *range; /* for messages */
};

static const struct vdev_kind xvd = {
    "xvd", XVD_MAX_DISK, XVD_MAX_PART,
    "xvd disks go up to disk 1048575 (xvdbgqcv), partitions up to 255"};
static const struct vdev_kind hd = {"hd", 3, 63,
                                    "IDE disks are hda to hdd, partitions up to 63"};
static const struct vdev_kind sd = {"sd", 15, 15,
                                    "SCSI disks are sda to sdp, partitions up to 15"};

/* Decimal digits without a leading zero (but "0" itself) into *out, <= max. */
static const char *decimal(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max)
            return NULL;
    }
    if (p == s || (s[0] == '0' && p - s > 1))
        return NULL;
    *out = (uint32_t)v;
    return p;
}

static uint32_t xvd_number(uint32_t disk, uint32_t part)
{
    if (disk < 16 && part < 16)
        return 202u << 8 | disk << 4 | part;
    return 1u << 28 | disk << 8 | part;
}

/* "PREFIX letters [partition]": NULL, or why it is not a valid name. */
static const char *lettered(const char *s, const struct vdev_kind *k, uint32_t *disk,
                            uint32_t *part)
{
    uint64_t n = 0;
    const char *p = s + strlen(k->prefix);

    if (*p < 'a' || *p > 'z')
        return "a disk letter must follow the prefix (e.g. xvda, hdc, sdb)";
    for (bool first = true; *p >= 'a' && *p <= 'z'; p++, first = false) {
        n = first ? (uint64_t)(*p - 'a') : (n + 1) * 26 + (uint64_t)(*p - 'a');
        if (n > k->max_disk)
            return k->range;
    }
    *disk = (uint32_t)n;
    *part = 0;
    if (!*p)
        return NULL;
    if (strspn(p, "0123456789") != strlen(p))
        return "only a partition number may follow the disk letters";
    if (*p == '0')
        return "a partition number has no leading zero";
    return decimal(p, k->max_part, part) ? NULL : k->range;
}

/* "dN" or "dNpM". */
static const char *numbered(const char *s, uint32_t *disk, uint32_t *part)
{
    const char *p = decimal(s + 1, XVD_MAX_DISK, disk);

    *part = 0;
    if (!p)
        return "dN or dNpM takes a disk number up to 1048575, no leading zeros";
    if (!*p)
        return NULL;
    if (*p != 'p' || !(p = decimal(p + 1, XVD_MAX_PART, part)) || *p)
        return "dNpM takes a partition number up to 255, no leading zeros";
    return NULL;
}

/* A bare device number: decimal, 0x hex or leading-0 octal, up to INT_MAX. */
static bool bare_number(const char *s, uint32_t *out)
{
    uint64_t v;

    if (*s < '0' || *s > '9' || xb__parse_u64(s, &v) < 0 || v > INT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

const char *xb__vdev_devid(const char *vdev, uint32_t *devid)
{
    uint32_t disk, part;
    const char *why;

    if (strncmp(vdev, "xvd", 3) == 0 ||
        (vdev[0] == 'd' && vdev[1] >= '0' && vdev[1] <= '9')) {
        why = vdev[0] == 'd' ? numbered(vdev, &disk, &part)
                             : lettered(vdev, &xvd, &disk, &part);
        if (!why)
            *devid = xvd_number(disk, part);
        return why;
    }
    if (bare_number(vdev, devid))
        return NULL;
    if (strncmp(vdev, "hd", 2) == 0) {
        why = lettered(vdev, &hd, &disk, &part);
        if (!why)
            *devid = (disk < 2 ? 3u : 22u) << 8 | (disk & 1) << 6 | part;
        return why;
    }
    if (strncmp(vdev, "sd", 2) == 0) {
        why = lettered(vdev, &sd, &disk, &part);
        if (!why)
            *devid = 8u << 8 | disk << 4 | part;
        return why;
    }
    return "expected xvdX, hdX or sdX (with a partition number), dNpM or a device "
           "number";
}

int xb_config_vdev_devid(const char *vdev, uint32_t *devid)
{
    uint32_t n;

    if (!vdev || xb__vdev_devid(vdev, &n))
        return -EINVAL;
    *devid = n;
    return 0;
}
