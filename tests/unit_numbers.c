/* Unit tests: reading numbers (lib/numbers.c, internal API) -- digits with
 * thousands separators of several conventions, number words and scale
 * words, decimals before a scale, and what is no number. */
#include <stdio.h>

#include "check.h"
#include "numbers.h"

/* The number p reads as, or -1 when it reads as none. */
static long long num(const char *p)
{
    int64_t v;
    return ls_parse_number(p, strlen(p), &v) ? (long long)v : -1;
}

static void test_digits(void)
{
    CHECK_EQ_INT(num("700"), 700);
    CHECK_EQ_INT(num("700,000,000"), 700000000);
    CHECK_EQ_INT(num("700 000 000"), 700000000);
    CHECK_EQ_INT(num("1.000.000"), 1000000);
    CHECK_EQ_INT(num("1.000"), 1); /* one group: a decimal point */
    CHECK_EQ_INT(num("$10,000,000"), 10000000);
    CHECK_EQ_INT(num("2.5"), 3); /* rounded */
}

static void test_scales(void)
{
    CHECK_EQ_INT(num("700 million"), 700000000);
    CHECK_EQ_INT(num("700 Million"), 700000000);
    CHECK_EQ_INT(num("1.5 billion"), 1500000000);
    CHECK_EQ_INT(num("1bn"), 1000000000);
    CHECK_EQ_INT(num("10M"), 10000000);
    CHECK_EQ_INT(num("100k"), 100000);
    CHECK_EQ_INT(num("2 trillion"), 2000000000000LL);
    CHECK_EQ_INT(num("10 million 500 thousand"), 10500000);
}

static void test_words(void)
{
    CHECK_EQ_INT(num("seven hundred million"), 700000000);
    CHECK_EQ_INT(num("Seven Hundred Million"), 700000000);
    CHECK_EQ_INT(num("twenty-five"), 25);
    CHECK_EQ_INT(num("a million"), 1000000);
    CHECK_EQ_INT(num("one hundred thousand"), 100000);
    CHECK_EQ_INT(num("zero"), 0);
}

static void test_no_number(void)
{
    CHECK_EQ_INT(num(""), -1);
    CHECK_EQ_INT(num("garbage"), -1);
    CHECK_EQ_INT(num("users"), -1);
    CHECK_EQ_INT(num("a"), -1);     /* "a" alone is no number */
    CHECK_EQ_INT(num("m"), -1);     /* nor is a lone scale letter */
    CHECK_EQ_INT(num("12 34"), -1); /* two digit runs, no scale between */
    CHECK_EQ_INT(num("1e6"), -1);
    CHECK_EQ_INT(num("99999999999 billion"), -1); /* beyond int64 */
}

int main(void)
{
    test_digits();
    test_scales();
    test_words();
    test_no_number();
    return check_report("unit_numbers");
}
