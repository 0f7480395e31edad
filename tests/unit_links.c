/* unit_links.c -- chaining links a hit to the best of the hits before it
 * eight at a time when the CPU can (AVX2), one at a time otherwise, and
 * alignment takes the LCS of a gap of at most 64 template words by rows of
 * bits, otherwise by its table: both ways must give the same chains and
 * pairs, so every corpus file must give the same JSON either way
 * (ls_test_control(LS_TEST_WIDE_LINKS)). Without AVX2 the links take the
 * same path both runs. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "corpus_files.h"
#include "internal.h"
#include "jit_off.h"
#include "testctl.h"

static void test_same_results(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *wide, *narrow;
    CHECK_EQ_INT(licscan_db_open_default(&o, &wide), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&o, &narrow), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(narrow, LS_TEST_WIDE_LINKS, 0), LICSCAN_OK);
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

int main(void)
{
    if (under_valgrind())
        stride = 8;
    test_same_results();
    return check_report("unit_links");
}
