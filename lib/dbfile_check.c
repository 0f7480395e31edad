/* dbfile_check.c -- the open of a compiled database file (dbfile.c)
 * checks it here before the database reads any of it: the header and
 * directory, then every offset, count and index, each array summed as it
 * is read through windows of the file (dbfile_read.h), so that a damaged
 * file is an error, never a crash. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbfile_read.h"

/* ---------- reading ---------- */

int ls_dbf_bad(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->errlen)
        vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return LICSCAN_EFORMAT;
}

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* The file's bytes [off, off + n), inside it, through window w; NULL (the
 * error said) when they cannot be read. In memory, where they are. */
static const void *span(reader *r, int w, uint64_t off, uint64_t n)
{
    if (r->fd < 0 || !n)
        return r->base + off;
    window *v = &r->win[w];
    if (off >= v->off && off + n <= v->off + v->len)
        return v->buf + (off - v->off);
    uint64_t want = n > r->window_bytes ? n : r->window_bytes;
    if (want > r->size - off)
        want = r->size - off;
    if (want > v->cap) {
        /* (and a few bytes more: the postings' check reads 4 past) */
        unsigned char *b =
            ls_realloc(&r->a, v->buf, v->cap, (size_t)want + WINDOW_SLACK);
        if (!b) {
            ls_dbf_bad(r, "out of memory");
            r->fail = LICSCAN_ENOMEM;
            return NULL;
        }
        v->buf = b;
        v->cap = (size_t)want;
    }
    v->len = 0;
    for (uint64_t got = 0; got < want;) {
        ssize_t k = pread(r->fd, v->buf + got, (size_t)(want - got),
                          (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k < 0)
                ls_dbf_bad(r, "reading the database file: %s", strerror(errno));
            else
                ls_dbf_bad(r,
                           "truncated database file: it shrank while opened");
            r->fail = LICSCAN_EIO;
            return NULL;
        }
        got += (uint64_t)k;
    }
    v->off = off;
    v->len = want;
    return v->buf;
}

/* Bytes [at, at + n) of array id, through window w. */
static const void *array_span(reader *r, int w, int id, uint64_t at, uint64_t n)
{
    return span(r, w,
                (uint64_t)((const unsigned char *)r->at[id] - r->base) + at, n);
}

/* The bytes of array `id`, elements [from, from + n), through window w. */
static const void *elems(reader *r, int w, int id, uint64_t from, uint64_t n)
{
    return array_span(r, w, id, from * dbf_elem[id], n * dbf_elem[id]);
}

/* Elements in the block of a checking loop from `at`: SUM_BLOCK, or what
 * is left of the array's `total`. */
static uint64_t block_len(uint64_t total, uint64_t at)
{
    return total - at < SUM_BLOCK ? total - at : SUM_BLOCK;
}

/* Block [j, j + n) of a table of 64-bit keys (array kid) with a 32-bit
 * value each (array vid), through two windows; false when it cannot be
 * read. n: SUM_BLOCK, or what is left of the table's cap. */
static bool table_block(reader *r, int kid, int vid, uint64_t j, uint64_t cap,
                        const uint64_t **keys, const uint32_t **vals,
                        uint64_t *n)
{
    *n = block_len(cap, j);
    *keys = elems(r, WIN_A, kid, j, *n);
    *vals = elems(r, WIN_B, vid, j, *n);
    return *keys && *vals;
}

/* Array id summed, a window at a time; false when it cannot be read. */
static bool sum_array(reader *r, int id, uint64_t *sum)
{
    uint64_t bytes = r->n[id] * dbf_elem[id];
    uint64_t piece = r->fd < 0 ? (bytes ? bytes : 1) : r->window_bytes;
    dbf_sum s;
    ls_dbf_sum_init(&s);
    for (uint64_t k = 0; k < bytes; k += piece) {
        uint64_t n = bytes - k < piece ? bytes - k : piece;
        const void *p = array_span(r, WIN_A, id, k, n);
        if (!p)
            return false;
        ls_dbf_sum_feed(&s, p, (size_t)n, r->wide);
    }
    *sum = ls_dbf_sum_end(&s);
    return true;
}

/* The header and the directory. */
int ls_dbf_read_layout(reader *r, bool check_sum)
{
    dbf_header h;
    if (r->size < 8 || memcmp(r->base, DBF_MAGIC, 8) != 0)
        return ls_dbf_bad(
            r, "not a compiled licscan database (no LICSCNDB magic)");
    if (r->size < sizeof h)
        return ls_dbf_bad(
            r, "truncated database file: %zu bytes, not even a header",
            r->size);
    memcpy(&h, r->base, sizeof h);
    if (h.byte_order != DBF_BYTE_ORDER)
        return ls_dbf_bad(
            r, "database file written on a machine of the other byte "
               "order");
    if (h.version < DBF_VERSION)
        return ls_dbf_bad(
            r,
            "database file format version %u, compiled by an older "
            "licscan: recompile it (licscan --compile); this library "
            "reads version %u",
            h.version, DBF_VERSION);
    if (h.version > DBF_VERSION)
        return ls_dbf_bad(r,
                          "database file format version %u; this library reads "
                          "version %u (compiled by a newer licscan: compile it "
                          "again with this one)",
                          h.version, DBF_VERSION);
    if (h.size > r->size)
        return ls_dbf_bad(r, "truncated database file: %zu bytes of %llu",
                          r->size, (unsigned long long)h.size);
    if (h.size < r->size)
        return ls_dbf_bad(
            r, "database file of %llu bytes has %zu bytes after its end",
            (unsigned long long)h.size, r->size - (size_t)h.size);
    if (h.header_size != sizeof h || h.narrays != A_COUNT)
        return CORRUPT(r, "header");
    if (r->size < sizeof h + A_COUNT * sizeof(dbf_array))
        return CORRUPT(r, "directory");
    if (check_sum &&
        ls_dbf_checksum(r->base + DBF_SUM_FROM,
                        sizeof h + A_COUNT * sizeof(dbf_array) - DBF_SUM_FROM,
                        r->wide) != h.checksum)
        return ls_dbf_bad(
            r, "corrupted database file: checksum mismatch (header)");
    r->dir = (const dbf_array *)(r->base + sizeof h);
    uint64_t floor = sizeof h + A_COUNT * sizeof(dbf_array);
    for (int i = 0; i < A_COUNT; i++) {
        dbf_array d;
        memcpy(&d, &r->dir[i], sizeof d);
        if (d.id != (uint32_t)i || d.elem != dbf_elem[i] || d.offset % 8 ||
            d.offset < floor || d.offset > r->size ||
            d.count > (r->size - d.offset) / d.elem || d.count > UINT32_MAX)
            return CORRUPT(r, "array directory");
        r->at[i] = r->base + d.offset;
        r->n[i] = d.count;
        r->sum[i] = d.sum;
    }
    /* the index's arrays are summed in the pass that checks them, the
     * templates' words when a scan first reads them */
    for (int i = 0; i < A_COUNT && check_sum; i++) {
        uint64_t sum;
        if (i == A_SH_KEY || i == A_SH_HEAD || i == A_POST ||
            dbf_summed_per_template(i))
            continue;
        if (!sum_array(r, i, &sum))
            return r->fail;
        if (sum != r->sum[i])
            return ls_dbf_bad(r, "corrupted database file: checksum mismatch");
    }
    r->check_sum = check_sum;
    return LICSCAN_OK;
}

/* A string offset: NUL-terminated inside A_STRINGS (its last byte is a
 * NUL, checked first). */
static bool str_ok(const reader *r, uint32_t off, bool may_be_null)
{
    return off == NO_STRING ? may_be_null : off < r->n[A_STRINGS];
}

/* The same for a string the API gives out (a license's metadata, its
 * references): UTF-8, like every string of the API. */
static bool text_ok(const reader *r, uint32_t off, bool may_be_null)
{
    if (!str_ok(r, off, may_be_null))
        return false;
    if (off == NO_STRING)
        return true;
    const char *s = ARR(r, A_STRINGS, char) + off;
    size_t n = strlen(s);
    return ls_utf8_first_invalid(s, n, false) == n;
}

/* The dictionary, equivalences, index and phrases, whose words and
 * templates must be in range. */
static int check_index(reader *r, uint32_t ntpl, const dbf_template *ft)
{
    const uint32_t *sc = ARR(r, A_SCALARS, uint32_t);
    uint64_t cap = r->n[A_DICT_HASH], count = sc[S_DICT_COUNT];
    uint64_t chars = r->n[A_CHARS];
    /* a probe ends at an empty slot: there must be one */
    if ((cap && (!is_pow2(cap) || count >= cap)) || r->n[A_DICT_ID] != cap ||
        r->n[A_WORD_OFF] != count + 1 || !chars ||
        ARR(r, A_CHARS, char)[chars - 1])
        return CORRUPT(r, "dictionary");
    /* (whether a slot is used follows no pattern: no branch on it) */
    uint64_t used = 0;
    uint32_t wrong = 0;
    for (uint64_t j = 0, n; j < cap; j += n) {
        const uint64_t *hashes;
        const uint32_t *ids;
        if (!table_block(r, A_DICT_HASH, A_DICT_ID, j, cap, &hashes, &ids, &n))
            return r->fail;
        for (uint64_t i = 0; i < n; i++) {
            uint32_t in_use = hashes[i] != 0;
            used += in_use;
            wrong |= in_use & (uint32_t)(ids[i] - 1 >= count);
        }
    }
    if (wrong)
        return CORRUPT(r, "dictionary slot");
    if (used != count)
        return CORRUPT(r, "dictionary count");
    const uint32_t *woff = elems(r, WIN_A, A_WORD_OFF, 0, count + 1);
    if (!woff)
        return r->fail;
    for (uint64_t i = 0; i <= count; i++)
        if (woff[i] >= chars)
            return CORRUPT(r, "dictionary word");
    const ls_equiv *eq = ARR(r, A_EQUIV, ls_equiv);
    for (uint64_t i = 0; i < r->n[A_EQUIV]; i++) {
        if (!eq[i].to_len || eq[i].to_len > 3 || eq[i].from > count ||
            eq[i].after > count || (i && eq[i].from < eq[i - 1].from))
            return CORRUPT(r, "equivalence");
        for (uint32_t k = 0; k < eq[i].to_len; k++)
            if (eq[i].to[k] > count)
                return CORRUPT(r, "equivalence");
    }
    const uint32_t *eqi = ARR(r, A_EQUIV_INDEX, uint32_t);
    for (uint64_t i = 0; i < r->n[A_EQUIV_INDEX]; i++)
        if (eqi[i] > r->n[A_EQUIV] || (eqi[i] && eq[eqi[i] - 1].from != i))
            return CORRUPT(r, "equivalence index");
    uint64_t shcap = r->n[A_SH_KEY], sh_used = 0;
    if ((shcap && !is_pow2(shcap)) || r->n[A_SH_HEAD] != shcap)
        return CORRUPT(r, "shingle index");
    uint64_t npost = r->n[A_POST];
    dbf_sum bk, bh, bp;
    ls_dbf_sum_init(&bk);
    ls_dbf_sum_init(&bh);
    ls_dbf_sum_init(&bp);
    for (uint64_t j = 0, n; j < shcap; j += n) {
        const uint64_t *keys;
        const uint32_t *head;
        if (!table_block(r, A_SH_KEY, A_SH_HEAD, j, shcap, &keys, &head, &n))
            return r->fail;
        if (r->check_sum) {
            ls_dbf_sum_feed(&bk, keys, (size_t)n * sizeof *keys, r->wide);
            ls_dbf_sum_feed(&bh, head, (size_t)n * sizeof *head, r->wide);
        }
        if (!ls_dbf_slots_ok(keys, head, 0, n, npost, &sh_used, r->wide))
            return CORRUPT(r, "shingle index slot");
    }
    if (sh_used != sc[S_SH_COUNT] || (shcap && sh_used >= shcap))
        return CORRUPT(r, "shingle count");
    /* a list runs forward through the array: it ends. The 16-bit copy
     * the scans walk is made here, from the window (the postings are not
     * read again), when every template index fits */
    uint32_t places = 0;
    if (ntpl <= LS_POST_TPL_MAX + 1)
        r->post16 = ls_malloc(&r->a, 2 * (npost + 1) * sizeof(uint16_t));
    for (uint64_t i = 0; i < npost; i += SUM_BLOCK) {
        uint64_t n = block_len(npost, i);
        const ls_posting *post = elems(r, WIN_A, A_POST, i, n);
        if (!post)
            return r->fail;
        if (r->check_sum)
            ls_dbf_sum_feed(&bp, post, (size_t)n * sizeof *post, r->wide);
        if (!ls_dbf_posts_ok(post, i, i + n, ft, ntpl, r->wide))
            return CORRUPT(r, "posting");
        if (r->post16)
            places |= ls_post16_fill(post, n, r->post16 + i,
                                     r->post16 + npost + 1 + i);
    }
    if (places > LS_POST_POS_MAX) { /* (the facts find it: lists linked) */
        ls_free(&r->a, r->post16);
        r->post16 = NULL;
    }
    if (r->check_sum && (ls_dbf_sum_end(&bk) != r->sum[A_SH_KEY] ||
                         ls_dbf_sum_end(&bh) != r->sum[A_SH_HEAD] ||
                         ls_dbf_sum_end(&bp) != r->sum[A_POST]))
        return ls_dbf_bad(r, "corrupted database file: checksum mismatch");
    /* (each template word's list: ls_dbf_check_words) */
    if (r->n[A_WORD_HEAD] != r->n[A_TOKEN])
        return CORRUPT(r, "word heads");
    /* a phrase list runs backwards */
    const dbf_phrase *ph = ARR(r, A_PHRASE, dbf_phrase);
    for (uint64_t i = 0; i < r->n[A_PHRASE]; i++)
        if (ph[i].tpl >= ntpl || !ph[i].len || ph[i].next > i ||
            ph[i].ids > r->n[A_PHRASE_ID] ||
            ph[i].len > r->n[A_PHRASE_ID] - ph[i].ids)
            return CORRUPT(r, "phrase");
    const uint32_t *phead = ARR(r, A_PHR_HEAD, uint32_t);
    for (uint64_t i = 0; i < r->n[A_PHR_HEAD]; i++)
        if (phead[i] > r->n[A_PHRASE])
            return CORRUPT(r, "phrase index");
    const dbf_rules *ru = ARR(r, A_RULES, dbf_rules);
    for (uint64_t i = 0; i < r->n[A_RULES]; i++)
        if (!str_ok(r, ru[i].source, true) || !str_ok(r, ru[i].text, false) ||
            ru[i].len > r->n[A_STRINGS] - ru[i].text - 1 ||
            ARR(r, A_STRINGS, char)[ru[i].text + ru[i].len])
            return CORRUPT(r, "rule text");
    return LICSCAN_OK;
}

/* The clause memo: every entry, range and span inside its arrays and
 * clause, its rules below its count, each clause's fired rules in rule
 * order (as the engine fires them), a free slot to end each probe. */
static int check_memo(reader *r)
{
    uint64_t nclause = r->n[A_MEMO_CLAUSE], cap = r->n[A_MEMO_SLOT];
    uint64_t nfired = r->n[A_MEMO_FIRED], nctx = r->n[A_MEMO_CONTEXT];
    uint32_t nrules = ARR(r, A_SCALARS, uint32_t)[S_MEMO_NRULES];
    if (!nclause)
        return cap || nfired || nctx || r->n[A_MEMO_TEXT] || nrules
                   ? CORRUPT(r, "clause memo")
                   : LICSCAN_OK;
    if (!is_pow2(cap) || nclause >= cap || !nrules)
        return CORRUPT(r, "clause memo");
    const uint32_t *slot = elems(r, WIN_A, A_MEMO_SLOT, 0, cap);
    if (!slot)
        return r->fail;
    uint64_t used = 0;
    for (uint64_t i = 0; i < cap; i++) {
        used += slot[i] != 0;
        if (slot[i] > nclause)
            return CORRUPT(r, "clause memo slot");
    }
    if (used != nclause)
        return CORRUPT(r, "clause memo slot");
    const ls_memo_fired *f = elems(r, WIN_B, A_MEMO_FIRED, 0, nfired);
    const uint32_t *ctx = elems(r, WIN_C, A_MEMO_CONTEXT, 0, nctx);
    if (!f || !ctx)
        return r->fail;
    const ls_memo_clause *blk = NULL;
    for (uint64_t i = 0; i < nclause; i++) {
        if (!(i % SUM_BLOCK)) {
            if (!(blk =
                      elems(r, WIN_A, A_MEMO_CLAUSE, i, block_len(nclause, i))))
                return r->fail;
        }
        const ls_memo_clause *c = &blk[i % SUM_BLOCK];
        if (c->text > r->n[A_MEMO_TEXT] ||
            c->len > r->n[A_MEMO_TEXT] - c->text || c->fired > nfired ||
            c->nfired > nfired - c->fired || c->context > nctx ||
            c->ncontext > nctx - c->context)
            return CORRUPT(r, "clause memo entry");
        for (uint32_t k = 0; k < c->nfired; k++) {
            const ls_memo_fired *e = &f[c->fired + k];
            bool no_v = e->vs == UINT32_MAX && e->ve == UINT32_MAX;
            bool no_q = e->qs == UINT32_MAX && e->qe == UINT32_MAX;
            if (e->rule >= nrules || (k && e->rule <= e[-1].rule) ||
                (!no_v && (e->vs > e->ve || e->ve > c->len)) ||
                (!no_q && (e->qs > e->qe || e->qe > c->len)))
                return CORRUPT(r, "clause memo rule");
        }
        for (uint32_t k = 0; k < c->ncontext; k++)
            if ((ctx[c->context + k] & ~LS_MEMO_ANYWHERE) >= nrules)
                return CORRUPT(r, "clause memo context");
    }
    return LICSCAN_OK;
}

/* The rivals: none, or an offset per template and one past, from 0 up
 * to the end of the list, which names templates of the file, with the
 * words shared of each entry. */
static int check_rivals(reader *r)
{
    uint64_t noff = r->n[A_RIVAL_OFF], n = r->n[A_RIVAL];
    uint64_t ntpl = r->n[A_TEMPLATE];
    if (r->n[A_RIVAL_SHARED] != n)
        return CORRUPT(r, "rivals' shared words");
    if (!noff)
        return n ? CORRUPT(r, "rivals") : LICSCAN_OK;
    const uint32_t *off = ARR(r, A_RIVAL_OFF, uint32_t);
    const uint32_t *list = ARR(r, A_RIVAL, uint32_t);
    if (noff != ntpl + 1 || off[0] || off[ntpl] != n)
        return CORRUPT(r, "rivals");
    for (uint64_t t = 0; t < ntpl; t++)
        if (off[t + 1] < off[t])
            return CORRUPT(r, "rivals");
    for (uint64_t k = 0; k < n; k++)
        if (list[k] >= ntpl)
            return CORRUPT(r, "rival");
    return LICSCAN_OK;
}

/* The answers: only with rivals; each for some words, naming templates
 * of the file, its ratios within [0, 1], in order of (ntok, key) with
 * no key twice. */
static int check_answers(reader *r)
{
    uint64_t n = r->n[A_WHOLE_ANSWER], ntpl = r->n[A_TEMPLATE];
    if (n && !r->n[A_RIVAL_OFF])
        return CORRUPT(r, "answers without rivals");
    const ls_whole_answer *e = ARR(r, A_WHOLE_ANSWER, ls_whole_answer);
    for (uint64_t k = 0; k < n; k++) {
        bool runner_ok = e[k].runner == UINT32_MAX ||
                         (e[k].runner < ntpl && e[k].runner != e[k].winner);
        if (!e[k].ntok || e[k].winner >= ntpl || !runner_ok || e[k].zero ||
            !(e[k].coverage >= 0 && e[k].coverage <= 1) ||
            !(e[k].similarity >= 0 && e[k].similarity <= 1))
            return CORRUPT(r, "answer");
        if (k && (e[k].ntok < e[k - 1].ntok ||
                  (e[k].ntok == e[k - 1].ntok && e[k].key <= e[k - 1].key)))
            return CORRUPT(r, "answers' order");
    }
    return LICSCAN_OK;
}

/* One template: strings, its words and source where the templates before
 * it end (their values: ls_dbf_check_words), vars sorted inside its
 * words with known patterns. */
static int check_template(reader *r, const dbf_template *t)
{
    for (int k = 0; k < 9; k++)
        if (!text_ok(r, t->str[k], k != 0 && k != 6))
            return CORRUPT(r, "template metadata");
    if (!ARR(r, A_STRINGS, char)[t->str[0]]) /* as a template added is */
        return CORRUPT(r, "template id");
    if (t->ref > r->n[A_REF] || t->nref > r->n[A_REF] - t->ref)
        return CORRUPT(r, "template references");
    for (uint32_t k = 0; k < t->nref; k++)
        if (!text_ok(r, ARR(r, A_REF, uint32_t)[t->ref + k], false))
            return CORRUPT(r, "template references");
    if (t->source != r->source_next ||
        t->source_len >= r->n[A_SOURCE] - t->source)
        return CORRUPT(r, "template source");
    r->source_next += (uint64_t)t->source_len + 1;
    if (!t->ntok || t->tok != r->tok_next || t->ntok > r->n[A_TOKEN] - t->tok ||
        !t->nrequired || t->nrequired > t->ntok)
        return CORRUPT(r, "template words");
    r->tok_next += t->ntok;
    if (t->var > r->n[A_VAR] || t->nvar > r->n[A_VAR] - t->var)
        return CORRUPT(r, "template vars");
    const dbf_var *v = ARR(r, A_VAR, dbf_var) + t->var;
    for (uint32_t k = 0; k < t->nvar; k++)
        if (v[k].gap > t->ntok || (k && v[k].gap < v[k - 1].gap) ||
            v[k].optional > 1 || v[k].pattern >= r->n[A_PATTERN] ||
            !str_ok(r, v[k].name, false) || !str_ok(r, v[k].original, false))
            return CORRUPT(r, "template var");
    return LICSCAN_OK;
}

/* Twins: none, or an earlier template of as many words, vars and bytes
 * (a scan shares their hits; that their texts are the same is summed
 * with their words). */
static int check_twins(reader *r, const dbf_template *ft, uint64_t ntpl)
{
    const uint32_t *twin = ARR(r, A_TWIN, uint32_t);
    if (r->n[A_TWIN] != ntpl)
        return CORRUPT(r, "twins");
    for (uint64_t i = 0; i < ntpl; i++) {
        uint32_t u = twin[i];
        if (u != LS_NO_TWIN &&
            (u >= i || ft[u].ntok != ft[i].ntok || ft[u].nvar != ft[i].nvar ||
             ft[u].source_len != ft[i].source_len))
            return CORRUPT(r, "twin");
    }
    return LICSCAN_OK;
}

int ls_dbf_check_all(reader *r)
{
    if (r->n[A_SCALARS] != S_COUNT || !r->n[A_STRINGS] ||
        ARR(r, A_STRINGS, char)[r->n[A_STRINGS] - 1])
        return CORRUPT(r, "scalars or strings");
    const dbf_span *pat = ARR(r, A_PATTERN, dbf_span);
    for (uint64_t i = 0; i < r->n[A_PATTERN]; i++)
        if (!str_ok(r, pat[i].off, false) ||
            pat[i].len > r->n[A_STRINGS] - pat[i].off - 1 ||
            ARR(r, A_STRINGS, char)[pat[i].off + pat[i].len])
            return CORRUPT(r, "var pattern");
    const dbf_template *ft = ARR(r, A_TEMPLATE, dbf_template);
    for (uint64_t i = 0; i < r->n[A_TEMPLATE]; i++) {
        int rc = check_template(r, &ft[i]);
        if (rc)
            return rc;
    }
    /* the templates' words and sources fill their arrays */
    if (r->tok_next != r->n[A_TOKEN] || r->source_next != r->n[A_SOURCE] ||
        r->n[A_OPTIONAL] != r->n[A_TOKEN] ||
        r->n[A_WORDS_SUM] != r->n[A_TEMPLATE])
        return CORRUPT(r, "template words");
    int twins = check_twins(r, ft, r->n[A_TEMPLATE]);
    if (twins)
        return twins;
    int rc = check_index(r, (uint32_t)r->n[A_TEMPLATE], ft);
    if (!rc)
        rc = check_memo(r);
    if (!rc)
        rc = check_rivals(r);
    return rc ? rc : check_answers(r);
}

void ls_dbf_reader_done(reader *r)
{
    for (int w = 0; w < WINDOWS; w++)
        ls_free(&r->a, r->win[w].buf);
}

/* ---------- a template's words, when a scan first reads them ---------- */

/* Whether every word begins and ends on a character of its UTF-8 source
 * (its text is given out: a span cut inside a character would not be).
 * Each span is inside the source, its end at most at the closing NUL. */
static bool words_on_characters(const ls_token *tok, uint32_t n,
                                const char *src)
{
    uint32_t cut = 0;
    for (uint32_t k = 0; k < n; k++)
        cut |= ((unsigned char)src[tok[k].start] & 0xC0) == 0x80 ||
               ((unsigned char)src[tok[k].end] & 0xC0) == 0x80;
    return !cut;
}

/* Whether the original wording of each var is UTF-8 (a diff gives it
 * out); its place, inside the strings and ending in a NUL, was checked at
 * open. */
static bool originals_utf8(const struct ls_dbfile *f, const dbf_template *t)
{
    for (uint32_t k = 0; k < t->nvar; k++) {
        const char *o = f->strings + f->vars[t->var + k].original;
        size_t n = strlen(o);
        if (ls_utf8_first_invalid(o, n, false) != n)
            return false;
    }
    return true;
}

uint8_t ls_dbf_check_words(const struct ls_dbfile *f, uint32_t i)
{
    const dbf_template *t = &f->rec[i];
    const ls_token *tok = f->tok + t->tok;
    const uint8_t *opt = f->optional + t->tok;
    const uint32_t *heads = f->heads + t->tok;
    const char *src = f->source + t->source;
    bool ok =
        ls_dbf_words_ok(tok, opt, t->ntok, f->dict_count, t->source_len,
                        f->wide) == t->nrequired &&
        ls_dbf_most(heads, 0, t->ntok, f->wide) <= f->npost &&
        !src[t->source_len] &&
        /* (UTF-8 with no NUL inside: it is given out and read as a text) */
        ls_utf8_first_invalid(src, t->source_len, true) == t->source_len &&
        words_on_characters(tok, t->ntok, src) && originals_utf8(f, t) &&
        (!f->words_sum ||
         ls_dbf_words_sum(tok, opt, heads, t->ntok, src, t->source_len,
                          f->wide) == f->words_sum[i]);
    uint8_t st = ok ? LS_WORDS_GOOD : LS_WORDS_BAD;
    __atomic_store_n(&f->words[i], st, __ATOMIC_RELEASE);
    return st;
}

int ls_words_all_ready(const licscan_db *db, uint32_t *bad)
{
    for (uint32_t t = 0; db->file && t < db->file->ntpl; t++)
        if (!ls_words_ready(db, t)) {
            *bad = t;
            return LICSCAN_EFORMAT;
        }
    return LICSCAN_OK;
}
