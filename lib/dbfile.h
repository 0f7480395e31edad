/* dbfile.h -- the format of a compiled database file and its checksums,
 * shared by the writer (dbfile_write.c) and the reader (dbfile.c). Not
 * installed. */
#ifndef LICSCAN_DBFILE_H
#define LICSCAN_DBFILE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define DBF_MAGIC "LICSCNDB"
#define DBF_VERSION 2u /* 2: the clause memo */
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
    /* the clause memo of every template (ls_clause_memo's arrays) */
    A_MEMO_CLAUSE, /* ls_memo_clause */
    A_MEMO_SLOT,   /* uint32_t */
    A_MEMO_TEXT,   /* char */
    A_MEMO_FIRED,  /* ls_memo_fired */
    A_MEMO_CONTEXT, /* uint32_t */
    A_COUNT
};

/* The memo's: the rules it was built with (their count and dbf_rules_hash)
 * and the PCRE2 limits it was built under. */
enum {
    S_DICT_COUNT,
    S_SH_COUNT,
    S_MEMO_NRULES,
    S_MEMO_RULES_HASH_LO,
    S_MEMO_RULES_HASH_HI,
    S_MEMO_MATCH_LIMIT,
    S_MEMO_HEAP_LIMIT,
    S_COUNT
};

_Static_assert(sizeof(ls_memo_clause) == 32 && sizeof(ls_memo_fired) == 32,
               "memo entries are written as they are, with no padding");

/* The hash of a file's rule texts, in order: the memo is valid for the
 * rules parsed from them. */
static inline uint64_t dbf_rules_hash_step(uint64_t h, const char *t, size_t n)
{
    return ls_mix64(h ^ ls_hash_bytes(t, n));
}

#define NO_STRING UINT32_MAX

typedef struct dbf_template {
    uint32_t str[9]; /* id, name, version, family, kind, url, spdx, hf,
                        scancode: offsets in A_STRINGS, or NO_STRING */
    uint32_t flags, replaced; /* flags: ls_license_flags */
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

static inline uint64_t sum_finish(const uint64_t *h, int lanes, uint64_t n)
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

static inline void byte_sum_init(byte_sum *b)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    *b = (byte_sum){ { k, k ^ 1, k ^ 2, k ^ 3, 0 }, 0 };
}

static inline void byte_sum_feed(byte_sum *b, const unsigned char *p, size_t n)
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

static inline uint64_t checksum(const unsigned char *p, size_t n)
{
    byte_sum b;
    byte_sum_init(&b);
    byte_sum_feed(&b, p, n);
    return sum_finish(b.h, 5, b.n);
}

/* Arrays checked element by element sum their elements in the same pass,
 * a block at a time (a multiple of 32 bytes), while it is in the cache. */
#define SUM_BLOCK 3072 /* elements: a multiple of 32 bytes for 4, 8 and 12 */

static inline void sum_block(byte_sum *b, const void *arr, size_t elem,
                             uint64_t from, uint64_t n)
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

static inline uint64_t token_checksum(const ls_token *tok, size_t n)
{
    token_sum t = { { 1, 2 }, 0 };
    for (size_t i = 0; i < n; i++)
        token_sum_add(&t, &tok[i]);
    return sum_finish(t.h, 2, t.n);
}

#endif
