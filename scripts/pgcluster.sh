#!/usr/bin/env bash
# The project's private PostgreSQL 15 + PostGIS cluster: init, start, stop, status, url, psql.
# Unix socket and loopback only, on PINGAN_PG_PORT (default 55432) so that it never clashes with
# a system PostgreSQL. initdb refuses root, so as root the cluster belongs to the postgres user;
# when that user cannot reach the project folder the cluster lives under /tmp instead.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PINGAN_PG_PORT:-55432}
TOP=$(cd "$(dirname "$0")/.." && pwd)
VAR=${PINGAN_VAR:-$TOP/var}
DB=${PINGAN_DB_NAME:-pingan}

usage() {
    cat <<EOF
Usage: pgcluster.sh COMMAND

Commands:
  init     create the cluster (once) and start it
  start    start the cluster if it is not running
  stop     stop the cluster (fast shutdown)
  status   say whether it runs; exit 0 when it does
  url      print the connection URL of the project database
  psql     open psql on the project database (extra arguments go to psql)

Environment: PINGAN_PG_PORT (default 55432), PINGAN_VAR (default <project>/var).
EOF
}

die() { echo "pgcluster: $*" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$VAR"
# The cluster folder: beside the project when its owner can get there, else under /tmp.
home="$VAR"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$VAR" 2>/dev/null; then
    home=/tmp/pingan-$(printf '%s' "$VAR" | md5sum | cut -c1-10)
fi
PGDATA=$home/pg
SOCK=$home/run
LOG=$home/postgresql.log
OWNER=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)

url() { echo "postgresql:///$DB?host=$SOCK&port=$PORT&user=$OWNER"; }

running() { [ -f "$PGDATA/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

init() {
    [ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is not installed ($PGBIN/initdb missing)"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        mkdir -p "$home" "$SOCK"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$home" "$SOCK"
        rm -rf "$PGDATA"
        as_owner "$PGBIN/initdb" -D "$PGDATA" -U "$OWNER" --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$home/initdb.log" 2>&1 || { cat "$home/initdb.log" >&2; die "initdb failed"; }
        # A quarter of the memory for shared buffers (at most 8 GB), as usual for a dedicated
        # database server: a province's grids, population units and their indexes then stay in
        # the buffers across a full coverage recompute instead of being read again page by page.
        local mem_mb
        mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 2048)
        local sb_mb=$((mem_mb / 4))
        [ "$sb_mb" -gt 8192 ] && sb_mb=8192
        [ "$sb_mb" -lt 128 ] && sb_mb=128
        cat >>"$PGDATA/postgresql.conf" <<EOF
# Pingan Grid private cluster
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 200
shared_buffers = ${sb_mb}MB
effective_cache_size = $((mem_mb * 3 / 4))MB
work_mem = 32MB
maintenance_work_mem = 256MB
fsync = on
synchronous_commit = on
max_wal_size = 4GB
jit = off
EOF
    fi
    start
}

start() {
    [ -f "$PGDATA/PG_VERSION" ] || die "no cluster yet: run init"
    mkdir -p "$SOCK"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$SOCK"
    if ! running; then
        as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 start >/dev/null ||
            { tail -20 "$LOG" >&2; die "the cluster did not start (log: $LOG)"; }
    fi
    as_owner "$PGBIN/pg_isready" -q -h "$SOCK" -p "$PORT" -t 30 || die "the cluster does not answer"
    url >"$VAR/database_url"
}

stop() {
    if running; then as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
}

status() {
    if running; then echo "running: $(url)"; else echo "stopped ($PGDATA)"; return 1; fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    init) init ;;
    start) start ;;
    stop) stop ;;
    status) status ;;
    url) url ;;
    psql) exec psql "$(url)" "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
