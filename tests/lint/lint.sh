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
        todo=()
        for f in "${files[@]}"; do
            abs=$(realpath "$f")
            printf '%s\n' "${compiled[@]}" | grep -qxF "$abs" && todo+=("$f")
        done
        printf '%s\n' "${todo[@]}" | xargs -P 2 -n 8 clang-tidy -p "$build" --quiet 2>&1 |
            grep -v 'warnings generated' | tee /dev/stderr | grep -q 'error:' && exit 1
        echo "clang-tidy: ${#todo[@]} files clean"
        ;;
esac
echo "$tool: clean"
