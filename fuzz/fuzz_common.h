/* fuzz_common.h -- checks shared by the fuzz targets: what every result
 * must satisfy whatever the input, and a strict JSON validator. A broken
 * invariant aborts, so libFuzzer (or the replay driver) reports it like a
 * crash, with the input that caused it. */
#ifndef LICSCAN_FUZZ_COMMON_H
#define LICSCAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "licscan.h"

#define FUZZ_ASSERT(cond)                                                      \
    ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* 1 when s[0..len) is exactly one JSON value in valid UTF-8. */
int fuzz_json_valid(const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates or NULs). */
int fuzz_utf8_valid(const char *s, size_t len);

/* Reads every accessor of a result of scanning input_len bytes with opts
 * (NULL: defaults) and checks what the header promises: spans inside the
 * input, ordered matches, values in range, consistent freedoms. */
void fuzz_check_result(const licscan_result *r, size_t input_len,
                       const licscan_scan_options *opts);

/* Renders the result as JSON with these flags (and file, may be NULL)
 * and checks it is one line of valid JSON. */
void fuzz_check_json(licscan_result *r, const char *file, uint32_t flags);

/* An error message (db or result): UTF-8 like every string of the API. */
void fuzz_check_message(const char *msg);

/* Copies at most max bytes of data into a NUL-terminated string, cut at
 * the first NUL: a file name made of fuzz input. */
void fuzz_copy_name(char *dst, size_t max, const uint8_t *data, size_t size);

/* Re-encodes valid UTF-8 as UTF-16 (little or big endian) with a BOM, in a
 * malloc'ed buffer. When map is not NULL (n + 1 entries) it gets, for each
 * character boundary of s, the offset of that character in the output, and
 * UINT64_MAX inside a character. */
uint8_t *fuzz_utf8_to_utf16(const uint8_t *s, size_t n, int big_endian,
                            size_t *out_len, uint64_t *map);

#endif
