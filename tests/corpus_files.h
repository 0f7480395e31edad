/* corpus_files.h -- for the C test programs that compare two databases
 * over corpus/: read a file, walk the .txt files below a directory, scan
 * bytes to a JSON line, and compare two databases' lines file by file. */
#ifndef LICSCAN_CORPUS_FILES_H
#define LICSCAN_CORPUS_FILES_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "licscan.h"

/* Every stride-th file is read (under valgrind the tests take 8). */
static int stride = 1;

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *b = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 1 >= cap) { /* room for the NUL after the text */
            cap = cap ? cap * 2 : 65536;
            unsigned char *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
    } while (got);
    fclose(f);
    b[n] = '\0'; /* callers may read it as a string */
    *len = n;
    return b;
}

/* fn(path, arg) for every stride-th .txt file below dir. */
static void walk_txt(const char *dir, void (*fn)(const char *, void *),
                     void *arg)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_txt(path, fn, arg);
            continue;
        }
        size_t l = strlen(e->d_name);
        static int seen;
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt") || seen++ % stride)
            continue;
        fn(path, arg);
    }
    closedir(d);
}

/* The JSON line of a scan, with differences, as a copy the caller frees. */
static char *scan_json(const licscan_db *db, const unsigned char *data,
                       size_t len)
{
    licscan_result *r = NULL;
    licscan_scan(db, data, len, NULL, &r);
    if (!r)
        return NULL;
    const char *j;
    size_t jl;
    char *copy = NULL;
    if (licscan_result_json(r, "f", LICSCAN_JSON_DIFFS, &j, &jl) == 0) {
        copy = malloc(jl + 1);
        if (copy)
            memcpy(copy, j, jl + 1);
    }
    licscan_result_free(r);
    return copy;
}

/* Two databases that must read every file alike; `with` names what the
 * first has and the second lacks, for the report of a difference. */
typedef struct json_pair {
    const licscan_db *a, *b;
    const char *with;
    int files, differing;
} json_pair;

static void compare_json(const char *path, void *arg)
{
    json_pair *c = arg;
    size_t len;
    unsigned char *data = slurp(path, &len);
    if (!data)
        return;
    char *a = scan_json(c->a, data, len), *b = scan_json(c->b, data, len);
    c->files++;
    if (!a || !b || strcmp(a, b)) {
        c->differing++;
        if (c->differing <= 3)
            fprintf(stderr, "%s: with %s\n  %s\nwithout\n  %s\n", path, c->with,
                    a ? a : "(none)", b ? b : "(none)");
    }
    free(a);
    free(b);
    free(data);
}

/* a and b read every .txt file below dir alike (more than `least` of
 * them read, every stride-th); returns how many were read. */
static int files_alike(const licscan_db *a, const licscan_db *b,
                       const char *dir, const char *with, int least)
{
    json_pair c = { a, b, with, 0, 0 };
    walk_txt(dir, compare_json, &c);
    CHECK(c.files > least / stride);
    CHECK_EQ_INT(c.differing, 0);
    return c.files;
}

/* The same over corpus/. */
static int corpus_alike(const licscan_db *a, const licscan_db *b,
                        const char *with, int least)
{
    return files_alike(a, b, "corpus", with, least);
}

#endif
