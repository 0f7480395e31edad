/* dbfile.c -- a database compiled to one file (licscan_db_save) and
 * opened by mapping it (licscan_db_open_file).
 *
 * The file holds what the frozen image of the embedded set holds
 * (tools/freeze.c, lib/frozen.c): the templates with their tokens and
 * vars, the dictionary and equivalences, the shingle index and the name
 * phrases, as arrays a mapping of the file serves as they are; and the
 * text of every rule file, parsed again at open (rules compile in a
 * millisecond or two, and their compiled form is PCRE2's, tied to its
 * version). Opening checks the header, then every offset, count and
 * index before the database reads any of it, so that a damaged file is
 * an error, never a crash.
 *
 * Layout (little-endian on the machines this runs on; the byte-order
 * field rejects a file written on the other kind):
 *   header (64 bytes): magic "LICSCNDB", format version, byte-order mark
 *     0x01020304, file size, checksum of bytes [32, end of the directory),
 *     number of arrays, header size, library version;
 *   directory: one {id, element size, count, offset, checksum} per array;
 *   the arrays, each at an offset that is a multiple of 8.
 * Each array has its own checksum so that the largest, the templates'
 * words, is summed in the pass that checks them (opening is bound by
 * reading the file once: about 3 ms for the SPDX list's 25 MB). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DBF_MAGIC "LICSCNDB"
#define DBF_VERSION 1u
#define DBF_BYTE_ORDER 0x01020304u
#define DBF_SUM_FROM 32 /* the checksum covers the file from here */

typedef struct dbf_header {
    char magic[8];
    uint32_t version;
    uint32_t byte_order;
    uint64_t size;
    uint64_t checksum;
    uint32_t narrays;
    uint32_t header_size;
    uint32_t lib_version;
    uint32_t reserved[5];
} dbf_header;
_Static_assert(sizeof(dbf_header) == 64, "the header is 64 bytes");
_Static_assert(offsetof(dbf_header, narrays) == DBF_SUM_FROM,
               "the checksum covers what follows it");

typedef struct dbf_array {
    uint32_t id, elem;
    uint64_t count, offset;
    uint64_t sum; /* checksum of its bytes (A_TOKEN: of its words) */
} dbf_array;

/* The arrays, by id. */
enum {
    A_SCALARS,  /* uint32_t: the S_* values */
    A_STRINGS,  /* char: NUL-terminated strings, offsets into it */
    A_TEMPLATE, /* dbf_template */
    A_VAR,      /* dbf_var */
    A_PATTERN,  /* dbf_span: var patterns */
    A_REF,      /* uint32_t: string offsets of references */
    A_TOKEN,    /* ls_token */
    A_OPTIONAL, /* uint8_t */
    A_DICT_HASH,
    A_DICT_ID,
    A_WORD_OFF,
    A_CHARS,
    A_EQUIV,
    A_EQUIV_INDEX,
    A_SH_KEY,
    A_SH_HEAD,
    A_POST,
    A_PHRASE,    /* dbf_phrase */
    A_PHRASE_ID, /* uint32_t */
    A_PHR_HEAD,
    A_RULES, /* dbf_rules */
    A_COUNT
};

enum { S_DICT_COUNT, S_SH_COUNT, S_COUNT };

#define NO_STRING UINT32_MAX

typedef struct dbf_template {
    uint32_t str[9]; /* id, name, version, family, kind, url, spdx, hf,
                        scancode: offsets in A_STRINGS, or NO_STRING */
    uint32_t osi, replaced;
    uint32_t ref, nref; /* in A_REF */
    uint32_t source, source_len;
    uint32_t tok, ntok; /* in A_TOKEN and A_OPTIONAL */
    uint32_t nrequired, nshingles;
    uint32_t var, nvar; /* in A_VAR */
} dbf_template;

typedef struct dbf_var {
    uint32_t gap, optional, pattern, name, original;
} dbf_var;

typedef struct dbf_span {
    uint32_t off, len;
} dbf_span;

typedef struct dbf_phrase {
    uint32_t tpl, len, ids, next;
} dbf_phrase;

typedef struct dbf_rules {
    uint32_t source, text, len; /* source NO_STRING: none */
} dbf_rules;

/* Checksums: lanes of add-and-rotate (each step a bijection of the lane,
 * so a change to one word always changes the sum), mixed at the end. As
 * fast as memory: a file is read once. */
static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t sum_finish(const uint64_t *h, int lanes, uint64_t n)
{
    uint64_t r = n;
    for (int l = 0; l < lanes; l++)
        r = ls_mix64(r ^ h[l]);
    return r;
}

/* The sum of bytes, fed in pieces of a multiple of 32 bytes but the
 * last: the same as of the whole at once. */
typedef struct byte_sum {
    uint64_t h[5];
    uint64_t n;
} byte_sum;

static void byte_sum_init(byte_sum *b)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    *b = (byte_sum){ { k, k ^ 1, k ^ 2, k ^ 3, 0 }, 0 };
}

static void byte_sum_feed(byte_sum *b, const unsigned char *p, size_t n)
{
    uint64_t h0 = b->h[0], h1 = b->h[1], h2 = b->h[2], h3 = b->h[3];
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t v[4];
        memcpy(v, p + i, 32);
        h0 = rotl(h0 + v[0], 23);
        h1 = rotl(h1 + v[1], 23);
        h2 = rotl(h2 + v[2], 23);
        h3 = rotl(h3 + v[3], 23);
    }
    b->h[0] = h0, b->h[1] = h1, b->h[2] = h2, b->h[3] = h3;
    for (; i < n; i++)
        b->h[4] = b->h[4] * 257 + p[i] + 1;
    b->n += n;
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
    byte_sum b;
    byte_sum_init(&b);
    byte_sum_feed(&b, p, n);
    return sum_finish(b.h, 5, b.n);
}

/* Arrays checked element by element sum their elements in the same pass,
 * a block at a time (a multiple of 32 bytes), while it is in the cache. */
#define SUM_BLOCK 3072 /* elements: a multiple of 32 bytes for 4, 8 and 12 */

static void sum_block(byte_sum *b, const void *arr, size_t elem, uint64_t from,
                      uint64_t n)
{
    uint64_t end = from + SUM_BLOCK < n ? from + SUM_BLOCK : n;
    byte_sum_feed(b, (const unsigned char *)arr + from * elem,
                  (size_t)(end - from) * elem);
}

/* The templates' words are summed word by word, as they are checked. */
typedef struct token_sum {
    uint64_t h[2];
    uint64_t n;
} token_sum;

static inline void token_sum_add(token_sum *t, const ls_token *k)
{
    t->h[0] = rotl(t->h[0] + (((uint64_t)k->start << 32) | k->end), 23);
    t->h[1] = rotl(t->h[1] + k->id, 17);
    t->n++;
}

static uint64_t token_checksum(const ls_token *tok, size_t n)
{
    token_sum t = { { 1, 2 }, 0 };
    for (size_t i = 0; i < n; i++)
        token_sum_add(&t, &tok[i]);
    return sum_finish(t.h, 2, t.n);
}

/* ---------- writing ---------- */

typedef struct writer {
    const ls_alloc *a;
    ls_buf arr[A_COUNT];
    uint32_t elem[A_COUNT];
    bool failed;
} writer;

static void put(writer *w, int id, const void *p, size_t n)
{
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

static void write_templates(writer *w, const licscan_db *db)
{
    for (uint32_t i = 0; i < db->ntpl; i++) {
        const ls_template *t = db->tpl[i];
        const licscan_license *l = &t->lic;
        dbf_template f = { 0 };
        const char *s[9] = { l->id,  l->name, l->version, l->family,  l->kind,
                             l->url, l->spdx, l->hf,      l->scancode };
        for (int k = 0; k < 9; k++)
            f.str[k] = put_cstr(w, s[k]);
        f.osi = l->osi;
        f.replaced = t->replaced;
        f.ref = count_of(w, A_REF);
        f.nref = l->nreferences;
        for (uint32_t k = 0; k < l->nreferences; k++) {
            uint32_t off = put_cstr(w, l->references[k]);
            put(w, A_REF, &off, sizeof off);
        }
        f.source = put_str(w, t->source, t->source_len);
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
        put(w, A_TEMPLATE, &f, sizeof f);
    }
    for (uint32_t i = 0; i < db->nre; i++) {
        const char *p = db->re[i]->pattern;
        dbf_span sp = { put_cstr(w, p), (uint32_t)strlen(p) };
        put(w, A_PATTERN, &sp, sizeof sp);
    }
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
    for (uint32_t j = 0; j < db->sh_cap; j++) {
        uint32_t q = db->sh_head[j], head = q ? n + 1 : 0;
        put(w, A_SH_HEAD, &head, sizeof head);
        for (; q; q = db->post[q - 1].next, n++) {
            ls_posting po = db->post[q - 1];
            po.next = po.next ? n + 2 : 0;
            put(w, A_POST, &po, sizeof po);
        }
    }
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
    uint32_t sc[S_COUNT] = { d->count, db->sh_count };
    put(w, A_SCALARS, sc, sizeof sc);
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
    static const uint32_t elem[A_COUNT] = {
        [A_SCALARS] = 4,
        [A_STRINGS] = 1,
        [A_TEMPLATE] = sizeof(dbf_template),
        [A_VAR] = sizeof(dbf_var),
        [A_PATTERN] = sizeof(dbf_span),
        [A_REF] = 4,
        [A_TOKEN] = sizeof(ls_token),
        [A_OPTIONAL] = 1,
        [A_DICT_HASH] = 8,
        [A_DICT_ID] = 4,
        [A_WORD_OFF] = 4,
        [A_CHARS] = 1,
        [A_EQUIV] = sizeof(ls_equiv),
        [A_EQUIV_INDEX] = 4,
        [A_SH_KEY] = 8,
        [A_SH_HEAD] = 4,
        [A_POST] = sizeof(ls_posting),
        [A_PHRASE] = sizeof(dbf_phrase),
        [A_PHRASE_ID] = 4,
        [A_PHR_HEAD] = 4,
        [A_RULES] = sizeof(dbf_rules),
    };
    for (int i = 0; i < A_COUNT; i++) {
        ls_buf_init(&w->arr[i], w->a);
        w->elem[i] = elem[i];
    }
    write_templates(w, db);
    write_index(w, db);
    for (int i = 0; i < A_COUNT; i++)
        w->failed |= w->arr[i].failed;
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
                              i == A_TOKEN ? token_checksum((const ls_token *)p,
                                                            n / w->elem[i])
                                           : checksum(p, n) };
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
    uint64_t sum = checksum((const unsigned char *)out->data + DBF_SUM_FROM,
                            sizeof h + sizeof dir - DBF_SUM_FROM);
    memcpy(out->data + offsetof(dbf_header, checksum), &sum, sizeof sum);
    return LICSCAN_OK;
}

int licscan_db_save(licscan_db *db, const char *path)
{
    if (!db || !path || !*path)
        return LICSCAN_EINVAL;
    ls_error_clear(&db->err);
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

/* ---------- reading ---------- */

typedef struct reader {
    const unsigned char *base;
    size_t size;
    bool check_sum;
    token_sum tsum;        /* of the words checked so far, in array order */
    uint64_t sum[A_COUNT]; /* as the directory says */
    const dbf_array *dir;
    const void *at[A_COUNT];
    uint64_t n[A_COUNT];
    char *err;
    size_t errlen;
} reader;

__attribute__((format(printf, 2, 3))) static int bad(reader *r, const char *fmt,
                                                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->errlen)
        vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return LICSCAN_EFORMAT;
}

#define CORRUPT(r, what) bad((r), "corrupted database file: %s", (what))

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* The header and the directory. */
static int read_layout(reader *r, bool check_sum)
{
    dbf_header h;
    if (r->size < 8 || memcmp(r->base, DBF_MAGIC, 8) != 0)
        return bad(r, "not a compiled licscan database (no LICSCNDB magic)");
    if (r->size < sizeof h)
        return bad(r, "truncated database file: %zu bytes, not even a header",
                   r->size);
    memcpy(&h, r->base, sizeof h);
    if (h.byte_order != DBF_BYTE_ORDER)
        return bad(r, "database file written on a machine of the other byte "
                      "order");
    if (h.version != DBF_VERSION)
        return bad(r,
                   "database file format version %u; this library reads "
                   "version %u (compile it again with this licscan)",
                   h.version, DBF_VERSION);
    if (h.size > r->size)
        return bad(r, "truncated database file: %zu bytes of %llu", r->size,
                   (unsigned long long)h.size);
    if (h.size < r->size)
        return bad(r, "database file of %llu bytes has %zu bytes after its end",
                   (unsigned long long)h.size, r->size - (size_t)h.size);
    if (h.header_size != sizeof h || h.narrays != A_COUNT)
        return CORRUPT(r, "header");
    if (r->size < sizeof h + A_COUNT * sizeof(dbf_array))
        return CORRUPT(r, "directory");
    if (check_sum && checksum(r->base + DBF_SUM_FROM,
                              sizeof h + A_COUNT * sizeof(dbf_array) -
                                  DBF_SUM_FROM) != h.checksum)
        return bad(r, "corrupted database file: checksum mismatch (header)");
    r->dir = (const dbf_array *)(r->base + sizeof h);
    static const uint32_t elem[A_COUNT] = {
        4,
        1,
        sizeof(dbf_template),
        sizeof(dbf_var),
        sizeof(dbf_span),
        4,
        sizeof(ls_token),
        1,
        8,
        4,
        4,
        1,
        sizeof(ls_equiv),
        4,
        8,
        4,
        sizeof(ls_posting),
        sizeof(dbf_phrase),
        4,
        4,
        sizeof(dbf_rules),
    };
    uint64_t floor = sizeof h + A_COUNT * sizeof(dbf_array);
    for (int i = 0; i < A_COUNT; i++) {
        dbf_array d;
        memcpy(&d, &r->dir[i], sizeof d);
        if (d.id != (uint32_t)i || d.elem != elem[i] || d.offset % 8 ||
            d.offset < floor || d.offset > r->size ||
            d.count > (r->size - d.offset) / d.elem || d.count > UINT32_MAX)
            return CORRUPT(r, "array directory");
        r->at[i] = r->base + d.offset;
        r->n[i] = d.count;
        r->sum[i] = d.sum;
        /* the arrays checked word by word are summed in that pass */
        if (check_sum && i != A_TOKEN && i != A_SH_KEY && i != A_SH_HEAD &&
            i != A_POST && checksum(r->at[i], d.count * d.elem) != d.sum)
            return bad(r, "corrupted database file: checksum mismatch");
    }
    r->check_sum = check_sum;
    r->tsum = (token_sum){ { 1, 2 }, 0 };
    return LICSCAN_OK;
}

#define ARR(r, id, type) ((const type *)(r)->at[id])

/* A string offset: NUL-terminated inside A_STRINGS (its last byte is a
 * NUL, checked first). */
static bool str_ok(const reader *r, uint32_t off, bool may_be_null)
{
    return off == NO_STRING ? may_be_null : off < r->n[A_STRINGS];
}

static const char *str_at(const reader *r, uint32_t off)
{
    return off == NO_STRING ? NULL : ARR(r, A_STRINGS, char) + off;
}

/* The dictionary, equivalences, index and phrases, whose words and
 * templates must be in range. */
static int check_index(reader *r, uint32_t ntpl, const dbf_template *ft)
{
    const uint32_t *sc = ARR(r, A_SCALARS, uint32_t);
    uint64_t cap = r->n[A_DICT_HASH], count = sc[S_DICT_COUNT];
    const uint64_t *hashes = ARR(r, A_DICT_HASH, uint64_t);
    const uint32_t *ids = ARR(r, A_DICT_ID, uint32_t);
    const uint32_t *woff = ARR(r, A_WORD_OFF, uint32_t);
    uint64_t chars = r->n[A_CHARS];
    /* a probe ends at an empty slot: there must be one */
    if ((cap && (!is_pow2(cap) || count >= cap)) || r->n[A_DICT_ID] != cap ||
        r->n[A_WORD_OFF] != count + 1 || !chars ||
        ARR(r, A_CHARS, char)[chars - 1])
        return CORRUPT(r, "dictionary");
    uint64_t used = 0;
    for (uint64_t i = 0; i < cap; i++)
        if (hashes[i]) {
            used++;
            if (!ids[i] || ids[i] > count)
                return CORRUPT(r, "dictionary slot");
        }
    if (used != count)
        return CORRUPT(r, "dictionary count");
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
    const uint64_t *keys = ARR(r, A_SH_KEY, uint64_t);
    const uint32_t *head = ARR(r, A_SH_HEAD, uint32_t);
    if ((shcap && !is_pow2(shcap)) || r->n[A_SH_HEAD] != shcap)
        return CORRUPT(r, "shingle index");
    uint64_t npost = r->n[A_POST];
    byte_sum bk, bh, bp;
    byte_sum_init(&bk);
    byte_sum_init(&bh);
    byte_sum_init(&bp);
    for (uint64_t j = 0; j < shcap; j++) {
        if (j % SUM_BLOCK == 0 && r->check_sum) {
            sum_block(&bk, keys, 8, j, shcap);
            sum_block(&bh, head, 4, j, shcap);
        }
        sh_used += keys[j] != 0;
        if (head[j] > npost || (head[j] && !keys[j]))
            return CORRUPT(r, "shingle index slot");
    }
    if (sh_used != sc[S_SH_COUNT] || (shcap && sh_used >= shcap))
        return CORRUPT(r, "shingle count");
    /* a list runs forward through the array: it ends */
    const ls_posting *post = ARR(r, A_POST, ls_posting);
    for (uint64_t i = 0; i < npost; i++) {
        if (i % SUM_BLOCK == 0 && r->check_sum)
            sum_block(&bp, post, sizeof *post, i, npost);
        if ((post[i].next && post[i].next != i + 2) || post[i].tpl >= ntpl ||
            (uint64_t)post[i].pos + LS_SHINGLE > ft[post[i].tpl].ntok)
            return CORRUPT(r, "posting");
    }
    if (r->check_sum && (sum_finish(bk.h, 5, bk.n) != r->sum[A_SH_KEY] ||
                         sum_finish(bh.h, 5, bh.n) != r->sum[A_SH_HEAD] ||
                         sum_finish(bp.h, 5, bp.n) != r->sum[A_POST]))
        return bad(r, "corrupted database file: checksum mismatch");
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

/* One template: strings, tokens in order inside its source, vars sorted
 * inside its words with known patterns, required words counted. */
static int check_template(reader *r, const dbf_template *t)
{
    for (int k = 0; k < 9; k++)
        if (!str_ok(r, t->str[k], k != 0 && k != 6))
            return CORRUPT(r, "template metadata");
    if (t->ref > r->n[A_REF] || t->nref > r->n[A_REF] - t->ref)
        return CORRUPT(r, "template references");
    for (uint32_t k = 0; k < t->nref; k++)
        if (!str_ok(r, ARR(r, A_REF, uint32_t)[t->ref + k], false))
            return CORRUPT(r, "template references");
    if (!str_ok(r, t->source, false) ||
        t->source_len > r->n[A_STRINGS] - t->source - 1 ||
        ARR(r, A_STRINGS, char)[t->source + t->source_len])
        return CORRUPT(r, "template source");
    if (!t->ntok || t->tok > r->n[A_TOKEN] ||
        t->ntok > r->n[A_TOKEN] - t->tok || r->n[A_OPTIONAL] != r->n[A_TOKEN])
        return CORRUPT(r, "template words");
    const ls_token *tok = ARR(r, A_TOKEN, ls_token) + t->tok;
    const uint8_t *opt = ARR(r, A_OPTIONAL, uint8_t) + t->tok;
    uint32_t count = ARR(r, A_SCALARS, uint32_t)[S_DICT_COUNT], req = 0;
    /* the words of templates in turn follow each other in the array:
     * summed as they are checked, while they are in the cache */
    bool in_turn = r->tsum.n == t->tok;
    for (uint32_t k = 0; k < t->ntok; k++) {
        /* (the words an equivalence makes of one share its span) */
        if (tok[k].id > count || tok[k].start > tok[k].end ||
            tok[k].end > t->source_len ||
            (k && tok[k].start < tok[k - 1].start) || opt[k] > 1)
            return CORRUPT(r, "template word");
        req += !opt[k];
        if (in_turn)
            token_sum_add(&r->tsum, &tok[k]);
    }
    if (req != t->nrequired || !req)
        return CORRUPT(r, "template required words");
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

static int check_all(reader *r)
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
    if (r->check_sum) {
        const ls_token *tok = ARR(r, A_TOKEN, ls_token);
        uint64_t sum = r->tsum.n == r->n[A_TOKEN]
                           ? sum_finish(r->tsum.h, 2, r->tsum.n)
                           : token_checksum(tok, r->n[A_TOKEN]);
        if (sum != r->sum[A_TOKEN])
            return bad(r, "corrupted database file: checksum mismatch");
    }
    return check_index(r, (uint32_t)r->n[A_TEMPLATE], ft);
}

/* The frozen image the arrays make, with the pointer arrays it needs
 * (allocated; *refs, *vars and *patterns freed by the caller, *phr kept
 * by the database). */
static int make_image(const reader *r, const ls_alloc *a, ls_frozen_image *img,
                      ls_frozen_template **tpls, ls_frozen_var **vars,
                      const char ***strs, uint32_t **plen, ls_phrase **phr)
{
    uint32_t ntpl = (uint32_t)r->n[A_TEMPLATE], nvar = (uint32_t)r->n[A_VAR];
    uint32_t npat = (uint32_t)r->n[A_PATTERN], nref = (uint32_t)r->n[A_REF];
    uint32_t nphr = (uint32_t)r->n[A_PHRASE];
    *tpls = ls_calloc(a, ntpl + 1, sizeof(**tpls));
    *vars = ls_calloc(a, nvar + 1, sizeof(**vars));
    *strs = ls_calloc(a, (size_t)npat + nref + 1, sizeof(char *));
    *plen = ls_calloc(a, npat + 1, sizeof(uint32_t));
    *phr = ls_calloc(a, nphr + 1, sizeof(ls_phrase));
    if (!*tpls || !*vars || !*strs || !*plen || !*phr)
        return LICSCAN_ENOMEM;
    const dbf_span *pat = ARR(r, A_PATTERN, dbf_span);
    for (uint32_t i = 0; i < npat; i++) {
        (*strs)[i] = str_at(r, pat[i].off);
        (*plen)[i] = pat[i].len;
    }
    const char **refs = *strs + npat;
    for (uint32_t i = 0; i < nref; i++)
        refs[i] = str_at(r, ARR(r, A_REF, uint32_t)[i]);
    const dbf_var *fv = ARR(r, A_VAR, dbf_var);
    for (uint32_t i = 0; i < nvar; i++)
        (*vars)[i] =
            (ls_frozen_var){ fv[i].gap, fv[i].optional, fv[i].pattern,
                             str_at(r, fv[i].name), str_at(r, fv[i].original) };
    const dbf_template *ft = ARR(r, A_TEMPLATE, dbf_template);
    for (uint32_t i = 0; i < ntpl; i++) {
        const dbf_template *t = &ft[i];
        ls_frozen_template *f = &(*tpls)[i];
        f->id = str_at(r, t->str[0]);
        f->name = str_at(r, t->str[1]);
        f->version = str_at(r, t->str[2]);
        f->family = str_at(r, t->str[3]);
        f->kind = str_at(r, t->str[4]);
        f->url = str_at(r, t->str[5]);
        f->spdx = str_at(r, t->str[6]);
        f->hf = str_at(r, t->str[7]);
        f->scancode = str_at(r, t->str[8]);
        f->osi = t->osi;
        f->references = refs + t->ref;
        f->nreferences = t->nref;
        f->source = str_at(r, t->source);
        f->source_len = t->source_len;
        f->tok = ARR(r, A_TOKEN, ls_token) + t->tok;
        f->optional = ARR(r, A_OPTIONAL, uint8_t) + t->tok;
        f->ntok = t->ntok;
        f->nrequired = t->nrequired;
        f->nshingles = t->nshingles;
        f->vars = *vars + t->var;
        f->nvars = t->nvar;
    }
    const dbf_phrase *fp = ARR(r, A_PHRASE, dbf_phrase);
    for (uint32_t i = 0; i < nphr; i++)
        (*phr)[i] =
            (ls_phrase){ fp[i].tpl, fp[i].len,
                         (uint32_t *)ARR(r, A_PHRASE_ID, uint32_t) + fp[i].ids,
                         fp[i].next };
    const uint32_t *sc = ARR(r, A_SCALARS, uint32_t);
    *img = (ls_frozen_image){
        .ntpl = ntpl,
        .tpl = *tpls,
        .npatterns = npat,
        .patterns = *strs,
        .pattern_len = *plen,
        .dict_hashes = ARR(r, A_DICT_HASH, uint64_t),
        .dict_ids = ARR(r, A_DICT_ID, uint32_t),
        .dict_cap = (uint32_t)r->n[A_DICT_HASH],
        .dict_count = sc[S_DICT_COUNT],
        .word_off = ARR(r, A_WORD_OFF, uint32_t),
        .chars = ARR(r, A_CHARS, char),
        .chars_len = (uint32_t)r->n[A_CHARS] - 1,
        .equiv = ARR(r, A_EQUIV, ls_equiv),
        .nequiv = (uint32_t)r->n[A_EQUIV],
        .equiv_index = ARR(r, A_EQUIV_INDEX, uint32_t),
        .equiv_index_cap = (uint32_t)r->n[A_EQUIV_INDEX],
        .sh_keys = ARR(r, A_SH_KEY, uint64_t),
        .sh_head = ARR(r, A_SH_HEAD, uint32_t),
        .sh_cap = (uint32_t)r->n[A_SH_KEY],
        .sh_count = sc[S_SH_COUNT],
        .post = ARR(r, A_POST, ls_posting),
        .npost = (uint32_t)r->n[A_POST],
        .phr = *phr,
        .nphr = nphr,
        .phr_head = ARR(r, A_PHR_HEAD, uint32_t),
        .phr_head_cap = (uint32_t)r->n[A_PHR_HEAD],
    };
    return LICSCAN_OK;
}

/* The rules, parsed again in their order; the clause memo of the
 * embedded set when the first rule files are the embedded ones (its
 * answers depend on the rules and a clause's text alone). */
static int add_rules(licscan_db *db, reader *r)
{
    const dbf_rules *ru = ARR(r, A_RULES, dbf_rules);
    uint64_t h = ls_embedded_rule_count;
    uint32_t nemb = 0;
    for (uint64_t i = 0; i < r->n[A_RULES]; i++) {
        const char *text = str_at(r, ru[i].text);
        if (i < ls_embedded_rule_count)
            h = ls_mix64(h ^ ls_hash_bytes(text, ru[i].len));
        int rc = ls_rules_add(db, text, ru[i].len, str_at(r, ru[i].source));
        if (rc == LICSCAN_ERULE)
            return bad(r, "corrupted database file: rules: %s", db->err.msg);
        if (rc)
            return rc;
        if (i + 1 == ls_embedded_rule_count)
            nemb = db->rules.n;
    }
    const ls_clause_memo *m = &ls_frozen.memo;
    if (ls_frozen.ntpl && m->nclause &&
        r->n[A_RULES] >= ls_embedded_rule_count &&
        h == ls_embedded_rules_hash() && m->nrules == nemb &&
        db->opts.regex_match_limit >= m->match_limit &&
        db->opts.regex_heap_limit_kib >= m->heap_limit_kib)
        db->memo = m;
    return LICSCAN_OK;
}

int ls_db_open_image(const void *data, size_t len, bool check_sum, void *unmap,
                     size_t map_len, const licscan_db_options *opts,
                     licscan_db **out, char *err, size_t errlen)
{
    if (errlen)
        err[0] = 0;
    reader r = { .base = data, .size = len, .err = err, .errlen = errlen };
    int rc = read_layout(&r, check_sum);
    if (!rc)
        rc = check_all(&r);
    licscan_db *db = NULL;
    if (!rc)
        rc = ls_db_new(opts, false, &db);
    if (rc) {
        if (unmap)
            munmap(unmap, map_len);
        return rc;
    }
    const ls_alloc *a = &db->alloc;
    db->file = ls_calloc(a, 1, sizeof(*db->file));
    if (!db->file) {
        if (unmap)
            munmap(unmap, map_len);
        licscan_db_free(db);
        return LICSCAN_ENOMEM;
    }
    db->file->map = unmap;
    db->file->map_len = map_len;
    ls_frozen_image img;
    ls_frozen_template *tpls = NULL;
    ls_frozen_var *vars = NULL;
    const char **strs = NULL;
    uint32_t *plen = NULL;
    rc = make_image(&r, a, &img, &tpls, &vars, &strs, &plen, &db->file->phr);
    if (!rc) {
        rc = ls_db_load_frozen(db, &img);
        if (rc == LICSCAN_EINTERNAL) /* a var pattern that does not compile */
            rc = CORRUPT(&r, "var pattern");
    }
    const dbf_template *ft = ARR(&r, A_TEMPLATE, dbf_template);
    for (uint32_t i = 0; !rc && i < db->ntpl; i++)
        db->tpl[i]->replaced = ft[i].replaced != 0;
    if (!rc)
        ls_find_twins(db);
    ls_free(a, tpls);
    ls_free(a, vars);
    ls_free(a, strs);
    ls_free(a, plen);
    if (!rc)
        rc = add_rules(db, &r);
    if (rc) {
        if (rc == LICSCAN_ENOMEM && errlen)
            snprintf(err, errlen, "out of memory");
        licscan_db_free(db);
        return rc;
    }
    *out = db;
    return LICSCAN_OK;
}

static int open_file(const char *path, const licscan_db_options *opts,
                     licscan_db **out, char *err, size_t errlen)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!path || !*path)
        return LICSCAN_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return LICSCAN_EIO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 1) {
        close(fd);
        if (errlen)
            snprintf(err, errlen, "%s: %s", path,
                     S_ISREG(st.st_mode) ? "empty file, not a database"
                                         : "not a regular file");
        return S_ISREG(st.st_mode) ? LICSCAN_EFORMAT : LICSCAN_EIO;
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    int e = errno;
    close(fd);
    if (map == MAP_FAILED) {
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOMEM ? LICSCAN_ENOMEM : LICSCAN_EIO;
    }
    char msg[400];
    int rc =
        ls_db_open_image(map, len, true, map, len, opts, out, msg, sizeof msg);
    if (rc && errlen)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

int licscan_db_open_file(const char *path, const licscan_db_options *opts,
                         licscan_db **out)
{
    return open_file(path, opts, out, NULL, 0);
}

int licscan_db_file_error(const char *path, const licscan_db_options *opts,
                          char *msg, size_t cap)
{
    licscan_db *db = NULL;
    char own[1];
    int rc = open_file(path, opts, &db, cap ? msg : own, cap ? cap : 0);
    licscan_db_free(db);
    if (!rc && cap)
        msg[0] = 0;
    return rc;
}
