/* Loading the 2023 statistical division codes (data/reference, CSV) into jurisdictions. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

core_code db_copy_csv(PGconn *c, const char *target, const char *path, core_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return core_fail(err, CORE_EIO, "cannot open %s", path);
    char sql[512];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN (FORMAT csv, HEADER true)", target);
    PGresult *r = PQexec(c, sql);
    core_code rc = CORE_OK;
    if (PQresultStatus(r) != PGRES_COPY_IN)
        rc = db_fail(c, r, err);
    PQclear(r);
    char chunk[65536];
    size_t n;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (PQputCopyData(c, chunk, (int)n) != 1)
            rc = db_fail(c, NULL, err);
    fclose(f);
    if (PQputCopyEnd(c, rc ? "aborted" : NULL) != 1 && !rc)
        rc = db_fail(c, NULL, err);
    while ((r = PQgetResult(c))) {
        if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = db_fail(c, r, err);
        PQclear(r);
    }
    return rc;
}

static const struct {
    const char *table, *columns, *file;
} staged[] = {
    {"ref_provinces", "code text, name text", "provinces.csv"},
    {"ref_cities", "code text, name text, province_code text", "cities.csv"},
    {"ref_areas", "code text, name text, city_code text, province_code text", "areas.csv"},
    {"ref_streets", "code text, name text, area_code text, province_code text, city_code text",
     "streets.csv"},
    {"ref_villages",
     "code text, name text, street_code text, province_code text, city_code text, "
     "area_code text",
     "villages.csv"},
};

static core_code stage_all(PGconn *c, core_err *err)
{
    for (size_t i = 0; i < sizeof staged / sizeof staged[0]; i++) {
        char sql[512], path[4096], rel[256];
        snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s (%s) ON COMMIT DROP", staged[i].table,
                 staged[i].columns);
        snprintf(rel, sizeof rel, "data/reference/%s", staged[i].file);
        if (!core_path(path, sizeof path, rel))
            return core_fail(err, CORE_EINVAL, "project path too long");
        core_code rc = db_run(c, sql, 0, NULL, err);
        if (!rc)
            rc = db_copy_csv(c, staged[i].table, path, err);
        if (rc)
            return rc;
    }
    return CORE_OK;
}

core_code db_load_reference(PGconn *c, long *loaded, core_err *err)
{
    if (loaded)
        *loaded = 0;
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, "SELECT count(*) FROM jurisdictions", 0, NULL, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    long before = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (before > 0)
        return CORE_OK;

    char *merge = db_sql("reference_merge", err);
    if (!merge)
        return err ? err->code : CORE_EIO;
    core_code rc = db_run(c, "BEGIN", 0, NULL, err);
    if (!rc)
        rc = stage_all(c, err);
    if (!rc)
        rc = db_run(c, merge, 0, NULL, err);
    free(merge);
    if (!rc)
        rc = db_run(c, "COMMIT", 0, NULL, err);
    if (rc) {
        PQclear(PQexec(c, "ROLLBACK"));
        return rc;
    }
    if (!(r = db_exec(c, PGRES_TUPLES_OK, "SELECT count(*) FROM jurisdictions", 0, NULL, err)))
        return err ? err->code : CORE_EDB;
    if (loaded)
        *loaded = strtol(PQgetvalue(r, 0, 0), NULL, 10) - before;
    PQclear(r);
    return CORE_OK;
}
