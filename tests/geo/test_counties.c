/*
 * The real Jiangxi county outlines (GCJ-02, from AMap via echarts; every one invalid from
 * quantisation): each must repair to a valid polygon of the same area, and the GCJ-02 →
 * WGS84 change must move it by the 400–700 m expected in Jiangxi.
 */
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "test_geo.h"

#define COUNTIES_DIR PINGAN_SOURCE_DIR "/data/demo/counties-gcj02"

START_TEST(test_counties_repair_and_datum)
{
    glob_t files;
    ck_assert_int_eq(glob(COUNTIES_DIR "/*.geojson", 0, NULL, &files), 0);
    ck_assert_int_eq(files.gl_pathc, 11); /* one file per city */
    int counties = 0;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t f = 0; f < files.gl_pathc; f++) {
        json_error_t jerr;
        json_t *fc = json_load_file(files.gl_pathv[f], 0, &jerr);
        ck_assert_msg(fc != NULL, "%s: %s", files.gl_pathv[f], jerr.text);
        size_t i;
        json_t *feature;
        json_array_foreach(json_object_get(fc, "features"), i, feature)
        {
            const char *name =
                json_string_value(json_object_get(json_object_get(feature, "properties"), "name"));
            char *text = json_dumps(feature, JSON_COMPACT);
            core_err err = {0};
            geo_fault fault;
            geo_geom *g = geo_from_geojson(ctx, text, &fault, &err);
            free(text);
            ck_assert_msg(g != NULL, "%s: %s", name, err.msg);

            ck_assert_msg(!geo_validate(ctx, g, &fault), "%s is valid as delivered", name);
            ck_assert_msg(fault.kind == GEO_FAULT_SELF_INTERSECTION ||
                              fault.kind == GEO_FAULT_RING_SELF_INTERSECTION,
                          "%s: %s", name, fault.code);
            ck_assert(fault.has_location);

            geo_geom *fixed = NULL;
            geo_repair_info info;
            ck_assert_msg(geo_repair(ctx, g, &fixed, &info, &err) == CORE_OK, "%s: %s", name,
                          err.msg);
            ck_assert(info.changed);
            ck_assert_msg(geo_validate(ctx, fixed, &fault), "%s after repair: %s at %g %g", name,
                          fault.reason, fault.x, fault.y);
            ck_assert(geo_check_type(ctx, fixed, GEO_POLYGONAL, NULL));
            double change = fabs(info.area_after - info.area_before) / info.area_before;
            ck_assert_msg(change < 0.01, "%s: area changed by %.3f%%", name, 100 * change);

            double gx, gy, wx, wy, x0, y0, x1, y1;
            ck_assert_int_eq(geo_geom_centroid(ctx, fixed, &gx, &gy, &err), CORE_OK);
            ck_assert_int_eq(
                geo_transform_datum(ctx, fixed, GEO_DATUM_GCJ02, GEO_DATUM_WGS84, &err), CORE_OK);
            ck_assert_int_eq(geo_geom_centroid(ctx, fixed, &wx, &wy, &err), CORE_OK);
            double moved = distance_m(gx, gy, wx, wy);
            ck_assert_msg(moved >= 400 && moved <= 700, "%s moved %.1f m", name, moved);

            ck_assert_int_eq(geo_geom_bounds(ctx, fixed, &x0, &y0, &x1, &y1, &err), CORE_OK);
            ck_assert_msg(geo_in_jiangxi(x0, y0, x1, y1), "%s outside Jiangxi", name);
            minx = fmin(minx, x0), miny = fmin(miny, y0);
            maxx = fmax(maxx, x1), maxy = fmax(maxy, y1);

            geo_geom_free(ctx, fixed);
            geo_geom_free(ctx, g);
            counties++;
        }
        json_decref(fc);
    }
    globfree(&files);
    ck_assert_int_eq(counties, 100);
    /* The province spans about 113.57–118.48 E, 24.49–30.08 N. */
    ck_assert(minx < 113.7 && maxx > 118.4 && miny < 24.6 && maxy > 30.0);
}
END_TEST

Suite *counties_suite(void)
{
    Suite *s = suite_create("counties");
    TCase *tc = tcase_create("real_data");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_set_timeout(tc, 300); /* ~11 MB of GeoJSON; slow under sanitizers */
    tcase_add_test(tc, test_counties_repair_and_datum);
    suite_add_tcase(s, tc);
    return s;
}
