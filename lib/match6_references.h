/* match6_references.h -- stage 6 of matching: references. Not
 * installed. */
#ifndef LICSCAN_MATCH6_REFERENCES_H
#define LICSCAN_MATCH6_REFERENCES_H

#include "scan.h"

/* Outside the text matches in (*list)[0, *nlist), phrases that name a
 * license not matched already, appended as references. */
LS_HIDDEN void ls_find_references(scan *s, licscan_match **list,
                                  uint32_t *nlist, uint32_t *cap);

/* The licenses a model card's YAML front matter names (license,
 * license_name with license_link), each a reference with the span of its
 * value: a template by Hugging Face tag, id or SPDX id, or a license of
 * its own (LicenseRef-<name>) when licscan has none. */
LS_HIDDEN void ls_find_card_references(scan *s, licscan_match **list,
                                       uint32_t *nlist, uint32_t *cap);

#endif
