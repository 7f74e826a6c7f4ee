/* Shared by the feature-read tests: one database with tests/features/fixtures.sql loaded, the
 * real server on it, and small JSON helpers. */
#ifndef PINGAN_TEST_FEATURES_COMMON_H
#define PINGAN_TEST_FEATURES_COMMON_H

#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;

/* Fresh database, fixtures, server: once per test case (unchecked fixture). */
static inline void features_up(const char *dbname)
{
    th_db_create(dbname);
    PGconn *c = th_db_connect();
    char *sql = NULL;
    FILE *f = fopen(PINGAN_SOURCE_DIR "/tests/features/fixtures.sql", "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    sql = calloc(1, (size_t)n + 1);
    ck_assert_int_eq(fread(sql, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "fixtures: %s", PQerrorMessage(c));
    PQclear(r);
    free(sql);
    PQfinish(c);
    /* the fixture hazards' 2024 deadlines have passed: without this the deadline watch would
     * escalate them and move the updated_at values the datetime tests count on */
    const char *sets[] = {"overdue_check_s=0", NULL};
    th_server_start(&srv, sets);
}

static inline void features_down(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

/* GET path, expect status, return the parsed body (caller decrefs). */
static inline json_t *get_json(const char *path, long status)
{
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_msg(r.status == status, "GET %s: %ld, wanted %ld: %.400s", path, r.status, status,
                  r.body);
    json_t *doc = th_json(&r);
    th_response_free(&r);
    return doc;
}

/* GET path and check that it is a problem+json with this status and code. */
static inline void expect_problem(const char *path, long status, const char *code)
{
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_msg(r.status == status, "GET %s: %ld, wanted %ld: %.300s", path, r.status, status,
                  r.body);
    char ct[100] = "";
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_str_eq(ct, "application/problem+json");
    json_t *doc = th_json(&r);
    ck_assert_msg(json_string_value(json_object_get(doc, "code")) &&
                      strcmp(json_string_value(json_object_get(doc, "code")), code) == 0,
                  "GET %s: code %s, wanted %s", path,
                  json_string_value(json_object_get(doc, "code")), code);
    json_decref(doc);
    th_response_free(&r);
}

static inline long number_matched(const char *path)
{
    json_t *doc = get_json(path, 200);
    long n = (long)json_integer_value(json_object_get(doc, "numberMatched"));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "features")),
                     json_integer_value(json_object_get(doc, "numberReturned")));
    json_decref(doc);
    return n;
}

/* The href of the link with this rel, relative to the server (into out); false when none. */
static inline bool link_path(json_t *doc, const char *rel, char *out, size_t size)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "links"), i, l)
    {
        if (strcmp(json_string_value(json_object_get(l, "rel")), rel) == 0) {
            const char *href = json_string_value(json_object_get(l, "href"));
            ck_assert_msg(strncmp(href, srv.base, strlen(srv.base)) == 0, "link %s off-server",
                          href);
            snprintf(out, size, "%s", href + strlen(srv.base));
            return true;
        }
    }
    return false;
}

static inline char *db_value(const char *sql)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, sql);
    PQfinish(c);
    return v;
}

static inline long db_long(const char *sql)
{
    char *v = db_value(sql);
    ck_assert_ptr_nonnull(v);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

#endif
