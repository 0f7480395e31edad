/* position.c -- lines and columns of a result's spans (licscan_position),
 * found once per scan: the spans' offsets sorted, then one walk over the
 * decoded text up to the last of them. */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "internal.h"

/* One place to locate: the text offset of the character it is, and where
 * its line and column go. */
typedef struct place {
    size_t at;
    uint32_t *line, *col;
} place;

/* The text offset of the character holding input byte `off` (input past
 * the end: the end of the text). */
static size_t text_offset(const ls_text *t, uint64_t off)
{
    size_t at;
    if (!t->map) {
        at = off < t->len ? (size_t)off : t->len;
    } else {
        /* the last text byte that comes from input at or before off */
        size_t lo = 0, hi = t->len + 1;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->map[mid] <= off)
                lo = mid;
            else
                hi = mid;
        }
        at = lo;
    }
    /* the start of its UTF-8 sequence */
    while (at > 0 && at < t->len && ((unsigned char)t->text[at] & 0xC0) == 0x80)
        at--;
    return at;
}

static int place_cmp(const void *a, const void *b)
{
    size_t x = ((const place *)a)->at, y = ((const place *)b)->at;
    return x < y ? -1 : x > y;
}

typedef struct places {
    place *p;
    size_t n;
} places;

/* A span's two places: its first character, and its last (its first
 * again when empty). */
static void add_span(places *ps, const ls_text *t, uint64_t start,
                     uint64_t end, ls_pos *pos)
{
    size_t first = text_offset(t, start);
    ps->p[ps->n++] = (place){ first, &pos->line, &pos->col };
    ps->p[ps->n++] = (place){ end > start ? text_offset(t, end - 1) : first,
                              &pos->end_line, &pos->end_col };
}

/* Next line break in s[from, to): the LF that ends a line, or a CR not
 * followed by LF (the LF of a CR LF is the break, the CR one column of
 * the line it ends); to when none. */
static size_t next_break(const char *s, size_t len, size_t from, size_t to,
                         bool has_cr)
{
    const char *nl = memchr(s + from, '\n', to - from);
    size_t end = nl ? (size_t)(nl - s) : to;
    while (has_cr && from < end) {
        const char *cr = memchr(s + from, '\r', end - from);
        if (!cr)
            break;
        size_t at = (size_t)(cr - s);
        if (at + 1 >= len || s[at + 1] != '\n')
            return at; /* a CR alone */
        from = at + 1;  /* the CR of a CR LF */
    }
    return end;
}

/* Code points in s[from, to): the bytes that are not UTF-8 continuation
 * bytes (10xxxxxx), eight at a time. */
static uint32_t code_points(const char *s, size_t from, size_t to)
{
    size_t n = to - from, i = from;
    size_t continuation = 0;
    for (; to - i >= 8; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        /* bit 7 of each byte set when it is 1 and bit 6 is 0 (none in
         * ASCII text, whose popcount is a call on most builds) */
        uint64_t c = v & ~(v << 1) & 0x8080808080808080ULL;
        if (c)
            continuation += (size_t)__builtin_popcountll(c);
    }
    for (; i < to; i++)
        continuation += ((unsigned char)s[i] & 0xC0) == 0x80;
    return (uint32_t)(n - continuation);
}

/* The LFs in s[from, to): their number, and in *last where the last of
 * them is (left alone when none); 16 bytes at a time where SSE2 is, in
 * place of a search per line. */
static uint32_t count_lf(const char *s, size_t from, size_t to, size_t *last)
{
    uint32_t n = 0;
    size_t i = from;
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    const __m128i lf = _mm_set1_epi8('\n');
    for (; to - i >= 16; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(s + i)), lf));
        if (m)
            *last = i + 31 - (size_t)__builtin_clz(m);
        for (; m; m &= m - 1)
            n++;
    }
#endif
    for (; i < to; i++)
        if (s[i] == '\n') {
            n++;
            *last = i;
        }
    return n;
}

int ls_locate_spans(const ls_alloc *work, const ls_text *t, licscan_result *r)
{
    size_t n = 0;
    for (uint32_t i = 0; i < r->nmatch; i++)
        n += 1 + r->m[i].ndiffs + r->m[i].nchanges;
    for (uint32_t i = 0; i < r->nrestr; i++)
        n += r->restr[i].nev;
    if (!n)
        return LICSCAN_OK;
    places ps = { ls_malloc(work, 2 * n * sizeof(place)), 0 };
    if (!ps.p)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < r->nmatch; i++) {
        licscan_match *m = &r->m[i];
        add_span(&ps, t, m->start, m->end, &m->pos);
        for (uint32_t d = 0; d < m->ndiffs; d++)
            add_span(&ps, t, m->diffs[d].start, m->diffs[d].end,
                     &m->diffs[d].pos);
        for (uint32_t c = 0; c < m->nchanges; c++)
            add_span(&ps, t, m->changes[c].start, m->changes[c].end,
                     &m->changes[c].pos);
    }
    for (uint32_t i = 0; i < r->nrestr; i++)
        for (uint32_t e = 0; e < r->restr[i].nev; e++) {
            ls_evidence *ev = &r->restr[i].ev[e];
            add_span(&ps, t, ev->start, ev->end, &ev->pos);
        }
    qsort(ps.p, ps.n, sizeof(place), place_cmp);

    /* (line, col) is where text offset `at` is; it only moves forward */
    const char *s = t->text;
    bool has_cr = memchr(s, '\r', t->len) != NULL;
    size_t at = 0;
    uint32_t line = 1, col = 1;
    for (size_t k = 0; k < ps.n; k++) {
        size_t to = ps.p[k].at;
        if (!has_cr && at < to) { /* every line ends at an LF */
            size_t last;
            uint32_t lines = count_lf(s, at, to, &last);
            if (lines) {
                line += lines;
                col = 1;
                at = last + 1;
            }
            col += code_points(s, at, to);
            at = to;
        }
        while (at < to) {
            size_t b = next_break(s, t->len, at, to, has_cr);
            if (b == to) {
                col += code_points(s, at, to);
                at = to;
            } else {
                line++;
                col = 1;
                at = b + 1;
            }
        }
        *ps.p[k].line = line;
        *ps.p[k].col = col;
    }
    ls_free(work, ps.p);
    return LICSCAN_OK;
}

/* ---------- accessors ---------- */

int licscan_match_position(const licscan_match *m, licscan_position *out)
{
    if (!m || !out)
        return LICSCAN_EINVAL;
    *out = m->pos;
    return LICSCAN_OK;
}

int licscan_match_diff_position(const licscan_match *m, uint32_t index,
                                licscan_position *out)
{
    if (!m || !out)
        return LICSCAN_EINVAL;
    if (index >= m->ndiffs)
        return LICSCAN_ENOTFOUND;
    *out = m->diffs[index].pos;
    return LICSCAN_OK;
}

int licscan_match_flag_change_position(const licscan_match *m, uint32_t index,
                                       licscan_position *out)
{
    if (!m || !out || index >= m->nchanges)
        return LICSCAN_EINVAL;
    *out = m->changes[index].pos;
    return LICSCAN_OK;
}

int licscan_restriction_evidence_position(const licscan_restriction *x,
                                          uint32_t index, licscan_position *out)
{
    if (!x || !out || index >= x->nev)
        return LICSCAN_EINVAL;
    *out = x->ev[index].pos;
    return LICSCAN_OK;
}
