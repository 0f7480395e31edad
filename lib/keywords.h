/* keywords.h -- the keyword prefilter of the clause rules (keywords.c):
 * a rule is tried on a clause only when one of its `keywords` starts a
 * word there. keywords.c builds the index when rules are added; the rule
 * engine (engine.c) reads it for every word of every clause, so its
 * look-ups are inline here. */
#ifndef LICSCAN_KEYWORDS_H
#define LICSCAN_KEYWORDS_H

#include "internal.h"

#define MIN_KEYWORD 3 /* the prefilter keys on 3 or 4 bytes */

/* Prefilter index: the keywords grouped by their first three bytes. */
typedef struct ls_kw_entry {
    const char *kw; /* lowercase */
    uint32_t len;
    uint32_t rule;
    uint32_t start; /* kw_start of kw */
    /* its first bytes (up to 8) as kw_head reads text, and which bytes
     * of that word they are */
    uint64_t head, head_mask;
} ls_kw_entry;

#define KW_STARTS 32768 /* kw_start values */

struct ls_kw_index {
    ls_kw_entry *e; /* by start */
    uint32_t ne;
    uint32_t *always; /* rules without keywords: run on every clause */
    uint32_t nalways;
    uint32_t max_groups; /* capture groups of the largest match pattern */
    /* the first three bytes of some keyword, 5 bits of each (exact for
     * letters, whatever their case), a bit per triple: most words start
     * no keyword, and this tells at once */
    uint64_t starts[KW_STARTS / 64];
    /* the keywords of the k-th set bit of starts are e[group[k]] up to
     * e[group[k + 1]]; rank[w]: the bits set in starts before word w */
    uint32_t rank[KW_STARTS / 64];
    uint32_t *group;
    /* rule i's k-th unless pattern is in class unless_class[unless_first[i]
     * + k]: patterns of the same source share one (the use categories'
     * exceptions), so a clause asks it once for them all */
    uint32_t *unless_first, *unless_class;
    uint32_t nunless_classes;
};

static inline uint32_t kw_start(const char *s)
{
    return ((uint32_t)s[0] & 31) << 10 | ((uint32_t)s[1] & 31) << 5 |
           ((uint32_t)s[2] & 31);
}

/* Up to 8 bytes of p (room of them readable) as a word, ASCII letters
 * lowercased, bytes past room 0. */
static inline uint64_t kw_head(const char *p, uint32_t room)
{
    uint64_t x = 0;
    memcpy(&x, p, room < 8 ? room : 8);
    const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
    uint64_t low7 = x & ~high;
    /* high bit of a byte: at least 'A', above 'Z', and an ASCII byte */
    uint64_t upper = (low7 + (0x80 - 'A') * ones) &
                     ~(low7 + (0x80 - 'Z' - 1) * ones) & ~x & high;
    return x | upper >> 2;
}

/* Might a keyword start at p, with room bytes left in its clause? The
 * cheap test, done for every word. */
static inline bool ls_kw_may_start(const struct ls_kw_index *x, const char *p,
                                   uint32_t room)
{
    if (room < MIN_KEYWORD)
        return false;
    uint32_t start = kw_start(p);
    return x->starts[start >> 6] >> (start & 63) & 1;
}

/* (Re)build db->kw from db->rules, leaving out replaced rules; on
 * failure the old index stays. LICSCAN_OK or ENOMEM. */
LS_HIDDEN int ls_kw_index_build(licscan_db *db);
LS_HIDDEN void ls_kw_index_free(const ls_alloc *a, struct ls_kw_index *x);

#endif
