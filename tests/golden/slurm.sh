#!/bin/sh
# Sweeps run one run at a time: `--run-index I` runs run I of a sweep into
# the shared --out DIR, `lrc collect DIR` builds the table and sweep.csv a
# whole `-j N` sweep prints and writes, byte for byte; `--slurm` submits the
# runs as a Slurm job array and collect as a job after it. Checked here:
# --run-index processes started at once, their files and errors; collect
# with a run missing; --slurm's script run by hand without Slurm; and, as
# root with slurm-wlm and munge installed, a one-node Slurm cluster started
# here (munged, slurmctld, slurmd on localhost, stopped by their pids).
. "$(dirname "$0")/../golden_lib.sh"

cp "$(dirname "$0")/../data/sweep4.lr" "$tmp/sweep.lr"

# The reference: the whole sweep, two runs at a time.
"$LRC" "$tmp/sweep.lr" -j 2 --out "$tmp/local" >"$tmp/local.table" 2>"$tmp/local.err"
st=$?
rows=$(($(wc -l <"$tmp/local.table") - 1))
if [ $st -eq 0 ] && [ "$rows" -eq 4 ]; then ok "slurm local sweep"; else
    notok "slurm local sweep" "exit $st, $rows rows: $(head -3 "$tmp/local.err")"
fi

# --- --run-index: four processes at once into one directory --------------
for i in 0 1 2 3; do
    ("$LRC" "$tmp/sweep.lr" --run-index $i --out "$tmp/array" >"$tmp/index$i.out" 2>"$tmp/index$i.err"
     echo $? >"$tmp/index$i.status") &
done
wait
bad=""
for i in 0 1 2 3; do
    [ "$(cat "$tmp/index$i.status")" = 0 ] || bad="$bad run $i exit $(cat "$tmp/index$i.status"): $(head -2 "$tmp/index$i.err")"
    [ -s "$tmp/index$i.out" ] && bad="$bad run $i printed to stdout"
done
if [ -z "$bad" ]; then ok "slurm --run-index runs"; else notok "slurm --run-index runs" "$bad"; fi

# Each wrote its run directory and sweep.json, nothing else; each run
# directory holds what the whole sweep's does.
list() { (cd "$1" && find . | LC_ALL=C sort); }
list "$tmp/array" >"$tmp/array.files"
list "$tmp/local" | grep -v '^\./sweep\.csv$' >"$tmp/local.files"
if cmp -s "$tmp/array.files" "$tmp/local.files" && grep -q '^\./run-004/exit\.txt$' "$tmp/array.files" &&
    grep -q '^\./sweep\.json$' "$tmp/array.files"; then
    ok "slurm --run-index writes the whole sweep's files"
else notok "slurm --run-index files" "$(diff "$tmp/local.files" "$tmp/array.files" | head -5)"; fi
# The same runs: the same weights, and metrics but for the seconds.
bad=""
for n in 001 002 003 004; do
    cmp -s "$tmp/local/run-$n/model.safetensors" "$tmp/array/run-$n/model.safetensors" || bad="$bad run-$n's model"
    [ "$(cut -d, -f1-4 "$tmp/local/run-$n/metrics.csv")" = "$(cut -d, -f1-4 "$tmp/array/run-$n/metrics.csv")" ] ||
        bad="$bad run-$n's metrics"
done
if [ -z "$bad" ]; then ok "slurm --run-index runs the sweep's runs"; else
    notok "slurm --run-index runs the sweep's runs" "$bad differ"
fi

# --- collect: the table and sweep.csv, byte for byte ----------------------
"$LRC" collect "$tmp/array" >"$tmp/array.table" 2>"$tmp/collect.err"
st=$?
if [ $st -eq 0 ] && [ "$rows" -eq 4 ] && cmp -s "$tmp/local.table" "$tmp/array.table" &&
    cmp -s "$tmp/local/sweep.csv" "$tmp/array/sweep.csv" && [ ! -s "$tmp/collect.err" ]; then
    ok "slurm collect: the table and sweep.csv of the -j 2 sweep"
else
    notok "slurm collect" "exit $st $(head -2 "$tmp/collect.err") $(diff "$tmp/local.table" "$tmp/array.table" | head -4)"
fi
# A whole sweep's directory collects to its own table.
"$LRC" collect "$tmp/local" >"$tmp/local.collected" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/local.table" "$tmp/local.collected"; then
    ok "slurm collect of a whole sweep's directory"
else notok "slurm collect of a whole sweep's directory" "exit $st $(head -2 "$tmp/err")"; fi

# A missing run is a failed one: last in the table, named on stderr, exit 1.
cp -R "$tmp/array" "$tmp/missing"
rm -r "$tmp/missing/run-003"
"$LRC" collect "$tmp/missing" >"$tmp/missing.table" 2>"$tmp/missing.err"
st=$?
{ grep -v '^3 ' "$tmp/local.table"; } >"$tmp/want.table"
last=$(tail -1 "$tmp/missing.table" | tr -s ' ')
csv3=$(sed -n 4p "$tmp/missing/sweep.csv")
if [ $st -eq 1 ] && [ "$last" = "3 0.05 1 failed (missing)" ] &&
    [ "$(head -4 "$tmp/missing.table")" = "$(cat "$tmp/want.table")" ] &&
    [ "$csv3" = "3,0.05,1,,failed (missing)" ] &&
    grep -q "^lrc: error: run 3 (rate=0.05, units=1) failed (missing): no '.*/run-003/exit.txt'" "$tmp/missing.err"
then ok "slurm collect: a missing run"
else notok "slurm collect: a missing run" "exit $st, last '$last', csv '$csv3': $(head -2 "$tmp/missing.err")"; fi

# A run that failed, as the whole sweep shows it: its exit status and the
# first line of its stderr.
cp -R "$tmp/array" "$tmp/failed"
printf 'exit 1\n' >"$tmp/failed/run-002/exit.txt"
printf 'lrc: error: it broke\n' >"$tmp/failed/run-002/stderr.txt"
expect "slurm collect: a failed run" 1 "^lrc: error: run 2 \(rate=0.1, units=2\) failed \(exit 1\): lrc: error: it broke$" \
    "$LRC" collect "$tmp/failed"
tail -1 "$tmp/out" | grep -q '^2 .*failed (exit 1)$' && ok "slurm collect: the failed run comes last" ||
    notok "slurm collect: the failed run comes last" "$(cat "$tmp/out")"

# An interrupted run (SIGTERM: Slurm's scancel, a time limit) says how to
# run it again.
cp -R "$tmp/array" "$tmp/stopped"
printf 'exit 143\n' >"$tmp/stopped/run-001/exit.txt"
expect "slurm collect: an interrupted run" 1 "^lrc: error: run 1 \(rate=0.1, units=1\) was interrupted: run it again with --run-index 0 --force$" \
    "$LRC" collect "$tmp/stopped"
tail -1 "$tmp/out" | grep -q '^1 .*interrupted$' && ok "slurm collect: the interrupted run comes last" ||
    notok "slurm collect: the interrupted run comes last" "$(cat "$tmp/out")"

# --- errors ----------------------------------------------------------------
expect_exact "slurm --run-index out of range" 2 \
    "lrc: error: --run-index 4 is out of range: the sweep has 4 runs (indexes 0 to 3)\n" \
    "$LRC" "$tmp/sweep.lr" --run-index 4 --out "$tmp/array"
printf 'dataset d = linear(n=20, features=1)\nmodel dense(1)\nloss mse\noptimizer sgd lr=0.1\ntrain epochs=1\n' >"$tmp/one.lr"
expect "slurm --run-index without sweeps" 2 "^lrc: error: --run-index runs the runs of a sweep, and '.*one.lr' has none" \
    "$LRC" "$tmp/one.lr" --run-index 0 --out "$tmp/one"
expect "slurm --slurm without sweeps" 2 "^lrc: error: --slurm runs the runs of a sweep" \
    "$LRC" "$tmp/one.lr" --slurm --out "$tmp/one"
expect "slurm --run-index needs --out" 2 "^lrc: error: --run-index needs --out DIR" \
    "$LRC" "$tmp/sweep.lr" --run-index 0
expect "slurm --run-index of another sweep" 2 "^lrc: error: '.*/array' holds another sweep \(its sweep.json differs\)" \
    "$LRC" "$tmp/sweep.lr" --run-index 0 --out "$tmp/array" --set 'rate=sweep(0.2, 0.3)'
expect "slurm collect of a directory without a sweep" 2 "^lrc: error: '.*/one' holds no sweep to collect \(sweep.json\)" \
    "$LRC" collect "$tmp/one"
mkdir "$tmp/bad"
printf '{"file": "x.lr", "runs": 3, "sweeps": [{"name": "rate", "values": ["0.1", "0.2"]}]}\n' >"$tmp/bad/sweep.json"
expect "slurm collect of a damaged sweep.json" 2 "^lrc: error: '.*/bad/sweep.json' is not a sweep's record: \"runs\" is 3, but the sweeps make 2$" \
    "$LRC" collect "$tmp/bad"
expect "slurm --slurm-opt needs --slurm" 2 "^lrc: error: --slurm-opt needs --slurm" \
    "$LRC" "$tmp/sweep.lr" --slurm-opt --time=5 --out "$tmp/x"
expect "slurm --slurm-opt takes options" 2 "^lrc: error: --slurm-opt needs sbatch options" \
    "$LRC" "$tmp/sweep.lr" --slurm --slurm-opt 'partition=x' --out "$tmp/x"

# --- --slurm without Slurm: the script, and how to submit it -------------
mkdir "$tmp/nobin"
PATH=$tmp/nobin "$LRC" "$tmp/sweep.lr" --slurm --slurm-opt '--time=5 --partition lrc' --seed 7 \
    --out "$tmp/script" >"$tmp/out" 2>"$tmp/err"
st=$?
script=$tmp/script/sweep.sbatch
if [ $st -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "sbatch is not on PATH: the job array is written to '$script'" "$tmp/err" &&
    [ ! -e "$tmp/script/sweep.json" ]; then ok "slurm --slurm without sbatch"; else
    notok "slurm --slurm without sbatch" "exit $st: $(head -2 "$tmp/err")"
fi
want="#SBATCH --array=0-3
#SBATCH --output=$tmp/script/slurm-%A_%a.out
#SBATCH --time=5
#SBATCH --partition lrc
exec $LRC $tmp/sweep.lr --run-index \"\$SLURM_ARRAY_TASK_ID\" --seed 7 --out $tmp/script"
got=$(grep -v '^#SBATCH --job-name\|^# \|^#!' "$script")
if [ "$got" = "$want" ]; then ok "slurm sweep.sbatch"; else notok "slurm sweep.sbatch" "$got"; fi
# Its tasks, run by hand at once as Slurm would, collect to the table.
for i in 0 1 2 3; do SLURM_ARRAY_TASK_ID=$i sh "$script" 2>"$tmp/task$i.err" & done
wait
"$LRC" collect "$tmp/script" >"$tmp/script.table" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/local.table" "$tmp/script.table" && cmp -s "$tmp/local/sweep.csv" "$tmp/script/sweep.csv"; then
    ok "slurm sweep.sbatch's tasks collect to the table"
else notok "slurm sweep.sbatch's tasks" "exit $st $(head -2 "$tmp/err") $(head -2 "$tmp/task0.err")"; fi

# --- a Slurm cluster of one node, here ---------------------------------------
skip() { echo "skip slurm: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root (slurmd and munged run as root here)"
for c in munged slurmctld slurmd sbatch squeue sinfo scancel; do
    command -v $c >/dev/null 2>&1 || skip "no $c (make deps installs slurm-wlm and munge)"
done
# munged wants every directory above its socket searchable by all.
cluster=$(mktemp -d /tmp/lrc-slurm.XXXXXX) || skip "no temporary directory"
chmod 755 "$cluster"
pids=""
stop_cluster() {
    SLURM_CONF=$cluster/slurm.conf scancel --user=root >/dev/null 2>&1
    [ -f "$cluster/munged.pid" ] && pids="$pids $(cat "$cluster/munged.pid")"
    for p in $pids; do kill "$p" 2>/dev/null; done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=""
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
        [ -z "$alive" ] && break
        sleep 0.5
    done
    for p in $alive; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$cluster"
}
trap 'stop_cluster; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

mkdir "$cluster/munge" "$cluster/state" "$cluster/spool"
chmod 755 "$cluster/munge"
dd if=/dev/urandom of="$cluster/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$cluster/munge/munge.key"
munged --socket="$cluster/munge/socket" --pid-file="$cluster/munged.pid" \
    --log-file="$cluster/munged.log" --seed-file="$cluster/munge/seed" \
    --key-file="$cluster/munge/munge.key" </dev/null >"$cluster/munged.out" 2>&1 ||
    skip "munged does not start: $(tail -1 "$cluster/munged.out")"
# Two free ports, not the default ones another Slurm may hold.
ports=$($PY -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))') || skip "no free ports"
set -- $ports
memory=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
cat >"$cluster/slurm.conf" <<EOF
ClusterName=lrctest
SlurmctldHost=localhost
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cluster/munge/socket
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=localhost CPUs=$(nproc) RealMemory=${memory:-1000} State=UNKNOWN
PartitionName=lrc Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$cluster/slurm.conf
slurmctld -D -f "$SLURM_CONF" </dev/null >"$cluster/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -N localhost -f "$SLURM_CONF" </dev/null >"$cluster/slurmd.out" 2>&1 &
pids="$pids $!"
# Up when sinfo shows the node idle (30 s at most).
up=0
for _ in $(seq 60); do
    [ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ] && up=1 && break
    sleep 0.5
done
[ $up = 1 ] || skip "the cluster does not start: $(tail -1 "$cluster/slurmctld.log" 2>/dev/null) $(tail -1 "$cluster/slurmd.log" 2>/dev/null)"

"$LRC" "$tmp/sweep.lr" --slurm --slurm-opt '--partition=lrc --time=5' --threads 1 --out "$tmp/cluster" \
    >"$tmp/submit.out" 2>"$tmp/submit.err"
st=$?
collect=$(sed -n 's/^collect job \([0-9]*\): .*/\1/p' "$tmp/submit.out")
if [ $st -eq 0 ] && [ -n "$collect" ] && grep -q '^sweep job [0-9]*: 4 runs, ' "$tmp/submit.out"; then
    ok "slurm --slurm submits"
else notok "slurm --slurm submits" "exit $st: $(cat "$tmp/submit.out") $(head -3 "$tmp/submit.err")"; fi
# Done when the collect job has left the queue (120 s at most).
done=0
for _ in $(seq 240); do
    [ -n "$collect" ] || break
    if [ -z "$(squeue -h -j "$collect" 2>/dev/null)" ] && [ -f "$tmp/cluster/collect.out" ]; then done=1; break; fi
    sleep 0.5
done
if [ $done = 1 ] && cmp -s "$tmp/local.table" "$tmp/cluster/collect.out" &&
    cmp -s "$tmp/local/sweep.csv" "$tmp/cluster/sweep.csv" && [ ! -s "$tmp/cluster/collect.err" ]; then
    ok "slurm cluster: the collected table and sweep.csv are the -j 2 sweep's"
else
    notok "slurm cluster" "done=$done: $(head -3 "$tmp/cluster/collect.err" 2>/dev/null) $(diff "$tmp/local.table" "$tmp/cluster/collect.out" 2>&1 | head -4) $(cat "$tmp"/cluster/slurm-*.out 2>/dev/null | head -3)"
fi
exit 0
