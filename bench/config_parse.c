/* SPDX-License-Identifier: MIT */
/*
 * bench/config_parse.c - parse time of xl.cfg files of 1, 2, 5 and 10 MB.
 *
 * Generates each config in memory (comments, += on strings and lists, a
 * large disk and vif list, some unknown keys), then times
 * xb_config_parse() + xb_config_to_spec() (best of 3) and prints MB/s per
 * size. Parse time is linear in the size when MB/s stays flat; the last line
 * says whether the 10 MB rate is within 2x of the 1 MB rate.
 *
 * usage: config-parse [SIZES_MB...]   (default 1 2 5 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xbuild/config.h>

static const char block[] =
    "# guest %06u: a comment line, as real configs carry many of them\n"
    "disk += [ 'file:/srv/xen/g%06u/disk.img,xvda,w',\n"
    "          'format=raw, vdev=xvdb, access=ro, target=/dev/vg/g%06u' ]\n"
    "vif += [ 'mac=00:16:3e:%02x:%02x:%02x,bridge=xenbr0,ip=10.0.%u.%u' ]\n"
    "extra += \" opt%06u=\\x41\\101\"; memory = %u\n";

static char *generate(size_t want, size_t *len)
{
    char *buf = malloc(want + 4096);
    size_t n;
    unsigned i = 0;

    if (!buf)
        return NULL;
    n = (size_t)sprintf(buf, "name = 'bench'\nkernel = '/boot/vmlinuz'\nextra = ''\n"
                             "disk = []\nvif = []\n");
    while (n < want) {
        n += (size_t)sprintf(buf + n, block, i, i, i, (i >> 16) & 0xff, (i >> 8) & 0xff,
                             i & 0xff, (i >> 8) & 0xff, i & 0xff, i, 64 + (i & 63));
        i++;
    }
    *len = n;
    return buf;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds for one parse + validation; -1 on failure. */
static double parse_once(const char *buf, size_t len)
{
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    double t0 = now(), t;
    int rc;

    if (xb_config_new(&cfg) < 0)
        return -1;
    rc = xb_config_parse(cfg, buf, len, "/bench/big.cfg");
    if (rc == 0)
        rc = xb_config_to_spec(cfg, NULL, &spec);
    t = now() - t0;
    xb_spec_free(spec);
    xb_config_free(cfg);
    return rc == 0 ? t : -1;
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"1", "2", "5", "10"};
    const char *const *sizes = argc > 1 ? (const char *const *)argv + 1 : defaults;
    int n = argc > 1 ? argc - 1 : 4;
    double first = 0, last = 0;

    printf("%8s %10s %10s %10s\n", "size", "bytes", "seconds", "MB/s");
    for (int i = 0; i < n; i++) {
        size_t len, mb = strtoul(sizes[i], NULL, 10);
        char *buf = generate(mb << 20, &len);
        double best = 1e9;

        if (!buf)
            return 1;
        for (int r = 0; r < 3; r++) {
            double t = parse_once(buf, len);

            if (t < 0) {
                fprintf(stderr,
                        "config-parse: the generated %zu MB config did not parse\n", mb);
                return 1;
            }
            best = t < best ? t : best;
        }
        free(buf);
        last = (double)len / 1048576.0 / best;
        first = i == 0 ? last : first;
        printf("%6zuMB %10zu %10.4f %10.1f\n", mb, len, best, last);
    }
    printf("linear: %s (largest/smallest rate %.2f)\n", last * 2 >= first ? "yes" : "NO",
           last / first);
    return last * 2 >= first ? 0 : 1;
}
