/* pingan tiles: the vector tile layers as the server sees them — list them, print the one
 * SQL statement a multi-layer tile runs at a zoom (for benchmarks and for reading plans), or
 * sweep every zoom for the size of its tiles against the 500 KB limit. */
#include "commands.h"
#include "db.h"
#include "tiles.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan tiles list\n"
            "       pingan tiles sql LAYERS ZOOM\n"
            "       pingan tiles sizes [--layers LAYERS] [--zooms A-B] [--all N] [--sample N]\n"
            "                          [--limit-kb KB] [--json] [--quiet]\n\n"
            "list   the tile layers: name, zoom range, description\n"
            "sql    the statement that builds the tile LAYERS (a,b,c) at ZOOM, with\n"
            "       parameters $1 z, $2 x, $3 y and one bytea column per layer drawn\n"
            "sizes  builds tiles of the database's data at every zoom and prints the largest\n"
            "       and the 99th percentile size (raw MVT) per zoom and per layer:\n"
            "  --layers LAYERS  the multi-layer tile to weigh (default: every layer)\n"
            "  --zooms A-B      zooms to sweep (default 5-18)\n"
            "  --all N          every tile of the data area where a zoom has at most N (1500)\n"
            "  --sample N       else N tiles: half the densest, half spread evenly (600)\n"
            "  --limit-kb KB    the size no tile may reach (500); exit status 1 when one does\n"
            "  --json           one JSON object per zoom instead of the table\n"
            "  --quiet          no progress\n");
}

typedef struct {
    bool tty;
    double last;
} progress;

static void show(void *arg, int z, long done, long total)
{
    progress *p = arg;
    double now = core_now_ms();
    if (done < total && now - p->last < (p->tty ? 200 : 10000))
        return;
    p->last = now;
    if (p->tty)
        fprintf(stderr, "\rz%-2d %6ld / %-6ld tiles%s", z, done, total, done >= total ? "\n" : "");
    else
        fprintf(stderr, "z%d: %ld / %ld tiles\n", z, done, total);
}

static void print_kb(size_t bytes)
{
    printf(" %9.1f", (double)bytes / 1024.0);
}

static int sizes(int argc, char **argv)
{
    static const struct option opts[] = {
        {"layers", required_argument, NULL, 'l'},   {"zooms", required_argument, NULL, 'z'},
        {"all", required_argument, NULL, 'a'},      {"sample", required_argument, NULL, 's'},
        {"limit-kb", required_argument, NULL, 'k'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},          {NULL, 0, NULL, 0}};
    char every[512] = ""; /* default: every registered layer */
    for (int i = 0; i < tile_layer_count() && i < TILE_MAX_SET; i++)
        snprintf(every + strlen(every), sizeof every - strlen(every), "%s%s", i ? "," : "",
                 tile_layer_at(i)->name);
    const char *layers = every;
    int zmin = 5, zmax = 18;
    long limit_kb = TILE_SIZE_LIMIT / 1024;
    bool json = false, quiet = false;
    tile_sweep_opts o = {.all_limit = 1500, .sample = 600};
    core_err err = {0};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case 'l':
            layers = optarg;
            break;
        case 'z': { /* "A-B" or "A" */
            long a = strtol(optarg, &end, 10), b = a;
            if (end != optarg && *end == '-') {
                const char *rest = end + 1;
                b = strtol(rest, &end, 10);
                if (end == rest)
                    a = -1;
            }
            if (end == optarg || *end || a < 0 || b > TILE_MAX_ZOOM || a > b) {
                core_fail(&err, CORE_EINVAL, "--zooms takes A-B within 0-%d", TILE_MAX_ZOOM);
                return cli_fail("tiles sizes", &err);
            }
            zmin = (int)a;
            zmax = (int)b;
            break;
        }
        case 'a':
        case 's':
        case 'k': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                core_fail(&err, CORE_EINVAL, "--%s takes a whole number 1..1000000",
                          ch == 'a'   ? "all"
                          : ch == 's' ? "sample"
                                      : "limit-kb");
                return cli_fail("tiles sizes", &err);
            }
            if (ch == 'a')
                o.all_limit = v;
            else if (ch == 's')
                o.sample = (int)v;
            else
                limit_kb = v;
            break;
        }
        case 'j':
            json = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    tile_set set;
    if (tile_set_parse(layers, &set, &err))
        return cli_fail("tiles sizes", &err);
    progress p = {.tty = isatty(STDERR_FILENO)};
    if (!quiet) {
        o.progress = show;
        o.progress_arg = &p;
    }
    char url[1024];
    if (db_url(url, sizeof url, &err))
        return cli_fail("tiles sizes", &err);
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("tiles sizes", &err);
    PQclear(PQexec(c, "SET jit = off"));
    double ext[4];
    if (tile_sweep_extent(c, ext, &err)) {
        PQfinish(c);
        return cli_fail("tiles sizes", &err);
    }
    if (!json)
        printf("tile sizes in KB (raw MVT) of %s over %.3f,%.3f,%.3f,%.3f; limit %ld KB\n\n",
               set.key, ext[0], ext[1], ext[2], ext[3], limit_kb);
    int over = 0;
    for (int z = zmin; z <= zmax; z++) {
        tile_sweep_result res;
        if (tile_sweep_zoom(c, &set, ext, z, &o, &res, &err)) {
            PQfinish(c);
            return cli_fail("tiles sizes", &err);
        }
        bool bad = res.max_total >= (size_t)limit_kb * 1024;
        over += bad;
        if (json) {
            printf("{\"z\":%d,\"tiles\":%ld,\"nonempty\":%ld,\"every_tile\":%s,"
                   "\"max_bytes\":%zu,\"p99_bytes\":%zu,\"largest\":\"%d/%d/%d\",\"over_limit\":%s,"
                   "\"layers\":{",
                   z, res.tiles, res.nonempty, res.all ? "true" : "false", res.max_total,
                   res.p99_total, z, res.max_x, res.max_y, bad ? "true" : "false");
            for (int k = 0; k < res.ncols; k++)
                printf("%s\"%s\":{\"max_bytes\":%zu,\"p99_bytes\":%zu}", k ? "," : "",
                       tile_layer_at(res.col_layer[k])->name, res.max_layer[k], res.p99_layer[k]);
            printf("}}\n");
            fflush(stdout);
            continue;
        }
        if (!res.ncols) {
            printf("z%-3d nothing drawn\n\n", z);
            continue;
        }
        printf("z%-3d %ld tiles (%s), %ld with data; whole tile: max", z, res.tiles,
               res.all ? "every tile of the area" : "densest + spread", res.nonempty);
        print_kb(res.max_total);
        printf(" (%d/%d/%d), p99", z, res.max_x, res.max_y);
        print_kb(res.p99_total);
        printf("%s\n", bad ? "  OVER THE LIMIT" : "");
        printf("     %-22s %9s %9s\n", "layer", "max", "p99");
        for (int k = 0; k < res.ncols; k++) {
            printf("     %-22s", tile_layer_at(res.col_layer[k])->name);
            print_kb(res.max_layer[k]);
            print_kb(res.p99_layer[k]);
            printf("\n");
        }
        printf("\n");
        fflush(stdout);
    }
    PQfinish(c);
    if (!json)
        printf("%s\n", over ? "some zoom has a tile over the limit" : "every tile under the limit");
    return over ? 1 : 0;
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
    if (argc >= 2 && strcmp(argv[1], "sizes") == 0)
        return sizes(argc - 1, argv + 1);
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
