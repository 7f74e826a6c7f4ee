/*
 * importers — reading what bureaus deliver (Shapefile, GeoPackage, FileGDB, GeoJSON, KML, CSV,
 * DXF) through GDAL/OGR: encodings, CRS detection, field mapping, a validation report, and an
 * all-or-nothing load into PostGIS; export back to those formats. Built on GDAL and geo/.
 */
#ifndef PINGAN_IMPORTERS_H
#define PINGAN_IMPORTERS_H

#include "core.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define IMP_MAX_MAPS 32

typedef enum { IMP_MODE_INSERT, IMP_MODE_UPSERT, IMP_MODE_REPLACE_SCOPE } imp_mode;

/* Called now and then while features stream: done so far, total (-1 when unknown). */
typedef void (*imp_progress_fn)(void *ud, long done, long total);

typedef struct {
    const char *path;         /* file, .zip, directory (FileGDB) or any GDAL /vsi path */
    const char *display_name; /* what the report calls the file (an upload's name); NULL: path */
    const char *layer;        /* NULL: the only layer, else an error listing them */
    const char *into;   /* jurisdictions, grids, key_places, hazards, population_units, cameras */
    const char *preset; /* geohazard, boundaries, buildings, key_places, cameras or NULL */
    const char *maps[IMP_MAX_MAPS]; /* "target=source" overrides */
    int nmaps;
    const char *s_srs;    /* GCJ02, BD09, EPSG:n, any CRS GDAL takes; NULL: from the file */
    const char *towgs84;  /* 7 comma-separated parameters for Xian 1980 / Beijing 1954 */
    const char *encoding; /* overrides the .cpg / language driver / detection */
    const char *scope;    /* jurisdiction code prefix for replace-scope */
    const char *actor;    /* written to pingan.actor; default "import:<file name>" */
    imp_mode mode;
    bool dry_run;
    bool feature_details; /* report every feature's stored coordinates and properties */
    imp_progress_fn progress;
    void *progress_ud;
    volatile sig_atomic_t *cancel; /* set to non-zero to stop; nothing is written */
} imp_options;

/* Runs one import on connection c (which must not be inside a transaction): reads, converts,
 * validates and repairs, COPYs into a staging table, checks, merges in one transaction (or
 * rolls back on dry_run). *report (may be NULL) receives a new JSON report (caller
 * json_decref()s) even on failure when anything was learnt. On failure nothing is written. */
core_code imp_run(const imp_options *o, PGconn *c, json_t **report, core_err *err);

/* The readable text form of a report: a new string, caller frees. */
char *imp_report_text(const json_t *report);

/* Layers of a source as a new JSON array of {name, features, geometry}. */
json_t *imp_list_layers(const char *path, core_err *err);

/* Lower-case target names accepted by imp_run. NULL-terminated, static. */
const char *const *imp_targets(void);

/* ---- export ---------------------------------------------------------------------------- */

typedef struct {
    const char *from;         /* collection: jurisdictions, grids, key_places, hazards, … */
    const char *format;       /* gpkg, shp, geojson, csv, kml */
    const char *t_srs;        /* NULL: EPSG:4490; "GK": the 3-degree CGCS2000 zone of the data */
    const char *encoding;     /* Shapefile DBF encoding: UTF-8 (default), GBK/CP936 */
    const char *jurisdiction; /* code: only features inside it (by code prefix) */
    const char *out;          /* file to write */
} imp_export_options;

/* Writes the collection to o->out; *count (may be NULL) gets the features written. */
core_code imp_export(const imp_export_options *o, PGconn *c, long *count, core_err *err);

/* ---- writing features one by one (the feature API's downloads) ------------------------- */

typedef struct imp_writer imp_writer;
typedef enum { IMP_FIELD_TEXT, IMP_FIELD_INT, IMP_FIELD_REAL, IMP_FIELD_BOOL } imp_field_type;

/* A new writer of format (gpkg; shp, given a path ending .shp.zip, is a zipped Shapefile with
 * .cpg and .prj; csv with WKT and a UTF-8 BOM; kml; geojson) to path, one layer named layer,
 * coordinates in srs (any CRS GDAL reads; lon/lat order, or swap_xy when they come lat/lon).
 * The file is made at the first feature. Free with imp_writer_close. NULL with err. */
imp_writer *imp_writer_create(const char *format, const char *path, const char *layer,
                              const char *srs, bool swap_xy, core_err *err);
/* Declares a field (before the first feature); a feature_id field always comes first. */
core_code imp_writer_field(imp_writer *w, const char *name, imp_field_type type, core_err *err);
/* Writes one GeoJSON Feature given as text: its id, the declared properties, its geometry. */
core_code imp_writer_add_geojson(imp_writer *w, const char *feature, size_t len, core_err *err);
long imp_writer_count(const imp_writer *w);
/* Finishes the file (keep) or removes it (!keep, or on failure), and frees w. */
core_code imp_writer_close(imp_writer *w, bool keep, core_err *err);

/* ---- multipart/form-data (RFC 7578), for uploads -------------------------------------- */

typedef struct {
    char name[64];
    char filename[256]; /* "" when the part is a plain field */
    const char *data;   /* points into the body */
    size_t len;
} imp_part;

/* Splits a complete multipart/form-data body into at most max parts. Strict: the boundary
 * must come from content_type, every part needs a Content-Disposition form-data name, headers
 * are bounded, the closing delimiter must be present. CORE_EFORMAT otherwise. */
core_code imp_multipart_parse(const char *content_type, const char *body, size_t len,
                              imp_part *parts, int max, int *nparts, core_err *err);

#endif
