/* Reading request bodies safely: a size limit (413), a deadline for the whole body (CivetWeb
 * bounds only the headers' time, so a trickling body would hold a thread forever), and no
 * request that carries both Content-Length and Transfer-Encoding (request smuggling). */
#include "srv_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* The socket of this request. CivetWeb does not expose it, and its mg_read keeps pulling
 * until every byte asked for has come (each poll bounded by request_timeout_ms, the whole
 * call not at all), so a body trickling one byte a second held a thread for as long as the
 * client liked. Knowing the socket, each read asks only for what has already arrived (or one
 * byte), and the deadline below is checked between reads. -1 when not found (IPv4 only). */
static int request_socket(const srv_req *r)
{
    struct in_addr peer;
    if (inet_pton(AF_INET, r->ri->remote_addr, &peer) != 1)
        return -1;
    /* Only the descriptors that are open, not every number up to the limit. */
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd < 3 || fd == dirfd(d))
            continue;
        struct sockaddr_in a = {0}, l = {0};
        socklen_t alen = sizeof a, llen = sizeof l;
        if (getpeername((int)fd, (struct sockaddr *)&a, &alen) != 0 || a.sin_family != AF_INET ||
            ntohs(a.sin_port) != r->ri->remote_port || a.sin_addr.s_addr != peer.s_addr)
            continue;
        if (getsockname((int)fd, (struct sockaddr *)&l, &llen) == 0 &&
            ntohs(l.sin_port) == r->server->port)
            found = (int)fd;
    }
    closedir(d);
    return found;
}

int srv_read_body(srv_req *r, core_buf *out, long max_bytes)
{
    const char *te = srv_header(r, "Transfer-Encoding");
    const char *cl = srv_header(r, "Content-Length");
    if (te && cl)
        return srv_problem(r, 400, "ambiguous_length",
                           "both Content-Length and Transfer-Encoding given", NULL);
    if (te && strcasecmp(te, "chunked") != 0)
        return srv_problem(r, 501, "unsupported_transfer_encoding",
                           "only chunked transfer encoding is accepted", NULL);
    long limit = max_bytes > 0 ? max_bytes : r->server->cfg.max_body_bytes;
    if (r->ri->content_length > limit) {
        json_t *extra = json_pack("{s:I}", "limit_bytes", (json_int_t)limit);
        return srv_problem_ex(r, 413, "body_too_large", "the request body is too large", extra,
                              "Connection: close\r\n");
    }
    double deadline = core_now_ms() + r->server->cfg.request_timeout_ms;
    int fd = te ? -1 : request_socket(r);
    for (;;) {
        /* Read straight into the buffer: server threads have small stacks. */
        if (!core_buf_reserve(out, 16384))
            return srv_problem(r, 500, "out_of_memory", NULL, NULL);
        size_t want = out->cap - out->len - 1;
        int avail = 0;
        if (fd >= 0 && ioctl(fd, FIONREAD, &avail) == 0 && (size_t)avail < want)
            want = avail > 0 ? (size_t)avail : 1; /* 1: CivetWeb's buffer, or wait one poll */
        int n = mg_read(r->conn, out->data + out->len, want);
        if (n < 0)
            return srv_problem_ex(r, 400, "body_read_failed", "the request body was cut off", NULL,
                                  "Connection: close\r\n");
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->data[out->len] = '\0';
        if ((long)out->len > limit) {
            json_t *extra = json_pack("{s:I}", "limit_bytes", (json_int_t)limit);
            return srv_problem_ex(r, 413, "body_too_large", "the request body is too large", extra,
                                  "Connection: close\r\n");
        }
        if (core_now_ms() > deadline)
            return srv_problem_ex(r, 408, "body_timeout", "the request body did not arrive in time",
                                  NULL, "Connection: close\r\n");
    }
    return 0;
}

int srv_json_parse(const char *text, size_t len, size_t max_depth, json_t **doc, json_error_t *e)
{
    *doc = NULL;
    /* jansson recurses; bound nesting before parsing so a hostile body cannot exhaust the
     * stack. Strings are skipped so that brackets inside them do not count. */
    size_t depth = 0, deepest = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > deepest)
                deepest = depth;
        } else if ((ch == '}' || ch == ']') && depth) {
            depth--;
        }
    }
    if (deepest > max_depth)
        return SRV_JSON_TOO_DEEP;
    *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, e);
    return *doc ? SRV_JSON_OK : SRV_JSON_INVALID;
}

int srv_read_json(srv_req *r, json_t **doc, size_t max_depth)
{
    core_buf body = {0};
    int status = srv_read_body(r, &body, 0);
    if (status) {
        core_buf_free(&body);
        return status;
    }
    *doc = NULL;
    if (!body.len) {
        core_buf_free(&body);
        return srv_problem(r, 400, "empty_body", "a JSON body is required", NULL);
    }
    json_error_t e;
    int rc = srv_json_parse(body.data, body.len, max_depth, doc, &e);
    core_buf_free(&body);
    if (rc == SRV_JSON_TOO_DEEP) {
        json_t *extra = json_pack("{s:I}", "max_depth", (json_int_t)max_depth);
        return srv_problem(r, 400, "json_too_deep", "the JSON body is nested too deeply", extra);
    }
    if (rc == SRV_JSON_INVALID) {
        json_t *extra =
            json_pack("{s:i, s:i, s:s}", "line", e.line, "column", e.column, "parser", e.text);
        return srv_problem(r, 400, "invalid_json", "the body is not valid JSON", extra);
    }
    return 0;
}
