/* SPDX-License-Identifier: MIT */
/*
 * tests/pkg/consumer.c - a program outside the tree that links the installed
 * libbuilder: every public header, built with nothing but
 * `pkg-config --cflags --libs libbuilder` (see consumer.sh). It parses a
 * config with an override, reads the typed spec, has a junk kernel rejected
 * with a message, and opens and closes a context on the sim backend.
 * Prints "consumer: ok" and exits 0, or names the first check that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xbuild/builder.h>
#include <xbuild/config.h>
#include <xbuild/error.h>
#include <xbuild/image.h>
#include <xbuild/manage.h>
#include <xbuild/spec.h>

static int fail(const char *what)
{
    printf("consumer: %s\n", what);
    return 1;
}

static int check_config(void)
{
    static const char text[] = "name = \"probe\"\nmemory = 64\nkernel = \"/k\"\n";
    struct xb_spec_opts opts = {.strict = true};
    struct xb_config *cfg = NULL;
    struct xb_spec *spec = NULL;
    int bad = 0;

    if (xb_config_new(&cfg) != 0)
        return fail("xb_config_new failed");
    if (xb_config_parse(cfg, text, strlen(text), "probe.cfg") != 0 ||
        xb_config_parse_override(cfg, "on_crash=\"preserve\"") != 0 ||
        xb_config_to_spec(cfg, &opts, &spec) != 0)
        bad = fail("the config was refused");
    else if (strcmp(spec->name, "probe") != 0 || spec->memory_mib != 64 ||
             strcmp(xb_action_name(spec->on_crash), "preserve") != 0 ||
             strcmp(xb_domtype_name(spec->type), "pv") != 0)
        bad = fail("the spec does not hold what the config said");
    else if (xb_config_error_count(cfg) != 0)
        bad = fail("errors counted on a good config");
    xb_spec_free(spec);
    xb_config_free(cfg);
    return bad;
}

static int check_image(void)
{
    static const char junk[64] = "not a kernel";
    struct xb_err err = {0};
    struct xb_image *img = NULL;

    if (xb_image_load_buffer(junk, sizeof(junk), NULL, &img, &err) >= 0 || img)
        return fail("a junk kernel was accepted");
    if (err.code >= 0 || err.msg[0] == '\0')
        return fail("a junk kernel was refused without a message");
    return 0;
}

static int check_ctx(void)
{
    struct xb_err err = {0};
    struct xb_ctx *ctx = NULL;

    if (xb_ctx_open("sim", &ctx, &err) != 0)
        return fail(err.msg[0] ? err.msg : "xb_ctx_open(\"sim\") failed");
    xb_ctx_close(ctx);
    return 0;
}

/* xbuild/manage.h: the trigger names round-trip (pure: no hypervisor needed). */
static int check_manage(void)
{
    enum xb_trigger t;

    if (xb_trigger_from_name("nmi", &t) != 0 || t != XB_TRIGGER_NMI ||
        strcmp(xb_trigger_name(XB_TRIGGER_POWER), "power") != 0 ||
        xb_trigger_from_name("nm", &t) != -EINVAL)
        return fail("the trigger names do not round-trip");
    return 0;
}

int main(void)
{
    if (check_config() || check_image() || check_ctx() || check_manage())
        return 1;
    printf("consumer: ok\n");
    return 0;
}
