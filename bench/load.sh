#!/usr/bin/env bash
# Load: a bounded wrk run on loopback against the real server — reads, tiles and writes mixed
# (bench/load.lua, 6:3:1, writes with a planner token) — with the server's RSS sampled every
# 5 s. Prints p50/p90/p99, errors and the RSS series; fails when any request errs or RSS grows
# more than 20% from minute one to the end. Reference: none (absolute figures; compare runs).
# Usage: bench/load.sh [seconds=60] [connections=8]
# Env: PINGAN_DATABASE_URL (a scratch database: the fixture villages are loaded into it),
#      PINGAN_BIN (default build/pingan), PINGAN_LOAD_PORT (default 8241).
set -euo pipefail
secs=${1:-60}
conns=${2:-8}
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${PINGAN_BIN:-$src/build/pingan}
port=${PINGAN_LOAD_PORT:-8241}
: "${PINGAN_DATABASE_URL:?set PINGAN_DATABASE_URL to a scratch database}"
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install wrk)"; exit 1; }

"$bin" db init >/dev/null
psql -X -q "$PINGAN_DATABASE_URL" -f "$src/tests/features_write/fixture.sql" >/dev/null 2>&1 || true
export PINGAN_LOAD_TOKEN=$("$bin" token create --role planner --scope 360502 2>/dev/null | head -1)

"$bin" serve --port "$port" --set threads=16 --set db_pool_warm=16 >/tmp/pingan_load_server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

rss_log=$(mktemp)
(
    t=0
    while kill -0 $pid 2>/dev/null && [ $t -le "$secs" ]; do
        echo "$t $(awk '/^VmRSS/ {print $2}' /proc/$pid/status)" >>"$rss_log"
        sleep 5
        t=$((t + 5))
    done
) &
sampler=$!
out=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s "$src/bench/load.lua" \
    "http://127.0.0.1:$port" 2>&1)
wait $sampler 2>/dev/null || true
line=$(grep '^LOAD ' <<<"$out")
val() { grep -o "$1=[0-9.]*" <<<"$line" | cut -d= -f2; }

echo "load: ${secs}s, $conns connections, reads:tiles:writes = 6:3:1 ($bin)"
printf '%-10s %-10s %-8s %-10s %-10s %-10s %-10s\n' requests req/s errors p50_ms p90_ms p99_ms max_ms
errs=$(($(val errors_socket) + $(val errors_status) + $(val timeouts)))
printf '%-10s %-10s %-8s %-10s %-10s %-10s %-10s\n' "$(val requests)" "$(val rps)" "$errs" \
    "$(val p50_ms)" "$(val p90_ms)" "$(val p99_ms)" "$(val max_ms)"
echo "server RSS (kB) every 5 s: $(awk '{printf "%s:%s ", $1, $2}' "$rss_log")"
first=$(awk -v b=$((secs / 3)) '$1 >= b {print $2; exit}' "$rss_log")
[ -n "$first" ] || first=$(awk 'NR == 2 {print $2}' "$rss_log")
last=$(tail -1 "$rss_log" | awk '{print $2}')
echo "RSS from a third of the run (after warm-up) to the end: $first kB -> $last kB"
grep -E '^error' <<<"$out" || true
rm -f "$rss_log"
[ "$errs" -eq 0 ] || { echo "load: $errs errors"; exit 1; }
[ "$last" -le $((first * 12 / 10)) ] || { echo "load: RSS grew more than 20%"; exit 1; }
