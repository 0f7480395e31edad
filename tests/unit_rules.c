/* Unit tests: the rules stages (lib/rulefile.c, keywords.c, engine.c;
 * internal API) -- a rule file parsed into ls_rule, the keyword index,
 * an error with file:line:col, and the engine run over a segmented text:
 * which rules the keywords queue, a rule firing with its value span, a
 * `within` rule standing only under its lead-in, `unless` and
 * `unless-anywhere`. Behaviour seen through scans is in unit_clauses.c. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "engine.h"
#include "jit_off.h"
#include "keywords.h"

static licscan_db *db_with(const char *rules)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(&o, &db), LICSCAN_OK);
    int rc = licscan_db_add_rules(db, rules, strlen(rules), "t.rules");
    CHECK_EQ_INT(rc, LICSCAN_OK);
    if (rc)
        fprintf(stderr, "  rules did not load: %s\n", licscan_db_errmsg(db));
    return db;
}

static const char rules[] =
    "# a comment line\n"
    "rule users\n"
    "  flag mau_threshold\n"
    "  keywords Monthly Active | MAU\n"
    "  match more than (?<n>[0-9][0-9,]*(?: million)?) monthly active users\n"
    "  unless no limit\n"
    "  value number n\n"
    "end\n"
    "rule weapons\n"
    "  flag use_restrictions\n"
    "  keywords weapon\n"
    "  match \\bweapons?\\b\n"
    "  within (?:not|never) (?:to )?use\n"
    "  value const weapons\n"
    "end\n"
    "rule law\n"
    "  flag governing_law\n"
    "  match governed by the laws of (?<where>[A-Z][a-z]+)\n"
    "  unless-anywhere no governing law\n"
    "  value capture where\n"
    "end\n";

static void test_parse(void)
{
    licscan_db *db = db_with(rules);
    CHECK_EQ_INT(db->rules.n, 3);
    if (db->rules.n != 3) {
        licscan_db_free(db);
        return;
    }
    const ls_rule *r = db->rules.v[0];
    CHECK_EQ_STR(r->id, "users");
    CHECK_EQ_INT(r->flag, LICSCAN_FLAG_MAU_THRESHOLD);
    CHECK_EQ_INT(r->nkeywords, 2);
    CHECK_EQ_STR(r->keywords[0], "monthly active"); /* lowercased */
    CHECK_EQ_STR(r->keywords[1], "mau");
    CHECK_EQ_INT(r->nmatch, 1);
    CHECK_EQ_INT(r->nunless, 1);
    CHECK_EQ_INT(r->value_how, LS_VALUE_NUMBER);
    CHECK_EQ_STR(r->value_arg, "n");
    CHECK_EQ_INT(r->line, 2);
    CHECK_EQ_INT(r->col, 1);
    CHECK_EQ_STR(r->source, "t.rules");
    const ls_rule *w = db->rules.v[1];
    CHECK(w->within != NULL && w->within_src != NULL);
    CHECK_EQ_STR(w->within_src, "(?:not|never) (?:to )?use");
    CHECK_EQ_INT(w->value_how, LS_VALUE_CONST);
    CHECK_EQ_INT(db->nwithin, 1);
    CHECK(db->rules.v[2]->unless_anywhere != NULL);
    CHECK_EQ_INT(db->rules.v[2]->nkeywords, 0);
    CHECK_EQ_INT(licscan_db_rule_count(db), 3);

    /* the keyword index: three keywords, and the rule without any runs
     * on every clause */
    const struct ls_kw_index *x = db->kw;
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(x->ne, 3);
        CHECK_EQ_INT(x->nalways, 1);
        CHECK_EQ_INT(x->always[0], 2);
        CHECK_EQ_INT(x->max_groups, 1);
        CHECK(ls_kw_may_start(x, "mau and more", 12));
        CHECK(ls_kw_may_start(x, "WEAPONS", 7));
        CHECK(!ls_kw_may_start(x, "zebra", 5));
        CHECK(!ls_kw_may_start(x, "ma", 2)); /* shorter than a keyword */
    }

    /* a rule with a loaded id replaces it and keeps its priority */
    static const char again[] = "rule users\n"
                                "  flag non_commercial\n"
                                "  keywords commercial\n"
                                "  match non-commercial\n"
                                "end\n";
    CHECK_EQ_INT(licscan_db_add_rules(db, again, sizeof again - 1, "u.rules"),
                 LICSCAN_OK);
    CHECK_EQ_INT(db->rules.n, 4);
    CHECK(db->rules.v[0]->replaced);
    CHECK_EQ_INT(db->rules.v[3]->priority, db->rules.v[0]->priority);
    CHECK_EQ_INT(licscan_db_rule_count(db), 3);
    licscan_db_free(db);
}

/* Errors name the file, line and column of what is wrong, and a text
 * with an error adds no rule. */
static void test_errors(void)
{
    static const struct {
        const char *text, *where, *what;
    } bad[] = {
        /* PCRE2 reports the end of the pattern: column 9 + 9 */
        { "rule a\n  flag attribution\n  match (unclosed\nend\n",
          "t.rules:3:18:", "bad pattern" },
        { "rule a\n  flag attribution\n  colour blue\nend\n",
          "t.rules:3:3:", "unknown directive" },
        { "rule a\n  flag no_such_flag\n", "t.rules:2:8:", "unknown flag" },
        { "rule a\n  flag attribution\n  keywords ab\nend\n",
          "t.rules:3:12:", "keyword shorter than 3 bytes" },
        { "rule a\n  flag attribution\n  match x\n",
          "t.rules:1:1:", "rule a is not closed by `end`" },
        { "rule a\n  flag mau_threshold\n  match (?<n>1)\n  value true\nend\n",
          "t.rules:5:1:", "needs value number" },
        { "rule a b\n", "t.rules:1:7:", "rule id may hold" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        licscan_db *db = NULL;
        CHECK_EQ_INT(licscan_db_open_empty(NULL, &db), LICSCAN_OK);
        CHECK_EQ_INT(licscan_db_add_rules(db, bad[k].text, strlen(bad[k].text),
                                          "t.rules"),
                     LICSCAN_ERULE);
        const char *msg = licscan_db_errmsg(db);
        bool ok = strncmp(msg, bad[k].where, strlen(bad[k].where)) == 0 &&
                  strstr(msg, bad[k].what) != NULL;
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  case %zu: \"%s\", expected %s ... %s\n", k, msg,
                    bad[k].where, bad[k].what);
        CHECK_EQ_INT(db->rules.n, 0);
        licscan_db_free(db);
    }
}

/* The engine over a segmented text: what the keywords queue, and what
 * fires and stands. */
typedef struct run {
    seg s;
    engine e;
} run;

static void run_on(run *r, const licscan_db *db, const char *text)
{
    static ls_alloc a;
    ls_alloc_default(&a);
    ls_seg_init(&r->s, &a, text, strlen(text));
    ls_segment(&r->s);
    r->e = (engine){ .db = db, .a = &a };
    CHECK_EQ_INT(ls_engine_start(&r->e), LICSCAN_OK);
    CHECK_EQ_INT(ls_engine_run(&r->e, &r->s), LICSCAN_OK);
}

static void run_free(run *r)
{
    ls_engine_free(&r->e);
    ls_seg_free(&r->s);
}

/* Rule index `rule` fired on clause ci (and stood)? */
static const fired *fired_on(const run *r, uint32_t rule, uint32_t ci)
{
    for (uint32_t i = 0; i < r->e.nf; i++)
        if (r->e.f[i].rule == rule && r->e.f[i].clause == ci)
            return &r->e.f[i];
    return NULL;
}

static void test_engine(void)
{
    licscan_db *db = db_with(rules);
    run r;
    run_on(&r, db,
           "You may use it. If you have more than 700 million monthly "
           "active users, ask us. There is no limit for more than 5 "
           "monthly active users.\n");
    CHECK_EQ_INT(r.s.ncl, 3);
    /* queued: the rule without keywords on every clause, the MAU rule on
     * the two clauses that hold its keywords */
    CHECK_EQ_INT(r.e.nhits, 3 + 2);
    const fired *f = fired_on(&r, 0, 1);
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_INT(f->number, 700000000);
        CHECK(f->vs != UINT32_MAX && f->ve > f->vs);
        char v[32];
        snprintf(v, sizeof v, "%.*s", (int)(f->ve - f->vs),
                 r.s.disp.data + f->vs);
        CHECK_EQ_STR(v, "700 million");
    }
    CHECK(fired_on(&r, 0, 2) == NULL); /* its unless pattern matched */
    CHECK_EQ_INT(r.e.nf, 1);
    run_free(&r);

    /* within: the item stands under its lead-in, not on its own */
    run_on(&r, db,
           "You agree not to use the Model:\n"
           "- for weapons\n"
           "\n"
           "# Other\n"
           "\n"
           "We make weapons.\n");
    CHECK(fired_on(&r, 1, 1) != NULL);
    CHECK(fired_on(&r, 1, 3) == NULL);
    run_free(&r);

    /* unless-anywhere: one clause of the text stops the rule in all */
    run_on(&r, db, "This is governed by the laws of Ireland.\n");
    CHECK(fired_on(&r, 2, 0) != NULL);
    run_free(&r);
    run_on(&r, db,
           "This is governed by the laws of Ireland. There is no governing "
           "law.\n");
    CHECK_EQ_INT(r.e.nf, 0);
    run_free(&r);
    licscan_db_free(db);
}

int main(void)
{
    test_parse();
    test_errors();
    test_engine();
    return check_report("unit_rules");
}
