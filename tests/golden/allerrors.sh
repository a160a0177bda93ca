#!/bin/sh
# Every error at once: lrc check and a run report every independent error
# of the file in source order, up to 20, then exit 2; what an error spoils
# (its statement after a syntax error, the uses of a bad let, a dataset or a
# module that failed) says nothing more. tests/errors/errors_*.lr hold the
# exact messages; this checks runs, --set, modules and the order.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
corpus=$(cd "$(dirname "$0")/../errors" && pwd)

# headlines FILE: the "file:line:col" of each error on FILE's stderr, in order.
headlines() { sed -n 's/^\(.*:[0-9]*:[0-9]*\): error: .*/\1/p' "$1"; }
# same NAME WANT: the headlines on $tmp/err are WANT (one per line).
same() {
    got=$(headlines "$tmp/err")
    if [ "$got" = "$2" ]; then ok "$1"; else notok "$1" "$(printf '%s' "$got" | tr '\n' ' ')"; fi
}

cd "$tmp" || exit 1
cp "$corpus"/errors_*.lr .

# --- a run reports what lrc check does, byte for byte, and runs nothing.
for f in errors_statements errors_parse_then_check errors_options errors_cap; do
    expect "a run of $f exits 2" 2 "" "$LRC" --out "run-$f" "$f.lr"
    cmp -s "$tmp/err" "$corpus/$f.stderr" && ok "a run of $f reports what check does" ||
        notok "a run of $f reports what check does" "$(diff "$corpus/$f.stderr" "$tmp/err" | head -5)"
    [ ! -s "$tmp/out" ] && [ ! -e "run-$f" ] && ok "a run of $f writes nothing" ||
        notok "a run of $f writes nothing" "stdout $(wc -c <"$tmp/out") bytes"
done
"$LRC" errors_statements.lr >/dev/null 2>"$tmp/err"
same "a run's errors are in the order of the file, one per statement" \
"errors_statements.lr:3:6
errors_statements.lr:4:18
errors_statements.lr:5:50
errors_statements.lr:6:27
errors_statements.lr:7:10"

# --- the cap: the first 20 by place, and how many there were.
"$LRC" check errors_cap.lr >/dev/null 2>"$tmp/err"
[ "$(headlines "$tmp/err" | wc -l)" -eq 20 ] && [ "$(headlines "$tmp/err" | tail -1)" = errors_cap.lr:26:11 ] &&
    ok "25 errors: the first 20 are shown" || notok "25 errors: the first 20 are shown" "$(headlines "$tmp/err" | tail -2)"
[ "$(tail -1 "$tmp/err")" = "lrc: too many errors (25 in all; only the first 20 are shown)" ] &&
    ok "25 errors: too many errors, with the count" || notok "25 errors: too many errors, with the count" "$(tail -1 "$tmp/err")"

# --- found out of order, reported in order: train's on= is checked before
# its other options, a later statement's syntax error before nothing.
cat >order.lr <<'LR'
dataset d = linear(n=100, features=2)
model dense(1)
loss mse
optimizer sgd lr=0.1 momentum=2
train batch=0 on=dd epochs=0
evaluate on=d metrics=[mae
LR
expect "errors found out of order exit 2" 2 "" "$LRC" check order.lr
same "errors found out of order are reported in the order of the file" \
"order.lr:4:31
order.lr:5:13
order.lr:5:18
order.lr:5:28
order.lr:7:1"

# --- --set: its errors come with the file's, after them (they have no
# place in it, or a place in the value, which comes after the file).
cat >sets.lr <<'LR'
let rate = 0.1
let width = 8
dataset d = linear(n=100, features=2)
model dense(width) -> dense(1)
loss mse
optimizer sgd lr=rate
train epochs=0 batch=16 shuffle=1
LR
expect "--set errors and file errors: exit 2" 2 "" \
    "$LRC" check sets.lr --set rat=0.5 --set 'width="wide"'
same "--set errors and file errors: the file's first, each once" \
"sets.lr:7:14
sets.lr:7:33
--set width:1:1"
grep -qx "lrc: error: --set rat: no let named 'rat'; did you mean 'rate'?" "$tmp/err" &&
    [ "$(grep -c 'error' "$tmp/err")" -eq 4 ] && ok "--set errors and file errors: the unknown name too" ||
    notok "--set errors and file errors: the unknown name too" "$(cat "$tmp/err")"
expect "a run with --set errors exits 2 and runs nothing" 2 "no let named 'rat'" \
    "$LRC" --out run-sets sets.lr --set rat=0.5
[ ! -e run-sets ] && ok "a run with --set errors writes nothing" || notok "a run with --set errors writes nothing" "run-sets exists"

# --- modules: one that does not load, one with an error inside.
cat >bad_module.lr <<'LR'
let scale = 2
let hidden = scale * nosuch
LR
cat >modules.lr <<'LR'
use "absent.lr"
use "bad_module.lr"
dataset d = linear(n=100, features=2)
model dense(hidden) -> dense(undefined_here)
loss mse
optimizer sgd lr=-1
train epochs=1 batch=16
LR
expect "module errors and file errors: exit 2" 2 "" "$LRC" check modules.lr
same "module errors and file errors: the file's, then the module's, nothing from their uses" \
"modules.lr:1:5
modules.lr:6:18
bad_module.lr:2:22"
expect "a run with module errors exits 2" 2 "cannot find module 'absent.lr'" "$LRC" modules.lr

# --- one statement's several option errors, and a poisoned let, by a run.
"$LRC" errors_options.lr >/dev/null 2>"$tmp/err"
[ "$(headlines "$tmp/err" | wc -l)" -eq 7 ] && ok "a run reports each option's error of each statement" ||
    notok "a run reports each option's error of each statement" "$(headlines "$tmp/err")"
"$LRC" errors_let_poisoned.lr >/dev/null 2>"$tmp/err"
[ "$(grep -c 'division by zero' "$tmp/err")" -eq 1 ] && [ "$(headlines "$tmp/err" | wc -l)" -eq 2 ] &&
    ok "a let with a bad value used three times is one error" ||
    notok "a let with a bad value used three times is one error" "$(headlines "$tmp/err")"
