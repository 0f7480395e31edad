/* match2_chains.c -- stage 2 of matching: chains.
 *
 * Per template, hits are chained in order on both sides with a cost for
 * diagonal drift (as in long-read aligners), so a chain is one occurrence
 * of the template; several occurrences give several chains. Which of them
 * are aligned and judged, and in what order, is match2_bounds.c. */
#include <string.h>
/* AVX2 is used when the CPU has it (checked at run time): the build
 * itself targets plain x86-64 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
#define LS_LINK_AVX2 1
#include <immintrin.h>
#endif

#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "match1_candidates.h"
#include "match2_chains.h"

#define CHAIN_LOOKBACK 24   /* hits examined behind each hit */
#define DIAG_LOOKBACK 32    /* hits examined for one on the same diagonal */
#define CHAIN_MAX_DIST 1500 /* words between chained hits, either side */
#define CHAINS_PER_TEMPLATE 8

/* The best link to hit j from hits [lo, j) (the general search, when its
 * diagonal gave none): *fj and *pj start at LS_SHINGLE and -1. */
static inline void link_back(const hit *h, const float *f, uint32_t lo,
                             uint32_t j, int64_t diag_cap, float *fj,
                             int32_t *pj)
{
    const int64_t xj = h[j].x, yj = h[j].y;
    for (uint32_t i = j; i-- > lo;) {
        if (f[i] + LS_SHINGLE <= *fj)
            continue; /* cannot improve on what we have (or used) */
        int64_t dx = xj - h[i].x;
        int64_t dy = yj - h[i].y;
        if (dx > CHAIN_MAX_DIST)
            break;
        if (dx <= 0 || dy <= 0 || dy > CHAIN_MAX_DIST)
            continue;
        int64_t gain = dx < dy ? dx : dy;
        if (gain > (dx == dy ? diag_cap : LS_SHINGLE))
            gain = dx == dy ? diag_cap : LS_SHINGLE;
        int64_t drift = dx > dy ? dx - dy : dy - dx;
        /* linear in the drift plus about half its log2 */
        float cost =
            drift ? 0.05f * (float)drift +
                        0.5f * (float)(64 - __builtin_clzll((uint64_t)drift))
                  : 0.0f;
        float v = f[i] + (float)gain - cost;
        if (v > *fj) {
            *fj = v;
            *pj = (int32_t)i;
        }
    }
}

#ifdef LS_LINK_AVX2
/* link_back eight hits at a time, with the same float operations in the
 * same order, so the same result: the largest value above *fj (at
 * LS_SHINGLE, *pj at -1), from the latest hit among equals. link_back
 * skips a hit whose value plus LS_SHINGLE cannot beat the best so far,
 * which changes nothing unless a link gains more than LS_SHINGLE (on one
 * diagonal, in a sampled template): then false, and link_back decides.
 * Reads up to 7 hits and values past j (LS_HIT_PAD). */
__attribute__((target("avx2"))) static bool link_back_avx2(
    const hit *h, const float *f, uint32_t lo, uint32_t j, int64_t diag_cap,
    float *fj, int32_t *pj)
{
    const __m256i xj = _mm256_set1_epi32((int32_t)h[j].x);
    const __m256i yj = _mm256_set1_epi32((int32_t)h[j].y);
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i far = _mm256_set1_epi32(CHAIN_MAX_DIST - 1);
    const __m256i end = _mm256_set1_epi32((int32_t)j);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 capd = _mm256_set1_ps((float)diag_cap);
    const __m256 cap = _mm256_set1_ps((float)LS_SHINGLE);
    const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
    /* eight hits deinterleave as x0 x1 x4 x5 x2 x3 x6 x7: the values and
     * indices are taken in that order too */
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    __m256 best = ninf;
    __m256i besti = _mm256_setzero_si256();
    int over = 0; /* lanes gaining more than LS_SHINGLE */
    for (uint32_t b = lo; b < j; b += 8) {
        __m256 p0 = _mm256_loadu_ps((const float *)(const void *)(h + b));
        __m256 p1 = _mm256_loadu_ps((const float *)(const void *)(h + b + 4));
        __m256i xi = _mm256_castps_si256(_mm256_shuffle_ps(p0, p1, 0x88));
        __m256i yi = _mm256_castps_si256(_mm256_shuffle_ps(p0, p1, 0xdd));
        __m256i idx = _mm256_add_epi32(_mm256_set1_epi32((int32_t)b), order);
        __m256 fi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(f + b), order);
        __m256i dx = _mm256_sub_epi32(xj, xi), dy = _mm256_sub_epi32(yj, yi);
        /* dx and dy in [1, CHAIN_MAX_DIST] (unsigned, less one), i < j,
         * an unused hit */
        __m256i dx1 = _mm256_sub_epi32(dx, one),
                dy1 = _mm256_sub_epi32(dy, one);
        __m256i ok = _mm256_and_si256(
            _mm256_and_si256(
                _mm256_cmpeq_epi32(_mm256_min_epu32(dx1, far), dx1),
                _mm256_cmpeq_epi32(_mm256_min_epu32(dy1, far), dy1)),
            _mm256_cmpgt_epi32(end, idx));
        __m256 valid = _mm256_and_ps(_mm256_castsi256_ps(ok),
                                     _mm256_cmp_ps(fi, zero, _CMP_GE_OQ));
        /* as link_back, in floats: the words are exact in them */
        __m256 same = _mm256_castsi256_ps(_mm256_cmpeq_epi32(dx, dy));
        __m256 gain =
            _mm256_min_ps(_mm256_cvtepi32_ps(_mm256_min_epi32(dx, dy)),
                          _mm256_blendv_ps(cap, capd, same));
        over |= _mm256_movemask_ps(
            _mm256_and_ps(valid, _mm256_cmp_ps(gain, cap, _CMP_GT_OQ)));
        __m256 drift =
            _mm256_cvtepi32_ps(_mm256_abs_epi32(_mm256_sub_epi32(dx, dy)));
        /* bits of the drift: its float exponent less 126 */
        __m256i bits =
            _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(drift), 23),
                             _mm256_set1_epi32(126));
        __m256 cost = _mm256_add_ps(
            _mm256_mul_ps(_mm256_set1_ps(0.05f), drift),
            _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_cvtepi32_ps(bits)));
        cost = _mm256_and_ps(cost, _mm256_cmp_ps(drift, zero, _CMP_NEQ_OQ));
        __m256 v = _mm256_sub_ps(_mm256_add_ps(fi, gain), cost);
        v = _mm256_blendv_ps(ninf, v, valid);
        /* later hits win ties */
        __m256 take = _mm256_cmp_ps(v, best, _CMP_GE_OQ);
        best = _mm256_blendv_ps(best, v, take);
        besti = _mm256_castps_si256(_mm256_blendv_ps(
            _mm256_castsi256_ps(besti), _mm256_castsi256_ps(idx), take));
    }
    if (over)
        return false;
    /* the best value in all lanes, then the latest hit that has it */
    __m256 m = _mm256_max_ps(best, _mm256_permute2f128_ps(best, best, 1));
    m = _mm256_max_ps(m, _mm256_shuffle_ps(m, m, 0x4e));
    m = _mm256_max_ps(m, _mm256_shuffle_ps(m, m, 0xb1));
    float top = _mm256_cvtss_f32(m);
    if (!(top > *fj))
        return true;
    __m256i at = _mm256_castps_si256(_mm256_blendv_ps(
        _mm256_castsi256_ps(_mm256_set1_epi32(-1)), _mm256_castsi256_ps(besti),
        _mm256_cmp_ps(best, m, _CMP_EQ_OQ)));
    at = _mm256_max_epi32(at, _mm256_permute2x128_si256(at, at, 1));
    at = _mm256_max_epi32(at, _mm256_shuffle_epi32(at, 0x4e));
    at = _mm256_max_epi32(at, _mm256_shuffle_epi32(at, 0xb1));
    *fj = top;
    *pj = _mm256_cvtsi256_si32(at);
    return true;
}
#endif

/* link_back by the widest path the CPU has (`wide`); false when none
 * took it. */
static inline bool link_back_wide(bool wide, const hit *h, const float *f,
                                  uint32_t lo, uint32_t j, int64_t diag_cap,
                                  float *fj, int32_t *pj)
{
#ifdef LS_LINK_AVX2
    if (wide)
        return link_back_avx2(h, f, lo, j, diag_cap, fj, pj);
#endif
    (void)wide, (void)h, (void)f, (void)lo, (void)j, (void)diag_cap;
    (void)fj, (void)pj;
    return false;
}

/* The chain search over one template's hits: the best value of a chain
 * ending at each hit (f), the hit before it (prev), and the best so far. */
typedef struct chain_walk {
    const hit *h;
    const uint8_t *used;
    float *f;
    int32_t *prev;
    const int32_t *dprev;
    uint32_t n;
    int64_t diag_cap;
    uint32_t diag_lookback;
    bool wide;
    /* with `track`: hits in a row that came out as in the last call */
    uint32_t same;
} chain_walk;

/* The first of hits [0, n) whose chain ends best, or -1 when none ends
 * above 0 (all used: -1); *best its value. A pass over the values once
 * they are all known, four at a time where the CPU can: a chain search
 * after the first keeps most values and only asks which is best. */
static int32_t best_hit(const float *f, uint32_t n, double *best)
{
    float top = 0;
    uint32_t j = 0;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    __m128 m = _mm_setzero_ps();
    for (; j + 4 <= n; j += 4)
        m = _mm_max_ps(m, _mm_loadu_ps(f + j));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, 0x4e));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, 0xb1));
    top = _mm_cvtss_f32(m);
#endif
    for (; j < n; j++)
        top = f[j] > top ? f[j] : top;
    *best = top;
    if (!(top > 0))
        return -1;
    j = 0;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    /* the first hit that holds it, four at a time */
    const __m128 want = _mm_set1_ps(top);
    for (; j + 4 <= n; j += 4) {
        int at = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(f + j), want));
        if (at)
            return (int32_t)(j + (uint32_t)__builtin_ctz((unsigned)at));
    }
#endif
    for (; f[j] != top; j++)
        ;
    return (int32_t)j;
}

/* Work out hit j, and the hits after it on its diagonal that each take
 * the one before; returns the last of them. With `track`, counts in
 * w->same the hits whose values come out as the last call left them. */
static inline __attribute__((always_inline)) uint32_t walk_hit(chain_walk *w,
                                                               uint32_t j,
                                                               bool track)
{
    const hit *h = w->h;
    float *f = w->f;
    int32_t *prev = w->prev;
    const int32_t *dprev = w->dprev;
    const int64_t diag_cap = w->diag_cap;
    if (w->used[j]) {
        f[j] = -1;
        if (track)
            w->same++; /* used in the last call too */
        return j;
    }
    const float old_f = f[j];
    const int32_t old_prev = prev[j];
    const int64_t xj = h[j].x;
    float fj = LS_SHINGLE;
    int32_t pj = -1;
    uint32_t lo = j > CHAIN_LOOKBACK ? j - CHAIN_LOOKBACK : 0;
    /* the nearest hit on the same diagonal, overlapping or adjacent,
     * continues the chain at no cost: take it and look no further (a
     * phrase the template repeats gives many hits at each place in
     * between) */
    /* (walked along the diagonal's hits: the others cannot be it, and
     * hits are in input order, so the limits are as scanning all hits
     * back from j would meet them) */
    for (int32_t i = dprev[j]; i >= 0 && j - (uint32_t)i <= w->diag_lookback;
         i = dprev[i]) {
        int64_t dx = xj - h[i].x;
        if (dx > 2 * diag_cap)
            break;
        if (dx > 0 && f[i] >= 0) {
            fj = f[i] + (float)(dx < diag_cap ? dx : diag_cap);
            pj = (int32_t)i;
            lo = j; /* skip the general search */
            break;
        }
    }
    if (lo < j && !link_back_wide(w->wide, h, f, lo, j, diag_cap, &fj, &pj))
        link_back(h, f, lo, j, diag_cap, &fj, &pj);
    f[j] = fj;
    prev[j] = pj;
    if (track)
        w->same = fj == old_f && pj == old_prev ? w->same + 1 : 0;
    /* the hits that follow on the diagonal, each the next hit: each takes
     * the one before, first on its walk above (most hits of a copy of the
     * template) */
    while (j + 1 < w->n && dprev[j + 1] == (int32_t)j && !w->used[j + 1]) {
        int64_t dx = (int64_t)h[j + 1].x - h[j].x;
        if (dx <= 0 || dx > 2 * diag_cap)
            break;
        j++;
        fj += (float)(dx < diag_cap ? dx : diag_cap);
        if (track)
            w->same = fj == f[j] && prev[j] == (int32_t)j - 1 ? w->same + 1 : 0;
        f[j] = fj;
        prev[j] = (int32_t)j - 1;
    }
    return j;
}

/* Best chain among hits h[0..n) not yet used; its hits (in order) go to
 * the pool past its end (s->pool.n), *len of them. Returns the chain's
 * score (about the words it explains).
 * f and prev of hits before `from` are those of the last call: no hit
 * before `from` has been used since, and a hit's values depend only on
 * earlier hits. From hit `same_from` on (n in a first call) no hit has
 * been used since either, so once as many hits in a row as a hit's
 * values are worked out from come out as in the last call, every hit
 * after them would too: their values are kept. */
static double best_chain(scan *s, const ls_template *tp, const hit *h,
                         uint32_t n, const uint8_t *used, float *f,
                         int32_t *prev, const int32_t *dprev, uint32_t from,
                         uint32_t same_from, uint32_t *len)
{
    chain_walk w = {
        .h = h,
        .used = used,
        .f = f,
        .prev = prev,
        .dprev = dprev,
        .n = n,
        /* words a link on one diagonal stands for: the shingle, or for a
         * sampled template the usual stretch between sampled shingles */
        .diag_cap = tp->ntok >= LS_SHINGLE_DENSE_WORDS
                        ? LS_SHINGLE * (LS_SHINGLE_SAMPLE_MASK + 1)
                        : LS_SHINGLE,
        /* hits examined for one on the same diagonal: past the lookback
         * in a sampled template, whose hits lie further apart */
        .diag_lookback = tp->ntok >= LS_SHINGLE_DENSE_WORDS ? DIAG_LOOKBACK : 8,
#ifdef LS_LINK_AVX2
        .wide = !s->db->narrow_links && __builtin_cpu_supports("avx2"),
#endif
    };
    const uint32_t window =
        w.diag_lookback > CHAIN_LOOKBACK ? w.diag_lookback : CHAIN_LOOKBACK;
    uint32_t j = from;
    for (; j < n && j < same_from; j++)
        j = walk_hit(&w, j, false);
    for (; j < n && w.same < window; j++)
        j = walk_hit(&w, j, true);
    /* (the hits after those are as the last call left them) */
    double best;
    int32_t best_j = best_hit(f, n, &best);
    /* the chain's hits, counted along the links, then put in order from
     * the last (each step waits for the last). A chain's hits lie on
     * distinct input words (every link moves forward on both sides). */
    uint32_t k = 0;
    for (int32_t at = best_j; at >= 0; at = prev[at])
        k++;
    *len = k;
    pairs *pool = &s->pool;
    if (ls_pairs_reserve(s, pool, pool->n + k))
        return 0;
    uint32_t *ci = pool->i + pool->n, *ct = pool->t + pool->n;
    for (int32_t at = best_j; at >= 0; at = prev[at]) {
        k--;
        ci[k] = h[at].x;
        ct[k] = h[at].y;
    }
    return best;
}

/* dprev[j]: the last hit before h[j] on its diagonal, or -1. The table of
 * last hits per diagonal is not cleared between templates: an entry is
 * taken only when it names an earlier hit of these on that diagonal, and
 * when there is one the latest has overwritten the entry. */
static void link_diagonals(scan *s, const hit *h, uint32_t n, int32_t *dprev)
{
    uint32_t *last = s->diag->last, base = s->diag_base;
    for (uint32_t j = 0; j < n;) {
        uint32_t diag = h[j].x - h[j].y, i = last[diag + base];
        dprev[j] = i < j && h[i].x - h[i].y == diag ? (int32_t)i : -1;
        /* the hits right after it on its diagonal (most of a copy's):
         * each the one before's, the table written once for them all */
        for (j++; j < n && h[j].x - h[j].y == diag; j++)
            dprev[j] = (int32_t)j - 1;
        last[diag + base] = j - 1;
    }
}

/* Find the chains (occurrences) of one template and keep them. */
static void search_template(scan *s, const ls_template *tp, const hit *h,
                            uint32_t n, uint8_t *used, float *f, int32_t *prev)
{
    memset(used, 0, n);
    link_diagonals(s, h, n, s->dprev);
    uint32_t left = n;
    double need = CHAIN_MIN_WORDS;
    if (need > 0.5 * tp->nrequired)
        need = 0.5 * tp->nrequired; /* a short template */
    if (need < 0.05 * tp->nrequired)
        need = 0.05 * tp->nrequired;
    uint32_t from = 0; /* first hit whose f and prev must be worked out */
    uint32_t same_from = n; /* first hit after the last one used since */
    for (int round = 0; round < CHAINS_PER_TEMPLATE && left >= 3 && !s->rc;
         round++) {
        /* (narrow links, for the tests: every hit worked out anew) */
        uint32_t len = 0;
        double score =
            s->db->narrow_links
                ? best_chain(s, tp, h, n, used, f, prev, s->dprev, 0, n, &len)
                : best_chain(s, tp, h, n, used, f, prev, s->dprev, from,
                             same_from, &len);
        if (s->rc || score < need)
            return;
        if (LS_GROW(s->a, s->chains, s->chains_cap, s->nchains + 1)) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
        chain *c = &s->chains[s->nchains++];
        c->id = c->orig = s->nchains - 1;
        c->cand = c->reuse = -1;
        c->aligned = 0;
        c->tpl = tp->index;
        c->score = (float)score;
        /* (its anchors are in the pool already, past its end) */
        const uint32_t *ci = s->pool.i + s->pool.n, *ct = s->pool.t + s->pool.n;
        c->x0 = ci[0];
        c->x1 = ci[len - 1] + LS_SHINGLE;
        uint32_t y0 = ct[0];
        uint32_t y1 = ct[len - 1] + LS_SHINGLE;
        /* plus what alignment may add beyond the ends */
        c->span = (float)((c->x1 - c->x0 < y1 - y0 ? c->x1 - c->x0 : y1 - y0) +
                          2 * CHAIN_EDGE_SLACK);
        if (c->span > tp->ntok)
            c->span = (float)tp->ntok;
        c->off = s->pool.n;
        c->n = len;
        c->kn = 0;
        s->pool.n += len;
        /* later rounds look for other occurrences elsewhere */
        from = n;
        /* hits are in input order: those in [x0, x1) are one run */
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (h[mid].x < c->x0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (uint32_t j = lo; j < n && h[j].x < c->x1; j++)
            if (!used[j]) {
                used[j] = 1;
                left--;
                if (from == n)
                    from = j;
                same_from = j + 1;
            }
    }
}

/* Copies of chains (*from)[lo, hi) appended, each with its own id; the
 * first of them, or NULL when there are none or memory ran out. (*from
 * may be s->chains, which growing moves.) */
static chain *append_chains(scan *s, chain *const *from, uint32_t lo,
                            uint32_t hi)
{
    uint32_t n = hi - lo;
    if (!n)
        return NULL;
    if (LS_GROW(s->a, s->chains, s->chains_cap, s->nchains + n)) {
        s->rc = LICSCAN_ENOMEM;
        return NULL;
    }
    chain *first = &s->chains[s->nchains];
    memcpy(first, *from + lo, n * sizeof(chain));
    for (uint32_t k = 0; k < n; k++)
        first[k].id = s->nchains++;
    return first;
}

/* The chains of tp's twin, when it was searched in this scan: a search of
 * tp would find them (the same hits, the same words), for tp. */
static bool copy_twin(scan *s, const ls_template *tp)
{
    uint32_t u = tp->twin;
    if (u == LS_NO_TWIN || s->searched[2 * u] == UINT32_MAX ||
        s->count[u] != s->count[tp->index] ||
        (s->res->input_flags & LICSCAN_INPUT_SEARCH_LIMIT))
        return false;
    uint32_t lo = s->searched[2 * u], hi = s->searched[2 * u + 1];
    /* (the same anchors in the pool; orig says which chain each copies) */
    chain *x = append_chains(s, &s->chains, lo, hi);
    for (uint32_t k = 0; x && k < hi - lo; k++)
        x[k].tpl = tp->index;
    return true;
}

/* The chains a failed try found for tp (scan.prior), when it searched
 * tp: a search would find them again (the same hits), and they come with
 * their alignments and candidates. */
static bool copy_prior(scan *s, const ls_template *tp)
{
    if (!s->prior_at || s->prior_at[2 * tp->index] == UINT32_MAX)
        return false;
    uint32_t lo = s->prior_at[2 * tp->index];
    uint32_t hi = s->prior_at[2 * tp->index + 1];
    chain *x = append_chains(s, &s->prior, lo, hi);
    for (uint32_t k = 0; x && k < hi - lo; k++) {
        x[k].orig = x[k].id;
        x[k].reuse = x[k].cand;
        x[k].cand = -1;
    }
    return true;
}

/* Chains, most promising templates first; a template whose hits cannot
 * add up to a chain near a stronger one over the same words is skipped. */
void ls_find_chains(scan *s)
{
    const licscan_db *db = s->db;
    const uint32_t *order = s->order;
    uint32_t norder = s->norder;
    /* an alignment and the pairs of one LCS each hold at most one pair
     * per input word, as a chain does: room for them once, not growth on
     * every push (the pool of chains only starts there) */
    if (norder && (ls_pairs_reserve(s, &s->tmp, s->n) ||
                   ls_pairs_reserve(s, &s->out, s->n) ||
                   ls_pairs_reserve(s, &s->pool, s->n)))
        return;
    /* diagonals x - y + diag_base lie in [1, n + diag_base) */
    uint32_t base = 1;
    for (uint32_t k = 0; k < norder; k++)
        if (db->tpl[order[k]]->ntok > base)
            base = db->tpl[order[k]]->ntok;
    s->diag_base = base;
    s->dprev = ls_malloc(s->a, ((size_t)s->maxc + 1) * sizeof(int32_t));
    /* the table another search left (this scan's before, or another
     * scan's) serves when large enough: its entries are taken only when
     * they name an earlier hit of these on their diagonal */
    size_t need = (size_t)s->n + base + 1;
    ls_diagonals *dg = s->diag;
    if (dg->cap < need) {
        ls_free(&s->db->alloc, dg->last);
        dg->last = ls_calloc(&s->db->alloc, need, sizeof(uint32_t));
        dg->cap = dg->last ? need : 0;
    }
    if (!s->dprev || !dg->last) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t *searched = s->searched =
        ls_malloc(s->a, 2 * ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    if (!searched) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    memset(searched, 0xff, 2 * ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    for (uint32_t k = 0; k < norder && !s->rc; k++) {
        uint32_t t = order[k];
        const ls_template *tp = db->tpl[t];
        const hit *h = s->hits + s->start[t];
        if (ls_hopeless(s, tp, h, s->count[t]))
            continue;
        uint32_t first = s->nchains;
        if (!copy_twin(s, tp) && !copy_prior(s, tp))
            search_template(s, tp, h, s->count[t], s->used, s->f, s->prev);
        searched[2 * t] = first;
        searched[2 * t + 1] = s->nchains;
    }
}
