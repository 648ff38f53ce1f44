/*
 * xbtest: the command-line expectations every guest reads (README.md,
 * "Command line") and the report protocol: "XBTEST BEGIN", one
 * "XBTEST CHECK <name> ok|FAIL <detail>" line per check, "XBTEST RESULT
 * pass=N fail=M", then poweroff if all passed and crash otherwise.
 */
#include "xbtest.h"

static unsigned int xbt_pass, xbt_fail;

void xbt_expect_parse(struct xbt_expect *w, const char *cmdline)
{
    char v[64];

    w->have_name = !xbt_cmdline_get(cmdline, "name", w->name, sizeof(w->name));
    w->have_mem =
        !xbt_cmdline_get(cmdline, "mem", v, sizeof(v)) && !xbt_parse_u64(v, &w->mem_mb);
    w->have_len =
        !xbt_cmdline_get(cmdline, "len", v, sizeof(v)) && !xbt_parse_u64(v, &w->len);
    w->have_rd = !xbt_cmdline_get(cmdline, "rd_len", v, sizeof(v)) &&
                 !xbt_parse_u64(v, &w->rd_len) &&
                 !xbt_cmdline_get(cmdline, "rd_crc", v, sizeof(v)) &&
                 !xbt_parse_u64(v, &w->rd_crc);
    w->have_acpi =
        !xbt_cmdline_get(cmdline, "acpi", v, sizeof(v)) && !xbt_parse_u64(v, &w->acpi);
}

int xbt_det(int ok, char *d, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xbt_fmt(d, cap, fmt, ap);
    va_end(ap);
    return ok;
}

void xbt_begin(const char *arch)
{
    xbt_printf("XBTEST BEGIN arch=%s\n", arch);
}

void xbt_report(const char *name, int ok, const char *detail)
{
    ok ? xbt_pass++ : xbt_fail++;
    xbt_printf("XBTEST CHECK %s %s %s\n", name, ok ? "ok" : "FAIL", detail);
}

void xbt_finish(void)
{
    xbt_printf("XBTEST RESULT pass=%u fail=%u\n", xbt_pass, xbt_fail);
    xbt_console_drained(10000);
    xbt_shutdown(xbt_fail ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}
