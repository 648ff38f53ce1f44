/* xbtest: the few libc-like helpers a freestanding guest needs. */
#include "xbtest.h"

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;

    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    while (n--)
        *dp++ = *sp++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *ap = a, *bp = b;

    for (; n; n--, ap++, bp++)
        if (*ap != *bp)
            return *ap < *bp ? -1 : 1;
    return 0;
}

size_t xbt_strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

/* Bitwise CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t xbt_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;

    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

int xbt_parse_u64(const char *s, uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned int d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned int)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned int)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned int)(*s - 'A' + 10);
        else
            return -1;
        if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
            return -1;
    }
    *out = v;
    return 0;
}

int xbt_cmdline_get(const char *cmdline, const char *key, char *out, size_t cap)
{
    size_t klen = xbt_strnlen(key, 64);
    const char *p = cmdline;

    while (*p) {
        const char *tok = p;
        size_t len = 0;

        while (tok[len] && tok[len] != ' ')
            len++;
        if (len > klen && tok[klen] == '=' && !memcmp(tok, key, klen)) {
            size_t vlen = len - klen - 1;

            if (vlen >= cap)
                return -1;
            memcpy(out, tok + klen + 1, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p = tok + len;
        while (*p == ' ')
            p++;
    }
    return -1;
}

/* ---- a minimal vsnprintf: %s %c %d %u %x with l/ll, and %% ---- */

struct xbt_out {
    char *dst;
    size_t cap, n;
};

static void out_char(struct xbt_out *o, char c)
{
    if (o->n + 1 < o->cap)
        o->dst[o->n] = c;
    o->n++;
}

static void out_str(struct xbt_out *o, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        out_char(o, *s++);
}

/* v /= base, returns the remainder; shift-subtract so that the 32-bit
 * build needs no libgcc helper for 64-bit division. */
static unsigned int divmod(uint64_t *v, unsigned int base)
{
    uint64_t q = 0, r = 0;

    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((*v >> bit) & 1u);
        if (r >= base) {
            r -= base;
            q |= 1ULL << bit;
        }
    }
    *v = q;
    return (unsigned int)r;
}

static void out_num(struct xbt_out *o, uint64_t v, unsigned int base, int neg)
{
    char tmp[24];
    int i = 0;

    do
        tmp[i++] = "0123456789abcdef"[divmod(&v, base)];
    while (v);
    if (neg)
        out_char(o, '-');
    while (i)
        out_char(o, tmp[--i]);
}

static int64_t arg_signed(va_list *ap, int lng)
{
    if (lng == 2)
        return va_arg(*ap, long long);
    if (lng == 1)
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

static uint64_t arg_unsigned(va_list *ap, int lng)
{
    if (lng == 2)
        return va_arg(*ap, unsigned long long);
    if (lng == 1)
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

static void out_conv(struct xbt_out *o, char c, int lng, va_list *ap)
{
    int64_t sv;

    switch (c) {
    case 's':
        out_str(o, va_arg(*ap, const char *));
        break;
    case 'c':
        out_char(o, (char)va_arg(*ap, int));
        break;
    case 'd':
        sv = arg_signed(ap, lng);
        out_num(o, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, 10, sv < 0);
        break;
    case 'u':
        out_num(o, arg_unsigned(ap, lng), 10, 0);
        break;
    case 'x':
        out_num(o, arg_unsigned(ap, lng), 16, 0);
        break;
    default:
        out_char(o, '%');
        out_char(o, c);
        break;
    }
}

int xbt_fmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
    struct xbt_out o = {.dst = dst, .cap = cap, .n = 0};
    va_list aq;

    va_copy(aq, ap);
    for (; *fmt; fmt++) {
        int lng = 0;

        if (*fmt != '%' || !fmt[1]) {
            out_char(&o, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '%') {
            out_char(&o, '%');
            continue;
        }
        while (*fmt == 'l' && lng < 2) {
            lng++;
            fmt++;
        }
        if (!*fmt)
            break;
        out_conv(&o, *fmt, lng, &aq);
    }
    va_end(aq);
    if (cap)
        dst[o.n < cap ? o.n : cap - 1] = '\0';
    return (int)o.n;
}
