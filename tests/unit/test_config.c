/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/config: lexer, parser, diagnostics and spec validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbuild/config.h>

struct fix {
    struct xb_config *cfg;
    struct xb_spec *spec;
    int rc;
};

/* Parse @text (copied into an exact-size buffer: no NUL after it) and validate. */
static void run(struct fix *f, const char *text, const struct xb_spec_opts *opts)
{
    size_t n = strlen(text);
    char *buf = malloc(n ? n : 1);

    assert_non_null(buf);
    memcpy(buf, text, n);
    assert_int_equal(xb_config_new(&f->cfg), 0);
    xb_config_parse(f->cfg, buf, n, "/etc/xen/g.cfg");
    free(buf);
    f->rc = xb_config_to_spec(f->cfg, opts, &f->spec);
}

static void done(struct fix *f)
{
    xb_spec_free(f->spec);
    xb_config_free(f->cfg);
}

/* The first diagnostic whose message contains @needle, or NULL. */
static const struct xb_diag *find(const struct fix *f, const char *needle)
{
    for (size_t i = 0; i < xb_config_diag_count(f->cfg); i++)
        if (strstr(xb_config_diag(f->cfg, i)->msg, needle))
            return xb_config_diag(f->cfg, i);
    return NULL;
}

#define OK_BASE "name = 'g'\nkernel = '/boot/k'\n"

static void minimal_spec_defaults(void **state)
{
    struct fix f = {0};

    run(&f, OK_BASE, NULL);
    assert_int_equal(f.rc, 0);
    assert_string_equal(f.spec->name, "g");
    assert_string_equal(f.spec->kernel, "/boot/k");
    assert_int_equal(f.spec->type, XB_DOMTYPE_PV);
    assert_int_equal(f.spec->memory_mib, 32);
    assert_int_equal(f.spec->maxmem_mib, 32);
    assert_int_equal(f.spec->vcpus, 1);
    assert_int_equal(f.spec->maxvcpus, 1);
    assert_int_equal(f.spec->on_reboot, XB_ACTION_RESTART);
    assert_int_equal(f.spec->on_soft_reset, XB_ACTION_SOFT_RESET);
    assert_null(f.spec->cmdline);
    assert_int_equal(f.spec->n_unsupported, 0);
    assert_int_equal(xb_config_diag_count(f.cfg), 0);
    assert_string_equal(f.spec->name_pos.file, "/etc/xen/g.cfg");
    assert_int_equal(f.spec->name_pos.line, 1);
    assert_int_equal(f.spec->name_pos.col, 8);
    done(&f);
}

static void numbers_in_every_base_and_quoted(void **state)
{
    struct fix f = {0};

    run(&f, OK_BASE "memory = 0x40\nmaxmem = '0100'\nvcpus = \"3\"\nmaxvcpus = 010\n",
        NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->memory_mib, 64);
    assert_int_equal(f.spec->maxmem_mib, 64);
    assert_int_equal(f.spec->vcpus, 3);
    assert_int_equal(f.spec->maxvcpus, 8);
    done(&f);
}

static void string_escapes_decode_like_c(void **state)
{
    struct fix f = {0};

    run(&f, OK_BASE "extra = 'a\\tb\\\\c\\'d\\\"e\\x41\\x4a\\101\\60\\n'\n", NULL);
    assert_int_equal(f.rc, 0);
    assert_string_equal(f.spec->cmdline, "a\tb\\c'd\"eAJA0\n");
    done(&f);
}

static void every_error_reported_with_position(void **state)
{
    struct fix f = {0};
    const struct xb_diag *d;

    run(&f,
        "name = 'g'\nmemory = '25x'\nvcpus = 0\non_crash = destroy\nkernel = '/k'\n"
        "extra = 'bad \\q'\n",
        NULL);
    assert_int_equal(f.rc, -EINVAL);
    assert_null(f.spec);
    assert_int_equal(xb_config_error_count(f.cfg), 4);
    d = find(&f, "memory: expected a number, got \"25x\"");
    assert_non_null(d);
    assert_int_equal(d->line, 2);
    assert_int_equal(d->col, 10);
    assert_int_equal(d->sev, XB_SEV_ERROR);
    assert_non_null(find(&f, "vcpus: 0 is out of range"));
    d = find(&f, "got the word \"destroy\"");
    assert_non_null(d);
    assert_int_equal(d->line, 4);
    assert_non_null(find(&f, "unknown escape \\q"));
    done(&f);
}

static void unknown_key_warns_with_suggestion_or_fails_strict(void **state)
{
    struct fix f = {0};
    struct xb_spec_opts strict = {.strict = true};
    const struct xb_diag *d;

    run(&f, OK_BASE "memroy = 64\n", NULL);
    assert_int_equal(f.rc, 0);
    d = find(&f, "did you mean \"memory\"");
    assert_non_null(d);
    assert_int_equal(d->sev, XB_SEV_WARNING);
    assert_int_equal(f.spec->memory_mib, 32);
    done(&f);

    run(&f, OK_BASE "memroy = 64\n", &strict);
    assert_int_equal(f.rc, -EINVAL);
    d = find(&f, "did you mean \"memory\"");
    assert_non_null(d);
    assert_int_equal(d->sev, XB_SEV_ERROR);
    done(&f);
}

static void duplicate_key_warns_naming_both_lines(void **state)
{
    struct fix f = {0};
    const struct xb_diag *d;

    run(&f, OK_BASE "memory = 64\n\nmemory = 128\n", NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->memory_mib, 128);
    d = find(&f, "set twice");
    assert_non_null(d);
    assert_int_equal(d->line, 5);
    assert_non_null(strstr(d->msg, "line 3"));
    done(&f);
}

static void append_concatenates_strings_and_lists(void **state)
{
    struct fix f = {0};

    run(&f,
        OK_BASE "extra = 'a'\nextra += ' b'\ndisk = ['/x,raw,xvda,w']\n"
                "disk += ['/y,raw,xvdb,r', ]\n",
        NULL);
    assert_int_equal(f.rc, 0);
    assert_string_equal(f.spec->cmdline, "a b");
    assert_int_equal(f.spec->n_disks, 2);
    assert_string_equal(f.spec->disks[1].vdev, "xvdb");
    assert_true(f.spec->disks[1].readonly);
    done(&f);
}

static void overrides_apply_after_the_file(void **state)
{
    struct fix f = {0};
    struct xb_spec_opts o = {.override_dir = "/home/u"};

    assert_int_equal(xb_config_new(&f.cfg), 0);
    assert_int_equal(
        xb_config_parse(f.cfg, OK_BASE "memory = 64\n", strlen(OK_BASE) + 12, "g.cfg"),
        0);
    assert_int_equal(xb_config_parse_override(f.cfg, "memory=256"), 0);
    assert_int_equal(xb_config_parse_override(f.cfg, "ramdisk=initrd.img"), 0);
    assert_int_equal(xb_config_parse_override(f.cfg, "extra=console=hvc0 quiet"), 0);
    assert_int_equal(xb_config_parse_override(f.cfg, "vcpus=[1"), -EINVAL);
    assert_int_equal(xb_config_to_spec(f.cfg, &o, &f.spec), -EINVAL);
    assert_int_equal(xb_config_error_count(f.cfg), 1);
    assert_null(find(&f, "set twice"));
    assert_int_equal(xb_config_diag(f.cfg, 0)->line, 4); /* the 4th override */
    done(&f);

    assert_int_equal(xb_config_new(&f.cfg), 0);
    xb_config_parse(f.cfg, OK_BASE, strlen(OK_BASE), "g.cfg");
    xb_config_parse_override(f.cfg, "memory=256");
    xb_config_parse_override(f.cfg, "ramdisk=initrd.img");
    xb_config_parse_override(f.cfg, "extra=console=hvc0 quiet");
    assert_int_equal(xb_config_to_spec(f.cfg, &o, &f.spec), 0);
    assert_int_equal(f.spec->memory_mib, 256);
    assert_string_equal(f.spec->ramdisk, "/home/u/initrd.img");
    assert_string_equal(f.spec->cmdline, "console=hvc0 quiet");
    done(&f);
}

static void relative_paths_resolve_against_the_config_dir(void **state)
{
    struct fix f = {0};
    struct xb_spec_opts base = {.base_dir = "/srv/guests"};

    run(&f, "name='g'\nkernel='k/vmlinuz'\nramdisk='/abs/initrd'\n", NULL);
    assert_int_equal(f.rc, 0);
    assert_string_equal(f.spec->kernel, "/etc/xen/k/vmlinuz");
    assert_string_equal(f.spec->ramdisk, "/abs/initrd");
    done(&f);
    run(&f, "name='g'\nkernel='vmlinuz'\n", &base);
    assert_string_equal(f.spec->kernel, "/srv/guests/vmlinuz");
    done(&f);
}

static void root_extra_cmdline_follow_xl(void **state)
{
    struct fix f = {0};

    run(&f, OK_BASE "root = '/dev/xvda1 ro'\nextra = 'quiet'\n", NULL);
    assert_string_equal(f.spec->cmdline, "root=/dev/xvda1 ro quiet");
    done(&f);
    run(&f, OK_BASE "root = '/dev/xvda1'\n", NULL);
    assert_string_equal(f.spec->cmdline, "root=/dev/xvda1");
    done(&f);
    run(&f, OK_BASE "root = '/dev/xvda1'\ncmdline = 'console=hvc0'\n", NULL);
    assert_string_equal(f.spec->cmdline, "console=hvc0");
    assert_non_null(find(&f, "root is ignored"));
    done(&f);
}

static void unsupported_keys_are_listed_not_ignored(void **state)
{
    struct fix f = {0};

    run(&f,
        OK_BASE "disk = [ 'file:/x.img,xvda,w' ]\non_crash = 'preserve'\n"
                "on_reboot = 'coredump-restart'\non_watchdog = 'destroy'\nvif = []\n"
                "e820_host = 1\npvshim = 1\n",
        NULL);
    assert_int_equal(f.rc, 0);
    /* disks, vifs and every on_* action are acted on; e820_host = 1 is not */
    assert_int_equal(f.spec->n_unsupported, 1);
    assert_string_equal(f.spec->unsupported[0].key, "e820_host");
    assert_int_equal(f.spec->unsupported[0].pos.line, 8);
    /* pvshim on a PV guest: ignored with a warning, as xl ignores it */
    assert_false(f.spec->pvshim);
    assert_non_null(find(&f, "pvshim: ignored, as xl does"));
    done(&f);

    run(&f, OK_BASE "type = 'pvh'\npvshim = 1\nmsr_relaxed = 1\nbootloader = 'pygrub'\n",
        NULL);
    assert_int_equal(f.rc, 0);
    /* the builder acts on PVH, the PV shim, msr_relaxed and the bootloader */
    assert_int_equal(f.spec->n_unsupported, 0);
    assert_true(f.spec->pvshim && f.spec->msr_relaxed);
    assert_true(f.spec->acpi); /* ACPI tables by default, as xl */
    done(&f);

    /* acpi = 0: acted on (no tables), a boolean like any other */
    run(&f, OK_BASE "type = 'pvh'\nacpi = 0\n", NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->n_unsupported, 0);
    assert_false(f.spec->acpi);
    done(&f);
    run(&f, OK_BASE "type = 'pvh'\nacpi = 'maybe'\n", NULL);
    assert_true(f.rc != 0);
    done(&f);

    run(&f, OK_BASE "msr_relaxed = 0\npvshim = 0\nbootloader_args = []\ndhcp = 'dhcp'\n",
        NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->n_unsupported, 0);
    assert_non_null(find(&f, "dhcp: ignored, as xl does"));
    done(&f);
}

static void disk_specs_in_every_form(void **state)
{
    struct fix f = {0};

    run(&f,
        OK_BASE "disk = [ 'file:/xen/alt.img,hda1,w', 'phy:/dev/vg/lv,xvdb,r',"
                " 'format=qcow2,vdev=xvdc,target=/a,b', ',,hdc:cdrom' ]\n",
        NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->n_disks, 4);
    assert_string_equal(f.spec->disks[0].target, "/xen/alt.img");
    assert_string_equal(f.spec->disks[0].vdev, "hda1");
    assert_false(f.spec->disks[0].readonly);
    assert_null(f.spec->disks[1].backendtype); /* xl ignores the phy: prefix */
    assert_string_equal(f.spec->disks[1].target, "/dev/vg/lv");
    assert_true(f.spec->disks[1].readonly);
    assert_string_equal(f.spec->disks[2].target, "/a,b");
    assert_string_equal(f.spec->disks[2].format, "qcow2");
    assert_null(f.spec->disks[3].target);
    assert_true(f.spec->disks[3].cdrom);
    done(&f);

    run(&f, OK_BASE "disk = [ '/x.img,hda1,w' ]\n", NULL);
    assert_int_equal(f.rc, -EINVAL);
    assert_non_null(find(&f, "disk 1, format: \"hda1\" is a vdev in the format's place"));
    done(&f);
}

/* Every field of a disk but the vdev's spelling, as one string, to compare disks. */
static void describe_disk(const struct xb_disk *d, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|%u|%s|%s|%s|%d%d%d%d", d->target ? d->target : "-",
             d->format, (unsigned)d->devid, d->backendtype ? d->backendtype : "-",
             d->script ? d->script : "-", d->backend ? d->backend : "-", d->readonly,
             d->cdrom, d->discard, d->direct_io_safe);
}

/* The one disk of `disk = [ '@spec' ]`, described; fails the test on any error. */
static void one_disk(const char *spec, char *buf, size_t size)
{
    struct fix f = {0};
    char text[512];

    snprintf(text, sizeof(text), OK_BASE "disk = [ '%s' ]\n", spec);
    run(&f, text, NULL);
    if (f.rc != 0)
        fail_msg("%s: %s", spec, xb_config_diag(f.cfg, 0)->msg);
    assert_int_equal(f.spec->n_disks, 1);
    describe_disk(&f.spec->disks[0], buf, size);
    done(&f);
}

/* Each group lists forms xl-disk-configuration(5) (and its lexer) takes as equal. */
static void disk_forms_xl_calls_equivalent(void **state)
{
    static const char *const groups[][6] = {
        {"/dev/vg/guest-volume,,hda", "/dev/vg/guest-volume,raw,hda,rw",
         "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
         "raw:/dev/vg/guest-volume,hda,w", "phy:/dev/vg/guest-volume,hda,w"},
        {"/root/image.iso,,hdc,cdrom", "/root/image.iso,,hdc,,cdrom",
         "/root/image.iso,raw,hdc,devtype=cdrom",
         "format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso",
         "raw:/root/image.iso,hdc:cdrom,ro", "cdrom,/root/image.iso,,hdc"},
        {",hdc:cdrom,r", ",,hdc:cdrom", "vdev=hdc,devtype=cdrom",
         "vdev=hdc,cdrom,target="},
        {"file:/x.img,xvda2,w", "/x.img,,xvda2", "tap:aio:/x.img,xvda2,w",
         "format=raw,/x.img,xvda2", "/x.img,raw,d0p2,rw", "/x.img,raw,51714,rw"},
        {"iscsi:iqn.2001-05.com.example:disk1,xvdb,w",
         "script=block-iscsi,vdev=xvdb,target=iqn.2001-05.com.example:disk1"},
    };
    char want[512], got[512];

    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        one_disk(groups[g][0], want, sizeof(want));
        for (size_t i = 1; i < 6 && groups[g][i]; i++) {
            one_disk(groups[g][i], got, sizeof(got));
            if (strcmp(want, got) != 0)
                fail_msg("'%s' gives %s, but '%s' gives %s", groups[g][0], want,
                         groups[g][i], got);
        }
    }
}

/* xen-vbd-interface(7)'s examples, then libxl's encoding at its limits. */
static void vdev_names_to_device_numbers(void **state)
{
    static const struct {
        const char *vdev;
        uint32_t devid;
    } good[] = {
        {"d0", 51712},
        {"d0p0", 51712},
        {"xvda", 51712},
        {"d1p2", 51730},
        {"xvdb2", 51730},
        {"d536p37", 268572709},
        {"xvdtq37", 268572709},
        {"sdb3", 2067},
        {"hdc2", 5634},
        {"hda", 768},
        {"hdb", 832},
        {"hdd", 5696},
        {"hda63", 831},
        {"sda", 2048},
        {"sdp15", 2303},
        {"xvdp15", 51967},
        {"xvda16", 268435472},
        {"xvdq", 268439552},
        {"xvdz", 268441856},
        {"xvdaa", 268442112},
        {"xvda255", 268435711},
        {"xvdbgqcv", 536870656},
        {"d1048575p255", 536870911},
        {"51712", 51712},
        {"0xca00", 51712},
        {"0145000", 51712},
        {"0", 0},
        {"2147483647", 2147483647},
    };
    static const char *const bad[] = {
        "",     "xvd",    "xvda0",    "xvda256", "xvdbgqcw",   "hde",     "hda64",
        "sdq",  "sdb16",  "d1048576", "d0p256",  "d01",        "d1p01",   "dp1",
        "xvdA", "xvda+1", "xvda 1",   "-1",      "2147483648", "floppy0", "xvda1x",
        "0x",   "hd",     "sd1",      "d0p",
    };
    uint32_t devid;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        devid = 1;
        if (xb_config_vdev_devid(good[i].vdev, &devid) != 0 || devid != good[i].devid)
            fail_msg("%s: got %u, expected %u", good[i].vdev, devid, good[i].devid);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (xb_config_vdev_devid(bad[i], &devid) != -EINVAL)
            fail_msg("\"%s\" was accepted as %u", bad[i], devid);
}

/* xl's examples (xl-network-configuration(5)), defaults and limits. */
static void vif_rates_as_libxl_computes_them(void **state)
{
    static const struct {
        const char *rate;
        int rc;
        uint64_t bytes;
        uint32_t us;
    } cases[] = {
        {"10Mb/s", 0, 62500, 50000},      {"250KB/s", 0, 12500, 50000},
        {"1MB/s@20ms", 0, 20000, 20000},  {"100B/s@1s", 0, 100, 1000000},
        {"8b/s@2", 0, 2, 2000000},        {"1Gb/s@100us", 0, 12500, 100},
        {"1MB/s@20m", 0, 20000, 20000},   {"1MB/s@20u", 0, 20, 20},
        {"3GB/s", 0, 150000000, 50000},   {"4294967295B/s", 0, 214748364, 50000},
        {"4294967296B/s", -ERANGE, 0, 0}, {"4294967295GB/s@4294s", -ERANGE, 0, 0},
        {"1MB/s@5000s", -ERANGE, 0, 0},   {"0MB/s", -EINVAL, 0, 0},
        {"010MB/s", -EINVAL, 0, 0},       {"10MB", -EINVAL, 0, 0},
        {"10mb/s", -EINVAL, 0, 0},        {"", -EINVAL, 0, 0},
        {"@20ms", -EINVAL, 0, 0},         {"1MB/s@", -EINVAL, 0, 0},
        {"1MB/s@0ms", -EINVAL, 0, 0},     {"1MB/s@20ms@1", -EINVAL, 0, 0},
        {"1b/s@1us", -EINVAL, 0, 0},      {"1MB/s@20ks", -EINVAL, 0, 0},
        {" 1MB/s", -EINVAL, 0, 0},        {"1MB/s ", -EINVAL, 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t bytes = 0;
        uint32_t us = 0;
        int rc = xb_config_vif_rate(cases[i].rate, &bytes, &us);

        if (rc != cases[i].rc ||
            (rc == 0 && (bytes != cases[i].bytes || us != cases[i].us)))
            fail_msg("\"%s\": rc %d, %llu bytes per %u us; expected rc %d, %llu per %u",
                     cases[i].rate, rc, (unsigned long long)bytes, us, cases[i].rc,
                     (unsigned long long)cases[i].bytes, cases[i].us);
    }
}

static void uuid_and_vif_parse(void **state)
{
    static const unsigned char want[16] = {0x2b, 0x6e, 0x4a, 0x4e, 0x1c, 0x7e,
                                           0x4a, 0x53, 0x9a, 0x3c, 0x5c, 0x0b,
                                           0x6b, 0x1f, 0x7d, 0x21};
    struct fix f = {0};

    run(&f,
        OK_BASE "uuid = '2b6e4a4e-1c7e-4a53-9a3c-5c0b6b1f7d21'\n"
                "vif = [ 'mac=00:16:3e:aa:bb:cc, bridge=xenbr0, mtu=1400' ]\n",
        NULL);
    assert_int_equal(f.rc, 0);
    assert_true(f.spec->has_uuid);
    assert_memory_equal(f.spec->uuid, want, 16);
    assert_int_equal(f.spec->n_vifs, 1);
    assert_string_equal(f.spec->vifs[0].mac, "00:16:3e:aa:bb:cc");
    assert_string_equal(f.spec->vifs[0].bridge, "xenbr0");
    assert_int_equal(f.spec->vifs[0].mtu, 1400);
    done(&f);
}

static void type_is_exact_and_builder_is_translated(void **state)
{
    struct fix f = {0};

    run(&f, OK_BASE "type = 'p'\n", NULL);
    assert_int_equal(f.rc, -EINVAL);
    done(&f);
    run(&f, OK_BASE "type = 'hvm'\n", NULL);
    assert_non_null(find(&f, "not supported by xbuild"));
    done(&f);
    run(&f, OK_BASE "builder = 'linux'\n", NULL);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.spec->type, XB_DOMTYPE_PV);
    assert_non_null(find(&f, "xm-era"));
    done(&f);
}

static void required_keys_and_size_relations(void **state)
{
    struct fix f = {0};

    run(&f, "memory = 64\n", NULL);
    assert_int_equal(f.rc, -EINVAL);
    assert_non_null(find(&f, "name: required"));
    assert_non_null(find(&f, "kernel: required"));
    assert_int_equal(xb_config_diag(f.cfg, 0)->line, 0);
    done(&f);
    run(&f, OK_BASE "memory = 512\nmaxmem = 256\n", NULL);
    assert_non_null(find(&f, "maxmem: 256 MiB is less than memory"));
    done(&f);
}

static void syntax_errors_do_not_cascade(void **state)
{
    struct fix f = {0};

    run(&f,
        "name = 'g'\ndisk = [ 'a',\n  'b'\nkernel = '/k'\nvcpus = 1 2\n"
        "memory = 'x\nmaxvcpus = 2\n",
        NULL);
    assert_int_equal(xb_config_error_count(f.cfg), 3);
    assert_non_null(find(&f, "list is not closed"));
    assert_non_null(find(&f, "after the value of \"vcpus\""));
    assert_non_null(find(&f, "string is not closed"));
    assert_null(find(&f, "kernel: required")); /* parsed after the broken list */
    done(&f);
}

static void check_files_names_key_and_path(void **state)
{
    struct fix f = {0};
    char dir[] = "/tmp/xbcfgXXXXXX", kernel[64];
    FILE *k;

    assert_non_null(mkdtemp(dir));
    snprintf(kernel, sizeof(kernel), "%s/k", dir);
    k = fopen(kernel, "w");
    assert_non_null(k);
    fclose(k);
    run(&f, "name='g'\nkernel='k'\nramdisk='missing.img'\n",
        &(struct xb_spec_opts){.base_dir = dir});
    assert_int_equal(f.rc, 0);
    assert_int_equal(xb_spec_check_files(f.cfg, f.spec), -ENOENT);
    assert_int_equal(xb_config_error_count(f.cfg), 1);
    assert_non_null(find(&f, "ramdisk: cannot open /tmp/xbcfg"));
    assert_int_equal(xb_config_diag(f.cfg, 0)->line, 3);
    done(&f);
    unlink(kernel);
    rmdir(dir);
}

static void hostile_bytes_and_free_null(void **state)
{
    static const char junk[] = "\0\xff[[[=+=\"\\x\n'\\777'";
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;

    xb_spec_free(NULL);
    xb_config_free(NULL);
    assert_int_equal(xb_config_new(&cfg), 0);
    assert_int_equal(xb_config_parse(cfg, junk, sizeof(junk) - 1, "j"), -EINVAL);
    assert_int_equal(xb_config_to_spec(cfg, NULL, &spec), -EINVAL);
    assert_null(spec);
    xb_config_free(cfg);
}

/* One disk or vif alone (block-attach, network-attach): the list item's checks. */
static void a_device_alone(void **state)
{
    const struct xb_spec_opts opts = {.override_dir = "/srv"};
    struct xb_config *cfg = NULL;
    struct xb_spec *s = NULL;

    assert_int_equal(xb_config_new(&cfg), 0);
    assert_int_equal(xb_config_device(cfg, "disk", "file:img/a.img,xvdb,r", &opts, &s),
                     0);
    assert_int_equal(s->n_disks, 1);
    assert_string_equal(s->disks[0].target, "/srv/img/a.img");
    assert_int_equal(s->disks[0].devid, 51728);
    assert_true(s->disks[0].readonly);
    assert_string_equal(s->disks[0].pos.file, XB_CONFIG_CMDLINE);
    xb_spec_free(s);
    assert_int_equal(
        xb_config_device(cfg, "vif", "mac=00:16:3e:01:02:03,bridge=br1", NULL, &s), 0);
    assert_int_equal(s->n_vifs, 1);
    assert_string_equal(s->vifs[0].mac, "00:16:3e:01:02:03");
    assert_string_equal(s->vifs[0].bridge, "br1");
    xb_spec_free(s);
    assert_int_equal(xb_config_error_count(cfg), 0);
    assert_int_equal(xb_config_device(cfg, "disk", "/a.img,raw,xvd,w", NULL, &s),
                     -EINVAL);
    assert_null(s);
    assert_int_equal(xb_config_error_count(cfg), 1);
    assert_non_null(strstr(xb_config_diag(cfg, 0)->msg, "disk 1, vdev: \"xvd\""));
    assert_string_equal(xb_config_diag(cfg, 0)->file, XB_CONFIG_CMDLINE);
    assert_int_equal(xb_config_diag(cfg, 0)->line, 3); /* the third device given */
    assert_int_equal(xb_config_device(cfg, "vif", "mac=01:02", NULL, &s), -EINVAL);
    assert_int_equal(xb_config_device(cfg, "usb", "x", NULL, &s), -EINVAL);
    xb_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_spec_defaults),
        cmocka_unit_test(a_device_alone),
        cmocka_unit_test(numbers_in_every_base_and_quoted),
        cmocka_unit_test(string_escapes_decode_like_c),
        cmocka_unit_test(every_error_reported_with_position),
        cmocka_unit_test(unknown_key_warns_with_suggestion_or_fails_strict),
        cmocka_unit_test(duplicate_key_warns_naming_both_lines),
        cmocka_unit_test(append_concatenates_strings_and_lists),
        cmocka_unit_test(overrides_apply_after_the_file),
        cmocka_unit_test(relative_paths_resolve_against_the_config_dir),
        cmocka_unit_test(root_extra_cmdline_follow_xl),
        cmocka_unit_test(unsupported_keys_are_listed_not_ignored),
        cmocka_unit_test(disk_specs_in_every_form),
        cmocka_unit_test(disk_forms_xl_calls_equivalent),
        cmocka_unit_test(vdev_names_to_device_numbers),
        cmocka_unit_test(vif_rates_as_libxl_computes_them),
        cmocka_unit_test(uuid_and_vif_parse),
        cmocka_unit_test(type_is_exact_and_builder_is_translated),
        cmocka_unit_test(required_keys_and_size_relations),
        cmocka_unit_test(syntax_errors_do_not_cascade),
        cmocka_unit_test(check_files_names_key_and_path),
        cmocka_unit_test(hostile_bytes_and_free_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
