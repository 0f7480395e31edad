/* util.c -- allocation through the database's hook, arenas, buffers,
 * hashing and the word dictionary. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *std_malloc(size_t n, void *u)
{
    (void)u;
    return malloc(n);
}
static void *std_realloc(void *p, size_t n, void *u)
{
    (void)u;
    return realloc(p, n);
}
static void std_free(void *p, void *u)
{
    (void)u;
    free(p);
}

void ls_alloc_default(ls_alloc *a)
{
    a->malloc_fn = std_malloc;
    a->realloc_fn = std_realloc;
    a->free_fn = std_free;
    a->user = NULL;
}

void *ls_malloc(const ls_alloc *a, size_t n)
{
    return a->malloc_fn(n ? n : 1, a->user);
}

void *ls_calloc(const ls_alloc *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = ls_malloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *ls_realloc(const ls_alloc *a, void *p, size_t old_size, size_t new_size)
{
    if (!p)
        return ls_malloc(a, new_size);
    if (a->realloc_fn)
        return a->realloc_fn(p, new_size ? new_size : 1, a->user);
    void *q = ls_malloc(a, new_size);
    if (!q)
        return NULL;
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    a->free_fn(p, a->user);
    return q;
}

void ls_free(const ls_alloc *a, void *p)
{
    if (p)
        a->free_fn(p, a->user);
}

char *ls_strndup(const ls_alloc *a, const char *s, size_t n)
{
    char *d = ls_malloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

int ls_grow(const ls_alloc *a, void **arr, uint32_t *cap, uint32_t need,
            size_t elem)
{
    if (need <= *cap)
        return LICSCAN_OK;
    uint64_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX || ncap * elem > SIZE_MAX / 2)
        return LICSCAN_ENOMEM;
    void *p = ls_realloc(a, *arr, (size_t)*cap * elem, (size_t)ncap * elem);
    if (!p)
        return LICSCAN_ENOMEM;
    *arr = p;
    *cap = (uint32_t)ncap;
    return LICSCAN_OK;
}

/* ---------- arena ---------- */

struct ls_arena_chunk {
    ls_arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

void ls_arena_init(ls_arena *ar, const ls_alloc *a)
{
    ar->alloc = a;
    ar->head = NULL;
}

void *ls_arena_alloc(ls_arena *ar, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ls_arena_chunk *c = ar->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > 16384 ? n : 16384;
        c = ls_malloc(ar->alloc, sizeof(*c) + size);
        if (!c)
            return NULL;
        c->next = ar->head;
        c->used = 0;
        c->size = size;
        ar->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *ls_arena_strndup(ls_arena *ar, const char *s, size_t n)
{
    char *d = ls_arena_alloc(ar, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

void ls_arena_free(ls_arena *ar)
{
    ls_arena_chunk *c = ar->head;
    while (c) {
        ls_arena_chunk *n = c->next;
        ls_free(ar->alloc, c);
        c = n;
    }
    ar->head = NULL;
}

/* ---------- buffer ---------- */

void ls_buf_init(ls_buf *b, const ls_alloc *a)
{
    memset(b, 0, sizeof(*b));
    b->alloc = a;
}

int ls_buf_reserve(ls_buf *b, size_t n)
{
    if (b->failed)
        return LICSCAN_ENOMEM;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *p = ls_realloc(b->alloc, b->data, b->cap, ncap);
        if (!p) {
            b->failed = true;
            return LICSCAN_ENOMEM;
        }
        b->data = p;
        b->cap = ncap;
    }
    return LICSCAN_OK;
}

void ls_buf_append(ls_buf *b, const char *s, size_t n)
{
    if (ls_buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void ls_buf_puts(ls_buf *b, const char *s) { ls_buf_append(b, s, strlen(s)); }

void ls_buf_putc(ls_buf *b, char c) { ls_buf_append(b, &c, 1); }

void ls_buf_free(ls_buf *b)
{
    ls_free(b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---------- options structs ---------- */

int ls_options_read(void *own, size_t own_size, const void *in, size_t v1)
{
    uint32_t size;
    memcpy(&size, in, sizeof(size)); /* struct_size comes first */
    if (size < v1)
        return LICSCAN_EINVAL;
    if (size > own_size) { /* a newer header: its new fields must be 0 */
        const unsigned char *p = in;
        for (size_t i = own_size; i < size; i++)
            if (p[i])
                return LICSCAN_EINVAL;
        size = (uint32_t)own_size;
    }
    memcpy(own, in, size);
    memcpy(own, &size, sizeof(size));
    return LICSCAN_OK;
}

/* ---------- text ---------- */

size_t ls_collapse_spaces(char *out, const char *in, size_t n)
{
    size_t o = 0;
    bool space = false;
    for (size_t k = 0; k < n; k++) {
        char c = in[k];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = c;
    }
    return o;
}

/* ---------- hashing ---------- */

/* Eight bytes at a time, multiply-xorshift; never returns 0. The last
 * partial chunk counts as zero-padded, so ls_hash_padded agrees. */
static inline uint64_t hash_finish(uint64_t h)
{
    h = ls_mix64(h);
    return h ? h : 1;
}

uint64_t ls_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        memcpy(&v, s, n);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    return hash_finish(h);
}

/* ---------- dictionary ---------- */

void ls_dict_init(ls_dict *d, const ls_alloc *a)
{
    memset(d, 0, sizeof(*d));
    d->alloc = a;
    ls_buf_init(&d->chars, a);
}

void ls_dict_free(ls_dict *d)
{
    ls_free(d->alloc, d->hashes);
    ls_free(d->alloc, d->ids);
    ls_free(d->alloc, d->word_off);
    ls_buf_free(&d->chars);
    memset(d, 0, sizeof(*d));
}

static bool dict_equal(const ls_dict *d, uint32_t id, const char *w, size_t n)
{
    const char *s = d->chars.data + d->word_off[id];
    return memcmp(s, w, n) == 0 && s[n] == 0;
}

uint32_t ls_dict_find_hashed(const ls_dict *d, const char *w, size_t n,
                             uint64_t h)
{
    if (!d->cap)
        return LS_TOKEN_UNKNOWN;
    uint32_t mask = d->cap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        if (d->hashes[i] == 0)
            return LS_TOKEN_UNKNOWN;
        if (d->hashes[i] == h && dict_equal(d, d->ids[i], w, n))
            return d->ids[i];
    }
}

uint32_t ls_dict_find(const ls_dict *d, const char *w, size_t n)
{
    return ls_dict_find_hashed(d, w, n, ls_hash_bytes(w, n));
}

static int dict_rehash(ls_dict *d, uint32_t ncap)
{
    uint64_t *nh = ls_calloc(d->alloc, ncap, sizeof(*nh));
    uint32_t *ni = ls_calloc(d->alloc, ncap, sizeof(*ni));
    if (!nh || !ni) {
        ls_free(d->alloc, nh);
        ls_free(d->alloc, ni);
        return LICSCAN_ENOMEM;
    }
    for (uint32_t i = 0; i < d->cap; i++) {
        if (!d->hashes[i])
            continue;
        uint32_t j = (uint32_t)d->hashes[i] & (ncap - 1);
        while (nh[j])
            j = (j + 1) & (ncap - 1);
        nh[j] = d->hashes[i];
        ni[j] = d->ids[i];
    }
    ls_free(d->alloc, d->hashes);
    ls_free(d->alloc, d->ids);
    d->hashes = nh;
    d->ids = ni;
    d->cap = ncap;
    return LICSCAN_OK;
}

uint32_t ls_dict_intern(ls_dict *d, const char *w, size_t n)
{
    return ls_dict_intern_hashed(d, w, n, ls_hash_bytes(w, n));
}

static uint32_t dict_add(ls_dict *d, const char *w, size_t n, uint64_t h);

uint32_t ls_dict_intern_hashed(ls_dict *d, const char *w, size_t n, uint64_t h)
{
    uint32_t id = ls_dict_find_hashed(d, w, n, h);
    return id ? id : dict_add(d, w, n, h);
}

uint32_t ls_dict_intern_padded(ls_dict *d, const char *w, size_t n, uint64_t h)
{
    uint32_t id = ls_dict_find_padded(d, w, n, h);
    return id ? id : dict_add(d, w, n, h);
}

/* Add a word known to be absent; 0 on allocation failure. */
static uint32_t dict_add(ls_dict *d, const char *w, size_t n, uint64_t h)
{
    uint32_t id;
    if ((d->count + 1) * 2 >= d->cap &&
        dict_rehash(d, d->cap ? d->cap * 2 : 1024))
        return 0;
    if (LS_GROW(d->alloc, d->word_off, d->word_cap, d->count + 2))
        return 0;
    if (d->chars.len == 0) {
        ls_buf_putc(&d->chars, 0); /* offset 0 is the unknown word "" */
        d->word_off[0] = 0;
    }
    size_t off = d->chars.len;
    ls_buf_append(&d->chars, w, n);
    ls_buf_putc(&d->chars, 0);
    if (d->chars.failed || off > UINT32_MAX)
        return 0;
    id = d->count + 1;
    d->word_off[id] = (uint32_t)off;
    uint32_t mask = d->cap - 1;
    uint32_t i = (uint32_t)h & mask;
    while (d->hashes[i])
        i = (i + 1) & mask;
    d->hashes[i] = h;
    d->ids[i] = id;
    d->count++;
    return id;
}

const char *ls_dict_word(const ls_dict *d, uint32_t id)
{
    if (id == 0 || id > d->count)
        return "";
    return d->chars.data + d->word_off[id];
}
