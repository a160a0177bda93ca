#!/bin/sh
# Run directories that cost little: checkpoints at most every
# --checkpoint-every (and at the end and on a signal), metrics.csv a row per
# epoch; resuming from whichever checkpoint is there ends exactly as a run
# never interrupted. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
# metrics.csv without its seconds column (the one column that may differ).
rows() { sed 's/,[^,]*$//' "$1"; }
# epochs DIR: the epochs the checkpoint in DIR holds (its history's rows),
# read from the safetensors header.
epochs() {
    $PY -c "
import json, struct, sys
f = open(sys.argv[1], 'rb')
n = struct.unpack('<Q', f.read(8))[0]
h = json.loads(f.read(n))
print(h['train/history']['shape'][0] if 'train/history' in h else 0)" "$1/checkpoint.safetensors"
}

cat >"$tmp/short.lr" <<'LR'
seed 11
dataset d = blobs(n=600, features=6, classes=3, spread=1) validation=0.2
model dense(16, activation=tanh) -> dropout(0.1) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.003
train epochs=9 batch=16 metrics=[accuracy]
LR
# 30 steps an epoch, 270 in all.
"$LRC" --quiet --out "$tmp/whole" "$tmp/short.lr" >"$tmp/whole.out" 2>"$tmp/err" ||
    notok "reference run" "$(head -3 "$tmp/err")"
rows "$tmp/whole/metrics.csv" >"$tmp/whole.rows"

# --- exact resume at each checkpoint setting -------------------------------
# Halted mid-epoch, at an epoch's last step, at the first step and late:
# the resumed run's weights, stdout and metrics.csv rows are the
# uninterrupted run's.
for every in 1epoch 3epochs 60s; do
    bad=""
    for at in 1 30 44 95 269; do
        rm -rf "$tmp/part"
        "$LRC" --quiet --checkpoint-every $every --out "$tmp/part" --halt-after $at \
            "$tmp/short.lr" >/dev/null 2>&1
        st=$?
        "$LRC" --quiet --checkpoint-every $every --resume "$tmp/part" >"$tmp/part.out" 2>"$tmp/err"
        rows "$tmp/part/metrics.csv" >"$tmp/part.rows"
        if [ $st -ne 130 ]; then bad="$bad; halt at $at exit $st"
        elif ! cmp -s "$tmp/whole/model.safetensors" "$tmp/part/model.safetensors"; then bad="$bad; $at: weights differ"
        elif ! cmp -s "$tmp/whole.out" "$tmp/part.out"; then bad="$bad; $at: stdout differs"
        elif ! cmp -s "$tmp/whole.rows" "$tmp/part.rows"; then bad="$bad; $at: metrics.csv differs"
        fi
    done
    [ -z "$bad" ] && ok "resume is exact with --checkpoint-every $every" ||
        notok "resume is exact with --checkpoint-every $every" "${bad#; }"
done

# --- the checkpoint policy ---------------------------------------------------
# A run long enough to be caught between checkpoints: SIGKILL leaves the
# last checkpoint, and metrics.csv rows beyond it (written, not synced).
cat >"$tmp/long.lr" <<'LR'
seed 5
dataset d = blobs(n=100000, features=20, classes=4, spread=8) validation=0.1
model dense(128, activation=relu) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer sgd lr=0.002 momentum=0.9
train epochs=30 batch=8 metrics=[accuracy]
LR
"$LRC" --quiet --threads 1 --out "$tmp/long-whole" "$tmp/long.lr" >"$tmp/long.out" 2>"$tmp/err" ||
    notok "long reference run" "$(head -3 "$tmp/err")"
rows "$tmp/long-whole/metrics.csv" >"$tmp/long.rows"
# run_until DIR ROWS ARGS...: starts a run, SIGKILLs it once metrics.csv
# has ROWS lines (header included).
run_until() {
    dir=$1 want=$2
    shift 2
    "$LRC" --quiet --threads 1 --out "$dir" "$@" "$tmp/long.lr" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 600); do
        [ -f "$dir/metrics.csv" ] && [ "$(wc -l <"$dir/metrics.csv")" -ge "$want" ] && break
        sleep 0.02
    done
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
}
run_until "$tmp/killed" 8 --checkpoint-every 3epochs
have=$(epochs "$tmp/killed")
lines=$(wc -l <"$tmp/killed/metrics.csv")
if [ $((have % 3)) -eq 0 ] && [ "$have" -ge 3 ] && [ "$lines" -gt "$have" ]; then
    ok "--checkpoint-every 3epochs checkpoints every third epoch, metrics.csv every epoch"
else notok "--checkpoint-every 3epochs checkpoints every third epoch, metrics.csv every epoch" \
    "checkpoint at epoch $have, metrics.csv $lines lines"; fi
# Resuming re-runs the epochs after the checkpoint: the same weights,
# stdout and rows (metrics.csv cut back to the checkpoint, not repeated).
"$LRC" --quiet --threads 1 --resume "$tmp/killed" >"$tmp/killed.out" 2>"$tmp/err"
st=$?
rows "$tmp/killed/metrics.csv" >"$tmp/killed.rows"
if [ $st -eq 0 ] && cmp -s "$tmp/long-whole/model.safetensors" "$tmp/killed/model.safetensors" &&
    cmp -s "$tmp/long.out" "$tmp/killed.out" && cmp -s "$tmp/long.rows" "$tmp/killed.rows"; then
    ok "resume after the last checkpoint re-runs the epochs since, exactly"
else notok "resume after the last checkpoint re-runs the epochs since, exactly" \
    "exit $st: $(head -2 "$tmp/err") $(diff "$tmp/long.rows" "$tmp/killed.rows" | head -3 | tr '\n' ' ')"; fi
# By default a checkpoint waits for 60 seconds of training: none in the
# first epochs, while metrics.csv grows.
run_until "$tmp/early" 4
if [ ! -e "$tmp/early/checkpoint.safetensors" ] && [ "$(wc -l <"$tmp/early/metrics.csv")" -ge 4 ]; then
    ok "the default writes no checkpoint before 60 seconds of training"
else notok "the default writes no checkpoint before 60 seconds of training" \
    "$(ls "$tmp/early" | tr '\n' ' ')"; fi
# A time-based interval: a checkpoint well before the end (an epoch here
# takes tens of milliseconds; 30 of them, more than a second).
"$LRC" --quiet --threads 1 --checkpoint-every 1s --out "$tmp/timed" "$tmp/long.lr" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
    [ -f "$tmp/timed/checkpoint.safetensors" ] && break
    sleep 0.02
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
have=$(epochs "$tmp/timed")
[ "$have" -ge 1 ] && [ "$have" -lt 30 ] && ok "--checkpoint-every 1s checkpoints during the run" ||
    notok "--checkpoint-every 1s checkpoints during the run" "checkpoint at epoch $have"
# The end always has one, at the last epoch.
[ "$(epochs "$tmp/long-whole")" -eq 30 ] && ok "a finished run's checkpoint is its last epoch" ||
    notok "a finished run's checkpoint is its last epoch" "epoch $(epochs "$tmp/long-whole")"

for v in 0s 5 5x epochs 3e 1.5s -1s ''; do
    "$LRC" --checkpoint-every "$v" "$tmp/short.lr" >/dev/null 2>"$tmp/err"
    st=$?
    if [ $st -ne 2 ] || ! grep -q "^lrc: error: --checkpoint-every needs N epochs or N seconds from 1 to 10^9, e.g. '5epochs' or '30s', not '$v'\$" "$tmp/err"; then
        notok "--checkpoint-every refuses '$v'" "exit $st: $(head -1 "$tmp/err")"
        continue
    fi
    ok "--checkpoint-every refuses '$v'"
done

# A run that diverges between checkpoints keeps the rows of the epochs
# that ended, though they came faster than metrics.csv is written.
printf 'dataset d = linear(n=100, features=2, high=10)\nmodel dense(1)\nloss mse\noptimizer sgd lr=piecewise(boundaries=[45], values=[0.001, 100])\ntrain epochs=30 batch=10\n' >"$tmp/div.lr"
"$LRC" --quiet --out "$tmp/div" "$tmp/div.lr" >/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 1 ] && grep -q "diverged at epoch 6 " "$tmp/err" && [ "$(wc -l <"$tmp/div/metrics.csv")" -eq 6 ] &&
    [ ! -e "$tmp/div/checkpoint.safetensors" ]; then ok "a diverged run keeps metrics.csv's rows"
else notok "a diverged run keeps metrics.csv's rows" "exit $st, $(wc -l <"$tmp/div/metrics.csv") lines: $(head -1 "$tmp/err")"; fi

# --- a run directory that holds a run ----------------------------------------
sums() { (cd "$1" && sha256sum run.json checkpoint.safetensors metrics.csv model.safetensors); }
sums "$tmp/whole" >"$tmp/before"
expect_exact "--out refuses a directory that holds a run" 2 \
    "lrc: error: '$tmp/whole' already holds a run (run.json): continue it with --resume $tmp/whole, or replace it with --force\n" \
    "$LRC" --quiet --out "$tmp/whole" "$tmp/short.lr"
sums "$tmp/whole" >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && ok "a refused --out leaves the run as it was" ||
    notok "a refused --out leaves the run as it was" "$(diff "$tmp/before" "$tmp/after" | head -2)"
rm -rf "$tmp/halted"
"$LRC" --quiet --out "$tmp/halted" --halt-after 40 "$tmp/short.lr" >/dev/null 2>&1
expect_exact "--out refuses a halted run's directory" 2 \
    "lrc: error: '$tmp/halted' already holds a run (checkpoint.safetensors): continue it with --resume $tmp/halted, or replace it with --force\n" \
    "$LRC" --quiet --out "$tmp/halted" "$tmp/short.lr"
# --force: lrc's files are replaced, the rest kept; the run is a new one.
echo notes >"$tmp/halted/notes.txt"
"$LRC" --quiet --force --out "$tmp/halted" "$tmp/short.lr" >"$tmp/forced.out" 2>"$tmp/err"
st=$?
rows "$tmp/halted/metrics.csv" >"$tmp/forced.rows"
if [ $st -eq 0 ] && cmp -s "$tmp/whole.out" "$tmp/forced.out" && cmp -s "$tmp/whole.rows" "$tmp/forced.rows" &&
    cmp -s "$tmp/whole/model.safetensors" "$tmp/halted/model.safetensors" &&
    [ "$(cat "$tmp/halted/notes.txt")" = notes ]; then ok "--force replaces the run and keeps other files"
else notok "--force replaces the run and keeps other files" "exit $st: $(head -2 "$tmp/err")"; fi
expect "--force is not for --resume" 2 \
    "^lrc: error: --force is for --out DIR: --resume continues the run that DIR holds\$" \
    "$LRC" --quiet --force --resume "$tmp/whole"
# A sweep's directory: refused, then replaced with --force, run by run.
sed 's/optimizer adam lr=0.003/let rate = sweep(0.003, 0.01)\noptimizer adam lr=rate/' "$tmp/short.lr" >"$tmp/sweep.lr"
"$LRC" --quiet --out "$tmp/sweep" "$tmp/sweep.lr" >"$tmp/sweep.out" 2>"$tmp/err" ||
    notok "sweep reference" "$(head -2 "$tmp/err")"
expect_exact "--out refuses a sweep's directory" 2 \
    "lrc: error: '$tmp/sweep' already holds a sweep (sweep.csv): continue an interrupted run of it with --resume $tmp/sweep/run-NNN, or replace it with --force\n" \
    "$LRC" --quiet --out "$tmp/sweep" "$tmp/sweep.lr"
cp "$tmp/sweep/sweep.csv" "$tmp/sweep.csv"
"$LRC" --quiet --force --out "$tmp/sweep" "$tmp/sweep.lr" >"$tmp/sweep2.out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/sweep.out" "$tmp/sweep2.out" && cmp -s "$tmp/sweep.csv" "$tmp/sweep/sweep.csv"; then
    ok "--force replaces a sweep, each of its runs too"
else notok "--force replaces a sweep, each of its runs too" "exit $st: $(head -2 "$tmp/err") $(head -3 "$tmp/sweep/run-001/stderr.txt")"; fi

# --- a resumed run is the run it was -------------------------------------------
expect "--resume refuses --set, pointing at load" 2 \
    "^lrc: error: --resume takes no --set: a resumed run is the run it was, with the values its checkpoint holds; to train on from its weights in a new run, write load \"$tmp/halted/checkpoint.safetensors\" in the experiment\$" \
    "$LRC" --quiet --resume "$tmp/halted" --set rate=0.1
# What the message says works: a new run from a checkpoint's weights.
rm -rf "$tmp/part"
"$LRC" --quiet --out "$tmp/part" --halt-after 40 "$tmp/short.lr" >/dev/null 2>&1
sed 's|^train|load "part/checkpoint.safetensors"\ntrain|' "$tmp/short.lr" >"$tmp/tune.lr"
"$LRC" --quiet "$tmp/tune.lr" >"$tmp/tune.out" 2>"$tmp/err"
st=$?
# Its first epoch starts from the checkpoint's weights: not the fresh run's.
if [ $st -eq 0 ] && [ "$(head -1 "$tmp/tune.out")" != "$(head -1 "$tmp/whole.out")" ]; then
    ok "load of a checkpoint starts a new run from its weights"
else notok "load of a checkpoint starts a new run from its weights" "exit $st: $(head -2 "$tmp/err")"; fi

# --- minimize with --out -------------------------------------------------------
# A file of minimize statements only: each one's trace in trace-N.csv, and
# run.json with the experiment, its SHA-256 and each last point; checked
# against the same descent in Python (float32 variables, as lrc keeps them).
cat >"$tmp/min.lr" <<'LR'
minimize (x - 3)^2 + 2 * (y + 1)^2 from x=0, y=0 lr=0.1 steps=7
minimize cosh(z) from z=1 lr=0.3 steps=4 trace=true
LR
"$LRC" --quiet --out "$tmp/min" "$tmp/min.lr" >"$tmp/min.out" 2>"$tmp/err"
st=$?
check "minimize writes its traces and run.json" $PY -c "
import csv, hashlib, json, math, struct, sys
if $st != 0: sys.exit('exit $st: ' + open('$tmp/err').read())
f32 = lambda v: struct.unpack('f', struct.pack('f', v))[0]
def descend(f, grad, start, lr, steps):
    x, rows = [f32(v) for v in start], []
    for step in range(steps + 1):
        g = grad(x)
        rows.append([step] + x + [f(x)] + g + ([lr] if step < steps else []))
        x = [f32(xi - f32(lr * gi)) for xi, gi in zip(x, g)]
    return rows
want = [descend(lambda p: (p[0] - 3) ** 2 + 2 * (p[1] + 1) ** 2,
                lambda p: [2 * (p[0] - 3), 4 * (p[1] + 1)], [0, 0], 0.1, 7),
        descend(lambda p: math.cosh(p[0]), lambda p: [math.sinh(p[0])], [1], 0.3, 4)]
heads = ['step,x,y,f,df/dx,df/dy,lr', 'step,z,f,df/dz,lr']
for n, (rows, head) in enumerate(zip(want, heads), 1):
    lines = open('$tmp/min/trace-%d.csv' % n).read().splitlines()
    assert lines[0] == head, lines[0]
    got = [[float(v) for v in l.split(',') if v != ''] for l in lines[1:]]
    assert len(got) == len(rows), (n, len(got))
    for g, w in zip(got, rows):
        assert len(g) == len(w) and all(abs(a - b) <= 1e-6 * max(1, abs(b)) for a, b in zip(g, w)), (n, g, w)
run = json.load(open('$tmp/min/run.json'))
assert hashlib.sha256(run['experiment'].encode()).hexdigest() == run['experiment_sha256']
assert [m['trace'] for m in run['minimize']] == ['trace-1.csv', 'trace-2.csv']
assert [m['steps'] for m in run['minimize']] == [7, 4]
last = want[0][-1]
assert abs(run['minimize'][0]['point']['x'] - last[1]) < 1e-9 and abs(run['minimize'][0]['point']['y'] - last[2]) < 1e-9
assert abs(run['minimize'][0]['f'] - last[3]) < 1e-9, run['minimize'][0]
assert abs(run['minimize'][1]['point']['z'] - want[1][-1][1]) < 1e-9
"
# stdout is what it is without --out.
"$LRC" --quiet "$tmp/min.lr" >"$tmp/min.plain" 2>/dev/null
cmp -s "$tmp/min.out" "$tmp/min.plain" && ok "minimize's stdout is the same with --out" ||
    notok "minimize's stdout is the same with --out" "$(diff "$tmp/min.out" "$tmp/min.plain" | head -3)"
expect "a minimize run directory is refused too" 2 "already holds a run \(run.json\)" \
    "$LRC" --quiet --out "$tmp/min" "$tmp/min.lr"
# --force removes the traces as well: one minimize leaves no trace-2.csv.
sed -n 1p "$tmp/min.lr" >"$tmp/min1.lr"
"$LRC" --quiet --force --out "$tmp/min" "$tmp/min1.lr" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ -f "$tmp/min/trace-1.csv" ] && [ ! -e "$tmp/min/trace-2.csv" ] &&
    ok "--force removes earlier traces" || notok "--force removes earlier traces" "$(ls "$tmp/min" | tr '\n' ' ')"

# A sweep's directory is continued run by run: both refusals say so.
printf 'seed 1\nlet rate = sweep(0.1, 0.2)\ndataset d = linear(n=50, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd lr=rate\ntrain epochs=2\n' >"$tmp/sw2.lr"
"$LRC" --quiet "$tmp/sw2.lr" --out "$tmp/sw2" >/dev/null 2>&1
expect "--out on a sweep's directory names its runs" 2 \
    "'.*sw2' already holds a sweep \(sweep.csv\): continue an interrupted run of it with --resume .*sw2/run-NNN, or replace it with --force" \
    "$LRC" --quiet "$tmp/sw2.lr" --out "$tmp/sw2"
expect "--resume of a sweep's directory names its runs" 2 \
    "cannot resume: '.*sw2' holds a sweep; continue an interrupted run of it with --resume .*sw2/run-NNN" \
    "$LRC" --resume "$tmp/sw2"
