/* licscan -- command-line front end: identify the licenses in files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "licscan.h"

#define EXIT_FAILED_FILE 1 /* some file could not be scanned */
#define EXIT_USAGE 2       /* bad command line or template directory */

typedef struct cli {
    licscan_db *db;
    licscan_scan_options scan_opts;
    int json, diff;
    int failures;
} cli;

static void usage(FILE *f)
{
    fputs("usage: licscan [options] FILE|DIR...\n"
          "Identify the licenses in files: which license, which version,\n"
          "where, and how close to the canonical text.\n\n"
          "  --json            one JSON object per file (JSON Lines)\n"
          "  --diff            show each match's differences from its template\n"
          "  --templates DIR   also load DIR/*.template.txt (repeatable)\n"
          "  --no-default      do not load the embedded template set\n"
          "  --max-bytes N     skip files larger than N bytes (64 MiB)\n"
          "  -h, --help        this help\n"
          "  --version         print the version\n\n"
          "Exit status: 0 all files scanned, 1 some file could not be\n"
          "read or scanned, 2 usage or template error.\n",
          f);
}

static int read_file(const char *path, unsigned char **data, size_t *len,
                     uint64_t limit, char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    size_t cap = 0, n = 0;
    unsigned char *buf = NULL;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            unsigned char *p = realloc(buf, ncap);
            if (!p) {
                snprintf(err, errlen, "out of memory");
                free(buf);
                fclose(f);
                return -1;
            }
            buf = p;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > limit) {
            snprintf(err, errlen, "file is over the limit of %llu bytes",
                     (unsigned long long)limit);
            free(buf);
            fclose(f);
            return -1;
        }
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "read error");
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void report_error(cli *c, const char *path, const char *msg)
{
    c->failures++;
    fprintf(stderr, "licscan: %s: %s\n", path, msg);
    if (c->json) {
        fputs("{\"schema\":\"1\",\"file\":", stdout);
        json_string(stdout, path);
        fputs(",\"matches\":[],\"spdx\":\"\",\"error\":", stdout);
        json_string(stdout, msg);
        fputs("}\n", stdout);
    }
}

static void print_text(const char *path, const licscan_result *r, int diff,
                       const unsigned char *data)
{
    uint32_t n = licscan_result_match_count(r);
    printf("%s:", path);
    if (!n) {
        printf(" no license found\n");
        return;
    }
    const char *spdx = licscan_result_spdx(r);
    printf(" %s\n", *spdx ? spdx : "(no complete license text)");
    for (uint32_t i = 0; i < n; i++) {
        const licscan_match *m = licscan_result_match(r, i);
        const licscan_license *l = licscan_match_license(m);
        uint32_t kind = licscan_match_kind(m);
        printf("  %-9s %s", licscan_kind_name(kind), licscan_license_id(l));
        if (kind != LICSCAN_KIND_REFERENCE)
            printf("  %.1f%%", 100 * licscan_match_coverage(m));
        printf("  bytes %llu-%llu",
               (unsigned long long)licscan_match_start(m),
               (unsigned long long)licscan_match_end(m));
        if (*licscan_license_name(l))
            printf("  (%s)", licscan_license_name(l));
        printf("\n");
        double rc;
        const licscan_license *ru = licscan_match_runner_up(m, &rc);
        if (ru)
            printf("            runner-up %s %.1f%%\n", licscan_license_id(ru),
                   100 * rc);
        if (!diff)
            continue;
        for (uint32_t d = 0; d < licscan_match_diff_count(m); d++) {
            uint32_t op;
            uint64_t s, e;
            const char *t;
            licscan_match_diff(m, d, &op, &s, &e, &t);
            printf("            %-8s @%llu-%llu", licscan_diff_op_name(op),
                   (unsigned long long)s, (unsigned long long)e);
            if (e > s) {
                size_t len = (size_t)(e - s);
                printf(" input \"");
                for (size_t k = 0; k < len && k < 160; k++) {
                    unsigned char ch = data[s + k];
                    putchar(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch);
                }
                printf("%s\"", len > 160 ? "..." : "");
            }
            if (*t)
                printf(" template \"%.160s%s\"", t, strlen(t) > 160 ? "..." : "");
            printf("\n");
        }
    }
}

static void scan_file(cli *c, const char *path)
{
    unsigned char *data;
    size_t len;
    char err[256];
    if (read_file(path, &data, &len, c->scan_opts.max_input_bytes, err,
                  sizeof(err))) {
        report_error(c, path, err);
        return;
    }
    licscan_result *r = NULL;
    int rc = licscan_scan(c->db, data, len, &c->scan_opts, &r);
    if (!r) {
        report_error(c, path, licscan_strerror(rc));
        free(data);
        return;
    }
    if (rc) {
        c->failures++;
        fprintf(stderr, "licscan: %s: %s\n", path, licscan_result_errmsg(r));
    }
    if (c->json) {
        const char *json;
        size_t jl;
        if (licscan_result_json(r, path, c->diff ? LICSCAN_JSON_DIFFS : 0,
                                &json, &jl) == LICSCAN_OK) {
            fwrite(json, 1, jl, stdout);
            fputc('\n', stdout);
        } else {
            report_error(c, path, "out of memory rendering JSON");
        }
    } else if (!rc) {
        print_text(path, r, c->diff, data);
    }
    licscan_result_free(r);
    free(data);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_path(cli *c, const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        report_error(c, path, strerror(errno));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (depth > 0)
            return; /* links inside a walked tree are not followed */
        if (stat(path, &st) != 0) {
            report_error(c, path, strerror(errno));
            return;
        }
    }
    if (S_ISREG(st.st_mode)) {
        scan_file(c, path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        report_error(c, path, "not a regular file or directory");
        return;
    }
    if (depth > 64) {
        report_error(c, path, "directory tree too deep");
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        report_error(c, path, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !strcmp(e->d_name, ".git"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **p = realloc(names, cap * sizeof(*names));
            if (!p)
                break;
            names = p;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(need);
        if (!names[n])
            break;
        snprintf(names[n], need, "%s%s%s", path,
                 path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        scan_path(c, names[i], depth + 1);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof(c));
    licscan_scan_options_init(&c.scan_opts);
    const char *dirs[64];
    int ndirs = 0, no_default = 0, first_path = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            c.json = 1;
        } else if (!strcmp(a, "--diff")) {
            c.diff = 1;
        } else if (!strcmp(a, "--templates") && i + 1 < argc) {
            if (ndirs == 64) {
                fprintf(stderr, "licscan: too many --templates\n");
                return EXIT_USAGE;
            }
            dirs[ndirs++] = argv[++i];
        } else if (!strcmp(a, "--no-default")) {
            no_default = 1;
        } else if (!strcmp(a, "--max-bytes") && i + 1 < argc) {
            c.scan_opts.max_input_bytes = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("licscan %s\n", licscan_version_string());
            return 0;
        } else if (!strcmp(a, "--")) {
            first_path = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "licscan: unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else {
            first_path = i;
            break;
        }
    }
    if (first_path >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int rc = no_default ? licscan_db_open_empty(NULL, &c.db)
                        : licscan_db_open_default(NULL, &c.db);
    if (rc) {
        fprintf(stderr, "licscan: cannot open the template database: %s\n",
                licscan_strerror(rc));
        return EXIT_USAGE;
    }
    for (int i = 0; i < ndirs; i++) {
        rc = licscan_db_load_dir(c.db, dirs[i]);
        if (rc) {
            fprintf(stderr, "licscan: %s\n", licscan_db_errmsg(c.db));
            licscan_db_free(c.db);
            return EXIT_USAGE;
        }
    }
    for (int i = first_path; i < argc; i++)
        scan_path(&c, argv[i], 0);
    licscan_db_free(c.db);
    if (fflush(stdout) != 0)
        return EXIT_FAILED_FILE;
    return c.failures ? EXIT_FAILED_FILE : 0;
}
