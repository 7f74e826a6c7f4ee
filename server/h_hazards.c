/* Hazards over HTTP: a hazard's action log and new actions, what a hazard threatens, and the
 * exposure report. The lifecycle rules live in the database (hazard_transitions and
 * hazard_act() in 005_hazards.sql); these handlers parse, run one SQL file each and turn the
 * database's HZnnn errors into problem+json. */
#include "sqlfiles.h"
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
        if (strcmp(key, "action") && strcmp(key, "note") && strcmp(key, "photos") &&
            strcmp(key, "plan"))
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
            if (strcmp(key, "measures") && strcmp(key, "responsible_unit") &&
                strcmp(key, "deadline"))
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

/* ---- the exposure report ------------------------------------------------------------------ */

static const struct {
    const char *code, *zh;
} category_zh[] = {
    {"school", "学校"},
    {"kindergarten", "幼儿园"},
    {"training_institution", "培训机构"},
    {"elderly_care", "养老机构"},
    {"child_welfare", "儿童福利机构"},
    {"hospital", "医院"},
    {"park", "公园"},
    {"heritage_site", "文物古迹"},
    {"commercial_center", "大型商业中心"},
    {"market", "集贸市场"},
    {"industrial_park", "工业园区"},
    {"airport", "机场"},
    {"station", "车站"},
    {"bus_metro", "公交地铁"},
    {"railway", "铁路沿线"},
    {"port", "港口码头"},
    {"border_port", "口岸"},
    {"urban_village", "城中村"},
    {"urban_rural_fringe", "城乡结合部"},
    {"detention", "监管场所"},
    {"public_event", "大型群众性活动"},
    {"government", "党政机关"},
    {"other", "其他"},
};

static const char *zh_category(const char *code)
{
    for (size_t i = 0; i < sizeof category_zh / sizeof category_zh[0]; i++)
        if (strcmp(category_zh[i].code, code) == 0)
            return category_zh[i].zh;
    return code;
}

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

/* GET /reports/exposure?jurisdiction=CODE[&f=csv] — key places exposed to major hazards. */
int h_report_exposure(srv_req *r)
{
    int denied = read_denied(r);
    if (denied)
        return denied;
    char code[32] = "", prefix[16], f[16] = "json";
    if (!srv_query(r, "f", f, sizeof f) || !f[0])
        snprintf(f, sizeof f, "json");
    if (strcmp(f, "json") && strcmp(f, "csv"))
        return srv_problem(r, 400, "invalid_parameter", "f must be json or csv", NULL);
    if (!srv_query(r, "jurisdiction", code, sizeof code) ||
        !jurisdiction_prefix(code, prefix, sizeof prefix))
        return srv_problem(r, 400, "invalid_parameter",
                           "jurisdiction must be a division code (2, 4, 6, 9 or 12 digits)",
                           json_pack("{s:s}", "message_zh", "jurisdiction 应为行政区划代码"));
    if (r->scope[0] && strncmp(prefix, r->scope, strlen(r->scope)) != 0)
        return srv_problem(
            r, 403, "out_of_scope", "the jurisdiction is outside your scope",
            json_pack("{s:s, s:s}", "scope", r->scope, "message_zh", "该辖区不在您的管辖范围内"));
    PGconn *c = srv_db_acquire(r);
    if (!c)
        return r->status;
    char full[16];
    snprintf(full, sizeof full, "%-12s", prefix);
    for (char *p = full; *p; p++)
        if (*p == ' ')
            *p = '0';
    const char *jp[] = {full};
    PGresult *j = PQexecParams(c, "SELECT name, level FROM jurisdictions WHERE code = $1", 1, NULL,
                               jp, NULL, NULL, 0);
    const char *params[] = {prefix};
    PGresult *res = NULL;
    int rc;
    if (PQresultStatus(j) != PGRES_TUPLES_OK) {
        rc = db_problem(r, j);
    } else if (PQntuples(j) == 0) {
        rc = srv_problem(r, 404, "jurisdiction_not_found", "no such jurisdiction",
                         json_pack("{s:s}", "message_zh", "行政区划代码不存在"));
    } else if (!(res = run_sql(c, "report_exposure", 1, params)) ||
               PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = db_problem(r, res);
    } else if (strcmp(f, "csv") == 0) {
        core_buf b = {0};
        core_buf_append(&b, "\xEF\xBB\xBF", 3); /* BOM: Excel reads the file as UTF-8 */
        static const char *heads[] = {"排名",           "重点场所ID",   "重点场所编码",
                                      "重点场所名称",   "类别",         "村（社区）代码",
                                      "村（社区）名称", "重大隐患数",   "最近距离（米）",
                                      "是否逾期",       "最高升级级别", "隐患（距离）"};
        size_t nh = sizeof heads / sizeof heads[0];
        for (size_t i = 0; i < nh; i++)
            csv_field(&b, heads[i], i == nh - 1);
        for (int row = 0; row < PQntuples(res); row++) {
            const char *cells[] = {PQgetvalue(res, row, 0),
                                   PQgetvalue(res, row, 1),
                                   PQgetvalue(res, row, 2),
                                   PQgetvalue(res, row, 3),
                                   zh_category(PQgetvalue(res, row, 4)),
                                   PQgetvalue(res, row, 5),
                                   PQgetvalue(res, row, 6),
                                   PQgetvalue(res, row, 7),
                                   PQgetvalue(res, row, 8),
                                   strcmp(PQgetvalue(res, row, 9), "t") == 0 ? "是" : "否",
                                   PQgetvalue(res, row, 10),
                                   PQgetvalue(res, row, 12)};
            for (size_t i = 0; i < nh; i++)
                csv_field(&b, cells[i], i == nh - 1);
        }
        char hdr[160];
        snprintf(hdr, sizeof hdr,
                 "Content-Disposition: attachment; filename=\"exposure-%s.csv\"\r\n", prefix);
        rc = b.data ? srv_send(r, 200, "text/csv; charset=utf-8", b.data, b.len, hdr)
                    : srv_problem(r, 500, "out_of_memory", NULL, NULL);
        core_buf_free(&b);
    } else {
        json_t *places = json_array();
        for (int row = 0; row < PQntuples(res); row++) {
            json_t *p =
                json_pack("{s:I, s:I, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:I, s:f, s:b, s:I, s:o}",
                          "rank", (json_int_t)strtoll(PQgetvalue(res, row, 0), NULL, 10),
                          "key_place_id", (json_int_t)strtoll(PQgetvalue(res, row, 1), NULL, 10),
                          "code", PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2), "name",
                          PQgetvalue(res, row, 3), "category", PQgetvalue(res, row, 4),
                          "category_zh", zh_category(PQgetvalue(res, row, 4)), "village_code",
                          PQgetisnull(res, row, 5) ? NULL : PQgetvalue(res, row, 5), "village_name",
                          PQgetisnull(res, row, 6) ? NULL : PQgetvalue(res, row, 6),
                          "major_hazards", (json_int_t)strtoll(PQgetvalue(res, row, 7), NULL, 10),
                          "nearest_m", strtod(PQgetvalue(res, row, 8), NULL), "overdue",
                          strcmp(PQgetvalue(res, row, 9), "t") == 0, "max_escalation_level",
                          (json_int_t)strtoll(PQgetvalue(res, row, 10), NULL, 10), "hazards",
                          json_loads(PQgetvalue(res, row, 11), 0, NULL));
            json_array_append_new(places, p);
        }
        json_t *doc = json_pack("{s:{s:s, s:s, s:s, s:s}, s:s, s:I, s:o}", "jurisdiction", "code",
                                full, "prefix", prefix, "name", PQgetvalue(j, 0, 0), "level",
                                PQgetvalue(j, 0, 1), "ranking",
                                "schools and kindergartens first, then elderly, child welfare, "
                                "hospitals and training; then by number of major hazards and "
                                "nearest distance",
                                "numberReturned", (json_int_t)PQntuples(res), "key_places", places);
        rc = srv_send_json(r, 200, doc, NULL);
    }
    PQclear(res);
    PQclear(j);
    srv_db_release(r, c);
    return rc;
}
