/*
 * Coordinate reference systems through PROJ: transforms with x = easting/longitude always,
 * a small per-ctx cache of transformations, and the Gauss-Krüger zone numbering of
 * Chinese surveys (EPSG codes checked against proj.db).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo_internal.h"

/* Returns the transformation from → to, x/y in easting/northing order. *cached tells
 * whether the ctx keeps it; if not, the caller destroys it. */
static PJ *get_pj(geo_ctx *ctx, const char *from, const char *to, bool *cached, core_err *err)
{
    bool fits = strlen(from) < GEO_CRS_NAME_MAX && strlen(to) < GEO_CRS_NAME_MAX;
    if (fits)
        for (unsigned i = 0; i < GEO_PJ_CACHE; i++) {
            geo_pj_entry *e = &ctx->pj_cache[i];
            if (e->pj && strcmp(e->from, from) == 0 && strcmp(e->to, to) == 0) {
                *cached = true;
                return e->pj;
            }
        }
    ctx->proj_error[0] = '\0';
    PJ *raw = proj_create_crs_to_crs(ctx->pj, from, to, NULL);
    if (!raw) {
        char what[2 * GEO_CRS_NAME_MAX + 64];
        snprintf(what, sizeof what, "cannot transform from %.127s to %.127s", from, to);
        geo_fail_proj(ctx, NULL, err, CORE_ECRS, what);
        return NULL;
    }
    /* Authorities put latitude (or northing) first for EPSG:4490, 4326 and 4547; GeoJSON,
     * WKT in PostGIS and our callers always mean x = longitude/easting. */
    PJ *pj = proj_normalize_for_visualization(ctx->pj, raw);
    proj_destroy(raw);
    if (!pj) {
        geo_fail_proj(ctx, NULL, err, CORE_ECRS, "cannot normalise axis order");
        return NULL;
    }
    *cached = fits;
    if (fits) {
        geo_pj_entry *e = &ctx->pj_cache[ctx->pj_next++ % GEO_PJ_CACHE];
        if (e->pj)
            proj_destroy(e->pj);
        snprintf(e->from, sizeof e->from, "%s", from);
        snprintf(e->to, sizeof e->to, "%s", to);
        e->pj = pj;
    }
    return pj;
}

static void release_pj(PJ *pj, bool cached)
{
    if (!cached)
        proj_destroy(pj);
}

/* The SRID a CRS name stands for: EPSG codes in their usual spellings, CRS84 as 4326
 * (the same datum with lon/lat order, which is what SRID 4326 means in PostGIS). */
int geo_srid_of_crs(const char *crs)
{
    static const char *const epsg_prefixes[] = {
        "EPSG:",
        "urn:ogc:def:crs:EPSG::",
        "http://www.opengis.net/def/crs/EPSG/0/",
        "https://www.opengis.net/def/crs/EPSG/0/",
    };
    for (size_t i = 0; i < sizeof epsg_prefixes / sizeof epsg_prefixes[0]; i++) {
        size_t n = strlen(epsg_prefixes[i]);
        if (strncasecmp(crs, epsg_prefixes[i], n) == 0) {
            const char *digits = crs + n;
            char *end;
            long code = strtol(digits, &end, 10);
            return (end != digits && *end == '\0' && code > 0 && code < 1000000) ? (int)code : 0;
        }
    }
    size_t len = strlen(crs);
    if (len >= 5 && strcasecmp(crs + len - 5, "CRS84") == 0)
        return 4326;
    return 0;
}

typedef struct {
    geo_ctx *ctx;
    PJ *pj;
    double bad_x, bad_y; /* the first point PROJ could not take */
    bool failed;
} trans_job;

static int transform_xy(double *x, double *y, void *userdata)
{
    trans_job *job = userdata;
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    PJ_COORD t = proj_trans(job->pj, PJ_FWD, c);
    if (!isfinite(t.xy.x) || !isfinite(t.xy.y)) {
        job->failed = true;
        job->bad_x = *x;
        job->bad_y = *y;
        return 0;
    }
    *x = t.xy.x;
    *y = t.xy.y;
    return 1;
}

core_code geo_crs_transform(geo_ctx *ctx, geo_geom *g, const char *from_crs, const char *to_crs,
                            core_err *err)
{
    char from_buf[32];
    if (!from_crs) {
        if (g->srid <= 0)
            return core_fail(err, CORE_ECRS, "the geometry has no SRID to transform from");
        snprintf(from_buf, sizeof from_buf, "EPSG:%d", g->srid);
        from_crs = from_buf;
    }
    if (!to_crs)
        return core_fail(err, CORE_EINVAL, "no target CRS");
    bool cached;
    PJ *pj = get_pj(ctx, from_crs, to_crs, &cached, err);
    if (!pj)
        return CORE_ECRS;
    trans_job job = {ctx, pj, NAN, NAN, false};
    GEOSGeometry *moved = GEOSGeom_transformXY_r(ctx->gh, g->g, transform_xy, &job);
    core_code rc = CORE_OK;
    if (!moved && job.failed) {
        char what[160];
        snprintf(what, sizeof what, "cannot transform point (%.10g %.10g)", job.bad_x, job.bad_y);
        rc = geo_fail_proj(ctx, pj, err, CORE_ECRS, what);
        ctx->geos_error[0] = '\0';
    } else if (!moved) {
        rc = geo_fail_geos(ctx, err, CORE_ENOMEM, "cannot transform");
    } else {
        geo_geom_replace(ctx, g, moved);
        g->srid = geo_srid_of_crs(to_crs);
    }
    release_pj(pj, cached);
    return rc;
}

core_code geo_crs_transform_xy(geo_ctx *ctx, const char *from_crs, const char *to_crs, double *x,
                               double *y, core_err *err)
{
    bool cached;
    PJ *pj = get_pj(ctx, from_crs, to_crs, &cached, err);
    if (!pj)
        return CORE_ECRS;
    trans_job job = {ctx, pj, NAN, NAN, false};
    core_code rc = CORE_OK;
    if (!transform_xy(x, y, &job)) {
        char what[160];
        snprintf(what, sizeof what, "cannot transform point (%.10g %.10g)", job.bad_x, job.bad_y);
        rc = geo_fail_proj(ctx, pj, err, CORE_ECRS, what);
    }
    release_pj(pj, cached);
    return rc;
}

bool geo_srid_is_geographic(geo_ctx *ctx, int srid)
{
    switch (srid) {
    case 4326: /* WGS84 */
    case 4490: /* CGCS2000 */
    case 4610: /* Xian 1980 */
    case 4214: /* Beijing 1954 */
        return true;
    case 0:
    case 3857:
        return false;
    default:
        break;
    }
    if (srid < 0)
        return false;
    if (ctx->geog_srid == srid)
        return ctx->geog_is;
    char code[16];
    snprintf(code, sizeof code, "%d", srid);
    PJ *crs = proj_create_from_database(ctx->pj, "EPSG", code, PJ_CATEGORY_CRS, 0, NULL);
    bool geographic = false;
    if (crs) {
        PJ_TYPE type = proj_get_type(crs);
        geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
        proj_destroy(crs);
    }
    ctx->proj_error[0] = '\0'; /* an unknown code is an answer here, not an error */
    ctx->geog_srid = srid;
    ctx->geog_is = geographic;
    return geographic;
}

int geo_gk_zone_from_easting(double x)
{
    /* Zone-prefixed eastings are zone × 10⁶ + (500 000 ± a zone's half width). */
    if (!(x >= 1e7 && x < 1e8))
        return 0;
    int zone = (int)floor(x / 1e6);
    return zone >= 25 && zone <= 45 ? zone : 0;
}

int geo_gk3_epsg(geo_gk_datum datum, int zone, bool zone_prefix)
{
    /* proj.db: "<datum> / 3-degree Gauss-Kruger zone 25..45" and "… CM 75E..135E" are
     * consecutive code ranges. */
    static const struct {
        int prefixed, cm;
    } base[] = {
        [GEO_GK_CGCS2000] = {4513, 4534},
        [GEO_GK_XIAN1980] = {2349, 2370},
        [GEO_GK_BEIJING1954] = {2401, 2422},
    };
    if ((unsigned)datum > GEO_GK_BEIJING1954 || zone < 25 || zone > 45)
        return 0;
    return (zone_prefix ? base[datum].prefixed : base[datum].cm) + zone - 25;
}
