/* SPDX-License-Identifier: MIT */
/* tests/unit/slurp.h - read a whole file in a cmocka test (include after cmocka.h). */
#ifndef XB_TEST_SLURP_H
#define XB_TEST_SLURP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes of @path (malloc'd, caller frees); fails the test if unreadable. */
static inline uint8_t *slurp_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc(n ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
