/* Validated writes: the order of a write is parse → permission on the feature as it is →
 * checks without the database → geometry through PostGIS → scope of the new place →
 * relational rules → one transaction naming the actor, with the version check in the
 * UPDATE's WHERE clause so that of two writers holding the same ETag exactly one wins. */
#include "edit_internal.h"

#include "db.h"
#include "feature_query.h"
#include "geo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* EPSG:4490 with longitude first, as PostGIS and edit_history hold it (restores use it). */
static const srv_crs storage_lonlat = {SRV_STORAGE_CRS_URI, 4490, false, 7, "CGCS2000 (lon/lat)"};

void edit_result_free(edit_result *res)
{
    json_decref(res->faults);
    json_decref(res->warnings);
    json_decref(res->computed);
    json_decref(res->features);
    json_decref(res->extra);
    memset(res, 0, sizeof *res);
}

static void result_init(edit_result *res)
{
    memset(res, 0, sizeof *res);
    res->faults = json_array();
    res->warnings = json_array();
    res->computed = json_object();
    res->features = json_array();
}

/* Sets the problem to answer; returns CORE_OK because the result says what to do. */
static core_code answer(edit_result *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static core_code answer(edit_result *res, int status, const char *code, const char *fmt, ...)
{
    res->status = status;
    res->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof res->detail, fmt, ap);
    va_end(ap);
    return CORE_OK;
}

void edit_etag(char *out, size_t size, const char *id, long version)
{
    /* One format for reads and writes: the read half's. */
    char v[24];
    snprintf(v, sizeof v, "%ld", version);
    srv_coll_etag(out, size, id, v);
}

long edit_if_match_version(const char *if_match, const char *id)
{
    if (!if_match)
        return -1;
    while (*if_match == ' ')
        if_match++;
    if (!strcmp(if_match, "*"))
        return 0;
    if (!strncmp(if_match, "W/", 2))
        if_match += 2;
    /* A list "a", "b": any member naming this feature counts. */
    for (const char *p = if_match; (p = strchr(p, '"'));) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        size_t idlen = strlen(id);
        if ((size_t)(end - p - 1) > idlen + 1 && !strncmp(p + 1, id, idlen) &&
            p[1 + idlen] == '-') {
            char *stop;
            long v = strtol(p + 2 + idlen, &stop, 10);
            if (stop == end && v > 0)
                return v;
        }
        p = end + 1;
    }
    return -1;
}

/* ---- small SQL helpers ---- */

/* A numeric cell; the database typed it, so a parse failure can only mean NULL (0). */
static long pq_long(const PGresult *r, int row, int col)
{
    return strtol(PQgetvalue(r, row, col), NULL, 10);
}

static double pq_double(const PGresult *r, int row, int col)
{
    return strtod(PQgetvalue(r, row, col), NULL);
}

static PGresult *run(PGconn *c, const char *name, int n, const char *const *params, core_err *err)
{
    const char *sql = srv_sql(name, err);
    return sql ? db_exec(c, PGRES_TUPLES_OK, sql, n, params, err) : NULL;
}

static core_code begin(PGconn *c, const edit_ctx *x, core_err *err)
{
    const char *params[] = {x->actor};
    core_code rc = db_run(c, "BEGIN", 0, NULL, err);
    if (!rc)
        rc = db_run(c, "SELECT set_config('pingan.actor', $1, true)", 1, params, err);
    return rc;
}

static core_code finish(PGconn *c, const edit_ctx *x, core_err *err)
{
    return db_run(c, x->dry_run ? "ROLLBACK" : "COMMIT", 0, NULL, err);
}

static void rollback(PGconn *c)
{
    PQclear(PQexec(c, "ROLLBACK"));
}

/* A feature as GeoJSON (CRS84) with the registry's properties only, or NULL when absent.
 * version_out/place_out (may be NULL) get its version and jurisdiction code. */
static json_t *load_feature(PGconn *c, const srv_coll *coll, const char *id, long *version_out,
                            char *place_out, size_t place_size, core_err *err)
{
    core_buf sql = {0};
    const char *geom = coll->geom_column;
    core_buf_printf(&sql,
                    "SELECT t.%s::text, t.%s, t.%s, %s%s%s, to_jsonb(t)::text FROM %s t "
                    "WHERE t.%s::text = $1",
                    coll->id_column, coll->version_column, coll->jurisdiction_column,
                    geom ? "ST_AsGeoJSON(ST_Transform(t." : "NULL::text", geom ? geom : "",
                    geom ? ", 4326), 7)" : "", coll->table, coll->id_column);
    const char *params[] = {id};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql.data, 1, params, err);
    core_buf_free(&sql);
    if (!r)
        return NULL;
    if (PQntuples(r) == 0) {
        PQclear(r);
        core_fail(err, CORE_ENOTFOUND, "no feature %s in %s", id, coll->id);
        return NULL;
    }
    json_t *row = json_loads(PQgetvalue(r, 0, 4), 0, NULL);
    json_t *props = json_object();
    for (int i = 0; i < coll->nprops; i++) {
        json_t *v = json_object_get(row, coll->props[i].name);
        json_object_set(props, coll->props[i].name, v ? v : json_null());
    }
    json_decref(row);
    json_t *g = PQgetisnull(r, 0, 3) ? json_null() : json_loads(PQgetvalue(r, 0, 3), 0, NULL);
    json_t *f = json_pack("{s:s, s:s, s:o, s:o}", "type", "Feature", "id", PQgetvalue(r, 0, 0),
                          "geometry", g ? g : json_null(), "properties", props);
    /* Numeric ids go out as numbers, as the read half serves them. */
    if (!coll->id_is_text)
        json_object_set_new(f, "id", json_integer(strtoll(PQgetvalue(r, 0, 0), NULL, 10)));
    if (version_out)
        *version_out = pq_long(r, 0, 1);
    if (place_out)
        snprintf(place_out, place_size, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    return f;
}

core_code edit_feature_place(PGconn *c, const srv_coll *coll, const char *fid, char *code_out,
                             size_t code_size, core_err *err)
{
    json_t *f = load_feature(c, coll, fid, NULL, code_out, code_size, err);
    if (!f)
        return err->code ? err->code : CORE_EDB;
    json_decref(f);
    return CORE_OK;
}

static void place_name(PGconn *c, const char *code, char *out, size_t size)
{
    core_err err = {0};
    const char *params[] = {code};
    out[0] = '\0';
    PGresult *r = code && *code ? run(c, "jurisdiction_name", 1, params, &err) : NULL;
    if (r && PQntuples(r))
        snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

static bool in_scope(const edit_ctx *x, const char *code)
{
    size_t n = strlen(x->scope);
    return n && code && !strncmp(code, x->scope, n);
}

static core_code refuse_scope(PGconn *c, const edit_ctx *x, edit_result *res, const char *code,
                              const char *what)
{
    char name[200];
    place_name(c, code, name, sizeof name);
    res->extra = json_pack("{s:s?, s:s?, s:s}", "place_code", code && *code ? code : NULL,
                           "place_name", *name ? name : NULL, "scope", x->scope);
    return answer(res, 403, "out_of_scope", "%s %s %s lies outside this token's scope %s", what,
                  code && *code ? code : "(unknown place)", name, x->scope);
}

/* ---- geometry through geo/ (GEOS and PROJ) ---- */

/* One geo context per server thread, kept for the thread's life: the context caches PROJ
 * transformations, whose creation costs far more than a whole write otherwise. Freed by
 * the key's destructor when the thread ends. */
static pthread_key_t geo_key;
static pthread_once_t geo_once = PTHREAD_ONCE_INIT;

static void geo_key_free(void *ctx)
{
    geo_ctx_free(ctx);
}

static void geo_key_make(void)
{
    pthread_key_create(&geo_key, geo_key_free);
}

static geo_ctx *thread_geo(core_err *err)
{
    pthread_once(&geo_once, geo_key_make);
    geo_ctx *ctx = pthread_getspecific(geo_key);
    if (!ctx && (ctx = geo_ctx_create(err)))
        pthread_setspecific(geo_key, ctx);
    return ctx;
}

void edit_warm_thread(void)
{
    core_err err = {0};
    geo_ctx *ctx = thread_geo(&err);
    double x = 115.9, y = 28.7;
    if (ctx)
        geo_crs_transform_xy(ctx, "OGC:CRS84", "EPSG:4490", &x, &y, &err);
}

/* Swaps x and y of every position, in place: Part 2 clients send EPSG:4326/4490 and the
 * Gauss-Krüger CRSs in the authority's order (latitude/northing first); geo/ wants x first. */
static void swap_axes(json_t *coords)
{
    if (!json_is_array(coords))
        return;
    if (json_is_number(json_array_get(coords, 0))) {
        json_t *x = json_incref(json_array_get(coords, 0));
        json_array_set(coords, 0, json_array_get(coords, 1));
        json_array_set_new(coords, 1, x);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(coords, i, v)
    {
        swap_axes(v);
    }
}

/* The first position of a GeoJSON coordinates tree outside Jiangxi's envelope, or NULL. */
static json_t *first_outside_jiangxi(json_t *coords)
{
    if (!json_is_array(coords))
        return NULL;
    if (json_is_number(json_array_get(coords, 0))) {
        double x = json_number_value(json_array_get(coords, 0)),
               y = json_number_value(json_array_get(coords, 1));
        return geo_in_jiangxi(x, y, x, y) ? NULL : coords;
    }
    size_t i;
    json_t *v, *hit;
    json_array_foreach(coords, i, v)
    {
        if ((hit = first_outside_jiangxi(v)))
            return hit;
    }
    return NULL;
}

static const char *proj_name(const srv_crs *crs)
{
    static const char *const names[] = {"OGC:CRS84", "EPSG:4326", "EPSG:4490",
                                        "EPSG:3857", "EPSG:4547", "EPSG:4548"};
    static const int srids[] = {0, 4326, 4490, 3857, 4547, 4548};
    if (!crs || !strcmp(crs->uri, SRV_CRS84_URI))
        return names[0];
    for (size_t i = 1; i < sizeof srids / sizeof srids[0]; i++)
        if (srids[i] == crs->srid)
            return names[i];
    return NULL;
}

/* Turns a GeoJSON geometry in the request's CRS into hex EWKB in EPSG:4490 (into *ewkb, the
 * caller frees), through geo/: parse, GEOS validity with reason and location (spikes too),
 * transform, the Jiangxi envelope. Locations are reported in CRS84. *ewkb stays NULL when
 * the geometry cannot be stored. */
/* Positions (innermost number arrays) under a GeoJSON coordinates value, counting stops
 * once past limit: a million-vertex polygon costs a walk, not GEOS time and memory. */
static long count_positions(json_t *v, long limit, int depth)
{
    if (!json_is_array(v) || depth > 8)
        return 0;
    if (json_array_size(v) && json_is_number(json_array_get(v, 0)))
        return 1;
    long n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        n += count_positions(item, limit, depth + 1);
        if (n > limit)
            break;
    }
    return n;
}

static void prepare_geometry(const edit_ctx *x, json_t *geom, bool multi, json_t *faults,
                             char **ewkb)
{
    *ewkb = NULL;
    long limit = x->max_vertices > 0 ? x->max_vertices : 100000;
    if (count_positions(json_object_get(geom, "coordinates"), limit, 0) > limit) {
        edit_fault(faults, "too_many_vertices", "geometry", "几何对象顶点过多",
                   "the geometry has more vertices than max_vertices",
                   json_pack("{s:I}", "max_vertices", (json_int_t)limit));
        return;
    }
    const srv_crs *crs = x->crs ? x->crs : srv_crs_find("CRS84");
    const char *from = proj_name(crs);
    json_t *bare = json_pack("{s:O, s:o}", "type", json_object_get(geom, "type"), "coordinates",
                             json_deep_copy(json_object_get(geom, "coordinates")));
    if (crs->lat_first)
        swap_axes(json_object_get(bare, "coordinates"));
    char *text = bare ? json_dumps(bare, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(bare);
    core_err err = {0};
    geo_ctx *ctx = thread_geo(&err);
    geo_fault fault;
    geo_fault_clear(&fault);
    geo_geom *g = ctx && text ? geo_from_geojson(ctx, text, &fault, &err) : NULL;
    free(text);
    if (g)
        geo_geom_set_srid(g, crs->srid); /* ranges are checked in the input's own CRS */
    if (!g || !geo_validate(ctx, g, &fault)) {
        if (fault.kind == GEO_FAULT_NONE) {
            edit_fault(faults, "malformed_geometry", "geometry", "几何对象无法解析",
                       "the geometry cannot be read", json_pack("{s:s}", "reason", err.msg));
        } else {
            json_t *extra = json_pack("{s:s}", "reason", fault.reason);
            double lx = fault.x, ly = fault.y;
            if (fault.has_location &&
                (!strcmp(from, "OGC:CRS84") ||
                 !geo_crs_transform_xy(ctx, from, "OGC:CRS84", &lx, &ly, NULL)))
                json_object_set_new(extra, "location", json_pack("[f, f]", lx, ly));
            char en[400];
            snprintf(en, sizeof en, "%s%s%s", fault.message_en, *fault.reason ? ": " : "",
                     fault.reason);
            edit_fault(faults, fault.code, "geometry", fault.message_zh, en, extra);
        }
        geo_geom_free(ctx, g);
        return;
    }
    char *stored = NULL;
    if (geo_crs_transform(ctx, g, from, "EPSG:4490", &err) ||
        (multi && geo_force_multi(ctx, g, &err))) {
        edit_fault(faults, "malformed_geometry", "geometry", "坐标无法转换到 CGCS2000",
                   "the coordinates cannot be transformed to CGCS2000",
                   json_pack("{s:s}", "reason", err.msg));
    } else {
        char *gj = geo_to_geojson(ctx, g, 9, &err);
        json_t *doc = gj ? json_loads(gj, 0, NULL) : NULL;
        free(gj);
        json_t *out = first_outside_jiangxi(json_object_get(doc, "coordinates"));
        if (out)
            edit_fault(faults, "outside_jiangxi", "geometry", "坐标超出江西省范围",
                       "coordinates lie outside Jiangxi",
                       json_pack("{s:[f, f]}", "location",
                                 json_number_value(json_array_get(out, 0)),
                                 json_number_value(json_array_get(out, 1))));
        else
            stored = geo_to_wkb_hex(ctx, g, &err);
        json_decref(doc);
    }
    geo_geom_free(ctx, g);
    *ewkb = stored;
}

/* The most specific jurisdiction outside the scope that the geometry reaches into: 403. */
static bool geometry_out_of_scope(PGconn *c, const edit_ctx *x, const char *ewkb, edit_result *res,
                                  const char *what)
{
    char tol[32];
    snprintf(tol, sizeof tol, "%g", x->spill_tolerance_m2);
    const char *params[] = {ewkb, x->scope, tol};
    core_err err = {0};
    PGresult *r = run(c, "validate_scope", 3, params, &err);
    bool out = r && PQntuples(r) > 0;
    if (out) {
        res->extra =
            json_pack("{s:s, s:s, s:s, s:s}", "place_code", PQgetvalue(r, 0, 0), "place_name",
                      PQgetvalue(r, 0, 1), "place_level", PQgetvalue(r, 0, 2), "scope", x->scope);
        answer(res, 403, "out_of_scope",
               "%s reaches into %s %s (%s), outside this token's scope %s", what,
               PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 2), x->scope);
    }
    PQclear(r);
    return out;
}

/* Grid rules: the village exists and is a village, the grid stays inside it (warning within
 * the tolerance), community/base grids do not overlap siblings; and the household tally. */
static void grid_rules(PGconn *c, const edit_ctx *x, const char *ewkb, const char *village,
                       const char *kind, const char *exclude_ids, const char *label,
                       edit_result *res, json_t *computed)
{
    core_err err = {0};
    const char *vp[] = {ewkb, village};
    PGresult *r = run(c, "validate_grid_village", 2, vp, &err);
    char en[400], zh[400];
    if (r && PQntuples(r) == 0) {
        snprintf(en, sizeof en, "%sno jurisdiction has the code %s", label, village);
        snprintf(zh, sizeof zh, "%s区划代码 %s 不存在", label, village);
        edit_fault(res->faults, "unknown_village", "properties.village_code", zh, en, NULL);
    } else if (r && strcmp(PQgetvalue(r, 0, 0), "village") != 0) {
        snprintf(en, sizeof en, "%s%s is a %s, not a village/community", label, village,
                 PQgetvalue(r, 0, 0));
        snprintf(zh, sizeof zh, "%s%s 不是村(社区)级区划", label, village);
        edit_fault(res->faults, "unknown_village", "properties.village_code", zh, en, NULL);
    } else if (r && PQgetvalue(r, 0, 2)[0] != 't') {
        edit_fault(res->warnings, "village_without_boundary", "properties.village_code",
                   "该村(社区)尚无边界，无法检查网格是否在其范围内",
                   "the village/community has no boundary yet; containment was not checked", NULL);
    } else if (r) {
        double outside = pq_double(r, 0, 3);
        if (outside > 0.01) {
            json_t *geom =
                PQgetisnull(r, 0, 4) ? json_null() : json_loads(PQgetvalue(r, 0, 4), 0, NULL);
            bool error = outside > x->spill_tolerance_m2;
            snprintf(en, sizeof en, "%sthe grid extends %.1f m² outside its village/community %s",
                     label, outside, PQgetvalue(r, 0, 1));
            snprintf(zh, sizeof zh, "%s网格超出所属村(社区)“%s”范围 %.1f 平方米", label,
                     PQgetvalue(r, 0, 1), outside);
            edit_fault(error ? res->faults : res->warnings, "outside_village", "geometry", zh, en,
                       json_pack("{s:f, s:f, s:o}", "area_m2", outside, "tolerance_m2",
                                 x->spill_tolerance_m2, "geometry", geom ? geom : json_null()));
        }
    }
    PQclear(r);

    if (kind && (!strcmp(kind, "community") || !strcmp(kind, "base"))) {
        const char *op[] = {ewkb, village, exclude_ids};
        r = run(c, "validate_grid_overlap", 3, op, &err);
        for (int i = 0; r && i < PQntuples(r); i++) {
            double area = pq_double(r, i, 3);
            json_t *geom = json_loads(PQgetvalue(r, i, 4), 0, NULL);
            snprintf(en, sizeof en, "%sthe grid overlaps grid %s %s by %.1f m²", label,
                     PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), area);
            snprintf(zh, sizeof zh, "%s网格与同村网格 %s（%s）重叠 %.1f 平方米", label,
                     PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), area);
            edit_fault(x->overlap_warn ? res->warnings : res->faults, "sibling_overlap", "geometry",
                       zh, en,
                       json_pack("{s:s, s:s, s:f, s:o}", "other_id", PQgetvalue(r, i, 0),
                                 "other_code", PQgetvalue(r, i, 1), "area_m2", area, "geometry",
                                 geom ? geom : json_null()));
        }
        PQclear(r);
    }

    const char *tp[] = {ewkb};
    r = run(c, "grid_tally", 1, tp, &err);
    if (r && PQntuples(r)) {
        json_object_set_new(computed, "households", json_integer((int)pq_long(r, 0, 0)));
        json_object_set_new(computed, "residents", json_integer((int)pq_long(r, 0, 1)));
    }
    PQclear(r);
}

/* ---- the generic write ---- */

/* Columns of the registry a client may set, then those the server sets. */
static bool server_sets(const srv_coll *coll, const char *name)
{
    if (!strcmp(coll->id, "grids"))
        return !strcmp(name, "code") || !strcmp(name, "households") || !strcmp(name, "residents");
    return !strcmp(name, "village_code");
}

/* INSERT or UPDATE one row from `store` (column → value, through jsonb_populate_record so
 * PostgreSQL does the typing); identifiers come from the registry only. For an update,
 * writable columns absent from store go back to their defaults (PUT replaces). Returns the
 * result with id and version, or NULL with err; an update whose version check fails returns
 * a result with no rows. */
static PGresult *write_row(PGconn *c, const srv_coll *coll, bool insert, json_t *store,
                           const char *ewkb, const char *id, long version, core_err *err)
{
    core_buf sql = {0}, cols = {0}, vals = {0};
    for (int i = 0; i < coll->nprops; i++) {
        const srv_coll_prop *p = &coll->props[i];
        bool computed = (p->flags & SRV_PF_COMPUTED) && !server_sets(coll, p->name);
        if (computed)
            continue;
        bool present = json_object_get(store, p->name) != NULL;
        if (insert) {
            if (!present)
                continue;
            core_buf_printf(&cols, "%s%s", cols.len ? ", " : "", p->name);
            core_buf_printf(&vals, "%sr.%s", vals.len ? ", " : "", p->name);
        } else {
            core_buf_printf(&cols, "%s%s = %s%s", cols.len ? ", " : "", p->name,
                            present ? "r." : "DEFAULT", present ? p->name : "");
        }
    }
    if (coll->geom_column) {
        if (insert) {
            core_buf_printf(&cols, "%s%s", cols.len ? ", " : "", coll->geom_column);
            core_buf_printf(&vals, "%s$2::geometry", vals.len ? ", " : "");
        } else {
            core_buf_printf(&cols, "%s%s = $2::geometry", cols.len ? ", " : "", coll->geom_column);
        }
    }
    /* Without a geometry column $2 is still passed (NULL) and referenced, so that PostgreSQL
     * can type every parameter and the numbering stays the same. */
    const char *unused = coll->geom_column ? "" : " AND $2::text IS NULL";
    if (insert)
        core_buf_printf(&sql,
                        "INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, "
                        "$1::jsonb) r WHERE true%s RETURNING %s::text, %s",
                        coll->table, cols.data, vals.data, coll->table, unused, coll->id_column,
                        coll->version_column);
    else
        core_buf_printf(&sql,
                        "UPDATE %s t SET %s FROM jsonb_populate_record(NULL::%s, $1::jsonb) r "
                        "WHERE t.%s = $3::bigint AND t.%s = $4::int%s RETURNING t.%s::text, t.%s",
                        coll->table, cols.data, coll->table, coll->id_column, coll->version_column,
                        unused, coll->id_column, coll->version_column);
    char *json = json_dumps(store, JSON_COMPACT | JSON_REAL_PRECISION(17));
    char ver[24];
    snprintf(ver, sizeof ver, "%ld", version);
    const char *params[] = {json, coll->geom_column ? ewkb : NULL, id, ver};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql.data, insert ? 2 : 4, params, err);
    free(json);
    core_buf_free(&sql);
    core_buf_free(&cols);
    core_buf_free(&vals);
    return r;
}

/* A database refusal during the write: constraint violations are the client's (422/409),
 * anything else is ours (500/503). */
static core_code db_refusal(edit_result *res, const core_err *err)
{
    if (strstr(err->msg, "SQLSTATE 23514") || strstr(err->msg, "SQLSTATE 23502") ||
        strstr(err->msg, "SQLSTATE 23503") || strstr(err->msg, "SQLSTATE 22")) {
        edit_fault(res->faults, "constraint_violation", NULL, "数据违反数据库约束",
                   "the data breaks a database rule", json_pack("{s:s}", "reason", err->msg));
        return answer(res, 422, "validation_failed", "the feature breaks a database rule");
    }
    if (strstr(err->msg, "SQLSTATE 23505"))
        return answer(res, 409, "conflict", "%s", err->msg);
    if (err->code == CORE_EUNAVAIL)
        return answer(res, 503, "db_unavailable", "the database is not reachable");
    /* Class 53: the database is out of a resource; the write rolled back whole, and the same
     * request succeeds once space (or memory, connections) is back: no restart needed. */
    if (strstr(err->msg, "SQLSTATE 53100")) {
        core_log(CORE_LOG_ERROR, "edit_failed", "\"error\":\"disk_full\"");
        return answer(res, 507, "storage_full",
                      "the database has no space left to store this write; nothing was saved");
    }
    if (strstr(err->msg, "SQLSTATE 53")) {
        core_log(CORE_LOG_ERROR, "edit_failed", "\"error\":\"db_resources\"");
        return answer(res, 503, "db_resources",
                      "the database is out of memory or connections; nothing was saved");
    }
    core_log(CORE_LOG_ERROR, "edit_failed", "\"error\":\"%s\"", core_code_name(err->code));
    return answer(res, 500, "write_failed", "the write failed inside the database");
}

static core_code validation_failed(edit_result *res)
{
    return answer(res, 422, "validation_failed", "%zu fault(s): nothing was saved",
                  json_array_size(res->faults));
}

/* Everything before the transaction for one feature: properties, geometry, scope, rules,
 * computed fields. Fills store, *ewkb and computed; faults and warnings into res. Returns
 * false when the answer is already decided (403). */
static bool prepare_feature(PGconn *c, const edit_ctx *x, json_t *feature, bool require_all,
                            bool warn_computed, const char *self_id, json_t *store, char **ewkb,
                            edit_result *res)
{
    const srv_coll *coll = x->coll;
    json_t *props = json_object_get(feature, "properties");
    edit_check_props(coll, props, require_all, warn_computed, store, res->faults, res->warnings);
    *ewkb = NULL;
    json_t *geom = json_object_get(feature, "geometry");
    if (coll->geom_column) {
        if (!geom || json_is_null(geom)) {
            edit_fault(res->faults, "missing_geometry", "geometry", "缺少几何对象",
                       "the feature needs a geometry", NULL);
        } else {
            size_t before = json_array_size(res->faults);
            edit_check_geometry(coll, geom, x->crs, res->faults);
            if (json_array_size(res->faults) == before)
                prepare_geometry(x, geom, !strcmp(coll->geom_type, "MultiPolygon"), res->faults,
                                 ewkb);
        }
    }

    /* Scope of the place the feature is going to. */
    const char *jcol = coll->jurisdiction_column;
    const char *claimed = json_string_value(json_object_get(store, jcol));
    if (claimed && !server_sets(coll, jcol) && !in_scope(x, claimed)) {
        refuse_scope(c, x, res, claimed, "the target jurisdiction");
        return false;
    }
    if (*ewkb && geometry_out_of_scope(c, x, *ewkb, res, "the new geometry"))
        return false;

    if (*ewkb && server_sets(coll, "village_code") && strcmp(coll->id, "grids") != 0) {
        core_err err = {0};
        const char *params[] = {*ewkb};
        PGresult *r = run(c, "village_at", 1, params, &err);
        if (r && PQntuples(r)) {
            json_object_set_new(store, "village_code", json_string(PQgetvalue(r, 0, 0)));
            json_object_set_new(res->computed, "village_code", json_string(PQgetvalue(r, 0, 0)));
        } else {
            json_object_set_new(store, "village_code", json_null());
            json_object_set_new(res->computed, "village_code", json_null());
            edit_fault(res->warnings, "no_village", "geometry",
                       "该位置不在任何已有边界的村(社区)内",
                       "the location is in no village/community with a known boundary", NULL);
            /* Without a village we cannot tell the place is the caller's: only a
             * province-wide token may write there. */
            if (strlen(x->scope) > 2) {
                PQclear(r);
                refuse_scope(c, x, res, NULL, "the location");
                return false;
            }
        }
        const char *v = json_string_value(json_object_get(store, "village_code"));
        if (v && !in_scope(x, v)) {
            PQclear(r);
            refuse_scope(c, x, res, v, "the location");
            return false;
        }
        PQclear(r);
    }

    if (!strcmp(coll->id, "grids") && *ewkb) {
        const char *village = json_string_value(json_object_get(store, "village_code"));
        const char *kind = json_string_value(json_object_get(store, "kind"));
        char exclude[48];
        snprintf(exclude, sizeof exclude, "{%s}", self_id ? self_id : "");
        if (village)
            grid_rules(c, x, *ewkb, village, kind, exclude, "", res, res->computed);
    }
    return true;
}

/* Inside the transaction: the grid's code (kept, or the village's next serial). */
static bool grid_code(PGconn *c, const char *village, const char *keep, json_t *store,
                      edit_result *res, core_err *err)
{
    if (keep && !strncmp(keep, village, 12)) {
        json_object_set_new(store, "code", json_string(keep));
        return true;
    }
    const char *params[] = {village};
    if (db_run(c, "SELECT pg_advisory_xact_lock(hashtext('pingan.grid_code:' || $1))", 1, params,
               err))
        return false;
    PGresult *r = run(c, "grid_next_code", 1, params, err);
    if (!r)
        return false;
    int serial = (int)pq_long(r, 0, 1);
    if (serial > 999) {
        PQclear(r);
        edit_fault(res->faults, "serial_exhausted", "properties.village_code",
                   "该村(社区)的网格编号已用尽（001–999）",
                   "the village has used every grid serial (001-999)", NULL);
        return false;
    }
    json_object_set_new(store, "code", json_string(PQgetvalue(r, 0, 0)));
    json_object_set_new(res->computed, "code", json_string(PQgetvalue(r, 0, 0)));
    PQclear(r);
    return true;
}

core_code edit_feature(PGconn *c, const edit_ctx *x, edit_op op, const char *fid,
                       const char *if_match, json_t *body, edit_result *res)
{
    result_init(res);
    const srv_coll *coll = x->coll;
    core_err err = {0};
    json_t *current = NULL;
    long cur_version = 0;
    char place[32] = "";

    if (op != EDIT_CREATE) {
        current = load_feature(c, coll, fid, &cur_version, place, sizeof place, &err);
        if (!current)
            return err.code == CORE_ENOTFOUND
                       ? answer(res, 404, "not_found", "no feature %s in %s", fid, coll->id)
                       : db_refusal(res, &err);
        if (!if_match) {
            json_decref(current);
            return answer(res, 428, "precondition_required",
                          "send If-Match with the feature's ETag (GET it first)");
        }
        long want = edit_if_match_version(if_match, fid);
        if (want < 0 || (want > 0 && want != cur_version)) {
            char etag[64];
            edit_etag(etag, sizeof etag, fid, cur_version);
            res->extra = json_pack("{s:s}", "current_etag", etag);
            json_decref(current);
            return answer(res, 412, "precondition_failed",
                          "the feature has changed since that ETag; GET it again");
        }
        if (!in_scope(x, place)) {
            json_decref(current);
            return refuse_scope(c, x, res, place, "the feature");
        }
    }

    if (op == EDIT_DELETE) {
        json_decref(current);
        char ver[24];
        snprintf(ver, sizeof ver, "%ld", cur_version);
        const char *params[] = {fid, ver};
        core_buf sql = {0};
        core_buf_printf(&sql, "DELETE FROM %s WHERE %s = $1::bigint AND %s = $2::int RETURNING 1",
                        coll->table, coll->id_column, coll->version_column);
        PGresult *r = NULL;
        if (!begin(c, x, &err))
            r = db_exec(c, PGRES_TUPLES_OK, sql.data, 2, params, &err);
        core_buf_free(&sql);
        if (!r) {
            rollback(c);
            return db_refusal(res, &err);
        }
        bool gone = PQntuples(r) == 1;
        PQclear(r);
        if (!gone) {
            rollback(c);
            return answer(res, 412, "precondition_failed", "the feature changed meanwhile");
        }
        if (finish(c, x, &err))
            return db_refusal(res, &err);
        snprintf(res->id, sizeof res->id, "%s", fid);
        res->status = x->dry_run ? 200 : 204;
        return CORE_OK;
    }

    if (!json_is_object(body)) {
        json_decref(current);
        return answer(res, 400, "body_not_object", "the body must be a JSON object");
    }
    json_t *feature;
    if (op == EDIT_PATCH) {
        feature = edit_merge_patch(current, body);
    } else {
        const char *type = json_string_value(json_object_get(body, "type"));
        if (!type || strcmp(type, "Feature") != 0) {
            json_decref(current);
            return answer(res, 400, "not_a_feature",
                          "the body must be a GeoJSON Feature (\"type\": \"Feature\")");
        }
        feature = json_incref(body);
    }

    json_t *store = json_object();
    char *ewkb = NULL;
    bool go = prepare_feature(c, x, feature, true, op != EDIT_PATCH, fid, store, &ewkb, res);
    const char *keep_code =
        current ? json_string_value(json_object_get(json_object_get(current, "properties"), "code"))
                : NULL;
    char keep[32] = "";
    if (keep_code)
        snprintf(keep, sizeof keep, "%s", keep_code);
    json_decref(current);
    json_decref(feature);
    if (!go || json_array_size(res->faults)) {
        json_decref(store);
        free(ewkb);
        return go ? validation_failed(res) : CORE_OK;
    }
    json_object_update(store, res->computed);

    bool insert = op == EDIT_CREATE;
    PGresult *r = NULL;
    if (begin(c, x, &err))
        goto db_failed;
    if (!strcmp(coll->id, "grids")) {
        const char *village = json_string_value(json_object_get(store, "village_code"));
        if (!grid_code(c, village, *keep ? keep : NULL, store, res, &err)) {
            if (err.code)
                goto db_failed;
            rollback(c);
            json_decref(store);
            free(ewkb);
            return validation_failed(res);
        }
    }
    r = write_row(c, coll, insert, store, ewkb, fid, cur_version, &err);
    if (!r)
        goto db_failed;
    if (PQntuples(r) != 1) {
        PQclear(r);
        rollback(c);
        json_decref(store);
        free(ewkb);
        return answer(res, 412, "precondition_failed",
                      "another write changed the feature first; GET it again");
    }
    snprintf(res->id, sizeof res->id, "%s", PQgetvalue(r, 0, 0));
    res->version = pq_long(r, 0, 1);
    PQclear(r);
    json_t *written = load_feature(c, coll, res->id, NULL, NULL, 0, &err);
    if (!written)
        goto db_failed;
    json_array_append_new(res->features, written);
    json_object_set_new(res->computed, "version", json_integer(res->version));
    if (finish(c, x, &err))
        goto db_failed;
    if (insert)
        snprintf(res->created_id, sizeof res->created_id, "%s", res->id);
    res->status = insert && !x->dry_run ? 201 : 200;
    json_decref(store);
    free(ewkb);
    return CORE_OK;

db_failed:
    rollback(c);
    json_decref(store);
    free(ewkb);
    return db_refusal(res, &err);
}

/* ---- grid operations ---- */

/* A grid's row fields needed by split and merge. */
static bool grid_row(PGconn *c, const char *id, char *village, char *kind, char *code, char *name,
                     char **ewkb, long *version, core_err *err)
{
    const char *params[] = {id};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK,
                          "SELECT village_code, kind, code, name, geom::text, version FROM grids "
                          "WHERE id = $1::bigint",
                          1, params, err);
    if (!r)
        return false;
    if (!PQntuples(r)) {
        PQclear(r);
        core_fail(err, CORE_ENOTFOUND, "no grid %s", id);
        return false;
    }
    snprintf(village, 16, "%s", PQgetvalue(r, 0, 0));
    snprintf(kind, 16, "%s", PQgetvalue(r, 0, 1));
    snprintf(code, 20, "%s", PQgetvalue(r, 0, 2));
    snprintf(name, 400, "%s", PQgetvalue(r, 0, 3));
    *ewkb = strdup(PQgetvalue(r, 0, 4));
    *version = pq_long(r, 0, 5);
    PQclear(r);
    return true;
}

/* Updates a grid's geometry and tallies with the version check; false when the check fails. */
static bool grid_reshape(PGconn *c, const char *id, long version, const char *ewkb,
                         json_t *computed, const char *name, core_err *err, bool *stale)
{
    char ver[24], hh[24], res_[24];
    snprintf(ver, sizeof ver, "%ld", version);
    snprintf(hh, sizeof hh, "%lld", json_integer_value(json_object_get(computed, "households")));
    snprintf(res_, sizeof res_, "%lld", json_integer_value(json_object_get(computed, "residents")));
    const char *params[] = {id, ver, ewkb, hh, res_, name};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK,
                          "UPDATE grids SET geom = $3::geometry, households = $4::int, "
                          "residents = $5::int, name = coalesce($6, name) "
                          "WHERE id = $1::bigint AND version = $2::int RETURNING id",
                          6, params, err);
    if (!r)
        return false;
    *stale = PQntuples(r) != 1;
    PQclear(r);
    return !*stale;
}

core_code edit_grid_split(PGconn *c, const edit_ctx *x, const char *fid, const char *if_match,
                          json_t *body, edit_result *res)
{
    result_init(res);
    core_err err = {0};
    char village[16], kind[16], code[20], name[400];
    char *grid_ewkb = NULL;
    long version;
    if (!grid_row(c, fid, village, kind, code, name, &grid_ewkb, &version, &err))
        return err.code == CORE_ENOTFOUND ? answer(res, 404, "not_found", "no grid %s", fid)
                                          : db_refusal(res, &err);
    if (if_match) {
        long want = edit_if_match_version(if_match, fid);
        if (want < 0 || (want > 0 && want != version)) {
            free(grid_ewkb);
            return answer(res, 412, "precondition_failed", "the grid has changed since that ETag");
        }
    }
    if (!in_scope(x, village)) {
        free(grid_ewkb);
        return refuse_scope(c, x, res, village, "the grid");
    }
    if (!json_is_object(body)) {
        free(grid_ewkb);
        return answer(res, 400, "body_not_object", "the body must be a JSON object");
    }
    json_t *line = json_object_get(body, "geometry") ? json_object_get(body, "geometry") : body;
    const char *new_name = json_string_value(json_object_get(body, "name"));
    if (!new_name)
        new_name = json_string_value(json_object_get(json_object_get(body, "properties"), "name"));
    const char *ltype = json_string_value(json_object_get(line, "type"));
    if (!ltype || strcmp(ltype, "LineString") != 0) {
        edit_fault(res->faults, "wrong_geometry_type", "geometry.type", "分割线应为 LineString",
                   "the split line must be a LineString",
                   json_pack("{s:s, s:s?}", "expected", "LineString", "got", ltype));
        free(grid_ewkb);
        return validation_failed(res);
    }
    /* The line checked as a key place would be (any simple geometry). */
    edit_ctx lx = *x;
    lx.coll = srv_coll_find("key_places");
    edit_check_geometry(lx.coll, line, x->crs, res->faults);
    char *line_ewkb = NULL;
    if (!json_array_size(res->faults))
        prepare_geometry(x, line, false, res->faults, &line_ewkb);
    if (json_array_size(res->faults)) {
        free(grid_ewkb);
        free(line_ewkb);
        return validation_failed(res);
    }
    const char *sp[] = {grid_ewkb, line_ewkb};
    PGresult *r = run(c, "grid_split", 2, sp, &err);
    free(line_ewkb);
    if (!r) {
        free(grid_ewkb);
        return db_refusal(res, &err);
    }
    if (PQntuples(r) != 2) {
        edit_fault(res->faults, "split_not_two", "geometry", "分割线应将网格恰好分为两部分",
                   "the line must cut the grid into exactly two parts",
                   json_pack("{s:i}", "parts", PQntuples(r)));
        PQclear(r);
        free(grid_ewkb);
        return validation_failed(res);
    }
    char *part[2] = {strdup(PQgetvalue(r, 0, 0)), strdup(PQgetvalue(r, 1, 0))};
    PQclear(r);
    free(grid_ewkb);

    json_t *comp[2] = {json_object(), json_object()};
    char exclude[48];
    snprintf(exclude, sizeof exclude, "{%s}", fid);
    grid_rules(c, x, part[0], village, kind, exclude, "", res, comp[0]);
    grid_rules(c, x, part[1], village, kind, exclude, "", res, comp[1]);
    json_object_set_new(res->computed, "kept", comp[0]);
    json_object_set_new(res->computed, "new", comp[1]);
    if (json_array_size(res->faults)) {
        free(part[0]);
        free(part[1]);
        return validation_failed(res);
    }

    char fallback[420];
    snprintf(fallback, sizeof fallback, "%s（分）", name);
    bool stale = false;
    json_t *store = NULL;
    if (begin(c, x, &err) || !grid_reshape(c, fid, version, part[0], comp[0], NULL, &err, &stale))
        goto fail;
    /* The new grid copies the original's kind and unit type and gets the next code. */
    store = json_object();
    if (!grid_code(c, village, NULL, store, res, &err))
        goto fail;
    json_object_set_new(res->computed, "new_code", json_incref(json_object_get(store, "code")));
    const char *params[] = {fid, json_string_value(json_object_get(store, "code")),
                            new_name ? new_name : fallback, part[1],
                            json_string_value(json_object_get(comp[1], "households"))};
    char hh[24], rs[24];
    snprintf(hh, sizeof hh, "%lld", json_integer_value(json_object_get(comp[1], "households")));
    snprintf(rs, sizeof rs, "%lld", json_integer_value(json_object_get(comp[1], "residents")));
    const char *ip[] = {params[0], params[1], params[2], params[3], hh, rs};
    r = db_exec(c, PGRES_TUPLES_OK,
                "INSERT INTO grids (code, name, kind, village_code, unit_type, households, "
                "residents, geom) SELECT $2, $3, kind, village_code, unit_type, $5::int, "
                "$6::int, $4::geometry FROM grids WHERE id = $1::bigint RETURNING id::text",
                6, ip, &err);
    if (!r)
        goto fail;
    snprintf(res->created_id, sizeof res->created_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    snprintf(res->id, sizeof res->id, "%s", fid);
    for (int i = 0; i < 2; i++) {
        json_t *f = load_feature(c, x->coll, i ? res->created_id : fid, i ? NULL : &res->version,
                                 NULL, 0, &err);
        if (!f)
            goto fail;
        json_array_append_new(res->features, f);
    }
    if (finish(c, x, &err))
        goto fail;
    json_decref(store);
    free(part[0]);
    free(part[1]);
    res->status = x->dry_run ? 200 : 201;
    return CORE_OK;
fail:
    rollback(c);
    json_decref(store);
    free(part[0]);
    free(part[1]);
    if (stale)
        return answer(res, 412, "precondition_failed", "the grid changed meanwhile");
    if (json_array_size(res->faults))
        return validation_failed(res);
    return db_refusal(res, &err);
}

core_code edit_grid_merge(PGconn *c, const edit_ctx *x, json_t *body, edit_result *res)
{
    result_init(res);
    core_err err = {0};
    if (!json_is_object(body))
        return answer(res, 400, "body_not_object", "the body must be a JSON object");
    json_t *ids = json_object_get(body, "ids");
    const char *new_name = json_string_value(json_object_get(body, "name"));
    if (!json_is_array(ids) || json_array_size(ids) < 2 || json_array_size(ids) > 50) {
        edit_fault(res->faults, "wrong_type", "ids", "ids 应为2至50个网格编号组成的数组",
                   "ids must be an array of 2 to 50 grid ids", NULL);
        return validation_failed(res);
    }
    core_buf list = {0};
    char first[32] = "";
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        char id[32];
        if (json_is_integer(v))
            snprintf(id, sizeof id, "%lld", json_integer_value(v));
        else if (json_is_string(v) && strlen(json_string_value(v)) < 20 &&
                 strspn(json_string_value(v), "0123456789") == strlen(json_string_value(v)) &&
                 *json_string_value(v))
            snprintf(id, sizeof id, "%s", json_string_value(v));
        else {
            edit_fault(res->faults, "wrong_type", "ids", "网格编号应为整数",
                       "grid ids must be integers", NULL);
            core_buf_free(&list);
            return validation_failed(res);
        }
        if (!i)
            snprintf(first, sizeof first, "%s", id);
        core_buf_printf(&list, "%s%s", list.len ? "," : "{", id);
    }
    core_buf_puts(&list, "}");

    /* Every grid must exist, be in scope and match its If-Match-free current version. */
    char village[16], kind[16], code[20], name[400];
    char *ewkb = NULL;
    long versions[50] = {0};
    json_array_foreach(ids, i, v)
    {
        char id[32];
        if (json_is_integer(v))
            snprintf(id, sizeof id, "%lld", json_integer_value(v));
        else
            snprintf(id, sizeof id, "%s", json_string_value(v));
        free(ewkb);
        ewkb = NULL;
        if (!grid_row(c, id, village, kind, code, name, &ewkb, &versions[i], &err)) {
            core_buf_free(&list);
            return err.code == CORE_ENOTFOUND ? answer(res, 404, "not_found", "no grid %s", id)
                                              : db_refusal(res, &err);
        }
        if (!in_scope(x, village)) {
            free(ewkb);
            core_buf_free(&list);
            return refuse_scope(c, x, res, village, "the grid");
        }
    }
    free(ewkb);
    ewkb = NULL;
    const char *up[] = {list.data};
    PGresult *r = run(c, "grid_union", 1, up, &err);
    if (!r) {
        core_buf_free(&list);
        return db_refusal(res, &err);
    }
    if ((int)pq_long(r, 0, 2) != (int)json_array_size(ids))
        edit_fault(res->faults, "duplicate_ids", "ids", "ids 中有重复的网格",
                   "ids lists a grid twice", NULL);
    if ((int)pq_long(r, 0, 3) != 1)
        edit_fault(res->faults, "different_villages", "ids", "只能合并同一村(社区)的网格",
                   "only grids of one village/community can be merged", NULL);
    if ((int)pq_long(r, 0, 4) != 1)
        edit_fault(res->faults, "kinds_incompatible", "ids",
                   "网格类型（及专属单位类型）不同，不能合并",
                   "the grids differ in kind (or dedicated unit type) and cannot be merged", NULL);
    if ((int)pq_long(r, 0, 1) != 1)
        edit_fault(res->faults, "not_adjacent", "ids", "网格互不相邻，合并后不连续",
                   "the grids are not adjacent: their union is in several pieces",
                   json_pack("{s:i}", "pieces", (int)pq_long(r, 0, 1)));
    ewkb = strdup(PQgetvalue(r, 0, 0));
    snprintf(village, sizeof village, "%s", PQgetvalue(r, 0, 5));
    PQclear(r);
    if (json_array_size(res->faults)) {
        free(ewkb);
        core_buf_free(&list);
        return validation_failed(res);
    }
    /* The kind of the merged grids, from the first. */
    char k2[16], c2[20], n2[400], *e2 = NULL;
    long v2;
    grid_row(c, first, village, k2, c2, n2, &e2, &v2, &err);
    free(e2);
    grid_rules(c, x, ewkb, village, k2, list.data, "", res, res->computed);
    if (json_array_size(res->faults)) {
        free(ewkb);
        core_buf_free(&list);
        return validation_failed(res);
    }
    bool stale = false;
    if (begin(c, x, &err) ||
        !grid_reshape(c, first, versions[0], ewkb, res->computed, new_name, &err, &stale))
        goto fail;
    json_array_foreach(ids, i, v)
    {
        if (!i)
            continue;
        char id[32], ver[24];
        if (json_is_integer(v))
            snprintf(id, sizeof id, "%lld", json_integer_value(v));
        else
            snprintf(id, sizeof id, "%s", json_string_value(v));
        snprintf(ver, sizeof ver, "%ld", versions[i]);
        const char *dp[] = {id, ver};
        r = db_exec(c, PGRES_TUPLES_OK,
                    "DELETE FROM grids WHERE id = $1::bigint AND version = $2::int RETURNING 1", 2,
                    dp, &err);
        if (!r)
            goto fail;
        stale = PQntuples(r) != 1;
        PQclear(r);
        if (stale)
            goto fail;
    }
    snprintf(res->id, sizeof res->id, "%s", first);
    json_t *f = load_feature(c, x->coll, first, &res->version, NULL, 0, &err);
    if (!f)
        goto fail;
    json_array_append_new(res->features, f);
    if (finish(c, x, &err))
        goto fail;
    free(ewkb);
    core_buf_free(&list);
    res->status = 200;
    return CORE_OK;
fail:
    rollback(c);
    free(ewkb);
    core_buf_free(&list);
    if (stale)
        return answer(res, 412, "precondition_failed", "a grid changed meanwhile");
    return db_refusal(res, &err);
}

/* ---- history and restore ---- */

/* A history row (to_jsonb of the table row) as a GeoJSON Feature in CRS84. */
static json_t *row_feature(const srv_coll *coll, const char *text, bool show_personal)
{
    if (!text)
        return json_null();
    json_t *row = json_loads(text, 0, NULL);
    if (!row)
        return json_null();
    json_t *props = json_object();
    for (int i = 0; i < coll->nprops; i++) {
        const srv_coll_prop *p = &coll->props[i];
        if ((p->flags & SRV_PF_PERSONAL) && !show_personal)
            continue;
        json_t *v = json_object_get(row, p->name);
        json_object_set(props, p->name, v ? v : json_null());
    }
    json_t *geom = coll->geom_column ? json_object_get(row, coll->geom_column) : NULL;
    json_t *g = json_is_object(geom) ? json_deep_copy(geom) : json_null();
    if (json_is_object(g))
        json_object_del(g, "crs"); /* EPSG:4490 lon/lat: numerically CRS84 */
    json_t *f =
        json_pack("{s:s, s:O, s:o, s:o}", "type", "Feature", "id",
                  json_object_get(row, coll->id_column), "geometry", g, "properties", props);
    json_decref(row);
    return f;
}

json_t *edit_history(PGconn *c, const srv_coll *coll, const char *fid, bool show_personal,
                     core_err *err)
{
    const char *params[] = {coll->table, fid};
    PGresult *r = run(c, "edit_history", 2, params, err);
    if (!r)
        return NULL;
    if (!PQntuples(r)) {
        PQclear(r);
        /* A feature loaded without history (plain COPY) still exists: an empty history. */
        json_t *f = load_feature(c, coll, fid, NULL, NULL, 0, err);
        if (!f)
            return NULL;
        json_decref(f);
        return json_array();
    }
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *e = json_pack(
            "{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
            (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "operation", PQgetvalue(r, i, 1),
            "actor", PQgetvalue(r, i, 2), "at", PQgetvalue(r, i, 3), "version",
            PQgetisnull(r, i, 4) ? json_null() : json_integer(pq_long(r, i, 4)), "before",
            row_feature(coll, PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5), show_personal),
            "after",
            row_feature(coll, PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6), show_personal));
        json_array_append_new(list, e);
    }
    PQclear(r);
    return list;
}

core_code edit_restore(PGconn *c, const edit_ctx *x, const char *fid, const char *if_match,
                       long version, edit_result *res)
{
    char ver[24];
    snprintf(ver, sizeof ver, "%ld", version);
    const char *params[] = {x->coll->table, fid, ver};
    core_err err = {0};
    PGresult *r = run(c, "edit_history_version", 3, params, &err);
    if (!r) {
        result_init(res);
        return db_refusal(res, &err);
    }
    if (!PQntuples(r)) {
        PQclear(r);
        result_init(res);
        return answer(res, 404, "version_not_found", "feature %s has no recorded version %ld", fid,
                      version);
    }
    json_t *feature = row_feature(x->coll, PQgetvalue(r, 0, 0), true);
    PQclear(r);
    /* Server-computed values of the old version are recomputed, not restored. */
    edit_ctx rx = *x;
    rx.crs = &storage_lonlat;
    core_code rc = edit_feature(c, &rx, EDIT_REPLACE, fid, if_match, feature, res);
    json_decref(feature);
    json_object_set_new(res->computed, "restored_version", json_integer(version));
    return rc;
}
