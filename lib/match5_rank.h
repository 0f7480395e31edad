/* match5_rank.h -- stage 5 of matching: ranking overlapping candidates.
 * Not installed. */
#ifndef LICSCAN_MATCH5_RANK_H
#define LICSCAN_MATCH5_RANK_H

#include "scan.h"

/* A loser is the runner-up of the winner it overlaps when it is of
 * another template, scores at least this share of the winner's score and
 * covers at least this share of its template. */
#define RUNNER_UP_SCORE 0.85
#define RUNNER_UP_COVERAGE 0.80

/* The best candidate wins each region: the winners into s->win, each
 * with its runner-up. */
LS_HIDDEN void ls_pick_winners(scan *s);
/* Do two matches hold more than half of the shorter one's words in
 * common (the test by which they compete)? */
LS_HIDDEN bool ls_matches_overlap(const licscan_match *a,
                                  const licscan_match *b);
/* Can the candidate of pending chain e (aligned), or of a chain not
 * aligned yet, change nothing? (Whatever span it gets it loses to a
 * candidate judged already and cannot become its runner-up.) */
LS_HIDDEN bool ls_cannot_matter(scan *s, const pending *e,
                                const ls_template *tp);
LS_HIDDEN bool ls_chain_cannot_matter(scan *s, const pending *e,
                                      const ls_template *tp);
/* Once every chain not left out is judged: could chain e, left out by
 * one of the two above, change a winner judged after it? (A partial one
 * shown ambiguous by it, an "-or-later" one giving way to it.) */
/* For the tests: times a partial winner already shown ambiguous spared
 * judging a chain (match5_rank.c). */
LS_HIDDEN uint64_t ls_settled_ambiguous_count(void);
LS_HIDDEN bool ls_left_out_may_change(scan *s, const pending *e,
                                      const ls_template *tp);

#endif
