/*
 * GeoJSON in and out. Read with jansson rather than GEOS's reader so that an open ring or
 * a one-point line is reported with its position instead of a bare exception; written by
 * hand so that the number of decimals is ours to choose.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_internal.h"

/* Deeper GeometryCollections than this are an attack, not data. */
#define GEOJSON_MAX_DEPTH 32

typedef struct {
    geo_ctx *ctx;
    geo_fault *fault;
    core_err *err;
    int part; /* simple components seen so far, as geo_fault numbers them */
} reader;

static bool read_position(reader *r, const json_t *pos, double xyz[3], int *dims)
{
    size_t n = json_is_array(pos) ? json_array_size(pos) : 0;
    if (n < 2 || !json_is_number(json_array_get(pos, 0)) ||
        !json_is_number(json_array_get(pos, 1))) {
        core_fail(r->err, CORE_EFORMAT, "a GeoJSON position must be an array of 2 or 3 numbers");
        return false;
    }
    xyz[0] = json_number_value(json_array_get(pos, 0));
    xyz[1] = json_number_value(json_array_get(pos, 1));
    *dims = 2;
    if (n >= 3 && json_is_number(json_array_get(pos, 2))) {
        xyz[2] = json_number_value(json_array_get(pos, 2));
        *dims = 3;
    } else {
        xyz[2] = NAN;
    }
    return true;
}

/* Reports a structural fault at a position of the current part. */
static void fault_at(reader *r, geo_fault_kind kind, const char *reason, const json_t *pos,
                     int ring, int vertex)
{
    double xyz[3];
    int dims;
    core_err ignored;
    geo_fault_set(r->fault, kind, reason);
    reader quiet = *r;
    quiet.err = &ignored;
    if (pos && read_position(&quiet, pos, xyz, &dims))
        geo_fault_at(r->fault, xyz[0], xyz[1], r->part, ring, vertex);
    core_fail(r->err, CORE_EGEOM, "%s", reason);
}

/* Reads an array of positions into a new sequence (NULL and true for an empty array).
 * ring >= 0 asks for a closed ring of at least 4 positions, else at least `min`. */
static bool read_seq(reader *r, const json_t *arr, unsigned min, int ring, GEOSCoordSequence **out)
{
    *out = NULL;
    if (!json_is_array(arr)) {
        core_fail(r->err, CORE_EFORMAT, "GeoJSON coordinates must be arrays");
        return false;
    }
    size_t n = json_array_size(arr);
    if (n == 0)
        return true;
    if (n > 100000000) {
        core_fail(r->err, CORE_ELIMIT, "too many positions");
        return false;
    }
    /* Malformed text first: a fault is about a geometry that was at least well written. */
    int dims = 2;
    double xyz[3];
    for (size_t i = 0; i < n; i++) {
        int d;
        if (!read_position(r, json_array_get(arr, i), xyz, &d))
            return false;
        if (d == 3)
            dims = 3;
    }
    if (n < min) {
        char reason[160];
        snprintf(reason, sizeof reason, "%s has %zu positions, needs at least %u",
                 ring >= 0 ? "ring" : "line", n, min);
        fault_at(r, GEO_FAULT_TOO_FEW_POINTS, reason, json_array_get(arr, 0), ring, 0);
        return false;
    }
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(r->ctx->gh, (unsigned)n, (unsigned)dims);
    if (!seq) {
        geo_fail_geos(r->ctx, r->err, CORE_ENOMEM, "coordinates");
        return false;
    }
    double first[3] = {0}, last[3] = {0};
    for (size_t i = 0; i < n; i++) {
        int d;
        read_position(r, json_array_get(arr, i), xyz, &d);
        GEOSCoordSeq_setXY_r(r->ctx->gh, seq, (unsigned)i, xyz[0], xyz[1]);
        if (dims == 3)
            GEOSCoordSeq_setZ_r(r->ctx->gh, seq, (unsigned)i, xyz[2]);
        if (i == 0)
            memcpy(first, xyz, sizeof first);
        memcpy(last, xyz, sizeof last);
    }
    if (ring >= 0 && (first[0] != last[0] || first[1] != last[1])) {
        char reason[200];
        snprintf(reason, sizeof reason, "ring starts at (%.10g %.10g) but ends at (%.10g %.10g)",
                 first[0], first[1], last[0], last[1]);
        fault_at(r, GEO_FAULT_RING_NOT_CLOSED, reason, json_array_get(arr, 0), ring, 0);
        GEOSCoordSeq_destroy_r(r->ctx->gh, seq);
        return false;
    }
    *out = seq;
    return true;
}

static GEOSGeometry *read_point(reader *r, const json_t *coords)
{
    r->part++;
    if (json_is_array(coords) && json_array_size(coords) == 0)
        return GEOSGeom_createEmptyPoint_r(r->ctx->gh);
    double xyz[3];
    int dims;
    if (!read_position(r, coords, xyz, &dims))
        return NULL;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(r->ctx->gh, 1, (unsigned)dims);
    if (!seq)
        return NULL;
    GEOSCoordSeq_setXY_r(r->ctx->gh, seq, 0, xyz[0], xyz[1]);
    if (dims == 3)
        GEOSCoordSeq_setZ_r(r->ctx->gh, seq, 0, xyz[2]);
    return GEOSGeom_createPoint_r(r->ctx->gh, seq);
}

static GEOSGeometry *read_line(reader *r, const json_t *coords)
{
    GEOSCoordSequence *seq;
    bool ok = read_seq(r, coords, 2, -1, &seq);
    r->part++;
    if (!ok)
        return NULL;
    return seq ? GEOSGeom_createLineString_r(r->ctx->gh, seq)
               : GEOSGeom_createEmptyLineString_r(r->ctx->gh);
}

static GEOSGeometry *read_polygon(reader *r, const json_t *coords)
{
    if (!json_is_array(coords)) {
        core_fail(r->err, CORE_EFORMAT, "polygon coordinates must be an array of rings");
        return NULL;
    }
    size_t n = json_array_size(coords);
    if (n == 0) {
        r->part++;
        return GEOSGeom_createEmptyPolygon_r(r->ctx->gh);
    }
    GEOSGeometry **rings = calloc(n, sizeof *rings);
    if (!rings) {
        core_fail(r->err, CORE_ENOMEM, "polygon");
        return NULL;
    }
    GEOSGeometry *poly = NULL;
    size_t made = 0;
    for (; made < n; made++) {
        GEOSCoordSequence *seq;
        if (!read_seq(r, json_array_get(coords, made), 4, (int)made, &seq))
            goto done;
        if (!seq) {
            fault_at(r, GEO_FAULT_TOO_FEW_POINTS, "ring has no positions", NULL, (int)made, -1);
            goto done;
        }
        rings[made] = GEOSGeom_createLinearRing_r(r->ctx->gh, seq);
        if (!rings[made]) {
            geo_fail_geos(r->ctx, r->err, CORE_EGEOM, "bad ring");
            goto done;
        }
    }
    poly = GEOSGeom_createPolygon_r(r->ctx->gh, rings[0], rings + 1, (unsigned)(n - 1));
    if (poly)
        made = 0; /* the rings now belong to poly */
    else
        geo_fail_geos(r->ctx, r->err, CORE_EGEOM, "bad polygon");
done:
    for (size_t i = 0; i < made; i++)
        GEOSGeom_destroy_r(r->ctx->gh, rings[i]);
    free(rings);
    r->part++;
    return poly;
}

static GEOSGeometry *read_geometry(reader *r, const json_t *obj, int depth);

/* Multi* (members from `coordinates`) and GeometryCollection (from `geometries`). */
static GEOSGeometry *read_collection(reader *r, const json_t *members, int type, int depth)
{
    if (!json_is_array(members)) {
        core_fail(r->err, CORE_EFORMAT, "multi geometry members must be an array");
        return NULL;
    }
    size_t n = json_array_size(members);
    if (n == 0)
        return GEOSGeom_createEmptyCollection_r(r->ctx->gh, type);
    GEOSGeometry **parts = calloc(n, sizeof *parts);
    if (!parts) {
        core_fail(r->err, CORE_ENOMEM, "collection");
        return NULL;
    }
    GEOSGeometry *coll = NULL;
    size_t made = 0;
    for (; made < n; made++) {
        const json_t *m = json_array_get(members, made);
        switch (type) {
        case GEOS_MULTIPOINT:
            parts[made] = read_point(r, m);
            break;
        case GEOS_MULTILINESTRING:
            parts[made] = read_line(r, m);
            break;
        case GEOS_MULTIPOLYGON:
            parts[made] = read_polygon(r, m);
            break;
        default:
            parts[made] = read_geometry(r, m, depth + 1);
        }
        if (!parts[made]) {
            if (r->err && r->err->code == CORE_OK)
                geo_fail_geos(r->ctx, r->err, CORE_EGEOM, "bad member");
            goto done;
        }
    }
    coll = GEOSGeom_createCollection_r(r->ctx->gh, type, parts, (unsigned)n);
    if (coll)
        made = 0; /* the parts now belong to coll */
    else
        geo_fail_geos(r->ctx, r->err, CORE_EGEOM, "bad collection");
done:
    for (size_t i = 0; i < made; i++)
        GEOSGeom_destroy_r(r->ctx->gh, parts[i]);
    free(parts);
    return coll;
}

static GEOSGeometry *read_geometry(reader *r, const json_t *obj, int depth)
{
    if (depth > GEOJSON_MAX_DEPTH) {
        core_fail(r->err, CORE_ELIMIT, "GeoJSON nested too deep");
        return NULL;
    }
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!json_is_object(obj) || !type) {
        core_fail(r->err, CORE_EFORMAT, "a GeoJSON object needs a \"type\"");
        return NULL;
    }
    const json_t *coords = json_object_get(obj, "coordinates");
    if (strcmp(type, "GeometryCollection") == 0)
        return read_collection(r, json_object_get(obj, "geometries"), GEOS_GEOMETRYCOLLECTION,
                               depth);
    GEOSGeometry *g = NULL;
    if (!coords && (strcmp(type, "Point") == 0 || strcmp(type, "LineString") == 0 ||
                    strcmp(type, "Polygon") == 0 || strncmp(type, "Multi", 5) == 0)) {
        core_fail(r->err, CORE_EFORMAT, "GeoJSON %.40s has no \"coordinates\"", type);
        return NULL;
    }
    if (strcmp(type, "Point") == 0)
        g = read_point(r, coords);
    else if (strcmp(type, "LineString") == 0)
        g = read_line(r, coords);
    else if (strcmp(type, "Polygon") == 0)
        g = read_polygon(r, coords);
    else if (strcmp(type, "MultiPoint") == 0)
        return read_collection(r, coords, GEOS_MULTIPOINT, depth);
    else if (strcmp(type, "MultiLineString") == 0)
        return read_collection(r, coords, GEOS_MULTILINESTRING, depth);
    else if (strcmp(type, "MultiPolygon") == 0)
        return read_collection(r, coords, GEOS_MULTIPOLYGON, depth);
    else {
        /* A Feature is unwrapped by the caller, only at the top. */
        core_fail(r->err, CORE_EFORMAT, "expected a GeoJSON geometry%s, not %.40s",
                  depth == 0 ? " or Feature" : "", type);
        return NULL;
    }
    if (!g && r->err && r->err->code == CORE_OK)
        geo_fail_geos(r->ctx, r->err, CORE_EGEOM, "bad geometry");
    return g;
}

geo_geom *geo_from_geojson(geo_ctx *ctx, const char *text, geo_fault *fault, core_err *err)
{
    core_err local;
    if (!err)
        err = &local;
    core_err_clear(err);
    geo_fault_clear(fault);
    json_error_t jerr;
    /* Big integers as reals: coordinates are never meant as int64. */
    json_t *root = json_loads(text, JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        core_fail(err, CORE_EFORMAT, "not JSON: %s at line %d column %d", jerr.text, jerr.line,
                  jerr.column);
        return NULL;
    }
    const json_t *obj = root;
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && strcmp(type, "Feature") == 0) {
        obj = json_object_get(root, "geometry");
        if (!json_is_object(obj)) {
            json_decref(root);
            core_fail(err, CORE_EINVAL, "the Feature has no geometry");
            return NULL;
        }
    }
    /* The 2008 GeoJSON "crs" member, still written by QGIS and ogr2ogr for non-WGS84 data. */
    int srid = 4326;
    const json_t *crs = json_object_get(obj, "crs");
    if (!crs)
        crs = json_object_get(root, "crs");
    const char *crs_name =
        json_string_value(json_object_get(json_object_get(crs, "properties"), "name"));
    if (crs_name)
        srid = geo_srid_of_crs(crs_name);

    reader r = {ctx, fault, err, 0};
    GEOSGeometry *g = read_geometry(&r, obj, 0);
    json_decref(root);
    if (!g)
        return NULL;
    return geo_geom_wrap(ctx, g, srid, err);
}

/* ---- writing ---------------------------------------------------------------------- */

typedef struct {
    geo_ctx *ctx;
    core_buf *b;
    int precision;
    bool ok;
    bool nonfinite;
} writer;

static void put_num(writer *w, double v)
{
    char num[64];
    if (!isfinite(v)) {
        w->nonfinite = true;
        w->ok = false;
        return;
    }
    if (w->precision < 0) {
        /* Shortest text that reads back to the same double. */
        for (int p = 15; p <= 17; p++) {
            snprintf(num, sizeof num, "%.*g", p, v);
            if (strtod(num, NULL) == v)
                break;
        }
    } else {
        snprintf(num, sizeof num, "%.*f", w->precision, v);
        char *dot = strchr(num, '.');
        if (dot) {
            char *end = num + strlen(num) - 1;
            while (end > dot && *end == '0')
                *end-- = '\0';
            if (end == dot)
                *end = '\0';
        }
        if (strcmp(num, "-0") == 0)
            strcpy(num, "0");
    }
    if (w->ok && !core_buf_puts(w->b, num))
        w->ok = false;
}

static void put(writer *w, const char *s)
{
    if (w->ok && !core_buf_puts(w->b, s))
        w->ok = false;
}

static void put_position(writer *w, const GEOSCoordSequence *seq, unsigned i, unsigned dims)
{
    double x = NAN, y = NAN, z = NAN;
    GEOSCoordSeq_getXY_r(w->ctx->gh, seq, i, &x, &y);
    if (dims >= 3)
        GEOSCoordSeq_getZ_r(w->ctx->gh, seq, i, &z);
    put(w, "[");
    put_num(w, x);
    put(w, ",");
    put_num(w, y);
    if (!isnan(z)) {
        put(w, ",");
        put_num(w, z);
    }
    put(w, "]");
}

static void put_positions(writer *w, const GEOSGeometry *g)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(w->ctx->gh, g);
    unsigned n = 0, dims = 2;
    if (!seq || !GEOSCoordSeq_getSize_r(w->ctx->gh, seq, &n) ||
        !GEOSCoordSeq_getDimensions_r(w->ctx->gh, seq, &dims)) {
        w->ok = false;
        return;
    }
    put(w, "[");
    for (unsigned i = 0; i < n && w->ok; i++) {
        if (i)
            put(w, ",");
        put_position(w, seq, i, dims);
    }
    put(w, "]");
}

static void put_rings(writer *w, const GEOSGeometry *poly)
{
    put(w, "[");
    if (!GEOSisEmpty_r(w->ctx->gh, poly)) {
        put_positions(w, GEOSGetExteriorRing_r(w->ctx->gh, poly));
        int holes = GEOSGetNumInteriorRings_r(w->ctx->gh, poly);
        for (int i = 0; i < holes && w->ok; i++) {
            put(w, ",");
            put_positions(w, GEOSGetInteriorRingN_r(w->ctx->gh, poly, i));
        }
    }
    put(w, "]");
}

/* The coordinates member of a simple geometry. */
static void put_coords(writer *w, const GEOSGeometry *g)
{
    switch (GEOSGeomTypeId_r(w->ctx->gh, g)) {
    case GEOS_POINT:
        if (GEOSisEmpty_r(w->ctx->gh, g)) {
            put(w, "[]");
        } else {
            const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(w->ctx->gh, g);
            unsigned dims = 2;
            GEOSCoordSeq_getDimensions_r(w->ctx->gh, seq, &dims);
            put_position(w, seq, 0, dims);
        }
        break;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        if (GEOSisEmpty_r(w->ctx->gh, g))
            put(w, "[]");
        else
            put_positions(w, g);
        break;
    case GEOS_POLYGON:
        put_rings(w, g);
        break;
    default:
        w->ok = false;
    }
}

static void put_geometry(writer *w, const GEOSGeometry *g, int depth)
{
    static const char *const names[] = {
        "Point",      "LineString",      "LineString",   "Polygon",
        "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection",
    };
    int id = GEOSGeomTypeId_r(w->ctx->gh, g);
    if (id < 0 || id > GEOS_GEOMETRYCOLLECTION || depth > GEOJSON_MAX_DEPTH) {
        w->ok = false;
        return;
    }
    put(w, "{\"type\":\"");
    put(w, names[id]);
    put(w, id == GEOS_GEOMETRYCOLLECTION ? "\",\"geometries\":[" : "\",\"coordinates\":");
    if (id <= GEOS_POLYGON) {
        put_coords(w, g);
    } else {
        if (id != GEOS_GEOMETRYCOLLECTION)
            put(w, "[");
        int n = GEOSGetNumGeometries_r(w->ctx->gh, g);
        for (int i = 0; i < n && w->ok; i++) {
            if (i)
                put(w, ",");
            const GEOSGeometry *sub = GEOSGetGeometryN_r(w->ctx->gh, g, i);
            if (id == GEOS_GEOMETRYCOLLECTION)
                put_geometry(w, sub, depth + 1);
            else
                put_coords(w, sub);
        }
        put(w, "]");
    }
    put(w, "}");
}

char *geo_to_geojson(geo_ctx *ctx, const geo_geom *g, int precision, core_err *err)
{
    if (precision > 15)
        precision = 15;
    core_buf b = {0};
    writer w = {ctx, &b, precision, true, false};
    put_geometry(&w, g->g, 0);
    if (!w.ok) {
        core_buf_free(&b);
        if (w.nonfinite)
            core_fail(err, CORE_EGEOM, "GeoJSON cannot hold NaN or infinite coordinates");
        else
            core_fail(err, CORE_ENOMEM, "GeoJSON text");
        return NULL;
    }
    return core_buf_take(&b);
}
