/* Every server setting as one table row: name, environment variable, default, bounds, and
 * what it means. Defaults, file, environment and command line all go through srv_config_set. */
#include "server.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SET_INT, SET_LONG, SET_BOOL, SET_STR } set_type;

static const struct setting {
    const char *name, *env;
    set_type type;
    size_t offset, size;
    const char *def;
    long min, max;
    const char *help;
} settings[] = {
#define S(field) offsetof(srv_config, field), sizeof(((srv_config *)0)->field)
    {"listen", "PINGAN_LISTEN", SET_STR, S(listen), "127.0.0.1", 0, 0, "address to bind"},
    {"port", "PINGAN_PORT", SET_INT, S(port), "8080", 0, 65535, "HTTP port (0: any free)"},
    {"threads", "PINGAN_THREADS", SET_INT, S(threads), "32", 2, 1024, "worker threads"},
    {"db_pool", "PINGAN_DB_POOL", SET_INT, S(db_pool), "16", 1, 500, "database connections"},
    {"request_timeout_ms", "PINGAN_REQUEST_TIMEOUT_MS", SET_INT, S(request_timeout_ms), "30000",
     100, 3600000, "time a request may take to arrive and be answered"},
    {"max_body_bytes", "PINGAN_MAX_BODY_BYTES", SET_LONG, S(max_body_bytes), "16777216", 1024,
     4294967296L, "larger request bodies get 413"},
    {"anonymous_reads", "PINGAN_ANONYMOUS_READS", SET_BOOL, S(anonymous_reads), "true", 0, 1,
     "public layers readable without a token"},
    {"max_vertices", "PINGAN_MAX_VERTICES", SET_LONG, S(max_vertices), "100000", 4, 100000000L,
     "positions in one written geometry; more is refused (422) before any geometry work"},
    {"tile_cache_mb", "PINGAN_TILE_CACHE_MB", SET_LONG, S(tile_cache_mb), "256", 0, 65536,
     "memory for cached tiles"},
    /* tiles area */
    {"tile_access_log", "PINGAN_TILE_ACCESS_LOG", SET_BOOL, S(tile_access_log), "false", 0, 1,
     "log every tile answered (200/204/304) in the access log; off: counted in /metrics only"},
    {"public_url", "PINGAN_PUBLIC_URL", SET_STR, S(public_url), "", 0, 0,
     "base URL in links (default: from the Host header)"},
    {"database_url", "PINGAN_DATABASE_URL", SET_STR, S(database_url), "", 0, 0,
     "PostgreSQL URL (default: the private cluster)"},
    {"overdue_check_s", "PINGAN_OVERDUE_CHECK_S", SET_INT, S(overdue_check_s), "60", 0, 86400,
     "seconds between hazard deadline checks (0: off)"},
    {"analysis_worker", "PINGAN_ANALYSIS_WORKER", SET_BOOL, S(analysis_worker), "true", 0, 1,
     "recompute coverage of edited villages in the background (reports refresh anyway)"},
    {"analysis_batch", "PINGAN_ANALYSIS_BATCH", SET_INT, S(analysis_batch), "100", 1, 10000,
     "villages per background recompute transaction"},
    {"tianditu_key", "PINGAN_TIANDITU_KEY", SET_STR, S(tianditu_key), "", 0, 0,
     "Tianditu key: adds its basemap under the styles (default: none, offline)"},
    {"auth_cache_ms", "PINGAN_AUTH_CACHE_MS", SET_INT, S(auth_cache_ms), "3000", 0, 60000,
     "how long a checked token is trusted without asking the database (revocation delay)"},
    {"overlap_policy", "PINGAN_OVERLAP_POLICY", SET_STR, S(overlap_policy), "error", 0, 0,
     "community/base grids overlapping a sibling: error (422) or warn"},
    {"spill_tolerance_m2", "PINGAN_SPILL_TOLERANCE_M2", SET_LONG, S(spill_tolerance_m2), "10", 0,
     100000000L, "grid area outside its village up to this is a warning, beyond it an error"},
    /* reliability: no request pays a fresh backend's set-up */
    {"db_pool_warm", "PINGAN_DB_POOL_WARM", SET_INT, S(db_pool_warm), "0", 0, 500,
     "connections opened and warmed (PostGIS/PROJ) before listening, and worker threads' PROJ; 0: "
     "off"},
    /* imports (POST /imports) */
    {"import_max_bytes", "PINGAN_IMPORT_MAX_BYTES", SET_LONG, S(import_max_bytes), "536870912",
     1024, 17179869184L, "largest upload POST /imports takes (413 above)"},
    {"import_dir", "PINGAN_IMPORT_DIR", SET_STR, S(import_dir), "/tmp", 0, 0,
     "where uploads wait while their import job runs (removed after)"},
    {"events_max_subscribers", "PINGAN_EVENTS_MAX_SUBSCRIBERS", SET_INT, S(events_max_subscribers),
     "8", 0, 1000, "live-event (/events) streams at once; each holds a worker thread"},
    {"events_keepalive_s", "PINGAN_EVENTS_KEEPALIVE_S", SET_INT, S(events_keepalive_s), "15", 1,
     300, "seconds between keep-alive comments on an idle /events stream"},
#undef S
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

/* Text settings that take one of a few words. */
static const struct {
    const char *name, *choices;
} choice_sets[] = {
    {"overlap_policy", "error|warn"},
};

static const char *choices_of(const char *name)
{
    for (size_t i = 0; i < sizeof choice_sets / sizeof choice_sets[0]; i++)
        if (strcmp(choice_sets[i].name, name) == 0)
            return choice_sets[i].choices;
    return NULL;
}

/* value is one of the "|"-separated choices. */
static bool one_of(const char *choices, const char *value)
{
    size_t n = strlen(value);
    for (const char *c = choices; *c;) {
        size_t len = strcspn(c, "|");
        if (len == n && strncmp(c, value, n) == 0)
            return true;
        c += len + (c[len] == '|');
    }
    return false;
}

static core_code apply(srv_config *cfg, const struct setting *s, const char *value, core_err *err)
{
    char *field = (char *)cfg + s->offset;
    if (s->type == SET_STR) {
        if (strlen(value) >= s->size)
            return core_fail(err, CORE_EINVAL, "%s: value too long", s->name);
        const char *choices = choices_of(s->name);
        if (choices && !one_of(choices, value))
            return core_fail(err, CORE_EINVAL, "%s: expected %s, got '%s'", s->name, choices,
                             value);
        memcpy(field, value, strlen(value) + 1);
        return CORE_OK;
    }
    long v;
    if (s->type == SET_BOOL) {
        if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes") ||
            !strcmp(value, "on"))
            v = 1;
        else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no") ||
                 !strcmp(value, "off"))
            v = 0;
        else
            return core_fail(err, CORE_EINVAL, "%s: expected true or false, got '%s'", s->name,
                             value);
    } else {
        char *end;
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno || end == value || *end)
            return core_fail(err, CORE_EINVAL, "%s: '%s' is not a whole number", s->name, value);
        if (v < s->min || v > s->max)
            return core_fail(err, CORE_EINVAL, "%s: %ld is outside %ld..%ld", s->name, v, s->min,
                             s->max);
    }
    if (s->type == SET_LONG)
        *(long *)field = v;
    else
        *(int *)field = (int)v;
    return CORE_OK;
}

void srv_config_defaults(srv_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NSETTINGS; i++)
        apply(cfg, &settings[i], settings[i].def, NULL);
}

core_code srv_config_set(srv_config *cfg, const char *name, const char *value, core_err *err)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return apply(cfg, &settings[i], value, err);
    return core_fail(err, CORE_EINVAL, "unknown setting '%s'", name);
}

core_code srv_config_from_env(srv_config *cfg, core_err *err)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *v = getenv(settings[i].env);
        core_code rc;
        if (v && *v && (rc = apply(cfg, &settings[i], v, err)))
            return rc;
    }
    return CORE_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

core_code srv_config_from_file(srv_config *cfg, const char *path, core_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return core_fail(err, CORE_EIO, "cannot open config file %s: %s", path, strerror(errno));
    char line[2048];
    int lineno = 0;
    core_code rc = CORE_OK;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = core_fail(err, CORE_EINVAL, "%s:%d: expected name = value", path, lineno);
            break;
        }
        *eq = '\0';
        core_err inner = {0};
        if ((rc = srv_config_set(cfg, trim(s), trim(eq + 1), &inner)))
            core_fail(err, rc, "%s:%d: %s", path, lineno, inner.msg);
    }
    fclose(f);
    return rc;
}

void srv_config_describe(FILE *out)
{
    fprintf(out, "Settings (config file name / environment variable, default):\n");
    for (size_t i = 0; i < NSETTINGS; i++)
        fprintf(out, "  %-20s %-26s %-10s %s\n", settings[i].name, settings[i].env,
                *settings[i].def ? settings[i].def : "\"\"", settings[i].help);
}
