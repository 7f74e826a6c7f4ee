/* POST /imports over real HTTP: only importers and admins may upload; a malformed upload is
 * refused with problem+json; GET /imports/{id} of an unknown job is 404. */
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

START_TEST(test_imports_unknown_job_is_404)
{
    th_response r = th_http(&srv, "GET", "/imports/999999", NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
    r = th_http(&srv, "GET", "/imports/abc", NULL, NULL);
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
    tcase_add_test(tc, test_imports_unknown_job_is_404);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
