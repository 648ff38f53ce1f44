/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/image/notes.c - Xen ELF notes (xen/include/public/elfnote.h) from
 * PT_NOTE segments, else SHT_NOTE sections, else the legacy __xen_guest
 * string. Decoding is driven by one table indexed by note type.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "bytes.h"
#include "elf.h"
#include "notes.h"

enum note_kind {
    NOTE_NUM,
    NOTE_STR,
    NOTE_YES,
    NOTE_FEATURES,
    NOTE_SUPPORTED,
    NOTE_MFN_VALID
};

struct note_desc {
    const char *name;
    enum note_kind kind;
    size_t field; /* offsetof(struct xb_notes, ...) */
    size_t size;  /* of a string field */
};

#define NUM(f) .kind = NOTE_NUM, .field = offsetof(struct xb_notes, f)
#define STR(f)                                                                           \
    .kind = NOTE_STR, .field = offsetof(struct xb_notes, f),                             \
    .size = sizeof(((struct xb_notes *)0)->f)

static const struct note_desc notes_table[] = {
    [XEN_ELFNOTE_ENTRY] = {"ENTRY", NUM(entry)},
    [XEN_ELFNOTE_HYPERCALL_PAGE] = {"HYPERCALL_PAGE", NUM(hypercall_page)},
    [XEN_ELFNOTE_VIRT_BASE] = {"VIRT_BASE", NUM(virt_base)},
    [XEN_ELFNOTE_PADDR_OFFSET] = {"PADDR_OFFSET", NUM(paddr_offset)},
    [XEN_ELFNOTE_XEN_VERSION] = {"XEN_VERSION", STR(xen_version)},
    [XEN_ELFNOTE_GUEST_OS] = {"GUEST_OS", STR(guest_os)},
    [XEN_ELFNOTE_GUEST_VERSION] = {"GUEST_VERSION", STR(guest_version)},
    [XEN_ELFNOTE_LOADER] = {"LOADER", STR(loader)},
    [XEN_ELFNOTE_PAE_MODE] = {"PAE_MODE", STR(pae_mode)},
    [XEN_ELFNOTE_FEATURES] = {"FEATURES", .kind = NOTE_FEATURES,
                              .field = offsetof(struct xb_notes, features),
                              .size = sizeof(((struct xb_notes *)0)->features)},
    [XEN_ELFNOTE_BSD_SYMTAB] = {"BSD_SYMTAB", .kind = NOTE_YES},
    [XEN_ELFNOTE_HV_START_LOW] = {"HV_START_LOW", NUM(hv_start_low)},
    [XEN_ELFNOTE_L1_MFN_VALID] = {"L1_MFN_VALID", .kind = NOTE_MFN_VALID},
    [XEN_ELFNOTE_SUSPEND_CANCEL] = {"SUSPEND_CANCEL", NUM(suspend_cancel)},
    [XEN_ELFNOTE_INIT_P2M] = {"INIT_P2M", NUM(init_p2m)},
    [XEN_ELFNOTE_MOD_START_PFN] = {"MOD_START_PFN", NUM(mod_start_pfn)},
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = {"SUPPORTED_FEATURES", .kind = NOTE_SUPPORTED},
    [XEN_ELFNOTE_PHYS32_ENTRY] = {"PHYS32_ENTRY", NUM(phys32_entry)},
};

#define NTYPES (sizeof(notes_table) / sizeof(notes_table[0]))

const char *xb_note_name(unsigned type)
{
    return type < NTYPES ? notes_table[type].name : NULL;
}

/* XENFEAT_* names accepted in FEATURES strings (xen/include/public/features.h). */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad] = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist] = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits] = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock] = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs] = "hvm_pirqs",
    [XENFEAT_dom0] = "dom0",
    [12] = "grant_map_identity",
    [13] = "memory_op_vnode_supported",
    [14] = "ARM_SMCCC_supported",
    [15] = "linux_rsdp_unrestricted",
    [16] = "not_direct_mapped",
    [17] = "direct_mapped",
};

#define NFEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

const char *xb_feature_name(unsigned bit)
{
    return bit < NFEATURES ? feature_names[bit] : NULL;
}

static int feature_lookup(const char *s, size_t len)
{
    for (unsigned i = 0; i < NFEATURES; i++)
        if (feature_names[i] && strlen(feature_names[i]) == len &&
            memcmp(feature_names[i], s, len) == 0)
            return (int)i;
    return -1;
}

/* "a|!b|c": set supported (and, with '!', required) bits. Unknown optional names
 * are ignored as Xen does; an unknown required one cannot be honoured. */
static int parse_features(struct xb_notes *n, const char *s, struct xb_err *err)
{
    while (*s) {
        size_t len = strcspn(s, "|");
        bool required = s[0] == '!';
        int bit = feature_lookup(s + required, len - required);

        if (bit >= 0) {
            n->features_supported |= 1u << bit;
            if (required)
                n->features_required |= 1u << bit;
        } else if (required) {
            return xb_err_set(err, -ENOTSUP,
                              "FEATURES: required feature \"%.*s\" is unknown",
                              (int)(len - 1), s + 1);
        }
        s += len + (s[len] == '|');
    }
    return 0;
}

/* --- decoding one note ------------------------------------------------------ */

struct note {
    uint32_t type;
    const uint8_t *desc;
    uint32_t descsz;
};

static int decode_num(const struct note *nt, const struct note_desc *d, uint64_t *out,
                      struct xb_err *err)
{
    switch (nt->descsz) {
    case 1:
        *out = nt->desc[0];
        return 0;
    case 2:
        *out = xb__le16(nt->desc);
        return 0;
    case 4:
        *out = xb__le32(nt->desc);
        return 0;
    case 8:
        *out = xb__le64(nt->desc);
        return 0;
    }
    return xb_err_set(err, -EINVAL, "note %s: descsz %u, expected 1, 2, 4 or 8", d->name,
                      nt->descsz);
}

/* A string note: up to the first NUL or the end of desc (Linux's FEATURES has no NUL). */
static int decode_str(const struct note *nt, const struct note_desc *d, char *out,
                      size_t size, struct xb_err *err)
{
    const uint8_t *nul = memchr(nt->desc, '\0', nt->descsz);
    size_t len = nul ? (size_t)(nul - nt->desc) : nt->descsz;

    if (len >= size)
        return xb_err_set(err, -EINVAL,
                          "note %s: string of %zu bytes, at most %zu allowed", d->name,
                          len, size - 1);
    memcpy(out, nt->desc, len);
    out[len] = '\0';
    return 0;
}

/* L1_MFN_VALID: a mask and a value, both 32- or both 64-bit. */
static int decode_mfn_valid(struct xb_notes *n, const struct note *nt, struct xb_err *err)
{
    if (nt->descsz == 16) {
        n->l1_mfn_valid_mask = xb__le64(nt->desc);
        n->l1_mfn_valid_value = xb__le64(nt->desc + 8);
    } else if (nt->descsz == 8) {
        n->l1_mfn_valid_mask = xb__le32(nt->desc);
        n->l1_mfn_valid_value = xb__le32(nt->desc + 4);
    } else {
        return xb_err_set(err, -EINVAL, "note L1_MFN_VALID: descsz %u, expected 8 or 16",
                          nt->descsz);
    }
    return 0;
}

static int decode_supported(struct xb_notes *n, const struct note *nt, struct xb_err *err)
{
    if (nt->descsz < 4 || nt->descsz % 4 != 0)
        return xb_err_set(err, -EINVAL,
                          "note SUPPORTED_FEATURES: descsz %u, expected a multiple of 4",
                          nt->descsz);
    n->features_supported |= xb__le32(nt->desc); /* only submap 0 is defined */
    return 0;
}

static void add_unknown(struct xb_notes *n, const struct note *nt)
{
    if (n->n_unknown < sizeof(n->unknown) / sizeof(n->unknown[0]))
        n->unknown[n->n_unknown] = (struct xb_unknown_note){nt->type, nt->descsz};
    n->n_unknown++;
}

static int decode_note(struct xb_notes *n, const struct note *nt, struct xb_err *err)
{
    const struct note_desc *d = nt->type < NTYPES ? &notes_table[nt->type] : NULL;
    char *base = (char *)n, yes[8];
    int r;

    if (!d || !d->name) {
        add_unknown(n, nt);
        return 0;
    }
    switch (d->kind) {
    case NOTE_NUM:
        r = decode_num(nt, d, (uint64_t *)(void *)(base + d->field), err);
        break;
    case NOTE_STR:
        r = decode_str(nt, d, base + d->field, d->size, err);
        break;
    case NOTE_FEATURES:
        r = decode_str(nt, d, base + d->field, d->size, err);
        if (r == 0)
            r = parse_features(n, n->features, err);
        break;
    case NOTE_YES: /* a string: "yes" turns the option on */
        r = decode_str(nt, d, yes, sizeof(yes), err);
        n->bsd_symtab = r == 0 && strcmp(yes, "yes") == 0;
        break;
    case NOTE_SUPPORTED:
        r = decode_supported(n, nt, err);
        break;
    default:
        r = decode_mfn_valid(n, nt, err);
        break;
    }
    if (r == 0)
        n->present |= UINT64_C(1) << nt->type;
    return r;
}

/* --- walking a note area ---------------------------------------------------- */

struct note_walk {
    const char *where; /* "phdr[2]" or "section[5]" */
    unsigned *total;   /* notes seen so far in all areas */
    unsigned index;    /* of the current note in this area */
    unsigned xen;      /* Xen notes decoded in this area */
};

static uint64_t align4(uint64_t v)
{
    return (v + 3) & ~UINT64_C(3);
}

/* Read the note at @off of the area [p, p+size); set *next. */
static int read_note(const uint8_t *p, uint64_t size, uint64_t off, struct note_walk *w,
                     struct note *nt, bool *is_xen, uint64_t *next, struct xb_err *err)
{
    uint64_t namesz, desc_off;

    if (size - off < 12)
        return xb_err_set(err, -EINVAL,
                          "%s: note %u header truncated (%" PRIu64
                          " bytes left, 12 needed)",
                          w->where, w->index, size - off);
    namesz = xb__le32(p + off);
    nt->descsz = xb__le32(p + off + 4);
    nt->type = xb__le32(p + off + 8);
    desc_off = off + 12 + align4(namesz); /* cannot overflow: all < 2^34 */
    if (desc_off > size)
        return xb_err_set(err, -EINVAL,
                          "%s: note %u: namesz 0x%" PRIx64 " beyond end of note area",
                          w->where, w->index, namesz);
    if (nt->descsz > size - desc_off)
        return xb_err_set(err, -EINVAL,
                          "%s: note %u: descsz 0x%x beyond end of note area", w->where,
                          w->index, nt->descsz);
    nt->desc = p + desc_off;
    *is_xen = namesz == 4 && memcmp(p + off + 12, "Xen", 4) == 0;
    *next = desc_off + align4(nt->descsz);
    return 0;
}

static int walk_notes(struct xb_notes *n, const uint8_t *p, uint64_t size,
                      struct note_walk *w, struct xb_err *err)
{
    uint64_t off = 0, next = 0;
    struct note nt = {0};
    bool is_xen = false;
    int r;

    while (off < size) {
        if (*w->total >= XB__MAX_NOTES)
            return xb_err_set(err, -EINVAL, "%s: more than %d ELF notes", w->where,
                              XB__MAX_NOTES);
        r = read_note(p, size, off, w, &nt, &is_xen, &next, err);
        if (r < 0)
            return r;
        (*w->total)++;
        w->index++;
        if (is_xen) {
            r = decode_note(n, &nt, err);
            if (r < 0)
                return r;
            w->xen++;
        }
        off = next;
    }
    return 0;
}

static int notes_from_phdrs(const struct xb__elf *e, struct xb_notes *n, unsigned *total,
                            unsigned *found, struct xb_err *err)
{
    struct xb__phdr ph;
    const uint8_t *p;
    char where[32];
    int r;

    for (unsigned i = 0; i < e->phnum; i++) {
        xb__elf_phdr(e, i, &ph);
        if (ph.type != PT_NOTE || ph.offset == 0) /* some binutils leave offset 0 */
            continue;
        snprintf(where, sizeof(where), "phdr[%u] (PT_NOTE)", i);
        struct note_walk w = {.where = where, .total = total};
        r = xb__elf_region(e, ph.offset, ph.filesz, where, &p, err);
        if (r == 0)
            r = walk_notes(n, p, ph.filesz, &w, err);
        if (r < 0)
            return r;
        *found += w.xen;
    }
    return 0;
}

static int notes_from_shdrs(const struct xb__elf *e, struct xb_notes *n, unsigned *total,
                            unsigned *found, struct xb_err *err)
{
    struct xb__shdr sh;
    const uint8_t *p;
    char where[32];
    int r;

    for (unsigned i = 1; i < e->shnum; i++) {
        xb__elf_shdr(e, i, &sh);
        if (sh.type != SHT_NOTE)
            continue;
        snprintf(where, sizeof(where), "section[%u] (SHT_NOTE)", i);
        struct note_walk w = {.where = where, .total = total};
        r = xb__elf_region(e, sh.offset, sh.size, where, &p, err);
        if (r == 0)
            r = walk_notes(n, p, sh.size, &w, err);
        if (r < 0)
            return r;
        *found += w.xen;
    }
    return 0;
}

/* --- the legacy __xen_guest string ------------------------------------------ */

struct legacy_key {
    const char *key;
    unsigned type; /* the note it stands for */
};

static const struct legacy_key legacy_keys[] = {
    {"LOADER", XEN_ELFNOTE_LOADER},
    {"GUEST_OS", XEN_ELFNOTE_GUEST_OS},
    {"GUEST_VER", XEN_ELFNOTE_GUEST_VERSION},
    {"XEN_VER", XEN_ELFNOTE_XEN_VERSION},
    {"PAE", XEN_ELFNOTE_PAE_MODE},
    {"FEATURES", XEN_ELFNOTE_FEATURES},
    {"BSD_SYMTAB", XEN_ELFNOTE_BSD_SYMTAB},
    {"VIRT_BASE", XEN_ELFNOTE_VIRT_BASE},
    {"VIRT_ENTRY", XEN_ELFNOTE_ENTRY},
    {"ELF_PADDR_OFFSET", XEN_ELFNOTE_PADDR_OFFSET},
    {"HYPERCALL_PAGE", XEN_ELFNOTE_HYPERCALL_PAGE},
};

static int legacy_number(const char *key, const char *val, uint64_t *out,
                         struct xb_err *err)
{
    char *end;

    errno = 0;
    *out = strtoull(val, &end, 0);
    if (val[0] == '\0' || val[0] == '-' || *end != '\0' || errno == ERANGE)
        return xb_err_set(err, -EINVAL, "__xen_guest: %s: expected a number, got \"%s\"",
                          key, val);
    return 0;
}

static int legacy_pair(struct xb_notes *n, const char *key, const char *val,
                       struct xb_err *err)
{
    const struct note_desc *d;
    uint64_t num;
    size_t i;

    for (i = 0; i < sizeof(legacy_keys) / sizeof(legacy_keys[0]); i++)
        if (strcmp(legacy_keys[i].key, key) == 0)
            break;
    if (i == sizeof(legacy_keys) / sizeof(legacy_keys[0]))
        return 0; /* unknown keys are ignored, as Xen does */
    d = &notes_table[legacy_keys[i].type];
    n->present |= UINT64_C(1) << legacy_keys[i].type;
    if (legacy_keys[i].type == XEN_ELFNOTE_BSD_SYMTAB) {
        n->bsd_symtab = 1;
        return 0;
    }
    if (d->kind == NOTE_NUM) {
        int r = legacy_number(key, val, &num, err);
        if (r == 0)
            *(uint64_t *)(void *)((char *)n + d->field) = num;
        return r;
    }
    if (strlen(val) >= d->size)
        return xb_err_set(err, -EINVAL,
                          "__xen_guest: %s: value of %zu bytes, at most %zu "
                          "allowed",
                          key, strlen(val), d->size - 1);
    strcpy((char *)n + d->field, val);
    return d->kind == NOTE_FEATURES ? parse_features(n, val, err) : 0;
}

/* The HYPERCALL_PAGE of the legacy string is a page number relative to VIRT_BASE. */
static int legacy_fixup(struct xb_notes *n, struct xb_err *err)
{
    uint64_t addr;

    if (n->hypercall_page == XB_UNSET_ADDR)
        return 0;
    if (n->hypercall_page > (UINT64_MAX >> 12) ||
        __builtin_add_overflow(n->hypercall_page << 12,
                               n->virt_base == XB_UNSET_ADDR ? 0 : n->virt_base, &addr))
        return xb_err_set(err, -EINVAL,
                          "__xen_guest: HYPERCALL_PAGE 0x%" PRIx64
                          " overflows the address space",
                          n->hypercall_page);
    n->hypercall_page = addr;
    return 0;
}

static int parse_legacy(struct xb_notes *n, const char *s, size_t len, struct xb_err *err)
{
    char *buf = strndup(s, len), *save = NULL;
    int r = 0;

    if (!buf)
        return xb_err_set(err, -ENOMEM, "out of memory for the __xen_guest string");
    for (char *tok = strtok_r(buf, ",", &save); tok && r == 0;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');

        if (eq)
            *eq = '\0';
        r = legacy_pair(n, tok, eq ? eq + 1 : "", err);
    }
    free(buf);
    return r == 0 ? legacy_fixup(n, err) : r;
}

static int notes_from_legacy(const struct xb__elf *e, struct xb_notes *n,
                             struct xb_err *err)
{
    struct xb__shdr sh;
    const uint8_t *p;
    const char *name;
    int r;

    for (unsigned i = 1; i < e->shnum; i++) {
        xb__elf_shdr(e, i, &sh);
        name = xb__elf_section_name(e, &sh);
        if (!name || strcmp(name, "__xen_guest") != 0 || sh.type == SHT_NOBITS)
            continue;
        r = xb__elf_region(e, sh.offset, sh.size, "section __xen_guest", &p, err);
        if (r < 0)
            return r;
        n->source = XB_NOTES_LEGACY;
        return parse_legacy(n, (const char *)p, strnlen((const char *)p, sh.size), err);
    }
    return 0;
}

static void notes_init(struct xb_notes *n)
{
    *n = (struct xb_notes){
        .source = XB_NOTES_NONE,
        .entry = XB_UNSET_ADDR,
        .hypercall_page = XB_UNSET_ADDR,
        .virt_base = XB_UNSET_ADDR,
        .paddr_offset = XB_UNSET_ADDR,
        .hv_start_low = XB_UNSET_ADDR,
        .l1_mfn_valid_mask = XB_UNSET_ADDR,
        .l1_mfn_valid_value = XB_UNSET_ADDR,
        .init_p2m = XB_UNSET_ADDR,
        .mod_start_pfn = XB_UNSET_ADDR,
        .phys32_entry = XB_UNSET_ADDR,
        .bsd_symtab = XB_UNSET_ADDR,
        .suspend_cancel = XB_UNSET_ADDR,
    };
}

int xb__notes_parse(const struct xb__elf *e, struct xb_notes *n, struct xb_err *err)
{
    unsigned total = 0, found = 0;
    int r;

    notes_init(n);
    r = notes_from_phdrs(e, n, &total, &found, err);
    if (r < 0 || found > 0) {
        n->source = found > 0 ? XB_NOTES_PT_NOTE : XB_NOTES_NONE;
        return r;
    }
    r = notes_from_shdrs(e, n, &total, &found, err);
    if (r < 0 || found > 0) {
        n->source = found > 0 ? XB_NOTES_SHT_NOTE : XB_NOTES_NONE;
        return r;
    }
    return notes_from_legacy(e, n, err);
}
