/* One import from file to database: stream features through encoding, CRS, validation and
 * repair into COPY on a staging table, check there, merge in the same transaction, and
 * write down everything done on the way in the report. Nothing is visible to anyone else
 * until COMMIT, so a failure, kill or Ctrl-C at any moment leaves the database as it was. */
#include "db.h"
#include "geo.h"
#include "imp_internal.h"

#include <cpl_conv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lists in the report are capped (counts stay exact) so that memory stays flat. */
#define LIST_MAX    1000
#define DETAILS_MAX 20000
/* Geometries with more vertices are reported by their bbox. */
#define DETAIL_POINTS_MAX 64
#define COPY_CHUNK        (256 * 1024)
/* Staged rows from which a load into a smaller table rebuilds its indexes afterwards. */
#define BULK_ROWS 50000
#define VALUE_MAX IMP_VALUE_MAX

typedef struct {
    const imp_options *o;
    const imp_target *t;
    imp_source src;
    geo_ctx *geo;
    PGconn *c;
    json_t *report, *counts;
    int field_of[16]; /* source field index of each target column, -1 none */
    long read, staged, repaired, reprojected, skipped, outside;
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

/* Converts the geometry of f to CGCS2000 EWKB hex in *hex (caller frees). false = skipped. */
static bool feature_geometry(imp_job *j, long fid, const char *name, OGRFeatureH f, char **hex,
                             json_t **detail_geom)
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
    OGR_G_DestroyGeometry(g);
    geo_fault fault;
    geo_fault_clear(&fault);
    core_err e = {0};
    geo_geom *gg = geo_from_wkb(j->geo, wkb, (size_t)size, &fault, &e);
    free(wkb);
    if (!gg) {
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
        }
    }
    if (j->t->polygonal)
        geo_force_multi(j->geo, gg, NULL);
    double minx, miny, maxx, maxy;
    if (geo_geom_bounds(j->geo, gg, &minx, &miny, &maxx, &maxy, NULL) == CORE_OK &&
        !geo_in_jiangxi(minx, miny, maxx, maxy)) {
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
    *hex = geo_to_wkb_hex(j->geo, gg, &e);
    geo_geom_free(j->geo, gg);
    if (!*hex) {
        skip(j, fid, name, e.msg);
        return false;
    }
    return true;
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
        char text[VALUE_MAX];
        const char *in = OGR_F_GetFieldAsString(f, fi);
        if (!imp_source_text(&j->src, in, text, sizeof text)) {
            snprintf(why, sizeof why, "%s: the text is not valid %s", t->cols[c].name,
                     j->src.encoding);
            ok = false;
            break;
        }
        if (strcmp(t->cols[c].name, "name") == 0)
            snprintf(raw_name, sizeof raw_name, "%s", text);
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
            snprintf(bufs[c], sizeof bufs[c], "%s", out);
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
    char *hex = NULL;
    json_t *geom = NULL;
    bool details = j->o->feature_details && j->staged < DETAILS_MAX;
    if (!feature_geometry(j, fid, name, f, &hex, details ? &geom : NULL))
        return false;
    core_buf_printf(b, "%ld", fid);
    for (int c = 0; c < t->ncols; c++) {
        core_buf_puts(b, "\t");
        copy_text(b, vals[c]);
    }
    core_buf_puts(b, "\t");
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
    return true;
}

/* ---- the checks and the merge --------------------------------------------------------- */

static core_code run_section(imp_job *j, const char *file, const char *section, int np,
                             const char *const *params, PGresult **out, core_err *err)
{
    char *sql = imp_sql(file, section, err);
    if (!sql)
        return err->code;
    double t0 = core_now_ms();
    PGresult *r = PQexecParams(j->c, sql, np, NULL, params, NULL, NULL, 0);
    free(sql);
    /* each step's time goes into the report: where a slow import spends it */
    json_t *steps = json_object_get(j->report, "steps_s");
    if (!steps)
        json_object_set_new(j->report, "steps_s", steps = json_object());
    char key[128];
    snprintf(key, sizeof key, "%s/%s", file, section);
    json_object_set_new(steps, key, json_real((core_now_ms() - t0) / 1000.0));
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

static core_code check_and_merge(imp_job *j, core_err *err)
{
    char file[64];
    snprintf(file, sizeof file, "import_%s", j->t->name);
    if (run_section(j, "import_common", "same_id", 0, NULL, NULL, err) ||
        run_section(j, "import_common", "analyze", 0, NULL, NULL, err) ||
        check_rows(j, file, "resolve", "mismatched", false, err) ||
        check_rows(j, "import_common", "dedupe", "duplicate_codes", true, err) ||
        check_rows(j, "import_common", "dedupe_codeless", "duplicate_features", true, err) ||
        check_rows(j, file, "reject", "unmatched", true, err) ||
        check_rows(j, file, "warn", "mismatched", false, err) ||
        run_section(j, file, "codeless_match", 0, NULL, NULL, err))
        return err->code;

    if (j->o->mode == IMP_MODE_INSERT) {
        PGresult *r = NULL;
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
        PGresult *r = NULL;
        if (run_section(j, file, "scope_delete", 1, p, &r, err))
            return err->code;
        json_object_set_new(j->counts, "deleted", json_integer(strtol(PQcmdTuples(r), NULL, 10)));
        PQclear(r);
    }
    PGresult *r = NULL;
    /* A bulk load into a small table builds its GiST indexes once, after the merge, instead
     * of row by row: several times faster for a million buildings. The DROP and CREATE are
     * part of the one transaction, so a failure or kill leaves the indexes as they were; the
     * price is that readers of the table wait until COMMIT. */
    PGresult *defs = NULL;
    if (strcmp(j->t->name, "jurisdictions") != 0 && j->staged >= BULK_ROWS) {
        const char *p[] = {j->t->name};
        if (run_section(j, "import_common", "table_rows", 1, p, &r, err))
            return err->code;
        bool bulk = strtoll(PQgetvalue(r, 0, 0), NULL, 10) < j->staged;
        PQclear(r);
        if (bulk && run_section(j, "import_common", "bulk_indexes", 1, p, &defs, err))
            return err->code;
        for (int i = 0; defs && i < PQntuples(defs); i++) {
            char *id =
                PQescapeIdentifier(j->c, PQgetvalue(defs, i, 0), strlen(PQgetvalue(defs, i, 0)));
            core_buf drop = {0};
            core_buf_printf(&drop, "DROP INDEX %s", id ? id : "\"\"");
            PQfreemem(id);
            core_code rc = db_run(j->c, drop.data, 0, NULL, err);
            core_buf_free(&drop);
            if (rc) {
                PQclear(defs);
                return rc;
            }
        }
    }
    long codeless_updated = 0;
    if (run_section(j, file, "codeless_update", 0, NULL, &r, err)) {
        PQclear(defs);
        return err->code;
    }
    codeless_updated = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (run_section(j, file, "merge", 0, NULL, &r, err)) {
        PQclear(defs);
        return err->code;
    }
    for (int i = 0; defs && i < PQntuples(defs); i++)
        if (db_run(j->c, PQgetvalue(defs, i, 1), 0, NULL, err)) {
            PQclear(defs);
            PQclear(r);
            return err->code;
        }
    if (defs)
        json_object_set_new(
            j->report, "bulk_load",
            json_sprintf("%d secondary indexes rebuilt after the merge", PQntuples(defs)));
    PQclear(defs);
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

static core_code stream(imp_job *j, core_err *err)
{
    char *stage = NULL;
    char file[64];
    snprintf(file, sizeof file, "import_%s", j->t->name);
    if (!(stage = imp_sql(file, "stage", err)))
        return err->code;
    core_code rc = db_run(j->c, stage, 0, NULL, err);
    free(stage);
    if (rc)
        return rc;
    PGresult *r = PQexec(j->c, "COPY imp_stage FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        core_fail(err, CORE_EDB, "COPY: %s", PQresultErrorMessage(r));
        PQclear(r);
        return CORE_EDB;
    }
    PQclear(r);
    core_buf b = {0};
    OGR_L_ResetReading(j->src.layer);
    OGRFeatureH f = NULL;
    long fid = 0;
    /* A read error is fatal: a truncated or corrupt file must not load in part. */
    while (!rc) {
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
        if (j->o->progress && fid % 2000 == 0)
            j->o->progress(j->o->progress_ud, fid, j->src.total);
        if (j->o->cancel && *j->o->cancel)
            rc = core_fail(err, CORE_EIO, "interrupted; nothing was written");
    }
    if (!rc)
        rc = copy_flush(j, &b, err);
    core_buf_free(&b);
    if (PQputCopyEnd(j->c, rc ? "import abandoned" : NULL) != 1 && !rc)
        rc = core_fail(err, CORE_EDB, "COPY end: %s", PQerrorMessage(j->c));
    while ((r = PQgetResult(j->c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
            rc = core_fail(err, CORE_EDB, "COPY into staging: %s", PQresultErrorMessage(r));
        PQclear(r);
    }
    if (j->o->progress)
        j->o->progress(j->o->progress_ud, j->read, j->read);
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
    double t1 = core_now_ms();
    rc = stream(&j, err);
    double t2 = core_now_ms();
    if (!rc)
        rc = check_and_merge(&j, err);
    json_object_set_new(j.report, "timings_s",
                        json_pack("{s:f,s:f,s:f}", "open", (t1 - t0) / 1000.0, "read_and_copy",
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
    if (report_out)
        *report_out = j.report;
    else
        json_decref(j.report);
    return rc;
}
