/* restrictions.c -- the third stage of a scan's clause pipeline: the
 * rules that fired (engine.h) become result->restr, one restriction per
 * flag in flag order, with its value, qualifier, list items and evidence
 * (byte span, clause text, label, rule id). What the flags are and the
 * openness verdict over them are restrict.c's. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "restrictions.h"

/* A captured value without the quotes, brackets and spaces around it. */
void ls_trim_value(const char *d, uint32_t *vs, uint32_t *ve)
{
    while (*vs < *ve && strchr(" \"'([", d[*vs]))
        (*vs)++;
    while (*ve > *vs && strchr(" \"'),;:]", d[*ve - 1]))
        (*ve)--;
}

static const char *value_text(licscan_result *r, const seg *s, uint32_t vs,
                              uint32_t ve)
{
    ls_trim_value(s->disp.data, &vs, &ve);
    return ls_arena_strndup(&r->arena, s->disp.data + vs, ve - vs);
}

bool ls_has_item(const licscan_restriction *x, const char *v)
{
    /* a rule's constant item is the same pointer each time it fires:
     * found without comparing letters */
    for (uint32_t i = 0; i < x->nitems; i++)
        if (x->items[i] == v)
            return true;
    /* the first letters decide most: strcasecmp compares them the same
     * way (tolower), and a call costs more than the test */
    int first = tolower((unsigned char)v[0]);
    for (uint32_t i = 0; i < x->nitems; i++)
        if (tolower((unsigned char)x->items[i][0]) == first &&
            strcasecmp(x->items[i], v) == 0)
            return true;
    return false;
}

/* Fill r->restr from e->f (all fired rules of the whole text). */
int ls_build_restrictions(licscan_result *r, const engine *e,
                          const licscan_scan_options *o, const ls_text *text)
{
    const uint32_t nflags = licscan_flag_count();
    uint32_t count[64] = { 0 };
    for (uint32_t i = 0; i < e->nf; i++)
        count[e->db->rules.v[e->f[i].rule]->flag]++;
    uint32_t n = 0;
    for (uint32_t f = 0; f < nflags; f++)
        n += count[f] > 0;
    if (!n)
        return LICSCAN_OK;
    r->restr = ls_arena_alloc(&r->arena, n * sizeof(licscan_restriction));
    if (!r->restr)
        return LICSCAN_ENOMEM;
    memset(r->restr, 0, n * sizeof(licscan_restriction));
    licscan_restriction *slot[64] = { 0 };
    for (uint32_t f = 0; f < nflags; f++) {
        if (!count[f])
            continue;
        licscan_restriction *x = &r->restr[r->nrestr++];
        slot[f] = x;
        x->flag = f;
        x->text = x->qualifier = "";
        uint32_t cap = count[f] < o->max_evidence ? count[f] : o->max_evidence;
        x->ev = ls_arena_alloc(&r->arena, (cap + 1) * sizeof(ls_evidence));
        x->items = ls_arena_alloc(&r->arena, (count[f] + 1) * sizeof(char *));
        if (!x->ev || !x->items)
            return LICSCAN_ENOMEM;
        x->ev_cap = cap;
        x->items_cap = count[f];
    }
    const seg *s = e->s;
    /* A single value comes from the rule loaded first among those that
     * fired (rule order is priority: "network" copyleft before "strong"),
     * then from the earliest clause; list items come in text order. */
    uint32_t value_rule[64], qualifier_rule[64];
    for (uint32_t f = 0; f < 64; f++)
        value_rule[f] = qualifier_rule[f] = UINT32_MAX;
    for (uint32_t i = 0; i < e->nf; i++) {
        const fired *fi = &e->f[i];
        const ls_rule *rule = e->db->rules.v[fi->rule];
        licscan_restriction *x = slot[rule->flag];
        const clause *c = &s->cl[fi->clause];
        uint32_t type = licscan_flag_value_type(rule->flag);
        const char *v = NULL;
        if (rule->value_how == LS_VALUE_CAPTURE)
            v = value_text(r, s, fi->vs, fi->ve);
        else if (rule->value_how == LS_VALUE_CONST)
            v = rule->value_arg;
        if (rule->value_how == LS_VALUE_CAPTURE && !v)
            return LICSCAN_ENOMEM;
        bool gives_value = type == LICSCAN_VALUE_NUMBER ||
                           (type == LICSCAN_VALUE_TEXT && v && *v);
        if (gives_value && rule->priority < value_rule[rule->flag]) {
            value_rule[rule->flag] = rule->priority;
            x->number = fi->number;
            if (type == LICSCAN_VALUE_TEXT)
                x->text = v;
        }
        if (type == LICSCAN_VALUE_LIST && v && *v && !ls_has_item(x, v))
            x->items[x->nitems++] = v;
        bool gives_qualifier =
            rule->qualifier_how == LS_VALUE_CONST ||
            (rule->qualifier_how == LS_VALUE_CAPTURE && fi->qs != UINT32_MAX);
        if (gives_qualifier && rule->priority < qualifier_rule[rule->flag]) {
            const char *q = rule->qualifier_how == LS_VALUE_CONST
                                ? rule->qualifier_arg
                                : value_text(r, s, fi->qs, fi->qe);
            if (!q)
                return LICSCAN_ENOMEM;
            qualifier_rule[rule->flag] = rule->priority;
            x->qualifier = q;
        }
        /* one evidence per clause, from the first rule that fired on it */
        size_t ts, te;
        ls_seg_source_span(s, c->ds, c->de, &ts, &te);
        uint64_t is = ls_text_input_offset(text, ts);
        if (x->nev && x->ev[x->nev - 1].start == is)
            continue;
        if (x->nev == x->ev_cap) {
            r->input_flags |= LICSCAN_INPUT_TRUNCATED_EVIDENCE;
            continue;
        }
        ls_evidence *ev = &x->ev[x->nev++];
        ev->start = is;
        ev->end = ls_text_input_offset(text, te);
        ev->text =
            ls_arena_strndup(&r->arena, s->disp.data + c->ds, c->de - c->ds);
        const char *label = s->labels.data + c->label;
        ev->label = ls_arena_strndup(&r->arena, label, strlen(label));
        ev->rule = rule->id;
        if (!ev->text || !ev->label)
            return LICSCAN_ENOMEM;
    }
    return LICSCAN_OK;
}
