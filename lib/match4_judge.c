/* match4_judge.c -- stage 4 of matching: judging a candidate.
 *
 * Between aligned pairs, template vars absorb unmatched input words when
 * their pattern (PCRE2, or a length) accepts them; optional words may be
 * missing; the rest are extra or missing words and make the differences.
 * The result: kind, coverage, span and score. */
#include <stdlib.h>
#include <string.h>

#include "match1_candidates.h"
#include "match3_align.h"
#include "fold.h"
#include "markup.h"
#include "match4_judge.h"

/* Words a var vouches for beyond those of its original text. */
#define VAR_CREDIT_SLACK 4

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

static uint32_t utf8_chars(const char *p, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* Characters of t[a, b) once whitespace runs are one space and the ends
 * are trimmed (what the text form of a var check sees); counting stops
 * once past `enough`. */
static uint32_t collapsed_chars(const char *t, size_t a, size_t b,
                                uint64_t enough)
{
    uint32_t c = 0;
    bool space = false;
    for (size_t k = a; k < b && c < enough; k++) {
        unsigned char ch = (unsigned char)t[k];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
            ch == '\v') {
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
            char eq = ls_fold_punct(t + k, raw1 - k, &len);
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

/* Is p[0, n) (collapsed) the var's original text, ignoring case, spacing
 * and the forms of dashes and quotes? The original is what the license
 * says even where the var's pattern forgot it (CC-BY-4.0: original "",
 * match "-{1,2}"). */
static bool is_original(const char *o, const char *p, size_t n)
{
    size_t on = strlen(o), i = 0, j = 0;
    while (i < on && ls_is_space(o[i]))
        i++;
    while (i < on || j < n) {
        if (i < on && ls_is_space(o[i])) {
            while (i < on && ls_is_space(o[i]))
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
        char eq = ls_fold_punct(o + i, on - i, &len);
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
            if (MARK_AT(src + p, e - p, MARK_VAR)) {
                size_t end = ls_var_end(src, p + MARK_LEN(MARK_VAR), e);
                if (!end || v >= v1 || np >= GAP_PIECES)
                    return 0;
                pc[np].var = &tp->vars[v++];
                pc[np].litn = 0;
                np++;
                lit = NULL;
                p = end;
                continue;
            }
            size_t mark = ls_optional_mark(src + p, e - p);
            if (mark) {
                p += mark;
                continue;
            }
        }
        size_t len = 1;
        char eq = ls_fold_punct(src + p, e - p, &len);
        char c = eq ? eq : src[p];
        if (!ls_is_space(c)) {
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
        if (j == pc[k].litn && gap_match(s, pc, np, k + 1, subj, n, q, tries))
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

/* What the vars [v0, v1) say of input words [w0, w1), raw text [raw0,
 * raw1), from lengths alone, as vars_accept asks them first: they take
 * the words, they refuse them, or only reading the text tells (so for any
 * var not of the "any text of a length" kind). `refuse_only`: the caller
 * asks only whether they refuse, and a text too short to be refused is
 * not counted. */
typedef enum { VARS_ASK, VARS_TAKE, VARS_REFUSE } vars_verdict;

/* The characters vars [v0, v1) of one gap can take, as vars_by_length
 * reads them, less the 2 * GAP_LITERAL of punctuation around them;
 * UINT64_MAX when one of them takes text by its pattern, not its length. */
static uint64_t vars_chars(const ls_template *tp, uint32_t v0, uint32_t v1)
{
    /* their lengths, their originals */
    uint64_t most = 0;
    for (uint32_t v = v0; v < v1; v++) {
        const ls_regex *re = tp->vars[v].re;
        if (!re->any_text)
            return UINT64_MAX;
        uint64_t on = tp->vars[v].original_len;
        most += (re->max_chars > on ? re->max_chars : on) + 1;
    }
    return most;
}

static vars_verdict vars_by_length(const scan *s, const ls_template *tp,
                                   uint32_t v0, uint32_t v1, uint32_t w0,
                                   uint32_t w1, size_t raw0, size_t raw1,
                                   bool refuse_only)
{
    /* vars that take any text of a length: count characters, no regex.
     * The longest text their pieces could take: their lengths, their
     * originals, and the punctuation around them */
    uint64_t most = vars_chars(tp, v0, v1);
    if (most == UINT64_MAX)
        return VARS_ASK;
    most += 2 * GAP_LITERAL;
    if (refuse_only && raw1 - raw0 <= most)
        return VARS_ASK; /* no more characters than bytes: not refused */
    /* past `most` characters (more than any var's range) no count is in a
     * range and the pieces cannot take it: counting further changes
     * nothing */
    uint64_t enough = most + 1;
    const char *t = s->text->text;
    uint32_t raw = collapsed_chars(t, raw0, raw1, enough), words = 0;
    if (refuse_only && raw <= most)
        return VARS_ASK;
    uint32_t last_start = UINT32_MAX;
    for (uint32_t k = w0; k < w1 && words < enough; k++) {
        if (s->tk[k].start == last_start)
            continue;
        last_start = s->tk[k].start;
        words += (words ? 1 : 0) +
                 utf8_chars(t + s->tk[k].start, s->tk[k].end - s->tk[k].start);
    }
    for (uint32_t v = v0; v < v1; v++) {
        const ls_regex *re = tp->vars[v].re;
        if ((raw >= re->min_chars && raw <= re->max_chars) ||
            (words >= re->min_chars && words <= re->max_chars))
            return VARS_TAKE;
    }
    return raw > most ? VARS_REFUSE : VARS_ASK;
}

/* Every way vars_by_length (and so vars_accept) takes the words of a
 * gap needs their characters (each word counted once however many tokens
 * it gave, as utf8_chars counts them) within the gap's `most`: the raw
 * text holds them and more, and the words' count holds them too. The
 * vars [v0, v1) spread over gaps between pairs add up to at most their
 * vars_chars and 2 * GAP_LITERAL a var; the most tokens of [w0, w1) that
 * words of that many characters hold is at most the count of its
 * shortest words (each at least as short as it is) that fit, times the
 * most tokens one word gave. */
uint32_t ls_vars_most_words(const scan *s, const ls_template *tp, uint32_t v0,
                            uint32_t v1, uint32_t w0, uint32_t w1)
{
    uint64_t chars = vars_chars(tp, v0, v1);
    if (chars == UINT64_MAX)
        return w1 - w0;
    chars += (uint64_t)(v1 - v0) * 2 * GAP_LITERAL;
    /* the words by their characters (LONG_WORD and more alike: counted
     * short, so the bound only loosens) */
    enum { LONG_WORD = 64 };
    uint32_t by_chars[LONG_WORD + 1] = { 0 }, per_word = 1, tokens = 1;
    const char *t = s->text->text;
    for (uint32_t k = w0; k < w1; k++) {
        if (k > w0 && s->tk[k].start == s->tk[k - 1].start) {
            if (++tokens > per_word)
                per_word = tokens;
            continue;
        }
        tokens = 1;
        uint32_t c =
            utf8_chars(t + s->tk[k].start, s->tk[k].end - s->tk[k].start);
        by_chars[c < LONG_WORD ? c : LONG_WORD]++;
    }
    uint64_t words = 0;
    for (uint32_t c = 0; c <= LONG_WORD && chars; c++) {
        uint64_t fit = c ? chars / c : by_chars[0];
        if (fit > by_chars[c])
            fit = by_chars[c];
        words += fit;
        chars -= fit * c;
        if (fit < by_chars[c])
            break;
    }
    uint64_t most = words * per_word;
    return most < w1 - w0 ? (uint32_t)most : w1 - w0;
}

bool ls_vars_refuse_by_length(const scan *s, const ls_template *tp, uint32_t v0,
                              uint32_t v1, uint32_t w0, uint32_t w1,
                              size_t raw0, size_t raw1)
{
    return vars_by_length(s, tp, v0, v1, w0, w1, raw0, raw1, true) ==
           VARS_REFUSE;
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
    vars_verdict by_length =
        vars_by_length(s, tp, v0, v1, w0, w1, raw0, raw1, false);
    if (by_length != VARS_ASK)
        return by_length == VARS_TAKE;
    bool all_any = true;
    for (uint32_t v = v0; v < v1 && all_any; v++)
        all_any = tp->vars[v].re->any_text;
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
        m->diffs =
            ls_arena_alloc(&s->res->arena, s->max_diffs * sizeof(ls_diff));
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
uint32_t ls_paragraph_before(scan *s, uint32_t from, uint32_t limit)
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

uint32_t ls_paragraph_after(scan *s, uint32_t last, uint32_t limit)
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
            size_t mark = ls_optional_mark(tp->source + a, b - a);
            if (!mark)
                return false;
            a += mark;
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
            if (fold_ascii(c) != *p)
                return false;
        }
    }
    return j == n;
}

/* Input words a run of vars [v0, v1) can vouch for, of `taken`: about as
 * many as their original text has. Words past that are taken (not extra)
 * but are no evidence for the template: an open pattern such as ".+"
 * would otherwise let a template win on text it does not contain. */
static uint32_t vars_credit(const ls_template *tp, uint32_t v0, uint32_t v1,
                            uint32_t taken)
{
    uint32_t words = 0;
    for (uint32_t v = v0; v < v1 && words < taken; v++) {
        bool in = false;
        for (const char *o = tp->vars[v].original; o && *o; o++) {
            bool w = word_byte(*o) || (unsigned char)*o >= 0x80;
            words += w && !in;
            in = w;
        }
        words += VAR_CREDIT_SLACK;
    }
    return words < taken ? words : taken;
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
        if (absorbed) {
            m->absorbed += w1 - w0;
            m->credit += vars_credit(tp, v0, v1, w1 - w0);
        }
    } else if (w1 == w0 && any_required_var(tp, v0, v1) &&
               !vars_accept(s, tp, v0, v1, w0, w0, r0, r1)) {
        /* a var with nothing (acceptable) in its place */
        const ls_var *v = &tp->vars[v0];
        add_diff(s, m, LICSCAN_DIFF_VARIABLE, r0, r1, v->original,
                 v->original_len);
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
                     v->original_len);
        } else {
            add_diff(s, m, LICSCAN_DIFF_INSERTED, is, ie, "", 0);
        }
    } else if (missing) {
        add_diff(s, m, LICSCAN_DIFF_DELETED, r1, r1,
                 tp->source + tp->tok[first_req].start,
                 tp->tok[last_req].end - tp->tok[first_req].start);
    }
}

/* Is a partial match evidence of its template? Not when it is made of
 * wording found in many license texts only (a warranty disclaimer, the
 * GPL's "in the hope that it will be useful", the Apache notice an
 * exception quotes): such a fragment is evidence of none of them. A
 * complete match may be (BSD-3-Clause is). */
static bool fragment_is_evidence(scan *s, const pairs *p)
{
    return ls_distinct_words(s, p->i, p->n, PARTIAL_MIN_DISTINCT) >=
           PARTIAL_MIN_DISTINCT;
}

/* Judge aligned pairs p (from align_candidate) and add a candidate. */
void ls_judge_candidate(scan *s, const ls_template *tp, const pairs *p,
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
            uint32_t from = ls_paragraph_before(s, first_i, 0);
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
        m.credit += vars_credit(tp, v0, v1, first_i - w0);
        /* with no words taken, a var may still take the punctuation
         * before ("______" in a form to fill in) */
        size_t r0 = s->tk[first_i].start;
        if (w0 == first_i)
            r0 = first_i ? s->tk[first_i - 1].end : 0;
        judge_segment(s, tp, &m, w0, w0, 0, t0, w0 < first_i ? UINT32_MAX : 0,
                      t0, r0, s->tk[first_i].start);
        first_i = w0;
    }
    /* vars come in template order: a cursor finds the next one */
    uint32_t vnext = 0;
    for (uint32_t k = 1; k < p->n && !s->rc; k++) {
        uint32_t pi = p->i[k - 1], pt = p->t[k - 1];
        while (vnext < tp->nvars && tp->vars[vnext].gap <= pt)
            vnext++;
        /* pairs that follow each other on both sides before the next var
         * have nothing between them to judge */
        uint32_t next_gap =
            vnext < tp->nvars ? tp->vars[vnext].gap : UINT32_MAX;
        k = pairs_run_end(p->i, p->t, p->n, k, true, next_gap);
        if (k == p->n)
            break;
        pi = p->i[k - 1];
        pt = p->t[k - 1];
        uint32_t ci = p->i[k], ct = p->t[k];
        bool var_here = next_gap <= ct;
        if (ci == pi + 1 && ct == pt + 1) {
            /* adjacent words; a required var between them is missing */
            if (var_here)
                judge_segment(s, tp, &m, ci, ci, ct, ct, ct, ct, s->tk[pi].end,
                              s->tk[ci].start);
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
            uint32_t to = ls_paragraph_after(s, last_i, s->n);
            for (uint32_t w = to; w > last_i && !s->rc; w--)
                if (vars_accept(s, tp, v0, v1, last_i + 1, w + 1,
                                s->tk[last_i + 1].start, s->tk[w].end)) {
                    w1 = w;
                    break;
                }
        }
        m.absorbed += w1 - last_i;
        m.credit += vars_credit(tp, v0, v1, w1 - last_i);
        size_t r1 = s->tk[w1].end;
        if (w1 == last_i &&
            lt + 1 == tp->ntok) /* ... or the punctuation after */
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
    m.inner_missing =
        inner_required > matched_req ? inner_required - matched_req : 0;
    if (m.kind == LICSCAN_KIND_PARTIAL &&
        (s->complete_only || !fragment_is_evidence(s, p)))
        return;
    m.score = (double)m.matched + (double)m.absorbed - (double)m.extra -
              MISSING_WEIGHT * (double)(inner_required - matched_req) -
              (var_fail ? 1 : 0);
    /* the same evidence with nothing forgiven: every required word
     * missing counts, and vars vouch only for about their own length
     * (match5_rank.c weighs a partial winner against complete rivals) */
    m.strict = (double)m.matched + (double)m.credit - (double)m.extra -
               (double)(tp->nrequired - matched_req) - (var_fail ? 1 : 0);
    if (LS_GROW(s->a, s->cand, s->cand_cap, s->ncand + 1)) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    s->cand[s->ncand++] = m;
}

/* Align the chain whose anchors are `an` and, if it is a real match, add
 * a candidate. */
void ls_build_candidate(scan *s, const ls_template *tp, const pairs *an)
{
    uint32_t mreq;
    if (ls_align_candidate(s, tp, an, &mreq))
        ls_judge_candidate(s, tp, &s->out, mreq);
}
