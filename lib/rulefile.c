/* rulefile.c -- clause rules as data: the rule-file parser (errors with
 * file:line:col through error.c), rule freeing, and adding rules to a
 * database (ls_rules_add, licscan_db_add_rules), where a rule whose id is
 * loaded already replaces it and takes its place in the priority order.
 * The first stage of the clause pipeline, run when a database is loaded;
 * see clauses.c for the stages of a scan. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "keywords.h"

typedef struct rule_parser {
    licscan_db *db;
    const char *source;
    uint32_t line;
    ls_rule **v; /* rules of this text, not yet in the database */
    uint32_t n, cap;
    ls_rule *cur;
} rule_parser;

static void pattern_free(const ls_alloc *a, ls_pattern *p)
{
    if (!p)
        return;
    /* the caller has ended every scan, so their stores to run are seen */
    pcre2_code *run = atomic_load_explicit(&p->run, memory_order_acquire);
    pcre2_code *code = atomic_load_explicit(&p->code, memory_order_acquire);
    if (run != code)
        pcre2_code_free(run);
    pcre2_code_free(code);
    ls_pattern_need_free(a, p);
    ls_free(a, p->source);
    ls_free(a, p);
}

static void rule_free(licscan_db *db, ls_rule *r)
{
    if (!r)
        return;
    const ls_alloc *a = &db->alloc;
    for (uint32_t i = 0; i < r->nkeywords; i++)
        ls_free(a, r->keywords[i]);
    ls_free(a, r->keywords);
    for (uint32_t i = 0; i < r->nmatch; i++)
        pattern_free(a, r->match[i]);
    ls_free(a, r->match);
    for (uint32_t i = 0; i < r->nunless; i++)
        pattern_free(a, r->unless[i]);
    ls_free(a, r->unless);
    pattern_free(a, r->within);
    ls_free(a, r->within_src);
    pattern_free(a, r->unless_anywhere);
    ls_free(a, r->id);
    ls_free(a, r->value_arg);
    ls_free(a, r->qualifier_arg);
    ls_free(a, r->source);
    ls_free(a, r);
}

static int parse_error(rule_parser *p, uint32_t col, const char *what)
{
    ls_error_set(&p->db->err, p->source, p->line, col, "%s:%u:%u: %s",
                 p->source, p->line, col, what);
    return LICSCAN_ERULE;
}

/* A blank inside a rule-file line (lines are cut at '\n'). */

/* Capture groups of a pattern not compiled yet, at most: with
 * NO_AUTO_CAPTURE only named groups capture, and each is written
 * "(?<name", "(?P<name" or "(?'name". */
static uint32_t named_groups_at_most(const char *pat, size_t n)
{
    uint32_t g = 0;
    for (size_t i = 0; i + 3 < n; i++) {
        if (pat[i] != '(' || pat[i + 1] != '?')
            continue;
        size_t k = i + 2;
        if (pat[k] == 'P')
            k++;
        if (k + 1 < n && (pat[k] == '<' || pat[k] == '\'') &&
            pat[k + 1] != '=' && pat[k + 1] != '!')
            g++;
    }
    return g;
}

static int compile_rule_pattern(rule_parser *p, const char *pat, size_t n,
                                uint32_t col, ls_pattern **out)
{
    pcre2_code *code = NULL;
    if (!p->db->lazy_patterns) {
        int ec;
        PCRE2_SIZE eo;
        code = pcre2_compile((PCRE2_SPTR)pat, n, LS_RULE_PATTERN_OPTIONS, &ec,
                             &eo, p->db->cctx);
        if (!code) {
            if (ec == PCRE2_ERROR_NOMEMORY || ec == PCRE2_ERROR_HEAP_FAILED)
                return LICSCAN_ENOMEM;
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(ec, msg, sizeof(msg));
            char what[224];
            snprintf(what, sizeof(what), "bad pattern: %s",
                     (const char *)msg);
            return parse_error(p, col + (uint32_t)eo, what);
        }
    }
    ls_pattern *lp = ls_malloc(&p->db->alloc, sizeof(*lp));
    char *source = lp ? ls_strndup(&p->db->alloc, pat, n) : NULL;
    if (!source) {
        ls_free(&p->db->alloc, lp);
        pcre2_code_free(code);
        return LICSCAN_ENOMEM;
    }
    atomic_init(&lp->code, code);
    lp->source = source; /* the prefilter reads it at the first check */
    lp->source_len = (uint32_t)n;
    lp->ngroups = 0;
    if (code)
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &lp->ngroups);
    else
        lp->ngroups = named_groups_at_most(pat, n);
    atomic_init(&lp->need, NULL);
    /* The JIT compile is left to the first run (engine.c's pattern_code):
     * it would be most of the open time, and most rules never run on a
     * given text.
     * With an allocator hook the JIT is left out: PCRE2's JIT compiler
     * (10.42) crashes when one of its allocations fails, and a hook is how
     * callers make them fail. */
    atomic_init(&lp->run, p->db->custom_allocator ? code : NULL);
    *out = lp;
    return LICSCAN_OK;
}

static int append_code(const ls_alloc *a, ls_pattern ***arr, uint32_t *n,
                       ls_pattern *code)
{
    ls_pattern **v =
        ls_realloc(a, *arr, *n * sizeof(**arr), (*n + 1) * sizeof(**arr));
    if (!v) {
        pattern_free(a, code);
        return LICSCAN_ENOMEM;
    }
    v[(*n)++] = code;
    *arr = v;
    return LICSCAN_OK;
}

/* The alternative of "a | b | c" that starts at s[i]: its bytes without
 * surrounding blanks in [*b, *e); returns where it ends (the '|' or n). */
static size_t next_alternative(const char *s, size_t n, size_t i, size_t *b,
                               size_t *e)
{
    size_t j = i;
    while (j < n && s[j] != '|')
        j++;
    *b = i;
    *e = j;
    while (*b < *e && ls_is_blank(s[*b]))
        (*b)++;
    while (*e > *b && ls_is_blank(s[*e - 1]))
        (*e)--;
    return j;
}

static int parse_keywords(rule_parser *p, const char *s, size_t n, uint32_t col)
{
    const ls_alloc *a = &p->db->alloc;
    ls_rule *r = p->cur;
    size_t i = 0;
    while (i <= n) {
        size_t b, e, j = next_alternative(s, n, i, &b, &e);
        if (e - b < MIN_KEYWORD)
            return parse_error(p, col + (uint32_t)b,
                               "keyword shorter than 3 bytes");
        char **v = ls_realloc(a, r->keywords, r->nkeywords * sizeof(char *),
                              (r->nkeywords + 1) * sizeof(char *));
        if (!v)
            return LICSCAN_ENOMEM;
        r->keywords = v;
        char *k = ls_strndup(a, s + b, e - b);
        if (!k)
            return LICSCAN_ENOMEM;
        for (char *c = k; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        r->keywords[r->nkeywords++] = k;
        i = j + 1;
    }
    return LICSCAN_OK;
}

/* "true" | "number GROUP" | "capture GROUP" | "const TEXT" */
static int parse_value(rule_parser *p, const char *s, size_t n, uint32_t col,
                       bool qualifier)
{
    size_t w = 0;
    while (w < n && !ls_is_blank(s[w]))
        w++;
    size_t a0 = w;
    while (a0 < n && ls_is_blank(s[a0]))
        a0++;
    uint32_t how;
    if (w == 4 && memcmp(s, "true", 4) == 0 && !qualifier)
        how = LS_VALUE_TRUE;
    else if (w == 6 && memcmp(s, "number", 6) == 0 && !qualifier)
        how = LS_VALUE_NUMBER;
    else if (w == 7 && memcmp(s, "capture", 7) == 0)
        how = LS_VALUE_CAPTURE;
    else if (w == 5 && memcmp(s, "const", 5) == 0)
        how = LS_VALUE_CONST;
    else
        return parse_error(p, col,
                           qualifier ? "qualifier must be capture GROUP or "
                                       "const TEXT"
                                     : "value must be true, number GROUP, "
                                       "capture GROUP or const TEXT");
    if (how != LS_VALUE_TRUE && a0 == n)
        return parse_error(p, col + (uint32_t)w, "missing argument");
    if (how == LS_VALUE_TRUE && a0 != n)
        return parse_error(p, col + (uint32_t)a0, "unexpected argument");
    char *arg = NULL;
    if (how != LS_VALUE_TRUE) {
        size_t e = n;
        while (e > a0 && ls_is_blank(s[e - 1]))
            e--;
        if (!(arg = ls_strndup(&p->db->alloc, s + a0, e - a0)))
            return LICSCAN_ENOMEM;
    }
    ls_rule *r = p->cur;
    if (qualifier) {
        ls_free(&p->db->alloc, r->qualifier_arg);
        r->qualifier_how = how;
        r->qualifier_arg = arg;
    } else {
        ls_free(&p->db->alloc, r->value_arg);
        r->value_how = how;
        r->value_arg = arg;
    }
    return LICSCAN_OK;
}

/* Every match pattern must define the group a value reads. */
static int check_group(rule_parser *p, const char *group, uint32_t col)
{
    ls_rule *r = p->cur;
    if (p->db->lazy_patterns)
        return LICSCAN_OK; /* checked when the rules were compiled */
    for (uint32_t i = 0; i < r->nmatch; i++)
        if (pcre2_substring_number_from_name(
                atomic_load_explicit(&r->match[i]->code, memory_order_relaxed),
                (PCRE2_SPTR)group) < 0) {
            char what[200];
            snprintf(what, sizeof(what),
                     "rule %s: match pattern %u has no group (?<%.60s>...)",
                     r->id, i + 1, group);
            return parse_error(p, col, what);
        }
    return LICSCAN_OK;
}

/* The rule being parsed, checked, joins the parsed ones. */
static int keep_rule(rule_parser *p, ls_rule *r)
{
    int rc = LS_GROW(&p->db->alloc, p->v, p->cap, p->n + 1);
    if (rc)
        return rc;
    p->v[p->n++] = r;
    p->cur = NULL;
    return LICSCAN_OK;
}

static int finish_rule(rule_parser *p, uint32_t col)
{
    ls_rule *r = p->cur;
    char what[160];
    if (r->flag == UINT32_MAX) {
        snprintf(what, sizeof(what), "rule %s has no flag", r->id);
        return parse_error(p, col, what);
    }
    if (!r->nmatch) {
        snprintf(what, sizeof(what), "rule %s has no match pattern", r->id);
        return parse_error(p, col, what);
    }
    if (r->attr == LS_ATTR_NONE && (r->attr_of & (r->attr_of - 1))) {
        snprintf(what, sizeof(what),
                 "rule %s sets one flag (several: attribute rules only)",
                 r->id);
        return parse_error(p, col, what);
    }
    int rc;
    if (r->attr != LS_ATTR_NONE) {
        if (r->value_how != LS_VALUE_CAPTURE &&
            r->value_how != LS_VALUE_CONST) {
            snprintf(what, sizeof(what),
                     "rule %s: an attribute needs value capture or const",
                     r->id);
            return parse_error(p, col, what);
        }
        if ((r->attr == LS_ATTR_CONSEQUENCE || r->attr == LS_ATTR_MEASURE) &&
            (r->value_how != LS_VALUE_CONST ||
             !ls_attr_code(r->attr, r->value_arg))) {
            snprintf(what, sizeof(what), "rule %s: %s", r->id,
                     r->attr == LS_ATTR_CONSEQUENCE
                         ? "consequence must be const license_required, "
                           "duty or fee"
                         : "measure must be const monthly_active_users, "
                           "daily_active_users, users, visits or revenue");
            return parse_error(p, col, what);
        }
        if (r->value_how == LS_VALUE_CAPTURE &&
            (rc = check_group(p, r->value_arg, col)))
            return rc;
        return keep_rule(p, r);
    }
    uint32_t type = licscan_flag_value_type(r->flag);
    if (type == LICSCAN_VALUE_NUMBER && r->value_how != LS_VALUE_NUMBER) {
        snprintf(what, sizeof(what), "rule %s: flag %s needs value number",
                 r->id, licscan_flag_name(r->flag));
        return parse_error(p, col, what);
    }
    if (type != LICSCAN_VALUE_NUMBER && r->value_how == LS_VALUE_NUMBER) {
        snprintf(what, sizeof(what), "rule %s: flag %s holds no number", r->id,
                 licscan_flag_name(r->flag));
        return parse_error(p, col, what);
    }
    if (type == LICSCAN_VALUE_LIST && r->value_how == LS_VALUE_TRUE) {
        snprintf(what, sizeof(what),
                 "rule %s: list flag %s needs value capture or const", r->id,
                 licscan_flag_name(r->flag));
        return parse_error(p, col, what);
    }
    if ((r->value_how == LS_VALUE_NUMBER || r->value_how == LS_VALUE_CAPTURE) &&
        (rc = check_group(p, r->value_arg, col)))
        return rc;
    if (r->qualifier_how == LS_VALUE_CAPTURE &&
        (rc = check_group(p, r->qualifier_arg, col)))
        return rc;
    return keep_rule(p, r);
}

static int parse_line(rule_parser *p, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && ls_is_blank(s[i]))
        i++;
    if (i == n || s[i] == '#')
        return LICSCAN_OK;
    size_t w = i;
    while (w < n && !ls_is_blank(s[w]))
        w++;
    size_t a0 = w;
    while (a0 < n && ls_is_blank(s[a0]))
        a0++;
    size_t e = n;
    while (e > a0 && ls_is_blank(s[e - 1]))
        e--;
    const char *dir = s + i, *arg = s + a0;
    size_t dl = w - i, al = e - a0;
    uint32_t col = (uint32_t)i + 1, acol = (uint32_t)a0 + 1;
    const ls_alloc *a = &p->db->alloc;
#define IS(word) (dl == sizeof(word) - 1 && memcmp(dir, word, dl) == 0)
    if (!p->cur) {
        if (!IS("rule"))
            return parse_error(p, col, "expected `rule ID`");
        if (!al)
            return parse_error(p, acol, "rule needs an id");
        for (size_t k = 0; k < al; k++) {
            char c = arg[k];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
                return parse_error(p, acol + (uint32_t)k,
                                   "rule id may hold letters, digits, - _ .");
        }
        ls_rule *r = ls_calloc(a, 1, sizeof(*r));
        if (!r)
            return LICSCAN_ENOMEM;
        p->cur = r;
        r->flag = UINT32_MAX;
        r->value_how = LS_VALUE_TRUE;
        r->qualifier_how = LS_VALUE_TRUE;
        r->line = p->line;
        r->col = col;
        if (!(r->id = ls_strndup(a, arg, al)) ||
            !(r->source = ls_strndup(a, p->source, strlen(p->source))))
            return LICSCAN_ENOMEM;
        return LICSCAN_OK;
    }
    ls_rule *r = p->cur;
    if (IS("end")) {
        if (al)
            return parse_error(p, acol, "unexpected text after end");
        return finish_rule(p, col);
    }
    if (!al)
        return parse_error(p, col, "directive needs an argument");
    if (IS("flag")) {
        /* one flag; an attribute rule may name several: "a | b" */
        r->attr_of = 0;
        r->flag = UINT32_MAX;
        for (size_t i0 = 0; i0 < al;) {
            size_t b, e2, j = next_alternative(arg, al, i0, &b, &e2);
            char name[64];
            snprintf(name, sizeof(name), "%.*s",
                     (int)(e2 - b < 63 ? e2 - b : 63), arg + b);
            int f = licscan_flag_lookup(name);
            if (f < 0 || e2 - b >= 63)
                return parse_error(p, acol + (uint32_t)b, "unknown flag");
            if (r->flag == UINT32_MAX)
                r->flag = (uint32_t)f;
            r->attr_of |= 1ull << f;
            i0 = j + 1;
        }
        return LICSCAN_OK;
    }
    if (IS("attribute")) {
        static const char *const names[] = { "", "scope", "period",
                                             "consequence", "measure" };
        r->attr = LS_ATTR_NONE;
        for (uint32_t k = 1; k < sizeof(names) / sizeof(names[0]); k++)
            if (al == strlen(names[k]) && memcmp(arg, names[k], al) == 0)
                r->attr = k;
        if (r->attr == LS_ATTR_NONE)
            return parse_error(p, acol,
                               "attribute must be scope, period, "
                               "consequence or measure");
        return LICSCAN_OK;
    }
    if (IS("keywords"))
        return parse_keywords(p, arg, al, acol);
    if (IS("value"))
        return parse_value(p, arg, al, acol, false);
    if (IS("qualifier"))
        return parse_value(p, arg, al, acol, true);
    if (IS("match") || IS("unless") || IS("within") || IS("unless-anywhere")) {
        if ((IS("within") && r->within) ||
            (IS("unless-anywhere") && r->unless_anywhere))
            return parse_error(p, col, "only one of this directive per rule");
        ls_pattern *code;
        int rc = compile_rule_pattern(p, arg, al, acol, &code);
        if (rc)
            return rc;
        if (IS("within")) {
            r->within = code;
            r->within_src = ls_strndup(a, arg, al);
            return r->within_src ? LICSCAN_OK : LICSCAN_ENOMEM;
        }
        if (IS("unless-anywhere")) {
            r->unless_anywhere = code;
            return LICSCAN_OK;
        }
        return IS("match") ? append_code(a, &r->match, &r->nmatch, code)
                           : append_code(a, &r->unless, &r->nunless, code);
    }
#undef IS
    return parse_error(p, col,
                       "unknown directive (rule, flag, keywords, match, "
                       "unless, unless-anywhere, within, value, qualifier, "
                       "end)");
}

/* Rules whose `within` patterns are the same text get one class, so a
 * scan decides each clause's context once for all of them (the use
 * categories share theirs). */
static void assign_within_classes(licscan_db *db)
{
    db->nwithin = 0;
    for (uint32_t i = 0; i < db->rules.n; i++) {
        ls_rule *r = db->rules.v[i];
        if (!r->within_src)
            continue;
        r->within_class = db->nwithin;
        r->within_run = r->within;
        for (uint32_t j = 0; j < i; j++) {
            const ls_rule *o = db->rules.v[j];
            if (o->within_src && strcmp(o->within_src, r->within_src) == 0) {
                r->within_class = o->within_class;
                r->within_run = o->within_run;
                break;
            }
        }
        if (r->within_class == db->nwithin)
            db->nwithin++;
    }
}

/* Room for one more rule text, and a copy of text and source; freed by
 * the caller unless it keeps them. */
static int copy_rule_text(licscan_db *db, const char *text, size_t len,
                          const char *source, ls_rule_text *out)
{
    const ls_alloc *a = &db->alloc;
    out->len = len;
    out->text = ls_strndup(a, text, len);
    out->source = source ? ls_strndup(a, source, strlen(source)) : NULL;
    if (!out->text || (source && !out->source) ||
        LS_GROW(a, db->rtext, db->rtext_cap, db->nrtext + 1)) {
        ls_free(a, out->text);
        ls_free(a, out->source);
        return LICSCAN_ENOMEM;
    }
    return LICSCAN_OK;
}

int ls_rules_add(licscan_db *db, const char *text, size_t len,
                 const char *source)
{
    rule_parser p = { .db = db, .source = source ? source : "(rules)" };
    ls_rule_text kept;
    int rc = copy_rule_text(db, text, len, source, &kept);
    if (rc) {
        ls_error_set(&db->err, NULL, 0, 0, "%s: out of memory", p.source);
        return rc;
    }
    size_t i = 0;
    while (i < len && !rc) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        p.line++;
        size_t bad = ls_utf8_first_invalid(text + i, j - i, false);
        if (memchr(text + i, 0, j - i))
            rc = parse_error(
                &p,
                (uint32_t)((const char *)memchr(text + i, 0, j - i) -
                           (text + i)) +
                    1,
                "NUL byte in rule file");
        else if (bad < j - i) /* values and ids reach results and JSON */
            rc = parse_error(&p, (uint32_t)bad + 1,
                             "invalid UTF-8 in rule file");
        else
            rc = parse_line(&p, text + i, j - i);
        i = j + 1;
    }
    if (!rc && p.cur) {
        char what[160];
        snprintf(what, sizeof(what), "rule %s is not closed by `end`",
                 p.cur->id);
        p.line = p.cur->line;
        rc = parse_error(&p, p.cur->col, what);
    }
    const ls_alloc *a = &db->alloc;
    if (!rc)
        rc = LS_GROW(a, db->rules.v, db->rules.cap, db->rules.n + p.n);
    if (!rc) {
        uint32_t old_n = db->rules.n;
        for (uint32_t k = 0; k < p.n; k++) {
            p.v[k]->priority = db->rules.n;
            for (uint32_t m = 0; m < db->rules.n; m++)
                if (!db->rules.v[m]->replaced &&
                    strcmp(db->rules.v[m]->id, p.v[k]->id) == 0) {
                    db->rules.v[m]->replaced = true;
                    p.v[k]->priority = db->rules.v[m]->priority;
                }
            db->rules.v[db->rules.n++] = p.v[k];
        }
        if ((rc = ls_kw_index_build(db))) { /* undo: the text adds nothing */
            for (uint32_t k = old_n; k < db->rules.n; k++)
                rule_free(db, db->rules.v[k]);
            db->rules.n = old_n;
            p.n = 0; /* freed just now: they were p.v's rules */
            for (uint32_t m = 0; m < old_n; m++)
                db->rules.v[m]->replaced = false;
            /* ids replaced earlier than this text stay replaced */
            for (uint32_t m = 0; m < old_n; m++)
                for (uint32_t k = m + 1; k < old_n; k++)
                    if (strcmp(db->rules.v[m]->id, db->rules.v[k]->id) == 0)
                        db->rules.v[m]->replaced = true;
        }
        if (!rc) {
            ls_free(a, p.v);
            assign_within_classes(db);
            db->rtext[db->nrtext++] = kept;
            return LICSCAN_OK;
        }
    }
    ls_free(a, kept.text);
    ls_free(a, kept.source);
    rule_free(db, p.cur);
    for (uint32_t k = 0; k < p.n; k++)
        rule_free(db, p.v[k]);
    ls_free(a, p.v);
    if (rc == LICSCAN_ENOMEM && !db->err.msg[0])
        ls_error_set(&db->err, NULL, 0, 0, "%s: out of memory", p.source);
    return rc;
}

void ls_rules_free(licscan_db *db)
{
    for (uint32_t i = 0; i < db->rules.n; i++)
        rule_free(db, db->rules.v[i]);
    ls_free(&db->alloc, db->rules.v);
    db->rules.v = NULL;
    db->rules.n = db->rules.cap = 0;
    ls_kw_index_free(&db->alloc, db->kw);
    db->kw = NULL;
    for (uint32_t i = 0; i < db->nrtext; i++) {
        ls_free(&db->alloc, db->rtext[i].text);
        ls_free(&db->alloc, db->rtext[i].source);
    }
    ls_free(&db->alloc, db->rtext);
    db->rtext = NULL;
    db->nrtext = db->rtext_cap = 0;
}

int licscan_db_add_rules(licscan_db *db, const char *text, size_t len,
                         const char *source)
{
    if (!db || (!text && len))
        return LICSCAN_EINVAL;
    ls_error_clear(&db->err);
    return ls_rules_add(db, text ? text : "", len, source);
}

uint32_t licscan_db_rule_count(const licscan_db *db)
{
    if (!db)
        return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < db->rules.n; i++)
        n += !db->rules.v[i]->replaced;
    return n;
}
