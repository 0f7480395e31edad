/* match5_rank.c -- stage 5 of matching: ranking.
 *
 * Overlapping candidates compete on words explained; the loser closest to
 * the winner is reported as runner-up (how Llama 3.1, 3.2 and 3.3 are told
 * apart). The same ranking, over the candidates judged so far, tells the
 * chain stage which chains can change nothing. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match5_rank.h"

#define ONLY_MARGIN 0.005 /* share of the words matched within which a
                            license text is read as "-only", not
                            "-or-later" */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* An SPDX id's claim: 2 when it grants later versions ("-or-later",
 * "+"), which a license text alone cannot say (the notice that applies it
 * does); else 0, or 1 for a bare id whose modern name ends in "-only".
 * *base_len: the id without those suffixes. */
static int id_claim(const ls_template *tp, size_t *base_len)
{
    const char *id = tp->lic.id ? tp->lic.id : "";
    size_t n = strlen(id);
    if (ends_with(id, n, "-or-later")) {
        *base_len = n - strlen("-or-later");
        return 2;
    }
    if (ends_with(id, n, "+")) {
        *base_len = n - 1;
        return 2;
    }
    if (ends_with(id, n, "-only")) {
        *base_len = n - strlen("-only");
        return 0;
    }
    *base_len = n;
    return 1;
}

/* Of templates with the same words the evidence cannot tell apart (twins,
 * the GFDL variants, -only and -or-later), the plainest id: no grant of
 * later versions, then no qualifier added to the other's id, then the
 * "-only" name over the bare one. <0: a first. */
static int plainer(const ls_template *a, const ls_template *b)
{
    size_t la, lb;
    int ca = id_claim(a, &la), cb = id_claim(b, &lb);
    if ((ca == 2) != (cb == 2))
        return ca == 2 ? 1 : -1;
    /* "GFDL-1.2-invariants" is "GFDL-1.2" qualified */
    const char *ia = a->lic.id ? a->lic.id : "";
    const char *ib = b->lic.id ? b->lic.id : "";
    if (la < lb && ib[la] == '-' && memcmp(ia, ib, la) == 0)
        return -1;
    if (lb < la && ia[lb] == '-' && memcmp(ia, ib, lb) == 0)
        return 1;
    return ca < cb ? -1 : ca > cb;
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
    /* the same words explained, more of them by the template's own words
     * than by its variables: literal text is the stronger evidence */
    if (a->matched != b->matched)
        return a->matched > b->matched ? -1 : 1;
    int plain = plainer(a->tpl, b->tpl);
    if (plain)
        return plain;
    if (a->tpl->index != b->tpl->index)
        return a->tpl->index < b->tpl->index ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Ties go to the chain found first: candidates are judged out of chain
 * order, and the answer must not depend on which was judged first. */
static int cand_cmp(const void *a, const void *b)
{
    int r = cand_rank(a, b);
    if (r)
        return r;
    const licscan_match *x = a, *y = b;
    return x->chain < y->chain ? -1 : x->chain > y->chain;
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

bool ls_matches_overlap(const licscan_match *a, const licscan_match *b)
{
    return spans_overlap(a->tstart, a->tend, b->tstart, b->tend);
}

/* Sort candidates c[0, n) by rank and move the winners to the front, in
 * that order; returns their number. A candidate wins unless it overlaps a
 * winner ranked before it; the first such winner takes it as runner-up
 * when the winner has none yet and it is of another template and close
 * in score and coverage. */
static uint32_t select_winners(licscan_match *c, uint32_t n)
{
    if (n > 1)
        qsort(c, n, sizeof(licscan_match), cand_cmp);
    uint32_t nwin = 0;
    for (uint32_t k = 0; k < n; k++) {
        licscan_match *m = &c[k];
        bool lost = false;
        for (uint32_t w = 0; w < nwin && !lost; w++) {
            licscan_match *win = &c[w];
            if (!ls_matches_overlap(win, m))
                continue;
            lost = true;
            if (!win->runner && m->tpl != win->tpl &&
                m->score >= RUNNER_UP_SCORE * win->score &&
                m->coverage >= RUNNER_UP_COVERAGE) {
                win->runner = m->tpl;
                win->runner_coverage = m->coverage;
                win->runner_similarity = ls_similarity(m);
            }
        }
        if (!lost && nwin++ != k)
            c[nwin - 1] = *m;
    }
    return nwin;
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
        s->npre_win = select_winners(s->pre, n);
    }
    return true;
}

/* A winner that misses template words gives way to a complete match
 * (exact or near) of another template over the same words, of higher
 * coverage, whose evidence with nothing forgiven is at least as strong.
 * The score forgives a truncated copy its missing end and lets vars take
 * any text their pattern accepts; against a complete rival neither holds:
 * a longer template whose missing words are exactly its own extra clause
 * is evidence against it. The winner becomes the runner-up. */
/* The evidence with nothing forgiven, less again half of each required
 * word missing between the ends of the match: a clause the text lacks
 * inside a copy says more against the template than words lacking past
 * its end (BSD-4-Clause without its advertising clause is BSD-3-Clause,
 * whose own vars took the words that differ). */
static double against_inner(const licscan_match *m)
{
    return m->strict - MISSING_WEIGHT * m->inner_missing;
}

/* Of two complete rivals: the stronger evidence with nothing forgiven
 * (against_inner), then the more complete, then rank. */
static bool stronger(const licscan_match *a, const licscan_match *b)
{
    if (against_inner(a) != against_inner(b))
        return against_inner(a) > against_inner(b);
    if (a->coverage != b->coverage)
        return a->coverage > b->coverage;
    return cand_cmp(a, b) < 0;
}

/* Rival r takes winner w's place; w becomes its runner-up. */
static void take_place(licscan_match *w, const licscan_match *r)
{
    const ls_template *tpl = w->tpl;
    double coverage = w->coverage;
    double similarity = ls_similarity(w);
    *w = *r;
    w->runner = tpl;
    w->runner_coverage = coverage;
    w->runner_similarity = similarity;
}

static void complete_over_partial(const licscan_match *cand, uint32_t ncand,
                                  licscan_match *win, uint32_t nwin)
{
    for (uint32_t w = 0; w < nwin; w++) {
        licscan_match *lost = &win[w];
        if (lost->kind == LICSCAN_KIND_EXACT)
            continue;
        const licscan_match *best = NULL;
        for (uint32_t c = 0; c < ncand; c++) {
            const licscan_match *m = &cand[c];
            if (m->kind == LICSCAN_KIND_PARTIAL || m->tpl == lost->tpl ||
                m->coverage <= lost->coverage ||
                against_inner(m) < against_inner(lost) ||
                (ls_match_clean_inside(lost) && !ls_match_clean_inside(m)) ||
                !ls_matches_overlap(lost, m))
                continue;
            bool free = true;
            for (uint32_t o = 0; o < nwin && free; o++)
                free = o == w || !ls_matches_overlap(&win[o], m);
            if (free && (!best || stronger(m, best)))
                best = m;
        }
        if (best)
            take_place(lost, best);
    }
}

/* A winner whose id grants later versions gives way to the same
 * license's "-only" (or bare) id over the same words when that one
 * matches as many of the input's words, within ONLY_MARGIN, and is as
 * complete (exact and near count alike). The two differ in layout, not in
 * words a text could tell them apart by ("or any later version" is in the
 * GPL's own appendix): where one template has a var (the appendix's
 * program name and copyright line) the other has the placeholder text, so
 * the score, which counts what vars take, is no guide; the words matched
 * are. The notice that applies a license says "or later" (a header,
 * matched on its own). */
static void only_over_or_later(const licscan_match *cand, uint32_t ncand,
                               licscan_match *win, uint32_t nwin)
{
    for (uint32_t w = 0; w < nwin; w++) {
        licscan_match *lost = &win[w];
        size_t base;
        if (id_claim(lost->tpl, &base) != 2)
            continue;
        uint32_t worst = lost->kind > LICSCAN_KIND_NEAR ? lost->kind
                                                        : LICSCAN_KIND_NEAR;
        const licscan_match *best = NULL;
        for (uint32_t c = 0; c < ncand; c++) {
            const licscan_match *m = &cand[c];
            size_t mb;
            if (id_claim(m->tpl, &mb) == 2 || mb != base ||
                strncmp(m->tpl->lic.id, lost->tpl->lic.id, base) != 0 ||
                m->kind > worst ||
                m->matched < lost->matched * (1 - ONLY_MARGIN) ||
                !ls_matches_overlap(lost, m))
                continue;
            if (!best || cand_cmp(m, best) < 0)
                best = m;
        }
        if (best)
            take_place(lost, best);
    }
}

/* The length of an id's name before its version ("BSD" of
 * "BSD-3-Clause", "EPL" of "EPL-1.0"); 0 when it has no version. */
static size_t id_stem(const char *id)
{
    size_t n = strcspn(id, "0123456789");
    if (!id[n])
        return 0;
    while (n && (id[n - 1] == '-' || id[n - 1] == '.' || id[n - 1] == '_'))
        n--;
    return n;
}

/* Whether a and b are one license or versions of one: twins, one family,
 * one name before the version, or ids that differ only by
 * "-only"/"-or-later" or by a qualifier added to the other's. */
static bool one_license(const ls_template *a, const ls_template *b)
{
    if (ls_same_text(a, b))
        return true;
    if (a->lic.family && b->lic.family &&
        strcmp(a->lic.family, b->lic.family) == 0)
        return true;
    size_t la, lb;
    id_claim(a, &la);
    id_claim(b, &lb);
    const char *ia = a->lic.id ? a->lic.id : "";
    const char *ib = b->lic.id ? b->lic.id : "";
    size_t sa = id_stem(ia), sb = id_stem(ib);
    if (sa && sa == sb && strncasecmp(ia, ib, sa) == 0)
        return true;
    size_t n = la < lb ? la : lb;
    return memcmp(ia, ib, n) == 0 &&
           (la == lb || (la < lb ? ib[la] : ia[lb]) == '-');
}

/* Do a and b span mostly the same words, each more than half the
 * other's? (A notice around a fragment spans it, not the same words.) */
static bool same_words(const licscan_match *a, const licscan_match *b)
{
    uint32_t lo = a->tstart > b->tstart ? a->tstart : b->tstart;
    uint32_t hi = a->tend < b->tend ? a->tend : b->tend;
    if (hi < lo)
        return false;
    uint32_t inter = hi - lo + 1;
    uint32_t la = a->tend - a->tstart + 1, lb = b->tend - b->tstart + 1;
    return inter * 2 > (la > lb ? la : lb);
}

/* A fragment says which license it is from only when no other license
 * matches its words as well and is about as complete by them: the
 * warranty and liability sections that CPL, EPL, IPL and LPL share,
 * matched alike by each, are evidence of none of them, whichever the
 * tie-break picked (their lengths differ by a few words). Versions and
 * variants of one license are no rivals (a cut BSD text may be 2- or
 * 3-clause: the ranking's pick stands, a BSD fragment it is). A template
 * that holds the fragment's license and more (Sendmail holds
 * BSD-3-Clause, Cube holds Zlib) is no rival: the fragment is more of
 * the shorter one. Returns the winners left. */
#define RIVAL_COVERAGE 0.9
/* Nor is a fragment of a sentence or two that is a small part of its
 * license (it needs a paragraph of it, or half of it), nor one whose span
 * holds more words it leaves unexplained than words it explains: its
 * pieces lie scattered in some other text (fragment_dropped: whatever the
 * other candidates are). */
#define FRAGMENT_MIN_WORDS 40
#define FRAGMENT_MIN_SHARE 0.5
static bool fragment_dropped(const licscan_match *f)
{
    bool small =
        f->matched < FRAGMENT_MIN_WORDS && f->coverage < FRAGMENT_MIN_SHARE;
    return f->kind == LICSCAN_KIND_PARTIAL && (small || f->extra > f->matched);
}

/* Is partial f ambiguous by one of cand[0, ncand): another license that
 * matches as many of its words, about as completely? */
static bool ambiguous_among(const licscan_match *f, const licscan_match *cand,
                            uint32_t ncand)
{
    for (uint32_t c = 0; c < ncand && f->kind == LICSCAN_KIND_PARTIAL; c++)
        if (cand[c].matched >= f->matched &&
            cand[c].coverage >= f->coverage * RIVAL_COVERAGE &&
            !one_license(cand[c].tpl, f->tpl) && same_words(&cand[c], f))
            return true;
    return false;
}

static uint32_t drop_ambiguous_fragments(const licscan_match *cand,
                                         uint32_t ncand, licscan_match *win,
                                         uint32_t nwin)
{
    uint32_t kept = 0;
    for (uint32_t w = 0; w < nwin; w++) {
        const licscan_match *f = &win[w];
        if (!ambiguous_among(f, cand, ncand) && !fragment_dropped(f))
            win[kept++] = win[w];
    }
    return kept;
}

/* A standard license notice (header) that wins its words names its
 * license: a reference, not a fragment of a license text. A part of one
 * names nothing for sure (the words that tell GPL from LGPL, a version,
 * "or any later version", may be the part missing): it is left out, and
 * the phrases that name a license (match6_references.c) speak for it.
 * Returns the winners left. */
static uint32_t notices_as_references(licscan_match *win, uint32_t nwin)
{
    uint32_t kept = 0;
    for (uint32_t w = 0; w < nwin; w++) {
        if (ls_template_is_header(win[w].tpl)) {
            if (win[w].kind == LICSCAN_KIND_PARTIAL)
                continue;
            win[w].kind = LICSCAN_KIND_REFERENCE;
            win[w].coverage = 0;
            win[w].runner = NULL;
            win[w].runner_coverage = 0;
            win[w].runner_similarity = 0;
        }
        win[kept++] = win[w];
    }
    return kept;
}

/* Could pending e, losing to winner w (or meeting it), still change the
 * answer through it, were e judged? As its runner-up; as the complete
 * match that takes a looser w's place (complete_over_partial); as the
 * "-only" text an "-or-later" w gives way to (only_over_or_later); or as
 * the rival that shows a partial w ambiguous (drop_ambiguous_fragments),
 * unless a candidate judged already has.
 * With `later` (w ranks after e's bound) the first two cannot be: e loses
 * first to a winner ranked before both (ls_left_out_may_change).
 * (That w becomes a reference, or is dropped, leaves e a loser: winners
 * are not chosen again after.) */
/* Times a chain was not judged as the rival that shows a partial winner
 * ambiguous because a candidate judged already did (the winner is then
 * dropped whatever else is judged), for the tests. */
static _Atomic uint64_t settled_ambiguous;

uint64_t ls_settled_ambiguous_count(void)
{
    return atomic_load_explicit(&settled_ambiguous, memory_order_relaxed);
}

static bool may_change(const scan *s, const pending *e, const ls_template *tp,
                       const licscan_match *w, bool later)
{
    size_t base, eb;
    if (!later && !w->runner && w->tpl != tp &&
        e->bound >= RUNNER_UP_SCORE * w->score &&
        e->cov_max >= RUNNER_UP_COVERAGE)
        return true; /* its runner-up */
    if (id_claim(w->tpl, &base) == 2 && id_claim(tp, &eb) != 2 && eb == base &&
        strncmp(tp->lic.id, w->tpl->lic.id, base) == 0)
        return true; /* the "-only" text of an "-or-later" w */
    if (!later && w->kind != LICSCAN_KIND_EXACT && w->tpl != tp &&
        e->cov_max > w->coverage && e->cov_max >= NEAR_COVERAGE &&
        e->bound >= against_inner(w))
        return true;
    if (w->kind != LICSCAN_KIND_PARTIAL || fragment_dropped(w))
        return false; /* a dropped fragment goes whatever e is */
    if (ambiguous_among(w, s->cand, s->ncand)) {
        /* candidates only grow: it will be dropped (ls_pick_winners) */
        atomic_fetch_add_explicit(&settled_ambiguous, 1, memory_order_relaxed);
        return false;
    }
    /* the words e may take: the same words as w's needs more than half */
    uint32_t lo = e->a0 > w->tstart ? e->a0 : w->tstart;
    uint32_t hi = e->b1 < w->tend ? e->b1 : w->tend;
    return hi >= lo && 2 * (uint64_t)(hi - lo + 1) > w->tend - w->tstart + 1 &&
           e->cov_max >= w->coverage * RIVAL_COVERAGE &&
           !one_license(tp, w->tpl);
}

/* Can the candidate of pending chain e change nothing? True when, among
 * the candidates already judged that surely rank before it (score above
 * its bound), the winners are such that whatever span it gets it loses to
 * one of them, and none it could meet could be changed through it
 * (may_change). */
bool ls_cannot_matter(scan *s, const pending *e, const ls_template *tp)
{
    if (s->db->pruning_off || !winners_above(s, e->bound))
        return false;
    for (uint32_t w = 0; w < s->npre_win; w++) {
        const licscan_match *win = &s->pre[w];
        if (win->tstart <= e->b1 && win->tend >= e->a0 &&
            may_change(s, e, tp, win, false))
            return false;
    }
    for (uint32_t a = e->a0; a <= e->a1; a++)
        for (uint32_t b = e->b0; b <= e->b1; b++) {
            uint32_t w = 0;
            while (w < s->npre_win &&
                   !spans_overlap(s->pre[w].tstart, s->pre[w].tend, a, b))
                w++;
            if (w == s->npre_win)
                return false; /* it could win there */
        }
    return true;
}

/* Does w overlap (spans_overlap) every span in [a0, b1] of at least
 * `least` words? A span no longer than w holds words outside it on one
 * side only, fewer than half its own when each side has fewer than half
 * of `least`; a longer span holds more than half of w's words when the
 * range has fewer than half of them outside w. */
static bool overlaps_every_span(const licscan_match *w, uint32_t a0,
                                uint32_t b1, uint32_t least)
{
    if (w->tstart > b1 || w->tend < a0)
        return false;
    uint64_t left = a0 < w->tstart ? w->tstart - a0 : 0;
    uint64_t right = b1 > w->tend ? b1 - w->tend : 0;
    uint64_t side = left > right ? left : right;
    return 2 * side < least && 2 * (left + right) < w->tend - w->tstart + 1;
}

/* The same for a chain not aligned yet, whose span is anywhere in
 * [a0, b1] and holds at least a candidate's fewest words: true when a
 * winner overlaps every such span and none that meets the range could be
 * changed through it. */
bool ls_chain_cannot_matter(scan *s, const pending *e, const ls_template *tp)
{
    if (s->db->pruning_off || !winners_above(s, e->bound))
        return false;
    uint32_t least =
        PARTIAL_MIN_WORDS < tp->nrequired ? PARTIAL_MIN_WORDS : tp->nrequired;
    bool covered = false;
    for (uint32_t w = 0; w < s->npre_win; w++) {
        const licscan_match *win = &s->pre[w];
        if (win->tstart > e->b1 || win->tend < e->a0)
            continue; /* no span there meets it */
        if (may_change(s, e, tp, win, false))
            return false;
        covered |= overlaps_every_span(win, e->a0, e->b1, least);
    }
    return covered;
}

/* Could chain e, left out by the two above, change a winner of all the
 * candidates judged since? Asked of every winner it may meet: one ranked
 * before its bound as above; one ranked after it (judged later) it can
 * neither beat nor take as runner-up (it loses first to a winner ranked
 * before both), nor take the place of (it overlaps that other winner),
 * but it can show it an ambiguous fragment, or be its "-only" text. */
bool ls_left_out_may_change(scan *s, const pending *e, const ls_template *tp)
{
    if (!winners_above(s, -HUGE_VAL))
        return false;
    for (uint32_t w = 0; w < s->npre_win; w++) {
        const licscan_match *win = &s->pre[w];
        if (win->tstart <= e->b1 && win->tend >= e->a0 &&
            may_change(s, e, tp, win, !(win->score > e->bound)))
            return true;
    }
    return false;
}

/* The candidates are spent here: the winners are copied out, and the
 * judging of their differences adds candidates anew. Selection works on
 * a copy (s->pre, free by now), so that the candidates stay whole for
 * complete_over_partial. */
void ls_pick_winners(scan *s)
{
    if (LS_GROW(s->a, s->pre, s->pre_cap, s->ncand)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    if (s->ncand)
        memcpy(s->pre, s->cand, s->ncand * sizeof(licscan_match));
    uint32_t nwin = select_winners(s->pre, s->ncand);
    complete_over_partial(s->cand, s->ncand, s->pre, nwin);
    only_over_or_later(s->cand, s->ncand, s->pre, nwin);
    nwin = drop_ambiguous_fragments(s->cand, s->ncand, s->pre, nwin);
    nwin = notices_as_references(s->pre, nwin);
    s->ncand = 0;
    s->npre = 0; /* s->pre no longer holds winners_above's selection */
    if (LS_GROW(s->a, s->win, s->win_cap, nwin)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    if (nwin)
        memcpy(s->win, s->pre, nwin * sizeof(licscan_match));
    s->nwin = nwin;
}
