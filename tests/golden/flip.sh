#!/bin/sh
# random_flip end to end: a digits CNN that flips its images at random
# while training gives the same stdout and model bytes on 1 and 2 threads,
# under mpirun with shards (its draws are skipped in step with the ranks),
# and halted then resumed; outside training it is the identity (lrc
# predict of the run's model is its predict statement); it is saved in the
# model's description (lrc summary of the run); its explained form reads
# back to the same experiment; errors for a flat input and an unknown mode.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
cd "$tmp" || exit 1
mkdir data && cp "$top/examples/data/digits.csv" data/

cat >flip.lr <<'LR'
seed 5
dataset digits = csv("data/digits.csv", label="digit", shape=[8, 8, 1]) test=0.2 normalize=minmax
model random_flip(mode=horizontal) ->
      conv2d(8, padding=same, activation=relu) -> maxpool2d -> flatten ->
      dropout(0.2) -> dense(10, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.003
train epochs=4 batch=40 shard=16 metrics=[accuracy]
evaluate on=digits.test metrics=[accuracy]
LR

"$LRC" --quiet --threads 1 flip.lr --out one >one.txt 2>one.err
st=$?
check "flip: trains" [ $st -eq 0 ]
acc=$(sed -n 's/^evaluate digits.test .* accuracy //p' one.txt)
check "flip: test accuracy $acc above 0.8" awk -v a="$acc" 'BEGIN { exit !(a > 0.8) }'
"$LRC" --quiet --threads 2 flip.lr --out two >two.txt 2>/dev/null
check "flip: 1 and 2 threads, same stdout" cmp one.txt two.txt
check "flip: 1 and 2 threads, same model" cmp one/model.safetensors two/model.safetensors

# Halted after step 30 (of 4 x 36), resumed: the bytes of a run never halted.
"$LRC" --quiet --halt-after 30 flip.lr --out halt >/dev/null 2>&1
"$LRC" --quiet --resume halt >resumed.txt 2>/dev/null
check "flip: resumed, same model" cmp one/model.safetensors halt/model.safetensors

# The identity outside training: the saved model's classes for the test
# rows (split.csv) score the accuracy evaluate printed.
"$LRC" predict one data/digits.csv -o all.csv 2>/dev/null
got=$(paste -d, one/split.csv all.csv data/digits.csv | awk -F, '
    NR > 1 && $2 == "test" { n++; right += ($3 == $NF) }
    END { printf "%.6f", right / n }')
check "flip: lrc predict scores $got, evaluate $acc" [ "$got" = "$acc" ]
"$LRC" summary one >summary.txt 2>&1
check "flip: saved in the model" grep -q '^random_flip (RandomFlip) .*(None, 8, 8, 1)' summary.txt

# --explain writes mode= by name, and the text checks back to itself.
"$LRC" check --explain flip.lr >explained.lr 2>/dev/null
check "flip: explained by name" grep -q 'random_flip(mode=horizontal) -> conv2d' explained.lr
"$LRC" check --explain explained.lr >explained2.lr 2>/dev/null
check "flip: explain is a fixed point" cmp explained.lr explained2.lr

if command -v mpirun >/dev/null 2>&1; then
    export OMPI_MCA_mpi_yield_when_idle=1
    mpirun --allow-run-as-root --oversubscribe -np 2 "$LRC" --quiet --threads 1 flip.lr \
        --out mpi >mpi.txt 2>mpi.err
    check "flip: mpirun -np 2, same stdout" cmp one.txt mpi.txt
    check "flip: mpirun -np 2, same model" cmp one/model.safetensors mpi/model.safetensors
else
    ok "flip: mpirun # skip: no mpirun (make deps installs openmpi-bin)"
fi

printf 'dataset d = blobs(n=40, features=4, classes=2)\nmodel random_flip -> dense(2, activation=softmax)\nloss categorical_crossentropy\noptimizer sgd\ntrain epochs=1\n' >flat.lr
expect "flip: a flat input is refused" 2 \
    'flat.lr:2:7: error: random_flip needs an image input \[height, width, channels\] but the model.s input is \[4\]' \
    "$LRC" check flat.lr
sed 's/mode=horizontal/mode=horizontl/' flip.lr >typo.lr
expect "flip: an unknown mode" 2 "typo.lr:3:24: error: unknown flip mode 'horizontl'; did you mean 'horizontal'\?" \
    "$LRC" check typo.lr
