/*
 * xbtest x86_32 PAE entry. Xen starts us (ring 1) with %esi = start_info
 * and %esp at the top of the builder's bootstrap stack. Same flow as the
 * x86_64 entry; xbt_main(start_info) takes its argument on the stack.
 */
#define XBT_WORD .long
#define XBT_VIRT_BASE 0xc0000000
#include "notes.inc"

    xbt_common_notes
    xbt_note XEN_ELFNOTE_FEATURES, .asciz, "!writable_page_tables|pae_pgdir_above_4gb"
    xbt_note XEN_ELFNOTE_PAE_MODE, .asciz, "yes"

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movl %esp, xbt_entry_sp
    movl $xbt_stack_top, %esp
    pushl %esi
    call xbt_main
1:  jmp 1b

    .p2align 12
    .globl hypercall_page
hypercall_page:
    .skip 4096

    .section .bss
    .p2align 2
    .globl xbt_entry_sp
xbt_entry_sp:
    .skip 4
    .p2align 12
xbt_stack:
    .skip 16384
xbt_stack_top:

    .section .note.GNU-stack, "", @progbits
