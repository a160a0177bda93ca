#!/bin/sh
# lrc under valgrind (memcheck): no invalid access, no use of uninitialised
# values, no leak (OpenBLAS, loaded once and kept, stays reachable), on the
# grades example (the tiny-product loop, one thread) and on a small model
# whose products and loops run on lrc's threads (OpenBLAS loaded, the pool
# started and stopped at exit), with a run directory written. Prints
# "ok NAME" / "not ok NAME: why"; skips (one "ok ... skipped" line) where
# valgrind is not installed or the binary is a sanitizer build.
. "$(dirname "$0")/../golden_lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
    ok "valgrind not installed: skipped"
    exit 0
fi
# A sanitizer build checks itself (ASan and valgrind cannot share a process).
if grep -q __asan_init "$LRC"; then
    ok "sanitizer build: valgrind skipped"
    exit 0
fi
memcheck() {
    name=$1
    shift
    if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --show-leak-kinds=definite,indirect,possible "$@" >"$tmp/out" 2>"$tmp/err"; then
        ok "$name"
    else
        notok "$name" "exit $?: $(grep -m3 '==[0-9]*==' "$tmp/err")"
    fi
}
memcheck "grades example clean under valgrind" "$LRC" --quiet examples/students.lr
cat >"$tmp/wide.lr" <<'LR'
seed 2
dataset d = blobs(n=300, features=20, classes=4, spread=3) validation=0.2
model dense(256, activation=relu) -> dropout(0.1) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train epochs=2 batch=128 metrics=[accuracy]
LR
memcheck "threaded model clean under valgrind" "$LRC" --quiet --threads 2 --out "$tmp/run" "$tmp/wide.lr"
