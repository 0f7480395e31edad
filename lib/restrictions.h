/* restrictions.h -- fired rules to the result's restrictions
 * (restrictions.c). */
#ifndef LICSCAN_RESTRICTIONS_H
#define LICSCAN_RESTRICTIONS_H

#include "engine.h"

/* Fill r->restr from e->f (all fired rules of the whole text).
 * *evidence_only gets, allocated with e->a (the caller frees it), a byte
 * per fired rule: 1 when it gave its flag no value (a Chinese clause of a
 * bilingual text); NULL when none did. */
LS_HIDDEN int ls_build_restrictions(licscan_result *r, engine *e,
                                    const licscan_scan_options *o,
                                    const ls_text *text,
                                    uint8_t **evidence_only);
/* A captured value without the quotes, brackets and spaces around it:
 * [*vs, *ve) of the display text d narrowed. */
LS_HIDDEN void ls_trim_value(const char *d, uint32_t *vs, uint32_t *ve);
/* Does the list restriction x hold item v (ASCII case ignored)? */
LS_HIDDEN bool ls_has_item(const licscan_restriction *x, const char *v);

#endif
