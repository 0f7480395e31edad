/* Unit tests: the pattern prefilter (lib/prefilter.c, internal API).
 *
 * A rule pattern runs only on a clause that holds what the pattern
 * requires. The requirement must never leave out a string the pattern
 * can match without, or a pattern that would have matched is skipped:
 * the derived requirements of tricky patterns are checked one by one,
 * every rule pattern is run on pieces of every corpus text the prefilter
 * turns away (none may match), and every corpus file must give the same
 * JSON with the prefilter on and off (ls_test_control(LS_TEST_PREFILTER)),
 * with and without the clause memo, and with rules added at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "check.h"
#include "corpus_files.h"
#include "internal.h"
#include "jit_off.h"
#include "prefilter_derive.h"
#include "testctl.h"

/* ------------------------------------------------------------------ */
/* Derived requirements                                               */

static const char *describe(const char *pat)
{
    static char out[2048];
    ls_alloc a;
    ls_alloc_default(&a);
    ls_required *rq = NULL;
    CHECK_EQ_INT(ls_required_of(&a, pat, strlen(pat), &rq), LICSCAN_OK);
    ls_required_describe(rq, out, sizeof out);
    ls_required_free(&a, rq);
    return out;
}

static pcre2_code *compile(const char *pat, size_t n)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile(
        (PCRE2_SPTR)pat, n, PCRE2_UTF | PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE,
        &ec, &eo, NULL);
    if (code && !under_valgrind())
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return code;
}

static bool matches(const pcre2_code *code, pcre2_match_data *md, const char *t,
                    size_t n)
{
    return pcre2_match(code, (PCRE2_SPTR)t, n, 0, 0, md, NULL) >= 0;
}

/* What the prefilter says of text for a pattern source. */
static bool may_match(const char *pat, const char *text)
{
    ls_alloc a;
    ls_alloc_default(&a);
    ls_required *rq = NULL;
    ls_required_of(&a, pat, strlen(pat), &rq);
    static ls_subject sub; /* zeroed: no set yet */
    static uint64_t texts;
    ls_subject_set(&sub, text, strlen(text), true, ++texts);
    bool may = ls_subject_may_match(&sub, rq);
    ls_required_free(&a, rq);
    return may;
}

static const struct {
    const char *pattern, *required, *matching;
} cases[] = {
    { "must", "must", "You MUST do it" },
    { "must|shall", "must|shall", "it Shall be" },
    { "(?:must|shall) not", "must not|shall not", "you shall not" },
    /* an optional suffix: the string without it */
    { "copyright notices?", "copyright notice", "all Copyright Notices" },
    { "(?:a )?notice", "notice", "notice" },
    { "must (?:not)?", "must ", "must be" },
    /* a lookahead's text is in the subject too; negative lookarounds and
     * lookbehinds require nothing */
    { "foo(?=bars)", "bars & foo", "foobars" },
    { "(?=.*must)(?=.*notice)", "notice & must", "a notice you must keep" },
    { "(?!never)word", "word", "word" },
    { "(?<=pre)word", "word", "preword" },
    { "(?<!not )allowed", "allowed", "is allowed" },
    /* small classes are alternatives, large or negated ones anything */
    { "licen[cs]e", "licence|license", "LICENSE" },
    { "ABC[D-F]", "abcd|abce|abcf", "abce" },
    { "[a-z]+ing", "ing", "sharing" },
    { "[^.]{0,10}end", "end", "the end" },
    { "[\\w.+-]+ (?:built|made) with", " built with| made with",
      "x.y built with" },
    /* inline options: compared caselessly anyway */
    { "(?-i:[A-Z]\\w+) shall", " shall", "Licensee shall" },
    { "(?i)must", "must", "MUST" },
    /* alternatives need a string each; one with none leaves none */
    { "abc|(?:def)?ghi", "abc|ghi", "ghi" },
    { "abc|(?:def)?", "", "xyz" },
    { "(?:you|licensee) (?:may|must) not",
      "you may not|you must not|licensee may not|licensee must not",
      "Licensee must not" },
    { "governed (?:by|and construed|under)",
      "governed by|governed and construed|governed under",
      "governed and construed by" },
    /* a string holding another of its group adds nothing */
    { "(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
      "thirteen|fourteen|fifteen|sixteen|seventeen)",
      "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
      "thirteen|fifteen",
      "seventeen" },
    /* quantifiers: optional gives nothing, repeated at least once */
    { "x*", "", "y" },
    { "(?:abc){2}", "abc", "abcabc" },
    { "\\bsue[sd]?\\b", "sue", "sued" },
    { "(?<name>gov)erned", "governed", "governed" },
    { "x(?>abc|abd)", "xabc|xabd", "xabd" },
    { "(?:must|shall)(?:[^.]|\\.(?=\\w)){0,40}provide", "provide & must|shall",
      "shall, on request, provide" },
    { "\\d+ million", " million", "700 million" },
    /* strings shorter than a trigram are not checked */
    { "ab", "", "ab" },
    /* beyond ASCII: not compared, unless the character has no case
     * (CJK): then its bytes are */
    { "r\xc3\xa9sum\xc3\xa9", "sum", "R\xc3\x89SUM\xc3\x89" },
    { "不得商用", "不得商用", "本模型不得商用。" },
    { "(?:禁止|严禁)[^。；]{0,12}?(?:商用|商业用途)",
      "禁止|严禁 & 商用|商业用途", "严禁用于商业用途" },
    { "仅(?:限|供)?研究", "仅限研究|仅供研究|仅研究", "仅供研究" },
    { "附件 ?[A-Z]", "附件", "附件A" },
    { "保留。?", "保留", "保留" },
    { "（一）", "（一）", "（一）总则" },
    { "Ａ", "", "ａ" },
    /* syntax the parser does not know: no requirement */
    { "\\x{41}bcd", "", "Abcd" },
    { "\\Qabcd\\E", "", "abcd" },
    { "(?#c)abcd", "", "abcd" },
    { "(?(?=a)abc|def)", "", "def" },
    { "(?x) must", "", "must" },
    { "(?|abc|def)", "", "def" },
    { "a\\Kbcd", "", "abcd" },
    { "[[:alpha:]]abcd", "", "xabcd" },
    { "a.b.c", "", "aXbYc" },
};

static void test_derived(void)
{
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = describe(cases[i].pattern);
        if (strcmp(got, cases[i].required) != 0)
            fprintf(stderr, "pattern %s\n", cases[i].pattern);
        CHECK_EQ_STR(got, cases[i].required);
        /* the example matches, and the prefilter lets it */
        pcre2_code *code = compile(cases[i].pattern, strlen(cases[i].pattern));
        if (!code)
            fprintf(stderr, "pattern %s\n", cases[i].pattern);
        CHECK(code != NULL);
        if (!code)
            continue;
        const char *t = cases[i].matching;
        CHECK(matches(code, md, t, strlen(t)));
        CHECK(may_match(cases[i].pattern, t));
        pcre2_code_free(code);
    }
    /* and it turns away a text without the strings */
    CHECK(!may_match("(?:must|shall) not", "you may not"));
    CHECK(!may_match("foo(?=bars)", "foobar"));
    CHECK(!may_match("licen[cs]e", "licenze"));
    CHECK(may_match("x*", "anything"));
    CHECK(!may_match("不得商用", "不得用于商业用途"));
    CHECK(!may_match("(?:禁止|严禁)[^。；]{0,12}?商用", "允许商用"));
    /* a Chinese requirement over ASCII text: turned away before any
     * trigram is hashed; over Chinese text, judged by them as before */
    CHECK(!may_match("(?:必须|应当)保留", "You must keep the notice."));
    CHECK(may_match("(?:必须|应当)保留", "您必须保留此声明"));
    CHECK(may_match("(?:必须|must) keep", "you must keep it"));
    /* every trigram of the string there, but apart: the text says no;
     * the string at the text's ends and across a 16-byte block is found */
    CHECK(!may_match("shall", "sha, hal and all"));
    CHECK(!may_match("must|shall", "mus ust and sha hal all"));
    CHECK(may_match("must|shall", "mus ust and sha hal all, you shall"));
    CHECK(may_match("notice", "NOTICE"));
    CHECK(may_match("notice", "0123456789abcdeNOTICE"));
    CHECK(may_match("notice", "0123456789abcdefghijklmnotice"));
    CHECK(!may_match("notice", "0123456789abcdefghijklmnotic notic otice"));
    pcre2_match_data_free(md);
}

/* ------------------------------------------------------------------ */
/* Non-ASCII characters caseless PCRE2 takes for ASCII letters         */

static size_t utf8(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 63));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | ((c >> 6) & 63));
        o[2] = (char)(0x80 | (c & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | ((c >> 12) & 63));
    o[2] = (char)(0x80 | ((c >> 6) & 63));
    o[3] = (char)(0x80 | (c & 63));
    return 4;
}

static bool listed_fold(uint32_t c)
{
    for (int i = 0; i < LS_PREFILTER_NFOLDS; i++)
        if (ls_prefilter_ascii_folds[i] == c)
            return true;
    return false;
}

static void test_ascii_folds(void)
{
    /* every character beyond ASCII the linked PCRE2 matches with an
     * ASCII letter (caseless, UTF) is one the prefilter knows */
    pcre2_code *letter = compile("[a-z]", 5);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int found = 0, unlisted = 0;
    uint32_t step = under_valgrind() ? 61 : 1;
    for (uint32_t c = 0x80; c < 0x110000; c += c < 0x2200 ? 1 : step) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        char b[4];
        size_t n = utf8(c, b);
        if (!matches(letter, md, b, n))
            continue;
        found++;
        if (!listed_fold(c)) {
            unlisted++;
            fprintf(stderr, "U+%04X matches an ASCII letter\n", c);
        }
    }
    CHECK_EQ_INT(unlisted, 0);
    CHECK(found >= 1);
    pcre2_code_free(letter);
    pcre2_match_data_free(md);

    /* a text holding one is never turned away */
    CHECK(!may_match("kelvin", "elvin"));
    CHECK(may_match("kelvin", "\xe2\x84\xaa"
                              "elvin"));
    CHECK(may_match("must", "mu\xc5\xbft"));
    pcre2_code *code = compile("kelvin", 6);
    md = pcre2_match_data_create(1, NULL);
    CHECK(matches(code, md,
                  "\xe2\x84\xaa"
                  "elvin",
                  8));
    pcre2_code_free(code);
    pcre2_match_data_free(md);
}

/* The characters whose bytes the prefilter compares exactly have no
 * other case: none maps to another, and no other maps to one. */
static void test_caseless_ranges(void)
{
    int bad = 0, known = 0;
    for (int32_t c = 0; c < 0x110000; c++) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        char b[4];
        size_t n = utf8((uint32_t)c, b);
        bool exact = ls_pf_caseless_len(b, b + n) != 0;
        known += exact;
        int32_t lo = utf8proc_tolower(c), up = utf8proc_toupper(c),
                ti = utf8proc_totitle(c);
        if (exact && (lo != c || up != c || ti != c))
            bad++;
        int32_t other[3] = { lo, up, ti };
        for (int k = 0; k < 3; k++) {
            if (other[k] == c)
                continue;
            char o[4];
            size_t on = utf8((uint32_t)other[k], o);
            if (ls_pf_caseless_len(o, o + on)) {
                fprintf(stderr, "U+%04X maps to U+%04X\n", (unsigned)c,
                        (unsigned)other[k]);
                bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(known > 20000);
}

/* ------------------------------------------------------------------ */
/* Every rule pattern on pieces of the corpus texts                    */

typedef struct rule_pattern {
    ls_pattern *p;
    pcre2_code *code; /* a copy of our own: JIT unless under valgrind */
} rule_pattern;

static rule_pattern *patterns;
static size_t npatterns;
static long pieces, skipped, wrongly_skipped;

static void collect_patterns(licscan_db *db)
{
    const ls_ruleset *rs = &db->rules;
    for (uint32_t i = 0; i < rs->n; i++) {
        ls_rule *r = rs->v[i];
        ls_pattern *all[64];
        size_t n = 0;
        for (uint32_t k = 0; k < r->nmatch && n < 64; k++)
            all[n++] = r->match[k];
        for (uint32_t k = 0; k < r->nunless && n < 64; k++)
            all[n++] = r->unless[k];
        if (r->within && n < 64)
            all[n++] = r->within;
        if (r->unless_anywhere && n < 64)
            all[n++] = r->unless_anywhere;
        for (size_t k = 0; k < n; k++) {
            rule_pattern *v = realloc(patterns, (npatterns + 1) * sizeof(*v));
            if (!v)
                return;
            patterns = v;
            patterns[npatterns].p = all[k];
            patterns[npatterns].code =
                compile(all[k]->source, all[k]->source_len);
            npatterns++;
        }
    }
}

/* Pieces seen, by hash: the corpus repeats most of its sentences. */
#define SEEN_BITS 18
static uint64_t *seen_pieces;

static bool seen_before(const char *t, size_t n)
{
    uint64_t h = ls_hash_bytes(t, n);
    uint32_t mask = (1u << SEEN_BITS) - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        if (seen_pieces[i] == h)
            return true;
        if (!seen_pieces[i]) {
            seen_pieces[i] = h;
            return false;
        }
    }
}

/* Run every pattern the prefilter turns away on the piece: none may
 * match. */
static void check_piece(const ls_alloc *a, pcre2_match_data *md,
                        ls_subject *sub, const char *t, size_t n)
{
    if (!n || seen_before(t, n))
        return;
    pieces++;
    for (size_t i = 0; i < npatterns; i++) {
        ls_subject_set(sub, t, n, true, pieces);
        if (ls_pattern_may_match(a, patterns[i].p, sub))
            continue;
        skipped++;
        if (patterns[i].code && matches(patterns[i].code, md, t, n)) {
            wrongly_skipped++;
            if (wrongly_skipped <= 3)
                fprintf(stderr, "skipped, yet matches: %s\n  on: %.*s\n",
                        patterns[i].p->source, (int)n, t);
        }
    }
}

/* The text with each run of white space made one space, cut into
 * sentences (at ". ") and into paragraphs (at blank lines). */
static void check_text(const ls_alloc *a, pcre2_match_data *md, ls_subject *sub,
                       const char *t, size_t n)
{
    char *flat = malloc(n + 1);
    if (!flat)
        return;
    size_t o = 0, para = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '\n' && i + 1 < n && t[i + 1] == '\n') {
            check_piece(a, md, sub, flat + para, o - para);
            para = o;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (o > para && flat[o - 1] != ' ')
                flat[o++] = ' ';
            continue;
        }
        flat[o++] = c;
    }
    check_piece(a, md, sub, flat + para, o - para);
    size_t s = 0;
    for (size_t i = 0; i + 1 < o; i++)
        if (flat[i] == '.' && flat[i + 1] == ' ') {
            check_piece(a, md, sub, flat + s, i + 1 - s);
            s = i + 2;
        }
    free(flat);
}

typedef struct piece_ctx {
    const ls_alloc *a;
    pcre2_match_data *md;
    ls_subject *sub;
} piece_ctx;

static void check_file(const char *path, void *arg)
{
    piece_ctx *c = arg;
    size_t len;
    unsigned char *data = slurp(path, &len);
    if (!data)
        return;
    check_text(c->a, c->md, c->sub, (const char *)data, len);
    free(data);
}

static void test_sound_on_corpus(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *db;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    collect_patterns(db);
    CHECK(npatterns > 100);
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    ls_subject *sub = calloc(1, sizeof(*sub));
    seen_pieces = calloc((size_t)1 << SEEN_BITS, sizeof(uint64_t));
    piece_ctx c = { &db->alloc, md, sub };
    if (sub && seen_pieces)
        walk_txt("corpus", check_file, &c);
    printf("  %zu patterns on %ld corpus pieces: %ld runs turned away, "
           "%ld of them wrongly\n",
           npatterns, pieces, skipped, wrongly_skipped);
    CHECK(pieces > 1000 / stride);
    CHECK(skipped > pieces * (long)npatterns / 2); /* it does filter */
    CHECK_EQ_INT(wrongly_skipped, 0);
    /* the rules' patterns all have a requirement */
    size_t without = 0;
    for (size_t i = 0; i < npatterns; i++) {
        char d[16];
        ls_required_describe(atomic_load(&patterns[i].p->need), d, sizeof d);
        without += !d[0];
        pcre2_code_free(patterns[i].code);
    }
    CHECK_EQ_INT(without, 0);
    free(patterns);
    patterns = NULL;
    npatterns = 0;
    free(sub);
    free(seen_pieces);
    pcre2_match_data_free(md);
    licscan_db_free(db);
}

/* ------------------------------------------------------------------ */
/* The same results with the prefilter on and off                      */

/* The default database twice, the prefilter off in the second; below
 * the memo's match limit, every clause runs the rules (see unit_memo). */
static void open_pair(bool memo, licscan_db **on, licscan_db **off)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    if (!memo)
        o.regex_match_limit -= 1;
    CHECK_EQ_INT(licscan_db_open_default(&o, on), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&o, off), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(*off, LS_TEST_PREFILTER, 0), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(*off, LS_TEST_PREFILTER, 2), LICSCAN_EINVAL);
    CHECK_EQ_INT(ls_test_control(*off, -1, 0), LICSCAN_EINVAL);
    CHECK_EQ_INT(ls_test_control(NULL, LS_TEST_PREFILTER, 0), LICSCAN_EINVAL);
}

static void test_same_results(void)
{
    for (int memo = 1; memo >= 0; memo--) {
        licscan_db *on, *off;
        open_pair(memo, &on, &off);
        int files = corpus_alike(on, off, "the prefilter", 60);
        printf("  %d corpus files (%s the memo): the same JSON with and "
               "without the prefilter\n",
               files, memo ? "with" : "without");
        licscan_db_free(on);
        licscan_db_free(off);
    }
}

/* A rule added at run time gets a requirement too, and the same
 * results. */
static void test_added_rules(void)
{
    static const char rules[] =
        "rule extra-notice\n"
        "  flag governing_law\n"
        "  keywords notice\n"
        "  match (?<where>(?:copyright|permission) notice)s? (?:shall|must)\n"
        "  unless (?:need|do) not\n"
        "  value capture where\n"
        "end\n";
    licscan_db *on, *off;
    open_pair(false, &on, &off);
    CHECK_EQ_INT(licscan_db_add_rules(on, rules, sizeof rules - 1, "t"), 0);
    CHECK_EQ_INT(licscan_db_add_rules(off, rules, sizeof rules - 1, "t"), 0);
    json_pair c = { on, off, "the prefilter", 0, 0 };
    walk_txt("corpus/MIT", compare_json, &c);
    walk_txt("corpus/Apache-2.0", compare_json, &c);
    CHECK(c.files >= 4 / stride);
    CHECK_EQ_INT(c.differing, 0);

    size_t len;
    unsigned char *data = slurp("corpus/MIT/original.txt", &len);
    char *a = data ? scan_json(on, data, len) : NULL;
    CHECK(a && strstr(a, "\"rule\":\"extra-notice\""));
    free(a);
    free(data);
    const ls_rule *r = on->rules.v[on->rules.n - 1];
    CHECK_EQ_STR(r->id, "extra-notice");
    char d[512];
    ls_required_describe(atomic_load(&r->match[0]->need), d, sizeof d);
    CHECK_EQ_STR(d, "copyright notices shall|copyright notices must|"
                    "copyright notice shall|copyright notice must|"
                    "permission notices shall|permission notices must|"
                    "permission notice shall|permission notice must");
    ls_required_describe(
        atomic_load(&off->rules.v[off->rules.n - 1]->match[0]->need), d,
        sizeof d);
    CHECK_EQ_STR(d, ""); /* off: never derived */
    licscan_db_free(on);
    licscan_db_free(off);
}

/* A rule without keywords runs on every clause, unless the prefilter
 * shows it cannot match an all-ASCII one (its patterns need other bytes,
 * as rules for Chinese text do, engine.c): it still fires on the clauses
 * it can, and a keywordless rule for ASCII text is never left out. */
static void test_keywordless_rules(void)
{
    static const char rules[] = "rule zh-only\n"
                                "  flag governing_law\n"
                                "  match "
                                "\xe6\x9c\x88\xe7\x90\x83\xe6\xb3\x95\xe5\xbe"
                                "\x8b\n" /* moon law */
                                "end\n"
                                "rule ascii-no-keywords\n"
                                "  flag governing_law\n"
                                "  match lunar statutes\n"
                                "end\n";
    static const char *texts[] = {
        /* ASCII: the first rule cannot fire, the second must */
        "Lunar statutes apply to this agreement.\n",
        /* Chinese, then an ASCII clause */
        "\xe6\x9c\x88\xe7\x90\x83\xe6\xb3\x95\xe5\xbe\x8b\xe3\x80\x82\n\n"
        "Lunar statutes apply.\n",
    };
    static const bool zh[] = { false, true };
    licscan_db *on, *off;
    open_pair(false, &on, &off);
    CHECK_EQ_INT(licscan_db_add_rules(on, rules, sizeof rules - 1, "t"), 0);
    CHECK_EQ_INT(licscan_db_add_rules(off, rules, sizeof rules - 1, "t"), 0);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const unsigned char *t = (const unsigned char *)texts[i];
        char *a = scan_json(on, t, strlen(texts[i]));
        char *b = scan_json(off, t, strlen(texts[i]));
        CHECK(a && b && strcmp(a, b) == 0);
        CHECK(a && strstr(a, "\"rule\":\"ascii-no-keywords\""));
        CHECK(a && (strstr(a, "\"rule\":\"zh-only\"") != NULL) == zh[i]);
        free(a);
        free(b);
    }
    licscan_db_free(on);
    licscan_db_free(off);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    test_derived();
    test_ascii_folds();
    test_caseless_ranges();
    test_sound_on_corpus();
    test_same_results();
    test_added_rules();
    test_keywordless_rules();
    return check_report("unit_prefilter");
}
