#!/bin/sh
# Inference files (load, evaluate, predict; no train) as a user writes
# them: text labels read as the loaded model's classes, every metric and
# the confusion matrix equal, byte for byte, to the training path's on the
# same model and rows, and what lrc check and lrc summary find in them.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$tmp" || exit 1

# flowers.csv: iris with an id column first and the species as text.
$PY - "$top/examples/data/iris.csv" <<'EOF' >flowers.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
names = ["setosa", "versicolor", "virginica"]
print("id," + ",".join(rows[0]))
for i, r in enumerate(rows[1:]):
    print(",".join([str(i + 1)] + r[:4] + [names[int(r[4])]]))
EOF

# same NAME TRAIN.lr INFER.lr: the training file (which saves run-NAME)
# and the inference file print the same evaluate lines and matrices: the
# training file's from its `evaluate on=all` to its end.
same() {
    if "$LRC" --quiet "$2" --out "run-$1" >"$1-train.out" 2>"$1.why" &&
        "$LRC" --quiet "$3" >"$1-infer.out" 2>>"$1.why" &&
        sed -n '/^evaluate all/,$p' "$1-train.out" >"$1-want.out" && [ -s "$1-want.out" ] &&
        cmp -s "$1-want.out" "$1-infer.out"; then
        ok "$1: the inference file's evaluate equals the training file's, byte for byte"
    else notok "$1: the inference file's evaluate equals the training file's, byte for byte" \
        "$(head -3 "$1.why"; diff "$1-want.out" "$1-infer.out" | head -6)"; fi
}

# --- three text classes: accuracy, precision, recall, f1, confusion ------
cat >flowers-train.lr <<'EOF'
dataset f = csv("flowers.csv", label="species", exclude=["id"]) test=0.2 stratify=true normalize=standard
dataset all = csv("flowers.csv", label="species", exclude=["id"])
model dense(16, activation=relu) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train on=f epochs=30 batch=16
evaluate on=all metrics=[accuracy, precision, recall, f1] confusion=true
EOF
cat >flowers.lr <<'EOF'
dataset all = csv("flowers.csv", label="species", exclude=["id"])
load "run-flowers/model.safetensors"
evaluate on=all metrics=[accuracy, precision, recall, f1] confusion=true
predict on=all to="all.csv" keep=["id"]
EOF
same flowers flowers-train.lr flowers.lr
# Independently of lrc's metrics: the accuracy and the matrix counted from
# the predictions it wrote.
if $PY - flowers-infer.out <<'EOF' >why 2>&1; then
import csv, sys
truth = {r["id"]: r["species"] for r in csv.DictReader(open("flowers.csv"))}
pred = {r["id"]: r["class"] for r in csv.DictReader(open("all.csv"))}
assert sorted(pred) == sorted(truth), "all.csv has other rows"
names = ["setosa", "versicolor", "virginica"]
lines = open(sys.argv[1]).read().splitlines()
acc = sum(pred[i] == truth[i] for i in truth) / len(truth)
assert " accuracy %.6f " % acc in lines[0], (acc, lines[0])
assert acc < 1, "every row right: the matrix says nothing"
for t, line in zip(names, lines[3:6]):
    counts = [sum(truth[i] == t and pred[i] == p for i in truth) for p in names]
    assert line.split() == [t] + [str(c) for c in counts], (line, counts)
EOF
    ok "flowers: accuracy and confusion matrix as counted from the predictions written"
else notok "flowers: accuracy and confusion matrix as counted from the predictions written" "$(tail -3 why)"; fi

# --- a binary model: auc, and precision & co. of class 1 ---------------
$PY - "$top/examples/data/iris.csv" <<'EOF' >binary.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
print("sepal_length,sepal_width,virginica")
for r in rows[1:]:
    print("%s,%s,%d" % (r[0], r[1], r[4] == "2"))
EOF
cat >binary-train.lr <<'EOF'
dataset b = csv("binary.csv", label="virginica") validation=0.2 normalize=standard
dataset all = csv("binary.csv", label="virginica")
model dense(8, activation=relu) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer adam lr=0.01
train on=b epochs=20 batch=16
evaluate on=all metrics=[accuracy, precision, recall, f1, auc] confusion=true
EOF
cat >binary.lr <<'EOF'
dataset all = csv("binary.csv", label="virginica")
load "run-binary/model.safetensors"
evaluate on=all metrics=[accuracy, precision, recall, f1, auc] confusion=true
EOF
same binary binary-train.lr binary.lr

# --- a regression: r2, mse, mae -----------------------------------------
$PY - "$top/examples/data/iris.csv" <<'EOF' >petals.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
print("sepal_length,sepal_width,petal_length,petal_width")
for r in rows[1:]:
    print(",".join(r[:4]))
EOF
cat >petals-train.lr <<'EOF'
dataset p = csv("petals.csv", label="petal_width") normalize=minmax
dataset all = csv("petals.csv", label="petal_width")
model dense(8, activation=tanh) -> dense(1)
loss mse
optimizer adam lr=0.01
train on=p epochs=20 batch=16
evaluate on=all metrics=[r2, mse, mae]
EOF
cat >petals.lr <<'EOF'
dataset all = csv("petals.csv", label="petal_width")
load "run-petals/model.safetensors"
evaluate on=all metrics=[r2, mse, mae]
EOF
same petals petals-train.lr petals.lr

# --- lrc check and lrc summary ------------------------------------------
expect_exact "check: a well-formed inference file" 0 "" "$LRC" check flowers.lr
"$LRC" summary run-flowers >model.summary 2>why
if "$LRC" summary flowers.lr >file.summary 2>>why && [ -s model.summary ] && cmp -s model.summary file.summary; then
    ok "summary of an inference file is the loaded model's"
else notok "summary of an inference file is the loaded model's" "$(head -3 why; head -3 file.summary)"; fi

sed '1s/petal_width/petal_wdth/' flowers.csv >renamed.csv
sed 's/"flowers.csv"/"renamed.csv"/' flowers.lr >renamed.lr
expect_exact "check: a model input missing from the header, at the dataset, with did-you-mean" 2 \
    "renamed.lr:1:1: error: the model's input 'petal_width' is not a feature of all; did you mean 'petal_wdth'?\n    dataset all = csv(\"renamed.csv\", label=\"species\", exclude=[\"id\"])\n    ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" \
    "$LRC" check renamed.lr
sed 's/metrics=\[accuracy, precision, recall, f1\]/metrics=[accuracy, r2]/' flowers.lr >misfit.lr
expect_exact "check: a metric that does not fit the loaded model, at the metric" 2 \
    "misfit.lr:3:36: error: r2 is for a regression (loss mse, half_mse, mae or huber); this model has 3 classes (categorical_crossentropy)\n    evaluate on=all metrics=[accuracy, r2] confusion=true\n                                       ^~\n" \
    "$LRC" check misfit.lr
expect "and the run refuses it before anything runs" 2 "misfit.lr:3:36: error: r2 is for a regression" "$LRC" misfit.lr
[ ! -s "$tmp/out" ] || notok "and the run refuses it before anything runs" "it printed $(head -1 "$tmp/out")"
sed 's|run-flowers/model.safetensors|run-flowers/checkpoint.safetensors|' flowers.lr >undescribed.lr
expect "check: a loaded model without a description, at the load" 2 \
    "^undescribed.lr:2:6: error: 'run-flowers/checkpoint.safetensors' has no model description" \
    "$LRC" check undescribed.lr
expect "summary: a loaded model without a description, at the load" 2 \
    "^undescribed.lr:2:6: error: 'run-flowers/checkpoint.safetensors' has no model description" \
    "$LRC" summary undescribed.lr

# --- an unseen class --------------------------------------------------------
sed -e '2s/setosa/Setosa/' flowers.csv >unseen.csv
sed -e 's/"flowers.csv"/"unseen.csv"/' -e 's/"all.csv"/"unseen-all.csv"/' flowers.lr >unseen.lr
expect_exact "an unseen class names its row and column, with did-you-mean" 2 \
    "unseen.csv:2:6: error: class 'Setosa' was not in the training data (classes: setosa, versicolor, virginica); did you mean 'setosa'?\n" \
    "$LRC" unseen.lr
if [ -e unseen-all.csv ]; then notok "and writes no predictions" "unseen-all.csv exists"; else ok "and writes no predictions"; fi
