/* result.c -- the scan entry point, result accessors and JSON rendering. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "modified.h"
#include "rivals.h"

/* The first version of the struct ends with max_evidence. */
#define SCAN_OPTIONS_V1                                                        \
    (offsetof(licscan_scan_options, max_evidence) + sizeof(uint32_t))

int licscan_scan_options_init(licscan_scan_options *opts, size_t size)
{
    if (!opts || size < SCAN_OPTIONS_V1)
        return LICSCAN_EINVAL;
    licscan_scan_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = (uint32_t)(size < sizeof(o) ? size : sizeof(o));
    o.max_differences = 64;
    o.max_input_bytes = 64u << 20;
    o.max_evidence = 32;
    memcpy(opts, &o, o.struct_size); /* nothing past the caller's size */
    return LICSCAN_OK;
}

static void set_result_error(licscan_result *r, int status, const char *msg)
{
    r->status = status;
    snprintf(r->errmsg, sizeof(r->errmsg), "%s",
             msg && *msg ? msg : licscan_strerror(status));
}

static bool is_exception(const licscan_match *m)
{
    return m->tpl->lic.kind && strcmp(m->tpl->lic.kind, "exception") == 0;
}

static const char *spdx_id(const licscan_match *m)
{
    return m->modified_spdx ? m->modified_spdx : m->tpl->lic.spdx;
}

/* The license an exception match e adds to: the nearest license text
 * match (exact, near) before it, else after it, else the nearest
 * license a notice names (a reference). NULL when the file has none. */
static const licscan_match *exception_host(const licscan_result *r, uint32_t e)
{
    const licscan_match *best = NULL;
    for (int pass = 0; pass < 2 && !best; pass++) {
        uint64_t dist = UINT64_MAX;
        for (uint32_t i = 0; i < r->nmatch; i++) {
            const licscan_match *m = &r->m[i];
            bool text = m->kind <= LICSCAN_KIND_NEAR;
            if (i == e || is_exception(m) ||
                (pass == 0 ? !text : m->kind != LICSCAN_KIND_REFERENCE))
                continue;
            uint64_t d = m->start <= r->m[e].start
                             ? r->m[e].start - m->start
                             : (m->start - r->m[e].start) + (UINT64_MAX / 2);
            if (d < dist) {
                dist = d;
                best = m;
            }
        }
    }
    return best;
}

/* The SPDX expression: ids of text matches (exact, near) in input order,
 * joined by AND; an exception goes WITH the license it adds to
 * (exception_host), which then stands only there. */
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
        /* a license some exception goes with is written there */
        for (uint32_t j = 0; j < r->nmatch && !dup && !is_exception(m); j++)
            dup = r->m[j].kind <= LICSCAN_KIND_NEAR && is_exception(&r->m[j]) &&
                  exception_host(r, j) == m;
        if (dup)
            continue;
        if (b.len)
            ls_buf_puts(&b, " AND ");
        const licscan_match *host =
            is_exception(m) ? exception_host(r, i) : NULL;
        if (host) {
            ls_buf_puts(&b, spdx_id(host));
            ls_buf_puts(&b, " WITH ");
        }
        ls_buf_puts(&b, spdx_id(m));
    }
    int rc = b.failed ? LICSCAN_ENOMEM : LICSCAN_OK;
    if (!rc)
        r->spdx = ls_arena_strndup(&r->arena, b.data ? b.data : "", b.len);
    if (!rc && !r->spdx)
        rc = LICSCAN_ENOMEM;
    ls_buf_free(&b);
    return rc;
}

/* licscan_scan, with a probe's reports when not NULL (ls_scan_probe). */
static int scan_bytes(const licscan_db *db, const void *data, size_t len,
                      const licscan_scan_options *opts, licscan_result **out,
                      ls_probe *probe)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!db || (!data && len))
        return LICSCAN_EINVAL;
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    if (opts && ls_options_read(&o, sizeof(o), opts, SCAN_OPTIONS_V1))
        return LICSCAN_EINVAL;
    licscan_result *r = ls_malloc(&db->alloc, sizeof(*r));
    if (!r)
        return LICSCAN_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->damaged = UINT32_MAX;
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
    ls_scratch *sc = ls_scratch_take(db);
    if (!sc) {
        set_result_error(r, LICSCAN_ENOMEM, NULL);
        return r->status;
    }
    const ls_alloc *work = ls_scratch_alloc(sc);
    ls_text text;
    char err[160] = "";
    int rc = ls_decode(work, data ? data : (const uint8_t *)"", len, &text, err,
                       sizeof(err));
    r->encoding = text.encoding;
    r->input_flags = text.flags;
    ls_tokens toks = { .alloc = work };
    /* room for the words of most texts at once (about one in six bytes),
     * not a dozen doublings */
    if (!rc && text.len / 6 + 16 <= UINT32_MAX)
        rc = LS_GROW(work, toks.v, toks.cap, (uint32_t)(text.len / 6 + 16));
    if (!rc) {
        ls_tokstate st = { .line_start = true,
                           .intern = false,
                           .words = ls_scratch_words(sc) };
        /* the lexicon is only read when intern is false */
        rc = ls_tokenize((ls_lexicon *)&db->lex, text.text, 0, text.len, &st,
                         &toks);
        if (!rc && toks.n == 0)
            r->input_flags |= LICSCAN_INPUT_EMPTY;
        if (!rc && toks.n)
            rc = ls_match_text(db, work, ls_scratch_diagonals(sc), &text, &toks,
                               &o, r, probe);
        if (!rc && !(o.flags & LICSCAN_SCAN_NO_CLAUSES) &&
            !(rc = ls_extract_clauses(db, work, &text, &o, r)) &&
            !(rc = ls_mark_modified(r, (uint32_t)toks.n)))
            ls_judge_openness(r);
        if (!rc)
            rc = ls_locate_spans(work, &text, r);
        if (!rc)
            rc = build_spdx(r);
        if (rc) {
            r->nmatch = 0;
            r->spdx = "";
            err[0] = 0;
        }
        if (rc == LICSCAN_EFORMAT && r->damaged < db->ntpl)
            snprintf(err, sizeof err,
                     "corrupted database file: the words of template %s",
                     db->tpl[r->damaged]->lic.id);
    }
    ls_tokens_free(&toks);
    ls_text_free(work, &text);
    ls_scratch_give_back(db, sc);
    if (rc)
        set_result_error(r, rc, err[0] ? err : NULL);
    return rc;
}

int licscan_scan(const licscan_db *db, const void *data, size_t len,
                 const licscan_scan_options *opts, licscan_result **out)
{
    return scan_bytes(db, data, len, opts, out, NULL);
}

int ls_scan_probe(const licscan_db *db, const char *data, size_t len,
                  ls_probe *probe)
{
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    o.flags |= LICSCAN_SCAN_NO_CLAUSES;
    licscan_result *r;
    int rc = scan_bytes(db, data, len, &o, &r, probe);
    licscan_result_free(r);
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

/* The names of the input flags, by bit, and of the warnings among them:
 * the JSON renderer (json.c) and bindings read these, and no other place
 * spells them. */
static const struct {
    const char *name;
    const char *warning; /* NULL: not a warning */
} input_flags[] = {
    { "invalid-utf8", NULL },  /* LICSCAN_INPUT_INVALID_UTF8 */
    { "bom", NULL },           /* LICSCAN_INPUT_BOM */
    { "crlf", NULL },          /* LICSCAN_INPUT_CRLF */
    { "empty", NULL },         /* LICSCAN_INPUT_EMPTY */
    { "invalid-utf16", NULL }, /* LICSCAN_INPUT_INVALID_UTF16 */
    { "differences-truncated", /* LICSCAN_INPUT_TRUNCATED_DIFFS */
      "a match has more differences than max_differences; the rest are "
      "counted but not listed" },
    { "search-limit", /* LICSCAN_INPUT_SEARCH_LIMIT */
      "the candidate search stopped early; text after that point was not "
      "matched against templates" },
    { "rule-limit", /* LICSCAN_INPUT_RULE_LIMIT */
      "a clause rule hit its PCRE2 limit and was skipped for that clause; "
      "a restriction may be missing" },
    { "evidence-truncated", /* LICSCAN_INPUT_TRUNCATED_EVIDENCE */
      "a restriction has more evidence than max_evidence; the rest is not "
      "listed" },
    { "var-limit", /* LICSCAN_INPUT_VAR_LIMIT */
      "a template variable's pattern hit its PCRE2 limit and was read as "
      "not matching; coverage may be lower than it should" },
};
#define NINPUT_FLAGS (sizeof(input_flags) / sizeof(input_flags[0]))
_Static_assert(LICSCAN_INPUT_TRUNCATED_DIFFS == 1u << 5 &&
                   LICSCAN_INPUT_VAR_LIMIT == 1u << (NINPUT_FLAGS - 1),
               "input_flags[] is indexed by the bit of each flag");

/* The index of a single known bit, or -1. */
static int input_flag_index(uint32_t flag)
{
    if (!flag || (flag & (flag - 1)))
        return -1;
    int i = __builtin_ctz(flag);
    return (size_t)i < NINPUT_FLAGS ? i : -1;
}

const char *licscan_input_flag_name(uint32_t flag)
{
    int i = input_flag_index(flag);
    return i < 0 ? NULL : input_flags[i].name;
}

const char *licscan_warning_code(uint32_t flag)
{
    int i = input_flag_index(flag);
    return i < 0 || !input_flags[i].warning ? NULL : input_flags[i].name;
}

const char *licscan_warning_message(uint32_t flag)
{
    int i = input_flag_index(flag);
    return i < 0 ? NULL : input_flags[i].warning;
}

const char *licscan_kind_name(uint32_t k)
{
    static const char *const names[] = { "exact", "near", "partial",
                                         "reference" };
    return k < 4 ? names[k] : "unknown";
}

const char *licscan_diff_op_name(uint32_t op)
{
    static const char *const names[] = { "inserted", "deleted", "replaced",
                                         "variable" };
    return op < 4 ? names[op] : "unknown";
}

const char *licscan_match_modified(const licscan_match *m)
{
    return m ? m->modified_spdx : NULL;
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
uint64_t licscan_match_start(const licscan_match *m)
{
    return m ? m->start : 0;
}
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
double licscan_match_runner_up_similarity(const licscan_match *m)
{
    return m && m->runner ? m->runner_similarity : 0;
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
