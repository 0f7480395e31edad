/* Unit tests: candidates and ranking, through the public API, on small
 * templates written here: which template wins a region, its kind and
 * coverage, the runner-up and its coverage, several licenses in one text,
 * and references. Then: leaving out the chains that cannot change the
 * answer (match5_rank.c) changes none, over corpus/ with the embedded set
 * and, where ../shared has it, with the SPDX list loaded too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus_files.h"
#include "internal.h"
#include "jit_off.h"
#include "licscan.h"
#include "match2_bounds.h"
#include "match5_rank.h"
#include "testctl.h"

/* Two editions of an invented license: the same body, a different last
 * sentence, Plus's a little longer. Each explains the other's body, so
 * over a copy of one the other is a close loser. */
#define BODY                                                                   \
    "Lantern Terms. Anyone who receives a copy of this lantern may light, "    \
    "carry, lend and repair it for any purpose, provided that the maker's "    \
    "mark on the base is never removed or covered, that every copy handed "    \
    "on carries these terms in full, and that nobody claims the makers "       \
    "promised the lantern would burn for any length of time or in any "        \
    "weather at all."
#define TAIL_ONE " These terms end with the first edition."
#define TAIL_PLUS " Plus edition: a lantern with new glass says so."
static const char *TPL_ONE = BODY TAIL_ONE;
static const char *TPL_PLUS = BODY TAIL_PLUS;

/* Unrelated to the lanterns. */
static const char *TPL_GADGET =
    "Gadget Terms. You may copy and change the gadget for any purpose "
    "whatsoever as long as every copy carries these terms in full, and you "
    "accept that the gadget comes with no promise of fitness for any task "
    "and no promise of support of any sort from its authors.";

/* A license named by reference phrases. */
static const char *TPL_APACHE =
    "Apache License, Version 2.0. Licensed under the Apache License, "
    "Version 2.0 (the License); you may not use this file except in "
    "compliance with the License. Unless required by applicable law or "
    "agreed to in writing, software distributed under the License is "
    "distributed on an AS IS BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY "
    "KIND, either express or implied.";
static const char *META_APACHE = "name: Apache License 2.0\n"
                                 "spdx: Apache-2.0\n"
                                 "reference: Apache License, Version 2.0\n"
                                 "reference: Apache License 2.0\n";

static licscan_result *scan_in(const licscan_db *db, const char *s)
{
    licscan_result *r = NULL;
    int rc = licscan_scan(db, (const uint8_t *)s, strlen(s), NULL, &r);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    return r;
}

static const char *id_of(const licscan_match *m)
{
    return m ? licscan_license_id(licscan_match_license(m)) : "(none)";
}

static licscan_db *open_with(const char *const *ids, const char *const *tpls,
                             const char *const *metas, int n)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(NULL, &db), LICSCAN_OK);
    for (int i = 0; i < n && db; i++)
        CHECK_EQ_INT(licscan_db_add_template(
                         db, ids[i], tpls[i], strlen(tpls[i]), metas[i],
                         metas[i] ? strlen(metas[i]) : 0, NULL),
                     LICSCAN_OK);
    return db;
}

/* The coverage `id` gets over text s when it is the only template. */
static double coverage_alone(const char *id, const char *tpl, const char *s)
{
    const char *ids[] = { id }, *tpls[] = { tpl }, *metas[] = { NULL };
    licscan_db *db = open_with(ids, tpls, metas, 1);
    licscan_result *r = scan_in(db, s);
    double cov = -1;
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    if (licscan_result_match_count(r) == 1)
        cov = licscan_match_coverage(licscan_result_match(r, 0));
    licscan_result_free(r);
    licscan_db_free(db);
    return cov;
}

/* A text that is exactly one template: that template, exact, coverage 1,
 * the whole text; no runner-up when nothing else is close. */
static void test_exact(licscan_db *db)
{
    licscan_result *r = scan_in(db, TPL_GADGET);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK_EQ_STR(id_of(m), "Gadget");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_EXACT);
        CHECK(licscan_match_coverage(m) == 1.0);
        CHECK_EQ_INT(licscan_match_start(m), 0);
        /* the span ends with the last word */
        CHECK_EQ_INT(licscan_match_end(m), strlen(TPL_GADGET) - 1);
        CHECK_EQ_INT(licscan_match_extra_words(m), 0);
        double cov = -1;
        CHECK(licscan_match_runner_up(m, &cov) == NULL);
        CHECK(cov == 0);
    }
    licscan_result_free(r);
}

/* Over a copy of `win`, `win` explains more words than `lose` and wins
 * exact; `lose` overlaps it, is close, and is its runner-up with the
 * coverage it has there. */
static void check_winner(licscan_db *db, const char *text, const char *win,
                         const char *lose, const char *lose_tpl)
{
    licscan_result *r = scan_in(db, text);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK_EQ_STR(id_of(m), win);
    if (!m) {
        licscan_result_free(r);
        return;
    }
    CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_EXACT);
    CHECK(licscan_match_coverage(m) == 1.0);
    double cov = -1;
    const licscan_license *ru = licscan_match_runner_up(m, &cov);
    CHECK_EQ_STR(ru ? licscan_license_id(ru) : "(none)", lose);
    /* the loser lacks its own last sentence: close, not whole */
    CHECK(cov >= 0.80 && cov < 1.0);
    /* the runner-up's coverage is the one it has over that text */
    CHECK(cov == coverage_alone(lose, lose_tpl, text));
    licscan_result_free(r);
}

static void test_runner_up(licscan_db *db)
{
    check_winner(db, TPL_PLUS, "Lantern-Plus", "Lantern-1.0", TPL_ONE);
    check_winner(db, TPL_ONE, "Lantern-1.0", "Lantern-Plus", TPL_PLUS);
    /* the body alone: both explain the same words; the shorter template
     * has the greater share of its words there and wins */
    licscan_result *r = scan_in(db, BODY);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK_EQ_STR(id_of(m), "Lantern-1.0");
    if (m) {
        CHECK(licscan_match_kind(m) != LICSCAN_KIND_EXACT);
        double cov = -1;
        const licscan_license *ru = licscan_match_runner_up(m, &cov);
        CHECK_EQ_STR(ru ? licscan_license_id(ru) : "(none)", "Lantern-Plus");
        CHECK(cov > 0 && cov < licscan_match_coverage(m));
    }
    licscan_result_free(r);
}

/* Two licenses that do not overlap are two winners, by start, and
 * neither is the other's runner-up; text around them is not theirs. */
static void test_two_regions(licscan_db *db)
{
    size_t n = strlen(TPL_GADGET) + strlen(TPL_PLUS) + 200;
    char *in = malloc(n);
    snprintf(in, n,
             "README\n\nThis kit holds two things.\n\n%s\n\n"
             "The lamp comes under its own terms:\n\n%s\n\nThat is all.\n",
             TPL_GADGET, TPL_PLUS);
    licscan_result *r = scan_in(db, in);
    CHECK_EQ_INT(licscan_result_match_count(r), 2);
    if (licscan_result_match_count(r) == 2) {
        const licscan_match *a = licscan_result_match(r, 0);
        const licscan_match *b = licscan_result_match(r, 1);
        CHECK_EQ_STR(id_of(a), "Gadget");
        CHECK_EQ_STR(id_of(b), "Lantern-Plus");
        CHECK_EQ_INT(licscan_match_start(a), strstr(in, "Gadget") - in);
        CHECK_EQ_INT(licscan_match_end(a),
                     strstr(in, "authors.") + strlen("authors") - in);
        CHECK_EQ_INT(licscan_match_start(b), strstr(in, "Lantern") - in);
        CHECK_EQ_INT(licscan_match_kind(a), LICSCAN_KIND_EXACT);
        CHECK_EQ_INT(licscan_match_kind(b), LICSCAN_KIND_EXACT);
        double cov;
        const licscan_license *ru = licscan_match_runner_up(a, &cov);
        CHECK(ru == NULL);
        ru = licscan_match_runner_up(b, &cov);
        CHECK_EQ_STR(ru ? licscan_license_id(ru) : "(none)", "Lantern-1.0");
    }
    licscan_result_free(r);
    free(in);
}

/* A phrase naming a license, outside any text match, is a reference; a
 * license whose text matches is not reported again as a reference. */
static void test_references(licscan_db *db)
{
    const char *in = "This project is released under the Apache License, "
                     "Version 2.0; see the LICENSE file for the text.";
    licscan_result *r = scan_in(db, in);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK_EQ_STR(id_of(m), "Apache-2.0");
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_REFERENCE);
        CHECK(licscan_match_coverage(m) == 0);
        CHECK_EQ_INT(licscan_match_start(m), strstr(in, "Apache") - in);
        CHECK_EQ_INT(licscan_match_end(m), strstr(in, "2.0") + 3 - in);
    }
    /* references are not text matches */
    CHECK_EQ_STR(licscan_result_spdx(r), "");
    licscan_result_free(r);

    /* the text of the license, then a phrase naming it: one match */
    size_t n = strlen(TPL_APACHE) + 100;
    char *both = malloc(n);
    snprintf(both, n, "%s\n\nAgain: Apache License 2.0.\n", TPL_APACHE);
    r = scan_in(db, both);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    m = licscan_result_match(r, 0);
    CHECK_EQ_STR(id_of(m), "Apache-2.0");
    CHECK(m && licscan_match_kind(m) == LICSCAN_KIND_EXACT);
    CHECK_EQ_STR(licscan_result_spdx(r), "Apache-2.0");
    licscan_result_free(r);
    free(both);

    /* a lantern text and a phrase naming Apache: both, by start */
    n = strlen(TPL_ONE) + 100;
    char *mixed = malloc(n);
    snprintf(mixed, n, "%s\n\nThe code is under the Apache License 2.0.\n",
             TPL_ONE);
    r = scan_in(db, mixed);
    CHECK_EQ_INT(licscan_result_match_count(r), 2);
    if (licscan_result_match_count(r) == 2) {
        CHECK_EQ_STR(id_of(licscan_result_match(r, 0)), "Lantern-1.0");
        CHECK_EQ_INT(licscan_match_kind(licscan_result_match(r, 1)),
                     LICSCAN_KIND_REFERENCE);
        CHECK_EQ_STR(id_of(licscan_result_match(r, 1)), "Apache-2.0");
    }
    licscan_result_free(r);
    free(mixed);
}

/* Nothing like any template: no candidate survives. */
static void test_nothing(licscan_db *db)
{
    const char *in = "Shopping list: three apples, a loaf of rye bread, "
                     "two lemons and a jar of honey for the weekend.";
    licscan_result *r = scan_in(db, in);
    CHECK_EQ_INT(licscan_result_match_count(r), 0);
    licscan_result_free(r);
}

/* corpus/ read by db and by a copy of it that judges every chain. */
static void same_without_pruning(const char *what, const char *templates)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *pruned, *every;
    CHECK_EQ_INT(licscan_db_open_default(&o, &pruned), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&o, &every), LICSCAN_OK);
    if (templates) {
        CHECK_EQ_INT(licscan_db_load_dir(pruned, templates), LICSCAN_OK);
        CHECK_EQ_INT(licscan_db_load_dir(every, templates), LICSCAN_OK);
    }
    CHECK_EQ_INT(ls_test_control(every, LS_TEST_PRUNING, 0), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(every, LS_TEST_PRUNING, 2), LICSCAN_EINVAL);
    uint64_t refusals = ls_var_refusal_count();
    uint64_t breaches = ls_bound_breach_count();
    int files = corpus_alike(pruned, every, "chains left out", 60);
    /* judging every chain holds each bound to the score it bounds */
    CHECK(ls_bound_breach_count() == breaches);
    refusals = ls_var_refusal_count() - refusals;
    CHECK(refusals > 0); /* a list item's number, say, takes no clause */
    printf(
        "  %d corpus files, %s: the same JSON with chains left out and "
        "with every chain judged; no score or coverage above its bound (%llu "
        "gaps refused by their vars' lengths)\n",
        files, what, (unsigned long long)refusals);
    /* files none of us wrote, with the list they were gathered for: more
     * of them hold several licenses, each a second look for complete
     * matches (skipped when ../shared is absent) */
    const char *e = getenv("LICSCAN_REALWORLD_IDENT");
    const char *real = e && *e ? e : "../shared/realworld/ident/cases";
    struct stat st;
    if (templates && stat(real, &st) == 0) {
        files = files_alike(pruned, every, real, "chains left out", 1000);
        CHECK(ls_bound_breach_count() == breaches);
        printf("  %d real-world files, %s: the same JSON both ways\n", files,
               what);
    }
    licscan_db_free(pruned);
    licscan_db_free(every);
}

static void test_pruning(void)
{
    same_without_pruning("embedded set", NULL);
    const char *e = getenv("LICSCAN_SPDX_TEMPLATES");
    const char *spdx = e && *e ? e : "../shared/spdx/templates";
    struct stat st;
    if (stat(spdx, &st) != 0) {
        printf("  %s not found: corpus with the SPDX list skipped\n", spdx);
        return;
    }
    same_without_pruning("SPDX list loaded", spdx);
}

/* ---- a partial winner shown ambiguous ----
 * Three invented licenses share a closing passage, each after terms of
 * its own; the third words it with one word changed. Over the passage
 * alone the first two match it alike, so the first (the winner) is shown
 * ambiguous by the second and dropped; the third, a rival that could
 * only show the same, need not be judged. With every chain judged the
 * answer must be the same (no match), and the count of chains the
 * ambiguity settled must grow. */
#define SHARED_PASSAGE                                                         \
    "The shared passage of these test licenses says that the work comes as "   \
    "it is, that no one who made it owes anything to anyone who uses it, "     \
    "that a %s may not read more into these words than they say, and that "    \
    "every part of this text stands even where another part falls for any "    \
    "reason at all in any place."

static void test_ambiguous_fragment(void)
{
    static const char *const own[] = {
        "Alpha terms: the holder of this copy may print it on green paper "
        "only, keep one copy in a drawer, and read it aloud on Tuesdays to a "
        "cat, a dog or a bird of any kind, so long as the bird agrees.",
        "Beta terms: whoever holds this copy may bake it into bread, fold it "
        "into a boat that floats on a lake, and sing it in a choir of nine "
        "voices, provided that each voice keeps its own key and its own time.",
        "Gamma terms: a person with this copy may paint it on a wall facing "
        "north, carve it into a tree that grows near a river, and whisper it "
        "to the moon on nights with no clouds, if the moon has time for it."
    };
    static const char *const ids[] = { "Test-Alpha", "Test-Beta",
                                       "Test-Gamma" };
    static const char *const metas[] = { NULL, NULL, NULL };
    char text[3][1024], passage[512];
    const char *tpls[3];
    for (int k = 0; k < 3; k++) {
        char p[512];
        snprintf(p, sizeof p, SHARED_PASSAGE, k == 2 ? "judge" : "court");
        snprintf(text[k], sizeof text[k], "%s\n\n%s", own[k], p);
        tpls[k] = text[k];
    }
    snprintf(passage, sizeof passage, SHARED_PASSAGE, "court");
    licscan_db *pruned = open_with(ids, tpls, metas, 3);
    licscan_db *every = open_with(ids, tpls, metas, 3);
    if (pruned && every) {
        CHECK_EQ_INT(ls_test_control(every, LS_TEST_PRUNING, 0), LICSCAN_OK);
        uint64_t before = ls_settled_ambiguous_count();
        licscan_result *a = scan_in(pruned, passage);
        uint64_t settled = ls_settled_ambiguous_count() - before;
        licscan_result *b = scan_in(every, passage);
        const char *ja = NULL, *jb = NULL;
        size_t la = 0, lb = 0;
        CHECK_EQ_INT(licscan_result_json(a, "f", LICSCAN_JSON_DIFFS, &ja, &la),
                     LICSCAN_OK);
        CHECK_EQ_INT(licscan_result_json(b, "f", LICSCAN_JSON_DIFFS, &jb, &lb),
                     LICSCAN_OK);
        CHECK(ja && jb && la == lb && memcmp(ja, jb, la) == 0);
        CHECK_EQ_INT(licscan_result_match_count(a), 0);
        CHECK(settled > 0);
        printf("  a fragment two licenses match alike: no match, the same "
               "with every chain judged; %llu chains not judged for it\n",
               (unsigned long long)settled);
        licscan_result_free(a);
        licscan_result_free(b);
    }
    licscan_db_free(pruned);
    licscan_db_free(every);
}

/* pairs_run_end (scan.h), four pairs at a time, against the pair by
 * pair definition: runs of every length, breaks on either side, limits
 * below, inside and above the template words. */
static void test_pairs_run_end(void)
{
    enum { N = 300 };
    uint32_t pi[N], pt[N];
    unsigned seed = 7;
    for (int round = 0; round < 50; round++) {
        uint32_t i = 0, t = 0;
        for (uint32_t k = 0; k < N; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            /* mostly one on from the last; now and then a gap on a side */
            i += 1 + (r % 11 == 0 ? r % 5 : 0);
            t += 1 + (r % 13 == 0 ? (r >> 4) % 4 : 0);
            pi[k] = i;
            pt[k] = t;
        }
        const uint32_t limits[] = { 0, 17, t / 2, t, UINT32_MAX };
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++)
            for (uint32_t k = 1; k <= N; k++)
                for (int both = 0; both < 2; both++) {
                    uint32_t want = k;
                    while (want < N && pi[want] == pi[want - 1] + 1 &&
                           (!both || (pt[want] == pt[want - 1] + 1 &&
                                      pt[want] < limits[l])))
                        want++;
                    uint32_t got = pairs_run_end(pi, pt, N, k, both, limits[l]);
                    if (got != want) {
                        CHECK_EQ_INT(got, want);
                        return;
                    }
                }
    }
    CHECK(1);
}

int main(void)
{
    test_pairs_run_end();
    const char *ids[] = { "Lantern-1.0", "Lantern-Plus", "Gadget",
                          "Apache-2.0" };
    const char *tpls[] = { TPL_ONE, TPL_PLUS, TPL_GADGET, TPL_APACHE };
    const char *metas[] = { NULL, NULL, NULL, META_APACHE };
    licscan_db *db = open_with(ids, tpls, metas, 4);
    if (!db)
        return check_report("unit_rank");
    test_exact(db);
    test_runner_up(db);
    test_two_regions(db);
    test_references(db);
    test_nothing(db);
    licscan_db_free(db);

    /* the same answers whatever the order the templates were added in */
    const char *rids[] = { "Apache-2.0", "Gadget", "Lantern-Plus",
                           "Lantern-1.0" };
    const char *rtpls[] = { TPL_APACHE, TPL_GADGET, TPL_PLUS, TPL_ONE };
    const char *rmetas[] = { META_APACHE, NULL, NULL, NULL };
    db = open_with(rids, rtpls, rmetas, 4);
    if (db) {
        test_runner_up(db);
        test_two_regions(db);
        licscan_db_free(db);
    }
    if (under_valgrind())
        stride = 8;
    test_ambiguous_fragment();
    test_pruning();
    return check_report("unit_rank");
}
