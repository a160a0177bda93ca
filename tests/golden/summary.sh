#!/bin/sh
# summary.sh — lrc summary (an .lr file's model, a saved model's), the same
# table in check --explain and run.json, the run's first line. Prints
# "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)

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
check "run.json's summary has the table's numbers" $PY -c "
import json, subprocess, sys
s = json.load(open('run/run.json'))['summary']
rows = [(l['name'], l['kind'], l['output_shape'], l.get('activation', l.get('rate')), l['params']) for l in s['layers']]
want = [('dense', 'dense', [None, 8], 'relu', 40), ('dropout', 'dropout', [None, 8], 0.2, 0),
        ('dense_1', 'dense', [None, 3], 'softmax', 27)]
assert rows == want, rows
assert (s['total_params'], s['total_bytes']) == (67, 268), s
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
exit 0
