/*
 * xbtest x86_64 entry. Xen starts us (ring 3, kernel mode) with %rsi =
 * start_info and %rsp at the top of the builder's bootstrap stack.
 * We remember that %rsp (main.c checks the layout with it), switch to our
 * own stack and call xbt_main(start_info), which never returns.
 */
#define XBT_WORD .quad
#define XBT_VIRT_BASE 0xffffffff80000000
#include "notes.inc"

    xbt_common_notes
    xbt_note XEN_ELFNOTE_FEATURES, .asciz, "!writable_page_tables"

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movq %rsp, xbt_entry_sp(%rip)
    movq $xbt_stack_top, %rsp
    movq %rsi, %rdi
    call xbt_main
1:  jmp 1b

    .p2align 12
    .globl hypercall_page
hypercall_page:
    .skip 4096

    .section .bss
    .p2align 3
    .globl xbt_entry_sp
xbt_entry_sp:
    .skip 8
    .p2align 12
xbt_stack:
    .skip 16384
xbt_stack_top:

    .section .note.GNU-stack, "", @progbits
