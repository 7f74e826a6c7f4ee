/*
 * CRS transforms through PROJ. Expected values come from PROJ's own cs2cs 9.1.1
 * (`cs2cs -d 14 EPSG:4547 EPSG:4490`, authority axis order) and GDAL 3.6 gdaltransform.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_geo.h"

static void transform_xy(const char *from, const char *to, double *x, double *y)
{
    core_err err = {0};
    ck_assert_msg(geo_crs_transform_xy(ctx, from, to, x, y, &err) == CORE_OK, "%s -> %s: %s", from,
                  to, err.msg);
}

START_TEST(test_crs_gk_cm114_to_cgcs2000)
{
    double x = 438123.456, y = 3170456.789;
    transform_xy("EPSG:4547", "EPSG:4490", &x, &y);
    ck_assert_double_eq_tol(x, 113.36710817394527, 1e-7);
    ck_assert_double_eq_tol(y, 28.64833192012158, 1e-7);
    transform_xy("EPSG:4490", "EPSG:4547", &x, &y);
    ck_assert_double_eq_tol(x, 438123.456, 1e-4);
    ck_assert_double_eq_tol(y, 3170456.789, 1e-4);
}
END_TEST

START_TEST(test_crs_gk_zone_prefixed_to_cgcs2000)
{
    double x = 39438123.456, y = 3170456.789;
    transform_xy("EPSG:4527", "EPSG:4490", &x, &y);
    ck_assert_double_eq_tol(x, 116.36710817394525, 1e-7);
    ck_assert_double_eq_tol(y, 28.64833192012158, 1e-7);
}
END_TEST

START_TEST(test_crs_central_meridian_is_false_easting)
{
    /* Independent of PROJ's tables: on the central meridian easting is exactly 500 km. */
    double x = 114, y = 28;
    transform_xy("EPSG:4490", "EPSG:4547", &x, &y);
    ck_assert_double_eq_tol(x, 500000, 1e-6);
    ck_assert_double_eq_tol(y, 3098441.7472966043, 1e-4);
}
END_TEST

START_TEST(test_crs_web_mercator_and_crs84)
{
    double x = 115.8575, y = 28.682;
    transform_xy("EPSG:4490", "EPSG:3857", &x, &y);
    ck_assert_double_eq_tol(x, 12897197.90458169, 1e-5);
    ck_assert_double_eq_tol(y, 3335233.68554763, 1e-5);

    /* Normalised axis order: x stays longitude whatever the authority says. */
    x = 116, y = 28;
    transform_xy("OGC:CRS84", "EPSG:4326", &x, &y);
    ck_assert_double_eq_tol(x, 116, 1e-12);
    ck_assert_double_eq_tol(y, 28, 1e-12);
    transform_xy("EPSG:4326", "EPSG:4490", &x, &y);
    ck_assert_double_eq_tol(x, 116, 1e-6);
    ck_assert_double_eq_tol(y, 28, 1e-6);
    transform_xy("http://www.opengis.net/def/crs/EPSG/0/4490", "EPSG:4548", &x, &y);
    /* one degree west of CM 117E: cs2cs -d 6 EPSG:4490 EPSG:4548 */
    ck_assert_double_eq_tol(x, 401635.319081, 1e-5);
    ck_assert_double_eq_tol(y, 3098844.765240, 1e-5);
}
END_TEST

START_TEST(test_crs_geometry_transform_sets_srid)
{
    core_err err = {0};
    const char *text = "POLYGON ((438000 3170000, 439000 3170000, 439000 3171000, 438000 3171000, "
                       "438000 3170000))";
    geo_geom *g = wkt(text);
    geo_geom_set_srid(g, 4547);
    ck_assert_int_eq(geo_crs_transform(ctx, g, NULL, "EPSG:4490", &err), CORE_OK);
    ck_assert_int_eq(geo_geom_srid(g), 4490);
    double minx, miny, maxx, maxy;
    geo_geom_bounds(ctx, g, &minx, &miny, &maxx, &maxy, &err);
    ck_assert(minx > 113.36 && maxx < 113.38 && miny > 28.64 && maxy < 28.66);

    /* A square kilometre near the central meridian stays one in geodesic m². */
    double m2;
    ck_assert_int_eq(geo_geom_area_m2(ctx, g, &m2, &err), CORE_OK);
    ck_assert_double_eq_tol(m2, 1e6, 1e6 * 2e-4);

    ck_assert_int_eq(geo_crs_transform(ctx, g, "EPSG:4490", "OGC:CRS84", &err), CORE_OK);
    ck_assert_int_eq(geo_geom_srid(g), 4326);
    ck_assert_int_eq(geo_crs_transform(ctx, g, "OGC:CRS84", "EPSG:4547", &err), CORE_OK);
    ck_assert_int_eq(geo_geom_srid(g), 4547);
    assert_wkt(g, 3, text);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_crs_errors)
{
    core_err err = {0};
    geo_geom *g = wkt("POINT (116 28)");
    ck_assert_int_eq(geo_crs_transform(ctx, g, NULL, "EPSG:4547", &err), CORE_ECRS);
    ck_assert_int_eq(geo_crs_transform(ctx, g, "EPSG:999999", "EPSG:4490", &err), CORE_ECRS);
    ck_assert_ptr_nonnull(strstr(err.msg, "EPSG:999999"));
    ck_assert_int_eq(geo_crs_transform(ctx, g, "EPSG:4490", "no such crs", &err), CORE_ECRS);
    assert_wkt(g, -1, "POINT (116 28)");
    geo_geom_free(ctx, g);

    /* A latitude beyond the pole cannot be projected. */
    double x = 116, y = 95;
    ck_assert_int_eq(geo_crs_transform_xy(ctx, "EPSG:4490", "EPSG:3857", &x, &y, &err), CORE_ECRS);
}
END_TEST

START_TEST(test_crs_gk_zone_from_easting)
{
    ck_assert_int_eq(geo_gk_zone_from_easting(39500000), 39);
    ck_assert_int_eq(geo_gk_zone_from_easting(38438123.456), 38);
    ck_assert_int_eq(geo_gk_zone_from_easting(25100000), 25);
    ck_assert_int_eq(geo_gk_zone_from_easting(45900000), 45);
    ck_assert_int_eq(geo_gk_zone_from_easting(438123.456), 0); /* no prefix */
    ck_assert_int_eq(geo_gk_zone_from_easting(20500000), 0);   /* 6-degree zone 20 */
    ck_assert_int_eq(geo_gk_zone_from_easting(46500000), 0);
    ck_assert_int_eq(geo_gk_zone_from_easting(NAN), 0);
}
END_TEST

START_TEST(test_crs_gk3_epsg_codes)
{
    /* Spot checks against proj.db names ... */
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 39, true), 4527);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 38, true), 4526);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 38, false), 4547); /* CM 114E */
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 39, false), 4548); /* CM 117E */
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 25, true), 4513);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 45, false), 4554);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_XIAN1980, 38, false), 2383);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_XIAN1980, 39, false), 2384);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_BEIJING1954, 39, true), 2415);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 24, true), 0);
    ck_assert_int_eq(geo_gk3_epsg(GEO_GK_CGCS2000, 46, false), 0);

    /* ... and every code through PROJ: the central meridian 3 × zone must map to easting
     * 500 000, with the zone in front when the CRS carries it. */
    static const struct {
        geo_gk_datum datum;
        const char *geographic;
    } datums[] = {{GEO_GK_CGCS2000, "EPSG:4490"},
                  {GEO_GK_XIAN1980, "EPSG:4610"},
                  {GEO_GK_BEIJING1954, "EPSG:4214"}};
    for (size_t d = 0; d < 3; d++)
        for (int zone = 25; zone <= 45; zone++)
            for (int prefixed = 0; prefixed <= 1; prefixed++) {
                char crs[32];
                snprintf(crs, sizeof crs, "EPSG:%d", geo_gk3_epsg(datums[d].datum, zone, prefixed));
                double x = 3.0 * zone, y = 30;
                transform_xy(datums[d].geographic, crs, &x, &y);
                double want = prefixed ? zone * 1e6 + 500000 : 500000;
                ck_assert_msg(fabs(x - want) < 1e-3, "%s zone %d: easting %.3f", crs, zone, x);
            }
}
END_TEST

START_TEST(test_crs_srid_is_geographic)
{
    ck_assert(geo_srid_is_geographic(ctx, 4490));
    ck_assert(geo_srid_is_geographic(ctx, 4326));
    ck_assert(geo_srid_is_geographic(ctx, 4148)); /* asked of proj.db */
    ck_assert(!geo_srid_is_geographic(ctx, 4547));
    ck_assert(!geo_srid_is_geographic(ctx, 32650));
    ck_assert(!geo_srid_is_geographic(ctx, 0));
    ck_assert(!geo_srid_is_geographic(ctx, 999999));
}
END_TEST

Suite *crs_suite(void)
{
    Suite *s = suite_create("crs");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_set_timeout(tc, 60); /* the zone sweep opens 126 CRSs from proj.db */
    tcase_add_test(tc, test_crs_gk_cm114_to_cgcs2000);
    tcase_add_test(tc, test_crs_gk_zone_prefixed_to_cgcs2000);
    tcase_add_test(tc, test_crs_central_meridian_is_false_easting);
    tcase_add_test(tc, test_crs_web_mercator_and_crs84);
    tcase_add_test(tc, test_crs_geometry_transform_sets_srid);
    tcase_add_test(tc, test_crs_errors);
    tcase_add_test(tc, test_crs_gk_zone_from_easting);
    tcase_add_test(tc, test_crs_gk3_epsg_codes);
    tcase_add_test(tc, test_crs_srid_is_geographic);
    suite_add_tcase(s, tc);
    return s;
}
