#!/usr/bin/env bash
# Static analysis over every C file git tracks: cppcheck, and clang-tidy with the project's
# .clang-tidy (bug-finding checks, warnings are errors). $1 = the build folder holding
# compile_commands.json; $2 = which tool.
set -euo pipefail
build=$1
tool=$2
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files '*.c' 2>/dev/null || find . -name '*.c' -not -path './build*')
case "$tool" in
    cppcheck)
        includes=()
        for d in core db geo server tiles importers analysis cli tests/harness; do
            [ -d "$d" ] && includes+=(-I "$d")
        done
        cppcheck --enable=warning,performance,portability --error-exitcode=1 --quiet \
            --inline-suppr --suppress=missingIncludeSystem "${includes[@]}" "${files[@]}"
        ;;
    clang-tidy)
        # Only files the build compiled (compile_commands.json) can be analysed.
        mapfile -t compiled < <(python3 -c 'import json,sys; [print(e["file"]) for e in json.load(open(sys.argv[1]))]' "$build/compile_commands.json")
        declare -A built=()
        for f in "${compiled[@]}"; do built[$f]=1; done
        todo=()
        for f in "${files[@]}"; do
            [ -n "${built[$(realpath "$f")]:-}" ] && todo+=("$f")
        done
        # The whole report goes to a file first: a pipe into `grep -q` would end early and,
        # under pipefail, turn a finding into a pass.
        report=$(mktemp)
        trap 'rm -f "$report"' EXIT
        printf '%s\n' "${todo[@]}" | xargs -P 2 -n 8 clang-tidy -p "$build" --quiet \
            >"$report" 2>&1 || true
        grep -v 'warnings generated' "$report" >&2 || true
        if grep -q 'error:' "$report"; then
            echo "clang-tidy: findings above" >&2
            exit 1
        fi
        echo "clang-tidy: ${#todo[@]} files clean"
        ;;
esac
echo "$tool: clean"
