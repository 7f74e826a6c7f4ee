/* The background drainer: recomputes dirty villages soon after each write, so reports rarely
 * have anything left to do on read. Its own connection LISTENs on coverage_dirty; it wakes on a
 * notification, on a one-minute tick (deadlines pass without writes), and to stop. */
#include "analysis.h"
#include "db.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ana_worker {
    char url[1024];
    int batch;
    atomic_bool stop;
    pthread_t thread;
};

#define TICK_MS    60000
#define SLICE_MS   200
#define CATCHUP_MS 5000

static PGconn *listen_conn(ana_worker *w)
{
    core_err err = {0};
    PGconn *c = db_connect(w->url, &err);
    if (c && db_run(c, "LISTEN coverage_dirty", 0, NULL, &err)) {
        PQfinish(c);
        c = NULL;
    }
    if (!c)
        core_log(CORE_LOG_WARN, "analysis_worker", "\"error\":\"%s\"", "cannot connect; retrying");
    return c;
}

/* Drains the queue batch by batch; false when the connection failed. */
static bool drain(ana_worker *w, PGconn *c)
{
    for (;;) {
        if (atomic_load(&w->stop))
            return true;
        core_err err = {0};
        int done = 0;
        double t0 = core_now_ms();
        if (ana_drain(c, w->batch, &done, &err)) {
            core_buf b = {0};
            core_buf_json_str(&b, err.msg);
            core_log(CORE_LOG_WARN, "analysis_drain_failed", "\"error\":%s",
                     b.data ? b.data : "\"\"");
            core_buf_free(&b);
            return PQstatus(c) == CONNECTION_OK;
        }
        if (done == 0)
            return true;
        core_log(CORE_LOG_INFO, "analysis_recomputed", "\"villages\":%d,\"ms\":%.1f", done,
                 core_now_ms() - t0);
    }
}

static void *run(void *arg)
{
    ana_worker *w = arg;
    PGconn *c = NULL;
    double last = 0;
    while (!atomic_load(&w->stop)) {
        if (!c || PQstatus(c) != CONNECTION_OK) {
            if (c)
                PQfinish(c);
            if (!(c = listen_conn(w))) {
                for (int i = 0; i < 10 && !atomic_load(&w->stop); i++)
                    poll(NULL, 0, SLICE_MS);
                continue;
            }
            last = 0; /* catch up on whatever was marked while away */
        }
        bool wake = core_now_ms() - last >= TICK_MS;
        struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
        if (!wake && poll(&pfd, 1, SLICE_MS) > 0) {
            if (!PQconsumeInput(c))
                continue; /* broken: reconnect above */
        }
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) {
            wake = true;
            PQfreemem(n);
        }
        if (wake) {
            last = core_now_ms();
            if (!drain(w, c)) {
                PQfinish(c);
                c = NULL;
            }
        }
    }
    if (c)
        PQfinish(c);
    return NULL;
}

ana_worker *ana_worker_start(const char *url, int batch, core_err *err)
{
    ana_worker *w = calloc(1, sizeof *w);
    if (!w) {
        core_fail(err, CORE_ENOMEM, NULL);
        return NULL;
    }
    snprintf(w->url, sizeof w->url, "%s", url);
    w->batch = batch > 0 ? batch : 100;
    atomic_init(&w->stop, false);
    /* Catch up before the server answers (bounded): what was marked while no server ran is
     * current from the first request, and the catch-up's tile notifications go out before
     * anyone caches a tile. */
    PGconn *c = db_connect(w->url, NULL);
    for (double t0 = core_now_ms(); c && core_now_ms() - t0 < CATCHUP_MS;) {
        int done = 0;
        if (ana_drain(c, w->batch, &done, NULL) || done == 0)
            break;
    }
    if (c)
        PQfinish(c);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        free(w);
        core_fail(err, CORE_ENOMEM, "cannot start the analysis thread");
        return NULL;
    }
    return w;
}

void ana_worker_stop(ana_worker *w)
{
    if (!w)
        return;
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
    free(w);
}
