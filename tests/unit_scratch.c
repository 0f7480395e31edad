/* unit_scratch.c -- what a scratch keeps from scan to scan: the chain
 * search's table of diagonals is made once and serves the scans that
 * follow (its entries stay as they were), unless a huge text grew it past
 * what a scratch keeps; scans on a database that keeps one give the same
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
        test_same_answers(db);
        licscan_db_free(db);
    }
    return check_report("unit_scratch");
}
