/* segment.c -- segmentation, the first stage of a scan's clause pipeline
 * (segment.h): a text is cut into clauses line by line. A line is read
 * for its comment marker, quote marks and indentation, then as a block
 * line, a table row, a heading, a rule line or a list item, whose marker
 * goes on the label stack; what is left of it is text (sentences.c).
 *
 * A clause's lead-in is the closest earlier clause at a shallower list
 * depth, which for an item of a prohibited-use list is the sentence that
 * says the uses are prohibited. Rules see a clause as display text:
 * whitespace collapsed, comment markers and Markdown emphasis gone, curly
 * quotes and dashes made ASCII. */
#include <string.h>

#include "segment_build.h"

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
    size_t keep_n =
        n < sizeof(s->stack[at].text) - 1 ? n : sizeof(s->stack[at].text) - 1;
    memcpy(s->stack[at].text, txt, keep_n);
    s->stack[at].text[keep_n] = 0;
    s->depth = at + 1;
    set_label(s);
}

/* Bytes of the Chinese numeral at p (一 to 十, 百, 零, 〇; up to four
 * characters), 0 when none. */
static size_t cjk_numeral(const char *p, const char *end)
{
    static const char digits[] = "一二三四五六七八九十百零〇";
    size_t n = 0;
    while (end - (p + n) >= 3 && n < 12) {
        bool found = false;
        for (size_t i = 0; i + 3 <= sizeof(digits) - 1 && !found; i += 3)
            found = memcmp(p + n, digits + i, 3) == 0;
        if (!found)
            break;
        n += 3;
    }
    return n;
}

/* A Chinese list marker at p: "一、", "（一）", "(一)", "（1）", "1、",
 * "1．" (full-width period). No space need follow. */
static size_t cjk_marker(const char *p, const char *end, int *kind,
                         const char **txt, size_t *txtn)
{
    const char *q = p;
    size_t open = 0;
    if (q < end && *q == '(')
        open = 1;
    else if (end - q >= 3 && memcmp(q, "（", 3) == 0)
        open = 3;
    q += open;
    const char *w = q;
    size_t n = cjk_numeral(q, end);
    bool digits = false;
    if (!n)
        while (q + n < end && q[n] >= '0' && q[n] <= '9' && n < 3)
            n++, digits = true;
    if (!n)
        return 0;
    q += n;
    if (open) {
        if (q < end && *q == ')')
            q++;
        else if (end - q >= 3 && memcmp(q, "）", 3) == 0)
            q += 3;
        else
            return 0;
        if (digits && open == 1)
            return 0; /* "(1)" is the ASCII marker's */
        *kind = digits ? MK_NUMBER : MK_CJK_PAREN;
    } else if (end - q >= 3 &&
               (memcmp(q, "、", 3) == 0 || memcmp(q, "．", 3) == 0)) {
        q += 3;
        *kind = digits ? MK_NUMBER : MK_CJK;
    } else {
        return 0;
    }
    *txt = w;
    *txtn = n;
    while (q < end && (*q == ' ' || *q == '\t'))
        q++;
    return (size_t)(q - p);
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
    if ((unsigned char)*p >= 0x80 ||
        (*p == '(' && end - p > 1 && (unsigned char)p[1] >= 0x80) ||
        (*p >= '0' && *p <= '9' && end - p > 3 &&
         (unsigned char)p[1] >= 0x80) ||
        (*p >= '0' && *p <= '9' && end - p > 4 && p[1] >= '0' && p[1] <= '9' &&
         (unsigned char)p[2] >= 0x80)) {
        size_t m = cjk_marker(p, end, kind, txt, txtn);
        if (m)
            return m;
    }
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
        while (q < end &&
               ((*q >= '0' && *q <= '9') ||
                (*q == '.' && q + 1 < end && q[1] >= '0' && q[1] <= '9')))
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
            ls_seg_add_line(s, hs, he);
            emit(s, ": ", 2, src);
        }
        /* header text read above maps to this cell, not to the header */
        if (s->disp.len > from)
            ls_seg_map_all_to(s, from, src);
        ls_seg_add_line(s, cs, ce);
    }
    close_clause(s, (uint32_t)(e - s->t));
}

/* One state machine over the lines (blocks, tables, headings, list items),
 * which reads better whole. */
void ls_segment(seg *s)
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
            int block = fence                          ? BLOCK_FENCE
                        : quoted                       ? BLOCK_QUOTE
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
            code_span_end(s); /* a code span ends with its paragraph */
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
            ls_seg_add_line(s, q + m, e);
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

void ls_seg_init(seg *s, const ls_alloc *a, const char *t, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->alloc = a;
    s->t = t;
    s->tlen = n;
    ls_buf_init(&s->disp, a);
    ls_buf_init(&s->labels, a);
}

void ls_seg_free(seg *s)
{
    ls_buf_free(&s->disp);
    ls_buf_free(&s->labels);
    ls_free(s->alloc, s->runs);
    ls_free(s->alloc, s->cl);
}

/* ls_seg_init for the next piece a match's differences give, keeping the
 * buffers s has (those ls_seg_free frees): the pieces are many and mostly a
 * few words, for which allocating the buffers cost as much as cutting. */
void ls_seg_reuse(seg *s, const char *t, size_t n)
{
    seg used = *s;
    ls_seg_init(s, used.alloc, t, n);
    s->disp.data = used.disp.data;
    s->disp.cap = used.disp.cap;
    s->labels.data = used.labels.data;
    s->labels.cap = used.labels.cap;
    s->runs = used.runs;
    s->runs_cap = used.runs_cap;
    s->cl = used.cl;
    s->cl_cap = used.cl_cap;
}
