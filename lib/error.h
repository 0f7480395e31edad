/* error.h -- the last error of a database load, set by any stage that
 * parses input (db.c, template.c, the rule-file parser). Stages set it
 * here rather than calling back into db.c. */
#ifndef LICSCAN_ERROR_H
#define LICSCAN_ERROR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ls_error {
    char msg[512];
    char file[512];
    uint32_t line, col;
    bool has_file;
} ls_error;

__attribute__((visibility("hidden"), format(printf, 5, 6))) void ls_error_set(
    ls_error *e, const char *file, uint32_t line, uint32_t col, const char *fmt,
    ...);
__attribute__((visibility("hidden"))) void ls_error_clear(ls_error *e);

#endif
