/* match2_chains.h -- stage 2 of matching: chains of hits, each one
 * occurrence of a template, aligned (stage 3) and judged (stage 4) in the
 * order of the bounds on their scores. Not installed. */
#ifndef LICSCAN_MATCH2_CHAINS_H
#define LICSCAN_MATCH2_CHAINS_H

#include "scan.h"

/* The chains of the templates in s->order, into s->chains. */
LS_HIDDEN void ls_find_chains(scan *s);
/* The anchors of chain ch into s->anchors. */
LS_HIDDEN void ls_load_chain(scan *s, const chain *ch);
/* Align and judge the chains that could win or be a runner-up: the
 * candidates go to s->cand. */
LS_HIDDEN void ls_align_chains(scan *s);

#endif
