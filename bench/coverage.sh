#!/usr/bin/env bash
# Benchmark of the coverage analysis on province-scale data, one run, printing a table:
#   1. full recompute of the province (pingan report refresh --all --jobs 2);
#   2. one grid edit followed by its incremental update (trigger marking + ana_refresh), in a
#      warm session as the server's pooled connections are;
#   3. the reference: a plain one-query-per-village SQL (ST_Union of the village's grids,
#      ST_Difference from its boundary, area), sent village by village through one psql.
# Data: `pingan demo --scale province` when it is available, else (or with BENCH_DATA=synthetic)
# bench/coverage_data.sql (22,080 villages, ~130k grids). It runs in its own database
# <your database>_bench, made afresh unless BENCH_REUSE=1 and the data is already there.
# Check: the full recompute and the reference agree, village by village, on the gap area.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pingan=${PINGAN:-$here/build/pingan}
base=${PINGAN_DATABASE_URL:?set PINGAN_DATABASE_URL (see the briefing)}
dbname=$(sed -E 's|^postgres(ql)?://[^/]*/([^?]*).*|\2|' <<<"$base")
url=$(sed -E "s|^(postgres(ql)?://[^/]*/)[^?]*|\1${dbname}_bench|" <<<"$base")
admin=$(sed -E "s|^(postgres(ql)?://[^/]*/)[^?]*|\1postgres|" <<<"$base")
export PINGAN_DATABASE_URL=$url
q() { psql "$url" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }

if [[ "${BENCH_REUSE:-0}" != 1 ]] || ! q -c "SELECT 1 FROM grids LIMIT 1" 2>/dev/null | grep -q 1; then
    psql "$admin" -X -q -c "DROP DATABASE IF EXISTS ${dbname}_bench" >/dev/null
    "$pingan" db init >/dev/null
    t0=$(now)
    if [[ "${BENCH_DATA:-demo}" != synthetic ]] && "$pingan" demo --scale province >/dev/null 2>&1 \
        && q -c "SELECT count(*) > 1000 FROM grids" | grep -q t; then
        src="pingan demo --scale province"
    else
        q -f "$here/bench/coverage_data.sql"
        src="bench/coverage_data.sql (demo --scale province not available)"
    fi
    echo "data: $src, loaded in $(printf '%.0f' "$(echo "$(now) - $t0" | bc)") s" >&2
else
    src="reused ${dbname}_bench"
fi
villages=$(q -c "SELECT count(*) FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL")
grids=$(q -c "SELECT count(*) FROM grids")

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. Full recompute.
t0=$(now)
"$pingan" report refresh --all --jobs 2 >/dev/null 2>&1
full=$(echo "$(now) - $t0" | bc)

# 2. One grid edit and its incremental update, timed by the server (\timing), warm session.
gid=$(q -c "SELECT id FROM grids WHERE kind <> 'dedicated' ORDER BY id LIMIT 1 OFFSET 5000")
wid=$(q -c "SELECT id FROM grids WHERE kind <> 'dedicated' ORDER BY id LIMIT 1 OFFSET 9000")
times=$(psql "$url" -X -q -At <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
SELECT ana_refresh('');
UPDATE grids SET geom = ST_Multi(ST_Buffer(geom, -0.0002)) WHERE id = $wid;
SELECT ana_refresh('');
\timing on
UPDATE grids SET geom = ST_Multi(ST_Buffer(geom, -0.0002)) WHERE id = $gid;
SELECT ana_refresh('');
SQL
)
edit_ms=$(sed -n 1p <<<"$times")
update_ms=$(sed -n 2p <<<"$times")
edit_total=$(echo "$edit_ms + $update_ms" | bc)
# check: the incremental result equals a full recompute of that village
vcode=$(q -c "SELECT village_code FROM grids WHERE id = $gid")
before=$(q -c "SELECT round(gap_m2::numeric, 3) || '/' || gap_count || '/' || reasons FROM coverage_village WHERE village_code = '$vcode'")
q -c "SELECT ana_recompute(ARRAY['$vcode'])" >/dev/null
after=$(q -c "SELECT round(gap_m2::numeric, 3) || '/' || gap_count || '/' || reasons FROM coverage_village WHERE village_code = '$vcode'")
same=$([[ "$before" == "$after" ]] && echo yes || echo NO)

# 3. Reference: one query per village.
refout=$(mktemp)
trap 'rm -f "$refout"' EXIT
t0=$(now)
psql "$url" -X -q -At -F ' ' -o "$refout" <<'SQL'
SELECT format($q$SELECT %L, ST_Area(ST_Difference(v.geom, (SELECT ST_Union(g.geom) FROM grids g WHERE g.village_code = %L AND g.kind <> 'dedicated'))::geography) FROM jurisdictions v WHERE v.code = %L$q$, code, code, code)
FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL ORDER BY code
\gexec
SQL
ref=$(echo "$(now) - $t0" | bc)
ref_one=$(echo "scale=3; $ref * 1000 / $villages" | bc)

# Check: the fast path and the reference agree, village by village: on which villages have a
# gap of 1 m² or more, and on each village's gap area to 0.1 m² + 0.01 % (the reference keeps
# fragments under noise_m2 that the analysis drops, and measures on the spheroid rather than in
# the equal-area projection). A village without grids is all gap (the reference gives NULL).
agree=$(q <<SQL
CREATE TEMP TABLE ref_gap (code text, m2 double precision);
\copy ref_gap FROM '$refout' WITH (FORMAT text, DELIMITER ' ', NULL '')
WITH r AS (SELECT r.code, coalesce(r.m2, ana_area_m2(j.geom)) m2 FROM ref_gap r JOIN jurisdictions j ON j.code = r.code),
     f AS (SELECT village_code code, gap_m2 m2 FROM coverage_village WHERE has_boundary),
     b AS (SELECT coalesce(r.m2, -1) r, coalesce(f.m2, -1) f FROM r FULL JOIN f USING (code))
SELECT (SELECT count(*) FROM b WHERE r >= 1) || ' ' || (SELECT count(*) FROM b WHERE f >= 1) || ' ' ||
       (SELECT count(*) FROM b WHERE (r >= 1) <> (f >= 1) OR r < 0 OR f < 0 OR abs(r - f) > 0.1 + 1e-4 * r) || ' ' ||
       round((SELECT sum(r) FROM b WHERE r >= 1)::numeric) || ' ' || round((SELECT sum(f) FROM b WHERE f >= 1)::numeric)
SQL
)
read -r ref_n fast_n diff_n ref_m2 fast_m2 <<<"$agree"

printf '\nCoverage benchmark — %s villages, %s grids; data: %s; %s cores\n' "$villages" "$grids" "$src" "$(nproc)"
printf '%-58s %12s %12s\n' "step" "time" "vs reference"
printf '%-58s %10.1f s %11.1fx\n' "full recompute, province (refresh --all --jobs 2)" "$full" "$(echo "$ref / $full" | bc -l)"
printf '%-58s %10.1f s %12s\n' "reference: one ST_Union/ST_Difference query per village" "$ref" "1.0x"
printf '%-58s %9.1f ms\n' "one grid edit: the UPDATE (trigger marks the village)" "$edit_ms"
printf '%-58s %9.1f ms\n' "one grid edit: incremental update (ana_refresh)" "$update_ms"
printf '%-58s %9.1f ms %11.0fx\n' "one grid edit: total, vs the reference for the province" "$edit_total" "$(echo "$ref * 1000 / $edit_total" | bc -l)"
printf '%-58s %9.1f ms %11.2fx\n' "  ... vs the reference for one village (mean)" "$ref_one" "$(echo "$ref_one / $update_ms" | bc -l)"
printf 'incremental result equals a full recompute of village %s: %s\n' "$vcode" "$same"
printf 'villages with a gap of 1 m² or more: reference %s, full recompute %s; villages differing: %s; gap area: reference %s m², full recompute %s m²: %s\n' \
    "$ref_n" "$fast_n" "$diff_n" "$ref_m2" "$fast_m2" "$([[ $diff_n == 0 ]] && echo agree || echo DISAGREE)"
printf 'load average: %s at the start, %s at the end\n' "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)"
[[ $diff_n == 0 && $same == yes ]]
