/* What the importer's files share: SQL sections, target descriptions, the opened source
 * (encoding and CRS decided), and value conversion. */
#ifndef PINGAN_IMP_INTERNAL_H
#define PINGAN_IMP_INTERNAL_H

#include "importers.h"

#include <gdal.h>
#include <iconv.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* ---- SQL files with sections (sqlfile.c) ---- */
/* The section "-- @name" of data/sql/<file>.sql as a new string (caller frees). */
char *imp_sql(const char *file, const char *section, core_err *err);

/* snprintf(out, size, "%s", in) without printf: per field of every feature, it was a tenth
 * of the client's time on a million buildings. Cuts at size - 1 bytes as snprintf does. */
void imp_copy(char *out, size_t size, const char *in);

/* ---- what a bulk load wrote, by cell (cells.c) ---- */
/* The cell of the database's statement triggers for big inserts (0.05°, about 5 km). */
#define IMP_CELL_DEG 0.05

typedef struct imp_cell imp_cell;
typedef struct {
    imp_cell *slot;
    size_t cap, n;
    double size; /* degrees; grows when the cells would be too many */
    long rows;   /* boxes added */
} imp_cells;

/* Adds a feature's box (west, south, east, north) to its cell. Start from (imp_cells){0}. */
core_code imp_cells_add(imp_cells *c, const double box[4], core_err *err);
/* Appends the cells' extents as a PostgreSQL array of numbers, four per cell. */
core_code imp_cells_array(const imp_cells *c, core_buf *out, core_err *err);
void imp_cells_free(imp_cells *c);

/* ---- targets (target.c) ---- */
#define IMP_VALUE_MAX 1024
typedef enum { IMP_TEXT, IMP_INT, IMP_REAL, IMP_BOOL, IMP_DIVCODE } imp_type;

typedef struct {
    const char *from; /* source value, trimmed */
    const char *to;   /* stored value */
} imp_valmap;

typedef struct {
    const char *name; /* column in the staging table and target */
    imp_type type;
    const char *synonyms;     /* source field names tried in order, '|' separated */
    const imp_valmap *values; /* NULL: stored as given; else only these (and their targets) */
    const char *null_as;      /* what the merge stores for NULL (its coalesce), for a direct load */
} imp_col;

typedef struct {
    const char *name;    /* table */
    const char *preset;  /* preset that implies this target */
    const imp_col *cols; /* code and name first, then the table's own, village_code last */
    int ncols;
    bool polygonal; /* stored as MultiPolygon */
    bool point;     /* stored as Point */
    /* A file that needs none of the staging table's checks may be copied straight into the
     * table (import_<name>.sql @direct); see run.c. */
    bool direct;
} imp_target;

const imp_target *imp_target_find(const char *name);
const imp_target *imp_target_of_preset(const char *preset);
/* Converts one source value for col into out (stored text form); false with why. An empty
 * value gives *is_null. An unknown vocabulary value is kept as 'other' (or empty) and why
 * says so while the result is true. */
bool imp_convert(const imp_col *col, const char *in, char *out, size_t size, bool *is_null,
                 char *why, size_t whysize);
/* Fills derived values the source did not give (risk grade from 险情 level …). vals[i] is
 * NULL for SQL NULL. */
void imp_derive(const imp_target *t, char **vals, char bufs[][IMP_VALUE_MAX]);

/* ---- the source (source.c) ---- */
typedef enum { IMP_DATUM_NONE, IMP_DATUM_GCJ02, IMP_DATUM_BD09 } imp_webdatum;

typedef struct {
    GDALDatasetH ds;
    OGRLayerH layer;
    char gdal_path[4200];
    const char *driver;
    long total; /* features, -1 unknown */
    /* encoding */
    bool raw;             /* strings come as the file's bytes and are recoded here */
    char encoding[32];    /* chosen, e.g. UTF-8, GB18030 */
    char enc_source[160]; /* why: "--encoding", ".cpg", "language driver 0x4D", "detected" */
    char declared[64];    /* what the file said, "" when nothing */
    iconv_t cd;           /* recodes to UTF-8 when have_cd */
    bool have_cd;
    /* CRS */
    OGRCoordinateTransformationH ct; /* NULL when the source is already CGCS2000/WGS84 */
    imp_webdatum webdatum;
    bool swap_xy;
    char crs_name[160];
    char crs_source[64]; /* "file", "--s-srs", "guessed" */
    int crs_epsg;
    json_t *warnings; /* array of strings (owned) */
} imp_source;

/* Opens o->path, picks the layer, decides encoding and CRS. On failure closes what it
 * opened. */
core_code imp_source_open(imp_source *s, const imp_options *o, core_err *err);
void imp_source_close(imp_source *s);
/* Recodes a raw string into out as UTF-8; false when the bytes are not of the encoding. */
bool imp_source_text(imp_source *s, const char *in, char *out, size_t size);
/* The GDAL path of a user path: zips through /vsizip/, KMZ too. */
void imp_gdal_path(const char *path, char *out, size_t size);

/* ---- export (export.c) ---- */
/* The GDAL driver of an export format name (gpkg, shp, geojson, csv, kml), NULL if none. */
const char *imp_driver_of(const char *format);
/* Layer creation options of a driver: Shapefile encoding (.cpg), CSV as WKT with a BOM. New
 * list, CSLDestroy() it. */
char **imp_layer_options(const char *drv, const char *encoding, const char *format);

#endif
