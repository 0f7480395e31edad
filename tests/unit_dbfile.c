/* unit_dbfile.c -- compiled database files (licscan_db_save,
 * licscan_db_open_file): a saved database opens and scans exactly as the
 * one it was saved from (JSON with differences, over corpus/ and over the
 * SPDX list's texts when the list is there), and a wrong, truncated or
 * damaged file is LICSCAN_EFORMAT with a message that says which. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "corpus_files.h"
#include "dbfile.h"
#include "jit_off.h"
#include "memo.h"

/* Where the SPDX templates are (the bench's default), or
 * LICSCAN_SPDX_TEMPLATES. */
static const char *spdx_dir(void)
{
    const char *e = getenv("LICSCAN_SPDX_TEMPLATES");
    return e && *e ? e : "../shared/spdx/templates";
}

/* Options of every database here (no JIT under valgrind: jit_off.h). */
static licscan_db_options opt;

static char tmp_path[64];

static void make_tmp(void)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/unit_dbfile.%ld.lsdb",
             (long)getpid());
}

static unsigned char *read_back(size_t *len)
{
    unsigned char *b = slurp(tmp_path, len);
    CHECK(b != NULL);
    return b;
}

static void write_bytes(const unsigned char *b, size_t n)
{
    FILE *f = fopen(tmp_path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

/* The directory's entry of array id in a saved file. */
static dbf_array dir_of(const unsigned char *file, int id)
{
    dbf_array d;
    memcpy(&d, file + sizeof(dbf_header) + (size_t)id * sizeof d, sizeof d);
    return d;
}

/* The metadata of every template alike, in order. */
static void same_listing(const licscan_db *a, const licscan_db *b)
{
    CHECK_EQ_INT(licscan_db_license_count(a), licscan_db_license_count(b));
    CHECK_EQ_INT(licscan_db_rule_count(a), licscan_db_rule_count(b));
    uint32_t n = licscan_db_license_count(a);
    for (uint32_t i = 0; i < n && i < licscan_db_license_count(b); i++) {
        const licscan_license *x = licscan_db_license(a, i);
        const licscan_license *y = licscan_db_license(b, i);
        CHECK_EQ_STR(licscan_license_id(x), licscan_license_id(y));
        CHECK_EQ_STR(licscan_license_name(x), licscan_license_name(y));
        CHECK_EQ_STR(licscan_license_spdx(x), licscan_license_spdx(y));
        CHECK_EQ_STR(licscan_license_url(x), licscan_license_url(y));
        CHECK_EQ_INT(licscan_license_osi_approved(x),
                     licscan_license_osi_approved(y));
        CHECK_EQ_INT(licscan_license_deprecated(x),
                     licscan_license_deprecated(y));
        /* the one a look-up finds: replaced templates are not */
        const licscan_license *la = licscan_db_lookup(a, licscan_license_id(x));
        const licscan_license *lb = licscan_db_lookup(b, licscan_license_id(y));
        CHECK((la == x) == (lb == y));
    }
}

/* A template's text as published: markup dropped, vars their original
 * wording (what the SPDX renderer makes of it, near enough). */
static char *render(const char *t, size_t n, size_t *out_len)
{
    char *o = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (t[i] == '<' && i + 1 < n && t[i + 1] == '<') {
            const char *close = strstr(t + i, ">>");
            if (!close)
                break;
            const char *orig = strstr(t + i, "original=\"");
            if (orig && orig < close)
                for (orig += 10; orig < close && *orig != '"'; orig++)
                    o[k++] = *orig;
            i = (size_t)(close - t) + 2;
            continue;
        }
        o[k++] = t[i++];
    }
    *out_len = k;
    return o;
}

static void compare_rendered(const char *path, void *arg)
{
    size_t l = strlen(path), len, rl;
    if (l < 13 || strcmp(path + l - 13, ".template.txt"))
        return;
    unsigned char *data = slurp(path, &len);
    if (!data)
        return;
    char *r = render((const char *)data, len, &rl);
    json_pair *c = arg;
    char *a = scan_json(c->a, (const unsigned char *)r, rl);
    char *b = scan_json(c->b, (const unsigned char *)r, rl);
    c->files++;
    if (!a || !b || strcmp(a, b)) {
        c->differing++;
        if (c->differing <= 3)
            fprintf(stderr, "%s rendered:\n  %s\nfrom the file:\n  %s\n", path,
                    a ? a : "(none)", b ? b : "(none)");
    }
    free(a);
    free(b);
    free(r);
    free(data);
}

/* fn for every *.template.txt in dir (walk_txt takes .txt files). */
static void walk_templates(const char *dir, json_pair *c)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    int k = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && k++ % stride == 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            compare_rendered(path, c);
        }
    closedir(d);
}

/* The words of every template of db read, as scans read them when they
 * meet them: the status, and the message of the first damaged. */
static int words_read(const licscan_db *db, char *err, size_t errlen)
{
    uint32_t bad;
    int rc = ls_words_all_ready(db, &bad);
    if (rc)
        snprintf(err, errlen, "the words of template %s", db->tpl[bad]->lic.id);
    return rc;
}

static licscan_db *save_and_open(licscan_db *db)
{
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db *f = NULL;
    int rc = licscan_db_open_file(tmp_path, &opt, &f);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    if (rc) {
        char msg[512];
        licscan_db_file_error(tmp_path, &opt, msg, sizeof msg);
        fprintf(stderr, "open: %s\n", msg);
    }
    return f;
}

static void test_embedded_round_trip(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    licscan_db *f = save_and_open(db);
    if (f) {
        same_listing(db, f);
        corpus_alike(db, f, "the embedded set", 600);
        /* saved again, the same bytes */
        size_t l1, l2;
        unsigned char *b1 = read_back(&l1);
        CHECK_EQ_INT(licscan_db_save(f, tmp_path), LICSCAN_OK);
        unsigned char *b2 = read_back(&l2);
        CHECK(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
        free(b1);
        free(b2);
        /* its checks reading it 4 KB at a time: every array and most
         * templates' words across windows; the same database */
        licscan_db *w = NULL;
        char err[400] = "";
        CHECK_EQ_INT(ls_dbf_open_file(tmp_path,
                                      DBF_CHECK_SUMS | DBF_SMALL_WINDOWS, &opt,
                                      &w, err, sizeof err),
                     LICSCAN_OK);
        CHECK_EQ_STR(err, "");
        if (w) {
            same_listing(db, w);
            corpus_alike(db, w, "the embedded set, small windows", 600);
        }
        licscan_db_free(w);
        /* a byte of each array changed, read through windows: refused
         * for its checksum, as when read whole */
        unsigned char *b = read_back(&l1);
        for (int id = 0; b && id < A_COUNT; id++) {
            dbf_array d = dir_of(b, id);
            if (!d.count)
                continue;
            uint64_t at = d.offset + (d.count * d.elem) / 2;
            b[at] ^= 0x10;
            write_bytes(b, l1);
            b[at] ^= 0x10;
            w = NULL;
            int rc =
                ls_dbf_open_file(tmp_path, DBF_CHECK_SUMS | DBF_SMALL_WINDOWS,
                                 &opt, &w, err, sizeof err);
            /* (a template's words: when they are read) */
            if (dbf_summed_per_template(id) && rc == LICSCAN_OK)
                rc = words_read(w, err, sizeof err);
            CHECK_EQ_INT(rc, LICSCAN_EFORMAT);
            CHECK(strstr(err, dbf_summed_per_template(id)
                                  ? "the words of template"
                                  : "checksum mismatch") != NULL);
            licscan_db_free(w);
        }
        free(b);
    }
    licscan_db_free(f);
    licscan_db_free(db);
}

static void test_spdx_round_trip(void)
{
    const char *dir = spdx_dir();
    if (access(dir, R_OK) != 0) {
        printf("unit_dbfile: %s not found, SPDX round trip skipped\n", dir);
        return;
    }
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_load_dir(db, dir), LICSCAN_OK);
    licscan_db *f = save_and_open(db);
    if (f) {
        same_listing(db, f);
        /* the list's table (licenses.tsv beside templates/) came along */
        CHECK_EQ_INT(
            licscan_license_deprecated(licscan_db_lookup(f, "eCos-2.0")), 1);
        CHECK_EQ_INT(licscan_license_deprecated(licscan_db_lookup(f, "MIT")),
                     0);
        CHECK_EQ_INT(licscan_license_osi_approved(licscan_db_lookup(f, "0BSD")),
                     1);
        json_pair c = { db, f, "the SPDX list", 0, 0 };
        walk_txt("corpus", compare_json, &c);
        CHECK_EQ_INT(c.differing, 0);
        json_pair r = { db, f, "the SPDX list", 0, 0 };
        walk_templates(dir, &r);
        CHECK(r.files > 800 / stride);
        CHECK_EQ_INT(r.differing, 0);
        /* the file's memo knows the clauses of every template, the
         * embedded memo those of the embedded set only */
        static const char text[] =
            "Permission to use, copy, modify, and distribute this software "
            "for any purpose with or without fee is hereby granted, provided "
            "that the above copyright notice and this permission notice "
            "appear in all copies. THE AUTHORS AND CONTRIBUTORS ACCEPT NO "
            "RESPONSIBILITY IN ANY CONCEIVABLE MANNER.\n"; /* ISC-Veillard */
        uint64_t before = ls_memo_recalled();
        licscan_result *res = NULL;
        CHECK_EQ_INT(licscan_scan(db, text, sizeof text - 1, NULL, &res),
                     LICSCAN_OK);
        licscan_result_free(res);
        uint64_t by_embedded = ls_memo_recalled() - before;
        before = ls_memo_recalled();
        CHECK_EQ_INT(licscan_scan(f, text, sizeof text - 1, NULL, &res),
                     LICSCAN_OK);
        licscan_result_free(res);
        CHECK(ls_memo_recalled() - before > by_embedded);
    }
    licscan_db_free(f);
    licscan_db_free(db);
}

/* Templates and rules added to a database opened from a file. */
static void test_add_after_open(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(&opt, &db), LICSCAN_OK);
    static const char tpl[] =
        "Widget License 1.0. Permission is granted to use, copy and modify "
        "this widget for any purpose, provided this notice is kept in all "
        "copies of the widget and its documentation.";
    CHECK_EQ_INT(licscan_db_add_template(db, "Widget-1.0", tpl, sizeof tpl - 1,
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    licscan_db *f = save_and_open(db);
    if (f) {
        static const char gadget[] =
            "Gadget License. You may do anything with this gadget except "
            "sell it, and this notice must stay with every copy of the "
            "gadget you give to anyone.";
        CHECK_EQ_INT(licscan_db_add_template(f, "Gadget", gadget,
                                             sizeof gadget - 1, NULL, 0, NULL),
                     LICSCAN_OK);
        CHECK_EQ_INT(licscan_db_license_count(f), 2);
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(f, tpl, sizeof tpl - 1, NULL, &r),
                     LICSCAN_OK);
        CHECK_EQ_STR(licscan_result_spdx(r), "Widget-1.0");
        licscan_result_free(r);
        CHECK_EQ_INT(licscan_scan(f, gadget, sizeof gadget - 1, NULL, &r),
                     LICSCAN_OK);
        CHECK_EQ_STR(licscan_result_spdx(r), "Gadget");
        licscan_result_free(r);
    }
    licscan_db_free(f);
    licscan_db_free(db);
}

/* Opening must fail with status and a message holding `want`. */
static void expect_error(int want_rc, const char *want)
{
    licscan_db *f = (licscan_db *)1;
    int rc = licscan_db_open_file(tmp_path, &opt, &f);
    CHECK_EQ_INT(rc, want_rc);
    CHECK(f == NULL);
    char msg[512];
    CHECK_EQ_INT(licscan_db_file_error(tmp_path, &opt, msg, sizeof msg), want_rc);
    if (!strstr(msg, want)) {
        check_failed++;
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", msg, want);
    }
}

/* Template i's text as published, from the embedded set (which the
 * files here are saved from, in its order); NULL: none. */
static char *text_of(uint32_t i, size_t *len)
{
    licscan_db *db = NULL;
    char *t = NULL;
    if (licscan_db_open_default(&opt, &db) == LICSCAN_OK && i < db->ntpl)
        t = render(db->tpl[i]->source, db->tpl[i]->source_len, len);
    licscan_db_free(db);
    return t;
}

/* A file damaged: refused at open with `want` in the message, or, where
 * the damage lies in a template's words, opened and found when they are
 * read: licscan_db_file_error names the template, and a scan of its text
 * and a save of the database fail with LICSCAN_EFORMAT. */
static void expect_corrupted(const char *want)
{
    licscan_db *f = NULL, *g = NULL;
    int rc = licscan_db_open_file(tmp_path, &opt, &f);
    char msg[512];
    CHECK_EQ_INT(licscan_db_file_error(tmp_path, &opt, msg, sizeof msg),
                 LICSCAN_EFORMAT);
    const char *said = rc ? want : "corrupted database file: the words of";
    if (!strstr(msg, said)) {
        check_failed++;
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", msg, said);
    }
    uint32_t bad = UINT32_MAX;
    if (!rc && licscan_db_open_file(tmp_path, &opt, &g) == LICSCAN_OK)
        CHECK_EQ_INT(ls_words_all_ready(g, &bad), LICSCAN_EFORMAT);
    size_t len;
    char *text = bad != UINT32_MAX ? text_of(bad, &len) : NULL;
    if (text) { /* f has read no template's words yet */
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(f, text, len, NULL, &r), LICSCAN_EFORMAT);
        CHECK(r && strstr(licscan_result_errmsg(r), g->tpl[bad]->lic.id));
        licscan_result_free(r);
        char other[80];
        snprintf(other, sizeof other, "%s.copy", tmp_path);
        CHECK_EQ_INT(licscan_db_save(f, other), LICSCAN_EFORMAT);
        CHECK(strstr(licscan_db_errmsg(f), g->tpl[bad]->lic.id) != NULL);
        CHECK(access(other, F_OK) != 0);
    }
    CHECK(rc || text);
    free(text);
    licscan_db_free(f);
    licscan_db_free(g);
}

/* The embedded database saved to tmp_path and read back (NULL: failed,
 * counted). */
static unsigned char *saved_default(size_t *n)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db_free(db);
    return read_back(n);
}

static void test_bad_files(void)
{
    size_t n;
    unsigned char *good = saved_default(&n);
    if (!good)
        return;
    CHECK(n > 4096);
    /* truncated anywhere */
    size_t cuts[] = { 1, 7, 8, 40, 63, 64, 100, n / 3, n / 2, n - 8, n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_bytes(good, cuts[i]);
        expect_error(LICSCAN_EFORMAT, cuts[i] < 8 ? "magic" : "truncated");
    }
    write_bytes(good, 0);
    expect_error(LICSCAN_EFORMAT, "empty");
    /* a byte more */
    unsigned char *more = malloc(n + 1);
    memcpy(more, good, n);
    more[n] = 0;
    write_bytes(more, n + 1);
    expect_error(LICSCAN_EFORMAT, "after its end");
    free(more);
    /* not a database */
    write_bytes((const unsigned char *)"Hello, world\n", 13);
    expect_error(LICSCAN_EFORMAT, "magic");
    /* another format version */
    unsigned char *b = malloc(n);
    memcpy(b, good, n);
    b[8] = 99;
    write_bytes(b, n);
    expect_error(LICSCAN_EFORMAT, "version 99");
    expect_error(LICSCAN_EFORMAT, "newer licscan");
    /* an older one (2: the sums of before) */
    b[8] = 2;
    write_bytes(b, n);
    expect_error(LICSCAN_EFORMAT, "older licscan: recompile");
    /* the other byte order */
    memcpy(b, good, n);
    uint32_t swapped = 0x04030201u;
    memcpy(b + 12, &swapped, 4);
    write_bytes(b, n);
    expect_error(LICSCAN_EFORMAT, "byte order");
    /* a byte changed: in the header's checked part, the directory, and
     * spread over the arrays */
    size_t at[] = { 33,    64,    100,       300,     1000, n / 5,
                    n / 3, n / 2, 2 * n / 3, n - 100, n - 1 };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        memcpy(b, good, n);
        b[at[i]] ^= 0x10;
        write_bytes(b, n);
        expect_corrupted("corrupted");
    }
    /* a missing file, a directory */
    unlink(tmp_path);
    expect_error(LICSCAN_EIO, tmp_path);
    licscan_db *f = NULL;
    CHECK_EQ_INT(licscan_db_open_file("/", NULL, &f), LICSCAN_EIO);
    CHECK_EQ_INT(licscan_db_open_file(NULL, NULL, &f), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_db_open_file(tmp_path, NULL, NULL), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_db_save(NULL, tmp_path), LICSCAN_EINVAL);
    /* a directory that does not exist: an error with a message */
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_save(db, "/nonexistent-dir/x.lsdb"), LICSCAN_EIO);
    CHECK(strstr(licscan_db_errmsg(db), "/nonexistent-dir/x.lsdb") != NULL);
    licscan_db_free(db);
    CHECK_EQ_STR(licscan_status_name(LICSCAN_EFORMAT), "LICSCAN_EFORMAT");
    free(b);
    free(good);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The checksum: the same with AVX2 and without, whole or fed in pieces
 * of whole steps, from any alignment; a byte changed changes it. */
static void test_sums_both_ways(void)
{
    bool wide = ls_dbf_wide();
    unsigned char buf[1300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)rnd();
    for (size_t n = 0; n + 8 <= sizeof buf; n += 37)
        for (size_t off = 0; off < 8; off += 3) {
            const unsigned char *p = buf + off;
            uint64_t a = ls_dbf_checksum(p, n, false);
            CHECK(ls_dbf_checksum(p, n, wide) == a);
            dbf_sum s;
            ls_dbf_sum_init(&s);
            size_t at = 0;
            for (; n - at > 2 * DBF_SUM_STEP; at += 2 * DBF_SUM_STEP)
                ls_dbf_sum_feed(&s, p + at, 2 * DBF_SUM_STEP, wide);
            ls_dbf_sum_feed(&s, p + at, n - at, wide);
            CHECK(ls_dbf_sum_end(&s) == a);
            if (n) {
                buf[off + n / 2] ^= 4;
                CHECK(ls_dbf_checksum(p, n, false) != a);
                CHECK(ls_dbf_checksum(p, n, wide) != a);
                buf[off + n / 2] ^= 4;
            }
        }
    /* a tail's zeros are not its bytes: the count tells */
    static const unsigned char z[2] = { 0, 0 };
    CHECK(ls_dbf_checksum(z, 1, false) != ls_dbf_checksum(z, 2, false));
}

/* The words' check as words_ok states it, one word at a time. */
static uint32_t words_ref(const ls_token *t, const uint8_t *op, uint32_t n,
                          uint32_t most, uint32_t len)
{
    uint32_t req = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (t[k].id > most || t[k].start > t[k].end || t[k].end > len ||
            (k && t[k].start < t[k - 1].start) || op[k] > 1)
            return UINT32_MAX;
        req += !op[k];
    }
    return req;
}

/* Words of every length around the AVX2 loop's steps, each damaged in
 * one field at one place: the same verdict both ways as one at a time
 * (lengths in an array of exactly that size, so that a sanitizer sees a
 * read past it). */
static void test_words_both_ways(void)
{
    bool wide = ls_dbf_wide();
    const uint32_t most = 500, len = 4000;
    int compared = 0, bad = 0;
    for (uint32_t n = 0; n <= 70; n++)
        for (int damage = 0; damage < 12; damage++) {
            ls_token *t = malloc((n ? n : 1) * sizeof *t);
            uint8_t *op = malloc(n ? n : 1);
            if (!t || !op) {
                CHECK(0);
                free(t);
                free(op);
                return;
            }
            uint32_t at = 0;
            for (uint32_t k = 0; k < n; k++) {
                at += (uint32_t)(rnd() % 40);
                t[k].id = (uint32_t)(rnd() % (most + 1));
                t[k].start = at;
                t[k].end = at + (uint32_t)(rnd() % 9);
                op[k] = rnd() % 4 == 0;
            }
            uint32_t lim = n ? t[n - 1].end + (uint32_t)(rnd() % 3) : 0;
            if (lim > len)
                lim = len;
            uint32_t k = n ? (uint32_t)(rnd() % n) : 0;
            if (n)
                switch (damage) {
                case 1: t[k].id = most + 1; break;
                case 2: t[k].id = UINT32_MAX; break;
                case 3: t[k].start = t[k].end + 1; break;
                case 4: t[k].end = lim + 1; break;
                case 5: t[k].start = UINT32_C(0x80000000) + t[k].end; break;
                case 6: t[k].end = UINT32_C(0x80000000); break;
                case 7:
                    t[k].start = UINT32_C(0x90000000);
                    t[k].end = UINT32_C(0x90000001);
                    break;
                case 8: op[k] = 2; break;
                case 9:
                    if (k)
                        t[k].start = t[k - 1].start - 1;
                    break;
                case 10: t[k].end = UINT32_MAX; break;
                default: break;
                }
            uint32_t want = words_ref(t, op, n, most, lim);
            uint32_t a = ls_dbf_words_ok(t, op, n, most, lim, false);
            uint32_t b = ls_dbf_words_ok(t, op, n, most, lim, wide);
            CHECK_EQ_INT(a, want);
            CHECK_EQ_INT(b, want);
            /* a source of 2^31 bytes or more: the portable loop */
            CHECK_EQ_INT(ls_dbf_words_ok(t, op, n, most, UINT32_MAX, wide),
                         words_ref(t, op, n, most, UINT32_MAX));
            compared++;
            bad += want == UINT32_MAX;
            free(t);
            free(op);
        }
    CHECK(compared > 800 && bad > 400);
}

/* The embedded set as a saved file (*good, *n bytes) and an aligned
 * buffer of its size to open changed copies from: false, and nothing to
 * free, when either is missing. */
static bool saved_and_room(unsigned char **good, void **copy, size_t *n)
{
    *good = saved_default(n);
    *copy = *good ? aligned_alloc(8, (*n + 7) & ~(size_t)7) : NULL;
    if (*good && *copy)
        return true;
    free(*good);
    free(*copy);
    return false;
}

/* An image damaged where its arrays are checked value by value, opened
 * without its checksums: refused, the same message both ways. */
static void test_checks_both_ways(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    static const int ids[] = { A_TOKEN,   A_OPTIONAL, A_SH_KEY,
                               A_SH_HEAD, A_POST,     A_WORD_HEAD };
    int refused = 0, tried = 0;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        dbf_array d = dir_of(good, ids[i]);
        uint64_t bytes = d.count * d.elem;
        for (int k = 0; k < 40 && bytes; k++) {
            memcpy(copy, good, n);
            uint64_t at = d.offset + rnd() % bytes;
            /* a word set to a value out of its range */
            uint32_t v = k % 3 == 0   ? UINT32_MAX
                         : k % 3 == 1 ? UINT32_C(0x7fffffff)
                                      : (uint32_t)rnd();
            at -= (at - d.offset) % (d.elem >= 4 ? 4 : 1);
            if (d.elem >= 4)
                memcpy((unsigned char *)copy + at, &v, 4);
            else
                ((unsigned char *)copy)[at] = (unsigned char)(2 + k);
            char e1[256] = "", e2[256] = "", e3[400] = "", want[400];
            licscan_db *a = NULL, *b = NULL, *c = NULL;
            int r1 =
                ls_dbf_open_image(copy, n, 0, NULL, 0, &opt, &a, e1, sizeof e1);
            int r2 = ls_dbf_open_image(copy, n, DBF_PORTABLE, NULL, 0, &opt, &b,
                                       e2, sizeof e2);
            r1 = r1 ? r1 : words_read(a, e1, sizeof e1);
            r2 = r2 ? r2 : words_read(b, e2, sizeof e2);
            CHECK_EQ_INT(r1, r2);
            CHECK_EQ_STR(e1, e2);
            /* the same file read through windows that cut its arrays */
            write_bytes(copy, n);
            int r3 = ls_dbf_open_file(tmp_path, DBF_SMALL_WINDOWS, &opt, &c, e3,
                                      sizeof e3);
            if (!r3 && (r3 = words_read(c, e2, sizeof e2)) != LICSCAN_OK)
                snprintf(e3, sizeof e3, "%s: %s", tmp_path, e2);
            CHECK_EQ_INT(r1, r3);
            snprintf(want, sizeof want, "%s: %s", tmp_path, e1);
            if (r1)
                CHECK_EQ_STR(e3, want);
            refused += r1 == LICSCAN_EFORMAT;
            tried++;
            licscan_db_free(a);
            licscan_db_free(b);
            licscan_db_free(c);
        }
    }
    /* (a value may stay in range: a word's id, a key) */
    CHECK(refused > tried / 2);
    free(copy);
    free(good);
}

/* A changed image opened without its checksums and its templates' words
 * read: it opens and reads, or it is refused as corrupt with `refusal` in
 * the message. */
static void expect_unchecked(void *copy, size_t n, bool opens,
                             const char *refusal)
{
    char err[256] = "";
    licscan_db *db = NULL;
    int rc = ls_dbf_open_image(copy, n, 0, NULL, 0, &opt, &db, err, sizeof err);
    rc = rc ? rc : words_read(db, err, sizeof err);
    CHECK_EQ_INT(rc, opens ? LICSCAN_OK : LICSCAN_EFORMAT);
    if (!opens)
        CHECK(strstr(err, refusal) != NULL);
    licscan_db_free(db);
}

/* The dictionary's slots: a used one must name a word (1 to the count),
 * an unused one's id is not read. Opened without the checksums. */
static void test_dictionary_slots(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    dbf_array dh = dir_of(good, A_DICT_HASH);
    dbf_array di = dir_of(good, A_DICT_ID);
    dbf_array ds = dir_of(good, A_SCALARS);
    uint32_t count;
    memcpy(&count, good + ds.offset + S_DICT_COUNT * sizeof(uint32_t),
           sizeof count);
    CHECK(dh.count == di.count && dh.count > count && count > 0);
    uint64_t used_at = UINT64_MAX, free_at = UINT64_MAX;
    for (uint64_t i = 0; i < dh.count; i++) {
        uint64_t h;
        memcpy(&h, good + dh.offset + i * sizeof h, sizeof h);
        if (h && used_at == UINT64_MAX)
            used_at = i;
        if (!h && free_at == UINT64_MAX)
            free_at = i;
    }
    CHECK(used_at != UINT64_MAX && free_at != UINT64_MAX);
    if (used_at == UINT64_MAX || free_at == UINT64_MAX) {
        free(copy);
        free(good);
        return;
    }
    struct {
        uint64_t slot;
        uint32_t id;
        bool opens;
    } cases[] = { { used_at, 0, false },          { used_at, count + 1, false },
                  { used_at, UINT32_MAX, false }, { used_at, count, true },
                  { used_at, 1, true },           { free_at, 0, true },
                  { free_at, UINT32_MAX, true } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(copy, good, n);
        memcpy((unsigned char *)copy + di.offset + cases[k].slot * 4,
               &cases[k].id, 4);
        expect_unchecked(copy, n, cases[k].opens, "dictionary slot");
    }
    free(copy);
    free(good);
}

/* The list a template word leads to: none (0), or a posting (1 to the
 * count), whose list is walked on from there (checked with the
 * template's words); one count fewer than the words refused at open.
 * Opened without the checksums. */
static void test_word_heads(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    size_t wh_at = sizeof(dbf_header) + A_WORD_HEAD * sizeof(dbf_array);
    dbf_array wh = dir_of(good, A_WORD_HEAD), po = dir_of(good, A_POST);
    CHECK(wh.count > 10 && po.count > 0);
    uint32_t npost = (uint32_t)po.count;
    struct {
        uint32_t head;
        bool opens;
    } cases[] = { { 0, true },
                  { 1, true },
                  { npost, true },
                  { npost + 1, false },
                  { UINT32_MAX, false } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0] && wh.count; k++) {
        memcpy(copy, good, n);
        uint64_t at = wh.offset + (rnd() % wh.count) * sizeof(uint32_t);
        memcpy((unsigned char *)copy + at, &cases[k].head, 4);
        expect_unchecked(copy, n, cases[k].opens, "the words of template");
    }
    /* a head changed within range: the checksum tells */
    memcpy(copy, good, n);
    uint32_t v;
    uint64_t at = wh.offset + (wh.count / 2) * sizeof v;
    memcpy(&v, (unsigned char *)copy + at, sizeof v);
    v = v ? v - 1 : 1;
    memcpy((unsigned char *)copy + at, &v, sizeof v);
    write_bytes(copy, n);
    expect_corrupted("(opens)");
    memcpy(copy, good, n);
    wh.count--;
    memcpy((unsigned char *)copy + wh_at, &wh, sizeof wh);
    expect_unchecked(copy, n, false, "word heads");
    free(copy);
    free(good);
}

/* Each template's source lies after the one before it (A_SOURCE), or
 * the file is refused at open, and is UTF-8 ending in its only NUL, its words
 * beginning on characters and its vars' original wording UTF-8, checked
 * with its words (the first, a middle and the last template's): else they
 * are refused, checksums or not; a changed letter inside a source is
 * caught by the template's sum. */
static void test_source_ends(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    dbf_array ta = dir_of(good, A_TEMPLATE);
    dbf_array sa = dir_of(good, A_SOURCE);
    CHECK(ta.count > 2);
    uint64_t which[3] = { 0, ta.count / 2, ta.count - 1 };
    int cut_words = 0;
    for (int k = 0; k < 3; k++) {
        dbf_template t;
        uint64_t rec = ta.offset + which[k] * sizeof t;
        memcpy(&t, good + rec, sizeof t);
        uint64_t end = sa.offset + t.source + t.source_len;
        CHECK(good[end] == 0);
        memcpy(copy, good, n);
        ((unsigned char *)copy)[end] = 'x';
        expect_unchecked(copy, n, false, "the words of template");
        write_bytes(copy, n);
        expect_corrupted("(opens)");
        memcpy(copy, good, n);
        ((unsigned char *)copy)[end - 1] = 0xFF; /* not UTF-8 */
        expect_unchecked(copy, n, false, "the words of template");
        memcpy(copy, good, n);
        ((unsigned char *)copy)[end - 1] = 0; /* a NUL inside (binary) */
        expect_unchecked(copy, n, false, "the words of template");
        memcpy(copy, good, n);
        ((unsigned char *)copy)[end - 1] ^= 0x20; /* a letter's case */
        expect_unchecked(copy, n, true, NULL);
        write_bytes(copy, n);
        expect_corrupted("(opens)");
        /* a source where the one before it does not end */
        memcpy(copy, good, n);
        t.source += 1;
        memcpy((unsigned char *)copy + rec, &t, sizeof t);
        expect_unchecked(copy, n, false, "template source");
    }
    /* a word that begins inside a character (of the first template with
     * a word not ASCII) */
    dbf_array tk = dir_of(good, A_TOKEN);
    for (uint64_t i = 0; i < ta.count && !cut_words; i++) {
        dbf_template t;
        memcpy(&t, good + ta.offset + i * sizeof t, sizeof t);
        const unsigned char *c = good + sa.offset + t.source;
        for (uint32_t w = 0; w < t.ntok; w++) {
            ls_token word;
            uint64_t at = tk.offset + ((uint64_t)t.tok + w) * sizeof word;
            memcpy(&word, good + at, sizeof word);
            if (word.end - word.start < 2 || c[word.start] < 0xC0)
                continue;
            memcpy(copy, good, n);
            word.start++;
            memcpy((unsigned char *)copy + at, &word, sizeof word);
            expect_unchecked(copy, n, false, "the words of template");
            cut_words++;
            break;
        }
    }
    CHECK(cut_words > 0);
    /* a var's original wording not UTF-8 (the first template's var with
     * one): refused with the template's words */
    dbf_array va = dir_of(good, A_VAR);
    dbf_array st = dir_of(good, A_STRINGS);
    bool bad_original = false;
    for (uint64_t k = 0; k < va.count && !bad_original; k++) {
        dbf_var v;
        memcpy(&v, good + va.offset + k * sizeof v, sizeof v);
        if (!good[st.offset + v.original])
            continue;
        memcpy(copy, good, n);
        ((unsigned char *)copy)[st.offset + v.original] = 0xFF;
        expect_unchecked(copy, n, false, "the words of template");
        bad_original = true;
    }
    CHECK(bad_original);
    free(copy);
    free(good);
}

/* Opening reads no template's words, a scan those of the templates it
 * meets, once: each template damaged in turn (a word's id out of range,
 * checksums off; a letter of its source, on) opens, and a scan of its text
 * fails with LICSCAN_EFORMAT, with the template's words checked then; the
 * file unchanged, a scan of one text reads a few templates' words. */
static void test_words_read_when_met(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    dbf_array ta = dir_of(good, A_TEMPLATE);
    dbf_array tk = dir_of(good, A_TOKEN);
    dbf_array sa = dir_of(good, A_SOURCE);
    uint32_t failed = 0, tried = 0;
    for (uint32_t i = 0; i < ta.count; i += stride) {
        dbf_template t;
        memcpy(&t, good + ta.offset + (uint64_t)i * sizeof t, sizeof t);
        size_t len;
        char *text = text_of(i, &len);
        if (!text)
            continue;
        for (int how = 0; how < 2; how++) {
            memcpy(copy, good, n);
            unsigned char *c = copy;
            if (how == 0) {
                uint32_t huge = UINT32_MAX - 7;
                uint64_t w = t.tok + rnd() % t.ntok;
                memcpy(c + tk.offset + w * sizeof(ls_token), &huge, 4);
            } else {
                c[sa.offset + t.source + t.source_len / 2] ^= 0x01;
            }
            licscan_db *db = NULL;
            char err[256];
            CHECK_EQ_INT(ls_dbf_open_image(copy, n, how ? DBF_CHECK_SUMS : 0,
                                           NULL, 0, &opt, &db, err, sizeof err),
                         LICSCAN_OK);
            if (!db)
                continue;
            CHECK_EQ_INT(db->file->words[i], LS_WORDS_UNSEEN);
            licscan_result *r = NULL;
            int rc = licscan_scan(db, text, len, NULL, &r);
            CHECK_EQ_INT(rc, LICSCAN_EFORMAT);
            CHECK_EQ_INT(db->file->words[i], LS_WORDS_BAD);
            failed += rc == LICSCAN_EFORMAT;
            tried++;
            licscan_result_free(r);
            licscan_db_free(db);
        }
        free(text);
    }
    CHECK(tried > 0 && failed == tried);
    /* as written: one text reads its own template and a few more */
    licscan_db *db = NULL;
    char err[256];
    size_t len;
    char *text = text_of(0, &len);
    if (text && ls_dbf_open_image(good, n, DBF_CHECK_SUMS, NULL, 0, &opt, &db,
                                  err, sizeof err) == LICSCAN_OK) {
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(db, text, len, NULL, &r), LICSCAN_OK);
        uint32_t read = 0;
        for (uint32_t i = 0; i < db->file->ntpl; i++) {
            CHECK(db->file->words[i] != LS_WORDS_BAD);
            read += db->file->words[i] == LS_WORDS_GOOD;
        }
        CHECK(db->file->words[0] == LS_WORDS_GOOD);
        CHECK(read >= 1 && read < db->file->ntpl / 2);
        licscan_result_free(r);
    }
    licscan_db_free(db);
    free(text);
    free(copy);
    free(good);
}

/* A model whose base's license is read as published (its template's
 * source): judged with the file as saved, refused with LICSCAN_EFORMAT
 * when that template's words are damaged, as a scan of them is. */
static void test_model_reads_published(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_and_room(&good, &copy, &n))
        return;
    dbf_array ta = dir_of(good, A_TEMPLATE);
    dbf_array sa = dir_of(good, A_SOURCE);
    for (int damaged = 0; damaged < 2; damaged++) {
        memcpy(copy, good, n);
        licscan_db *db = NULL;
        char err[256];
        CHECK_EQ_INT(ls_dbf_open_image(copy, n, DBF_CHECK_SUMS, NULL, 0, &opt,
                                       &db, err, sizeof err),
                     LICSCAN_OK);
        const licscan_license *lic =
            db ? licscan_db_lookup(db, "Llama-3.1-Community") : NULL;
        CHECK(lic != NULL);
        if (!lic) {
            licscan_db_free(db);
            break;
        }
        if (damaged) { /* (no scan has read it: the file changed under it) */
            dbf_template t;
            uint32_t i = ((const ls_template *)(const void *)lic)->index;
            memcpy(&t, good + ta.offset + (uint64_t)i * sizeof t, sizeof t);
            ((unsigned char *)copy)[sa.offset + t.source + 10] ^= 0x01;
        }
        licscan_model *m = NULL;
        CHECK_EQ_INT(licscan_model_new(db, "tuned", NULL, &m), LICSCAN_OK);
        CHECK_EQ_INT(licscan_model_set_card_field(
                         m, "base_model", "meta-llama/Llama-3.1-8B", 23),
                     LICSCAN_OK);
        licscan_facts f;
        licscan_facts_init(&f, sizeof f);
        licscan_verdict *v = NULL;
        CHECK_EQ_INT(licscan_model_evaluate(m, &f, &v),
                     damaged ? LICSCAN_EFORMAT : LICSCAN_OK);
        licscan_verdict_free(v);
        licscan_model_free(m);
        licscan_db_free(db);
    }
    free(copy);
    free(good);
}

/* lib/dbfile.c, hidden in the shared library: an image opened without
 * its checksums, as fuzz/fuzz_dbfile.c does. */
int ls_db_open_image(const void *data, size_t len, bool check_sum, void *unmap,
                     size_t map_len, const licscan_db_options *opts,
                     licscan_db **out, char *err, size_t errlen);

/* The embedded set as a saved file (b, n bytes), the place of `text`
 * (len bytes) in it, and an aligned buffer of the file's size to open
 * changed copies from: false, and nothing to free, when one is missing. */
typedef struct saved_file {
    unsigned char *b, *at;
    void *copy;
    size_t n;
} saved_file;

static bool saved_with(const char *text, size_t len, saved_file *f)
{
    *f = (saved_file){ 0 };
    if (!saved_and_room(&f->b, &f->copy, &f->n))
        return false;
    f->at = memmem(f->b, f->n, text, len);
    CHECK(f->at != NULL);
    if (f->at)
        return true;
    free(f->copy);
    free(f->b);
    return false;
}

/* The rule patterns of a file compile when they first run: a pattern
 * PCRE2 rejects (a file not made by licscan_db_save) opens, and the
 * pattern never matches; the rule's other patterns still do. */
static void test_bad_rule_pattern(void)
{
    /* the first match pattern of rule attribution: "(?:" unbalanced */
    static const char pat[] = "match (?:must|shall|agree to|are required to)";
    saved_file sf;
    if (saved_with(pat, sizeof pat - 1, &sf)) {
        void *copy = sf.copy;
        size_t n = sf.n;
        sf.at[8] = '(';
        memcpy(copy, sf.b, n);
        char err[256] = "";
        licscan_db *f = NULL;
        CHECK_EQ_INT(ls_db_open_image(copy, n, false, NULL, 0, &opt, &f, err,
                                      sizeof err),
                     LICSCAN_OK);
        static const char text[] =
            "The above copyright notice and this permission notice shall be "
            "included in all copies or substantial portions of the Software.";
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(f, text, sizeof text - 1, NULL, &r),
                     LICSCAN_OK);
        /* (the rule's second pattern reads this clause) */
        int flag = licscan_flag_lookup("attribution");
        CHECK(flag >= 0 && r &&
              licscan_result_find_restriction(r, (uint32_t)flag) != NULL);
        licscan_result_free(r);
        licscan_db_free(f);
        free(sf.copy);
        free(sf.b);
    }
}

/* A license's metadata is given out as UTF-8: a file whose name of a
 * license is not is refused, as fuzz_dbfile found one that was not. */
static void test_metadata_not_utf8(void)
{
    static const char name[] = "Apache License 2.0";
    saved_file sf;
    if (saved_with(name, sizeof name, &sf)) { /* (with its NUL) */
        void *copy = sf.copy;
        size_t n = sf.n;
        memcpy(copy, sf.b, n);
        ((unsigned char *)copy)[sf.at - sf.b + 7] = 0xC3; /* before a space */
        char err[256] = "";
        licscan_db *f = NULL;
        CHECK_EQ_INT(ls_db_open_image(copy, n, false, NULL, 0, &opt, &f, err,
                                      sizeof err),
                     LICSCAN_EFORMAT);
        CHECK(strstr(err, "template metadata") != NULL);
        CHECK(f == NULL);
        licscan_db_free(f);
        /* the same file as written opens */
        memcpy(copy, sf.b, n);
        CHECK_EQ_INT(ls_db_open_image(copy, n, false, NULL, 0, &opt, &f, err,
                                      sizeof err),
                     LICSCAN_OK);
        licscan_db_free(f);
        free(sf.copy);
        free(sf.b);
    }
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    make_tmp();
    licscan_db_options_init(&opt, sizeof opt);
    opt.allocator = base_allocator();
    test_embedded_round_trip();
    test_spdx_round_trip();
    test_add_after_open();
    test_bad_files();
    test_bad_rule_pattern();
    test_metadata_not_utf8();
    test_sums_both_ways();
    test_words_both_ways();
    test_checks_both_ways();
    test_dictionary_slots();
    test_word_heads();
    test_source_ends();
    test_words_read_when_met();
    test_model_reads_published();
    unlink(tmp_path);
    printf("unit_dbfile: %d checks passed, %d failed\n", check_passed,
           check_failed);
    return check_failed ? 1 : 0;
}
