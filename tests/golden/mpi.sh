#!/bin/sh
# Issue 12's promise, held to: `mpirun -np N lrc FILE` writes the same
# stdout and model.safetensors bytes as `lrc FILE`, for N = 1..4 and 1 or 2
# threads (dropout, shuffling, validation, early stopping, l2, a short last
# step, a batch that shards do not divide; one shard per step; a
# regression); a run halted under 4 ranks resumes under 2 or none to an
# uninterrupted run's bytes; Ctrl-C to mpirun stops every rank with one
# checkpoint and no process or shared-memory segment left; errors are
# printed once, by rank 0; an lrc built without MPI refuses to be several
# ranks. Small experiments: the whole script takes about 30 s on 2 cores.
. "$(dirname "$0")/../golden_lib.sh"
if ! command -v mpirun >/dev/null 2>&1; then
    echo "ok mpi # skip: mpirun is not installed (make deps installs openmpi-bin)"
    exit 0
fi
lrc_build
NOMPI=$top/$build/nompi/lrc
if ! out=$(make_like_lrc "$build/nompi/lrc" 2>&1); then
    notok "mpi nompi build" "make $build/nompi/lrc: $(printf '%s\n' "$out" | tail -3)"
    exit 1
fi
# Under ASan (make check SAN=1), OpenMPI leaves what MPI_Init allocated:
# whole stacks (and components kept loaded) name it, tests/mpi.supp
# leaves it out. LeakSanitizer reads it at exit, inside lrc's sandbox:
# from the experiments' directory.
cp "$top/tests/mpi.supp" "$tmp/mpi.supp"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
LSAN_OPTIONS=suppressions=$tmp/mpi.supp:print_suppressions=0
OMPI_MCA_mca_base_component_disable_dlclose=1
export ASAN_OPTIONS LSAN_OPTIONS OMPI_MCA_mca_base_component_disable_dlclose
# More ranks times threads than cores: a rank waiting in MPI yields the
# core rather than spin.
OMPI_MCA_mpi_yield_when_idle=1
export OMPI_MCA_mpi_yield_when_idle
mpi() { np=$1; shift; timeout 120 mpirun --allow-run-as-root --oversubscribe -np "$np" "$@"; }
cd "$tmp" || exit 1

# 64 features -> dense(128) -> dropout -> dense(10): products that BLAS
# blocks. 648 training rows in batches of 44 (shards 12+12+12+8) end in a
# step of 32 rows (12+12+8); patience(2) stops it at epoch 20 of 40.
cat >cls.lr <<'EOF'
seed 7
dataset d = blobs(n=900, features=64, classes=10, spread=6) validation=0.1 test=0.2 normalize=minmax
model dense(128, activation=relu, l2=0.001) -> dropout(0.3) -> dense(10, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.01
train epochs=40 batch=44 shard=12 shuffle=true metrics=[accuracy] early_stop=patience(2)
evaluate on=d.test metrics=[accuracy]
EOF
# 776 training rows in batches of 64 (4 shards of 16): the last step's 8
# rows are one shard, which rank 0 computes alone.
cat >reg.lr <<'EOF'
seed 3
dataset d = linear(n=970, features=20, noise=0.1) validation=0.2 normalize=standard
model dense(32, activation=tanh, l2=0.0001) -> dropout(0.1) -> dense(1)
loss mse
optimizer sgd lr=0.01
train epochs=6 batch=64 shard=16 shuffle=true
EOF
# No shard=: every step is one shard, computed by rank 0 and broadcast.
cat >noshard.lr <<'EOF'
seed 5
dataset d = blobs(n=600, features=16, classes=3, spread=3) validation=0.1 normalize=minmax
model dense(24, activation=relu) -> dropout(0.2) -> dense(3, activation=softmax)
loss categorical_crossentropy
optimizer adam lr=0.005
train epochs=5 batch=50 shuffle=true metrics=[accuracy]
EOF
# batchnorm takes the whole batch (shard=batch): one shard, rank 0's, and
# its moving statistics broadcast with the gradient.
sed 's/shard=12/shard=44/; s/-> dropout(0.3)/-> batchnorm() -> dropout(0.3)/' cls.lr >bn.lr

# same NAME DIR REF: DIR's stdout (DIR.out) and model equal REF's.
same() {
    if [ "$st" -ne 0 ]; then notok "$1" "exit $st: $(grep -v '^-\|^ *$' "$2.err" | head -3)"
    elif ! cmp -s "$3.out" "$2.out"; then notok "$1" "stdout differs: $(diff "$3.out" "$2.out" | head -3)"
    elif ! cmp -s "$3/model.safetensors" "$2/model.safetensors"; then notok "$1" "model.safetensors differs"
    else ok "$1"; fi
}
# solo DIR ARGS...: lrc alone, --out DIR, stdout in DIR.out.
solo() { d=$1; shift; "$LRC" "$@" --out "$d" >"$d.out" 2>"$d.err"; st=$?; }
# ranks N DIR ARGS...: the same under mpirun -np N.
ranks() { n=$1 d=$2; shift 2; mpi "$n" "$LRC" "$@" --out "$d" >"$d.out" 2>"$d.err"; st=$?; }

# --- the byte-identity matrix --------------------------------------------
for f in cls reg noshard bn; do
    solo "$f.ref" $f.lr --threads 1
    if [ $st -ne 0 ]; then notok "mpi $f reference" "exit $st: $(head -3 "$f.ref.err")"; continue; fi
    for t in 1 2; do
        for n in 1 2 3 4; do
            # The small files on every size once, not twice.
            [ $f != cls ] && [ $t = 2 ] && [ $n != 2 ] && continue
            [ $f = bn ] && [ $n = 1 ] && continue
            ranks $n "$f.$n.$t" $f.lr --threads $t
            same "mpi $f -np $n --threads $t: the bytes of lrc alone" "$f.$n.$t" "$f.ref"
        done
    done
done
if grep -q 'early stop at epoch 20: ' cls.ref.out && grep -q '^epoch 6/6 ' reg.ref.out; then
    ok "mpi files: early stopping triggers, the regression trains all its epochs"
else
    notok "mpi files" "$(tail -2 cls.ref.out) / $(tail -1 reg.ref.out)"
fi
# Rank 0 alone writes, even what every rank computes (the model's size).
if grep -q 'rank' cls.4.1.err || [ "$(grep -c '^lrc: model ' cls.4.1.err)" -ne 1 ]; then
    notok "mpi -np 4: rank 0 alone reports" "$(grep 'model\|rank' cls.4.1.err | head -4)"
else
    ok "mpi -np 4: rank 0 alone reports"
fi

# --- resume across sizes ---------------------------------------------------
# Halted after step 37 (epoch 3 of 15 steps each) under 4 ranks, as Ctrl-C
# would: status 130 (mpirun passes on the ranks' 128 + SIGINT).
ranks 4 halt cls.lr --threads 1 --halt-after 37
if [ $st -eq 130 ] && [ -f halt/checkpoint.safetensors ] && [ ! -f halt/model.safetensors ] &&
    [ "$(grep -c 'interrupted after step 37; continue with: lrc --resume halt' halt.err)" -eq 1 ]; then
    ok "mpi -np 4 --halt-after 37: status 130, one message, a checkpoint"
else
    notok "mpi -np 4 --halt-after 37" "exit $st: $(grep -v '^-' halt.err | head -3); $(ls halt)"
fi
cp -R halt halt2
mpi 2 "$LRC" --resume halt2 --threads 1 >halt2.out 2>halt2.err
st=$?
same "mpi resume under -np 2 of a run halted under -np 4: an uninterrupted run's bytes" halt2 cls.ref
cp -R halt halt0
"$LRC" --resume halt0 --threads 2 >halt0.out 2>halt0.err
st=$?
same "mpi resume without mpirun of a run halted under -np 4: an uninterrupted run's bytes" halt0 cls.ref

# --- Ctrl-C to mpirun ------------------------------------------------------
# mpirun stops its ranks with SIGTERM; each rank stops after the step all
# agree on, rank 0 writes the checkpoint, and mpirun itself exits 1 (as
# OpenMPI's mpirun does when interrupted, whatever its ranks' status).
sed 's/epochs=40/epochs=300/; s/ early_stop=patience(2)//' cls.lr >long.lr
solo long.ref long.lr --threads 2
# mpirun itself, not a shell or timeout(1) between: the signal is mpirun's.
mpirun --allow-run-as-root --oversubscribe -np 2 "$LRC" long.lr --threads 1 --out long >long.out 2>long.err &
job=$!
i=0 segments=
# Two epochs done (their lines on stdout), a second or more to go.
while [ $i -lt 300 ] && ! grep -q '^epoch 2/' long.out 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
# The ranks' shared-memory segments, from their maps.
for pid in $(pgrep -f "^$LRC long.lr"); do
    segments="$segments $(grep -o '/dev/shm/vader_segment[^ ]*' "/proc/$pid/maps" 2>/dev/null | sort -u)"
done
kill -INT $job
wait $job
st=$?
sleep 1 # mpirun has exited; its ranks end with it
left=$(pgrep -f "^$LRC long.lr" | tr '\n' ' ')
kept=
for s in $segments; do [ -e "$s" ] && kept="$kept $s"; done
if [ $st -eq 1 ] && [ -f long/checkpoint.safetensors ] && [ ! -f long/model.safetensors ] &&
    [ "$(grep -c 'interrupted after step [0-9]*; continue with: lrc --resume long' long.err)" -eq 1 ] &&
    [ -z "$(ls long | grep -v '^checkpoint.safetensors$\|^metrics.csv$\|^split.csv$')" ]; then
    ok "mpi Ctrl-C to mpirun -np 2: status 1, one message, one checkpoint"
else
    notok "mpi Ctrl-C to mpirun -np 2" "exit $st after ${i} waits: $(grep -v '^-' long.err | head -3); $(ls long)"
fi
if [ -n "$segments" ] && [ -z "$left" ] && [ -z "$kept" ]; then
    ok "mpi Ctrl-C: no rank left running, no /dev/shm segment left"
else
    notok "mpi Ctrl-C: ranks or segments left" "ranks: $left; segments: $kept (seen: $segments)"
fi
"$LRC" --resume long --threads 2 >long.out 2>long.err
st=$?
same "mpi Ctrl-C: the resumed run's bytes are an uninterrupted run's" long long.ref

# said_once NAME ERRFILE PATTERN: the last command ($st) exited 2 and
# ERRFILE holds one error, the one PATTERN (grep) matches.
said_once() {
    if [ $st -eq 2 ] && [ "$(grep -c 'error' "$2")" -eq 1 ] && grep -q -- "$3" "$2"; then ok "$1"
    else notok "$1" "exit $st: $(grep -v '^-' "$2" | head -3)"; fi
}

# --- errors: once, by rank 0 ----------------------------------------------
sed 's/optimizer adam/optimizer adma/' cls.lr >typo.lr
mpi 2 "$LRC" typo.lr >typo.out 2>typo.err
st=$?
printf '%s\n' "typo.lr:5:11: error: unknown optimizer 'adma'; did you mean 'adam'?" \
    "    optimizer adma lr=0.01" "              ^~~~" >typo.want
if [ $st -eq 2 ] && [ "$(grep -c 'error' typo.err)" -eq 1 ] && grep -A2 '^typo.lr:' typo.err |
    cmp -s typo.want - && [ ! -s typo.out ]; then
    ok "mpi -np 2 on a typo: status 2, the error once with its caret"
else
    notok "mpi -np 2 on a typo" "exit $st: $(grep -v '^-' typo.err | head -4)"
fi
mpi 2 "$LRC" cls.lr --out cls.ref >taken.out 2>taken.err
st=$?
said_once "mpi -np 2 --out on a run: status 2, the error once" taken.err \
    "^lrc: error: 'cls.ref' already holds a run"
sed 's/-> dropout(0.3)/-> batchnorm() -> dropout(0.3)/' cls.lr >bnshard.lr
mpi 2 "$LRC" bnshard.lr >bn.out 2>bn.err
st=$?
said_once "mpi -np 2 batchnorm with shard < batch: status 2, the error once" bn.err \
    '^bnshard.lr:6:26: error: shard=12 splits each batch of 44 rows, but batchnorm needs'
# A data file's error, met by the rank that holds its row (each holds its
# share of the file), said once, marked with that rank.
printf 'a,b,y\n1,2,3\n4,x,6\n7,8,9\n1,1,1\n' >bad.csv
printf '%s\n' 'dataset d = csv("bad.csv", label="y")' 'model dense(1)' 'loss mse' 'optimizer sgd' \
    'train epochs=1 batch=4 shard=1' >badcsv.lr
mpi 3 "$LRC" badcsv.lr >badcsv.out 2>badcsv.err
st=$?
said_once "mpi -np 3 on a bad data file: status 2, the error once" badcsv.err \
    "^\(\[rank [0-2]\] \)\{0,1\}bad.csv:3:2: error: non-numeric value 'x' in column 'b'"
# The sandbox lets a rank's OpenMPI keep its segments in /dev/shm; a file
# still may not write there.
printf '%s\n' 'dataset d = linear(n=40, features=2)' 'model dense(1)' 'loss mse' 'optimizer sgd' \
    'train epochs=1 batch=10 shard=5' 'save "/dev/shm/planted.safetensors"' >shm.lr
mpi 2 "$LRC" shm.lr >shm.out 2>shm.err
st=$?
said_once "mpi -np 2 a file may not write in /dev/shm: status 2, the error once" shm.err \
    "^shm.lr:6:6: error: writing '/dev/shm/planted.safetensors' is not allowed"

# --- an lrc built without MPI -----------------------------------------------
mpi 2 "$NOMPI" cls.lr >nompi.out 2>nompi.err
st=$?
if [ $st -eq 2 ] && [ ! -s nompi.out ] && [ "$(grep -c 'error' nompi.err)" -eq 1 ] &&
    grep -q '^lrc: error: mpirun started 2 processes, but this lrc was built without MPI' nompi.err; then
    ok "mpi lrc built without MPI under mpirun -np 2: status 2, the reason once"
else
    notok "mpi lrc built without MPI under mpirun" "exit $st: $(grep -v '^-' nompi.err | head -3)"
fi
"$NOMPI" cls.lr --threads 1 --out nompi >nompi.out 2>nompi.err
st=$?
same "mpi lrc built without MPI, alone: the bytes of lrc with MPI" nompi cls.ref
