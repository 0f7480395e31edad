/* template.c -- parse templates in the SPDX template markup and their
 * metadata, and add them to a database: literal words, vars (PCRE2
 * patterns) and optional blocks; shingle postings; name phrases. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "internal.h"
#include "listindex.h"
#include "markup.h"

/* 1-based line and column (in characters) of byte offset off. */
static void locate(const char *s, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

typedef struct parse_ctx {
    licscan_db *db;
    const char *file; /* for messages */
    const char *text;
    size_t len;
} parse_ctx;

static int fail_at(parse_ctx *p, size_t off, int code, const char *what)
{
    uint32_t line, col;
    locate(p->text, off, &line, &col);
    ls_error_set(&p->db->err, p->file, line, col, "%s:%u:%u: %s", p->file, line,
                 col, what);
    return code;
}

/* ---------- patterns ---------- */

/* Recognize ".{m,n}", ".{0,n}", ".*" and ".+". */
static void any_text_shape(const char *p, size_t n, ls_regex *r)
{
    if (n == 2 && p[0] == '.' && (p[1] == '*' || p[1] == '+')) {
        r->any_text = true;
        r->min_chars = p[1] == '+';
        r->max_chars = UINT32_MAX;
        return;
    }
    if (n < 6 || p[0] != '.' || p[1] != '{' || p[n - 1] != '}')
        return;
    uint64_t lo = 0, hi = 0;
    size_t i = 2;
    if (p[i] < '0' || p[i] > '9')
        return;
    while (i < n && p[i] >= '0' && p[i] <= '9' && lo < 100000)
        lo = lo * 10 + (uint64_t)(p[i++] - '0');
    if (i >= n || p[i++] != ',' || p[i] < '0' || p[i] > '9')
        return;
    while (i < n && p[i] >= '0' && p[i] <= '9' && hi < 100000)
        hi = hi * 10 + (uint64_t)(p[i++] - '0');
    if (i != n - 1 || lo > hi)
        return;
    r->any_text = true;
    r->min_chars = (uint32_t)lo;
    r->max_chars = (uint32_t)hi;
}

int ls_compile_pattern(licscan_db *db, const char *pat, size_t n,
                       const ls_regex **out, char *err, size_t errlen,
                       size_t *erroff)
{
    uint64_t h = ls_hash_bytes(pat, n);
    for (uint32_t i = 0; i < db->nre; i++) {
        struct ls_regex_entry *e = db->re[i];
        if (e->hash == h && strncmp(e->pattern, pat, n) == 0 &&
            e->pattern[n] == 0) {
            *out = &e->re;
            return LICSCAN_OK;
        }
    }
    if (LS_GROW(&db->alloc, db->re, db->re_cap, db->nre + 1))
        return LICSCAN_ENOMEM;
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pat, n,
                      PCRE2_CASELESS | PCRE2_UTF | PCRE2_ANCHORED |
                          PCRE2_ENDANCHORED | PCRE2_DOTALL,
                      &ec, &eo, db->cctx);
    if (!code) {
        if (ec == PCRE2_ERROR_NOMEMORY || ec == PCRE2_ERROR_HEAP_FAILED)
            return LICSCAN_ENOMEM;
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        snprintf(err, errlen, "bad match pattern: %s", (char *)msg);
        *erroff = eo;
        return LICSCAN_ETEMPLATE;
    }
    char *copy = ls_strndup(&db->alloc, pat, n);
    pcre2_match_data *md = pcre2_match_data_create(1, db->gctx);
    struct ls_regex_entry *e = ls_malloc(&db->alloc, sizeof(*e));
    if (!copy || !md || !e) {
        ls_free(&db->alloc, copy);
        ls_free(&db->alloc, e);
        pcre2_match_data_free(md);
        pcre2_code_free(code);
        return LICSCAN_ENOMEM;
    }
    int rc = pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    ls_regex shape = { 0 };
    any_text_shape(pat, n, &shape);
    db->re[db->nre++] = e;
    e->hash = h;
    e->pattern = copy;
    e->re = shape;
    e->re.code = code;
    e->re.matches_empty = rc >= 0;
    *out = &e->re;
    return LICSCAN_OK;
}

/* ---------- metadata ---------- */

static char **meta_field(licscan_license *lic, const char *key, size_t n)
{
#define F(name, field)                                                         \
    if (n == sizeof(name) - 1 && memcmp(key, name, n) == 0)                    \
        return &lic->field;
    F("id", id)
    F("name", name)
    F("version", version)
    F("family", family)
    F("kind", kind)
    F("url", url)
    F("spdx", spdx)
    F("hf", hf)
    F("scancode", scancode)
#undef F
    return NULL;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

static int parse_meta(licscan_db *db, ls_template *t, const char *meta,
                      size_t len, const char *file)
{
    parse_ctx p = { db, file, meta, len };
    const ls_alloc *a = &db->alloc;
    size_t off = 0;
    while (off < len) {
        const char *ls = meta + off, *le = memchr(ls, '\n', len - off);
        if (!le)
            le = meta + len;
        size_t next = (size_t)(le - meta) + 1;
        const char *s = ls, *e = le;
        trim(&s, &e);
        if (s == e || *s == '#') {
            off = next;
            continue;
        }
        const char *colon = memchr(s, ':', (size_t)(e - s));
        if (!colon)
            return fail_at(&p, (size_t)(s - meta), LICSCAN_ETEMPLATE,
                           "expected 'key: value'");
        const char *ks = s, *ke = colon, *vs = colon + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        /* a trailing "# comment" after whitespace */
        for (const char *q = vs; q < ve; q++)
            if (*q == '#' && q > vs && (q[-1] == ' ' || q[-1] == '\t')) {
                ve = q;
                trim(&vs, &ve);
                break;
            }
        size_t kn = (size_t)(ke - ks), vn = (size_t)(ve - vs);
        char **field = meta_field(&t->lic, ks, kn);
        if (field) {
            if (*field)
                return fail_at(&p, (size_t)(ks - meta), LICSCAN_ETEMPLATE,
                               "key given twice");
            if (!(*field = ls_strndup(a, vs, vn)))
                return LICSCAN_ENOMEM;
        } else if ((kn == 12 && memcmp(ks, "osi_approved", 12) == 0) ||
                   (kn == 10 && memcmp(ks, "deprecated", 10) == 0)) {
            bool *flag = kn == 12 ? &t->lic.osi : &t->lic.deprecated;
            if (vn == 4 && memcmp(vs, "true", 4) == 0)
                *flag = true;
            else if (vn == 5 && memcmp(vs, "false", 5) == 0)
                *flag = false;
            else
                return fail_at(&p, (size_t)(vs - meta), LICSCAN_ETEMPLATE,
                               kn == 12 ? "osi_approved must be true or false"
                                        : "deprecated must be true or false");
        } else if ((kn == 9 && memcmp(ks, "reference", 9) == 0) ||
                   (kn == 5 && memcmp(ks, "alias", 5) == 0)) {
            uint32_t cap = t->lic.nreferences;
            if (LS_GROW(a, t->lic.references, cap, t->lic.nreferences + 1))
                return LICSCAN_ENOMEM;
            char *r = ls_strndup(a, vs, vn);
            if (!r)
                return LICSCAN_ENOMEM;
            t->lic.references[t->lic.nreferences++] = r;
        } else {
            return fail_at(&p, (size_t)(ks - meta), LICSCAN_ETEMPLATE,
                           "unknown metadata key");
        }
        off = next;
    }
    return LICSCAN_OK;
}

/* ---------- template text ---------- */

static int add_literal(licscan_db *db, ls_template *t, ls_tokens *toks,
                       ls_tokstate *st, ls_buf *optflags, size_t from,
                       size_t to, bool optional)
{
    uint32_t before = toks->n;
    int rc = ls_tokenize(&db->lex, t->source, from, to, st, toks);
    if (rc)
        return rc;
    uint32_t added = toks->n - before;
    if (!added)
        return LICSCAN_OK;
    /* one flag per token: append zeros, then mark them */
    size_t at = optflags->len;
    static const char zeros[64];
    while (optflags->len - at < added && !optflags->failed) {
        size_t k = added - (optflags->len - at);
        ls_buf_append(optflags, zeros, k < sizeof zeros ? k : sizeof zeros);
    }
    if (optflags->failed)
        return LICSCAN_ENOMEM;
    if (optional)
        memset(optflags->data + at, 1, added);
    return LICSCAN_OK;
}

int ls_template_published(const ls_template *tp, bool marks_apart, ls_buf *out)
{
    const char *src = tp->source;
    size_t n = tp->source_len, lit = 0;
    uint32_t v = 0;
    out->len = 0;
    for (size_t p = 0; p < n;) {
        size_t mark = ls_markup_len(src + p, n - p);
        if (!mark) {
            p++;
            continue;
        }
        ls_buf_append(out, src + lit, p - lit);
        if (MARK_AT(src + p, n - p, MARK_VAR) && v < tp->nvars)
            ls_buf_puts(out, tp->vars[v++].original);
        if (marks_apart)
            ls_buf_putc(out, ' ');
        p += mark;
        lit = p;
    }
    ls_buf_append(out, src + lit, n - lit);
    return out->failed ? LICSCAN_ENOMEM : LICSCAN_OK;
}

/* Parse one <<var;name="..";original="..";match="..">> at text+off. */
static int parse_var(parse_ctx *p, ls_template *t, size_t off, size_t *endp,
                     uint32_t gap, bool optional, ls_var *v)
{
    const char *s = p->text, *lim = p->text + p->len;
    const char *q = s + off + MARK_LEN(MARK_VAR);
    const char *name = NULL, *orig = NULL, *match = NULL;
    size_t name_n = 0, orig_n = 0, match_n = 0;
    if (!MARK_AT(q, (size_t)(lim - q), MARK_NAME))
        return fail_at(p, (size_t)(q - s), LICSCAN_ETEMPLATE,
                       "var: expected name=\"...\"");
    name = q + MARK_LEN(MARK_NAME);
    /* values are verbatim: split on the attribute boundaries */
    const char *o = NULL, *m = NULL, *close = NULL;
    for (const char *r = name; r + 3 <= lim; r++) {
        if (!o && MARK_AT(r, (size_t)(lim - r), MARK_ORIGINAL)) {
            o = r;
            r += MARK_LEN(MARK_ORIGINAL) - 1;
        } else if (!m && MARK_AT(r, (size_t)(lim - r), MARK_MATCH)) {
            m = r;
            r += MARK_LEN(MARK_MATCH) - 1;
        } else if (MARK_AT(r, (size_t)(lim - r), MARK_VAR_CLOSE)) {
            close = r;
            break;
        } else if (r > name && r[0] == '<' && r[1] == '<' &&
                   MARK_AT(r, (size_t)(lim - r), MARK_VAR)) {
            break; /* ran into the next var: this one is unterminated */
        }
    }
    if (!close)
        return fail_at(p, off, LICSCAN_ETEMPLATE, "var: no closing \">>");
    if (!m || m > close)
        return fail_at(p, off, LICSCAN_ETEMPLATE, "var: missing match=\"...\"");
    if (o && o < m) {
        name_n = (size_t)(o - name);
        orig = o + MARK_LEN(MARK_ORIGINAL);
        orig_n = (size_t)(m - orig);
    } else {
        name_n = (size_t)(m - name);
        orig = "";
    }
    match = m + MARK_LEN(MARK_MATCH);
    match_n = (size_t)(close - match);
    *endp = (size_t)(close - s) + MARK_LEN(MARK_VAR_CLOSE);

    char err[256];
    size_t erroff = 0;
    int rc = ls_compile_pattern(p->db, match, match_n, &v->re, err, sizeof(err),
                                &erroff);
    if (rc == LICSCAN_ETEMPLATE)
        return fail_at(p, (size_t)(match - s) + erroff, rc, err);
    if (rc)
        return rc;
    v->gap = gap;
    v->optional = optional;
    v->name = ls_strndup(&p->db->alloc, name, name_n);
    v->original = ls_strndup(&p->db->alloc, orig, orig_n);
    if (!v->name || !v->original)
        return LICSCAN_ENOMEM;
    v->original_len = (uint32_t)strlen(v->original);
    (void)t;
    return LICSCAN_OK;
}

static int parse_template(licscan_db *db, ls_template *t, const char *file)
{
    parse_ctx p = { db, file, t->source, t->source_len };
    const char *s = t->source;
    size_t n = t->source_len;
    ls_tokens toks = { .alloc = &db->alloc };
    ls_tokstate st = { .line_start = true, .intern = true };
    ls_buf optflags;
    ls_buf_init(&optflags, &db->alloc);
    uint32_t depth = 0, vcap = 0;
    size_t open_at[64];
    size_t lit = 0, i = 0;
    int rc = LICSCAN_OK;

    while (i < n && !rc) {
        if (s[i] != '<' || i + 1 >= n || s[i + 1] != '<') {
            const char *lt = memchr(s + i + 1, '<', n - i - 1);
            i = lt ? (size_t)(lt - s) : n;
            continue;
        }
        size_t avail = n - i;
        bool is_var = MARK_AT(s + i, avail, MARK_VAR);
        bool is_begin = MARK_AT(s + i, avail, MARK_BEGIN_OPTIONAL);
        bool is_end = MARK_AT(s + i, avail, MARK_END_OPTIONAL);
        if (!is_var && !is_begin && !is_end) {
            i++; /* a literal "<<" */
            continue;
        }
        rc = add_literal(db, t, &toks, &st, &optflags, lit, i, depth > 0);
        if (rc)
            break;
        if (is_begin) {
            if (depth >= db->opts.max_optional_depth || depth >= 64) {
                rc = fail_at(&p, i, LICSCAN_ETEMPLATE,
                             "optional blocks nested too deeply");
                break;
            }
            open_at[depth++] = i;
            i += MARK_LEN(MARK_BEGIN_OPTIONAL);
        } else if (is_end) {
            if (!depth) {
                rc = fail_at(&p, i, LICSCAN_ETEMPLATE,
                             "<<endOptional>> without <<beginOptional>>");
                break;
            }
            depth--;
            i += MARK_LEN(MARK_END_OPTIONAL);
        } else {
            if ((rc = LS_GROW(&db->alloc, t->vars, vcap, t->nvars + 1)))
                break;
            ls_var *v = &t->vars[t->nvars];
            memset(v, 0, sizeof(*v));
            t->nvars++;
            size_t endp = i;
            rc = parse_var(&p, t, i, &endp, toks.n, depth > 0, v);
            i = endp;
            st.line_start = false;
        }
        lit = i;
    }
    if (!rc && depth)
        rc = fail_at(&p, open_at[depth - 1], LICSCAN_ETEMPLATE,
                     "<<beginOptional>> is never closed");
    if (!rc)
        rc = add_literal(db, t, &toks, &st, &optflags, lit, n, false);
    if (!rc) {
        t->tok = toks.v;
        t->ntok = toks.n;
        toks.v = NULL;
        t->optional = (uint8_t *)optflags.data;
        optflags.data = NULL;
        if (!t->optional && t->ntok)
            rc = LICSCAN_ENOMEM;
    }
    ls_tokens_free(&toks);
    ls_buf_free(&optflags);
    return rc;
}

/* ---------- adding to the database ---------- */

/* Make room in the shingle table for `keys` distinct shingles. */
static int shingle_table_reserve(licscan_db *db, uint64_t keys)
{
    const ls_alloc *a = &db->alloc;
    if (keys * 2 <= db->sh_cap)
        return LICSCAN_OK;
    uint64_t ncap64 = db->sh_cap ? db->sh_cap : 4096;
    while (ncap64 < keys * 2)
        ncap64 *= 2;
    if (ncap64 > (1u << 31))
        return LICSCAN_ENOMEM;
    uint32_t ncap = (uint32_t)ncap64;
    uint64_t *nk = ls_calloc(a, ncap, sizeof(*nk));
    uint32_t *nh = ls_calloc(a, ncap, sizeof(*nh));
    if (!nk || !nh) {
        ls_free(a, nk);
        ls_free(a, nh);
        return LICSCAN_ENOMEM;
    }
    for (uint32_t i = 0; i < db->sh_cap; i++) {
        if (!db->sh_keys[i])
            continue;
        uint32_t j = (uint32_t)db->sh_keys[i] & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = db->sh_keys[i];
        nh[j] = db->sh_head[i];
    }
    ls_free(a, db->sh_keys);
    ls_free(a, db->sh_head);
    db->sh_keys = nk;
    db->sh_head = nh;
    db->sh_cap = ncap;
    return LICSCAN_OK;
}

static int shingle_insert(licscan_db *db, uint64_t key, uint32_t tpl,
                          uint32_t pos)
{
    const ls_alloc *a = &db->alloc;
    /* at most half full: reserving twice the keys here kept it at a
     * quarter, and a table twice as big (3 MB for the SPDX list) costs
     * more cache misses on every look-up than its shorter probes save */
    if ((db->sh_count + 1) * 2 > db->sh_cap) {
        int rc = shingle_table_reserve(db, (uint64_t)db->sh_count + 1);
        if (rc)
            return rc;
    }
    uint32_t mask = db->sh_cap - 1, j = (uint32_t)key & mask;
    while (db->sh_keys[j] && db->sh_keys[j] != key)
        j = (j + 1) & mask;
    /* the same shingle many times in one template: keep a few places */
    uint32_t same = 0;
    for (uint32_t q = db->sh_keys[j] ? db->sh_head[j] : 0; q;
         q = db->post[q - 1].next) {
        if (db->post[q - 1].tpl != tpl)
            break;
        if (++same >= 8)
            return LICSCAN_OK;
    }
    if (LS_GROW(a, db->post, db->post_cap, db->npost + 1))
        return LICSCAN_ENOMEM;
    if (!db->sh_keys[j]) {
        db->sh_keys[j] = key;
        db->sh_head[j] = 0;
        db->sh_count++;
    }
    db->post[db->npost] = (ls_posting){ tpl, pos, db->sh_head[j] };
    db->sh_head[j] = ++db->npost;
    return LICSCAN_OK;
}

/* Templates by source length, then index: twins lie next to each other. */
static int twin_cmp(const void *a, const void *b, void *arg)
{
    const licscan_db *db = arg;
    const ls_template *x = db->tpl[*(const uint32_t *)a];
    const ls_template *y = db->tpl[*(const uint32_t *)b];
    if (x->source_len != y->source_len)
        return x->source_len < y->source_len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void ls_find_twins(licscan_db *db)
{
    for (uint32_t i = 0; i < db->ntpl; i++)
        db->tpl[i]->twin = LS_NO_TWIN;
    uint32_t *o = ls_malloc(&db->alloc, (db->ntpl + 1) * sizeof(uint32_t));
    if (!o)
        return; /* no sharing: every template does its own work */
    for (uint32_t i = 0; i < db->ntpl; i++)
        o[i] = i;
    qsort_r(o, db->ntpl, sizeof(uint32_t), twin_cmp, db);
    /* in a run of one length (in index order), each takes the nearest
     * earlier one with the same text */
    for (uint32_t a = 0; a < db->ntpl;) {
        uint32_t b = a + 1;
        while (b < db->ntpl &&
               db->tpl[o[b]]->source_len == db->tpl[o[a]]->source_len)
            b++;
        for (uint32_t k = a + 1; k < b; k++) {
            ls_template *t = db->tpl[o[k]];
            for (uint32_t m = k; m-- > a;) {
                const ls_template *u = db->tpl[o[m]];
                if (u->ntok == t->ntok && u->nvars == t->nvars &&
                    memcmp(u->source, t->source, t->source_len) == 0) {
                    t->twin = u->index;
                    break;
                }
            }
        }
        a = b;
    }
    ls_free(&db->alloc, o);
}

static int index_template(licscan_db *db, ls_template *t)
{
    uint32_t v = 0;
    for (uint32_t i = 0; i + LS_SHINGLE <= t->ntok; i++) {
        /* a shingle that straddles a var never occurs in input as is */
        while (v < t->nvars && t->vars[v].gap <= i)
            v++;
        if (v < t->nvars && t->vars[v].gap < i + LS_SHINGLE)
            continue;
        uint32_t ids[LS_SHINGLE];
        for (int k = 0; k < LS_SHINGLE; k++)
            ids[k] = t->tok[i + k].id;
        uint64_t key = ls_shingle_key(ids);
        if (t->ntok >= LS_SHINGLE_DENSE_WORDS && !ls_shingle_sampled(key))
            continue;
        int rc = shingle_insert(db, key, t->index, i);
        if (rc)
            return rc;
        t->nshingles++;
    }
    return LICSCAN_OK;
}

static int add_phrase(licscan_db *db, ls_template *t, const char *s, size_t n)
{
    const ls_alloc *a = &db->alloc;
    ls_tokens toks = { .alloc = a };
    ls_tokstate st = { .line_start = false, .intern = true };
    int rc = ls_tokenize(&db->lex, s, 0, n, &st, &toks);
    if (rc) {
        ls_tokens_free(&toks);
        return rc;
    }
    bool digit = false, alpha = false;
    for (size_t i = 0; i < n; i++) {
        digit |= s[i] >= '0' && s[i] <= '9';
        alpha |= (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z';
    }
    /* one word names a license only when it is like "GPLv3" */
    if (toks.n == 0 || toks.n > 24 || (toks.n == 1 && !(digit && alpha))) {
        ls_tokens_free(&toks);
        return LICSCAN_OK;
    }
    uint32_t *ids = ls_malloc(a, toks.n * sizeof(uint32_t));
    if (!ids || LS_GROW(a, db->phr, db->phr_cap, db->nphr + 1)) {
        ls_free(a, ids);
        ls_tokens_free(&toks);
        return LICSCAN_ENOMEM;
    }
    for (uint32_t i = 0; i < toks.n; i++)
        ids[i] = toks.v[i].id;
    uint32_t first = ids[0];
    ls_phrase ph = { t->index, toks.n, ids, 0 };
    ls_tokens_free(&toks);
    /* skip a phrase this template already has */
    for (uint32_t i = 0; i < db->nphr; i++)
        if (db->phr[i].tpl == t->index && db->phr[i].len == ph.len &&
            memcmp(db->phr[i].ids, ids, ph.len * sizeof(uint32_t)) == 0) {
            ls_free(a, ids);
            return LICSCAN_OK;
        }
    if (first >= db->phr_head_cap) {
        uint32_t old = db->phr_head_cap, ncap = old ? old : 1024;
        while (ncap <= first)
            ncap *= 2;
        uint32_t *h = ls_realloc(a, db->phr_head, old * sizeof(uint32_t),
                                 ncap * sizeof(uint32_t));
        if (!h) {
            ls_free(a, ids);
            return LICSCAN_ENOMEM;
        }
        memset(h + old, 0, (ncap - old) * sizeof(uint32_t));
        db->phr_head = h;
        db->phr_head_cap = ncap;
    }
    ph.next = db->phr_head[first];
    db->phr[db->nphr++] = ph;
    db->phr_head[first] = db->nphr;
    return LICSCAN_OK;
}

int ls_template_add_names(licscan_db *db, ls_template *t)
{
    int rc = LICSCAN_OK;
    for (uint32_t i = 0; i < t->lic.nreferences && !rc; i++)
        rc = add_phrase(db, t, t->lic.references[i],
                        strlen(t->lic.references[i]));
    if (!rc && t->lic.name)
        rc = add_phrase(db, t, t->lic.name, strlen(t->lic.name));
    return rc;
}

static int add_phrases(licscan_db *db, ls_template *t)
{
    int rc = db->names_later ? LICSCAN_OK : ls_template_add_names(db, t);
    if (!rc)
        rc = add_phrase(db, t, t->lic.id, strlen(t->lic.id));
    return rc;
}

void ls_template_free(licscan_db *db, ls_template *t)
{
    if (!t)
        return;
    const ls_alloc *a = &db->alloc;
    licscan_license *l = &t->lic;
    ls_free(a, atomic_load_explicit(&t->required_words, memory_order_acquire));
    if (t->borrowed) { /* only the struct, its vars and lists are ours */
        ls_free(a, l->references);
        ls_free(a, t->vars);
        ls_free(a, t);
        return;
    }
    char *f[] = { l->id,  l->name, l->version, l->family,  l->kind,
                  l->url, l->spdx, l->hf,      l->scancode };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        ls_free(a, f[i]);
    for (uint32_t i = 0; i < l->nreferences; i++)
        ls_free(a, l->references[i]);
    ls_free(a, l->references);
    for (uint32_t i = 0; i < t->nvars; i++) {
        ls_free(a, t->vars[i].name);
        ls_free(a, t->vars[i].original);
    }
    ls_free(a, t->vars);
    ls_free(a, t->tok);
    ls_free(a, t->optional);
    ls_free(a, t->source_alloc);
    ls_free(a, t);
}

int ls_template_add(licscan_db *db, const char *id, const char *text,
                    size_t len, const char *meta, size_t meta_len,
                    const char *source)
{
    return ls_template_add_owned(db, id, text, len, NULL, meta, meta_len, NULL,
                                 source);
}

bool ls_template_is_header(const ls_template *t)
{
    return t->lic.kind && strcmp(t->lic.kind, "header") == 0;
}

/* A template with no .meta of its own takes its row of the license
 * list's table (listindex.h). */
static int take_listed(const ls_alloc *a, ls_template *t, const ls_listed *l)
{
    char **dst[] = { &t->lic.name, &t->lic.kind, &t->lic.url };
    const char *src[] = { l->name, l->kind, l->url };
    for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
        if (src[i] && !(*dst[i] = ls_strndup(a, src[i], strlen(src[i]))))
            return LICSCAN_ENOMEM;
    t->lic.osi = l->osi == 1;
    t->lic.deprecated = l->deprecated == 1;
    return LICSCAN_OK;
}

/* The template t takes over from: the live one with its id, a notice
 * only from a notice. */
static ls_template *template_replaced_by(const licscan_db *db,
                                         const ls_template *t, const char *id)
{
    for (uint32_t i = 0; i < db->ntpl; i++)
        if (!db->tpl[i]->replaced && strcmp(db->tpl[i]->lic.id, id) == 0 &&
            ls_template_is_header(db->tpl[i]) == ls_template_is_header(t))
            return db->tpl[i];
    return NULL;
}

/* A text loaded over a license licscan knows keeps what the new text does
 * not say: its name, tags and the phrases that name it (the SPDX list
 * ships bare templates; without this a reference to "New BSD License"
 * would vanish when the list is loaded). */
static int inherit_metadata(const ls_alloc *a, ls_template *t,
                            const ls_template *old, bool has_meta)
{
    licscan_license *to = &t->lic;
    const licscan_license *from = &old->lic;
    char **dst[] = { &to->name, &to->version, &to->family, &to->kind,
                     &to->url,  &to->spdx,    &to->hf,     &to->scancode };
    const char *src[] = { from->name, from->version, from->family,
                          from->kind, from->url,     from->spdx,
                          from->hf,   from->scancode };
    for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
        if (!*dst[i] && src[i] &&
            !(*dst[i] = ls_strndup(a, src[i], strlen(src[i]))))
            return LICSCAN_ENOMEM;
    if (!has_meta)
        to->osi = from->osi;
    if (to->nreferences || !from->nreferences)
        return LICSCAN_OK;
    to->references = ls_calloc(a, from->nreferences, sizeof(char *));
    if (!to->references)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < from->nreferences; i++) {
        const char *r = from->references[i];
        if (!(to->references[i] = ls_strndup(a, r, strlen(r))))
            return LICSCAN_ENOMEM;
        to->nreferences++;
    }
    return LICSCAN_OK;
}

int ls_template_add_owned(licscan_db *db, const char *id, const char *text,
                          size_t len, char *owned, const char *meta,
                          size_t meta_len, const ls_listed *listed,
                          const char *source)
{
    const ls_alloc *a = &db->alloc;
    const char *file = source ? source : id;
    if (!id || !*id || (!text && len))
        return LICSCAN_EINVAL;
    if (len > db->opts.max_template_bytes) {
        ls_error_set(&db->err, file, 0, 0,
                     "%s: template of %zu bytes is over the limit of %llu",
                     file, len,
                     (unsigned long long)db->opts.max_template_bytes);
        return LICSCAN_ETOOBIG;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    parse_ctx p = { db, file, text, len };
    size_t bad = ls_utf8_first_invalid(text, len, true);
    if (bad < len)
        return fail_at(&p, bad, LICSCAN_ETEMPLATE,
                       text[bad] ? "invalid UTF-8" : "NUL byte in template");

    ls_template *t = ls_calloc(a, 1, sizeof(*t));
    if (!t)
        return LICSCAN_ENOMEM;
    /* rollback point: words interned and postings added by a failed add
     * stay harmless, but the template list must not change */
    int rc = LICSCAN_OK;
    t->index = db->ntpl;
    if (owned) { /* the caller's buffer becomes the template's */
        t->source_alloc = owned;
        t->source = (char *)text;
    } else {
        t->source = t->source_alloc = ls_strndup(a, text, len);
    }
    t->source_len = len;
    if (!t->source)
        rc = LICSCAN_ENOMEM;
    if (!rc && meta)
        rc = parse_meta(db, t, meta, meta_len,
                        source ? source : id); /* message names the file */
    if (!rc && t->lic.id && strcmp(t->lic.id, id) != 0) {
        ls_error_set(&db->err, file, 0, 0,
                     "%s: metadata id '%s' differs from template id '%s'", file,
                     t->lic.id, id);
        rc = LICSCAN_ETEMPLATE;
    }
    if (!rc && !t->lic.id && !(t->lic.id = ls_strndup(a, id, strlen(id))))
        rc = LICSCAN_ENOMEM;
    if (!rc && !meta && listed)
        rc = take_listed(a, t, listed);
    ls_template *old = rc ? NULL : template_replaced_by(db, t, id);
    if (old)
        rc = inherit_metadata(a, t, old, meta || listed);
    if (!rc && !t->lic.spdx)
        t->lic.spdx = ls_strndup(a, id, strlen(id));
    if (!rc && !t->lic.spdx)
        rc = LICSCAN_ENOMEM;
    if (!rc)
        rc = parse_template(db, t, file);
    if (!rc) {
        for (uint32_t i = 0; i < t->ntok; i++)
            if (!t->optional[i])
                t->nrequired++;
        if (t->nrequired == 0) {
            ls_error_set(&db->err, file, 0, 0,
                         "%s: template has no required words", file);
            rc = LICSCAN_ETEMPLATE;
        }
    }
    uint32_t post_mark = db->npost;
    uint32_t phr_mark = db->nphr;
    if (!rc)
        rc = LS_GROW(a, db->tpl, db->tpl_cap, db->ntpl + 1);
    if (!rc)
        rc = index_template(db, t);
    if (!rc)
        rc = add_phrases(db, t);
    if (rc) {
        /* undo postings and phrases of this template */
        for (uint32_t j = 0; j < db->sh_cap && db->npost > post_mark; j++)
            while (db->sh_head[j] > post_mark)
                db->sh_head[j] = db->post[db->sh_head[j] - 1].next;
        db->npost = post_mark;
        while (db->nphr > phr_mark) {
            ls_phrase *ph = &db->phr[--db->nphr];
            db->phr_head[ph->ids[0]] = ph->next;
            ls_free(a, ph->ids);
        }
        if (rc == LICSCAN_ENOMEM)
            ls_error_set(&db->err, file, 0, 0, "%s: out of memory", file);
        if (owned)
            t->source_alloc = NULL; /* stays the caller's on failure */
        ls_template_free(db, t);
        return rc;
    }
    /* a license and its standard notice share an id, not a slot */
    if (old)
        old->replaced = true;
    t->twin = LS_NO_TWIN;
    db->tpl[db->ntpl++] = t;
    /* templates added one by one: lay the index out again each time it
     * has doubled since, a constant cost per posting */
    if (db->npost >= 2 * db->npost_laid + 4096)
        ls_index_compact(db);
    return LICSCAN_OK;
}

static uint32_t glue_words(const ls_template *tp)
{
    uint32_t n = 0;
    bool last = false; /* word k - 1 touches word k */
    for (uint32_t k = 0; k < tp->ntok; k++) {
        bool next = false;
        if (k + 1 < tp->ntok && tp->source) {
            size_t p = tp->tok[k].end, e = tp->tok[k + 1].start, mark = 1;
            while (p < e && (mark = ls_optional_mark(tp->source + p, e - p)))
                p += mark;
            next = p >= e;
        }
        n += (last || next) && !tp->optional[k];
        last = next;
    }
    return n;
}

uint32_t ls_glue_words(const ls_template *tp)
{
    /* (the template is the database's, allocated, never copied: its
     * cache may be written through a const view) */
    _Atomic uint32_t *known = (_Atomic uint32_t *)&tp->glue_known;
    uint32_t n = atomic_load_explicit(known, memory_order_relaxed);
    if (n)
        return n - 1;
    n = glue_words(tp);
    atomic_store_explicit(known, n + 1, memory_order_relaxed);
    return n;
}

static ls_word_counts *count_required_words(const ls_alloc *a,
                                            const ls_template *tp)
{
    /* an open-addressed table of the words seen, to their entry + 1 */
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)tp->nrequired)
        cap *= 2;
    uint32_t *slot = ls_calloc(a, cap, sizeof(uint32_t));
    ls_word_counts *wc =
        ls_malloc(a, sizeof(*wc) + (size_t)tp->nrequired * sizeof(wc->w[0]));
    if (!slot || !wc) {
        ls_free(a, slot);
        ls_free(a, wc);
        return NULL;
    }
    wc->n = 0;
    for (uint32_t k = 0; k < tp->ntok; k++) {
        if (tp->optional[k])
            continue;
        uint32_t id = tp->tok[k].id, j = (id * 0x9E3779B1u) & (cap - 1);
        while (slot[j] && wc->w[slot[j] - 1].id != id)
            j = (j + 1) & (cap - 1);
        if (!slot[j]) {
            wc->w[wc->n].id = id;
            wc->w[wc->n].count = 0;
            slot[j] = ++wc->n;
        }
        wc->w[slot[j] - 1].count++;
    }
    ls_free(a, slot);
    return wc;
}

const ls_word_counts *ls_required_words(const licscan_db *db,
                                        const ls_template *tp)
{
    /* (the template is the database's, allocated, never copied: its
     * cache may be written through a const view) */
    ls_word_counts *_Atomic *at =
        (ls_word_counts * _Atomic *)&tp->required_words;
    ls_word_counts *wc = atomic_load_explicit(at, memory_order_acquire);
    if (wc)
        return wc;
    wc = count_required_words(&db->alloc, tp);
    if (!wc)
        return NULL;
    ls_word_counts *seen = NULL;
    if (atomic_compare_exchange_strong_explicit(
            at, &seen, wc, memory_order_acq_rel, memory_order_acquire))
        return wc;
    ls_free(&db->alloc, wc); /* another scan's came first */
    return seen;
}
