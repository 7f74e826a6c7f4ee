/*
 * tiles — Mapbox Vector Tiles (MVT 2.1) for the situation display and the editor: tile math,
 * the table of layers (one row + one SQL file each), tiles built by PostGIS ST_AsMVT, a
 * byte-budgeted LRU cache of gzipped tiles, and exact invalidation from the database's
 * change notifications (channel 'pingan_tiles', written by triggers of migration 003).
 * Built on libpq and zlib; knows nothing of HTTP.
 */
#ifndef PINGAN_TILES_H
#define PINGAN_TILES_H

#include "core.h"
#include "db.h"

#include <libpq-fe.h>
#include <stdint.h>

#define TILE_EXTENT   4096 /* MVT units across a tile */
#define TILE_BUFFER   64   /* MVT units drawn beyond each edge */
#define TILE_MAX_ZOOM 22
#define TILE_MAX_SET  16 /* layers in one multi-layer tile */

/* ---- tile math (EPSG:3857, XYZ scheme: y = 0 at the north) ---- */

typedef struct {
    double minx, miny, maxx, maxy;
} tile_box;

/* True when z is 0..TILE_MAX_ZOOM and x, y are inside the zoom's 2^z x 2^z grid. */
bool tile_valid(int z, long x, long y);
/* The tile's square in EPSG:3857 metres. */
tile_box tile_bounds(int z, int x, int y);
/* The same square grown by TILE_BUFFER units on each side: everything the tile draws. */
tile_box tile_bounds_buffered(int z, int x, int y);
/* The tile holding a longitude/latitude (degrees) at zoom z. */
void tile_from_lonlat(double lon, double lat, int z, int *x, int *y);
/* A longitude/latitude box (degrees) of the 3857 box. */
void tile_box_lonlat(const tile_box *b, double out[4]);

/* ---- the layer registry ---- */

typedef struct {
    const char *name;
    const char *type; /* TileJSON vector_layers type: String, Number, Boolean */
} tile_field;

/* One row per layer. Adding a layer = one row in tiles/layers.c + data/sql/tiles_<name>.sql
 * (a SELECT of one bytea, ST_AsMVT(…, '<name>', 4096, 'geom'), parameters $1 z, $2 x, $3 y)
 * + a trigger that calls tile_send('<name>', …) with the boxes of changed rows. */
typedef struct {
    const char *name; /* MVT layer name and URL name */
    int minzoom, maxzoom;
    const char *description;
    const tile_field *fields; /* ended by {NULL, NULL} */
} tile_layer;

int tile_layer_count(void);
const tile_layer *tile_layer_at(int i);
/* Index of the layer called name, -1 when none. */
int tile_layer_find(const char *name);

/* A multi-layer tile's layers, in the order asked for (MVT layers are concatenated). */
typedef struct {
    int n;
    int idx[TILE_MAX_SET];
    uint64_t mask; /* bit per layer index */
    char key[512]; /* canonical "a,b,c" */
} tile_set;

/* Parses "a,b,c": CORE_ENOTFOUND for an unknown layer, CORE_EINVAL for an empty name, a
 * repeated layer or too many layers; err says which. */
core_code tile_set_parse(const char *csv, tile_set *out, core_err *err);
/* Smallest minzoom and largest maxzoom of the set's layers. */
void tile_set_zooms(const tile_set *set, int *minzoom, int *maxzoom);
/* The SQL of layer i (data/sql/tiles_<name>.sql, read once per process and kept), or NULL
 * with err when the file cannot be read. */
const char *tile_layer_sql(int i, core_err *err);
/* The one SQL statement that builds the set's layers visible at zoom z, one bytea column per
 * layer ($1 z, $2 x, $3 y). New string (caller frees); NULL with err. *ncols gets the count
 * (0: nothing is drawn at that zoom, and the string is empty). */
char *tile_set_sql(const tile_set *set, int z, int *ncols, core_err *err);

/* ---- tiles, cache, invalidation ---- */

typedef struct tile_ctx tile_ctx;

/* A built tile, shared by the cache and its readers: read-only, reference counted. */
typedef struct tile_ref tile_ref;
struct tile_ref {
    const unsigned char *gz; /* gzip member of the MVT bytes; NULL when empty */
    size_t gz_len;
    size_t raw_len; /* 0: the tile is empty (204) */
    char etag[40];  /* "\"…\"", a hash of the MVT bytes */
};

/* Creates the tile context: reads the layers' SQL files, and (when db_url is not NULL)
 * starts the listener thread on its own connection. cache_bytes 0 disables the cache.
 * Returns it (caller frees with tile_ctx_free) or NULL with err. */
tile_ctx *tile_ctx_create(const char *db_url, long long cache_bytes, core_err *err);
/* Stops the listener and frees every cached tile (readers must have released theirs). */
void tile_ctx_free(tile_ctx *t);

/* The tile z/x/y of a set: from the cache, else built on a connection of the pool (taken
 * only on a miss) and cached. *out is a new reference (release with tile_ref_release).
 * CORE_EINVAL for a tile outside the grid, CORE_EDB / CORE_EUNAVAIL from the database. */
core_code tile_get(tile_ctx *t, db_pool *pool, const tile_set *set, int z, int x, int y,
                   tile_ref **out, core_err *err);
void tile_ref_release(tile_ref *ref);
/* The uncompressed MVT bytes of a tile, appended to out (for clients without gzip). */
core_code tile_ref_inflate(const tile_ref *ref, core_buf *out, core_err *err);

/* Applies one notification payload ("<layers> <zmin> <zmax> <old box|-> <new box|->", or
 * "flush"): drops exactly the cached tiles of those layers and zooms whose buffered area
 * touches a box. Returns how many tiles it dropped, -1 when the payload is malformed. */
long tile_invalidate(tile_ctx *t, const char *payload);
/* Drops every cached tile (after a lost listener connection: notifications may be lost). */
void tile_flush(tile_ctx *t);
/* Waits until the listener has applied every notification committed before this call, by
 * sending a marker through c; for writers that want their next read to see their edit.
 * CORE_EUNAVAIL when the listener is not connected or the wait times out. */
core_code tile_sync(tile_ctx *t, PGconn *c, int timeout_ms, core_err *err);

typedef struct {
    long long hits, misses;   /* cache lookups */
    long long bytes, entries; /* held now */
    long long evictions;      /* dropped for the byte budget */
    long long notifications;  /* change notifications applied */
    long long invalidated;    /* tiles dropped by them */
    long long flushes;        /* whole-cache flushes (listener reconnects) */
    long long budget;         /* byte budget */
    bool listening;           /* listener connected */
} tile_stats;
void tile_stats_get(tile_ctx *t, tile_stats *out);

/* ---- tile sizes over the data (pingan tiles sizes, bench/tile_sizes.sh) ---- */

#define TILE_SIZE_LIMIT (500 * 1024) /* the most one tile may weigh (raw MVT bytes) */

typedef struct {
    long all_limit; /* measure every tile of the data area when there are at most this many */
    int sample;     /* else this many: half the densest tiles, half spread evenly */
    void (*progress)(void *arg, int z, long done, long total);
    void *progress_arg;
} tile_sweep_opts;

typedef struct {
    int z;
    bool all;  /* every tile of the data area was measured (else a sample) */
    int ncols; /* layers drawn at z (0: nothing is) */
    int col_layer[TILE_MAX_SET];
    long tiles, nonempty;
    size_t max_total, p99_total; /* raw MVT bytes of the whole set's tile */
    int max_x, max_y;            /* the largest tile */
    size_t max_layer[TILE_MAX_SET], p99_layer[TILE_MAX_SET];
} tile_sweep_result;

/* The data area (outlines and grids) in longitude/latitude: CORE_ENOTFOUND when empty. */
core_code tile_sweep_extent(PGconn *c, double lonlat[4], core_err *err);
/* Builds the tiles of zoom z to measure them (nothing is cached or sent anywhere). */
core_code tile_sweep_zoom(PGconn *c, const tile_set *set, const double ext[4], int z,
                          const tile_sweep_opts *o, tile_sweep_result *res, core_err *err);

#endif
