/* modified.h -- licenses with terms added in the same document
 * (modified.c). Not installed. */
#ifndef LICSCAN_MODIFIED_H
#define LICSCAN_MODIFIED_H

#include "internal.h"

/* After the clause stage: an exact or near match that is most of its
 * document (at least half of its `words`), in a document with clauses
 * that set flags outside every match, is a modified license: it is near
 * at best, its flag_changes list those flags as added with their clauses'
 * spans, and its SPDX id is LicenseRef-<id>-modified. */
LS_HIDDEN int ls_mark_modified(licscan_result *r, uint32_t words);

#endif
