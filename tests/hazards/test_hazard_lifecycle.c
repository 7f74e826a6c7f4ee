/* The hazard lifecycle in the database: the transition table is exactly the one the issue
 * asks for, every (status, action, role) combination does what both the table and the issue
 * say, major hazards need a plan, the status column moves only through actions, and every step
 * is logged with who, when, a note and photos. */
#include "harness.h"
#include "hz_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The issue's lifecycle, written out by hand so that a wrong row in the table fails. */
static const struct {
    const char *from, *action, *to, *roles;
    bool takes_plan;
} expected[] = {
    {"reported", "confirm", "confirmed", "admin,planner", true},
    {"reported", "reject", "rejected", "admin,planner", false},
    {"confirmed", "start_rectification", "rectifying", "admin,planner", true},
    {"rectifying", "complete_rectification", "rectified", "admin,planner", false},
    {"rectified", "verify", "closed", "admin,planner", false},
    {"rectified", "return_for_rectification", "rectifying", "admin,planner", true},
    {"rejected", "reopen", "reported", "admin", false},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static const char *statuses[] = {"reported",  "confirmed", "rectifying",
                                 "rectified", "closed",    "rejected"};
static const char *roles[] = {"admin", "planner", "importer", "viewer", "anonymous"};
static const char *plan = "{\"measures\":\"加固边坡\",\"responsible_unit\":\"渝水区应急管理局\","
                          "\"deadline\":\"2026-06-30\"}";

static PGconn *db;

static void setup_db(void)
{
    th_db_create("hz_lifecycle");
}

static void teardown_db(void)
{
    th_db_drop();
}

static void setup(void)
{
    db = th_db_connect();
}

static void teardown(void)
{
    PQfinish(db);
}

static bool role_in(const char *list, const char *role)
{
    char buf[128];
    snprintf(buf, sizeof buf, ",%s,", list);
    char want[32];
    snprintf(want, sizeof want, ",%s,", role);
    return strstr(buf, want) != NULL;
}

START_TEST(test_transition_table_is_the_issues_lifecycle)
{
    for (size_t i = 0; i < NEXPECTED; i++) {
        const char *p[] = {expected[i].from, expected[i].action};
        char *row = hz_must(db,
                            "SELECT to_status || '|' || array_to_string(ARRAY(SELECT unnest(roles) "
                            "ORDER BY 1), ',') || '|' || takes_plan FROM hazard_transitions "
                            "WHERE from_status = $1 AND action = $2",
                            2, p);
        char want[128];
        snprintf(want, sizeof want, "%s|%s|%s", expected[i].to, expected[i].roles,
                 expected[i].takes_plan ? "true" : "false");
        ck_assert_msg(strcmp(row, want) == 0, "%s --%s--> got '%s', want '%s'", expected[i].from,
                      expected[i].action, row, want);
        free(row);
    }
    char *n = hz_must(db, "SELECT count(*) FROM hazard_transitions", 0, NULL);
    ck_assert_int_eq(strtol(n, NULL, 10), (long)NEXPECTED);
    free(n);
}
END_TEST

/* Every status × every action × every role, against the hand-written expectations. */
START_TEST(test_every_combination_allowed_or_refused_as_the_issue_says)
{
    int allowed = 0, refused_role = 0, refused_state = 0;
    for (size_t s = 0; s < 6; s++) {
        for (size_t a = 0; a < NEXPECTED; a++) {
            const char *action = expected[a].action;
            int rule = -1;
            for (size_t e = 0; e < NEXPECTED; e++)
                if (!strcmp(expected[e].from, statuses[s]) && !strcmp(expected[e].action, action))
                    rule = (int)e;
            for (size_t r = 0; r < 5; r++) {
                long id = hz_hazard(db, "fire", "yellow", "general", 10, 0);
                hz_force_status(db, id, statuses[s]);
                char state[6];
                char *to = hz_act(db, id, action, roles[r],
                                  rule >= 0 && expected[rule].takes_plan ? plan : NULL, state);
                char ids[32];
                snprintf(ids, sizeof ids, "%ld", id);
                const char *p[] = {ids};
                char *now = hz_must(db, "SELECT status FROM hazards WHERE id = $1::bigint", 1, p);
                if (rule >= 0 && role_in(expected[rule].roles, roles[r])) {
                    ck_assert_msg(to != NULL, "%s --%s--> as %s refused (%s)", statuses[s], action,
                                  roles[r], state);
                    ck_assert_str_eq(to, expected[rule].to);
                    ck_assert_str_eq(now, expected[rule].to);
                    allowed++;
                } else {
                    ck_assert_msg(to == NULL, "%s --%s--> as %s was allowed", statuses[s], action,
                                  roles[r]);
                    ck_assert_str_eq(state, rule >= 0 ? "HZ003" : "HZ002");
                    ck_assert_str_eq(now, statuses[s]);
                    if (rule >= 0)
                        refused_role++;
                    else
                        refused_state++;
                }
                free(to);
                free(now);
            }
        }
    }
    /* 7 transitions: 6 with two roles, 1 with one */
    ck_assert_int_eq(allowed, 13);
    ck_assert_int_eq(refused_role, 7 * 5 - 13);
    ck_assert_int_eq(refused_state, (6 * 7 - 7) * 5);
}
END_TEST

/* The same, driven by the database's own table: each row works for its roles only. */
START_TEST(test_every_table_row_works_for_its_roles_only)
{
    PGresult *rows = PQexec(db, "SELECT from_status, action, to_status, roles::text, takes_plan "
                                "FROM hazard_transitions ORDER BY 1, 2");
    ck_assert_int_eq(PQresultStatus(rows), PGRES_TUPLES_OK);
    ck_assert_int_gt(PQntuples(rows), 0);
    for (int i = 0; i < PQntuples(rows); i++) {
        const char *from = PQgetvalue(rows, i, 0), *action = PQgetvalue(rows, i, 1);
        char list[128];
        snprintf(list, sizeof list, "%s", PQgetvalue(rows, i, 3) + 1); /* {admin,planner} */
        list[strlen(list) - 1] = '\0';
        bool takes_plan = PQgetvalue(rows, i, 4)[0] == 't';
        for (size_t r = 0; r < 5; r++) {
            long id = hz_hazard(db, "landslide", "orange", NULL, 20, 90);
            hz_force_status(db, id, from);
            char state[6];
            char *to = hz_act(db, id, action, roles[r], takes_plan ? plan : NULL, state);
            if (role_in(list, roles[r])) {
                ck_assert_msg(to != NULL, "%s %s as %s: %s", from, action, roles[r], state);
                ck_assert_str_eq(to, PQgetvalue(rows, i, 2));
            } else {
                ck_assert_msg(to == NULL && !strcmp(state, "HZ003"), "%s %s as %s allowed", from,
                              action, roles[r]);
            }
            free(to);
        }
    }
    PQclear(rows);
}
END_TEST

START_TEST(test_major_hazard_cannot_be_confirmed_without_a_plan)
{
    char state[6], msg[512];
    /* red risk: major, nothing of the plan yet */
    long red = hz_hazard(db, "dangerous_goods", "red", NULL, 30, 0);
    char *to = hz_act(db, red, "confirm", "planner", NULL, state);
    ck_assert_ptr_null(to);
    ck_assert_str_eq(state, "HZ005");
    /* 重大事故隐患 with a plan that lacks the deadline: the message names what is missing */
    long major = hz_hazard(db, "accident", "yellow", "major", 30, 90);
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", major);
    const char *p[] = {ids, "{\"measures\":\"停产整顿\",\"responsible_unit\":\"某化工厂\"}"};
    char *v = hz_sql(db,
                     "SELECT to_status FROM hazard_act($1::bigint, 'confirm', 'tok', 'admin', "
                     "'', NULL, '[]', $2::jsonb)",
                     2, p, state, msg);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(state, "HZ005");
    ck_assert_msg(strstr(msg, "missing: deadline\n") != NULL, "%s", msg);
    const char *q[] = {ids};
    char *status = hz_must(db, "SELECT status FROM hazards WHERE id = $1::bigint", 1, q);
    ck_assert_str_eq(status, "reported");
    free(status);
    /* the whole plan: confirmed, the plan kept on the hazard and in the log */
    to = hz_act(db, major, "confirm", "planner", plan, state);
    ck_assert_ptr_nonnull(to);
    ck_assert_str_eq(to, "confirmed");
    free(to);
    char *kept = hz_must(db,
                         "SELECT rectification_measures || '|' || responsible_unit || '|' || "
                         "deadline FROM hazards WHERE id = $1::bigint",
                         1, q);
    ck_assert_str_eq(kept, "加固边坡|渝水区应急管理局|2026-06-30");
    free(kept);
    char *logged = hz_must(db,
                           "SELECT plan->>'deadline' FROM hazard_actions WHERE hazard_id = "
                           "$1::bigint AND action = 'confirm'",
                           1, q);
    ck_assert_str_eq(logged, "2026-06-30");
    free(logged);
    /* a general hazard needs no plan */
    long general = hz_hazard(db, "accident", "yellow", "general", 30, 180);
    to = hz_act(db, general, "confirm", "planner", NULL, state);
    ck_assert_ptr_nonnull(to);
    free(to);
    /* a major hazard whose plan arrived with the report needs none in the action */
    snprintf(ids, sizeof ids, "%ld", red);
    free(hz_must(db,
                 "UPDATE hazards SET rectification_measures = '搬迁', responsible_unit = '镇政府', "
                 "deadline = '2026-09-01' WHERE id = $1::bigint",
                 1, q));
    to = hz_act(db, red, "confirm", "planner", NULL, state);
    ck_assert_msg(to != NULL, "%s", state);
    free(to);
}
END_TEST

START_TEST(test_plan_errors_are_refused)
{
    char state[6];
    long id = hz_hazard(db, "collapse", "orange", NULL, 40, 0);
    char *to = hz_act(db, id, "confirm", "planner", "{\"deadline\":\"next friday\"}", state);
    ck_assert_ptr_null(to);
    ck_assert_str_eq(state, "HZ006");
    to = hz_act(db, id, "confirm", "planner", "{\"deadline\":\"2025-12-31\"}", state);
    ck_assert_ptr_null(to); /* before found_on 2026-01-01 */
    ck_assert_str_eq(state, "HZ006");
    hz_force_status(db, id, "rectified");
    to = hz_act(db, id, "verify", "planner", plan, state);
    ck_assert_ptr_null(to); /* verification takes no plan */
    ck_assert_str_eq(state, "HZ006");
}
END_TEST

START_TEST(test_status_changes_only_through_actions)
{
    long id = hz_hazard(db, "flood", "blue", NULL, 50, 0);
    char ids[32], state[6];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    char *v =
        hz_sql(db, "UPDATE hazards SET status = 'closed' WHERE id = $1::bigint", 1, p, state, NULL);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(state, "HZ008");
    /* other columns stay editable, and an action right after still works */
    free(hz_must(db, "UPDATE hazards SET name = 'renamed' WHERE id = $1::bigint", 1, p));
    char *to = hz_act(db, id, "confirm", "admin", NULL, state);
    ck_assert_str_eq(to, "confirmed");
    free(to);
    /* the permission does not outlive the action inside one transaction */
    free(hz_must(db, "BEGIN", 0, NULL));
    free(hz_must(db, "SELECT hazard_act($1::bigint, 'start_rectification', 't', 'admin', '')", 1,
                 p));
    v = hz_sql(db, "UPDATE hazards SET status = 'closed' WHERE id = $1::bigint", 1, p, state, NULL);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(state, "HZ008");
    free(hz_must(db, "ROLLBACK", 0, NULL));
}
END_TEST

START_TEST(test_scope_unknown_action_and_missing_hazard)
{
    long id = hz_hazard(db, "fire", "yellow", NULL, 60, 0);
    char ids[32], state[6];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids, "3606"};
    ck_assert_ptr_null(hz_sql(db, "SELECT hazard_act($1::bigint, 'confirm', 't', 'admin', $2)", 2,
                              p, state, NULL));
    ck_assert_str_eq(state, "HZ004");
    p[1] = "360502";
    free(hz_must(db, "SELECT hazard_act($1::bigint, 'confirm', 't', 'planner', $2)", 2, p));
    char *to = hz_act(db, id, "demolish", "admin", NULL, state);
    ck_assert_ptr_null(to);
    ck_assert_str_eq(state, "HZ001");
    to = hz_act(db, 999999999, "confirm", "admin", NULL, state);
    ck_assert_ptr_null(to);
    ck_assert_str_eq(state, "HZ007");
}
END_TEST

START_TEST(test_full_path_is_logged_with_who_when_note_and_photos)
{
    long id = hz_hazard(db, "landslide", "orange", NULL, 70, 0);
    const char *path[] = {"confirm",
                          "start_rectification",
                          "complete_rectification",
                          "return_for_rectification",
                          "complete_rectification",
                          "verify"};
    char state[6];
    for (size_t i = 0; i < 6; i++) {
        char *to = hz_act(db, id, path[i], i == 5 ? "admin" : "planner", NULL, state);
        ck_assert_msg(to != NULL, "%s: %s", path[i], state);
        free(to);
    }
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    char *log = hz_must(db,
                        "SELECT string_agg(action || ':' || coalesce(from_status, '-') || '>' || "
                        "to_status, ' ' ORDER BY id) FROM hazard_actions WHERE hazard_id = "
                        "$1::bigint",
                        1, p);
    ck_assert_str_eq(log, "report:->reported confirm:reported>confirmed "
                          "start_rectification:confirmed>rectifying "
                          "complete_rectification:rectifying>rectified "
                          "return_for_rectification:rectified>rectifying "
                          "complete_rectification:rectifying>rectified verify:rectified>closed");
    free(log);
    char *who =
        hz_must(db,
                "SELECT actor || '|' || role || '|' || note || '|' || (photos->>0) || '|' || "
                "(at IS NOT NULL) FROM hazard_actions WHERE hazard_id = $1::bigint AND "
                "action = 'verify'",
                1, p);
    ck_assert_str_eq(who, "tok-test|admin|test note|photo/1.jpg|true");
    free(who);
    /* the edit history names the token, not the database user */
    char *hist = hz_must(db,
                         "SELECT actor FROM edit_history WHERE collection = 'hazards' AND "
                         "feature_id = $1::bigint ORDER BY id DESC LIMIT 1",
                         1, p);
    ck_assert_str_eq(hist, "tok-test");
    free(hist);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hazard_lifecycle");
    TCase *tc = tcase_create("sql");
    tcase_add_unchecked_fixture(tc, setup_db, teardown_db);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_transition_table_is_the_issues_lifecycle);
    tcase_add_test(tc, test_every_combination_allowed_or_refused_as_the_issue_says);
    tcase_add_test(tc, test_every_table_row_works_for_its_roles_only);
    tcase_add_test(tc, test_major_hazard_cannot_be_confirmed_without_a_plan);
    tcase_add_test(tc, test_plan_errors_are_refused);
    tcase_add_test(tc, test_status_changes_only_through_actions);
    tcase_add_test(tc, test_scope_unknown_action_and_missing_hazard);
    tcase_add_test(tc, test_full_path_is_logged_with_who_when_note_and_photos);
    suite_add_tcase(s, tc);
    return th_run(s);
}
