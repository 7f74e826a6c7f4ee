#!/usr/bin/env bash
# PostgreSQL restarted under load, on a throwaway private cluster (never the shared one):
# while the database is down every request needing it fails fast with 503 problem+json,
# /health still answers, and once it is back the server recovers by itself (no restart, no
# thread stuck). Prints the figures. Usage: pg_restart.sh PINGAN_BIN [port]
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
pgport=${2:-$((56000 + $$ % 1000))}
var=$(mktemp -d /tmp/pingan_pgrestart.XXXXXX)
chmod 755 "$var"
export PINGAN_VAR=$var PINGAN_PG_PORT=$pgport
cleanup() {
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null || true
    "$src/scripts/pgcluster.sh" stop >/dev/null 2>&1 || true
    rm -rf "$var"
}
trap cleanup EXIT
"$src/scripts/pgcluster.sh" init >/dev/null
export PINGAN_DATABASE_URL=$("$src/scripts/pgcluster.sh" url)
"$bin" db init >/dev/null

port=$((18000 + $$ % 2000))
"$bin" serve --port $port --set threads=8 --set db_pool=4 >"$var/server.log" 2>&1 &
spid=$!
base=http://127.0.0.1:$port
for _ in $(seq 50); do curl -sf $base/health >/dev/null && break; sleep 0.2; done
code() { curl -s -o "$var/body" -w '%{http_code} %{time_total}' --max-time 20 "$base$1"; }
read -r st t <<<"$(code /collections/jurisdictions/items?limit=1)"
[ "$st" = 200 ] || { echo "FAIL: before: $st"; exit 1; }

# load in the background while the database goes away and comes back
( for _ in $(seq 400); do curl -s -o /dev/null --max-time 20 "$base/collections/jurisdictions/items?limit=5"; done ) &
loader=$!
sleep 1
"$src/scripts/pgcluster.sh" stop >/dev/null
worst=0
for i in $(seq 10); do
    read -r st t <<<"$(code /collections/jurisdictions/items?limit=1)"
    [ "$st" = 503 ] || { echo "FAIL: while down: got $st"; cat "$var/body"; exit 1; }
    grep -q '"status":503' "$var/body" || { echo "FAIL: 503 without problem+json"; exit 1; }
    worst=$(awk -v a="$worst" -v b="$t" 'BEGIN {print (b > a) ? b : a}')
done
read -r hst ht <<<"$(code /health)"
echo "down: 10 requests answered 503 problem+json, slowest ${worst}s; /health $hst in ${ht}s"
"$src/scripts/pgcluster.sh" start >/dev/null
t0=$(date +%s.%N)
for i in $(seq 100); do
    read -r st t <<<"$(code /collections/jurisdictions/items?limit=1)"
    [ "$st" = 200 ] && break
    sleep 0.2
done
[ "$st" = 200 ] || { echo "FAIL: not recovered after restart: $st"; exit 1; }
rec=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
echo "recovered: first 200 ${rec}s after the database was back"
wait $loader || true
down_503=$(grep -c '"status":503' "$var/server.log" || true)
echo "server log: $down_503 requests answered 503 during the outage"
# no thread stuck: 8 threads, 16 concurrent requests all answered within 20 s
fails=0 pids=()
for i in $(seq 16); do
    (code /collections/jurisdictions/items?limit=1 | grep -q '^200' || exit 1) &
    pids+=($!)
done
for j in "${pids[@]}"; do wait "$j" || fails=$((fails + 1)); done
[ $fails -eq 0 ] || { echo "FAIL: $fails of 16 concurrent requests failed after recovery"; exit 1; }
echo "after: 16 concurrent requests on 8 threads all 200"
kill -0 $spid || { echo "FAIL: the server died"; exit 1; }
echo "PASS"
