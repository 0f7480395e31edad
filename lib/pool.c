/* pool.c -- licscan_scan_paths: the files of a walk (walk.c) scanned on a
 * pool of threads, handed to the caller in list order. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "walk.h"

#define MAX_JOBS 256
#define DEFAULT_MAX_DEPTH 64
#define PROGRESS_MS 100 /* how often progress is told while waiting */

/* The first version of the struct ends with progress. */
#define WALK_OPTIONS_V1                                                        \
    (offsetof(licscan_walk_options, progress) + sizeof(void (*)(void)))

int licscan_walk_options_init(licscan_walk_options *opts, size_t size)
{
    if (!opts || size < WALK_OPTIONS_V1)
        return LICSCAN_EINVAL;
    licscan_walk_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = (uint32_t)(size < sizeof(o) ? size : sizeof(o));
    o.max_depth = DEFAULT_MAX_DEPTH;
    memcpy(opts, &o, o.struct_size); /* nothing past the caller's size */
    return LICSCAN_OK;
}

/* One file of the list as it goes through the pool. */
typedef struct slot {
    licscan_walk_file file;
    char *message; /* allocated when the file has one */
    bool done;     /* scanned; set under the pool's lock */
} slot;

typedef struct pool {
    const licscan_db *db;
    const ls_alloc *alloc;
    const licscan_walk_options *o;
    const licscan_scan_options *scan;
    void *user;
    const ls_walk_list *list;
    slot *slots;
    size_t next;      /* next file a worker takes */
    size_t delivered; /* files handed to on_file so far */
    size_t window;    /* how far workers may run ahead of delivery */
    bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t finished; /* a file is done */
    pthread_cond_t room;     /* delivery moved on */
} pool;

/* Without memory for the message, the status's text stands in. */
static void set_message(const pool *p, slot *s, const char *text)
{
    s->message = ls_strndup(p->alloc, text, strlen(text));
    s->file.message =
        s->message ? s->message : licscan_strerror(s->file.status);
}

/* Reads and scans file i into its slot, then runs on_scanned. */
static void scan_one(pool *p, size_t i)
{
    const ls_walk_entry *e = &p->list->items[i];
    slot *s = &p->slots[i];
    licscan_walk_file *f = &s->file;
    if (e->problem) {
        f->status = LICSCAN_EIO;
        f->os_error = e->os_error;
        set_message(p, s, e->problem);
    } else if (!(p->o->flags & LICSCAN_WALK_LIST_ONLY)) {
        void *data;
        size_t len;
        char why[256];
        uint32_t flags = LICSCAN_READ_CHECK_BINARY |
                         (e->stream ? LICSCAN_READ_STREAM : 0);
        f->status = ls_read_input(p->alloc, e->path, flags,
                                  p->scan->max_input_bytes, &data, &len,
                                  why, sizeof(why), &f->os_error);
        if (f->status) {
            set_message(p, s, why);
        } else {
            f->data = data;
            f->len = len;
            f->status = licscan_scan(p->db, data, len, p->scan, &f->result);
            if (f->status)
                set_message(p, s, f->result ? licscan_result_errmsg(f->result)
                                         : licscan_strerror(f->status));
        }
    }
    if (p->o->on_scanned)
        p->o->on_scanned(f, p->user);
}

static void release(pool *p, slot *s)
{
    licscan_result_free(s->file.result);
    ls_free(p->alloc, (void *)s->file.data);
    ls_free(p->alloc, s->message);
    s->file.result = NULL;
    s->file.data = NULL;
    s->message = NULL;
    s->file.message = "";
}

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        /* Bounded look-ahead: scanned files wait in memory until
         * delivered. */
        while (!p->stopping && p->next < p->list->count &&
               p->next >= p->delivered + p->window)
            pthread_cond_wait(&p->room, &p->lock);
        if (p->stopping || p->next >= p->list->count)
            break;
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        scan_one(p, i);
        pthread_mutex_lock(&p->lock);
        p->slots[i].done = true;
        pthread_cond_signal(&p->finished);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void wait_up_to(pthread_cond_t *cond, pthread_mutex_t *lock, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long ns = ts.tv_nsec + ms * 1000000L;
    ts.tv_sec += ns / 1000000000L;
    ts.tv_nsec = ns % 1000000000L;
    pthread_cond_timedwait(cond, lock, &ts);
}

static void told_found(size_t count, void *arg)
{
    pool *p = arg;
    p->o->progress(count, 0, p->user);
}

static size_t job_count(const licscan_walk_options *o, size_t files)
{
    size_t jobs = o->jobs;
    if (!jobs) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus > 0 ? (size_t)cpus : 1;
    }
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    return jobs < files ? jobs : files;
}

/* Hands the files to on_file in order as the workers finish them (or
 * scans each itself when there are none); the status of the walk. */
static int deliver_all(pool *p, licscan_walk_fn on_file, size_t started)
{
    size_t count = p->list->count;
    int status = LICSCAN_OK;
    for (size_t i = 0; i < count; i++) {
        slot *s = &p->slots[i];
        if (!started) {
            if (p->stopping)
                break; /* nothing scanned past the stop */
            scan_one(p, i);
        } else {
            pthread_mutex_lock(&p->lock);
            if (p->stopping && i >= p->next) {
                pthread_mutex_unlock(&p->lock);
                break; /* no worker took it */
            }
            while (!s->done) {
                if (p->o->progress) {
                    wait_up_to(&p->finished, &p->lock, PROGRESS_MS);
                    pthread_mutex_unlock(&p->lock);
                    p->o->progress(i, count, p->user);
                    pthread_mutex_lock(&p->lock);
                } else {
                    pthread_cond_wait(&p->finished, &p->lock);
                }
            }
            pthread_mutex_unlock(&p->lock);
        }
        s->file.stopping = p->stopping;
        int stop = on_file(&s->file, p->user);
        release(p, s);
        pthread_mutex_lock(&p->lock);
        p->delivered = i + 1;
        if (stop && !p->stopping) {
            p->stopping = true;
            status = LICSCAN_ESTOPPED;
        }
        pthread_cond_broadcast(&p->room);
        pthread_mutex_unlock(&p->lock);
        if (p->o->progress && !p->stopping)
            p->o->progress(i + 1, count, p->user);
    }
    return status;
}

int licscan_scan_paths(const licscan_db *db, const char *const *paths,
                       size_t npaths, const licscan_walk_options *opts,
                       licscan_walk_fn on_file, void *user)
{
    licscan_walk_options o;
    licscan_walk_options_init(&o, sizeof(o));
    if (opts && ls_options_read(&o, sizeof(o), opts, WALK_OPTIONS_V1))
        return LICSCAN_EINVAL;
    if (!on_file || (!paths && npaths) ||
        (!db && !(o.flags & LICSCAN_WALK_LIST_ONLY)))
        return LICSCAN_EINVAL;
    for (size_t i = 0; i < npaths; i++)
        if (!paths[i])
            return LICSCAN_EINVAL;
    /* The caller's scan options, read once as licscan_scan reads them. */
    licscan_scan_options scan;
    licscan_scan_options_init(&scan, sizeof(scan));
    if (o.scan && ls_options_read(&scan, sizeof(scan), o.scan,
                                  offsetof(licscan_scan_options, max_evidence) +
                                      sizeof(uint32_t)))
        return LICSCAN_EINVAL;
    ls_alloc default_alloc;
    ls_alloc_default(&default_alloc);
    pool p = { .db = db,
               .alloc = db ? &db->alloc : &default_alloc,
               .o = &o,
               .scan = &scan,
               .user = user };
    ls_walk_list list = { .alloc = p.alloc };
    p.list = &list;
    int rc = ls_walk_list_make(paths, npaths, o.flags, o.max_depth,
                               o.progress ? told_found : NULL, &p, &list);
    if (rc)
        return rc;
    p.slots = list.count ? ls_calloc(p.alloc, list.count, sizeof(slot)) : NULL;
    if (list.count && !p.slots) {
        ls_walk_list_free(&list);
        return LICSCAN_ENOMEM;
    }
    for (size_t i = 0; i < list.count; i++) {
        licscan_walk_file *f = &p.slots[i].file;
        f->struct_size = sizeof(*f);
        f->path = list.items[i].path;
        f->index = i;
        f->walked = list.items[i].walked;
        f->message = "";
    }

    size_t nworkers = job_count(&o, list.count);
    p.window = 4 * nworkers + 16;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.finished, &attr);
    pthread_cond_init(&p.room, NULL);
    pthread_condattr_destroy(&attr);
    pthread_t tids[MAX_JOBS];
    size_t started = 0;
    /* One file, or one job: the calling thread scans them itself. */
    if (nworkers > 1)
        for (; started < nworkers; started++)
            if (pthread_create(&tids[started], NULL, worker, &p))
                break; /* those running do the work */

    rc = deliver_all(&p, on_file, started);

    pthread_mutex_lock(&p.lock);
    p.stopping = true; /* workers still waiting for room end */
    pthread_cond_broadcast(&p.room);
    pthread_mutex_unlock(&p.lock);
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    /* After a stop: the files scanned but not delivered, so that what
     * on_scanned made for them can be released. */
    for (size_t i = p.delivered; i < list.count; i++) {
        slot *s = &p.slots[i];
        if (s->done) {
            s->file.stopping = 1;
            on_file(&s->file, user);
        }
        release(&p, s);
    }
    pthread_cond_destroy(&p.room);
    pthread_cond_destroy(&p.finished);
    pthread_mutex_destroy(&p.lock);
    ls_free(p.alloc, p.slots);
    ls_walk_list_free(&list);
    return rc;
}
