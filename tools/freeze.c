/* freeze.c -- build-time generator of the embedded database image.
 *
 * Linked with the library's objects and the raw embedded templates, it
 * opens the default set through the ordinary parser, then writes every
 * structure the parser built as constant C arrays (lib/frozen.c reads them
 * back). Opening the embedded set then costs pointer set-up plus compiling
 * a few var patterns, instead of parsing all templates in every process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const ls_frozen_image ls_frozen; /* empty: open the raw templates */

static FILE *out;

static void bytes(const char *name, const void *p, size_t n)
{
    const unsigned char *b = p;
    fprintf(out, "static const char %s[%zu] = {", name, n + 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%d,", i % 24 ? "" : "\n", (signed char)b[i]);
    fprintf(out, "0};\n");
}

/* A string member: a named byte array, or NULL. */
static void str(const char *prefix, uint32_t i, const char *field,
                const char *s, char *ref, size_t reflen)
{
    if (!s) {
        snprintf(ref, reflen, "NULL");
        return;
    }
    char name[96];
    snprintf(name, sizeof name, "%s%u_%s", prefix, i, field);
    bytes(name, s, strlen(s));
    snprintf(ref, reflen, "%s", name);
}

static void u32s(const char *name, const uint32_t *v, size_t n)
{
    fprintf(out, "static const uint32_t %s[%zu] = {", name, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%uu,", i % 12 ? "" : "\n", v[i]);
    fprintf(out, "%s};\n", n ? "" : "0");
}

static void u64s(const char *name, const uint64_t *v, size_t n)
{
    fprintf(out, "static const uint64_t %s[%zu] = {", name, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s0x%llxull,", i % 6 ? "" : "\n",
                (unsigned long long)v[i]);
    fprintf(out, "%s};\n", n ? "" : "0");
}

/* A template's text as published: each var its original wording, the
 * optional parts kept. */
static char *render(const ls_template *t, size_t *len)
{
    const char *s = t->source, *end = s + t->source_len;
    char *text = malloc(t->source_len + 1), *o = text;
    uint32_t v = 0;
    if (!text)
        return NULL;
    while (s < end) {
        size_t left = (size_t)(end - s);
        if (left >= 17 && memcmp(s, "<<beginOptional>>", 17) == 0) {
            s += 17;
        } else if (left >= 15 && memcmp(s, "<<endOptional>>", 15) == 0) {
            s += 15;
        } else if (left >= 6 && memcmp(s, "<<var;", 6) == 0 && v < t->nvars) {
            const char *close = memmem(s, left, "\">>", 3);
            if (!close)
                break;
            size_t n = strlen(t->vars[v].original);
            memcpy(o, t->vars[v++].original, n); /* shorter than its var */
            o += n;
            s = close + 3;
        } else {
            *o++ = *s++;
        }
    }
    *len = (size_t)(o - text);
    return text;
}

/* A template's wording as a difference quotes it, and the rules read it
 * (flag changes): whitespace collapsed, markup made spaces. */
static char *wording(const licscan_db *db, const ls_template *t, size_t *len)
{
    char *collapsed = malloc(t->source_len + 1);
    if (!collapsed)
        return NULL;
    size_t o = ls_collapse_spaces(collapsed, t->source, t->source_len);
    ls_buf b;
    ls_buf_init(&b, &db->alloc);
    ls_append_plain(&b, collapsed, o);
    free(collapsed);
    if (b.failed || !b.data) {
        ls_buf_free(&b);
        return NULL;
    }
    char *text = malloc(b.len + 1);
    if (text)
        memcpy(text, b.data, b.len + 1);
    *len = b.len;
    ls_buf_free(&b);
    return text;
}

/* What the rules say of every clause of the embedded templates, in their
 * published text and as differences quote them. */
static int write_memo(const licscan_db *db)
{
    uint32_t n = 2 * db->ntpl;
    const char **texts = calloc(n + 1, sizeof(char *));
    size_t *lens = calloc(n + 1, sizeof(size_t));
    int rc = texts && lens ? LICSCAN_OK : LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < db->ntpl && !rc; i++)
        if (!(texts[2 * i] = render(db->tpl[i], &lens[2 * i])) ||
            !(texts[2 * i + 1] = wording(db, db->tpl[i], &lens[2 * i + 1])))
            rc = LICSCAN_ENOMEM;
    ls_clause_memo m;
    if (!rc)
        rc = ls_memo_build(db, texts, lens, n, &m);
    for (uint32_t i = 0; texts && i < n; i++)
        free((char *)texts[i]);
    free(texts);
    free(lens);
    if (rc)
        return rc;
    fprintf(out, "static const ls_memo_clause memo_clause[%u] = {",
            m.nclause + 1);
    for (uint32_t i = 0; i < m.nclause; i++) {
        const ls_memo_clause *c = &m.clause[i];
        fprintf(out, "%s{0x%llxull,%u,%u,%u,%u,%u,%u},", i % 3 ? "" : "\n",
                (unsigned long long)c->hash, c->text, c->len, c->fired,
                c->nfired, c->context, c->ncontext);
    }
    fprintf(out, "{0,0,0,0,0,0,0}};\n");
    fprintf(out, "static const ls_memo_fired memo_fired[%u] = {", m.nfired + 1);
    for (uint32_t i = 0; i < m.nfired; i++) {
        const ls_memo_fired *f = &m.fired[i];
        fprintf(out, "%s{%lldll,%u,%uu,%uu,%uu,%uu},", i % 3 ? "" : "\n",
                (long long)f->number, f->rule, f->vs, f->ve, f->qs, f->qe);
    }
    fprintf(out, "{0,0,0,0,0,0}};\n");
    u32s("memo_slot", m.slot, m.cap);
    u32s("memo_context", m.context, m.ncontext);
    bytes("memo_text", m.text, m.text_len);
    fprintf(out,
            "#define MEMO {memo_clause, %u, memo_slot, %u, memo_text, %u, "
            "memo_fired, %u, memo_context, %u, %u, 0x%llxull, %u, %u}\n",
            m.nclause, m.cap, m.text_len, m.nfired, m.ncontext, m.nrules,
            (unsigned long long)m.rules_hash, m.match_limit, m.heap_limit_kib);
    ls_memo_free(db, &m);
    return LICSCAN_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: freeze OUT.c\n");
        return 2;
    }
    licscan_db *db;
    int rc = licscan_db_open_default(NULL, &db);
    if (rc) {
        fprintf(stderr, "freeze: cannot open the templates: %s (%d)\n",
                licscan_strerror(rc), rc);
        return 1;
    }
    out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out,
            "/* Generated by tools/freeze.c from licenses/: do not edit. */\n"
            "#include \"internal.h\"\n\n");
    /* the raw equivalences stay available for empty databases */
    bytes("equivalences", ls_embedded_equivalences_ptr,
          ls_embedded_equivalences_len);
    fprintf(out,
            "const unsigned char *const ls_embedded_equivalences_ptr = "
            "(const unsigned char *)equivalences;\n"
            "const size_t ls_embedded_equivalences_len = %zu;\n"
            "const ls_embedded_file ls_embedded_templates[1];\n"
            "const size_t ls_embedded_template_count = 0;\n\n",
            ls_embedded_equivalences_len);

    /* patterns */
    for (uint32_t i = 0; i < db->nre; i++) {
        char name[32];
        snprintf(name, sizeof name, "pat_%u", i);
        bytes(name, db->re[i]->pattern, strlen(db->re[i]->pattern));
    }
    fprintf(out, "static const char *const patterns[%u] = {", db->nre + 1);
    for (uint32_t i = 0; i < db->nre; i++)
        fprintf(out, "pat_%u,", i);
    fprintf(out, "NULL};\nstatic const uint32_t pattern_len[%u] = {",
            db->nre + 1);
    for (uint32_t i = 0; i < db->nre; i++)
        fprintf(out, "%zu,", strlen(db->re[i]->pattern));
    fprintf(out, "0};\n\n");

    /* templates */
    for (uint32_t i = 0; i < db->ntpl; i++) {
        const ls_template *t = db->tpl[i];
        char name[64];
        snprintf(name, sizeof name, "t%u_source", i);
        bytes(name, t->source, t->source_len);
        fprintf(out, "static const ls_token t%u_tok[%u] = {", i,
                t->ntok ? t->ntok : 1);
        for (uint32_t k = 0; k < t->ntok; k++)
            fprintf(out, "%s{%u,%u,%u},", k % 6 ? "" : "\n", t->tok[k].id,
                    t->tok[k].start, t->tok[k].end);
        fprintf(out, "%s};\n", t->ntok ? "" : "{0,0,0}");
        fprintf(out, "static const uint8_t t%u_opt[%u] = {", i,
                t->ntok ? t->ntok : 1);
        for (uint32_t k = 0; k < t->ntok; k++)
            fprintf(out, "%s%u,", k % 32 ? "" : "\n", t->optional[k]);
        fprintf(out, "%s};\n", t->ntok ? "" : "0");
        for (uint32_t k = 0; k < t->lic.nreferences; k++) {
            snprintf(name, sizeof name, "t%u_ref%u", i, k);
            bytes(name, t->lic.references[k], strlen(t->lic.references[k]));
        }
        fprintf(out, "static const char *const t%u_refs[%u] = {", i,
                t->lic.nreferences + 1);
        for (uint32_t k = 0; k < t->lic.nreferences; k++)
            fprintf(out, "t%u_ref%u,", i, k);
        fprintf(out, "NULL};\n");
        for (uint32_t k = 0; k < t->nvars; k++) {
            snprintf(name, sizeof name, "t%u_v%u_name", i, k);
            bytes(name, t->vars[k].name, strlen(t->vars[k].name));
            snprintf(name, sizeof name, "t%u_v%u_orig", i, k);
            bytes(name, t->vars[k].original, strlen(t->vars[k].original));
        }
        fprintf(out, "static const ls_frozen_var t%u_vars[%u] = {", i,
                t->nvars ? t->nvars : 1);
        for (uint32_t k = 0; k < t->nvars; k++) {
            uint32_t p = 0;
            while (p < db->nre && &db->re[p]->re != t->vars[k].re)
                p++;
            if (p == db->nre) {
                fprintf(stderr, "freeze: a var's pattern is not in the list\n");
                return 1;
            }
            fprintf(out, "\n{%u,%u,%u,t%u_v%u_name,t%u_v%u_orig},",
                    t->vars[k].gap, t->vars[k].optional ? 1u : 0u, p, i, k, i,
                    k);
        }
        fprintf(out, "%s};\n", t->nvars ? "" : "{0,0,0,NULL,NULL}");
        const licscan_license *l = &t->lic;
        char r[9][96];
        str("t", i, "id", l->id, r[0], 96);
        str("t", i, "name", l->name, r[1], 96);
        str("t", i, "version", l->version, r[2], 96);
        str("t", i, "family", l->family, r[3], 96);
        str("t", i, "kind", l->kind, r[4], 96);
        str("t", i, "url", l->url, r[5], 96);
        str("t", i, "spdx", l->spdx, r[6], 96);
        str("t", i, "hf", l->hf, r[7], 96);
        str("t", i, "scancode", l->scancode, r[8], 96);
        fprintf(out,
                "#define T%u {%s,%s,%s,%s,%s,%s,%s,%s,%s,%u,t%u_refs,%u,"
                "t%u_source,%zu,t%u_tok,t%u_opt,%u,%u,%u,t%u_vars,%u}\n\n",
                i, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                l->osi ? 1u : 0u, i, l->nreferences, i, t->source_len, i, i,
                t->ntok, t->nrequired, t->nshingles, i, t->nvars);
    }
    fprintf(out, "static const ls_frozen_template templates[%u] = {",
            db->ntpl ? db->ntpl : 1);
    for (uint32_t i = 0; i < db->ntpl; i++)
        fprintf(out, "T%u,", i);
    fprintf(out, "};\n\n");

    /* dictionary and equivalences */
    const ls_dict *d = &db->lex.dict;
    u64s("dict_hashes", d->hashes, d->cap);
    u32s("dict_ids", d->ids, d->cap);
    u32s("word_off", d->word_off, d->count + 1);
    bytes("chars", d->chars.data, d->chars.len);
    fprintf(out, "static const ls_equiv equiv[%u] = {", db->lex.nequiv + 1);
    for (uint32_t i = 0; i < db->lex.nequiv; i++) {
        const ls_equiv *e = &db->lex.equiv[i];
        fprintf(out, "\n{%u,%u,{%u,%u,%u},%u},", e->from, e->after, e->to[0],
                e->to[1], e->to[2], e->to_len);
    }
    fprintf(out, "{0,0,{0,0,0},0}};\n");
    u32s("equiv_index", db->lex.equiv_index, db->lex.equiv_index_cap);

    /* shingle index */
    u64s("sh_keys", db->sh_keys, db->sh_cap);
    u32s("sh_head", db->sh_head, db->sh_cap);
    fprintf(out, "static const ls_posting post[%u] = {", db->npost + 1);
    for (uint32_t i = 0; i < db->npost; i++)
        fprintf(out, "%s{%u,%u,%u},", i % 6 ? "" : "\n", db->post[i].tpl,
                db->post[i].pos, db->post[i].next);
    fprintf(out, "{0,0,0}};\n");

    /* phrases */
    for (uint32_t i = 0; i < db->nphr; i++) {
        char name[32];
        snprintf(name, sizeof name, "phr_ids_%u", i);
        u32s(name, db->phr[i].ids, db->phr[i].len);
    }
    fprintf(out, "static const ls_phrase phr[%u] = {", db->nphr + 1);
    for (uint32_t i = 0; i < db->nphr; i++)
        fprintf(out, "\n{%u,%u,(uint32_t *)phr_ids_%u,%u},", db->phr[i].tpl,
                db->phr[i].len, i, db->phr[i].next);
    fprintf(out, "{0,0,NULL,0}};\n");
    u32s("phr_head", db->phr_head, db->phr_head_cap);

    if ((rc = write_memo(db))) {
        fprintf(stderr, "freeze: cannot build the clause memo: %s (%d)\n",
                licscan_strerror(rc), rc);
        return 1;
    }

    fprintf(out,
            "\nconst ls_frozen_image ls_frozen = {\n"
            "    %u, templates, %u, patterns, pattern_len,\n"
            "    dict_hashes, dict_ids, %u, %u, word_off, chars, %zu,\n"
            "    equiv, %u, equiv_index, %u,\n"
            "    sh_keys, sh_head, %u, %u, post, %u,\n"
            "    phr, %u, phr_head, %u, MEMO};\n",
            db->ntpl, db->nre, d->cap, d->count, d->chars.len, db->lex.nequiv,
            db->lex.equiv_index_cap, db->sh_cap, db->sh_count, db->npost,
            db->nphr, db->phr_head_cap);
    licscan_db_free(db);
    if (fclose(out)) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
