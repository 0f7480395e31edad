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
 * whose rivals are damaged is refused. A set whose templates share a
 * sentence has common lists, where the shortcut bisects (the index laid
 * out in ranges); one laid out otherwise is walked by its links. */
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
    uint64_t left_before = ls_rivals_left_out_count();
    int files = corpus_alike(with, without, what, 60);
    uint64_t settled = ls_whole_template_count() - before;
    uint64_t left_out = ls_rivals_left_out_count() - left_before;
    printf("  %s: %d corpus files alike, %llu scans settled by a whole "
           "template, leaving out %llu rivals by their shared words\n",
           what, files, (unsigned long long)settled,
           (unsigned long long)left_out);
    /* the bound is in use, not only sound */
    CHECK(left_out > 0);
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

/* The LCS length of bit vectors (rivals.c) against the table filled
 * cell by cell, on sequences around the 64-bit word edges, over few
 * words (many matches) and many. */
static uint32_t lcs_table(const uint32_t *x, uint32_t nx, const uint32_t *y,
                          uint32_t ny)
{
    uint32_t *row = calloc(ny + 1, sizeof *row);
    for (uint32_t i = 0; row && i < nx; i++) {
        uint32_t diag = 0; /* row[j - 1] of the row before */
        for (uint32_t j = 1; j <= ny; j++) {
            uint32_t up = row[j];
            row[j] = x[i] == y[j - 1]  ? diag + 1
                     : up > row[j - 1] ? up
                                       : row[j - 1];
            diag = up;
        }
    }
    uint32_t n = row ? row[ny] : UINT32_MAX;
    free(row);
    return n;
}

static void test_lcs_length(void)
{
    static const uint32_t sizes[] = { 0, 1, 2, 63, 64, 65, 127, 128, 129, 300 };
    enum { NS = sizeof sizes / sizeof sizes[0] };
    uint32_t x[300], y[300], seed = 12345, differing = 0, cases = 0;
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    if (!db)
        return;
    const ls_alloc *a = &db->alloc;
    for (uint32_t words = 2; words <= 2000; words *= 10)
        for (uint32_t i = 0; i < NS; i++)
            for (uint32_t j = 0; j < NS; j++) {
                for (uint32_t k = 0; k < sizes[i]; k++)
                    x[k] =
                        1 + (seed = seed * 1103515245 + 12345) / 65536 % words;
                for (uint32_t k = 0; k < sizes[j]; k++)
                    y[k] =
                        1 + (seed = seed * 1103515245 + 12345) / 65536 % words;
                uint32_t got = ls_lcs_length(a, x, sizes[i], y, sizes[j]);
                differing += got != lcs_table(x, sizes[i], y, sizes[j]);
                cases++;
            }
    CHECK_EQ_INT(differing, 0);
    /* one sequence against itself, and a copy with every other word */
    for (uint32_t k = 0; k < 300; k++)
        x[k] = y[k] = k + 1;
    CHECK_EQ_INT(ls_lcs_length(a, x, 300, y, 300), 300);
    for (uint32_t k = 0; k < 150; k++)
        y[k] = x[2 * k + 1];
    CHECK_EQ_INT(ls_lcs_length(a, x, 300, y, 150), 150);
    CHECK_EQ_INT(ls_lcs_length(a, y, 150, x, 300), 150);
    printf("  LCS of bit vectors: %u pairs of sequences as the table has "
           "them\n",
           cases);
    licscan_db_free(db);
}

/* u a rival of t: t one of u (a text of t whose vars take other words
 * may bring u as close as u's own text brings t) */
static void test_rivals_each_way(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    if (!db)
        return;
    uint32_t pairs = 0, one_way = 0;
    for (uint32_t t = 0; t < db->ntpl; t++) {
        uint32_t n, m;
        const uint32_t *r = ls_rivals_of(db, t, &n);
        for (uint32_t k = 0; r && k < n; k++) {
            const uint32_t *back = ls_rivals_of(db, r[k], &m);
            bool found = false;
            for (uint32_t j = 0; back && j < m && !found; j++)
                found = back[j] == t;
            pairs++;
            one_way += !found;
        }
    }
    CHECK(pairs > 0);
    CHECK_EQ_INT(one_way, 0);
    licscan_db_free(db);
}

/* db saved to tmp_path (and freed), and opened from it twice: as it
 * opens (*with), and with every list walked whole by its links and no
 * text tried as one template whole (*without); false, both freed, when
 * either did not open. */
static bool save_and_open_pair(licscan_db *db, licscan_db **with,
                               licscan_db **without)
{
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db_free(db);
    *with = *without = NULL;
    CHECK_EQ_INT(licscan_db_open_file(tmp_path, &opt, with), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_file(tmp_path, &opt, without), LICSCAN_OK);
    if (!*with || !*without) {
        licscan_db_free(*with);
        licscan_db_free(*without);
        return false;
    }
    CHECK_EQ_INT(ls_test_control(*without, LS_TEST_WHOLE_TEMPLATE, 0),
                 LICSCAN_OK);
    return true;
}

/* The embedded set saved and opened again: its rivals came along. */
static void test_compiled_file(void)
{
    licscan_db *db = NULL, *with = NULL, *without = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    if (!save_and_open_pair(db, &with, &without))
        return;
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

/* db saved to tmp_path (and freed), its bytes read back into *good, and
 * *copy room for them, 8-aligned as an image must be; false (nothing to
 * free) when any of that failed. */
static bool saved_image(licscan_db *db, unsigned char **good, void **copy,
                        size_t *n)
{
    CHECK_EQ_INT(licscan_db_save(db, tmp_path), LICSCAN_OK);
    licscan_db_free(db);
    *good = slurp(tmp_path, n);
    *copy = *good ? aligned_alloc(8, (*n + 7) & ~(size_t)7) : NULL;
    CHECK(*good && *copy);
    if (*good && *copy)
        return true;
    free(*good);
    free(*copy);
    return false;
}

/* The embedded set saved, as saved_image gives it. */
static bool saved_default(unsigned char **good, void **copy, size_t *n)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    return db && saved_image(db, good, copy, n);
}

/* The directory's entry for array id of the file image good. */
static dbf_array array_of(const unsigned char *good, int id)
{
    dbf_array a;
    memcpy(&a, good + sizeof(dbf_header) + (size_t)id * sizeof a, sizeof a);
    return a;
}

/* Damaged rivals: an entry naming no template, offsets going back, the
 * last offset not the list's end. Refused with a message, never used. */
static void test_damaged_rivals(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_default(&good, &copy, &n))
        return;
    licscan_db *db = NULL;
    dbf_array off = array_of(good, A_RIVAL_OFF), list = array_of(good, A_RIVAL);
    CHECK(off.count > 2 && list.count > 0);
    /* the directory's count of shared words (little-endian low half) */
    uint64_t shared_count = sizeof(dbf_header) +
                            A_RIVAL_SHARED * sizeof(dbf_array) +
                            offsetof(dbf_array, count);
    struct {
        uint64_t at;
        uint32_t v;
    } damage[] = {
        { list.offset, UINT32_MAX }, /* no such template */
        { list.offset + 4 * (list.count - 1), (uint32_t)off.count - 1 },
        { off.offset + 4, UINT32_MAX },             /* going back after */
        { off.offset, 1 },                          /* not from 0 */
        { off.offset + 4 * (off.count - 1), 0 },    /* not the list's end */
        { shared_count, (uint32_t)list.count - 1 }, /* one short */
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

/* Damaged answers: naming no template, the runner-up the winner, a ratio
 * past 1 or not a number, the padding set, no words, out of order.
 * Refused with a message, never used. */
static void test_damaged_answers(void)
{
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_default(&good, &copy, &n))
        return;
    dbf_array arr = array_of(good, A_WHOLE_ANSWER);
    CHECK(arr.count > 2);
    if (arr.count <= 2) {
        free(copy);
        free(good);
        return;
    }
    ls_whole_answer first, second;
    memcpy(&first, good + arr.offset, sizeof first);
    memcpy(&second, good + arr.offset + sizeof first, sizeof second);
    ls_whole_answer bad[] = {
        first, first, first, first, first, first, second
    };
    bad[0].winner = UINT32_MAX;
    bad[1].runner = first.winner;
    bad[2].coverage = 2;
    bad[3].similarity = __builtin_nan("");
    bad[4].zero = 1;
    bad[5].ntok = 0;
    /* each damage in the first entry; the last the first two swapped */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(copy, good, n);
        memcpy((unsigned char *)copy + arr.offset, &bad[i], sizeof bad[i]);
        if (i == 6)
            memcpy((unsigned char *)copy + arr.offset + sizeof first, &first,
                   sizeof first);
        char err[256] = "";
        licscan_db *refused = NULL;
        CHECK_EQ_INT(ls_db_open_image(copy, n, false, NULL, 0, &opt, &refused,
                                      err, sizeof err),
                     LICSCAN_EFORMAT);
        CHECK(refused == NULL);
        CHECK(strstr(err, i == 6 ? "answers' order" : "answer") != NULL);
    }
    free(copy);
    free(good);
}

/* ---- common lists: a shingle in more than LS_COMMON_SHINGLE templates ----
 * The embedded set has none; a set with a sentence many templates share
 * has them, and the shortcut finds a template's postings in them by
 * bisection. */

#define SHARED_TEMPLATES (LS_COMMON_SHINGLE + 12)

/* Text k of the shared set: a shared sentence, then words of its own. */
static void shared_text(char *out, size_t cap, int k)
{
    snprintf(out, cap,
             "Permission is granted to use this shared test work for any "
             "purpose under the test terms that follow. Term %c%c of the "
             "set: the work named here as item%d may be kept by holder%d "
             "and shown at place%d for reason%d, and no other use is "
             "given by this text number %d.",
             'a' + k % 26, 'a' + k / 26, k, k * 7, k * 13, k * 29, k);
}

/* Scan text k alone, two of them, and the shared sentence alone: the
 * same JSON from both databases. */
static int compare_shared(const licscan_db *with, const licscan_db *without)
{
    int differing = 0;
    char a[512], b[512], two[1100];
    for (int k = 0; k < SHARED_TEMPLATES; k++) {
        shared_text(a, sizeof a, k);
        shared_text(b, sizeof b, (k * 5 + 3) % SHARED_TEMPLATES);
        snprintf(two, sizeof two, "%s\n\n%s", a, b);
        const char *texts[] = { a, two,
                                "Permission is granted to use this "
                                "shared test work for any purpose." };
        for (int t = 0; t < 3; t++) {
            char *x = scan_json(with, (const unsigned char *)texts[t],
                                strlen(texts[t]));
            char *y = scan_json(without, (const unsigned char *)texts[t],
                                strlen(texts[t]));
            if (!x || !y || strcmp(x, y)) {
                if (!differing++)
                    fprintf(stderr, "shared %d/%d:\n  %s\n  %s\n", k, t,
                            x ? x : "(none)", y ? y : "(none)");
            }
            free(x);
            free(y);
        }
    }
    return differing;
}

/* Open the image at data (sums not checked) twice, the second without the
 * shortcut. */
static void open_image_pair(void *data, size_t n, licscan_db **with,
                            licscan_db **without)
{
    char err[256] = "";
    CHECK_EQ_INT(
        ls_db_open_image(data, n, false, NULL, 0, &opt, with, err, sizeof err),
        LICSCAN_OK);
    CHECK_EQ_INT(ls_db_open_image(data, n, false, NULL, 0, &opt, without, err,
                                  sizeof err),
                 LICSCAN_OK);
    if (*without)
        CHECK_EQ_INT(ls_test_control(*without, LS_TEST_WHOLE_TEMPLATE, 0),
                     LICSCAN_OK);
}

static void test_common_lists(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    CHECK(db && db->common_of != NULL); /* the embedded image is laid out */
    if (!db)
        return;
    char id[32], text[512];
    for (int k = 0; k < SHARED_TEMPLATES; k++) {
        snprintf(id, sizeof id, "Shared-%d", k);
        shared_text(text, sizeof text, k);
        CHECK_EQ_INT(
            licscan_db_add_template(db, id, text, strlen(text), NULL, 0, NULL),
            LICSCAN_OK);
    }
    CHECK(db->common_of == NULL); /* changed: no rivals, no ranges */
    size_t n;
    unsigned char *good;
    void *copy;
    if (!saved_image(db, &good, &copy, &n))
        return;
    memcpy(copy, good, n);
    licscan_db *with = NULL, *without = NULL;
    open_image_pair(copy, n, &with, &without);
    if (with && without) {
        /* a list of every shared template: common */
        uint32_t most = 0;
        for (uint32_t t = 0; t < with->ntpl; t++)
            if (with->common_of && with->common_of[t] > most)
                most = with->common_of[t];
        CHECK(with->common_of != NULL && most > 0);
        uint64_t before = ls_whole_template_count();
        CHECK_EQ_INT(compare_shared(with, without), 0);
        /* each text alone is its template whole */
        CHECK(ls_whole_template_count() >= before + SHARED_TEMPLATES);
    }
    licscan_db_free(with);
    licscan_db_free(without);

    /* a common list out of template order: no ranges, the same answers
     * (the list holds the same postings); the file is written in slot
     * order, which finds the common list here */
    dbf_array heads, post;
    memcpy(&heads, good + sizeof(dbf_header) + A_SH_HEAD * sizeof heads,
           sizeof heads);
    memcpy(&post, good + sizeof(dbf_header) + A_POST * sizeof post,
           sizeof post);
    const uint32_t *h = (const uint32_t *)(const void *)(good + heads.offset);
    uint32_t common_at = UINT32_MAX;
    for (uint64_t j = 0, prev = 0; j <= heads.count; j++) {
        uint32_t at = j < heads.count ? h[j] : (uint32_t)post.count + 1;
        if (!at)
            continue;
        if (prev && at - prev > LS_COMMON_SHINGLE && common_at == UINT32_MAX)
            common_at = (uint32_t)prev - 1;
        prev = at;
    }
    CHECK(common_at != UINT32_MAX);
    if (common_at == UINT32_MAX)
        goto done;
    memcpy(copy, good, n);
    unsigned char *p0 = (unsigned char *)copy + post.offset +
                        (uint64_t)common_at * sizeof(ls_posting);
    unsigned char *p1 = p0 + sizeof(ls_posting);
    unsigned char swap[8];
    memcpy(swap, p0, 8); /* template and place; the links stay */
    memcpy(p0, p1, 8);
    memcpy(p1, swap, 8);
    open_image_pair(copy, n, &with, &without);
    CHECK(with && with->common_of == NULL);
    if (with && without)
        CHECK_EQ_INT(compare_shared(with, without), 0);
    licscan_db_free(with);
    licscan_db_free(without);

    /* the heads of the common list's shingle and another swapped: each
     * still the start of a list, the answers the same */
    memcpy(copy, good, n);
    uint32_t *hw = (uint32_t *)(void *)((unsigned char *)copy + heads.offset);
    uint64_t at_common = heads.count, other = heads.count;
    for (uint64_t j = 0; j < heads.count; j++) {
        if (hw[j] == common_at + 1)
            at_common = j;
        else if (hw[j] && other == heads.count)
            other = j;
    }
    CHECK(at_common < heads.count && other < heads.count);
    if (at_common < heads.count && other < heads.count) {
        uint32_t t = hw[at_common];
        hw[at_common] = hw[other];
        hw[other] = t;
    }
    open_image_pair(copy, n, &with, &without);
    CHECK(with && with->common_of != NULL);
    if (with && without)
        CHECK_EQ_INT(compare_shared(with, without), 0);
    licscan_db_free(with);
    licscan_db_free(without);
done:
    free(copy);
    free(good);
}

/* Two templates of one text (twins) in a compiled set: the walks read
 * the postings of the first alone (db->hits_of), and the second shares
 * its hits. A copy of the text has them as winner and runner-up, a copy
 * under a heading too (searched against all templates, not as one
 * template whole), the same JSON as with every list walked whole by its
 * links. */
static void test_twins_share_hits(void)
{
    static const char text[] =
        "The Twin License. Permission is granted to anyone to use this twin "
        "software for any purpose whatsoever, to change it and to pass it "
        "on, provided that this notice stays with every copy and that no "
        "one claims to have written what they did not write. The twin "
        "software comes with no warranty of any kind, and its authors owe "
        "nothing to anyone for what it does or fails to do.";
    licscan_db *db = NULL, *with = NULL, *without = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    if (!db)
        return;
    CHECK_EQ_INT(licscan_db_add_template(db, "Twin-A", text, sizeof text - 1,
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_add_template(db, "Twin-B", text, sizeof text - 1,
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    /* of their length, one letter's case apart: no twin (the open tells
     * twins by a hash of each source it takes as it reads them) */
    char near[sizeof text];
    memcpy(near, text, sizeof text);
    near[5] = (char)(near[5] ^ 0x20); /* "TWin" */
    CHECK_EQ_INT(licscan_db_add_template(db, "Twin-Not", near, sizeof near - 1,
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    if (!save_and_open_pair(db, &with, &without))
        return;
    uint32_t a = with->ntpl - 3, b = with->ntpl - 2, c = with->ntpl - 1;
    CHECK_EQ_INT((int)with->tpl[b]->twin, (int)a);
    CHECK(with->tpl[c]->twin == LS_NO_TWIN);
    CHECK(with->tpl[a]->twin == LS_NO_TWIN);
    CHECK(with->hits_of != NULL);
    if (!with->hits_of) {
        licscan_db_free(with);
        licscan_db_free(without);
        return;
    }
    CHECK_EQ_INT((int)with->hits_of[b], (int)a);
    CHECK_EQ_INT((int)with->hits_of[a], (int)a);
    char headed[sizeof text + 64];
    snprintf(headed, sizeof headed, "Some heading words before it\n\n%s", text);
    const char *texts[2] = { text, headed };
    for (int k = 0; k < 2; k++) {
        const unsigned char *t = (const unsigned char *)texts[k];
        size_t n = strlen(texts[k]);
        uint64_t whole = ls_whole_template_count();
        char *j1 = scan_json(with, t, n), *j2 = scan_json(without, t, n);
        CHECK(ls_whole_template_count() == whole + (k == 0));
        CHECK(j1 && j2 && strcmp(j1, j2) == 0);
        CHECK(
            j1 && strstr(j1, "\"id\":\"Twin-A\"") &&
            strstr(j1, "\"runner_up\":{\"id\":\"Twin-B\",\"coverage\":1.0000"));
        if (k == 1 && j1)
            printf("  twins: the second shares the first's hits; %s\n", j1);
        free(j1);
        free(j2);
    }
    licscan_db_free(with);
    licscan_db_free(without);
}

/* ---- the answers for the templates' own texts ----
 * A template's text as published is searched against its winner alone,
 * the runner-up taken from the answer the set keeps for it. The same
 * JSON as with the answers off must come out, for that text, for it
 * with whitespace around it, and for texts that must not be answered:
 * with a word more, with its spacing changed (a line break can change
 * what a scan reads), with a space where each mark was. The count of
 * scans answered must grow (else the comparisons pass with answers never
 * used), and never for a text changed. */

enum { VARIANTS = 4 };

/* tp's own text into out as variant k makes it: 0 as published, 1 with
 * whitespace around it, 2 a word more at the end, 3 each space a line
 * end and an indent; with a space where each mark was when apart. */
static void own_text_variant(const ls_template *tp, bool apart, int k,
                             ls_buf *out)
{
    ls_buf text;
    ls_buf_init(&text, out->alloc);
    CHECK_EQ_INT(ls_template_published(tp, apart, &text), LICSCAN_OK);
    out->len = 0;
    if (k == 1)
        ls_buf_puts(out, "\n \n\t");
    for (size_t i = 0; i < text.len; i++)
        if (k == 3 && text.data[i] == ' ')
            ls_buf_puts(out, "\n   ");
        else
            ls_buf_putc(out, text.data[i]);
    if (k == 1)
        ls_buf_puts(out, "  \r\n\n");
    if (k == 2)
        ls_buf_puts(out, " furthermore");
    ls_buf_free(&text);
}

/* Every matched template's own texts through both databases; the scans
 * answered of the published text as it is or with whitespace around it
 * (*answered), and of the others (*other). */
static void compare_own_texts(const licscan_db *with, const licscan_db *without,
                              uint64_t *answered, uint64_t *other,
                              uint32_t *texts)
{
    ls_buf text;
    ls_buf_init(&text, &with->alloc);
    *answered = *other = 0;
    *texts = 0;
    for (uint32_t t = 0; t < with->ntpl; t += (uint32_t)stride) {
        const ls_template *tp = with->tpl[t];
        if (!ls_template_matched(tp))
            continue;
        for (int apart = 0; apart < 2; apart++)
            for (int k = 0; k < VARIANTS; k++) {
                own_text_variant(tp, apart, k, &text);
                const unsigned char *d = (const unsigned char *)text.data;
                uint64_t before = ls_whole_answer_count();
                char *j1 = scan_json(with, d, text.len);
                uint64_t got = ls_whole_answer_count() - before;
                char *j2 = scan_json(without, d, text.len);
                CHECK(ls_whole_answer_count() == before + got);
                CHECK(j1 && j2 && strcmp(j1, j2) == 0);
                if (j1 && j2 && strcmp(j1, j2))
                    printf("  %s (%d, %d): %s\n  against %s\n", tp->lic.id,
                           apart, k, j1, j2);
                if (!apart && k < 2)
                    *answered += got;
                else if (k >= 2)
                    *other += got; /* (with marks apart, answered only
                                      when there are none) */
                free(j1);
                free(j2);
            }
        (*texts)++;
    }
    ls_buf_free(&text);
}

static void open_answers_pair(licscan_db *with, licscan_db *without,
                              const char *what)
{
    CHECK_EQ_INT(ls_test_control(without, LS_TEST_WHOLE_ANSWERS, 0),
                 LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(without, LS_TEST_WHOLE_ANSWERS, 2),
                 LICSCAN_EINVAL);
    CHECK(with->rivals.nanswers > 0);
    uint64_t answered, other;
    uint32_t texts;
    compare_own_texts(with, without, &answered, &other, &texts);
    printf("  %s: %u templates' own texts in %d forms alike with and "
           "without their answers; %llu of %u scans of the published "
           "texts answered, %llu of those changed\n",
           what, texts, 2 * VARIANTS, (unsigned long long)answered, 2 * texts,
           (unsigned long long)other);
    /* most are one template whole (some hold a notice of their own,
     * two matches: those are searched as any text) */
    CHECK(answered >= texts);
    CHECK_EQ_INT((int)other, 0);
}

/* A database whose PCRE2 limits are lower than those the answers were
 * found under uses none (a var could be judged otherwise). */
static void test_answers_need_limits(void)
{
    licscan_db_options low = opt;
    low.regex_match_limit = 1000;
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&low, &db), LICSCAN_OK);
    if (!db)
        return;
    CHECK_EQ_INT((int)db->rivals.nanswers, 0);
    ls_buf text;
    ls_buf_init(&text, &db->alloc);
    uint64_t before = ls_whole_answer_count();
    for (uint32_t t = 0; t < db->ntpl; t++)
        if (ls_template_matched(db->tpl[t])) {
            own_text_variant(db->tpl[t], false, 0, &text);
            licscan_result *r = NULL;
            CHECK_EQ_INT(licscan_scan(db, text.data, text.len, NULL, &r),
                         LICSCAN_OK);
            licscan_result_free(r);
        }
    CHECK(ls_whole_answer_count() == before);
    ls_buf_free(&text);
    licscan_db_free(db);
}

static void test_answers(void)
{
    licscan_db *with = NULL, *without = NULL;
    open_pair(&with, &without);
    CHECK_EQ_INT(ls_test_control(without, LS_TEST_WHOLE_TEMPLATE, 1),
                 LICSCAN_OK);
    if (with && without)
        open_answers_pair(with, without, "embedded image");
    licscan_db_free(with);
    licscan_db_free(without);
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&opt, &db), LICSCAN_OK);
    if (!save_and_open_pair(db, &with, &without))
        return;
    CHECK_EQ_INT(ls_test_control(without, LS_TEST_WHOLE_TEMPLATE, 1),
                 LICSCAN_OK);
    open_answers_pair(with, without, "compiled file");
    licscan_db_free(with);
    licscan_db_free(without);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    licscan_db_options_init(&opt, sizeof opt);
    opt.allocator = base_allocator(); /* see jit_off.h */
    snprintf(tmp_path, sizeof tmp_path, "/tmp/unit_rivals.%ld.lsdb",
             (long)getpid());
    test_lcs_length();
    test_embedded();
    test_rivals_each_way();
    test_answers();
    test_answers_need_limits();
    test_compiled_file();
    test_damaged_rivals();
    test_damaged_answers();
    test_common_lists();
    test_twins_share_hits();
    unlink(tmp_path);
    printf("unit_rivals: %d checks passed, %d failed\n", check_passed,
           check_failed);
    return check_failed ? 1 : 0;
}
