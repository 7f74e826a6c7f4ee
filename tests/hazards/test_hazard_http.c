/* The hazard action routes over real HTTP: the log as JSON, problem+json for anonymous
 * callers, malformed bodies, unknown hazards and oversized bodies; the status untouched by
 * every refusal. */
#include "harness.h"
#include "hz_util.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;
static long hazard;
static char actions_path[96];

static void setup(void)
{
    th_db_create("hz_http");
    PGconn *c = th_db_connect();
    hazard = hz_hazard(c, "accident", "red", "major", 0, 0);
    PQfinish(c);
    snprintf(actions_path, sizeof actions_path, "/collections/hazards/items/%ld/actions", hazard);
    const char *sets[] = {"overdue_check_s=0", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static json_t *body_json(const th_response *r)
{
    json_error_t e;
    json_t *doc = json_loads(r->body, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", r->body);
    return doc;
}

static void expect_problem(const char *path, const char *body, long status, const char *code)
{
    const char *h[] = {"Content-Type: application/json", NULL};
    th_response r = th_http(&srv, "POST", path, h, body);
    ck_assert_msg(r.status == status, "%s → %ld %s", body, r.status, r.body);
    char ct[80];
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_str_eq(ct, "application/problem+json");
    json_t *doc = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), code);
    json_decref(doc);
    th_response_free(&r);
}

static void expect_status_still_reported(void)
{
    PGconn *c = th_db_connect();
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", hazard);
    const char *p[] = {ids};
    char *s = hz_must(c, "SELECT status FROM hazards WHERE id = $1::bigint", 1, p);
    ck_assert_str_eq(s, "reported");
    free(s);
    PQfinish(c);
}

START_TEST(test_actions_log_lists_the_report_and_next_actions)
{
    th_response r = th_http(&srv, "GET", actions_path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[64];
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    json_t *doc = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "reported");
    ck_assert(json_is_true(json_object_get(doc, "major")));
    json_t *log = json_object_get(doc, "actions");
    ck_assert_int_eq(json_array_size(log), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(log, 0), "action")),
                     "report");
    json_t *next = json_object_get(doc, "next_actions");
    ck_assert_int_eq(json_array_size(next), 2); /* confirm, reject */
    ck_assert(json_is_false(json_object_get(json_array_get(next, 0), "allowed_for_you")));
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_anonymous_caller_gets_401_with_challenge)
{
    th_response r = th_http(&srv, "POST", actions_path, NULL, "{\"action\":\"confirm\"}");
    ck_assert_int_eq(r.status, 401);
    char challenge[80];
    ck_assert(th_header(&r, "WWW-Authenticate", challenge, sizeof challenge));
    ck_assert_ptr_nonnull(strstr(challenge, "Bearer"));
    json_t *doc = body_json(&r);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "message_zh")));
    json_decref(doc);
    th_response_free(&r);
    expect_status_still_reported();
}
END_TEST

START_TEST(test_malformed_bodies_are_400)
{
    expect_problem(actions_path, "not json", 400, "invalid_body");
    expect_problem(actions_path, "[]", 400, "invalid_body");
    expect_problem(actions_path, "{}", 400, "invalid_body");
    expect_problem(actions_path, "{\"action\":\"confirm\",\"status\":\"closed\"}", 400,
                   "invalid_body");
    expect_problem(actions_path, "{\"action\":\"confirm\",\"photos\":[1]}", 400, "invalid_body");
    expect_problem(actions_path, "{\"action\":\"confirm\",\"plan\":{\"deadline\":5}}", 400,
                   "invalid_body");
    expect_problem(actions_path, "{\"action\":\"confirm\",\"plan\":{\"budget\":\"1\"}}", 400,
                   "invalid_body");
    expect_status_still_reported();
}
END_TEST

START_TEST(test_unknown_hazard_is_404_and_big_body_413)
{
    expect_problem("/collections/hazards/items/987654/actions", "{\"action\":\"confirm\"}", 404,
                   "hazard_not_found");
    expect_problem("/collections/hazards/items/x1/actions", "{\"action\":\"confirm\"}", 404,
                   "hazard_not_found");
    th_response r = th_http(&srv, "GET", "/collections/hazards/items/987654/actions", NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
    size_t n = 70 * 1024;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    memcpy(big, "{\"note\":\"", 9);
    big[n - 2] = '"';
    big[n - 1] = '}';
    big[n] = '\0';
    expect_problem(actions_path, big, 413, "body_too_large");
    free(big);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hazard_http");
    TCase *tc = tcase_create("http");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_actions_log_lists_the_report_and_next_actions);
    tcase_add_test(tc, test_anonymous_caller_gets_401_with_challenge);
    tcase_add_test(tc, test_malformed_bodies_are_400);
    tcase_add_test(tc, test_unknown_hazard_is_404_and_big_body_413);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
