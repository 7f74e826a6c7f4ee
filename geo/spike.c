/*
 * Spikes: a ring vertex where the boundary goes out and comes straight back. GEOS calls a
 * spike valid unless it touches itself exactly, but in a grid boundary it is always a
 * drawing slip or a digitising error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "geo_internal.h"

typedef struct {
    double tolerance_deg;
    double best_deg; /* sharpest angle found so far */
    geo_fault *fault;
    bool oom;
} spike_search;

static int find_in_ring(geo_ctx *ctx, const GEOSCoordSequence *seq, const geo_seq_where *where,
                        void *arg)
{
    spike_search *s = arg;
    if (where->ring < 0)
        return 0;
    unsigned int n = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->gh, seq, &n))
        return -1;
    if (n < 4)
        return 0;
    double *x = malloc(n * sizeof *x);
    double *y = malloc(n * sizeof *y);
    unsigned int *at = malloc(n * sizeof *at);
    if (!x || !y || !at) {
        free(x);
        free(y);
        free(at);
        s->oom = true;
        return 1;
    }
    /* Distinct consecutive vertices, without the closing repeat of the first. */
    unsigned int m = 0;
    for (unsigned int i = 0; i + 1 < n; i++) {
        double vx, vy;
        if (!GEOSCoordSeq_getXY_r(ctx->gh, seq, i, &vx, &vy))
            continue;
        if (m > 0 && vx == x[m - 1] && vy == y[m - 1])
            continue;
        x[m] = vx;
        y[m] = vy;
        at[m] = i;
        m++;
    }
    while (m > 1 && x[m - 1] == x[0] && y[m - 1] == y[0])
        m--;
    for (unsigned int i = 0; m >= 3 && i < m; i++) {
        unsigned int prev = (i + m - 1) % m, next = (i + 1) % m;
        double ax = x[prev] - x[i], ay = y[prev] - y[i];
        double bx = x[next] - x[i], by = y[next] - y[i];
        /* The angle between the two edges at the vertex: 0 when the ring doubles back. */
        double deg = atan2(fabs(ax * by - ay * bx), ax * bx + ay * by) * 180.0 / GEO_PI;
        if (deg < s->tolerance_deg && deg < s->best_deg) {
            s->best_deg = deg;
            char reason[256];
            snprintf(reason, sizeof reason, "spike: the edges meet at %.4g degrees", deg);
            geo_fault_set(s->fault, GEO_FAULT_SPIKE, reason);
            geo_fault_at(s->fault, x[i], y[i], where->part, where->ring, (int)at[i]);
        }
    }
    free(x);
    free(y);
    free(at);
    return 0;
}

bool geo_find_spike(geo_ctx *ctx, const geo_geom *g, double tolerance_deg, geo_fault *fault)
{
    geo_fault_clear(fault);
    spike_search s = {tolerance_deg, INFINITY, fault, false};
    int rc = geo_each_seq(ctx, g->g, find_in_ring, &s);
    if (s.oom || rc < 0) {
        /* Cannot tell; say "no spike" rather than reject a geometry on our own failure. */
        geo_fault_clear(fault);
        return false;
    }
    return isfinite(s.best_deg);
}
