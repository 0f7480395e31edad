/* dbfile_sums.c -- the loops that read a whole compiled database file at
 * open (dbfile.c): its checksums and the checks of its largest arrays
 * (template words, shingle slots, postings). Each runs 32 bytes at a time
 * with AVX2 when the CPU has it, beside a portable loop that gives the
 * same sums and the same verdicts (the tests and the fuzz target compare
 * the two). */
#include <stddef.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(LICSCAN_NO_SIMD)
#define DBF_AVX2 1
#include <immintrin.h>
#endif

#include "dbfile.h"

/* ---------- checksums and the words' check, portable and AVX2 ---------- */

bool ls_dbf_wide(void)
{
#ifdef DBF_AVX2
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

#define SUM_ROT 23

static inline uint64_t rotl(uint64_t x)
{
    return (x << SUM_ROT) | (x >> (64 - SUM_ROT));
}

static void sum_steps(uint64_t *h, const unsigned char *p, size_t steps)
{
    uint64_t l[DBF_SUM_LANES];
    memcpy(l, h, sizeof l);
    for (size_t i = 0; i < steps; i++, p += DBF_SUM_STEP) {
        uint64_t v[DBF_SUM_LANES];
        memcpy(v, p, sizeof v);
        for (int k = 0; k < DBF_SUM_LANES; k++)
            l[k] = rotl(l[k] + v[k]);
    }
    memcpy(h, l, sizeof l);
}

#ifdef DBF_AVX2
__attribute__((target("avx2"))) static inline __m256i vrotl(__m256i x)
{
    return _mm256_or_si256(_mm256_slli_epi64(x, SUM_ROT),
                           _mm256_srli_epi64(x, 64 - SUM_ROT));
}

/* The same lanes, four registers of four. */
__attribute__((target("avx2"))) static void sum_steps_avx2(
    uint64_t *h, const unsigned char *p, size_t steps)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)h);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(h + 4));
    __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(h + 8));
    __m256i d = _mm256_loadu_si256((const __m256i *)(const void *)(h + 12));
    for (size_t i = 0; i < steps; i++, p += DBF_SUM_STEP) {
        const __m256i *q = (const __m256i *)(const void *)p;
        a = vrotl(_mm256_add_epi64(a, _mm256_loadu_si256(q)));
        b = vrotl(_mm256_add_epi64(b, _mm256_loadu_si256(q + 1)));
        c = vrotl(_mm256_add_epi64(c, _mm256_loadu_si256(q + 2)));
        d = vrotl(_mm256_add_epi64(d, _mm256_loadu_si256(q + 3)));
    }
    _mm256_storeu_si256((__m256i *)(void *)h, a);
    _mm256_storeu_si256((__m256i *)(void *)(h + 4), b);
    _mm256_storeu_si256((__m256i *)(void *)(h + 8), c);
    _mm256_storeu_si256((__m256i *)(void *)(h + 12), d);
}
#endif

void ls_dbf_sum_init(dbf_sum *s)
{
    for (int k = 0; k < DBF_SUM_LANES; k++)
        s->h[k] = 0x9e3779b97f4a7c15ull ^ (uint64_t)k;
    s->n = 0;
}

void ls_dbf_sum_feed(dbf_sum *s, const void *p, size_t n, bool wide)
{
    const unsigned char *b = p;
    size_t steps = n / DBF_SUM_STEP, tail = n % DBF_SUM_STEP;
    (void)wide;
#ifdef DBF_AVX2
    if (wide)
        sum_steps_avx2(s->h, b, steps);
    else
#endif
        sum_steps(s->h, b, steps);
    if (tail) {
        unsigned char last[DBF_SUM_STEP] = { 0 };
        memcpy(last, b + steps * DBF_SUM_STEP, tail);
        sum_steps(s->h, last, 1);
    }
    s->n += n;
}

uint64_t ls_dbf_sum_end(const dbf_sum *s)
{
    uint64_t r = s->n;
    for (int k = 0; k < DBF_SUM_LANES; k++)
        r = ls_mix64(r ^ s->h[k]);
    return r;
}

uint64_t ls_dbf_checksum(const void *p, size_t n, bool wide)
{
    dbf_sum s;
    ls_dbf_sum_init(&s);
    ls_dbf_sum_feed(&s, p, n, wide);
    return ls_dbf_sum_end(&s);
}

uint64_t ls_dbf_words_sum(const ls_token *tok, const uint8_t *opt,
                          const uint32_t *heads, uint32_t n, const char *source,
                          uint32_t len, bool wide)
{
    dbf_sum s;
    ls_dbf_sum_init(&s);
    ls_dbf_sum_feed(&s, tok, (size_t)n * sizeof *tok, wide);
    ls_dbf_sum_feed(&s, opt, n, wide);
    ls_dbf_sum_feed(&s, heads, (size_t)n * sizeof *heads, wide);
    ls_dbf_sum_feed(&s, source, (size_t)len + 1, wide);
    return ls_dbf_sum_end(&s);
}

/* The words' loop has no branch: the largest id, start and end and the
 * optional flags are checked after it, and a start after its end or
 * before the previous start sets the top bit of `neg`. (A function of its
 * own: inlined among the open's many locals, it lost its registers.) */
__attribute__((noinline)) static uint32_t words_ok(const ls_token *tok,
                                                   const uint8_t *opt,
                                                   uint32_t n, uint32_t most,
                                                   uint32_t len)
{
    uint64_t neg = 0;
    uint32_t max_id = 0, max_end = 0, prev = 0, flags = 0, nopt = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t id = tok[k].id, st = tok[k].start, en = tok[k].end;
        max_id = id > max_id ? id : max_id;
        max_end = en > max_end ? en : max_end;
        neg |= ((uint64_t)en - st) | ((uint64_t)st - prev);
        prev = st;
        flags |= opt[k];
        nopt += opt[k];
    }
    if ((neg >> 63) || max_id > most || max_end > len || flags > 1)
        return UINT32_MAX;
    return n - nopt;
}

#ifdef DBF_AVX2
/* Eight words (24 values: 3 registers) a step. In register k, lane l
 * holds field (8k + l) % 3 of its word (id, start, end); the same lanes
 * loaded one and three values on hold the word's end and the next word's
 * start, so that a lane's difference is end - start or next start -
 * start where it holds a start. With every start and end at most len <
 * 2^31 (checked after), the sign of a 32-bit difference is exact. A step
 * reads the id and start of the word after it: the loop stops a word
 * short, and the rest is checked a word at a time, from the last start. */
__attribute__((target("avx2"), noinline)) static uint32_t words_ok_avx2(
    const ls_token *tok, const uint8_t *opt, uint32_t n, uint32_t most,
    uint32_t len)
{
    const uint32_t *f = (const uint32_t *)(const void *)tok;
    uint32_t steps = n ? (n - 1) / 8 : 0;
    __m256i z = _mm256_setzero_si256();
    __m256i m0 = z, m1 = z, m2 = z, g0 = z, g1 = z, g2 = z;
#define WORDS_STEP(m, g, q)                                                    \
    do {                                                                       \
        __m256i v_ = _mm256_loadu_si256((const __m256i *)(const void *)(q));   \
        __m256i v1_ =                                                          \
            _mm256_loadu_si256((const __m256i *)(const void *)((q) + 1));      \
        __m256i v3_ =                                                          \
            _mm256_loadu_si256((const __m256i *)(const void *)((q) + 3));      \
        m = _mm256_max_epu32(m, v_);                                           \
        g = _mm256_or_si256(g, _mm256_or_si256(_mm256_sub_epi32(v1_, v_),      \
                                               _mm256_sub_epi32(v3_, v_)));    \
    } while (0)
    for (uint32_t i = 0; i < steps; i++, f += 24) {
        WORDS_STEP(m0, g0, f);
        WORDS_STEP(m1, g1, f + 8);
        WORDS_STEP(m2, g2, f + 16);
    }
#undef WORDS_STEP
    uint32_t m[3][8], g[3][8], most_of[3] = { 0, 0, 0 }, sign = 0;
    _mm256_storeu_si256((__m256i *)(void *)m[0], m0);
    _mm256_storeu_si256((__m256i *)(void *)m[1], m1);
    _mm256_storeu_si256((__m256i *)(void *)m[2], m2);
    _mm256_storeu_si256((__m256i *)(void *)g[0], g0);
    _mm256_storeu_si256((__m256i *)(void *)g[1], g1);
    _mm256_storeu_si256((__m256i *)(void *)g[2], g2);
    for (int k = 0; k < 3; k++)
        for (int l = 0; l < 8; l++) {
            int field = (8 * k + l) % 3;
            most_of[field] =
                m[k][l] > most_of[field] ? m[k][l] : most_of[field];
            sign |= field == 1 ? g[k][l] : 0;
        }
    /* the optional flags: 32 a step, their sum and their bits */
    uint32_t done = steps * 8, k32 = n - n % 32;
    __m256i any = _mm256_setzero_si256(), cnt = any;
    for (uint32_t i = 0; i < k32; i += 32) {
        __m256i v =
            _mm256_loadu_si256((const __m256i *)(const void *)(opt + i));
        any = _mm256_or_si256(any, v);
        cnt = _mm256_add_epi64(cnt, _mm256_sad_epu8(v, _mm256_setzero_si256()));
    }
    uint8_t bits[32];
    uint64_t sums[4];
    _mm256_storeu_si256((__m256i *)(void *)bits, any);
    _mm256_storeu_si256((__m256i *)(void *)sums, cnt);
    uint32_t flags = 0,
             nopt = (uint32_t)(sums[0] + sums[1] + sums[2] + sums[3]);
    for (int i = 0; i < 32; i++)
        flags |= bits[i];
    for (uint32_t i = k32; i < n; i++) {
        flags |= opt[i];
        nopt += opt[i];
    }
    /* the words after the steps, from the last start checked */
    uint64_t neg_tail = 0;
    uint32_t prev = done ? tok[done - 1].start : 0;
    for (uint32_t i = done; i < n; i++) {
        uint32_t id = tok[i].id, st = tok[i].start, en = tok[i].end;
        most_of[0] = id > most_of[0] ? id : most_of[0];
        most_of[2] = en > most_of[2] ? en : most_of[2];
        neg_tail |= ((uint64_t)en - st) | ((uint64_t)st - prev);
        prev = st;
    }
    if ((sign >> 31) || (neg_tail >> 63) || most_of[0] > most ||
        most_of[1] > len || most_of[2] > len || flags > 1)
        return UINT32_MAX;
    return n - nopt;
}
#endif

uint32_t ls_dbf_words_ok(const ls_token *tok, const uint8_t *opt, uint32_t n,
                         uint32_t most, uint32_t len, bool wide)
{
    (void)wide;
#ifdef DBF_AVX2
    if (wide && len < UINT32_C(1) << 31)
        return words_ok_avx2(tok, opt, n, most, len);
#endif
    return words_ok(tok, opt, n, most, len);
}

/* ---------- the index's checks, portable and AVX2 ---------- */

/* Shingle slots [from, to): a head at most npost, none in a slot with
 * no key; the keys counted into *used. Branch-free, eight a step with
 * AVX2. */
static bool slots_ok_scalar(const uint64_t *keys, const uint32_t *head,
                            uint64_t from, uint64_t to, uint64_t npost,
                            uint64_t *used)
{
    uint32_t most = 0, orphan = 0;
    uint64_t u = 0;
    for (uint64_t j = from; j < to; j++) {
        uint32_t h = head[j];
        most = h > most ? h : most;
        orphan |= keys[j] ? 0 : h;
        u += keys[j] != 0;
    }
    *used += u;
    return most <= npost && !orphan;
}

#ifdef DBF_AVX2
__attribute__((target("avx2"))) static bool slots_ok_avx2(
    const uint64_t *keys, const uint32_t *head, uint64_t from, uint64_t to,
    uint64_t npost, uint64_t *used)
{
    __m256i z = _mm256_setzero_si256(), most = z, orphan = z, empty = z;
    uint64_t j = from;
    for (; j + 8 <= to; j += 8) {
        const void *h = head + j;
        most = _mm256_max_epu32(most, _mm256_loadu_si256((const __m256i *)h));
        __m256i h0 = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)h));
        __m256i h1 = _mm256_cvtepu32_epi64(
            _mm_loadu_si128((const __m128i *)(const void *)(head + j + 4)));
        __m256i z0 = _mm256_cmpeq_epi64(
            _mm256_loadu_si256((const __m256i *)(const void *)(keys + j)), z);
        __m256i z1 = _mm256_cmpeq_epi64(
            _mm256_loadu_si256((const __m256i *)(const void *)(keys + j + 4)),
            z);
        orphan =
            _mm256_or_si256(orphan, _mm256_or_si256(_mm256_and_si256(z0, h0),
                                                    _mm256_and_si256(z1, h1)));
        empty = _mm256_sub_epi64(empty, _mm256_add_epi64(z0, z1));
    }
    uint32_t m[8];
    uint64_t o[4], e[4];
    _mm256_storeu_si256((__m256i *)(void *)m, most);
    _mm256_storeu_si256((__m256i *)(void *)o, orphan);
    _mm256_storeu_si256((__m256i *)(void *)e, empty);
    uint32_t mx = 0;
    for (int l = 0; l < 8; l++)
        mx = m[l] > mx ? m[l] : mx;
    *used += (j - from) - (e[0] + e[1] + e[2] + e[3]);
    return mx <= npost && !(o[0] | o[1] | o[2] | o[3]) &&
           slots_ok_scalar(keys, head, j, to, npost, used);
}
#endif

bool ls_dbf_slots_ok(const uint64_t *keys, const uint32_t *head, uint64_t from,
                     uint64_t to, uint64_t npost, uint64_t *used, bool wide)
{
    (void)wide;
#ifdef DBF_AVX2
    if (wide)
        return slots_ok_avx2(keys, head, from, to, npost, used);
#endif
    return slots_ok_scalar(keys, head, from, to, npost, used);
}

/* The largest of v[from, to), 0 for none: eight at a time with AVX2. */
static uint32_t most_scalar(const uint32_t *v, uint64_t from, uint64_t to)
{
    uint32_t most = 0;
    for (uint64_t i = from; i < to; i++)
        most = v[i] > most ? v[i] : most;
    return most;
}

#ifdef DBF_AVX2
__attribute__((target("avx2"))) static uint32_t most_avx2(const uint32_t *v,
                                                          uint64_t from,
                                                          uint64_t to)
{
    __m256i most = _mm256_setzero_si256();
    uint64_t i = from;
    for (; i + 8 <= to; i += 8)
        most = _mm256_max_epu32(
            most, _mm256_loadu_si256((const __m256i *)(const void *)(v + i)));
    uint32_t m[8];
    _mm256_storeu_si256((__m256i *)(void *)m, most);
    uint32_t mx = most_scalar(v, i, to);
    for (int l = 0; l < 8; l++)
        mx = m[l] > mx ? m[l] : mx;
    return mx;
}
#endif

uint32_t ls_dbf_most(const uint32_t *v, uint64_t from, uint64_t to, bool wide)
{
    (void)wide;
#ifdef DBF_AVX2
    if (wide)
        return most_avx2(v, from, to);
#endif
    return most_scalar(v, from, to);
}

/* Postings [from, to), post[0] the one at from: each list runs forward
 * through the array (next is 0 or the following one: it ends), a
 * template in range and a shingle inside its words. */
static bool posts_ok_scalar(const ls_posting *post, uint64_t from, uint64_t to,
                            const dbf_template *ft, uint32_t ntpl)
{
    uint32_t bad = 0;
    for (uint64_t i = from; i < to; i++) {
        const ls_posting *p = &post[i - from];
        if (p->tpl >= ntpl)
            return false;
        bad |= (p->next != 0) & ((uint64_t)p->next != i + 2);
        bad |= (uint64_t)p->pos + LS_SHINGLE > ft[p->tpl].ntok;
    }
    return !bad;
}

#ifdef DBF_AVX2
/* The same eight postings a step (3 registers, as the words are read):
 * where a lane holds a template, the lane one value on holds its pos, and
 * the template's word count is gathered (its index clamped, so that the
 * gather stays inside the templates; the largest is checked after); where
 * a lane holds a next, it is 0 or its posting's index + 2. A pos below
 * 2^31 (checked after) does not wrap when the shingle is added; the
 * caller keeps indexes and gather offsets below 2^31. The last step reads
 * 4 bytes past post[to - from]: the caller has them readable. */
__attribute__((target("avx2"))) static bool posts_ok_avx2(
    const ls_posting *post, uint64_t from, uint64_t to, const dbf_template *ft,
    uint32_t ntpl)
{
    const uint32_t *f = (const uint32_t *)(const void *)post;
    const int *ntok = (const int *)(const void *)((const char *)ft +
                                                  offsetof(dbf_template, ntok));
    const __m256i stride = _mm256_set1_epi32(sizeof *ft / 4);
    const __m256i last = _mm256_set1_epi32((int)ntpl - 1);
    const __m256i four = _mm256_set1_epi32(LS_SHINGLE);
    const __m256i z = _mm256_setzero_si256(), ones = _mm256_set1_epi32(-1);
    /* a lane's posting + 2, where it holds a next */
    __m256i e[3];
    for (int k = 0; k < 3; k++) {
        int32_t v[8];
        for (int l = 0; l < 8; l++)
            v[l] = (int32_t)(from + (uint64_t)(8 * k + l) / 3 + 2);
        e[k] = _mm256_loadu_si256((const __m256i *)(const void *)v);
    }
    __m256i most[3] = { z, z, z }, inside[3] = { ones, ones, ones },
            linked[3] = { ones, ones, ones };
    uint64_t i = from;
    for (; i + 8 <= to; i += 8, f += 24)
        for (int k = 0; k < 3; k++) {
            const uint32_t *q = f + 8 * k;
            __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)q);
            __m256i v1 =
                _mm256_loadu_si256((const __m256i *)(const void *)(q + 1));
            __m256i at = _mm256_mullo_epi32(_mm256_min_epu32(v, last), stride);
            __m256i n = _mm256_i32gather_epi32(ntok, at, 4);
            __m256i end = _mm256_add_epi32(v1, four);
            most[k] = _mm256_max_epu32(most[k], v);
            inside[k] = _mm256_and_si256(
                inside[k], _mm256_cmpeq_epi32(_mm256_max_epu32(end, n), n));
            linked[k] = _mm256_and_si256(
                linked[k], _mm256_or_si256(_mm256_cmpeq_epi32(v, z),
                                           _mm256_cmpeq_epi32(v, e[k])));
            e[k] = _mm256_add_epi32(e[k], _mm256_set1_epi32(8));
        }
    uint32_t m[8], in[8], ln[8];
    for (int k = 0; k < 3; k++) {
        _mm256_storeu_si256((__m256i *)(void *)m, most[k]);
        _mm256_storeu_si256((__m256i *)(void *)in, inside[k]);
        _mm256_storeu_si256((__m256i *)(void *)ln, linked[k]);
        for (int l = 0; l < 8; l++) {
            int field = (8 * k + l) % 3; /* template, pos, next */
            if ((field == 0 && (m[l] >= ntpl || !in[l])) ||
                (field == 1 && m[l] >= UINT32_C(1) << 31) ||
                (field == 2 && !ln[l]))
                return false;
        }
    }
    return posts_ok_scalar(post + (i - from), i, to, ft, ntpl);
}
#endif

bool ls_dbf_posts_ok(const ls_posting *post, uint64_t from, uint64_t to,
                     const dbf_template *ft, uint32_t ntpl, bool wide)
{
    (void)wide;
#ifdef DBF_AVX2
    if (wide && ntpl && ntpl < UINT32_C(1) << 24 && to < UINT32_C(1) << 30)
        return posts_ok_avx2(post, from, to, ft, ntpl);
#endif
    return posts_ok_scalar(post, from, to, ft, ntpl);
}
