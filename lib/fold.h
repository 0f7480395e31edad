/* fold.h -- typographic punctuation and spaces read as their ASCII
 * equals (the SPDX matching guidelines: quotes, dashes and spaces match
 * their plain forms). One table for matching (match4_judge.c) and for the
 * clause text the rules read (sentences.c). */
#ifndef LICSCAN_FOLD_H
#define LICSCAN_FOLD_H

#include <stddef.h>

/* The ASCII equal of the UTF-8 sequence at p (avail bytes there) when it
 * is a quote, dash, hyphen, minus or space, else 0; *len is the length of
 * the sequence (1 for ASCII and for a byte that starts none). */
static inline char ls_fold_punct(const char *p, size_t avail, size_t *len)
{
    const unsigned char *u = (const unsigned char *)p;
    *len = 1;
    if (u[0] < 0x80)
        return 0;
    if (avail >= 2 && u[0] == 0xC2 && u[1] == 0xA0) {
        *len = 2;
        return ' '; /* no-break space */
    }
    if (avail >= 3 && u[0] == 0xE2 && u[1] == 0x80) {
        *len = 3;
        unsigned char d = u[2];
        if (d >= 0x90 && d <= 0x95)
            return '-'; /* hyphens and dashes */
        if (d >= 0x98 && d <= 0x9B)
            return '\''; /* single quotes */
        if (d >= 0x9C && d <= 0x9F)
            return '"'; /* double quotes */
        if ((d >= 0x80 && d <= 0x8B) || d == 0xA8 || d == 0xA9 || d == 0xAF)
            return ' '; /* typographic, zero-width, line and paragraph */
        return 0;
    }
    if (avail >= 3 && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) {
        *len = 3;
        return '-'; /* minus sign */
    }
    size_t n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    *len = n <= avail ? n : avail;
    return 0;
}

#endif
