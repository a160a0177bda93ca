#!/bin/sh
# A sweep under mpirun: `mpirun -np N lrc SWEEP.lr --out DIR` runs the
# sweep's runs spread over the ranks (rank r runs r, r+N, ...), each run a
# process of its own that is not a rank, and rank 0 prints the table and
# writes sweep.csv of the local `-j 2` sweep, byte for byte. Checked here:
# 2, 3 and 5 ranks (more ranks than runs), a failing run, the usage
# errors, and Ctrl-C to mpirun.
. "$(dirname "$0")/../golden_lib.sh"

if ! command -v mpirun >/dev/null 2>&1; then
    ok "# skip mpi_sweep: no mpirun (make deps installs openmpi-bin)"
    exit 0
fi
if ! ldd "$LRC" 2>/dev/null | grep -q libmpi; then
    ok "# skip mpi_sweep: $LRC was built without MPI (make deps installs libopenmpi-dev)"
    exit 0
fi
# More ranks than cores: a rank waiting in MPI yields its core.
OMPI_MCA_mpi_yield_when_idle=1
export OMPI_MCA_mpi_yield_when_idle
# ASan's leak check would count OpenMPI's memory, kept until exit.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
mpi() { np=$1; shift; timeout -k 5 120 mpirun --allow-run-as-root --oversubscribe -np "$np" "$LRC" "$@"; }

cp "$(dirname "$0")/../data/sweep4.lr" "$tmp/sweep.lr"
cd "$tmp" || exit 1

# The reference: the whole sweep on this machine, two runs at a time.
"$LRC" sweep.lr -j 2 --out local >local.table 2>local.err
st=$?
rows=$(($(wc -l <local.table) - 1))
if [ $st -eq 0 ] && [ "$rows" -eq 4 ]; then ok "mpi_sweep local sweep"; else
    notok "mpi_sweep local sweep" "exit $st, $rows rows: $(head -3 local.err)"
fi

# --- 2, 3 and 5 ranks: the local sweep's table, sweep.csv and models ------
# Rank r runs runs r+1, r+1+N, ... (numbered from 1); each rank tells of
# its own, the others marked "[rank r] ".
for np in 2 3 5; do
    mpi $np sweep.lr --out np$np --threads 1 >np$np.table 2>np$np.err
    st=$?
    bad=""
    [ $st -eq 0 ] || bad="$bad exit $st: $(head -3 np$np.err)"
    cmp -s local.table np$np.table || bad="$bad table: $(diff local.table np$np.table | head -4)"
    cmp -s local/sweep.csv np$np/sweep.csv || bad="$bad sweep.csv differs"
    cmp -s local/sweep.json np$np/sweep.json || bad="$bad sweep.json differs"
    for n in 1 2 3 4; do
        d=run-00$n
        cmp -s local/$d/model.safetensors np$np/$d/model.safetensors || bad="$bad $d's model"
        [ "$(cat np$np/$d/exit.txt)" = "exit 0" ] || bad="$bad $d's exit.txt"
        rank=$(((n - 1) % np))
        tag=""
        [ $rank -gt 0 ] && tag="\[rank $rank\] "
        grep -q "^${tag}lrc: run $n/4 (rate=[0-9.]*, units=[12]): loss [0-9.]* in [0-9.]* s\$" np$np.err ||
            bad="$bad no line of rank $rank for run $n"
    done
    [ "$(wc -l <np$np.err)" -eq 4 ] || bad="$bad stderr: $(head -6 np$np.err)"
    if [ -z "$bad" ]; then ok "mpi_sweep -np $np: the local sweep's table, sweep.csv and models"
    else notok "mpi_sweep -np $np" "$bad"; fi
done
# lrc collect reads the directory to the same table.
"$LRC" collect np3 >np3.collected 2>err
if [ $? -eq 0 ] && cmp -s local.table np3.collected; then ok "mpi_sweep collect of an mpirun sweep"
else notok "mpi_sweep collect" "$(head -3 err)"; fi

# --- a failing run: the same table, marks, messages and exit status ------
sed 's/sweep(0.1, 0.05)/sweep(0.1, 1e6)/' sweep.lr >fail.lr
"$LRC" fail.lr -j 2 --out lfail >lfail.table 2>lfail.err
lst=$?
mpi 2 fail.lr --out mfail --threads 1 >mfail.table 2>mfail.err
st=$?
grep '^lrc: error: run' lfail.err >lfail.lines
grep '^lrc: error: run' mfail.err >mfail.lines
if [ $lst -eq 1 ] && [ $st -eq 1 ] && cmp -s lfail.table mfail.table &&
    cmp -s lfail/sweep.csv mfail/sweep.csv && [ "$(wc -l <lfail.lines)" -eq 2 ] &&
    cmp -s lfail.lines mfail.lines && grep -q 'failed (exit 1)$' mfail.table; then
    ok "mpi_sweep a failing run: the local sweep's table, sweep.csv, messages and exit 1"
else
    notok "mpi_sweep a failing run" "exit $lst/$st: $(diff lfail.table mfail.table | head -4) $(diff lfail.lines mfail.lines | head -2)"
fi

# --- usage errors: exit 2 on every rank, said once -------------------------
expect_mpi() {
    name=$1 pattern=$2
    shift 2
    mpi 2 "$@" >out 2>err
    st=$?
    n=$(grep -c 'lrc: error' err)
    if [ $st -eq 2 ] && [ "$n" -eq 1 ] && grep -Eq -- "$pattern" err && [ ! -s out ]; then ok "$name"
    else notok "$name" "exit $st, $n errors: $(head -3 err)"; fi
}
expect_mpi "mpi_sweep needs --out" \
    "^lrc: error: a sweep under mpirun needs --out DIR, a directory that every process reaches" \
    sweep.lr
expect_mpi "mpi_sweep refuses --run-index" \
    "^lrc: error: --run-index is not for a process of mpirun: under mpirun, lrc FILE.lr --out DIR spreads" \
    sweep.lr --run-index 1 --out idx
expect_mpi "mpi_sweep refuses --slurm" "^lrc: error: --slurm is not for a process of mpirun" \
    sweep.lr --slurm --out sl
expect_mpi "mpi_sweep refuses a directory holding a sweep" \
    "^lrc: error: 'np2' already holds a sweep \(sweep.csv\)" sweep.lr --out np2
mpi 2 sweep.lr --out np2 --force --threads 1 >forced.table 2>err
if [ $? -eq 0 ] && cmp -s local.table forced.table; then ok "mpi_sweep --force replaces a sweep"
else notok "mpi_sweep --force" "$(head -3 err)"; fi

# --- Ctrl-C to mpirun: SIGTERM to every rank, whose runs checkpoint ------
# mpirun sends the ranks SIGTERM, then SIGKILL, each after
# odls_base_sigkill_timeout seconds (1 by default: a loaded machine may need
# more to print the table). Not through mpi() or timeout: mpirun must be
# the process signalled; a watchdog ends it if it hangs, and itself when
# mpirun has ended.
sed 's/epochs=3/epochs=200000/; s/n=200,/n=2000,/' sweep.lr >long.lr
OMPI_MCA_odls_base_sigkill_timeout=3 mpirun --allow-run-as-root --oversubscribe -np 2 "$LRC" \
    long.lr --out stop --threads 1 >stop.table 2>stop.err &
pid=$!
(i=0
 while [ $i -lt 1200 ] && kill -0 $pid; do sleep 0.1; i=$((i + 1)); done
 kill -KILL $pid) >/dev/null 2>&1 &
dog=$!
i=0
while [ $i -lt 300 ] && ! { [ -e stop/run-001/stderr.txt ] && [ -e stop/run-002/stderr.txt ]; }; do
    sleep 0.1
    i=$((i + 1))
done
sleep 1 # into training (each run would train for a minute)
kill -INT $pid
wait $pid
st=$?
wait $dog
bad=""
[ $st -ne 0 ] || bad="$bad exit 0"
[ "$(sed -n 2,3p stop.table | awk '{print $1, $4}' | LC_ALL=C sort | tr '\n' ' ')" = "1 interrupted 2 interrupted " ] ||
    bad="$bad table: $(cat stop.table)"
[ "$(wc -l <stop.table)" -eq 3 ] || bad="$bad runs 3 and 4 in the table"
grep -q '^lrc: sweep interrupted: 0 of 4 runs finished; to continue, run:$' stop.err || bad="$bad no summary"
grep -q '^lrc:   lrc --resume stop/run-001$' stop.err && grep -q '^lrc:   lrc --resume stop/run-002$' stop.err &&
    grep -q '^lrc:   lrc long.lr --set rate=0.05 --set units=1 --threads 1 --out stop/run-003$' stop.err ||
    bad="$bad continuations: $(grep '^lrc:  ' stop.err | head -4)"
[ "$(cat stop/run-002/exit.txt)" = "exit 143" ] || bad="$bad run-002's exit.txt"
[ ! -e stop/run-003 ] || bad="$bad run 3 started"
if [ -z "$bad" ]; then ok "mpi_sweep Ctrl-C: every rank's runs checkpoint, the table of the interrupted runs and how to continue"
else notok "mpi_sweep Ctrl-C" "exit $st $bad $(head -3 stop.err)"; fi
