/* pingan import: one bureau file into one collection, validated and all-or-nothing, with a
 * report in text or JSON and progress on long files. */
#include "commands.h"
#include "db.h"
#include "importers.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan import FILE --into TARGET [OPTIONS]\n\n"
            "Reads Shapefile (loose or .zip), GeoPackage, FileGDB, GeoJSON(Seq), KML/KMZ, CSV\n"
            "(WKT or 经度/纬度, lon/lat, X/Y columns) or DXF; converts the text to UTF-8 and the\n"
            "coordinates to CGCS2000; repairs invalid geometry; loads in one transaction.\n\n"
            "  --into TARGET     jurisdictions (boundaries of existing codes), grids, key_places,\n"
            "                    hazards, population_units, cameras\n"
            "  --preset NAME     field names of a common schema: geohazard, boundaries,\n"
            "                    buildings, key_places, cameras, grids (implies --into)\n"
            "  --map COL=FIELD   take column COL from the file's FIELD (repeatable)\n"
            "  --layer NAME      layer of a multi-layer source (--layers lists them)\n"
            "  --layers          list the layers and exit\n"
            "  --s-srs CRS       source CRS when the file has none or a wrong one: EPSG:4547,\n"
            "                    GCJ02, BD09, WGS84, CGCS2000, any CRS GDAL reads\n"
            "  --towgs84 P       7 parameters dx,dy,dz,rx,ry,rz,ds for Xian 1980 / Beijing 1954\n"
            "  --encoding ENC    text encoding of a Shapefile DBF or CSV (GBK, UTF-8 …)\n"
            "  --mode MODE       insert (fail on existing codes), upsert (default; by code),\n"
            "                    replace-scope (also delete rows of --scope not in the file)\n"
            "  --scope CODE      jurisdiction whose rows replace-scope replaces\n"
            "  --dry-run         check and report; write nothing\n"
            "  --format FMT      report as text (default) or json (with every feature's stored\n"
            "                    CGCS2000 geometry, or bbox, and properties)\n"
            "  --quiet           no progress\n"
            "  --job ID          (used by the server) run import job ID: record its start,\n"
            "                    report and result in import_jobs instead of printing them\n"
            "  --actor NAME      who the edit history names (default import:<file name>)\n"
            "  --display-name N  what the report calls the file\n\n"
            "Exit status 0 when the import committed (or the dry run passed), 1 otherwise;\n"
            "on failure, Ctrl-C or a kill the database is left exactly as it was.\n");
}

typedef struct {
    bool tty;
    double t0;
    double last;
} progress;

static void show(void *ud, long done, long total)
{
    progress *p = ud;
    double now = core_now_ms();
    bool final = total >= 0 && done >= total;
    if (!final && now - p->last < (p->tty ? 200 : 5000))
        return;
    p->last = now;
    double secs = (now - p->t0) / 1000.0;
    double rate = secs > 0 ? done / secs : 0;
    if (p->tty) {
        int width = 30, fill = total > 0 ? (int)(width * (double)done / total) : 0;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        double eta = rate > 0 && total > 0 ? (total - done) / rate : 0;
        fprintf(stderr, "\r[%s] %ld/%ld  %.0f features/s  ETA %.0fs ", bar, done, total, rate, eta);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "import: %ld of %ld features read, %.0f features/s\n", done, total, rate);
    }
}

/* One of the import_job_* statements; a failure is only logged (the job row is bookkeeping). */
static void job_sql(PGconn *c, const char *name, int n, const char *const *params)
{
    core_err err = {0};
    char *sql = db_sql(name, &err);
    if (!sql || db_run(c, sql, n, params, &err))
        fprintf(stderr, "pingan import: %s: %s\n", name, err.msg);
    free(sql);
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    imp_options o = {.mode = IMP_MODE_UPSERT};
    const char *format = "text";
    const char *job = NULL;
    bool quiet = false, layers = false;
    static const struct option opts[] = {{"into", required_argument, 0, 'i'},
                                         {"preset", required_argument, 0, 'p'},
                                         {"map", required_argument, 0, 'm'},
                                         {"layer", required_argument, 0, 'l'},
                                         {"layers", no_argument, 0, 'L'},
                                         {"s-srs", required_argument, 0, 's'},
                                         {"towgs84", required_argument, 0, 't'},
                                         {"encoding", required_argument, 0, 'e'},
                                         {"mode", required_argument, 0, 'M'},
                                         {"scope", required_argument, 0, 'S'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"format", required_argument, 0, 'f'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"job", required_argument, 0, 'J'},
                                         {"actor", required_argument, 0, 'A'},
                                         {"display-name", required_argument, 0, 'D'},
                                         {0, 0, 0, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        switch (ch) {
        case 'i':
            o.into = optarg;
            break;
        case 'p':
            o.preset = optarg;
            break;
        case 'm':
            if (o.nmaps == IMP_MAX_MAPS || !strchr(optarg, '=')) {
                fprintf(stderr, "pingan import: --map wants COLUMN=FIELD (at most %d)\n",
                        IMP_MAX_MAPS);
                return 2;
            }
            o.maps[o.nmaps++] = optarg;
            break;
        case 'l':
            o.layer = optarg;
            break;
        case 'L':
            layers = true;
            break;
        case 's':
            o.s_srs = optarg;
            break;
        case 't':
            o.towgs84 = optarg;
            break;
        case 'e':
            o.encoding = optarg;
            break;
        case 'S':
            o.scope = optarg;
            break;
        case 'n':
            o.dry_run = true;
            break;
        case 'f':
            format = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'J':
            job = optarg;
            break;
        case 'A':
            o.actor = optarg;
            break;
        case 'D':
            o.display_name = optarg;
            break;
        case 'M':
            if (strcmp(optarg, "insert") == 0)
                o.mode = IMP_MODE_INSERT;
            else if (strcmp(optarg, "upsert") == 0)
                o.mode = IMP_MODE_UPSERT;
            else if (strcmp(optarg, "replace-scope") == 0)
                o.mode = IMP_MODE_REPLACE_SCOPE;
            else {
                fprintf(stderr, "pingan import: --mode is insert, upsert or replace-scope\n");
                return 2;
            }
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    o.path = argv[optind];
    core_err err = {0};
    if (layers) {
        json_t *a = imp_list_layers(o.path, &err);
        if (!a)
            return cli_fail("import", &err);
        for (size_t i = 0; i < json_array_size(a); i++) {
            json_t *l = json_array_get(a, i);
            printf("%s\t%lld features\t%s\n", json_string_value(json_object_get(l, "name")),
                   (long long)json_integer_value(json_object_get(l, "features")),
                   json_string_value(json_object_get(l, "geometry")));
        }
        json_decref(a);
        return 0;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "pingan import: --format is text or json\n");
        return 2;
    }
    o.feature_details = strcmp(format, "json") == 0;
    char url[4096];
    if (db_url(url, sizeof url, &err))
        return cli_fail("import", &err);
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("import", &err);
    progress p = {.tty = isatty(STDERR_FILENO), .t0 = core_now_ms()};
    if (!quiet) {
        o.progress = show;
        o.progress_ud = &p;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.cancel = &interrupted;
    json_t *report = NULL;
    if (job) {
        /* A server's job: the result goes to its row, where GET /imports/{id} reads it. */
        const char *sp[] = {job};
        job_sql(c, "import_job_start", 1, sp);
        core_code rc = imp_run(&o, c, &report, &err);
        char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
        const char *fp[] = {job, rc ? "failed" : "succeeded", text, rc ? err.msg : NULL};
        job_sql(c, "import_job_finish", 4, fp);
        free(text);
        json_decref(report);
        PQfinish(c);
        return rc ? cli_fail("import", &err) : 0;
    }
    core_code rc = imp_run(&o, c, &report, &err);
    PQfinish(c);
    /* A failure before the file was even opened says it all in one line. */
    if (report && rc && !json_object_get(report, "layer")) {
        json_decref(report);
        report = NULL;
    }
    if (report) {
        if (strcmp(format, "json") == 0) {
            char *s = json_dumps(report, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
            if (s)
                puts(s);
            free(s);
        } else {
            char *s = imp_report_text(report);
            if (s)
                fputs(s, stdout);
            free(s);
        }
        json_decref(report);
    }
    return rc ? cli_fail("import", &err) : 0;
}
