#!/bin/sh
# Issue 14's last gaps. (1) The resolved experiment of a minimize over let
# functions holds the lets its formula names, so that lrc verify re-runs
# it and lrc check --explain of it gives it back. (2) Every error of a
# layer, loss, optimizer, predict, minimize and csv(...) call at once, and
# the data checks of the data sets that checked while another statement
# has an error (tests/errors/gaps_*.lr hold the exact messages).
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
cd "$tmp" || exit 1

# --- (1) minimize over let functions: run, verify, --explain's fixed point.
# explained NAME FILE: lrc check --explain of FILE's resolved experiment
# is that experiment, byte for byte.
explained() {
    "$LRC" check --explain "$2" >e1.lr 2>"$tmp/err" &&
        "$LRC" check --explain e1.lr >e2.lr 2>>"$tmp/err" && cmp -s e1.lr e2.lr &&
        ok "$1" || notok "$1" "$(head -3 "$tmp/err") $(diff e1.lr e2.lr | head -3)"
}
for ex in sinc cosh; do
    cp "$top/examples/$ex.lr" .
    "$LRC" "$ex.lr" --out "run-$ex" >"$ex.out" 2>"$tmp/err" && ok "$ex: runs" ||
        notok "$ex: runs" "$(head -3 "$tmp/err")"
    expect "$ex: verify reproduces it" 0 "" "$LRC" verify "run-$ex"
    esha=$(sed -n 's/.*"experiment_sha256": "\([0-9a-f]*\)".*/\1/p' "run-$ex/run.json")
    [ "$(cat "$tmp/out")" = "reproduced: $esha" ] && ok "$ex: verify's line" ||
        notok "$ex: verify's line" "$(cat "$tmp/out")"
    explained "$ex: --explain of its --explain is the same" "$ex.lr"
    # The experiment run alone labels the minimize f(x), as the file does.
    "$LRC" e1.lr >"$ex.again" 2>"$tmp/err" && cmp -s "$ex.out" "$ex.again" &&
        ok "$ex: its experiment alone prints the same lines" ||
        notok "$ex: its experiment alone prints the same lines" "$(diff "$ex.out" "$ex.again" | head -3)"
done
grep -q '"experiment": "seed 0\\nlet f(x) = sin(3 \* pi \* x) / x\\nminimize f(x) from' run-sinc/run.json &&
    ok "sinc: run.json's experiment defines f before the minimizes" ||
    notok "sinc: run.json's experiment defines f before the minimizes" "$(grep experiment\" run-sinc/run.json)"

# Lets through lets: a value (folded, --set included), functions calling
# functions (each once, in the order defined), a module's function, the
# parentheses as written and lrc fmt's spacing whatever the file's
# (comments and a line break inside a formula), unused lets left out.
mkdir -p lib
printf 'let base = 1\nlet shift(t) = t - base\n' >lib/shift.lr
cat >lets.lr <<'EOF2'
use "lib/shift.lr"
let a = 2*3
let unused = 5
let unused_f(x) = x
let sq(t)=(t)^2   # a square
let g(x, y) = (sq(shift(x) - a)+   # inside the parentheses
               -sq(-y)) * 2^-x + a - (x - (y + 1))
minimize g(x, y) + sq(a) from x=1, y=2 lr=0.01 steps=3 trace=true
EOF2
cat >want <<'EOF2'
seed 0
let base = 1
let shift(t) = t - base
let a = 7
let sq(t) = (t)^2
let g(x, y) = (sq(shift(x) - a) + -sq(-y)) * 2^-x + a - (x - (y + 1))
minimize g(x, y) + sq(a) from x=1, y=2 steps=3 optimizer=sgd(lr=0.01, momentum=0, nesterov=false) trace=true
EOF2
"$LRC" check --explain lets.lr --set a=7 >got 2>"$tmp/err"
cmp -s want got && ok "lets: the lets the formula names, as .lr text" ||
    notok "lets: the lets the formula names, as .lr text" "$(diff want got | head -5)"
explained "lets: --explain of its --explain is the same" got
"$LRC" lets.lr --set a=7 --out run-lets >lets.out 2>"$tmp/err" && ok "lets: runs" ||
    notok "lets: runs" "$(head -3 "$tmp/err")"
expect "lets: verify reproduces it" 0 "" "$LRC" verify run-lets --data .
mv lib lib.gone
expect "lets: verify needs no module: the experiment holds its function" 0 "" "$LRC" verify run-lets
mv lib.gone lib
# formatted, the file explains the same (lrc fmt changes its spacing)
"$LRC" fmt - <lets.lr >formatted.lr && "$LRC" check --explain formatted.lr --set a=7 >got2 2>"$tmp/err"
cmp -s got got2 && ok "lets: the formatted file explains the same" ||
    notok "lets: the formatted file explains the same" "$(diff got got2 | head -3)"

# --- (2) every error of a call, and the data checks beside other errors.
corpus=$(cd "$top/tests/errors" && pwd)
cp "$corpus"/gaps_*.lr "$corpus"/gaps_flowers.csv .
# headlines: the "file:line:col: error: message" lines of $tmp/err.
headlines() { grep -E '^[^ ].*:[0-9]+:[0-9]+: error: ' "$tmp/err"; }
same() {
    got=$(headlines)
    if [ "$got" = "$2" ]; then ok "$1"; else notok "$1" "$(printf '%s' "$got" | head -5)"; fi
}
for f in gaps_label_optimizer gaps_dense_call gaps_csv_args; do
    expect "a run of $f exits 2" 2 "" "$LRC" --out "run-$f" "$f.lr"
    cmp -s "$tmp/err" "$corpus/$f.stderr" && ok "a run of $f reports what check does" ||
        notok "a run of $f reports what check does" "$(diff "$corpus/$f.stderr" "$tmp/err" | head -5)"
    [ ! -s "$tmp/out" ] && [ ! -e "run-$f" ] && ok "a run of $f writes nothing" ||
        notok "a run of $f writes nothing" "stdout $(wc -c <"$tmp/out") bytes"
done

# A data set whose statement has an error is not read: no column error.
cat >broken.lr <<'EOF2'
dataset d = csv("gaps_flowers.csv", label="specis", bogus=1)
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adma
train epochs=2
EOF2
"$LRC" check broken.lr >/dev/null 2>"$tmp/err"
same "a data set with an error is not read" \
"broken.lr:1:53: error: csv has no option 'bogus'
broken.lr:4:11: error: unknown optimizer 'adma'; did you mean 'adam'?"

# Of two data sets, the one that checked is read (its errors with the
# others', in the file's order), the other not.
cat >two.lr <<'EOF2'
dataset a = csv("gaps_flowers.csv", label="specis")
dataset b = csv("gaps_flowers.csv", label="species", header=2)
dataset c = csv("gaps_flowers.csv", labels=["species"], features=["petal_lenght"])
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam
train on=b epochs=2
EOF2
"$LRC" check two.lr >/dev/null 2>"$tmp/err"
same "each data set that checked is read, whatever the others' errors" \
"two.lr:1:43: error: unknown column 'specis'; did you mean 'species'?
two.lr:2:61: error: expected true or false, got a number
two.lr:3:67: error: unknown column 'petal_lenght'; did you mean 'petal_length'?"

# The model against its data: checked when the model, loss and train
# checked whatever the optimizer's error; not when the model has one.
cat >fit.lr <<'EOF2'
dataset d = moons(n=100)
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adma
train epochs=2 metrics=[accuracy]
EOF2
"$LRC" check fit.lr >/dev/null 2>"$tmp/err"
same "the model is checked against its data beside another statement's error" \
"fit.lr:2:7: error: the last layer has 3 units but the dataset has 2 classes
fit.lr:4:11: error: unknown optimizer 'adma'; did you mean 'adam'?"
sed 's/dense(3, /dense(3, init=zeroes, /' fit.lr >fit2.lr
"$LRC" check fit2.lr >/dev/null 2>"$tmp/err"
same "a model with an error is not checked against its data" \
"fit2.lr:2:21: error: unknown initializer 'zeroes'; did you mean 'zeros'?
fit2.lr:4:11: error: unknown optimizer 'adma'; did you mean 'adam'?"

# --- (3) lrc lsp --allow-read DIR: a document reads below DIR as a run
# given it does; without it, the sandbox's error.
mkdir -p doc data
cp gaps_flowers.csv data/flowers.csv
cat >doc/x.lr <<'EOF2'
dataset d = csv("../data/flowers.csv", label="specis")
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam
train epochs=2
EOF2
# lsp_messages ARGS...: the messages of the diagnostics lrc lsp ARGS
# publishes for doc/x.lr, one a line.
lsp_messages() {
    $PY - "$LRC" "$tmp/doc/x.lr" "$@" <<'EOF2'
import json, subprocess, sys
lrc, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body
uri = "file://" + path
msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "lr", "version": 1, "text": open(path).read()}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"}]
out = subprocess.run([lrc, "lsp"] + args, input=b"".join(frame(m) for m in msgs),
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30).stdout
while out:
    head, _, rest = out.partition(b"\r\n\r\n")
    n = int(head.split(b":")[1])
    msg, out = json.loads(rest[:n]), rest[n:]
    if msg.get("method") == "textDocument/publishDiagnostics":
        for d in msg["params"]["diagnostics"]:
            print(d["message"])
EOF2
}
lsp_messages >"$tmp/out" 2>"$tmp/err"
grep -q "is not allowed: it is outside the experiment's directory" "$tmp/out" &&
    ok "lsp: a data file outside the document's directory is refused" ||
    notok "lsp: a data file outside the document's directory is refused" "$(head -3 "$tmp/out" "$tmp/err")"
lsp_messages --allow-read "$tmp/data" >"$tmp/out" 2>"$tmp/err"
[ "$(cat "$tmp/out")" = "unknown column 'specis'; did you mean 'species'?" ] &&
    ok "lsp --allow-read DIR: the document reads below DIR" ||
    notok "lsp --allow-read DIR: the document reads below DIR" "$(head -3 "$tmp/out" "$tmp/err")"
expect "lsp --allow-write is still refused" 2 "--allow-write only applies to" \
    "$LRC" lsp --allow-write "$tmp/data"
