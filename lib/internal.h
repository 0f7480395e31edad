/* internal.h -- types shared by the library's modules. Not installed. */
#ifndef LICSCAN_INTERNAL_H
#define LICSCAN_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "licscan.h"

#define LS_HIDDEN __attribute__((visibility("hidden")))

/* ---------- ASCII classes ---------- */

/* Any ASCII whitespace, line ends included. */
static inline bool ls_is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}
/* Blank inside one line: space, tab, or the CR of a CR LF. */
static inline bool ls_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* ---------- allocation ---------- */

typedef struct ls_alloc {
    void *(*malloc_fn)(size_t, void *);
    void *(*realloc_fn)(void *, size_t, void *);
    void (*free_fn)(void *, void *);
    void *user;
} ls_alloc;

LS_HIDDEN void ls_alloc_default(ls_alloc *a);
LS_HIDDEN void *ls_malloc(const ls_alloc *a, size_t n);
LS_HIDDEN void *ls_calloc(const ls_alloc *a, size_t count, size_t size);
/* old_size is needed when the hook has no realloc. */
LS_HIDDEN void *ls_realloc(const ls_alloc *a, void *p, size_t old_size,
                           size_t new_size);
LS_HIDDEN void ls_free(const ls_alloc *a, void *p);
LS_HIDDEN char *ls_strndup(const ls_alloc *a, const char *s, size_t n);

/* Grow an array so it holds at least `need` elements (doubling). */
LS_HIDDEN int ls_grow(const ls_alloc *a, void **arr, uint32_t *cap,
                      uint32_t need, size_t elem);
/* The capacity test is inline: most calls have room already. */
#define LS_GROW(a, arr, cap, need)                                             \
    ((need) <= (cap)                                                           \
         ? LICSCAN_OK                                                          \
         : ls_grow((a), (void **)&(arr), &(cap), (need), sizeof(*(arr))))

/* The memory a scan works in (scratch.c): take one from the database's
 * pool, allocate the scan's temporary buffers through its allocator, and
 * give it back; the large blocks it freed serve the next scan. */
typedef struct ls_scratch ls_scratch;
#define LS_SCRATCH_POOL 8 /* scratches a database keeps */
LS_HIDDEN ls_scratch *ls_scratch_take(const licscan_db *db);
LS_HIDDEN const ls_alloc *ls_scratch_alloc(ls_scratch *sc);
LS_HIDDEN void ls_scratch_give_back(const licscan_db *db, ls_scratch *sc);
LS_HIDDEN void ls_scratch_pool_free(licscan_db *db);
/* The word cache kept with a scratch, for the scans that take it next. */
typedef struct ls_scan_words ls_scan_words;
LS_HIDDEN ls_scan_words *ls_scratch_words(ls_scratch *sc);
/* The table of the chain search's last hit per diagonal (match2_chains.c),
 * kept from scan to scan: its entries are checked before they are used,
 * so it is cleared only when it is made (allocated by the database's
 * allocator, freed with the scratch). */
typedef struct ls_diagonals {
    uint32_t *last;
    size_t cap;
} ls_diagonals;
LS_HIDDEN ls_diagonals *ls_scratch_diagonals(ls_scratch *sc);
/* Whether sc cuts small blocks from runs it keeps (not under ASan or
 * valgrind, nor with an allocator hook): for the tests. */
LS_HIDDEN bool ls_scratch_cuts_small(const ls_scratch *sc);

/* Read a caller's options struct `in` (struct_size first) into `own`
 * (own_size bytes, holding the defaults): only the bytes struct_size
 * covers, and none past own_size, which must then be zero; v1 is the
 * size of the struct's first version (licscan.h, "Options structs").
 * LICSCAN_OK or EINVAL. */
LS_HIDDEN int ls_options_read(void *own, size_t own_size, const void *in,
                              size_t v1);

/* Bump allocator for many small objects freed together. */
typedef struct ls_arena_chunk ls_arena_chunk;
typedef struct ls_arena {
    const ls_alloc *alloc;
    ls_arena_chunk *head;
} ls_arena;
LS_HIDDEN void ls_arena_init(ls_arena *ar, const ls_alloc *a);
LS_HIDDEN void *ls_arena_alloc(ls_arena *ar, size_t n);
LS_HIDDEN char *ls_arena_strndup(ls_arena *ar, const char *s, size_t n);
LS_HIDDEN void ls_arena_free(ls_arena *ar);

/* Growable byte buffer. */
typedef struct ls_buf {
    const ls_alloc *alloc;
    char *data;
    size_t len, cap;
    bool failed; /* an append ran out of memory */
} ls_buf;
LS_HIDDEN void ls_buf_init(ls_buf *b, const ls_alloc *a);
/* Room for n more bytes and a NUL; LICSCAN_OK, or ENOMEM (and failed). */
LS_HIDDEN int ls_buf_reserve(ls_buf *b, size_t n);
LS_HIDDEN void ls_buf_append(ls_buf *b, const char *s, size_t n);
LS_HIDDEN void ls_buf_puts(ls_buf *b, const char *s);
LS_HIDDEN void ls_buf_putc(ls_buf *b, char c);
LS_HIDDEN void ls_buf_free(ls_buf *b);

/* Copy in[0, n) to out with each run of spaces, tabs and line ends made
 * one space, none at either end (how a difference quotes template
 * wording); returns the length written, at most n. */
LS_HIDDEN size_t ls_collapse_spaces(char *out, const char *in, size_t n);

/* ---------- hashing ---------- */

LS_HIDDEN uint64_t ls_hash_bytes(const void *p, size_t n);
static inline uint64_t ls_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
/* The same hash, for a word followed by zero bytes up to a multiple of 8;
 * inline, as the tokenizer hashes every word. */
static inline uint64_t ls_hash_padded(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (size_t k = 0; k < n; k += 8) {
        uint64_t v;
        memcpy(&v, s + k, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    h = ls_mix64(h);
    return h ? h : 1;
}

/* ---------- decoding ---------- */

/* Input decoded to valid UTF-8. When the input needed conversion, `map`
 * gives for each text byte (and one past the end) the input offset. */
typedef struct ls_text {
    const char *text;
    size_t len;
    char *owned;   /* allocated text, or NULL when text is the input */
    uint32_t *map; /* NULL when text offsets are input offsets */
    uint32_t encoding;
    uint32_t flags; /* LICSCAN_INPUT_* */
} ls_text;

/* Length of the valid UTF-8 sequence at s (s < end), or 0 if invalid. */
LS_HIDDEN size_t ls_utf8_valid_len(const unsigned char *s,
                                   const unsigned char *end);
/* Offset of the first byte of s[0, n) that is not valid UTF-8 (or a NUL,
 * with stop_at_nul), or n: the one check of text that must be UTF-8
 * already (templates, rule files). */
LS_HIDDEN size_t ls_utf8_first_invalid(const char *s, size_t n,
                                       bool stop_at_nul);
LS_HIDDEN int ls_decode(const ls_alloc *a, const uint8_t *data, size_t len,
                        ls_text *out, char *err, size_t errlen);
LS_HIDDEN void ls_text_free(const ls_alloc *a, ls_text *t);
static inline uint64_t ls_text_input_offset(const ls_text *t, size_t off)
{
    return t->map ? t->map[off] : off;
}

/* ---------- dictionary and tokens ---------- */

#define LS_TOKEN_UNKNOWN 0u /* a word no template uses */
#define LS_MAX_WORD 96      /* longer runs of letters are one unknown token */

typedef struct ls_dict {
    const ls_alloc *alloc;
    uint64_t *hashes; /* open addressing; 0 = empty slot */
    uint32_t *ids;
    uint32_t cap;       /* power of two */
    uint32_t count;     /* words; ids run 1..count */
    uint32_t *word_off; /* id -> offset into chars */
    uint32_t word_cap;
    ls_buf chars; /* NUL-separated words */
} ls_dict;

LS_HIDDEN void ls_dict_init(ls_dict *d, const ls_alloc *a);
LS_HIDDEN void ls_dict_free(ls_dict *d);
/* Find a word; LS_TOKEN_UNKNOWN when absent. */
LS_HIDDEN uint32_t ls_dict_find(const ls_dict *d, const char *w, size_t n);
/* Find or add; 0 on allocation failure. */
LS_HIDDEN uint32_t ls_dict_intern(ls_dict *d, const char *w, size_t n);
/* The same with the word's ls_hash_bytes() already known. */
LS_HIDDEN uint32_t ls_dict_find_hashed(const ls_dict *d, const char *w,
                                       size_t n, uint64_t h);
LS_HIDDEN uint32_t ls_dict_intern_hashed(ls_dict *d, const char *w, size_t n,
                                         uint64_t h);
/* Find or add a word w[0..n) with no NUL byte that is followed by at least
 * 8 zero bytes (the tokenizer's word buffer), h = ls_hash_padded(w, n).
 * Inline: the tokenizer looks up every word. Bytes 0..n of w and of a
 * dictionary word agree exactly when the words do (w[n] is 0); they are
 * compared eight at a time while the reads stay inside the character
 * buffer, the last chunk masked to the bytes up to n. */
static inline bool ls_dict_equal_padded(const ls_dict *d, uint32_t id,
                                        const char *w, size_t n)
{
    size_t off = d->word_off[id];
    const char *s = d->chars.data + off;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (off + n + 8 <= d->chars.len) {
        size_t k = 0;
        uint64_t a, b;
        for (; k + 8 <= n; k += 8) {
            memcpy(&a, s + k, 8);
            memcpy(&b, w + k, 8);
            if (a != b)
                return false;
        }
        memcpy(&a, s + k, 8);
        memcpy(&b, w + k, 8);
        size_t r = n - k + 1; /* 1..8 bytes left, the terminator included */
        uint64_t mask = ~(uint64_t)0 >> (64 - 8 * r);
        return ((a ^ b) & mask) == 0;
    }
#endif
    for (size_t i = 0; i <= n; i++) /* stops at s's terminator */
        if (s[i] != w[i])
            return false;
    return true;
}

static inline uint32_t ls_dict_find_padded(const ls_dict *d, const char *w,
                                           size_t n, uint64_t h)
{
    if (!d->cap)
        return LS_TOKEN_UNKNOWN;
    uint32_t mask = d->cap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint64_t hi = d->hashes[i];
        if (hi == h && ls_dict_equal_padded(d, d->ids[i], w, n))
            return d->ids[i];
        if (hi == 0)
            return LS_TOKEN_UNKNOWN;
    }
}

LS_HIDDEN uint32_t ls_dict_intern_padded(ls_dict *d, const char *w, size_t n,
                                         uint64_t h);
LS_HIDDEN const char *ls_dict_word(const ls_dict *d, uint32_t id);

/* Spelling equivalences: a word that stands for a sequence of words, or a
 * word that stands for another after a given word ("copyright owner"). */
typedef struct ls_equiv {
    uint32_t from;  /* word id */
    uint32_t after; /* only after this word id (0: anywhere) */
    uint32_t to[3]; /* replacement ids */
    uint32_t to_len;
} ls_equiv;

typedef struct ls_token {
    uint32_t id;
    uint32_t start, end; /* byte span in the tokenized text */
} ls_token;

typedef struct ls_tokens {
    const ls_alloc *alloc;
    ls_token *v;
    uint32_t n, cap;
    bool failed;
} ls_tokens;

/* Tokenizer state carried across chunks of one text. */
typedef struct ls_tokstate {
    bool line_start;
    bool intern;      /* add unknown words to the dictionary (templates) */
    uint32_t prev_id; /* last emitted word, for two-word equivalences */
    ls_scan_words *words; /* without intern: a cache kept from scan to scan,
                             or NULL for one of the call's own */
} ls_tokstate;

/* Ids of words of up to 16 bytes, keyed by the zero-padded word (never all
 * zero), direct-mapped: tokenize.c's shortcut past hashing and probing. */
#define LS_WORD_CACHE_BITS 10
typedef struct ls_word_cache {
    uint64_t key[1u << LS_WORD_CACHE_BITS][2]; /* bytes 0-7, 8-15 */
    uint32_t id[1u << LS_WORD_CACHE_BITS];
} ls_word_cache;

/* The word cache of scans, kept with a scratch (scratch.c): the texts a
 * program scans share most of their words. Between scans the dictionary
 * only grows, so the answers hold while it has as many words, in the
 * buffer the cache was filled from (count and chars: zero when new). */
#define LS_SCAN_WORDS_BITS 12
struct ls_scan_words {
    const char *chars;
    uint32_t count;
    uint64_t key[1u << LS_SCAN_WORDS_BITS][2]; /* as ls_word_cache's */
    uint32_t id[1u << LS_SCAN_WORDS_BITS];
};

typedef struct ls_lexicon {
    ls_dict dict;
    ls_equiv *equiv;
    uint32_t nequiv, equiv_cap;
    uint32_t *equiv_index; /* word id -> first equiv + 1 (0: none) */
    uint32_t equiv_index_cap;
    /* the word cache of tokenizing with intern (which has the lexicon to
     * itself), kept across calls as templates share their words; valid
     * while intern_cache_of is the dictionary's character buffer */
    const char *intern_cache_of;
    ls_word_cache intern_cache;
} ls_lexicon;

LS_HIDDEN void ls_lexicon_init(ls_lexicon *lx, const ls_alloc *a);
LS_HIDDEN void ls_lexicon_free(ls_lexicon *lx, const ls_alloc *a);
/* Load "word,word" equivalence lines (SPDX equivalentwords.txt). */
LS_HIDDEN int ls_lexicon_load_equivalences(ls_lexicon *lx, const ls_alloc *a,
                                           const char *text, size_t len);

/* Tokenize text[begin, end), appending to out. Offsets are relative to
 * text. With st->intern the lexicon's dictionary grows (not thread-safe);
 * without, the lexicon is only read. Returns LICSCAN_OK or ENOMEM. */
LS_HIDDEN int ls_tokenize(ls_lexicon *lx, const char *text, size_t begin,
                          size_t end, ls_tokstate *st, ls_tokens *out);
LS_HIDDEN void ls_tokens_free(ls_tokens *t);

/* ---------- templates ---------- */

typedef struct ls_regex {
    pcre2_code *code;
    bool matches_empty;
    /* ".{m,n}", ".*", ".+": any text of min..max characters, checked by
     * length alone (most SPDX vars are of this kind) */
    bool any_text;
    uint32_t min_chars, max_chars;
} ls_regex;

/* A compiled var pattern, shared by every var with the same source. */
struct ls_regex_entry {
    uint64_t hash;
    char *pattern;
    ls_regex re;
};

typedef struct ls_var {
    uint32_t gap;  /* sits before literal token `gap` */
    bool optional; /* inside an optional block */
    uint32_t original_len; /* strlen(original): scans ask it often */
    const ls_regex *re;
    char *name;
    char *original;
} ls_var;

/* A license's yes/no metadata as one word, as frozen images and compiled
 * database files keep it (bit 0 was OSI approval alone before 0.3). */
#define LS_LICENSE_OSI 1u
#define LS_LICENSE_DEPRECATED 2u

struct licscan_license {
    char *id, *name, *version, *family, *kind, *url, *spdx, *hf, *scancode;
    bool osi;
    bool deprecated;   /* the list's steward replaced the id: kept for look-ups
                        and references, not matched (match1_candidates.c) */
    char **references; /* phrases that name the license */
    uint32_t nreferences;
};

/* Does a scan match texts against tp? Not when a later template took its
 * id, nor when its id is deprecated: the current ids (GPL-2.0-only, or
 * GPL-2.0-only beside Autoconf-exception-2.0 for
 * GPL-2.0-with-autoconf-exception) match in its place. */
#define ls_template_matched(tp) (!(tp)->replaced && !(tp)->lic.deprecated)

static inline uint32_t ls_license_flags(const licscan_license *l)
{
    return (l->osi ? LS_LICENSE_OSI : 0) |
           (l->deprecated ? LS_LICENSE_DEPRECATED : 0);
}

static inline void ls_license_set_flags(licscan_license *l, uint32_t f)
{
    l->osi = (f & LS_LICENSE_OSI) != 0;
    l->deprecated = (f & LS_LICENSE_DEPRECATED) != 0;
}

typedef struct ls_template {
    licscan_license lic;
    uint32_t index;
    char *source;       /* the template text, for diff rendering */
    char *source_alloc; /* the allocation holding it (NULL: borrowed) */
    size_t source_len;
    ls_token *tok;     /* literal tokens; spans index `source` */
    uint8_t *optional; /* per token: inside an optional block */
    uint32_t ntok;
    uint32_t nrequired;
    ls_var *vars; /* sorted by gap */
    uint32_t nvars;
    uint32_t nshingles; /* shingle positions indexed */
    /* per word y, the head of the list of the shingle that starts there in
     * the set's index (0: none there, and for the last LS_SHINGLE - 1
     * words); NULL unless the set was compiled (ls_word_heads): a text
     * that runs along this template is looked up without probing */
    const uint32_t *heads;
    bool replaced;      /* a later template with the same id took over */
    bool borrowed;      /* strings and arrays belong to the frozen image */
    /* the nearest earlier template with the same source text (metadata
     * aside), LS_NO_TWIN when none: it has the same words, vars and index
     * postings, so a scan finds, aligns and judges it alike, and does the
     * work once for both (match2_chains.c) */
    uint32_t twin;
    /* ls_glue_words + 1, once a scan has asked (0: not yet): worked out
     * on first use, as any thread may, and always to the same value */
    _Atomic uint32_t glue_known;
    /* ls_required_words, once a scan has asked (NULL: not yet) */
    struct ls_word_counts *_Atomic required_words;
} ls_template;
#define LS_NO_TWIN UINT32_MAX

/* Words with how often a text holds each, first seen first. */
typedef struct ls_word_counts {
    uint32_t n;
    struct {
        uint32_t id, count;
    } w[];
} ls_word_counts;

/* tp's required words (none optional) as distinct words and counts: what
 * a bag of the input is asked about once each rather than word by word.
 * Worked out on first use, as any thread may, and kept with the template
 * (the first published wins); NULL when memory runs out (template.c). */
LS_HIDDEN const ls_word_counts *ls_required_words(const licscan_db *db,
                                                  const ls_template *tp);

/* Required words of tp that one input word may stand for together with
 * a neighbour: words with nothing but optional markers between them
 * (match4_judge.c judges such a glued word as all of them). Worked out
 * on first use, then kept (template.c). */
LS_HIDDEN uint32_t ls_glue_words(const ls_template *tp);

/* tp's text as published into out (replacing what it held): each var
 * its original, the optional blocks in, the markup gone. marks_apart
 * leaves a space where each mark was (a mark between two words must not
 * join them); without it nothing is left, as published texts print it
 * (template.c). */
LS_HIDDEN int ls_template_published(const ls_template *tp, bool marks_apart,
                                    ls_buf *out);

/* Are a and b one template or twins (the same source text)? */
static inline bool ls_same_text(const ls_template *a, const ls_template *b)
{
    return a == b || a->twin == b->index || b->twin == a->index ||
           (a->twin != LS_NO_TWIN && a->twin == b->twin);
}

/* ---------- pattern prefilter (prefilter.c) ---------- */

/* What a rule pattern cannot match without: groups of strings, each
 * group with one of its strings in any text the pattern matches (ASCII
 * letters compared caselessly). NULL: nothing known, the pattern runs. */
typedef struct ls_required ls_required;

/* Derive it from a pattern's source (compiled by PCRE2 already); *out
 * NULL when nothing is known. LICSCAN_OK or ENOMEM. */
LS_HIDDEN int ls_required_of(const ls_alloc *a, const char *pat, size_t n,
                             ls_required **out);
LS_HIDDEN void ls_required_free(const ls_alloc *a, ls_required *rq);
/* For tests: "a|b & c", the groups best first; "" for NULL. */
LS_HIDDEN size_t ls_required_describe(const ls_required *rq, char *out,
                                      size_t cap);

/* Characters beyond ASCII that caseless PCRE2 matches with an ASCII
 * letter: a text holding one is never judged. */
#define LS_PREFILTER_NFOLDS 2
LS_HIDDEN extern const uint32_t ls_prefilter_ascii_folds[LS_PREFILTER_NFOLDS];

/* A clause as the prefilter reads it: the set of its trigrams, made at
 * the first check and kept for the next checks of the same clause (a
 * clause most often has several rules to run). The caller names each
 * text it sets by a key of its own, never the same for two texts.
 * Zeroed: no set yet. */
#define LS_SUBJECT_GRAM_BITS 12
typedef struct ls_subject {
    const char *text; /* the clause to judge */
    size_t len;
    uint64_t key;     /* names text */
    uint64_t set_key; /* the key of the text the set below was made of */
    bool has_set;
    bool judge;  /* false: every requirement counts as met */
    bool unsure; /* that text cannot be judged: requirements are met */
    bool ascii;  /* no byte of it is 0x80 or above (when ascii_key is key) */
    bool has_ascii;
    uint64_t ascii_key;
    uint64_t grams[(1u << LS_SUBJECT_GRAM_BITS) / 64];
} ls_subject;

static inline void ls_subject_set(ls_subject *s, const char *text, size_t len,
                                  bool judge, uint64_t key)
{
    s->text = text;
    s->len = len;
    s->judge = judge;
    s->key = key;
}

/* false only when the subject lacks what rq requires: the pattern
 * cannot match it. */
LS_HIDDEN bool ls_subject_may_match(ls_subject *s, const ls_required *rq);

/* ---------- clause rules (rulefile.c, keywords.c) ---------- */

/* How a rule reads the value of its flag from a clause. */
enum ls_value_how {
    LS_VALUE_TRUE,    /* the flag is set */
    LS_VALUE_NUMBER,  /* a number written in words or digits, from a group */
    LS_VALUE_CAPTURE, /* the input text of a group */
    LS_VALUE_CONST    /* a fixed string */
};

/* A rule pattern. `code` is compiled at open without JIT and never
 * changes after; `run` is what matching uses, set on first use: a
 * JIT-compiled copy of `code`, or `code` itself when there is no JIT
 * (unsupported, failed, or an allocator hook). NULL: not yet set. Scans
 * share the database, so `run` is published with a compare-and-swap. */
typedef struct ls_pattern {
    /* NULL until first use when the rules came from a compiled database
     * or the embedded set (checked when they were written; compiling them
     * is most of an open): ls_pattern_compiled, published like `run` */
    _Atomic(pcre2_code *) code;
    _Atomic(pcre2_code *) run;
    uint32_t ngroups; /* capture groups, at most (sizes the match data) */
    /* for the prefilter (prefilter.c): the source, and what it requires,
     * derived at the first check and published like `run` (NULL: not
     * yet) */
    char *source;
    uint32_t source_len;
    _Atomic(ls_required *) need;
} ls_pattern;

#define LS_RULE_PATTERN_OPTIONS                                                \
    (PCRE2_UTF | PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE)

/* p's compiled code, compiled now when it is not yet (prefilter.c): NULL
 * with *rc ENOMEM, or LICSCAN_ERULE for a pattern PCRE2 rejects (only in
 * a database file made by hand: it never matches). */
LS_HIDDEN pcre2_code *ls_pattern_compiled(const licscan_db *db, ls_pattern *p,
                                          int *rc);

/* false only when the subject lacks what the pattern requires: it cannot
 * match (prefilter.c). */
LS_HIDDEN bool ls_pattern_may_match(const ls_alloc *a, ls_pattern *p,
                                    ls_subject *s);
/* No byte of text[0, n) is 0x80 or above? (prefilter.c) */
LS_HIDDEN bool ls_all_ascii(const char *text, size_t n);
/* Does p require a byte of 0x80 or above, so that no all-ASCII subject
 * may match it (when the prefilter judges: ls_subject.judge)? */
LS_HIDDEN bool ls_pattern_needs_high(const ls_alloc *a, ls_pattern *p);
/* Free what ls_pattern_may_match derived. */
LS_HIDDEN void ls_pattern_need_free(const ls_alloc *a, ls_pattern *p);

/* What an attribute rule reads (rule directive `attribute`): not a flag,
 * but a detail of the flags it names, set in the same paragraph or list
 * (values.c). */
enum ls_attr {
    LS_ATTR_NONE,        /* a rule that sets its flag */
    LS_ATTR_SCOPE,       /* what the flag is limited to, as written */
    LS_ATTR_PERIOD,      /* the period a threshold counts over */
    LS_ATTR_CONSEQUENCE, /* what crossing a threshold does */
    LS_ATTR_MEASURE      /* what a threshold counts */
};

typedef struct ls_rule {
    char *id;
    uint32_t flag;    /* the flag set; an attribute rule's first flag */
    uint32_t attr;    /* LS_ATTR_* */
    uint64_t attr_of; /* an attribute rule's flags, 1 << flag each */
    char **keywords;  /* prefilter: the clause holds one of these */
    uint32_t nkeywords;
    ls_pattern **match; /* any of these must match */
    uint32_t nmatch;
    ls_pattern **unless; /* none of these may match */
    uint32_t nunless;
    ls_pattern *within;     /* the clause or one of its lead-ins matches */
    char *within_src;       /* its source: rules with the same one ... */
    uint32_t within_class;  /* ... share this, and one answer per clause */
    ls_pattern *within_run; /* the class's first within: one JIT copy runs */
    ls_pattern *unless_anywhere; /* no clause of the text may match */
    uint32_t value_how;
    char *value_arg;        /* group name or constant */
    uint32_t qualifier_how; /* LS_VALUE_CAPTURE or CONST; TRUE: none */
    char *qualifier_arg;
    char *source;       /* file the rule came from */
    uint32_t line, col; /* where its `rule` directive is */
    uint32_t priority;  /* load order; a replacement keeps the old one's */
    bool replaced;
} ls_rule;

typedef struct ls_ruleset {
    ls_rule **v;
    uint32_t n, cap;
} ls_ruleset;

/* The text of each rule file added, in order: a compiled database file
 * (dbfile.c) keeps the texts and parses them again when it opens. */
typedef struct ls_rule_text {
    char *source; /* NULL: none was given */
    char *text;
    size_t len;
} ls_rule_text;

/* ---------- clause memo ----------
 * What the rules say of each clause of the embedded templates, worked out
 * at build time (tools/freeze.c): a scan that meets a clause of a known
 * license takes the answer instead of running the patterns again. Only
 * what depends on the clause's own text is kept (its keyword hits, match
 * and unless patterns, values), and which rules' `within` and `unless
 * anywhere` patterns match it; whether those let a rule stand depends on
 * the clauses around, and is decided at scan time. */
typedef struct ls_memo_fired {
    int64_t number;
    uint32_t rule;           /* index in the database's rules */
    uint32_t vs, ve, qs, qe; /* value and qualifier, from the clause start;
                                UINT32_MAX: none */
    uint32_t zero; /* no padding: a database file holds these bytes */
} ls_memo_fired;

/* In ls_clause_memo.context: a rule whose `within` pattern matches the
 * clause, or, with this bit, whose `unless anywhere` pattern does. */
#define LS_MEMO_ANYWHERE 0x80000000u

typedef struct ls_memo_clause {
    uint64_t hash;              /* ls_hash_bytes of its display text */
    uint32_t text, len;         /* its display text in ls_clause_memo.text */
    uint32_t fired, nfired;     /* its rules in ls_clause_memo.fired */
    uint32_t context, ncontext; /* in ls_clause_memo.context */
} ls_memo_clause;

typedef struct ls_clause_memo {
    const ls_memo_clause *clause;
    uint32_t nclause;
    const uint32_t *slot; /* by hash: clause index + 1; 0 empty */
    uint32_t cap;         /* power of two */
    const char *text;
    uint32_t text_len;
    const ls_memo_fired *fired;
    uint32_t nfired;
    const uint32_t *context;
    uint32_t ncontext;
    /* valid for a database whose first nrules rules are the embedded ones
     * (rules_hash over their files) and whose PCRE2 limits are no lower */
    uint32_t nrules;
    uint64_t rules_hash;
    uint32_t match_limit, heap_limit_kib;
} ls_clause_memo;

/* ---------- database ---------- */

#define LS_SHINGLE 4 /* words per shingle */
/* Of a long template only shingles whose hash has these bits clear are
 * indexed: a sample by content that cuts index size and hits by four while
 * the gaps between hits stay short enough to align word by word. Short
 * templates keep every shingle, so they still get enough hits. */
#define LS_SHINGLE_SAMPLE_MASK 3u
#define LS_SHINGLE_DENSE_WORDS 160
static inline bool ls_shingle_sampled(uint64_t key)
{
    return ((key >> 32) & LS_SHINGLE_SAMPLE_MASK) == 0;
}

typedef struct ls_posting {
    uint32_t tpl;
    uint32_t pos;  /* first token of the shingle in the template */
    uint32_t next; /* next posting of the same shingle + 1 (0: end) */
} ls_posting;

typedef struct ls_phrase {
    uint32_t tpl;
    uint32_t len;
    uint32_t *ids;
    uint32_t next; /* next phrase with the same first word + 1 */
} ls_phrase;

/* What the search of all templates found for a template's own text as
 * published (rivals.c: each var its original, the optional blocks in)
 * when that is one exact match of every word: the same text met again
 * (same words, same text but for its spacing: ls_whole_key) takes this
 * answer's runner-up instead of aligning the winner's rivals for it
 * (match.c). */
typedef struct ls_whole_answer {
    uint64_t key;                /* ls_whole_key of the text */
    double coverage, similarity; /* the runner-up's */
    uint32_t ntok;               /* the text's words */
    uint32_t winner;             /* template index */
    uint32_t runner;             /* template index; UINT32_MAX: none */
    uint32_t zero;
} ls_whole_answer;

/* For each template, the templates a scan of its own text judges
 * (rivals.c): those of template t are list[off[t], off[t + 1]). They hold
 * only for the set of templates they were worked out on (a compiled file,
 * the embedded image): a text that is one template whole is then matched
 * against those alone (match.c). */
typedef struct ls_rivals {
    const uint32_t *off; /* ntpl + 1 entries; NULL: not known */
    const uint32_t *list;
    uint32_t n; /* entries in list */
    /* per entry of list, for rival u of t: the most required words of u
     * that t's required words can match, in order (their LCS), with what
     * glued words can add on either side (rivals.c): a text that is t
     * whole matches at most that many of u's required words beyond the
     * words t's vars and optional blocks put in it (match.c) */
    const uint32_t *shared;
    uint32_t *own; /* the allocation of off, list and shared, when worked
                      out here */
    /* the answers for the templates' own texts, by (ntok, key) */
    const ls_whole_answer *answers;
    uint32_t nanswers;
    ls_whole_answer *own_answers; /* their allocation, when worked out here */
} ls_rivals;

struct licscan_db {
    ls_alloc alloc;
    licscan_db_options opts;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    ls_lexicon lex;
    ls_template **tpl;
    uint32_t ntpl, tpl_cap;
    /* shingle index: open addressing, key 0 = empty */
    uint64_t *sh_keys;
    uint32_t *sh_head; /* first posting + 1 */
    uint32_t sh_cap, sh_count;
    ls_posting *post;
    uint32_t npost, post_cap;
    uint32_t npost_laid; /* postings at the last ls_index_compact */
    /* per template, its postings in common lists; NULL unless the lists
     * lie in ranges (ls_index_facts); then also, per template, whether
     * they are three quarters of its shingles, and a table of the common
     * lists: head -> one past its last posting (freed with common_of) */
    uint32_t *common_of;
    uint8_t *mostly_common;
    /* with common_of, per template t its words, its required words and
     * its shingles, 0 for a template no scan matches ([3t], [3t + 1],
     * [3t + 2]): a pass over every template reads these, not the
     * templates */
    uint32_t *tpl_words;
    /* with common_of, per template t the template whose postings the
     * walks read for t: t, or (t in aliased[0, naliased)) the matched
     * twin whose hits t shares (index_layout.c, walked_for) */
    uint32_t *hits_of, *aliased, naliased;
    uint32_t *common_head, *common_end, common_cap;
    uint64_t *common_bits; /* bit h set: the list at head h is common */
    /* with common_of, each posting's template (LS_POST_LAST set on a
     * list's last) and place in 16 bits: the walks of a scan read these,
     * a third of the postings' bytes, small enough to stay in cache */
    uint16_t *post_tpl, *post_pos;
    /* name phrases */
    ls_phrase *phr;
    uint32_t nphr, phr_cap;
    uint32_t *phr_head; /* word id -> first phrase + 1 */
    uint32_t phr_head_cap;
    bool custom_allocator; /* opened with an allocator hook */
    bool lazy_patterns;    /* rules being added compile at first use */
    ls_ruleset rules;
    ls_rule_text *rtext; /* the rule files' texts, in the order added */
    uint32_t nrtext, rtext_cap;
    struct ls_kw_index *kw;     /* keyword prefilter of the rules */
    uint32_t nwithin;           /* distinct `within` patterns (classes) */
    const ls_clause_memo *memo; /* NULL: every clause runs the rules */
    ls_rivals rivals;           /* off NULL: not known for these templates */
    _Atomic(ls_scratch *) scratch[LS_SCRATCH_POOL]; /* idle scratches */
    bool prefilter_off; /* tests only: every pattern runs (prefilter.c) */
    bool pruning_off;   /* tests only: every chain is judged (match5_rank.c,
                           match1_candidates.c) */
    bool narrow_links;  /* tests only: chains link hits one at a time,
                           every hit worked out anew for each chain
                           (match2_chains.c), and gaps are aligned cell by
                           cell (match3_align.c) */
    bool whole_off;     /* tests only: no text is taken for one template
                           whole before all are searched (match.c), and
                           the lists are walked by their links */
    bool answers_off;   /* tests only: no template's own text takes its
                           answer (ls_whole_answer); its rivals are
                           searched */
    /* compiled var patterns, deduplicated by source */
    struct ls_regex_entry **re; /* entries do not move: vars point in */
    uint32_t nre, re_cap;
    /* dictionary, equivalences, shingle index and phrases point into the
     * frozen image until the first template is added (ls_db_thaw) */
    bool frozen;
    struct ls_dbfile *file; /* opened from a compiled file: its mapping */
    ls_error err;           /* last error (error.h) */
    /* while a folder loads, the phrases of names and references wait for
     * its texts (ls_template_add_names): word ids follow the texts, and
     * the sampled shingles of long templates are chosen by id */
    bool names_later;
};

/* The index key of the shingle of words ids[0, LS_SHINGLE) (inline: a
 * scan asks it once per input word). */
static inline uint64_t ls_shingle_key(const uint32_t *ids)
{
    uint64_t h =
        ids[0] * 0x9e3779b97f4a7c15ULL + ids[1] * 0xc2b2ae3d27d4eb4fULL +
        ids[2] * 0x165667b19e3779f9ULL + ids[3] * 0xd6e8feb86659fd93ULL;
    h = ls_mix64(h);
    return h ? h : 1;
}

/* Link each template to its twin (ls_template.twin), after templates
 * were added; out of memory, none is linked (template.c). */
LS_HIDDEN void ls_find_twins(licscan_db *db);
/* Lay the postings of each shingle out together (index_layout.c). */
LS_HIDDEN void ls_index_compact(licscan_db *db);
/* db->common_of and the postings' 16-bit copy (db->post_tpl) when each
 * list runs forward through the postings, a common one in descending
 * template order (as ls_index_compact and a compiled file lay them out),
 * and every template index and place fits; links_checked: each posting's
 * next is known to be 0 or the one after it; post16, when not NULL, the
 * 16-bit copy made already (ls_post16_fill: 2 * (npost + 1) entries,
 * template indices first), which it takes over (index_layout.c). */
LS_HIDDEN void ls_index_facts(licscan_db *db, bool links_checked,
                              uint16_t *post16);
/* Template t's ls_template.heads into heads[0, t->ntok), for the index of
 * db laid out with the lists' heads sh_head (db->sh_head, or a compiled
 * file's); when the set is compiled (index_layout.c). */
LS_HIDDEN void ls_word_heads(const licscan_db *db, const uint32_t *sh_head,
                             const ls_template *t, uint32_t *heads);
/* Free what ls_index_facts made; none of it is known after (index_layout.c). */
LS_HIDDEN void ls_index_facts_free(licscan_db *db);
/* db->post_tpl: the bit of a list's last posting, and the templates and
 * places that fit beside it (a set beyond them walks lists by links). */
#define LS_POST_LAST 0x8000u
#define LS_POST_TPL_MAX 0x7fffu
#define LS_POST_POS_MAX 0xffffu

/* The postings' 16-bit copy of post[0, n): each template index, with
 * LS_POST_LAST where a list ends, into tpl, each place into pos (as
 * ls_index_facts makes it first; a compiled file's open makes it as it
 * checks the postings, and hands it over as post16). Returns the places
 * or'ed together: the copy holds them only when that fits 16 bits. */
static inline uint32_t ls_post16_fill(const ls_posting *post, uint64_t n,
                                      uint16_t *tpl, uint16_t *pos)
{
    uint32_t places = 0;
    for (uint64_t q = 0; q < n; q++) {
        uint32_t ends = post[q].next == 0;
        tpl[q] = (uint16_t)(post[q].tpl | (LS_POST_LAST & (0u - ends)));
        pos[q] = (uint16_t)post[q].pos;
        places |= post[q].pos;
    }
    return places;
}

/* Postings above which a shingle is boilerplate (match1_candidates.c). */
#define LS_COMMON_SHINGLE 48

/* A standard license notice (metadata kind "header"): a match of it
 * names its license (template.c). */
LS_HIDDEN bool ls_template_is_header(const ls_template *t);

/* Parse a template and its metadata, and add it to db (template.c). */
LS_HIDDEN int ls_template_add(licscan_db *db, const char *id, const char *text,
                              size_t len, const char *meta, size_t meta_len,
                              const char *source);
struct ls_listed;
/* The same, taking `owned` (allocated with the database's allocator, and
 * holding text) as the template's own copy when it succeeds, and, when
 * there is no meta, what the license list's table says of it (listed,
 * may be NULL; listindex.h). */
LS_HIDDEN int ls_template_add_owned(licscan_db *db, const char *id,
                                    const char *text, size_t len, char *owned,
                                    const char *meta, size_t meta_len,
                                    const struct ls_listed *listed,
                                    const char *source);
LS_HIDDEN void ls_template_free(licscan_db *db, ls_template *t);
/* The phrases of t's name and references, when db->names_later held them
 * back at its add (template.c). */
LS_HIDDEN int ls_template_add_names(licscan_db *db, ls_template *t);

/* The embedded default set (generated at build time). */
typedef struct ls_embedded_file {
    const char *id;
    const unsigned char *tpl;
    size_t tpl_len;
    const unsigned char *meta; /* may be NULL */
    size_t meta_len;
} ls_embedded_file;
LS_HIDDEN extern const ls_embedded_file ls_embedded_templates[];
LS_HIDDEN extern const size_t ls_embedded_template_count;
LS_HIDDEN extern const unsigned char *const ls_embedded_equivalences_ptr;
LS_HIDDEN extern const size_t ls_embedded_equivalences_len;

/* The embedded set compiled at build time (tools/freeze.c writes it):
 * everything ls_template_add would compute, as constant arrays. */
typedef struct ls_frozen_var {
    uint32_t gap;
    uint32_t optional;
    uint32_t pattern; /* index in ls_frozen_image.patterns */
    const char *name, *original;
} ls_frozen_var;

typedef struct ls_frozen_template {
    const char *id, *name, *version, *family, *kind, *url, *spdx, *hf,
        *scancode;
    uint32_t flags; /* ls_license_flags */
    const char *const *references;
    uint32_t nreferences;
    const char *source;
    uint32_t source_len;
    const ls_token *tok;
    const uint8_t *optional;
    uint32_t ntok, nrequired, nshingles;
    const ls_frozen_var *vars;
    uint32_t nvars;
    const uint32_t *heads; /* ls_template.heads */
} ls_frozen_template;

typedef struct ls_frozen_image {
    uint32_t ntpl;
    const ls_frozen_template *tpl;
    uint32_t npatterns;
    const char *const *patterns;
    const uint32_t *pattern_len;
    /* dictionary */
    const uint64_t *dict_hashes;
    const uint32_t *dict_ids;
    uint32_t dict_cap, dict_count;
    const uint32_t *word_off;
    const char *chars;
    uint32_t chars_len;
    /* equivalences */
    const ls_equiv *equiv;
    uint32_t nequiv;
    const uint32_t *equiv_index;
    uint32_t equiv_index_cap;
    /* shingle index */
    const uint64_t *sh_keys;
    const uint32_t *sh_head;
    uint32_t sh_cap, sh_count;
    const ls_posting *post;
    uint32_t npost;
    /* phrases */
    const ls_phrase *phr;
    uint32_t nphr;
    const uint32_t *phr_head;
    uint32_t phr_head_cap;
    ls_clause_memo memo;
    ls_rivals rivals;
} ls_frozen_image;

LS_HIDDEN extern const ls_frozen_image ls_frozen;
/* Fill an empty database from the image (frozen.c). */
LS_HIDDEN int ls_db_load_frozen(licscan_db *db, const ls_frozen_image *img);
/* Copy what the image lends, before the database changes. */
LS_HIDDEN int ls_db_thaw(licscan_db *db);
/* Compile a var pattern, shared by source text (template.c). */
LS_HIDDEN int ls_compile_pattern(licscan_db *db, const char *pat, size_t n,
                                 const ls_regex **out, char *err, size_t errlen,
                                 size_t *erroff);

/* A compiled database file (dbfile.c): what the database keeps of it,
 * released by licscan_db_free (db.c) after everything that borrows from
 * it. */
struct ls_dbfile {
    void *map; /* NULL: the bytes are the caller's */
    size_t map_len;
    ls_phrase *phr; /* the phrases the database points at (until thawed) */
    ls_clause_memo memo; /* the file's clause memo, in the mapping */
    /* The words of its templates db->tpl[0, ntpl), checked the first time
     * a scan reads them (dbfile.h, dbf_summed_per_template): per template
     * LS_WORDS_UNSEEN, _GOOD or _BAD, read and set atomically (scans of
     * one database run side by side; two that check one template at
     * once find the same). */
    uint32_t ntpl;
    uint8_t *words;
    const struct dbf_template *rec; /* the file's records of them */
    const ls_token *tok;            /* the arrays their words lie in */
    const uint8_t *optional;
    const uint32_t *heads;
    const char *source;
    const struct dbf_var *vars; /* and their strings (the originals) */
    const char *strings;
    const uint64_t *words_sum;  /* NULL: not checked (as the open's sums) */
    uint32_t dict_count, npost; /* the bounds of ids and heads */
    bool wide;                  /* the AVX2 loops */
};
enum { LS_WORDS_UNSEEN, LS_WORDS_GOOD, LS_WORDS_BAD };
/* Template t's words checked: LS_WORDS_GOOD or _BAD (dbfile_check.c). */
LS_HIDDEN uint8_t ls_dbf_check_words(const struct ls_dbfile *f, uint32_t t);

/* Whether template t's words (its tokens, optional flags, heads and
 * source) may be read: a compiled file's are checked the first time
 * (false: the file is damaged there, and the scan fails with
 * LICSCAN_EFORMAT). Every path by which a scan comes to read a template's
 * words asks this first. */
static inline bool ls_words_ready(const licscan_db *db, uint32_t t)
{
    const struct ls_dbfile *f = db->file;
    if (!f || t >= f->ntpl)
        return true;
    uint8_t st = __atomic_load_n(&f->words[t], __ATOMIC_ACQUIRE);
    if (st == LS_WORDS_UNSEEN)
        st = ls_dbf_check_words(f, t);
    return st == LS_WORDS_GOOD;
}
/* Every template's words checked (before what reads them all: a save);
 * LICSCAN_OK or LICSCAN_EFORMAT with the first damaged one's index in
 * *bad. */
LS_HIDDEN int ls_words_all_ready(const licscan_db *db, uint32_t *bad);
/* Open a database from the bytes of a compiled file; data must stay
 * valid and unchanged until the database is freed (the caller hands it
 * over with `unmap` when it is a mapping of map_len bytes). With
 * check_sum false the checksum is not verified (the fuzz target, which
 * could not reach the checks behind it). err gets a message on failure. */
LS_HIDDEN int ls_db_open_image(const void *data, size_t len, bool check_sum,
                               void *unmap, size_t map_len,
                               const licscan_db_options *opts, licscan_db **out,
                               char *err, size_t errlen);
/* An empty database with its options read (db.c); equivalences loaded
 * when asked. */
/* The options opts says (defaults where it is NULL) and the allocator
 * they name; LICSCAN_EINVAL when they are not valid. */
LS_HIDDEN int ls_db_options_alloc(const licscan_db_options *opts,
                                  licscan_db_options *o, ls_alloc *a);
LS_HIDDEN int ls_db_new(const licscan_db_options *opts, bool equivalences,
                        licscan_db **out);

/* Parse rules and add them to db (rulefile.c). */
LS_HIDDEN int ls_rules_add(licscan_db *db, const char *text, size_t len,
                           const char *source);
LS_HIDDEN void ls_rules_free(licscan_db *db);

LS_HIDDEN extern const ls_embedded_file ls_embedded_rules[];
LS_HIDDEN extern const size_t ls_embedded_rule_count;

/* ---------- results ---------- */

/* A span's lines and columns (licscan_position), set once the scan is
 * done (position.c); zero until then. */
typedef licscan_position ls_pos;

typedef struct ls_evidence {
    uint64_t start, end;
    const char *text, *label, *rule;
    ls_pos pos;
} ls_evidence;

struct licscan_restriction {
    uint32_t flag;
    int64_t number;
    const char *text, *qualifier;
    /* the details values.c reads: what limits the flag ("" none), and
     * for a threshold, what it measures, over what period and what
     * crossing it does */
    const char *scope;
    const char *period_text, *consequence_flags;
    uint32_t measure, period, consequence;
    uint32_t value_fired; /* the engine's fired rule giving the value */
    const char **items;
    uint32_t nitems, items_cap;
    ls_evidence *ev;
    uint32_t nev, ev_cap;
};

typedef struct ls_flag_change {
    uint32_t flag;
    bool added;
    uint64_t start, end;
    ls_pos pos;
} ls_flag_change;

typedef struct ls_diff {
    uint32_t op;
    uint64_t start, end;
    const char *template_text;
    /* the same wording as the template has it, line breaks and markup
     * kept (in the database): clause rules read its lists and sentences */
    const char *template_source;
    uint32_t template_source_len;
    ls_pos pos;
} ls_diff;

struct licscan_match {
    const ls_template *tpl;
    uint32_t kind;
    double coverage;
    double score;
    double strict;         /* score with nothing forgiven (match4_judge.c) */
    uint64_t start, end;   /* input offsets */
    uint32_t tstart, tend; /* token span in the input */
    uint32_t matched, extra, missing;
    uint32_t absorbed;  /* input words taken by template vars */
    uint32_t credit;    /* of those, words the vars vouch for */
    uint32_t var_fails; /* vars whose pattern rejected the input */
    uint32_t gaps;      /* template words skipped inside the match */
    uint32_t inner_missing; /* required words missing between its ends */
    uint32_t chain;     /* the occurrence it was aligned from */
    const ls_template *runner;
    double runner_coverage;
    double runner_similarity; /* ls_similarity of the runner-up's match */
    ls_diff *diffs;
    uint32_t ndiffs;
    ls_flag_change *changes;
    const char *modified_spdx; /* terms added around it (modified.c) */
    uint32_t nchanges;
    ls_pos pos;
};

/* Words both sides share, of all words either side has in the match:
 * input words explained, less those unexplained and the template's
 * required words missing. One-sided coverage cannot tell a template from
 * a longer one that holds it; this can (match5_rank.c). */
static inline double ls_similarity(const licscan_match *m)
{
    double have = (double)m->matched + m->absorbed;
    double missing = m->tpl ? m->tpl->nrequired * (1 - m->coverage) : 0;
    double all = have + m->extra + missing;
    return all > 0 ? have / all : 0;
}

/* A match with no difference inside its span (no input word unexplained,
 * no required word skipped): a verbatim part of its template, whatever it
 * misses past its ends. Such a part gives way only to a match as clean. */
static inline bool ls_match_clean_inside(const licscan_match *m)
{
    return m->extra == 0 && m->inner_missing == 0;
}

struct licscan_result {
    ls_alloc alloc;
    ls_arena arena;
    int status;
    char errmsg[256];
    uint32_t damaged; /* the template whose words were found damaged (the
                         scan failed: LICSCAN_EFORMAT), or UINT32_MAX */
    uint32_t encoding;
    uint32_t input_flags;
    licscan_match *m;
    uint32_t nmatch;
    const char *spdx;
    licscan_restriction *restr; /* in flag order */
    uint32_t nrestr;
    uint32_t openness;
    uint64_t broken[4]; /* per freedom: mask of breaking flags */
    ls_buf json;
};

/* Openness verdict from result->restr and whether a match is a license
 * text (restrict.c); taken once the result is assembled. */
LS_HIDDEN void ls_judge_openness(licscan_result *res);
/* The LICSCAN_CONSEQUENCE_* or LICSCAN_MEASURE_* code an attribute rule's
 * constant names ("license_required", "daily_active_users"); 0 when none
 * (values.c). */
LS_HIDDEN uint32_t ls_attr_code(uint32_t attr, const char *name);

/* Clause extraction (clauses.c drives its stages): fills result->restr
 * and the flag changes of matches; work allocates its temporary memory. */
LS_HIDDEN int ls_extract_clauses(const licscan_db *db, const ls_alloc *work,
                                 const ls_text *text,
                                 const licscan_scan_options *opts,
                                 licscan_result *res);
/* Build the clause memo of texts[0..n) (memobuild.c, for tools/freeze.c);
 * its arrays are the database allocator's, released by ls_memo_free. */
LS_HIDDEN int ls_memo_build(const licscan_db *db, const char *const *texts,
                            const size_t *lens, uint32_t n,
                            ls_clause_memo *out);
/* ls_memo_build over every template of db, in its published text and as
 * differences quote it (tools/freeze.c, licscan_db_save). */
LS_HIDDEN int ls_memo_build_templates(const licscan_db *db,
                                      ls_clause_memo *out);
LS_HIDDEN void ls_memo_free(const licscan_db *db, ls_clause_memo *m);
/* Template wording with its markup (vars, optional marks) made spaces, as
 * the rules read a difference's template text; appended to b
 * (flagchanges.c). */
LS_HIDDEN void ls_append_plain(ls_buf *b, const char *t, size_t n);
/* Hash of the embedded rule files, which a memo is valid for (memo.c). */
LS_HIDDEN uint64_t ls_embedded_rules_hash(void);

/* Lines and columns of every span of the result (matches, differences,
 * flag changes, evidence) in text, the input as decoded: one pass over
 * the text up to the last span (position.c). */
LS_HIDDEN int ls_locate_spans(const ls_alloc *work, const ls_text *text,
                              licscan_result *res);

/* What a scan of a template's own text reports besides its result when
 * a set is compiled (ls_scan_probe, rivals.c). */
typedef struct ls_probe {
    uint8_t *judged;        /* per template: set when a candidate is judged */
    ls_whole_answer answer; /* ntok 0: not one exact match of every word */
} ls_probe;

/* Matching (match.c): fills result->m and result->spdx; work allocates
 * its temporary memory. probe, when not NULL, gets the templates judged
 * marked and the answer (a compile-time scan, ls_scan_probe). */
LS_HIDDEN int ls_match_text(const licscan_db *db, const ls_alloc *work,
                            ls_diagonals *diagonals, const ls_text *text,
                            const ls_tokens *toks,
                            const licscan_scan_options *opts,
                            licscan_result *res, ls_probe *probe);

/* The answers (ls_whole_answer) were found with var patterns run under
 * PCRE2 limits: a database whose limits are lower could judge a var
 * otherwise, and does not use them (as with the clause memo). */
static inline void ls_answers_under_limits(licscan_db *db, uint32_t match_limit,
                                           uint32_t heap_limit_kib)
{
    if (db->opts.regex_match_limit < match_limit ||
        db->opts.regex_heap_limit_kib < heap_limit_kib)
        db->rivals.nanswers = 0;
}

/* The rivals' memory, when worked out here (ls_rivals.own). */
static inline void ls_rivals_free(const licscan_db *db, ls_rivals *r)
{
    ls_free(&db->alloc, r->own);
    ls_free(&db->alloc, r->own_answers);
    *r = (ls_rivals){ 0 };
}

#endif
