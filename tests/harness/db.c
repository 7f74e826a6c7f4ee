/* Test databases: one template per migration set (named by a hash of the migration files, so
 * a changed schema gets a new template), and one copy of it per test. */
#include "db.h"
#include "harness.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_url[4096];
static char test_name[128];

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "harness: %s: %s\n", what, msg);
    exit(1);
}

static uint64_t fnv(uint64_t h, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
    return h;
}

static int is_sql(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".sql") == 0;
}

/* Hash of everything that shapes the template: migrations and the reference merge. */
static uint64_t schema_hash(void)
{
    uint64_t h = 1469598103934665603ULL;
    char dir[4096];
    core_path(dir, sizeof dir, "data/migrations");
    struct dirent **list;
    int n = scandir(dir, &list, is_sql, alphasort);
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        size_t len = 0;
        char *text = core_read_file(path, &len, NULL);
        h = fnv(h, list[i]->d_name, strlen(list[i]->d_name));
        if (text)
            h = fnv(h, text, len);
        free(text);
        free(list[i]);
    }
    if (n >= 0)
        free(list);
    char *merge = db_sql("reference_merge", NULL);
    if (merge)
        h = fnv(h, merge, strlen(merge));
    free(merge);
    return h;
}

static void run(PGconn *c, const char *sql)
{
    core_err err = {0};
    if (db_run(c, sql, 0, NULL, &err))
        die(sql, err.msg);
}

static void ensure_template(PGconn *admin, const char *server_url, const char *tpl)
{
    run(admin, "SELECT pg_advisory_lock(4242)");
    const char *params[] = {tpl};
    core_err err = {0};
    PGresult *r = db_exec(admin, PGRES_TUPLES_OK, "SELECT 1 FROM pg_database WHERE datname = $1", 1,
                          params, &err);
    if (!r)
        die("template lookup", err.msg);
    bool exists = PQntuples(r) > 0;
    PQclear(r);
    if (!exists) {
        char tmp[160], sql[400], url[4096];
        snprintf(tmp, sizeof tmp, "%s_building", tpl);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", tmp);
        run(admin, sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", tmp);
        run(admin, sql);
        if (db_url_with_dbname(server_url, tmp, url, sizeof url, &err))
            die("template url", err.msg);
        PGconn *c = db_connect(url, &err);
        if (!c || db_migrate(c, NULL, &err) || db_load_reference(c, NULL, &err))
            die("template build", err.msg);
        PQfinish(c);
        /* Built under another name and renamed, so a half-built template is never used. */
        snprintf(sql, sizeof sql, "ALTER DATABASE %s RENAME TO %s", tmp, tpl);
        run(admin, sql);
    }
    run(admin, "SELECT pg_advisory_unlock(4242)");
}

const char *th_db_create(const char *name)
{
    core_err err = {0};
    char server_url[4096], admin_url[4096];
    if (db_url(server_url, sizeof server_url, &err) ||
        db_url_with_dbname(server_url, "postgres", admin_url, sizeof admin_url, &err))
        die("database url", err.msg);
    PGconn *admin = db_connect(admin_url, &err);
    if (!admin)
        die("connect", err.msg);
    char tpl[64];
    snprintf(tpl, sizeof tpl, "pingan_tpl_%016llx", (unsigned long long)schema_hash());
    ensure_template(admin, server_url, tpl);

    snprintf(test_name, sizeof test_name, "t_%s_%d", name, (int)getpid());
    char sql[400];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", test_name);
    run(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", test_name, tpl);
    run(admin, sql);
    PQfinish(admin);
    if (db_url_with_dbname(server_url, test_name, test_url, sizeof test_url, &err))
        die("database url", err.msg);
    setenv("PINGAN_DATABASE_URL", test_url, 1);
    return test_url;
}

void th_db_drop(void)
{
    if (!test_name[0])
        return;
    core_err err = {0};
    char admin_url[4096];
    if (db_url_with_dbname(test_url, "postgres", admin_url, sizeof admin_url, &err))
        return;
    PGconn *admin = db_connect(admin_url, &err);
    if (!admin)
        return;
    char sql[300];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", test_name);
    db_run(admin, sql, 0, NULL, &err);
    PQfinish(admin);
    test_name[0] = '\0';
}

PGconn *th_db_connect(void)
{
    core_err err = {0};
    PGconn *c = db_connect(test_url, &err);
    if (!c)
        die("connect", err.msg);
    return c;
}

char *th_db_value(PGconn *c, const char *sql)
{
    core_err err = {0};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 0, NULL, &err);
    if (!r)
        die(sql, err.msg);
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}
