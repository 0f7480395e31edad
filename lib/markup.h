/* markup.h -- the SPDX template markup, one lexer for every stage that
 * reads template text: the template parser (template.c), the judging of
 * gaps between literal words (match4_judge.c) and the flag changes that
 * read deleted template wording (flagchanges.c).
 *
 *   <<var;name="NAME";original="TEXT";match="REGEX">>
 *   <<beginOptional>> ... <<endOptional>>
 *
 * Values are verbatim (not escaped): a var ends at the first "\">>". */
#ifndef LICSCAN_MARKUP_H
#define LICSCAN_MARKUP_H

#include <stddef.h>
#include <string.h>

#define MARK_VAR "<<var;"     /* opens a var */
#define MARK_VAR_CLOSE "\">>" /* the quote of its last attribute, and ">>" */
#define MARK_NAME "name=\""   /* its first attribute */
#define MARK_ORIGINAL "\";original=\""
#define MARK_MATCH "\";match=\""
#define MARK_BEGIN_OPTIONAL "<<beginOptional>>"
#define MARK_END_OPTIONAL "<<endOptional>>"
#define MARK_LEN(m) (sizeof(m) - 1)
/* Does mark m begin at p, with avail bytes there? */
#define MARK_AT(p, avail, m)                                                   \
    ((avail) >= MARK_LEN(m) && memcmp((p), (m), MARK_LEN(m)) == 0)

/* The length of the mark beginning or ending an optional block at p,
 * with avail bytes there; 0 when there is none. */
static inline size_t ls_optional_mark(const char *p, size_t avail)
{
    if (MARK_AT(p, avail, MARK_BEGIN_OPTIONAL))
        return MARK_LEN(MARK_BEGIN_OPTIONAL);
    if (MARK_AT(p, avail, MARK_END_OPTIONAL))
        return MARK_LEN(MARK_END_OPTIONAL);
    return 0;
}

/* Where the var whose attributes start at src[p] ends (past its close),
 * or 0 when it does not before src[e]. */
static inline size_t ls_var_end(const char *src, size_t p, size_t e)
{
    for (size_t q = p; q + MARK_LEN(MARK_VAR_CLOSE) <= e; q++)
        if (src[q] == '"' && MARK_AT(src + q, e - q, MARK_VAR_CLOSE))
            return q + MARK_LEN(MARK_VAR_CLOSE);
    return 0;
}

/* The length of the markup (a whole var, or an optional mark) at p, with
 * avail bytes there; 0 when none begins there. */
static inline size_t ls_markup_len(const char *p, size_t avail)
{
    if (MARK_AT(p, avail, MARK_VAR))
        return ls_var_end(p, MARK_LEN(MARK_VAR), avail);
    return ls_optional_mark(p, avail);
}

#endif
