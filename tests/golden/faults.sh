#!/bin/sh
# Hostile input and faults: the hard limits, divergence, disk faults,
# damaged files, and the sandbox around a shared experiment file. Prints
# "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"

# --- hard limits -----------------------------------------------------
$PY -c "import sys; sys.stdout.write('# ' + 'x' * (64 * 1024 * 1024) + '\n')" >"$tmp/big.lr"
expect "file size limit" 2 "file is larger than the limit of 67108864 bytes" "$LRC" check "$tmp/big.lr"
$PY -c "print('seed 1;' * 10000)" >"$tmp/line.lr"
expect "line length limit" 2 "line.lr:1:65537: error: line is longer than the limit of 65536 bytes" "$LRC" check "$tmp/line.lr"
$PY -c "print('seed ' + '[' * 300 + ']' * 300)" >"$tmp/deep.lr"
expect "nesting limit" 2 "nesting too deep \(limit is 256\)" "$LRC" check "$tmp/deep.lr"
$PY -c "print('seed ' + '-' * 5000 + '1')" >"$tmp/unary.lr"
expect "parser stack limit" 2 "nesting too deep \(limit is 2048\)" "$LRC" check "$tmp/unary.lr"
$PY -c "import sys; sys.stdout.write('let a = 1\n' + 'seed 1\n' * 1000001)" >"$tmp/many.lr"
expect "statement count limit" 2 "too many statements \(limit is 1000000\)" "$LRC" check "$tmp/many.lr"
printf 'dataset d = linear(n=10, features=2)\nmodel dense(16777217) -> dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/units.lr"
expect "tensor size limit" 2 "units must be an integer from 1 to 16777216" "$LRC" check "$tmp/units.lr"
printf 'dataset d = linear(n=9e18, features=16777216)\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/overflow.lr"
expect "size arithmetic cannot overflow" 2 "needs more memory than can be addressed" "$LRC" check "$tmp/overflow.lr"
printf 'dataset d = linear(n=1e6, features=1000)\nmodel dense(16777216) -> dense(1000) -> dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/mem.lr"
expect "plan memory limit" 2 "the experiment needs [0-9]+ bytes of memory but this machine has [0-9]+" "$LRC" check "$tmp/mem.lr"

# Lets and functions that double at each step: evaluation stays linear (a
# let is folded once) or stops at the work limit, never hangs.
$PY -c "
print('let v0 = 1')
for i in range(1, 60): print('let v%d = v%d + v%d' % (i, i - 1, i - 1))
print('minimize (x - v59 / v59)^2 from x=0 lr=0.5 steps=1')" >"$tmp/exp.lr"
expect "doubling lets are folded once" 0 "" timeout 10 "$LRC" "$tmp/exp.lr"
$PY -c "
print('let f0(x) = x + 1')
for i in range(1, 60): print('let f%d(x) = f%d(x) + f%d(x)' % (i, i - 1, i - 1))
print('minimize x^2 from x=1 lr=f59(1) * 0 + 0.1 steps=1')" >"$tmp/fexp.lr"
expect "doubling functions hit the work limit" 2 "this takes too long to evaluate \(limit is 10000000 operations\)" \
    timeout 10 "$LRC" check "$tmp/fexp.lr"

# Deep expressions and long chains of lets are errors, never a stack
# overflow (the checker recurses over them).
$PY -c "
print('let v0 = (1')
for i in range(1, 12000): print(' + %d' % i)
print(')')" >"$tmp/sum.lr"
expect "a sum of 12000 terms is too deep" 2 "sum.lr:1:11: error: expression is too deep \(limit is 1000 levels\)" \
    "$LRC" check "$tmp/sum.lr"
$PY -c "
print('let v0 = 1')
for i in range(1, 3000): print('let v%d = (v%d + ' % (i, i - 1) + ' + '.join(['1'] * 20) + ')')
print('minimize x^2 + v2999 * 0 from x=1 steps=1')" >"$tmp/chain.lr"
expect "a long chain of lets is an error, not a crash" 2 "error: lets and functions nest too deeply here" \
    "$LRC" check "$tmp/chain.lr"

# --- divergence ----------------------------------------------------------
printf 'dataset d = linear(n=100, features=2, high=10)\nmodel dense(1)\nloss mse\noptimizer sgd lr=10\ntrain epochs=3 batch=10\n' >"$tmp/div.lr"
expect "divergence stops at its step" 1 "div.lr:5:1: error: training diverged at epoch 2 step 14 \(loss=inf, lr=10\)" \
    "$LRC" --quiet --checkpoint-every 1epoch --out "$tmp/divrun" "$tmp/div.lr"
if [ -f "$tmp/divrun/checkpoint.safetensors" ] && [ "$(wc -l <"$tmp/divrun/metrics.csv")" -eq 2 ] &&
    ! ls -a "$tmp/divrun" | grep -q '\.tmp\.'; then
    ok "a diverged run keeps the last good checkpoint and metrics"
else notok "a diverged run keeps the last good checkpoint and metrics" "$(ls -a "$tmp/divrun")"; fi
"$LRC" --quiet --resume "$tmp/divrun" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "step 14" "$tmp/err" && ok "resuming a diverged run diverges at the same step" ||
    notok "resuming a diverged run diverges at the same step" "$(cat "$tmp/err")"

# --- disk faults ---------------------------------------------------------
"$LRC" --quiet --out "$tmp/disk" examples/digits.lr >/dev/null 2>&1
# A halted run, resumed: its checkpoint is the file written next.
"$LRC" --quiet --out "$tmp/halted" --halt-after 10 examples/digits.lr >/dev/null 2>&1
sums() { (cd "$tmp/halted" && sha256sum checkpoint.safetensors metrics.csv); }
sums >"$tmp/before"
# A file-size limit makes every large write fail (EFBIG), as a full disk would.
(ulimit -f 40; "$LRC" --quiet --resume "$tmp/halted" --halt-after 20) >/dev/null 2>"$tmp/err"
st=$?
sums >"$tmp/after"
if [ $st -eq 1 ] && grep -q "error: cannot write '.*': File too large" "$tmp/err" &&
    cmp -s "$tmp/before" "$tmp/after" && ! ls -a "$tmp/halted" | grep -q '\.tmp\.'; then
    ok "a write that fails is an error and leaves earlier files intact"
else notok "a write that fails is an error and leaves earlier files intact" "exit $st: $(head -2 "$tmp/err")"; fi
printf 'x' >"$tmp/afile"
expect "an output under a file is an error" 1 "cannot create directory" "$LRC" --quiet --out "$tmp/afile/run" examples/students.lr

# --- damaged files -------------------------------------------------------
cp -r "$tmp/disk" "$tmp/cut"
head -c 1000 "$tmp/disk/checkpoint.safetensors" >"$tmp/cut/checkpoint.safetensors"
expect "a truncated checkpoint is refused, never restarted" 1 "cannot resume: .*checkpoint.safetensors' is truncated" \
    "$LRC" --quiet --resume "$tmp/cut"
printf 'garbage!' >"$tmp/cut/checkpoint.safetensors"
expect "a checkpoint with a bad header is refused" 1 "cannot resume: .*checkpoint.safetensors'" "$LRC" --quiet --resume "$tmp/cut"
cp examples/data/iris.csv "$tmp/iris.csv"
printf 'seed 1\ndataset d = csv("iris.csv", label="species")\nmodel dense(4) -> dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\nload "w.safetensors"\ntrain\n' >"$tmp/shape.lr"
cp "$tmp/disk/model.safetensors" "$tmp/w.safetensors"
# (a described model: its architecture is compared before training, status 2)
expect "weights of the wrong shape are refused" 2 "shape.lr:6:6: error: .*w.safetensors' holds dense\(64, activation=relu\) -> dropout\(0.1\) -> dense\(10, activation=softmax\) but the model here is dense\(4\) -> dense\(3, activation=softmax\)" \
    "$LRC" --quiet "$tmp/shape.lr"

# --- the sandbox ---------------------------------------------------------
mkdir -p "$tmp/shared/sub" "$tmp/elsewhere"
cp "$tmp/iris.csv" "$tmp/elsewhere/iris.csv"
printf 'let a = 1\n' >"$tmp/x.lr"
base='model dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain\n'
printf 'dataset d = csv("/etc/passwd", label="x")\n'"$base" >"$tmp/shared/abs.lr"
expect "an absolute path outside is refused" 2 "reading '/etc/passwd' is not allowed: .*\(allow it with --allow-read /etc\)" \
    "$LRC" check "$tmp/shared/abs.lr"
printf 'use "../../x.lr"\n' >"$tmp/shared/sub/up.lr"
expect "use cannot climb out with .." 2 "not allowed: .*--allow-read" "$LRC" check "$tmp/shared/sub/up.lr"
ln -s "$tmp/elsewhere" "$tmp/shared/link"
printf 'dataset d = csv("link/iris.csv", label="species")\n'"$base" >"$tmp/shared/sym.lr"
expect "a symlink out is refused" 2 "reading '.*link/iris.csv' \(which is '.*/elsewhere/iris.csv'\) is not allowed" \
    "$LRC" check "$tmp/shared/sym.lr"
expect "--allow-read lets it read" 0 "" "$LRC" check --allow-read "$tmp/elsewhere" "$tmp/shared/sym.lr"
printf 'dataset d = moons(100)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain\nsave "/etc/x.safetensors"\n' >"$tmp/shared/save.lr"
expect "save outside is refused" 2 "writing '/etc/x.safetensors' is not allowed: .*\(allow it with --allow-write /etc\)" \
    "$LRC" check "$tmp/shared/save.lr"
printf 'dataset d = moons(100)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain\nsave "w.safetensors"\n' >"$tmp/shared/savehere.lr"
expect "with --out, save must be inside the run directory" 2 "outside the run directory \(--out\)" \
    "$LRC" check --out "$tmp/run" "$tmp/shared/savehere.lr"
(cd "$tmp/shared" && "$LRC" --quiet savehere.lr) >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ -s "$tmp/shared/w.safetensors" ] && ok "without --out, save writes below the file's directory" ||
    notok "without --out, save writes below the file's directory" "$(cat "$tmp/err")"
exit 0
