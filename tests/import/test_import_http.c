/* POST /imports and GET /imports/{id} over real HTTP: an importer's upload becomes a job that
 * loads the file and reports; without the importer or admin role both routes are refused with
 * problem+json and no job is created; malformed uploads are refused. */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static th_server srv;

static void setup(void)
{
    th_db_create("import_http");
    th_server_start(&srv, NULL);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static const char *BODY =
    "--XyZ\r\nContent-Disposition: form-data; name=\"into\"\r\n\r\nhazards\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
    "filename=\"h.csv\"\r\n\r\nname,lon,lat\r\na,114.9,27.8\r\n--XyZ--\r\n";

START_TEST(test_imports_refuses_anonymous_upload)
{
    const char *h[] = {"Content-Type: multipart/form-data; boundary=XyZ", NULL};
    th_response r = th_http(&srv, "POST", "/imports", h, BODY);
    ck_assert_msg(r.status == 401 || r.status == 403, "status %ld: %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\""));
    th_response_free(&r);
    PGconn *c = th_db_connect();
    char *n = th_db_value(c, "SELECT count(*) FROM import_jobs");
    ck_assert_str_eq(n, "0");
    free(n);
    PQfinish(c);
}
END_TEST

START_TEST(test_imports_job_status_needs_the_role)
{
    th_response r = th_http(&srv, "GET", "/imports/1", NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    char auth[64];
    ck_assert(th_header(&r, "WWW-Authenticate", auth, sizeof auth));
    th_response_free(&r);
}
END_TEST

/* A new token of role (scope Jiangxi) as an Authorization header line. */
static void token_header(const char *role, char *out, size_t size)
{
    char *text = NULL;
    const char *args[] = {"token", "create", "--role", role, "--scope", "36", NULL};
    ck_assert_int_eq(th_pingan(&text, args), 0);
    char tok[128] = "";
    ck_assert_int_eq(sscanf(text, "%127s", tok), 1);
    snprintf(out, size, "Authorization: Bearer %s", tok);
    free(text);
}

START_TEST(test_imports_importer_upload_runs_a_job_with_a_report)
{
    char auth[200];
    token_header("importer", auth, sizeof auth);
    const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=XyZ", NULL};
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"preset\"\r\n\r\n"
                       "geohazard\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"s_srs\"\r\n\r\nGCJ02\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"../隐患点.csv\"\r\n\r\n"
                       "编号,名称,类型,险情等级,经度,纬度\r\n"
                       "UP-1,上传滑坡,滑坡,大型,114.934861967,27.806556014\r\n"
                       "--XyZ--\r\n";
    th_response r = th_http(&srv, "POST", "/imports", h, body);
    ck_assert_msg(r.status == 202, "status %ld: %s", r.status, r.body);
    char loc[300];
    ck_assert(th_header(&r, "Location", loc, sizeof loc));
    json_error_t e;
    json_t *doc = json_loads(r.body, 0, &e);
    ck_assert_ptr_nonnull(doc);
    char path[64];
    snprintf(path, sizeof path, "/imports/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    th_response_free(&r);
    const char *hg[] = {auth, NULL};
    const char *status = NULL;
    json_t *job = NULL;
    for (int i = 0; i < 200; i++) {
        r = th_http(&srv, "GET", path, hg, NULL);
        ck_assert_int_eq(r.status, 200);
        json_decref(job);
        job = json_loads(r.body, 0, &e);
        th_response_free(&r);
        status = json_string_value(json_object_get(job, "status"));
        if (strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0)
            break;
        usleep(100000);
    }
    ck_assert_str_eq(status, "succeeded");
    json_t *report = json_object_get(job, "report");
    ck_assert_str_eq(json_string_value(json_object_get(report, "file")), "../隐患点.csv");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(report, "counts"), "inserted")), 1);
    json_decref(job);
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, "SELECT name || '/' || danger_level || '/' || "
                             "round(ST_X(geom)::numeric, 4) FROM hazards WHERE code = 'UP-1'");
    ck_assert_str_eq(v, "上传滑坡/large/114.9300");
    free(v);
    v = th_db_value(c, "SELECT count(*) FROM edit_history WHERE actor LIKE 'import:%隐患点.csv'");
    ck_assert_str_eq(v, "1");
    free(v);
    PQfinish(c);
}
END_TEST

START_TEST(test_imports_viewer_is_forbidden_and_bad_uploads_refused)
{
    char auth[200];
    token_header("viewer", auth, sizeof auth);
    const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=XyZ", NULL};
    th_response r = th_http(&srv, "POST", "/imports", h, BODY);
    ck_assert_int_eq(r.status, 403);
    th_response_free(&r);
    token_header("importer", auth, sizeof auth);
    r = th_http(&srv, "POST", "/imports", h,
                "--XyZ\r\nContent-Disposition: form-data; "
                "name=\"file\"; filename=\"a.csv\"\r\n\r\nabc");
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "bad_multipart"));
    th_response_free(&r);
    const char *nointo = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                         "filename=\"a.csv\"\r\n\r\nname,lon,lat\r\n--XyZ--\r\n";
    r = th_http(&srv, "POST", "/imports", h, nointo);
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
    r = th_http(&srv, "GET", "/imports/999999", (const char *[]){auth, NULL}, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import_http");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_imports_refuses_anonymous_upload);
    tcase_add_test(tc, test_imports_job_status_needs_the_role);
    tcase_add_test(tc, test_imports_importer_upload_runs_a_job_with_a_report);
    tcase_add_test(tc, test_imports_viewer_is_forbidden_and_bad_uploads_refused);
    suite_add_tcase(s, tc);
    return th_run(s);
}
