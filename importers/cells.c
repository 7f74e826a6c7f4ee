/* The extent of what a bulk load wrote, cell by cell: each feature's box goes to the cell of
 * its south-west corner, and a cell keeps the extent of the boxes it got, which is what the
 * database's statement triggers compute from a big insert (migrations 012, 015). The cells
 * are a hash table; past IMP_CELLS_MAX of them they double in size and merge, so memory stays
 * bounded however scattered the file (a merged cell still holds the exact extent of its
 * features, only fewer and larger boxes reach the server). */
#include "imp_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMP_CELLS_MAX 16384

typedef struct imp_cell {
    int64_t kx, ky;
    double box[4];
    bool used;
} imp_cell;

static size_t slot_of(const imp_cells *c, int64_t kx, int64_t ky)
{
    uint64_t h = (uint64_t)kx * 0x9E3779B97F4A7C15u ^ (uint64_t)ky * 0xC2B2AE3D27D4EB4Fu;
    h ^= h >> 29;
    size_t i = (size_t)h & (c->cap - 1);
    while (c->slot[i].used && (c->slot[i].kx != kx || c->slot[i].ky != ky))
        i = (i + 1) & (c->cap - 1);
    return i;
}

/* The cell number of a coordinate; absurd coordinates (they are loaded, and reported as
 * outside Jiangxi) share cell 0 rather than overflow. */
static int64_t key(double v, double size)
{
    double q = floor(v / size);
    return fabs(q) < 9e18 ? (int64_t)q : 0;
}

static void put(imp_cells *c, const double box[4])
{
    int64_t kx = key(box[0], c->size), ky = key(box[1], c->size);
    imp_cell *s = &c->slot[slot_of(c, kx, ky)];
    if (!s->used) {
        *s = (imp_cell){.kx = kx, .ky = ky, .box = {box[0], box[1], box[2], box[3]}, .used = true};
        c->n++;
        return;
    }
    s->box[0] = fmin(s->box[0], box[0]);
    s->box[1] = fmin(s->box[1], box[1]);
    s->box[2] = fmax(s->box[2], box[2]);
    s->box[3] = fmax(s->box[3], box[3]);
}

/* Rebuilds the table with cap slots and cells of size, putting the old cells' boxes back. */
static core_code rehash(imp_cells *c, size_t cap, double size, core_err *err)
{
    imp_cell *slot = calloc(cap, sizeof *slot);
    if (!slot) {
        core_fail(err, CORE_ENOMEM, "out of memory");
        return CORE_ENOMEM;
    }
    imp_cell *old = c->slot;
    size_t oldcap = c->cap;
    c->slot = slot;
    c->cap = cap;
    c->size = size;
    c->n = 0;
    for (size_t i = 0; old && i < oldcap; i++)
        if (old[i].used)
            put(c, old[i].box);
    free(old);
    return CORE_OK;
}

core_code imp_cells_add(imp_cells *c, const double box[4], core_err *err)
{
    core_code rc;
    if (!c->slot && (rc = rehash(c, 1024, c->size > 0 ? c->size : IMP_CELL_DEG, err)))
        return rc;
    /* at most half full; past the limit, coarser cells instead of more of them */
    while (2 * (c->n + 1) > c->cap)
        if ((rc = c->n + 1 > IMP_CELLS_MAX ? rehash(c, c->cap, 2 * c->size, err)
                                           : rehash(c, 2 * c->cap, c->size, err)))
            return rc;
    put(c, box);
    c->rows++;
    return CORE_OK;
}

core_code imp_cells_array(const imp_cells *c, core_buf *out, core_err *err)
{
    bool ok = core_buf_puts(out, "{");
    for (size_t i = 0, k = 0; ok && i < c->cap; i++) {
        const double *b = c->slot[i].box;
        if (c->slot[i].used)
            ok = core_buf_printf(out, "%s%.17g,%.17g,%.17g,%.17g", k++ ? "," : "", b[0], b[1], b[2],
                                 b[3]);
    }
    ok = ok && core_buf_puts(out, "}");
    return ok ? CORE_OK : core_fail(err, CORE_ENOMEM, "out of memory");
}

void imp_cells_free(imp_cells *c)
{
    free(c->slot);
    *c = (imp_cells){0};
}
