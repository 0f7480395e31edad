/* decode.c -- turn the caller's bytes into valid UTF-8, remembering where
 * each byte came from. */
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "internal.h"

/* Length of the valid UTF-8 sequence at s (s < end), or 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
size_t ls_utf8_valid_len(const unsigned char *s, const unsigned char *end)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t avail = (size_t)(end - s);
    if (c >= 0xC2 && c <= 0xDF) {
        if (avail >= 2 && (s[1] & 0xC0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

size_t ls_utf8_first_invalid(const char *s, size_t n, bool stop_at_nul)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* eight ASCII bytes, none NUL, at a time */
        while (n - i >= 8) {
            uint64_t v;
            memcpy(&v, u + i, 8);
            if ((v & 0x8080808080808080ULL) ||
                ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (u[i] == 0 && stop_at_nul)
            return i;
        size_t k = u[i] < 0x80 ? 1 : ls_utf8_valid_len(u + i, u + n);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Allocate the owned text and map for up to `cap` output bytes. */
static int alloc_out(const ls_alloc *a, ls_text *t, size_t cap)
{
    t->owned = ls_malloc(a, cap + 1);
    t->map = ls_malloc(a, (cap + 1) * sizeof(uint32_t));
    if (!t->owned || !t->map)
        return LICSCAN_ENOMEM;
    return LICSCAN_OK;
}

static int decode_utf16(const ls_alloc *a, const uint8_t *d, size_t len,
                        size_t skip, bool big, ls_text *t, char *err,
                        size_t errlen)
{
    size_t units = (len - skip) / 2;
    /* each unit gives at most 3 bytes; a pair gives 4 for 2 units */
    if (units > (SIZE_MAX - 1) / 3)
        return LICSCAN_ETOOBIG;
    int rc = alloc_out(a, t, units * 3);
    if (rc)
        return rc;
    size_t o = 0;
    for (size_t i = skip; i + 1 < len;) {
#if defined(__SSE2__) && !defined(LICSCAN_NO_SIMD)
        /* eight units at a time while they are ASCII but NUL and CR */
        while (len - i >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
            if (big)
                v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
            __m128i ok = _mm_andnot_si128(
                _mm_cmpeq_epi16(v, _mm_set1_epi16('\r')),
                _mm_and_si128(_mm_cmpgt_epi16(v, _mm_setzero_si128()),
                              _mm_cmplt_epi16(v, _mm_set1_epi16(0x80))));
            if (_mm_movemask_epi8(ok) != 0xffff)
                break;
            _mm_storel_epi64((__m128i *)(void *)(t->owned + o),
                             _mm_packus_epi16(v, v));
            __m128i at = _mm_set1_epi32((int)(uint32_t)i);
            _mm_storeu_si128((__m128i *)(void *)(t->map + o),
                             _mm_add_epi32(at, _mm_setr_epi32(0, 2, 4, 6)));
            _mm_storeu_si128((__m128i *)(void *)(t->map + o + 4),
                             _mm_add_epi32(at, _mm_setr_epi32(8, 10, 12, 14)));
            o += 8;
            i += 16;
        }
        if (i + 1 >= len)
            break;
#endif
        uint32_t u = big ? (uint32_t)(d[i] << 8 | d[i + 1])
                         : (uint32_t)(d[i + 1] << 8 | d[i]);
        size_t at = i;
        i += 2;
        if (u - 1 < 0x7f && u != '\r') { /* ASCII but NUL and CR */
            t->owned[o] = (char)u;
            t->map[o++] = (uint32_t)at;
            continue;
        }
        if (u == 0) {
            snprintf(err, errlen, "NUL character at byte %zu: binary input",
                     at);
            return LICSCAN_EBINARY;
        }
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len) {
            uint32_t lo = big ? (uint32_t)(d[i] << 8 | d[i + 1])
                              : (uint32_t)(d[i + 1] << 8 | d[i]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            u = 0xFFFD;
            t->flags |= LICSCAN_INPUT_INVALID_UTF16;
        }
        if (u == '\r' && i + 1 < len &&
            (big ? d[i] == 0 && d[i + 1] == '\n'
                 : d[i + 1] == 0 && d[i] == '\n'))
            t->flags |= LICSCAN_INPUT_CRLF;
        size_t n = put_utf8(t->owned + o, u);
        for (size_t k = 0; k < n; k++)
            t->map[o + k] = (uint32_t)at;
        o += n;
    }
    t->map[o] = (uint32_t)len;
    t->owned[o] = 0;
    t->text = t->owned;
    t->len = o;
    t->encoding = big ? LICSCAN_ENCODING_UTF16BE : LICSCAN_ENCODING_UTF16LE;
    return LICSCAN_OK;
}

/* UTF-16 without a byte-order mark, told by the text itself: in the first
 * UTF16_SNIFF_PAIRS byte pairs, at least 90 % hold a zero byte on the same
 * side and a printable ASCII byte (or tab, CR, LF, FF) on the other. Only
 * asked of input holding a NUL byte, which would otherwise be binary.
 * Returns 1 for little-endian, 2 for big-endian, 0 for neither. */
#define UTF16_SNIFF_PAIRS 512
#define UTF16_SNIFF_MIN_PAIRS 4

static bool text_ascii(uint8_t c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r' ||
           c == '\f';
}

static int sniff_utf16(const uint8_t *d, size_t len)
{
    size_t pairs = len / 2;
    if (pairs > UTF16_SNIFF_PAIRS)
        pairs = UTF16_SNIFF_PAIRS;
    if (pairs < UTF16_SNIFF_MIN_PAIRS)
        return 0;
    size_t le = 0, be = 0;
    for (size_t i = 0; i < pairs; i++) {
        uint8_t lo = d[2 * i], hi = d[2 * i + 1];
        if (hi == 0 && text_ascii(lo))
            le++;
        else if (lo == 0 && text_ascii(hi))
            be++;
    }
    if (le * 10 >= pairs * 9)
        return 1;
    if (be * 10 >= pairs * 9)
        return 2;
    return 0;
}

int licscan_sniff_binary(const void *data, size_t len, size_t *nul_offset)
{
    const uint8_t *d = data;
    if (!d)
        return 0;
    if (len >= 2 &&
        ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
        return 0;
    const uint8_t *nul = memchr(d, 0, len);
    if (!nul)
        return 0;
    bool utf8_bom = len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF;
    if (!utf8_bom && sniff_utf16(d, len))
        return 0;
    if (nul_offset)
        *nul_offset = (size_t)(nul - d);
    return 1;
}

int ls_decode(const ls_alloc *a, const uint8_t *d, size_t len, ls_text *t,
              char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->text = "";
    if (len > UINT32_MAX - 16) {
        snprintf(err, errlen, "input of %zu bytes is over the 4 GiB limit",
                 len);
        return LICSCAN_ETOOBIG;
    }
    if (len >= 2 &&
        ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
        t->flags |= LICSCAN_INPUT_BOM;
        return decode_utf16(a, d, len, 2, d[0] == 0xFE, t, err, errlen);
    }
    size_t skip = 0;
    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        t->flags |= LICSCAN_INPUT_BOM;
        skip = 3;
    }
    const uint8_t *nul = memchr(d, 0, len);
    if (nul && !skip) {
        int utf16 = sniff_utf16(d, len);
        if (utf16)
            return decode_utf16(a, d, len, 0, utf16 == 2, t, err, errlen);
    }
    if (nul) {
        snprintf(err, errlen, "NUL byte at offset %zu: binary input",
                 (size_t)(nul - d));
        return LICSCAN_EBINARY;
    }
    /* Validate; most input is ASCII or valid UTF-8 and is used in place. */
    const unsigned char *s = d + skip, *end = d + len;
    size_t i = 0, n = len - skip;
    bool valid = true;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            /* ASCII runs eight bytes at a time */
            while (n - i >= 8) {
                uint64_t v;
                memcpy(&v, s + i, 8);
                if (v & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            continue;
        }
        size_t k = ls_utf8_valid_len(s + i, end);
        if (!k) {
            valid = false;
            break;
        }
        i += k;
    }
    if (memchr(s, '\r', n) && memmem(s, n, "\r\n", 2))
        t->flags |= LICSCAN_INPUT_CRLF;
    t->encoding = LICSCAN_ENCODING_UTF8;
    if (valid && skip == 0) {
        t->text = (const char *)d;
        t->len = len;
        return LICSCAN_OK;
    }
    /* Copy with a map: after a BOM, or with invalid bytes read as
     * Latin-1 (each becomes a 2-byte sequence). */
    if (n > (SIZE_MAX - 1) / 2)
        return LICSCAN_ETOOBIG;
    int rc = alloc_out(a, t, n * 2);
    if (rc)
        return rc;
    size_t o = 0;
    for (i = 0; i < n;) {
        size_t k = s[i] < 0x80 ? 1 : ls_utf8_valid_len(s + i, end);
        if (k) {
            for (size_t j = 0; j < k; j++) {
                t->owned[o + j] = (char)s[i + j];
                t->map[o + j] = (uint32_t)(skip + i);
            }
            o += k;
            i += k;
        } else {
            size_t m = put_utf8(t->owned + o, s[i]);
            for (size_t j = 0; j < m; j++)
                t->map[o + j] = (uint32_t)(skip + i);
            o += m;
            i++;
            t->flags |= LICSCAN_INPUT_INVALID_UTF8;
            t->encoding = LICSCAN_ENCODING_UTF8_LATIN1;
        }
    }
    t->map[o] = (uint32_t)len;
    t->owned[o] = 0;
    t->text = t->owned;
    t->len = o;
    return LICSCAN_OK;
}

void ls_text_free(const ls_alloc *a, ls_text *t)
{
    ls_free(a, t->owned);
    ls_free(a, t->map);
    t->owned = NULL;
    t->map = NULL;
}
