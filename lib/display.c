/* display.c -- the display text a seg builds and its map back to the
 * decoded text (segment.h): the growing behind the inline appends of
 * segment_build.h, and the look-ups later stages make to give evidence
 * offsets and read a clause's input span. */
#include <string.h>

#include "segment_build.h"

/* Room for n more display bytes and the NUL after them: the growing. */
bool ls_seg_reserve_more(seg *s, size_t n)
{
    size_t need = s->disp.len + n + 1;
    if (s->failed)
        return false;
    size_t cap = s->disp.cap < 1024 ? 1024 : s->disp.cap;
    while (cap < need)
        cap *= 2;
    char *d = cap < RUN_CONST
                  ? ls_realloc(s->alloc, s->disp.data, s->disp.cap, cap)
                  : NULL;
    if (d) {
        s->disp.data = d;
        s->disp.cap = cap;
    }
    s->failed = !d;
    return !s->failed;
}

/* The run display byte k is in: the last one with d <= k. */
uint32_t ls_seg_run_of(const seg *s, uint32_t k)
{
    uint32_t lo = 0, hi = s->nruns;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->runs[mid].d <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Decoded offset of display byte k. */
uint32_t ls_seg_map_at(const seg *s, uint32_t k)
{
    return offset_in_run(&s->runs[ls_seg_run_of(s, k)], k);
}

/* The same for bytes read in order: *run follows k forward. */
uint32_t ls_seg_map_next_at(const seg *s, uint32_t *run, uint32_t k)
{
    while (*run + 1 < s->nruns && s->runs[*run + 1].d <= k)
        ++*run;
    return offset_in_run(&s->runs[*run], k);
}

/* Display bytes from `from` to the end all map to src now. */
void ls_seg_map_all_to(seg *s, size_t from, uint32_t src)
{
    drop_runs_from(s, from);
    push_run(s, (uint32_t)from, src | RUN_CONST);
}

/* Decoded-text span of display bytes [ds, de). */
void ls_seg_source_span(const seg *s, uint32_t ds, uint32_t de, size_t *ts,
                        size_t *te)
{
    *ts = ls_seg_map_at(s, ds);
    size_t last = ls_seg_map_at(s, de - 1);
    size_t k = (unsigned char)s->t[last] < 0x80
                   ? 1
                   : ls_utf8_valid_len((const unsigned char *)s->t + last,
                                       (const unsigned char *)s->t + s->tlen);
    *te = last + (k ? k : 1);
}
