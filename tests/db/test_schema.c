/* The schema on a real PostGIS: migrations apply once and re-run safely, the 2023 division
 * codes load completely, and constraints keep bad rows out whatever path they arrive by. */
#include "db.h"
#include "harness.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;

static void setup(void)
{
    th_db_create("schema");
    conn = th_db_connect();
}

static void teardown(void)
{
    PQfinish(conn);
    th_db_drop();
}

static void assert_value(const char *sql, const char *want)
{
    char *v = th_db_value(conn, sql);
    ck_assert_msg(v && strcmp(v, want) == 0, "%s: got %s, want %s", sql, v ? v : "NULL", want);
    free(v);
}

/* The statement must fail with the given SQLSTATE class (23 = integrity violation). */
static void assert_rejected(const char *sql, const char *state_prefix)
{
    PGresult *r = PQexec(conn, sql);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR && state &&
                      strncmp(state, state_prefix, strlen(state_prefix)) == 0,
                  "%s was not rejected (%s)", sql, state ? state : "accepted");
    PQclear(r);
}

START_TEST(test_migrations_run_once)
{
    core_err err = {0};
    int applied = -1;
    ck_assert_int_eq(db_migrate(conn, &applied, &err), CORE_OK);
    ck_assert_int_eq(applied, 0);
    long loaded = -1;
    ck_assert_int_eq(db_load_reference(conn, &loaded, &err), CORE_OK);
    ck_assert_int_eq(loaded, 0);
}
END_TEST

START_TEST(test_reference_codes_complete)
{
    assert_value("SELECT count(*) FROM jurisdictions WHERE level = 'province'", "1");
    assert_value("SELECT count(*) FROM jurisdictions WHERE level = 'city'", "11");
    assert_value("SELECT count(*) FROM jurisdictions WHERE level = 'county'", "100");
    assert_value("SELECT count(*) FROM jurisdictions WHERE level = 'township'", "1767");
    assert_value("SELECT count(*) FROM jurisdictions WHERE level = 'village'", "22080");
    assert_value("SELECT name FROM jurisdictions WHERE code = '360000000000'", "江西省");
    assert_value("SELECT parent_code FROM jurisdictions WHERE code = '360102002001'",
                 "360102002000");
    assert_value("SELECT kind FROM jurisdictions WHERE code = '360502001000'", "street");
    assert_value("SELECT kind FROM jurisdictions WHERE code = '360502100000'", "town");
    assert_value("SELECT kind FROM jurisdictions WHERE code = '360102002001'", "community");
    assert_value("SELECT count(*) FROM jurisdictions WHERE code_year <> 2023", "0");
}
END_TEST

START_TEST(test_constraints_keep_bad_rows_out)
{
    /* a bow-tie polygon */
    assert_rejected("INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
                    "('360102002001001', 'g', 'community', '360102002001', "
                    "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28.01,115.01 28,115 28.01,115 "
                    "28)))', 4490))",
                    "23");
    /* unknown kind */
    assert_rejected(
        "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
        "('360102002001001', 'g', 'huge', '360102002001', "
        "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28,115.01 28.01,115 28)))', 4490))",
        "23");
    /* a grid whose owner is a township, not a village */
    assert_rejected(
        "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
        "('360102002000001', 'g', 'base', '360102002000', "
        "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28,115.01 28.01,115 28)))', 4490))",
        "23");
    /* malformed code */
    assert_rejected(
        "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
        "('X1', 'g', 'base', '360102002001', "
        "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28,115.01 28.01,115 28)))', 4490))",
        "23");
    /* dedicated grid without a unit type */
    assert_rejected(
        "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
        "('360102002001001', 'g', 'dedicated', '360102002001', "
        "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28,115.01 28.01,115 28)))', 4490))",
        "23");
    /* deadline before the found date; unknown risk grade */
    assert_rejected("INSERT INTO hazards (name, category, risk_grade, found_on, deadline, geom) "
                    "VALUES ('h', 'landslide', 'red', '2024-05-01', '2024-04-01', "
                    "ST_SetSRID(ST_MakePoint(115, 28), 4490))",
                    "23");
    assert_rejected("INSERT INTO hazards (name, category, risk_grade, geom) VALUES "
                    "('h', 'landslide', 'purple', ST_SetSRID(ST_MakePoint(115, 28), 4490))",
                    "23");
    /* wrong SRID */
    assert_rejected(
        "INSERT INTO cameras (name, geom) VALUES ('c', ST_SetSRID(ST_MakePoint(115, 28), 4326))",
        "22");
}
END_TEST

START_TEST(test_history_and_version_on_plain_sql)
{
    ck_assert_int_eq(
        db_run(conn,
               "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
               "('360102002001001', '第1网格', 'community', '360102002001', "
               "ST_GeomFromText('MULTIPOLYGON(((115 28,115.01 28,115.01 28.01,115 28)))', 4490))",
               0, NULL, NULL),
        CORE_OK);
    ck_assert_int_eq(db_run(conn, "UPDATE grids SET name = '第一网格'", 0, NULL, NULL), CORE_OK);
    assert_value("SELECT version FROM grids", "2");
    assert_value("SELECT string_agg(operation || ':' || actor, ',' ORDER BY id) FROM edit_history",
                 "insert:sql:postgres,update:sql:postgres");
    assert_value("SELECT after->>'name' FROM edit_history WHERE operation = 'update'", "第一网格");
    assert_value("SELECT before->'geom'->>'type' FROM edit_history WHERE operation = 'update'",
                 "MultiPolygon");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("schema");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_migrations_run_once);
    tcase_add_test(tc, test_reference_codes_complete);
    tcase_add_test(tc, test_constraints_keep_bad_rows_out);
    tcase_add_test(tc, test_history_and_version_on_plain_sql);
    suite_add_tcase(s, tc);
    return th_run(s);
}
