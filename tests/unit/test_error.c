/* SPDX-License-Identifier: MIT */
/* The first recorded error sticks; later ones never overwrite it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <xbuild/error.h>

static void first_error_sticks(void **state)
{
    struct xb_err err = {0};

    assert_int_equal(xb_err_set(&err, -ENOENT, "kernel: %s not found", "/x"), -ENOENT);
    assert_int_equal(xb_err_set(&err, -EINVAL, "rollback failed"), -EINVAL);
    assert_int_equal(err.code, -ENOENT);
    assert_string_equal(err.msg, "kernel: /x not found");
}

static void clear_and_null(void **state)
{
    struct xb_err err = {0};

    assert_int_equal(xb_err_set(NULL, -EIO, "dropped"), -EIO);
    xb_err_set(&err, -EIO, "io");
    xb_err_clear(&err);
    xb_err_clear(NULL);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
}

static void long_message_truncated_safely(void **state)
{
    struct xb_err err = {0};
    char big[2 * XB_ERRMSG_MAX];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    xb_err_set(&err, -E2BIG, "%s", big);
    assert_int_equal(strlen(err.msg), XB_ERRMSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_sticks),
        cmocka_unit_test(clear_and_null),
        cmocka_unit_test(long_message_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
