/* error.c -- the last error of a database load (error.h). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void ls_error_clear(ls_error *e)
{
    e->msg[0] = 0;
    e->file[0] = 0;
    e->has_file = false;
    e->line = e->col = 0;
}

void ls_error_set(ls_error *e, const char *file, uint32_t line, uint32_t col,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->has_file = file != NULL;
    snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
    e->line = line;
    e->col = col;
}
