/* clauses.c -- clause rules: parsing rule files, cutting a text into
 * clauses, and running the rules over them to set restriction flags.
 *
 * A text is cut into clauses (sentences and list items) with the section
 * label each sits under ("1.b.v") and its lead-in: the closest earlier
 * clause at a shallower list depth, which for an item of a prohibited-use
 * list is the sentence that says the uses are prohibited. Rules see a
 * clause as display text: whitespace collapsed, comment markers and
 * Markdown emphasis gone, curly quotes and dashes made ASCII. A keyword
 * prefilter picks the (clause, rule) pairs worth running PCRE2 on, so
 * most rules never run on most clauses. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "internal.h"
#include "keywords.h"
#include "segment.h"
#include "numbers.h"

#define SUBJECTS_KEPT 4 /* clauses whose prefilter view an engine keeps */
#define MAX_LEAD_CHAIN 8      /* lead-ins looked through by `within` */

/* ==================================================================== */
/* Clauses                                                              */
/* ==================================================================== */

/* ==================================================================== */
/* Running the rules                                                    */
/* ==================================================================== */

typedef struct hit {
    uint32_t clause, rule;
} hit;

/* A rule that fired on a clause, with where its value and qualifier are
 * in the display text (UINT32_MAX: none). */
typedef struct fired {
    uint32_t rule, clause;
    int64_t number;
    uint32_t vs, ve, qs, qe;
} fired;

enum { WANT_NEVER, WANT_UNTIL_FOUND, WANT_ALWAYS };

typedef struct engine {
    const licscan_db *db;
    const ls_alloc *a; /* the scan's temporary memory */
    const seg *s;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    hit *hits;
    uint32_t nhits, hits_cap;
    /* the per-rule and per-clause arrays below are kept from text to text
     * (rules_on_piece runs many short ones), cleared for each */
    uint32_t *queued; /* per rule: clause + 1 it was last queued for */
    uint8_t *anywhere; /* per rule: unless-anywhere 0 unknown, 1 hit, 2 not */
    fired *f;
    uint32_t nf, f_cap;
    const ls_clause_memo *memo; /* NULL: none (or building one) */
    uint32_t *memo_of; /* per clause: its memo entry + 1, 0 none */
    uint32_t memo_of_cap;
    uint64_t *memo_hash; /* per clause: its memo_hash */
    uint32_t memo_hash_cap;
    bool limit_hit;
    bool no_context; /* template wording out of its text: skip `within` */
    /* when only the flags a piece sets are wanted (flags_in_text): per
     * rule, WANT_NEVER, WANT_UNTIL_FOUND (its flag not yet fired) or
     * WANT_ALWAYS; NULL: every rule runs. found: flags fired so far. */
    const uint8_t *want;
    uint64_t found;
    uint8_t *inside; /* per clause and within class: 0 unknown, 1 in, 2 not */
    uint32_t inside_cap;
    /* the same, for the clause's own words matching the class's pattern:
     * a lead-in is asked once, not once per clause that looks back to it
     * (the second half of inside's block) */
    uint8_t *own_within;
    /* per clause: holds a ':' (a lead-in of running text)? 0 unknown, 1
     * yes, 2 no (after own_within in inside's block) */
    uint8_t *colon;
    /* of the text's run (not of pieces): every rule that fired on a clause
     * by its own words, before its context was judged, in clause order */
    bool record_alone;
    fired *alone;
    uint32_t nalone, alone_cap;
    /* the prefilter's view of the last clauses asked about (prefilter.c),
     * kept for the next questions: rules and their context look back and
     * forth between a clause and its lead-ins. A clause is named by its
     * index and the serial of the run over its text (next_serial: never
     * given twice) */
    ls_subject subjects[SUBJECTS_KEPT];
    uint32_t next_subject; /* the one to reuse next, round robin */
    uint32_t serial, next_serial;
    int rc;
} engine;

static void queue(engine *e, uint32_t ci, uint32_t rule)
{
    if (e->queued[rule] == ci + 1 || e->rc)
        return;
    if (e->memo_of && e->memo_of[ci] && rule < e->memo->nrules)
        return; /* the memo has this rule's answer */
    e->queued[rule] = ci + 1;
    if ((e->rc = LS_GROW(e->a, e->hits, e->hits_cap, e->nhits + 1)))
        return;
    e->hits[e->nhits++] = (hit){ci, rule};
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

/* Might a keyword start at display byte i, with room bytes left in its
 * clause? The cheap test, done for every word. */
static inline bool keyword_may_start(const struct ls_kw_index *x,
                                     const char *p, uint32_t room)
{
    if (room < MIN_KEYWORD)
        return false;
    uint32_t start = kw_start(p);
    return x->starts[start >> 6] >> (start & 63) & 1;
}

/* Queue the rules with a keyword that starts at display byte i, the start
 * of a word of clause ci (keyword_may_start said it might). */
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
        for (uint32_t k = 0; k < x->nalways; k++)
            queue(e, ci, x->always[k]);
        if (skip_memo && e->memo_of[ci])
            continue;
        const uint32_t ds = s->cl[ci].ds, de = s->cl[ci].de;
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
                if (keyword_may_start(x, d + at, de - at))
                    keywords_at(e, ci, at);
            }
        }
#endif
        for (; i < de; i++) {
            bool w = ls_word_byte[(unsigned char)d[i]];
            if (w && !in_word && keyword_may_start(x, d + i, de - i))
                keywords_at(e, ci, i);
            in_word = w;
        }
        if (!e->rc && e->nhits - first > 1) /* hits may still be NULL */
            sort_hits(e->hits + first, e->nhits - first);
    }
}

/* Made the first time a pattern runs: a JIT-compiled copy, published
 * with a compare-and-swap. The original is never written after open, so
 * scans that read it meanwhile are safe; the loser of a race frees its
 * copy. When the JIT fails (no memory, unsupported CPU) the original is
 * published, so the JIT is not tried again and the interpreter runs it. */
static const pcre2_code *pattern_publish(ls_pattern *p)
{
    pcre2_code *copy = pcre2_code_copy(p->code);
    if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(copy);
        copy = NULL;
    }
    pcre2_code *mine = copy ? copy : p->code, *seen = NULL;
    if (atomic_compare_exchange_strong_explicit(&p->run, &seen, mine,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        return mine;
    if (copy)
        pcre2_code_free(copy);
    return seen;
}

static inline const pcre2_code *pattern_code(ls_pattern *p)
{
    const pcre2_code *run =
        atomic_load_explicit(&p->run, memory_order_acquire);
    return run ? run : pattern_publish(p);
}

/* 1: match, 0: none. A PCRE2 limit counts as no match, and is reported. */
static int run_pattern(engine *e, ls_pattern *pat, const clause *c)
{
    int rc = pcre2_match(pattern_code(pat),
                         (PCRE2_SPTR)e->s->disp.data + c->ds,
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
    int g = pcre2_substring_number_from_name(pat->code, (PCRE2_SPTR)name);
    if (g < 0 || (uint32_t)g >= pcre2_get_ovector_count(e->md))
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return false;
    *gs = base + (uint32_t)ov[2 * g];
    *ge = base + (uint32_t)ov[2 * g + 1];
    return true;
}

/* The clause as the prefilter reads it: a pattern whose requirement it
 * lacks cannot match, and is not run. Valid until SUBJECTS_KEPT other
 * clauses have been asked for. */
static ls_subject *clause_subject(engine *e, const clause *c)
{
    uint64_t key = (uint64_t)e->serial << 32 | (uint32_t)(c - e->s->cl);
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
    *f = (fired){.rule = rule, .clause = ci, .vs = UINT32_MAX,
                 .ve = UINT32_MAX, .qs = UINT32_MAX, .qe = UINT32_MAX};
    bool matched = false;
    for (uint32_t i = 0; i < r->nmatch && !matched; i++) {
        if (!ls_pattern_may_match(&e->db->alloc, r->match[i], sub) ||
            !run_pattern(e, r->match[i], c))
            continue;
        if (r->value_how == LS_VALUE_NUMBER || r->value_how == LS_VALUE_CAPTURE) {
            if (!group_span(e, r->match[i], r->value_arg, c->ds, &f->vs,
                            &f->ve))
                continue;
            if (r->value_how == LS_VALUE_NUMBER &&
                !ls_parse_number(e->s->disp.data + f->vs, f->ve - f->vs,
                                 &f->number))
                continue;
        }
        if (r->qualifier_how == LS_VALUE_CAPTURE)
            group_span(e, r->match[i], r->qualifier_arg, c->ds, &f->qs,
                       &f->qe);
        matched = true;
    }
    if (!matched)
        return false;
    for (uint32_t i = 0; i < r->nunless; i++)
        if (ls_pattern_may_match(&e->db->alloc, r->unless[i], sub) &&
            run_pattern(e, r->unless[i], c))
            return false;
    return true;
}

/* Does the rule's within pattern (or, with `anywhere`, its unless-anywhere
 * pattern) match clause ci? */
static bool context_match(engine *e, uint32_t rule, uint32_t ci,
                          bool anywhere)
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
        anywhere ? NULL
                 : &e->own_within[(size_t)ci * e->db->nwithin + r->within_class];
    if (known && *known)
        return *known == 1;
    ls_pattern *pat = anywhere ? r->unless_anywhere : r->within_run;
    const clause *c = &e->s->cl[ci];
    bool matched = ls_pattern_may_match(&e->db->alloc, pat,
                                        clause_subject(e, c)) &&
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
        !(e->rc = LS_GROW(e->a, e->alone, e->alone_cap,
                          e->nalone + 1)))
        e->alone[e->nalone++] = *f;
    if (e->rc || !context_allows(e, f->rule, f->clause) ||
        (e->rc = LS_GROW(e->a, e->f, e->f_cap, e->nf + 1)))
        return;
    e->f[e->nf++] = *f;
    e->found |= 1ull << e->db->rules.v[f->rule]->flag;
}

/* Can the rule still change what the caller wants to know? */
static bool wanted(const engine *e, uint32_t rule)
{
    if (!e->want || e->want[rule] == WANT_ALWAYS)
        return true;
    return e->want[rule] == WANT_UNTIL_FOUND &&
           !(e->found >> e->db->rules.v[rule]->flag & 1);
}

/* Move a fired rule's value and qualifier spans (those it has) from one
 * clause start to another: unsigned arithmetic wraps back into range. */
static void move_spans(uint32_t *vs, uint32_t *ve, uint32_t *qs, uint32_t *qe,
                       uint32_t from, uint32_t to)
{
    uint32_t *span[4] = {vs, ve, qs, qe};
    for (int k = 0; k < 4; k++)
        if (*span[k] != UINT32_MAX)
            *span[k] = *span[k] - from + to;
}

/* The memo's answer for clause ci, with its spans moved to the clause. */
static void recall(engine *e, uint32_t ci)
{
    const ls_memo_clause *mc = &e->memo->clause[e->memo_of[ci] - 1];
    uint32_t ds = e->s->cl[ci].ds;
    for (uint32_t i = 0; i < mc->nfired && !e->rc; i++) {
        const ls_memo_fired *m = &e->memo->fired[mc->fired + i];
        if (e->db->rules.v[m->rule]->replaced)
            continue;
        fired f = {.rule = m->rule, .clause = ci, .number = m->number,
                   .vs = m->vs, .ve = m->ve, .qs = m->qs, .qe = m->qe};
        move_spans(&f.vs, &f.ve, &f.qs, &f.qe, 0, ds);
        keep(e, &f);
    }
}

/* The memo's hash of a clause's display text: its length and 48 of its
 * bytes (the first 16, 16 from the middle, the last 16). A look-up
 * compares the whole text anyway; hashing every byte of every clause
 * cost more than the rare entries this brings together. */
static uint64_t memo_hash(const char *t, uint32_t n)
{
    if (n < 48)
        return ls_hash_bytes(t, n);
    const char *part[3] = {t, t + n / 2 - 8, t + n - 16};
    uint64_t h = n;
    for (int k = 0; k < 3; k++)
        for (int half = 0; half < 2; half++) {
            uint64_t v;
            memcpy(&v, part[k] + 8 * half, 8);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 29;
        }
    return ls_mix64(h);
}

/* The memo entry of a display text + 1, or 0; h is the text's
 * memo_hash. */
static uint32_t memo_find(const ls_clause_memo *m, const char *t, uint32_t n,
                          uint64_t h)
{
    if (!m->cap)
        return 0;
    for (uint32_t i = (uint32_t)h & (m->cap - 1); m->slot[i];
         i = (i + 1) & (m->cap - 1)) {
        const ls_memo_clause *c = &m->clause[m->slot[i] - 1];
        if (c->hash == h && c->len == n && memcmp(m->text + c->text, t, n) == 0)
            return m->slot[i];
    }
    return 0;
}

#define MEMO_PREFETCH_LINES 4 /* of a clause's memo text, before comparing */

/* memo_find for every clause of s into out. The memo is cold memory and
 * a look-up is three misses in a row (slot, entry, text): done in stages
 * over all clauses, each stage asks for what the next reads, so that the
 * misses of different clauses overlap. hash: room for s->ncl hashes. */
static void memo_find_all(const ls_clause_memo *m, const seg *s,
                          uint32_t *out, uint64_t *hash)
{
    const char *d = s->disp.data;
    uint32_t mask = m->cap - 1;
    for (uint32_t c = 0; c < s->ncl; c++) {
        hash[c] = memo_hash(d + s->cl[c].ds, s->cl[c].de - s->cl[c].ds);
        __builtin_prefetch(&m->slot[(uint32_t)hash[c] & mask]);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        uint32_t first = m->slot[(uint32_t)hash[c] & mask];
        out[c] = first;
        if (first)
            __builtin_prefetch(&m->clause[first - 1]);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        const ls_memo_clause *e = out[c] ? &m->clause[out[c] - 1] : NULL;
        if (e && e->hash == hash[c] && e->len == s->cl[c].de - s->cl[c].ds)
            for (uint32_t k = 0; k < e->len && k < 64 * MEMO_PREFETCH_LINES;
                 k += 64)
                __builtin_prefetch(m->text + e->text + k);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        if (!out[c])
            continue;
        /* most often the first entry is the clause: no probing again */
        const ls_memo_clause *e = &m->clause[out[c] - 1];
        const char *t = d + s->cl[c].ds;
        uint32_t n = s->cl[c].de - s->cl[c].ds;
        if (e->hash != hash[c] || e->len != n ||
            memcmp(m->text + e->text, t, n) != 0)
            out[c] = memo_find(m, t, n, hash[c]);
    }
}

/* The match data and context the engine's patterns run with. */
static int engine_start(engine *e)
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

static void engine_free(engine *e)
{
    const ls_alloc *a = e->a;
    pcre2_match_data_free(e->md);
    pcre2_match_context_free(e->mc);
    e->md = NULL;
    e->mc = NULL;
    ls_free(a, e->hits);
    ls_free(a, e->queued);
    ls_free(a, e->anywhere);
    ls_free(a, e->f);
    ls_free(a, e->memo_of);
    ls_free(a, e->memo_hash);
    ls_free(a, e->inside);
    ls_free(a, e->alone);
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
    e->anywhere = NULL;
    e->f = NULL;
    e->nhits = e->nf = e->hits_cap = e->f_cap = 0;
}

/* Find s's clauses in the memo and queue the (clause, rule) pairs left to
 * run. */
static int prepare(engine *e, const seg *s)
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
    if (!e->queued || !e->anywhere)
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
            memo_find_all(e->memo, s, e->memo_of, e->memo_hash);
        else
            memset(e->memo_of, 0, (s->ncl + 1) * sizeof(uint32_t));
    }
    collect_hits(e);
    return e->rc;
}

/* Run every rule over the clauses of s; e->f gets what fired, in clause
 * order. The match data and context are the caller's. */
static int run_rules(engine *e, const seg *s)
{
    if (!s->ncl) {
        e->s = s;
        e->nhits = e->nf = 0;
    e->found = 0;
        return LICSCAN_OK;
    }
    int rc = prepare(e, s);
    if (rc)
        return rc;
    /* clause by clause, the memo's rules (all below memo->nrules) before
     * the queued ones: the order a run without the memo fires them in */
    uint32_t hi = 0;
    for (uint32_t c = 0; c < s->ncl && !e->rc; c++) {
        if (e->memo_of && e->memo_of[c])
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

/* ==================================================================== */
/* From fired rules to the result                                       */
/* ==================================================================== */

/* A display-text span as a value: quotes, brackets and end punctuation
 * trimmed. */
/* A captured value without the quotes, brackets and spaces around it. */
static void trim_value(const char *d, uint32_t *vs, uint32_t *ve)
{
    while (*vs < *ve && strchr(" \"'([", d[*vs]))
        (*vs)++;
    while (*ve > *vs && strchr(" \"'),;:]", d[*ve - 1]))
        (*ve)--;
}

static const char *value_text(licscan_result *r, const seg *s, uint32_t vs,
                              uint32_t ve)
{
    trim_value(s->disp.data, &vs, &ve);
    return ls_arena_strndup(&r->arena, s->disp.data + vs, ve - vs);
}

static bool has_item(const licscan_restriction *x, const char *v)
{
    /* a rule's constant item is the same pointer each time it fires:
     * found without comparing letters */
    for (uint32_t i = 0; i < x->nitems; i++)
        if (x->items[i] == v)
            return true;
    /* the first letters decide most: strcasecmp compares them the same
     * way (tolower), and a call costs more than the test */
    int first = tolower((unsigned char)v[0]);
    for (uint32_t i = 0; i < x->nitems; i++)
        if (tolower((unsigned char)x->items[i][0]) == first &&
            strcasecmp(x->items[i], v) == 0)
            return true;
    return false;
}

/* Fill r->restr from e->f (all fired rules of the whole text). */
static int build_restrictions(licscan_result *r, const engine *e,
                              const licscan_scan_options *o,
                              const ls_text *text)
{
    const uint32_t nflags = licscan_flag_count();
    uint32_t count[64] = {0};
    for (uint32_t i = 0; i < e->nf; i++)
        count[e->db->rules.v[e->f[i].rule]->flag]++;
    uint32_t n = 0;
    for (uint32_t f = 0; f < nflags; f++)
        n += count[f] > 0;
    if (!n)
        return LICSCAN_OK;
    r->restr = ls_arena_alloc(&r->arena, n * sizeof(licscan_restriction));
    if (!r->restr)
        return LICSCAN_ENOMEM;
    memset(r->restr, 0, n * sizeof(licscan_restriction));
    licscan_restriction *slot[64] = {0};
    for (uint32_t f = 0; f < nflags; f++) {
        if (!count[f])
            continue;
        licscan_restriction *x = &r->restr[r->nrestr++];
        slot[f] = x;
        x->flag = f;
        x->text = x->qualifier = "";
        uint32_t cap = count[f] < o->max_evidence ? count[f] : o->max_evidence;
        x->ev = ls_arena_alloc(&r->arena, (cap + 1) * sizeof(ls_evidence));
        x->items = ls_arena_alloc(&r->arena, (count[f] + 1) * sizeof(char *));
        if (!x->ev || !x->items)
            return LICSCAN_ENOMEM;
        x->ev_cap = cap;
        x->items_cap = count[f];
    }
    const seg *s = e->s;
    /* A single value comes from the rule loaded first among those that
     * fired (rule order is priority: "network" copyleft before "strong"),
     * then from the earliest clause; list items come in text order. */
    uint32_t value_rule[64], qualifier_rule[64];
    for (uint32_t f = 0; f < 64; f++)
        value_rule[f] = qualifier_rule[f] = UINT32_MAX;
    for (uint32_t i = 0; i < e->nf; i++) {
        const fired *fi = &e->f[i];
        const ls_rule *rule = e->db->rules.v[fi->rule];
        licscan_restriction *x = slot[rule->flag];
        const clause *c = &s->cl[fi->clause];
        uint32_t type = licscan_flag_value_type(rule->flag);
        const char *v = NULL;
        if (rule->value_how == LS_VALUE_CAPTURE)
            v = value_text(r, s, fi->vs, fi->ve);
        else if (rule->value_how == LS_VALUE_CONST)
            v = rule->value_arg;
        if (rule->value_how == LS_VALUE_CAPTURE && !v)
            return LICSCAN_ENOMEM;
        bool gives_value = type == LICSCAN_VALUE_NUMBER ||
                           (type == LICSCAN_VALUE_TEXT && v && *v);
        if (gives_value && rule->priority < value_rule[rule->flag]) {
            value_rule[rule->flag] = rule->priority;
            x->number = fi->number;
            if (type == LICSCAN_VALUE_TEXT)
                x->text = v;
        }
        if (type == LICSCAN_VALUE_LIST && v && *v && !has_item(x, v))
            x->items[x->nitems++] = v;
        bool gives_qualifier =
            rule->qualifier_how == LS_VALUE_CONST ||
            (rule->qualifier_how == LS_VALUE_CAPTURE && fi->qs != UINT32_MAX);
        if (gives_qualifier && rule->priority < qualifier_rule[rule->flag]) {
            const char *q = rule->qualifier_how == LS_VALUE_CONST
                                ? rule->qualifier_arg
                                : value_text(r, s, fi->qs, fi->qe);
            if (!q)
                return LICSCAN_ENOMEM;
            qualifier_rule[rule->flag] = rule->priority;
            x->qualifier = q;
        }
        /* one evidence per clause, from the first rule that fired on it */
        size_t ts, te;
        ls_seg_source_span(s, c->ds, c->de, &ts, &te);
        uint64_t is = ls_text_input_offset(text, ts);
        if (x->nev && x->ev[x->nev - 1].start == is)
            continue;
        if (x->nev == x->ev_cap) {
            r->input_flags |= LICSCAN_INPUT_TRUNCATED_EVIDENCE;
            continue;
        }
        ls_evidence *ev = &x->ev[x->nev++];
        ev->start = is;
        ev->end = ls_text_input_offset(text, te);
        ev->text = ls_arena_strndup(&r->arena, s->disp.data + c->ds,
                                    c->de - c->ds);
        const char *label = s->labels.data + c->label;
        ev->label = ls_arena_strndup(&r->arena, label, strlen(label));
        ev->rule = rule->id;
        if (!ev->text || !ev->label)
            return LICSCAN_ENOMEM;
    }
    return LICSCAN_OK;
}

/* ---------- flags a match's differences add or remove ---------- */

/* The first two bytes c c in [p, end), or NULL. memchr finds the first
 * byte: memmem is several times slower on a two-byte needle, and these
 * are searched over whole template tails (a truncated text). */
static const char *find_pair(const char *p, const char *end, char c)
{
    while (end - p >= 2) {
        const char *q = memchr(p, c, (size_t)(end - p - 1));
        if (!q)
            return NULL;
        if (q[1] == c)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* The first markup of [t, end), "<<" to ">>": false if there is none. */
static bool next_markup(const char *t, const char *end, const char **open,
                        const char **close)
{
    *open = find_pair(t, end, '<');
    *close = *open ? find_pair(*open + 2, end, '>') : NULL;
    return *close != NULL;
}

void ls_append_plain(ls_buf *b, const char *t, size_t n)
{
    const char *end = t + n, *open, *close;
    while (next_markup(t, end, &open, &close)) {
        ls_buf_append(b, t, (size_t)(open - t));
        ls_buf_putc(b, ' ');
        t = close + 2;
    }
    if (t < end)
        ls_buf_append(b, t, (size_t)(end - t));
}

/* Cuts a piece of text (a piece of template wording, or one clause) into
 * clauses in s, the pieces' seg. */
static int segment_piece(seg *s, const char *t, size_t n)
{
    ls_seg_reuse(s, t, n);
    ls_segment(s);
    return s->failed ? LICSCAN_ENOMEM : LICSCAN_OK;
}

/* Runs the rules on a segmented piece out of its context (no lead-ins),
 * leaving what fired in e->f over s. The engine goes back to its text. */
static int rules_on_piece(engine *e, const seg *s)
{
    const seg *saved = e->s;
    uint32_t saved_serial = e->serial;
    e->no_context = true;
    int rc = run_rules(e, s);
    e->no_context = false;
    e->s = saved;
    e->serial = saved_serial;
    return rc;
}

/* Flags the rules find in a piece of template wording (markup removed);
 * `lost` gets the list flags with a constant item the input lacks. The
 * wording is judged without its lead-ins, which the input no longer has:
 * a deleted list item counts as what its list made it. */
static int flags_in_text(engine *e, const licscan_result *r, seg *piece,
                         const char *t, size_t n, uint64_t *mask,
                         uint64_t *lost)
{
    *mask = *lost = 0;
    ls_buf pb;
    ls_buf_init(&pb, e->a);
    const char *open, *close;
    if (next_markup(t, t + n, &open, &close)) {
        ls_append_plain(&pb, t, n);
        if (pb.failed) {
            ls_buf_free(&pb);
            return LICSCAN_ENOMEM;
        }
        t = pb.data;
        n = pb.len;
    } /* else the wording is read where it is */
    int rc = segment_piece(piece, t, n);
    if (!rc)
        rc = rules_on_piece(e, piece);
    for (uint32_t i = 0; i < e->nf && !rc; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        *mask |= 1ull << rule->flag;
        if (rule->value_how != LS_VALUE_CONST ||
            licscan_flag_value_type(rule->flag) != LICSCAN_VALUE_LIST)
            continue;
        const licscan_restriction *x =
            licscan_result_find_restriction(r, rule->flag);
        if (x && !has_item(x, rule->value_arg))
            *lost |= 1ull << rule->flag;
    }
    ls_buf_free(&pb);
    return rc;
}

/* A value the rules read, as a flag and a short key ("" for a bool). */
typedef struct value_key {
    uint32_t flag, rule;
    char key[96];
} value_key;

#define MAX_VALUE_KEYS 32

typedef struct value_set {
    value_key v[MAX_VALUE_KEYS];
    uint32_t n;
} value_set;

static bool value_set_has(const value_set *vs, const value_key *k)
{
    for (uint32_t i = 0; i < vs->n; i++)
        if (vs->v[i].flag == k->flag && strcmp(vs->v[i].key, k->key) == 0)
            return true;
    return false;
}

/* What fired on the text's clause `from` by its own words, as if on the
 * piece s, when s is that clause alone: e->f gets it, true. */
static bool recall_clause(engine *e, const seg *s, uint32_t from)
{
    const clause *c = &e->s->cl[from];
    uint32_t len = c->de - c->ds;
    if (s->ncl != 1 || s->cl[0].de - s->cl[0].ds != len ||
        memcmp(s->disp.data + s->cl[0].ds, e->s->disp.data + c->ds, len))
        return false;
    e->nf = 0;
    for (uint32_t i = 0; i < e->nalone && !e->rc; i++) {
        if (e->alone[i].clause != from)
            continue;
        fired f = e->alone[i];
        f.clause = 0;
        move_spans(&f.vs, &f.ve, &f.qs, &f.qe, c->ds, s->cl[0].ds);
        if (!(e->rc = LS_GROW(e->a, e->f, e->f_cap, e->nf + 1)))
            e->f[e->nf++] = f;
    }
    return true;
}

/* The values the rules read in one piece of text, out of its context
 * (no lead-ins): both sides of a comparison are read the same way. A
 * piece that is the text's clause `from` (UINT32_MAX: none) again takes
 * what the rules found there. */
static int values_in_text(engine *e, seg *piece, const char *t, size_t n,
                          uint32_t from, value_set *out)
{
    out->n = 0;
    const seg *s = piece;
    int rc = segment_piece(piece, t, n);
    if (from != UINT32_MAX) {
        if (!rc && !recall_clause(e, s, from))
            rc = rules_on_piece(e, s);
        rc = rc ? rc : e->rc;
    } else if (!rc) {
        rc = rules_on_piece(e, s);
    }
    for (uint32_t i = 0; i < e->nf && !rc && out->n < MAX_VALUE_KEYS; i++) {
        const fired *f = &e->f[i];
        const ls_rule *rule = e->db->rules.v[f->rule];
        value_key k = {.flag = rule->flag, .rule = rule->priority};
        if (rule->value_how == LS_VALUE_CONST) {
            snprintf(k.key, sizeof(k.key), "%s", rule->value_arg);
        } else if (rule->value_how == LS_VALUE_NUMBER) {
            snprintf(k.key, sizeof(k.key), "%lld", (long long)f->number);
        } else if (rule->value_how == LS_VALUE_CAPTURE) {
            uint32_t vs = f->vs, ve = f->ve;
            const char *d = s->disp.data;
            trim_value(d, &vs, &ve);
            size_t len = ve - vs < sizeof(k.key) - 1 ? ve - vs
                                                     : sizeof(k.key) - 1;
            for (size_t j = 0; j < len; j++) {
                char c = d[vs + j];
                k.key[j] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
            k.key[len] = 0;
        }
        /* a list holds every item; another flag the value of the rule
         * loaded first, as in the result */
        uint32_t at = out->n;
        if (licscan_flag_value_type(k.flag) != LICSCAN_VALUE_LIST)
            for (uint32_t j = 0; j < out->n; j++)
                if (out->v[j].flag == k.flag)
                    at = j;
        if (at < out->n && out->v[at].rule > k.rule)
            out->v[at] = k;
        else if (at == out->n && !value_set_has(out, &k))
            out->v[out->n++] = k;
    }
    return rc;
}

static int add_change(licscan_result *r, licscan_match *m, uint32_t cap,
                      uint32_t flag, bool added, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < m->nchanges; i++)
        if (m->changes[i].flag == flag && m->changes[i].added == added)
            return LICSCAN_OK;
    if (!m->changes) {
        m->changes = ls_arena_alloc(&r->arena, cap * sizeof(ls_flag_change));
        if (!m->changes)
            return LICSCAN_ENOMEM;
    }
    if (m->nchanges < cap)
        m->changes[m->nchanges++] = (ls_flag_change){flag, added, start, end};
    return LICSCAN_OK;
}

static bool inside(uint64_t s, uint64_t e, const licscan_match *m)
{
    return s < m->end && e > m->start;
}

/* Evidence mostly covered by inserted or replaced input is new wording. */
/* The decoded-text offset of input offset `off`: the first decoded byte
 * at or after it. */
static uint64_t decoded_offset(const ls_text *t, uint64_t off)
{
    if (!t->map)
        return off;
    size_t lo = 0, hi = t->len; /* map[len] is the input's length */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->map[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Is half the clause or more new wording? Measured in decoded text: input
 * bytes would give UTF-16 another answer than UTF-8 for the same text. */
static bool changed_clause(const licscan_match *m, const ls_evidence *ev,
                           const ls_text *text)
{
    uint64_t covered = 0;
    uint64_t es = decoded_offset(text, ev->start),
             ee = decoded_offset(text, ev->end);
    for (uint32_t d = 0; d < m->ndiffs; d++) {
        const ls_diff *df = &m->diffs[d];
        if (df->op != LICSCAN_DIFF_INSERTED &&
            df->op != LICSCAN_DIFF_REPLACED && df->op != LICSCAN_DIFF_VARIABLE)
            continue;
        if (df->end <= ev->start || df->start >= ev->end)
            continue;
        uint64_t ds = decoded_offset(text, df->start),
                 de = decoded_offset(text, df->end);
        uint64_t s = ds > es ? ds : es;
        uint64_t e = de < ee ? de : ee;
        if (e > s)
            covered += e - s;
    }
    return covered * 2 >= ee - es;
}

/* A list number or letter on its own: "1", "b", "iv". */
static bool marker_like(const char *p, size_t n)
{
    if (!n || n > 4)
        return false;
    bool digits = true;
    for (size_t i = 0; i < n; i++)
        digits &= p[i] >= '0' && p[i] <= '9';
    return digits || (n == 1 && p[0] >= 'a' && p[0] <= 'z') ||
           is_roman(p, n);
}

/* Does a diff that changes wording (not a var's text) touch [s, e)? */
static bool wording_diff_in(const ls_diff *df, uint64_t s, uint64_t e)
{
    if (df->op == LICSCAN_DIFF_DELETED)
        return df->start > s && df->start < e && df->template_text[0];
    return (df->op == LICSCAN_DIFF_INSERTED ||
            df->op == LICSCAN_DIFF_REPLACED) &&
           df->start < e && df->end > s;
}

/* The first display byte of [k, end) whose input offset is at least
 * `at` (end if none); *run follows k forward, as map_next_at's. Offsets
 * never fall along a run (its bytes are decoded bytes in order, or all one
 * byte, and decoding keeps the input's order), so a run whose last byte is
 * still before `at` is passed in one step. */
static uint32_t display_reaching(const seg *s, const ls_text *text,
                                 uint32_t *run, uint32_t k, uint32_t end,
                                 uint64_t at)
{
    while (k < end) {
        ls_seg_map_next_at(s, run, k);
        const map_run *r = &s->runs[*run];
        uint32_t last = end - 1;
        if (*run + 1 < s->nruns && s->runs[*run + 1].d - 1 < last)
            last = s->runs[*run + 1].d - 1;
        if (ls_text_input_offset(text, offset_in_run(r, last)) < at) {
            k = last + 1;
            continue;
        }
        while (ls_text_input_offset(text, offset_in_run(r, k)) < at)
            k++;
        return k;
    }
    return end;
}

/* A clause kept from the template with some words changed may say
 * something else: "display "Powered by Llama"" for "Built with Llama".
 * Read the clause as it is and as the template has it (its changed words
 * put back) and report the values that differ: new ones as added, lost
 * ones as removed. */
static int changed_values(engine *e, licscan_result *r, licscan_match *m,
                          const ls_text *text, seg *piece, uint32_t cap,
                          const ls_evidence *ev, ls_buf *tb, value_set *now,
                          value_set *before)
{
    bool touched = false;
    for (uint32_t di = 0; di < m->ndiffs && !touched; di++)
        touched = wording_diff_in(&m->diffs[di], ev->start, ev->end);
    if (!touched)
        return LICSCAN_OK;
    const seg *s = e->s;
    const clause *c = NULL;
    uint32_t run = 0; /* clauses are in display order */
    for (uint32_t i = 0; i < s->ncl && !c; i++) {
        size_t ts, te;
        if (ls_text_input_offset(text, ls_seg_map_next_at(s, &run, s->cl[i].ds)) !=
            ev->start)
            continue;
        ls_seg_source_span(s, s->cl[i].ds, s->cl[i].de, &ts, &te);
        if (ls_text_input_offset(text, te) == ev->end)
            c = &s->cl[i];
    }
    if (!c)
        return LICSCAN_OK;
    run = ls_seg_run_of(s, c->ds);
    const char *d = s->disp.data;
    tb->len = 0;
    tb->failed = false;
    const ls_diff *first = NULL;
    uint32_t k = c->ds;
    for (uint32_t di = 0; di < m->ndiffs; di++) {
        const ls_diff *df = &m->diffs[di];
        if (!wording_diff_in(df, ev->start, ev->end))
            continue;
        if (!first)
            first = df;
        /* display bytes before the diff stay; those inside give way to
         * the template's words */
        uint32_t kept = k;
        k = display_reaching(s, text, &run, k, c->de, df->start);
        ls_buf_append(tb, d + kept, k - kept);
        uint32_t run1 = run;
        uint32_t k1 = display_reaching(s, text, &run1, k, c->de, df->end);
        if (df->op == LICSCAN_DIFF_INSERTED && marker_like(d + k, k1 - k))
            continue; /* "to: 1. Violate": a list number run into the text */
        /* the diff's words, spaced from their neighbours only as words */
        const char *w = df->template_text;
        if (tb->len && alnum((unsigned char)tb->data[tb->len - 1]) &&
            alnum((unsigned char)w[0]))
            ls_buf_putc(tb, ' ');
        ls_append_plain(tb, w, strlen(w));
        k = k1;
        run = run1;
        if (k < c->de && tb->len && alnum((unsigned char)tb->data[tb->len - 1]) &&
            alnum((unsigned char)d[k]))
            ls_buf_putc(tb, ' ');
    }
    if (!first)
        return LICSCAN_OK;
    ls_buf_append(tb, d + k, c->de - k);
    if (tb->failed)
        return LICSCAN_ENOMEM;
    /* the same words both ways (only list numbers differed): the same
     * values, read or not */
    if (tb->len == c->de - c->ds && memcmp(tb->data, d + c->ds, tb->len) == 0)
        return LICSCAN_OK;
    int rc = values_in_text(e, piece, d + c->ds, c->de - c->ds,
                            (uint32_t)(c - s->cl), now);
    if (!rc)
        rc = values_in_text(e, piece, tb->data, tb->len, UINT32_MAX, before);
    for (uint32_t i = 0; i < now->n && !rc; i++)
        if (!value_set_has(before, &now->v[i]))
            rc = add_change(r, m, cap, now->v[i].flag, true, ev->start,
                            ev->end);
    for (uint32_t i = 0; i < before->n && !rc; i++)
        if (!value_set_has(now, &before->v[i]))
            rc = add_change(r, m, cap, before->v[i].flag, false, first->start,
                            first->end);
    return rc;
}

static int flag_changes(engine *e, licscan_result *r, licscan_match *m,
                        const ls_text *text, seg *piece)
{
    const uint32_t cap = 2 * licscan_flag_count();
    uint64_t present = 0; /* flags with evidence inside the match */
    /* the kept clauses with evidence inside the match, each once (by
     * start), up to 64: changed_values reads them last */
    const ls_evidence *kept_ev[64];
    uint32_t nkept = 0;
    for (uint32_t i = 0; i < r->nrestr; i++) {
        const licscan_restriction *x = &r->restr[i];
        bool any = false, kept = false;
        const ls_evidence *first_new = NULL;
        for (uint32_t k = 0; k < x->nev; k++) {
            const ls_evidence *ev = &x->ev[k];
            if (!inside(ev->start, ev->end, m))
                continue;
            any = true;
            if (changed_clause(m, ev, text)) {
                if (!first_new)
                    first_new = ev;
                continue;
            }
            kept = true;
            bool seen = false;
            for (uint32_t j = 0; j < nkept && !seen; j++)
                seen = kept_ev[j]->start == ev->start;
            if (!seen && nkept < 64)
                kept_ev[nkept++] = ev;
        }
        if (any)
            present |= 1ull << x->flag;
        int rc;
        if (any && !kept &&
            (rc = add_change(r, m, cap, x->flag, true, first_new->start,
                             first_new->end)))
            return rc;
    }
    /* Deleted wording matters by the flags it sets that the match lacks,
     * and by list items the result lacks: only rules that can tell run. */
    uint8_t *want = ls_malloc(e->a, e->db->rules.n + 1);
    if (!want)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < e->db->rules.n; i++) {
        const ls_rule *rule = e->db->rules.v[i];
        const licscan_restriction *x = NULL;
        if (rule->value_how == LS_VALUE_CONST &&
            licscan_flag_value_type(rule->flag) == LICSCAN_VALUE_LIST &&
            (x = licscan_result_find_restriction(r, rule->flag)) &&
            !has_item(x, rule->value_arg))
            want[i] = WANT_ALWAYS;
        else
            want[i] = present >> rule->flag & 1 ? WANT_NEVER : WANT_UNTIL_FOUND;
    }
    e->want = want;
    int rc = LICSCAN_OK;
    for (uint32_t d = 0; d < m->ndiffs && !rc; d++) {
        const ls_diff *df = &m->diffs[d];
        if ((df->op != LICSCAN_DIFF_DELETED &&
             df->op != LICSCAN_DIFF_REPLACED) ||
            !df->template_text[0])
            continue;
        uint64_t mask, lost;
        rc = flags_in_text(e, r, piece, df->template_source,
                           df->template_source_len, &mask, &lost);
        mask = (mask & ~present) | lost;
        for (uint32_t f = 0; mask && f < licscan_flag_count() && !rc; f++)
            if (mask & (1ull << f))
                rc = add_change(r, m, cap, f, false, df->start, df->end);
    }
    e->want = NULL;
    ls_free(e->a, want);
    if (rc)
        return rc;
    /* each kept clause with changed wording, once */
    value_set *sets = ls_malloc(e->a, 2 * sizeof(value_set));
    if (!sets)
        return LICSCAN_ENOMEM;
    ls_buf tb;
    ls_buf_init(&tb, e->a);
    for (uint32_t i = 0; i < nkept && !rc; i++)
        rc = changed_values(e, r, m, text, piece, cap, kept_ev[i], &tb,
                            &sets[0], &sets[1]);
    ls_buf_free(&tb);
    ls_free(e->a, sets);
    return rc;
}

int ls_extract_clauses(const licscan_db *db, const ls_alloc *work,
                       const ls_text *text, const licscan_scan_options *opts,
                       licscan_result *res)
{
    int rc = LICSCAN_OK;
    if (db->rules.n && db->kw) {
        engine e = {.db = db, .a = work, .memo = db->memo};
        seg s;
        ls_seg_init(&s, work, text->text, text->len);
        ls_segment(&s);
        if (s.failed)
            rc = LICSCAN_ENOMEM;
        if (!rc)
            rc = engine_start(&e);
        e.record_alone = true;
        if (!rc)
            rc = run_rules(&e, &s);
        e.record_alone = false;
        if (!rc)
            rc = build_restrictions(res, &e, opts, text);
        seg piece; /* the pieces flag changes read, one after another */
        ls_seg_init(&piece, work, "", 0);
        for (uint32_t i = 0; i < res->nmatch && !rc; i++) {
            licscan_match *m = &res->m[i];
            if (m->ndiffs && m->kind != LICSCAN_KIND_REFERENCE)
                rc = flag_changes(&e, res, m, text, &piece);
        }
        ls_seg_free(&piece);
        if (e.limit_hit)
            res->input_flags |= LICSCAN_INPUT_RULE_LIMIT;
        engine_free(&e);
        ls_seg_free(&s);
    }
    return rc;
}

/* ==================================================================== */
/* The clause memo, built for the embedded set                          */
/* ==================================================================== */

uint64_t ls_embedded_rules_hash(void)
{
    uint64_t h = ls_embedded_rule_count;
    for (size_t i = 0; i < ls_embedded_rule_count; i++)
        h = ls_mix64(h ^ ls_hash_bytes(ls_embedded_rules[i].tpl,
                                       ls_embedded_rules[i].tpl_len));
    return h;
}

typedef struct memo_builder {
    const ls_alloc *a;
    ls_memo_clause *clause;
    uint32_t nclause, clause_cap;
    uint32_t *slot;
    uint32_t cap;
    ls_buf text;
    ls_memo_fired *fired;
    uint32_t nfired, fired_cap;
    uint32_t *context;
    uint32_t ncontext, context_cap;
} memo_builder;

/* The rules whose within and unless-anywhere patterns match clause c. */
static int memo_context(memo_builder *b, engine *e, uint32_t c)
{
    const ls_ruleset *rs = &e->db->rules;
    for (uint32_t r = 0; r < rs->n; r++) {
        const ls_rule *rule = rs->v[r];
        for (int anywhere = 0; anywhere < 2; anywhere++) {
            ls_pattern *code =
                anywhere ? rule->unless_anywhere : rule->within;
            if (rule->replaced || !code ||
                !run_pattern(e, code, &e->s->cl[c]))
                continue;
            if (LS_GROW(b->a, b->context, b->context_cap, b->ncontext + 1))
                return LICSCAN_ENOMEM;
            b->context[b->ncontext++] = r | (anywhere ? LS_MEMO_ANYWHERE : 0);
        }
    }
    return e->rc;
}

/* Put entry `idx` into a slot table of `cap` entries. */
static void memo_place(const ls_memo_clause *cl, uint32_t *slot, uint32_t cap,
                       uint32_t idx)
{
    uint32_t i = (uint32_t)cl[idx].hash & (cap - 1);
    while (slot[i])
        i = (i + 1) & (cap - 1);
    slot[i] = idx + 1;
}

static int memo_grow_slots(memo_builder *b)
{
    if (b->cap && (b->nclause + 1) * 2 <= b->cap)
        return LICSCAN_OK;
    uint32_t cap = b->cap ? b->cap * 2 : 1024;
    uint32_t *slot = ls_calloc(b->a, cap, sizeof(uint32_t));
    if (!slot)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < b->nclause; i++)
        memo_place(b->clause, slot, cap, i);
    ls_free(b->a, b->slot);
    b->slot = slot;
    b->cap = cap;
    return LICSCAN_OK;
}

/* Add the clauses of one segmented text not in the memo yet, each with
 * the rules that fire on it by its own text. A clause on which a PCRE2
 * limit was hit is left out: its answer is not known. */
static int memo_add_text(memo_builder *b, engine *e, const seg *s)
{
    int rc = prepare(e, s);
    ls_clause_memo view = {.clause = b->clause, .slot = b->slot,
                           .cap = b->cap};
    uint32_t hi = 0;
    for (uint32_t c = 0; c < s->ncl && !rc; c++) {
        const clause *cl = &s->cl[c];
        const char *t = s->disp.data + cl->ds;
        uint32_t n = cl->de - cl->ds;
        uint32_t first = b->nfired, first_context = b->ncontext;
        view.text = b->text.data;
        bool known = memo_find(&view, t, n, memo_hash(t, n)) != 0;
        e->limit_hit = false;
        for (; hi < e->nhits && e->hits[hi].clause == c && !rc; hi++) {
            fired f;
            if (known || !fires_alone(e, e->hits[hi].rule, c, &f))
                continue;
            if ((rc = LS_GROW(b->a, b->fired, b->fired_cap, b->nfired + 1)))
                break;
            ls_memo_fired *m = &b->fired[b->nfired++];
            *m = (ls_memo_fired){f.number, f.rule, f.vs, f.ve, f.qs, f.qe};
            move_spans(&m->vs, &m->ve, &m->qs, &m->qe, cl->ds, 0);
        }
        rc = rc ? rc : e->rc;
        if (!known && !rc)
            rc = memo_context(b, e, c);
        if (known || rc || e->limit_hit) {
            b->nfired = first;
            b->ncontext = first_context;
            continue;
        }
        if ((rc = memo_grow_slots(b)) ||
            (rc = LS_GROW(b->a, b->clause, b->clause_cap, b->nclause + 1)))
            break;
        b->clause[b->nclause] = (ls_memo_clause){
            memo_hash(t, n), (uint32_t)b->text.len, n, first,
            b->nfired - first, first_context, b->ncontext - first_context};
        ls_buf_append(&b->text, t, n);
        if (b->text.failed)
            return LICSCAN_ENOMEM;
        memo_place(b->clause, b->slot, b->cap, b->nclause++);
        view.clause = b->clause;
        view.slot = b->slot;
        view.cap = b->cap;
    }
    return rc;
}

int ls_memo_build(const licscan_db *db, const char *const *texts,
                  const size_t *lens, uint32_t n, ls_clause_memo *out)
{
    memset(out, 0, sizeof(*out));
    if (!db->rules.n || !db->kw)
        return LICSCAN_OK;
    memo_builder b = {.a = &db->alloc};
    ls_buf_init(&b.text, &db->alloc);
    engine e = {.db = db, .a = &db->alloc};
    int rc = engine_start(&e);
    for (uint32_t i = 0; i < n && !rc; i++) {
        seg s;
        ls_seg_init(&s, &db->alloc, texts[i], lens[i]);
        ls_segment(&s);
        rc = s.failed ? LICSCAN_ENOMEM : memo_add_text(&b, &e, &s);
        ls_seg_free(&s);
    }
    engine_free(&e);
    if (!rc)
        rc = memo_grow_slots(&b);
    if (rc) {
        ls_free(b.a, b.clause);
        ls_free(b.a, b.slot);
        ls_free(b.a, b.fired);
        ls_free(b.a, b.context);
        ls_buf_free(&b.text);
        return rc;
    }
    *out = (ls_clause_memo){
        .clause = b.clause, .nclause = b.nclause, .slot = b.slot,
        .cap = b.cap, .text = b.text.data, .text_len = (uint32_t)b.text.len,
        .fired = b.fired, .nfired = b.nfired, .context = b.context,
        .ncontext = b.ncontext, .nrules = db->rules.n,
        .rules_hash = ls_embedded_rules_hash(),
        .match_limit = db->opts.regex_match_limit,
        .heap_limit_kib = db->opts.regex_heap_limit_kib};
    return LICSCAN_OK;
}

void ls_memo_free(const licscan_db *db, ls_clause_memo *m)
{
    ls_free(&db->alloc, (void *)m->clause);
    ls_free(&db->alloc, (void *)m->slot);
    ls_free(&db->alloc, (void *)m->text);
    ls_free(&db->alloc, (void *)m->fired);
    ls_free(&db->alloc, (void *)m->context);
    memset(m, 0, sizeof(*m));
}
