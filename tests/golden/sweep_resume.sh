#!/bin/sh
# Resume wherever it is started from and however the file was named, and
# the sweep and --set rules around it. Prints "ok NAME" / "not ok NAME: why".
LRC=${LRC:-./lrc}
LRC=$(cd "$(dirname "$LRC")" && pwd)/$(basename "$LRC") # the checks change directory
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
# expect NAME STATUS PATTERN COMMAND...: the command exits STATUS and its
# stderr matches PATTERN (grep -E).
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$tmp/err"; }; then ok "$name"
    else notok "$name" "exit $st: $(head -3 "$tmp/err")"; fi
}
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
