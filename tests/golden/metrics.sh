#!/bin/sh
# The metrics of the whole part (precision, recall, f1, auc, r2) and
# evaluate's confusion matrix against scikit-learn on the same
# predictions: lrc trains and evaluates with --out (model.safetensors), and
# tests/metrics_sklearn.py runs the saved model in numpy (from the file's
# own description) on the evaluated rows and scores its outputs with
# scikit-learn. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
REF="$(cd "$(dirname "$0")/.." && pwd)/metrics_sklearn.py"

$PY "$REF" data "$tmp" || notok "metrics data" "metrics_sklearn.py data failed"

# run NAME: runs $tmp/NAME.lr with --out $tmp/NAME (stdout in NAME.out).
# reference KIND NAME LABEL=DATA.csv[:confusion]...: that run's model on
# each DATA.csv in numpy, its outputs in NAME-LABEL.pred.csv, scored by
# scikit-learn against the line `evaluate LABEL` (and the confusion matrix
# after it).
run() {
    if ! (cd "$tmp" && "$LRC" --quiet --out "$1" "$1.lr" >"$1.out" 2>"$1.err"); then
        notok "$1 runs" "$(head -3 "$tmp/$1.err")"
        return 1
    fi
    ok "$1 runs"
}
reference() {
    kind=$1 name=$2
    shift 2
    (cd "$tmp" && $PY "$REF" check "$kind" "$name.out" "$name/model.safetensors" "$@")
}

# --- binary: precision, recall, f1 of class 1, auc with ties ---------
cat >"$tmp/binary.lr" <<'LR'
seed 3
dataset seen = csv("train_binary.csv", label="y") normalize=standard
dataset probe = csv("probe_binary.csv", label="y")
model dense(8, activation=tanh) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer adam lr=0.02
train on=seen epochs=15 metrics=[accuracy, precision, recall, f1, auc]
evaluate on=probe confusion=true
evaluate on=seen
LR
if run binary; then
    reference binary binary probe=probe_binary.csv:confusion seen=train_binary.csv
    # The probe's scores do tie, with both classes among the tied rows.
    check "binary probe has ties across classes" $PY -c "
import csv, collections, sys
rows = list(csv.DictReader(open('$tmp/binary-probe.pred.csv')))
seen = collections.defaultdict(set)
for r in rows: seen[r['pred_0']].add(r['true_y'])
mixed = sum(1 for v in seen.values() if len(v) == 2)
sys.exit(0 if mixed >= 10 else 'only %d tied scores with both classes' % mixed)"
    # confusion-1.csv holds the matrix printed; the second evaluate asked
    # for none.
    check "binary confusion-1.csv" $PY -c "
import sys
out = open('$tmp/binary.out').read().split('\n')
at = next(i for i, l in enumerate(out) if l.startswith('confusion probe '))
printed = [l.split() for l in out[at + 2:at + 4]]
want = 'true,0,1\n' + ''.join('%s,%s\n' % (r[0], ','.join(r[1:])) for r in printed)
got = open('$tmp/binary/confusion-1.csv').read()
sys.exit(0 if got == want else 'got %r, want %r' % (got, want))"
    check "binary no confusion-2.csv" test ! -e "$tmp/binary/confusion-2.csv"
fi

# --- three imbalanced classes: macro averages -------------------------
cat >"$tmp/classes.lr" <<'LR'
seed 5
dataset seen = csv("train_classes.csv", label="y")
dataset probe = csv("probe_classes.csv", label="y")
model dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.05
train on=seen epochs=10 metrics=[accuracy, precision, recall, f1]
evaluate on=seen
evaluate on=probe confusion=true
LR
if run classes; then
    reference classes classes probe=probe_classes.csv:confusion seen=train_classes.csv
    # The rare class is never predicted: precision's zero_division case.
    check "classes: the rare class is never predicted" $PY -c "
import csv, sys
rows = list(csv.DictReader(open('$tmp/classes-probe.pred.csv')))
guess = [max(range(3), key=lambda j: float(r['pred_%d' % j])) for r in rows]
sys.exit(0 if 2 not in guess and any(float(r['true_y']) == 2 for r in rows) else 'class 2 predicted or absent')"
    check "classes confusion-2.csv, no confusion-1.csv" test -s "$tmp/classes/confusion-2.csv" -a ! -e "$tmp/classes/confusion-1.csv"
fi

# --- regression, two outputs: r2 averaged over them -------------------
cat >"$tmp/regression.lr" <<'LR'
seed 7
dataset seen = csv("train_regression.csv", labels=["y1", "y2"]) normalize=standard
dataset probe = csv("probe_regression.csv", labels=["y1", "y2"])
model dense(16, activation=relu) -> dense(2)
loss mse
optimizer adam lr=0.01
train on=seen epochs=20 metrics=[mse, r2]
evaluate on=probe
evaluate on=seen
LR
if run regression; then
    reference regression regression probe=probe_regression.csv seen=train_regression.csv
fi

# --- auc of a part with one class: nan (scikit-learn refuses) ---------
head -1 "$tmp/probe_binary.csv" >"$tmp/ones.csv"
grep ',1$' "$tmp/probe_binary.csv" >>"$tmp/ones.csv"
sed -e 's/^evaluate on=probe confusion=true/dataset ones = csv("ones.csv", label="y")\nevaluate on=ones metrics=[auc, recall]/' \
    -e '/^evaluate on=seen/d' "$tmp/binary.lr" >"$tmp/ones.lr"
(cd "$tmp" && "$LRC" --quiet ones.lr >ones.out 2>ones.err)
check "auc of one class is nan" grep -qx 'evaluate ones loss [0-9.]* auc nan recall [0-9.]*' "$tmp/ones.out"
