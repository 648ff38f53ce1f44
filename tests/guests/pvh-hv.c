/*
 * xbtest PVH: the HVM side of talking to Xen. The hypercall page is set up
 * as on HVM (Xen's CPUID leaves give the MSR that makes Xen write it), the
 * HVM params give the xenstore and console rings, shared_info is mapped
 * into our own page with XENMEM_add_to_physmap, and an IDT turns every
 * exception into a failed "fault" check, the result line and a crash
 * instead of a triple fault (which Xen would turn into a reboot).
 */
#include "pvh.h"

struct xbt_gate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
};

static struct xbt_gate xbt_idt[32] __attribute__((aligned(8)));
static int xbt_hcall_ready, xbt_in_fault;

void xbt_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "0"(leaf), "2"(0));
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
}

void xbt_idt_init(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) ptr = {sizeof(xbt_idt) - 1, (uint32_t)xbt_idt};

    for (unsigned int i = 0; i < 32; i++)
        xbt_idt[i] = (struct xbt_gate){
            .off_lo = (uint16_t)xbt_vectors[i],
            .sel = 0x08,
            .type = 0x8e, /* present, ring 0, 32-bit interrupt gate */
            .off_hi = (uint16_t)(xbt_vectors[i] >> 16),
        };
    __asm__ volatile("lidt %0" ::"m"(ptr));
}

void xbt_fault(struct xbt_frame *f)
{
    char d[160];

    if (f->vector == 13 && f->eip == (uint32_t)xbt_rdmsr_insn) {
        f->eip = (uint32_t)xbt_rdmsr_fault;
        return;
    }
    /* Without the hypercall page nothing can be said: stop here. */
    while (!xbt_hcall_ready || xbt_in_fault)
        __asm__ volatile("hlt");
    xbt_in_fault = 1;
    xbt_det(0, d, sizeof(d), "vector=%u error=0x%x eip=0x%x eax=0x%x ebx=0x%x ecx=0x%x",
            f->vector, f->error, f->eip, f->eax, f->ebx, f->ecx);
    xbt_report("fault", 0, d);
    xbt_finish();
}

/* Xen's leaves: "XenVMMXenVMM" at 0x40000000 + n * 0x100 (n < 256). */
static int find_leaves(uint32_t *base)
{
    uint32_t r[4];

    for (uint32_t b = 0x40000000u; b < 0x40010000u; b += 0x100u) {
        xbt_cpuid(b, r);
        if (r[1] == 0x566e6558u && r[2] == 0x65584d4du && r[3] == 0x4d4d566eu &&
            r[0] >= b + 2) {
            *base = b;
            return 0;
        }
    }
    return -1;
}

int xbt_hypercall_init(struct xbt_hcinfo *h)
{
    uint32_t r[4];

    if (find_leaves(&h->base))
        return -1;
    xbt_cpuid(h->base + 2, r);
    h->pages = r[0];
    h->msr = r[1];
    if (!h->pages)
        return -1;
    wrmsr(h->msr, (uint32_t)hypercall_page);
    xbt_hcall_ready = 1;
    return 0;
}

long xbt_hvm_get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = xbt_hcall(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p, 0, 0);

    *value = rc ? 0 : p.value;
    return rc;
}

long xbt_map_shared_info(void *page)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (xen_pfn_t)((uint32_t)page >> XBT_PAGE_SHIFT),
    };

    return xbt_hcall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp,
                     0, 0);
}

long xbt_memory_map(struct xbt_e820 *buf, unsigned int cap, unsigned int *n)
{
    struct xen_memory_map map = {.nr_entries = cap};
    long rc;

    set_xen_guest_handle(map.buffer, buf);
    rc = xbt_hcall(__HYPERVISOR_memory_op, XENMEM_memory_map, (unsigned long)&map, 0, 0);
    *n = rc ? 0 : map.nr_entries;
    return rc;
}
