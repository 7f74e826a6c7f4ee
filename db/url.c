/* Finding the database: the configured URL or the private cluster's, and connecting. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

core_code db_url(char *out, size_t size, core_err *err)
{
    const char *env = getenv("PINGAN_DATABASE_URL");
    if (env && *env) {
        if (strlen(env) >= size)
            return core_fail(err, CORE_EINVAL, "PINGAN_DATABASE_URL is too long");
        strcpy(out, env);
        return CORE_OK;
    }
    char path[4096];
    const char *var = getenv("PINGAN_VAR");
    int n = var && *var ? snprintf(path, sizeof path, "%s/database_url", var)
                        : snprintf(path, sizeof path, "%s/var/database_url", core_home());
    if (n < 0 || (size_t)n >= sizeof path)
        return core_fail(err, CORE_EINVAL, "project path too long");
    char *text = core_read_file(path, NULL, NULL);
    if (!text)
        return core_fail(err, CORE_ENOTFOUND,
                         "no database configured: set PINGAN_DATABASE_URL or run "
                         "'pingan db init' to start the private cluster (%s missing)",
                         path);
    text[strcspn(text, "\r\n")] = '\0';
    bool fits = strlen(text) < size;
    if (fits)
        strcpy(out, text);
    free(text);
    return fits ? CORE_OK : core_fail(err, CORE_EINVAL, "database URL too long");
}

core_code db_url_with_dbname(const char *url, const char *dbname, char *out, size_t size,
                             core_err *err)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    if (!opts)
        return core_fail(err, CORE_EINVAL, "cannot parse the database URL");
    /* Rebuild as key=value pairs: libpq lets a later dbname win, so append ours last. */
    core_buf b = {0};
    bool ok = true;
    for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
        if (!o->val || strcmp(o->keyword, "dbname") == 0)
            continue;
        ok = core_buf_printf(&b, "%s='", o->keyword);
        for (const char *p = o->val; ok && *p; p++)
            ok = (*p == '\'' || *p == '\\') ? core_buf_printf(&b, "\\%c", *p)
                                            : core_buf_append(&b, p, 1);
        ok = ok && core_buf_puts(&b, "' ");
    }
    ok = ok && core_buf_printf(&b, "dbname='%s'", dbname);
    PQconninfoFree(opts);
    core_code rc = CORE_OK;
    if (!ok)
        rc = core_fail(err, CORE_ENOMEM, NULL);
    else if (b.len >= size)
        rc = core_fail(err, CORE_EINVAL, "connection string too long");
    else
        memcpy(out, b.data, b.len + 1);
    core_buf_free(&b);
    return rc;
}

PGconn *db_connect(const char *url, core_err *err)
{
    PGconn *c = PQconnectdb(url);
    if (!c) {
        core_fail(err, CORE_ENOMEM, NULL);
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        msg[strcspn(msg, "\n")] = '\0';
        core_fail(err, CORE_EUNAVAIL, "cannot connect to the database: %s", msg);
        PQfinish(c);
        return NULL;
    }
    /* Quiet NOTICEs (CREATE ... IF NOT EXISTS) that would otherwise go to stderr. JIT off:
     * compiling costs seconds for tile and feature queries that run in milliseconds. */
    PQclear(PQexec(c, "SET client_min_messages = warning; SET jit = off"));
    return c;
}

core_code db_create_database(const char *url, core_err *err)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    if (!opts)
        return core_fail(err, CORE_EINVAL, "cannot parse the database URL");
    char dbname[128] = "";
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "dbname") == 0 && o->val)
            snprintf(dbname, sizeof dbname, "%s", o->val);
    PQconninfoFree(opts);
    if (!*dbname)
        return core_fail(err, CORE_EINVAL, "the database URL names no database");

    char admin[4096];
    core_code rc = db_url_with_dbname(url, "postgres", admin, sizeof admin, err);
    if (rc)
        return rc;
    PGconn *c = db_connect(admin, err);
    if (!c)
        return err ? err->code : CORE_EUNAVAIL;
    const char *params[] = {dbname};
    PGresult *r =
        db_exec(c, PGRES_TUPLES_OK, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params, err);
    if (!r) {
        PQfinish(c);
        return err ? err->code : CORE_EDB;
    }
    bool exists = PQntuples(r) > 0;
    PQclear(r);
    if (!exists) {
        /* CREATE DATABASE takes no parameters: quote the identifier with libpq. */
        char *ident = PQescapeIdentifier(c, dbname, strlen(dbname));
        char sql[300];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", ident ? ident : "\"\"");
        PQfreemem(ident);
        rc = db_run(c, sql, 0, NULL, err);
    }
    PQfinish(c);
    return rc;
}
