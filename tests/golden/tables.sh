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

# --- a byte order mark; every bad row --------------------------------------
# A spreadsheet's UTF-8 file: the mark is no part of the first column's
# name (the label here), and the run is the one without it.
printf '\357\273\277' >bom.csv
cat two.csv >>bom.csv
sed 's/two.csv/bom.csv/' two.lr >bom.lr
"$LRC" --quiet bom.lr >bom.out 2>bom.err
st=$?
if [ $st -eq 0 ] && [ -s bom.out ] && cmp -s bom.out two.out; then
    ok "a byte order mark is skipped: the first column is found by its name"
else notok "a byte order mark is skipped: the first column is found by its name" "exit $st: $(head -3 bom.err)"; fi
printf 'answer,x\n' >bomlabel.csv
tail -n +2 two.csv | awk -F, '{ print $2 "," $1 }' >>bomlabel.csv
printf '\357\273\277' >bomfirst.csv
cat bomlabel.csv >>bomfirst.csv
sed 's/two.csv/bomfirst.csv/' two.lr >bomfirst.lr
sed 's/two.csv/bomlabel.csv/' two.lr >bomlabel.lr
"$LRC" --quiet bomfirst.lr >bomfirst.out 2>bomfirst.err
st=$?
"$LRC" --quiet bomlabel.lr >bomlabel.out 2>&1
if [ $st -eq 0 ] && [ -s bomfirst.out ] && cmp -s bomfirst.out bomlabel.out; then
    ok "a byte order mark before a text label column's name"
else notok "a byte order mark before a text label column's name" "exit $st: $(head -3 bomfirst.err)"; fi
# three bad rows: each is reported (file, line, column, value), then exit 2.
$PY -c "
print('a,b,y')
for i in range(1, 31):
    a = 'n/a' if i == 4 else str(i)
    b = '' if i == 9 else ('1,5' if i == 27 else str(2 * i))
    print('%s,%s,%d' % (a, '\"' + b + '\"' if ',' in b else b, i))" >bad.csv
printf 'dataset d = csv("bad.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1\n' >bad.lr
expect_exact "every bad row is reported, not only the first" 2 \
    "bad.csv:5:1: error: non-numeric value 'n/a' in column 'a'\nbad.csv:10:2: error: missing value in column 'b'\nbad.csv:28:2: error: non-numeric value '1,5' in column 'b'\n" \
    "$LRC" --quiet bad.lr
$PY -c "
print('a,y')
for i in range(30): print('x%d,%d' % (i, i))" >worse.csv
printf 'dataset d = csv("worse.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1\n' >worse.lr
"$LRC" --quiet worse.lr >/dev/null 2>worse.err
st=$?
if [ $st -eq 2 ] && [ "$(grep -c ': error: non-numeric value' worse.err)" -eq 20 ] &&
    [ "$(tail -1 worse.err)" = "worse.csv:21:1: error: non-numeric value 'x19' in column 'a'" ]; then
    ok "bad rows are reported up to 20"
else notok "bad rows are reported up to 20" "exit $st: $(wc -l <worse.err) lines, last $(tail -1 worse.err)"; fi

# --- stratify= and split.csv ----------------------------------------------
# Classes of 12, 30 and 58 rows, interleaved; a quarter for test and a
# tenth for validation: each class gives each part ceil(fraction * n_c)
# rows, computed here from split.csv and the file.
$PY -c "
import random
random.seed(11)
labels = ['rare'] * 12 + ['common'] * 30 + ['most'] * 58
random.shuffle(labels)
print('x,kind')
for i, k in enumerate(labels): print('%d,%s' % (i, k))" >strat.csv
strat() { printf 'seed 4\ndataset d = csv("strat.csv", label="kind") test=0.25 validation=0.1%s\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain epochs=1\n' "$1"; }
strat ' stratify=true' >strat.lr
strat '' >plain.lr
"$LRC" --quiet --out stratrun strat.lr >/dev/null 2>strat.err
st=$?
"$LRC" --quiet --out plainrun plain.lr >/dev/null 2>&1
proportions() { # proportions RUN STRATIFIED
    $PY - "$1" "$2" <<'PYEOF'
import csv, math, sys
run, stratified = sys.argv[1], sys.argv[2] == '1'
rows = list(csv.DictReader(open('strat.csv')))
split = list(csv.reader(open(run + '/split.csv')))
assert split[0] == ['row', 'part'], split[0]
assert [int(r[0]) for r in split[1:]] == list(range(1, len(rows) + 1))
part = [r[1] for r in split[1:]]
assert set(part) <= {'train', 'validation', 'test'}
if stratified:
    for k in ('rare', 'common', 'most'):
        mine = [p for r, p in zip(rows, part) if r['kind'] == k]
        n = len(mine)
        want = {'test': math.ceil(0.25 * n), 'validation': math.ceil(0.1 * n)}
        want['train'] = n - want['test'] - want['validation']
        got = {p: mine.count(p) for p in want}
        assert got == want, (k, got, want)
else:
    got = {p: part.count(p) for p in ('train', 'validation', 'test')}
    assert got == {'test': 25, 'validation': 10, 'train': 65}, got
PYEOF
}
if [ $st -eq 0 ] && proportions stratrun 1 >why 2>&1; then
    ok "stratify=true keeps each class's share in each part (split.csv)"
else notok "stratify=true keeps each class's share in each part (split.csv)" "exit $st: $(head -3 strat.err) $(tail -2 why)"; fi
check "without stratify, split.csv holds the plain split" proportions plainrun 0
"$LRC" --quiet --out nosplit two.lr >/dev/null 2>&1
check "a data set holding nothing out is all train in split.csv" $PY -c "
import csv
rows = list(csv.reader(open('nosplit/split.csv')))
n = len(open('two.csv').read().split()) - 1
assert rows == [['row', 'part']] + [[str(i), 'train'] for i in range(1, n + 1)], rows[:3]"
printf 'seed 4\ndataset d = csv("strat.csv", label="kind", features=["x"]) test=0.2 stratify=true\nmodel dense(3, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain epochs=1\n' >stratcheck.lr
expect_exact "stratify on text classes checks" 0 "" "$LRC" check stratcheck.lr
