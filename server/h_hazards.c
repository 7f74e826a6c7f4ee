/* Hazards over HTTP: a hazard's action log and new actions, what a hazard threatens, and the
 * exposure report. The lifecycle rules live in the database (hazard_transitions and
 * hazard_act() in 005_hazards.sql); these handlers parse, run one SQL file each and turn the
 * database's HZnnn errors into problem+json. */
#include "feature_query.h"
#include "srv_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HZ_MAX_BODY   (64 * 1024)
#define HZ_MAX_PHOTOS 20

/* SQLSTATEs raised by hazard_act() and the status guard; message and Chinese text come from
 * the database, the HTTP status and the stable code from here. */
static const struct {
    const char *state;
    int status;
    const char *code;
} hz_errors[] = {
    {"HZ001", 422, "unknown_action"},   {"HZ002", 409, "transition_not_allowed"},
    {"HZ003", 403, "forbidden_role"},   {"HZ004", 403, "out_of_scope"},
    {"HZ005", 422, "plan_required"},    {"HZ006", 422, "plan_invalid"},
    {"HZ007", 404, "hazard_not_found"}, {"HZ008", 409, "status_changes_through_actions"},
};

static bool is_anonymous(const srv_req *r)
{
    return strcmp(r->role, "anonymous") == 0 || !r->role[0];
}

static int unauthorized(srv_req *r, const char *en, const char *zh)
{
    json_t *extra = json_pack("{s:s, s:s}", "message_en", en, "message_zh", zh);
    return srv_problem_ex(r, 401, "unauthorized", en, extra,
                          "WWW-Authenticate: Bearer realm=\"pingan\"\r\n");
}

/* Reads are open to anonymous callers only when anonymous_reads is on. */
static int read_denied(srv_req *r)
{
    if (r->server->cfg.anonymous_reads || !is_anonymous(r))
        return 0;
    return unauthorized(r, "a token is required to read hazards", "查看隐患需要令牌");
}

/* The {id} capture as a positive integer in text, or false. */
static bool hazard_id(const srv_req *r, int i)
{
    const char *s = i < r->nparams ? r->params[i] : NULL;
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 18 && strspn(s, "0123456789") == n && s[0] != '0';
}

/* Runs data/sql/<name>.sql; the result may be an error result (caller PQclear()s), or NULL
 * when the file cannot be read or the connection failed outright. */
static PGresult *run_sql(PGconn *c, const char *name, int n, const char *const *params)
{
    core_err err = {0};
    const char *sql = srv_sql(name, &err);
    if (!sql) {
        core_log(CORE_LOG_ERROR, "sql_missing", "\"name\":\"%s\"", name);
        return NULL;
    }
    return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
}

/* Sends the problem for a failed statement: the mapped HZnnn code, else 500 (logged). */
static int db_problem(srv_req *r, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    for (size_t i = 0; state && i < sizeof hz_errors / sizeof hz_errors[0]; i++) {
        if (strcmp(state, hz_errors[i].state) != 0)
            continue;
        const char *en = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *zh = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        json_t *extra = detail ? json_loads(detail, 0, NULL) : NULL;
        if (!json_is_object(extra)) {
            json_decref(extra);
            extra = json_object();
        }
        json_object_set_new(extra, "message_en", json_string(en ? en : ""));
        json_object_set_new(extra, "message_zh", json_string(zh ? zh : ""));
        if (hz_errors[i].status == 403 && is_anonymous(r) && strcmp(state, "HZ003") == 0) {
            json_decref(extra);
            return unauthorized(r, "a token is required to act on hazards", "处置隐患需要令牌");
        }
        return srv_problem(r, hz_errors[i].status, hz_errors[i].code, en, extra);
    }
    core_log(CORE_LOG_ERROR, "hazard_sql", "\"sqlstate\":\"%s\"", state ? state : "none");
    return srv_problem(r, 500, "database_error", "the database refused the request", NULL);
}

static int bad_body(srv_req *r, const char *en, const char *zh, const char *member)
{
    json_t *extra = json_pack("{s:s, s:s}", "message_en", en, "message_zh", zh);
    if (member)
        json_object_set_new(extra, "member", json_string(member));
    return srv_problem(r, 400, "invalid_body", en, extra);
}

/* Checks the action body's shape: {action, note?, photos?[], plan?{measures, responsible_unit,
 * deadline}}; sends 400 and returns its status when it is wrong, 0 when it is right. */
static int check_action_body(srv_req *r, json_t *doc)
{
    if (!json_is_object(doc))
        return bad_body(r, "the body must be a JSON object {action, note, photos, plan}",
                        "请求体应为 JSON 对象 {action, note, photos, plan}", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "action") != 0 && strcmp(key, "note") != 0 && strcmp(key, "photos") != 0 &&
            strcmp(key, "plan") != 0)
            return bad_body(r, "unknown member in the body", "请求体含未知字段", key);
    }
    json_t *action = json_object_get(doc, "action");
    if (!json_is_string(action) || !json_string_length(action))
        return bad_body(r, "action is required (a string)", "缺少处置动作 action", "action");
    json_t *note = json_object_get(doc, "note");
    if (note && !json_is_null(note) && (!json_is_string(note) || json_string_length(note) > 4000))
        return bad_body(r, "note must be a string of at most 4000 characters",
                        "note 应为不超过 4000 字的文本", "note");
    json_t *photos = json_object_get(doc, "photos");
    if (photos && !json_is_null(photos)) {
        if (!json_is_array(photos) || json_array_size(photos) > HZ_MAX_PHOTOS)
            return bad_body(r, "photos must be an array of at most 20 references",
                            "photos 应为不超过 20 项的照片引用数组", "photos");
        size_t i;
        json_array_foreach(photos, i, v)
        {
            if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 500)
                return bad_body(r, "each photo reference must be a non-empty string (≤ 500)",
                                "照片引用应为非空文本（不超过 500 字）", "photos");
        }
    }
    json_t *plan = json_object_get(doc, "plan");
    if (plan && !json_is_null(plan)) {
        if (!json_is_object(plan))
            return bad_body(r, "plan must be an object {measures, responsible_unit, deadline}",
                            "plan 应为 {measures, responsible_unit, deadline}", "plan");
        json_object_foreach(plan, key, v)
        {
            if (strcmp(key, "measures") != 0 && strcmp(key, "responsible_unit") != 0 &&
                strcmp(key, "deadline") != 0)
                return bad_body(r, "unknown member in the plan", "整改方案含未知字段", key);
            if (!json_is_string(v) && !json_is_null(v))
                return bad_body(r, "plan members must be strings", "整改方案各项应为文本", key);
        }
    }
    return 0;
}

/* GET /collections/hazards/items/{id}/actions — the state and the whole action log. */
int h_hazard_actions_get(srv_req *r)
{
    int denied = read_denied(r);
    if (denied)
        return denied;
    if (!hazard_id(r, 0))
        return srv_problem(r, 404, "hazard_not_found", "no such hazard", NULL);
    PGconn *c = srv_db_acquire(r);
    if (!c)
        return r->status;
    const char *params[] = {r->params[0], r->role};
    PGresult *res = run_sql(c, "hazard_actions_list", 2, params);
    int rc;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = db_problem(r, res);
    } else if (PQntuples(res) == 0) {
        rc = srv_problem(r, 404, "hazard_not_found", "no such hazard", NULL);
    } else {
        char etag[64];
        snprintf(etag, sizeof etag, "ETag: \"h%s-v%s\"\r\n", r->params[0], PQgetvalue(res, 0, 1));
        const char *body = PQgetvalue(res, 0, 0);
        rc = srv_send(r, 200, "application/json", body, strlen(body), etag);
    }
    PQclear(res);
    srv_db_release(r, c);
    return rc;
}

/* POST /collections/hazards/items/{id}/actions — body {action, note, photos[], plan{…}}. */
int h_hazard_actions_post(srv_req *r)
{
    if (!hazard_id(r, 0))
        return srv_problem(r, 404, "hazard_not_found", "no such hazard", NULL);
    core_buf text = {0};
    int rc = srv_read_body(r, &text, HZ_MAX_BODY);
    json_error_t jerr;
    json_t *doc = rc || !text.data ? NULL : json_loadb(text.data, text.len, 0, &jerr);
    core_buf_free(&text);
    if (rc)
        return rc;
    if (!doc) {
        json_t *extra = json_pack("{s:s}", "message_zh", "请求体不是合法的 JSON");
        return srv_problem(r, 400, "invalid_json", "the body is not valid JSON", extra);
    }
    rc = check_action_body(r, doc);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    json_t *photos = json_object_get(doc, "photos");
    json_t *plan = json_object_get(doc, "plan");
    json_t *note = json_object_get(doc, "note");
    char *photos_text = json_is_array(photos) ? json_dumps(photos, JSON_COMPACT) : NULL;
    char *plan_text = json_is_object(plan) ? json_dumps(plan, JSON_COMPACT) : NULL;
    const char *params[] = {r->params[0], json_string_value(json_object_get(doc, "action")),
                            r->actor,     r->role,
                            r->scope,     json_is_string(note) ? json_string_value(note) : NULL,
                            photos_text,  plan_text};
    PGconn *c = srv_db_acquire(r);
    if (!c) {
        rc = r->status;
    } else {
        PGresult *res = run_sql(c, "hazard_act", 8, params);
        if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            rc = db_problem(r, res);
        } else {
            json_t *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
            json_object_set_new(out, "hazard_version",
                                json_integer(strtol(PQgetvalue(res, 0, 1), NULL, 10)));
            core_log(CORE_LOG_INFO, "hazard_action",
                     "\"hazard\":%s,\"action\":\"%s\",\"actor\":\"%s\"", r->params[0],
                     json_string_value(json_object_get(out, "action")), r->actor);
            rc = srv_send_json(r, 201, out, NULL);
        }
        PQclear(res);
        srv_db_release(r, c);
    }
    free(photos_text);
    free(plan_text);
    json_decref(doc);
    return rc;
}

/* GET /hazards/{id}/exposure — who and what the hazard threatens. */
int h_hazard_exposure(srv_req *r)
{
    int denied = read_denied(r);
    if (denied)
        return denied;
    if (!hazard_id(r, 0))
        return srv_problem(r, 404, "hazard_not_found", "no such hazard", NULL);
    PGconn *c = srv_db_acquire(r);
    if (!c)
        return r->status;
    const char *params[] = {r->params[0], r->role, r->scope};
    PGresult *res = run_sql(c, "hazard_exposure", 3, params);
    int rc;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = db_problem(r, res);
    else if (PQntuples(res) == 0)
        rc = srv_problem(r, 404, "hazard_not_found", "no such hazard", NULL);
    else
        rc = srv_send(r, 200, "application/json", PQgetvalue(res, 0, 0),
                      strlen(PQgetvalue(res, 0, 0)), NULL);
    PQclear(res);
    srv_db_release(r, c);
    return rc;
}

/* ---- reports: exposure and the hazard list, as JSON or CSV -------------------------------- */

/* Chinese for the coded values a spreadsheet reader should not have to decode. */
static const struct {
    const char *column, *code, *zh;
} zh_values[] = {
    {"category", "school", "学校"},
    {"category", "kindergarten", "幼儿园"},
    {"category", "training_institution", "培训机构"},
    {"category", "elderly_care", "养老机构"},
    {"category", "child_welfare", "儿童福利机构"},
    {"category", "hospital", "医院"},
    {"category", "park", "公园"},
    {"category", "heritage_site", "文物古迹"},
    {"category", "commercial_center", "大型商业中心"},
    {"category", "market", "集贸市场"},
    {"category", "industrial_park", "工业园区"},
    {"category", "airport", "机场"},
    {"category", "station", "车站"},
    {"category", "bus_metro", "公交地铁"},
    {"category", "railway", "铁路沿线"},
    {"category", "port", "港口码头"},
    {"category", "border_port", "口岸"},
    {"category", "urban_village", "城中村"},
    {"category", "urban_rural_fringe", "城乡结合部"},
    {"category", "detention", "监管场所"},
    {"category", "public_event", "大型群众性活动"},
    {"category", "government", "党政机关"},
    {"category", "landslide", "滑坡"},
    {"category", "collapse", "崩塌"},
    {"category", "debris_flow", "泥石流"},
    {"category", "subsidence", "地面塌陷"},
    {"category", "ground_fissure", "地裂缝"},
    {"category", "accident", "事故隐患"},
    {"category", "dangerous_goods", "危险化学品"},
    {"category", "fire", "火灾隐患"},
    {"category", "flood", "洪涝"},
    {"category", "river_basin", "流域"},
    {"category", "traffic", "交通隐患"},
    {"category", "public_security", "治安隐患"},
    {"category", "other", "其他"},
    {"risk_grade", "red", "重大（红）"},
    {"risk_grade", "orange", "较大（橙）"},
    {"risk_grade", "yellow", "一般（黄）"},
    {"risk_grade", "blue", "低（蓝）"},
    {"accident_grade", "general", "一般"},
    {"accident_grade", "major", "重大"},
    {"danger_level", "extra_large", "特大型"},
    {"danger_level", "large", "大型"},
    {"danger_level", "medium", "中型"},
    {"danger_level", "small", "小型"},
    {"status", "reported", "已上报"},
    {"status", "confirmed", "已确认"},
    {"status", "rectifying", "整改中"},
    {"status", "rectified", "已整改"},
    {"status", "closed", "已验收销号"},
    {"status", "rejected", "不予确认"},
};

static const char *zh_value(const char *column, const char *code)
{
    for (size_t i = 0; i < sizeof zh_values / sizeof zh_values[0]; i++)
        if (strcmp(zh_values[i].column, column) == 0 && strcmp(zh_values[i].code, code) == 0)
            return zh_values[i].zh;
    return NULL;
}

/* A report column: the result column, its Chinese CSV header, and where it goes. */
enum { IN_JSON = 1, IN_CSV = 2, IN_BOTH = 3 };
typedef struct {
    const char *column, *zh;
    int where;
} report_col;

static const report_col exposure_cols[] = {
    {"rank", "排名", IN_BOTH},
    {"key_place_id", "重点场所ID", IN_BOTH},
    {"code", "重点场所编码", IN_BOTH},
    {"name", "重点场所名称", IN_BOTH},
    {"category", "类别", IN_BOTH},
    {"village_code", "村（社区）代码", IN_BOTH},
    {"village_name", "村（社区）名称", IN_BOTH},
    {"major_hazards", "重大隐患数", IN_BOTH},
    {"nearest_m", "最近距离（米）", IN_BOTH},
    {"overdue", "是否逾期", IN_BOTH},
    {"max_escalation_level", "最高督办级别", IN_BOTH},
    {"hazards", NULL, IN_JSON},
    {"hazard_text", "隐患（距离）", IN_CSV},
    {NULL, NULL, 0},
};

static const report_col hazard_cols[] = {
    {"id", "隐患ID", IN_BOTH},
    {"code", "编码", IN_BOTH},
    {"name", "名称", IN_BOTH},
    {"category", "类别", IN_BOTH},
    {"subcategory", "细类", IN_BOTH},
    {"risk_grade", "风险等级", IN_BOTH},
    {"accident_grade", "隐患等级", IN_BOTH},
    {"danger_level", "险情等级", IN_BOTH},
    {"major", "重大隐患", IN_BOTH},
    {"status", "状态", IN_BOTH},
    {"found_on", "发现日期", IN_BOTH},
    {"deadline", "整改期限", IN_BOTH},
    {"responsible_unit", "责任单位", IN_BOTH},
    {"overdue", "是否逾期", IN_BOTH},
    {"escalation_level", "督办级别", IN_BOTH},
    {"escalated_at", "督办时间", IN_BOTH},
    {"village_code", "村（社区）代码", IN_BOTH},
    {"village_name", "村（社区）名称", IN_BOTH},
    {"threatened_households", "威胁户数", IN_BOTH},
    {"threatened_persons", "威胁人数", IN_BOTH},
    {"in_school_zone", "位于校园安全区", IN_BOTH},
    {NULL, NULL, 0},
};

/* One CSV field: quoted when needed, and a leading = + - @ neutralised so that a spreadsheet
 * does not run a name as a formula. */
static void csv_field(core_buf *b, const char *s, bool last)
{
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        core_buf_append(b, "\"", 1);
    if (formula)
        core_buf_append(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            core_buf_append(b, "\"", 1);
        core_buf_append(b, p, 1);
    }
    if (quote)
        core_buf_append(b, "\"", 1);
    core_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

/* PostgreSQL type OIDs the JSON rows care about. */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802
};

static json_t *json_cell(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    const char *v = PQgetvalue(res, row, col);
    switch (PQftype(res, col)) {
    case OID_BOOL:
        return json_boolean(v[0] == 't');
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return json_integer((json_int_t)strtoll(v, NULL, 10));
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return json_real(strtod(v, NULL));
    case OID_JSON:
    case OID_JSONB: {
        json_t *doc = json_loads(v, JSON_DECODE_ANY, NULL);
        return doc ? doc : json_null();
    }
    default:
        return json_string(v);
    }
}

/* Sends the rows as CSV (UTF-8 with BOM, Chinese headers, coded values in Chinese) or as
 * JSON ({…head, numberReturned, <key>: [rows]}; head is taken). */
static int send_report(srv_req *r, const PGresult *res, const report_col *cols, bool csv,
                       const char *key, const char *filename, json_t *head)
{
    int idx[32], n = 0;
    for (; n < 32 && cols[n].column; n++)
        idx[n] = PQfnumber(res, cols[n].column);
    if (csv) {
        json_decref(head);
        core_buf b = {0};
        core_buf_append(&b, "\xEF\xBB\xBF", 3); /* BOM: Excel reads the file as UTF-8 */
        int last = -1;
        for (int c = 0; c < n; c++)
            if (cols[c].where & IN_CSV)
                last = c;
        for (int c = 0; c < n; c++)
            if (cols[c].where & IN_CSV)
                csv_field(&b, cols[c].zh, c == last);
        for (int row = 0; row < PQntuples(res); row++) {
            for (int c = 0; c < n; c++) {
                if (!(cols[c].where & IN_CSV))
                    continue;
                const char *v = idx[c] < 0 ? "" : PQgetvalue(res, row, idx[c]);
                const char *zh = zh_value(cols[c].column, v);
                if (idx[c] >= 0 && PQftype(res, idx[c]) == OID_BOOL)
                    zh = v[0] == 't' ? "是" : "否";
                csv_field(&b, zh ? zh : v, c == last);
            }
        }
        char hdr[200];
        snprintf(hdr, sizeof hdr, "Content-Disposition: attachment; filename=\"%s.csv\"\r\n",
                 filename);
        int rc = b.data ? srv_send(r, 200, "text/csv; charset=utf-8", b.data, b.len, hdr)
                        : srv_problem(r, 500, "out_of_memory", NULL, NULL);
        core_buf_free(&b);
        return rc;
    }
    json_t *rows = json_array();
    for (int row = 0; row < PQntuples(res); row++) {
        json_t *o = json_object();
        for (int c = 0; c < n; c++) {
            if (!(cols[c].where & IN_JSON) || idx[c] < 0)
                continue;
            json_object_set_new(o, cols[c].column, json_cell(res, row, idx[c]));
            const char *zh = zh_value(cols[c].column, PQgetvalue(res, row, idx[c]));
            if (zh) {
                char name[64];
                snprintf(name, sizeof name, "%s_zh", cols[c].column);
                json_object_set_new(o, name, json_string(zh));
            }
        }
        json_array_append_new(rows, o);
    }
    json_object_set_new(head, "numberReturned", json_integer(PQntuples(res)));
    json_object_set_new(head, key, rows);
    return srv_send_json(r, 200, head, NULL);
}

/* The code's prefix (2, 4, 6, 9 or 12 digits, or a 12-digit code cut to its level), or false. */
static bool jurisdiction_prefix(const char *code, char *out, size_t size)
{
    size_t n = strlen(code);
    if (strspn(code, "0123456789") != n || (n != 2 && n != 4 && n != 6 && n != 9 && n != 12) ||
        code[0] == '0' || n >= size)
        return false;
    memcpy(out, code, n + 1);
    static const size_t cuts[] = {9, 6, 4, 2};
    for (size_t i = 0; n == 12 && i < 4; i++) {
        if (strspn(out + cuts[i], "0") == strlen(out + cuts[i]))
            out[cuts[i]] = '\0';
    }
    return true;
}

/* The parts every report shares: f=json|csv, ?jurisdiction= checked against the caller's
 * scope and the division list, a connection. Returns 0 with *c, prefix and the jurisdiction's
 * JSON (caller's), or the status of the problem already sent. */
static int report_start(srv_req *r, PGconn **c, char *prefix, bool *csv, json_t **juris)
{
    int denied = read_denied(r);
    if (denied)
        return denied;
    char code[32] = "", f[16] = "";
    if (!srv_query(r, "f", f, sizeof f) || !f[0])
        snprintf(f, sizeof f, "json");
    if (strcmp(f, "json") != 0 && strcmp(f, "csv") != 0)
        return srv_problem(r, 400, "invalid_parameter", "f must be json or csv", NULL);
    *csv = strcmp(f, "csv") == 0;
    if (!srv_query(r, "jurisdiction", code, sizeof code) || !jurisdiction_prefix(code, prefix, 16))
        return srv_problem(r, 400, "invalid_parameter",
                           "jurisdiction must be a division code (2, 4, 6, 9 or 12 digits)",
                           json_pack("{s:s}", "message_zh", "jurisdiction 应为行政区划代码"));
    if (r->scope[0] && strncmp(prefix, r->scope, strlen(r->scope)) != 0)
        return srv_problem(
            r, 403, "out_of_scope", "the jurisdiction is outside your scope",
            json_pack("{s:s, s:s}", "scope", r->scope, "message_zh", "该辖区不在您的管辖范围内"));
    if (!(*c = srv_db_acquire(r)))
        return r->status;
    char full[16];
    snprintf(full, sizeof full, "%s000000000000", prefix);
    full[12] = '\0';
    const char *jp[] = {full};
    PGresult *j = PQexecParams(*c, "SELECT name, level FROM jurisdictions WHERE code = $1", 1, NULL,
                               jp, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(j) != PGRES_TUPLES_OK)
        rc = db_problem(r, j);
    else if (PQntuples(j) == 0)
        rc = srv_problem(r, 404, "jurisdiction_not_found", "no such jurisdiction",
                         json_pack("{s:s}", "message_zh", "行政区划代码不存在"));
    else
        *juris = json_pack("{s:s, s:s, s:s, s:s}", "code", full, "prefix", prefix, "name",
                           PQgetvalue(j, 0, 0), "level", PQgetvalue(j, 0, 1));
    PQclear(j);
    if (rc) {
        srv_db_release(r, *c);
        *c = NULL;
    }
    return rc;
}

/* GET /reports/exposure?jurisdiction=CODE[&f=csv] — key places exposed to major hazards. */
int h_report_exposure(srv_req *r)
{
    PGconn *c = NULL;
    char prefix[16];
    bool csv = false;
    json_t *juris = NULL;
    int rc = report_start(r, &c, prefix, &csv, &juris);
    if (rc)
        return rc;
    const char *params[] = {prefix};
    PGresult *res = run_sql(c, "report_exposure", 1, params);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        json_decref(juris);
        rc = db_problem(r, res);
    } else {
        char name[40];
        snprintf(name, sizeof name, "exposure-%s", prefix);
        json_t *head = json_pack("{s:o, s:s}", "jurisdiction", juris, "ranking",
                                 "schools and kindergartens first, then elderly, child welfare, "
                                 "hospitals and training; then by number of major hazards and "
                                 "nearest distance");
        rc = send_report(r, res, exposure_cols, csv, "key_places", name, head);
    }
    PQclear(res);
    srv_db_release(r, c);
    return rc;
}

/* GET /reports/hazards?jurisdiction=CODE[&status=open|all|<status>][&overdue=true][&f=csv] —
 * the jurisdiction's hazard list, most escalated and overdue first. */
int h_report_hazards(srv_req *r)
{
    char status[16] = "", overdue[8] = "";
    if (!srv_query(r, "status", status, sizeof status) || !status[0])
        snprintf(status, sizeof status, "open");
    static const char *const statuses[] = {"open",       "all",       "reported", "confirmed",
                                           "rectifying", "rectified", "closed",   "rejected"};
    bool known = false;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        known = known || strcmp(status, statuses[i]) == 0;
    if (!known)
        return srv_problem(r, 400, "invalid_parameter",
                           "status must be open, all or one of the lifecycle states", NULL);
    srv_query(r, "overdue", overdue, sizeof overdue);
    if (overdue[0] && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        return srv_problem(r, 400, "invalid_parameter", "overdue must be true or false", NULL);
    PGconn *c = NULL;
    char prefix[16];
    bool csv = false;
    json_t *juris = NULL;
    int rc = report_start(r, &c, prefix, &csv, &juris);
    if (rc)
        return rc;
    const char *params[] = {prefix, status, overdue};
    PGresult *res = run_sql(c, "report_hazards", 3, params);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        json_decref(juris);
        rc = db_problem(r, res);
    } else {
        char name[40];
        snprintf(name, sizeof name, "hazards-%s", prefix);
        json_t *head = json_pack("{s:o, s:s, s:b}", "jurisdiction", juris, "status", status,
                                 "overdue_only", strcmp(overdue, "true") == 0);
        rc = send_report(r, res, hazard_cols, csv, "hazards", name, head);
    }
    PQclear(res);
    srv_db_release(r, c);
    return rc;
}
