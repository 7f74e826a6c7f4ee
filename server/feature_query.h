/* Feature reads shared by the OGC API handlers: the SQL that turns a collection's rows into
 * GeoJSON text inside PostgreSQL, bound arguments, and the parsing of the items parameters.
 * Identifiers in the SQL come only from the registry (collections.c); values are bound. */
#ifndef PINGAN_FEATURE_QUERY_H
#define PINGAN_FEATURE_QUERY_H

#include "collections.h"
#include "srv_internal.h"

#define SRV_ITEMS_LIMIT_DEFAULT 100
#define SRV_ITEMS_LIMIT_MAX     10000
#define SRV_SQL_MAX_ARGS        64

/* The text of data/sql/<name>.sql, read once and kept for the life of the process (trailing
 * ';' removed so it can be wrapped as a subquery); NULL with err when it cannot be read. */
const char *srv_sql(const char *name, core_err *err);

/* Runs a statement prepared under `name` on this connection, preparing it the first time the
 * connection sees it (planning is most of a small query's cost). Expects rows; returns the
 * result (caller PQclear()s) or NULL with err. */
PGresult *srv_exec_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                            const char *const *params, core_err *err);

/* Bound text arguments of one statement; owns its strings. Zero-initialise, free with
 * srv_sqlargs_free. */
typedef struct {
    char *v[SRV_SQL_MAX_ARGS];
    int n;
} srv_sqlargs;

/* Adds a value and returns its placeholder number (1-based), or 0 when full / out of memory. */
int srv_sqlargs_add(srv_sqlargs *a, const char *value);
void srv_sqlargs_free(srv_sqlargs *a);

/* Appends to sql `SELECT fid, ver, feature FROM (<source>) f` where feature is the complete
 * GeoJSON Feature as text, geometry in crs (NULL: CRS84). Personal properties are filled only
 * for features in `personal_scope` (NULL: never). With `inner` (WHERE … ORDER BY … LIMIT …
 * on f), the rows are chosen by it first: `FROM (SELECT * FROM (<source>) f <inner>) f`. */
bool srv_feature_select(core_buf *sql, const srv_coll *c, const srv_crs *crs,
                        const char *personal_scope, const char *inner, srv_sqlargs *a,
                        core_err *err);
/* The scope prefix under which this caller sees personal data, or NULL. */
const char *srv_personal_scope(const srv_req *r);
/* The version expression of c (version column, or updated_at in microseconds). */
const char *srv_coll_version_sql(const srv_coll *c);

/* Parsed /items parameters. */
typedef struct {
    const srv_crs *crs;
    long limit;
    long offset;
    core_buf where;   /* " AND …" conditions on f */
    core_buf orderby; /* "f.a ASC, f.id ASC" */
    int nwhere_args;  /* the arguments `where` binds: $1..$nwhere_args */
    /* `after` (the last id of the previous page, in the default id order): the page starts
     * past it instead of skipping `offset` rows, so deep pages cost no more than the first.
     * `offset` still counts for numberMatched arithmetic and the links. */
    core_buf keyset; /* " AND f.id > $n" or empty */
    char after[32];
    bool default_order; /* no sortby: pages follow the id, next links carry `after` */
} srv_items_params;

/* Parses and checks every /items parameter; on a bad one sends the 400 problem and returns its
 * status, else returns 0 with p filled (conditions' values added to a). */
int srv_items_parse(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a);
void srv_items_params_free(srv_items_params *p);

/* Checks that every query parameter's name is in the NULL-ended list `known` (and, when c is
 * given, c's filterable properties); sends 400 unknown_parameter and returns it otherwise. */
int srv_check_params(srv_req *r, const char *const *known, const srv_coll *c);
/* The query string without the named parameters (NULL-ended), still encoded, into out. */
void srv_query_without(const srv_req *r, const char *const *drop, core_buf *out);
/* Parses a decimal number completely; false on junk or non-finite values. */
bool srv_parse_double(const char *s, double *out);
/* JSON Schema of one property (h_collections.c), a new reference; oas30 spells it the
 * OpenAPI 3.0 way (nullable instead of a "null" type). */
json_t *srv_prop_schema(const srv_coll_prop *p, bool oas30);
/* The GeoJSON schema URL of the collection's geometry type, or NULL without geometry. */
const char *srv_geom_schema_url(const srv_coll *c);
/* Sends the problem for a failed database call (503 when the database is away, else 500). */
int srv_db_problem(srv_req *r, PGconn *c, const char *what);

/* ---- downloads of the items as files (h_download.c) ---- */
/* The download format (csv, gpkg, shp, kml) that f= or the Accept header asks for, or NULL
 * for the ordinary GeoJSON page. */
const char *srv_download_format(const srv_req *r);
/* Whether f= names a download format (also its synonyms: shapefile, zip, geopackage). */
bool srv_download_known(const char *f);
/* Links (rel enclosure) to the downloads of collection c, a new JSON array. */
json_t *srv_download_links(const char *base, const srv_coll *c);
/* GET /collections/{id}/items as a file: every feature the items query matches. */
int h_items_download(srv_req *r, const srv_coll *c, const char *format);

#endif
