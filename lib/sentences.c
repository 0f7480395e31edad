/* sentences.c -- a line's text into the display text of clauses: plain
 * runs copied in one go (classified 64 bytes at a time, SSE2 or AVX2 when
 * the CPU has it), markup read past, quotes and dashes made ASCII, and the
 * text cut at sentence ends; a clause closed here finds its lead-in. Part
 * of segmentation (segment.h); segment.c hands it the text of each line. */
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif
/* AVX2 is used when the CPU has it (checked at run time): the build
 * itself targets plain x86-64 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
#define LS_HAVE_AVX2_PATH 1
#include <immintrin.h>
#endif

#include "fold.h"
#include "segment_build.h"

#define WORD(c)                                                                \
    ((c) >= 0x80 || ((c) >= '0' && (c) <= '9') ||                              \
     ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define WORD4(c) WORD(c), WORD(c + 1), WORD(c + 2), WORD(c + 3)
#define WORD16(c) WORD4(c), WORD4(c + 4), WORD4(c + 8), WORD4(c + 12)
#define WORD64(c) WORD16(c), WORD16(c + 16), WORD16(c + 32), WORD16(c + 48)
/* Bytes of words: ASCII letters and digits, and every byte of a UTF-8
 * sequence. */
const bool ls_word_byte[256] = { WORD64(0), WORD64(64), WORD64(128),
                                 WORD64(192) };

/* Bytes ls_seg_add_line copies without a second look: not a space, markup,
 * quote, sentence end, control or start of a UTF-8 sequence. */
#define PLAIN(c)                                                               \
    ((c) > 0x20 && (c) < 0x80 && (c) != '*' && (c) != '`' && (c) != '_' &&     \
     (c) != '\\' && (c) != '<' && (c) != '"' && (c) != '.' && (c) != '!' &&    \
     (c) != '?')
#define PLAIN4(c) PLAIN(c), PLAIN(c + 1), PLAIN(c + 2), PLAIN(c + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4(c + 4), PLAIN4(c + 8), PLAIN4(c + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16(c + 16), PLAIN16(c + 32), PLAIN16(c + 48)
static const bool plain_byte[256] = { PLAIN64(0), PLAIN64(64), PLAIN64(128),
                                      PLAIN64(192) };

/* Length of the run of plain bytes at p (p[0] is one) and of single
 * spaces between them, a space counting only before index `room`: for a
 * clause that reaches its size limit within the line. */
static size_t plain_run_scalar(const char *p, const char *e, const char *r,
                               size_t room)
{
    for (;;) {
        while (r < e && plain_byte[(unsigned char)*r])
            r++;
        if (r + 1 < e && *r == ' ' && plain_byte[(unsigned char)r[1]] &&
            (size_t)(r - p) < room)
            r++;
        else
            return (size_t)(r - p);
    }
}

/* Which bytes of a line a plain run takes, 64 at a time: bit i of
 * `taken` is set when byte at + i is plain, or a space before a plain
 * byte, both before the line's end. A line is classified once, however
 * many runs its quotes, sentence ends and UTF-8 characters cut it into;
 * each run's end is then a count of set bits. */
typedef struct plain_window {
    size_t at; /* offset in the line of bit 0; SIZE_MAX: none yet */
    uint64_t taken;
} plain_window;

#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
/* Bit i set: byte i of v is plain (0x21..0x7f and not markup). */
static inline unsigned plain_mask(__m128i v)
{
#define EQ(c) _mm_cmpeq_epi8(v, _mm_set1_epi8(c))
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(EQ('*'), EQ('`')),
                     _mm_or_si128(EQ('_'), EQ('\\'))),
        _mm_or_si128(_mm_or_si128(EQ('<'), EQ('"')),
                     _mm_or_si128(_mm_or_si128(EQ('.'), EQ('!')), EQ('?'))));
#undef EQ
    /* signed: bytes of 0x80 and above are negative */
    __m128i printable = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x20));
    return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(bad, printable));
}
#endif

#ifdef LS_HAVE_AVX2_PATH
/* The same for 32 bytes, by table look-ups on each byte's two halves: a
 * byte is not plain when the bits its high and low nibbles pick share
 * one. A bit stands for a high nibble holding markup (2: ! " * . and the
 * space, 3: < ?, 5: backslash _, 6: `); bit 4 for the high nibbles of
 * controls and of UTF-8 bytes, whatever the low one. */
__attribute__((target("avx2"))) static inline uint32_t plain_mask_avx2(
    __m256i v)
{
    const __m256i by_low = _mm256_setr_epi8(
        0x19, 0x11, 0x11, 0x10, 0x10, 0x10, 0x10, 0x10, /* 0-7 */
        0x10, 0x10, 0x11, 0x10, 0x16, 0x10, 0x11, 0x16, /* 8-f */
        0x19, 0x11, 0x11, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x11, 0x10,
        0x16, 0x10, 0x11, 0x16);
    const __m256i by_high = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x00, 0x04, 0x08, 0x00, /* 0-7 */
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, /* 8-f */
        0x10, 0x10, 0x01, 0x02, 0x00, 0x04, 0x08, 0x00, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x10, 0x10);
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256i low = _mm256_and_si256(v, nibble);
    __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    __m256i hit = _mm256_and_si256(_mm256_shuffle_epi8(by_low, low),
                                   _mm256_shuffle_epi8(by_high, high));
    return (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(hit, _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static void plain_masks_avx2(const char *b,
                                                             uint64_t *plain,
                                                             uint64_t *space)
{
    *plain = *space = 0;
    for (int k = 0; k < 2; k++) {
        __m256i v =
            _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * k));
        *plain |= (uint64_t)plain_mask_avx2(v) << (32 * k);
        *space |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
                      _mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')))
                  << (32 * k);
    }
}
#endif

void ls_plain_masks(const char *b, int impl, uint64_t *plain, uint64_t *space)
{
    (void)impl; /* without SIMD, there is only the byte loop */
#ifdef LS_HAVE_AVX2_PATH
    if (impl == LS_SIMD_BEST && __builtin_cpu_supports("avx2")) {
        plain_masks_avx2(b, plain, space);
        return;
    }
#endif
    *plain = *space = 0;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    if (impl != LS_SIMD_NONE) {
        for (int k = 0; k < 4; k++) {
            __m128i v =
                _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
            *plain |= (uint64_t)plain_mask(v) << (16 * k);
            *space |= (uint64_t)(unsigned)_mm_movemask_epi8(
                          _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))
                      << (16 * k);
        }
        return;
    }
#endif
    for (int i = 0; i < 64; i++) {
        *plain |= (uint64_t)plain_byte[(unsigned char)b[i]] << i;
        *space |= (uint64_t)(b[i] == ' ') << i;
    }
}

/* Classify the 64 bytes of the line [line, e) from offset `at`; the
 * text may end before them (tend), so the last bytes are read from a
 * copy. */
static void classify_window(plain_window *w, const char *line, const char *e,
                            const char *tend, size_t at)
{
    const char *b = line + at;
    size_t n = (size_t)(e - b) < 64 ? (size_t)(e - b) : 64;
    char copy[64];
    if ((size_t)(tend - b) < 64) {
        memset(copy, 0, sizeof(copy));
        memcpy(copy, b, n);
        b = copy;
    }
    uint64_t plain, space;
    ls_plain_masks(b, LS_SIMD_BEST, &plain, &space);
    if (n < 64) {
        uint64_t inside = ((uint64_t)1 << n) - 1;
        plain &= inside;
        space &= inside;
    }
    /* byte 63's neighbour is the next window's first */
    uint64_t next = n == 64 && at + 64 < (size_t)(e - line) &&
                    plain_byte[(unsigned char)line[at + 64]];
    w->at = at;
    w->taken = plain | (space & (plain >> 1 | next << 63));
}

/* Length of the run of plain bytes at p (p[0] is one) and of single
 * spaces between them, in the line [line, e). */
static size_t plain_run(plain_window *w, const char *line, const char *e,
                        const char *tend, const char *p)
{
    size_t at = (size_t)(p - line);
    for (;;) {
        if (w->at == SIZE_MAX || at < w->at || at - w->at >= 64)
            classify_window(w, line, e, tend, at);
        size_t off = at - w->at;
        uint64_t rest = w->taken >> off;
        if (rest != ~(uint64_t)0 >> off) /* a byte it does not take */
            return at + (size_t)__builtin_ctzll(~rest) - (size_t)(p - line);
        at = w->at + 64;
        if (at >= (size_t)(e - line))
            return (size_t)(e - p);
    }
}

/* A sentence that introduces a list: it ends in ':' or, in text whose
 * lines were rewrapped, holds ': 1.' / ': (a)' / ': i.'. */
static bool leads_list(const char *p, size_t n)
{
    if (n && p[n - 1] == ':')
        return true;
    if (n >= 3 && memcmp(p + n - 3, "：", 3) == 0) /* full-width */
        return true;
    for (const char *c = memchr(p, ':', n); c && c + 4 < p + n;
         c = memchr(c + 1, ':', (size_t)(p + n - c - 1))) {
        size_t i = (size_t)(c - p);
        if (p[i + 1] != ' ')
            continue;
        size_t j = i + 2;
        bool paren = p[j] == '(';
        j += paren;
        size_t k = j;
        while (k < n && k - j < 4 &&
               ((p[k] >= '0' && p[k] <= '9') || (p[k] >= 'a' && p[k] <= 'z')))
            k++;
        if (k > j && k < n && (p[k] == (paren ? ')' : '.') || p[k] == ')'))
            return true;
    }
    return false;
}

/* Only a list item's search for its lead-in asks, about the clauses it
 * walks back over: most clauses are never read again for this. */
static bool clause_leads(const seg *s, clause *c)
{
    if (c->leads == LEADS_UNKNOWN)
        c->leads = leads_list(s->disp.data + c->ds, c->de - c->ds) ? LEADS_YES
                                                                   : LEADS_NO;
    return c->leads == LEADS_YES;
}

void ls_seg_close_clause(seg *s, uint32_t end_src)
{
    if (!s->in_clause || s->failed)
        return;
    uint32_t ds = s->open, de = (uint32_t)s->disp.len;
    while (de > ds && s->disp.data[de - 1] == ' ')
        de--;
    /* the bytes inside code spans, the open one up to here */
    bool spanning = s->in_code;
    code_span_end(s);
    uint32_t in_code = s->code_bytes;
    s->code_bytes = 0;
    s->in_code = spanning;
    s->in_clause = false;
    if (de == ds) {
        truncate_display(s, ds);
        s->code_from = (uint32_t)s->disp.len;
        return;
    }
    truncate_display(s, de);
    emit(s, " ", 1, end_src); /* separates clauses in the buffer */
    if (LS_GROW(s->alloc, s->cl, s->cl_cap, s->ncl + 1)) {
        s->failed = true;
        return;
    }
    clause *c = &s->cl[s->ncl];
    c->ds = ds;
    c->de = de;
    c->depth = s->depth;
    c->label = s->cur_label;
    c->para = s->para;
    c->run = s->run;
    c->item = s->item_pending;
    c->leads = LEADS_UNKNOWN;
    c->quoted = in_code * 2 > de - ds;
    s->item_pending = false;
    /* The lead-in of a clause is the closest earlier clause less deeply
     * nested; a list item also takes a plain sentence ending in ':' ("You
     * agree not to use the Model:") that sits at its own depth. */
    c->lead = -1;
    /* The first item of a list ("1.", "a.", "(i)") also takes the plain
     * sentence right before it, as a new list after a sentence introduces
     * it even without a ':' ("You agree not to use any Artifact." then
     * "1. In any way that violates ..."). */
    bool first_item = false;
    if (c->item && s->depth) {
        const char *mk = s->stack[s->depth - 1].text;
        first_item = !strcmp(mk, "1") || !strcmp(mk, "a") || !strcmp(mk, "i") ||
                     !strcmp(mk, "A") || !strcmp(mk, "一");
    }
    for (int32_t k = (int32_t)s->ncl - 1; k >= 0 && (c->depth || c->item);
         k--) {
        clause *o = &s->cl[k];
        if (o->depth < c->depth || (c->item && !o->item &&
                                    ((first_item && k == (int32_t)s->ncl - 1) ||
                                     clause_leads(s, o)))) {
            c->lead = k;
            break;
        }
        /* a sibling searched the clauses before it for the same thing:
         * a long list is not walked back once per item */
        if (o->depth == c->depth && o->item == c->item) {
            c->lead = o->lead;
            break;
        }
    }
    s->ncl++;
}

/* Words after which a period does not end a sentence, by first letter
 * (a sentence end asks, so the look-up reads one short list). */
static const char *const abbreviations[26] = {
    ['a' - 'a'] = "approx apr art aug",
    ['b' - 'a'] = "b.v",
    ['c' - 'a'] = "cf co corp",
    ['d' - 'a'] = "dec dr",
    ['e' - 'a'] = "e.g e.u eg etc",
    ['f' - 'a'] = "feb fig",
    ['i' - 'a'] = "i.e ie inc incl",
    ['j' - 'a'] = "jan jul jun",
    ['l' - 'a'] = "l.l.c llc ltd",
    ['m' - 'a'] = "mar mr ms",
    ['n' - 'a'] = "n.v no nos nov",
    ['o' - 'a'] = "oct",
    ['p' - 'a'] = "p.c para",
    ['s' - 'a'] = "s.a sec sep sept st",
    ['u' - 'a'] = "u.k u.s",
    ['v' - 'a'] = "ver vs",
};

static bool abbreviation(const char *w, size_t n)
{
    if (n == 1)
        return true; /* initials and list letters: "J. Smith", "a." */
    if (n > 6)
        return false; /* longer than any of them */
    unsigned char first = ascii_lower((unsigned char)w[0]);
    if (first < 'a' || first > 'z' || !abbreviations[first - 'a'])
        return false;
    for (const char *a = abbreviations[first - 'a'];;) {
        size_t len = 0;
        while (a[len] && a[len] != ' ')
            len++;
        if (len == n && same_ascii_caseless(a, w, n))
            return true;
        if (!a[len])
            return false;
        a += len + 1;
    }
}

/* 。 (U+3002), ！ (U+FF01), ？ (U+FF1F), ； (U+FF1B): the three bytes at
 * p end a Chinese sentence or clause. */
static bool cjk_sentence_end(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == 0xe3)
        return u[1] == 0x80 && u[2] == 0x82;
    return u[0] == 0xef && u[1] == 0xbc &&
           (u[2] == 0x81 || u[2] == 0x9f || u[2] == 0x9b);
}

/* Append one line's text (after markers) to the open clause, normalizing
 * and cutting it into sentences. */
void ls_seg_add_line(seg *s, const char *p, const char *e)
{
    const char *t = s->t, *line = p;
    plain_window win = { .at = SIZE_MAX };
    while (p < e && !s->failed) {
        unsigned char c = (unsigned char)*p;
        uint32_t src = (uint32_t)(p - t);
        size_t k = 1;
        if (plain_byte[c]) {
            /* a run of them, single spaces between them included, in one
             * copy; a space stops it where the clause reaches its size
             * limit, as below */
            open_clause(s);
            size_t used = s->disp.len - s->open;
            size_t room = used < MAX_CLAUSE_BYTES ? MAX_CLAUSE_BYTES - used : 0;
            const char *r =
                (size_t)(e - p) <= room
                    ? p + plain_run(&win, line, e, s->t + s->tlen, p)
                    : p + plain_run_scalar(p, e, p + 1, room);
            copy_source(s, p, (size_t)(r - p));
            p = r;
            if (s->in_clause && s->disp.len - s->open >= MAX_CLAUSE_BYTES &&
                (p >= e || *p == ' '))
                close_clause(s, (uint32_t)(p - t));
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            if (s->in_clause && s->disp.len > s->open &&
                s->disp.data[s->disp.len - 1] != ' ')
                emit(s, " ", 1, src);
            p++;
            continue;
        }
        if (c == '`') { /* a Markdown code span opens or closes */
            while (p < e && *p == '`')
                p++;
            if (s->in_code) {
                code_span_end(s);
            } else {
                s->in_code = true;
                s->code_from = (uint32_t)s->disp.len;
            }
            continue;
        }
        if (c == '*' || (c == '_' && (p + 1 < e && p[1] == '_'))) {
            p += (c == '_') ? 2 : 1; /* Markdown emphasis marks */
            continue;
        }
        if (c == '\\' && p + 1 < e && (unsigned char)p[1] < 0x80 &&
            !alnum((unsigned char)p[1])) {
            p++; /* Markdown escape: keep the escaped character */
            continue;
        }
        if (c == '<' && p + 1 < e &&
            (p[1] == '/' || (p[1] >= 'a' && p[1] <= 'z') ||
             (p[1] >= 'A' && p[1] <= 'Z'))) {
            const char *gt = memchr(p, '>', (size_t)(e - p));
            if (gt && gt - p < 200) { /* an HTML tag reads as a space */
                if (s->in_clause && s->disp.len > s->open &&
                    s->disp.data[s->disp.len - 1] != ' ')
                    emit(s, " ", 1, src);
                p = gt + 1;
                continue;
            }
        }
        open_clause(s);
        const char *out = p;
        size_t outn = 1;
        if (c >= 0x80) {
            k = ls_utf8_valid_len((const unsigned char *)p,
                                  (const unsigned char *)e);
            outn = k;
            if (!k) /* keeps the display text valid UTF-8 for PCRE2 */
                k = 1, out = "?", outn = 1;
            size_t flen;
            char f = k ? ls_fold_punct(p, (size_t)(e - p), &flen) : 0;
            if (f == '\'')
                out = "'", outn = 1;
            else if (f == '"')
                out = "\"", outn = 1;
            else if (f == '-')
                out = "-", outn = 1;
            else if (f == ' ')
                out = " ", outn = 1;
            else if (k == 3 && c == 0xe2 && (unsigned char)p[1] == 0x80 &&
                     (unsigned char)p[2] == 0xa6)
                out = "...", outn = 3; /* the one fold to more than a byte */
        }
        emit(s, out, outn, src);
        if (outn == 1 && *out == '"')
            s->in_quote = !s->in_quote;
        p += k;
        /* Chinese sentences end at the full-width 。 ！ ？ ； (no space
         * after them), a quoted one kept whole as above */
        if (k == 3 && outn == 3 && cjk_sentence_end(out)) {
            if (s->failed || s->disp.len <= s->open)
                return;
            if (!(s->in_quote && s->disp.len - s->open < 1024))
                close_clause(s, (uint32_t)(p - t));
            continue;
        }
        /* a sentence ends at . ! ? before a space and a capital, digit,
         * quote or bracket, unless the word was an abbreviation */
        if ((c == '.' || c == '!' || c == '?') &&
            (p >= e || *p == ' ' || *p == '\t' || *p == '\r')) {
            /* the next word may be on the next line of a wrapped text,
             * after the comment marker that line starts with */
            const char *tend = s->t + s->tlen, *n = p;
            for (bool newline = false;;) {
                while (n < tend &&
                       (*n == ' ' || *n == '\t' || *n == '\r' || *n == '\n'))
                    newline |= *n++ == '\n';
                if (newline && !s->comment_known && n < tend &&
                    may_start_comment(*n))
                    know_comment_style(s);
                size_t cl = s->comment_len;
                if (!newline || !cl || (size_t)(tend - n) < cl ||
                    memcmp(n, s->comment, cl) != 0)
                    break;
                n += cl;
                newline = false;
            }
            bool next_starts = n >= tend || (*n >= 'A' && *n <= 'Z') ||
                               (*n >= '0' && *n <= '9') || *n == '"' ||
                               *n == '(' || (unsigned char)*n >= 0x80;
            if (s->failed || s->disp.len <= s->open)
                return; /* out of memory: nothing was emitted */
            /* a quoted notice keeps its sentences together, up to a
             * point: a stray quote must not glue a whole text */
            bool quoted = s->in_quote && s->disp.len - s->open < 1024;
            if (!next_starts || quoted)
                continue;
            if (c == '.') { /* the word before it: an abbreviation? */
                size_t wl = 0;
                const char *wend = s->disp.data + s->disp.len - 1;
                while (wl < 12 && wend - wl > s->disp.data + s->open &&
                       (alnum((unsigned char)wend[-(long)wl - 1]) ||
                        wend[-(long)wl - 1] == '.'))
                    wl++;
                if (abbreviation(wend - wl, wl))
                    continue;
            }
            close_clause(s, (uint32_t)(p - t));
        } else if (s->in_clause && s->disp.len - s->open >= MAX_CLAUSE_BYTES &&
                   (*p == ' ' || p >= e)) {
            close_clause(s, (uint32_t)(p - t));
        }
    }
}
