/* Live events: GET /events as Server-Sent Events. One dedicated connection LISTENs on the
 * channel pingan_events (fed by the triggers of migration 007) and fills a ring of recent
 * events; each subscriber waits on it and writes what it has not seen yet. */
#include "srv_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Events kept for clients that reconnect with Last-Event-ID; older ones get a reset. */
#define EV_RING 1024

typedef struct {
    uint64_t seq;
    char collection[32]; /* "" for a reset */
    char *data;          /* the JSON payload */
} ev_item;

struct srv_events {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* broadcast on a new event and on stop */
    pthread_t listener;
    bool listener_running;
    bool stop;
    bool listening; /* the LISTEN is in place: changes from now on are announced */
    uint64_t boot;  /* names this process in event ids: ids of another process mean reset */
    uint64_t next;  /* sequence number of the next event; the ring holds [next-EV_RING, next) */
    ev_item ring[EV_RING];
    int subscribers;
    int max_subscribers;
    int keepalive_s;
    char url[1024];
};

/* Adds one event to the ring and wakes every subscriber. Takes nothing; copies payload. */
static void ev_push(struct srv_events *e, const char *collection, const char *payload)
{
    char *copy = strdup(payload);
    if (!copy)
        return;
    pthread_mutex_lock(&e->lock);
    ev_item *it = &e->ring[e->next % EV_RING];
    free(it->data);
    it->data = copy;
    it->seq = e->next++;
    snprintf(it->collection, sizeof it->collection, "%s", collection);
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
}

static void ev_push_notify(struct srv_events *e, const char *payload)
{
    json_t *doc = json_loads(payload, 0, NULL);
    const char *coll = doc ? json_string_value(json_object_get(doc, "collection")) : NULL;
    if (coll && *coll)
        ev_push(e, coll, payload);
    json_decref(doc);
}

/* Sleeps up to ms unless stop is asked for; returns false on stop. */
static bool ev_sleep(struct srv_events *e, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&e->lock);
    while (!e->stop && pthread_cond_timedwait(&e->changed, &e->lock, &until) != ETIMEDOUT)
        ;
    bool go_on = !e->stop;
    pthread_mutex_unlock(&e->lock);
    return go_on;
}

static bool ev_stopping(struct srv_events *e)
{
    pthread_mutex_lock(&e->lock);
    bool stop = e->stop;
    pthread_mutex_unlock(&e->lock);
    return stop;
}

/* The listener: (re)connects with a back-off, LISTENs, and turns notifications into events.
 * After a reconnect, notifications sent meanwhile are lost: subscribers get a reset event so
 * that they re-fetch everything rather than trust a map that may be stale. */
static void *ev_listen_main(void *arg)
{
    struct srv_events *e = arg;
    PGconn *c = NULL;
    bool had_connection = false;
    int backoff_ms = 250;
    while (!ev_stopping(e)) {
        if (!c) {
            core_err err = {0};
            c = db_connect(e->url, &err);
            if (c && db_run(c, "LISTEN pingan_events", 0, NULL, &err) != CORE_OK) {
                PQfinish(c);
                c = NULL;
            }
            if (!c) {
                core_log(CORE_LOG_WARN, "events_listen", "\"error\":\"%s\"",
                         "cannot listen for changes; retrying");
                ev_sleep(e, backoff_ms);
                backoff_ms = backoff_ms < 8000 ? backoff_ms * 2 : 8000;
                continue;
            }
            backoff_ms = 250;
            if (had_connection)
                ev_push(e, "", "{\"reason\":\"database reconnected\"}");
            had_connection = true;
            pthread_mutex_lock(&e->lock);
            e->listening = true;
            pthread_cond_broadcast(&e->changed);
            pthread_mutex_unlock(&e->lock);
        }
        struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
        int n = poll(&pfd, 1, 250); /* short: the stop flag is checked between polls */
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (!PQconsumeInput(c)) {
            core_log(CORE_LOG_WARN, "events_listen", "\"error\":\"%s\"",
                     "lost the listening connection; reconnecting");
            pthread_mutex_lock(&e->lock);
            e->listening = false;
            pthread_mutex_unlock(&e->lock);
            PQfinish(c);
            c = NULL;
            continue;
        }
        PGnotify *note;
        while ((note = PQnotifies(c))) {
            ev_push_notify(e, note->extra);
            PQfreemem(note);
        }
    }
    PQfinish(c);
    return NULL;
}

core_code srv_events_start(srv *s, const char *url, core_err *err)
{
    struct srv_events *e = calloc(1, sizeof *e);
    if (!e)
        return core_fail(err, CORE_ENOMEM, NULL);
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->changed, NULL);
    snprintf(e->url, sizeof e->url, "%s", url);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    e->boot = (uint64_t)now.tv_sec * 1000u + (uint64_t)(now.tv_nsec / 1000000);
    e->next = 1;
    /* Each subscriber holds a worker thread: leave at least two for everything else. */
    e->max_subscribers = s->cfg.events_max_subscribers;
    if (e->max_subscribers > s->cfg.threads - 2)
        e->max_subscribers = s->cfg.threads - 2;
    e->keepalive_s = s->cfg.events_keepalive_s;
    if (pthread_create(&e->listener, NULL, ev_listen_main, e) != 0) {
        pthread_cond_destroy(&e->changed);
        pthread_mutex_destroy(&e->lock);
        free(e);
        return core_fail(err, CORE_EIO, "cannot start the event listener");
    }
    e->listener_running = true;
    s->events = e;
    return CORE_OK;
}

void srv_events_shutdown(srv *s)
{
    struct srv_events *e = s->events;
    if (!e)
        return;
    pthread_mutex_lock(&e->lock);
    e->stop = true;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
    if (e->listener_running)
        pthread_join(e->listener, NULL);
    e->listener_running = false;
}

void srv_events_free(srv *s)
{
    struct srv_events *e = s->events;
    if (!e)
        return;
    srv_events_shutdown(s);
    for (int i = 0; i < EV_RING; i++)
        free(e->ring[i].data);
    pthread_cond_destroy(&e->changed);
    pthread_mutex_destroy(&e->lock);
    free(e);
    s->events = NULL;
}

/* True when the comma-separated list is empty or names the collection. */
static bool wanted(const char *list, const char *collection)
{
    if (!*list || !*collection)
        return true;
    size_t n = strlen(collection);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, collection, n) == 0)
            return true;
        p = p[len] ? p + len + 1 : NULL;
    }
    return false;
}

/* Writes one event; false when the client is gone or stalled past the write timeout. */
static bool send_item(srv_req *r, uint64_t boot, const ev_item *it)
{
    core_buf b = {0};
    bool ok;
    if (!*it->collection)
        ok = core_buf_printf(&b, "id: %" PRIu64 "-%" PRIu64 "\nevent: reset\ndata: %s\n\n", boot,
                             it->seq, it->data);
    else
        ok = core_buf_printf(&b, "id: %" PRIu64 "-%" PRIu64 "\nevent: change\ndata: %s\n\n", boot,
                             it->seq, it->data);
    ok = ok && srv_chunk(r, b.data, b.len);
    core_buf_free(&b);
    return ok;
}

/* GET /events[?collections=a,b]: a text/event-stream of {collection, id, op, bbox} changes,
 * keep-alive comments in between; Last-Event-ID resumes after a reconnect (or gets a reset
 * event when the gap is no longer known). */
int h_events(srv_req *r)
{
    struct srv_events *e = r->server->events;
    if (!e || ev_stopping(e))
        return srv_problem_ex(r, 503, "events_unavailable", "live events are not running", NULL,
                              "Retry-After: 5\r\n");
    char collections[256] = "";
    srv_query(r, "collections", collections, sizeof collections);

    /* Where to resume: "<boot>-<seq>" from the header (EventSource sends it on reconnect). */
    const char *last = srv_header(r, "Last-Event-ID");
    char last_q[64];
    if (!last && srv_query(r, "last-event-id", last_q, sizeof last_q))
        last = last_q;
    uint64_t last_boot = 0, last_seq = 0;
    bool resume = false;
    if (last) {
        char *dash, *end;
        last_boot = strtoull(last, &dash, 10);
        if (dash != last && *dash == '-') {
            last_seq = strtoull(dash + 1, &end, 10);
            resume = end != dash + 1 && *end == '\0';
        }
    }

    /* Right after start the listener may still be connecting: a stream that opens then
     * waits (briefly) so that what it is told covers every change from its first line on. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 3;
    pthread_mutex_lock(&e->lock);
    while (!e->listening && !e->stop &&
           pthread_cond_timedwait(&e->changed, &e->lock, &until) != ETIMEDOUT)
        ;
    if (e->subscribers >= e->max_subscribers) {
        pthread_mutex_unlock(&e->lock);
        return srv_problem_ex(r, 503, "too_many_subscribers",
                              "the live-event subscriber limit is reached; retry later", NULL,
                              "Retry-After: 10\r\n");
    }
    e->subscribers++;
    uint64_t next = e->next; /* the first event this subscriber is due */
    bool reset = false;
    if (resume) {
        /* the ring still holds everything after last_seq */
        if (last_boot == e->boot && last_seq < e->next && last_seq + 1 + EV_RING >= e->next)
            next = last_seq + 1;
        else
            reset = true;
    }
    pthread_mutex_unlock(&e->lock);

    srv_stream_begin(r, 200, "text/event-stream; charset=utf-8",
                     "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
    bool ok = true;
    if (strcmp(r->method, "HEAD") != 0) {
        char hello[160];
        int n =
            snprintf(hello, sizeof hello, "retry: 1000\n: pingan events %" PRIu64 "\n\n", e->boot);
        ok = srv_chunk(r, hello, (size_t)n);
        if (ok && reset) {
            char rs[160];
            n = snprintf(rs, sizeof rs,
                         "id: %" PRIu64 "-%" PRIu64
                         "\nevent: reset\ndata: {\"reason\":\"events missed\"}\n\n",
                         e->boot, next - 1);
            ok = srv_chunk(r, rs, (size_t)n);
        }
    } else {
        ok = false;
    }

    while (ok) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += e->keepalive_s;
        bool timed_out = false;
        pthread_mutex_lock(&e->lock);
        while (!e->stop && e->next == next && !timed_out)
            timed_out = pthread_cond_timedwait(&e->changed, &e->lock, &until) == ETIMEDOUT;
        if (e->stop) {
            pthread_mutex_unlock(&e->lock);
            break;
        }
        /* Copy what is due under the lock, write it outside: a slow client must not hold
         * the lock that the listener needs. */
        bool lagged = e->next - next > EV_RING;
        ev_item batch[32];
        int nb = 0;
        if (!lagged) {
            for (; next < e->next && nb < 32; next++) {
                const ev_item *it = &e->ring[next % EV_RING];
                if (!wanted(collections, it->collection))
                    continue;
                batch[nb] = *it;
                batch[nb].data = strdup(it->data);
                if (batch[nb].data)
                    nb++;
            }
        }
        uint64_t now_next = e->next;
        pthread_mutex_unlock(&e->lock);

        if (lagged) {
            /* Fell a whole ring behind (a stalled reader): it cannot catch up exactly. */
            ev_item it = {.seq = now_next - 1,
                          .collection = "",
                          .data = (char *)"{\"reason\":\"subscriber fell behind\"}"};
            ok = send_item(r, e->boot, &it);
            next = now_next;
        } else if (timed_out) {
            ok = srv_chunk(r, ": keep-alive\n\n", 14);
        }
        for (int i = 0; i < nb; i++) {
            if (ok)
                ok = send_item(r, e->boot, &batch[i]);
            free(batch[i].data);
        }
    }
    if (strcmp(r->method, "HEAD") != 0)
        srv_stream_end(r);
    pthread_mutex_lock(&e->lock);
    e->subscribers--;
    pthread_mutex_unlock(&e->lock);
    return 200;
}
