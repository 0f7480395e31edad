/* fuzz_dbfile.c -- opening a compiled database file (dbfile.c).
 *
 * Input: one mode byte, then the bytes of a file as licscan_db_save
 * writes it. Mode bit 0 set: the checksums are verified, as
 * licscan_db_open_file does (a fuzzer rarely gets past them); clear: they
 * are not, so the checks of every offset, count and index behind them
 * meet the mutations. Either the file is refused with LICSCAN_EFORMAT and
 * a message, or the database it gives lists its templates and scans a
 * text (the template wording of its first one) with a valid result.
 * Where the CPU has AVX2, the file is opened with the portable loops too
 * (mode bit 1 says which is kept): the same status and message, and the
 * same checksum of the input either way. Mode bit 2 set: the bytes are
 * also opened as a file (in memory), its checks reading it through
 * windows of 4 KB: the same status and message. A template's words are
 * checked when a scan first reads them: the scans may fail for them
 * (LICSCAN_EFORMAT, naming the template), and every template's words
 * read give the same verdict both ways. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* lib/dbfile.c (dbfile.h), hidden in the shared library, reachable in the
 * static one the fuzz targets link. */
enum { DBF_CHECK_SUMS = 1, DBF_PORTABLE = 2, DBF_SMALL_WINDOWS = 4 };
int ls_dbf_open_image(const void *data, size_t len, unsigned how, void *unmap,
                      size_t map_len, const licscan_db_options *opts,
                      licscan_db **out, char *err, size_t errlen);
int ls_dbf_open_file(const char *path, unsigned how,
                     const licscan_db_options *opts, licscan_db **out,
                     char *err, size_t errlen);

/* The bytes as a file, opened by path through windows: the status and
 * message the image gave (the message after "path: "). */
static void same_as_file(const void *bytes, size_t n, unsigned how, int rc,
                         const char *err)
{
    int fd = memfd_create("fuzz_dbfile", 0);
    if (fd < 0)
        return;
    if (n && write(fd, bytes, n) != (ssize_t)n) {
        close(fd);
        return;
    }
    char path[64], ferr[700];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    licscan_db *fdb = NULL;
    int frc = ls_dbf_open_file(path, how | DBF_SMALL_WINDOWS, NULL, &fdb, ferr,
                               sizeof ferr);
    licscan_db_free(fdb);
    close(fd);
    if (rc == LICSCAN_ENOMEM || frc == LICSCAN_ENOMEM)
        return;
    if (!n) { /* an empty file is refused as one before it is read */
        FUZZ_ASSERT(frc == LICSCAN_EFORMAT);
        return;
    }
    FUZZ_ASSERT(frc == rc);
    size_t k = strlen(path);
    FUZZ_ASSERT(rc == LICSCAN_OK ||
                (strncmp(ferr, path, k) == 0 && ferr[k] == ':' &&
                 strcmp(ferr + k + 2, err) == 0));
}
bool ls_dbf_wide(void);
uint64_t ls_dbf_checksum(const void *p, size_t n, bool wide);
int ls_words_all_ready(const licscan_db *db, uint32_t *bad);
const char *ls_license_source(const licscan_license *lic, size_t *len);

/* A scan of db: a valid result, one that says the file is damaged in a
 * template's words, or (a text read from a damaged file) one that finds
 * it binary. */
static void scan_checked(const licscan_db *db, const char *text, size_t len)
{
    licscan_result *r = NULL;
    int rc = licscan_scan(db, text, len, NULL, &r);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_EFORMAT ||
                (rc == LICSCAN_EBINARY && memchr(text, 0, len)));
    if (rc == LICSCAN_OK) {
        fuzz_check_result(r, len, NULL);
        fuzz_check_json(r, "fuzz.txt", LICSCAN_JSON_DIFFS);
    } else if (rc == LICSCAN_EFORMAT) {
        FUZZ_ASSERT(strstr(licscan_result_errmsg(r), "the words of template"));
    }
    licscan_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* a copy of its own size, aligned as a mapping is, so that reading
     * past the end is caught */
    size_t n = size - 1;
    void *copy = aligned_alloc(8, (n + 7) & ~(size_t)7);
    FUZZ_ASSERT(copy != NULL || n == 0);
    if (n)
        memcpy(copy, data + 1, n);
    licscan_db *db = NULL;
    char err[512];
    unsigned how =
        (data[0] & 1 ? DBF_CHECK_SUMS : 0) | (data[0] & 2 ? DBF_PORTABLE : 0);
    int rc =
        ls_dbf_open_image(copy, n, how, NULL, 0, NULL, &db, err, sizeof err);
    if (ls_dbf_wide()) {
        FUZZ_ASSERT(ls_dbf_checksum(copy, n, true) ==
                    ls_dbf_checksum(copy, n, false));
        licscan_db *odb = NULL;
        char oerr[512];
        int orc = ls_dbf_open_image(copy, n, how ^ DBF_PORTABLE, NULL, 0, NULL,
                                    &odb, oerr, sizeof oerr);
        if (rc != LICSCAN_ENOMEM && orc != LICSCAN_ENOMEM) {
            FUZZ_ASSERT(rc == orc);
            FUZZ_ASSERT(rc == LICSCAN_OK || strcmp(err, oerr) == 0);
        }
        if (rc == LICSCAN_OK && orc == LICSCAN_OK) { /* (db's left unread) */
            uint32_t bad = UINT32_MAX, obad = UINT32_MAX;
            FUZZ_ASSERT(ls_words_all_ready(odb, &obad) ==
                        (obad == UINT32_MAX ? LICSCAN_OK : LICSCAN_EFORMAT));
            licscan_db *wdb = NULL;
            if (ls_dbf_open_image(copy, n, how, NULL, 0, NULL, &wdb, err,
                                  sizeof err) == LICSCAN_OK) {
                ls_words_all_ready(wdb, &bad);
                FUZZ_ASSERT(bad == obad);
            }
            licscan_db_free(wdb);
        }
        licscan_db_free(odb);
    }
    if (data[0] & 4)
        same_as_file(copy, n, how, rc, err);
    if (rc != LICSCAN_OK) {
        FUZZ_ASSERT(db == NULL);
        FUZZ_ASSERT(rc == LICSCAN_EFORMAT || rc == LICSCAN_ENOMEM);
        FUZZ_ASSERT(err[0] != '\0');
        fuzz_check_message(err);
        free(copy);
        return 0;
    }
    FUZZ_ASSERT(db != NULL);
    uint32_t count = licscan_db_license_count(db);
    for (uint32_t i = 0; i < count; i++) {
        const licscan_license *l = licscan_db_license(db, i);
        FUZZ_ASSERT(l != NULL);
        fuzz_check_message(licscan_license_id(l));
        licscan_db_lookup(db, licscan_license_id(l));
    }
    static const char text[] =
        "Permission is hereby granted, free of charge, to any person "
        "obtaining a copy of this software, to deal in the Software "
        "without restriction. THE SOFTWARE IS PROVIDED \"AS IS\". Licensed "
        "under the MIT License. You may not use the Llama Materials to "
        "improve any other large language model.";
    scan_checked(db, text, sizeof text - 1);
    /* the wording of a few templates (their words read, or refused) */
    for (uint32_t i = 0; i < count && i < 3; i++) {
        size_t len;
        const char *own = ls_license_source(licscan_db_license(db, i), &len);
        if (own)
            scan_checked(db, own, len);
    }
    licscan_db_free(db);
    free(copy);
    return 0;
}
