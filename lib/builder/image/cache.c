/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/cache.c - the decompressed-kernel cache (cache.h): one
 * file per kernel, DIR/<sha256 hex>.elf, a 64-byte header then the bytes;
 * written to a temporary file and renamed, so a reader sees a whole entry
 * or none.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"

#define MAGIC         "XBKCACH1"
#define NAME_LEN      (2 * XB_SHA256_LEN + 4) /* hex + ".elf" */
#define TMP_PREFIX    ".tmp-"
#define TMP_STALE_SEC 600 /* a writer that died: its temporary file goes */
#define SCAN_MAX      1024

struct entry_hdr {
    char magic[8];
    uint32_t compression;
    uint32_t reserved;
    uint8_t key[XB_SHA256_LEN];
    uint64_t len;
    uint8_t pad[8];
};
_Static_assert(sizeof(struct entry_hdr) == 64, "cache entry header");

static int say(char *note, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Note why the cache was not used (the first reason wins); returns @rc. */
static int say(char *note, int rc, const char *fmt, ...)
{
    va_list ap;

    if (note[0])
        return rc;
    va_start(ap, fmt);
    vsnprintf(note, XB__CACHE_NOTE_MAX, fmt, ap);
    va_end(ap);
    return rc;
}

static void entry_name(const uint8_t key[XB_SHA256_LEN], char name[NAME_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < XB_SHA256_LEN; i++) {
        name[2 * i] = hex[key[i] >> 4];
        name[2 * i + 1] = hex[key[i] & 15];
    }
    memcpy(name + 2 * XB_SHA256_LEN, ".elf", 5);
}

/* mkdir -p: the parents as 0755, the cache itself 0700. */
static int make_dirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(path))
        return -ENAMETOOLONG;
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* The cache directory, opened and checked: ours, closed to others. */
static int open_dir(const struct xb_image_cache *cache, bool make, char *note)
{
    struct stat st;
    int fd, rc;

    if (!cache->dir || !cache->dir[0])
        return say(note, -EINVAL, "no directory");
    if (make && (rc = make_dirs(cache->dir)) != 0)
        return say(note, rc, "%s: cannot make it: %s", cache->dir, strerror(-rc));
    fd = open(cache->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ENOENT
                               : say(note, -errno, "%s: %s", cache->dir, strerror(errno));
    if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
        close(fd);
        return say(note, -EPERM,
                   "%s: not used: it must belong to uid %u and be closed to others "
                   "(chmod 700)",
                   cache->dir, (unsigned)geteuid());
    }
    return fd;
}

static int read_all(int fd, void *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, (uint8_t *)buf + got, len - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        got += (size_t)n;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
    for (size_t put = 0; put < len;) {
        ssize_t n = write(fd, (const uint8_t *)buf + put, len - put);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        put += (size_t)n;
    }
    return 0;
}

/* Entry @fd is the whole decompression of @key, of at most @limit bytes: its length. */
static int check_entry(int fd, const uint8_t key[XB_SHA256_LEN], enum xb_compression c,
                       uint64_t limit, uint64_t *len)
{
    struct entry_hdr h;
    struct stat st;

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (uint64_t)st.st_size < sizeof(h) || read_all(fd, &h, sizeof(h)) != 0)
        return -ENOENT;
    if (memcmp(h.magic, MAGIC, sizeof(h.magic)) != 0 || h.compression != (uint32_t)c ||
        memcmp(h.key, key, XB_SHA256_LEN) != 0 || h.len > limit || h.len > SIZE_MAX ||
        (uint64_t)st.st_size - sizeof(h) != h.len)
        return -ENOENT;
    *len = h.len;
    return 0;
}

/*
 * The entry is mapped, not read: copying 66 MiB into fresh memory costs a
 * page fault per page, and in a PV dom0 under TCG those are most of a
 * cached load. Entries are replaced by rename and removed by unlink, never
 * truncated, so the mapping stays whole.
 */
int xb__cache_get(const struct xb_image_cache *cache, const uint8_t key[XB_SHA256_LEN],
                  enum xb_compression c, uint64_t limit, const uint8_t **out,
                  size_t *out_len, char note[XB__CACHE_NOTE_MAX])
{
    char name[NAME_LEN + 1];
    uint64_t len = 0;
    void *map = MAP_FAILED;
    int dir = open_dir(cache, false, note), fd, rc;

    if (dir < 0)
        return -ENOENT;
    entry_name(key, name);
    fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (fd < 0)
        return -ENOENT;
    rc = check_entry(fd, key, c, limit, &len);
    if (rc == 0)
        map = mmap(NULL, sizeof(struct entry_hdr) + (size_t)len, PROT_READ, MAP_PRIVATE,
                   fd, 0);
    if (map != MAP_FAILED)
        futimens(fd, NULL); /* recently used: the last to go */
    close(fd);
    if (map == MAP_FAILED)
        return -ENOENT;
    *out = (const uint8_t *)map + sizeof(struct entry_hdr);
    *out_len = (size_t)len;
    return 0;
}

void xb__cache_unmap(const uint8_t *data, size_t len)
{
    munmap((void *)(data - sizeof(struct entry_hdr)), sizeof(struct entry_hdr) + len);
}

struct seen {
    char name[NAME_LEN + 1];
    uint64_t size;
    struct timespec mtime;
};

static bool is_entry(const char *n)
{
    if (strlen(n) != NAME_LEN || strcmp(n + 2 * XB_SHA256_LEN, ".elf") != 0)
        return false;
    for (size_t i = 0; i < 2 * XB_SHA256_LEN; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
            return false;
    return true;
}

static int older(const void *a, const void *b)
{
    const struct timespec *x = &((const struct seen *)a)->mtime;
    const struct timespec *y = &((const struct seen *)b)->mtime;

    if (x->tv_sec != y->tv_sec)
        return x->tv_sec < y->tv_sec ? -1 : 1;
    return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* The entries of directory @dir (stale temporary files removed on the way). */
static size_t scan(int dir, struct seen *v, uint64_t *total)
{
    DIR *d = fdopendir(dup(dir));
    struct dirent *e;
    struct stat st;
    size_t n = 0;

    *total = 0;
    while (d && (e = readdir(d)) && n < SCAN_MAX) {
        if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
            if (time(NULL) - st.st_mtime > TMP_STALE_SEC)
                unlinkat(dir, e->d_name, 0);
            continue;
        }
        if (!is_entry(e->d_name))
            continue;
        memcpy(v[n].name, e->d_name, NAME_LEN + 1);
        v[n].size = (uint64_t)st.st_size;
        v[n].mtime = st.st_mtim;
        *total += v[n++].size;
    }
    if (d)
        closedir(d);
    return n;
}

/* The least recently used entries go until the rest fits @max. */
static void trim(int dir, uint64_t max)
{
    struct seen *v = calloc(SCAN_MAX, sizeof(*v));
    uint64_t total;
    size_t n;

    if (!v)
        return;
    n = scan(dir, v, &total);
    qsort(v, n, sizeof(*v), older);
    for (size_t i = 0; i < n && total > max; i++)
        if (unlinkat(dir, v[i].name, 0) == 0)
            total -= v[i].size;
    free(v);
}

/* Write the entry to a temporary file in the cache and rename it into place. */
static int store(int dir, const char *name, const struct entry_hdr *h,
                 const uint8_t *data, size_t len)
{
    char tmp[sizeof(TMP_PREFIX) + 24];
    int fd = -1, rc = 0;

    for (unsigned i = 0; fd < 0 && i < 16; i++) {
        snprintf(tmp, sizeof(tmp), TMP_PREFIX "%ld-%u", (long)getpid(), i);
        fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0)
        return -errno;
    rc = write_all(fd, h, sizeof(*h));
    if (rc == 0)
        rc = write_all(fd, data, len);
    if (rc == 0 && fdatasync(fd) != 0) /* no renamed entry without its bytes */
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && renameat(dir, tmp, dir, name) != 0)
        rc = -errno;
    if (rc != 0)
        unlinkat(dir, tmp, 0);
    return rc;
}

int xb__cache_put(const struct xb_image_cache *cache, const uint8_t key[XB_SHA256_LEN],
                  enum xb_compression c, const uint8_t *data, size_t len,
                  char note[XB__CACHE_NOTE_MAX])
{
    uint64_t max = cache->max_bytes ? cache->max_bytes : XB__CACHE_DEFAULT_MAX;
    struct entry_hdr h = {.compression = (uint32_t)c, .len = len};
    char name[NAME_LEN + 1];
    int dir, rc;

    if ((uint64_t)len > max - sizeof(h) || max < sizeof(h))
        return say(note, -EFBIG, "%zu bytes do not fit the cache's %" PRIu64, len, max);
    dir = open_dir(cache, true, note);
    if (dir < 0)
        return dir;
    memcpy(h.magic, MAGIC, sizeof(h.magic));
    memcpy(h.key, key, XB_SHA256_LEN);
    entry_name(key, name);
    rc = store(dir, name, &h, data, len);
    if (rc != 0)
        say(note, rc, "%s: cannot write an entry: %s", cache->dir, strerror(-rc));
    else
        trim(dir, max);
    close(dir);
    return rc;
}
