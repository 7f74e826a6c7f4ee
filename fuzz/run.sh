#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, in build-fuzz/) and runs each for a bounded
# time over a scratch copy of its committed corpus. Usage:
#   fuzz/run.sh [SECONDS] [target...]     explore for SECONDS per target (default 60), new seed
#   fuzz/run.sh --runs N [target[@N]...]  exactly N inputs per target (or its own @N) from a
#                                         fixed seed
# The suite uses --runs: the same inputs on every machine, so a red run is a real regression
# that replays anywhere, never the luck of a fast or slow machine. Exploration is by hand.
# -timeout is generous: one input never needs seconds, but a loaded machine (a parallel ctest)
# can stall a process that long, and that is no finding.
# Exit 1 when any target crashes; the crashing input is left in build-fuzz/crashes/<target>/ —
# add it to fuzz/corpus/<target>/ with the fix.
set -euo pipefail
if [ "${1:-}" = --runs ]; then
    budget=(-runs="$2" -seed="${PINGAN_FUZZ_SEED:-1}")
    secs="$2 runs"
    shift 2
else
    secs=${1:-60}
    budget=(-max_total_time="$secs")
    shift || true
fi
src=$(cd "$(dirname "$0")/.." && pwd)
out=${PINGAN_FUZZ_BUILD:-$src/build-fuzz}
declare -A own_runs=()
targets=()
for arg in "$@"; do
    targets+=("${arg%@*}")
    [ "$arg" = "${arg%@*}" ] || own_runs[${arg%@*}]=${arg#*@}
done
[ ${#targets[@]} -gt 0 ] || targets=(geojson wkt wkb json_body items_query tile_path multipart import_rows)

if [ ! -f "$out/CMakeCache.txt" ]; then
    CC=clang cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPINGAN_FUZZ=ON -DPINGAN_WERROR=OFF >/dev/null
fi
cmake --build "$out" -j2 --target $(printf 'fuzz_%s ' "${targets[@]}") >"$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
printf '%-12s %12s %10s %8s %6s %s\n' target budget execs exec/s cov result
for t in "${targets[@]}"; do
    work="$out/work/$t" crashes="$out/crashes/$t"
    rm -rf "$work"
    mkdir -p "$work" "$crashes"
    cp "$src/fuzz/corpus/$t/"* "$work/" 2>/dev/null || true
    log="$out/fuzz_$t.log"
    result=ok
    this=("${budget[@]}") label=$secs
    if [ -n "${own_runs[$t]:-}" ]; then
        this=(-runs="${own_runs[$t]}" -seed="${PINGAN_FUZZ_SEED:-1}") label="${own_runs[$t]} runs"
    fi
    "$out/fuzz_$t" "${this[@]}" -max_len=8192 -timeout=30 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" >"$log" 2>&1 || result=CRASH
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    printf '%-12s %12s %10s %8s %6s %s\n' "$t" "$label" "$execs" "$rate" "$cov" "$result"
    if [ $result != ok ]; then
        status=1
        grep -m5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" || true
    fi
done
exit $status
