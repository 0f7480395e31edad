/* Fail the N-th allocation for every N through opening the default
 * database, adding templates, and scanning: each run must end in a clean
 * status, free everything it allocated, and leave later calls working. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fail_alloc.h"
#include "licscan.h"
#include "mit_text.h"

/* MIT with a word replaced inside a clause and a sentence added: the
 * scan takes the differences and flag-change paths too. */
static const char MIT[] =
    "Copyright (c) 2024 Example\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a "
    "copy of this software and associated documentation files (the "
    "\"Software\"), to deal in the Software without restriction, including "
    "without limitation the rights to use, copy, modify, merge, publish, "
    "distribute, sublicense, and/or sell copies of the Software, and to "
    "permit persons to whom the Software is furnished to do so, subject to "
    "the following conditions:\n\nThe above copyright notice and this "
    "permission notice shall be included in all copies or large "
    "portions of the Software. You may not use the Software for commercial "
    "purposes.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT "
    "WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO "
    "THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND "
    "NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE "
    "LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
    "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH "
    "THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE. Extra words.";

static const char TPL[] =
    "<<beginOptional>>Widget License<<endOptional>>\n"
    "<<var;name=\"copyright\";original=\"Copyright 2020 "
    "W\";match=\".{0,5000}\">>\n"
    "Anyone may use, copy and change the widget for any purpose provided that "
    "this notice stays with every copy of the widget, and <<var;name=\"who\";"
    "original=\"the makers\";match=\"the (makers|authors)\">> give no "
    "warranty.";
static const char META[] = "name: Widget License\nreference: Widget License\n";

/* One full run with the given failure point; returns 1 when it got all
 * the way through (no allocation failed). */
/* The end of a run with failure point fail_at, its database freed:
 * nothing may be left allocated. Returns done. */
static int finish_run(const counter *c, const char *what, long fail_at,
                      long *calls, int done)
{
    if (c->live != 0)
        fprintf(stderr, "%sfail_at %ld: %ld blocks leaked\n", what, fail_at,
                c->live);
    CHECK_EQ_INT(c->live, 0);
    *calls = c->calls;
    return done;
}

/* A database, embedded or empty, whose allocations go through al. */
static int open_counted(licscan_allocator *al, int embedded, licscan_db **db)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = al;
    *db = NULL;
    return embedded ? licscan_db_open_default(&o, db)
                    : licscan_db_open_empty(&o, db);
}

static int run(long fail_at, long *calls)
{
    counter c = { 0, fail_at, 0, 0, 0 };
    licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
    licscan_db *db;
    int rc = open_counted(&al, 1, &db);
    int done = 0;
    if (rc == LICSCAN_OK) {
        rc = licscan_db_add_template(db, "Widget", TPL, sizeof(TPL) - 1, META,
                                     sizeof(META) - 1, NULL);
        CHECK(rc == LICSCAN_OK || rc == LICSCAN_ENOMEM);
        int added = rc == LICSCAN_OK;
        licscan_result *r = NULL;
        rc = licscan_scan(db, (const uint8_t *)MIT, sizeof(MIT) - 1, NULL, &r);
        CHECK(rc == LICSCAN_OK || rc == LICSCAN_ENOMEM);
        if (rc == LICSCAN_OK) {
            const char *json;
            size_t jl;
            int jrc =
                licscan_result_json(r, "f", LICSCAN_JSON_DIFFS, &json, &jl);
            CHECK(jrc == LICSCAN_OK || jrc == LICSCAN_ENOMEM);
            if (jrc == LICSCAN_OK && added) {
                CHECK_EQ_INT(licscan_result_match_count(r), 1);
                CHECK_EQ_STR(licscan_result_spdx(r), "MIT");
                /* non_commercial added, by the new sentence */
                CHECK(licscan_match_flag_change_count(
                          licscan_result_match(r, 0)) >= 1);
                done = !c.failed;
            }
        } else if (r) {
            CHECK_EQ_INT(licscan_result_status(r), LICSCAN_ENOMEM);
        }
        licscan_result_free(r);
        /* after a failure, the database still answers */
        if (c.failed) {
            c.fail_at = 0;
            licscan_result *r2 = NULL;
            CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)MIT, sizeof(MIT) - 1,
                                      NULL, &r2),
                         LICSCAN_OK);
            CHECK(licscan_result_match_count(r2) >= 1);
            licscan_result_free(r2);
        }
    } else {
        CHECK_EQ_INT(rc, LICSCAN_ENOMEM);
        CHECK(db == NULL);
    }
    licscan_db_free(db);
    return finish_run(&c, "", fail_at, calls, done);
}

/* A folder with a list table (licenses.tsv): loading it with the
 * fail_at-th allocation refused fails cleanly or not at all, leaks
 * nothing, and the database still scans. Returns 1 when it all went
 * through. */
static int run_dir(const char *dir, long fail_at, long *calls)
{
    counter c = { 0, fail_at, 0, 0, 0 };
    licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
    licscan_db *db;
    int rc = open_counted(&al, 0, &db);
    int done = 0;
    if (rc == LICSCAN_OK) {
        rc = licscan_db_load_dir(db, dir);
        CHECK(rc == LICSCAN_OK || rc == LICSCAN_ENOMEM);
        const licscan_license *l = licscan_db_lookup(db, "Widget");
        if (rc == LICSCAN_OK) {
            CHECK(l && licscan_license_deprecated(l) &&
                  !strcmp(licscan_license_name(l), "Widget License"));
            done = !c.failed;
        }
        c.fail_at = 0;
        licscan_result *r = NULL;
        CHECK_EQ_INT(
            licscan_scan(db, (const uint8_t *)MIT, sizeof(MIT) - 1, NULL, &r),
            LICSCAN_OK);
        licscan_result_free(r);
    } else {
        CHECK_EQ_INT(rc, LICSCAN_ENOMEM);
    }
    licscan_db_free(db);
    return finish_run(&c, "dir, ", fail_at, calls, done);
}

static void list_table_load(void)
{
    char dir[] = "/tmp/licscan-oom-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/Widget.template.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(TPL, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/licenses.tsv", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("id\tname\tkind\tosi_approved\tdeprecated\n"
              "Widget\tWidget License\tlicense\tfalse\ttrue\n"
              "Other\tOther License\tlicense\ttrue\tfalse\n",
              f);
        fclose(f);
    }
    long calls = 0;
    CHECK(run_dir(dir, 0, &calls) == 1);
    long total = calls;
    for (long n = 1; n <= total + 1; n++)
        if (run_dir(dir, n, &calls) && n > total)
            break;
    printf("unit_oom: a folder with its list table, each of %ld allocations "
           "failed in turn\n",
           total);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
}

/* MIT as published, its copyright filled in: a text that is one
 * template whole, which the embedded image's rivals settle. */
static const char MIT_WHOLE[] = "Copyright (c) 2024 Example\n\n" MIT_TEXT;

/* The shortcut for a text that is one template whole, and the rivals
 * worked out when a set is saved (a scan per template), with the N-th
 * allocation failing: a clean failure, nothing leaked. Returns 1 when it
 * got all the way with no failure. */
static int run_whole(long fail_at, long *calls)
{
    counter c = { 0, fail_at, 0, 0, 0 };
    licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
    licscan_db *db;
    int done = 0, rc = open_counted(&al, 1, &db);
    if (rc == LICSCAN_OK) {
        /* MIT whole is settled by its rivals; MIT with words changed is
         * not, and the search of all reuses the try's work */
        for (int k = 0; k < 2; k++) {
            const char *text = k ? MIT : MIT_WHOLE;
            size_t len = k ? sizeof(MIT) - 1 : sizeof(MIT_WHOLE) - 1;
            licscan_result *r = NULL;
            int src = licscan_scan(db, (const uint8_t *)text, len, NULL, &r);
            CHECK(src == LICSCAN_OK || src == LICSCAN_ENOMEM);
            if (src == LICSCAN_OK)
                CHECK_EQ_STR(licscan_result_spdx(r), "MIT");
            licscan_result_free(r);
        }
        licscan_db_free(db);
        db = NULL;
        rc = open_counted(&al, 0, &db);
    }
    if (rc == LICSCAN_OK) {
        rc = licscan_db_add_template(db, "Widget", TPL, sizeof(TPL) - 1, META,
                                     sizeof(META) - 1, NULL);
        if (rc == LICSCAN_OK) {
            char path[64];
            snprintf(path, sizeof path, "/tmp/unit_oom.%ld.lsdb",
                     (long)getpid());
            rc = licscan_db_save(db, path);
            unlink(path);
            done = rc == LICSCAN_OK && !c.failed;
        }
    }
    CHECK(rc == LICSCAN_OK || rc == LICSCAN_ENOMEM);
    licscan_db_free(db);
    return finish_run(&c, "whole, ", fail_at, calls, done);
}

/* run with no failure (it must get through), then with each of the
 * allocations that took failing in turn; their number. */
static long fail_each(int (*run_at)(long fail_at, long *calls))
{
    long calls = 0;
    CHECK(run_at(0, &calls) == 1);
    long total = calls;
    for (long n = 1; n <= total + 1; n++)
        if (run_at(n, &calls) && n > total)
            break;
    return total;
}

static void whole_template_and_save(void)
{
    printf("unit_oom: a whole template and a save, each of %ld allocations "
           "failed in turn\n",
           fail_each(run_whole));
}

/* A set whose templates share a sentence (more of them than the 48
 * postings past which a shingle is boilerplate): its compiled file has
 * common lists, which its open finds and a text tried as one template
 * whole bisects. */
#define SHARED_SET 52
static char shared_path[64];

static void shared_text(char *out, size_t cap, int k)
{
    snprintf(out, cap,
             "Permission is granted to use this shared test work for any "
             "purpose under the test terms that follow. Term %d of the set: "
             "the work named item%d may be kept by holder%d at place%d.",
             k, k, k * 7, k * 13);
}

static void make_shared_set(void)
{
    licscan_db *db = NULL;
    char id[32], text[256];
    CHECK_EQ_INT(licscan_db_open_empty(NULL, &db), LICSCAN_OK);
    for (int k = 0; db && k < SHARED_SET; k++) {
        snprintf(id, sizeof id, "Shared-%d", k);
        shared_text(text, sizeof text, k);
        CHECK_EQ_INT(
            licscan_db_add_template(db, id, text, strlen(text), NULL, 0, NULL),
            LICSCAN_OK);
    }
    snprintf(shared_path, sizeof shared_path, "/tmp/unit_oom_shared.%ld.lsdb",
             (long)getpid());
    CHECK_EQ_INT(licscan_db_save(db, shared_path), LICSCAN_OK);
    licscan_db_free(db);
}

/* Open the shared set's file and scan one of its texts alone (settled by
 * its rivals) and two of them (a try that fails), with the N-th
 * allocation failing. */
static int run_shared(long fail_at, long *calls)
{
    counter c = { 0, fail_at, 0, 0, 0 };
    licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = &al;
    licscan_db *db = NULL;
    int done = 0, rc = licscan_db_open_file(shared_path, &o, &db);
    CHECK(rc == LICSCAN_OK || rc == LICSCAN_ENOMEM);
    if (rc == LICSCAN_OK) {
        char a[256], b[256], two[600];
        shared_text(a, sizeof a, 5);
        shared_text(b, sizeof b, 9);
        snprintf(two, sizeof two, "%s\n\n%s", a, b);
        done = 1;
        for (int k = 0; k < 2; k++) {
            const char *text = k ? two : a;
            licscan_result *r = NULL;
            int src =
                licscan_scan(db, (const uint8_t *)text, strlen(text), NULL, &r);
            CHECK(src == LICSCAN_OK || src == LICSCAN_ENOMEM);
            if (src == LICSCAN_OK && !k)
                CHECK_EQ_STR(licscan_result_spdx(r), "Shared-5");
            done &= src == LICSCAN_OK;
            licscan_result_free(r);
        }
        done &= !c.failed;
    }
    licscan_db_free(db);
    return finish_run(&c, "shared, ", fail_at, calls, done);
}

static void common_lists(void)
{
    make_shared_set();
    long total = fail_each(run_shared);
    unlink(shared_path);
    printf("unit_oom: common lists, each of %ld allocations failed in turn\n",
           total);
}

/* A scan's large buffers are kept for the next scan (scratch.c): a second
 * scan of the same text asks the allocator for a small part of what the
 * first asked for, and freeing the database gives everything back. */
static void scans_reuse_memory(void)
{
    counter c = { 0, 0, 0, 0, 0 };
    licscan_allocator al = { t_malloc, t_realloc, t_free, &c };
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = &al;
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    size_t n = 0, cap = 40 * sizeof(MIT);
    char *big = malloc(cap);
    while (big && n + sizeof(MIT) < cap) { /* ~40 KB of license text */
        memcpy(big + n, MIT, sizeof(MIT) - 1);
        n += sizeof(MIT) - 1;
        big[n++] = '\n';
    }
    size_t asked[3];
    for (int i = 0; i < 3 && big; i++) {
        size_t before = c.bytes;
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)big, n, NULL, &r),
                     LICSCAN_OK);
        licscan_result_free(r);
        asked[i] = c.bytes - before;
    }
    if (big) {
        printf("unit_oom: scans of %zu bytes asked for %zu, %zu, %zu bytes\n",
               n, asked[0], asked[1], asked[2]);
        CHECK(asked[1] * 4 < asked[0]);
        CHECK(asked[2] <= asked[1]);
    }
    free(big);
    licscan_db_free(db);
    CHECK_EQ_INT(c.live, 0);
}

int main(void)
{
    scans_reuse_memory();
    list_table_load();
    whole_template_and_save();
    common_lists();
    printf("unit_oom: failed each of %ld allocations in turn\n",
           fail_each(run));
    return check_report("unit_oom");
}
