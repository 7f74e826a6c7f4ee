/* Live events over real HTTP: GET /events announces changes made by plain SQL (grids,
 * population units in bulk, collections filter), resumes after Last-Event-ID, resets on an
 * unknown one, sends keep-alive comments, refuses subscribers beyond the limit, and never
 * keeps the server from stopping. */
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static th_server srv;
static PGconn *db;

static void setup(void)
{
    th_db_create("web_events");
    db = th_db_connect();
    free(th_db_value(db, "UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.80, "
                         "114.92, 27.82, 4490)) WHERE code = '360502001001' RETURNING code"));
    const char *sets[] = {"events_keepalive_s=1", "events_max_subscribers=3", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    PQfinish(db);
    th_db_drop();
}

/* A raw stream: the request is sent, the reply is read as it comes. */
typedef struct {
    int fd;
    char buf[65536];
    size_t len;
} sse;

static void sse_open(sse *s, const char *path, const char *last_id)
{
    s->len = 0;
    s->buf[0] = '\0';
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[512];
    int n = snprintf(
        req, sizeof req,
        "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n%s%s%s\r\n", path,
        last_id ? "Last-Event-ID: " : "", last_id ? last_id : "", last_id ? "\r\n" : "");
    ck_assert_int_eq(write(s->fd, req, (size_t)n), n);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* Reads until `needle` appears after offset `from`, or timeout_ms passes; returns where it
 * starts, or NULL. */
static const char *sse_wait(sse *s, size_t from, const char *needle, int timeout_ms)
{
    double end = now_ms() + timeout_ms;
    for (;;) {
        const char *hit = s->len > from ? strstr(s->buf + from, needle) : NULL;
        if (hit)
            return hit;
        int left = (int)(end - now_ms());
        if (left <= 0 || s->len + 1 >= sizeof s->buf)
            return NULL;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            continue;
        ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
        if (n <= 0)
            return NULL;
        s->len += (size_t)n;
        s->buf[s->len] = '\0';
    }
}

static void sql(const char *q)
{
    th_db_exec(db, q);
}

static const char *GRID_INSERT =
    "INSERT INTO grids (code, name, kind, village_code, geom) VALUES ('360502001001001', 'a', "
    "'community', '360502001001', ST_Multi(ST_MakeEnvelope(114.90, 27.80, 114.91, 27.81, 4490)))";

START_TEST(test_events_announce_a_change_made_by_sql)
{
    sse s;
    sse_open(&s, "/events", NULL);
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    ck_assert_ptr_nonnull(strstr(s.buf, "Content-Type: text/event-stream"));
    double t0 = now_ms();
    sql(GRID_INSERT);
    const char *ev = sse_wait(&s, 0, "\"op\" : \"insert\"", 5000);
    ck_assert_msg(ev != NULL, "no event: %s", s.buf);
    ck_assert_msg(now_ms() - t0 < 2000, "the event took %.0f ms", now_ms() - t0);
    ck_assert_ptr_nonnull(strstr(s.buf, "event: change"));
    ck_assert_ptr_nonnull(strstr(s.buf, "\"collection\" : \"grids\""));
    ck_assert_ptr_nonnull(
        strstr(s.buf, "\"bbox\" : [114.9000000, 27.8000000, 114.9100000, 27.8100000]"));
    close(s.fd);
}
END_TEST

START_TEST(test_events_bulk_change_is_one_summary_event)
{
    sse s;
    sse_open(&s, "/events?collections=population_units", NULL);
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    sql("INSERT INTO population_units (kind, households, village_code, geom) SELECT 'building', 1, "
        "'360502001001', ST_SetSRID(ST_MakePoint(114.90 + i * 0.0001, 27.81), 4490) FROM "
        "generate_series(1, 150) i");
    const char *ev = sse_wait(&s, 0, "\"count\" : 150", 5000);
    ck_assert_msg(ev != NULL, "no summary event: %s", s.buf);
    ck_assert_ptr_nonnull(strstr(s.buf, "\"id\" : null"));
    /* exactly one event for the statement */
    const char *second = strstr(ev + 1, "event: change");
    ck_assert_ptr_null(second);
    close(s.fd);
}
END_TEST

START_TEST(test_events_collections_filter)
{
    sse s;
    sse_open(&s, "/events?collections=hazards", NULL);
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    sql(GRID_INSERT);
    sql("INSERT INTO hazards (name, category, risk_grade, village_code, geom) VALUES ('h', "
        "'landslide', 'red', '360502001001', ST_SetSRID(ST_MakePoint(114.905, 27.805), 4490))");
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "\"collection\" : \"hazards\"", 5000));
    ck_assert_ptr_null(strstr(s.buf, "\"collection\" : \"grids\""));
    close(s.fd);
}
END_TEST

START_TEST(test_events_resume_after_last_event_id)
{
    sse s;
    sse_open(&s, "/events", NULL);
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    sql(GRID_INSERT);
    const char *ev = sse_wait(&s, 0, "\"op\" : \"insert\"", 5000);
    ck_assert_ptr_nonnull(ev);
    const char *idl = strstr(s.buf, "id: ");
    ck_assert_ptr_nonnull(idl);
    char id[64];
    ck_assert_int_eq(sscanf(idl, "id: %63s", id), 1);
    close(s.fd);

    /* missed while away: an update; the reconnect names the last event it saw */
    sql("UPDATE grids SET name = 'b'");
    sse again;
    sse_open(&again, "/events", id);
    const char *missed = sse_wait(&again, 0, "\"op\" : \"update\"", 5000);
    ck_assert_msg(missed != NULL, "not replayed: %s", again.buf);
    ck_assert_ptr_null(strstr(again.buf, "\"op\" : \"insert\""));
    close(again.fd);
}
END_TEST

START_TEST(test_events_unknown_last_event_id_gets_reset)
{
    sse s;
    sse_open(&s, "/events", "12345-7");
    ck_assert_msg(sse_wait(&s, 0, "event: reset", 5000) != NULL, "no reset: %s", s.buf);
    close(s.fd);
}
END_TEST

START_TEST(test_events_keep_alive_comments)
{
    sse s;
    sse_open(&s, "/events", NULL);
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    ck_assert_msg(sse_wait(&s, 0, ": keep-alive", 4000) != NULL, "no keep-alive: %s", s.buf);
    close(s.fd);
}
END_TEST

START_TEST(test_events_subscriber_limit)
{
    sse a, b, c;
    sse_open(&a, "/events", NULL);
    sse_open(&b, "/events", NULL);
    sse_open(&c, "/events", NULL);
    ck_assert_ptr_nonnull(sse_wait(&a, 0, "retry: 1000", 5000));
    ck_assert_ptr_nonnull(sse_wait(&b, 0, "retry: 1000", 5000));
    ck_assert_ptr_nonnull(sse_wait(&c, 0, "retry: 1000", 5000));
    th_response r = th_http(&srv, "GET", "/events", NULL, NULL);
    ck_assert_int_eq(r.status, 503);
    ck_assert_ptr_nonnull(strstr(r.body, "too_many_subscribers"));
    th_response_free(&r);
    /* a subscriber that leaves frees its place (noticed at its next write: keep-alive 1 s) */
    close(a.fd);
    long status = 503;
    for (int i = 0; i < 40 && status == 503; i++) {
        usleep(100000);
        sse d;
        sse_open(&d, "/events", NULL);
        status = sse_wait(&d, 0, "retry: 1000", 2000) ? 200 : 503;
        close(d.fd);
    }
    ck_assert_int_eq(status, 200);
    close(b.fd);
    close(c.fd);
}
END_TEST

START_TEST(test_events_stalled_reader_does_not_stop_the_server)
{
    /* A subscriber that never reads, with a tiny receive buffer, while ~3,000 events (~450 KB)
     * go out: its writes block. The server must still stop cleanly, within the write timeout. */
    th_server_stop(&srv);
    const char *sets[] = {"request_timeout_ms=2000", "events_keepalive_s=1", NULL};
    th_server_start(&srv, sets);
    sse s;
    s.len = 0;
    s.fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 2048;
    setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(s.fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *req = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    ck_assert_int_eq(write(s.fd, req, strlen(req)), (ssize_t)strlen(req));
    ck_assert_ptr_nonnull(sse_wait(&s, 0, "retry: 1000", 5000));
    sql("INSERT INTO population_units (kind, village_code, geom) SELECT 'building', "
        "'360502001001', ST_SetSRID(ST_MakePoint(114.90 + i * 0.00001, 27.81), 4490) FROM "
        "generate_series(1, 100) i");
    for (int i = 0; i < 30; i++)
        sql("UPDATE population_units SET households = households + 1");
    usleep(500000);
    double t0 = now_ms();
    th_server_stop(&srv); /* fails the test unless the exit is clean */
    ck_assert_msg(now_ms() - t0 < 6000, "stopping took %.0f ms", now_ms() - t0);
    close(s.fd);
    th_server_start(&srv, NULL); /* for the teardown */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("web_events");
    TCase *tc = tcase_create("sse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_events_announce_a_change_made_by_sql);
    tcase_add_test(tc, test_events_bulk_change_is_one_summary_event);
    tcase_add_test(tc, test_events_collections_filter);
    tcase_add_test(tc, test_events_resume_after_last_event_id);
    tcase_add_test(tc, test_events_unknown_last_event_id_gets_reset);
    tcase_add_test(tc, test_events_keep_alive_comments);
    tcase_add_test(tc, test_events_subscriber_limit);
    tcase_add_test(tc, test_events_stalled_reader_does_not_stop_the_server);
    suite_add_tcase(s, tc);
    return th_run(s);
}
