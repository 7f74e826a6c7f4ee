#!/usr/bin/env bash
# Vector tile benchmark on province-scale data, in one run on one machine:
#   postgis  pgbench running the server's own tile statement (prepared) on the same tiles
#   cold     wrk against the server with the tile cache off (every tile built by PostGIS)
#   nginx    nginx serving the same tiles (same gzip bytes) as static files
#   warm     wrk against the server with every tile cached
# at z8, z12 and z15, for the situation display's multi-layer tile (all base layers).
# Prints requests/s and p99 latency for each, and the ratios cold/postgis (target >= 0.9)
# and warm/nginx (target >= 0.8), and the largest tile per zoom (limit 500 KB).
# Settings: PINGAN_BENCH_DB (pingan_bench_tiles), PINGAN_BENCH_PORT (8150; nginx uses +1),
# PINGAN_BENCH_SECONDS (10 per run), PINGAN_BENCH_CONNECTIONS (8), PINGAN_BENCH_TILES (2000
# per zoom). Needs wrk, nginx, pgbench, curl (PINGAN_BENCH_DEPS=1 scripts/install-deps.sh).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
PINGAN=$TOP/build/pingan
DB=${PINGAN_BENCH_DB:-pingan_bench_tiles}
PORT=${PINGAN_BENCH_PORT:-8150}
NGINX_PORT=$((PORT + 1))
SECONDS_PER_RUN=${PINGAN_BENCH_SECONDS:-10}
CONNS=${PINGAN_BENCH_CONNECTIONS:-8}
NTILES=${PINGAN_BENCH_TILES:-2000}
ZOOMS=(8 12 15)
LAYERS=jurisdictions,jurisdiction_labels,grids,key_places,hazards,cameras,population_units

for tool in wrk nginx pgbench curl psql; do
    command -v "$tool" >/dev/null || { echo "bench/tiles.sh: $tool is missing (PINGAN_BENCH_DEPS=1 scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$PINGAN" ] || { echo "bench/tiles.sh: build first (cmake --build build)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pingan-bench-tiles.XXXXXX)
SERVER_PID=""
NGINX_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The bench database on the same server as the project's database.
. "$TOP/bench/lib/province_db.sh"

# The same tiles for everyone: tile i of zoom z is (x0 + i*7919 mod w, y0 + i*104729 mod h)
# over the rectangle of tiles covering the data.
declare -A X0 Y0 W H
for z in "${ZOOMS[@]}"; do
    read -r x0 y0 w h < <(q "
      WITH e AS (SELECT ST_Extent(geom) AS b FROM jurisdictions WHERE level = 'county'),
      t AS (SELECT floor((ST_XMin(b) + 180) / 360 * 2 ^ $z)::int AS x0, floor((ST_XMax(b) + 180) / 360 * 2 ^ $z)::int AS x1,
                   floor((1 - ln(tan(radians(ST_YMax(b))) + 1 / cos(radians(ST_YMax(b)))) / pi()) / 2 * 2 ^ $z)::int AS y0,
                   floor((1 - ln(tan(radians(ST_YMin(b))) + 1 / cos(radians(ST_YMin(b)))) / pi()) / 2 * 2 ^ $z)::int AS y1 FROM e)
      SELECT x0, y0, x1 - x0 + 1, y1 - y0 + 1 FROM t" | tr '|' ' ')
    X0[$z]=$x0 Y0[$z]=$y0 W[$z]=$w H[$z]=$h
    for ((i = 1; i <= NTILES; i++)); do
        echo "/tiles/$LAYERS/$z/$((x0 + (i * 7919) % w))/$((y0 + (i * 104729) % h)).mvt"
    done | sort -u >"$WORK/list$z.txt"
    # pgbench: the server's statement for this zoom, parameters as pgbench variables.
    {
        echo "\\set i random(1, $NTILES)"
        echo "\\set z $z"
        echo "\\set x $x0 + (:i * 7919) % $w"
        echo "\\set y $y0 + (:i * 104729) % $h"
        "$PINGAN" tiles sql "$LAYERS" "$z" | sed -e 's/--.*$//' -e 's/\$1/(:z)/g; s/\$2/(:x)/g; s/\$3/(:y)/g'
        echo ";"
    } >"$WORK/pgbench$z.sql"
done

start_server() { # cache size in MB
    "$PINGAN" serve --port "$PORT" --set "tile_cache_mb=$1" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return; sleep 0.2; done
    echo "bench/tiles.sh: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

# wrk → "requests/s p99_ms"
run_wrk() { # url list
    wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency -s "$TOP/bench/tiles_wrk.lua" "$1" -- "$2" >"$WORK/wrk.out"
    awk '/Requests\/sec:/ {rps = $2}
         $1 == "99%" { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
                       p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
         END { printf "%.1f %.2f\n", rps, p99 }' "$WORK/wrk.out"
}
run_pgbench() { # zoom
    rm -f "$WORK"/pgb_log*
    (cd "$WORK" && PGOPTIONS="-c jit=off" pgbench -n -M prepared -c "$CONNS" -j 2 -T "$SECONDS_PER_RUN" -f "pgbench$1.sql" \
        --log --log-prefix=pgb_log "$PINGAN_DATABASE_URL" >"$WORK/pgbench.out" 2>&1) ||
        { cat "$WORK/pgbench.out" >&2; exit 1; }
    local tps p99
    tps=$(awk '/^tps/ {print $3; exit}' "$WORK/pgbench.out")
    p99=$(cat "$WORK"/pgb_log* | awk '{print $3}' | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int(NR * 0.99)] / 1000}')
    printf "%.1f %s\n" "$tps" "$p99"
}

declare -A RES
echo "running: ${SECONDS_PER_RUN}s per run, $CONNS connections, $NTILES tiles per zoom ($LAYERS)"
# PostGIS alone and the cold server back to back per zoom, so that both see the same load.
start_server 0
for z in "${ZOOMS[@]}"; do
    RES[postgis$z]=$(run_pgbench "$z")
    RES[cold$z]=$(run_wrk "http://127.0.0.1:$PORT" "$WORK/list$z.txt")
done
stop_server

# Warm: every listed tile cached first; the same bytes dumped for nginx. The server stays up
# for the side-by-side runs below.
start_server 2048
mkdir -p "$WORK/static"
for z in "${ZOOMS[@]}"; do
    sed -e "s#.*#url = \"http://127.0.0.1:$PORT&\"\noutput = \"$WORK/static&\"#" "$WORK/list$z.txt" >"$WORK/curl$z.cfg"
    curl -s --no-progress-meter -Z --parallel-max "$CONNS" --create-dirs -H 'Accept-Encoding: gzip' -K "$WORK/curl$z.cfg"
done
find "$WORK/static" -type f -size 0 -delete

mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000000;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    types { }
    default_type application/vnd.mapbox-vector-tile;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/static;
        location /tiles/ {
            add_header Content-Encoding gzip;
            add_header Cache-Control "public, max-age=0, must-revalidate";
            add_header Vary Accept-Encoding;
            try_files \$uri @empty;
        }
        location @empty { return 204; }
    }
}
CONF
chmod -R a+rX "$WORK"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/tiles/x" && break; sleep 0.1; done
# Warm server and nginx side by side, in the order nginx, server, server, nginx per zoom, each
# figure the mean of its two runs: a load that drifts during the run (the machine is shared)
# weighs on both alike.
mean2() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.1f %.2f\n", (x[1] + y[1]) / 2, (x[2] + y[2]) / 2 }'; }
for z in "${ZOOMS[@]}"; do
    n1=$(run_wrk "http://127.0.0.1:$NGINX_PORT" "$WORK/list$z.txt")
    w1=$(run_wrk "http://127.0.0.1:$PORT" "$WORK/list$z.txt")
    w2=$(run_wrk "http://127.0.0.1:$PORT" "$WORK/list$z.txt")
    n2=$(run_wrk "http://127.0.0.1:$NGINX_PORT" "$WORK/list$z.txt")
    RES[nginx$z]=$(mean2 "$n1" "$n2")
    RES[warm$z]=$(mean2 "$w1" "$w2")
done
metrics=$(curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^pingan_tile_cache_(hits_total|misses_total|entries|bytes) ')
stop_server

echo
echo "load average at the end: $(uptime | sed 's/.*load average: //')"
printf "%-5s %-34s %12s %10s\n" zoom target "requests/s" "p99 ms"
for z in "${ZOOMS[@]}"; do
    for k in postgis cold nginx warm; do
        case $k in
        postgis) label="PostGIS direct (pgbench, prepared)" ;;
        cold) label="server, cold (cache off)" ;;
        nginx) label="nginx, static files" ;;
        warm) label="server, warm (cached)" ;;
        esac
        read -r rps p99 <<<"${RES[$k$z]}"
        printf "z%-4s %-34s %12s %10s\n" "$z" "$label" "$rps" "$p99"
    done
done
echo
printf "%-5s %-26s %-26s %s\n" zoom "cold / PostGIS (>= 0.9)" "warm / nginx (>= 0.8)" "largest tile (gzip / raw)"
for z in "${ZOOMS[@]}"; do
    read -r prps _ <<<"${RES[postgis$z]}"
    read -r crps _ <<<"${RES[cold$z]}"
    read -r nrps _ <<<"${RES[nginx$z]}"
    read -r wrps _ <<<"${RES[warm$z]}"
    big=$(find "$WORK/static/tiles/$LAYERS/$z" -type f -printf '%s %p\n' 2>/dev/null | sort -n | tail -1)
    gz=${big%% *}
    raw=$([ -n "$big" ] && gzip -dc <"${big#* }" | wc -c || echo 0)
    printf "z%-4s %-26s %-26s %s\n" "$z" "$(awk -v a="$crps" -v b="$prps" 'BEGIN {printf "%.2f", a / b}')" \
        "$(awk -v a="$wrps" -v b="$nrps" 'BEGIN {printf "%.2f", a / b}')" "$((${gz:-0} / 1024)) KB / $((raw / 1024)) KB"
done
echo
echo "$metrics"
