/* unit_links.c -- chaining links a hit to the best of the hits before it
 * eight at a time when the CPU can (AVX2), one at a time otherwise; the
 * search for a template's next chain keeps the values of the hits the
 * chains found so far cannot change; alignment takes the LCS of a gap of
 * at most 64 template words by rows of bits, otherwise by its table. The
 * narrow way (ls_test_control(LS_TEST_WIDE_LINKS)) links one at a time,
 * works out every hit anew for each chain and aligns cell by cell: both
 * ways must give the same chains and pairs, so every corpus file, and a
 * file holding several copies of each of four licenses, must give the
 * same JSON either way. Without AVX2 the links take the same path both
 * runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus_files.h"
#include "internal.h"
#include "jit_off.h"
#include "testctl.h"

/* The embedded database twice: by default, and the narrow way. */
static void open_pair(licscan_db **wide, licscan_db **narrow)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    CHECK_EQ_INT(licscan_db_open_default(&o, wide), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&o, narrow), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(*narrow, LS_TEST_WIDE_LINKS, 0), LICSCAN_OK);
}

static void test_same_results(void)
{
    licscan_db *wide, *narrow;
    open_pair(&wide, &narrow);
    CHECK_EQ_INT(ls_test_control(narrow, LS_TEST_WIDE_LINKS, 2),
                 LICSCAN_EINVAL);
    json_pair c = { wide, narrow, "links eight at a time", 0, 0 };
    walk_txt("corpus", compare_json, &c);
    CHECK(c.files > 60 / stride);
    CHECK_EQ_INT(c.differing, 0);
    printf("  %d corpus files: the same JSON with links eight at a time "
           "and one at a time\n",
           c.files);
    licscan_db_free(wide);
    licscan_db_free(narrow);
}

/* Copies of the corpus' originals of some licenses, each copy with a
 * line of its own before it and its k-th line left out: every template
 * has several chains, found one after another. */
static void test_many_copies(void)
{
    static const char *const names[] = { "BSD-3-Clause", "MIT", "ISC",
                                         "BSD-2-Clause" };
    enum { COPIES = 5 };
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CHECK(out != NULL);
    if (!out)
        return;
    for (int k = 0; k < COPIES; k++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char path[128];
            snprintf(path, sizeof path, "corpus/%s/original.txt", names[i]);
            size_t n;
            unsigned char *data = slurp(path, &n);
            CHECK(data != NULL);
            if (!data)
                continue;
            fprintf(out, "\n\nPart %d of %s, kept by maintainer %d:\n\n", k,
                    names[i], 7 * k + (int)i);
            int line = 0;
            for (size_t b = 0; b < n; b++) {
                if (line != 2 + k)
                    fputc(data[b], out);
                line += data[b] == '\n';
            }
            free(data);
        }
    fclose(out);
    licscan_db *wide, *narrow;
    open_pair(&wide, &narrow);
    char *a = scan_json(wide, (const unsigned char *)text, len);
    char *b = scan_json(narrow, (const unsigned char *)text, len);
    CHECK(a && b && strcmp(a, b) == 0);
    /* each license found in each of its copies */
    int found = 0;
    for (const char *p = a ? a : ""; (p = strstr(p, "\"id\":\"BSD-3-Clause\""));
         p++)
        found++;
    CHECK(found >= COPIES);
    printf("  %zu bytes, %d copies of four licenses: the same JSON both "
           "ways (BSD-3-Clause found %d times)\n",
           len, COPIES, found);
    free(a);
    free(b);
    free(text);
    licscan_db_free(wide);
    licscan_db_free(narrow);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    test_same_results();
    test_many_copies();
    return check_report("unit_links");
}
