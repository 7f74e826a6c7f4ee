/* The server's skeleton over real HTTP: health with and without a database, the landing
 * page's links, problem+json for unknown routes and methods, static files that cannot be
 * escaped, metrics, and a clean stop on SIGTERM. */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;

static void setup(void)
{
    th_db_create("server_basics");
    th_server_start(&srv, NULL);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

START_TEST(test_health_ok_with_database)
{
    th_response r = th_http(&srv, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = th_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "ok");
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_health_503_without_database)
{
    th_server other;
    const char *sets[] = {"database_url=postgresql://127.0.0.1:1/none?connect_timeout=1", NULL};
    th_server_start(&other, sets);
    th_response r = th_http(&other, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 503);
    th_response_free(&r);
    th_server_stop(&other);
}
END_TEST

START_TEST(test_landing_links_for_ogc_clients)
{
    const char *h[] = {"Accept: application/json", NULL};
    th_response r = th_http(&srv, "GET", "/", h, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = th_json(&r);
    json_t *links = json_object_get(doc, "links");
    const char *want[] = {"self", "service-desc", "conformance", "data"};
    for (size_t w = 0; w < 4; w++) {
        bool found = false;
        size_t i;
        json_t *l;
        json_array_foreach(links, i, l)
        {
            if (strcmp(json_string_value(json_object_get(l, "rel")), want[w]) == 0) {
                found = true;
                ck_assert_ptr_nonnull(
                    strstr(json_string_value(json_object_get(l, "href")), srv.base));
            }
        }
        ck_assert_msg(found, "landing page lacks rel=%s", want[w]);
    }
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_unknown_route_is_problem_json)
{
    th_response r = th_http(&srv, "GET", "/no/such/thing", NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    char ct[100];
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_str_eq(ct, "application/problem+json");
    json_t *doc = th_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), "not_found");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "status")), 404);
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_wrong_method_is_405_with_allow)
{
    th_response r = th_http(&srv, "DELETE", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 405);
    char allow[100];
    ck_assert(th_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_nonnull(strstr(allow, "GET"));
    th_response_free(&r);
}
END_TEST

START_TEST(test_static_refuses_escapes)
{
    const char *bad[] = {"/web/../CMakeLists.txt",   "/web/%2e%2e/CMakeLists.txt",
                         "/web/..%2fCMakeLists.txt", "/web//etc/passwd",
                         "/web/.git/config",         "/web/%00index.html"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        th_response r = th_http(&srv, "GET", bad[i], NULL, NULL);
        ck_assert_msg(r.status == 404 || r.status == 400, "%s gave %ld", bad[i], r.status);
        ck_assert_ptr_null(strstr(r.body, "cmake_minimum_required"));
        th_response_free(&r);
    }
}
END_TEST

START_TEST(test_long_slash_runs_do_not_reach_civetweb_files)
{
    /* CVE-2025-55763: CivetWeb 1.15's own file serving overflows on long slash runs. */
    char path[5000];
    memset(path, '/', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    /* CivetWeb folds the run to "/"; whatever it answers, it must come from our handlers */
    char ct[100] = "";
    th_header(&r, "Content-Type", ct, sizeof ct);
    ck_assert_msg(r.status == 200 || r.status == 404 || r.status == 400 || r.status == 414,
                  "got %ld", r.status);
    ck_assert_msg(strstr(ct, "json") != NULL, "answered by something else: %s", ct);
    th_response_free(&r);
    r = th_http(&srv, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
}
END_TEST

START_TEST(test_metrics_count_requests)
{
    th_response r = th_http(&srv, "GET", "/health", NULL, NULL);
    th_response_free(&r);
    r = th_http(&srv, "GET", "/metrics", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(
        strstr(r.body, "pingan_http_requests_total{route=\"health\",status=\"2xx\"}"));
    ck_assert_ptr_nonnull(strstr(r.body, "# TYPE pingan_http_request_duration_seconds histogram"));
    th_response_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("server_basics");
    TCase *tc = tcase_create("http");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_health_ok_with_database);
    tcase_add_test(tc, test_health_503_without_database);
    tcase_add_test(tc, test_landing_links_for_ogc_clients);
    tcase_add_test(tc, test_unknown_route_is_problem_json);
    tcase_add_test(tc, test_wrong_method_is_405_with_allow);
    tcase_add_test(tc, test_static_refuses_escapes);
    tcase_add_test(tc, test_long_slash_runs_do_not_reach_civetweb_files);
    tcase_add_test(tc, test_metrics_count_requests);
    suite_add_tcase(s, tc);
    return th_run(s);
}
