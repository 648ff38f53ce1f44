/* SPDX-License-Identifier: MIT */
/*
 * tests/lab/fault.c - dies of a page fault (a write through a null
 * pointer), as a process the kernel logs: lab-harness-fault checks that
 * the harness fails a scenario during which a process in dom0 died so,
 * even when the scenario itself exits 0. Run it without arguments.
 */
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    volatile int *nowhere = (volatile int *)(uintptr_t)(argc - 1); /* 0, run bare */

    fflush(stdout);
    *nowhere = 1;
    return 0;
}
