/* GET /api: the OpenAPI 3.0 document, generated from the collection registry so that it
 * describes exactly the paths, parameters (with the limit maximum) and schemas served. */
#include "edit.h"
#include "feature_query.h"

#include <stdio.h>
#include <string.h>

static json_t *ref(const char *where)
{
    return json_pack("{s:s}", "$ref", where);
}

static json_t *qparam(const char *name, const char *desc, json_t *schema, bool explode)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}", "name", name, "in", "query",
                          "description", desc, "required", 0, "schema", schema, "style", "form");
    json_object_set_new(p, "explode", json_boolean(explode));
    return p;
}

static json_t *crs_enum(void)
{
    json_t *e = json_array();
    for (int i = 0; i < srv_crs_count(); i++)
        json_array_append_new(e, json_string(srv_crs_at(i)->uri));
    return e;
}

static json_t *shared_parameters(void)
{
    json_t *p = json_object();
    json_object_set_new(
        p, "limit",
        qparam("limit",
               "Features per page. Values above the maximum are clamped to it, not refused.",
               json_pack("{s:s, s:i, s:i, s:i}", "type", "integer", "minimum", 1, "maximum",
                         SRV_ITEMS_LIMIT_MAX, "default", SRV_ITEMS_LIMIT_DEFAULT),
               false));
    json_object_set_new(
        p, "offset",
        qparam("offset", "Features to skip (the next links carry it).",
               json_pack("{s:s, s:i, s:i}", "type", "integer", "minimum", 0, "default", 0), false));
    json_object_set_new(
        p, "after",
        qparam("after",
               "Without sortby: start after this feature id (next links carry it, so deep pages "
               "cost no more than the first); offset then only numbers the page.",
               json_pack("{s:s}", "type", "string"), false));
    json_object_set_new(
        p, "bbox",
        qparam("bbox",
               "minx,miny,maxx,maxy (or 6 numbers with heights, which are ignored) in bbox-crs "
               "and its axis order; features intersecting it.",
               json_pack("{s:s, s:i, s:i, s:{s:s}}", "type", "array", "minItems", 4, "maxItems", 6,
                         "items", "type", "number"),
               false));
    json_object_set_new(p, "bbox-crs",
                        qparam("bbox-crs", "CRS of bbox (default CRS84).",
                               json_pack("{s:s, s:s, s:o, s:s}", "type", "string", "format", "uri",
                                         "enum", crs_enum(), "default", SRV_CRS84_URI),
                               false));
    json_object_set_new(
        p, "crs",
        qparam("crs",
               "CRS of the returned geometry (default CRS84); EPSG:4326, 4490, 4547 and 4548 "
               "come in their authority axis order (latitude/northing first).",
               json_pack("{s:s, s:s, s:o, s:s}", "type", "string", "format", "uri", "enum",
                         crs_enum(), "default", SRV_CRS84_URI),
               false));
    json_object_set_new(
        p, "datetime",
        qparam("datetime",
               "On the last-change time (updated_at): an RFC 3339 date or date-time, or an "
               "interval a/b where an end may be '..' or empty (open).",
               json_pack("{s:s}", "type", "string"), false));
    json_object_set_new(
        p, "sortby",
        qparam("sortby",
               "Comma-separated sortable properties, each optionally prefixed + (ascending, "
               "default) or - (descending).",
               json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "string"), false));
    json_object_set_new(
        p, "jurisdiction",
        qparam("jurisdiction",
               "Statistical division code prefix (2-12 digits; a full 12-digit code means its "
               "level): features inside that jurisdiction.",
               json_pack("{s:s, s:s}", "type", "string", "pattern", "^[0-9]{2,12}$"), false));
    /* downloads (h_download.c): the items of a collection also come as files */
    json_object_set_new(
        p, "f-items",
        qparam("f",
               "Output format: json (GeoJSON, the default, paged), or a download of every "
               "matching feature (all of them unless limit is given) as csv (WKT, UTF-8 with a "
               "BOM for Excel), gpkg (GeoPackage), shp (zipped Shapefile with .cpg and .prj) "
               "or kml. The Accept header (text/csv, application/geopackage+sqlite3, "
               "application/zip, application/vnd.google-earth.kml+xml) asks the same.",
               json_pack("{s:s, s:[s,s,s,s,s,s], s:s}", "type", "string", "enum", "json", "geojson",
                         "csv", "gpkg", "shp", "kml", "default", "json"),
               false));
    json_object_set_new(p, "f",
                        qparam("f", "Output format; only GeoJSON/JSON.",
                               json_pack("{s:s, s:[s,s], s:s}", "type", "string", "enum", "json",
                                         "geojson", "default", "json"),
                               false));
    return p;
}

static json_t *problem_response(const char *desc)
{
    return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content",
                     "application/problem+json", "schema", ref("#/components/schemas/problem"));
}

static json_t *json_response(const char *desc, const char *type, json_t *schema)
{
    return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content", type, "schema", schema);
}

static json_t *op(const char *summary, const char *op_id, json_t *params, json_t *ok)
{
    json_t *responses = json_pack("{s:o, s:o, s:o}", "200", ok, "400",
                                  problem_response("a parameter is unknown or malformed"), "503",
                                  problem_response("the database is not reachable"));
    json_t *o = json_pack("{s:s, s:s, s:o}", "summary", summary, "operationId", op_id, "responses",
                          responses);
    if (params)
        json_object_set_new(o, "parameters", params);
    return json_pack("{s:o}", "get", o);
}

static json_t *feature_schema(const srv_coll *c)
{
    json_t *props = json_object();
    json_t *required = json_array();
    for (int i = 0; i < c->nprops; i++) {
        json_object_set_new(props, c->props[i].name, srv_prop_schema(&c->props[i], true));
        if (c->props[i].flags & SRV_PF_REQUIRED)
            json_array_append_new(required, json_string(c->props[i].name));
    }
    char gref[100];
    snprintf(gref, sizeof gref, "#/components/schemas/%s", c->geom_type ? c->geom_type : "");
    json_t *geom = c->geom_column ? ref(gref) : json_pack("{s:b}", "nullable", 1);
    if (c->geom_column && c->geom_nullable)
        geom = json_pack("{s:[o], s:b}", "allOf", geom, "nullable", 1);
    json_t *schema = json_pack("{s:s, s:[s,s,s], s:{s:{s:s, s:[s]}, s:{s:s}, s:o, s:{s:s, s:o}}}",
                               "type", "object", "required", "type", "geometry", "properties",
                               "properties", "type", "type", "string", "enum", "Feature", "id",
                               "type", c->id_is_text ? "string" : "integer", "geometry", geom,
                               "properties", "type", "object", "properties", props);
    /* OpenAPI 3.0 wants at least one name in a required list: read-only collections have none */
    if (json_array_size(required) > 0)
        json_object_set_new(json_object_get(json_object_get(schema, "properties"), "properties"),
                            "required", required);
    else
        json_decref(required);
    return schema;
}

int h_openapi(srv_req *r)
{
    static const char *const known[] = {"f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    char base[300];
    srv_base_url(r, base, sizeof base);

    json_t *paths = json_object();
    json_object_set_new(
        paths, "/",
        op("Landing page", "getLandingPage", NULL,
           json_response("links to the API, conformance and data", "application/json",
                         json_pack("{s:s}", "type", "object"))));
    json_object_set_new(
        paths, "/api",
        op("This document", "getAPI", NULL,
           json_response("the OpenAPI 3.0 document", "application/vnd.oai.openapi+json;version=3.0",
                         json_pack("{s:s}", "type", "object"))));
    json_object_set_new(
        paths, "/conformance",
        op("Conformance classes implemented", "getConformance", NULL,
           json_response("the conformance classes", "application/json",
                         json_pack("{s:s, s:{s:{s:s, s:{s:s}}}}", "type", "object", "properties",
                                   "conformsTo", "type", "array", "items", "type", "string"))));
    json_object_set_new(
        paths, "/collections",
        op("Feature collections", "getCollections", NULL,
           json_response("every collection with extent and CRS list", "application/json",
                         json_pack("{s:s}", "type", "object"))));
    json_t *locate_params =
        json_pack("[o,o,o]",
                  json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", "lon", "in", "query",
                            "description", "longitude (or easting in a projected crs)", "required",
                            1, "schema", "type", "number"),
                  json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", "lat", "in", "query",
                            "description", "latitude (or northing in a projected crs)", "required",
                            1, "schema", "type", "number"),
                  ref("#/components/parameters/crs"));
    json_object_set_new(
        paths, "/locate",
        op("Who is responsible here: the jurisdiction chain province→village, every grid "
           "covering the point and its workers",
           "locate", locate_params,
           json_response("jurisdictions, grids and workers", "application/json",
                         json_pack("{s:s}", "type", "object"))));

    json_t *schemas = json_object();
    json_object_set_new(
        schemas, "problem",
        json_pack("{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, "
                  "s:{s:s}}}",
                  "type", "object", "required", "status", "code", "properties", "type", "type",
                  "string", "title", "type", "string", "status", "type", "integer", "code", "type",
                  "string", "description", "stable machine-readable error code", "detail", "type",
                  "string", "instance", "type", "string"));

    /* GeoJSON geometry schemas kept inside the document, so it validates offline */
    const char *gtypes[] = {"Point", "MultiPolygon"};
    for (size_t g = 0; g < 2; g++)
        json_object_set_new(schemas, gtypes[g],
                            json_pack("{s:s, s:[s,s], s:{s:{s:s, s:[s]}, s:{s:s}}}", "type",
                                      "object", "required", "type", "coordinates", "properties",
                                      "type", "type", "string", "enum", gtypes[g], "coordinates",
                                      "type", "array"));
    json_object_set_new(schemas, "Geometry",
                        json_pack("{s:s, s:[s], s:{s:{s:s, s:[s,s,s,s,s,s,s]}, s:{s:s}, s:{s:s}}}",
                                  "type", "object", "required", "type", "properties", "type",
                                  "type", "string", "enum", "Point", "MultiPoint", "LineString",
                                  "MultiLineString", "Polygon", "MultiPolygon",
                                  "GeometryCollection", "coordinates", "type", "array",
                                  "geometries", "type", "array"));

    for (int i = 0; i < srv_coll_count(); i++) {
        const srv_coll *c = srv_coll_at(i);
        char path[200], opid[120], schema_ref[200], title[200];
        snprintf(title, sizeof title, "%s %s", c->title_zh, c->title_en);
        snprintf(schema_ref, sizeof schema_ref, "#/components/schemas/%s_feature", c->id);
        char schema_name[120];
        snprintf(schema_name, sizeof schema_name, "%s_feature", c->id);
        json_object_set_new(schemas, schema_name, feature_schema(c));

        snprintf(path, sizeof path, "/collections/%s", c->id);
        snprintf(opid, sizeof opid, "describe_%s", c->id);
        json_object_set_new(
            paths, path,
            op(title, opid, NULL,
               json_response("the collection: extent, crs, storageCrs, links", "application/json",
                             json_pack("{s:s}", "type", "object"))));

        json_t *params = json_array();
        const char *shared[] = {"limit", "offset",   "after",  "bbox",         "bbox-crs",
                                "crs",   "datetime", "sortby", "jurisdiction", "f-items"};
        for (size_t k = 0; k < sizeof shared / sizeof shared[0]; k++) {
            char where[100];
            snprintf(where, sizeof where, "#/components/parameters/%s", shared[k]);
            json_array_append_new(params, ref(where));
        }
        for (int k = 0; k < c->nprops; k++) {
            const srv_coll_prop *p = &c->props[k];
            if (!(p->flags & SRV_PF_FILTER))
                continue;
            json_t *schema = srv_prop_schema(p, true);
            json_object_del(schema, "readOnly");
            char desc[300];
            snprintf(desc, sizeof desc, "features whose %s equals this%s", p->name,
                     p->enum_values ? " (a comma list means any of them)" : "");
            json_array_append_new(params, qparam(p->name, desc, schema, false));
        }
        json_t *fc = json_pack(
            "{s:s, s:[s,s], s:{s:{s:s}, s:{s:s, s:o}, s:{s:s, s:i}, s:{s:s, s:i}, s:{s:s}, "
            "s:{s:s}}}",
            "type", "object", "required", "type", "features", "properties", "type", "type",
            "string", "features", "type", "array", "items", ref(schema_ref), "numberMatched",
            "type", "integer", "minimum", 0, "numberReturned", "type", "integer", "minimum", 0,
            "timeStamp", "type", "string", "links", "type", "array");
        json_t *items_ok = json_response("a page of features; Content-Crs says the CRS",
                                         "application/geo+json", fc);
        /* the downloads f= asks for */
        json_t *content = json_object_get(items_ok, "content");
        static const char *const dl_types[] = {"text/csv", "application/geopackage+sqlite3",
                                               "application/zip",
                                               "application/vnd.google-earth.kml+xml"};
        for (size_t k = 0; content && k < sizeof dl_types / sizeof dl_types[0]; k++)
            json_object_set_new(
                content, dl_types[k],
                json_pack("{s:{s:s, s:s}}", "schema", "type", "string", "format", "binary"));
        json_object_set_new(items_ok, "headers",
                            json_pack("{s:{s:s, s:{s:s}}}", "Content-Crs", "description",
                                      "the CRS of the geometry, as <uri>", "schema", "type",
                                      "string"));
        snprintf(path, sizeof path, "/collections/%s/items", c->id);
        snprintf(opid, sizeof opid, "get_%s_features", c->id);
        json_t *items = op(title, opid, params, items_ok);
        json_object_set_new(json_object_get(json_object_get(items, "get"), "responses"), "404",
                            problem_response("no such collection"));
        json_object_set_new(paths, path, items);

        json_t *fid_params =
            json_pack("[{s:s, s:s, s:b, s:{s:s}}, o, o]", "name", "featureId", "in", "path",
                      "required", 1, "schema", "type", "string", ref("#/components/parameters/crs"),
                      ref("#/components/parameters/f"));
        json_t *one_ok = json_response("one feature, with a strong ETag", "application/geo+json",
                                       ref(schema_ref));
        json_object_set_new(one_ok, "headers",
                            json_pack("{s:{s:{s:s}}, s:{s:{s:s}}}", "ETag", "schema", "type",
                                      "string", "Content-Crs", "schema", "type", "string"));
        snprintf(path, sizeof path, "/collections/%s/items/{featureId}", c->id);
        snprintf(opid, sizeof opid, "get_%s_feature", c->id);
        json_t *one = op(title, opid, fid_params, one_ok);
        json_t *resp = json_object_get(json_object_get(one, "get"), "responses");
        json_object_set_new(resp, "304",
                            json_pack("{s:s}", "description", "not modified (If-None-Match)"));
        json_object_set_new(resp, "404", problem_response("no such feature"));
        json_object_set_new(paths, path, one);

        snprintf(path, sizeof path, "/collections/%s/queryables", c->id);
        snprintf(opid, sizeof opid, "get_%s_queryables", c->id);
        json_object_set_new(
            paths, path,
            op(title, opid, NULL,
               json_response("queryable properties as JSON Schema", "application/schema+json",
                             json_pack("{s:s}", "type", "object"))));
    }

    edit_openapi_paths(paths); /* the write half: Part 4, split/merge, history (edit_openapi.c) */
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:o}}", "openapi", "3.0.3", "info",
        "title", "Pingan Grid 平安网格", "version", "0.1.0", "description",
        "OGC API - Features (Part 1 core, GeoJSON, OpenAPI 3.0; Part 2 CRS) for the grids, key "
        "places and hazards of Jiangxi governance centres. Errors are RFC 9457 problem+json "
        "with a stable code.",
        "servers", "url", base, "paths", paths, "components", "parameters", shared_parameters(),
        "schemas", schemas);
    edit_openapi_security(json_object_get(doc, "components"));
    return srv_send_json(r, 200, doc, "application/vnd.oai.openapi+json;version=3.0");
}
