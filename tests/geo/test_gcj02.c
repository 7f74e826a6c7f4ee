/* GCJ-02 and BD-09: published reference values, exact round trips, geometry-level changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_geo.h"

/* Published by wandergis/coordtransform (test/app.js) for the input (116.404, 39.915). */
#define REF_LON 116.404
#define REF_LAT 39.915

START_TEST(test_gcj02_forward_reference)
{
    double lon, lat;
    geo_wgs84_to_gcj02(REF_LON, REF_LAT, &lon, &lat);
    ck_assert_double_eq_tol(lon, 116.41024449916938, 1e-11);
    ck_assert_double_eq_tol(lat, 39.91640428150164, 1e-11);
    geo_gcj02_to_bd09(REF_LON, REF_LAT, &lon, &lat);
    ck_assert_double_eq_tol(lon, 116.41036949371029, 1e-11);
    ck_assert_double_eq_tol(lat, 39.92133699351021, 1e-11);
}
END_TEST

START_TEST(test_gcj02_inverse_beats_published_approximation)
{
    /* The same source's one-step inverses; ours must agree to about a metre and
     * reproduce the input through the forward formula where theirs does not. */
    double lon, lat, flon, flat;
    geo_gcj02_to_wgs84(REF_LON, REF_LAT, &lon, &lat);
    ck_assert_double_eq_tol(lon, 116.39775550083061, 1e-5);
    ck_assert_double_eq_tol(lat, 39.91359571849836, 1e-5);
    geo_wgs84_to_gcj02(lon, lat, &flon, &flat);
    ck_assert_double_eq_tol(flon, REF_LON, 1e-12);
    ck_assert_double_eq_tol(flat, REF_LAT, 1e-12);
    geo_wgs84_to_gcj02(116.39775550083061, 39.91359571849836, &flon, &flat);
    ck_assert(fabs(flon - REF_LON) > 1e-7 || fabs(flat - REF_LAT) > 1e-7);

    geo_bd09_to_gcj02(REF_LON, REF_LAT, &lon, &lat);
    ck_assert_double_eq_tol(lon, 116.39762729119315, 1e-5);
    ck_assert_double_eq_tol(lat, 39.90865673957631, 1e-5);
    geo_gcj02_to_bd09(lon, lat, &flon, &flat);
    ck_assert_double_eq_tol(flon, REF_LON, 1e-12);
    ck_assert_double_eq_tol(flat, REF_LAT, 1e-12);
}
END_TEST

START_TEST(test_gcj02_tiananmen_round_trip)
{
    double glon, glat, lon, lat;
    geo_wgs84_to_gcj02(116.397128, 39.916527, &glon, &glat);
    double shift = distance_m(116.397128, 39.916527, glon, glat);
    ck_assert_msg(shift > 400 && shift < 700, "shift %.1f m", shift);
    geo_gcj02_to_wgs84(glon, glat, &lon, &lat);
    ck_assert_double_eq_tol(lon, 116.397128, 1e-9);
    ck_assert_double_eq_tol(lat, 39.916527, 1e-9);
}
END_TEST

START_TEST(test_gcj02_round_trip_across_jiangxi)
{
    int n = 0;
    for (int i = 0; 113.7 + 0.8 * i <= 118.4; i++)
        for (int k = 0; 24.6 + 0.9 * k <= 30.0; k++) {
            double lon = 113.7 + 0.8 * i, lat = 24.6 + 0.9 * k;
            double glon, glat, wlon, wlat;
            geo_wgs84_to_gcj02(lon, lat, &glon, &glat);
            double shift = distance_m(lon, lat, glon, glat);
            ck_assert_msg(shift >= 400 && shift <= 700, "(%g %g) shifted %.1f m", lon, lat, shift);
            geo_gcj02_to_wgs84(glon, glat, &wlon, &wlat);
            ck_assert_msg(fabs(wlon - lon) < 1e-8 && fabs(wlat - lat) < 1e-8,
                          "(%g %g) came back as (%.12f %.12f)", lon, lat, wlon, wlat);
            /* BD-09 both ways, directly and through GCJ-02. */
            double blon, blat;
            geo_wgs84_to_bd09(lon, lat, &blon, &blat);
            geo_bd09_to_wgs84(blon, blat, &wlon, &wlat);
            ck_assert(fabs(wlon - lon) < 1e-8 && fabs(wlat - lat) < 1e-8);
            geo_bd09_to_gcj02(blon, blat, &wlon, &wlat);
            ck_assert(fabs(wlon - glon) < 1e-9 && fabs(wlat - glat) < 1e-9);
            n++;
        }
    ck_assert_int_ge(n, 20);
}
END_TEST

START_TEST(test_gcj02_identity_outside_china)
{
    static const double points[][2] = {{-0.1276, 51.5072}, {139.6917, 35.6895}, {72.0, 30.0}};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        double lon, lat;
        geo_wgs84_to_gcj02(points[i][0], points[i][1], &lon, &lat);
        ck_assert_double_eq(lon, points[i][0]);
        ck_assert_double_eq(lat, points[i][1]);
        geo_gcj02_to_wgs84(points[i][0], points[i][1], &lon, &lat);
        ck_assert_double_eq(lon, points[i][0]);
        ck_assert_double_eq(lat, points[i][1]);
    }
}
END_TEST

START_TEST(test_gcj02_geometry_every_type)
{
    core_err err = {0};
    const char *text = "GEOMETRYCOLLECTION (POINT Z (115.8575 28.682 35), LINESTRING (116 28, "
                       "117 29), POLYGON ((114 25, 115 25, 115 26, 114 26, 114 25), (114.2 25.2, "
                       "114.2 25.4, 114.4 25.4, 114.2 25.2)), MULTIPOLYGON (((118 29, 118.3 29, "
                       "118.3 29.3, 118 29))))";
    const char *text_z = "GEOMETRYCOLLECTION Z (POINT Z (115.8575 28.682 35), LINESTRING (116 28, "
                         "117 29), POLYGON ((114 25, 115 25, 115 26, 114 26, 114 25), (114.2 25.2, "
                         "114.2 25.4, 114.4 25.4, 114.2 25.2)), MULTIPOLYGON (((118 29, 118.3 29, "
                         "118.3 29.3, 118 29))))";
    geo_geom *g = wkt(text);
    ck_assert_int_eq(geo_transform_datum(ctx, g, GEO_DATUM_WGS84, GEO_DATUM_GCJ02, &err), CORE_OK);
    double lon, lat;
    geo_wgs84_to_gcj02(115.8575, 28.682, &lon, &lat);
    char *moved = geo_to_geojson(ctx, g, 9, &err);
    char expected[128];
    snprintf(expected, sizeof expected,
             "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\","
             "\"coordinates\":[%.9f,%.9f,35]}",
             lon, lat);
    ck_assert_msg(strncmp(moved, expected, strlen(expected)) == 0, "%s", moved);
    free(moved);

    ck_assert_int_eq(geo_transform_datum(ctx, g, GEO_DATUM_GCJ02, GEO_DATUM_BD09, &err), CORE_OK);
    ck_assert_int_eq(geo_transform_datum(ctx, g, GEO_DATUM_BD09, GEO_DATUM_WGS84, &err), CORE_OK);
    /* GEOS marks the whole collection Z because one member has Z. */
    assert_wkt(g, 9, text_z);
    ck_assert_int_eq(geo_transform_datum(ctx, g, GEO_DATUM_WGS84, GEO_DATUM_WGS84, &err), CORE_OK);
    ck_assert_int_eq(geo_transform_datum(ctx, g, 7, GEO_DATUM_WGS84, &err), CORE_EINVAL);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_gcj02_datum_convert_matrix)
{
    static const geo_datum datums[] = {GEO_DATUM_WGS84, GEO_DATUM_GCJ02, GEO_DATUM_BD09};
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++) {
            double lon, lat, back_lon, back_lat;
            geo_datum_convert(datums[a], datums[b], 115.8575, 28.682, &lon, &lat);
            geo_datum_convert(datums[b], datums[a], lon, lat, &back_lon, &back_lat);
            ck_assert_double_eq_tol(back_lon, 115.8575, 1e-9);
            ck_assert_double_eq_tol(back_lat, 28.682, 1e-9);
        }
}
END_TEST

Suite *gcj02_suite(void)
{
    Suite *s = suite_create("gcj02");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, test_gcj02_forward_reference);
    tcase_add_test(tc, test_gcj02_inverse_beats_published_approximation);
    tcase_add_test(tc, test_gcj02_tiananmen_round_trip);
    tcase_add_test(tc, test_gcj02_round_trip_across_jiangxi);
    tcase_add_test(tc, test_gcj02_identity_outside_china);
    tcase_add_test(tc, test_gcj02_geometry_every_type);
    tcase_add_test(tc, test_gcj02_datum_convert_matrix);
    suite_add_tcase(s, tc);
    return s;
}
