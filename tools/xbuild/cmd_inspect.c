/* SPDX-License-Identifier: MIT */
/*
 * xbuild inspect [--json] KERNEL: what the image loader sees in a kernel -
 * format, compression, ELF class, entry, segments, every Xen note decoded,
 * the derived kernel range and the guest types it can boot as.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <xbuild/image.h>

#include "cli.h"
#include "json.h"

/* How to show each note: a number or a string field of struct xb_notes. */
enum show { SHOW_NUM, SHOW_STR, SHOW_MFN, SHOW_FEATS };

struct note_show {
    unsigned type;
    enum show how;
    size_t field;
};

#define N(t, f)                                                                          \
    {                                                                                    \
        t, SHOW_NUM, offsetof(struct xb_notes, f)                                        \
    }
#define S(t, f)                                                                          \
    {                                                                                    \
        t, SHOW_STR, offsetof(struct xb_notes, f)                                        \
    }

static const struct note_show shows[] = {
    N(1, entry),         N(2, hypercall_page),  N(3, virt_base),     N(4, paddr_offset),
    S(5, xen_version),   S(6, guest_os),        S(7, guest_version), S(8, loader),
    S(9, pae_mode),      S(10, features),       N(11, bsd_symtab),   N(12, hv_start_low),
    {13, SHOW_MFN, 0},   N(14, suspend_cancel), N(15, init_p2m),     N(16, mod_start_pfn),
    {17, SHOW_FEATS, 0}, N(18, phys32_entry),
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

static void json_note(yajl_gen g, const struct xb_notes *n, const struct note_show *s)
{
    char feats[256];

    json_str(g, xb_note_name(s->type));
    switch (s->how) {
    case SHOW_NUM:
        json_addr(g, note_num(n, s));
        break;
    case SHOW_STR:
        json_str(g, (const char *)n + s->field);
        break;
    case SHOW_MFN:
        yajl_gen_map_open(g);
        json_kv_addr(g, "mask", n->l1_mfn_valid_mask);
        json_kv_addr(g, "value", n->l1_mfn_valid_value);
        yajl_gen_map_close(g);
        break;
    case SHOW_FEATS:
        feature_list(n->features_supported, feats, sizeof(feats));
        json_str(g, feats);
        break;
    }
}

static void json_notes(yajl_gen g, const struct xb_notes *n)
{
    char feats[256];

    json_str(g, "notes");
    yajl_gen_map_open(g);
    json_kv_str(g, "source", source_names[n->source]);
    for (size_t i = 0; i < COUNT(shows); i++)
        if (n->present & (UINT64_C(1) << shows[i].type))
            json_note(g, n, &shows[i]);
    feature_list(n->features_required, feats, sizeof(feats));
    json_kv_str(g, "required_features", feats);
    json_str(g, "unknown");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n->n_unknown && i < COUNT(n->unknown); i++) {
        yajl_gen_map_open(g);
        json_kv_int(g, "type", n->unknown[i].type);
        json_kv_int(g, "descsz", n->unknown[i].descsz);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void json_segments(yajl_gen g, const struct xb_image *img)
{
    char fl[4];

    json_str(g, "segments");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct xb_segment *s = &img->segs[i];

        flags_str(s->flags, fl);
        yajl_gen_map_open(g);
        json_kv_addr(g, "paddr", s->paddr);
        json_kv_addr(g, "vaddr", s->vaddr);
        json_kv_addr(g, "filesz", s->filesz);
        json_kv_addr(g, "memsz", s->memsz);
        json_kv_addr(g, "load_vaddr", s->load_vaddr);
        json_kv_str(g, "flags", fl);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void json_guest_types(yajl_gen g, const struct xb_image *img)
{
    json_str(g, "guest_types");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < COUNT(guest_types); i++)
        if (img->guest_types & guest_types[i].bit)
            json_str(g, guest_types[i].name);
    yajl_gen_array_close(g);
    json_kv_str(g, "not_pv", img->not_pv);
    json_kv_str(g, "not_pvh", img->not_pvh);
}

void json_image(yajl_gen g, const char *path, const struct xb_image *img)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "image", path);
    json_kv_int(g, "file_size", (long long)img->file_size);
    json_kv_str(g, "format", img->format == XB_IMG_BZIMAGE ? "bzImage" : "ELF");
    json_kv_str(g, "compression", xb_compression_name(img->compression));
    if (img->format == XB_IMG_BZIMAGE) {
        json_kv_addr(g, "boot_protocol", img->bzimage_version);
        json_kv_str(g, "payload_compression",
                    xb_compression_name(img->payload_compression));
    }
    json_kv_int(g, "elf_class", img->elf_class);
    json_kv_str(g, "machine", img->machine == 62 ? "x86-64" : "i386");
    json_kv_addr(g, "e_entry", img->e_entry);
    json_kv_int(g, "elf_size", (long long)img->elf_size);
    json_segments(g, img);
    json_notes(g, &img->notes);
    json_kv_addr(g, "virt_base", img->virt_base);
    json_kv_addr(g, "paddr_offset", img->paddr_offset);
    json_kv_addr(g, "virt_kstart", img->virt_kstart);
    json_kv_addr(g, "virt_kend", img->virt_kend);
    json_kv_addr(g, "virt_entry", img->virt_entry);
    if (img->virt_hypercall != XB_UNSET_ADDR)
        json_kv_addr(g, "virt_hypercall", img->virt_hypercall);
    json_kv_bool(g, "pae", img->pae);
    json_guest_types(g, img);
    yajl_gen_map_close(g);
}

static int print_json(const char *path, const struct xb_image *img)
{
    yajl_gen g = json_new();
    int rc = -1;

    if (g) {
        json_image(g, path, img);
        rc = json_print(g);
    }
    yajl_gen_free(g);
    return rc;
}

struct inspect_opts {
    bool json;
};

static const struct cli_opt inspect_options[] = {
    {.long_name = "json",
     .off = offsetof(struct inspect_opts, json),
     .help = "print the same as one JSON object"},
};

static int cmd_inspect(int argc, char **argv)
{
    struct inspect_opts o = {0};
    struct cli_args args;
    struct xb_image *img = NULL;
    struct xb_err err = {0};
    int rc = cli_parse(&cli_cmd_inspect, argc, argv, &o, &args);

    if (rc != CLI_CONTINUE)
        return rc;
    if (args.n != 1)
        return cli_usage_error(&cli_cmd_inspect,
                               args.n ? "one KERNEL at a time" : "no KERNEL given");
    if (xb_image_load_file(args.v[0], NULL, &img, &err) < 0) {
        cli_error("%s", err.msg);
        return 1;
    }
    if (o.json && print_json(args.v[0], img) != 0) {
        cli_error("inspect: cannot write the JSON to stdout");
        xb_image_free(img);
        return 1;
    }
    if (!o.json)
        text_image(args.v[0], img);
    xb_image_free(img);
    return 0;
}

const struct cli_cmd cli_cmd_inspect = {
    .name = "inspect",
    .run = cmd_inspect,
    .operands = "KERNEL",
    .summary = "show what the loader sees in a kernel: format, notes, guest types",
    .opts = inspect_options,
    .n_opts = sizeof(inspect_options) / sizeof(inspect_options[0]),
};
