/* Hostile requests against the real server and database: bodies past the size limit, slow and
 * stalled clients (raw sockets), path traversal and slash runs, smuggling headers, NUL bytes,
 * invalid UTF-8, NaN/Inf/1e300 and million-vertex geometries, deep JSON, SQL injection in
 * every parameter and property. Each gets its status and problem code, the server keeps
 * answering others, and a checksum of the tables is the same before and after. */
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static th_server srv;
static char planner[128];
static char sum_before[64];

static const char *CHECKSUM_SQL = "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
                                  " SELECT 'g' || t::text AS x FROM grids t UNION ALL"
                                  " SELECT 'h' || t::text FROM hazards t UNION ALL"
                                  " SELECT 'k' || t::text FROM key_places t UNION ALL"
                                  " SELECT 'j' || t::text FROM jurisdictions t UNION ALL"
                                  " SELECT 'e' || t::text FROM edit_history t) s";

static void checksum(char *out, size_t size)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, CHECKSUM_SQL);
    snprintf(out, size, "%s", v ? v : "(null)");
    free(v);
    PQfinish(c);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void setup(void)
{
    th_db_create("hostile");
    th_db_exec_file(FIXTURE_SQL);
    th_token("planner", "360502", planner, sizeof planner);
    const char *sets[] = {"max_body_bytes=2097152", "request_timeout_ms=1500", "threads=4",
                          "max_vertices=20000", NULL};
    th_server_start(&srv, sets);
    checksum(sum_before, sizeof sum_before);
}

static void teardown(void)
{
    char after[64];
    checksum(after, sizeof after);
    th_server_stop(&srv);
    th_db_drop();
    ck_assert_str_eq(after, sum_before);
}

static void expect(th_response r, long status, const char *code)
{
    ck_assert_msg(r.status == status, "expected %ld %s, got %ld: %.300s", status, code ? code : "",
                  r.status, r.body);
    if (code) {
        json_t *doc = json_loads(r.body, 0, NULL);
        const char *got = json_string_value(json_object_get(doc, "code"));
        ck_assert_msg(got && !strcmp(got, code), "expected code %s, got %.300s", code, r.body);
        char ct[100];
        ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
        ck_assert_str_eq(ct, "application/problem+json");
        json_decref(doc);
    }
    th_response_free(&r);
}

static th_response post(const char *path, const char *body)
{
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", planner);
    const char *h[] = {auth, "Content-Type: application/geo+json", NULL};
    return th_http(&srv, "POST", path, h, body);
}

static void health_ok(void)
{
    double t0 = now_ms();
    th_response r = th_http(&srv, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    ck_assert_msg(now_ms() - t0 < 1000, "health took %.0f ms", now_ms() - t0);
}

/* ---- raw sockets ---- */
static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void raw_send(int fd, const char *s, size_t n)
{
    ck_assert_int_eq(send(fd, s, n, MSG_NOSIGNAL), (long)n);
}

/* Reads until the server closes or timeout_ms passes; returns what came, *closed_ms the time
 * of the close (-1: still open). */
static size_t raw_read_all(int fd, char *out, size_t size, int timeout_ms, double *closed_ms)
{
    size_t len = 0;
    double t0 = now_ms();
    *closed_ms = -1;
    while (now_ms() - t0 < timeout_ms) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, out + len, size - len - 1, 0);
        if (n <= 0) {
            *closed_ms = now_ms() - t0;
            break;
        }
        len += (size_t)n;
    }
    out[len] = '\0';
    return len;
}

START_TEST(test_body_past_limit_is_413)
{
    size_t n = 3 * 1024 * 1024;
    char *body = malloc(n + 1);
    memset(body, ' ', n);
    body[0] = '{', body[n - 1] = '}', body[n] = '\0';
    expect(post("/collections/grids/items", body), 413, "body_too_large");
    free(body);
    health_ok();
}
END_TEST

START_TEST(test_body_trickle_past_deadline_frees_the_thread)
{
    /* 4 worker threads, 4 clients trickling a body one byte every 300 ms: each must be cut
     * off near request_timeout_ms (1.5 s) and the server must keep answering meanwhile. */
    int fds[4];
    char head[300];
    snprintf(head, sizeof head,
             "POST /collections/grids/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
             planner);
    for (int i = 0; i < 4; i++) {
        fds[i] = raw_connect();
        raw_send(fds[i], head, strlen(head));
    }
    double t0 = now_ms(), closed[4] = {-1, -1, -1, -1};
    while (now_ms() - t0 < 6000) {
        int open = 0;
        for (int i = 0; i < 4; i++) {
            if (closed[i] >= 0)
                continue;
            if (send(fds[i], " ", 1, MSG_NOSIGNAL) != 1) {
                closed[i] = now_ms() - t0;
                continue;
            }
            struct pollfd p = {.fd = fds[i], .events = POLLIN};
            if (poll(&p, 1, 0) > 0) {
                char buf[2048];
                ssize_t n = recv(fds[i], buf, sizeof buf - 1, 0);
                if (n > 0) {
                    buf[n] = '\0';
                    ck_assert_msg(strstr(buf, " 408 ") || strstr(buf, " 400 "), "%s", buf);
                }
                closed[i] = now_ms() - t0;
                continue;
            }
            open++;
        }
        if (!open)
            break;
        usleep(300 * 1000);
    }
    for (int i = 0; i < 4; i++) {
        fprintf(stderr, "hostile: body trickle %d cut off after %.0f ms\n", i, closed[i]);
        ck_assert_msg(closed[i] >= 0 && closed[i] < 4000, "trickle %d still held: %.0f", i,
                      closed[i]);
        close(fds[i]);
    }
    health_ok();
}
END_TEST

START_TEST(test_stalled_body_and_header_trickle_time_out)
{
    int a = raw_connect(), b = raw_connect();
    char head[300];
    snprintf(head, sizeof head,
             "POST /collections/grids/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Length: 500\r\n\r\n{\"type\":",
             planner);
    raw_send(a, head, strlen(head)); /* then nothing */
    raw_send(b, "GET /health HTTP/1.1\r\n", 22);
    double t0 = now_ms(), closed_b = -1;
    for (int i = 0; i < 30 && closed_b < 0; i++) { /* a header byte every 200 ms */
        if (send(b, "X", 1, MSG_NOSIGNAL) != 1)
            closed_b = now_ms() - t0;
        usleep(200 * 1000);
    }
    char buf[4096];
    double closed_a;
    raw_read_all(a, buf, sizeof buf, 5000, &closed_a);
    fprintf(stderr, "hostile: stalled body closed after %.0f ms (%.40s); header trickle %.0f ms\n",
            closed_a, buf, closed_b);
    ck_assert_msg(closed_a >= 0, "a stalled body held its thread for 5 s");
    ck_assert_msg(strstr(buf, " 408 ") || strstr(buf, " 400 ") || !*buf, "%s", buf);
    ck_assert_msg(closed_b >= 0, "a header trickle held its connection for 6 s");
    close(a);
    close(b);
    health_ok();
}
END_TEST

START_TEST(test_chunked_with_content_length_is_rejected)
{
    int fd = raw_connect();
    char req[600];
    snprintf(req, sizeof req,
             "POST /collections/grids/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{}{}\r\n0\r\n\r\n",
             planner);
    raw_send(fd, req, strlen(req));
    char buf[4096];
    double closed;
    raw_read_all(fd, buf, sizeof buf, 3000, &closed);
    ck_assert_msg(!strncmp(buf, "HTTP/1.1 400", 12), "%s", buf);
    close(fd);
    health_ok();
}
END_TEST

START_TEST(test_path_traversal_and_slash_runs_reach_no_file)
{
    const char *paths[] = {
        "/web/../../../../etc/passwd",        "/web/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/web/..%2f..%2f..%2fCMakeLists.txt", "/web/....//....//etc/passwd",
        "/web/%252e%252e/etc/passwd",         "//etc/passwd",
        "/web//../../CMakeLists.txt"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        th_response r = th_http(&srv, "GET", paths[i], NULL, NULL);
        ck_assert_msg(r.status == 404 || r.status == 400, "%s: %ld", paths[i], r.status);
        ck_assert_msg(!strstr(r.body, "root:") && !strstr(r.body, "cmake_minimum_required"),
                      "%s leaked a file", paths[i]);
        th_response_free(&r);
    }
    /* CVE-2025-55763: a long run of slashes must not reach CivetWeb's own file serving */
    size_t n = 6000;
    char *slashes = malloc(n + 32);
    memset(slashes, '/', n);
    strcpy(slashes + n, "web/index.html");
    th_response r = th_http(&srv, "GET", slashes, NULL, NULL);
    ck_assert_msg(r.status < 500, "slash run: %ld", r.status);
    th_response_free(&r);
    free(slashes);
    health_ok();
}
END_TEST

START_TEST(test_nul_and_invalid_utf8_in_parameters)
{
    const char *paths[] = {"/web/index.html%00.png" /* NUL cut: index.html, nothing else */,
                           "/collections/grids/items?name=a%00b",
                           "/collections/grids/items?limit=1%00",
                           "/collections/grids/items?name=%ff%fe",
                           "/collections/grids/items?sortby=%C0%AF",
                           "/collections/grids/items?bbox=1%002,3,4",
                           "/collections/grids/items/1%00",
                           "/locate?lon=114.91%00&lat=27.81"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        th_response r = th_http(&srv, "GET", paths[i], NULL, NULL);
        ck_assert_msg(r.status == 400 || r.status == 404 || r.status == 200, "%s: %ld %s", paths[i],
                      r.status, r.body);
        th_response_free(&r);
    }
    /* NUL in a URL-encoded form body */
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", planner);
    const char *h[] = {auth, "Content-Type: application/x-www-form-urlencoded", NULL};
    th_response r = th_http(&srv, "POST", "/collections/grids/items", h, "name=a%00b&kind=base");
    ck_assert_msg(r.status == 400 || r.status == 415, "form: %ld %s", r.status, r.body);
    th_response_free(&r);
    health_ok();
}
END_TEST

#define GRID_FMT                                                                                   \
    "{\"type\":\"Feature\",\"properties\":{\"name\":%s,\"kind\":\"base\","                         \
    "\"village_code\":\"360502100200\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"       \
    "[[[%s,27.80],[114.91,27.80],[114.91,27.82],[114.90,27.82],[114.90,27.80]]]}}"

START_TEST(test_bad_numbers_and_utf8_in_bodies)
{
    char body[1000];
    /* NaN and Infinity are not JSON; 1e400 overflows a double */
    const char *bad_json[] = {"NaN", "Infinity", "-Infinity", "1e400"};
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body, GRID_FMT, "\"n\"", bad_json[i]);
        expect(post("/collections/grids/items", body), 400, "invalid_json");
    }
    /* 1e300 is a number, just nowhere on Earth */
    snprintf(body, sizeof body, GRID_FMT, "\"n\"", "1e300");
    th_response r = post("/collections/grids/items", body);
    ck_assert_msg(r.status == 422, "1e300: %ld %s", r.status, r.body);
    th_response_free(&r);
    /* invalid UTF-8 in a property */
    snprintf(body, sizeof body, GRID_FMT, "\"\xff\xfe\xc0\xaf\"", "114.90");
    expect(post("/collections/grids/items", body), 400, "invalid_json");
}
END_TEST

START_TEST(test_deep_json_is_refused_before_parsing)
{
    size_t depth = 100000;
    char *body = malloc(2 * depth + 1);
    memset(body, '[', depth);
    memset(body + depth, ']', depth);
    body[2 * depth] = '\0';
    expect(post("/collections/grids/items", body), 400, "json_too_deep");
    free(body);
    health_ok();
}
END_TEST

START_TEST(test_too_many_vertices_refused_before_geos)
{
    /* 50,000-vertex ring (max_vertices=20000 here; the default is 100000, and a million
     * vertices do not fit under max_body_bytes at all) */
    size_t nv = 50000;
    char *coords = malloc(nv * 40 + 200);
    size_t len = 0;
    for (size_t i = 0; i < nv; i++) {
        double t = 6.283185307179586 * (double)i / (double)nv;
        len += (size_t)sprintf(coords + len, "%s[%.7f,%.7f]", i ? "," : "",
                               114.91 + 0.005 * __builtin_cos(t), 27.81 + 0.005 * __builtin_sin(t));
    }
    len += (size_t)sprintf(coords + len, ",[%.7f,%.7f]", 114.915, 27.81);
    char *body = malloc(len + 400);
    sprintf(body,
            "{\"type\":\"Feature\",\"properties\":{\"name\":\"big\",\"kind\":\"base\","
            "\"village_code\":\"360502100200\"},\"geometry\":{\"type\":\"Polygon\","
            "\"coordinates\":[[%s]]}}",
            coords);
    double t0 = now_ms();
    th_response r = post("/collections/grids/items", body);
    fprintf(stderr, "hostile: 50k-vertex polygon refused in %.0f ms\n", now_ms() - t0);
    ck_assert_msg(r.status == 422 && strstr(r.body, "too_many_vertices"), "%ld %.300s", r.status,
                  r.body);
    th_response_free(&r);
    free(body);
    free(coords);
    /* a million vertices: past the body limit, 413 */
    size_t big = 1000000 * 24;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{', huge[big - 1] = '}', huge[big] = '\0';
    expect(post("/collections/grids/items", huge), 413, "body_too_large");
    free(huge);
    health_ok();
}
END_TEST

START_TEST(test_sql_injection_everywhere_changes_nothing)
{
    const char *inj[] = {"'; DROP TABLE grids; --", "1) OR (1=1", "\\'; DELETE FROM grids; --",
                         "$1; TRUNCATE edit_history", "x' UNION SELECT token_hash FROM tokens--"};
    char esc[200], path[600], body[1200];
    for (int i = 0; i < 5; i++) {
        /* URL-encode the attempt */
        size_t k = 0;
        for (const char *p = inj[i]; *p && k < sizeof esc - 4; p++)
            k += (size_t)snprintf(esc + k, sizeof esc - k, "%%%02X", (unsigned char)*p);
        const char *params[] = {"name",  "kind",     "sortby",      "bbox",   "datetime",
                                "crs",   "bbox-crs", "limit",       "offset", "jurisdiction",
                                "after", "f",        "village_code"};
        for (size_t j = 0; j < sizeof params / sizeof *params; j++) {
            snprintf(path, sizeof path, "/collections/grids/items?%s=%s", params[j], esc);
            th_response r = th_http(&srv, "GET", path, NULL, NULL);
            ck_assert_msg(r.status == 400 || r.status == 200, "%s: %ld", path, r.status);
            th_response_free(&r);
        }
        snprintf(path, sizeof path, "/collections/%s/items", esc);
        th_response r = th_http(&srv, "GET", path, NULL, NULL);
        ck_assert_int_eq(r.status, 404);
        th_response_free(&r);
        snprintf(path, sizeof path, "/collections/grids/items/%s", esc);
        r = th_http(&srv, "GET", path, NULL, NULL);
        ck_assert_msg(r.status == 404 || r.status == 400, "%s: %ld", path, r.status);
        th_response_free(&r);
        /* in properties of a write that is refused (village of another county's planner) */
        json_t *name = json_string(inj[i]);
        char *qname = json_dumps(name, JSON_ENCODE_ANY);
        snprintf(body, sizeof body,
                 "{\"type\":\"Feature\",\"properties\":{\"name\":%s,\"kind\":%s,"
                 "\"village_code\":%s},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                 "[[[114.90,27.80],[114.91,27.80],[114.91,27.82],[114.90,27.82],"
                 "[114.90,27.80]]]}}",
                 qname, qname, qname);
        r = post("/collections/grids/items", body);
        ck_assert_msg(r.status == 422 || r.status == 400 || r.status == 403, "%ld %s", r.status,
                      r.body);
        th_response_free(&r);
        free(qname);
        json_decref(name);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("http");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_body_past_limit_is_413);
    tcase_add_test(tc, test_body_trickle_past_deadline_frees_the_thread);
    tcase_add_test(tc, test_stalled_body_and_header_trickle_time_out);
    tcase_add_test(tc, test_chunked_with_content_length_is_rejected);
    tcase_add_test(tc, test_path_traversal_and_slash_runs_reach_no_file);
    tcase_add_test(tc, test_nul_and_invalid_utf8_in_parameters);
    tcase_add_test(tc, test_bad_numbers_and_utf8_in_bodies);
    tcase_add_test(tc, test_deep_json_is_refused_before_parsing);
    tcase_add_test(tc, test_too_many_vertices_refused_before_geos);
    tcase_add_test(tc, test_sql_injection_everywhere_changes_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
