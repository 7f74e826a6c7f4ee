/* What the handler files share: the request, reply helpers, the route table's handlers. */
#ifndef PINGAN_SRV_INTERNAL_H
#define PINGAN_SRV_INTERNAL_H

#include "analysis.h"
#include "db.h"
#include "server.h"

#include <civetweb.h>
#include <jansson.h>
#include <stdatomic.h>

#define SRV_MAX_PARAMS 4

struct srv {
    srv_config cfg;
    struct mg_context *ctx;
    db_pool *pool;
    int port;
    double started_ms;
    struct srv_overdue *overdue; /* the deadline watch (overdue.c), NULL when off */
    struct tile_ctx *tiles;      /* tiles area: cache and listener (NULL until started) */
    ana_worker *analysis;        /* background drainer of the coverage queue, NULL when off */
    struct srv_events *events;   /* live events (h_events.c) */
};

typedef struct {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    srv *server;
    const char *method;
    const char *path;                   /* decoded path, no query */
    const char *query;                  /* raw query string or NULL */
    const char *params[SRV_MAX_PARAMS]; /* {name} captures of the route, in order */
    int nparams;
    int route; /* index in the route table, -1 when none matched */
    int status;
    long long bytes;
    char actor[48];   /* token id of the caller, "anonymous" otherwise */
    char role[16];    /* admin, planner, importer, viewer; "anonymous" without a token */
    char scope[16];   /* jurisdiction code prefix the token may act in; "" without a token */
    char problem[40]; /* the code of the problem+json sent, for the access log */
    bool quiet;       /* tiles area: a routine reply left out of the access log (still counted) */
} srv_req;

/* A handler sends exactly one reply and returns its status (CivetWeb's convention). */
typedef int (*srv_handler)(srv_req *r);

/* ---- replies (http.c) ---- */
/* Sends a whole body; extra_headers is "Name: value\r\n"… or NULL. HEAD gets no body. */
int srv_send(srv_req *r, int status, const char *content_type, const void *body, size_t len,
             const char *extra_headers);
/* Sends a JSON document and takes the reference to doc. */
int srv_send_json(srv_req *r, int status, json_t *doc, const char *content_type);
/* RFC 9457 problem+json with a stable code; `extra` (may be NULL) is merged in and taken. */
int srv_problem(srv_req *r, int status, const char *code, const char *detail, json_t *extra);
/* The same with extra headers ("Name: value\r\n"…), e.g. Allow or WWW-Authenticate. */
int srv_problem_ex(srv_req *r, int status, const char *code, const char *detail, json_t *extra,
                   const char *extra_headers);
/* Starts a chunked reply; then srv_chunk… and srv_stream_end. */
int srv_stream_begin(srv_req *r, int status, const char *content_type, const char *extra_headers);
bool srv_chunk(srv_req *r, const void *data, size_t len);
void srv_stream_end(srv_req *r);
/* The query parameter's decoded value into out; false when absent. */
bool srv_query(const srv_req *r, const char *name, char *out, size_t size);
/* Base URL for links, without a trailing slash (public_url, else http://Host). */
void srv_base_url(const srv_req *r, char *out, size_t size);
/* The request header's value or NULL. */
const char *srv_header(const srv_req *r, const char *name);

/* ---- request bodies (body.c) ---- */
/* Reads the whole body into out within max_bytes (0: the max_body_bytes setting) and the
 * request deadline. Returns 0, or the status of the problem it already sent (400, 408, 413). */
int srv_read_body(srv_req *r, core_buf *out, long max_bytes);
/* Reads and parses a JSON body nested at most max_depth deep; *doc is the caller's. Returns 0
 * or the status of the problem already sent. */
int srv_read_json(srv_req *r, json_t **doc, size_t max_depth);
/* The pure part of srv_read_json (no connection; fuzzed): nesting checked before jansson
 * parses. SRV_JSON_OK with *doc a new reference, else *doc is NULL (e says why when invalid). */
enum { SRV_JSON_OK = 0, SRV_JSON_TOO_DEEP = 1, SRV_JSON_INVALID = 2 };
int srv_json_parse(const char *text, size_t len, size_t max_depth, json_t **doc, json_error_t *e);
/* The z/x/y(.mvt|.pbf) of a tile URL (h_tiles.c; pure, fuzzed): 0 with z, x, y set, 404 when
 * y lacks the extension, 400 when a number is malformed or outside the zoom's range. */
int srv_tile_zxy(const char *zs, const char *xs, const char *ys, long *z, long *x, long *y);

/* ---- database (http.c) ---- */
/* A pooled connection, or NULL after sending 503. Give it back with srv_db_release. */
PGconn *srv_db_acquire(srv_req *r);
void srv_db_release(srv_req *r, PGconn *c);

/* ---- metrics (metrics.c) ---- */
void srv_metrics_observe(int route, const char *method, int status, double ms);

/* ---- access (auth.c) ---- */
/* The router's gate before every handler: a bearer token fills actor/role/scope; a bad one
 * gets 401 (invalid_token, token_expired, token_revoked); no token gets 401 token_required
 * for writes, and for reads when anonymous_reads is off (except routes that decide per
 * collection themselves: metadata, items, locate, history). Open routes (by name: health,
 * metrics, static) pass untouched. Returns 0 to go on, or the status it sent. */
int srv_authenticate(srv_req *r, const char *route_name);
/* Role planner or admin. */
bool srv_may_write(const srv_req *r);
/* The division code lies inside the token's scope. */
bool srv_in_scope(const srv_req *r, const char *code);
/* 0 when the caller's role may change features; otherwise sends 401/403 and returns it. */
int srv_require_writer(srv_req *r);

/* ---- handlers ---- */
int h_health(srv_req *r);
int h_metrics(srv_req *r);
int h_landing(srv_req *r);
int h_static(srv_req *r);
/* OGC API - Features reads (h_openapi.c, h_collections.c, h_items.c, h_locate.c) */
int h_openapi(srv_req *r);
int h_conformance(srv_req *r);
int h_collections(srv_req *r);
int h_collection(srv_req *r);
int h_queryables(srv_req *r);
int h_items(srv_req *r);
int h_item(srv_req *r);
int h_locate(srv_req *r);
/* Feature writes, grid operations, history (h_write.c; OGC API - Features Part 4) */
int h_item_create(srv_req *r);
int h_item_write(srv_req *r); /* PUT, PATCH, DELETE */
int h_items_options(srv_req *r);
int h_item_options(srv_req *r);
int h_grid_split(srv_req *r);
int h_grid_merge(srv_req *r);
int h_item_history(srv_req *r);
int h_item_restore(srv_req *r);
/* imports (h_imports.c): multipart upload → job; job status and report */
int h_imports_post(srv_req *r);
int h_imports_get(srv_req *r);
/* Sends web/<rel> (404 for anything outside web/); used by pages served at other paths. */
int srv_send_file(srv_req *r, const char *rel);

/* ---- hazards: lifecycle, exposure, deadline watch (h_hazards.c, overdue.c) ---- */
int h_hazard_actions_get(srv_req *r);
int h_hazard_actions_post(srv_req *r);
int h_hazard_exposure(srv_req *r);
int h_report_exposure(srv_req *r);
int h_report_hazards(srv_req *r);
/* Starts the thread that runs hazards_mark_overdue() now and every overdue_check_s seconds;
 * NULL when the setting is 0. srv_overdue_stop wakes it, joins it and frees it. */
struct srv_overdue *srv_overdue_start(srv *s);
void srv_overdue_stop(struct srv_overdue *w);
/* One check now: the number of hazards escalated, -1 when the database refused. */
int srv_overdue_check(srv *s);
/* ---- coverage and staffing reports (h_reports.c) ---- */
int h_report_coverage(srv_req *r);
int h_report_staffing(srv_req *r);
int h_report_scorecard(srv_req *r);
/* ---- tiles area (h_tiles.c) ---- */
/* Starts the tile cache and its listener (srv_start); frees them (srv_free). */
core_code srv_tiles_start(srv *s, const char *db_url, core_err *err);
void srv_tiles_free(srv *s);
int h_tiles_catalogue(srv_req *r); /* GET /tiles */
int h_tilejson(srv_req *r);        /* GET /tiles/{layers}.json */
int h_tile(srv_req *r);            /* GET /tiles/{layers}/{z}/{x}/{y}.mvt|.pbf */
int h_style(srv_req *r);           /* GET /styles/{name}.json */
int h_glyphs(srv_req *r);          /* GET /styles/glyphs/{fontstack}/{range}.pbf */
/* ---- live events (h_events.c) ---- */
/* Starts the thread that LISTENs on pingan_events at url. */
core_code srv_events_start(srv *s, const char *url, core_err *err);
/* Stops the listener and ends every subscriber's stream (before mg_stop waits for them). */
void srv_events_shutdown(srv *s);
/* Frees what srv_events_start made (after mg_stop). */
void srv_events_free(srv *s);
int h_events(srv_req *r);

/* ---- pages and search (h_search.c) ---- */
int h_editor_page(srv_req *r);
int h_search_jurisdictions(srv_req *r);

#endif
