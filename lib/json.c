/* json.c -- a result rendered as one line of JSON (schema in README). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Escaping, the one place that spells it (licscan.h says how): the
 * library's JSON and the CLI's own lines both go through it. */

/* Append k bytes to out unless they would not fit with the NUL. */
static void put_piece(char *out, size_t cap, size_t *w, bool *full,
                      const void *piece, size_t k)
{
    if (*full || *w + k >= cap) {
        *full = true;
        return;
    }
    memcpy(out + *w, piece, k);
    *w += k;
}

size_t licscan_json_escape(const char *s, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + (s ? n : 0);
    size_t len = 0, w = 0;
    bool full = cap == 0 || !out;
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            /* a run of bytes copied as they are; cut anywhere. Eight at a
             * time while none of them may need more (a byte below 0x20,
             * a quote, a backslash or a byte of UTF-8: the tests never
             * miss one, and a false alarm only ends the fast steps) */
            const unsigned char *q = p + 1;
            const uint64_t ones = 0x0101010101010101u, high = ones << 7;
            while (end - q >= 8) {
                uint64_t x;
                memcpy(&x, q, sizeof x);
                uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
                if (((x - ones * 0x20) & ~x & high) |
                    ((quote - ones) & ~quote & high) |
                    ((bslash - ones) & ~bslash & high) | (x & high))
                    break;
                q += 8;
            }
            while (q < end && *q >= 0x20 && *q != '"' && *q != '\\' &&
                   *q < 0x80)
                q++;
            size_t k = (size_t)(q - p);
            if (!full) {
                size_t room = cap - 1 - w;
                size_t fit = k < room ? k : room;
                memcpy(out + w, p, fit);
                w += fit;
                full = fit < k;
            }
            len += k;
            p = q;
            continue;
        }
        char esc[6];
        const void *piece = esc;
        size_t k;
        if (c >= 0x80) { /* valid UTF-8 as is; a bad byte (a file name,
                            say) becomes U+FFFD so the text stays JSON */
            size_t v = ls_utf8_valid_len(p, end);
            if (v) {
                piece = p;
                k = v;
                p += v;
            } else {
                piece = "\\ufffd";
                k = 6;
                p++;
            }
        } else {
            p++;
            esc[0] = '\\';
            k = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\n': esc[1] = 'n'; break;
            case '\t': esc[1] = 't'; break;
            case '\r': esc[1] = 'r'; break;
            default:
                memcpy(esc + 1, "u00", 3);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                k = 6;
            }
        }
        put_piece(out, cap, &w, &full, piece, k);
        len += k;
    }
    if (cap && out)
        out[w] = 0;
    return len;
}

static void json_str(ls_buf *b, const char *s)
{
    size_t n = strlen(s);
    ls_buf_putc(b, '"');
    /* escaped in place when the buffer has room, else once more after it
     * grew to the length the first try measured */
    if (!b->failed) {
        size_t need =
            licscan_json_escape(s, n, b->data + b->len, b->cap - b->len);
        if (need >= b->cap - b->len && ls_buf_reserve(b, need) == LICSCAN_OK)
            licscan_json_escape(s, n, b->data + b->len, b->cap - b->len);
        if (!b->failed)
            b->len += need;
    }
    ls_buf_putc(b, '"');
}

static void json_key(ls_buf *b, const char *k)
{
    json_str(b, k);
    ls_buf_putc(b, ':');
}

/* Decimal digits written back to front: no snprintf, which costs more
 * than the rest of a span's members. */
static void json_u64(ls_buf *b, uint64_t v)
{
    char n[24], *p = n + sizeof(n);
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    ls_buf_append(b, p, (size_t)(n + sizeof(n) - p));
}

/* A ratio in [0, 1] with four decimals, printed from integers: "%.4f"
 * would follow the caller's LC_NUMERIC and could write "0,9270". */
static void json_ratio(ls_buf *b, double v)
{
    if (!(v > 0))
        v = 0; /* NaN too */
    if (v > 1)
        v = 1;
    unsigned long r = (unsigned long)(v * 10000.0 + 0.5);
    char n[24];
    snprintf(n, sizeof(n), "%lu.%04lu", r / 10000, r % 10000);
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

/* ,"line":L,"col":C,"end_line":L,"end_col":C after a span's start and
 * end (licscan_position). */
static void json_position(ls_buf *b, const ls_pos *p)
{
    json_member_u64(b, "line", p->line);
    json_member_u64(b, "col", p->col);
    json_member_u64(b, "end_line", p->end_line);
    json_member_u64(b, "end_col", p->end_col);
}

/* A string member, skipped when empty. */
static void json_opt(ls_buf *b, const char *k, const char *v)
{
    if (v && *v)
        json_member_str(b, k, v);
}

static void json_i64(ls_buf *b, int64_t v)
{
    char n[24];
    snprintf(n, sizeof(n), "%lld", (long long)v);
    ls_buf_puts(b, n);
}

/* A flag's value: its JSON shape depends on the flag (README). */
static void json_flag_value(ls_buf *b, const licscan_restriction *x)
{
    switch (licscan_flag_value_type(x->flag)) {
    case LICSCAN_VALUE_NUMBER:
        if (x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD) {
            ls_buf_putc(b, '{');
            json_key(b, "amount");
            json_i64(b, x->number);
            ls_buf_putc(b, ',');
            json_key(b, "currency");
            if (x->qualifier && *x->qualifier)
                json_str(b, x->qualifier);
            else
                ls_buf_puts(b, "null");
            ls_buf_putc(b, '}');
        } else {
            json_i64(b, x->number);
        }
        break;
    case LICSCAN_VALUE_TEXT:
        if (x->flag == LICSCAN_FLAG_OUTPUT_TRAINING_BAN) {
            ls_buf_putc(b, '{');
            json_key(b, "scope");
            if (x->text && *x->text)
                json_str(b, x->text);
            else
                ls_buf_puts(b, "null");
            ls_buf_putc(b, ',');
            json_key(b, "exception");
            if (x->qualifier && *x->qualifier)
                json_str(b, x->qualifier);
            else
                ls_buf_puts(b, "null");
            ls_buf_putc(b, '}');
        } else if (x->text && *x->text) {
            json_str(b, x->text);
        } else {
            ls_buf_puts(b, "true");
        }
        break;
    case LICSCAN_VALUE_LIST:
        ls_buf_putc(b, '[');
        for (uint32_t i = 0; i < x->nitems; i++) {
            if (i)
                ls_buf_putc(b, ',');
            json_str(b, x->items[i]);
        }
        ls_buf_putc(b, ']');
        break;
    default: ls_buf_puts(b, "true");
    }
}

/* A string member, null when empty. */
static void json_member_str_or_null(ls_buf *b, const char *k, const char *v)
{
    ls_buf_putc(b, ',');
    json_key(b, k);
    if (v && *v)
        json_str(b, v);
    else
        ls_buf_puts(b, "null");
}

/* A threshold's details (values.c): "threshold": {"measure", "amount",
 * "currency", "period", "period_text", "consequence", "duties"}. */
static void json_threshold(ls_buf *b, const licscan_restriction *x)
{
    static const char *const measures[] = { "unknown",
                                            "monthly_active_users",
                                            "daily_active_users",
                                            "users",
                                            "visits",
                                            "revenue" };
    static const char *const periods[] = { "unknown", "day", "month", "year" };
    static const char *const consequences[] = { "unknown", "license_required",
                                                "duty", "fee" };
    ls_buf_puts(b, ",\"threshold\":{");
    json_key(b, "measure");
    json_str(b, measures[x->measure < 6 ? x->measure : 0]);
    ls_buf_putc(b, ',');
    json_key(b, "amount");
    json_i64(b, x->number);
    json_member_str_or_null(b, "currency", x->qualifier);
    ls_buf_putc(b, ',');
    json_key(b, "period");
    json_str(b, periods[x->period < 4 ? x->period : 0]);
    json_member_str_or_null(b, "period_text", x->period_text);
    ls_buf_putc(b, ',');
    json_key(b, "consequence");
    json_str(b, consequences[x->consequence < 4 ? x->consequence : 0]);
    ls_buf_puts(b, ",\"duties\":[");
    const char *d = x->consequence_flags ? x->consequence_flags : "";
    for (bool first = true; *d; first = false) {
        const char *comma = strchr(d, ',');
        size_t n = comma ? (size_t)(comma - d) : strlen(d);
        if (!first)
            ls_buf_putc(b, ',');
        ls_buf_putc(b, '"');
        ls_buf_append(b, d, n); /* flag names: no escaping needed */
        ls_buf_putc(b, '"');
        d += n + (comma != NULL);
    }
    ls_buf_puts(b, "]}");
}

static void json_restrictions(ls_buf *b, const licscan_result *r)
{
    ls_buf_puts(b, ",\"restrictions\":{");
    for (uint32_t i = 0; i < r->nrestr; i++) {
        const licscan_restriction *x = &r->restr[i];
        if (i)
            ls_buf_putc(b, ',');
        json_key(b, licscan_flag_name(x->flag));
        ls_buf_putc(b, '{');
        json_key(b, "value");
        json_flag_value(b, x);
        if (x->flag == LICSCAN_FLAG_MAU_THRESHOLD ||
            x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD)
            json_threshold(b, x);
        if (x->scope && *x->scope) {
            ls_buf_putc(b, ',');
            json_key(b, "scope");
            json_str(b, x->scope);
        }
        ls_buf_puts(b, ",\"evidence\":[");
        for (uint32_t e = 0; e < x->nev; e++) {
            const ls_evidence *ev = &x->ev[e];
            ls_buf_puts(b, e ? ",{" : "{");
            json_key(b, "start");
            json_u64(b, ev->start);
            json_member_u64(b, "end", ev->end);
            json_position(b, &ev->pos);
            json_member_str(b, "text", ev->text);
            json_opt(b, "label", ev->label);
            json_member_str(b, "rule", ev->rule);
            ls_buf_putc(b, '}');
        }
        ls_buf_puts(b, "]}");
    }
    ls_buf_putc(b, '}');
}

static void json_flag_list(ls_buf *b, uint64_t mask)
{
    ls_buf_putc(b, '[');
    bool first = true;
    for (uint32_t f = 0; f < licscan_flag_count(); f++)
        if (mask & (1ull << f)) {
            if (!first)
                ls_buf_putc(b, ',');
            first = false;
            json_str(b, licscan_flag_name(f));
        }
    ls_buf_putc(b, ']');
}

static void json_openness(ls_buf *b, const licscan_result *r)
{
    ls_buf_puts(b, ",\"openness\":{");
    json_key(b, "category");
    json_str(b, licscan_openness_name(r->openness));
    for (uint32_t fr = 0; fr < LICSCAN_FREEDOM_COUNT; fr++) {
        ls_buf_putc(b, ',');
        json_key(b, licscan_freedom_name(fr));
        ls_buf_putc(b, '{');
        json_key(b, "ok");
        ls_buf_puts(b, r->broken[fr] ? "false" : "true");
        ls_buf_putc(b, ',');
        json_key(b, "broken_by");
        json_flag_list(b, r->broken[fr]);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, '}');
}

static void json_flag_changes(ls_buf *b, const licscan_match *m)
{
    if (!m->nchanges)
        return;
    ls_buf_puts(b, ",\"flag_changes\":[");
    for (uint32_t i = 0; i < m->nchanges; i++) {
        const ls_flag_change *c = &m->changes[i];
        ls_buf_puts(b, i ? ",{" : "{");
        json_key(b, "flag");
        json_str(b, licscan_flag_name(c->flag));
        json_member_str(b, "change", c->added ? "added" : "removed");
        json_member_u64(b, "start", c->start);
        json_member_u64(b, "end", c->end);
        json_position(b, &c->pos);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, ']');
}

#define JSON_SCHEMA_VERSION "1"

/* One warning per limit the scan hit (licscan_warning_code), in bit
 * order. */
static void json_warnings(ls_buf *b, uint32_t input_flags)
{
    bool any = false;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        const char *code = licscan_warning_code(bit);
        if (!(input_flags & bit) || !code)
            continue;
        ls_buf_puts(b, any ? ",{" : ",\"warnings\":[{");
        any = true;
        json_key(b, "code");
        json_str(b, code);
        json_member_str(b, "message", licscan_warning_message(bit));
        ls_buf_putc(b, '}');
    }
    if (any)
        ls_buf_putc(b, ']');
}

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
        ls_buf_putc(b, ',');
        json_key(b, "input");
        ls_buf_putc(b, '[');
        bool first = true;
        for (uint32_t bit = 1; bit; bit <<= 1) {
            const char *name = licscan_input_flag_name(bit);
            if (!(r->input_flags & bit) || !name)
                continue;
            if (!first)
                ls_buf_putc(b, ',');
            first = false;
            json_str(b, name);
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
        json_position(b, &m->pos);
        json_opt(b, "spdx", l->spdx);
        json_opt(b, "version", l->version);
        json_opt(b, "family", l->family);
        json_opt(b, "hf", l->hf);
        json_opt(b, "scancode", l->scancode);
        json_opt(b, "modified", m->modified_spdx);
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
            json_member_ratio(b, "similarity", m->runner_similarity);
            ls_buf_putc(b, '}');
        }
        json_flag_changes(b, m);
        if ((flags & LICSCAN_JSON_DIFFS) && m->kind != LICSCAN_KIND_REFERENCE) {
            ls_buf_puts(b, ",\"differences\":[");
            for (uint32_t d = 0; d < m->ndiffs; d++) {
                const ls_diff *df = &m->diffs[d];
                ls_buf_puts(b, d ? ",{" : "{");
                json_key(b, "op");
                json_str(b, licscan_diff_op_name(df->op));
                json_member_u64(b, "start", df->start);
                json_member_u64(b, "end", df->end);
                json_position(b, &df->pos);
                json_member_str(b, "template", df->template_text);
                ls_buf_putc(b, '}');
            }
            ls_buf_putc(b, ']');
        }
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, ']');
    json_member_str(b, "spdx", licscan_result_spdx(r));
    json_restrictions(b, r);
    json_openness(b, r);
    json_warnings(b, r->input_flags);
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
