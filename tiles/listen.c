/* The listener: one dedicated connection that LISTENs on 'pingan_tiles' and applies every
 * change notification to the cache. When the connection is lost (database restart) it
 * reconnects every second, and flushes the cache on reconnecting, since notifications sent
 * meanwhile are gone. */
#include "db.h"
#include "tile_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RETRY_MS     1000
#define KEEPALIVE_MS 10000 /* a silent network death shows only when we speak */

static atomic_uint ctx_counter;

/* Sleeps up to ms, or less when woken for stopping. */
static void nap(tile_ctx *t, int ms)
{
    struct pollfd p = {.fd = t->wake[0], .events = POLLIN};
    poll(&p, 1, ms);
}

static void apply(tile_ctx *t, const char *payload)
{
    if (strncmp(payload, "sync ", 5) == 0) {
        size_t n = strlen(t->sync_prefix);
        if (strncmp(payload + 5, t->sync_prefix, n) == 0) {
            unsigned long long seq = strtoull(payload + 5 + n, NULL, 10);
            pthread_mutex_lock(&t->lock);
            if (seq > t->synced)
                t->synced = seq;
            pthread_cond_broadcast(&t->synced_cond);
            pthread_mutex_unlock(&t->lock);
        }
        return;
    }
    if (tile_invalidate(t, payload) < 0) {
        core_buf b = {0};
        core_buf_json_str(&b, payload);
        core_log(CORE_LOG_WARN, "tiles_bad_notification", "\"payload\":%s",
                 b.data ? b.data : "\"\"");
        core_buf_free(&b);
    }
}

/* A connection that listens, or NULL. */
static PGconn *listen_connect(tile_ctx *t)
{
    core_err err = {0};
    PGconn *c = db_connect(t->db_url, &err);
    if (c && db_run(c, "LISTEN pingan_tiles", 0, NULL, &err) != CORE_OK) {
        PQfinish(c);
        c = NULL;
    }
    return c;
}

static void *listener(void *arg)
{
    tile_ctx *t = arg;
    PGconn *c = t->first_conn; /* connected by tile_listen_start when the database was up */
    double last_io = core_now_ms();
    bool was_connected = c != NULL;
    while (!atomic_load(&t->stop)) {
        if (!c || PQstatus(c) != CONNECTION_OK) {
            if (c) {
                PQfinish(c);
                c = NULL;
                tile_set_listening(t, false);
                core_log(CORE_LOG_WARN, "tiles_listener_lost", NULL);
            }
            if (!(c = listen_connect(t))) {
                nap(t, RETRY_MS);
                continue;
            }
            tile_set_listening(t, true);
            core_log(CORE_LOG_INFO, "tiles_listening", "\"reconnect\":%s",
                     was_connected ? "true" : "false");
            was_connected = true;
            last_io = core_now_ms();
        }
        struct pollfd p[2] = {{.fd = PQsocket(c), .events = POLLIN},
                              {.fd = t->wake[0], .events = POLLIN}};
        int n = poll(p, 2, 1000);
        if (n < 0 && errno != EINTR)
            nap(t, 100);
        if (p[1].revents)
            continue; /* stopping */
        if (p[0].revents) {
            if (!PQconsumeInput(c))
                continue; /* broken: reconnect at the top */
            last_io = core_now_ms();
        } else if (core_now_ms() - last_io > KEEPALIVE_MS) {
            PQclear(PQexec(c, "SELECT 1"));
            last_io = core_now_ms();
        }
        PGnotify *note;
        while ((note = PQnotifies(c))) {
            apply(t, note->extra);
            PQfreemem(note);
        }
    }
    if (c)
        PQfinish(c);
    return NULL;
}

core_code tile_listen_start(tile_ctx *t, const char *url, core_err *err)
{
    if (!(t->db_url = strdup(url)))
        return core_fail(err, CORE_ENOMEM, "out of memory");
    snprintf(t->sync_prefix, sizeof t->sync_prefix, "%ld.%u.", (long)getpid(),
             atomic_fetch_add(&ctx_counter, 1));
    if (pipe(t->wake) != 0)
        return core_fail(err, CORE_EIO, "pipe: %s", strerror(errno));
    fcntl(t->wake[0], F_SETFL, O_NONBLOCK);
    /* The first connection is made here, so that the cache works from the first request; a
     * database that is down now is retried by the thread. */
    if ((t->first_conn = listen_connect(t))) {
        tile_set_listening(t, true);
        core_log(CORE_LOG_INFO, "tiles_listening", "\"reconnect\":false");
    }
    if (pthread_create(&t->thread, NULL, listener, t) != 0) {
        PQfinish(t->first_conn);
        t->first_conn = NULL;
        return core_fail(err, CORE_EIO, "cannot start the tile listener thread");
    }
    t->thread_started = true;
    return CORE_OK;
}

void tile_listen_stop(tile_ctx *t)
{
    if (t->thread_started) {
        atomic_store(&t->stop, true);
        ssize_t w = write(t->wake[1], "x", 1);
        (void)w;
        pthread_join(t->thread, NULL);
        t->thread_started = false;
    }
    for (int i = 0; i < 2; i++)
        if (t->wake[i] >= 0)
            close(t->wake[i]);
    t->wake[0] = t->wake[1] = -1;
}

core_code tile_sync(tile_ctx *t, PGconn *c, int timeout_ms, core_err *err)
{
    pthread_mutex_lock(&t->lock);
    bool on = t->st.listening;
    unsigned long long seq = ++t->sync_next;
    pthread_mutex_unlock(&t->lock);
    if (!on)
        return core_fail(err, CORE_EUNAVAIL, "the tile listener is not connected");
    char payload[96];
    snprintf(payload, sizeof payload, "sync %s%llu", t->sync_prefix, seq);
    const char *params[] = {payload};
    core_code rc = db_run(c, "SELECT pg_notify('pingan_tiles', $1)", 1, params, err);
    if (rc)
        return rc;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->lock);
    while (t->synced < seq && rc == CORE_OK)
        if (pthread_cond_timedwait(&t->synced_cond, &t->lock, &until) == ETIMEDOUT)
            rc = core_fail(err, CORE_EUNAVAIL, "the tile listener did not answer in %d ms",
                           timeout_ms);
    pthread_mutex_unlock(&t->lock);
    return rc;
}
