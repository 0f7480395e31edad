/* Unit tests: the clause pipeline (lib/clauses.c and its stages) through the public API --
 * the rule-file parser and its errors, all-or-nothing loading, number
 * reading, the rule directives, evidence offsets in every input encoding,
 * evidence limits and the PCRE2 limit.
 *
 * Most tests load their own rules into an empty database, so they do not
 * move when licenses/rules/ is edited; a few read the embedded MAU and
 * revenue rules on wording they must always handle.
 *
 * test_fixed_bugs keeps the checks of the bugs it found. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "fail_alloc.h"
#include "jit_off.h"
#include "licscan.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static const licscan_db_options *base_opts(void)
{
    static licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    return &o;
}

static licscan_db *open_empty(const licscan_db_options *o)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(o ? o : base_opts(), &db), LICSCAN_OK);
    return db;
}

static licscan_db *open_default(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(base_opts(), &db), LICSCAN_OK);
    return db;
}

static int add_n(licscan_db *db, const char *rules, size_t n)
{
    return licscan_db_add_rules(db, rules, n, "t.rules");
}

static int add(licscan_db *db, const char *rules)
{
    return add_n(db, rules, strlen(rules));
}

/* An empty database holding `rules`, which must load. */
static licscan_db *db_with(const char *rules)
{
    licscan_db *db = open_empty(NULL);
    int rc = add(db, rules);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    if (rc)
        fprintf(stderr, "  rules did not load: %s\n", licscan_db_errmsg(db));
    return db;
}

static licscan_result *scan_n(const licscan_db *db, const char *text, size_t n,
                              const licscan_scan_options *o)
{
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)text, n, o, &r), LICSCAN_OK);
    return r;
}

static licscan_result *scan(const licscan_db *db, const char *text)
{
    return scan_n(db, text, strlen(text), NULL);
}

static const licscan_restriction *find(const licscan_result *r, uint32_t flag)
{
    return licscan_result_find_restriction(r, flag);
}

static uint32_t ev_count(const licscan_result *r, uint32_t flag)
{
    const licscan_restriction *x = find(r, flag);
    return x ? licscan_restriction_evidence_count(x) : 0;
}

/* Evidence `i` of `flag` spans input bytes [start, end), reads as `text`,
 * sits under `label` and came from `rule`. */
static void check_evidence_at(const licscan_result *r, uint32_t flag,
                              uint32_t i, uint64_t start, uint64_t end,
                              const char *text, const char *label,
                              const char *rule)
{
    const licscan_restriction *x = find(r, flag);
    CHECK(x != NULL);
    if (!x)
        return;
    uint64_t s = 0, e = 0;
    const char *t = NULL, *l = NULL, *ru = NULL;
    CHECK_EQ_INT(licscan_restriction_evidence(x, i, &s, &e, &t, &l, &ru),
                 LICSCAN_OK);
    CHECK_EQ_INT(s, start);
    CHECK_EQ_INT(e, end);
    CHECK_EQ_STR(t, text);
    CHECK_EQ_STR(l, label);
    CHECK_EQ_STR(ru, rule);
}

/* The same, with the span given as the first occurrence of the input
 * bytes `slice` in `input`. */
static void check_evidence(const licscan_result *r, uint32_t flag, uint32_t i,
                           const char *input, const char *slice,
                           const char *text, const char *label,
                           const char *rule)
{
    const char *at = strstr(input, slice);
    CHECK(at != NULL);
    if (!at)
        return;
    size_t s = (size_t)(at - input);
    check_evidence_at(r, flag, i, s, s + strlen(slice), text, label, rule);
}

/* ------------------------------------------------------------------ */
/* Rule-file errors                                                   */
/* ------------------------------------------------------------------ */

/* Loaded before each bad text: the bad text must leave it untouched. */
static const char BASE[] = "rule base\n"
                           "  flag governing_law\n"
                           "  keywords laws\n"
                           "  match laws of\n"
                           "  value const Old\n"
                           "end\n";

/* Put in front of each bad text: a replacement of `base` and a new rule,
 * both valid; neither may survive the error that follows them. */
static const char PREFIX[] = "# valid rules first\n"
                             "rule base\n"
                             "  flag governing_law\n"
                             "  keywords laws\n"
                             "  match laws of\n"
                             "  value const New\n"
                             "end\n"
                             "rule extra\n"
                             "  flag non_commercial\n"
                             "  keywords commercial\n"
                             "  match non-?commercial\n"
                             "end\n";
#define PREFIX_LINES 12

static const char PROBE[] =
    "Governed by the laws of Texas. For non-commercial use only.";

/* What a scan of PROBE gives: governing_law's text, and whether the
 * `extra` rule fired. */
static void check_probe(const licscan_db *db, const char *law, int extra)
{
    licscan_result *r = scan(db, PROBE);
    const licscan_restriction *x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x != NULL);
    if (x)
        CHECK_EQ_STR(licscan_restriction_text(x), law);
    CHECK_EQ_INT(find(r, LICSCAN_FLAG_NON_COMMERCIAL) != NULL, extra);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 1 + extra);
    licscan_result_free(r);
}

/* PREFIX + bad (n bytes, 0: strlen) fails at line:col of `bad` with a
 * message holding `needle`, adds nothing, and leaves the database usable. */
static void expect_error_n(const char *bad, size_t n, uint32_t line,
                           uint32_t col, const char *needle)
{
    if (!n)
        n = strlen(bad);
    char text[1024];
    size_t pl = strlen(PREFIX);
    if (pl + n > sizeof(text)) {
        CHECK(!"test text too long");
        return;
    }
    memcpy(text, PREFIX, pl);
    memcpy(text + pl, bad, n);
    line += PREFIX_LINES;

    licscan_db *db = db_with(BASE);
    CHECK_EQ_INT(add_n(db, text, pl + n), LICSCAN_ERULE);
    const char *file = NULL;
    uint32_t l = 0, c = 0;
    licscan_db_error_location(db, &file, &l, &c);
    CHECK(file && strcmp(file, "t.rules") == 0);
    CHECK_EQ_INT(l, line);
    CHECK_EQ_INT(c, col);
    /* the message names file:line:col, then says what is wrong */
    char where[64];
    snprintf(where, sizeof(where), "t.rules:%u:%u: ", line, col);
    const char *msg = licscan_db_errmsg(db);
    if (strncmp(msg, where, strlen(where)) != 0 || !strstr(msg, needle)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\" or \"%s\"\n", msg, where,
                needle);
        CHECK(0);
    }
    /* all or nothing: neither the replacement nor the new rule went in */
    CHECK_EQ_INT(licscan_db_rule_count(db), 1);
    check_probe(db, "Old", 0);
    /* still usable: the valid part alone loads, and clears the error */
    CHECK_EQ_INT(add(db, PREFIX), LICSCAN_OK);
    CHECK_EQ_STR(licscan_db_errmsg(db), "");
    CHECK_EQ_INT(licscan_db_rule_count(db), 2);
    check_probe(db, "New", 1);
    licscan_db_free(db);
}

static void expect_error(const char *bad, uint32_t line, uint32_t col,
                         const char *needle)
{
    expect_error_n(bad, 0, line, col, needle);
}

static void test_parse_errors(void)
{
    /* outside a rule */
    expect_error("flag non_commercial\n", 1, 1, "expected `rule ID`");
    expect_error("\n# comment\n  match x\n", 3, 3, "expected `rule ID`");
    expect_error("rule\n", 1, 5, "rule needs an id");
    expect_error("rule bad/id\n", 1, 9, "rule id may hold");
    expect_error("rule ok id\n", 1, 8, "rule id may hold");
    /* unknown directive, and `rule` before the open rule's `end` */
    expect_error("rule a\n  flag non_commercial\n  bogus x\nend\n", 3, 3,
                 "unknown directive");
    expect_error("rule a\n  flag non_commercial\n  match x\nrule b\nend\n", 4,
                 1, "unknown directive");
    /* missing `end`: reported at the unclosed rule */
    expect_error("# c\n\nrule a\n  flag non_commercial\n  match x\n", 3, 1,
                 "rule a is not closed by `end`");
    expect_error("rule a\n  flag non_commercial\n  match x\nend\n"
                 "rule b\n  flag non_commercial\n  match y",
                 5, 1, "rule b is not closed by `end`");
    expect_error("rule a\n  flag non_commercial\n  match x\nend now\n", 4, 5,
                 "unexpected text after end");
    /* a directive without its argument */
    expect_error("rule a\n  flag non_commercial\n  keywords\nend\n", 3, 3,
                 "directive needs an argument");
    expect_error("rule a\n  flag non_commercial\n  match   \nend\n", 3, 3,
                 "directive needs an argument");
    /* flag */
    expect_error("rule a\n\tflag  no_such_flag\n  match x\nend\n", 2, 8,
                 "unknown flag");
    expect_error("rule a\n  flag non_commercial_and_then_a_very_long_tail_"
                 "that_goes_past_sixty_three_bytes\n  match x\nend\n",
                 2, 8, "unknown flag");
    expect_error("rule a\n  match x\nend\n", 3, 1, "rule a has no flag");
    expect_error("rule a\n  flag non_commercial\n  end\n", 3, 3,
                 "rule a has no match pattern");
    /* keywords */
    expect_error("rule a\n  flag non_commercial\n  keywords ab\n  match x\n"
                 "end\n",
                 3, 12, "keyword shorter than 3 bytes");
    expect_error("rule a\n  flag non_commercial\n  keywords foo | ab | bar\n"
                 "  match x\nend\n",
                 3, 18, "keyword shorter than 3 bytes");
    expect_error("rule a\n  flag non_commercial\n  keywords foo ||bar\n"
                 "  match x\nend\n",
                 3, 17, "keyword shorter than 3 bytes");
    /* value of the wrong kind */
    expect_error("rule a\n  flag non_commercial\n  match x\n  value maybe\n"
                 "end\n",
                 4, 9, "value must be true, number GROUP");
    expect_error("rule a\n  flag mau_threshold\n  match (?<n>x)\n"
                 "  value number\nend\n",
                 4, 15, "missing argument");
    expect_error("rule a\n  flag governing_law\n  match x\n  value const\n"
                 "end\n",
                 4, 14, "missing argument");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "  value true  yes\nend\n",
                 4, 15, "unexpected argument");
    expect_error("rule a\n  flag non_commercial\n  match (?<n>x)\n"
                 "  value number n\nend\n",
                 5, 1, "flag non_commercial holds no number");
    expect_error("rule a\n  flag mau_threshold\n  match (?<n>x)\nend\n", 4, 1,
                 "flag mau_threshold needs value number");
    expect_error("rule a\n  flag revenue_threshold\n  match (?<n>x)\n"
                 "  value capture n\nend\n",
                 5, 1, "flag revenue_threshold needs value number");
    expect_error("rule a\n  flag use_restrictions\n  match x\n  value true\n"
                 "end\n",
                 5, 1,
                 "list flag use_restrictions needs value "
                 "capture or const");
    /* qualifier */
    expect_error("rule a\n  flag mau_threshold\n  match (?<n>x)\n"
                 "  value number n\n  qualifier number n\nend\n",
                 5, 13, "qualifier must be capture GROUP or const TEXT");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "  qualifier true\nend\n",
                 4, 13, "qualifier must be capture GROUP or const TEXT");
    /* capture groups: checked at `end`, against every match pattern */
    expect_error("rule a\n  flag mau_threshold\n  match more (?<n>\\d+)\n"
                 "  value number m\nend\n",
                 5, 1, "match pattern 1 has no group (?<m>...)");
    expect_error("rule a\n  flag mau_threshold\n  match (?<n>\\d+) users\n"
                 "  match (\\d+) seats\n  value number n\n  end\n",
                 6, 3, "match pattern 2 has no group (?<n>...)");
    /* groups are named: PCRE2_NO_AUTO_CAPTURE leaves no group 1 */
    expect_error("rule a\n  flag governing_law\n  match laws of (\\w+)\n"
                 "  value capture 1\nend\n",
                 5, 1, "match pattern 1 has no group (?<1>...)");
    expect_error("rule a\n  flag mau_threshold\n  match (?<n>x)\n"
                 "  value number n\n  qualifier capture q\nend\n",
                 6, 1, "has no group (?<q>...)");
    /* bad patterns: the column is the pattern's start plus PCRE2's offset */
    expect_error("rule a\n  flag non_commercial\n  match a)b\nend\n", 3, 10,
                 "bad pattern: unmatched closing parenthesis");
    expect_error("rule a\n  flag non_commercial\n  match foo(bar\nend\n", 3, 16,
                 "bad pattern: missing closing parenthesis");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "  unless ok|a{2,1}\nend\n",
                 4, 18, "bad pattern");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "    within [z-a]\nend\n",
                 4, 15, "bad pattern");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "  unless-anywhere (?<n\nend\n",
                 4, 23, "bad pattern");
    /* `within` and `unless-anywhere` at most once */
    expect_error("rule a\n  flag non_commercial\n  match x\n  within a\n"
                 "  within b\nend\n",
                 5, 3, "only one of this directive");
    expect_error("rule a\n  flag non_commercial\n  match x\n"
                 "  unless-anywhere a\n unless-anywhere b\nend\n",
                 5, 2, "only one of this directive");
    /* a NUL byte, at its column */
    static const char nul[] =
        "rule a\n  fl\0ag non_commercial\n  match x\nend\n";
    expect_error_n(nul, sizeof(nul) - 1, 2, 5, "NUL byte");
    /* CRLF rule files: the CR is not a column of its own */
    expect_error("rule a\r\n  flag nope\r\n  match x\r\nend\r\n", 2, 8,
                 "unknown flag");
}

static void test_add_rules_api(void)
{
    const char *file = NULL;
    uint32_t l = 9, c = 9;
    licscan_db *db = open_empty(NULL);
    CHECK_EQ_INT(licscan_db_rule_count(db), 0);
    CHECK_EQ_INT(licscan_db_rule_count(NULL), 0);
    CHECK_EQ_INT(licscan_db_add_rules(NULL, BASE, strlen(BASE), NULL),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_db_add_rules(db, NULL, 3, NULL), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_db_add_rules(db, NULL, 0, NULL), LICSCAN_OK);
    CHECK_EQ_INT(add(db, "# only a comment\n\n   \n"), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(db), 0);

    /* no source: "(rules)" names it */
    CHECK_EQ_INT(licscan_db_add_rules(db, "oops\n", 5, NULL), LICSCAN_ERULE);
    CHECK(strncmp(licscan_db_errmsg(db), "(rules):1:1: ", 13) == 0);
    licscan_db_error_location(db, &file, &l, &c);
    CHECK(file && strcmp(file, "(rules)") == 0);
    CHECK_EQ_INT(l, 1);
    CHECK_EQ_INT(c, 1);

    /* len is honoured: cut before `end`, the rule is unclosed */
    CHECK_EQ_INT(add_n(db, BASE, strlen(BASE) - 4), LICSCAN_ERULE);
    CHECK(strstr(licscan_db_errmsg(db), "t.rules:1:1: rule base is not "
                                        "closed") != NULL);
    CHECK_EQ_INT(licscan_db_rule_count(db), 0);

    /* no newline after `end`; CRLF line ends and tabs */
    CHECK_EQ_INT(add_n(db, BASE, strlen(BASE) - 1), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(db), 1);
    CHECK_EQ_INT(add(db, "rule extra\r\n\tflag non_commercial\r\n"
                         "\tkeywords commercial\r\n"
                         "\tmatch non-?commercial\r\nend\r\n"),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(db), 2);
    check_probe(db, "Old", 1);

    /* same id: replaced, not added; the new wording is what runs */
    CHECK_EQ_INT(add(db, "rule extra\n  flag non_commercial\n"
                         "  keywords noncommercial\n"
                         "  match noncommercial\nend\n"),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(db), 2);
    check_probe(db, "Old", 0); /* "non-commercial" no longer fires */
    licscan_result *r = scan(db, "For noncommercial use.");
    CHECK(find(r, LICSCAN_FLAG_NON_COMMERCIAL) != NULL);
    check_evidence(r, LICSCAN_FLAG_NON_COMMERCIAL, 0, "For noncommercial use.",
                   "For noncommercial use.", "For noncommercial use.", "",
                   "extra");
    licscan_result_free(r);

    /* one id twice in one text: the later one wins, counted once */
    CHECK_EQ_INT(add(db, "rule base\n  flag governing_law\n  keywords laws\n"
                         "  match laws of\n  value const One\nend\n"
                         "rule base\n  flag governing_law\n  keywords laws\n"
                         "  match laws of\n  value const Two\nend\n"),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(db), 2);
    check_probe(db, "Two", 0);
    licscan_db_free(db);

    /* the default database's rules, and one more on top */
    licscan_db *def = open_default();
    uint32_t n = licscan_db_rule_count(def);
    CHECK(n > 10);
    CHECK_EQ_INT(add(def, "rule unit-test-extra\n  flag non_commercial\n"
                          "  match zzyzx\nend\n"),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_rule_count(def), n + 1);
    CHECK_EQ_INT(add(def, "rule unit-test-extra\n  flag non_commercial\n"
                          "  match zzyzx\n  bad\nend\n"),
                 LICSCAN_ERULE);
    CHECK_EQ_INT(licscan_db_rule_count(def), n + 1);
    licscan_db_free(def);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                            */
/* ------------------------------------------------------------------ */

/* The number a `value number` group reads from `words`; -1: none (the
 * rule does not fire). */
static long long read_number(const licscan_db *db, const char *words)
{
    char text[256];
    snprintf(text, sizeof(text), "There are more than %s users here.", words);
    licscan_result *r = scan(db, text);
    const licscan_restriction *x = find(r, LICSCAN_FLAG_MAU_THRESHOLD);
    long long v = x ? (long long)licscan_restriction_number(x) : -1;
    licscan_result_free(r);
    return v;
}

static void test_numbers(void)
{
    licscan_db *db = db_with("rule num\n  flag mau_threshold\n"
                             "  keywords users\n"
                             "  match more than (?<n>.+?) users\n"
                             "  value number n\nend\n");
    static const struct {
        const char *words;
        long long value;
    } cases[] = {
        { "700 million", 700000000LL },
        { "700,000,000", 700000000LL },
        { "seven hundred million", 700000000LL },
        { "Seven Hundred Million", 700000000LL },
        { "1 billion", 1000000000LL },
        { "$10 million", 10000000LL },
        { "US $1,000,000", 1000000LL },
        { "10M", 10000000LL },
        { "10 m", 10000000LL },
        { "5 k", 5000LL },
        { "3b", 3000000000LL },
        { "1.5bn", 1500000000LL },
        { "2.5 million", 2500000LL },
        { "1 trillion", 1000000000000LL },
        { "one thousand", 1000LL },
        { "a thousand", 1000LL },
        { "a hundred", 100LL },
        { "twenty-five thousand", 25000LL },
        { "two hundred fifty thousand", 250000LL },
        { "one hundred and fifty million", 150000000LL },
        { "one million two hundred thousand", 1200000LL },
        { "100,000", 100000LL },
        { "0", 0 },
        { "zero", 0 },
        /* malformed: no number at all, so the rule does not fire */
        { "many", -1 },
        { "some", -1 },
        { "a", -1 }, /* "a" alone is no count */
        { "M", -1 }, /* nor is a multiplier letter without a number */
        { "k", -1 },
        { "b", -1 },
        { "a lot of", -1 },
        { "-", -1 },
        /* too large for an int64 */
        { "10000000 trillion", -1 },
        { "99999999999999999999", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long v = read_number(db, cases[i].words);
        if (v != cases[i].value)
            fprintf(stderr, "  number \"%s\"\n", cases[i].words);
        CHECK_EQ_INT(v, cases[i].value);
    }
    licscan_db_free(db);

    /* a group that does not read as a number passes to the next match
     * pattern, on the same clause */
    db = db_with("rule num\n  flag revenue_threshold\n  keywords revenue\n"
                 "  match revenue of (?<n>\\w+)\n"
                 "  match (?<n>[0-9]+) in revenue\n"
                 "  value number n\n  qualifier const EUR\nend\n");
    licscan_result *r = scan(db, "With revenue of many dollars, or 42 in "
                                 "revenue, pay.");
    const licscan_restriction *x = find(r, LICSCAN_FLAG_REVENUE_THRESHOLD);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(licscan_restriction_number(x), 42);
        CHECK_EQ_STR(licscan_restriction_qualifier(x), "EUR");
    }
    licscan_result_free(r);
    r = scan(db, "With revenue of many dollars.");
    CHECK(find(r, LICSCAN_FLAG_REVENUE_THRESHOLD) == NULL);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 0);
    licscan_result_free(r);
    licscan_db_free(db);

    /* the embedded MAU and revenue rules */
    static const struct {
        const char *text;
        uint32_t flag;
        long long value;
        const char *unit;
    } emb[] = {
        { "If, on the Llama 3.1 version release date, the monthly active "
          "users of the products or services made available by or for "
          "Licensee, or Licensee's affiliates, is greater than 700 million "
          "monthly active users in the preceding calendar month, you must "
          "request a license from Meta.",
          LICSCAN_FLAG_MAU_THRESHOLD, 700000000LL, "" },
        { "Licensees with greater than seven hundred million monthly active "
          "users must request a license.",
          LICSCAN_FLAG_MAU_THRESHOLD, 700000000LL, "" },
        { "Licensees with more than 10M monthly active users must request a "
          "license.",
          LICSCAN_FLAG_MAU_THRESHOLD, 10000000LL, "" },
        { "Licensees with more than 1 billion monthly active users must "
          "request a license.",
          LICSCAN_FLAG_MAU_THRESHOLD, 1000000000LL, "" },
        { "Licensees with more than one thousand monthly active users must "
          "request a license.",
          LICSCAN_FLAG_MAU_THRESHOLD, 1000LL, "" },
        { "Licensees that exceed 1,000,000 MAU must pay.",
          LICSCAN_FLAG_MAU_THRESHOLD, 1000000LL, "" },
        { "Companies with annual revenue of more than $10 million need a "
          "commercial license.",
          LICSCAN_FLAG_REVENUE_THRESHOLD, 10000000LL, "USD" },
        { "Companies with more than USD $1,000,000 in annual revenue need a "
          "commercial license.",
          LICSCAN_FLAG_REVENUE_THRESHOLD, 1000000LL, "USD" },
        { "Licensees with more than many monthly active users must request a "
          "license.",
          LICSCAN_FLAG_MAU_THRESHOLD, -1, "" },
    };
    licscan_db *def = open_default();
    for (size_t i = 0; i < sizeof(emb) / sizeof(emb[0]); i++) {
        r = scan(def, emb[i].text);
        x = find(r, emb[i].flag);
        long long v = x ? (long long)licscan_restriction_number(x) : -1;
        if (v != emb[i].value)
            fprintf(stderr, "  embedded rules on \"%s\"\n", emb[i].text);
        CHECK_EQ_INT(v, emb[i].value);
        if (x) {
            CHECK_EQ_STR(licscan_restriction_qualifier(x), emb[i].unit);
            check_evidence(r, emb[i].flag, 0, emb[i].text, emb[i].text,
                           emb[i].text, "",
                           emb[i].flag == LICSCAN_FLAG_MAU_THRESHOLD
                               ? "mau-threshold"
                               : "revenue-threshold-usd");
        }
        licscan_result_free(r);
    }
    licscan_db_free(def);
}

/* ------------------------------------------------------------------ */
/* Directives                                                         */
/* ------------------------------------------------------------------ */

static void test_within(void)
{
    licscan_db *db = db_with("rule sell\n  flag use_restrictions\n"
                             "  keywords sell\n  match \\bsell\\b\n"
                             "  within must not|shall not\n"
                             "  value const selling\nend\n");
    /* the clause itself */
    const char *t = "You must not sell the Software.";
    licscan_result *r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, t, t, "", "sell");
    const licscan_restriction *x = find(r, LICSCAN_FLAG_USE_RESTRICTIONS);
    CHECK(x && licscan_restriction_item_count(x) == 1);
    if (x)
        CHECK_EQ_STR(licscan_restriction_item(x, 0), "selling");
    licscan_result_free(r);

    /* a list item under its lead-in; evidence is the item alone */
    t = "You must not:\n\n1. sell the Software;\n2. rent it.\n";
    r = scan(db, t);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_USE_RESTRICTIONS), 1);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, "sell the Software;",
                   "sell the Software;", "1", "sell");
    licscan_result_free(r);

    /* two levels down: the lead-in of the lead-in */
    t = "You shall not:\n\n1. do the following:\n   a. sell the Software\n";
    r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, "sell the Software",
                   "sell the Software", "1.a", "sell");
    licscan_result_free(r);

    /* a dotted section number under its section is that section, not a
     * level below it: 3.1, not 3.3.1 */
    t = "3. Terms\n\n   3.1. Selling\n\n   You must not:\n\n"
        "   a. sell the Software\n";
    r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, "sell the Software",
                   "sell the Software", "3.1.a", "sell");
    licscan_result_free(r);

    /* bullets under a lead-in */
    t = "You must not:\n- copy it;\n- sell it.\n";
    r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, "sell it.",
                   "sell it.", "", "sell");
    licscan_result_free(r);

    /* no lead-in that matches: nothing */
    static const char *const none[] = {
        "You may sell the Software.",
        "You may:\n\n1. sell the Software;\n",
        /* an earlier plain sentence is no lead-in */
        "You must not copy it. Sell it if you like.",
        "You must not copy it.\n\nSell it if you like.\n",
    };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        r = scan(db, none[i]);
        if (find(r, LICSCAN_FLAG_USE_RESTRICTIONS))
            fprintf(stderr, "  `within` fired on \"%s\"\n", none[i]);
        CHECK(find(r, LICSCAN_FLAG_USE_RESTRICTIONS) == NULL);
        licscan_result_free(r);
    }
    licscan_db_free(db);
}

static void test_unless(void)
{
    licscan_db *db = db_with("rule nc\n  flag non_commercial\n"
                             "  keywords commercial\n"
                             "  match non-?commercial\n"
                             "  unless \\bexcept\\b\n"
                             "  unless with (?:our|written) permission\n"
                             "  unless-anywhere paid terms\nend\n"
                             "rule nc-plain\n  flag flow_down\n"
                             "  keywords commercial\n"
                             "  match non-?commercial\nend\n");
    static const struct {
        const char *text;
        int nc;
    } cases[] = {
        { "For non-commercial use only.", 1 },
        /* either `unless` in the clause stops it */
        { "For non-commercial use, except by agreement.", 0 },
        { "For non-commercial use only, unless with our permission.", 0 },
        /* `unless` is about the clause, not its neighbours */
        { "For non-commercial use only. Except by agreement, nothing else.",
          1 },
        /* `unless-anywhere`: any clause, even one no keyword picks */
        { "For non-commercial use only. Contact us: paid terms are offered.",
          0 },
        { "Paid terms are offered.\n\nFor non-commercial use only.\n", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        licscan_result *r = scan(db, cases[i].text);
        if ((find(r, LICSCAN_FLAG_NON_COMMERCIAL) != NULL) != cases[i].nc)
            fprintf(stderr, "  unless on \"%s\"\n", cases[i].text);
        CHECK_EQ_INT(find(r, LICSCAN_FLAG_NON_COMMERCIAL) != NULL, cases[i].nc);
        /* the same match in a rule without `unless` fires on each */
        CHECK(find(r, LICSCAN_FLAG_FLOW_DOWN) != NULL);
        licscan_result_free(r);
    }
    /* where it fires, only the clause without the exception is evidence */
    const char *t =
        "For non-commercial use only. Non-commercial, except by agreement.";
    licscan_result *r = scan(db, t);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 1);
    check_evidence(r, LICSCAN_FLAG_NON_COMMERCIAL, 0, t,
                   "For non-commercial use only.",
                   "For non-commercial use only.", "", "nc");
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FLOW_DOWN), 2);
    licscan_result_free(r);
    licscan_db_free(db);

    /* rules sharing an `unless` pattern share its answer for a clause,
     * and only for that clause: the next one is asked again */
    db = db_with("rule a\n  flag non_commercial\n  keywords sell\n"
                 "  match sell\n  unless \\bexcept\\b\nend\n"
                 "rule b\n  flag field_of_use\n  keywords sell\n"
                 "  match sell\n  value const x\n  unless \\bexcept\\b\nend\n"
                 "rule c\n  flag flow_down\n  keywords sell\n"
                 "  match sell\n  unless other\n  unless \\bexcept\\b\nend\n");
    t = "Do not sell it, except here. Do not sell it there.";
    r = scan(db, t);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 1);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FIELD_OF_USE), 1);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FLOW_DOWN), 1);
    check_evidence(r, LICSCAN_FLAG_FLOW_DOWN, 0, t, "Do not sell it there.",
                   "Do not sell it there.", "", "c");
    licscan_result_free(r);
    r = scan(db, "Do not sell it there. Do not sell it, except here.");
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 1);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FIELD_OF_USE), 1);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FLOW_DOWN), 1);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* The keyword prefilter: a rule runs only on clauses where one of its
 * keywords starts a word (ASCII case ignored); no keywords, every clause. */
static void test_keywords(void)
{
    licscan_db *db =
        db_with("rule k-start\n  flag non_commercial\n  keywords ell\n"
                "  match sell\nend\n"
                "rule k-case\n  flag flow_down\n  keywords SELL | zzz\n"
                "  match sell\nend\n"
                "rule k-none\n  flag attribution\n  match sell\nend\n"
                "rule k-other\n  flag termination\n  keywords qqq\n"
                "  match sell\n  value const never\nend\n");
    licscan_result *r = scan(db, "Do not Sell it.");
    CHECK(find(r, LICSCAN_FLAG_NON_COMMERCIAL) == NULL); /* not a word start */
    CHECK(find(r, LICSCAN_FLAG_FLOW_DOWN) != NULL);
    CHECK(find(r, LICSCAN_FLAG_ATTRIBUTION) != NULL);
    CHECK(find(r, LICSCAN_FLAG_TERMINATION) == NULL);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 2);
    licscan_result_free(r);
    licscan_db_free(db);

    /* keywords past 8 bytes, sharing their first three, ending the
     * clause or a byte too long for it; only A-Z fold ('[' is not '{') */
    db = db_with("rule k-long\n  flag attribution\n  keywords permissions\n"
                 "  match .\nend\n"
                 "rule k-longer\n  flag flow_down\n  keywords permissionsx\n"
                 "  match .\nend\n"
                 "rule k-sibling\n  flag patent_grant\n  keywords permit\n"
                 "  match .\nend\n"
                 "rule k-end\n  flag license_updates\n  keywords tail\n"
                 "  match .\nend\n"
                 "rule k-fold\n  flag no_derivatives\n  keywords q{rs\n"
                 "  match .\nend\n");
    r = scan(db, "Ask for PERMISSIONS here Q[RS TAIL");
    CHECK(find(r, LICSCAN_FLAG_ATTRIBUTION) != NULL);
    CHECK(find(r, LICSCAN_FLAG_FLOW_DOWN) == NULL);
    CHECK(find(r, LICSCAN_FLAG_PATENT_GRANT) == NULL);
    CHECK(find(r, LICSCAN_FLAG_LICENSE_UPDATES) != NULL);
    CHECK(find(r, LICSCAN_FLAG_NO_DERIVATIVES) == NULL);
    licscan_result_free(r);
    r = scan(db, "Q{RS permit");
    CHECK(find(r, LICSCAN_FLAG_NO_DERIVATIVES) != NULL);
    CHECK(find(r, LICSCAN_FLAG_PATENT_GRANT) != NULL);
    CHECK(find(r, LICSCAN_FLAG_ATTRIBUTION) == NULL);
    licscan_result_free(r);
    licscan_db_free(db);
}

static void test_values(void)
{
    licscan_db *db = db_with(
        /* value true (the default) on a bool flag */
        "rule nc\n  flag non_commercial\n  keywords commercial\n"
        "  match non-?commercial\n  qualifier const only\nend\n"
        /* capture value and an optional capture qualifier */
        "rule law\n  flag governing_law\n  keywords laws\n"
        "  match laws of (?:the )?(?:state of )?(?<st>[^ ,.]+)"
        "(?:,? excluding (?<ex>[^.]+))?\n"
        "  value capture st\n  qualifier capture ex\nend\n"
        /* list items: captures and constants, one of each spelling */
        "rule field\n  flag field_of_use\n  keywords field\n"
        "  match field of (?<f>[a-z]+)\n  value capture f\nend\n"
        "rule medical\n  flag field_of_use\n  keywords medical\n"
        "  match medical\n  value const   medicine  \nend\n"
        /* a text constant */
        "rule aup\n  flag acceptable_use_policy\n  keywords policy\n"
        "  match acceptable use policy\n  value const see policy\nend\n");

    const char *t = "For non-commercial use.";
    licscan_result *r = scan(db, t);
    const licscan_restriction *x = find(r, LICSCAN_FLAG_NON_COMMERCIAL);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(licscan_restriction_flag(x), LICSCAN_FLAG_NON_COMMERCIAL);
        CHECK_EQ_INT(licscan_restriction_number(x), 0);
        CHECK_EQ_STR(licscan_restriction_text(x), "");
        CHECK_EQ_STR(licscan_restriction_qualifier(x), "only");
        CHECK_EQ_INT(licscan_restriction_item_count(x), 0);
    }
    licscan_result_free(r);

    /* capture: quotes and end punctuation trimmed from value and
     * qualifier */
    r = scan(db, "Governed by the laws of the State of \"Texas\", excluding "
                 "its conflict of laws rules.");
    x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_STR(licscan_restriction_text(x), "Texas");
        CHECK_EQ_STR(licscan_restriction_qualifier(x),
                     "its conflict of laws rules");
    }
    licscan_result_free(r);
    /* an unset qualifier group: no qualifier */
    r = scan(db, "Governed by the laws of (Ohio).");
    x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_STR(licscan_restriction_text(x), "Ohio");
        CHECK_EQ_STR(licscan_restriction_qualifier(x), "");
    }
    licscan_result_free(r);

    /* list: text order, no duplicates (ASCII case ignored), one evidence
     * per clause from the first rule that fired on it */
    t = "Only in the field of Medicine. Only in the field of medicine. No "
        "medical use in the field of law. See the acceptable use policy.";
    r = scan(db, t);
    x = find(r, LICSCAN_FLAG_FIELD_OF_USE);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(licscan_restriction_item_count(x), 2);
        CHECK_EQ_STR(licscan_restriction_item(x, 0), "Medicine");
        CHECK_EQ_STR(licscan_restriction_item(x, 1), "law");
        CHECK(licscan_restriction_item(x, 2) == NULL);
        CHECK_EQ_STR(licscan_restriction_text(x), "");
        CHECK_EQ_INT(licscan_restriction_evidence_count(x), 3);
    }
    check_evidence(r, LICSCAN_FLAG_FIELD_OF_USE, 2, t,
                   "No medical use in the field of law.",
                   "No medical use in the field of law.", "", "field");
    x = find(r, LICSCAN_FLAG_ACCEPTABLE_USE_POLICY);
    CHECK(x && strcmp(licscan_restriction_text(x), "see policy") == 0);
    /* restrictions come in flag order */
    CHECK_EQ_INT(licscan_result_restriction_count(r), 2);
    CHECK_EQ_INT(licscan_restriction_flag(licscan_result_restriction(r, 0)),
                 LICSCAN_FLAG_ACCEPTABLE_USE_POLICY);
    CHECK_EQ_INT(licscan_restriction_flag(licscan_result_restriction(r, 1)),
                 LICSCAN_FLAG_FIELD_OF_USE);
    licscan_result_free(r);
    /* a constant alone */
    r = scan(db, "No medical use.");
    x = find(r, LICSCAN_FLAG_FIELD_OF_USE);
    CHECK(x && licscan_restriction_item_count(x) == 1);
    if (x)
        CHECK_EQ_STR(licscan_restriction_item(x, 0), "medicine");
    licscan_result_free(r);
    licscan_db_free(db);

    /* a single value comes from the rule loaded first among those that
     * fired, wherever it fired; evidence stays in text order */
    db = db_with("rule by-law\n  flag governing_law\n  keywords laws\n"
                 "  match laws of (?<st>\\w+)\n  value capture st\nend\n"
                 "rule by-court\n  flag governing_law\n  keywords court\n"
                 "  match courts? of (?<st>\\w+)\n  value capture st\nend\n");
    t = "Disputes go to the courts of Ohio. Governed by the laws of Texas.";
    r = scan(db, t);
    x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x && strcmp(licscan_restriction_text(x), "Texas") == 0);
    check_evidence(r, LICSCAN_FLAG_GOVERNING_LAW, 0, t,
                   "Disputes go to the courts of Ohio.",
                   "Disputes go to the courts of Ohio.", "", "by-court");
    check_evidence(r, LICSCAN_FLAG_GOVERNING_LAW, 1, t,
                   "Governed by the laws of Texas.",
                   "Governed by the laws of Texas.", "", "by-law");
    licscan_result_free(r);
    /* ...and not the last one to fire either */
    r = scan(db, "Governed by the laws of Texas. Disputes go to the courts of "
                 "Ohio.");
    x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x && strcmp(licscan_restriction_text(x), "Texas") == 0);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_GOVERNING_LAW), 2);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* ------------------------------------------------------------------ */
/* Evidence                                                           */
/* ------------------------------------------------------------------ */

static const char SELL_RULE[] = "rule sell\n  flag use_restrictions\n"
                                "  keywords sell\n  match \\bsell\\b\n"
                                "  within must not\n"
                                "  value const selling\nend\n";

/* UTF-8 text around the clauses: 2-, 3- and 4-byte characters before
 * them, typographic quotes, a dash and an ellipsis in them, and a clause
 * that ends the input on a 3-byte character. */
static const char U8[] =
    "Caf\xc3\xa9 \xe2\x80\x9cterms\xe2\x80\x9d \xf0\x9f\x98\x80.\n\n"
    "You must not sell the \xe2\x80\x9cSoftware\xe2\x80\x9d \xe2\x80\x94 "
    "ever\xe2\x80\xa6\n\nThe end.\n\n"
    "You must not sell it \xe2\x80\x9cnow\xe2\x80\x9d";
static const char U8_EV0[] =
    "You must not sell the \xe2\x80\x9cSoftware\xe2\x80\x9d \xe2\x80\x94 "
    "ever\xe2\x80\xa6";
static const char U8_EV1[] = "You must not sell it \xe2\x80\x9cnow\xe2\x80\x9d";
static const char TXT_EV0[] = "You must not sell the \"Software\" - ever...";
static const char TXT_EV1[] = "You must not sell it \"now\"";

/* UTF-8 to UTF-16 (little or big endian) after a BOM; map[i] is the
 * UTF-16 byte offset of UTF-8 byte i (map[n]: the end). */
static size_t to_utf16(const char *s, size_t n, int big, unsigned char *out,
                       size_t *map)
{
    size_t o = 0;
    unsigned units[2];
#define PUT16(u)                                                               \
    do {                                                                       \
        out[o + (size_t)big] = (unsigned char)((u)&0xff);                      \
        out[o + (size_t)!big] = (unsigned char)((u) >> 8);                     \
        o += 2;                                                                \
    } while (0)
    PUT16(0xfeffu);
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t k = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
        unsigned cp = k == 1   ? (unsigned)p[0]
                      : k == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)
                      : k == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
                                     (p[2] & 0x3fu)
                               : (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
                                     (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
        for (size_t j = 0; j < k; j++)
            map[i + j] = o;
        size_t nu = 1;
        units[0] = cp;
        if (cp >= 0x10000) {
            units[0] = 0xd800u + ((cp - 0x10000u) >> 10);
            units[1] = 0xdc00u + ((cp - 0x10000u) & 0x3ffu);
            nu = 2;
        }
        for (size_t j = 0; j < nu; j++)
            PUT16(units[j]);
        i += k;
    }
#undef PUT16
    map[n] = o;
    return o;
}

static void test_evidence_utf8(void)
{
    licscan_db *db = db_with(SELL_RULE);
    licscan_result *r = scan(db, U8);
    CHECK_EQ_INT(licscan_result_encoding(r), LICSCAN_ENCODING_UTF8);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_USE_RESTRICTIONS), 2);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, U8, U8_EV0, TXT_EV0, "",
                   "sell");
    /* the last clause runs to the last byte of its last character */
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 1, U8, U8_EV1, TXT_EV1, "",
                   "sell");
    uint64_t s = 0, e = 0;
    licscan_restriction_evidence(find(r, LICSCAN_FLAG_USE_RESTRICTIONS), 1, &s,
                                 &e, NULL, NULL, NULL);
    CHECK_EQ_INT(e, strlen(U8));
    /* out of range, and NULL out pointers */
    CHECK(licscan_restriction_evidence(find(r, LICSCAN_FLAG_USE_RESTRICTIONS),
                                       2, &s, &e, NULL, NULL, NULL) != 0);
    licscan_result_free(r);

    /* a UTF-8 BOM moves every offset by its 3 bytes */
    char bom[sizeof(U8) + 3] = "\xef\xbb\xbf";
    memcpy(bom + 3, U8, sizeof(U8));
    r = scan(db, bom);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_BOM);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, bom, U8_EV0, TXT_EV0,
                   "", "sell");
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 1, bom, U8_EV1, TXT_EV1,
                   "", "sell");
    licscan_result_free(r);
    licscan_db_free(db);
}

static void test_evidence_utf16(void)
{
    licscan_db *db = db_with(SELL_RULE);
    size_t n8 = strlen(U8);
    size_t map[sizeof(U8)];
    unsigned char u16[2 * sizeof(U8) + 2];
    const size_t ev8[2][2] = { { (size_t)(strstr(U8, U8_EV0) - U8),
                                 (size_t)(strstr(U8, U8_EV0) - U8) +
                                     strlen(U8_EV0) },
                               { (size_t)(strstr(U8, U8_EV1) - U8), n8 } };
    const char *txt[2] = { TXT_EV0, TXT_EV1 };
    for (int big = 0; big <= 1; big++) {
        size_t n16 = to_utf16(U8, n8, big, u16, map);
        licscan_result *r = scan_n(db, (const char *)u16, n16, NULL);
        CHECK_EQ_INT(licscan_result_encoding(r),
                     big ? LICSCAN_ENCODING_UTF16BE : LICSCAN_ENCODING_UTF16LE);
        CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_BOM);
        const licscan_restriction *x = find(r, LICSCAN_FLAG_USE_RESTRICTIONS);
        CHECK(x && licscan_restriction_evidence_count(x) == 2);
        for (uint32_t i = 0; x && i < 2; i++) {
            uint64_t s = 0, e = 0;
            const char *t = NULL;
            licscan_restriction_evidence(x, i, &s, &e, &t, NULL, NULL);
            /* offsets are into the UTF-16 bytes; the text is UTF-8 */
            CHECK_EQ_INT(s, map[ev8[i][0]]);
            CHECK_EQ_INT(e, map[ev8[i][1]]);
            CHECK_EQ_STR(t, txt[i]);
        }
        if (x) {
            /* by hand: BOM, then 18 code units (one a surrogate pair) */
            uint64_t s = 0, e = 0;
            licscan_restriction_evidence(x, 0, &s, &e, NULL, NULL, NULL);
            CHECK_EQ_INT(s, 2 + 2 * 18);
            licscan_restriction_evidence(x, 1, &s, &e, NULL, NULL, NULL);
            CHECK_EQ_INT(e, n16);
        }
        licscan_result_free(r);
    }
    licscan_db_free(db);
}

static void test_evidence_crlf(void)
{
    licscan_db *db = db_with(SELL_RULE);
    const char *t = "Preamble.\r\n\r\nYou must not\r\nsell the Software.\r\n"
                    "\r\nThe end.\r\n";
    licscan_result *r = scan(db, t);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_CRLF);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_USE_RESTRICTIONS), 1);
    /* the slice keeps the CRLF; the text reads it as a space */
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t,
                   "You must not\r\nsell the Software.",
                   "You must not sell the Software.", "", "sell");
    licscan_result_free(r);
    /* a list under CRLF line ends */
    t = "You must not:\r\n\r\n1. copy it;\r\n2. sell it.\r\n";
    r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_USE_RESTRICTIONS, 0, t, "sell it.",
                   "sell it.", "2", "sell");
    licscan_result_free(r);
    licscan_db_free(db);
}

static void test_evidence_limits(void)
{
    licscan_db *db =
        db_with("rule nc\n  flag non_commercial\n  keywords commercial\n"
                "  match non-?commercial\n  unless except\nend\n"
                "rule field\n  flag field_of_use\n  keywords field\n"
                "  match field of (?<f>[a-z]+)\n  value capture f\nend\n"
                "rule medical\n  flag field_of_use\n  keywords medical\n"
                "  match medical\n  value const medicine\nend\n");
    const char *t = "For non-commercial use. For non-commercial use. For "
                    "non-commercial use, except today.";
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    CHECK_EQ_INT(o.max_evidence, 32);

    licscan_result *r = scan_n(db, t, strlen(t), &o);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 2);
    CHECK(!(licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE));
    licscan_result_free(r);

    o.max_evidence = 1;
    r = scan_n(db, t, strlen(t), &o);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 1);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE);
    check_evidence(r, LICSCAN_FLAG_NON_COMMERCIAL, 0, t,
                   "For non-commercial use.", "For non-commercial use.", "",
                   "nc");
    licscan_result_free(r);

    /* two rules on one clause are one evidence: nothing is cut */
    t = "No medical use in the field of medicine.";
    r = scan_n(db, t, strlen(t), &o);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FIELD_OF_USE), 1);
    CHECK(!(licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE));
    check_evidence(r, LICSCAN_FLAG_FIELD_OF_USE, 0, t, t, t, "", "field");
    licscan_result_free(r);

    /* truncated evidence keeps every item */
    t = "Only in the field of law. No medical use. Only in the field of art.";
    r = scan_n(db, t, strlen(t), &o);
    const licscan_restriction *x = find(r, LICSCAN_FLAG_FIELD_OF_USE);
    CHECK(x && licscan_restriction_item_count(x) == 3);
    CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_FIELD_OF_USE), 1);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE);
    licscan_result_free(r);

    /* no clauses: no restrictions, and nothing about evidence */
    o.flags = LICSCAN_SCAN_NO_CLAUSES;
    r = scan_n(db, t, strlen(t), &o);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 0);
    CHECK(find(r, LICSCAN_FLAG_FIELD_OF_USE) == NULL);
    CHECK(licscan_result_restriction(r, 0) == NULL);
    CHECK(!(licscan_result_input_flags(r) &
            (LICSCAN_INPUT_TRUNCATED_EVIDENCE | LICSCAN_INPUT_RULE_LIMIT)));
    licscan_result_free(r);
    licscan_db_free(db);

    /* the embedded rules too */
    licscan_db *def = open_default();
    t = "Licensees with more than 700 million monthly active users must "
        "request a license.";
    r = scan_n(def, t, strlen(t), &o);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 0);
    licscan_result_free(r);
    licscan_db_free(def);
}

/* ------------------------------------------------------------------ */
/* PCRE2 limits                                                       */
/* ------------------------------------------------------------------ */

static void test_rule_limit(void)
{
    /* ^(?:a+)+$ on a run of a's that does not end the clause backtracks
     * 2^n times; the limit must cut it short and skip only that clause */
    const char *rules =
        "rule slow\n  flag non_commercial\n  keywords aaa\n"
        "  match ^(?:a+)+$\nend\n"
        "rule fast\n  flag governing_law\n  keywords laws\n"
        "  match laws of (?<st>\\w+)\n  value capture st\nend\n";
    char bad[128];
    memset(bad, 'a', 60);
    snprintf(bad + 60, sizeof(bad) - 60,
             "!\n\nGoverned by the laws of Texas.\n\naaaa\n");
    const char *good = "aaaa\n\nGoverned by the laws of Texas.\n";
    /* with the JIT, and (allocator hook) with the interpreter; under
     * valgrind, the interpreter both times (see base_allocator) */
    for (int hook = 0; hook <= 1; hook++) {
        licscan_db_options opts;
        licscan_db_options_init(&opts, sizeof(opts));
        CHECK_EQ_INT(opts.regex_match_limit, 1000000);
        opts.regex_match_limit = 1000;
        opts.allocator = hook ? &pass : base_allocator();
        licscan_db *db = open_empty(&opts);
        CHECK_EQ_INT(add(db, rules), LICSCAN_OK);

        licscan_result *r = scan(db, bad);
        CHECK_EQ_INT(licscan_result_status(r), LICSCAN_OK);
        CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_RULE_LIMIT);
        /* the rule still ran on the other clauses, and the others ran */
        CHECK_EQ_INT(ev_count(r, LICSCAN_FLAG_NON_COMMERCIAL), 1);
        size_t end = strlen(bad) - 1; /* the last line, "aaaa" */
        check_evidence_at(r, LICSCAN_FLAG_NON_COMMERCIAL, 0, end - 4, end,
                          "aaaa", "", "slow");
        const licscan_restriction *x = find(r, LICSCAN_FLAG_GOVERNING_LAW);
        CHECK(x && strcmp(licscan_restriction_text(x), "Texas") == 0);
        licscan_result_free(r);

        r = scan(db, good);
        CHECK(!(licscan_result_input_flags(r) & LICSCAN_INPUT_RULE_LIMIT));
        CHECK_EQ_INT(licscan_result_restriction_count(r), 2);
        licscan_result_free(r);
        /* 16 a's: some 10^5 steps, over this database's limit... */
        r = scan(db, "aaaaaaaaaaaaaaaa!");
        CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_RULE_LIMIT);
        CHECK_EQ_INT(licscan_result_restriction_count(r), 0);
        licscan_result_free(r);
        licscan_db_free(db);
        /* ...and under the default one (PCRE2's own is higher still) */
        opts.regex_match_limit = 1000000;
        db = open_empty(&opts);
        CHECK_EQ_INT(add(db, rules), LICSCAN_OK);
        r = scan(db, "aaaaaaaaaaaaaaaa!");
        CHECK(!(licscan_result_input_flags(r) & LICSCAN_INPUT_RULE_LIMIT));
        licscan_result_free(r);
        licscan_db_free(db);
    }
}

/* ------------------------------------------------------------------ */
/* All or nothing when memory runs out                                */
/* ------------------------------------------------------------------ */

/* Fail each allocation of an add in turn: ENOMEM leaves the rules as they
 * were, including an id replaced by an earlier add. */
static void test_oom_all_or_nothing(void)
{
    static const char MID[] = "rule base\n  flag governing_law\n"
                              "  keywords laws\n  match laws of\n"
                              "  value const Mid\nend\n";
    int done = 0;
    for (long k = 1; k < 5000 && !done; k++) {
        counter c = { 0 };
        licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
        licscan_db_options opts;
        licscan_db_options_init(&opts, sizeof(opts));
        opts.allocator = &al;
        licscan_db *db = open_empty(&opts);
        if (!db)
            return;
        CHECK_EQ_INT(add(db, BASE), LICSCAN_OK);
        CHECK_EQ_INT(add(db, MID), LICSCAN_OK);
        c.fail_at = c.calls + k;
        int rc = add(db, PREFIX);
        c.fail_at = 0;
        if (rc == LICSCAN_OK) {
            done = 1;
            CHECK_EQ_INT(licscan_db_rule_count(db), 2);
            check_probe(db, "New", 1);
        } else {
            CHECK_EQ_INT(rc, LICSCAN_ENOMEM);
            CHECK_EQ_INT(licscan_db_rule_count(db), 1);
            check_probe(db, "Mid", 0);
        }
        licscan_db_free(db);
        CHECK_EQ_INT(c.live, 0);
    }
    CHECK(done);
}

/* ------------------------------------------------------------------ */
/* Known bugs (see the report that added this file)                   */
/* ------------------------------------------------------------------ */

/* Bugs this test found, fixed since; kept as regression checks. */
static void test_fixed_bugs(void)
{
    /* a rule replaced by id keeps its place in the priority order */
    {
        static const char two[] =
            "rule first\n  flag governing_law\n  keywords laws\n"
            "  match laws of (?<p>[A-Z][a-z]+)\n  value capture p\nend\n"
            "rule second\n  flag governing_law\n  keywords courts\n"
            "  match courts of (?<p>[A-Z][a-z]+)\n  value capture p\nend\n";
        static const char again[] =
            "rule first\n  flag governing_law\n  keywords laws\n"
            "  match laws of the State of (?<p>[A-Z][a-z]+)\n"
            "  value capture p\nend\n";
        licscan_db *pdb = db_with(two);
        CHECK_EQ_INT(licscan_db_add_rules(pdb, again, strlen(again), "t"),
                     LICSCAN_OK);
        licscan_result *pr = scan(pdb, "Disputes go to the courts of Ohio. "
                                       "This is governed by the laws of the "
                                       "State of Texas.");
        const licscan_restriction *px = find(pr, LICSCAN_FLAG_GOVERNING_LAW);
        CHECK(px != NULL);
        if (px)
            CHECK_EQ_STR(licscan_restriction_text(px), "Texas");
        licscan_result_free(pr);
        licscan_db_free(pdb);
    }

    /* an unclosed rule whose `rule` line is indented is reported at the
     * column of `rule` */
    expect_error("  rule a\n  flag non_commercial\n  match x\n", 1, 3,
                 "not closed");

    /* digit groups split by spaces are one number: the embedded MAU rule
     * takes "700 000 000" as its number */
    licscan_db *def = open_default();
    licscan_result *r = scan(def, "Licensees with more than 700 000 000 "
                                  "monthly active users must request a "
                                  "license.");
    const licscan_restriction *x = find(r, LICSCAN_FLAG_MAU_THRESHOLD);
    CHECK(x && licscan_restriction_number(x) == 700000000LL);
    licscan_result_free(r);
    licscan_db_free(def);
    /* ...while two digit runs with no scale word between are none */
    licscan_db *db = db_with("rule num\n  flag mau_threshold\n"
                             "  keywords users\n"
                             "  match more than (?<n>.+?) users\n"
                             "  value number n\nend\n");
    CHECK_EQ_INT(read_number(db, "1e6"), -1);
    CHECK_EQ_INT(read_number(db, "12 34"), -1);
    licscan_db_free(db);

    /* a sentence that ends at a line end is a clause of its own: the
     * next line's sentence does not join it (evidence, `unless`) */
    db = db_with("rule nc\n  flag non_commercial\n  keywords commercial\n"
                 "  match non-?commercial\n  unless except\nend\n");
    const char *t = "For non-commercial use only.\nExcept in Ohio, all is "
                    "fine.\n";
    r = scan(db, t);
    check_evidence(r, LICSCAN_FLAG_NON_COMMERCIAL, 0, t,
                   "For non-commercial use only.",
                   "For non-commercial use only.", "", "nc");
    licscan_result_free(r);
    licscan_db_free(db);
}

int main(void)
{
    /* a PCRE2 limit that does not work would hang: fail instead */
    alarm(120);
    test_parse_errors();
    test_add_rules_api();
    test_numbers();
    test_within();
    test_unless();
    test_keywords();
    test_values();
    test_evidence_utf8();
    test_evidence_utf16();
    test_evidence_crlf();
    test_evidence_limits();
    test_rule_limit();
    test_oom_all_or_nothing();
    test_fixed_bugs();
    return check_report("unit_clauses");
}
