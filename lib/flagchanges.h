/* flagchanges.h -- the flags a match's differences add or remove
 * (flagchanges.c). */
#ifndef LICSCAN_FLAGCHANGES_H
#define LICSCAN_FLAGCHANGES_H

#include "engine.h"

/* Fill m->changes from m's differences; r->restr is built, and e holds
 * the run over the whole text. piece: a seg the pieces of wording are
 * cut in, one after another. */
LS_HIDDEN int ls_flag_changes(engine *e, licscan_result *r, licscan_match *m,
                              const ls_text *text, seg *piece);

/* Add one change to m (once per flag and direction), as ls_flag_changes
 * does; for the stages after it (modified.c). */
LS_HIDDEN int ls_flag_change_add(licscan_result *r, licscan_match *m,
                                 uint32_t flag, bool added, uint64_t start,
                                 uint64_t end);

#endif
