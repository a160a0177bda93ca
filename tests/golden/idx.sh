#!/bin/sh
# idx(...) data sets (issue 13) through the binary: IDX files written here
# by numpy (plain and gzip) train a softmax model to a sane accuracy, the
# same bytes either way; run.json's digests against sha256sum; --explain
# and lrc fmt keep idx(...); every error of the files with its exact
# message, place and status; the data path (LRC_DATA_PATH, its default
# /usr/share/datasets readable without --allow-read); the real
# Fashion-MNIST test set from any directory, and lrc check on it reading
# headers only; csv's shape=. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
now_ms() { date +%s%3N; }

# write.py DIR N: 10 classes of 4x4 u8 images, class k with pixel k at
# 250 and the others below 60, as images.gz/labels.gz and the same plain
# as images.idx/labels.idx; then files each damaged in one way.
cat >"$tmp/write.py" <<'EOF'
import gzip, os, struct, sys
import numpy as np
os.chdir(sys.argv[1])
def head(code, dims):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
def idx(path, arr, code, gz):
    data = head(code, arr.shape) + arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)
n = int(sys.argv[2])
rng = np.random.default_rng(1)
y = (np.arange(n) % 10).astype(np.uint8)
x = rng.integers(0, 60, size=(n, 4, 4)).astype(np.uint8)
x.reshape(n, 16)[np.arange(n), y] = 250
idx("images.gz", x, 0x08, True); idx("labels.gz", y, 0x08, True)
idx("images.idx", x, 0x08, False); idx("labels.idx", y, 0x08, False)
idx("labels16.idx", y.astype(np.int16), 0x0B, False)
open("magic.idx", "wb").write(b"PK\x03\x04" + bytes(100))
open("type.idx", "wb").write(head(0x0A, [n, 4, 4]) + bytes(16 * n))
open("short.idx", "wb").write(head(0x08, [n, 4, 4]) + bytes(16 * n - 600))
gzip.open("short.gz", "wb").write(head(0x08, [n, 4, 4]) + bytes(16 * n - 600))
open("huge.idx", "wb").write(head(0x08, [4000000000, 4000000000, 28]))
open("labels599.idx", "wb").write(head(0x08, [n - 1]) + bytes(n - 1))
open("labels2d.idx", "wb").write(head(0x08, [n, 1]) + bytes(n))
open("labelsf.idx", "wb").write(head(0x0D, [n]) + bytes(4 * n))
open("labels11.idx", "wb").write(head(0x08, [n]) + bytes([3] * (n - 2) + [11, 12]))
z = bytearray(gzip.compress(head(0x08, [n, 4, 4]) + bytes(range(256)) * 37 + bytes(16 * n - 256 * 37)))
z[len(z) // 2] ^= 0x55
open("corrupt.gz", "wb").write(bytes(z))
EOF
mkdir -p "$tmp/d" "$tmp/elsewhere"
$PY "$tmp/write.py" "$tmp/d" 600 || notok "idx: numpy writes the files" "write.py failed"
cd "$tmp/d" || exit 1

cat >t.lr <<'EOF'
seed 3
dataset digits = idx("images.gz", labels="labels.gz", scale=255) test=0.25
model flatten -> dense(10, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.05
train on=digits epochs=5 batch=32
evaluate on=digits.test metrics=[accuracy]
EOF

# --- a run on generated files ---------------------------------------------------
"$LRC" --threads 1 t.lr --out run >out.txt 2>err.txt
st=$?
if [ $st -eq 0 ] && [ "$(grep -c '^epoch [1-5]/5 loss [0-9.]*$' out.txt)" = 5 ] &&
    awk '/^evaluate digits.test/ { exit !($NF >= 0.95) } END { if (NR != 6) exit 1 }' out.txt; then
    ok "idx: a softmax model trains on gzip IDX files (5 epoch lines, test accuracy >= 0.95)"
else
    notok "idx: a softmax model trains on gzip IDX files" "exit $st: $(cat out.txt err.txt | head -8)"
fi
# Losses fall epoch by epoch on this separable set.
check "idx: the loss falls every epoch" awk '/^epoch/ { if (NR > 1 && $4 >= last) exit 1; last = $4 }' out.txt
sed 's/"images.gz"/"images.idx"/; s/"labels.gz"/"labels16.idx"/' t.lr >plain.lr
"$LRC" --threads 2 plain.lr >plain.txt 2>/dev/null
check "idx: plain files (i16 labels, 2 threads) give the same bytes as gzip ones" cmp out.txt plain.txt

# run.json records both files with their SHA-256 (of the files as stored).
check "idx: run.json has the images' and labels' SHA-256" $PY -c "
import hashlib, json
d = json.load(open('run/run.json'))['data'][0]
h = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
assert d['path'] == 'images.gz' and d['labels_path'] == 'labels.gz', d
assert d['sha256'] == h('images.gz') and d['labels_sha256'] == h('labels.gz'), d
assert d['rows'] == 600, d"
check "idx: lrc verify reproduces the run" "$LRC" verify run
cp labels16.idx labels.gz.new && cp labels.gz labels.gz.keep && mv labels.gz.new labels.gz
expect "idx: lrc verify names a labels file that changed" 2 \
    "data file '.*labels.gz' of data set 'digits' is not the one the run used" "$LRC" verify run
mv labels.gz.keep labels.gz

# --explain writes idx(...) back; what it writes runs to the same bytes.
"$LRC" check --explain t.lr >explained.lr 2>/dev/null
check "idx: --explain writes idx(...) with scale" grep -q \
    '^dataset digits = idx("images.gz", labels="labels.gz", scale=255) validation=0 test=0.25 normalize=none$' explained.lr
"$LRC" --threads 1 explained.lr >explained.txt 2>/dev/null
check "idx: the explained experiment gives the same bytes" cmp out.txt explained.txt
cp t.lr fmt.lr
check "idx: lrc fmt keeps idx(...)" "$LRC" fmt --check fmt.lr

# --- errors: exact message, place, status -------------------------------------------
# err NAME STATUS FROM TO MESSAGE: t.lr with FROM replaced by TO; lrc
# check (and the run, which finds the same) exit STATUS with MESSAGE.
err() {
    sed "s/$3/$4/" t.lr >e.lr
    expect_exact "idx: check: $1" "$2" "$5" "$LRC" check e.lr
    expect_exact "idx: run: $1" "$2" "$5" "$LRC" e.lr
}
line2() { printf '    dataset digits = idx("%s", labels="%s", scale=255) test=0.25\\n' "$1" "$2"; }
err "a file that is not IDX" 2 '"images.gz"' '"magic.idx"' \
    "e.lr:2:22: error: 'magic.idx' is not an IDX file: it begins with the bytes 50 4b, not 00 00\n$(line2 magic.idx labels.gz)                         ^~~~~~~~~~~\n"
err "an element type IDX does not define" 2 '"images.gz"' '"type.idx"' \
    "e.lr:2:22: error: 'type.idx' has the element type 0x0a, which IDX does not define (0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)\n$(line2 type.idx labels.gz)                         ^~~~~~~~~~\n"
err "a plain file shorter than its sizes" 2 '"images.gz"' '"short.idx"' \
    "e.lr:2:22: error: 'short.idx' is truncated: its sizes [600, 4, 4] need 9616 bytes and it has 9016\n$(line2 short.idx labels.gz)                         ^~~~~~~~~~~\n"
err "sizes past the limit" 2 '"images.gz"' '"huge.idx"' \
    "e.lr:2:22: error: 'huge.idx' has the sizes [4000000000, 4000000000, 28]: more than 2147483648 values (the most lrc reads from an IDX file)\n$(line2 huge.idx labels.gz)                         ^~~~~~~~~~\n"
err "a corrupt gzip stream (zlib's message)" 2 '"images.gz"' '"corrupt.gz"' \
    "e.lr:2:22: error: 'corrupt.gz' cannot be read: invalid distance too far back\n$(line2 corrupt.gz labels.gz)                         ^~~~~~~~~~~~\n"
err "fewer labels than images" 2 '"labels.gz"' '"labels599.idx"' \
    "e.lr:2:42: error: 'labels599.idx' has 599 labels but 'images.gz' has 600 images\n$(line2 images.gz labels599.idx)                                             ^~~~~~~~~~~~~~~\n"
err "labels of rank 2" 2 '"labels.gz"' '"labels2d.idx"' \
    "e.lr:2:42: error: labels file 'labels2d.idx' has the sizes [600, 1]: labels are one class index per image, [n]\n$(line2 images.gz labels2d.idx)                                             ^~~~~~~~~~~~~~\n"
err "labels that are not integers" 2 '"labels.gz"' '"labelsf.idx"' \
    "e.lr:2:42: error: labels file 'labelsf.idx' holds f32 values: labels are integers (u8, i8, i16 or i32)\n$(line2 images.gz labelsf.idx)                                             ^~~~~~~~~~~~~\n"
err "a missing file, with where it was looked for" 2 '"images.gz"' '"nothere.gz"' \
    "e.lr:2:22: error: cannot read data file 'nothere.gz': No such file or directory (looked for 'nothere.gz', '/usr/share/datasets/nothere.gz')\n$(line2 nothere.gz labels.gz)                         ^~~~~~~~~~~~\n"
# Found by the run only: a compressed file's values, labels against the model.
sed 's/"images.gz"/"short.gz"/' t.lr >e.lr
expect_exact "idx: check reads a compressed file's header only" 0 "" "$LRC" check e.lr
expect_exact "idx: run: a compressed file cut short is status 2" 2 \
    "e.lr:2:22: error: 'short.gz' is truncated: its sizes [600, 4, 4] make 9600 values and it ends after 9000\n$(line2 short.gz labels.gz)                         ^~~~~~~~~~\n" \
    "$LRC" e.lr
sed 's/"labels.gz"/"labels11.idx"/' t.lr >e.lr
expect_exact "idx: run: labels out of the model's classes, one error with the count" 2 \
    "e.lr:2:42: error: label 11 of image 599 in 'labels11.idx' is out of range (and 1 more): the model's 10 outputs are classes 0 to 9\n$(line2 images.gz labels11.idx)                                             ^~~~~~~~~~~~~~\n" \
    "$LRC" e.lr
sed 's/, labels="labels.gz"//' t.lr >e.lr
expect "idx: labels= is required" 2 "e.lr:2:18: error: .*labels" "$LRC" check e.lr
sed 's/scale=255/scale=0/' t.lr >e.lr
expect "idx: scale must be > 0" 2 "e.lr:2:.*: error: scale must be > 0" "$LRC" check e.lr

# --- the data path ----------------------------------------------------------------
mkdir -p "$tmp/dp/set" "$tmp/exp"
cp images.gz labels.gz "$tmp/dp/set/"
sed 's|"images.gz"|"set/images.gz"|; s|"labels.gz"|"set/labels.gz"|' t.lr >"$tmp/exp/dp.lr"
cd "$tmp/elsewhere" || exit 1
LRC_DATA_PATH="$tmp/none:$tmp/dp" "$LRC" --threads 1 ../exp/dp.lr >dp.txt 2>err.txt
check "idx: LRC_DATA_PATH finds the files, in order, readable under the sandbox" cmp "$tmp/d/out.txt" dp.txt
expect_exact "idx: without them on the data path, every place looked is named" 2 \
    "../exp/dp.lr:2:22: error: cannot read data file 'set/images.gz': No such file or directory (looked for '../exp/set/images.gz', '$tmp/none/set/images.gz', '$tmp/none2/set/images.gz')\n    dataset digits = idx(\"set/images.gz\", labels=\"set/labels.gz\", scale=255) test=0.25\n                         ^~~~~~~~~~~~~~~\n" \
    env LRC_DATA_PATH="$tmp/none::$tmp/none2" "$LRC" check ../exp/dp.lr
expect_exact "idx: an empty LRC_DATA_PATH looks nowhere else" 2 \
    "../exp/dp.lr:2:22: error: cannot read data file 'set/images.gz': No such file or directory\n    dataset digits = idx(\"set/images.gz\", labels=\"set/labels.gz\", scale=255) test=0.25\n                         ^~~~~~~~~~~~~~~\n" \
    env LRC_DATA_PATH= "$LRC" check ../exp/dp.lr
LRC_DATA_PATH="$tmp/dp" "$LRC" check --explain ../exp/dp.lr >dp_explained.lr 2>/dev/null
check "idx: --explain writes the path found along the data path" grep -q \
    "idx(\"$tmp/dp/set/images.gz\", labels=\"$tmp/dp/set/labels.gz\", scale=255)" dp_explained.lr

# The file's own directory comes first, csv's paths too.
printf 'x,y\n1,0\n2,1\n3,0\n4,1\n' >"$tmp/dp/set/c.csv"
printf 'dataset c = csv("set/c.csv", label="y")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain on=c epochs=1 batch=2\n' >"$tmp/exp/c.lr"
expect "idx: csv(...) is found along the data path too" 0 "" env LRC_DATA_PATH="$tmp/dp" "$LRC" --quiet ../exp/c.lr

# --- the real Fashion-MNIST test set, from any directory, no --allow-read ----------
fm=/usr/share/datasets/fashion-mnist
if [ -r "$fm/t10k-images-idx3-ubyte.gz" ]; then
    cat >"$tmp/elsewhere/fashion.lr" <<'EOF'
seed 1
dataset fashion = idx("fashion-mnist/t10k-images-idx3-ubyte.gz",
                      labels="fashion-mnist/t10k-labels-idx1-ubyte.gz", scale=255) test=0.8
model flatten -> dense(64, activation=relu) -> dense(10, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.002
train on=fashion epochs=1 batch=64
evaluate on=fashion.test metrics=[accuracy]
EOF
    t0=$(now_ms)
    "$LRC" check fashion.lr >check.txt 2>&1
    st=$?
    t1=$(now_ms)
    if [ $st -eq 0 ] && [ $((t1 - t0)) -lt 1000 ]; then
        ok "idx: lrc check on Fashion-MNIST takes $((t1 - t0)) ms (< 1 s: headers only)"
    else
        notok "idx: lrc check on Fashion-MNIST is fast" "exit $st in $((t1 - t0)) ms: $(head -3 check.txt)"
    fi
    t0=$(now_ms)
    "$LRC" fashion.lr >fashion.txt 2>err.txt
    st=$?
    t1=$(now_ms)
    if [ $st -eq 0 ] && [ $((t1 - t0)) -lt 10000 ] &&
        awk '/^evaluate fashion.test/ { found = 1; exit !($NF > 0.6) } END { exit !found }' fashion.txt; then
        ok "idx: Fashion-MNIST (2000 training images, 1 epoch) from the data path: $(tail -1 fashion.txt), $((t1 - t0)) ms"
    else
        notok "idx: Fashion-MNIST from the data path" "exit $st in $((t1 - t0)) ms: $(cat fashion.txt err.txt | head -5)"
    fi
else
    ok "# skip Fashion-MNIST: $fm is not installed (make deps installs dataset-fashion-mnist)"
fi

# --- csv's shape= ------------------------------------------------------------------------
cd "$tmp/d" || exit 1
$PY -c "
import random
random.seed(2)
print(','.join(['p%d' % i for i in range(63)] + ['digit']))
for r in range(40):
    print(','.join([str(random.randint(0, 16)) for _ in range(63)] + [str(r % 10)]))" >digits.csv
printf 'dataset d = csv("digits.csv", label="digit", shape=[7, 9, 1])\nmodel flatten -> dense(10, activation=softmax)\nloss categorical_crossentropy\noptimizer adam\ntrain on=d epochs=1 batch=8\n' >shape.lr
expect "idx: csv(..., shape=) whose sizes make the feature count runs" 0 "" "$LRC" --quiet shape.lr
"$LRC" check --explain shape.lr >shape_explained.txt 2>&1
check "idx: --explain keeps shape=" grep -q 'csv("digits.csv", labels=\["digit"\], .*shape=\[7, 9, 1\])' shape_explained.txt
sed 's/shape=\[7, 9, 1\]/shape=[8, 8, 1]/' shape.lr >e.lr
expect_exact "idx: csv shape= that does not make the feature count" 2 \
    "e.lr:1:52: error: shape [8, 8, 1] has 64 values but the data set has 63 features\n    dataset d = csv(\"digits.csv\", label=\"digit\", shape=[8, 8, 1])\n                                                       ^~~~~~~~~\n" \
    "$LRC" check e.lr
sed 's/shape=\[7, 9, 1\]/shape=[7, 9]/' shape.lr >e.lr
expect "idx: csv shape= of rank 2" 2 "e.lr:1:52: error: shape must be \[n\] or an image's \[height, width, channels\]" "$LRC" check e.lr
sed 's/shape=\[7, 9, 1\]/shape=[63, 0, 1]/' shape.lr >e.lr
expect "idx: csv shape= with a size of 0" 2 "e.lr:1:5[0-9]: error: shape must be an integer from 1 to 16777216" "$LRC" check e.lr
