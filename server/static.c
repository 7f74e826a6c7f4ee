/* Static files of the web pages, served by the project itself (never by CivetWeb's own file
 * serving, which has an unpatched overflow in 1.15). Only regular files inside web/ are
 * served; any path that leaves the folder, by dots or links, is refused. */
#include "srv_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".pbf", "application/x-protobuf"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
    {".ico", "image/x-icon"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Rejects what must never reach the file system: dot segments, empty segments, backslashes
 * and control characters. */
static bool safe_relative(const char *rel)
{
    if (!*rel || strlen(rel) > 512)
        return false;
    for (const char *p = rel; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
            return false;
    for (const char *seg = rel; seg;) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || seg[0] == '.')
            return false;
        seg = seg[n] ? seg + n + 1 : NULL;
    }
    return true;
}

int srv_send_file(srv_req *r, const char *rel)
{
    char root[PATH_MAX], want[PATH_MAX * 2], real[PATH_MAX];
    if (!safe_relative(rel))
        return srv_problem(r, 404, "not_found", "no such file", NULL);
    if (!core_path(want, sizeof want, "web") || !realpath(want, root))
        return srv_problem(r, 404, "not_found", "no web pages are installed", NULL);
    snprintf(want, sizeof want, "%s/%s", root, rel);
    size_t rootlen = strlen(root);
    struct stat st;
    /* realpath resolves links: the result must still lie inside the web folder. */
    if (!realpath(want, real) || strncmp(real, root, rootlen) != 0 || real[rootlen] != '/' ||
        stat(real, &st) != 0 || !S_ISREG(st.st_mode))
        return srv_problem(r, 404, "not_found", "no such file", NULL);

    char etag[64];
    snprintf(etag, sizeof etag, "\"%lx-%llx\"", (unsigned long)st.st_mtime,
             (unsigned long long)st.st_size);
    const char *inm = srv_header(r, "If-None-Match");
    char headers[200];
    snprintf(headers, sizeof headers, "ETag: %s\r\nCache-Control: no-cache\r\n", etag);
    if (inm && strcmp(inm, etag) == 0)
        return srv_send(r, 304, NULL, NULL, 0, headers);
    core_err err = {0};
    size_t len = 0;
    char *data = core_read_file(real, &len, &err);
    if (!data)
        return srv_problem(r, 500, "io_error", "the file could not be read", NULL);
    int status = srv_send(r, 200, content_type(real), data, len, headers);
    free(data);
    return status;
}

int h_static(srv_req *r)
{
    return srv_send_file(r, r->params[0]);
}
