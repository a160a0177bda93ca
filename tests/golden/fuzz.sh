#!/bin/sh
# Replays the fuzzing regressions: every input in tests/fuzz/NAME/ (and, for
# the front end, tests/errors/*.lr) through the harness fuzz/fuzz_NAME.c
# linked with fuzz/replay.c's plain main instead of libFuzzer, built like
# the lrc under test (its build directory, so under ASan + UBSan in
# `make check SAN=1`). A crash, a sanitizer report or a leak fails.
. "$(dirname "$0")/../golden_lib.sh"
lrc_build

if ! out=$(make_like_lrc fuzz-replay-build 2>&1); then
    echo "not ok fuzz build: make BUILD=$build DEBUG=$debug SAN=$san ${cc:+CC=$cc} fuzz-replay-build failed:"
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
