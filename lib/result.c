/* result.c -- the scan entry point, result accessors and JSON rendering. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void licscan_scan_options_init(licscan_scan_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->max_differences = 64;
    o->max_input_bytes = 64u << 20;
}

static void set_result_error(licscan_result *r, int status, const char *msg)
{
    r->status = status;
    snprintf(r->errmsg, sizeof(r->errmsg), "%s",
             msg && *msg ? msg : licscan_strerror(status));
}

/* The SPDX expression: ids of text matches (exact, near) in input order. */
static int build_spdx(licscan_result *r)
{
    ls_buf b;
    ls_buf_init(&b, &r->alloc);
    for (uint32_t i = 0; i < r->nmatch; i++) {
        const licscan_match *m = &r->m[i];
        if (m->kind > LICSCAN_KIND_NEAR)
            continue;
        bool dup = false;
        for (uint32_t j = 0; j < i; j++)
            dup |= r->m[j].kind <= LICSCAN_KIND_NEAR && r->m[j].tpl == m->tpl;
        if (dup)
            continue;
        if (b.len)
            ls_buf_puts(&b, " AND ");
        ls_buf_puts(&b, m->tpl->lic.spdx);
    }
    int rc = b.failed ? LICSCAN_ENOMEM : LICSCAN_OK;
    if (!rc)
        r->spdx = ls_arena_strndup(&r->arena, b.data ? b.data : "", b.len);
    if (!rc && !r->spdx)
        rc = LICSCAN_ENOMEM;
    ls_buf_free(&b);
    return rc;
}

int licscan_scan(const licscan_db *db, const uint8_t *data, size_t len,
                 const licscan_scan_options *opts, licscan_result **out)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!db || (!data && len))
        return LICSCAN_EINVAL;
    licscan_scan_options o;
    licscan_scan_options_init(&o);
    if (opts) {
        if (opts->struct_size < sizeof(uint32_t) * 2 ||
            opts->struct_size > sizeof(o))
            return LICSCAN_EINVAL;
        memcpy(&o, opts, opts->struct_size);
    }
    licscan_result *r = ls_malloc(&db->alloc, sizeof(*r));
    if (!r)
        return LICSCAN_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->alloc = db->alloc;
    ls_arena_init(&r->arena, &r->alloc);
    ls_buf_init(&r->json, &r->alloc);
    r->spdx = "";
    *out = r;

    if (len > o.max_input_bytes) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "input of %zu bytes is over the limit of %llu bytes", len,
                 (unsigned long long)o.max_input_bytes);
        set_result_error(r, LICSCAN_ETOOBIG, msg);
        return r->status;
    }
    ls_text text;
    char err[160] = "";
    int rc = ls_decode(&r->alloc, data ? data : (const uint8_t *)"", len,
                       &text, err, sizeof(err));
    r->encoding = text.encoding;
    r->input_flags = text.flags;
    if (rc) {
        ls_text_free(&r->alloc, &text);
        set_result_error(r, rc, err);
        return rc;
    }
    ls_tokens toks = {.alloc = &r->alloc};
    ls_tokstate st = {.line_start = true, .intern = false};
    /* the lexicon is only read when intern is false */
    rc = ls_tokenize((ls_lexicon *)&db->lex, text.text, 0, text.len, &st,
                     &toks);
    if (!rc && toks.n == 0)
        r->input_flags |= LICSCAN_INPUT_EMPTY;
    if (!rc && toks.n)
        rc = ls_match_text(db, &text, &toks, &o, r);
    if (!rc)
        rc = build_spdx(r);
    ls_tokens_free(&toks);
    ls_text_free(&r->alloc, &text);
    if (rc) {
        r->nmatch = 0;
        r->spdx = "";
        set_result_error(r, rc, NULL);
    }
    return rc;
}

void licscan_result_free(licscan_result *r)
{
    if (!r)
        return;
    ls_alloc a = r->alloc;
    ls_buf_free(&r->json);
    ls_arena_free(&r->arena);
    ls_free(&a, r);
}

int licscan_result_status(const licscan_result *r)
{
    return r ? r->status : LICSCAN_EINVAL;
}
const char *licscan_result_errmsg(const licscan_result *r)
{
    return r ? r->errmsg : "no result";
}
uint32_t licscan_result_encoding(const licscan_result *r)
{
    return r ? r->encoding : 0;
}
uint32_t licscan_result_input_flags(const licscan_result *r)
{
    return r ? r->input_flags : 0;
}
const char *licscan_result_spdx(const licscan_result *r)
{
    return r && r->spdx ? r->spdx : "";
}
uint32_t licscan_result_match_count(const licscan_result *r)
{
    return r ? r->nmatch : 0;
}
const licscan_match *licscan_result_match(const licscan_result *r, uint32_t i)
{
    return r && i < r->nmatch ? &r->m[i] : NULL;
}

const char *licscan_encoding_name(uint32_t e)
{
    switch (e) {
    case LICSCAN_ENCODING_UTF8: return "utf-8";
    case LICSCAN_ENCODING_UTF16LE: return "utf-16le";
    case LICSCAN_ENCODING_UTF16BE: return "utf-16be";
    case LICSCAN_ENCODING_UTF8_LATIN1: return "utf-8+latin-1";
    default: return "unknown";
    }
}

const char *licscan_kind_name(uint32_t k)
{
    static const char *const names[] = {"exact", "near", "partial",
                                        "reference"};
    return k < 4 ? names[k] : "unknown";
}

const char *licscan_diff_op_name(uint32_t op)
{
    static const char *const names[] = {"inserted", "deleted", "replaced",
                                        "variable"};
    return op < 4 ? names[op] : "unknown";
}

const licscan_license *licscan_match_license(const licscan_match *m)
{
    return m ? &m->tpl->lic : NULL;
}
uint32_t licscan_match_kind(const licscan_match *m) { return m ? m->kind : 0; }
double licscan_match_coverage(const licscan_match *m)
{
    return m ? m->coverage : 0;
}
uint64_t licscan_match_start(const licscan_match *m) { return m ? m->start : 0; }
uint64_t licscan_match_end(const licscan_match *m) { return m ? m->end : 0; }
uint32_t licscan_match_matched_words(const licscan_match *m)
{
    return m ? m->matched : 0;
}
uint32_t licscan_match_extra_words(const licscan_match *m)
{
    return m ? m->extra : 0;
}
const licscan_license *licscan_match_runner_up(const licscan_match *m,
                                               double *coverage)
{
    if (coverage)
        *coverage = m && m->runner ? m->runner_coverage : 0;
    return m && m->runner ? &m->runner->lic : NULL;
}
uint32_t licscan_match_diff_count(const licscan_match *m)
{
    return m ? m->ndiffs : 0;
}
int licscan_match_diff(const licscan_match *m, uint32_t i, uint32_t *op,
                       uint64_t *start, uint64_t *end, const char **text)
{
    if (!m || i >= m->ndiffs)
        return LICSCAN_ENOTFOUND;
    const ls_diff *d = &m->diffs[i];
    if (op)
        *op = d->op;
    if (start)
        *start = d->start;
    if (end)
        *end = d->end;
    if (text)
        *text = d->template_text;
    return LICSCAN_OK;
}

/* ---------- JSON ---------- */

static void json_str(ls_buf *b, const char *s)
{
    ls_buf_putc(b, '"');
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80) { /* valid UTF-8 as is; a bad byte (a file name,
                            say) becomes U+FFFD so the line stays JSON */
            size_t k = ls_utf8_valid_len(p, end);
            if (k) {
                ls_buf_append(b, (const char *)p, k);
                p += k - 1;
            } else {
                ls_buf_puts(b, "\\ufffd");
            }
            continue;
        }
        if (c == '"' || c == '\\') {
            ls_buf_putc(b, '\\');
            ls_buf_putc(b, (char)c);
        } else if (c < 0x20) {
            char esc[8];
            switch (c) {
            case '\n': ls_buf_puts(b, "\\n"); break;
            case '\t': ls_buf_puts(b, "\\t"); break;
            case '\r': ls_buf_puts(b, "\\r"); break;
            default:
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                ls_buf_puts(b, esc);
            }
        } else {
            ls_buf_putc(b, (char)c);
        }
    }
    ls_buf_putc(b, '"');
}

static void json_key(ls_buf *b, const char *k)
{
    json_str(b, k);
    ls_buf_putc(b, ':');
}

static void json_u64(ls_buf *b, uint64_t v)
{
    char n[24];
    snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
    ls_buf_puts(b, n);
}

static void json_ratio(ls_buf *b, double v)
{
    char n[24];
    snprintf(n, sizeof(n), "%.4f", v);
    ls_buf_puts(b, n);
}

/* Members after the first: ,"key":value */
static void json_member_str(ls_buf *b, const char *k, const char *v)
{
    ls_buf_putc(b, ',');
    json_key(b, k);
    json_str(b, v);
}

static void json_member_u64(ls_buf *b, const char *k, uint64_t v)
{
    ls_buf_putc(b, ',');
    json_key(b, k);
    json_u64(b, v);
}

static void json_member_ratio(ls_buf *b, const char *k, double v)
{
    ls_buf_putc(b, ',');
    json_key(b, k);
    json_ratio(b, v);
}

/* A string member, skipped when empty. */
static void json_opt(ls_buf *b, const char *k, const char *v)
{
    if (v && *v)
        json_member_str(b, k, v);
}

#define JSON_SCHEMA_VERSION "1"

int licscan_result_json(licscan_result *r, const char *file, uint32_t flags,
                        const char **json, size_t *json_len)
{
    if (!r || !json)
        return LICSCAN_EINVAL;
    ls_buf *b = &r->json;
    b->len = 0;
    b->failed = false;
    ls_buf_putc(b, '{');
    json_key(b, "schema");
    json_str(b, JSON_SCHEMA_VERSION);
    if (file)
        json_member_str(b, "file", file);
    json_member_str(b, "encoding", licscan_encoding_name(r->encoding));
    if (r->input_flags) {
        static const char *const names[] = {
            "invalid-utf8", "bom", "crlf", "empty", "invalid-utf16",
            "differences-truncated", "search-limit"};
        ls_buf_putc(b, ',');
        json_key(b, "input");
        ls_buf_putc(b, '[');
        bool first = true;
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (r->input_flags & (1u << i)) {
                if (!first)
                    ls_buf_putc(b, ',');
                first = false;
                json_str(b, names[i]);
            }
        ls_buf_putc(b, ']');
    }
    ls_buf_putc(b, ',');
    json_key(b, "matches");
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < r->nmatch; i++) {
        const licscan_match *m = &r->m[i];
        const licscan_license *l = &m->tpl->lic;
        ls_buf_puts(b, i ? ",{" : "{");
        json_key(b, "id");
        json_str(b, l->id);
        json_member_str(b, "name", licscan_license_name(l));
        json_member_str(b, "kind", licscan_kind_name(m->kind));
        json_member_ratio(b, "coverage", m->coverage);
        json_member_u64(b, "start", m->start);
        json_member_u64(b, "end", m->end);
        json_opt(b, "spdx", l->spdx);
        json_opt(b, "version", l->version);
        json_opt(b, "family", l->family);
        json_opt(b, "hf", l->hf);
        json_opt(b, "scancode", l->scancode);
        if (m->kind != LICSCAN_KIND_REFERENCE) {
            json_member_u64(b, "matched_words", m->matched);
            json_member_u64(b, "extra_words", m->extra);
            json_member_u64(b, "diff_count", m->ndiffs);
        }
        if (m->runner) {
            ls_buf_puts(b, ",\"runner_up\":{");
            json_key(b, "id");
            json_str(b, m->runner->lic.id);
            json_member_ratio(b, "coverage", m->runner_coverage);
            ls_buf_putc(b, '}');
        }
        if ((flags & LICSCAN_JSON_DIFFS) && m->kind != LICSCAN_KIND_REFERENCE) {
            ls_buf_puts(b, ",\"differences\":[");
            for (uint32_t d = 0; d < m->ndiffs; d++) {
                const ls_diff *df = &m->diffs[d];
                ls_buf_puts(b, d ? ",{" : "{");
                json_key(b, "op");
                json_str(b, licscan_diff_op_name(df->op));
                json_member_u64(b, "start", df->start);
                json_member_u64(b, "end", df->end);
                json_member_str(b, "template", df->template_text);
                ls_buf_putc(b, '}');
            }
            ls_buf_putc(b, ']');
        }
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, ']');
    json_member_str(b, "spdx", licscan_result_spdx(r));
    if (r->status) {
        json_member_str(b, "error", r->errmsg);
        json_member_str(b, "status", licscan_strerror(r->status));
    }
    ls_buf_putc(b, '}');
    if (b->failed)
        return LICSCAN_ENOMEM;
    *json = b->data;
    if (json_len)
        *json_len = b->len;
    return LICSCAN_OK;
}
