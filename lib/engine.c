/* engine.c -- the rule engine, the second stage of a scan's clause
 * pipeline (engine.h): the keyword prefilter (keywords.h) picks the
 * (clause, rule) pairs worth running PCRE2 on, so most rules never run on
 * most clauses; the pattern prefilter (prefilter.c) skips patterns a
 * clause lacks the strings of; a clause the memo knows (memo.c) takes its
 * answer. A rule fires on a clause by its own words (match and unless
 * patterns), then stands if its context allows (within, through the
 * clause's lead-ins, and unless-anywhere). */
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "engine.h"
#include "keywords.h"
#include "memo.h"
#include "numbers.h"

#define MAX_LEAD_CHAIN 8 /* lead-ins looked through by `within` */

static void queue(engine *e, uint32_t ci, uint32_t rule)
{
    if (e->queued[rule] == ci + 1 || e->rc)
        return;
    if (e->memo_of && e->memo_of[ci] && rule < e->memo->nrules)
        return; /* the memo has this rule's answer */
    e->queued[rule] = ci + 1;
    if ((e->rc = LS_GROW(e->a, e->hits, e->hits_cap, e->nhits + 1)))
        return;
    e->hits[e->nhits++] = (hit){ ci, rule };
}

#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
/* Bit i set: byte i of v is one alnum() takes (a letter, digit or byte of
 * a UTF-8 sequence). */
static inline unsigned word_mask(__m128i v)
{
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* ASCII lowercase */
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128()); /* 0x80 and up */
    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(letter, digit), high));
}
#endif

/* Queue the rules with a keyword that starts at display byte i, the start
 * of a word of clause ci (ls_kw_may_start said it might). */
static void keywords_at(engine *e, uint32_t ci, uint32_t i)
{
    const struct ls_kw_index *x = e->db->kw;
    const char *d = e->s->disp.data;
    uint32_t room = e->s->cl[ci].de - i;
    uint32_t start = kw_start(d + i), word = start >> 6;
    uint64_t below = x->starts[word] & ((1ull << (start & 63)) - 1);
    uint32_t g = x->rank[word] + (uint32_t)__builtin_popcountll(below);
    uint64_t head = kw_head(d + i, room);
    for (uint32_t k = x->group[g]; k < x->group[g + 1]; k++) {
        const ls_kw_entry *en = &x->e[k];
        if (en->len <= room && (head & en->head_mask) == en->head &&
            (en->len <= 8 ||
             same_ascii_caseless(d + i + 8, en->kw + 8, en->len - 8)))
            queue(e, ci, en->rule);
    }
}

/* Sort the hits of one clause by rule (a few: insertion). */
static void sort_hits(hit *h, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        hit t = h[i];
        uint32_t j = i;
        for (; j && h[j - 1].rule > t.rule; j--)
            h[j] = h[j - 1];
        h[j] = t;
    }
}

/* e->always_high, once per engine: the rules run on every clause that
 * the prefilter would turn away from an all-ASCII one anyway (not asked
 * when it is off). */
static int find_always_high(engine *e)
{
    const struct ls_kw_index *x = e->db->kw;
    if (e->always_high || e->db->prefilter_off || !x->nalways)
        return LICSCAN_OK;
    e->always_high = ls_malloc(e->a, x->nalways);
    if (!e->always_high)
        return LICSCAN_ENOMEM;
    for (uint32_t k = 0; k < x->nalways; k++) {
        const ls_rule *r = e->db->rules.v[x->always[k]];
        bool high = r->nmatch > 0;
        for (uint32_t i = 0; i < r->nmatch && high; i++)
            high = ls_pattern_needs_high(&e->db->alloc, r->match[i]);
        e->always_high[k] = high;
        e->any_always_high |= high;
    }
    return LICSCAN_OK;
}

/* The keyword prefilter: one pass over the words of the display text.
 * The hits come out clause by clause, each clause's by rule. */
static void collect_hits(engine *e)
{
    const struct ls_kw_index *x = e->db->kw;
    const seg *s = e->s;
    const char *d = s->disp.data;
    /* with no rules beyond the memo's, a memo clause needs no keywords */
    bool skip_memo = e->memo_of && e->memo->nrules == e->db->rules.n;
    for (uint32_t ci = 0; ci < s->ncl; ci++) {
        uint32_t first = e->nhits;
        if (s->cl[ci].quoted)
            continue; /* wording quoted in a code span: no terms */
        if (skip_memo && e->memo_of[ci])
            continue; /* queue would take no rule for it */
        const uint32_t ds = s->cl[ci].ds, de = s->cl[ci].de;
        bool ascii = e->any_always_high && ls_all_ascii(d + ds, de - ds);
        for (uint32_t k = 0; k < x->nalways; k++)
            if (!ascii || !e->always_high[k])
                queue(e, ci, x->always[k]);
        /* the words of the clause: a byte that starts one follows a
         * byte that ends one, or the text's start */
        bool in_word = ds && ls_word_byte[(unsigned char)d[ds - 1]];
        uint32_t i = ds;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
        for (; i + 16 <= de; i += 16) {
            unsigned w = word_mask(
                _mm_loadu_si128((const __m128i *)(const void *)(d + i)));
            unsigned starts = w & ~(w << 1 | (unsigned)in_word);
            in_word = w >> 15 & 1;
            for (; starts; starts &= starts - 1) {
                uint32_t at = i + (uint32_t)__builtin_ctz(starts);
                if (ls_kw_may_start(x, d + at, de - at))
                    keywords_at(e, ci, at);
            }
        }
#endif
        for (; i < de; i++) {
            bool w = ls_word_byte[(unsigned char)d[i]];
            if (w && !in_word && ls_kw_may_start(x, d + i, de - i))
                keywords_at(e, ci, i);
            in_word = w;
        }
        if (!e->rc && e->nhits - first > 1) /* hits may still be NULL */
            sort_hits(e->hits + first, e->nhits - first);
    }
}

/* Made the first time a pattern runs: a JIT-compiled copy, published
 * with a compare-and-swap. The original is never written once published,
 * so scans that read it meanwhile are safe; the loser of a race frees its
 * copy. When the JIT fails (no memory, unsupported CPU) the original is
 * published, so the JIT is not tried again and the interpreter runs it.
 * NULL when the pattern cannot be compiled (e->rc says why when it is
 * memory). */
static const pcre2_code *pattern_publish(engine *e, ls_pattern *p)
{
    int rc;
    pcre2_code *code = ls_pattern_compiled(e->db, p, &rc);
    if (!code) {
        if (rc == LICSCAN_ENOMEM)
            e->rc = rc;
        return NULL;
    }
    /* (with an allocator hook no JIT: see rulefile.c) */
    pcre2_code *copy = e->db->custom_allocator ? NULL : pcre2_code_copy(code);
    if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(copy);
        copy = NULL;
    }
    pcre2_code *mine = copy ? copy : code, *seen = NULL;
    if (atomic_compare_exchange_strong_explicit(
            &p->run, &seen, mine, memory_order_acq_rel, memory_order_acquire))
        return mine;
    if (copy)
        pcre2_code_free(copy);
    return seen;
}

static inline const pcre2_code *pattern_code(engine *e, ls_pattern *p)
{
    const pcre2_code *run = atomic_load_explicit(&p->run, memory_order_acquire);
    return run ? run : pattern_publish(e, p);
}

/* 1: match, 0: none. A PCRE2 limit counts as no match, and is reported. */
static int run_pattern(engine *e, ls_pattern *pat, const clause *c)
{
    const pcre2_code *code = pattern_code(e, pat);
    if (!code)
        return 0;
    int rc = pcre2_match(code, (PCRE2_SPTR)e->s->disp.data + c->ds,
                         c->de - c->ds, 0, PCRE2_NO_UTF_CHECK, e->md, e->mc);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAP_FAILED)
        e->rc = LICSCAN_ENOMEM;
    else
        e->limit_hit = true; /* match, depth, heap or JIT stack limit */
    return 0;
}

static bool group_span(engine *e, const ls_pattern *pat, const char *name,
                       uint32_t base, uint32_t *gs, uint32_t *ge)
{
    /* the JIT copy has the same name table as the original */
    const pcre2_code *code =
        atomic_load_explicit(&pat->code, memory_order_acquire);
    int g = code ? pcre2_substring_number_from_name(code, (PCRE2_SPTR)name)
                 : -1;
    if (g < 0 || (uint32_t)g >= pcre2_get_ovector_count(e->md))
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return false;
    *gs = base + (uint32_t)ov[2 * g];
    *ge = base + (uint32_t)ov[2 * g + 1];
    return true;
}

/* Names clause c of the engine's current text among all it has read. */
static uint64_t clause_key(const engine *e, const clause *c)
{
    return (uint64_t)e->serial << 32 | (uint32_t)(c - e->s->cl);
}

/* The clause as the prefilter reads it: a pattern whose requirement it
 * lacks cannot match, and is not run. Valid until SUBJECTS_KEPT other
 * clauses have been asked for. */
static ls_subject *clause_subject(engine *e, const clause *c)
{
    uint64_t key = clause_key(e, c);
    ls_subject *sub = NULL;
    for (uint32_t i = 0; i < SUBJECTS_KEPT && !sub; i++)
        if (e->subjects[i].has_set && e->subjects[i].set_key == key)
            sub = &e->subjects[i];
    if (!sub)
        sub = &e->subjects[e->next_subject++ % SUBJECTS_KEPT];
    ls_subject_set(sub, e->s->disp.data + c->ds, c->de - c->ds,
                   !e->db->prefilter_off, key);
    return sub;
}

/* Does the rule fire on the clause by its own text (match and unless
 * patterns)? Fills f's number and value spans. */
static bool fires_alone(engine *e, uint32_t rule, uint32_t ci, fired *f)
{
    const ls_rule *r = e->db->rules.v[rule];
    const clause *c = &e->s->cl[ci];
    ls_subject *sub = clause_subject(e, c);
    /* The match patterns first: most queued rules do not match, and then
     * their unless patterns need not run. */
    *f = (fired){ .rule = rule,
                  .clause = ci,
                  .vs = UINT32_MAX,
                  .ve = UINT32_MAX,
                  .qs = UINT32_MAX,
                  .qe = UINT32_MAX };
    bool matched = false;
    for (uint32_t i = 0; i < r->nmatch && !matched; i++) {
        if (!ls_pattern_may_match(&e->db->alloc, r->match[i], sub) ||
            !run_pattern(e, r->match[i], c))
            continue;
        if (r->value_how == LS_VALUE_NUMBER ||
            r->value_how == LS_VALUE_CAPTURE) {
            if (!group_span(e, r->match[i], r->value_arg, c->ds, &f->vs,
                            &f->ve))
                continue;
            if (r->value_how == LS_VALUE_NUMBER &&
                !ls_parse_number(e->s->disp.data + f->vs, f->ve - f->vs,
                                 &f->number))
                continue;
        }
        if (r->qualifier_how == LS_VALUE_CAPTURE)
            group_span(e, r->match[i], r->qualifier_arg, c->ds, &f->qs, &f->qe);
        matched = true;
    }
    if (!matched)
        return false;
    const struct ls_kw_index *x = e->db->kw;
    uint64_t key = clause_key(e, c);
    if (r->nunless && e->unless_key != key) {
        memset(e->unless_known, 0, x->nunless_classes);
        e->unless_key = key;
    }
    for (uint32_t i = 0; i < r->nunless; i++) {
        uint8_t *known =
            &e->unless_known[x->unless_class[x->unless_first[rule] + i]];
        if (!*known)
            *known = ls_pattern_may_match(&e->db->alloc, r->unless[i], sub) &&
                             run_pattern(e, r->unless[i], c)
                         ? 1
                         : 2;
        if (*known == 1)
            return false;
    }
    return true;
}

/* Does the rule's within pattern (or, with `anywhere`, its unless-anywhere
 * pattern) match clause ci? */
static bool context_match(engine *e, uint32_t rule, uint32_t ci, bool anywhere)
{
    if (e->memo_of && e->memo_of[ci] && rule < e->memo->nrules) {
        const ls_memo_clause *mc = &e->memo->clause[e->memo_of[ci] - 1];
        uint32_t want = rule | (anywhere ? LS_MEMO_ANYWHERE : 0);
        for (uint32_t k = 0; k < mc->ncontext; k++)
            if (e->memo->context[mc->context + k] == want)
                return true;
        return false;
    }
    const ls_rule *r = e->db->rules.v[rule];
    uint8_t *known =
        anywhere
            ? NULL
            : &e->own_within[(size_t)ci * e->db->nwithin + r->within_class];
    if (known && *known)
        return *known == 1;
    ls_pattern *pat = anywhere ? r->unless_anywhere : r->within_run;
    const clause *c = &e->s->cl[ci];
    bool matched =
        ls_pattern_may_match(&e->db->alloc, pat, clause_subject(e, c)) &&
        run_pattern(e, pat, c);
    if (known)
        *known = matched ? 1 : 2;
    return matched;
}

/* Does the clause's context let the rule stand: no clause of the text
 * matches its unless-anywhere pattern, and the clause or a lead-in matches
 * its within pattern? */
static bool context_allows(engine *e, uint32_t rule, uint32_t ci)
{
    const ls_rule *r = e->db->rules.v[rule];
    if (r->unless_anywhere) {
        if (!e->anywhere[rule]) {
            e->anywhere[rule] = 2;
            for (uint32_t k = 0; k < e->s->ncl; k++)
                if (context_match(e, rule, k, true)) {
                    e->anywhere[rule] = 1;
                    break;
                }
        }
        if (e->anywhere[rule] == 1)
            return false;
    }
    if (!r->within || e->no_context)
        return true;
    uint8_t *known = &e->inside[(size_t)ci * e->db->nwithin + r->within_class];
    if (*known)
        return *known == 1;
    bool inside = false;
    int32_t k = (int32_t)ci;
    for (int depth = 0; k >= 0 && depth < MAX_LEAD_CHAIN && !inside; depth++) {
        const clause *ck = &e->s->cl[k];
        inside = context_match(e, rule, (uint32_t)k, false);
        /* A list rewrapped into running text keeps no reliable markers:
         * look back through the lines up to the last blank line or
         * heading for a lead-in (a sentence holding a ':'). */
        for (int32_t j = k - 1, steps = 0;
             !inside && j >= 0 && steps < 32 && e->s->cl[j].run == ck->run;
             j--, steps++) {
            if (!e->colon[j]) {
                const clause *o = &e->s->cl[j];
                e->colon[j] =
                    memchr(e->s->disp.data + o->ds, ':', o->de - o->ds) ? 1 : 2;
            }
            if (e->colon[j] == 1)
                inside = context_match(e, rule, (uint32_t)j, false);
        }
        k = ck->lead;
    }
    *known = inside ? 1 : 2;
    return inside;
}

static void keep(engine *e, const fired *f)
{
    if (e->record_alone &&
        !(e->rc = LS_GROW(e->a, e->alone, e->alone_cap, e->nalone + 1)))
        e->alone[e->nalone++] = *f;
    if (e->rc || !context_allows(e, f->rule, f->clause) ||
        (e->rc = LS_GROW(e->a, e->f, e->f_cap, e->nf + 1)))
        return;
    e->f[e->nf++] = *f;
    const ls_rule *r = e->db->rules.v[f->rule];
    if (r->attr == LS_ATTR_NONE) /* an attribute sets no flag */
        e->found |= 1ull << r->flag;
}

/* Can the rule still change what the caller wants to know? */
static bool wanted(const engine *e, uint32_t rule)
{
    if (!e->want || e->want[rule] == WANT_ALWAYS)
        return true;
    return e->want[rule] == WANT_UNTIL_FOUND &&
           !(e->found >> e->db->rules.v[rule]->flag & 1);
}

/* The memo's answer for clause ci, with its spans moved to the clause. */
static void recall(engine *e, uint32_t ci)
{
    const ls_memo_clause *mc = &e->memo->clause[e->memo_of[ci] - 1];
    uint32_t ds = e->s->cl[ci].ds;
    e->recalled++;
    for (uint32_t i = 0; i < mc->nfired && !e->rc; i++) {
        const ls_memo_fired *m = &e->memo->fired[mc->fired + i];
        if (e->db->rules.v[m->rule]->replaced)
            continue;
        fired f = { .rule = m->rule,
                    .clause = ci,
                    .number = m->number,
                    .vs = m->vs,
                    .ve = m->ve,
                    .qs = m->qs,
                    .qe = m->qe };
        move_spans(&f.vs, &f.ve, &f.qs, &f.qe, 0, ds);
        keep(e, &f);
    }
}

/* The match data and context the engine's patterns run with. */
int ls_engine_start(engine *e)
{
    const licscan_db *db = e->db;
    e->md = pcre2_match_data_create(db->kw->max_groups + 1, db->gctx);
    e->mc = pcre2_match_context_create(db->gctx);
    if (!e->md || !e->mc)
        return LICSCAN_ENOMEM;
    pcre2_set_match_limit(e->mc, db->opts.regex_match_limit);
    pcre2_set_depth_limit(e->mc, db->opts.regex_match_limit);
    pcre2_set_heap_limit(e->mc, db->opts.regex_heap_limit_kib);
    return LICSCAN_OK;
}

void ls_engine_free(engine *e)
{
    const ls_alloc *a = e->a;
    if (e->recalled)
        ls_memo_count_recalled(e->recalled);
    e->recalled = 0;
    pcre2_match_data_free(e->md);
    pcre2_match_context_free(e->mc);
    e->md = NULL;
    e->mc = NULL;
    ls_free(a, e->hits);
    ls_free(a, e->queued);
    ls_free(a, e->always_high);
    ls_free(a, e->anywhere);
    ls_free(a, e->f);
    ls_free(a, e->memo_of);
    ls_free(a, e->memo_hash);
    ls_free(a, e->inside);
    ls_free(a, e->alone);
    ls_free(a, e->unless_known);
    e->unless_known = NULL;
    e->memo_of = NULL;
    e->memo_hash = NULL;
    e->memo_of_cap = e->memo_hash_cap = e->inside_cap = 0;
    e->inside = NULL;
    e->own_within = NULL;
    e->colon = NULL;
    e->alone = NULL;
    e->nalone = e->alone_cap = 0;
    e->hits = NULL;
    e->queued = NULL;
    e->always_high = NULL;
    e->any_always_high = false;
    e->anywhere = NULL;
    e->f = NULL;
    e->nhits = e->nf = e->hits_cap = e->f_cap = 0;
}

/* Find s's clauses in the memo and queue the (clause, rule) pairs left to
 * run. */
int ls_engine_prepare(engine *e, const seg *s)
{
    e->s = s;
    e->serial = ++e->next_serial;
    e->nhits = e->nf = 0;
    e->found = 0;
    uint32_t nrules = e->db->rules.n;
    if (!e->queued)
        e->queued = ls_malloc(e->a, (nrules + 1) * sizeof(uint32_t));
    if (!e->anywhere)
        e->anywhere = ls_malloc(e->a, nrules + 1);
    if (!e->unless_known) {
        e->unless_known = ls_malloc(e->a, e->db->kw->nunless_classes + 1);
        e->unless_key = UINT64_MAX; /* no clause's */
    }
    if (!e->queued || !e->anywhere || !e->unless_known || find_always_high(e))
        return LICSCAN_ENOMEM;
    memset(e->queued, 0, (nrules + 1) * sizeof(uint32_t));
    memset(e->anywhere, 0, nrules + 1);
    size_t nin = (size_t)s->ncl * e->db->nwithin;
    size_t block = 2 * nin + s->ncl + 1;
    if (block > UINT32_MAX ||
        LS_GROW(e->a, e->inside, e->inside_cap, (uint32_t)block))
        return LICSCAN_ENOMEM;
    memset(e->inside, 0, block);
    e->own_within = e->inside + nin;
    e->colon = e->own_within + nin;
    if (e->memo) {
        if (LS_GROW(e->a, e->memo_of, e->memo_of_cap, s->ncl + 1) ||
            LS_GROW(e->a, e->memo_hash, e->memo_hash_cap, s->ncl + 1))
            return LICSCAN_ENOMEM;
        if (e->memo->cap)
            ls_memo_find_all(e->memo, s, e->memo_of, e->memo_hash);
        else
            memset(e->memo_of, 0, (s->ncl + 1) * sizeof(uint32_t));
    }
    collect_hits(e);
    return e->rc;
}

/* Run every rule over the clauses of s; e->f gets what fired, in clause
 * order. The match data and context are the caller's. */
int ls_engine_run(engine *e, const seg *s)
{
    if (!s->ncl) {
        e->s = s;
        e->nhits = e->nf = 0;
        e->found = 0;
        return LICSCAN_OK;
    }
    int rc = ls_engine_prepare(e, s);
    if (rc)
        return rc;
    /* clause by clause, the memo's rules (all below memo->nrules) before
     * the queued ones: the order a run without the memo fires them in */
    uint32_t hi = 0;
    for (uint32_t c = 0; c < s->ncl && !e->rc; c++) {
        if (e->memo_of && e->memo_of[c]) /* never quoted (memo.h) */
            recall(e, c);
        for (; hi < e->nhits && e->hits[hi].clause == c && !e->rc; hi++) {
            fired f;
            if (wanted(e, e->hits[hi].rule) &&
                fires_alone(e, e->hits[hi].rule, c, &f))
                keep(e, &f);
        }
    }
    return e->rc;
}

bool ls_engine_fires_alone(engine *e, uint32_t rule, uint32_t ci, fired *f)
{
    return fires_alone(e, rule, ci, f);
}

bool ls_engine_run_pattern(engine *e, ls_pattern *p, const clause *c)
{
    return run_pattern(e, p, c);
}
