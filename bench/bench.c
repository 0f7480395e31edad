/* bench -- measure what licscan costs against the performance targets:
 * database open and load times, scan throughput on one and several
 * threads, the share of restriction extraction, per-file latency, a whole
 * CLI process and peak memory. Prints what it measured next to each
 * target; it asserts nothing (the exit status only says whether it could
 * measure).
 *
 *   bench CORPUS_DIR [SPDX_TEMPLATE_DIR [RENDERED_DIR [LICSCAN_CLI
 *         [RENDERED_X10_DIR COMPILED_DB [COMPILED_DB_COPY]]]]]
 *
 * RENDERED_DIR holds one rendered text per SPDX template
 * (tests/corpus/render_template.py --out-dir), RENDERED_X10_DIR ten
 * copies of them, COMPILED_DB the embedded set and the SPDX list compiled
 * by LICSCAN_CLI --compile, COMPILED_DB_COPY a copy of it made by cp;
 * bench/run.sh makes them.
 * BENCH_REPS in the environment sets the repetitions (default 5).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "licscan.h"
/* internal: the count of answered scans and the control that turns the
 * answers off (the bench links the static library) */
#include "rivals.h"
#include "testctl.h"

#define MAX_REPS 50
#define OPENS 21
#define LOADS 5 /* of the SPDX list: each takes 60 to 100 ms */
/* under the corpus directory: timed with the open that precedes it */
#define FIRST_SCAN_FILE "Llama-3.1-Community/original.txt"

static int reps = 5;

typedef struct file {
    char *name;
    unsigned char *data;
    size_t len;
} file;

typedef struct fileset {
    file *f;
    size_t n, cap, bytes;
} fileset;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n ? v[n / 2] : 0;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    return p;
}

static void add_file(fileset *s, const char *name, unsigned char *data,
                     size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->f = realloc(s->f, s->cap * sizeof(file));
        if (!s->f) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    s->f[s->n].name = strdup(name);
    s->f[s->n].data = data;
    s->f[s->n].len = len;
    s->n++;
    s->bytes += len;
}

static void free_set(fileset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->f[i].name);
        free(s->f[i].data);
    }
    free(s->f);
    memset(s, 0, sizeof(*s));
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = xmalloc(n > 0 ? (size_t)n : 1);
    if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return b;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), k = strlen(suffix);
    return l > k && strcmp(s + l - k, suffix) == 0;
}

/* Load every input file below dir in name order: not the *.json
 * expectations, nor README*.md / KNOWN_FAILURES notes, as the corpus
 * checker leaves them out too. */
static void walk(fileset *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(char *));
        if (!names)
            exit(1);
        names[n] = xmalloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        const char *base = strrchr(names[i], '/') + 1;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(s, names[i]);
        } else if (S_ISREG(st.st_mode) && !ends_with(names[i], ".json") &&
                   !(ends_with(names[i], ".md") && strstr(base, "README")) &&
                   strcmp(base, "KNOWN_FAILURES.txt") != 0) {
            size_t len;
            unsigned char *b = slurp(names[i], &len);
            if (b)
                add_file(s, names[i], b, len);
        }
        free(names[i]);
    }
    free(names);
}

/* ---------- machine ---------- */

static void cpu_model(char *out, size_t n)
{
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 ||
            strncmp(line, "Model", 5) == 0) { /* x86 / some ARM boards */
            char *v = strchr(line, ':');
            if (v) {
                v += 1 + strspn(v + 1, " \t");
                v[strcspn(v, "\n")] = 0;
                snprintf(out, n, "%s", v);
                break;
            }
        }
    }
    fclose(f);
}

static void loadavg(char *out, size_t n)
{
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double a, b, c;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(out, n, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

/* ---------- scan runs ---------- */

/* One measured configuration. Configurations compared with each other
 * are run interleaved, one repetition of each in turn, so that the load
 * other processes put on a shared machine drifts over all of them alike
 * rather than biasing one. */
typedef struct run {
    const char *label;
    const licscan_db *db;
    const fileset *set;
    uint32_t flags; /* LICSCAN_SCAN_* */
    int threads;
    double totals[MAX_REPS];
    double cpus[MAX_REPS]; /* CPU time the process used in the pass, ms */
    double *per;           /* reps x files, ms; single-thread runs only */
    double *file_ms;       /* per file, the median of its repetitions */
    size_t errors;
    size_t first_failed; /* index of a file that failed, when errors */
    int first_status;
    /* results */
    double ms, cpu_ms, mbps, files_s, p50_us, p99_us;
} run;

static int scan_one(run *r, size_t i)
{
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    o.flags = r->flags;
    licscan_result *res = NULL;
    int rc = licscan_scan(r->db, r->set->f[i].data, r->set->f[i].len, &o, &res);
    licscan_result_free(res);
    if (rc != LICSCAN_OK && !r->first_status) { /* racy, only to name one */
        r->first_failed = i;
        r->first_status = rc;
    }
    return rc;
}

/* Workers for the multi-thread runs, started once before any timing and
 * parked on a barrier between passes: a pass measures scanning, not the
 * cost of creating threads (up to 2 ms each on a VM, against a 50 ms
 * pass). The calling thread is worker 0. */
typedef struct pool pool;

typedef struct worker_arg {
    pool *p;
    int slot;
} worker_arg;

struct pool {
    pthread_t tid[64];
    worker_arg args[64];
    int started; /* threads besides the caller */
    pthread_barrier_t go, done;
    run *r;             /* the run of this pass; NULL tells workers to quit */
    atomic_size_t next; /* index of the next file to take */
    size_t errors[64];
};

/* Threads take the next file from a shared counter, so one slow file
 * does not leave the other threads idle. */
static size_t drain(pool *p)
{
    size_t errors = 0;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->r->set->n)
            break;
        if (scan_one(p->r, i) != LICSCAN_OK)
            errors++;
    }
    return errors;
}

static void *worker(void *arg)
{
    worker_arg *a = arg;
    pool *p = a->p;
    for (;;) {
        pthread_barrier_wait(&p->go);
        if (!p->r)
            break;
        p->errors[a->slot] = drain(p);
        pthread_barrier_wait(&p->done);
    }
    return NULL;
}

/* Starts THREADS - 1 workers; a thread that does not start ends the
 * bench (the barriers count on every one). */
static int pool_start(pool *p, int threads)
{
    if (threads > 64)
        threads = 64;
    memset(p, 0, sizeof *p);
    if (pthread_barrier_init(&p->go, NULL, (unsigned)threads) ||
        pthread_barrier_init(&p->done, NULL, (unsigned)threads))
        return -1;
    for (int t = 1; t < threads; t++) {
        p->args[t] = (worker_arg){ p, t };
        if (pthread_create(&p->tid[t], NULL, worker, &p->args[t]) != 0) {
            fprintf(stderr, "bench: only %d of %d threads started\n", t,
                    threads);
            exit(1);
        }
        p->started++;
    }
    return 0;
}

static size_t pool_pass(pool *p, run *r)
{
    p->r = r;
    atomic_store(&p->next, 0);
    pthread_barrier_wait(&p->go);
    size_t errors = drain(p);
    pthread_barrier_wait(&p->done);
    for (int t = 1; t <= p->started; t++)
        errors += p->errors[t];
    return errors;
}

static void pool_stop(pool *p)
{
    p->r = NULL;
    pthread_barrier_wait(&p->go);
    for (int t = 1; t <= p->started; t++)
        pthread_join(p->tid[t], NULL);
    pthread_barrier_destroy(&p->go);
    pthread_barrier_destroy(&p->done);
}

/* User + system CPU time of the whole process, ms. */
static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* One pass over the set; rep < 0 is a warm-up and is not recorded. */
static void run_once(run *r, int rep, pool **pools)
{
    const fileset *s = r->set;
    size_t errors = 0;
    double c0 = cpu_ms();
    double t0 = now_ms();
    if (r->threads <= 1) {
        for (size_t i = 0; i < s->n; i++) {
            double a = now_ms();
            if (scan_one(r, i) != LICSCAN_OK)
                errors++;
            if (rep >= 0)
                r->per[(size_t)rep * s->n + i] = now_ms() - a;
        }
    } else {
        errors = pool_pass(pools[r->threads], r);
    }
    double ms = now_ms() - t0;
    if (rep >= 0) {
        r->totals[rep] = ms;
        r->cpus[rep] = cpu_ms() - c0;
        r->errors += errors;
    }
}

static void measure(run *runs, size_t nruns)
{
    for (size_t k = 0; k < nruns; k++)
        if (runs[k].threads <= 1)
            runs[k].per =
                xmalloc((size_t)reps * runs[k].set->n * sizeof(double));
    pool *pools[65] = { 0 }; /* by thread count */
    for (size_t k = 0; k < nruns; k++) {
        int t = runs[k].threads > 64 ? 64 : runs[k].threads;
        runs[k].threads = t;
        if (t > 1 && !pools[t]) {
            pools[t] = xmalloc(sizeof(pool));
            if (pool_start(pools[t], t)) {
                fprintf(stderr, "bench: cannot set up %d threads\n", t);
                exit(1);
            }
        }
    }
    for (int rep = -1; rep < reps; rep++)
        for (size_t k = 0; k < nruns; k++)
            run_once(&runs[k], rep, pools);
    for (int t = 2; t <= 64; t++)
        if (pools[t]) {
            pool_stop(pools[t]);
            free(pools[t]);
        }
    for (size_t k = 0; k < nruns; k++) {
        run *r = &runs[k];
        size_t n = r->set->n;
        r->ms = median(r->totals, (size_t)reps);
        r->cpu_ms = median(r->cpus, (size_t)reps);
        r->mbps = r->set->bytes / 1e3 / r->ms;
        r->files_s = n / r->ms * 1e3;
        if (!r->per || !n)
            continue;
        /* A file's time is the median of its repetitions; p50 and p99
         * are then taken over the files. */
        double *fm = xmalloc(n * sizeof(double)), col[MAX_REPS];
        for (size_t i = 0; i < n; i++) {
            for (int rep = 0; rep < reps; rep++)
                col[rep] = r->per[(size_t)rep * n + i];
            fm[i] = median(col, (size_t)reps);
        }
        r->file_ms = xmalloc(n * sizeof(double));
        memcpy(r->file_ms, fm, n * sizeof(double));
        qsort(fm, n, sizeof(double), cmp_double);
        r->p50_us = fm[n / 2] * 1e3;
        r->p99_us = fm[(n * 99) / 100] * 1e3;
        free(fm);
        free(r->per);
        r->per = NULL;
    }
    for (size_t k = 0; k < nruns; k++) {
        run *r = &runs[k];
        printf("  %-34s %2dT %5zu files %6.2f MB %7.1f ms %7.2f MB/s "
               "%7.0f files/s",
               r->label, r->threads < 1 ? 1 : r->threads, r->set->n,
               r->set->bytes / 1e6, r->ms, r->mbps, r->files_s);
        if (r->threads <= 1)
            printf("  p50 %6.1f us  p99 %7.1f us", r->p50_us, r->p99_us);
        else /* CPU time over wall time: the cores the threads really got */
            printf("  cpu %.0f ms, %.2f cores busy", r->cpu_ms,
                   r->cpu_ms / r->ms);
        printf("\n");
        if (r->errors && k == 0) /* the same files in every run */
            printf("    %zu file(s) refused, e.g. %s: %s\n",
                   r->errors / (size_t)reps, r->set->f[r->first_failed].name,
                   licscan_strerror(r->first_status));
    }
}

/* ---------- how parallel the machine is right now ---------- */

/* A fixed amount of integer work that touches no memory. */
static void *spin(void *p)
{
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 50000000u; i++)
        x += i;
    (void)x; /* clang: set but not used */
    return p;
}

static double spin_ms(int threads)
{
    pthread_t tid[64];
    int started = 0;
    double t0 = now_ms();
    for (int t = 0; t < threads && t < 64; t++)
        if (pthread_create(&tid[t], NULL, spin, NULL) == 0)
            started++;
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    return now_ms() - t0;
}

/* Work N spinning threads get done per unit of time, relative to one
 * thread: the best speed-up any scan could show at this moment. Other
 * tenants of a shared machine (even niced ones, in other cgroups) can
 * take it well below N. */
static double parallelism(int threads)
{
    double one[5], many[5];
    for (int i = 0; i < 5; i++) { /* interleaved, as the scan runs are */
        one[i] = spin_ms(1);
        many[i] = spin_ms(threads);
    }
    return threads * median(one, 5) / median(many, 5);
}

/* ---------- the CLI as a whole process ---------- */

typedef struct cli_figures {
    int ok;
    double wall_ms; /* median */
    double rss_mb;  /* largest over the runs */
    int status;     /* exit status of the last run */
} cli_figures;

/* Run argv with stdout and stderr on /dev/null; wall time from fork to
 * reap, peak RSS of the child from wait4. */
static void run_child(char *const argv[], double *ms, long *rss_kib,
                      int *status)
{
    double t0 = now_ms();
    *status = -1;
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0)
        return;
    *ms = now_ms() - t0;
    *rss_kib = ru.ru_maxrss;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A forked child starts with its parent's resident pages, and Linux counts
 * them in its peak RSS even after exec: a CLI forked from the bench (tens
 * of MB by then) would report the bench's memory, not its own. So the CLI
 * runs are started by a spawner process forked first thing, while the
 * bench is small; requests and answers go through two pipes. */
#define SPAWN_MAX_ARGS 8
static int spawn_req = -1, spawn_ans = -1;

typedef struct spawn_answer {
    double ms;
    long rss_kib;
    int status;
} spawn_answer;

static int read_full(int fd, void *p, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t k = read(fd, (char *)p + got, n - got);
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
    for (size_t put = 0; put < n;) {
        ssize_t k = write(fd, (const char *)p + put, n - put);
        if (k <= 0)
            return -1;
        put += (size_t)k;
    }
    return 0;
}

/* The spawner: reads a length-prefixed block of NUL-terminated arguments,
 * runs them, answers; ends when the bench closes its end. */
static void spawner(int req, int ans)
{
    uint32_t len;
    static char block[16384];
    while (read_full(req, &len, sizeof len) == 0 && len < sizeof block &&
           read_full(req, block, len) == 0) {
        block[len] = 0;
        char *argv[SPAWN_MAX_ARGS + 1];
        int argc = 0;
        for (char *a = block; a < block + len && argc < SPAWN_MAX_ARGS;
             a += strlen(a) + 1)
            argv[argc++] = a;
        argv[argc] = NULL;
        spawn_answer r = { 0, 0, -1 };
        if (argc)
            run_child(argv, &r.ms, &r.rss_kib, &r.status);
        if (write_full(ans, &r, sizeof r) != 0)
            break;
    }
    _exit(0);
}

static void start_spawner(void)
{
    int req[2], ans[2];
    if (pipe(req) != 0 || pipe(ans) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(req[1]);
        close(ans[0]);
        spawner(req[0], ans[1]);
    }
    close(req[0]);
    close(ans[1]);
    signal(SIGPIPE, SIG_IGN); /* a spawner that died: an error, not a kill */
    if (pid < 0) {
        close(req[1]);
        close(ans[0]);
        return;
    }
    spawn_req = req[1];
    spawn_ans = ans[0];
}

/* Run argv through the spawner (or directly, when it could not start). */
static int spawn(char *const argv[], double *ms, long *rss_kib, int *status)
{
    if (spawn_req < 0) {
        run_child(argv, ms, rss_kib, status);
        return *status < 0 ? -1 : 0;
    }
    char block[16384];
    uint32_t len = 0;
    for (int i = 0; argv[i] && i < SPAWN_MAX_ARGS; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (len + n >= sizeof block)
            return -1;
        memcpy(block + len, argv[i], n);
        len += (uint32_t)n;
    }
    spawn_answer r;
    if (write_full(spawn_req, &len, sizeof len) != 0 ||
        write_full(spawn_req, block, len) != 0 ||
        read_full(spawn_ans, &r, sizeof r) != 0 || r.status < 0)
        return -1;
    *ms = r.ms;
    *rss_kib = r.rss_kib;
    *status = r.status;
    return 0;
}

/* The CLI run as a whole process, argv[0] the CLI: median wall time and
 * peak RSS of reps runs. */
static cli_figures bench_cli(char *const argv[])
{
    cli_figures c = { 0, 0, 0, 0 };
    double walls[MAX_REPS];
    long rss = 0;
    for (int rep = -1; rep < reps; rep++) { /* rep -1: warms the page cache */
        double ms;
        long kib;
        if (spawn(argv, &ms, &kib, &c.status) != 0 || c.status >= 2)
            return c; /* not run, or it refused: no figure */
        if (rep >= 0) {
            walls[rep] = ms;
            if (kib > rss)
                rss = kib;
        }
    }
    c.ok = 1;
    c.wall_ms = median(walls, (size_t)reps);
    c.rss_mb = rss / 1024.0;
    return c;
}

/* ---------- the table ---------- */

/* The kind of a corpus file, for the breakdown of clause extraction's
 * cost: its variant (corpus/<ID>/<variant>.txt, both UTF-16 byte orders
 * as one) or the folder of hand-written cases it is in. */
static void file_kind(const char *path, char *out, size_t n)
{
    static const char *const folders[] = { "/clauses/", "/modified/",
                                           "/decoys/", "/combined/" };
    for (size_t k = 0; k < sizeof folders / sizeof folders[0]; k++)
        if (strstr(path, folders[k])) {
            snprintf(out, n, "%.*s", (int)strlen(folders[k]) - 2,
                     folders[k] + 1);
            return;
        }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    if (len > 5 && strncmp(base, "utf16", 5) == 0)
        len = 5;
    snprintf(out, n, "%.*s", (int)len, base);
}

typedef struct kind_cost {
    char kind[32];
    size_t files;
    double with_ms, without_ms;
} kind_cost;

static int by_extra_desc(const void *a, const void *b)
{
    const kind_cost *x = a, *y = b;
    double dx = x->with_ms - x->without_ms, dy = y->with_ms - y->without_ms;
    return dx < dy ? 1 : dx > dy ? -1 : strcmp(x->kind, y->kind);
}

/* Clause extraction's extra time per pass by kind of file, from each
 * file's median time with and without it. */
static void print_kinds(const fileset *set, const double *with,
                        const double *without)
{
    kind_cost k[64];
    size_t nk = 0;
    for (size_t i = 0; i < set->n; i++) {
        char kind[32];
        file_kind(set->f[i].name, kind, sizeof kind);
        size_t j = 0;
        while (j < nk && strcmp(k[j].kind, kind))
            j++;
        if (j == nk) {
            if (nk == sizeof k / sizeof k[0])
                continue;
            memset(&k[nk], 0, sizeof k[nk]);
            snprintf(k[nk].kind, sizeof k[nk].kind, "%s", kind);
            nk++;
        }
        k[j].files++;
        k[j].with_ms += with[i];
        k[j].without_ms += without[i];
    }
    qsort(k, nk, sizeof k[0], by_extra_desc);
    printf("clause extraction's extra time per corpus pass, by kind of file "
           "(sums of per-file medians):\n");
    for (size_t j = 0; j < nk; j++)
        printf("  %-20s %4zu files  %+6.2f ms  %+6.1f %%\n", k[j].kind,
               k[j].files, k[j].with_ms - k[j].without_ms,
               k[j].without_ms > 0
                   ? (k[j].with_ms - k[j].without_ms) / k[j].without_ms * 100
                   : 0.0);
}

static void row(const char *what, const char *measured, const char *target,
                int has_target, int pass)
{
    printf("%-44s %-30s %-14s %s\n", what, measured, target,
           !has_target ? ""
           : pass      ? "PASS"
                       : "MISS");
}

static void row_at_most(const char *what, double v, double limit,
                        const char *fmt, const char *target)
{
    char m[64];
    snprintf(m, sizeof m, fmt, v);
    row(what, m, target, 1, v <= limit);
}

static long online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : n;
}

static licscan_db *open_default_or_die(void)
{
    licscan_db *db = NULL;
    int rc = licscan_db_open_default(NULL, &db);
    if (rc != LICSCAN_OK) {
        fprintf(stderr, "bench: cannot open the embedded database: %s\n",
                licscan_strerror(rc));
        exit(1);
    }
    return db;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench CORPUS_DIR [SPDX_TEMPLATE_DIR "
                        "[RENDERED_DIR [LICSCAN_CLI]]]\n");
        return 2;
    }
    start_spawner(); /* before the bench grows: see spawn */
    const char *corpus_dir = argv[1];
    const char *spdx_dir = argc > 2 ? argv[2] : NULL;
    const char *rendered_dir = argc > 3 ? argv[3] : NULL;
    const char *cli = argc > 4 ? argv[4] : NULL;
    const char *x10_dir = argc > 5 ? argv[5] : NULL;
    const char *db_file = argc > 6 ? argv[6] : NULL;
    const char *db_copy = argc > 7 ? argv[7] : NULL;
    const char *e = getenv("BENCH_REPS");
    if (e && atoi(e) > 0)
        reps = atoi(e) > MAX_REPS ? MAX_REPS : atoi(e);

    char cpu[256], load_start[64], load_end[64];
    loadavg(load_start, sizeof load_start);
    cpu_model(cpu, sizeof cpu);
    long cores = online_cores();
    printf("licscan %s bench: median of %d runs after a warm-up\n",
           licscan_version_string(), reps);
    printf("machine: %s, %ld online cores; load average at start %s\n", cpu,
           cores, load_start);

    /* -- 5. open time of the embedded database -- */
    double opens[OPENS];
    licscan_db *db = NULL;
    for (int i = 0; i < OPENS; i++) {
        double t0 = now_ms();
        db = open_default_or_die();
        opens[i] = now_ms() - t0;
        if (i < OPENS - 1)
            licscan_db_free(db);
    }
    double first_open = opens[0];
    double open_ms = median(opens, OPENS);
    printf("open embedded database: first %.3f ms, median of %d %.3f ms "
           "(%u templates, %u rules)\n",
           first_open, OPENS, open_ms, licscan_db_license_count(db),
           licscan_db_rule_count(db));

    /* Rule patterns are JIT-compiled the first time they run, so part of the
     * open cost moves to the first scan: a fresh database each time. */
    double first_scan_ms = -1;
    char first_path[4096];
    snprintf(first_path, sizeof first_path, "%s/%s", corpus_dir,
             FIRST_SCAN_FILE);
    size_t first_len = 0;
    unsigned char *first_text = slurp(first_path, &first_len);
    if (first_text) {
        double t[OPENS];
        for (int i = 0; i < OPENS; i++) {
            double t0 = now_ms();
            licscan_db *d = open_default_or_die();
            licscan_result *res = NULL;
            int rc = licscan_scan(d, first_text, first_len, NULL, &res);
            t[i] = now_ms() - t0;
            licscan_result_free(res);
            licscan_db_free(d);
            if (rc != LICSCAN_OK) {
                fprintf(stderr, "bench: %s: %s\n", first_path,
                        licscan_strerror(rc));
                exit(1);
            }
        }
        first_scan_ms = median(t, OPENS);
        printf("open embedded database + first scan of %s: median of %d "
               "%.3f ms\n",
               FIRST_SCAN_FILE, OPENS, first_scan_ms);
        free(first_text);
    }

    fileset corpus = { 0 };
    walk(&corpus, corpus_dir);
    if (!corpus.n) {
        fprintf(stderr, "bench: no files under %s\n", corpus_dir);
        return 1;
    }

    /* The unmodified text of each license (corpus/ID/original.txt): what
     * clause extraction costs on a license as shipped, beside the whole
     * corpus with its edited, rewrapped and unknown texts. The files are
     * the corpus's, borrowed. */
    fileset originals = { 0 };
    for (size_t i = 0; i < corpus.n; i++)
        if (ends_with(corpus.f[i].name, "/original.txt")) {
            file *nf = realloc(originals.f, (originals.n + 1) * sizeof(file));
            if (!nf)
                break;
            originals.f = nf;
            originals.f[originals.n++] = corpus.f[i];
            originals.bytes += corpus.f[i].len;
        }

    /* -- 1 and 2. throughput, clause share, threads -- */
    int nthreads[2] = { 2, (int)cores };
    int nmt = cores <= 2 ? 1 : 2; /* 2 threads, and all cores if more */
    run emb[6] = {
        { .label = "corpus, embedded, 1 thread",
          .db = db,
          .set = &corpus,
          .threads = 1 },
        { .label = "corpus, embedded, no clauses",
          .db = db,
          .set = &corpus,
          .flags = LICSCAN_SCAN_NO_CLAUSES,
          .threads = 1 },
    };
    for (int k = 0; k < nmt; k++)
        emb[2 + k] = (run){ .label = k == 0 ? "corpus, embedded, 2 threads"
                                            : "corpus, embedded, all cores",
                            .db = db,
                            .set = &corpus,
                            .threads = nthreads[k] };
    size_t nemb = 2 + (size_t)nmt;
    if (originals.n) {
        emb[nemb++] = (run){ .label = "originals, embedded, 1 thread",
                             .db = db,
                             .set = &originals,
                             .threads = 1 };
        emb[nemb++] = (run){ .label = "originals, no clauses",
                             .db = db,
                             .set = &originals,
                             .flags = LICSCAN_SCAN_NO_CLAUSES,
                             .threads = 1 };
    }
    double par[2];
    for (int k = 0; k < nmt; k++)
        par[k] = parallelism(nthreads[k]);
    printf("scans (embedded set):\n");
    measure(emb, nemb);
    for (int k = 0; k < nmt; k++)
        printf("  %d spinning threads get %.2fx the work of one (before "
               "the scans)\n",
               nthreads[k], par[k]);
    double clause_pct = (emb[0].ms - emb[1].ms) / emb[1].ms * 100;
    /* the CLI with the embedded set alone, for its memory (a binary
     * decoy makes it exit 1) */
    cli_figures ce = { 0, 0, 0, 0 };
    if (cli) {
        char *cmd[] = { (char *)cli, (char *)corpus_dir, NULL };
        ce = bench_cli(cmd);
    }

    /* -- 3. latency with the SPDX set, 4. CLI, 5. RSS -- */
    int have_spdx = 0, have_rendered = 0;
    double spdx_load_ms = 0;
    run spdx_runs[4];
    fileset rendered = { 0 };
    cli_figures cf = { 0, 0, 0, 0 };
    struct stat st;
    if (spdx_dir && stat(spdx_dir, &st) == 0) {
        /* The database the CLI builds with --templates: the embedded set
         * (with its clause rules) plus every SPDX template. */
        double loads[LOADS];
        licscan_db *sdb = NULL;
        for (int i = 0; i < LOADS; i++) {
            licscan_db *d2 = open_default_or_die();
            double t0 = now_ms();
            int rc = licscan_db_load_dir(d2, spdx_dir);
            loads[i] = now_ms() - t0;
            if (rc) {
                fprintf(stderr, "bench: %s\n", licscan_db_errmsg(d2));
                return 1;
            }
            if (i < LOADS - 1)
                licscan_db_free(d2);
            else
                sdb = d2;
        }
        spdx_load_ms = median(loads, LOADS);
        have_spdx = 1;
        printf("load SPDX templates into the embedded database: median of %d "
               "%.1f ms (%u templates)\n",
               LOADS, spdx_load_ms, licscan_db_license_count(sdb));
        if (rendered_dir)
            walk(&rendered, rendered_dir);
        size_t nr = 0;
        spdx_runs[nr++] = (run){ .label = "corpus, embedded+SPDX",
                                 .db = sdb,
                                 .set = &corpus,
                                 .threads = 1 };
        spdx_runs[nr++] = (run){ .label = "corpus, embedded+SPDX, all cores",
                                 .db = sdb,
                                 .set = &corpus,
                                 .threads = (int)cores };
        if (rendered.n) {
            have_rendered = 1;
            spdx_runs[nr++] = (run){ .label = "rendered SPDX, embedded+SPDX",
                                     .db = sdb,
                                     .set = &rendered,
                                     .threads = 1 };
            /* what matching alone costs, to split the latency */
            spdx_runs[nr++] = (run){ .label = "rendered SPDX, no clauses",
                                     .db = sdb,
                                     .set = &rendered,
                                     .flags = LICSCAN_SCAN_NO_CLAUSES,
                                     .threads = 1 };
        } else {
            printf("rendered SPDX texts: none under %s, latency skipped\n",
                   rendered_dir ? rendered_dir : "(no RENDERED_DIR)");
        }
        printf("scans (embedded + SPDX set):\n");
        measure(spdx_runs, nr);
        for (size_t r = 0; r < nr; r++)
            free(spdx_runs[r].file_ms);
        licscan_db_free(sdb);
        if (cli && have_rendered) {
            char *cmd[] = { (char *)cli, "--templates", (char *)spdx_dir,
                            (char *)rendered_dir, NULL };
            cf = bench_cli(cmd);
        }
    } else {
        printf("SPDX templates: %s not found, skipped\n",
               spdx_dir ? spdx_dir : "(none given)");
    }
    /* -- the SPDX list compiled: open time, the rendered texts ten times
     * over (in-process per-file latency, and the CLI as a whole) -- */
    double db_open_ms = -1, copy_open_ms = -1;
    cli_figures one_db = { 0, 0, 0, 0 }, one_embedded = { 0, 0, 0, 0 };
    run x10run = { 0 }, x10plain = { 0 };
    uint64_t x10_answered = 0;
    fileset x10 = { 0 };
    cli_figures cx = { 0, 0, 0, 0 };
    if (db_file && stat(db_file, &st) == 0) {
        /* The file as --compile left it, and a copy made by cp, opened in
         * turn. Written in large writes, a file's page cache is held in
         * 2 MB pages, mapped 2 MB at a time; a copy written in cp's
         * 128 KB writes, or any file read back in after its pages were
         * evicted (and, on some machines, one left a while), is held in
         * small pages, and an open reads every page once through a new
         * mapping. The copy is the file most opens meet. */
        const char *files[2] = { db_file, db_copy };
        int nfiles = db_copy && stat(db_copy, &st) == 0 ? 2 : 1;
        double t[2][OPENS];
        licscan_db *fdb = NULL;
        for (int i = 0; i < OPENS; i++)
            for (int k = 0; k < nfiles; k++) {
                int f = (i & 1) && nfiles == 2 ? 1 - k : k;
                double t0 = now_ms();
                int rc = licscan_db_open_file(files[f], NULL, &fdb);
                t[f][i] = now_ms() - t0;
                if (rc) {
                    fprintf(stderr, "bench: %s: %s\n", files[f],
                            licscan_strerror(rc));
                    return 1;
                }
                if (i < OPENS - 1 || k < nfiles - 1)
                    licscan_db_free(fdb);
            }
        stat(db_file, &st);
        db_open_ms = median(t[0], OPENS);
        printf("open compiled database %s (%.1f MB, %u templates): median "
               "of %d %.3f ms\n",
               db_file, st.st_size / 1e6, licscan_db_license_count(fdb), OPENS,
               db_open_ms);
        if (nfiles == 2) {
            copy_open_ms = median(t[1], OPENS);
            printf("open its copy %s: median of %d %.3f ms\n", db_copy,
                   OPENS, copy_open_ms);
        }
        /* what a CI job that scans one file pays: the whole process */
        if (cli && corpus.n) {
            char first[4096];
            snprintf(first, sizeof first, "%s/%s", corpus_dir,
                     FIRST_SCAN_FILE);
            char *one[] = { (char *)cli,  "-q",           "--json", "--db",
                            (char *)files[nfiles - 1], first, NULL };
            one_db = bench_cli(one);
            char *alone[] = { (char *)cli, "-q", "--json", first, NULL };
            one_embedded = bench_cli(alone);
        }
        if (x10_dir)
            walk(&x10, x10_dir);
        if (x10.n) {
            /* the same file with no text taken for a template's published
             * text (its answer): the speed of texts not published
             * verbatim, as most files in a tree are; alternated with the
             * other pass by pass */
            licscan_db *plain = NULL;
            if (licscan_db_open_file(db_file, NULL, &plain) == LICSCAN_OK)
                ls_test_control(plain, LS_TEST_WHOLE_ANSWERS, 0);
            run both[2] = {
                { .label = "rendered SPDX x10, compiled db",
                  .db = fdb,
                  .set = &x10,
                  .threads = 1 },
                { .label = "the same, answers off",
                  .db = plain,
                  .set = &x10,
                  .threads = 1 },
            };
            printf("scans (compiled embedded + SPDX database):\n");
            uint64_t answered = ls_whole_answer_count();
            measure(both, plain ? 2 : 1);
            x10_answered =
                (ls_whole_answer_count() - answered) / (uint64_t)(reps + 1);
            x10run = both[0];
            x10plain = both[1];
            free(both[0].file_ms);
            free(both[1].file_ms);
            licscan_db_free(plain);
            if (cli) {
                char *cmd[] = { (char *)cli, "-j1",           "--json",
                                "--db",      (char *)db_file, (char *)x10_dir,
                                NULL };
                cx = bench_cli(cmd);
            }
        }
        licscan_db_free(fdb);
    }
    double bench_rss = 0;
    {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        bench_rss = ru.ru_maxrss / 1024.0;
    }
    loadavg(load_end, sizeof load_end);

    if (emb[0].file_ms && emb[1].file_ms && corpus.n)
        print_kinds(&corpus, emb[0].file_ms, emb[1].file_ms);

    /* -- the table -- */
    char m[64], t[64];
    printf("\n");
    printf("%-44s %-30s %-14s %s\n", "figure", "measured", "target", "");
    row_at_most("open embedded db (median)", open_ms, 5.0, "%.2f ms",
                "<= 5 ms");
    if (first_scan_ms >= 0) {
        snprintf(m, sizeof m, "%.2f ms", first_scan_ms);
        row("open + first scan of one license file", m, "-", 0, 0);
    }
    snprintf(m, sizeof m, "%.2f MB/s %.0f f/s", emb[0].mbps, emb[0].files_s);
    row("scan corpus, 1 thread, with clauses", m, ">= 100 MB/s", 1,
        emb[0].mbps >= 100.0);
    snprintf(m, sizeof m, "%.2f MB/s %.0f f/s", emb[1].mbps, emb[1].files_s);
    row("scan corpus, 1 thread, NO_CLAUSES", m, "-", 0, 0);
    row_at_most("clause extraction overhead", clause_pct, 30.0, "%+.1f %%",
                "<= 30 %");
    if (emb[0].file_ms && emb[1].file_ms && corpus.n) {
        /* the typical file: the median over files of each one's extra */
        double *ratio = xmalloc(corpus.n * sizeof(double));
        for (size_t i = 0; i < corpus.n; i++)
            ratio[i] = emb[1].file_ms[i] > 0
                           ? emb[0].file_ms[i] / emb[1].file_ms[i]
                           : 1.0;
        snprintf(m, sizeof m, "%+.1f %%", (median(ratio, corpus.n) - 1) * 100);
        row("  per file: median of each file's extra", m, "-", 0, 0);
        free(ratio);
    }
    if (originals.n) {
        run *with = &emb[nemb - 2], *without = &emb[nemb - 1];
        snprintf(m, sizeof m, "%+.1f %% (%zu files, %.2f MB/s)",
                 (with->ms - without->ms) / without->ms * 100, originals.n,
                 with->mbps);
        row("  the same on unmodified license texts", m, "-", 0, 0);
    }
    for (int k = 0; k < nmt; k++) {
        run *r = &emb[2 + k];
        char what[64];
        snprintf(what, sizeof what, "scan corpus, %d threads%s: speed-up",
                 r->threads, r->threads == cores ? " (all cores)" : "");
        double up = emb[0].ms / r->ms;
        snprintf(m, sizeof m, "%.2f MB/s %.2fx (%.2f cores)", r->mbps, up,
                 r->cpu_ms / r->ms);
        /* The target is for 2 threads on 2 cores. */
        if (r->threads == 2 && cores >= 2)
            row(what, m, ">= 1.8x", 1, up >= 1.8);
        else
            row(what, m, "-", 0, 0);
    }
    snprintf(m, sizeof m, "p50 %.1f us p99 %.0f us", emb[0].p50_us,
             emb[0].p99_us);
    row("per file, corpus, embedded set", m, "-", 0, 0);
    if (have_spdx) {
        row_at_most("load SPDX templates (load_dir)", spdx_load_ms, 100.0,
                    "%.1f ms", "<= 100 ms");
        snprintf(m, sizeof m, "p50 %.1f us p99 %.0f us", spdx_runs[0].p50_us,
                 spdx_runs[0].p99_us);
        row("per file, corpus, embedded+SPDX set", m, "-", 0, 0);
        run *r = &spdx_runs[1];
        snprintf(t, sizeof t, "scan corpus, embedded+SPDX, %d threads",
                 r->threads);
        snprintf(m, sizeof m, "%.2f MB/s %.0f f/s %.2fx", r->mbps, r->files_s,
                 spdx_runs[0].ms / r->ms);
        row(t, m, "-", 0, 0);
    }
    if (have_rendered) {
        run *r = &spdx_runs[2];
        snprintf(m, sizeof m, "p50 %.1f us p99 %.0f us", r->p50_us, r->p99_us);
        row("per file, rendered SPDX, embedded+SPDX set", m, "p50 <= 150 us", 1,
            r->p50_us <= 150.0);
        r = &spdx_runs[3];
        snprintf(m, sizeof m, "p50 %.1f us p99 %.0f us", r->p50_us, r->p99_us);
        /* identification alone: issue 2's target */
        row("  the same with NO_CLAUSES", m, "p50 <= 200 us", 1,
            r->p50_us <= 200.0);
    }
    if (cf.ok) {
        snprintf(t, sizeof t, "CLI --templates SPDX, %zu texts", rendered.n);
        snprintf(m, sizeof m, "%.3f s%s", cf.wall_ms / 1e3,
                 cf.status ? " (exit 1)" : "");
        row(t, m, "<= 0.5 s", 1, cf.wall_ms <= 500.0);
        row_at_most("peak RSS of that CLI run", cf.rss_mb, 64.0, "%.1f MB",
                    "<= 64 MB");
    } else if (cli && have_rendered) {
        snprintf(m, sizeof m, "failed (exit %d)", cf.status);
        row("CLI --templates SPDX", m, "<= 0.5 s", 0, 0);
    }
    if (db_open_ms >= 0 && copy_open_ms >= 0) {
        snprintf(m, sizeof m, "%.2f ms", db_open_ms);
        row("open compiled SPDX db, as written (median)", m, "-", 0, 0);
        row_at_most("open compiled SPDX db, a copy (median)", copy_open_ms,
                    5.0, "%.2f ms", "<= 5 ms");
    } else if (db_open_ms >= 0) {
        row_at_most("open compiled SPDX db (median)", db_open_ms, 5.0,
                    "%.2f ms", "<= 5 ms");
    }
    if (one_db.ok && one_embedded.ok) {
        snprintf(m, sizeof m, "%.1f ms (embedded set: %.1f ms)",
                 one_db.wall_ms, one_embedded.wall_ms);
        row("CLI --db SPDX copy, one file, whole process", m, "-", 0, 0);
    }
    if (x10.n) {
        snprintf(m, sizeof m, "%.2f MB/s p50 %.0f us", x10run.mbps,
                 x10run.p50_us);
        row("SPDX x10, compiled db, 1 thread, in-process", m, "-", 0, 0);
        row_at_most("  per file p99", x10run.p99_us / 1e3, 0.5, "%.3f ms",
                    "<= 0.5 ms");
        snprintf(m, sizeof m, "%llu of %zu", (unsigned long long)x10_answered,
                 x10.n);
        row("  answered (a published text)", m, "-", 0, 0);
        if (x10plain.db) {
            snprintf(m, sizeof m, "%.2f MB/s p50 %.0f us p99 %.3f ms",
                     x10plain.mbps, x10plain.p50_us, x10plain.p99_us / 1e3);
            row("  the same with answers off", m, "-", 0, 0);
        }
    }
    if (cx.ok) {
        double mbps = x10.bytes / 1e3 / cx.wall_ms;
        snprintf(t, sizeof t, "CLI -j1 --json --db, SPDX x10 (%zu files)",
                 x10.n);
        snprintf(m, sizeof m, "%.2f MB/s (%.3f s%s)", mbps, cx.wall_ms / 1e3,
                 cx.status ? ", exit 1" : "");
        row(t, m, ">= 60 MB/s", 1, mbps >= 60.0);
        row_at_most("peak RSS of that CLI run", cx.rss_mb, 64.0, "%.1f MB",
                    "<= 64 MB");
    } else if (cli && x10.n) {
        snprintf(m, sizeof m, "failed (exit %d)", cx.status);
        row("CLI --db, SPDX x10", m, ">= 60 MB/s", 0, 0);
    }
    if (ce.ok) {
        snprintf(m, sizeof m, "%.1f MB (%.3f s)", ce.rss_mb, ce.wall_ms / 1e3);
        row("peak RSS, CLI over corpus/, embedded set", m, "-", 0, 0);
    }
    snprintf(m, sizeof m, "%.1f MB", bench_rss);
    row("peak RSS of this bench process", m, "-", 0, 0);
    printf("load average: %s at start, %s at end; figures on a loaded "
           "machine are noisy ('cores': CPU time / wall time of the run)\n",
           load_start, load_end);

    for (size_t k = 0; k < nemb; k++)
        free(emb[k].file_ms);
    free(originals.f); /* its files are the corpus's */
    free_set(&corpus);
    free_set(&rendered);
    free_set(&x10);
    licscan_db_free(db);
    return 0;
}
