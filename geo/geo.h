/*
 * geo — geometry for Pingan Grid: parse and write GeoJSON/WKT/EWKB, validate with the
 * location of the fault, repair, GCJ-02/BD-09 web datums and CRS transforms via PROJ.
 * Built on GEOS (thread-safe _r API) and PROJ; knows nothing of the server or database.
 *
 * Threads: a geo_ctx belongs to one thread at a time. Geometries are not tied to a thread
 * but must be used with one ctx at a time and freed with a ctx (any ctx).
 * Errors: functions that can fail take a core_err * (may be NULL) and report a core_code;
 * GEOS and PROJ messages end up in err->msg.
 */
#ifndef PINGAN_GEO_H
#define PINGAN_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include "core.h"

typedef struct geo_ctx geo_ctx;
typedef struct geo_geom geo_geom;

/* ---- context ---------------------------------------------------------------------- */

/* Returns a newly allocated context owning a GEOS handle and a PROJ context, or NULL when
 * out of memory or PROJ/GEOS cannot start (err says which). The caller frees it with
 * geo_ctx_free after every geometry made with it is freed or handed to another ctx. */
geo_ctx *geo_ctx_create(core_err *err);
void geo_ctx_free(geo_ctx *ctx);

/* ---- faults: what is wrong with a geometry, and where ----------------------------- */

/* One list makes the codes, their stable names and the English and Chinese messages. */
#define GEO_FAULT_MAP(XX)                                                                          \
    XX(NONE, "none", "Valid", "有效")                                                              \
    XX(EMPTY, "empty", "Geometry is empty", "几何为空")                                            \
    XX(WRONG_TYPE, "wrong_type", "Geometry type is not allowed here", "几何类型不符合要求")        \
    XX(INVALID_COORDINATE, "invalid_coordinate", "Coordinate is NaN or infinite",                  \
       "坐标值无效（非数字或无穷大）")                                                             \
    XX(COORDINATE_OUT_OF_RANGE, "coordinate_out_of_range",                                         \
       "Coordinate is outside the valid range of the coordinate system", "坐标超出坐标系有效范围") \
    XX(TOO_FEW_POINTS, "too_few_points", "Too few distinct points", "点数过少")                    \
    XX(RING_NOT_CLOSED, "ring_not_closed", "Ring is not closed", "环未闭合")                       \
    XX(SELF_INTERSECTION, "self_intersection", "Self-intersection", "自相交")                      \
    XX(RING_SELF_INTERSECTION, "ring_self_intersection", "Ring self-intersection", "环自相交")     \
    XX(HOLE_OUTSIDE_SHELL, "hole_outside_shell", "Hole lies outside its shell",                    \
       "内环位于外环之外")                                                                         \
    XX(NESTED_HOLES, "nested_holes", "Holes are nested", "内环相互嵌套")                           \
    XX(DISCONNECTED_INTERIOR, "disconnected_interior", "Interior is disconnected", "面内部不连通") \
    XX(NESTED_SHELLS, "nested_shells", "Shells are nested", "外环相互嵌套")                        \
    XX(DUPLICATE_RINGS, "duplicate_rings", "Duplicate rings", "存在重复的环")                      \
    XX(REPEATED_POINT, "repeated_point", "Repeated point", "存在重复点")                           \
    XX(SPIKE, "spike", "Spike: the boundary doubles back on itself", "尖刺（边界折返）")           \
    XX(TOPOLOGY, "topology", "Topology validation error", "拓扑错误")

typedef enum {
#define GEO_XX(name, code, en, zh) GEO_FAULT_##name,
    GEO_FAULT_MAP(GEO_XX)
#undef GEO_XX
        GEO_FAULT_COUNT
} geo_fault_kind;

/* A fault found by validation or parsing. Plain value, owned by the caller (no pointers to
 * free; code and the messages point at static strings). The location is in the
 * geometry's coordinates; has_location is false when nobody knows it (x, y are NaN then);
 * for invalid_coordinate it is the bad coordinate itself, so x or y is NaN or infinite.
 * part/ring/vertex index the faulty vertex where known, -1 otherwise: part counts the
 * simple components (point, line, polygon) depth first, ring 0 is the exterior ring and
 * 1.. the holes. */
typedef struct {
    geo_fault_kind kind;
    const char *code;       /* stable snake_case name, e.g. "self_intersection" */
    const char *message_en; /* e.g. "Self-intersection" */
    const char *message_zh; /* e.g. "自相交" */
    char reason[256];       /* GEOS's own reason text, or ours when GEOS was not asked */
    bool has_location;
    double x, y;
    int part, ring, vertex;
} geo_fault;

/* Stable name and messages of a fault kind. */
const char *geo_fault_code(geo_fault_kind kind);
const char *geo_fault_message_en(geo_fault_kind kind);
const char *geo_fault_message_zh(geo_fault_kind kind);
/* Resets fault to "none", no location. */
void geo_fault_clear(geo_fault *fault);

/* ---- geometry: construct, write, inspect ------------------------------------------ */

typedef enum {
    GEO_POINT = 1 << 0,
    GEO_LINESTRING = 1 << 1,
    GEO_LINEARRING = 1 << 2,
    GEO_POLYGON = 1 << 3,
    GEO_MULTIPOINT = 1 << 4,
    GEO_MULTILINESTRING = 1 << 5,
    GEO_MULTIPOLYGON = 1 << 6,
    GEO_COLLECTION = 1 << 7,
    GEO_POLYGONAL = GEO_POLYGON | GEO_MULTIPOLYGON,
    GEO_LINEAL = GEO_LINESTRING | GEO_MULTILINESTRING,
    GEO_PUNTAL = GEO_POINT | GEO_MULTIPOINT
} geo_type;

/* Readers return a newly allocated geometry, the caller frees it with geo_geom_free; or
 * NULL with err set: CORE_EFORMAT for text that is not the format, CORE_EGEOM for a
 * geometry that cannot even be represented (ring not closed, too few points) — then
 * `fault` (may be NULL) says what and, for GeoJSON, where. */

/* A GeoJSON geometry object, or a Feature (its geometry is taken). RFC 7946 GeoJSON is
 * lon/lat in CRS84, so the SRID is set to 4326; set another with geo_geom_set_srid when the
 * text was in another CRS (OGC API Features Part 2 Content-Crs). */
geo_geom *geo_from_geojson(geo_ctx *ctx, const char *text, geo_fault *fault, core_err *err);
/* WKT, or EWKT with a leading "SRID=n;". SRID 0 when none is given. */
geo_geom *geo_from_wkt(geo_ctx *ctx, const char *text, geo_fault *fault, core_err *err);
/* WKB or EWKB (the SRID is kept), binary or hex text (either case). */
geo_geom *geo_from_wkb(geo_ctx *ctx, const unsigned char *wkb, size_t len, geo_fault *fault,
                       core_err *err);
geo_geom *geo_from_wkb_hex(geo_ctx *ctx, const char *hex, geo_fault *fault, core_err *err);

/* Writers return a newly allocated NUL-terminated string the caller frees with free(),
 * or NULL with err set. */

/* A GeoJSON geometry object with `precision` decimals (0..15; -1 = shortest text that
 * reads back to the same doubles). NaN or infinite coordinates are refused (CORE_EGEOM). */
char *geo_to_geojson(geo_ctx *ctx, const geo_geom *g, int precision, core_err *err);
/* WKT without SRID, trailing zeros trimmed; `precision` decimals or -1 for full. An
 * ordinate of magnitude 1e15 or more, or infinite, is refused (CORE_EGEOM). */
char *geo_to_wkt(geo_ctx *ctx, const geo_geom *g, int precision, core_err *err);
/* Little-endian EWKB as upper-case hex, with the SRID when it is not 0: the text form
 * PostGIS takes for geometry. */
char *geo_to_wkb_hex(geo_ctx *ctx, const geo_geom *g, core_err *err);

/* Returns a newly allocated deep copy (caller frees with geo_geom_free), NULL on error. */
geo_geom *geo_geom_clone(geo_ctx *ctx, const geo_geom *g, core_err *err);
/* Frees g and its coordinates. NULL is fine. */
void geo_geom_free(geo_ctx *ctx, geo_geom *g);

geo_type geo_geom_type(geo_ctx *ctx, const geo_geom *g);
/* "Point", "MultiPolygon", … (static strings, GeoJSON spelling). */
const char *geo_geom_type_name(geo_ctx *ctx, const geo_geom *g);
int geo_geom_srid(const geo_geom *g);
void geo_geom_set_srid(geo_geom *g, int srid);
bool geo_geom_is_empty(geo_ctx *ctx, const geo_geom *g);
/* Bounding box; CORE_EGEOM for an empty geometry. */
core_code geo_geom_bounds(geo_ctx *ctx, const geo_geom *g, double *minx, double *miny, double *maxx,
                          double *maxy, core_err *err);
/* Number of coordinates (every vertex of every ring, closing points included). */
size_t geo_geom_num_points(geo_ctx *ctx, const geo_geom *g);
/* Planar area in the square units of the coordinates (degrees² for lon/lat). */
double geo_geom_area(geo_ctx *ctx, const geo_geom *g);
/* Area in square metres on the GRS80/CGCS2000 ellipsoid, for lon/lat coordinates
 * (CGCS2000 or WGS84 — the same at this accuracy). Holes are subtracted. */
core_code geo_geom_area_m2(geo_ctx *ctx, const geo_geom *g, double *m2, core_err *err);
/* Centroid as x, y; CORE_EGEOM for an empty geometry. */
core_code geo_geom_centroid(geo_ctx *ctx, const geo_geom *g, double *x, double *y, core_err *err);

/* Makes g a multi geometry in place (Polygon→MultiPolygon, LineString→MultiLineString,
 * Point→MultiPoint); multis and collections are left alone. The database stores
 * MultiPolygon. */
core_code geo_force_multi(geo_ctx *ctx, geo_geom *g, core_err *err);

/* ---- validation ------------------------------------------------------------------- */

/* Vertex angle below which a ring "doubles back" (degrees), used by geo_validate. */
#define GEO_SPIKE_TOLERANCE_DEG 1.0

/* True when g is a usable geometry. Otherwise false with fault (may be NULL) filled with
 * the first problem found, checked in this order: empty; NaN/infinite coordinates;
 * coordinates out of range (|x|>180 or |y|>90 when the SRID is geographic, |v|>1e10
 * always); GEOS validity (OGC rules, self-touching rings are invalid); spikes sharper
 * than GEO_SPIKE_TOLERANCE_DEG. */
bool geo_validate(geo_ctx *ctx, const geo_geom *g, geo_fault *fault);
/* True when some ring of g has a vertex where the boundary turns back by less than
 * `tolerance_deg` degrees (a spike; GEOS may consider it valid). Fills fault (may be NULL)
 * with the vertex of the sharpest one. Repeated vertices are skipped. */
bool geo_find_spike(geo_ctx *ctx, const geo_geom *g, double tolerance_deg, geo_fault *fault);
/* True when the type of g is one of `allowed` (geo_type bits); otherwise false and
 * fault (may be NULL) is "wrong_type" with the actual type in fault->reason. */
bool geo_check_type(geo_ctx *ctx, const geo_geom *g, unsigned allowed, geo_fault *fault);

/* ---- repair ----------------------------------------------------------------------- */

typedef struct {
    bool changed;       /* false: the input was valid and *out is a plain copy */
    geo_fault fault;    /* why the input was invalid and where (kind NONE when valid) */
    const char *method; /* static: "none", "structure", "structure+union" or "linework" */
    double area_before; /* planar, as geo_geom_area */
    double area_after;
} geo_repair_info;

/* Sets *out to a newly allocated valid geometry of the same dimension as g (the caller
 * frees it with geo_geom_free): a copy when g is valid, else GEOS MakeValid keeping only
 * the parts of g's dimension, so a polygon yields a Polygon or MultiPolygon. The structure
 * method (collapsed parts dropped) is tried first; when GEOS 3.11 returns an invalid
 * result from it, its parts are unioned, and failing that the linework method is used.
 * info (may be NULL) says what was wrong, which method worked, and the areas.
 * CORE_EGEOM when nothing of that dimension is left or the coordinates are NaN/infinite;
 * g is never changed. Spikes are not removed. */
core_code geo_repair(geo_ctx *ctx, const geo_geom *g, geo_geom **out, geo_repair_info *info,
                     core_err *err);

/* ---- Chinese web datums: GCJ-02 (AMap, Tencent) and BD-09 (Baidu) ------------------ */

/* CGCS2000 and WGS84 differ by centimetres, so GEO_DATUM_WGS84 stands for both. */
typedef enum { GEO_DATUM_WGS84, GEO_DATUM_GCJ02, GEO_DATUM_BD09 } geo_datum;

/* Point conversions in degrees (lon, lat). The GCJ-02 shift applies inside the usual
 * "China" rectangle (geo_in_china) and is the identity outside it. Inverses are solved
 * by iteration to better than 1e-9 degrees of the forward formula. */
void geo_wgs84_to_gcj02(double lon, double lat, double *olon, double *olat);
void geo_gcj02_to_wgs84(double lon, double lat, double *olon, double *olat);
void geo_gcj02_to_bd09(double lon, double lat, double *olon, double *olat);
void geo_bd09_to_gcj02(double lon, double lat, double *olon, double *olat);
void geo_wgs84_to_bd09(double lon, double lat, double *olon, double *olat);
void geo_bd09_to_wgs84(double lon, double lat, double *olon, double *olat);
/* Any datum to any datum, for one point. */
void geo_datum_convert(geo_datum from, geo_datum to, double lon, double lat, double *olon,
                       double *olat);
/* Converts every coordinate of g (any type, multis and collections too) in place.
 * Z values are kept. */
core_code geo_transform_datum(geo_ctx *ctx, geo_geom *g, geo_datum from, geo_datum to,
                              core_err *err);

/* ---- where things are ------------------------------------------------------------- */

/* True inside the rectangle the GCJ-02 formula treats as China (lon 72.004–137.8347,
 * lat 0.8293–55.8271) — crude: it includes neighbours, excludes nothing of China. */
bool geo_in_china(double lon, double lat);
/* True when the box lies inside a generous Jiangxi envelope (lon 113.5–118.5,
 * lat 24.4–30.1), as a sanity check on imported or drawn data. */
bool geo_in_jiangxi(double minx, double miny, double maxx, double maxy);

/* ---- coordinate reference systems (PROJ) ------------------------------------------ */

/* Transforms every coordinate of g in place from `from_crs` to `to_crs`, any string PROJ
 * takes ("EPSG:4547", "OGC:CRS84", …), always with x = easting/longitude and
 * y = northing/latitude whatever the authority's axis order. from_crs NULL means
 * "EPSG:<srid of g>". Sets the SRID of g to the EPSG code of to_crs (4326 for OGC:CRS84,
 * 0 when it has none). CORE_ECRS for an unknown CRS or a point PROJ cannot transform. */
core_code geo_crs_transform(geo_ctx *ctx, geo_geom *g, const char *from_crs, const char *to_crs,
                            core_err *err);
/* The same for one point, in place. */
core_code geo_crs_transform_xy(geo_ctx *ctx, const char *from_crs, const char *to_crs, double *x,
                               double *y, core_err *err);
/* True when the SRID (EPSG code) is a geographic (lon/lat) CRS. Unknown SRIDs and 0 are
 * not. */
bool geo_srid_is_geographic(geo_ctx *ctx, int srid);

/* 3-degree Gauss-Krüger zones, as delivered by Chinese surveys. */
typedef enum { GEO_GK_CGCS2000, GEO_GK_XIAN1980, GEO_GK_BEIJING1954 } geo_gk_datum;

/* The zone number carried in an 8-digit easting with zone prefix (39500000 → 39), or 0
 * when x is not such an easting of a zone 25..45 (China's 3-degree zones). */
int geo_gk_zone_from_easting(double x);
/* EPSG code of the 3-degree GK CRS of `zone` (25..45, central meridian 3 × zone): with the
 * zone prefix in the easting (CGCS2000 zone 39 → 4527) or without it ("CM 117E" → 4548).
 * 0 when the zone is out of range. Checked against PROJ's proj.db. */
int geo_gk3_epsg(geo_gk_datum datum, int zone, bool zone_prefix);

#endif
