/* Reply helpers every handler uses: whole bodies, JSON, RFC 9457 problems, chunked streams,
 * query parameters, links, and pooled connections that answer 503 when the database is away. */
#include "srv_internal.h"
#include "tiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* Bodies up to this are copied behind the head to go out in one write (a copy of a few
 * hundred KB costs less than a second system call and packet); larger ones are written
 * after it. */
#define SEND_COPY_MAX (512 * 1024)

static bool is_head(const srv_req *r)
{
    return strcmp(r->method, "HEAD") == 0;
}

int srv_send(srv_req *r, int status, const char *content_type, const void *body, size_t len,
             const char *extra_headers)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Length: %zu\r\n"
                     "%s%s%s"
                     "%s\r\n",
                     status, reason(status), len, content_type ? "Content-Type: " : "",
                     content_type ? content_type : "", content_type ? "\r\n" : "",
                     extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof head) {
        /* Headers that do not fit are a programming error; fail loudly but safely. */
        const char *fallback = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
        mg_write(r->conn, fallback, strlen(fallback));
        r->status = 500;
        return 500;
    }
    bool with_body = len && !is_head(r) && status != 304 && status != 204;
    /* Head and body in one write: one send() and no half-empty first segment, where two
     * writes under tcp_nodelay are two of each (a cached tile is little more than this). */
    char one[16384];
    char *big = with_body && (size_t)n + len > sizeof one && len <= SEND_COPY_MAX
                    ? malloc((size_t)n + len)
                    : NULL;
    if (with_body && ((size_t)n + len <= sizeof one || big)) {
        char *out = big ? big : one;
        memcpy(out, head, (size_t)n);
        memcpy(out + n, body, len);
        mg_write(r->conn, out, (size_t)n + len);
        free(big);
    } else {
        mg_write(r->conn, head, (size_t)n);
        if (with_body)
            mg_write(r->conn, body, len);
    }
    r->status = status;
    r->bytes += (long long)len;
    return status;
}

int srv_send_json(srv_req *r, int status, json_t *doc, const char *content_type)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    if (!text)
        return srv_send(r, 500, "text/plain", "out of memory", 13, NULL);
    int rc = srv_send(r, status, content_type ? content_type : "application/json", text,
                      strlen(text), NULL);
    free(text);
    return rc;
}

int srv_problem(srv_req *r, int status, const char *code, const char *detail, json_t *extra)
{
    return srv_problem_ex(r, status, code, detail, extra, NULL);
}

int srv_problem_ex(srv_req *r, int status, const char *code, const char *detail, json_t *extra,
                   const char *extra_headers)
{
    snprintf(r->problem, sizeof r->problem, "%s", code);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
                          reason(status), "status", status, "code", code, "instance", r->path);
    if (p && detail)
        json_object_set_new(p, "detail", json_string(detail));
    if (p && extra)
        json_object_update(p, extra);
    json_decref(extra);
    if (!p)
        return srv_send(r, 500, "text/plain", "out of memory", 13, NULL);
    char *text = json_dumps(p, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(p);
    if (!text)
        return srv_send(r, 500, "text/plain", "out of memory", 13, NULL);
    int rc = srv_send(r, status, "application/problem+json", text, strlen(text), extra_headers);
    free(text);
    return rc;
}

int srv_stream_begin(srv_req *r, int status, const char *content_type, const char *extra_headers)
{
    mg_printf(r->conn, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n%s\r\n",
              status, reason(status), content_type, extra_headers ? extra_headers : "");
    r->status = status;
    return status;
}

bool srv_chunk(srv_req *r, const void *data, size_t len)
{
    if (!len || is_head(r))
        return true;
    r->bytes += (long long)len;
    return mg_send_chunk(r->conn, data, (unsigned)len) > 0;
}

void srv_stream_end(srv_req *r)
{
    if (!is_head(r))
        mg_write(r->conn, "0\r\n\r\n", 5);
}

bool srv_query(const srv_req *r, const char *name, char *out, size_t size)
{
    if (!r->query)
        return false;
    return mg_get_var(r->query, strlen(r->query), name, out, size) >= 0;
}

const char *srv_header(const srv_req *r, const char *name)
{
    return mg_get_header(r->conn, name);
}

void srv_base_url(const srv_req *r, char *out, size_t size)
{
    if (r->server->cfg.public_url[0]) {
        snprintf(out, size, "%s", r->server->cfg.public_url);
    } else {
        const char *host = srv_header(r, "Host");
        /* A Host header is attacker-controlled: allow only host[:port] characters. */
        bool safe = host && *host && strlen(host) < 200 &&
                    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789.-:[]") == strlen(host);
        if (safe)
            snprintf(out, size, "http://%s", host);
        else
            snprintf(out, size, "http://127.0.0.1:%d", r->server->port);
    }
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
}

PGconn *srv_db_acquire(srv_req *r)
{
    core_err err = {0};
    PGconn *c = db_pool_acquire(r->server->pool, 2000, &err);
    if (!c) {
        core_log(CORE_LOG_WARN, "db_unavailable", "\"error\":\"%s\"", core_code_name(err.code));
        srv_problem(r, 503, "db_unavailable", "the database is not reachable; try again shortly",
                    NULL);
    }
    return c;
}

/* Tiles area: after a write, waits until this server's tile listener has applied every change
 * notification the write committed, so that the caller's next tile request (which may come on
 * another connection the moment the reply is read) never gets a tile cached before the edit. */
static void tiles_catch_up(srv_req *r, PGconn *c)
{
    const char *m = r->method;
    if (!r->server->tiles || !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS") ||
        PQtransactionStatus(c) != PQTRANS_IDLE)
        return;
    core_err err = {0};
    if (tile_sync(r->server->tiles, c, 2000, &err) && err.code != CORE_EUNAVAIL)
        core_log(CORE_LOG_WARN, "tiles_sync_failed", "\"error\":\"%s\"", core_code_name(err.code));
}

void srv_db_release(srv_req *r, PGconn *c)
{
    if (c)
        tiles_catch_up(r, c);
    db_pool_release(r->server->pool, c);
}
