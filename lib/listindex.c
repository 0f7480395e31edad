/* listindex.c -- a license list's table (listindex.h). */
#include <stdlib.h>
#include <string.h>

#include "listindex.h"

enum { COL_ID, COL_NAME, COL_KIND, COL_OSI, COL_DEPRECATED, COL_URL, NCOLS };

static const char *const column_names[NCOLS] = { "id",         "name",
                                                 "kind",       "osi_approved",
                                                 "deprecated", "crossref" };

static int fail(ls_error *err, const char *file, uint32_t line, uint32_t col,
                const char *what)
{
    ls_error_set(err, file, line, col, "%s:%u:%u: %s", file, line, col, what);
    return LICSCAN_ETEMPLATE;
}

static int row_cmp(const void *a, const void *b)
{
    return strcmp(((const ls_listed *)a)->id, ((const ls_listed *)b)->id);
}

/* "true" 1, "false" 0, else -2. */
static int8_t truth(const char *v)
{
    return !strcmp(v, "true") ? 1 : !strcmp(v, "false") ? 0 : -2;
}

/* The fields of a NUL-terminated line, split at its tabs in place;
 * returns their number, of which at most max are stored. */
static uint32_t split(char *line, char **field, uint32_t max)
{
    uint32_t n = 0;
    for (char *f = line;; n++) {
        char *tab = strchr(f, '\t');
        if (n < max)
            field[n] = f;
        if (!tab)
            return n + 1;
        *tab = 0;
        f = tab + 1;
    }
}

int ls_list_index_parse(const ls_alloc *a, const char *text, size_t len,
                        const char *file, ls_error *err, ls_list_index *out)
{
    memset(out, 0, sizeof(*out));
    size_t bad = ls_utf8_first_invalid(text, len, true);
    if (bad < len) {
        uint32_t line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        return fail(err, file, line, 1,
                    text[bad] ? "invalid UTF-8" : "NUL byte in table");
    }
    char *t = ls_malloc(a, len + 1);
    if (!t)
        return LICSCAN_ENOMEM;
    memcpy(t, text, len);
    t[len] = 0;
    out->text = t;
    /* columns of the header, then one row per further non-empty line */
    int col_at[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        col_at[c] = -1;
    uint32_t ncols = 0, cap = 0, line = 0;
    int rc = LICSCAN_OK;
    for (char *p = t; *p && !rc;) {
        char *end = strchr(p, '\n');
        char *next = end ? end + 1 : p + strlen(p);
        if (end)
            *end = 0;
        line++;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = 0;
        if (!n) {
            p = next;
            continue;
        }
        char *field[64];
        uint32_t nf = split(p, field, 64);
        if (!ncols) {
            if (nf > 64)
                rc = fail(err, file, line, 1, "more than 64 columns");
            for (uint32_t f = 0; f < nf && !rc; f++)
                for (int c = 0; c < NCOLS; c++)
                    if (!strcmp(field[f], column_names[c])) {
                        if (col_at[c] >= 0)
                            rc = fail(err, file, line, 1,
                                      "a column named twice");
                        col_at[c] = (int)f;
                    }
            if (!rc && col_at[COL_ID] < 0)
                rc = fail(err, file, line, 1, "no column named id");
            ncols = nf;
            p = next;
            continue;
        }
        if (nf != ncols) {
            rc = fail(err, file, line, 1,
                      "a row with another number of fields than the header");
            break;
        }
        if (LS_GROW(a, out->rows, cap, out->n + 1)) {
            rc = LICSCAN_ENOMEM;
            break;
        }
        ls_listed *r = &out->rows[out->n];
        const char *v[NCOLS];
        for (int c = 0; c < NCOLS; c++)
            v[c] = col_at[c] >= 0 ? field[col_at[c]] : NULL;
        r->id = v[COL_ID];
        r->name = v[COL_NAME] && *v[COL_NAME] ? v[COL_NAME] : NULL;
        r->kind = v[COL_KIND] && *v[COL_KIND] ? v[COL_KIND] : NULL;
        r->url = v[COL_URL] && *v[COL_URL] ? v[COL_URL] : NULL;
        r->osi = v[COL_OSI] ? truth(v[COL_OSI]) : -1;
        r->deprecated = v[COL_DEPRECATED] ? truth(v[COL_DEPRECATED]) : -1;
        if (!*r->id)
            rc = fail(err, file, line, 1, "an empty id");
        else if (r->osi == -2 || r->deprecated == -2)
            rc = fail(err, file, line, 1,
                      "osi_approved and deprecated must be true or false");
        else
            out->n++;
        p = next;
    }
    if (!rc && !ncols)
        rc = fail(err, file, 1, 1, "no header line");
    if (!rc && out->n > 1) {
        qsort(out->rows, out->n, sizeof(ls_listed), row_cmp);
        for (uint32_t i = 1; i < out->n && !rc; i++)
            if (!strcmp(out->rows[i - 1].id, out->rows[i].id)) {
                ls_error_set(err, file, 0, 0, "%s: id '%s' listed twice", file,
                             out->rows[i].id);
                rc = LICSCAN_ETEMPLATE;
            }
    }
    if (rc)
        ls_list_index_free(a, out);
    return rc;
}

bool ls_list_index_is_table(const char *text, size_t len)
{
    /* lines as the parser cuts them: at LF, less one CR before it */
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, next = end + 1;
        if (end > i && text[end - 1] == '\r')
            end--;
        if (end == i) {
            i = next;
            continue;
        }
        for (size_t f = i, k = i; k <= end; k++)
            if (k == end || text[k] == '\t') {
                if (k - f == 2 && text[f] == 'i' && text[f + 1] == 'd')
                    return true;
                f = k + 1;
            }
        return false;
    }
    return false;
}

const ls_listed *ls_list_index_find(const ls_list_index *ix, const char *id)
{
    if (!ix || !ix->n)
        return NULL;
    ls_listed key = { .id = id };
    return bsearch(&key, ix->rows, ix->n, sizeof(ls_listed), row_cmp);
}

void ls_list_index_free(const ls_alloc *a, ls_list_index *ix)
{
    ls_free(a, ix->rows);
    ls_free(a, ix->text);
    memset(ix, 0, sizeof(*ix));
}
