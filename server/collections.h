/*
 * The collection registry: the one description of every feature collection (table, id,
 * geometry, properties and what may be done with each) that the OGC API reads and writes,
 * the OpenAPI document and the reports are all generated from.
 */
#ifndef PINGAN_COLLECTIONS_H
#define PINGAN_COLLECTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* JSON type of a property as it appears in GeoJSON and in the JSON Schemas. */
typedef enum {
    SRV_PT_STRING,
    SRV_PT_INTEGER,
    SRV_PT_NUMBER,
    SRV_PT_BOOLEAN,
    SRV_PT_DATE,     /* string, format date (YYYY-MM-DD) */
    SRV_PT_DATETIME, /* string, format date-time (RFC 3339) */
} srv_prop_type;

/* What a property allows; flags combine. */
enum {
    SRV_PF_FILTER = 1 << 0,   /* ?name=value on /items (equality; listed in OpenAPI) */
    SRV_PF_QUERY = 1 << 1,    /* listed in /queryables */
    SRV_PF_SORT = 1 << 2,     /* allowed in sortby */
    SRV_PF_PERSONAL = 1 << 3, /* personal data: only srv_coll_personal_visible() callers see it */
    SRV_PF_COMPUTED = 1 << 4, /* the server computes it; never taken from a client */
    SRV_PF_REQUIRED = 1 << 5, /* a client must give it on create (unless it has a default) */
    SRV_PF_NULLABLE = 1 << 6, /* may be null */
};

typedef struct {
    const char *name; /* column name in the table = property name in GeoJSON */
    srv_prop_type type;
    const char *title;              /* 中文 / English */
    const char *description;        /* English, one line */
    const char *const *enum_values; /* NULL-ended allowed values, or NULL */
    unsigned flags;                 /* SRV_PF_* */
    int max_length;                 /* strings: the schema's limit, 0 when none */
} srv_coll_prop;

typedef struct {
    const char *id;          /* collection id in URLs */
    const char *title_zh;    /* 中文 title */
    const char *title_en;    /* English title */
    const char *description; /* English description */
    const char *table;       /* table name (an identifier of our own schema) */
    const char *id_column;   /* primary key column; the feature id */
    const char *geom_column; /* NULL when the collection has no geometry */
    const char *geom_type;   /* GeoJSON type: "MultiPolygon", "Point", or "Geometry" (any) */
    /* The column holding the feature's 12-digit jurisdiction code: what the `jurisdiction`
     * prefix filter, token scopes and personal-data checks compare against. */
    const char *jurisdiction_column;
    const char *version_column; /* optimistic-lock version, or NULL (then updated_at is used) */
    const char *updated_column; /* last-change time: `datetime` filters on it */
    const char *default_sort;   /* sortby used when none is given (id column, ascending) */
    const srv_coll_prop *props;
    int nprops;
    bool id_is_text;    /* id is text (jurisdictions.code) rather than bigint */
    bool geom_nullable; /* features may have no geometry */
    bool is_public;     /* readable without a token when anonymous reads are on */
    bool writable;      /* accepts POST/PUT/PATCH/DELETE (Part 4) */
} srv_coll;

/* The number of collections and the i-th one in registry order (NULL when out of range). */
int srv_coll_count(void);
const srv_coll *srv_coll_at(int i);
/* The collection with this id, or NULL. */
const srv_coll *srv_coll_find(const char *id);
/* The property of c with this name, or NULL. */
const srv_coll_prop *srv_coll_prop_find(const srv_coll *c, const char *name);
/* True when value is one of the property's enum values (or it has none). */
bool srv_coll_prop_enum_ok(const srv_coll_prop *p, const char *value);
/* JSON Schema type name of a property type ("string", "integer", …). */
const char *srv_prop_type_json(srv_prop_type t);
/* JSON Schema format of a property type ("date", "date-time") or NULL. */
const char *srv_prop_type_format(srv_prop_type t);

/* The strong ETag of a feature, quotes included: "<fid>-<version>" (for collections without a
 * version column the version is updated_at in microseconds since 1970). */
void srv_coll_etag(char *out, size_t size, const char *fid, const char *version);

/* Whether a caller with this role and scope (code prefix; "" = everywhere) may see personal
 * properties of a feature in jurisdiction `code`: admin and planner whose scope covers it. */
bool srv_coll_personal_visible(const char *role, const char *scope, const char *code);
/* Whether a role may read the collection at all, given the anonymous_reads setting. */
bool srv_coll_readable(const srv_coll *c, const char *role, bool anonymous_reads);

/* The coordinate reference systems the API speaks (OGC API - Features Part 2). */
typedef struct {
    const char *uri;   /* OGC URI, e.g. http://www.opengis.net/def/crs/EPSG/0/4490 */
    int srid;          /* PostGIS SRID to ST_Transform to (CRS84 uses 4326) */
    bool lat_first;    /* authority axis order is latitude/northing first: swap x/y */
    int decimals;      /* output precision: 7 for degrees, 3 for metres */
    const char *title; /* human name */
} srv_crs;

#define SRV_CRS84_URI       "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define SRV_STORAGE_CRS_URI "http://www.opengis.net/def/crs/EPSG/0/4490"

int srv_crs_count(void);
const srv_crs *srv_crs_at(int i);
/* The CRS named by an OGC URI, `EPSG:n`, `[EPSG:n]`, a safe CURIE or `CRS84`; NULL otherwise. */
const srv_crs *srv_crs_find(const char *name);

#endif
