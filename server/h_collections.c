/* OGC API - Features metadata: /conformance, /collections, /collections/{id} (extent from the
 * data, CRS list, storage CRS) and /collections/{id}/queryables (JSON Schema), all generated
 * from the collection registry. */
#include "edit.h"
#include "feature_query.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exactly what this server implements. Part 4 (create-replace-delete) is declared by the
 * write half when its routes exist. */
static const char *const conformance[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    NULL,
};

int h_conformance(srv_req *r)
{
    static const char *const known[] = {"f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    json_t *list = json_array();
    for (const char *const *c = conformance; *c; c++)
        json_array_append_new(list, json_string(*c));
    edit_conformance(list); /* Part 4, from the write half (edit_openapi.c) */
    return srv_send_json(r, 200, json_pack("{s:o}", "conformsTo", list), NULL);
}

static json_t *link_obj(const char *base, const char *path, const char *rel, const char *type,
                        const char *title)
{
    char href[600];
    snprintf(href, sizeof href, "%s%s", base, path);
    return json_pack("{s:s, s:s, s:s, s:s}", "href", href, "rel", rel, "type", type, "title",
                     title);
}

/* The extent from the data: bbox of the geometry (CRS84) and the interval of last changes. */
static json_t *compute_extent(const srv_coll *c, PGconn *conn)
{
    json_t *extent = json_object();
    char name[64];
    snprintf(name, sizeof name, "features_%s", c->id);
    core_err err = {0};
    const char *source = conn ? srv_sql(name, &err) : NULL;
    if (source) {
        core_buf sql = {0};
        if (c->geom_column)
            core_buf_printf(&sql,
                            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 FROM "
                            "(SELECT ST_Extent(f.%s) e, to_char(min(f.%s) AT TIME ZONE 'UTC', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') t0, to_char(max(f.%s) AT TIME "
                            "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') t1 FROM (%s) f) x",
                            c->geom_column, c->updated_column, c->updated_column, source);
        else
            core_buf_printf(&sql,
                            "SELECT NULL, NULL, NULL, NULL, to_char(min(f.%s) AT TIME ZONE "
                            "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(max(f.%s) AT "
                            "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM (%s) f",
                            c->updated_column, c->updated_column, source);
        PGresult *res = db_exec(conn, PGRES_TUPLES_OK, sql.data, 0, NULL, &err);
        if (res && PQntuples(res) == 1) {
            if (!PQgetisnull(res, 0, 0)) {
                /* storage is CGCS2000, equal to CRS84 at the precision of an extent */
                json_t *box = json_pack("[f,f,f,f]", strtod(PQgetvalue(res, 0, 0), NULL),
                                        strtod(PQgetvalue(res, 0, 1), NULL),
                                        strtod(PQgetvalue(res, 0, 2), NULL),
                                        strtod(PQgetvalue(res, 0, 3), NULL));
                json_object_set_new(extent, "spatial",
                                    json_pack("{s:[o], s:s}", "bbox", box, "crs", SRV_CRS84_URI));
            }
            json_t *iv = json_array();
            for (int i = 4; i < 6; i++)
                json_array_append_new(
                    iv, PQgetisnull(res, 0, i) ? json_null() : json_string(PQgetvalue(res, 0, i)));
            json_object_set_new(extent, "temporal",
                                json_pack("{s:[o], s:s}", "interval", iv, "trs",
                                          "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"));
        } else {
            core_log(CORE_LOG_WARN, "extent_failed", "\"collection\":\"%s\"", c->id);
        }
        PQclear(res);
        core_buf_free(&sql);
    }
    return extent;
}

/* Extents cost a full scan of the table (seconds at province scale, and /collections asks for
 * all seven), so each is kept for EXTENT_TTL_MS: metadata a little stale beats a slow start
 * for every GDAL and QGIS session. */
#define EXTENT_TTL_MS 30000.0
static struct {
    json_t *extent;
    double at_ms;
} extent_cache[16];
static pthread_mutex_t extent_lock = PTHREAD_MUTEX_INITIALIZER;

static json_t *extent_of(const srv_coll *c, PGconn *conn)
{
    int slot = -1;
    for (int i = 0; i < srv_coll_count() && i < 16; i++)
        if (srv_coll_at(i) == c)
            slot = i;
    json_t *cached = NULL;
    pthread_mutex_lock(&extent_lock);
    if (slot >= 0 && extent_cache[slot].extent &&
        core_now_ms() - extent_cache[slot].at_ms < EXTENT_TTL_MS)
        cached = json_deep_copy(extent_cache[slot].extent);
    pthread_mutex_unlock(&extent_lock);
    if (cached || !conn)
        return cached ? cached : json_object();
    json_t *fresh = compute_extent(c, conn);
    if (slot >= 0 && json_object_size(fresh) > 0) {
        pthread_mutex_lock(&extent_lock);
        json_decref(extent_cache[slot].extent);
        extent_cache[slot].extent = json_deep_copy(fresh);
        extent_cache[slot].at_ms = core_now_ms();
        pthread_mutex_unlock(&extent_lock);
    }
    return fresh;
}

/* The collection's description; extent from the data when conn is given. */
static json_t *describe(const srv_req *r, const srv_coll *c, PGconn *conn, const char *base)
{
    char title[200];
    snprintf(title, sizeof title, "%s %s", c->title_zh, c->title_en);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "id", c->id, "title", title, "description",
                            c->description, "itemType", "feature");

    json_t *extent = extent_of(c, conn);
    json_object_set_new(doc, "extent", extent);

    json_t *crs = json_array();
    for (int i = 0; i < srv_crs_count(); i++)
        json_array_append_new(crs, json_string(srv_crs_at(i)->uri));
    json_object_set_new(doc, "crs", crs);
    json_object_set_new(doc, "storageCrs", json_string(SRV_STORAGE_CRS_URI));

    char path[200];
    json_t *links = json_array();
    snprintf(path, sizeof path, "/collections/%s", c->id);
    json_array_append_new(links,
                          link_obj(base, path, "self", "application/json", "this collection"));
    snprintf(path, sizeof path, "/collections/%s/items", c->id);
    json_array_append_new(links, link_obj(base, path, "items", "application/geo+json", "features"));
    /* downloads of every feature as a file (h_download.c) */
    json_t *downloads = srv_download_links(base, c);
    json_array_extend(links, downloads);
    json_decref(downloads);
    snprintf(path, sizeof path, "/collections/%s/queryables", c->id);
    json_array_append_new(links,
                          link_obj(base, path, "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                                   "application/schema+json", "queryable properties"));
    json_object_set_new(doc, "links", links);
    (void)r;
    return doc;
}

static const srv_coll *find_readable(srv_req *r, int *status)
{
    const srv_coll *c = srv_coll_find(r->params[0]);
    if (!c) {
        char detail[200];
        snprintf(detail, sizeof detail, "no collection '%.100s'", r->params[0]);
        *status = srv_problem(r, 404, "collection_not_found", detail, NULL);
    } else if (!srv_coll_readable(c, r->role, r->server->cfg.anonymous_reads)) {
        *status = srv_problem_ex(r, 401, "unauthorized", "this collection needs a token", NULL,
                                 "WWW-Authenticate: Bearer\r\n");
        c = NULL;
    }
    return c;
}

int h_collections(srv_req *r)
{
    static const char *const known[] = {"f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return 503;
    char base[300];
    srv_base_url(r, base, sizeof base);
    json_t *list = json_array();
    for (int i = 0; i < srv_coll_count(); i++) {
        const srv_coll *c = srv_coll_at(i);
        if (srv_coll_readable(c, r->role, r->server->cfg.anonymous_reads))
            json_array_append_new(list, describe(r, c, conn, base));
    }
    srv_db_release(r, conn);
    json_t *links = json_array();
    json_array_append_new(links,
                          link_obj(base, "/collections", "self", "application/json", "this list"));
    json_t *crs = json_array();
    for (int i = 0; i < srv_crs_count(); i++)
        json_array_append_new(crs, json_string(srv_crs_at(i)->uri));
    return srv_send_json(
        r, 200, json_pack("{s:o, s:o, s:o}", "links", links, "collections", list, "crs", crs),
        NULL);
}

int h_collection(srv_req *r)
{
    static const char *const known[] = {"f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    const srv_coll *c = find_readable(r, &st);
    if (!c)
        return st;
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return 503;
    char base[300];
    srv_base_url(r, base, sizeof base);
    json_t *doc = describe(r, c, conn, base);
    srv_db_release(r, conn);
    return srv_send_json(r, 200, doc, NULL);
}

json_t *srv_prop_schema(const srv_coll_prop *p, bool oas30)
{
    json_t *s = json_pack("{s:s, s:s}", "title", p->title, "description", p->description);
    if ((p->flags & SRV_PF_NULLABLE) && !oas30) /* JSON Schema spells null as a type */
        json_object_set_new(s, "type", json_pack("[s,s]", srv_prop_type_json(p->type), "null"));
    else
        json_object_set_new(s, "type", json_string(srv_prop_type_json(p->type)));
    if ((p->flags & SRV_PF_NULLABLE) && oas30) /* OpenAPI 3.0 has its own keyword */
        json_object_set_new(s, "nullable", json_true());
    if (srv_prop_type_format(p->type))
        json_object_set_new(s, "format", json_string(srv_prop_type_format(p->type)));
    if (p->max_length)
        json_object_set_new(s, "maxLength", json_integer(p->max_length));
    if (p->enum_values) {
        json_t *e = json_array();
        for (const char *const *v = p->enum_values; *v; v++)
            json_array_append_new(e, json_string(*v));
        json_object_set_new(s, "enum", e);
    }
    if (p->flags & SRV_PF_COMPUTED)
        json_object_set_new(s, "readOnly", json_true());
    return s;
}

const char *srv_geom_schema_url(const srv_coll *c)
{
    const char *t = c->geom_type;
    if (!t)
        return NULL;
    if (strcmp(t, "MultiPolygon") == 0)
        return "https://geojson.org/schema/MultiPolygon.json";
    if (strcmp(t, "Point") == 0)
        return "https://geojson.org/schema/Point.json";
    return "https://geojson.org/schema/Geometry.json";
}

int h_queryables(srv_req *r)
{
    static const char *const known[] = {"f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    const srv_coll *c = find_readable(r, &st);
    if (!c)
        return st;
    char base[300], id[400];
    srv_base_url(r, base, sizeof base);
    snprintf(id, sizeof id, "%s/collections/%s/queryables", base, c->id);
    json_t *props = json_object();
    if (c->geom_column)
        json_object_set_new(
            props, "geometry",
            json_pack("{s:s, s:s}", "$ref", srv_geom_schema_url(c), "title", "几何 / geometry"));
    for (int i = 0; i < c->nprops; i++) {
        const srv_coll_prop *p = &c->props[i];
        if (p->flags & SRV_PF_QUERY)
            json_object_set_new(props, p->name, srv_prop_schema(p, false));
    }
    char title[200];
    snprintf(title, sizeof title, "%s %s", c->title_zh, c->title_en);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "$schema",
                  "https://json-schema.org/draft/2019-09/schema", "$id", id, "type", "object",
                  "title", title, "properties", props, "additionalProperties", 0);
    return srv_send_json(r, 200, doc, "application/schema+json");
}
