/* Fixtures and helpers shared by the geo/ test suites. */
#include <math.h>
#include <stdlib.h>

#include "test_geo.h"

geo_ctx *ctx;

void ctx_setup(void)
{
    core_err err = {0};
    ctx = geo_ctx_create(&err);
    ck_assert_msg(ctx != NULL, "geo_ctx_create: %s", err.msg);
}

void ctx_teardown(void)
{
    geo_ctx_free(ctx);
    ctx = NULL;
}

geo_geom *wkt(const char *text)
{
    core_err err = {0};
    geo_geom *g = geo_from_wkt(ctx, text, NULL, &err);
    ck_assert_msg(g != NULL, "cannot read %s: %s", text, err.msg);
    return g;
}

void assert_wkt(const geo_geom *g, int precision, const char *expected)
{
    core_err err = {0};
    char *text = geo_to_wkt(ctx, g, precision, &err);
    ck_assert_msg(text != NULL, "geo_to_wkt: %s", err.msg);
    ck_assert_str_eq(text, expected);
    free(text);
}

double distance_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, rad = 3.14159265358979323846 / 180;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a));
}
