#!/bin/sh
# Data that real tables have: text labels read as classes (sorted by
# byte, saved with the model, mapped through the training classes
# elsewhere), exclude=, what `lrc check` reads of a CSV's first rows, a
# byte order mark, every bad row reported (up to 20), and stratify= with
# split.csv. Each result is compared with a reference computed here in
# Python. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$tmp" || exit 1

# --- text labels -------------------------------------------------------
# iris with species names, one capitalized so that byte order (uppercase
# first) differs from the numeric file's; the reference file has the
# indices of that order.
$PY - "$top/examples/data/iris.csv" <<'PYEOF'
import csv, sys
names = ['setosa', 'Versicolor', 'virginica']
order = sorted(names)
rows = list(csv.reader(open(sys.argv[1])))
with open('iris_text.csv', 'w') as t, open('iris_ref.csv', 'w') as r:
    t.write(','.join(rows[0]) + '\n')
    r.write(','.join(rows[0]) + '\n')
    for row in rows[1:]:
        name = names[int(row[4])]
        t.write(','.join(row[:4] + [name]) + '\n')
        r.write(','.join(row[:4] + [str(order.index(name))]) + '\n')
    # the first 20 rows again, one class misspelled on line 14
    with open('iris2.csv', 'w') as u:
        u.write(','.join(rows[0]) + '\n')
        for i, row in enumerate(rows[1:20]):
            name = 'setsa' if i == 12 else names[int(row[4])]
            u.write(','.join(row[:4] + [name]) + '\n')
PYEOF
iris() { # iris FILE.csv > experiment
    printf 'seed 7\ndataset iris = csv("%s", label="species") test=0.2 normalize=standard\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam lr=0.05\ntrain epochs=20 batch=16 metrics=[accuracy]\nevaluate on=iris.test\n' "$1"
}
iris iris_text.csv >text.lr
iris iris_ref.csv >ref.lr
"$LRC" --quiet --out textrun text.lr >text.out 2>text.err
st=$?
"$LRC" --quiet ref.lr >ref.out 2>&1
if [ $st -eq 0 ] && [ -s text.out ] && cmp -s text.out ref.out; then
    ok "text labels train as the indices of their classes sorted by byte"
else notok "text labels train as the indices of their classes sorted by byte" "exit $st: $(head -3 text.err)"; fi
check "the saved model names the classes, sorted by byte" $PY -c "
import json, struct
f = open('textrun/model.safetensors', 'rb')
meta = json.loads(f.read(struct.unpack('<Q', f.read(8))[0]))['__metadata__']
got = json.loads(meta['classes'])
want = sorted({r.split(',')[4].strip() for r in open('iris_text.csv').read().split()[1:]})
assert got == want and meta['output'] == 'classes', (got, want, meta['output'])"

printf 'dataset iris = csv("iris_text.csv", label="species")\ndataset other = csv("iris2.csv", label="species")\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain on=iris epochs=1\nevaluate on=other\n' >unseen.lr
expect_exact "a class the training data lacks is named at its row, with the classes" 2 \
    "iris2.csv:14:5: error: class 'setsa' was not in the training data (classes: Versicolor, setosa, virginica); did you mean 'setosa'?\n" \
    "$LRC" --quiet unseen.lr

# binary cross-entropy: two classes, the first in byte order is 0.
$PY -c "
import random
random.seed(3)
with open('two.csv', 'w') as t, open('two_ref.csv', 'w') as r:
    t.write('x,answer\n'); r.write('x,answer\n')
    for i in range(40):
        x = random.uniform(-2, 2)
        t.write('%.4f,%s\n' % (x, 'yes' if x > 0 else 'no'))
        r.write('%.4f,%d\n' % (x, 1 if x > 0 else 0))"
two() { printf 'seed 1\ndataset d = csv("%s", label="answer")\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam lr=0.1\ntrain epochs=5 batch=8 metrics=[accuracy]\n' "$1"; }
two two.csv >two.lr
two two_ref.csv >two_ref.lr
"$LRC" --quiet two.lr >two.out 2>two.err
st=$?
"$LRC" --quiet two_ref.lr >two_ref.out 2>&1
if [ $st -eq 0 ] && [ -s two.out ] && cmp -s two.out two_ref.out; then
    ok "binary cross-entropy on text labels: 'no' is 0, 'yes' is 1"
else notok "binary cross-entropy on text labels: 'no' is 0, 'yes' is 1" "exit $st: $(head -3 two.err)"; fi
sed 's/two.csv/iris_text.csv/; s/answer/species/' two.lr >three.lr
expect "binary cross-entropy on three text classes names them" 2 \
    "^three.lr:2:40: error: binary_crossentropy needs 2 classes, but column 'species' of 'iris_text.csv' has 3: Versicolor, setosa, virginica$" \
    "$LRC" --quiet three.lr

# --- exclude= and what check reads of the first rows ---------------------
$PY -c "
import random
random.seed(5)
with open('cars.csv', 'w') as f, open('cars_ref.csv', 'w') as r:
    f.write('id,weight,color,power,price\n'); r.write('weight,power,price\n')
    for i in range(60):
        w, p = random.uniform(1, 2), random.uniform(50, 150)
        f.write('car%d,%.3f,%s,%.1f,%.2f\n' % (i, w, random.choice(['red', 'blue']), p, 3 * w + 0.02 * p))
        r.write('%.3f,%.1f,%.2f\n' % (w, p, 3 * w + 0.02 * p))"
cars() { printf 'seed 2\ndataset d = csv("%s", label="price"%s) normalize=standard\nmodel dense(1)\nloss mse\noptimizer adam lr=0.1\ntrain epochs=5 batch=10\n' "$1" "$2"; }
cars cars.csv ', exclude=["id", "color"]' >exclude.lr
cars cars_ref.csv '' >exclude_ref.lr
"$LRC" --quiet exclude.lr >exclude.out 2>exclude.err
st=$?
"$LRC" --quiet exclude_ref.lr >exclude_ref.out 2>&1
if [ $st -eq 0 ] && [ -s exclude.out ] && cmp -s exclude.out exclude_ref.out; then
    ok "exclude= trains on every other column, as a file of those columns"
else notok "exclude= trains on every other column, as a file of those columns" "exit $st: $(head -3 exclude.err)"; fi
cars cars.csv ', exclude=["id", "colour"]' >exclude_typo.lr
expect_exact "an unknown excluded column is pointed at, with did-you-mean" 2 \
    "exclude_typo.lr:2:59: error: unknown column 'colour'; did you mean 'color'?\n    dataset d = csv(\"cars.csv\", label=\"price\", exclude=[\"id\", \"colour\"]) normalize=standard\n                                                              ^~~~~~~~\n" \
    "$LRC" check exclude_typo.lr
cars cars.csv ', features=["weight"], exclude=["id"]' >exclude_both.lr
expect "features= and exclude= together are an error" 2 \
    "^exclude_both.lr:2:[0-9]+: error: csv takes 'features' or 'exclude', not both" "$LRC" check exclude_both.lr
# check reads the first rows: the text columns are found before a run, at
# the dataset statement, each with its first value and row.
cars cars.csv ', exclude=["id"]' >text_feature.lr
row=$(awk -F, 'NR == 2 { print $3 }' cars.csv)
expect_exact "check names a text feature column in the first rows, before running" 2 \
    "text_feature.lr:2:1: error: feature column 'color' of 'cars.csv' is not numeric: '$row' in row 1 (line 2); add it to exclude= to leave it out\n    dataset d = csv(\"cars.csv\", label=\"price\", exclude=[\"id\"]) normalize=standard\n    ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" \
    "$LRC" check text_feature.lr
# past the first 100 rows, a text value is the run's to find.
$PY -c "
print('x,y')
for i in range(100): print('%d,%d' % (i, 2 * i))
print('oops,1')" >late.csv
printf 'dataset d = csv("late.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1\n' >late.lr
expect_exact "check reads 100 rows, no more" 0 "" "$LRC" check late.lr
expect_exact "the run finds the text value of row 101" 2 \
    "late.csv:102:1: error: non-numeric value 'oops' in column 'x'\n" "$LRC" --quiet late.lr
