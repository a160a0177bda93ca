#!/bin/sh
# run.sh — what `make fuzz` runs once the harnesses are built: seeds each
# harness's corpus, runs it for SECONDS, and prints one summary line per
# harness from libFuzzer's final statistics.
#
# Usage: sh fuzz/run.sh SECONDS LRC [NAME...]   (from the top directory)
#   SECONDS  per harness (-max_total_time)
#   LRC      a built lrc, which writes the safetensors seeds
#   NAME     check, csv, idx, safetensors, model (default: all five)
# Files (under build/fuzz/): fuzz_NAME (the harnesses), corpus/NAME (seeds
# plus what the fuzzer found; kept between runs), crashes/NAME (this run's
# crashing inputs), NAME.log (libFuzzer's output).
# Exits 1 when a harness crashed, listing the inputs to keep as regressions.
seconds=${1:-60}
lrc=${2:-./lrc}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
names=${*:-check csv idx safetensors model}
out=build/fuzz
status=0
crashed=""

# cp SRC into DIR under a name made from its path (examples/schedules.lr
# and stdlib/schedules.lr both get in), or with FILTER applied.
seed() {
    dir=$1
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$dir/$(printf '%s' "$f" | tr / -)"
    done
}

seed_check() {
    seed "$1" examples/*.lr stdlib/*.lr tests/errors/*.lr fuzz/seed.lr tests/fuzz/check/*
}

seed_csv() {
    for f in tests/data/*.csv examples/data/*.csv; do
        [ -f "$f" ] || continue
        head -n 200 "$f" >"$1/$(printf '%s' "$f" | tr / -)"
    done
    seed "$1" tests/fuzz/csv/*
}

# Small IDX files of each kind (the regressions), and the real Fashion-MNIST
# labels when installed.
seed_idx() {
    seed "$1" tests/fuzz/idx/* /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
}

seed_safetensors() {
    run=$out/seed-run
    rm -rf "$run"
    if ! "$lrc" fuzz/seed.lr --out "$run" --set rate=0.02 --quiet >/dev/null 2>&1; then
        echo "fuzz: $lrc fuzz/seed.lr failed: no generated safetensors seeds" >&2
    fi
    seed "$1" "$run/model.safetensors" "$run/checkpoint.safetensors" tests/fuzz/safetensors/*
}

# Valid models (a classifier with dropout and normalization, the error
# corpus's) and the damaged ones kept as regressions.
seed_model() {
    run=$out/seed-model-run
    rm -rf "$run"
    if ! "$lrc" examples/digits.lr --out "$run" --quiet >/dev/null 2>&1; then
        echo "fuzz: $lrc examples/digits.lr failed: no generated model seed" >&2
    fi
    seed "$1" "$run/model.safetensors" tests/errors/summary_*.safetensors tests/fuzz/model/*
}

for name in $names; do
    bin=$out/fuzz_$name
    corpus=$out/corpus/$name
    crashes=$out/crashes/$name
    log=$out/$name.log
    mkdir -p "$corpus" "$crashes"
    rm -f "$crashes"/*
    "seed_$name" "$corpus"
    case $name in
    check) extra="-timeout=10 -rss_limit_mb=2048 -max_len=65536 -dict=fuzz/check.dict" ;;
    safetensors) extra="-dict=fuzz/safetensors.dict" ;;
    model) extra="-dict=fuzz/model.dict -max_len=131072" ;;
    *) extra="" ;;
    esac
    echo "fuzz: running $bin for $seconds s on $corpus ($(ls "$corpus" | wc -l) inputs)"
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/" \
        $extra "$corpus" </dev/null >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | sed 's/ft: //')
    units=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | sed 's/corp: //')
    found=$(ls "$crashes" 2>/dev/null | wc -l)
    echo "fuzz $name: ${seconds} s, ${execs:-?} executions, ${rate:-?} exec/s," \
        "cov ${cov:-?}, ft ${ft:-?}, corpus ${units:-?}, crashes $found (log $log)"
    if [ "$found" -gt 0 ]; then
        status=1
        for c in "$crashes"/*; do
            crashed="$crashed
  $c -> tests/fuzz/$name/"
        done
    elif [ "$rc" -ne 0 ]; then
        status=1
        echo "fuzz $name: libFuzzer exited $rc without a crash file; see $log" >&2
        tail -20 "$log" >&2
    fi
done

if [ -n "$crashed" ]; then
    echo "fuzz: crashes found; copy them to tests/fuzz/NAME/ as regressions" \
        "(minimize first: build/fuzz/fuzz_NAME -minimize_crash=1 -runs=10000 FILE):$crashed" >&2
fi
exit $status
