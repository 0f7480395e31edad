/* segment_build.h -- what the files of the segmentation stage share to
 * build a seg (segment.h): appending to the display text, opening and
 * closing clauses, a line's text, and the comment style. The appends run
 * for most bytes of a text, so they are inline here. */
#ifndef LICSCAN_SEGMENT_BUILD_H
#define LICSCAN_SEGMENT_BUILD_H

#include "segment.h"

#define MAX_CLAUSE_BYTES 4096 /* longer runs are cut: bounds regex work */

/* ---------- the display text (display.c) ---------- */

/* Room for n more display bytes and the NUL after them: the growing. */
LS_HIDDEN bool ls_seg_reserve_more(seg *s, size_t n);
/* Display bytes from `from` to the end all map to src now. */
LS_HIDDEN void ls_seg_map_all_to(seg *s, size_t from, uint32_t src);

/* A new run starts at every line and sentence break, and a clause's end
 * is cut back as it closes: these stay inline. */
static inline void push_run(seg *s, uint32_t d, uint32_t src)
{
    if (LS_GROW(s->alloc, s->runs, s->runs_cap, s->nruns + 1))
        s->failed = true;
    else
        s->runs[s->nruns++] = (map_run){ d, src };
}

static inline void drop_runs_from(seg *s, size_t d)
{
    while (s->nruns && s->runs[s->nruns - 1].d >= d)
        s->nruns--;
}

/* Cut the display text back to len bytes. */
static inline void truncate_display(seg *s, size_t len)
{
    s->disp.len = len;
    drop_runs_from(s, len);
    if (s->disp.data)
        s->disp.data[len] = 0;
}

static inline bool reserve(seg *s, size_t n)
{
    return (s->disp.len + n + 1 <= s->disp.cap && !s->failed) ||
           ls_seg_reserve_more(s, n);
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

/* Append n display bytes (a few), each mapped to input offset src. */
static inline __attribute__((always_inline)) void emit(seg *s, const char *p,
                                                       size_t n, uint32_t src)
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

/* ---------- clauses and a line's text (sentences.c) ---------- */

static inline void open_clause(seg *s)
{
    if (!s->in_clause) {
        s->in_clause = true;
        s->in_quote = false;
        s->open = (uint32_t)s->disp.len;
    }
}

/* A code span ends (a closing backtick, or the paragraph's end): its
 * bytes in the open clause count. */
static inline void code_span_end(seg *s)
{
    if (!s->in_code)
        return;
    uint32_t from = s->code_from > s->open ? s->code_from : s->open;
    if (s->in_clause && s->disp.len > from)
        s->code_bytes += (uint32_t)s->disp.len - from;
    s->in_code = false;
}

/* Close the clause being built, finding its lead-in. */
LS_HIDDEN void ls_seg_close_clause(seg *s, uint32_t end_src);
/* Most calls (a blank line, a heading, a list marker) find no clause open:
 * that test is inline. */
static inline void close_clause(seg *s, uint32_t end_src)
{
    if (s->in_clause && !s->failed)
        ls_seg_close_clause(s, end_src);
}

/* Append one line's text [p, e) (after markers) to the open clause,
 * normalizing and cutting it into sentences. */
LS_HIDDEN void ls_seg_add_line(seg *s, const char *p, const char *e);

/* ---------- the comment style (comments.c) ---------- */

/* Line prefixes read as comment markers, no two with the same first byte.
 * Here, not in comments.c: the test for a line that could start one reads
 * it on every line, with its bytes known to the compiler. */
static const char *const comment_marks[] = { "//", "#", "*", ";;", "--" };
#define NMARKS (sizeof(comment_marks) / sizeof(comment_marks[0]))

/* The mark of comment_marks that starts with byte c, or -1. */
static inline int comment_mark_of(char c)
{
    for (int k = 0; k < (int)NMARKS; k++)
        if (c == comment_marks[k][0])
            return k;
    return -1;
}

/* The comment style is read from all the lines, but only a line that
 * starts with a mark's first byte (or ends a C comment) can use it: the
 * texts with none are not read twice. */
static inline bool may_start_comment(char c) { return comment_mark_of(c) >= 0; }

/* Decide s->comment from the whole text. */
LS_HIDDEN void ls_seg_comment_style(seg *s);

static inline void know_comment_style(seg *s)
{
    if (!s->comment_known) {
        s->comment_known = true;
        ls_seg_comment_style(s);
    }
}

#endif
