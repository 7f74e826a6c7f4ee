/* A fixed pool of libpq connections shared by the server's threads. Connections open lazily
 * and are dropped when found broken, so the pool heals by itself after a database restart. */
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    PGconn *conn; /* NULL until first used or after it broke */
    bool busy;
} pool_slot;

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *url;
    int size;
    pool_slot *slots;
};

db_pool *db_pool_create(const char *url, int size, core_err *err)
{
    if (size < 1 || size > 1000) {
        core_fail(err, CORE_EINVAL, "pool size %d out of range 1..1000", size);
        return NULL;
    }
    db_pool *p = calloc(1, sizeof *p);
    if (p) {
        p->url = strdup(url);
        p->slots = calloc((size_t)size, sizeof *p->slots);
    }
    if (!p || !p->url || !p->slots) {
        if (p) {
            free(p->url);
            free(p->slots);
        }
        free(p);
        core_fail(err, CORE_ENOMEM, NULL);
        return NULL;
    }
    p->size = size;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

void db_pool_free(db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->size; i++)
        if (p->slots[i].conn)
            PQfinish(p->slots[i].conn);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p->slots);
    free(p->url);
    free(p);
}

/* Takes a free slot, preferring one with an open connection; -1 when none is free. */
static int take_slot(db_pool *p)
{
    int empty = -1;
    for (int i = 0; i < p->size; i++) {
        if (p->slots[i].busy)
            continue;
        if (p->slots[i].conn) {
            p->slots[i].busy = true;
            return i;
        }
        if (empty < 0)
            empty = i;
    }
    if (empty >= 0)
        p->slots[empty].busy = true;
    return empty;
}

PGconn *db_pool_acquire(db_pool *p, int timeout_ms, core_err *err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    int i;
    while ((i = take_slot(p)) < 0) {
        if (pthread_cond_timedwait(&p->freed, &p->lock, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&p->lock);
            core_fail(err, CORE_EUNAVAIL, "all %d database connections are busy", p->size);
            return NULL;
        }
    }
    PGconn *c = p->slots[i].conn;
    pthread_mutex_unlock(&p->lock);

    /* Connecting happens outside the lock so that one slow connect does not stall the pool. */
    if (c && PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        c = NULL;
    }
    if (!c)
        c = db_connect(p->url, err);
    pthread_mutex_lock(&p->lock);
    p->slots[i].conn = c;
    if (!c) {
        p->slots[i].busy = false;
        pthread_cond_signal(&p->freed);
    }
    pthread_mutex_unlock(&p->lock);
    return c;
}

void db_pool_release(db_pool *p, PGconn *c)
{
    if (!c)
        return;
    /* A connection handed back broken or mid-transaction must not reach the next user. */
    if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    bool broken = PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->size; i++) {
        if (p->slots[i].conn == c) {
            if (broken) {
                PQfinish(c);
                p->slots[i].conn = NULL;
            }
            p->slots[i].busy = false;
            break;
        }
    }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

core_code db_pool_ping(db_pool *p, core_err *err)
{
    PGconn *c = db_pool_acquire(p, 1000, err);
    if (!c)
        return err ? err->code : CORE_EUNAVAIL;
    core_code rc = db_run(c, "SELECT 1", 0, NULL, err);
    db_pool_release(p, c);
    return rc;
}

typedef struct {
    const char *url, *sql;
    PGconn *conn;
} warm_job;

static void *warm_one(void *arg)
{
    warm_job *w = arg;
    core_err err = {0};
    w->conn = db_connect(w->url, &err);
    if (w->conn && w->sql && db_run(w->conn, w->sql, 0, NULL, &err))
        core_log(CORE_LOG_WARN, "pool_warm", "\"error\":\"%s\"", "warm-up statement failed");
    return NULL;
}

int db_pool_warm(db_pool *p, int n, const char *sql)
{
    if (n > p->size)
        n = p->size;
    if (n < 1)
        return 0;
    warm_job *jobs = calloc((size_t)n, sizeof *jobs);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    bool *started = calloc((size_t)n, sizeof *started);
    int ready = 0;
    if (jobs && th && started) {
        for (int i = 0; i < n; i++) {
            jobs[i] = (warm_job){.url = p->url, .sql = sql};
            started[i] = pthread_create(&th[i], NULL, warm_one, &jobs[i]) == 0;
        }
        for (int i = 0; i < n; i++)
            if (started[i])
                pthread_join(th[i], NULL);
        pthread_mutex_lock(&p->lock);
        for (int i = 0; i < n; i++) {
            if (!jobs[i].conn)
                continue;
            pool_slot *slot = NULL;
            for (int k = 0; k < p->size && !slot; k++)
                if (!p->slots[k].busy && !p->slots[k].conn)
                    slot = &p->slots[k];
            if (slot) {
                slot->conn = jobs[i].conn;
                ready++;
            } else {
                PQfinish(jobs[i].conn);
            }
        }
        pthread_cond_broadcast(&p->freed);
        pthread_mutex_unlock(&p->lock);
    }
    free(jobs);
    free(th);
    free(started);
    return ready;
}
