#!/bin/sh
# Under mpirun each rank holds only its share of the data set it trains
# on (lrc(1), Training over MPI): a CSV file's records by byte ranges, IDX
# images and generated rows by row ranges. Held to: the same stdout,
# model, split.csv, confusion matrix and data digests as lrc alone, for
# CSV files (text labels with stratify=true, standard normalization,
# validation and test parts; quoted line breaks where the byte ranges
# meet), IDX files plain and gzipped, a generator with auc; run.json
# says each rank's rows; a predict statement on the data set
# keeps it whole; a bad value in the last rank's rows is said once at its
# line; and a data set larger than the memory a process may have (ulimit
# -d) trains under 4 ranks, where lrc alone cannot load it.
. "$(dirname "$0")/../golden_lib.sh"
if ! command -v mpirun >/dev/null 2>&1; then
    echo "ok mpi_data # skip: mpirun is not installed (make deps installs openmpi-bin)"
    exit 0
fi
lrc_build
cp "$top/tests/mpi.supp" "$tmp/mpi.supp"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
LSAN_OPTIONS=suppressions=$tmp/mpi.supp:print_suppressions=0
OMPI_MCA_mca_base_component_disable_dlclose=1
OMPI_MCA_mpi_yield_when_idle=1
export ASAN_OPTIONS LSAN_OPTIONS OMPI_MCA_mca_base_component_disable_dlclose OMPI_MCA_mpi_yield_when_idle
mpi() { np=$1; shift; timeout 300 mpirun --allow-run-as-root --oversubscribe -np "$np" "$@"; }
cd "$tmp" || exit 1

solo() { d=$1; shift; "$LRC" "$@" --out "$d" >"$d.out" 2>"$d.err"; st=$?; }
ranks() { n=$1 d=$2; shift 2; mpi "$n" "$LRC" "$@" --out "$d" >"$d.out" 2>"$d.err"; st=$?; }
# json DIR EXPR: a value of DIR/run.json.
json() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1/run.json"; }
# same NAME DIR REF [FILES...]: DIR's stdout, model and FILES equal REF's,
# and its ranks held shares of every row.
same() {
    name=$1 d=$2 ref=$3
    shift 3
    why=
    if [ "$st" -ne 0 ]; then why="exit $st: $(grep -v '^-\|^ *$' "$d.err" | head -3)"
    elif ! cmp -s "$ref.out" "$d.out"; then why="stdout differs: $(diff "$ref.out" "$d.out" | head -3)"
    else
        for f in model.safetensors "$@"; do
            cmp -s "$ref/$f" "$d/$f" || why="$why $f differs"
        done
        [ "$(json "$d" "r['data'] == json.load(open('$ref/run.json'))['data']")" = True ] ||
            why="$why run.json's data (rows, digests) differ"
        held=$(json "$d" "r['mpi']['data'], sum(r['mpi']['rows_held']) == r['data'][0]['rows']")
        [ "$held" = "shares True" ] || why="$why mpi: $held"
    fi
    if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

# --- a CSV file: text labels, stratified, normalized --------------------
# iris with its species as text (some quoted), so that the classes are
# named from every rank's labels.
awk -F, 'NR == 1 { print; next }
         { s = $5 == 0 ? "setosa" : $5 == 1 ? "\"versi,color\"" : "virginica"
           print $1 "," $2 "," $3 "," $4 "," s }' "$top/examples/data/iris.csv" >iris.csv
cat >iris.lr <<'EOF'
seed 11
dataset iris = csv("iris.csv", label="species") validation=0.2 test=0.2 stratify=true normalize=standard
model dense(16, activation=relu) -> dropout(0.1) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.02
train epochs=12 batch=16 shard=4 metrics=[accuracy, f1]
evaluate on=iris.test metrics=[accuracy, precision] confusion=true
EOF
solo iris.ref iris.lr --threads 1
if [ $st -ne 0 ] || ! grep -q 'evaluate iris.test' iris.ref.out; then
    notok "mpi_data iris reference" "exit $st: $(head -3 iris.ref.err)"
fi
for n in 2 3 4; do
    ranks $n iris.$n iris.lr --threads 1
    same "mpi_data -np $n, CSV shares (text labels, stratify, normalize): lrc alone's bytes" \
        iris.$n iris.ref split.csv confusion-1.csv
done
# Each rank's records, by byte ranges: three ranks hold about 50 each.
if [ "$(json iris.3 "min(r['mpi']['rows_held']) >= 40 and max(r['mpi']['rows_held']) <= 60")" = True ]; then
    ok "mpi_data -np 3: each rank held about a third of the rows"
else
    notok "mpi_data -np 3 rows held" "$(json iris.3 "r['mpi']")"
fi

# Quoted fields holding line breaks and commas: a byte range begins
# inside one as often as not, and the records are still the file's.
/usr/bin/python3 - <<'EOF'
with open('notes.csv', 'w') as f:
    f.write('a,note,b,y\n')
    for i in range(400):
        a, b = (i * 37 % 101) / 20, (i * 53 % 97) / 48 - 1
        f.write('%.4f,"line one\nline, two ""quoted""\n%d",%.4f,%.4f\n' % (a, i, b, 0.3 * a - 0.5 * b))
EOF
cat >notes.lr <<'EOF'
seed 1
dataset q = csv("notes.csv", label="y", features=["a", "b"]) validation=0.2 normalize=standard
model dense(8, activation=tanh) -> dense(1)
loss mse
optimizer adam lr=0.01
train epochs=5 batch=20 shard=5
EOF
solo notes.ref notes.lr --threads 1
for n in 3 4; do
    ranks $n notes.$n notes.lr --threads 1
    same "mpi_data -np $n, CSV records with quoted line breaks across the byte ranges: lrc alone's bytes" \
        notes.$n notes.ref split.csv
done

# --- IDX files, plain and gzipped ---------------------------------------
/usr/bin/python3 - <<'EOF'
import gzip, struct
n, side = 403, 6
labels = bytes((i * 7 + i // 5) % 4 for i in range(n))
images = bytes((i * 31 + j * labels[i] * 17 + j * j) % 256 for i in range(n) for j in range(side * side))
img = struct.pack('>BBBBIII', 0, 0, 8, 3, n, side, side) + images
lab = struct.pack('>BBBBI', 0, 0, 8, 1, n) + labels
for name, data in (('img.idx', img), ('lab.idx', lab)):
    open(name, 'wb').write(data)
    gzip.open(name + '.gz', 'wb').write(data)
EOF
for z in "" .gz; do
    cat >idx$z.lr <<EOF
seed 4
dataset d = idx("img.idx$z", labels="lab.idx$z", scale=255) validation=0.1 test=0.2
model flatten -> dense(24, activation=relu) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train epochs=5 batch=20 shard=5 metrics=[accuracy]
evaluate on=d.test metrics=[accuracy]
EOF
    solo idx$z.ref idx$z.lr --threads 1
    ranks 3 idx$z.3 idx$z.lr --threads 1
    same "mpi_data -np 3, IDX${z:+ gzipped} shares: lrc alone's bytes" idx$z.3 idx$z.ref split.csv
done

# --- a generator, and auc's scores gathered -------------------------------
cat >moons.lr <<'EOF'
seed 9
dataset m = moons(n=1203, noise=0.2) validation=0.15 test=0.15 stratify=true
model dense(16, activation=tanh) -> dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer adam lr=0.02
train epochs=6 batch=50 shard=10 metrics=[accuracy, auc]
evaluate on=m.test metrics=[auc, recall]
EOF
solo moons.ref moons.lr --threads 1
for n in 2 4; do
    ranks $n moons.$n moons.lr --threads 1
    same "mpi_data -np $n, generated shares with auc: lrc alone's bytes" moons.$n moons.ref split.csv
done

# --- a predict statement on the data set keeps it whole -------------------
sed 's|^evaluate .*|predict on=m.test to="pred.csv"|' moons.lr >whole.lr
sed 's|pred.csv|pred2.csv|' whole.lr >whole2.lr
solo whole.ref whole.lr --threads 1 --allow-write "$tmp"
ranks 2 whole.2 whole2.lr --threads 1 --allow-write "$tmp"
if [ $st -eq 0 ] && cmp -s whole.ref.out whole.2.out && cmp -s pred.csv pred2.csv &&
    [ "$(json whole.2 "r['mpi']['data']")" = whole ]; then
    ok "mpi_data -np 2 with a predict statement on the data set: held whole, same bytes"
else
    notok "mpi_data predict keeps the data whole" "exit $st: $(json whole.2 "r['mpi']" 2>&1 | head -2)"
fi

# --- an error in the last rank's rows --------------------------------------
awk 'NR == 140 { sub(/^[^,]*/, "5.x") } { print }' iris.csv >bad.csv
sed 's/iris.csv/bad.csv/' iris.lr >bad.lr
mpi 3 "$LRC" bad.lr >bad.out 2>bad.err
st=$?
if [ $st -eq 2 ] && [ "$(grep -c 'error' bad.err)" -eq 1 ] &&
    grep -q "bad.csv:140:1: error: non-numeric value '5.x' in column 'sepal_length'" bad.err &&
    [ ! -s bad.out ]; then
    ok "mpi_data -np 3, a bad value in the last rank's rows: status 2, said once at its line"
else
    notok "mpi_data bad value in a worker's rows" "exit $st: $(grep -v '^-' bad.err | head -3)"
fi

# --- larger than a process may hold ----------------------------------------
# (not in a sanitizer build: ASan reserves terabytes of address space)
if grep -q __asan_init "$LRC"; then
    ok "mpi_data: sanitizer build: the data set under ulimit -d skipped"
    exit 0
fi
# 1.2 million rows of 100 features: 485 MB of floats. Under a data limit
# of 450 MB lrc alone cannot hold them; 4 ranks hold 121 MB each (and
# their validation tenth aside while the parts are arranged), with
# OpenBLAS's buffers beside.
cat >big.lr <<'EOF'
seed 2
dataset big = linear(n=1200000, features=100, noise=0.1) validation=0.1 normalize=standard
model dense(1)
loss mse
optimizer sgd lr=0.01
train epochs=1 batch=4000 shard=1000
EOF
(ulimit -d 460800 && "$LRC" big.lr --threads 1 >bigsolo.out 2>bigsolo.err)
st=$?
if [ $st -eq 1 ] && grep -q 'out of memory' bigsolo.err; then
    ok "mpi_data: lrc alone under ulimit -d 450 MB cannot hold the 485 MB data set (status 1)"
else
    notok "mpi_data big alone" "exit $st: $(head -3 bigsolo.err)"
fi
(ulimit -d 460800 && mpi 4 "$LRC" big.lr --threads 1 --out big.4 >big.4.out 2>big.4.err)
st=$?
solo big.ref big.lr --threads 1
same "mpi_data -np 4 under ulimit -d 450 MB: trains the data set alone lrc cannot, to its bytes" \
    big.4 big.ref
