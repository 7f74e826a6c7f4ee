/* The hazard action routes over real HTTP with real bearer tokens (pingan token create): a
 * planner walks the lifecycle, viewers, importers and planners of another county are refused,
 * a major hazard without a plan gets 422 with Chinese and English messages, a wrong step 409,
 * only admins reopen; plus anonymous callers, malformed bodies, unknown hazards and oversized
 * bodies; the status untouched by every refusal. */
#include "harness.h"
#include "hz_util.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;
static long hazard; /* 重大事故隐患, red, in HZ_VILLAGE */
static char actions_path[96];
static char planner_id[32];
static char auth_planner[200], auth_other_county[200], auth_viewer[200], auth_importer[200],
    auth_admin[200];

static void bearer(char *out, const char *role, const char *scope, char *id)
{
    char *t = hz_token(role, scope, id);
    snprintf(out, 200, "Authorization: Bearer %s", t);
    free(t);
}

static void setup(void)
{
    th_db_create("hz_http");
    PGconn *c = th_db_connect();
    hazard = hz_hazard(c, "accident", "red", "major", 0, 0);
    PQfinish(c);
    snprintf(actions_path, sizeof actions_path, "/collections/hazards/items/%ld/actions", hazard);
    bearer(auth_planner, "planner", "360502", planner_id);
    bearer(auth_other_county, "planner", "3606", NULL);
    bearer(auth_viewer, "viewer", "360502", NULL);
    bearer(auth_importer, "importer", "360502", NULL);
    bearer(auth_admin, "admin", "36", NULL);
    const char *sets[] = {"overdue_check_s=0", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

/* POSTs body as the given Authorization header (NULL: none); checks status and, for
 * problems, the code. Returns the parsed reply (caller decrefs). */
static json_t *post(const char *path, const char *auth, const char *body, long status,
                    const char *code)
{
    const char *h[] = {"Content-Type: application/json", auth, NULL};
    th_response r = th_http(&srv, "POST", path, h, body);
    ck_assert_msg(r.status == status, "%s → %ld %s", body, r.status, r.body);
    json_t *doc = th_json(&r);
    if (code) {
        char ct[80];
        ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
        ck_assert_str_eq(ct, "application/problem+json");
        ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), code);
    }
    th_response_free(&r);
    return doc;
}

static void expect_status(long id, const char *want)
{
    PGconn *c = th_db_connect();
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    char *s = hz_must(c, "SELECT status FROM hazards WHERE id = $1::bigint", 1, p);
    ck_assert_str_eq(s, want);
    free(s);
    PQfinish(c);
}

START_TEST(test_actions_log_lists_the_report_and_next_actions)
{
    th_response r = th_http(&srv, "GET", actions_path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[64];
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    json_t *doc = th_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "reported");
    ck_assert(json_is_true(json_object_get(doc, "major")));
    json_t *log = json_object_get(doc, "actions");
    ck_assert_int_ge(json_array_size(log), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(log, 0), "action")),
                     "report");
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_planner_walks_the_lifecycle_others_are_refused)
{
    const char *confirm = "{\"action\":\"confirm\"}";
    json_decref(post(actions_path, auth_viewer, confirm, 403, "forbidden_role"));
    json_decref(post(actions_path, auth_importer, confirm, 403, "forbidden_role"));
    json_t *doc = post(actions_path, auth_other_county, confirm, 403, "out_of_scope");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "place_code")), HZ_VILLAGE);
    json_decref(doc);
    /* a major hazard without a plan: 422 naming what is missing, in Chinese and English */
    doc = post(actions_path, auth_planner, confirm, 422, "plan_required");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "missing")), 3);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(doc, "message_zh")), "整改方案"));
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(doc, "message_en")), "rectification plan"));
    json_decref(doc);
    expect_status(hazard, "reported");
    /* with the plan and photos: 201, the token's id as the actor */
    doc =
        post(actions_path, auth_planner,
             "{\"action\":\"confirm\",\"note\":\"现场核实\",\"photos\":[\"ph/1.jpg\",\"ph/2.jpg\"],"
             "\"plan\":{\"measures\":\"停产整改\",\"responsible_unit\":\"某化工厂\","
             "\"deadline\":\"2026-12-31\"}}",
             201, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "to_status")), "confirmed");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "actor")), planner_id);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "role")), "planner");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "photos")), 2);
    json_decref(doc);
    expect_status(hazard, "confirmed");
    /* a step the lifecycle does not have from here: 409 with what is allowed */
    doc =
        post(actions_path, auth_planner, "{\"action\":\"verify\"}", 409, "transition_not_allowed");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "allowed_actions"), 0)),
                     "start_rectification");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "current_status")), "confirmed");
    json_decref(doc);
    json_decref(
        post(actions_path, auth_planner, "{\"action\":\"demolish\"}", 422, "unknown_action"));
    json_decref(
        post(actions_path, auth_planner, "{\"action\":\"start_rectification\"}", 201, NULL));
    json_decref(
        post(actions_path, auth_planner, "{\"action\":\"complete_rectification\"}", 201, NULL));
    json_decref(post(actions_path, auth_admin, "{\"action\":\"verify\"}", 201, NULL));
    expect_status(hazard, "closed");
    /* the log, read with a token, has every step in order */
    const char *h[] = {auth_planner, NULL};
    th_response r = th_http(&srv, "GET", actions_path, h, NULL);
    ck_assert_int_eq(r.status, 200);
    doc = th_json(&r);
    json_t *log = json_object_get(doc, "actions");
    ck_assert_int_eq(json_array_size(log), 5);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(log, 1), "note")),
                     "现场核实");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(log, 4), "action")),
                     "verify");
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_only_admin_reopens_a_rejected_hazard)
{
    PGconn *c = th_db_connect();
    long id = hz_hazard(c, "fire", "yellow", "general", 20, 0);
    PQfinish(c);
    char path[96];
    snprintf(path, sizeof path, "/collections/hazards/items/%ld/actions", id);
    json_decref(
        post(path, auth_planner, "{\"action\":\"reject\",\"note\":\"重复上报\"}", 201, NULL));
    json_decref(post(path, auth_planner, "{\"action\":\"reopen\"}", 403, "forbidden_role"));
    expect_status(id, "rejected");
    json_decref(post(path, auth_admin, "{\"action\":\"reopen\"}", 201, NULL));
    expect_status(id, "reported");
}
END_TEST

START_TEST(test_anonymous_caller_gets_401_with_challenge)
{
    const char *h[] = {"Content-Type: application/json", NULL};
    th_response r = th_http(&srv, "POST", actions_path, h, "{\"action\":\"reject\"}");
    ck_assert_int_eq(r.status, 401);
    char challenge[120];
    ck_assert(th_header(&r, "WWW-Authenticate", challenge, sizeof challenge));
    ck_assert_ptr_nonnull(strstr(challenge, "Bearer"));
    th_response_free(&r);
}
END_TEST

START_TEST(test_malformed_bodies_are_400)
{
    PGconn *c = th_db_connect();
    long id = hz_hazard(c, "fire", "yellow", "general", 30, 0);
    PQfinish(c);
    char path[96];
    snprintf(path, sizeof path, "/collections/hazards/items/%ld/actions", id);
    const char *a = auth_planner;
    json_decref(post(path, a, "not json", 400, "invalid_json"));
    json_decref(post(path, a, "[]", 400, "invalid_body"));
    json_decref(post(path, a, "{}", 400, "invalid_body"));
    json_decref(
        post(path, a, "{\"action\":\"confirm\",\"status\":\"closed\"}", 400, "invalid_body"));
    json_decref(post(path, a, "{\"action\":\"confirm\",\"photos\":[1]}", 400, "invalid_body"));
    json_decref(
        post(path, a, "{\"action\":\"confirm\",\"plan\":{\"deadline\":5}}", 400, "invalid_body"));
    json_decref(
        post(path, a, "{\"action\":\"confirm\",\"plan\":{\"budget\":\"1\"}}", 400, "invalid_body"));
    json_decref(post(path, a, "{\"action\":\"confirm\",\"plan\":{\"deadline\":\"soon\"}}", 422,
                     "plan_invalid"));
    expect_status(id, "reported");
}
END_TEST

START_TEST(test_unknown_hazard_is_404_and_big_body_413)
{
    json_decref(post("/collections/hazards/items/987654/actions", auth_planner,
                     "{\"action\":\"confirm\"}", 404, "hazard_not_found"));
    json_decref(post("/collections/hazards/items/x1/actions", auth_planner,
                     "{\"action\":\"confirm\"}", 404, "hazard_not_found"));
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
    json_decref(post(actions_path, auth_planner, big, 413, "body_too_large"));
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
    tcase_add_test(tc, test_planner_walks_the_lifecycle_others_are_refused);
    tcase_add_test(tc, test_only_admin_reopens_a_rejected_hazard);
    tcase_add_test(tc, test_anonymous_caller_gets_401_with_challenge);
    tcase_add_test(tc, test_malformed_bodies_are_400);
    tcase_add_test(tc, test_unknown_hazard_is_404_and_big_body_413);
    suite_add_tcase(s, tc);
    return th_run(s);
}
