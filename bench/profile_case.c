/* profile_case -- run one bench case once, untimed, for a profiler
 * (bench/profile.sh runs it under callgrind).
 *
 *   profile_case open                      open the embedded db 10 times
 *   profile_case corpus DIR [noclauses]    one pass over DIR, embedded db
 *   profile_case load SPDX_DIR             embedded db + load_dir(SPDX_DIR)
 *   profile_case spdx SPDX_DIR DIR [noclauses]  that db, one pass over DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "licscan.h"

static void die(const char *what)
{
    fprintf(stderr, "profile_case: %s\n", what);
    exit(1);
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

static size_t scanned;

/* Scan every file below dir as bench does (same files left out). */
static void scan_dir(const licscan_db *db, const char *dir, uint32_t flags)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    o.flags = flags;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        size_t l = strlen(n);
        if (n[0] == '.' || (l > 5 && strcmp(n + l - 5, ".json") == 0) ||
            (strstr(n, "README") && l > 3 && strcmp(n + l - 3, ".md") == 0) ||
            strcmp(n, "KNOWN_FAILURES.txt") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, n);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            scan_dir(db, path, flags);
            continue;
        }
        size_t len;
        unsigned char *b = slurp(path, &len);
        if (!b)
            continue;
        licscan_result *r = NULL;
        licscan_scan(db, b, len, &o, &r);
        licscan_result_free(r);
        free(b);
        scanned++;
    }
    closedir(d);
}

static licscan_db *open_default(void)
{
    licscan_db *db = NULL;
    if (licscan_db_open_default(NULL, &db) != LICSCAN_OK)
        die("cannot open the embedded database");
    return db;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: profile_case open|corpus|load|spdx ...");
    const char *c = argv[1];
    if (strcmp(c, "open") == 0) {
        for (int i = 0; i < 10; i++)
            licscan_db_free(open_default());
        return 0;
    }
    if (argc < 3)
        die("missing directory");
    licscan_db *db = open_default();
    if (strcmp(c, "corpus") == 0) {
        int noclauses = argc > 3 && strcmp(argv[3], "noclauses") == 0;
        scan_dir(db, argv[2], noclauses ? LICSCAN_SCAN_NO_CLAUSES : 0);
    } else if (strcmp(c, "load") == 0 || strcmp(c, "spdx") == 0) {
        if (licscan_db_load_dir(db, argv[2]) != LICSCAN_OK)
            die(licscan_db_errmsg(db));
        if (c[0] == 's') {
            if (argc < 4)
                die("missing directory of texts");
            int noclauses = argc > 4 && strcmp(argv[4], "noclauses") == 0;
            scan_dir(db, argv[3], noclauses ? LICSCAN_SCAN_NO_CLAUSES : 0);
        }
    } else {
        die("unknown case");
    }
    fprintf(stderr, "profile_case %s: %zu files scanned\n", c, scanned);
    licscan_db_free(db);
    return 0;
}
