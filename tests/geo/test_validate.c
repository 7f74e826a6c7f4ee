/* geo_validate and friends: every fault kind with its code, messages and location. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_geo.h"

/* Validates `text` (WKT) and expects fault `code` at (x, y). */
static void expect_fault(const char *text, const char *code, double x, double y)
{
    geo_geom *g = wkt(text);
    geo_fault fault;
    ck_assert_msg(!geo_validate(ctx, g, &fault), "%s passed validation", text);
    ck_assert_msg(strcmp(fault.code, code) == 0, "%s: expected %s, got %s (%s)", text, code,
                  fault.code, fault.reason);
    ck_assert_msg(fault.has_location, "%s: no location", text);
    ck_assert_double_eq_tol(fault.x, x, 1e-12);
    ck_assert_double_eq_tol(fault.y, y, 1e-12);
    geo_geom_free(ctx, g);
}

START_TEST(test_validate_bowtie_self_intersection)
{
    geo_geom *g = wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
    geo_fault fault;
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_int_eq(fault.kind, GEO_FAULT_SELF_INTERSECTION);
    ck_assert_str_eq(fault.code, "self_intersection");
    ck_assert_str_eq(fault.reason, "Self-intersection");
    ck_assert_str_eq(fault.message_en, "Self-intersection");
    ck_assert_str_eq(fault.message_zh, "自相交");
    ck_assert(fault.has_location);
    ck_assert_double_eq(fault.x, 5);
    ck_assert_double_eq(fault.y, 5);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_geos_fault_kinds)
{
    expect_fault("POLYGON ((0 0, 4 0, 4 4, 2 4, 2 6, 2 4, 0 4, 0 0))", "ring_self_intersection", 2,
                 4);
    expect_fault("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (20 20, 21 20, 21 21, 20 21, 20 20))",
                 "hole_outside_shell", 20, 20);
    expect_fault("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1), (2 2, 8 2, 8 "
                 "8, 2 8, 2 2))",
                 "nested_holes", 2, 2);
    expect_fault("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 5, 5 0, 10 5, 5 10, 0 5))",
                 "disconnected_interior", 0, 5);
    expect_fault("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((2 2, 8 2, 8 8, 2 8, 2 2)))",
                 "nested_shells", 2, 2);
    /* GEOS builds a 3-point ring from WKT, then calls it too few points. */
    expect_fault("POLYGON ((0 0, 1 0, 0 0))", "too_few_points", 0, 0);
}
END_TEST

START_TEST(test_validate_unclosed_ring_located)
{
    core_err err = {0};
    geo_fault fault;
    geo_geom *g = geo_from_geojson(
        ctx,
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],[[[115,28],[116,"
        "28],[116,29],[115,29],[115,28]],[[115.2,28.2],[115.4,28.2],[115.4,28.4],[115.2,28.3]]]]}",
        &fault, &err);
    ck_assert_ptr_null(g);
    ck_assert_int_eq(err.code, CORE_EGEOM);
    ck_assert_str_eq(fault.code, "ring_not_closed");
    ck_assert_str_eq(fault.message_zh, "环未闭合");
    ck_assert(fault.has_location);
    ck_assert_double_eq(fault.x, 115.2); /* where the ring starts, and should end */
    ck_assert_double_eq(fault.y, 28.2);
    ck_assert_int_eq(fault.part, 1);
    ck_assert_int_eq(fault.ring, 1);
    ck_assert_int_eq(fault.vertex, 0);
    ck_assert_ptr_nonnull(strstr(fault.reason, "ends at (115.2 28.3)"));
}
END_TEST

START_TEST(test_validate_too_few_points_located)
{
    core_err err = {0};
    geo_fault fault;
    ck_assert_ptr_null(geo_from_geojson(
        ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[116,28],[117,28],[116,28]]]}", &fault,
        &err));
    ck_assert_int_eq(err.code, CORE_EGEOM);
    ck_assert_str_eq(fault.code, "too_few_points");
    ck_assert(fault.has_location);
    ck_assert_double_eq(fault.x, 116);
    ck_assert_double_eq(fault.y, 28);
    ck_assert_int_eq(fault.ring, 0);

    ck_assert_ptr_null(geo_from_geojson(
        ctx, "{\"type\":\"LineString\",\"coordinates\":[[116.5,28.5]]}", &fault, &err));
    ck_assert_str_eq(fault.code, "too_few_points");
    ck_assert_double_eq(fault.x, 116.5);
    ck_assert_int_eq(fault.ring, -1);
}
END_TEST

START_TEST(test_validate_nan_and_infinite_located)
{
    geo_geom *g = wkt("POLYGON ((0 0, 10 0, NaN 10, 0 10, 0 0))");
    geo_fault fault;
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "invalid_coordinate");
    ck_assert(fault.has_location);
    ck_assert(isnan(fault.x));
    ck_assert_double_eq(fault.y, 10);
    ck_assert_int_eq(fault.part, 0);
    ck_assert_int_eq(fault.ring, 0);
    ck_assert_int_eq(fault.vertex, 2);
    geo_geom_free(ctx, g);

    /* POINT (1 +Infinity) as WKB, the way an importer would hand it over. */
    core_err err = {0};
    g = geo_from_wkb_hex(ctx, "0101000000000000000000F03F000000000000F07F", NULL, &err);
    ck_assert_ptr_nonnull(g);
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "invalid_coordinate");
    ck_assert_double_eq(fault.x, 1);
    ck_assert(isinf(fault.y));
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_out_of_range)
{
    core_err err = {0};
    geo_fault fault;
    /* Latitude/longitude swapped on a GeoJSON (CRS84) point. */
    geo_geom *g =
        geo_from_geojson(ctx, "{\"type\":\"Point\",\"coordinates\":[28.6,115.9]}", NULL, &err);
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "coordinate_out_of_range");
    ck_assert_double_eq(fault.y, 115.9);
    geo_geom_free(ctx, g);

    /* The same numbers are fine in a projected CRS, and so are GK eastings... */
    g = wkt("SRID=4547;POINT (438123.456 3170456.789)");
    ck_assert(geo_validate(ctx, g, NULL));
    geo_geom_free(ctx, g);
    /* ...but not absurd ones. */
    g = wkt("POINT (1e12 0)");
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "coordinate_out_of_range");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_spike_geos_accepts)
{
    /* A sliver 0.02 wide and 5 long, as a slipped mouse drag leaves it: GEOS says valid. */
    const char *text = "POLYGON ((0 0, 10 0, 10 10, 5.02 10, 5.01 15, 5 10, 0 10, 0 0))";
    geo_geom *g = wkt(text);
    geo_fault fault;
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "spike");
    ck_assert_str_eq(fault.message_zh, "尖刺（边界折返）");
    ck_assert_double_eq(fault.x, 5.01);
    ck_assert_double_eq(fault.y, 15);
    ck_assert_int_eq(fault.ring, 0);
    ck_assert_int_eq(fault.vertex, 4);

    ck_assert(geo_find_spike(ctx, g, 1.0, &fault));
    ck_assert(!geo_find_spike(ctx, g, 0.2, &fault));
    ck_assert_str_eq(fault.code, "none");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_spike_across_ring_start_and_repeats)
{
    /* The spike tip is vertex 0 (and the closing vertex); a repeated vertex sits before it. */
    geo_geom *g =
        wkt("POLYGON ((5.01 15, 5 10, 0 10, 0 0, 10 0, 10 10, 5.02 10, 5.02 10, 5.01 15))");
    geo_fault fault;
    ck_assert(geo_find_spike(ctx, g, 1.0, &fault));
    ck_assert_double_eq(fault.x, 5.01);
    ck_assert_double_eq(fault.y, 15);
    ck_assert_int_eq(fault.vertex, 0);
    geo_geom_free(ctx, g);

    /* Right angles and straight runs are no spikes. */
    g = wkt("POLYGON ((0 0, 5 0, 10 0, 10 10, 0 10, 0 0))");
    ck_assert(!geo_find_spike(ctx, g, 1.0, NULL));
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_valid_and_empty)
{
    geo_geom *g = wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))");
    geo_fault fault;
    ck_assert(geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "none");
    ck_assert(!fault.has_location);
    geo_geom_free(ctx, g);

    g = wkt("MULTIPOLYGON EMPTY");
    ck_assert(!geo_validate(ctx, g, &fault));
    ck_assert_str_eq(fault.code, "empty");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_check_type)
{
    geo_geom *g = wkt("POINT (116 28)");
    geo_fault fault;
    ck_assert(!geo_check_type(ctx, g, GEO_POLYGONAL, &fault));
    ck_assert_str_eq(fault.code, "wrong_type");
    ck_assert_str_eq(fault.reason, "Point is not allowed here");
    ck_assert(geo_check_type(ctx, g, GEO_PUNTAL, &fault));
    ck_assert_str_eq(fault.code, "none");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_validate_fault_table)
{
    for (int k = 0; k < GEO_FAULT_COUNT; k++) {
        ck_assert(strlen(geo_fault_code(k)) > 0);
        ck_assert(strlen(geo_fault_message_en(k)) > 0);
        ck_assert(strlen(geo_fault_message_zh(k)) > 0);
        for (int j = 0; j < k; j++)
            ck_assert_str_ne(geo_fault_code(j), geo_fault_code(k));
    }
    ck_assert_str_eq(geo_fault_code(GEO_FAULT_COUNT), "unknown");
}
END_TEST

Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, test_validate_bowtie_self_intersection);
    tcase_add_test(tc, test_validate_geos_fault_kinds);
    tcase_add_test(tc, test_validate_unclosed_ring_located);
    tcase_add_test(tc, test_validate_too_few_points_located);
    tcase_add_test(tc, test_validate_nan_and_infinite_located);
    tcase_add_test(tc, test_validate_out_of_range);
    tcase_add_test(tc, test_validate_spike_geos_accepts);
    tcase_add_test(tc, test_validate_spike_across_ring_start_and_repeats);
    tcase_add_test(tc, test_validate_valid_and_empty);
    tcase_add_test(tc, test_validate_check_type);
    tcase_add_test(tc, test_validate_fault_table);
    suite_add_tcase(s, tc);
    return s;
}
