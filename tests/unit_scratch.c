/* unit_scratch.c -- what a scratch keeps from scan to scan: the chain
 * search's table of diagonals is made once and serves the scans that
 * follow (its entries stay as they were), unless a huge text grew it past
 * what a scratch keeps; small blocks are cut from runs it keeps, each
 * whole and apart from the others however many a scan asks for, and the
 * runs serve the next scan; with an allocator hook every block goes
 * through the hook; scans on a database that keeps one give the same
 * answers as on a fresh one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "mit_text.h"

static void test_table_kept(licscan_db *db)
{
    /* a scan makes the table in the scratch it takes */
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, MIT_TEXT, strlen(MIT_TEXT), NULL, &r),
                 LICSCAN_OK);
    licscan_result_free(r);
    ls_scratch *sc = ls_scratch_take(db);
    CHECK(sc != NULL);
    if (!sc)
        return;
    ls_diagonals *dg = ls_scratch_diagonals(sc);
    CHECK(dg->last != NULL && dg->cap > strlen(MIT_TEXT) / 8);
    uint32_t *kept = dg->last;
    size_t cap = dg->cap;
    ls_scratch_give_back(db, sc);
    /* the next scan finds it there, as it was */
    sc = ls_scratch_take(db);
    CHECK(sc && ls_scratch_diagonals(sc)->last == kept &&
          ls_scratch_diagonals(sc)->cap == cap);
    if (!sc)
        return;
    /* one as large as only a huge text needs is not kept */
    dg = ls_scratch_diagonals(sc);
    uint32_t *huge = ls_calloc(&db->alloc, (size_t)8 << 20, sizeof(uint32_t));
    CHECK(huge != NULL);
    if (huge) {
        ls_free(&db->alloc, dg->last);
        dg->last = huge;
        dg->cap = (size_t)8 << 20;
    }
    ls_scratch_give_back(db, sc);
    sc = ls_scratch_take(db);
    CHECK(sc && ls_scratch_diagonals(sc)->last == NULL &&
          ls_scratch_diagonals(sc)->cap == 0);
    if (sc)
        ls_scratch_give_back(db, sc);
}

/* Small blocks of sizes that cycle through 1 to 300 bytes, enough to use
 * up every run (2 MB with their heads), each filled with its own byte;
 * some grown past the small sizes on the way. True when each still holds
 * its byte and its length. */
#define SMALL_BLOCKS 12000

static bool small_blocks_whole(const ls_alloc *a, char **p, size_t *n)
{
    bool ok = true;
    for (size_t i = 0; i < SMALL_BLOCKS; i++) {
        n[i] = 1 + (i * 37) % 300;
        p[i] = ls_malloc(a, n[i]);
        if (!p[i])
            return false;
        memset(p[i], (int)(i % 251) + 1, n[i]);
        if (i % 97 == 0) { /* grown: its bytes kept, the rest its own */
            char *q = ls_realloc(a, p[i], n[i], 5000);
            if (!q)
                return false;
            memset(q + n[i], (int)(i % 251) + 1, 5000 - n[i]);
            p[i] = q;
            n[i] = 5000;
        }
    }
    for (size_t i = 0; i < SMALL_BLOCKS && ok; i++)
        for (size_t k = 0; k < n[i] && ok; k++)
            ok = p[i][k] == (char)((int)(i % 251) + 1);
    for (size_t i = 0; i < SMALL_BLOCKS; i++)
        ls_free(a, p[i]);
    return ok;
}

static void test_small_blocks(licscan_db *db)
{
    char **p = calloc(SMALL_BLOCKS, sizeof(char *));
    size_t *n = calloc(SMALL_BLOCKS, sizeof(size_t));
    ls_scratch *sc = ls_scratch_take(db);
    CHECK(p && n && sc);
    if (!p || !n || !sc) {
        free(p);
        free(n);
        if (sc)
            ls_scratch_give_back(db, sc);
        return;
    }
    void *first = ls_malloc(ls_scratch_alloc(sc), 24);
    CHECK(first != NULL);
    CHECK(small_blocks_whole(ls_scratch_alloc(sc), p, n));
    ls_free(ls_scratch_alloc(sc), first);
    ls_scratch_give_back(db, sc);
    /* the next scan's first small block is cut where that one was: the
     * runs are taken back whole, and cut again from the first */
    sc = ls_scratch_take(db);
    CHECK(sc != NULL);
    if (sc) {
        void *again = ls_malloc(ls_scratch_alloc(sc), 24);
        CHECK(again != NULL);
        if (ls_scratch_cuts_small(sc))
            CHECK(again == first);
        ls_free(ls_scratch_alloc(sc), again);
        CHECK(small_blocks_whole(ls_scratch_alloc(sc), p, n));
        ls_scratch_give_back(db, sc);
    }
    free(p);
    free(n);
}

/* An allocator hook that counts what it is asked. */
static size_t hook_mallocs;
static void *counting_malloc(size_t n, void *user)
{
    (void)user;
    hook_mallocs++;
    return malloc(n);
}
static void *counting_realloc(void *p, size_t n, void *user)
{
    (void)user;
    hook_mallocs++;
    return realloc(p, n);
}
static void counting_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static void test_hook_sees_blocks(void)
{
    licscan_allocator hook = { counting_malloc, counting_realloc, counting_free,
                               NULL };
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof o);
    o.allocator = &hook;
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    if (!db)
        return;
    ls_scratch *sc = ls_scratch_take(db);
    CHECK(sc != NULL);
    if (sc) {
        CHECK(!ls_scratch_cuts_small(sc));
        void *b[10];
        size_t before = hook_mallocs;
        for (int i = 0; i < 10; i++)
            b[i] = ls_malloc(ls_scratch_alloc(sc), 16);
        CHECK(hook_mallocs - before == 10);
        for (int i = 0; i < 10; i++)
            ls_free(ls_scratch_alloc(sc), b[i]);
        ls_scratch_give_back(db, sc);
    }
    licscan_db_free(db);
}

/* Tables left by other texts (longer, shorter, other templates) change no
 * answer: each text scanned after all the others gives the JSON it gives
 * on a database of its own. */
static void test_same_answers(licscan_db *db)
{
    static const char *const texts[] = {
        MIT_TEXT,
        "Licensed under the Apache License, Version 2.0 (the \"License\"); "
        "you may not use this file except in compliance with the License.",
        "Redistribution and use in source and binary forms, with or without "
        "modification, are permitted provided that the following conditions "
        "are met: Redistributions of source code must retain the above "
        "copyright notice, this list of conditions and the following "
        "disclaimer.",
    };
    size_t n = sizeof(texts) / sizeof(texts[0]);
    for (size_t round = 0; round < 2; round++)
        for (size_t k = 0; k < n; k++) {
            licscan_db *fresh = NULL;
            CHECK_EQ_INT(licscan_db_open_default(NULL, &fresh), LICSCAN_OK);
            licscan_result *a = NULL, *b = NULL;
            const char *ja = NULL, *jb = NULL;
            size_t la = 0, lb = 0;
            CHECK_EQ_INT(licscan_scan(db, texts[k], strlen(texts[k]), NULL, &a),
                         LICSCAN_OK);
            CHECK_EQ_INT(
                licscan_scan(fresh, texts[k], strlen(texts[k]), NULL, &b),
                LICSCAN_OK);
            CHECK_EQ_INT(licscan_result_json(a, "t", 0, &ja, &la), LICSCAN_OK);
            CHECK_EQ_INT(licscan_result_json(b, "t", 0, &jb, &lb), LICSCAN_OK);
            CHECK(ja && jb && la == lb && !memcmp(ja, jb, la));
            licscan_result_free(a);
            licscan_result_free(b);
            licscan_db_free(fresh);
        }
}

int main(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    if (db) {
        test_table_kept(db);
        test_small_blocks(db);
        test_same_answers(db);
        licscan_db_free(db);
    }
    test_hook_sees_blocks();
    return check_report("unit_scratch");
}
