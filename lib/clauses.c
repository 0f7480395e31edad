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
/* AVX2 is used when the CPU has it (checked at run time): the build
 * itself targets plain x86-64 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
#define LS_HAVE_AVX2_PATH 1
#include <immintrin.h>
#endif

#include "internal.h"
#include "keywords.h"
#include "numbers.h"

#define MAX_CLAUSE_BYTES 4096 /* longer runs are cut: bounds regex work */
#define SUBJECTS_KEPT 4 /* clauses whose prefilter view an engine keeps */
#define MAX_LEAD_CHAIN 8      /* lead-ins looked through by `within` */

/* ==================================================================== */
/* Clauses                                                              */
/* ==================================================================== */

typedef struct clause {
    uint32_t ds, de;    /* span in the display text */
    uint32_t depth;     /* list nesting */
    int32_t lead;       /* lead-in clause, or -1 */
    uint32_t label;     /* offset of its label in seg.labels */
    bool item;          /* the first clause of a list item */
    uint8_t leads;      /* it introduces a list: LEADS_*, read when asked */
    uint32_t para;      /* paragraph number: sentences of one share it */
    uint32_t run;       /* lines not broken by a blank line or heading */
} clause;

enum { LEADS_UNKNOWN, LEADS_NO, LEADS_YES };

enum { BLOCK_NONE, BLOCK_QUOTE, BLOCK_INDENT, BLOCK_FENCE };

/* Kinds of list marker, for the label stack. */
enum { MK_NUMBER, MK_LOWER, MK_UPPER, MK_ROMAN, MK_BULLET };

typedef struct stack_entry {
    uint8_t kind;
    uint32_t indent; /* column of the marker */
    char text[16];
} stack_entry;

#define MAX_DEPTH 8

/* The display text maps back to the decoded text by runs: display bytes
 * from d up to the next run's d come from decoded bytes s, s + 1, ...,
 * or all from s in a constant run (RUN_CONST set). Most of a text is
 * copied as it is: a run per line or sentence break, not an offset per
 * byte to write, which would also push the matcher's data out of cache. */
typedef struct map_run {
    uint32_t d, s;
} map_run;
#define RUN_CONST 0x80000000u /* decoded offsets stay below 2^31 */

typedef struct seg {
    const ls_alloc *alloc;
    const char *t;       /* decoded text */
    size_t tlen;
    ls_buf disp;         /* display text */
    map_run *runs;       /* display byte -> decoded offset, by runs */
    uint32_t nruns, runs_cap;
    clause *cl;
    uint32_t ncl, cl_cap;
    ls_buf labels;       /* NUL-terminated labels */
    stack_entry stack[MAX_DEPTH];
    uint32_t depth;
    uint32_t cur_label;
    uint32_t open;       /* start of the clause being built, in disp */
    bool in_clause;
    bool item_pending; /* a list marker opened the clause being built */
    bool in_quote;     /* an open double quote in the clause being built */
    uint32_t para;     /* current paragraph number */
    uint32_t run;      /* current run of lines (see clause.run) */
    /* A block (quoted, indented or fenced) after a sentence ending in ':'
     * is the text that sentence introduces: "include this notice:" */
    int block;            /* BLOCK_* being read into the open clause */
    uint32_t held_close;  /* blank line after the ':' clause, +1; 0 none */
    uint32_t line_indent; /* indentation of the last non-blank line */
    const char *table_head, *table_head_end; /* a Markdown table's first row */
    bool table_body;      /* its separator row was seen */
    bool failed;
    char comment[3];     /* line prefix used as a comment marker, or "" */
    uint8_t comment_len; /* its length: looked at on every line and sentence */
    bool comment_known;  /* comment and comment_len are decided */
} seg;

#define WORD(c) ((c) >= 0x80 || ((c) >= '0' && (c) <= '9') || \
                 ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define WORD4(c) WORD(c), WORD(c + 1), WORD(c + 2), WORD(c + 3)
#define WORD16(c) WORD4(c), WORD4(c + 4), WORD4(c + 8), WORD4(c + 12)
#define WORD64(c) WORD16(c), WORD16(c + 16), WORD16(c + 32), WORD16(c + 48)
/* Bytes of words: ASCII letters and digits, and every byte of a UTF-8
 * sequence. */
static const bool word_byte[256] = {WORD64(0), WORD64(64), WORD64(128),
                                    WORD64(192)};

static bool alnum(unsigned char c) { return word_byte[c]; }

/* Room for n more display bytes and the NUL after them: the growing. */
static bool reserve_more(seg *s, size_t n)
{
    size_t need = s->disp.len + n + 1;
    if (s->failed)
        return false;
    size_t cap = s->disp.cap < 1024 ? 1024 : s->disp.cap;
    while (cap < need)
        cap *= 2;
    char *d = cap < RUN_CONST ? ls_realloc(s->alloc, s->disp.data,
                                           s->disp.cap, cap)
                              : NULL;
    if (d) {
        s->disp.data = d;
        s->disp.cap = cap;
    }
    s->failed = !d;
    return !s->failed;
}

static inline bool reserve(seg *s, size_t n)
{
    return (s->disp.len + n + 1 <= s->disp.cap && !s->failed) ||
           reserve_more(s, n);
}

static void push_run(seg *s, uint32_t d, uint32_t src)
{
    if (LS_GROW(s->alloc, s->runs, s->runs_cap, s->nruns + 1))
        s->failed = true;
    else
        s->runs[s->nruns++] = (map_run){d, src};
}

/* The display bytes appended next come from decoded offset src on (or
 * all from src: constant): a new run unless the last one goes on so. */
static inline void map_next(seg *s, uint32_t src, bool constant)
{
    uint32_t d = (uint32_t)s->disp.len;
    if (s->nruns) {
        map_run *r = &s->runs[s->nruns - 1];
        if (r->s & RUN_CONST ? constant && (r->s & ~RUN_CONST) == src
                             : !constant && r->s + (d - r->d) == src)
            return;
        if (r->d == d) { /* it got no bytes */
            r->s = constant ? src | RUN_CONST : src;
            return;
        }
    }
    push_run(s, d, constant ? src | RUN_CONST : src);
}

/* The run display byte k is in: the last one with d <= k. */
static uint32_t run_of(const seg *s, uint32_t k)
{
    uint32_t lo = 0, hi = s->nruns;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->runs[mid].d <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t offset_in_run(const map_run *r, uint32_t k)
{
    return r->s & RUN_CONST ? r->s & ~RUN_CONST : r->s + (k - r->d);
}

/* Decoded offset of display byte k. */
static uint32_t map_at(const seg *s, uint32_t k)
{
    return offset_in_run(&s->runs[run_of(s, k)], k);
}

/* The same for bytes read in order: *run follows k forward. */
static uint32_t map_next_at(const seg *s, uint32_t *run, uint32_t k)
{
    while (*run + 1 < s->nruns && s->runs[*run + 1].d <= k)
        ++*run;
    return offset_in_run(&s->runs[*run], k);
}

static void drop_runs_from(seg *s, size_t d)
{
    while (s->nruns && s->runs[s->nruns - 1].d >= d)
        s->nruns--;
}

/* Cut the display text back to len bytes. */
static void truncate_display(seg *s, size_t len)
{
    s->disp.len = len;
    drop_runs_from(s, len);
    if (s->disp.data)
        s->disp.data[len] = 0;
}

/* Display bytes from `from` to the end all map to src now. */
static void map_all_to(seg *s, size_t from, uint32_t src)
{
    drop_runs_from(s, from);
    push_run(s, (uint32_t)from, src | RUN_CONST);
}

/* Append n display bytes (a few), each mapped to input offset src. */
static inline __attribute__((always_inline)) void
emit(seg *s, const char *p, size_t n, uint32_t src)
{
    if (!reserve(s, n))
        return;
    map_next(s, src, n > 1);
    char *d = s->disp.data + s->disp.len;
    for (size_t i = 0; i < n; i++)
        d[i] = p[i];
    s->disp.len += n;
}

/* Append input bytes [p, p + n) as they are, each mapped to its own
 * offset. */
static inline void copy_source(seg *s, const char *p, size_t n)
{
    if (!reserve(s, n))
        return;
    map_next(s, (uint32_t)(p - s->t), false);
    memcpy(s->disp.data + s->disp.len, p, n);
    s->disp.len += n;
}

/* Bytes add_line_text copies without a second look: not a space, markup,
 * quote, sentence end, control or start of a UTF-8 sequence. */
#define PLAIN(c)                                                          \
    ((c) > 0x20 && (c) < 0x80 && (c) != '*' && (c) != '`' && (c) != '_' && \
     (c) != '\\' && (c) != '<' && (c) != '"' && (c) != '.' && (c) != '!' && \
     (c) != '?')
#define PLAIN4(c) PLAIN(c), PLAIN(c + 1), PLAIN(c + 2), PLAIN(c + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4(c + 4), PLAIN4(c + 8), PLAIN4(c + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16(c + 16), PLAIN16(c + 32), PLAIN16(c + 48)
static const bool plain_byte[256] = {PLAIN64(0), PLAIN64(64), PLAIN64(128),
                                     PLAIN64(192)};

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
    size_t at;      /* offset in the line of bit 0; SIZE_MAX: none yet */
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
__attribute__((target("avx2"))) static inline uint32_t
plain_mask_avx2(__m256i v)
{
    const __m256i by_low = _mm256_setr_epi8(
        0x19, 0x11, 0x11, 0x10, 0x10, 0x10, 0x10, 0x10, /* 0-7 */
        0x10, 0x10, 0x11, 0x10, 0x16, 0x10, 0x11, 0x16, /* 8-f */
        0x19, 0x11, 0x11, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x11, 0x10, 0x16, 0x10, 0x11, 0x16);
    const __m256i by_high = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x00, 0x04, 0x08, 0x00, /* 0-7 */
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, /* 8-f */
        0x10, 0x10, 0x01, 0x02, 0x00, 0x04, 0x08, 0x00,
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256i low = _mm256_and_si256(v, nibble);
    __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    __m256i hit = _mm256_and_si256(_mm256_shuffle_epi8(by_low, low),
                                   _mm256_shuffle_epi8(by_high, high));
    return (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(hit, _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static void
plain_masks_avx2(const char *b, uint64_t *plain, uint64_t *space)
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

static void close_clause(seg *s, uint32_t end_src)
{
    if (!s->in_clause || s->failed)
        return;
    s->in_clause = false;
    uint32_t ds = s->open, de = (uint32_t)s->disp.len;
    while (de > ds && s->disp.data[de - 1] == ' ')
        de--;
    if (de == ds) {
        truncate_display(s, ds);
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
    s->item_pending = false;
    /* The lead-in of a clause is the closest earlier clause less deeply
     * nested; a list item also takes a plain sentence ending in ':' ("You
     * agree not to use the Model:") that sits at its own depth. */
    c->lead = -1;
    for (int32_t k = (int32_t)s->ncl - 1; k >= 0 && (c->depth || c->item);
         k--) {
        clause *o = &s->cl[k];
        if (o->depth < c->depth ||
            (c->item && !o->item && clause_leads(s, o))) {
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

static void open_clause(seg *s)
{
    if (!s->in_clause) {
        s->in_clause = true;
        s->in_quote = false;
        s->open = (uint32_t)s->disp.len;
    }
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* strncasecmp(a, b, n) == 0 in the C locale, without the call. */
static bool same_ascii_caseless(const char *a, const char *b, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (ascii_lower((unsigned char)a[j]) != ascii_lower((unsigned char)b[j]))
            return false;
    return true;
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

static bool is_roman(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("ivxlc", p[i]))
            return false;
    return n > 0;
}

static void set_label(seg *s)
{
    /* built here and appended once: a label is set per list item */
    char label[MAX_DEPTH * sizeof(s->stack[0].text)];
    size_t len = 0;
    for (uint32_t i = 0; i < s->depth; i++) {
        if (s->stack[i].kind == MK_BULLET)
            continue;
        const char *t = s->stack[i].text;
        size_t tn = strlen(t);
        /* "3.4" under "3" is section 3.4, not 3.3.4: a dotted number
         * that spells out the label so far replaces it */
        if (len && tn > len && t[len] == '.' && memcmp(t, label, len) == 0)
            len = 0;
        if (len)
            label[len++] = '.';
        memcpy(label + len, t, tn);
        len += tn;
    }
    label[len++] = 0;
    s->cur_label = (uint32_t)s->labels.len;
    ls_buf_append(&s->labels, label, len);
    s->failed |= s->labels.failed;
}

/* Put a marker on the label stack. A marker of a kind already on the
 * stack at the same or a shallower indentation takes that level and closes
 * the deeper ones, as does any level indented deeper than the marker; a
 * new kind, or the same kind indented further (Markdown's nested "1."),
 * nests. */
static void push_marker(seg *s, int kind, const char *txt, size_t n,
                        uint32_t indent)
{
    uint32_t at = s->depth;
    for (uint32_t i = 0; i < s->depth; i++)
        if ((s->stack[i].kind == kind && indent <= s->stack[i].indent + 1) ||
            s->stack[i].indent > indent + 1) {
            at = i;
            break;
        }
    if (at >= MAX_DEPTH)
        at = MAX_DEPTH - 1;
    s->stack[at].kind = (uint8_t)kind;
    s->stack[at].indent = indent;
    size_t keep_n = n < sizeof(s->stack[at].text) - 1
                        ? n
                        : sizeof(s->stack[at].text) - 1;
    memcpy(s->stack[at].text, txt, keep_n);
    s->stack[at].text[keep_n] = 0;
    s->depth = at + 1;
    set_label(s);
}

/* A list marker at p: "1." "1.2" "3.1." "a." "(a)" "iv)" "A." "-" "*" "•".
 * Returns its length (marker and the space after it), 0 when none; sets
 * its kind and the text that goes into labels. Reads the label stack (to
 * tell "i" the letter from "i" the numeral) but does not change it. */
static size_t list_marker(const seg *s, const char *p, const char *end,
                          int *kind, const char **txt, size_t *txtn)
{
    if (p >= end)
        return 0;
    const char *q = p;
    bool paren = *q == '(';
    if (paren)
        q++;
    const char *w = q;
    *txt = "-";
    *txtn = 1;
    if (q < end && (*q == '-' || *q == '*' || *q == '+') && !paren) {
        *kind = MK_BULLET;
        return q + 1 < end && (q[1] == ' ' || q[1] == '\t') ? 2 : 0;
    }
    if (end - q >= 3 && (unsigned char)q[0] == 0xe2 &&
        (unsigned char)q[1] == 0x80 && (unsigned char)q[2] == 0xa2) {
        *kind = MK_BULLET;
        return 3;
    }
    if (q < end && *q >= '0' && *q <= '9') {
        while (q < end && ((*q >= '0' && *q <= '9') ||
                           (*q == '.' && q + 1 < end && q[1] >= '0' &&
                            q[1] <= '9')))
            q++;
        *kind = MK_NUMBER;
        if (q - w > 9)
            return 0;
    } else if (q < end && *q >= 'a' && *q <= 'z') {
        while (q < end && *q >= 'a' && *q <= 'z' && q - w < 6)
            q++;
        /* most lines start with a word, which no '.' or ')' ends: told
         * before the numeral test */
        if (q >= end || (*q != ')' && (paren || *q != '.')))
            return 0;
        size_t n = (size_t)(q - w);
        if (n == 1 && !is_roman(w, 1)) {
            *kind = MK_LOWER;
        } else if (is_roman(w, n)) {
            /* "i" after "h", "v" after "u", "x" after "w" are letters */
            *kind = MK_ROMAN;
            for (uint32_t i = 0; i < s->depth && n == 1; i++)
                if (s->stack[i].kind == MK_LOWER &&
                    s->stack[i].text[0] == w[0] - 1 && !s->stack[i].text[1])
                    *kind = MK_LOWER;
        } else {
            return 0;
        }
    } else if (q < end && *q >= 'A' && *q <= 'Z') {
        q++;
        *kind = MK_UPPER;
    } else {
        return 0;
    }
    size_t n = (size_t)(q - w);
    bool dotted_path = *kind == MK_NUMBER && memchr(w, '.', n);
    if (paren) {
        if (q >= end || *q != ')')
            return 0;
        q++;
    } else if (q < end && (*q == '.' || *q == ')')) {
        q++;
    } else if (!dotted_path) {
        return 0; /* "2024 ..." or a word, not a marker */
    }
    if (q < end && *q != ' ' && *q != '\t')
        return 0;
    *txt = w;
    *txtn = n;
    return (size_t)(q - p) + (q < end);
}

/* Decide whether lines carry a comment prefix: when most non-blank lines
 * start with the same one, it is a comment block, not bullets. */
/* Line prefixes read as comment markers, no two with the same first byte. */
static const char *const comment_marks[] = {"//", "#", "*", ";;", "--"};
#define NMARKS (sizeof(comment_marks) / sizeof(comment_marks[0]))

/* The mark of comment_marks that starts with byte c, or -1. */
static inline int comment_mark_of(char c)
{
    for (int k = 0; k < (int)NMARKS; k++)
        if (c == comment_marks[k][0])
            return k;
    return -1;
}

static void detect_comment_style(seg *s)
{
    uint32_t count[NMARKS] = {0}, lines = 0;
    const char *t = s->t, *end = t + s->tlen;
    for (const char *p = t; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (q < e && *q != '\r') {
            lines++;
            int k = comment_mark_of(*q);
            if (k >= 0 && (!comment_marks[k][1] ||
                           (e - q >= 2 && q[1] == comment_marks[k][1])))
                count[k]++;
        }
        p = e + 1;
    }
    /* "* " lines are Markdown bullets unless a C comment opens somewhere */
    int star = comment_mark_of('*');
    if (count[star] * 10 >= lines * 6 && !memmem(t, s->tlen, "/*", 2))
        count[star] = 0;
    for (size_t k = 0; k < NMARKS; k++)
        if (lines >= 3 && count[k] * 10 >= lines * 6) {
            snprintf(s->comment, sizeof(s->comment), "%s", comment_marks[k]);
            s->comment_len = (uint8_t)strlen(s->comment);
            return;
        }
}

/* The comment style is read from all the lines, but only a line that
 * starts with a mark's first byte (or ends a C comment) can use it: the
 * texts with none are not read twice. */
static inline bool may_start_comment(char c)
{
    return comment_mark_of(c) >= 0;
}

static void know_comment_style(seg *s)
{
    if (!s->comment_known) {
        s->comment_known = true;
        detect_comment_style(s);
    }
}

/* Append one line's text (after markers) to the open clause, normalizing
 * and cutting it into sentences. */
static void add_line_text(seg *s, const char *p, const char *e)
{
    const char *t = s->t, *line = p;
    plain_window win = {.at = SIZE_MAX};
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
        if (c == '*' || c == '`' || (c == '_' && (p + 1 < e && p[1] == '_'))) {
            p += (c == '_') ? 2 : 1; /* Markdown emphasis and code marks */
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
            if (k == 3 && c == 0xe2 && (unsigned char)p[1] == 0x80) {
                unsigned char d = (unsigned char)p[2];
                if (d == 0x98 || d == 0x99 || d == 0x9a || d == 0x9b)
                    out = "'", outn = 1;
                else if (d == 0x9c || d == 0x9d || d == 0x9e || d == 0x9f)
                    out = "\"", outn = 1;
                else if (d >= 0x90 && d <= 0x95)
                    out = "-", outn = 1;
                else if (d == 0xa6)
                    out = "...", outn = 3;
                else if (d == 0x8b || d == 0xaf || d == 0xa8 || d == 0xa9)
                    out = " ", outn = 1;
            } else if (k == 2 && c == 0xc2 && (unsigned char)p[1] == 0xa0) {
                out = " ", outn = 1;
            }
        }
        emit(s, out, outn, src);
        if (outn == 1 && *out == '"')
            s->in_quote = !s->in_quote;
        p += k;
        /* a sentence ends at . ! ? before a space and a capital, digit,
         * quote or bracket, unless the word was an abbreviation */
        if ((c == '.' || c == '!' || c == '?') &&
            (p >= e || *p == ' ' || *p == '\t' || *p == '\r')) {
            /* the next word may be on the next line of a wrapped text,
             * after the comment marker that line starts with */
            const char *tend = s->t + s->tlen, *n = p;
            for (bool newline = false;;) {
                while (n < tend && (*n == ' ' || *n == '\t' || *n == '\r' ||
                                    *n == '\n'))
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
        } else if (s->in_clause &&
                   s->disp.len - s->open >= MAX_CLAUSE_BYTES &&
                   (*p == ' ' || p >= e)) {
            close_clause(s, (uint32_t)(p - t));
        }
    }
}

/* Does the open clause end in ':' (ignoring trailing spaces)? */
static bool clause_ends_colon(const seg *s)
{
    if (!s->in_clause)
        return false;
    uint32_t e = (uint32_t)s->disp.len;
    while (e > s->open && s->disp.data[e - 1] == ' ')
        e--;
    return e > s->open && s->disp.data[e - 1] == ':';
}

static bool fence_line(const char *q, const char *e)
{
    return e - q >= 3 && (memcmp(q, "```", 3) == 0 || memcmp(q, "~~~", 3) == 0);
}

/* The block ends: close its quote and the clause it belongs to. */
static void end_block(seg *s, uint32_t src)
{
    if (s->in_clause && s->in_quote) {
        size_t len = s->disp.len;
        while (len > s->open && s->disp.data[len - 1] == ' ')
            len--;
        truncate_display(s, len);
        emit(s, "\"", 1, src ? src - 1 : 0);
    }
    s->block = BLOCK_NONE;
    close_clause(s, src);
    s->para++;
    s->run++;
}

/* The cell of a table row at index `want`, trimmed; false when none. */
static bool table_cell(const char *q, const char *e, uint32_t want,
                       const char **cs, const char **ce)
{
    const char *start = q;
    if (q < e && *q == '|')
        q++;
    for (uint32_t i = 0; q < e; i++) {
        const char *c = q;
        while (q < e && !(*q == '|' && (q == start || q[-1] != '\\')))
            q++;
        if (i == want) {
            while (c < q && (*c == ' ' || *c == '\t' || *c == '*'))
                c++;
            const char *x = q;
            while (x > c && (x[-1] == ' ' || x[-1] == '\t' || x[-1] == '\r' ||
                             x[-1] == '*'))
                x--;
            *cs = c;
            *ce = x;
            return true;
        }
        if (q < e)
            q++;
    }
    return false;
}

/* One Markdown table row is one clause; a body cell is read with the
 * header of its column ("Allowed: no"), so a row says what it means. */
static void table_row(seg *s, const char *q, const char *e)
{
    bool separator = true;
    for (const char *r = q; r < e && separator; r++)
        separator = strchr("|-: \t\r", *r) != NULL;
    if (separator) {
        s->table_body = s->table_head != NULL;
        return;
    }
    if (!s->table_head) {
        s->table_head = q;
        s->table_head_end = e;
    }
    bool body = s->table_body && q != s->table_head;
    close_clause(s, (uint32_t)(q - s->t));
    const char *cs, *ce, *hs, *he;
    for (uint32_t i = 0; table_cell(q, e, i, &cs, &ce) && !s->failed; i++) {
        if (cs == ce)
            continue;
        uint32_t src = (uint32_t)(cs - s->t);
        open_clause(s);
        if (s->disp.len > s->open)
            emit(s, "; ", 2, src);
        size_t from = s->disp.len;
        if (body && table_cell(s->table_head, s->table_head_end, i, &hs, &he) &&
            hs < he) {
            add_line_text(s, hs, he);
            emit(s, ": ", 2, src);
        }
        /* header text read above maps to this cell, not to the header */
        if (s->disp.len > from)
            map_all_to(s, from, src);
        add_line_text(s, cs, ce);
    }
    close_clause(s, (uint32_t)(e - s->t));
}

static void segment(seg *s)
{
    /* the display text is about as long as the text: one allocation */
    reserve(s, s->tlen + s->tlen / 8 + 64);
    set_label(s); /* label "" at offset 0 */
    const char *t = s->t, *end = t + s->tlen;
    for (const char *p = t; p < end && !s->failed;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (!s->comment_known && ((q < e && may_start_comment(*q)) ||
                                  (e - q >= 2 && memcmp(e - 2, "*/", 2) == 0)))
            know_comment_style(s);
        size_t cl = s->comment_len;
        /* the opening and closing marks of a C comment go before its "*"
         * line marker, which would leave the closing line a "/" */
        if (e - q >= 2 && (memcmp(q, "/*", 2) == 0 || memcmp(q, "*/", 2) == 0))
            q += 2;
        else if (cl && (size_t)(e - q) >= cl && memcmp(q, s->comment, cl) == 0)
            q += cl;
        uint32_t indent = 0;
        for (const char *r = p; r < q; r++)
            indent += *r == '\t' ? 4 : 1;
        bool quoted = false;
        for (; q < e && (*q == ' ' || *q == '\t' || *q == '>'); q++)
            quoted |= *q == '>';
        bool empty = true;
        for (const char *r = q; r < e && empty; r++)
            empty = *r == ' ' || *r == '\t' || *r == '\r';
        /* blocks introduced by a ':' sentence: see seg.block */
        if (s->block == BLOCK_FENCE) {
            if (fence_line(q, e)) {
                end_block(s, (uint32_t)(p - t));
                p = e < end ? e + 1 : end;
                continue;
            }
        } else if (s->block == BLOCK_QUOTE) {
            if (!quoted)
                end_block(s, (uint32_t)(p - t));
            else if (empty) {
                p = e < end ? e + 1 : end; /* "> " alone: same quote */
                continue;
            }
        } else if (s->block == BLOCK_INDENT) {
            if (empty || indent < s->line_indent)
                end_block(s, (uint32_t)(p - t));
        } else if (s->held_close && !empty) {
            int kind;
            const char *mt;
            size_t mtn;
            bool fence = fence_line(q, e);
            int block = fence ? BLOCK_FENCE
                        : quoted ? BLOCK_QUOTE
                        : indent >= s->line_indent + 4 ? BLOCK_INDENT
                                                       : BLOCK_NONE;
            if (block && !fence && list_marker(s, q, e, &kind, &mt, &mtn))
                block = BLOCK_NONE; /* a list, read as one */
            if (block) {
                s->block = block;
                s->line_indent = indent;
                if (s->disp.len && s->disp.data[s->disp.len - 1] != ' ')
                    emit(s, " ", 1, (uint32_t)(q - t));
                emit(s, "\"", 1, (uint32_t)(q - t));
                s->in_quote = true;
                s->held_close = 0;
                if (fence) {
                    p = e < end ? e + 1 : end;
                    continue;
                }
            } else {
                close_clause(s, s->held_close - 1);
                s->para++;
                s->run++;
                s->held_close = 0;
            }
        }
        if (!empty && !s->block)
            s->line_indent = indent;
        if (cl && (size_t)(e - q) >= 2 && memcmp(e - 2, "*/", 2) == 0)
            e -= 2;
        if (!s->block && q < e && *q == '|') {
            if (s->held_close) {
                close_clause(s, s->held_close - 1);
                s->held_close = 0;
            }
            table_row(s, q, e);
            p = e < end ? e + 1 : end;
            continue;
        }
        if (s->table_head) {
            s->table_head = NULL;
            s->table_body = false;
            s->para++;
            s->run++;
        }
        bool heading = false;
        {
            const char *h = q;
            while (h < e && *h == '#')
                h++;
            if (h > q && (h == e || *h == ' ')) {
                heading = true;
                q = h;
                while (q < e && *q == ' ')
                    q++;
            }
        }
        const char *stripped = q;
        int kind;
        const char *mt;
        size_t mtn;
        /* "* item" is a bullet; "**1. License**" reads as "1. License" */
        if (!(q < e && *q == '*' && list_marker(s, q, e, &kind, &mt, &mtn)))
            while (q < e && (*q == '*' || *q == '_'))
                q++;
        /* a line of nothing but rule characters (---, ===) is blank */
        bool blank = true;
        for (const char *r = q; r < e && blank; r++)
            blank = *r == ' ' || *r == '\t' || *r == '\r' || *r == '*' ||
                    *r == '-' || *r == '=' || *r == '_';
        if (blank && !s->block && !s->held_close && clause_ends_colon(s)) {
            s->held_close = (uint32_t)(p - t) + 1; /* maybe a block next */
        } else if (blank && !s->block) {
            if (!s->held_close) {
                close_clause(s, (uint32_t)(p - t));
                s->para++;
                s->run++;
            }
        } else if (blank) {
            /* a rule line inside a block: nothing to read */
        } else {
            if (heading) {
                close_clause(s, (uint32_t)(p - t));
                s->run++;
                s->depth = 0;
                set_label(s);
            }
            size_t m = list_marker(s, q, e, &kind, &mt, &mtn);
            if (m) {
                close_clause(s, (uint32_t)(q - t));
                s->para++;
                push_marker(s, kind, mt, mtn, (uint32_t)(q - p));
                s->item_pending = true;
            } else {
                q = stripped; /* the emphasis marks were not a marker's */
            }
            add_line_text(s, q + m, e);
            if (heading)
                close_clause(s, (uint32_t)(e - t));
            else if (s->in_clause && s->disp.len > s->open &&
                     s->disp.data[s->disp.len - 1] != ' ')
                emit(s, " ", 1, (uint32_t)(e - t));
        }
        p = e < end ? e + 1 : end;
    }
    if (s->block)
        end_block(s, (uint32_t)s->tlen);
    close_clause(s, s->held_close ? s->held_close - 1 : (uint32_t)s->tlen);
    if (s->disp.data) /* reserve keeps room for it */
        s->disp.data[s->disp.len] = 0;
}

/* Decoded-text span of display bytes [ds, de). */
static void source_span(const seg *s, uint32_t ds, uint32_t de, size_t *ts,
                        size_t *te)
{
    *ts = map_at(s, ds);
    size_t last = map_at(s, de - 1);
    size_t k = (unsigned char)s->t[last] < 0x80
                   ? 1
                   : ls_utf8_valid_len((const unsigned char *)s->t + last,
                                       (const unsigned char *)s->t + s->tlen);
    *te = last + (k ? k : 1);
}

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
        bool in_word = ds && word_byte[(unsigned char)d[ds - 1]];
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
            bool w = word_byte[(unsigned char)d[i]];
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

static void seg_init(seg *s, const ls_alloc *a, const char *t, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->alloc = a;
    s->t = t;
    s->tlen = n;
    ls_buf_init(&s->disp, a);
    ls_buf_init(&s->labels, a);
}

static void seg_free(seg *s)
{
    ls_buf_free(&s->disp);
    ls_buf_free(&s->labels);
    ls_free(s->alloc, s->runs);
    ls_free(s->alloc, s->cl);
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
        source_span(s, c->ds, c->de, &ts, &te);
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

/* seg_init for the next piece a match's differences give, keeping the
 * buffers s has (those seg_free frees): the pieces are many and mostly a
 * few words, for which allocating the buffers cost as much as cutting. */
static void seg_reuse(seg *s, const char *t, size_t n)
{
    seg used = *s;
    seg_init(s, used.alloc, t, n);
    s->disp.data = used.disp.data;
    s->disp.cap = used.disp.cap;
    s->labels.data = used.labels.data;
    s->labels.cap = used.labels.cap;
    s->runs = used.runs;
    s->runs_cap = used.runs_cap;
    s->cl = used.cl;
    s->cl_cap = used.cl_cap;
}

/* Cuts a piece of text (a piece of template wording, or one clause) into
 * clauses in s, the pieces' seg. */
static int segment_piece(seg *s, const char *t, size_t n)
{
    seg_reuse(s, t, n);
    segment(s);
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
        map_next_at(s, run, k);
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
        if (ls_text_input_offset(text, map_next_at(s, &run, s->cl[i].ds)) !=
            ev->start)
            continue;
        source_span(s, s->cl[i].ds, s->cl[i].de, &ts, &te);
        if (ls_text_input_offset(text, te) == ev->end)
            c = &s->cl[i];
    }
    if (!c)
        return LICSCAN_OK;
    run = run_of(s, c->ds);
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
        seg_init(&s, work, text->text, text->len);
        segment(&s);
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
        seg_init(&piece, work, "", 0);
        for (uint32_t i = 0; i < res->nmatch && !rc; i++) {
            licscan_match *m = &res->m[i];
            if (m->ndiffs && m->kind != LICSCAN_KIND_REFERENCE)
                rc = flag_changes(&e, res, m, text, &piece);
        }
        seg_free(&piece);
        if (e.limit_hit)
            res->input_flags |= LICSCAN_INPUT_RULE_LIMIT;
        engine_free(&e);
        seg_free(&s);
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
        seg_init(&s, &db->alloc, texts[i], lens[i]);
        segment(&s);
        rc = s.failed ? LICSCAN_ENOMEM : memo_add_text(&b, &e, &s);
        seg_free(&s);
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
