/* The reports: coverage and staffing findings, and the Art. 57 scorecard, as JSON (built by
 * the SQL in data/sql/report_*.sql) or as CSV that Excel opens as it is (BOM, CRLF, quoting,
 * Chinese headers from the column tables below). */
#include "analysis.h"
#include "db.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The report SQL, read once per process: server threads have small stacks and no business
 * reading files per request. */
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;
static char *sql_findings, *sql_scorecard;
static core_err sql_err;

static void load_sql(void)
{
    sql_findings = db_sql("report_findings", &sql_err);
    if (sql_findings)
        sql_scorecard = db_sql("report_scorecard", &sql_err);
}

core_code ana_init(core_err *err)
{
    pthread_once(&sql_once, load_sql);
    if (sql_findings && sql_scorecard)
        return CORE_OK;
    if (err)
        *err = sql_err;
    return sql_err.code ? sql_err.code : CORE_EIO;
}

bool ana_kind_parse(const char *s, ana_kind *out)
{
    static const char *names[] = {"coverage", "staffing", "scorecard"};
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (ana_kind)i;
            return true;
        }
    return false;
}

bool ana_format_parse(const char *s, ana_format *out)
{
    if (s && strcmp(s, "json") == 0)
        *out = ANA_JSON;
    else if (s && strcmp(s, "csv") == 0)
        *out = ANA_CSV;
    else
        return false;
    return true;
}

/* One CSV column: the JSON key of a row and its header. "lon"/"lat" come from "location". */
typedef struct {
    const char *key;
    const char *header;
} column;

static const column finding_columns[] = {
    {"reason", "原因代码"},
    {"label_zh", "问题"},
    {"severity", "严重程度"},
    {"village_code", "村(社区)代码"},
    {"village_name", "村(社区)名称"},
    {"grid_code", "网格编码"},
    {"subject", "对象"},
    {"place_id", "重点场所ID"},
    {"hazard_id", "隐患ID"},
    {"worker_id", "网格员ID"},
    {"area_m2", "面积(平方米)"},
    {"value", "实际值"},
    {"bound", "标准值"},
    {"suggestion", "建议"},
    {"lon", "经度"},
    {"lat", "纬度"},
};

static const column scorecard_columns[] = {
    {"code", "区划代码"},
    {"name", "名称"},
    {"level", "层级"},
    {"coverage_pct", "网格覆盖率(%)"},
    {"covered_m2", "已覆盖面积(平方米)"},
    {"area_m2", "村(社区)总面积(平方米)"},
    {"community_staffed_pct", "专职网格员配备率(%)"},
    {"community_staffed", "已配专职的基层治理网格数"},
    {"grids_community", "基层治理网格数"},
    {"dedicated_pct", "重点场所专属网格设置率(%)"},
    {"places_with_dedicated", "已设专属网格的重点场所数"},
    {"places_need_dedicated", "应设专属网格的重点场所数"},
    {"on_time_pct", "隐患按期整改率(%)"},
    {"hazards_on_time", "按期整改隐患数"},
    {"hazards_due", "应整改隐患数"},
    {"gap_count", "未覆盖区域数"},
    {"gap_sliver_count", "未覆盖碎片数"},
    {"overlap_count", "网格重叠数"},
    {"fulltime_required", "应配专职网格员"},
    {"fulltime_actual", "实配专职网格员"},
};

/* RFC 4180: quote when the field holds a comma, quote, CR or LF; text that a spreadsheet would
 * take for a formula gets a leading apostrophe. */
static bool csv_field(core_buf *b, const char *s, bool text)
{
    bool formula = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote)
        return core_buf_puts(b, s);
    bool ok = core_buf_puts(b, formula ? "\"'" : "\"");
    for (const char *p = s; ok && *p; p++)
        ok = *p == '"' ? core_buf_puts(b, "\"\"") : core_buf_append(b, p, 1);
    return ok && core_buf_puts(b, "\"");
}

static bool csv_value(core_buf *b, json_t *row, const char *key)
{
    json_t *v;
    if (strcmp(key, "lon") == 0 || strcmp(key, "lat") == 0)
        v = json_array_get(json_object_get(row, "location"), key[1] == 'o' ? 0 : 1);
    else
        v = json_object_get(row, key);
    char num[64];
    switch (json_typeof(v ? v : json_null())) {
    case JSON_STRING:
        return csv_field(b, json_string_value(v), true);
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return core_buf_puts(b, num);
    case JSON_REAL:
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
        return core_buf_puts(b, num);
    case JSON_TRUE:
        return core_buf_puts(b, "true");
    case JSON_FALSE:
        return core_buf_puts(b, "false");
    default:
        return true;
    }
}

static bool csv_row(core_buf *b, json_t *row, const column *cols, size_t n)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 0 || core_buf_puts(b, ",")) && csv_value(b, row, cols[i].key);
    return ok && core_buf_puts(b, "\r\n");
}

static core_code to_csv(json_t *doc, ana_kind kind, core_buf *out, core_err *err)
{
    const column *cols = kind == ANA_SCORECARD ? scorecard_columns : finding_columns;
    size_t n = kind == ANA_SCORECARD ? sizeof scorecard_columns / sizeof scorecard_columns[0]
                                     : sizeof finding_columns / sizeof finding_columns[0];
    bool ok = core_buf_puts(out, "\xEF\xBB\xBF");
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 0 || core_buf_puts(out, ",")) && csv_field(out, cols[i].header, true);
    ok = ok && core_buf_puts(out, "\r\n");
    json_t *rows = json_object_get(doc, kind == ANA_SCORECARD ? "rows" : "findings");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (ok)
            ok = csv_row(out, row, cols, n);
    }
    if (ok && kind == ANA_SCORECARD) /* the jurisdiction's own total closes the table */
        ok = csv_row(out, json_object_get(doc, "total"), cols, n);
    return ok ? CORE_OK : core_fail(err, CORE_ENOMEM, "out of memory writing CSV");
}

/* The level of the rows a scorecard shows by default: the one below the jurisdiction's. */
static const char *child_level(const char *level)
{
    static const char *order[] = {"province", "city", "county", "township", "village"};
    for (int i = 0; i < 4; i++)
        if (strcmp(level, order[i]) == 0)
            return order[i + 1];
    return "village";
}

static bool valid_level(const char *s)
{
    return strcmp(s, "city") == 0 || strcmp(s, "county") == 0 || strcmp(s, "township") == 0 ||
           strcmp(s, "village") == 0;
}

core_code ana_report(PGconn *c, ana_kind kind, const char *code, const char *level, ana_format fmt,
                     core_buf *out, core_err *err)
{
    if (!code || strlen(code) != 12 || strspn(code, "0123456789") != 12)
        return core_fail(err, CORE_EINVAL, "jurisdiction must be a 12-digit division code");
    if (level && *level && !valid_level(level))
        return core_fail(err, CORE_EINVAL, "level must be city, county, township or village");
    const char *p1[] = {code};
    PGresult *r =
        db_exec(c, PGRES_TUPLES_OK, "SELECT level FROM jurisdictions WHERE code = $1", 1, p1, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return core_fail(err, CORE_ENOTFOUND, "no jurisdiction %s", code);
    }
    char own_level[16];
    snprintf(own_level, sizeof own_level, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);

    core_code rc = ana_refresh(c, code, NULL, err);
    if (rc)
        return rc;
    if ((rc = ana_init(err)))
        return rc;
    const char *sql = kind == ANA_SCORECARD ? sql_scorecard : sql_findings;
    const char *second = kind == ANA_SCORECARD  ? (level && *level ? level : child_level(own_level))
                         : kind == ANA_COVERAGE ? "coverage"
                                                : "staffing";
    const char *p2[] = {code, second};
    r = db_exec(c, PGRES_TUPLES_OK, sql, 2, p2, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    const char *text = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "{}";
    if (fmt == ANA_JSON) {
        rc = core_buf_puts(out, text) ? CORE_OK : core_fail(err, CORE_ENOMEM, NULL);
    } else {
        json_error_t je;
        json_t *doc = json_loads(text, 0, &je);
        rc = doc ? to_csv(doc, kind, out, err)
                 : core_fail(err, CORE_EFORMAT, "report is not JSON: %s", je.text);
        json_decref(doc);
    }
    PQclear(r);
    return rc;
}
