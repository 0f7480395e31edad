/* numbers.h -- reading numbers in digits or words (numbers.c). */
#ifndef LICSCAN_NUMBERS_H
#define LICSCAN_NUMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Parse a number written in digits or words ("700 million", "seven
 * hundred million", "100,000,000", "1bn") out of p[0, n); false when
 * there is none, or two digit runs stand with no scale word between
 * ("12 34"). */
LS_HIDDEN bool ls_parse_number(const char *p, size_t n, int64_t *out);

#endif
