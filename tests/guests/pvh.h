/*
 * xbtest PVH: a 32-bit guest that stays in flat protected mode with paging
 * off (docs/misc/pvh.pandoc, the boot ABI), so a guest-physical address
 * below 4 GiB is a pointer. What entry-pvh.S saved at entry, the HVM-side
 * hypercalls of pvh-hv.c and its fault handler.
 */
#ifndef XBTEST_PVH_H
#define XBTEST_PVH_H

#include "xbtest.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/hvm/start_info.h>

#if !defined(__i386__)
#error "xbtest-pvh is a 32-bit protected-mode guest"
#endif

#define XBT_4G 0x100000000ULL

/* Registers as the builder left them, saved by entry-pvh.S. */
extern uint32_t xbt_entry_ebx, xbt_entry_cr0, xbt_entry_cr4, xbt_entry_eflags;

#define XBT_CR0_PE            0x00000001u
#define XBT_CR0_ET            0x00000010u
#define XBT_EFLAGS_TF         0x00000100u
#define XBT_EFLAGS_IF         0x00000200u
#define XBT_EFLAGS_VM         0x00020000u
#define XBT_MSR_MTRR_DEF_TYPE 0x2ffu
#define XBT_MTRR_DEF_ENABLE   0x800u
#define XBT_MTRR_TYPE_WB      6u

/* One entry of XENMEM_memory_map: Xen's e820entry, packed. */
struct xbt_e820 {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct xbt_e820) == 20, "e820 entry");

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap entry");

/* Where Xen's CPUID leaves were found and the hypercall page MSR. */
struct xbt_hcinfo {
    uint32_t base, msr, pages;
};

/* pvh-hv.c */
void xbt_idt_init(void);
/* Find Xen's CPUID leaves and have Xen fill hypercall_page; 0 or -1. */
int xbt_hypercall_init(struct xbt_hcinfo *h);
long xbt_hvm_get_param(uint32_t index, uint64_t *value);
/* XENMEM_add_to_physmap: shared_info at the page-aligned page. */
long xbt_map_shared_info(void *page);
/* XENMEM_memory_map into buf (cap entries); count in *n. */
long xbt_memory_map(struct xbt_e820 *buf, unsigned int cap, unsigned int *n);
void xbt_cpuid(uint32_t leaf, uint32_t r[4]);
/* rdmsr that reports a #GP as -1 instead of faulting. */
int xbt_rdmsr_safe(uint32_t msr, uint64_t *val);

/* entry-pvh.S <-> pvh-hv.c: the frame the fault stubs push. */
struct xbt_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags;
};
void xbt_fault(struct xbt_frame *f);
extern const uint32_t xbt_vectors[32];
extern char xbt_rdmsr_insn[], xbt_rdmsr_fault[];

#endif
