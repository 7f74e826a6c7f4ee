/* geo/ readers, writers and accessors: GeoJSON, WKT, EWKB hex, SRIDs, force-multi. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_geo.h"

static geo_geom *geojson(const char *text)
{
    core_err err = {0};
    geo_geom *g = geo_from_geojson(ctx, text, NULL, &err);
    ck_assert_msg(g != NULL, "cannot read %s: %s", text, err.msg);
    return g;
}

static void assert_geojson(const geo_geom *g, int precision, const char *expected)
{
    core_err err = {0};
    char *text = geo_to_geojson(ctx, g, precision, &err);
    ck_assert_msg(text != NULL, "geo_to_geojson: %s", err.msg);
    ck_assert_str_eq(text, expected);
    free(text);
}

START_TEST(test_geom_io_geojson_polygon_with_hole)
{
    geo_geom *g = geojson("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],"
                          "[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}");
    assert_wkt(g, -1, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))");
    ck_assert_int_eq(geo_geom_srid(g), 4326);
    ck_assert_str_eq(geo_geom_type_name(ctx, g), "Polygon");
    ck_assert_int_eq(geo_geom_num_points(ctx, g), 10);
    ck_assert_double_eq_tol(geo_geom_area(ctx, g), 96, 1e-12);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_geojson_feature_takes_geometry)
{
    geo_geom *g = geojson("{\"type\":\"Feature\",\"id\":\"361021\",\"properties\":{\"name\":"
                          "\"南城县\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[116.5,"
                          "27.5]}}");
    assert_wkt(g, -1, "POINT (116.5 27.5)");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_geojson_every_type_round_trips)
{
    static const char *const texts[] = {
        "{\"type\":\"Point\",\"coordinates\":[116.1,28.2]}",
        "{\"type\":\"Point\",\"coordinates\":[116.1,28.2,35.5]}",
        "{\"type\":\"LineString\",\"coordinates\":[[116,28],[117,29]]}",
        "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}",
        "{\"type\":\"MultiLineString\",\"coordinates\":[[[1,2],[3,4]],[[5,6],[7,8]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],"
        "[6,6],[5,5]]]]}",
        "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinates\":[1,"
        "2]},{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}]}",
        "{\"type\":\"Polygon\",\"coordinates\":[]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[]}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        geo_geom *g = geojson(texts[i]);
        assert_geojson(g, -1, texts[i]);
        geo_geom_free(ctx, g);
    }
}
END_TEST

START_TEST(test_geom_io_geojson_precision)
{
    geo_geom *g = wkt("LINESTRING (116.123456789 28.6, -0.0000001 -12.3456789)");
    assert_geojson(g, 6,
                   "{\"type\":\"LineString\",\"coordinates\":[[116.123457,28.6],[0,-12.345679]]}");
    assert_geojson(g, 0, "{\"type\":\"LineString\",\"coordinates\":[[116,29],[0,-12]]}");
    /* -1: the shortest text that reads back to the very same double. */
    assert_geojson(g, -1,
                   "{\"type\":\"LineString\",\"coordinates\":[[116.123456789,28.6],[-1e-07,"
                   "-12.3456789]]}");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_geojson_refuses_nan)
{
    core_err err = {0};
    geo_geom *g = wkt("POINT (NaN 1)");
    ck_assert_ptr_null(geo_to_geojson(ctx, g, 6, &err));
    ck_assert_int_eq(err.code, CORE_EGEOM);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_geojson_bad_input)
{
    static const struct {
        const char *text;
        core_code code;
    } cases[] = {
        {"not json", CORE_EFORMAT},
        {"{\"type\":\"FeatureCollection\",\"features\":[]}", CORE_EFORMAT},
        {"{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}", CORE_EINVAL},
        {"{\"type\":\"Point\"}", CORE_EFORMAT},
        {"{\"type\":\"Point\",\"coordinates\":[\"116\",28]}", CORE_EFORMAT},
        {"{\"type\":\"Polygon\",\"coordinates\":[[1,2]]}", CORE_EFORMAT},
        {"{\"type\":\"Circle\",\"coordinates\":[1,2]}", CORE_EFORMAT},
        {"{\"coordinates\":[1,2]}", CORE_EFORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        core_err err = {0};
        geo_fault fault;
        geo_geom *g = geo_from_geojson(ctx, cases[i].text, &fault, &err);
        ck_assert_msg(g == NULL, "accepted %s", cases[i].text);
        ck_assert_msg(err.code == cases[i].code, "%s: got %s (%s)", cases[i].text,
                      core_code_name(err.code), err.msg);
        ck_assert_str_eq(fault.code, "none");
    }
}
END_TEST

START_TEST(test_geom_io_geojson_deep_nesting_refused)
{
    char text[4096] = "";
    for (int i = 0; i < 40; i++)
        strcat(text, "{\"type\":\"GeometryCollection\",\"geometries\":[");
    for (int i = 0; i < 40; i++)
        strcat(text, "]}");
    core_err err = {0};
    ck_assert_ptr_null(geo_from_geojson(ctx, text, NULL, &err));
    ck_assert_int_eq(err.code, CORE_ELIMIT);
}
END_TEST

START_TEST(test_geom_io_geojson_legacy_crs_member)
{
    geo_geom *g = geojson("{\"type\":\"Point\",\"coordinates\":[438123.456,3170456.789],"
                          "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                          "\"urn:ogc:def:crs:EPSG::4547\"}}}");
    ck_assert_int_eq(geo_geom_srid(g), 4547);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_ewkb_hex_as_postgis)
{
    geo_geom *g = wkt("SRID=4490;POINT (116 28)");
    ck_assert_int_eq(geo_geom_srid(g), 4490);
    core_err err = {0};
    char *hex = geo_to_wkb_hex(ctx, g, &err);
    /* 01 little endian | 01000020 point with SRID flag | 8A110000 = 4490 | x | y */
    ck_assert_str_eq(hex, "01010000208A1100000000000000005D400000000000003C40");
    geo_geom_free(ctx, g);

    g = geo_from_wkb_hex(ctx, hex, NULL, &err);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(geo_geom_srid(g), 4490);
    assert_wkt(g, -1, "POINT (116 28)");
    geo_geom_free(ctx, g);
    free(hex);

    /* What psql prints for bytea, in lower case. */
    g = geo_from_wkb_hex(ctx, "\\x01010000208a1100000000000000005d400000000000003c40", NULL, &err);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(geo_geom_srid(g), 4490);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_wkb_without_srid)
{
    geo_geom *g = wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))");
    core_err err = {0};
    char *hex = geo_to_wkb_hex(ctx, g, &err);
    ck_assert_str_eq(hex, "0106000000010000000103000000010000000400000000000000000000000000000000"
                          "000000000000000000F03F0000000000000000000000000000F03F000000000000F03F00"
                          "000000000000000000000000000000");
    free(hex);
    geo_geom_free(ctx, g);

    static const unsigned char point[] = {0x01, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0,    0,   0,
                                          0x5d, 0x40, 0,    0,    0,    0, 0, 0, 0x3c, 0x40};
    g = geo_from_wkb(ctx, point, sizeof point, NULL, &err);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(geo_geom_srid(g), 0);
    assert_wkt(g, -1, "POINT (116 28)");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_bad_wkb_and_wkt)
{
    core_err err = {0};
    geo_fault fault;
    ck_assert_ptr_null(geo_from_wkb_hex(ctx, "0101zz", &fault, &err));
    ck_assert_int_eq(err.code, CORE_EFORMAT);
    ck_assert_ptr_null(geo_from_wkt(ctx, "POLYGON ((0 0, 1 0", &fault, &err));
    ck_assert_int_eq(err.code, CORE_EFORMAT);
    /* GEOS's own words reach the caller. */
    ck_assert_msg(strstr(err.msg, "cannot read WKT: ParseException") == err.msg, "%s", err.msg);
    ck_assert_ptr_null(geo_from_wkt(ctx, "SRID=x;POINT (1 2)", &fault, &err));
    ck_assert_int_eq(err.code, CORE_EFORMAT);
    /* GEOS refuses to build an open ring: a fault, though without a location. */
    ck_assert_ptr_null(geo_from_wkt(ctx, "POLYGON ((0 0, 10 0, 10 10, 0 1))", &fault, &err));
    ck_assert_int_eq(err.code, CORE_EGEOM);
    ck_assert_str_eq(fault.code, "ring_not_closed");
    ck_assert(!fault.has_location);
}
END_TEST

START_TEST(test_geom_io_wkt_precision)
{
    geo_geom *g = wkt("POINT (116.123456789 28.987654321)");
    assert_wkt(g, 3, "POINT (116.123 28.988)");
    assert_wkt(g, -1, "POINT (116.123456789 28.987654321)");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_wkt_writer_refuses_huge_ordinates)
{
    /* GEOS 3.11 overruns a stack buffer writing 1e300 as WKT; we must refuse, not crash. */
    const char *texts[] = {"MULTIPOINT (0 20, 10 10, 1e300 10)", "POINT (1 -1e15)",
                           "POINT Z (1 2 1e200)"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        geo_geom *g = wkt(texts[i]);
        core_err err = {0};
        char *text = geo_to_wkt(ctx, g, 9, &err);
        ck_assert_msg(text == NULL, "%s was written as %s", texts[i], text ? text : "");
        ck_assert_int_eq(err.code, CORE_EGEOM);
        geo_geom_free(ctx, g);
    }
    geo_geom *g = wkt("POINT (99999999999999 1)");
    assert_wkt(g, 9, "POINT (99999999999999 1)");
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_geom_io_accessors)
{
    core_err err = {0};
    geo_geom *g = wkt("MULTIPOLYGON (((116 28, 117 28, 117 29, 116 29, 116 28)), ((118 25, 118.5 "
                      "25, 118.5 25.5, 118 25)))");
    double minx, miny, maxx, maxy;
    ck_assert_int_eq(geo_geom_bounds(ctx, g, &minx, &miny, &maxx, &maxy, &err), CORE_OK);
    ck_assert_double_eq(minx, 116);
    ck_assert_double_eq(miny, 25);
    ck_assert_double_eq(maxx, 118.5);
    ck_assert_double_eq(maxy, 29);
    ck_assert_int_eq(geo_geom_type(ctx, g), GEO_MULTIPOLYGON);
    ck_assert(geo_geom_type(ctx, g) & GEO_POLYGONAL);
    ck_assert_int_eq(geo_geom_num_points(ctx, g), 9);
    ck_assert_double_eq_tol(geo_geom_area(ctx, g), 1.125, 1e-12);
    geo_geom_set_srid(g, 4490);
    ck_assert_int_eq(geo_geom_srid(g), 4490);

    geo_geom *copy = geo_geom_clone(ctx, g, &err);
    ck_assert_int_eq(geo_geom_srid(copy), 4490);
    assert_wkt(copy, -1,
               "MULTIPOLYGON (((116 28, 117 28, 117 29, 116 29, 116 28)), ((118 25, 118.5 25, "
               "118.5 25.5, 118 25)))");
    geo_geom_free(ctx, copy);
    geo_geom_free(ctx, g);

    g = wkt("POLYGON EMPTY");
    ck_assert(geo_geom_is_empty(ctx, g));
    ck_assert_int_eq(geo_geom_bounds(ctx, g, &minx, &miny, &maxx, &maxy, &err), CORE_EGEOM);
    double x, y;
    ck_assert_int_eq(geo_geom_centroid(ctx, g, &x, &y, &err), CORE_EGEOM);
    geo_geom_free(ctx, g);
    geo_geom_free(ctx, NULL);
}
END_TEST

START_TEST(test_geom_io_force_multi)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"POLYGON ((0 0, 1 0, 1 1, 0 0))", "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"},
        {"POINT (1 2)", "MULTIPOINT (1 2)"},
        {"LINESTRING (1 2, 3 4)", "MULTILINESTRING ((1 2, 3 4))"},
        {"LINEARRING (0 0, 1 0, 1 1, 0 0)", "MULTILINESTRING ((0 0, 1 0, 1 1, 0 0))"},
        {"POLYGON EMPTY", "MULTIPOLYGON EMPTY"},
        {"MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"},
        {"GEOMETRYCOLLECTION (POINT (1 2))", "GEOMETRYCOLLECTION (POINT (1 2))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        core_err err = {0};
        geo_geom *g = wkt(cases[i].in);
        geo_geom_set_srid(g, 4490);
        ck_assert_int_eq(geo_force_multi(ctx, g, &err), CORE_OK);
        assert_wkt(g, -1, cases[i].out);
        ck_assert_int_eq(geo_geom_srid(g), 4490);
        geo_geom_free(ctx, g);
    }
}
END_TEST

Suite *geom_io_suite(void)
{
    Suite *s = suite_create("geom_io");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, test_geom_io_geojson_polygon_with_hole);
    tcase_add_test(tc, test_geom_io_geojson_feature_takes_geometry);
    tcase_add_test(tc, test_geom_io_geojson_every_type_round_trips);
    tcase_add_test(tc, test_geom_io_geojson_precision);
    tcase_add_test(tc, test_geom_io_geojson_refuses_nan);
    tcase_add_test(tc, test_geom_io_geojson_bad_input);
    tcase_add_test(tc, test_geom_io_geojson_deep_nesting_refused);
    tcase_add_test(tc, test_geom_io_geojson_legacy_crs_member);
    tcase_add_test(tc, test_geom_io_ewkb_hex_as_postgis);
    tcase_add_test(tc, test_geom_io_wkb_without_srid);
    tcase_add_test(tc, test_geom_io_bad_wkb_and_wkt);
    tcase_add_test(tc, test_geom_io_wkt_precision);
    tcase_add_test(tc, test_geom_io_wkt_writer_refuses_huge_ordinates);
    tcase_add_test(tc, test_geom_io_accessors);
    tcase_add_test(tc, test_geom_io_force_multi);
    suite_add_tcase(s, tc);
    return s;
}
