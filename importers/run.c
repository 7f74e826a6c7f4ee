/* One import from file to database: stream features through encoding, CRS, validation and
 * repair into COPY on a staging table, check there, merge in the same transaction (or, for a
 * file that needs none of those checks, COPY straight into the table: direct_load), and
 * write down everything done on the way in the report. Nothing is visible to anyone else
 * until COMMIT, so a failure, kill or Ctrl-C at any moment leaves the database as it was. */
#include "db.h"
#include "geo.h"
#include "imp_internal.h"

#include <cpl_conv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lists in the report are capped (counts stay exact) so that memory stays flat. */
#define LIST_MAX    1000
#define DETAILS_MAX 20000
/* Geometries with more vertices are reported by their bbox. */
#define DETAIL_POINTS_MAX 64
/* COPY data goes out in pieces of libpq's own send unit. A bigger piece than the socket holds
 * blocks this process in send() until the server has read nearly all of it, so that reading
 * the file and storing rows took turns instead of overlapping: 256 kB pieces made a
 * million-building import 40 % slower. */
#define COPY_CHUNK (8 * 1024)
/* Staged rows from which a load into a smaller table rebuilds its indexes afterwards. */
#define BULK_ROWS 50000
/* A direct load ends its COPY and learns whether the server took the rows after this many rows
 * first (a second import of the same file stops here), then after every DIRECT_ROWS. */
#define DIRECT_FIRST_ROWS 1000
#define DIRECT_ROWS       200000
#define VALUE_MAX         IMP_VALUE_MAX

typedef struct {
    const imp_options *o;
    const imp_target *t;
    char file[64]; /* the target's SQL file: import_<target> */
    imp_source src;
    geo_ctx *geo;
    PGconn *c;
    json_t *report, *counts;
    int field_of[16]; /* source field index of each target column, -1 none */
    bool integer[16]; /* that source field is an integer (read without printf) */
    long read, staged, repaired, reprojected, skipped, outside;
    /* A direct load copies straight into the target (see imp_run); direct_off says why it was
     * given up, and then the file is loaded again through the staging table. */
    bool direct;
    char direct_off[600];
    long stmt_rows;  /* rows sent in the current COPY statement */
    bool copying;    /* a COPY is open */
    char **villages; /* village codes, sorted bytewise, for a direct load's check */
    size_t nvillages;
    PGresult *defs, *cons; /* indexes and constraints a direct bulk load dropped */
    /* A direct bulk load drops the insert triggers after its first rows (quiet: their
     * definitions) and gathers the extent of the rest, to do their work once at the end. */
    PGresult *quiet;
    imp_cells cells;
} imp_job;

static void list_add(imp_job *j, const char *list, json_t *item)
{
    json_t *a = json_object_get(j->report, list);
    if (!a) {
        a = json_array();
        json_object_set_new(j->report, list, a);
    }
    size_t max = strcmp(list, "features") == 0 ? DETAILS_MAX : LIST_MAX;
    if (json_array_size(a) < max) {
        json_array_append_new(a, item);
    } else {
        json_decref(item);
        char key[64];
        snprintf(key, sizeof key, "%s_truncated", list);
        json_object_set_new(j->report, key, json_true());
    }
}

static void skip(imp_job *j, long fid, const char *name, const char *why)
{
    j->skipped++;
    list_add(j, "skipped",
             json_pack("{s:I,s:s?,s:s}", "fid", (json_int_t)fid, "name", name, "reason", why));
}

/* ---- field mapping ------------------------------------------------------------------- */

static int find_field(imp_job *j, const char *want)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(j->src.layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(d); i++) {
        char name[256];
        if (!imp_source_text(&j->src, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)), name,
                             sizeof name))
            continue;
        if (strcmp(name, want) == 0)
            return i;
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(d); i++) {
        char name[256];
        if (imp_source_text(&j->src, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)), name,
                            sizeof name) &&
            strcasecmp(name, want) == 0)
            return i;
    }
    return -1;
}

static core_code map_fields(imp_job *j, core_err *err)
{
    const imp_target *t = j->t;
    json_t *mapping = json_object();
    json_object_set_new(j->report, "mapping", mapping);
    for (int c = 0; c < t->ncols; c++) {
        j->field_of[c] = -1;
        const char *given = NULL;
        for (int m = 0; m < j->o->nmaps; m++) {
            const char *eq = strchr(j->o->maps[m], '=');
            if (eq && (size_t)(eq - j->o->maps[m]) == strlen(t->cols[c].name) &&
                strncmp(j->o->maps[m], t->cols[c].name, strlen(t->cols[c].name)) == 0)
                given = eq + 1;
        }
        if (given) {
            j->field_of[c] = find_field(j, given);
            if (j->field_of[c] < 0)
                return core_fail(err, CORE_EINVAL, "--map %s=%s: the layer has no field '%s'",
                                 t->cols[c].name, given, given);
        } else {
            char syn[512];
            snprintf(syn, sizeof syn, "%s", t->cols[c].synonyms);
            for (char *save = NULL, *n = strtok_r(syn, "|", &save); n && j->field_of[c] < 0;
                 n = strtok_r(NULL, "|", &save))
                j->field_of[c] = find_field(j, n);
        }
        if (j->field_of[c] >= 0) {
            char name[256] = "?";
            OGRFeatureDefnH d = OGR_L_GetLayerDefn(j->src.layer);
            OGRFieldType ft = OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, j->field_of[c]));
            j->integer[c] = ft == OFTInteger || ft == OFTInteger64;
            imp_source_text(&j->src, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, j->field_of[c])),
                            name, sizeof name);
            json_object_set_new(mapping, t->cols[c].name, json_string(name));
        }
    }
    for (int m = 0; m < j->o->nmaps; m++) {
        const char *eq = strchr(j->o->maps[m], '=');
        bool known = false;
        for (int c = 0; eq && c < t->ncols; c++)
            known = known || (strlen(t->cols[c].name) == (size_t)(eq - j->o->maps[m]) &&
                              strncmp(t->cols[c].name, j->o->maps[m], eq - j->o->maps[m]) == 0);
        if (!known)
            return core_fail(err, CORE_EINVAL, "--map %s: %s has no such column", j->o->maps[m],
                             t->name);
    }
    bool polygon_or_code = json_object_get(mapping, "code") || json_object_get(mapping, "name");
    if (!polygon_or_code && strcmp(t->name, "jurisdictions") == 0)
        return core_fail(err, CORE_EINVAL,
                         "boundaries need a code or name field (行政区划代码 or 名称); map one "
                         "with --map code=FIELD");
    return CORE_OK;
}

/* ---- COPY ---------------------------------------------------------------------------- */

static void copy_text(core_buf *b, const char *v)
{
    if (!v) {
        core_buf_puts(b, "\\N");
        return;
    }
    for (const char *p = v; *p; p++) {
        switch (*p) {
        case '\\':
            core_buf_puts(b, "\\\\");
            break;
        case '\t':
            core_buf_puts(b, "\\t");
            break;
        case '\n':
            core_buf_puts(b, "\\n");
            break;
        case '\r':
            core_buf_puts(b, "\\r");
            break;
        default:
            core_buf_append(b, p, 1);
        }
    }
}

static core_code copy_flush(imp_job *j, core_buf *b, core_err *err)
{
    if (b->len && PQputCopyData(j->c, b->data, (int)b->len) != 1)
        return core_fail(err, CORE_EDB, "COPY failed: %s", PQerrorMessage(j->c));
    core_buf_reset(b);
    return CORE_OK;
}

/* ---- one feature ---------------------------------------------------------------------- */

static json_t *location(const geo_fault *f)
{
    if (!f->has_location)
        return json_null();
    return json_pack("[f,f]", f->x, f->y);
}

/* The EWKB hex (SRID 4490) of little-endian 2D ISO WKB, made a one-part MultiPolygon when
 * multi: what GEOS would write for the same geometry, without GEOS writing it. */
static char *ewkb_hex(const unsigned char *wkb, size_t len, bool multi)
{
    static const char digits[] = "0123456789ABCDEF";
    uint32_t type = multi ? 6u : (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8;
    uint32_t head[3] = {type | 0x20000000u, 4490u, 1u};
    unsigned char h[13] = {1};
    for (int w = 0; w < 3; w++)
        for (int k = 0; k < 4; k++)
            h[1 + 4 * w + k] = (unsigned char)(head[w] >> (8 * k));
    size_t nh = multi ? 13 : 9;
    const unsigned char *rest = multi ? wkb : wkb + 5;
    size_t nrest = multi ? len : len - 5;
    char *out = malloc(2 * (nh + nrest) + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < nh + nrest; i++) {
        unsigned char c = i < nh ? h[i] : rest[i - nh];
        *o++ = digits[c >> 4];
        *o++ = digits[c & 15];
    }
    *o = '\0';
    return out;
}

/* Converts the geometry of f to CGCS2000 EWKB hex in *hex (caller frees) and its extent
 * (west, south, east, north; NaN when unknown) in box. false = skipped. */
static bool feature_geometry(imp_job *j, long fid, const char *name, OGRFeatureH f, char **hex,
                             double box[4], json_t **detail_geom)
{
    OGRGeometryH g = OGR_F_StealGeometry(f);
    char why[1200];
    if (!g || OGR_G_IsEmpty(g)) {
        skip(j, fid, name, "no geometry");
        if (g)
            OGR_G_DestroyGeometry(g);
        return false;
    }
    if (OGR_G_HasCurveGeometry(g, TRUE)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        OGR_G_DestroyGeometry(g);
        g = lin;
    }
    OGR_G_FlattenTo2D(g);
    if (j->src.swap_xy)
        OGR_G_SwapXY(g);
    if (j->src.ct) {
        if (OGR_G_Transform(g, j->src.ct) != OGRERR_NONE) {
            skip(j, fid, name, "cannot be reprojected to CGCS2000 (coordinates outside the CRS)");
            OGR_G_DestroyGeometry(g);
            return false;
        }
        j->reprojected++;
    }
    int size = OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(size > 0 ? (size_t)size : 1);
    if (!wkb || OGR_G_ExportToIsoWkb(g, wkbNDR, wkb) != OGRERR_NONE) {
        free(wkb);
        OGR_G_DestroyGeometry(g);
        skip(j, fid, name, "geometry cannot be written as WKB");
        return false;
    }
    /* A valid point or polygon that no datum shift moves goes to the server as the file's own
     * WKB: GEOS would write the same bytes, more slowly. */
    OGRwkbGeometryType gtype = wkbFlatten(OGR_G_GetGeometryType(g));
    bool as_read = size > 5 && j->src.webdatum == IMP_DATUM_NONE &&
                   (gtype == wkbPoint || gtype == wkbPolygon || gtype == wkbMultiPolygon);
    OGR_G_DestroyGeometry(g);
    geo_fault fault;
    geo_fault_clear(&fault);
    core_err e = {0};
    geo_geom *gg = geo_from_wkb(j->geo, wkb, (size_t)size, &fault, &e);
    if (!as_read) {
        free(wkb);
        wkb = NULL;
    }
    if (!gg) {
        free(wkb);
        snprintf(why, sizeof why, "unreadable geometry: %s", e.msg);
        skip(j, fid, name, why);
        return false;
    }
    if (j->src.webdatum != IMP_DATUM_NONE) {
        geo_transform_datum(j->geo, gg,
                            j->src.webdatum == IMP_DATUM_GCJ02 ? GEO_DATUM_GCJ02 : GEO_DATUM_BD09,
                            GEO_DATUM_WGS84, NULL);
        j->reprojected++;
    }
    geo_geom_set_srid(gg, 4490);
    unsigned allowed = j->t->polygonal ? GEO_POLYGONAL : j->t->point ? GEO_POINT : 0xFFu;
    if (!geo_check_type(j->geo, gg, allowed, &fault)) {
        snprintf(why, sizeof why, "%s cannot go into %s (%s wanted)",
                 geo_geom_type_name(j->geo, gg), j->t->name,
                 j->t->polygonal ? "polygons" : "points");
        skip(j, fid, name, why);
        geo_geom_free(j->geo, gg);
        free(wkb);
        return false;
    }
    if (!geo_validate(j->geo, gg, &fault)) {
        if (fault.kind == GEO_FAULT_SPIKE) {
            list_add(j, "warnings_per_feature",
                     json_pack("{s:I,s:s?,s:s,s:s,s:o}", "fid", (json_int_t)fid, "name", name,
                               "fault", fault.code, "message", fault.message_zh, "location",
                               location(&fault)));
        } else {
            geo_geom *fixed = NULL;
            geo_repair_info info;
            if (geo_repair(j->geo, gg, &fixed, &info, &e)) {
                snprintf(why, sizeof why, "invalid geometry (%s) that cannot be repaired: %s",
                         fault.reason[0] ? fault.reason : fault.code, e.msg);
                skip(j, fid, name, why);
                geo_geom_free(j->geo, gg);
                free(wkb);
                return false;
            }
            j->repaired++;
            list_add(j, "repaired",
                     json_pack("{s:I,s:s?,s:s,s:s,s:s,s:s,s:o,s:s,s:f,s:f}", "fid", (json_int_t)fid,
                               "name", name, "fault", fault.code, "message_en", fault.message_en,
                               "message_zh", fault.message_zh, "reason", fault.reason, "location",
                               location(&fault), "method", info.method, "area_before",
                               info.area_before, "area_after", info.area_after));
            geo_geom_free(j->geo, gg);
            gg = fixed;
            geo_geom_set_srid(gg, 4490);
            free(wkb);
            wkb = NULL;
            as_read = false;
        }
    }
    if (j->t->polygonal)
        geo_force_multi(j->geo, gg, NULL);
    double minx = NAN, miny = NAN, maxx = NAN, maxy = NAN;
    bool bounded = geo_geom_bounds(j->geo, gg, &minx, &miny, &maxx, &maxy, NULL) == CORE_OK;
    box[0] = minx, box[1] = miny, box[2] = maxx, box[3] = maxy;
    if (bounded && !geo_in_jiangxi(minx, miny, maxx, maxy)) {
        j->outside++;
        list_add(j, "outside_jiangxi",
                 json_pack("{s:I,s:s?,s:[f,f,f,f]}", "fid", (json_int_t)fid, "name", name, "bbox",
                           minx, miny, maxx, maxy));
    }
    if (detail_geom) {
        if (geo_geom_num_points(j->geo, gg) <= DETAIL_POINTS_MAX) {
            char *gj = geo_to_geojson(j->geo, gg, 9, NULL);
            json_error_t je;
            *detail_geom = gj ? json_loads(gj, 0, &je) : json_null();
            free(gj);
        } else {
            *detail_geom = json_pack("{s:[f,f,f,f]}", "bbox", minx, miny, maxx, maxy);
        }
    }
    if (as_read) {
        *hex = ewkb_hex(wkb, (size_t)size, j->t->polygonal && gtype == wkbPolygon);
        free(wkb);
        if (!*hex)
            snprintf(e.msg, sizeof e.msg, "out of memory");
    } else {
        *hex = geo_to_wkb_hex(j->geo, gg, &e);
    }
    geo_geom_free(j->geo, gg);
    if (!*hex) {
        skip(j, fid, name, e.msg);
        return false;
    }
    return true;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a direct load can take the feature as the staged merge would: it needs a code, and
 * a village code that @warn would keep. Duplicate codes, in the file or the table, are left
 * to the unique constraint, whose error ends the direct load. */
static bool direct_takes(imp_job *j, long fid, char **vals)
{
    const imp_target *t = j->t;
    if (!vals[0]) {
        snprintf(j->direct_off, sizeof j->direct_off, "feature %ld has no code", fid);
        return false;
    }
    int vc = t->ncols - 1;
    if (strcmp(t->cols[vc].name, "village_code") == 0 && vals[vc]) {
        const char *key = vals[vc];
        if (!j->villages ||
            !bsearch(&key, j->villages, j->nvillages, sizeof *j->villages, cmp_code)) {
            snprintf(j->direct_off, sizeof j->direct_off,
                     "feature %ld has a village code that is not a village's (%s)", fid, key);
            return false;
        }
    }
    return true;
}

/* What GDAL's GetFieldAsString gives for an integer field (its "%d"), without printf. */
static const char *int_text(char buf[24], long long v)
{
    char *p = buf + 23;
    *p = '\0';
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return p;
}

/* Appends one staging row for f to b; false when the feature is skipped (reported). */
static bool feature_row(imp_job *j, OGRFeatureH f, long fid, core_buf *b)
{
    const imp_target *t = j->t;
    char bufs[16][IMP_VALUE_MAX];
    char *vals[16] = {0};
    char why[1200];
    char raw_name[VALUE_MAX] = "";
    bool ok = true;
    for (int c = 0; c < t->ncols && ok; c++) {
        int fi = j->field_of[c];
        if (fi < 0 || !OGR_F_IsFieldSetAndNotNull(f, fi))
            continue;
        char text[VALUE_MAX], num[24];
        const char *in = j->integer[c] ? int_text(num, OGR_F_GetFieldAsInteger64(f, fi))
                                       : OGR_F_GetFieldAsString(f, fi);
        if (!imp_source_text(&j->src, in, text, sizeof text)) {
            snprintf(why, sizeof why, "%s: the text is not valid %s", t->cols[c].name,
                     j->src.encoding);
            ok = false;
            break;
        }
        if (strcmp(t->cols[c].name, "name") == 0)
            imp_copy(raw_name, sizeof raw_name, text);
        bool is_null;
        char out[VALUE_MAX];
        why[0] = '\0';
        if (!imp_convert(&t->cols[c], text, out, sizeof out, &is_null, why, sizeof why)) {
            ok = false;
            break;
        }
        if (why[0])
            list_add(j, "warnings_per_feature",
                     json_pack("{s:I,s:s?,s:s}", "fid", (json_int_t)fid, "name",
                               raw_name[0] ? raw_name : NULL, "reason", why));
        if (!is_null) {
            imp_copy(bufs[c], sizeof bufs[c], out);
            vals[c] = bufs[c];
        }
    }
    const char *name = raw_name[0] ? raw_name : NULL;
    if (!ok) {
        skip(j, fid, name, why);
        return false;
    }
    imp_derive(t, vals, bufs);
    bool needs_name =
        strcmp(t->name, "jurisdictions") != 0 && strcmp(t->name, "population_units") != 0;
    if (needs_name && !vals[1]) {
        skip(j, fid, name, "no name (名称)");
        return false;
    }
    if (vals[1] && strlen(vals[1]) > 600) {
        skip(j, fid, name, "name longer than 200 characters");
        return false;
    }
    if (j->direct && !direct_takes(j, fid, vals))
        return false;
    char *hex = NULL;
    json_t *geom = NULL;
    double box[4];
    bool details = j->o->feature_details && j->staged < DETAILS_MAX;
    if (!feature_geometry(j, fid, name, f, &hex, box, details ? &geom : NULL))
        return false;
    if (j->quiet) {
        core_err e = {0};
        if (isnan(box[0]))
            snprintf(j->direct_off, sizeof j->direct_off, "feature %ld has no extent", fid);
        else if (imp_cells_add(&j->cells, box, &e))
            snprintf(j->direct_off, sizeof j->direct_off, "%s", e.msg);
        if (j->direct_off[0]) {
            free(hex);
            json_decref(geom);
            return false;
        }
    }
    if (!j->direct)
        core_buf_printf(b, "%ld\t", fid);
    for (int c = 0; c < t->ncols; c++) {
        /* the merge's coalesce, which a direct load does not run */
        copy_text(b, !vals[c] && j->direct ? t->cols[c].null_as : vals[c]);
        core_buf_puts(b, "\t");
    }
    core_buf_puts(b, hex);
    core_buf_puts(b, "\n");
    free(hex);
    if (details) {
        json_t *props = json_object();
        for (int c = 0; c < t->ncols; c++)
            json_object_set_new(props, t->cols[c].name,
                                vals[c] ? json_string(vals[c]) : json_null());
        list_add(j, "features",
                 json_pack("{s:I,s:o,s:o}", "fid", (json_int_t)fid, "properties", props, "geometry",
                           geom ? geom : json_null()));
    } else if (j->o->feature_details) {
        json_object_set_new(j->report, "features_truncated", json_true());
    }
    j->staged++;
    j->stmt_rows++;
    return true;
}

/* ---- the checks and the merge --------------------------------------------------------- */

/* Each step's time goes into the report (steps_s): where a slow import spends it. */
static void step_done(imp_job *j, const char *key, double t0)
{
    json_t *steps = json_object_get(j->report, "steps_s");
    if (!steps)
        json_object_set_new(j->report, "steps_s", steps = json_object());
    json_object_set_new(steps, key, json_real((core_now_ms() - t0) / 1000.0));
}

/* Runs "HEAD NAME TAIL" with NAME, an index or constraint the server named, quoted as an
 * identifier; HEAD and TAIL come from the code's own targets and the server's definitions. */
static core_code run_named(imp_job *j, const char *head, const char *name, const char *tail,
                           core_err *err)
{
    char *id = PQescapeIdentifier(j->c, name, strlen(name));
    core_buf sql = {0};
    core_buf_printf(&sql, "%s %s%s%s", head, id ? id : "\"\"", *tail ? " " : "", tail);
    PQfreemem(id);
    core_code rc = db_run(j->c, sql.data, 0, NULL, err);
    core_buf_free(&sql);
    return rc;
}

/* run_named for the name in the first column of every row of r. */
static core_code run_named_all(imp_job *j, const char *head, const PGresult *r, const char *tail,
                               core_err *err)
{
    for (int i = 0; i < PQntuples(r); i++) {
        core_code rc = run_named(j, head, PQgetvalue(r, i, 0), tail, err);
        if (rc)
            return rc;
    }
    return CORE_OK;
}

/* Runs the statement the server wrote in the second column of every row of r (a CREATE INDEX
 * or CREATE TRIGGER of pg_get_indexdef or pg_get_triggerdef). */
static core_code run_definitions(imp_job *j, const PGresult *r, core_err *err)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (db_run(j->c, PQgetvalue(r, i, 1), 0, NULL, err))
            return err->code;
    return CORE_OK;
}

static core_code run_section(imp_job *j, const char *file, const char *section, int np,
                             const char *const *params, PGresult **out, core_err *err)
{
    char *sql = imp_sql(file, section, err);
    if (!sql)
        return err->code;
    double t0 = core_now_ms();
    PGresult *r = PQexecParams(j->c, sql, np, NULL, params, NULL, NULL, 0);
    free(sql);
    char key[128];
    snprintf(key, sizeof key, "%s/%s", file, section);
    step_done(j, key, t0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        core_fail(err, CORE_EDB, "%s (%s): %s", file, section, PQresultErrorMessage(r));
        PQclear(r);
        return CORE_EDB;
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return CORE_OK;
}

/* Rows (fid, code, name, reason) of a check go to the report list. */
static core_code check_rows(imp_job *j, const char *file, const char *section, const char *list,
                            bool skipped, core_err *err)
{
    PGresult *r = NULL;
    if (run_section(j, file, section, 0, NULL, &r, err))
        return err->code;
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *row = json_pack("{s:I,s:s?,s:s?,s:s?}", "fid",
                                (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "code",
                                PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1), "name",
                                PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2), "reason",
                                PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3));
        /* listed once, under its own heading; counted with the skipped */
        if (skipped)
            j->skipped++;
        list_add(j, list, row);
    }
    PQclear(r);
    return CORE_OK;
}

/* A bulk load into a small table builds its GiST indexes once, after the load, instead of
 * row by row: several times faster for a million buildings. The DROP and CREATE are part of
 * the one transaction, so a failure or kill leaves the indexes as they were; the price is that
 * readers of the table wait until COMMIT. *defs: the indexes dropped (NULL when none). */
static core_code bulk_drop(imp_job *j, long rows, PGresult **defs, core_err *err)
{
    *defs = NULL;
    if (strcmp(j->t->name, "jurisdictions") == 0 || rows < BULK_ROWS)
        return CORE_OK;
    const char *p[] = {j->t->name};
    PGresult *r = NULL;
    if (run_section(j, "import_common", "table_rows", 1, p, &r, err))
        return err->code;
    bool bulk = strtoll(PQgetvalue(r, 0, 0), NULL, 10) < rows;
    PQclear(r);
    if (!bulk || run_section(j, "import_common", "bulk_indexes", 1, p, defs, err))
        return bulk ? err->code : CORE_OK;
    core_code rc = run_named_all(j, "DROP INDEX", *defs, "", err);
    if (rc) {
        PQclear(*defs);
        *defs = NULL;
    }
    return rc;
}

/* Builds again the indexes bulk_drop dropped, and frees defs. */
static core_code bulk_rebuild(imp_job *j, PGresult *defs, core_err *err)
{
    if (!defs)
        return CORE_OK;
    double t0 = core_now_ms();
    if (run_definitions(j, defs, err)) {
        PQclear(defs);
        return err->code;
    }
    json_object_set_new(j->report, "bulk_load",
                        json_sprintf("%d secondary indexes rebuilt after the %s", PQntuples(defs),
                                     j->direct ? "load" : "merge"));
    step_done(j, "rebuild_indexes", t0);
    PQclear(defs);
    return CORE_OK;
}

/* A direct bulk load also drops the table's unique and foreign-key constraints (see
 * @bulk_constraints) and adds them again after the load, which checks every row. */
static core_code constraints_drop(imp_job *j, core_err *err)
{
    const char *p[] = {j->t->name};
    if (run_section(j, "import_common", "bulk_constraints", 1, p, &j->cons, err))
        return err->code;
    /* the table name is one of the code's own targets */
    char head[128];
    snprintf(head, sizeof head, "ALTER TABLE %s DROP CONSTRAINT", j->t->name);
    return run_named_all(j, head, j->cons, "", err);
}

static core_code constraints_add(imp_job *j, core_err *err)
{
    if (!j->cons)
        return CORE_OK;
    double t0 = core_now_ms();
    char head[128];
    snprintf(head, sizeof head, "ALTER TABLE %s ADD CONSTRAINT", j->t->name);
    for (int i = 0; i < PQntuples(j->cons); i++) {
        core_code rc =
            run_named(j, head, PQgetvalue(j->cons, i, 0), PQgetvalue(j->cons, i, 1), err);
        if (rc)
            return rc;
    }
    step_done(j, "add_constraints", t0);
    return CORE_OK;
}

static core_code check_and_merge(imp_job *j, core_err *err)
{
    const char *file = j->file;
    if (run_section(j, "import_common", "same_id", 0, NULL, NULL, err) ||
        run_section(j, "import_common", "analyze", 0, NULL, NULL, err) ||
        check_rows(j, file, "resolve", "mismatched", false, err) ||
        check_rows(j, "import_common", "dedupe", "duplicate_codes", true, err) ||
        check_rows(j, "import_common", "dedupe_codeless", "duplicate_features", true, err) ||
        check_rows(j, file, "reject", "unmatched", true, err) ||
        check_rows(j, file, "warn", "mismatched", false, err))
        return err->code;
    PGresult *r = NULL;
    if (run_section(j, file, "codeless_match", 0, NULL, &r, err))
        return err->code;
    /* features without a code that are stored ones: only those need @codeless_update */
    long matched = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);

    if (j->o->mode == IMP_MODE_INSERT) {
        if (run_section(j, file, "conflicts", 0, NULL, &r, err))
            return err->code;
        int n = PQntuples(r);
        if (n > 0) {
            core_buf codes = {0};
            for (int i = 0; i < n; i++)
                core_buf_printf(&codes, "%s%s", i ? ", " : "", PQgetvalue(r, i, 0));
            PQclear(r);
            core_fail(err, CORE_ECONFLICT,
                      "%d or more codes already exist in %s (%s); use --mode upsert to update "
                      "them. Nothing was written.",
                      n, j->t->name, codes.data);
            core_buf_free(&codes);
            return CORE_ECONFLICT;
        }
        PQclear(r);
    } else if (j->o->mode == IMP_MODE_REPLACE_SCOPE) {
        const char *p[] = {j->o->scope};
        if (run_section(j, file, "scope_delete", 1, p, &r, err))
            return err->code;
        json_object_set_new(j->counts, "deleted", json_integer(strtol(PQcmdTuples(r), NULL, 10)));
        PQclear(r);
    }
    PGresult *defs = NULL;
    if (bulk_drop(j, j->staged, &defs, err))
        return err->code;
    long codeless_updated = 0;
    if (matched > 0) {
        if (run_section(j, file, "codeless_update", 0, NULL, &r, err)) {
            PQclear(defs);
            return err->code;
        }
        codeless_updated = strtol(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    if (run_section(j, file, "merge", 0, NULL, &r, err)) {
        PQclear(defs);
        return err->code;
    }
    if (bulk_rebuild(j, defs, err)) {
        PQclear(r);
        return err->code;
    }
    long inserted = strtol(PQgetvalue(r, 0, 0), NULL, 10),
         updated = strtol(PQgetvalue(r, 0, 1), NULL, 10) + codeless_updated;
    PQclear(r);
    if (run_section(j, "import_common", "count", 0, NULL, &r, err))
        return err->code;
    long stored = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    json_object_set_new(j->counts, "inserted", json_integer(inserted));
    json_object_set_new(j->counts, "updated", json_integer(updated));
    json_object_set_new(j->counts, "unchanged", json_integer(stored - inserted - updated));
    json_object_set_new(j->counts, "checked", json_integer(stored));
    return CORE_OK;
}

/* ---- the whole run -------------------------------------------------------------------- */

static const char *mode_name(imp_mode m)
{
    return m == IMP_MODE_INSERT ? "insert" : m == IMP_MODE_UPSERT ? "upsert" : "replace-scope";
}

static json_t *new_report(const imp_options *o, const imp_target *t)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:{},s:[],s:[],s:[],s:[],s:[],s:[],s:[],s:[],s:[]}", "file",
                     o->display_name ? o->display_name : o->path, "into", t->name, "mode",
                     mode_name(o->mode), "dry_run", o->dry_run, "counts", "warnings", "repaired",
                     "skipped", "outside_jiangxi", "duplicate_codes", "unmatched", "mismatched",
                     "warnings_per_feature", "duplicate_features");
}

static core_code copy_begin(imp_job *j, const char *sql, core_err *err)
{
    PGresult *r = PQexec(j->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        core_fail(err, CORE_EDB, "COPY: %s", PQresultErrorMessage(r));
        PQclear(r);
        return CORE_EDB;
    }
    PQclear(r);
    j->stmt_rows = 0;
    j->copying = true;
    return CORE_OK;
}

/* Ends the COPY, abandoning it with the reason `abandon` when not NULL. The server's refusal
 * of a direct load's rows is not an error: it ends the direct load (direct_off). */
static core_code copy_end(imp_job *j, const char *abandon, core_err *err)
{
    core_code rc = CORE_OK;
    if (!j->copying)
        return CORE_OK;
    j->copying = false;
    if (PQputCopyEnd(j->c, abandon) != 1 && !abandon)
        rc = core_fail(err, CORE_EDB, "COPY end: %s", PQerrorMessage(j->c));
    PGresult *r;
    while ((r = PQgetResult(j->c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !abandon && !rc) {
            if (j->direct) {
                const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
                snprintf(j->direct_off, sizeof j->direct_off, "%s%s%s%s",
                         PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), detail ? " (" : "",
                         detail ? detail : "", detail ? ")" : "");
            } else
                rc = core_fail(err, CORE_EDB, "COPY into staging: %s", PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    return rc;
}

/* Once the first rows went in (so a file already loaded has been told apart), a direct load
 * of a big file into a smaller table drops the indexes and the unique and foreign-key
 * constraints, to build them once at the end (direct_load). */
static core_code direct_bulk_begin(imp_job *j, core_err *err)
{
    if (j->src.total < BULK_ROWS || (bulk_drop(j, j->src.total, &j->defs, err)))
        return j->src.total < BULK_ROWS ? CORE_OK : err->code;
    if (!j->defs || constraints_drop(j, err))
        return j->defs ? err->code : CORE_OK;
    if (run_section(j, j->file, "quiet", 0, NULL, &j->quiet, err))
        return err->code;
    /* the table name is one of the code's own targets */
    char tail[80];
    snprintf(tail, sizeof tail, "ON %s", j->t->name);
    return run_named_all(j, "DROP TRIGGER", j->quiet, tail, err);
}

/* Creates the insert triggers again and does their work for the rows loaded without them:
 * tiles, coverage marking and the change event, from the gathered extents (@changed). */
static core_code direct_bulk_changed(imp_job *j, core_err *err)
{
    if (!j->quiet)
        return CORE_OK;
    if (run_definitions(j, j->quiet, err))
        return err->code;
    char rows[24];
    snprintf(rows, sizeof rows, "%ld", j->cells.rows);
    core_buf boxes = {0};
    const char *p[] = {NULL, rows};
    core_code rc = imp_cells_array(&j->cells, &boxes, err);
    p[0] = boxes.data;
    if (!rc)
        rc = run_section(j, j->file, "changed", 2, p, NULL, err);
    core_buf_free(&boxes);
    return rc;
}

static core_code stream(imp_job *j, core_err *err)
{
    char *copy = imp_sql(j->file, j->direct ? "direct" : "stage", err);
    if (!copy)
        return err->code;
    core_code rc = CORE_OK;
    if (!j->direct) {
        rc = db_run(j->c, copy, 0, NULL, err);
        free(copy);
        if (rc)
            return rc;
        copy = strdup("COPY imp_stage FROM STDIN");
    }
    if (!copy || (rc = copy_begin(j, copy, err))) {
        free(copy);
        return rc ? rc : core_fail(err, CORE_ENOMEM, "out of memory");
    }
    core_buf b = {0};
    OGR_L_ResetReading(j->src.layer);
    OGRFeatureH f = NULL;
    long fid = 0;
    /* A read error is fatal: a truncated or corrupt file must not load in part. */
    while (!rc && !j->direct_off[0]) {
        CPLErrorReset();
        f = OGR_L_GetNextFeature(j->src.layer);
        if (CPLGetLastErrorType() >= CE_Failure) {
            rc = core_fail(err, CORE_EFORMAT,
                           "%s is truncated or corrupt: reading feature %ld failed: %s; nothing "
                           "was written",
                           j->o->path, fid + 1, CPLGetLastErrorMsg());
            OGR_F_Destroy(f);
            break;
        }
        if (!f)
            break;
        fid++;
        j->read++;
        feature_row(j, f, fid, &b);
        OGR_F_Destroy(f);
        if (b.len > COPY_CHUNK)
            rc = copy_flush(j, &b, err);
        /* a direct load learns early, and then now and then, whether the server refused
         * a row (a code it has already): the staged load is then not far behind */
        if (!rc && j->direct && !j->direct_off[0] &&
            j->stmt_rows >= (j->staged == j->stmt_rows ? DIRECT_FIRST_ROWS : DIRECT_ROWS)) {
            bool first = j->staged == j->stmt_rows;
            core_err e = {0};
            if (!(rc = copy_flush(j, &b, err)) && !(rc = copy_end(j, NULL, err)) &&
                !j->direct_off[0] && first && direct_bulk_begin(j, &e))
                snprintf(j->direct_off, sizeof j->direct_off, "%s", e.msg);
            if (!rc && !j->direct_off[0])
                rc = copy_begin(j, copy, err);
        }
        if (j->o->progress && fid % 2000 == 0)
            j->o->progress(j->o->progress_ud, fid, j->src.total);
        if (j->o->cancel && *j->o->cancel)
            rc = core_fail(err, CORE_EIO, "interrupted; nothing was written");
    }
    free(copy);
    if (!rc && !j->direct_off[0])
        rc = copy_flush(j, &b, err);
    core_buf_free(&b);
    core_code end = copy_end(j,
                             rc                 ? "import abandoned"
                             : j->direct_off[0] ? j->direct_off
                                                : NULL,
                             err);
    if (!rc)
        rc = end;
    if (j->o->progress)
        j->o->progress(j->o->progress_ud, j->read, j->read);
    return rc;
}

/* The village codes @warn accepts, when the file has a village code column. */
static core_code load_villages(imp_job *j, core_err *err)
{
    int vc = j->t->ncols - 1;
    if (strcmp(j->t->cols[vc].name, "village_code") != 0 || j->field_of[vc] < 0)
        return CORE_OK;
    PGresult *r = NULL;
    if (run_section(j, "import_common", "village_codes", 0, NULL, &r, err))
        return err->code;
    int n = PQntuples(r);
    j->villages = calloc(n > 0 ? (size_t)n : 1, sizeof *j->villages);
    for (int i = 0; j->villages && i < n; i++)
        if ((j->villages[j->nvillages] = strdup(PQgetvalue(r, i, 0))))
            j->nvillages++;
    PQclear(r);
    if (!j->villages || j->nvillages < (size_t)n)
        return core_fail(err, CORE_ENOMEM, "out of memory");
    return CORE_OK;
}

/* A file whose features all have codes new to the table and to the file, with village codes
 * of villages, needs none of the staging table's checks: its rows are copied straight into the
 * target (import_<target>.sql @direct), so that the server stores them while this process
 * reads and validates the next ones, instead of a second pass over a staging table. The server
 * checks every row against the table's constraints as always. Anything else (a feature
 * without a code, a code the table or the file already has, any refused row) ends the direct
 * load: rolled back to a savepoint, and the file is loaded again the staged way, with the
 * report started afresh. A second import of the same file learns that from its first rows. */
static core_code direct_load(imp_job *j, core_err *err)
{
    if (!j->t->direct || (j->o->mode != IMP_MODE_INSERT && j->o->mode != IMP_MODE_UPSERT))
        return CORE_OK;
    json_t *before = json_deep_copy(j->report);
    if (!before)
        return core_fail(err, CORE_ENOMEM, "out of memory");
    double t0 = core_now_ms();
    j->direct = true;
    core_code rc = db_run(j->c, "SAVEPOINT imp_direct", 0, NULL, err);
    if (!rc && !(rc = load_villages(j, err)) && !(rc = stream(j, err)) && !j->direct_off[0]) {
        /* a duplicate code shows here when the unique constraint was dropped */
        core_err e = {0};
        PGresult *defs = j->defs;
        j->defs = NULL;
        if (bulk_rebuild(j, defs, &e) || constraints_add(j, &e) || direct_bulk_changed(j, &e))
            snprintf(j->direct_off, sizeof j->direct_off, "%s", e.msg);
    }
    PQclear(j->cons);
    PQclear(j->defs);
    PQclear(j->quiet);
    j->cons = j->defs = j->quiet = NULL;
    if (!rc && !j->direct_off[0]) {
        json_object_set_new(j->counts, "inserted", json_integer(j->staged));
        json_object_set_new(j->counts, "updated", json_integer(0));
        json_object_set_new(j->counts, "unchanged", json_integer(0));
        json_object_set_new(j->counts, "checked", json_integer(j->staged));
        json_object_set_new(j->report, "load", json_string("direct"));
    }
    if (!rc && j->direct_off[0]) {
        rc = db_run(j->c, "ROLLBACK TO SAVEPOINT imp_direct", 0, NULL, err);
        json_decref(j->report);
        j->report = before;
        before = NULL;
        j->counts = json_object_get(j->report, "counts");
        j->read = j->staged = j->repaired = j->reprojected = j->skipped = j->outside = 0;
        j->direct = false;
        imp_cells_free(&j->cells);
        json_object_set_new(
            j->report, "direct_load_abandoned",
            json_pack("{s:s,s:f}", "why", j->direct_off, "seconds", (core_now_ms() - t0) / 1000.0));
        j->direct_off[0] = '\0';
    }
    json_decref(before);
    return rc;
}

core_code imp_run(const imp_options *o, PGconn *c, json_t **report_out, core_err *err)
{
    if (report_out)
        *report_out = NULL;
    const imp_target *t = o->into ? imp_target_find(o->into) : imp_target_of_preset(o->preset);
    if (!t)
        return core_fail(err, CORE_EINVAL,
                         o->into ? "unknown target '%s' (jurisdictions, grids, key_places, "
                                   "hazards, population_units, cameras)"
                                 : "say where to import with --into (or a --preset)",
                         o->into ? o->into : "");
    if (o->preset && !imp_target_of_preset(o->preset))
        return core_fail(err, CORE_EINVAL,
                         "unknown preset '%s' (geohazard, boundaries, buildings, key_places, "
                         "cameras, grids)",
                         o->preset);
    if (o->mode == IMP_MODE_REPLACE_SCOPE && (!o->scope || !*o->scope))
        return core_fail(err, CORE_EINVAL, "--mode replace-scope needs --scope CODE");

    imp_job j = {.o = o, .t = t, .c = c};
    snprintf(j.file, sizeof j.file, "import_%s", t->name);
    j.report = new_report(o, t);
    j.counts = json_object_get(j.report, "counts");
    core_code rc = CORE_OK;
    double t0 = core_now_ms();
    if (!(j.geo = geo_ctx_create(err))) {
        json_decref(j.report);
        return err->code;
    }
    /* GDAL's messages go into the report and err, not onto the terminal. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if ((rc = imp_source_open(&j.src, o, err)))
        goto done;
    json_object_set_new(j.report, "layer", json_string(OGR_L_GetName(j.src.layer)));
    json_object_set_new(j.report, "driver", json_string(j.src.driver));
    json_object_set_new(j.report, "encoding",
                        json_pack("{s:s,s:s,s:s?}", "chosen", j.src.encoding, "why",
                                  j.src.enc_source, "declared",
                                  j.src.declared[0] ? j.src.declared : NULL));
    json_object_set_new(j.report, "crs",
                        json_pack("{s:s,s:s,s:i,s:b,s:s}", "name", j.src.crs_name, "source",
                                  j.src.crs_source[0] ? j.src.crs_source : "file", "epsg",
                                  j.src.crs_epsg, "swapped_xy", j.src.swap_xy, "stored_as",
                                  "EPSG:4490 (CGCS2000)"));
    json_array_extend(json_object_get(j.report, "warnings"), j.src.warnings);
    if ((rc = map_fields(&j, err)))
        goto done;

    char actor[300];
    if (o->actor)
        snprintf(actor, sizeof actor, "%s", o->actor);
    else
        snprintf(actor, sizeof actor, "import:%s",
                 o->display_name ? o->display_name : CPLGetFilename(o->path));
    /* Histories keep at most 100 characters of actor: cut on a character boundary. */
    for (size_t i = 0, chars = 0; actor[i]; i++)
        if (((unsigned char)actor[i] & 0xC0) != 0x80 && ++chars > 100) {
            actor[i] = '\0';
            break;
        }
    const char *ap[] = {actor};
    /* The staging table of a big file stays in the backend's memory instead of going through
     * 8 MB of local buffers to disk. Refused (and harmless) once the session has used a
     * temporary table: only the first import on a connection gets it. */
    PQclear(PQexec(c, "SET temp_buffers = '256MB'"));
    if ((rc = db_run(c, "BEGIN", 0, NULL, err)) ||
        (rc = db_run(c,
                     "SELECT set_config('pingan.actor', $1, true), "
                     "set_config('pingan.role', 'importer', true), "
                     /* the file's duplicate codes are found by one hash of all its codes,
                      * and a bulk load's indexes are built by sorting: both in memory */
                     "set_config('work_mem', '128MB', true), "
                     "set_config('maintenance_work_mem', '512MB', true)",
                     1, ap, err)))
        goto done;
    double t1 = core_now_ms(), t_open = t1;
    rc = direct_load(&j, err);
    double t2 = core_now_ms();
    if (!rc && !j.direct) {
        json_object_set_new(j.report, "load", json_string("staged"));
        t1 = core_now_ms();
        rc = stream(&j, err);
        t2 = core_now_ms();
        if (!rc)
            rc = check_and_merge(&j, err);
    }
    json_object_set_new(j.report, "timings_s",
                        json_pack("{s:f,s:f,s:f}", "open", (t_open - t0) / 1000.0, "read_and_copy",
                                  (t2 - t1) / 1000.0, "check_and_merge",
                                  (core_now_ms() - t2) / 1000.0));
    if (!rc && o->cancel && *o->cancel)
        rc = core_fail(err, CORE_EIO, "interrupted; nothing was written");
    if (!rc && !o->dry_run)
        rc = db_run(c, "COMMIT", 0, NULL, err);
    else
        PQclear(PQexec(c, "ROLLBACK"));

done:
    json_object_set_new(j.counts, "read", json_integer(j.read));
    json_object_set_new(j.counts, "staged", json_integer(j.staged));
    json_object_set_new(j.counts, "repaired", json_integer(j.repaired));
    json_object_set_new(j.counts, "reprojected", json_integer(j.reprojected));
    json_object_set_new(j.counts, "skipped", json_integer(j.skipped));
    json_object_set_new(j.counts, "outside_jiangxi", json_integer(j.outside));
    json_object_set_new(
        j.counts, "duplicate_codes",
        json_integer((json_int_t)json_array_size(json_object_get(j.report, "duplicate_codes"))));
    json_object_set_new(
        j.counts, "duplicate_features",
        json_integer((json_int_t)json_array_size(json_object_get(j.report, "duplicate_features"))));
    json_object_set_new(j.report, "seconds", json_real((core_now_ms() - t0) / 1000.0));
    json_object_set_new(j.report, "status",
                        json_string(rc           ? "failed"
                                    : o->dry_run ? "dry_run"
                                                 : "committed"));
    if (rc)
        json_object_set_new(j.report, "error", json_string(err ? err->msg : "failed"));
    if (j.src.ds)
        imp_source_close(&j.src);
    CPLPopErrorHandler();
    geo_ctx_free(j.geo);
    imp_cells_free(&j.cells);
    for (size_t i = 0; i < j.nvillages; i++)
        free(j.villages[i]);
    free(j.villages);
    if (report_out)
        *report_out = j.report;
    else
        json_decref(j.report);
    return rc;
}
