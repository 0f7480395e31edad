/* match2_bounds.h -- stage 2 of matching, its second half: the chains
 * found (match2_chains.h) aligned and judged in the order of the bounds
 * on their scores. Not installed. */
#ifndef LICSCAN_MATCH2_BOUNDS_H
#define LICSCAN_MATCH2_BOUNDS_H

#include "scan.h"

/* The anchors of chain ch, read in the pool (which alignment and judging
 * leave as they are). */
LS_HIDDEN pairs ls_chain_anchors(const scan *s, const chain *ch);
/* Align and judge the chains that could win or be a runner-up: the
 * candidates go to s->cand. */
LS_HIDDEN void ls_align_chains(scan *s);
/* In this process so far, for the tests: gaps between pairs whose vars
 * the bound on a candidate's score found refusing their words (by
 * length), and candidates judged to score above that bound or to cover
 * more than their chain's anchors allowed (none, if they are bounds). */
LS_HIDDEN uint64_t ls_var_refusal_count(void);
LS_HIDDEN uint64_t ls_bound_breach_count(void);

#endif
