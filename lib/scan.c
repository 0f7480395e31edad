/* scan.c -- the memory of one scan that every matching stage grows
 * (scan.h): a stage may call here, and this calls no stage. */
#include "scan.h"

int ls_pairs_reserve(scan *s, pairs *p, uint32_t need)
{
    uint32_t cap = p->cap;
    if (LS_GROW(s->a, p->i, cap, need))
        return s->rc = LICSCAN_ENOMEM;
    cap = p->cap;
    if (LS_GROW(s->a, p->t, cap, need))
        return s->rc = LICSCAN_ENOMEM;
    p->cap = cap;
    return LICSCAN_OK;
}
