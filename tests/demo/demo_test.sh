#!/usr/bin/env bash
# Integration test of `pingan demo` on a live PostGIS: loads the demo county into a fresh
# database twice and checks the outline report, the partitions, the grid codes and counts,
# that the second run changes nothing, that the same seed gives the same data, and that the
# planted faults are exactly those recorded in demo_planted.
#
# Usage: demo_test.sh PINGAN_BINARY
# The server comes from PINGAN_TEST_DATABASE_URL, else the private cluster's var/database_url;
# the test creates and drops its own database demo_test_<pid> there. Exit 77 = skipped.
set -euo pipefail

pingan=${1:?usage: demo_test.sh PINGAN_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

server_url=${PINGAN_TEST_DATABASE_URL:-}
if [[ -z $server_url && -r $root/var/database_url ]]; then
    server_url=$(head -n1 "$root/var/database_url")
fi
if [[ -z $server_url ]]; then
    echo "demo_test: no database (set PINGAN_TEST_DATABASE_URL); skipped"
    exit 77
fi

# The same server with another database name, for URLs and key=value strings alike.
with_db() {
    local url=$1 db=$2
    if [[ $url == postgres://* || $url == postgresql://* ]]; then
        local base=${url%%\?*} query=
        [[ $url == *\?* ]] && query="?${url#*\?}"
        local scheme_host=${base%/*}
        [[ $base != */*/*/* ]] && scheme_host=$base # no database in the URL
        echo "$scheme_host/$db$query"
    else
        echo "$url dbname=$db"
    fi
}

db=demo_test_$$
admin_url=$(with_db "$server_url" postgres)
test_url=$(with_db "$server_url" "$db")
work=$(mktemp -d)
cleanup() {
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
pass() {
    echo "ok: $*"
}
sql() {
    psql -X -q -At -v ON_ERROR_STOP=1 "$test_url" -c "$1"
}

psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
export PINGAN_DATABASE_URL=$test_url
"$pingan" db init >/dev/null

# What must not change between runs: row counts and a checksum of every geometry and of the
# attributes the demo generates (ids and timestamps aside).
snapshot() {
    sql "SELECT concat_ws(' ',
        (SELECT count(*) FROM grids), (SELECT count(*) FROM population_units),
        (SELECT count(*) FROM key_places), (SELECT count(*) FROM hazards),
        (SELECT count(*) FROM cameras), (SELECT count(*) FROM grid_workers),
        (SELECT count(*) FROM grid_assignments), (SELECT count(*) FROM demo_planted),
        (SELECT count(*) FROM jurisdictions WHERE geom IS NOT NULL),
        (SELECT md5(string_agg(md5(code || coalesce(ST_AsEWKB(geom)::text, '')), '' ORDER BY code)) FROM jurisdictions),
        (SELECT md5(string_agg(md5(concat_ws('|', code, name, kind, unit_type, households, residents, ST_AsEWKB(geom)::text)), '' ORDER BY code)) FROM grids),
        (SELECT md5(string_agg(md5(concat_ws('|', code, name, households, residents, floors, ST_AsEWKB(geom)::text)), '' ORDER BY code)) FROM population_units),
        (SELECT md5(string_agg(md5(concat_ws('|', code, name, category, has_video, has_alarm, security_staff, ST_AsEWKB(geom)::text)), '' ORDER BY code)) FROM key_places),
        (SELECT md5(string_agg(md5(concat_ws('|', code, name, category, risk_grade, status, deadline - current_date, ST_AsEWKB(geom)::text, ST_AsEWKB(influence_zone)::text)), '' ORDER BY code)) FROM hazards),
        (SELECT md5(string_agg(md5(concat_ws('|', code, name, direction_deg, fov_deg, ST_AsEWKB(geom)::text)), '' ORDER BY code)) FROM cameras),
        (SELECT md5(string_agg(md5(concat_ws('|', g.code, w.name, w.phone, w.employment, a.role)), '' ORDER BY g.code, a.role, w.name, w.phone))
           FROM grid_assignments a JOIN grids g ON g.id = a.grid_id JOIN grid_workers w ON w.id = a.worker_id),
        (SELECT md5(string_agg(concat_ws('|', kind, ref, note), '' ORDER BY kind, ref)) FROM demo_planted))"
}

# ---- first and second run -------------------------------------------------------------
t0=$(date +%s)
if "$pingan" demo >"$work/out1" 2>"$work/err1"; then
    pass "first run ($(($(date +%s) - t0)) s)"
else
    cat "$work/err1"
    fail "first run exited non-zero"
    exit 1
fi
snap1=$(snapshot)
history1=$(sql "SELECT count(*) || '/' || coalesce(max(id), 0) FROM edit_history")
t0=$(date +%s)
if "$pingan" demo >"$work/out2" 2>"$work/err2"; then
    pass "second run ($(($(date +%s) - t0)) s)"
else
    cat "$work/err2"
    fail "second run exited non-zero"
fi
snap2=$(snapshot)
[[ $snap1 == "$snap2" ]] && pass "second run changed nothing" ||
    fail "second run changed data: $snap1 vs $snap2"
grep -q "already loaded" "$work/err2" && pass "second run says it had nothing to do" ||
    fail "second run did not say it was already loaded"
history2=$(sql "SELECT count(*) || '/' || coalesce(max(id), 0) FROM edit_history")
[[ $history1 == "$history2" ]] && pass "second run wrote no history (a no-op)" ||
    fail "second run wrote history: $history1 vs $history2"
grep -q "generating\|county outlines:" "$work/err2" && fail "second run generated or loaded outlines" ||
    pass "second run neither loaded outlines nor generated"

# ---- county outlines ------------------------------------------------------------------
summary=$(grep "county outlines:" "$work/err1" || true)
[[ $summary =~ ([0-9]+)\ features,\ ([0-9]+)\ matched\ by\ name,\ ([0-9]+)\ through ]] || true
features=${BASH_REMATCH[1]:-0} by_name=${BASH_REMATCH[2]:-0} by_rename=${BASH_REMATCH[3]:-0}
[[ $features -eq 100 ]] && pass "100 outline features read" || fail "outline features: $summary"
[[ $by_name -ge 92 ]] && pass "$by_name outlines matched by name" || fail "matched by name: $summary"
[[ $by_rename -eq 5 ]] && pass "5 outlines matched through the rename table" ||
    fail "matched through renames: $summary"
for pair in 上饶县:广信区 东乡县:东乡区 九江县:柴桑区 余江县:余江区 龙南县:龙南市; do
    grep -q "renamed *${pair%%:*} → ${pair##*:}" "$work/err1" && pass "rename ${pair/:/ → } reported" ||
        fail "rename ${pair/:/ → } not reported"
done
grep -q "not matched 湾里区" "$work/err1" && pass "湾里区 reported as not matched" ||
    fail "湾里区 not reported"
grep -q "no outline *红谷滩区" "$work/err1" && pass "红谷滩区 reported as without outline" ||
    fail "红谷滩区 not reported"
n=$(sql "SELECT count(*) FROM jurisdictions WHERE level = 'county' AND geom IS NOT NULL")
[[ $n -eq 99 ]] && pass "99 counties have an outline" || fail "$n counties have an outline"
n=$(sql "SELECT count(*) FROM jurisdictions WHERE level IN ('city', 'province') AND geom IS NULL")
[[ $n -eq 0 ]] && pass "cities and province have outlines" || fail "$n cities/province without outline"

# ---- the demo county: villages partition their townships ---------------------------------
c6=$(sql "SELECT left(county_code, 6) FROM demo_loads WHERE scale = 'county'")
[[ $c6 == 360502 ]] && pass "demo county is 360502" || fail "demo county is '$c6'"
n=$(sql "SELECT count(*) FROM jurisdictions WHERE level IN ('township', 'village')
         AND left(code, 6) = '$c6' AND geom IS NULL")
[[ $n -eq 0 ]] && pass "every township and village of $c6 has a boundary" ||
    fail "$n townships/villages of $c6 without boundary"
n=$(sql "SELECT count(*) FROM (
           SELECT t.code FROM jurisdictions t JOIN jurisdictions v ON v.parent_code = t.code
           WHERE t.level = 'township' AND left(t.code, 6) = '$c6'
           GROUP BY t.code, t.geom
           HAVING abs(sum(ST_Area(v.geom::geography)) - ST_Area(t.geom::geography))
                  > 0.0001 * ST_Area(t.geom::geography)) s")
[[ $n -eq 0 ]] && pass "village areas add up to their township's (0.01%)" ||
    fail "$n townships whose villages' areas do not add up"
n=$(sql "SELECT count(*) FROM jurisdictions a JOIN jurisdictions b
           ON b.parent_code = a.parent_code AND a.code < b.code AND a.geom && b.geom
         WHERE a.level = 'village' AND left(a.code, 6) = '$c6'
           AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1")
[[ $n -eq 0 ]] && pass "no two villages overlap by more than 1 m²" || fail "$n overlapping village pairs"
n=$(sql "SELECT count(*) FROM jurisdictions v JOIN jurisdictions t ON t.code = v.parent_code
         WHERE v.level IN ('village', 'township') AND left(v.code, 6) = '$c6'
           AND NOT ST_CoveredBy(v.geom, t.geom)")
[[ $n -eq 0 ]] && pass "villages and townships lie inside their parents" ||
    fail "$n villages/townships outside their parent"

# ---- grids ------------------------------------------------------------------------------
n=$(sql "SELECT count(*) FROM grids WHERE NOT (code ~ '^[1-9][0-9]{14}$' AND left(code, 12) = village_code
           AND right(code, 3) <> '000'
           AND CASE kind WHEN 'dedicated' THEN name LIKE '%专属网格'
                         ELSE name ~ '第[0-9]+网格$' END)")
[[ $n -eq 0 ]] && pass "grid codes are village code + 3-digit serial, names read right" ||
    fail "$n grids with a malformed code or name"
n=$(sql "SELECT count(*) FROM grids g JOIN jurisdictions v ON v.code = g.village_code
         WHERE NOT ST_CoveredBy(g.geom, v.geom)")
[[ $n -eq 0 ]] && pass "every grid lies inside its village" || fail "$n grids outside their village"
n=$(sql "SELECT count(*) FROM grids g
         WHERE g.households <> (SELECT coalesce(sum(u.households), 0) FROM population_units u
                                WHERE u.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(u.geom)))
            OR g.residents <> (SELECT coalesce(sum(u.residents), 0) FROM population_units u
                               WHERE u.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(u.geom)))")
[[ $n -eq 0 ]] && pass "grid households and residents are the sums of their units" ||
    fail "$n grids whose counts differ from their units"
n=$(sql "SELECT count(*) FROM grids WHERE kind = 'community' AND households BETWEEN 250 AND 600")
m=$(sql "SELECT count(*) FROM grids WHERE kind = 'community'")
[[ $m -gt 0 && $((n * 100 / m)) -ge 95 ]] && pass "$n of $m community grids hold 250-600 households" ||
    fail "only $n of $m community grids hold 250-600 households"
n=$(sql "SELECT count(DISTINCT category) FROM key_places")
[[ $n -ge 15 ]] && pass "$n key place categories" || fail "only $n key place categories"
n=$(sql "SELECT count(DISTINCT risk_grade) || ' ' || count(DISTINCT status) || ' ' ||
                count(DISTINCT category) FROM hazards")
[[ $n == "4 "* ]] && pass "hazards: grades, statuses, categories: $n" || fail "hazards: $n"
n=$(sql "SELECT count(*) FROM key_places WHERE category = 'railway' AND GeometryType(geom) = 'LINESTRING'")
[[ $n -eq 1 ]] && pass "a railway line as a LineString" || fail "$n railway LineStrings"
n=$(sql "SELECT count(*) FROM grid_workers WHERE phone !~ '^1[0-9]{2} [0-9]{4} [0-9]{4}$'")
[[ $n -eq 0 ]] && pass "worker phone numbers read 1xx xxxx xxxx" || fail "$n malformed phone numbers"
n=$(sql "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'")
[[ $n -eq 0 ]] && pass "the tile notification triggers are back on after the load" ||
    fail "$n triggers left disabled"
n=$(sql "SELECT count(*) FROM edit_history WHERE actor <> 'demo'")
[[ $n -eq 0 ]] && pass "history records the actor 'demo'" || fail "$n history rows by another actor"

# ---- planted faults: found exactly as recorded --------------------------------------------
# Each check lists what the data shows and what demo_planted says, both sorted, and leaves
# the number planted in planted_count.
check_planted() {
    local what=$1 kinds=$2 found_sql=$3
    local found planted
    found=$(sql "SELECT coalesce(string_agg(x, ',' ORDER BY x), '') FROM ($found_sql) s(x)")
    planted=$(sql "SELECT coalesce(string_agg(x, ',' ORDER BY x), '') FROM (
                     SELECT (SELECT string_agg(c, '/' ORDER BY c) FROM unnest(string_to_array(ref, '/')) c)
                     FROM demo_planted WHERE kind IN ($kinds)) s(x)")
    planted_count=0
    [[ -n $planted ]] && planted_count=$(awk -F, '{print NF}' <<<"$planted")
    if [[ -n $planted && $found == "$planted" ]]; then
        pass "$what: $planted_count, exactly as planted"
    else
        fail "$what: found [$found], planted [$planted]"
    fi
}
count_at_least() {
    [[ $2 -ge $3 ]] && pass "$1: $2 >= $3" || fail "$1: $2 < $3"
}
check_planted "villages with a gap" "'village_gap'" "
    SELECT v.code FROM jurisdictions v JOIN grids g ON g.village_code = v.code AND g.kind <> 'dedicated'
    WHERE v.level = 'village' GROUP BY v.code, v.geom
    HAVING ST_Area(ST_Difference(v.geom, ST_Union(g.geom))::geography) > 1"
n=$planted_count
count_at_least "villages with a gap" "$n" 2
check_planted "overlapping sibling grids" "'overlapping_grids'" "
    SELECT a.code || '/' || b.code FROM grids a
    JOIN grids b ON b.village_code = a.village_code AND a.code < b.code AND a.geom && b.geom
    WHERE a.kind <> 'dedicated' AND b.kind <> 'dedicated'
      AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1"
n=$planted_count
count_at_least "overlapping grid pairs" "$n" 2
check_planted "community grids without a full-time worker" "'community_grid_without_full_time_worker'" "
    SELECT g.code FROM grids g WHERE g.kind = 'community' AND NOT EXISTS (
        SELECT 1 FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
        WHERE a.grid_id = g.id AND w.employment = 'full_time')"
n=$planted_count
count_at_least "community grids without a full-time worker" "$n" 3
check_planted "grids without any worker" "'grid_without_worker'" "
    SELECT g.code FROM grids g WHERE NOT EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = g.id)"
n=$planted_count
count_at_least "grids without any worker" "$n" 2
check_planted "schools without a dedicated grid" "'school_without_dedicated_grid'" "
    SELECT k.code FROM key_places k WHERE k.category = 'school' AND NOT EXISTS (
        SELECT 1 FROM grids g WHERE g.kind = 'dedicated' AND g.unit_type = 'school'
        AND g.geom && k.geom AND ST_Intersects(g.geom, ST_PointOnSurface(k.geom)))"
n=$planted_count
count_at_least "schools without a dedicated grid" "$n" 2
check_planted "schools without video or alarm" "'school_without_video', 'school_without_alarm'" "
    SELECT code FROM key_places WHERE category IN ('school', 'kindergarten')
    AND NOT (has_video AND has_alarm)"
n=$planted_count
count_at_least "schools without video or alarm" "$n" 1
check_planted "over-full grids" "'overfull_grid'" "
    SELECT code FROM grids WHERE households > 780"
n=$planted_count
count_at_least "over-full grids" "$n" 1
check_planted "major hazards past their deadline" "'hazard_past_deadline'" "
    SELECT code FROM hazards WHERE deadline < current_date
    AND status IN ('reported', 'confirmed', 'rectifying')"
n=$planted_count
count_at_least "hazards past their deadline" "$n" 1

# ---- the same seed gives the same data --------------------------------------------------
t0=$(date +%s)
if "$pingan" demo --force --seed 42 >"$work/out3" 2>"$work/err3"; then
    pass "--force reload ($(($(date +%s) - t0)) s)"
else
    cat "$work/err3"
    fail "--force reload exited non-zero"
fi
snap3=$(snapshot)
[[ $snap1 == "$snap3" ]] && pass "reloading with the same seed gives the same data" ||
    fail "same seed, different data: $snap1 vs $snap3"

# ---- bad input fails clearly --------------------------------------------------------------
if "$pingan" demo --county 360113 --force >"$work/out4" 2>"$work/err4"; then
    fail "a county without outline was accepted"
else
    grep -q "no outline" "$work/err4" && pass "a county without outline is refused clearly" ||
        fail "unclear message for a county without outline: $(cat "$work/err4")"
    grep -q "removing the demo data" "$work/err4" &&
        fail "a county without outline was refused only after removing the data" ||
        pass "a county without outline is refused before anything is removed"
fi
snap4=$(snapshot)
[[ $snap1 == "$snap4" ]] && pass "a failed run leaves the data as it was" ||
    fail "a failed run changed the data"
if "$pingan" demo --scale town >/dev/null 2>&1; then
    fail "--scale town was accepted"
else
    pass "--scale town is refused"
fi

if [[ $failures -gt 0 ]]; then
    echo "demo_test: $failures check(s) failed"
    exit 1
fi
echo "demo_test: all checks passed"
