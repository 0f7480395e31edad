/*
 * threads.c -- one licscan database shared by several threads.
 *
 *   cc threads.c $(pkg-config --cflags --libs licscan) -o threads
 *   ./threads -t 4 LICENSE README.md ...
 *
 * The database is opened once; after that it is read-only, so any number
 * of threads may scan with it at the same time. Each thread takes the next
 * file, scans it and keeps the rendered report; the main thread prints the
 * reports in the order the files were given, so the output does not depend
 * on the number of threads. Exits 0 on success, 1 when some file could not
 * be read or scanned, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads, open_memstream */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <licscan.h>

#define MAX_THREADS 64

typedef struct file_job {
    const char *path;
    char *report;    /* what to print on stdout, or NULL */
    int read_errno;  /* the file could not be read: errno, else 0 */
    char error[256]; /* the scan failed: what to print, else "" */
} file_job;

typedef struct work_queue {
    const licscan_db *db; /* shared, read-only */
    file_job *jobs;
    size_t count;
    size_t next; /* index of the next job to take, under lock */
    pthread_mutex_t lock;
} work_queue;

static uint8_t *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (used == cap) {
            size_t bigger = cap ? cap * 2 : 65536;
            uint8_t *p = realloc(data, bigger);
            if (!p) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = p;
            cap = bigger;
        }
        size_t got = fread(data + used, 1, cap - used, f);
        used += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        errno = EIO;
        return NULL;
    }
    *len = used;
    return data;
}

static void write_report(FILE *out, const char *path, const licscan_result *r)
{
    const char *spdx = licscan_result_spdx(r);
    fprintf(out, "%s: %s\n", path, *spdx ? spdx : "(none)");
    for (uint32_t i = 0; i < licscan_result_match_count(r); i++) {
        const licscan_match *m = licscan_result_match(r, i);
        fprintf(out, "  match %s %s %.3f bytes %" PRIu64 "-%" PRIu64 "\n",
                licscan_license_id(licscan_match_license(m)),
                licscan_kind_name(licscan_match_kind(m)),
                licscan_match_coverage(m), licscan_match_start(m),
                licscan_match_end(m));
    }
    for (uint32_t i = 0; i < licscan_result_restriction_count(r); i++) {
        const licscan_restriction *x = licscan_result_restriction(r, i);
        fprintf(out, "  flag %s (%" PRIu32 " clauses)\n",
                licscan_flag_name(licscan_restriction_flag(x)),
                licscan_restriction_evidence_count(x));
    }
    fprintf(out, "  openness %s\n",
            licscan_openness_name(licscan_result_openness(r)));
}

static void scan_one(const licscan_db *db, file_job *job)
{
    size_t len = 0;
    uint8_t *data = read_whole_file(job->path, &len);
    if (!data) {
        /* strerror() is not thread-safe: the main thread turns it into
         * text. */
        job->read_errno = errno;
        return;
    }
    licscan_result *r = NULL;
    int status = licscan_scan(db, data, len, NULL, &r);
    if (status != LICSCAN_OK) {
        snprintf(job->error, sizeof(job->error), "%s",
                 r ? licscan_result_errmsg(r) : licscan_strerror(status));
    } else {
        size_t size;
        FILE *out = open_memstream(&job->report, &size);
        if (!out) {
            snprintf(job->error, sizeof(job->error), "out of memory");
        } else {
            write_report(out, job->path, r);
            if (fclose(out) != 0) {
                free(job->report);
                job->report = NULL;
                snprintf(job->error, sizeof(job->error), "out of memory");
            }
        }
    }
    licscan_result_free(r);
    free(data);
}

static void *worker(void *arg)
{
    work_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        size_t mine = q->next < q->count ? q->next++ : q->count;
        pthread_mutex_unlock(&q->lock);
        if (mine == q->count)
            return NULL;
        scan_one(q->db, &q->jobs[mine]);
    }
}

static int usage(void)
{
    fprintf(stderr,
            "usage: threads [-t THREADS] FILE...\n"
            "  THREADS: 1 to %d (default 4)\n",
            MAX_THREADS);
    return 2;
}

int main(int argc, char **argv)
{
    int nthreads = 4;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        char *end;
        long n = strtol(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0' || n < 1 || n > MAX_THREADS) {
            fprintf(stderr, "threads: -t %s: not a thread count\n", argv[2]);
            return usage();
        }
        nthreads = (int)n;
        first = 3;
    }
    if (first >= argc)
        return usage();

    work_queue q = { .count = (size_t)(argc - first), .next = 0 };
    q.jobs = calloc(q.count, sizeof(*q.jobs));
    if (!q.jobs) {
        fprintf(stderr, "threads: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < q.count; i++)
        q.jobs[i].path = argv[first + (int)i];

    licscan_db *db = NULL;
    int status = licscan_db_open_default(NULL, &db);
    if (status != LICSCAN_OK) {
        fprintf(stderr, "threads: cannot open the license database: %s\n",
                licscan_strerror(status));
        free(q.jobs);
        return 1;
    }
    q.db = db;
    pthread_mutex_init(&q.lock, NULL);

    pthread_t tids[MAX_THREADS];
    int started = 0;
    for (; started < nthreads; started++) {
        int err = pthread_create(&tids[started], NULL, worker, &q);
        if (err) {
            /* The threads already running will do all the work. */
            fprintf(stderr, "threads: cannot start thread %d: %s\n",
                    started + 1, strerror(err));
            break;
        }
    }
    if (started == 0)
        worker(&q); /* no thread at all: do the work here */
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);

    int failed = 0;
    for (size_t i = 0; i < q.count; i++) {
        file_job *job = &q.jobs[i];
        if (job->read_errno) {
            fprintf(stderr, "threads: %s: %s\n", job->path,
                    strerror(job->read_errno));
            failed = 1;
        } else if (job->error[0]) {
            fprintf(stderr, "threads: %s: %s\n", job->path, job->error);
            failed = 1;
        }
        if (job->report)
            fputs(job->report, stdout);
        free(job->report);
    }

    pthread_mutex_destroy(&q.lock);
    licscan_db_free(db);
    free(q.jobs);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "threads: cannot write the output: %s\n",
                strerror(errno));
        return 1;
    }
    return failed;
}
