/* testctl.c -- test controls (testctl.h). */
#include "internal.h"
#include "testctl.h"

int ls_test_control(licscan_db *db, int what, long value)
{
    if (!db)
        return LICSCAN_EINVAL;
    switch (what) {
    case LS_TEST_PREFILTER:
        if (value != 0 && value != 1)
            return LICSCAN_EINVAL;
        db->prefilter_off = value == 0;
        return LICSCAN_OK;
    case LS_TEST_WIDE_LINKS:
        if (value != 0 && value != 1)
            return LICSCAN_EINVAL;
        db->narrow_links = value == 0;
        return LICSCAN_OK;
    case LS_TEST_WHOLE_TEMPLATE:
        if (value != 0 && value != 1)
            return LICSCAN_EINVAL;
        db->whole_off = value == 0;
        return LICSCAN_OK;
    case LS_TEST_WHOLE_ANSWERS:
        if (value != 0 && value != 1)
            return LICSCAN_EINVAL;
        db->answers_off = value == 0;
        return LICSCAN_OK;
    case LS_TEST_PRUNING:
        if (value != 0 && value != 1)
            return LICSCAN_EINVAL;
        db->pruning_off = value == 0;
        return LICSCAN_OK;
    default: return LICSCAN_EINVAL;
    }
}
