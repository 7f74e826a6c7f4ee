/* Tile math in EPSG:3857 (spherical Mercator), XYZ scheme with y = 0 at the north edge, the
 * same squares as PostGIS ST_TileEnvelope so that SQL and the cache agree to the metre. */
#include "tiles.h"

#include <math.h>

#define WORLD_HALF 20037508.342789244 /* pi * 6378137 */

bool tile_valid(int z, long x, long y)
{
    if (z < 0 || z > TILE_MAX_ZOOM)
        return false;
    long n = 1L << z;
    return x >= 0 && x < n && y >= 0 && y < n;
}

tile_box tile_bounds(int z, int x, int y)
{
    double w = 2 * WORLD_HALF / (double)(1L << z);
    tile_box b = {-WORLD_HALF + x * w, WORLD_HALF - (y + 1) * w, -WORLD_HALF + (x + 1) * w,
                  WORLD_HALF - y * w};
    return b;
}

tile_box tile_bounds_buffered(int z, int x, int y)
{
    tile_box b = tile_bounds(z, x, y);
    double m = (b.maxx - b.minx) * TILE_BUFFER / TILE_EXTENT;
    b.minx -= m, b.miny -= m, b.maxx += m, b.maxy += m;
    return b;
}

void tile_from_lonlat(double lon, double lat, int z, int *x, int *y)
{
    double n = (double)(1L << z);
    double lr = lat * M_PI / 180.0;
    double fx = (lon + 180.0) / 360.0 * n;
    double fy = (1.0 - log(tan(lr) + 1.0 / cos(lr)) / M_PI) / 2.0 * n;
    *x = fx < 0 ? 0 : fx >= n ? (int)n - 1 : (int)fx;
    *y = fy < 0 ? 0 : fy >= n ? (int)n - 1 : (int)fy;
}

void tile_box_lonlat(const tile_box *b, double out[4])
{
    out[0] = b->minx / WORLD_HALF * 180.0;
    out[2] = b->maxx / WORLD_HALF * 180.0;
    out[1] = atan(sinh(b->miny / WORLD_HALF * M_PI)) * 180.0 / M_PI;
    out[3] = atan(sinh(b->maxy / WORLD_HALF * M_PI)) * 180.0 / M_PI;
}
