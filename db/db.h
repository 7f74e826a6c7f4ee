/*
 * db — the project's way to PostgreSQL: finding the database, migrations, the reference
 * division codes, a connection pool that survives a database restart, and the SQL files
 * that queries live in. Built on libpq; knows nothing of HTTP.
 */
#ifndef PINGAN_DB_H
#define PINGAN_DB_H

#include "core.h"

#include <libpq-fe.h>

/* The connection URL: $PINGAN_DATABASE_URL, else the one the private cluster wrote to
 * var/database_url. Writes into out; CORE_ENOTFOUND when there is neither. */
core_code db_url(char *out, size_t size, core_err *err);
/* The same URL aimed at another database of the same server (for CREATE DATABASE). */
core_code db_url_with_dbname(const char *url, const char *dbname, char *out, size_t size,
                             core_err *err);

/* Opens a connection; returns it or NULL with err set (CORE_EUNAVAIL). Caller PQfinish()es. */
PGconn *db_connect(const char *url, core_err *err);
/* Creates the URL's database when it does not exist yet. */
core_code db_create_database(const char *url, core_err *err);

/* Runs a statement with text parameters and expects `expect` (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK). Returns the result (caller PQclear()s) or NULL with err set. */
PGresult *db_exec(PGconn *c, ExecStatusType expect, const char *sql, int nparams,
                  const char *const *params, core_err *err);
/* Runs SQL without a result worth keeping (may hold several statements when nparams == 0). */
core_code db_run(PGconn *c, const char *sql, int nparams, const char *const *params, core_err *err);
/* Copies err from the connection's last error (with the SQLSTATE when there is one). */
core_code db_fail(PGconn *c, const PGresult *r, core_err *err);

/* Applies every data/migrations/NNN_*.sql not applied yet, each once, in its own
 * transaction, in name order; records them in schema_migrations. Safe to run concurrently
 * and again. *applied gets how many ran (may be NULL). */
core_code db_migrate(PGconn *c, int *applied, core_err *err);
/* Loads the statistical division codes from data/reference/ when the jurisdictions table has
 * none; *loaded gets the row count added (0 when already loaded). */
core_code db_load_reference(PGconn *c, long *loaded, core_err *err);
/* Streams a CSV file into `COPY target FROM STDIN (FORMAT csv, HEADER)`. */
core_code db_copy_csv(PGconn *c, const char *target, const char *path, core_err *err);

/* Reads data/sql/<name>.sql (or any path under the project) into a new string. */
char *db_sql(const char *name, core_err *err);

/* A fixed-size pool of connections shared by server threads. A connection found broken on
 * acquire is reset; when the database is down acquire fails fast with CORE_EUNAVAIL. */
typedef struct db_pool db_pool;
/* Returns a new pool (caller frees with db_pool_free) or NULL with err. Connects lazily. */
db_pool *db_pool_create(const char *url, int size, core_err *err);
void db_pool_free(db_pool *p);
/* Waits up to timeout_ms for a free connection. */
PGconn *db_pool_acquire(db_pool *p, int timeout_ms, core_err *err);
/* Gives a connection back; a connection left inside a transaction or broken is reset. */
void db_pool_release(db_pool *p, PGconn *c);
/* Probes the database with one connection: CORE_OK when it answers. */
core_code db_pool_ping(db_pool *p, core_err *err);
/* Opens the first n connections of the pool at once (one thread each) and runs sql on each,
 * so that a backend's first-use costs (PostGIS/PROJ set-up, plan caches) are paid before any
 * request gets it; a connection that fails is left for later. Returns how many are ready. */
int db_pool_warm(db_pool *p, int n, const char *sql);

#endif
