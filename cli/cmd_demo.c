/* pingan demo: loads a demo county (or every county, for benchmarks) in one transaction: the
 * real county outlines of data/demo converted from GCJ-02, and everything below them generated
 * by data/sql/demo_*.sql from a seed, with faults planted for the analysis to find. */
#include "commands.h"
#include "db.h"
#include "geo.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_DEFAULT_SEED   42
#define DEMO_DEFAULT_COUNTY "360502" /* 渝水区: streets and communities, towns and villages */
#define DEMO_MAX_ROWS       128      /* rows of the small CSV tables in data/demo */
#define DEMO_MAX_FIELDS     8

typedef struct {
    long long seed;
    char county[13]; /* 12-digit code */
    bool province;
    bool force;
} demo_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan demo [--seed N] [--county CODE] [--scale county|province] [--force]\n\n"
            "Loads demo data: the real county outlines of Jiangxi (data/demo, GCJ-02 converted\n"
            "to CGCS2000) and, generated from the seed, the townships and villages of the demo\n"
            "county as Voronoi cells with their real 2023 codes and names, buildings and village\n"
            "groups, grids, workers, key places, hazards and cameras, with faults planted for\n"
            "the analysis to find (listed in the table demo_planted).\n\n"
            "  --seed N        seed of the generator (default %d): the same seed gives the same "
            "data\n"
            "  --county CODE   6- or 12-digit code of the demo county (default %s, 渝水区)\n"
            "  --scale SCALE   county (default), or province: every county generated for\n"
            "                  benchmarks (~100k grids, ~0.8M population units, ~90k key\n"
            "                  places and hazards; 8 to 15 minutes on two cores)\n"
            "  --force         reload even when demo data is loaded: first deletes every grid,\n"
            "                  worker, key place, hazard, camera and population unit of the\n"
            "                  counties loaded before\n\n"
            "Does nothing when the demo data is already loaded. Everything is written in one\n"
            "transaction (actor 'demo'): a failure leaves nothing behind. Progress on stderr.\n",
            DEMO_DEFAULT_SEED, DEMO_DEFAULT_COUNTY);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool set_county(demo_opts *o, const char *arg)
{
    size_t n = strlen(arg);
    if (!all_digits(arg) || (n != 6 && n != 12) || arg[0] == '0')
        return false;
    if (n == 12 && strcmp(arg + 6, "000000") != 0)
        return false;
    snprintf(o->county, sizeof o->county, "%.6s000000", arg);
    return true;
}

/* Fills o from argv: 0 to go on, -1 after printing --help, else the exit status (2). */
static int parse(demo_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, 0, 's'},  {"county", required_argument, 0, 'c'},
        {"scale", required_argument, 0, 'S'}, {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->seed = DEMO_DEFAULT_SEED;
    set_county(o, DEMO_DEFAULT_COUNTY);
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's': {
            char *end;
            errno = 0;
            o->seed = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end) {
                fprintf(stderr, "pingan demo: --seed wants an integer, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'c':
            if (!set_county(o, optarg)) {
                fprintf(stderr,
                        "pingan demo: --county wants a 6-digit county code such as 360502, "
                        "not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'S':
            if (strcmp(optarg, "county") != 0 && strcmp(optarg, "province") != 0) {
                fprintf(stderr, "pingan demo: --scale is county or province, not '%s'\n", optarg);
                return 2;
            }
            o->province = strcmp(optarg, "province") == 0;
            break;
        case 'f':
            o->force = true;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pingan demo: unexpected argument '%s'\n\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

/* ---- SQL ------------------------------------------------------------------------------ */

/* Runs SQL that may hold several statements; a file part of only comments is fine. */
static core_code run_sql(PGconn *c, const char *sql, core_err *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    core_code rc = CORE_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = db_fail(c, r, err);
    PQclear(r);
    return rc;
}

/* Prefixes err's message with where it happened. */
static core_code fail_in(core_err *err, core_code rc, const char *what)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return core_fail(err, rc, "%s: %s", what, msg);
}

/* Seconds spent in each step over the whole run, for the summary of a province load. */
#define DEMO_MAX_STEPS 32
static struct {
    char label[64];
    double seconds;
} step_total[DEMO_MAX_STEPS];
static int step_count;

static void step_add(const char *label, double seconds)
{
    int i = 0;
    while (i < step_count && strcmp(step_total[i].label, label) != 0)
        i++;
    if (i == step_count) {
        if (step_count == DEMO_MAX_STEPS)
            return;
        snprintf(step_total[i].label, sizeof step_total[i].label, "%s", label);
        step_count++;
    }
    step_total[i].seconds += seconds;
}

/* Runs data/sql/<name>.sql part by part, a part being what follows a "-- @step NAME" line,
 * so that progress can say which part runs and how long it took. */
static core_code run_steps(PGconn *c, const char *name, bool verbose, core_err *err)
{
    char *sql = db_sql(name, err);
    if (!sql)
        return err->code;
    static const char marker[] = "\n-- @step ";
    core_code rc = CORE_OK;
    char *part = sql;
    char label[64] = "start";
    while (!rc && part) {
        char *next = strstr(part, marker);
        char next_label[64] = "";
        if (next) {
            *next = '\0';
            char *l = next + strlen(marker);
            size_t n = strcspn(l, "\r\n");
            snprintf(next_label, sizeof next_label, "%.*s", (int)(n < 63 ? n : 63), l);
        }
        double t0 = core_now_ms();
        rc = run_sql(c, part, err);
        if (rc) {
            char where[160];
            snprintf(where, sizeof where, "%s.sql, step %s", name, label);
            fail_in(err, rc, where);
        } else if (strcmp(label, "start") != 0) {
            double seconds = (core_now_ms() - t0) / 1000;
            step_add(label, seconds);
            if (verbose)
                fprintf(stderr, "demo:   %-12s %7.1f s\n", label, seconds);
        }
        part = next ? next + 1 : NULL;
        snprintf(label, sizeof label, "%s", next_label);
    }
    free(sql);
    return rc;
}

/* Runs one statement with text parameters and hands back its rows (caller PQclear()s). */
static PGresult *query(PGconn *c, const char *sql, int n, const char *const *params, core_err *err)
{
    return db_exec(c, PGRES_TUPLES_OK, sql, n, params, err);
}

/* ---- the small CSV tables in data/demo ------------------------------------------------ */

/* A CSV file held whole, its fields cut in place: no quoting, since no field holds an ASCII
 * comma (the Chinese text uses '，'). Row 0 is the header. */
typedef struct {
    char *text;
    int rows;
    int cols[DEMO_MAX_ROWS];
    const char *field[DEMO_MAX_ROWS][DEMO_MAX_FIELDS];
} csv_table;

/* Reads data file `rel` into t; t is freeable with csv_free even when this fails. */
static core_code csv_load(csv_table *t, const char *rel, core_err *err)
{
    char path[4096];
    memset(t, 0, sizeof *t);
    if (!core_path(path, sizeof path, rel))
        return core_fail(err, CORE_EINVAL, "project path too long");
    if (!(t->text = core_read_file(path, NULL, err)))
        return err->code;
    for (char *line = strtok(t->text, "\n"); line; line = strtok(NULL, "\n")) {
        line[strcspn(line, "\r")] = '\0';
        if (!*line)
            continue;
        if (t->rows == DEMO_MAX_ROWS)
            return core_fail(err, CORE_ELIMIT, "%s: more than %d rows", rel, DEMO_MAX_ROWS);
        int n = 0;
        for (char *f = line; f && n < DEMO_MAX_FIELDS; n++) {
            char *comma = strchr(f, ',');
            if (comma)
                *comma = '\0';
            t->field[t->rows][n] = f;
            f = comma ? comma + 1 : NULL;
        }
        t->cols[t->rows++] = n;
    }
    return CORE_OK;
}

static const char *csv_get(const csv_table *t, int row, int col)
{
    return col < t->cols[row] ? t->field[row][col] : "";
}

static void csv_free(csv_table *t)
{
    free(t->text);
    t->text = NULL;
}

/* ---- county outlines ------------------------------------------------------------------ */

typedef struct {
    int features, by_name, by_rename, unmatched, crumbs;
} outline_stats;

/* The rename row for an old name (col 0), or -1. */
static int rename_row_by_name(const csv_table *ren, const char *old)
{
    for (int i = 1; i < ren->rows; i++)
        if (strcmp(csv_get(ren, i, 0), old) == 0)
            return i;
    return -1;
}

/* The row that names a new county (col 0 empty) by its code (col 2), or -1. */
static int rename_row_by_code(const csv_table *ren, const char *code6)
{
    for (int i = 1; i < ren->rows; i++)
        if (!*csv_get(ren, i, 0) && strncmp(csv_get(ren, i, 2), code6, 6) == 0)
            return i;
    return -1;
}

/* The row of a 2023 county of the city (4-digit code) with that name, or -1. */
static int county_row(PGresult *counties, const char *city4, const char *name)
{
    for (int i = 0; i < PQntuples(counties); i++)
        if (strncmp(PQgetvalue(counties, i, 2), city4, 4) == 0 &&
            strcmp(PQgetvalue(counties, i, 1), name) == 0)
            return i;
    return -1;
}

/* Converts one feature (GCJ-02 → CGCS2000, repaired, multi) and stores it as the outline of
 * county `code`; *crumbs gets how many tiny parts were dropped. */
static core_code store_outline(PGconn *c, geo_ctx *ctx, const char *sql, json_t *feature,
                               const char *code, int *crumbs, core_err *err)
{
    json_t *geometry = json_object_get(feature, "geometry");
    json_t *cp = json_object_get(json_object_get(feature, "properties"), "cp");
    char *text = geometry ? json_dumps(geometry, JSON_COMPACT) : NULL;
    if (!text)
        return core_fail(err, CORE_EFORMAT, "feature without geometry");
    geo_geom *g = geo_from_geojson(ctx, text, NULL, err);
    free(text);
    if (!g)
        return err->code;
    geo_geom *fixed = NULL;
    char *hex = NULL;
    core_code rc = geo_transform_datum(ctx, g, GEO_DATUM_GCJ02, GEO_DATUM_WGS84, err);
    if (!rc)
        rc = geo_repair(ctx, g, &fixed, NULL, err);
    if (!rc)
        rc = geo_force_multi(ctx, fixed, err);
    if (!rc) {
        geo_geom_set_srid(fixed, 4490);
        if (!(hex = geo_to_wkb_hex(ctx, fixed, err)))
            rc = err->code;
    }
    if (!rc) {
        /* AMap's centre of the county, the seat of government: the county seat of the demo */
        double lon = NAN, lat = NAN;
        if (json_is_array(cp) && json_array_size(cp) == 2)
            geo_gcj02_to_wgs84(json_number_value(json_array_get(cp, 0)),
                               json_number_value(json_array_get(cp, 1)), &lon, &lat);
        char slon[32], slat[32];
        snprintf(slon, sizeof slon, "%.9f", lon);
        snprintf(slat, sizeof slat, "%.9f", lat);
        const char *params[] = {code, hex, slon, slat};
        PGresult *r = isnan(lon) ? NULL : query(c, sql, 4, params, err);
        if (isnan(lon))
            rc = core_fail(err, CORE_EFORMAT, "feature without a centre (cp)");
        else if (!r)
            rc = err->code;
        else if (PQntuples(r) != 1)
            rc = core_fail(err, CORE_ENOTFOUND, "county %s not found", code);
        else
            *crumbs += (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    free(hex);
    geo_geom_free(ctx, fixed);
    geo_geom_free(ctx, g);
    return rc;
}

/* One file of outlines: every feature joined to a 2023 county of the file's city, by name or
 * through the rename table, and reported when only the table or nothing joined it. */
static core_code load_file(PGconn *c, geo_ctx *ctx, const char *sql, const char *file,
                           const char *city4, const char *city_name, PGresult *counties,
                           const csv_table *ren, bool *seen, outline_stats *st, core_err *err)
{
    char rel[512], path[4096];
    snprintf(rel, sizeof rel, "data/demo/counties-gcj02/%s", file);
    if (!core_path(path, sizeof path, rel))
        return core_fail(err, CORE_EINVAL, "project path too long");
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return core_fail(err, CORE_EFORMAT, "%s:%d: %s", rel, jerr.line, jerr.text);
    json_t *features = json_object_get(root, "features");
    core_code rc = json_is_array(features)
                       ? CORE_OK
                       : core_fail(err, CORE_EFORMAT, "%s: not a FeatureCollection", rel);
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        if (rc)
            break;
        const char *name =
            json_string_value(json_object_get(json_object_get(f, "properties"), "name"));
        if (!name) {
            rc = core_fail(err, CORE_EFORMAT, "%s: feature %zu has no name", rel, i);
            break;
        }
        st->features++;
        int row = county_row(counties, city4, name);
        int ren_row = row < 0 ? rename_row_by_name(ren, name) : -1;
        if (row < 0 && ren_row > 0 && *csv_get(ren, ren_row, 2)) {
            char code6[8];
            snprintf(code6, sizeof code6, "%.6s", csv_get(ren, ren_row, 2));
            row = county_row(counties, city4, csv_get(ren, ren_row, 1));
            if (row < 0 || strncmp(PQgetvalue(counties, row, 0), code6, 6) != 0) {
                rc = core_fail(err, CORE_EINVAL,
                               "data/demo/county_renames.csv: %s → %s %s is no 2023 county of %s",
                               name, csv_get(ren, ren_row, 1), code6, city_name);
                break;
            }
            fprintf(stderr, "demo:   renamed     %s → %s %s (%s: %s)\n", name,
                    csv_get(ren, ren_row, 1), code6, csv_get(ren, ren_row, 3),
                    csv_get(ren, ren_row, 4));
            st->by_rename++;
        } else if (row >= 0) {
            st->by_name++;
        }
        if (row < 0) {
            st->unmatched++;
            if (ren_row > 0)
                fprintf(stderr, "demo:   not matched %s (%s): %s: %s\n", name, city_name,
                        csv_get(ren, ren_row, 3), csv_get(ren, ren_row, 4));
            else
                fprintf(stderr,
                        "demo:   not matched %s (%s): no 2023 county of that name and no "
                        "entry in data/demo/county_renames.csv\n",
                        name, city_name);
            continue;
        }
        if (seen[row]) {
            rc = core_fail(err, CORE_ECONFLICT, "%s: two outlines for %s", rel, name);
            break;
        }
        seen[row] = true;
        rc = store_outline(c, ctx, sql, f, PQgetvalue(counties, row, 0), &st->crumbs, err);
        if (rc) {
            char where[600];
            snprintf(where, sizeof where, "%s, %s", rel, name);
            fail_in(err, rc, where);
        }
    }
    json_decref(root);
    return rc;
}

static core_code load_outlines(PGconn *c, core_err *err)
{
    double t0 = core_now_ms();
    csv_table files = {0}, ren = {0};
    PGresult *counties = NULL;
    char *sql = NULL;
    geo_ctx *ctx = NULL;
    bool *seen = NULL;
    outline_stats st = {0};
    core_code rc = csv_load(&files, "data/demo/county_files.csv", err);
    if (rc || (rc = csv_load(&ren, "data/demo/county_renames.csv", err)))
        goto done;
    counties = query(c,
                     "SELECT code, name, left(parent_code, 4) FROM jurisdictions "
                     "WHERE level = 'county' ORDER BY code",
                     0, NULL, err);
    if (!counties || !(sql = db_sql("demo_outline", err)) || !(ctx = geo_ctx_create(err))) {
        rc = err->code;
        goto done;
    }
    if (!(seen = calloc((size_t)PQntuples(counties) + 1, sizeof *seen))) {
        rc = core_fail(err, CORE_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 1; i < files.rows; i++)
        if ((rc = load_file(c, ctx, sql, csv_get(&files, i, 0), csv_get(&files, i, 1),
                            csv_get(&files, i, 2), counties, &ren, seen, &st, err)))
            goto done;
    /* every 2023 county left without an outline, with the reason the table gives */
    for (int i = 0; i < PQntuples(counties); i++) {
        if (seen[i])
            continue;
        int r = rename_row_by_code(&ren, PQgetvalue(counties, i, 0));
        fprintf(stderr, "demo:   no outline  %s %.6s: %s%s%s\n", PQgetvalue(counties, i, 1),
                PQgetvalue(counties, i, 0), r > 0 ? csv_get(&ren, r, 3) : "not explained",
                r > 0 ? ": " : "", r > 0 ? csv_get(&ren, r, 4) : "");
    }
    fprintf(stderr,
            "demo: county outlines: %d features, %d matched by name, %d through "
            "county_renames.csv, %d not matched; %d quantisation crumbs dropped (%.1f s)\n",
            st.features, st.by_name, st.by_rename, st.unmatched, st.crumbs,
            (core_now_ms() - t0) / 1000);
done:
    free(seen);
    geo_ctx_free(ctx);
    free(sql);
    PQclear(counties);
    csv_free(&files);
    csv_free(&ren);
    return rc;
}

/* ---- the run -------------------------------------------------------------------------- */

typedef struct {
    char code[13];
    char name[128];
    bool plant;
} county_job;

/* Generates one county with data/sql/demo_county.sql and records it in demo_loads. */
static core_code generate(PGconn *c, const demo_opts *o, const county_job *job, int nth, int total,
                          core_err *err)
{
    double t0 = core_now_ms();
    const char *plant = job->plant ? "true" : "false";
    const char *args[] = {job->code, plant};
    if (db_run(c, "UPDATE demo_arg SET county = $1, plant = $2::boolean", 2, args, err))
        return err->code;
    if (job->plant)
        fprintf(stderr, "demo: [%d/%d] %.6s %s, with planted faults\n", nth, total, job->code,
                job->name);
    core_code rc = run_steps(c, "demo_county", job->plant, err);
    if (rc)
        return rc;
    char seed[32];
    snprintf(seed, sizeof seed, "%lld", o->seed);
    const char *load[] = {job->plant ? "county" : "province", job->code, seed};
    if (db_run(c, "INSERT INTO demo_loads (scale, county_code, seed) VALUES ($1, $2, $3::bigint)",
               3, load, err))
        return err->code;
    PGresult *r = query(c,
                        "SELECT (SELECT count(*) FROM t_town), (SELECT count(*) FROM t_vill), "
                        "(SELECT count(*) FROM t_grid), (SELECT count(*) FROM t_unit), "
                        "(SELECT count(*) FROM t_kp), (SELECT count(*) FROM t_haz), "
                        "(SELECT count(*) FROM t_cam), (SELECT count(*) FROM t_work)",
                        0, NULL, err);
    if (!r)
        return err->code;
    fprintf(stderr,
            "demo: [%d/%d] %.6s %s: %s townships, %s villages, %s grids, %s population units, "
            "%s key places, %s hazards, %s cameras, %s workers (%.1f s)\n",
            nth, total, job->code, job->name, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
            PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 5),
            PQgetvalue(r, 0, 6), PQgetvalue(r, 0, 7), (core_now_ms() - t0) / 1000);
    PQclear(r);
    return CORE_OK;
}

/* The demo county has no outline to generate it in. */
static core_code no_outline(core_err *err, const char *code, const char *name)
{
    return core_fail(err, CORE_ENOTFOUND,
                     "county %.6s %s has no outline in data/demo (see county_renames.csv); pick "
                     "another with --county",
                     code, name);
}

/* The counties to generate: the demo county first (with the planted faults), then, at
 * province scale, every other county with an outline that no earlier run loaded. */
static core_code plan_jobs(PGconn *c, const demo_opts *o, county_job **jobs, int *n, core_err *err)
{
    *jobs = NULL;
    *n = 0;
    const char *params[] = {o->county, o->province ? "true" : "false"};
    PGresult *r =
        query(c,
              "SELECT j.code, j.name, j.code = $1 AS plant, j.geom IS NOT NULL AS has_outline "
              "FROM jurisdictions j "
              "WHERE j.level = 'county' AND (j.code = $1 OR $2::boolean) "
              "  AND NOT EXISTS (SELECT 1 FROM demo_loads d WHERE d.county_code = j.code) "
              "ORDER BY j.code <> $1, j.code",
              2, params, err);
    if (!r)
        return err->code;
    core_code rc = CORE_OK;
    int rows = PQntuples(r);
    county_job *list = calloc((size_t)rows + 1, sizeof *list);
    *jobs = list;
    if (!list) {
        PQclear(r);
        return core_fail(err, CORE_ENOMEM, "out of memory");
    }
    for (int i = 0; !rc && i < rows; i++) {
        bool plant = strcmp(PQgetvalue(r, i, 2), "t") == 0;
        if (strcmp(PQgetvalue(r, i, 3), "t") != 0) {
            if (plant)
                rc = no_outline(err, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
            else
                fprintf(stderr, "demo: skipping %.6s %s: no outline\n", PQgetvalue(r, i, 0),
                        PQgetvalue(r, i, 1));
            continue;
        }
        county_job *j = &list[(*n)++];
        snprintf(j->code, sizeof j->code, "%s", PQgetvalue(r, i, 0));
        snprintf(j->name, sizeof j->name, "%s", PQgetvalue(r, i, 1));
        j->plant = plant;
    }
    PQclear(r);
    return rc;
}

/* What is loaded already: true when the request is covered and nothing needs doing. */
static core_code already_loaded(PGconn *c, const demo_opts *o, bool *done, bool *any, core_err *err)
{
    const char *params[] = {o->county, o->province ? "true" : "false"};
    PGresult *r = query(c,
                        "SELECT count(*) > 0, "
                        "       bool_or(CASE WHEN $2::boolean THEN scale = 'province' "
                        "                    ELSE county_code = $1 END) IS TRUE "
                        "FROM demo_loads",
                        2, params, err);
    if (!r)
        return err->code;
    *any = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    *done = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    return CORE_OK;
}

static core_code check_database(PGconn *c, const demo_opts *o, char *county_name, size_t size,
                                core_err *err)
{
    PGresult *r = query(c, "SELECT to_regclass('jurisdictions') IS NOT NULL", 0, NULL, err);
    if (!r)
        return err->code;
    bool schema = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!schema)
        return core_fail(err, CORE_ENOTFOUND,
                         "the database has no schema yet: run 'pingan db init' first");
    const char *params[] = {o->county};
    r = query(c,
              "SELECT (SELECT count(*) FROM jurisdictions WHERE level = 'county'), "
              "       (SELECT name FROM jurisdictions WHERE code = $1 AND level = 'county')",
              1, params, err);
    if (!r)
        return err->code;
    core_code rc = CORE_OK;
    if (strtol(PQgetvalue(r, 0, 0), NULL, 10) == 0)
        rc = core_fail(err, CORE_ENOTFOUND, "no division codes loaded: run 'pingan db init' first");
    else if (PQgetisnull(r, 0, 1))
        rc = core_fail(err, CORE_ENOTFOUND, "%.6s is not a 2023 county code of Jiangxi", o->county);
    else
        snprintf(county_name, size, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return rc;
}

/* Where the time of a many-county load went, step by step over all counties. */
static void print_step_totals(int counties)
{
    double all = 0;
    for (int i = 0; i < step_count; i++)
        all += step_total[i].seconds;
    fprintf(stderr, "demo: time per step over %d counties (%.1f s in all):\n", counties, all);
    for (int i = 0; i < step_count; i++)
        fprintf(stderr, "demo:   %-14s %8.1f s %5.1f%%\n", step_total[i].label,
                step_total[i].seconds, all > 0 ? 100 * step_total[i].seconds / all : 0);
}

static core_code summary(PGconn *c, double t0, int counties, core_err *err)
{
    PGresult *r = query(c,
                        "SELECT (SELECT count(*) FROM grids), (SELECT count(*) FROM "
                        "population_units), (SELECT count(*) FROM key_places), "
                        "(SELECT count(*) FROM hazards), (SELECT count(*) FROM cameras), "
                        "(SELECT count(*) FROM grid_workers), (SELECT count(*) FROM demo_planted)",
                        0, NULL, err);
    if (!r)
        return err->code;
    printf("demo loaded: %d count%s in %.1f s; the database now holds %s grids, %s population "
           "units, %s key places, %s hazards, %s cameras, %s workers; %s planted faults in "
           "demo_planted\n",
           counties, counties == 1 ? "y" : "ies", (core_now_ms() - t0) / 1000, PQgetvalue(r, 0, 0),
           PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
           PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6));
    PQclear(r);
    return CORE_OK;
}

/* Refuses a demo county without an outline, before anything is removed or written. */
static core_code check_outline(PGconn *c, const demo_opts *o, const char *county_name,
                               core_err *err)
{
    const char *params[] = {o->county};
    PGresult *r =
        query(c, "SELECT geom IS NOT NULL FROM jurisdictions WHERE code = $1", 1, params, err);
    if (!r)
        return err->code;
    core_code rc =
        strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? CORE_OK : no_outline(err, o->county, county_name);
    PQclear(r);
    return rc;
}

/* Everything after connecting, inside one transaction: the caller rolls back on failure. */
static core_code run(PGconn *c, const demo_opts *o, bool *nothing_to_do, core_err *err)
{
    double t0 = core_now_ms();
    char county_name[128];
    char seed[32];
    snprintf(seed, sizeof seed, "%lld", o->seed);
    *nothing_to_do = false;
    core_code rc = run_sql(c, "SET client_min_messages = warning", err);
    if (!rc)
        rc = check_database(c, o, county_name, sizeof county_name, err);
    if (!rc)
        rc = run_sql(c,
                     "BEGIN; SELECT pg_advisory_xact_lock(hashtext('pingan demo')); "
                     "SET LOCAL pingan.actor = 'demo'",
                     err);
    if (!rc)
        rc = run_steps(c, "demo_setup", false, err);
    bool done = false, any = false;
    if (!rc)
        rc = already_loaded(c, o, &done, &any, err);
    if (rc)
        return rc;
    if (done && !o->force) {
        fprintf(stderr, "demo: %s already loaded; nothing to do (--force reloads it)\n",
                o->province ? "the province-scale demo is" : "this demo county is");
        *nothing_to_do = true;
        return CORE_OK;
    }
    /* once outlines are in, a county without one is refused before anything is removed */
    if (any && (rc = check_outline(c, o, county_name, err)))
        return rc;
    if ((rc = run_steps(c, "demo_quiet", false, err)))
        return rc;
    if (o->force && any) {
        fprintf(stderr, "demo: --force: removing the demo data loaded before\n");
        if ((rc = run_steps(c, "demo_reset", false, err)))
            return rc;
        any = false;
    }
    /* a fresh start takes the outlines from data/demo; later runs keep them, since the
     * counties already generated now have outlines made exactly of their townships */
    if (!any) {
        double t1 = core_now_ms();
        if ((rc = load_outlines(c, err)))
            return rc;
        step_add("outlines", (core_now_ms() - t1) / 1000);
    }
    const char *arg[] = {seed, o->county};
    /* random() is seeded too, for completeness: the generator itself draws from a hash of
     * the seed and a key (demo_rand), since random() depends on the order rows come in */
    if ((rc = db_run(c,
                     "CREATE TEMP TABLE demo_arg ON COMMIT DROP AS "
                     "SELECT $1::bigint AS seed, $2::text AS county, true AS plant",
                     2, arg, err)) ||
        (rc = run_sql(c, "SELECT setseed((seed % 1000000) / 1000000.0) FROM demo_arg", err)))
        return rc;
    county_job *jobs = NULL;
    int n = 0;
    rc = plan_jobs(c, o, &jobs, &n, err);
    if (!rc)
        fprintf(stderr, "demo: generating %d count%s from seed %lld%s\n", n, n == 1 ? "y" : "ies",
                o->seed, o->province ? " (province scale)" : "");
    for (int i = 0; !rc && i < n; i++) {
        rc = generate(c, o, &jobs[i], i + 1, n, err);
        /* Inside this one transaction the tables grow from nothing, and every plan made on
         * their old statistics (the triggers' ones too) would scan them whole per row: fresh
         * statistics each time the data has doubled keep the plans right at little cost. */
        int generated = i + 1;
        if (!rc && n > 1 && generated < n && (generated & (generated - 1)) == 0) {
            double t1 = core_now_ms();
            rc = run_sql(c, "ANALYZE", err);
            step_add("analyze", (core_now_ms() - t1) / 1000);
        }
    }
    if (!rc) {
        double t1 = core_now_ms();
        rc = run_steps(c, "demo_finish", false, err);
        if (!rc)
            fprintf(stderr, "demo: hazards, city and province outlines written (%.1f s)\n",
                    (core_now_ms() - t1) / 1000);
    }
    /* the planted county is checked last, when its hazards are in too */
    for (int i = 0; !rc && i < n; i++) {
        if (!jobs[i].plant)
            continue;
        double t1 = core_now_ms();
        const char *code[] = {jobs[i].code};
        rc = db_run(c, "UPDATE demo_arg SET county = $1, plant = true", 1, code, err);
        if (!rc)
            rc = run_steps(c, "demo_verify", false, err);
        step_add("verify", (core_now_ms() - t1) / 1000);
        if (!rc)
            fprintf(stderr, "demo: %.6s %s checked: clean but for the planted faults (%.1f s)\n",
                    jobs[i].code, jobs[i].name, (core_now_ms() - t1) / 1000);
    }
    free(jobs);
    if (!rc) {
        double t1 = core_now_ms();
        rc = run_sql(c, "COMMIT", err);
        step_add("commit", (core_now_ms() - t1) / 1000);
    }
    if (!rc && n > 1)
        print_step_totals(n);
    if (!rc)
        rc = summary(c, t0, n, err);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    demo_opts o;
    int status = parse(&o, argc, argv);
    if (status)
        return status < 0 ? 0 : status;
    core_err err = {0};
    char url[4096];
    if (db_url(url, sizeof url, &err))
        return cli_fail("demo", &err);
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("demo", &err);
    bool nothing = false;
    core_code rc = run(c, &o, &nothing, &err);
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    PQfinish(c);
    return rc ? cli_fail("demo", &err) : 0;
}
