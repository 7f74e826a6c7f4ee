/* Handlers of the write half of the feature API (OGC API - Features Part 4): create, replace,
 * patch, delete, OPTIONS, grid split and merge, history and restore. Thin: HTTP in, edit_*
 * in the middle, the edit_result out as a reply. */
#include "edit.h"
#include "srv_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JSON_DEPTH 64

static const char *op_name(edit_op op)
{
    static const char *const names[] = {"create", "replace", "patch", "delete"};
    return names[op];
}

/* The collection named in the path, or NULL after sending 404. */
static const srv_coll *find_coll(srv_req *r)
{
    const srv_coll *c = srv_coll_find(r->params[0]);
    if (!c)
        srv_problem(r, 404, "collection_not_found", "no such collection", NULL);
    return c;
}

/* The collection, when it takes writes, after checking the caller's role; NULL after sending
 * the refusal. */
static const srv_coll *writable_coll(srv_req *r)
{
    const srv_coll *c = find_coll(r);
    if (!c)
        return NULL;
    if (!c->writable) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s is read-only", c->id);
        srv_problem_ex(r, 405, "read_only_collection", detail, NULL,
                       "Allow: GET, HEAD, OPTIONS\r\n");
        return NULL;
    }
    if (srv_require_writer(r))
        return NULL;
    return c;
}

/* Reads Content-Crs (OGC API - Features Part 2: "<uri>"); false after sending 400. */
static bool content_crs(srv_req *r, const srv_crs **crs)
{
    const char *h = srv_header(r, "Content-Crs");
    *crs = srv_crs_find("CRS84");
    if (!h)
        return true;
    char name[300];
    snprintf(name, sizeof name, "%s", h);
    char *s = name;
    while (*s == ' ' || *s == '<')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '>'))
        s[--n] = '\0';
    if (!(*crs = srv_crs_find(s))) {
        json_t *supported = json_array();
        for (int i = 0; i < srv_crs_count(); i++)
            json_array_append_new(supported, json_string(srv_crs_at(i)->uri));
        srv_problem(r, 400, "unsupported_crs", "Content-Crs names a CRS this server does not take",
                    json_pack("{s:o}", "supported", supported));
        return false;
    }
    return true;
}

/* ?dry-run=true; false after sending 400 for anything but true/false. */
static bool dry_run(srv_req *r, bool *dry)
{
    char v[16];
    *dry = false;
    if (!srv_query(r, "dry-run", v, sizeof v))
        return true;
    if (!strcmp(v, "true") || !strcmp(v, "1")) {
        *dry = true;
        return true;
    }
    if (!strcmp(v, "false") || !strcmp(v, "0"))
        return true;
    srv_problem(r, 400, "invalid_parameter", "dry-run takes true or false",
                json_pack("{s:s}", "parameter", "dry-run"));
    return false;
}

static void make_ctx(srv_req *r, const srv_coll *c, const srv_crs *crs, bool dry, edit_ctx *x)
{
    *x = (edit_ctx){.coll = c,
                    .actor = r->actor,
                    .role = r->role,
                    .scope = r->scope,
                    .crs = crs,
                    .dry_run = dry,
                    .overlap_warn = !strcmp(r->server->cfg.overlap_policy, "warn"),
                    .spill_tolerance_m2 = (double)r->server->cfg.spill_tolerance_m2,
                    .max_vertices = r->server->cfg.max_vertices};
}

/* Sends what an edit decided, and logs the write (or its refusal) with the actor. */
static int send_result(srv_req *r, const edit_ctx *x, const char *what, edit_result *res)
{
    core_log(CORE_LOG_INFO, "edit",
             "\"actor\":\"%s\",\"collection\":\"%s\",\"operation\":\"%s\",\"id\":\"%s\","
             "\"version\":%ld,\"status\":%d,\"dry_run\":%s,\"faults\":%zu",
             x->actor, x->coll->id, what, res->id, res->version, res->status,
             x->dry_run ? "true" : "false", json_array_size(res->faults));
    char headers[700] = "";
    if (res->status >= 400) {
        json_t *extra = res->extra ? json_incref(res->extra) : json_object();
        if (json_array_size(res->faults))
            json_object_set(extra, "faults", res->faults);
        if (json_array_size(res->warnings))
            json_object_set(extra, "warnings", res->warnings);
        if (res->status == 422 && json_object_size(res->computed))
            json_object_set(extra, "computed", res->computed);
        const char *current = json_string_value(json_object_get(res->extra, "current_etag"));
        if (current)
            snprintf(headers, sizeof headers, "ETag: %s\r\n", current);
        return srv_problem_ex(r, res->status, res->code, res->detail, extra,
                              *headers ? headers : NULL);
    }
    if (x->dry_run) {
        json_t *doc = json_pack("{s:b, s:b, s:O, s:O, s:O, s:O}", "dry_run", 1, "valid", 1,
                                "faults", res->faults, "warnings", res->warnings, "computed",
                                res->computed, "features", res->features);
        return srv_send_json(r, 200, doc, NULL);
    }
    if (res->status == 204)
        return srv_send(r, 204, NULL, NULL, 0, NULL);
    char base[300], etag[64];
    srv_base_url(r, base, sizeof base);
    edit_etag(etag, sizeof etag, res->id, res->version);
    int n = snprintf(headers, sizeof headers, "ETag: %s\r\n", etag);
    if (*res->created_id)
        snprintf(headers + n, sizeof headers - (size_t)n,
                 "Location: %s/collections/%s/items/%s\r\n", base, x->coll->id, res->created_id);
    json_t *doc;
    if (json_array_size(res->features) == 1) {
        doc = json_incref(json_array_get(res->features, 0));
    } else {
        doc = json_pack("{s:s, s:O}", "type", "FeatureCollection", "features", res->features);
        json_object_set(doc, "computed", res->computed);
    }
    if (json_array_size(res->warnings))
        json_object_set(doc, "warnings", res->warnings);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!text)
        return srv_problem(r, 500, "out_of_memory", NULL, NULL);
    int rc = srv_send(r, res->status, "application/geo+json", text, strlen(text), headers);
    free(text);
    return rc;
}

/* One write from start to end: collection, role, CRS, dry-run, body, edit, reply. */
static int write_feature(srv_req *r, edit_op op, const char *fid)
{
    const srv_coll *c = writable_coll(r);
    const srv_crs *crs;
    bool dry;
    if (!c || !content_crs(r, &crs) || !dry_run(r, &dry))
        return r->status;
    json_t *body = NULL;
    if (op != EDIT_DELETE && srv_read_json(r, &body, MAX_JSON_DEPTH))
        return r->status;
    PGconn *conn = srv_db_acquire(r);
    if (!conn) {
        json_decref(body);
        return r->status;
    }
    edit_ctx x;
    make_ctx(r, c, crs, dry, &x);
    edit_result res;
    edit_feature(conn, &x, op, fid, srv_header(r, "If-Match"), body, &res);
    srv_db_release(r, conn);
    json_decref(body);
    int status = send_result(r, &x, op_name(op), &res);
    edit_result_free(&res);
    return status;
}

int h_item_create(srv_req *r)
{
    return write_feature(r, EDIT_CREATE, NULL);
}

int h_item_write(srv_req *r)
{
    edit_op op = !strcmp(r->method, "PUT")     ? EDIT_REPLACE
                 : !strcmp(r->method, "PATCH") ? EDIT_PATCH
                                               : EDIT_DELETE;
    return write_feature(r, op, r->params[1]);
}

/* OPTIONS: the methods this caller may use here (Allow), so a client can grey out buttons. */
static int options(srv_req *r, bool item)
{
    const srv_coll *c = find_coll(r);
    if (!c)
        return r->status;
    bool may = c->writable && srv_may_write(r);
    if (may && item) {
        PGconn *conn = srv_db_acquire(r);
        if (!conn)
            return r->status;
        char place[32] = "";
        core_err err = {0};
        core_code rc = edit_feature_place(conn, c, r->params[1], place, sizeof place, &err);
        srv_db_release(r, conn);
        if (rc == CORE_ENOTFOUND)
            return srv_problem(r, 404, "not_found", "no such feature", NULL);
        may = rc == CORE_OK && srv_in_scope(r, place);
    }
    char allow[200];
    snprintf(allow, sizeof allow, "Allow: GET, HEAD, OPTIONS%s\r\n",
             !may   ? ""
             : item ? (strcmp(c->id, "grids") == 0 ? ", PUT, PATCH, DELETE, POST"
                                                   : ", PUT, PATCH, DELETE")
                    : ", POST");
    return srv_send(r, 204, NULL, NULL, 0, allow);
}

int h_items_options(srv_req *r)
{
    return options(r, false);
}

int h_item_options(srv_req *r)
{
    return options(r, true);
}

/* POST /collections/grids/items/{fid}/split and POST /collections/grids/merge. */
static int grid_operation(srv_req *r, bool split)
{
    const srv_coll *c = writable_coll(r);
    const srv_crs *crs;
    bool dry;
    if (!c || !content_crs(r, &crs) || !dry_run(r, &dry))
        return r->status;
    if (strcmp(c->id, "grids") != 0)
        return srv_problem(r, 404, "not_found", "only grids can be split", NULL);
    json_t *body = NULL;
    if (srv_read_json(r, &body, MAX_JSON_DEPTH))
        return r->status;
    PGconn *conn = srv_db_acquire(r);
    if (!conn) {
        json_decref(body);
        return r->status;
    }
    edit_ctx x;
    make_ctx(r, c, crs, dry, &x);
    edit_result res;
    if (split)
        edit_grid_split(conn, &x, r->params[1], srv_header(r, "If-Match"), body, &res);
    else
        edit_grid_merge(conn, &x, body, &res);
    srv_db_release(r, conn);
    json_decref(body);
    int status = send_result(r, &x, split ? "split" : "merge", &res);
    edit_result_free(&res);
    return status;
}

int h_grid_split(srv_req *r)
{
    return grid_operation(r, true);
}

int h_grid_merge(srv_req *r)
{
    /* The route is literal: give the handler the collection capture it expects. */
    r->params[0] = "grids";
    r->nparams = 1;
    return grid_operation(r, false);
}

int h_item_history(srv_req *r)
{
    const srv_coll *c = find_coll(r);
    if (!c)
        return r->status;
    if (!srv_coll_readable(c, r->role, r->server->cfg.anonymous_reads))
        return srv_problem_ex(r, 401, "unauthorized", "this collection needs a token", NULL,
                              "WWW-Authenticate: Bearer\r\n"); /* as the read half says it */
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return r->status;
    char place[32] = "";
    core_err err = {0};
    edit_feature_place(conn, c, r->params[1], place, sizeof place, &err);
    bool personal = srv_coll_personal_visible(r->role, r->scope, place);
    core_err herr = {0};
    json_t *list = edit_history(conn, c, r->params[1], personal, &herr);
    srv_db_release(r, conn);
    if (!list)
        return herr.code == CORE_ENOTFOUND
                   ? srv_problem(r, 404, "not_found", "no such feature and no history", NULL)
                   : srv_problem(r, 500, "history_failed", "cannot read the history", NULL);
    char base[300], self[600];
    srv_base_url(r, base, sizeof base);
    snprintf(self, sizeof self, "%s/collections/%s/items/%s/history", base, c->id, r->params[1]);
    json_t *doc = json_pack("{s:s, s:s, s:o, s:[{s:s, s:s, s:s}]}", "collection", c->id, "id",
                            r->params[1], "changes", list, "links", "href", self, "rel", "self",
                            "type", "application/json");
    return srv_send_json(r, 200, doc, NULL);
}

int h_item_restore(srv_req *r)
{
    const srv_coll *c = writable_coll(r);
    bool dry;
    if (!c || !dry_run(r, &dry))
        return r->status;
    char v[24];
    char *end = NULL;
    long version = srv_query(r, "version", v, sizeof v) ? strtol(v, &end, 10) : 0;
    if (version <= 0 || !end || *end)
        return srv_problem(r, 400, "invalid_parameter", "restore needs ?version=N (N ≥ 1)",
                           json_pack("{s:s}", "parameter", "version"));
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return r->status;
    edit_ctx x;
    make_ctx(r, c, NULL, dry, &x);
    edit_result res;
    edit_restore(conn, &x, r->params[1], srv_header(r, "If-Match"), version, &res);
    srv_db_release(r, conn);
    int status = send_result(r, &x, "restore", &res);
    edit_result_free(&res);
    return status;
}
