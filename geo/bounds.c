/*
 * Coarse "is it where it should be" boxes: China as the GCJ-02 formula draws it, and a
 * generous Jiangxi envelope for catching swapped axes or wrong CRSs on import.
 */
#include "geo_internal.h"

/* Jiangxi spans about lon 113.57–118.48, lat 24.48–30.08; the margin absorbs datum
 * shifts and slightly overshooting edits. */
#define JX_MIN_LON 113.5
#define JX_MAX_LON 118.5
#define JX_MIN_LAT 24.4
#define JX_MAX_LAT 30.1

bool geo_in_china(double lon, double lat)
{
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

bool geo_in_jiangxi(double minx, double miny, double maxx, double maxy)
{
    return minx >= JX_MIN_LON && maxx <= JX_MAX_LON && miny >= JX_MIN_LAT && maxy <= JX_MAX_LAT &&
           minx <= maxx && miny <= maxy;
}
