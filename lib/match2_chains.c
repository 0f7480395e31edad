/* match2_chains.c -- stage 2 of matching: chains.
 *
 * Per template, hits are chained in order on both sides with a cost for
 * diagonal drift (as in long-read aligners), so a chain is one occurrence
 * of the template; several occurrences give several chains. Chains are
 * then aligned (stage 3) and judged (stage 4) best bound first, and those
 * whose bound shows they can change nothing are left out. */
#include <stdlib.h>
#include <string.h>
/* AVX2 is used when the CPU has it (checked at run time): the build
 * itself targets plain x86-64 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
#define LS_LINK_AVX2 1
#include <immintrin.h>
#endif

#include "match1_candidates.h"
#include "match2_chains.h"
#include "match3_align.h"
#include "match4_judge.h"
#include "match5_rank.h"

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
    double best;
    int32_t best_j;
    /* with `track`: hits in a row that came out as in the last call */
    uint32_t same;
} chain_walk;

static inline void walk_best(chain_walk *w, float fj, uint32_t j)
{
    if (fj > w->best) {
        w->best = fj;
        w->best_j = (int32_t)j;
    }
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
    walk_best(w, fj, j);
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
        walk_best(w, fj, j);
    }
    return j;
}

/* Best chain among hits h[0..n) not yet used; its hits (in order) go to
 * s->anchors. Returns the chain's score (about the words it explains).
 * f and prev of hits before `from` are those of the last call: no hit
 * before `from` has been used since, and a hit's values depend only on
 * earlier hits. From hit `same_from` on (n in a first call) no hit has
 * been used since either, so once as many hits in a row as a hit's
 * values are worked out from come out as in the last call, every hit
 * after them would too: their values are kept. */
static double best_chain(scan *s, const ls_template *tp, const hit *h,
                         uint32_t n, const uint8_t *used, float *f,
                         int32_t *prev, const int32_t *dprev, uint32_t from,
                         uint32_t same_from)
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
        .best_j = -1,
    };
    const uint32_t window =
        w.diag_lookback > CHAIN_LOOKBACK ? w.diag_lookback : CHAIN_LOOKBACK;
    for (uint32_t j = 0; j < from; j++)
        walk_best(&w, f[j], j);
    uint32_t j = from;
    for (; j < n && j < same_from; j++)
        j = walk_hit(&w, j, false);
    for (; j < n && w.same < window; j++)
        j = walk_hit(&w, j, true);
    for (; j < n; j++) /* as the last call left them */
        walk_best(&w, f[j], j);
    double best = w.best;
    int32_t best_j = w.best_j;
    /* the chain's hits, last first: counted, then put in order */
    uint32_t len = 0;
    for (int32_t at = best_j; at >= 0; at = prev[at])
        len++;
    s->anchors.n = 0;
    if (ls_pairs_reserve(s, &s->anchors, len))
        return 0;
    s->anchors.n = len;
    for (int32_t at = best_j; at >= 0; at = prev[at]) {
        len--;
        s->anchors.i[len] = h[at].x;
        s->anchors.t[len] = h[at].y;
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
    for (uint32_t j = 0; j < n; j++) {
        uint32_t d = h[j].x + base - h[j].y, i = last[d];
        dprev[j] = i < j && h[i].x - h[i].y == h[j].x - h[j].y ? (int32_t)i
                                                                 : -1;
        last[d] = j;
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
        double score =
            s->db->narrow_links
                ? best_chain(s, tp, h, n, used, f, prev, s->dprev, 0, n)
                : best_chain(s, tp, h, n, used, f, prev, s->dprev, from,
                             same_from);
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
        c->x0 = s->anchors.i[0];
        c->x1 = s->anchors.i[s->anchors.n - 1] + LS_SHINGLE;
        uint32_t y0 = s->anchors.t[0];
        uint32_t y1 = s->anchors.t[s->anchors.n - 1] + LS_SHINGLE;
        /* plus what alignment may add beyond the ends */
        c->span = (float)((c->x1 - c->x0 < y1 - y0 ? c->x1 - c->x0 : y1 - y0) +
                          2 * CHAIN_EDGE_SLACK);
        if (c->span > tp->ntok)
            c->span = (float)tp->ntok;
        c->off = s->pool.n;
        c->n = s->anchors.n;
        c->kn = 0;
        if (ls_pairs_reserve(s, &s->pool, s->pool.n + c->n))
            return;
        memcpy(s->pool.i + c->off, s->anchors.i, c->n * sizeof(uint32_t));
        memcpy(s->pool.t + c->off, s->anchors.t, c->n * sizeof(uint32_t));
        s->pool.n += c->n;
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
    /* a chain, an alignment and the pairs of one LCS each hold at most
     * one pair per input word: room for them once, not growth on every
     * push (the pool of chains only starts there) */
    if (norder && (ls_pairs_reserve(s, &s->anchors, s->n) ||
                   ls_pairs_reserve(s, &s->tmp, s->n) ||
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

static int chain_cmp(const void *a, const void *b)
{
    const chain *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

void ls_load_chain(scan *s, const chain *ch)
{
    s->anchors.n = 0;
    for (uint32_t k = 0; k < ch->n; k++)
        pairs_push(s, &s->anchors, s->pool.i[ch->off + k],
                   s->pool.t[ch->off + k]);
}

/* The span of a chain counting what vars take where the input runs longer
 * than the template between two anchors with vars between them (words of
 * their originals at most); only for templates whose vars hold a good
 * share of their words. */
static float chain_span_with_vars(const scan *s, const chain *ch)
{
    const ls_template *tp = s->db->tpl[ch->tpl];
    if (!ls_vars_share(tp))
        return ch->span;
    const uint32_t *xi = s->pool.i + ch->off, *yt = s->pool.t + ch->off;
    uint64_t extra = 0;
    uint32_t v = 0;
    for (uint32_t k = 1; k < ch->n; k++) {
        uint32_t dx = xi[k] - xi[k - 1], dy = yt[k] - yt[k - 1];
        while (v < tp->nvars && tp->vars[v].gap <= yt[k - 1])
            v++;
        if (dx <= dy || v >= tp->nvars || tp->vars[v].gap > yt[k])
            continue;
        uint32_t ve = v;
        while (ve < tp->nvars && tp->vars[ve].gap <= yt[k])
            ve++;
        uint64_t w = ls_vars_words(tp, v, ve);
        extra += w < dx - dy ? w : dx - dy;
    }
    uint64_t xs = ch->x1 - ch->x0;
    uint64_t ys = yt[ch->n - 1] + LS_SHINGLE - yt[0] + extra;
    uint64_t span = (xs < ys ? xs : ys) + 2 * CHAIN_EDGE_SLACK;
    if (span > tp->ntok + extra)
        span = tp->ntok + extra;
    return (float)span;
}

/* An upper bound on the score judge_candidate would give the pairs in
 * s->out, and bounds on the candidate's coverage and ends, from the pairs
 * alone: words between pairs count as absorbed where a var is, as extra
 * where none is (less one glued word), template words between pairs as
 * missing unless a glued word could take them. */
static void cand_bound(scan *s, const ls_template *tp, uint32_t mreq,
                       pending *e)
{
    const pairs *p = &s->out;
    uint32_t first_i = p->i[0], last_i = p->i[p->n - 1];
    uint32_t inner_required = required_in(tp, p->t[0], p->t[p->n - 1]);
    uint32_t greq = 0, v0, v1;
    int64_t b = p->n;
    e->a0 = e->a1 = first_i;
    vars_in(tp, 0, p->t[0], &v0, &v1);
    if (v1 > v0) {
        e->a0 = ls_paragraph_before(s, first_i, 0);
        b += first_i - e->a0;
    }
    uint32_t vnext = 0;
    for (uint32_t k = 1; k < p->n; k++) {
        uint32_t pi = p->i[k - 1], pt = p->t[k - 1];
        uint32_t ci = p->i[k], ct = p->t[k];
        uint32_t w = ci - pi - 1, nt = ct - pt - 1;
        if (!w)
            continue;
        while (vnext < tp->nvars && tp->vars[vnext].gap <= pt)
            vnext++;
        bool vars = vnext < tp->nvars && tp->vars[vnext].gap <= ct;
        bool glue = nt >= 2 && nt <= 4;
        if (glue)
            for (uint32_t t = pt + 1; t < ct; t++)
                greq += !tp->optional[t];
        b += vars ? (int64_t)w : glue ? 2 - (int64_t)w : -(int64_t)w;
    }
    e->b0 = e->b1 = last_i;
    vars_in(tp, p->t[p->n - 1] + 1, tp->ntok, &v0, &v1);
    if (v1 > v0) {
        e->b1 = ls_paragraph_after(s, last_i, s->n);
        b += e->b1 - last_i;
    }
    e->bound =
        (double)b - MISSING_WEIGHT * (double)(inner_required - mreq - greq);
    e->cov_max = (double)(mreq + greq) / tp->nrequired;
}

/* ---- bounds on a chain's candidate before aligning it ----
 *
 * Aligning a chain keeps the words of its anchors (less those overlapping
 * the anchor before), adds pairs only in the boxes of words between them
 * and in a box at either edge, and trimming then keeps a run of those
 * pairs. In cand_bound's terms each input word in the run adds at most
 * one (matched, taken by a var, or part of a glued word); a box with no
 * var among its template words adds at most its smaller side and takes
 * one off for each input word beyond it; and a required template word
 * lost inside the run takes off half a word, unless it is matched or
 * glued (box_cover). The best run of pieces bounds the score. */

/* Scores here are counted in half words, exactly (a lost word costs
 * MISSING_WEIGHT, a whole number of half words). */
#define LOST_HALVES ((int64_t)(2 * MISSING_WEIGHT))

typedef struct run_bound {
    const ls_template *tp;
    uint32_t n;         /* input words */
    uint32_t gap_first; /* of the template's vars (UINT32_MAX: none) */
    uint32_t gap_last;  /* (0: none) */
    uint32_t v;         /* first var not before the current box */
    int64_t best;       /* best run of pieces so far, words around it too */
    int64_t open;       /* best run going on through the current piece */
    bool any, opened;
} run_bound;

/* Template words a box with `dx` input words can account for without
 * matching them all: a glued word (one input word for up to 4 template
 * words) sits in a gap between two pairs, so there is at most one more of
 * them than pairs, and pairs and glued words take an input word each. */
static uint64_t box_cover(uint64_t dx) { return 5 * dx / 2 + 4; }

/* A piece of words the run can start or end in: input [xs, xe], template
 * [ts, te]. `through` bounds what it adds when the run goes through it,
 * `part` what any part of it adds (in half words). */
static inline void run_piece(run_bound *r, int64_t through, int64_t part,
                             uint32_t xs, uint32_t xe, uint32_t ts, uint32_t te)
{
    /* words a var at either end may take (cand_bound's paragraphs): at
     * most PARAGRAPH_WORDS each, and no input word counts twice */
    int64_t start = part, end = part, alone = part;
    uint32_t lo = xs, hi = xe;
    if (r->gap_first <= te) {
        lo = xs > PARAGRAPH_WORDS ? xs - PARAGRAPH_WORDS : 0;
        int64_t w = 2 * (int64_t)(xe < PARAGRAPH_WORDS ? xe : PARAGRAPH_WORDS);
        start += w;
        alone += w;
        if (start > 2 * ((int64_t)xe + 1 - lo))
            start = 2 * ((int64_t)xe + 1 - lo);
    }
    if (r->gap_last > ts) {
        uint32_t left = r->n - 1 - xe;
        hi = left > PARAGRAPH_WORDS ? xe + PARAGRAPH_WORDS : r->n - 1;
        left = r->n - 1 - xs;
        int64_t w =
            2 * (int64_t)(left < PARAGRAPH_WORDS ? left : PARAGRAPH_WORDS);
        end += w;
        alone += w;
        if (end > 2 * ((int64_t)hi + 1 - xs))
            end = 2 * ((int64_t)hi + 1 - xs);
    }
    if (alone > 2 * ((int64_t)hi + 1 - lo))
        alone = 2 * ((int64_t)hi + 1 - lo);
    if (!r->any || alone > r->best)
        r->best = alone;
    r->any = true;
    if (r->opened && r->open + end > r->best)
        r->best = r->open + end;
    if (!r->opened || start > r->open + through)
        r->open = start;
    else
        r->open += through;
    r->opened = true;
}

/* Vars at gaps [g0, g1] of the template, g0 not before the last asked. */
static bool run_vars(run_bound *r, uint32_t g0, uint32_t g1)
{
    const ls_template *tp = r->tp;
    while (r->v < tp->nvars && tp->vars[r->v].gap < g0)
        r->v++;
    return r->v < tp->nvars && tp->vars[r->v].gap <= g1;
}

/* A box at an edge of the chain: input [xs, xs+dx), template [ts, ts+dy),
 * vars at gaps [g0, g1] taking its words. */
static void run_edge(run_bound *r, uint32_t xs, uint32_t dx, uint32_t ts,
                     uint32_t dy, uint32_t g0, uint32_t g1)
{
    if (!dx || !dy)
        return; /* nothing aligned there */
    int64_t part = 2 * (int64_t)(run_vars(r, g0, g1) ? dx : dx < dy ? dx : dy);
    run_piece(r, part, part, xs, xs + dx - 1, ts, ts + dy - 1);
}

/* The box between two anchors: input words (li, li+dx], template words
 * (lt, lt+dy]. */
static void run_box(run_bound *r, uint32_t li, uint32_t dx, uint32_t lt,
                    uint32_t dy)
{
    const ls_template *tp = r->tp;
    bool vars = run_vars(r, lt + 1, lt + dy + 1); /* gaps up to the anchor */
    if (!dx || !dy) {
        /* no pairs: the words on one side are extra or the vars', the
         * other side's are missing */
        if (r->opened)
            r->open +=
                dx ? (vars ? 2 * (int64_t)dx : -2 * (int64_t)dx)
                   : -LOST_HALVES * (int64_t)required_in(tp, lt + 1, lt + dy);
        return;
    }
    /* (no more template words than the box can account for: none lost) */
    uint64_t cover = box_cover(dx);
    uint64_t req = dy > cover ? required_in(tp, lt + 1, lt + dy) : 0;
    int64_t lost = req > cover ? LOST_HALVES * (int64_t)(req - cover) : 0;
    int64_t small = dx < dy ? dx : dy;
    int64_t part = 2 * (vars ? (int64_t)dx : small);
    int64_t through =
        vars ? 2 * (int64_t)dx - lost : 2 * (2 * small - (int64_t)dx) - lost;
    run_piece(r, through, part, li + 1, li + dx, lt + 1, lt + dy);
}

/* Bounds on the candidate of chain c, from its anchors (see above). */
static void chain_bound(scan *s, uint32_t c, pending *e)
{
    const chain *ch = &s->chains[c];
    const ls_template *tp = s->db->tpl[ch->tpl];
    const uint32_t *ax = s->pool.i + ch->off, *at = s->pool.t + ch->off;
    run_bound r = { .tp = tp, .n = s->n, .gap_first = UINT32_MAX };
    if (tp->nvars) {
        r.gap_first = tp->vars[0].gap;
        r.gap_last = tp->vars[tp->nvars - 1].gap;
    }
    /* as align_candidate walks the chain */
    uint32_t fi = ax[0], ft = at[0];
    uint32_t ei = fi > EDGE_INPUT ? fi - EDGE_INPUT : 0;
    uint32_t e0 = ft > EDGE_TEMPLATE ? ft - EDGE_TEMPLATE : 0;
    run_edge(&r, ei, fi - ei, e0, ft - e0, e0, ft);
    /* anchors that follow each other on a diagonal are one piece */
    uint32_t li = fi + LS_SHINGLE - 1, lt = ft + LS_SHINGLE - 1;
    uint32_t px = fi, pt = ft, pn = LS_SHINGLE;
    for (uint32_t k = 1; k < ch->n; k++) {
        uint32_t ai = ax[k], ti = at[k], d = anchor_overlap(li, lt, ai, ti);
        if (d >= LS_SHINGLE)
            continue;
        uint32_t dx = ai + d - li - 1, dy = ti + d - lt - 1;
        if (dx && dy <= box_cover(dx) &&
            (dx <= dy || run_vars(&r, lt + 1, lt + dy + 1))) {
            /* a box that adds at most its input words however the run
             * meets it (none lost; taken by vars or as many template
             * words): one piece with the anchors around it */
            pn += dx;
        } else if (dx || dy) {
            run_piece(&r, 2 * (int64_t)pn, 2 * (int64_t)pn, px, li, pt, lt);
            run_box(&r, li, dx, lt, dy);
            px = ai + d;
            pt = ti + d;
            pn = 0;
        }
        pn += LS_SHINGLE - d;
        li = ai + LS_SHINGLE - 1;
        lt = ti + LS_SHINGLE - 1;
    }
    run_piece(&r, 2 * (int64_t)pn, 2 * (int64_t)pn, px, li, pt, lt);
    uint32_t ni = s->n - li - 1, nt = tp->ntok - lt - 1;
    if (ni > EDGE_INPUT)
        ni = EDGE_INPUT;
    if (nt > EDGE_TEMPLATE)
        nt = EDGE_TEMPLATE;
    run_edge(&r, li + 1, ni, lt + 1, nt, lt + 1, lt + nt);
    e->chain = c;
    e->bound = (double)r.best / 2;
    /* matched and glued words lie in the template words aligned */
    bool lead = fi > ei && ft > e0, trail = ni && nt;
    e->cov_max = (double)required_in(tp, lead ? e0 : ft, trail ? lt + nt : lt) /
                 tp->nrequired;
    uint32_t x0 = lead ? ei : fi, x1 = trail ? li + ni : li;
    e->a0 = x0 > PARAGRAPH_WORDS ? x0 - PARAGRAPH_WORDS : 0;
    e->b1 = s->n - 1 - x1 > PARAGRAPH_WORDS ? x1 + PARAGRAPH_WORDS : s->n - 1;
}

static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->bound != y->bound)
        return x->bound > y->bound ? -1 : 1;
    return x->chain < y->chain ? -1 : x->chain > y->chain;
}

/* Copy the pairs in s->out to a kept block for pending e. */
static int keep_pairs(scan *s, pending *e)
{
    size_t need = 2 * (size_t)s->out.n;
    kept_block *b = s->kept;
    if (!b || b->cap - b->used < need) {
        /* room for several alignments of the whole input */
        size_t cap = 16 * (size_t)s->n;
        if (cap > ((size_t)1 << 22))
            cap = (size_t)1 << 22;
        if (cap < need)
            cap = need;
        if (cap > (SIZE_MAX - sizeof(kept_block)) / sizeof(uint32_t))
            return s->rc = LICSCAN_ENOMEM;
        b = ls_malloc(s->a, sizeof(kept_block) + cap * sizeof(uint32_t));
        if (!b)
            return s->rc = LICSCAN_ENOMEM;
        b->next = s->kept;
        b->used = 0;
        b->cap = cap;
        s->kept = b;
    }
    uint32_t *i = b->v + b->used, *t = i + s->out.n;
    memcpy(i, s->out.i, s->out.n * sizeof(uint32_t));
    memcpy(t, s->out.t, s->out.n * sizeof(uint32_t));
    b->used += need;
    e->i = i;
    e->t = t;
    return LICSCAN_OK;
}

/* Aligned chains to judge, in a heap by pending_cmp. */
static int heap_push(scan *s, uint32_t *n, const pending *e)
{
    if (LS_GROW(s->a, s->heap, s->heap_cap, *n + 1))
        return s->rc = LICSCAN_ENOMEM;
    pending *h = s->heap;
    uint32_t k = (*n)++;
    while (k && pending_cmp(e, &h[(k - 1) / 2]) < 0) {
        h[k] = h[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h[k] = *e;
    return LICSCAN_OK;
}

static pending heap_pop(scan *s, uint32_t *n)
{
    pending *h = s->heap, top = h[0], last = h[--*n];
    uint32_t k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && pending_cmp(&h[c + 1], &h[c]) < 0)
            c++;
        if (pending_cmp(&h[c], &last) >= 0)
            break;
        h[k] = h[c];
        k = c;
    }
    h[k] = last;
    return top;
}

/* Align chain c and, when it makes a candidate, put it in the heap. */
static void align_pending(scan *s, uint32_t c, uint32_t *nheap)
{
    chain *ch = &s->chains[c];
    const ls_template *tp = s->db->tpl[ch->tpl];
    if (s->judged)
        s->judged[tp->index] = 1;
    if (ch->aligned) {
        /* aligned by a failed try (copy_prior) */
        if (ch->aligned == 1) {
            ch->ke.chain = c;
            heap_push(s, nheap, &ch->ke);
        }
        return;
    }
    if (ch->orig != ch->id) {
        /* a twin's chain aligned already: the same pairs and bounds */
        const chain *o = &s->chains[s->chain_at[ch->orig]];
        if (o->aligned == 2) {
            ch->aligned = 2;
            return;
        }
        if (o->aligned == 1) {
            ch->ki = o->ki;
            ch->kt = o->kt;
            ch->kn = o->kn;
            ch->kreq = o->kreq;
            ch->ke = o->ke;
            ch->ke.chain = c;
            ch->aligned = 1;
            heap_push(s, nheap, &ch->ke);
            return;
        }
    }
    ls_load_chain(s, ch);
    uint32_t mreq;
    ch->aligned = 2;
    if (!ls_align_candidate(s, tp, &mreq) || s->rc)
        return;
    pending e;
    e.chain = c;
    e.mreq = mreq;
    e.n = s->out.n;
    cand_bound(s, tp, mreq, &e);
    if (s->complete_only && e.cov_max < NEAR_COVERAGE)
        return;
    if (keep_pairs(s, &e))
        return;
    ch->ki = e.i;
    ch->kt = e.t;
    ch->kn = e.n;
    ch->kreq = mreq;
    ch->ke = e;
    ch->aligned = 1;
    heap_push(s, nheap, &e);
}

/* Judge the chains that could win or be a runner-up, in order of the best
 * score each could reach (that of its aligned pairs), leaving out those
 * that can change nothing (judging is most of a candidate's cost). A
 * chain is aligned only when that order reaches the bound from its
 * anchors, and not at all when even that bound can change nothing. */
void ls_align_chains(scan *s)
{
    if (s->nchains > 1)
        qsort(s->chains, s->nchains, sizeof(chain), chain_cmp);
    s->chain_at = ls_malloc(s->a, ((size_t)s->nchains + 1) * sizeof(uint32_t));
    if (!s->chain_at) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    for (uint32_t c = 0; c < s->nchains; c++)
        s->chain_at[s->chains[c].id] = c;
    uint32_t nwait = 0;
    for (uint32_t c = 0; c < s->nchains && !s->rc; c++) {
        chain *ch = &s->chains[c];
        bool dominated = false, with_vars = false;
        uint32_t over = 0;
        for (uint32_t d = 0; d < c && !dominated && !s->complete_only; d++) {
            const chain *o = &s->chains[d];
            over = o->tpl;
            /* words the chain spans bound what its alignment can match;
             * the other's chain score is about what it surely matches */
            if (o->tpl == ch->tpl || ch->span >= CHAIN_DOMINATED * o->score)
                continue;
            uint32_t lo = ch->x0 > o->x0 ? ch->x0 : o->x0;
            uint32_t hi = ch->x1 < o->x1 ? ch->x1 : o->x1;
            dominated = hi > lo && (hi - lo) * 2 > ch->x1 - ch->x0;
            if (dominated && !with_vars) {
                with_vars = true; /* worked out only when it matters */
                ch->span = chain_span_with_vars(s, ch);
                dominated = ch->span < CHAIN_DOMINATED * o->score;
            }
        }
        if (dominated) {
            ls_add_shadow(s, ch->x0, ch->x1, over, ch->span);
            continue;
        }
        if (LS_GROW(s->a, s->pend, s->pend_cap, nwait + 1)) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
        chain_bound(s, c, &s->pend[nwait++]);
    }
    if (s->rc)
        return;
    if (nwait > 1)
        qsort(s->pend, nwait, sizeof(pending), pending_cmp);
    /* Aligned chains are judged in the order of their bounds, those of
     * the same bound by chain: one is judged when no chain left to align
     * could come before it (its bound is at most its anchors' bound). */
    s->npre = 0;
    uint32_t next = 0, nheap = 0;
    bool whole_found = false;
    while (!s->rc && (next < nwait || nheap)) {
        if (s->whole_try && !whole_found) {
            double left = next < nwait ? s->pend[next].bound : 0;
            if (nheap && s->heap[0].bound > left)
                left = s->heap[0].bound;
            if (left < s->n) {
                s->gave_up = true;
                return;
            }
        }
        if (next < nwait &&
            (!nheap || pending_cmp(&s->pend[next], &s->heap[0]) < 0)) {
            const pending *w = &s->pend[next++];
            const ls_template *tp = s->db->tpl[s->chains[w->chain].tpl];
            if (s->complete_only && w->cov_max < NEAR_COVERAGE)
                continue;
            if (!ls_chain_cannot_matter(s, w, tp) && !s->rc)
                align_pending(s, w->chain, &nheap);
            continue;
        }
        pending e = heap_pop(s, &nheap);
        const ls_template *tp = s->db->tpl[s->chains[e.chain].tpl];
        if (ls_cannot_matter(s, &e, tp) || s->rc)
            continue;
        chain *ch = &s->chains[e.chain];
        int32_t judged =
            ch->orig != ch->id ? s->chains[s->chain_at[ch->orig]].cand : -1;
        if (judged >= 0) {
            /* a twin's candidate: the same but for the template */
            if (LS_GROW(s->a, s->cand, s->cand_cap, s->ncand + 1)) {
                s->rc = LICSCAN_ENOMEM;
                return;
            }
            licscan_match m = s->cand[judged];
            m.tpl = tp;
            m.chain = e.chain;
            ch->cand = (int32_t)s->ncand;
            s->cand[s->ncand++] = m;
            continue;
        }
        if (ch->reuse >= 0) {
            /* judged by a failed try: the same candidate */
            if (LS_GROW(s->a, s->cand, s->cand_cap, s->ncand + 1)) {
                s->rc = LICSCAN_ENOMEM;
                return;
            }
            licscan_match m = s->prior_cand[ch->reuse];
            m.chain = e.chain;
            ch->cand = (int32_t)s->ncand;
            s->cand[s->ncand++] = m;
            continue;
        }
        /* judged where they were kept: no copy */
        const pairs p = { (uint32_t *)e.i, (uint32_t *)e.t, e.n, e.n };
        uint32_t before = s->ncand;
        ls_judge_candidate(s, tp, &p, e.mreq);
        if (s->ncand > before) {
            const licscan_match *m = &s->cand[s->ncand - 1];
            s->cand[s->ncand - 1].chain = e.chain;
            ch->cand = (int32_t)(s->ncand - 1);
            whole_found |= m->kind == LICSCAN_KIND_EXACT && m->tstart == 0 &&
                           m->tend == s->n - 1;
        }
    }
}
