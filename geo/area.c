/*
 * Area in square metres of lon/lat polygons on the CGCS2000 (GRS80) ellipsoid, with
 * Karney's geodesics that PROJ ships — planar degrees² are useless for staffing ratios.
 */
#include <geodesic.h>
#include <math.h>
#include <stdlib.h>

#include "geo_internal.h"

typedef struct {
    struct geod_geodesic geod;
    double total;
    core_code rc;
} area_sum;

static int ring_area(geo_ctx *ctx, const GEOSCoordSequence *seq, const geo_seq_where *where,
                     void *arg)
{
    area_sum *sum = arg;
    if (where->ring < 0)
        return 0; /* points and lines have no area */
    unsigned int n = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->gh, seq, &n))
        return -1;
    if (n < 4)
        return 0;
    double *lon = malloc(n * sizeof *lon);
    double *lat = malloc(n * sizeof *lat);
    if (!lon || !lat) {
        free(lon);
        free(lat);
        sum->rc = CORE_ENOMEM;
        return 1;
    }
    int rc = 0;
    if (!GEOSCoordSeq_copyToArrays_r(ctx->gh, seq, lon, lat, NULL, NULL)) {
        rc = -1;
    } else {
        for (unsigned int i = 0; i < n; i++)
            if (!(fabs(lat[i]) <= 90) || !isfinite(lon[i])) {
                sum->rc = CORE_ECRS;
                rc = 1;
                break;
            }
    }
    if (rc == 0) {
        double area = 0;
        /* The closing vertex repeats the first; geod_polygonarea closes rings itself. */
        geod_polygonarea(&sum->geod, lat, lon, (int)n - 1, &area, NULL);
        sum->total += where->ring == 0 ? fabs(area) : -fabs(area);
    }
    free(lon);
    free(lat);
    return rc;
}

core_code geo_geom_area_m2(geo_ctx *ctx, const geo_geom *g, double *m2, core_err *err)
{
    area_sum sum = {.total = 0, .rc = CORE_OK};
    /* GRS80, the CGCS2000 ellipsoid; WGS84's differs in the 11th digit of f. */
    geod_init(&sum.geod, 6378137.0, 1 / 298.257222101);
    int rc = geo_each_seq(ctx, g->g, ring_area, &sum);
    if (sum.rc == CORE_ENOMEM)
        return core_fail(err, CORE_ENOMEM, "area");
    if (sum.rc == CORE_ECRS)
        return core_fail(err, CORE_ECRS, "area in m² needs lon/lat coordinates");
    if (rc < 0)
        return geo_fail_geos(ctx, err, CORE_EGEOM, "cannot compute area");
    *m2 = sum.total;
    return CORE_OK;
}
