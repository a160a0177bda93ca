#!/bin/sh
# Runs every test: the cmocka unit binaries, the golden error corpus, the
# end-to-end runs, the man-page lint. Usage: tests/run.sh BUILD_DIR
# Ends with "N passed, N failed" and exits non-zero when anything failed.
build=${1:-build/cc}
top=$(cd "$(dirname "$0")/.." && pwd)
LRC="$top/$build/lrc"
export LRC
# The binary under test lives in the build tree: point `use` at the
# project's stdlib explicitly.
LRC_PATH="$top/stdlib"
export LRC_PATH
passed=0
failed=0
failures=""

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); failures="$failures
  $1"; }

# --- unit tests (cmocka) ---------------------------------------------------
for t in "$top/$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>&1)
    rc=$?
    n_ok=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    n_bad=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    passed=$((passed + ${n_ok:-0}))
    if [ "$rc" -ne 0 ] || [ -n "$n_bad" ]; then
        failed=$((failed + ${n_bad:-1}))
        failures="$failures
  $name:
$(printf '%s\n' "$out" | grep -E 'FAILED|ERROR|error|Assert|failure' | head -20)"
    fi
done

# --- golden error corpus: tests/errors/NAME.lr -> NAME.stderr (exit 2) ----
cd "$top/tests/errors" || exit 1
for f in *.lr; do
    base=${f%.lr}
    want_status=2
    [ -f "$base.status" ] && want_status=$(cat "$base.status")
    got=$("$LRC" check "$f" 2>&1 >/dev/null)
    status=$?
    if [ "$status" -ne "$want_status" ]; then
        fail "errors/$f: exit $status, expected $want_status"
    elif [ "$got" != "$(cat "$base.stderr")" ]; then
        fail "errors/$f: stderr differs:
$(printf '%s\n' "$got" | diff "$base.stderr" - | head -10)"
    else
        pass
    fi
done
cd "$top" || exit 1

# --- golden scripts: each prints "ok NAME" or "not ok NAME: why" lines ----
for g in tests/golden/*.sh; do
    out=$(sh "$g" 2>&1)
    rc=$?
    ok=$(printf '%s\n' "$out" | grep -c '^ok ')
    passed=$((passed + ok))
    bad=$(printf '%s\n' "$out" | grep '^not ok ')
    if [ -n "$bad" ]; then
        failed=$((failed + $(printf '%s\n' "$bad" | wc -l)))
        failures="$failures
$bad"
    elif [ "$rc" -ne 0 ] || [ "$ok" -eq 0 ]; then
        fail "$g exited $rc: $(printf '%s\n' "$out" | tail -3)"
    fi
done

# --- man pages ---------------------------------------------------------
if command -v mandoc >/dev/null 2>&1; then
    lint=$(mandoc -Tlint -Wwarning man/lrc.1 man/lr.5 2>&1)
    if [ -z "$lint" ]; then pass; else fail "mandoc -Tlint: $lint"; fi
fi

[ -n "$failures" ] && printf 'failures:%s\n' "$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
