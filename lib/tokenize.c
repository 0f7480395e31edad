/* tokenize.c -- normalize text into word tokens, following the SPDX
 * matching guidelines: case, punctuation, quotes, dashes, whitespace,
 * bullets and list numbers, comment markers and markup do not count;
 * varietal spellings, "&"/"and", http/https are equal. Each token keeps its
 * byte span so every answer can point at the caller's text. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#define LS_SSE2_WORDS 1
#include <emmintrin.h>
#endif

#include "internal.h"

/* ---------- lexicon ---------- */

void ls_lexicon_init(ls_lexicon *lx, const ls_alloc *a)
{
    memset(lx, 0, sizeof(*lx));
    ls_dict_init(&lx->dict, a);
}

void ls_lexicon_free(ls_lexicon *lx, const ls_alloc *a)
{
    ls_dict_free(&lx->dict);
    ls_free(a, lx->equiv);
    ls_free(a, lx->equiv_index);
    memset(lx, 0, sizeof(*lx));
}

void ls_tokens_free(ls_tokens *t)
{
    ls_free(t->alloc, t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

static inline void put_token(ls_tokens *out, uint32_t id, size_t s, size_t e)
{
    out->v[out->n].id = id;
    out->v[out->n].start = (uint32_t)s;
    out->v[out->n].end = (uint32_t)e;
    out->n++;
}

/* push_token when the array is full; apart so the common case stays a
 * few instructions. */
static void push_token_grow(ls_tokens *out, uint32_t id, size_t s, size_t e)
{
    if (LS_GROW(out->alloc, out->v, out->cap, out->n + 1)) {
        out->failed = true;
        return;
    }
    put_token(out, id, s, e);
}

static inline void push_token(ls_tokens *out, uint32_t id, size_t s, size_t e)
{
    if (out->n == out->cap)
        push_token_grow(out, id, s, e);
    else
        put_token(out, id, s, e);
}

/* A word as list marker: "12", "b", "iv" (roman numerals up to xxxix). */
static bool marker_word(const char *w, size_t n)
{
    bool digits = true, roman = true;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (c < '0' || c > '9')
            digits = false;
        if (c != 'i' && c != 'v' && c != 'x')
            roman = false;
    }
    if (digits)
        return n <= 3;
    if (n == 1 && w[0] >= 'a' && w[0] <= 'z')
        return true;
    return roman && n <= 6;
}

/* Words of a text repeat: a cache hit skips hashing and probing the
 * dictionary. It holds only what the dictionary answered, and ids never
 * change. Without intern the cache is the scan's scratch's (ls_scan_words:
 * one scan at a time holds it, and the texts scanned one after another
 * share their words), or the call's own when it has none: 512 entries, as
 * clearing a larger one costs more than it saves on texts of a few KiB.
 * With intern it is the lexicon's, kept
 * across the many short literals of templates, and cleared when the
 * dictionary's character buffer is not the one it was filled from (the
 * dictionary is only ever replaced whole while empty, by the frozen
 * image, or copied by thawing it). */
#define SCAN_CACHE_BITS 9

#ifdef __GNUC__
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

typedef struct tok_ctx {
    uint64_t (*cache_key)[2]; /* the word cache: ls_word_cache's layout */
    uint32_t *cache_id;
    unsigned cache_shift; /* 64 - log2(its entries) */
    ls_lexicon *lx;
    ls_tokstate *st;
    ls_tokens *out;
    const char *text;
    size_t end;
    char w[LS_MAX_WORD + 16]; /* + zero padding for hashing */
    size_t wn;
    size_t ws, we; /* span of the current word */
    bool too_long; /* only with wn == LS_MAX_WORD: wn != 0 means a word */
} tok_ctx;

/* emit_id for a word with equivalences; false when none applies. */
static bool emit_equiv(tok_ctx *c, uint32_t id, size_t s, size_t e)
{
    ls_lexicon *lx = c->lx;
    for (uint32_t k = lx->equiv_index[id] - 1;
         k < lx->nequiv && lx->equiv[k].from == id; k++) {
        const ls_equiv *q = &lx->equiv[k];
        if (q->after && q->after != c->st->prev_id)
            continue;
        for (uint32_t j = 0; j < q->to_len; j++)
            push_token(c->out, q->to[j], s, e);
        c->st->prev_id = q->to[q->to_len - 1];
        return true;
    }
    return false;
}

static inline void emit_id(tok_ctx *c, uint32_t id, size_t s, size_t e)
{
    ls_lexicon *lx = c->lx;
    if (id && id < lx->equiv_index_cap && lx->equiv_index[id] &&
        emit_equiv(c, id, s, e))
        return;
    push_token(c->out, id, s, e);
    c->st->prev_id = id;
}

/* The dictionary's id for the n-byte zero-padded word in c->w, added with
 * st->intern; false when adding it fails. Apart from emit_word, whose
 * cache hits need none of this. */
static bool lookup_word(tok_ctx *c, size_t n, uint32_t *id)
{
    uint64_t h = ls_hash_padded(c->w, n);
    if (!c->st->intern) {
        *id = ls_dict_find_padded(&c->lx->dict, c->w, n, h);
        return true;
    }
    *id = ls_dict_intern_padded(&c->lx->dict, c->w, n, h);
    return *id != 0;
}

/* Look up (or with st->intern add) the n-byte word in c->w and emit it.
 * Words of up to 16 bytes go through the cache. */
static ALWAYS_INLINE void emit_word(tok_ctx *c, size_t n)
{
    memset(c->w + n, 0, 8); /* zero padding for hashing */
    uint32_t id;
    if (n > 16) {
        if (!lookup_word(c, n, &id)) {
            c->out->failed = true;
            return;
        }
    } else {
        uint64_t k0, k1 = 0;
        memcpy(&k0, c->w, 8);
        if (n > 8) /* bytes n..15 are padding */
            memcpy(&k1, c->w + 8, 8);
        uint32_t slot = (uint32_t)(((k0 ^ (k1 * 0xc2b2ae3d27d4eb4fULL)) *
                                    0x9e3779b97f4a7c15ULL) >>
                                   c->cache_shift);
        uint64_t *key = c->cache_key[slot];
        if (key[0] == k0 && key[1] == k1) {
            id = c->cache_id[slot];
        } else {
            if (!lookup_word(c, n, &id)) {
                c->out->failed = true;
                return;
            }
            key[0] = k0;
            key[1] = k1;
            c->cache_id[slot] = id;
        }
    }
    emit_id(c, id, c->ws, c->we);
}

#ifdef LS_SSE2_WORDS
/* A whole word of fewer than 16 ASCII letters and digits at p, ended by an
 * ASCII byte, emitted as end_word would emit it but from one 16-byte load:
 * its folded bytes are the cache key, and c->w is written only on a miss.
 * Returns its length; 0 when the word is longer or runs on into a UTF-8
 * sequence (the byte loop takes it). 16 bytes at p must be readable; no
 * word is open and the line has started (no marker to look for). */
static ALWAYS_INLINE size_t fast_word(tok_ctx *c, const char *text, size_t p)
{
    static const unsigned char keep[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xff, 0xff, 0xff, 0xff };
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + p));
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* folds letters */
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
    size_t n = (size_t)__builtin_ctz(~m); /* at most 16 */
    if (n >= 16 || (unsigned char)text[p + n] >= 0x80)
        return 0;
    __m128i key = _mm_and_si128(
        low, _mm_loadu_si128((const __m128i *)(const void *)(keep + 16 - n)));
    uint64_t k0 = (uint64_t)_mm_cvtsi128_si64(key);
    uint64_t k1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(key, key));
    uint32_t slot = (uint32_t)(((k0 ^ (k1 * 0xc2b2ae3d27d4eb4fULL)) *
                                0x9e3779b97f4a7c15ULL) >>
                               c->cache_shift);
    uint64_t *ck = c->cache_key[slot];
    uint32_t id;
    if (ck[0] == k0 && ck[1] == k1) {
        id = c->cache_id[slot];
    } else {
        _mm_storeu_si128((__m128i *)(void *)c->w, key);
        memset(c->w + 16, 0, 8); /* the padding lookup_word reads */
        if (!lookup_word(c, n, &id)) {
            c->out->failed = true;
            return n;
        }
        ck[0] = k0;
        ck[1] = k1;
        c->cache_id[slot] = id;
    }
    emit_id(c, id, p, p + n);
    return n;
}
#endif

/* flush_word for an over-long word or one at the start of a line. */
static void flush_word_special(tok_ctx *c)
{
    size_t n = c->wn;
    c->wn = 0;
    if (c->too_long) {
        c->too_long = false;
        push_token(c->out, LS_TOKEN_UNKNOWN, c->ws, c->we);
        c->st->prev_id = LS_TOKEN_UNKNOWN;
        c->st->line_start = false;
        return;
    }
    /* "1." "a)" "iv." "1.2." at the start of a line: list numbering; the
     * Markdown emphasis a number may carry ("3**.") does not count */
    size_t after = c->we;
    while (after < c->end && after - c->we < 3 &&
           (c->text[after] == '*' || c->text[after] == '_'))
        after++;
    char nx = after < c->end ? c->text[after] : 0;
    char pv = c->ws > 0 ? c->text[c->ws - 1] : 0;
    /* "U.S.", "i.e.": a letter, a dot and a letter is an abbreviation
     * (in "12. U.S. Government" only "12" numbers the item; a var
     * standing for "12." would otherwise keep "U.S." in the template
     * but not in the text) */
    unsigned char nx2 =
        after + 1 < c->end ? (unsigned char)c->text[after + 1] : 0;
    bool abbrev = nx == '.' && c->w[0] > '9' &&
                  ((nx2 | 0x20) >= 'a' && (nx2 | 0x20) <= 'z');
    if ((nx == '.' || nx == ')' || (pv == '.' && c->w[0] <= '9')) && !abbrev &&
        marker_word(c->w, n))
        return;
    if (n == 3 && memcmp(c->w, "rem", 3) == 0 && (nx == ' ' || nx == '\t'))
        return; /* a batch-file comment marker */
    c->st->line_start = false;
    emit_word(c, n);
}

/* End the current word, which is not empty. Inline where words end after
 * an ASCII run, the common case. */
static ALWAYS_INLINE void end_word(tok_ctx *c)
{
    if (c->too_long || c->st->line_start) {
        flush_word_special(c);
        return;
    }
    size_t n = c->wn;
    c->wn = 0;
    emit_word(c, n);
}

/* End the current word, if any. */
static void flush_word(tok_ctx *c)
{
    if (c->wn)
        end_word(c);
}

static inline void add_byte(tok_ctx *c, char b, size_t s, size_t e)
{
    if (!c->wn)
        c->ws = s;
    c->we = e;
    if (c->wn < LS_MAX_WORD)
        c->w[c->wn++] = b;
    else
        c->too_long = true;
}

static void add_codepoint(tok_ctx *c, int32_t cp, size_t s, size_t e)
{
    char buf[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)buf);
    for (utf8proc_ssize_t i = 0; i < n; i++)
        add_byte(c, buf[i], s, e);
}

/* ASCII letters and digits folded to lower case; 0 for anything else
 * (bytes >= 0x80 included: they take the Unicode path). */
static const char ascii_fold[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
    ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i',
    ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's',
    ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z'
};

#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LS_SWAR_WORDS 1
#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

/* The high bit of each of the eight bytes of v that is an ASCII letter or
 * digit. Bytes are < 0x80 after masking, so the per-byte additions cannot
 * carry into the next byte. */
static inline uint64_t alnum_bits(uint64_t v)
{
    uint64_t x = v & ~HIGH;
    uint64_t digit = (x + ONES * (0x80 - '0')) & ~(x + ONES * (0x7f - '9'));
    uint64_t y = x | ONES * 0x20; /* upper case folded onto lower */
    uint64_t alpha = (y + ONES * (0x80 - 'a')) & ~(y + ONES * (0x7f - 'z'));
    return (digit | alpha) & ~v & HIGH;
}
#endif

/* Append the run of ASCII letters and digits at text[q..end) to the word,
 * folded to lower case; returns the offset after the run. Eight bytes at a
 * time where the word has room: letters and digits all have bit 0x20 set
 * once lower case, so setting it folds; bytes past the run are stored but
 * lie beyond c->wn. */
static inline size_t add_ascii_run(tok_ctx *c, const char *text, size_t q,
                                   size_t end)
{
#ifdef LS_SWAR_WORDS
    size_t wn = c->wn;
    while (end - q >= 8 && wn + 8 <= LS_MAX_WORD) {
        uint64_t v;
        memcpy(&v, text + q, 8);
        uint64_t m = alnum_bits(v);
        uint64_t low = v | (m >> 2);
        memcpy(c->w + wn, &low, 8);
        if (m != HIGH) {
            size_t k = (size_t)__builtin_ctzll(~m & HIGH) >> 3;
            c->wn = wn + k;
            return q + k;
        }
        wn += 8;
        q += 8;
    }
    c->wn = wn;
#endif
    char f;
    while (q < end && (f = ascii_fold[(unsigned char)text[q]])) {
        if (c->wn < LS_MAX_WORD)
            c->w[c->wn++] = f;
        else
            c->too_long = true;
        q++;
    }
    return q;
}

/* 1 for the ASCII bytes that only end a word: all but letters, digits,
 * line ends and the '(' '<' '&' ']' that can start a marker, a tag, an
 * entity or a Markdown link target (0 for bytes of 0x80 and up). */
static const unsigned char plain_ascii[256] = {
    /* 0x00 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1,
    /* 0x10 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x20 */ 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1,
    /* 0x30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1,
    /* 0x40 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1,
    /* 0x60 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1
};

#ifdef LS_SSE2_WORDS
/* The words fast_word takes after one it took that ended at p, and the
 * spaces and punctuation before each (plain_ascii): the byte loop would
 * step over those and hand each word to fast_word alike, as a word it
 * takes leaves none open and no line started. Returns where the next
 * byte the byte loop must take is. */
static size_t fast_words_after(tok_ctx *c, const char *text, size_t p,
                               size_t end)
{
    for (;;) {
        while (p < end && plain_ascii[(unsigned char)text[p]])
            p++;
        size_t n;
        if (end - p < 16 || !ascii_fold[(unsigned char)text[p]] ||
            !(n = fast_word(c, text, p)))
            return p;
        p += n;
    }
}
#endif

static bool is_alnum_ascii(unsigned char b)
{
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
           (b >= 'A' && b <= 'Z');
}

static const char *const html_tags[] = {
    "a",     "abbr",   "b",      "blockquote", "body",   "br",      "center",
    "code",  "dd",     "div",    "dl",         "dt",     "em",      "font",
    "h1",    "h2",     "h3",     "h4",         "h5",     "h6",      "head",
    "hr",    "html",   "i",      "img",        "li",     "link",    "meta",
    "ol",    "p",      "pre",    "section",    "small",  "span",    "strong",
    "sub",   "sup",    "table",  "tbody",      "td",     "th",      "thead",
    "title", "tr",     "tt",     "u",          "ul",     "article", "main",
    "nav",   "header", "footer", "style",      "script", NULL
};

/* Length of a Markdown link's target at p ("](https://...)"), or 0: the
 * link's text is what a reader sees, and the same license is written with
 * and without its links. A target holds no space or line break. */
#define LINK_TARGET_MAX 512
static size_t link_target_len(const char *t, size_t p, size_t end)
{
    if (p + 2 >= end || t[p + 1] != '(')
        return 0;
    for (size_t q = p + 2; q < end && q - p <= LINK_TARGET_MAX; q++) {
        char ch = t[q];
        if (ch == ')')
            return q + 1 - p;
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '(')
            return 0;
    }
    return 0;
}

/* Length of an HTML tag or comment at p, or 0 when it is not one. */
static size_t html_tag_len(const char *t, size_t p, size_t end)
{
    size_t lim = end - p > 1024 ? p + 1024 : end;
    if (p + 4 <= end && memcmp(t + p, "<!--", 4) == 0) {
        for (size_t q = p + 4; q + 3 <= lim; q++)
            if (memcmp(t + q, "-->", 3) == 0)
                return q + 3 - p;
        return 0;
    }
    size_t q = p + 1;
    if (q < end && t[q] == '/')
        q++;
    size_t ns = q;
    while (q < end && q - ns < 12 && is_alnum_ascii((unsigned char)t[q]))
        q++;
    size_t nl = q - ns;
    if (!nl || q >= end ||
        (t[q] != '>' && t[q] != ' ' && t[q] != '/' && t[q] != '\n' &&
         t[q] != '\t'))
        return 0;
    char name[16];
    for (size_t i = 0; i < nl; i++)
        name[i] = (char)(t[ns + i] | 0x20);
    name[nl] = 0;
    bool known = false;
    for (int i = 0; html_tags[i] && !known; i++)
        known = html_tags[i][0] == name[0] && strcmp(html_tags[i], name) == 0;
    if (!known)
        return 0;
    for (; q < lim; q++)
        if (t[q] == '>')
            return q + 1 - p;
    return 0;
}

/* "(a)", "(iv)", "(12)", "(c)": enumeration or copyright sign, ignored. */
static size_t paren_marker_len(const char *t, size_t p, size_t end)
{
    size_t q = p + 1;
    char w[8];
    size_t n = 0;
    while (q < end && n < 6 && is_alnum_ascii((unsigned char)t[q]))
        w[n++] = (char)(t[q++] | 0x20);
    if (!n || q >= end || t[q] != ')')
        return 0;
    return marker_word(w, n) ? q + 1 - p : 0;
}

static bool is_cjk(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || /* Hiragana, Katakana */
           (cp >= 0x3400 && cp <= 0x4DBF) || /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) || /* CJK unified */
           (cp >= 0xF900 && cp <= 0xFAFF) || /* CJK compatibility */
           (cp >= 0x20000 && cp <= 0x3134F); /* CJK extensions B-G */
}

int ls_tokenize(ls_lexicon *lx, const char *text, size_t begin, size_t end,
                ls_tokstate *st, ls_tokens *out)
{
    tok_ctx c;
    uint64_t scan_key[1u << SCAN_CACHE_BITS][2];
    uint32_t scan_id[1u << SCAN_CACHE_BITS];
    if (st->intern) {
        if (lx->intern_cache_of != lx->dict.chars.data) {
            /* a new dictionary, or its words moved: start afresh */
            memset(lx->intern_cache.key, 0, sizeof(lx->intern_cache.key));
            lx->intern_cache_of = lx->dict.chars.data;
        }
        c.cache_key = lx->intern_cache.key;
        c.cache_id = lx->intern_cache.id;
        c.cache_shift = 64 - LS_WORD_CACHE_BITS;
    } else if (st->words) {
        ls_scan_words *kept = st->words;
        if (kept->chars != lx->dict.chars.data ||
            kept->count != lx->dict.count) {
            memset(kept->key, 0, sizeof(kept->key));
            kept->chars = lx->dict.chars.data;
            kept->count = lx->dict.count;
        }
        c.cache_key = kept->key;
        c.cache_id = kept->id;
        c.cache_shift = 64 - LS_SCAN_WORDS_BITS;
    } else {
        memset(scan_key, 0, sizeof(scan_key)); /* 0 matches no word */
        c.cache_key = scan_key;
        c.cache_id = scan_id;
        c.cache_shift = 64 - SCAN_CACHE_BITS;
    }
    c.lx = lx;
    c.st = st;
    c.out = out;
    c.text = text;
    c.end = end;
    c.wn = 0;
    c.ws = c.we = begin;
    c.too_long = false;
    static const utf8proc_option_t fold = UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                          UTF8PROC_STRIPMARK |
                                          UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE;

    size_t p = begin;
    while (p < end) {
        unsigned char b = (unsigned char)text[p];
        if (b < 0x80) {
            if (ascii_fold[b]) {
#ifdef LS_SSE2_WORDS
                size_t n;
                if (!c.wn && end - p >= 16 && !st->line_start &&
                    (n = fast_word(&c, text, p))) {
                    p = fast_words_after(&c, text, p + n, end);
                    continue;
                }
#endif
                /* the common case: a run of ASCII letters and digits */
                if (!c.wn)
                    c.ws = p;
                p = add_ascii_run(&c, text, p, end);
                c.we = p;
                continue;
            }
            if (c.wn)
                end_word(&c);
            if (plain_ascii[b]) {
                p++;
                continue;
            }
            size_t skip = 0;
            switch (b) {
            case '\n':
            case '\r': st->line_start = true; break;
            case '(': skip = paren_marker_len(text, p, end); break;
            case '<': skip = html_tag_len(text, p, end); break;
            case ']': skip = link_target_len(text, p, end); break;
            case '&': {
                /* "&" and "&amp;" are the word "and"; other entities are
                 * punctuation */
                size_t q = p + 1;
                while (
                    q < end && q - p <= 10 &&
                    (is_alnum_ascii((unsigned char)text[q]) || text[q] == '#'))
                    q++;
                bool entity = q < end && text[q] == ';' && q > p + 1;
                bool is_and = !entity || (q - p == 4 &&
                                          memcmp(text + p + 1, "amp", 3) == 0);
                skip = entity ? q + 1 - p : 1;
                if (is_and) {
                    c.ws = p;
                    c.we = p + skip;
                    memcpy(c.w, "and", 3);
                    c.wn = 3;
                    flush_word(&c);
                }
                break;
            }
            default: break;
            }
            p += skip ? skip : 1;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate((const utf8proc_uint8_t *)text + p,
                             (utf8proc_ssize_t)(end - p), &cp);
        if (len <= 0) { /* cannot happen on decoded text; be safe */
            flush_word(&c);
            p++;
            continue;
        }
        size_t s = p, e = p + (size_t)len;
        p = e;
        if (cp == 0xA9) { /* copyright sign */
            flush_word(&c);
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
            flush_word(&c);
            st->line_start = true;
            continue;
        }
        if (is_cjk(cp)) {
            /* scripts written without spaces: one word per character */
            flush_word(&c);
            add_codepoint(&c, cp, s, e);
            flush_word(&c);
            continue;
        }
        utf8proc_int32_t dst[24];
        int bound = 0;
        utf8proc_ssize_t m = utf8proc_decompose_char(cp, dst, 24, fold, &bound);
        if (m < 0 || m > 24) {
            flush_word(&c);
            continue;
        }
        for (utf8proc_ssize_t i = 0; i < m; i++) {
            utf8proc_category_t cat = utf8proc_category(dst[i]);
            bool wordch =
                (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO);
            if (!wordch) {
                flush_word(&c);
                continue;
            }
            if (dst[i] < 0x80)
                add_byte(&c, (char)dst[i], s, e);
            else
                add_codepoint(&c, dst[i], s, e);
        }
    }
    flush_word(&c);
    if (st->intern) /* the buffer may have moved; the ids hold */
        lx->intern_cache_of = lx->dict.chars.data;
    return out->failed ? LICSCAN_ENOMEM : LICSCAN_OK;
}

/* ---------- equivalences ---------- */

static int equiv_cmp(const void *a, const void *b)
{
    const ls_equiv *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    /* context-specific entries first */
    return (x->after == 0) - (y->after == 0);
}

static int tokenize_plain(ls_lexicon *lx, const ls_alloc *a, const char *s,
                          size_t n, uint32_t *ids, uint32_t *count)
{
    ls_tokens t = { .alloc = a };
    ls_tokstate st = { .line_start = false, .intern = true };
    int rc = ls_tokenize(lx, s, 0, n, &st, &t);
    *count = 0;
    if (!rc) {
        for (uint32_t i = 0; i < t.n && i < 3; i++)
            ids[i] = t.v[i].id;
        *count = t.n;
    }
    ls_tokens_free(&t);
    return rc;
}

int ls_lexicon_load_equivalences(ls_lexicon *lx, const ls_alloc *a,
                                 const char *text, size_t len)
{
    size_t p = 0;
    while (p < len) {
        size_t e = p;
        while (e < len && text[e] != '\n')
            e++;
        /* alternatives separated by commas; the one with most words is the
         * canonical form, so "sublicense" becomes "sub license" */
        uint32_t ids[8][3], cnt[8];
        int nalt = 0;
        size_t q = p;
        while (q <= e && nalt < 8) {
            size_t r = q;
            while (r < e && text[r] != ',')
                r++;
            int rc =
                tokenize_plain(lx, a, text + q, r - q, ids[nalt], &cnt[nalt]);
            if (rc)
                return rc;
            if (cnt[nalt] >= 1 && cnt[nalt] <= 3)
                nalt++;
            q = r + 1;
        }
        int canon = 0;
        for (int i = 1; i < nalt; i++)
            if (cnt[i] > cnt[canon])
                canon = i;
        for (int i = 0; i < nalt; i++) {
            if (i == canon)
                continue;
            ls_equiv eq = { 0 };
            if (cnt[i] == 1) {
                if (cnt[canon] == 1 && ids[i][0] == ids[canon][0])
                    continue; /* same words */
                eq.from = ids[i][0];
                /* only the words it has: the rest of ids[canon] was never
                 * written, and a database file holds these bytes */
                memcpy(eq.to, ids[canon], cnt[canon] * sizeof(eq.to[0]));
                eq.to_len = cnt[canon];
            } else if (cnt[i] == 2 && cnt[canon] == 2 &&
                       ids[i][0] == ids[canon][0] &&
                       ids[i][1] != ids[canon][1]) {
                eq.from = ids[i][1]; /* "copyright owner" */
                eq.after = ids[i][0];
                eq.to[0] = ids[canon][1];
                eq.to_len = 1;
            } else {
                continue;
            }
            if (LS_GROW(a, lx->equiv, lx->equiv_cap, lx->nequiv + 1))
                return LICSCAN_ENOMEM;
            lx->equiv[lx->nequiv++] = eq;
        }
        p = e + 1;
    }
    /* "https" is "http" */
    uint32_t https = ls_dict_intern(&lx->dict, "https", 5);
    uint32_t http = ls_dict_intern(&lx->dict, "http", 4);
    if (!https || !http)
        return LICSCAN_ENOMEM;
    if (LS_GROW(a, lx->equiv, lx->equiv_cap, lx->nequiv + 1))
        return LICSCAN_ENOMEM;
    lx->equiv[lx->nequiv++] =
        (ls_equiv){ .from = https, .to = { http }, .to_len = 1 };
    qsort(lx->equiv, lx->nequiv, sizeof(ls_equiv), equiv_cmp);
    uint32_t maxid = 0;
    for (uint32_t i = 0; i < lx->nequiv; i++)
        if (lx->equiv[i].from > maxid)
            maxid = lx->equiv[i].from;
    ls_free(a, lx->equiv_index);
    lx->equiv_index = ls_calloc(a, maxid + 1, sizeof(uint32_t));
    if (!lx->equiv_index) {
        lx->equiv_index_cap = 0;
        return LICSCAN_ENOMEM;
    }
    lx->equiv_index_cap = maxid + 1;
    for (uint32_t i = lx->nequiv; i-- > 0;)
        lx->equiv_index[lx->equiv[i].from] = i + 1;
    return LICSCAN_OK;
}
