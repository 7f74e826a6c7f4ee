/* The deadline watch: a background thread runs hazards_mark_overdue() when the server starts
 * and then every overdue_check_s seconds, so a missed rectification deadline escalates
 * (Art. 58(3)) without anyone asking. The database makes each escalation happen once, so
 * several servers may run it side by side. */
#include "srv_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct srv_overdue {
    srv *server;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
};

int srv_overdue_check(srv *s)
{
    core_err err = {0};
    PGconn *c = db_pool_acquire(s->pool, 2000, &err);
    if (!c) {
        core_log(CORE_LOG_WARN, "overdue_check", "\"error\":\"database unavailable\"");
        return -1;
    }
    int n = -1;
    char *sql = db_sql("hazards_mark_overdue", &err);
    PGresult *res = sql ? db_exec(c, PGRES_TUPLES_OK, sql, 0, NULL, &err) : NULL;
    if (res) {
        n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
        if (n > 0)
            core_log(CORE_LOG_INFO, "hazards_escalated", "\"count\":%d", n);
    } else {
        core_buf b = {0};
        core_buf_json_str(&b, err.msg);
        core_log(CORE_LOG_WARN, "overdue_check", "\"error\":%s", b.data ? b.data : "\"\"");
        core_buf_free(&b);
    }
    PQclear(res);
    free(sql);
    db_pool_release(s->pool, c);
    return n;
}

static void *watch(void *arg)
{
    struct srv_overdue *w = arg;
    int period = w->server->cfg.overdue_check_s;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        srv_overdue_check(w->server);
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += period;
        while (!w->stop && pthread_cond_timedwait(&w->wake, &w->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct srv_overdue *srv_overdue_start(srv *s)
{
    if (s->cfg.overdue_check_s <= 0)
        return NULL;
    struct srv_overdue *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->server = s;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        core_log(CORE_LOG_WARN, "overdue_check", "\"error\":\"cannot start the thread\"");
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void srv_overdue_stop(struct srv_overdue *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
