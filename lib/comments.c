/* comments.c -- the comment style of a text: which line prefix
 * (comment_marks, segment_build.h) the lines carry as a comment marker, to
 * be read past as markup. Decided once per text, when a line first could
 * use it (know_comment_style). */
#include <stdio.h>
#include <string.h>

#include "segment_build.h"

/* Decide whether lines carry a comment prefix: when most non-blank lines
 * start with the same one, it is a comment block, not bullets. */
void ls_seg_comment_style(seg *s)
{
    uint32_t count[NMARKS] = { 0 }, lines = 0;
    const char *t = s->t, *end = t + s->tlen;
    for (const char *p = t; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (q < e && *q != '\r') {
            lines++;
            int k = comment_mark_of(*q);
            if (k >= 0 && (!comment_marks[k][1] ||
                           (e - q >= 2 && q[1] == comment_marks[k][1])))
                count[k]++;
        }
        p = e + 1;
    }
    /* "* " lines are Markdown bullets unless a C comment opens somewhere */
    int star = comment_mark_of('*');
    if (count[star] * 10 >= lines * 6 && !memmem(t, s->tlen, "/*", 2))
        count[star] = 0;
    for (size_t k = 0; k < NMARKS; k++)
        if (lines >= 3 && count[k] * 10 >= lines * 6) {
            snprintf(s->comment, sizeof(s->comment), "%s", comment_marks[k]);
            s->comment_len = (uint8_t)strlen(s->comment);
            return;
        }
}
