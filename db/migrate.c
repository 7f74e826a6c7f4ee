/* Versioned migrations: ordered SQL files, each applied once in a transaction. */
#include "db.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any number that other projects on the same server are unlikely to pick. */
#define MIGRATION_LOCK "7351902211"

static int is_migration(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 7 && d->d_name[0] >= '0' && d->d_name[0] <= '9' &&
           strcmp(d->d_name + n - 4, ".sql") == 0;
}

static core_code apply_one(PGconn *c, const char *dir, const char *file, bool *ran, core_err *err)
{
    *ran = false;
    const char *params[] = {file};
    core_code rc = db_run(c, "BEGIN", 0, NULL, err);
    if (rc)
        return rc;
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, "SELECT 1 FROM schema_migrations WHERE name = $1", 1,
                          params, err);
    if (!r)
        goto fail;
    bool done = PQntuples(r) > 0;
    PQclear(r);
    if (done)
        return db_run(c, "COMMIT", 0, NULL, err);

    char path[8192];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        goto fail;
    char *sql = core_read_file(path, NULL, err);
    if (!sql)
        goto fail;
    rc = db_run(c, sql, 0, NULL, err);
    free(sql);
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        core_fail(err, rc, "migration %s failed: %s", file, msg);
        goto fail;
    }
    if (db_run(c, "INSERT INTO schema_migrations (name) VALUES ($1)", 1, params, err))
        goto fail;
    *ran = true;
    return db_run(c, "COMMIT", 0, NULL, err);
fail:
    PQclear(PQexec(c, "ROLLBACK"));
    return err && err->code ? err->code : CORE_EDB;
}

core_code db_migrate(PGconn *c, int *applied, core_err *err)
{
    char dir[4096];
    if (!core_path(dir, sizeof dir, "data/migrations"))
        return core_fail(err, CORE_EINVAL, "project path too long");
    core_code rc = db_run(c,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                          0, NULL, err);
    if (rc)
        return rc;
    /* Two servers starting at once must not apply the same file twice. */
    if ((rc = db_run(c, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL, err)))
        return rc;

    struct dirent **list = NULL;
    int n = scandir(dir, &list, is_migration, alphasort);
    if (n < 0)
        rc = core_fail(err, CORE_EIO, "cannot read %s", dir);
    int count = 0;
    for (int i = 0; i < n; i++) {
        bool ran = false;
        if (!rc)
            rc = apply_one(c, dir, list[i]->d_name, &ran, err);
        count += ran;
        free(list[i]);
    }
    free(list);
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
    if (applied)
        *applied = count;
    return rc;
}
