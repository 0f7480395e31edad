/* numbers.c -- a number written in digits or words, as a rule's `value
 * number GROUP` reads it from the text its group captured: "700 million",
 * "seven hundred million", "700,000,000", "700 000 000", "1.000.000",
 * "1.5 billion", "1bn". Used by the rule engine (engine.c). */
#include <string.h>
#include <strings.h>

#include "numbers.h"

static const struct {
    const char *word;
    double value;
    int scale; /* 0: a number word; 1: hundred; 2: a multiplier */
} number_words[] = {
    { "zero", 0, 0 },       { "one", 1, 0 },         { "a", 1, 0 },
    { "two", 2, 0 },        { "three", 3, 0 },       { "four", 4, 0 },
    { "five", 5, 0 },       { "six", 6, 0 },         { "seven", 7, 0 },
    { "eight", 8, 0 },      { "nine", 9, 0 },        { "ten", 10, 0 },
    { "eleven", 11, 0 },    { "twelve", 12, 0 },     { "thirteen", 13, 0 },
    { "fourteen", 14, 0 },  { "fifteen", 15, 0 },    { "sixteen", 16, 0 },
    { "seventeen", 17, 0 }, { "eighteen", 18, 0 },   { "nineteen", 19, 0 },
    { "twenty", 20, 0 },    { "thirty", 30, 0 },     { "forty", 40, 0 },
    { "fifty", 50, 0 },     { "sixty", 60, 0 },      { "seventy", 70, 0 },
    { "eighty", 80, 0 },    { "ninety", 90, 0 },     { "hundred", 100, 1 },
    { "thousand", 1e3, 2 }, { "k", 1e3, 2 },         { "million", 1e6, 2 },
    { "millions", 1e6, 2 }, { "m", 1e6, 2 },         { "mm", 1e6, 2 },
    { "mn", 1e6, 2 },       { "billion", 1e9, 2 },   { "bn", 1e9, 2 },
    { "b", 1e9, 2 },        { "trillion", 1e12, 2 },
};

/* Does p[i..] hold exactly three digits, then a non-digit or the end? With
 * sep, the digits at i must be followed by at least two groups "sep ddd"
 * (so that "1.000.000" is a million, while "1.000" stays one). */
static bool three_digit_group(const char *p, size_t n, size_t i, char sep)
{
    if (sep) {
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        int groups = 0;
        while (i < n && p[i] == sep && three_digit_group(p, n, i + 1, 0)) {
            groups++;
            i += 4;
        }
        return groups >= 2;
    }
    for (int k = 0; k < 3; k++)
        if (i + (size_t)k >= n || p[i + k] < '0' || p[i + k] > '9')
            return false;
    return i + 3 >= n || p[i + 3] < '0' || p[i + 3] > '9';
}

bool ls_parse_number(const char *p, size_t n, int64_t *out)
{
    double total = 0, current = 0;
    bool any = false, after_digits = false;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c >= '0' && c <= '9') {
            if (after_digits)
                return false; /* "12 34", "1e6": not one number */
            double v = 0, frac = 0, scale = 1;
            bool dot = false;
            bool dotted_groups = three_digit_group(p, n, i, '.');
            for (; i < n; i++) {
                c = (unsigned char)p[i];
                if (c >= '0' && c <= '9') {
                    if (dot)
                        frac += (c - '0') * (scale /= 10);
                    else
                        v = v * 10 + (c - '0');
                } else if (c == ',' && !dot && i + 1 < n && p[i + 1] >= '0' &&
                           p[i + 1] <= '9') {
                    continue; /* thousands separator */
                } else if ((c == ' ' || (c == '.' && dotted_groups)) && !dot &&
                           three_digit_group(p, n, i + 1, 0)) {
                    continue; /* "700 000 000", "1.000.000" */
                } else if (c == '.' && !dot && i + 1 < n && p[i + 1] >= '0' &&
                           p[i + 1] <= '9') {
                    dot = true;
                } else {
                    break;
                }
            }
            current += v + frac;
            any = after_digits = true;
            continue;
        }

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t j = i;
            while (j < n && ((p[j] >= 'a' && p[j] <= 'z') ||
                             (p[j] >= 'A' && p[j] <= 'Z')))
                j++;
            for (size_t k = 0;
                 k < sizeof(number_words) / sizeof(number_words[0]); k++) {
                if (strlen(number_words[k].word) != j - i ||
                    strncasecmp(number_words[k].word, p + i, j - i) != 0)
                    continue;
                /* a lone "a"/"m"/"b"/"k" only counts next to a number */
                if (j - i == 1 && !any && number_words[k].scale != 0)
                    break;
                after_digits = false; /* "10 million 500 thousand" */
                if (number_words[k].scale == 0) {
                    current += number_words[k].value;
                    any |= j - i > 1;
                } else if (number_words[k].scale == 1) {
                    current = (current ? current : 1) * 100;
                    any = true;
                } else {
                    total += (current ? current : 1) * number_words[k].value;
                    current = 0;
                    any = true;
                }
                break;
            }
            i = j;
            continue;
        }
        i++;
    }
    total += current;
    if (!any || total < 0 || total > 9.2e18)
        return false;
    *out = (int64_t)(total + 0.5);
    return true;
}
