#!/bin/sh
# gelu, leaky_relu and elu end to end: as a dense layer's activation and as
# layers with their options; --explain and lrc fmt keep the options; range
# and name errors; a saved model predicts what the run computed; the C
# export (compiled and run) and the ONNX export (run in numpy from its
# nodes) compute the same. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
CC=${CC:-cc}
cp examples/data/iris.csv "$tmp/"
cd "$tmp" || exit 1

cat >act.lr <<'EOF'
seed 3
dataset iris = csv("iris.csv", label="species") normalize=standard
model dense(16, activation=gelu) -> leaky_relu(alpha=0.1) -> dense(8, activation=elu) -> gelu(approximate=true) -> dense(8, activation=leaky_relu) -> elu(alpha=0.5) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.02
train on=iris epochs=30 batch=16 log_every=30
evaluate on=iris metrics=[accuracy]
predict on=iris to="run/pred.csv"
EOF

# --- the language ------------------------------------------------------------
"$LRC" check --explain act.lr >explain1.lr 2>err
grep -q 'dense(16, activation=gelu, ' explain1.lr &&
    grep -q -- '-> leaky_relu(alpha=0.1) -> ' explain1.lr &&
    grep -q -- '-> gelu(approximate=true) -> ' explain1.lr &&
    grep -q -- '-> elu(alpha=0.5) -> ' explain1.lr &&
    ok "act: --explain writes each activation layer's options" ||
    notok "act: --explain writes each activation layer's options" "$(grep model explain1.lr) $(head -2 err)"
grep -v '^#' explain1.lr >explained.lr
"$LRC" check --explain explained.lr >explain2.lr 2>err
cmp -s explain1.lr explain2.lr && ok "act: --explain's output explains to itself" ||
    notok "act: --explain's output explains to itself" "$(diff explain1.lr explain2.lr | head -4)"
cp act.lr fmt.lr && "$LRC" fmt fmt.lr 2>err && grep -q 'leaky_relu(alpha=0.1)' fmt.lr &&
    grep -q 'gelu(approximate=true)' fmt.lr && grep -q 'elu(alpha=0.5)' fmt.lr &&
    "$LRC" check --explain fmt.lr >explain3.lr 2>&1 && cmp -s explain1.lr explain3.lr &&
    ok "act: lrc fmt keeps the options" || notok "act: lrc fmt keeps the options" "$(head -3 err)"
cat >defaults.lr <<'EOF'
dataset d = moons(n=64)
model dense(4) -> gelu -> dense(4) -> leaky_relu -> dense(4) -> elu -> dense(1)
loss mse
optimizer sgd
train on=d epochs=1
EOF
"$LRC" check --explain defaults.lr 2>&1 |
    grep -q -- '-> gelu(approximate=false) -> .* -> leaky_relu(alpha=0.2) -> .* -> elu(alpha=1) -> ' &&
    ok "act: the defaults are Keras's (gelu exact, leaky_relu 0.2, elu 1)" ||
    notok "act: the defaults are Keras's (gelu exact, leaky_relu 0.2, elu 1)" \
        "$("$LRC" check --explain defaults.lr 2>&1 | grep model)"

sed 's/-> leaky_relu -> /-> leaky_relu(alpha=-1) -> /' defaults.lr >bad_alpha.lr
expect_exact "act: leaky_relu(alpha=-1) is refused at the value" 2 \
    "bad_alpha.lr:2:56: error: alpha must be >= 0\n    model dense(4) -> gelu -> dense(4) -> leaky_relu(alpha=-1) -> dense(4) -> elu -> dense(1)\n                                                           ^~\n" \
    "$LRC" check bad_alpha.lr
sed 's/-> elu -> /-> elu(0) -> /' defaults.lr >bad_elu.lr
expect "act: elu(0) is refused (alpha > 0)" 2 "^bad_elu.lr:2:[0-9]+: error: alpha must be > 0" \
    "$LRC" check bad_elu.lr
sed 's/-> gelu -> /-> gelu(alpha=1) -> /' defaults.lr >bad_opt.lr
expect "act: gelu has no alpha" 2 "^bad_opt.lr:2:[0-9]+: error: .*alpha" "$LRC" check bad_opt.lr
sed 's/-> gelu -> /-> gelu(approximate=1) -> /' defaults.lr >bad_bool.lr
expect "act: approximate is true or false" 2 "^bad_bool.lr:2:[0-9]+: error: " "$LRC" check bad_bool.lr
sed 's/-> elu -> /-> selu -> /' defaults.lr >selu.lr
expect "act: selu is still missing, and said so" 2 "^selu.lr:2:[0-9]+: error: .*selu.*not supported" \
    "$LRC" check selu.lr

# --- a run, its model, predict ------------------------------------------------
if "$LRC" --quiet --out run act.lr >run.out 2>run.err; then
    ok "act: a model with every new activation trains"
else notok "act: a model with every new activation trains" "$(head -3 run.err)"; fi
$PY - run.out <<'EOF' && ok "act: it learns iris (accuracy > 0.9)" || notok "act: it learns iris (accuracy > 0.9)" "$(cat run.out)"
import sys
line = [l for l in open(sys.argv[1]) if l.startswith('evaluate')][0].split()
assert float(line[line.index('accuracy') + 1]) > 0.9, line
EOF
"$LRC" predict run iris.csv >predicted.csv 2>err
cmp -s predicted.csv run/pred.csv && ok "act: lrc predict of the saved model is the run's predict, byte for byte" ||
    notok "act: lrc predict of the saved model is the run's predict, byte for byte" "$(head -2 err)"
$PY - predicted.csv iris.csv run.out <<'EOF' && ok "act: predict's classes give the run's evaluate accuracy" ||
import csv, sys
pred = list(csv.DictReader(open(sys.argv[1])))
truth = [r['species'] for r in csv.DictReader(open(sys.argv[2]))]
acc = sum(p['class'] == t for p, t in zip(pred, truth)) / len(truth)
line = [l for l in open(sys.argv[3]) if l.startswith('evaluate')][0].split()
assert '%.6f' % acc == line[line.index('accuracy') + 1], (acc, line)
EOF
    notok "act: predict's classes give the run's evaluate accuracy" "$(cat run.out)"
$PY - run/model.safetensors >layers.txt 2>&1 <<'EOF'
import json, struct, sys
data = open(sys.argv[1], 'rb').read()
header = json.loads(data[8:8 + struct.unpack('<Q', data[:8])[0]])
for l in json.loads(header['__metadata__']['layers']):
    print(l['kind'], l.get('activation'), l.get('alpha'), l.get('approximate'))
EOF
printf '%s\n' "dense gelu None False" "activation leaky_relu 0.1 None" "dense elu 1 None" \
    "activation gelu None True" "dense leaky_relu 0.2 None" "activation elu 0.5 None" \
    "dense softmax None None" >layers.want
cmp -s layers.txt layers.want && ok "act: the model description records alpha and approximate" ||
    notok "act: the model description records alpha and approximate" "$(diff layers.txt layers.want | head -4)"

# --- exports -------------------------------------------------------------------
$PY - iris.csv >features.txt <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(' '.join(r[k] for k in ('sepal_length', 'sepal_width', 'petal_length', 'petal_width')))
EOF
cat >main.c <<'EOF'
#include <stdio.h>
#include "model.c"
int main(void)
{
    float f[MODEL_FEATURES], out[MODEL_OUTPUTS];
    while (scanf("%f %f %f %f", &f[0], &f[1], &f[2], &f[3]) == 4) {
        model_predict(f, out);
        printf("%.9g %.9g %.9g\n", out[0], out[1], out[2]);
    }
    return 0;
}
EOF
if "$LRC" export run --c model.c --onnx model.onnx 2>err &&
    $CC -std=c99 -Wall -Wextra -Werror -pedantic -O2 -o model_bin main.c -lm 2>>err; then
    ok "act: the C export compiles"
else notok "act: the C export compiles" "$(head -3 err)"; fi
./model_bin <features.txt >c.out
cat >compare.py <<'EOF'
import csv, sys
import numpy as np
a = np.loadtxt(sys.argv[1], ndmin=2)
rows = list(csv.reader(open(sys.argv[2])))[1:]
b = np.array([[float(v) for v in r[1:]] for r in rows])
assert a.shape == b.shape, (a.shape, b.shape)
d = np.abs(a - b).max()
assert d < float(sys.argv[3]), d
print('%.2g' % d)
EOF
diff=$($PY compare.py c.out predicted.csv 1e-5 2>&1) && ok "act: the C export computes lrc predict's outputs (max difference $diff)" ||
    notok "act: the C export computes lrc predict's outputs" "$(echo "$diff" | tail -1)"
# The ONNX graph: onnx's checker, then its nodes run in numpy (float64,
# erf from math) with the initializers as stored.
cat >onnx_eval.py <<'EOF'
import math, sys
import numpy as np
import onnx
from onnx import numpy_helper
model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
g = model.graph
v = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
v['features'] = np.loadtxt(sys.argv[2], ndmin=2)
erf = np.vectorize(math.erf)
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
used = set()
for n in g.node:
    a = [v[i] for i in n.input]
    attr = {t.name: t for t in n.attribute}
    used.add(n.op_type)
    op = n.op_type
    if op == 'LeakyRelu':
        r = np.where(a[0] > 0, a[0], attr['alpha'].f * a[0])
    elif op == 'Elu':
        r = np.where(a[0] > 0, a[0], attr['alpha'].f * np.expm1(a[0]))
    else:
        r = {'Sub': lambda: a[0] - a[1], 'Div': lambda: a[0] / a[1], 'Add': lambda: a[0] + a[1],
             'Mul': lambda: a[0] * a[1], 'MatMul': lambda: a[0] @ a[1], 'Erf': lambda: erf(a[0]),
             'Tanh': lambda: np.tanh(a[0]), 'Softmax': lambda: softmax(a[0])}[op]()
    v[n.output[0]] = r
assert {'LeakyRelu', 'Elu', 'Erf', 'Tanh'} <= used, used
for row in v['outputs']:
    print(' '.join('%.9g' % x for x in row))
EOF
if $PY onnx_eval.py model.onnx features.txt >onnx.out 2>err; then
    diff=$($PY compare.py onnx.out predicted.csv 1e-5 2>&1) &&
        ok "act: the ONNX export (LeakyRelu, Elu, gelu in Erf and Tanh) computes lrc predict's outputs (max difference $diff)" ||
        notok "act: the ONNX export computes lrc predict's outputs" "$(echo "$diff" | tail -1)"
else notok "act: the ONNX export computes lrc predict's outputs" "$(tail -2 err)"; fi

# --- the description read back -------------------------------------------------
"$LRC" summary run >summary.out 2>err
grep -q '^activation (Activation) .* leaky_relu(alpha=0.1) ' summary.out &&
    grep -q '^dense (Dense) .* gelu(approximate=false) ' summary.out &&
    ok "act: lrc summary shows the activations' parameters" ||
    notok "act: lrc summary shows the activations' parameters" "$(head -5 summary.out) $(head -2 err)"
# A description whose parameters are missing or out of range is refused.
cat >damage.py <<'EOF'
import json, struct, sys
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
h = json.loads(raw[8:8 + n])
layers = json.loads(h['__metadata__']['layers'])
layers[int(sys.argv[3])].update(json.loads(sys.argv[4]))
layers[int(sys.argv[3])] = {k: v for k, v in layers[int(sys.argv[3])].items() if v is not None}
h['__metadata__']['layers'] = json.dumps(layers)
text = json.dumps(h).encode()
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + raw[8 + n:])
EOF
damaged() {
    $PY damage.py run/model.safetensors bad.safetensors "$2" "$3"
    expect "act: a description with $1 is refused" 2 "^lrc: error: 'bad.safetensors': $4" \
        "$LRC" predict bad.safetensors iris.csv
}
damaged "leaky_relu alpha -1" 1 '{"alpha": -1}' "the model description is damaged: 'layers\[1\]' needs an \"alpha\" >= 0"
damaged "elu alpha 0" 5 '{"alpha": 0}' "the model description is damaged: 'layers\[5\]' needs an \"alpha\" > 0"
damaged "no alpha" 1 '{"alpha": null}' "the model description is damaged: 'layers\[1\]' needs an \"alpha\""
damaged "approximate 1" 3 '{"approximate": 1}' "the model description is damaged: 'layers\[3\]' needs \"approximate\", true or false"

# --- threads -------------------------------------------------------------------
# Layers wide enough for lrc's pool to split their loops (150 rows x 256).
cat >wide.lr <<'EOF'
seed 4
dataset iris = csv("iris.csv", label="species") normalize=standard
model dense(256, activation=gelu) -> leaky_relu(alpha=0.05) -> dense(256, activation=elu) -> gelu(approximate=true) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train on=iris epochs=3 batch=150
EOF
"$LRC" --threads 1 --out wide1 wide.lr >wide1.out 2>err1 &&
    "$LRC" --threads 3 --out wide3 wide.lr >wide3.out 2>err3 &&
    cmp -s wide1.out wide3.out && cmp -s wide1/model.safetensors wide3/model.safetensors &&
    ok "act: the same bytes on 1 and 3 threads (stdout and the model)" ||
    notok "act: the same bytes on 1 and 3 threads (stdout and the model)" "$(head -2 err1 err3; diff wide1.out wide3.out | head -3)"
