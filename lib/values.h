/* values.h -- the details of the flags set (values.c), the stage after
 * restrictions.c. */
#ifndef LICSCAN_VALUES_H
#define LICSCAN_VALUES_H

#include "engine.h"

/* The details of the flags of r: scope, and what a threshold measures,
 * its period and consequence, read by the attribute rules on the clauses
 * of e's text around each flag; the fired rules i with evidence_only[i]
 * (may be NULL: ls_build_restrictions) are not read. */
LS_HIDDEN int ls_build_values(licscan_result *r, engine *e,
                              const uint8_t *evidence_only);

#endif
