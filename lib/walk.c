/* walk.c -- the list of files a walk scans, and reading one file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

#define FIRST_BLOCK (64u << 10) /* read first: a binary file stops there */

/* strerror() may share one buffer between threads. strerror_r() comes in
 * a GNU flavour (returns the text) and an XSI one (returns a status); the
 * _Generic takes whichever this C library declares. */
static const char *gnu_strerror_text(char *text, char *buf)
{
    (void)buf;
    return text;
}
static const char *xsi_strerror_text(int status, char *buf)
{
    return status ? "unknown error" : buf;
}
#define ERRNO_TEXT(err, buf)                                                   \
    _Generic(strerror_r((err), (buf), sizeof(buf)),                           \
             char *: gnu_strerror_text,                                       \
             int: xsi_strerror_text)(strerror_r((err), (buf), sizeof(buf)),   \
                                     (buf))

/* ---------- reading ---------- */

/* Waits until fd (a pipe or terminal left non-blocking) can be read. */
static void wait_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
}

static int binary_refused(const unsigned char *bytes, size_t used, char *err,
                          size_t errlen)
{
    size_t nul;
    if (!licscan_sniff_binary(bytes, used, &nul))
        return 0;
    if (errlen)
        snprintf(err, errlen, "NUL byte at offset %zu: binary input", nul);
    return 1;
}

int ls_read_input(const ls_alloc *a, const char *path, uint32_t flags,
                  uint64_t limit, void **data, size_t *len, char *err,
                  size_t errlen, int *os_error)
{
    char buf[128];
    unsigned char *bytes = NULL;
    size_t cap = 0, used = 0;
    struct stat st;
    int status = LICSCAN_EIO;
    bool stream = flags & LICSCAN_READ_STREAM;
    bool is_stdin = stream && !strcmp(path, "-");
    *data = NULL;
    *len = 0;
    if (os_error)
        *os_error = 0;
    if (errlen)
        *err = 0;
    /* O_NONBLOCK: should a path of the walk have become a FIFO since the
     * walk looked at it, opening it must not wait for a writer. A FIFO
     * named as a stream is opened as cat would: it waits. */
    int fd = is_stdin ? STDIN_FILENO
                      : open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC |
                                       (stream ? 0 : O_NONBLOCK));
    if (fd < 0) {
        if (os_error)
            *os_error = errno;
        if (errlen)
            snprintf(err, errlen, "%s", ERRNO_TEXT(errno, buf));
        return LICSCAN_EIO;
    }
    if (fstat(fd, &st) != 0) {
        if (os_error)
            *os_error = errno;
        if (errlen)
            snprintf(err, errlen, "%s", ERRNO_TEXT(errno, buf));
        goto fail;
    }
    bool regular = S_ISREG(st.st_mode);
    if (S_ISDIR(st.st_mode)) {
        if (os_error)
            *os_error = EISDIR;
        if (errlen)
            snprintf(err, errlen, "is a directory");
        goto fail;
    }
    if (!regular && !stream) {
        if (errlen)
            snprintf(err, errlen, "not a regular file");
        goto fail;
    }
    if (regular && (uint64_t)st.st_size > limit)
        goto too_big;
    bool checked = !(flags & LICSCAN_READ_CHECK_BINARY);
    for (;;) {
        if (used == cap) {
            if (!checked && cap) {
                checked = true;
                if (binary_refused(bytes, used, err, errlen)) {
                    status = LICSCAN_EBINARY;
                    goto fail;
                }
            }
            /* The first block alone, then the size plus one byte (so that
             * a file that grew since fstat is noticed), then doubling. */
            size_t whole = regular ? (size_t)st.st_size + 1 : 0;
            size_t bigger =
                !cap ? (regular && whole < FIRST_BLOCK ? whole : FIRST_BLOCK)
                : whole > cap ? whole
                              : cap * 2;
            unsigned char *p = ls_realloc(a, bytes, cap, bigger);
            if (!p) {
                if (errlen)
                    snprintf(err, errlen, "out of memory");
                status = LICSCAN_ENOMEM;
                goto fail;
            }
            bytes = p;
            cap = bigger;
        }
        ssize_t got = read(fd, bytes + used, cap - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !regular) {
            wait_readable(fd);
            continue;
        }
        if (got < 0) {
            if (os_error)
                *os_error = errno;
            if (errlen)
                snprintf(err, errlen, "read error: %s",
                         ERRNO_TEXT(errno, buf));
            goto fail;
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used > limit)
            goto too_big;
        /* all fstat said there was, with room for a byte more: the end
         * (a file that grew would have filled that room) */
        if (regular && used == (size_t)st.st_size && used < cap)
            break;
    }
    if (!checked && used && binary_refused(bytes, used, err, errlen)) {
        status = LICSCAN_EBINARY;
        goto fail;
    }
    if (!is_stdin)
        close(fd);
    if (!used) {
        ls_free(a, bytes);
        bytes = NULL;
    }
    *data = bytes;
    *len = used;
    return LICSCAN_OK;
too_big:
    if (errlen)
        snprintf(err, errlen, "file is over the limit of %llu bytes",
                 (unsigned long long)limit);
    status = LICSCAN_ETOOBIG;
fail:
    ls_free(a, bytes);
    if (!is_stdin)
        close(fd);
    return status;
}

int licscan_read_file(const char *path, uint32_t flags, uint64_t limit,
                      void **data, size_t *len, char *err, size_t errlen,
                      int *os_error)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (os_error)
        *os_error = 0;
    if (err && errlen)
        *err = 0;
    if (!path || !data || !len || (!err && errlen))
        return LICSCAN_EINVAL;
    ls_alloc a;
    ls_alloc_default(&a);
    return ls_read_input(&a, path, flags, limit, data, len, err, errlen,
                         os_error);
}

void licscan_data_free(void *data) { free(data); }

/* ---------- the list ---------- */

typedef struct walker {
    ls_walk_list *list;
    uint32_t flags;
    uint32_t max_depth;
    const char *root; /* links to files inside it are followed (real path
                         of the tree a path names), or NULL */
    void (*found)(size_t, void *);
    void *user;
    bool out_of_memory;
} walker;

/* A directory being walked, to notice one that contains itself (a bind
 * mount, or a followed symbolic link, can do that). */
typedef struct dir_chain {
    dev_t dev;
    ino_t ino;
    const struct dir_chain *parent;
} dir_chain;

static ls_walk_entry *add_entry(walker *w, const char *path,
                                const char *problem, int os_error)
{
    ls_walk_list *l = w->list;
    if (w->out_of_memory)
        return NULL;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        ls_walk_entry *items = ls_realloc(l->alloc, l->items,
                                          l->cap * sizeof(*items),
                                          cap * sizeof(*items));
        if (!items) {
            w->out_of_memory = true;
            return NULL;
        }
        l->items = items;
        l->cap = cap;
    }
    ls_walk_entry *e = &l->items[l->count];
    memset(e, 0, sizeof(*e));
    e->path = ls_strndup(l->alloc, path, strlen(path));
    e->problem = problem ? ls_strndup(l->alloc, problem, strlen(problem))
                         : NULL;
    e->os_error = os_error;
    if (!e->path || (problem && !e->problem)) {
        ls_free(l->alloc, e->path);
        ls_free(l->alloc, e->problem);
        w->out_of_memory = true;
        return NULL;
    }
    l->count++;
    if (w->found)
        w->found(l->count, w->user);
    return e;
}

static void add_errno(walker *w, const char *path, int err)
{
    char buf[128];
    add_entry(w, path, ERRNO_TEXT(err, buf), err);
}

static const char *special_file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe), not a regular file: skipped";
    if (S_ISSOCK(mode))
        return "a socket, not a regular file: skipped";
    if (S_ISCHR(mode))
        return "a character device, not a regular file: skipped";
    if (S_ISBLK(mode))
        return "a block device, not a regular file: skipped";
    return "not a regular file or directory: skipped";
}

/* A name in a directory, as a path under it, with the type the directory
 * gives it (DT_UNKNOWN when it gives none). */
typedef struct dir_name {
    char *path;
    unsigned char type;
} dir_name;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const dir_name *)a)->path, ((const dir_name *)b)->path);
}

static void walk_path(walker *w, const char *path, uint32_t depth,
                      const dir_chain *up, unsigned char type);

/* The names in a directory but ".", ".." and ".git", sorted; NULL with
 * *n 0 when it has none or cannot be read (reported). */
static dir_name *directory_names(walker *w, const char *path, size_t *n)
{
    const ls_alloc *a = w->list->alloc;
    *n = 0;
    DIR *dir = opendir(path);
    if (!dir) {
        add_errno(w, path, errno);
        return NULL;
    }
    dir_name *names = NULL;
    size_t cap = 0;
    size_t plen = strlen(path);
    const char *sep = plen && path[plen - 1] == '/' ? "" : "/";
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(dir);
        if (!ent) {
            if (errno)
                add_errno(w, path, errno);
            break;
        }
        const char *name = ent->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git"))
            continue;
        if (*n == cap) {
            size_t bigger = cap ? cap * 2 : 32;
            dir_name *p = ls_realloc(a, names, cap * sizeof(*names),
                                     bigger * sizeof(*names));
            if (!p) {
                w->out_of_memory = true;
                break;
            }
            names = p;
            cap = bigger;
        }
        size_t need = plen + strlen(name) + 2;
        char *full = ls_malloc(a, need);
        if (!full) {
            w->out_of_memory = true;
            break;
        }
        snprintf(full, need, "%s%s%s", path, sep, name);
#ifdef _DIRENT_HAVE_D_TYPE
        names[(*n)++] = (dir_name){ full, ent->d_type };
#else
        names[(*n)++] = (dir_name){ full, DT_UNKNOWN };
#endif
    }
    closedir(dir);
    if (*n)
        qsort(names, *n, sizeof(*names), name_cmp);
    return names;
}

static void walk_directory(walker *w, const char *path, uint32_t depth,
                           const struct stat *st, const dir_chain *up)
{
    for (const dir_chain *d = up; d; d = d->parent)
        if (d->dev == st->st_dev && d->ino == st->st_ino) {
            add_entry(w, path, "directory loop: it contains itself; skipped",
                      0);
            return;
        }
    if (depth > w->max_depth) {
        add_entry(w, path, "directory tree too deep", 0);
        return;
    }
    size_t n;
    dir_name *names = directory_names(w, path, &n);
    dir_chain here = { st->st_dev, st->st_ino, up };
    for (size_t i = 0; i < n; i++) {
        if (!w->out_of_memory)
            walk_path(w, names[i].path, depth + 1, &here, names[i].type);
        ls_free(w->list->alloc, names[i].path);
    }
    ls_free(w->list->alloc, names);
}

/* Whether the real path of a link's target lies inside the walked root. */
static bool inside_root(const walker *w, const char *path)
{
    if (!w->root)
        return false;
    char *real = realpath(path, NULL);
    if (!real)
        return false;
    size_t n = strlen(w->root);
    bool inside = n == 1 /* "/" */ ||
                  (!strncmp(real, w->root, n) && (!real[n] || real[n] == '/'));
    free(real);
    return inside;
}

/* The tree whose files the links of a walk may lead to: the real path of
 * the path given, or, for a directory inside a Hugging Face cache
 * repository's snapshots (.../models--ORG--NAME/snapshots/REV, whose
 * files are links to ../../blobs/), that repository directory. NULL when
 * it cannot be resolved. Allocated by realpath (free). */
static char *walk_root(const char *arg)
{
    char *real = realpath(arg, NULL);
    if (!real)
        return NULL;
    char *snap = strstr(real, "/snapshots");
    while (snap && snap[10] && snap[10] != '/')
        snap = strstr(snap + 1, "/snapshots");
    if (snap) {
        char *repo = snap;
        while (repo > real && repo[-1] != '/')
            repo--;
        if (!strncmp(repo, "models--", 8) || !strncmp(repo, "datasets--", 10) ||
            !strncmp(repo, "spaces--", 8))
            *snap = 0; /* the repository directory */
    }
    return real;
}

static void walk_path(walker *w, const char *path, uint32_t depth,
                      const dir_chain *up, unsigned char type)
{
    struct stat st;
    /* a regular file, as its directory says, is not asked about again
     * (the read checks what it opens) */
    st.st_mode = depth > 0 && type == DT_REG ? S_IFREG : 0;
    bool follow = w->flags & LICSCAN_WALK_FOLLOW;
    if (depth == 0 && (w->flags & LICSCAN_WALK_STDIN) && !strcmp(path, "-")) {
        ls_walk_entry *e = add_entry(w, path, NULL, 0); /* standard input */
        if (e)
            e->stream = true;
        return;
    }
    if (!S_ISREG(st.st_mode) && lstat(path, &st) != 0) {
        add_errno(w, path, errno);
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            int err = errno;
            if (err == ELOOP)
                add_entry(w, path, "symbolic link loop: skipped", err);
            else if (depth == 0)
                add_errno(w, path, err); /* a path given */
            else if (follow)
                add_entry(w, path, "dangling symbolic link: skipped", err);
            return; /* else a dangling link inside a tree is left out */
        }
        /* Inside a walked tree, unless every link is followed, only links
         * to regular files that stay inside the tree are. */
        if (depth > 0 && !follow &&
            !(S_ISREG(st.st_mode) && inside_root(w, path)))
            return;
    }
    if (S_ISREG(st.st_mode)) {
        ls_walk_entry *e = add_entry(w, path, NULL, 0);
        if (e)
            e->walked = depth > 0;
    } else if (S_ISDIR(st.st_mode)) {
        walk_directory(w, path, depth, &st, up);
    } else if (depth == 0 && S_ISFIFO(st.st_mode)) {
        /* A FIFO given as a path, or a pipe such as bash's <(command) or
         * /dev/stdin, is read. */
        ls_walk_entry *e = add_entry(w, path, NULL, 0);
        if (e)
            e->stream = true;
    } else {
        add_entry(w, path, special_file_kind(st.st_mode), 0);
    }
}

void ls_walk_list_free(ls_walk_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        ls_free(l->alloc, l->items[i].path);
        ls_free(l->alloc, l->items[i].problem);
    }
    ls_free(l->alloc, l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

int ls_walk_list_make(const char *const *paths, size_t n, uint32_t flags,
                      uint32_t max_depth, void (*found)(size_t, void *),
                      void *user, ls_walk_list *out)
{
    walker w = { .list = out,
                 .flags = flags,
                 .max_depth = max_depth,
                 .found = found,
                 .user = user };
    for (size_t i = 0; i < n && !w.out_of_memory; i++) {
        bool is_stdin = (flags & LICSCAN_WALK_STDIN) && !strcmp(paths[i], "-");
        char *root = is_stdin ? NULL : walk_root(paths[i]);
        w.root = root;
        walk_path(&w, paths[i], 0, NULL, DT_UNKNOWN);
        free(root);
    }
    if (w.out_of_memory) {
        ls_walk_list_free(out);
        return LICSCAN_ENOMEM;
    }
    return LICSCAN_OK;
}
