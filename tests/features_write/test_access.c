/* Access over real HTTP and the real CLI: tokens made, listed and revoked with `pingan token`;
 * 401 for forged, expired and revoked tokens (revocation felt within auth_cache_ms); reads
 * closed when anonymous_reads is off; writes refused to viewers (403) and to planners outside
 * their county, including by moving a geometry across the border (403 out_of_scope). */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static th_server srv;
static char planner_a[128], planner_b[128], viewer_a[128];

static void setup(void)
{
    th_db_create("features_access");
    th_db_exec_file(FIXTURE_SQL);
    th_token("planner", "360502", planner_a, sizeof planner_a);
    th_token("planner", "360521", planner_b, sizeof planner_b);
    th_token("viewer", "360502", viewer_a, sizeof viewer_a);
    const char *sets[] = {"auth_cache_ms=300", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static th_response req(const char *method, const char *path, const char *token, const char *header,
                       const char *body)
{
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    const char *h[3] = {NULL, NULL, NULL};
    int n = 0;
    if (token)
        h[n++] = auth;
    if (header)
        h[n++] = header;
    return th_http(&srv, method, path, h, body);
}

static const char *code_of(const th_response *r, char *out, size_t size)
{
    json_t *doc = json_loads(r->body, 0, NULL);
    snprintf(out, size, "%s", doc ? json_string_value(json_object_get(doc, "code")) : "(none)");
    json_decref(doc);
    return out;
}

static void expect_problem(th_response *r, long status, const char *code)
{
    char got[64];
    ck_assert_msg(r->status == status, "expected %ld %s, got %ld: %s", status, code, r->status,
                  r->body);
    ck_assert_str_eq(code_of(r, got, sizeof got), code);
    th_response_free(r);
}

/* A base grid of village vcode covering [x0,x1]×[27.80,27.82]; returns its id. */
static long create_grid(const char *token, const char *vcode, double x0, double x1)
{
    char body[800];
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"网格\",\"kind\":\"base\","
             "\"village_code\":\"%s\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
             "[[[%.6f,27.80],[%.6f,27.80],[%.6f,27.82],[%.6f,27.82],[%.6f,27.80]]]}}",
             vcode, x0, x1, x1, x0, x0);
    th_response r = req("POST", "/collections/grids/items", token, NULL, body);
    ck_assert_msg(r.status == 201, "create grid: %ld %s", r.status, r.body);
    json_t *doc = json_loads(r.body, 0, NULL);
    long id = (long)json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    th_response_free(&r);
    return id;
}

START_TEST(test_token_cli_create_list_revoke)
{
    char *out = NULL;
    const char *help[][4] = {{"token", "--help", NULL},
                             {"token", "create", "--help", NULL},
                             {"token", "list", "--help", NULL},
                             {"token", "revoke", "--help", NULL}};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(th_pingan(&out, help[i]), 0);
        ck_assert_ptr_nonnull(strstr(out, "Usage: pingan token"));
        free(out);
    }
    char token[128];
    th_token("planner", "360502001", token, sizeof token);
    char id[32];
    snprintf(id, sizeof id, "%.*s", (int)strcspn(token, "."), token);
    ck_assert_int_eq((int)strlen(id), 10);
    ck_assert_int_ge((int)strlen(token), 60); /* id, dot, 64 hex digits */

    /* Only the hash is stored; the secret appears nowhere in the table or the list. */
    PGconn *c = th_db_connect();
    char *hash = th_db_value(c, "SELECT encode(secret_hash, 'hex') FROM tokens ORDER BY created_at "
                                "DESC LIMIT 1");
    ck_assert_ptr_null(strstr(token, hash));
    free(hash);
    const char *list[] = {"token", "list", NULL};
    ck_assert_int_eq(th_pingan(&out, list), 0);
    ck_assert_ptr_nonnull(strstr(out, id));
    ck_assert_ptr_nonnull(strstr(out, "360502001"));
    ck_assert_ptr_null(strstr(out, token + strlen(id) + 1));
    free(out);

    const char *revoke[] = {"token", "revoke", id, NULL};
    ck_assert_int_eq(th_pingan(&out, revoke), 0);
    free(out);
    ck_assert_int_eq(th_pingan(&out, list), 0);
    ck_assert_ptr_nonnull(strstr(out, "revoked"));
    free(out);

    /* Failures exit non-zero with a message. */
    const char *bad_role[] = {"token", "create", "--role", "god", "--scope", "36", NULL};
    ck_assert_int_ne(th_pingan(&out, bad_role), 0);
    ck_assert_ptr_nonnull(strstr(out, "role"));
    free(out);
    const char *bad_scope[] = {"token", "create", "--role", "viewer", "--scope", "999999", NULL};
    ck_assert_int_ne(th_pingan(&out, bad_scope), 0);
    free(out);
    const char *no_such[] = {"token", "revoke", "zzzzzzzzzz", NULL};
    ck_assert_int_ne(th_pingan(&out, no_such), 0);
    free(out);
    PQfinish(c);
}
END_TEST

START_TEST(test_forged_token_is_401_invalid_token)
{
    /* A real id with a made-up secret, and garbage. */
    char forged[128];
    snprintf(forged, sizeof forged, "%.*s.%064d", (int)strcspn(planner_a, "."), planner_a, 0);
    th_response r = req("GET", "/", forged, NULL, NULL);
    char www[200];
    ck_assert(th_header(&r, "WWW-Authenticate", www, sizeof www));
    ck_assert_ptr_nonnull(strstr(www, "Bearer"));
    expect_problem(&r, 401, "invalid_token");
    r = req("GET", "/", "not-a-token", NULL, NULL);
    expect_problem(&r, 401, "invalid_token");
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    r = th_http(&srv, "GET", "/", basic, NULL);
    expect_problem(&r, 401, "invalid_token");
    r = req("GET", "/", planner_a, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
}
END_TEST

START_TEST(test_expired_token_is_401_token_expired)
{
    char token[128];
    th_token("planner", "360502", token, sizeof token);
    PGconn *c = th_db_connect();
    char sql[300];
    snprintf(sql, sizeof sql,
             "UPDATE tokens SET created_at = now() - interval '2 days', expires_at = now() - "
             "interval '1 day' WHERE id = '%.*s' RETURNING id",
             (int)strcspn(token, "."), token);
    free(th_db_value(c, sql));
    PQfinish(c);
    th_response r = req("GET", "/", token, NULL, NULL);
    expect_problem(&r, 401, "token_expired");
    /* --expires with a duration is stored as a time in the future. */
    char *out = NULL;
    const char *args[] = {"token", "create",    "--role", "viewer", "--scope",
                          "36",    "--expires", "30d",    NULL};
    ck_assert_int_eq(th_pingan(&out, args), 0);
    free(out);
    c = th_db_connect();
    char *days = th_db_value(c, "SELECT round(extract(epoch FROM expires_at - now()) / 86400) "
                                "FROM tokens ORDER BY created_at DESC LIMIT 1");
    ck_assert_str_eq(days, "30");
    free(days);
    PQfinish(c);
}
END_TEST

START_TEST(test_revoked_token_is_401_within_cache_bound)
{
    char token[128];
    th_token("planner", "360502", token, sizeof token);
    th_response r = req("GET", "/", token, NULL, NULL); /* now cached */
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    char id[32], *out = NULL;
    snprintf(id, sizeof id, "%.*s", (int)strcspn(token, "."), token);
    const char *revoke[] = {"token", "revoke", id, NULL};
    ck_assert_int_eq(th_pingan(&out, revoke), 0);
    free(out);
    usleep(400 * 1000); /* auth_cache_ms=300 */
    r = req("GET", "/", token, NULL, NULL);
    expect_problem(&r, 401, "token_revoked");
}
END_TEST

START_TEST(test_writes_need_a_writer_token)
{
    const char *body = "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}";
    th_response r = req("POST", "/collections/grids/items", NULL, NULL, body);
    expect_problem(&r, 401, "token_required");
    r = req("POST", "/collections/grids/items", viewer_a, NULL, body);
    expect_problem(&r, 403, "forbidden_role");
    /* OPTIONS tells each caller what it may do. */
    r = req("OPTIONS", "/collections/grids/items", viewer_a, NULL, NULL);
    char allow[200];
    ck_assert(th_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_null(strstr(allow, "POST"));
    th_response_free(&r);
    r = req("OPTIONS", "/collections/grids/items", planner_a, NULL, NULL);
    ck_assert(th_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_nonnull(strstr(allow, "POST"));
    th_response_free(&r);
}
END_TEST

START_TEST(test_planner_of_county_a_gets_403_on_county_b_grid)
{
    long id = create_grid(planner_b, "360521001002", 114.94, 114.95);
    char path[100], etag[100];
    snprintf(path, sizeof path, "/collections/grids/items/%ld", id);
    snprintf(etag, sizeof etag, "If-Match: \"%ld-1\"", id);
    th_response r = req("PATCH", path, planner_a, etag, "{\"properties\":{\"name\":\"抢\"}}");
    ck_assert_int_eq(r.status, 403);
    json_t *doc = json_loads(r.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), "out_of_scope");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "place_code")), "360521001002");
    json_decref(doc);
    th_response_free(&r);
    r = req("DELETE", path, planner_a, etag, NULL);
    expect_problem(&r, 403, "out_of_scope");
    /* Nor may A create a grid in B's village. */
    r = req("POST", "/collections/grids/items", planner_a, NULL,
            "{\"type\":\"Feature\",\"properties\":{\"name\":\"x\",\"kind\":\"base\","
            "\"village_code\":\"360521001002\"},\"geometry\":{\"type\":\"Polygon\","
            "\"coordinates\":[[[114.95,27.80],[114.96,27.80],[114.96,27.81],[114.95,27.81],"
            "[114.95,27.80]]]}}");
    expect_problem(&r, 403, "out_of_scope");
    /* Its OPTIONS does not offer writes to A; B's does. */
    r = req("OPTIONS", path, planner_a, NULL, NULL);
    char allow[200];
    ck_assert(th_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_null(strstr(allow, "PUT"));
    th_response_free(&r);
    r = req("OPTIONS", path, planner_b, NULL, NULL);
    ck_assert(th_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_nonnull(strstr(allow, "PUT"));
    th_response_free(&r);
    /* The grid is untouched. */
    PGconn *c = th_db_connect();
    char sql[100];
    snprintf(sql, sizeof sql, "SELECT version FROM grids WHERE id = %ld", id);
    char *v = th_db_value(c, sql);
    ck_assert_str_eq(v, "1");
    free(v);
    PQfinish(c);
}
END_TEST

START_TEST(test_moving_a_geometry_across_the_border_is_403)
{
    /* A's own grid in village B (360502100201), dragged east into county 360521. */
    long id = create_grid(planner_a, "360502100201", 114.925, 114.935);
    char path[100], etag[100], body[600];
    snprintf(path, sizeof path, "/collections/grids/items/%ld", id);
    snprintf(etag, sizeof etag, "If-Match: \"%ld-1\"", id);
    snprintf(body, sizeof body,
             "{\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[114.925,27.80],[114.95,27.80],"
             "[114.95,27.82],[114.925,27.82],[114.925,27.80]]]}}");
    th_response r = req("PATCH", path, planner_a, etag, body);
    ck_assert_int_eq(r.status, 403);
    json_t *doc = json_loads(r.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), "out_of_scope");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "place_code")), "360521001002");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(doc, "place_name")), "天工"));
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_refusals_and_writes_are_logged_with_token_id)
{
    /* The server's stderr is not captured by the harness; the access log line's fields are
     * checked through a second server writing to a file. */
    char log[] = "/tmp/pingan_access_XXXXXX";
    int fd = mkstemp(log);
    ck_assert_int_ge(fd, 0);
    int saved = dup(2);
    dup2(fd, 2);
    th_server logged;
    th_server_start(&logged, NULL);
    dup2(saved, 2);
    close(saved);
    char auth[200], forged[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", planner_a);
    snprintf(forged, sizeof forged, "Authorization: Bearer abcdef1234.%064d", 7);
    const char *h1[] = {auth, NULL}, *h2[] = {forged, NULL};
    th_response r = th_http(&logged, "POST", "/collections/grids/items", h1, "[]");
    th_response_free(&r);
    r = th_http(&logged, "GET", "/", h2, NULL);
    th_response_free(&r);
    th_server_stop(&logged);
    close(fd);
    FILE *f = fopen(log, "r");
    char line[2000];
    char id[32];
    snprintf(id, sizeof id, "\"actor\":\"%.*s\"", (int)strcspn(planner_a, "."), planner_a);
    bool write_seen = false, refusal_seen = false;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"event\":\"access\"") && strstr(line, id) &&
            strstr(line, "\"status\":400"))
            write_seen = true;
        if (strstr(line, "\"event\":\"access\"") && strstr(line, "\"actor\":\"abcdef1234\"") &&
            strstr(line, "\"code\":\"invalid_token\""))
            refusal_seen = true;
    }
    fclose(f);
    unlink(log);
    ck_assert_msg(write_seen, "the write attempt is not in the access log with the token id");
    ck_assert_msg(refusal_seen, "the refusal is not in the access log with the claimed id");
}
END_TEST

START_TEST(test_anonymous_reads_off_needs_a_token)
{
    th_server closed;
    const char *sets[] = {"anonymous_reads=false", NULL};
    th_server_start(&closed, sets);
    /* Data needs a token (the history too); service metadata stays discoverable. */
    th_response r = th_http(&closed, "GET", "/collections/grids/items/1/history", NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    char www[100];
    ck_assert(th_header(&r, "WWW-Authenticate", www, sizeof www));
    th_response_free(&r);
    r = th_http(&closed, "GET", "/collections/grids/items", NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    th_response_free(&r);
    r = th_http(&closed, "GET", "/conformance", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    r = th_http(&closed, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", viewer_a);
    const char *h[] = {auth, NULL};
    r = th_http(&closed, "GET", "/collections/grids/items", h, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    th_server_stop(&closed);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("features_access");
    TCase *t = tcase_create("access");
    tcase_add_unchecked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_token_cli_create_list_revoke);
    tcase_add_test(t, test_forged_token_is_401_invalid_token);
    tcase_add_test(t, test_expired_token_is_401_token_expired);
    tcase_add_test(t, test_revoked_token_is_401_within_cache_bound);
    tcase_add_test(t, test_writes_need_a_writer_token);
    tcase_add_test(t, test_planner_of_county_a_gets_403_on_county_b_grid);
    tcase_add_test(t, test_moving_a_geometry_across_the_border_is_403);
    tcase_add_test(t, test_refusals_and_writes_are_logged_with_token_id);
    tcase_add_test(t, test_anonymous_reads_off_needs_a_token);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return th_run(suite());
}
