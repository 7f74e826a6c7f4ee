/* Tile URLs /tiles/{layers}/{z}/{x}/{y}.mvt: the layer list (tile_set_parse) and z/x/y
 * (srv_tile_zxy). Input: "layers/z/x/y". An accepted tile must be inside its zoom. */
#include "fuzz.h"
#include "srv_internal.h"
#include "tiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    if (!s)
        return 0;
    char *part[4] = {s, "", "", ""};
    int n = 1;
    for (char *p = s; *p && n < 4; p++)
        if (*p == '/')
            *p = '\0', part[n++] = p + 1;
    tile_set set;
    core_err err = {0};
    if (tile_set_parse(part[0], &set, &err) == CORE_OK) {
        if (set.n < 1 || set.n > TILE_MAX_SET || strlen(set.key) >= sizeof set.key)
            abort();
        int zmin, zmax;
        tile_set_zooms(&set, &zmin, &zmax);
    }
    long z, x, y;
    if (srv_tile_zxy(part[1], part[2], part[3], &z, &x, &y) == 0) {
        if (z < 0 || z > TILE_MAX_ZOOM || x < 0 || y < 0 || x >= (1L << z) || y >= (1L << z))
            abort();
        tile_box b = tile_bounds((int)z, (int)x, (int)y);
        (void)b;
    }
    free(s);
    return 0;
}
