/* GET /locate?lon=&lat=[&crs=]: what a 12345 hotline dispatcher needs to route a report —
 * the jurisdiction chain, every grid covering the point and its workers — in one query. */
#include "feature_query.h"

#include <stdio.h>
#include <stdlib.h>

int h_locate(srv_req *r)
{
    static const char *const known[] = {"lon", "lat", "crs", "f", NULL};
    int st = srv_check_params(r, known, NULL);
    if (st)
        return st;
    /* it names grid workers: readable exactly when their collection is */
    if (!srv_coll_readable(srv_coll_find("grid_workers"), r->role, r->server->cfg.anonymous_reads))
        return srv_problem_ex(r, 401, "unauthorized", "locate needs a token here", NULL,
                              "WWW-Authenticate: Bearer\r\n");
    char lon[64], lat[64], crsname[200];
    double x, y;
    if (!srv_query(r, "lon", lon, sizeof lon) || !srv_query(r, "lat", lat, sizeof lat))
        return srv_problem(r, 400, "missing_parameter", "lon and lat are required", NULL);
    if (!srv_parse_double(lon, &x) || !srv_parse_double(lat, &y))
        return srv_problem(r, 400, "invalid_coordinates", "lon and lat must be numbers", NULL);
    const srv_crs *crs = srv_crs_at(0);
    if (srv_query(r, "crs", crsname, sizeof crsname) && !(crs = srv_crs_find(crsname)))
        return srv_problem(r, 400, "invalid_crs", "crs is not one this server supports",
                           json_pack("{s:s}", "parameter", "crs"));
    if ((crs->srid == 4326 || crs->srid == 4490) && (x < -180 || x > 180 || y < -90 || y > 90))
        return srv_problem(r, 400, "invalid_coordinates",
                           "lon must be within ±180 and lat within ±90", NULL);
    core_err err = {0};
    const char *sql = srv_sql("locate", &err);
    if (!sql)
        return srv_problem(r, 500, "internal", err.msg, NULL);
    PGconn *conn = srv_db_acquire(r);
    if (!conn)
        return 503;
    char srid[16];
    snprintf(srid, sizeof srid, "%d", crs->srid);
    const char *args[4] = {lon, lat, srid, srv_personal_scope(r)};
    PGresult *res = srv_exec_prepared(conn, "pingan_locate", sql, 4, args, &err);
    if (!res) {
        st = srv_db_problem(r, conn, "locate");
    } else {
        st = srv_send(r, 200, "application/json", PQgetvalue(res, 0, 0),
                      (size_t)PQgetlength(res, 0, 0), NULL);
    }
    PQclear(res);
    srv_db_release(r, conn);
    return st;
}
