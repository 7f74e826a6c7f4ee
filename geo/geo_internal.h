/*
 * geo internals shared between the geo/ files: the structs behind the opaque handles,
 * GEOS/PROJ error capture and a walker over coordinate sequences. Not for other libraries.
 */
#ifndef PINGAN_GEO_INTERNAL_H
#define PINGAN_GEO_INTERNAL_H

#include <geos_c.h>
#include <proj.h>

#include "geo.h"

/* M_PI is not ISO C. */
#define GEO_PI 3.14159265358979323846

/* Transformations are costly to build (a proj.db query each), so keep a few per ctx. */
#define GEO_PJ_CACHE     8
#define GEO_CRS_NAME_MAX 128

typedef struct {
    char from[GEO_CRS_NAME_MAX];
    char to[GEO_CRS_NAME_MAX];
    PJ *pj; /* normalised for visualisation: x = lon/easting */
} geo_pj_entry;

struct geo_ctx {
    GEOSContextHandle_t gh;
    PJ_CONTEXT *pj;
    /* Last messages from the libraries' handlers, consumed by geo_fail_geos/_proj. */
    char geos_error[512];
    char geos_notice[512];
    char proj_error[512];
    geo_pj_entry pj_cache[GEO_PJ_CACHE];
    unsigned pj_next;
    /* One-entry memo for geo_srid_is_geographic, asked once per validation. */
    int geog_srid;
    bool geog_is;
};

struct geo_geom {
    GEOSGeometry *g; /* owned */
    int srid;        /* the truth; copied onto g only when writing EWKB */
};

/* Takes ownership of `g` (destroys it on failure) and returns a new geo_geom, or NULL with
 * CORE_ENOMEM. */
geo_geom *geo_geom_wrap(geo_ctx *ctx, GEOSGeometry *g, int srid, core_err *err);
/* Replaces the GEOS geometry inside `geom` with `g`, destroying the old one. */
void geo_geom_replace(geo_ctx *ctx, geo_geom *geom, GEOSGeometry *g);

/* Fails with `code`, message "<what>: <last GEOS error>" (or just `what`), and forgets the
 * GEOS message. */
core_code geo_fail_geos(geo_ctx *ctx, core_err *err, core_code code, const char *what);
/* The same for PROJ; pj (may be NULL) is the object that failed. */
core_code geo_fail_proj(geo_ctx *ctx, PJ *pj, core_err *err, core_code code, const char *what);

/* Fills fault with kind, its static texts, reason (may be NULL: the English message) and
 * no location. */
void geo_fault_set(geo_fault *fault, geo_fault_kind kind, const char *reason);
void geo_fault_at(geo_fault *fault, double x, double y, int part, int ring, int vertex);

/* Where a coordinate sequence sits in its geometry; see geo_fault for the numbering. */
typedef struct {
    int part;
    int ring; /* -1 for points and lines */
} geo_seq_where;

/* Calls fn for every coordinate sequence of g, depth first. Stops at and returns the
 * first non-zero value fn returns; returns -1 if GEOS fails, 0 when all were visited. */
typedef int (*geo_seq_fn)(geo_ctx *ctx, const GEOSCoordSequence *seq, const geo_seq_where *where,
                          void *arg);
int geo_each_seq(geo_ctx *ctx, const GEOSGeometry *g, geo_seq_fn fn, void *arg);

/* Maps a GEOS parse/validity message to a fault kind (GEO_FAULT_TOPOLOGY if unknown). */
geo_fault_kind geo_fault_from_geos_reason(const char *reason);

/* The EPSG code a CRS name stands for ("EPSG:4490", OGC URNs and URLs; CRS84 → 4326), 0 when
 * it names none. */
int geo_srid_of_crs(const char *crs);

/* The halves of geo_validate, for repair: finite, in-range coordinates; GEOS validity. */
bool geo_check_coords(geo_ctx *ctx, const geo_geom *g, geo_fault *fault);
bool geo_check_geos(geo_ctx *ctx, const geo_geom *g, geo_fault *fault);

#endif
