/* Feature writes over real HTTP against a real database: every validation code from a crafted
 * request (with its Chinese message), dry-run saving nothing, 201/Location/ETag, 428/412, two
 * concurrent PUTs with one ETag, split and merge with household tallies, history and restore.
 * Villages and population units come from fixture.sql (three squares, ten buildings). */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static th_server srv;
static char planner[128], admin[128];

#define VILLAGE_A "360502100200"
#define VILLAGE_B "360502100201"

static void sql(const char *statement)
{
    PGconn *c = th_db_connect();
    th_db_exec(c, statement);
    PQfinish(c);
}

static long value(const char *query)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, query);
    long n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    PQfinish(c);
    return n;
}

static void setup(void)
{
    th_db_create("features_write");
    FILE *f = fopen(FIXTURE_SQL, "r");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    sql(text);
    th_token("planner", "360502", planner, sizeof planner);
    th_token("admin", "36", admin, sizeof admin);
    /* Each test empties the tables with TRUNCATE, which the background coverage recompute
     * would contend with; these tests are about writes, so that worker stays off here. */
    const char *sets[] = {"analysis_worker=false", "overdue_check_s=0", NULL};
    th_server_start(&srv, sets);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

/* Each test starts with no grids, places, hazards, cameras or history. */
static void clean(void)
{
    sql("TRUNCATE grids, key_places, hazards, cameras, edit_history RESTART IDENTITY CASCADE");
}

static th_response req(const th_server *s, const char *method, const char *path, const char *token,
                       const char *header, const char *body)
{
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[] = {auth, header, NULL};
    return th_http(s, method, path, h, body);
}

/* A GeoJSON polygon string of the rectangle [x0,x1]×[y0,y1]. */
static const char *rect(char *out, size_t size, double x0, double y0, double x1, double y1)
{
    snprintf(out, size,
             "{\"type\":\"Polygon\",\"coordinates\":[[[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f],"
             "[%.8f,%.8f],[%.8f,%.8f]]]}",
             x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
    return out;
}

static char *grid_body(const char *name, const char *kind, const char *village,
                       const char *geometry)
{
    char *b = malloc(4096);
    snprintf(b, 4096,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"%s\",\"kind\":\"%s\","
             "\"village_code\":\"%s\"},\"geometry\":%s}",
             name, kind, village, geometry);
    return b;
}

/* Creates a base grid in village A over [x0,x1] (full latitude span); returns its id. */
static long create_grid(double x0, double x1, const char *village)
{
    char g[400];
    char *body = grid_body("网格", "base", village, rect(g, sizeof g, x0, 27.80, x1, 27.82));
    th_response r = req(&srv, "POST", "/collections/grids/items", planner, NULL, body);
    free(body);
    ck_assert_msg(r.status == 201, "create: %ld %s", r.status, r.body);
    json_t *doc = th_json(&r);
    long id = (long)json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    th_response_free(&r);
    return id;
}

/* The response is a 422 (or 400) listing `code` with a Chinese message. */
static void expect_fault(th_response *r, long status, const char *code)
{
    ck_assert_msg(r->status == status, "%s: expected %ld, got %ld: %s", code, status, r->status,
                  r->body);
    json_t *doc = th_json(r);
    if (status == 400) {
        ck_assert_str_eq(json_string_value(json_object_get(doc, "code")), code);
    } else {
        bool found = false;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(doc, "faults"), i, f)
        {
            if (strcmp(json_string_value(json_object_get(f, "code")), code) != 0)
                continue;
            found = true;
            const char *zh = json_string_value(json_object_get(f, "message_zh"));
            const char *en = json_string_value(json_object_get(f, "message_en"));
            bool chinese = false;
            for (const char *z = zh; z && *z; z++)
                chinese = chinese || (unsigned char)*z >= 0xE4; /* CJK in UTF-8 */
            ck_assert_msg(chinese, "%s lacks a Chinese message", code);
            ck_assert_msg(en && *en, "%s lacks an English message", code);
            ck_assert_msg(json_object_get(f, "path") != NULL, "%s lacks a path", code);
        }
        ck_assert_msg(found, "no fault %s in %s", code, r->body);
    }
    json_decref(doc);
    th_response_free(r);
}

static void post_expect(const char *collection, const char *body, long status, const char *code)
{
    char path[100];
    snprintf(path, sizeof path, "/collections/%s/items", collection);
    th_response r = req(&srv, "POST", path, planner, NULL, body);
    expect_fault(&r, status, code);
}

START_TEST(test_every_validation_code_over_http)
{
    clean();
    char g[400], *b;
    const char *ok = "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.905,27.80],"
                     "[114.905,27.805],[114.90,27.805],[114.90,27.80]]]}";
    post_expect("grids", "{\"type\":", 400, "invalid_json");
    post_expect("grids", "[1,2]", 400, "body_not_object");
    post_expect("grids", "{\"type\":\"FeatureCollection\",\"features\":[]}", 400, "not_a_feature");
#define GRID_PROPS(extra, geom)                                                                    \
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"n\",\"kind\":\"base\",\"village_code\":"     \
    "\"" VILLAGE_A "\"" extra "},\"geometry\":" geom "}"
    char body[3000];
    snprintf(body, sizeof body, GRID_PROPS(",\"colour\":\"red\"", "%s"), ok);
    post_expect("grids", body, 422, "unknown_property");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":5,\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "wrong_type");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"n\",\"kind\":\"huge\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "unknown_enum_value");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"n\",\"kind\":\"base\","
             "\"village_code\":\"3605\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "malformed_code");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"n\",\"village_code\":\"" VILLAGE_A
             "\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "missing_property");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"%0101d\",\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             1, ok);
    post_expect("grids", body, 422, "too_long");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"\",\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "empty_value");
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"n\",\"kind\":\"dedicated\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             ok);
    post_expect("grids", body, 422, "unit_type_mismatch");
    post_expect("grids", GRID_PROPS("", "null"), 422, "missing_geometry");
    post_expect("grids", GRID_PROPS("", "{\"type\":\"Point\",\"coordinates\":[114.9,27.81]}"), 422,
                "wrong_geometry_type");
    post_expect("grids", GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[\"a\",1]]]}"),
                422, "malformed_geometry");
    post_expect("grids",
                GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.905,"
                               "27.80],[114.905,27.805],[114.90,27.805]]]}"),
                422, "unclosed_ring");
    post_expect("grids",
                GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.905,"
                               "27.80],[114.90,27.80]]]}"),
                422, "too_few_points");
    /* A spike: out to (114.904,27.809) and straight back. */
    post_expect("grids",
                GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.905,"
                               "27.80],[114.905,27.805],[114.904,27.805],[114.904,27.809],"
                               "[114.904,27.805],[114.90,27.805],[114.90,27.80]]]}"),
                422, "spike");
    /* A near-spike (a sliver turning back by well under 1°): GEOS calls it valid, geo/ not. */
    post_expect("grids",
                GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.905,"
                               "27.80],[114.905,27.805],[114.90402,27.805],[114.90401,27.809],"
                               "[114.904,27.805],[114.90,27.805],[114.90,27.80]]]}"),
                422, "spike");
    /* A bow tie: GEOS says self-intersection, and where. */
    th_response r = req(&srv, "POST", "/collections/grids/items", planner, NULL,
                        GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[114.90,27.80],"
                                       "[114.91,27.81],[114.91,27.80],[114.90,27.81],[114.90,"
                                       "27.80]]]}"));
    ck_assert_int_eq(r.status, 422);
    json_t *doc = th_json(&r);
    json_t *fault = json_array_get(json_object_get(doc, "faults"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(fault, "code")), "self_intersection");
    json_t *loc = json_object_get(fault, "location");
    ck_assert_double_eq_tol(json_number_value(json_array_get(loc, 0)), 114.905, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_array_get(loc, 1)), 27.805, 1e-6);
    json_decref(doc);
    th_response_free(&r);
    post_expect("grids",
                GRID_PROPS("", "{\"type\":\"Polygon\",\"coordinates\":[[[120.0,27.80],"
                               "[120.01,27.80],[120.01,27.81],[120.0,27.81],[120.0,"
                               "27.80]]]}"),
                422, "outside_jiangxi");
    /* 360502100000 is a town, not a village. */
    b = grid_body("n", "base", "360502100000", ok);
    post_expect("grids", b, 422, "unknown_village");
    free(b);
    /* 0.001° west of village A: about 98 m × 2.2 km outside. */
    b = grid_body("n", "base", VILLAGE_A, rect(g, sizeof g, 114.899, 27.80, 114.905, 27.82));
    post_expect("grids", b, 422, "outside_village");
    free(b);
    /* Sibling overlap. */
    create_grid(114.90, 114.91, VILLAGE_A);
    b = grid_body("n", "base", VILLAGE_A, rect(g, sizeof g, 114.905, 27.80, 114.915, 27.82));
    post_expect("grids", b, 422, "sibling_overlap");
    free(b);

    /* Hazards: dates and enum values; key places: nothing here; cameras: ranges. */
    post_expect(
        "hazards",
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"滑坡\",\"category\":\"landslide\","
        "\"risk_grade\":\"red\",\"found_on\":\"2024-13-01\"},\"geometry\":{\"type\":"
        "\"Point\",\"coordinates\":[114.91,27.81]}}",
        422, "malformed_date");
    post_expect(
        "hazards",
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"滑坡\",\"category\":\"landslide\","
        "\"risk_grade\":\"red\",\"found_on\":\"2024-05-01\",\"deadline\":\"2024-04-30\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.91,27.81]}}",
        422, "deadline_before_found");
    post_expect(
        "hazards",
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"滑坡\",\"category\":\"landslide\","
        "\"risk_grade\":null},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.91,"
        "27.81]}}",
        422, "not_nullable");
    post_expect("cameras",
                "{\"type\":\"Feature\",\"properties\":{\"name\":\"c\",\"range_m\":9000},"
                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.91,27.81]}}",
                422, "out_of_range");
    post_expect("cameras",
                "{\"type\":\"Feature\",\"properties\":{\"name\":\"c\"},\"geometry\":{\"type\":"
                "\"LineString\",\"coordinates\":[[114.91,27.81],[114.92,27.81]]}}",
                422, "wrong_geometry_type");
}
END_TEST

START_TEST(test_all_faults_reported_at_once)
{
    clean();
    th_response r = req(&srv, "POST", "/collections/hazards/items", planner, NULL,
                        "{\"type\":\"Feature\",\"properties\":{\"name\":\"x\",\"category\":"
                        "\"volcano\",\"risk_grade\":\"purple\",\"found_on\":\"2024-05-01\","
                        "\"deadline\":\"2024-04-01\",\"colour\":1},\"geometry\":{\"type\":"
                        "\"Polygon\",\"coordinates\":[[[114.90,27.80],[114.91,27.80],[114.91,"
                        "27.81],[114.90,27.81]]]}}");
    ck_assert_int_eq(r.status, 422);
    json_t *doc = th_json(&r);
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "faults")), 5);
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

START_TEST(test_small_spill_is_a_warning_and_overlap_policy_warn)
{
    clean();
    char g[400];
    /* 1e-8° west: about 2 m² outside, under the default 10 m² tolerance. */
    char *b =
        grid_body("n", "base", VILLAGE_A, rect(g, sizeof g, 114.89999999, 27.80, 114.905, 27.82));
    th_response r = req(&srv, "POST", "/collections/grids/items", planner, NULL, b);
    free(b);
    ck_assert_msg(r.status == 201, "%s", r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "outside_village"));
    th_response_free(&r);

    th_server warn;
    const char *sets[] = {"overlap_policy=warn", NULL};
    th_server_start(&warn, sets);
    b = grid_body("n", "base", VILLAGE_A, rect(g, sizeof g, 114.902, 27.80, 114.91, 27.82));
    r = req(&warn, "POST", "/collections/grids/items", planner, NULL, b);
    free(b);
    ck_assert_msg(r.status == 201, "%s", r.body);
    json_t *doc = th_json(&r);
    json_t *w = json_array_get(json_object_get(doc, "warnings"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(w, "code")), "sibling_overlap");
    /* 0.003° × 0.02° at 27.81°N: about 293 m × 2216 m */
    ck_assert_double_eq_tol(json_number_value(json_object_get(w, "area_m2")), 650000, 10000);
    ck_assert_ptr_nonnull(json_object_get(w, "geometry"));
    json_decref(doc);
    th_response_free(&r);
    th_server_stop(&warn);
}
END_TEST

START_TEST(test_create_gives_201_location_etag_and_computed_fields)
{
    clean();
    char g[400];
    /* The client claims 5 households and a code; both are recomputed. */
    snprintf(g, sizeof g, "%s", "");
    char body[1200], geom[400];
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"一网格\",\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\",\"households\":5,\"code\":\"999\"},"
             "\"geometry\":%s}",
             rect(geom, sizeof geom, 114.90, 27.80, 114.91, 27.82));
    th_response r = req(&srv, "POST", "/collections/grids/items", planner, NULL, body);
    ck_assert_int_eq(r.status, 201);
    char location[300], etag[100];
    ck_assert(th_header(&r, "Location", location, sizeof location));
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    ck_assert_ptr_nonnull(strstr(location, "/collections/grids/items/1"));
    ck_assert_str_eq(etag, "\"1-1\"");
    json_t *doc = th_json(&r);
    json_t *props = json_object_get(doc, "properties");
    ck_assert_str_eq(json_string_value(json_object_get(props, "code")), VILLAGE_A "001");
    ck_assert_int_eq(json_integer_value(json_object_get(props, "households")), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(props, "residents")), 500);
    ck_assert_ptr_nonnull(strstr(r.body, "computed_ignored"));
    json_decref(doc);
    th_response_free(&r);
    /* The next grid of the village gets the next serial. */
    create_grid(114.91, 114.92, VILLAGE_A);
    ck_assert_int_eq(value("SELECT count(*) FROM grids WHERE code = '" VILLAGE_A "002'"), 1);
    /* A camera's village comes from its location, not from the client. */
    r = req(&srv, "POST", "/collections/cameras/items", planner, NULL,
            "{\"type\":\"Feature\",\"properties\":{\"name\":\"路口\",\"village_code\":"
            "\"" VILLAGE_A "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.93,27.81]}}");
    ck_assert_int_eq(r.status, 201);
    doc = th_json(&r);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(doc, "properties"), "village_code")),
        VILLAGE_B);
    json_decref(doc);
    th_response_free(&r);
    /* Content-Crs: the same camera given in EPSG:4490 (latitude first). */
    r = req(&srv, "POST", "/collections/cameras/items", planner,
            "Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/4490>",
            "{\"type\":\"Feature\",\"properties\":{\"name\":\"路口2\"},\"geometry\":{\"type\":"
            "\"Point\",\"coordinates\":[27.81,114.93]}}");
    ck_assert_int_eq(r.status, 201);
    ck_assert_ptr_nonnull(strstr(r.body, "[114.93,27.81]"));
    th_response_free(&r);
    /* And in the Gauss-Krüger zone of CM 114°E (EPSG:4547, northing first). */
    PGconn *c = th_db_connect();
    char *gk = th_db_value(c, "SELECT format('[%s,%s]', round(ST_Y(p)::numeric, 3), "
                              "round(ST_X(p)::numeric, 3)) FROM ST_Transform(ST_SetSRID("
                              "ST_MakePoint(114.93, 27.81), 4490), 4547) p");
    PQfinish(c);
    char gkbody[400];
    snprintf(gkbody, sizeof gkbody,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"路口3\"},\"geometry\":{\"type\":"
             "\"Point\",\"coordinates\":%s}}",
             gk);
    free(gk);
    r = req(&srv, "POST", "/collections/cameras/items", planner,
            "Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/4547>", gkbody);
    ck_assert_msg(r.status == 201, "%s", r.body);
    doc = th_json(&r);
    json_t *pt = json_object_get(json_object_get(doc, "geometry"), "coordinates");
    ck_assert_double_eq_tol(json_number_value(json_array_get(pt, 0)), 114.93, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_array_get(pt, 1)), 27.81, 1e-6);
    json_decref(doc);
    th_response_free(&r);
    r = req(&srv, "POST", "/collections/cameras/items", planner, "Content-Crs: <EPSG:9999>", "{}");
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
}
END_TEST

START_TEST(test_dry_run_saves_nothing)
{
    clean();
    create_grid(114.90, 114.905, VILLAGE_A);
    long grids = value("SELECT count(*) FROM grids");
    long history = value("SELECT count(*) FROM edit_history");
    char geom[400];
    char *b =
        grid_body("试", "base", VILLAGE_A, rect(geom, sizeof geom, 114.91, 27.80, 114.92, 27.82));
    th_response r = req(&srv, "POST", "/collections/grids/items?dry-run=true", planner, NULL, b);
    free(b);
    ck_assert_msg(r.status == 200, "%s", r.body);
    json_t *doc = th_json(&r);
    ck_assert(json_is_true(json_object_get(doc, "dry_run")));
    json_t *computed = json_object_get(doc, "computed");
    ck_assert_int_eq(json_integer_value(json_object_get(computed, "households")), 200);
    ck_assert_str_eq(json_string_value(json_object_get(computed, "code")), VILLAGE_A "002");
    json_decref(doc);
    th_response_free(&r);
    /* Dry-run PATCH, DELETE, split and merge: also nothing. */
    r = req(&srv, "PATCH", "/collections/grids/items/1?dry-run=true", planner, "If-Match: \"1-1\"",
            "{\"properties\":{\"name\":\"改\"}}");
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    r = req(&srv, "DELETE", "/collections/grids/items/1?dry-run=true", planner, "If-Match: \"1-1\"",
            NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    r = req(&srv, "POST", "/collections/grids/items/1/split?dry-run=true", planner, NULL,
            "{\"type\":\"LineString\",\"coordinates\":[[114.9025,27.79],[114.9025,27.83]]}");
    ck_assert_msg(r.status == 200, "%s", r.body);
    th_response_free(&r);
    /* And a dry run that fails says so with 422, saving nothing either. */
    b = grid_body("试", "base", VILLAGE_A, rect(geom, sizeof geom, 114.90, 27.80, 114.92, 27.82));
    r = req(&srv, "POST", "/collections/grids/items?dry-run=true", planner, NULL, b);
    free(b);
    ck_assert_int_eq(r.status, 422);
    th_response_free(&r);
    ck_assert_int_eq(value("SELECT count(*) FROM grids"), grids);
    ck_assert_int_eq(value("SELECT count(*) FROM edit_history"), history);
    ck_assert_int_eq(value("SELECT version FROM grids WHERE id = 1"), 1);
}
END_TEST

START_TEST(test_if_match_required_and_checked)
{
    clean();
    long id = create_grid(114.90, 114.91, VILLAGE_A);
    char path[100];
    snprintf(path, sizeof path, "/collections/grids/items/%ld", id);
    const char *patch = "{\"properties\":{\"name\":\"新名\"}}";
    th_response r = req(&srv, "PATCH", path, planner, NULL, patch);
    ck_assert_int_eq(r.status, 428);
    th_response_free(&r);
    r = req(&srv, "DELETE", path, planner, NULL, NULL);
    ck_assert_int_eq(r.status, 428);
    th_response_free(&r);
    /* The ETag a reader gets from GET is the one a writer sends back. */
    r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char read_etag[64], if_match[100];
    ck_assert(th_header(&r, "ETag", read_etag, sizeof read_etag));
    th_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", read_etag);
    r = req(&srv, "PATCH", path, planner, if_match, patch);
    ck_assert_int_eq(r.status, 200);
    char etag[64];
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    ck_assert_str_eq(etag, "\"1-2\"");
    ck_assert_ptr_nonnull(strstr(r.body, "新名"));
    th_response_free(&r);
    r = req(&srv, "PATCH", path, planner, "If-Match: \"1-1\"", patch);
    ck_assert_int_eq(r.status, 412);
    th_response_free(&r);
    /* PUT replaces; the merge-patch null removes a nullable value. */
    char geom[400], body[1200];
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"整体\",\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             rect(geom, sizeof geom, 114.90, 27.80, 114.915, 27.82));
    r = req(&srv, "PUT", path, planner, "If-Match: \"1-2\"", body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"households\":280"));
    th_response_free(&r);
    r = req(&srv, "DELETE", path, planner, "If-Match: \"1-2\"", NULL);
    ck_assert_int_eq(r.status, 412);
    th_response_free(&r);
    r = req(&srv, "DELETE", path, planner, "If-Match: \"1-3\"", NULL);
    ck_assert_int_eq(r.status, 204);
    th_response_free(&r);
    ck_assert_int_eq(value("SELECT count(*) FROM grids"), 0);
    r = req(&srv, "DELETE", path, planner, "If-Match: \"1-3\"", NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
}
END_TEST

typedef struct {
    const char *name;
    long status;
} put_job;

static void *put_thread(void *arg)
{
    put_job *job = arg;
    char geom[400], body[1200];
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"%s\",\"kind\":\"base\","
             "\"village_code\":\"" VILLAGE_A "\"},\"geometry\":%s}",
             job->name, rect(geom, sizeof geom, 114.90, 27.80, 114.91, 27.82));
    th_response r =
        req(&srv, "PUT", "/collections/grids/items/1", planner, "If-Match: \"1-1\"", body);
    job->status = r.status;
    th_response_free(&r);
    return NULL;
}

START_TEST(test_two_concurrent_puts_one_wins)
{
    clean();
    create_grid(114.90, 114.91, VILLAGE_A);
    /* Warm libcurl's global state up in this thread before two threads use it. */
    th_response w = th_http(&srv, "GET", "/health", NULL, NULL);
    th_response_free(&w);
    for (int round = 0; round < 3; round++) {
        if (round) {
            sql("TRUNCATE grids, edit_history RESTART IDENTITY CASCADE");
            create_grid(114.90, 114.91, VILLAGE_A);
        }
        put_job a = {"甲", 0}, b = {"乙", 0};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, put_thread, &a);
        pthread_create(&tb, NULL, put_thread, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        ck_assert_msg((a.status == 200 && b.status == 412) || (a.status == 412 && b.status == 200),
                      "round %d: %ld and %ld", round, a.status, b.status);
        ck_assert_int_eq(value("SELECT count(*) FROM edit_history WHERE operation = 'update'"), 1);
        ck_assert_int_eq(value("SELECT version FROM grids WHERE id = 1"), 2);
    }
}
END_TEST

START_TEST(test_split_and_merge_recount_households)
{
    clean();
    long id = create_grid(114.90, 114.92, VILLAGE_A);
    ck_assert_int_eq(value("SELECT households FROM grids WHERE id = 1"), 400);
    char path[100];
    snprintf(path, sizeof path, "/collections/grids/items/%ld/split", id);
    /* Along lon 114.9065: three buildings west (114.9015, .9035, .9055), seven east. */
    th_response r = req(&srv, "POST", path, planner, "If-Match: \"1-1\"",
                        "{\"type\":\"LineString\",\"coordinates\":[[114.9065,27.79],[114.9065,"
                        "27.83]],\"name\":\"东片\"}");
    ck_assert_msg(r.status == 201, "%s", r.body);
    char location[300];
    ck_assert(th_header(&r, "Location", location, sizeof location));
    ck_assert_ptr_nonnull(strstr(location, "/collections/grids/items/2"));
    th_response_free(&r);
    /* The original keeps its id and code with the larger (east) part: 7 × 40 households. */
    ck_assert_int_eq(value("SELECT households FROM grids WHERE id = 1"), 280);
    ck_assert_int_eq(value("SELECT households FROM grids WHERE id = 2"), 120);
    ck_assert_int_eq(value("SELECT count(*) FROM grids WHERE id = 1 AND code = '" VILLAGE_A "001'"),
                     1);
    ck_assert_int_eq(value("SELECT count(*) FROM grids WHERE id = 2 AND code = '" VILLAGE_A "002'"),
                     1);
    /* A line that misses the grid is refused. */
    r = req(&srv, "POST", path, planner, NULL,
            "{\"type\":\"LineString\",\"coordinates\":[[114.95,27.79],[114.95,27.83]]}");
    expect_fault(&r, 422, "split_not_two");

    /* Merge back: one grid, 400 households, the other deleted. */
    r = req(&srv, "POST", "/collections/grids/merge", planner, NULL, "{\"ids\":[1,2]}");
    ck_assert_msg(r.status == 200, "%s", r.body);
    th_response_free(&r);
    ck_assert_int_eq(value("SELECT count(*) FROM grids"), 1);
    ck_assert_int_eq(value("SELECT households FROM grids WHERE id = 1"), 400);
    ck_assert_int_eq(value("SELECT round(ST_Area(geom::geography) / 1000) FROM grids"),
                     value("SELECT round(ST_Area(geom::geography) / 1000) FROM jurisdictions "
                           "WHERE code = '" VILLAGE_A "'"));
    ck_assert_int_eq(value("SELECT count(*) FROM edit_history WHERE feature_id = 2 AND "
                           "operation = 'delete'"),
                     1);

    /* Merge refusals: not adjacent, different villages, different kinds. */
    create_grid(114.925, 114.93, VILLAGE_B); /* id 3 */
    create_grid(114.935, 114.94, VILLAGE_B); /* id 4 */
    r = req(&srv, "POST", "/collections/grids/merge", planner, NULL, "{\"ids\":[3,4]}");
    expect_fault(&r, 422, "not_adjacent");
    r = req(&srv, "POST", "/collections/grids/merge", planner, NULL, "{\"ids\":[1,3]}");
    expect_fault(&r, 422, "different_villages");
    char geom[400], body[1200];
    snprintf(body, sizeof body,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"学校\",\"kind\":\"dedicated\","
             "\"unit_type\":\"school\",\"village_code\":\"" VILLAGE_B "\"},\"geometry\":%s}",
             rect(geom, sizeof geom, 114.93, 27.80, 114.935, 27.82));
    r = req(&srv, "POST", "/collections/grids/items", planner, NULL, body); /* id 5 */
    ck_assert_msg(r.status == 201, "%s", r.body);
    th_response_free(&r);
    r = req(&srv, "POST", "/collections/grids/merge", planner, NULL, "{\"ids\":[3,5]}");
    expect_fault(&r, 422, "kinds_incompatible");
}
END_TEST

START_TEST(test_history_and_restore)
{
    clean();
    long id = create_grid(114.90, 114.91, VILLAGE_A);
    char path[100];
    snprintf(path, sizeof path, "/collections/grids/items/%ld", id);
    th_response r = req(&srv, "PATCH", path, planner, "If-Match: \"1-1\"",
                        "{\"properties\":{\"name\":\"第二版\"}}");
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    char geom[400], body[600];
    snprintf(body, sizeof body, "{\"geometry\":%s}",
             rect(geom, sizeof geom, 114.90, 27.80, 114.905, 27.82));
    r = req(&srv, "PATCH", path, planner, "If-Match: \"1-2\"", body);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);

    char hpath[120];
    snprintf(hpath, sizeof hpath, "%s/history", path);
    r = th_http(&srv, "GET", hpath, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = th_json(&r);
    json_t *changes = json_object_get(doc, "changes");
    ck_assert_int_eq((int)json_array_size(changes), 3);
    json_t *last = json_array_get(changes, 2);
    ck_assert_str_eq(json_string_value(json_object_get(last, "operation")), "update");
    ck_assert_int_eq(json_integer_value(json_object_get(last, "version")), 3);
    char actor[32];
    snprintf(actor, sizeof actor, "%.*s", (int)strcspn(planner, "."), planner);
    ck_assert_str_eq(json_string_value(json_object_get(last, "actor")), actor);
    ck_assert_ptr_nonnull(json_object_get(last, "at"));
    json_t *before = json_object_get(last, "before"), *after = json_object_get(last, "after");
    ck_assert_str_eq(json_string_value(json_object_get(before, "type")), "Feature");
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(before, "geometry"), "type")),
        "MultiPolygon");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(before, "properties"), "households")),
        200);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(after, "properties"), "households")),
        80);
    json_decref(doc);
    th_response_free(&r);

    /* Restore version 2 (old geometry, new name): If-Match required, then a normal write. */
    char rpath[140];
    snprintf(rpath, sizeof rpath, "%s/restore?version=2", path);
    r = req(&srv, "POST", rpath, planner, NULL, NULL);
    ck_assert_int_eq(r.status, 428);
    th_response_free(&r);
    r = req(&srv, "POST", rpath, planner, "If-Match: \"1-3\"", NULL);
    ck_assert_msg(r.status == 200, "%s", r.body);
    th_response_free(&r);
    ck_assert_int_eq(value("SELECT version FROM grids WHERE id = 1"), 4);
    ck_assert_int_eq(value("SELECT households FROM grids WHERE id = 1"), 200);
    ck_assert_int_eq(value("SELECT count(*) FROM grids WHERE id = 1 AND name = '第二版'"), 1);
    snprintf(rpath, sizeof rpath, "%s/restore?version=99", path);
    r = req(&srv, "POST", rpath, planner, "If-Match: \"1-4\"", NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
}
END_TEST

START_TEST(test_conformance_and_openapi_declare_part4)
{
    th_response r = th_http(&srv, "GET", "/conformance", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "ogcapi-features-4/1.0/conf/create-replace-delete"));
    ck_assert_ptr_nonnull(strstr(r.body, "ogcapi-features-4/1.0/conf/update"));
    ck_assert_ptr_nonnull(strstr(r.body, "ogcapi-features-4/1.0/conf/optimistic-locking-etags"));
    th_response_free(&r);
    r = th_http(&srv, "GET", "/api", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = th_json(&r);
    json_t *paths = json_object_get(doc, "paths");
    json_t *items = json_object_get(paths, "/collections/grids/items");
    ck_assert_ptr_nonnull(json_object_get(items, "get")); /* the read half's */
    ck_assert_ptr_nonnull(json_object_get(items, "post"));
    json_t *one = json_object_get(paths, "/collections/grids/items/{featureId}");
    ck_assert_ptr_nonnull(json_object_get(one, "put"));
    ck_assert_ptr_nonnull(json_object_get(one, "patch"));
    ck_assert_ptr_nonnull(json_object_get(one, "delete"));
    ck_assert_ptr_nonnull(json_object_get(paths, "/collections/grids/merge"));
    ck_assert_ptr_nonnull(json_object_get(paths, "/collections/grids/items/{featureId}/split"));
    ck_assert_ptr_nonnull(json_object_get(paths, "/collections/hazards/items/{featureId}/history"));
    ck_assert_ptr_null(
        json_object_get(paths, "/collections/jurisdictions/items/{featureId}/history"));
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("features_write");
    TCase *t = tcase_create("writes");
    tcase_add_unchecked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_every_validation_code_over_http);
    tcase_add_test(t, test_all_faults_reported_at_once);
    tcase_add_test(t, test_small_spill_is_a_warning_and_overlap_policy_warn);
    tcase_add_test(t, test_create_gives_201_location_etag_and_computed_fields);
    tcase_add_test(t, test_dry_run_saves_nothing);
    tcase_add_test(t, test_if_match_required_and_checked);
    tcase_add_test(t, test_two_concurrent_puts_one_wins);
    tcase_add_test(t, test_split_and_merge_recount_households);
    tcase_add_test(t, test_history_and_restore);
    tcase_add_test(t, test_conformance_and_openapi_declare_part4);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return th_run(suite());
}
