/* replay_main.c -- runs a fuzz target without libFuzzer: every file under
 * the directories (or files) given, in name order, is passed once to
 * LLVMFuzzerTestOneInput. This is how seeds and regression inputs run in
 * `make test`, with any compiler and under any sanitizer or valgrind.
 *
 * usage: replay [-t SECONDS] [-x OPEN_LIST] PATH...
 * A target that finds a broken invariant aborts; an input that runs longer
 * than SECONDS (default 60) ends the run with its name. Inputs named in
 * OPEN_LIST (one path per line, '#' comments) reproduce reported bugs not
 * yet fixed: they are skipped, loudly. Exit status 1 when a path cannot be
 * read or no input was found at all. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current_input = "";

/* Names the input that was running; only async-signal-safe calls. */
static void say_input(const char *what)
{
    if (write(2, what, strlen(what)) < 0 ||
        write(2, current_input, strlen(current_input)) < 0 ||
        write(2, "\n", 1) < 0)
        _exit(3);
}

static void on_timeout(int sig)
{
    (void)sig;
    say_input("replay: timeout on input ");
    _exit(2);
}

/* An abort (a broken invariant, a sanitizer report) says which input. */
static void on_abort(int sig)
{
    say_input("replay: aborted on input ");
    signal(sig, SIG_DFL);
    raise(sig);
}

typedef struct replay {
    unsigned timeout;
    char *open_list; /* contents of OPEN_LIST, or NULL */
    size_t inputs;
    double slowest_seconds;
    char slowest[4096];
    int errors;
} replay;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when path is a line of the open-bug list (before any comment). */
static int listed_open(const replay *rp, const char *path)
{
    size_t n = strlen(path);
    for (const char *line = rp->open_list; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        size_t word = strcspn(line, " \t#\n");
        if (word == n && n > 0 && !memcmp(line, path, n) && word <= len)
            return 1;
        line = end ? end + 1 : line + len;
    }
    return 0;
}

static char *read_list(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 16);
    if (text && fread(text, 1, (1 << 16) - 1, f) == 0 && ferror(f)) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

static void run_file(replay *rp, const char *path)
{
    if (listed_open(rp, path)) {
        printf("replay: skipped, reproduces an open bug: %s\n", path);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        rp->errors++;
        return;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap *= 2);
            if (!bigger)
                free(data);
            data = bigger;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!data || bad) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        free(data);
        rp->errors++;
        return;
    }
    /* an exact-size copy, so ASan sees reads past the input's end */
    uint8_t *input = malloc(len ? len : 1);
    if (!input) {
        free(data);
        rp->errors++;
        return;
    }
    memcpy(input, data, len);
    free(data);

    current_input = path;
    double start = now_seconds();
    alarm(rp->timeout);
    LLVMFuzzerTestOneInput(input, len);
    alarm(0);
    double took = now_seconds() - start;
    free(input);
    rp->inputs++;
    if (took > rp->slowest_seconds) {
        rp->slowest_seconds = took;
        snprintf(rp->slowest, sizeof(rp->slowest), "%s", path);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file is an input; a directory is walked, dot files skipped. */
static void run_path(replay *rp, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        rp->errors++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(rp, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        rp->errors++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **more = realloc(names, cap * sizeof(*names));
            if (!more)
                break;
            names = more;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(need)))
            break;
        snprintf(names[n++], need, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        run_path(rp, names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    replay rp = { .timeout = 60 };
    int first = 1;
    for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
        if (!strcmp(argv[first], "-t")) {
            rp.timeout = (unsigned)strtoul(argv[first + 1], NULL, 10);
        } else if (!strcmp(argv[first], "-x")) {
            if (!(rp.open_list = read_list(argv[first + 1]))) {
                fprintf(stderr, "replay: cannot read %s\n", argv[first + 1]);
                return 2;
            }
        } else {
            break;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-t SECONDS] [-x OPEN_LIST] PATH...\n",
                argv[0]);
        return 2;
    }
    signal(SIGALRM, on_timeout);
    signal(SIGABRT, on_abort);
    for (int i = first; i < argc; i++)
        run_path(&rp, argv[i]);
    printf("%s: %zu inputs replayed, slowest %.3f s (%s)\n", argv[0], rp.inputs,
           rp.slowest_seconds, rp.slowest);
    free(rp.open_list);
    if (rp.inputs == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return rp.errors ? 1 : 0;
}
