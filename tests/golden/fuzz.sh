#!/bin/sh
# Replays the fuzzing regressions: every input in tests/fuzz/NAME/ (and, for
# the front end, tests/errors/*.lr) through the harness fuzz/fuzz_NAME.c
# linked with fuzz/replay.c's plain main instead of libFuzzer, built like
# the lrc under test (its build directory, so under ASan + UBSan in
# `make check SAN=1`). A crash, a sanitizer report or a leak fails.
LRC=${LRC:-./lrc}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "$(dirname "$LRC")" && pwd)

# The make variables that produced $LRC's directory (see the Makefile:
# build/$(notdir $(CC)), build/san, and -debug after either).
case $dir in
"$top"/build/*) build=${dir#"$top"/} ;;
*) build=build/cc ;; # ./lrc, copied from the default build
esac
name=${build#build/}
debug=0
case $name in
*-debug) debug=1; name=${name%-debug} ;;
esac
case $name in
san) set -- SAN=1 ;;
san-*) set -- SAN=1 "CC=${name#san-}" ;;
*) set -- SAN=0 "CC=$name" ;;
esac

if ! out=$(make -s --no-print-directory -C "$top" "BUILD=$build" DEBUG=$debug "$@" \
        fuzz-replay-build 2>&1); then
    echo "not ok fuzz build: make BUILD=$build DEBUG=$debug $* fuzz-replay-build failed:"
    printf '%s\n' "$out" | grep -v '^lemon ' | tail -10 | sed 's/^/    /'
    exit 1
fi

cd "$top" || exit 1
for harness in check csv idx safetensors model; do
    set --
    [ -d "tests/fuzz/$harness" ] && set -- "tests/fuzz/$harness"
    [ "$harness" = check ] && set -- "$@" tests/errors/*.lr
    [ "$harness" = model ] && set -- "$@" tests/errors/summary_*.safetensors
    if [ $# -eq 0 ]; then
        echo "ok fuzz $harness (no regressions)"
        continue
    fi
    out=$("$build/fuzz/replay_$harness" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        echo "ok fuzz $harness ($(printf '%s\n' "$out" | tail -1))"
    else
        echo "not ok fuzz $harness: $build/fuzz/replay_$harness exited $rc:"
        printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|runtime error|#[0-9] |replayed' | head -12 |
            sed 's/^/    /'
    fi
done
