/* Downloads of /collections/{id}/items as files (f=csv|gpkg|shp|kml, or the Accept header):
 * every feature the same query matches (all of them unless `limit` is given), written by the
 * importers' writer into a temporary file while a server-side cursor streams the rows, then
 * sent in chunks, so memory stays flat whatever the size. */
#include "feature_query.h"
#include "importers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DL_FETCH      "FETCH 2000 FROM dl"
#define DL_FETCH_ROWS 2000
#define DL_CHUNK      (64 * 1024)

typedef struct {
    const char *f;            /* the f= value */
    const char *format;       /* the writer's format */
    const char *ext;          /* file name ending */
    const char *content_type; /* of the reply */
    const char *accept;       /* media type that asks for it in Accept */
    const char *title;        /* link title */
} dl_format;

static const dl_format formats[] = {
    {"csv", "csv", "csv", "text/csv; charset=utf-8", "text/csv", "CSV with WKT (UTF-8, Excel)"},
    {"gpkg", "gpkg", "gpkg", "application/geopackage+sqlite3", "application/geopackage+sqlite3",
     "GeoPackage"},
    {"shp", "shp", "shp.zip", "application/zip", "application/x-shapefile",
     "zipped Shapefile (UTF-8 .cpg, .prj)"},
    {"kml", "kml", "kml", "application/vnd.google-earth.kml+xml",
     "application/vnd.google-earth.kml+xml", "KML"},
};

static const dl_format *format_named(const char *f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(f, formats[i].f) == 0)
            return &formats[i];
    if (strcasecmp(f, "shapefile") == 0 || strcasecmp(f, "zip") == 0)
        return &formats[2];
    if (strcasecmp(f, "geopackage") == 0)
        return &formats[1];
    return NULL;
}

const char *srv_download_format(const srv_req *r)
{
    char f[32];
    if (srv_query(r, "f", f, sizeof f)) {
        const dl_format *d = format_named(f);
        return d ? d->f : NULL;
    }
    /* Accept: only when the client names a file type and not JSON (browsers send
     * text/html,…,*∕*, which means the ordinary GeoJSON page) */
    const char *a = srv_header(r, "Accept");
    if (!a || strstr(a, "json"))
        return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasestr(a, formats[i].accept))
            return formats[i].f;
    if (strcasestr(a, "application/zip"))
        return "shp";
    return NULL;
}

bool srv_download_known(const char *f)
{
    return format_named(f) != NULL;
}

json_t *srv_download_links(const char *base, const srv_coll *c)
{
    json_t *links = json_array();
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char href[400], title[160];
        snprintf(href, sizeof href, "%s/collections/%s/items?f=%s", base, c->id, formats[i].f);
        snprintf(title, sizeof title, "all features as %s", formats[i].title);
        json_array_append_new(links,
                              json_pack("{s:s, s:s, s:s, s:s}", "href", href, "rel", "enclosure",
                                        "type", formats[i].accept, "title", title));
    }
    return links;
}

static imp_field_type field_type(srv_prop_type t)
{
    switch (t) {
    case SRV_PT_INTEGER:
        return IMP_FIELD_INT;
    case SRV_PT_NUMBER:
        return IMP_FIELD_REAL;
    case SRV_PT_BOOLEAN:
        return IMP_FIELD_BOOL;
    default:
        return IMP_FIELD_TEXT;
    }
}

/* Sends the finished file in chunks. */
static int send_file(srv_req *r, const char *path, const dl_format *d, const char *filename,
                     long count, const srv_crs *crs)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return srv_problem(r, 500, "internal", "the download file vanished", NULL);
    char hdr[800];
    snprintf(hdr, sizeof hdr,
             "Content-Disposition: attachment; filename=\"%s\"\r\n"
             "Content-Crs: <%s>\r\nX-Feature-Count: %ld\r\nCache-Control: no-cache\r\n",
             filename, crs->uri, count);
    int status = srv_stream_begin(r, 200, d->content_type, hdr);
    char *buf = malloc(DL_CHUNK);
    bool alive = buf != NULL;
    size_t n;
    while (alive && (n = fread(buf, 1, DL_CHUNK, f)) > 0)
        alive = srv_chunk(r, buf, n);
    free(buf);
    fclose(f);
    if (alive)
        srv_stream_end(r);
    return status;
}

int h_items_download(srv_req *r, const srv_coll *c, const char *f)
{
    const dl_format *d = format_named(f);
    srv_items_params p;
    srv_sqlargs a = {0};
    int status = srv_items_parse(r, c, &p, &a);
    if (status) {
        srv_items_params_free(&p);
        srv_sqlargs_free(&a);
        return status;
    }
    char v[32];
    bool limited = srv_query(r, "limit", v, sizeof v);
    char dir[] = "/tmp/pingan-download-XXXXXX";
    bool made_dir = false;
    char path[128] = "";
    imp_writer *w = NULL;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    core_buf sql = {0}, inner = {0};
    core_err err = {0};
    if (!mkdtemp(dir)) {
        status = srv_problem(r, 500, "internal", "cannot make a temporary folder", NULL);
        goto done;
    }
    made_dir = true;
    snprintf(path, sizeof path, "%s/%s.%s", dir, c->id, d->ext);
    /* the CRS of the coordinates the query gives: EPSG codes in lon/lat order for GDAL */
    char srs[32];
    snprintf(srs, sizeof srs, "EPSG:%d", p.crs->srid == 4326 ? 4490 : p.crs->srid);
    if (!(w = imp_writer_create(d->format, path, c->id, srs, p.crs->lat_first, &err))) {
        status = srv_problem(r, 500, "internal", err.msg, NULL);
        goto done;
    }
    for (int i = 0; i < c->nprops; i++)
        if (imp_writer_field(w, c->props[i].name, field_type(c->props[i].type), &err)) {
            status = srv_problem(r, 500, "internal", err.msg, NULL);
            goto done;
        }
    if (!(conn = srv_db_acquire(r))) {
        status = 503;
        goto done;
    }
    if (db_run(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL TimeZone = 'UTC'",
               0, NULL, &err) != CORE_OK) {
        status = srv_db_problem(r, conn, "download snapshot");
        goto done;
    }
    core_buf_printf(&inner, "WHERE true%s ORDER BY %s", p.where.data ? p.where.data : "",
                    p.orderby.data);
    if (limited) {
        char lim[24], off[24];
        snprintf(lim, sizeof lim, "%ld", p.limit);
        snprintf(off, sizeof off, "%ld", p.offset);
        int il = srv_sqlargs_add(&a, lim), io = srv_sqlargs_add(&a, off);
        core_buf_printf(&inner, " LIMIT $%d::bigint OFFSET $%d::bigint", il, io);
    }
    core_buf_puts(&sql, "DECLARE dl NO SCROLL CURSOR FOR ");
    if (!srv_feature_select(&sql, c, p.crs, srv_personal_scope(r), inner.data, &a, &err)) {
        status = srv_problem(r, 500, "internal", err.msg, NULL);
        goto done;
    }
    core_buf_printf(&sql, " ORDER BY %s", p.orderby.data);
    if (db_run(conn, sql.data, a.n, (const char *const *)a.v, &err) != CORE_OK) {
        status = srv_db_problem(r, conn, "download cursor");
        goto done;
    }
    for (;;) {
        if (!(res = db_exec(conn, PGRES_TUPLES_OK, DL_FETCH, 0, NULL, &err))) {
            status = srv_db_problem(r, conn, "download fetch");
            goto done;
        }
        int n = PQntuples(res);
        for (int i = 0; i < n; i++)
            if (imp_writer_add_geojson(w, PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2),
                                       &err)) {
                /* e.g. a Shapefile asked to hold points and polygons together */
                status = srv_problem(r, 422, "download_failed", err.msg, NULL);
                goto done;
            }
        PQclear(res);
        res = NULL;
        if (n < DL_FETCH_ROWS)
            break;
    }
    db_run(conn, "COMMIT", 0, NULL, &err);
    srv_db_release(r, conn);
    conn = NULL;
    long count = imp_writer_count(w);
    core_code rc = imp_writer_close(w, true, &err);
    w = NULL;
    if (rc) {
        status = srv_problem(r, 500, "internal", err.msg, NULL);
        goto done;
    }
    char jur[16] = "", filename[200];
    srv_query(r, "jurisdiction", jur, sizeof jur);
    for (char *q = jur; *q; q++)
        if (*q < '0' || *q > '9')
            *q = '\0';
    char day[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(filename, sizeof filename, "%s%s%s-%s.%s", c->id, jur[0] ? "-" : "", jur, day, d->ext);
    status = send_file(r, path, d, filename, count, p.crs);

done:
    PQclear(res);
    if (conn) {
        PQclear(PQexec(conn, "ROLLBACK"));
        srv_db_release(r, conn);
    }
    imp_writer_close(w, false, NULL);
    if (path[0])
        unlink(path);
    if (made_dir)
        rmdir(dir);
    core_buf_free(&sql);
    core_buf_free(&inner);
    srv_items_params_free(&p);
    srv_sqlargs_free(&a);
    return status;
}
