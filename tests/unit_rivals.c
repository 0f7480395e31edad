/* Unit tests: a text that is one template whole (lib/match.c), with the
 * rivals of each template (lib/rivals.c) that a compiled set carries.
 *
 * The shortcut searches the likeliest template and its rivals alone and
 * keeps the answer only when it is one exact match of every word (a try
 * that fails hands its work to the search of all); it must never change
 * a result. The test control that turns it off gives the
 * same database without it: every file of corpus/ is scanned both ways
 * and the JSON lines must agree, for the embedded image and for a
 * compiled file of it. Those comparisons would also pass with a shortcut
 * never taken, so the count of scans it settled must grow on the
 * templates' own texts. A database that changes after it was compiled
 * drops the rivals (they were worked out for the old set), and a file
 * whose rivals are damaged is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "corpus_files.h"
#include "dbfile.h"
#include "internal.h"
#include "jit_off.h"
#include "rivals.h"
#include "licscan.h"
#include "testctl.h"

static char tmp_path[64];
static licscan_db_options opt;

static void open_pair(licscan_db **with, licscan_db **without)
{
    CHECK_EQ_INT(licscan_db_open_default(&opt, with), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&opt, without), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(*without, LS_TEST_WHOLE_TEMPLATE, 0),
                 LICSCAN_OK);
}

/* The scans of corpus/ that the shortcut settled; the same JSON both
 * ways. */
static uint64_t compare_corpus(const licscan_db *with,
                               const licscan_db *without, const char *what)
{
    uint64_t before = ls_whole_template_count();
    json_pair c = { with, without, what, 0, 0 };
    walk_txt("corpus", compare_json, &c);
    CHECK(c.files > 60 / stride);
    CHECK_EQ_INT(c.differing, 0);
    uint64_t settled = ls_whole_template_count() - before;
    printf("  %s: %d corpus files alike, %llu scans settled by a whole "
           "template\n",
           what, c.files, (unsigned long long)settled);
    return settled;
}

/* Scan the file when it is a license as published (original.txt). */
static void scan_original(const char *path, void *arg)
{
    size_t l = strlen(path), len;
    if (l < 13 || strcmp(path + l - 13, "/original.txt"))
        return;
    unsigned char *data = slurp(path, &len);
    licscan_result *r = NULL;
    if (data)
        CHECK_EQ_INT(licscan_scan(arg, data, len, NULL, &r), LICSCAN_OK);
    licscan_result_free(r);
    free(data);
}

static void test_embedded(void)
{
    licscan_db *with, *without;
    open_pair(&with, &without);
    /* many corpus files are a license as published or only
     * reformatted (comments, line ends, quotes): many are settled */
    uint64_t settled = compare_corpus(with, without, "embedded image");
    CHECK(settled > 100 / (uint64_t)stride);
    /* off, the count stays; on, the licenses as published count */
    uint64_t before = ls_whole_template_count();
    walk_txt("corpus", scan_original, without);
    CHECK(ls_whole_template_count() == before);
    walk_txt("corpus", scan_original, with);
    CHECK(ls_whole_template_count() > before + 10 / (uint64_t)stride);
    CHECK_EQ_INT(ls_test_control(with, LS_TEST_WHOLE_TEMPLATE, 2),
                 LICSCAN_EINVAL);
    licscan_db_free(with);
    licscan_db_free(without);
}

/* The embedded set saved and opened again: its rivals came along. */
static void test_compiled_file(void)
{
    licscan_db *db = NULL, *with = NULL, *without = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db_free(db);
    CHECK_EQ_INT(licscan_db_open_file(tmp_path, &opt, &with), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_file(tmp_path, &opt, &without), LICSCAN_OK);
    if (!with || !without) {
        licscan_db_free(with);
        licscan_db_free(without);
        return;
    }
    CHECK_EQ_INT(ls_test_control(without, LS_TEST_WHOLE_TEMPLATE, 0),
                 LICSCAN_OK);
    CHECK(compare_corpus(with, without, "compiled file") >
          100 / (uint64_t)stride);

    /* a template added: the rivals no longer hold, none is used */
    uint64_t before = ls_whole_template_count();
    walk_txt("corpus", scan_original, with);
    CHECK(ls_whole_template_count() > before + 10 / (uint64_t)stride);
    static const char extra[] = "This text is a test's own license: use it "
                                "for nothing, in no place, at no time.";
    CHECK_EQ_INT(licscan_db_add_template(with, "Test-Own", extra,
                                         sizeof extra - 1, NULL, 0, NULL),
                 LICSCAN_OK);
    before = ls_whole_template_count();
    walk_txt("corpus", scan_original, with);
    CHECK(ls_whole_template_count() == before);
    licscan_db_free(with);
    licscan_db_free(without);
}

/* Damaged rivals: an entry naming no template, offsets going back, the
 * last offset not the list's end. Refused with a message, never used. */
static void test_damaged_rivals(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db_free(db);
    size_t n;
    unsigned char *good = slurp(tmp_path, &n);
    void *copy = aligned_alloc(8, (n + 7) & ~(size_t)7);
    CHECK(good && copy);
    if (!good || !copy) {
        free(good);
        free(copy);
        return;
    }
    dbf_array off, list;
    memcpy(&off, good + sizeof(dbf_header) + A_RIVAL_OFF * sizeof off,
           sizeof off);
    memcpy(&list, good + sizeof(dbf_header) + A_RIVAL * sizeof list,
           sizeof list);
    CHECK(off.count > 2 && list.count > 0);
    struct {
        uint64_t at;
        uint32_t v;
    } damage[] = {
        { list.offset, UINT32_MAX }, /* no such template */
        { list.offset + 4 * (list.count - 1), (uint32_t)off.count - 1 },
        { off.offset + 4, UINT32_MAX },          /* going back after */
        { off.offset, 1 },                       /* not from 0 */
        { off.offset + 4 * (off.count - 1), 0 }, /* not the list's end */
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        memcpy(copy, good, n);
        memcpy((unsigned char *)copy + damage[i].at, &damage[i].v, 4);
        char err[256] = "";
        licscan_db *bad = NULL;
        CHECK_EQ_INT(ls_db_open_image(copy, n, false, NULL, 0, &opt, &bad, err,
                                      sizeof err),
                     LICSCAN_EFORMAT);
        CHECK(bad == NULL);
        CHECK(strstr(err, "rival") != NULL);
    }
    /* untouched, it opens */
    memcpy(copy, good, n);
    char err[256] = "";
    CHECK_EQ_INT(
        ls_db_open_image(copy, n, false, NULL, 0, &opt, &db, err, sizeof err),
        LICSCAN_OK);
    licscan_db_free(db);
    free(copy);
    free(good);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    licscan_db_options_init(&opt, sizeof opt);
    opt.allocator = base_allocator(); /* see jit_off.h */
    snprintf(tmp_path, sizeof tmp_path, "/tmp/unit_rivals.%ld.lsdb",
             (long)getpid());
    test_embedded();
    test_compiled_file();
    test_damaged_rivals();
    unlink(tmp_path);
    printf("unit_rivals: %d checks passed, %d failed\n", check_passed,
           check_failed);
    return check_failed ? 1 : 0;
}
