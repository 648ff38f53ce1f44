/*
 * xbtest PVH entry (docs/misc/pvh.pandoc). The builder starts us at the
 * XEN_ELFNOTE_PHYS32_ENTRY address in 32-bit protected mode, paging off,
 * with %ebx = the physical address of struct hvm_start_info; the stack,
 * GDT and IDT are ours to set up. We save %ebx, CR0, CR4 and EFLAGS for
 * the entry_state check, load a flat GDT (cs 0x08, data 0x10), switch to
 * our stack and call xbt_pvh_main(), which never returns.
 *
 * Also here: the 32 exception stubs (pvh-hv.c's xbt_fault prints and
 * crashes, or resumes at xbt_rdmsr_fault for a #GP of xbt_rdmsr_safe), the
 * hypercall page Xen fills when told its address through the MSR, and the
 * stack.
 */
#include "notes.inc"

    xbt_note XEN_ELFNOTE_GUEST_OS, .asciz, "xbtest"
    xbt_note XEN_ELFNOTE_GUEST_VERSION, .asciz, "1"
    xbt_note XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0"
    xbt_note XEN_ELFNOTE_PHYS32_ENTRY, .long, _start

    .code32
    .section .text.entry, "ax"
    .globl _start
_start:
    movl %ebx, xbt_entry_ebx
    movl %cr0, %eax
    movl %eax, xbt_entry_cr0
    movl %cr4, %eax
    movl %eax, xbt_entry_cr4
    lgdt xbt_gdt_ptr
    ljmp $0x08, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %eax, %ss
    movl $xbt_stack_top, %esp
    pushfl
    popl xbt_entry_eflags
    cld
    call xbt_pvh_main
2:  hlt
    jmp 2b

/* int xbt_rdmsr_safe(uint32_t msr, uint64_t *val) */
    .globl xbt_rdmsr_safe, xbt_rdmsr_insn, xbt_rdmsr_fault
xbt_rdmsr_safe:
    movl 4(%esp), %ecx
xbt_rdmsr_insn:
    rdmsr
    movl 8(%esp), %ecx
    movl %eax, (%ecx)
    movl %edx, 4(%ecx)
    xorl %eax, %eax
    ret
xbt_rdmsr_fault:
    movl $-1, %eax
    ret

/* Exception stubs: error code (0 where the CPU pushes none), vector. */
.macro xbt_vec n
    .p2align 4
xbt_vec_\n:
    .if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
    pushl $0
    .endif
    pushl $\n
    jmp xbt_fault_common
.endm

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    xbt_vec \n
    .endr

xbt_fault_common:
    pushal
    pushl %esp
    call xbt_fault
    addl $4, %esp
    popal
    addl $8, %esp
    iret

    .p2align 12
    .globl hypercall_page
hypercall_page:
    .skip 4096

    .section .rodata
    .p2align 2
    .globl xbt_vectors
xbt_vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long xbt_vec_\n
    .endr

    .section .data
    .p2align 3
xbt_gdt:
    .quad 0
    .quad 0x00cf9b000000ffff        /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00cf93000000ffff        /* 0x10: data, base 0, 4 GiB */
xbt_gdt_end:
    .p2align 2
    .word 0
xbt_gdt_ptr:
    .word xbt_gdt_end - xbt_gdt - 1
    .long xbt_gdt

    .section .bss
    .p2align 2
    .globl xbt_entry_ebx, xbt_entry_cr0, xbt_entry_cr4, xbt_entry_eflags
xbt_entry_ebx:
    .skip 4
xbt_entry_cr0:
    .skip 4
xbt_entry_cr4:
    .skip 4
xbt_entry_eflags:
    .skip 4
    .p2align 12
xbt_stack:
    .skip 16384
xbt_stack_top:

    .section .note.GNU-stack, "", @progbits
