#!/bin/sh
# Resume wherever it is started from and however the file was named, and
# the sweep and --set rules around it. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
# same NAME FILE1 FILE2: the files are equal (and not empty).
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"
    else notok "$1" "$(diff "$2" "$3" 2>&1 | head -4 | tr '\n' ' ')"; fi
}

# --- resume: paths do not depend on the current directory ----------------
# An experiment with every kind of path: a csv() data file named in a
# module (so relative to the module's directory), weights it loads and a
# model it saves (relative to the file's).
exp=$tmp/exp
mkdir -p "$exp/lib" "$tmp/elsewhere"
awk 'BEGIN { print "a,b,y"; for (i = 0; i < 60; i++) { a = (i % 7) / 7; b = (i % 5) / 5
             printf "%.3f,%.3f,%.4f\n", a, b, 0.5 * a - 0.25 * b + 0.1 } }' >"$exp/lib/d.csv"
cat >"$exp/lib/m.lr" <<'EOF'
let rows = csv("d.csv", label="y")
let rate = 0.1
EOF
cat >"$exp/init.lr" <<'EOF'
seed 5
use "lib/m.lr"
dataset d = rows
model dense(1)
loss mse
optimizer sgd lr=rate
train epochs=1 batch=10
save "w0.safetensors"
EOF
cat >"$exp/x.lr" <<'EOF'
seed 3
use "lib/m.lr"
dataset d = rows
model dense(1)
loss mse
optimizer sgd lr=rate
load "w0.safetensors"
train epochs=3 batch=10
save "m.safetensors"
EOF
(cd "$exp" && "$LRC" init.lr --quiet >/dev/null 2>"$tmp/err") ||
    notok "resume setup" "$(head -3 "$tmp/err")"

# The resolved experiment names each path from the file's directory.
(cd "$exp" && "$LRC" check x.lr --explain) >"$tmp/explain.cwd" 2>&1
printf '%s\n' 'dataset d = csv("lib/d.csv", labels=["y"], header=true, delimiter=",") validation=0 test=0 normalize=none' \
    'load "w0.safetensors"' 'save "m.safetensors"' >"$tmp/paths.want"
grep -E '^(dataset|load|save) ' "$tmp/explain.cwd" >"$tmp/paths.got"
same "explain shows paths from the file's directory" "$tmp/paths.want" "$tmp/paths.got"
(cd "$tmp" && "$LRC" check exp/../exp/x.lr --explain) >"$tmp/explain.up" 2>&1
same "explain is the same from another directory" "$tmp/explain.cwd" "$tmp/explain.up"
(cd / && "$LRC" check "$exp/x.lr" --explain) >"$tmp/explain.abs" 2>&1
same "explain is the same for an absolute name" "$tmp/explain.cwd" "$tmp/explain.abs"
(cd "$exp/lib" && "$LRC" check ../x.lr --explain --allow-write ..) >"$tmp/explain.below" 2>&1
same "explain is the same from below the file" "$tmp/explain.cwd" "$tmp/explain.below"

# The uninterrupted run is the reference for each resumed one.
(cd "$exp" && "$LRC" x.lr --quiet --allow-write . >"$tmp/ref.out" 2>"$tmp/err") ||
    notok "resume reference run" "$(head -3 "$tmp/err")"
ref_model=$(sha256sum <"$exp/m.safetensors")
# resumed NAME START_DIR FILE OUT RESUME_DIR RESUME_OUT RESUME_WRITE
resumed() {
    rm -f "$exp/m.safetensors"
    (cd "$2" && "$LRC" "$3" --quiet --out "$4" --allow-write "$exp" --halt-after 2 \
        >/dev/null 2>"$tmp/err")
    st=$?
    if [ $st -ne 130 ]; then notok "$1" "the halted run exited $st: $(head -3 "$tmp/err")"; return; fi
    (cd "$5" && "$LRC" --resume "$6" --quiet --allow-write "$7" >"$tmp/resumed.out" 2>"$tmp/err")
    st=$?
    if [ $st -ne 0 ]; then notok "$1" "exit $st: $(head -3 "$tmp/err")"
    elif ! cmp -s "$tmp/ref.out" "$tmp/resumed.out"; then notok "$1" "results differ"
    elif [ "$(sha256sum <"$exp/m.safetensors")" != "$ref_model" ]; then notok "$1" "saved model differs"
    else ok "$1"; fi
}
resumed "resume a file named relatively" "$exp" x.lr r1 "$exp" r1 .
resumed "resume from another directory" "$exp" ./x.lr r2 "$tmp/elsewhere" "$exp/r2" "$exp"
resumed "resume a file named from its parent" "$tmp" exp/x.lr exp/r3 "$exp" r3 .
resumed "resume a file named absolutely" / "$exp/x.lr" "$exp/r4" "$exp/lib" ../r4 ..
if [ -s "$exp/r1/run.json" ] && [ -s "$exp/r3/run.json" ] &&
    [ "$(grep -o '"experiment_sha256": *"[0-9a-f]*"' "$exp/r1/run.json")" = \
      "$(grep -o '"experiment_sha256": *"[0-9a-f]*"' "$exp/r3/run.json")" ]; then
    ok "run.json's experiment does not depend on the file's name"
else notok "run.json's experiment does not depend on the file's name" "the SHA-256s differ"; fi
# run.json names the data file as the experiment does.
if grep -q '"path": *"lib/d.csv"' "$exp/r3/run.json" 2>/dev/null; then ok "run.json's data path is from the file's directory"
else notok "run.json's data path is from the file's directory" "$(grep -o '"path": *"[^"]*"' "$exp/r3/run.json" 2>&1)"; fi

# --- no cap on the number of options --------------------------------------
# 300 lets that nothing uses, and one that matters, given last.
many=$tmp/many
mkdir -p "$many/data" "$many/code"
cp "$exp/lib/d.csv" "$many/data/d.csv"
{
    i=1; while [ $i -le 300 ]; do echo "let unused$i = 0"; i=$((i + 1)); done
    cat <<'EOF2'
let rate = 0.1
let units = sweep(1)
dataset d = csv("../data/d.csv", label="y")
model dense(units)
loss mse
optimizer sgd lr=rate
train epochs=2 batch=10
EOF2
} >"$many/code/many.lr"
# options COUNT OPTION VALUE: COUNT times OPTION VALUE, VALUE's % as the index.
options() {
    i=1; while [ $i -le "$1" ]; do printf '%s\n' "$2" "$(printf '%s' "$3" | sed "s/%/$i/")"; i=$((i + 1)); done
}
# Every run of a sweep gets every --set, --allow-read and --allow-write,
# the last ones included (more than the 64 there once were room for).
options 70 --set 'unused%=1' >"$tmp/sets"
options 10 --allow-read / >"$tmp/reads"
options 10 --allow-write "$tmp/elsewhere" >"$tmp/writes"
# shellcheck disable=SC2046 # one option or value a line, none with blanks
"$LRC" "$many/code/many.lr" $(cat "$tmp/sets") --set rate=0.01 $(cat "$tmp/reads") --allow-read "$many/data" \
    $(cat "$tmp/writes") --out "$many/sweep" >/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -q 'lr=0.01 ' "$many/sweep/run-001/run.json"; then
    ok "a sweep passes on every option"
else notok "a sweep passes on every option" "exit $st: $(head -3 "$tmp/err") $(head -2 "$many/sweep/run-001/stderr.txt" 2>/dev/null)"; fi
# A run with more options than there were slots for (256), resumed: it
# repeats every --set it was started with.
options 300 --set 'unused%=1' >"$tmp/sets"
sed 's/^let units = sweep(1)$/let units = 1/' "$many/code/many.lr" >"$many/code/one.lr"
# shellcheck disable=SC2046
"$LRC" "$many/code/one.lr" $(cat "$tmp/sets") --set rate=0.01 --allow-read "$many/data" --quiet \
    >"$tmp/many.ref" 2>"$tmp/err" || notok "a resumed run repeats every --set" "reference: $(head -3 "$tmp/err")"
# shellcheck disable=SC2046
"$LRC" "$many/code/one.lr" $(cat "$tmp/sets") --set rate=0.01 --allow-read "$many/data" --quiet \
    --out "$many/r" --halt-after 2 >/dev/null 2>&1
"$LRC" --resume "$many/r" --allow-read "$many/data" --quiet >"$tmp/many.out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/many.ref" "$tmp/many.out"; then ok "a resumed run repeats every --set"
else notok "a resumed run repeats every --set" "exit $st: $(head -3 "$tmp/err")"; fi
# A module in the 40th directory of LRC_PATH is found (there was once room
# for 30).
mkdir -p "$tmp/mods"
echo 'let far_rate = 0.25' >"$tmp/mods/far.lr"
printf 'use far\nminimize x^2 from x=1 lr=far_rate steps=1\n' >"$tmp/far.lr"
path=$(i=1; while [ $i -lt 40 ]; do printf '%s:' "$tmp/none$i"; i=$((i + 1)); done)$tmp/mods
expect "LRC_PATH has no cap on its directories" 0 "" env LRC_PATH="$path" "$LRC" check "$tmp/far.lr"
# The 70th --allow-read counts (the sandbox once had room for 64 in all).
options 69 --allow-read "$tmp/elsewhere" >"$tmp/reads"
# shellcheck disable=SC2046
expect "the sandbox has no cap on its directories" 0 "" \
    "$LRC" check "$many/code/one.lr" $(cat "$tmp/reads") --allow-read "$many/data"

# --- a sweep's save --------------------------------------------------------
# Each run writes only in its own run directory, so check says, at the
# save, that the sweep needs --allow-write for it, rather than every run
# failing.
mkdir -p "$tmp/sv"
cat >"$tmp/sv/s.lr" <<'EOF2'
let rate = sweep(0.1, 0.05)
dataset d = linear(n=100, features=2)
model dense(1)
loss mse
optimizer sgd lr=rate
train epochs=1
save "m.safetensors"
EOF2
sed 's|^save .*|save "o/m.safetensors"|' "$tmp/sv/s.lr" >"$tmp/sv/in_out.lr"
where="s.lr:7:6: error: writing 'm.safetensors' is not allowed: it is outside the run directory of each run of the sweep \(allow it with --allow-write $tmp/sv\)"
(cd "$tmp/sv" && expect "check: a sweep's save needs --allow-write" 2 "^$where\$" "$LRC" check s.lr)
(cd "$tmp/sv" && expect "a sweep's save is refused before any run" 2 "^$where\$" "$LRC" s.lr)
(cd "$tmp/sv" && expect "a sweep's save in --out is refused too" 2 \
    "in_out.lr:7:6: error: writing 'o/m.safetensors' is not allowed: it is outside the run directory of each run" \
    "$LRC" check in_out.lr --out o)
(cd "$tmp/sv" && expect "a sweep's save with --allow-write runs" 0 "" "$LRC" s.lr --allow-write .)
if [ -s "$tmp/sv/m.safetensors" ] && [ ! -e "$tmp/sv/o" ]; then ok "a sweep's save is written"
else notok "a sweep's save is written" "no m.safetensors, or an o/"; fi

# --- --set and sweeps ------------------------------------------------------
cat >"$tmp/t.lr" <<'EOF2'
seed 4
let rate = 0.1
let act = relu
dataset d = linear(n=100, features=2)
model dense(2, activation=act) -> dense(1)
loss mse
optimizer sgd lr=rate
train epochs=1
EOF2
# --set NAME=sweep(...) sweeps NAME: each run is the file with that value.
"$LRC" "$tmp/t.lr" --set 'rate=sweep(0.1, 0.02)' --out "$tmp/setsweep" >"$tmp/table" 2>"$tmp/err"
st=$?
"$LRC" "$tmp/t.lr" --set rate=0.02 --out "$tmp/single" --quiet >/dev/null 2>&1
want=$(grep -o '"loss": *[^,}]*' "$tmp/single/run.json" | head -1)
got=$(grep -o '"loss": *[^,}]*' "$tmp/setsweep/run-002/run.json" 2>/dev/null | head -1)
if [ $st -eq 0 ] && [ "$(awk 'NR > 1 { print $2 }' "$tmp/table" | sort | tr '\n' ' ')" = "0.02 0.1 " ] &&
    [ -n "$want" ] && [ "$want" = "$got" ] && [ ! -e "$tmp/setsweep/run-001/run-001" ]; then
    ok "--set NAME=sweep(...) sweeps NAME"
else notok "--set NAME=sweep(...) sweeps NAME" "exit $st, table $(tr '\n' '|' <"$tmp/table"), run 2 $got, want $want"; fi
expect "--set of the wrong type says what was given and what is wanted" 2 \
    "^--set rate:1:1: error: --set rate=y: 'y' is not a number \(rate is a number\)\$" "$LRC" check "$tmp/t.lr" --set rate=y
expect "--set of another type names both" 2 \
    "^--set rate:1:1: error: --set rate=\"x\": '\"x\"' is a string, not a number \(rate is a number\)\$" \
    "$LRC" check "$tmp/t.lr" --set 'rate="x"'
# tanh is also a function of numbers; bare, it is the activation.
expect "--set of an activation that is also a function" 0 "" "$LRC" check "$tmp/t.lr" --set act=tanh

# --- resume repeats the run's --set -----------------------------------------
# As lrc(1) says: the checkpoint has the --set values, so --resume is given
# none, and the result is the --set run's, not the file's.
sed 's/^train epochs=1$/train epochs=3 batch=10/' "$tmp/t.lr" >"$tmp/r.lr"
"$LRC" "$tmp/r.lr" --set rate=0.03 --set act=tanh --quiet >"$tmp/set.ref" 2>/dev/null
"$LRC" "$tmp/r.lr" --quiet >"$tmp/plain.ref" 2>/dev/null
"$LRC" "$tmp/r.lr" --set rate=0.03 --set act=tanh --quiet --out "$tmp/rs" --halt-after 5 >/dev/null 2>&1
"$LRC" --resume "$tmp/rs" --quiet >"$tmp/rs.out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/set.ref" "$tmp/rs.out" && ! cmp -s "$tmp/plain.ref" "$tmp/rs.out"; then
    ok "--resume uses the run's recorded --set values"
else notok "--resume uses the run's recorded --set values" "exit $st: $(head -2 "$tmp/err") $(head -1 "$tmp/rs.out")"; fi
# Values that span lines (as a sweep's values may in the file, and then in
# each run's --set), with a comment and backslashes, survive the checkpoint.
printf 'let label = "x"\n' | cat - "$tmp/r.lr" >"$tmp/lines.lr"
"$LRC" "$tmp/lines.lr" --set rate=0.03 --set act=tanh --quiet >"$tmp/lines.ref" 2>"$tmp/err"
"$LRC" "$tmp/lines.lr" --set 'rate=(0.03 # slower \ here
    * 1)' --set act=tanh --set 'label="a\\nb\\\\"' --quiet --out "$tmp/rl" --halt-after 5 >/dev/null 2>&1
"$LRC" --resume "$tmp/rl" --quiet >"$tmp/rl.out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/lines.ref" "$tmp/rl.out"; then ok "--resume keeps --set values that span lines"
else notok "--resume keeps --set values that span lines" "exit $st: $(head -3 "$tmp/err")"; fi
