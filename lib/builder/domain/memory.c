/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/domain/memory.c - a PVH domain's memory: its RAM, in gfn
 * space as the memory map has it, the ACPI tables' pages and the special
 * pages. (A PV domain's,
 * with its p2m, stays in create.c.) Xen keeps a translated guest's p2m, so
 * no frame numbers come back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../guest/abi_hvm.h"
#include "domain.h"

#define SUPERPAGE_ORDER 9
#define SUPERPAGE_PAGES (1ull << SUPERPAGE_ORDER)

/* gfns [first, end) in 2 MiB extents while aligned, then page by page. */
static int populate_gfns(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         uint64_t first, uint64_t end)
{
    uint64_t gfn = first, n, *gfns;
    int rc = 0;

    while (gfn % SUPERPAGE_PAGES == 0 && end - gfn >= SUPERPAGE_PAGES) {
        uint64_t frame = gfn;
        rc = hv->ops->populate_physmap(hv, NULL, domid, SUPERPAGE_ORDER, 1, &frame);
        if (rc == -ENOMEM)
            break; /* no 2 MiB extents left (a probe): the rest page by page */
        if (rc)
            return xb_err_set(err, rc, "populate_physmap: 2 MiB at gfn 0x%" PRIx64 ": %s",
                              gfn, strerror(-rc));
        gfn += SUPERPAGE_PAGES;
    }
    n = end - gfn;
    if (n == 0)
        return 0;
    if (!(gfns = malloc(n * sizeof(*gfns))))
        return xb_err_set(err, -ENOMEM, "memory: out of memory for %" PRIu64 " gfns", n);
    for (uint64_t i = 0; i < n; i++)
        gfns[i] = gfn + i;
    rc = hv->ops->populate_physmap(hv, err, domid, 0, n, gfns);
    free(gfns);
    return rc;
}

int xb__dom_populate_pvh(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         const struct xb_layout *lo)
{
    int rc = 0;

    for (unsigned i = 0; !rc && i < lo->nr_e820; i++)
        if (lo->e820[i].type == XB_E820_RAM || lo->e820[i].type == XB_E820_ACPI)
            rc = populate_gfns(hv, err, domid, lo->e820[i].addr >> XB_PAGE_SHIFT,
                               (lo->e820[i].addr + lo->e820[i].size) >> XB_PAGE_SHIFT);
    if (!rc)
        rc = populate_gfns(hv, err, domid, lo->special_gfn,
                           lo->special_gfn + lo->nr_special);
    return rc;
}
