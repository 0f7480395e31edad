/* walk.h -- the list of files licscan_scan_paths scans (walk.c), and
 * reading one file (pool.c reads, licscan_read_file is the public door). */
#ifndef LS_WALK_H
#define LS_WALK_H

#include "internal.h"

/* One file of the list: its path, and why it cannot be scanned (NULL
 * when it can), with the errno behind that when there is one. */
typedef struct ls_walk_entry {
    char *path;
    char *problem;
    int os_error;
    bool walked; /* met inside a directory */
    bool stream; /* named: read even a FIFO or pipe; "-" is stdin */
} ls_walk_entry;

typedef struct ls_walk_list {
    const ls_alloc *alloc;
    ls_walk_entry *items;
    size_t count, cap;
} ls_walk_list;

/* Lists the files under paths[0..n) (licscan.h says the rules); found,
 * when not NULL, is told the count after each file. LICSCAN_OK or
 * LICSCAN_ENOMEM (the list is freed then). */
LS_HIDDEN int ls_walk_list_make(const char *const *paths, size_t n,
                                uint32_t flags, uint32_t max_depth,
                                void (*found)(size_t count, void *user),
                                void *user, ls_walk_list *out);
LS_HIDDEN void ls_walk_list_free(ls_walk_list *list);

/* licscan_read_file with the block allocated by a. */
LS_HIDDEN int ls_read_input(const ls_alloc *a, const char *path,
                            uint32_t flags, uint64_t limit, void **data,
                            size_t *len, char *err, size_t errlen,
                            int *os_error);

#endif
