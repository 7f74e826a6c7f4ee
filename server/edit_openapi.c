/* The write half's part of the OpenAPI document and of /conformance: Part 4 operations on
 * every writable collection, grid split and merge, history and restore. Called by the read
 * half's generator (h_openapi.c, h_collections.c) so that /api describes what is served. */
#include "edit.h"

#include <stdio.h>
#include <string.h>

static json_t *ref(const char *where)
{
    return json_pack("{s:s}", "$ref", where);
}

static json_t *problem(const char *desc)
{
    return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content",
                     "application/problem+json", "schema", ref("#/components/schemas/problem"));
}

static json_t *header_param(const char *name, const char *desc, bool required)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "header", "description",
                     desc, "required", required, "schema", "type", "string");
}

static json_t *query_param(const char *name, const char *desc, const char *type)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "query", "description",
                     desc, "required", 0, "schema", "type", type);
}

static json_t *path_param(void)
{
    return json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", "featureId", "in", "path", "required", 1,
                     "schema", "type", "string");
}

/* The refusals every write can meet. */
static json_t *write_responses(json_t *ok_code_and_desc)
{
    json_t *r = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o}", "400",
        problem("not JSON, not an object or not a Feature; an unknown Content-Crs"), "401",
        problem("no token, or a forged, expired or revoked one (WWW-Authenticate: Bearer)"), "403",
        problem("the role may not write (forbidden_role) or the place is outside the "
                "token's scope (out_of_scope, with the place)"),
        "404", problem("no such collection or feature"), "422",
        problem("validation_failed: every fault at once, each with code, message_zh, "
                "message_en, path and, for geometry, location or geometry"),
        "503", problem("the database is not reachable"));
    json_object_update(r, ok_code_and_desc);
    json_decref(ok_code_and_desc);
    return r;
}

static json_t *operation(const char *summary, const char *op_id, json_t *params, json_t *body,
                         json_t *responses)
{
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:o, s:[{s:[]}]}", "summary", summary, "operationId", op_id,
                  "parameters", params, "responses", responses, "security", "bearer");
    if (body)
        json_object_set_new(o, "requestBody", body);
    return o;
}

static json_t *feature_body(const char *schema_ref, const char *media)
{
    return json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", media, "schema",
                     ref(schema_ref));
}

static json_t *ok(const char *code, const char *desc)
{
    return json_pack("{s:{s:s}}", code, "description", desc);
}

/* The path item at `path`, made when absent (the read half may have put a GET there). */
static json_t *path_item(json_t *paths, const char *path)
{
    json_t *item = json_object_get(paths, path);
    if (!item) {
        item = json_object();
        json_object_set_new(paths, path, item);
    }
    return item;
}

static json_t *common_write_params(bool item, bool if_match)
{
    json_t *p = json_array();
    if (item)
        json_array_append_new(p, path_param());
    if (if_match)
        json_array_append_new(p, header_param("If-Match",
                                              "the feature's ETag (428 without it, "
                                              "412 when stale)",
                                              true));
    json_array_append_new(p, header_param("Content-Crs",
                                          "<uri> of the input's CRS (default CRS84): EPSG:4326, "
                                          "4490, 3857, 4547, 4548",
                                          false));
    json_array_append_new(p, query_param("dry-run",
                                         "true: validate and compute, save nothing (200 with the "
                                         "report and computed fields)",
                                         "boolean"));
    return p;
}

static json_t *options_op(const char *id, bool item)
{
    json_t *params = json_array();
    if (item)
        json_array_append_new(params, path_param());
    char op_id[120];
    snprintf(op_id, sizeof op_id, "options_%s_%s", id, item ? "feature" : "features");
    return json_pack("{s:s, s:s, s:o, s:{s:{s:s, s:{s:{s:{s:s}}}}}}", "summary",
                     "the methods this caller may use here", "operationId", op_id, "parameters",
                     params, "responses", "204", "description", "see the Allow header", "headers",
                     "Allow", "schema", "type", "string");
}

void edit_openapi_paths(json_t *paths)
{
    for (int i = 0; i < srv_coll_count(); i++) {
        const srv_coll *c = srv_coll_at(i);
        if (!c->writable)
            continue;
        char path[200], op_id[120], schema[200], summary[200];
        snprintf(schema, sizeof schema, "#/components/schemas/%s_feature", c->id);

        snprintf(path, sizeof path, "/collections/%s/items", c->id);
        json_t *items = path_item(paths, path);
        snprintf(op_id, sizeof op_id, "create_%s_feature", c->id);
        snprintf(summary, sizeof summary, "create a feature in %s (validated)", c->id);
        json_object_set_new(
            items, "post",
            operation(summary, op_id, common_write_params(false, false),
                      feature_body(schema, "application/geo+json"),
                      write_responses(ok("201", "created: Location and ETag headers, the feature "
                                                "with its computed fields"))));
        json_object_set_new(items, "options", options_op(c->id, false));

        snprintf(path, sizeof path, "/collections/%s/items/{featureId}", c->id);
        json_t *one = path_item(paths, path);
        json_t *resp = write_responses(ok("200", "replaced: the feature and its new ETag"));
        json_object_set_new(resp, "412", problem("the ETag is stale"));
        json_object_set_new(resp, "428", problem("If-Match is missing"));
        snprintf(op_id, sizeof op_id, "replace_%s_feature", c->id);
        json_object_set_new(one, "put",
                            operation("replace a feature", op_id, common_write_params(true, true),
                                      feature_body(schema, "application/geo+json"),
                                      json_deep_copy(resp)));
        snprintf(op_id, sizeof op_id, "update_%s_feature", c->id);
        json_object_set_new(
            one, "patch",
            operation("change part of a feature (JSON merge-patch, RFC 7396)", op_id,
                      common_write_params(true, true),
                      json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                "application/merge-patch+json", "schema", "type", "object"),
                      json_deep_copy(resp)));
        json_object_set_new(resp, "204", json_pack("{s:s}", "description", "deleted"));
        json_object_del(resp, "200");
        snprintf(op_id, sizeof op_id, "delete_%s_feature", c->id);
        json_object_set_new(
            one, "delete",
            operation("delete a feature", op_id, common_write_params(true, true), NULL, resp));
        json_object_set_new(one, "options", options_op(c->id, true));

        snprintf(path, sizeof path, "/collections/%s/items/{featureId}/history", c->id);
        snprintf(op_id, sizeof op_id, "get_%s_history", c->id);
        json_object_set_new(
            path_item(paths, path), "get",
            json_pack("{s:s, s:s, s:[o], s:{s:{s:s}, s:o}}", "summary",
                      "every change: who, when, operation, version, the feature before and after",
                      "operationId", op_id, "parameters", path_param(), "responses", "200",
                      "description", "the changes, oldest first", "404",
                      problem("no such feature")));

        snprintf(path, sizeof path, "/collections/%s/items/{featureId}/restore", c->id);
        snprintf(op_id, sizeof op_id, "restore_%s_feature", c->id);
        json_t *rp = common_write_params(true, true);
        json_array_append_new(rp,
                              json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:i}}", "name", "version",
                                        "in", "query", "description", "the version to bring back",
                                        "required", 1, "schema", "type", "integer", "minimum", 1));
        json_t *rresp = write_responses(ok("200", "restored as a new version"));
        json_object_set_new(rresp, "412", problem("the ETag is stale"));
        json_object_set_new(rresp, "428", problem("If-Match is missing"));
        json_object_set_new(path_item(paths, path), "post",
                            operation("restore an earlier version (a normal validated write)",
                                      op_id, rp, NULL, rresp));
    }

    json_object_set_new(
        path_item(paths, "/collections/grids/items/{featureId}/split"), "post",
        operation("split a grid along a line: the original keeps its id and code with the "
                  "larger part, the other part becomes a new grid; households recounted",
                  "split_grid", common_write_params(true, false),
                  json_pack("{s:b, s:{s:{s:{s:s, s:[s], s:{s:{s:s}, s:{s:s}}}}}}", "required", 1,
                            "content", "application/json", "schema", "type", "object", "required",
                            "coordinates", "properties", "type", "type", "string", "name", "type",
                            "string"),
                  write_responses(ok("201", "both grids; Location of the new one"))));
    json_object_set_new(
        path_item(paths, "/collections/grids/merge"), "post",
        operation("merge adjacent grids of one village and kind into the first listed",
                  "merge_grids", common_write_params(false, false),
                  json_pack("{s:b, s:{s:{s:{s:s, s:[s], s:{s:{s:s, s:i, s:{s:s}}, s:{s:s}}}}}}",
                            "required", 1, "content", "application/json", "schema", "type",
                            "object", "required", "ids", "properties", "ids", "type", "array",
                            "minItems", 2, "items", "type", "integer", "name", "type", "string"),
                  write_responses(ok("200", "the merged grid"))));
}

void edit_openapi_security(json_t *components)
{
    json_t *schemes = json_object_get(components, "securitySchemes");
    if (!schemes) {
        schemes = json_object();
        json_object_set_new(components, "securitySchemes", schemes);
    }
    json_object_set_new(schemes, "bearer",
                        json_pack("{s:s, s:s, s:s}", "type", "http", "scheme", "bearer",
                                  "description", "a token from `pingan token create`"));
}

void edit_conformance(json_t *conforms_to)
{
    static const char *const classes[] = {
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        json_array_append_new(conforms_to, json_string(classes[i]));
}
