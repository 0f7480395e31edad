/* Unit tests: alignment, differences, kinds, ranking and references, on
 * small templates written here (no files needed). */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "licscan.h"

/* Two versions of an invented license that differ in a few words, and an
 * unrelated one. */
static const char *TPL_A =
    "<<beginOptional>>Widget Public License 1.0<<endOptional>>\n"
    "<<var;name=\"copyright\";original=\"Copyright 2020 Widget Corp\";"
    "match=\".{0,5000}\">>\n\n"
    "Redistribution of this widget in source or binary form is permitted "
    "provided that the notice above is retained in every copy and that no "
    "person uses the name of the widget makers to endorse derived products "
    "without prior written permission. The widget is provided by its makers "
    "without warranty of any kind and in no event shall the makers be "
    "liable for any damage arising in any way out of the use of the widget, "
    "even if advised of the possibility of such damage.\n"
    "<<beginOptional>>End of terms for version one point zero.<<endOptional>>";
static const char *TPL_B =
    "Widget Public License 1.1\n\n"
    "Redistribution of this widget in source or binary form is permitted "
    "provided that the notice above is retained in every copy and that no "
    "person uses the name of the widget makers to promote derived products "
    "without prior written consent. The widget is provided by its makers "
    "without warranty of any kind and in no event shall the makers be "
    "liable for any damage arising in any way out of the use of the widget, "
    "even if advised of the possibility of such damage.\n";
static const char *TPL_C =
    "Gadget Terms. You may copy and change the gadget for any purpose "
    "whatsoever as long as every copy carries these terms in full, and you "
    "accept that the gadget comes with no promise of fitness for any task "
    "and no promise of support of any sort from its authors.";
static const char *META_A = "name: Widget Public License 1.0\n"
                            "reference: Widget Public License 1.0\n"
                            "spdx: LicenseRef-Widget-1.0\n";

static const char *BODY_A =
    "Redistribution of this widget in source or binary form is permitted "
    "provided that the notice above is retained in every copy and that no "
    "person uses the name of the widget makers to endorse derived products "
    "without prior written permission. The widget is provided by its makers "
    "without warranty of any kind and in no event shall the makers be "
    "liable for any damage arising in any way out of the use of the widget, "
    "even if advised of the possibility of such damage.";

static licscan_db *DB;

static licscan_result *scan(const char *s)
{
    licscan_result *r = NULL;
    int rc = licscan_scan(DB, (const uint8_t *)s, strlen(s), NULL, &r);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    return r;
}

static const licscan_match *only(licscan_result *r, const char *id)
{
    for (uint32_t i = 0; i < licscan_result_match_count(r); i++) {
        const licscan_match *m = licscan_result_match(r, i);
        if (strcmp(licscan_license_id(licscan_match_license(m)), id) == 0)
            return m;
    }
    fprintf(stderr, "no match for %s\n", id);
    CHECK(0);
    return NULL;
}

static char *concat(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* Replace the first `from` in s by `to` (result malloc'd). */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (!p)
        return NULL;
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *o = malloc(n);
    snprintf(o, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return o;
}

static void test_exact_and_span(void)
{
    char *in =
        concat("Intro words of a readme that talk about other things.\n\n"
               "Copyright 2031 Somebody Else\n\n",
               BODY_A, "\n\nThanks for reading this readme file.\n");
    licscan_result *r = scan(in);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = only(r, "Widget-1.0");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_EXACT);
        CHECK(licscan_match_coverage(m) == 1.0);
        /* the span starts at the copyright line the var took */
        CHECK_EQ_INT(licscan_match_start(m), strstr(in, "Copyright") - in);
        CHECK_EQ_INT(licscan_match_end(m), strstr(in, "damage.") + 6 - in);
        CHECK_EQ_INT(licscan_match_diff_count(m), 0);
        /* 1.1 differs in three words: a close runner-up */
        double cov = 0;
        const licscan_license *ru = licscan_match_runner_up(m, &cov);
        CHECK(ru && strcmp(licscan_license_id(ru), "Widget-1.1") == 0);
        CHECK(cov > 0.9 && cov < 1.0);
    }
    CHECK_EQ_STR(licscan_result_spdx(r), "LicenseRef-Widget-1.0");
    licscan_result_free(r);
    free(in);
}

static void test_versions(void)
{
    char *b1 = replace(BODY_A, "endorse", "promote");
    char *b2 = replace(b1, "permission.", "consent.");
    licscan_result *r = scan(b2);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = only(r, "Widget-1.1");
    if (m) {
        /* 1.1's title is required and absent: near, not exact */
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_NEAR);
        double cov;
        const licscan_license *ru = licscan_match_runner_up(m, &cov);
        CHECK(ru && strcmp(licscan_license_id(ru), "Widget-1.0") == 0);
    }
    licscan_result_free(r);
    free(b1);
    free(b2);
}

static void test_edits(void)
{
    /* inserted words */
    char *ins = replace(BODY_A, "in every copy", "in every single lovely copy");
    licscan_result *r = scan(ins);
    const licscan_match *m = only(r, "Widget-1.0");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_NEAR);
        CHECK(licscan_match_coverage(m) == 1.0);
        CHECK_EQ_INT(licscan_match_extra_words(m), 2);
        CHECK_EQ_INT(licscan_match_diff_count(m), 1);
        uint32_t op;
        uint64_t s, e;
        const char *t;
        licscan_match_diff(m, 0, &op, &s, &e, &t);
        CHECK_EQ_INT(op, LICSCAN_DIFF_INSERTED);
        CHECK_EQ_INT(s, strstr(ins, "single") - ins);
        CHECK_EQ_INT(e, strstr(ins, "lovely") + 6 - ins);
    }
    licscan_result_free(r);
    free(ins);

    /* deleted words */
    char *del = replace(BODY_A, "in source or binary form ", "");
    r = scan(del);
    m = only(r, "Widget-1.0");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_NEAR);
        CHECK(licscan_match_coverage(m) < 1.0 &&
              licscan_match_coverage(m) > 0.9);
        uint32_t op;
        uint64_t s, e;
        const char *t;
        CHECK_EQ_INT(licscan_match_diff_count(m), 1);
        licscan_match_diff(m, 0, &op, &s, &e, &t);
        CHECK_EQ_INT(op, LICSCAN_DIFF_DELETED);
        CHECK(s == e && s == (uint64_t)(strstr(del, "is permitted") - del));
        CHECK_EQ_STR(t, "in source or binary form");
    }
    licscan_result_free(r);
    free(del);

    /* replaced words */
    char *rep = replace(BODY_A, "any kind", "some sort");
    r = scan(rep);
    m = only(r, "Widget-1.0");
    if (m) {
        uint32_t op;
        uint64_t s, e;
        const char *t;
        CHECK_EQ_INT(licscan_match_diff_count(m), 1);
        licscan_match_diff(m, 0, &op, &s, &e, &t);
        CHECK_EQ_INT(op, LICSCAN_DIFF_REPLACED);
        CHECK_EQ_INT(s, strstr(rep, "some sort") - rep);
        CHECK_EQ_INT(e, strstr(rep, "some sort") + 9 - rep);
        CHECK_EQ_STR(t, "any kind");
    }
    licscan_result_free(r);
    free(rep);

    /* a fragment: the first three fifths only */
    char part[400];
    snprintf(part, sizeof part, "%.*s", (int)(strlen(BODY_A) * 3 / 5), BODY_A);
    r = scan(part);
    m = only(r, "Widget-1.0");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_PARTIAL);
        CHECK(licscan_match_coverage(m) > 0.4 &&
              licscan_match_coverage(m) < 0.8);
    }
    CHECK_EQ_STR(licscan_result_spdx(r), "");
    licscan_result_free(r);
    /* a sentence of it (its first third, under 40 words) names nothing */
    snprintf(part, sizeof part, "%.*s", (int)(strlen(BODY_A) / 3), BODY_A);
    r = scan(part);
    CHECK_EQ_INT(licscan_result_match_count(r), 0);
    licscan_result_free(r);
    /* nor do three quarters of it scattered six words at a time through
     * more words of something else */
    char scattered[2048];
    size_t o = 0, words = 0, cut = strlen(BODY_A) * 3 / 4;
    for (size_t i = 0; i < cut && o + 64 < sizeof scattered; i++) {
        scattered[o++] = BODY_A[i];
        if (BODY_A[i] == ' ' && ++words % 6 == 0)
            o += (size_t)snprintf(scattered + o, sizeof scattered - o, "%s",
                                  "alpha beta gamma delta epsilon zeta eta "
                                  "theta ");
    }
    scattered[o] = 0;
    r = scan(scattered);
    CHECK_EQ_INT(licscan_result_match_count(r), 0);
    licscan_result_free(r);
}

static void test_two_and_reference(void)
{
    char *in = concat(BODY_A, "\n\n", TPL_C);
    licscan_result *r = scan(in);
    CHECK_EQ_INT(licscan_result_match_count(r), 2);
    if (licscan_result_match_count(r) == 2) {
        const licscan_match *a = licscan_result_match(r, 0);
        const licscan_match *c = licscan_result_match(r, 1);
        CHECK_EQ_STR(licscan_license_id(licscan_match_license(a)),
                     "Widget-1.0");
        CHECK_EQ_STR(licscan_license_id(licscan_match_license(c)), "Gadget");
        CHECK_EQ_INT(licscan_match_kind(c), LICSCAN_KIND_EXACT);
        CHECK_EQ_INT(licscan_match_start(c), strstr(in, "Gadget") - in);
    }
    CHECK_EQ_STR(licscan_result_spdx(r), "LicenseRef-Widget-1.0 AND Gadget");
    licscan_result_free(r);
    free(in);

    const char *readme = "This tool is released under the Widget Public "
                         "License 1.0, see the file COPYING.";
    r = scan(readme);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_REFERENCE);
        CHECK_EQ_INT(licscan_match_start(m), strstr(readme, "Widget") - readme);
        CHECK_EQ_INT(licscan_match_end(m), strstr(readme, ", see") - readme);
    }
    CHECK_EQ_STR(licscan_result_spdx(r), "");
    licscan_result_free(r);
}

static void test_bad_input(void)
{
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(DB, (const uint8_t *)"", 0, NULL, &r),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_match_count(r), 0);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_EMPTY);
    licscan_result_free(r);

    const uint8_t bin[] = { 'a', 'b', 0, 'c' };
    CHECK_EQ_INT(licscan_scan(DB, bin, 4, NULL, &r), LICSCAN_EBINARY);
    CHECK(r != NULL);
    CHECK_EQ_INT(licscan_result_status(r), LICSCAN_EBINARY);
    CHECK(strstr(licscan_result_errmsg(r), "NUL") != NULL);
    const char *json;
    size_t jl;
    CHECK_EQ_INT(licscan_result_json(r, "x.bin", 0, &json, &jl), LICSCAN_OK);
    CHECK(strstr(json, "\"error\":") != NULL);
    licscan_result_free(r);

    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    o.max_input_bytes = 10;
    CHECK_EQ_INT(
        licscan_scan(DB, (const uint8_t *)BODY_A, strlen(BODY_A), &o, &r),
        LICSCAN_ETOOBIG);
    CHECK_EQ_INT(licscan_result_status(r), LICSCAN_ETOOBIG);
    licscan_result_free(r);

    CHECK_EQ_INT(licscan_scan(NULL, bin, 4, NULL, &r), LICSCAN_EINVAL);
    CHECK(r == NULL);
    CHECK_EQ_INT(licscan_scan(DB, bin, 4, NULL, NULL), LICSCAN_EINVAL);
    licscan_result_free(NULL);
    licscan_db_free(NULL);
}

static void test_json(void)
{
    char *in = replace(BODY_A, "any kind", "some sort");
    licscan_result *r = scan(in);
    const char *json;
    size_t jl;
    CHECK_EQ_INT(
        licscan_result_json(r, "dir/\"q\".txt", LICSCAN_JSON_DIFFS, &json, &jl),
        LICSCAN_OK);
    CHECK_EQ_INT(strlen(json), jl);
    CHECK(strstr(json, "\"file\":\"dir/\\\"q\\\".txt\"") != NULL);
    CHECK(strstr(json, "\"id\":\"Widget-1.0\"") != NULL);
    CHECK(strstr(json, "\"kind\":\"near\"") != NULL);
    CHECK(strstr(json, "\"op\":\"replaced\"") != NULL);
    CHECK(strstr(json, "\"template\":\"any kind\"") != NULL);
    CHECK(strstr(json, "\"spdx\":\"LicenseRef-Widget-1.0\"") != NULL);
    /* a file name that is not UTF-8 still gives valid JSON */
    CHECK_EQ_INT(licscan_result_json(r, "bad\xff\xc3\xa9.txt", 0, &json, &jl),
                 LICSCAN_OK);
    CHECK(strstr(json, "\"file\":\"bad\\ufffd\xc3\xa9.txt\"") != NULL);
    licscan_result_free(r);
    free(in);
}

/* ---- template texts rendered with their vars' original text ---- */

/* Scan `text` against a database holding only `tpl` (plus `other`, when
 * given); the match of "T", or NULL. *res must be freed. */
static const licscan_match *scan_one(const char *tpl, const char *other,
                                     const char *text, licscan_result **res,
                                     licscan_db **dbp)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(NULL, &db), LICSCAN_OK);
    CHECK_EQ_INT(
        licscan_db_add_template(db, "T", tpl, strlen(tpl), NULL, 0, NULL),
        LICSCAN_OK);
    if (other)
        CHECK_EQ_INT(licscan_db_add_template(db, "Other", other, strlen(other),
                                             NULL, 0, NULL),
                     LICSCAN_OK);
    *dbp = db;
    *res = NULL;
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)text, strlen(text), NULL, res),
        LICSCAN_OK);
    for (uint32_t i = 0; *res && i < licscan_result_match_count(*res); i++) {
        const licscan_match *m = licscan_result_match(*res, i);
        if (strcmp(licscan_license_id(licscan_match_license(m)), "T") == 0)
            return m;
    }
    return NULL;
}

/* The text is an exact match of template T, with no extra words. */
static void expect_exact(const char *tpl, const char *other, const char *text,
                         int line)
{
    licscan_result *r;
    licscan_db *db;
    const licscan_match *m = scan_one(tpl, other, text, &r, &db);
    int kind = m ? (int)licscan_match_kind(m) : -1;
    int extra = m ? (int)licscan_match_extra_words(m) : -1;
    if (kind != LICSCAN_KIND_EXACT || extra != 0)
        fprintf(stderr,
                "unit_diff.c:%d: want exact, got kind %d, %d extra "
                "words, %u matches\n",
                line, kind, extra, r ? licscan_result_match_count(r) : 0);
    CHECK_EQ_INT(kind, LICSCAN_KIND_EXACT);
    CHECK_EQ_INT(extra, 0);
    licscan_result_free(r);
    licscan_db_free(db);
}

static const char *FILLER =
    "Each party shall bear its own costs and no waiver of any term shall be "
    "deemed a further waiver of that or any other term of this agreement. ";

static void test_rendered_templates(void)
{
    /* "U.S." after a list number: the var stands for "12." only, and
     * "U" is no list marker */
    char *t1 =
        concat("Terms of the software license. ", FILLER,
               "\n\n<<var;name=\"bullet\";original=\"12.\";match=\".{0,20}\">> "
               "U.S. Government End Users. The software is a commercial "
               "item as that term is defined in the regulations.");
    char *x1 =
        concat("Terms of the software license. ", FILLER,
               "\n\n12. U.S. Government End Users. The software is a "
               "commercial item as that term is defined in the regulations.");
    expect_exact(t1, NULL, x1, __LINE__);
    free(t1);
    free(x1);

    /* the var's text begins with words of the template around it: the
     * words before it are matched, not the same words inside it */
    char *t2 = concat(
        FILLER,
        "PSF's License Agreement and <<var;name=\"h\";original=\"PSF's\";"
        "match=\".*\">> notice of copyright <<var;name=\"c\";original=\", "
        "i.e., \"Copyright (c) 2001 Python Software Foundation All Rights "
        "Reserved\"\";match=\".*\">> are retained in Python alone or in any "
        "derivative version prepared by Licensee. ",
        FILLER);
    char *x2 =
        concat(FILLER,
               "PSF's License Agreement and PSF's notice of copyright, "
               "i.e., \"Copyright (c) 2001 "
               "Python Software Foundation All Rights Reserved\" are retained "
               "in Python alone or in any derivative version prepared by "
               "Licensee. ",
               FILLER);
    expect_exact(t2, NULL, x2, __LINE__);
    free(t2);
    free(x2);
    /* ... and a var before a sentence starting with its own first word */
    const char *t3 =
        "Redistribution and use in source and binary forms are permitted "
        "provided that all advertising materials acknowledge that the software "
        "was developed by <<var;name=\"who\";original=\"the University of "
        "California, Berkeley.\";match=\"[^.]+\\.\">> The name of "
        "<<var;name=\"n\";"
        "original=\"the University\";match=\"[^.]+\">> may not be used to "
        "endorse "
        "or promote products derived from this software without specific prior "
        "written permission.";
    const char *x3 =
        "Redistribution and use in source and binary forms are permitted "
        "provided that all advertising materials acknowledge that the software "
        "was developed by the University of California, Berkeley. The name of "
        "the University may not be used to endorse or promote products derived "
        "from this software without specific prior written permission.";
    expect_exact(t3, NULL, x3, __LINE__);

    /* the punctuation around a var is the template's, not the var's */
    char *t4 = concat(
        "\"THE BEER-WARE LICENSE\" (Revision 42):\n\n<<var;name=\"email\";"
        "original=\"<phk@FreeBSD.ORG>\";match=\"<phk@FreeBSD.ORG>|"
        "<phk@login.dkuug.dk>\">> wrote this file. ",
        FILLER,
        "As long as you retain this notice you can do whatever "
        "you want with this stuff.");
    char *x4 =
        concat("\"THE BEER-WARE LICENSE\" (Revision 42):\n\n<phk@FreeBSD.ORG> "
               "wrote this file. ",
               FILLER,
               "As long as you retain this notice you can do whatever "
               "you want with this stuff.");
    expect_exact(t4, NULL, x4, __LINE__);
    free(t4);
    free(x4);
    /* two vars in one gap, with quotes between them */
    char *t5 = concat(
        FILLER,
        "The name \"Indiana <<var;name=\"u1\";original=\"Univeristy\";"
        "match=\"Univeristy|University\">>\" <<var;name=\"and\";"
        "original=\"and\";match=\"and|or\">> \"Indiana <<var;name=\"u2\";"
        "original=\"Univeristy\";match=\"Univeristy|University\">> Extreme! "
        "Lab\" shall not be used to endorse products derived from this "
        "software. ",
        FILLER);
    char *x5 =
        concat(FILLER,
               "The name \"Indiana Univeristy\" and \"Indiana Univeristy "
               "Extreme! Lab\" shall not be used to endorse products derived "
               "from this software. ",
               FILLER);
    expect_exact(t5, NULL, x5, __LINE__);
    free(t5);
    free(x5);
    /* a var's original is accepted even where its pattern forgot it; a
     * var at the very end takes the punctuation after the last word */
    char *t6 =
        concat("Section 1 <<var;name=\"dash\";original=\"\";match=\"-{1,2}\">> "
               "Definitions. ",
               FILLER,
               "Any contact is to be directed to the designated representative "
               "as follows: <<var;name=\"poc\";original=\"_______________\";"
               "match=\".+\">>.");
    char *x6 =
        concat("Section 1  Definitions. ", FILLER,
               "Any contact is to be directed to the designated representative "
               "as follows: _______________.");
    expect_exact(t6, NULL, x6, __LINE__);
    free(t6);
    free(x6);

    /* a short template whose vars hold most of its words is not pruned by
     * a longer one that has the same words as literal text */
    const char *t7 =
        "As a special exception to the GNU General Public License, "
        "<<var;name=\"a\";original=\"if you distribute this "
        "file\";match=\"if\\s+you\\s+"
        "distribute\\s+this\\s+file|this\\s+file\\s+may\\s+be\\s+distributed\">"
        "> as part "
        "of a program that contains a configuration script generated by "
        "Autoconf, "
        "<<var;name=\"b\";original=\"you may include it under the same "
        "distribution "
        "terms that you use "
        "for\";match=\"you\\s+may\\s+include\\s+it\\s+under\\s+the\\s+"
        "same\\s+distribution\\s+terms\\s+that\\s+you\\s+use\\s+for|under\\s+"
        "the\\s+same\\s+"
        "distribution\\s+terms\\s+as\">> the rest of that program.";
    const char *o7 =
        "As a special exception to the GNU General Public License, if you "
        "distribute this file as part of a program that contains a "
        "configuration "
        "script generated by Autoconf, you may include it under the same "
        "distribution terms that you use for the rest of that program. This "
        "Exception is an additional permission under section 7 of the GNU "
        "General "
        "Public License, version 3 (\"GPLv3\").";
    const char *x7 =
        "As a special exception to the GNU General Public License, if you "
        "distribute this file as part of a program that contains a "
        "configuration "
        "script generated by Autoconf, you may include it under the same "
        "distribution terms that you use for the rest of that program.";
    expect_exact(t7, o7, x7, __LINE__);

    /* words that touch across optional markers are one word in a copy */
    char *t8 = concat(
        "The executable is not covered by the GNU<<beginOptional>> "
        "Lesser<<endOptional>>General Public License. Permission is "
        "granted, provided that the name<<beginOptional>>s<<endOptional>> "
        "of <<var;name=\"tm\";original=\"(TrademarkedName)\";match=\".+\">> "
        "not be used in advertising. <<var;name=\"tm2\";original=\""
        "(TrademarkedName)\";match=\".+\">> make<<beginOptional>>s"
        "<<endOptional>> no representations. ",
        FILLER, FILLER);
    char *x8 = concat(
        "The executable is not covered by the GNU LesserGeneral Public "
        "License. Permission is granted, provided that the names of "
        "(TrademarkedName) not be used in advertising. (TrademarkedName) "
        "makes no representations. ",
        FILLER, FILLER);
    expect_exact(t8, NULL, x8, __LINE__);
    free(t8);
    free(x8);
}

int main(void)
{
    CHECK_EQ_INT(licscan_db_open_empty(NULL, &DB), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_add_template(DB, "Widget-1.0", TPL_A, strlen(TPL_A),
                                         META_A, strlen(META_A), NULL),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_add_template(DB, "Widget-1.1", TPL_B, strlen(TPL_B),
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_add_template(DB, "Gadget", TPL_C, strlen(TPL_C),
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    test_exact_and_span();
    test_versions();
    test_edits();
    test_two_and_reference();
    test_bad_input();
    test_json();
    test_rendered_templates();
    licscan_db_free(DB);
    return check_report("unit_diff");
}
