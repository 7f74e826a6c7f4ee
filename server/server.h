/*
 * server — the HTTP face of Pingan Grid: OGC API - Features, tiles, reports, pages, health
 * and metrics, on CivetWeb with a libpq pool. The CLI configures and runs it.
 */
#ifndef PINGAN_SERVER_H
#define PINGAN_SERVER_H

#include "core.h"

#include <stdio.h>

/* Every setting in one table (server/config.c): name, environment variable, default, bounds.
 * Values come from defaults, then a config file, then the environment, then the command line. */
typedef struct {
    char listen[64]; /* address to bind, 127.0.0.1 by default */
    int port;        /* PINGAN_PORT, 8080 */
    int threads;     /* worker threads */
    int db_pool;     /* database connections */
    int request_timeout_ms;
    long max_body_bytes; /* larger bodies get 413 */
    int anonymous_reads; /* public layers readable without a token */
    long tile_cache_mb;
    int tile_access_log;        /* tiles area: successful tile replies in the access log too */
    char public_url[256];       /* base URL for links; empty: from the Host header */
    char database_url[1024];    /* empty: $PINGAN_DATABASE_URL or the private cluster */
    int overdue_check_s;        /* hazard deadline check period; 0: off */
    int auth_cache_ms;          /* a checked token is trusted this long (revocation delay) */
    char overlap_policy[8];     /* sibling grid overlap: "error" or "warn" */
    long spill_tolerance_m2;    /* grid area outside its village: warning up to this, then error */
    char tianditu_key[128];     /* Tianditu basemap key for the styles; empty: no basemap */
    int analysis_worker;        /* recompute dirty villages in the background */
    int analysis_batch;         /* villages per background recompute transaction */
    int events_max_subscribers; /* live-event streams at once (each holds a worker thread) */
    int events_keepalive_s;     /* seconds between keep-alive comments on an idle stream */
    long max_vertices;          /* positions in one written geometry; more: 422 too_many_vertices */
    long import_max_bytes;      /* largest upload to POST /imports */
    char import_dir[256];       /* uploads wait here while their job runs */
    /* reliability */
    int db_pool_warm; /* connections opened and warmed before listening (0: all lazily) */
} srv_config;

/* Fills cfg with the defaults. */
void srv_config_defaults(srv_config *cfg);
/* Sets one setting by name from text, checking its bounds. */
core_code srv_config_set(srv_config *cfg, const char *name, const char *value, core_err *err);
/* Applies PINGAN_* environment variables named in the table. */
core_code srv_config_from_env(srv_config *cfg, core_err *err);
/* Reads `name = value` lines (# comments) from a file. */
core_code srv_config_from_file(srv_config *cfg, const char *path, core_err *err);
/* Prints the settings table (name, env, default, meaning) for --help. */
void srv_config_describe(FILE *out);

typedef struct srv srv;
/* Connects the pool and binds the port; returns the running server (caller stops it with
 * srv_free) or NULL with err. */
srv *srv_start(const srv_config *cfg, core_err *err);
/* The port actually bound (useful with port 0). */
int srv_port(const srv *s);
/* Stops accepting, waits for requests in flight, closes the pool and frees the server. */
void srv_free(srv *s);

#endif
