/* Unit tests: the lines and columns of spans (licscan_position), through
 * the public API: LF, CR LF and a lone CR end lines; a column is a code
 * point of the decoded text (UTF-8 sequences, UTF-16 units and surrogate
 * pairs, Latin-1 bytes); a byte-order mark is no column; the end is the
 * span's last character. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "jit_off.h"
#include "licscan.h"

static licscan_db *db;

/* The position of the first match of text (len bytes). */
static licscan_position first_match(const char *text, size_t len,
                                    uint64_t *start, uint64_t *end)
{
    licscan_position p = { 0, 0, 0, 0 };
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, text, len, NULL, &r), LICSCAN_OK);
    if (r && licscan_result_match_count(r) > 0) {
        const licscan_match *m = licscan_result_match(r, 0);
        CHECK_EQ_INT(licscan_match_position(m, &p), LICSCAN_OK);
        *start = licscan_match_start(m);
        *end = licscan_match_end(m);
    } else {
        CHECK(!"a match");
    }
    licscan_result_free(r);
    return p;
}

#define EXPECT(text, l, c, el, ec)                                             \
    do {                                                                       \
        uint64_t s_, e_;                                                       \
        licscan_position p_ =                                                  \
            first_match((text), sizeof(text) - 1, &s_, &e_);                   \
        CHECK_EQ_INT(p_.line, (l));                                            \
        CHECK_EQ_INT(p_.col, (c));                                             \
        CHECK_EQ_INT(p_.end_line, (el));                                       \
        CHECK_EQ_INT(p_.end_col, (ec));                                        \
    } while (0)

/* "MIT License" is a reference of 11 characters. */
static void test_line_ends(void)
{
    EXPECT("MIT License", 1, 1, 1, 11);
    EXPECT("x\nMIT License", 2, 1, 2, 11);
    EXPECT("x\r\n\r\n  MIT License\r\n", 3, 3, 3, 13);
    EXPECT("x\ry\rMIT License", 3, 1, 3, 11);      /* CR alone ends a line */
    EXPECT("x\r\ry\r\nz MIT License", 4, 3, 4, 13); /* mixed */
    EXPECT("\n\n\n\n\n\n\n\n\n\nMIT License", 11, 1, 11, 11);
}

static void test_code_points(void)
{
    /* é (2 bytes), € (3 bytes) and 😀 (4 bytes) are one column each */
    EXPECT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 MIT License", 1, 5, 1, 15);
    EXPECT("\t\t\xc3\xa9\nab\xc3\xa9 MIT License", 2, 5, 2, 15);
    /* a byte-order mark is no column */
    EXPECT("\xef\xbb\xbfMIT License", 1, 1, 1, 11);
    /* invalid UTF-8 read as Latin-1: each byte one column */
    EXPECT("\xe9\xe9 MIT License", 1, 4, 1, 14);
}

/* s as UTF-16 (little-endian unless big), with a BOM when bom. */
static size_t utf16(const char *s, int big, int bom, char *out)
{
    size_t n = 0;
    if (bom) {
        out[n++] = big ? '\xfe' : '\xff';
        out[n++] = big ? '\xff' : '\xfe';
    }
    for (; *s; s++) {
        out[n++] = big ? 0 : *s;
        out[n++] = big ? *s : 0;
    }
    return n;
}

static void test_utf16(void)
{
    char buf[256];
    for (int big = 0; big < 2; big++)
        for (int bom = 0; bom < 2; bom++) {
            size_t n = utf16("ab\r\ncd\rMIT License and more", big, bom, buf);
            uint64_t s, e;
            licscan_position p = first_match(buf, n, &s, &e);
            CHECK_EQ_INT(s, (uint64_t)(2 * bom + 2 * 7));
            CHECK_EQ_INT(p.line, 3);
            CHECK_EQ_INT(p.col, 1);
            CHECK_EQ_INT(p.end_line, 3);
            CHECK_EQ_INT(p.end_col, 11);
        }
    /* a surrogate pair (U+1F600) is one column */
    static const char pair[] = "\xff\xfe" "=\0\x3d\xd8\x00\xde \0";
    char text[128];
    memcpy(text, pair, sizeof(pair) - 1);
    size_t n = sizeof(pair) - 1;
    n += utf16("MIT License", 0, 0, text + n);
    uint64_t s, e;
    licscan_position p = first_match(text, n, &s, &e);
    CHECK_EQ_INT(p.line, 1);
    CHECK_EQ_INT(p.col, 4);
    CHECK_EQ_INT(p.end_col, 14);
}

/* The line and column of byte off of an ASCII text with CR LF lines,
 * counted the plain way. */
static void ascii_position(const char *text, uint64_t off, uint32_t *line,
                           uint32_t *col)
{
    *line = 1;
    *col = 1;
    for (uint64_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Evidence has positions too (tests/test_cli.py checks every span of the
 * corpus, differences and flag changes included, against a count of its
 * own). */
static void test_other_spans(void)
{
    static const char text[] =
        "Intro line\r\n"
        "You may not use the Model for commercial purposes.\r\n"
        "You may not use the outputs of the Model to train other models.\r\n";
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, text, sizeof(text) - 1, NULL, &r),
                 LICSCAN_OK);
    uint32_t n = r ? licscan_result_restriction_count(r) : 0;
    CHECK(n > 0);
    for (uint32_t i = 0; i < n; i++) {
        const licscan_restriction *x = licscan_result_restriction(r, i);
        for (uint32_t k = 0; k < licscan_restriction_evidence_count(x); k++) {
            uint64_t s, e;
            licscan_position p;
            CHECK_EQ_INT(licscan_restriction_evidence(x, k, &s, &e, NULL, NULL,
                                                      NULL),
                         LICSCAN_OK);
            CHECK_EQ_INT(licscan_restriction_evidence_position(x, k, &p),
                         LICSCAN_OK);
            CHECK(e > s);
            uint32_t line, col;
            ascii_position(text, s, &line, &col);
            CHECK_EQ_INT(p.line, line);
            CHECK_EQ_INT(p.col, col);
            ascii_position(text, e - 1, &line, &col);
            CHECK_EQ_INT(p.end_line, line);
            CHECK_EQ_INT(p.end_col, col);
        }
        licscan_position p;
        CHECK_EQ_INT(licscan_restriction_evidence_position(x, 999, &p),
                     LICSCAN_EINVAL);
    }
    licscan_result_free(r);
    licscan_position p;
    CHECK_EQ_INT(licscan_match_position(NULL, &p), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_match_diff_position(NULL, 0, &p), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_match_flag_change_position(NULL, 0, &p),
                 LICSCAN_EINVAL);
}

int main(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    if (db) {
        test_line_ends();
        test_code_points();
        test_utf16();
        test_other_spans();
    }
    licscan_db_free(db);
    return check_report("unit_position");
}
