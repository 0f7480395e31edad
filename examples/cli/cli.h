/* cli.h -- what the CLI's files share (licscan.c, check.c). */
#ifndef LICSCAN_CLI_H
#define LICSCAN_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file of at most limit bytes (licscan.c): a regular file,
 * or with `stream` also a FIFO or pipe; with check_binary, a file whose
 * first block holds a NUL byte (and is not UTF-16) is refused as binary
 * unread past that block. On failure returns -1 with a message in err and
 * a LICSCAN_E* status in *status. */
int cli_read_input(const char *path, int stream, int check_binary,
                   uint64_t limit, unsigned char **data, size_t *len, char *err,
                   size_t errlen, int *status);

/* Matches "--name" (value in the next argument) and "--name=value" at
 * argv[*i] (licscan.c). On a match, *value is the value or NULL when it is
 * missing. */
int cli_option_value(int argc, char **argv, int *i, const char *name,
                     const char **value);

/* A usage error of `command` ("licscan", "licscan check") on stderr: the
 * message (fmt with arg), then where help is (licscan.c). */
void cli_usage_error(const char *command, const char *fmt, const char *arg);

/* `licscan check ...` (check.c): argv[0] is "check". Returns the exit
 * status. */
int check_main(int argc, char **argv);

#endif
