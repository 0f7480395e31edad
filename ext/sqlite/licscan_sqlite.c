/*
 * licscan_sqlite.c -- licscan as an SQLite loadable extension.
 *
 *   sqlite> .load ./licscan_sqlite
 *   sqlite> SELECT path, licscan_spdx(body) FROM files;
 *
 * SQL functions (deterministic, UTF-8):
 *   licscan_spdx(text)        the SPDX expression of the exact and near
 *                             matches ("" when none)
 *   licscan_json(text)        the result as the library's JSON line (schema
 *                             "1", without "file"); a text that cannot be
 *                             scanned gives its line with "error"/"status"
 *   licscan_flag(text, name)  the value of one restriction flag as JSON text
 *                             (700000000, "Llama", ["weapons", ...], true,
 *                             {"amount": ..., "currency": ...}), NULL when
 *                             the text does not set it
 *
 * text is a TEXT (its UTF-8) or a BLOB (its bytes, any encoding the library
 * reads, e.g. UTF-16 with a byte-order mark); a number is scanned as its
 * text. NULL gives NULL; so does a text that cannot be scanned (binary, too
 * large) for licscan_spdx and licscan_flag. An unknown flag name is an SQL
 * error naming the flags.
 *
 * One licscan database (the embedded set) is opened per connection when
 * the extension is loaded, shared by the three functions, and freed when
 * the last of them goes (the connection closes, or they are replaced).
 * Only the public API of include/licscan.h is used; the library is linked
 * in statically, so the extension needs no liblicscan.so at run time.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stdint.h>
#include <string.h>

#include "licscan.h"

#define FUNCTION_FLAGS (SQLITE_UTF8 | SQLITE_DETERMINISTIC)

/* The database of one connection and how many functions hold it. The
 * functions of a connection are created, replaced and destroyed under its
 * mutex, so the count needs no lock of its own. */
typedef struct shared_db {
    licscan_db *db;
    int refs;
} shared_db;

static void shared_db_release(void *p)
{
    shared_db *s = p;
    if (--s->refs == 0) {
        licscan_db_free(s->db);
        sqlite3_free(s);
    }
}

/* The bytes of an argument; 0 when it is NULL (the caller returns NULL), -1
 * when memory ran out (reported). */
static int arg_bytes(sqlite3_context *ctx, sqlite3_value *v,
                     const uint8_t **data, size_t *len)
{
    const void *p;
    switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return 0;
    case SQLITE_BLOB: p = sqlite3_value_blob(v); break;
    default: /* TEXT; an INTEGER or FLOAT as its text */
        p = sqlite3_value_text(v);
        break;
    }
    int n = sqlite3_value_bytes(v); /* after the conversion above */
    if (!p && n > 0) {
        sqlite3_result_error_nomem(ctx);
        return -1;
    }
    *data = p ? p : (const uint8_t *)"";
    *len = (size_t)n;
    return 1;
}

/* Scan the first argument: the result (the caller frees it), or NULL with
 * the SQL result already set (NULL for a NULL argument, an error when memory
 * ran out). A result whose scan failed is returned as it is. */
static licscan_result *scan_arg(sqlite3_context *ctx, sqlite3_value *v)
{
    const shared_db *s = sqlite3_user_data(ctx);
    const uint8_t *data;
    size_t len;
    int have = arg_bytes(ctx, v, &data, &len);
    if (have <= 0) {
        if (have == 0)
            sqlite3_result_null(ctx);
        return NULL;
    }
    licscan_result *r = NULL;
    int rc = licscan_scan(s->db, data, len, NULL, &r);
    if (!r) {
        if (rc == LICSCAN_ENOMEM) {
            sqlite3_result_error_nomem(ctx);
        } else {
            char *msg = sqlite3_mprintf("licscan: %s", licscan_strerror(rc));
            sqlite3_result_error(ctx, msg ? msg : "licscan: scan failed", -1);
            sqlite3_free(msg);
        }
    }
    return r;
}

static void fn_spdx(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    licscan_result *r = scan_arg(ctx, argv[0]);
    if (!r)
        return;
    if (licscan_result_status(r) == LICSCAN_OK)
        sqlite3_result_text(ctx, licscan_result_spdx(r), -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx); /* binary, too large: not a license text */
    licscan_result_free(r);
}

static void fn_json(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    licscan_result *r = scan_arg(ctx, argv[0]);
    if (!r)
        return;
    const char *json;
    size_t len;
    /* A failed scan renders too: its line says "error" and "status". */
    if (licscan_result_json(r, NULL, 0, &json, &len) == LICSCAN_OK)
        sqlite3_result_text64(ctx, json, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    else
        sqlite3_result_error_nomem(ctx);
    licscan_result_free(r);
}

/* ---------- one flag's value as JSON ---------- */

/* A JSON string, escaped by the library exactly as its JSON output is;
 * -1 when memory ran out. */
static int json_string(sqlite3_str *out, const char *s)
{
    size_t n = strlen(s);
    size_t need = licscan_json_escape(s, n, NULL, 0) + 1;
    char small[256];
    char *buf = need <= sizeof(small) ? small : sqlite3_malloc64(need);
    if (!buf)
        return -1;
    licscan_json_escape(s, n, buf, need);
    sqlite3_str_appendchar(out, 1, '"');
    sqlite3_str_appendall(out, buf);
    sqlite3_str_appendchar(out, 1, '"');
    if (buf != small)
        sqlite3_free(buf);
    return 0;
}

static int json_string_or_null(sqlite3_str *out, const char *s)
{
    if (s && *s)
        return json_string(out, s);
    sqlite3_str_appendall(out, "null");
    return 0;
}

/* The value in the shape the library's JSON gives the flag ("Restrictions
 * and openness" in README.md), read through the restriction accessors. */
static int json_flag_value(sqlite3_str *out, const licscan_restriction *x)
{
    uint32_t flag = licscan_restriction_flag(x);
    const char *qualifier = licscan_restriction_qualifier(x);
    int rc = 0;
    switch (licscan_flag_value_type(flag)) {
    case LICSCAN_VALUE_NUMBER:
        if (flag == LICSCAN_FLAG_REVENUE_THRESHOLD) {
            sqlite3_str_appendf(out, "{\"amount\":%lld,\"currency\":",
                                (long long)licscan_restriction_number(x));
            rc = json_string_or_null(out, qualifier);
            sqlite3_str_appendchar(out, 1, '}');
        } else {
            sqlite3_str_appendf(out, "%lld",
                                (long long)licscan_restriction_number(x));
        }
        break;
    case LICSCAN_VALUE_TEXT: {
        const char *text = licscan_restriction_text(x);
        if (flag == LICSCAN_FLAG_OUTPUT_TRAINING_BAN) {
            sqlite3_str_appendall(out, "{\"scope\":");
            rc |= json_string_or_null(out, text);
            sqlite3_str_appendall(out, ",\"exception\":");
            rc |= json_string_or_null(out, qualifier);
            sqlite3_str_appendchar(out, 1, '}');
        } else if (text && *text) {
            rc = json_string(out, text);
        } else {
            sqlite3_str_appendall(out, "true"); /* set, no text read */
        }
        break;
    }
    case LICSCAN_VALUE_LIST:
        sqlite3_str_appendchar(out, 1, '[');
        for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++) {
            if (i)
                sqlite3_str_appendchar(out, 1, ',');
            rc |= json_string(out, licscan_restriction_item(x, i));
        }
        sqlite3_str_appendchar(out, 1, ']');
        break;
    default: sqlite3_str_appendall(out, "true");
    }
    return rc;
}

static void unknown_flag(sqlite3_context *ctx, const char *name)
{
    sqlite3_str *msg = sqlite3_str_new(NULL);
    if (name)
        sqlite3_str_appendf(msg,
                            "licscan_flag: unknown flag '%s'; flags:", name);
    else
        sqlite3_str_appendall(msg,
                              "licscan_flag: the flag name is NULL; flags:");
    for (uint32_t f = 0; f < licscan_flag_count(); f++)
        sqlite3_str_appendf(msg, "%s %s", f ? "," : "", licscan_flag_name(f));
    if (sqlite3_str_errcode(msg)) {
        sqlite3_free(sqlite3_str_finish(msg));
        sqlite3_result_error_nomem(ctx);
        return;
    }
    char *text = sqlite3_str_finish(msg);
    sqlite3_result_error(ctx, text, -1);
    sqlite3_free(text);
}

static void fn_flag(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *name = sqlite3_value_type(argv[1]) == SQLITE_NULL
                           ? NULL
                           : (const char *)sqlite3_value_text(argv[1]);
    int flag = licscan_flag_lookup(name);
    if (flag < 0) {
        unknown_flag(ctx, name);
        return;
    }
    licscan_result *r = scan_arg(ctx, argv[0]);
    if (!r)
        return;
    const licscan_restriction *x =
        licscan_result_status(r) == LICSCAN_OK
            ? licscan_result_find_restriction(r, (uint32_t)flag)
            : NULL;
    if (!x) {
        sqlite3_result_null(ctx); /* not set, or not scannable */
        licscan_result_free(r);
        return;
    }
    sqlite3_str *out = sqlite3_str_new(NULL);
    int failed = json_flag_value(out, x);
    licscan_result_free(r);
    if (failed || sqlite3_str_errcode(out)) {
        sqlite3_free(sqlite3_str_finish(out));
        sqlite3_result_error_nomem(ctx);
        return;
    }
    int n = sqlite3_str_length(out);
    sqlite3_result_text(ctx, sqlite3_str_finish(out), n, sqlite3_free);
}

/* ---------- entry point ---------- */

static const struct {
    const char *name;
    int nargs;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
} functions[] = {
    { "licscan_spdx", 1, fn_spdx },
    { "licscan_json", 1, fn_json },
    { "licscan_flag", 2, fn_flag },
};
#define NFUNCTIONS ((int)(sizeof(functions) / sizeof(functions[0])))

/* The name SQLite derives from the file name licscan_sqlite.so. */
#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
    int sqlite3_licscansqlite_init(sqlite3 *conn, char **errmsg,
                                   const sqlite3_api_routines *api);

int sqlite3_licscansqlite_init(sqlite3 *conn, char **errmsg,
                               const sqlite3_api_routines *api)
{
    SQLITE_EXTENSION_INIT2(api);
    shared_db *s = sqlite3_malloc(sizeof(*s));
    if (!s)
        return SQLITE_NOMEM;
    s->db = NULL;
    int rc = licscan_db_open_default(NULL, &s->db);
    if (rc != LICSCAN_OK) {
        sqlite3_free(s);
        if (errmsg)
            *errmsg = sqlite3_mprintf(
                "licscan: cannot open the embedded license database: %s",
                licscan_strerror(rc));
        return rc == LICSCAN_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
    }
    /* One reference per function; a function that fails to register has
     * already been released by SQLite (it calls xDestroy on failure), and
     * those never tried are released here. */
    s->refs = NFUNCTIONS;
    for (int i = 0; i < NFUNCTIONS; i++) {
        rc = sqlite3_create_function_v2(
            conn, functions[i].name, functions[i].nargs, FUNCTION_FLAGS, s,
            functions[i].fn, NULL, NULL, shared_db_release);
        if (rc != SQLITE_OK) {
            if (errmsg)
                *errmsg =
                    sqlite3_mprintf("licscan: cannot create %s: %s",
                                    functions[i].name, sqlite3_errstr(rc));
            for (int j = i + 1; j < NFUNCTIONS; j++)
                shared_db_release(s);
            return rc;
        }
    }
    return SQLITE_OK;
}
