/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/cache.c - the decompressed-kernel cache (cache.h): one
 * file per kernel, DIR/<sha256 hex>.elf, a 64-byte header then the bytes;
 * and one small file per kernel file seen, DIR/f-<dev>-<inode>.key, which
 * remembers the key of its compressed bytes while the file stays the same
 * (same size, mtime and ctime). Both written to a temporary file and
 * renamed, so a reader sees a whole file or none.
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
#define KEYS_MAX      256 /* remembered kernel files; the oldest forgotten first */
#define KEY_SETTLE_S  2   /* a file changed this recently may change again unseen */

struct entry_hdr {
    char magic[8];
    uint32_t compression;
    uint32_t reserved;
    uint8_t key[XB_SHA256_LEN];
    uint64_t len;
    uint8_t pad[8];
};
_Static_assert(sizeof(struct entry_hdr) == 64, "cache entry header");

/* What identifies a kernel file's content while it is not written to. */
struct key_rec {
    char magic[8];
    uint64_t dev, ino, size;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
    uint32_t compression, reserved;
    uint64_t off, len; /* the compressed stream within the file */
    uint8_t key[XB_SHA256_LEN];
};
_Static_assert(sizeof(struct key_rec) == 120, "cache key record");

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
    char name[NAME_LEN + 8];
    uint64_t size;
    struct timespec mtime;
};

static bool is_key_file(const char *n)
{
    size_t len = strlen(n);

    return len > 6 && strncmp(n, "f-", 2) == 0 && strcmp(n + len - 4, ".key") == 0;
}

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

/*
 * The entries of directory @dir into @v, the key files into @k (stale
 * temporary files removed on the way).
 */
static size_t scan(int dir, struct seen *v, uint64_t *total, struct seen *k, size_t *nk)
{
    DIR *d = fdopendir(dup(dir));
    struct dirent *e;
    struct stat st;
    size_t n = 0;

    *total = 0;
    *nk = 0;
    while (d && (e = readdir(d)) && n < SCAN_MAX) {
        if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
            if (time(NULL) - st.st_mtime > TMP_STALE_SEC)
                unlinkat(dir, e->d_name, 0);
            continue;
        }
        if (is_key_file(e->d_name) && *nk < SCAN_MAX &&
            strlen(e->d_name) < sizeof(k->name)) {
            snprintf(k[*nk].name, sizeof(k->name), "%s", e->d_name);
            k[(*nk)++].mtime = st.st_mtim;
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

/* The least recently used entries go until the rest fits @max; key files past KEYS_MAX.
 */
static void trim(int dir, uint64_t max)
{
    struct seen *v = calloc(2 * SCAN_MAX, sizeof(*v)), *k = v + SCAN_MAX;
    uint64_t total;
    size_t n, nk;

    if (!v)
        return;
    n = scan(dir, v, &total, k, &nk);
    qsort(v, n, sizeof(*v), older);
    for (size_t i = 0; i < n && total > max; i++)
        if (unlinkat(dir, v[i].name, 0) == 0)
            total -= v[i].size;
    qsort(k, nk, sizeof(*k), older);
    for (size_t i = 0; nk > KEYS_MAX && i < nk - KEYS_MAX; i++)
        unlinkat(dir, k[i].name, 0);
    free(v);
}

/* Write @h then @data to a temporary file in the cache and rename it to @name. */
static int store(int dir, const char *name, const void *h, size_t hlen,
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
    rc = write_all(fd, h, hlen);
    if (rc == 0 && len)
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
    rc = store(dir, name, &h, sizeof(h), data, len);
    if (rc != 0)
        say(note, rc, "%s: cannot write an entry: %s", cache->dir, strerror(-rc));
    else
        trim(dir, max);
    close(dir);
    return rc;
}

/* ---- keys of kernel files that did not change ---- */

static void key_file_name(const struct stat *st, char *buf, size_t size)
{
    snprintf(buf, size, "f-%llx-%llx.key", (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino);
}

static struct key_rec key_rec_of(const struct stat *st, enum xb_compression c,
                                 uint64_t off, uint64_t len)
{
    struct key_rec r = {
        .dev = st->st_dev,
        .ino = st->st_ino,
        .size = (uint64_t)st->st_size,
        .mtime_s = st->st_mtim.tv_sec,
        .mtime_ns = st->st_mtim.tv_nsec,
        .ctime_s = st->st_ctim.tv_sec,
        .ctime_ns = st->st_ctim.tv_nsec,
        .compression = (uint32_t)c,
        .off = off,
        .len = len,
    };

    memcpy(r.magic, "XBKFILE1", sizeof(r.magic));
    return r;
}

int xb__cache_key_find(const struct xb_image_cache *cache, const struct stat *st,
                       enum xb_compression c, uint64_t off, uint64_t len,
                       uint8_t key[XB_SHA256_LEN])
{
    struct key_rec want = key_rec_of(st, c, off, len), got;
    char name[64], note[XB__CACHE_NOTE_MAX] = "";
    struct stat kst;
    int dir = open_dir(cache, false, note), fd, rc = -ENOENT;

    if (dir < 0)
        return -ENOENT;
    key_file_name(st, name, sizeof(name));
    fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (fd < 0)
        return -ENOENT;
    if (fstat(fd, &kst) == 0 && S_ISREG(kst.st_mode) && kst.st_uid == geteuid() &&
        kst.st_size == (off_t)sizeof(got) && read_all(fd, &got, sizeof(got)) == 0 &&
        memcmp(&got, &want, offsetof(struct key_rec, key)) == 0) {
        memcpy(key, got.key, XB_SHA256_LEN);
        rc = 0;
    }
    close(fd);
    return rc;
}

void xb__cache_key_keep(const struct xb_image_cache *cache, const struct stat *st,
                        enum xb_compression c, uint64_t off, uint64_t len,
                        const uint8_t key[XB_SHA256_LEN])
{
    struct key_rec r = key_rec_of(st, c, off, len);
    char name[64], note[XB__CACHE_NOTE_MAX] = "";
    struct timespec now;
    int dir;

    /* changed within the timestamps' granularity: could change again unseen */
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec - st->st_ctim.tv_sec < KEY_SETTLE_S ||
        now.tv_sec - st->st_mtim.tv_sec < KEY_SETTLE_S)
        return;
    dir = open_dir(cache, true, note);
    if (dir < 0)
        return;
    memcpy(r.key, key, XB_SHA256_LEN);
    key_file_name(st, name, sizeof(name));
    store(dir, name, &r, sizeof(r), NULL, 0);
    close(dir);
}
