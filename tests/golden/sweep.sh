#!/bin/sh
# Sweeps: `let NAME = sweep(...)` runs the experiment once per combination,
# each run a separate lrc process, and ends with a table of the runs, best
# first. Checked here: the run directories, the combination order (last
# sweep varying fastest), the sort, every loss against the run's own
# run.json (read by python3), sweep.csv, the same table whatever -j is, and
# no temporary directory left behind without --out.
. "$(dirname "$0")/../golden_lib.sh"

# Rates that all converge: 0.5 diverges with two layers.
cat >"$tmp/sweep.lr" <<'EOF'
seed 7
let rate = sweep(0.1, 0.05, 0.005)
let units = sweep(1, 2)
dataset d = linear(n=200, features=2, noise=0.1)
model dense(units) -> dense(1)
loss mse
optimizer sgd lr=rate
train epochs=3
EOF

"$LRC" "$tmp/sweep.lr" -j 2 --out "$tmp/out2" >"$tmp/table2" 2>"$tmp/err2"
st=$?
if [ $st -eq 0 ]; then echo "ok sweep exit status"; else
    echo "not ok sweep exit status: $st $(head -3 "$tmp/err2")"
fi

# A header and one row per combination: 3 rates x 2 unit counts.
rows=$(($(wc -l <"$tmp/table2") - 1))
head=$(head -1 "$tmp/table2" | tr -s ' ')
if [ "$rows" -eq 6 ] && [ "$head" = "run rate units loss" ]; then echo "ok sweep table shape"; else
    echo "not ok sweep table shape: $rows rows, header '$head'"
fi
# The checks of the table's content say so rather than pass on no table.
check() { # name why-it-failed (empty: passed)
    if [ "$rows" -ne 6 ]; then echo "not ok sweep $1: no table"
    elif [ -z "$2" ]; then echo "ok sweep $1"
    else echo "not ok sweep $1: $2"; fi
}

missing=""
for n in 001 002 003 004 005 006; do
    [ -f "$tmp/out2/run-$n/run.json" ] || missing="$missing run-$n"
done
[ -e "$tmp/out2/run-007" ] && missing="$missing (and a run-007)"
if [ -z "$missing" ]; then echo "ok sweep run directories"; else
    echo "not ok sweep run directories: missing$missing"
fi

# Run N is combination N in order, the last sweep varying fastest.
bad=$(awk 'NR > 1 {
    split("0.1 0.1 0.05 0.05 0.005 0.005", rate, " ")
    units = ($1 - 1) % 2 + 1
    if ($2 != rate[$1] || $3 != units) print "run " $1 ": " $2 " " $3
}' "$tmp/table2")
check "combination order" "$bad"

# Best first: loss ascending (no validation split, so not val_loss), ties
# by run number.
bad=$(awk 'NR > 2 && ($4 + 0 < loss || ($4 + 0 == loss && $1 + 0 < run)) { print "row " NR - 1 }
           NR > 1 { loss = $4 + 0; run = $1 + 0 }' "$tmp/table2")
check "sorted by loss" "${bad:+out of order at $bad}"

# Each row's loss is its run's final loss, %.6f.
bad=$(python3 - "$tmp/table2" "$tmp/out2" 2>&1 <<'EOF'
import json, sys
rows = open(sys.argv[1]).read().splitlines()[1:]
for row in rows:
    cells = row.split()
    final = json.load(open('%s/run-%03d/run.json' % (sys.argv[2], int(cells[0]))))['final']
    if cells[3] != '%.6f' % final['loss']:
        print('run %s: table %s, run.json %.6f' % (cells[0], cells[3], final['loss']))
EOF
)
check "losses match run.json" "$bad"

# sweep.csv: the same runs in run order, with full-precision numbers.
bad=$(python3 - "$tmp/out2" 2>&1 <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1] + '/sweep.csv')))
if rows[0][:4] != ['run', 'rate', 'units', 'loss'] or len(rows) != 7:
    print('header %s, %d lines' % (rows[0], len(rows)))
else:
    for i, row in enumerate(rows[1:], 1):
        final = json.load(open('%s/run-%03d/run.json' % (sys.argv[1], i)))['final']
        if int(row[0]) != i or float(row[3]) != final['loss']:
            print('line %d: %s' % (i + 1, row))
EOF
)
check csv "$bad"

# Runs are independent and seeded: one at a time gives the same table.
"$LRC" "$tmp/sweep.lr" -j 1 --out "$tmp/out1" >"$tmp/table1" 2>"$tmp/err1"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/table1" "$tmp/table2"; then echo "ok sweep -j 1 same table"; else
    echo "not ok sweep -j 1 same table: exit $st $(diff "$tmp/table2" "$tmp/table1" | head -4)"
fi

# Without --out the runs go to a temporary directory, removed at the end.
mkdir "$tmp/tmpdir"
TMPDIR="$tmp/tmpdir" "$LRC" "$tmp/sweep.lr" -j 3 >"$tmp/table3" 2>"$tmp/err3"
st=$?
left=$(ls -A "$tmp/tmpdir")
if [ $st -eq 0 ] && [ -z "$left" ] && cmp -s "$tmp/table3" "$tmp/table2"; then
    echo "ok sweep without --out"
else
    echo "not ok sweep without --out: exit $st, left '$left' $(diff "$tmp/table2" "$tmp/table3" | head -4)"
fi
exit 0
