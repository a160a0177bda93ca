#!/bin/sh
# verify.sh — lrc verify RUN_DIR: a fresh run reproduces (its hash is
# sha256sum's of model.safetensors); a tampered metrics.csv, model or
# run.json does not (the first difference named); a changed or missing data
# file is refused by name before anything runs; a moved run directory with
# --data; a loaded model; --set, --seed and another thread count; early stopping, a resumed
# run, a sweep, a file that only minimizes; a temporary directory that is
# always removed, also on SIGTERM and when the re-run is killed; valgrind.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
cd "$tmp" || exit 1
# Each verify's temporary directory goes here, to be seen removed.
TMPDIR=$tmp/scratch
export TMPDIR
mkdir scratch

# clean NAME: verify left nothing in $TMPDIR.
clean() {
    if [ -z "$(ls -A scratch)" ]; then ok "$1"; else notok "$1" "left $(ls -A scratch)"; fi
}
# reproduces NAME DIR [ARGS...]: lrc verify DIR exits 0 and prints only
# "reproduced: " and the SHA-256 of DIR/model.safetensors.
reproduces() {
    name=$1 dir=$2
    shift 2
    "$LRC" verify "$dir" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    want="reproduced: $(sha256sum "$dir/model.safetensors" | cut -d' ' -f1)"
    if [ $st -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ] && [ "$(wc -l <"$tmp/out")" -eq 1 ]; then
        ok "$name"
    else
        notok "$name" "exit $st: $(head -c 200 "$tmp/out") $(head -3 "$tmp/err")"
    fi
}

cp "$top/examples/iris.lr" .
mkdir data
cp "$top/examples/data/iris.csv" data/
"$LRC" iris.lr --out run --quiet >/dev/null || notok "iris run" "exit $?"

# --- a fresh run ---------------------------------------------------------------
reproduces "a fresh run reproduces: its model's SHA-256 on stdout, alone" run
clean "the temporary directory is removed"
cp -R run pristine

# --- tampered ------------------------------------------------------------------
# epoch 3's loss as written, then made another number.
loss3=$(awk -F, 'NR == 4 { print $3 }' run/metrics.csv)
awk -F, 'BEGIN { OFS = "," } NR == 4 { $3 = "0.25" } { print }' pristine/metrics.csv >run/metrics.csv
expect "a changed metrics.csv row: status 1, naming epoch, metric and both values" 1 \
    "^lrc: error: 'run' is not reproduced: metrics.csv, epoch 3, loss: recorded 0.25, re-run $loss3\$" \
    "$LRC" verify run
[ -s "$tmp/out" ] && notok "a difference prints nothing on stdout" "$(cat "$tmp/out")" ||
    ok "a difference prints nothing on stdout"
clean "the temporary directory is removed after a difference"
awk -F, 'BEGIN { OFS = "," } NR == 5 { $4 = "0.1" } { print }' pristine/metrics.csv >run/metrics.csv
acc4=$(awk -F, 'NR == 5 { print $4 }' pristine/metrics.csv)
expect "a changed accuracy is named by its column" 1 \
    "metrics.csv, epoch 4, accuracy: recorded 0.1, re-run $acc4\$" "$LRC" verify run
# The wall-clock seconds are not results.
awk -F, 'BEGIN { OFS = "," } NR > 1 { $6 = "99.999" } { print }' pristine/metrics.csv >run/metrics.csv
reproduces "other seconds in metrics.csv still reproduce" run
head -n 30 pristine/metrics.csv >run/metrics.csv
expect "a metrics.csv cut short: the first epoch missing from it" 1 \
    "metrics.csv, epoch 30: in the re-run, not recorded" "$LRC" verify run
cp pristine/metrics.csv run/metrics.csv

printf 'x' >>run/model.safetensors
expect "a changed model.safetensors: status 1, both hashes" 1 \
    "is not reproduced: model.safetensors's SHA-256 is $(sha256sum run/model.safetensors | cut -d' ' -f1), but run.json records $(sha256sum pristine/model.safetensors | cut -d' ' -f1)" \
    "$LRC" verify run
# Another run's model with run.json saying so: the re-run's weights differ.
"$LRC" iris.lr --out other --seed 8 --quiet >/dev/null
cp other/model.safetensors run/model.safetensors
osha=$(sha256sum other/model.safetensors | cut -d' ' -f1)
psha=$(sha256sum pristine/model.safetensors | cut -d' ' -f1)
sed "s/$psha/$osha/" pristine/run.json >run/run.json
expect "another model recorded as the run's: the recorded and the re-run's SHA-256" 1 \
    "model.safetensors: SHA-256 recorded $osha, re-run $psha\$" "$LRC" verify run
rm -r run && cp -R pristine run

# --- data ----------------------------------------------------------------------
cp data/iris.csv iris.bak
sed '2s/5.1/5.2/' iris.bak >data/iris.csv
expect "a changed data file: status 2, named with both hashes" 2 \
    "^lrc: error: data file '$tmp/data/iris.csv' of data set 'iris' is not the one the run used: its SHA-256 is $(sha256sum data/iris.csv | cut -d' ' -f1), the run recorded $(sha256sum iris.bak | cut -d' ' -f1)\$" \
    "$LRC" verify run
[ -z "$(ls -A scratch)" ] && ok "a changed data file is refused before anything runs" ||
    notok "a changed data file is refused before anything runs" "$(ls -A scratch)"
rm data/iris.csv
expect "a missing data file: status 2, named, with --data" 2 \
    "cannot read data file '$tmp/data/iris.csv' of data set 'iris': No such file or directory \\(the run read 'data/iris.csv'; give where it is now with --data DIR\\)" \
    "$LRC" verify run
mv iris.bak data/iris.csv

# --- moved ---------------------------------------------------------------------
# The data beside, above the experiment's directory ("../data/..."), and a
# save, which the re-run must write in its own directory, not here.
mkdir -p proj/exp proj/data
cp data/iris.csv proj/data/
sed -e 's|"data/iris.csv"|"../data/iris.csv"|' -e 's/epochs=60/epochs=8/' iris.lr >proj/exp/iris.lr
printf 'save "saved.safetensors"\n' >>proj/exp/iris.lr
"$LRC" proj/exp/iris.lr --out proj/runs/a --quiet --allow-read proj/data --allow-write proj/exp \
    >/dev/null || notok "the project's run" "exit $?"
reproduces "a run whose data path climbs with '..' reproduces" proj/runs/a
rm proj/exp/saved.safetensors
mv proj moved
reproduces "a moved run directory reproduces with --data" moved/runs/a --data moved/exp
[ -e moved/exp/saved.safetensors ] && notok "the re-run's save stays in its directory" "saved" ||
    ok "the re-run's save stays in its directory"
expect "a moved run directory without --data: the data file named" 2 \
    "cannot read data file '../data/iris.csv' of data set 'iris'" "$LRC" verify moved/runs/a
(cd moved/exp && "$LRC" verify ../runs/a >"$tmp/out" 2>"$tmp/err")
grep -q '^reproduced: ' "$tmp/out" && ok "without --data, the data is found from the current directory" ||
    notok "without --data, the data is found from the current directory" "$(head -3 "$tmp/err")"
clean "the temporary directories are removed"

# --- a loaded model ------------------------------------------------------------
# Found as the data are; no hash recorded, so a changed one is a difference.
cp pristine/model.safetensors base.safetensors
sed -e 's/epochs=60/epochs=4/' iris.lr >tune.lr
printf 'load "base.safetensors"\n' >>tune.lr
"$LRC" tune.lr --out tune --quiet >/dev/null || notok "the fine-tuning run" "exit $?"
reproduces "a run that loads a model reproduces" tune
cp other/model.safetensors base.safetensors
expect "another loaded model: a difference, status 1" 1 \
    "is not reproduced: metrics.csv, epoch 1, loss: recorded" "$LRC" verify tune
rm base.safetensors
expect "a missing loaded model: status 2, named" 2 \
    "^lrc: error: cannot read model file '$tmp/base.safetensors' that the experiment loads: No such file or directory" \
    "$LRC" verify tune

# --- --set, --seed, threads ----------------------------------------------------
cat >set.lr <<'EOF'
let width = 4
let rate = 0.01
seed 1
dataset d = linear(n=500, features=3, noise=0.1) validation=0.2
model dense(width, activation=tanh) -> dense(1)
loss mse
optimizer adam lr=rate
train epochs=5 batch=16 metrics=[r2]
EOF
"$LRC" set.lr --set width=9 --set rate=0.03 --seed 5 --threads 2 --out setrun --quiet >/dev/null
reproduces "a run with --set and --seed reproduces (with one thread, made with two)" setrun \
    --threads 1
"$LRC" set.lr --out plain --quiet >/dev/null
cmp -s plain/model.safetensors setrun/model.safetensors &&
    notok "--set and --seed made another model" "the same weights" ||
    ok "--set and --seed made another model"

# --- other runs ----------------------------------------------------------------
sed 's/^train .*/train epochs=200 batch=16 metrics=[accuracy] early_stop=patience(3)/' iris.lr |
    sed 's/test=0.2/validation=0.2 test=0.2/' >stop.lr
"$LRC" stop.lr --out stop --quiet >/dev/null
grep -q '"early_stopped": true' stop/run.json && reproduces "an early-stopped run reproduces" stop ||
    notok "an early-stopped run reproduces" "it did not stop early"

"$LRC" iris.lr --out halted --halt-after 100 --quiet >/dev/null 2>&1
expect "a run that did not finish: status 2, resume it first" 2 \
    "'halted' holds a run that did not finish \\(no run.json\\): continue it with lrc --resume halted, then verify it" \
    "$LRC" verify halted
"$LRC" --resume halted --quiet >/dev/null
reproduces "a resumed run reproduces" halted

printf 'let r = 0.05\n' >sweep.lr
sed 's/adam lr=0.05/adam lr=r/; s/epochs=60/epochs=3/' iris.lr >>sweep.lr
"$LRC" sweep.lr --set 'r=sweep(0.05, 0.1)' --out sweep --quiet >/dev/null
expect "a sweep's directory: status 2, verify its runs" 2 \
    "'sweep' holds a sweep: verify its runs one by one, e.g. lrc verify sweep/run-001" \
    "$LRC" verify sweep
reproduces "a run of a sweep reproduces" sweep/run-002

# (formulas written out; a let function's call is in gaps14.sh)
cat >sinc.lr <<'EOF'
minimize sin(3 * pi * x) / x from x=0.6 lr=0.005 steps=12 trace=true
minimize sin(3 * pi * x) / x + y^2 from x=0.6, y=1 lr=0.05 steps=12 trace=true
EOF
"$LRC" sinc.lr --out sinc --quiet >/dev/null
esha=$(sed -n 's/.*"experiment_sha256": "\([0-9a-f]*\)".*/\1/p' sinc/run.json)
expect "a file that only minimizes: the experiment's SHA-256" 0 "" "$LRC" verify sinc
[ "$(cat "$tmp/out")" = "reproduced: $esha" ] && ok "a file that only minimizes: its line" ||
    notok "a file that only minimizes: its line" "$(cat "$tmp/out")"
awk -F, 'BEGIN { OFS = "," } NR == 3 { $2 = "0.5" } { print }' sinc/trace-2.csv >t.csv
mv t.csv sinc/trace-2.csv
expect "a changed trace: step and column named" 1 \
    "trace-2.csv, step 1, x: recorded 0.5, re-run " "$LRC" verify sinc

# --- versions, failures, usage -------------------------------------------------
sed 's/"lrc_version": "[^"]*"/"lrc_version": "0.0.1"/' pristine/run.json >run/run.json
expect "a run of another lrc version is verified, with a note" 0 \
    "^lrc: note: the run was made by lrc 0.0.1, this is lrc [0-9.]+; verifying anyway" \
    "$LRC" verify run
grep -q '^reproduced: ' "$tmp/out" && ok "another version: reproduced" ||
    notok "another version: reproduced" "$(cat "$tmp/out")"
sed 's/"weights_sha256"/"error": "cannot write x",\n  "weights_sha256"/' pristine/run.json >run/run.json
expect "a run that failed: status 2" 2 \
    "the run in 'run' failed \\(cannot write x\\): it has no result to reproduce" "$LRC" verify run
cp pristine/run.json run/run.json
# The recorded experiment no longer checks: the re-run's own error, shown.
sed 's/loss categorical_crossentropy/loss categorical_crossentropi/' pristine/run.json >run/run.json
expect "a re-run that stops with an error: its status and message" 2 \
    "the re-run of the experiment failed \\(status 2\\); it said:" "$LRC" verify run
grep -q "did you mean 'categorical_crossentropy'" "$tmp/err" && ok "the re-run's message is shown" ||
    notok "the re-run's message is shown" "$(head -3 "$tmp/err")"
cp pristine/run.json run/run.json
clean "the temporary directories are removed after failures"
expect "verify without a directory" 2 "^lrc: error: verify needs a run directory" "$LRC" verify
expect "verify of a directory without a run" 2 "cannot read 'nothing/run.json'" "$LRC" verify nothing
expect "--data is verify's" 2 "^lrc: error: --data only applies to 'lrc verify'" \
    "$LRC" check iris.lr --data .

# --- signals -------------------------------------------------------------------
cat >long.lr <<'EOF'
seed 1
dataset d = linear(n=100000, features=20)
model dense(64, activation=relu) -> dense(1)
loss mse
optimizer sgd lr=0.001
train epochs=3 batch=32
EOF
"$LRC" long.lr --out long --quiet --threads 1 >/dev/null
sed 's/epochs=3 /epochs=3000 /' long/run.json >long/run.json.new && mv long/run.json.new long/run.json
"$LRC" verify long --threads 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
# until the re-run has started (its run directory exists), at most 10 s
for i in $(seq 100); do [ -n "$(ls scratch/*/run/metrics.csv 2>/dev/null)" ] && break; sleep 0.1; done
kill -TERM $pid
wait $pid
st=$?
[ $st -eq 143 ] && grep -q "^lrc: interrupted; the re-run's temporary directory is removed$" "$tmp/err" &&
    ok "SIGTERM ends verify with status 143, saying so" ||
    notok "SIGTERM ends verify with status 143, saying so" "exit $st: $(head -3 "$tmp/err")"
clean "SIGTERM: the temporary directory is removed"
# The re-run killed by another hand: no verdict, status 1.
"$LRC" verify long --threads 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 100); do [ -n "$(ls scratch/*/run/metrics.csv 2>/dev/null)" ] && break; sleep 0.1; done
pkill -KILL -P $pid
wait $pid
st=$?
[ $st -eq 1 ] && grep -q "the re-run of the experiment was ended by signal 9, so nothing is verified" "$tmp/err" &&
    ok "a re-run killed by SIGKILL: status 1, said" ||
    notok "a re-run killed by SIGKILL: status 1, said" "exit $st: $(head -3 "$tmp/err")"
clean "a killed re-run: the temporary directory is removed"

# --- valgrind ------------------------------------------------------------------
# verify's own process (the re-run is lrc's run, which valgrind.sh checks);
# not in a sanitizer build, which checks itself.
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$LRC"; then
    for case in reproduced differs; do
        [ $case = differs ] &&
            awk -F, 'BEGIN { OFS = "," } NR == 4 { $3 = "0.25" } { print }' pristine/metrics.csv >run/metrics.csv
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
            --show-leak-kinds=all "$LRC" verify run >"$tmp/out" 2>"$tmp/err"
        st=$?
        [ $st -ne 99 ] && ! grep -q '==[0-9]*==' "$tmp/err" && ok "valgrind: verify $case, clean" ||
            notok "valgrind: verify $case, clean" "exit $st: $(grep -m3 '==[0-9]*==' "$tmp/err")"
    done
fi
