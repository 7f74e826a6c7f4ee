/* The routes every deployment has: health for load balancers, and the landing page that OGC
 * API clients start from (browsers asking for HTML get the situation display instead). */
#include "srv_internal.h"

#include <stdio.h>
#include <string.h>

int h_health(srv_req *r)
{
    core_err err = {0};
    double t0 = core_now_ms();
    bool up = db_pool_ping(r->server->pool, &err) == CORE_OK;
    json_t *doc = json_pack("{s:s, s:s, s:f, s:f}", "status", up ? "ok" : "unavailable", "database",
                            up ? "ok" : "unreachable", "database_ms", core_now_ms() - t0,
                            "uptime_s", (core_now_ms() - r->server->started_ms) / 1000.0);
    return srv_send_json(r, up ? 200 : 503, doc, NULL);
}

/* True when the client asks for HTML before JSON (a browser), unless f= says otherwise. */
static bool wants_html(const srv_req *r)
{
    char f[16];
    if (srv_query(r, "f", f, sizeof f))
        return strcmp(f, "html") == 0;
    const char *accept = srv_header(r, "Accept");
    if (!accept)
        return false;
    const char *html = strstr(accept, "text/html");
    const char *json = strstr(accept, "json");
    return html && (!json || html < json);
}

static json_t *link(const char *base, const char *path, const char *rel, const char *type,
                    const char *title)
{
    char href[600];
    snprintf(href, sizeof href, "%s%s", base, path);
    return json_pack("{s:s, s:s, s:s, s:s}", "href", href, "rel", rel, "type", type, "title",
                     title);
}

int h_landing(srv_req *r)
{
    if (wants_html(r))
        return srv_send_file(r, "index.html");
    char base[300];
    srv_base_url(r, base, sizeof base);
    json_t *links = json_array();
    json_array_append_new(links, link(base, "/", "self", "application/json", "this document"));
    json_array_append_new(
        links, link(base, "/?f=html", "alternate", "text/html", "situation display 态势一张图"));
    json_array_append_new(links, link(base, "/api", "service-desc",
                                      "application/vnd.oai.openapi+json;version=3.0",
                                      "the API definition (OpenAPI 3.0)"));
    json_array_append_new(links, link(base, "/conformance", "conformance", "application/json",
                                      "OGC API conformance classes implemented"));
    json_array_append_new(
        links, link(base, "/collections", "data", "application/json", "feature collections"));
    json_array_append_new(links, link(base, "/health", "status", "application/json", "health"));
    json_t *doc = json_pack("{s:s, s:s, s:o}", "title", "Pingan Grid 平安网格", "description",
                            "Grid management and hazard mapping for Jiangxi governance centres "
                            "(江西省平安建设条例 第十五条)",
                            "links", links);
    return srv_send_json(r, 200, doc, NULL);
}
