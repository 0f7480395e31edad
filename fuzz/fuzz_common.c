/* fuzz_common.c -- invariant checks and the JSON validator used by every
 * fuzz target (see fuzz_common.h). Only the public API is used. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bugs the fuzz targets found in lib/, reported and not yet fixed: their
 * checks are relaxed so fuzzing can go on past them. Set one to 0 once the
 * library is fixed; its reproducer in fuzz/regressions/ then guards it. */
#ifndef OPEN_BUG_METADATA_NOT_UTF8
#define OPEN_BUG_METADATA_NOT_UTF8 1 /* .meta values are not validated */
#endif
#ifndef OPEN_BUG_MESSAGE_NOT_UTF8
#define OPEN_BUG_MESSAGE_NOT_UTF8 1 /* error messages quote input bytes */
#endif
#ifndef OPEN_BUG_NO_CLAUSES_OPENNESS
#define OPEN_BUG_NO_CLAUSES_OPENNESS 1 /* no verdict with NO_CLAUSES */
#endif

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}

/* ---------- UTF-8 ---------- */

/* Length of the valid UTF-8 sequence at s, or 0. NUL counts as invalid:
 * neither JSON text nor the library's C strings may hold one. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned char lead = s[0];
    if (lead == 0)
        return 0;
    if (lead < 0x80)
        return 1;
    size_t n;
    uint32_t cp, min;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2, cp = lead & 0x1Fu, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3, cp = lead & 0x0Fu, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4, cp = lead & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int fuzz_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(u + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

void fuzz_check_message(const char *msg)
{
    FUZZ_ASSERT(msg != NULL);
    if (!OPEN_BUG_MESSAGE_NOT_UTF8)
        FUZZ_ASSERT(fuzz_utf8_valid(msg, strlen(msg)));
}

/* A C string the library hands out: not NULL, valid UTF-8. */
static void check_string(const char *s)
{
    FUZZ_ASSERT(s != NULL);
    FUZZ_ASSERT(fuzz_utf8_valid(s, strlen(s)));
}

/* ---------- JSON (RFC 8259, strict) ---------- */

#define JSON_MAX_DEPTH 64
#define JSON_MAX_KEYS 256 /* keys per object checked for duplicates */

typedef struct json_parser {
    const unsigned char *s;
    size_t len, pos;
    int depth;
} json_parser;

static int json_value(json_parser *p);

static void json_space(json_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int json_hex4(json_parser *p, uint32_t *out)
{
    if (p->len - p->pos < 4)
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* A string; escaped surrogates must pair up, raw bytes must be UTF-8. */
static int json_string(json_parser *p)
{
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return 0;
    p->pos++;
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (++p->pos >= p->len)
                return 0;
            c = p->s[p->pos++];
            if (c == 'u') {
                uint32_t u, low;
                if (!json_hex4(p, &u) || u == 0)
                    return 0; /* \u0000 would cut C strings short */
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return 0;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
                        p->s[p->pos + 1] != 'u')
                        return 0;
                    p->pos += 2;
                    if (!json_hex4(p, &low) || low < 0xDC00 || low > 0xDFFF)
                        return 0;
                }
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return 0;
            }
            continue;
        }
        size_t n = utf8_sequence(p->s + p->pos, p->len - p->pos);
        if (!n)
            return 0;
        p->pos += n;
    }
    return 0;
}

static int json_digits(json_parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++;
    return p->pos > start;
}

static int json_number(json_parser *p)
{
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '0')
        p->pos++;
    else if (!json_digits(p))
        return 0;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (!json_digits(p))
            return 0;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (!json_digits(p))
            return 0;
    }
    return 1;
}

static int json_literal(json_parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return 0;
    p->pos += n;
    return 1;
}

static int json_array(json_parser *p)
{
    p->pos++; /* '[' */
    json_space(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return 1;
    }
    for (;;) {
        if (!json_value(p))
            return 0;
        json_space(p);
        if (p->pos >= p->len)
            return 0;
        if (p->s[p->pos] == ']') {
            p->pos++;
            return 1;
        }
        if (p->s[p->pos++] != ',')
            return 0;
    }
}

/* An object; the same key twice in one object is an error too, since a
 * reader keeps only one of them. */
static int json_object(json_parser *p)
{
    size_t key_at[JSON_MAX_KEYS], key_len[JSON_MAX_KEYS];
    size_t nkeys = 0;
    p->pos++; /* '{' */
    json_space(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 1;
    }
    for (;;) {
        size_t start = p->pos;
        if (!json_string(p))
            return 0;
        size_t n = p->pos - start;
        for (size_t k = 0; k < nkeys; k++)
            if (key_len[k] == n && !memcmp(p->s + key_at[k], p->s + start, n))
                return 0;
        if (nkeys < JSON_MAX_KEYS) {
            key_at[nkeys] = start;
            key_len[nkeys++] = n;
        }
        json_space(p);
        if (p->pos >= p->len || p->s[p->pos++] != ':')
            return 0;
        if (!json_value(p))
            return 0;
        json_space(p);
        if (p->pos >= p->len)
            return 0;
        if (p->s[p->pos] == '}') {
            p->pos++;
            return 1;
        }
        if (p->s[p->pos++] != ',')
            return 0;
        json_space(p);
    }
}

static int json_value(json_parser *p)
{
    json_space(p);
    if (p->pos >= p->len)
        return 0;
    int ok;
    switch (p->s[p->pos]) {
    case '{':
    case '[':
        if (++p->depth > JSON_MAX_DEPTH)
            return 0;
        ok = p->s[p->pos] == '{' ? json_object(p) : json_array(p);
        p->depth--;
        return ok;
    case '"': return json_string(p);
    case 't': return json_literal(p, "true");
    case 'f': return json_literal(p, "false");
    case 'n': return json_literal(p, "null");
    default: return json_number(p);
    }
}

int fuzz_json_valid(const char *s, size_t len)
{
    json_parser p = { (const unsigned char *)s, len, 0, 0 };
    if (!json_value(&p))
        return 0;
    json_space(&p);
    return p.pos == p.len;
}

/* ---------- results ---------- */

/* A metadata value: UTF-8 like every string of the API. */
static void check_metadata(const char *s)
{
    FUZZ_ASSERT(s != NULL);
    if (!OPEN_BUG_METADATA_NOT_UTF8)
        check_string(s);
}

static void check_license(const licscan_license *l)
{
    FUZZ_ASSERT(l != NULL);
    check_string(licscan_license_id(l));
    FUZZ_ASSERT(licscan_license_id(l)[0] != '\0');
    check_metadata(licscan_license_name(l));
    check_metadata(licscan_license_version(l));
    check_metadata(licscan_license_family(l));
    check_metadata(licscan_license_kind(l));
    check_metadata(licscan_license_url(l));
    check_metadata(licscan_license_spdx(l));
    check_metadata(licscan_license_hf_tag(l));
    check_metadata(licscan_license_scancode(l));
    int osi = licscan_license_osi_approved(l);
    FUZZ_ASSERT(osi == 0 || osi == 1);
}

static void check_span(uint64_t start, uint64_t end, size_t input_len)
{
    FUZZ_ASSERT(start <= end);
    FUZZ_ASSERT(end <= input_len);
}

static void check_match(const licscan_match *m, size_t input_len,
                        const licscan_scan_options *o)
{
    FUZZ_ASSERT(m != NULL);
    const licscan_license *lic = licscan_match_license(m);
    check_license(lic);
    uint32_t kind = licscan_match_kind(m);
    FUZZ_ASSERT(kind <= LICSCAN_KIND_REFERENCE);
    check_string(licscan_kind_name(kind));
    double cov = licscan_match_coverage(m);
    FUZZ_ASSERT(cov >= 0.0 && cov <= 1.0); /* false for NaN too */
    if (kind == LICSCAN_KIND_EXACT)
        FUZZ_ASSERT(cov == 1.0);
    if (kind == LICSCAN_KIND_NEAR)
        FUZZ_ASSERT(cov >= 0.90);
    if (kind == LICSCAN_KIND_REFERENCE)
        FUZZ_ASSERT(cov == 0.0);
    check_span(licscan_match_start(m), licscan_match_end(m), input_len);
    (void)licscan_match_matched_words(m);
    (void)licscan_match_extra_words(m);

    double ru_cov = -1;
    const licscan_license *ru = licscan_match_runner_up(m, &ru_cov);
    if (ru) {
        check_license(ru);
        FUZZ_ASSERT(ru != lic);
        FUZZ_ASSERT(ru_cov >= 0.0 && ru_cov <= 1.0);
    }
    FUZZ_ASSERT(licscan_match_runner_up(m, NULL) == ru);

    uint32_t ndiff = licscan_match_diff_count(m);
    FUZZ_ASSERT(ndiff <= o->max_differences);
    uint64_t prev_start = 0;
    for (uint32_t d = 0; d < ndiff; d++) {
        uint32_t op = 99;
        uint64_t s = 0, e = 0;
        const char *t = NULL;
        FUZZ_ASSERT(licscan_match_diff(m, d, &op, &s, &e, &t) == LICSCAN_OK);
        FUZZ_ASSERT(op <= LICSCAN_DIFF_VARIABLE);
        check_string(licscan_diff_op_name(op));
        check_span(s, e, input_len);
        check_string(t);
        if (op == LICSCAN_DIFF_DELETED)
            FUZZ_ASSERT(s == e);
        if (op == LICSCAN_DIFF_INSERTED)
            FUZZ_ASSERT(t[0] == '\0');
        FUZZ_ASSERT(s >= prev_start); /* "in input order" */
        prev_start = s;
        FUZZ_ASSERT(licscan_match_diff(m, d, NULL, NULL, NULL, NULL) ==
                    LICSCAN_OK);
    }
    FUZZ_ASSERT(licscan_match_diff(m, ndiff, NULL, NULL, NULL, NULL) !=
                LICSCAN_OK);

    uint32_t nchange = licscan_match_flag_change_count(m);
    for (uint32_t c = 0; c < nchange; c++) {
        uint32_t flag = 999;
        int added = -1;
        uint64_t s = 0, e = 0;
        FUZZ_ASSERT(licscan_match_flag_change(m, c, &flag, &added, &s, &e) ==
                    LICSCAN_OK);
        FUZZ_ASSERT(flag < licscan_flag_count());
        FUZZ_ASSERT(added == 0 || added == 1);
        check_span(s, e, input_len);
    }
    FUZZ_ASSERT(licscan_match_flag_change(m, nchange, NULL, NULL, NULL, NULL) !=
                LICSCAN_OK);
}

static void check_restriction(const licscan_result *r,
                              const licscan_restriction *x, size_t input_len,
                              const licscan_scan_options *o)
{
    FUZZ_ASSERT(x != NULL);
    uint32_t flag = licscan_restriction_flag(x);
    FUZZ_ASSERT(flag < licscan_flag_count());
    check_string(licscan_flag_name(flag));
    FUZZ_ASSERT(licscan_flag_lookup(licscan_flag_name(flag)) == (int)flag);
    FUZZ_ASSERT(licscan_result_find_restriction(r, flag) == x);
    uint32_t type = licscan_flag_value_type(flag);
    FUZZ_ASSERT(type <= LICSCAN_VALUE_LIST);
    int64_t number = licscan_restriction_number(x);
    if (type != LICSCAN_VALUE_NUMBER)
        FUZZ_ASSERT(number == 0);
    check_string(licscan_restriction_text(x));
    check_string(licscan_restriction_qualifier(x));

    uint32_t nitems = licscan_restriction_item_count(x);
    for (uint32_t i = 0; i < nitems; i++) {
        const char *item = licscan_restriction_item(x, i);
        check_string(item);
        for (uint32_t j = 0; j < i; j++) /* "without duplicates" */
            FUZZ_ASSERT(strcmp(item, licscan_restriction_item(x, j)) != 0);
    }
    FUZZ_ASSERT(licscan_restriction_item(x, nitems) == NULL);

    uint32_t nev = licscan_restriction_evidence_count(x);
    FUZZ_ASSERT(nev <= o->max_evidence);
    for (uint32_t i = 0; i < nev; i++) {
        uint64_t s = 0, e = 0;
        const char *text = NULL, *label = NULL, *rule = NULL;
        FUZZ_ASSERT(licscan_restriction_evidence(x, i, &s, &e, &text, &label,
                                                 &rule) == LICSCAN_OK);
        check_span(s, e, input_len);
        check_string(text);
        check_string(label);
        check_string(rule);
    }
    FUZZ_ASSERT(licscan_restriction_evidence(x, nev, NULL, NULL, NULL, NULL,
                                             NULL) != LICSCAN_OK);
}

void fuzz_check_result(const licscan_result *r, size_t input_len,
                       const licscan_scan_options *opts)
{
    licscan_scan_options defaults;
    licscan_scan_options_init(&defaults, sizeof(defaults));
    const licscan_scan_options *o = opts ? opts : &defaults;

    FUZZ_ASSERT(r != NULL);
    int status = licscan_result_status(r);
    FUZZ_ASSERT(status <= 0);
    check_string(licscan_strerror(status));
    fuzz_check_message(licscan_result_errmsg(r));
    if (status != LICSCAN_OK)
        FUZZ_ASSERT(licscan_result_errmsg(r)[0] != '\0');
    uint32_t enc = licscan_result_encoding(r);
    FUZZ_ASSERT(enc <= LICSCAN_ENCODING_UTF8_LATIN1);
    check_string(licscan_encoding_name(enc));
    (void)licscan_result_input_flags(r);

    const char *spdx = licscan_result_spdx(r);
    check_metadata(spdx);
    /* an expression has no empty operand */
    size_t spdx_len = strlen(spdx);
    FUZZ_ASSERT(strstr(spdx, " AND  AND ") == NULL);
    FUZZ_ASSERT(strncmp(spdx, " AND ", 5) != 0);
    FUZZ_ASSERT(spdx_len < 5 || strcmp(spdx + spdx_len - 5, " AND ") != 0);

    uint32_t nmatch = licscan_result_match_count(r);
    if (status != LICSCAN_OK)
        FUZZ_ASSERT(nmatch == 0);
    int text_match = 0;
    uint64_t prev_start = 0;
    for (uint32_t i = 0; i < nmatch; i++) {
        const licscan_match *m = licscan_result_match(r, i);
        check_match(m, input_len, o);
        FUZZ_ASSERT(licscan_match_start(m) >= prev_start); /* ordered */
        prev_start = licscan_match_start(m);
        uint32_t kind = licscan_match_kind(m);
        text_match |= kind != LICSCAN_KIND_REFERENCE;
        const char *id = licscan_license_spdx(licscan_match_license(m));
        if (kind <= LICSCAN_KIND_NEAR && *id)
            FUZZ_ASSERT(strstr(spdx, id) != NULL);
    }
    FUZZ_ASSERT(licscan_result_match(r, nmatch) == NULL);
    if (!text_match)
        FUZZ_ASSERT(spdx_len == 0);

    uint32_t nrestr = licscan_result_restriction_count(r);
    uint64_t set = 0;
    for (uint32_t i = 0; i < nrestr; i++) {
        const licscan_restriction *x = licscan_result_restriction(r, i);
        check_restriction(r, x, input_len, o);
        uint32_t flag = licscan_restriction_flag(x);
        if (i > 0) /* "in flag order", one each */
            FUZZ_ASSERT(flag > licscan_restriction_flag(
                                   licscan_result_restriction(r, i - 1)));
        set |= 1ull << flag;
    }
    FUZZ_ASSERT(licscan_result_restriction(r, nrestr) == NULL);
    for (uint32_t f = 0; f < licscan_flag_count(); f++)
        if (!(set & (1ull << f)))
            FUZZ_ASSERT(licscan_result_find_restriction(r, f) == NULL);

    uint32_t openness = licscan_result_openness(r);
    FUZZ_ASSERT(openness <= LICSCAN_OPENNESS_PROPRIETARY);
    check_string(licscan_openness_name(openness));
    if (openness == LICSCAN_OPENNESS_UNKNOWN &&
        !(OPEN_BUG_NO_CLAUSES_OPENNESS && (o->flags & LICSCAN_SCAN_NO_CLAUSES)))
        FUZZ_ASSERT(nrestr == 0 && !text_match);
    for (uint32_t fr = LICSCAN_FREEDOM_USE; fr <= LICSCAN_FREEDOM_SHARE; fr++) {
        uint64_t broken = ~0ull;
        int holds = licscan_result_freedom(r, fr, &broken);
        FUZZ_ASSERT(holds == 0 || holds == 1);
        FUZZ_ASSERT((holds == 1) == (broken == 0));
        FUZZ_ASSERT((broken & ~set) == 0); /* only flags the text sets */
        FUZZ_ASSERT(licscan_result_freedom(r, fr, NULL) == holds);
        check_string(licscan_freedom_name(fr));
    }
    FUZZ_ASSERT(licscan_result_freedom(r, LICSCAN_FREEDOM_SHARE + 1, NULL) < 0);
}

void fuzz_check_json(licscan_result *r, const char *file, uint32_t flags)
{
    const char *json = NULL;
    size_t len = 0;
    FUZZ_ASSERT(licscan_result_json(r, file, flags, &json, &len) == LICSCAN_OK);
    FUZZ_ASSERT(json != NULL);
    FUZZ_ASSERT(strlen(json) == len);
    FUZZ_ASSERT(memchr(json, '\n', len) == NULL); /* one JSON line */
    FUZZ_ASSERT(len > 0 && json[0] == '{');
    if (!fuzz_json_valid(json, len)) {
        fprintf(stderr, "invalid JSON: %.*s\n", (int)(len > 4000 ? 4000 : len),
                json);
        FUZZ_ASSERT(!"the JSON rendering is valid JSON");
    }
    /* rendering again gives the same text */
    char *first = malloc(len + 1);
    FUZZ_ASSERT(first != NULL);
    memcpy(first, json, len + 1);
    FUZZ_ASSERT(licscan_result_json(r, file, flags, &json, &len) == LICSCAN_OK);
    FUZZ_ASSERT(strlen(first) == len && memcmp(first, json, len) == 0);
    free(first);
}

void fuzz_copy_name(char *dst, size_t max, const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n + 1 < max && n < size && data[n])
        dst[n] = (char)data[n], n++;
    dst[n] = '\0';
}

uint8_t *fuzz_utf8_to_utf16(const uint8_t *s, size_t n, int big_endian,
                            size_t *out_len, uint64_t *map)
{
    /* at most one UTF-16 unit (2 bytes) per UTF-8 byte, plus the BOM */
    uint8_t *out = malloc(2 * n + 2);
    FUZZ_ASSERT(out != NULL);
    size_t o = 0;
    uint16_t units[2] = { 0xFEFF, 0 };
    size_t nunits = 1;
    for (size_t i = 0;;) {
        for (size_t u = 0; u < nunits; u++) {
            out[o++] = (uint8_t)(big_endian ? units[u] >> 8 : units[u] & 0xFF);
            out[o++] = (uint8_t)(big_endian ? units[u] & 0xFF : units[u] >> 8);
        }
        if (map)
            map[i] = o;
        if (i == n)
            break;
        size_t len = utf8_sequence(s + i, n - i);
        FUZZ_ASSERT(len > 0);
        uint32_t cp = len == 1 ? s[i] : (uint32_t)s[i] & (0x7Fu >> len);
        for (size_t k = 1; k < len; k++)
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        for (size_t k = 1; k < len && map; k++)
            map[i + k] = UINT64_MAX;
        if (cp >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            nunits = 2;
        } else {
            units[0] = (uint16_t)cp;
            nunits = 1;
        }
        i += len;
    }
    *out_len = o;
    return out;
}
