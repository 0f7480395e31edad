/* match.c -- find which templates occur in a token stream, where, and how
 * they differ.
 *
 * 1. Candidates: every window of LS_SHINGLE input words is looked up in the
 *    shingle index; each posting is a hit (input position, template
 *    position) for one template. Linear in the input.
 * 2. Chains: per template, hits are chained in order on both sides with a
 *    cost for diagonal drift (as in long-read aligners), so a chain is one
 *    occurrence of the template; several occurrences give several chains.
 * 3. Alignment: the chain's hits are fixed matches; the gaps between them
 *    and short stretches before/after are aligned by a small LCS. Template
 *    vars absorb unmatched input words when their pattern accepts them;
 *    optional words may be missing.
 * 4. Ranking: overlapping candidates compete on words explained; the
 *    loser closest to the winner is reported as runner-up.
 * 5. References: outside text matches, phrases that name a license.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHAIN_LOOKBACK 24    /* hits examined behind each hit */
#define DIAG_LOOKBACK 32     /* hits examined for one on the same diagonal */
#define CHAIN_DOMINATED 0.8  /* a chain this much weaker than an overlapping
                                one of another template is not aligned */
#define CHAIN_MAX_DIST 1500  /* words between chained hits, either side */
#define CHAIN_MIN_WORDS 12   /* a chain explaining fewer words is noise */
#define CHAINS_PER_TEMPLATE 8
#define EDGE_TEMPLATE 64     /* template words aligned beyond a chain end */
#define EDGE_INPUT 96        /* input words searched beyond a chain end */
#define CHAIN_EDGE_SLACK 16  /* words alignment usually adds past a chain end */
#define PARAGRAPH_WORDS 64   /* words a var at either end may take */
#define GAP_DP_CELLS 1024   /* largest gap aligned word by word */
#define MAX_HITS (8u << 20)
#define COMMON_SHINGLE 48    /* postings above which a shingle is boilerplate */
#define NEAR_COVERAGE 0.90
#define PARTIAL_MIN_WORDS 20
#define PARTIAL_MIN_COVERAGE 0.05
#define RUNNER_UP_SCORE 0.85 /* share of the winner's score */
#define MISSING_WEIGHT 0.5   /* score lost per template word not found */
#define RUNNER_UP_COVERAGE 0.80

typedef struct hit {
    uint32_t x, y; /* input word, template word */
} hit;

typedef struct pairs {
    uint32_t *i, *t;
    uint32_t n, cap;
} pairs;

typedef struct chain {
    uint32_t tpl;
    float score;
    float span;       /* words covered on both sides: an upper bound */
    uint32_t x0, x1;  /* input words covered */
    uint32_t off, n;  /* anchors in scan.pool */
    const uint32_t *ki, *kt; /* its aligned pairs, kept; kn 0: none */
    uint32_t kn, kreq;       /* their number, required words matched */
} chain;

/* Pairs of aligned chains, kept until judged: blocks that never move, so
 * keeping pairs copies them once (a growing array copied them again at
 * each growth). */
typedef struct kept_block {
    struct kept_block *next;
    size_t used, cap; /* in uint32_t */
    uint32_t v[];
} kept_block;

/* A chain waiting to be aligned (bounds from its anchors: no pairs yet,
 * its words lie in [a0, b1]) or aligned and waiting to be judged. */
typedef struct pending {
    uint32_t chain;
    const uint32_t *i, *t; /* its n pairs, in a kept block */
    uint32_t n;
    uint32_t mreq;    /* required words matched */
    double bound;     /* its score is at most this */
    double cov_max;   /* its coverage is at most this */
    uint32_t a0, a1;  /* its first word lies in [a0, a1] */
    uint32_t b0, b1;  /* its last word in [b0, b1] */
} pending;

/* A shingle look-up that found postings (common: in too many templates
 * to nominate one; 2: dropped at the limit of hits). */
typedef struct lookup {
    uint32_t x, head, common;
} lookup;

typedef struct scan {
    const licscan_db *db;
    const ls_alloc *a;
    const ls_text *text;
    const ls_token *tk;
    uint32_t n;
    licscan_result *res;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    ls_buf subj;
    licscan_match *cand;
    uint32_t ncand, cand_cap;
    pairs anchors, out, tmp, pool;
    struct kept_block *kept; /* newest first */
    pending *pend;   /* chains to align, best bound first */
    uint32_t pend_cap;
    pending *heap;   /* aligned chains to judge: a heap, best bound on top */
    uint32_t heap_cap;
    licscan_match *pre; /* judged candidates above a bound: winners first */
    uint32_t npre, npre_win, pre_cap;
    chain *chains;
    uint32_t nchains, chains_cap;
    uint16_t *dp;
    int32_t *dpw; /* the same, scored (gaps with vars) */
    uint32_t vcur; /* var cursor of the candidate being aligned */
    uint32_t glued_req; /* required words matched as part of a glued word */
    uint32_t max_diffs;
    bool record_diffs;
    int rc;
    /* shingle look-ups that found postings, at most one per input word */
    lookup *look;
    uint32_t nlook;
    uint64_t total;      /* hits to put */
    uint32_t *count;     /* per template: hits */
    uint32_t *start;     /* per template: first hit in `hits` */
    uint8_t *nominated;  /* per template: common shingles count for it */
    uint32_t *all_hits;  /* per template: postings of common shingles */
    hit *hits;           /* grouped by template, in input order */
    uint32_t maxc;       /* most hits of one template */
    uint8_t *used;       /* per hit of the template searched: in a chain */
    float *f;            /* ... the best chain score ending there */
    int32_t *prev;       /* ... the hit before it in that chain */
    uint32_t *order;     /* templates to search, most hits first */
    uint32_t norder;
    licscan_match *win;  /* the winners, then the references too */
    uint32_t nwin, win_cap;
} scan;

/* Room for `need` pairs. */
static int pairs_reserve(scan *s, pairs *p, uint32_t need)
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

static int pairs_grow(scan *s, pairs *p)
{
    return pairs_reserve(s, p, p->n + 1);
}

static inline int pairs_push(scan *s, pairs *p, uint32_t i, uint32_t t)
{
    if (p->n == p->cap && pairs_grow(s, p))
        return s->rc;
    p->i[p->n] = i;
    p->t[p->n] = t;
    p->n++;
    return LICSCAN_OK;
}

static void pairs_free(scan *s, pairs *p)
{
    ls_free(s->a, p->i);
    ls_free(s->a, p->t);
}

/* Required (not optional) words among tp's words [a, b]: eight flags at a
 * time, each byte counted when it is not zero. */
static uint32_t required_in(const ls_template *tp, uint32_t a, uint32_t b)
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

/* ---------- word-level LCS for small gaps ---------- */

/* Vars of tp whose gap lies in [g0, g1]: index range [*v0, *v1). */
static void vars_in(const ls_template *tp, uint32_t g0, uint32_t g1,
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
            for (vend = v + 1; vend < tp->nvars && tp->vars[vend].gap <= t0 + nt;)
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
#define VAR_DP_MATCH (int32_t)GAP_DP_CELLS
static void lcs_table_vars(scan *s, const ls_template *tp, uint32_t i0,
                           uint32_t ni, uint32_t t0, uint32_t nt, uint32_t v0)
{
    uint32_t w = nt + 1;
    int32_t *d = s->dpw;
    uint8_t cost[GAP_DP_CELLS]; /* per template place: 0 where a var is */
    for (uint32_t b = 0; b <= nt; b++)
        cost[b] = 1;
    for (uint32_t v = v0; v < tp->nvars && tp->vars[v].gap <= t0 + nt; v++)
        if (tp->vars[v].gap >= t0)
            cost[tp->vars[v].gap - t0] = 0;
    for (uint32_t j = 0; j <= nt; j++)
        d[j] = 0;
    for (uint32_t a = 1; a <= ni; a++) {
        int32_t *row = d + (size_t)a * w, *up = row - w;
        row[0] = up[0] - cost[0];
        uint32_t id = s->tk[i0 + a - 1].id;
        for (uint32_t b = 1; b <= nt; b++) {
            int32_t best = up[b] - cost[b];
            if (row[b - 1] > best)
                best = row[b - 1];
            if (id && id == tp->tok[t0 + b - 1].id &&
                up[b - 1] + VAR_DP_MATCH > best)
                best = up[b - 1] + VAR_DP_MATCH;
            row[b] = best;
        }
    }
    s->tmp.n = 0;
    uint32_t a = ni, b = nt;
    while (a && b && !s->rc) {
        int32_t here = d[(size_t)a * w + b];
        uint32_t id = s->tk[i0 + a - 1].id;
        if (id && id == tp->tok[t0 + b - 1].id &&
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
    s->tmp.n = 0;
    uint32_t a = ni, b = nt;
    while (a && b && !s->rc) {
        uint32_t id = s->tk[i0 + a - 1].id;
        if (id && id == tp->tok[t0 + b - 1].id &&
            d[(size_t)a * w + b] == d[(size_t)(a - 1) * w + b - 1] + 1) {
            pairs_push(s, &s->tmp, i0 + a - 1, t0 + b - 1);
            a--, b--;
        } else if (d[(size_t)(a - 1) * w + b] >= d[(size_t)a * w + b - 1]) {
            a--;
        } else {
            b--;
        }
    }
    for (uint32_t k = s->tmp.n; k-- > 0;)
        pairs_push(s, &s->out, s->tmp.i[k], s->tmp.t[k]);
}

/* ---------- chaining ---------- */

/* Best chain among hits h[0..n) not yet used; its hits (in order) go to
 * s->anchors. Returns the chain's score (about the words it explains).
 * f and prev of hits before `from` are those of the last call: no hit
 * before `from` has been used since, and a hit's values depend only on
 * earlier hits. */
static double best_chain(scan *s, const ls_template *tp, const hit *h,
                         uint32_t n, const uint8_t *used, float *f,
                         int32_t *prev, uint32_t from)
{
    /* words a link on one diagonal stands for: the shingle, or for a
     * sampled template the usual stretch between sampled shingles */
    const int64_t diag_cap = tp->ntok >= LS_SHINGLE_DENSE_WORDS
                                 ? LS_SHINGLE * (LS_SHINGLE_SAMPLE_MASK + 1)
                                 : LS_SHINGLE;
    /* hits examined for one on the same diagonal: past the lookback in a
     * sampled template, whose hits lie further apart */
    const uint32_t diag_lookback =
        tp->ntok >= LS_SHINGLE_DENSE_WORDS ? DIAG_LOOKBACK : 8;
    double best = 0;
    int32_t best_j = -1;
    for (uint32_t j = 0; j < from; j++)
        if (f[j] > best) {
            best = f[j];
            best_j = (int32_t)j;
        }
    for (uint32_t j = from; j < n; j++) {
        if (used[j]) {
            f[j] = -1;
            continue;
        }
        const int64_t xj = h[j].x, yj = h[j].y;
        float fj = LS_SHINGLE;
        int32_t pj = -1;
        uint32_t lo = j > CHAIN_LOOKBACK ? j - CHAIN_LOOKBACK : 0;
        /* the nearest hit on the same diagonal, overlapping or adjacent,
         * continues the chain at no cost: take it and look no further (a
         * phrase the template repeats gives many hits at each place in
         * between) */
        for (uint32_t i = j; i-- > 0 && j - i <= diag_lookback;) {
            int64_t dx = xj - h[i].x;
            if (dx > 2 * diag_cap)
                break;
            /* (the diagonal first: it rules out most) */
            if (yj - h[i].y == dx && dx > 0 && f[i] >= 0) {
                fj = f[i] + (float)(dx < diag_cap ? dx : diag_cap);
                pj = (int32_t)i;
                lo = j; /* skip the general search */
                break;
            }
        }
        for (uint32_t i = j; i-- > lo;) {
            if (f[i] + LS_SHINGLE <= fj)
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
            float cost = drift ? 0.05f * (float)drift +
                                     0.5f * (float)(64 - __builtin_clzll(
                                                             (uint64_t)drift))
                               : 0.0f;
            float v = f[i] + (float)gain - cost;
            if (v > fj) {
                fj = v;
                pj = (int32_t)i;
            }
        }
        f[j] = fj;
        prev[j] = pj;
        if (fj > best) {
            best = fj;
            best_j = (int32_t)j;
        }
    }
    /* the chain's hits, last first: counted, then put in order */
    uint32_t len = 0;
    for (int32_t j = best_j; j >= 0; j = prev[j])
        len++;
    s->anchors.n = 0;
    if (pairs_reserve(s, &s->anchors, len))
        return 0;
    s->anchors.n = len;
    for (int32_t j = best_j; j >= 0; j = prev[j]) {
        len--;
        s->anchors.i[len] = h[j].x;
        s->anchors.t[len] = h[j].y;
    }
    return best;
}

/* ---------- var checks ---------- */

static bool re_match(scan *s, const ls_regex *re, const char *p, size_t n)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)p, n, 0, PCRE2_NO_UTF_CHECK,
                         s->md, s->mc);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
        s->res->input_flags |= LICSCAN_INPUT_VAR_LIMIT;
    return rc >= 0;
}

/* The ASCII equal of a Unicode dash, quote or space at p (SPDX: they
 * match their plain forms), or 0; *len is the sequence's length. */
static char plain_punct(const char *p, size_t avail, size_t *len)
{
    const unsigned char *u = (const unsigned char *)p;
    *len = 1;
    if (u[0] < 0x80)
        return 0;
    if (avail >= 2 && u[0] == 0xC2 && u[1] == 0xA0) {
        *len = 2;
        return ' '; /* no-break space */
    }
    if (avail >= 3 && u[0] == 0xE2 && u[1] == 0x80) {
        *len = 3;
        if (u[2] >= 0x90 && u[2] <= 0x95)
            return '-'; /* hyphens and dashes */
        if (u[2] >= 0x98 && u[2] <= 0x9B)
            return '\''; /* single quotes */
        if (u[2] >= 0x9C && u[2] <= 0x9F)
            return '"'; /* double quotes */
        if (u[2] >= 0x80 && u[2] <= 0x8A)
            return ' '; /* typographic spaces */
    }
    if (avail >= 3 && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) {
        *len = 3;
        return '-'; /* minus sign */
    }
    /* other multi-byte sequences are copied whole */
    size_t n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    *len = n <= avail ? n : avail;
    return 0;
}

static uint32_t utf8_chars(const char *p, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* Characters of t[a, b) once whitespace runs are one space and the ends
 * are trimmed (what the text form of a var check sees). */
static uint32_t collapsed_chars(const char *t, size_t a, size_t b)
{
    uint32_t c = 0;
    bool space = false;
    for (size_t k = a; k < b; k++) {
        unsigned char ch = (unsigned char)t[k];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
            ch == '\f' || ch == '\v') {
            space = c > 0;
            continue;
        }
        if ((ch & 0xC0) == 0x80)
            continue;
        c += space ? 2 : 1;
        space = false;
    }
    return c;
}

/* Raw text [raw0, raw1) into s->subj as a var check sees it: whitespace
 * runs one space, ends trimmed, Unicode dashes, quotes and spaces plain. */
static void collapse_into_subj(scan *s, size_t raw0, size_t raw1)
{
    const char *t = s->text->text;
    ls_buf *b = &s->subj;
    /* the result is never longer than the raw text: make room once */
    b->len = 0;
    ls_buf_append(b, t + raw0, raw1 - raw0);
    if (b->failed)
        return;
    char *o = b->data;
    size_t n = 0;
    bool space = false;
    for (size_t k = raw0; k < raw1; k++) {
        char c = t[k];
        size_t len = 1;
        if ((unsigned char)c >= 0x80) {
            char eq = plain_punct(t + k, raw1 - k, &len);
            if (!eq) {
                if (space)
                    o[n++] = ' ';
                space = false;
                memmove(o + n, t + k, len);
                n += len;
                k += len - 1; /* a multibyte sequence is one unit */
                continue;
            }
            c = eq;
            k += len - 1;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            space = n > 0;
            continue;
        }
        if (space)
            o[n++] = ' ';
        space = false;
        o[n++] = c;
    }
    b->len = n;
    o[n] = 0;
}

static inline char fold_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* An ASCII letter or digit, whatever the host's locale. */
static inline bool word_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
}

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Is p[0, n) (collapsed) the var's original text, ignoring case, spacing
 * and the forms of dashes and quotes? The original is what the license
 * says even where the var's pattern forgot it (CC-BY-4.0: original "",
 * match "-{1,2}"). */
static bool is_original(const char *o, const char *p, size_t n)
{
    size_t on = strlen(o), i = 0, j = 0;
    while (i < on && is_space(o[i]))
        i++;
    while (i < on || j < n) {
        if (i < on && is_space(o[i])) {
            while (i < on && is_space(o[i]))
                i++;
            if (i == on)
                break; /* trailing blanks */
            if (j >= n || p[j] != ' ')
                return false;
            j++;
            continue;
        }
        if (i >= on || j >= n)
            return false;
        size_t len = 1;
        char eq = plain_punct(o + i, on - i, &len);
        if (eq || len == 1) {
            if (fold_ascii(eq ? eq : o[i]) != fold_ascii(p[j]))
                return false;
            j++;
        } else {
            if (j + len > n || memcmp(o + i, p + j, len) != 0)
                return false;
            j += len;
        }
        i += len;
    }
    return j == n;
}

/* Does var v take the collapsed text p[0, n)? */
static bool var_takes(scan *s, const ls_var *v, const char *p, size_t n)
{
    const ls_regex *re = v->re;
    if (re->any_text) {
        uint32_t c = utf8_chars(p, n);
        if (c >= re->min_chars && c <= re->max_chars)
            return true;
    } else if (re_match(s, re, p, n)) {
        return true;
    }
    return is_original(v->original, p, n);
}

/* ---- the text of a template gap: literal punctuation and vars ---- */

#define GAP_PIECES 12
#define GAP_LITERAL 24 /* characters of a literal compared */
#define GAP_TRIES 48   /* var checks spent on one gap */

typedef struct gap_piece {
    const ls_var *var; /* NULL: literal */
    char lit[GAP_LITERAL];
    uint32_t litn;
} gap_piece;

/* Cut the template source of gap g (between its literal words) into
 * literals (spaces dropped, punctuation plain, lower case) and vars
 * v0, v0+1, ...; optional markers are left out. Returns the number of
 * pieces, 0 when the gap does not fit. */
static uint32_t gap_pieces(const ls_template *tp, uint32_t g, uint32_t v0,
                           uint32_t v1, gap_piece *pc)
{
    const char *src = tp->source;
    size_t p = g ? tp->tok[g - 1].end : 0;
    size_t e = g < tp->ntok ? tp->tok[g].start : tp->source_len;
    uint32_t np = 0, v = v0;
    gap_piece *lit = NULL;
    while (p < e) {
        if (src[p] == '<' && p + 1 < e && src[p + 1] == '<') {
            if (e - p >= 6 && memcmp(src + p, "<<var;", 6) == 0) {
                const char *close = NULL;
                for (size_t q = p + 6; q + 3 <= e; q++)
                    if (src[q] == '"' && src[q + 1] == '>' && src[q + 2] == '>') {
                        close = src + q;
                        break;
                    }
                if (!close || v >= v1 || np >= GAP_PIECES)
                    return 0;
                pc[np].var = &tp->vars[v++];
                pc[np].litn = 0;
                np++;
                lit = NULL;
                p = (size_t)(close - src) + 3;
                continue;
            }
            if (e - p >= 17 && memcmp(src + p, "<<beginOptional>>", 17) == 0) {
                p += 17;
                continue;
            }
            if (e - p >= 15 && memcmp(src + p, "<<endOptional>>", 15) == 0) {
                p += 15;
                continue;
            }
        }
        size_t len = 1;
        char eq = plain_punct(src + p, e - p, &len);
        char c = eq ? eq : src[p];
        if (!is_space(c)) {
            if (!lit) {
                if (np >= GAP_PIECES)
                    return 0;
                lit = &pc[np++];
                lit->var = NULL;
                lit->litn = 0;
            }
            if (eq || len == 1) {
                if (lit->litn < GAP_LITERAL)
                    lit->lit[lit->litn++] = fold_ascii(c);
            } else if (lit->litn + len <= GAP_LITERAL) {
                memcpy(lit->lit + lit->litn, src + p, len);
                lit->litn += (uint32_t)len;
            }
        }
        p += len;
    }
    return v == v1 ? np : 0;
}

/* Can pieces [k, np) take subject text [pos, n)? Literals are taken when
 * they are there and skipped when not; each var tries the ends at which
 * what follows can start. */
static bool gap_match(scan *s, const gap_piece *pc, uint32_t np, uint32_t k,
                      const char *subj, size_t n, size_t pos, int *tries)
{
    while (pos < n && subj[pos] == ' ')
        pos++;
    if (k == np)
        return pos == n;
    if (!pc[k].var) {
        size_t q = pos;
        uint32_t j = 0;
        while (j < pc[k].litn) {
            while (q < n && subj[q] == ' ')
                q++;
            if (q >= n || fold_ascii(subj[q]) != pc[k].lit[j])
                break;
            q++, j++;
        }
        if (j == pc[k].litn &&
            gap_match(s, pc, np, k + 1, subj, n, q, tries))
            return true;
        return gap_match(s, pc, np, k + 1, subj, n, pos, tries);
    }
    const gap_piece *next = k + 1 < np ? &pc[k + 1] : NULL;
    char stop = next && !next->var && next->litn ? next->lit[0] : 0;
    for (size_t e = next ? pos : n; e <= n && *tries > 0 && !s->rc; e++) {
        if (e < n && e > pos && subj[e] != ' ' && fold_ascii(subj[e]) != stop)
            continue;
        size_t te = e;
        while (te > pos && subj[te - 1] == ' ')
            te--;
        --*tries;
        if (var_takes(s, pc[k].var, subj + pos, te - pos) &&
            gap_match(s, pc, np, k + 1, subj, n, e, tries))
            return true;
    }
    return false;
}

/* Does the text of one template gap (vars v0..v1, all at the same gap, and
 * the punctuation around them) take the collapsed subject in s->subj?
 * ("(Revision 42):\n\n<<var>> wrote" against "): <phk@FreeBSD.ORG>";
 * "<<var bullet>> <<var clause>>" against "5. Products derived ...") */
static bool gap_accepts(scan *s, const ls_template *tp, uint32_t v0,
                        uint32_t v1)
{
    uint32_t g = tp->vars[v0].gap;
    if (tp->vars[v1 - 1].gap != g || !tp->source)
        return false;
    if (v1 - v0 == 1) {
        /* one var: only punctuation at the ends can be the template's */
        const char *p = s->subj.data;
        size_t n = s->subj.len;
        if (!n || (word_byte(p[0]) && word_byte(p[n - 1])))
            return false;
    }
    gap_piece pc[GAP_PIECES];
    uint32_t np = gap_pieces(tp, g, v0, v1, pc);
    if (np < 2)
        return false; /* one var alone: tried on the whole text already */
    int tries = GAP_TRIES;
    return gap_match(s, pc, np, 0, s->subj.data ? s->subj.data : "",
                     s->subj.len, 0, &tries);
}

/* Does some var in vars[v0, v1) accept input words [w0, w1)? Tried on the
 * text with whitespace collapsed, then on the words alone, then on the
 * text less the template's own punctuation around the vars. `raw0`/`raw1`
 * bound the raw text (punctuation around the words included). */
static bool vars_accept(scan *s, const ls_template *tp, uint32_t v0,
                        uint32_t v1, uint32_t w0, uint32_t w1, size_t raw0,
                        size_t raw1)
{
    const char *t = s->text->text;
    ls_buf *b = &s->subj;
    /* vars that take any text of a length: count characters, no regex */
    bool all_any = true;
    for (uint32_t v = v0; v < v1 && all_any; v++)
        all_any = tp->vars[v].re->any_text;
    if (all_any) {
        uint32_t raw = collapsed_chars(t, raw0, raw1), words = 0;
        uint32_t last_start = UINT32_MAX;
        for (uint32_t k = w0; k < w1; k++) {
            if (s->tk[k].start == last_start)
                continue;
            last_start = s->tk[k].start;
            words += (words ? 1 : 0) +
                     utf8_chars(t + s->tk[k].start, s->tk[k].end - s->tk[k].start);
        }
        /* longest text the vars' pieces could take: their lengths, their
         * originals, and the punctuation around them */
        uint64_t most = 2 * GAP_LITERAL;
        for (uint32_t v = v0; v < v1; v++) {
            const ls_regex *re = tp->vars[v].re;
            if ((raw >= re->min_chars && raw <= re->max_chars) ||
                (words >= re->min_chars && words <= re->max_chars))
                return true;
            size_t on = strlen(tp->vars[v].original);
            most += (re->max_chars > on ? re->max_chars : on) + 1;
        }
        if (raw > most)
            return false;
    }
    collapse_into_subj(s, raw0, raw1);
    if (b->failed) {
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    const char *subj = b->data ? b->data : "";
    if (!all_any)
        for (uint32_t v = v0; v < v1; v++)
            if (re_match(s, tp->vars[v].re, subj, b->len))
                return true;
    for (uint32_t v = v0; v < v1; v++)
        if (is_original(tp->vars[v].original, subj, b->len))
            return true;
    if (gap_accepts(s, tp, v0, v1))
        return true;
    if (all_any)
        return false;
    /* the words alone */
    b->len = 0;
    uint32_t last_start = UINT32_MAX;
    for (uint32_t k = w0; k < w1; k++) {
        if (s->tk[k].start == last_start)
            continue; /* one word split by an equivalence */
        last_start = s->tk[k].start;
        if (b->len)
            ls_buf_putc(b, ' ');
        ls_buf_append(b, t + s->tk[k].start, s->tk[k].end - s->tk[k].start);
    }
    if (b->failed) {
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    for (uint32_t v = v0; v < v1; v++)
        if (re_match(s, tp->vars[v].re, b->data ? b->data : "", b->len))
            return true;
    return false;
}

/* ---------- building a candidate from aligned pairs ---------- */

static void add_diff(scan *s, licscan_match *m, uint32_t op, size_t ts,
                     size_t te, const char *tpl_text, size_t tpl_len)
{
    if (op == LICSCAN_DIFF_VARIABLE)
        m->var_fails++;
    if (!s->record_diffs)
        return; /* ranking pass: only winners get their differences */
    if (m->ndiffs >= s->max_diffs) {
        s->res->input_flags |= LICSCAN_INPUT_TRUNCATED_DIFFS;
        return;
    }
    if (!m->diffs) {
        m->diffs = ls_arena_alloc(&s->res->arena,
                                  s->max_diffs * sizeof(ls_diff));
        if (!m->diffs) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
    }
    /* template wording with whitespace collapsed */
    char *txt = ls_arena_alloc(&s->res->arena, tpl_len + 1);
    if (!txt) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    txt[ls_collapse_spaces(txt, tpl_text, tpl_len)] = 0;
    ls_diff *d = &m->diffs[m->ndiffs++];
    d->op = op;
    d->start = ls_text_input_offset(s->text, ts);
    d->end = ls_text_input_offset(s->text, te);
    d->template_text = txt;
    d->template_source = tpl_text;
    d->template_source_len = (uint32_t)tpl_len;
}

/* Input words just before `from` that form one paragraph (crossing at most
 * one paragraph break right at `from`). Returns the first word index. */
static uint32_t paragraph_before(scan *s, uint32_t from, uint32_t limit)
{
    const char *t = s->text->text;
    uint32_t j = from;
    int breaks = 0;
    while (j > limit && from - j < PARAGRAPH_WORDS) {
        size_t a = s->tk[j - 1].end, b = s->tk[j].start;
        int nl = 0;
        for (size_t k = a; k < b; k++)
            nl += t[k] == '\n';
        if (nl >= 2 && (j != from || ++breaks > 1))
            break;
        j--;
    }
    return j;
}

static uint32_t paragraph_after(scan *s, uint32_t last, uint32_t limit)
{
    const char *t = s->text->text;
    uint32_t j = last; /* last word included */
    while (j + 1 < limit && j - last < PARAGRAPH_WORDS) {
        size_t a = s->tk[j].end, b = s->tk[j + 1].start;
        int nl = 0;
        for (size_t k = a; k < b; k++)
            nl += t[k] == '\n';
        if (nl >= 2 && j != last)
            break;
        j++;
    }
    return j;
}

static bool any_required_var(const ls_template *tp, uint32_t v0, uint32_t v1)
{
    for (uint32_t v = v0; v < v1; v++)
        if (!tp->vars[v].optional && !tp->vars[v].re->matches_empty)
            return true;
    return false;
}

/* Is input word w the template words [t0, t1) written together? In the
 * template they touch across optional markers ("GNU<<beginOptional>>
 * Lesser<<endOptional>>General", "name<<beginOptional>>s<<endOptional>>"),
 * so a copy of the license has them as one word. */
static bool glued_word(const scan *s, const ls_template *tp, uint32_t w,
                       uint32_t t0, uint32_t t1)
{
    if (t1 - t0 < 2 || t1 - t0 > 4 || !tp->source)
        return false;
    for (uint32_t k = t0; k + 1 < t1; k++) {
        /* nothing but optional markers between the two words */
        size_t a = tp->tok[k].end, b = tp->tok[k + 1].start;
        while (a < b) {
            if (b - a >= 17 && memcmp(tp->source + a, "<<beginOptional>>", 17) == 0)
                a += 17;
            else if (b - a >= 15 && memcmp(tp->source + a, "<<endOptional>>", 15) == 0)
                a += 15;
            else
                return false;
        }
    }
    const ls_dict *d = &s->db->lex.dict;
    const char *in = s->tk[w].id ? ls_dict_word(d, s->tk[w].id) : NULL;
    size_t n = in ? strlen(in) : s->tk[w].end - s->tk[w].start;
    const char *raw = s->text->text + s->tk[w].start;
    size_t j = 0;
    for (uint32_t k = t0; k < t1; k++) {
        for (const char *p = ls_dict_word(d, tp->tok[k].id); *p; p++, j++) {
            char c = j < n ? (in ? in[j] : raw[j]) : 0;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            if (c != *p)
                return false;
        }
    }
    return j == n;
}

/* Judge one segment: input words [w0, w1) against template words
 * [t0, t1), with vars whose gap is in [g0, g1]; raw text [r0, r1). */
static void judge_segment(scan *s, const ls_template *tp, licscan_match *m,
                          uint32_t w0, uint32_t w1, uint32_t t0, uint32_t t1,
                          uint32_t g0, uint32_t g1, size_t r0, size_t r1)
{
    uint32_t v0, v1;
    vars_in(tp, g0, g1, &v0, &v1);
    /* the template words written as one input word at either end of the
     * segment ("<<var>> make<<beginOptional>>s<<endOptional>>" against
     * "(TrademarkedName) makes"); the vars judge the rest */
    if (w1 > w0 && t1 >= t0 + 2) {
        uint32_t gw = UINT32_MAX;
        if (glued_word(s, tp, w1 - 1, t0, t1))
            gw = w1 - 1;
        else if (w1 > w0 + 1 && glued_word(s, tp, w0, t0, t1))
            gw = w0;
        if (gw != UINT32_MAX) {
            for (uint32_t k = t0; k < t1; k++)
                s->glued_req += !tp->optional[k];
            m->matched++;
            if (gw == w1 - 1)
                judge_segment(s, tp, m, w0, w1 - 1, t1, t1, g0, g1, r0,
                              s->tk[gw].start);
            else
                judge_segment(s, tp, m, w0 + 1, w1, t1, t1, g0, g1,
                              s->tk[gw].end, r1);
            return;
        }
    }
    uint32_t missing = 0;
    uint32_t first_req = UINT32_MAX, last_req = 0;
    for (uint32_t k = t0; k < t1; k++)
        if (!tp->optional[k]) {
            missing++;
            if (first_req == UINT32_MAX)
                first_req = k;
            last_req = k;
        }
    m->missing += missing;
    bool absorbed = false;
    if (w1 > w0 && v1 > v0) {
        absorbed = vars_accept(s, tp, v0, v1, w0, w1, r0, r1);
        if (absorbed)
            m->absorbed += w1 - w0;
    }
    else if (w1 == w0 && any_required_var(tp, v0, v1) &&
             !vars_accept(s, tp, v0, v1, w0, w0, r0, r1)) {
        /* a var with nothing (acceptable) in its place */
        const ls_var *v = &tp->vars[v0];
        add_diff(s, m, LICSCAN_DIFF_VARIABLE, r0, r1, v->original,
                 strlen(v->original));
    }
    if (w1 > w0 && !absorbed) {
        m->extra += w1 - w0;
        size_t is = s->tk[w0].start, ie = s->tk[w1 - 1].end;
        if (missing) {
            add_diff(s, m, LICSCAN_DIFF_REPLACED, is, ie,
                     tp->source + tp->tok[first_req].start,
                     tp->tok[last_req].end - tp->tok[first_req].start);
        } else if (v1 > v0) {
            const ls_var *v = &tp->vars[v0];
            add_diff(s, m, LICSCAN_DIFF_VARIABLE, is, ie, v->original,
                     strlen(v->original));
        } else {
            add_diff(s, m, LICSCAN_DIFF_INSERTED, is, ie, "", 0);
        }
    } else if (missing) {
        add_diff(s, m, LICSCAN_DIFF_DELETED, r1, r1, tp->source + tp->tok[first_req].start,
                 tp->tok[last_req].end - tp->tok[first_req].start);
    }
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

/* Align the chain in s->anchors into s->out. False when the pairs cannot
 * make a candidate; else *mreq is the required words matched. */
static bool align_candidate(scan *s, const ls_template *tp, uint32_t *mreq)
{
    pairs *an = &s->anchors;
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
        for (uint32_t k = matched_req = 0; k < p->n; k++)
            matched_req += !tp->optional[p->t[k]];
    if (matched_req < (PARTIAL_MIN_WORDS < tp->nrequired ? PARTIAL_MIN_WORDS
                                                          : tp->nrequired))
        return false;
    if ((double)matched_req / tp->nrequired < PARTIAL_MIN_COVERAGE)
        return false;
    *mreq = matched_req;
    return true;
}

/* Judge aligned pairs p (from align_candidate) and add a candidate. */
static void judge_candidate(scan *s, const ls_template *tp, const pairs *p,
                            uint32_t matched_req)
{
    licscan_match m;
    memset(&m, 0, sizeof(m));
    m.tpl = tp;
    m.matched = p->n;
    m.gaps = p->t[p->n - 1] - p->t[0] + 1 - p->n;
    double coverage;
    s->glued_req = 0;

    uint32_t first_i = p->i[0], last_i = p->i[p->n - 1];
    /* leading part of the template: vars there may take the paragraph
     * before the first matched word (a copyright line, say) */
    {
        uint32_t t0 = p->t[0], v0, v1;
        vars_in(tp, 0, t0, &v0, &v1);
        uint32_t w0 = first_i;
        if (v1 > v0) {
            /* the longest run right before the match that a var takes */
            uint32_t from = paragraph_before(s, first_i, 0);
            for (uint32_t w = from; w < first_i && !s->rc; w++)
                if (vars_accept(s, tp, v0, v1, w, first_i, s->tk[w].start,
                                s->tk[first_i - 1].end)) {
                    w0 = w;
                    break;
                }
        }
        /* words taken by the vars make no difference; template words
         * before the first match are missing */
        m.absorbed += first_i - w0;
        /* with no words taken, a var may still take the punctuation
         * before ("______" in a form to fill in) */
        size_t r0 = s->tk[first_i].start;
        if (w0 == first_i)
            r0 = first_i ? s->tk[first_i - 1].end : 0;
        judge_segment(s, tp, &m, w0, w0, 0, t0,
                      w0 < first_i ? UINT32_MAX : 0, t0, r0,
                      s->tk[first_i].start);
        first_i = w0;
    }
    /* vars come in template order: a cursor finds the next one */
    uint32_t vnext = 0;
    for (uint32_t k = 1; k < p->n && !s->rc; k++) {
        uint32_t pi = p->i[k - 1], pt = p->t[k - 1];
        uint32_t ci = p->i[k], ct = p->t[k];
        while (vnext < tp->nvars && tp->vars[vnext].gap <= pt)
            vnext++;
        bool var_here = vnext < tp->nvars && tp->vars[vnext].gap <= ct;
        if (ci == pi + 1 && ct == pt + 1) {
            /* adjacent words; a required var between them is missing */
            if (var_here)
                judge_segment(s, tp, &m, ci, ci, ct, ct, ct, ct,
                              s->tk[pi].end, s->tk[ci].start);
            continue;
        }
        judge_segment(s, tp, &m, pi + 1, ci, pt + 1, ct, pt + 1, ct,
                      s->tk[pi].end, s->tk[ci].start);
    }
    {
        uint32_t lt = p->t[p->n - 1], v0, v1;
        vars_in(tp, lt + 1, tp->ntok, &v0, &v1);
        uint32_t w1 = last_i;
        if (v1 > v0) {
            uint32_t to = paragraph_after(s, last_i, s->n);
            for (uint32_t w = to; w > last_i && !s->rc; w--)
                if (vars_accept(s, tp, v0, v1, last_i + 1, w + 1,
                                s->tk[last_i + 1].start, s->tk[w].end)) {
                    w1 = w;
                    break;
                }
        }
        m.absorbed += w1 - last_i;
        size_t r1 = s->tk[w1].end;
        if (w1 == last_i && lt + 1 == tp->ntok) /* ... or the punctuation after */
            r1 = last_i + 1 < s->n ? s->tk[last_i + 1].start : s->text->len;
        judge_segment(s, tp, &m, w1 + 1, w1 + 1, lt + 1, tp->ntok,
                      w1 > last_i ? UINT32_MAX : lt + 1, tp->ntok,
                      s->tk[last_i].end, r1);
        last_i = w1;
    }
    if (s->rc)
        return;
    /* template words matched by one input word written together */
    matched_req += s->glued_req;
    coverage = (double)matched_req / tp->nrequired;
    m.tstart = first_i;
    m.tend = last_i;
    m.start = ls_text_input_offset(s->text, s->tk[first_i].start);
    m.end = ls_text_input_offset(s->text, s->tk[last_i].end);
    m.coverage = coverage;
    bool var_fail = m.var_fails > 0;
    if (matched_req == tp->nrequired && m.extra == 0 && !var_fail)
        m.kind = LICSCAN_KIND_EXACT;
    else if (coverage >= NEAR_COVERAGE)
        m.kind = LICSCAN_KIND_NEAR;
    else
        m.kind = LICSCAN_KIND_PARTIAL;
    /* input words explained, less those left unexplained inside, less
     * half the template words missing between the first and the last
     * word found: a longer template must explain more of the input than
     * it leaves out. Words missing past either end are a truncated copy,
     * not evidence against the template. */
    uint32_t inner_required = required_in(tp, p->t[0], p->t[p->n - 1]);
    m.score = (double)m.matched + (double)m.absorbed - (double)m.extra -
              MISSING_WEIGHT * (double)(inner_required - matched_req) -
              (var_fail ? 1 : 0);
    if (LS_GROW(s->a, s->cand, s->cand_cap, s->ncand + 1)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    s->cand[s->ncand++] = m;
}

/* Align the chain in s->anchors and, if it is a real match, add a
 * candidate. */
static void build_candidate(scan *s, const ls_template *tp)
{
    uint32_t mreq;
    if (align_candidate(s, tp, &mreq))
        judge_candidate(s, tp, &s->out, mreq);
}

/* ---------- candidates per template ---------- */

/* Most words a template's hits can explain: each hit stands for at most
 * LS_SHINGLE words, or (sampled templates) the stretch up to the next. */
static double hits_bound(const ls_template *tp, uint32_t n)
{
    double per = tp->ntok >= LS_SHINGLE_DENSE_WORDS
                     ? LS_SHINGLE * (LS_SHINGLE_SAMPLE_MASK + 1.0) * 1.5
                     : LS_SHINGLE;
    double b = per * n;
    return b < tp->ntok ? b : tp->ntok;
}

/* About the words in the original texts of vars[v0, v1) (a word and a
 * space to six characters): what the vars take in a copy of the license.
 * Pruning counts them as words the template may explain beyond its
 * literal ones, so a short template whose vars hold most of its words ("As
 * a special exception ... <<var>> as part of ... <<var>> the rest of that
 * program") is not pruned by a longer one around the same words. */
static uint64_t vars_words(const ls_template *tp, uint32_t v0, uint32_t v1)
{
    uint64_t n = 0;
    for (uint32_t v = v0; v < v1; v++)
        n += (strlen(tp->vars[v].original) + 5) / 6;
    return n;
}

/* The words of tp's vars' originals when they are a good share of its
 * words, else 0: the margin of pruning covers a few words, and counting
 * them for every template would prune much less. */
static uint64_t vars_share(const ls_template *tp)
{
    /* cheaply first: vars' originals seldom run past a sentence */
    if (!tp->nvars || (uint64_t)tp->nvars * 64 < tp->ntok)
        return 0;
    uint64_t w = vars_words(tp, 0, tp->nvars);
    return w * 2 >= tp->ntok ? w : 0;
}

/* True when all hits of tp lie inside one chain of another template so
 * strong that tp could not come close to it there. */
static bool hopeless(scan *s, const ls_template *tp, const hit *h, uint32_t n)
{
    double bound = hits_bound(tp, n);
    double need = CHAIN_MIN_WORDS;
    if (need > 0.5 * tp->nrequired)
        need = 0.5 * tp->nrequired;
    if (bound < need)
        return true;
    uint32_t x0 = h[0].x, x1 = h[n - 1].x; /* hits are in input order */
    bool with_vars = false;
    for (uint32_t c = 0; c < s->nchains; c++) {
        const chain *ch = &s->chains[c];
        if (x0 >= ch->x0 && x1 < ch->x1 && bound < CHAIN_DOMINATED * ch->score) {
            if (!with_vars && tp->nvars) {
                with_vars = true; /* counted only when it matters */
                bound += (double)vars_share(tp);
                if (bound >= CHAIN_DOMINATED * ch->score)
                    continue;
            }
            return true;
        }
    }
    return false;
}

/* Templates o[0, n) by hits, most first, then by index: a total order, so
 * any sort gives it. A shell sort with the comparison inline (qsort
 * called a comparison function, through a thread-local, at every step). */
static void sort_by_hits(uint32_t *o, uint32_t n, const uint32_t *count)
{
    static const uint32_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        uint32_t gap = gaps[g];
        if (gap > n / 2 && gap > 1)
            continue;
        for (uint32_t k = gap; k < n; k++) {
            uint32_t x = o[k], cx = count[x], m = k;
            while (m >= gap) {
                uint32_t y = o[m - gap], cy = count[y];
                if (cy > cx || (cy == cx && y < x))
                    break; /* y comes first */
                o[m] = y;
                m -= gap;
            }
            o[m] = x;
        }
    }
}

/* Find the chains (occurrences) of one template and keep them. */
static void search_template(scan *s, const ls_template *tp, const hit *h,
                            uint32_t n, uint8_t *used, float *f,
                            int32_t *prev)
{
    memset(used, 0, n);
    uint32_t left = n;
    double need = CHAIN_MIN_WORDS;
    if (need > 0.5 * tp->nrequired)
        need = 0.5 * tp->nrequired; /* a short template */
    if (need < 0.05 * tp->nrequired)
        need = 0.05 * tp->nrequired;
    uint32_t from = 0; /* first hit whose f and prev must be worked out */
    for (int round = 0; round < CHAINS_PER_TEMPLATE && left >= 3 && !s->rc;
         round++) {
        double score = best_chain(s, tp, h, n, used, f, prev, from);
        if (s->rc || score < need)
            return;
        if (LS_GROW(s->a, s->chains, s->chains_cap, s->nchains + 1)) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
        chain *c = &s->chains[s->nchains++];
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
        if (pairs_reserve(s, &s->pool, s->pool.n + c->n))
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
            }
    }
}

static int chain_cmp(const void *a, const void *b)
{
    const chain *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

static void load_chain(scan *s, const chain *ch)
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
    if (!vars_share(tp))
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
        uint64_t w = vars_words(tp, v, ve);
        extra += w < dx - dy ? w : dx - dy;
    }
    uint64_t xs = ch->x1 - ch->x0;
    uint64_t ys = yt[ch->n - 1] + LS_SHINGLE - yt[0] + extra;
    uint64_t span = (xs < ys ? xs : ys) + 2 * CHAIN_EDGE_SLACK;
    if (span > tp->ntok + extra)
        span = tp->ntok + extra;
    return (float)span;
}

static int cand_rank(const licscan_match *a, const licscan_match *b)
{
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->gaps != b->gaps) /* the same words, with fewer skipped */
        return a->gaps < b->gaps ? -1 : 1;
    if (a->coverage != b->coverage)
        return a->coverage > b->coverage ? -1 : 1;
    if (a->tpl->index != b->tpl->index)
        return a->tpl->index < b->tpl->index ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Ties go to the chain found first: candidates are judged out of chain
 * order, and this keeps the order a stable sort in chain order gave. */
static int cand_cmp(const void *a, const void *b)
{
    int r = cand_rank(a, b);
    if (r)
        return r;
    const licscan_match *x = a, *y = b;
    return x->chain < y->chain ? -1 : x->chain > y->chain;
}

static int start_cmp(const void *a, const void *b)
{
    const licscan_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

static bool spans_overlap(uint32_t as, uint32_t ae, uint32_t bs, uint32_t be)
{
    uint32_t lo = as > bs ? as : bs;
    uint32_t hi = ae < be ? ae : be;
    if (hi < lo)
        return false;
    uint32_t inter = hi - lo + 1;
    uint32_t la = ae - as + 1, lb = be - bs + 1;
    uint32_t small = la < lb ? la : lb;
    return inter * 2 > small;
}

static bool overlaps(const licscan_match *a, const licscan_match *b)
{
    return spans_overlap(a->tstart, a->tend, b->tstart, b->tend);
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
        e->a0 = paragraph_before(s, first_i, 0);
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
        e->b1 = paragraph_after(s, last_i, s->n);
        b += e->b1 - last_i;
    }
    e->bound = (double)b - MISSING_WEIGHT * (double)(inner_required - mreq - greq);
    e->cov_max = (double)(mreq + greq) / tp->nrequired;
}

/* The winners, in rank order as in the end, of the candidates judged that
 * surely rank before any candidate scoring at most `bound`, in
 * s->pre[0, s->npre_win), each with the runner-up it has among them.
 * False when there are none. Bounds only go down and candidates are only
 * added, so the same number above the bound is the same candidates. */
static bool winners_above(scan *s, double bound)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < s->ncand; c++)
        n += s->cand[c].score > bound;
    if (!n)
        return false;
    if (n != s->npre) {
        if (LS_GROW(s->a, s->pre, s->pre_cap, n)) {
            s->rc = LICSCAN_ENOMEM;
            return false;
        }
        s->npre = 0;
        for (uint32_t c = 0; c < s->ncand; c++)
            if (s->cand[c].score > bound)
                s->pre[s->npre++] = s->cand[c];
        qsort(s->pre, n, sizeof(licscan_match), cand_cmp);
        s->npre_win = 0;
        for (uint32_t c = 0; c < n; c++) {
            licscan_match *m = &s->pre[c];
            bool lost = false;
            for (uint32_t w = 0; w < s->npre_win && !lost; w++) {
                licscan_match *win = &s->pre[w];
                if (!overlaps(win, m))
                    continue;
                lost = true;
                if (!win->runner && m->tpl != win->tpl &&
                    m->score >= RUNNER_UP_SCORE * win->score &&
                    m->coverage >= RUNNER_UP_COVERAGE)
                    win->runner = m->tpl;
            }
            if (!lost)
                s->pre[s->npre_win++] = *m; /* winners first, in order */
        }
    }
    return true;
}

/* Could pending e become the runner-up of winner win? */
static bool may_be_runner(const pending *e, const ls_template *tp,
                          const licscan_match *win)
{
    return !win->runner && win->tpl != tp &&
           e->bound >= RUNNER_UP_SCORE * win->score &&
           e->cov_max >= RUNNER_UP_COVERAGE;
}

/* Can the candidate of pending chain e change nothing? True when, among
 * the candidates already judged that surely rank before it (score above
 * its bound), the winners are such that whatever span it gets it loses to
 * one of them and cannot become that one's runner-up. */
static bool cannot_matter(scan *s, const pending *e, const ls_template *tp)
{
    if (!winners_above(s, e->bound))
        return false;
    for (uint32_t a = e->a0; a <= e->a1; a++)
        for (uint32_t b = e->b0; b <= e->b1; b++) {
            uint32_t w = 0;
            while (w < s->npre_win &&
                   !spans_overlap(s->pre[w].tstart, s->pre[w].tend, a, b))
                w++;
            if (w == s->npre_win)
                return false; /* it could win there */
            if (may_be_runner(e, tp, &s->pre[w]))
                return false; /* it could be the runner-up */
        }
    return true;
}

/* The same for a chain not aligned yet, whose span is anywhere in
 * [a0, b1]: true when a winner holds all of that range (so overlaps any
 * span in it) and neither it nor a winner before it that a span there
 * could overlap first can take it as runner-up. */
static bool chain_cannot_matter(scan *s, const pending *e,
                                const ls_template *tp)
{
    if (!winners_above(s, e->bound))
        return false;
    for (uint32_t w = 0; w < s->npre_win; w++) {
        const licscan_match *win = &s->pre[w];
        bool runner = may_be_runner(e, tp, win);
        if (win->tstart <= e->a0 && win->tend >= e->b1)
            return !runner;
        if (runner && win->tstart <= e->b1 && win->tend >= e->a0)
            return false;
    }
    return false;
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
static uint64_t box_cover(uint64_t dx)
{
    return 5 * dx / 2 + 4;
}

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
        int64_t w = 2 * (int64_t)(left < PARAGRAPH_WORDS ? left : PARAGRAPH_WORDS);
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
            r->open += dx ? (vars ? 2 * (int64_t)dx : -2 * (int64_t)dx)
                          : -LOST_HALVES *
                                (int64_t)required_in(tp, lt + 1, lt + dy);
        return;
    }
    /* (no more template words than the box can account for: none lost) */
    uint64_t cover = box_cover(dx);
    uint64_t req = dy > cover ? required_in(tp, lt + 1, lt + dy) : 0;
    int64_t lost = req > cover ? LOST_HALVES * (int64_t)(req - cover) : 0;
    int64_t small = dx < dy ? dx : dy;
    int64_t part = 2 * (vars ? (int64_t)dx : small);
    int64_t through = vars ? 2 * (int64_t)dx - lost
                           : 2 * (2 * small - (int64_t)dx) - lost;
    run_piece(r, through, part, li + 1, li + dx, lt + 1, lt + dy);
}

/* Bounds on the candidate of chain c, from its anchors (see above). */
static void chain_bound(scan *s, uint32_t c, pending *e)
{
    const chain *ch = &s->chains[c];
    const ls_template *tp = s->db->tpl[ch->tpl];
    const uint32_t *ax = s->pool.i + ch->off, *at = s->pool.t + ch->off;
    run_bound r = {.tp = tp, .n = s->n, .gap_first = UINT32_MAX};
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
    load_chain(s, ch);
    uint32_t mreq;
    if (!align_candidate(s, tp, &mreq) || s->rc)
        return;
    pending e;
    e.chain = c;
    e.mreq = mreq;
    e.n = s->out.n;
    cand_bound(s, tp, mreq, &e);
    if (keep_pairs(s, &e))
        return;
    ch->ki = e.i;
    ch->kt = e.t;
    ch->kn = e.n;
    ch->kreq = mreq;
    heap_push(s, nheap, &e);
}

/* Judge the chains that could win or be a runner-up, in order of the best
 * score each could reach (that of its aligned pairs), leaving out those
 * that can change nothing (judging is most of a candidate's cost). A
 * chain is aligned only when that order reaches the bound from its
 * anchors, and not at all when even that bound can change nothing. */
static void align_chains(scan *s)
{
    if (s->nchains > 1)
        qsort(s->chains, s->nchains, sizeof(chain), chain_cmp);
    uint32_t nwait = 0;
    for (uint32_t c = 0; c < s->nchains && !s->rc; c++) {
        chain *ch = &s->chains[c];
        bool dominated = false, with_vars = false;
        for (uint32_t d = 0; d < c && !dominated; d++) {
            const chain *o = &s->chains[d];
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
        if (dominated)
            continue;
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
    while (!s->rc && (next < nwait || nheap)) {
        if (next < nwait &&
            (!nheap || pending_cmp(&s->pend[next], &s->heap[0]) < 0)) {
            const pending *w = &s->pend[next++];
            const ls_template *tp = s->db->tpl[s->chains[w->chain].tpl];
            if (!chain_cannot_matter(s, w, tp) && !s->rc)
                align_pending(s, w->chain, &nheap);
            continue;
        }
        pending e = heap_pop(s, &nheap);
        const ls_template *tp = s->db->tpl[s->chains[e.chain].tpl];
        if (cannot_matter(s, &e, tp) || s->rc)
            continue;
        /* judged where they were kept: no copy */
        const pairs p = {(uint32_t *)e.i, (uint32_t *)e.t, e.n, e.n};
        uint32_t before = s->ncand;
        judge_candidate(s, tp, &p, e.mreq);
        if (s->ncand > before)
            s->cand[s->ncand - 1].chain = e.chain;
    }
}

/* Judge a winner again, this time keeping its differences: its aligned
 * pairs are kept (aligning its chain again gives the same). */
static void record_differences(scan *s, licscan_match *m)
{
    uint32_t before = s->ncand;
    const chain *ch = &s->chains[m->chain];
    s->record_diffs = true;
    if (ch->kn) {
        const pairs p = {(uint32_t *)ch->ki, (uint32_t *)ch->kt, ch->kn, ch->kn};
        judge_candidate(s, m->tpl, &p, ch->kreq);
    } else {
        load_chain(s, ch);
        build_candidate(s, m->tpl);
    }
    s->record_diffs = false;
    if (s->ncand > before) {
        m->diffs = s->cand[s->ncand - 1].diffs;
        m->ndiffs = s->cand[s->ncand - 1].ndiffs;
        s->ncand = before;
    }
}

/* ---------- references ---------- */

static bool inside_match(const licscan_match *m, uint32_t nm, uint32_t w)
{
    for (uint32_t k = 0; k < nm; k++)
        if (m[k].kind != LICSCAN_KIND_REFERENCE && w >= m[k].tstart &&
            w <= m[k].tend)
            return true;
    return false;
}

static void find_references(scan *s, licscan_match **list, uint32_t *nlist,
                            uint32_t *cap)
{
    const licscan_db *db = s->db;
    for (uint32_t w = 0; w < s->n && !s->rc; w++) {
        uint32_t id = s->tk[w].id;
        if (!id || id >= db->phr_head_cap || !db->phr_head[id])
            continue;
        if (inside_match(*list, *nlist, w))
            continue;
        const ls_phrase *best = NULL;
        for (uint32_t q = db->phr_head[id]; q; q = db->phr[q - 1].next) {
            const ls_phrase *ph = &db->phr[q - 1];
            if (w + ph->len > s->n || db->tpl[ph->tpl]->replaced)
                continue;
            uint32_t k = 1;
            while (k < ph->len && s->tk[w + k].id == ph->ids[k])
                k++;
            if (k < ph->len)
                continue;
            if (!best || ph->len > best->len ||
                (ph->len == best->len && ph->tpl < best->tpl))
                best = ph;
        }
        if (!best)
            continue;
        const ls_template *tp = db->tpl[best->tpl];
        bool seen = false;
        for (uint32_t k = 0; k < *nlist; k++)
            seen |= (*list)[k].tpl == tp;
        if (!seen) {
            if (LS_GROW(s->a, *list, *cap, *nlist + 1)) {
                s->rc = LICSCAN_ENOMEM;
                return;
            }
            licscan_match *m = &(*list)[(*nlist)++];
            memset(m, 0, sizeof(*m));
            m->tpl = tp;
            m->kind = LICSCAN_KIND_REFERENCE;
            m->tstart = w;
            m->tend = w + best->len - 1;
            m->start = ls_text_input_offset(s->text, s->tk[w].start);
            m->end = ls_text_input_offset(s->text, s->tk[m->tend].end);
        }
        w += best->len - 1;
    }
}

/* ---------- entry point ---------- */

/* Shingles ahead of the look-up whose index slots are asked for. */
#define SHINGLE_AHEAD 8

/* The key of the shingle at tk, its first index slot asked for. */
static inline uint64_t key_ahead(const licscan_db *db, const ls_token *tk)
{
    uint32_t ids[LS_SHINGLE];
    for (int k = 0; k < LS_SHINGLE; k++)
        ids[k] = tk[k].id;
    uint64_t key = ls_shingle_key(ids);
    uint32_t j = (uint32_t)key & (db->sh_cap - 1);
    __builtin_prefetch(&db->sh_keys[j]);
    __builtin_prefetch(&db->sh_head[j]);
    return key;
}

/* 1. Look up every shingle: the hits of each template are counted, and
 * the look-ups that found postings kept. The index is far bigger than the
 * cache and each look-up lands anywhere in it: the keys are worked out
 * SHINGLE_AHEAD shingles ahead, and their slots asked for then. (Locals
 * throughout: a store to count[] could alias the scan's fields as the
 * compiler sees it.) */
static void lookup_shingles(scan *s)
{
    const licscan_db *db = s->db;
    const ls_token *tk = s->tk;
    uint32_t *count = s->count;
    lookup *look = NULL;
    uint32_t nlook = 0;
    uint64_t total = 0;
    uint32_t last_unknown = UINT32_MAX;
    uint64_t ahead[SHINGLE_AHEAD];
    uint32_t nsh = s->n >= LS_SHINGLE && db->sh_cap ? s->n - LS_SHINGLE + 1 : 0;
    for (uint32_t i = 0; i < SHINGLE_AHEAD && i < nsh; i++)
        ahead[i] = key_ahead(db, tk + i);
    for (uint32_t i = 0; i < nsh; i++) {
        uint64_t key = ahead[i % SHINGLE_AHEAD];
        if (i + SHINGLE_AHEAD < nsh)
            ahead[i % SHINGLE_AHEAD] = key_ahead(db, tk + i + SHINGLE_AHEAD);
        for (int k = 0; k < LS_SHINGLE; k++)
            if (!tk[i + k].id)
                last_unknown = i + (uint32_t)k;
        if (last_unknown != UINT32_MAX && last_unknown >= i &&
            last_unknown < i + LS_SHINGLE)
            continue;
        uint32_t mask = db->sh_cap - 1, j = (uint32_t)key & mask;
        while (db->sh_keys[j] && db->sh_keys[j] != key)
            j = (j + 1) & mask;
        if (!db->sh_keys[j] || !db->sh_head[j])
            continue;
        /* the templates of the postings, up to one past a common shingle */
        uint32_t tpls[COMMON_SHINGLE + 1], added = 0;
        for (uint32_t q = db->sh_head[j]; q && added <= COMMON_SHINGLE;
             q = db->post[q - 1].next)
            tpls[added++] = db->post[q - 1].tpl;
        bool common = added > COMMON_SHINGLE;
        if (!common) {
            if (total + added > MAX_HITS) {
                s->res->input_flags |= LICSCAN_INPUT_SEARCH_LIMIT;
                break;
            }
            for (uint32_t k = 0; k < added; k++)
                count[tpls[k]]++;
            total += added;
        }
        if (!look) {
            /* one entry at most per input position */
            look = ls_malloc(s->a, (size_t)nsh * sizeof(*look));
            if (!look) {
                s->rc = LICSCAN_ENOMEM;
                return;
            }
            s->look = look;
        }
        look[nlook].x = i;
        look[nlook].head = db->sh_head[j];
        look[nlook].common = common;
        nlook++;
    }
    s->nlook = nlook;
    s->total = total;
}

/* Boilerplate shingles (in many templates) nominate none: they serve as
 * anchors only for templates that distinctive shingles nominated, or
 * that have most of their own shingles here: a text made only of widely
 * shared wording (BSD-3-Clause) is still itself. */
static void nominate(scan *s)
{
    const licscan_db *db = s->db;
    lookup *look = s->look;
    uint32_t nlook = s->nlook, *count = s->count;
    uint64_t total = s->total;
    uint8_t *nominated = s->nominated = ls_malloc(s->a, db->ntpl + 1);
    if (!nominated) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t *all_hits = s->all_hits =
        ls_calloc(s->a, db->ntpl + 1, sizeof(uint32_t));
    if (!all_hits) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    for (uint32_t k = 0; k < nlook; k++)
        if (look[k].common)
            for (uint32_t q = look[k].head; q; q = db->post[q - 1].next)
                all_hits[db->post[q - 1].tpl]++;
    uint64_t with_common = total;
    for (uint32_t t = 0; t < db->ntpl; t++) {
        nominated[t] = count[t] >= 3 ||
                       (uint64_t)(count[t] + all_hits[t]) * 2 >=
                           db->tpl[t]->nshingles;
        if (nominated[t])
            with_common += all_hits[t];
    }
    /* all the common postings of nominated templates, when there is room
     * for them (else the look-ups are taken in order while there is) */
    if (with_common <= MAX_HITS) {
        for (uint32_t t = 0; t < db->ntpl; t++)
            if (nominated[t])
                count[t] += all_hits[t];
        total = with_common;
    } else {
        for (uint32_t k = 0; k < nlook; k++) {
            if (!look[k].common)
                continue;
            for (uint32_t q = look[k].head; q; q = db->post[q - 1].next)
                if (nominated[db->post[q - 1].tpl]) {
                    if (total >= MAX_HITS) {
                        s->res->input_flags |= LICSCAN_INPUT_SEARCH_LIMIT;
                        look[k].common = 2; /* dropped */
                        break;
                    }
                    count[db->post[q - 1].tpl]++;
                    total++;
                }
        }
    }
    s->total = total;
}

/* 2. Hits grouped by template, in input order; room for the chain search
 * of the template with the most. */
static void group_hits(scan *s)
{
    const licscan_db *db = s->db;
    const lookup *look = s->look;
    const uint8_t *nominated = s->nominated;
    uint32_t nlook = s->nlook, *count = s->count, *start = s->start;
    hit *hits = s->hits =
        ls_malloc(s->a, (s->total ? s->total : 1) * sizeof(hit));
    if (!hits) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    /* count[t] is where template t's next hit goes while they are put */
    uint32_t maxc = 0;
    for (uint32_t t = 0, acc = 0; t < db->ntpl; t++) {
        start[t] = acc;
        acc += count[t];
        if (count[t] > maxc)
            maxc = count[t];
        count[t] = start[t];
    }
    for (uint32_t k = 0; k < nlook; k++) {
        /* locals: the stores to hits could alias look as the compiler
         * sees it, which would reload these for every posting */
        uint32_t common = look[k].common, x = look[k].x;
        if (common == 2)
            continue;
        for (uint32_t q = look[k].head; q; q = db->post[q - 1].next) {
            const ls_posting *po = &db->post[q - 1];
            uint32_t t = po->tpl;
            if (common && !nominated[t])
                continue;
            hits[count[t]++] = (hit){x, po->pos};
        }
    }
    for (uint32_t t = 0; t < db->ntpl; t++)
        count[t] -= start[t];
    s->maxc = maxc;
    s->used = ls_malloc(s->a, maxc + 1);
    s->f = ls_malloc(s->a, (maxc + 1) * sizeof(float));
    s->prev = ls_malloc(s->a, (maxc + 1) * sizeof(int32_t));
    if (!s->used || !s->f || !s->prev)
        s->rc = LICSCAN_ENOMEM;
}

/* 3. Chains, most promising templates first; a template whose hits
 * cannot add up to a chain near a stronger one over the same words is
 * skipped. */
static void search_templates(scan *s)
{
    const licscan_db *db = s->db;
    uint32_t *order = s->order =
        ls_malloc(s->a, (db->ntpl + 1) * sizeof(uint32_t));
    if (!order) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t norder = 0;
    for (uint32_t t = 0; t < db->ntpl; t++)
        if (s->count[t] >= 3 && !db->tpl[t]->replaced)
            order[norder++] = t;
    s->norder = norder;
    /* a chain, an alignment and the pairs of one LCS each hold at most
     * one pair per input word: room for them once, not growth on every
     * push (the pool of chains only starts there) */
    if (norder && (pairs_reserve(s, &s->anchors, s->n) ||
                   pairs_reserve(s, &s->tmp, s->n) ||
                   pairs_reserve(s, &s->out, s->n) ||
                   pairs_reserve(s, &s->pool, s->n)))
        return;
    sort_by_hits(order, norder, s->count);
    for (uint32_t k = 0; k < norder && !s->rc; k++) {
        uint32_t t = order[k];
        const ls_template *tp = db->tpl[t];
        const hit *h = s->hits + s->start[t];
        if (hopeless(s, tp, h, s->count[t]))
            continue;
        search_template(s, tp, h, s->count[t], s->used, s->f, s->prev);
    }
}

/* 4. The best candidate wins each region; winners get their
 * differences. */
static void pick_winners(scan *s)
{
    if (s->ncand > 1)
        qsort(s->cand, s->ncand, sizeof(licscan_match), cand_cmp);
    for (uint32_t c = 0; c < s->ncand; c++) {
        licscan_match *m = &s->cand[c], *win = s->win;
        bool lost = false;
        for (uint32_t w = 0; w < s->nwin; w++) {
            if (!overlaps(&win[w], m))
                continue;
            lost = true;
            if (!win[w].runner && m->tpl != win[w].tpl &&
                m->score >= RUNNER_UP_SCORE * win[w].score &&
                m->coverage >= RUNNER_UP_COVERAGE) {
                win[w].runner = m->tpl;
                win[w].runner_coverage = m->coverage;
            }
            break;
        }
        if (lost)
            continue;
        if (LS_GROW(s->a, s->win, s->win_cap, s->nwin + 1)) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
        s->win[s->nwin++] = *m;
    }
    for (uint32_t w = 0; w < s->nwin && !s->rc; w++)
        record_differences(s, &s->win[w]);
}

/* The winners and references, by start, into the result. */
static void put_matches(scan *s)
{
    licscan_result *res = s->res;
    if (s->nwin > 1)
        qsort(s->win, s->nwin, sizeof(licscan_match), start_cmp);
    if (!s->nwin)
        return;
    res->m = ls_arena_alloc(&res->arena, s->nwin * sizeof(licscan_match));
    if (!res->m) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    memcpy(res->m, s->win, s->nwin * sizeof(licscan_match));
    res->nmatch = s->nwin;
}

static void scan_init(scan *s, const licscan_db *db, const ls_alloc *work,
                      const ls_text *text, const ls_tokens *toks,
                      const licscan_scan_options *opts, licscan_result *res)
{
    memset(s, 0, sizeof(*s));
    s->db = db;
    s->a = work;
    s->text = text;
    s->tk = toks->v;
    s->n = toks->n;
    s->res = res;
    s->max_diffs = opts->max_differences ? opts->max_differences : 1;
    ls_buf_init(&s->subj, s->a);
    s->md = pcre2_match_data_create(1, db->gctx);
    s->mc = pcre2_match_context_create(db->gctx);
    s->dp = ls_malloc(s->a, GAP_DP_CELLS * sizeof(uint16_t));
    s->dpw = ls_malloc(s->a, GAP_DP_CELLS * sizeof(int32_t));
    s->count = ls_calloc(s->a, db->ntpl + 1, sizeof(uint32_t));
    s->start = ls_calloc(s->a, db->ntpl + 1, sizeof(uint32_t));
    if (!s->md || !s->mc || !s->dp || !s->dpw || !s->count || !s->start) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    pcre2_set_match_limit(s->mc, db->opts.regex_match_limit);
    pcre2_set_heap_limit(s->mc, db->opts.regex_heap_limit_kib);
}

static void scan_free(scan *s)
{
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mc);
    ls_free(s->a, s->dp);
    ls_free(s->a, s->dpw);
    ls_free(s->a, s->count);
    ls_free(s->a, s->start);
    ls_free(s->a, s->hits);
    ls_free(s->a, s->look);
    ls_free(s->a, s->nominated);
    ls_free(s->a, s->all_hits);
    ls_free(s->a, s->used);
    ls_free(s->a, s->f);
    ls_free(s->a, s->prev);
    ls_free(s->a, s->win);
    ls_free(s->a, s->cand);
    pairs_free(s, &s->anchors);
    pairs_free(s, &s->out);
    pairs_free(s, &s->tmp);
    pairs_free(s, &s->pool);
    while (s->kept) {
        kept_block *next = s->kept->next;
        ls_free(s->a, s->kept);
        s->kept = next;
    }
    ls_free(s->a, s->pend);
    ls_free(s->a, s->heap);
    ls_free(s->a, s->pre);
    ls_free(s->a, s->chains);
    ls_free(s->a, s->order);
    ls_buf_free(&s->subj);
}

int ls_match_text(const licscan_db *db, const ls_alloc *work,
                  const ls_text *text,
                  const ls_tokens *toks, const licscan_scan_options *opts,
                  licscan_result *res)
{
    scan s;
    scan_init(&s, db, work, text, toks, opts, res);
    if (!s.rc)
        lookup_shingles(&s);
    if (!s.rc)
        nominate(&s);
    if (!s.rc)
        group_hits(&s);
    if (!s.rc)
        search_templates(&s);
    if (!s.rc)
        align_chains(&s);
    if (!s.rc)
        pick_winners(&s);
    /* 5. references outside the text matches */
    if (!s.rc)
        find_references(&s, &s.win, &s.nwin, &s.win_cap);
    if (!s.rc)
        put_matches(&s);
    scan_free(&s);
    return s.rc;
}
