/*
 * Shared by the geo/ test suites: the suite constructors main.c runs, a per-test geo_ctx,
 * and helpers that turn geometries into WKT for comparison.
 */
#ifndef PINGAN_TEST_GEO_H
#define PINGAN_TEST_GEO_H

#include <check.h>

#include "geo.h"

Suite *ctx_suite(void);
Suite *geom_io_suite(void);
Suite *validate_suite(void);
Suite *repair_suite(void);
Suite *gcj02_suite(void);
Suite *bounds_suite(void);
Suite *crs_suite(void);
Suite *counties_suite(void);

/* Created by ctx_setup before every test, freed by ctx_teardown after it. */
extern geo_ctx *ctx;
void ctx_setup(void);
void ctx_teardown(void);

/* Parses WKT (EWKT) and fails the test when it cannot. */
geo_geom *wkt(const char *text);
/* Asserts that g written as WKT with `precision` decimals (-1 = full) is `expected`. */
void assert_wkt(const geo_geom *g, int precision, const char *expected);
/* Great-circle distance in metres between two lon/lat points. */
double distance_m(double lon1, double lat1, double lon2, double lat2);

#endif
