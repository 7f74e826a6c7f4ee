#!/usr/bin/env bash
# Tile sizes on province-scale data: `pingan tiles sizes` over every zoom (every tile of the
# province where a zoom has at most PINGAN_SIZES_ALL, else the PINGAN_SIZES_SAMPLE densest and
# evenly spread tiles), max and p99 per zoom and per layer, against the 500 KB limit per tile.
# Exit status 1 when some tile reaches the limit.
# Settings: PINGAN_BENCH_DB (pingan_bench_tiles, shared with bench/tiles.sh), PINGAN_SIZES_LAYERS
# (every layer), PINGAN_SIZES_ZOOMS (5-18), PINGAN_SIZES_ALL (1500), PINGAN_SIZES_SAMPLE (600).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
PINGAN=$TOP/build/pingan
DB=${PINGAN_BENCH_DB:-pingan_bench_tiles}
[ -x "$PINGAN" ] || { echo "bench/tile_sizes.sh: build first (cmake --build build)" >&2; exit 1; }
command -v psql >/dev/null || { echo "bench/tile_sizes.sh: psql is missing" >&2; exit 1; }

base_url=$("$PINGAN" db url)
export PINGAN_DATABASE_URL=$(echo "$base_url" | sed -E "s#^(postgresql://[^/?]*/)[^?]*#\1$DB#")
"$PINGAN" db init >/dev/null
q() { psql -X -q -At "$PINGAN_DATABASE_URL" -c "$1"; }
if [ "$(q 'SELECT count(*) FROM grids')" -lt 50000 ]; then
    echo "loading province-scale data into $DB …"
    if ! "$PINGAN" demo --scale province >/dev/null 2>&1 || [ "$(q 'SELECT count(*) FROM grids')" -lt 50000 ]; then
        echo "(pingan demo --scale province not available: generating with bench/tiles_province.sql)"
        psql -X -q "$PINGAN_DATABASE_URL" -f "$TOP/bench/tiles_province.sql" >/dev/null
    fi
fi
echo "data: $(q "SELECT format('%s counties, %s townships, %s villages, %s grids, %s key places, %s hazards, %s cameras, %s population units',
  (SELECT count(*) FROM jurisdictions WHERE level = 'county' AND geom IS NOT NULL),
  (SELECT count(*) FROM jurisdictions WHERE level = 'township' AND geom IS NOT NULL),
  (SELECT count(*) FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL),
  (SELECT count(*) FROM grids), (SELECT count(*) FROM key_places), (SELECT count(*) FROM hazards),
  (SELECT count(*) FROM cameras), (SELECT count(*) FROM population_units))")"
echo "load average at the start: $(uptime | sed 's/.*load average: //')"
args=(tiles sizes --zooms "${PINGAN_SIZES_ZOOMS:-5-18}" --all "${PINGAN_SIZES_ALL:-1500}"
      --sample "${PINGAN_SIZES_SAMPLE:-600}")
[ -n "${PINGAN_SIZES_LAYERS:-}" ] && args+=(--layers "$PINGAN_SIZES_LAYERS")
rc=0
"$PINGAN" "${args[@]}" || rc=$?
echo "load average at the end: $(uptime | sed 's/.*load average: //')"
exit $rc
