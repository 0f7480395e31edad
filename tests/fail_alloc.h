/* fail_alloc.h -- for the C test programs: an allocator hook that counts
 * allocations and live blocks and refuses the fail_at-th one, to check
 * that every allocation failure leaves nothing behind. */
#ifndef LICSCAN_FAIL_ALLOC_H
#define LICSCAN_FAIL_ALLOC_H
#include <stdlib.h>

typedef struct counter {
    long calls;   /* allocations so far */
    long fail_at; /* fail this one (0: never) */
    long live;    /* blocks not yet freed */
    size_t bytes; /* asked for so far */
    int failed;   /* an allocation was refused */
} counter;

static void *t_malloc(size_t n, void *u)
{
    counter *c = u;
    if (++c->calls == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    void *p = malloc(n);
    if (p)
        c->live++;
    c->bytes += n;
    return p;
}

static void *t_realloc(void *p, size_t n, void *u)
{
    counter *c = u;
    if (++c->calls == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && !p)
        c->live++;
    c->bytes += n;
    return q;
}

static void t_free(void *p, void *u)
{
    counter *c = u;
    if (p) {
        c->live--;
        free(p);
    }
}

#endif
