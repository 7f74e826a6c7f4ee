/*
 * Validation with the location of the fault: our own checks for what GEOS cannot judge
 * (NaN, out-of-range coordinates, spikes), GEOS's OGC validity for the rest.
 */
#include <math.h>
#include <stdio.h>

#include "geo_internal.h"

/* Beyond any CRS used in China (GK eastings with zone prefix stay below 1e8). */
#define GEO_ABSURD_COORD 1e10

typedef struct {
    bool geographic;
    geo_fault *fault;
} coord_check;

static int check_coords(geo_ctx *ctx, const GEOSCoordSequence *seq, const geo_seq_where *where,
                        void *arg)
{
    coord_check *cc = arg;
    unsigned int n = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->gh, seq, &n))
        return -1;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(ctx->gh, seq, i, &x, &y))
            return -1;
        if (!isfinite(x) || !isfinite(y)) {
            geo_fault_set(cc->fault, GEO_FAULT_INVALID_COORDINATE, NULL);
        } else if (fabs(x) > GEO_ABSURD_COORD || fabs(y) > GEO_ABSURD_COORD ||
                   (cc->geographic && (fabs(x) > 180 || fabs(y) > 90))) {
            char reason[256];
            snprintf(reason, sizeof reason, "coordinate (%.10g %.10g) is out of range%s", x, y,
                     cc->geographic ? " for longitude/latitude" : "");
            geo_fault_set(cc->fault, GEO_FAULT_COORDINATE_OUT_OF_RANGE, reason);
        } else {
            continue;
        }
        geo_fault_at(cc->fault, x, y, where->part, where->ring, (int)i);
        return 1;
    }
    return 0;
}

/* Checks coordinates only; true when all are finite and in range. Used by repair too. */
bool geo_check_coords(geo_ctx *ctx, const geo_geom *g, geo_fault *fault)
{
    coord_check cc = {geo_srid_is_geographic(ctx, g->srid), fault};
    int rc = geo_each_seq(ctx, g->g, check_coords, &cc);
    if (rc < 0) {
        geo_fault_set(fault, GEO_FAULT_TOPOLOGY, "cannot read coordinates");
        return false;
    }
    return rc == 0;
}

/* GEOS's verdict with its reason and location. */
bool geo_check_geos(geo_ctx *ctx, const geo_geom *g, geo_fault *fault)
{
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    /* flags 0: OGC rules, as PostGIS ST_IsValid; a self-touching ring is invalid. */
    char valid = GEOSisValidDetail_r(ctx->gh, g->g, 0, &reason, &where);
    if (valid == 1)
        return true;
    if (valid == 0) {
        geo_fault_set(fault, geo_fault_from_geos_reason(reason), reason);
        double x, y;
        if (where && GEOSGeomGetX_r(ctx->gh, where, &x) && GEOSGeomGetY_r(ctx->gh, where, &y))
            geo_fault_at(fault, x, y, -1, -1, -1);
    } else {
        geo_fault_set(fault, GEO_FAULT_TOPOLOGY,
                      ctx->geos_error[0] ? ctx->geos_error : "GEOS could not validate");
        ctx->geos_error[0] = '\0';
    }
    if (reason)
        GEOSFree_r(ctx->gh, reason);
    if (where)
        GEOSGeom_destroy_r(ctx->gh, where);
    return false;
}

bool geo_validate(geo_ctx *ctx, const geo_geom *g, geo_fault *fault)
{
    geo_fault local;
    if (!fault)
        fault = &local;
    geo_fault_clear(fault);
    if (geo_geom_is_empty(ctx, g)) {
        geo_fault_set(fault, GEO_FAULT_EMPTY, NULL);
        return false;
    }
    /* NaN and absurd values first: GEOS would report them without a usable location. */
    if (!geo_check_coords(ctx, g, fault))
        return false;
    if (!geo_check_geos(ctx, g, fault))
        return false;
    if (geo_find_spike(ctx, g, GEO_SPIKE_TOLERANCE_DEG, fault))
        return false;
    geo_fault_clear(fault);
    return true;
}

bool geo_check_type(geo_ctx *ctx, const geo_geom *g, unsigned allowed, geo_fault *fault)
{
    geo_fault_clear(fault);
    if (geo_geom_type(ctx, g) & allowed)
        return true;
    char reason[256];
    snprintf(reason, sizeof reason, "%s is not allowed here", geo_geom_type_name(ctx, g));
    geo_fault_set(fault, GEO_FAULT_WRONG_TYPE, reason);
    return false;
}
