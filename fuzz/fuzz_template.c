/* fuzz_template.c -- adding a template in SPDX markup with its metadata.
 *
 * Input: one mode byte, then the template text, a NUL, and the metadata
 * (no NUL: no metadata). Mode bit 0 adds to the embedded database instead
 * of an empty one; bit 1 uses the id of an embedded template, so the new
 * one replaces it. A rejected template must leave the database as it was,
 * with a located message; an accepted one must be listed and found. Either
 * way the database then scans the template's own wording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOURCE "fuzz.template.txt"

/* The template's wording: markup dropped, each var replaced by its
 * original text, so a scan can match the template it came from. */
static char *render(const char *text, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    FUZZ_ASSERT(out != NULL);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (text[i] != '<' || i + 1 >= len || text[i + 1] != '<') {
            out[o++] = text[i++];
            continue;
        }
        const char *close = NULL;
        for (size_t k = i + 2; k + 1 < len && !close; k++)
            if (text[k] == '>' && text[k + 1] == '>')
                close = text + k;
        if (!close) {
            out[o++] = text[i++];
            continue;
        }
        static const char original[] = "original=\"";
        size_t markup_len = (size_t)(close - (text + i));
        const char *orig = NULL;
        for (size_t k = i; k + sizeof(original) - 1 <= i + markup_len && !orig;
             k++)
            if (!memcmp(text + k, original, sizeof(original) - 1))
                orig = text + k + sizeof(original) - 1;
        for (; orig && orig < close && *orig != '"'; orig++)
            out[o++] = *orig;
        i = (size_t)(close - text) + 2;
    }
    *out_len = o;
    return out;
}

static void scan_and_check(const licscan_db *db, const char *text, size_t len)
{
    licscan_result *r = NULL;
    int rc = licscan_scan(db, (const uint8_t *)text, len, NULL, &r);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_EBINARY);
    fuzz_check_result(r, len, NULL);
    fuzz_check_json(r, SOURCE, LICSCAN_JSON_DIFFS);
    licscan_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const char *text = (const char *)data + 1;
    size_t text_len = size - 1;
    const char *meta = NULL;
    size_t meta_len = 0;
    const char *nul = memchr(text, 0, text_len);
    if (nul) {
        meta = nul + 1;
        meta_len = text_len - (size_t)(meta - text);
        text_len = (size_t)(nul - text);
    }
    const char *id = (mode & 2) ? "MIT" : "Fuzz-Template";

    licscan_db *db = NULL;
    int rc = (mode & 1) ? licscan_db_open_default(NULL, &db)
                        : licscan_db_open_empty(NULL, &db);
    FUZZ_ASSERT(rc == LICSCAN_OK);
    uint32_t before = licscan_db_license_count(db);
    rc =
        licscan_db_add_template(db, id, text, text_len, meta, meta_len, SOURCE);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_ETEMPLATE ||
                rc == LICSCAN_ETOOBIG);
    const char *msg = licscan_db_errmsg(db);
    fuzz_check_message(msg);
    if (rc == LICSCAN_OK) {
        FUZZ_ASSERT(licscan_db_license_count(db) == before + 1);
        const licscan_license *added = licscan_db_license(db, before);
        FUZZ_ASSERT(added != NULL);
        FUZZ_ASSERT(licscan_db_lookup(db, id) == added);
        FUZZ_ASSERT(!strcmp(licscan_license_id(added), id));
        const char *keys[] = { licscan_license_spdx(added),
                               licscan_license_hf_tag(added),
                               licscan_license_scancode(added) };
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            if (*keys[k])
                FUZZ_ASSERT(licscan_db_lookup(db, keys[k]) != NULL);
    } else {
        /* unchanged, and the message says where */
        FUZZ_ASSERT(licscan_db_license_count(db) == before);
        FUZZ_ASSERT(*msg != '\0');
        const char *file = NULL;
        uint32_t line = 0, column = 0;
        licscan_db_error_location(db, &file, &line, &column);
        if (rc == LICSCAN_ETEMPLATE)
            FUZZ_ASSERT(file != NULL);
        if (rc == LICSCAN_ETEMPLATE && line > 0) { /* 0: no position */
            char where[300];
            snprintf(where, sizeof(where), "%s:%u:%u", file, (unsigned)line,
                     (unsigned)column);
            FUZZ_ASSERT(strstr(msg, where) != NULL);
        }
        if ((mode & 3) == 3) /* the embedded template it would replace */
            FUZZ_ASSERT(licscan_db_lookup(db, id) != NULL);
    }
    for (uint32_t i = 0; i < licscan_db_license_count(db); i++)
        FUZZ_ASSERT(licscan_db_license(db, i) != NULL);
    FUZZ_ASSERT(licscan_db_license(db, licscan_db_license_count(db)) == NULL);

    size_t wording_len;
    char *wording = render(text, text_len, &wording_len);
    scan_and_check(db, wording, wording_len);
    free(wording);
    licscan_db_free(db);
    return 0;
}
