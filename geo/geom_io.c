/*
 * WKT and (E)WKB in and out through GEOS's readers and writers; EWKB hex is the text form
 * of a geometry that PostGIS accepts and prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo_internal.h"

/* A parse failure is a fault when the text was fine but the geometry cannot exist (an
 * open ring, a one-point line); otherwise the text is simply not WKT/WKB. */
static void fail_parse(geo_ctx *ctx, geo_fault *fault, core_err *err, const char *what)
{
    geo_fault_kind kind = geo_fault_from_geos_reason(ctx->geos_error);
    if (kind == GEO_FAULT_RING_NOT_CLOSED || kind == GEO_FAULT_TOO_FEW_POINTS) {
        geo_fault_set(fault, kind, ctx->geos_error);
        geo_fail_geos(ctx, err, CORE_EGEOM, what);
    } else {
        geo_fail_geos(ctx, err, CORE_EFORMAT, what);
    }
}

static char *copy_geos_string(geo_ctx *ctx, char *s, size_t len, core_err *err)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    } else {
        core_fail(err, CORE_ENOMEM, "geometry text");
    }
    GEOSFree_r(ctx->gh, s);
    return copy;
}

geo_geom *geo_from_wkt(geo_ctx *ctx, const char *text, geo_fault *fault, core_err *err)
{
    geo_fault_clear(fault);
    int srid = 0;
    /* EWKT's "SRID=4490;" prefix, which GEOS does not read. */
    if (strncasecmp(text, "SRID=", 5) == 0) {
        char *end;
        long n = strtol(text + 5, &end, 10);
        if (*end != ';' || n < 0 || n > 999999) {
            core_fail(err, CORE_EFORMAT, "bad SRID prefix in EWKT");
            return NULL;
        }
        srid = (int)n;
        text = end + 1;
    }
    GEOSWKTReader *reader = GEOSWKTReader_create_r(ctx->gh);
    if (!reader) {
        core_fail(err, CORE_ENOMEM, "WKT reader");
        return NULL;
    }
    ctx->geos_error[0] = '\0';
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->gh, reader, text);
    GEOSWKTReader_destroy_r(ctx->gh, reader);
    if (!g) {
        fail_parse(ctx, fault, err, "cannot read WKT");
        return NULL;
    }
    return geo_geom_wrap(ctx, g, srid, err);
}

static geo_geom *from_wkb(geo_ctx *ctx, const unsigned char *data, size_t len, bool hex,
                          geo_fault *fault, core_err *err)
{
    geo_fault_clear(fault);
    GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx->gh);
    if (!reader) {
        core_fail(err, CORE_ENOMEM, "WKB reader");
        return NULL;
    }
    ctx->geos_error[0] = '\0';
    GEOSGeometry *g = hex ? GEOSWKBReader_readHEX_r(ctx->gh, reader, data, len)
                          : GEOSWKBReader_read_r(ctx->gh, reader, data, len);
    GEOSWKBReader_destroy_r(ctx->gh, reader);
    if (!g) {
        fail_parse(ctx, fault, err, hex ? "cannot read WKB hex" : "cannot read WKB");
        return NULL;
    }
    return geo_geom_wrap(ctx, g, GEOSGetSRID_r(ctx->gh, g), err);
}

geo_geom *geo_from_wkb(geo_ctx *ctx, const unsigned char *wkb, size_t len, geo_fault *fault,
                       core_err *err)
{
    return from_wkb(ctx, wkb, len, false, fault, err);
}

geo_geom *geo_from_wkb_hex(geo_ctx *ctx, const char *hex, geo_fault *fault, core_err *err)
{
    /* PostgreSQL prints bytea as \x…; take that too. */
    if (hex[0] == '\\' && hex[1] == 'x')
        hex += 2;
    return from_wkb(ctx, (const unsigned char *)hex, strlen(hex), true, fault, err);
}

/* GEOS 3.11's WKTWriter formats each ordinate into a fixed stack buffer and overruns it for
 * magnitudes near 1e300 (found by fuzz_wkt). No CRS we know comes within ten orders of 1e15,
 * so anything at or past it is refused before GEOS sees it. */
#define WKT_MAX_ORDINATE 1e15

static int check_writable(geo_ctx *ctx, const GEOSCoordSequence *seq, const geo_seq_where *where,
                          void *arg)
{
    (void)where;
    (void)arg;
    unsigned int n = 0, dims = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->gh, seq, &n) ||
        !GEOSCoordSeq_getDimensions_r(ctx->gh, seq, &dims))
        return -1;
    for (unsigned int i = 0; i < n; i++) {
        for (unsigned int d = 0; d < dims && d < 3; d++) {
            double v;
            if (!GEOSCoordSeq_getOrdinate_r(ctx->gh, seq, i, d, &v))
                return -1;
            /* NaN is what GEOS uses for a missing Z: it prints as NaN and is safe. */
            if (!isnan(v) && !(fabs(v) < WKT_MAX_ORDINATE))
                return 1;
        }
    }
    return 0;
}

char *geo_to_wkt(geo_ctx *ctx, const geo_geom *g, int precision, core_err *err)
{
    if (geo_each_seq(ctx, g->g, check_writable, NULL) != 0) {
        core_fail(err, CORE_EGEOM, "a coordinate is too large or infinite to write as WKT");
        return NULL;
    }
    GEOSWKTWriter *writer = GEOSWKTWriter_create_r(ctx->gh);
    if (!writer) {
        core_fail(err, CORE_ENOMEM, "WKT writer");
        return NULL;
    }
    GEOSWKTWriter_setTrim_r(ctx->gh, writer, 1);
    GEOSWKTWriter_setOutputDimension_r(ctx->gh, writer, 3);
    GEOSWKTWriter_setRoundingPrecision_r(ctx->gh, writer, precision);
    char *text = GEOSWKTWriter_write_r(ctx->gh, writer, g->g);
    GEOSWKTWriter_destroy_r(ctx->gh, writer);
    if (!text) {
        geo_fail_geos(ctx, err, CORE_EGEOM, "cannot write WKT");
        return NULL;
    }
    return copy_geos_string(ctx, text, strlen(text), err);
}

char *geo_to_wkb_hex(geo_ctx *ctx, const geo_geom *g, core_err *err)
{
    GEOSWKBWriter *writer = GEOSWKBWriter_create_r(ctx->gh);
    if (!writer) {
        core_fail(err, CORE_ENOMEM, "WKB writer");
        return NULL;
    }
    /* What PostGIS prints: little endian, EWKB with the SRID flag and Z when present. */
    GEOSWKBWriter_setByteOrder_r(ctx->gh, writer, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(ctx->gh, writer, GEOS_WKB_EXTENDED);
    GEOSWKBWriter_setOutputDimension_r(ctx->gh, writer, 3);
    GEOSWKBWriter_setIncludeSRID_r(ctx->gh, writer, g->srid != 0);
    GEOSSetSRID_r(ctx->gh, g->g, g->srid);
    size_t len = 0;
    unsigned char *hex = GEOSWKBWriter_writeHEX_r(ctx->gh, writer, g->g, &len);
    GEOSWKBWriter_destroy_r(ctx->gh, writer);
    if (!hex) {
        geo_fail_geos(ctx, err, CORE_EGEOM, "cannot write WKB");
        return NULL;
    }
    return copy_geos_string(ctx, (char *)hex, len, err);
}
