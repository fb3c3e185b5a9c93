/* check.h — the one CHECK macro the core's unit tests share.
 *
 * A failed check prints where and why and the test goes on, so one run
 * lists every failure; check_summary() prints the counts and gives main()
 * its exit status.  Include it once per test program.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TESTS_CHECK_H
#define TCPPHASE_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                         \
            printf(__VA_ARGS__);                                                \
            printf("\n");                                                       \
        }                                                                       \
    } while (0)

/* Prints "N passed, M failed"; the exit status for main(). */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
