/* Missed rectification deadlines (Art. 58(3)) with an injected clock: a hazard becomes
 * overdue and escalates exactly once per deadline, a new deadline can escalate again, closed
 * work is left alone; and the server's deadline watch does it by itself. */
#include "harness.h"
#include "hz_util.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static PGconn *db;

static void setup_db(void)
{
    th_db_create("hz_overdue");
}

static void teardown_db(void)
{
    th_db_drop();
}

/* Every test starts with no hazards: a check escalates only what the test made. */
static void setup(void)
{
    db = th_db_connect();
    free(hz_must(db, "TRUNCATE hazards CASCADE", 0, NULL));
}

static void teardown(void)
{
    PQfinish(db);
}

static int mark(const char *now)
{
    const char *p[] = {now};
    char *n = hz_must(db, "SELECT hazards_mark_overdue($1::timestamptz)", 1, p);
    int v = (int)strtol(n, NULL, 10);
    free(n);
    return v;
}

static char *field(long id, const char *expr)
{
    char ids[32], sql[300];
    snprintf(ids, sizeof ids, "%ld", id);
    snprintf(sql, sizeof sql, "SELECT (%s)::text FROM hazards WHERE id = $1::bigint", expr);
    const char *p[] = {ids};
    return hz_must(db, sql, 1, p);
}

static void expect(long id, const char *expr, const char *want)
{
    char *v = field(id, expr);
    ck_assert_msg(strcmp(v, want) == 0, "%s: got '%s', want '%s'", expr, v, want);
    free(v);
}

static const char *plan_march = "{\"measures\":\"拆除违建\",\"responsible_unit\":\"城管局\","
                                "\"deadline\":\"2026-03-10\"}";

START_TEST(test_missed_deadline_escalates_exactly_once)
{
    char state[6];
    long id = hz_hazard(db, "accident", "red", "major", 10, 0);
    char *to = hz_act(db, id, "confirm", "planner", plan_march, state);
    ck_assert_msg(to != NULL, "%s", state);
    free(to);
    /* the deadline day itself (China Standard Time) is still in time */
    ck_assert_int_eq(mark("2026-03-10 23:59:59+08"), 0);
    expect(id, "overdue", "false");
    expect(id, "escalation_level", "0");
    /* one second later it is missed: overdue, level 1, the injected time recorded */
    ck_assert_int_eq(mark("2026-03-11 00:00:01+08"), 1);
    expect(id, "overdue", "true");
    expect(id, "escalation_level", "1");
    expect(id, "escalated_at = '2026-03-11 00:00:01+08'", "true");
    /* run again, and again days later: nothing more */
    ck_assert_int_eq(mark("2026-03-11 00:01:00+08"), 0);
    ck_assert_int_eq(mark("2026-04-20 12:00:00+08"), 0);
    expect(id, "escalation_level", "1");
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    char *log = hz_must(db,
                        "SELECT count(*) || '|' || min(actor) || '|' || min(role) || '|' || "
                        "min(escalation_level) || '|' || min(from_status) || '>' || "
                        "min(to_status) FROM hazard_actions WHERE hazard_id = $1::bigint AND "
                        "action = 'escalate'",
                        1, p);
    ck_assert_str_eq(log, "1|system|system|1|confirmed>confirmed");
    free(log);
    /* the status did not move */
    expect(id, "status", "confirmed");
}
END_TEST

START_TEST(test_a_new_deadline_clears_overdue_and_can_escalate_again)
{
    char state[6];
    long id = hz_hazard(db, "accident", "red", "major", 10, 90);
    free(hz_act(db, id, "confirm", "planner", plan_march, state));
    ck_assert_int_eq(mark("2026-03-12 09:00+08"), 1);
    char *to = hz_act(db, id, "start_rectification", "planner",
                      "{\"deadline\":\"2026-04-30\",\"measures\":\"限期拆除\"}", state);
    ck_assert_msg(to != NULL, "%s", state);
    free(to);
    expect(id, "overdue", "false"); /* a new deadline is a new chance */
    expect(id, "escalation_level", "1");
    ck_assert_int_eq(mark("2026-04-30 18:00+08"), 0);
    ck_assert_int_eq(mark("2026-05-01 08:00+08"), 1);
    ck_assert_int_eq(mark("2026-05-01 08:01+08"), 0);
    expect(id, "escalation_level", "2");
    expect(id, "overdue", "true");
    /* finishing the work clears overdue, the level stays as history */
    to = hz_act(db, id, "complete_rectification", "planner", NULL, state);
    free(to);
    expect(id, "overdue", "false");
    expect(id, "escalation_level", "2");
}
END_TEST

START_TEST(test_finished_or_undated_hazards_are_left_alone)
{
    char state[6];
    long rectified = hz_hazard(db, "accident", "red", "major", 10, 180);
    free(hz_act(db, rectified, "confirm", "planner", plan_march, state));
    free(hz_act(db, rectified, "start_rectification", "planner", NULL, state));
    free(hz_act(db, rectified, "complete_rectification", "planner", NULL, state));
    expect(rectified, "status", "rectified");
    long undated = hz_hazard(db, "fire", "yellow", NULL, 10, 270);
    free(hz_act(db, undated, "confirm", "planner", NULL, state));
    ck_assert_int_eq(mark("2027-01-01 00:00+08"), 0);
    expect(rectified, "escalation_level", "0");
    expect(undated, "escalation_level", "0");
}
END_TEST

/* Two servers checking at the same moment: the second waits for the first's row locks, then
 * finds the deadline already escalated. */
START_TEST(test_concurrent_checks_escalate_once)
{
    char state[6];
    long id = hz_hazard(db, "accident", "red", "major", 10, 300);
    free(hz_act(db, id, "confirm", "planner", plan_march, state));
    PGconn *other = th_db_connect();
    free(hz_must(db, "BEGIN", 0, NULL));
    ck_assert_int_eq(mark("2026-03-12 08:00+08"), 1);
    /* the other connection's check blocks on the uncommitted escalation */
    ck_assert_int_eq(PQsendQuery(other, "SELECT hazards_mark_overdue('2026-03-12 08:00:05+08')"),
                     1);
    free(hz_must(db, "COMMIT", 0, NULL));
    PGresult *res = PQgetResult(other);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    while ((res = PQgetResult(other)))
        PQclear(res);
    PQfinish(other);
    expect(id, "escalation_level", "1");
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    char *n = hz_must(db,
                      "SELECT count(*) FROM hazard_actions WHERE hazard_id = $1::bigint AND "
                      "action = 'escalate'",
                      1, p);
    ck_assert_str_eq(n, "1");
    free(n);
}
END_TEST

/* The server runs the check at start and every overdue_check_s seconds by itself. */
START_TEST(test_server_watch_escalates_without_being_asked)
{
    long id = hz_hazard(db, "landslide", "red", NULL, 10, 45);
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    /* a deadline long past, set as a fixture */
    free(hz_must(db,
                 "UPDATE hazards SET found_on = '2020-01-01', deadline = '2020-02-01' "
                 "WHERE id = $1::bigint",
                 1, p));
    th_server s;
    const char *sets[] = {"overdue_check_s=1", NULL};
    th_server_start(&s, sets);
    char *level = NULL;
    for (int i = 0; i < 50; i++) {
        free(level);
        level = field(id, "escalation_level");
        if (strcmp(level, "1") == 0)
            break;
        usleep(100 * 1000);
    }
    ck_assert_str_eq(level, "1");
    free(level);
    /* a second later (another check has run) still exactly one escalation */
    sleep(2);
    expect(id, "escalation_level", "1");
    char path[96];
    snprintf(path, sizeof path, "/collections/hazards/items/%ld/actions", id);
    th_response r = th_http(&s, "GET", path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"action\": \"escalate\""));
    ck_assert_ptr_nonnull(strstr(r.body, "\"overdue\": true"));
    th_response_free(&r);
    th_server_stop(&s);
}
END_TEST

/* The county's list: overdue and escalated hazards first, filters, and the CSV for meetings. */
START_TEST(test_hazard_list_report_shows_overdue_first)
{
    char state[6];
    long calm = hz_hazard(db, "fire", "yellow", NULL, 10, 0);
    long late = hz_hazard(db, "accident", "red", "major", 20, 0);
    free(hz_act(db, late, "confirm", "planner", plan_march, state));
    long done = hz_hazard(db, "fire", "blue", NULL, 30, 0);
    hz_force_status(db, done, "closed");
    ck_assert_int_eq(mark("2026-03-11 01:00+08"), 1);
    th_server s;
    const char *sets[] = {"overdue_check_s=0", NULL};
    th_server_start(&s, sets);
    th_response r = th_http(&s, "GET", "/reports/hazards?jurisdiction=360502", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *list = json_object_get(doc, "hazards");
    ck_assert_int_eq(json_array_size(list), 2);
    json_t *first = json_array_get(list, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "id")), late);
    ck_assert(json_is_true(json_object_get(first, "overdue")));
    ck_assert_int_eq(json_integer_value(json_object_get(first, "escalation_level")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(first, "status_zh")), "已确认");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 1), "id")), calm);
    json_decref(doc);
    th_response_free(&r);
    const char *queries[] = {"&overdue=true", "&status=all", "&status=closed"};
    const size_t want[] = {1, 3, 1};
    for (int i = 0; i < 3; i++) {
        char path[120];
        snprintf(path, sizeof path, "/reports/hazards?jurisdiction=360502000000%s", queries[i]);
        r = th_http(&s, "GET", path, NULL, NULL);
        ck_assert_int_eq(r.status, 200);
        doc = json_loads(r.body, 0, NULL);
        ck_assert_int_eq(json_array_size(json_object_get(doc, "hazards")), want[i]);
        json_decref(doc);
        th_response_free(&r);
    }
    r = th_http(&s, "GET", "/reports/hazards?jurisdiction=360502&status=lost", NULL, NULL);
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
    r = th_http(&s, "GET", "/reports/hazards?jurisdiction=360502&f=csv", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(r.body, "\xEF\xBB\xBF隐患ID,编码,名称,类别,", 3 + 30) == 0, "%s", r.body);
    ck_assert_ptr_nonnull(strstr(r.body, ",已确认,"));
    ck_assert_ptr_nonnull(strstr(r.body, ",重大（红）,"));
    th_response_free(&r);
    th_server_stop(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hazard_overdue");
    TCase *tc = tcase_create("clock");
    tcase_add_unchecked_fixture(tc, setup_db, teardown_db);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_missed_deadline_escalates_exactly_once);
    tcase_add_test(tc, test_a_new_deadline_clears_overdue_and_can_escalate_again);
    tcase_add_test(tc, test_finished_or_undated_hazards_are_left_alone);
    tcase_add_test(tc, test_concurrent_checks_escalate_once);
    tcase_add_test(tc, test_server_watch_escalates_without_being_asked);
    tcase_add_test(tc, test_hazard_list_report_shows_overdue_first);
    suite_add_tcase(s, tc);
    return th_run(s);
}
