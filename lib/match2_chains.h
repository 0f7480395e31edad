/* match2_chains.h -- stage 2 of matching: chains of hits, each one
 * occurrence of a template (match2_bounds.h aligns and judges them). Not
 * installed. */
#ifndef LICSCAN_MATCH2_CHAINS_H
#define LICSCAN_MATCH2_CHAINS_H

#include "scan.h"

/* The chains of the templates in s->order, into s->chains. */
LS_HIDDEN void ls_find_chains(scan *s);

#endif
