/* Writes into one village do not wait for the coverage drainer recomputing it, nor for another
 * open write into it (the cause of the time-outs of bench/load.sh), and no change is left out
 * of the analysis: a write the drainer's recompute could not see brings the village back. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VILLAGE "360502100200"

static void setup(void)
{
    th_db_create("write_contention");
    th_db_exec_file(FIXTURE_SQL);
}

static void teardown(void)
{
    th_db_drop();
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQerrorMessage(c));
    PQclear(r);
}

static void assert_value(PGconn *c, const char *sql, const char *want)
{
    char *v = th_db_value(c, sql);
    ck_assert_msg(v && strcmp(v, want) == 0, "%s: got %s, want %s", sql, v ? v : "(null)", want);
    free(v);
}

/* A writer connection that gives up after 2 s instead of queueing behind a lock. */
static PGconn *writer(void)
{
    PGconn *c = th_db_connect();
    exec_ok(c, "SET lock_timeout = '2s'");
    return c;
}

static void insert_hazard(PGconn *c, const char *name)
{
    const char *p[] = {name};
    PGresult *r =
        PQexecParams(c,
                     "INSERT INTO hazards (name, category, risk_grade, village_code, geom) "
                     "VALUES ($1, 'landslide', 'yellow', '" VILLAGE "', "
                     "ST_SetSRID(ST_MakePoint(114.91, 27.805), 4490))",
                     1, NULL, p, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "insert %s: %s", name, PQerrorMessage(c));
    PQclear(r);
}

START_TEST(test_write_does_not_wait_for_the_drainer_and_is_recomputed_after)
{
    PGconn *setup_c = th_db_connect();
    exec_ok(setup_c, "SELECT ana_refresh('')");
    insert_hazard(setup_c, "first");
    assert_value(setup_c, "SELECT count(*) FROM coverage_dirty WHERE village_code = '" VILLAGE "'",
                 "1");
    /* The drainer takes the village and is still recomputing (its transaction open). */
    PGconn *drainer = th_db_connect();
    exec_ok(drainer, "BEGIN");
    assert_value(drainer, "SELECT ana_refresh('', 10, true)", "1");
    /* A write into the same village goes through at once (lock_timeout 2 s). */
    PGconn *w = writer();
    insert_hazard(w, "during recompute");
    exec_ok(drainer, "COMMIT");
    /* The recompute did not see that write, so the village is queued again... */
    assert_value(setup_c, "SELECT count(*) FROM coverage_dirty WHERE village_code = '" VILLAGE "'",
                 "1");
    assert_value(setup_c,
                 "SELECT hazards_open FROM coverage_village WHERE village_code = '" VILLAGE "'",
                 "1");
    /* ...and the next drain counts it. */
    assert_value(setup_c, "SELECT ana_refresh('', 10, true)", "1");
    assert_value(setup_c,
                 "SELECT hazards_open FROM coverage_village WHERE village_code = '" VILLAGE "'",
                 "2");
    assert_value(setup_c, "SELECT count(*) FROM coverage_dirty", "0");
    PQfinish(w);
    PQfinish(drainer);
    PQfinish(setup_c);
}
END_TEST

START_TEST(test_open_write_does_not_block_the_next_write_nor_get_drained_early)
{
    PGconn *c = th_db_connect();
    exec_ok(c, "SELECT ana_refresh('')");
    /* Writer A: its row marks the village, its transaction still open. */
    PGconn *a = writer();
    exec_ok(a, "BEGIN");
    insert_hazard(a, "A");
    /* Writer B into the same village does not wait for A. */
    PGconn *b = writer();
    insert_hazard(b, "B");
    /* A drain now recomputes with B but must not take the mark A relies on... */
    exec_ok(c, "SELECT ana_refresh('', 10, true)");
    exec_ok(a, "COMMIT");
    /* ...so after A commits the village is still queued, and the next drain counts A too. */
    assert_value(c, "SELECT count(*) > 0 FROM coverage_dirty WHERE village_code = '" VILLAGE "'",
                 "t");
    exec_ok(c, "SELECT ana_refresh('', 10, true)");
    assert_value(c, "SELECT hazards_open FROM coverage_village WHERE village_code = '" VILLAGE "'",
                 "2");
    /* A report's refresh (waiting mode) leaves nothing queued. */
    insert_hazard(b, "C");
    exec_ok(c, "SELECT ana_refresh('360502')");
    assert_value(c, "SELECT count(*) FROM coverage_dirty", "0");
    assert_value(c, "SELECT hazards_open FROM coverage_village WHERE village_code = '" VILLAGE "'",
                 "3");
    PQfinish(a);
    PQfinish(b);
    PQfinish(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("write_contention");
    TCase *tc = tcase_create("contention");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_write_does_not_wait_for_the_drainer_and_is_recomputed_after);
    tcase_add_test(tc, test_open_write_does_not_block_the_next_write_nor_get_drained_early);
    suite_add_tcase(s, tc);
    return th_run(s);
}
