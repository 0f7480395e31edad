/* match2_bounds.c -- stage 2 of matching, its second half: the chains
 * (match2_chains.c) aligned (stage 3) and judged (stage 4) best bound
 * first. A chain's bound comes from its anchors before it is aligned and
 * from its aligned pairs after; one whose bound shows it can change
 * nothing (match5_rank.c) is left out. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "match1_candidates.h"
#include "match2_bounds.h"
#include "match3_align.h"
#include "match4_judge.h"
#include "match5_rank.h"

/* For the tests (match2_bounds.h): gaps whose vars the bound found
 * refusing, and candidates that scored above their pairs' bound or
 * covered more than their anchors' bound allowed. */
static _Atomic uint64_t var_refusals, bound_breaches;

uint64_t ls_var_refusal_count(void)
{
    return atomic_load_explicit(&var_refusals, memory_order_relaxed);
}

uint64_t ls_bound_breach_count(void)
{
    return atomic_load_explicit(&bound_breaches, memory_order_relaxed);
}

static int chain_cmp(const void *a, const void *b)
{
    const chain *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

pairs ls_chain_anchors(const scan *s, const chain *ch)
{
    return (pairs){ s->pool.i + ch->off, s->pool.t + ch->off, ch->n, ch->n };
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

/* Gaps of fewer words move the bound too little to be worth asking whether
 * their vars refuse them. */
#define REFUSAL_WORTH_ASKING 32

/* An upper bound on the score judge_candidate would give the pairs in
 * s->out, and bounds on the candidate's coverage and ends, from the pairs
 * alone: words between pairs count as absorbed where a var is (unless
 * their length alone makes the vars refuse them), as extra where none is
 * (less one glued word), template words between pairs as missing unless a
 * glued word could take them. */
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
        /* (pairs next to each other in the input: nothing between) */
        k = pairs_run_end(p->i, p->t, p->n, k, false, 0);
        if (k == p->n)
            break;
        uint32_t pi = p->i[k - 1], pt = p->t[k - 1];
        uint32_t ci = p->i[k], ct = p->t[k];
        uint32_t w = ci - pi - 1, nt = ct - pt - 1;
        while (vnext < tp->nvars && tp->vars[vnext].gap <= pt)
            vnext++;
        bool vars = vnext < tp->nvars && tp->vars[vnext].gap <= ct;
        bool glue = nt >= 2 && nt <= 4;
        if (glue)
            for (uint32_t t = pt + 1; t < ct; t++)
                greq += !tp->optional[t];
        else if (vars && w >= REFUSAL_WORTH_ASKING) {
            /* with no glued word to take, judging asks the vars about the
             * whole gap: lengths alone may say they refuse it */
            uint32_t vend = vnext;
            while (vend < tp->nvars && tp->vars[vend].gap <= ct)
                vend++;
            vars = !ls_vars_refuse_by_length(s, tp, vnext, vend, pi + 1, ci,
                                             s->tk[pi].end, s->tk[ci].start);
            if (!vars)
                atomic_fetch_add_explicit(&var_refusals, 1,
                                          memory_order_relaxed);
        }
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
    const scan *s;
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

/* Input words of the box (li, li+dx], with vars among its template
 * words (lt, lt+dy], that can count for the template: a pair or a glued
 * word takes a template word each, and the vars what their lengths allow
 * (ls_vars_most_words); dx when that is not worth asking. */
static uint32_t box_takes(run_bound *r, uint32_t li, uint32_t dx, uint32_t lt,
                          uint32_t dy)
{
    if (dx < dy + REFUSAL_WORTH_ASKING || !run_vars(r, lt + 1, lt + dy + 1))
        return dx;
    const ls_template *tp = r->tp;
    uint32_t v1 = r->v;
    while (v1 < tp->nvars && tp->vars[v1].gap <= lt + dy + 1)
        v1++;
    uint64_t takes = dy + (uint64_t)ls_vars_most_words(r->s, tp, r->v, v1,
                                                       li + 1, li + dx + 1);
    return takes < dx ? (uint32_t)takes : dx;
}

/* The box between two anchors: input words (li, li+dx], template words
 * (lt, lt+dy], of which `takes` input words at most can count for the
 * template where vars are (box_takes). Returns the required template
 * words of the box that no pair or glued word can take (those beyond what
 * its input words can account for). */
static uint32_t run_box(run_bound *r, uint32_t li, uint32_t dx, uint32_t lt,
                        uint32_t dy, uint32_t takes)
{
    const ls_template *tp = r->tp;
    bool vars = run_vars(r, lt + 1, lt + dy + 1); /* gaps up to the anchor */
    if (!dx || !dy) {
        /* no pairs: the words on one side are extra or the vars', the
         * other side's are missing */
        uint32_t missing = dx ? 0 : required_in(tp, lt + 1, lt + dy);
        if (r->opened)
            r->open += dx ? (vars ? 2 * (2 * (int64_t)takes - (int64_t)dx)
                                  : -2 * (int64_t)dx)
                          : -LOST_HALVES * (int64_t)missing;
        return missing;
    }
    /* (no more template words than the box can account for: none lost) */
    uint64_t cover = box_cover(dx);
    uint64_t req = dy > cover ? required_in(tp, lt + 1, lt + dy) : 0;
    uint32_t unmatched = req > cover ? (uint32_t)(req - cover) : 0;
    int64_t lost = LOST_HALVES * (int64_t)unmatched;
    int64_t small = dx < dy ? dx : dy;
    int64_t part = 2 * (vars ? (int64_t)takes : small);
    int64_t through = vars ? 2 * (2 * (int64_t)takes - (int64_t)dx) - lost
                           : 2 * (2 * small - (int64_t)dx) - lost;
    run_piece(r, through, part, li + 1, li + dx, lt + 1, lt + dy);
    return unmatched;
}

/* Bounds on the candidate of chain c, from its anchors (see above). */
static void chain_bound(scan *s, uint32_t c, pending *e)
{
    const chain *ch = &s->chains[c];
    const ls_template *tp = s->db->tpl[ch->tpl];
    const uint32_t *ax = s->pool.i + ch->off, *at = s->pool.t + ch->off;
    run_bound r = { .s = s, .tp = tp, .n = s->n, .gap_first = UINT32_MAX };
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
    uint32_t unmatched = 0; /* required words of boxes left unmatched */
    for (uint32_t k = 1; k < ch->n; k++) {
        uint32_t ai = ax[k], ti = at[k];
        if (ai - li == ti - lt) {
            /* on the piece's diagonal (most anchors): no box, or one of
             * as many words each side, which the piece takes in whole */
            if (ai + LS_SHINGLE - 1 > li) {
                pn += ai + LS_SHINGLE - 1 - li;
                li = ai + LS_SHINGLE - 1;
                lt = ti + LS_SHINGLE - 1;
            }
            continue;
        }
        uint32_t d = anchor_overlap(li, lt, ai, ti);
        if (d >= LS_SHINGLE)
            continue;
        uint32_t dx = ai + d - li - 1, dy = ti + d - lt - 1;
        uint32_t takes = box_takes(&r, li, dx, lt, dy);
        if (dx && takes == dx && dy <= box_cover(dx) &&
            (dx <= dy || run_vars(&r, lt + 1, lt + dy + 1))) {
            /* a box that adds at most its input words however the run
             * meets it (none lost; taken by vars or as many template
             * words): one piece with the anchors around it */
            pn += dx;
        } else if (dx || dy) {
            run_piece(&r, 2 * (int64_t)pn, 2 * (int64_t)pn, px, li, pt, lt);
            unmatched += run_box(&r, li, dx, lt, dy, takes);
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
    /* matched and glued words lie in the template words aligned, less
     * those of the boxes their input words cannot account for */
    bool lead = fi > ei && ft > e0, trail = ni && nt;
    e->cov_max =
        (double)(required_in(tp, lead ? e0 : ft, trail ? lt + nt : lt) -
                 unmatched) /
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
    const pairs an = ls_chain_anchors(s, ch);
    uint32_t mreq;
    ch->aligned = 2;
    if (!ls_align_candidate(s, tp, &an, &mreq) || s->rc)
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

/* Keep pending chain e, left out as unable to change the winners known
 * now, for recheck_left_out; `aligned`: e holds its pairs (else only
 * the bounds from its anchors, and no pairs: n 0). */
static void leave_out(scan *s, const pending *e, bool aligned)
{
    if (s->rc)
        return;
    if (LS_GROW(s->a, s->left, s->left_cap, s->nleft + 1)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    pending *l = &s->left[s->nleft++];
    *l = *e;
    if (!aligned) {
        l->i = l->t = NULL;
        l->n = 0;
    }
}

/* The chains left out, asked again against the winners of all the
 * candidates judged: a partial winner judged after a chain was left out
 * can be shown ambiguous by it, an "-or-later" one give way to it as its
 * "-only" text (ls_left_out_may_change). Those that may are aligned and
 * judged after all; true when any was. */
static bool recheck_left_out(scan *s, uint32_t *nheap)
{
    bool any = false;
    uint32_t kept = 0;
    for (uint32_t k = 0; k < s->nleft && !s->rc; k++) {
        pending e = s->left[k];
        chain *ch = &s->chains[e.chain];
        if (!ls_left_out_may_change(s, &e, s->db->tpl[ch->tpl])) {
            s->left[kept++] = e;
            continue;
        }
        ch->forced = true;
        if (e.n)
            heap_push(s, nheap, &e); /* its pairs are kept */
        else
            align_pending(s, e.chain, nheap);
        any = true;
    }
    s->nleft = kept;
    return any && !s->rc;
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
    for (uint32_t c = 0; c < s->nchains; c++) {
        s->chain_at[s->chains[c].id] = c;
        s->chains[c].forced = false;
    }
    s->nleft = 0;
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
    /* a chain left out was asked about the winners known then: those
     * found after it are asked about again once all are judged */
    do {
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
                s->chains[w->chain].anchor_cov = w->cov_max;
                s->chains[w->chain].anchor_bound = w->bound;
                if (!ls_chain_cannot_matter(s, w, tp))
                    align_pending(s, w->chain, &nheap);
                else
                    leave_out(s, w, false);
                continue;
            }
            pending e = heap_pop(s, &nheap);
            const ls_template *tp = s->db->tpl[s->chains[e.chain].tpl];
            chain *ch = &s->chains[e.chain];
            if (!ch->forced && ls_cannot_matter(s, &e, tp)) {
                leave_out(s, &e, true);
                continue;
            }
            if (s->rc)
                continue;
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
                if (m->score > e.bound || m->coverage > ch->anchor_cov ||
                    m->score > ch->anchor_bound)
                    atomic_fetch_add_explicit(&bound_breaches, 1,
                                              memory_order_relaxed);
                s->cand[s->ncand - 1].chain = e.chain;
                ch->cand = (int32_t)(s->ncand - 1);
                whole_found |= m->kind == LICSCAN_KIND_EXACT &&
                               m->tstart == 0 && m->tend == s->n - 1;
            }
        }
    } while (!s->rc && recheck_left_out(s, &nheap));
}
