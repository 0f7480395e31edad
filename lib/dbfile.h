/* dbfile.h -- the format of a compiled database file and its checksums,
 * shared by the writer (dbfile_write.c) and the reader (dbfile.c). Not
 * installed. */
#ifndef LICSCAN_DBFILE_H
#define LICSCAN_DBFILE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define DBF_MAGIC "LICSCNDB"
/* 2: the clause memo; 3: 16-lane checksums; 4: the rivals of each
 * template; 5: the words each rival shares; 6: the list each template
 * word's shingle leads to; 7: the answers for the templates' own texts;
 * 8: the templates' sources apart, each template's words summed on their
 * own (checked when a scan first reads them), their twins */
#define DBF_VERSION 8u
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
    uint64_t sum; /* checksum of its bytes */
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
    A_MEMO_CLAUSE,  /* ls_memo_clause */
    A_MEMO_SLOT,    /* uint32_t */
    A_MEMO_TEXT,    /* char */
    A_MEMO_FIRED,   /* ls_memo_fired */
    A_MEMO_CONTEXT, /* uint32_t */
    /* the rivals of each template (ls_rivals): ntpl + 1 offsets, the
     * template indices they point into, and per rival the words shared */
    A_RIVAL_OFF,    /* uint32_t */
    A_RIVAL,        /* uint32_t */
    A_RIVAL_SHARED, /* uint32_t */
    A_WORD_HEAD,    /* uint32_t: ls_template.heads, beside A_TOKEN */
    A_WHOLE_ANSWER, /* ls_whole_answer, by (ntok, key); only with rivals */
    A_SOURCE,       /* char: the templates' sources in turn, each with a NUL */
    A_WORDS_SUM,    /* uint64_t: per template, the sum of its words (below) */
    A_TWIN,         /* uint32_t: per template, its twin (ls_template.twin) */
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
_Static_assert(sizeof(ls_whole_answer) == 40,
               "answers are written as they are, with no padding");

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

/* The size of an element of each array. */
static const uint32_t dbf_elem[A_COUNT] = {
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
    [A_MEMO_CLAUSE] = sizeof(ls_memo_clause),
    [A_MEMO_SLOT] = 4,
    [A_MEMO_TEXT] = 1,
    [A_MEMO_FIRED] = sizeof(ls_memo_fired),
    [A_MEMO_CONTEXT] = 4,
    [A_RIVAL_OFF] = 4,
    [A_RIVAL] = 4,
    [A_RIVAL_SHARED] = 4,
    [A_WORD_HEAD] = 4,
    [A_WHOLE_ANSWER] = sizeof(ls_whole_answer),
    [A_SOURCE] = 1,
    [A_WORDS_SUM] = 8,
    [A_TWIN] = 4,
};

/* A template's words: its slices of A_TOKEN, A_OPTIONAL and A_WORD_HEAD
 * and its source with the NUL after it, which the templates lay in turn
 * in those arrays. The open checks where they lie; their values are
 * checked, and summed (A_WORDS_SUM), the first time a scan reads them
 * (ls_dbf_check_words): the open of the SPDX list reads a third of the
 * file, and a scan reads only the templates it meets. The directory's sum
 * of these four arrays is 0. */
static inline bool dbf_summed_per_template(int id)
{
    return id == A_TOKEN || id == A_OPTIONAL || id == A_WORD_HEAD ||
           id == A_SOURCE;
}

/* Checksums: 16 lanes of add-and-rotate over the bytes read as 64-bit
 * words, 128 bytes a step (each step a bijection of its lane, so a change
 * to one word always changes the sum), mixed at the end. The lanes are
 * four AVX2 registers where the CPU has them and a loop of the same
 * operations where not: one sum either way, bound by memory. */
#define DBF_SUM_LANES 16
#define DBF_SUM_STEP (8 * DBF_SUM_LANES)

/* The sum of bytes fed in pieces of a multiple of DBF_SUM_STEP bytes but
 * the last: the same as of the whole at once (the last piece's tail is
 * summed as a step padded with zeros; the count of bytes tells it). */
typedef struct dbf_sum {
    uint64_t h[DBF_SUM_LANES];
    uint64_t n;
} dbf_sum;

/* wide: the AVX2 loop (only where ls_dbf_wide() says it runs) */
LS_HIDDEN bool ls_dbf_wide(void);
LS_HIDDEN void ls_dbf_sum_init(dbf_sum *s);
LS_HIDDEN void ls_dbf_sum_feed(dbf_sum *s, const void *p, size_t n, bool wide);
LS_HIDDEN uint64_t ls_dbf_sum_end(const dbf_sum *s);
LS_HIDDEN uint64_t ls_dbf_checksum(const void *p, size_t n, bool wide);

/* The sum of a template's words (dbf_summed_per_template): its words,
 * their optional flags and heads, n of each, and its source of len bytes
 * with the NUL after it. */
LS_HIDDEN uint64_t ls_dbf_words_sum(const ls_token *tok, const uint8_t *opt,
                                    const uint32_t *heads, uint32_t n,
                                    const char *source, uint32_t len,
                                    bool wide);

/* The required words of a template's words tok[0, n) (n minus the
 * optional ones), UINT32_MAX when one is bad: an id above most, a span
 * not inside [0, len], starts out of order, an optional flag not 0 or 1.
 * The same answer either way. */
LS_HIDDEN uint32_t ls_dbf_words_ok(const ls_token *tok, const uint8_t *opt,
                                   uint32_t n, uint32_t most, uint32_t len,
                                   bool wide);

/* Shingle slots [from, to): a head at most npost, none in a slot with
 * no key; the keys counted into *used. */
LS_HIDDEN bool ls_dbf_slots_ok(const uint64_t *keys, const uint32_t *head,
                               uint64_t from, uint64_t to, uint64_t npost,
                               uint64_t *used, bool wide);
/* The largest of v[from, to), 0 for none. */
LS_HIDDEN uint32_t ls_dbf_most(const uint32_t *v, uint64_t from, uint64_t to,
                               bool wide);
/* Postings [from, to) of the array, post[0] the one at from: each list
 * runs forward through the array, a template in range and a shingle
 * inside its words. */
LS_HIDDEN bool ls_dbf_posts_ok(const ls_posting *post, uint64_t from,
                               uint64_t to, const dbf_template *ft,
                               uint32_t ntpl, bool wide);

/* ls_db_open_image with its loops chosen: how is DBF_CHECK_SUMS (verify
 * the checksums, as licscan_db_open_file does), DBF_PORTABLE (the
 * portable loops, not AVX2: the tests and the fuzz target compare) and,
 * for a file, DBF_SMALL_WINDOWS (its checks read it 4 KB at a time, so
 * that the tests meet arrays and templates across windows). */
enum { DBF_CHECK_SUMS = 1, DBF_PORTABLE = 2, DBF_SMALL_WINDOWS = 4 };
LS_HIDDEN int ls_dbf_open_image(const void *data, size_t len, unsigned how,
                                void *unmap, size_t map_len,
                                const licscan_db_options *opts,
                                licscan_db **out, char *err, size_t errlen);
/* The same for the file at path, mapped; err gets "path: why". */
LS_HIDDEN int ls_dbf_open_file(const char *path, unsigned how,
                               const licscan_db_options *opts, licscan_db **out,
                               char *err, size_t errlen);

/* Arrays checked element by element are summed in the same pass, a
 * block at a time (a multiple of DBF_SUM_STEP bytes), while it is in the
 * cache. */
#define SUM_BLOCK 3072 /* elements: a multiple of 128 bytes for 4, 8 and 12 */

#endif
