/* Tile sizes over the data, zoom by zoom: every tile of the data area where they are few, the
 * densest tiles plus an even spread where they are many; the largest and the 99th percentile
 * per zoom and per layer, against the 500 KB a wall map can afford per tile. */
#include "tiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int x, y;
} xy;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The 99th percentile (nearest rank) of n sizes, sorted in place. */
static size_t p99(size_t *v, long n)
{
    if (!v || n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_size);
    long rank = (n * 99 + 99) / 100; /* ceil(0.99 n) */
    return v[rank - 1];
}

static bool seen(const xy *list, long n, int x, int y)
{
    for (long i = 0; i < n; i++)
        if (list[i].x == x && list[i].y == y)
            return true;
    return false;
}

core_code tile_sweep_extent(PGconn *c, double lonlat[4], core_err *err)
{
    char *sql = db_sql("tiles_sweep_extent", err);
    if (!sql)
        return err->code;
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 0, NULL, err);
    free(sql);
    if (!r)
        return err->code;
    core_code rc = CORE_OK;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
        rc = core_fail(err, CORE_ENOTFOUND, "the database holds no outlines or grids to sweep");
    else
        for (int i = 0; i < 4; i++)
            lonlat[i] = strtod(PQgetvalue(r, 0, i), NULL);
    PQclear(r);
    return rc;
}

/* The tiles to measure at zoom z (new array in *out, count returned; -1 with err). */
static long pick_tiles(PGconn *c, const double ext[4], int z, const tile_sweep_opts *o, xy **out,
                       bool *all, core_err *err)
{
    int x0, y0, x1, y1;
    tile_from_lonlat(ext[0], ext[3], z, &x0, &y0); /* north-west */
    tile_from_lonlat(ext[2], ext[1], z, &x1, &y1); /* south-east */
    long w = x1 - x0 + 1, h = y1 - y0 + 1;
    *all = w * h <= o->all_limit;
    long cap = *all ? w * h : (long)o->sample * 2;
    xy *list = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *list);
    if (!list) {
        core_fail(err, CORE_ENOMEM, "out of memory");
        return -1;
    }
    long n = 0;
    if (*all) {
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                list[n++] = (xy){x, y};
        *out = list;
        return n;
    }
    /* Half the sample: the tiles where most rows fall. */
    char *sql = db_sql("tiles_sweep_dense", err);
    if (!sql) {
        free(list);
        return -1;
    }
    char sz[12], sn[12];
    snprintf(sz, sizeof sz, "%d", z);
    snprintf(sn, sizeof sn, "%d", o->sample - o->sample / 2);
    const char *params[] = {sz, sn};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 2, params, err);
    free(sql);
    if (!r) {
        free(list);
        return -1;
    }
    for (int i = 0; i < PQntuples(r) && n < cap; i++) {
        int x = (int)strtol(PQgetvalue(r, i, 0), NULL, 10);
        int y = (int)strtol(PQgetvalue(r, i, 1), NULL, 10);
        if (tile_valid(z, x, y))
            list[n++] = (xy){x, y};
    }
    PQclear(r);
    /* The other half spread evenly over the area (the same tiles on every run). */
    long dense = n;
    for (long i = 1; n < dense + o->sample / 2 && i <= (long)o->sample * 4; i++) {
        int x = x0 + (int)((i * 7919) % w), y = y0 + (int)((i * 104729) % h);
        if (!seen(list, n, x, y))
            list[n++] = (xy){x, y};
    }
    *out = list;
    return n;
}

core_code tile_sweep_zoom(PGconn *c, const tile_set *set, const double ext[4], int z,
                          const tile_sweep_opts *o, tile_sweep_result *res, core_err *err)
{
    memset(res, 0, sizeof *res);
    res->z = z;
    int ncols = 0;
    char *sql = tile_set_sql(set, z, &ncols, err);
    if (!sql)
        return err->code;
    /* Which layer each column is: the set's layers drawn at z, in order. */
    for (int i = 0, k = 0; i < set->n; i++) {
        const tile_layer *l = tile_layer_at(set->idx[i]);
        if (z >= l->minzoom && z <= l->maxzoom)
            res->col_layer[k++] = set->idx[i];
    }
    res->ncols = ncols;
    if (!ncols) {
        free(sql);
        return CORE_OK;
    }
    xy *list = NULL;
    long n = pick_tiles(c, ext, z, o, &list, &res->all, err);
    if (n < 0) {
        free(sql);
        return err->code;
    }
    static const Oid types[3] = {23, 23, 23};
    PGresult *p = PQprepare(c, "", sql, 3, types);
    free(sql);
    core_code rc = CORE_OK;
    if (!p || PQresultStatus(p) != PGRES_COMMAND_OK)
        rc = db_fail(c, p, err);
    PQclear(p);
    size_t *total = calloc((size_t)(n ? n : 1), sizeof *total);
    size_t *per = calloc((size_t)(n ? n : 1) * (size_t)ncols, sizeof *per);
    if (!rc && (!total || !per))
        rc = core_fail(err, CORE_ENOMEM, "out of memory");
    for (long i = 0; i < n && !rc && total && per; i++) {
        char sz[12], sx[12], sy[12];
        snprintf(sz, sizeof sz, "%d", z);
        snprintf(sx, sizeof sx, "%d", list[i].x);
        snprintf(sy, sizeof sy, "%d", list[i].y);
        const char *vals[3] = {sz, sx, sy};
        PGresult *r = PQexecPrepared(c, "", 3, vals, NULL, NULL, 1);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = db_fail(c, r, err);
            PQclear(r);
            break;
        }
        size_t sum = 0;
        for (int k = 0; k < ncols && PQntuples(r) > 0; k++) {
            size_t len = PQgetisnull(r, 0, k) ? 0 : (size_t)PQgetlength(r, 0, k);
            per[(size_t)k * (size_t)n + (size_t)i] = len;
            sum += len;
            if (len > res->max_layer[k])
                res->max_layer[k] = len;
        }
        PQclear(r);
        total[i] = sum;
        res->tiles++;
        if (sum)
            res->nonempty++;
        if (sum > res->max_total) {
            res->max_total = sum;
            res->max_x = list[i].x;
            res->max_y = list[i].y;
        }
        if (o->progress)
            o->progress(o->progress_arg, z, i + 1, n);
    }
    if (!rc) {
        res->p99_total = p99(total, n);
        for (int k = 0; k < ncols; k++)
            res->p99_layer[k] = p99(per + (size_t)k * (size_t)n, n);
    }
    free(total);
    free(per);
    free(list);
    return rc;
}
