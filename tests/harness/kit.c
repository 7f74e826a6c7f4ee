/* The small things nearly every test needs: run a suite, sign a token, read a JSON body, run a
 * fixture's SQL. Each fails the running test with the reason instead of returning an error. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int th_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

void th_token(const char *role, const char *scope, char *out, size_t size)
{
    const char *args[] = {"token", "create", "--role", role, scope ? "--scope" : NULL, scope, NULL};
    char *text = NULL;
    ck_assert_msg(th_pingan(&text, args) == 0, "token create --role %s: %s", role,
                  text ? text : "");
    text[strcspn(text, "\n")] = '\0'; /* the token is the first line (stdout, flushed) */
    ck_assert_msg(strchr(text, '.') && !strchr(text, ' '), "not a token: %s", text);
    ck_assert_msg(strlen(text) < size, "token longer than its buffer");
    snprintf(out, size, "%s", text);
    free(text);
}

json_t *th_json(const th_response *r)
{
    json_error_t e;
    json_t *doc = json_loads(r->body ? r->body : "", 0, &e);
    ck_assert_msg(doc != NULL, "not JSON (%s): %.400s", e.text, r->body ? r->body : "");
    return doc;
}

void th_db_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%.200s: %s", sql,
                  PQerrorMessage(c));
    PQclear(r);
}

void th_db_exec_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *sql = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&sql, &len);
    char chunk[1 << 14];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    PGconn *c = th_db_connect();
    th_db_exec(c, sql);
    PQfinish(c);
    free(sql);
}
