/* check.h -- minimal assertions for the C test programs. */
#ifndef LICSCAN_CHECK_H
#define LICSCAN_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            check_passed++;                                                    \
        } else {                                                               \
            check_failed++;                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
    do {                                                                       \
        long long check_a = (long long)(a), check_b = (long long)(b);          \
        if (check_a == check_b) {                                              \
            check_passed++;                                                    \
        } else {                                                               \
            check_failed++;                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",          \
                    __FILE__, __LINE__, #a, #b, check_a, check_b);             \
        }                                                                      \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                     \
    do {                                                                       \
        const char *check_a = (a), *check_b = (b);                             \
        if (check_a && check_b && strcmp(check_a, check_b) == 0) {             \
            check_passed++;                                                    \
        } else {                                                               \
            check_failed++;                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",      \
                    __FILE__, __LINE__, #a, #b, check_a ? check_a : "(null)",  \
                    check_b ? check_b : "(null)");                             \
        }                                                                      \
    } while (0)

/* Prints the closing line test runners read, and gives the exit status. */
static inline int check_report(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed ? 1 : 0;
}
#endif
