#include <ctype.h>
#include <stdio.h>

/* Count lines, words and bytes on standard input, like a tiny wc. */

struct counts {
    unsigned long lines, words, bytes;
};

static void count(FILE *in, struct counts *c)
{
    int ch, in_word = 0;

    while ((ch = getc(in)) != EOF) {
        c->bytes++;
        if (ch == '\n')
            c->lines++;
        if (isspace(ch)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            c->words++;
        }
    }
}

int main(void)
{
    struct counts c = { 0, 0, 0 };

    count(stdin, &c);
    printf("%lu %lu %lu\n", c.lines, c.words, c.bytes);
    return ferror(stdin) ? 1 : 0;
}
