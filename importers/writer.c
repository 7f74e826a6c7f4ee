/* Writing features one at a time into a file GIS desktops and Excel read, for the feature
 * API's downloads: the same drivers and options as `pingan export` (export.c), fed with the
 * GeoJSON features the API already builds, so a download holds exactly what the items
 * query returns. Memory stays flat: each feature goes to the file as it comes. */
#include "imp_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 64

struct imp_writer {
    char format[16];
    char *path;
    char *layer_name;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRSpatialReferenceH srs;
    bool swap_xy;
    int nfields;
    char *names[MAX_FIELDS];
    imp_field_type types[MAX_FIELDS];
    long count;
};

imp_writer *imp_writer_create(const char *format, const char *path, const char *layer,
                              const char *srs, bool swap_xy, core_err *err)
{
    const char *drv = format ? imp_driver_of(format) : NULL;
    if (!drv) {
        core_fail(err, CORE_EINVAL, "unknown format '%s' (gpkg, shp, geojson, csv, kml)",
                  format ? format : "");
        return NULL;
    }
    GDALAllRegister();
    imp_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path)) || !(w->layer_name = strdup(layer))) {
        if (w)
            free(w->path);
        free(w);
        core_fail(err, CORE_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(w->format, sizeof w->format, "%s", format);
    w->swap_xy = swap_xy;
    w->srs = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(w->srs, srs ? srs : "EPSG:4490") != OGRERR_NONE) {
        core_fail(err, CORE_ECRS, "'%s' is not a CRS GDAL knows", srs);
        imp_writer_close(w, false, NULL);
        return NULL;
    }
    OSRSetAxisMappingStrategy(w->srs, OAMS_TRADITIONAL_GIS_ORDER);
    return w;
}

core_code imp_writer_field(imp_writer *w, const char *name, imp_field_type type, core_err *err)
{
    if (w->layer || w->nfields == MAX_FIELDS)
        return core_fail(err, CORE_ELIMIT, "too many fields, or fields after the first feature");
    if (!(w->names[w->nfields] = strdup(name)))
        return core_fail(err, CORE_ENOMEM, "out of memory");
    w->types[w->nfields++] = type;
    return CORE_OK;
}

/* The file and layer are made at the first feature: a Shapefile holds one geometry type, the
 * first feature's, unless the caller said. */
static core_code make_layer(imp_writer *w, OGRGeometryH first, core_err *err)
{
    const char *drv = imp_driver_of(w->format);
    GDALDriverH d = GDALGetDriverByName(drv);
    if (!d)
        return core_fail(err, CORE_EUNAVAIL, "GDAL has no %s driver", drv);
    VSIUnlink(w->path);
    if (!(w->ds = GDALCreate(d, w->path, 0, 0, 0, GDT_Unknown, NULL)))
        return core_fail(err, CORE_EIO, "cannot create %s: %s", w->path, CPLGetLastErrorMsg());
    char **lco = imp_layer_options(drv, NULL, w->format);
    /* A Shapefile holds one geometry type, the first feature's (its polygons take
     * multipolygons too); the other formats take any mix. */
    OGRwkbGeometryType gt = first && strcmp(w->format, "shp") == 0
                                ? wkbFlatten(OGR_G_GetGeometryType(first))
                                : wkbUnknown;
    w->layer = GDALDatasetCreateLayer(w->ds, w->layer_name, w->srs, gt, lco);
    CSLDestroy(lco);
    if (!w->layer)
        return core_fail(err, CORE_EIO, "cannot create layer: %s", CPLGetLastErrorMsg());
    /* the feature's id in the API, so that a row leads back to /items/{id} */
    OGRFieldDefnH idf = OGR_Fld_Create("feature_id", OFTString);
    OGRErr ie = OGR_L_CreateField(w->layer, idf, TRUE);
    OGR_Fld_Destroy(idf);
    if (ie != OGRERR_NONE)
        return core_fail(err, CORE_EIO, "cannot create field feature_id");
    for (int i = 0; i < w->nfields; i++) {
        static const OGRFieldType types[] = {[IMP_FIELD_TEXT] = OFTString,
                                             [IMP_FIELD_INT] = OFTInteger64,
                                             [IMP_FIELD_REAL] = OFTReal,
                                             [IMP_FIELD_BOOL] = OFTInteger};
        OGRFieldDefnH fd = OGR_Fld_Create(w->names[i], types[w->types[i]]);
        if (w->types[i] == IMP_FIELD_BOOL)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        OGRErr oe = OGR_L_CreateField(w->layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (oe != OGRERR_NONE)
            return core_fail(err, CORE_EIO, "cannot create field %s", w->names[i]);
    }
    GDALDatasetStartTransaction(w->ds, FALSE);
    return CORE_OK;
}

core_code imp_writer_add_geojson(imp_writer *w, const char *feature, size_t len, core_err *err)
{
    json_error_t je;
    json_t *f = json_loadb(feature, len, 0, &je);
    if (!f)
        return core_fail(err, CORE_EFORMAT, "feature is not JSON: %s", je.text);
    OGRGeometryH g = NULL;
    json_t *gj = json_object_get(f, "geometry");
    if (json_is_object(gj)) {
        char *text = json_dumps(gj, JSON_COMPACT);
        g = text ? OGR_G_CreateGeometryFromJson(text) : NULL;
        free(text);
        if (g && w->swap_xy)
            OGR_G_SwapXY(g);
    }
    core_code rc = CORE_OK;
    if (!w->layer && (rc = make_layer(w, g, err))) {
        OGR_G_DestroyGeometry(g);
        json_decref(f);
        return rc;
    }
    OGRFeatureH of = OGR_F_Create(OGR_L_GetLayerDefn(w->layer));
    json_t *id = json_object_get(f, "id");
    if (json_is_integer(id)) {
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(id));
        OGR_F_SetFieldString(of, 0, text);
    } else if (json_is_string(id)) {
        OGR_F_SetFieldString(of, 0, json_string_value(id));
    }
    json_t *props = json_object_get(f, "properties");
    for (int i = 0; i < w->nfields; i++) {
        json_t *v = json_object_get(props, w->names[i]);
        int k = i + 1;
        if (!v || json_is_null(v))
            continue;
        if (json_is_boolean(v))
            OGR_F_SetFieldInteger(of, k, json_is_true(v));
        else if (json_is_integer(v))
            OGR_F_SetFieldInteger64(of, k, json_integer_value(v));
        else if (json_is_real(v))
            OGR_F_SetFieldDouble(of, k, json_real_value(v));
        else if (json_is_string(v))
            OGR_F_SetFieldString(of, k, json_string_value(v));
        else {
            char *text = json_dumps(v, JSON_COMPACT);
            OGR_F_SetFieldString(of, k, text ? text : "");
            free(text);
        }
    }
    if (g)
        OGR_F_SetGeometryDirectly(of, g);
    OGRErr oe = OGR_L_CreateFeature(w->layer, of);
    OGR_F_Destroy(of);
    json_decref(f);
    if (oe != OGRERR_NONE)
        return core_fail(err, CORE_EFORMAT, "writing feature %ld as %s failed: %s", w->count + 1,
                         w->format, CPLGetLastErrorMsg());
    w->count++;
    return CORE_OK;
}

long imp_writer_count(const imp_writer *w)
{
    return w->count;
}

core_code imp_writer_close(imp_writer *w, bool keep, core_err *err)
{
    if (!w)
        return CORE_OK;
    core_code rc = CORE_OK;
    if (keep && !w->ds) {
        /* no feature: an empty layer still makes a valid file */
        rc = make_layer(w, NULL, err);
    }
    if (w->ds) {
        GDALDatasetCommitTransaction(w->ds);
        GDALClose(w->ds);
    }
    if ((rc || !keep) && w->path)
        VSIUnlink(w->path);
    if (w->srs)
        OSRDestroySpatialReference(w->srs);
    for (int i = 0; i < w->nfields; i++)
        free(w->names[i]);
    free(w->path);
    free(w->layer_name);
    free(w);
    return rc;
}
