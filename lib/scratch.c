/* scratch.c -- the memory a scan works in, kept between scans.
 *
 * A scan needs a few buffers as large as its input (decoded text, tokens,
 * alignment pairs, the clause display text and its offset map). Freed to
 * the C library, blocks that large go back to the kernel, and the next
 * scan faults every page in again. So a scan allocates through a scratch
 * allocator that keeps the large blocks it frees, and the database keeps
 * a few scratches for the scans that follow. Small blocks (a scan makes a
 * few hundred, most of a few dozen bytes) are cut one after another from
 * runs of memory the scratch keeps, and all taken back at once when the
 * scan gives the scratch back: malloc and free cost more than most of them
 * hold. */
#include <string.h>

#include "internal.h"

/* A kept block must not hide a scan's bugs from the memory checkers:
 * the bytes beyond what was asked for, and a whole block while it is
 * kept, are made inaccessible (ASan, or valgrind when its header is
 * there at build time); handed out again, the bytes are undefined. */
#if defined(__SANITIZE_ADDRESS__)
#define LS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LS_ASAN 1
#endif
#endif
#if defined(LS_ASAN)
#include <sanitizer/asan_interface.h>
#define NO_ACCESS(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNDEFINED(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#elif !defined(LICSCAN_NO_VALGRIND) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define NO_ACCESS(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#define UNDEFINED(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef NO_ACCESS
#define NO_ACCESS(p, n) ((void)(p), (void)(n))
#define UNDEFINED(p, n) ((void)(p), (void)(n))
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

/* Blocks of at least 1 << SCRATCH_MIN_CLASS bytes are kept, by power-of-
 * two class, a few per class and a bounded total per scratch. */
#define SCRATCH_MIN_CLASS 12
#define SCRATCH_CLASSES 48
#define SCRATCH_PER_CLASS 8
#define SCRATCH_KEEP_BYTES ((size_t)16 << 20)

/* Small blocks: cut from runs of ARENA_RUN bytes, ARENA_RUNS at most per
 * scratch (past them, from the database's allocator). Not under ASan or
 * valgrind, whose reports of leaks and misuse see blocks, nor with an
 * allocator hook, through which the tests fail each allocation in turn. */
#define ARENA_RUN ((size_t)64 << 10)
#define ARENA_RUNS 16
#define CLASS_ARENA 1 /* block_head.cls of a block cut from a run */

/* In front of every block: its usable size, the part of it in use, and
 * its class (0: small). The union keeps what follows aligned as malloc's
 * own blocks are. */
typedef union block_head {
    struct {
        size_t size, used;
        uint32_t cls;
    } h;
    max_align_t align;
} block_head;

struct ls_scratch {
    ls_alloc base;  /* the database's allocator */
    ls_alloc alloc; /* the scan's: the functions below, user = this */
    void *kept[SCRATCH_CLASSES][SCRATCH_PER_CLASS]; /* block heads */
    uint8_t nkept[SCRATCH_CLASSES];
    size_t kept_bytes;
    ls_scan_words words; /* kept as the blocks are */
    ls_diagonals diagonals;
    bool arena;             /* small blocks cut from runs */
    char *run[ARENA_RUNS];  /* the runs made */
    uint32_t nruns, at_run; /* their number; the one being cut */
    size_t at;              /* bytes of it cut */
};

static block_head *head_of(void *p) { return (block_head *)p - 1; }

static uint32_t class_of(size_t n)
{
    uint32_t c = SCRATCH_MIN_CLASS;
    while (c < SCRATCH_CLASSES && ((size_t)1 << c) < n)
        c++;
    return c;
}

/* A block of `whole` bytes (head included) cut from the runs; NULL when
 * they are used up or a new one cannot be had. */
static block_head *arena_cut(ls_scratch *sc, size_t whole)
{
    whole = (whole + sizeof(block_head) - 1) / sizeof(block_head) *
            sizeof(block_head);
    if (sc->at + whole > ARENA_RUN) { /* this run is used up */
        if (sc->at_run + 1 >= ARENA_RUNS)
            return NULL;
        sc->at_run++;
        sc->at = 0;
    }
    if (sc->at_run == sc->nruns) { /* one not made yet */
        char *r = sc->base.malloc_fn(ARENA_RUN, sc->base.user);
        if (!r)
            return NULL;
        NO_ACCESS(r, ARENA_RUN);
        sc->run[sc->nruns++] = r;
    }
    block_head *b = (block_head *)(void *)(sc->run[sc->at_run] + sc->at);
    sc->at += whole;
    UNDEFINED(b, whole);
    b->h.size = whole - sizeof(block_head);
    b->h.cls = CLASS_ARENA;
    return b;
}

static void *scratch_malloc(size_t n, void *user)
{
    ls_scratch *sc = user;
    if (n > SIZE_MAX / 2 - sizeof(block_head))
        return NULL;
    size_t whole = n + sizeof(block_head);
    uint32_t cls = 0;
    block_head *b = NULL;
    if (sc->arena && whole < ((size_t)1 << SCRATCH_MIN_CLASS) &&
        (b = arena_cut(sc, whole))) {
        b->h.used = n;
        NO_ACCESS((char *)(b + 1) + n, b->h.size - n);
        return b + 1;
    }
    if (whole >= ((size_t)1 << SCRATCH_MIN_CLASS)) {
        cls = class_of(whole);
        if (cls >= SCRATCH_CLASSES)
            return NULL;
        whole = (size_t)1 << cls;
        if (sc->nkept[cls]) {
            b = sc->kept[cls][--sc->nkept[cls]];
            sc->kept_bytes -= whole;
        }
    }
    if (b)
        UNDEFINED(b + 1, n);
    else
        b = sc->base.malloc_fn(whole, sc->base.user);
    if (!b)
        return NULL;
    b->h.size = whole - sizeof(block_head);
    b->h.used = n;
    b->h.cls = cls;
    NO_ACCESS((char *)(b + 1) + n, b->h.size - n);
    return b + 1;
}

static void scratch_free(void *p, void *user)
{
    ls_scratch *sc = user;
    if (!p)
        return;
    block_head *b = head_of(p);
    uint32_t cls = b->h.cls;
    size_t whole = b->h.size + sizeof(block_head);
    if (cls == CLASS_ARENA) { /* taken back with its run */
        NO_ACCESS(b, whole);
        return;
    }
    if (cls && sc->nkept[cls] < SCRATCH_PER_CLASS &&
        sc->kept_bytes + whole <= SCRATCH_KEEP_BYTES) {
        sc->kept[cls][sc->nkept[cls]++] = b;
        sc->kept_bytes += whole;
        NO_ACCESS(p, b->h.used);
        return;
    }
    sc->base.free_fn(b, sc->base.user);
}

static void *scratch_realloc(void *p, size_t n, void *user)
{
    if (!p)
        return scratch_malloc(n, user);
    block_head *b = head_of(p);
    if (n <= b->h.size) { /* a block never shrinks: it is scratch */
        if (n > b->h.used)
            UNDEFINED((char *)p + b->h.used, n - b->h.used);
        else
            NO_ACCESS((char *)p + n, b->h.used - n);
        b->h.used = n;
        return p;
    }
    void *q = scratch_malloc(n, user);
    if (q) {
        memcpy(q, p, b->h.used);
        scratch_free(p, user);
    }
    return q;
}

static ls_scratch *scratch_new(const ls_alloc *base, bool custom)
{
    ls_scratch *sc = ls_malloc(base, sizeof(*sc));
    if (!sc)
        return NULL;
    memset(sc, 0, sizeof(*sc));
#if !defined(LS_ASAN)
    sc->arena = !custom && !UNDER_VALGRIND();
#else
    (void)custom;
#endif
    sc->base = *base;
    sc->alloc.malloc_fn = scratch_malloc;
    sc->alloc.realloc_fn = scratch_realloc;
    sc->alloc.free_fn = scratch_free;
    sc->alloc.user = sc;
    return sc;
}

static void scratch_destroy(ls_scratch *sc)
{
    ls_free(&sc->base, sc->diagonals.last);
    for (uint32_t r = 0; r < sc->nruns; r++) {
        UNDEFINED(sc->run[r], ARENA_RUN);
        sc->base.free_fn(sc->run[r], sc->base.user);
    }
    for (uint32_t c = 0; c < SCRATCH_CLASSES; c++)
        for (uint32_t i = 0; i < sc->nkept[c]; i++)
            sc->base.free_fn(sc->kept[c][i], sc->base.user);
    ls_alloc base = sc->base;
    ls_free(&base, sc);
}

/* The pool lives in the database, which scans see as const: its slots are
 * atomics, and taking or giving back a scratch is one exchange. */
ls_scratch *ls_scratch_take(const licscan_db *db)
{
    licscan_db *d = (licscan_db *)db;
    for (uint32_t i = 0; i < LS_SCRATCH_POOL; i++) {
        ls_scratch *sc = atomic_exchange(&d->scratch[i], NULL);
        if (sc)
            return sc;
    }
    return scratch_new(&db->alloc, db->custom_allocator);
}

const ls_alloc *ls_scratch_alloc(ls_scratch *sc) { return &sc->alloc; }

ls_scan_words *ls_scratch_words(ls_scratch *sc) { return &sc->words; }

ls_diagonals *ls_scratch_diagonals(ls_scratch *sc) { return &sc->diagonals; }

bool ls_scratch_cuts_small(const ls_scratch *sc) { return sc->arena; }

void ls_scratch_give_back(const licscan_db *db, ls_scratch *sc)
{
    licscan_db *d = (licscan_db *)db;
    /* the scan has freed its blocks: the runs are cut again from the
     * first */
    sc->at_run = 0;
    sc->at = 0;
    /* a table of diagonals only a huge text needed is not kept */
    if (sc->diagonals.cap * sizeof(uint32_t) > SCRATCH_KEEP_BYTES) {
        ls_free(&sc->base, sc->diagonals.last);
        sc->diagonals.last = NULL;
        sc->diagonals.cap = 0;
    }
    for (uint32_t i = 0; i < LS_SCRATCH_POOL; i++) {
        ls_scratch *none = NULL;
        if (atomic_compare_exchange_strong(&d->scratch[i], &none, sc))
            return;
    }
    scratch_destroy(sc); /* more scans at once than the pool holds */
}

void ls_scratch_pool_free(licscan_db *db)
{
    for (uint32_t i = 0; i < LS_SCRATCH_POOL; i++) {
        ls_scratch *sc = atomic_exchange(&db->scratch[i], NULL);
        if (sc)
            scratch_destroy(sc);
    }
}
