/* frontmatter.h -- the YAML front matter of a model card: the keys that
 * name a license (and the base model), read from a decoded text. */
#ifndef LICSCAN_FRONTMATTER_H
#define LICSCAN_FRONTMATTER_H

#include <stddef.h>
#include <stdint.h>

typedef enum ls_fm_key {
    LS_FM_LICENSE,      /* license: a Hugging Face tag, or a list of them */
    LS_FM_LICENSE_NAME, /* license_name: with license: other */
    LS_FM_LICENSE_LINK, /* license_link: a URL or a file of the repo */
    LS_FM_BASE_MODEL,   /* base_model: a model id, or a list of them */
    LS_FM_NKEYS
} ls_fm_key;

/* One scalar value: its bytes in the text, quotes left out. */
typedef struct ls_fm_value {
    ls_fm_key key;
    size_t start, end;
} ls_fm_value;

#define LS_FM_MAX_VALUES 32 /* values kept; more are ignored */

/* Read the front matter at the head of t (a line "---", the YAML, a line
 * "---" or "..."). Only top-level keys are read; a key's value is a plain
 * or quoted scalar, a flow list [a, b] or a block list of "- a" lines.
 * Returns the number of values put in out (at most cap); 0 when the text
 * has no front matter or none of the keys. Never reads past n. */
__attribute__((visibility("hidden"))) uint32_t ls_frontmatter_read(
    const char *t, size_t n, ls_fm_value *out, uint32_t cap);

#endif
