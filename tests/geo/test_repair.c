/* geo_repair: invalid polygons come back valid, polygonal and located; valid ones untouched. */
#include <stdlib.h>

#include "test_geo.h"

/* Repairs `in` and expects `out` as WKT. */
static void expect_repair(const char *in, const char *out, const char *method)
{
    core_err err = {0};
    geo_repair_info info;
    geo_geom *g = wkt(in), *fixed = NULL;
    ck_assert_msg(geo_repair(ctx, g, &fixed, &info, &err) == CORE_OK, "%s: %s", in, err.msg);
    ck_assert(info.changed);
    ck_assert_str_eq(info.method, method);
    assert_wkt(fixed, -1, out);
    ck_assert(geo_validate(ctx, fixed, NULL));
    assert_wkt(g, -1, in); /* the input is left alone */
    geo_geom_free(ctx, fixed);
    geo_geom_free(ctx, g);
}

START_TEST(test_repair_bowtie_to_multipolygon)
{
    core_err err = {0};
    geo_repair_info info;
    geo_geom *g = wkt("SRID=4490;POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"), *fixed = NULL;
    ck_assert_int_eq(geo_repair(ctx, g, &fixed, &info, &err), CORE_OK);
    assert_wkt(fixed, -1, "MULTIPOLYGON (((5 5, 10 10, 10 0, 5 5)), ((0 0, 0 10, 5 5, 0 0)))");
    ck_assert_int_eq(geo_geom_srid(fixed), 4490);
    ck_assert(info.changed);
    ck_assert_str_eq(info.method, "structure");
    ck_assert_str_eq(info.fault.code, "self_intersection");
    ck_assert_double_eq(info.fault.x, 5);
    ck_assert_double_eq(info.fault.y, 5);
    ck_assert_double_eq(info.area_before, 0); /* the two lobes cancel out */
    ck_assert_double_eq(info.area_after, 50);
    geo_geom_free(ctx, fixed);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_repair_drops_collapsed_parts)
{
    /* The zero-width tail would come back as a line; only the polygon is kept. */
    expect_repair("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0, -5 0, 0 0))",
                  "POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0))", "structure");
    /* An exact spike touches itself, so GEOS flags it and repair cuts it off. */
    expect_repair("POLYGON ((0 0, 4 0, 4 4, 2 4, 2 6, 2 4, 0 4, 0 0))",
                  "POLYGON ((0 0, 0 4, 2 4, 4 4, 4 0, 0 0))", "structure");
    expect_repair("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1), (2 2, 8 2, 8 "
                  "8, 2 8, 2 2))",
                  "POLYGON ((0 10, 10 10, 10 0, 0 0, 0 10), (1 1, 9 1, 9 9, 1 9, 1 1))",
                  "structure");
    expect_repair("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((5 0, 15 0, 15 10, 5 10, 5 0)))",
                  "POLYGON ((0 10, 5 10, 10 10, 15 10, 15 0, 10 0, 5 0, 0 0, 0 10))", "structure");
}
END_TEST

START_TEST(test_repair_valid_is_copied)
{
    core_err err = {0};
    geo_repair_info info;
    const char *text = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))";
    geo_geom *g = wkt(text), *fixed = NULL;
    ck_assert_int_eq(geo_repair(ctx, g, &fixed, &info, &err), CORE_OK);
    ck_assert(!info.changed);
    ck_assert_str_eq(info.method, "none");
    ck_assert_str_eq(info.fault.code, "none");
    ck_assert_ptr_ne(fixed, g);
    assert_wkt(fixed, -1, text);
    ck_assert_double_eq(info.area_before, 100);
    ck_assert_double_eq(info.area_after, 100);
    geo_geom_free(ctx, fixed);
    geo_geom_free(ctx, g);

    /* Repair leaves GEOS-valid spikes alone (geo_validate still reports them). */
    g = wkt("POLYGON ((0 0, 10 0, 10 10, 5.02 10, 5.01 15, 5 10, 0 10, 0 0))");
    ck_assert_int_eq(geo_repair(ctx, g, &fixed, NULL, &err), CORE_OK);
    assert_wkt(fixed, -1, "POLYGON ((0 0, 10 0, 10 10, 5.02 10, 5.01 15, 5 10, 0 10, 0 0))");
    geo_geom_free(ctx, fixed);
    geo_geom_free(ctx, g);
}
END_TEST

START_TEST(test_repair_refuses)
{
    static const char *const texts[] = {
        "POLYGON ((0 0, 10 0, 20 0, 0 0))",         /* all of it collapses to a line */
        "POLYGON ((0 0, 10 0, NaN 10, 0 10, 0 0))", /* nothing sensible to do */
        "POLYGON EMPTY",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        core_err err = {0};
        geo_repair_info info;
        geo_geom *g = wkt(texts[i]), *fixed = (geo_geom *)1;
        ck_assert_int_eq(geo_repair(ctx, g, &fixed, &info, &err), CORE_EGEOM);
        ck_assert_ptr_null(fixed);
        geo_geom_free(ctx, g);
    }
}
END_TEST

Suite *repair_suite(void)
{
    Suite *s = suite_create("repair");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, test_repair_bowtie_to_multipolygon);
    tcase_add_test(tc, test_repair_drops_collapsed_parts);
    tcase_add_test(tc, test_repair_valid_is_copied);
    tcase_add_test(tc, test_repair_refuses);
    suite_add_tcase(s, tc);
    return s;
}
