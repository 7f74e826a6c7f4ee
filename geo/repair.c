/*
 * Repair: GEOS MakeValid (structure method, with fall-backs) cut back to the input's
 * dimension, so that a polygon comes back as a (Multi)Polygon and not a collection.
 */
#include <stdlib.h>
#include <string.h>

#include "geo_internal.h"

typedef struct {
    GEOSGeometry **items;
    size_t n, cap;
} part_list;

static void parts_free(geo_ctx *ctx, part_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        GEOSGeom_destroy_r(ctx->gh, l->items[i]);
    free(l->items);
}

/* Appends copies of the non-empty simple parts of g that have dimension dim. */
static bool collect(geo_ctx *ctx, const GEOSGeometry *g, int dim, part_list *l)
{
    int id = GEOSGeomTypeId_r(ctx->gh, g);
    if (id == GEOS_MULTIPOINT || id == GEOS_MULTILINESTRING || id == GEOS_MULTIPOLYGON ||
        id == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx->gh, g);
        for (int i = 0; i < n; i++)
            if (!collect(ctx, GEOSGetGeometryN_r(ctx->gh, g, i), dim, l))
                return false;
        return true;
    }
    if (GEOSGeom_getDimensions_r(ctx->gh, g) != dim || GEOSisEmpty_r(ctx->gh, g))
        return true;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        GEOSGeometry **items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return false;
        l->items = items;
        l->cap = cap;
    }
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->gh, g);
    if (!copy)
        return false;
    l->items[l->n++] = copy;
    return true;
}

/* Returns a new geometry made of the parts of g with dimension dim: one part as itself,
 * several as a multi. NULL when out of memory. */
static GEOSGeometry *keep_dimension(geo_ctx *ctx, const GEOSGeometry *g, int dim)
{
    static const int multi_of_dim[] = {GEOS_MULTIPOINT, GEOS_MULTILINESTRING, GEOS_MULTIPOLYGON};
    part_list l = {0};
    if (!collect(ctx, g, dim, &l)) {
        parts_free(ctx, &l);
        return NULL;
    }
    GEOSGeometry *out;
    if (l.n == 0)
        out = GEOSGeom_createEmptyCollection_r(ctx->gh, multi_of_dim[dim]);
    else if (l.n == 1)
        out = l.items[0];
    else
        out = GEOSGeom_createCollection_r(ctx->gh, multi_of_dim[dim], l.items, (unsigned)l.n);
    if (out && l.n > 0)
        l.n = 0; /* the parts now belong to out */
    parts_free(ctx, &l);
    return out;
}

static GEOSGeometry *make_valid(geo_ctx *ctx, const GEOSGeometry *g,
                                enum GEOSMakeValidMethods method)
{
    GEOSMakeValidParams *params = GEOSMakeValidParams_create_r(ctx->gh);
    if (!params)
        return NULL;
    GEOSGeometry *fixed = NULL;
    /* keep collapsed = 0: slivers of zero width are dropped rather than returned as lines. */
    if (GEOSMakeValidParams_setMethod_r(ctx->gh, params, method) &&
        GEOSMakeValidParams_setKeepCollapsed_r(ctx->gh, params, 0))
        fixed = GEOSMakeValidWithParams_r(ctx->gh, g, params);
    GEOSMakeValidParams_destroy_r(ctx->gh, params);
    return fixed;
}

/* MakeValid with `method`, cut back to dimension dim. NULL on failure. */
static GEOSGeometry *repair_with(geo_ctx *ctx, const GEOSGeometry *g, int dim,
                                 enum GEOSMakeValidMethods method)
{
    GEOSGeometry *fixed = make_valid(ctx, g, method);
    if (!fixed)
        return NULL;
    GEOSGeometry *kept = keep_dimension(ctx, fixed, dim);
    GEOSGeom_destroy_r(ctx->gh, fixed);
    return kept;
}

/* Tries the repairs from the most faithful down; returns a valid result (possibly empty)
 * and the name of the one that worked, or NULL when none did. */
static GEOSGeometry *repair_valid(geo_ctx *ctx, const GEOSGeometry *g, int dim, const char **method)
{
    /* Structure first: rings are made valid one by one, then shells unioned and holes cut,
     * which keeps the area of an outline that merely grazes itself. */
    GEOSGeometry *r = repair_with(ctx, g, dim, GEOS_MAKE_VALID_STRUCTURE);
    if (r && GEOSisValid_r(ctx->gh, r) == 1) {
        *method = "structure";
        return r;
    }
    /* GEOS 3.11's structure method can return polygons that share edges (seen on the real
     * 永修县 outline); unioning them is the same area, made valid. */
    if (r && dim == 2) {
        GEOSGeometry *u = GEOSUnaryUnion_r(ctx->gh, r);
        if (u && GEOSisValid_r(ctx->gh, u) == 1) {
            GEOSGeom_destroy_r(ctx->gh, r);
            *method = "structure+union";
            return u;
        }
        if (u)
            GEOSGeom_destroy_r(ctx->gh, u);
    }
    if (r)
        GEOSGeom_destroy_r(ctx->gh, r);
    r = repair_with(ctx, g, dim, GEOS_MAKE_VALID_LINEWORK);
    if (r && GEOSisValid_r(ctx->gh, r) == 1) {
        *method = "linework";
        return r;
    }
    if (r)
        GEOSGeom_destroy_r(ctx->gh, r);
    return NULL;
}

core_code geo_repair(geo_ctx *ctx, const geo_geom *g, geo_geom **out, geo_repair_info *info,
                     core_err *err)
{
    geo_repair_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    geo_fault_clear(&info->fault);
    info->method = "none";
    *out = NULL;

    if (geo_geom_is_empty(ctx, g))
        return core_fail(err, CORE_EGEOM, "cannot repair an empty geometry");
    info->area_before = geo_geom_area(ctx, g);
    if (!geo_check_coords(ctx, g, &info->fault))
        return core_fail(err, CORE_EGEOM, "cannot repair: %s at (%.10g %.10g)", info->fault.reason,
                         info->fault.x, info->fault.y);
    if (geo_check_geos(ctx, g, &info->fault)) {
        *out = geo_geom_clone(ctx, g, err);
        info->area_after = info->area_before;
        return *out ? CORE_OK : CORE_ENOMEM;
    }

    int dim = GEOSGeom_getDimensions_r(ctx->gh, g->g);
    if (dim < 0 || dim > 2)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot repair: unknown dimension");
    GEOSGeometry *kept = repair_valid(ctx, g->g, dim, &info->method);
    if (!kept)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot repair");
    if (GEOSisEmpty_r(ctx->gh, kept)) {
        GEOSGeom_destroy_r(ctx->gh, kept);
        return core_fail(err, CORE_EGEOM, "repair left nothing of the geometry (%s at %.10g %.10g)",
                         info->fault.reason, info->fault.x, info->fault.y);
    }
    *out = geo_geom_wrap(ctx, kept, g->srid, err);
    if (!*out)
        return CORE_ENOMEM;
    info->changed = true;
    info->area_after = geo_geom_area(ctx, *out);
    return CORE_OK;
}
