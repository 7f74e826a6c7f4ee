#!/usr/bin/env bash
# Locate (12345 hotline lookup) speed: GET /locate over HTTP (wrk, one connection, random
# points inside the data) against the reference of the same SQL run straight in PostgreSQL
# (pgbench, one client, same kind of points). Prints ms per call and the ratio HTTP/SQL;
# the target is under 5 ms a call.
#
#   bench/locate.sh                   # on $PINGAN_DATABASE_URL (or the private cluster) as is
#   bench/locate.sh --province        # on a scratch database <db>_locbench filled (once) with
#                                     # province-scale synthetic grids (bench/locate_province.sql)
#   SECONDS_PER_RUN=10 PORT=8101 bench/locate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECONDS_PER_RUN:-10}
port=${PORT:-8101}
bin=${PINGAN_BIN:-build/pingan}
for t in wrk pgbench psql; do
    command -v "$t" >/dev/null || { echo "locate.sh: needs $t" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "locate.sh: build first ($bin missing)" >&2; exit 1; }
url=${PINGAN_DATABASE_URL:-$("$bin" db url)}

if [ "${1:-}" = "--province" ]; then
    base=${url%%\?*}
    db=${base##*/}
    url="${base%/*}/${db}_locbench${url#"$base"}"
    PINGAN_DATABASE_URL=$url "$bin" db init >/dev/null
    if [ "$(psql -At "$url" -c 'SELECT count(*) FROM grids')" -lt 100000 ]; then
        echo "filling ${db}_locbench with province-scale synthetic grids (once)…" >&2
        psql -q -v ON_ERROR_STOP=1 "$url" -f bench/locate_province.sql >/dev/null
    fi
fi

read -r grids minx miny maxx maxy < <(psql -At -F ' ' "$url" -c \
    "SELECT n, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
     FROM (SELECT count(*) n, ST_Extent(geom) e FROM grids) x")
[ -n "${grids:-}" ] || { echo "locate.sh: no grids in the database (load the demo first)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# Reference: the locate SQL itself, points drawn uniformly over the grids' extent.
{
    echo "\\set rx random(0, 1000000)"
    echo "\\set ry random(0, 1000000)"
    echo "\\set lon $minx + ($maxx - $minx) * :rx / 1000000.0"
    echo "\\set lat $miny + ($maxy - $miny) * :ry / 1000000.0"
    grep -v '^--' data/sql/locate.sql | sed -e 's/\$1::float8/:lon::float8/g; s/\$2::float8/:lat::float8/g' \
        -e 's/\$3::int/4490/g; s/\$4::text/NULL::text/g' | tr '\n' ' '
    echo ";"
} > "$work/locate.pgbench"
sql_ms=$(pgbench -n -M prepared -c 1 -T "$secs" -f "$work/locate.pgbench" "$url" 2>/dev/null |
    awk -F' = ' '/latency average/ {split($2, a, " "); print a[1]}')

# Ours: the same over HTTP through the server.
PINGAN_DATABASE_URL=$url "$bin" serve --port "$port" --set db_pool=4 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
cat > "$work/locate.lua" <<LUA
math.randomseed(42)
request = function()
  local lon = $minx + ($maxx - $minx) * math.random()
  local lat = $miny + ($maxy - $miny) * math.random()
  return wrk.format("GET", string.format("/locate?lon=%.6f&lat=%.6f", lon, lat))
end
LUA
http=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$work/locate.lua" "http://127.0.0.1:$port" 2>&1)
http_ms=$(echo "$http" | awk '/Requests\/sec/ {printf "%.3f", 1000 / $2}')
p99=$(echo "$http" | awk '$1 == "99%" {print $2}')
found=$(curl -s "http://127.0.0.1:$port/locate?lon=$(echo "($minx+$maxx)/2" | bc -l)&lat=$(echo "($miny+$maxy)/2" | bc -l)" | head -c 120)

printf '\n%-28s %12s %12s\n' "locate, $grids grids" "ms per call" "ratio"
printf '%-28s %12s %12s\n' "SQL in PostgreSQL (pgbench)" "$sql_ms" "1.00"
printf '%-28s %12s %12s\n' "GET /locate (wrk, 1 conn)" "$http_ms" \
    "$(echo "$http_ms / $sql_ms" | bc -l | xargs printf '%.2f')"
printf '%-28s %12s\n' "GET /locate p99 latency" "$p99"
printf '%-28s %12s\n' "target" "< 5"
echo "sample: $found…"
