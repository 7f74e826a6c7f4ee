#!/usr/bin/env bash
# Import benchmark: a GeoPackage of building polygons (0.2% of them self-intersecting bow-ties)
# loaded into the same database by `pingan import` (validates, repairs and loads in one
# transaction; these files take the direct load, see docs/import.md) and by `ogr2ogr -f PostgreSQL` with PG_USE_COPY=YES (no validation), at 250k and
# 1M features. Prints wall time, peak memory and the speed ratio pingan/ogr2ogr. The two tools
# take turns BENCH_RUNS times (default 3) on each size, and the medians are compared: on a
# shared machine one run of either can be a third slower than the next.
# Usage: bench/import.sh [SIZES…]   (default: 250000 1000000); needs PINGAN_DATABASE_URL or the
# private cluster, and build/pingan.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pingan=${PINGAN_BIN:-$here/build/pingan}
runs=${BENCH_RUNS:-3}
sizes=("${@:-250000 1000000}")
read -r -a sizes <<<"${sizes[*]}"
url=$("$pingan" db url)
work=$(mktemp -d /tmp/pingan-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
psql_() { psql "$url" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kb".
measure() {
    /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/out" "$work/time" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" |
        awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    echo "$wall $rss"
}

# The median of numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-9s %-8s %9s %12s %10s %14s\n' features tool seconds features/s peak_MB ratio_vs_ogr2ogr
for n in "${sizes[@]}"; do
    gpkg="$work/buildings_$n.gpkg"
    awk -v n="$n" 'BEGIN {
        print "WKT,建筑编号,层数,户数,人口"
        for (i = 0; i < n; i++) {
            x = 114.2 + (i % 2000) * 0.0002; y = 27.3 + int(i / 2000) * 0.0002; d = 0.00012
            if (i % 500 == 0)   # bow-tie: self-intersecting, must be repaired
                w = sprintf("POLYGON ((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", x, y, x+d, y+d, x+d, y, x, y+d, x, y)
            else
                w = sprintf("POLYGON ((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", x, y, x+d, y, x+d, y+d, x, y+d, x, y)
            printf "\"%s\",BENCH%d,%d,%d,%d\n", w, i, 1 + i % 30, i % 60, (i % 60) * 3
        }
    }' >"$work/b.csv"
    ogr2ogr -f GPKG "$gpkg" "$work/b.csv" -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
        -oo AUTODETECT_TYPE=YES -a_srs EPSG:4490 -nln buildings -nlt POLYGON
    rm -f "$work/b.csv"

    ots=() pts=() orss=0 prss=0
    for ((r = 1; r <= runs; r++)); do
        # both tools start from a clean table: the rows of an earlier run gone, their space freed
        psql_ -c "DROP TABLE IF EXISTS bench_ogr_buildings" \
            -c "DELETE FROM population_units WHERE code LIKE 'BENCH%'" -c "VACUUM ANALYZE population_units"
        # and from a quiet server: the writes of what ran before flushed first
        psql_ -c "CHECKPOINT" && sync
        read -r t rss < <(measure env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$url" "$gpkg" \
            -nln bench_ogr_buildings -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -overwrite)
        ots+=("$t") && ((rss > orss)) && orss=$rss
        # ogr2ogr's new table would draw autovacuum into pingan's run: vacuum it now, untimed
        psql_ -c "VACUUM ANALYZE bench_ogr_buildings" -c "CHECKPOINT" && sync
        read -r t rss < <(measure "$pingan" import "$gpkg" --preset buildings -q)
        pts+=("$t") && ((rss > prss)) && prss=$rss
    done
    ot=$(median "${ots[@]}") pt=$(median "${pts[@]}")
    loaded=$(psql_ -c "SELECT count(*) FROM population_units WHERE code LIKE 'BENCH%'")
    repaired=$(grep -o '[0-9]* repaired' "$work/out" | head -1)
    printf '%-9s %-8s %9.1f %12.0f %10.0f %14s   (runs: %s s)\n' "$n" ogr2ogr "$ot" "$(awk "BEGIN{print $n / $ot}")" "$((orss / 1024))" "1.00" "${ots[*]}"
    printf '%-9s %-8s %9.1f %12.0f %10.0f %14.2f   (runs: %s s; %s rows, %s)\n' "$n" pingan "$pt" "$(awk "BEGIN{print $n / $pt}")" "$((prss / 1024))" "$(awk "BEGIN{print $ot / $pt}")" "${pts[*]}" "$loaded" "$repaired"
    psql_ -c "DROP TABLE IF EXISTS bench_ogr_buildings" -c "DELETE FROM population_units WHERE code LIKE 'BENCH%'"
    rm -f "$gpkg"
done
