/* What each target table takes from a bureau's file: the source field names tried for every
 * column (the presets), the value vocabularies (滑坡 → landslide …) and the conversion of
 * one value to the form stored. */
#include "imp_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 行政区划代 is 行政区划代码 cut to the 10 bytes a DBF field name holds in GBK. */
#define CODE_NAMES                                                                                 \
    "code|CODE|编号|代码|编码|统一编号|行政区划代码|行政区划代|区划代码|XZQDM|BH|id|ID"
#define NAME_NAMES    "name|NAME|名称|名字|地名|村名|乡镇名|县名|隐患点名称|场所名称|XZQMC|MC"
#define VILLAGE_NAMES "village_code|村代码|村(社区)代码|所属村代码|社区代码|CJDM"

static const imp_valmap hazard_categories[] = {{"滑坡", "landslide"},
                                               {"崩塌", "collapse"},
                                               {"泥石流", "debris_flow"},
                                               {"地面塌陷", "subsidence"},
                                               {"塌陷", "subsidence"},
                                               {"地裂缝", "ground_fissure"},
                                               {"不稳定斜坡", "landslide"},
                                               {"安全生产", "accident"},
                                               {"危险化学品", "dangerous_goods"},
                                               {"火灾", "fire"},
                                               {"洪涝", "flood"},
                                               {"流域", "river_basin"},
                                               {"交通", "traffic"},
                                               {"治安", "public_security"},
                                               {"其他", "other"},
                                               {NULL, NULL}};
/* 险情等级 and 规模等级 both come as 特大型/大型/中型/小型. */
static const imp_valmap danger_levels[] = {
    {"特大型", "extra_large"}, {"特大", "extra_large"}, {"大型", "large"},
    {"大", "large"},           {"中型", "medium"},      {"中", "medium"},
    {"小型", "small"},         {"小", "small"},         {NULL, NULL}};
static const imp_valmap risk_grades[] = {
    {"重大", "red"},    {"红", "red"},      {"红色", "red"},  {"较大", "orange"}, {"橙", "orange"},
    {"橙色", "orange"}, {"一般", "yellow"}, {"黄", "yellow"}, {"黄色", "yellow"}, {"低", "blue"},
    {"蓝", "blue"},     {"蓝色", "blue"},   {NULL, NULL}};
static const imp_valmap place_categories[] = {{"学校", "school"},
                                              {"中学", "school"},
                                              {"小学", "school"},
                                              {"幼儿园", "kindergarten"},
                                              {"培训机构", "training_institution"},
                                              {"养老机构", "elderly_care"},
                                              {"敬老院", "elderly_care"},
                                              {"儿童福利机构", "child_welfare"},
                                              {"医院", "hospital"},
                                              {"卫生院", "hospital"},
                                              {"公园", "park"},
                                              {"文物古迹", "heritage_site"},
                                              {"商业中心", "commercial_center"},
                                              {"商场", "commercial_center"},
                                              {"市场", "market"},
                                              {"农贸市场", "market"},
                                              {"工业园区", "industrial_park"},
                                              {"机场", "airport"},
                                              {"车站", "station"},
                                              {"火车站", "station"},
                                              {"汽车站", "station"},
                                              {"公交", "bus_metro"},
                                              {"地铁", "bus_metro"},
                                              {"铁路", "railway"},
                                              {"港口", "port"},
                                              {"码头", "port"},
                                              {"口岸", "border_port"},
                                              {"城中村", "urban_village"},
                                              {"城乡结合部", "urban_rural_fringe"},
                                              {"监管场所", "detention"},
                                              {"大型活动", "public_event"},
                                              {"政府机关", "government"},
                                              {"其他", "other"},
                                              {NULL, NULL}};
static const imp_valmap grid_kinds[] = {{"基层治理网格", "community"},
                                        {"社区网格", "community"},
                                        {"基础网格", "base"},
                                        {"专属网格", "dedicated"},
                                        {NULL, NULL}};
static const imp_valmap unit_types[] = {{"党政机关", "government"},
                                        {"政府机关", "government"},
                                        {"园区", "park"},
                                        {"商务楼宇", "commercial_building"},
                                        {"商圈市场", "market"},
                                        {"市场", "market"},
                                        {"学校", "school"},
                                        {"农场", "farm"},
                                        {"林场", "forest_farm"},
                                        {"医疗机构", "medical"},
                                        {"企业", "enterprise"},
                                        {"其他", "other"},
                                        {NULL, NULL}};
static const imp_valmap unit_kinds[] = {{"建筑", "building"},
                                        {"楼栋", "building"},
                                        {"村民小组", "village_group"},
                                        {"自然村", "village_group"},
                                        {NULL, NULL}};

static const imp_col jurisdiction_cols[] = {
    {"code", IMP_DIVCODE, CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, NAME_NAMES, NULL, NULL},
};
static const imp_col grid_cols[] = {
    {"code", IMP_TEXT, "网格编码|网格编号|" CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, "网格名称|" NAME_NAMES, NULL, NULL},
    {"kind", IMP_TEXT, "kind|网格类型|类型|LX", grid_kinds, NULL},
    {"unit_type", IMP_TEXT, "unit_type|单位类型|专属类型", unit_types, NULL},
    {"households", IMP_INT, "households|户数|HS", NULL, NULL},
    {"residents", IMP_INT, "residents|人口|人数|RK", NULL, NULL},
    {"village_code", IMP_DIVCODE, VILLAGE_NAMES, NULL, NULL},
};
static const imp_col place_cols[] = {
    {"code", IMP_TEXT, CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, NAME_NAMES, NULL, NULL},
    {"category", IMP_TEXT, "category|类别|类型|场所类型|LB", place_categories, NULL},
    {"security_staff", IMP_INT, "security_staff|保安人数|安保人数", NULL, NULL},
    {"has_video", IMP_BOOL, "has_video|视频监控|监控|有无监控", NULL, NULL},
    {"has_alarm", IMP_BOOL, "has_alarm|一键报警|报警装置", NULL, NULL},
    {"has_emergency_plan", IMP_BOOL, "has_emergency_plan|应急预案", NULL, NULL},
    {"village_code", IMP_DIVCODE, VILLAGE_NAMES, NULL, NULL},
};
static const imp_col hazard_cols[] = {
    {"code", IMP_TEXT, "统一编号|" CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, NAME_NAMES, NULL, NULL},
    {"category", IMP_TEXT, "category|类型|灾害类型|灾种|LX", hazard_categories, NULL},
    {"risk_grade", IMP_TEXT, "risk_grade|风险等级|风险颜色", risk_grades, NULL},
    {"danger_level", IMP_TEXT, "danger_level|险情等级|XQDJ", danger_levels, NULL},
    {"scale", IMP_TEXT, "scale|规模等级|规模|GMDJ", NULL, NULL},
    {"threatened_households", IMP_INT, "threatened_households|威胁户数|WXHS", NULL, NULL},
    {"threatened_persons", IMP_INT, "threatened_persons|威胁人数|WXRS", NULL, NULL},
    {"village_code", IMP_DIVCODE, VILLAGE_NAMES, NULL, NULL},
};
static const imp_col unit_cols[] = {
    {"code", IMP_TEXT, "建筑编号|楼栋编号|" CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, NAME_NAMES, NULL, NULL},
    {"kind", IMP_TEXT, "kind|类型", unit_kinds, NULL},
    {"households", IMP_INT, "households|户数|HS", NULL, "0"},
    {"residents", IMP_INT, "residents|人口|人数|RK", NULL, "0"},
    {"floors", IMP_INT, "floors|层数|CS", NULL, NULL},
    {"village_code", IMP_DIVCODE, VILLAGE_NAMES, NULL, NULL},
};
static const imp_col camera_cols[] = {
    {"code", IMP_TEXT, "设备编码|" CODE_NAMES, NULL, NULL},
    {"name", IMP_TEXT, "设备名称|" NAME_NAMES, NULL, NULL},
    {"direction_deg", IMP_REAL, "direction_deg|方向|朝向|方位角", NULL, NULL},
    {"fov_deg", IMP_REAL, "fov_deg|视角|视场角", NULL, NULL},
    {"range_m", IMP_REAL, "range_m|距离|可视距离|范围", NULL, NULL},
    {"village_code", IMP_DIVCODE, VILLAGE_NAMES, NULL, NULL},
};

#define T(name, preset, poly, point, direct, cols)                                                 \
    {                                                                                              \
        name, preset, cols, (int)(sizeof(cols) / sizeof((cols)[0])), poly, point, direct           \
    }
static const imp_target targets[] = {
    T("jurisdictions", "boundaries", true, false, false, jurisdiction_cols),
    T("grids", "grids", true, false, false, grid_cols),
    T("key_places", "key_places", false, false, false, place_cols),
    T("hazards", "geohazard", false, false, false, hazard_cols),
    T("population_units", "buildings", false, false, true, unit_cols),
    T("cameras", "cameras", false, true, false, camera_cols),
};
#define NTARGETS (sizeof targets / sizeof targets[0])

const char *const *imp_targets(void)
{
    static const char *const names[] = {"jurisdictions",    "grids",   "key_places", "hazards",
                                        "population_units", "cameras", NULL};
    return names;
}

const imp_target *imp_target_find(const char *name)
{
    for (size_t i = 0; name && i < NTARGETS; i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
}

const imp_target *imp_target_of_preset(const char *preset)
{
    for (size_t i = 0; preset && i < NTARGETS; i++)
        if (strcmp(targets[i].preset, preset) == 0)
            return &targets[i];
    return NULL;
}

void imp_copy(char *out, size_t size, const char *in)
{
    if (!size)
        return;
    size_t n = strlen(in);
    if (n >= size)
        n = size - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static void trim(const char *in, char *out, size_t size)
{
    while (*in && isspace((unsigned char)*in))
        in++;
    imp_copy(out, size, in);
    size_t n = strlen(out);
    while (n && isspace((unsigned char)out[n - 1]))
        out[--n] = '\0';
}

bool imp_convert(const imp_col *col, const char *in, char *out, size_t size, bool *is_null,
                 char *why, size_t whysize)
{
    char v[1024];
    *is_null = false;
    trim(in ? in : "", v, sizeof v);
    if (!*v) {
        *is_null = true;
        return true;
    }
    switch (col->type) {
    case IMP_TEXT:
        if (col->values) {
            for (const imp_valmap *m = col->values; m->from; m++)
                if (strcmp(v, m->from) == 0 || strcmp(v, m->to) == 0) {
                    imp_copy(out, size, m->to);
                    return true;
                }
            /* Not refused: the value is kept as 'other' (or left empty) and reported. */
            bool other = false;
            for (const imp_valmap *m = col->values; m->from; m++)
                other = other || strcmp(m->to, "other") == 0;
            snprintf(why, whysize, "%s: '%s' is not a known value; stored as %s", col->name, v,
                     other ? "other" : "empty");
            if (other)
                snprintf(out, size, "other");
            else
                *is_null = true;
            return true;
        }
        imp_copy(out, size, v);
        return true;
    case IMP_INT:
    case IMP_REAL: {
        /* plain digits, the common case of a million buildings, skip strtod and printf */
        size_t digits = strspn(v, "0123456789");
        if (col->type == IMP_INT && digits > 0 && digits <= 9 && !v[digits]) {
            const char *n = v;
            while (n[0] == '0' && n[1])
                n++;
            imp_copy(out, size, n);
            return true;
        }
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (errno || *end || !isfinite(d) ||
            (col->type == IMP_INT && (d != floor(d) || d < 0 || d > 2147483647.0))) {
            snprintf(why, whysize, "%s: '%s' is not a%s number", col->name, v,
                     col->type == IMP_INT ? " whole non-negative" : "");
            return false;
        }
        if (col->type == IMP_INT)
            snprintf(out, size, "%.0f", d);
        else
            snprintf(out, size, "%.17g", d);
        return true;
    }
    case IMP_BOOL: {
        static const char *yes[] = {"1", "true", "t", "yes", "y", "是", "有", NULL};
        static const char *no[] = {"0", "false", "f", "no", "n", "否", "无", NULL};
        for (int i = 0; yes[i]; i++)
            if (strcasecmp(v, yes[i]) == 0)
                return snprintf(out, size, "t"), true;
        for (int i = 0; no[i]; i++)
            if (strcasecmp(v, no[i]) == 0)
                return snprintf(out, size, "f"), true;
        snprintf(why, whysize, "%s: '%s' is not yes/no", col->name, v);
        return false;
    }
    case IMP_DIVCODE: {
        /* 6-digit county (GB/T 2260) and 9-digit township codes are padded as the statistics
         * bureau pads them; a float rendering ("360502.0") is accepted. */
        size_t n = strlen(v);
        if (n > 2 && strcmp(v + n - 2, ".0") == 0)
            v[n -= 2] = '\0';
        bool digits = n > 0;
        for (size_t i = 0; i < n; i++)
            digits = digits && isdigit((unsigned char)v[i]);
        if (!digits || (n != 6 && n != 9 && n != 12)) {
            snprintf(why, whysize, "%s: '%s' is not a 6, 9 or 12-digit division code", col->name,
                     v);
            return false;
        }
        snprintf(out, size, "%s%.*s", v, (int)(12 - n), "000000");
        return true;
    }
    }
    return false;
}

static int col_index(const imp_target *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

void imp_derive(const imp_target *t, char **vals, char bufs[][IMP_VALUE_MAX])
{
    if (strcmp(t->name, "hazards") == 0) {
        int rg = col_index(t, "risk_grade"), dl = col_index(t, "danger_level"),
            cat = col_index(t, "category");
        /* The four-colour grade follows the 险情 level when the file gives no grade. */
        if (!vals[rg]) {
            const char *d = vals[dl] ? vals[dl] : "";
            const char *g = strcmp(d, "extra_large") == 0 ? "red"
                            : strcmp(d, "large") == 0     ? "orange"
                            : strcmp(d, "medium") == 0    ? "yellow"
                                                          : "blue";
            snprintf(bufs[rg], IMP_VALUE_MAX, "%s", g);
            vals[rg] = bufs[rg];
        }
        if (!vals[cat]) {
            snprintf(bufs[cat], IMP_VALUE_MAX, "other");
            vals[cat] = bufs[cat];
        }
    } else if (strcmp(t->name, "key_places") == 0) {
        int cat = col_index(t, "category");
        if (!vals[cat]) {
            snprintf(bufs[cat], IMP_VALUE_MAX, "other");
            vals[cat] = bufs[cat];
        }
    } else if (strcmp(t->name, "grids") == 0) {
        int kind = col_index(t, "kind"), unit = col_index(t, "unit_type");
        if (!vals[kind]) {
            snprintf(bufs[kind], IMP_VALUE_MAX, "%s", vals[unit] ? "dedicated" : "base");
            vals[kind] = bufs[kind];
        }
    } else if (strcmp(t->name, "population_units") == 0) {
        int kind = col_index(t, "kind");
        if (!vals[kind]) {
            snprintf(bufs[kind], IMP_VALUE_MAX, "building");
            vals[kind] = bufs[kind];
        }
    }
}
