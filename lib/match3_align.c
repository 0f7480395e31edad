/* match3_align.c -- stage 3 of matching: alignment.
 *
 * The chain's hits are fixed matches; the gaps between them and short
 * stretches before and after are aligned by a small word-level LCS, which
 * leaves input words at a var's place to the var. Weak runs at the ends
 * are trimmed. */
#include <stdlib.h>
#include <string.h>

#include "match3_align.h"

#define PARTIAL_MIN_COVERAGE 0.05

static bool var_at(const ls_template *tp, uint32_t gap)
{
    uint32_t v0, v1;
    vars_in(tp, gap, gap, &v0, &v1);
    return v1 > v0;
}

/* First var of tp with gap >= g. The gaps of one candidate are aligned in
 * template order, so a cursor walks forward; it searches again when asked
 * for an earlier gap. */
static uint32_t var_from(scan *s, const ls_template *tp, uint32_t g)
{
    uint32_t k = s->vcur;
    if (k > 0 && (k > tp->nvars || tp->vars[k - 1].gap >= g)) {
        uint32_t v1;
        vars_in(tp, g, g, &k, &v1);
    }
    while (k < tp->nvars && tp->vars[k].gap < g)
        k++;
    s->vcur = k;
    return k;
}

static void lcs_table(scan *s, const ls_template *tp, uint32_t i0, uint32_t ni,
                      uint32_t t0, uint32_t nt, uint32_t v0);

/* Does word `id` occur among input words [a, b)? */
static bool occurs(const scan *s, uint32_t id, uint32_t a, uint32_t b)
{
    for (uint32_t k = a; k < b; k++)
        if (s->tk[k].id == id)
            return true;
    return false;
}

/* Append to s->out the matched pairs of an LCS between input words
 * [i0, i0+ni) and template words [t0, t0+nt), in increasing order. */
static void lcs(scan *s, const ls_template *tp, uint32_t i0, uint32_t ni,
                uint32_t t0, uint32_t nt)
{
    if (!ni || !nt || s->rc)
        return;
    /* vars at places t0..t0+nt: [v, vend) */
    uint32_t v = 0, vend = 0;
    if (tp->nvars) {
        v = vend = var_from(s, tp, t0);
        if (v < tp->nvars && tp->vars[v].gap <= t0 + nt)
            for (vend = v + 1;
                 vend < tp->nvars && tp->vars[vend].gap <= t0 + nt;)
                vend++;
    }
    uint32_t head = 0, tail = 0;
    if (vend == v) {
        /* equal words at both ends need no table */
        while (head < ni && head < nt && s->tk[i0 + head].id &&
               s->tk[i0 + head].id == tp->tok[t0 + head].id)
            pairs_push(s, &s->out, i0 + head, t0 + head), head++;
        i0 += head, t0 += head, ni -= head, nt -= head;
        while (tail < ni && tail < nt && s->tk[i0 + ni - 1 - tail].id &&
               s->tk[i0 + ni - 1 - tail].id == tp->tok[t0 + nt - 1 - tail].id)
            tail++;
    } else {
        if (ni == nt) {
            /* the same words on both sides: nothing for a var to take */
            uint32_t k = 0;
            while (k < ni && s->tk[i0 + k].id &&
                   s->tk[i0 + k].id == tp->tok[t0 + k].id)
                k++;
            if (k == ni) {
                for (k = 0; k < ni; k++)
                    pairs_push(s, &s->out, i0 + k, t0 + k);
                return;
            }
        }
        /* the same, unless a var sits there and the word comes again: the
         * var's text may hold it ("developed by <<var>> The name of"
         * against "developed by the University ... The name of"). A word
         * that does not come again is matched by every longest alignment. */
        uint32_t hv = v;
        while (head < ni && head < nt && s->tk[i0 + head].id &&
               s->tk[i0 + head].id == tp->tok[t0 + head].id) {
            while (hv < vend && tp->vars[hv].gap < t0 + head)
                hv++;
            if (hv < vend && tp->vars[hv].gap == t0 + head &&
                occurs(s, s->tk[i0 + head].id, i0 + head + 1, i0 + ni))
                break;
            pairs_push(s, &s->out, i0 + head, t0 + head), head++;
        }
        i0 += head, t0 += head, ni -= head, nt -= head;
        uint32_t tv = vend;
        while (tail < ni && tail < nt && s->tk[i0 + ni - 1 - tail].id &&
               s->tk[i0 + ni - 1 - tail].id == tp->tok[t0 + nt - 1 - tail].id) {
            while (tv > v && tp->vars[tv - 1].gap > t0 + nt - tail)
                tv--;
            if (tv > v && tp->vars[tv - 1].gap == t0 + nt - tail &&
                occurs(s, s->tk[i0 + ni - 1 - tail].id, i0, i0 + ni - 1 - tail))
                break;
            tail++;
        }
    }
    ni -= tail, nt -= tail;
    lcs_table(s, tp, i0, ni, t0, nt, vend > v ? v : UINT32_MAX);
    for (uint32_t k = 0; k < tail; k++)
        pairs_push(s, &s->out, i0 + ni + k, t0 + nt + k);
}

/* Among the longest common subsequences, the one that leaves the fewest
 * input words unmatched away from a var: input words at a var's place are
 * likely its text, so a word there that also occurs in the template
 * nearby ("notice of copyright <<var>>" against "notice of copyright,
 * i.e., Copyright (c) 2001") is matched outside the var's text.
 * Scores are matches * VAR_DP_MATCH less the input words skipped where no
 * var is. */
#define VAR_DP_MATCH (int32_t) GAP_DP_CELLS
static void lcs_table_vars(scan *s, const ls_template *tp, uint32_t i0,
                           uint32_t ni, uint32_t t0, uint32_t nt, uint32_t v0)
{
    uint32_t w = nt + 1;
    int32_t *d = s->dpw;
    uint8_t cost[GAP_DP_CELLS]; /* per template place: 0 where a var is */
    uint32_t tid[GAP_DP_CELLS]; /* the template words' ids, side by side */
    for (uint32_t b = 0; b <= nt; b++)
        cost[b] = 1;
    for (uint32_t b = 0; b < nt; b++)
        tid[b] = tp->tok[t0 + b].id;
    for (uint32_t v = v0; v < tp->nvars && tp->vars[v].gap <= t0 + nt; v++)
        if (tp->vars[v].gap >= t0)
            cost[tp->vars[v].gap - t0] = 0;
    for (uint32_t j = 0; j <= nt; j++)
        d[j] = 0;
    for (uint32_t a = 1; a <= ni; a++) {
        int32_t *row = d + (size_t)a * w, *up = row - w;
        uint32_t id = s->tk[i0 + a - 1].id;
        /* row[b]: the best of skipping the input word (up[b] less its
         * cost), matching it (up[b - 1] and a match) and skipping the
         * template word (row[b - 1]); only the last depends on the row,
         * so it is a running best. An unknown word (id 0) matches none:
         * it is looked for as an id no word has. */
        uint32_t want = id ? id : UINT32_MAX;
        int32_t left = row[0] = up[0] - cost[0];
        for (uint32_t b = 1; b <= nt; b++) {
            int32_t best = up[b] - cost[b];
            int32_t match =
                tid[b - 1] == want ? up[b - 1] + VAR_DP_MATCH : INT32_MIN;
            best = match > best ? match : best;
            left = best > left ? best : left;
            row[b] = left;
        }
    }
    s->tmp.n = 0;
    uint32_t a = ni, b = nt;
    while (a && b && !s->rc) {
        int32_t here = d[(size_t)a * w + b];
        uint32_t id = s->tk[i0 + a - 1].id;
        if (id && id == tid[b - 1] &&
            here == d[(size_t)(a - 1) * w + b - 1] + VAR_DP_MATCH) {
            pairs_push(s, &s->tmp, i0 + a - 1, t0 + b - 1);
            a--, b--;
        } else if (here == d[(size_t)(a - 1) * w + b] - cost[b]) {
            a--;
        } else {
            b--;
        }
    }
    for (uint32_t k = s->tmp.n; k-- > 0;)
        pairs_push(s, &s->out, s->tmp.i[k], s->tmp.t[k]);
}

/* The LCS lengths of a gap's prefixes, as a table (lcs_table) or as rows
 * of bits (lcs_bits). */
typedef struct lcs_values {
    const uint16_t *table;
    uint32_t w;
    const uint64_t *rows;
} lcs_values;

/* LCS of the first a input words and b template words. */
static inline __attribute__((always_inline)) uint32_t table_at(
    const lcs_values *v, uint32_t a, uint32_t b)
{
    return v->table[(size_t)a * v->w + b];
}

/* The same from row a's bits: b less the ones below bit b. */
static inline __attribute__((always_inline)) uint32_t rows_at(
    const lcs_values *v, uint32_t a, uint32_t b)
{
    uint64_t below = b >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << b) - 1;
    return b - (uint32_t)__builtin_popcountll(v->rows[a] & below);
}

/* Walk back from (ni, nt) over the LCS lengths `at` gives, matching a word
 * wherever that keeps the length, else stepping back over the input when
 * that loses nothing; the pairs into s->out in order. (Inlined with `at`
 * known, so no call per step.) */
static inline __attribute__((always_inline)) void walk_back(
    scan *s, const ls_template *tp, uint32_t i0, uint32_t ni, uint32_t t0,
    uint32_t nt, uint32_t (*at)(const lcs_values *, uint32_t, uint32_t),
    const lcs_values *v)
{
    s->tmp.n = 0;
    uint32_t a = ni, b = nt;
    while (a && b && !s->rc) {
        uint32_t id = s->tk[i0 + a - 1].id;
        if (id && id == tp->tok[t0 + b - 1].id &&
            at(v, a, b) == at(v, a - 1, b - 1) + 1) {
            pairs_push(s, &s->tmp, i0 + a - 1, t0 + b - 1);
            a--, b--;
        } else if (at(v, a - 1, b) >= at(v, a, b - 1)) {
            a--;
        } else {
            b--;
        }
    }
    for (uint32_t k = s->tmp.n; k-- > 0;)
        pairs_push(s, &s->out, s->tmp.i[k], s->tmp.t[k]);
}

/* Template words of one gap by word id: the places each is at, as bits
 * (at most 64 places, so at most 64 words: a table twice that). */
#define GAP_WORDS 128

/* Input word a's places among the gap's template words, as bits. */
static uint64_t places_of(const uint32_t *key, const uint64_t *at, uint32_t id)
{
    if (!id)
        return 0; /* an unknown word matches nothing */
    for (uint32_t j = (id * 2654435761u) >> 25; key[j];
         j = (j + 1) & (GAP_WORDS - 1))
        if (key[j] == id)
            return at[j];
    return 0;
}

/* The LCS of lcs_table, for a gap of at most 64 template words, by rows
 * of bits (Hyyro's bit-parallel LCS): the zero bits of row a below bit b
 * count the LCS of the first a input words and b template words, so the
 * walk back reads the same values the table holds and takes the same
 * pairs, for a cost in the gap's words rather than its cells. (Inlined
 * into a caller built for the CPU's popcount instruction when it has
 * one: else each count is a library call.) */
static inline __attribute__((always_inline)) void lcs_bits_body(
    scan *s, const ls_template *tp, uint32_t i0, uint32_t ni, uint32_t t0,
    uint32_t nt)
{
    uint32_t key[GAP_WORDS] = { 0 };
    uint64_t at[GAP_WORDS];
    for (uint32_t b = 0; b < nt; b++) {
        uint32_t id = tp->tok[t0 + b].id, j = (id * 2654435761u) >> 25;
        if (!id)
            continue;
        while (key[j] && key[j] != id)
            j = (j + 1) & (GAP_WORDS - 1);
        if (!key[j]) {
            key[j] = id;
            at[j] = 0;
        }
        at[j] |= UINT64_C(1) << b;
    }
    /* rows 0..ni: (ni + 1)(nt + 1) cells fit the table, so ni < 512 */
    uint64_t row[GAP_DP_CELLS / 2];
    row[0] = ~UINT64_C(0);
    for (uint32_t a = 1; a <= ni; a++) {
        uint64_t v = row[a - 1];
        uint64_t u = v & places_of(key, at, s->tk[i0 + a - 1].id);
        row[a] = (v + u) | (v - u);
    }
    const lcs_values v = { .rows = row };
    walk_back(s, tp, i0, ni, t0, nt, rows_at, &v);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
__attribute__((target("popcnt"))) static void lcs_bits_popcnt(
    scan *s, const ls_template *tp, uint32_t i0, uint32_t ni, uint32_t t0,
    uint32_t nt)
{
    lcs_bits_body(s, tp, i0, ni, t0, nt);
}
#endif

static void lcs_bits(scan *s, const ls_template *tp, uint32_t i0, uint32_t ni,
                     uint32_t t0, uint32_t nt)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
    if (__builtin_cpu_supports("popcnt")) {
        lcs_bits_popcnt(s, tp, i0, ni, t0, nt);
        return;
    }
#endif
    lcs_bits_body(s, tp, i0, ni, t0, nt);
}

/* v0: the first var at or after place t0 when a var lies in the range,
 * else UINT32_MAX. */
static void lcs_table(scan *s, const ls_template *tp, uint32_t i0, uint32_t ni,
                      uint32_t t0, uint32_t nt, uint32_t v0)
{
    if (!ni || !nt || s->rc)
        return;
    /* (a gap too big for the table needs no signature: a common run at its
     * start is a word in common) */
    if ((uint64_t)(ni + 1) * (nt + 1) > GAP_DP_CELLS) {
        /* too big to align word by word: keep any exact common run at the
         * ends, the rest counts as replaced */
        uint32_t k = 0, v = v0;
        while (k < ni && k < nt && s->tk[i0 + k].id == tp->tok[t0 + k].id &&
               s->tk[i0 + k].id) {
            while (v < tp->nvars && tp->vars[v].gap < t0 + k)
                v++;
            if (v < tp->nvars && tp->vars[v].gap == t0 + k)
                break;
            pairs_push(s, &s->out, i0 + k, t0 + k), k++;
        }
        return;
    }
    /* no word in common (by a 64-bit signature): nothing to align */
    uint64_t sig = 0, hit_sig = 0;
    for (uint32_t b = 0; b < nt; b++)
        sig |= 1ull << (tp->tok[t0 + b].id & 63);
    for (uint32_t a = 0; a < ni && !hit_sig; a++)
        hit_sig = sig & (1ull << (s->tk[i0 + a].id & 63));
    if (!hit_sig)
        return;
    if (v0 != UINT32_MAX) {
        lcs_table_vars(s, tp, i0, ni, t0, nt, v0);
        return;
    }
    if (nt <= 64 && !s->db->narrow_links) {
        lcs_bits(s, tp, i0, ni, t0, nt);
        return;
    }
    uint32_t w = nt + 1;
    uint16_t *d = s->dp;
    for (uint32_t j = 0; j <= nt; j++)
        d[j] = 0;
    for (uint32_t a = 1; a <= ni; a++) {
        uint16_t *row = d + (size_t)a * w, *up = row - w;
        row[0] = 0;
        uint32_t id = s->tk[i0 + a - 1].id;
        for (uint32_t b = 1; b <= nt; b++) {
            if (id && id == tp->tok[t0 + b - 1].id)
                row[b] = (uint16_t)(up[b - 1] + 1);
            else
                row[b] = up[b] > row[b - 1] ? up[b] : row[b - 1];
        }
    }
    const lcs_values v = { .table = d, .w = w };
    walk_back(s, tp, i0, ni, t0, nt, table_at, &v);
}

/* Drop weak matched runs at either end of s->out: short runs cut off from
 * the rest by unmatched input words are chance matches. */
static void trim_ends(scan *s, const ls_template *tp)
{
    pairs *p = &s->out;
    uint32_t lo = 0, hi = p->n;
    /* a run is weak when it is short and separated from the next match by
     * input words at a break in the template too (words at a single
     * template gap are likely a var's text) */
    /* (a run is walked only as far as it takes to be long enough) */
    for (;;) {
        uint32_t r = lo + 1;
        while (r < hi && r - lo < 3 && p->i[r] == p->i[r - 1] + 1 &&
               p->t[r] == p->t[r - 1] + 1)
            r++;
        if (r >= hi || r - lo >= 3 || p->i[r] - p->i[r - 1] <= 1 ||
            (p->t[r] == p->t[r - 1] + 1 && var_at(tp, p->t[r])))
            break;
        lo = r;
    }
    for (;;) {
        if (hi - lo < 2)
            break;
        uint32_t r = hi - 1;
        while (r > lo && hi - r < 3 && p->i[r] == p->i[r - 1] + 1 &&
               p->t[r] == p->t[r - 1] + 1)
            r--;
        if (r <= lo || hi - r >= 3 || p->i[r] - p->i[r - 1] <= 1 ||
            (p->t[r] == p->t[r - 1] + 1 && var_at(tp, p->t[r])))
            break;
        hi = r;
    }
    if (lo) {
        memmove(p->i, p->i + lo, (hi - lo) * sizeof(uint32_t));
        memmove(p->t, p->t + lo, (hi - lo) * sizeof(uint32_t));
    }
    p->n = hi - lo;
}

/* Anchors from k on the diagonal of the last pair in s->out, each
 * overlapping the pairs, starting right after them, or after input words
 * that are the template's there (what lcs would match of such a gap):
 * the pairs run on along the diagonal to each one's last word (most
 * anchors of a chain). Returns the first anchor not taken. */
static uint32_t along_diagonal(scan *s, const ls_template *tp, const pairs *an,
                               uint32_t k)
{
    pairs *p = &s->out;
    const ls_token *tk = s->tk;
    uint32_t li = p->i[p->n - 1], lt = p->t[p->n - 1], end = li;
    for (; k < an->n && an->i[k] - li == an->t[k] - lt; k++) {
        uint32_t ai = an->i[k], x = end + 1;
        while (x < ai && tk[x].id && tk[x].id == tp->tok[x - li + lt].id)
            x++;
        if (x < ai)
            break;
        if (ai + LS_SHINGLE - 1 > end)
            end = ai + LS_SHINGLE - 1;
    }
    if (p->n + (end - li) > p->cap && ls_pairs_reserve(s, p, p->n + (end - li)))
        return an->n;
    uint32_t n = p->n, *pi = p->i, *pt = p->t, x = li + 1;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    /* four pairs at a time */
    const __m128i four = _mm_set1_epi32(4);
    const __m128i shift = _mm_set1_epi32((int32_t)(lt - li));
    __m128i xs = _mm_setr_epi32((int32_t)x, (int32_t)(x + 1), (int32_t)(x + 2),
                                (int32_t)(x + 3));
    for (; x + 3 <= end; x += 4, n += 4) {
        _mm_storeu_si128((__m128i *)(void *)(pi + n), xs);
        _mm_storeu_si128((__m128i *)(void *)(pt + n), _mm_add_epi32(xs, shift));
        xs = _mm_add_epi32(xs, four);
    }
#endif
    for (; x <= end; x++, n++) {
        pi[n] = x;
        pt[n] = x - li + lt;
    }
    p->n = n;
    return k;
}

/* Does pair k + j lie j template words after pair k? */
static inline bool runs_on(const pairs *p, uint32_t k, uint32_t j)
{
    return k + j < p->n && p->t[k + j] == p->t[k] + j;
}

/* The template words of pairs p outside optional blocks. The pairs
 * increase strictly on both sides, so pair k + j lies j template words
 * after pair k exactly when the pairs between run on one by one: a run
 * (most pairs) is found by galloping and bisection, and its words are
 * contiguous. */
static uint32_t required_taken(const ls_template *tp, const pairs *p)
{
    uint32_t taken = 0;
    for (uint32_t k = 0; k < p->n;) {
        uint32_t run = 1, step = 1; /* pairs [k, k + run) run on */
        while (runs_on(p, k, run + step - 1)) {
            run += step;
            step *= 2;
        }
        while (step > 1) {
            step /= 2;
            if (runs_on(p, k, run + step - 1))
                run += step;
        }
        taken += required_in(tp, p->t[k], p->t[k] + run - 1);
        k += run;
    }
    return taken;
}

bool ls_align_candidate(scan *s, const ls_template *tp, const pairs *an,
                        uint32_t *mreq)
{
    if (!an->n)
        return false;
    s->vcur = 0;
    /* 1. fixed matches from the chain's shingles, strictly increasing */
    s->out.n = 0;
    uint32_t fi = an->i[0], ft = an->t[0];
    uint32_t e0 = ft > EDGE_TEMPLATE ? ft - EDGE_TEMPLATE : 0;
    uint32_t ei = fi > EDGE_INPUT ? fi - EDGE_INPUT : 0;
    lcs(s, tp, ei, fi - ei, e0, ft - e0);
    for (uint32_t k = 0; k < an->n && !s->rc; k++) {
        uint32_t ai = an->i[k], at = an->t[k], d = 0;
        if (s->out.n) {
            /* words of the shingle not past the last match on both sides
             * are skipped; the rest follow it, after a gap for the first */
            uint32_t li = s->out.i[s->out.n - 1], lt = s->out.t[s->out.n - 1];
            if (ai - li == at - lt) {
                uint32_t next = along_diagonal(s, tp, an, k);
                if (next > k) {
                    k = next - 1;
                    continue;
                }
            }
            d = anchor_overlap(li, lt, ai, at);
            if (d >= LS_SHINGLE)
                continue;
            /* fill the gap between the last match and this one */
            if (ai + d > li + 1 && at + d > lt + 1)
                lcs(s, tp, li + 1, ai + d - li - 1, lt + 1, at + d - lt - 1);
        }
        for (; d < LS_SHINGLE; d++)
            pairs_push(s, &s->out, ai + d, at + d);
    }
    if (s->rc || !s->out.n)
        return false;
    {
        uint32_t li = s->out.i[s->out.n - 1], lt = s->out.t[s->out.n - 1];
        uint32_t ni = s->n - li - 1, nt = tp->ntok - lt - 1;
        if (nt > EDGE_TEMPLATE)
            nt = EDGE_TEMPLATE;
        if (ni > EDGE_INPUT)
            ni = EDGE_INPUT;
        lcs(s, tp, li + 1, ni, lt + 1, nt);
    }
    if (s->rc)
        return false;
    trim_ends(s, tp);
    pairs *p = &s->out;
    if (p->n < 2)
        return false;
    uint32_t matched_req = p->n; /* all, when no word is optional */
    if (tp->nrequired != tp->ntok)
        matched_req = required_taken(tp, p);
    if (matched_req <
        (PARTIAL_MIN_WORDS < tp->nrequired ? PARTIAL_MIN_WORDS : tp->nrequired))
        return false;
    if ((double)matched_req / tp->nrequired < PARTIAL_MIN_COVERAGE)
        return false;
    *mreq = matched_req;
    return true;
}
