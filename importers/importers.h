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
