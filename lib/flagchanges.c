/* flagchanges.c -- the fourth stage of a scan's clause pipeline: for a
 * near or partial match, the flags its differences from the template add
 * (set only by inserted or replaced clauses, or by a kept clause whose
 * changed words read another value) or remove (set by template wording
 * that is missing, or a list category no longer found). Pieces of
 * template wording are segmented (segment.h) and run through the engine
 * (engine.h) out of their context, as the input no longer has it. */
#include <stdio.h>
#include <string.h>

#include "flagchanges.h"
#include "markup.h"
#include "restrictions.h"

/* The first two bytes c c in [p, end), or NULL. memchr finds the first
 * byte: memmem is several times slower on a two-byte needle, and these
 * are searched over whole template tails (a truncated text). */
static const char *find_pair(const char *p, const char *end, char c)
{
    while (end - p >= 2) {
        const char *q = memchr(p, c, (size_t)(end - p - 1));
        if (!q)
            return NULL;
        if (q[1] == c)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* The first markup of [t, end) (markup.h): false if there is none. */
static bool next_markup(const char *t, const char *end, const char **open,
                        const char **close)
{
    for (const char *p = find_pair(t, end, '<'); p;
         p = find_pair(p + 1, end, '<')) {
        size_t n = ls_markup_len(p, (size_t)(end - p));
        if (n) {
            *open = p;
            *close = p + n - 2; /* its ">>" */
            return true;
        }
    }
    return false;
}

void ls_append_plain(ls_buf *b, const char *t, size_t n)
{
    const char *end = t + n, *open, *close;
    while (next_markup(t, end, &open, &close)) {
        ls_buf_append(b, t, (size_t)(open - t));
        ls_buf_putc(b, ' ');
        t = close + 2;
    }
    if (t < end)
        ls_buf_append(b, t, (size_t)(end - t));
}

/* Cuts a piece of text (a piece of template wording, or one clause) into
 * clauses in s, the pieces' seg. */
static int segment_piece(seg *s, const char *t, size_t n)
{
    ls_seg_reuse(s, t, n);
    ls_segment(s);
    return s->failed ? LICSCAN_ENOMEM : LICSCAN_OK;
}

/* Runs the rules on a segmented piece out of its context (no lead-ins),
 * leaving what fired in e->f over s. The engine goes back to its text. */
static int rules_on_piece(engine *e, const seg *s)
{
    const seg *saved = e->s;
    uint32_t saved_serial = e->serial;
    e->no_context = true;
    int rc = ls_engine_run(e, s);
    e->no_context = false;
    e->s = saved;
    e->serial = saved_serial;
    return rc;
}

/* Flags the rules find in a piece of template wording (markup removed);
 * `lost` gets the list flags with a constant item the input lacks. The
 * wording is judged without its lead-ins, which the input no longer has:
 * a deleted list item counts as what its list made it. */
static int flags_in_text(engine *e, const licscan_result *r, seg *piece,
                         const char *t, size_t n, uint64_t *mask,
                         uint64_t *lost)
{
    *mask = *lost = 0;
    ls_buf pb;
    ls_buf_init(&pb, e->a);
    const char *open, *close;
    if (next_markup(t, t + n, &open, &close)) {
        ls_append_plain(&pb, t, n);
        if (pb.failed) {
            ls_buf_free(&pb);
            return LICSCAN_ENOMEM;
        }
        t = pb.data;
        n = pb.len;
    } /* else the wording is read where it is */
    int rc = segment_piece(piece, t, n);
    if (!rc)
        rc = rules_on_piece(e, piece);
    for (uint32_t i = 0; i < e->nf && !rc; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr != LS_ATTR_NONE)
            continue;
        *mask |= 1ull << rule->flag;
        if (rule->value_how != LS_VALUE_CONST ||
            licscan_flag_value_type(rule->flag) != LICSCAN_VALUE_LIST)
            continue;
        const licscan_restriction *x =
            licscan_result_find_restriction(r, rule->flag);
        if (x && !ls_has_item(x, rule->value_arg))
            *lost |= 1ull << rule->flag;
    }
    ls_buf_free(&pb);
    return rc;
}

/* A value the rules read, as a flag and a short key ("" for a bool). */
typedef struct value_key {
    uint32_t flag, rule;
    char key[96];
} value_key;

#define MAX_VALUE_KEYS 32

typedef struct value_set {
    value_key v[MAX_VALUE_KEYS];
    uint32_t n;
} value_set;

static bool value_set_has(const value_set *vs, const value_key *k)
{
    for (uint32_t i = 0; i < vs->n; i++)
        if (vs->v[i].flag == k->flag && strcmp(vs->v[i].key, k->key) == 0)
            return true;
    return false;
}

/* What fired on the text's clause `from` by its own words, as if on the
 * piece s, when s is that clause alone: e->f gets it, true. */
static bool recall_clause(engine *e, const seg *s, uint32_t from)
{
    const clause *c = &e->s->cl[from];
    uint32_t len = c->de - c->ds;
    if (s->ncl != 1 || s->cl[0].de - s->cl[0].ds != len ||
        memcmp(s->disp.data + s->cl[0].ds, e->s->disp.data + c->ds, len))
        return false;
    e->nf = 0;
    for (uint32_t i = 0; i < e->nalone && !e->rc; i++) {
        if (e->alone[i].clause != from)
            continue;
        fired f = e->alone[i];
        f.clause = 0;
        move_spans(&f.vs, &f.ve, &f.qs, &f.qe, c->ds, s->cl[0].ds);
        if (!(e->rc = LS_GROW(e->a, e->f, e->f_cap, e->nf + 1)))
            e->f[e->nf++] = f;
    }
    return true;
}

/* The values the rules read in one piece of text, out of its context
 * (no lead-ins): both sides of a comparison are read the same way. A
 * piece that is the text's clause `from` (UINT32_MAX: none) again takes
 * what the rules found there. */
static int values_in_text(engine *e, seg *piece, const char *t, size_t n,
                          uint32_t from, value_set *out)
{
    out->n = 0;
    const seg *s = piece;
    int rc = segment_piece(piece, t, n);
    if (from != UINT32_MAX) {
        if (!rc && !recall_clause(e, s, from))
            rc = rules_on_piece(e, s);
        rc = rc ? rc : e->rc;
    } else if (!rc) {
        rc = rules_on_piece(e, s);
    }
    for (uint32_t i = 0; i < e->nf && !rc && out->n < MAX_VALUE_KEYS; i++) {
        const fired *f = &e->f[i];
        const ls_rule *rule = e->db->rules.v[f->rule];
        if (rule->attr != LS_ATTR_NONE)
            continue;
        value_key k = { .flag = rule->flag, .rule = rule->priority };
        if (rule->value_how == LS_VALUE_CONST) {
            snprintf(k.key, sizeof(k.key), "%s", rule->value_arg);
        } else if (rule->value_how == LS_VALUE_NUMBER) {
            snprintf(k.key, sizeof(k.key), "%lld", (long long)f->number);
        } else if (rule->value_how == LS_VALUE_CAPTURE) {
            uint32_t vs = f->vs, ve = f->ve;
            const char *d = s->disp.data;
            ls_trim_value(d, &vs, &ve);
            size_t len =
                ve - vs < sizeof(k.key) - 1 ? ve - vs : sizeof(k.key) - 1;
            for (size_t j = 0; j < len; j++) {
                char c = d[vs + j];
                k.key[j] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
            k.key[len] = 0;
        }
        /* a list holds every item; another flag the value of the rule
         * loaded first, as in the result */
        uint32_t at = out->n;
        if (licscan_flag_value_type(k.flag) != LICSCAN_VALUE_LIST)
            for (uint32_t j = 0; j < out->n; j++)
                if (out->v[j].flag == k.flag)
                    at = j;
        if (at < out->n && out->v[at].rule > k.rule)
            out->v[at] = k;
        else if (at == out->n && !value_set_has(out, &k))
            out->v[out->n++] = k;
    }
    return rc;
}

static int add_change(licscan_result *r, licscan_match *m, uint32_t cap,
                      uint32_t flag, bool added, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < m->nchanges; i++)
        if (m->changes[i].flag == flag && m->changes[i].added == added)
            return LICSCAN_OK;
    if (!m->changes) {
        m->changes = ls_arena_alloc(&r->arena, cap * sizeof(ls_flag_change));
        if (!m->changes)
            return LICSCAN_ENOMEM;
    }
    if (m->nchanges < cap)
        m->changes[m->nchanges++] = (ls_flag_change){
            .flag = flag, .added = added, .start = start, .end = end
        };
    return LICSCAN_OK;
}

static bool inside(uint64_t s, uint64_t e, const licscan_match *m)
{
    return s < m->end && e > m->start;
}

/* The decoded-text offset of input offset `off`: the first decoded byte
 * at or after it. */
static uint64_t decoded_offset(const ls_text *t, uint64_t off)
{
    if (!t->map)
        return off;
    size_t lo = 0, hi = t->len; /* map[len] is the input's length */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->map[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Is half the clause or more new wording? Measured in decoded text: input
 * bytes would give UTF-16 another answer than UTF-8 for the same text. */
static bool changed_clause(const licscan_match *m, const ls_evidence *ev,
                           const ls_text *text)
{
    uint64_t covered = 0;
    uint64_t es = decoded_offset(text, ev->start),
             ee = decoded_offset(text, ev->end);
    for (uint32_t d = 0; d < m->ndiffs; d++) {
        const ls_diff *df = &m->diffs[d];
        if (df->op != LICSCAN_DIFF_INSERTED &&
            df->op != LICSCAN_DIFF_REPLACED && df->op != LICSCAN_DIFF_VARIABLE)
            continue;
        if (df->end <= ev->start || df->start >= ev->end)
            continue;
        uint64_t ds = decoded_offset(text, df->start),
                 de = decoded_offset(text, df->end);
        uint64_t s = ds > es ? ds : es;
        uint64_t e = de < ee ? de : ee;
        if (e > s)
            covered += e - s;
    }
    return covered * 2 >= ee - es;
}

/* A list number or letter on its own: "1", "b", "iv". */
static bool marker_like(const char *p, size_t n)
{
    if (!n || n > 4)
        return false;
    bool digits = true;
    for (size_t i = 0; i < n; i++)
        digits &= p[i] >= '0' && p[i] <= '9';
    return digits || (n == 1 && p[0] >= 'a' && p[0] <= 'z') || is_roman(p, n);
}

/* Does a diff that changes wording (not a var's text) touch [s, e)? */
static bool wording_diff_in(const ls_diff *df, uint64_t s, uint64_t e)
{
    if (df->op == LICSCAN_DIFF_DELETED)
        return df->start > s && df->start < e && df->template_text[0];
    return (df->op == LICSCAN_DIFF_INSERTED ||
            df->op == LICSCAN_DIFF_REPLACED) &&
           df->start < e && df->end > s;
}

/* The first display byte of [k, end) whose input offset is at least
 * `at` (end if none); *run follows k forward, as map_next_at's. Offsets
 * never fall along a run (its bytes are decoded bytes in order, or all one
 * byte, and decoding keeps the input's order), so a run whose last byte is
 * still before `at` is passed in one step. */
static uint32_t display_reaching(const seg *s, const ls_text *text,
                                 uint32_t *run, uint32_t k, uint32_t end,
                                 uint64_t at)
{
    while (k < end) {
        ls_seg_map_next_at(s, run, k);
        const map_run *r = &s->runs[*run];
        uint32_t last = end - 1;
        if (*run + 1 < s->nruns && s->runs[*run + 1].d - 1 < last)
            last = s->runs[*run + 1].d - 1;
        if (ls_text_input_offset(text, offset_in_run(r, last)) < at) {
            k = last + 1;
            continue;
        }
        while (ls_text_input_offset(text, offset_in_run(r, k)) < at)
            k++;
        return k;
    }
    return end;
}

/* Is a flag that holds one value (not a list) still set inside the match
 * by a clause other than ev's? Then the clause's changed words that no
 * longer read it remove nothing: the flag stands, as a deletion of
 * wording that sets a flag the match has is no removal either. A list's
 * item is compared by value, as each item counts. */
static bool set_elsewhere(const licscan_result *r, const licscan_match *m,
                          uint32_t flag, const ls_evidence *ev)
{
    if (licscan_flag_value_type(flag) == LICSCAN_VALUE_LIST)
        return false;
    const licscan_restriction *x = licscan_result_find_restriction(r, flag);
    for (uint32_t k = 0; x && k < x->nev; k++)
        if (x->ev[k].start != ev->start &&
            inside(x->ev[k].start, x->ev[k].end, m))
            return true;
    return false;
}

/* A clause kept from the template with some words changed may say
 * something else: "display "Powered by Llama"" for "Built with Llama".
 * Read the clause as it is and as the template has it (its changed words
 * put back) and report the values that differ: new ones as added, lost
 * ones as removed. */
static int changed_values(engine *e, licscan_result *r, licscan_match *m,
                          const ls_text *text, seg *piece, uint32_t cap,
                          const ls_evidence *ev, ls_buf *tb, value_set *now,
                          value_set *before)
{
    bool touched = false;
    for (uint32_t di = 0; di < m->ndiffs && !touched; di++)
        touched = wording_diff_in(&m->diffs[di], ev->start, ev->end);
    if (!touched)
        return LICSCAN_OK;
    const seg *s = e->s;
    const clause *c = NULL;
    uint32_t run = 0; /* clauses are in display order */
    for (uint32_t i = 0; i < s->ncl && !c; i++) {
        size_t ts, te;
        if (ls_text_input_offset(
                text, ls_seg_map_next_at(s, &run, s->cl[i].ds)) != ev->start)
            continue;
        ls_seg_source_span(s, s->cl[i].ds, s->cl[i].de, &ts, &te);
        if (ls_text_input_offset(text, te) == ev->end)
            c = &s->cl[i];
    }
    if (!c)
        return LICSCAN_OK;
    run = ls_seg_run_of(s, c->ds);
    const char *d = s->disp.data;
    tb->len = 0;
    tb->failed = false;
    const ls_diff *first = NULL;
    uint32_t k = c->ds;
    for (uint32_t di = 0; di < m->ndiffs; di++) {
        const ls_diff *df = &m->diffs[di];
        if (!wording_diff_in(df, ev->start, ev->end))
            continue;
        if (!first)
            first = df;
        /* display bytes before the diff stay; those inside give way to
         * the template's words */
        uint32_t kept = k;
        k = display_reaching(s, text, &run, k, c->de, df->start);
        ls_buf_append(tb, d + kept, k - kept);
        uint32_t run1 = run;
        uint32_t k1 = display_reaching(s, text, &run1, k, c->de, df->end);
        if (df->op == LICSCAN_DIFF_INSERTED && marker_like(d + k, k1 - k))
            continue; /* "to: 1. Violate": a list number run into the text */
        /* the diff's words, spaced from their neighbours only as words */
        const char *w = df->template_text;
        if (tb->len && alnum((unsigned char)tb->data[tb->len - 1]) &&
            alnum((unsigned char)w[0]))
            ls_buf_putc(tb, ' ');
        ls_append_plain(tb, w, strlen(w));
        k = k1;
        run = run1;
        if (k < c->de && tb->len &&
            alnum((unsigned char)tb->data[tb->len - 1]) &&
            alnum((unsigned char)d[k]))
            ls_buf_putc(tb, ' ');
    }
    if (!first)
        return LICSCAN_OK;
    ls_buf_append(tb, d + k, c->de - k);
    if (tb->failed)
        return LICSCAN_ENOMEM;
    /* the same words both ways (only list numbers differed): the same
     * values, read or not */
    if (tb->len == c->de - c->ds && memcmp(tb->data, d + c->ds, tb->len) == 0)
        return LICSCAN_OK;
    int rc = values_in_text(e, piece, d + c->ds, c->de - c->ds,
                            (uint32_t)(c - s->cl), now);
    if (!rc)
        rc = values_in_text(e, piece, tb->data, tb->len, UINT32_MAX, before);
    for (uint32_t i = 0; i < now->n && !rc; i++)
        if (!value_set_has(before, &now->v[i]))
            rc =
                add_change(r, m, cap, now->v[i].flag, true, ev->start, ev->end);
    for (uint32_t i = 0; i < before->n && !rc; i++)
        if (!value_set_has(now, &before->v[i]) &&
            !set_elsewhere(r, m, before->v[i].flag, ev))
            rc = add_change(r, m, cap, before->v[i].flag, false, first->start,
                            first->end);
    return rc;
}

int ls_flag_changes(engine *e, licscan_result *r, licscan_match *m,
                    const ls_text *text, seg *piece)
{
    const uint32_t cap = 2 * licscan_flag_count();
    uint64_t present = 0; /* flags with evidence inside the match */
    /* the kept clauses with evidence inside the match, each once (by
     * start), up to 64: changed_values reads them last */
    const ls_evidence *kept_ev[64];
    uint32_t nkept = 0;
    for (uint32_t i = 0; i < r->nrestr; i++) {
        const licscan_restriction *x = &r->restr[i];
        bool any = false, kept = false;
        const ls_evidence *first_new = NULL;
        for (uint32_t k = 0; k < x->nev; k++) {
            const ls_evidence *ev = &x->ev[k];
            if (!inside(ev->start, ev->end, m))
                continue;
            any = true;
            if (changed_clause(m, ev, text)) {
                if (!first_new)
                    first_new = ev;
                continue;
            }
            kept = true;
            bool seen = false;
            for (uint32_t j = 0; j < nkept && !seen; j++)
                seen = kept_ev[j]->start == ev->start;
            if (!seen && nkept < 64)
                kept_ev[nkept++] = ev;
        }
        if (any)
            present |= 1ull << x->flag;
        int rc;
        if (any && !kept &&
            (rc = add_change(r, m, cap, x->flag, true, first_new->start,
                             first_new->end)))
            return rc;
    }
    /* Deleted wording matters by the flags it sets that the match lacks,
     * and by list items the result lacks: only rules that can tell run. */
    uint8_t *want = ls_malloc(e->a, e->db->rules.n + 1);
    if (!want)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < e->db->rules.n; i++) {
        const ls_rule *rule = e->db->rules.v[i];
        const licscan_restriction *x = NULL;
        if (rule->attr != LS_ATTR_NONE)
            want[i] = WANT_NEVER; /* sets no flag */
        else if (rule->value_how == LS_VALUE_CONST &&
                 licscan_flag_value_type(rule->flag) == LICSCAN_VALUE_LIST &&
                 (x = licscan_result_find_restriction(r, rule->flag)) &&
                 !ls_has_item(x, rule->value_arg))
            want[i] = WANT_ALWAYS;
        else
            want[i] = present >> rule->flag & 1 ? WANT_NEVER : WANT_UNTIL_FOUND;
    }
    e->want = want;
    int rc = LICSCAN_OK;
    for (uint32_t d = 0; d < m->ndiffs && !rc; d++) {
        const ls_diff *df = &m->diffs[d];
        if ((df->op != LICSCAN_DIFF_DELETED &&
             df->op != LICSCAN_DIFF_REPLACED) ||
            !df->template_text[0])
            continue;
        uint64_t mask, lost;
        rc = flags_in_text(e, r, piece, df->template_source,
                           df->template_source_len, &mask, &lost);
        mask = (mask & ~present) | lost;
        for (uint32_t f = 0; mask && f < licscan_flag_count() && !rc; f++)
            if (mask & (1ull << f))
                rc = add_change(r, m, cap, f, false, df->start, df->end);
    }
    e->want = NULL;
    ls_free(e->a, want);
    if (rc)
        return rc;
    /* each kept clause with changed wording, once */
    value_set *sets = ls_malloc(e->a, 2 * sizeof(value_set));
    if (!sets)
        return LICSCAN_ENOMEM;
    ls_buf tb;
    ls_buf_init(&tb, e->a);
    for (uint32_t i = 0; i < nkept && !rc; i++)
        rc = changed_values(e, r, m, text, piece, cap, kept_ev[i], &tb,
                            &sets[0], &sets[1]);
    ls_buf_free(&tb);
    ls_free(e->a, sets);
    return rc;
}

int ls_flag_change_add(licscan_result *r, licscan_match *m, uint32_t flag,
                       bool added, uint64_t start, uint64_t end)
{
    return add_change(r, m, 2 * licscan_flag_count(), flag, added, start, end);
}
