/* match.c -- find which templates occur in a token stream, where, and how
 * they differ. The driver of one scan; the stages are one file each:
 *
 * 1. match1_candidates.c: every window of LS_SHINGLE input words is looked
 *    up in the shingle index; each posting is a hit for one template.
 * 2. match2_chains.c: per template, hits are chained in order on both
 *    sides, so a chain is one occurrence of the template; match2_bounds.c
 *    aligns and judges chains best bound first.
 * 3. match3_align.c: the gaps between a chain's hits are aligned by a
 *    small LCS.
 * 4. match4_judge.c: template vars absorb unmatched input words when their
 *    pattern accepts them; optional words may be missing; the rest makes
 *    the score and the differences.
 * 5. match5_rank.c: overlapping candidates compete on words explained; the
 *    loser closest to the winner is reported as runner-up.
 * 6. match6_references.c: outside text matches, phrases that name a
 *    license.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "match1_candidates.h"
#include "match2_bounds.h"
#include "match2_chains.h"
#include "match4_judge.h"
#include "match5_rank.h"
#include "match6_references.h"
#include "rivals.h"

static void pairs_free(scan *s, pairs *p)
{
    ls_free(s->a, p->i);
    ls_free(s->a, p->t);
}

static int start_cmp(const void *a, const void *b)
{
    const licscan_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
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
                      ls_diagonals *diag, const ls_text *text,
                      const ls_tokens *toks, const licscan_scan_options *opts,
                      licscan_result *res, uint8_t *judged)
{
    memset(s, 0, sizeof(*s));
    s->db = db;
    s->diag = diag;
    s->judged = judged;
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
    ls_free(s->a, s->bag);
    ls_free(s->a, s->shadow);
    ls_free(s->a, s->look);
    ls_free(s->a, s->nominated);
    ls_free(s->a, s->all_hits);
    ls_free(s->a, s->hit_tpl);
    ls_free(s->a, s->used);
    ls_free(s->a, s->f);
    ls_free(s->a, s->prev);
    ls_free(s->a, s->dprev);
    ls_free(s->a, s->win);
    ls_free(s->a, s->cand);
    pairs_free(s, &s->out);
    pairs_free(s, &s->tmp);
    pairs_free(s, &s->pool);
    while (s->kept) {
        kept_block *next = s->kept->next;
        ls_free(s->a, s->kept);
        s->kept = next;
    }
    ls_free(s->a, s->pend);
    ls_free(s->a, s->left);
    ls_free(s->a, s->heap);
    ls_free(s->a, s->pre);
    ls_free(s->a, s->chains);
    ls_free(s->a, s->searched);
    ls_free(s->a, s->chain_at);
    ls_free(s->a, s->order);
    ls_free(s->a, s->prior);
    ls_free(s->a, s->prior_at);
    ls_free(s->a, s->prior_cand);
    ls_free(s->a, s->some_counts);
    ls_buf_free(&s->subj);
}

/* Judge a winner again, this time keeping its differences: its aligned
 * pairs are kept (aligning its chain again gives the same). */
static void record_differences(scan *s, licscan_match *m)
{
    uint32_t before = s->ncand;
    const chain *ch = &s->chains[m->chain];
    s->record_diffs = true;
    if (ch->kn) {
        const pairs p = { (uint32_t *)ch->ki, (uint32_t *)ch->kt, ch->kn,
                          ch->kn };
        ls_judge_candidate(s, m->tpl, &p, ch->kreq);
    } else {
        const pairs an = ls_chain_anchors(s, ch);
        ls_build_candidate(s, m->tpl, &an);
    }
    s->record_diffs = false;
    if (s->ncand > before) {
        m->diffs = s->cand[s->ncand - 1].diffs;
        m->ndiffs = s->cand[s->ncand - 1].ndiffs;
        s->ncand = before;
    }
}

/* ---- a text that is one template, whole ----
 * Most license files are a license as published, its vars filled in.
 * When the rivals of templates are known (rivals.c: the templates a scan
 * of a template's own text judges), the template with most hits is tried
 * first against its rivals alone: when they give one exact match over
 * every word of the text, no other template was judged for that text,
 * and none is searched. Anything else, and every template is. */

/* The share of tp's required words that are words of the text (bits
 * by word id in `in`): what tells a longer template whose extra clause
 * the text lacks (its shingles there straddle a var and were never
 * indexed) from the one the text is. */
static double words_here(const ls_template *tp, const uint64_t *in,
                         uint32_t nwords)
{
    uint32_t here = 0, req = 0;
    for (uint32_t k = 0; k < tp->ntok; k++)
        if (!tp->optional[k]) {
            uint32_t id = tp->tok[k].id;
            req++;
            here += id <= nwords && (in[id / 64] >> (id % 64) & 1);
        }
    return req ? (double)here / req : 1;
}

typedef struct guess {
    uint32_t tpl;
    double fit; /* shingles found times nearness of length */
} guess;

static int guess_cmp(const void *a, const void *b)
{
    const guess *x = a, *y = b;
    if (x->fit != y->fit)
        return x->fit > y->fit ? -1 : 1;
    return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

/* Whether any of templates [t, t + 4) has the hits whole_guess asks of
 * a template (three, or fewer of one mostly of shared wording): most have
 * none, and four counts are read at once where SSE2 is. */
static inline bool maybe_whole(const scan *s, uint32_t t)
{
    const licscan_db *db = s->db;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    if (t + 4 <= db->ntpl) {
        /* (counts stay far below 2^31: MAX_HITS) */
        __m128i c =
            _mm_loadu_si128((const __m128i *)(const void *)(s->count + t));
        uint32_t common;
        memcpy(&common, db->mostly_common + t, sizeof common);
        return common ||
               _mm_movemask_epi8(_mm_cmpgt_epi32(c, _mm_set1_epi32(2)));
    }
#endif
    for (uint32_t k = t; k < t + 4 && k < db->ntpl; k++)
        if (s->count[k] >= 3 || db->mostly_common[k])
            return true;
    return false;
}

/* The template most likely to be the whole text, or UINT32_MAX: the one
 * whose shingles are here most fully, with its words, and whose length is
 * nearest the text's (the text holds its words and what its vars take),
 * of those with 95 % of their shingles here and about the text's length.
 * A template's own shingles (those of few templates) are counted as they
 * were looked up; one made mostly of wording many share (the BSD and MIT
 * variants) has its postings in the common lists counted too. Only a
 * guess: a try that fails costs time, never the answer. */
static uint32_t whole_guess(scan *s)
{
    const licscan_db *db = s->db;
    guess *g = NULL;
    uint32_t ng = 0, cap = 0;
    const uint32_t *words = db->tpl_words; /* (no template read) */
    for (uint32_t t = 0; t < db->ntpl; t++) {
        if (!(t % 4) && !maybe_whole(s, t)) {
            t += 3;
            continue;
        }
        uint32_t ntok = words[3 * t], nrequired = words[3 * t + 1];
        uint32_t nshingles = words[3 * t + 2]; /* 0: not matched */
        if ((s->count[t] < 3 && !db->mostly_common[t]) ||
            s->n > ntok + ntok / 4 + PARAGRAPH_WORDS ||
            s->n + PARAGRAPH_WORDS < nrequired || !nshingles)
            continue;
        uint32_t own = nshingles - db->common_of[t];
        double found;
        if (!db->mostly_common[t]) {
            found = (double)s->count[t] / own;
        } else {
            if (s->count[t] < 0.95 * own)
                continue;
            found = (double)(s->count[t] + ls_common_hits(s, t)) / nshingles;
        }
        if (found < 0.95)
            continue;
        if (LS_GROW(s->a, g, cap, ng + 1)) {
            s->rc = LICSCAN_ENOMEM;
            break;
        }
        g[ng++] = (guess){ t, (found < 1 ? found : 1) *
                                  (s->n < ntok ? (double)s->n / ntok
                                               : (double)ntok / s->n) };
    }
    /* the words of a template mostly of shared wording, where they can
     * change the pick: best first */
    uint32_t best = UINT32_MAX, nwords = db->lex.dict.count;
    double best_fit = 0;
    uint64_t *in = NULL;
    if (ng > 1)
        qsort(g, ng, sizeof *g, guess_cmp);
    for (uint32_t k = 0; k < ng && !s->rc && g[k].fit > best_fit; k++) {
        double fit = g[k].fit;
        if (ng > 1 && db->mostly_common[g[k].tpl]) {
            if (!in) {
                in = ls_calloc(s->a, nwords / 64 + 1, sizeof(uint64_t));
                if (!in) {
                    s->rc = LICSCAN_ENOMEM;
                    break;
                }
                for (uint32_t i = 0; i < s->n; i++)
                    if (s->tk[i].id <= nwords)
                        in[s->tk[i].id / 64] |= UINT64_C(1)
                                                << (s->tk[i].id % 64);
            }
            if (!ls_scan_words_ready(s, g[k].tpl))
                break;
            fit *= words_here(db->tpl[g[k].tpl], in, nwords);
        }
        if (fit > best_fit) {
            best_fit = fit;
            best = g[k].tpl;
        }
    }
    ls_free(s->a, in);
    ls_free(s->a, g);
    return s->rc ? UINT32_MAX : best;
}

/* Stages 2 to 5 undone (chains, alignments, candidates, winners); the
 * hits stay, and with `keep` the anchors and aligned pairs too (for
 * keep_for_reuse). */
static void reset_search(scan *s, bool keep)
{
    ls_free(s->a, s->searched);
    ls_free(s->a, s->dprev);
    ls_free(s->a, s->chain_at);
    s->searched = s->chain_at = NULL;
    s->dprev = NULL;
    while (s->kept && !keep) {
        kept_block *next = s->kept->next;
        ls_free(s->a, s->kept);
        s->kept = next;
    }
    if (!keep)
        s->pool.n = 0;
    s->nchains = s->ncand = s->npre = s->npre_win = s->nshadow = s->nwin = 0;
    s->chains_seen = 0;
    s->chain_best = 0;
    s->out.n = s->tmp.n = 0;
}

/* A failed try's chains (those it searched itself, not copied from a
 * twin), alignments and candidates put aside for the search of all
 * templates (copy_prior), and the try undone. */
static void keep_for_reuse(scan *s)
{
    const licscan_db *db = s->db;
    /* the candidates the chains name (ranking has emptied the list; its
     * entries stay) */
    uint32_t ncand = 0;
    for (uint32_t c = 0; c < s->nchains; c++)
        if (s->chains[c].cand >= 0 && (uint32_t)s->chains[c].cand >= ncand)
            ncand = (uint32_t)s->chains[c].cand + 1;
    s->prior = ls_malloc(s->a, ((size_t)s->nchains + 1) * sizeof(chain));
    s->prior_at = ls_malloc(s->a, 2 * ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    s->prior_cand = ls_malloc(s->a, ((size_t)ncand + 1) * sizeof(licscan_match));
    if (!s->prior || !s->prior_at || !s->prior_cand) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    memset(s->prior_at, 0xff, 2 * ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    if (ncand)
        memcpy(s->prior_cand, s->cand, ncand * sizeof(licscan_match));
    for (uint32_t t = 0; t < db->ntpl; t++) {
        uint32_t lo = s->searched[2 * t], hi = s->searched[2 * t + 1];
        if (lo == UINT32_MAX)
            continue;
        uint32_t first = s->nprior;
        bool own = true;
        for (uint32_t id = lo; id < hi && own; id++) {
            const chain *c = &s->chains[s->chain_at[id]];
            own = c->orig == c->id;
            s->prior[s->nprior++] = *c;
        }
        if (!own) {
            s->nprior = first; /* a twin's copies: copy_twin does them */
            continue;
        }
        s->prior_at[2 * t] = first;
        s->prior_at[2 * t + 1] = s->nprior;
    }
    reset_search(s, true);
}

/* Stages 2 to 5 for the templates in s->order (ls_group_hits_of). */
static void search_some(scan *s)
{
    ls_find_chains(s);
    s->whole_try = true;
    if (!s->rc)
        ls_align_chains(s);
    s->whole_try = false;
    if (!s->rc && !s->gave_up)
        ls_pick_winners(s);
}

/* The templates allowed marks into list, in descending index (as
 * ls_group_hits_of takes them); their number. */
static uint32_t allowed_list(const licscan_db *db, const uint8_t *allowed,
                             uint32_t *list)
{
    uint32_t n = 0, t = db->ntpl;
    /* a few of hundreds: eight flags read at once */
    for (; t >= 8; t -= 8) {
        uint64_t any;
        memcpy(&any, allowed + t - 8, sizeof any);
        if (!any)
            continue;
        for (uint32_t k = t; k-- > t - 8;)
            if (allowed[k])
                list[n++] = k;
    }
    while (t-- > 0)
        if (allowed[t])
            list[n++] = t;
    return n;
}

/* Allow the rivals of template t that can matter when the text, of
 * nwords words, is t whole: false when all those were allowed already.
 * A text of t matches at most `shared` of rival u's required words
 * beyond the words t's vars and optional blocks put in it (those past
 * t's required words); when that is under the coverage a runner-up needs,
 * u cannot be one, nor win (it would have to explain every word, as t
 * does, with coverage of 1). (A twin's chains are copied when it was
 * searched, else found alike.) */
static bool allow_rivals(scan *s, uint8_t *allowed, uint32_t t)
{
    const licscan_db *db = s->db;
    uint32_t nr;
    const uint32_t *r = ls_rivals_of(db, t, &nr);
    if (!r)
        return false;
    const uint32_t *shared = db->rivals.shared + db->rivals.off[t];
    const ls_template *tp = db->tpl[t];
    uint64_t added = s->n > tp->nrequired ? s->n - tp->nrequired : 0;
    bool more = false;
    for (uint32_t k = 0; k < nr; k++) {
        if (allowed[r[k]])
            continue;
        /* computed as ls_judge_candidate computes a coverage */
        if ((double)(shared[k] + added) / db->tpl[r[k]]->nrequired <
            RUNNER_UP_COVERAGE) {
            s->rivals_left_out++;
            continue;
        }
        allowed[r[k]] = 1;
        more = true;
    }
    return more;
}

static _Atomic uint64_t whole_settled, rivals_left_out, whole_answered;

uint64_t ls_whole_template_count(void)
{
    return atomic_load_explicit(&whole_settled, memory_order_relaxed);
}

uint64_t ls_rivals_left_out_count(void)
{
    return atomic_load_explicit(&rivals_left_out, memory_order_relaxed);
}

uint64_t ls_whole_answer_count(void)
{
    return atomic_load_explicit(&whole_answered, memory_order_relaxed);
}

/* The key of a text's answer: its words, and its bytes but for the
 * whitespace at either end. Texts with one key scan alike (a word's
 * spacing is read too: what a var takes, where paragraphs break), so an
 * answer found for one holds for the other. */
static uint64_t whole_key(const scan *s)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ s->n;
    for (uint32_t k = 0; k < s->n; k++) {
        h = (h ^ s->tk[k].id) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    const char *t = s->text->text;
    size_t a = 0, b = s->text->len;
    while (a < b && ls_is_space(t[a]))
        a++;
    while (b > a && ls_is_space(t[b - 1]))
        b--;
    return ls_mix64(h ^ ls_hash_bytes(t + a, b - a));
}

/* What the search of s found, as the answer for its text when that is
 * one exact match of every word (ntok 0 when not). */
static ls_whole_answer answer_of(const scan *s)
{
    ls_whole_answer e = { 0 };
    const licscan_match *w = s->win;
    if (s->nwin != 1 || w->kind != LICSCAN_KIND_EXACT || w->tstart != 0 ||
        w->tend != s->n - 1)
        return e;
    e.key = whole_key(s);
    e.ntok = s->n;
    e.winner = w->tpl->index;
    e.runner = w->runner ? w->runner->index : UINT32_MAX;
    e.coverage = w->runner_coverage;
    e.similarity = w->runner_similarity;
    return e;
}

/* The answer for s's text when the set has one (rivals.c): the same
 * number of words, then the same key. */
static const ls_whole_answer *known_answer(const scan *s)
{
    const ls_rivals *rv = &s->db->rivals;
    if (!rv->nanswers || s->db->answers_off)
        return NULL;
    uint32_t lo = 0, hi = rv->nanswers;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rv->answers[mid].ntok < s->n)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == rv->nanswers || rv->answers[lo].ntok != s->n)
        return NULL;
    uint64_t key = whole_key(s);
    for (; lo < rv->nanswers && rv->answers[lo].ntok == s->n; lo++)
        if (rv->answers[lo].key == key)
            return &rv->answers[lo];
    return NULL;
}

/* Tries at most: the guess, then the winners it led to. */
#define WHOLE_TRIES 3

/* Try the likeliest template and its rivals alone; true when that
 * settles the answer (s->win holds it): one exact match of every word,
 * of a template whose own rivals were all searched. When the winner is
 * another template, its rivals are added and the search made again.
 * A text the set has an answer for is tried against its winner alone:
 * found there whole, it takes the answer's runner-up. */
static bool whole_template(scan *s)
{
    const licscan_db *db = s->db;
    if (s->judged || s->complete_only || !db->rivals.off || db->whole_off ||
        !db->common_of)
        return false;
    const ls_whole_answer *known = known_answer(s);
    uint32_t t1 = known ? known->winner : whole_guess(s);
    if (t1 == UINT32_MAX || s->rc)
        return false;
    uint8_t *allowed = ls_calloc(s->a, db->ntpl + 1, 1);
    uint32_t *list = ls_malloc(s->a, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    if (!allowed || !list) {
        ls_free(s->a, allowed);
        ls_free(s->a, list);
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    allowed[t1] = 1;
    if (!known)
        allow_rivals(s, allowed, t1);
    bool whole = false, searched = false;
    for (int try = 0; try < WHOLE_TRIES && !whole && !s->rc; try++) {
        if (try) {
            reset_search(s, false);
            ls_ungroup_hits_of(s);
            searched = false;
        }
        if (!ls_group_hits_of(s, allowed, list,
                              allowed_list(db, allowed, list)))
            break;
        search_some(s);
        searched = true;
        if (s->rc || s->gave_up || s->nwin != 1 ||
            s->win[0].kind != LICSCAN_KIND_EXACT || s->win[0].tstart != 0 ||
            s->win[0].tend != s->n - 1)
            break;
        if (known && s->win[0].tpl->index == known->winner &&
            (known->runner >= db->ntpl ||
             ls_scan_words_ready(s, known->runner))) {
            licscan_match *w = &s->win[0];
            w->runner =
                known->runner < db->ntpl ? db->tpl[known->runner] : NULL;
            w->runner_coverage = known->coverage;
            w->runner_similarity = known->similarity;
            whole = true;
            atomic_fetch_add_explicit(&whole_answered, 1, memory_order_relaxed);
            break;
        }
        whole = !allow_rivals(s, allowed, s->win[0].tpl->index);
    }
    ls_free(s->a, allowed);
    ls_free(s->a, list);
    if (whole) {
        atomic_fetch_add_explicit(&whole_settled, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&rivals_left_out, s->rivals_left_out,
                                  memory_order_relaxed);
    } else if (!s->rc) {
        if (searched)
            keep_for_reuse(s);
        ls_ungroup_hits_of(s);
    }
    s->gave_up = false;
    return whole;
}

/* Stages 1 to 5: the winners of s's words into s->win, their
 * differences recorded. */
static void find_winners(scan *s)
{
    if (!s->rc)
        ls_look_up(s);
    if (!s->rc && !whole_template(s) && !s->rc) {
        ls_group_all(s);
        if (!s->rc)
            ls_find_chains(s);
        if (!s->rc)
            ls_align_chains(s);
        if (!s->rc)
            ls_pick_winners(s);
    }
    /* an exact match has none: no word extra, none missing, every var
     * taking its words (match4_judge.c) */
    for (uint32_t w = 0; w < s->nwin && !s->rc; w++)
        if (s->win[w].kind != LICSCAN_KIND_REFERENCE &&
            s->win[w].kind != LICSCAN_KIND_EXACT)
            record_differences(s, &s->win[w]);
}

/* Words a partial winner may explain beyond the complete matches inside
 * it and still give way to them: alignment noise at their edges. */
#define PARTIAL_NOISE_WORDS CHAIN_MIN_WORDS

/* A partial winner gives way to the complete matches inside its words
 * when it explains fewer input words outside them than it misses between
 * its ends. A template that meets a file's several licenses in pieces (a
 * composite of BSD texts over two BSD licenses, an exception over the
 * notice it quotes) is then evidence against itself: each piece is a
 * whole license of its own. Those matches are found by a scan of the
 * winner's words alone in which only complete matches count, since in
 * the first scan the longer template's chain hid them. */
/* The winners of a scan of s's words [t0, t1] alone in which only
 * complete matches count, their token spans made s's, into `in` (the
 * caller frees it). */
static void scan_for_complete(scan *s, scan *in, uint32_t t0, uint32_t t1,
                              const ls_tokens *toks,
                              const licscan_scan_options *opts)
{
    ls_tokens view = *toks;
    view.v = toks->v + t0;
    view.n = t1 - t0 + 1;
    scan_init(in, s->db, s->a, s->diag, s->text, &view, opts, s->res,
              s->judged);
    in->complete_only = true;
    find_winners(in);
    for (uint32_t k = 0; k < in->nwin; k++) {
        in->win[k].tstart += t0;
        in->win[k].tend += t0;
    }
}

/* Does m overlap a winner of s other than s->win[skip]? A notice (a
 * reference) does not hold the words of a text it holds: an exception
 * inside a GPL notice is a text of its own. */
static bool overlaps_winner(const scan *s, const licscan_match *m,
                            uint32_t skip)
{
    for (uint32_t o = 0; o < s->nwin; o++)
        if (o != skip && s->win[o].kind != LICSCAN_KIND_REFERENCE &&
            ls_matches_overlap(m, &s->win[o]))
            return true;
    return false;
}

/* Of the words of partial match part outside the matches m[0, n), those
 * few license texts hold: what the partial explains there that a
 * warranty disclaimer shared by many licenses would not. */
static uint32_t rare_words_outside(scan *s, const licscan_match *part,
                                   const licscan_match *m, uint32_t n)
{
    uint32_t *words = ls_malloc(s->a, (size_t)(part->tend - part->tstart + 1) *
                                          sizeof(uint32_t));
    if (!words) {
        s->rc = LICSCAN_ENOMEM;
        return 0;
    }
    uint32_t nw = 0;
    for (uint32_t x = part->tstart; x <= part->tend && x < s->n; x++) {
        bool in = false;
        for (uint32_t k = 0; k < n && !in; k++)
            in = x >= m[k].tstart && x <= m[k].tend;
        if (!in)
            words[nw++] = x;
    }
    uint32_t rare = ls_distinct_words(s, words, nw, UINT32_MAX);
    ls_free(s->a, words);
    return rare;
}

static void complete_inside_partial(scan *s, uint32_t w, const ls_tokens *toks,
                                    const licscan_scan_options *opts)
{
    const licscan_match part = s->win[w];
    scan in;
    scan_for_complete(s, &in, part.tstart, part.tend, toks, opts);
    uint32_t keep = 0, inside = 0;
    for (uint32_t k = 0; k < in.nwin && !in.rc; k++) {
        licscan_match m = in.win[k];
        if (m.kind == LICSCAN_KIND_PARTIAL || m.score < CHAIN_MIN_WORDS ||
            (ls_match_clean_inside(&part) && !ls_match_clean_inside(&m)) ||
            overlaps_winner(s, &m, w))
            continue;
        inside += m.tend - m.tstart + 1;
        in.win[keep++] = m;
    }
    uint32_t span = part.tend - part.tstart + 1;
    if (inside > span)
        inside = span;
    double outside = (double)part.matched * (span - inside) / span;
    if (keep && outside > PARTIAL_NOISE_WORDS && !in.rc) {
        uint32_t rare = rare_words_outside(s, &part, in.win, keep);
        if (rare < outside)
            outside = rare;
    }
    double allowed = part.inner_missing > PARTIAL_NOISE_WORDS
                         ? part.inner_missing
                         : PARTIAL_NOISE_WORDS;
    if (!in.rc && keep && outside <= allowed) {
        if (LS_GROW(s->a, s->win, s->win_cap, s->nwin + keep - 1))
            in.rc = LICSCAN_ENOMEM;
        else {
            s->win[w] = in.win[0];
            for (uint32_t k = 1; k < keep; k++)
                s->win[s->nwin++] = in.win[k];
        }
    }
    if (in.rc)
        s->rc = in.rc;
    scan_free(&in);
}

static int u32_pair_cmp(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The one winner m overlaps that m may take the place of: m exact, the
 * winner not, explaining fewer words than m over the same words.
 * UINT32_MAX when m overlaps none; s->nwin when m must stay out. */
static uint32_t displaced_by(const scan *s, const licscan_match *m)
{
    uint32_t found = UINT32_MAX;
    for (uint32_t o = 0; o < s->nwin; o++) {
        const licscan_match *w = &s->win[o];
        if (w->kind == LICSCAN_KIND_REFERENCE || !ls_matches_overlap(m, w))
            continue; /* a notice holds no text's words (overlaps_winner) */
        if (found != UINT32_MAX || m->kind != LICSCAN_KIND_EXACT ||
            w->kind == LICSCAN_KIND_EXACT || m->score <= w->score ||
            m->coverage <= w->coverage)
            return s->nwin;
        found = o;
    }
    return found;
}

/* The complete matches of a scan of words [a, end] alone, added to the
 * winners where they overlap none, or an exact one taking the place of
 * the looser one it overlaps (displaced_by). Fewer than
 * CHAIN_MIN_WORDS explained is noise. */
static void add_complete_in(scan *s, uint32_t a, uint32_t end,
                            const ls_tokens *toks,
                            const licscan_scan_options *opts)
{
    scan in;
    scan_for_complete(s, &in, a, end, toks, opts);
    for (uint32_t j = 0; j < in.nwin && !in.rc; j++) {
        const licscan_match *m = &in.win[j];
        if (m->kind == LICSCAN_KIND_PARTIAL || m->score < CHAIN_MIN_WORDS)
            continue;
        uint32_t o = displaced_by(s, m);
        if (o < s->nwin)
            s->win[o] = *m;
        else if (o == s->nwin)
            continue;
        else if (LS_GROW(s->a, s->win, s->win_cap, s->nwin + 1))
            in.rc = LICSCAN_ENOMEM;
        else
            s->win[s->nwin++] = *m;
    }
    if (in.rc)
        s->rc = in.rc;
    scan_free(&in);
}

/* Could what shadow sh hid change the answer? Not when the template
 * whose chain hid it wins there, nor when a winner there already scores
 * what the hidden one could at most. */
static bool shadow_open(const scan *s, const ls_shadow *sh, uint32_t b)
{
    const ls_template *over = s->db->tpl[sh->over];
    for (uint32_t w = 0; w < s->nwin; w++) {
        const licscan_match *m = &s->win[w];
        if (m->tend < sh->a || m->tstart > b)
            continue;
        if (ls_same_text(m->tpl, over) || m->score >= sh->bound)
            return false;
    }
    return true;
}

/* Words where a chain or a template was dropped for lying inside a
 * stronger chain of another template, and what it hid could still change
 * the answer (shadow_open): it may be a complete match (an ISC text after
 * a BSD text, both under a composite's chain that lost to the BSD match;
 * the GNAT exception under eCos's chain, where a looser exception won).
 * Each such run of at least CHAIN_MIN_WORDS that no exact match holds is
 * looked at again for complete matches. */
static void complete_in_shadows(scan *s, const ls_tokens *toks,
                                const licscan_scan_options *opts)
{
    if (!s->nshadow || !s->n)
        return;
    /* a match the shadow hid may run past its ends: widen, then merge */
    uint32_t *sh = ls_malloc(s->a, 2 * sizeof(uint32_t) * s->nshadow);
    uint32_t n = 0, nspan = 0;
    if (!sh) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    for (uint32_t k = 0; k < s->nshadow; k++) {
        ls_shadow d = s->shadow[k];
        uint32_t b = d.b;
        if (b > s->n - 1) /* a chain's end may be one past its last word */
            b = s->n - 1;
        if (!shadow_open(s, &d, b))
            continue;
        sh[2 * nspan] = d.a > EDGE_INPUT ? d.a - EDGE_INPUT : 0;
        sh[2 * nspan + 1] =
            s->n - 1 - b > EDGE_INPUT ? b + EDGE_INPUT : s->n - 1;
        nspan++;
    }
    qsort(sh, nspan, 2 * sizeof(uint32_t), u32_pair_cmp);
    for (uint32_t k = 0; k < nspan; k++) {
        if (n && sh[2 * k] <= sh[2 * n - 1] + 1) {
            if (sh[2 * k + 1] > sh[2 * n - 1])
                sh[2 * n - 1] = sh[2 * k + 1];
            continue;
        }
        sh[2 * n] = sh[2 * k];
        sh[2 * n + 1] = sh[2 * k + 1];
        n++;
    }
    uint32_t nwin = s->nwin;
    for (uint32_t k = 0; k < n && !s->rc; k++) {
        uint32_t a = sh[2 * k], b = sh[2 * k + 1];
        while (a <= b && !s->rc) {
            /* the run from a up to the next word an exact winner holds */
            uint32_t end = b;
            bool held = false;
            for (uint32_t w = 0; w < nwin && !held; w++) {
                const licscan_match *m = &s->win[w];
                if (m->kind != LICSCAN_KIND_EXACT)
                    continue;
                if (m->tstart <= a && m->tend >= a) {
                    a = m->tend + 1;
                    held = true;
                } else if (m->tstart > a && m->tstart - 1 < end)
                    end = m->tstart - 1;
            }
            if (held)
                continue;
            if (end + 1 - a >= CHAIN_MIN_WORDS)
                add_complete_in(s, a, end, toks, opts);
            a = end + 1;
        }
    }
    ls_free(s->a, sh);
}

/* The first word starting at or after input offset off. */
static uint32_t word_at(const scan *s, uint64_t off)
{
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ls_text_input_offset(s->text, s->tk[mid].start) < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Input words a winner leaves unexplained inside its span, in runs of
 * at least INSERTED_MIN_WORDS: an exception set into its license's text
 * (the eCos exception before the GPL's "END OF TERMS") is a text of its
 * own. Each run is scanned again, and the complete matches found there
 * stand beside the winner that holds the run. */
#define INSERTED_MIN_WORDS 24
static void complete_in_insertions(scan *s, const ls_tokens *toks,
                                   const licscan_scan_options *opts)
{
    uint32_t nwin = s->nwin;
    for (uint32_t w = 0; w < nwin && !s->rc; w++) {
        const licscan_match *host = &s->win[w];
        if (host->kind != LICSCAN_KIND_NEAR &&
            host->kind != LICSCAN_KIND_PARTIAL)
            continue;
        for (uint32_t k = 0; k < host->ndiffs && !s->rc; k++) {
            const ls_diff *d = &host->diffs[k];
            if (d->op != LICSCAN_DIFF_INSERTED &&
                d->op != LICSCAN_DIFF_REPLACED)
                continue;
            uint32_t a = word_at(s, d->start), b = word_at(s, d->end);
            if (b < a + INSERTED_MIN_WORDS)
                continue;
            scan in;
            scan_for_complete(s, &in, a, b - 1, toks, opts);
            for (uint32_t j = 0; j < in.nwin && !in.rc; j++) {
                const licscan_match *m = &in.win[j];
                if (m->kind == LICSCAN_KIND_PARTIAL ||
                    m->score < CHAIN_MIN_WORDS || overlaps_winner(s, m, w))
                    continue;
                if (LS_GROW(s->a, s->win, s->win_cap, s->nwin + 1))
                    in.rc = LICSCAN_ENOMEM;
                else
                    s->win[s->nwin++] = *m;
                host = &s->win[w]; /* the array may have moved */
            }
            if (in.rc)
                s->rc = in.rc;
            scan_free(&in);
        }
    }
}

int ls_match_text(const licscan_db *db, const ls_alloc *work,
                  ls_diagonals *diagonals, const ls_text *text,
                  const ls_tokens *toks, const licscan_scan_options *opts,
                  licscan_result *res, ls_probe *probe)
{
    scan s;
    scan_init(&s, db, work, diagonals, text, toks, opts, res,
              probe ? probe->judged : NULL);
    find_winners(&s);
    if (probe && !s.rc)
        probe->answer = answer_of(&s);
    for (uint32_t w = 0, n = s.nwin; w < n && !s.rc; w++)
        if (s.win[w].kind == LICSCAN_KIND_PARTIAL)
            complete_inside_partial(&s, w, toks, opts);
    if (!s.rc)
        complete_in_shadows(&s, toks, opts);
    if (!s.rc)
        complete_in_insertions(&s, toks, opts);
    if (!s.rc)
        ls_find_references(&s, &s.win, &s.nwin, &s.win_cap);
    if (!s.rc)
        ls_find_card_references(&s, &s.win, &s.nwin, &s.win_cap);
    if (!s.rc)
        put_matches(&s);
    scan_free(&s);
    return s.rc;
}
