/* Export a collection to a file GIS desktops read: GeoPackage, Shapefile (with a .cpg and
 * the DBF in the chosen encoding so ArcGIS and QGIS show Chinese intact), GeoJSON, CSV, KML;
 * in CGCS2000 or any CRS, "GK" picking the data's own 3-degree zone. Streams by cursor. */
#include "db.h"
#include "geo.h"
#include "imp_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FETCH_ROWS "2000"

typedef struct {
    const imp_export_options *o;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRCoordinateTransformationH ct;
    OGRSpatialReferenceH src, dst;
    int ncols; /* columns before the wkb */
} exporter;

const char *imp_driver_of(const char *format)
{
    static const char *map[][2] = {{"gpkg", "GPKG"},       {"shp", "ESRI Shapefile"},
                                   {"geojson", "GeoJSON"}, {"csv", "CSV"},
                                   {"kml", "KML"},         {NULL, NULL}};
    for (int i = 0; map[i][0]; i++)
        if (strcasecmp(format, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static OGRFieldType field_type(Oid t, OGRFieldSubType *sub)
{
    *sub = OFSTNone;
    switch (t) {
    case 20:
        return OFTInteger64;
    case 21:
    case 23:
        return OFTInteger;
    case 16:
        *sub = OFSTBoolean;
        return OFTInteger;
    case 700:
    case 701:
    case 1700:
        return OFTReal;
    default:
        return OFTString;
    }
}

char **imp_layer_options(const char *drv, const char *encoding, const char *format)
{
    char **lco = NULL;
    if (strcmp(drv, "ESRI Shapefile") == 0) {
        /* the DBF in the chosen encoding, and a .cpg that says which */
        const char *enc = encoding ? encoding : "UTF-8";
        if (strcasecmp(enc, "GBK") == 0 || strcasecmp(enc, "GB2312") == 0 ||
            strcasecmp(enc, "936") == 0 || strcasecmp(enc, "GB18030") == 0)
            enc = "CP936";
        lco = CSLSetNameValue(lco, "ENCODING", enc);
    } else if (strcmp(drv, "CSV") == 0) {
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
        /* Excel reads a CSV without a byte order mark as the local code page: 中文 garbled */
        lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
    } else if (encoding) {
        core_log(CORE_LOG_WARN, "export_encoding_ignored", "\"format\":\"%s\"", format);
    }
    return lco;
}

/* The layer is made on the first row, when the data's GK zone can be known. */
static core_code make_layer(exporter *x, PGresult *r, OGRGeometryH first, core_err *err)
{
    const imp_export_options *o = x->o;
    const char *drv = imp_driver_of(o->format);
    GDALDriverH d = GDALGetDriverByName(drv);
    if (!d)
        return core_fail(err, CORE_EUNAVAIL, "GDAL has no %s driver", drv);
    VSIUnlink(o->out);
    x->ds = GDALCreate(d, o->out, 0, 0, 0, GDT_Unknown, NULL);
    if (!x->ds)
        return core_fail(err, CORE_EIO, "cannot create %s: %s", o->out, CPLGetLastErrorMsg());
    x->src = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(x->src, 4490);
    OSRSetAxisMappingStrategy(x->src, OAMS_TRADITIONAL_GIS_ORDER);
    x->dst = OSRNewSpatialReference(NULL);
    if (o->t_srs && strcasecmp(o->t_srs, "GK") == 0) {
        OGREnvelope e = {0};
        if (first)
            OGR_G_GetEnvelope(first, &e);
        int zone = (int)((e.MinX + e.MaxX) / 2 / 3 + 0.5);
        int epsg = geo_gk3_epsg(GEO_GK_CGCS2000, zone, true);
        if (!epsg)
            return core_fail(err, CORE_ECRS, "no 3-degree Gauss-Krüger zone for longitude %.3f",
                             (e.MinX + e.MaxX) / 2);
        OSRImportFromEPSG(x->dst, epsg);
    } else if (OSRSetFromUserInput(x->dst, o->t_srs ? o->t_srs : "EPSG:4490") != OGRERR_NONE) {
        return core_fail(err, CORE_ECRS, "--t-srs '%s' is not a CRS GDAL knows", o->t_srs);
    }
    OSRSetAxisMappingStrategy(x->dst, OAMS_TRADITIONAL_GIS_ORDER);
    if (!OSRIsSame(x->src, x->dst) && !(x->ct = OCTNewCoordinateTransformation(x->src, x->dst)))
        return core_fail(err, CORE_ECRS, "cannot transform CGCS2000 to %s", o->t_srs);

    char **lco = imp_layer_options(drv, o->encoding, o->format);
    OGRwkbGeometryType gt = strcmp(o->from, "jurisdictions") == 0 || strcmp(o->from, "grids") == 0
                                ? wkbMultiPolygon
                            : strcmp(o->from, "cameras") == 0 ? wkbPoint
                            : first                           ? OGR_G_GetGeometryType(first)
                                                              : wkbUnknown;
    x->layer = GDALDatasetCreateLayer(x->ds, o->from, x->dst, gt, lco);
    CSLDestroy(lco);
    if (!x->layer)
        return core_fail(err, CORE_EIO, "cannot create layer: %s", CPLGetLastErrorMsg());
    x->ncols = PQnfields(r) - 1;
    for (int i = 0; i < x->ncols; i++) {
        OGRFieldSubType sub;
        OGRFieldDefnH fd = OGR_Fld_Create(PQfname(r, i), field_type(PQftype(r, i), &sub));
        OGR_Fld_SetSubType(fd, sub);
        if (OGR_L_CreateField(x->layer, fd, TRUE) != OGRERR_NONE) {
            OGR_Fld_Destroy(fd);
            return core_fail(err, CORE_EIO, "cannot create field %s", PQfname(r, i));
        }
        OGR_Fld_Destroy(fd);
    }
    GDALDatasetStartTransaction(x->ds, FALSE);
    return CORE_OK;
}

static OGRGeometryH from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    unsigned char *wkb = malloc(n ? n : 1);
    if (!wkb)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        wkb[i] = (unsigned char)strtoul(pair, NULL, 16);
    }
    OGRGeometryH g = NULL;
    OGR_G_CreateFromWkb(wkb, NULL, &g, (int)n);
    free(wkb);
    return g;
}

static core_code write_rows(exporter *x, PGresult *r, long *count, core_err *err)
{
    x->ncols = PQnfields(r) - 1;
    for (int i = 0; i < PQntuples(r); i++) {
        OGRGeometryH g = PQgetisnull(r, i, x->ncols) ? NULL : from_hex(PQgetvalue(r, i, x->ncols));
        if (!x->layer) {
            core_code rc = make_layer(x, r, g, err);
            if (rc) {
                OGR_G_DestroyGeometry(g);
                return rc;
            }
        }
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(x->layer));
        for (int c = 0; c < x->ncols; c++) {
            if (PQgetisnull(r, i, c))
                continue;
            const char *v = PQgetvalue(r, i, c);
            if (PQftype(r, c) == 16)
                OGR_F_SetFieldInteger(f, c, v[0] == 't');
            else
                OGR_F_SetFieldString(f, c, v);
        }
        if (g && x->ct && OGR_G_Transform(g, x->ct) != OGRERR_NONE) {
            OGR_G_DestroyGeometry(g);
            OGR_F_Destroy(f);
            return core_fail(err, CORE_ECRS, "feature %d cannot be transformed to %s", i,
                             x->o->t_srs);
        }
        if (g)
            OGR_F_SetGeometryDirectly(f, g);
        OGRErr oe = OGR_L_CreateFeature(x->layer, f);
        OGR_F_Destroy(f);
        if (oe != OGRERR_NONE)
            return core_fail(err, CORE_EIO, "writing %s failed: %s", x->o->out,
                             CPLGetLastErrorMsg());
        (*count)++;
    }
    return CORE_OK;
}

core_code imp_export(const imp_export_options *o, PGconn *c, long *count_out, core_err *err)
{
    long count = 0;
    if (!o->from || !imp_target_find(o->from))
        return core_fail(err, CORE_EINVAL,
                         "unknown collection '%s' (jurisdictions, grids, key_places, hazards, "
                         "population_units, cameras)",
                         o->from ? o->from : "");
    if (!o->format || !imp_driver_of(o->format))
        return core_fail(err, CORE_EINVAL, "unknown format '%s' (gpkg, shp, geojson, csv, kml)",
                         o->format ? o->format : "");
    if (!o->out)
        return core_fail(err, CORE_EINVAL, "say where to write with -o FILE");
    GDALAllRegister();
    char *sql = imp_sql("export", o->from, err);
    if (!sql)
        return err->code;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    core_buf decl = {0};
    core_buf_printf(&decl, "DECLARE imp_export NO SCROLL CURSOR FOR %s", sql);
    free(sql);
    exporter x = {.o = o};
    const char *p[] = {o->jurisdiction};
    core_code rc = db_run(c, "BEGIN READ ONLY", 0, NULL, err);
    if (!rc)
        rc = db_run(c, decl.data, 1, p, err);
    core_buf_free(&decl);
    while (!rc) {
        PGresult *r =
            db_exec(c, PGRES_TUPLES_OK, "FETCH " FETCH_ROWS " FROM imp_export", 0, NULL, err);
        if (!r) {
            rc = err->code;
            break;
        }
        int n = PQntuples(r);
        rc = write_rows(&x, r, &count, err);
        PQclear(r);
        if (n == 0)
            break;
    }
    PQclear(PQexec(c, rc ? "ROLLBACK" : "COMMIT"));
    if (!rc && !x.ds)
        rc = core_fail(err, CORE_ENOTFOUND, "%s has no features%s%s", o->from,
                       o->jurisdiction ? " in " : "", o->jurisdiction ? o->jurisdiction : "");
    if (x.ds) {
        GDALDatasetCommitTransaction(x.ds);
        GDALClose(x.ds);
    }
    if (x.ct)
        OCTDestroyCoordinateTransformation(x.ct);
    if (x.src)
        OSRDestroySpatialReference(x.src);
    if (x.dst)
        OSRDestroySpatialReference(x.dst);
    if (rc)
        VSIUnlink(o->out);
    CPLPopErrorHandler();
    if (count_out)
        *count_out = count;
    return rc;
}
