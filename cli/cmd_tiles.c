/* pingan tiles: the vector tile layers as the server sees them — list them, or print the one
 * SQL statement a multi-layer tile runs at a zoom (for benchmarks and for reading plans). */
#include "commands.h"
#include "tiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: pingan tiles list\n"
                 "       pingan tiles sql LAYERS ZOOM\n\n"
                 "list   the tile layers: name, zoom range, description\n"
                 "sql    the statement that builds the tile LAYERS (a,b,c) at ZOOM, with\n"
                 "       parameters $1 z, $2 x, $3 y and one bytea column per layer drawn\n");
}

int cmd_tiles(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (int i = 0; i < tile_layer_count(); i++) {
            const tile_layer *l = tile_layer_at(i);
            printf("%-22s z%d-%d  %s\n", l->name, l->minzoom, l->maxzoom, l->description);
        }
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "sql") == 0) {
        core_err err = {0};
        tile_set set;
        char *end;
        long z = strtol(argv[3], &end, 10);
        if (*end || z < 0 || z > TILE_MAX_ZOOM) {
            core_fail(&err, CORE_EINVAL, "zoom must be 0..%d", TILE_MAX_ZOOM);
            return cli_fail("tiles", &err);
        }
        if (tile_set_parse(argv[2], &set, &err))
            return cli_fail("tiles", &err);
        int ncols = 0;
        char *sql = tile_set_sql(&set, (int)z, &ncols, &err);
        if (!sql)
            return cli_fail("tiles", &err);
        if (ncols == 0) {
            free(sql);
            core_fail(&err, CORE_ENOTFOUND, "none of %s is drawn at zoom %ld", set.key, z);
            return cli_fail("tiles", &err);
        }
        printf("%s\n", sql);
        free(sql);
        return 0;
    }
    usage(stderr);
    return 2;
}
