/* POST /imports and GET /imports/{id} over real HTTP: without the importer or admin role both
 * are refused with problem+json and no job is created. */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    Suite *s = suite_create("import_http");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_imports_refuses_anonymous_upload);
    tcase_add_test(tc, test_imports_job_status_needs_the_role);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
