/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/guest/abi_hvm.h - Xen's HVM ABI for PVH guests, from Xen's
 * public headers: the PVH start info (arch-x86/hvm/start_info.h), HVM
 * parameters (hvm/params.h), the HVM context records that carry a vCPU's
 * state (hvm/save.h) and the memory-map constants (hvm/e820.h). The save
 * headers refuse strict ISO C (an #error guard on anonymous unions, which
 * C11 has), so __STRICT_ANSI__ is lifted around them as in abi_x86.h.
 * Also the constants of the HVM special pages, which only Xen's private
 * libxenguest headers define: where xl puts them is the ABI guests see.
 */
#ifndef XB_ABI_HVM_H
#define XB_ABI_HVM_H

#include <stdint.h>

#ifdef __STRICT_ANSI__
#define XB_ABI_HVM_WAS_STRICT 1
#undef __STRICT_ANSI__
#endif
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/e820.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>
/* xen.h's shorthands for start_info fields would rename ours */
#undef console_mfn
#undef console_evtchn
#ifdef XB_ABI_HVM_WAS_STRICT
#define __STRICT_ANSI__ 1
#undef XB_ABI_HVM_WAS_STRICT
#endif

/* The 8 special pages end at pfn 0xff000 (xl: xenstore is the 5th, console the 8th). */
#define XB_HVM_SPECIAL_END   0xff000ull
#define XB_HVM_NR_SPECIAL    8u
#define XB_HVM_SPECIAL_FIRST (XB_HVM_SPECIAL_END - XB_HVM_NR_SPECIAL)
#define XB_HVM_SPECIAL_STORE 4u
#define XB_HVM_SPECIAL_CONS  7u

#define XB_E820_RAM      1u
#define XB_E820_RESERVED 2u
#define XB_E820_ACPI     3u
#define XB_E820_NVS      4u

/* x86 state PVH's entry wants (docs/misc/pvh.pandoc). */
#define XB_CR0_PE             0x01ull
#define XB_CR0_ET             0x10ull
#define XB_CR0_PG             0x80000000ull
#define XB_EFLAGS_MBS         0x2ull /* bit 1 reads as one */
#define XB_EFLAGS_TF          0x100ull
#define XB_EFLAGS_IF          0x200ull
#define XB_EFLAGS_VM          0x20000ull
#define XB_AR_CODE32          0xc9bu /* G, D, P, S, type 11: read/execute, accessed */
#define XB_AR_DATA32          0xc93u /* G, D, P, S, type 3: read/write, accessed */
#define XB_AR_TSS32           0x08bu /* P, type 11: busy 32-bit TSS */
#define XB_TSS_LIMIT          0x67u
#define XB_MTRR_TYPE_WB       6u
#define XB_MTRR_DEF_ENABLE    (1u << 11)
#define XB_MTRR_DEF_TYPE_MASK 0xffu

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info size");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry size");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
               "hvm_memmap_table_entry size");
_Static_assert(sizeof(struct hvm_save_descriptor) == 8, "hvm_save_descriptor size");
_Static_assert(sizeof(struct hvm_hw_cpu) == HVM_SAVE_LENGTH(CPU), "hvm_hw_cpu size");
_Static_assert(sizeof(struct hvm_hw_mtrr) == HVM_SAVE_LENGTH(MTRR), "hvm_hw_mtrr size");

#endif
