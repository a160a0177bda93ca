#!/bin/sh
# Hardening (issue 15): memory limits around OpenBLAS, signals that always
# end a run, outputs that survive a failed write, the plan's memory with
# the data's width, files that are not regular files, bad numbers in
# loaded weights, divergence while measuring, and one exit status for bad
# data. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
sanitized() { grep -q __asan_init "$LRC"; }
now_ms() { date +%s%3N; }

# --- memory limits and OpenBLAS --------------------------------------------
# The smallest product that goes to BLAS: 33 rows x 2 features x 1 unit is
# past BLAS_TINY_GEMM (64). OpenBLAS then wants a 128 MiB buffer per thread
# and, refused one, retried forever.
printf 'dataset d = linear(n=100, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1 batch=33\n' >"$tmp/tiny.lr"
if sanitized; then
    ok "# skip under a memory limit: sanitizers reserve terabytes of address space"
else
    (ulimit -v 120000; timeout -k 5 10 "$LRC" --threads 1 "$tmp/tiny.lr") >/dev/null 2>"$tmp/err"
    st=$?
    [ $st -eq 1 ] && grep -q "tiny.lr:5:1: error: OpenBLAS needs 128 MiB of memory for 1 thread .*address-space limit (ulimit -v) of 120000 KiB" "$tmp/err" &&
        ok "a memory limit too low for OpenBLAS is an error, not a hang" ||
        notok "a memory limit too low for OpenBLAS is an error, not a hang" "exit $st: $(head -2 "$tmp/err")"
    # Larger products, past OpenBLAS's small-matrix kernels, are the ones
    # that map the buffer (tiny.lr itself ran before, by luck of the CPU).
    printf 'dataset d = linear(n=600, features=200)\nmodel dense(300) -> dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1 batch=300\n' >"$tmp/mid.lr"
    (ulimit -v 120000; timeout -k 5 10 "$LRC" --threads 1 "$tmp/mid.lr") >/dev/null 2>"$tmp/err"
    st=$?
    [ $st -eq 1 ] && grep -q "mid.lr:5:1: error: OpenBLAS needs 128 MiB" "$tmp/err" &&
        ok "a product that needs OpenBLAS's buffer under a low limit ends" ||
        notok "a product that needs OpenBLAS's buffer under a low limit ends" "exit $st: $(head -2 "$tmp/err")"
    (ulimit -v 300000; timeout -k 5 10 "$LRC" --threads 2 "$tmp/tiny.lr") >/dev/null 2>"$tmp/err"
    st=$?
    [ $st -eq 1 ] && grep -q "256 MiB of memory for 2 threads .*or use fewer --threads" "$tmp/err" &&
        ok "the figure counts a buffer per thread" ||
        notok "the figure counts a buffer per thread" "exit $st: $(head -2 "$tmp/err")"
    (ulimit -v 400000; timeout -k 5 10 "$LRC" --threads 1 "$tmp/tiny.lr") >/dev/null 2>"$tmp/err" &&
        ok "a limit with room for OpenBLAS runs" || notok "a limit with room for OpenBLAS runs" "$(head -2 "$tmp/err")"
fi

# A signal ends the run within a second even in the middle of a long step
# (here 3 s of products on one thread), under a tight limit as well.
printf 'dataset d = linear(n=4096, features=2048)\nmodel dense(4096) -> dense(1)\nloss mse\noptimizer sgd lr=0\ntrain epochs=3 batch=4096 shuffle=false\n' >"$tmp/slow.lr"
(
    if ! sanitized; then ulimit -v 1000000; fi
    exec "$LRC" --quiet --threads 1 --checkpoint-every 1epoch --out "$tmp/slow" "$tmp/slow.lr"
) >/dev/null 2>"$tmp/err" &
pid=$!
waited=0
while [ ! -f "$tmp/slow/checkpoint.safetensors" ] && [ $waited -lt 600 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
done
sleep 0.2 # into the second epoch's step
start=$(now_ms)
kill -TERM $pid 2>/dev/null
ended=0
while [ $(($(now_ms) - start)) -lt 5000 ]; do
    if ! kill -0 $pid 2>/dev/null; then ended=1; break; fi
    sleep 0.05
done
took=$(($(now_ms) - start))
[ $ended -eq 0 ] && kill -KILL $pid 2>/dev/null
wait $pid
st=$?
if [ $ended -eq 1 ] && [ $took -le 1300 ] && [ $st -eq 143 ] && ! ls -a "$tmp/slow" | grep -q '\.tmp\.'; then
    ok "SIGTERM in a long step ends the run within a second"
else notok "SIGTERM in a long step ends the run within a second" "exit $st after $took ms: $(head -2 "$tmp/err")"; fi

# --- outputs after training ------------------------------------------------
cd "$tmp" || exit 1
printf 'dataset d = moons(100)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain epochs=2\nsave "run/sub/dir/m.safetensors"\n' >save.lr
expect "save creates its directories" 0 "" "$LRC" --quiet --out run save.lr
[ -s run/sub/dir/m.safetensors ] && cmp -s run/sub/dir/m.safetensors run/model.safetensors &&
    ok "the saved model is the run's model" || notok "the saved model is the run's model" "$(ls -R run)"
printf 'dataset d = moons(100)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain epochs=2\nsave "new/sub/m.safetensors"\n' >save_here.lr
expect "save creates its directories below the current one" 0 "" "$LRC" --quiet save_here.lr
[ -s new/sub/m.safetensors ] && ok "saved below new directories" || notok "saved below new directories" "$(ls -R new)"
# A write that fails after training: the target is a directory.
rm -rf run && mkdir -p run/sub/dir/m.safetensors
expect "a save that fails after training is an error" 1 "save.lr:6:6: error: cannot write 'run/sub/dir/m.safetensors': Is a directory" \
    "$LRC" --quiet --out run save.lr
$PY -c "
import json, sys
r = json.load(open('run/run.json'))
sys.exit(not (r['error'] == \"cannot write 'run/sub/dir/m.safetensors': Is a directory\" and r['epochs_run'] == 2
              and len(r['weights_sha256']) == 64))" && [ -s run/checkpoint.safetensors ] && [ -s run/model.safetensors ] &&
    ok "the run directory keeps the training and says what failed" ||
    notok "the run directory keeps the training and says what failed" "$(ls run; cat run/run.json 2>&1 | tail -4)"
rm -rf run && mkdir -p run/model.safetensors
expect "a model that cannot be written is an error" 1 "cannot write 'run/model.safetensors': Is a directory" \
    "$LRC" --quiet --out run save.lr
$PY -c "
import json, sys
r = json.load(open('run/run.json'))
sys.exit(not (r['error'] == \"cannot write 'run/model.safetensors': Is a directory\" and r['weights_sha256'] is None))" &&
    [ -s run/sub/dir/m.safetensors ] && [ -s run/checkpoint.safetensors ] &&
    ok "run.json records a model that could not be written" ||
    notok "run.json records a model that could not be written" "$(ls run; tail -4 run/run.json 2>&1)"
cd - >/dev/null || exit 1

# --- the plan's memory, data included -----------------------------------------
# A model is as wide as its data: the CSV header's 100000 columns make
# dense(16777216) need 100001 x 16777216 x 20 bytes and more.
$PY -c "
print(','.join('c%d' % i for i in range(100000)) + ',y')
print(','.join(['1'] * 100001))" >"$tmp/wide.csv"
printf 'dataset d = csv("wide.csv", label="y")\nmodel dense(16777216) -> dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/wide.lr"
expect "check sizes the model by the CSV header" 2 "wide.lr:1:1: error: the experiment needs 33555[0-9]{9} bytes of memory but this machine has" \
    "$LRC" check "$tmp/wide.lr"
expect "a run refuses it before loading the data" 2 "wide.lr:1:1: error: the experiment needs 33555[0-9]{9} bytes" \
    "$LRC" --quiet "$tmp/wide.lr"
printf 'dataset d = blobs(n=10, features=16777216, classes=16777216)\nmodel dense(16777216)\nloss categorical_crossentropy\noptimizer sgd\ntrain\n' >"$tmp/blobs.lr"
expect "check counts the blobs centres" 2 "blobs.lr:1:1: error: the experiment needs 2251800[0-9]{9} bytes of memory" \
    "$LRC" check "$tmp/blobs.lr"
printf 'dataset small = moons(10)\ndataset d = blobs(n=10, features=16777216, classes=16777216)\nmodel dense(2)\nloss categorical_crossentropy\noptimizer sgd\ntrain on=small\n' >"$tmp/blobs2.lr"
expect "a data set too large by itself is named" 2 "blobs2.lr:2:1: error: the experiment needs" "$LRC" check "$tmp/blobs2.lr"

# --- files that are not regular files ---------------------------------------------
# A FIFO would block the open (no writer) or the reads, a device never
# ends, a directory has nothing to read: each is refused by name, at once.
mkdir -p "$tmp/nr" && cd "$tmp/nr" || exit 1
mkfifo ff.csv ff.lr ff.safetensors
mkdir dir.csv
cp "$OLDPWD/examples/data/iris.csv" iris.csv 2>/dev/null
base='model dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain epochs=1\n'
for cmd in check run; do
    c=$cmd; [ $cmd = run ] && c=--quiet
    printf 'dataset d = csv("ff.csv", label="species")\n'"$base" >fifo_csv.lr
    expect "$cmd: a FIFO as a CSV file is refused" 2 "fifo_csv.lr:1:17: error: cannot read data file 'ff.csv': it is a FIFO, not a regular file" \
        timeout -k 2 5 "$LRC" $c fifo_csv.lr
    printf 'dataset d = csv("/dev/zero", label="species")\n'"$base" >zero.lr
    expect "$cmd: a device as a CSV file is refused" 2 "cannot read data file '/dev/zero': it is a character device, not a regular file" \
        timeout -k 2 5 "$LRC" $c --allow-read /dev zero.lr
    printf 'dataset d = csv("dir.csv", label="species")\n'"$base" >dir.lr
    expect "$cmd: a directory as a CSV file is refused" 2 "cannot read data file 'dir.csv': it is a directory, not a regular file" \
        timeout -k 2 5 "$LRC" $c dir.lr
    printf 'use "ff.lr"\n' >fifo_use.lr
    expect "$cmd: a FIFO as a module is refused" 2 "cannot read 'ff.lr': it is a FIFO, not a regular file|ff.lr': it is a FIFO" \
        timeout -k 2 5 "$LRC" $c fifo_use.lr
done
printf 'dataset d = csv("iris.csv", label="species")\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\nload "ff.safetensors"\ntrain epochs=1\n' >fifo_load.lr
expect "a FIFO as a weights file is refused" 1 "cannot read 'ff.safetensors': it is a FIFO, not a regular file" \
    timeout -k 2 5 "$LRC" --quiet fifo_load.lr
mkdir -p fiforun && mkfifo fiforun/checkpoint.safetensors
expect "a FIFO as a checkpoint is refused" 1 "checkpoint.safetensors': it is a FIFO, not a regular file" \
    timeout -k 2 5 "$LRC" --quiet --resume fiforun
cd "$OLDPWD" || exit 1

# --- loaded weights must be numbers ------------------------------------------
# The same convention as a damaged checkpoint or weights of the wrong
# shape (faults.sh): a loaded file whose content is bad is a failed run,
# status 1, found before the first step and named by tensor.
cd "$tmp" || exit 1
for bad in nan inf -inf; do
    $PY -c "
import json, struct, sys
vals = {'dense/kernel': ([2, 1], [0.5, 0.25]), 'dense/bias': ([1], [float('$bad')])}
header, data = {}, b''
for name, (shape, v) in vals.items():
    b = struct.pack('<%df' % len(v), *v)
    header[name] = {'dtype': 'F32', 'shape': shape, 'data_offsets': [len(data), len(data) + len(b)]}
    data += b
h = json.dumps(header).encode()
sys.stdout.buffer.write(struct.pack('<Q', len(h)) + h + data)" >w_$bad.safetensors
    printf 'dataset d = linear(n=20, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd\nload "w_%s.safetensors"\ntrain epochs=1\n' $bad >load_$bad.lr
    expect "weights holding $bad are refused at load, by tensor" 1 \
        "load_$bad.lr:5:6: error: 'w_$bad.safetensors': tensor 'dense/bias' holds $bad at index 0, not a finite number" \
        "$LRC" --quiet load_$bad.lr
done
grep -q "diverged" "$tmp/err" && notok "no divergence is reported for bad weights" "$(cat "$tmp/err")" ||
    ok "no divergence is reported for bad weights"
cd "$OLDPWD" || exit 1

# --- divergence found by the epoch's measurement -----------------------------------
# Steps 1-11 are finite; step 12, the epoch's last, takes lr=1e30, so only
# the measurement after it sees inf. It is named, not called "step 13".
printf 'dataset d = linear(n=12, features=2, high=10)\nmodel dense(1)\nloss mse\noptimizer sgd lr=piecewise(boundaries=[9], values=[0.001, 1e30])\ntrain epochs=2 batch=1 shuffle=false\n' >"$tmp/meas.lr"
expect "divergence while measuring is named as such" 1 \
    "meas.lr:5:1: error: training diverged while measuring epoch 1, after step 12 \(loss=inf, lr=1e\+30\)" "$LRC" --quiet "$tmp/meas.lr"

# --- one exit status for data that cannot be read ------------------------------------
printf 'dataset d = csv("absent.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >"$tmp/absent.lr"
expect "check: a missing CSV file is status 2" 2 "absent.lr:1:17: error: cannot read data file 'absent.csv': No such file or directory" \
    "$LRC" check "$tmp/absent.lr"
expect "run: a missing CSV file is status 2, as for check" 2 "absent.lr:1:17: error: cannot read data file 'absent.csv'" \
    "$LRC" --quiet "$tmp/absent.lr"
