/* Unit tests: segmentation (lib/segment.c, sentences.c, comments.c,
 * display.c; internal API) -- a text cut into clauses, each checked for
 * its display text, section label, lead-in and decoded span: dotted and
 * nested list labels, lead-ins of list items, sentence ends and
 * abbreviations, the comment styles, Markdown and HTML markup, tables,
 * blocks a ':' sentence introduces, and the clause size limit. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "segment.h"

static ls_alloc alloc;

/* s over t, cut. */
static void cut(seg *s, const char *t)
{
    ls_seg_init(s, &alloc, t, strlen(t));
    ls_segment(s);
    CHECK(!s->failed);
}

/* Clause i's display text, NUL-terminated in a static buffer. */
static const char *text_of(const seg *s, uint32_t i)
{
    static char out[8192];
    if (i >= s->ncl)
        return "(no such clause)";
    const clause *c = &s->cl[i];
    snprintf(out, sizeof out, "%.*s", (int)(c->de - c->ds),
             s->disp.data + c->ds);
    return out;
}

static const char *label_of(const seg *s, uint32_t i)
{
    return i < s->ncl ? s->labels.data + s->cl[i].label : "(no such clause)";
}

/* The decoded text clause i came from, [ts, te). */
static void span_of(const seg *s, uint32_t i, size_t *ts, size_t *te)
{
    *ts = *te = 0;
    if (i < s->ncl)
        ls_seg_source_span(s, s->cl[i].ds, s->cl[i].de, ts, te);
}

/* ------------------------------------------------------------------ */

/* "3.1" under "3." is section 3.1, not 3.3.1; its items are 3.1.a, 3.1.b,
 * and their lead-in is the sentence that introduces them. */
static void test_dotted_labels(void)
{
    static const char t[] = "3. Use\n"
                            "3.1 You may not:\n"
                            "a. use it for weapons;\n"
                            "b. use it for surveillance.\n"
                            "3.2 Other terms apply.\n";
    seg s;
    cut(&s, t);
    CHECK_EQ_INT(s.ncl, 5);
    CHECK_EQ_STR(label_of(&s, 0), "3");
    CHECK_EQ_STR(text_of(&s, 0), "Use");
    CHECK_EQ_STR(label_of(&s, 1), "3.1");
    CHECK_EQ_STR(text_of(&s, 1), "You may not:");
    CHECK_EQ_STR(label_of(&s, 2), "3.1.a");
    CHECK_EQ_STR(text_of(&s, 2), "use it for weapons;");
    CHECK_EQ_STR(label_of(&s, 3), "3.1.b");
    CHECK_EQ_STR(label_of(&s, 4), "3.2");
    CHECK_EQ_STR(text_of(&s, 4), "Other terms apply.");
    CHECK_EQ_INT(s.cl[2].lead, 1);
    CHECK_EQ_INT(s.cl[3].lead, 1);
    CHECK_EQ_INT(s.cl[2].depth, 2);
    CHECK(s.cl[2].item && s.cl[3].item);
    /* spans are of the decoded text: the marker is not in the clause */
    size_t ts, te;
    span_of(&s, 2, &ts, &te);
    CHECK_EQ_INT(ts, strstr(t, "use it for weapons") - t);
    CHECK_EQ_INT(te, strstr(t, "weapons;") - t + 8);
    ls_seg_free(&s);
}

/* The same nested: "3.1." indented under "3." spells out the label so
 * far, and replaces it rather than extending it to 3.3.1. */
static void test_dotted_nested(void)
{
    seg s;
    cut(&s, "3. Use\n"
            "   3.1. You may not:\n"
            "      a. use it for weapons;\n"
            "   3.2. Other terms apply.\n");
    CHECK_EQ_INT(s.ncl, 4);
    CHECK_EQ_STR(label_of(&s, 1), "3.1");
    CHECK_EQ_INT(s.cl[1].depth, 2);
    CHECK_EQ_INT(s.cl[1].lead, 0);
    CHECK_EQ_STR(label_of(&s, 2), "3.1.a");
    CHECK_EQ_INT(s.cl[2].lead, 1);
    CHECK_EQ_STR(label_of(&s, 3), "3.2");
    ls_seg_free(&s);
}

/* Nested markers: letters, then roman numerals indented under them; "i"
 * after "h" is a letter. */
static void test_nested_markers(void)
{
    seg s;
    cut(&s, "1. Grant\n"
            "(a) first item\n"
            "(b) second item\n"
            "  (i) sub one\n"
            "  (ii) sub two\n"
            "(c) third item\n");
    CHECK_EQ_INT(s.ncl, 6);
    CHECK_EQ_STR(label_of(&s, 1), "1.a");
    CHECK_EQ_STR(label_of(&s, 3), "1.b.i");
    CHECK_EQ_STR(label_of(&s, 4), "1.b.ii");
    CHECK_EQ_STR(text_of(&s, 4), "sub two");
    CHECK_EQ_STR(label_of(&s, 5), "1.c");
    CHECK_EQ_INT(s.cl[3].lead, 2);
    ls_seg_free(&s);

    cut(&s, "g. seven\nh. eight\ni. nine\n");
    CHECK_EQ_INT(s.ncl, 3);
    CHECK_EQ_STR(label_of(&s, 2), "i");
    CHECK_EQ_INT(s.cl[2].depth, 1); /* a sibling of h, not nested */
    ls_seg_free(&s);
}

/* A bullet list's items take the plain sentence ending in ':' before
 * them as their lead-in. */
static void test_lead_in(void)
{
    seg s;
    cut(&s, "You agree not to use the Model:\n"
            "- for weapons\n"
            "* for surveillance\n");
    CHECK_EQ_INT(s.ncl, 3);
    CHECK_EQ_STR(text_of(&s, 0), "You agree not to use the Model:");
    CHECK_EQ_STR(text_of(&s, 1), "for weapons");
    CHECK_EQ_STR(text_of(&s, 2), "for surveillance");
    CHECK_EQ_INT(s.cl[0].lead, -1);
    CHECK_EQ_INT(s.cl[1].lead, 0);
    CHECK_EQ_INT(s.cl[2].lead, 0);
    CHECK_EQ_STR(label_of(&s, 1), ""); /* bullets add no label */
    ls_seg_free(&s);
}

/* Sentences end at . ! ? before a capital, digit, quote or bracket, not
 * after an abbreviation or an initial; wrapped lines are one sentence. */
static void test_sentences(void)
{
    seg s;
    cut(&s, "First one. Second, e.g. Section 2, and\n"
            "the rest of it! Third (Mr. Smith) here? \"Quoted\" last.\n");
    CHECK_EQ_INT(s.ncl, 4);
    CHECK_EQ_STR(text_of(&s, 0), "First one.");
    CHECK_EQ_STR(text_of(&s, 1), "Second, e.g. Section 2, and the rest of it!");
    CHECK_EQ_STR(text_of(&s, 2), "Third (Mr. Smith) here?");
    CHECK_EQ_STR(text_of(&s, 3), "\"Quoted\" last.");
    CHECK_EQ_INT(s.cl[0].para, s.cl[3].para);
    ls_seg_free(&s);

    cut(&s, "See section 3. it goes on.\n"); /* no capital: one sentence */
    CHECK_EQ_INT(s.ncl, 1);
    ls_seg_free(&s);

    cut(&s, "One paragraph.\n\nAnother one.\n");
    CHECK_EQ_INT(s.ncl, 2);
    CHECK(s.cl[0].para != s.cl[1].para);
    CHECK(s.cl[0].run != s.cl[1].run);
    ls_seg_free(&s);
}

/* Comment markers are read past when most lines carry the same one; the
 * sentence then runs on across lines. */
static void test_comment_styles(void)
{
    static const char *const texts[] = {
        "// Licensed under the Foo License.\n"
        "// You may not use this file\n"
        "// except in compliance with it.\n",
        "# Licensed under the Foo License.\n"
        "# You may not use this file\n"
        "# except in compliance with it.\n",
        ";; Licensed under the Foo License.\n"
        ";; You may not use this file\n"
        ";; except in compliance with it.\n",
        "-- Licensed under the Foo License.\n"
        "-- You may not use this file\n"
        "-- except in compliance with it.\n",
        "/*\n"
        " * Licensed under the Foo License.\n"
        " * You may not use this file\n"
        " * except in compliance with it.\n"
        " */\n",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        seg s;
        cut(&s, texts[k]);
        CHECK_EQ_INT(s.ncl, 2);
        CHECK_EQ_STR(text_of(&s, 0), "Licensed under the Foo License.");
        CHECK_EQ_STR(text_of(&s, 1),
                     "You may not use this file except in compliance with "
                     "it.");
        size_t ts, te;
        span_of(&s, 1, &ts, &te);
        CHECK_EQ_INT(ts, strstr(texts[k], "You") - texts[k]);
        CHECK_EQ_INT(te, strstr(texts[k], "it.") - texts[k] + 3);
        ls_seg_free(&s);
    }
    /* "* " lines with no C comment anywhere are Markdown bullets */
    seg s;
    cut(&s, "Do not:\n* one thing\n* another thing\n* a third thing\n");
    CHECK_EQ_INT(s.ncl, 4);
    CHECK_EQ_STR(text_of(&s, 1), "one thing");
    CHECK(s.cl[1].item);
    CHECK_EQ_INT(s.cl[1].lead, 0);
    ls_seg_free(&s);
}

/* Markdown and HTML markup is not text: emphasis, code marks, escapes and
 * tags go, headings close a clause, curly quotes and dashes are ASCII. */
static void test_markup(void)
{
    static const char t[] =
        "# Title\n"
        "\n"
        "Some **bold** and `code` text\\_here. A <b>tag</b> and "
        "\xe2\x80\x9cquotes\xe2\x80\x9d \xe2\x80\x94 dash.\n"
        "## Next\n"
        "More text.\n";
    seg s;
    cut(&s, t);
    CHECK_EQ_INT(s.ncl, 5);
    CHECK_EQ_STR(text_of(&s, 0), "Title");
    CHECK_EQ_STR(text_of(&s, 1), "Some bold and code text_here.");
    CHECK_EQ_STR(text_of(&s, 2), "A tag and \"quotes\" - dash.");
    CHECK_EQ_STR(text_of(&s, 3), "Next");
    CHECK_EQ_STR(text_of(&s, 4), "More text.");
    /* the span of a clause ending in a multibyte character's stand-in
     * reaches past all of its bytes */
    size_t ts, te;
    span_of(&s, 2, &ts, &te);
    CHECK_EQ_INT(ts, strstr(t, "A <b>") - t);
    CHECK_EQ_INT(te, strstr(t, "dash.") - t + 5);
    ls_seg_free(&s);

    /* "**1. License**" is the list item "1. License" */
    cut(&s, "**1. License**\nText of it.\n");
    CHECK_EQ_STR(label_of(&s, 0), "1");
    CHECK_EQ_STR(text_of(&s, 0), "License Text of it.");
    ls_seg_free(&s);
}

/* A Markdown table row is one clause; a body cell is read with its
 * column's header. */
static void test_table_rows(void)
{
    static const char t[] = "| Use | Allowed |\n"
                            "|---|---|\n"
                            "| Military | no |\n"
                            "| Research | yes |\n"
                            "\n"
                            "After.\n";
    seg s;
    cut(&s, t);
    CHECK_EQ_INT(s.ncl, 4);
    CHECK_EQ_STR(text_of(&s, 0), "Use; Allowed");
    CHECK_EQ_STR(text_of(&s, 1), "Use: Military; Allowed: no");
    CHECK_EQ_STR(text_of(&s, 2), "Use: Research; Allowed: yes");
    CHECK_EQ_STR(text_of(&s, 3), "After.");
    /* the header's words map to the body cell, not to the header row */
    size_t ts, te;
    span_of(&s, 1, &ts, &te);
    CHECK_EQ_INT(ts, strstr(t, "Military") - t);
    CHECK_EQ_INT(te, strstr(t, "no |") - t + 2);
    ls_seg_free(&s);
}

/* A block after a sentence ending in ':' is the text it introduces,
 * quoted into the same clause. */
static void test_blocks(void)
{
    static const char *const texts[] = {
        "You must include this notice:\n\n    Built with Foo\n\nThen go "
        "on.\n",
        "You must include this notice:\n\n> Built with Foo\n\nThen go on.\n",
        "You must include this notice:\n\n```\nBuilt with Foo\n```\n\nThen "
        "go on.\n",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        seg s;
        cut(&s, texts[k]);
        CHECK_EQ_INT(s.ncl, 2);
        CHECK_EQ_STR(text_of(&s, 0),
                     "You must include this notice: \"Built with Foo\"");
        CHECK_EQ_STR(text_of(&s, 1), "Then go on.");
        ls_seg_free(&s);
    }
}

/* A run of text with no sentence end is cut near MAX_CLAUSE_BYTES (4096),
 * at a space, and nothing is lost. */
static void test_clause_limit(void)
{
    size_t n = 10000;
    char *t = malloc(n + 1);
    CHECK(t != NULL);
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        t[i] = i % 6 == 5 ? ' ' : "abcde"[i % 6];
    t[n] = 0;
    seg s;
    cut(&s, t);
    CHECK(s.ncl >= 3);
    size_t total = 0;
    for (uint32_t i = 0; i < s.ncl; i++) {
        uint32_t len = s.cl[i].de - s.cl[i].ds;
        CHECK(len <= 4096 + 8);
        total += len + 1;
        size_t ts, te;
        span_of(&s, i, &ts, &te);
        CHECK(memcmp(t + ts, s.disp.data + s.cl[i].ds, len) == 0);
    }
    /* every byte: each cut took a space, counted as the + 1 of the clause
     * before it; the last clause has none */
    CHECK_EQ_INT(total, n + 1);
    ls_seg_free(&s);
    free(t);
}

/* ls_seg_reuse cuts another text in the same buffers. */
static void test_reuse(void)
{
    seg s;
    cut(&s, "A long first text. With two sentences.\n");
    CHECK_EQ_INT(s.ncl, 2);
    ls_seg_reuse(&s, "Short.", 6);
    ls_segment(&s);
    CHECK_EQ_INT(s.ncl, 1);
    CHECK_EQ_STR(text_of(&s, 0), "Short.");
    ls_seg_free(&s);
}

int main(void)
{
    ls_alloc_default(&alloc);
    test_dotted_labels();
    test_dotted_nested();
    test_nested_markers();
    test_lead_in();
    test_sentences();
    test_comment_styles();
    test_markup();
    test_table_rows();
    test_blocks();
    test_clause_limit();
    test_reuse();
    return check_report("unit_segment");
}
