/* fuzz_listindex.c -- a license list's table (licenses.tsv, listindex.h).
 *
 * Input: the table's bytes. A rejected table must say where, in valid
 * UTF-8, and hold nothing; an accepted one must have every row findable
 * by its id, ids unique and non-empty, the yes/no columns read as yes, no
 * or absent, and every string valid UTF-8. */
#include <string.h>

#include "fuzz_common.h"
#include "listindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
    if (s)
        FUZZ_ASSERT(fuzz_utf8_valid(s, strlen(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls_alloc plain;
    ls_alloc_default(&plain);
    ls_error err;
    ls_error_clear(&err);
    ls_list_index ix;
    int rc = ls_list_index_parse(&plain, (const char *)data, size, "fuzz.tsv",
                                 &err, &ix);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_ETEMPLATE);
    if (rc) {
        FUZZ_ASSERT(ix.n == 0 && ix.rows == NULL && ix.text == NULL);
        FUZZ_ASSERT(strstr(err.msg, "fuzz.tsv") != NULL);
        fuzz_check_message(err.msg);
        return 0;
    }
    /* an accepted table is one a folder's neighbour would be taken as */
    FUZZ_ASSERT(ls_list_index_is_table((const char *)data, size));
    for (uint32_t i = 0; i < ix.n; i++) {
        const ls_listed *r = &ix.rows[i];
        FUZZ_ASSERT(r->id && *r->id);
        FUZZ_ASSERT(i == 0 || strcmp(ix.rows[i - 1].id, r->id) < 0);
        FUZZ_ASSERT(ls_list_index_find(&ix, r->id) == r);
        FUZZ_ASSERT(r->osi >= -1 && r->osi <= 1);
        FUZZ_ASSERT(r->deprecated >= -1 && r->deprecated <= 1);
        check_text(r->id);
        check_text(r->name);
        check_text(r->kind);
        check_text(r->url);
    }
    FUZZ_ASSERT(ls_list_index_find(&ix, "") == NULL || ix.n == 0);
    ls_list_index_free(&plain, &ix);
    return 0;
}
