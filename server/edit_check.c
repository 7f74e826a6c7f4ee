/* The checks a write goes through before the database is asked anything: properties against
 * the collection registry, the GeoJSON geometry's shape (closure, point counts, spikes), and
 * JSON merge-patch. Every fault is collected; nothing stops at the first. */
#include "edit_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void edit_fault(json_t *list, const char *code, const char *path, const char *zh, const char *en,
                json_t *extra)
{
    json_t *f = json_pack("{s:s, s:s, s:s}", "code", code, "message_zh", zh, "message_en", en);
    if (!f) {
        json_decref(extra);
        return;
    }
    json_object_set_new(f, "path", path ? json_string(path) : json_null());
    if (extra)
        json_object_update(f, extra);
    json_decref(extra);
    json_array_append_new(list, f);
}

/* ---- properties ---- */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool all_digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

static bool valid_date(const char *s)
{
    /* YYYY-MM-DD, digits where digits belong */
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
        strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2)
        return false;
    int y = (int)strtol(s, NULL, 10), m = (int)strtol(s + 5, NULL, 10),
        d = (int)strtol(s + 8, NULL, 10);
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* Properties holding 12-digit division codes. */
static bool is_division_code_prop(const char *name)
{
    return !strcmp(name, "village_code") || !strcmp(name, "jurisdiction_code") ||
           !strcmp(name, "parent_code");
}

/* Range rules of the schema's CHECK constraints, so they come back as faults with a path
 * instead of one database error at a time. */
static bool number_in_range(const char *name, double v, const char **range)
{
    if (!strcmp(name, "direction_deg")) {
        *range = "0 ≤ x < 360";
        return v >= 0 && v < 360;
    }
    if (!strcmp(name, "fov_deg")) {
        *range = "0 < x ≤ 360";
        return v > 0 && v <= 360;
    }
    if (!strcmp(name, "range_m")) {
        *range = "0 < x ≤ 5000";
        return v > 0 && v <= 5000;
    }
    if (!strcmp(name, "floors")) {
        *range = "x ≥ 1";
        return v >= 1;
    }
    *range = "x ≥ 0";
    return v >= 0;
}

static void check_value(const srv_coll_prop *p, json_t *v, const char *path, json_t *faults)
{
    char en[300], zh[300];
    switch (p->type) {
    case SRV_PT_STRING:
    case SRV_PT_DATE:
    case SRV_PT_DATETIME:
        if (!json_is_string(v)) {
            snprintf(en, sizeof en, "%s must be a string", p->name);
            snprintf(zh, sizeof zh, "%s 应为字符串", p->name);
            edit_fault(faults, "wrong_type", path, zh, en,
                       json_pack("{s:s}", "expected", "string"));
            return;
        }
        break;
    case SRV_PT_INTEGER:
        if (!json_is_integer(v)) {
            snprintf(en, sizeof en, "%s must be a whole number", p->name);
            snprintf(zh, sizeof zh, "%s 应为整数", p->name);
            edit_fault(faults, "wrong_type", path, zh, en,
                       json_pack("{s:s}", "expected", "integer"));
            return;
        }
        break;
    case SRV_PT_NUMBER:
        if (!json_is_number(v)) {
            snprintf(en, sizeof en, "%s must be a number", p->name);
            snprintf(zh, sizeof zh, "%s 应为数值", p->name);
            edit_fault(faults, "wrong_type", path, zh, en,
                       json_pack("{s:s}", "expected", "number"));
            return;
        }
        break;
    case SRV_PT_BOOLEAN:
        if (!json_is_boolean(v)) {
            snprintf(en, sizeof en, "%s must be true or false", p->name);
            snprintf(zh, sizeof zh, "%s 应为 true 或 false", p->name);
            edit_fault(faults, "wrong_type", path, zh, en,
                       json_pack("{s:s}", "expected", "boolean"));
        }
        return;
    }
    if (json_is_number(v)) {
        const char *range = "finite";
        double d = json_number_value(v);
        if (!isfinite(d) || !number_in_range(p->name, d, &range)) {
            snprintf(en, sizeof en, "%s is out of range (%s)", p->name, range);
            snprintf(zh, sizeof zh, "%s 超出取值范围（%s）", p->name, range);
            edit_fault(faults, "out_of_range", path, zh, en, json_pack("{s:s}", "range", range));
        }
        return;
    }
    const char *s = json_string_value(v);
    if (p->enum_values && !srv_coll_prop_enum_ok(p, s)) {
        json_t *allowed = json_array();
        for (const char *const *e = p->enum_values; *e; e++)
            json_array_append_new(allowed, json_string(*e));
        snprintf(en, sizeof en, "'%.80s' is not a known value of %s", s, p->name);
        snprintf(zh, sizeof zh, "%s 的取值“%.80s”不在允许范围内", p->name, s);
        edit_fault(faults, "unknown_enum_value", path, zh, en,
                   json_pack("{s:o, s:s}", "allowed", allowed, "value", s));
        return;
    }
    if (is_division_code_prop(p->name) && (!all_digits(s, 12) || s[0] == '0')) {
        snprintf(en, sizeof en, "%s must be a 12-digit statistical division code", p->name);
        snprintf(zh, sizeof zh, "%s 应为12位统计用区划代码", p->name);
        edit_fault(faults, "malformed_code", path, zh, en, json_pack("{s:s}", "value", s));
        return;
    }
    if (!strcmp(p->name, "id_number") && !(strlen(s) == 18 && strspn(s, "0123456789") >= 17 &&
                                           (s[17] == 'X' || (s[17] >= '0' && s[17] <= '9')))) {
        edit_fault(faults, "malformed_code", path, "身份证号应为18位（末位可为X）",
                   "id_number must be 18 characters: 17 digits and a digit or X", NULL);
        return;
    }
    if (!strcmp(p->name, "phone") &&
        (strlen(s) < 5 || strlen(s) > 20 || strspn(s, "0123456789+ -") != strlen(s))) {
        edit_fault(faults, "malformed_code", path, "电话号码格式不正确",
                   "phone must be 5 to 20 digits, spaces, + or -", NULL);
        return;
    }
    if (p->type == SRV_PT_DATE && !valid_date(s)) {
        snprintf(en, sizeof en, "%s must be a date YYYY-MM-DD", p->name);
        snprintf(zh, sizeof zh, "%s 应为日期（YYYY-MM-DD）", p->name);
        edit_fault(faults, "malformed_date", path, zh, en, json_pack("{s:s}", "value", s));
        return;
    }
    if (p->max_length > 0 && utf8_chars(s) > (size_t)p->max_length) {
        snprintf(en, sizeof en, "%s is longer than %d characters", p->name, p->max_length);
        snprintf(zh, sizeof zh, "%s 超过 %d 个字符", p->name, p->max_length);
        edit_fault(faults, "too_long", path, zh, en,
                   json_pack("{s:i}", "max_length", p->max_length));
        return;
    }
    if (!strcmp(p->name, "name") && !*s)
        edit_fault(faults, "empty_value", path, "名称不能为空", "name must not be empty", NULL);
}

void edit_check_props(const srv_coll *c, json_t *props, bool require_all, bool warn_computed,
                      json_t *store, json_t *faults, json_t *warnings)
{
    char path[160], en[300], zh[300];
    if (props && !json_is_object(props) && !json_is_null(props)) {
        edit_fault(faults, "wrong_type", "properties", "properties 应为对象",
                   "properties must be an object", NULL);
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v)
    {
        snprintf(path, sizeof path, "properties.%s", key);
        const srv_coll_prop *p = srv_coll_prop_find(c, key);
        if (!p) {
            snprintf(en, sizeof en, "%s has no property '%.80s'", c->id, key);
            snprintf(zh, sizeof zh, "%s 没有属性“%.80s”", c->title_zh, key);
            edit_fault(faults, "unknown_property", path, zh, en, NULL);
            continue;
        }
        if (p->flags & SRV_PF_COMPUTED) {
            if (warn_computed && !json_is_null(v)) {
                snprintf(en, sizeof en, "%s is computed by the server; the value sent was ignored",
                         key);
                snprintf(zh, sizeof zh, "%s 由服务器计算，提交的值已忽略", key);
                edit_fault(warnings, "computed_ignored", path, zh, en, NULL);
            }
            continue;
        }
        if (json_is_null(v)) {
            if (!(p->flags & SRV_PF_NULLABLE)) {
                snprintf(en, sizeof en, "%s may not be null", key);
                snprintf(zh, sizeof zh, "%s 不能为空", key);
                edit_fault(faults, "not_nullable", path, zh, en, NULL);
            } else {
                json_object_set(store, key, v);
            }
            continue;
        }
        size_t before = json_array_size(faults);
        check_value(p, v, path, faults);
        if (json_array_size(faults) == before)
            json_object_set(store, key, v);
    }
    for (int i = 0; require_all && i < c->nprops; i++) {
        const srv_coll_prop *p = &c->props[i];
        if ((p->flags & SRV_PF_REQUIRED) && !(p->flags & SRV_PF_COMPUTED) &&
            !json_object_get(props, p->name)) {
            snprintf(path, sizeof path, "properties.%s", p->name);
            snprintf(en, sizeof en, "%s is required", p->name);
            snprintf(zh, sizeof zh, "缺少必填属性 %s", p->name);
            edit_fault(faults, "missing_property", path, zh, en, NULL);
        }
    }

    /* Cross-field rules. */
    if (!strcmp(c->id, "grids")) {
        json_t *kind = json_object_get(props, "kind"), *unit = json_object_get(props, "unit_type");
        bool dedicated = json_is_string(kind) && !strcmp(json_string_value(kind), "dedicated");
        bool has_unit = unit && !json_is_null(unit);
        if (json_is_string(kind) && dedicated != has_unit)
            edit_fault(faults, "unit_type_mismatch", "properties.unit_type",
                       dedicated ? "专属网格须注明单位类型（unit_type）"
                                 : "只有专属网格才有单位类型（unit_type 应为空）",
                       dedicated ? "a dedicated grid needs a unit_type"
                                 : "only dedicated grids have a unit_type (leave it null)",
                       NULL);
    }
    if (!strcmp(c->id, "hazards")) {
        json_t *deadline = json_object_get(props, "deadline"),
               *found = json_object_get(props, "found_on");
        char today[16];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        const char *f = json_is_string(found) ? json_string_value(found) : today;
        const char *d = json_is_string(deadline) ? json_string_value(deadline) : NULL;
        /* ISO dates compare as strings. */
        if (d && valid_date(d) && valid_date(f) && strcmp(d, f) < 0)
            edit_fault(faults, "deadline_before_found", "properties.deadline",
                       "整改期限早于发现日期",
                       "the deadline is before the date the hazard was found",
                       json_pack("{s:s, s:s}", "deadline", d, "found_on", f));
    }
}

/* ---- geometry shape ---- */

typedef struct {
    json_t *faults;
    bool geographic; /* degrees: check ranges */
    bool lat_first;
    int reported; /* keep the list readable on a hopeless input */
} geo_check;

static json_t *loc(json_t *pos)
{
    return json_pack("[f, f]", json_number_value(json_array_get(pos, 0)),
                     json_number_value(json_array_get(pos, 1)));
}

static void geo_fault(geo_check *g, const char *code, const char *path, const char *zh,
                      const char *en, json_t *extra)
{
    if (g->reported++ < 50)
        edit_fault(g->faults, code, path, zh, en, extra);
    else
        json_decref(extra);
}

static bool position_ok(geo_check *g, json_t *pos, const char *path)
{
    size_t n = json_array_size(pos);
    if (!json_is_array(pos) || n < 2 || n > 3 || !json_is_number(json_array_get(pos, 0)) ||
        !json_is_number(json_array_get(pos, 1)) ||
        (n == 3 && !json_is_number(json_array_get(pos, 2)))) {
        geo_fault(g, "malformed_geometry", path, "坐标应为2或3个数值组成的数组",
                  "a position must be an array of 2 or 3 numbers", NULL);
        return false;
    }
    double x = json_number_value(json_array_get(pos, 0)),
           y = json_number_value(json_array_get(pos, 1));
    double lon = g->lat_first ? y : x, lat = g->lat_first ? x : y;
    if (!isfinite(x) || !isfinite(y) ||
        (g->geographic && (lon < -180 || lon > 180 || lat < -90 || lat > 90))) {
        geo_fault(g, "malformed_geometry", path, "坐标超出经纬度取值范围",
                  "a position is outside the range of longitude and latitude",
                  json_pack("{s:o}", "location", loc(pos)));
        return false;
    }
    return true;
}

static bool same_pos(json_t *a, json_t *b)
{
    return json_number_value(json_array_get(a, 0)) == json_number_value(json_array_get(b, 0)) &&
           json_number_value(json_array_get(a, 1)) == json_number_value(json_array_get(b, 1));
}

/* A spike: the path goes out to a vertex and comes straight back (the two segments at it are
 * anti-parallel). GEOS calls such rings valid when the spike has zero width, yet they are
 * always a digitising slip. */

/* path[i]: the JSON path of one element. Only absurdly nested input makes it longer than the
 * buffer (size ≥ 4); it is cut there and ends in "…" to say so. */
static void index_path(char *out, size_t size, const char *path, size_t i)
{
    if (snprintf(out, size, "%s[%zu]", path, i) >= (int)size)
        memcpy(out + size - 4, "…", 4);
}
static void check_spikes(geo_check *g, json_t *ring, bool closed, const char *path)
{
    size_t n = json_array_size(ring);
    size_t m = closed ? n - 1 : n; /* distinct vertices */
    if (m < 3)
        return;
    for (size_t i = closed ? 0 : 1; i < (closed ? m : m - 1); i++) {
        /* neighbours, skipping repeated points */
        json_t *b = json_array_get(ring, i);
        size_t ia = i, ic = i;
        json_t *a = NULL, *cpos = NULL;
        for (size_t k = 0; k < m; k++) {
            ia = closed ? (ia + m - 1) % m : (ia ? ia - 1 : 0);
            if (!same_pos(json_array_get(ring, ia), b)) {
                a = json_array_get(ring, ia);
                break;
            }
            if (!closed && ia == 0)
                break;
        }
        for (size_t k = 0; k < m; k++) {
            ic = closed ? (ic + 1) % m : (ic + 1 < m ? ic + 1 : m - 1);
            if (!same_pos(json_array_get(ring, ic), b)) {
                cpos = json_array_get(ring, ic);
                break;
            }
            if (!closed && ic == m - 1)
                break;
        }
        if (!a || !cpos)
            continue;
        double bx = json_number_value(json_array_get(b, 0)),
               by = json_number_value(json_array_get(b, 1));
        double ux = json_number_value(json_array_get(a, 0)) - bx,
               uy = json_number_value(json_array_get(a, 1)) - by;
        double vx = json_number_value(json_array_get(cpos, 0)) - bx,
               vy = json_number_value(json_array_get(cpos, 1)) - by;
        double cross = ux * vy - uy * vx, dot = ux * vx + uy * vy;
        /* |cross| ≤ 1e-9·|u|·|v|, squared to need no libm */
        double lu2 = ux * ux + uy * uy, lv2 = vx * vx + vy * vy;
        if (dot > 0 && cross * cross <= 1e-18 * lu2 * lv2) {
            char p[200];
            index_path(p, sizeof p, path, i);
            geo_fault(g, "spike", p, "边界有尖刺：折线在此顶点原路折返",
                      "spike: the boundary goes out to this vertex and straight back",
                      json_pack("{s:o}", "location", loc(b)));
        }
    }
}

static bool positions_ok(geo_check *g, json_t *list, const char *path)
{
    if (!json_is_array(list)) {
        geo_fault(g, "malformed_geometry", path, "坐标应为数组", "coordinates must be an array",
                  NULL);
        return false;
    }
    bool ok = true;
    size_t i;
    json_t *pos;
    json_array_foreach(list, i, pos)
    {
        char p[200];
        index_path(p, sizeof p, path, i);
        ok = position_ok(g, pos, p) && ok;
    }
    return ok;
}

static void check_line(geo_check *g, json_t *line, const char *path)
{
    if (!positions_ok(g, line, path))
        return;
    if (json_array_size(line) < 2)
        geo_fault(g, "too_few_points", path, "线至少需要2个点", "a line needs at least 2 points",
                  json_pack("{s:i}", "points", (int)json_array_size(line)));
    else
        check_spikes(g, line, false, path);
}

static void check_polygon(geo_check *g, json_t *rings, const char *path)
{
    if (!json_is_array(rings) || json_array_size(rings) == 0) {
        geo_fault(g, "malformed_geometry", path, "多边形至少需要一个环",
                  "a polygon needs at least one ring", NULL);
        return;
    }
    size_t i;
    json_t *ring;
    json_array_foreach(rings, i, ring)
    {
        char p[200];
        index_path(p, sizeof p, path, i);
        if (!positions_ok(g, ring, p))
            continue;
        size_t n = json_array_size(ring);
        if (n == 0) {
            geo_fault(g, "too_few_points", p, "环至少需要4个点（首尾相同）",
                      "a ring needs at least 4 points (first and last the same)",
                      json_pack("{s:i}", "points", 0));
            continue;
        }
        bool closed = same_pos(json_array_get(ring, 0), json_array_get(ring, n - 1));
        if (!closed)
            geo_fault(g, "unclosed_ring", p, "环未闭合：首点与末点不同",
                      "unclosed ring: the first and last points differ",
                      json_pack("{s:o, s:o}", "location", loc(json_array_get(ring, 0)), "last",
                                loc(json_array_get(ring, n - 1))));
        if (n < 4)
            geo_fault(g, "too_few_points", p, "环至少需要4个点（首尾相同）",
                      "a ring needs at least 4 points (first and last the same)",
                      json_pack("{s:i, s:o}", "points", (int)n, "location",
                                loc(json_array_get(ring, 0))));
        else if (closed)
            check_spikes(g, ring, true, p);
    }
}

static bool type_allowed(const srv_coll *c, const char *type)
{
    if (!strcmp(c->geom_type, "MultiPolygon"))
        return !strcmp(type, "Polygon") || !strcmp(type, "MultiPolygon");
    if (!strcmp(c->geom_type, "Point"))
        return !strcmp(type, "Point");
    return !strcmp(type, "Point") || !strcmp(type, "MultiPoint") || !strcmp(type, "LineString") ||
           !strcmp(type, "MultiLineString") || !strcmp(type, "Polygon") ||
           !strcmp(type, "MultiPolygon");
}

void edit_check_geometry(const srv_coll *c, json_t *geom, const srv_crs *crs, json_t *faults)
{
    geo_check g = {.faults = faults,
                   .geographic = !crs || crs->srid == 4326 || crs->srid == 4490,
                   .lat_first = crs && crs->lat_first};
    if (!json_is_object(geom)) {
        edit_fault(faults, "malformed_geometry", "geometry", "geometry 应为 GeoJSON 几何对象",
                   "geometry must be a GeoJSON geometry object", NULL);
        return;
    }
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    if (!type) {
        edit_fault(faults, "malformed_geometry", "geometry.type", "几何对象缺少 type",
                   "the geometry has no type", NULL);
        return;
    }
    if (!type_allowed(c, type)) {
        char en[200], zh[200];
        snprintf(en, sizeof en, "%s takes %s geometries, not %.40s", c->id,
                 !strcmp(c->geom_type, "MultiPolygon") ? "Polygon or MultiPolygon"
                 : !strcmp(c->geom_type, "Point")      ? "Point"
                                                       : "simple (non-collection)",
                 type);
        snprintf(zh, sizeof zh, "%s 的几何类型应为 %s，而不是 %.40s", c->title_zh, c->geom_type,
                 type);
        edit_fault(faults, "wrong_geometry_type", "geometry.type", zh, en,
                   json_pack("{s:s, s:s}", "expected", c->geom_type, "got", type));
        return;
    }
    if (!json_is_array(coords)) {
        edit_fault(faults, "malformed_geometry", "geometry.coordinates",
                   "几何对象缺少 coordinates 数组", "the geometry has no coordinates array", NULL);
        return;
    }
    const char *path = "geometry.coordinates";
    size_t i;
    json_t *part;
    char p[200];
    if (!strcmp(type, "Point")) {
        position_ok(&g, coords, path);
    } else if (!strcmp(type, "MultiPoint")) {
        positions_ok(&g, coords, path);
        if (json_array_size(coords) == 0)
            geo_fault(&g, "too_few_points", path, "多点至少需要1个点",
                      "a MultiPoint needs at least one point", NULL);
    } else if (!strcmp(type, "LineString")) {
        check_line(&g, coords, path);
    } else if (!strcmp(type, "MultiLineString")) {
        json_array_foreach(coords, i, part)
        {
            index_path(p, sizeof p, path, i);
            check_line(&g, part, p);
        }
    } else if (!strcmp(type, "Polygon")) {
        check_polygon(&g, coords, path);
    } else {
        if (json_array_size(coords) == 0)
            geo_fault(&g, "malformed_geometry", path, "多面至少需要一个面",
                      "a MultiPolygon needs at least one polygon", NULL);
        json_array_foreach(coords, i, part)
        {
            index_path(p, sizeof p, path, i);
            check_polygon(&g, part, p);
        }
    }
}

/* ---- RFC 7396 ---- */

json_t *edit_merge_patch(json_t *target, json_t *patch)
{
    if (!json_is_object(patch))
        return json_deep_copy(patch);
    json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v)
    {
        if (json_is_null(v)) {
            json_object_del(out, key);
        } else {
            json_t *merged = edit_merge_patch(json_object_get(out, key), v);
            json_object_set_new(out, key, merged);
        }
    }
    return out;
}
