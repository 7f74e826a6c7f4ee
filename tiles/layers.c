/* The layer registry as one table: a layer is a row here plus data/sql/tiles_<name>.sql.
 * Also parsing multi-layer names ("a,b,c") and assembling their SQL files into one statement,
 * so that a multi-layer tile costs one round trip. */
#include "db.h"
#include "tiles.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(...)                                                                                     \
    (const tile_field[])                                                                           \
    {                                                                                              \
        __VA_ARGS__,                                                                               \
        {                                                                                          \
            NULL, NULL                                                                             \
        }                                                                                          \
    }

static const tile_layer layers[] = {
    {"jurisdictions", 5, TILE_MAX_ZOOM,
     "Administrative boundaries 行政区划: province, city and county from z5, townships from z9, "
     "villages/communities from z11",
     F({"code", "String"}, {"name", "String"}, {"level", "String"}, {"kind", "String"},
       {"parent_code", "String"})},
    {"jurisdiction_labels", 5, TILE_MAX_ZOOM,
     "Label points of the jurisdictions, by the same zoom rules",
     F({"code", "String"}, {"name", "String"}, {"level", "String"})},
    {"grids", 12, TILE_MAX_ZOOM,
     "Grids 网格 (Art. 15): kind, households, workers and staffing status "
     "(staffed / no_full_time / unstaffed)",
     F({"id", "Number"}, {"code", "String"}, {"name", "String"}, {"kind", "String"},
       {"unit_type", "String"}, {"households", "Number"}, {"workers", "Number"},
       {"full_time", "Number"}, {"staffing", "String"})},
    {"key_places", 5, TILE_MAX_ZOOM,
     "Key places 重点场所 (Art. 42, 44); clustered below z14 with a count",
     F({"id", "Number"}, {"name", "String"}, {"category", "String"}, {"has_video", "Boolean"},
       {"has_alarm", "Boolean"}, {"count", "Number"})},
    {"hazards", 5, TILE_MAX_ZOOM,
     "Hazards 隐患 by risk grade (red, orange, yellow, blue); clustered below z13 with a count "
     "and the worst grade",
     F({"id", "Number"}, {"name", "String"}, {"category", "String"}, {"risk_grade", "String"},
       {"status", "String"}, {"overdue", "Boolean"}, {"escalation_level", "Number"},
       {"count", "Number"})},
    {"hazard_zones", 11, TILE_MAX_ZOOM,
     "Influence zones 影响范围 of open hazards (given polygon or category buffer), with risk grade, "
     "major, overdue, escalation level and whether the hazard lies in a school safety zone",
     F({"id", "Number"}, {"name", "String"}, {"category", "String"}, {"risk_grade", "String"},
       {"status", "String"}, {"major", "Boolean"}, {"overdue", "Boolean"},
       {"escalation_level", "Number"}, {"in_school_zone", "Boolean"}, {"zone_source", "String"},
       {"buffer_m", "Number"})},
    {"cameras", 10, TILE_MAX_ZOOM,
     "Video surveillance cameras 视频监控 (Art. 17); clustered below z15",
     F({"id", "Number"}, {"name", "String"}, {"direction_deg", "Number"}, {"fov_deg", "Number"},
       {"range_m", "Number"}, {"count", "Number"})},
    {"population_units", 15, TILE_MAX_ZOOM,
     "Buildings and village groups with households and residents",
     F({"id", "Number"}, {"name", "String"}, {"kind", "String"}, {"households", "Number"},
       {"residents", "Number"}, {"floors", "Number"})},
    /* ---- coverage and staffing analysis (issue 5; results of migration 004) ---- */
    {"coverage_gaps", 10, TILE_MAX_ZOOM,
     "Coverage gaps 网格覆盖缺口: village area covered by no community/base grid; slivers "
     "flagged",
     F({"id", "Number"}, {"village_code", "String"}, {"reason", "String"}, {"is_sliver", "Boolean"},
       {"area_m2", "Number"})},
    {"coverage_overlaps", 10, TILE_MAX_ZOOM,
     "Grid overlaps 网格重叠 between community/base grids of one village",
     F({"id", "Number"}, {"village_code", "String"}, {"reason", "String"}, {"is_sliver", "Boolean"},
       {"area_m2", "Number"}, {"grid_a_code", "String"}, {"grid_b_code", "String"})},
    {"staffing_findings", 12, TILE_MAX_ZOOM,
     "Staffing findings 网格员配备问题 (Art. 15): reason, label, what to do",
     F({"id", "Number"}, {"village_code", "String"}, {"reason", "String"}, {"label", "String"},
       {"severity", "String"}, {"grid_code", "String"}, {"worker_id", "Number"},
       {"subject", "String"}, {"value", "Number"}, {"bound", "Number"}, {"suggestion", "String"})},
    /* ---- end of coverage and staffing analysis ---- */
};
#define NLAYERS ((int)(sizeof layers / sizeof layers[0]))
_Static_assert(NLAYERS <= 64, "a tile_set mask holds 64 layers");

int tile_layer_count(void)
{
    return NLAYERS;
}

const tile_layer *tile_layer_at(int i)
{
    return i >= 0 && i < NLAYERS ? &layers[i] : NULL;
}

int tile_layer_find(const char *name)
{
    for (int i = 0; i < NLAYERS; i++)
        if (strcmp(layers[i].name, name) == 0)
            return i;
    return -1;
}

core_code tile_set_parse(const char *csv, tile_set *out, core_err *err)
{
    memset(out, 0, sizeof *out);
    for (const char *p = csv;;) {
        size_t n = strcspn(p, ",");
        char name[64];
        if (n == 0 || n >= sizeof name)
            return core_fail(err, CORE_EINVAL, "empty or overlong layer name in '%.80s'", csv);
        memcpy(name, p, n);
        name[n] = '\0';
        int i = tile_layer_find(name);
        if (i < 0)
            return core_fail(err, CORE_ENOTFOUND, "no tile layer called '%s'", name);
        if (out->mask & (1ULL << i))
            return core_fail(err, CORE_EINVAL, "layer '%s' is named twice", name);
        if (out->n == TILE_MAX_SET)
            return core_fail(err, CORE_EINVAL, "at most %d layers in one tile", TILE_MAX_SET);
        out->idx[out->n++] = i;
        out->mask |= 1ULL << i;
        size_t used = strlen(out->key);
        snprintf(out->key + used, sizeof out->key - used, "%s%s", used ? "," : "", name);
        if (!p[n])
            return CORE_OK;
        p += n + 1;
    }
}

void tile_set_zooms(const tile_set *set, int *minzoom, int *maxzoom)
{
    *minzoom = TILE_MAX_ZOOM;
    *maxzoom = 0;
    for (int i = 0; i < set->n; i++) {
        const tile_layer *l = &layers[set->idx[i]];
        if (l->minzoom < *minzoom)
            *minzoom = l->minzoom;
        if (l->maxzoom > *maxzoom)
            *maxzoom = l->maxzoom;
    }
}

/* The layers' SQL files, read once per process (by tile_ctx_create, before any request), so
 * that serving a tile never touches the file system. Kept for the life of the process. */
static char *layer_sql[NLAYERS];
static pthread_mutex_t layer_sql_lock = PTHREAD_MUTEX_INITIALIZER;

const char *tile_layer_sql(int i, core_err *err)
{
    if (i < 0 || i >= NLAYERS) {
        core_fail(err, CORE_EINVAL, "no layer %d", i);
        return NULL;
    }
    pthread_mutex_lock(&layer_sql_lock);
    if (!layer_sql[i]) {
        char file[96];
        snprintf(file, sizeof file, "tiles_%s", layers[i].name);
        char *text = db_sql(file, err);
        if (text) {
            /* A file is one SELECT; it becomes a scalar subquery, so its final ';' must go. */
            size_t n = strlen(text);
            while (n > 0 && strchr(" \t\r\n;", text[n - 1]))
                text[--n] = '\0';
        }
        layer_sql[i] = text;
    }
    const char *sql = layer_sql[i];
    pthread_mutex_unlock(&layer_sql_lock);
    return sql;
}

char *tile_set_sql(const tile_set *set, int z, int *ncols, core_err *err)
{
    core_buf sql = {0};
    *ncols = 0;
    bool ok = core_buf_puts(&sql, "");
    for (int i = 0; i < set->n && ok; i++) {
        const tile_layer *l = &layers[set->idx[i]];
        if (z < l->minzoom || z > l->maxzoom)
            continue;
        const char *text = tile_layer_sql(set->idx[i], err);
        if (!text) {
            core_buf_free(&sql);
            return NULL;
        }
        ok = core_buf_puts(&sql, *ncols ? ",\n(" : "SELECT (") && core_buf_puts(&sql, text) &&
             core_buf_printf(&sql, "\n) AS l%d", *ncols);
        (*ncols)++;
    }
    if (!ok) {
        core_buf_free(&sql);
        core_fail(err, CORE_ENOMEM, "out of memory");
        return NULL;
    }
    return core_buf_take(&sql);
}
