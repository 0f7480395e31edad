/* jit_off.h -- for the C test programs: an allocator hook that changes
 * nothing but turns PCRE2's JIT off, and the base allocator of a test's
 * databases.
 *
 * PCRE2 10.42's JIT code reads past the end of a subject (it does so with
 * any buffer whose tail is uninitialised, outside licscan too), which
 * memcheck reports. Under valgrind every database gets the hook, so the
 * rules run in the interpreter and the report stays about licscan. */
#ifndef LICSCAN_JIT_OFF_H
#define LICSCAN_JIT_OFF_H
#include <stdlib.h>
#include <string.h>

#include "licscan.h"

static void *pass_malloc(size_t n, void *u)
{
    (void)u;
    return malloc(n);
}
static void *pass_realloc(void *p, size_t n, void *u)
{
    (void)u;
    return realloc(p, n);
}
static void pass_free(void *p, void *u)
{
    (void)u;
    free(p);
}

static const licscan_allocator pass = { pass_malloc, pass_realloc, pass_free,
                                        NULL };

static int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") != NULL;
}

static const licscan_allocator *base_allocator(void)
{
    return under_valgrind() ? &pass : NULL;
}
#endif
