#!/bin/sh
# train shard=: the exact sum of the shards' gradients. A sharded run
# prints what the same run without shards prints (to the 6 digits of its
# result lines: the sum differs from the whole batch's gradient only by
# rounding); the same stdout and model bytes on 1 and 2 threads and under
# mpirun -np 2, 3 and 6 (5 shards: one rank computes none); a gradient that
# overflows in a shard while the loss stays finite stops the run at the
# next step, as without shards, on one process and on two ranks.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
cd "$tmp" || exit 1

cat >sharded.lr <<'EOF'
seed 7
dataset d = blobs(n=600, features=20, classes=4, spread=12) normalize=standard
model dense(32, activation=relu) -> dropout(0.2) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer sgd lr=0.05 momentum=0.9
train epochs=3 batch=40 shuffle=true shard=8 metrics=[accuracy]
EOF
sed 's/ shard=8//' sharded.lr >whole.lr

"$LRC" --threads 1 whole.lr >whole.out 2>err || cat err
"$LRC" --threads 1 sharded.lr --out t1 >t1.out 2>err || cat err
# The loss of a 40-row batch from five shards, against the whole batch's:
# a shard left out or scaled wrong moves it in the first digits.
[ "$(wc -l <whole.out)" -eq 3 ] && cmp -s whole.out t1.out &&
    ok "scaling: shard=8 trains as the whole batch does" ||
    notok "scaling: shard=8 trains as the whole batch does" "$(diff whole.out t1.out | head -4)"

"$LRC" --threads 2 sharded.lr --out t2 >t2.out 2>err
cmp -s t1.out t2.out && cmp -s t1/model.safetensors t2/model.safetensors &&
    ok "scaling: shards on 1 and 2 threads, the same bytes" ||
    notok "scaling: shards on 1 and 2 threads, the same bytes" "$(head -3 err)"

cat >big.csv <<'EOF'
x1,x2,y
EOF
i=1
while [ $i -le 32 ]; do echo "$i.0e18,-$i.5e18,$i.0e20" >>big.csv; i=$((i + 1)); done
# mse on values near 1e20: the loss (a double) stays finite, the weight's
# gradient (x times the error, a float) does not.
cat >overflow.lr <<'EOF'
seed 1
dataset d = csv("big.csv", label="y")
model dense(1)
loss mse
optimizer sgd lr=0.01
train epochs=2 batch=16 shard=4
EOF
expect "scaling: a shard's infinite gradient stops the run at the next step" 1 \
    'diverged at epoch 1 step 2 \(loss=nan' "$LRC" --threads 1 overflow.lr

# --- under mpirun ------------------------------------------------------------
if ! command -v mpirun >/dev/null 2>&1; then
    ok "scaling: mpirun runs skipped (no mpirun)"
    exit 0
fi
# Two cores: more ranks than cores crawl unless idle ranks yield.
export OMPI_MCA_mpi_yield_when_idle=1
# Under ASan (make check SAN=1), LeakSanitizer reports what OpenMPI keeps
# to the end (its reduction operators, its unloaded components), not lrc's
# leaks: the same sharded runs without mpirun above are leak-checked.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
mpi() { np=$1; shift; mpirun --allow-run-as-root --oversubscribe -np "$np" "$LRC" --threads 1 "$@"; }
for np in 2 3 6; do
    mpi $np sharded.lr --out np$np >np$np.out 2>err
    st=$?
    [ $st -eq 0 ] && cmp -s t1.out np$np.out && cmp -s t1/model.safetensors np$np/model.safetensors &&
        ok "scaling: mpirun -np $np, the same stdout and model bytes" ||
        notok "scaling: mpirun -np $np, the same stdout and model bytes" "exit $st: $(grep -v '^\[rank\|^lrc:' err | head -3)"
done
expect "scaling: mpirun -np 2, a shard's infinite gradient stops every rank" 1 \
    'diverged at epoch 1 step 2 \(loss=nan' mpi 2 overflow.lr
