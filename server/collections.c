/* The collection registry's contents: the seven feature collections, their properties with
 * type and permissions, and the CRS list of OGC API - Features Part 2. Everything that lists
 * collections or properties (items, queryables, OpenAPI, writes, reports) reads this table. */
#include "collections.h"

#include <stdio.h>
#include <string.h>

/* ---- enum values, as the CHECK constraints of data/migrations/001_schema.sql ---- */
static const char *const e_level[] = {"province", "city", "county", "township", "village", NULL};
static const char *const e_jkind[] = {"street",    "town",    "township", "zone",
                                      "community", "village", NULL};
static const char *const e_grid_kind[] = {"community", "base", "dedicated", NULL};
static const char *const e_unit_type[] = {
    "government",  "park",    "commercial_building", "market", "school", "farm",
    "forest_farm", "medical", "enterprise",          "other",  NULL};
static const char *const e_employment[] = {"full_time", "part_time", NULL};
static const char *const e_place_cat[] = {"school",
                                          "kindergarten",
                                          "training_institution",
                                          "elderly_care",
                                          "child_welfare",
                                          "hospital",
                                          "park",
                                          "heritage_site",
                                          "commercial_center",
                                          "market",
                                          "industrial_park",
                                          "airport",
                                          "station",
                                          "bus_metro",
                                          "railway",
                                          "port",
                                          "border_port",
                                          "urban_village",
                                          "urban_rural_fringe",
                                          "detention",
                                          "public_event",
                                          "government",
                                          "other",
                                          NULL};
static const char *const e_hazard_cat[] = {
    "landslide", "collapse",        "debris_flow", "subsidence", "ground_fissure",
    "accident",  "dangerous_goods", "fire",        "flood",      "river_basin",
    "traffic",   "public_security", "other",       NULL};
static const char *const e_risk[] = {"red", "orange", "yellow", "blue", NULL};
static const char *const e_danger[] = {"extra_large", "large", "medium", "small", NULL};
static const char *const e_accident[] = {"general", "major", NULL};
static const char *const e_hstatus[] = {"reported", "confirmed", "rectifying", "rectified",
                                        "closed",   "rejected",  NULL};
static const char *const e_pu_kind[] = {"building", "village_group", NULL};

#define FQS (SRV_PF_FILTER | SRV_PF_QUERY | SRV_PF_SORT)
#define QS  (SRV_PF_QUERY | SRV_PF_SORT)
#define NUL SRV_PF_NULLABLE
#define REQ SRV_PF_REQUIRED
#define CMP SRV_PF_COMPUTED

/* The bookkeeping columns every editable table has; the triggers keep them. */
#define P_VERSION                                                                                  \
    {                                                                                              \
        "version", SRV_PT_INTEGER, "版本 / version", "bumped by every change (the ETag)", NULL,    \
            CMP, 0                                                                                 \
    }
#define P_CREATED                                                                                  \
    {                                                                                              \
        "created_at", SRV_PT_DATETIME, "创建时间 / created", "when the feature was created", NULL, \
            CMP | QS, 0                                                                            \
    }
#define P_UPDATED                                                                                  \
    {                                                                                              \
        "updated_at", SRV_PT_DATETIME, "更新时间 / updated",                                       \
            "when the feature last changed (what datetime filters on)", NULL, CMP | QS, 0          \
    }
#define P_VILLAGE_COMPUTED                                                                         \
    {                                                                                              \
        "village_code", SRV_PT_STRING, "所属村(社区) / village",                                   \
            "12-digit code of the village/community the feature lies in, computed from its "       \
            "location",                                                                            \
            NULL, CMP | FQS | NUL, 12                                                              \
    }

static const srv_coll_prop p_jurisdictions[] = {
    {"code", SRV_PT_STRING, "区划代码 / code", "12-digit statistical division code", NULL,
     FQS | REQ, 12},
    {"level", SRV_PT_STRING, "层级 / level", "province, city, county, township or village", e_level,
     FQS | REQ, 0},
    {"name", SRV_PT_STRING, "名称 / name", "official name", NULL, FQS | REQ, 100},
    {"parent_code", SRV_PT_STRING, "上级代码 / parent", "code of the enclosing jurisdiction", NULL,
     FQS | NUL, 12},
    {"kind", SRV_PT_STRING, "类别 / kind",
     "township kind (street/town/township/zone) or village kind (community/village)", e_jkind,
     FQS | NUL, 0},
    {"code_year", SRV_PT_INTEGER, "代码年份 / code year", "year of the division code list", NULL,
     FQS | REQ, 0},
    P_UPDATED,
};

static const srv_coll_prop p_grids[] = {
    {"code", SRV_PT_STRING, "网格编码 / code", "village code + 3-digit serial (15 digits)", NULL,
     CMP | QS | SRV_PF_FILTER, 15},
    {"name", SRV_PT_STRING, "网格名称 / name", "grid name", NULL, QS | REQ, 100},
    {"kind", SRV_PT_STRING, "网格类型 / kind",
     "community 基层治理网格, base 基础网格 or dedicated 专属网格 (Art. 15)", e_grid_kind,
     FQS | REQ, 0},
    {"village_code", SRV_PT_STRING, "所属村(社区) / village",
     "12-digit code of the village/community the grid belongs to", NULL, FQS | REQ, 12},
    {"unit_type", SRV_PT_STRING, "专属单位类型 / unit type",
     "what a dedicated grid covers; null for community and base grids", e_unit_type, FQS | NUL, 0},
    {"households", SRV_PT_INTEGER, "户数 / households",
     "households of the population units inside the grid", NULL, CMP | QS, 0},
    {"residents", SRV_PT_INTEGER, "人口 / residents",
     "residents of the population units inside the grid", NULL, CMP | QS, 0},
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

static const srv_coll_prop p_workers[] = {
    {"name", SRV_PT_STRING, "姓名 / name", "the grid worker's name", NULL, QS | REQ, 50},
    {"employment", SRV_PT_STRING, "专兼职 / employment", "full_time 专职 or part_time 兼职",
     e_employment, FQS | REQ, 0},
    {"phone", SRV_PT_STRING, "电话 / phone",
     "contact phone (personal data: admin and planner within scope only)", NULL,
     SRV_PF_PERSONAL | NUL, 20},
    {"id_number", SRV_PT_STRING, "身份证号 / ID number",
     "resident identity card number (personal data: admin and planner within scope only)", NULL,
     SRV_PF_PERSONAL | NUL, 18},
    {"jurisdiction_code", SRV_PT_STRING, "所属区划 / jurisdiction",
     "12-digit code of the jurisdiction the worker belongs to", NULL, FQS | REQ, 12},
    {"duty", SRV_PT_STRING, "职责 / duty", "what the worker is responsible for", NULL,
     SRV_PF_QUERY | NUL, 0},
    {"active", SRV_PT_BOOLEAN, "在岗 / active", "currently serving", NULL, FQS, 0},
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

static const srv_coll_prop p_places[] = {
    {"code", SRV_PT_STRING, "编码 / code", "the place's own code", NULL, FQS | NUL, 0},
    {"name", SRV_PT_STRING, "名称 / name", "place name", NULL, QS | REQ, 200},
    {"category", SRV_PT_STRING, "类别 / category", "kind of key place (Art. 42, 44)", e_place_cat,
     FQS | REQ, 0},
    P_VILLAGE_COMPUTED,
    {"security_staff", SRV_PT_INTEGER, "保安人数 / security staff", "security staff on site", NULL,
     QS, 0},
    {"has_video", SRV_PT_BOOLEAN, "视频监控 / video", "video surveillance installed (Art. 44)",
     NULL, FQS, 0},
    {"has_alarm", SRV_PT_BOOLEAN, "一键报警 / alarm", "one-button alarm installed (Art. 44)", NULL,
     FQS, 0},
    {"has_emergency_plan", SRV_PT_BOOLEAN, "应急预案 / emergency plan", "an emergency plan exists",
     NULL, FQS, 0},
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

static const srv_coll_prop p_hazards[] = {
    {"code", SRV_PT_STRING, "编码 / code", "the hazard's own code", NULL, FQS | NUL, 0},
    {"name", SRV_PT_STRING, "名称 / name", "hazard name", NULL, QS | REQ, 200},
    {"category", SRV_PT_STRING, "类别 / category", "kind of hazard (Art. 25, 30, 35, 38)",
     e_hazard_cat, FQS | REQ, 0},
    {"risk_grade", SRV_PT_STRING, "风险等级 / risk grade",
     "four-colour grade: red 重大, orange 较大, yellow 一般, blue 低", e_risk, FQS | REQ, 0},
    {"danger_level", SRV_PT_STRING, "险情等级 / danger level",
     "geological hazards: extra_large, large, medium, small", e_danger, FQS | NUL, 0},
    {"accident_grade", SRV_PT_STRING, "隐患等级 / accident grade",
     "accident hazards: general 一般 or major 重大", e_accident, FQS | NUL, 0},
    {"scale", SRV_PT_STRING, "规模 / scale", "size of the hazard in words", NULL,
     SRV_PF_QUERY | NUL, 0},
    {"subcategory", SRV_PT_STRING, "细类 / subcategory",
     "finer kind, e.g. fireworks_storage; picks the influence-zone buffer", NULL, FQS | NUL, 50},
    /* changes only through POST /collections/hazards/items/{id}/actions (005_hazards.sql) */
    {"status", SRV_PT_STRING, "状态 / status", "where the hazard is in its life", e_hstatus,
     CMP | FQS, 0},
    {"status_changed_at", SRV_PT_DATETIME, "状态变更时间 / status changed at",
     "time of the last lifecycle action", NULL, CMP | SRV_PF_QUERY | NUL, 0},
    {"rectification_measures", SRV_PT_STRING, "整改措施 / rectification measures",
     "the rectification plan's measures", NULL, SRV_PF_QUERY | NUL, 0},
    {"zone_source", SRV_PT_STRING, "影响范围来源 / zone source",
     "influence zone given as a polygon, or a buffer by category", NULL, CMP | FQS, 0},
    {"zone_buffer_m", SRV_PT_NUMBER, "影响半径(米) / zone buffer (m)",
     "buffer distance of the influence zone when it is a buffer", NULL, CMP | QS | NUL, 0},
    {"found_on", SRV_PT_DATE, "发现日期 / found on", "date the hazard was found", NULL, QS, 0},
    {"deadline", SRV_PT_DATE, "整改期限 / deadline", "rectification deadline (not before found_on)",
     NULL, QS | NUL, 0},
    {"responsible_unit", SRV_PT_STRING, "责任单位 / responsible unit",
     "unit responsible for rectification", NULL, SRV_PF_QUERY | NUL, 0},
    {"threatened_households", SRV_PT_INTEGER, "威胁户数 / threatened households",
     "households threatened", NULL, QS, 0},
    {"threatened_persons", SRV_PT_INTEGER, "威胁人数 / threatened persons", "persons threatened",
     NULL, QS, 0},
    {"threatened_property", SRV_PT_NUMBER, "威胁财产(万元) / threatened property",
     "property threatened, in 10,000 yuan", NULL, QS | NUL, 0},
    {"overdue", SRV_PT_BOOLEAN, "逾期 / overdue", "the deadline has passed unrectified", NULL,
     CMP | FQS, 0},
    {"escalation_level", SRV_PT_INTEGER, "督办级别 / escalation",
     "how many times the overdue hazard was escalated (Art. 58)", NULL, CMP | QS, 0},
    {"escalated_at", SRV_PT_DATETIME, "督办时间 / escalated at", "last escalation", NULL,
     CMP | SRV_PF_QUERY | NUL, 0},
    P_VILLAGE_COMPUTED,
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

static const srv_coll_prop p_cameras[] = {
    {"code", SRV_PT_STRING, "编码 / code", "the camera's own code", NULL, FQS | NUL, 0},
    {"name", SRV_PT_STRING, "名称 / name", "camera name", NULL, QS | REQ, 200},
    P_VILLAGE_COMPUTED,
    {"direction_deg", SRV_PT_NUMBER, "朝向 / direction", "viewing direction, degrees from north",
     NULL, QS, 0},
    {"fov_deg", SRV_PT_NUMBER, "视场角 / field of view", "field of view in degrees (360: dome)",
     NULL, QS, 0},
    {"range_m", SRV_PT_NUMBER, "视距 / range", "useful range in metres", NULL, QS, 0},
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

static const srv_coll_prop p_population[] = {
    {"code", SRV_PT_STRING, "编码 / code", "the unit's own code", NULL, FQS | NUL, 0},
    {"name", SRV_PT_STRING, "名称 / name", "building or village-group name", NULL, QS | NUL, 0},
    {"kind", SRV_PT_STRING, "类型 / kind", "building or village_group (村民小组)", e_pu_kind,
     FQS | REQ, 0},
    {"households", SRV_PT_INTEGER, "户数 / households", "households", NULL, QS, 0},
    {"residents", SRV_PT_INTEGER, "人口 / residents", "residents", NULL, QS, 0},
    {"floors", SRV_PT_INTEGER, "层数 / floors", "floors of a building", NULL, QS | NUL, 0},
    P_VILLAGE_COMPUTED,
    P_VERSION,
    P_CREATED,
    P_UPDATED,
};

/* ---- coverage and staffing analysis (issue 5): read-only results of migration 004 ---- */
static const char *const e_cov_reason[] = {"gap", "gap_sliver", NULL};
static const char *const e_ovl_reason[] = {"overlap", "overlap_sliver", NULL};
static const char *const e_staff_reason[] = {"community_grid_no_fulltime", "grid_no_worker",
                                             "worker_over_households",     "worker_over_grids",
                                             "worker_over_hazards",        "grid_households_over",
                                             "grid_households_under",      NULL};

#define P_ANA_VILLAGE                                                                              \
    {                                                                                              \
        "village_code", SRV_PT_STRING, "所属村(社区) / village",                                   \
            "12-digit code of the village/community the finding belongs to", NULL, CMP | FQS, 12   \
    }
#define P_ANA_COMPUTED                                                                             \
    {                                                                                              \
        "computed_at", SRV_PT_DATETIME, "计算时间 / computed", "when the analysis produced it",    \
            NULL, CMP | QS, 0                                                                      \
    }

static const srv_coll_prop p_cov_gaps[] = {
    P_ANA_VILLAGE,
    {"reason", SRV_PT_STRING, "原因代码 / reason", "gap, or gap_sliver below sliver_m2",
     e_cov_reason, CMP | FQS, 0},
    {"is_sliver", SRV_PT_BOOLEAN, "碎片 / sliver", "smaller than the sliver_m2 setting", NULL,
     CMP | FQS, 0},
    {"area_m2", SRV_PT_NUMBER, "面积(平方米) / area m²", "area in square metres (equal-area)", NULL,
     CMP | QS, 0},
    P_ANA_COMPUTED,
};

static const srv_coll_prop p_cov_overlaps[] = {
    P_ANA_VILLAGE,
    {"reason", SRV_PT_STRING, "原因代码 / reason", "overlap, or overlap_sliver below sliver_m2",
     e_ovl_reason, CMP | FQS, 0},
    {"grid_a", SRV_PT_INTEGER, "网格A / grid A", "id of the first grid", NULL, CMP | FQS, 0},
    {"grid_b", SRV_PT_INTEGER, "网格B / grid B", "id of the second grid", NULL, CMP | FQS, 0},
    {"grid_a_code", SRV_PT_STRING, "网格A编码 / grid A code", "code of the first grid", NULL,
     CMP | FQS, 15},
    {"grid_b_code", SRV_PT_STRING, "网格B编码 / grid B code", "code of the second grid", NULL,
     CMP | FQS, 15},
    {"is_sliver", SRV_PT_BOOLEAN, "碎片 / sliver", "smaller than the sliver_m2 setting", NULL,
     CMP | FQS, 0},
    {"area_m2", SRV_PT_NUMBER, "面积(平方米) / area m²", "area in square metres (equal-area)", NULL,
     CMP | QS, 0},
    P_ANA_COMPUTED,
};

static const srv_coll_prop p_staffing[] = {
    P_ANA_VILLAGE,
    {"reason", SRV_PT_STRING, "原因代码 / reason", "what is wrong (analysis_reasons)",
     e_staff_reason, CMP | FQS, 0},
    {"grid_id", SRV_PT_INTEGER, "网格 / grid", "the grid concerned", NULL, CMP | FQS | NUL, 0},
    {"grid_code", SRV_PT_STRING, "网格编码 / grid code", "code of the grid concerned", NULL,
     CMP | FQS | NUL, 15},
    {"worker_id", SRV_PT_INTEGER, "网格员 / worker", "the worker concerned", NULL, CMP | FQS | NUL,
     0},
    {"subject", SRV_PT_STRING, "对象 / subject", "name of the grid or worker", NULL, CMP | QS | NUL,
     0},
    {"value", SRV_PT_NUMBER, "实际值 / value", "the measured value (households, grids, ...)", NULL,
     CMP | QS | NUL, 0},
    {"bound", SRV_PT_NUMBER, "标准值 / bound", "the configured bound it breaks", NULL,
     CMP | QS | NUL, 0},
    {"suggestion", SRV_PT_STRING, "建议 / suggestion", "what to do (split, merge, staff)", NULL,
     CMP | SRV_PF_QUERY | NUL, 0},
    P_ANA_COMPUTED,
};
/* ---- end of coverage and staffing analysis properties ---- */

#define PROPS(a) .props = (a), .nprops = (int)(sizeof(a) / sizeof((a)[0]))

static const srv_coll colls[] = {
    {.id = "jurisdictions",
     .title_zh = "行政区划",
     .title_en = "Jurisdictions",
     .description = "Province, cities, counties, townships/streets and villages/communities with "
                    "their statistical division codes and boundaries",
     .table = "jurisdictions",
     .id_column = "code",
     .id_is_text = true,
     .geom_column = "geom",
     .geom_type = "MultiPolygon",
     .geom_nullable = true,
     .jurisdiction_column = "code",
     .version_column = NULL,
     .updated_column = "updated_at",
     .is_public = true,
     .writable = false,
     .default_sort = "code",
     PROPS(p_jurisdictions)},
    {.id = "grids",
     .title_zh = "网格",
     .title_en = "Grids",
     .description = "Community, base and dedicated grids (Art. 15 of the Jiangxi Safety "
                    "Construction Regulations)",
     .table = "grids",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "MultiPolygon",
     .jurisdiction_column = "village_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_grids)},
    {.id = "grid_workers",
     .title_zh = "网格员",
     .title_en = "Grid workers",
     .description = "Full-time and part-time grid workers; contact data only for authorised roles",
     .table = "grid_workers",
     .id_column = "id",
     .geom_column = NULL,
     .geom_type = NULL,
     .geom_nullable = true,
     .jurisdiction_column = "jurisdiction_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_workers)},
    {.id = "key_places",
     .title_zh = "重点场所",
     .title_en = "Key places",
     .description = "Schools, hospitals, markets, stations and the other key places of Art. 42 "
                    "and 44",
     .table = "key_places",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_places)},
    {.id = "hazards",
     .title_zh = "风险隐患",
     .title_en = "Hazards",
     .description = "Hazards and risks with four-colour risk grade (Art. 25, 30, 35, 38)",
     .table = "hazards",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_hazards)},
    {.id = "cameras",
     .title_zh = "视频监控",
     .title_en = "Cameras",
     .description = "Video surveillance cameras (Art. 17)",
     .table = "cameras",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Point",
     .jurisdiction_column = "village_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_cameras)},
    {.id = "population_units",
     .title_zh = "人口单元",
     .title_en = "Population units",
     .description = "Buildings and village groups with households and residents, from which "
                    "grid sizes are counted",
     .table = "population_units",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = "version",
     .updated_column = "updated_at",
     .is_public = true,
     .writable = true,
     .default_sort = "id",
     PROPS(p_population)},
    /* ---- coverage and staffing analysis (issue 5): kept current by migration 004's
     * triggers and the server's drainer; read-only ---- */
    {.id = "coverage_gaps",
     .title_zh = "网格覆盖缺口",
     .title_en = "Coverage gaps",
     .description = "Parts of villages/communities covered by no community or base grid "
                    "(slivers flagged, not hidden)",
     .table = "coverage_gaps",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = NULL,
     .updated_column = "computed_at",
     .is_public = true,
     .writable = false,
     .default_sort = "id",
     PROPS(p_cov_gaps)},
    {.id = "coverage_overlaps",
     .title_zh = "网格重叠",
     .title_en = "Grid overlaps",
     .description = "Overlaps between community/base grids of the same village/community",
     .table = "coverage_overlaps",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = NULL,
     .updated_column = "computed_at",
     .is_public = true,
     .writable = false,
     .default_sort = "id",
     PROPS(p_cov_overlaps)},
    {.id = "staffing_findings",
     .title_zh = "网格员配备问题",
     .title_en = "Staffing findings",
     .description = "Community grids without a full-time worker, grids without workers, workers "
                    "over their load, grids to split or merge (Art. 15)",
     .table = "staffing_findings",
     .id_column = "id",
     .geom_column = "geom",
     .geom_type = "Geometry",
     .jurisdiction_column = "village_code",
     .version_column = NULL,
     .updated_column = "computed_at",
     .is_public = true,
     .writable = false,
     .default_sort = "id",
     PROPS(p_staffing)},
    /* ---- end of coverage and staffing analysis ---- */
};
#define NCOLLS ((int)(sizeof colls / sizeof colls[0]))

int srv_coll_count(void)
{
    return NCOLLS;
}

const srv_coll *srv_coll_at(int i)
{
    return i >= 0 && i < NCOLLS ? &colls[i] : NULL;
}

const srv_coll *srv_coll_find(const char *id)
{
    for (int i = 0; id && i < NCOLLS; i++)
        if (strcmp(colls[i].id, id) == 0)
            return &colls[i];
    return NULL;
}

const srv_coll_prop *srv_coll_prop_find(const srv_coll *c, const char *name)
{
    for (int i = 0; c && name && i < c->nprops; i++)
        if (strcmp(c->props[i].name, name) == 0)
            return &c->props[i];
    return NULL;
}

bool srv_coll_prop_enum_ok(const srv_coll_prop *p, const char *value)
{
    if (!p->enum_values)
        return true;
    for (const char *const *e = p->enum_values; *e; e++)
        if (strcmp(*e, value) == 0)
            return true;
    return false;
}

const char *srv_prop_type_json(srv_prop_type t)
{
    switch (t) {
    case SRV_PT_INTEGER:
        return "integer";
    case SRV_PT_NUMBER:
        return "number";
    case SRV_PT_BOOLEAN:
        return "boolean";
    default:
        return "string";
    }
}

const char *srv_prop_type_format(srv_prop_type t)
{
    return t == SRV_PT_DATE ? "date" : t == SRV_PT_DATETIME ? "date-time" : NULL;
}

void srv_coll_etag(char *out, size_t size, const char *fid, const char *version)
{
    snprintf(out, size, "\"%s-%s\"", fid, version);
}

bool srv_coll_personal_visible(const char *role, const char *scope, const char *code)
{
    if (!role || (strcmp(role, "admin") != 0 && strcmp(role, "planner") != 0))
        return false;
    if (!scope || !*scope)
        return true;
    return code && strncmp(code, scope, strlen(scope)) == 0;
}

bool srv_coll_readable(const srv_coll *c, const char *role, bool anonymous_reads)
{
    if (role && *role && strcmp(role, "anonymous") != 0)
        return true;
    return c->is_public && anonymous_reads;
}

/* ---- CRS (OGC API - Features Part 2) ---- */

/* EPSG geographic CRSs and the CGCS2000 Gauss-Krüger zones put latitude/northing first;
 * CRS84 and Web Mercator put longitude/easting first. Clients like GDAL (>= 3.7) follow the
 * authority order, so the output does too. */
static const srv_crs crss[] = {
    {SRV_CRS84_URI, 4326, false, 7, "WGS 84 longitude/latitude (CRS84)"},
    {"http://www.opengis.net/def/crs/EPSG/0/4326", 4326, true, 7, "WGS 84 (latitude, longitude)"},
    {"http://www.opengis.net/def/crs/EPSG/0/4490", 4490, true, 7, "CGCS2000 (latitude, longitude)"},
    {"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, false, 3, "WGS 84 / Pseudo-Mercator"},
    {"http://www.opengis.net/def/crs/EPSG/0/4547", 4547, true, 3,
     "CGCS2000 / 3-degree Gauss-Kruger CM 114E (northing, easting)"},
    {"http://www.opengis.net/def/crs/EPSG/0/4548", 4548, true, 3,
     "CGCS2000 / 3-degree Gauss-Kruger CM 117E (northing, easting)"},
};
#define NCRS ((int)(sizeof crss / sizeof crss[0]))

int srv_crs_count(void)
{
    return NCRS;
}

const srv_crs *srv_crs_at(int i)
{
    return i >= 0 && i < NCRS ? &crss[i] : NULL;
}

const srv_crs *srv_crs_find(const char *name)
{
    if (!name || !*name)
        return NULL;
    for (int i = 0; i < NCRS; i++)
        if (strcmp(crss[i].uri, name) == 0)
            return &crss[i];
    if (strcmp(name, "CRS84") == 0 || strcmp(name, "OGC:CRS84") == 0 ||
        strcmp(name, "[OGC:CRS84]") == 0)
        return &crss[0];
    /* EPSG:n and the safe CURIE [EPSG:n] */
    const char *p = name;
    size_t len = strlen(p);
    if (p[0] == '[' && p[len - 1] == ']')
        p++, len -= 2;
    if (len > 5 && len < 12 && strncmp(p, "EPSG:", 5) == 0) {
        for (int i = 1; i < NCRS; i++) {
            const char *code = strrchr(crss[i].uri, '/') + 1;
            if (strlen(code) == len - 5 && strncmp(code, p + 5, len - 5) == 0)
                return &crss[i];
        }
    }
    return NULL;
}
