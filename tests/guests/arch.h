/*
 * Architecture facts for xbtest: hypercall calling convention, the
 * start_info magic, page-table geometry and Xen's reserved virtual area.
 * Included by xbtest.h after the Xen public headers.
 */
#ifndef XBTEST_ARCH_H
#define XBTEST_ARCH_H

#define XBT_PTE_PRESENT  0x001ULL
#define XBT_PTE_RW       0x002ULL
#define XBT_PTE_ACCESSED 0x020ULL
#define XBT_PTE_DIRTY    0x040ULL
#define XBT_PTE_PSE      0x080ULL
#define XBT_PTE_ADDR     0x000ffffffffff000ULL

#if defined(__x86_64__)

#define XBT_ARCH   "x86_64"
#define XBT_MAGIC  "xen-3.0-x86_64"
#define XBT_LEVELS 4
/* Xen owns L4 slots 256..271: [HOLE_START, HOLE_END). */
#define XBT_HOLE_START 0xffff800000000000ULL
#define XBT_HOLE_END   0xffff880000000000ULL

static inline long xbt_hcall(unsigned int nr, unsigned long a1, unsigned long a2,
                             unsigned long a3, unsigned long a4)
{
    register unsigned long r_di __asm__("rdi") = a1;
    register unsigned long r_si __asm__("rsi") = a2;
    register unsigned long r_dx __asm__("rdx") = a3;
    register unsigned long r_10 __asm__("r10") = a4;
    long ret;

    __asm__ volatile("call *%%rax"
                     : "=a"(ret), "+r"(r_di), "+r"(r_si), "+r"(r_dx), "+r"(r_10)
                     : "0"(hypercall_page + nr * 32)
                     : "memory", "rcx", "r8", "r11");
    return ret;
}

static inline uint64_t xbt_read_cr3_mfn(void)
{
    unsigned long cr3;

    /* Privileged: Xen emulates the read for PV guests. */
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    return (cr3 & XBT_PTE_ADDR) >> 12;
}

#elif defined(__i386__)

#define XBT_ARCH       "x86_32p"
#define XBT_MAGIC      "xen-3.0-x86_32p"
#define XBT_LEVELS     3
/* 32-on-64 (compat) guests: Xen owns everything from 0xF5800000 up. */
#define XBT_HOLE_START 0xf5800000ULL
#define XBT_HOLE_END   0x100000000ULL

static inline long xbt_hcall(unsigned int nr, unsigned long a1, unsigned long a2,
                             unsigned long a3, unsigned long a4)
{
    long ret;

    __asm__ volatile("call *%%eax"
                     : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4)
                     : "0"(hypercall_page + nr * 32)
                     : "memory", "edi");
    return ret;
}

static inline uint64_t xbt_read_cr3_mfn(void)
{
    unsigned long cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    /* compat CR3 packs the frame number with its top bits in the low 12 */
    return xen_cr3_to_pfn(cr3);
}

#else
#error "xbtest: x86_64 or i386 only"
#endif

static inline uint64_t xbt_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void xbt_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
