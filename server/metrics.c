/* Prometheus metrics: requests by route and status class, and a latency histogram by route,
 * kept in lock-free counters so that counting costs the hot path almost nothing. */
#include "routes.h"
#include "srv_internal.h"
#include "tiles.h"

#include <stdio.h>
#include <string.h>

#define MAX_ROUTES 128 /* routes beyond this are counted as "none" */
static const double buckets_ms[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};
#define NBUCKETS (sizeof buckets_ms / sizeof buckets_ms[0])

static _Atomic long long requests[MAX_ROUTES + 1][6]; /* [route][status / 100] */
static _Atomic long long hist[MAX_ROUTES + 1][NBUCKETS + 1];
static _Atomic long long sum_us[MAX_ROUTES + 1];

static int slot(int route)
{
    return route >= 0 && route < MAX_ROUTES ? route : MAX_ROUTES;
}

void srv_metrics_observe(int route, const char *method, int status, double ms)
{
    (void)method;
    int i = slot(route);
    int cls = status / 100;
    requests[i][cls >= 1 && cls <= 5 ? cls : 0]++;
    size_t b = 0;
    while (b < NBUCKETS && ms > buckets_ms[b])
        b++;
    hist[i][b]++;
    sum_us[i] += (long long)(ms * 1000.0);
}

static bool emit_route(core_buf *out, int i, const char *name)
{
    bool ok = true;
    for (int c = 1; c <= 5 && ok; c++)
        if (requests[i][c])
            ok = core_buf_printf(out,
                                 "pingan_http_requests_total{route=\"%s\",status=\"%dxx\"} %lld\n",
                                 name, c, (long long)requests[i][c]);
    long long cum = 0, total = 0;
    for (size_t b = 0; b <= NBUCKETS; b++)
        total += hist[i][b];
    if (!total)
        return ok;
    for (size_t b = 0; b < NBUCKETS && ok; b++) {
        cum += hist[i][b];
        ok = core_buf_printf(
            out, "pingan_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lld\n", name,
            buckets_ms[b] / 1000.0, cum);
    }
    return ok && core_buf_printf(
                     out,
                     "pingan_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lld\n"
                     "pingan_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                     "pingan_http_request_duration_seconds_count{route=\"%s\"} %lld\n",
                     name, total, name, (double)sum_us[i] / 1e6, name, total);
}

/* ---- tiles area: the tile cache and its invalidation ---- */
static bool emit_tiles(core_buf *out, srv *s)
{
    if (!s->tiles)
        return true;
    tile_stats st;
    tile_stats_get(s->tiles, &st);
    return core_buf_printf(
        out,
        "# HELP pingan_tile_cache_hits_total Tiles answered from the cache.\n"
        "# TYPE pingan_tile_cache_hits_total counter\npingan_tile_cache_hits_total %lld\n"
        "# HELP pingan_tile_cache_misses_total Tiles built by PostGIS.\n"
        "# TYPE pingan_tile_cache_misses_total counter\npingan_tile_cache_misses_total %lld\n"
        "# HELP pingan_tile_cache_bytes Bytes held by the tile cache.\n"
        "# TYPE pingan_tile_cache_bytes gauge\npingan_tile_cache_bytes %lld\n"
        "# HELP pingan_tile_cache_budget_bytes The tile cache's byte budget.\n"
        "# TYPE pingan_tile_cache_budget_bytes gauge\npingan_tile_cache_budget_bytes %lld\n"
        "# HELP pingan_tile_cache_entries Tiles held by the tile cache.\n"
        "# TYPE pingan_tile_cache_entries gauge\npingan_tile_cache_entries %lld\n"
        "# HELP pingan_tile_cache_evictions_total Tiles dropped for the byte budget.\n"
        "# TYPE pingan_tile_cache_evictions_total counter\npingan_tile_cache_evictions_total %lld\n"
        "# HELP pingan_tile_notifications_total Change notifications applied to the cache.\n"
        "# TYPE pingan_tile_notifications_total counter\npingan_tile_notifications_total %lld\n"
        "# HELP pingan_tile_invalidations_total Cached tiles dropped because their data changed.\n"
        "# TYPE pingan_tile_invalidations_total counter\npingan_tile_invalidations_total %lld\n"
        "# HELP pingan_tile_cache_flushes_total Whole-cache flushes (listener reconnects).\n"
        "# TYPE pingan_tile_cache_flushes_total counter\npingan_tile_cache_flushes_total %lld\n"
        "# HELP pingan_tile_listener_up 1 when the change listener is connected.\n"
        "# TYPE pingan_tile_listener_up gauge\npingan_tile_listener_up %d\n",
        st.hits, st.misses, st.bytes, st.budget, st.entries, st.evictions, st.notifications,
        st.invalidated, st.flushes, st.listening ? 1 : 0);
}
/* ---- end of tiles area ---- */

int h_metrics(srv_req *r)
{
    core_buf out = {0};
    bool ok = core_buf_puts(&out, "# HELP pingan_http_requests_total HTTP requests answered.\n"
                                  "# TYPE pingan_http_requests_total counter\n"
                                  "# HELP pingan_http_request_duration_seconds Time to answer.\n"
                                  "# TYPE pingan_http_request_duration_seconds histogram\n");
    int n = srv_route_count();
    for (int i = 0; i < n && i < MAX_ROUTES && ok; i++)
        ok = emit_route(&out, i, srv_route_name(i));
    ok = ok && emit_route(&out, MAX_ROUTES, "none");
    ok = ok && emit_tiles(&out, r->server);
    ok = ok && core_buf_printf(&out,
                               "# HELP pingan_uptime_seconds Seconds since the server started.\n"
                               "# TYPE pingan_uptime_seconds gauge\npingan_uptime_seconds %.3f\n",
                               (core_now_ms() - r->server->started_ms) / 1000.0);
    int status =
        ok ? srv_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len, NULL)
           : srv_problem(r, 500, "out_of_memory", NULL, NULL);
    core_buf_free(&out);
    return status;
}
