/* prefilter_derive.h -- what a rule pattern cannot match without, read
 * from its source (prefilter_derive.c); prefilter.c turns it into trigram
 * checks. */
#ifndef LICSCAN_PREFILTER_DERIVE_H
#define LICSCAN_PREFILTER_DERIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_MAX_STRINGS 16 /* strings of a set */
#define PF_MAX_LEN 32     /* bytes of a string */
#define PF_MAX_GROUPS 3   /* groups of a requirement */
#define PF_MAX_DEPTH 12   /* nested groups; deeper: no requirement */
#define PF_MAX_CLASS 8    /* characters of a class read as alternatives */

/* A set of strings, lowercase ASCII. As what an item matches ("fixed"):
 * it matches exactly one of them. As a requirement group: the text holds
 * one of them. */
typedef struct pf_set {
    uint32_t n;
    uint8_t len[PF_MAX_STRINGS];
    char s[PF_MAX_STRINGS][PF_MAX_LEN];
} pf_set;

/* Groups that must all hold, best first; none: no requirement. */
typedef struct pf_need {
    uint32_t n;
    pf_set g[PF_MAX_GROUPS];
} pf_need;

struct ls_alloc;

/* Bytes of the character at p (3) when it lies beyond ASCII and has no
 * other case, so that its bytes are compared exactly; else 0. */
__attribute__((visibility("hidden"))) uint32_t ls_pf_caseless_len(
    const char *p, const char *end);

/* Derive the requirement of the pattern source pat[0, n) into *need;
 * *understood is false when the syntax is not understood, and then
 * nothing is required (the pattern always runs). LICSCAN_OK or
 * LICSCAN_ENOMEM. */
__attribute__((visibility("hidden"))) int ls_need_derive(
    const struct ls_alloc *a, const char *pat, size_t n, pf_need *need,
    bool *understood);

#endif
