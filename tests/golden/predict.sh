#!/bin/sh
# lrc predict and the predict statement: the columns, the numbers against
# the net rebuilt in numpy from the saved tensors, bad input, -o written
# whole or not at all, and a 1 GB file streamed under a memory limit.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$tmp" || exit 1

# forward.py MODEL.safetensors DATA.csv PREDICTIONS.csv: rebuilds the net
# from the file's tensors and description (numpy, float32) and compares
# every number and class of PREDICTIONS.csv with it; prints the largest
# difference in float32 epsilons.
cat >forward.py <<'EOF'
import csv, json, struct, sys
import numpy as np
model, data, predictions = sys.argv[1:4]
raw = open(model, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
def tensor(name):
    t = header[name]
    a, b = t['data_offsets']
    return np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').reshape(t['shape'])
rows = list(csv.DictReader(open(data)))
inputs = json.loads(meta['inputs'])
x = np.array([[float(r[c]) for c in inputs] for r in rows], dtype=np.float32)
if json.loads(meta['normalize'])['kind'] != 'none':
    x = (x - tensor('normalize/offset')) / tensor('normalize/scale')
def act(z, kind):
    if kind == 'relu': return np.maximum(z, np.float32(0))
    if kind == 'sigmoid': return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(np.float32)
    if kind == 'tanh': return np.tanh(z)
    if kind == 'softmax':
        e = np.exp(z.astype(np.float64) - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return z
for layer in json.loads(meta['layers']):
    if layer['kind'] == 'dense':
        x = x @ tensor(layer['name'] + '/kernel') + tensor(layer['name'] + '/bias')
    if layer['kind'] != 'dropout':
        x = act(x, layer['activation'])
got = list(csv.DictReader(open(predictions)))
assert len(got) == len(rows), (len(got), len(rows))
output = meta['output']
classes = json.loads(meta.get('classes', '[]'))
if output == 'regression':
    names = ['prediction'] if x.shape[1] == 1 else ['prediction_%d' % (j + 1) for j in range(x.shape[1])]
elif output == 'binary':
    names = ['prob_' + classes[1]]
else:
    names = ['prob_' + c for c in classes]
p = np.array([[np.float32(r[c]) for c in names] for r in got], dtype=np.float32)
# Summation order (BLAS) and exp differ from numpy's: the difference, in
# float32 epsilons of the row's largest output (1 for probabilities: a
# tiny probability's own ulps are far finer than its error), is a few.
scale = np.maximum(np.abs(x).max(axis=1, keepdims=True), 1)
eps = (np.abs(p.astype(np.float64) - x) / scale).max() / np.finfo(np.float32).eps
assert eps <= 8, ('largest difference in epsilons', eps)
if output == 'classes':
    want = [classes[i] for i in x.argmax(axis=1)]
    assert [r['class'] for r in got] == want
elif output == 'binary':
    want = [classes[int(v > 0.5)] for v in x[:, 0]]
    assert [r['class'] for r in got] == want
print('%.2g' % eps)
EOF

# --- the numbers: iris (classes), regression, two outputs, binary --------
cp "$top/examples/data/iris.csv" iris.csv
sed 's|data/iris.csv|iris.csv|' "$top/examples/iris.lr" >iris.lr
"$LRC" --quiet --out iris-run iris.lr >/dev/null
if "$LRC" predict iris-run iris.csv -o iris-pred.csv && $PY forward.py iris-run/model.safetensors iris.csv iris-pred.csv >why 2>&1 &&
    [ "$(head -1 iris-pred.csv)" = "class,prob_0,prob_1,prob_2" ]; then
    ok "iris: probabilities and classes are numpy's net's (within $(cat why) float32 epsilons)"
else notok "iris: probabilities and classes are numpy's net's" "$(tail -3 why)"; fi

sed -e 's/n=10000/n=300/' -e 's/epochs=4/epochs=1/' "$top/examples/students.lr" >students.lr
"$LRC" --quiet --out students-run students.lr >/dev/null
$PY -c "
import random
random.seed(3)
print('x3,x1,extra,x2')
for i in range(50): print(','.join('%.3f' % random.uniform(0, 5) for _ in range(4)))" >students.csv
if "$LRC" predict students-run students.csv >students-pred.csv && [ "$(head -1 students-pred.csv)" = prediction ] &&
    $PY forward.py students-run/model.safetensors students.csv students-pred.csv >why 2>&1; then
    ok "regression: one prediction column, inputs found by name in any order"
else notok "regression: one prediction column, inputs found by name in any order" "$(tail -3 why)"; fi

$PY -c "
import random
random.seed(4)
print('a,b,c,y1,y2')
for i in range(80):
    a, b, c = (random.uniform(-1, 1) for _ in range(3))
    print('%.4f,%.4f,%.4f,%.4f,%.4f' % (a, b, c, a + b, b - c))" >two.csv
printf 'dataset d = csv("two.csv", labels=["y1", "y2"]) normalize=minmax\nmodel dense(6, activation=tanh) -> dense(2)\nloss mse\noptimizer adam\ntrain epochs=3\n' >two.lr
"$LRC" --quiet --out two-run two.lr >/dev/null
if "$LRC" predict two-run two.csv --keep y2 -o two-pred.csv && [ "$(head -1 two-pred.csv)" = "y2,prediction_1,prediction_2" ] &&
    $PY forward.py two-run/model.safetensors two.csv two-pred.csv >why 2>&1; then
    ok "two outputs: prediction_1, prediction_2 after the kept column"
else notok "two outputs: prediction_1, prediction_2 after the kept column" "$(tail -3 why; head -1 two-pred.csv)"; fi

$PY -c "
import random
random.seed(5)
print('u,v,label')
for i in range(120):
    u, v = random.uniform(-1, 1), random.uniform(-1, 1)
    print('%.4f,%.4f,%d' % (u, v, u + v > 0))" >bin.csv
printf 'dataset d = csv("bin.csv", label="label")\nmodel dense(4, activation=relu) -> dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam lr=0.05\ntrain epochs=5\n' >bin.lr
"$LRC" --quiet --out bin-run bin.lr >/dev/null
if "$LRC" predict bin-run/model.safetensors bin.csv -o bin-pred.csv && [ "$(head -1 bin-pred.csv)" = "class,prob_1" ] &&
    $PY forward.py bin-run/model.safetensors bin.csv bin-pred.csv >why 2>&1; then
    ok "binary: class and prob_1 of the sigmoid"
else notok "binary: class and prob_1 of the sigmoid" "$(tail -3 why; head -1 bin-pred.csv)"; fi

# --- kept columns: their text, quoted again when it must be -------------
printf 'name,sepal_length,sepal_width,petal_length,petal_width\n"Smith, J.",5.1,3.5,1.4,0.2\n"say ""hi""",6.7,3.0,5.2,2.3\nplain,5.9,3.0,4.2,1.5\n' >named.csv
"$LRC" predict iris-run named.csv --keep name --keep sepal_width >named-pred.csv
if $PY -c "
import csv, sys
rows = list(csv.reader(open('named-pred.csv')))
assert rows[0][:3] == ['name', 'sepal_width', 'class'], rows[0]
assert [r[0] for r in rows[1:]] == ['Smith, J.', 'say \"hi\"', 'plain'], rows
assert [r[1] for r in rows[1:]] == ['3.5', '3.0', '3.0'], rows
" >why 2>&1; then ok "--keep copies the text as read, quoted per RFC 4180"
else notok "--keep copies the text as read, quoted per RFC 4180" "$(tail -2 why)"; fi

tr ',' ';' <iris.csv >iris-semi.csv
"$LRC" predict iris-run iris-semi.csv --delimiter ';' >semi-pred.csv
if cmp -s semi-pred.csv iris-pred.csv; then ok "--delimiter reads another separator"
else notok "--delimiter reads another separator" "outputs differ"; fi

# --- bad input: exit 2, a message, no output file ------------------------
sed '1s/petal_width/petal_widht/' iris.csv >typo.csv
expect_exact "a missing input column is named, with did-you-mean" 2 \
    "typo.csv:1: error: the model's input 'petal_width' is not a column; did you mean 'petal_widht'?\n" \
    "$LRC" predict iris-run typo.csv -o typo-pred.csv
expect_exact "an unknown --keep column, with did-you-mean" 2 \
    "iris.csv:1: error: --keep 'specie' is not a column; did you mean 'species'?\n" \
    "$LRC" predict iris-run iris.csv --keep specie
$PY -c "
print('sepal_length,sepal_width,petal_length,petal_width')
for i in range(3000): print('5.1,3.5,1.4,0.2')
for i in range(25): print('5.1,x%d,1.4,0.2' % i)" >bad.csv
"$LRC" predict iris-run bad.csv -o bad-pred.csv >out 2>err
st=$?
if [ $st -eq 2 ] && [ "$(grep -c 'error: non-numeric value' err)" -eq 20 ] &&
    grep -q "^bad.csv:3002:2: error: non-numeric value 'x0' in column 'sepal_width'$" err &&
    [ ! -e bad-pred.csv ] && ! ls -a | grep -q '\.tmp\.'; then
    ok "bad values: 20 reported by row and column, exit 2, no output file"
else notok "bad values: 20 reported by row and column, exit 2, no output file" "exit $st: $(head -2 err)"; fi
printf 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4\n' >short.csv
expect_exact "a short row" 2 "short.csv:2: error: row has 3 fields but the header has 4\n" \
    "$LRC" predict iris-run short.csv -o short-pred.csv
printf 'x' >stale.csv
expect_exact "-o into an existing file needs --force" 2 \
    "lrc: error: 'stale.csv' already exists: give --force to replace it\n" \
    "$LRC" predict iris-run iris.csv -o stale.csv
if [ "$(cat stale.csv)" = x ] && "$LRC" predict iris-run iris.csv -o stale.csv --force && cmp -s stale.csv iris-pred.csv; then
    ok "--force replaces it"
else notok "--force replaces it" "$(head -c 80 stale.csv)"; fi
expect_exact "-o is never the data" 2 "lrc: error: -o 'iris.csv' is the data being read\n" \
    "$LRC" predict iris-run iris.csv -o iris.csv --force
expect "-o is never a run directory's own file" 2 "metrics.csv in the run directory is lrc's own" \
    "$LRC" predict iris-run iris.csv -o iris-run/metrics.csv --force
expect "a model without a description" 2 "has no model description" \
    "$LRC" predict iris-run/checkpoint.safetensors iris.csv
expect "a missing model" 2 "cannot|No such file" "$LRC" predict nowhere.safetensors iris.csv
expect_exact "predict needs both arguments" 2 \
    "lrc: error: predict needs MODEL (a model.safetensors or a run directory) and DATA.csv\n$("$LRC" --bad 2>&1 | tail -n +2 | sed 's/%/%%/g')\n" \
    "$LRC" predict iris-run

# --- the statement: the same rows as lrc predict, the part's in file order
$PY -c "
import csv
rows = list(csv.reader(open('iris.csv')))
print('id,' + ','.join(rows[0]))
for i, r in enumerate(rows[1:]): print('%d,' % i + ','.join(r))" >iris-id.csv
sed -e 's|data/iris.csv", label="species")|iris-id.csv", label="species", features=["sepal_length", "sepal_width", "petal_length", "petal_width"])|' \
    "$top/examples/iris.lr" >stmt.lr
cat >>stmt.lr <<'LR'
predict on=iris.test to="parts/test.csv" keep=["id", "species"]
predict on=iris to="train.csv" keep=["id"]
predict on=iris.test to="bare.csv"
LR
if "$LRC" --quiet --out stmt-run --allow-write . stmt.lr >/dev/null 2>why &&
    "$LRC" predict stmt-run iris-id.csv --keep id --keep species -o all.csv 2>>why &&
    $PY -c "
import csv
every = {r[0]: r for r in list(csv.reader(open('all.csv')))[1:]}
test = list(csv.reader(open('parts/test.csv')))
train = list(csv.reader(open('train.csv')))
bare = list(csv.reader(open('bare.csv')))
assert test[0] == ['id', 'species', 'class', 'prob_0', 'prob_1', 'prob_2'], test[0]
assert train[0] == ['id', 'class', 'prob_0', 'prob_1', 'prob_2'], train[0]
assert bare[0] == ['class', 'prob_0', 'prob_1', 'prob_2'], bare[0]
ids = [int(r[0]) for r in test[1:]]
assert len(ids) == 30 and ids == sorted(ids), ids                 # ceil(0.2 x 150), in file order
assert sorted(ids + [int(r[0]) for r in train[1:]]) == list(range(150))
for r in test[1:]: assert r == every[r[0]], (r, every[r[0]])     # the same text as lrc predict
for r in train[1:]: assert r == [every[r[0]][0]] + every[r[0]][2:]
assert [r for r in bare[1:]] == [every[r[0]][2:] for r in test[1:]]
" >>why 2>&1; then
    ok "predict statement: the part's rows in file order, byte for byte lrc predict's"
else notok "predict statement: the part's rows in file order, byte for byte lrc predict's" "$(tail -3 why)"; fi
if "$LRC" check --explain stmt.lr | grep -qx 'predict on=iris.test to="parts/test.csv" keep=\["id", "species"\]'; then
    ok "--explain writes the predict statement"
else notok "--explain writes the predict statement" "$("$LRC" check --explain stmt.lr | grep predict)"; fi
sed 's/keep=\["id"\]/keep=["idd"]/' stmt.lr >stmt-typo.lr
expect "an unknown keep= column is found by lrc check, before training" 2 \
    "stmt-typo.lr:13:38: error: unknown column 'idd'; did you mean 'id'\?" "$LRC" check stmt-typo.lr
expect "and by the run, before training" 2 "unknown column 'idd'" "$LRC" --quiet stmt-typo.lr
[ ! -s out ] || notok "and by the run, before training" "it printed $(head -1 out)"

# --- a file that loads a model and does not train -----------------------
cat >infer.lr <<'LR'
seed 7
dataset iris = csv("iris-id.csv", label="species", features=["petal_width", "sepal_length", "petal_length", "sepal_width"]) test=0.2
load "stmt-run/model.safetensors"
evaluate on=iris.test metrics=[accuracy]
predict on=iris.test to="infer-test.csv" keep=["id", "species"]
LR
"$LRC" --quiet stmt.lr --allow-write . >trained.out 2>why
if "$LRC" --quiet infer.lr >infer.out 2>>why && [ "$(cat infer.out)" = "$(tail -1 trained.out)" ] &&
    cmp -s infer-test.csv parts/test.csv; then
    ok "inference file: evaluate and predict as the training file's, inputs by name in another order"
else notok "inference file: evaluate and predict as the training file's, inputs by name in another order" \
    "$(cat infer.out; tail -1 trained.out; head -3 why)"; fi
sed 's/"petal_width", //' infer.lr >infer-missing.lr
expect "inference file: a missing input is named, with did-you-mean" 2 \
    "infer-missing.lr:2:1: error: the model's input 'petal_width' is not a feature of iris; did you mean 'sepal_width'\?" \
    "$LRC" --quiet infer-missing.lr
sed 's|stmt-run/model.safetensors|stmt-run/checkpoint.safetensors|' infer.lr >infer-undescribed.lr
expect "inference file: a model without a description" 2 "infer-undescribed.lr:3:6: error: .*has no model description" \
    "$LRC" --quiet infer-undescribed.lr

# --- valgrind: the stream, an error path (not in a sanitizer build) -----
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$LRC"; then
    for args in "iris-run iris.csv -o vg.csv --keep species" "iris-run bad.csv -o vg-bad.csv"; do
        # shellcheck disable=SC2086 # args are words
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
            --show-leak-kinds=definite,indirect,possible "$LRC" predict $args >out 2>err
        st=$?
        if [ $st -ne 99 ] && ! grep -q '==[0-9]*==' err; then ok "valgrind-clean: predict $args"
        else notok "valgrind-clean: predict $args" "exit $st: $(grep -m3 '==[0-9]*==' err)"; fi
    done
fi

# --- a reader that stops, a Ctrl-C ----------------------------------------
$PY -c "
import random
random.seed(2)
rows = ''.join('%.1f,%.1f,%.1f,%.1f\\n' % (random.uniform(4, 8), random.uniform(2, 4.5),
               random.uniform(1, 7), random.uniform(0.1, 2.5)) for _ in range(1000))
with open('many.csv', 'w') as f:
    f.write('sepal_length,sepal_width,petal_length,petal_width\\n')
    for i in range(3000): f.write(rows)"
start=$(date +%s)
"$LRC" predict iris-run many.csv 2>head.err | head -2 >head.out
st=$(date +%s)
if [ "$(wc -l <head.out)" -eq 2 ] && [ $((st - start)) -lt 3 ] && grep -q "cannot write results: Broken pipe" head.err; then
    ok "predict into a pipe closed early stops, saying why"
else notok "predict into a pipe closed early stops, saying why" "$((st - start)) s: $(cat head.err)"; fi
"$LRC" predict iris-run many.csv -o many-pred.csv 2>int.err &
pid=$!
n=0
while [ -z "$(ls -A | grep '^\.many-pred\.csv\.')" ] && [ $n -lt 200 ]; do sleep 0.02; n=$((n + 1)); done
kill -INT $pid
wait $pid
st=$?
if [ $st -eq 130 ] && [ ! -e many-pred.csv ] && [ -z "$(ls -A | grep many-pred)" ] &&
    grep -q "^lrc: interrupted: 'many-pred.csv' is not written" int.err; then
    ok "Ctrl-C during predict -o: status 130, no file and no temporary left"
else notok "Ctrl-C during predict -o: status 130, no file and no temporary left" "exit $st: $(cat int.err) $(ls -A | grep many-pred)"; fi
rm -f many.csv

# --- streaming: a 1 GB file under a 300 MB address-space limit -----------
# (not in a sanitizer build: ASan reserves terabytes of address space)
if grep -q __asan_init "$LRC"; then
    ok "sanitizer build: the 1 GB stream under ulimit -v skipped"
    exit 0
fi
$PY -c "
import random
random.seed(1)
block = ''.join(','.join('%.6f' % random.uniform(0, 5) for _ in range(3)) + ',' +
                ','.join('%.6f' % random.uniform(-1, 1) for _ in range(17)) + '\n' for _ in range(1000))
n = (1 << 30) // len(block)
with open('big.csv', 'w') as f:
    f.write('x1,x2,x3,' + ','.join('pad%d' % i for i in range(17)) + '\n')
    for i in range(n): f.write(block)
print(n * 1000)" >big.rows
rows=$( (ulimit -v 300000; "$LRC" predict students-run big.csv) | wc -l)
if [ "$rows" -eq $(($(cat big.rows) + 1)) ]; then ok "1 GB streamed under ulimit -v 300 MB: every row predicted"
else notok "1 GB streamed under ulimit -v 300 MB: every row predicted" "$rows lines for $(cat big.rows) rows"; fi
rm -f big.csv
