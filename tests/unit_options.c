/* Unit tests: the options structs (licscan.h, "Options structs"), through
 * the public API only.
 *
 * A caller's struct may be smaller (an older header) or larger (a newer
 * header) than the library's: *_options_init must write nothing past the
 * size it is given, and licscan_db_open_* / licscan_scan must read only
 * what struct_size covers. Each struct is placed in a larger buffer
 * filled with a canary, and every byte past the caller's size is checked
 * afterwards. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jit_off.h"
#include "licscan.h"

#define CANARY 0xA5
#define ROOM 512

/* The first versions of the structs: what the oldest caller has. */
#define DB_V1 (offsetof(licscan_db_options, reserved2) + sizeof(uint32_t))
#define SCAN_V1                                                                \
    (offsetof(licscan_scan_options, max_evidence) + sizeof(uint32_t))

/* An aligned buffer holding a struct and the canary after it. */
typedef union {
    unsigned char bytes[ROOM];
    max_align_t align;
} room;

static int untouched_from(const room *r, size_t from)
{
    for (size_t i = from; i < ROOM; i++)
        if (r->bytes[i] != CANARY)
            return 0;
    return 1;
}

static uint32_t struct_size_of(const room *r)
{
    uint32_t v;
    memcpy(&v, r->bytes, sizeof(v));
    return v;
}

/* Every size from 0 to well past the library's struct: the call fails
 * and writes nothing below the first version, else writes exactly
 * min(size, sizeof) bytes and says so in struct_size. */
static void test_init_writes_no_more_than_asked(void)
{
    room r;
    for (size_t size = 0; size <= sizeof(licscan_db_options) + 64; size++) {
        memset(&r, CANARY, sizeof(r));
        int rc =
            licscan_db_options_init((licscan_db_options *)(void *)&r, size);
        size_t want = size < sizeof(licscan_db_options)
                          ? size
                          : sizeof(licscan_db_options);
        if (size < DB_V1) {
            CHECK_EQ_INT(rc, LICSCAN_EINVAL);
            CHECK(untouched_from(&r, 0));
            continue;
        }
        CHECK_EQ_INT(rc, LICSCAN_OK);
        CHECK_EQ_INT(struct_size_of(&r), want);
        CHECK(untouched_from(&r, want));
    }
    for (size_t size = 0; size <= sizeof(licscan_scan_options) + 64; size++) {
        memset(&r, CANARY, sizeof(r));
        int rc =
            licscan_scan_options_init((licscan_scan_options *)(void *)&r, size);
        size_t want = size < sizeof(licscan_scan_options)
                          ? size
                          : sizeof(licscan_scan_options);
        if (size < SCAN_V1) {
            CHECK_EQ_INT(rc, LICSCAN_EINVAL);
            CHECK(untouched_from(&r, 0));
            continue;
        }
        CHECK_EQ_INT(rc, LICSCAN_OK);
        CHECK_EQ_INT(struct_size_of(&r), want);
        CHECK(untouched_from(&r, want));
    }
    CHECK_EQ_INT(licscan_db_options_init(NULL, sizeof(licscan_db_options)),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_scan_options_init(NULL, sizeof(licscan_scan_options)),
                 LICSCAN_EINVAL);
}

/* The defaults the header promises. */
static void test_defaults(void)
{
    licscan_db_options d;
    CHECK_EQ_INT(licscan_db_options_init(&d, sizeof(d)), LICSCAN_OK);
    CHECK_EQ_INT(d.struct_size, sizeof(d));
    CHECK(d.allocator == NULL);
    CHECK_EQ_INT(d.max_template_bytes, 1u << 20);
    CHECK_EQ_INT(d.max_optional_depth, 8);
    CHECK_EQ_INT(d.regex_match_limit, 1000000);
    CHECK_EQ_INT(d.regex_heap_limit_kib, 20480);
    licscan_scan_options s;
    CHECK_EQ_INT(licscan_scan_options_init(&s, sizeof(s)), LICSCAN_OK);
    CHECK_EQ_INT(s.struct_size, sizeof(s));
    CHECK_EQ_INT(s.max_differences, 64);
    CHECK_EQ_INT(s.max_input_bytes, 64u << 20);
    CHECK_EQ_INT(s.flags, 0);
    CHECK_EQ_INT(s.max_evidence, 32);
}

static const char text[] =
    "Permission is hereby granted, free of charge, to any person obtaining "
    "a copy of this software and associated documentation files (the "
    "\"Software\"), to deal in the Software without restriction.";

/* The JSON of a scan with opts (NULL: defaults); NULL when it failed,
 * *rc the status. */
static char *scan_json(const licscan_db *db, const void *opts, int *rc)
{
    licscan_result *r = NULL;
    *rc = licscan_scan(db, (const uint8_t *)text, sizeof(text) - 1, opts, &r);
    char *out = NULL;
    const char *json;
    size_t len;
    if (*rc == LICSCAN_OK &&
        licscan_result_json(r, NULL, 0, &json, &len) == LICSCAN_OK) {
        out = malloc(len + 1);
        if (out)
            memcpy(out, json, len + 1);
    }
    licscan_result_free(r);
    return out;
}

/* A caller from a newer header: a larger struct whose extra bytes are
 * zero is read as the library's own; a non-zero extra byte is a field
 * the library cannot honour. Too small a struct_size is refused. */
static void test_consumers_read_struct_size(void)
{
    licscan_db *db = NULL;
    licscan_db_options dbo;
    CHECK_EQ_INT(licscan_db_options_init(&dbo, sizeof(dbo)), LICSCAN_OK);
    dbo.allocator = base_allocator();
    CHECK_EQ_INT(licscan_db_open_default(&dbo, &db), LICSCAN_OK);
    if (!db)
        return;
    int rc;
    char *want = scan_json(db, NULL, &rc);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    CHECK(want != NULL);

    room r;
    memset(&r, 0, sizeof(r));
    licscan_scan_options *so = (licscan_scan_options *)(void *)&r;
    CHECK_EQ_INT(licscan_scan_options_init(so, ROOM), LICSCAN_OK);
    CHECK_EQ_INT(so->struct_size, sizeof(*so));
    /* the same scan, the struct said to be 64 bytes larger, all zero */
    so->struct_size = (uint32_t)sizeof(*so) + 64;
    char *got = scan_json(db, so, &rc);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    CHECK(want && got && strcmp(want, got) == 0);
    free(got);
    /* a newer field set: refused, nothing scanned */
    r.bytes[sizeof(*so) + 63] = 1;
    licscan_result *res = NULL;
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)text, sizeof(text) - 1, so, &res),
        LICSCAN_EINVAL);
    CHECK(res == NULL);
    /* beyond struct_size, a set byte is not read */
    so->struct_size = (uint32_t)sizeof(*so);
    got = scan_json(db, so, &rc);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    CHECK(want && got && strcmp(want, got) == 0);
    free(got);
    /* smaller than the first version */
    so->struct_size = (uint32_t)SCAN_V1 - 1;
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)text, sizeof(text) - 1, so, &res),
        LICSCAN_EINVAL);
    /* a field the caller set is honoured */
    CHECK_EQ_INT(licscan_scan_options_init(so, sizeof(*so)), LICSCAN_OK);
    so->max_input_bytes = 10;
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)text, sizeof(text) - 1, so, &res),
        LICSCAN_ETOOBIG);
    licscan_result_free(res);
    free(want);
    licscan_db_free(db);

    /* the same for the database options */
    memset(&r, 0, sizeof(r));
    licscan_db_options *o = (licscan_db_options *)(void *)&r;
    CHECK_EQ_INT(licscan_db_options_init(o, ROOM), LICSCAN_OK);
    CHECK_EQ_INT(o->struct_size, sizeof(*o));
    o->allocator = base_allocator();
    o->struct_size = (uint32_t)sizeof(*o) + 32;
    db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(o, &db), LICSCAN_OK);
    licscan_db_free(db);
    r.bytes[sizeof(*o) + 31] = 7;
    db = (licscan_db *)1;
    CHECK_EQ_INT(licscan_db_open_empty(o, &db), LICSCAN_EINVAL);
    CHECK(db == NULL);
    o->struct_size = (uint32_t)DB_V1 - 1;
    CHECK_EQ_INT(licscan_db_open_default(o, &db), LICSCAN_EINVAL);
    /* a small template limit is honoured */
    CHECK_EQ_INT(licscan_db_options_init(o, sizeof(*o)), LICSCAN_OK);
    o->allocator = base_allocator();
    o->max_template_bytes = 16;
    CHECK_EQ_INT(licscan_db_open_empty(o, &db), LICSCAN_OK);
    CHECK_EQ_INT(
        licscan_db_add_template(db, "t", text, sizeof(text) - 1, NULL, 0, NULL),
        LICSCAN_ETOOBIG);
    licscan_db_free(db);
}

int main(void)
{
    test_init_writes_no_more_than_asked();
    test_defaults();
    test_consumers_read_struct_size();
    return check_report("unit_options");
}
