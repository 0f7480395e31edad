/* listindex.h -- a license list's table: the `licenses.tsv` that ships
 * beside a folder of bare templates (the SPDX list's), naming each id and
 * saying its kind, OSI approval and deprecation. Read while a folder is
 * loaded (db.c); a template without a .meta file takes its row. */
#ifndef LICSCAN_LISTINDEX_H
#define LICSCAN_LISTINDEX_H

#include "internal.h"

typedef struct ls_listed {
    const char *id, *name, *kind, *url; /* NULL: the table has no column */
    int8_t osi, deprecated;             /* 1, 0, or -1: no column */
} ls_listed;

typedef struct ls_list_index {
    char *text;      /* the table, its tabs and line ends made NULs */
    ls_listed *rows; /* sorted by id */
    uint32_t n;
} ls_list_index;

/* Parse a table: a header line naming the columns (`id` required; `name`,
 * `kind`, `osi_approved`, `deprecated`, `crossref` read, others skipped),
 * then one row per id, tab-separated, each with as many fields as the
 * header. On error sets err (file:line:column) and returns
 * LICSCAN_ETEMPLATE, or LICSCAN_ENOMEM; *out is then empty. */
LS_HIDDEN int ls_list_index_parse(const ls_alloc *a, const char *text,
                                  size_t len, const char *file, ls_error *err,
                                  ls_list_index *out);

/* Whether text[0, len) looks like such a table: its first non-empty line
 * names an `id` column. A licenses.tsv beside a folder that does not is
 * some other table, and is left alone. */
LS_HIDDEN bool ls_list_index_is_table(const char *text, size_t len);

/* The row of id, or NULL. */
LS_HIDDEN const ls_listed *ls_list_index_find(const ls_list_index *ix,
                                              const char *id);

LS_HIDDEN void ls_list_index_free(const ls_alloc *a, ls_list_index *ix);

#endif
