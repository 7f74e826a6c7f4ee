/* Feature reads shared by the OGC API handlers: GeoJSON built inside PostgreSQL from the
 * registry's columns, bound arguments, and the checking of every /items parameter (bbox, crs,
 * datetime, sortby, limit, offset, property filters) into SQL conditions. */
#include "feature_query.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQL files are read once and kept: they are part of the program, and reading them on every
 * request would cost a file open per query. */
#define SQL_CACHE_SLOTS 128
static struct {
    char name[48];
    char *text;
} sql_cache[SQL_CACHE_SLOTS];
static pthread_mutex_t sql_cache_lock = PTHREAD_MUTEX_INITIALIZER;

const char *srv_sql(const char *name, core_err *err)
{
    const char *found = NULL;
    pthread_mutex_lock(&sql_cache_lock);
    int i = 0;
    for (; i < SQL_CACHE_SLOTS && sql_cache[i].text; i++)
        if (strcmp(sql_cache[i].name, name) == 0) {
            found = sql_cache[i].text;
            break;
        }
    if (!found && i < SQL_CACHE_SLOTS && strlen(name) < sizeof sql_cache[i].name) {
        char *text = db_sql(name, err);
        if (text) {
            /* the file ends a statement; wrapped as a subquery it must not carry a ';' */
            size_t n = strlen(text);
            while (n && (isspace((unsigned char)text[n - 1]) || text[n - 1] == ';'))
                text[--n] = '\0';
            snprintf(sql_cache[i].name, sizeof sql_cache[i].name, "%s", name);
            sql_cache[i].text = text;
            found = text;
        }
    } else if (!found) {
        core_fail(err, CORE_ELIMIT, "SQL cache full or name too long: %s", name);
    }
    pthread_mutex_unlock(&sql_cache_lock);
    return found;
}

PGresult *srv_exec_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                            const char *const *params, core_err *err)
{
    PGresult *r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "26000") == 0) { /* not prepared on this connection yet */
        PQclear(r);
        PGresult *p = PQprepare(c, name, sql, nparams, NULL);
        bool ok = p && PQresultStatus(p) == PGRES_COMMAND_OK;
        if (!ok) {
            db_fail(c, p, err);
            PQclear(p);
            return NULL;
        }
        PQclear(p);
        r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
    }
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        db_fail(c, r, err);
        PQclear(r);
        return NULL;
    }
    return r;
}

int srv_sqlargs_add(srv_sqlargs *a, const char *value)
{
    if (a->n >= SRV_SQL_MAX_ARGS)
        return 0;
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return 0;
    a->v[a->n++] = copy;
    return a->n;
}

void srv_sqlargs_free(srv_sqlargs *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

const char *srv_personal_scope(const srv_req *r)
{
    if (strcmp(r->role, "admin") != 0 && strcmp(r->role, "planner") != 0)
        return NULL;
    return r->scope;
}

const char *srv_coll_version_sql(const srv_coll *c)
{
    if (c->version_column)
        return "f.version::text";
    /* Jurisdictions carry no version: the change time (microseconds) stands in for it. */
    return "(extract(epoch FROM f.updated_at) * 1000000)::bigint::text";
}

bool srv_feature_select(core_buf *sql, const srv_coll *c, const srv_crs *crs,
                        const char *personal_scope, const char *inner, srv_sqlargs *a,
                        core_err *err)
{
    if (!crs)
        crs = srv_crs_at(0);
    char name[64];
    snprintf(name, sizeof name, "features_%s", c->id);
    const char *source = srv_sql(name, err);
    if (!source)
        return false;

    bool ok = core_buf_printf(sql,
                              "SELECT f.%s::text AS fid, %s AS ver, concat('{\"type\":\"Feature\","
                              "\"id\":', to_json(f.%s)::text, ',\"geometry\":', ",
                              c->id_column, srv_coll_version_sql(c), c->id_column);
    if (c->geom_column) {
        /* CGCS2000 and WGS 84 differ by centimetres here: no datum shift for 4326/CRS84. */
        char geom[200];
        if (crs->srid == 4326 || crs->srid == 4490) {
            snprintf(geom, sizeof geom, "f.%s", c->geom_column);
        } else {
            char srid[16];
            snprintf(srid, sizeof srid, "%d", crs->srid);
            snprintf(geom, sizeof geom, "ST_Transform(f.%s, $%d::int)", c->geom_column,
                     srv_sqlargs_add(a, srid));
        }
        char dec[8];
        snprintf(dec, sizeof dec, "%d", crs->decimals);
        int pdec = srv_sqlargs_add(a, dec);
        ok = ok && core_buf_printf(sql, "coalesce(ST_AsGeoJSON(%s%s%s, $%d::int, 0), 'null')",
                                   crs->lat_first ? "ST_FlipCoordinates(" : "", geom,
                                   crs->lat_first ? ")" : "", pdec);
    } else {
        ok = ok && core_buf_puts(sql, "'null'");
    }
    ok = ok && core_buf_puts(sql, ", ',\"properties\":', json_build_object(");
    int pscope = 0;
    for (int i = 0; i < c->nprops; i++) {
        const srv_coll_prop *p = &c->props[i];
        ok = ok && core_buf_printf(sql, "%s'%s', ", i ? ", " : "", p->name);
        if (p->flags & SRV_PF_PERSONAL) {
            if (!pscope)
                pscope = srv_sqlargs_add(a, personal_scope);
            ok = ok && core_buf_printf(sql, "CASE WHEN starts_with(f.%s, $%d::text) THEN f.%s END",
                                       c->jurisdiction_column, pscope, p->name);
        } else {
            ok = ok && core_buf_printf(sql, "f.%s", p->name);
        }
    }
    if (inner) /* the page is cut before any GeoJSON is built: skipped rows cost no JSON */
        ok = ok && core_buf_printf(sql, ")::text, '}') AS feature FROM (SELECT * FROM (%s) f %s) f",
                                   source, inner);
    else
        ok = ok && core_buf_printf(sql, ")::text, '}') AS feature FROM (%s) f", source);
    if (!ok || a->n >= SRV_SQL_MAX_ARGS) {
        core_fail(err, CORE_ENOMEM, "out of memory building the feature query");
        return false;
    }
    return true;
}

/* ---- parameter checking ---- */

bool srv_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || *end || !isfinite(v) || isspace((unsigned char)*s))
        return false;
    *out = v;
    return true;
}

static bool parse_long(const char *s, long *out)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    for (const char *p = s + (*s == '-'); *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    if (!isdigit((unsigned char)s[*s == '-']))
        return false;
    *out = strtol(s, NULL, 10);
    return true;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* An RFC 3339 date (YYYY-MM-DD) or date-time; *date_only says which. A '+' of the offset that
 * arrived unencoded has become a space: it is put back. */
static bool parse_rfc3339(char *s, bool *date_only)
{
    size_t n = strlen(s);
    if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int mo = num(s + 5, 2), d = num(s + 8, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    if (n == 10) {
        *date_only = true;
        return true;
    }
    *date_only = false;
    if ((s[10] != 'T' && s[10] != 't') || n < 20 || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
        return false;
    char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    if (*p == ' ')
        *p = '+';
    return (*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' &&
           digits(p + 4, 2) && num(p + 1, 2) < 24 && num(p + 4, 2) < 60;
}

static int bad(srv_req *r, const char *code, const char *param, const char *detail)
{
    json_t *extra = json_pack("{s:s}", "parameter", param);
    return srv_problem(r, 400, code, detail, extra);
}

static const char *const items_known[] = {"f",   "limit",    "offset", "bbox",         "bbox-crs",
                                          "crs", "datetime", "sortby", "jurisdiction", "after",
                                          NULL};

void srv_query_without(const srv_req *r, const char *const *drop, core_buf *out)
{
    const char *q = r->query ? r->query : "";
    while (*q) {
        size_t len = strcspn(q, "&");
        size_t klen = strcspn(q, "=&");
        char key[64] = "";
        if (klen < sizeof key) {
            char raw[64];
            memcpy(raw, q, klen);
            raw[klen] = '\0';
            mg_url_decode(raw, (int)klen, key, sizeof key, 1);
        }
        bool skip = len == 0;
        for (const char *const *d = drop; !skip && *d; d++)
            skip = strcmp(key, *d) == 0;
        if (!skip) {
            if (out->len)
                core_buf_puts(out, "&");
            core_buf_append(out, q, len);
        }
        q += len;
        if (*q == '&')
            q++;
    }
}

int srv_check_params(srv_req *r, const char *const *known, const srv_coll *c)
{
    const char *q = r->query ? r->query : "";
    while (*q) {
        size_t len = strcspn(q, "&");
        size_t klen = strcspn(q, "=&");
        if (len) {
            char raw[128], key[128];
            bool ok = false;
            if (klen < sizeof raw) {
                memcpy(raw, q, klen);
                raw[klen] = '\0';
                mg_url_decode(raw, (int)klen, key, sizeof key, 1);
                for (const char *const *k = known; !ok && *k; k++)
                    ok = strcmp(key, *k) == 0;
                const srv_coll_prop *p = c ? srv_coll_prop_find(c, key) : NULL;
                ok = ok || (p && (p->flags & SRV_PF_FILTER));
            } else {
                snprintf(key, sizeof key, "%.60s…", q);
            }
            if (!ok) {
                char detail[300];
                snprintf(detail, sizeof detail, "unknown query parameter '%s'", key);
                return bad(r, "unknown_parameter", key, detail);
            }
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return 0;
}

/* The value of a query parameter, or NULL when absent. A value too long for the buffer is
 * cut to "\x01", which no check accepts, so it is refused rather than ignored. */
static const char *qval(const srv_req *r, const char *name, char *buf, size_t size)
{
    if (!r->query)
        return NULL;
    int n = mg_get_var(r->query, strlen(r->query), name, buf, size);
    if (n == -1)
        return NULL;
    if (n < 0)
        snprintf(buf, size, "\x01");
    return buf;
}

static int parse_crs(srv_req *r, const char *param, const srv_crs **out)
{
    char v[200];
    *out = srv_crs_at(0);
    if (!qval(r, param, v, sizeof v))
        return 0;
    if (!(*out = srv_crs_find(v))) {
        char detail[400];
        snprintf(detail, sizeof detail,
                 "%s '%s' is not supported; use one of the collection's crs list (CRS84, EPSG "
                 "4326, 4490, 3857, 4547, 4548)",
                 param, v);
        return bad(r, "invalid_crs", param, detail);
    }
    return 0;
}

static int parse_bbox(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a)
{
    char v[300];
    const srv_crs *bcrs;
    int st = parse_crs(r, "bbox-crs", &bcrs);
    if (st)
        return st;
    if (!qval(r, "bbox", v, sizeof v)) {
        if (qval(r, "bbox-crs", v, sizeof v))
            return bad(r, "invalid_bbox", "bbox-crs", "bbox-crs needs a bbox");
        return 0;
    }
    double n[6];
    int count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (count == 6 || !srv_parse_double(tok, &n[count]))
            return bad(r, "invalid_bbox", "bbox",
                       "bbox must be 4 (or 6) comma-separated numbers: minx,miny,maxx,maxy");
        count++;
    }
    if (count != 4 && count != 6)
        return bad(r, "invalid_bbox", "bbox",
                   "bbox must be 4 (or 6) comma-separated numbers: minx,miny,maxx,maxy");
    double b[4] = {n[0], n[1], n[count == 6 ? 3 : 2], n[count == 6 ? 4 : 3]};
    if (bcrs->lat_first) { /* the CRS's own axis order: latitude/northing first */
        double t = b[0];
        b[0] = b[1], b[1] = t;
        t = b[2], b[2] = b[3], b[3] = t;
    }
    if (b[0] > b[2] || b[1] > b[3])
        return bad(r, "invalid_bbox", "bbox", "bbox lower corner must not exceed the upper corner");
    if ((bcrs->srid == 4326 || bcrs->srid == 4490) &&
        (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90))
        return bad(r, "invalid_bbox", "bbox", "bbox is outside longitude/latitude range");
    if (!c->geom_column)
        return bad(r, "invalid_bbox", "bbox", "this collection has no geometry");
    char s[5][40];
    for (int i = 0; i < 4; i++)
        snprintf(s[i], sizeof s[i], "%.17g", b[i]);
    snprintf(s[4], sizeof s[4], "%d", bcrs->srid == 4326 ? 4490 : bcrs->srid);
    int i0 = srv_sqlargs_add(a, s[0]), i1 = srv_sqlargs_add(a, s[1]), i2 = srv_sqlargs_add(a, s[2]),
        i3 = srv_sqlargs_add(a, s[3]), i4 = srv_sqlargs_add(a, s[4]);
    core_buf_printf(&p->where,
                    " AND ST_Intersects(f.%s, ST_Transform(ST_MakeEnvelope($%d::float8, "
                    "$%d::float8, $%d::float8, $%d::float8, $%d::int), 4490))",
                    c->geom_column, i0, i1, i2, i3, i4);
    return 0;
}

static int parse_datetime(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a)
{
    char v[200];
    if (!qval(r, "datetime", v, sizeof v))
        return 0;
    const char *msg = "datetime must be an RFC 3339 date or date-time, or an interval a/b with "
                      "'..' or nothing for an open end";
    char *slash = strchr(v, '/');
    char *ends[2] = {v, NULL};
    if (slash) {
        *slash = '\0';
        ends[1] = slash + 1;
        if (strchr(ends[1], '/'))
            return bad(r, "invalid_datetime", "datetime", msg);
    }
    bool date_only[2] = {false, false};
    bool open[2] = {false, false};
    for (int i = 0; i < (slash ? 2 : 1); i++) {
        open[i] = slash && (!*ends[i] || strcmp(ends[i], "..") == 0);
        if (!open[i] && !parse_rfc3339(ends[i], &date_only[i]))
            return bad(r, "invalid_datetime", "datetime", msg);
    }
    if (slash && open[0] && open[1])
        return 0;
    const char *col = c->updated_column;
    if (!slash) {
        int i = srv_sqlargs_add(a, v);
        if (date_only[0])
            core_buf_printf(&p->where, " AND f.%s >= $%d::date AND f.%s < $%d::date + 1", col, i,
                            col, i);
        else
            core_buf_printf(&p->where, " AND f.%s = $%d::timestamptz", col, i);
        return 0;
    }
    if (!open[0] && !open[1] && date_only[0] == date_only[1] && strcmp(ends[0], ends[1]) > 0)
        return bad(r, "invalid_datetime", "datetime", "datetime interval ends before it starts");
    if (!open[0])
        core_buf_printf(&p->where, " AND f.%s >= $%d::%s", col, srv_sqlargs_add(a, ends[0]),
                        date_only[0] ? "date" : "timestamptz");
    if (!open[1]) {
        int i = srv_sqlargs_add(a, ends[1]);
        if (date_only[1])
            core_buf_printf(&p->where, " AND f.%s < $%d::date + 1", col, i);
        else
            core_buf_printf(&p->where, " AND f.%s <= $%d::timestamptz", col, i);
    }
    return 0;
}

static int parse_sortby(srv_req *r, const srv_coll *c, srv_items_params *p)
{
    char v[400];
    p->default_order = !qval(r, "sortby", v, sizeof v);
    if (!p->default_order) {
        char *save = NULL;
        for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            bool desc = false;
            /* '+' arrives as a space when the client did not encode it */
            if (*tok == '+' || *tok == ' ')
                tok++;
            else if (*tok == '-')
                desc = true, tok++;
            const srv_coll_prop *prop = srv_coll_prop_find(c, tok);
            bool is_id = strcmp(tok, c->id_column) == 0;
            if (!is_id && (!prop || !(prop->flags & SRV_PF_SORT))) {
                char detail[300];
                snprintf(detail, sizeof detail,
                         "cannot sort by '%.100s'; sortable: see the queryables and the API "
                         "document",
                         tok);
                return bad(r, "invalid_sortby", "sortby", detail);
            }
            core_buf_printf(&p->orderby, "%sf.%s %s", p->orderby.len ? ", " : "",
                            is_id ? c->id_column : prop->name,
                            desc ? "DESC NULLS LAST" : "ASC NULLS FIRST");
        }
        if (!p->orderby.len)
            return bad(r, "invalid_sortby", "sortby", "sortby is empty");
    }
    /* The id last, so that pages never overlap or skip when sort keys tie. */
    core_buf_printf(&p->orderby, "%sf.%s ASC", p->orderby.len ? ", " : "", c->id_column);
    return 0;
}

static int parse_filters(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a)
{
    char v[300];
    if (qval(r, "jurisdiction", v, sizeof v)) {
        size_t n = strlen(v);
        if (n < 2 || n > 12 || !digits(v, n))
            return bad(r, "invalid_parameter", "jurisdiction",
                       "jurisdiction must be a division code or its prefix (2 to 12 digits)");
        /* A full 12-digit code means its level's prefix (360502000000 → 360502). */
        if (n == 12) {
            static const int cut[] = {2, 4, 6, 9};
            for (int i = 0; i < 4; i++) {
                bool zeros = true;
                for (size_t k = (size_t)cut[i]; k < 12; k++)
                    zeros = zeros && v[k] == '0';
                if (zeros) {
                    v[cut[i]] = '\0';
                    break;
                }
            }
        }
        core_buf_printf(&p->where, " AND starts_with(f.%s, $%d::text)", c->jurisdiction_column,
                        srv_sqlargs_add(a, v));
    }
    for (int i = 0; i < c->nprops; i++) {
        const srv_coll_prop *prop = &c->props[i];
        if (!(prop->flags & SRV_PF_FILTER) || !qval(r, prop->name, v, sizeof v))
            continue;
        char detail[400];
        if (prop->enum_values) {
            /* a comma list means any of them */
            core_buf arr = {0};
            core_buf_puts(&arr, "{");
            char *save = NULL;
            int k = 0;
            for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (!srv_coll_prop_enum_ok(prop, tok)) {
                    core_buf_free(&arr);
                    core_buf allowed = {0};
                    for (const char *const *e = prop->enum_values; *e; e++)
                        core_buf_printf(&allowed, "%s%s", e == prop->enum_values ? "" : ", ", *e);
                    snprintf(detail, sizeof detail, "%s: '%.60s' is not one of %s", prop->name, tok,
                             allowed.data);
                    core_buf_free(&allowed);
                    return bad(r, "invalid_value", prop->name, detail);
                }
                core_buf_printf(&arr, "%s%s", k++ ? "," : "", tok);
            }
            core_buf_puts(&arr, "}");
            if (!k) {
                core_buf_free(&arr);
                return bad(r, "invalid_value", prop->name, "empty filter value");
            }
            core_buf_printf(&p->where, " AND f.%s = ANY($%d::text[])", prop->name,
                            srv_sqlargs_add(a, arr.data));
            core_buf_free(&arr);
            continue;
        }
        const char *cast = "text";
        bool ok = true;
        long l;
        double d;
        bool date_only;
        switch (prop->type) {
        case SRV_PT_INTEGER:
            ok = parse_long(v, &l), cast = "bigint";
            break;
        case SRV_PT_NUMBER:
            ok = srv_parse_double(v, &d), cast = "float8";
            break;
        case SRV_PT_BOOLEAN:
            ok = !strcmp(v, "true") || !strcmp(v, "false"), cast = "boolean";
            break;
        case SRV_PT_DATE:
            ok = parse_rfc3339(v, &date_only) && date_only, cast = "date";
            break;
        case SRV_PT_DATETIME:
            ok = parse_rfc3339(v, &date_only), cast = "timestamptz";
            break;
        default:
            ok = *v != '\0';
        }
        if (!ok) {
            snprintf(detail, sizeof detail, "%s: '%.60s' is not a valid %s", prop->name, v,
                     srv_prop_type_json(prop->type));
            return bad(r, "invalid_value", prop->name, detail);
        }
        core_buf_printf(&p->where, " AND f.%s = $%d::%s", prop->name, srv_sqlargs_add(a, v), cast);
    }
    return 0;
}

static int parse_after(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a)
{
    char v[64];
    if (!qval(r, "after", v, sizeof v))
        return 0;
    size_t n = strlen(v);
    if (!p->default_order)
        return bad(r, "invalid_parameter", "after",
                   "after pages the default order only; with sortby use offset");
    if (n == 0 || n > 18 || !digits(v, n))
        return bad(r, "invalid_parameter", "after", "after must be a feature id");
    memcpy(p->after, v, n + 1); /* n <= 18 checked above */
    core_buf_printf(&p->keyset, " AND f.%s > $%d::%s", c->id_column, srv_sqlargs_add(a, v),
                    c->id_is_text ? "text" : "bigint");
    return 0;
}

int srv_items_parse(srv_req *r, const srv_coll *c, srv_items_params *p, srv_sqlargs *a)
{
    memset(p, 0, sizeof *p);
    int st = srv_check_params(r, items_known, c);
    if (st)
        return st;
    char v[64];
    if (qval(r, "f", v, sizeof v) && strcmp(v, "json") != 0 && strcmp(v, "geojson") != 0 &&
        !srv_download_known(v))
        return bad(r, "invalid_format", "f",
                   "f must be json (GeoJSON), or csv, gpkg, shp or kml for a download");
    p->limit = SRV_ITEMS_LIMIT_DEFAULT;
    if (qval(r, "limit", v, sizeof v)) {
        if (!parse_long(v, &p->limit) || p->limit < 1)
            return bad(r, "invalid_limit", "limit", "limit must be a positive integer");
        if (p->limit > SRV_ITEMS_LIMIT_MAX)
            p->limit = SRV_ITEMS_LIMIT_MAX; /* clamped, as OGC API - Features asks */
    }
    if (qval(r, "offset", v, sizeof v) && (!parse_long(v, &p->offset) || p->offset < 0))
        return bad(r, "invalid_offset", "offset", "offset must be a non-negative integer");
    if ((st = parse_crs(r, "crs", &p->crs)) || (st = parse_bbox(r, c, p, a)) ||
        (st = parse_datetime(r, c, p, a)) || (st = parse_filters(r, c, p, a)) ||
        (st = parse_sortby(r, c, p)))
        return st;
    p->nwhere_args = a->n;
    if ((st = parse_after(r, c, p, a)))
        return st;
    if (a->n >= SRV_SQL_MAX_ARGS)
        return srv_problem(r, 400, "too_many_parameters", "too many filter values", NULL);
    return 0;
}

void srv_items_params_free(srv_items_params *p)
{
    core_buf_free(&p->keyset);
    core_buf_free(&p->where);
    core_buf_free(&p->orderby);
}

int srv_db_problem(srv_req *r, PGconn *c, const char *what)
{
    bool down = PQstatus(c) != CONNECTION_OK;
    core_buf msg = {0};
    core_buf_json_str(&msg, PQerrorMessage(c));
    core_log(CORE_LOG_ERROR, "db_error", "\"what\":\"%s\",\"error\":%s", what,
             msg.data ? msg.data : "\"\"");
    core_buf_free(&msg);
    if (down)
        return srv_problem(r, 503, "db_unavailable",
                           "the database is not reachable; try again shortly", NULL);
    return srv_problem(r, 500, "db_error", "the query failed; see the server log", NULL);
}
