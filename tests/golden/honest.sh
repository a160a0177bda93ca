#!/bin/sh
# Honest reporting: with early stopping, run.json, metrics.csv and a
# sweep's table describe the model the run ends with (restore_best), each
# checked against the model itself (loaded and measured again) or the
# files it came from; a sweep's progress and interruption; minimize's
# output; schedules that end before training does.
. "$(dirname "$0")/../golden_lib.sh"

# --- early stopping: the best epoch, not the last --------------------------
# Stops at epoch 9 with its best val_loss at epoch 7 (sgd at 0.5 is noisy).
cat >"$tmp/es.lr" <<'EOF'
seed 3
dataset d = moons(n=200, noise=0.3) validation=0.3 test=0.2
model dense(32, activation=relu) -> dense(2, activation=softmax)
loss categorical_crossentropy
optimizer sgd lr=0.5
train epochs=40 metrics=[accuracy] early_stop=patience(2)
evaluate on=d.test metrics=[accuracy]
EOF
"$LRC" "$tmp/es.lr" --out "$tmp/es" >/dev/null 2>&1
check "early stop: run.json's best_epoch is metrics.csv's marked row, the lowest val_loss, not the last" $PY -c "
import csv, json
rows = list(csv.DictReader(open('$tmp/es/metrics.csv')))
r = json.load(open('$tmp/es/run.json'))
best = min(rows, key=lambda row: float(row['val_loss']))
assert [row['best'] for row in rows].count('1') == 1, [row['best'] for row in rows]
marked = [row for row in rows if row['best'] == '1'][0]
assert marked is best and int(best['epoch']) == r['best_epoch'] < r['epochs_run'] == len(rows), (r['best_epoch'], r['epochs_run'])
assert r['best'] == r['final'], (r['best'], r['final'])
assert r['final']['val_loss'] == float(best['val_loss']) and r['final']['loss'] == float(best['loss'])
"
# The saved model, loaded and measured again (lr=0 leaves it as it is).
sed -e 's/^optimizer .*/load "es\/model.safetensors"\noptimizer sgd lr=0/' \
    -e 's/^train .*/train epochs=1/' -e 's/^evaluate .*/evaluate on=d.validation metrics=[accuracy]/' \
    "$tmp/es.lr" >"$tmp/load.lr"
"$LRC" "$tmp/load.lr" >"$tmp/load.out" 2>&1
check "early stop: run.json's final is what the saved model measures" $PY -c "
import json
r = json.load(open('$tmp/es/run.json'))
words = [l for l in open('$tmp/load.out') if l.startswith('evaluate')][0].split()
assert float(words[3]) == round(r['final']['val_loss'], 6), (words, r['final'])
assert float(words[5]) == round(r['final']['val_accuracy'], 6), (words, r['final'])
"
sed 's/patience(2)/patience(2, restore_best=false)/' "$tmp/es.lr" >"$tmp/last.lr"
"$LRC" "$tmp/last.lr" --out "$tmp/last" >/dev/null 2>&1
check "early stop: without restore_best, final is the last epoch and best the best" $PY -c "
import csv, json
rows = list(csv.DictReader(open('$tmp/last/metrics.csv')))
r = json.load(open('$tmp/last/run.json'))
assert r['final']['val_loss'] == float(rows[-1]['val_loss']) != r['best']['val_loss']
assert r['best']['val_loss'] == float(rows[r['best_epoch'] - 1]['val_loss'])
"

# --- a sweep ranks on the models it made ------------------------------------
sed -e 's/lr=0.5/lr=rate/' -e '1a let rate = sweep(0.5, 0.05)' "$tmp/es.lr" >"$tmp/sw.lr"
"$LRC" "$tmp/sw.lr" -j 2 --out "$tmp/sw" >"$tmp/sw.table" 2>"$tmp/sw.err"
check "sweep: sweep.csv has each run's final (restored) numbers and its evaluate results" $PY -c "
import csv, json
rows = list(csv.DictReader(open('$tmp/sw/sweep.csv')))
assert len(rows) == 2, rows
for row in rows:
    d = '$tmp/sw/run-%03d/' % int(row['run'])
    epochs = list(csv.DictReader(open(d + 'metrics.csv')))
    best = [e for e in epochs if e['best'] == '1'][0]
    assert row['val_loss'] == best['val_loss'], (row, best)
    ev = json.load(open(d + 'run.json'))['evaluate'][0]
    assert float(row['d.test:loss']) == ev['loss'] and float(row['d.test:accuracy']) == ev['accuracy']
"
check "sweep: the table's header carries the evaluate columns" grep -Eq '^run +rate +loss +val_loss +accuracy +val_accuracy +d.test:loss +d.test:accuracy$' "$tmp/sw.table"
check "sweep: a line on stderr per finished run, with its values, val_loss and how many are left" \
    sh -c "grep -Eq '^lrc: run 1/2 \\(rate=0\\.5\\): val_loss 0\\.[0-9]{6} in [0-9]+\\.[0-9] s; [01] left\$' '$tmp/sw.err' &&
           grep -Eq '^lrc: run 2/2 \\(rate=0\\.05\\): val_loss 0\\.[0-9]{6} in [0-9]+\\.[0-9] s; [01] left\$' '$tmp/sw.err' &&
           grep -q '; 0 left\$' '$tmp/sw.err'"

# --- Ctrl-C in a sweep -------------------------------------------------------
# Run 1 ends at once, run 2 would train for hours, run 3 never starts.
cat >"$tmp/int.lr" <<'EOF'
seed 1
let n = sweep(1, 100000, 2)
dataset d = linear(n=200, features=2, noise=0.1)
model dense(1)
loss mse
optimizer sgd lr=0.05
train epochs=n
EOF
"$LRC" "$tmp/int.lr" --out "$tmp/int" >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
waited=0
until grep -q '^lrc: run 1/3' "$tmp/int.err" || [ $waited -ge 100 ]; do sleep 0.1; waited=$((waited + 1)); done
sleep 0.5
kill -INT $pid
wait $pid
st=$?
if [ $st -eq 130 ] && grep -q '^lrc: run 2/3 (n=100000): interrupted in' "$tmp/int.err" &&
    grep -q '^lrc: sweep interrupted: 1 of 3 runs finished; to continue, run:$' "$tmp/int.err"; then
    ok "sweep: Ctrl-C stops the runs, exits 130 and says so"
else notok "sweep: Ctrl-C stops the runs, exits 130 and says so" "exit $st: $(cat "$tmp/int.err")"; fi
if grep -qx "lrc:   lrc --resume $tmp/int/run-002" "$tmp/int.err" && [ -f "$tmp/int/run-002/checkpoint.safetensors" ]; then
    ok "sweep: the interrupted run checkpointed and is continued with --resume"
else notok "sweep: the interrupted run checkpointed and is continued with --resume" "$(ls "$tmp/int/run-002"; cat "$tmp/int.err")"; fi
# The command printed for the run that never started, run as printed.
cmd=$(sed -n "s|^lrc:   lrc \(.*--out $tmp/int/run-003\)$|\1|p" "$tmp/int.err")
eval "set -- $cmd"
"$LRC" "$@" >/dev/null 2>&1
check "sweep: the command printed for a run not started makes that run" $PY -c "
import json
r = json.load(open('$tmp/int/run-003/run.json'))
assert r['epochs_run'] == 2, r['epochs_run']
assert '$cmd'.startswith('$tmp/int.lr --set n=2 '), '$cmd'
"

# --- minimize names its formula; no -0 -------------------------------------
# cost(x) = (x - 0.64)^2 from 0 at lr 0.25: x <- x - 0.5 (x - 0.64), so
# x1 = 0.32, x2 = 0.48, x3 = 0.56 and cost = 0.08^2 = 0.0064.
cat >"$tmp/min.lr" <<'EOF'
let cost(x) = (x - 0.64)^2
minimize cost(x) from x=0 lr=0.25 steps=3
minimize (x^2 +
   1) from x=-1 lr=0.5 steps=1
minimize x^2 + y^2 from x=-1, y=0 lr=0.5 steps=1 trace=true
minimize x^3 from x=-0.0000001 steps=1
EOF
"$LRC" "$tmp/min.lr" >"$tmp/min.out" 2>"$tmp/min.err"
cat >"$tmp/min.want" <<'EOF'
x 0.560000 cost(x) 0.006400
x 0.000000 (x^2 + 1) 1.000000
step  x        y        lr    x^2 + y^2  d/dx     d/dy     next_x   next_y
0     -1.0000  0.0000   0.5   1.0000  -2.0000  0.0000   0.0000   0.0000
x 0.000000 x^3 0.000000
EOF
check "minimize: the output names the let function or the formula, and prints -0 as 0" \
    diff "$tmp/min.want" "$tmp/min.out"

# --- schedules: epochs=, and the warning when one ends before training ---
# 100 rows, 20 held out, batches of 16: 5 updates an epoch, so epochs=3 is
# 15 steps; the lr column is the rate of each epoch's last update (step
# 5e - 1), by Keras's PolynomialDecay formula.
cat >"$tmp/poly.lr" <<'EOF'
seed 1
dataset d = linear(n=100, features=2) validation=0.2
model dense(1)
loss mse
optimizer sgd lr=polynomial(0.1, epochs=3, end=0.001)
train epochs=5 batch=16
EOF
"$LRC" "$tmp/poly.lr" --out "$tmp/poly" >/dev/null 2>"$tmp/poly.err"
check "schedule: epochs= decays over that many epochs of updates" $PY -c "
import csv
rows = list(csv.DictReader(open('$tmp/poly/metrics.csv')))
for row in rows:
    step = 5 * int(row['epoch']) - 1
    want = (0.1 - 0.001) * (1 - min(step, 15) / 15) + 0.001
    assert abs(float(row['lr']) - want) < 1e-12, (row['epoch'], row['lr'], want)
"
check "schedule: a run warns when the decay ends before training does" grep -qx \
    "$tmp/poly.lr:5:18: warning: polynomial decays over 3 epochs = 15 steps but training runs 25 (epochs 5 x 5 steps)" "$tmp/poly.err"
# A CSV file's rows are counted when the run reads it: the warning comes then.
cp examples/data/iris.csv "$tmp/iris.csv"
cat >"$tmp/iris.lr" <<'EOF'
seed 7
dataset iris = csv("iris.csv", label="species") test=0.2
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=cosine(0.05, epochs=2)
train epochs=4 batch=16
EOF
"$LRC" check "$tmp/iris.lr" >/dev/null 2>"$tmp/iris.check"
st_check=$?
"$LRC" "$tmp/iris.lr" >/dev/null 2>"$tmp/iris.err"
st=$?
if [ $st_check -eq 0 ] && [ ! -s "$tmp/iris.check" ] && [ $st -eq 0 ] &&
    grep -qx "$tmp/iris.lr:5:19: warning: cosine decays over 2 epochs = 16 steps but training runs 32 (epochs 4 x 8 steps)" "$tmp/iris.err"; then
    ok "schedule: with CSV data the run warns once it knows the steps of an epoch"
else notok "schedule: with CSV data the run warns once it knows the steps of an epoch" "check $st_check, run $st: $(cat "$tmp/iris.check" "$tmp/iris.err")"; fi
