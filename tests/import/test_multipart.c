/* The upload parser: well-formed bodies split into named parts; anything malformed,
 * truncated or over the limits is refused rather than guessed at. */
#include "importers.h"

#include <check.h>
#include <string.h>

#define CT "multipart/form-data; boundary=XyZ"

static core_code parse(const char *ct, const char *body, imp_part *parts, int max, int *n)
{
    core_err err = {0};
    return imp_multipart_parse(ct, body, strlen(body), parts, max, n, &err);
}

START_TEST(test_multipart_splits_fields_and_file)
{
    const char *body = "--XyZ\r\n"
                       "Content-Disposition: form-data; name=\"into\"\r\n\r\n"
                       "hazards\r\n"
                       "--XyZ\r\n"
                       "Content-Disposition: form-data; name=\"file\"; filename=\"点.csv\"\r\n"
                       "Content-Type: text/csv\r\n\r\n"
                       "a,b\r\n1,2\r\n"
                       "--XyZ--\r\n";
    imp_part parts[4];
    int n = 0;
    ck_assert_int_eq(parse(CT, body, parts, 4, &n), CORE_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(parts[0].name, "into");
    ck_assert_str_eq(parts[0].filename, "");
    ck_assert_int_eq((int)parts[0].len, 7);
    ck_assert(memcmp(parts[0].data, "hazards", 7) == 0);
    ck_assert_str_eq(parts[1].name, "file");
    ck_assert_str_eq(parts[1].filename, "点.csv");
    ck_assert_int_eq((int)parts[1].len, 8);
    ck_assert(memcmp(parts[1].data, "a,b\r\n1,2", 8) == 0);
}
END_TEST

START_TEST(test_multipart_refuses_truncated_body)
{
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc";
    imp_part parts[4];
    int n = 0;
    ck_assert_int_eq(parse(CT, body, parts, 4, &n), CORE_EFORMAT);
}
END_TEST

START_TEST(test_multipart_refuses_missing_boundary_and_names)
{
    imp_part parts[4];
    int n = 0;
    ck_assert_int_eq(parse("multipart/form-data", "--a\r\n", parts, 4, &n), CORE_EFORMAT);
    ck_assert_int_eq(parse("text/plain; boundary=XyZ", "--XyZ--", parts, 4, &n), CORE_EFORMAT);
    const char *noname = "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n";
    ck_assert_int_eq(parse(CT, noname, parts, 4, &n), CORE_EFORMAT);
    const char *noparts = "--XyZ--\r\n";
    ck_assert_int_eq(parse(CT, noparts, parts, 4, &n), CORE_EFORMAT);
}
END_TEST

START_TEST(test_multipart_limits_parts_and_header_length)
{
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XyZ--";
    imp_part parts[1];
    int n = 0;
    ck_assert_int_eq(parse(CT, body, parts, 1, &n), CORE_ELIMIT);
    char big[3000] = "--XyZ\r\nX-Long: ";
    memset(big + strlen(big), 'a', 2000);
    strcat(big, "\r\n\r\nx\r\n--XyZ--");
    imp_part p2[2];
    ck_assert_int_eq(parse(CT, big, p2, 2, &n), CORE_EFORMAT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import_multipart");
    TCase *tc = tcase_create("multipart");
    tcase_add_test(tc, test_multipart_splits_fields_and_file);
    tcase_add_test(tc, test_multipart_refuses_truncated_body);
    tcase_add_test(tc, test_multipart_refuses_missing_boundary_and_names);
    tcase_add_test(tc, test_multipart_limits_parts_and_header_length);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
