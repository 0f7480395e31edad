/* thread_scan.c -- one database shared by concurrent scans gives the same
 * answers as one thread, and scanning is deterministic.
 *
 * usage: thread_scan DIR
 * Scans every input file under DIR (*.expected.json skipped), rendering
 * each result as JSON with its differences: on THREADS threads that take
 * files from a shared atomic counter, then twice on one thread. The two
 * single-threaded runs must agree, and each file's JSON from the threads
 * must equal theirs byte for byte. Done with the embedded database, with
 * one whose indexes were built at run time (a template added), and with
 * the embedded set saved to a file and opened (whose templates' words are
 * checked as the threads first meet them). Built with -fsanitize=thread
 * by `make test-tsan`. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "licscan.h"

#define THREADS 4

typedef struct input {
    char *path;
    uint8_t *data;
    size_t len;
} input;

typedef struct inputs {
    input *v;
    size_t n, cap;
} inputs;

typedef struct shared_run {
    const licscan_db *db;
    const inputs *in;
    char **json; /* one per input */
    atomic_size_t next;
    atomic_int failures;
} shared_run;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int read_whole(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 65536, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const input *)a)->path, ((const input *)b)->path);
}

/* Collects the input files under dir (recursively, dot files skipped). */
static int collect(inputs *in, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.' || ends_with(e->d_name, ".expected.json"))
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(need);
        if (!path) {
            rc = -1;
            break;
        }
        snprintf(path, need, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            perror(path);
            free(path);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = collect(in, path);
            free(path);
        } else if (S_ISREG(st.st_mode)) {
            if (in->n == in->cap) {
                in->cap = in->cap ? 2 * in->cap : 256;
                input *more = realloc(in->v, in->cap * sizeof(*more));
                if (!more) {
                    free(path);
                    rc = -1;
                    break;
                }
                in->v = more;
            }
            input *it = &in->v[in->n];
            it->path = path;
            if (read_whole(path, &it->data, &it->len) != 0) {
                perror(path);
                free(path);
                rc = -1;
            } else {
                in->n++;
            }
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

/* The JSON line of one file, malloc'ed; NULL when the scan could not even
 * make a result or the rendering failed. */
static char *scan_to_json(const licscan_db *db, const input *it)
{
    licscan_result *r = NULL;
    licscan_scan(db, it->data, it->len, NULL, &r);
    if (!r)
        return NULL;
    const char *json;
    size_t len;
    char *copy = NULL;
    if (licscan_result_json(r, it->path, LICSCAN_JSON_DIFFS, &json, &len) ==
            LICSCAN_OK &&
        (copy = malloc(len + 1)))
        memcpy(copy, json, len + 1);
    licscan_result_free(r);
    return copy;
}

static void *worker(void *arg)
{
    shared_run *run = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&run->next, 1);
        if (i >= run->in->n)
            break;
        run->json[i] = scan_to_json(run->db, &run->in->v[i]);
        if (!run->json[i])
            atomic_fetch_add(&run->failures, 1);
    }
    return NULL;
}

static char **single_threaded(const licscan_db *db, const inputs *in)
{
    char **json = calloc(in->n, sizeof(*json));
    if (!json)
        return NULL;
    for (size_t i = 0; i < in->n; i++) {
        json[i] = scan_to_json(db, &in->v[i]);
        CHECK(json[i] != NULL);
    }
    return json;
}

/* Counts the files whose JSON differs, naming the first few. */
static size_t compare(const inputs *in, char **want, char **got,
                      const char *what)
{
    size_t differ = 0;
    for (size_t i = 0; i < in->n; i++) {
        int same = want[i] && got[i] && strcmp(want[i], got[i]) == 0;
        CHECK(same);
        if (!same && differ++ < 5)
            fprintf(stderr,
                    "%s: %s: JSON differs\n  want %.300s\n  got  %.300s\n",
                    what, in->v[i].path, want[i] ? want[i] : "(none)",
                    got[i] ? got[i] : "(none)");
    }
    return differ;
}

static void free_json(char **json, size_t n)
{
    for (size_t i = 0; json && i < n; i++)
        free(json[i]);
    free(json);
}

static char **multi_threaded(const licscan_db *db, const inputs *in)
{
    shared_run run = { .db = db,
                       .in = in,
                       .json = calloc(in->n, sizeof(char *)) };
    atomic_init(&run.next, 0);
    atomic_init(&run.failures, 0);
    CHECK(run.json != NULL);
    pthread_t tid[THREADS];
    int started = 0;
    for (int t = 0; run.json && t < THREADS; t++)
        if (pthread_create(&tid[t], NULL, worker, &run) == 0)
            started++;
    CHECK_EQ_INT(started, THREADS);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    CHECK_EQ_INT(atomic_load(&run.failures), 0);
    return run.json;
}

/* The threads run first, on a database no scan has touched yet, so that
 * any state set up lazily by the first scans is set up concurrently. */
static void check_db(const licscan_db *db, const inputs *in, const char *what)
{
    char **threaded = multi_threaded(db, in);
    char **first = single_threaded(db, in);
    char **second = single_threaded(db, in);
    CHECK(threaded && first && second);
    size_t nondeterministic = 0, threaded_differ = 0;
    if (threaded && first && second) {
        nondeterministic = compare(in, first, second, "second run");
        threaded_differ = compare(in, first, threaded, "threads");
    }
    printf("thread_scan: %s: %zu files; second run: %zu differ; %d threads: "
           "%zu differ\n",
           what, in->n, nondeterministic, THREADS, threaded_differ);
    free_json(threaded, in->n);
    free_json(first, in->n);
    free_json(second, in->n);
}

/* Written for this test: any template added makes the database build its
 * indexes at run time instead of using the frozen image. */
static const char WIDGET[] =
    "The Widget License. Anyone may use, copy and change the widget for any "
    "purpose provided that this notice stays with every copy of the widget.";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    inputs in = { 0 };
    if (collect(&in, argv[1]) != 0)
        return 1;
    qsort(in.v, in.n, sizeof(*in.v), by_path);
    CHECK(in.n > 0);

    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    if (db)
        check_db(db, &in, "embedded database");
    licscan_db_free(db);

    db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    if (db) {
        CHECK_EQ_INT(licscan_db_add_template(db, "Widget", WIDGET,
                                             sizeof(WIDGET) - 1, NULL, 0, NULL),
                     LICSCAN_OK);
        check_db(db, &in, "with a template added");
    }
    licscan_db_free(db);

    db = NULL;
    char path[64];
    snprintf(path, sizeof path, "/tmp/thread_scan.%ld.lsdb", (long)getpid());
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    CHECK_EQ_INT(db ? licscan_db_save(db, path) : LICSCAN_EINVAL, LICSCAN_OK);
    licscan_db_free(db);
    db = NULL;
    CHECK_EQ_INT(licscan_db_open_file(path, NULL, &db), LICSCAN_OK);
    if (db)
        check_db(db, &in, "a compiled file");
    licscan_db_free(db);
    unlink(path);

    for (size_t i = 0; i < in.n; i++) {
        free(in.v[i].path);
        free(in.v[i].data);
    }
    free(in.v);
    return check_report("thread_scan");
}
