#!/bin/sh
# Outcomes and where they are written: a run exits 2 for what is wrong with
# its data, found before the first step (as `lrc check` does for what it
# can see), 1 for a run that failed, 128 + N when signal N ended it; usage
# errors are exact (the options table and its combination rules); results
# go to stdout only, messages to stderr only. Prints "ok NAME" /
# "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
cd "$tmp" || exit 1
model='model dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1\n'
exp() { printf 'dataset d = csv("%s", label="y")\n'"$model" "$1" >"$2"; }

# --- data errors before the first step: 2, in a run as in check ---------
printf 'x,y\n1,2\n3,abc\n' >nn.csv && exp nn.csv nn.lr
expect_exact "a non-numeric value is status 2" 2 \
    "nn.csv:3:2: error: non-numeric value 'abc' in column 'y'\n" "$LRC" --quiet nn.lr
printf 'x,y\n1,2\n3,\n' >miss.csv && exp miss.csv miss.lr
expect_exact "a missing value is status 2" 2 \
    "miss.csv:3:2: error: missing value in column 'y'\n" "$LRC" --quiet miss.lr
printf 'x,y\n1,2\n3\n' >rag.csv && exp rag.csv rag.lr
expect_exact "a ragged row is status 2" 2 \
    "rag.csv:3: error: row has 1 field but the header has 2\n" "$LRC" --quiet rag.lr
printf 'x,y\n' >empty.csv && exp empty.csv empty.lr
expect_exact "a file with no rows is status 2" 2 "empty.csv:1: error: no data rows\n" \
    "$LRC" --quiet empty.lr
printf 'x,y\n1,"2\n' >quote.csv && exp quote.csv quote.lr
expect_exact "an unterminated quote is status 2" 2 \
    "quote.csv:2:2: error: unterminated quoted field (the quote opened here is never closed)\n" \
    "$LRC" --quiet quote.lr
printf 'x,y\n1,5\n2,1\n' >label.csv
printf 'dataset d = csv("label.csv", label="y")\nmodel dense(2)\nloss categorical_crossentropy\noptimizer sgd\ntrain epochs=1\n' >label.lr
expect_exact "a label out of range is status 2, named at its row" 2 \
    "label.csv:2:2: error: the label 5 in column 'y' is out of range: the model's 2 outputs are classes 0 to 1\n" \
    "$LRC" --quiet label.lr
printf 'x,y\n1,0.5\n2,2\n' >prob.csv
printf 'dataset d = csv("prob.csv", label="y")\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer sgd\ntrain epochs=1\n' >prob.lr
expect_exact "a target outside 0..1 for binary cross-entropy is status 2" 2 \
    "prob.csv:3:2: error: the target 2 in column 'y' is not a probability between 0 and 1 (as binary_crossentropy needs)\n" \
    "$LRC" --quiet prob.lr
# check reads only the header: the values are the run's to find.
expect_exact "check passes a file whose values only the run reads" 0 "" "$LRC" check nn.lr

# --- a run that failed: 1; interrupted: 128 + N --------------------------
printf 'dataset d = moons(n=40)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\nload "w.safetensors"\ntrain epochs=1\n' >load.lr
printf 'not safetensors' >w.safetensors
"$LRC" --quiet load.lr >/dev/null 2>err
st=$?
[ $st -eq 1 ] && grep -q "^load.lr:5:6: error: .*w.safetensors" err &&
    ok "a damaged weights file is status 1" || notok "a damaged weights file is status 1" "exit $st: $(cat err)"
printf 'dataset d = moons(n=40)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain epochs=3\n' >moons.lr
expect_exact "--halt-after is an interruption: 130" 130 \
    "lrc: interrupted after step 2 (use --out DIR to be able to resume)\n" \
    "$LRC" --quiet --halt-after 2 moons.lr

# --- usage errors: exact, from the options table ---------------------------
usage='usage: lrc FILE.lr [--set NAME=VALUE]... [--seed N] [--threads N] [--out DIR]
                   [-j N] [--quiet]
       lrc FILE.lr --run-index I --out DIR [--set NAME=VALUE]... [--seed N]
                   [--threads N] [--quiet]
       lrc FILE.lr --slurm [--slurm-opt OPTIONS]... --out DIR
                   [--set NAME=VALUE]... [--seed N] [--threads N] [--quiet]
       lrc collect DIR
       mpirun -np N lrc FILE.lr [--out DIR] [--threads N] [--quiet]
       lrc --resume DIR [--threads N] [--quiet]
       lrc check FILE.lr [--set NAME=VALUE]... [--explain]
       lrc summary FILE.lr|MODEL [--set NAME=VALUE]...
       lrc schedule EXPR --steps N
       lrc plot RUN_DIR... -o FIGURE [--metric NAME]
       lrc plot --schedule EXPR [--schedule EXPR]... --steps N -o FIGURE
       lrc predict MODEL DATA.csv [-o FILE.csv] [--keep COLUMN]... [--force]
                   [--delimiter C] [--threads N]
       lrc export MODEL [--c FILE.c [--name NAME]] [--onnx FILE.onnx] [--force]
       lrc verify RUN_DIR [--data DIR] [--threads N]
       lrc lsp [--allow-read DIR]...
       lrc fmt [--check] FILE.lr... | lrc fmt -
       lrc --help | --version
'
expect_exact "a close long option is suggested" 2 "lrc: error: unknown option '--sed'; did you mean '--seed'?\n$usage" \
    "$LRC" --sed 3 moons.lr
expect_exact "a short option is not guessed at" 2 "lrc: error: unknown option '-x'\n$usage" "$LRC" -x moons.lr
expect_exact "a missing integer says so" 2 "lrc: error: --seed needs a value\n$usage" "$LRC" moons.lr --seed
expect_exact "a missing -j reads as empty" 2 "lrc: error: -j needs a number of runs from 1 to 256, not ''\n$usage" \
    "$LRC" moons.lr -j
expect_exact "an integer out of range names the range" 2 \
    "lrc: error: --threads needs an integer from 1 to 1024, not '0'\n$usage" "$LRC" moons.lr --threads 0
expect_exact "--steps belongs to schedule" 2 "lrc: error: --steps only applies to 'lrc schedule' and 'lrc plot --schedule'\n$usage" \
    "$LRC" check moons.lr --steps 3
expect_exact "--explain belongs to check" 2 "lrc: error: --explain only applies to 'lrc check'\n$usage" \
    "$LRC" moons.lr --explain
expect_exact "--resume takes no file" 2 \
    "lrc: error: --resume DIR takes no file, --out or --seed: the run's checkpoint names them\n$usage" \
    "$LRC" --resume r moons.lr
expect_exact "schedule needs --steps" 2 "lrc: error: schedule needs --steps N\n$usage" "$LRC" schedule 'cosine(0.1, steps=10)'

# --- stdout carries results only, stderr messages only ----------------------
"$LRC" --help >out 2>err
[ $? -eq 0 ] && grep -q '^lrc runs the machine-learning experiment' out && [ ! -s err ] &&
    ok "--help on stdout" || notok "--help on stdout" "$(head -2 err)"
"$LRC" --version >out 2>err
[ $? -eq 0 ] && grep -q '^lrc [0-9]' out && [ ! -s err ] &&
    ok "--version on stdout" || notok "--version on stdout" "$(head -2 err)"
printf 'let f(x) = (x - 3)^2\nminimize f(x) from x=0 lr=0.25 steps=2\n' >min.lr
"$LRC" min.lr >out 2>err
[ $? -eq 0 ] && [ "$(cat out)" = "x 2.250000 f(x) 0.562500" ] && [ ! -s err ] &&
    ok "minimize's point on stdout" || notok "minimize's point on stdout" "$(cat out) | $(cat err)"
