/* The analysis on the demo county (pingan demo): every fault planted in demo_planted is found
 * under its reason code, nothing else of those kinds is reported there, and the findings of
 * other kinds are the planted faults' own consequences. The demo is loaded once for the case. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;

static void load_demo(void)
{
    th_db_create("covdemo");
    char *out = NULL;
    const char *args[] = {"demo", NULL};
    int rc = th_pingan(&out, args);
    ck_assert_msg(rc == 0, "pingan demo failed (%d): %s", rc, out ? out : "");
    free(out);
}

static void drop_demo(void)
{
    th_db_drop();
}

static void setup(void)
{
    conn = th_db_connect();
    char *n = th_db_value(conn, "SELECT ana_refresh('360502')");
    free(n);
}

static void teardown(void)
{
    PQfinish(conn);
}

static void assert_val(const char *sql, const char *want)
{
    char *got = th_db_value(conn, sql);
    ck_assert_msg(strcmp(got ? got : "", want) == 0, "%s\n  got  '%s'\n  want '%s'", sql,
                  got ? got : "", want);
    free(got);
}

/* Each planted kind and the reason code the analysis gives it; the findings as (reason, ref)
 * with ref spelled as demo_planted spells it (village code, grid codes a/b sorted, grid code,
 * key-place or hazard code). */
#define PLANTED_AND_FOUND                                                                          \
    "WITH kinds(kind, reason) AS (VALUES ('village_gap', 'gap'), ('overlapping_grids', "           \
    "'overlap'), ('overfull_grid', 'grid_households_over'), ('school_without_dedicated_grid', "    \
    "'place_no_dedicated_grid'), ('school_without_video', 'school_no_video'), "                    \
    "('school_without_alarm', 'school_no_alarm'), ('community_grid_without_full_time_worker', "    \
    "'community_grid_no_fulltime'), ('grid_without_worker', 'grid_no_worker'), "                   \
    "('hazard_past_deadline', 'hazard_major_overdue')), "                                          \
    "planted AS (SELECT DISTINCT k.reason, CASE WHEN p.kind = 'overlapping_grids' THEN "           \
    " least(split_part(p.ref, '/', 1), split_part(p.ref, '/', 2)) || '/' || "                      \
    " greatest(split_part(p.ref, '/', 1), split_part(p.ref, '/', 2)) ELSE p.ref END AS ref "       \
    " FROM demo_planted p JOIN kinds k ON k.kind = p.kind WHERE p.ref LIKE '%360502%'), "          \
    "found AS (SELECT DISTINCT f.reason, CASE WHEN f.reason LIKE 'gap%' THEN f.village_code "      \
    " WHEN f.reason LIKE 'overlap%' THEN least(f.detail->>'grid_a_code', "                         \
    " f.detail->>'grid_b_code') || '/' || greatest(f.detail->>'grid_a_code', "                     \
    " f.detail->>'grid_b_code') "                                                                  \
    " WHEN f.place_id IS NOT NULL THEN (SELECT code FROM key_places WHERE id = f.place_id) "       \
    " WHEN f.hazard_id IS NOT NULL THEN (SELECT code FROM hazards WHERE id = f.hazard_id) "        \
    " WHEN f.worker_id IS NOT NULL THEN 'worker ' || f.worker_id "                                 \
    " ELSE f.grid_code END AS ref, f.detail FROM analysis_findings f "                             \
    " WHERE f.village_code LIKE '360502%') "

/* The reason codes of the planted kinds and of their families (slivers, the other side of a
 * bound, things the demo keeps clean everywhere): the demo county must show none of these
 * beyond the planted ones. */
#define KINDS_CHECKED                                                                              \
    "('gap', 'gap_sliver', 'overlap', 'overlap_sliver', 'grid_outside_village', "                  \
    "'grid_outside_village_sliver', 'place_outside_grid', 'hazard_outside_grid', "                 \
    "'grid_households_over', 'grid_households_under', 'place_no_dedicated_grid', "                 \
    "'school_no_video', 'school_no_alarm', 'community_grid_no_fulltime', 'grid_no_worker', "       \
    "'hazard_major_overdue')"

START_TEST(test_demo_every_planted_fault_found_with_its_reason)
{
    /* the demo planted something of every kind, and the analysis ran over the county */
    assert_val("SELECT count(DISTINCT kind) >= 9 FROM demo_planted", "t");
    assert_val("SELECT count(*) > 300 FROM coverage_village WHERE village_code LIKE '360502%'",
               "t");
    assert_val(PLANTED_AND_FOUND
               "SELECT coalesce(string_agg(reason || ' ' || ref, ', ' ORDER BY reason, ref), '') "
               "FROM (SELECT reason, ref FROM planted EXCEPT SELECT reason, ref FROM found) m",
               "");
}
END_TEST

START_TEST(test_demo_nothing_else_of_those_kinds)
{
    assert_val(PLANTED_AND_FOUND
               "SELECT coalesce(string_agg(reason || ' ' || ref, ', ' ORDER BY reason, ref), '') "
               "FROM (SELECT reason, ref FROM found WHERE reason IN " KINDS_CHECKED
               " EXCEPT SELECT reason, ref FROM planted) x",
               "");
    /* one gap polygon per planted hole, one overlap per planted pair */
    assert_val("SELECT count(*) = (SELECT count(*) FROM demo_planted WHERE kind = 'village_gap') "
               "FROM coverage_gaps WHERE village_code LIKE '360502%'",
               "t");
    assert_val("SELECT count(*) = (SELECT count(*) FROM demo_planted WHERE kind = "
               "'overlapping_grids') FROM coverage_overlaps WHERE village_code LIKE '360502%'",
               "t");
}
END_TEST

START_TEST(test_demo_other_findings_follow_from_planted_faults)
{
    /* a key place out of every camera's sight: only the school planted without video (the
     * demo puts no camera on it) */
    assert_val(PLANTED_AND_FOUND "SELECT coalesce(string_agg(ref, ','), '') FROM found "
                                 "WHERE reason = 'place_no_camera' AND ref NOT IN (SELECT ref FROM "
                                 "demo_planted WHERE kind = 'school_without_video')",
               "");
    /* a hazard in grids with no worker: every grid it lies in is one planted without a worker */
    assert_val(
        "SELECT count(*) FROM coverage_findings f, jsonb_array_elements_text(f.detail->'grids') "
        "g WHERE f.reason = 'hazard_grid_no_worker' AND f.village_code LIKE '360502%' AND "
        "g NOT IN (SELECT ref FROM demo_planted WHERE kind = 'grid_without_worker')",
        "0");
    /* a worker over the household limit: only the over-full grid's, and no other load */
    assert_val("SELECT coalesce(string_agg(DISTINCT reason || ' ' || grid_code, ','), '') FROM "
               "staffing_findings WHERE village_code LIKE '360502%' AND reason LIKE 'worker_over%' "
               "AND NOT (reason = 'worker_over_households' AND grid_code IN (SELECT ref FROM "
               "demo_planted WHERE kind = 'overfull_grid'))",
               "");
    /* and no reason code outside the ones accounted for above */
    assert_val("SELECT coalesce(string_agg(DISTINCT reason, ','), '') FROM analysis_findings "
               "WHERE village_code LIKE '360502%' AND reason NOT IN " KINDS_CHECKED
               " AND reason NOT IN ('place_no_camera', 'hazard_grid_no_worker', "
               "'worker_over_households', 'worker_over_grids', 'worker_over_hazards')",
               "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("coverage_demo");
    TCase *tc = tcase_create("demo");
    tcase_set_timeout(tc, 1200);
    tcase_add_unchecked_fixture(tc, load_demo, drop_demo);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_demo_every_planted_fault_found_with_its_reason);
    tcase_add_test(tc, test_demo_nothing_else_of_those_kinds);
    tcase_add_test(tc, test_demo_other_findings_follow_from_planted_faults);
    suite_add_tcase(s, tc);
    return th_run(s);
}
