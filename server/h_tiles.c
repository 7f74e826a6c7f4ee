/* Vector tile routes: the catalogue, TileJSON 3.0, tiles (gzip, ETag/304, 204 when empty),
 * and the MapLibre styles with their URLs pointed at this server. The work is in tiles/;
 * this file speaks HTTP. */
#include "srv_internal.h"
#include "tiles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TILE_CACHE_CONTROL "Cache-Control: public, max-age=0, must-revalidate\r\n"
#define ATTRIBUTION        "Pingan Grid 平安网格; division codes 统计用区划代码 2023"
/* Jiangxi, for TileJSON when the database holds no outlines yet. */
static const double jiangxi_bounds[4] = {113.57, 24.48, 118.48, 30.08};

core_code srv_tiles_start(srv *s, const char *db_url, core_err *err)
{
    s->tiles = tile_ctx_create(db_url, (long long)s->cfg.tile_cache_mb * 1024 * 1024, err);
    return s->tiles ? CORE_OK : err->code;
}

void srv_tiles_free(srv *s)
{
    tile_ctx_free(s->tiles);
    s->tiles = NULL;
}

/* Parses a whole non-negative decimal number (no sign, no spaces), at most 9 digits. */
static bool parse_uint(const char *s, size_t len, long *out)
{
    if (len == 0 || len > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int srv_tile_zxy(const char *zs, const char *xs, const char *ys, long *z, long *x, long *y)
{
    size_t ylen = strlen(ys);
    if (ylen < 5 || (strcmp(ys + ylen - 4, ".mvt") != 0 && strcmp(ys + ylen - 4, ".pbf") != 0))
        return 404;
    if (!parse_uint(zs, strlen(zs), z) || !parse_uint(xs, strlen(xs), x) ||
        !parse_uint(ys, ylen - 4, y) || !tile_valid((int)*z, *x, *y))
        return 400;
    return 0;
}

/* Layers from the URL: 404 for an unknown one, 400 for a malformed list (reply sent). */
static int parse_layers(srv_req *r, const char *csv, tile_set *set)
{
    core_err err = {0};
    core_code rc = tile_set_parse(csv, set, &err);
    if (rc == CORE_ENOTFOUND)
        return srv_problem(r, 404, "unknown_layer", err.msg,
                           json_pack("{s:s}", "catalogue", "/tiles"));
    if (rc)
        return srv_problem(r, 400, "bad_layer_list", err.msg, NULL);
    return 0;
}

static void tile_url(srv_req *r, const char *key, char *out, size_t size)
{
    char base[300];
    srv_base_url(r, base, sizeof base);
    snprintf(out, size, "%s/tiles/%s/{z}/{x}/{y}.mvt", base, key);
}

static json_t *fields_json(const tile_layer *l)
{
    json_t *f = json_object();
    for (const tile_field *x = l->fields; x && x->name; x++)
        json_object_set_new(f, x->name, json_string(x->type));
    return f;
}

/* The data area in longitude/latitude: the outlines' extent, else Jiangxi. */
static json_t *data_bounds(srv_req *r)
{
    double b[4];
    memcpy(b, jiangxi_bounds, sizeof b);
    core_err err = {0};
    PGconn *c = db_pool_acquire(r->server->pool, 1000, &err);
    if (c) {
        PGresult *res = db_exec(
            c, PGRES_TUPLES_OK,
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ("
            " SELECT ST_Extent(geom) AS e FROM (SELECT geom FROM jurisdictions WHERE level IN"
            " ('province', 'city', 'county') AND geom IS NOT NULL UNION ALL"
            " SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4490) FROM grids) g) s",
            0, NULL, &err);
        if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
            for (int i = 0; i < 4; i++)
                b[i] = strtod(PQgetvalue(res, 0, i), NULL);
        PQclear(res);
        db_pool_release(r->server->pool, c);
    }
    return json_pack("[f,f,f,f]", b[0], b[1], b[2], b[3]);
}

int h_tiles_catalogue(srv_req *r)
{
    char base[300], url[800];
    srv_base_url(r, base, sizeof base);
    json_t *sets = json_array();
    core_buf all = {0};
    for (int i = 0; i < tile_layer_count(); i++) {
        const tile_layer *l = tile_layer_at(i);
        core_buf_printf(&all, "%s%s", i ? "," : "", l->name);
        char tj[600];
        snprintf(tj, sizeof tj, "%s/tiles/%s.json", base, l->name);
        tile_url(r, l->name, url, sizeof url);
        json_array_append_new(sets, json_pack("{s:s, s:s, s:i, s:i, s:o, s:s, s:s}", "id", l->name,
                                              "description", l->description, "minzoom", l->minzoom,
                                              "maxzoom", l->maxzoom, "fields", fields_json(l),
                                              "tilejson", tj, "tiles", url));
    }
    char alltj[1200];
    snprintf(alltj, sizeof alltj, "%s/tiles/%s.json", base, all.data ? all.data : "");
    core_buf_free(&all);
    json_t *styles = json_array();
    const char *names[] = {"situation", "editor"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(url, sizeof url, "%s/styles/%s.json", base, names[i]);
        json_array_append_new(styles, json_pack("{s:s, s:s}", "id", names[i], "url", url));
    }
    json_t *doc = json_pack("{s:s, s:o, s:s, s:o, s:s}", "description",
                            "Vector tile layers (MVT 2.1, extent 4096, buffer 64). Combine layers "
                            "with commas: /tiles/a,b/{z}/{x}/{y}.mvt",
                            "tilesets", sets, "all_layers", alltj, "styles", styles, "attribution",
                            ATTRIBUTION);
    return srv_send_json(r, 200, doc, NULL);
}

int h_tilejson(srv_req *r)
{
    const char *p = r->params[0];
    size_t n = strlen(p);
    if (n <= 5 || strcmp(p + n - 5, ".json") != 0)
        return srv_problem(r, 404, "not_found", "TileJSON is at /tiles/{layers}.json", NULL);
    char csv[600];
    if (n - 5 >= sizeof csv)
        return srv_problem(r, 400, "bad_layer_list", "layer list too long", NULL);
    memcpy(csv, p, n - 5);
    csv[n - 5] = '\0';
    tile_set set;
    int st = parse_layers(r, csv, &set);
    if (st)
        return st;
    int minz, maxz;
    tile_set_zooms(&set, &minz, &maxz);
    char url[900];
    tile_url(r, set.key, url, sizeof url);
    json_t *layers = json_array();
    core_buf desc = {0};
    for (int i = 0; i < set.n; i++) {
        const tile_layer *l = tile_layer_at(set.idx[i]);
        core_buf_printf(&desc, "%s%s", i ? "; " : "", l->description);
        json_array_append_new(layers,
                              json_pack("{s:s, s:s, s:i, s:i, s:o}", "id", l->name, "description",
                                        l->description, "minzoom", l->minzoom, "maxzoom",
                                        l->maxzoom, "fields", fields_json(l)));
    }
    json_t *bounds = data_bounds(r);
    double cx =
        (json_real_value(json_array_get(bounds, 0)) + json_real_value(json_array_get(bounds, 2))) /
        2;
    double cy =
        (json_real_value(json_array_get(bounds, 1)) + json_real_value(json_array_get(bounds, 3))) /
        2;
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:i, s:i, s:o, s:[f,f,i], s:o}", "tilejson", "3.0.0",
        "name", set.key, "description", desc.data ? desc.data : "", "version", "1.0.0",
        "attribution", ATTRIBUTION, "scheme", "xyz", "tiles", url, "minzoom", minz, "maxzoom", maxz,
        "bounds", bounds, "center", cx, cy, minz > 8 ? minz : 8, "vector_layers", layers);
    core_buf_free(&desc);
    return srv_send_json(r, 200, doc, NULL);
}

/* True when Accept-Encoding allows gzip (present, and not with q=0). */
static bool accepts_gzip(const srv_req *r)
{
    const char *ae = srv_header(r, "Accept-Encoding");
    for (const char *p = ae; p && (p = strcasestr(p, "gzip")); p += 4) {
        const char *end = p + 4;
        while (*end == ' ')
            end++;
        if (*end == ';') {
            const char *q = strstr(end, "q=");
            if (q && strtod(q + 2, NULL) == 0.0 &&
                (strchr(end, ',') == NULL || q < strchr(end, ',')))
                return false;
        }
        return true;
    }
    return false;
}

/* If-None-Match holds the ETag (or *), compared weakly as RFC 9110 asks. */
static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    size_t n = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
        const char *comma = strchr(p, ',');
        if (!comma)
            break;
        p = comma;
    }
    return false;
}

int h_tile(srv_req *r)
{
    tile_set set;
    int st = parse_layers(r, r->params[0], &set);
    if (st)
        return st;
    const char *ys = r->params[3];
    size_t ylen = strlen(ys);
    long z, x, y;
    int zxy = srv_tile_zxy(r->params[1], r->params[2], ys, &z, &x, &y);
    if (zxy == 404)
        return srv_problem(r, 404, "not_found", "tiles end in .mvt or .pbf", NULL);
    if (zxy) {
        char detail[160];
        snprintf(detail, sizeof detail, "z must be 0..%d and x, y 0..2^z-1 (got %.12s/%.12s/%.*s)",
                 TILE_MAX_ZOOM, r->params[1], r->params[2], (int)(ylen - 4 > 12 ? 12 : ylen - 4),
                 ys);
        return srv_problem(r, 400, "tile_out_of_range", detail, NULL);
    }

    core_err err = {0};
    tile_ref *tile = NULL;
    core_code rc =
        tile_get(r->server->tiles, r->server->pool, &set, (int)z, (int)x, (int)y, &tile, &err);
    if (rc) {
        core_buf b = {0};
        core_buf_json_str(&b, err.msg);
        core_log(CORE_LOG_ERROR, "tile_failed", "\"tile\":\"%s/%ld/%ld/%ld\",\"error\":%s", set.key,
                 z, x, y, b.data ? b.data : "\"\"");
        core_buf_free(&b);
        return rc == CORE_EUNAVAIL
                   ? srv_problem(r, 503, "db_unavailable", "the database is not reachable", NULL)
                   : srv_problem(r, 500, "tile_failed", "the tile could not be built", NULL);
    }
    r->quiet = !r->server->cfg.tile_access_log; /* errors are logged: they return above */
    int status;
    if (!tile->raw_len) {
        status = srv_send(r, 204, NULL, NULL, 0, TILE_CACHE_CONTROL "Vary: Accept-Encoding\r\n");
        tile_ref_release(tile);
        return status;
    }
    bool gz = accepts_gzip(r);
    char etag[48];
    snprintf(etag, sizeof etag, "%.*s%s\"", (int)strlen(tile->etag) - 1, tile->etag,
             gz ? "-gz" : "");
    char headers[300];
    snprintf(headers, sizeof headers,
             "ETag: %s\r\n" TILE_CACHE_CONTROL "Vary: Accept-Encoding\r\n"
             "Access-Control-Allow-Origin: *\r\n%s",
             etag, gz ? "Content-Encoding: gzip\r\n" : "");
    if (etag_matches(srv_header(r, "If-None-Match"), etag)) {
        status = srv_send(r, 304, NULL, NULL, 0, headers);
    } else if (gz) {
        status =
            srv_send(r, 200, "application/vnd.mapbox-vector-tile", tile->gz, tile->gz_len, headers);
    } else {
        core_buf raw = {0};
        status = tile_ref_inflate(tile, &raw, &err)
                     ? srv_problem(r, 500, "tile_failed", "the tile could not be read", NULL)
                     : srv_send(r, 200, "application/vnd.mapbox-vector-tile", raw.data, raw.len,
                                headers);
        core_buf_free(&raw);
    }
    if (status >= 400)
        r->quiet = false;
    tile_ref_release(tile);
    return status;
}

/* Rewrites a root-relative URL ("/tiles/…") to an absolute one on this server. */
static void absolutise(json_t *holder, const char *key, json_t *value, const char *base)
{
    const char *s = json_string_value(value);
    if (s && s[0] == '/') {
        size_t n = strlen(base) + strlen(s) + 1;
        char *abs = malloc(n);
        if (!abs)
            return;
        snprintf(abs, n, "%s%s", base, s);
        if (key)
            json_object_set_new(holder, key, json_string(abs));
        else
            json_string_set(value, abs);
        free(abs);
    }
}

/* Tianditu's vector map and its Chinese annotation, under everything else. */
static void add_tianditu(json_t *style, const char *key)
{
    json_t *sources = json_object_get(style, "sources");
    json_t *layers = json_object_get(style, "layers");
    if (!json_is_object(sources) || !json_is_array(layers))
        return;
    const char *kinds[] = {"vec", "cva"};
    size_t at = 0;
    json_t *first = json_array_get(layers, 0);
    if (first && strcmp(json_string_value(json_object_get(first, "type")) ?: "", "background") == 0)
        at = 1;
    for (size_t k = 0; k < 2; k++) {
        json_t *tiles = json_array();
        for (int s = 0; s < 8; s++) {
            char url[600];
            snprintf(url, sizeof url,
                     "https://t%d.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION="
                     "1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&"
                     "TILEROW={y}&TILECOL={x}&tk=%s",
                     s, kinds[k], kinds[k], key);
            json_array_append_new(tiles, json_string(url));
        }
        char id[32];
        snprintf(id, sizeof id, "tianditu_%s", kinds[k]);
        json_object_set_new(sources, id,
                            json_pack("{s:s, s:o, s:i, s:i, s:s}", "type", "raster", "tiles", tiles,
                                      "tileSize", 256, "maxzoom", 18, "attribution",
                                      "天地图 Tianditu"));
        json_array_insert_new(
            layers, at + k, json_pack("{s:s, s:s, s:s}", "id", id, "type", "raster", "source", id));
    }
}

/* A style may name layers that a later part of the project adds (coverage gaps, hazard
 * zones): keep only the registered ones in each "/tiles/<layers>.json" source, and drop the
 * sources left empty and the style layers that draw what is not served. */
static void prune_to_registered(json_t *style)
{
    json_t *sources = json_object_get(style, "sources");
    json_t *kept = json_object(); /* source id -> "," + layers + "," */
    const char *id;
    json_t *src;
    void *tmp;
    json_object_foreach_safe(sources, tmp, id, src)
    {
        const char *url = json_string_value(json_object_get(src, "url"));
        size_t n = url ? strlen(url) : 0;
        if (!url || strncmp(url, "/tiles/", 7) != 0 || n < 13 || strcmp(url + n - 5, ".json") != 0)
            continue;
        core_buf csv = {0}, list = {0};
        core_buf_puts(&list, ",");
        for (const char *p = url + 7; p < url + n - 5;) {
            size_t len = strcspn(p, ",");
            if (p + len > url + n - 5)
                len = (size_t)(url + n - 5 - p);
            char name[64];
            if (len < sizeof name) {
                memcpy(name, p, len);
                name[len] = '\0';
                if (tile_layer_find(name) >= 0) {
                    core_buf_printf(&csv, "%s%s", csv.len ? "," : "", name);
                    core_buf_printf(&list, "%s,", name);
                }
            }
            p += len + 1;
        }
        if (csv.len) {
            char *u = malloc(csv.len + 13);
            if (u) {
                sprintf(u, "/tiles/%s.json", csv.data);
                json_object_set_new(src, "url", json_string(u));
                free(u);
            }
            json_object_set_new(kept, id, json_string(list.data));
        } else {
            json_object_del(sources, id);
        }
        core_buf_free(&csv);
        core_buf_free(&list);
    }
    json_t *layers = json_object_get(style, "layers");
    for (size_t i = json_array_size(layers); i-- > 0;) {
        json_t *l = json_array_get(layers, i);
        const char *sid = json_string_value(json_object_get(l, "source"));
        const char *sl = json_string_value(json_object_get(l, "source-layer"));
        if (!sid)
            continue;
        bool gone = !json_object_get(sources, sid);
        const char *list = json_string_value(json_object_get(kept, sid));
        if (!gone && list && sl) {
            char probe[80];
            snprintf(probe, sizeof probe, ",%s,", sl);
            gone = strstr(list, probe) == NULL;
        }
        if (gone)
            json_array_remove(layers, i);
    }
    json_decref(kept);
}

int h_style(srv_req *r)
{
    const char *p = r->params[0];
    size_t n = strlen(p);
    char name[64];
    if (n <= 5 || n - 5 >= sizeof name || strcmp(p + n - 5, ".json") != 0 ||
        strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n - 5)
        return srv_problem(r, 404, "not_found", "styles are at /styles/{name}.json", NULL);
    memcpy(name, p, n - 5);
    name[n - 5] = '\0';
    char path[4096], rel[128];
    snprintf(rel, sizeof rel, "styles/%s.json", name);
    json_error_t jerr;
    json_t *style = core_path(path, sizeof path, rel) ? json_load_file(path, 0, &jerr) : NULL;
    if (!style)
        return srv_problem(r, 404, "not_found", "no such style", NULL);
    prune_to_registered(style);
    char base[300];
    srv_base_url(r, base, sizeof base);
    const char *k;
    json_t *src;
    json_object_foreach(json_object_get(style, "sources"), k, src)
    {
        absolutise(src, "url", json_object_get(src, "url"), base);
        size_t i;
        json_t *t;
        json_t *tiles = json_object_get(src, "tiles");
        json_array_foreach(tiles, i, t)
        {
            absolutise(NULL, NULL, t, base);
        }
    }
    absolutise(style, "glyphs", json_object_get(style, "glyphs"), base);
    absolutise(style, "sprite", json_object_get(style, "sprite"), base);
    if (r->server->cfg.tianditu_key[0])
        add_tianditu(style, r->server->cfg.tianditu_key);
    return srv_send_json(r, 200, style, NULL);
}

/* Glyph ranges for the styles' labels. Chinese ideographs need none: MapLibre draws them with
 * the browser's own fonts (localIdeographFontFamily); digits, Latin and CJK punctuation come
 * from styles/glyphs/<fontstack>/<range>.pbf (scripts/make-glyphs.sh), any other range as an
 * empty glyph set, so that a map works offline without a request failing. */
int h_glyphs(srv_req *r)
{
    const char *stack = r->params[0], *range = r->params[1];
    size_t n = strlen(range);
    long a, b;
    const char *dash = strchr(range, '-');
    if (strspn(stack, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,_-") !=
            strlen(stack) ||
        !*stack || strlen(stack) > 200 || n < 7 || strcmp(range + n - 4, ".pbf") != 0 || !dash ||
        !parse_uint(range, (size_t)(dash - range), &a) ||
        !parse_uint(dash + 1, n - 4 - (size_t)(dash + 1 - range), &b) || a % 256 || b != a + 255)
        return srv_problem(r, 404, "not_found",
                           "glyphs are at /styles/glyphs/{fontstack}/{start}-"
                           "{end}.pbf",
                           NULL);
    /* A list of stacks ("A,B"): the first one shipped with this range. */
    char *data = NULL;
    size_t len = 0;
    for (const char *s = stack; *s && !data;) {
        size_t n1 = strcspn(s, ",");
        char rel[400], path[4096];
        snprintf(rel, sizeof rel, "styles/glyphs/%.*s/%ld-%ld.pbf", (int)n1, s, a, b);
        if (core_path(path, sizeof path, rel))
            data = core_read_file(path, &len, NULL);
        s += n1;
        s += strspn(s, ", ");
    }
    int status =
        srv_send(r, 200, "application/x-protobuf", data ? data : "", data ? len : 0,
                 "Cache-Control: public, max-age=86400\r\nAccess-Control-Allow-Origin: *\r\n");
    free(data);
    return status;
}
