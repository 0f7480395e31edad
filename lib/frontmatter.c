/* frontmatter.c -- the license keys of a model card's YAML front matter
 * (frontmatter.h). Hugging Face cards keep these keys as top-level
 * scalars or lists, so a reader of that subset of YAML serves; anything
 * else (nested maps, block scalars, anchors) is skipped, never misread as
 * a license. */
#include <stdbool.h>
#include <string.h>

#include "frontmatter.h"

static const char *const key_names[LS_FM_NKEYS] = {
    [LS_FM_LICENSE] = "license",
    [LS_FM_LICENSE_NAME] = "license_name",
    [LS_FM_LICENSE_LINK] = "license_link",
    [LS_FM_BASE_MODEL] = "base_model",
};

typedef struct fm_reader {
    const char *t;
    ls_fm_value *out;
    uint32_t cap, n;
} fm_reader;

static size_t line_end(const char *t, size_t p, size_t n)
{
    const char *e = memchr(t + p, '\n', n - p);
    return e ? (size_t)(e - t) : n;
}

/* A line that is exactly `mark` (three bytes), trailing blanks allowed. */
static bool marker_line(const char *t, size_t p, size_t e, const char *mark)
{
    if (e - p < 3 || memcmp(t + p, mark, 3) != 0)
        return false;
    for (p += 3; p < e; p++)
        if (t[p] != ' ' && t[p] != '\t' && t[p] != '\r')
            return false;
    return true;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static void trim(const char *t, size_t *s, size_t *e)
{
    while (*s < *e && blank(t[*s]))
        (*s)++;
    while (*e > *s && blank(t[*e - 1]))
        (*e)--;
}

static void put(fm_reader *r, ls_fm_key key, size_t s, size_t e)
{
    trim(r->t, &s, &e);
    if (e > s + 1 && (r->t[s] == '"' || r->t[s] == '\'') &&
        r->t[e - 1] == r->t[s]) {
        s++;
        e--;
    }
    if (e > s && r->n < r->cap)
        r->out[r->n++] = (ls_fm_value){ key, s, e };
}

/* A plain scalar ends at " #" (a comment); a quoted one at its quote. */
static size_t scalar_end(const char *t, size_t s, size_t e)
{
    if (s < e && (t[s] == '"' || t[s] == '\'')) {
        const char *q = memchr(t + s + 1, t[s], e - s - 1);
        return q ? (size_t)(q - t) + 1 : e;
    }
    for (size_t p = s; p + 1 < e; p++)
        if (blank(t[p]) && t[p + 1] == '#')
            return p;
    return e;
}

/* [a, "b", c] on one line. */
static void flow_list(fm_reader *r, ls_fm_key key, size_t s, size_t e)
{
    const char *close = memchr(r->t + s, ']', e - s);
    if (!close)
        return;
    size_t end = (size_t)(close - r->t);
    for (size_t p = s + 1; p < end;) {
        const char *comma = memchr(r->t + p, ',', end - p);
        size_t q = comma ? (size_t)(comma - r->t) : end;
        put(r, key, p, q);
        p = q + 1;
    }
}

/* The key of a top-level "key: value" line, or LS_FM_NKEYS. *vs is where
 * its value starts. */
static ls_fm_key line_key(const char *t, size_t p, size_t e, size_t *vs)
{
    size_t k = p;
    while (k < e && t[k] != ':' && !blank(t[k]))
        k++;
    if (k == p || k >= e || t[k] != ':')
        return LS_FM_NKEYS;
    for (int i = 0; i < LS_FM_NKEYS; i++)
        if (strlen(key_names[i]) == k - p &&
            memcmp(t + p, key_names[i], k - p) == 0) {
            *vs = k + 1;
            return (ls_fm_key)i;
        }
    return LS_FM_NKEYS;
}

uint32_t ls_frontmatter_read(const char *t, size_t n, ls_fm_value *out,
                             uint32_t cap)
{
    if (!t || n < 3)
        return 0;
    size_t e = line_end(t, 0, n);
    if (!marker_line(t, 0, e, "---"))
        return 0;
    /* the front matter ends at a "---" or "..." line; without one, the
     * text is no card */
    size_t stop = 0;
    for (size_t p = e + 1; p < n; p = line_end(t, p, n) + 1) {
        size_t le = line_end(t, p, n);
        if (marker_line(t, p, le, "---") || marker_line(t, p, le, "...")) {
            stop = p;
            break;
        }
    }
    if (!stop)
        return 0;
    fm_reader r = { t, out, cap, 0 };
    ls_fm_key list_key = LS_FM_NKEYS; /* a key whose block list is open */
    for (size_t p = e + 1; p < stop; p = line_end(t, p, n) + 1) {
        size_t le = line_end(t, p, n);
        if (blank(t[p])) {
            /* an item of the open block list: "  - value" */
            size_t s = p;
            while (s < le && blank(t[s]))
                s++;
            if (list_key != LS_FM_NKEYS && s + 1 < le && t[s] == '-' &&
                blank(t[s + 1]))
                put(&r, list_key, s + 2, scalar_end(t, s + 2, le));
            continue;
        }
        if (t[p] == '-' && p + 1 < le && blank(t[p + 1])) {
            /* YAML allows list items at the key's own indentation */
            if (list_key != LS_FM_NKEYS)
                put(&r, list_key, p + 2, scalar_end(t, p + 2, le));
            continue;
        }
        size_t vs = 0;
        ls_fm_key key = line_key(t, p, le, &vs);
        list_key = LS_FM_NKEYS;
        if (key == LS_FM_NKEYS)
            continue;
        size_t s = vs, ve = le;
        trim(t, &s, &ve);
        if (s == ve || t[s] == '#')
            list_key = key; /* the value is a block list below */
        else if (t[s] == '[')
            flow_list(&r, key, s, ve);
        else if (t[s] != '|' && t[s] != '>' && t[s] != '&' && t[s] != '*' &&
                 t[s] != '{')
            put(&r, key, s, scalar_end(t, s, ve));
    }
    return r.n;
}
