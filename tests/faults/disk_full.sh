#!/usr/bin/env bash
# Disk full for the database: the tables a write goes to (hazards, edit_history and their
# indexes) are moved to a tablespace on a small tmpfs, which is then filled. Writes must answer
# 507 problem+json with a code (no crash, no hang), every acknowledged write must be whole
# (row and history), nothing half-written; once space is freed the same server takes writes
# again. Needs root (mount); exits 77 (skipped) otherwise. Everything is undone on exit.
# Usage: disk_full.sh PINGAN_BIN
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "disk_full: SKIPPED: mounting a size-limited tmpfs needs root"
    exit 77
fi
base_url=$("$bin" db url)
name=t_disk_full_$$
url=$(sed "s|\(postgresql://[^/]*/\)[^?]*|\1$name|" <<<"$base_url")
space=pingan_full_$$
mnt=$(mktemp -d /tmp/pingan_diskfull.XXXXXX)
work=$(mktemp -d /tmp/pingan_diskfull_work.XXXXXX)
mounted=0
cleanup() {
    set +e
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    psql -X -q "$base_url" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
    psql -X -q "$base_url" -c "DROP TABLESPACE IF EXISTS $space" >/dev/null 2>&1
    if [ $mounted = 1 ]; then umount "$mnt" 2>/dev/null || umount -l "$mnt"; fi
    rmdir "$mnt" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$url" -c "$1"; }

psql -X -q "$base_url" -c "CREATE DATABASE $name" >/dev/null
PINGAN_DATABASE_URL=$url "$bin" db init >/dev/null
psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$src/tests/features_write/fixture.sql" >/dev/null
token=$(PINGAN_DATABASE_URL=$url "$bin" token create --role planner --scope 360502 | head -1)

# The tablespace on 16 MB of tmpfs, owned by the user the cluster runs as.
mount -t tmpfs -o size=16m,mode=0755 tmpfs "$mnt"
mounted=1
mkdir "$mnt/ts"
chown "$(stat -c %U "$(psql -X -At "$base_url" -c 'SHOW data_directory')")" "$mnt/ts"
psql -X -q "$base_url" -c "CREATE TABLESPACE $space LOCATION '$mnt/ts'" >/dev/null
for t in hazards edit_history; do
    sql "ALTER TABLE $t SET TABLESPACE $space" >/dev/null
    for i in $(sql "SELECT indexrelid::regclass FROM pg_index WHERE indrelid = '$t'::regclass"); do
        sql "ALTER INDEX $i SET TABLESPACE $space" >/dev/null
    done
done

PINGAN_DATABASE_URL=$url "$bin" serve --port 0 --set threads=8 --set db_pool=4 \
    --set analysis_worker=false >"$work/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do
    port=$(grep -o '"event":"started","port":[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$work/server.log"; exit 1; }
base=http://127.0.0.1:$port
n=0
post() { # one hazard named $1; prints "status seconds", the body in $work/body
    curl -s -o "$work/body" -w '%{http_code} %{time_total}' --max-time 15 -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/geo+json' \
        --data "{\"type\":\"Feature\",\"properties\":{\"name\":\"$1\",\"category\":\"landslide\",\"risk_grade\":\"yellow\",\"village_code\":\"360502100200\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.91,27.805]}}" \
        "$base/collections/hazards/items" || echo "000 15"
}
acked=()
for _ in 1 2 3; do
    n=$((n + 1))
    read -r st t <<<"$(post "df $n before")"
    [ "$st" = 201 ] || { echo "FAIL: write before filling: $st"; cat "$work/body"; exit 1; }
    acked+=("df $n before")
done

# Fill the tablespace until PostgreSQL reports it full (rows under 2 kB: stored as they are,
# not compressed).
sql "CREATE TABLE filler (x text) TABLESPACE $space" >/dev/null
filled=0
for _ in $(seq 200); do
    if ! out=$(sql "INSERT INTO filler SELECT md5(i::text) || repeat('x', 1800) FROM generate_series(1, 1000) i" 2>&1); then
        grep -q "No space left\|could not extend" <<<"$out" || { echo "FAIL: filler: $out"; exit 1; }
        filled=1
        break
    fi
done
[ $filled = 1 ] || { echo "FAIL: the tablespace never filled"; exit 1; }
echo "filled: $(df -k --output=used,size "$mnt" | tail -1 | awk '{print $1 " of " $2 " kB"}') used"

# Writes now: each answered, 2xx (room left in a page) or 507 problem+json; soon all 507.
full=0 worst=0 other=0
for _ in $(seq 60); do
    n=$((n + 1))
    read -r st t <<<"$(post "df $n full")"
    worst=$(awk -v a="$worst" -v b="$t" 'BEGIN {print (b > a) ? b : a}')
    case $st in
    201) acked+=("df $n full") ;;
    507)
        grep -q '"code":"storage_full"' "$work/body" || { echo "FAIL: 507 without its code"; cat "$work/body"; exit 1; }
        grep -q '"status":507' "$work/body" || { echo "FAIL: 507 not problem+json"; exit 1; }
        full=$((full + 1))
        [ $full -ge 10 ] && break
        ;;
    *) other=$((other + 1)); echo "unexpected answer $st: $(head -c 300 "$work/body")" ;;
    esac
done
[ $other = 0 ] || { echo "FAIL: $other answers other than 201/507"; exit 1; }
[ $full -ge 10 ] || { echo "FAIL: only $full answers 507 on a full disk"; exit 1; }
kill -0 $spid || { echo "FAIL: the server died"; exit 1; }
hst=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/health")
[ "$hst" = 200 ] || { echo "FAIL: /health $hst while the disk is full"; exit 1; }
echo "full: $full writes answered 507 storage_full, slowest ${worst}s; /health $hst; ${#acked[@]} writes acknowledged in all"

check_whole() { # every acknowledged write is there with its insert history; nothing else
    for a in "${acked[@]}"; do
        v=$(sql "SELECT count(*) FROM hazards h JOIN edit_history e ON e.collection = 'hazards' AND e.feature_id = h.id AND e.operation = 'insert' WHERE h.name = '$a'")
        [ "$v" = 1 ] || { echo "FAIL: acknowledged '$a' found $v times (with history)"; exit 1; }
    done
    rows=$(sql "SELECT count(*) FROM hazards WHERE name LIKE 'df %'")
    [ "$rows" = "${#acked[@]}" ] || { echo "FAIL: $rows rows for ${#acked[@]} acknowledged writes"; exit 1; }
    orphan=$(sql "SELECT count(*) FROM edit_history e WHERE e.collection = 'hazards' AND NOT EXISTS (SELECT 1 FROM hazards h WHERE h.id = e.feature_id)")
    [ "$orphan" = 0 ] || { echo "FAIL: $orphan history rows without their hazard"; exit 1; }
}
check_whole
echo "whole: ${#acked[@]} acknowledged writes each with its history row, no other row, no orphan history"

# Free the space: the same server, no restart, takes writes again.
sql "DROP TABLE filler" >/dev/null
sql "CHECKPOINT" >/dev/null
n=$((n + 1))
read -r st t <<<"$(post "df $n after")"
[ "$st" = 201 ] || { echo "FAIL: write after freeing space: $st"; cat "$work/body"; exit 1; }
acked+=("df $n after")
check_whole
kill -0 $spid || { echo "FAIL: the server restarted or died"; exit 1; }
echo "after freeing: write 201 in ${t}s on the same server (pid $spid); ${#acked[@]} writes whole"
echo "disk_full: ok"
