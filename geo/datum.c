/*
 * Datum changes between WGS84/CGCS2000, GCJ-02 and BD-09 for a point and for every
 * coordinate of a geometry. WGS84 is the hub: any pair goes through it.
 */
#include "geo_internal.h"

static void to_wgs84(geo_datum from, double lon, double lat, double *olon, double *olat)
{
    switch (from) {
    case GEO_DATUM_GCJ02:
        geo_gcj02_to_wgs84(lon, lat, olon, olat);
        break;
    case GEO_DATUM_BD09:
        geo_bd09_to_wgs84(lon, lat, olon, olat);
        break;
    case GEO_DATUM_WGS84:
    default:
        *olon = lon;
        *olat = lat;
    }
}

static void from_wgs84(geo_datum to, double lon, double lat, double *olon, double *olat)
{
    switch (to) {
    case GEO_DATUM_GCJ02:
        geo_wgs84_to_gcj02(lon, lat, olon, olat);
        break;
    case GEO_DATUM_BD09:
        geo_wgs84_to_bd09(lon, lat, olon, olat);
        break;
    case GEO_DATUM_WGS84:
    default:
        *olon = lon;
        *olat = lat;
    }
}

void geo_datum_convert(geo_datum from, geo_datum to, double lon, double lat, double *olon,
                       double *olat)
{
    if (from == to) {
        *olon = lon;
        *olat = lat;
        return;
    }
    /* GCJ-02 ↔ BD-09 directly: the detour through WGS84 would add two iterations. */
    if (from == GEO_DATUM_GCJ02 && to == GEO_DATUM_BD09) {
        geo_gcj02_to_bd09(lon, lat, olon, olat);
        return;
    }
    if (from == GEO_DATUM_BD09 && to == GEO_DATUM_GCJ02) {
        geo_bd09_to_gcj02(lon, lat, olon, olat);
        return;
    }
    double wlon, wlat;
    to_wgs84(from, lon, lat, &wlon, &wlat);
    from_wgs84(to, wlon, wlat, olon, olat);
}

typedef struct {
    geo_datum from, to;
} datum_pair;

static int convert_xy(double *x, double *y, void *userdata)
{
    const datum_pair *p = userdata;
    geo_datum_convert(p->from, p->to, *x, *y, x, y);
    return 1;
}

core_code geo_transform_datum(geo_ctx *ctx, geo_geom *g, geo_datum from, geo_datum to,
                              core_err *err)
{
    if ((unsigned)from > GEO_DATUM_BD09 || (unsigned)to > GEO_DATUM_BD09)
        return core_fail(err, CORE_EINVAL, "unknown datum");
    if (from == to)
        return CORE_OK;
    datum_pair pair = {from, to};
    GEOSGeometry *moved = GEOSGeom_transformXY_r(ctx->gh, g->g, convert_xy, &pair);
    if (!moved)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot change datum");
    geo_geom_replace(ctx, g, moved);
    return CORE_OK;
}
