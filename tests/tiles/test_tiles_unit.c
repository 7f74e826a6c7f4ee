/* Tile math against known squares (ST_TileEnvelope's numbers), the layer table and its
 * parsing, the per-zoom SQL assembly, and notification payload checking. No database. */
#include "tiles.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_tile_bounds_match_st_tileenvelope)
{
    /* SELECT ST_AsText(ST_TileEnvelope(14, 13421, 6873)) gives these corners. */
    tile_box b = tile_bounds(14, 13421, 6873);
    ck_assert_double_eq_tol(b.minx, 12790055.068902, 1e-3);
    ck_assert_double_eq_tol(b.maxx, 12792501.053807, 1e-3);
    ck_assert_double_eq_tol(b.maxy, 3226254.089861, 1e-3);
    ck_assert_double_eq_tol(b.miny, 3223808.104956, 1e-3);
    tile_box w = tile_bounds(0, 0, 0);
    ck_assert_double_eq_tol(w.minx, -20037508.342789, 1e-3);
    ck_assert_double_eq_tol(w.maxy, 20037508.342789, 1e-3);
    tile_box bb = tile_bounds_buffered(14, 13421, 6873);
    ck_assert_double_eq_tol(bb.minx, b.minx - (b.maxx - b.minx) * 64 / 4096, 1e-6);
}
END_TEST

START_TEST(test_tile_valid_ranges)
{
    ck_assert(tile_valid(0, 0, 0));
    ck_assert(!tile_valid(0, 1, 0));
    ck_assert(tile_valid(3, 7, 7));
    ck_assert(!tile_valid(3, 8, 0));
    ck_assert(!tile_valid(3, 0, -1));
    ck_assert(!tile_valid(-1, 0, 0));
    ck_assert(tile_valid(TILE_MAX_ZOOM, (1L << TILE_MAX_ZOOM) - 1, 0));
    ck_assert(!tile_valid(TILE_MAX_ZOOM + 1, 0, 0));
    int x, y;
    tile_from_lonlat(114.9045, 27.8135, 14, &x, &y);
    ck_assert_int_eq(x, 13421);
    ck_assert_int_eq(y, 6873);
    double ll[4];
    tile_box b = tile_bounds(14, x, y);
    tile_box_lonlat(&b, ll);
    ck_assert(ll[0] <= 114.9045 && ll[2] >= 114.9045 && ll[1] <= 27.8135 && ll[3] >= 27.8135);
}
END_TEST

START_TEST(test_layer_table_and_sets)
{
    ck_assert_int_ge(tile_layer_count(), 7);
    const char *want[] = {"jurisdictions", "jurisdiction_labels", "grids", "key_places", "hazards",
                          "cameras",       "population_units"};
    for (size_t i = 0; i < 7; i++) {
        int k = tile_layer_find(want[i]);
        ck_assert_int_ge(k, 0);
        const tile_layer *l = tile_layer_at(k);
        ck_assert_ptr_nonnull(l->fields);
        ck_assert_ptr_nonnull(l->fields[0].name);
    }
    ck_assert_int_eq(tile_layer_at(tile_layer_find("grids"))->minzoom, 12);
    ck_assert_int_eq(tile_layer_at(tile_layer_find("population_units"))->minzoom, 15);
    tile_set s;
    core_err err = {0};
    ck_assert_int_eq(tile_set_parse("hazards,grids", &s, &err), CORE_OK);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.key, "hazards,grids");
    ck_assert_int_eq(s.idx[0], tile_layer_find("hazards"));
    int minz, maxz;
    tile_set_zooms(&s, &minz, &maxz);
    ck_assert_int_eq(minz, 5);
    ck_assert_int_eq(tile_set_parse("grids,nosuch", &s, &err), CORE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "nosuch"));
    ck_assert_int_eq(tile_set_parse("grids,grids", &s, &err), CORE_EINVAL);
    ck_assert_int_eq(tile_set_parse("grids,", &s, &err), CORE_EINVAL);
    ck_assert_int_eq(tile_set_parse("", &s, &err), CORE_EINVAL);
}
END_TEST

START_TEST(test_set_sql_has_only_layers_drawn_at_the_zoom)
{
    tile_set s;
    ck_assert_int_eq(tile_set_parse("grids,hazards,population_units", &s, NULL), CORE_OK);
    int n;
    core_err err = {0};
    char *sql = tile_set_sql(&s, 8, &n, &err);
    ck_assert_ptr_nonnull(sql);
    ck_assert_int_eq(n, 1); /* hazards only */
    ck_assert_ptr_nonnull(strstr(sql, "'hazards'"));
    ck_assert_ptr_null(strstr(sql, "'grids'"));
    free(sql);
    sql = tile_set_sql(&s, 15, &n, &err);
    ck_assert_int_eq(n, 3);
    /* In the order asked for: grids before hazards before population units. */
    ck_assert(strstr(sql, "'grids'") < strstr(sql, "'hazards'"));
    ck_assert(strstr(sql, "'hazards'") < strstr(sql, "'population_units'"));
    free(sql);
}
END_TEST

START_TEST(test_notification_payloads_checked)
{
    core_err err = {0};
    tile_ctx *t = tile_ctx_create(NULL, 1 << 20, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(tile_invalidate(t, "grids 0 30 1,2,3,4 -"), 0);
    ck_assert_int_eq(tile_invalidate(t, "grids 0 30 - -"), 0);
    ck_assert_int_eq(tile_invalidate(t, "later_layer 0 30 1,2,3,4 5,6,7,8"), 0);
    ck_assert_int_eq(tile_invalidate(t, "grids 0 30 1,2,3 -"), -1);
    ck_assert_int_eq(tile_invalidate(t, "grids 0 30 4,2,3,1 -"), -1); /* min > max */
    ck_assert_int_eq(tile_invalidate(t, "grids"), -1);
    ck_assert_int_eq(tile_invalidate(t, "flush"), 0);
    tile_stats st;
    tile_stats_get(t, &st);
    ck_assert_int_eq(st.notifications, 3);
    ck_assert_int_eq(st.flushes, 1);
    ck_assert(!st.listening);
    tile_ctx_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tiles_unit");
    TCase *tc = tcase_create("unit");
    tcase_add_test(tc, test_tile_bounds_match_st_tileenvelope);
    tcase_add_test(tc, test_tile_valid_ranges);
    tcase_add_test(tc, test_layer_table_and_sets);
    tcase_add_test(tc, test_set_sql_has_only_layers_drawn_at_the_zoom);
    tcase_add_test(tc, test_notification_payloads_checked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
