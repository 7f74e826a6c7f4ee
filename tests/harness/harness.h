/*
 * The integration-test harness: a fresh database per test (copied from a template that holds
 * the migrations and the reference codes), the real server on a free port, and an HTTP client.
 * Everything real: the project's private PostGIS cluster, CivetWeb, libcurl.
 */
#ifndef PINGAN_HARNESS_H
#define PINGAN_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Creates database <name>_<pid> from the current template (made on first use, serialised
 * between concurrent tests) and returns its URL in a static buffer. Aborts the test on
 * failure. */
const char *th_db_create(const char *name);
/* Drops the database made by th_db_create. */
void th_db_drop(void);
/* A new connection to the test database (caller PQfinish()es). */
PGconn *th_db_connect(void);
/* Runs SQL and returns the first column of the first row as a new string (caller frees),
 * NULL when no row. Fails the test on an SQL error. */
char *th_db_value(PGconn *c, const char *sql);
/* Runs `pingan <args>` against the test database; returns the exit status. Output goes to
 * out (may be NULL) as a new string. */
int th_pingan(char **out, const char *const *args);

typedef struct {
    pid_t pid;
    int port;
    char base[64]; /* http://127.0.0.1:PORT */
} th_server;

/* Starts `pingan serve --port 0` on the test database with extra --set arguments (NULL-ended,
 * may be NULL) and waits until it listens. */
void th_server_start(th_server *s, const char *const *sets);
/* SIGTERM and wait; fails the test when the exit was not clean. */
void th_server_stop(th_server *s);

typedef struct {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *headers; /* raw response headers */
} th_response;

/* Sends a request; headers is a NULL-ended list of "Name: value" (may be NULL); body may be
 * NULL. Returns the response (free with th_response_free). */
th_response th_http(const th_server *s, const char *method, const char *path,
                    const char *const *headers, const char *body);
/* The value of a response header (case-insensitive), copied into out; false when absent. */
bool th_header(const th_response *r, const char *name, char *out, size_t size);
void th_response_free(th_response *r);

/* Runs the suite (and frees it); the exit status for main: 0 when every test passed. */
int th_run(Suite *s);
/* A new token from `pingan token create --role ROLE [--scope SCOPE]`, copied into out. */
void th_token(const char *role, const char *scope, char *out, size_t size);
/* The response body parsed as JSON (caller json_decref()s); fails the test when it is not. */
json_t *th_json(const th_response *r);
/* Runs SQL (one or more statements, no parameters) on c; fails the test on an error. */
void th_db_exec(PGconn *c, const char *sql);
/* Runs a fixture file of SQL statements on the test database. */
void th_db_exec_file(const char *path);

#endif
