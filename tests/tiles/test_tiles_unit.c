/* Tile math against known squares (ST_TileEnvelope's numbers), the layer table and its
 * parsing, the per-zoom SQL assembly, and notification payload checking. No database. */
#include "tile_internal.h"
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

/* Lists a fake built tile of a set, as tile_get does after PostGIS answered. */
static void put(tile_ctx *t, const char *layers, int z, int x, int y, size_t bytes)
{
    tile_set s;
    ck_assert_int_eq(tile_set_parse(layers, &s, NULL), CORE_OK);
    tile_entry *e = calloc(1, sizeof *e);
    e->key = strdup(s.key);
    e->data = calloc(1, bytes ? bytes : 1);
    e->ref.gz = e->data;
    e->ref.gz_len = bytes;
    e->ref.raw_len = bytes;
    atomic_init(&e->refs, 1);
    e->mask = s.mask;
    e->z = z, e->x = x, e->y = y;
    e->cost = sizeof *e + bytes + strlen(e->key) + 1;
    unsigned long long epoch;
    tile_ref *old = (tile_ref *)tile_cache_lookup(t, &s, z, x, y, &epoch);
    ck_assert_msg(old == NULL, "%s %d/%d/%d listed twice", layers, z, x, y);
    tile_cache_insert(t, e, epoch);
    tile_ref_release(&e->ref);
}

static bool cached(tile_ctx *t, const char *layers, int z, int x, int y)
{
    tile_set s;
    tile_set_parse(layers, &s, NULL);
    unsigned long long epoch;
    tile_entry *e = tile_cache_lookup(t, &s, z, x, y, &epoch);
    if (e)
        tile_ref_release(&e->ref);
    return e != NULL;
}

START_TEST(test_invalidation_drops_exactly_the_tiles_touching_the_boxes)
{
    core_err err = {0};
    tile_ctx *t = tile_ctx_create(NULL, 1LL << 30, &err);
    tile_set_listening(t, true);
    /* Every tile around a grid in Xinyu at z12..z16, for grids and for hazards. */
    const double lon0 = 114.900, lat0 = 27.800, lon1 = 114.9125, lat1 = 27.810;
    long n = 0;
    for (int z = 12; z <= 16; z++) {
        int xa, ya, xb, yb;
        tile_from_lonlat(lon0 - 0.03, lat1 + 0.03, z, &xa, &ya);
        tile_from_lonlat(lon1 + 0.03, lat0 - 0.03, z, &xb, &yb);
        for (int x = xa; x <= xb; x++)
            for (int y = ya; y <= yb; y++) {
                put(t, "grids", z, x, y, 100);
                put(t, "hazards", z, x, y, 100);
                n += 2;
            }
    }
    tile_stats st;
    tile_stats_get(t, &st);
    ck_assert_int_eq(st.entries, n);
    /* The box in 3857 of the grid, as tile_box() in SQL writes it (rounded outwards). */
    const double R = 6378137.0;
    tile_box b = {floor(lon0 * M_PI / 180 * R), floor(log(tan(M_PI / 4 + lat0 * M_PI / 360)) * R),
                  ceil(lon1 * M_PI / 180 * R), ceil(log(tan(M_PI / 4 + lat1 * M_PI / 360)) * R)};
    char payload[200];
    snprintf(payload, sizeof payload, "grids 0 30 %.0f,%.0f,%.0f,%.0f -", b.minx, b.miny, b.maxx,
             b.maxy);
    long dropped = tile_invalidate(t, payload);
    ck_assert_int_gt(dropped, 5);
    /* Brute force: a grids tile must be gone exactly when its buffered square touches b. */
    long expect = 0;
    for (int z = 12; z <= 16; z++) {
        int xa, ya, xb, yb;
        tile_from_lonlat(lon0 - 0.03, lat1 + 0.03, z, &xa, &ya);
        tile_from_lonlat(lon1 + 0.03, lat0 - 0.03, z, &xb, &yb);
        for (int x = xa; x <= xb; x++)
            for (int y = ya; y <= yb; y++) {
                tile_box a = tile_bounds_buffered(z, x, y);
                bool touch =
                    a.minx <= b.maxx && a.maxx >= b.minx && a.miny <= b.maxy && a.maxy >= b.miny;
                expect += touch;
                ck_assert_msg(cached(t, "grids", z, x, y) == !touch, "grids %d/%d/%d", z, x, y);
                ck_assert_msg(cached(t, "hazards", z, x, y), "hazards %d/%d/%d dropped", z, x, y);
            }
    }
    ck_assert_int_eq(dropped, expect);
    /* Zooms outside the notification's range and layers not drawn there are kept. */
    int x16, y16, x11, y11;
    tile_from_lonlat(114.906, 27.805, 16, &x16, &y16);
    tile_from_lonlat(114.906, 27.805, 11, &x11, &y11);
    put(t, "grids", 16, x16, y16, 100);
    put(t, "grids", 11, x11, y11, 100); /* grids are not drawn at z11 */
    snprintf(payload, sizeof payload, "grids 0 15 %.0f,%.0f,%.0f,%.0f -", b.minx, b.miny, b.maxx,
             b.maxy);
    ck_assert_int_eq(tile_invalidate(t, payload), 0);
    ck_assert(cached(t, "grids", 16, x16, y16));
    ck_assert(cached(t, "grids", 11, x11, y11));
    tile_ctx_free(t);
}
END_TEST

START_TEST(test_budget_evicts_least_recently_used)
{
    core_err err = {0};
    long long budget = 3 * (long long)(sizeof(tile_entry) + 1000 + 6) + 10;
    tile_ctx *t = tile_ctx_create(NULL, budget, &err);
    tile_set_listening(t, true);
    put(t, "grids", 14, 1, 1, 1000);
    put(t, "grids", 14, 1, 2, 1000);
    put(t, "grids", 14, 1, 3, 1000);
    ck_assert(cached(t, "grids", 14, 1, 1)); /* now the most recent */
    put(t, "grids", 14, 1, 4, 1000);
    ck_assert(!cached(t, "grids", 14, 1, 2)); /* the least recent went */
    ck_assert(cached(t, "grids", 14, 1, 1));
    ck_assert(cached(t, "grids", 14, 1, 3));
    ck_assert(cached(t, "grids", 14, 1, 4));
    tile_stats st;
    tile_stats_get(t, &st);
    ck_assert_int_eq(st.evictions, 1);
    ck_assert_int_le(st.bytes, budget);
    /* Not listening: nothing is cached, since a change could not be heard. */
    tile_set_listening(t, false);
    put(t, "grids", 14, 1, 5, 10);
    ck_assert(!cached(t, "grids", 14, 1, 5));
    tile_ctx_free(t);
}
END_TEST

START_TEST(test_tile_built_across_a_change_is_not_cached)
{
    core_err err = {0};
    tile_ctx *t = tile_ctx_create(NULL, 1 << 20, &err);
    tile_set_listening(t, true);
    tile_set s;
    tile_set_parse("grids", &s, NULL);
    tile_box a = tile_bounds(14, 13421, 6873);
    unsigned long long epoch;
    ck_assert_ptr_null(tile_cache_lookup(t, &s, 14, 13421, 6873, &epoch));
    /* While "PostGIS builds" the tile, a change to it is applied. */
    char payload[200];
    snprintf(payload, sizeof payload, "grids 0 30 %.0f,%.0f,%.0f,%.0f -", a.minx + 10, a.miny + 10,
             a.minx + 20, a.miny + 20);
    tile_invalidate(t, payload);
    tile_entry *e = calloc(1, sizeof *e);
    e->key = strdup(s.key);
    atomic_init(&e->refs, 1);
    e->mask = s.mask;
    e->z = 14, e->x = 13421, e->y = 6873;
    e->cost = sizeof *e;
    tile_cache_insert(t, e, epoch);
    tile_ref_release(&e->ref);
    ck_assert(!cached(t, "grids", 14, 13421, 6873));
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
    tcase_add_test(tc, test_invalidation_drops_exactly_the_tiles_touching_the_boxes);
    tcase_add_test(tc, test_budget_evicts_least_recently_used);
    tcase_add_test(tc, test_tile_built_across_a_change_is_not_cached);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
