/* Running statements with bound parameters, and turning libpq failures into core_err. */
#include "db.h"

#include <stdio.h>
#include <string.h>

core_code db_fail(PGconn *c, const PGresult *r, core_err *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    char clean[400];
    snprintf(clean, sizeof clean, "%s", msg && *msg ? msg : "unknown database error");
    clean[strcspn(clean, "\n")] = '\0';
    core_code code = PQstatus(c) == CONNECTION_OK ? CORE_EDB : CORE_EUNAVAIL;
    return core_fail(err, code, "%s%s%s%s", clean, state ? " (SQLSTATE " : "", state ? state : "",
                     state ? ")" : "");
}

PGresult *db_exec(PGconn *c, ExecStatusType expect, const char *sql, int nparams,
                  const char *const *params, core_err *err)
{
    PGresult *r =
        nparams > 0 ? PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
    if (!r || PQresultStatus(r) != expect) {
        db_fail(c, r, err);
        PQclear(r);
        return NULL;
    }
    return r;
}

core_code db_run(PGconn *c, const char *sql, int nparams, const char *const *params, core_err *err)
{
    PGresult *r =
        nparams > 0 ? PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    core_code rc = CORE_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = db_fail(c, r, err);
    PQclear(r);
    return rc;
}

char *db_sql(const char *name, core_err *err)
{
    char path[4096];
    bool fits = strchr(name, '/') ? core_path(path, sizeof path, name)
                                  : (snprintf(path, sizeof path, "%s/data/sql/%s.sql", core_home(),
                                              name) < (int)sizeof path);
    if (!fits) {
        core_fail(err, CORE_EINVAL, "SQL file path too long");
        return NULL;
    }
    return core_read_file(path, NULL, err);
}
