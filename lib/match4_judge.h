/* match4_judge.h -- stage 4 of matching: judging aligned pairs (vars,
 * missing and extra words, differences). Not installed. */
#ifndef LICSCAN_MATCH4_JUDGE_H
#define LICSCAN_MATCH4_JUDGE_H

#include "scan.h"

/* Do the vars [v0, v1) of tp surely refuse input words [w0, w1), raw
 * text [raw0, raw1), as judging would, from lengths alone? (false: they
 * may take them.) */
LS_HIDDEN bool ls_vars_refuse_by_length(const scan *s, const ls_template *tp,
                                        uint32_t v0, uint32_t v1, uint32_t w0,
                                        uint32_t w1, size_t raw0, size_t raw1);
/* The most of input words [w0, w1) that vars [v0, v1) of tp could take
 * however pairs split the words among them, from lengths alone (w1 - w0
 * when a var takes text by its pattern). */
LS_HIDDEN uint32_t ls_vars_most_words(const scan *s, const ls_template *tp,
                                      uint32_t v0, uint32_t v1, uint32_t w0,
                                      uint32_t w1);
/* Judge aligned pairs p (from ls_align_candidate) and add a candidate to
 * s->cand. */
LS_HIDDEN void ls_judge_candidate(scan *s, const ls_template *tp,
                                  const pairs *p, uint32_t matched_req);
/* Align the chain whose anchors are `an` and, if it is a real match, add
 * a candidate. */
LS_HIDDEN void ls_build_candidate(scan *s, const ls_template *tp,
                                  const pairs *an);
/* The first input word of the paragraph just before word `from` (not
 * before `limit`), and the last of the one just after word `last`
 * (before `limit`): what a var at either end of a template may take. */
LS_HIDDEN uint32_t ls_paragraph_before(scan *s, uint32_t from, uint32_t limit);
LS_HIDDEN uint32_t ls_paragraph_after(scan *s, uint32_t last, uint32_t limit);

#endif
