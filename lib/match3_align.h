/* match3_align.h -- stage 3 of matching: word alignment of a chain.
 * Not installed. */
#ifndef LICSCAN_MATCH3_ALIGN_H
#define LICSCAN_MATCH3_ALIGN_H

#include "scan.h"

/* Align the chain whose anchors are `an` into s->out. False when the
 * pairs cannot make a candidate; else *mreq is the required words
 * matched. */
LS_HIDDEN bool ls_align_candidate(scan *s, const ls_template *tp,
                                  const pairs *an, uint32_t *mreq);

#endif
