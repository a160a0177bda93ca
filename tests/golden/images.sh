#!/bin/sh
# Image models end to end (issue 13): a small CNN with batchnorm trained
# for one epoch on 2,000 real Fashion-MNIST images (the t10k file, a fifth
# of it, through the data path) beats chance clearly, with the same
# stdout and model bytes on 1 and 2 threads; a run halted and resumed
# ends with the bytes of one never halted (the moving statistics
# included); lrc summary's shapes and parameter counts are the formulas';
# lrc predict of the saved model on a CSV file of images is the run's
# predict statement and evaluate; the digits CNN (csv's shape=) beats
# digits.lr on the same split; shape errors; export refuses image layers;
# tests/torch_parity.py (one SGD step against PyTorch). A few seconds in
# all. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
cd "$tmp" || exit 1

# probe: the last 300 test images as an IDX pair and as a CSV file of
# the same float32 values (x1..x784, scaled by 255 in double as idx does).
cat >slice.py <<'EOF'
import gzip, struct
import numpy as np
def read(path):
    raw = gzip.open("/usr/share/datasets/fashion-mnist/" + path).read()
    dims = struct.unpack(">%dI" % raw[3], raw[4:4 + 4 * raw[3]])
    return np.frombuffer(raw[4 + 4 * raw[3]:], np.uint8).reshape(dims)
x = read("t10k-images-idx3-ubyte.gz")[-300:]
y = read("t10k-labels-idx1-ubyte.gz")[-300:]
def idx(path, a):
    head = bytes([0, 0, 8, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape)
    open(path, "wb").write(head + a.tobytes())
idx("probe-images.idx", x)
idx("probe-labels.idx", y)
with open("probe.csv", "w") as f:
    f.write(",".join("x%d" % i for i in range(1, 785)) + "\n")
    for row in x.reshape(len(x), 784):
        f.write(",".join(repr(float(np.float32(v / 255.0))) for v in row) + "\n")
open("probe-labels.txt", "w").write("".join("%d\n" % v for v in y))
EOF
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
    notok "images: Fashion-MNIST" "dataset-fashion-mnist is not installed (make deps)"
    exit 0
fi
$PY slice.py || notok "images: numpy writes the probe files" "slice.py failed"

# Momentum 0.9: 63 updates leave 0.99's moving statistics half way from
# their start (0.99^63 = 0.53), and an evaluation with them near chance.
cat >cnn.lr <<'EOF'
seed 4
let epochs = 1
dataset fashion = idx("fashion-mnist/t10k-images-idx3-ubyte.gz",
                      labels="fashion-mnist/t10k-labels-idx1-ubyte.gz",
                      scale=255) test=0.8
dataset probe = idx("probe-images.idx", labels="probe-labels.idx", scale=255)
model conv2d(8, padding=same) -> batchnorm(momentum=0.9) -> relu -> maxpool2d ->
      conv2d(16) -> batchnorm(momentum=0.9) -> relu -> maxpool2d -> flatten ->
      dense(10, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.003
train on=fashion epochs=epochs batch=32 metrics=[accuracy]
evaluate on=fashion.test metrics=[accuracy]
evaluate on=probe metrics=[accuracy]
predict on=probe to="probe-pred.csv"
EOF

# --- one epoch on 2,000 images, on 1 and 2 threads ----------------------------
for n in 1 2; do
    "$LRC" --quiet --threads $n --allow-write "$tmp" --out run$n cnn.lr >out$n.txt 2>err$n.txt ||
        notok "images: the CNN runs on $n threads" "$(head -3 err$n.txt)"
    mv probe-pred.csv probe-pred$n.csv 2>/dev/null
done
awk '/^evaluate fashion.test / { found = 1; exit !($NF >= 0.5) } END { if (!found) exit 1 }' out1.txt &&
    ok "images: 1 epoch on 2,000 images, test accuracy >= 0.5 ($(awk '/^evaluate fashion.test/ { print $NF }' out1.txt) on 8,000)" ||
    notok "images: 1 epoch on 2,000 images, test accuracy >= 0.5" "$(cat out1.txt err1.txt | head -5)"
check "images: the same stdout on 1 and 2 threads" cmp out1.txt out2.txt
check "images: the same model bytes on 1 and 2 threads" cmp run1/model.safetensors run2/model.safetensors
check "images: the same predictions on 1 and 2 threads" cmp probe-pred1.csv probe-pred2.csv
check "images: the model holds batchnorm's moving statistics" $PY -c "
import json, struct
f = open('run1/model.safetensors', 'rb')
h = json.loads(f.read(struct.unpack('<Q', f.read(8))[0]))
for l, c in (('batch_normalization', 8), ('batch_normalization_1', 16)):
    for t in ('gamma', 'beta', 'moving_mean', 'moving_variance'):
        assert h[l + '/' + t]['shape'] == [c], (l, t, h.get(l + '/' + t))"

# --- exact resume with batchnorm ------------------------------------------------
# Two epochs of 63 updates, halted in the first and in the second (after
# the first's checkpoint): the resumed run's weights (the moving
# statistics included), stdout and metrics.csv rows are the uninterrupted
# run's.
rows() { sed 's/,[^,]*$//' "$1"; }
"$LRC" --quiet --set epochs=2 --allow-write "$tmp" --out whole cnn.lr >whole.txt 2>err.txt ||
    notok "images: two epochs" "$(head -3 err.txt)"
bad=""
for at in 20 100; do
    rm -rf part
    "$LRC" --quiet --set epochs=2 --checkpoint-every 1epoch --allow-write "$tmp" --out part \
        --halt-after $at cnn.lr >/dev/null 2>&1
    st=$?
    "$LRC" --quiet --allow-write "$tmp" --resume part >part.txt 2>err.txt
    if [ $st -ne 130 ]; then bad="$bad; halt at $at: exit $st"
    elif ! cmp -s whole/model.safetensors part/model.safetensors; then bad="$bad; $at: weights differ"
    elif ! cmp -s whole.txt part.txt; then bad="$bad; $at: stdout differs: $(head -2 err.txt)"
    elif [ "$(rows whole/metrics.csv)" != "$(rows part/metrics.csv)" ]; then bad="$bad; $at: metrics.csv differs"
    fi
done
[ -z "$bad" ] && ok "images: resume after a halt at update 20 or 100 is exact (batchnorm)" ||
    notok "images: resume after a halt at update 20 or 100 is exact (batchnorm)" "${bad#; }"

# --- lrc summary: each layer's output shape and parameters -------------------------
# Computed here: conv kh*kw*cin*f + f, batchnorm 4 per channel, dense
# in*units + units; 28 -same-> 28 -pool-> 14 -valid 3-> 12 -pool-> 6.
c1=$((3 * 3 * 1 * 8 + 8)) b1=$((4 * 8)) c2=$((3 * 3 * 8 * 16 + 16)) b2=$((4 * 16))
flat=$((6 * 6 * 16)) d=$((flat * 10 + 10))
cat >summary.want <<EOF
conv2d (None, 28, 28, 8) $c1
batch_normalization (None, 28, 28, 8) $b1
activation (None, 28, 28, 8) 0
max_pooling2d (None, 14, 14, 8) 0
conv2d_1 (None, 12, 12, 16) $c2
batch_normalization_1 (None, 12, 12, 16) $b2
activation_1 (None, 12, 12, 16) 0
max_pooling2d_1 (None, 6, 6, 16) 0
flatten (None, $flat) 0
dense (None, 10) $d
total $((c1 + b1 + c2 + b2 + d))
EOF
# name, shape and count of each layer row; the total.
table() {
    awk '/^[a-z_0-9]+ \(/ { s = $0; sub(/^[^(]*\([A-Za-z0-9]+\) +/, "", s)
                            shape = substr(s, 1, index(s, ")")); n = $NF; gsub(/,/, "", n)
                            print $1, shape, n }
         /^Total params:/ { n = $3; gsub(/,/, "", n); print "total", n }'
}
"$LRC" summary cnn.lr 2>&1 | table >summary.got
check "images: lrc summary of the experiment: shapes and parameters by the formulas" cmp summary.want summary.got
"$LRC" summary run1 2>&1 | table >summary.saved
check "images: lrc summary of the saved model: the same" cmp summary.want summary.saved

# --- lrc predict of the saved model on a CSV file of images ---------------------------
"$LRC" predict run1 probe.csv -o predicted.csv >/dev/null 2>err.txt ||
    notok "images: lrc predict on probe.csv" "$(head -3 err.txt)"
# Byte for byte: the run measures 73 images at a time (plan.c's eval_rows)
# and lrc predict up to 1024, and conv2d computes each image in a product
# of its own shape, so no image's rounding depends on its neighbours.
check "images: lrc predict on the CSV file is the run's predict statement, byte for byte" \
    cmp predicted.csv probe-pred1.csv
# Its classes against the labels: the run's evaluate of the same images.
acc=$(cut -d, -f1 predicted.csv | tail -n +2 | paste -d' ' - probe-labels.txt |
      awk '{ n++; if ($1 == $2) good++ } END { printf "%.6f", good / n }')
grep -q "^evaluate probe loss [0-9.]* accuracy $acc\$" out1.txt &&
    ok "images: lrc predict's accuracy on the probe images is evaluate's ($acc)" ||
    notok "images: lrc predict's accuracy is evaluate's" "predict $acc; $(grep probe out1.txt)"

# --- the digits as 8x8x1 images (csv's shape=) --------------------------------------
cp -r "$top/examples" ex
(cd ex && "$LRC" --quiet --out ../mlp digits.lr >../mlp.txt 2>../err.txt) ||
    notok "images: digits.lr" "$(head -3 err.txt)"
(cd ex && "$LRC" --quiet --out ../cnn digits_cnn.lr >../cnn.txt 2>../err.txt) ||
    notok "images: digits_cnn.lr" "$(head -3 err.txt)"
check "images: digits_cnn.lr splits the digits as digits.lr does" cmp mlp/split.csv cnn/split.csv
mlp=$(awk '/^evaluate digits.test/ { print $NF }' mlp.txt)
cnn=$(awk '/^evaluate digits.test/ { print $NF }' cnn.txt)
awk -v a="$cnn" -v b="$mlp" 'BEGIN { exit !(a > b) }' &&
    ok "images: digits_cnn.lr's test accuracy beats digits.lr's ($cnn > $mlp)" ||
    notok "images: digits_cnn.lr's test accuracy beats digits.lr's" "cnn '$cnn', mlp '$mlp'"

# --- shape errors, before anything runs ----------------------------------------------
# shaped FILE MODEL: an experiment on the Fashion-MNIST test images.
shaped() {
    printf '%s\n' 'dataset fashion = idx("fashion-mnist/t10k-images-idx3-ubyte.gz",' \
        '                      labels="fashion-mnist/t10k-labels-idx1-ubyte.gz")' \
        "model $2" 'loss categorical_crossentropy' 'optimizer adam' 'train epochs=1' >"$1"
}
shaped flat.lr 'conv2d(8) -> maxpool2d -> flatten -> conv2d(64) -> flatten -> dense(10, activation=softmax)'
expect_exact "images: conv2d after flatten" 2 \
    "flat.lr:3:44: error: conv2d needs an image input [height, width, channels] but flatten gives [1352]
    model conv2d(8) -> maxpool2d -> flatten -> conv2d(64) -> flatten -> dense(10, activation=softmax)
                                               ^~~~~~~~~~\n" "$LRC" check flat.lr
shaped dense.lr 'conv2d(8) -> dense(10, activation=softmax)'
expect_exact "images: dense on an image asks for flatten" 2 \
    "dense.lr:3:20: error: dense needs a flat input but conv2d gives [26, 26, 8]: put flatten before it
    model conv2d(8) -> dense(10, activation=softmax)
                       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" "$LRC" check dense.lr
shaped window.lr 'conv2d(8, kernel=5) -> maxpool2d(size=8) -> maxpool2d(size=4) -> flatten -> dense(10)'
expect_exact "images: a window larger than its input" 2 \
    "window.lr:3:51: error: maxpool2d's window 4x4 does not fit: maxpool2d gives [3, 3, 8] (padding=valid)
    model conv2d(8, kernel=5) -> maxpool2d(size=8) -> maxpool2d(size=4) -> flatten -> dense(10)
                                                      ^~~~~~~~~~~~~~~~~\n" "$LRC" check window.lr
shaped reshape.lr 'reshape([28, 28, 2]) -> flatten -> dense(10, activation=softmax)'
expect_exact "images: reshape to a different count" 2 \
    "reshape.lr:3:7: error: reshape to [28, 28, 2] needs 1568 values but the model's input is [28, 28, 1] (784)
    model reshape([28, 28, 2]) -> flatten -> dense(10, activation=softmax)
          ^~~~~~~~~~~~~~~~~~~~\n" "$LRC" check reshape.lr
printf '%s\n' 'dataset d = csv("ex/data/digits.csv", label="digit")' \
    'model conv2d(8) -> flatten -> dense(10, activation=softmax)' \
    'loss categorical_crossentropy' 'optimizer adam' 'train epochs=1' >rows.lr
expect_exact "images: conv2d on rows without a shape names input= and shape=" 2 \
    "rows.lr:2:7: error: conv2d needs an image input [height, width, channels] but the model's input is [64] (give the model input=[h, w, c], or the data set shape=)
    model conv2d(8) -> flatten -> dense(10, activation=softmax)
          ^~~~~~~~~\n" "$LRC" check rows.lr

# --- export refuses a CNN --------------------------------------------------------------
for what in "--c cnn.c" "--onnx cnn.onnx"; do
    # shellcheck disable=SC2086
    expect_exact "images: lrc export $what refuses a CNN" 2 \
        "lrc: error: cannot export 'run1/model.safetensors': its layer 'conv2d' (conv2d) is not exported yet; lrc export writes dense, dropout and activation layers\n" \
        "$LRC" export run1 $what
done
[ ! -e cnn.c ] && [ ! -e cnn.onnx ] && ok "images: a refused export writes nothing" ||
    notok "images: a refused export writes nothing" "$(ls cnn.*)"

# --- one SGD step against PyTorch --------------------------------------------------------
$PY "$top/tests/torch_parity.py" "$LRC" parity 2>err.txt || notok "images: torch_parity.py" "$(tail -3 err.txt)"
