/*
 * CPU-mode facts shared by every xbtest guest: the hypercall calling
 * convention through the hypercall page (64-bit: PV x86_64; 32-bit: PV
 * x86_32 PAE and PVH in protected mode, which use the same registers),
 * the TSC and a full barrier. Included by xbtest.h after the Xen headers.
 */
#ifndef XBTEST_ARCH_H
#define XBTEST_ARCH_H

#if defined(__x86_64__)

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

#elif defined(__i386__)

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
