/* All routes in one table, and the one CivetWeb handler that matches them, times them, logs
 * them and counts them. Order matters only where patterns overlap: literal segments are
 * listed before {captures} on the same prefix. */
#include "routes.h"
#include "srv_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const srv_route routes[] = {
    {"GET,HEAD", "/health", h_health, "health"},
    {"GET,HEAD", "/metrics", h_metrics, "metrics"},
    {"GET,HEAD", "/", h_landing, "landing"},
    /* OGC API - Features reads (api-read) */
    {"GET,HEAD", "/api", h_openapi, "api"},
    {"GET,HEAD", "/conformance", h_conformance, "conformance"},
    {"GET,HEAD", "/collections", h_collections, "collections"},
    {"GET,HEAD", "/collections/{id}", h_collection, "collection"},
    {"GET,HEAD", "/collections/{id}/queryables", h_queryables, "queryables"},
    {"GET,HEAD", "/collections/{id}/items", h_items, "items"},
    {"GET,HEAD", "/collections/{id}/items/{fid}", h_item, "item"},
    {"GET,HEAD", "/locate", h_locate, "locate"},
    {"GET,HEAD", "/web/**", h_static, "static"},
    /* hazards: lifecycle actions, exposure, exposure report */
    {"GET,HEAD", "/collections/hazards/items/{id}/actions", h_hazard_actions_get, "hazard_actions"},
    {"POST", "/collections/hazards/items/{id}/actions", h_hazard_actions_post, "hazard_act"},
    {"GET,HEAD", "/hazards/{id}/exposure", h_hazard_exposure, "hazard_exposure"},
    {"GET,HEAD", "/reports/exposure", h_report_exposure, "report_exposure"},
    /* coverage and staffing analysis (Art. 15, 57) */
    {"GET,HEAD", "/reports/coverage", h_report_coverage, "report_coverage"},
    {"GET,HEAD", "/reports/staffing", h_report_staffing, "report_staffing"},
    {"GET,HEAD", "/reports/scorecard", h_report_scorecard, "report_scorecard"},
    {"GET,HEAD", "/reports/hazards", h_report_hazards, "report_hazards"},
    /* tiles area: catalogue, TileJSON ("/tiles/{layers}.json"), tiles, styles and glyphs */
    {"GET,HEAD", "/tiles", h_tiles_catalogue, "tiles_catalogue"},
    {"GET,HEAD", "/tiles/{layers}", h_tilejson, "tilejson"},
    {"GET,HEAD", "/tiles/{layers}/{z}/{x}/{y}", h_tile, "tile"},
    {"GET,HEAD", "/styles/glyphs/{fontstack}/{range}", h_glyphs, "glyphs"},
    {"GET,HEAD", "/styles/{name}", h_style, "style"},
    /* Writes (OGC API - Features Part 4), grid operations and history: h_write.c */
    {"POST", "/collections/grids/merge", h_grid_merge, "grids_merge"},
    {"POST", "/collections/{id}/items", h_item_create, "items_create"},
    {"OPTIONS", "/collections/{id}/items", h_items_options, "items_options"},
    {"PUT,PATCH,DELETE", "/collections/{id}/items/{fid}", h_item_write, "item_write"},
    {"OPTIONS", "/collections/{id}/items/{fid}", h_item_options, "item_options"},
    {"POST", "/collections/{id}/items/{fid}/split", h_grid_split, "grid_split"},
    {"GET,HEAD", "/collections/{id}/items/{fid}/history", h_item_history, "item_history"},
    {"POST", "/collections/{id}/items/{fid}/restore", h_item_restore, "item_restore"},
    /* imports: upload a bureau file, then follow its job */
    {"POST", "/imports", h_imports_post, "imports"},
    {"GET,HEAD", "/imports/{id}", h_imports_get, "import"},
    /* web: pages, live events, jurisdiction search */
    {"GET,HEAD", "/editor", h_editor_page, "editor"},
    {"GET,HEAD", "/events", h_events, "events"},
    {"GET,HEAD", "/search/jurisdictions", h_search_jurisdictions, "search_jurisdictions"},
};
#define NROUTES ((int)(sizeof routes / sizeof routes[0]))

int srv_route_count(void)
{
    return NROUTES;
}

const char *srv_route_name(int i)
{
    return i >= 0 && i < NROUTES ? routes[i].name : "none";
}

/* Matches the path against a pattern segment by segment: {x} captures one segment, a final
 * ** captures the rest. Captures point into `path`; terminate_params cuts them afterwards. */
static bool match(const char *pattern, char *path, srv_req *r)
{
    r->nparams = 0;
    const char *p = pattern;
    char *s = path;
    for (;;) {
        if (*p == '\0' || *s == '\0')
            return *p == '\0' && *s == '\0';
        if (*p != '/' || *s != '/')
            return false;
        p++, s++;
        if (strcmp(p, "**") == 0) {
            r->params[r->nparams++] = s;
            return true;
        }
        size_t plen = strcspn(p, "/");
        size_t slen = strcspn(s, "/");
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0 || r->nparams == SRV_MAX_PARAMS)
                return false;
            r->params[r->nparams++] = s;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
}

static bool method_allowed(const char *methods, const char *method)
{
    size_t n = strlen(method);
    for (const char *m = methods; m && *m;) {
        const char *comma = strchr(m, ',');
        size_t len = comma ? (size_t)(comma - m) : strlen(m);
        if (len == n && strncmp(m, method, n) == 0)
            return true;
        m = comma ? comma + 1 : NULL;
    }
    return false;
}

/* Cuts each captured parameter at its segment's end (the captures share one buffer). */
static void terminate_params(srv_req *r, const srv_route *route)
{
    bool rest = strstr(route->pattern, "/**") != NULL;
    for (int i = 0; i < r->nparams; i++) {
        if (rest && i == r->nparams - 1)
            break;
        char *slash = strchr(r->params[i], '/');
        if (slash)
            *slash = '\0';
    }
}

static int dispatch(struct mg_connection *conn, void *data)
{
    srv *s = data;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    srv_req r = {.conn = conn,
                 .ri = ri,
                 .server = s,
                 .method = ri->request_method,
                 .path = ri->local_uri ? ri->local_uri : "/",
                 .query = ri->query_string,
                 .route = -1};
    snprintf(r.actor, sizeof r.actor, "anonymous");
    snprintf(r.role, sizeof r.role, "anonymous");
    double t0 = core_now_ms();

    size_t plen = strlen(r.path);
    char *scratch = malloc(plen + 1);
    int status = 0;
    if (!scratch) {
        status = srv_problem(&r, 500, "out_of_memory", NULL, NULL);
    } else {
        char allow[256] = "";
        for (int i = 0; i < NROUTES && !status; i++) {
            memcpy(scratch, r.path, plen + 1);
            srv_req probe = r;
            if (!match(routes[i].pattern, scratch, &probe))
                continue;
            if (!method_allowed(routes[i].methods, r.method)) {
                if (strlen(allow) + strlen(routes[i].methods) + 2 < sizeof allow)
                    snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                             *allow ? "," : "", routes[i].methods);
                continue;
            }
            r = probe;
            r.route = i;
            terminate_params(&r, &routes[i]);
            status = srv_authenticate(&r, routes[i].name);
            if (!status)
                status = routes[i].handler(&r);
        }
        if (!status && *allow) {
            char hdr[300];
            snprintf(hdr, sizeof hdr, "Allow: %s,OPTIONS\r\n", allow);
            if (strcmp(r.method, "OPTIONS") == 0) {
                status = srv_send(&r, 204, NULL, NULL, 0, hdr);
            } else {
                char detail[200];
                snprintf(detail, sizeof detail, "%s is not allowed here", r.method);
                json_t *extra = json_pack("{s:s}", "allow", allow);
                status = srv_problem_ex(&r, 405, "method_not_allowed", detail, extra, hdr);
            }
        }
        if (!status)
            status = srv_problem(&r, 404, "not_found", "no such resource", NULL);
        free(scratch);
    }
    double ms = core_now_ms() - t0;
    srv_metrics_observe(r.route, r.method, status, ms);
    if (!r.quiet) /* tiles area: tile hits are too many to log one by one (tile_access_log) */
        core_log(CORE_LOG_INFO, "access",
                 "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"ms\":%.2f,\"bytes\":%lld,"
                 "\"actor\":\"%s\",\"role\":\"%s\"%s%s%s",
                 r.method, srv_route_name(r.route), status, ms, r.bytes, r.actor, r.role,
                 r.problem[0] ? ",\"code\":\"" : "", r.problem, r.problem[0] ? "\"" : "");
    return status;
}

void srv_routes_install(srv *s)
{
    mg_set_request_handler(s->ctx, "/", dispatch, s);
}
