/* OGC API - Features reads over real HTTP on the fixture data: metadata documents, paging
 * with exact counts, every items parameter and every error code, ETag/304, CRS output against
 * PROJ, streaming, and the 12345 locate lookup. */
#include "common.h"

#include <math.h>
#include <unistd.h>
#include <proj.h>

static void setup(void)
{
    features_up("features_read");
}

/* ---- metadata ---- */

START_TEST(test_conformance_lists_exactly_what_is_implemented)
{
    json_t *doc = get_json("/conformance", 200);
    json_t *list = json_object_get(doc, "conformsTo");
    const char *want[] = {"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
                          "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-2/1.0/conf/crs"};
    for (size_t w = 0; w < 4; w++) {
        bool found = false;
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            found = found || strstr(json_string_value(v), want[w]);
        }
        ck_assert_msg(found, "conformance lacks %s", want[w]);
    }
    /* nothing claimed that is not served: no filtering (Part 3) */
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        ck_assert_ptr_null(strstr(json_string_value(v), "features-3"));
    }
    json_decref(doc);
}
END_TEST

START_TEST(test_collections_list_all_seven_with_crs)
{
    json_t *doc = get_json("/collections", 200);
    json_t *list = json_object_get(doc, "collections");
    /* the seven feature collections, then the three analysis results (issue 5) */
    ck_assert_int_eq(json_array_size(list), 10);
    const char *ids[] = {"jurisdictions", "grids",   "grid_workers",    "key_places",
                         "hazards",       "cameras", "population_units"};
    for (size_t k = 0; k < 7; k++) {
        json_t *c = json_array_get(list, k);
        ck_assert_str_eq(json_string_value(json_object_get(c, "id")), ids[k]);
        ck_assert_str_eq(json_string_value(json_object_get(c, "storageCrs")),
                         "http://www.opengis.net/def/crs/EPSG/0/4490");
        ck_assert_int_eq(json_array_size(json_object_get(c, "crs")), 6);
        char items[100];
        ck_assert(link_path(c, "items", items, sizeof items));
    }
    json_decref(doc);
}
END_TEST

START_TEST(test_collection_extent_comes_from_the_data)
{
    json_t *doc = get_json("/collections/grids", 200);
    json_t *bbox = json_array_get(
        json_object_get(json_object_get(json_object_get(doc, "extent"), "spatial"), "bbox"), 0);
    ck_assert_double_eq_tol(json_real_value(json_array_get(bbox, 0)), 114.90, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_array_get(bbox, 1)), 27.70, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_array_get(bbox, 2)), 115.409, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_array_get(bbox, 3)), 27.80, 1e-9);
    json_t *iv = json_array_get(
        json_object_get(json_object_get(json_object_get(doc, "extent"), "temporal"), "interval"),
        0);
    ck_assert_str_eq(json_string_value(json_array_get(iv, 0)), "2024-01-10T08:00:00Z");
    ck_assert_str_eq(json_string_value(json_array_get(iv, 1)), "2025-02-10T00:00:00Z");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "crs"), 0)),
                     "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    json_decref(doc);
    expect_problem("/collections/nosuch", 404, "collection_not_found");
}
END_TEST

START_TEST(test_queryables_are_json_schema_from_the_registry)
{
    json_t *doc = get_json("/collections/hazards/queryables", 200);
    json_t *props = json_object_get(doc, "properties");
    json_t *risk = json_object_get(props, "risk_grade");
    ck_assert_ptr_nonnull(risk);
    ck_assert_int_eq(json_array_size(json_object_get(risk, "enum")), 4);
    ck_assert_ptr_nonnull(json_object_get(props, "geometry"));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "type")), "object");
    json_decref(doc);
    /* personal data is never queryable */
    doc = get_json("/collections/grid_workers/queryables", 200);
    ck_assert_ptr_null(json_object_get(json_object_get(doc, "properties"), "phone"));
    ck_assert_ptr_null(json_object_get(json_object_get(doc, "properties"), "geometry"));
    json_decref(doc);
}
END_TEST

static json_t *param_named(json_t *api, json_t *params, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        const char *ref = json_string_value(json_object_get(p, "$ref"));
        if (ref) /* #/components/parameters/x */
            p = json_object_get(json_object_get(json_object_get(api, "components"), "parameters"),
                                strrchr(ref, '/') + 1);
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return p;
    }
    return NULL;
}

START_TEST(test_openapi_describes_paths_parameters_and_limit)
{
    th_response r = th_http(&srv, "GET", "/api", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char ct[100];
    ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
    ck_assert_ptr_nonnull(strstr(ct, "openapi"));
    json_t *api = th_json(&r);
    th_response_free(&r);
    ck_assert_str_eq(json_string_value(json_object_get(api, "openapi")), "3.0.3");
    json_t *paths = json_object_get(api, "paths");
    const char *must[] = {"/",
                          "/api",
                          "/conformance",
                          "/collections",
                          "/locate",
                          "/collections/grids/items",
                          "/collections/grids/items/{featureId}",
                          "/collections/hazards/queryables",
                          "/collections/population_units"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        ck_assert_msg(json_object_get(paths, must[i]), "no path %s", must[i]);
    json_t *params = json_object_get(
        json_object_get(json_object_get(paths, "/collections/grids/items"), "get"), "parameters");
    json_t *limit = param_named(api, params, "limit");
    ck_assert_ptr_nonnull(limit);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(limit, "schema"), "maximum")), 10000);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(limit, "schema"), "default")), 100);
    const char *grid_params[] = {"bbox", "bbox-crs",     "crs",          "datetime", "sortby",
                                 "kind", "village_code", "jurisdiction", "offset"};
    for (size_t i = 0; i < sizeof grid_params / sizeof grid_params[0]; i++)
        ck_assert_msg(param_named(api, params, grid_params[i]), "grids items lacks %s",
                      grid_params[i]);
    json_t *hparams = json_object_get(
        json_object_get(json_object_get(paths, "/collections/hazards/items"), "get"), "parameters");
    ck_assert_ptr_nonnull(param_named(api, hparams, "risk_grade"));
    ck_assert_ptr_nonnull(param_named(api, hparams, "status"));
    ck_assert_ptr_null(param_named(api, hparams, "kind"));
    ck_assert_ptr_nonnull(json_object_get(
        json_object_get(json_object_get(api, "components"), "schemas"), "grids_feature"));
    json_decref(api);
}
END_TEST

/* The document is valid OpenAPI 3.0 by an independent validator (openapi-spec-validator),
 * when this machine has it. */
START_TEST(test_openapi_document_validates)
{
    if (system("python3 -c 'import openapi_spec_validator' 2>/dev/null") != 0) {
        fprintf(stderr, "openapi-spec-validator not installed: validation skipped\n");
        return;
    }
    th_response r = th_http(&srv, "GET", "/api", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char path[64];
    snprintf(path, sizeof path, "/tmp/pingan_api_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(r.body, 1, r.len, f), r.len);
    fclose(f);
    th_response_free(&r);
    char cmd[300];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys; from openapi_spec_validator import validate; "
             "validate(json.load(open(sys.argv[1])))' %s",
             path);
    int st = system(cmd);
    remove(path);
    ck_assert_msg(st == 0, "/api is not valid OpenAPI 3.0");
}
END_TEST

/* ---- items: paging, counts, parameters ---- */

START_TEST(test_paging_walks_every_feature_once_with_exact_counts)
{
    long total = db_long("SELECT count(*) FROM population_units");
    ck_assert_int_eq(total, 1234);
    char path[600] = "/collections/population_units/items?limit=100&kind=building";
    long seen = 0, pages = 0, last_id = 0;
    for (;;) {
        json_t *doc = get_json(path, 200);
        ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberMatched")), total);
        json_t *features = json_object_get(doc, "features");
        ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberReturned")),
                         json_array_size(features));
        size_t i;
        json_t *f;
        json_array_foreach(features, i, f)
        {
            long id = (long)json_integer_value(json_object_get(f, "id"));
            ck_assert_msg(id > last_id, "ids not strictly increasing: %ld after %ld", id, last_id);
            last_id = id;
            seen++;
        }
        pages++;
        bool more = link_path(doc, "next", path, sizeof path);
        if (more) { /* every other parameter survives; id order pages by keyset */
            ck_assert_ptr_nonnull(strstr(path, "kind=building"));
            ck_assert_ptr_nonnull(strstr(path, "after="));
        }
        json_decref(doc);
        if (!more)
            break;
    }
    ck_assert_int_eq(seen, total);
    ck_assert_int_eq(pages, 13);
}
END_TEST

/* With sortby the pages go by offset; every feature still comes exactly once, ties included
 * (households repeat every 30 units). */
START_TEST(test_sorted_paging_visits_every_feature_once)
{
    long lo = db_long("SELECT min(id) FROM population_units");
    long total = db_long("SELECT count(*) FROM population_units");
    unsigned char *seen = calloc((size_t)total, 1);
    char path[600] = "/collections/population_units/items?limit=97&sortby=-households,name";
    long count = 0;
    for (;;) {
        json_t *doc = get_json(path, 200);
        ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberMatched")), total);
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(doc, "features"), i, f)
        {
            long k = (long)json_integer_value(json_object_get(f, "id")) - lo;
            ck_assert(k >= 0 && k < total);
            ck_assert_msg(!seen[k], "feature %ld twice", k + lo);
            seen[k] = 1;
            count++;
        }
        bool more = link_path(doc, "next", path, sizeof path);
        if (more)
            ck_assert_ptr_null(strstr(path, "after="));
        json_decref(doc);
        if (!more)
            break;
    }
    ck_assert_int_eq(count, total);
    free(seen);
    expect_problem("/collections/population_units/items?sortby=name&after=5", 400,
                   "invalid_parameter");
    expect_problem("/collections/population_units/items?after=x", 400, "invalid_parameter");
    /* an after past the end: empty page, no next link */
    json_t *doc = get_json("/collections/population_units/items?after=999999999", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberReturned")), 0);
    char next[300];
    ck_assert(!link_path(doc, "next", next, sizeof next));
    json_decref(doc);
}
END_TEST

START_TEST(test_limit_above_maximum_is_clamped_and_prev_link)
{
    json_t *doc = get_json("/collections/population_units/items?limit=50000", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "numberReturned")), 1234);
    char self[300];
    ck_assert(link_path(doc, "self", self, sizeof self));
    ck_assert_ptr_nonnull(strstr(self, "limit=10000"));
    char next[300];
    ck_assert(!link_path(doc, "next", next, sizeof next));
    json_decref(doc);

    doc = get_json("/collections/population_units/items?limit=10&offset=25", 200);
    char prev[300];
    ck_assert(link_path(doc, "prev", prev, sizeof prev));
    ck_assert_ptr_nonnull(strstr(prev, "offset=15"));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(doc, "features"), 0), "id")),
                     db_long("SELECT id FROM population_units ORDER BY id OFFSET 25 LIMIT 1"));
    json_decref(doc);
    /* default page size */
    doc = get_json("/collections/population_units/items", 200);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "features")), 100);
    json_decref(doc);
}
END_TEST

START_TEST(test_items_are_streamed_as_geojson_with_content_crs)
{
    th_response r = th_http(&srv, "GET", "/collections/cameras/items?limit=5", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char v[200];
    ck_assert(th_header(&r, "Transfer-Encoding", v, sizeof v));
    ck_assert_str_eq(v, "chunked");
    ck_assert(th_header(&r, "Content-Type", v, sizeof v));
    ck_assert_str_eq(v, "application/geo+json");
    ck_assert(th_header(&r, "Content-Crs", v, sizeof v));
    ck_assert_str_eq(v, "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    json_t *doc = th_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "type")), "FeatureCollection");
    json_decref(doc);
    th_response_free(&r);
    /* Accept honoured: JSON is fine, something else is 406 */
    const char *json_h[] = {"Accept: application/json", NULL};
    r = th_http(&srv, "GET", "/collections/cameras/items?limit=1", json_h, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    const char *csv_h[] = {"Accept: text/csv", NULL};
    r = th_http(&srv, "GET", "/collections/cameras/items?limit=1", csv_h, NULL);
    ck_assert_int_eq(r.status, 406);
    th_response_free(&r);
}
END_TEST

START_TEST(test_property_filters_from_the_registry)
{
    ck_assert_int_eq(number_matched("/collections/grids/items?kind=dedicated"), 1);
    ck_assert_int_eq(number_matched("/collections/grids/items?kind=community,base"), 43);
    ck_assert_int_eq(number_matched("/collections/grids/items?village_code=360502001001"), 3);
    ck_assert_int_eq(number_matched("/collections/grids/items?jurisdiction=360502001"), 4);
    ck_assert_int_eq(number_matched("/collections/grids/items?jurisdiction=360502001000"), 4);
    ck_assert_int_eq(number_matched("/collections/grids/items?jurisdiction=3605"), 44);
    ck_assert_int_eq(number_matched("/collections/grids/items?jurisdiction=3604"), 0);
    ck_assert_int_eq(number_matched("/collections/hazards/items?risk_grade=red"),
                     db_long("SELECT count(*) FROM hazards WHERE risk_grade = 'red'"));
    ck_assert_int_eq(number_matched("/collections/hazards/items?risk_grade=red&status=reported"),
                     db_long("SELECT count(*) FROM hazards WHERE risk_grade = 'red' AND status "
                             "= 'reported'"));
    ck_assert_int_eq(number_matched("/collections/key_places/items?category=school"), 5);
    ck_assert_int_eq(number_matched("/collections/key_places/items?has_video=true"), 12);
    ck_assert_int_eq(number_matched("/collections/grid_workers/items?employment=full_time"), 3);
    ck_assert_int_eq(
        number_matched("/collections/jurisdictions/items?level=township&jurisdiction=360502"),
        db_long("SELECT count(*) FROM jurisdictions WHERE level = 'township' AND code LIKE "
                "'360502%'"));
}
END_TEST

START_TEST(test_bbox_in_every_bbox_crs)
{
    /* 百花湖社区 area: the three grids of 360502001001 and the edge-touching 双凤楼 grid */
    long in84 = number_matched("/collections/grids/items?bbox=114.901,27.781,114.929,27.799");
    ck_assert_int_eq(in84, 3);
    /* EPSG:4326 bbox is lat,lon */
    ck_assert_int_eq(number_matched("/collections/grids/items?bbox=27.781,114.901,27.799,114.929"
                                    "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326"),
                     3);
    /* the same box in Web Mercator */
    ck_assert_int_eq(
        number_matched("/collections/grids/items?bbox=12790721,3221391,12793837,3223655&bbox-crs="
                       "http://www.opengis.net/def/crs/EPSG/0/3857"),
        3);
    /* a school-sized box hits the dedicated grid and the community grid under it */
    ck_assert_int_eq(number_matched("/collections/grids/items?bbox=114.906,27.786,114.907,27.787"),
                     2);
    ck_assert_int_eq(number_matched("/collections/hazards/items?bbox=100,20,101,21"), 0);
}
END_TEST

START_TEST(test_datetime_instants_intervals_and_open_ends)
{
    /* hazard i was last changed 2024-01-01T12:00Z + (i-1) days, i = 1..40 */
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=2024-01-03"), 1);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=2024-01-03T12:00:00Z"), 1);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=2024-01-03T12:00:01Z"), 0);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=2024-01-05/2024-01-07"),
                     3);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=../2024-01-10"), 10);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=/2024-01-10"), 10);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=2024-02-01/.."), 9);
    ck_assert_int_eq(
        number_matched(
            "/collections/hazards/items?datetime=2024-01-02T00:00:00%2B08:00/2024-01-02T21:00:00Z"),
        1);
    ck_assert_int_eq(number_matched("/collections/hazards/items?datetime=../.."), 40);
}
END_TEST

START_TEST(test_sortby_ascending_descending_and_ties)
{
    json_t *doc = get_json("/collections/grids/items?sortby=-updated_at&limit=1", 200);
    json_t *f = json_array_get(json_object_get(doc, "features"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "properties"), "name")),
                     "测试网格40");
    json_decref(doc);
    doc = get_json("/collections/grids/items?sortby=kind,-code&limit=2", 200);
    f = json_array_get(json_object_get(doc, "features"), 0);
    char *want = db_value("SELECT code FROM grids ORDER BY kind, code DESC LIMIT 1");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "properties"), "code")),
                     want);
    free(want);
    json_decref(doc);
    doc = get_json("/collections/grids/items?sortby=%2Bkind&limit=50", 200);
    json_t *feats = json_object_get(doc, "features");
    const char *prev = "";
    size_t i;
    json_array_foreach(feats, i, f)
    {
        const char *k =
            json_string_value(json_object_get(json_object_get(f, "properties"), "kind"));
        ck_assert_msg(strcmp(prev, k) <= 0, "not sorted: %s after %s", k, prev);
        prev = k;
    }
    json_decref(doc);
}
END_TEST

START_TEST(test_every_error_code_is_problem_json)
{
    expect_problem("/collections/grids/items?colour=red", 400, "unknown_parameter");
    expect_problem("/collections/grids/items?risk_grade=red", 400, "unknown_parameter");
    expect_problem("/collections/grids/items?bbox=1,2,3", 400, "invalid_bbox");
    expect_problem("/collections/grids/items?bbox=1,2,x,4", 400, "invalid_bbox");
    expect_problem("/collections/grids/items?bbox=3,2,1,4", 400, "invalid_bbox");
    expect_problem("/collections/grids/items?bbox-crs=EPSG:4326", 400, "invalid_bbox");
    expect_problem("/collections/grid_workers/items?bbox=1,2,3,4", 400, "invalid_bbox");
    expect_problem("/collections/grids/items?bbox=1,2,3,4&bbox-crs=EPSG:2000", 400, "invalid_crs");
    expect_problem("/collections/grids/items?crs=EPSG:4610", 400, "invalid_crs");
    expect_problem("/collections/grids/items?crs=", 400, "invalid_crs");
    expect_problem("/collections/grids/items?datetime=2024-13-01", 400, "invalid_datetime");
    expect_problem("/collections/grids/items?datetime=yesterday", 400, "invalid_datetime");
    expect_problem("/collections/grids/items?datetime=2024-02-01/2024-01-01", 400,
                   "invalid_datetime");
    expect_problem("/collections/grids/items?datetime=2024-01-01/2024-02-01/2024-03-01", 400,
                   "invalid_datetime");
    expect_problem("/collections/grids/items?limit=0", 400, "invalid_limit");
    expect_problem("/collections/grids/items?limit=ten", 400, "invalid_limit");
    expect_problem("/collections/grids/items?limit=-5", 400, "invalid_limit");
    expect_problem("/collections/grids/items?limit=99999999999999999999999999999999999999999999"
                   "9999999999999999999999999999999",
                   400, "invalid_limit");
    expect_problem("/collections/grids/items?offset=-1", 400, "invalid_offset");
    expect_problem("/collections/grids/items?sortby=households,nosuch", 400, "invalid_sortby");
    expect_problem("/collections/grid_workers/items?sortby=phone", 400, "invalid_sortby");
    expect_problem("/collections/grids/items?kind=hexagon", 400, "invalid_value");
    expect_problem("/collections/key_places/items?has_video=maybe", 400, "invalid_value");
    expect_problem("/collections/grids/items?jurisdiction=36x", 400, "invalid_parameter");
    expect_problem("/collections/grids/items?f=html", 400, "invalid_format");
    expect_problem("/collections/nosuch/items", 404, "collection_not_found");
    expect_problem("/collections/grids/items/999999", 404, "feature_not_found");
    expect_problem("/collections/grids/items/abc", 404, "feature_not_found");
    expect_problem("/collections/grids/items/1?crs=EPSG:1", 400, "invalid_crs");
    expect_problem("/collections/grids/items/1?x=1", 400, "unknown_parameter");
    expect_problem("/collections?x=1", 400, "unknown_parameter");
    expect_problem("/locate?lon=114.9", 400, "missing_parameter");
    expect_problem("/locate?lon=east&lat=27.8", 400, "invalid_coordinates");
    expect_problem("/locate?lon=500&lat=27.8", 400, "invalid_coordinates");
    expect_problem("/locate?lon=114.9&lat=27.8&crs=EPSG:9", 400, "invalid_crs");
}
END_TEST

/* ---- one feature ---- */

START_TEST(test_item_has_strong_etag_and_304)
{
    long id = db_long("SELECT id FROM grids WHERE code = '360502001001003'");
    char path[200];
    snprintf(path, sizeof path, "/collections/grids/items/%ld", id);
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[100], want[100];
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    snprintf(want, sizeof want, "\"%ld-1\"", id);
    ck_assert_str_eq(etag, want);
    json_t *doc = th_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "id")), id);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(doc, "properties"), "unit_type")),
        "school");
    json_decref(doc);
    th_response_free(&r);

    char inm[150];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *h[] = {inm, NULL};
    r = th_http(&srv, "GET", path, h, NULL);
    ck_assert_int_eq(r.status, 304);
    ck_assert_int_eq(r.len, 0);
    th_response_free(&r);

    /* a change (here by plain SQL) bumps the version: the old ETag no longer matches */
    PGconn *c = th_db_connect();
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE grids SET name = '第一中学网格' WHERE id = %ld", id);
    PQclear(PQexec(c, sql));
    PQfinish(c);
    r = th_http(&srv, "GET", path, h, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    snprintf(want, sizeof want, "\"%ld-2\"", id);
    ck_assert_str_eq(etag, want);
    th_response_free(&r);

    /* jurisdictions have text ids and no version column */
    r = th_http(&srv, "GET", "/collections/jurisdictions/items/360502001001", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(th_header(&r, "ETag", etag, sizeof etag));
    ck_assert_ptr_nonnull(strstr(etag, "\"360502001001-"));
    doc = th_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "id")), "360502001001");
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

/* ---- CRS (Part 2) ---- */

/* The camera CAM001 stands at lon 114.9025, lat 27.7805. */
static void camera_coords(const char *crs, double *a, double *b, char *content_crs, size_t size)
{
    long id = db_long("SELECT id FROM cameras WHERE code = 'CAM001'");
    char path[300];
    snprintf(path, sizeof path, "/collections/cameras/items/%ld%s%s", id, crs ? "?crs=" : "",
             crs ? crs : "");
    th_response r = th_http(&srv, "GET", path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(th_header(&r, "Content-Crs", content_crs, size));
    json_t *doc = th_json(&r);
    json_t *xy = json_object_get(json_object_get(doc, "geometry"), "coordinates");
    *a = json_number_value(json_array_get(xy, 0));
    *b = json_number_value(json_array_get(xy, 1));
    json_decref(doc);
    th_response_free(&r);
}

/* PROJ's answer in the target CRS's authority axis order (what OGC API Part 2 asks for). */
static void proj_expect(const char *target, double *a, double *b)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *pj = proj_create_crs_to_crs(ctx, "EPSG:4490", target, NULL);
    ck_assert_ptr_nonnull(pj);
    /* EPSG:4490 input in its authority order: latitude, longitude */
    PJ_COORD out = proj_trans(pj, PJ_FWD, proj_coord(27.7805, 114.9025, 0, 0));
    *a = out.v[0];
    *b = out.v[1];
    proj_destroy(pj);
    proj_context_destroy(ctx);
}

START_TEST(test_crs_output_matches_proj_in_authority_axis_order)
{
    double a, b, ea, eb;
    char cc[200];
    camera_coords(NULL, &a, &b, cc, sizeof cc);
    ck_assert_str_eq(cc, "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    ck_assert_double_eq_tol(a, 114.9025, 1e-9); /* CRS84: lon, lat */
    ck_assert_double_eq_tol(b, 27.7805, 1e-9);

    camera_coords("EPSG:4326", &a, &b, cc, sizeof cc);
    ck_assert_str_eq(cc, "<http://www.opengis.net/def/crs/EPSG/0/4326>");
    ck_assert_double_eq_tol(a, 27.7805, 1e-9); /* EPSG:4326: lat, lon */
    ck_assert_double_eq_tol(b, 114.9025, 1e-9);

    camera_coords("http://www.opengis.net/def/crs/EPSG/0/4490", &a, &b, cc, sizeof cc);
    ck_assert_double_eq_tol(a, 27.7805, 1e-9);

    /* Gauss-Krüger CM 114E: northing, easting, to the millimetre PROJ gives */
    camera_coords("http://www.opengis.net/def/crs/EPSG/0/4547", &a, &b, cc, sizeof cc);
    ck_assert_str_eq(cc, "<http://www.opengis.net/def/crs/EPSG/0/4547>");
    proj_expect("EPSG:4547", &ea, &eb);
    ck_assert_double_eq_tol(a, ea, 0.002);
    ck_assert_double_eq_tol(b, eb, 0.002);
    ck_assert(a > 3000000 && b > 500000 && b < 700000); /* northing first, 500 km false easting */

    camera_coords("EPSG:3857", &a, &b, cc, sizeof cc);
    proj_expect("EPSG:3857", &ea, &eb);
    ck_assert_double_eq_tol(a, ea, 0.002); /* easting first */
    ck_assert_double_eq_tol(b, eb, 0.002);

    camera_coords("EPSG:4548", &a, &b, cc, sizeof cc);
    proj_expect("EPSG:4548", &ea, &eb);
    ck_assert_double_eq_tol(a, ea, 0.002);
    ck_assert_double_eq_tol(b, eb, 0.002);

    /* precision: 7 decimals for degrees, 3 for metres */
    th_response r =
        th_http(&srv, "GET", "/collections/key_places/items?limit=1&crs=EPSG:3857", NULL, NULL);
    char *coords = strstr(r.body, "\"coordinates\":[");
    ck_assert_ptr_nonnull(coords);
    char *dot = strchr(coords, '.');
    ck_assert_int_le((int)strspn(dot + 1, "0123456789"), 3);
    th_response_free(&r);
}
END_TEST

/* ---- personal data ---- */

START_TEST(test_worker_contact_data_hidden_without_a_role_that_may_see_it)
{
    json_t *doc = get_json("/collections/grid_workers/items", 200);
    json_t *feats = json_object_get(doc, "features");
    ck_assert_int_eq(json_array_size(feats), 4);
    size_t i;
    json_t *f;
    json_array_foreach(feats, i, f)
    {
        json_t *p = json_object_get(f, "properties");
        ck_assert(json_is_null(json_object_get(p, "phone")));
        ck_assert(json_is_null(json_object_get(p, "id_number")));
        ck_assert(json_is_string(json_object_get(p, "name")));
        ck_assert(json_is_null(json_object_get(f, "geometry")));
    }
    json_decref(doc);
    th_response r = th_http(&srv, "GET", "/locate?lon=114.907&lat=27.787", NULL, NULL);
    ck_assert_ptr_null(strstr(r.body, "13800000001"));
    th_response_free(&r);
}
END_TEST

/* ---- locate ---- */

START_TEST(test_locate_returns_chain_grids_and_workers)
{
    /* inside the school's dedicated grid, inside 百花湖一网格 */
    json_t *doc = get_json("/locate?lon=114.907&lat=27.787", 200);
    json_t *chain = json_object_get(doc, "jurisdictions");
    ck_assert_int_eq(json_array_size(chain), 5);
    const char *levels[] = {"province", "city", "county", "township", "village"};
    const char *codes[] = {"360000000000", "360500000000", "360502000000", "360502001000",
                           "360502001001"};
    for (size_t i = 0; i < 5; i++) {
        json_t *j = json_array_get(chain, i);
        ck_assert_str_eq(json_string_value(json_object_get(j, "level")), levels[i]);
        ck_assert_str_eq(json_string_value(json_object_get(j, "code")), codes[i]);
    }
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(chain, 4), "name")),
                     "百花湖社区居民委员会");
    json_t *grids = json_object_get(doc, "grids");
    ck_assert_int_eq(json_array_size(grids), 2);
    json_t *g0 = json_array_get(grids, 0), *g1 = json_array_get(grids, 1);
    ck_assert_str_eq(json_string_value(json_object_get(g0, "code")), "360502001001001");
    ck_assert_str_eq(json_string_value(json_object_get(g0, "kind")), "community");
    ck_assert_str_eq(json_string_value(json_object_get(g1, "kind")), "dedicated");
    json_t *w = json_object_get(g1, "workers");
    ck_assert_int_eq(json_array_size(w), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "name")), "李娜");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "duty")), "学校安全");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 1), "role")), "assistant");
    json_decref(doc);

    /* the same point given in Gauss-Krüger CM 114E (easting as lon, northing as lat) */
    double n, e;
    proj_expect("EPSG:4547", &n, &e); /* CAM001's point, inside 百花湖一网格 only */
    char path[200];
    snprintf(path, sizeof path, "/locate?lon=%.3f&lat=%.3f&crs=EPSG:4547", e, n);
    doc = get_json(path, 200);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "grids")), 1);
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_array_get(json_object_get(doc, "grids"), 0), "code")),
                     "360502001001001");
    json_decref(doc);

    /* a point in no grid: empty lists, still 200 */
    doc = get_json("/locate?lon=116.0&lat=29.0", 200);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "grids")), 0);
    json_decref(doc);
}
END_TEST

START_TEST(test_anonymous_reads_off_needs_a_token)
{
    th_server closed;
    const char *sets[] = {"anonymous_reads=false", NULL};
    th_server_start(&closed, sets);
    const char *paths[] = {"/collections/grids/items", "/collections/grids",
                           "/collections/hazards/queryables", "/locate?lon=114.907&lat=27.787"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        th_response r = th_http(&closed, "GET", paths[i], NULL, NULL);
        ck_assert_msg(r.status == 401, "%s: %ld", paths[i], r.status);
        ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"unauthorized\""));
        th_response_free(&r);
    }
    /* the collection list shows nothing an anonymous caller may not read */
    th_response r = th_http(&closed, "GET", "/collections", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *doc = th_json(&r);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "collections")), 0);
    json_decref(doc);
    th_response_free(&r);
    th_server_stop(&closed);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("features_read");
    TCase *tc = tcase_create("read");
    tcase_add_unchecked_fixture(tc, setup, features_down);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_conformance_lists_exactly_what_is_implemented);
    tcase_add_test(tc, test_collections_list_all_seven_with_crs);
    tcase_add_test(tc, test_collection_extent_comes_from_the_data);
    tcase_add_test(tc, test_queryables_are_json_schema_from_the_registry);
    tcase_add_test(tc, test_openapi_describes_paths_parameters_and_limit);
    tcase_add_test(tc, test_openapi_document_validates);
    tcase_add_test(tc, test_paging_walks_every_feature_once_with_exact_counts);
    tcase_add_test(tc, test_sorted_paging_visits_every_feature_once);
    tcase_add_test(tc, test_limit_above_maximum_is_clamped_and_prev_link);
    tcase_add_test(tc, test_items_are_streamed_as_geojson_with_content_crs);
    tcase_add_test(tc, test_property_filters_from_the_registry);
    tcase_add_test(tc, test_bbox_in_every_bbox_crs);
    tcase_add_test(tc, test_datetime_instants_intervals_and_open_ends);
    tcase_add_test(tc, test_sortby_ascending_descending_and_ties);
    tcase_add_test(tc, test_every_error_code_is_problem_json);
    tcase_add_test(tc, test_item_has_strong_etag_and_304);
    tcase_add_test(tc, test_crs_output_matches_proj_in_authority_axis_order);
    tcase_add_test(tc, test_worker_contact_data_hidden_without_a_role_that_may_see_it);
    tcase_add_test(tc, test_locate_returns_chain_grids_and_workers);
    tcase_add_test(tc, test_anonymous_reads_off_needs_a_token);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
