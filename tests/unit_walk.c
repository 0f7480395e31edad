/* Unit tests: licscan_scan_paths (the walk and its pool of threads) and
 * licscan_read_file, through the public API, on a tree made in a
 * temporary directory: walk order for any number of threads, what each
 * file comes with, a stop asked by the callback, a path that does not
 * exist, a symbolic link loop and a directory that contains itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "jit_off.h"
#include "licscan.h"
#include "mit_text.h"


static char root[256];

static void put_file(const char *rel, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(data, 1, len, f) == len);
        fclose(f);
    }
}

static void make_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    CHECK(mkdir(path, 0755) == 0);
}

static void make_link(const char *target, const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    CHECK(symlink(target, path) == 0);
}

/* What the callback saw, one line per file: "path status spdx walked". */
typedef struct seen {
    char lines[64][300];
    int n;
    int stop_after; /* stop when this many were seen (0: never) */
    int stopping_seen;
    int scanned_calls;
    uint64_t last_index;
    int in_order;
} seen;

static int record(licscan_walk_file *f, void *user)
{
    seen *s = user;
    if (f->stopping) {
        s->stopping_seen++;
        free(f->report);
        return 0;
    }
    CHECK(f->struct_size >= sizeof(licscan_walk_file));
    s->in_order &= f->index == (uint64_t)s->n;
    const char *rel = strncmp(f->path, root, strlen(root)) ? f->path
                                                           : f->path + strlen(root);
    if (s->n < 64)
        snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s %d %s %d%s", rel,
                 f->status,
                 f->result ? licscan_result_spdx(f->result) : "-", f->walked,
                 f->report ? " r" : "");
    CHECK(f->status == LICSCAN_OK ? !*f->message : *f->message != 0);
    free(f->report);
    f->report = NULL;
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static void count_scanned(licscan_walk_file *f, void *user)
{
    seen *s = user;
    __atomic_add_fetch(&s->scanned_calls, 1, __ATOMIC_RELAXED);
    f->report = malloc(8); /* released by record, stopping or not */
}

static int walk(const licscan_db *db, const char *const *paths, size_t n,
                uint32_t jobs, uint32_t flags, seen *s, int with_scanned)
{
    licscan_walk_options o;
    CHECK_EQ_INT(licscan_walk_options_init(&o, sizeof(o)), LICSCAN_OK);
    CHECK_EQ_INT(o.max_depth, 64);
    o.jobs = jobs;
    o.flags = flags;
    if (with_scanned)
        o.on_scanned = count_scanned;
    memset(s->lines, 0, sizeof(s->lines));
    s->n = 0;
    s->stopping_seen = 0;
    s->scanned_calls = 0;
    s->in_order = 1;
    return licscan_scan_paths(db, paths, n, &o, record, s);
}

static void test_tree(const licscan_db *db)
{
    make_dir("t");
    make_dir("t/b");
    put_file("t/b/LICENSE", MIT_TEXT, sizeof(MIT_TEXT) - 1);
    put_file("t/a.txt", "no license here\n", 16);
    put_file("t/bin.dat", "x\0y", 3);
    make_dir("t/.git");
    put_file("t/.git/LICENSE", MIT_TEXT, sizeof(MIT_TEXT) - 1);
    make_link("b/LICENSE", "t/inside");  /* followed: stays in the tree */
    make_link("/etc/hostname", "t/outside"); /* not followed */
    make_link("self", "t/self");           /* a loop */
    make_dir("t/up");
    make_link("..", "t/up/back"); /* a directory link: only with FOLLOW */

    char tree[300], missing[300];
    snprintf(tree, sizeof(tree), "%s/t", root);
    snprintf(missing, sizeof(missing), "%s/nothing-here", root);
    const char *paths[] = { tree, missing };
    const char *want[] = {
        "/t/a.txt 0  1",
        "/t/b/LICENSE 0 MIT 1",
        "/t/bin.dat -4 - 1",
        "/t/inside 0 MIT 1",
        "/t/self -3 - 0",
        "/nothing-here -3 - 0",
    };
    seen s1 = { 0 }, s4 = { 0 };
    CHECK_EQ_INT(walk(db, paths, 2, 1, 0, &s1, 0), LICSCAN_OK);
    CHECK_EQ_INT(s1.n, 6);
    for (int i = 0; i < 6 && i < s1.n; i++)
        CHECK_EQ_STR(s1.lines[i], want[i]);
    CHECK(s1.in_order);
    /* Four threads: the same files in the same order. */
    CHECK_EQ_INT(walk(db, paths, 2, 4, 0, &s4, 1), LICSCAN_OK);
    CHECK_EQ_INT(s4.n, 6);
    CHECK_EQ_INT(s4.scanned_calls, 6);
    for (int i = 0; i < 6 && i < s4.n; i++) {
        char with_report[300];
        snprintf(with_report, sizeof(with_report), "%s r", want[i]);
        CHECK_EQ_STR(s4.lines[i], with_report);
    }
    CHECK(s4.in_order);

    /* Following every link: the link back up is a directory loop. */
    CHECK_EQ_INT(walk(db, paths, 1, 2, LICSCAN_WALK_FOLLOW, &s1, 0),
                 LICSCAN_OK);
    int loops = 0, outside = 0;
    for (int i = 0; i < s1.n && i < 64; i++) {
        loops += strstr(s1.lines[i], "/t/up/back -3") != NULL;
        outside += strstr(s1.lines[i], "/t/outside") != NULL;
    }
    CHECK_EQ_INT(loops, 1);
    CHECK_EQ_INT(outside, 1);

    /* Listing only: no result, nothing read. */
    CHECK_EQ_INT(walk(NULL, paths, 2, 3, LICSCAN_WALK_LIST_ONLY, &s1, 0),
                 LICSCAN_OK);
    CHECK_EQ_INT(s1.n, 6);
    CHECK_EQ_STR(s1.lines[2], "/t/bin.dat 0 - 1");
    CHECK_EQ_STR(s1.lines[5], "/nothing-here -3 - 0");
}

static void test_stop(const licscan_db *db)
{
    make_dir("many");
    for (int i = 0; i < 40; i++) {
        char rel[24];
        snprintf(rel, sizeof(rel), "many/%02d.txt", i);
        put_file(rel, MIT_TEXT, sizeof(MIT_TEXT) - 1);
    }
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/many", root);
    const char *paths[] = { dir };
    for (uint32_t jobs = 1; jobs <= 8; jobs *= 2) {
        seen s = { .stop_after = 3 };
        CHECK_EQ_INT(walk(db, paths, 1, jobs, 0, &s, 1), LICSCAN_ESTOPPED);
        CHECK_EQ_INT(s.n, 3);
        CHECK(s.in_order);
        /* every file scanned was handed back, the ones after the stop
         * marked stopping, so that their reports were freed */
        CHECK_EQ_INT(s.scanned_calls, 3 + s.stopping_seen);
        if (jobs == 1) /* the calling thread scans: nothing ahead */
            CHECK_EQ_INT(s.scanned_calls, 3);
    }
}

/* on_file keeps the results (as licscan check hands them to a model):
 * the walk must not free them too. */
static int keep_result(licscan_walk_file *f, void *user)
{
    licscan_result **kept = user;
    if (!f->stopping && f->index < 40) {
        kept[f->index] = f->result;
        f->result = NULL;
    }
    return 0;
}

static void test_take_result(const licscan_db *db)
{
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/many", root); /* test_stop's files */
    const char *paths[] = { dir };
    licscan_result *kept[40] = { 0 };
    licscan_walk_options o;
    licscan_walk_options_init(&o, sizeof(o));
    o.jobs = 4;
    CHECK_EQ_INT(licscan_scan_paths(db, paths, 1, &o, keep_result, kept),
                 LICSCAN_OK);
    for (int i = 0; i < 40; i++) {
        CHECK(kept[i] != NULL);
        if (kept[i])
            CHECK_EQ_STR(licscan_result_spdx(kept[i]), "MIT");
        licscan_result_free(kept[i]);
    }
}

static void test_errors(const licscan_db *db)
{
    seen s = { 0 };
    const char *paths[] = { "/" };
    const char *null_path[] = { NULL };
    CHECK_EQ_INT(licscan_scan_paths(db, paths, 1, NULL, NULL, &s),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_scan_paths(NULL, paths, 1, NULL, record, &s),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_scan_paths(db, null_path, 1, NULL, record, &s),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_scan_paths(db, NULL, 0, NULL, record, &s),
                 LICSCAN_OK);
    licscan_walk_options o;
    CHECK_EQ_INT(licscan_walk_options_init(&o, 4), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_walk_options_init(NULL, sizeof(o)), LICSCAN_EINVAL);
    CHECK_EQ_STR(licscan_status_name(LICSCAN_ESTOPPED), "LICSCAN_ESTOPPED");
    CHECK_EQ_STR(licscan_strerror(LICSCAN_ESTOPPED), "stopped by a callback");

    /* licscan_read_file on its own */
    void *data;
    size_t len;
    char err[128];
    int os_error;
    char path[300];
    snprintf(path, sizeof(path), "%s/nothing-here", root);
    CHECK_EQ_INT(licscan_read_file(path, 0, 100, &data, &len, err,
                                   sizeof(err), &os_error),
                 LICSCAN_EIO);
    CHECK(os_error != 0 && data == NULL && *err);
    snprintf(path, sizeof(path), "%s/t/bin.dat", root);
    CHECK_EQ_INT(licscan_read_file(path, LICSCAN_READ_CHECK_BINARY, 100,
                                   &data, &len, err, sizeof(err), NULL),
                 LICSCAN_EBINARY);
    CHECK_EQ_STR(err, "NUL byte at offset 1: binary input");
    CHECK_EQ_INT(licscan_read_file(path, 0, 2, &data, &len, err, sizeof(err),
                                   NULL),
                 LICSCAN_ETOOBIG);
    CHECK_EQ_INT(licscan_read_file(path, 0, 100, &data, &len, NULL, 0, NULL),
                 LICSCAN_OK);
    CHECK(len == 3 && data && !memcmp(data, "x\0y", 3));
    licscan_data_free(data);
    CHECK_EQ_INT(licscan_read_file(root, 0, 100, &data, &len, err,
                                   sizeof(err), NULL),
                 LICSCAN_EIO);
    CHECK_EQ_STR(err, "is a directory");

    /* A regular file is read whole in one call when it holds what fstat
     * said (the read asks for a byte more): every size around the first
     * block (64 KiB) and past it, byte for byte; a NUL at the end of what
     * is sniffed (the whole, or the first block) still refuses it as
     * binary. */
    static const size_t sizes[] = { 1,     100,    65534,      65535, 65536,
                                    65537, 131071, 131072 + 5, 300000 };
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k];
        char *want = malloc(n);
        CHECK(want != NULL);
        if (!want)
            return;
        for (size_t i = 0; i < n; i++)
            want[i] = (char)('a' + (i * 7 + k) % 26);
        char rel[24];
        snprintf(rel, sizeof(rel), "sized-%zu.txt", n);
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        put_file(rel, want, n);
        CHECK_EQ_INT(licscan_read_file(path, LICSCAN_READ_CHECK_BINARY,
                                       1u << 20, &data, &len, err, sizeof(err),
                                       NULL),
                     LICSCAN_OK);
        CHECK(len == n && data && !memcmp(data, want, n));
        licscan_data_free(data);
        want[(n < 65536 ? n : 65536) - 1] = 0;
        put_file(rel, want, n);
        CHECK_EQ_INT(licscan_read_file(path, LICSCAN_READ_CHECK_BINARY,
                                       1u << 20, &data, &len, err, sizeof(err),
                                       NULL),
                     LICSCAN_EBINARY);
        CHECK_EQ_INT(licscan_read_file(path, 0, n - 1, &data, &len, err,
                                       sizeof(err), NULL),
                     LICSCAN_ETOOBIG);
        remove(path);
        free(want);
    }
}

static void remove_tree(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/unit_walk.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    /* The tree's real path, so that links are judged inside it. */
    char *real = realpath(root, NULL);
    if (real) {
        snprintf(root, sizeof(root), "%s", real);
        free(real);
    }
    licscan_db_options dbo;
    licscan_db_options_init(&dbo, sizeof(dbo));
    dbo.allocator = base_allocator();
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&dbo, &db), LICSCAN_OK);
    if (db) {
        test_tree(db);
        test_stop(db);
        test_take_result(db);
        test_errors(db);
    }
    licscan_db_free(db);
    remove_tree();
    return check_report("unit_walk");
}
