/*
 * geo_geom: the owned wrapper around a GEOS geometry and its SRID — life cycle, accessors,
 * force-multi, and the walker over coordinate sequences the other files share.
 */
#include <stdlib.h>

#include "geo_internal.h"

geo_geom *geo_geom_wrap(geo_ctx *ctx, GEOSGeometry *g, int srid, core_err *err)
{
    geo_geom *geom = malloc(sizeof *geom);
    if (!geom) {
        GEOSGeom_destroy_r(ctx->gh, g);
        core_fail(err, CORE_ENOMEM, "geometry");
        return NULL;
    }
    geom->g = g;
    geom->srid = srid;
    return geom;
}

void geo_geom_replace(geo_ctx *ctx, geo_geom *geom, GEOSGeometry *g)
{
    GEOSGeom_destroy_r(ctx->gh, geom->g);
    geom->g = g;
}

geo_geom *geo_geom_clone(geo_ctx *ctx, const geo_geom *g, core_err *err)
{
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->gh, g->g);
    if (!copy) {
        geo_fail_geos(ctx, err, CORE_ENOMEM, "cannot copy geometry");
        return NULL;
    }
    return geo_geom_wrap(ctx, copy, g->srid, err);
}

void geo_geom_free(geo_ctx *ctx, geo_geom *g)
{
    if (!g)
        return;
    GEOSGeom_destroy_r(ctx->gh, g->g);
    free(g);
}

geo_type geo_geom_type(geo_ctx *ctx, const geo_geom *g)
{
    int id = GEOSGeomTypeId_r(ctx->gh, g->g);
    /* GEOS type ids run 0..7 in the same order as the geo_type bits. */
    return id >= 0 && id <= GEOS_GEOMETRYCOLLECTION ? (geo_type)(1u << id) : 0;
}

const char *geo_geom_type_name(geo_ctx *ctx, const geo_geom *g)
{
    static const char *const names[] = {
        "Point",      "LineString",      "LinearRing",   "Polygon",
        "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection",
    };
    int id = GEOSGeomTypeId_r(ctx->gh, g->g);
    return id >= 0 && id <= GEOS_GEOMETRYCOLLECTION ? names[id] : "Unknown";
}

int geo_geom_srid(const geo_geom *g)
{
    return g->srid;
}

void geo_geom_set_srid(geo_geom *g, int srid)
{
    g->srid = srid;
}

bool geo_geom_is_empty(geo_ctx *ctx, const geo_geom *g)
{
    return GEOSisEmpty_r(ctx->gh, g->g) != 0;
}

core_code geo_geom_bounds(geo_ctx *ctx, const geo_geom *g, double *minx, double *miny, double *maxx,
                          double *maxy, core_err *err)
{
    if (geo_geom_is_empty(ctx, g))
        return core_fail(err, CORE_EGEOM, "an empty geometry has no bounds");
    if (!GEOSGeom_getXMin_r(ctx->gh, g->g, minx) || !GEOSGeom_getYMin_r(ctx->gh, g->g, miny) ||
        !GEOSGeom_getXMax_r(ctx->gh, g->g, maxx) || !GEOSGeom_getYMax_r(ctx->gh, g->g, maxy))
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot compute bounds");
    return CORE_OK;
}

size_t geo_geom_num_points(geo_ctx *ctx, const geo_geom *g)
{
    int n = GEOSGetNumCoordinates_r(ctx->gh, g->g);
    return n > 0 ? (size_t)n : 0;
}

double geo_geom_area(geo_ctx *ctx, const geo_geom *g)
{
    double area = 0;
    if (!GEOSArea_r(ctx->gh, g->g, &area))
        return 0;
    return area;
}

core_code geo_geom_centroid(geo_ctx *ctx, const geo_geom *g, double *x, double *y, core_err *err)
{
    if (geo_geom_is_empty(ctx, g))
        return core_fail(err, CORE_EGEOM, "an empty geometry has no centroid");
    GEOSGeometry *c = GEOSGetCentroid_r(ctx->gh, g->g);
    if (!c)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot compute centroid");
    int ok = GEOSGeomGetX_r(ctx->gh, c, x) && GEOSGeomGetY_r(ctx->gh, c, y);
    GEOSGeom_destroy_r(ctx->gh, c);
    if (!ok)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot compute centroid");
    return CORE_OK;
}

core_code geo_force_multi(geo_ctx *ctx, geo_geom *g, core_err *err)
{
    int multi;
    switch (GEOSGeomTypeId_r(ctx->gh, g->g)) {
    case GEOS_POINT:
        multi = GEOS_MULTIPOINT;
        break;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        multi = GEOS_MULTILINESTRING;
        break;
    case GEOS_POLYGON:
        multi = GEOS_MULTIPOLYGON;
        break;
    default:
        return CORE_OK;
    }
    GEOSGeometry *result;
    if (geo_geom_is_empty(ctx, g)) {
        /* MULTIPOLYGON EMPTY, not a multi holding one empty polygon. */
        result = GEOSGeom_createEmptyCollection_r(ctx->gh, multi);
    } else {
        GEOSGeometry *part = GEOSGeom_clone_r(ctx->gh, g->g);
        if (!part)
            return geo_fail_geos(ctx, err, CORE_ENOMEM, "cannot copy geometry");
        if (multi == GEOS_MULTILINESTRING && GEOSGeomTypeId_r(ctx->gh, part) == GEOS_LINEARRING) {
            /* A multilinestring holds linestrings; a ring is one that happens to close. */
            GEOSCoordSequence *seq =
                GEOSCoordSeq_clone_r(ctx->gh, GEOSGeom_getCoordSeq_r(ctx->gh, part));
            GEOSGeom_destroy_r(ctx->gh, part);
            part = seq ? GEOSGeom_createLineString_r(ctx->gh, seq) : NULL;
            if (!part)
                return geo_fail_geos(ctx, err, CORE_ENOMEM, "cannot copy geometry");
        }
        result = GEOSGeom_createCollection_r(ctx->gh, multi, &part, 1);
        if (!result)
            GEOSGeom_destroy_r(ctx->gh, part);
    }
    if (!result)
        return geo_fail_geos(ctx, err, CORE_ENOMEM, "cannot make multi geometry");
    geo_geom_replace(ctx, g, result);
    return CORE_OK;
}

/* ---- walking coordinate sequences ------------------------------------------------- */

static int walk(geo_ctx *ctx, const GEOSGeometry *g, geo_seq_fn fn, void *arg, int *part)
{
    int id = GEOSGeomTypeId_r(ctx->gh, g);
    switch (id) {
    case GEOS_POINT:
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: {
        geo_seq_where where = {(*part)++, id == GEOS_LINEARRING ? 0 : -1};
        if (GEOSisEmpty_r(ctx->gh, g))
            return 0;
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->gh, g);
        return seq ? fn(ctx, seq, &where, arg) : -1;
    }
    case GEOS_POLYGON: {
        int p = (*part)++;
        if (GEOSisEmpty_r(ctx->gh, g))
            return 0;
        const GEOSGeometry *shell = GEOSGetExteriorRing_r(ctx->gh, g);
        const GEOSCoordSequence *seq = shell ? GEOSGeom_getCoordSeq_r(ctx->gh, shell) : NULL;
        if (!seq)
            return -1;
        geo_seq_where where = {p, 0};
        int rc = fn(ctx, seq, &where, arg);
        int holes = GEOSGetNumInteriorRings_r(ctx->gh, g);
        for (int i = 0; rc == 0 && i < holes; i++) {
            const GEOSGeometry *hole = GEOSGetInteriorRingN_r(ctx->gh, g, i);
            seq = hole ? GEOSGeom_getCoordSeq_r(ctx->gh, hole) : NULL;
            if (!seq)
                return -1;
            where.ring = i + 1;
            rc = fn(ctx, seq, &where, arg);
        }
        return rc;
    }
    case GEOS_MULTIPOINT:
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(ctx->gh, g);
        for (int i = 0; i < n; i++) {
            const GEOSGeometry *sub = GEOSGetGeometryN_r(ctx->gh, g, i);
            if (!sub)
                return -1;
            int rc = walk(ctx, sub, fn, arg, part);
            if (rc)
                return rc;
        }
        return 0;
    }
    default:
        return -1;
    }
}

int geo_each_seq(geo_ctx *ctx, const GEOSGeometry *g, geo_seq_fn fn, void *arg)
{
    int part = 0;
    return walk(ctx, g, fn, arg, &part);
}
