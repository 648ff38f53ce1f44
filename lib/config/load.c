/* SPDX-License-Identifier: MIT */
/* lib/config/load.c - the only place the config layer reads a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAX_CONFIG_SIZE (64u << 20)

static int read_all(int fd, char **buf, size_t *len, const char *path, struct xb_err *err)
{
    struct stat st;
    ssize_t n;
    size_t got = 0;

    if (fstat(fd, &st) < 0)
        return xb_err_set(err, -errno, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return xb_err_set(err, -EINVAL, "%s: not a regular file", path);
    if ((uint64_t)st.st_size > MAX_CONFIG_SIZE)
        return xb_err_set(err, -EFBIG,
                          "%s: %lld bytes is more than a config may have "
                          "(%u MiB)",
                          path, (long long)st.st_size, MAX_CONFIG_SIZE >> 20);
    *buf = malloc((size_t)st.st_size + 1);
    if (!*buf)
        return xb_err_set(err, -ENOMEM, "%s: out of memory", path);
    while (got < (size_t)st.st_size &&
           (n = read(fd, *buf + got, (size_t)st.st_size - got)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return xb_err_set(err, -errno, "%s: read: %s", path, strerror(errno));
        got += (size_t)n;
    }
    *len = got;
    return 0;
}

int xb_config_load_file(struct xb_config *cfg, const char *path, struct xb_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return xb_err_set(err, -errno, "%s: %s", path, strerror(errno));
    rc = read_all(fd, &buf, &len, path, err);
    close(fd);
    if (rc == 0)
        rc = xb_config_parse(cfg, buf, len, path);
    free(buf);
    return rc;
}
