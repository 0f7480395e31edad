/* prefilter_derive.c -- the requirement of a rule pattern, read from its
 * source by a small parser of the PCRE2 syntax the rules use.
 *
 * The derivation must never claim a string the pattern can do without.
 * It is conservative: syntax the parser does not know gives no
 * requirement at all (the pattern always runs), and where it has to
 * choose, it drops what it is unsure of. A literal character is required
 * only where it must be matched; an optional item, a negative lookaround
 * or a lookbehind requires nothing; alternatives require the union of
 * what each requires; a string may be cut to a prefix. */
#include <string.h>

#include "internal.h"
#include "prefilter_derive.h"

/* What is known of a pattern item, a sequence or an alternation. */
typedef struct pf_info {
    bool exact; /* it matches exactly one string of `fixed` */
    pf_set fixed;
    pf_need need;
} pf_info;

/* Working sets of one level of group nesting. */
typedef struct pf_frame {
    pf_set run;      /* product of the exact items of the current run */
    pf_set tail;     /* the same since its last item with alternatives */
    pf_set run_best; /* the best group the run gave so far (n 0: none) */
    pf_info item;    /* the item being read */
    pf_info branch;  /* the alternative being read */
    pf_set joined[PF_MAX_GROUPS]; /* alternatives' groups, rank by rank */
    pf_set scratch;
} pf_frame;

typedef struct pf_parser {
    const char *p, *end;
    bool failed; /* syntax not understood: no requirement */
    uint32_t depth;
    pf_frame frame[PF_MAX_DEPTH];
    pf_info top;
} pf_parser;

/* ---------- sets ---------- */

static char ascii_lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static void set_clear(pf_set *s) { s->n = 0; }

/* The set of the empty string: what a zero-width item matches. */
static void set_epsilon(pf_set *s)
{
    s->n = 1;
    s->len[0] = 0;
}

static void set_copy(pf_set *d, const pf_set *s)
{
    if (d == s)
        return;
    d->n = s->n;
    memcpy(d->len, s->len, s->n);
    memcpy(d->s, s->s, (size_t)s->n * PF_MAX_LEN);
}

static bool set_has(const pf_set *s, const char *t, uint32_t n)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] == n && memcmp(s->s[i], t, n) == 0)
            return true;
    return false;
}

/* Add a string unless there; false when it does not fit. */
static bool set_add(pf_set *s, const char *t, uint32_t n)
{
    if (set_has(s, t, n))
        return true;
    if (s->n == PF_MAX_STRINGS || n > PF_MAX_LEN)
        return false;
    s->len[s->n] = (uint8_t)n;
    memcpy(s->s[s->n], t, n);
    s->n++;
    return true;
}

static bool set_union(pf_set *d, const pf_set *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (!set_add(d, s->s[i], s->len[i]))
            return false;
    return true;
}

/* d = d x s (every string of d followed by every string of s); false,
 * with d unchanged, when the product does not fit. */
static bool set_product(pf_set *d, const pf_set *s, pf_set *scratch)
{
    if (s->n == 1) { /* most often: literal characters, an assertion */
        for (uint32_t i = 0; i < d->n; i++)
            if (d->len[i] + s->len[0] > PF_MAX_LEN)
                return false;
        for (uint32_t i = 0; i < d->n; i++) {
            memcpy(d->s[i] + d->len[i], s->s[0], s->len[0]);
            d->len[i] = (uint8_t)(d->len[i] + s->len[0]);
        }
        return true;
    }
    if (d->n * s->n > PF_MAX_STRINGS)
        return false;
    for (uint32_t i = 0; i < d->n; i++)
        for (uint32_t j = 0; j < s->n; j++)
            if (d->len[i] + s->len[j] > PF_MAX_LEN)
                return false;
    set_clear(scratch);
    for (uint32_t i = 0; i < d->n; i++)
        for (uint32_t j = 0; j < s->n; j++) {
            char t[2 * PF_MAX_LEN];
            memcpy(t, d->s[i], d->len[i]);
            memcpy(t + d->len[i], s->s[j], s->len[j]);
            set_add(scratch, t, (uint32_t)(d->len[i] + s->len[j]));
        }
    set_copy(d, scratch);
    return true;
}

static bool contains(const char *h, uint32_t hn, const char *n, uint32_t nn)
{
    if (!nn)
        return true;
    for (uint32_t i = 0; i + nn <= hn; i++)
        if (h[i] == n[0] && memcmp(h + i + 1, n + 1, nn - 1) == 0)
            return true;
    return false;
}

/* As a requirement group, a string that holds another of the set adds
 * nothing: the text holding it holds the other. Drop such strings. */
static void group_reduce(pf_set *s)
{
    if (s->n < 2)
        return;
    /* a string holds another only if it has all of the other's bytes
     * (by their low five bits): that rules most pairs out at once */
    uint32_t bytes[PF_MAX_STRINGS];
    for (uint32_t i = 0; i < s->n; i++) {
        bytes[i] = 0;
        for (uint32_t k = 0; k < s->len[i]; k++)
            bytes[i] |= 1u << (s->s[i][k] & 31);
    }
    uint8_t keep[PF_MAX_STRINGS];
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        bool redundant = false;
        for (uint32_t j = 0; j < s->n && !redundant; j++)
            redundant =
                j != i && !(bytes[j] & ~bytes[i]) &&
                (s->len[j] < s->len[i] || (s->len[j] == s->len[i] && j < i)) &&
                contains(s->s[i], s->len[i], s->s[j], s->len[j]);
        if (!redundant)
            keep[k++] = (uint8_t)i;
    }
    for (uint32_t m = 0; m < k; m++) { /* rows only move down */
        uint32_t i = keep[m];
        if (i != m) {
            s->len[m] = s->len[i];
            memcpy(s->s[m], s->s[i], s->len[i]);
        }
    }
    s->n = k;
}

/* How selective a group is: the longer its shortest string, the rarer
 * (up to a point), and the fewer its strings the better. 0: useless, a
 * string shorter than a trigram (see gram_bit) counting as always there. */
static uint32_t score_of(uint32_t shortest, uint32_t n)
{
    if (!n || shortest < 3)
        return 0;
    return shortest << 8 | (PF_MAX_STRINGS - n);
}

static uint32_t shortest_len(const pf_set *s)
{
    uint32_t shortest = PF_MAX_LEN;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] < shortest)
            shortest = s->len[i];
    return shortest;
}

static uint32_t group_score(const pf_set *s)
{
    return score_of(shortest_len(s), s->n);
}

/* The best score s can have once reduced (its shortest string stays). */
static uint32_t group_score_bound(const pf_set *s)
{
    return score_of(shortest_len(s), s->n ? 1 : 0);
}

/* Every text holding a string of `a` holds one of `b`. */
static bool group_implies(const pf_set *a, const pf_set *b)
{
    for (uint32_t i = 0; i < a->n; i++) {
        bool any = false;
        for (uint32_t j = 0; j < b->n && !any; j++)
            any = contains(a->s[i], a->len[i], b->s[j], b->len[j]);
        if (!any)
            return false;
    }
    return true;
}

/* ---------- requirements ---------- */

static void need_clear(pf_need *n) { n->n = 0; }

/* Add a reduced group to a requirement (the text must hold it too),
 * keeping the best PF_MAX_GROUPS, best first, none implied by another. */
static void need_put(pf_need *nd, const pf_set *g)
{
    uint32_t score = group_score(g);
    if (!score)
        return;
    for (uint32_t i = 0; i < nd->n; i++)
        if (group_implies(&nd->g[i], g))
            return; /* already checked by a stronger group */
    uint32_t k = 0;
    for (uint32_t i = 0; i < nd->n; i++) /* drop the groups g implies */
        if (!group_implies(g, &nd->g[i]))
            set_copy(&nd->g[k++], &nd->g[i]);
    nd->n = k;
    uint32_t at = 0;
    while (at < nd->n && group_score(&nd->g[at]) >= score)
        at++;
    if (at == PF_MAX_GROUPS)
        return;
    if (nd->n == PF_MAX_GROUPS)
        nd->n--;
    for (uint32_t i = nd->n; i > at; i--)
        set_copy(&nd->g[i], &nd->g[i - 1]);
    set_copy(&nd->g[at], g);
    nd->n++;
}

/* The same for any set of strings. */
static void need_add(pf_need *nd, const pf_set *group)
{
    if (group_score_bound(group) <=
        (nd->n == PF_MAX_GROUPS ? group_score(&nd->g[nd->n - 1]) : 0))
        return; /* cannot make the cut */
    pf_set g;
    set_copy(&g, group);
    group_reduce(&g);
    need_put(nd, &g);
}

static void need_merge(pf_need *d, const pf_need *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        need_put(d, &s->g[i]);
}

/* Weaken a group to the prefixes of its strings of up to n bytes (a
 * text holding a string holds its prefixes): fewer strings, often. */
static void group_truncate(pf_set *s, uint32_t n)
{
    bool cut = false;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] > n) {
            s->len[i] = (uint8_t)n;
            cut = true;
        }
    if (cut)
        group_reduce(s);
}

/* How far a joined group has been weakened: strings of up to cut[level]
 * bytes. */
static const uint8_t cut[] = { PF_MAX_LEN, 12, 8, 6, 5, 4, 3 };

/* Add group g (reduced) to acc as alternatives: weakened as much as it
 * takes to fit; false when even strings of 3 bytes do not. */
static bool group_join(pf_set *acc, uint32_t *level, const pf_set *g,
                       pf_set *scratch)
{
    for (; *level < sizeof(cut); ++*level) {
        set_copy(scratch, g);
        group_truncate(scratch, cut[*level]);
        group_truncate(acc, cut[*level]);
        if (set_union(acc, scratch))
            return true;
        group_reduce(acc);
        if (set_union(acc, scratch))
            return true;
    }
    return false;
}

/* ---------- the parser ---------- */

static void info_epsilon(pf_info *it)
{
    it->exact = true;
    set_epsilon(&it->fixed);
    need_clear(&it->need);
}

static void info_unknown(pf_info *it)
{
    it->exact = false;
    need_clear(&it->need);
}

static void info_char(pf_info *it, char c)
{
    it->exact = true;
    it->fixed.n = 1;
    it->fixed.len[0] = 1;
    it->fixed.s[0][0] = ascii_lower(c);
    need_clear(&it->need);
}

static bool is_plain(char c)
{
    switch (c) {
    case '\\':
    case '^':
    case '$':
    case '.':
    case '[':
    case '|':
    case '(':
    case ')':
    case '?':
    case '*':
    case '+':
    case '{': return false;
    default: return (unsigned char)c < 0x80;
    }
}

static bool is_quantifier(char c)
{
    return c == '?' || c == '*' || c == '+' || c == '{';
}

/* Bytes of the character at p when it lies beyond ASCII and has no other
 * case, so that caseless matching compares its bytes exactly: CJK
 * ideographs and punctuation, kana, bopomofo, Hangul syllables, and the
 * full-width forms that are not letters. 0 for any other character (its
 * case variants are not known here, so it requires nothing). The pattern
 * compiled, so its UTF-8 is valid. tests/unit_prefilter.c checks the
 * ranges with utf8proc. */
uint32_t ls_pf_caseless_len(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] < 0xE0 || u[0] >= 0xF0 || end - p < 3)
        return 0;
    uint32_t cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 |
                  (uint32_t)(u[2] & 0x3F);
    bool caseless = (cp >= 0x3000 && cp <= 0x312F) || /* punctuation, kana */
                    (cp >= 0x3400 && cp <= 0x4DBF) || /* ideographs, ext. A */
                    (cp >= 0x4E00 && cp <= 0x9FFF) || /* ideographs */
                    (cp >= 0xAC00 && cp <= 0xD7A3) || /* Hangul syllables */
                    (cp >= 0xF900 && cp <= 0xFAFF) || /* compatibility */
                    (cp >= 0xFF01 && cp <= 0xFF20) || /* ! to @, digits */
                    (cp >= 0xFF3B && cp <= 0xFF40) || /* [ to ` */
                    (cp >= 0xFF5B && cp <= 0xFF65);   /* { to the dots */
    return caseless ? 3 : 0;
}

/* Characters that stand for themselves, as one item: up to one that a
 * quantifier follows (it applies to that one alone), which stays. */
static void info_plain_run(pf_parser *ps, pf_info *it)
{
    const char *p = ps->p;
    uint32_t n = 0;
    for (;;) {
        uint32_t k =
            p < ps->end ? is_plain(*p) ? 1 : ls_pf_caseless_len(p, ps->end) : 0;
        if (!k || n + k > PF_MAX_LEN ||
            (p + k < ps->end && is_quantifier(p[k])))
            break;
        for (uint32_t j = 0; j < k; j++)
            it->fixed.s[0][n++] = ascii_lower(p[j]);
        p += k;
    }
    it->exact = true;
    it->fixed.n = 1;
    it->fixed.len[0] = (uint8_t)n;
    need_clear(&it->need);
    ps->p = p;
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* Bytes of the UTF-8 character whose first byte is c (valid: the
 * pattern compiled). */
static uint32_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static void alternation(pf_parser *ps, pf_info *out);

/* A character class [...]: a few ASCII characters are alternatives;
 * anything else matches some character, no telling which. */
static void char_class(pf_parser *ps, pf_info *it)
{
    const char *p = ps->p + 1, *end = ps->end;
    bool negated = p < end && *p == '^';
    if (negated)
        p++;
    bool members[128] = { false };
    bool other = false; /* a member that is no ASCII character */
    bool first = true;
    for (;;) {
        if (p >= end) {
            ps->failed = true;
            return;
        }
        unsigned char c = (unsigned char)*p;
        if (c == ']' && !first)
            break;
        first = false;
        int lo = -1; /* the member read, when an ASCII character */
        if (c == '[' && p + 1 < end &&
            (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            ps->failed = true; /* POSIX classes: not used by the rules */
            return;
        } else if (c == '\\') {
            if (p + 1 >= end) {
                ps->failed = true;
                return;
            }
            unsigned char d = (unsigned char)p[1];
            p += 2;
            if (d < 0x80 && !is_alnum(d)) {
                lo = d;
            } else if (d && strchr("wWdDsShHvV", d)) {
                other = true;
            } else { /* \b (backspace here), \x, \p, \Q, ... */
                ps->failed = true;
                return;
            }
        } else if (c >= 0x80) {
            p += utf8_len(c);
            other = true;
        } else {
            lo = c;
            p++;
        }
        bool range = p + 1 < end && *p == '-' && p[1] != ']';
        if (range && lo < 0) { /* \w-x: not worth knowing how PCRE2 reads it */
            ps->failed = true;
            return;
        }
        if (!range) {
            if (lo >= 0)
                members[lo] = true;
            continue;
        }
        p++; /* the '-' */
        unsigned char h = (unsigned char)*p;
        int hi = -1;
        if (h == '\\' && p + 1 < end && (unsigned char)p[1] < 0x80 &&
            !is_alnum((unsigned char)p[1])) {
            hi = p[1];
            p += 2;
        } else if (h != '\\' && h != '[' && h < 0x80) {
            hi = h;
            p++;
        }
        if (hi < lo) { /* a bound outside ASCII, an escape, or reversed */
            ps->failed = true;
            return;
        }
        for (int k = lo; k <= hi; k++)
            members[k] = true;
    }
    ps->p = p + 1;
    pf_set *s = &it->fixed;
    set_clear(s);
    bool fits = !negated && !other;
    for (int k = 0; k < 128 && fits; k++) {
        char ch = ascii_lower((char)k);
        if (members[k] && !set_has(s, &ch, 1))
            fits = s->n < PF_MAX_CLASS && set_add(s, &ch, 1);
    }
    if (fits && s->n) {
        it->exact = true;
        need_clear(&it->need);
    } else {
        info_unknown(it);
    }
}

/* A backslash outside a class. */
static void escape(pf_parser *ps, pf_info *it)
{
    if (ps->p + 1 >= ps->end) {
        ps->failed = true;
        return;
    }
    unsigned char d = (unsigned char)ps->p[1];
    ps->p += 2;
    if (d < 0x80 && !is_alnum(d))
        info_char(it, (char)d); /* \. \( \- \' ...: the character itself */
    else if (d && strchr("bBAzZG", d))
        info_epsilon(it); /* assertions: they match no character */
    else if (d && strchr("wWdDsShHvV", d))
        info_unknown(it);
    else
        ps->failed = true; /* \x, \p, \Q, \k, back references, ... */
}

/* A group: (...), (?:...), (?<name>...), (?>...), (?i:...), the
 * lookarounds, or an option setting (?i) alone. */
static void group(pf_parser *ps, pf_info *it)
{
    enum { PLAIN, AHEAD, NOTHING } kind = PLAIN;
    const char *p = ps->p + 1, *end = ps->end;
    if (p < end && *p == '?') {
        p++;
        char c = p < end ? *p : 0;
        char c1 = p + 1 < end ? p[1] : 0;
        if (c == ':' || c == '>') { /* plain, atomic */
            p++;
        } else if (c == '=') {
            kind = AHEAD;
            p++;
        } else if (c == '!' || (c == '<' && (c1 == '=' || c1 == '!'))) {
            /* negative lookarounds and lookbehinds: nothing required */
            kind = NOTHING;
            p += c == '!' ? 1 : 2;
        } else if (c == '<' || c == '\'' || (c == 'P' && c1 == '<')) {
            char close = c == '\'' ? '\'' : '>';
            p += c == 'P' ? 2 : 1;
            const char *name = p;
            while (p < end && (is_alnum((unsigned char)*p) || *p == '_'))
                p++;
            if (p == name || p >= end || *p != close) {
                ps->failed = true;
                return;
            }
            p++;
        } else if (c == 'i' || c == '-') {
            /* case options only: the strings are compared caselessly */
            while (p < end && (*p == 'i' || *p == '-'))
                p++;
            if (p < end && *p == ')') {
                ps->p = p + 1;
                info_epsilon(it);
                return;
            }
            if (p >= end || *p != ':') {
                ps->failed = true;
                return;
            }
            p++;
        } else { /* comments, conditions, recursion, other options */
            ps->failed = true;
            return;
        }
    }
    if (ps->depth + 1 >= PF_MAX_DEPTH) {
        ps->failed = true;
        return;
    }
    ps->p = p;
    ps->depth++;
    alternation(ps, it);
    ps->depth--;
    if (ps->failed || ps->p >= ps->end || *ps->p != ')') {
        ps->failed = true;
        return;
    }
    ps->p++;
    if (kind == AHEAD) {
        /* what the lookahead matches is in the text too, taking none */
        if (it->exact)
            need_add(&it->need, &it->fixed);
        it->exact = true;
        set_epsilon(&it->fixed);
    } else if (kind == NOTHING) {
        info_epsilon(it);
    }
}

static bool read_number(pf_parser *ps, uint32_t *out)
{
    const char *p = ps->p;
    uint32_t v = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9' && v < 100000)
        v = v * 10 + (uint32_t)(*ps->p++ - '0');
    *out = v;
    return ps->p > p;
}

/* A quantifier after an item: false when there is none. {m}, {m,},
 * {m,n} only; any other brace fails (PCRE2 reads some as literals). */
static bool quantifier(pf_parser *ps, uint32_t *min, uint32_t *max)
{
    if (ps->p >= ps->end)
        return false;
    char c = *ps->p;
    if (c == '*' || c == '+' || c == '?') {
        *min = c == '+';
        *max = c == '?' ? 1 : UINT32_MAX;
        ps->p++;
    } else if (c == '{') {
        ps->p++;
        if (!read_number(ps, min)) {
            ps->failed = true;
            return false;
        }
        *max = *min;
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            if (!read_number(ps, max))
                *max = UINT32_MAX;
        }
        if (ps->p >= ps->end || *ps->p != '}' || *max < *min) {
            ps->failed = true;
            return false;
        }
        ps->p++;
    } else {
        return false;
    }
    if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
        ps->p++; /* lazy or possessive: it matches no other strings */
    if (ps->p < ps->end && is_quantifier(*ps->p))
        ps->failed = true; /* a quantifier quantified */
    return true;
}

/* One item and its quantifier. */
static void item(pf_parser *ps, pf_info *it)
{
    unsigned char c = (unsigned char)*ps->p;
    if (c == '(') {
        group(ps, it);
    } else if (c == '[') {
        char_class(ps, it);
    } else if (c == '\\') {
        escape(ps, it);
    } else if (c == '^' || c == '$') {
        ps->p++;
        info_epsilon(it);
    } else if (c == '.') {
        ps->p++;
        info_unknown(it);
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        ps->failed = true;
        return;
    } else if (c >= 0x80 && ls_pf_caseless_len(ps->p, ps->end)) {
        /* a character without case: its bytes, alone when quantified */
        if (ps->p + 3 < ps->end && is_quantifier(ps->p[3])) {
            it->exact = true;
            it->fixed.n = 1;
            it->fixed.len[0] = 3;
            memcpy(it->fixed.s[0], ps->p, 3);
            need_clear(&it->need);
            ps->p += 3;
        } else {
            info_plain_run(ps, it);
        }
    } else if (c >= 0x80) { /* caseless beyond ASCII: not compared */
        ps->p += utf8_len(c);
        if (ps->p > ps->end)
            ps->failed = true;
        info_unknown(it);
    } else if (ps->p + 1 < ps->end && is_quantifier(ps->p[1])) {
        ps->p++;
        info_char(it, (char)c);
    } else {
        info_plain_run(ps, it);
    }
    uint32_t min, max;
    if (ps->failed || !quantifier(ps, &min, &max) || ps->failed)
        return;
    if (min == 0) {
        /* x? matches x or nothing; other optional items, who knows */
        bool still = it->exact && max == 1 && set_add(&it->fixed, "", 0);
        it->exact = still;
        need_clear(&it->need);
    } else if (min != 1 || max != 1) {
        if (it->exact) /* repeated: the text holds one at least */
            need_add(&it->need, &it->fixed);
        it->exact = false;
    }
}

/* The run of exact items ends: its best group joins the requirement. */
static void end_run(pf_frame *f, pf_need *need)
{
    if (f->run_best.n)
        need_put(need, &f->run_best);
    set_epsilon(&f->run);
    set_epsilon(&f->tail);
    set_clear(&f->run_best);
}

/* A candidate group of the current run: keep the better. */
static void run_candidate(pf_frame *f, const pf_set *g)
{
    if (group_score_bound(g) <= group_score(&f->run_best))
        return;
    set_copy(&f->scratch, g);
    group_reduce(&f->scratch);
    if (group_score(&f->scratch) > group_score(&f->run_best))
        set_copy(&f->run_best, &f->scratch);
}

/* A sequence of items, up to '|', ')' or the end. Adjacent exact items
 * make a run, whose strings are the products of theirs; a run gives its
 * best group: itself up to some item, or since an item with
 * alternatives. Items that are not exact give their own groups. */
static void sequence(pf_parser *ps, pf_info *out)
{
    pf_frame *f = &ps->frame[ps->depth];
    pf_info *it = &f->item;
    out->exact = true;
    need_clear(&out->need);
    set_epsilon(&f->run);
    set_epsilon(&f->tail);
    set_clear(&f->run_best);
    while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
        item(ps, it);
        if (ps->failed)
            return;
        if (!it->exact) {
            run_candidate(f, &f->run);
            run_candidate(f, &f->tail);
            end_run(f, &out->need);
            need_merge(&out->need, &it->need);
            out->exact = false;
            continue;
        }
        need_merge(&out->need, &it->need); /* a lookahead's, say */
        if (it->fixed.n > 1) {
            /* alternatives multiply the run: it may be better cut here */
            run_candidate(f, &f->run);
            run_candidate(f, &f->tail);
            run_candidate(f, &it->fixed);
        }
        if (!set_product(&f->run, &it->fixed, &f->scratch)) {
            run_candidate(f, &f->run);
            run_candidate(f, &f->tail);
            end_run(f, &out->need);
            set_copy(&f->run, &it->fixed);
            out->exact = false;
        }
        if (it->fixed.n > 1)
            set_epsilon(&f->tail);
        else if (!set_product(&f->tail, &it->fixed, &f->scratch))
            set_copy(&f->tail, &it->fixed);
    }
    run_candidate(f, &f->run);
    run_candidate(f, &f->tail);
    if (out->exact)
        set_copy(&out->fixed, &f->run);
    end_run(f, &out->need);
}

/* Alternatives separated by '|', up to ')' or the end. A text one of
 * them matches holds, for each rank k, a string of the k-th group of
 * that alternative (its last, when it has fewer): the groups of a rank
 * joined make a group. An alternative requiring nothing leaves nothing. */
static void alternation(pf_parser *ps, pf_info *out)
{
    pf_frame *f = &ps->frame[ps->depth];
    sequence(ps, out);
    if (ps->failed || ps->p >= ps->end || *ps->p != '|')
        return;
    uint32_t ranks = out->need.n;
    bool live[PF_MAX_GROUPS];
    uint32_t level[PF_MAX_GROUPS];
    for (uint32_t k = 0; k < ranks; k++) {
        set_copy(&f->joined[k], &out->need.g[k]);
        live[k] = true;
        level[k] = 0;
    }
    while (!ps->failed && ps->p < ps->end && *ps->p == '|') {
        ps->p++;
        pf_info *b = &f->branch;
        sequence(ps, b);
        if (ps->failed)
            return;
        out->exact =
            out->exact && b->exact && set_union(&out->fixed, &b->fixed);
        if (!b->need.n)
            ranks = 0;
        for (; ranks && ranks < b->need.n; ranks++) { /* a new rank */
            set_copy(&f->joined[ranks], &f->joined[ranks - 1]);
            live[ranks] = live[ranks - 1];
            level[ranks] = level[ranks - 1];
        }
        for (uint32_t k = 0; k < ranks; k++)
            live[k] = live[k] &&
                      group_join(&f->joined[k], &level[k],
                                 &b->need.g[k < b->need.n ? k : b->need.n - 1],
                                 &f->scratch);
    }
    need_clear(&out->need);
    for (uint32_t k = 0; k < ranks; k++)
        if (live[k]) {
            group_reduce(&f->joined[k]);
            need_put(&out->need, &f->joined[k]);
        }
}

int ls_need_derive(const ls_alloc *a, const char *pat, size_t n, pf_need *need,
                   bool *understood)
{
    *understood = false;
    need->n = 0;
    pf_parser *ps = ls_malloc(a, sizeof(*ps));
    if (!ps)
        return LICSCAN_ENOMEM;
    ps->p = pat;
    ps->end = pat + n;
    ps->failed = false;
    ps->depth = 0;
    alternation(ps, &ps->top);
    if (ps->p != ps->end) /* a ')' too many: PCRE2 would have said */
        ps->failed = true;
    if (!ps->failed) {
        *need = ps->top.need;
        if (ps->top.exact)
            need_add(need, &ps->top.fixed);
        *understood = true;
    }
    ls_free(a, ps);
    return LICSCAN_OK;
}
