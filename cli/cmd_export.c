/* pingan export: a collection to GeoPackage, Shapefile, GeoJSON, CSV or KML, in CGCS2000 or
 * the CRS asked for, optionally one jurisdiction's part. */
#include "commands.h"
#include "db.h"
#include "importers.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan export --from COLLECTION --format FMT -o FILE [OPTIONS]\n\n"
            "  --from COLLECTION    jurisdictions, grids, key_places, hazards,\n"
            "                       population_units, cameras\n"
            "  --format FMT         gpkg, shp, geojson, csv, kml\n"
            "  -o, --output FILE    file to write (replaced)\n"
            "  --t-srs CRS          EPSG:4490 (default), EPSG:4527, GK (the data's own\n"
            "                       zone-prefixed CGCS2000 3-degree zone), any CRS GDAL reads\n"
            "  --encoding ENC       Shapefile text: UTF-8 (default) or GBK; a .cpg is written\n"
            "  --jurisdiction CODE  only features inside this jurisdiction\n");
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    imp_export_options o = {0};
    static const struct option opts[] = {{"from", required_argument, 0, 'F'},
                                         {"format", required_argument, 0, 'f'},
                                         {"output", required_argument, 0, 'o'},
                                         {"t-srs", required_argument, 0, 't'},
                                         {"encoding", required_argument, 0, 'e'},
                                         {"jurisdiction", required_argument, 0, 'j'},
                                         {0, 0, 0, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (ch) {
        case 'F':
            o.from = optarg;
            break;
        case 'f':
            o.format = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 't':
            o.t_srs = optarg;
            break;
        case 'e':
            o.encoding = optarg;
            break;
        case 'j':
            o.jurisdiction = optarg;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !o.from || !o.format || !o.out) {
        usage(stderr);
        return 2;
    }
    core_err err = {0};
    char url[4096];
    if (db_url(url, sizeof url, &err))
        return cli_fail("export", &err);
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("export", &err);
    long n = 0;
    core_code rc = imp_export(&o, c, &n, &err);
    PQfinish(c);
    if (rc)
        return cli_fail("export", &err);
    fprintf(stderr, "exported %ld features of %s to %s\n", n, o.from, o.out);
    return 0;
}
