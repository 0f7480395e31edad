/* scan.h -- the state of one match scan, shared by the stages of
 * matching (match.c drives them, in the order of their files'
 * numbers). Not installed. */
#ifndef LICSCAN_SCAN_H
#define LICSCAN_SCAN_H

#include "internal.h"
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#define CHAIN_DOMINATED                                                        \
    0.8                     /* a chain this much weaker than an overlapping
                                one of another template is not aligned */
#define CHAIN_MIN_WORDS 12  /* a chain explaining fewer words is noise */
#define EDGE_TEMPLATE 64    /* template words aligned beyond a chain end */
#define EDGE_INPUT 96       /* input words searched beyond a chain end */
#define CHAIN_EDGE_SLACK 16 /* words alignment usually adds past a chain end */
#define PARAGRAPH_WORDS 64  /* words a var at either end may take */
#define GAP_DP_CELLS 1024   /* largest gap aligned word by word */
#define MISSING_WEIGHT 0.5  /* score lost per template word not found */
#define NEAR_COVERAGE 0.90  /* coverage of a near match */
#define PARTIAL_MIN_WORDS                                                      \
    20                         /* required words a candidate matches at least
                                (all, of a shorter template) */
#define PARTIAL_MIN_DISTINCT 8 /* words a partial match needs that few
                                  license texts share (match4_judge.c) */

typedef struct hit {
    uint32_t x, y; /* input word, template word */
} hit;
/* Hits (and chain values, scan.f) readable past a template's last one:
 * chaining reads them eight at a time. */
#define LS_HIT_PAD 8

typedef struct ls_shadow {
    uint32_t a, b; /* input words */
    uint32_t over; /* the template whose chain was stronger */
    double bound;  /* the most the dropped one could score */
} ls_shadow;

typedef struct pairs {
    uint32_t *i, *t;
    uint32_t n, cap;
} pairs;

/* A chain waiting to be aligned (bounds from its anchors: no pairs yet,
 * its words lie in [a0, b1]) or aligned and waiting to be judged. */
typedef struct pending {
    uint32_t chain;
    const uint32_t *i, *t; /* its n pairs, in a kept block */
    uint32_t n;
    uint32_t mreq;   /* required words matched */
    double bound;    /* its score is at most this */
    double cov_max;  /* its coverage is at most this */
    uint32_t a0, a1; /* its first word lies in [a0, a1] */
    uint32_t b0, b1; /* its last word in [b0, b1] */
} pending;

typedef struct chain {
    uint32_t tpl;
    float score;
    float span;              /* words covered on both sides: an upper bound */
    uint32_t x0, x1;         /* input words covered */
    uint32_t off, n;         /* anchors in scan.pool */
    const uint32_t *ki, *kt; /* its aligned pairs, kept; kn 0: none */
    uint32_t kn, kreq;       /* their number, required words matched */
    /* A template's twin (ls_template.twin) has the same chains: they are
     * copied, and their alignment and judging too, once done. */
    uint32_t id;     /* its number when found (index before sorting) */
    uint32_t orig;   /* id of the chain it copies, or its own */
    int32_t cand;    /* its candidate in scan.cand once judged, else -1 */
    int32_t reuse;   /* its candidate in scan.prior_cand, else -1 */
    uint8_t aligned; /* 0 not yet, 1 pairs kept (ki, kt, kn, ke), 2 none */
    double anchor_cov;   /* cov_max of its anchors' bound, once asked */
    double anchor_bound; /* the score bound of its anchors, then too */
    bool forced;       /* judged whatever its bound: a left-out chain that
                          may change a winner found after it (match2_bounds.c) */
    pending ke;      /* the bounds of its aligned pairs */
} chain;

/* Pairs of aligned chains, kept until judged, in blocks that never move:
 * keeping them copies them once, and pointers to them stay valid. */
typedef struct kept_block {
    struct kept_block *next;
    size_t used, cap; /* in uint32_t */
    uint32_t v[];
} kept_block;

/* A shingle look-up that found postings (common: in too many templates
 * to nominate one; 2: dropped at the limit of hits). */
typedef struct lookup {
    uint32_t x, head, common;
    uint32_t end; /* one past its last posting, when it is common and the
                     lists lie in ranges (db->common_of) */
} lookup;

/* One scan of a text. Its buffers are freed by scan_free (match.c). */
typedef struct scan {
    const licscan_db *db;
    const ls_alloc *a;
    const ls_text *text;
    const ls_token *tk;
    uint32_t n;
    licscan_result *res;
    int rc;
    /* candidates (match1): shingle look-ups that found postings, at most
     * one per input word */
    lookup *look;
    uint32_t nlook;
    uint64_t total;     /* hits to put */
    uint32_t *count;    /* per template: hits */
    uint32_t *start;    /* per template: first hit in `hits` */
    uint8_t *nominated; /* per template: common shingles count for it */
    uint32_t *all_hits; /* per template: postings of common shingles */
    uint32_t *hit_tpl;  /* templates with postings of either kind, in order */
    uint32_t nhit_tpl;
    hit *hits; /* grouped by template, in input order */
    /* the input's words by id, counted (ls_hopeless, complete_only):
     * open addressing, bag_mask + 1 slots, built on first use */
    struct bag_slot *bag;
    uint32_t bag_mask;
    uint32_t maxc;      /* most hits of one template */
    uint32_t *order;    /* templates to search, most hits first */
    uint32_t norder;
    bool hits_cut; /* the look-up stopped at the limit of hits */
    /* hits grouped for some templates alone (ls_group_hits_of): pairs of
     * template and its count before, to put back */
    uint32_t *some_counts;
    uint32_t nsome;
    /* chains (match2) */
    uint8_t *used; /* per hit of the template searched: in a chain */
    float *f;      /* ... the best chain score ending there */
    int32_t *prev; /* ... the hit before it in that chain */
    int32_t *dprev;      /* ... the hit before it on its diagonal, or -1 */
    ls_diagonals *diag;  /* per diagonal (x - y + diag_base): its last hit
                           (the scratch's, never cleared: link_diagonals) */
    uint32_t diag_base;
    chain *chains;
    uint32_t nchains, chains_cap;
    uint32_t chains_seen; /* ls_hopeless: chains [0, seen) scored ... */
    float chain_best;     /* ... the best of them */
    uint32_t *searched; /* per template: its chains [2t, 2t+1) when searched
                           in this scan (UINT32_MAX: not) */
    uint32_t *chain_at; /* chain id -> its index once sorted */
    pairs out, tmp, pool;
    struct kept_block *kept; /* newest first */
    pending *pend;           /* chains to align, best bound first */
    uint32_t pend_cap;
    pending *heap; /* aligned chains to judge: a heap, best bound on top */
    uint32_t heap_cap;
    pending *left; /* chains left out as unable to change the winners then */
    uint32_t nleft, left_cap;
    /* alignment (match3) */
    uint16_t *dp;
    int32_t *dpw;  /* the same, scored (gaps with vars) */
    uint32_t vcur; /* var cursor of the candidate being aligned */
    /* judging (match4) */
    pcre2_match_data *md;
    pcre2_match_context *mc;
    ls_buf subj;
    uint32_t glued_req; /* required words matched as part of a glued word */
    uint32_t max_diffs;
    bool record_diffs;
    /* a scan inside a partial winner's words (match.c): only complete
     * matches count, so nothing is dropped for lying inside a stronger
     * chain, and a chain that cannot be complete is not aligned */
    bool complete_only;
    /* a try of a text as one template whole (match.c): judging stops,
     * with `gave_up` set, once no candidate left can be an exact match of
     * every word (its score would be the number of words) */
    bool whole_try, gave_up;
    uint32_t rivals_left_out; /* by their shared words, in the tries */
    /* NULL, or per template: set when a candidate of it is judged
     * (ls_scan_judged) */
    uint8_t *judged;
    licscan_match *cand;
    uint32_t ncand, cand_cap;
    /* ranking (match5) */
    licscan_match *pre; /* judged candidates above a bound: winners first */
    uint32_t npre, npre_win, pre_cap;
    ls_shadow *shadow; /* where candidates were dropped (ls_add_shadow),
                          for match.c's second look */
    uint32_t nshadow, shadow_cap;
    licscan_match *win; /* the winners, then the references too */
    uint32_t nwin, win_cap;
    /* What a failed try found (match.c: a text taken for one template
     * whole), for the search of all templates to take instead of doing it
     * again: the chains of each template it searched (their anchors stay
     * in pool), with their alignments (in kept blocks) and candidates. */
    chain *prior;
    uint32_t nprior;
    uint32_t *prior_at; /* per template: its chains [2t, 2t+1) in prior,
                           UINT32_MAX when none */
    licscan_match *prior_cand;
} scan;

/* Whether template t's words may be read (ls_words_ready); when not, the
 * scan fails: its database file is damaged there. */
static inline bool ls_scan_words_ready(scan *s, uint32_t t)
{
    if (ls_words_ready(s->db, t))
        return true;
    s->rc = LICSCAN_EFORMAT;
    s->res->damaged = t;
    return false;
}

/* Input words [a, b] where a chain or template was dropped for lying
 * inside a stronger chain of template `over`, its score bounded by
 * `bound`: if `over` wins nothing there and no winner there reaches the
 * bound, match.c looks again (s->rc set when out of memory). */
static inline void ls_add_shadow(scan *s, uint32_t a, uint32_t b, uint32_t over,
                                 double bound)
{
    if (s->complete_only)
        return;
    ls_shadow *last = s->nshadow ? &s->shadow[s->nshadow - 1] : NULL;
    if (last && last->a == a && last->b == b && last->over == over) {
        if (bound > last->bound)
            last->bound = bound;
        return;
    }
    if (LS_GROW(s->a, s->shadow, s->shadow_cap, s->nshadow + 1)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    s->shadow[s->nshadow++] = (ls_shadow){ a, b, over, bound };
}

/* Room for `need` pairs (match.c). */
LS_HIDDEN int ls_pairs_reserve(scan *s, pairs *p, uint32_t need);

static inline int pairs_push(scan *s, pairs *p, uint32_t i, uint32_t t)
{
    if (p->n == p->cap && ls_pairs_reserve(s, p, p->n + 1))
        return s->rc;
    p->i[p->n] = i;
    p->t[p->n] = t;
    p->n++;
    return LICSCAN_OK;
}

/* The first k' >= k (k >= 1, at most n) whose pair does not follow the
 * one before it: in the input, and with `both` in the template too at a
 * template word below t_below. Four pairs at a time where SSE2 is. */
static inline uint32_t pairs_run_end(const uint32_t *pi, const uint32_t *pt,
                                     uint32_t n, uint32_t k, bool both,
                                     uint32_t t_below)
{
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    const __m128i one = _mm_set1_epi32(1);
    /* (template words are below 2^31: compared signed, the limit too) */
    const __m128i below =
        _mm_set1_epi32((int32_t)(t_below > INT32_MAX ? INT32_MAX : t_below));
    for (; k + 4 <= n; k += 4) {
        __m128i at = _mm_loadu_si128((const __m128i *)(const void *)(pi + k));
        __m128i before =
            _mm_loadu_si128((const __m128i *)(const void *)(pi + k - 1));
        __m128i follows = _mm_cmpeq_epi32(at, _mm_add_epi32(before, one));
        if (both) {
            __m128i tat =
                _mm_loadu_si128((const __m128i *)(const void *)(pt + k));
            __m128i tbefore =
                _mm_loadu_si128((const __m128i *)(const void *)(pt + k - 1));
            follows = _mm_and_si128(
                follows,
                _mm_and_si128(_mm_cmpeq_epi32(tat, _mm_add_epi32(tbefore, one)),
                              _mm_cmplt_epi32(tat, below)));
        }
        unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(follows));
        if (m != 0xF)
            return k + (uint32_t)__builtin_ctz(~m);
    }
#endif
    while (k < n && pi[k] == pi[k - 1] + 1 &&
           (!both || (pt[k] == pt[k - 1] + 1 && pt[k] < t_below)))
        k++;
    return k;
}

/* Required (not optional) words among tp's words [a, b]: eight flags at a
 * time, each byte counted when it is not zero. */
static inline uint32_t required_in(const ls_template *tp, uint32_t a,
                                   uint32_t b)
{
    if (tp->nrequired == tp->ntok)
        return b + 1 - a; /* no optional words */
    const uint8_t *o = tp->optional;
    uint32_t opt = 0, k = a;
    for (; k + 8 <= b + 1; k += 8) {
        uint64_t x;
        memcpy(&x, o + k, 8);
        /* high bit of each byte: set when the byte is not zero */
        x = ((((x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | x) >> 7) &
            0x0101010101010101ull;
        opt += (uint32_t)((x * 0x0101010101010101ull) >> 56);
    }
    for (; k <= b; k++)
        opt += o[k] != 0;
    return b + 1 - a - opt;
}

/* Vars of tp whose gap lies in [g0, g1]: index range [*v0, *v1). */
static inline void vars_in(const ls_template *tp, uint32_t g0, uint32_t g1,
                           uint32_t *v0, uint32_t *v1)
{
    uint32_t a = 0, hi = tp->nvars; /* first var with gap >= g0 */
    while (a < hi) {
        uint32_t mid = a + (hi - a) / 2;
        if (tp->vars[mid].gap < g0)
            a = mid + 1;
        else
            hi = mid;
    }
    uint32_t b = a;
    while (b < tp->nvars && tp->vars[b].gap <= g1)
        b++;
    *v0 = a;
    *v1 = b;
}

/* Words at the start of the anchor shingle at (ai, at) that are not past
 * the last pair (li, lt) on both sides: alignment skips them (the anchor
 * is then dropped when that is the whole shingle). */
static inline uint32_t anchor_overlap(uint32_t li, uint32_t lt, uint32_t ai,
                                      uint32_t at)
{
    uint32_t d = li >= ai ? li + 1 - ai : 0;
    if (lt >= at && lt + 1 - at > d)
        d = lt + 1 - at;
    return d;
}

#endif
