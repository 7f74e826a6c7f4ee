/* The pingan command-line tool: one binary, one table of subcommands. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "run the HTTP server (OGC API - Features, tiles, reports, pages)"},
    {"db", cmd_db, "manage the database: init, start, stop, status, migrate, psql, url"},
    {"demo", cmd_demo, "load the demo county (or --scale province for benchmarks)"},
    {"report", cmd_report, "coverage, staffing and scorecard reports (JSON or CSV); refresh"},
    {"token", cmd_token, "bearer tokens for the API: create, list, revoke"},
    {"import", cmd_import, "import a Shapefile, GeoPackage, FileGDB, GeoJSON, KML, CSV or DXF"},
    {"export", cmd_export, "export a collection as GeoPackage, Shapefile, GeoJSON, CSV or KML"},
    {"tiles", cmd_tiles, "list the vector tile layers, print a tile's SQL"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: pingan COMMAND [OPTIONS]\n\n"
                 "Pingan Grid: grid management and hazard mapping for Jiangxi governance "
                 "centres.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'pingan COMMAND --help' for the options of one command.\n"
                 "Environment: PINGAN_DATABASE_URL (use an existing PostGIS server), "
                 "PINGAN_PORT, PINGAN_PG_PORT.\n");
}

int cli_fail(const char *cmd, const core_err *err)
{
    fprintf(stderr, "pingan %s: %s\n", cmd, err && err->msg[0] ? err->msg : "failed");
    return 1;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("pingan " PINGAN_VERSION "\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pingan: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
