#!/bin/sh
# libs.sh — what lrc now takes from Debian's libraries, end to end: the
# SHA-256s of run.json (nettle) against coreutils' sha256sum and Python's
# hashlib, and a model whose safetensors header or description gives a
# name twice, refused by the JSON reader (jansson) with where. Prints
# "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
cd "$tmp" || exit 1
cp "$top/examples/data/iris.csv" .
cat >iris.lr <<'EOF'
seed 3
dataset d = csv("iris.csv", label="species") normalize=standard
model dense(8, activation=relu) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train on=d epochs=2 batch=16 metrics=[accuracy]
EOF
"$LRC" --quiet iris.lr --out run >/dev/null 2>"$tmp/run.err" || notok "train" "$(head -3 "$tmp/run.err")"

# --- SHA-256 ----------------------------------------------------------------
# key FILE: the value of run.json's KEY (a dotted path: data.0.sha256).
key() { $PY -c 'import json, sys
v = json.load(open("run/run.json"))
for k in sys.argv[1].split("."):
    v = v[int(k)] if k.isdigit() else v[k]
print(v)' "$1"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
check "the data file's sha256 is sha256sum's" test "$(key data.0.sha256)" = "$(sum iris.csv)"
check "weights_sha256 is sha256sum's of model.safetensors" \
    test "$(key weights_sha256)" = "$(sum run/model.safetensors)"
check "experiment_sha256 is hashlib's of the experiment" test "$(key experiment_sha256)" = \
    "$($PY -c 'import hashlib, json; print(hashlib.sha256(json.load(open("run/run.json"))["experiment"].encode()).hexdigest())')"

# --- a name given twice -------------------------------------------------------
# damage OUT HOW: run/model.safetensors with a tensor named twice in its
# header (HOW=tensor) or a layer's "units" given twice in its description
# (HOW=description), written as raw JSON text (Python's json would keep one).
damage() { $PY - "$1" "$2" <<'EOF'
import json, struct, sys
raw = open("run/model.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
if sys.argv[2] == "tensor":
    again = '"dense/bias":' + json.dumps(header["dense/bias"], separators=(",", ":")) + ","
    text = "{" + again + json.dumps(header, separators=(",", ":"))[1:]
else:
    meta = header["__metadata__"]
    meta["layers"] = meta["layers"].replace('"units":', '"units":8,"units":', 1)
    text = json.dumps(header, separators=(",", ":"))
text = text.encode() + b" " * (-len(text) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
EOF
}
damage twice.safetensors tensor
expect "a tensor named twice is refused where the header names it again" 2 \
    "twice.safetensors': header is not valid JSON: offset [0-9]+: duplicate object key near '\"dense/bias\"'" \
    "$LRC" summary twice.safetensors
damage units.safetensors description
expect "a layer's units given twice are refused" 2 \
    "'layers' is not JSON \(offset [0-9]+: duplicate object key near '\"units\"'\)" \
    "$LRC" summary units.safetensors
