/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/abi_x86.h - Xen's x86 PV ABI structures for both guest widths
 * (start_info, shared_info, vcpu_guest_context), from Xen's public
 * xen/foreign headers. Those headers fall back to a non-compiling
 * placeholder for alignment under strict ISO C, so __STRICT_ANSI__ is lifted
 * around them; the layout checks below keep them honest.
 */
#ifndef XB_ABI_X86_H
#define XB_ABI_X86_H

#include <stdint.h>

#ifdef __STRICT_ANSI__
#define XB_ABI_WAS_STRICT 1
#undef __STRICT_ANSI__
#endif
/* x86 vcpu_info has the upcall mask (xen/arch-x86/xen.h says so). */
#ifndef XEN_HAVE_PV_UPCALL_MASK
#define XEN_HAVE_PV_UPCALL_MASK 1
#endif
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>
#ifdef XB_ABI_WAS_STRICT
#define __STRICT_ANSI__ 1
#undef XB_ABI_WAS_STRICT
#endif

_Static_assert(sizeof(struct start_info_x86_64) == 1168, "start_info x86_64 size");
_Static_assert(sizeof(struct start_info_x86_32) == 1112, "start_info x86_32 size");
_Static_assert(__builtin_offsetof(struct start_info_x86_64, cmd_line) == 128,
               "start_info x86_64 cmd_line");
_Static_assert(__builtin_offsetof(struct start_info_x86_32, cmd_line) == 80,
               "start_info x86_32 cmd_line");
_Static_assert(sizeof(struct vcpu_guest_context_x86_64) == 5168, "vcpu ctx x86_64 size");
_Static_assert(sizeof(struct vcpu_guest_context_x86_32) == 2800, "vcpu ctx x86_32 size");

#endif
