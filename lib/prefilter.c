/* prefilter.c -- the strings a rule pattern cannot match without.
 *
 * Most runs of a rule pattern fail, most often because the clause lacks
 * a word the pattern needs ("must", "shall", "notice"). A small parser
 * for the PCRE2 syntax the rules use reads a pattern's source and derives
 * its requirement: groups of strings such that any text the pattern
 * matches holds, for every group, one of its strings (ASCII letters
 * compared caselessly). Before the pattern runs on a clause, the strings
 * are looked up in the set of the clause's trigrams; when a group has
 * none there, the pattern cannot match, and does not run. A pattern's
 * requirement is derived at its first check, not at open: like its JIT
 * copy, it costs nothing for the many rules a scan never reaches.
 * (The derivation is prefilter_derive.c's.) */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "internal.h"
#include "prefilter_derive.h"

/* ---------- the requirement of a pattern ---------- */

/* A subject is checked through the set of its trigrams (three bytes with
 * bit 5 set, so ASCII letters in either case agree), hashed into
 * LS_SUBJECT_GRAM_BITS bits: a string is there only if all its trigrams
 * are. A collision can only let a pattern run that need not. The hash
 * works in 16 bits, so that SSE2 makes 16 at once. */
#define GRAM_M1 0x9E37u
#define GRAM_M2 0x79B9u
#define GRAM_M3 0x7F4Bu
static uint32_t gram_bit(uint32_t a, uint32_t b, uint32_t c)
{
    return (uint16_t)(a * GRAM_M1 + b * GRAM_M2 + c * GRAM_M3) >>
           (16 - LS_SUBJECT_GRAM_BITS);
}

static uint32_t fold(unsigned char c) { return c | 0x20u; }

/* A string of a requirement, for ls_required_describe. */
typedef struct ls_literal {
    const char *s; /* lowercase ASCII, NUL-terminated */
    uint16_t len;
    bool ends_group; /* the last string of its group */
} ls_literal;

/* What a check reads comes first, in one run of 16-bit words: per group,
 * the number of words that follow for it, then per string its number of
 * trigram bits and the bits. Checking a clause touches a few cache lines
 * of the database, not a struct per string and its bits elsewhere. */
struct ls_required {
    uint32_t nlit, ncode;
    /* a group whose every string holds a byte of 0x80 or above (and none
     * that caseless matching takes for an ASCII letter): no ASCII text
     * holds one (Chinese rules over English text) */
    bool needs_high;
    const ls_literal *lit; /* after code[], then their strings */
    uint16_t code[];
};

/* Does the string hold a byte of 0x80 or above, and no lead byte of the
 * two characters caseless matching takes for ASCII letters (see
 * ls_prefilter_ascii_folds: C5 BF, E2 84 AA)? */
static bool high_string(const char *t, uint32_t n)
{
    bool high = false;
    for (uint32_t k = 0; k < n; k++) {
        unsigned char b = (unsigned char)t[k];
        if (b == 0xC5 || b == 0xE2)
            return false;
        high |= b >= 0x80;
    }
    return high;
}

static ls_required *required_build(const ls_alloc *a, const pf_need *need)
{
    uint32_t nlit = 0, ncode = 0, bytes = 0;
    for (uint32_t g = 0; g < need->n; g++) {
        ncode++;
        for (uint32_t i = 0; i < need->g[g].n; i++) {
            nlit++;
            ncode += need->g[g].len[i] - 1u; /* group_score: 3 or more */
            bytes += need->g[g].len[i] + 1u;
        }
    }
    size_t lit_at = sizeof(ls_required) + ncode * sizeof(uint16_t);
    lit_at = (lit_at + _Alignof(ls_literal) - 1) &
             ~(size_t)(_Alignof(ls_literal) - 1);
    ls_required *rq = ls_malloc(a, lit_at + nlit * sizeof(ls_literal) + bytes);
    if (!rq)
        return NULL;
    ls_literal *lit = (ls_literal *)(void *)((char *)rq + lit_at);
    char *chars = (char *)(lit + nlit);
    rq->nlit = nlit;
    rq->ncode = ncode;
    rq->lit = lit;
    uint16_t *code = rq->code;
    rq->needs_high = false;
    for (uint32_t g = 0; g < need->n; g++) {
        bool all_high = true;
        for (uint32_t i = 0; i < need->g[g].n; i++)
            all_high &= high_string(need->g[g].s[i], need->g[g].len[i]);
        rq->needs_high |= all_high;
        uint16_t *group_words = code++;
        for (uint32_t i = 0; i < need->g[g].n; i++) {
            ls_literal *l = lit++;
            const char *t = need->g[g].s[i];
            l->len = need->g[g].len[i];
            l->ends_group = i + 1 == need->g[g].n;
            memcpy(chars, t, l->len);
            chars[l->len] = 0;
            l->s = chars;
            chars += l->len + 1;
            *code++ = (uint16_t)(l->len - 2);
            for (uint32_t k = 0; k + 2 < l->len; k++)
                *code++ = (uint16_t)gram_bit(fold((unsigned char)t[k]),
                                             fold((unsigned char)t[k + 1]),
                                             fold((unsigned char)t[k + 2]));
        }
        *group_words = (uint16_t)(code - group_words - 1);
    }
    return rq;
}

int ls_required_of(const ls_alloc *a, const char *pat, size_t n,
                   ls_required **out)
{
    *out = NULL;
    pf_need need;
    bool understood;
    int rc = ls_need_derive(a, pat, n, &need, &understood);
    if (rc == LICSCAN_OK && understood && need.n &&
        !(*out = required_build(a, &need)))
        rc = LICSCAN_ENOMEM;
    return rc;
}

/* Published for a pattern found to require nothing. */
static ls_required nothing;

void ls_required_free(const ls_alloc *a, ls_required *rq)
{
    if (rq != &nothing)
        ls_free(a, rq);
}

/* The pattern's requirement, derived and published at the first call.
 * Scans share the database: the loser of a race frees its copy. NULL
 * (not published) when memory ran out: the pattern runs. */
static const ls_required *pattern_need(const ls_alloc *a, ls_pattern *p)
{
    ls_required *seen = atomic_load_explicit(&p->need, memory_order_acquire);
    if (seen)
        return seen;
    ls_required *mine;
    if (ls_required_of(a, p->source, p->source_len, &mine))
        return NULL;
    if (!mine)
        mine = &nothing;
    if (atomic_compare_exchange_strong_explicit(
            &p->need, &seen, mine, memory_order_acq_rel, memory_order_acquire))
        return mine;
    ls_required_free(a, mine);
    return seen;
}

void ls_pattern_need_free(const ls_alloc *a, ls_pattern *p)
{
    /* the caller has ended every scan, so their stores are seen */
    ls_required_free(a, atomic_load_explicit(&p->need, memory_order_acquire));
}

bool ls_pattern_may_match(const ls_alloc *a, ls_pattern *p, ls_subject *s)
{
    return !s->judge || ls_subject_may_match(s, pattern_need(a, p));
}

bool ls_pattern_needs_high(const ls_alloc *a, ls_pattern *p)
{
    const ls_required *rq = pattern_need(a, p);
    return rq && rq->nlit && rq->needs_high;
}

size_t ls_required_describe(const ls_required *rq, char *out, size_t cap)
{
    size_t o = 0;
    for (uint32_t i = 0; rq && i < rq->nlit; i++) {
        const ls_literal *l = &rq->lit[i];
        for (uint32_t k = 0; k < l->len && o + 1 < cap; k++)
            out[o++] = l->s[k];
        const char *sep = i + 1 == rq->nlit ? "" : l->ends_group ? " & " : "|";
        for (; *sep && o + 1 < cap; sep++)
            out[o++] = *sep;
    }
    if (cap)
        out[o < cap ? o : cap - 1] = 0;
    return o;
}

/* ---------- checking a clause ---------- */

/* Caseless, PCRE2 (10.42, UTF) matches an ASCII letter with these two
 * characters as well: KELVIN SIGN with k, LATIN SMALL LETTER LONG S with
 * s. A text holding one may match a pattern without holding its ASCII
 * strings, so it is never judged. tests/unit_prefilter.c checks the list
 * against the PCRE2 linked. */
const uint32_t ls_prefilter_ascii_folds[LS_PREFILTER_NFOLDS] = { 0x017F,
                                                                 0x212A };

static bool has_ascii_fold(const char *t, size_t n)
{
    /* their UTF-8 forms: C5 BF and E2 84 AA */
    for (const char *p = memchr(t, 0xC5, n); p;
         p = memchr(p + 1, 0xC5, (size_t)(t + n - p - 1)))
        if (p + 1 < t + n && p[1] == '\xBF')
            return true;
    for (const char *p = memchr(t, 0xE2, n); p;
         p = memchr(p + 1, 0xE2, (size_t)(t + n - p - 1)))
        if (p + 2 < t + n && p[1] == '\x84' && p[2] == '\xAA')
            return true;
    return false;
}

static inline void set_gram(uint64_t *grams, uint32_t bit)
{
    grams[bit >> 6] |= (uint64_t)1 << (bit & 63);
}

/* Make the subject's trigram set. */
static void subject_index(ls_subject *s)
{
    s->has_set = true;
    s->set_key = s->key;
    const unsigned char *t = (const unsigned char *)s->text;
    memset(s->grams, 0, sizeof(s->grams));
    size_t i = 2; /* the trigram ending at byte i */
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    const __m128i space = _mm_set1_epi8(0x20), zero = _mm_setzero_si128();
    const __m128i m1 = _mm_set1_epi16((short)GRAM_M1),
                  m2 = _mm_set1_epi16((short)GRAM_M2),
                  m3 = _mm_set1_epi16((short)GRAM_M3);
    for (; i + 16 <= s->len; i += 16) {
        __m128i a = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(t + i - 2)), space);
        __m128i b = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(t + i - 1)), space);
        __m128i c = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(t + i)), space);
        __m128i lo = _mm_add_epi16(
            _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(a, zero), m1),
                          _mm_mullo_epi16(_mm_unpacklo_epi8(b, zero), m2)),
            _mm_mullo_epi16(_mm_unpacklo_epi8(c, zero), m3));
        __m128i hi = _mm_add_epi16(
            _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(a, zero), m1),
                          _mm_mullo_epi16(_mm_unpackhi_epi8(b, zero), m2)),
            _mm_mullo_epi16(_mm_unpackhi_epi8(c, zero), m3));
        uint16_t gram[16];
        _mm_storeu_si128((__m128i *)(void *)gram,
                         _mm_srli_epi16(lo, 16 - LS_SUBJECT_GRAM_BITS));
        _mm_storeu_si128((__m128i *)(void *)(gram + 8),
                         _mm_srli_epi16(hi, 16 - LS_SUBJECT_GRAM_BITS));
        /* written out: gcc keeps a loop of 16, 10 instructions a bit
         * set instead of 6 */
#define SET_GRAMS_4(k)                                                         \
    set_gram(s->grams, gram[k]);                                               \
    set_gram(s->grams, gram[(k) + 1]);                                         \
    set_gram(s->grams, gram[(k) + 2]);                                         \
    set_gram(s->grams, gram[(k) + 3])
        SET_GRAMS_4(0);
        SET_GRAMS_4(4);
        SET_GRAMS_4(8);
        SET_GRAMS_4(12);
#undef SET_GRAMS_4
    }
#endif
    for (; i < s->len; i++)
        set_gram(s->grams,
                 gram_bit(fold(t[i - 2]), fold(t[i - 1]), fold(t[i])));
    s->unsure = has_ascii_fold(s->text, s->len);
}

/* Are all n trigram bits there? */
static bool may_hold(const ls_subject *s, const uint16_t *gram, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (!(s->grams[gram[k] >> 6] >> (gram[k] & 63) & 1))
            return false;
    return true;
}

bool ls_all_ascii(const char *text, size_t n)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0;
    unsigned char any = 0;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    __m128i acc = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16)
        acc = _mm_or_si128(
            acc, _mm_loadu_si128((const __m128i *)(const void *)(t + i)));
    any = _mm_movemask_epi8(acc) ? 0x80 : 0;
#endif
    for (; i < n; i++)
        any |= t[i];
    return any < 0x80;
}

/* Is the subject all ASCII? Asked once per subject, and before its
 * trigram set is made: a clause asked only about rules for Chinese text
 * gets none. */
static bool subject_ascii(ls_subject *s)
{
    if (s->has_ascii && s->ascii_key == s->key)
        return s->ascii;
    s->has_ascii = true;
    s->ascii_key = s->key;
    s->ascii = ls_all_ascii(s->text, s->len);
    return s->ascii;
}

/* Does text[0, n) hold the string lit[0, len) (lowercase, len >= 2),
 * bytes compared with bit 5 set, as the trigrams are? Asked only of a
 * string whose trigrams are all there: most often it is, but the ones
 * that are not (trigrams apart, or a collision) would let a pattern run
 * on a clause it cannot match. */
static bool holds(const char *text, size_t n, const char *lit, size_t len)
{
    if (len > n)
        return false;
    const unsigned char *t = (const unsigned char *)text;
    const unsigned char *l = (const unsigned char *)lit;
    size_t last = n - len; /* the last place the string may start */
    size_t i = 0;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    const __m128i bit5 = _mm_set1_epi8(0x20);
    const __m128i c0 = _mm_set1_epi8((char)(l[0] | 0x20)),
                  c1 = _mm_set1_epi8((char)(l[1] | 0x20));
    /* 16 places at a time, their first two bytes read from t + i and
     * t + i + 1: while both loads stay inside the text */
    for (; i + 17 <= n && i <= last; i += 16) {
        __m128i a = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(t + i)), bit5);
        __m128i b = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(t + i + 1)), bit5);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, c0), _mm_cmpeq_epi8(b, c1)));
        for (; m; m &= m - 1) {
            size_t at = i + (size_t)__builtin_ctz(m);
            if (at > last)
                break;
            size_t k = 2;
            while (k < len && (t[at + k] | 0x20) == (l[k] | 0x20))
                k++;
            if (k == len)
                return true;
        }
    }
#endif
    for (; i <= last; i++) {
        size_t k = 0;
        while (k < len && (t[i + k] | 0x20) == (l[k] | 0x20))
            k++;
        if (k == len)
            return true;
    }
    return false;
}

/* Does every group have a string whose trigrams are all in the subject?
 * With `exact`, one the subject holds (only asked once the trigrams said
 * yes: it reads the text). */
static bool groups_met(const ls_subject *s, const ls_required *rq, bool exact)
{
    const uint16_t *c = rq->code, *end = c + rq->ncode;
    const ls_literal *lit = rq->lit; /* the string c is at */
    while (c < end) { /* group by group: one of its strings is there */
        const uint16_t *group_end = c + 1 + c[0];
        bool found = false;
        for (c++; !found && c < group_end; c += 1 + c[0], lit++)
            found = may_hold(s, c + 1, c[0]) &&
                    (!exact || holds(s->text, s->len, lit->s, lit->len));
        if (!found)
            return false;
        for (; c < group_end; c += 1 + c[0])
            lit++; /* the group's strings not looked at */
    }
    return true;
}

bool ls_subject_may_match(ls_subject *s, const ls_required *rq)
{
    if (!rq || !rq->nlit || !s->judge)
        return true;
    if (rq->needs_high && subject_ascii(s))
        return false;
    if (!s->has_set || s->set_key != s->key)
        subject_index(s);
    if (s->unsure)
        return true;
    /* trigrams tell most clauses apart at once; the text itself then
     * turns away the strings whose trigrams are apart there */
    return groups_met(s, rq, false) && groups_met(s, rq, true);
}

/* Compiled on first use and published with a compare-and-swap, like the
 * requirements above. */
pcre2_code *ls_pattern_compiled(const licscan_db *db, ls_pattern *p, int *rc)
{
    pcre2_code *code = atomic_load_explicit(&p->code, memory_order_acquire);
    *rc = LICSCAN_OK;
    if (code)
        return code;
    int ec;
    PCRE2_SIZE eo;
    code = pcre2_compile((PCRE2_SPTR)p->source, p->source_len,
                         LS_RULE_PATTERN_OPTIONS, &ec, &eo, db->cctx);
    if (!code) {
        *rc = ec == PCRE2_ERROR_NOMEMORY || ec == PCRE2_ERROR_HEAP_FAILED
                  ? LICSCAN_ENOMEM
                  : LICSCAN_ERULE;
        return NULL;
    }
    pcre2_code *seen = NULL;
    if (atomic_compare_exchange_strong_explicit(
            &p->code, &seen, code, memory_order_acq_rel, memory_order_acquire))
        return code;
    pcre2_code_free(code); /* another scan's came first */
    return seen;
}
