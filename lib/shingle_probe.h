/* shingle_probe.h -- finding a shingle's list in the shingle table
 * (match1_candidates.c), here so that tests/unit_links.c can hold it to
 * the plain probe. Not installed. */
#ifndef LICSCAN_SHINGLE_PROBE_H
#define LICSCAN_SHINGLE_PROBE_H

#include "internal.h"
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

/* Of the four slots from j, bit d set when slot j+d holds key (same) or
 * ends a probe: holds key or is empty (stop). */
static inline void ls_probe_four(const uint64_t *k, uint32_t j, uint32_t mask,
                                 uint64_t key, uint32_t *stop, uint32_t *same)
{
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
    if (__builtin_expect(j + 3 <= mask, 1)) {
        /* a 64-bit lane is equal when both its halves are */
        const __m128i want = _mm_set1_epi64x((long long)key);
        const __m128i zero = _mm_setzero_si128();
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(k + j));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(k + j + 2));
        __m128i ea = _mm_cmpeq_epi32(a, want), eb = _mm_cmpeq_epi32(b, want);
        __m128i za = _mm_cmpeq_epi32(a, zero), zb = _mm_cmpeq_epi32(b, zero);
        ea = _mm_and_si128(ea, _mm_shuffle_epi32(ea, 0xb1));
        eb = _mm_and_si128(eb, _mm_shuffle_epi32(eb, 0xb1));
        za = _mm_and_si128(za, _mm_shuffle_epi32(za, 0xb1));
        zb = _mm_and_si128(zb, _mm_shuffle_epi32(zb, 0xb1));
        uint32_t e = (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(ea)) |
                     (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(eb)) << 2;
        uint32_t z = (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(za)) |
                     (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(zb)) << 2;
        *same = e;
        *stop = e | z;
        return;
    }
#endif
    uint32_t st = 0, sm = 0;
    for (uint32_t d = 0; d < 4; d++) {
        uint64_t v = k[(j + d) & mask];
        st |= (uint32_t)(v == key || v == 0) << d;
        sm |= (uint32_t)(v == key) << d;
    }
    *stop = st;
    *same = sm;
}

/* The head of key's list in a shingle table of cap slots (the keys k and
 * the heads of their lists), 0 when it has none. Whether
 * a shingle is there follows no pattern a branch predictor could learn, so
 * the first four slots are compared without branching: the first that
 * holds the key or is empty ends the probe; past four, a loop (at most
 * half full, the table seldom needs one). */
static inline uint32_t ls_probe_head_in(const uint64_t *k,
                                        const uint32_t *heads, uint32_t cap,
                                        uint64_t key)
{
    uint32_t mask = cap - 1, j = (uint32_t)key & mask;
    uint32_t stop, same;
    ls_probe_four(k, j, mask, key, &stop, &same);
    if (__builtin_expect(!stop, 0)) {
        j = (j + 4) & mask;
        while (k[j] && k[j] != key)
            j = (j + 1) & mask;
        return k[j] ? heads[j] : 0;
    }
    uint32_t d = (uint32_t)__builtin_ctz(stop);
    uint32_t head = heads[(j + d) & mask];
    return head & (0u - (same >> d & 1)); /* no branch: a mask */
}

static inline uint32_t ls_probe_head(const licscan_db *db, uint64_t key)
{
    return ls_probe_head_in(db->sh_keys, db->sh_head, db->sh_cap, key);
}

#endif
