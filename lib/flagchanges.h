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

#endif
