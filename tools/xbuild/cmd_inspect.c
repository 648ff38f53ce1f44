/* SPDX-License-Identifier: MIT */
/*
 * xbuild inspect KERNEL [--json]: what the image loader sees in a kernel -
 * format, compression, ELF class, entry, segments, every Xen note decoded,
 * the derived kernel range and the guest types it can boot as.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include <xbuild/image.h>

#include "cli.h"

/* How to show each note: a number or a string field of struct xb_notes. */
enum show { SHOW_NUM, SHOW_STR, SHOW_MFN, SHOW_FEATS };

struct note_show {
    unsigned type;
    enum show how;
    size_t field;
};

#define N(t, f) {t, SHOW_NUM, offsetof(struct xb_notes, f)}
#define S(t, f) {t, SHOW_STR, offsetof(struct xb_notes, f)}

static const struct note_show shows[] = {
    N(1, entry),           N(2, hypercall_page), N(3, virt_base),
    N(4, paddr_offset),    S(5, xen_version),    S(6, guest_os),
    S(7, guest_version),   S(8, loader),         S(9, pae_mode),
    S(10, features),       N(11, bsd_symtab),    N(12, hv_start_low),
    {13, SHOW_MFN, 0},     N(14, suspend_cancel), N(15, init_p2m),
    N(16, mod_start_pfn),  {17, SHOW_FEATS, 0},   N(18, phys32_entry),
};

static const char *const source_names[] = {
    [XB_NOTES_NONE] = "none",
    [XB_NOTES_PT_NOTE] = "PT_NOTE",
    [XB_NOTES_SHT_NOTE] = "SHT_NOTE",
    [XB_NOTES_LEGACY] = "__xen_guest",
};

struct guest_type {
    unsigned bit;
    const char *name;
};

static const struct guest_type guest_types[] = {
    {XB_GUEST_PV64, "xen-3.0-x86_64"},
    {XB_GUEST_PV32PAE, "xen-3.0-x86_32p"},
    {XB_GUEST_PVH, "pvh"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t note_num(const struct xb_notes *n, const struct note_show *s)
{
    uint64_t v;

    memcpy(&v, (const char *)n + s->field, sizeof(v));
    return v;
}

static void feature_list(uint32_t bits, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < 32; i++) {
        const char *name = xb_feature_name(i);

        if (!(bits & (1u << i)))
            continue;
        used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%s",
                                 used ? "," : "", name ? name : "?");
    }
}

static void flags_str(uint32_t f, char out[4])
{
    out[0] = (f & 4) ? 'r' : '-';
    out[1] = (f & 2) ? 'w' : '-';
    out[2] = (f & 1) ? 'x' : '-';
    out[3] = '\0';
}

/* --- text ----------------------------------------------------------------- */

static void text_note(const struct xb_notes *n, const struct note_show *s)
{
    const char *name = xb_note_name(s->type);
    char feats[256];

    printf("  %-20s", name);
    switch (s->how) {
    case SHOW_NUM:
        printf("0x%" PRIx64 "\n", note_num(n, s));
        break;
    case SHOW_STR:
        printf("\"%s\"\n", (const char *)n + s->field);
        break;
    case SHOW_MFN:
        printf("mask 0x%" PRIx64 " value 0x%" PRIx64 "\n", n->l1_mfn_valid_mask,
               n->l1_mfn_valid_value);
        break;
    case SHOW_FEATS:
        feature_list(n->features_supported, feats, sizeof(feats));
        printf("(supported: %s)\n", feats);
        break;
    }
}

static void text_notes(const struct xb_notes *n)
{
    char feats[256];

    printf("notes:         %s\n", source_names[n->source]);
    for (size_t i = 0; i < COUNT(shows); i++)
        if (n->present & (UINT64_C(1) << shows[i].type))
            text_note(n, &shows[i]);
    for (size_t i = 0; i < n->n_unknown && i < COUNT(n->unknown); i++)
        printf("  unknown type %-7" PRIu32 "%" PRIu32 " bytes\n", n->unknown[i].type,
               n->unknown[i].descsz);
    if (n->n_unknown > COUNT(n->unknown))
        printf("  ... %zu more unknown notes\n", n->n_unknown - COUNT(n->unknown));
    feature_list(n->features_required, feats, sizeof(feats));
    if (n->features_required)
        printf("  required features   %s\n", feats);
}

static void text_guest_types(const struct xb_image *img)
{
    printf("guest types:  ");
    for (size_t i = 0; i < COUNT(guest_types); i++)
        if (img->guest_types & guest_types[i].bit)
            printf(" %s", guest_types[i].name);
    printf("\n");
    if (img->not_pv[0])
        printf("  not PV:      %s\n", img->not_pv);
    if (img->not_pvh[0])
        printf("  not PVH:     %s\n", img->not_pvh);
}

static void text_image(const char *path, const struct xb_image *img)
{
    char fl[4];

    printf("image:         %s (%zu bytes)\n", path, img->file_size);
    if (img->format == XB_IMG_BZIMAGE)
        printf("format:        bzImage, boot protocol %u.%02u, payload %s\n",
               img->bzimage_version >> 8, img->bzimage_version & 0xff,
               xb_compression_name(img->payload_compression));
    else
        printf("format:        ELF\n");
    printf("compression:   %s\n", xb_compression_name(img->compression));
    printf("elf:           ELF%u %s, e_entry 0x%" PRIx64 ", %zu bytes\n", img->elf_class,
           img->machine == 62 ? "x86-64" : "i386", img->e_entry, img->elf_size);
    printf("segments:      %zu\n", img->nsegs);
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct xb_segment *s = &img->segs[i];

        flags_str(s->flags, fl);
        printf("  %s paddr 0x%" PRIx64 " vaddr 0x%" PRIx64 " filesz 0x%" PRIx64
               " memsz 0x%" PRIx64 " -> 0x%" PRIx64 "\n",
               fl, s->paddr, s->vaddr, s->filesz, s->memsz, s->load_vaddr);
    }
    text_notes(&img->notes);
    printf("kernel:        [0x%" PRIx64 ", 0x%" PRIx64 ") virt_base 0x%" PRIx64
           " paddr_offset 0x%" PRIx64 "\n",
           img->virt_kstart, img->virt_kend, img->virt_base, img->paddr_offset);
    printf("entry:         0x%" PRIx64 "\n", img->virt_entry);
    if (img->virt_hypercall != XB_UNSET_ADDR)
        printf("hypercall:     0x%" PRIx64 "\n", img->virt_hypercall);
    printf("pae:           %s\n", img->pae ? "yes" : "no");
    text_guest_types(img);
}

/* --- JSON ----------------------------------------------------------------- */

static void js(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void js_kv(yajl_gen g, const char *k, const char *v)
{
    js(g, k);
    js(g, v);
}

/* Addresses as "0x..." strings: JSON numbers lose precision above 2^53. */
static void js_hexval(yajl_gen g, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
    js(g, buf);
}

static void js_hex(yajl_gen g, const char *k, uint64_t v)
{
    js(g, k);
    js_hexval(g, v);
}

static void js_int(yajl_gen g, const char *k, long long v)
{
    js(g, k);
    yajl_gen_integer(g, v);
}

static void json_note(yajl_gen g, const struct xb_notes *n, const struct note_show *s)
{
    char feats[256];

    js(g, xb_note_name(s->type));
    switch (s->how) {
    case SHOW_NUM:
        js_hexval(g, note_num(n, s));
        break;
    case SHOW_STR:
        js(g, (const char *)n + s->field);
        break;
    case SHOW_MFN:
        yajl_gen_map_open(g);
        js_hex(g, "mask", n->l1_mfn_valid_mask);
        js_hex(g, "value", n->l1_mfn_valid_value);
        yajl_gen_map_close(g);
        break;
    case SHOW_FEATS:
        feature_list(n->features_supported, feats, sizeof(feats));
        js(g, feats);
        break;
    }
}

static void json_notes(yajl_gen g, const struct xb_notes *n)
{
    char feats[256];

    js(g, "notes");
    yajl_gen_map_open(g);
    js_kv(g, "source", source_names[n->source]);
    for (size_t i = 0; i < COUNT(shows); i++)
        if (n->present & (UINT64_C(1) << shows[i].type))
            json_note(g, n, &shows[i]);
    feature_list(n->features_required, feats, sizeof(feats));
    js_kv(g, "required_features", feats);
    js(g, "unknown");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n->n_unknown && i < COUNT(n->unknown); i++) {
        yajl_gen_map_open(g);
        js_int(g, "type", n->unknown[i].type);
        js_int(g, "descsz", n->unknown[i].descsz);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void json_segments(yajl_gen g, const struct xb_image *img)
{
    char fl[4];

    js(g, "segments");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct xb_segment *s = &img->segs[i];

        flags_str(s->flags, fl);
        yajl_gen_map_open(g);
        js_hex(g, "paddr", s->paddr);
        js_hex(g, "vaddr", s->vaddr);
        js_hex(g, "filesz", s->filesz);
        js_hex(g, "memsz", s->memsz);
        js_hex(g, "load_vaddr", s->load_vaddr);
        js_kv(g, "flags", fl);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void json_guest_types(yajl_gen g, const struct xb_image *img)
{
    js(g, "guest_types");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < COUNT(guest_types); i++)
        if (img->guest_types & guest_types[i].bit)
            js(g, guest_types[i].name);
    yajl_gen_array_close(g);
    js_kv(g, "not_pv", img->not_pv);
    js_kv(g, "not_pvh", img->not_pvh);
}

static void json_image(yajl_gen g, const char *path, const struct xb_image *img)
{
    yajl_gen_map_open(g);
    js_kv(g, "image", path);
    js_int(g, "file_size", (long long)img->file_size);
    js_kv(g, "format", img->format == XB_IMG_BZIMAGE ? "bzImage" : "ELF");
    js_kv(g, "compression", xb_compression_name(img->compression));
    if (img->format == XB_IMG_BZIMAGE) {
        js_hex(g, "boot_protocol", img->bzimage_version);
        js_kv(g, "payload_compression", xb_compression_name(img->payload_compression));
    }
    js_int(g, "elf_class", img->elf_class);
    js_kv(g, "machine", img->machine == 62 ? "x86-64" : "i386");
    js_hex(g, "e_entry", img->e_entry);
    js_int(g, "elf_size", (long long)img->elf_size);
    json_segments(g, img);
    json_notes(g, &img->notes);
    js_hex(g, "virt_base", img->virt_base);
    js_hex(g, "paddr_offset", img->paddr_offset);
    js_hex(g, "virt_kstart", img->virt_kstart);
    js_hex(g, "virt_kend", img->virt_kend);
    js_hex(g, "virt_entry", img->virt_entry);
    if (img->virt_hypercall != XB_UNSET_ADDR)
        js_hex(g, "virt_hypercall", img->virt_hypercall);
    js(g, "pae");
    yajl_gen_bool(g, img->pae);
    json_guest_types(g, img);
    yajl_gen_map_close(g);
}

static void print_json(const char *path, const struct xb_image *img)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;

    yajl_gen_config(g, yajl_gen_beautify, 1);
    json_image(g, path, img);
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    yajl_gen_free(g);
}

int cmd_inspect(int argc, char **argv);

int cmd_inspect(int argc, char **argv)
{
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    const char *path = NULL;
    bool json = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' || path)
            return cli_usage("inspect");
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage("inspect");
    if (xb_image_load_file(path, NULL, &img, &err) < 0) {
        cli_error("%s", err.msg);
        return 1;
    }
    if (json)
        print_json(path, img);
    else
        text_image(path, img);
    xb_image_free(img);
    return 0;
}
