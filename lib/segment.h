/* segment.h -- segmentation, the first stage of a scan's clause pipeline:
 * a text cut into clauses (sentences and list items), each with the
 * section label it sits under ("1.b.v") and its lead-in. What the later
 * stages read: the clause and seg types, the stage's entry points, where
 * a display byte came from (display.c), and the word helpers the rule
 * engine shares. How the files of the stage build a seg is in
 * segment_build.h.
 *
 *   segment.c    lines: blocks, tables, headings, list markers, labels
 *   sentences.c  a line's text: plain runs (SIMD), sentence ends, clauses
 *                closed with their lead-ins
 *   comments.c   which line prefix is a comment marker in a text
 *   display.c    the display text and its map back to the decoded text */
#ifndef LICSCAN_SEGMENT_H
#define LICSCAN_SEGMENT_H

#include "internal.h"

typedef struct clause {
    uint32_t ds, de; /* span in the display text */
    uint32_t depth;  /* list nesting */
    int32_t lead;    /* lead-in clause, or -1 */
    uint32_t label;  /* offset of its label in seg.labels */
    bool item;       /* the first clause of a list item */
    uint8_t leads;   /* it introduces a list: LEADS_*, read when asked */
    uint32_t para;   /* paragraph number: sentences of one share it */
    uint32_t run;    /* lines not broken by a blank line or heading */
    bool quoted;     /* most of it inside a Markdown code span: wording quoted
                    in a text about licenses, not terms (no rule runs) */
} clause;

enum { LEADS_UNKNOWN, LEADS_NO, LEADS_YES };

enum { BLOCK_NONE, BLOCK_QUOTE, BLOCK_INDENT, BLOCK_FENCE };

/* Kinds of list marker, for the label stack. */
enum {
    MK_NUMBER,
    MK_LOWER,
    MK_UPPER,
    MK_ROMAN,
    MK_BULLET,
    MK_CJK,      /* a Chinese numeral and 、: "一、" */
    MK_CJK_PAREN /* one in brackets: "（一）", "(一)" */
};

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
    const char *t; /* decoded text */
    size_t tlen;
    ls_buf disp;   /* display text */
    map_run *runs; /* display byte -> decoded offset, by runs */
    uint32_t nruns, runs_cap;
    clause *cl;
    uint32_t ncl, cl_cap;
    ls_buf labels; /* NUL-terminated labels */
    stack_entry stack[MAX_DEPTH];
    uint32_t depth;
    uint32_t cur_label;
    uint32_t open; /* start of the clause being built, in disp */
    bool in_clause;
    bool item_pending;   /* a list marker opened the clause being built */
    bool in_quote;       /* an open double quote in the clause being built */
    bool in_code;        /* inside a Markdown code span (`...`) */
    uint32_t code_from;  /* display offset the span's counting starts at */
    uint32_t code_bytes; /* display bytes of the open clause in spans */
    uint32_t para;       /* current paragraph number */
    uint32_t run;        /* current run of lines (see clause.run) */
    /* A block (quoted, indented or fenced) after a sentence ending in ':'
     * is the text that sentence introduces: "include this notice:" */
    int block;            /* BLOCK_* being read into the open clause */
    uint32_t held_close;  /* blank line after the ':' clause, +1; 0 none */
    uint32_t line_indent; /* indentation of the last non-blank line */
    const char *table_head, *table_head_end; /* a Markdown table's first row */
    bool table_body;                         /* its separator row was seen */
    bool failed;
    char comment[3];     /* line prefix used as a comment marker, or "" */
    uint8_t comment_len; /* its length: looked at on every line and sentence */
    bool comment_known;  /* comment and comment_len are decided */
} seg;

/* ---------- the stage (segment.c) ---------- */

/* A seg over the decoded text t[0, n), not cut yet; its buffers come from
 * a. */
LS_HIDDEN void ls_seg_init(seg *s, const ls_alloc *a, const char *t, size_t n);
LS_HIDDEN void ls_seg_free(seg *s);
/* ls_seg_init for another text, keeping the buffers s has. */
LS_HIDDEN void ls_seg_reuse(seg *s, const char *t, size_t n);
/* Cut s's text into clauses; s->failed when out of memory. */
LS_HIDDEN void ls_segment(seg *s);

/* ---------- where display bytes came from (display.c) ---------- */

/* The run display byte k is in: the last one with d <= k. */
LS_HIDDEN uint32_t ls_seg_run_of(const seg *s, uint32_t k);
/* Decoded offset of display byte k. */
LS_HIDDEN uint32_t ls_seg_map_at(const seg *s, uint32_t k);
/* The same for bytes read in order: *run follows k forward. */
LS_HIDDEN uint32_t ls_seg_map_next_at(const seg *s, uint32_t *run, uint32_t k);
/* Decoded-text span of display bytes [ds, de). */
LS_HIDDEN void ls_seg_source_span(const seg *s, uint32_t ds, uint32_t de,
                                  size_t *ts, size_t *te);

static inline uint32_t offset_in_run(const map_run *r, uint32_t k)
{
    return r->s & RUN_CONST ? r->s & ~RUN_CONST : r->s + (k - r->d);
}

/* ---------- words (sentences.c) ---------- */

/* Bytes of words: ASCII letters and digits, and every byte of a UTF-8
 * sequence. */
LS_HIDDEN extern const bool ls_word_byte[256];

static inline bool alnum(unsigned char c) { return ls_word_byte[c]; }

static inline unsigned char ascii_lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* strncasecmp(a, b, n) == 0 in the C locale, without the call. */
static inline bool same_ascii_caseless(const char *a, const char *b, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (ascii_lower((unsigned char)a[j]) !=
            ascii_lower((unsigned char)b[j]))
            return false;
    return true;
}

static inline bool is_roman(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("ivxlc", p[i]))
            return false;
    return n > 0;
}

/* Bit i of *plain: byte b[i] may be copied into a clause as it is (0x21
 * to 0x7f and no markup, quote or sentence end); of *space: it is ' '.
 * 64 bytes are read. impl: the fastest the CPU has, SSE2 or bytes (the
 * tests compare them). */
enum { LS_SIMD_BEST, LS_SIMD_SSE2, LS_SIMD_NONE };
LS_HIDDEN void ls_plain_masks(const char *b, int impl, uint64_t *plain,
                              uint64_t *space);

#endif
