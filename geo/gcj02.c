/*
 * GCJ-02 ("Mars coordinates", AMap/Tencent) and BD-09 (Baidu): the published forward
 * formulas, and inverses solved by fixed-point iteration on them instead of the usual
 * one-step approximations, which are off by up to a couple of metres.
 */
#include <math.h>

#include "geo_internal.h"

/* Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it. */
#define GCJ_A  6378245.0
#define GCJ_EE 0.00669342162296594323
/* BD-09's constant: π × 3000 / 180. */
#define BD_X_PI (GEO_PI * 3000.0 / 180.0)

/* The inverse stops when a step is below this (degrees, ~1 µm); the forward maps are so
 * close to the identity that each step gains about five digits. */
#define INVERSE_EPS      1e-13
#define INVERSE_MAX_ITER 30

static double shift_lat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * GEO_PI) + 40.0 * sin(y / 3.0 * GEO_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * GEO_PI) + 320.0 * sin(y * GEO_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double shift_lon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * GEO_PI) + 40.0 * sin(x / 3.0 * GEO_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * GEO_PI) + 300.0 * sin(x / 30.0 * GEO_PI)) * 2.0 / 3.0;
    return r;
}

void geo_wgs84_to_gcj02(double lon, double lat, double *olon, double *olat)
{
    if (!geo_in_china(lon, lat)) {
        *olon = lon;
        *olat = lat;
        return;
    }
    double dlat = shift_lat(lon - 105.0, lat - 35.0);
    double dlon = shift_lon(lon - 105.0, lat - 35.0);
    double radlat = lat / 180.0 * GEO_PI;
    double magic = sin(radlat);
    magic = 1 - GCJ_EE * magic * magic;
    double sqrtmagic = sqrt(magic);
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtmagic) * GEO_PI);
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * cos(radlat) * GEO_PI);
    *olon = lon + dlon;
    *olat = lat + dlat;
}

void geo_gcj02_to_bd09(double lon, double lat, double *olon, double *olat)
{
    double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
    double theta = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);
    *olon = z * cos(theta) + 0.0065;
    *olat = z * sin(theta) + 0.006;
}

typedef void (*forward_fn)(double, double, double *, double *);

/* Solves forward(x, y) = (lon, lat) for (x, y), starting from (x, y) as given. */
static void invert(forward_fn forward, double lon, double lat, double *x, double *y)
{
    for (int i = 0; i < INVERSE_MAX_ITER; i++) {
        double flon, flat;
        forward(*x, *y, &flon, &flat);
        double dx = flon - lon, dy = flat - lat;
        *x -= dx;
        *y -= dy;
        if (fabs(dx) < INVERSE_EPS && fabs(dy) < INVERSE_EPS)
            break;
    }
}

void geo_gcj02_to_wgs84(double lon, double lat, double *olon, double *olat)
{
    *olon = lon;
    *olat = lat;
    if (geo_in_china(lon, lat))
        invert(geo_wgs84_to_gcj02, lon, lat, olon, olat);
}

void geo_bd09_to_gcj02(double lon, double lat, double *olon, double *olat)
{
    /* The published approximate inverse is the starting point. */
    double x = lon - 0.0065, y = lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
    *olon = z * cos(theta);
    *olat = z * sin(theta);
    invert(geo_gcj02_to_bd09, lon, lat, olon, olat);
}

void geo_wgs84_to_bd09(double lon, double lat, double *olon, double *olat)
{
    double glon, glat;
    geo_wgs84_to_gcj02(lon, lat, &glon, &glat);
    geo_gcj02_to_bd09(glon, glat, olon, olat);
}

void geo_bd09_to_wgs84(double lon, double lat, double *olon, double *olat)
{
    double glon, glat;
    geo_bd09_to_gcj02(lon, lat, &glon, &glat);
    geo_gcj02_to_wgs84(glon, glat, olon, olat);
}
