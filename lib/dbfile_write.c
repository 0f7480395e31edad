/* dbfile_write.c -- a database written to one file (licscan_db_save);
 * the format is dbfile.h's, the reader dbfile.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbfile.h"
#include "rivals.h"

/* ---------- writing ---------- */

typedef struct writer {
    const ls_alloc *a;
    ls_buf arr[A_COUNT];
    uint32_t elem[A_COUNT];
    bool failed;
} writer;

static void put(writer *w, int id, const void *p, size_t n)
{
    if (n) /* p may be NULL then (an empty memo) */
        ls_buf_append(&w->arr[id], p, n);
}

static uint32_t count_of(const writer *w, int id)
{
    return (uint32_t)(w->arr[id].len / w->elem[id]);
}

/* A string into A_STRINGS: its offset, or NO_STRING for NULL. */
static uint32_t put_str(writer *w, const char *s, size_t n)
{
    if (!s)
        return NO_STRING;
    ls_buf *b = &w->arr[A_STRINGS];
    if (b->len + n + 1 > UINT32_MAX - 1) {
        w->failed = true;
        return NO_STRING;
    }
    uint32_t off = (uint32_t)b->len;
    ls_buf_append(b, s, n);
    ls_buf_putc(b, 0);
    return off;
}

static uint32_t put_cstr(writer *w, const char *s)
{
    return s ? put_str(w, s, strlen(s)) : NO_STRING;
}

/* The templates: their metadata and other short strings, which the open
 * reads, apart from their words and sources (dbf_summed_per_template),
 * which it does not. */
static void write_templates(writer *w, const licscan_db *db)
{
    dbf_template *rec =
        ls_calloc(&db->alloc, (size_t)db->ntpl + 1, sizeof(dbf_template));
    if (!rec) {
        w->failed = true;
        return;
    }
    for (uint32_t i = 0; i < db->ntpl; i++) {
        const ls_template *t = db->tpl[i];
        const licscan_license *l = &t->lic;
        dbf_template f = { 0 };
        const char *s[9] = { l->id,  l->name, l->version, l->family,  l->kind,
                             l->url, l->spdx, l->hf,      l->scancode };
        for (int k = 0; k < 9; k++)
            f.str[k] = put_cstr(w, s[k]);
        f.flags = ls_license_flags(l);
        f.replaced = t->replaced;
        f.ref = count_of(w, A_REF);
        f.nref = l->nreferences;
        for (uint32_t k = 0; k < l->nreferences; k++) {
            uint32_t off = put_cstr(w, l->references[k]);
            put(w, A_REF, &off, sizeof off);
        }
        f.source_len = (uint32_t)t->source_len;
        f.tok = count_of(w, A_TOKEN);
        f.ntok = t->ntok;
        put(w, A_TOKEN, t->tok, (size_t)t->ntok * sizeof(ls_token));
        put(w, A_OPTIONAL, t->optional, t->ntok);
        f.nrequired = t->nrequired;
        f.nshingles = t->nshingles;
        f.var = count_of(w, A_VAR);
        f.nvar = t->nvars;
        for (uint32_t k = 0; k < t->nvars; k++) {
            const ls_var *v = &t->vars[k];
            dbf_var fv = { v->gap, v->optional, 0, put_cstr(w, v->name),
                           put_cstr(w, v->original) };
            while (fv.pattern < db->nre && &db->re[fv.pattern]->re != v->re)
                fv.pattern++;
            if (fv.pattern == db->nre)
                w->failed = true; /* cannot be: every var's is listed */
            put(w, A_VAR, &fv, sizeof fv);
        }
        rec[i] = f;
    }
    for (uint32_t i = 0; i < db->nre; i++) {
        const char *p = db->re[i]->pattern;
        dbf_span sp = { put_cstr(w, p), (uint32_t)strlen(p) };
        put(w, A_PATTERN, &sp, sizeof sp);
    }
    for (uint32_t i = 0; i < db->ntpl; i++) {
        const ls_template *t = db->tpl[i];
        ls_buf *src = &w->arr[A_SOURCE];
        if (src->len + t->source_len + 1 > UINT32_MAX - 1)
            w->failed = true;
        rec[i].source = (uint32_t)src->len;
        ls_buf_append(src, t->source, t->source_len);
        ls_buf_putc(src, 0);
        put(w, A_TEMPLATE, &rec[i], sizeof rec[i]);
        put(w, A_TWIN, &t->twin, sizeof t->twin);
    }
    ls_free(&db->alloc, rec);
}

static void write_index(writer *w, const licscan_db *db)
{
    const ls_dict *d = &db->lex.dict;
    const ls_lexicon *lx = &db->lex;
    put(w, A_DICT_HASH, d->hashes, (size_t)d->cap * sizeof(uint64_t));
    put(w, A_DICT_ID, d->ids, (size_t)d->cap * sizeof(uint32_t));
    put(w, A_WORD_OFF, d->word_off, ((size_t)d->count + 1) * sizeof(uint32_t));
    put(w, A_CHARS, d->chars.data, d->chars.len);
    ls_buf_putc(&w->arr[A_CHARS], 0);
    put(w, A_EQUIV, lx->equiv, (size_t)lx->nequiv * sizeof(ls_equiv));
    put(w, A_EQUIV_INDEX, lx->equiv_index,
        (size_t)lx->equiv_index_cap * sizeof(uint32_t));
    put(w, A_SH_KEY, db->sh_keys, (size_t)db->sh_cap * sizeof(uint64_t));
    /* each shingle's postings together, in list order (as
     * ls_index_compact lays them): next is then the following one */
    uint32_t n = 0;
    uint32_t *laid =
        ls_malloc(&db->alloc, ((size_t)db->sh_cap + 1) * sizeof(uint32_t));
    if (!laid) {
        w->failed = true;
        return;
    }
    for (uint32_t j = 0; j < db->sh_cap; j++) {
        uint32_t q = db->sh_head[j];
        laid[j] = q ? n + 1 : 0;
        for (; q; q = db->post[q - 1].next, n++) {
            ls_posting po = db->post[q - 1];
            po.next = po.next ? n + 2 : 0;
            put(w, A_POST, &po, sizeof po);
        }
    }
    put(w, A_SH_HEAD, laid, (size_t)db->sh_cap * sizeof(uint32_t));
    /* the lists the templates' words lead to, as laid out here */
    uint32_t *heads = NULL, heads_cap = 0;
    for (uint32_t i = 0; i < db->ntpl && !w->failed; i++) {
        const ls_template *t = db->tpl[i];
        if (LS_GROW(&db->alloc, heads, heads_cap, t->ntok + 1)) {
            w->failed = true;
            break;
        }
        ls_word_heads(db, laid, t, heads);
        put(w, A_WORD_HEAD, heads, (size_t)t->ntok * sizeof(uint32_t));
    }
    ls_free(&db->alloc, heads);
    ls_free(&db->alloc, laid);
    for (uint32_t i = 0; i < db->nphr; i++) {
        const ls_phrase *ph = &db->phr[i];
        dbf_phrase fp = { ph->tpl, ph->len, count_of(w, A_PHRASE_ID),
                          ph->next };
        put(w, A_PHRASE_ID, ph->ids, (size_t)ph->len * sizeof(uint32_t));
        put(w, A_PHRASE, &fp, sizeof fp);
    }
    put(w, A_PHR_HEAD, db->phr_head,
        (size_t)db->phr_head_cap * sizeof(uint32_t));
    for (uint32_t i = 0; i < db->nrtext; i++) {
        const ls_rule_text *r = &db->rtext[i];
        dbf_rules fr = { put_cstr(w, r->source), put_str(w, r->text, r->len),
                         (uint32_t)r->len };
        if (r->len >= UINT32_MAX)
            w->failed = true;
        put(w, A_RULES, &fr, sizeof fr);
    }
}

/* The clause memo of every template, built now: the file's scans then
 * answer the clauses of all its licenses as the embedded set's do. */
static int write_memo(writer *w, const licscan_db *db)
{
    ls_clause_memo m;
    int rc = ls_memo_build_templates(db, &m);
    if (rc)
        return rc;
    put(w, A_MEMO_CLAUSE, m.clause, (size_t)m.nclause * sizeof(*m.clause));
    put(w, A_MEMO_SLOT, m.slot, (size_t)m.cap * sizeof(uint32_t));
    put(w, A_MEMO_TEXT, m.text, m.text_len);
    put(w, A_MEMO_FIRED, m.fired, (size_t)m.nfired * sizeof(*m.fired));
    put(w, A_MEMO_CONTEXT, m.context, (size_t)m.ncontext * sizeof(uint32_t));
    uint64_t h = db->nrtext;
    for (uint32_t i = 0; i < db->nrtext; i++)
        h = dbf_rules_hash_step(h, db->rtext[i].text, db->rtext[i].len);
    uint32_t sc[S_COUNT] = { db->lex.dict.count,  db->sh_count,
                             m.nclause ? m.nrules : 0,
                             (uint32_t)h,         (uint32_t)(h >> 32),
                             m.match_limit,       m.heap_limit_kib };
    put(w, A_SCALARS, sc, sizeof sc);
    ls_memo_free(db, &m);
    return LICSCAN_OK;
}

/* The rivals of every template: those the database knows for its set,
 * else worked out now. */
static int write_rivals(writer *w, const licscan_db *db)
{
    ls_rivals built = { 0 };
    const ls_rivals *rv = &db->rivals;
    if (!rv->off) {
        int rc = ls_rivals_build(db, &built);
        if (rc)
            return rc;
        rv = &built;
    }
    put(w, A_RIVAL_OFF, rv->off, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    put(w, A_RIVAL, rv->list, (size_t)rv->n * sizeof(uint32_t));
    put(w, A_RIVAL_SHARED, rv->shared, (size_t)rv->n * sizeof(uint32_t));
    put(w, A_WHOLE_ANSWER, rv->answers,
        (size_t)rv->nanswers * sizeof(ls_whole_answer));
    ls_rivals_free(db, &built);
    return LICSCAN_OK;
}

/* Each template's words summed as the file holds them, after they are
 * all written (their heads last). */
static void write_words_sums(writer *w, const licscan_db *db, bool wide)
{
    const ls_token *tok = (const ls_token *)(const void *)w->arr[A_TOKEN].data;
    const uint8_t *opt = (const uint8_t *)w->arr[A_OPTIONAL].data;
    const uint32_t *heads =
        (const uint32_t *)(const void *)w->arr[A_WORD_HEAD].data;
    const dbf_template *rec =
        (const dbf_template *)(const void *)w->arr[A_TEMPLATE].data;
    const char *source = w->arr[A_SOURCE].data;
    for (uint32_t i = 0; i < db->ntpl && !w->failed; i++) {
        const dbf_template *t = &rec[i];
        uint64_t sum =
            ls_dbf_words_sum(tok + t->tok, opt + t->tok, heads + t->tok,
                             t->ntok, source + t->source, t->source_len, wide);
        put(w, A_WORDS_SUM, &sum, sizeof sum);
    }
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The whole file in memory: header, directory, arrays. */
static int build_file(writer *w, const licscan_db *db, ls_buf *out)
{
    for (int i = 0; i < A_COUNT; i++) {
        ls_buf_init(&w->arr[i], w->a);
        w->elem[i] = dbf_elem[i];
    }
    write_templates(w, db);
    write_index(w, db);
    int rc = write_memo(w, db);
    if (!rc)
        rc = write_rivals(w, db);
    if (rc)
        return rc;
    bool wide = ls_dbf_wide();
    for (int i = 0; i < A_COUNT; i++)
        w->failed |= w->arr[i].failed;
    write_words_sums(w, db, wide);
    w->failed |= w->arr[A_WORDS_SUM].failed;
    if (w->failed)
        return LICSCAN_ENOMEM;
    dbf_header h = { 0 };
    memcpy(h.magic, DBF_MAGIC, 8);
    h.version = DBF_VERSION;
    h.byte_order = DBF_BYTE_ORDER;
    h.narrays = A_COUNT;
    h.header_size = sizeof h;
    h.lib_version = LICSCAN_VERSION_NUMBER;
    dbf_array dir[A_COUNT];
    uint64_t off = sizeof h + sizeof dir;
    for (int i = 0; i < A_COUNT; i++) {
        off = (off + 7) & ~(uint64_t)7;
        const unsigned char *p = (const unsigned char *)w->arr[i].data;
        size_t n = w->arr[i].len;
        dir[i] = (dbf_array){ (uint32_t)i, w->elem[i], n / w->elem[i], off,
                              dbf_summed_per_template(i)
                                  ? 0
                                  : ls_dbf_checksum(p, n, wide) };
        off += n;
    }
    h.size = off;
    ls_buf_append(out, (const char *)&h, sizeof h);
    ls_buf_append(out, (const char *)dir, sizeof dir);
    for (int i = 0; i < A_COUNT; i++) {
        while (out->len < dir[i].offset && !out->failed)
            ls_buf_putc(out, 0);
        ls_buf_append(out, w->arr[i].data ? w->arr[i].data : "", w->arr[i].len);
    }
    if (out->failed)
        return LICSCAN_ENOMEM;
    uint64_t sum = ls_dbf_checksum(out->data + DBF_SUM_FROM,
                                   sizeof h + sizeof dir - DBF_SUM_FROM, wide);
    memcpy(out->data + offsetof(dbf_header, checksum), &sum, sizeof sum);
    return LICSCAN_OK;
}

int licscan_db_save(licscan_db *db, const char *path)
{
    if (!db || !path || !*path)
        return LICSCAN_EINVAL;
    ls_error_clear(&db->err);
    uint32_t bad;
    if (ls_words_all_ready(db, &bad)) { /* it reads every template's */
        ls_error_set(&db->err, path, 0, 0,
                     "%s: not saved: the database file it was opened from is "
                     "corrupted (template %s)",
                     path, db->tpl[bad]->lic.id);
        return LICSCAN_EFORMAT;
    }
    writer w = { .a = &db->alloc };
    ls_buf out;
    ls_buf_init(&out, &db->alloc);
    int rc = build_file(&w, db, &out);
    for (int i = 0; i < A_COUNT; i++)
        ls_buf_free(&w.arr[i]);
    if (rc) {
        ls_buf_free(&out);
        ls_error_set(&db->err, path, 0, 0, "%s: out of memory", path);
        return rc;
    }
    /* written beside the target and renamed over it: a reader never
     * sees half a file */
    size_t pl = strlen(path);
    char *tmp = ls_malloc(&db->alloc, pl + 8);
    int fd = -1;
    if (tmp) {
        memcpy(tmp, path, pl);
        memcpy(tmp + pl, ".XXXXXX", 8);
        fd = mkstemp(tmp);
    }
    if (!tmp || fd < 0 || write_all(fd, out.data, out.len) != 0 ||
        fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        ls_error_set(&db->err, path, 0, 0, "%s: %s", path,
                     tmp ? strerror(e) : "out of memory");
        rc = tmp ? LICSCAN_EIO : LICSCAN_ENOMEM;
    } else {
        /* mkstemp made it 0600: a database is as readable as any file */
        mode_t um = umask(0);
        umask(um);
        chmod(path, 0666 & ~um);
    }
    ls_free(&db->alloc, tmp);
    ls_buf_free(&out);
    return rc;
}
