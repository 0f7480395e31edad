/* bench -- measure what licscan costs: database open and load times, scan
 * throughput and per-file latency, peak memory. Prints what it measured;
 * it judges nothing.
 *
 *   bench CORPUS_DIR [SPDX_TEMPLATE_DIR]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "licscan.h"

#define REPS 5

typedef struct file {
    char *name;
    unsigned char *data;
    size_t len;
} file;

static file *files;
static size_t nfiles, capfiles;

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

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n ? v[n / 2] : 0;
}

static void add_file(const char *name, unsigned char *data, size_t len)
{
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 256;
        files = realloc(files, capfiles * sizeof(file));
        if (!files)
            exit(1);
    }
    files[nfiles].name = strdup(name);
    files[nfiles].data = data;
    files[nfiles].len = len;
    nfiles++;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
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

/* Load every input file below dir (not *.json expectations). */
static void walk(const char *dir)
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
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(names[i]);
        } else if (S_ISREG(st.st_mode)) {
            size_t l = strlen(names[i]);
            if (!(l > 5 && strcmp(names[i] + l - 5, ".json") == 0) &&
                !(l > 3 && strcmp(names[i] + l - 3, ".md") == 0 &&
                  strstr(names[i], "README"))) {
                size_t len;
                unsigned char *b = slurp(names[i], &len);
                if (b)
                    add_file(names[i], b, len);
            }
        }
        free(names[i]);
    }
    free(names);
}

/* Render an SPDX template: vars become their original text, optional
 * parts stay, markup goes. */
static unsigned char *render(const unsigned char *t, size_t n, size_t *outlen)
{
    unsigned char *o = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (i + 6 <= n && memcmp(t + i, "<<var;", 6) == 0) {
            const unsigned char *orig = NULL, *end = NULL;
            for (size_t j = i; j + 3 <= n; j++) {
                if (!orig && j + 12 <= n && memcmp(t + j, "\";original=\"", 12) == 0)
                    orig = t + j + 12;
                if (j + 9 <= n && memcmp(t + j, "\";match=\"", 9) == 0) {
                    end = t + j;
                    break;
                }
            }
            if (orig && end && orig <= end) {
                memcpy(o + k, orig, (size_t)(end - orig));
                k += (size_t)(end - orig);
            }
            const unsigned char *close = NULL;
            for (size_t j = i; j + 3 <= n; j++)
                if (memcmp(t + j, "\">>", 3) == 0) {
                    close = t + j + 3;
                    break;
                }
            i = close ? (size_t)(close - t) : n;
        } else if (i + 17 <= n && memcmp(t + i, "<<beginOptional>>", 17) == 0) {
            i += 17;
        } else if (i + 15 <= n && memcmp(t + i, "<<endOptional>>", 15) == 0) {
            i += 15;
        } else {
            o[k++] = t[i++];
        }
    }
    *outlen = k;
    return o;
}

/* Scan every file REPS times; report throughput and latency. */
static void scan_all(const licscan_db *db, const char *label)
{
    size_t bytes = 0;
    for (size_t i = 0; i < nfiles; i++)
        bytes += files[i].len;
    double *per = calloc(nfiles, sizeof(double));
    double totals[REPS];
    for (int rep = -1; rep < REPS; rep++) { /* rep -1: warm-up */
        double t0 = now_ms();
        for (size_t i = 0; i < nfiles; i++) {
            double a = now_ms();
            licscan_result *r = NULL;
            licscan_scan(db, files[i].data, files[i].len, NULL, &r);
            licscan_result_free(r);
            double z = now_ms();
            if (rep == 0 || (rep > 0 && z - a < per[i]))
                per[i] = z - a; /* fastest of the repetitions */
        }
        if (rep >= 0)
            totals[rep] = now_ms() - t0;
    }
    double total = median(totals, REPS);
    double p50 = median(per, nfiles); /* sorts per */
    double p99 = per[nfiles ? (nfiles * 99) / 100 : 0];
    printf("%-28s %6zu files %8.2f MB  %8.1f MB/s %9.0f files/s  p50 %7.1f us  p99 %8.1f us\n",
           label, nfiles, bytes / 1e6, bytes / 1e3 / total, nfiles / total * 1e3,
           p50 * 1e3, p99 * 1e3);
    free(per);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench CORPUS_DIR [SPDX_TEMPLATE_DIR]\n");
        return 2;
    }
    printf("licscan %s bench: median of %d runs after a warm-up, one thread\n",
           licscan_version_string(), REPS);
    double opens[21];
    licscan_db *db = NULL;
    for (int i = 0; i < 21; i++) {
        double t0 = now_ms();
        if (licscan_db_open_default(NULL, &db) != LICSCAN_OK)
            return 1;
        opens[i] = now_ms() - t0;
        if (i < 20)
            licscan_db_free(db);
    }
    double first_open = opens[0];
    printf("open embedded database: first %.3f ms, median %.3f ms (%u templates)\n",
           first_open, median(opens, 21), licscan_db_license_count(db));
    walk(argv[1]);
    if (!nfiles) {
        fprintf(stderr, "bench: no files under %s\n", argv[1]);
        return 1;
    }
    scan_all(db, "corpus, embedded set");
    printf("peak RSS so far: %.1f MB\n", peak_rss_kib() / 1024.0);
    licscan_db_free(db);

    if (argc < 3)
        return 0;
    struct stat st;
    if (stat(argv[2], &st) != 0) {
        printf("SPDX templates: %s not found, skipped\n", argv[2]);
        return 0;
    }
    double loads[3];
    for (int i = 0; i < 3; i++) {
        licscan_db *d2;
        licscan_db_open_empty(NULL, &d2);
        double t0 = now_ms();
        int rc = licscan_db_load_dir(d2, argv[2]);
        loads[i] = now_ms() - t0;
        if (rc) {
            fprintf(stderr, "bench: %s\n", licscan_db_errmsg(d2));
            return 1;
        }
        if (i < 2)
            licscan_db_free(d2);
        else
            db = d2;
    }
    printf("load SPDX templates: median %.1f ms (%u templates)\n",
           median(loads, 3), licscan_db_license_count(db));
    scan_all(db, "corpus, SPDX set");
    /* one text per SPDX license: each template rendered */
    for (size_t i = 0; i < nfiles; i++) {
        free(files[i].name);
        free(files[i].data);
    }
    nfiles = 0;
    DIR *d = opendir(argv[2]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 13 || strcmp(e->d_name + l - 13, ".template.txt") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], e->d_name);
        size_t len, rl = 0;
        unsigned char *t = slurp(path, &len);
        if (!t)
            continue;
        unsigned char *text = render(t, len, &rl);
        add_file(e->d_name, text, rl);
        free(t);
    }
    if (d)
        closedir(d);
    scan_all(db, "rendered SPDX texts");
    printf("peak RSS: %.1f MB\n", peak_rss_kib() / 1024.0);
    licscan_db_free(db);
    return 0;
}
