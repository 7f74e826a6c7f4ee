/* GET /collections/{id}/items and /collections/{id}/items/{fid}: GeoJSON features built in
 * PostgreSQL, streamed from a server-side cursor in batches so a page never sits whole in
 * memory, with exact counts from the same snapshot and next/prev links. */
#include "feature_query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FETCH_BATCH      "500"
#define FETCH_BATCH_ROWS 500
#define FLUSH_BYTES      (128 * 1024)

/* The collection named in the path and readable by this caller; otherwise sends 404/401. */
static const srv_coll *collection_of(srv_req *r, int *status)
{
    const srv_coll *c = srv_coll_find(r->params[0]);
    if (!c) {
        char detail[200];
        snprintf(detail, sizeof detail, "no collection '%.100s'", r->params[0]);
        *status = srv_problem(r, 404, "collection_not_found", detail, NULL);
        return NULL;
    }
    if (!srv_coll_readable(c, r->role, r->server->cfg.anonymous_reads)) {
        *status = srv_problem_ex(r, 401, "unauthorized", "this collection needs a token", NULL,
                                 "WWW-Authenticate: Bearer\r\n");
        return NULL;
    }
    return c;
}

/* GeoJSON (or plain JSON, or anything) is what we produce; a client asking for something
 * else only gets 406. Browsers ask for HTML first but accept any type. */
static bool acceptable(const srv_req *r)
{
    const char *a = srv_header(r, "Accept");
    return !a || !*a || strstr(a, "json") || strstr(a, "*/*") || strstr(a, "application/*");
}

static int not_acceptable(srv_req *r)
{
    return srv_problem(r, 406, "not_acceptable",
                       "features are served as application/geo+json or application/json", NULL);
}

static json_t *link_obj(const char *href, const char *rel, const char *type, const char *title)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "href", href, "rel", rel, "type", type, "title",
                     title);
}

/* A link to this items page at another offset (and, in id order, past the id `after`),
 * keeping every other parameter. */
static json_t *page_link(const srv_req *r, const char *base, const srv_coll *c, long limit,
                         long offset, const char *after, const char *rel, const char *title)
{
    static const char *const drop[] = {"limit", "offset", "after", NULL};
    core_buf q = {0};
    srv_query_without(r, drop, &q);
    core_buf href = {0};
    core_buf_printf(&href, "%s/collections/%s/items?%s%slimit=%ld", base, c->id,
                    q.data ? q.data : "", q.len ? "&" : "", limit);
    if (offset > 0)
        core_buf_printf(&href, "&offset=%ld", offset);
    if (after && *after) /* ids are digits: nothing to escape */
        core_buf_printf(&href, "&after=%s", after);
    json_t *l = link_obj(href.data ? href.data : "", rel, "application/geo+json", title);
    core_buf_free(&q);
    core_buf_free(&href);
    return l;
}

static void utc_now(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Opens the read-only snapshot the count and the cursor share, so numberMatched is exact. */
static bool begin_snapshot(PGconn *conn, core_err *err)
{
    return db_run(conn,
                  "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL TimeZone = 'UTC'", 0,
                  NULL, err) == CORE_OK;
}

int h_items(srv_req *r)
{
    int status = 0;
    const srv_coll *c = collection_of(r, &status);
    if (!c)
        return status;
    const char *download = srv_download_format(r);
    if (download)
        return h_items_download(r, c, download);
    if (!acceptable(r))
        return not_acceptable(r);
    srv_items_params p;
    srv_sqlargs a = {0};
    if ((status = srv_items_parse(r, c, &p, &a))) {
        srv_items_params_free(&p);
        srv_sqlargs_free(&a);
        return status;
    }
    PGconn *conn = srv_db_acquire(r);
    if (!conn) {
        srv_items_params_free(&p);
        srv_sqlargs_free(&a);
        return 503;
    }
    core_err err = {0};
    core_buf sql = {0};
    PGresult *res = NULL;
    long matched = 0, returned = 0;
    char name[64];
    snprintf(name, sizeof name, "features_%s", c->id);
    const char *source = srv_sql(name, &err);
    if (!source || !begin_snapshot(conn, &err)) {
        status = srv_db_problem(r, conn, "items snapshot");
        goto done;
    }
    /* The filter's arguments come first, so the count binds only those. */
    int nwhere = p.nwhere_args;
    core_buf_printf(&sql, "SELECT count(*) FROM (%s) f WHERE true%s", source,
                    p.where.data ? p.where.data : "");
    res = db_exec(conn, PGRES_TUPLES_OK, sql.data, nwhere, (const char *const *)a.v, &err);
    if (!res) {
        status = srv_db_problem(r, conn, "items count");
        goto done;
    }
    matched = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    res = NULL;

    core_buf_reset(&sql);
    char lim[24], off[24];
    snprintf(lim, sizeof lim, "%ld", p.limit);
    snprintf(off, sizeof off, "%ld", p.after[0] ? 0L : p.offset);
    int il = srv_sqlargs_add(&a, lim), io = srv_sqlargs_add(&a, off);
    core_buf inner = {0};
    core_buf_printf(&inner, "WHERE true%s%s ORDER BY %s LIMIT $%d::bigint OFFSET $%d::bigint",
                    p.where.data ? p.where.data : "", p.keyset.data ? p.keyset.data : "",
                    p.orderby.data, il, io);
    core_buf_puts(&sql, "DECLARE items NO SCROLL CURSOR FOR ");
    bool built = srv_feature_select(&sql, c, p.crs, srv_personal_scope(r), inner.data, &a, &err);
    core_buf_free(&inner);
    if (!built) {
        status = srv_problem(r, 500, "internal", err.msg, NULL);
        goto done;
    }
    core_buf_printf(&sql, " ORDER BY %s", p.orderby.data);
    if (db_run(conn, sql.data, a.n, (const char *const *)a.v, &err) != CORE_OK) {
        status = srv_db_problem(r, conn, "items cursor");
        goto done;
    }
    res = db_exec(conn, PGRES_TUPLES_OK, "FETCH " FETCH_BATCH " FROM items", 0, NULL, &err);
    if (!res) {
        status = srv_db_problem(r, conn, "items fetch");
        goto done;
    }

    /* From here on the reply is committed: 200, streamed. */
    char hdr[300];
    snprintf(hdr, sizeof hdr, "Content-Crs: <%s>\r\nCache-Control: no-cache\r\n", p.crs->uri);
    status = srv_stream_begin(r, 200, "application/geo+json", hdr);
    core_buf out = {0};
    core_buf_puts(&out, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool alive = true;
    char last_fid[32] = "";
    while (res && PQntuples(res) > 0 && alive) {
        int n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            if (returned++)
                core_buf_puts(&out, ",");
            core_buf_append(&out, PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2));
            if (out.len >= FLUSH_BYTES) {
                alive = srv_chunk(r, out.data, out.len);
                core_buf_reset(&out);
                if (!alive)
                    break;
            }
        }
        snprintf(last_fid, sizeof last_fid, "%s", PQgetvalue(res, n - 1, 0));
        PQclear(res);
        res = NULL;
        if (alive && n == FETCH_BATCH_ROWS)
            res = db_exec(conn, PGRES_TUPLES_OK, "FETCH " FETCH_BATCH " FROM items", 0, NULL, &err);
        if (alive && n == FETCH_BATCH_ROWS && !res) {
            /* A failure mid-stream cannot become a problem reply any more: end the body
             * unterminated so the client sees a broken response rather than a short page. */
            core_log(CORE_LOG_ERROR, "items_stream_failed", "\"collection\":\"%s\"", c->id);
            alive = false;
        }
    }
    db_run(conn, "COMMIT", 0, NULL, &err);
    if (alive) {
        char base[300], now[32];
        srv_base_url(r, base, sizeof base);
        utc_now(now, sizeof now);
        json_t *links = json_array();
        json_array_append_new(
            links, page_link(r, base, c, p.limit, p.offset, p.after, "self", "this page"));
        /* a short page is the last whatever the counts say (a client may send any offset) */
        if (returned == p.limit && p.offset + returned < matched)
            json_array_append_new(links, page_link(r, base, c, p.limit, p.offset + returned,
                                                   p.default_order ? last_fid : NULL, "next",
                                                   "next page"));
        if (p.offset > 0)
            json_array_append_new(links, page_link(r, base, c, p.limit,
                                                   p.offset > p.limit ? p.offset - p.limit : 0,
                                                   NULL, "prev", "previous page"));
        char href[400];
        snprintf(href, sizeof href, "%s/collections/%s", base, c->id);
        json_array_append_new(links, link_obj(href, "collection", "application/json", c->title_en));
        char *ltext = json_dumps(links, JSON_COMPACT);
        json_decref(links);
        core_buf_printf(&out,
                        "],\"numberMatched\":%ld,\"numberReturned\":%ld,\"timeStamp\":\"%s\","
                        "\"links\":%s}",
                        matched, returned, now, ltext ? ltext : "[]");
        free(ltext);
        if (srv_chunk(r, out.data, out.len))
            srv_stream_end(r);
    }
    core_buf_free(&out);

done:
    PQclear(res);
    core_buf_free(&sql);
    srv_db_release(r, conn);
    srv_items_params_free(&p);
    srv_sqlargs_free(&a);
    return status;
}

/* True when the If-None-Match header lists etag (or is *). */
static bool etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    const char *p = header;
    size_t n = strlen(etag);
    while ((p = strstr(p, etag)) != NULL) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ')
            return true;
        p += n;
    }
    return false;
}

int h_item(srv_req *r)
{
    int status = 0;
    const srv_coll *c = collection_of(r, &status);
    if (!c)
        return status;
    if (!acceptable(r))
        return not_acceptable(r);
    static const char *const known[] = {"f", "crs", NULL};
    if ((status = srv_check_params(r, known, NULL)))
        return status;
    char v[200];
    if (srv_query(r, "f", v, sizeof v) && strcmp(v, "json") != 0 && strcmp(v, "geojson") != 0)
        return srv_problem(r, 400, "invalid_format", "f must be json (GeoJSON)", NULL);
    const srv_crs *crs = srv_crs_at(0);
    if (srv_query(r, "crs", v, sizeof v) && !(crs = srv_crs_find(v)))
        return srv_problem(r, 400, "invalid_crs", "crs is not one this server supports",
                           json_pack("{s:s}", "parameter", "crs"));
    const char *fid = r->params[1];
    size_t n = strlen(fid);
    bool valid = n > 0 && n <= 18 && strspn(fid, "0123456789") == n && fid[0] != '0';
    if (!valid) {
        char detail[200];
        snprintf(detail, sizeof detail, "no feature '%.60s' in %s", fid, c->id);
        return srv_problem(r, 404, "feature_not_found", detail, NULL);
    }
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return 503;
    core_err err = {0};
    core_buf sql = {0};
    srv_sqlargs a = {0};
    PGresult *res = NULL;
    int iid = srv_sqlargs_add(&a, fid);
    if (!srv_feature_select(&sql, c, crs, srv_personal_scope(r), NULL, &a, &err)) {
        status = srv_problem(r, 500, "internal", err.msg, NULL);
        goto done;
    }
    core_buf_printf(&sql, " WHERE f.%s = $%d::%s", c->id_column, iid,
                    c->id_is_text ? "text" : "bigint");
    if (!begin_snapshot(conn, &err) ||
        !(res = db_exec(conn, PGRES_TUPLES_OK, sql.data, a.n, (const char *const *)a.v, &err))) {
        status = srv_db_problem(r, conn, "item");
        goto done;
    }
    if (PQntuples(res) == 0) {
        char detail[200];
        snprintf(detail, sizeof detail, "no feature '%s' in %s", fid, c->id);
        status = srv_problem(r, 404, "feature_not_found", detail, NULL);
        goto done;
    }
    char etag[96];
    srv_coll_etag(etag, sizeof etag, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    char hdr[600];
    snprintf(hdr, sizeof hdr, "ETag: %s\r\nContent-Crs: <%s>\r\nCache-Control: no-cache\r\n", etag,
             crs->uri);
    if (etag_matches(srv_header(r, "If-None-Match"), etag)) {
        status = srv_send(r, 304, NULL, NULL, 0, hdr);
        goto done;
    }
    char base[300];
    srv_base_url(r, base, sizeof base);
    json_t *links = json_array();
    char href[400];
    snprintf(href, sizeof href, "%s/collections/%s/items/%s", base, c->id, fid);
    json_array_append_new(links, link_obj(href, "self", "application/geo+json", "this feature"));
    snprintf(href, sizeof href, "%s/collections/%s", base, c->id);
    json_array_append_new(links, link_obj(href, "collection", "application/json", c->title_en));
    char *ltext = json_dumps(links, JSON_COMPACT);
    json_decref(links);
    /* The feature text ends with its closing brace: the links go just before it. */
    core_buf body = {0};
    core_buf_append(&body, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2) - 1);
    core_buf_printf(&body, ",\"links\":%s}", ltext ? ltext : "[]");
    free(ltext);
    status = srv_send(r, 200, "application/geo+json", body.data, body.len, hdr);
    core_buf_free(&body);

done:
    PQclear(res);
    core_buf_free(&sql);
    srv_sqlargs_free(&a);
    srv_db_release(r, conn);
    return status;
}
