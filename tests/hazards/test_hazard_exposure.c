/* Exposure on fixtures with known answers, placed by geodesic distance and bearing from one
 * landslide (buffer 200 m): households inside the buffer, a school 4 m inside and one 4 m
 * outside the zone, cameras whose sector sees or misses it, grids and workers, school safety
 * zones, the ranked report (JSON and CSV), and zones kept current by trigger. */
#include "harness.h"
#include "hz_util.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;
static long hazard; /* the landslide at HZ_LON/HZ_LAT, red (major), default 200 m buffer */

#define AT(m, b)                                                                                   \
    "ST_Project(ST_SetSRID(ST_MakePoint(114.93, 27.81), 4490)::geography, " #m ", radians(" #b     \
    "))::geometry"
/* a square of metres east (x) and north (y) of the origin, near enough for grids */
#define BOX(x0, y0, x1, y1)                                                                        \
    "ST_Multi(ST_MakeEnvelope(114.93 + " #x0 " / 98486.0, 27.81 + " #y0                            \
    " / 110766.0, 114.93 + " #x1 " / 98486.0, 27.81 + " #y1 " / 110766.0, 4490))"

static const char *fixtures[] = {
    "INSERT INTO population_units (name, kind, households, residents, village_code, geom) VALUES "
    "('in 150 m', 'building', 10, 30, '" HZ_VILLAGE "', " AT(
        150, 10) "),"
                 "('in 190 m', 'building', 5, 12, '" HZ_VILLAGE "', " AT(
                     190, 200) "),"
                               "('out 210 m', 'building', 7, 20, '" HZ_VILLAGE "', " AT(
                                   210, 45) "),"
                                            "('out 400 m', 'village_group', 100, 300, '" HZ_VILLAGE
                                            "', " AT(400, 0) ")",
    "INSERT INTO key_places (name, category, village_code, geom) VALUES "
    "('school 196 m', 'school', '" HZ_VILLAGE
    "', " AT(196, 90) "),"
                      "('school 204 m', 'school', '" HZ_VILLAGE "', " AT(
                          204, 270) "),"
                                    "('kindergarten 120 m', 'kindergarten', '" HZ_VILLAGE
                                    "', " AT(120, 180) "),"
                                                       "('hospital 50 m', 'hospital', '" HZ_VILLAGE
                                                       "', " AT(50, 0) ")",
    "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
    "('" HZ_VILLAGE "001', 'G1 contains', 'community', '" HZ_VILLAGE
    "', " BOX(-300, -300, 100,
              300) "),"
                   "('" HZ_VILLAGE "002', 'G2 touches zone', 'community', '" HZ_VILLAGE
                   "', " BOX(100, -300, 700, 300) "),"
                                                  "('" HZ_VILLAGE
                                                  "003', 'G3 far', 'community', '" HZ_VILLAGE
                                                  "', " BOX(1000, -300, 1500, 300) ")",
    "INSERT INTO grid_workers (name, employment, phone, jurisdiction_code, duty, active) VALUES "
    "('W1', 'full_time', '13800000001', '" HZ_VILLAGE "', '巡查', true),"
    "('W2', 'part_time', '13800000002', '" HZ_VILLAGE "', NULL, true),"
    "('W3 inactive', 'full_time', NULL, '" HZ_VILLAGE "', NULL, false)",
    "INSERT INTO grid_assignments (grid_id, worker_id, role) "
    "SELECT g.id, w.id, 'primary' FROM grids g, grid_workers w WHERE (g.name, w.name) IN "
    "(('G1 contains', 'W1'), ('G2 touches zone', 'W2'), ('G1 contains', 'W3 inactive'))",
    /* cameras 100 m west of the hazard: it lies at a bearing of 90° from them */
    "INSERT INTO cameras (name, direction_deg, fov_deg, range_m, geom) VALUES "
    "('C1 east', 90, 60, 150, " AT(
        100,
        270) "),"
             "('C2 north', 0, 60, 150, " AT(
                 100,
                 270) "),"
                      "('C3 too short', 90, 60, 80, " AT(
                          100,
                          270) "),"
                               "('C4 all round', 0, 360, 120, " AT(
                                   100,
                                   270) "),"
                                        "('C5 25 deg off', 115, 60, 150, " AT(
                                            100,
                                            270) "),"
                                                 "('C6 35 deg off', 125, 60, 150, " AT(
                                                     100,
                                                     270) "),"
                                                          "('C7 wraps north', 350, 220, 150, " AT(
                                                              100, 270) ")",
};

static void setup(void)
{
    th_db_create("hz_exposure");
    PGconn *c = th_db_connect();
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        free(hz_must(c, fixtures[i], 0, NULL));
    hazard = hz_hazard(c, "landslide", "red", NULL, 0, 0);
    /* not major, and a closed major one: neither belongs in the report */
    hz_hazard(c, "collapse", "yellow", "general", 10, 0);
    long closed = hz_hazard(c, "collapse", "red", NULL, 10, 0);
    hz_force_status(c, closed, "closed");
    PQfinish(c);
    const char *sets[] = {"overdue_check_s=0", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static json_t *get_json(const char *path, long want_status)
{
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_msg(r.status == want_status, "%s: %ld %s", path, r.status, r.body);
    json_error_t e;
    json_t *doc = json_loads(r.body, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", r.body);
    th_response_free(&r);
    return doc;
}

static json_t *exposure(void)
{
    char path[64];
    snprintf(path, sizeof path, "/hazards/%ld/exposure", hazard);
    return get_json(path, 200);
}

/* The names of an array's objects, joined with '|'. */
static void names(json_t *arr, char *out, size_t size)
{
    out[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "|" : "",
                 json_string_value(json_object_get(v, "name")));
    }
}

START_TEST(test_households_in_the_buffer_are_counted)
{
    json_t *doc = exposure();
    json_t *pop = json_object_get(doc, "population");
    ck_assert_int_eq(json_integer_value(json_object_get(pop, "units")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(pop, "households")), 15);
    ck_assert_int_eq(json_integer_value(json_object_get(pop, "residents")), 42);
    json_t *zone = json_object_get(doc, "zone");
    ck_assert_str_eq(json_string_value(json_object_get(zone, "source")), "buffer");
    ck_assert_double_eq(json_number_value(json_object_get(zone, "buffer_m")), 200);
    /* π·200² = 125,664 m²; the 128-gon is 0.04 % smaller */
    ck_assert_double_eq_tol(json_number_value(json_object_get(zone, "area_m2")), 125664, 120);
    json_decref(doc);
}
END_TEST

START_TEST(test_school_4m_inside_listed_and_4m_outside_not_schools_first)
{
    json_t *doc = exposure();
    char got[300];
    names(json_object_get(doc, "key_places"), got, sizeof got);
    ck_assert_str_eq(got, "kindergarten 120 m|school 196 m|hospital 50 m");
    json_t *first = json_array_get(json_object_get(doc, "key_places"), 1);
    ck_assert_double_eq_tol(json_number_value(json_object_get(first, "distance_m")), 196, 0.1);
    json_decref(doc);
}
END_TEST

START_TEST(test_grids_and_their_active_workers)
{
    json_t *doc = exposure();
    json_t *grids = json_object_get(doc, "grids");
    char got[300];
    names(grids, got, sizeof got);
    ck_assert_str_eq(got, "G1 contains|G2 touches zone");
    json_t *g1 = json_array_get(grids, 0);
    ck_assert(json_is_true(json_object_get(g1, "contains_hazard")));
    ck_assert(json_is_false(json_object_get(json_array_get(grids, 1), "contains_hazard")));
    names(json_object_get(g1, "workers"), got, sizeof got);
    ck_assert_str_eq(got, "W1");
    /* no phone numbers for an anonymous caller */
    ck_assert(
        json_is_null(json_object_get(json_array_get(json_object_get(g1, "workers"), 0), "phone")));
    json_decref(doc);
    /* a planner of this county sees it; a planner of another county does not */
    const char *scopes[] = {"360502", "3606"};
    for (int i = 0; i < 2; i++) {
        char *t = hz_token("planner", scopes[i], NULL);
        char auth[200], path[64];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", t);
        free(t);
        snprintf(path, sizeof path, "/hazards/%ld/exposure", hazard);
        const char *h[] = {auth, NULL};
        th_response r = th_http(&srv, "GET", path, h, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg((strstr(r.body, "13800000001") != NULL) == (i == 0), "%s", r.body);
        th_response_free(&r);
    }
}
END_TEST

START_TEST(test_camera_sectors_see_or_miss)
{
    json_t *doc = exposure();
    json_t *cams = json_object_get(doc, "cameras");
    char got[300];
    names(cams, got, sizeof got);
    /* all at 100 m: ordered by id after distance */
    ck_assert_str_eq(got, "C1 east|C4 all round|C5 25 deg off|C7 wraps north");
    json_decref(doc);
    /* the sector itself: 60° of a 150 m circle is 1/6 of its area */
    PGconn *c = th_db_connect();
    char *area = hz_must(c,
                         "SELECT round(ST_Area(camera_sector(geom, 90, 60, 150)::geography)) "
                         "FROM cameras WHERE name = 'C1 east'",
                         0, NULL);
    ck_assert_double_eq_tol(strtod(area, NULL), 3.14159265 * 150 * 150 / 6, 15);
    free(area);
    PQfinish(c);
}
END_TEST

START_TEST(test_school_safety_zone_flag_follows_the_setting)
{
    json_t *doc = exposure();
    json_t *sz = json_object_get(doc, "school_zone");
    ck_assert(json_is_true(json_object_get(sz, "inside")));
    char got[200];
    names(json_object_get(sz, "schools"), got, sizeof got); /* objects carry school_name */
    ck_assert_int_eq(json_array_size(json_object_get(sz, "schools")), 2);
    json_decref(doc);
    PGconn *c = th_db_connect();
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", hazard);
    const char *p[] = {ids};
    char *v = hz_must(c,
                      "SELECT string_agg(school_name, '|' ORDER BY distance_m) FROM "
                      "hazards_school_zone WHERE hazard_id = $1::bigint",
                      1, p);
    ck_assert_str_eq(v, "kindergarten 120 m|school 196 m");
    free(v);
    free(
        hz_must(c, "UPDATE hazard_settings SET value = 150 WHERE name = 'school_zone_m'", 0, NULL));
    v = hz_must(c,
                "SELECT string_agg(school_name, '|') FROM hazards_school_zone WHERE hazard_id = "
                "$1::bigint",
                1, p);
    ck_assert_str_eq(v, "kindergarten 120 m");
    free(v);
    v = hz_must(c, "SELECT in_school_zone FROM hazard_zones WHERE id = $1::bigint", 1, p);
    ck_assert_str_eq(v, "t");
    free(v);
    free(
        hz_must(c, "UPDATE hazard_settings SET value = 100 WHERE name = 'school_zone_m'", 0, NULL));
    v = hz_must(c, "SELECT in_school_zone FROM hazard_zones WHERE id = $1::bigint", 1, p);
    ck_assert_str_eq(v, "f");
    free(v);
    PQfinish(c);
}
END_TEST

START_TEST(test_report_ranks_places_exposed_to_major_hazards)
{
    json_t *doc = get_json("/reports/exposure?jurisdiction=360502000000", 200);
    json_t *places = json_object_get(doc, "key_places");
    char got[300];
    names(places, got, sizeof got);
    ck_assert_str_eq(got, "kindergarten 120 m|school 196 m|hospital 50 m");
    json_t *first = json_array_get(places, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "rank")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "major_hazards")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(first, "category_zh")), "幼儿园");
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(doc, "jurisdiction"), "prefix")),
        "360502");
    json_decref(doc);
    /* another county: none */
    doc = get_json("/reports/exposure?jurisdiction=3606", 200);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "key_places")), 0);
    json_decref(doc);
    json_decref(get_json("/reports/exposure?jurisdiction=36x", 400));
    json_decref(get_json("/reports/exposure", 400));
    json_decref(get_json("/reports/exposure?jurisdiction=369999", 404));
}
END_TEST

START_TEST(test_report_csv_has_bom_and_chinese_headers)
{
    th_response r = th_http(&srv, "GET", "/reports/exposure?jurisdiction=360502&f=csv", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char ct[100];
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_str_eq(ct, "text/csv; charset=utf-8");
    ck_assert_mem_eq(r.body, "\xEF\xBB\xBF", 3);
    ck_assert_msg(strncmp(r.body + 3, "排名,重点场所ID,重点场所编码,重点场所名称,类别", 40) == 0,
                  "%s", r.body);
    int lines = 0;
    for (char *p = r.body; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 4);
    ck_assert_ptr_nonnull(strstr(r.body, "\r\n1,"));
    ck_assert_ptr_nonnull(strstr(r.body, ",幼儿园,"));
    th_response_free(&r);
}
END_TEST

START_TEST(test_unknown_hazard_exposure_is_404)
{
    json_decref(get_json("/hazards/999999/exposure", 404));
    json_decref(get_json("/hazards/abc/exposure", 404));
}
END_TEST

START_TEST(test_zones_given_buffered_and_redrawn)
{
    PGconn *c = th_db_connect();
    long id = hz_hazard(c, "debris_flow", "orange", NULL, 3000, 0);
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids};
    /* the buffer is 300 m on the ellipsoid: the nearest boundary point within 0.1 m */
    char *v = hz_must(c,
                      "SELECT zone_source || '|' || zone_buffer_m || '|' || "
                      "round(ST_Distance(geom::geography, "
                      "ST_ExteriorRing(ST_GeometryN(influence_zone, 1))::geography)::numeric, 1) "
                      "FROM hazards WHERE id = $1::bigint",
                      1, p);
    ck_assert_msg(!strcmp(v, "buffer|300|299.9") || !strcmp(v, "buffer|300|300.0"), "%s", v);
    free(v);
    /* a new default redraws it and bumps the version */
    char *before = hz_must(c, "SELECT version FROM hazards WHERE id = $1::bigint", 1, p);
    free(hz_must(c, "UPDATE hazard_zone_defaults SET buffer_m = 350 WHERE category = 'debris_flow'",
                 0, NULL));
    v = hz_must(c,
                "SELECT zone_buffer_m || '|' || (version > "
                "$2::int) FROM hazards WHERE id = "
                "$1::bigint",
                2, (const char *[]){ids, before});
    ck_assert_str_eq(v, "350|true");
    free(v);
    free(before);
    /* a given polygon is kept, also when the hazard moves; clearing it brings the buffer back */
    free(hz_must(c,
                 "UPDATE hazards SET influence_zone = " BOX(-10, -10, 10, 10) " WHERE id = "
                                                                              "$1::bigint",
                 1, p));
    free(hz_must(c, "UPDATE hazards SET geom = ST_Translate(geom, 0.0001, 0) WHERE id = $1::bigint",
                 1, p));
    v = hz_must(c,
                "SELECT zone_source || '|' || coalesce(zone_buffer_m::text, '-') || '|' || "
                "round(ST_Area(influence_zone::geography)) FROM hazards WHERE id = $1::bigint",
                1, p);
    ck_assert_msg(!strncmp(v, "given|-|", 8), "%s", v);
    ck_assert_double_eq_tol(strtod(v + 8, NULL), 400, 5);
    free(v);
    free(hz_must(c, "UPDATE hazards SET influence_zone = NULL WHERE id = $1::bigint", 1, p));
    v = hz_must(c, "SELECT zone_source || '|' || zone_buffer_m FROM hazards WHERE id = $1::bigint",
                1, p);
    ck_assert_str_eq(v, "buffer|350");
    free(v);
    /* a subcategory's own default wins over its category's */
    long fw = hz_hazard(c, "dangerous_goods", "orange", NULL, 5000, 0);
    snprintf(ids, sizeof ids, "%ld", fw);
    free(hz_must(c, "UPDATE hazards SET subcategory = 'fireworks_storage' WHERE id = $1::bigint", 1,
                 p));
    v = hz_must(c, "SELECT zone_buffer_m FROM hazards WHERE id = $1::bigint", 1, p);
    ck_assert_str_eq(v, "300");
    free(v);
    PQfinish(c);
}
END_TEST

/* The zone as a tile layer: the tile holding the hazard at z14 (x 13422, y 6873 for
 * 114.93°E 27.81°N) carries the layer and its attributes; a tile far away is empty. */
START_TEST(test_zone_tile_layer_draws_the_buffer)
{
    th_response r = th_http(&srv, "GET", "/tiles/hazard_zones/14/13422/6873.mvt", NULL, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(memmem(r.body, r.len, "hazard_zones", 12));
    ck_assert_ptr_nonnull(memmem(r.body, r.len, "in_school_zone", 14));
    ck_assert_ptr_nonnull(memmem(r.body, r.len, "escalation_level", 16));
    th_response_free(&r);
    r = th_http(&srv, "GET", "/tiles/hazard_zones/14/0/0.mvt", NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    th_response_free(&r);
    json_t *tj = get_json("/tiles/hazard_zones.json", 200);
    json_t *vl = json_array_get(json_object_get(tj, "vector_layers"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(vl, "id")), "hazard_zones");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(vl, "fields"), "overdue"));
    json_decref(tj);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hazard_exposure");
    TCase *tc = tcase_create("fixtures");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_households_in_the_buffer_are_counted);
    tcase_add_test(tc, test_school_4m_inside_listed_and_4m_outside_not_schools_first);
    tcase_add_test(tc, test_grids_and_their_active_workers);
    tcase_add_test(tc, test_camera_sectors_see_or_miss);
    tcase_add_test(tc, test_report_ranks_places_exposed_to_major_hazards);
    tcase_add_test(tc, test_report_csv_has_bom_and_chinese_headers);
    tcase_add_test(tc, test_unknown_hazard_exposure_is_404);
    tcase_add_test(tc, test_zones_given_buffered_and_redrawn);
    tcase_add_test(tc, test_zone_tile_layer_draws_the_buffer);
    /* changes the school-zone setting: last */
    tcase_add_test(tc, test_school_safety_zone_flag_follows_the_setting);
    suite_add_tcase(s, tc);
    return th_run(s);
}
