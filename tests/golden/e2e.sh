#!/bin/sh
# End to end: the real binary on the examples, checked against what the
# data were generated from (not against earlier output).
# Prints "ok NAME" / "not ok NAME: why" per check.
. "$(dirname "$0")/../golden_lib.sh"


# The grades example: y = 0.3 x1 + 0.3 x2 + 0.4 x3 + N(0, 0.2^2).
if "$LRC" --quiet --threads 1 examples/students.lr >"$tmp/a" 2>"$tmp/err"; then
    ok "students runs"
else
    notok "students runs" "exit $?: $(cat "$tmp/err")"
fi
epochs=$(grep -c '^epoch [0-9]*/4 loss ' "$tmp/a")
[ "$epochs" -eq 4 ] && ok "students prints 4 epoch lines" ||
    notok "students prints 4 epoch lines" "got $epochs: $(cat "$tmp/a")"
# Full-dataset loss within 10% of the noise variance 0.04.
awk '/^epoch 4\/4/ { l = $4 } END { exit !(l > 0.036 && l < 0.044) }' "$tmp/a" &&
    ok "students loss near noise variance" ||
    notok "students loss near noise variance" "$(grep '^epoch 4' "$tmp/a")"
# Weights within 0.03 of [0.3 0.3 0.4], bias near 0.
awk '/^dense weights/ {
        gsub(/[\[\]]/, ""); w1 = $3; w2 = $4; w3 = $5; b = $7
        d1 = w1 - 0.3; d2 = w2 - 0.3; d3 = w3 - 0.4
        good = d1 * d1 < 0.0009 && d2 * d2 < 0.0009 && d3 * d3 < 0.0009 && b * b < 0.01
     } END { exit !good }' "$tmp/a" &&
    ok "students learns the weights" ||
    notok "students learns the weights" "$(grep weights "$tmp/a")"

# Reproducible: a second run and another thread count print the same bytes.
"$LRC" --quiet --threads 1 examples/students.lr >"$tmp/b" 2>/dev/null
cmp -s "$tmp/a" "$tmp/b" && ok "students repeats byte for byte" ||
    notok "students repeats byte for byte" "two runs differ"
"$LRC" --quiet --threads 2 examples/students.lr >"$tmp/c" 2>/dev/null
cmp -s "$tmp/a" "$tmp/c" && ok "students same with --threads 2" ||
    notok "students same with --threads 2" "outputs differ"
# stdout carries results only: timings go to stderr.
"$LRC" --threads 1 examples/students.lr >"$tmp/d" 2>"$tmp/e"
cmp -s "$tmp/a" "$tmp/d" && grep -q 'steps in .* s (steps' "$tmp/e" && ok "timings on stderr only" ||
    notok "timings on stderr only" "$(cat "$tmp/e")"
# --seed changes the data and so the output.
"$LRC" --quiet --seed 7 examples/students.lr >"$tmp/f" 2>/dev/null
cmp -s "$tmp/a" "$tmp/f" && notok "--seed overrides" "same output with another seed" ||
    ok "--seed overrides"

# Every example runs; the long ones check (make examples runs them).
quick=" $(quick_examples | tr '\n' ' ') "
for f in examples/*.lr; do
    case $quick in *" $f "*) cmd=run ;; *) cmd=check ;; esac
    if [ $cmd = run ]; then "$LRC" --quiet "$f" >/dev/null 2>"$tmp/err"
    else "$LRC" check "$f" >/dev/null 2>"$tmp/err"; fi &&
        ok "example $f ($cmd)" || notok "example $f ($cmd)" "$(head -3 "$tmp/err")"
done

# Exit statuses: language error 2, usage error 2, success 0, check silent.
"$LRC" check examples/students.lr >"$tmp/out" 2>&1
[ $? -eq 0 ] && [ ! -s "$tmp/out" ] && ok "check is silent on a good file" ||
    notok "check is silent on a good file" "$(cat "$tmp/out")"
"$LRC" --bogus >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown option exits 2" || notok "unknown option exits 2" "exit $?"
"$LRC" /nonexistent.lr >/dev/null 2>&1
[ $? -eq 2 ] && ok "missing file exits 2" || notok "missing file exits 2" "exit $?"

# A run that diverges exits 1 and says where.
cat >"$tmp/diverge.lr" <<'LR'
dataset d = linear(n=100, features=2, high=10)
model dense(1)
loss mse
optimizer sgd lr=10
train epochs=3 batch=10
LR
"$LRC" --quiet "$tmp/diverge.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q 'error: training diverged at epoch [0-9]* step [0-9]* (loss=[a-z]*, lr=10)' "$tmp/err" &&
    ok "divergence exits 1" || notok "divergence exits 1" "exit $st: $(cat "$tmp/err")"

# A model too large for this machine is a language error, not a crash.
cat >"$tmp/huge.lr" <<'LR'
dataset d = linear(n=1e12, features=1000)
model dense(1)
loss mse
optimizer sgd
train
LR
"$LRC" --quiet "$tmp/huge.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q 'bytes of memory but this machine has' "$tmp/err" &&
    ok "too large is exit 2" || notok "too large is exit 2" "exit $st: $(cat "$tmp/err")"
exit 0
