/* SPDX-License-Identifier: MIT */
/*
 * lib/config/vif.c - xl's network interface strings, xl-network-configuration(5):
 *
 *   'mac=00:16:3e:01:02:03, bridge=xenbr0, ip=10.0.0.2, rate=10Mb/s@20ms, ...'
 *
 * Comma-separated KEY=VALUE pairs; blanks around keys, values and '=' are
 * ignored; an empty string is a vif with every default. Unlike xl, which
 * prints "unrecognized argument" and goes on, an unknown key or a bad value
 * is an error: nothing is dropped silently.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "specctx.h"

#define RATE_DEFAULT_INTERVAL_US 50000u /* libxl's: 50 ms */

/* ---- rate: "RATE/s[@INTERVAL]" ---- */

/* Decimal digits, no leading zero, 1 to UINT32_MAX; *end after them. */
static int rate_number(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v) || v > UINT32_MAX)
            return -ERANGE;
    if (p == s || v == 0 || (s[0] == '0' && p - s > 1))
        return -EINVAL;
    *out = v;
    *end = p;
    return 0;
}

struct rate_suffix {
    const char *text;
    uint64_t mul, div;
};

static const struct rate_suffix rate_units[] = {
    {"GB/s", 1000000000, 1}, {"MB/s", 1000000, 1}, {"KB/s", 1000, 1}, {"B/s", 1, 1},
    {"Gb/s", 1000000000, 8}, {"Mb/s", 1000000, 8}, {"Kb/s", 1000, 8}, {"b/s", 1, 8},
};

/* xl reads a bare interval as seconds, and m / u alone as ms / us. */
static const struct rate_suffix interval_units[] = {
    {"", 1000000, 1}, {"s", 1000000, 1}, {"ms", 1000, 1},
    {"m", 1000, 1},   {"us", 1, 1},      {"u", 1, 1},
};

static const struct rate_suffix *suffix(const char *s, const struct rate_suffix *t,
                                        size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, t[i].text) == 0)
            return &t[i];
    return NULL;
}

static const char *rate_bytes(const char *s, uint64_t *bps, int *rc)
{
    const struct rate_suffix *u;
    const char *end;

    *rc = rate_number(s, bps, &end);
    if (*rc == -ERANGE)
        return "the rate is more than 4294967295 before its unit";
    if (s[0] == '0' && s[1] >= '0' && s[1] <= '9') {
        *rc = -EINVAL;
        return "a leading zero is ambiguous (xl reads the number as octal): remove it";
    }
    if (*rc < 0 ||
        !(u = suffix(end, rate_units, sizeof(rate_units) / sizeof(rate_units[0])))) {
        *rc = -EINVAL;
        return "expected RATE/s[@INTERVAL] with RATE a number (no leading zero, "
               "not 0) and a unit GB, MB, KB, B (bytes) or Gb, Mb, Kb, b (bits), "
               "e.g. 10Mb/s or 1MB/s@20ms";
    }
    *bps = *bps * u->mul / u->div;
    return NULL;
}

static const char *rate_interval(const char *s, uint32_t *us, int *rc)
{
    const struct rate_suffix *u;
    const char *end;
    uint64_t v;

    *rc = rate_number(s, &v, &end);
    if (*rc == -EINVAL && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
        return "a leading zero in the interval is ambiguous (xl reads the number as "
               "octal): remove it";
    if (*rc == 0 && !(u = suffix(end, interval_units,
                                 sizeof(interval_units) / sizeof(interval_units[0]))))
        *rc = -EINVAL;
    if (*rc == -EINVAL)
        return "expected an INTERVAL after '@': a number (no leading zero, not 0) "
               "with us, ms or s (no unit: seconds), e.g. @20ms";
    if (*rc == 0 && (v *= u->mul) > UINT32_MAX)
        *rc = -ERANGE;
    if (*rc == -ERANGE)
        return "the interval is more than 4294967295 us";
    *us = (uint32_t)v;
    return NULL;
}

const char *xb__vif_rate(const char *rate, uint64_t *bytes, uint32_t *us, int *rc)
{
    char buf[64];
    const char *at = strchr(rate, '@'), *why;
    uint64_t bps;
    size_t n = at ? (size_t)(at - rate) : strlen(rate);

    *us = RATE_DEFAULT_INTERVAL_US;
    if (n >= sizeof(buf)) {
        *rc = -EINVAL;
        return "the rate is too long";
    }
    memcpy(buf, rate, n);
    buf[n] = '\0';
    if ((why = rate_bytes(buf, &bps, rc)) ||
        (at && (why = rate_interval(at + 1, us, rc))))
        return why;
    if (__builtin_mul_overflow(bps, (uint64_t)*us, bytes)) {
        *rc = -ERANGE;
        return "rate times interval is too large";
    }
    *bytes /= 1000000;
    *rc = *bytes ? 0 : -EINVAL;
    return *bytes ? NULL
                  : "the credit per interval rounds down to 0 bytes: "
                    "raise the rate or the interval";
}

int xb_config_vif_rate(const char *rate, uint64_t *bytes_per_interval,
                       uint32_t *interval_us)
{
    uint64_t bytes;
    uint32_t us;
    int rc;

    if (!rate)
        return -EINVAL;
    if (xb__vif_rate(rate, &bytes, &us, &rc))
        return rc;
    *bytes_per_interval = bytes;
    *interval_us = us;
    return 0;
}

/* ---- one vif ---- */

struct vif_parse {
    struct xb__ctx *c;
    const struct xb__value *v; /* the list item */
    size_t index;              /* 0-based, in the list */
    struct xb_vif *vif;
    unsigned seen; /* bit per vif_keys[] row */
};

/* "vif N, FIELD: ..." (or "vif N: ..." when @field is NULL) at offset @off. */
__attribute__((format(printf, 5, 6))) static void vif_diag(struct vif_parse *p,
                                                           enum xb_severity sev,
                                                           size_t off, const char *field,
                                                           const char *fmt, ...)
{
    struct xb__pos at = xb__pos_in(p->v, off);
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    xb__diag(p->c->cfg, sev, &at, "vif %zu%s%s: %s", p->index + 1, field ? ", " : "",
             field ? field : "", msg);
}

#define vif_error(p, off, field, ...) vif_diag(p, XB_SEV_ERROR, off, field, __VA_ARGS__)
#define vif_warn(p, off, field, ...)  vif_diag(p, XB_SEV_WARNING, off, field, __VA_ARGS__)

static int hex(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++, s += 3) {
        if (hex(s[0]) < 0 || hex(s[1]) < 0 || s[2] != (i == 5 ? '\0' : ':'))
            return false;
        mac[i] = (uint8_t)(hex(s[0]) << 4 | hex(s[1]));
    }
    return true;
}

static bool set_mac(struct vif_parse *p, const char *val, size_t off)
{
    static const uint8_t zero[6];
    uint8_t m[6];
    char text[18];

    if (!parse_mac(val, m)) {
        vif_error(p, off, "mac",
                  "\"%s\" is not six hex pairs separated by ':', "
                  "e.g. 00:16:3e:12:34:56",
                  val);
        return false;
    }
    if (m[0] & 1) {
        vif_error(p, off, "mac",
                  "%s is a multicast address (the low bit of the first byte is "
                  "set); a locally administered unicast address has a first byte "
                  "like 02, 06, 0a or 0e",
                  val);
        return false;
    }
    if (memcmp(m, zero, 6) == 0) {
        vif_warn(p, off, "mac",
                 "00:00:00:00:00:00 means none: one is generated, "
                 "as xl does");
        return true;
    }
    snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
             m[4], m[5]);
    memcpy(p->vif->mac_bytes, m, 6);
    free(p->vif->mac);
    p->vif->mac = xb__dup(p->c, text);
    return true;
}

static bool set_type(struct vif_parse *p, const char *val, size_t off)
{
    if (strcmp(val, "vif") == 0)
        return true;
    if (strcmp(val, "ioemu") == 0)
        vif_error(p, off, "type",
                  "ioemu is an emulated NIC for HVM guests; PV and PVH "
                  "guests have vif only (leave type out)");
    else
        vif_error(p, off, "type", "\"%s\" is not vif (or ioemu, for HVM)", val);
    return false;
}

static bool set_rate(struct vif_parse *p, const char *val, size_t off)
{
    uint64_t bytes;
    uint32_t us;
    int rc;
    const char *why = xb__vif_rate(val, &bytes, &us, &rc);

    if (why) {
        vif_error(p, off, "rate", "\"%s\": %s", val, why);
        return false;
    }
    p->vif->rate_bytes_per_interval = bytes;
    p->vif->rate_interval_us = us;
    return true;
}

static bool set_number(struct vif_parse *p, const char *key, const char *val, size_t off,
                       uint64_t min, uint64_t max, unsigned *out)
{
    uint64_t n;

    if (val[0] < '0' || val[0] > '9' || xb__parse_u64(val, &n) < 0 || n < min ||
        n > max) {
        vif_error(p, off, key, "\"%s\" is not a number from %llu to %llu", val,
                  (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

static bool set_mtu(struct vif_parse *p, const char *val, size_t off)
{
    return set_number(p, "mtu", val, off, 68, 65535, &p->vif->mtu);
}

static bool set_devid(struct vif_parse *p, const char *val, size_t off)
{
    return set_number(p, "devid", val, off, 0, INT32_MAX, &p->vif->devid);
}

static bool netdev(struct vif_parse *p, const char *val, size_t off)
{
    vif_warn(p, off, "netdev", "the old name of gatewaydev; taken as gatewaydev");
    return true;
}

#define VIF(f) offsetof(struct xb_vif, f)
#define NONE   SIZE_MAX

/* Every key of a vif: the string field it fills, and a check or conversion. */
static const struct {
    const char *key;
    size_t field; /* char * of struct xb_vif, or NONE */
    bool (*check)(struct vif_parse *p, const char *val, size_t off);
} vif_keys[] = {
    {"mac", NONE, set_mac},
    {"bridge", VIF(bridge), NULL},
    {"ip", VIF(ip), NULL},
    {"script", VIF(script), NULL},
    {"vifname", VIF(vifname), NULL},
    {"type", VIF(type), set_type},
    {"model", VIF(model), NULL},
    {"rate", VIF(rate), set_rate},
    {"backend", VIF(backend), NULL},
    {"gatewaydev", VIF(gatewaydev), NULL},
    {"netdev", VIF(gatewaydev), netdev},
    {"mtu", NONE, set_mtu},
    {"devid", NONE, set_devid},
};
#define N_VIF_KEYS (sizeof(vif_keys) / sizeof(vif_keys[0]))
_Static_assert(N_VIF_KEYS <= 32, "struct vif_parse.seen has a bit per key");

/* Keys xl knows that xbuild refuses (COLO) or ignores as xl does (accel). */
static bool known_elsewhere(struct vif_parse *p, const char *key, size_t off)
{
    if (strcmp(key, "accel") == 0) {
        vif_warn(p, off, "accel", "not supported; ignored, as xl does");
        return true;
    }
    if (strcmp(key, "forwarddev") == 0 || strncmp(key, "colo_", 5) == 0) {
        vif_error(p, off, key, "COLO replication is not supported by xbuild");
        return true;
    }
    return false;
}

static void unknown(struct vif_parse *p, const char *key, size_t off)
{
    const char *names[N_VIF_KEYS], *hint;

    for (size_t i = 0; i < N_VIF_KEYS; i++)
        names[i] = vif_keys[i].key;
    hint = xb__suggest(key, names, N_VIF_KEYS);
    if (hint)
        vif_error(p, off, NULL, "unknown key \"%s\" (did you mean \"%s\"?)", key, hint);
    else
        vif_error(p, off, NULL,
                  "unknown key \"%s\" (mac, bridge, ip, script, vifname, type, model, "
                  "rate, backend, gatewaydev, mtu or devid)",
                  key);
}

static void apply_key(struct vif_parse *p, size_t i, const char *val, size_t off,
                      size_t key_off)
{
    char **field;

    if (p->seen & (1u << i))
        vif_warn(p, key_off, vif_keys[i].key, "given twice; the later value wins");
    p->seen |= 1u << i;
    if (!*val) {
        vif_error(p, off, vif_keys[i].key, "no value after '='");
        return;
    }
    if ((vif_keys[i].check && !vif_keys[i].check(p, val, off)) ||
        vif_keys[i].field == NONE)
        return;
    field = (char **)((char *)p->vif + vif_keys[i].field);
    free(*field);
    *field = xb__dup(p->c, val);
}

/* One "KEY=VALUE" of the string @copy, starting at @s (offsets for positions). */
static void pair(struct vif_parse *p, const char *copy, char *s)
{
    char *eq = strchr(s, '='), *val;
    size_t off = (size_t)(s - copy);

    if (!eq) {
        vif_error(p, off, NULL, "expected KEY=VALUE, got \"%s\"", s);
        return;
    }
    *eq = '\0';
    for (char *e = eq; e > s && (e[-1] == ' ' || e[-1] == '\t');)
        *--e = '\0';
    for (val = eq + 1; *val == ' ' || *val == '\t';)
        val++;
    for (size_t i = 0; i < N_VIF_KEYS; i++)
        if (strcmp(vif_keys[i].key, s) == 0) {
            apply_key(p, i, val, (size_t)(val - copy), off);
            return;
        }
    if (!known_elsewhere(p, s, off))
        unknown(p, s, off);
}

static void parse_vif(struct xb__ctx *c, const struct xb__value *v, size_t index)
{
    struct vif_parse p = {.c = c, .v = v, .index = index, .vif = &c->spec->vifs[index]};
    char *copy, *s, *comma;

    p.vif->pos = xb__spec_pos(c, &v->pos);
    p.vif->devid = (unsigned)index;
    if (!xb__want_string(c, v) || !(copy = xb__dup(c, v->text)))
        return;
    for (s = copy; s; s = comma ? comma + 1 : NULL) {
        comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        if (*s)
            pair(&p, copy, s);
    }
    free(copy);
}

/* Two vifs with the same devid or the same MAC address cannot coexist. */
static void check_clashes(struct xb__ctx *c, const struct xb__value *list)
{
    const struct xb_vif *v = c->spec->vifs;

    for (size_t i = 0; i < c->spec->n_vifs; i++)
        for (size_t j = 0; j < i; j++) {
            const struct xb__pos *at = &list->items[i]->pos;
            unsigned line = list->items[j]->pos.line;

            if (v[i].devid == v[j].devid) {
                xb__error(c->cfg, at, "vif %zu, devid: %u is also vif %zu's (line %u)",
                          i + 1, v[i].devid, j + 1, line);
                break;
            }
            if (v[i].mac && v[j].mac && strcmp(v[i].mac, v[j].mac) == 0) {
                xb__error(c->cfg, at, "vif %zu, mac: %s is also vif %zu's (line %u)",
                          i + 1, v[i].mac, j + 1, line);
                break;
            }
        }
}

void xb__apply_vifs(struct xb__ctx *c)
{
    const struct xb__value *list = c->e->value;
    struct xb_spec *s = c->spec;
    size_t errors = c->cfg->n_errors;

    s->vifs = calloc(list->n_items ? list->n_items : 1, sizeof(*s->vifs));
    if (!s->vifs) {
        c->cfg->nomem = true;
        return;
    }
    for (size_t i = 0; i < list->n_items; i++) {
        s->n_vifs++;
        parse_vif(c, list->items[i], i);
    }
    if (c->cfg->n_errors == errors)
        check_clashes(c, list);
}
