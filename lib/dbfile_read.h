/* dbfile_read.h -- reading a compiled database file for its open: the
 * reader the checks (dbfile_check.c) and the open (dbfile.c) share. Not
 * installed. */
#ifndef LICSCAN_DBFILE_READ_H
#define LICSCAN_DBFILE_READ_H

#include "dbfile.h"

/* Bytes of the file read into a buffer: the checks that read whole
 * arrays read a file through windows, not through its mapping. Read by
 * the kernel a file's pages cost little; each page first read through a
 * new mapping costs a walk of the page tables, a dear one on a virtual
 * machine where the page cache is held in small pages (1.6 us a page
 * here: 12 ms of an open of the SPDX list), and the scans that follow
 * read only some of the pages. */
typedef struct window {
    unsigned char *buf;
    size_t cap;        /* bytes of buf */
    uint64_t off, len; /* the file's bytes [off, off + len) are there */
} window;

enum { WIN_A, WIN_B, WIN_C, WINDOWS };   /* read side by side */
#define WINDOW_BYTES ((size_t)128 << 10) /* read at once: steps of the sum */
#define SMALL_WINDOW_BYTES ((size_t)4 << 10)
#define WINDOW_SLACK 64

typedef struct reader {
    const unsigned char *base;
    size_t size;
    int fd;              /* the file the windows read; -1: base in memory */
    ls_alloc a;          /* the windows' memory */
    size_t window_bytes; /* a multiple of DBF_SUM_STEP */
    window win[WINDOWS];
    bool check_sum, wide;
    uint64_t tok_next;     /* where the next template's words must begin */
    uint64_t source_next;  /* and its source */
    uint64_t sum[A_COUNT]; /* as the directory says */
    const dbf_array *dir;
    const void *at[A_COUNT];
    uint64_t n[A_COUNT];
    char *err;
    size_t errlen;
    int fail; /* why a window could not be read: LICSCAN_EIO or _ENOMEM */
    uint16_t *post16;   /* the postings' 16-bit copy, made as they are
                           checked (ls_index_facts); NULL: none */
} reader;

/* Sets the reader's error message; LICSCAN_EFORMAT. */
__attribute__((format(printf, 2, 3))) LS_HIDDEN int ls_dbf_bad(reader *r,
                                                               const char *fmt,
                                                               ...);
#define CORRUPT(r, what) ls_dbf_bad((r), "corrupted database file: %s", (what))

/* Array id of the file, as its mapping (or image) holds it. */
#define ARR(r, id, type) ((const type *)(r)->at[id])

/* The header and the directory; each array summed that no later check
 * sums as it reads it, when check_sum. */
LS_HIDDEN int ls_dbf_read_layout(reader *r, bool check_sum);
/* Every array checked (and the rest summed): LICSCAN_OK, or the error. */
LS_HIDDEN int ls_dbf_check_all(reader *r);
/* The windows' memory freed. */
LS_HIDDEN void ls_dbf_reader_done(reader *r);

#endif
