#!/bin/sh
# lrc export: a trained model as one C99 file and as ONNX, each checked
# against references that share no code with lrc: the model evaluated in
# numpy from the .safetensors tensors and the description in its header,
# and lrc's own evaluate on the same rows. Bad input: every refusal
# writes nothing. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
CC=${CC:-cc}
# The command line README.md gives for the exported file, with the test's
# main (which #includes it).
CFLAGS_EXPORT="-std=c99 -Wall -Wextra -Werror -pedantic -O2"

cp examples/data/iris.csv examples/data/diabetes_train.csv examples/data/diabetes_test.csv \
    examples/data/digits.csv "$tmp/"
$PY - "$tmp" <<'EOF'
import csv, sys
tmp = sys.argv[1]
# iris with a text label of two classes: binary, named classes
rows = list(csv.reader(open(tmp + '/iris.csv')))
with open(tmp + '/virginica.csv', 'w') as f:
    f.write(','.join(rows[0][:4]) + ',virginica\n')
    for r in rows[1:]:
        f.write(','.join(r[:4]) + ',' + ('1' if r[4] == '2' else '0') + '\n')
EOF

# Four models: every activation, dropout, both normalizations, none, and
# layers wide enough for lrc to use BLAS (digits: 64 x 32 per row).
cat >"$tmp/iris.lr" <<'EOF'
seed 5
dataset iris = csv("iris.csv", label="species") normalize=standard
model dense(16, activation=relu) -> dropout(0.1) -> dense(8, activation=tanh) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.02
train epochs=40 batch=16
evaluate on=iris metrics=[accuracy]
EOF
cat >"$tmp/binary.lr" <<'EOF'
seed 2
dataset v = csv("virginica.csv", label="virginica")
model dense(4, activation=sigmoid) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer adam lr=0.05
train epochs=60 batch=16
evaluate on=v metrics=[accuracy]
EOF
cat >"$tmp/diabetes.lr" <<'EOF'
seed 3
dataset patients = csv("diabetes_train.csv", label="progression") normalize=standard
dataset unseen = csv("diabetes_test.csv", label="progression")
model dense(8, activation=relu) -> dense(1)
loss mse
optimizer adam lr=0.1
train on=patients epochs=100 batch=32
evaluate on=unseen metrics=[mse, mae]
EOF
cat >"$tmp/digits.lr" <<'EOF'
seed 1
dataset digits = csv("digits.csv", label="digit") normalize=minmax
model dense(32, activation=relu) -> dense(10) -> softmax
loss categorical_crossentropy
optimizer adam lr=0.005
train epochs=8 batch=32
evaluate on=digits metrics=[accuracy]
EOF

# The reference: the model read from the safetensors file alone (header
# JSON, raw float32 tensors) and run in numpy, each dot product summed in
# input order in float32 as lrc's loop does, exp through double rounded to
# float (glibc's expf is correctly rounded but in rare cases); prints the
# outputs of every row of the features file, one row a line, as %a.
cat >"$tmp/ref.py" <<'EOF'
import json, struct, sys
import numpy as np

def read_model(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__')
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        assert t['dtype'] == 'F32', t
        a, b = t['data_offsets']
        tensors[name] = np.frombuffer(raw[base + a:base + b], dtype='<f4').reshape(t['shape'])
    return meta, tensors

f32 = np.float32
def expf(v):
    return np.exp(v.astype(np.float64)).astype(f32)

def activate(kind, y):
    if kind == 'relu':
        return np.where(y > 0, y, f32(0))
    if kind == 'sigmoid':
        z = expf(np.where(y >= 0, -y, y))
        return np.where(y >= 0, f32(1) / (f32(1) + z), z / (f32(1) + z)).astype(f32)
    if kind == 'tanh':
        return np.tanh(y.astype(np.float64)).astype(f32)
    if kind == 'softmax':
        e = expf(y - y.max(axis=1, keepdims=True))
        total = np.zeros(len(y))
        for j in range(y.shape[1]):
            total += e[:, j].astype(np.float64)
        return (e / total[:, None]).astype(f32)
    assert kind == 'linear', kind
    return y

def forward(meta, tensors, x):
    norm = json.loads(meta['normalize'])
    if norm['kind'] != 'none':
        x = (x - tensors['normalize/offset']) / tensors['normalize/scale']
    for layer in json.loads(meta['layers']):
        if layer['kind'] == 'dense':
            w = tensors[layer['name'] + '/kernel']
            s = np.zeros((len(x), w.shape[1]), dtype=f32)
            for p in range(w.shape[0]):
                s = s + x[:, p:p + 1] * w[p]
            x = activate(layer['activation'], s + tensors[layer['name'] + '/bias'])
        elif layer['kind'] == 'activation':
            x = activate(layer['activation'], x)
    return x

if __name__ == '__main__':
    meta, tensors = read_model(sys.argv[1])
    x = np.loadtxt(sys.argv[2], delimiter=',', dtype=f32, skiprows=1, ndmin=2)
    for row in forward(meta, tensors, x):
        print(' '.join(float(v).hex() for v in row))
EOF

# features.csv: the model's inputs, in the order its description gives,
# picked by name from a data file.
cat >"$tmp/features.py" <<'EOF'
import csv, json, sys
sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])
from ref import read_model
meta, _ = read_model(sys.argv[1])
names = json.loads(meta['inputs'])
with open(sys.argv[3], 'w') as f:
    f.write(','.join(names) + '\n')
    for r in csv.DictReader(open(sys.argv[2])):
        f.write(','.join(r[n] for n in names) + '\n')
EOF

# A main that #includes the exported file, reads feature rows (a header,
# then comma-separated numbers) and prints NAME_predict's outputs as %a.
main_c() { # FILE.c NAME
    upper=$(printf '%s' "$2" | tr a-z A-Z)
    cat <<EOF
#include <stdio.h>
#include <stdlib.h>
#include "$1"
int main(void)
{
    char line[65536];
    float x[${upper}_FEATURES], y[${upper}_OUTPUTS];
    int i;
    if (!fgets(line, sizeof line, stdin))
        return 1;
    while (fgets(line, sizeof line, stdin)) {
        char *p = line;
        for (i = 0; i < ${upper}_FEATURES; i++) {
            x[i] = strtof(p, &p);
            p += *p == ',';
        }
        if ($2_predict(x, y) != 0)
            return 1;
        for (i = 0; i < ${upper}_OUTPUTS; i++)
            printf(i ? " %a" : "%a", (double)y[i]);
        printf("\n");
    }
    return 0;
}
EOF
}

# compare NAME A B TOLERANCE: two files of %a rows agree within TOLERANCE
# relative to max(1, |value|); prints the max abs and rel differences.
compare() {
    $PY - "$2" "$3" "$4" <<'EOF'
import sys
a = [[float.fromhex(v) for v in l.split()] for l in open(sys.argv[1])]
b = [[float.fromhex(v) for v in l.split()] for l in open(sys.argv[2])]
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
worst_abs = worst_rel = 0.0
for ra, rb in zip(a, b):
    assert len(ra) == len(rb), (ra, rb)
    for u, v in zip(ra, rb):
        worst_abs = max(worst_abs, abs(u - v))
        worst_rel = max(worst_rel, abs(u - v) / max(abs(v), 1e-30))
        assert abs(u - v) <= float(sys.argv[3]) * max(1.0, abs(v)), (u, v)
print('rows %d, max abs %.3g, max rel %.3g' % (len(a), worst_abs, worst_rel))
EOF
}

# lrc's own evaluate on the same rows, from the C program's outputs: a
# classifier's accuracy (argmax, or p >= 0.5 for one sigmoid) printed as
# lrc prints it must be lrc's; a regression's mse and mae within 1e-6.
cat >"$tmp/evaluate.py" <<'EOF'
import csv, json, sys
sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])
from ref import read_model
meta, _ = read_model(sys.argv[1])
out = [[float.fromhex(v) for v in l.split()] for l in open(sys.argv[2])]
label = json.loads(meta['targets'])[0]
truth = [float(r[label]) for r in csv.DictReader(open(sys.argv[3]))]
words = [l.split() for l in open(sys.argv[4]) if l.startswith('evaluate ')][-1]
lrc = dict(zip(words[2::2], words[3::2]))
assert len(out) == len(truth) > 0
if meta['output'] == 'regression':
    mse = sum((o[0] - t) ** 2 for o, t in zip(out, truth)) / len(out)
    mae = sum(abs(o[0] - t) for o, t in zip(out, truth)) / len(out)
    assert abs(mse - float(lrc['mse'])) <= 1e-6 * mse, (mse, lrc)
    assert abs(mae - float(lrc['mae'])) <= 1e-6 * mae, (mae, lrc)
    print('mse %.6f mae %.6f, lrc %s %s' % (mse, mae, lrc['mse'], lrc['mae']))
else:
    picked = [(o[0] >= 0.5) if len(o) == 1 else o.index(max(o)) for o in out]
    accuracy = '%.6f' % (sum(p == t for p, t in zip(picked, truth)) / len(out))
    assert accuracy == lrc['accuracy'], (accuracy, lrc)
    print('accuracy %s' % accuracy)
EOF

# lrc predict's CSV (prob_* or prediction* columns, in order) as %a rows.
cat >"$tmp/predicted.py" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, name in enumerate(rows[0]) if name.startswith(('prob_', 'prediction'))]
assert keep, rows[0]
for r in rows[1:]:
    print(' '.join(float.hex(float(r[i])) for i in keep))
EOF

# The arrays the compiled file holds, bit for bit the tensors of the
# model file: a main that prints each (its names found in the file).
cat >"$tmp/dump.py" <<'EOF'
import re, sys
source = open(sys.argv[1]).read()
arrays = re.findall(r'static const float (\w+)\[', source)
print('#include <stdio.h>\n#include "%s"\nint main(void)\n{\n    size_t i;' % sys.argv[1].rsplit('/', 1)[1])
for a in arrays:
    print('    printf("%s");' % a)
    print('    for (i = 0; i < sizeof %s / sizeof %s[0]; i++)' % (a, a))
    print('        printf(" %%a", (double)%s[i]);' % a)
    print('    printf("\\n");')
print('    return 0;\n}')
EOF
cat >"$tmp/same_bits.py" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])
from ref import read_model
import numpy as np
meta, tensors = read_model(sys.argv[1])
layers = json.loads(meta['layers'])
seen = 0
for line in open(sys.argv[2]):
    name, *values = line.split()
    got = np.array([float.fromhex(v) for v in values], dtype=np.float32)
    prefix, what = name.split('_')[-2:] if 'layer' in name else ('', name.split('_')[-1])
    key = (layers[int(prefix[5:])]['name'] + '/' + what) if prefix else 'normalize/' + what
    want = tensors[key].reshape(-1)
    assert got.tobytes() == want.tobytes(), key
    seen += want.size
assert seen == sum(t.size for t in tensors.values()), (seen, list(tensors))
print(seen)
EOF

# The ONNX file: onnx's own checker (full_check: types and shapes
# inferred through every node), the description carried in
# metadata_props, and the graph run by an evaluator written here in numpy
# (float32, as an ONNX runtime computes) from its nodes and initializers
# alone; prints its outputs as ref.py does.
cat >"$tmp/onnx_eval.py" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])
import numpy as np
import onnx
from onnx import numpy_helper
from ref import read_model

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
assert model.ir_version == 7 and [(o.domain, o.version) for o in model.opset_import] == [('', 13)]
meta, _ = read_model(sys.argv[2])
props = {p.key: p.value for p in model.metadata_props}
for key in ('inputs', 'output', 'targets', 'lrc_version', 'experiment_sha256', 'layers', 'normalize'):
    assert props[key] == meta[key], key
assert props.get('classes') == meta.get('classes')
graph = model.graph
assert [i.name for i in graph.input] == ['features'] and [o.name for o in graph.output] == ['outputs']
dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
assert dims(graph.input[0]) == ['N', len(json.loads(meta['inputs']))], dims(graph.input[0])
values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
values['features'] = np.loadtxt(sys.argv[3], delimiter=',', dtype=np.float32, skiprows=1, ndmin=2)
def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
ops = {
    'Sub': lambda a, b: a - b, 'Div': lambda a, b: a / b, 'Add': lambda a, b: a + b,
    'MatMul': lambda a, b: a @ b, 'Relu': lambda a: np.maximum(a, np.float32(0)),
    'Sigmoid': lambda a: np.float32(1) / (np.float32(1) + np.exp(-a)), 'Tanh': np.tanh,
    'Identity': lambda a: a,
}
for node in graph.node:
    args = [values[name] for name in node.input]
    if node.op_type == 'Softmax':
        attrs = {a.name: a.i for a in node.attribute}
        result = softmax(args[0], attrs.get('axis', -1))
    else:
        result = ops[node.op_type](*args)
    assert result.dtype == np.float32, (node.op_type, result.dtype)
    values[node.output[0]] = result
out = values['outputs']
assert dims(graph.output[0])[1] == out.shape[1]
for row in out:
    print(' '.join(float(v).hex() for v in row))
EOF

for m in iris binary diabetes digits; do
    if ! (cd "$tmp" && "$LRC" --quiet --out "$m.run" "$m.lr" >"$m.out" 2>"$m.err"); then
        notok "export $m: training" "$(head -3 "$tmp/$m.err")"
        continue
    fi
    cname=$m
    [ $m = iris ] && cname=model # the default
    if [ $m = iris ]; then
        "$LRC" export "$tmp/$m.run" --c "$tmp/$m.c" 2>"$tmp/err"
    else
        "$LRC" export "$tmp/$m.run/model.safetensors" --c "$tmp/$m.c" --name $cname 2>"$tmp/err"
    fi
    st=$?
    [ $st -eq 0 ] && [ ! -s "$tmp/err" ] && ok "export $m: lrc export --c" ||
        notok "export $m: lrc export --c" "exit $st: $(head -3 "$tmp/err")"
    check "export $m: the C file compiles alone with $CC $CFLAGS_EXPORT" \
        $CC $CFLAGS_EXPORT -c -o "$tmp/$m.o" "$tmp/$m.c"
    main_c "$m.c" $cname >"$tmp/main_$m.c"
    check "export $m: a main that includes it compiles" \
        $CC $CFLAGS_EXPORT -I"$tmp" -o "$tmp/$m.bin" "$tmp/main_$m.c" -lm
    data=$tmp/iris.csv
    case $m in binary) data=$tmp/virginica.csv ;; diabetes) data=$tmp/diabetes_test.csv ;;
        digits) data=$tmp/digits.csv ;; esac
    $PY "$tmp/features.py" "$tmp/$m.run/model.safetensors" "$data" "$tmp/$m.features"
    "$tmp/$m.bin" <"$tmp/$m.features" >"$tmp/$m.c.out"
    $PY "$tmp/ref.py" "$tmp/$m.run/model.safetensors" "$tmp/$m.features" >"$tmp/$m.ref.out"
    # The numpy model sums as lrc's loop does: without tanh and softmax
    # (whose tanhf and expf can differ from numpy's in the last bit, then
    # carried through) the outputs are the same floats.
    tolerance=1e-6
    case $m in binary | diabetes) tolerance=0 ;; esac
    if diff=$(compare "" "$tmp/$m.c.out" "$tmp/$m.ref.out" $tolerance 2>&1); then
        ok "export $m: the C outputs are the numpy model's on every row ($diff)"
    else notok "export $m: the C outputs are the numpy model's on every row" "$(echo "$diff" | tail -2)"; fi
    check "export $m: the C outputs give lrc's evaluate results" \
        $PY "$tmp/evaluate.py" "$tmp/$m.run/model.safetensors" "$tmp/$m.c.out" "$data" "$tmp/$m.out"
    # lrc predict runs blocks of rows through OpenBLAS: rounding apart, the
    # same numbers (lrc(1) gives the measured differences). A build without
    # predict yet (it reads `predict` as an experiment file) skips this.
    "$LRC" predict "$tmp/$m.run" "$data" >"$tmp/$m.pred.csv" 2>"$tmp/err"
    st=$?
    if [ $st -eq 0 ]; then
        $PY "$tmp/predicted.py" "$tmp/$m.pred.csv" >"$tmp/$m.pred.out" &&
            diff=$(compare "" "$tmp/$m.c.out" "$tmp/$m.pred.out" 1e-5 2>&1) &&
            ok "export $m: the C outputs are lrc predict's on every row ($diff)" ||
            notok "export $m: the C outputs are lrc predict's on every row" "$(echo "$diff" | tail -2)"
    elif ! grep -q "unexpected argument" "$tmp/err"; then
        notok "export $m: the C outputs are lrc predict's on every row" "exit $st: $(head -2 "$tmp/err")"
    fi
    $PY "$tmp/dump.py" "$tmp/$m.c" >"$tmp/dump_$m.c"
    $CC $CFLAGS_EXPORT -I"$tmp" -o "$tmp/dump_$m" "$tmp/dump_$m.c" -lm && "$tmp/dump_$m" >"$tmp/$m.dump"
    check "export $m: the compiled arrays are the model file's tensors, bit for bit" \
        $PY "$tmp/same_bits.py" "$tmp/$m.run/model.safetensors" "$tmp/$m.dump"

    expect "export $m: lrc export --onnx" 0 "" "$LRC" export "$tmp/$m.run" --onnx "$tmp/$m.onnx"
    if $PY "$tmp/onnx_eval.py" "$tmp/$m.onnx" "$tmp/$m.run/model.safetensors" "$tmp/$m.features" \
        >"$tmp/$m.onnx.out" 2>"$tmp/err"; then
        ok "export $m: the ONNX model passes onnx.checker (full_check) and carries the description"
    else notok "export $m: the ONNX model passes onnx.checker (full_check) and carries the description" \
        "$(tail -3 "$tmp/err")"; fi
    # float32 products summed by numpy's matmul (pairwise, SIMD) against
    # lrc's order: rounding apart, the same model.
    for other in c ref; do
        if diff=$(compare "" "$tmp/$m.onnx.out" "$tmp/$m.$other.out" 1e-5 2>&1); then
            ok "export $m: the ONNX graph, run in numpy, agrees with the $other outputs on every row ($diff)"
        else notok "export $m: the ONNX graph, run in numpy, agrees with the $other outputs on every row" \
            "$(echo "$diff" | tail -2)"; fi
    done
done

# --- the C name --------------------------------------------------------------
for bad in 1x _x a-b "$(printf 'n%.0s' $(seq 49))"; do
    expect "export: --name '$bad' is refused" 2 "^lrc: error: --name needs a C identifier .*not '$bad'" \
        "$LRC" export "$tmp/iris.run" --c "$tmp/bad_name.c" --name "$bad"
done
[ ! -e "$tmp/bad_name.c" ] && ok "export: a refused --name writes nothing" ||
    notok "export: a refused --name writes nothing" "$(ls "$tmp")"
"$LRC" export "$tmp/iris.run" --c "$tmp/named.c" --name Iris_2 &&
    grep -q '^int Iris_2_predict(const float \*features, float \*out)$' "$tmp/named.c" &&
    grep -q '^#define IRIS_2_FEATURES 4$' "$tmp/named.c" &&
    ok "export: --name prefixes the function and the macros" ||
    notok "export: --name prefixes the function and the macros" "$(grep -n predict "$tmp/named.c")"

# --- bad input: a clear error, and nothing written ---------------------------
run=$tmp/iris.run
# nothing_left NAME: no export file and no temporary one in $tmp/dest.
mkdir "$tmp/dest"
nothing_left() {
    if [ -z "$(ls -A "$tmp/dest")" ]; then ok "$1: nothing written"
    else notok "$1: nothing written" "$(ls -A "$tmp/dest")"; fi
}
head -c 300 "$run/model.safetensors" >"$tmp/truncated.safetensors"
expect "export: a damaged model is refused with its reason" 2 \
    "^lrc: error: cannot export: '.*truncated.safetensors' is truncated: header says [0-9]+ bytes" \
    "$LRC" export "$tmp/truncated.safetensors" --c "$tmp/dest/m.c" --onnx "$tmp/dest/m.onnx"
nothing_left "export: a damaged model"
expect "export: a model without its description (a checkpoint) says so" 2 \
    "^lrc: error: cannot export: '.*checkpoint.safetensors' has no model description \(it was saved before lrc 0.3.0" \
    "$LRC" export "$run/checkpoint.safetensors" --c "$tmp/dest/m.c" --onnx "$tmp/dest/m.onnx"
nothing_left "export: a model without its description"
expect "export: a missing model" 2 "^lrc: error: cannot export: cannot read '.*/nothing': No such file or directory" \
    "$LRC" export "$tmp/nothing" --c "$tmp/dest/m.c"
mkdir "$tmp/nothing"
expect "export: a directory without a model" 2 "^lrc: error: cannot export: cannot read '.*/nothing/model.safetensors': No such file or directory" \
    "$LRC" export "$tmp/nothing" --c "$tmp/dest/m.c"
expect "export: an unknown option is suggested" 2 "^lrc: error: unknown option '--onx'; did you mean '--onnx'\?" \
    "$LRC" export "$run" --onx "$tmp/dest/m.onnx"
expect "export: nothing to write" 2 "^lrc: error: export needs --c FILE.c or --onnx FILE.onnx \(or both\)" \
    "$LRC" export "$run"
expect "export: no model" 2 "^lrc: error: export needs a model: a model.safetensors or a run directory" \
    "$LRC" export --c "$tmp/dest/m.c"
expect "export: --c needs a file" 2 "^lrc: error: --c needs the C file to write" "$LRC" export "$run" --c
expect "export: --name needs --c" 2 "^lrc: error: --name names the C code: it needs --c FILE.c" \
    "$LRC" export "$run" --onnx "$tmp/dest/m.onnx" --name iris
expect "export: its options belong to export" 2 "^lrc: error: --onnx only applies to 'lrc export'" \
    "$LRC" check "$tmp/iris.lr" --onnx "$tmp/dest/m.onnx"
nothing_left "export: usage errors"
expect "export: a path that cannot be written" 1 "^lrc: error: cannot write '.*/dest/none/m.c': No such file or directory" \
    "$LRC" export "$run" --c "$tmp/dest/none/m.c"
expect "export: a path below a file" 1 "^lrc: error: cannot write '.*/iris.csv/m.onnx': Not a directory" \
    "$LRC" export "$run" --onnx "$tmp/iris.csv/m.onnx"
nothing_left "export: unwritable paths"
# A file-size limit makes the write fail partway (EFBIG), as a full disk would.
(ulimit -f 8; "$LRC" export "$tmp/digits.run" --c "$tmp/dest/big.c") >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "^lrc: error: cannot write '.*big.c': File too large" "$tmp/err" &&
    ok "export: a write that fails partway is an error" ||
    notok "export: a write that fails partway is an error" "exit $st: $(head -2 "$tmp/err")"
nothing_left "export: a write that fails partway"

# An existing file: refused, untouched, whichever of the two it is; --force replaces it.
printf 'keep\n' >"$tmp/dest/m.c"
printf 'keep\n' >"$tmp/dest/m.onnx"
expect "export: an existing C file is refused without --force" 2 \
    "^lrc: error: '.*/dest/m.c' already exists: choose another name, or replace it with --force" \
    "$LRC" export "$run" --c "$tmp/dest/m.c"
expect "export: an existing ONNX file is refused without --force, before the C file is written" 2 \
    "^lrc: error: '.*/dest/m.onnx' already exists" "$LRC" export "$run" --c "$tmp/dest/new.c" --onnx "$tmp/dest/m.onnx"
[ "$(cat "$tmp/dest/m.c" "$tmp/dest/m.onnx")" = "keep
keep" ] && [ ! -e "$tmp/dest/new.c" ] && ok "export: refused files are untouched and nothing else is written" ||
    notok "export: refused files are untouched and nothing else is written" "$(ls "$tmp/dest")"
expect "export: --force replaces them" 0 "" "$LRC" export "$run" --c "$tmp/dest/m.c" --onnx "$tmp/dest/m.onnx" --force
cmp -s "$tmp/dest/m.c" "$tmp/iris.c" && cmp -s "$tmp/dest/m.onnx" "$tmp/iris.onnx" &&
    ok "export: the replaced files are what a fresh export writes, byte for byte" ||
    notok "export: the replaced files are what a fresh export writes, byte for byte" "$(ls -l "$tmp/dest")"

# --- names that C must escape --------------------------------------------------
# A quote, a trigraph, a comment's end, a backslash and UTF-8, in the
# header comment and in the strings: the file compiles, and its names are
# the model's, byte for byte.
printf '"a""b",c??=d,e*/f,\303\251\\,y\n1,2,3,4,0\n2,3,4,5,1\n3,1,2,2,0\n4,4,4,4,1\n' >"$tmp/names.csv"
cat >"$tmp/names.lr" <<'EOF2'
seed 1
dataset w = csv("names.csv", label="y", features=["a\"b", "c??=d", "e*/f", "é\\"])
model dense(2, activation=sigmoid) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer sgd
train epochs=2
EOF2
(cd "$tmp" && "$LRC" --quiet --out names.run names.lr >/dev/null 2>&1)
"$LRC" export "$tmp/names.run" --c "$tmp/names.c" 2>"$tmp/err"
cat >"$tmp/names_main.c" <<'EOF2'
#include <stdio.h>
#include "names.c"
int main(void)
{
    int i;
    for (i = 0; i < MODEL_FEATURES; i++)
        printf("%s\n", model_feature_names[i]);
    return 0;
}
EOF2
if $CC $CFLAGS_EXPORT -Wtrigraphs -I"$tmp" -o "$tmp/names" "$tmp/names_main.c" -lm 2>"$tmp/err" &&
    "$tmp/names" >"$tmp/names.out" &&
    $PY -c "
import json, sys
sys.path.insert(0, '$tmp')
from ref import read_model
meta, _ = read_model('$tmp/names.run/model.safetensors')
got = open('$tmp/names.out', encoding='utf-8').read().split('\n')[:-1]
assert got == json.loads(meta['inputs']) == ['a\"b', 'c??=d', 'e*/f', 'é\\\\'], got
" 2>>"$tmp/err"; then ok "export: names with quotes, trigraphs, */, backslashes and UTF-8 compile and read back"
else notok "export: names with quotes, trigraphs, */, backslashes and UTF-8 compile and read back" "$(head -3 "$tmp/err")"; fi
