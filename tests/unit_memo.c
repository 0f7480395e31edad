/* Unit tests: the clause memo (lib/memo.c, built by lib/memobuild.c from
 * tools/freeze.c).
 *
 * The memo holds, for every clause of the embedded templates, what the
 * rules say of it; a scan that meets such a clause reads the answer instead
 * of running the patterns. It must never change a result. A database
 * opened with a PCRE2 match limit lower than the one the memo was built
 * under does not use it (a lower limit could stop a pattern the memo saw
 * finish), which gives the same rules without the memo to compare with:
 * every file of corpus/ is scanned by both and the JSON lines must agree,
 * also after rules are replaced and added at run time. Those comparisons
 * would also pass with a memo silently never used, so the count of
 * clauses it answered (ls_memo_recalled) must grow on a known license. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "corpus_files.h"
#include "jit_off.h"
#include "licscan.h"
#include "memo.h"

static void open_pair(licscan_db **memo, licscan_db **plain)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator(); /* see jit_off.h */
    CHECK_EQ_INT(licscan_db_open_default(&o, memo), LICSCAN_OK);
    o.regex_match_limit -= 1; /* below the memo's: it is left out */
    CHECK_EQ_INT(licscan_db_open_default(&o, plain), LICSCAN_OK);
}

static void test_same_results(void)
{
    licscan_db *memo, *plain;
    open_pair(&memo, &plain);
    int files = corpus_alike(memo, plain, "the memo", 60);
    printf("  %d corpus files: the same JSON with and without the memo\n",
           files);
    licscan_db_free(memo);
    licscan_db_free(plain);
}

/* A text made of the embedded templates' own sentences gets the memo's
 * answers: the same as the rules give, and the rules do fire on it. */
static void test_memo_answers_known_clauses(void)
{
    licscan_db *memo, *plain;
    open_pair(&memo, &plain);
    static const char text[] =
        "If, on the Llama 3.1 version release date, the monthly active users "
        "of the products or services made available by or for Licensee, or "
        "Licensee's affiliates, is greater than 700 million monthly active "
        "users in the preceding calendar month, you must request a license "
        "from Meta, which Meta may grant to you in its sole discretion, and "
        "you are not authorized to exercise any of the rights under this "
        "Agreement unless or until Meta otherwise expressly grants you such "
        "rights.\n";
    char *a = scan_json(memo, (const unsigned char *)text, sizeof text - 1);
    char *b = scan_json(plain, (const unsigned char *)text, sizeof text - 1);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(a && strstr(a, "\"mau_threshold\":{\"value\":700000000"));
    free(a);
    free(b);
    licscan_db_free(memo);
    licscan_db_free(plain);
}

/* The default database answers the clauses of a known license from the
 * memo; the one opened below the memo's limits never does. */
static void test_memo_in_use(void)
{
    licscan_db *memo, *plain;
    open_pair(&memo, &plain);
    size_t len;
    unsigned char *data = slurp("corpus/Apache-2.0/original.txt", &len);
    CHECK(data != NULL);
    if (!data)
        return;
    uint64_t before = ls_memo_recalled();
    free(scan_json(plain, data, len));
    CHECK_EQ_INT(ls_memo_recalled() - before, 0);
    before = ls_memo_recalled();
    free(scan_json(memo, data, len));
    uint64_t recalled = ls_memo_recalled() - before;
    CHECK(recalled >= 20);
    printf("  Apache-2.0: %llu clauses answered by the memo\n",
           (unsigned long long)recalled);
    free(data);
    licscan_db_free(memo);
    licscan_db_free(plain);
}

/* Rules added at run time: a replaced embedded rule no longer answers from
 * the memo, and a new rule runs on memo clauses too. */
static void test_rules_added_later(void)
{
    static const char rules[] = "rule attribution\n"
                                "  flag attribution\n"
                                "  keywords zzzz-never\n"
                                "  match zzzz-never\n"
                                "end\n"
                                "rule extra-patent-word\n"
                                "  flag governing_law\n"
                                "  keywords patent\n"
                                "  match (?<where>patent)\n"
                                "  value capture where\n"
                                "end\n";
    licscan_db *memo, *plain;
    open_pair(&memo, &plain);
    CHECK_EQ_INT(licscan_db_add_rules(memo, rules, sizeof rules - 1, "t"), 0);
    CHECK_EQ_INT(licscan_db_add_rules(plain, rules, sizeof rules - 1, "t"), 0);
    json_pair c = { memo, plain, "the memo", 0, 0 };
    walk_txt("corpus/Apache-2.0", compare_json, &c);
    walk_txt("corpus/Llama-3.1-Community", compare_json, &c);
    walk_txt("corpus/MIT", compare_json, &c);
    CHECK(c.files >= 10 / stride);
    CHECK_EQ_INT(c.differing, 0);

    /* and the change shows: no attribution, a new value */
    size_t len;
    unsigned char *data = slurp("corpus/Apache-2.0/original.txt", &len);
    CHECK(data != NULL);
    char *a = data ? scan_json(memo, data, len) : NULL;
    CHECK(a && !strstr(a, "\"attribution\":{"));
    CHECK(a && strstr(a, "\"rule\":\"extra-patent-word\""));
    free(a);
    free(data);
    licscan_db_free(memo);
    licscan_db_free(plain);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    test_same_results();
    test_memo_answers_known_clauses();
    test_memo_in_use();
    test_rules_added_later();
    printf("unit_memo: %d checks passed, %d failed\n", check_passed,
           check_failed);
    return check_failed ? 1 : 0;
}
