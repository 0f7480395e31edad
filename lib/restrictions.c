/* restrictions.c -- the third stage of a scan's clause pipeline: the
 * rules that fired (engine.h) become result->restr, one restriction per
 * flag in flag order, with its value, qualifier, list items and evidence
 * (byte span, clause text, label, rule id). What the flags are and the
 * openness verdict over them are restrict.c's. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "restrictions.h"

/* A captured value without the quotes, brackets and spaces around it. */
void ls_trim_value(const char *d, uint32_t *vs, uint32_t *ve)
{
    while (*vs < *ve && strchr(" \"'([", d[*vs]))
        (*vs)++;
    while (*ve > *vs && strchr(" \"'),;:]", d[*ve - 1]))
        (*ve)--;
}

static const char *value_text(licscan_result *r, const seg *s, uint32_t vs,
                              uint32_t ve)
{
    ls_trim_value(s->disp.data, &vs, &ve);
    return ls_arena_strndup(&r->arena, s->disp.data + vs, ve - vs);
}

bool ls_has_item(const licscan_restriction *x, const char *v)
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

/* Is the clause Chinese (or Japanese, Korean) text: at least four
 * characters of three UTF-8 bytes beyond U+3000, and more of them than a
 * third of its ASCII letters? */
static bool cjk_clause(const seg *s, const clause *c)
{
    const unsigned char *d = (const unsigned char *)s->disp.data + c->ds;
    uint32_t n = c->de - c->ds, k = 0, cjk = 0, latin = 0;
    /* the lead bytes first, 16 at a time: most clauses have none, and
     * need no count of their letters */
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    const __m128i lead = _mm_set1_epi8((char)0xe3), span = _mm_set1_epi8(12),
                  one = _mm_set1_epi8(1);
    __m128i sum = _mm_setzero_si128();
    for (; k + 16 <= n; k += 16) {
        __m128i x = _mm_sub_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(d + k)), lead);
        __m128i in = _mm_cmpeq_epi8(_mm_min_epu8(x, span), x);
        sum = _mm_add_epi64(
            sum, _mm_sad_epu8(_mm_and_si128(in, one), _mm_setzero_si128()));
    }
    cjk = (uint32_t)_mm_cvtsi128_si32(sum) +
          (uint32_t)_mm_cvtsi128_si32(_mm_unpackhi_epi64(sum, sum));
#endif
    for (; k < n; k++)
        cjk += (unsigned char)(d[k] - 0xe3) <= 0xef - 0xe3;
    if (cjk < 4)
        return false;
    for (k = 0; k < n; k++)
        latin += (d[k] | 0x20) >= 'a' && (d[k] | 0x20) <= 'z';
    return cjk * 3 >= latin;
}

static int build(licscan_result *r, const engine *e,
                 const licscan_scan_options *o, const ls_text *text,
                 const uint32_t *count, const uint8_t *is_cjk,
                 uint64_t latin_only);

/* Places whose names hold "and": not two places. */
static const char *const joined_places[] = {
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Heard Island and McDonald Islands",
    "Saint Kitts and Nevis",
    "Saint Pierre and Miquelon",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "South Georgia and the South Sandwich Islands",
    "Trinidad and Tobago",
    "Turks and Caicos Islands",
    "Great Britain and Northern Ireland",
    "Wallis and Futuna",
};

#define MAX_PLACES 12 /* places read from one list */

static bool joined_place_at(const char *p, size_t n)
{
    for (size_t k = 0; k < sizeof(joined_places) / sizeof(joined_places[0]);
         k++) {
        size_t jl = strlen(joined_places[k]);
        for (size_t i = 0; i + jl <= n; i++)
            if (strncasecmp(p + i, joined_places[k], jl) == 0)
                return true;
    }
    return false;
}

/* A list of places as written, "Iran, North Korea, or Cuba", "the
 * European Union and the United Kingdom": its places, each trimmed (at
 * most MAX_PLACES; *n is their count). Each is [start, end) of v. */
static void split_places(const char *v, uint32_t *start, uint32_t *end,
                         uint32_t *n)
{
    size_t len = strlen(v);
    *n = 0;
    size_t i = 0;
    while (i < len && *n < MAX_PLACES) {
        /* the next separator: a comma, or " and " / " or " between two
         * names (not inside a name that holds "and") */
        size_t j = i, skip = 0;
        for (; j < len; j++) {
            if (v[j] == ',' || v[j] == ';') {
                skip = 1;
                break;
            }
            size_t w = strncasecmp(v + j, " and ", 5) == 0  ? 5
                       : strncasecmp(v + j, " or ", 4) == 0 ? 4
                                                            : 0;
            if (w && !joined_place_at(v + i, len - i)) {
                skip = w;
                break;
            }
        }
        size_t b = i, e2 = j;
        while (b < e2 && v[b] == ' ')
            b++;
        /* ", or Cuba", ", and the UK": the conjunction is no place */
        if (e2 - b > 4 && strncasecmp(v + b, "and ", 4) == 0)
            b += 4;
        else if (e2 - b > 3 && strncasecmp(v + b, "or ", 3) == 0)
            b += 3;
        while (e2 > b && v[e2 - 1] == ' ')
            e2--;
        if (e2 > b) {
            start[*n] = (uint32_t)b;
            end[*n] = (uint32_t)e2;
            ++*n;
        }
        i = j + skip;
    }
}

/* Fill r->restr from e->f (all fired rules of the whole text). */
int ls_build_restrictions(licscan_result *r, engine *e,
                          const licscan_scan_options *o, const ls_text *text,
                          uint8_t **evidence_only)
{
    uint32_t count[64] = { 0 };
    /* A bilingual text (English and Chinese) is read through its English
     * part: a flag set there takes its values from there alone, and the
     * Chinese clauses that set it too are evidence only. */
    uint64_t latin_sets = 0, cjk_sets = 0;
    uint8_t *is_cjk = NULL;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr != LS_ATTR_NONE)
            continue;
        count[rule->flag]++;
        if (!e->s->ncl)
            continue;
        if (!is_cjk) {
            is_cjk = ls_calloc(e->a, e->s->ncl, 1);
            if (!is_cjk)
                return LICSCAN_ENOMEM;
        }
        uint32_t ci = e->f[i].clause;
        if (!is_cjk[ci])
            is_cjk[ci] = cjk_clause(e->s, &e->s->cl[ci]) ? 1 : 2;
        if (is_cjk[ci] == 1)
            cjk_sets |= 1ull << rule->flag;
        else
            latin_sets |= 1ull << rule->flag;
    }
    uint64_t latin_only = latin_sets & cjk_sets;
    int rc = build(r, e, o, text, count, is_cjk, latin_only);
    /* the fired rules that gave no value, for the values stage */
    *evidence_only = NULL;
    if (!rc && latin_only) {
        *evidence_only = ls_calloc(e->a, e->nf, 1);
        if (!*evidence_only)
            rc = LICSCAN_ENOMEM;
        for (uint32_t i = 0; *evidence_only && i < e->nf; i++) {
            const ls_rule *rule = e->db->rules.v[e->f[i].rule];
            (*evidence_only)[i] = rule->attr == LS_ATTR_NONE &&
                                  (latin_only >> rule->flag & 1) &&
                                  is_cjk[e->f[i].clause] == 1;
        }
    }
    ls_free(e->a, is_cjk);
    return rc;
}

/* ls_build_restrictions with the fired rules counted per flag; the
 * clauses of is_cjk[c] == 1 give no value to the flags of latin_only. */
static int build(licscan_result *r, const engine *e,
                 const licscan_scan_options *o, const ls_text *text,
                 const uint32_t *count, const uint8_t *is_cjk,
                 uint64_t latin_only)
{
    const uint32_t nflags = licscan_flag_count();
    uint32_t n = 0;
    for (uint32_t f = 0; f < nflags; f++)
        n += count[f] > 0;
    if (!n)
        return LICSCAN_OK;
    r->restr = ls_arena_alloc(&r->arena, n * sizeof(licscan_restriction));
    if (!r->restr)
        return LICSCAN_ENOMEM;
    memset(r->restr, 0, n * sizeof(licscan_restriction));
    licscan_restriction *slot[64] = { 0 };
    for (uint32_t f = 0; f < nflags; f++) {
        if (!count[f])
            continue;
        licscan_restriction *x = &r->restr[r->nrestr++];
        slot[f] = x;
        x->flag = f;
        x->text = x->qualifier = "";
        x->scope = x->period_text = x->consequence_flags = "";
        x->value_fired = UINT32_MAX;
        uint32_t cap = count[f] < o->max_evidence ? count[f] : o->max_evidence;
        x->ev = ls_arena_alloc(&r->arena, (cap + 1) * sizeof(ls_evidence));
        uint32_t items =
            count[f] * (f == LICSCAN_FLAG_TERRITORY_EXCLUSION ? MAX_PLACES : 1);
        x->items = ls_arena_alloc(&r->arena, (items + 1) * sizeof(char *));
        if (!x->ev || !x->items)
            return LICSCAN_ENOMEM;
        x->ev_cap = cap;
        x->items_cap = items;
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
        if (rule->attr != LS_ATTR_NONE)
            continue;
        licscan_restriction *x = slot[rule->flag];
        const clause *c = &s->cl[fi->clause];
        uint32_t type = licscan_flag_value_type(rule->flag);
        /* evidence only: a Chinese clause of a flag the English part sets */
        bool no_value =
            (latin_only >> rule->flag & 1) && is_cjk && is_cjk[fi->clause] == 1;
        const char *v = NULL;
        if (rule->value_how == LS_VALUE_CAPTURE)
            v = value_text(r, s, fi->vs, fi->ve);
        else if (rule->value_how == LS_VALUE_CONST)
            v = rule->value_arg;
        if (rule->value_how == LS_VALUE_CAPTURE && !v)
            return LICSCAN_ENOMEM;
        bool gives_value =
            !no_value && (type == LICSCAN_VALUE_NUMBER ||
                          (type == LICSCAN_VALUE_TEXT && v && *v));
        if (gives_value && rule->priority < value_rule[rule->flag]) {
            value_rule[rule->flag] = rule->priority;
            x->number = fi->number;
            x->value_fired = i;
            if (type == LICSCAN_VALUE_TEXT)
                x->text = v;
        }
        if (x->value_fired == UINT32_MAX && !no_value)
            x->value_fired = i; /* a bool's or a list's first clause */
        if (type == LICSCAN_VALUE_LIST && v && *v && !no_value &&
            rule->flag == LICSCAN_FLAG_TERRITORY_EXCLUSION &&
            rule->value_how == LS_VALUE_CAPTURE) {
            /* one item per place */
            uint32_t ps[MAX_PLACES], pe[MAX_PLACES], np;
            split_places(v, ps, pe, &np);
            for (uint32_t k = 0; k < np && x->nitems < x->items_cap; k++) {
                const char *place =
                    ls_arena_strndup(&r->arena, v + ps[k], pe[k] - ps[k]);
                if (!place)
                    return LICSCAN_ENOMEM;
                if (!ls_has_item(x, place))
                    x->items[x->nitems++] = place;
            }
        } else if (type == LICSCAN_VALUE_LIST && v && *v && !no_value &&
                   !ls_has_item(x, v))
            x->items[x->nitems++] = v;
        bool gives_qualifier =
            !no_value &&
            (rule->qualifier_how == LS_VALUE_CONST ||
             (rule->qualifier_how == LS_VALUE_CAPTURE && fi->qs != UINT32_MAX));
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
        ev->text =
            ls_arena_strndup(&r->arena, s->disp.data + c->ds, c->de - c->ds);
        const char *label = s->labels.data + c->label;
        ev->label = ls_arena_strndup(&r->arena, label, strlen(label));
        ev->rule = rule->id;
        if (!ev->text || !ev->label)
            return LICSCAN_ENOMEM;
    }
    return LICSCAN_OK;
}
