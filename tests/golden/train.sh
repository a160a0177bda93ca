#!/bin/sh
# Training on real data, end to end: the examples' results against
# independent references (numpy's least squares, the thresholds the issue
# sets), the run directory's files read back by other tools (numpy,
# python's json and hashlib), exact resume after interruptions, save and
# load, and data errors. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
# check NAME COMMAND...: ok when the command succeeds

# --- the examples reach their targets --------------------------------------
"$LRC" --quiet examples/iris.lr >"$tmp/iris" 2>&1
check "iris held-out accuracy >= 0.93" awk '/^evaluate iris.test/ { a = $NF } END { exit !(a >= 0.93) }' "$tmp/iris"

"$LRC" --quiet examples/digits.lr >"$tmp/digits" 2>&1
check "digits held-out accuracy >= 0.95" awk '/^evaluate digits.test/ { a = $NF } END { exit !(a >= 0.95) }' "$tmp/digits"

"$LRC" --quiet examples/diabetes.lr >"$tmp/diabetes" 2>&1
mse=$(awk '/^evaluate unseen/ { for (i = 1; i < NF; i++) if ($i == "mse") print $(i + 1) }' "$tmp/diabetes")
check "diabetes test mse within 5% of least squares" $PY -c "
import numpy as np, sys
tr = np.loadtxt('examples/data/diabetes_train.csv', delimiter=',', skiprows=1)
te = np.loadtxt('examples/data/diabetes_test.csv', delimiter=',', skiprows=1)
X = np.c_[tr[:, :-1], np.ones(len(tr))]
w = np.linalg.lstsq(X, tr[:, -1], rcond=None)[0]
best = np.mean((np.c_[te[:, :-1], np.ones(len(te))] @ w - te[:, -1]) ** 2)
got = float('$mse')
print('lrc', got, 'least squares', best)
sys.exit(1 if abs(got - best) > 0.05 * best else 0)"

# --- the same results whatever the thread count ----------------------------
for f in $(quick_examples); do
    "$LRC" --quiet --threads 1 "$f" >"$tmp/t1" 2>/dev/null
    "$LRC" --quiet --threads 2 "$f" >"$tmp/t2" 2>/dev/null
    check "$f same stdout with 1 and 2 threads" cmp "$tmp/t1" "$tmp/t2"
done

# A model wide enough that lrc's own loops are split across threads (pool.h:
# batch x units and the parameter count past two grains): the same stdout
# and the same weights, byte for byte, on 1, 2 and 3 threads.
cat >"$tmp/wide.lr" <<'LR'
seed 11
dataset d = blobs(n=2000, features=30, classes=5, spread=4) validation=0.2
model dense(300, activation=relu) -> dropout(0.2) -> dense(200, activation=tanh) ->
      dense(5, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.002 clip_norm=5
train epochs=2 batch=128 metrics=[accuracy]
LR
for n in 1 2 3; do
    "$LRC" --quiet --threads $n --out "$tmp/wide$n" "$tmp/wide.lr" >"$tmp/wide$n.out" 2>&1
done
check "wide model same stdout with 1, 2 and 3 threads" \
    sh -c "cmp '$tmp/wide1.out' '$tmp/wide2.out' && cmp '$tmp/wide1.out' '$tmp/wide3.out'"
check "wide model same weights with 1, 2 and 3 threads" \
    sh -c "cmp '$tmp/wide1/model.safetensors' '$tmp/wide2/model.safetensors' && cmp '$tmp/wide1/model.safetensors' '$tmp/wide3/model.safetensors'"
check "wide model learned" grep -Eq "val_accuracy (0\.9|1\.0)" "$tmp/wide1.out"

# --- the run directory -------------------------------------------------
"$LRC" --quiet --out "$tmp/iris-run" examples/iris.lr >"$tmp/iris-out" 2>&1
check "run directory has its files" test -s "$tmp/iris-run/metrics.csv" -a -s "$tmp/iris-run/run.json" -a -s "$tmp/iris-run/model.safetensors"
check "metrics.csv has a header and one row per epoch" $PY -c "
import csv, sys
rows = list(csv.DictReader(open('$tmp/iris-run/metrics.csv')))
assert len(rows) == 60, len(rows)
assert list(rows[0]) == ['epoch', 'step', 'loss', 'accuracy', 'lr', 'seconds'], list(rows[0])
assert [int(r['epoch']) for r in rows] == list(range(1, 61))
assert int(rows[-1]['step']) == 60 * 8  # 120 training rows in batches of 16
"
check "run.json records the experiment and hashes that check out" $PY -c "
import json, hashlib
r = json.load(open('$tmp/iris-run/run.json'))
for k in ['lrc_version', 'blas', 'seed', 'experiment', 'experiment_sha256', 'data', 'final', 'train_seconds', 'weights_sha256']:
    assert k in r, k
assert r['experiment_sha256'] == hashlib.sha256(r['experiment'].encode()).hexdigest()
assert r['weights_sha256'] == hashlib.sha256(open('$tmp/iris-run/model.safetensors', 'rb').read()).hexdigest()
assert r['data'][0]['sha256'] == hashlib.sha256(open('examples/data/iris.csv', 'rb').read()).hexdigest()
assert 'optimizer adam lr=0.05 beta1=0.9 beta2=0.999 epsilon=1e-07' in r['experiment'], r['experiment']
assert r['seed'] == 7 and r['epochs_run'] == 60
"
# numpy reads the weights lrc printed (4 decimals).
$PY tests/safetensors_numpy.py --values "$tmp/iris-run/model.safetensors" dense/kernel >"$tmp/kernel" 2>&1
check "numpy reads the weights lrc printed" $PY -c "
import re
printed = open('$tmp/iris-out').read()
line = [l for l in printed.splitlines() if l.startswith('dense weights')][0]
want = [float(v) for v in re.findall(r'-?\d+\.\d+', line.split(' bias ')[0])]
got = [float(v) for v in open('$tmp/kernel').read().split()]
assert len(got) == 12 and all(abs(a - b) <= 0.00005 for a, b in zip(want, got)), (want, got)
"

# --- exact resume ----------------------------------------------------------
# Interrupted at several points (mid-epoch, an epoch's last step, the first
# step), the resumed run ends with byte-identical weights and prints the
# same stdout as a run that was never interrupted.
"$LRC" --quiet --out "$tmp/whole" examples/digits.lr >"$tmp/whole.out" 2>/dev/null
for at in 1 17 41 123 410; do
    rm -rf "$tmp/part"
    "$LRC" --quiet --out "$tmp/part" --halt-after $at examples/digits.lr >/dev/null 2>&1
    st=$?
    "$LRC" --quiet --resume "$tmp/part" >"$tmp/part.out" 2>"$tmp/part.err"
    if [ $st -eq 130 ] && cmp -s "$tmp/whole/model.safetensors" "$tmp/part/model.safetensors" &&
        cmp -s "$tmp/whole.out" "$tmp/part.out"; then ok "resume after step $at is exact"
    else notok "resume after step $at is exact" "halt exit $st; $(head -2 "$tmp/part.err")"; fi
done
# A real signal: SIGTERM mid-run checkpoints and exits 143; resuming matches.
cat >"$tmp/long.lr" <<'LR'
seed 5
dataset d = blobs(n=20000, features=20, classes=4, spread=3)
model dense(64, activation=relu) -> dropout(0.2) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer sgd lr=0.01 momentum=0.9
train epochs=400 batch=8
LR
"$LRC" --quiet --threads 1 --out "$tmp/long-whole" "$tmp/long.lr" >/dev/null 2>&1
"$LRC" --quiet --threads 1 --out "$tmp/long-part" "$tmp/long.lr" >/dev/null 2>&1 &
pid=$!
# Signal once the run is under way (its first epoch is in metrics.csv),
# however fast the machine: a fixed sleep let a quick machine finish first.
for _ in $(seq 200); do
    grep -q '^1,' "$tmp/long-part/metrics.csv" 2>/dev/null && break
    sleep 0.05
done
kill -TERM $pid
wait $pid
st=$?
"$LRC" --quiet --resume "$tmp/long-part" >/dev/null 2>&1
if [ $st -eq 143 ] && cmp -s "$tmp/long-whole/model.safetensors" "$tmp/long-part/model.safetensors"; then
    ok "SIGTERM checkpoints, exits 143, and resumes exactly"
else notok "SIGTERM checkpoints, exits 143, and resumes exactly" "exit $st"; fi
# A checkpoint from another experiment is refused.
sed 's/seed 5/seed 6/' "$tmp/long.lr" >"$tmp/other.lr"
cp "$tmp/other.lr" "$tmp/long.lr"
"$LRC" --quiet --resume "$tmp/long-part" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q 'different experiment' "$tmp/err" && ok "resume refuses a changed experiment" ||
    notok "resume refuses a changed experiment" "exit $st: $(cat "$tmp/err")"

# --- save and load -----------------------------------------------------
cat >"$tmp/save.lr" <<'LR'
seed 2
dataset d = moons(n=400, noise=0.1)
model dense(8, activation=tanh) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer adam lr=0.05
train epochs=20 metrics=[accuracy]
save "moons.safetensors"
LR
cat >"$tmp/load.lr" <<'LR'
seed 2
dataset d = moons(n=400, noise=0.1)
model dense(8, activation=tanh) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer sgd lr=0
load "moons.safetensors"
train epochs=1 metrics=[accuracy]
LR
"$LRC" --quiet --allow-write "$tmp" "$tmp/save.lr" >"$tmp/save.out" 2>&1
"$LRC" --quiet "$tmp/load.lr" >"$tmp/load.out" 2>&1
check "load restores what save wrote" sh -c "grep -v '^epoch' '$tmp/save.out' >'$tmp/a'; grep -v '^epoch' '$tmp/load.out' >'$tmp/b'; test -s '$tmp/a' && cmp '$tmp/a' '$tmp/b'"
check "moons is learned (accuracy > 0.95)" awk '/^epoch 20\/20/ { a = $NF } END { exit !(a > 0.95) }' "$tmp/save.out"

# --- data errors name the file, row and column ---------------------------
printf 'a,b,y\n1,2,3\n4,x,6\n' >"$tmp/bad.csv"
printf 'dataset d = csv("bad.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/bad.lr"
"$LRC" --quiet "$tmp/bad.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "^bad.csv:3:2: error: non-numeric value 'x' in column 'b'" "$tmp/err" &&
    ok "a non-numeric value is status 2 (nothing ran), naming file, row, column" ||
    notok "a non-numeric value is status 2 (nothing ran), naming file, row, column" "exit $st: $(cat "$tmp/err")"
printf 'dataset d = csv("bad.csv", label="yy")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/col.lr"
"$LRC" check "$tmp/col.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "error: unknown column 'yy'; did you mean 'y'?" "$tmp/err" &&
    ok "an unknown column is a language error with a suggestion" ||
    notok "an unknown column is a language error with a suggestion" "exit $st: $(cat "$tmp/err")"

# --- outputs that cannot be written ------------------------------------
"$LRC" --quiet --out "$tmp/bad.csv/run" examples/students.lr >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q 'error' "$tmp/err" && ok "an unwritable --out is a run error" ||
    notok "an unwritable --out is a run error" "exit $st: $(cat "$tmp/err")"
exit 0
