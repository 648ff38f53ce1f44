/* SPDX-License-Identifier: MIT */
/*
 * The real host backend (hv/host.h "linux") on this machine's own kernel,
 * outside Xen: loop devices bound (and staying bound once the builder lets
 * go, as the block script's), read-only when asked, their backing file
 * found again, freed at once by loop_free, released once another holder
 * lets go; rtnetlink on a bridge and a veth interface
 * in a network namespace of its own (nothing of the host's is touched).
 * Needs root, /dev/loop-control and ip(8); skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "builder/hv/host.h"

struct fix {
    char dir[64], rw[96], ro[96];
    struct xb_host *h;
};

static void make_file(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 1 << 20), 0);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
    struct fix *f;

    if (geteuid() != 0 || access("/dev/loop-control", R_OK | W_OK) != 0)
        return 0; /* the tests skip */
    f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/xb-host.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->rw, sizeof(f->rw), "%s/rw.img", f->dir);
    snprintf(f->ro, sizeof(f->ro), "%s/ro.img", f->dir);
    make_file(f->rw, 0644);
    make_file(f->ro, 0444);
    assert_int_equal(xb__host_linux_open(&f->h, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;

    if (!f)
        return 0;
    f->h->ops->close(f->h);
    unlink(f->rw);
    unlink(f->ro);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* /sys/block/loopN/@attr, "" when absent. */
static const char *sys_attr(const struct xb_loop *l, const char *attr)
{
    static char buf[256];
    char p[128];
    FILE *fp;

    snprintf(p, sizeof(p), "/sys/block/%s/%s", l->dev + strlen("/dev/"), attr);
    buf[0] = '\0';
    fp = fopen(p, "r");
    if (fp) {
        if (!fgets(buf, sizeof(buf), fp))
            buf[0] = '\0';
        fclose(fp);
    }
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static void loops_bound_until_freed(void **state)
{
    struct fix *f = *state;
    struct xb_loop rw, ro;
    struct stat st;
    uint64_t dev = 0, ino = 0;

    if (!f)
        skip();
    assert_int_equal(f->h->ops->loop_attach(f->h, NULL, f->rw, false, &rw), 0);
    assert_true(rw.fd >= 0);
    assert_int_equal(rw.major, 7);
    assert_string_equal(sys_attr(&rw, "loop/autoclear"), "0");
    assert_string_equal(sys_attr(&rw, "ro"), "0");
    assert_string_equal(sys_attr(&rw, "loop/backing_file"), f->rw);
    assert_int_equal(f->h->ops->loop_backing(f->h, NULL, rw.major, rw.minor, &dev, &ino),
                     0);
    assert_int_equal(stat(f->rw, &st), 0);
    assert_true(dev == st.st_dev && ino == st.st_ino);
    assert_int_equal(f->h->ops->loop_attach(f->h, NULL, f->ro, true, &ro), 0);
    assert_string_equal(sys_attr(&ro, "ro"), "1");
    assert_string_not_equal(ro.dev, rw.dev);
    f->h->ops->loop_put(f->h, &rw); /* no holder, still bound: for blkback, xl's remove */
    assert_int_equal(rw.fd, -1);
    assert_string_equal(sys_attr(&rw, "loop/backing_file"), f->rw);
    assert_int_equal(f->h->ops->loop_release(f->h, NULL, rw.dev, 1000), 0);
    assert_string_equal(sys_attr(&rw, "loop/backing_file"), "");
    assert_int_equal(f->h->ops->loop_backing(f->h, NULL, rw.major, rw.minor, &dev, &ino),
                     -ENOENT);
    f->h->ops->loop_free(f->h, &ro); /* a create that failed: gone at once */
    assert_int_equal(ro.fd, -1);
    assert_string_equal(sys_attr(&ro, "loop/backing_file"), "");
}

/* Another holder (blkback, here a child) keeps it; release waits for it. */
static void release_waits_for_the_last_holder(void **state)
{
    struct fix *f = *state;
    struct xb_loop l;
    int status = 0;
    pid_t pid;

    if (!f)
        skip();
    assert_int_equal(f->h->ops->loop_attach(f->h, NULL, f->rw, false, &l), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(l.dev, O_RDONLY);

        usleep(300 * 1000);
        _exit(fd < 0);
    }
    usleep(100 * 1000);
    f->h->ops->loop_put(f->h, &l);
    assert_string_equal(sys_attr(&l, "loop/backing_file"), f->rw); /* still held */
    assert_int_equal(f->h->ops->loop_release(f->h, NULL, l.dev, 3000), 0);
    assert_string_equal(sys_attr(&l, "loop/backing_file"), "");
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    assert_int_equal(f->h->ops->loop_release(f->h, NULL, l.dev, 10), 0); /* free: fine */
    assert_int_equal(f->h->ops->loop_release(f->h, NULL, "/dev/sda", 10), -EINVAL);
}

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "netns: line %d: %s\n", __LINE__, #cond);                    \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

/* In a network namespace of its own: a bridge, a veth; 0, 1 (failed) or 77 (skip). */
static int links_in_netns(struct xb_host *h)
{
    struct xb_link br, d, r;
    struct xb_link_cfg cfg = {.name = "xbtren0", .mtu = 1400};

    CHECK(unshare(CLONE_NEWNET) == 0);
    if (system("ip link add xbtbr0 type bridge && "
               "ip link add xbtd0 type veth peer name xbtd1") != 0)
        return 77; /* no bridge or veth in this kernel */
    CHECK(h->ops->link_find(h, NULL, "xbtbr0", &br) == 0 && br.is_bridge && !br.up);
    CHECK(h->ops->link_find(h, NULL, "xbtd0", &d) == 0 && !d.is_bridge && d.master == 0);
    CHECK(h->ops->link_find(h, NULL, "xbtnone", &r) == -ENODEV);
    cfg.master = br.ifindex;
    CHECK(h->ops->link_setup(h, NULL, d.ifindex, &cfg) == 0);
    CHECK(h->ops->link_find(h, NULL, "xbtd0", &r) == -ENODEV);
    CHECK(h->ops->link_find(h, NULL, "xbtren0", &r) == 0);
    CHECK(r.ifindex == d.ifindex && r.master == br.ifindex && r.mtu == 1400 && r.up);
    cfg = (struct xb_link_cfg){.name = "xbtbr0"}; /* taken, and it is up: refused */
    CHECK(h->ops->link_setup(h, NULL, d.ifindex, &cfg) < 0);
    cfg = (struct xb_link_cfg){.master = d.ifindex}; /* not a bridge */
    CHECK(h->ops->link_setup(h, NULL, br.ifindex, &cfg) < 0);
    CHECK(h->ops->link_release(h, NULL, d.ifindex) == 0);
    CHECK(h->ops->link_find(h, NULL, "xbtren0", &r) == 0 && r.master == 0 && !r.up);
    CHECK(h->ops->link_release(h, NULL, 99999) == -ENODEV);
    return 0;
}

static void links_over_rtnetlink(void **state)
{
    struct fix *f = *state;
    int status = 0;
    pid_t pid;

    if (!f || system("ip -V >/dev/null 2>&1") != 0)
        skip();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(links_in_netns(f->h));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loops_bound_until_freed),
        cmocka_unit_test(release_waits_for_the_last_holder),
        cmocka_unit_test(links_over_rtnetlink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
