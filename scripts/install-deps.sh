#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (as root directly,
# otherwise with sudo), and the web pages' npm packages from the lockfile. Idempotent.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)

packages=(
    build-essential cmake pkg-config
    postgresql-15 postgresql-15-postgis-3 postgresql-contrib
    libpq-dev libgeos-dev libproj-dev proj-data proj-bin libgdal-dev gdal-bin
    libcivetweb-dev check libjansson-dev zlib1g-dev libcurl4-openssl-dev
    chromium
    fonts-wqy-microhei  # Chinese text in the browser tests' screenshots (headless Chromium)
    # the suite's lint and fuzz tests: without them ctest would simply not register those
    clang clang-tidy cppcheck libclang-rt-14-dev
)
# Node.js and npm may come from elsewhere than Debian: ask for Debian's only when absent.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
# Benchmarks only: PINGAN_BENCH_DEPS=1
[ "${PINGAN_BENCH_DEPS:-0}" = 1 ] && packages+=(wrk hyperfine nginx-light time)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
    # Debian starts a system cluster on 5432; the project runs its own and needs none.
fi

# Front-end packages (the pages, and the browser tests' driver), installed from each lockfile
# only when it changed since the last install.
for dir in "$TOP/web" "$TOP/tests/web"; do
    if [ -f "$dir/package-lock.json" ]; then
        stamp="$dir/node_modules/.pingan-lock"
        if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
            cp "$dir/package-lock.json" "$stamp"
        fi
    fi
done

# Test tooling (the MapLibre style validator), the same way: from tools/package-lock.json.
if [ -f "$TOP/tools/package-lock.json" ]; then
    stamp="$TOP/tools/node_modules/.pingan-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$TOP/tools/package-lock.json" "$stamp"; then
        (cd "$TOP/tools" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$TOP/tools/package-lock.json" "$stamp"
    fi
fi
