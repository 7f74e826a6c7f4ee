/* The pages' own routes: the grid editor page, and the jurisdiction search behind the
 * situation display's search box and its click-to-drill-down. */
#include "srv_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int h_editor_page(srv_req *r)
{
    return srv_send_file(r, "editor.html");
}

static bool is_level(const char *s)
{
    static const char *const levels[] = {"province", "city", "county", "township", "village"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(s, levels[i]) == 0)
            return true;
    return false;
}

static bool is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    return *end == '\0';
}

/* GET /search/jurisdictions?q=<name or code prefix> | ?parent=<code> | ?at=lon,lat&level=L
 * → a JSON array (at most 20) of {code, name, level, kind, parent_code, path, bbox}. */
int h_search_jurisdictions(srv_req *r)
{
    char q[128] = "", parent[16] = "", at[64] = "", level[16] = "village";
    srv_query(r, "q", q, sizeof q);
    srv_query(r, "parent", parent, sizeof parent);
    srv_query(r, "at", at, sizeof at);
    srv_query(r, "level", level, sizeof level);
    char lon[64] = "", lat[64] = "";
    if (*at) {
        char *comma = strchr(at, ',');
        if (comma) {
            *comma = '\0';
            snprintf(lon, sizeof lon, "%s", at);
            snprintf(lat, sizeof lat, "%s", comma + 1);
        }
        if (!is_number(lon) || !is_number(lat))
            return srv_problem(r, 400, "invalid_parameter", "at must be lon,lat in degrees", NULL);
        if (!is_level(level))
            return srv_problem(r, 400, "invalid_parameter",
                               "level must be province, city, county, township or village", NULL);
    }
    if (!*q && !*parent && !*at)
        return srv_problem(r, 400, "missing_parameter", "give q, parent or at", NULL);
    /* LIKE metacharacters in the search text are literal. */
    for (char *p = q; *p; p++)
        if (*p == '%' || *p == '_' || *p == '\\')
            *p = ' ';

    core_err err = {0};
    char *sql = db_sql("search_jurisdictions", &err);
    if (!sql)
        return srv_problem(r, 500, "internal", "search query missing", NULL);
    PGconn *c = srv_db_acquire(r);
    if (!c) {
        free(sql);
        return 503;
    }
    const char *params[] = {q, parent, lon, lat, level};
    PGresult *res = db_exec(c, PGRES_TUPLES_OK, sql, 5, params, &err);
    free(sql);
    int status;
    if (!res || PQntuples(res) != 1) {
        status = srv_problem(r, 500, "database_error", "the search failed", NULL);
    } else {
        const char *body = PQgetvalue(res, 0, 0);
        status =
            srv_send(r, 200, "application/json", body, strlen(body), "Cache-Control: no-cache\r\n");
    }
    PQclear(res);
    srv_db_release(r, c);
    return status;
}
