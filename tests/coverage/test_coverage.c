/* The coverage and staffing analysis on a hand-built fixture whose answers are known exactly
 * (tests/coverage/fixture.sql): gap, sliver, overlap and outside areas to 1 m², key places,
 * cameras, hazards and staffing by reason code; the incremental update after an edit equals a
 * full recompute; the reports over HTTP (JSON, CSV for Excel, scorecard) and the CLI; the
 * server's background drainer. */
#include "core.h"
#include "db.h"
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static PGconn *conn;

static void run_sql(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQerrorMessage(conn));
    PQclear(r);
}

static void setup(void)
{
    th_db_create("coverage");
    conn = th_db_connect();
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/coverage/fixture.sql", PINGAN_SOURCE_DIR);
    char *sql = core_read_file(path, NULL, NULL);
    ck_assert_ptr_nonnull(sql);
    run_sql(sql);
    free(sql);
}

static void teardown(void)
{
    PQfinish(conn);
    th_db_drop();
}

/* The first value of a query as a string; "" for NULL. Caller frees. */
static char *val(const char *sql)
{
    char *v = th_db_value(conn, sql);
    return v ? v : strdup("");
}

static void assert_val(const char *sql, const char *want)
{
    char *got = val(sql);
    ck_assert_msg(strcmp(got, want) == 0, "%s\n  got  '%s'\n  want '%s'", sql, got, want);
    free(got);
}

static double num(const char *sql)
{
    char *v = val(sql);
    double d = strtod(v, NULL);
    free(v);
    return d;
}

#define ASSERT_M2(sql, want)                                                                       \
    do {                                                                                           \
        double got_ = num(sql);                                                                    \
        ck_assert_msg(fabs(got_ - (want)) <= 1.0, "%s = %.3f, want %.3f ± 1 m²", sql, got_,        \
                      (double)(want));                                                             \
    } while (0)

/* The ids a reason was reported for, sorted, comma-separated. */
static void assert_ids(const char *reason, const char *column, const char *want)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(string_agg(%s::text, ',' ORDER BY %s), '') FROM analysis_findings "
             "WHERE reason = '%s'",
             column, column, reason);
    assert_val(sql, want);
}

/* Everything stored for the fixture's village, as one canonical text. */
static char *snapshot(void)
{
    return val(
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
        " SELECT reason || '|' || coalesce(grid_code, '') || '|' || coalesce(place_id, 0) ||"
        "  '|' || coalesce(hazard_id, 0) || '|' || coalesce(worker_id, 0) || '|' ||"
        "  coalesce(round(area_m2::numeric, 3)::text, '') || '|' || coalesce(value, 0) ||"
        "  '|' || ST_AsText(ST_SnapToGrid(geom, 1e-9)) AS x FROM analysis_findings"
        " UNION ALL SELECT to_jsonb(v)::text FROM (SELECT village_code, gap_m2::numeric(12,3),"
        "  overlap_m2::numeric(12,3), outside_m2::numeric(12,3), gap_count, overlap_count,"
        "  community_staffed, places_with_dedicated, hazards_on_time, reasons"
        "  FROM coverage_village) v) s");
}

START_TEST(test_fixture_gaps_overlaps_outside_to_the_square_metre)
{
    run_sql("SELECT ana_refresh('')");
    assert_val("SELECT count(*) FROM coverage_gaps WHERE reason = 'gap'", "1");
    ASSERT_M2("SELECT area_m2 FROM coverage_gaps WHERE reason = 'gap'", 50000);
    assert_val("SELECT count(*) FROM coverage_gaps WHERE reason = 'gap_sliver'", "1");
    ASSERT_M2("SELECT area_m2 FROM coverage_gaps WHERE reason = 'gap_sliver'", 25);
    assert_val("SELECT grid_a || '-' || grid_b || ' ' || reason FROM coverage_overlaps",
               "1-2 overlap");
    ASSERT_M2("SELECT area_m2 FROM coverage_overlaps", 12000);
    assert_ids("grid_outside_village", "grid_code", "360502001001002");
    ASSERT_M2("SELECT area_m2 FROM coverage_findings WHERE reason = 'grid_outside_village'", 6000);
    assert_val("SELECT count(*) FROM analysis_findings WHERE reason LIKE '%sliver' AND reason <> "
               "'gap_sliver'",
               "0");
    ASSERT_M2("SELECT area_m2 FROM coverage_village", 1000000);
    ASSERT_M2("SELECT covered_m2 FROM coverage_village", 1000000 - 50000 - 25);
    assert_val(
        "SELECT gap_count || '/' || gap_sliver_count || '/' || overlap_count FROM coverage_village",
        "1/1/1");
}
END_TEST

START_TEST(test_fixture_key_places_cameras_and_hazards)
{
    run_sql("SELECT ana_refresh('')");
    assert_ids("place_outside_grid", "place_id", "3");
    assert_ids("place_no_dedicated_grid", "place_id", "2,3,4,5,6");
    assert_ids("school_no_video", "place_id", "2");
    assert_ids("school_no_alarm", "place_id", "");
    /* H1 103 m ahead of a 100 m camera: just missed; H3 outside the 60° view; H2 seen. */
    assert_ids("place_no_camera", "place_id", "2,3,4,6");
    assert_ids("hazard_outside_grid", "hazard_id", "1");
    assert_ids("hazard_major_overdue", "hazard_id", "1");
    assert_ids("hazard_grid_no_worker", "hazard_id", "2");
    assert_val(
        "SELECT places_need_dedicated || '/' || places_with_dedicated || ' ' || hazards_due || '/' "
        "|| hazards_on_time FROM coverage_village",
        "6/1 2/1");
}
END_TEST

START_TEST(test_fixture_staffing_findings)
{
    run_sql("SELECT ana_refresh('')");
    assert_ids("community_grid_no_fulltime", "grid_code", "360502001001002,360502001001003");
    assert_ids("grid_no_worker", "grid_code", "");
    assert_ids("grid_households_over", "grid_code", "360502001001001");
    assert_val("SELECT value || ' ' || bound || ' ' || suggestion FROM staffing_findings WHERE "
               "reason = 'grid_households_over'",
               "600 500 拆分为 2 个网格");
    assert_ids("grid_households_under", "grid_code", "360502001001003");
    assert_val("SELECT worker_id || ':' || value FROM staffing_findings WHERE reason = "
               "'worker_over_households'",
               "3:1000");
    assert_ids("worker_over_grids", "worker_id", "");
    assert_val(
        "SELECT fulltime_required || '/' || fulltime_actual || '/' || community_staffed FROM "
        "coverage_village",
        "3/1/1");
    /* every finding has a location */
    assert_val("SELECT count(*) FROM analysis_findings WHERE geom IS NULL OR ST_IsEmpty(geom)",
               "0");
    /* a threshold is a row: a 4th grid for W3 is now over a limit of 2 */
    run_sql("UPDATE analysis_settings SET value = '2' WHERE name = 'worker_max_grids'");
    run_sql("SELECT ana_refresh('')");
    assert_ids("worker_over_grids", "worker_id", "3");
}
END_TEST

START_TEST(test_edit_marks_one_village_and_incremental_equals_full)
{
    run_sql("SELECT ana_refresh('')");
    assert_val("SELECT count(*) FROM coverage_dirty", "0");
    /* grid C grows over the gap; W1 takes C (full-time) */
    run_sql("UPDATE grids SET geom = ST_Multi(ST_Transform(ST_Segmentize(ST_MakeEnvelope(500500, "
            "3100600, 501000, 3101000, 4547), 10), 4490)) WHERE id = 3");
    run_sql("INSERT INTO grid_assignments (grid_id, worker_id) VALUES (3, 1)");
    assert_val("SELECT string_agg(village_code, ',') FROM coverage_dirty", "360502001001");
    run_sql("SELECT ana_refresh('')");
    assert_val("SELECT count(*) FROM coverage_gaps WHERE reason = 'gap'", "0");
    assert_ids("place_outside_grid", "place_id", "");
    assert_ids("community_grid_no_fulltime", "grid_code", "360502001001002");
    char *incremental = snapshot();
    run_sql("SELECT ana_recompute(ARRAY['360502001001'])");
    char *full = snapshot();
    ck_assert_str_eq(incremental, full);
    free(incremental);
    free(full);
    /* a bulk statement marks each village once */
    run_sql("INSERT INTO grids (code, name, kind, village_code, unit_type, geom) SELECT "
            "'360502001001' || (900 + i), 'bulk', 'dedicated', '360502001001', 'other', geom FROM "
            "grids, generate_series(1, 3) i WHERE id = 4");
    assert_val("SELECT count(*) FROM coverage_dirty", "1");
    /* roll-ups follow */
    run_sql("SELECT ana_refresh('')");
    assert_val("SELECT grids_dedicated FROM coverage_rollup WHERE code = '360000000000'", "4");
}
END_TEST

static json_t *json_body(const th_response *r)
{
    json_error_t e;
    json_t *doc = json_loads(r->body, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %.200s", r->body);
    return doc;
}

START_TEST(test_reports_over_http_json_csv_scorecard)
{
    th_server s;
    const char *sets[] = {"analysis_worker=false", NULL};
    th_server_start(&s, sets);
    /* nobody refreshed: the report does it on read */
    th_response r = th_http(&s, "GET", "/reports/coverage?jurisdiction=360502000000", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = json_body(&r);
    json_t *sum = json_object_get(doc, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "gap_count")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "overlap_count")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "findings")), 18);
    json_decref(doc);
    th_response_free(&r);

    /* CSV for Excel: BOM, Chinese headers, CRLF, quoting */
    run_sql("UPDATE grids SET name = 'B, \"大\"' WHERE id = 2");
    r = th_http(&s, "GET", "/reports/staffing?jurisdiction=360502001000&f=csv", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char ct[128];
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_ptr_nonnull(strstr(ct, "text/csv"));
    ck_assert_int_eq(
        memcmp(r.body, "\xEF\xBB\xBF原因代码,问题,", strlen("\xEF\xBB\xBF原因代码,问题,")), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "纬度\r\n"));
    ck_assert_ptr_nonnull(strstr(r.body, ",\"B, \"\"大\"\"\","));
    ck_assert_ptr_nonnull(strstr(r.body, "基层治理网格未配专职网格员"));
    size_t lf = 0, crlf = 0;
    for (size_t i = 0; i < r.len; i++)
        if (r.body[i] == '\n') {
            lf++;
            crlf += i > 0 && r.body[i - 1] == '\r';
        }
    ck_assert_uint_eq(lf, crlf);
    ck_assert_uint_eq(lf, 1 + 5); /* header + 5 staffing findings */
    th_response_free(&r);

    r = th_http(&s, "GET", "/reports/scorecard?jurisdiction=360502000000&level=township", NULL,
                NULL);
    ck_assert_int_eq(r.status, 200);
    doc = json_body(&r);
    json_t *rows = json_object_get(doc, "rows");
    ck_assert_int_eq(json_array_size(rows), 1);
    json_t *t = json_array_get(rows, 0);
    ck_assert_str_eq(json_string_value(json_object_get(t, "code")), "360502001000");
    ck_assert_int_eq(json_integer_value(json_object_get(t, "grids_community")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "community_staffed")), 1);
    ck_assert(fabs(json_number_value(json_object_get(t, "community_staffed_pct")) - 33.33) < 1e-9);
    ck_assert(fabs(json_number_value(json_object_get(t, "dedicated_pct")) - 16.67) < 1e-9);
    ck_assert(fabs(json_number_value(json_object_get(t, "on_time_pct")) - 50) < 1e-9);
    ck_assert(fabs(json_number_value(json_object_get(t, "coverage_pct")) - 94.9975) < 0.001);
    json_t *total = json_object_get(doc, "total");
    ck_assert_str_eq(json_string_value(json_object_get(total, "code")), "360502000000");
    json_decref(doc);
    th_response_free(&r);

    r = th_http(&s, "GET", "/reports/scorecard?jurisdiction=360502000000&level=township&f=csv",
                NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\r\n360502001000,城南街道,township,"));
    th_response_free(&r);

    /* the same results as OGC collections and as tile layers */
    r = th_http(&s, "GET", "/collections/coverage_gaps/items?reason=gap", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    doc = json_body(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberMatched")), 1);
    json_decref(doc);
    th_response_free(&r);
    r = th_http(&s, "GET", "/collections/staffing_findings/items", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    doc = json_body(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberMatched")), 5);
    json_decref(doc);
    th_response_free(&r);
    r = th_http(&s, "GET",
                "/tiles/coverage_gaps,coverage_overlaps,staffing_findings/14/13380/6862.mvt", NULL,
                NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(memmem(r.body, r.len, "coverage_gaps", 13));
    ck_assert_ptr_nonnull(memmem(r.body, r.len, "staffing_findings", 17));
    th_response_free(&r);

    r = th_http(&s, "GET", "/reports/coverage?jurisdiction=369999999999", NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
    r = th_http(&s, "GET", "/reports/coverage", NULL, NULL);
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
    r = th_http(&s, "GET", "/reports/coverage?jurisdiction=360502000000&f=xml", NULL, NULL);
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
    th_server_stop(&s);
}
END_TEST

START_TEST(test_server_drains_the_queue_in_the_background)
{
    th_server s;
    th_server_start(&s, NULL);
    bool drained = false;
    for (int i = 0; i < 100 && !drained; i++) {
        char *n = val("SELECT count(*) FROM coverage_dirty");
        drained = strcmp(n, "0") == 0;
        free(n);
        if (!drained)
            usleep(100 * 1000);
    }
    ck_assert_msg(drained, "the server did not drain coverage_dirty within 10 s");
    assert_val("SELECT gap_count FROM coverage_village", "1");
    run_sql("DELETE FROM grids WHERE id = 3");
    drained = false;
    for (int i = 0; i < 100 && !drained; i++) {
        char *n = val("SELECT gap_count || '/' || (SELECT count(*) FROM coverage_dirty) FROM "
                      "coverage_village");
        drained = strcmp(n, "1/0") == 0 && num("SELECT gap_m2 FROM coverage_village") > 200000;
        free(n);
        if (!drained)
            usleep(100 * 1000);
    }
    ck_assert_msg(drained, "deleting grid C was not recomputed in the background");
    th_server_stop(&s);
}
END_TEST

START_TEST(test_cli_report_formats)
{
    char *out = NULL;
    const char *help[] = {"report", "--help", NULL};
    ck_assert_int_eq(th_pingan(&out, help), 0);
    ck_assert_ptr_nonnull(strstr(out, "--jurisdiction"));
    free(out);
    const char *json[] = {"report", "coverage", "--jurisdiction", "360502001001", "--format",
                          "json",   NULL};
    ck_assert_int_eq(th_pingan(&out, json), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"gap_count\": 1"));
    free(out);
    const char *csv[] = {"report", "scorecard", "--jurisdiction", "360500000000", "--format",
                         "csv",    NULL};
    ck_assert_int_eq(th_pingan(&out, csv), 0);
    ck_assert_ptr_nonnull(strstr(out, "\xEF\xBB\xBF区划代码,名称"));
    ck_assert_ptr_nonnull(strstr(out, "\r\n360502000000,渝水区,county,"));
    free(out);
    const char *bad[] = {"report", "coverage", "--jurisdiction", "12", NULL};
    ck_assert_int_ne(th_pingan(&out, bad), 0);
    free(out);
    const char *all[] = {"report", "refresh", "--all", NULL};
    ck_assert_int_eq(th_pingan(&out, all), 0);
    free(out);
    assert_val("SELECT count(*) FROM coverage_village", "1");
}
END_TEST

/* Thirty copies of the fixture's village side by side (2 km apart, in other villages of the
 * county), a worker with grids in two of them, and two polygon places by camera 2: one its
 * sector reaches, one 2 m beyond its range. */
static void fixture_thirty_villages(void)
{
    run_sql(
        "CREATE TEMP TABLE vmap AS SELECT row_number() OVER (ORDER BY code) AS k, code FROM "
        "jurisdictions WHERE level = 'village' AND code LIKE '360502%' AND code <> "
        "'360502001001' ORDER BY code LIMIT 29;"
        "CREATE FUNCTION pg_temp.mv(g geometry, k bigint) RETURNS geometry LANGUAGE sql AS $$ "
        " SELECT ST_Transform(ST_Translate(ST_Transform(g, 4547), 2000 * k, 0), 4490) $$;"
        "INSERT INTO key_places (id, name, category, village_code, has_video, has_alarm, geom) "
        "SELECT i, n, 'hospital', '360502001001', true, true, ST_Transform(ST_MakeEnvelope("
        " 500290, 3100000 + y0, 500310, 3100000 + y1, 4547), 4490) FROM (VALUES (8, 'H4 seen', "
        " 590, 610), (9, 'H5 missed', 602, 620)) v(i, n, y0, y1);"
        "UPDATE jurisdictions j SET geom = pg_temp.mv(o.geom, m.k) FROM vmap m, jurisdictions o "
        "WHERE j.code = m.code AND o.code = '360502001001';"
        "INSERT INTO grids (code, name, kind, village_code, unit_type, households, geom) "
        "SELECT m.code || right(g.code, 3), g.name, g.kind, m.code, g.unit_type, g.households, "
        "ST_Multi(pg_temp.mv(g.geom, m.k)) FROM grids g, vmap m;"
        "INSERT INTO population_units (kind, households, village_code, geom) SELECT u.kind, "
        "u.households, m.code, pg_temp.mv(u.geom, m.k) FROM population_units u, vmap m;"
        "INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom) "
        "SELECT p.name, p.category, m.code, p.has_video, p.has_alarm, pg_temp.mv(p.geom, m.k) "
        "FROM key_places p, vmap m;"
        "INSERT INTO cameras (name, village_code, direction_deg, fov_deg, range_m, geom) SELECT "
        "c.name, m.code, c.direction_deg, c.fov_deg, c.range_m, pg_temp.mv(c.geom, m.k) FROM "
        "cameras c, vmap m;"
        "INSERT INTO hazards (name, category, risk_grade, accident_grade, status, found_on, "
        "deadline, village_code, geom) SELECT h.name, h.category, h.risk_grade, "
        "h.accident_grade, h.status, h.found_on, h.deadline, m.code, pg_temp.mv(h.geom, m.k) "
        "FROM hazards h, vmap m;"
        "INSERT INTO grid_workers (name, employment, jurisdiction_code) SELECT w.name || '-' || "
        "m.k, w.employment, m.code FROM grid_workers w, vmap m;"
        "INSERT INTO grid_assignments (grid_id, worker_id) SELECT g2.id, w2.id FROM "
        "grid_assignments a JOIN grids g ON g.id = a.grid_id JOIN grid_workers w ON w.id = "
        "a.worker_id CROSS JOIN vmap m JOIN grids g2 ON g2.code = m.code || right(g.code, 3) "
        "JOIN grid_workers w2 ON w2.name = w.name || '-' || m.k;"
        /* W1 also takes grid C of the first copy: a load spanning two villages */
        "INSERT INTO grid_assignments (grid_id, worker_id) SELECT g.id, 1 FROM grids g, vmap m "
        "WHERE m.k = 1 AND g.code = m.code || '003';");
}

/* Everything stored, by village, as one canonical text (no finding ids, no times). Areas to
 * 0.001 m²: sums of the same areas in another order (batches finish in any order) may differ
 * in the last bit. */
static char *snapshot_all(void)
{
    return val(
        "CREATE OR REPLACE FUNCTION pg_temp.canon(j jsonb) RETURNS text LANGUAGE sql AS $$"
        " SELECT string_agg(key || '=' || CASE WHEN jsonb_typeof(value) = 'number'"
        "  THEN round(value::numeric, 3)::text ELSE value::text END, ',' ORDER BY key)"
        " FROM jsonb_each(j - 'computed_at') $$;"
        "SELECT md5(string_agg(x, E'\\n' ORDER BY x)) || ' ' || count(*) FROM ("
        " SELECT village_code || '|' || reason || '|' || coalesce(grid_code, '') || '|' ||"
        "  coalesce(place_id, 0) || '|' || coalesce(hazard_id, 0) || '|' || coalesce(worker_id, "
        "  0) || '|' || coalesce(round(area_m2::numeric, 6)::text, '') || '|' || coalesce(value, "
        "  0) || '|' || detail::text || '|' || ST_AsText(ST_SnapToGrid(geom, 1e-10)) AS x"
        "  FROM analysis_findings"
        " UNION ALL SELECT pg_temp.canon(to_jsonb(v)) FROM coverage_village v"
        " UNION ALL SELECT pg_temp.canon(to_jsonb(r)) FROM coverage_rollup r) s");
}

START_TEST(test_full_recompute_in_batches_equals_village_by_village)
{
    fixture_thirty_villages();
    char *out = NULL;
    const char *all[] = {"report", "refresh", "--all", "--jobs", "2", NULL};
    ck_assert_int_eq(th_pingan(&out, all), 0);
    free(out);
    assert_val("SELECT count(*) FROM coverage_village", "30");
    assert_val("SELECT count(*) FROM coverage_dirty", "0");
    /* the polygon by camera 2 that its sector reaches is seen, the one 2 m beyond is not */
    assert_val("SELECT string_agg(DISTINCT subject, ',') FROM coverage_findings WHERE reason = "
               "'place_no_camera' AND subject IN ('H4 seen', 'H5 missed')",
               "H5 missed");
    assert_val("SELECT count(*) FROM coverage_findings WHERE reason = 'place_no_camera' AND "
               "subject = 'H5 missed'",
               "30");
    /* W1's second grid lies in another village: over no limit, but counted there */
    assert_val("SELECT count(*) FROM staffing_findings WHERE reason = 'community_grid_no_fulltime'",
               "59");
    char *batched = snapshot_all();
    run_sql("DO $$ DECLARE c text; BEGIN FOR c IN SELECT village_code FROM coverage_village "
            "ORDER BY 1 LOOP PERFORM ana_recompute(ARRAY[c]); END LOOP; PERFORM "
            "ana_rollup(ARRAY(SELECT village_code FROM coverage_village)); END $$");
    char *one_by_one = snapshot_all();
    ck_assert_str_eq(batched, one_by_one);
    free(batched);
    free(one_by_one);
}
END_TEST

/* Population units mark the villages of the grids holding them: exactly for a few, by the
 * grids meeting each 0.05° cell's extent for an import-sized statement (migration 015). */
START_TEST(test_population_units_mark_their_grids_villages_few_and_many)
{
    run_sql("SELECT ana_refresh('')");
    assert_val("SELECT count(*) FROM coverage_dirty", "0");
    run_sql("INSERT INTO population_units (kind, households, geom) SELECT 'building', 1, "
            "ST_PointOnSurface(geom) FROM grids WHERE id = 1");
    assert_val("SELECT string_agg(village_code, ',') FROM coverage_dirty", "360502001001");
    run_sql("SELECT ana_refresh('')");
    /* 10,001 units in one statement, in grid A */
    run_sql("INSERT INTO population_units (kind, households, geom) SELECT 'building', 7, "
            "ST_PointOnSurface(g.geom) FROM grids g, generate_series(1, 10001) WHERE g.id = 1");
    assert_val("SELECT string_agg(village_code, ',') FROM coverage_dirty", "360502001001");
    run_sql("SELECT ana_refresh('')");
    /* as many far from any grid mark nothing */
    run_sql("INSERT INTO population_units (kind, households, geom) SELECT 'building', 8, "
            "ST_SetSRID(ST_MakePoint(116.5, 29.5), 4490) FROM generate_series(1, 10001)");
    assert_val("SELECT count(*) FROM coverage_dirty", "0");
    /* deleting the ones in grid A marks its village again */
    run_sql("DELETE FROM population_units WHERE households = 7");
    assert_val("SELECT string_agg(village_code, ',') FROM coverage_dirty", "360502001001");
    run_sql("DELETE FROM population_units WHERE households IN (1, 8)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("coverage");
    TCase *tc = tcase_create("analysis");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixture_gaps_overlaps_outside_to_the_square_metre);
    tcase_add_test(tc, test_fixture_key_places_cameras_and_hazards);
    tcase_add_test(tc, test_fixture_staffing_findings);
    tcase_add_test(tc, test_edit_marks_one_village_and_incremental_equals_full);
    tcase_add_test(tc, test_reports_over_http_json_csv_scorecard);
    tcase_add_test(tc, test_server_drains_the_queue_in_the_background);
    tcase_add_test(tc, test_cli_report_formats);
    tcase_add_test(tc, test_full_recompute_in_batches_equals_village_by_village);
    tcase_add_test(tc, test_population_units_mark_their_grids_villages_few_and_many);
    suite_add_tcase(s, tc);
    return th_run(s);
}
