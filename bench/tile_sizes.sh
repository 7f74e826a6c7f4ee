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

. "$TOP/bench/lib/province_db.sh"
echo "load average at the start: $(uptime | sed 's/.*load average: //')"
args=(tiles sizes --zooms "${PINGAN_SIZES_ZOOMS:-5-18}" --all "${PINGAN_SIZES_ALL:-1500}"
      --sample "${PINGAN_SIZES_SAMPLE:-600}")
[ -n "${PINGAN_SIZES_LAYERS:-}" ] && args+=(--layers "$PINGAN_SIZES_LAYERS")
rc=0
"$PINGAN" "${args[@]}" || rc=$?
echo "load average at the end: $(uptime | sed 's/.*load average: //')"
exit $rc
