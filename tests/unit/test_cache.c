/* SPDX-License-Identifier: MIT */
/*
 * The decompressed-kernel cache (lib/builder/image/cache.c) behind
 * xb_image_load_cached(), on the generated fixtures ($XB_FIXTURES), in a
 * fresh directory per test: hits return what a fresh decompression does,
 * entries that are not whole and exact are misses, the directory must be
 * private, the bound holds; and SHA-256, its key, on FIPS 180-4's vectors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbuild/image.h>

#include "builder/image/sha256.h"

static void hex(const uint8_t *d, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha256_vectors(void **state)
{
    static const struct {
        size_t n; /* n bytes of 'a' */
        const char *want;
    } as[] = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        {1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t *buf = malloc(1000000), d[32];
    char got[65];

    assert_non_null(buf);
    memset(buf, 'a', 1000000);
    for (size_t i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
        xb__sha256(buf, as[i].n, d);
        hex(d, got);
        assert_string_equal(got, as[i].want);
    }
    xb__sha256("abc", 3, d);
    hex(d, got);
    assert_string_equal(
        got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    xb__sha256(m448, strlen(m448), d);
    hex(d, got);
    assert_string_equal(
        got, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    free(buf);
}

static char *fixture(const char *name)
{
    static char path[4096];
    const char *dir = getenv("XB_FIXTURES");

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

/* A fresh cache directory per test (removed again by the test). */
struct tcache {
    char dir[64];
    struct xb_image_cache c;
};

static void tcache_new(struct tcache *t, uint64_t max)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/xb-cache-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    strncat(t->dir, "/c", sizeof(t->dir) - strlen(t->dir) - 1); /* made by the cache */
    t->c = (struct xb_image_cache){.dir = t->dir, .max_bytes = max};
}

/* The entries (*.elf) in the cache, and the path of the first. */
static int entries(const struct tcache *t, char first[256])
{
    DIR *d = opendir(t->dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".elf") == 0 && n++ == 0 && first)
            snprintf(first, 256, "%s/%s", t->dir, e->d_name);
    }
    closedir(d);
    return n;
}

static void tcache_free(struct tcache *t)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(t->dir) - 2), t->dir);
    assert_int_equal(system(cmd), 0);
}

static struct xb_image *load(const char *name, const struct xb_image_cache *c)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    if (xb_image_load_cached(fixture(name), NULL, c, &img, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    return img;
}

/* The key files (f-*.key) in the cache. */
static int key_files(const struct tcache *t)
{
    DIR *d = opendir(t->dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, "f-", 2) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Copy fixture @name to @path. */
static void copy_to(const char *name, const char *path)
{
    char cmd[8192];

    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fixture(name), path);
    assert_int_equal(system(cmd), 0);
}

static struct xb_image *load_path(const char *path, const struct xb_image_cache *c)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    if (xb_image_load_cached(path, NULL, c, &img, &err) != 0)
        fail_msg("%s: %s", path, err.msg);
    return img;
}

/* Two images with the same ELF and the same parse. */
static void assert_same(const struct xb_image *a, const struct xb_image *b)
{
    assert_int_equal(a->elf_size, b->elf_size);
    assert_memory_equal(a->elf, b->elf, a->elf_size);
    assert_int_equal(a->nsegs, b->nsegs);
    assert_int_equal(a->virt_entry, b->virt_entry);
    assert_int_equal(a->guest_types, b->guest_types);
    assert_int_equal(a->compression, b->compression);
    assert_int_equal(a->payload_compression, b->payload_compression);
}

/* Once decompressed and kept, then read back: the same image as without a cache. */
static void hit_is_a_fresh_load(void **state)
{
    static const char *const names[] = {"minios64.gz", "minios64.xz",
                                        "linux64-xz.bzImage", "linux64-zstd.bzImage"};
    struct tcache t;

    tcache_new(&t, 0);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct xb_image *plain = load(names[i], NULL), *first, *again;

        assert_int_equal(plain->cache_use, XB_CACHE_NONE);
        first = load(names[i], &t.c);
        assert_int_equal(first->cache_use, XB_CACHE_STORED);
        assert_string_equal(first->cache_note, "");
        again = load(names[i], &t.c);
        assert_int_equal(again->cache_use, XB_CACHE_HIT);
        assert_same(plain, first);
        assert_same(plain, again);
        assert_int_equal(entries(&t, NULL), (int)i + 1);
        xb_image_free(plain);
        xb_image_free(first);
        xb_image_free(again);
    }
    tcache_free(&t);
}

/* Nothing to decompress: nothing cached. */
static void plain_elf_is_not_cached(void **state)
{
    struct tcache t;
    struct xb_image *img;

    tcache_new(&t, 0);
    img = load("minios64.elf", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_NONE);
    assert_int_equal(entries(&t, NULL), 0);
    xb_image_free(img);
    tcache_free(&t);
}

/* An entry cut short, or with another key inside, is a miss, then rewritten. */
static void damaged_entry_is_a_miss(void **state)
{
    struct tcache t;
    struct xb_image *plain = load("minios64.gz", NULL), *img;
    char path[256];
    struct stat st;
    int fd;

    tcache_new(&t, 0);
    xb_image_free(load("minios64.gz", &t.c));
    assert_int_equal(entries(&t, path), 1);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 1), 0);
    img = load("minios64.gz", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_STORED);
    assert_same(plain, img);
    xb_image_free(img);
    fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, 16), 1); /* the key in the header */
    close(fd);
    img = load("minios64.gz", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_STORED);
    assert_same(plain, img);
    xb_image_free(img);
    img = load("minios64.gz", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_HIT);
    xb_image_free(img);
    xb_image_free(plain);
    tcache_free(&t);
}

/* A cached entry over the caller's limit is not handed out: the limit's own error. */
static void limit_holds_on_a_hit(void **state)
{
    struct tcache t;
    struct xb_image_opts small = {.max_decompressed = 4096};
    struct xb_image *img = NULL;
    struct xb_err err = {0};

    tcache_new(&t, 0);
    xb_image_free(load("minios64.gz", &t.c));
    assert_int_not_equal(
        xb_image_load_cached(fixture("minios64.gz"), &small, &t.c, &img, &err), 0);
    assert_null(img);
    assert_non_null(strstr(err.msg, "4096"));
    tcache_free(&t);
}

/* A directory others can write to (or read) is not used; loads still work. */
static void open_directory_is_not_used(void **state)
{
    struct tcache t;
    struct xb_image *img;

    tcache_new(&t, 0);
    assert_int_equal(mkdir(t.dir, 0700), 0);
    assert_int_equal(chmod(t.dir, 0777), 0);
    img = load("minios64.gz", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_MISS);
    assert_non_null(strstr(img->cache_note, "chmod 700"));
    assert_int_equal(entries(&t, NULL), 0);
    xb_image_free(img);
    tcache_free(&t);
}

/* The bound: what does not fit goes, the least recently used first. */
static void bound_holds(void **state)
{
    struct tcache t;
    struct xb_image *a = load("linux64-gzip.bzImage", NULL), *img;
    uint64_t one = 64 + a->elf_size;

    tcache_new(&t, one + one / 2); /* room for one entry of this size */
    xb_image_free(load("linux64-gzip.bzImage", &t.c));
    xb_image_free(load("linux64-xz.bzImage", &t.c));
    assert_int_equal(entries(&t, NULL), 1);
    img = load("linux64-xz.bzImage", &t.c); /* the newest stayed */
    assert_int_equal(img->cache_use, XB_CACHE_HIT);
    xb_image_free(img);
    img = load("linux64-gzip.bzImage", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_STORED);
    xb_image_free(img);
    tcache_free(&t);
    tcache_new(&t, one / 2); /* too small for any entry */
    img = load("linux64-gzip.bzImage", &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_MISS);
    assert_int_equal(entries(&t, NULL), 0);
    xb_image_free(img);
    xb_image_free(a);
    tcache_free(&t);
}

/*
 * An unchanged kernel file's key is remembered (no hashing next time), but
 * not for a file changed in the last seconds, and a changed file (new
 * ctime) is hashed again: the image is always the file's as it is now.
 */
static void unchanged_file_key_remembered(void **state)
{
    struct tcache t;
    struct xb_image *gz = load("minios64.gz", NULL), *xz = load("minios64.xz", NULL),
                    *img;
    char path[128];

    tcache_new(&t, 0);
    snprintf(path, sizeof(path), "%.*s/kernel", (int)(strlen(t.dir) - 2), t.dir);
    copy_to("minios64.gz", path);
    img = load_path(path, &t.c); /* just written: its key is not kept */
    assert_int_equal(img->cache_use, XB_CACHE_STORED);
    assert_int_equal(key_files(&t), 0);
    xb_image_free(img);
    sleep(3);
    img = load_path(path, &t.c); /* settled: kept */
    assert_int_equal(img->cache_use, XB_CACHE_HIT);
    assert_int_equal(key_files(&t), 1);
    xb_image_free(img);
    img = load_path(path, &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_HIT);
    assert_same(gz, img);
    xb_image_free(img);
    copy_to("minios64.xz", path); /* same inode, new content */
    img = load_path(path, &t.c);
    assert_int_equal(img->cache_use, XB_CACHE_STORED);
    assert_same(xz, img);
    xb_image_free(img);
    xb_image_free(gz);
    xb_image_free(xz);
    tcache_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(hit_is_a_fresh_load),
        cmocka_unit_test(plain_elf_is_not_cached),
        cmocka_unit_test(damaged_entry_is_a_miss),
        cmocka_unit_test(limit_holds_on_a_hit),
        cmocka_unit_test(open_directory_is_not_used),
        cmocka_unit_test(bound_holds),
        cmocka_unit_test(unchanged_file_key_remembered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
