/* memo.h -- the clause memo at scan time (memo.c). The memo's layout is
 * in internal.h (ls_clause_memo), as the frozen image holds one. */
#ifndef LICSCAN_MEMO_H
#define LICSCAN_MEMO_H

#include "segment.h"

/* Can the memo answer clause c of s? Its answer holds for the clause's
 * text only where the engine reads nothing else: the keyword prefilter
 * reads the byte before the clause (a clause that starts inside a word
 * has no keyword at its start), and no rule runs on a quoted clause. */
static inline bool ls_memo_may_answer(const seg *s, const clause *c)
{
    return !c->quoted && !(c->ds && alnum((unsigned char)s->disp.data[c->ds - 1]));
}

/* The memo's hash of a clause's display text. */
LS_HIDDEN uint64_t ls_memo_hash(const char *t, uint32_t n);
/* The memo entry of a display text + 1, or 0; h is its ls_memo_hash. */
LS_HIDDEN uint32_t ls_memo_find(const ls_clause_memo *m, const char *t,
                                uint32_t n, uint64_t h);
/* ls_memo_find for every clause of s into out (s->ncl entries); hash:
 * room for s->ncl hashes, which it fills. m->cap must not be 0. */
LS_HIDDEN void ls_memo_find_all(const ls_clause_memo *m, const seg *s,
                                uint32_t *out, uint64_t *hash);

/* Add n clauses answered by the memo to the process's count. */
LS_HIDDEN void ls_memo_count_recalled(uint32_t n);
/* Tests only: the clauses the memo has answered in this process. */
LS_HIDDEN uint64_t ls_memo_recalled(void);

#endif
