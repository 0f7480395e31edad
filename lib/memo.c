/* memo.c -- the clause memo at scan time: finding a seg's clauses among
 * the answers worked out when the library was built (memobuild.c,
 * tools/freeze.c); the engine takes an answer found instead of running
 * the patterns. Also the hash of the embedded rule files a memo is valid
 * for, and a count of the clauses answered, for the tests. */
#include <stdatomic.h>
#include <string.h>

#include "memo.h"

/* Clauses the memo answered in this process, summed as engines are freed:
 * tests read it to tell a memo in use from one silently left out. */
static _Atomic uint64_t recalled_total;

void ls_memo_count_recalled(uint32_t n)
{
    atomic_fetch_add_explicit(&recalled_total, n, memory_order_relaxed);
}

uint64_t ls_memo_recalled(void)
{
    return atomic_load_explicit(&recalled_total, memory_order_relaxed);
}

uint64_t ls_embedded_rules_hash(void)
{
    uint64_t h = ls_embedded_rule_count;
    for (size_t i = 0; i < ls_embedded_rule_count; i++)
        h = ls_mix64(h ^ ls_hash_bytes(ls_embedded_rules[i].tpl,
                                       ls_embedded_rules[i].tpl_len));
    return h;
}

/* The memo's hash of a clause's display text: its length and 48 of its
 * bytes (the first 16, 16 from the middle, the last 16). A look-up
 * compares the whole text anyway; hashing every byte of every clause
 * cost more than the rare entries this brings together. */
uint64_t ls_memo_hash(const char *t, uint32_t n)
{
    if (n < 48)
        return ls_hash_bytes(t, n);
    const char *part[3] = { t, t + n / 2 - 8, t + n - 16 };
    uint64_t h = n;
    for (int k = 0; k < 3; k++)
        for (int half = 0; half < 2; half++) {
            uint64_t v;
            memcpy(&v, part[k] + 8 * half, 8);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 29;
        }
    return ls_mix64(h);
}

/* The memo entry of a display text + 1, or 0; h is the text's
 * ls_memo_hash. */
uint32_t ls_memo_find(const ls_clause_memo *m, const char *t, uint32_t n,
                      uint64_t h)
{
    if (!m->cap)
        return 0;
    for (uint32_t i = (uint32_t)h & (m->cap - 1); m->slot[i];
         i = (i + 1) & (m->cap - 1)) {
        const ls_memo_clause *c = &m->clause[m->slot[i] - 1];
        if (c->hash == h && c->len == n && memcmp(m->text + c->text, t, n) == 0)
            return m->slot[i];
    }
    return 0;
}

#define MEMO_PREFETCH_LINES 4 /* of a clause's memo text, before comparing */

/* ls_memo_find for every clause of s into out. The memo is cold memory and
 * a look-up is three misses in a row (slot, entry, text): done in stages
 * over all clauses, each stage asks for what the next reads, so that the
 * misses of different clauses overlap. hash: room for s->ncl hashes. */
void ls_memo_find_all(const ls_clause_memo *m, const seg *s, uint32_t *out,
                      uint64_t *hash)
{
    const char *d = s->disp.data;
    uint32_t mask = m->cap - 1;
    for (uint32_t c = 0; c < s->ncl; c++) {
        hash[c] = ls_memo_hash(d + s->cl[c].ds, s->cl[c].de - s->cl[c].ds);
        __builtin_prefetch(&m->slot[(uint32_t)hash[c] & mask]);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        uint32_t first = ls_memo_may_answer(s, &s->cl[c])
                             ? m->slot[(uint32_t)hash[c] & mask]
                             : 0;
        out[c] = first;
        if (first)
            __builtin_prefetch(&m->clause[first - 1]);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        const ls_memo_clause *e = out[c] ? &m->clause[out[c] - 1] : NULL;
        if (e && e->hash == hash[c] && e->len == s->cl[c].de - s->cl[c].ds)
            for (uint32_t k = 0; k < e->len && k < 64 * MEMO_PREFETCH_LINES;
                 k += 64)
                __builtin_prefetch(m->text + e->text + k);
    }
    for (uint32_t c = 0; c < s->ncl; c++) {
        if (!out[c])
            continue;
        /* most often the first entry is the clause: no probing again */
        const ls_memo_clause *e = &m->clause[out[c] - 1];
        const char *t = d + s->cl[c].ds;
        uint32_t n = s->cl[c].de - s->cl[c].ds;
        if (e->hash != hash[c] || e->len != n ||
            memcmp(m->text + e->text, t, n) != 0)
            out[c] = ls_memo_find(m, t, n, hash[c]);
    }
}
