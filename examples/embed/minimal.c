/*
 * minimal.c -- the smallest complete use of licscan: scan one file and
 * print what was found.
 *
 *   cc minimal.c $(pkg-config --cflags --libs licscan) -o minimal
 *   ./minimal LICENSE
 *
 * Prints one line per match (id, kind, coverage, byte span), one line per
 * restriction flag (name, value, first evidence span) and the openness
 * category. Exits 0 on success, 1 when the file cannot be read or scanned,
 * 2 on bad usage.
 *
 * README.md ("The C API") quotes parts of this file verbatim;
 * test_minimal.py checks that they stay the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <licscan.h>

/* Reads the whole file; returns NULL (with errno set) on failure. */
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

/* A flag's value as its type says: a number with its unit, a text, a
 * list of items, or "true" for a flag that is simply present. */
static void print_flag_value(const licscan_restriction *x)
{
    uint32_t flag = licscan_restriction_flag(x);
    const char *qualifier = licscan_restriction_qualifier(x);
    switch (licscan_flag_value_type(flag)) {
    case LICSCAN_VALUE_NUMBER:
        printf("%" PRId64, licscan_restriction_number(x));
        if (*qualifier)
            printf(" %s", qualifier);
        break;
    case LICSCAN_VALUE_TEXT:
        printf("\"%s\"", licscan_restriction_text(x));
        if (*qualifier)
            printf(" (except %s)", qualifier);
        break;
    case LICSCAN_VALUE_LIST:
        for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++)
            printf("%s%s", i ? ", " : "", licscan_restriction_item(x, i));
        break;
    default: printf("true");
    }
}

/* Each flag the text sets, with its value and the span of the first
 * clause that sets it; then the openness category. */
static void print_restrictions(const licscan_result *r)
{
    for (uint32_t i = 0; i < licscan_result_restriction_count(r); i++) {
        const licscan_restriction *x = licscan_result_restriction(r, i);
        printf("flag: %s = ", licscan_flag_name(licscan_restriction_flag(x)));
        print_flag_value(x);
        uint64_t start, end;
        if (licscan_restriction_evidence_count(x) > 0 &&
            licscan_restriction_evidence(x, 0, &start, &end, NULL, NULL,
                                         NULL) == LICSCAN_OK)
            printf(" (evidence bytes %" PRIu64 "-%" PRIu64 ")", start, end);
        printf("\n");
    }
    printf("openness: %s\n", licscan_openness_name(licscan_result_openness(r)));
}

static void print_result(const licscan_result *r)
{
    const char *spdx = licscan_result_spdx(r);
    printf("spdx: %s\n", *spdx ? spdx : "(none)");

    for (uint32_t i = 0; i < licscan_result_match_count(r); i++) {
        const licscan_match *m = licscan_result_match(r, i);
        printf("match: %s %s coverage %.3f bytes %" PRIu64 "-%" PRIu64 "\n",
               licscan_license_id(licscan_match_license(m)),
               licscan_kind_name(licscan_match_kind(m)),
               licscan_match_coverage(m), licscan_match_start(m),
               licscan_match_end(m));
    }

    print_restrictions(r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];

    size_t len = 0;
    uint8_t *data = read_whole_file(path, &len);
    if (!data) {
        fprintf(stderr, "minimal: %s: %s\n", path, strerror(errno));
        return 1;
    }

    licscan_db *db = NULL;
    int status = licscan_db_open_default(NULL, &db);
    if (status != LICSCAN_OK) {
        fprintf(stderr, "minimal: cannot open the license database: %s\n",
                licscan_strerror(status));
        free(data);
        return 1;
    }

    licscan_result *r = NULL;
    status = licscan_scan(db, data, len, NULL, &r);
    if (status != LICSCAN_OK) {
        /* The result, when there is one, says what went wrong in detail. */
        fprintf(stderr, "minimal: %s: %s\n", path,
                r ? licscan_result_errmsg(r) : licscan_strerror(status));
    } else {
        printf("file: %s\n", path);
        print_result(r);
    }

    licscan_result_free(r);
    licscan_db_free(db);
    free(data);
    if (status == LICSCAN_OK && fflush(stdout) != 0) {
        fprintf(stderr, "minimal: cannot write the output: %s\n",
                strerror(errno));
        return 1;
    }
    return status == LICSCAN_OK ? 0 : 1;
}
