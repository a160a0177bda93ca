#!/bin/sh
# summary.sh — lrc summary (an .lr file's model, a saved model's), the same
# table in check --explain and run.json, the run's first line; a `load` of
# another architecture, of a damaged description, of an older release's
# file; a damaged model refused by summary; the saved model run by numpy
# from its metadata alone (tests/model_numpy.py). Prints "ok NAME" /
# "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
NUMPY="$PY $top/tests/model_numpy.py"

# same NAME FILE WANT: FILE holds exactly the text WANT (printf's escapes).
same() {
    printf "$3" >"$tmp/same.want"
    if cmp -s "$tmp/same.want" "$2"; then ok "$1"
    else notok "$1" "$(diff "$tmp/same.want" "$2" | head -6 | tr '\n' '|')"; fi
}

# A classifier on iris with a fifth of the flowers in a file of their own.
cd "$tmp" || exit 1
$PY - "$top/examples/data/iris.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for name, keep in (("fit.csv", lambda i: i % 5 != 0), ("held.csv", lambda i: i % 5 == 0)):
    w = csv.writer(open(name, "w", newline=""))
    w.writerow(rows[0])
    w.writerows(r for i, r in enumerate(rows[1:]) if keep(i))
EOF
cat >iris.lr <<'EOF'
seed 3
dataset fit = csv("fit.csv", label="species") normalize=standard
dataset held = csv("held.csv", label="species")
model dense(8, activation=relu) -> dropout(0.2) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train on=fit epochs=5 batch=16 metrics=[accuracy]
evaluate on=held metrics=[accuracy]
EOF

# --- lrc summary FILE.lr ------------------------------------------------------
# dense: 4 inputs x 8 + 8 = 40; dense_1: 8 x 3 + 3 = 27; 67 x 4 bytes = 268.
table='Layer (type)       Output Shape  Activation  Param #
dense (Dense)      (None, 8)     relu             40
dropout (Dropout)  (None, 8)     rate=0.2          0
dense_1 (Dense)    (None, 3)     softmax          27
Total params: 67 (268.00 B)
'
expect "summary of an .lr file" 0 "" "$LRC" summary iris.lr
same "summary of an .lr file: the table, input width from the CSV header" "$tmp/out" \
    "${table}Input: 4 features, normalize=standard\nOutput: classes (3)\n"
# a generator's features= gives the width: 5 x 300 + 300 = 1,800;
# 300 x 1 + 1 = 301; 2,101 x 4 = 8,404 bytes = 8.21 KB.
printf 'dataset d = linear(n=10, features=5)\nmodel dense(300, activation=tanh) -> dense(1)\nloss mse\noptimizer sgd\ntrain\n' >gen.lr
"$LRC" summary gen.lr >gen.out 2>&1
same "summary of a generated data set's model, in Keras's units" gen.out \
    'Layer (type)     Output Shape  Activation  Param #
dense (Dense)    (None, 300)   tanh          1,800
dense_1 (Dense)  (None, 1)     linear          301
Total params: 2,101 (8.21 KB)
Input: 5 features, normalize=none
Output: regression\n'
"$LRC" summary gen.lr --set nothing=1 >/dev/null 2>&1
[ $? -eq 2 ] && ok "summary takes --set (an unknown name is an error)" ||
    notok "summary takes --set (an unknown name is an error)" "exit $?"

# --- check --explain carries the same table, as comments ----------------------
"$LRC" check --explain iris.lr >explain.out 2>&1
grep '^# ' explain.out | sed 's/^# //' >explain.table
"$LRC" summary iris.lr >summary.out 2>&1
if cmp -s explain.table summary.out; then ok "check --explain ends with the summary's table"
else notok "check --explain ends with the summary's table" "$(diff summary.out explain.table | head -3)"; fi
grep -v '^# ' explain.out >explained.lr
cp fit.csv held.csv "$tmp/" 2>/dev/null
expect "--explain with its summary is still a file lrc checks" 0 "" "$LRC" check explained.lr

# --- a run: the total on stderr first, not on stdout; run.json ------------------
"$LRC" iris.lr --out run >run.out 2>run.err
st=$?
if [ $st -eq 0 ] && [ "$(head -1 run.err)" = \
    "lrc: model dense(8, activation=relu) -> dropout(0.2) -> dense(3, activation=softmax): 67 parameters (268.00 B)" ]; then
    ok "a run's stderr starts with the model and its parameters"
else notok "a run's stderr starts with the model and its parameters" "exit $st: $(head -1 run.err)"; fi
"$LRC" --quiet iris.lr >quiet.out 2>quiet.err
if cmp -s run.out quiet.out && [ ! -s quiet.err ] && ! grep -q parameters run.out; then
    ok "the model line is on stderr only, and not with --quiet"
else notok "the model line is on stderr only, and not with --quiet" "$(head -2 quiet.err)"; fi
check "run.json's summary has the table's numbers and the tensors' counts" $PY -c "
import json, subprocess, sys
s = json.load(open('run/run.json'))['summary']
rows = [(l['name'], l['kind'], l['output_shape'], l.get('activation', l.get('rate')), l['params']) for l in s['layers']]
want = [('dense', 'dense', [None, 8], 'relu', 40), ('dropout', 'dropout', [None, 8], 0.2, 0),
        ('dense_1', 'dense', [None, 3], 'softmax', 27)]
assert rows == want, rows
assert (s['total_params'], s['total_bytes']) == (67, 268), s
counted = subprocess.run([sys.executable, '$top/tests/model_numpy.py', '--params', 'run/model.safetensors'],
                         capture_output=True, text=True, check=True).stdout.split()
assert counted == ['dense', '40', 'dropout', '0', 'dense_1', '27', 'total', '67'], counted
"

# --- lrc summary MODEL ----------------------------------------------------------
sha=$($PY -c "import json; print(json.load(open('run/run.json'))['experiment_sha256'])")
model_text="Model: run/model.safetensors (lrc 0.3.0, experiment $sha)
${table}Input: 4 features (sepal_length, sepal_width, petal_length, petal_width), normalize=standard
Output: classes (0, 1, 2)\n"
expect "summary of a run directory" 0 "" "$LRC" summary run
same "summary of a run directory: the table, input names, classes" "$tmp/out" "$model_text"
"$LRC" summary run/model.safetensors >file.out 2>&1
if [ "$(tail -n +2 file.out)" = "$(tail -n +2 "$tmp/out")" ]; then ok "summary of the model file is the run directory's"
else notok "summary of the model file is the run directory's" "$(head -2 file.out)"; fi

# --- the saved model, rebuilt from its metadata and run by numpy --------------
got=$($NUMPY run/model.safetensors held.csv species 2>&1)
want=$(sed -n 's/^evaluate held loss \([0-9.]*\) accuracy \([0-9.]*\)$/accuracy \2 loss \1/p' run.out)
if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "numpy on the metadata alone gives evaluate's accuracy and loss ($got)"
else notok "numpy on the metadata alone gives evaluate's accuracy and loss" "lrc '$want', numpy '$got'"; fi
# README's snippet ("Using a trained model"), as printed there
awk '/^## Using a trained model/ { on = 1 } on && /^```python/ { keep = 1; next }
     keep && /^```/ { exit } keep { print }' "$top/README.md" >readme_snippet.py
check "README's numpy snippet gives evaluate's accuracy" $PY -c "
import csv, json, struct
import numpy as np
exec(open('readme_snippet.py').read())
raw = open('run/model.safetensors', 'rb').read()
meta = json.loads(raw[8:8 + struct.unpack('<Q', raw[:8])[0]])['__metadata__']
rows = list(csv.DictReader(open('held.csv')))
x = [[float(r[c]) for c in json.loads(meta['inputs'])] for r in rows]
y = np.array([int(r['species']) for r in rows])
got = 'accuracy %.6f' % np.mean(lrc_predict('run/model.safetensors', x).argmax(1) == y)
assert '$want'.startswith(got), (got, '$want')
"
case $want in
"accuracy 1.000000"*) notok "the held-out accuracy is not trivially 1" "$want" ;;
*) ok "the held-out accuracy is not trivially 1" ;;
esac

# --- load of another architecture: status 2 before training, both chains ------
cp run/model.safetensors m.safetensors
sed -e 's/dense(8, activation=relu)/dense(16, activation=relu)/' -e 's/^optimizer/load "m.safetensors"\noptimizer/' iris.lr >other.lr
msg="other.lr:6:6: error: 'm.safetensors' holds dense(8, activation=relu) -> dropout(0.2) -> dense(3, activation=softmax) but the model here is dense(16, activation=relu) -> dropout(0.2) -> dense(3, activation=softmax)
    load \"m.safetensors\"
         ^~~~~~~~~~~~~~~
"
expect_exact "load of another architecture: lrc check, status 2" 2 "$msg" "$LRC" check other.lr
expect_exact "load of another architecture: a run, status 2, before training" 2 "$msg" "$LRC" other.lr --out other
[ ! -e other ] && ok "load of another architecture leaves no run directory" ||
    notok "load of another architecture leaves no run directory" "$(ls other)"
sed -e 's/-> dropout(0.2) //' -e 's/^optimizer/load "m.safetensors"\noptimizer/' iris.lr >nodrop.lr
expect "load: another dropout is the same model (fine-tuning)" 0 "" "$LRC" --quiet nodrop.lr
sed -e 's/activation=relu/activation=tanh/' -e 's/^optimizer/load "m.safetensors"\noptimizer/' iris.lr >act.lr
expect "load: another activation is another model" 2 "holds dense\(8, activation=relu\).* but the model here is dense\(8, activation=tanh\)" \
    "$LRC" check act.lr
sed -e 's/^optimizer/load "m.safetensors"\noptimizer/' iris.lr >same.lr
"$LRC" --quiet same.lr >same.out 2>same.err
[ $? -eq 0 ] && [ ! -s same.err ] && ok "load of the same model: no message" ||
    notok "load of the same model: no message" "$(head -2 same.err)"
# the same layers on data of another width
cut -d, -f2- fit.csv >narrow.csv
sed -e 's/"fit.csv"/"narrow.csv"/' -e 's/^optimizer/load "m.safetensors"\noptimizer/' -e '/held/d' iris.lr >narrow.lr
expect "load: a model of another input width" 2 "'m.safetensors' takes 4 inputs but the data set trained on here has 3 feature columns" \
    "$LRC" check narrow.lr

# --- a file of an older release (no description): loads with a warning --------
$PY - run/model.safetensors old.safetensors <<'EOF'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
h = json.loads(raw[8:8 + n])
h["__metadata__"] = {"format": "lrc-weights", "lrc_version": "0.2.0"}  # what 0.2 wrote
text = json.dumps(h).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
EOF
sed -e 's/^optimizer/load "old.safetensors"\noptimizer/' iris.lr >old.lr
"$LRC" --quiet old.lr >old.out 2>old.err
if [ $? -eq 0 ] && grep -q "^old.lr:6:6: warning: the file has no model description (a model saved before lrc 0.3.0, or not a model); it loads for training" old.err &&
    [ "$(grep -c 'warning' old.err)" -eq 1 ]; then ok "an older release's file loads for training, with the warning"
else notok "an older release's file loads for training, with the warning" "$(head -2 old.err)"; fi
sed -e 's/dense(8, activation=relu)/dense(16, activation=relu)/' old.lr >oldshape.lr
expect "an older release's file of another shape fails by its tensors (status 1)" 1 \
    "old.safetensors': tensor 'dense/kernel' has shape \[4, 8\], expected \[4, 16\]" "$LRC" --quiet oldshape.lr
expect_exact "summary of an older release's file says what to do, status 2" 2 \
    "lrc: error: 'old.safetensors' has no model description (it was saved before lrc 0.3.0, or is not a model): train it again, or \`load\` it in an experiment that describes the model, to save one that has it\n" \
    "$LRC" summary old.safetensors

# --- damaged descriptions and tensors: summary refuses each, status 2 ---------
# damage NAME KEY VALUE REASON: m.safetensors with metadata KEY set to
# VALUE (JSON null: removed) is refused by lrc summary with REASON.
damage() {
    $PY - run/model.safetensors bad.safetensors "$2" "$3" <<'EOF'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
h = json.loads(raw[8:8 + n])
value = json.loads(sys.argv[4])
if value is None:
    del h["__metadata__"][sys.argv[3]]
else:
    h["__metadata__"][sys.argv[3]] = value if isinstance(value, str) else json.dumps(value)
text = json.dumps(h).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
EOF
    expect "damaged description refused by summary: $1" 2 "^lrc: error: 'bad.safetensors': $4" "$LRC" summary bad.safetensors
}
D="the model description is damaged:"
damage "version" lrc_model '"2"' "$D 'lrc_model' is version '2'; this lrc reads version 1"
damage "a key missing" inputs null "$D 'inputs' is missing"
damage "inputs not an array" inputs '{"a":1}' "$D 'inputs' is not an array of names"
damage "an empty input name" inputs '["a","","c","d"]' "$D 'inputs' has an entry 2 that is not a non-empty name"
damage "no inputs" inputs '[]' "$D 'inputs' has 0 names \(1 to 1048576 are allowed\)"
damage "normalize not an object" normalize '[]' "$D 'normalize' is not an object"
damage "normalize without kind" normalize '{}' "$D 'normalize' lacks a \"kind\" name"
damage "no layers" layers '[]' "$D 'layers' is not an array of 1 to 256 layers"
damage "a layer without a kind" layers '[{"name":"dense","units":3}]' "$D 'layers\[0\]' needs a \"name\" and a \"kind\""
damage "a kernel past 2^31" layers '[{"name":"dense","kind":"dense","units":16777216,"activation":"relu"},{"name":"dense_1","kind":"dense","units":16777216,"activation":"relu"}]' "$D 'layers\[1\]' has a kernel of 16777216 x 16777216, larger than 2\^31"
damage "loss not an object" loss '["mse"]' "$D 'loss' is not an object"
damage "not JSON" layers '"[{"' "$D 'layers' is not JSON"
damage "a name twice" inputs '["a","a","b","c"]' "$D 'inputs' names 'a' twice"
damage "too few inputs" inputs '["a"]' "$D 'normalize' needs \"offset\": an array of 1 numbers"
damage "unknown layer kind" layers '[{"name":"c","kind":"lstm","units":3}]' "$D 'layers\[0\]' has the unknown kind 'lstm'"
damage "units out of range" layers '[{"name":"dense","kind":"dense","units":0,"activation":"relu"}]' "$D 'layers\[0\]' needs \"units\" between 1"
damage "unknown activation" layers '[{"name":"dense","kind":"dense","units":3,"activation":"gelu9"}]' "$D 'layers\[0\]' has the unknown activation 'gelu9'"
damage "dropout rate" layers '[{"name":"dense","kind":"dense","units":8,"activation":"relu"},{"name":"dropout","kind":"dropout","units":8,"rate":1},{"name":"dense_1","kind":"dense","units":3,"activation":"softmax"}]' "$D 'layers\[1\]' needs a \"rate\" in \[0, 1\)"
damage "widths that do not chain" layers '[{"name":"dense","kind":"dense","units":8,"activation":"relu"},{"name":"dropout","kind":"dropout","units":5,"rate":0.2}]' "$D 'layers\[1\]' has 5 units but its input has 8"
damage "a layer name twice" layers '[{"name":"dense","kind":"dense","units":8,"activation":"relu"},{"name":"dense","kind":"dense","units":3,"activation":"softmax"}]' "$D 'layers\[1\]' repeats the name 'dense'"
damage "a scale of zero" normalize '{"kind":"standard","offset":[0,0,0,0],"scale":[1,0,1,1]}' "$D 'normalize' has \"scale\" entry 2 that is not a positive number"
damage "unknown normalization" normalize '{"kind":"robust"}' "$D 'normalize' has the unknown kind 'robust'"
damage "unknown output" output '"ranking"' "$D 'output' is not one of regression, binary, classes"
damage "binary with 3 outputs" output '"binary"' "$D 'output' is binary but the model has 3 outputs"
damage "classes of another count" classes '["a","b"]' "$D 'classes' has 2 names where 3 are needed"
damage "targets that do not fit" targets '["a","b"]' "$D 'targets' has 2 names, which does not fit a classes output of 3"
damage "unknown loss" loss '{"kind":"hinge"}' "$D 'loss' has the unknown kind 'hinge'"
damage "huber without delta" loss '{"kind":"huber"}' "$D 'loss' needs a positive \"delta\" for huber"
damage "a sha256 that is not one" experiment_sha256 '"xyz"' "$D 'experiment_sha256' is neither empty nor 64 lowercase hex digits"
damage "normalization unlike its tensors" normalize '{"kind":"standard","offset":[0,0,0,0],"scale":[1,1,1,1]}' "the tensor 'normalize/offset' differs from the description's normalization"
damage "more weights than the file holds" layers '[{"name":"dense","kind":"dense","units":4096,"activation":"relu"},{"name":"dense_1","kind":"dense","units":3,"activation":"softmax"}]' "the model description's layers need 32771 weights, more than the 300 bytes"
# the tensor region: cut short, a weight that is not a number, a tensor missing
head -c 500 run/model.safetensors >bad.safetensors
expect "a cut model file is refused by summary" 2 "^lrc: error: 'bad.safetensors' is truncated" "$LRC" summary bad.safetensors
$PY - run/model.safetensors <<'EOF'
import json, struct, sys
raw = bytearray(open(sys.argv[1], "rb").read())
(n,) = struct.unpack("<Q", raw[:8])
h = json.loads(raw[8:8 + n])
begin = 8 + n + h["dense_1/bias"]["data_offsets"][0]
raw[begin:begin + 4] = struct.pack("<f", float("nan"))
open("nan.safetensors", "wb").write(raw)
del h["dense_1/bias"]
text = json.dumps(h).encode()
open("lost.safetensors", "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
EOF
expect "a weight that is not a number is refused by summary" 2 "^lrc: error: 'nan.safetensors': a weight is nan" "$LRC" summary nan.safetensors
expect "a tensor missing is refused by summary" 2 "^lrc: error: 'lost.safetensors'.*dense_1/bias" "$LRC" summary lost.safetensors
# a damaged description at a load: status 2 at the statement, before training
damage "(made for the load)" layers '"[{"' "$D 'layers' is not JSON"
sed -e 's/^optimizer/load "bad.safetensors"\noptimizer/' iris.lr >badload.lr
expect "a damaged description at a load is status 2 at the statement" 2 "^badload.lr:6:6: error: 'bad.safetensors': $D 'layers' is not JSON" \
    "$LRC" check badload.lr

# --- what summary refuses -------------------------------------------------------
printf 'minimize x^2 from x=1\n' >nomodel.lr
expect_exact "summary of a file without a model" 2 "lrc: error: 'nomodel.lr' has no model to summarize\n" "$LRC" summary nomodel.lr
printf 'let u = sweep(2, 4)\ndataset d = linear(n=10, features=2)\nmodel dense(u) -> dense(1)\nloss mse\noptimizer sgd\ntrain\n' >sweep.lr
expect_exact "summary of a sweep asks for one run" 2 \
    "lrc: error: 'sweep.lr' is a sweep, whose runs may have models of their own: choose one with --set u=VALUE\n" \
    "$LRC" summary sweep.lr
expect "summary of a sweep with --set" 0 "" "$LRC" summary sweep.lr --set u=4
expect "summary needs a file" 2 "^lrc: error: summary needs an experiment file or a model" "$LRC" summary
expect "summary of a missing model" 2 "^lrc: error: cannot read 'missing.safetensors'|^lrc: error: .*missing.safetensors" "$LRC" summary missing.safetensors
expect "summary takes no --seed" 2 "^lrc: error: --seed only applies" "$LRC" summary iris.lr --seed 3

# --- a loaded normalization keeps its kind in the model saved again ------------
printf 'seed 1\ndataset d = csv("fit.csv", label="species") normalize=minmax\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain epochs=1\nsave "mm.safetensors"\n' >mm.lr
sed -e 's/ normalize=minmax//' -e 's/"mm.safetensors"/"again.safetensors"/' -e 's/^optimizer/load "mm.safetensors"\noptimizer/' mm.lr >again.lr
if "$LRC" --quiet mm.lr >/dev/null 2>&1 && "$LRC" --quiet again.lr >/dev/null 2>&1 &&
    $PY -c '
import json, struct, sys
raw = open("again.safetensors", "rb").read()
meta = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])["__metadata__"]
sys.exit(json.loads(meta["normalize"])["kind"] != "minmax")'; then
    ok "a model saved after loading a minmax one says minmax"
else
    notok "a model saved after loading a minmax one says minmax" "$(cat again.err 2>/dev/null)"
fi
exit 0
