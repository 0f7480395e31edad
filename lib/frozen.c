/* frozen.c -- open the embedded set from the image compiled at build time,
 * and copy what it lends once the database is about to change. */
#include <string.h>

#include "internal.h"

int ls_db_load_frozen(licscan_db *db, const ls_frozen_image *img)
{
    const ls_alloc *a = &db->alloc;
    ls_dict *d = &db->lex.dict;
    d->hashes = (uint64_t *)img->dict_hashes;
    d->ids = (uint32_t *)img->dict_ids;
    d->cap = img->dict_cap;
    d->count = img->dict_count;
    d->word_off = (uint32_t *)img->word_off;
    d->word_cap = 0;
    d->chars.data = (char *)img->chars;
    d->chars.len = img->chars_len;
    d->chars.cap = 0;
    db->lex.equiv = (ls_equiv *)img->equiv;
    db->lex.nequiv = img->nequiv;
    db->lex.equiv_cap = 0;
    db->lex.equiv_index = (uint32_t *)img->equiv_index;
    db->lex.equiv_index_cap = img->equiv_index_cap;
    db->sh_keys = (uint64_t *)img->sh_keys;
    db->sh_head = (uint32_t *)img->sh_head;
    db->sh_cap = img->sh_cap;
    db->sh_count = img->sh_count;
    db->post = (ls_posting *)img->post;
    db->npost = img->npost;
    db->post_cap = 0;
    db->phr = (ls_phrase *)img->phr;
    db->nphr = img->nphr;
    db->phr_cap = 0;
    db->phr_head = (uint32_t *)img->phr_head;
    db->phr_head_cap = img->phr_head_cap;
    db->frozen = true;
    db->rivals = img->rivals;

    const ls_regex **re = ls_calloc(a, img->npatterns + 1, sizeof(*re));
    if (!re)
        return LICSCAN_ENOMEM;
    int rc = LICSCAN_OK;
    for (uint32_t i = 0; i < img->npatterns && !rc; i++) {
        char err[160];
        size_t eo;
        rc = ls_compile_pattern(db, img->patterns[i], img->pattern_len[i],
                                &re[i], err, sizeof(err), &eo);
        if (rc == LICSCAN_ETEMPLATE)
            rc = LICSCAN_EINTERNAL; /* it compiled at build time */
    }
    if (!rc)
        rc = LS_GROW(a, db->tpl, db->tpl_cap, img->ntpl);
    for (uint32_t i = 0; i < img->ntpl && !rc; i++) {
        const ls_frozen_template *f = &img->tpl[i];
        ls_template *t = ls_calloc(a, 1, sizeof(*t));
        if (!t) {
            rc = LICSCAN_ENOMEM;
            break;
        }
        t->borrowed = true;
        t->index = i;
        licscan_license *l = &t->lic;
        l->id = (char *)f->id;
        l->name = (char *)f->name;
        l->version = (char *)f->version;
        l->family = (char *)f->family;
        l->kind = (char *)f->kind;
        l->url = (char *)f->url;
        l->spdx = (char *)f->spdx;
        l->hf = (char *)f->hf;
        l->scancode = (char *)f->scancode;
        ls_license_set_flags(l, f->flags);
        t->source = (char *)f->source;
        t->source_len = f->source_len;
        t->tok = (ls_token *)f->tok;
        t->optional = (uint8_t *)f->optional;
        t->ntok = f->ntok;
        t->nrequired = f->nrequired;
        t->nshingles = f->nshingles;
        t->heads = f->heads;
        db->tpl[db->ntpl++] = t; /* freed with the database on error */
        if (f->nreferences) {
            l->references = ls_calloc(a, f->nreferences, sizeof(char *));
            if (!l->references) {
                rc = LICSCAN_ENOMEM;
                break;
            }
            for (uint32_t k = 0; k < f->nreferences; k++)
                l->references[k] = (char *)f->references[k];
            l->nreferences = f->nreferences;
        }
        if (f->nvars) {
            t->vars = ls_calloc(a, f->nvars, sizeof(ls_var));
            if (!t->vars) {
                rc = LICSCAN_ENOMEM;
                break;
            }
            for (uint32_t k = 0; k < f->nvars; k++) {
                const ls_frozen_var *fv = &f->vars[k];
                ls_var *v = &t->vars[k];
                v->gap = fv->gap;
                v->optional = fv->optional != 0;
                v->re = re[fv->pattern];
                v->name = (char *)fv->name;
                v->original = (char *)fv->original;
                v->original_len = (uint32_t)strlen(v->original);
            }
            t->nvars = f->nvars;
        }
    }
    ls_free(a, re);
    return rc;
}

/* Allocate a copy of n bytes, or NULL. */
static void *dup_bytes(const ls_alloc *a, const void *p, size_t n)
{
    void *q = ls_malloc(a, n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

int ls_db_thaw(licscan_db *db)
{
    /* the set is about to change: the rivals of its templates may too,
     * and the lists its words lead to */
    ls_rivals_free(db, &db->rivals);
    ls_index_facts_free(db);
    for (uint32_t i = 0; i < db->ntpl; i++)
        db->tpl[i]->heads = NULL;
    if (!db->frozen)
        return LICSCAN_OK;
    const ls_alloc *a = &db->alloc;
    ls_dict *d = &db->lex.dict;
    ls_lexicon *lx = &db->lex;
    /* copy everything first, so a failure leaves the image in use */
    uint64_t *hashes = dup_bytes(a, d->hashes, d->cap * sizeof(uint64_t));
    uint32_t *ids = dup_bytes(a, d->ids, d->cap * sizeof(uint32_t));
    uint32_t *word_off =
        dup_bytes(a, d->word_off, (d->count + 1) * sizeof(uint32_t));
    char *chars = dup_bytes(a, d->chars.data, d->chars.len + 1);
    ls_equiv *equiv = dup_bytes(a, lx->equiv, lx->nequiv * sizeof(ls_equiv));
    uint32_t *eqi =
        dup_bytes(a, lx->equiv_index, lx->equiv_index_cap * sizeof(uint32_t));
    uint64_t *sh_keys =
        dup_bytes(a, db->sh_keys, db->sh_cap * sizeof(uint64_t));
    uint32_t *sh_head =
        dup_bytes(a, db->sh_head, db->sh_cap * sizeof(uint32_t));
    ls_posting *post = dup_bytes(a, db->post, db->npost * sizeof(ls_posting));
    ls_phrase *phr = dup_bytes(a, db->phr, db->nphr * sizeof(ls_phrase));
    uint32_t *phr_head =
        dup_bytes(a, db->phr_head, db->phr_head_cap * sizeof(uint32_t));
    bool ok = hashes && ids && word_off && chars && equiv && eqi && sh_keys &&
              sh_head && post && phr && phr_head;
    uint32_t done = 0;
    for (; ok && done < db->nphr; done++) {
        phr[done].ids = dup_bytes(a, db->phr[done].ids,
                                  db->phr[done].len * sizeof(uint32_t));
        ok = phr[done].ids != NULL;
    }
    if (!ok) {
        for (uint32_t i = 0; phr && i < done; i++)
            ls_free(a, phr[i].ids);
        void *all[] = { hashes,  ids,     word_off, chars, equiv,   eqi,
                        sh_keys, sh_head, post,     phr,   phr_head };
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
            ls_free(a, all[i]);
        return LICSCAN_ENOMEM;
    }
    d->hashes = hashes;
    d->ids = ids;
    d->word_off = word_off;
    d->word_cap = d->count + 1;
    d->chars.data = chars;
    d->chars.cap = d->chars.len + 1;
    lx->equiv = equiv;
    lx->equiv_cap = lx->nequiv;
    lx->equiv_index = eqi;
    db->sh_keys = sh_keys;
    db->sh_head = sh_head;
    db->post = post;
    db->post_cap = db->npost;
    db->phr = phr;
    db->phr_cap = db->nphr;
    db->phr_head = phr_head;
    db->frozen = false;
    return LICSCAN_OK;
}
